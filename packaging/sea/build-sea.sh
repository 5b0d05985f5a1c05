#!/usr/bin/env bash
# Builds one single-file executable: Node 24 for ARCH (npm's node-linux-ARCH) with MAIN.cjs injected as its SEA blob.
# Usage: build-sea.sh MAIN.cjs ARCH OUTFILE [WARM.cjs]. Prints "code-cache", "warm-code-cache" or "no-code-cache" (why on stderr).
#   WARM.cjs  makes a code cache of MAIN after a typical run (`node WARM.cjs MAIN CACHE_OUT`); the executable
#             then starts through sea-main.cjs, with MAIN and that cache as assets (see sea-main.cjs)
set -euo pipefail
main=$1 arch=$2 out=$3 warm=${4:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
node=$(bash "$root/scripts/node24.sh" "$arch")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The code cache in the blob is V8 bytecode for the CPU it was made on, so the blob must be made by
# the target's own Node: natively for x64 here, under qemu-user for arm64 (with Debian's arm64
# cross libraries as the library root, so no foreign dpkg architecture is needed).
cache=true
run=("$node")
if [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ]; then
  sysroot=/usr/aarch64-linux-gnu
  if command -v qemu-aarch64-static >/dev/null && [ -e "$sysroot/lib/ld-linux-aarch64.so.1" ]; then
    run=(qemu-aarch64-static -L "$sysroot" "$node")
  else
    echo "build-sea: no qemu-aarch64-static or arm64 libraries: $out gets no code cache" >&2
    cache=false
    run=("$(bash "$root/scripts/node24.sh" x64)")
  fi
fi

if [ -n "$warm" ] && [ "$cache" = true ]; then
  "${run[@]}" "$warm" "$main" "$work/cli.cache" >/dev/null
  cat >"$work/sea-config.json" <<JSON
{ "main": "$root/packaging/sea/sea-main.cjs", "output": "$work/blob", "disableExperimentalSEAWarning": true,
  "useCodeCache": true, "assets": { "cli.cjs": "$main", "cli.cache": "$work/cli.cache" } }
JSON
elif [ -n "$warm" ]; then
  cat >"$work/sea-config.json" <<JSON
{ "main": "$root/packaging/sea/sea-main.cjs", "output": "$work/blob", "disableExperimentalSEAWarning": true,
  "useCodeCache": false, "assets": { "cli.cjs": "$main" } }
JSON
else
  cat >"$work/sea-config.json" <<JSON
{ "main": "$main", "output": "$work/blob", "disableExperimentalSEAWarning": true, "useCodeCache": $cache }
JSON
fi
"${run[@]}" --experimental-sea-config "$work/sea-config.json" >/dev/null

cp "$node" "$work/exe"
chmod u+w "$work/exe"
# npm's Node carries debug info (~18 MB); strip before injecting, since strip would drop the blob's note.
strip_tool=strip
[ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ] && strip_tool=aarch64-linux-gnu-strip
if command -v "$strip_tool" >/dev/null; then
  "$strip_tool" "$work/exe"
else
  echo "build-sea: no $strip_tool: $out keeps its debug info" >&2
fi
# postject prints a warning per ELF note it cannot name; they are harmless and drown real errors.
"$root/node_modules/.bin/postject" "$work/exe" NODE_SEA_BLOB "$work/blob" \
  --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >"$work/postject.log" 2>&1 ||
  { cat "$work/postject.log" >&2; exit 1; }
mv "$work/exe" "$out"
chmod 0755 "$out"
if [ "$cache" != true ]; then echo no-code-cache; elif [ -n "$warm" ]; then echo warm-code-cache; else echo code-cache; fi
