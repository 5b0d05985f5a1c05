# Sourced by setup.sh, test.sh and demo.sh: when `node` is missing or older than 20.19 (Debian 12 has 18),
# puts Node 24 LTS from the npm registry (.node24/, scripts/node24.sh) first on PATH for the caller.
# shellcheck shell=bash
node_is_supported() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if ! node_is_supported; then
  echo "setup: Node >= 20.19 is required (found $(node --version 2>/dev/null || echo none)): using Node 24 in .node24/" >&2
  spa_node24=$(bash "$(dirname "${BASH_SOURCE[0]}")/node24.sh") || { echo "setup: could not install Node 24" >&2; exit 1; }
  PATH="$(dirname "$spa_node24"):$PATH"
  export PATH
  node_is_supported || { echo "setup: $spa_node24 is not a supported Node" >&2; exit 1; }
fi
