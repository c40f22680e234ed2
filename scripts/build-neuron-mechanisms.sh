#!/usr/bin/env bash
# Compiles the NEURON mechanisms (.mod files) of a model folder with Debian 12's NEURON 8.2 (packages
# neuron, python3-neuron, neuron-dev), e.g. your copy of the Hay / Beniaguev L5PC folder for
# `neurotwin_l5pc_benchmark --neuron-model DIR`:
#   scripts/build-neuron-mechanisms.sh DIR          # DIR/mods/*.mod -> DIR/x86_64/.libs/libnrnmech.so
# Debian's nrnivmodl looks for nrnmech_makefile in /usr/bin and for libnrniv in /usr/lib, while the
# packages put both in /usr/lib/nrn; this points it there. Its last step (linking the `special`
# executable) may still fail; Python's neuron.load_mechanisms(DIR) needs only the shared library.
set -euo pipefail
dir="${1:?usage: $0 MODEL_DIR (with MODEL_DIR/mods/*.mod)}"
[[ -d "$dir/mods" ]] || { echo "error: $dir/mods: no such folder" >&2; exit 2; }
command -v nrnivmodl > /dev/null || { echo "error: nrnivmodl not found (apt-get install neuron-dev)" >&2; exit 2; }
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
mkdir -p "$tools/bin"
for f in /usr/bin/nocmodl /usr/bin/nrniv /usr/bin/modlunit /usr/bin/mkthreadsafe /usr/lib/nrn/nrnmech_makefile; do
  [[ -e "$f" ]] && ln -s "$f" "$tools/bin/"
done
cd "$dir"
NRNHOME_EXEC="$tools" nrnivmodl -loadflags "-L/usr/lib/nrn -Wl,-rpath,/usr/lib/nrn" mods || true
if [[ ! -f x86_64/.libs/libnrnmech.so ]]; then
  echo "error: $dir/x86_64/.libs/libnrnmech.so was not built (see the messages above)" >&2
  exit 1
fi
echo "built $dir/x86_64/.libs/libnrnmech.so"
