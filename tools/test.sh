#!/usr/bin/env bash
# The README's test command: installs dependencies, then builds and tests twice --
# a release build with warnings as errors, and an ASan+UBSan build -- and runs ctest in both.
#   tools/test.sh            both builds
#   tools/test.sh release    one of: release, asan, fuzz (clang + libFuzzer, short runs)
# Environment: VIGIL_JOBS (default: number of cores), CTEST_ARGS (extra ctest arguments).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

tools/install-deps.sh

jobs=${VIGIL_JOBS:-$(nproc)}
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_DIR=${CCACHE_DIR:-/var/cache/vigil-ccache}
# Paths relative to the checkout and no working-directory hash, so a fresh clone (CI) hits the
# objects any other checkout compiled; 20 GB because five build trees overflowed the 5 GB default.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

builds=("$@")
[ ${#builds[@]} -eq 0 ] && builds=(release asan fuzz)

status=0
for b in "${builds[@]}"; do
  case "$b" in
    release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_WERROR=ON) ;;
    asan)    flags=(-DCMAKE_BUILD_TYPE=Debug -DVIGIL_WERROR=ON -DVIGIL_SANITIZE=ON) ;;
    fuzz)    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DVIGIL_FUZZ=ON
                    -DVIGIL_SANITIZE=ON -DVIGIL_PCH=OFF -DVIGIL_FUZZ_SECONDS=${VIGIL_FUZZ_SECONDS:-20}) ;;
    *) echo "unknown build '$b' (release, asan, fuzz)" >&2; exit 2 ;;
  esac
  dir="build/$b"
  if [ "$b" = fuzz ] && ! command -v clang++ >/dev/null; then
    echo "=== fuzz build skipped: clang++ is not installed"; continue
  fi
  echo "=== $b build in $dir"
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" "${launcher[@]}" >/dev/null
  target=all
  [ "$b" = fuzz ] && target=fuzzers   # only the pure parsers are fuzzed: no need to build the daemon twice more
  cmake --build "$dir" -j "$jobs" --target "$target"
  echo "=== $b tests"
  ctest_filter=()
  [ "$b" = fuzz ] && ctest_filter=(-L fuzz)
  # Sanitizer builds: leaks are errors too; abort on the first report so ctest sees the failure.
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # shellcheck disable=SC2086
  if ! (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600 "${ctest_filter[@]}" ${CTEST_ARGS:-}); then
    status=1
  fi
done
exit $status
