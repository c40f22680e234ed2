#!/usr/bin/env bash
# The L5PC study of README "What a cortical neuron needs", step after step, each resumable: rerun the
# script after any interruption and it continues where it stopped (finished files and networks are kept).
#   scripts/l5pc-study.sh [CELL...]     CELL: nmda, ampa, ampa-sk (default: all three)
# Cell after cell (NMDA, AMPA, AMPA-SK): its data, then its sweep, which runs under `mpirun -np <cores>` (one
# training per core) when mpirun is installed. Needs a build (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cells=("$@")
[[ ${#cells[@]} -gt 0 ]] || cells=(nmda ampa ampa-sk)
for cell in "${cells[@]}"; do
  [[ -f "experiments/configs/l5pc-$cell.yaml" ]] || { echo "error: no experiments/configs/l5pc-$cell.yaml" >&2; exit 2; }
done
neurotwin="${NEUROTWIN:-build/experiments/neurotwin}"  # NEUROTWIN=path: a fixed copy while you rebuild
[[ -x "$neurotwin" ]] || { echo "error: $neurotwin not built (run scripts/setup.sh)" >&2; exit 2; }
cores="$(nproc 2>/dev/null || echo 2)"

scripts/fetch-l5pc-morphology.sh

log() { echo "[$(date -u +%H:%M:%S)] l5pc-study: $*"; }

sweep() {
  local config="$1"
  if command -v mpirun > /dev/null && [[ "$cores" -gt 1 ]]; then
    local as_root=()
    [[ "$(id -u)" -eq 0 ]] && as_root=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
    "${as_root[@]}" mpirun --oversubscribe -np "$cores" "$neurotwin" sweep "$config"
  else
    "$neurotwin" sweep "$config" --jobs "$cores"
  fi
}
for cell in "${cells[@]}"; do
  log "data of l5pc-$cell"
  "$neurotwin" simulate "experiments/configs/l5pc-$cell.yaml" --jobs "$cores"
  log "sweep of l5pc-$cell"
  sweep "experiments/configs/l5pc-$cell.yaml"
done
log "done: runs/l5pc-<cell>/sweep/results.csv"
