#!/usr/bin/env bash
# Prints the figures of dist/: each artifact's size, and the x64 client's cold start against `node -e 0` of the same Node 24 (medians).
# Usage: packaging/measure.sh [RUNS]   (after scripts/build-artifacts.sh; default 40 runs each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-40}
node=$(bash scripts/node24.sh x64)
client=$PWD/dist/spa-client-linux-x64

echo "## Sizes (bytes)"
(cd dist && find . -maxdepth 1 -type f ! -name '*.txt' ! -name SHA256SUMS -printf '%s %f\n' | sort -k2)

echo
echo "## Cold start (node $("$node" --version)), interleaved"
node packaging/measure-cold-start.mjs "$node" "$client" "$runs"
