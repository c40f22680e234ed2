#!/usr/bin/env bash
# Streamed training keeps memory bounded: peak resident memory of
# `neurotwin train` on a training file of N and of 4N simulations (6-s
# simulations of the built-in cell, same model and steps), with the default
# cache of decoded simulations (256 MB) and without it. The windows are read
# from the HDF5 file batch by batch: without the cache the figures should
# match while the files differ 4-fold; with it they may differ by what the
# cache holds, never by more than its cap.
# Usage: benchmarks/training_memory.sh [N (default 8)] [steps (default 20)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=build/experiments/neurotwin
[ -x "$bin" ] || { echo "build first (scripts/setup.sh)"; exit 1; }
n=${1:-8}
steps=${2:-20}
work=$(mktemp -d /tmp/neurotwin-membench-XXXX)
trap 'rm -rf "$work"' EXIT
common=(--set model.depth=3 --set model.width=64 --set model.first_kernel_ms=45 --set model.kernel_ms=19
        --set model.input_pooling_band_um=0 --set "model.first_layer_windows_ms=[]" --set model.detach_soma_head=false
        --set training.batch_size=8 --set training.window_ms=400 --set "training.stages.steps=[$steps]"
        --set training.validate_every=1000000 --set dataset.valid_simulations=2 --set dataset.test_simulations=1)
printf "%-14s %10s %10s %12s %14s\n" "train sims" "file MB" "cache MB" "train s" "peak RSS MB"
for sims in "$n" $((4 * n)); do
  out="$work/n$sims"
  "$bin" simulate -o "$out" "${common[@]}" --set "dataset.train_simulations=$sims" >"$work/sim$sims.log" 2>&1 ||
    { cat "$work/sim$sims.log"; exit 1; }
  for cache in 256 0; do
    start=$(date +%s.%N)
    /usr/bin/time -v "$bin" train --overwrite -o "$out" "${common[@]}" --set "dataset.train_simulations=$sims" \
      --set "training.window_cache_mb=$cache" >"$work/train$sims.log" 2>&1 || { cat "$work/train$sims.log"; exit 1; }
    end=$(date +%s.%N)
    rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/train$sims.log")
    size=$(stat -c %s "$out/data/train.h5")
    awk -v s="$sims" -v b="$size" -v c="$cache" -v t0="$start" -v t1="$end" -v r="$rss_kb" \
      'BEGIN {printf "%-14d %10.1f %10d %12.1f %14.1f\n", s, b / 1e6, c, t1 - t0, r / 1024}'
  done
done
