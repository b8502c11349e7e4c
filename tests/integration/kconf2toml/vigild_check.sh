#!/usr/bin/env bash
# Every converted corpus file passes `vigild --check` (TOML and YAML). Skips (77) without the corpus.
#   vigild_check.sh KCONF2TOML VIGILD CORPUS_DIR
set -uo pipefail
kconf=$1 vigild=$2 corpus=$3
if [ ! -d "$corpus" ]; then
  echo "SKIP: keepalived corpus not found at $corpus (shared/corpus/keepalived beside the repository)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0 count=0
for conf in "$corpus"/*.conf "$corpus"/*/keepalived.conf; do
  [ -f "$conf" ] || continue
  case "$conf" in *MALFORMED*) continue ;; esac
  name=$(basename "$(dirname "$conf")")-$(basename "$conf" .conf)
  for format in toml yaml; do
    out="$work/$name.$format"
    "$kconf" --config-id low --format "$format" -o "$out" "$conf" 2> /dev/null
    status=$?
    if [ $status -ne 0 ]; then echo "FAIL $conf: kconf2toml exit $status"; fail=1; continue; fi
    if ! "$vigild" --check --config "$out" > "$work/check.log" 2>&1; then
      echo "FAIL $conf ($format): vigild --check rejects the output:"; head -5 "$work/check.log"; fail=1
    fi
    count=$((count + 1))
  done
done
echo "vigild --check: $count converted files checked"
exit $fail
