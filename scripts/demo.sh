#!/usr/bin/env bash
# Sets everything up, then runs the demo (network namespaces, a real firewall, a real client and server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The Node setup chose, if the system's is too old.
source scripts/supported-node.sh
exec node_modules/.bin/tsx --conditions=source demo/run.ts "$@"
