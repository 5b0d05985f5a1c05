#!/usr/bin/env bash
# Prints the path of a Node 24 LTS binary, installing it from the npm registry into .node24/ (never over the system's node).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/fetch-node.sh 24 .node24
