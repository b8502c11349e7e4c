#!/usr/bin/env bash
# Installs every Debian 12 package Vigil needs to build, test and demo. Idempotent: when all
# packages are present it does nothing (no apt-get update, no network).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config clang clang-format clang-tidy libclang-rt-14-dev
  # libraries (README "Dependencies" says what each is for)
  libasio-dev liburing-dev libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libtomlplusplus-dev
  libyaml-cpp-dev doctest-dev libsystemd-dev libssl-dev libcli11-dev libfmt-dev nlohmann-json3-dev
  libexpected-dev libcap-dev
  # tests, demo and benchmarks
  python3 iproute2 iputils-ping nftables strace tcpdump tshark keepalived procps psmisc bash
  python3-jsonschema python3-yaml
  systemd  # systemd-analyze, and the systemd that tests/integration/ops boots in a container for the unit
  rt-tests  # cyclictest: the platform's own timer wake-up latency beside bench/adverts_under_load.py
  dnsmasq-base openssl  # DNS server and test certificates of the checker tests
  # IPVS tests boot Debian's kernel under QEMU (tests/vm/ipvs-vm.sh); xz unpacks its image
  qemu-system-x86 xz-utils
)

# promtool validates /metrics in tests/integration/ops. It ships only inside the Debian package
# `prometheus`, whose installation would also start a Prometheus server on this host, so the one
# binary is unpacked from the package into a directory of its own instead of installing it.
promtool_dir=/var/cache/vigil-tools
promtool=$promtool_dir/promtool

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ -x "$promtool" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if [ ${#missing[@]} -eq 0 ]; then
    # Only promtool is missing: the metrics test checks the exposition without it.
    echo "install-deps: promtool is not unpacked (run as root to fetch it); the metrics test skips it" >&2
    exit 0
  fi
  echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ ! -x "$promtool" ]; then
  echo "install-deps: unpacking promtool from the Debian package prometheus into $promtool_dir"
  unpack=$(mktemp -d)
  if (cd "$unpack" && { apt-get download -q prometheus >/dev/null 2>&1 ||
                        { apt-get update -qq && apt-get download -q prometheus >/dev/null; }; } &&
      dpkg-deb -x prometheus_*.deb tree); then
    mkdir -p "$promtool_dir" && install -m 0755 "$unpack/tree/usr/bin/promtool" "$promtool"
  else
    echo "install-deps: could not fetch the prometheus package; the metrics test will skip promtool" >&2
  fi
  rm -rf "$unpack"
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# policy-rc.d keeps the keepalived package from starting its own service: tests start it by hand.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
