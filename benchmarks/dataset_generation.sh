#!/usr/bin/env bash
# Dataset-generation benchmark: simulated seconds per wall second per core and
# bytes per simulated second for the built-in cell (or the Hay L5PC) under the
# default (6-s, NMDA) protocol, and the scaling from 1 to 2 processes (mpirun
# -np 2, one thread each) and 1 to 2 threads, measured in the same run on the
# same work, at the default lanes.
# Usage: benchmarks/dataset_generation.sh [training simulations (default 12, even)] [l5pc]
#   l5pc: the Hay L5PC preset on third_party/l5pc/cell1.asc (scripts/fetch-l5pc-morphology.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=build/experiments/neurotwin
[ -x "$bin" ] || { echo "build first (scripts/setup.sh)"; exit 1; }
n=${1:-12}
work=$(mktemp -d /tmp/neurotwin-bench-XXXX)
trap 'rm -rf "$work"' EXIT
mpi_env=()
[ "$(id -u)" -ne 0 ] || mpi_env=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
# The train split holds most of the work; valid and test 2 simulations each
# (even counts, so that no run idles a core on an odd last simulation).
sets=(--set "dataset.train_simulations=$n" --set dataset.valid_simulations=2 --set dataset.test_simulations=2)
cell="built-in cell"
if [[ "${2:-}" == l5pc ]]; then
  [[ -f third_party/l5pc/cell1.asc ]] || { echo "run scripts/fetch-l5pc-morphology.sh first"; exit 1; }
  sets+=(--set cell.model=l5pc --set cell.morphology=third_party/l5pc/cell1.asc)
  cell="Hay L5PC"
elif [[ -n "${2:-}" ]]; then
  echo "unknown cell '$2' (l5pc or nothing)"; exit 1
fi
total=$((n + 4))
seconds=$(awk "BEGIN {print $total * 6}")

timed() {  # label, command...: runs it in a fresh output dir, prints wall seconds
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/$label.log" 2>&1 || { cat "$work/$label.log"; exit 1; }
  end=$(date +%s.%N)
  awk "BEGIN {printf \"%.2f\", $end - $start}"
}

echo "neurotwin dataset generation benchmark: $cell, $total simulations x 6 s = $seconds simulated s per run"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
t1=$(timed one "$bin" simulate -o "$work/one" "${sets[@]}" --jobs 1)
t2=$(timed threads "$bin" simulate -o "$work/threads" "${sets[@]}" --jobs 2)
if command -v mpirun >/dev/null; then
  tp=$(timed mpi "${mpi_env[@]}" mpirun --oversubscribe -np 2 "$bin" simulate -o "$work/mpi" "${sets[@]}" --jobs 1)
else
  tp=""
fi
bytes=$("$bin" dataset info "$work/one/data/train.h5" | awk '/bytes per simulated s/ {print $(NF-4)}')
read_ms=$(/usr/bin/python3 - "$work/one/data/train.h5" <<'PY'
import sys, time, random, h5py
with h5py.File(sys.argv[1]) as f:
    n = f.attrs["simulation_count"]; p = f["inputs/index_pointer"][:]; random.seed(1)
    start = time.perf_counter()
    for _ in range(20):
        k = random.randrange(n)
        t = f["inputs/timestamps"][p[k]:p[k + 1]]; c = f["inputs/node_ids"][p[k]:p[k + 1]]; v = f["soma_v_mV"][k]
    print(f"{(time.perf_counter() - start) / 20 * 1000:.1f}")
PY
)
printf '\n%-44s %8s %14s %12s\n' "run" "wall s" "sim s/wall s" "per core"
printf '%-44s %8s %14.2f %12.2f\n' "1 process x 1 thread" "$t1" "$(awk "BEGIN {print $seconds / $t1}")" "$(awk "BEGIN {print $seconds / $t1}")"
printf '%-44s %8s %14.2f %12.2f\n' "1 process x 2 threads" "$t2" "$(awk "BEGIN {print $seconds / $t2}")" "$(awk "BEGIN {print $seconds / $t2 / 2}")"
if [ -n "$tp" ]; then
  printf '%-44s %8s %14.2f %12.2f\n' "2 MPI processes x 1 thread (incl. merge)" "$tp" "$(awk "BEGIN {print $seconds / $tp}")" "$(awk "BEGIN {print $seconds / $tp / 2}")"
fi
echo
echo "bytes per simulated second (train.h5, soma 1 + 8 samples/ms, dendrite trace, sparse inputs): $bytes"
echo "h5py: one random simulation's inputs + soma trace read in $read_ms ms"
echo "scaling 1 -> 2 threads:   $(awk "BEGIN {printf \"%.2f\", $t1 / $t2}")x"
[ -z "$tp" ] || echo "scaling 1 -> 2 processes: $(awk "BEGIN {printf \"%.2f\", $t1 / $tp}")x (target >= 1.8x)"
