#!/usr/bin/env bash
# Fresh Debian 12 machine -> the default experiment: installs what is missing,
# builds in Release, runs `neurotwin run` on the embedded defaults
# (output in runs/default; extra arguments go to `neurotwin run`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
exec build/experiments/neurotwin run "$@"
