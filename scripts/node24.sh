#!/usr/bin/env bash
# node24.sh [x64|arm64]: prints the path of a Node 24 LTS binary, fetched from the npm registry into .node24/ (.node24-arm64/ for arm64), never over the system's node.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-x64}
prefix=.node24
[ "$arch" = x64 ] || prefix=".node24-$arch"
exec bash scripts/fetch-node.sh 24 "$prefix" "$arch"
