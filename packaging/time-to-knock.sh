#!/usr/bin/env bash
# Times each install path from nothing installed to an open port: the executables, or the .debs.
# Usage: packaging/time-to-knock.sh binary|deb   (root; after scripts/build-artifacts.sh --x64-only).
# The daemon runs in a throwaway network namespace, never on this machine's firewall. The deb path
# installs into this machine's root filesystem and purges again; it refuses if spa is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
path=${1:?binary or deb}
root=$PWD
id=ttk$$
work=$(mktemp -d)
pid=
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  ip netns del "$id-s" 2>/dev/null || true
  ip netns del "$id-c" 2>/dev/null || true
  if [ "$path" = deb ]; then dpkg -P spa-server spa-client >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$id-s"
ip netns add "$id-c"
ip link add "$id-a" netns "$id-s" type veth peer name eth0 netns "$id-c"
ip -n "$id-s" link set "$id-a" name eth0
ip -n "$id-s" addr add 10.99.0.1/24 dev eth0
ip -n "$id-c" addr add 10.99.0.2/24 dev eth0
for ns in "$id-s" "$id-c"; do ip -n "$ns" link set eth0 up; ip -n "$ns" link set lo up; done
listener=$(bash scripts/node24.sh x64)
ip netns exec "$id-s" "$listener" packages/test-kit/src/agents/tcp-service.mjs 2222 >/dev/null &
service=$!

start=$(date +%s%N)
case "$path" in
binary)
  install -m 0755 dist/spa-server-linux-x64 "$work/spa-server"
  install -m 0755 dist/spa-client-linux-x64 "$work/spa-client"
  server=$work/spa-server client=$work/spa-client etc=$work
  "$server" keygen --out "$etc/server.key" >/dev/null
  ;;
deb)
  if dpkg-query -W spa-server >/dev/null 2>&1 || getent passwd spa >/dev/null; then echo "spa is installed already" >&2; exit 1; fi
  dpkg -i dist/spa-server_*_amd64.deb dist/spa-client_*_amd64.deb >/dev/null
  server=/usr/bin/spa-server client=/usr/bin/spa-client etc=/etc/spa
  ;;
esac
pub=$("$client" keygen --out "$work/alice.key")
"$listener" -e '
const [file, pub, state] = process.argv.slice(1);
const fs = require("node:fs");
const c = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { serverKeyFile: "server.key" };
Object.assign(c, { stateDir: state, services: { ssh: "tcp/2222" }, clients: [{ name: "alice", publicKey: pub, services: ["ssh"] }] });
delete c.authorizedKeysFile;
fs.writeFileSync(file, JSON.stringify(c, null, 2));
' "$etc/server.json" "$pub" "$work/state"
"$server" check --config "$etc/server.json" >/dev/null
ip netns exec "$id-s" "$server" --config "$etc/server.json" >/dev/null &
pid=$!
serverkey=$("$server" client-config alice --host 10.99.0.1 --config "$etc/server.json" |
  "$listener" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s)).match(/spa-x25519:[A-Za-z0-9_-]+/)[0]))')
until ip netns exec "$id-s" nft list table inet spa >/dev/null 2>&1; do sleep 0.05; done
ip netns exec "$id-c" "$client" open tcp/2222 --host 10.99.0.1 --server-key "$serverkey" --key "$work/alice.key" --wait >/dev/null
end=$(date +%s%N)
kill "$service"
echo "$path: $(((end - start) / 1000000)) ms from nothing installed to an open port"
