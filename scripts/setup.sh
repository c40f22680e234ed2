#!/usr/bin/env bash
# Installs the Debian 12 packages neurotwin needs (only those missing) and
# builds it in Release under ./build. Sourced by the two entry scripts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(build-essential cmake git pkg-config zlib1g-dev
          libtorch-dev libopenblas0-openmp libhdf5-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev catch2
          libopenmpi-dev openmpi-bin libplplot-dev plplot-driver-cairo
          neuron python3-neuron python3-h5py python3-torch python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "neurotwin setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${NEUROTWIN_CMAKE_ARGS:-}
cmake --build build -j "$jobs"
