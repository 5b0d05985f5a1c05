#!/usr/bin/env bash
# fetch-node.sh MAJOR DIR [ARCH]: prints the path of a Node MAJOR binary (x64 or arm64, default this machine's), fetched from the npm registry into DIR (never over the system's node).
set -euo pipefail
major=$1 dir=$2 arch=${3:-}
if [ -z "$arch" ]; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "fetch-node: no Node package for $(uname -m)" >&2; exit 1 ;;
  esac
fi
case "$arch" in x64 | arm64) ;; *) echo "fetch-node: unknown architecture $arch (x64 or arm64)" >&2; exit 2 ;; esac
bin="$dir/bin/node"
if [ ! -x "$bin" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the tarball against the registry's sha512, and ignores the package's "cpu" field
  # (an arm64 Node is only copied here, for single-file executables). Only bin/node and the licence
  # are extracted: the package's headers and docs are thousands of small files.
  tarball=$(cd "$tmp" && npm pack --silent "node-linux-$arch@$major")
  tar -xzf "$tmp/$tarball" -C "$tmp" package/bin/node package/LICENSE
  mkdir -p "$dir/bin"
  mv "$tmp/package/LICENSE" "$dir/LICENSE"
  mv "$tmp/package/bin/node" "$bin"
fi
echo "$(cd "$dir" && pwd)/bin/node"
