#!/usr/bin/env bash
# Installs the Debian 12 packages icmpkit needs to build, test and benchmark. Idempotent: does
# nothing when every package is present. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git
  libpcap-dev libcli11-dev libfmt-dev nlohmann-json3-dev libcap-dev
  # tests and fuzzing
  libgtest-dev libgmock-dev python3 clang libclang-rt-14-dev valgrind
  # benchmarks
  libbenchmark-dev libtins-dev hyperfine
  # real peers for tests and benchmarks
  tshark tcpdump python3-scapy iputils-ping iputils-tracepath traceroute fping mtr-tiny scamper
  iproute2 iptables nftables procps kmod
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 2; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
