#!/usr/bin/env bash
# fetch-node.sh MAJOR DIR: prints the path of a Node MAJOR binary, fetched from the npm registry into DIR (never over the system's node).
set -euo pipefail
major=$1 dir=$2
bin="$dir/bin/node"
if [ ! -x "$bin" ]; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "fetch-node: no Node package for $(uname -m)" >&2; exit 1 ;;
  esac
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the tarball against the registry's sha512. Only bin/node is extracted: the
  # package's headers and docs are thousands of small files that take longer to write than to fetch.
  tarball=$(cd "$tmp" && npm pack --silent "node-linux-$arch@$major")
  tar -xzf "$tmp/$tarball" -C "$tmp" package/bin/node
  mkdir -p "$dir/bin"
  mv "$tmp/package/bin/node" "$bin"
fi
echo "$(cd "$dir" && pwd)/bin/node"
