#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (or an already set-up one, quickly): system tools, pnpm, node modules, built CLIs.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
# Tools the tests and the demo use for real: the kernel firewall front-ends, namespaces, and real peers.
APT_PACKAGES=(nftables iptables ipset iproute2 iputils-ping procps nmap openssh-server openssh-client
  tcpdump tshark fwknop-server fwknop-client hyperfine libcap2-bin util-linux sudo ca-certificates
  conntrack python3 openssl
  # spa-client agent's ProxyCommand (nc -N -U) and its kernel test.
  netcat-openbsd
  # The shared replay store's tests start their own redis-server (a private socket, a password).
  redis-server redis-tools
  # scripts/build-artifacts.sh: strip, .debs and their checks, arm64 executables made and run under qemu-user.
  file binutils binutils-aarch64-linux-gnu lintian systemd adduser qemu-user-static
  libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  # tshark asks whether non-root users may capture; the default answer (no) is what we want.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# An older system Node is left alone; the project gets its own (scripts/supported-node.sh).
source scripts/supported-node.sh

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  as_root npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

# CI installs exactly what the lock file says; a developer may update it deliberately with `pnpm install`.
pnpm install --frozen-lockfile --reporter=silent
pnpm run --silent build
echo "setup: ready (node $(node --version), pnpm $(pnpm --version))"
