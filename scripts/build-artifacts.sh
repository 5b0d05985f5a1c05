#!/usr/bin/env bash
# Builds every release artifact into dist/: single-file executables (linux-x64, linux-arm64), .debs, SHA256SUMS.
# Run after scripts/setup.sh (node_modules installed). Usage: build-artifacts.sh [--x64-only] [--if-stale]
#   --x64-only  skip arm64 (minutes under qemu-user)
#   --if-stale  do nothing when dist/SHA256SUMS is newer than every source and packaging file (tests use this)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
arches=(x64 arm64)
if_stale=false
for arg in "$@"; do
  case "$arg" in
  --x64-only) arches=(x64) ;;
  --if-stale) if_stale=true ;;
  *) echo "build-artifacts: unknown option $arg" >&2; exit 64 ;;
  esac
done
if [ "$if_stale" = true ] && [ -e dist/SHA256SUMS ] && [ -e dist/spa-server-linux-x64 ] &&
  [ -z "$(find packages/*/src packaging/sea packaging/deb scripts/bundle.mjs scripts/build-artifacts.sh -type f -newer dist/SHA256SUMS | head -1)" ]; then
  exit 0
fi

started=$(date +%s.%N)
rm -rf dist
mkdir -p dist dist/.work
trap 'rm -rf "$root/dist/.work"' EXIT
notes=dist/BUILD-NOTES.txt
: >"$notes"

# 1. Each CLI as one CommonJS file, the main script of its single executable.
for name in spa-server spa-client; do
  node scripts/bundle.mjs "$name" --sea "dist/.work/$name.cjs"
done

# 2. Single-file executables: Node 24 (npm's node-linux-ARCH) with the bundle and its code cache.
for arch in "${arches[@]}"; do
  for name in spa-server spa-client; do
    out=dist/$name-linux-$arch
    # The client's cache is taken after a dry-run knock, so it covers the functions a knock runs.
    warm=()
    [ "$name" = spa-client ] && warm=("$root/packaging/sea/warm-client.cjs")
    cache=$(bash packaging/sea/build-sea.sh "$root/dist/.work/$name.cjs" "$arch" "$out" "${warm[@]}")
    echo "$name-linux-$arch: $cache" >>"$notes"
  done
done
# Whether the arm64 executables ran here (under qemu-user) or were only built.
if printf '%s\n' "${arches[@]}" | grep -qx arm64; then
  if command -v qemu-aarch64-static >/dev/null &&
    qemu-aarch64-static -L /usr/aarch64-linux-gnu dist/spa-client-linux-arm64 --version >/dev/null 2>&1; then
    echo "arm64: ran --version under qemu-aarch64-static" >>"$notes"
  else
    echo "arm64: built, not run" >>"$notes"
  fi
fi

# 3. Debian packages around the executables.
for arch in "${arches[@]}"; do
  for name in spa-server spa-client; do
    bash packaging/deb/build-deb.sh "$name" "$arch" "dist/$name-linux-$arch" dist >/dev/null
  done
done

# 4. npm tarballs and the GitHub Action (scripts/build-npm.mjs, scripts/build-action.mjs).
# The tarballs go beside the executables; the action's bundle is committed, so it is only checked.
node scripts/build-npm.mjs dist --no-build
node scripts/build-action.mjs --check

# 5. Checksums of everything above, in the format `sha256sum -c` reads.
(cd dist && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name BUILD-NOTES.txt -printf '%f\n' | sort |
  xargs sha256sum >SHA256SUMS)
# SHA256SUMS dates the build by its start: a source changed while it ran makes the next --if-stale rebuild.
touch -d "@$started" dist/SHA256SUMS
ls -l dist
