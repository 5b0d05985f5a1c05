#!/usr/bin/env bash
# Sets everything up, then runs every check: lint, import rules, types, unit tests (Node 20 and 24), and the kernel tests in namespaces.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
# The Node setup chose, if the system's is too old.
source scripts/supported-node.sh

rm -rf reports && mkdir -p reports
results=()
step() { # step NAME CMD...: runs a check, records its exit code
  local name=$1; shift
  echo "== $name"
  "$@"; local rc=$?
  results+=("check:$name=$rc")
}
vitest() { # vitest REPORT NODE ARGS...
  local report=$1 node=$2; shift 2
  "$node" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@"
}

step lint pnpm exec biome ci .
step deps pnpm run --silent lint:deps
step typecheck pnpm run --silent typecheck
echo "== unit tests (Node $(node --version), with coverage)"
vitest reports/unit-node20.json node --project unit --coverage
node24=$(bash scripts/node24.sh) || node24=
if [ -n "$node24" ]; then
  echo "== unit tests (Node $("$node24" --version))"
  vitest reports/unit-node24.json "$node24" --project unit
else
  echo "could not install Node 24" >&2
  results+=("check:node24-install=1")
fi
echo "== end-to-end tests (network namespaces, real kernel firewall)"
vitest reports/e2e.json node --project e2e

echo
node scripts/count-results.mjs "${results[@]}" reports/unit-node20.json reports/unit-node24.json reports/e2e.json
