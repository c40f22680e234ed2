#!/usr/bin/env bash
# Fresh Debian 12 machine -> the test suite: installs what is missing, builds
# in Release, runs every test with ctest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
cd build
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" --timeout 1200
