#!/usr/bin/env bash
# Prints the path of a Node 24 LTS binary (x64 by default, or: node24.sh arm64), installing it from the npm registry into .node24/ (never over the system's node).
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-x64}
case "$arch" in x64 | arm64) ;; *) echo "node24.sh: unknown architecture $arch (x64 or arm64)" >&2; exit 2 ;; esac
# x64 keeps its historical place (.node24/); other architectures get their own prefix, since one
# prefix holds one resolved node-linux-* package at a time.
prefix=.node24
[ "$arch" = x64 ] || prefix=".node24-$arch"
bin=$prefix/node_modules/node-linux-$arch/bin/node
if [ ! -x "$bin" ]; then
  # --force: the package's "cpu" field would refuse an arm64 Node on an x64 machine; we only copy it.
  npm install --silent --no-save --no-package-lock --force --prefix "$prefix" "node-linux-$arch@24" >/dev/null 2>&1
fi
echo "$PWD/$bin"
