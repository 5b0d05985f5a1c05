#!/usr/bin/env bash
# Prints the figures of dist/: each artifact's size, and the x64 client's cold start against `node -e 0` of the same Node 24 (hyperfine medians).
# Usage: packaging/measure.sh [RUNS]   (after scripts/build-artifacts.sh; default 40 runs each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-40}
node=$(bash scripts/node24.sh x64)
client=$PWD/dist/spa-client-linux-x64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "## Sizes (bytes)"
(cd dist && find . -maxdepth 1 -type f ! -name '*.txt' ! -name SHA256SUMS -printf '%s %f\n' | sort -k2)

# A dry-run knock: key parsing, the signature and the sealing, no socket (nothing leaves the machine).
"$client" keygen --out "$work/client.key" >/dev/null
server_key=$("$node" -e "const {generateKeyPairSync:g}=require('node:crypto');
console.log('spa-x25519:'+g('x25519').publicKey.export({format:'der',type:'spki'}).subarray(-32).toString('base64url'))")
export HOME=$work
echo
echo "## Cold start, $runs runs each (node $("$node" --version))"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/h.json" \
  -n 'node -e 0' "$node -e 0" \
  -n 'spa-client --version' "$client --version" \
  -n 'spa-client open --dry-run' "$client open tcp/22 --host 127.0.0.1 --server-key $server_key --key $work/client.key --dry-run" \
  >/dev/null
"$node" -e "
const r = require('$work/h.json').results;
const base = r[0].median;
for (const x of r) console.log(x.command.padEnd(26), 'median', (x.median*1000).toFixed(1), 'ms', ' ratio', (x.median/base).toFixed(2));
"
