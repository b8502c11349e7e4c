#!/usr/bin/env bash
# tools/format.sh         reformat every C++ file in place with the repo's .clang-format
# tools/format.sh --check fail (and list the files) when any file is not formatted
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')
[ ${#files[@]} -eq 0 ] && exit 0
if [ "${1:-}" = --check ]; then
  bad=()
  for f in "${files[@]}"; do clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f"); done
  if [ ${#bad[@]} -gt 0 ]; then
    printf 'not clang-formatted (run tools/format.sh):\n'; printf '  %s\n' "${bad[@]}"; exit 1
  fi
  echo "format: ok (${#files[@]} files)"
else
  clang-format -i "${files[@]}"
fi
