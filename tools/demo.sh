#!/usr/bin/env bash
# The README's demo command. Installs packages, builds Vigil, then shows it working.
# Until the VRRP engine lands it validates the example configs with `vigild --check`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools/install-deps.sh
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_DIR=${CCACHE_DIR:-/var/cache/vigil-ccache}
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_BUILD_TESTS=OFF \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build/demo -j "$(nproc)" --target vigild kconf2toml
for f in config-examples/*/*.toml config-examples/*/*.yaml; do
  echo "--- vigild --check $f"
  build/demo/src/daemon/vigild --check --config "$f"
done
