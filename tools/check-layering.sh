#!/usr/bin/env bash
# Enforces the dependency rules of README "Architecture": the pure protocol cores do no I/O and
# see no runtime library, and each layer includes only the layers below it.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0

complain() { echo "layering: $*" >&2; status=1; }

# 1. Pure cores: no Asio, netlink, sockets, clocks or console/syslog output.
for dir in src/vrrp src/track src/ipvs src/check; do
  [ -d "$dir" ] || continue
  hits=$(grep -rnE 'asio|netlink|<sys/socket\.h>|steady_clock::now|system_clock::now|std::cout|std::cerr|syslog|printf\(' "$dir" || true)
  [ -n "$hits" ] && complain "pure core $dir does I/O or reads a clock:"$'\n'"$hits"
done

# 2. Which src/ folders a folder may include ("base" is always allowed).
declare -A allowed=(
  [base]=""
  [vrrp]="" [track]="" [ipvs]="" [check]=""
  [config]="vrrp track ipvs check"
  [rt]=""
  [net]="rt ipvs"  # net/ipvs speaks the kernel IPVS vocabulary of src/ipvs (plain values)
  [sys]="rt"
  [checker]="check config rt net sys"
  [engine]="vrrp track ipvs check config rt net sys"
  # control/vigilctl runs genhash itself (`vigilctl genhash URL`): the checker drivers sit beside the engine.
  [control]="engine checker config rt net sys vrrp track ipvs check"
  [daemon]="*"
)
for dir in src/*/; do
  layer=$(basename "$dir")
  [ "$layer" = daemon ] && continue
  rules=${allowed[$layer]-unknown}
  if [ "$rules" = unknown ]; then complain "src/$layer is not in the layering table of tools/check-layering.sh"; continue; fi
  while IFS=: read -r file line include; do
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$include")
    [ "$target" = "$layer" ] || [ "$target" = base ] && continue
    [[ " $rules " == *" $target "* ]] || complain "$file:$line: src/$layer must not include $target/ ($include)"
  done < <(grep -rnE '^#include "[a-z_]+/' "$dir" || true)
done

# 3. tools/ never links the runtime (rt, net, sys, engine).
while IFS=: read -r file line include; do
  complain "$file:$line: tools/ must not include the runtime ($include)"
done < <(grep -rnE '^#include "(rt|net|sys|engine|control|daemon)/' tools 2>/dev/null || true)

[ $status -eq 0 ] && echo "layering: ok"
exit $status
