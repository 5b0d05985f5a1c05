#!/usr/bin/env bash
# Sets everything up, then runs the demo (network namespaces, a real firewall, a real client and server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node_modules/.bin/tsx --conditions=source test/demo/run.ts "$@"
