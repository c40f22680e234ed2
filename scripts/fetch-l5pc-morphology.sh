#!/usr/bin/env bash
# Puts the Hay L5PC morphology (cell1.asc of ModelDB 139653, also in Beniaguev's neuron_as_deep_net
# repository) at third_party/l5pc/cell1.asc, where experiments/configs/l5pc-*.yaml look for it, and checks
# its SHA-256. The file is third-party and never committed (third_party/ is ignored by git).
#   scripts/fetch-l5pc-morphology.sh               # download (Beniaguev's repository, then ModelDB)
#   scripts/fetch-l5pc-morphology.sh --from FILE   # offline: check and copy a local cell1.asc
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly expected_sha256="a8afc0925afec1dd9241528ee6ccfdcb1c321904d876835990592c2573567383"
readonly destination="third_party/l5pc/cell1.asc"
readonly github_url="https://raw.githubusercontent.com/SelfishGene/neuron_as_deep_net/master/L5PC_NEURON_simulation/morphologies/cell1.asc"
readonly modeldb_url="https://modeldb.science/download/139653"

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

install_checked() {  # install_checked CANDIDATE WHERE_IT_CAME_FROM
  local actual
  actual="$(sha_of "$1")"
  if [[ "$actual" != "$expected_sha256" ]]; then
    echo "error: cell1.asc from $2 has SHA-256 $actual, expected $expected_sha256" >&2
    return 1
  fi
  mkdir -p "$(dirname "$destination")"
  cp "$1" "$destination.partial" && mv "$destination.partial" "$destination"
  echo "$destination: SHA-256 $expected_sha256 (from $2)"
}

source_file=""
case "${1:-}" in
  "") ;;
  --from) [[ $# -eq 2 ]] || { usage >&2; exit 2; }; source_file="$2" ;;
  -h|--help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

if [[ -n "$source_file" ]]; then
  [[ -f "$source_file" ]] || { echo "error: $source_file: no such file" >&2; exit 1; }
  install_checked "$source_file" "$source_file"
  exit
fi

if [[ -f "$destination" && "$(sha_of "$destination")" == "$expected_sha256" ]]; then
  echo "$destination: present, SHA-256 $expected_sha256"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if curl -fsSL --retry 2 -o "$work/cell1.asc" "$github_url" && install_checked "$work/cell1.asc" "$github_url"; then
  exit 0
fi
echo "trying ModelDB 139653 ..." >&2
if curl -fsSL --retry 2 -o "$work/139653.zip" "$modeldb_url"; then
  member="$(unzip -Z1 "$work/139653.zip" | grep -E '(^|/)morphologies/cell1\.asc$' | head -n 1 || true)"
  if [[ -n "$member" ]]; then
    unzip -p "$work/139653.zip" "$member" > "$work/cell1-modeldb.asc"
    install_checked "$work/cell1-modeldb.asc" "$modeldb_url ($member)" && exit 0
  else
    echo "error: the ModelDB archive has no morphologies/cell1.asc" >&2
  fi
fi
echo "error: could not obtain cell1.asc; download it by hand and run: $0 --from FILE" >&2
exit 1
