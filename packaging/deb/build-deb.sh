#!/usr/bin/env bash
# Builds the spa-server or spa-client .deb around a single-file executable, with dpkg-deb (root-owned files).
# Usage: build-deb.sh NAME ARCH BINARY OUTDIR   (NAME spa-server|spa-client, ARCH x64|arm64). Prints the .deb's path.
set -euo pipefail
name=$1 arch=$2 binary=$3 outdir=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=$(node -p "require('$root/packages/$name/package.json').version")
case "$arch" in x64) debarch=amd64 ;; arm64) debarch=arm64 ;; *) echo "build-deb: unknown arch $arch" >&2; exit 2 ;; esac
node_license=$(dirname "$(bash "$root/scripts/node24.sh" "$arch")")/../LICENSE

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg
# dpkg-deb takes modes from the tree: a umask of 022 whatever the caller's.
umask 022
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/doc/$name"
install -m 0755 "$binary" "$pkg/usr/bin/$name"

# What npm's Node 24 links against (objdump -T: GLIBC_2.28, GLIBCXX_3.4.21, GCC_3.4).
libs='libc6 (>= 2.28), libgcc-s1 (>= 3.4), libstdc++6 (>= 5)'

case "$name" in
spa-server)
  description='Single Packet Authorization server (nftables/iptables)
 spa-server keeps ports closed to every address until an authorized client
 sends one Ed25519-signed UDP datagram; then it opens that port for that
 address only, with a kernel-side timeout. It never answers a datagram.
 .
 This package ships a self-contained executable (Node.js 24 with the
 application inside), a hardened systemd unit running as the "spa" user
 with CAP_NET_ADMIN only, and an example /etc/spa/server.json.'
  depends="$libs, adduser, nftables | iptables"
  install -d "$pkg/etc/spa" "$pkg/lib/systemd/system"
  install -m 0644 "$here/spa-server/server.json" "$pkg/etc/spa/server.json"
  sed -e 's#/usr/local/bin/spa-server#/usr/bin/spa-server#g' \
    -e 's/^User=spa-server$/User=spa/' -e 's/^Group=spa-server$/Group=spa/' \
    -e 's/^StateDirectory=spa-server$/StateDirectory=spa/' \
    -e 's#^\# /etc/spa (server.json, server.key owned by spa-server, mode 0600) and /var/lib/spa-server.$#\# /etc/spa (server.json; server.key owned by spa, mode 0600) and /var/lib/spa.#' \
    -e 's#^Documentation=.*#Documentation=file:/usr/share/doc/spa-server/README.Debian#' \
    -e '1s#.*#\# spa-server (Debian package): Single Packet Authorization daemon. See /usr/share/doc/spa-server/README.Debian.#' \
    "$root/packages/spa-server/systemd/spa-server.service" >"$pkg/lib/systemd/system/spa-server.service"
  chmod 0644 "$pkg/lib/systemd/system/spa-server.service"
  # Every file under /etc is a conffile: dpkg keeps the admin's edits across upgrades.
  echo /etc/spa/server.json >"$pkg/DEBIAN/conffiles"
  for script in postinst prerm postrm; do install -m 0755 "$here/spa-server/$script" "$pkg/DEBIAN/$script"; done
  install -m 0644 "$here/spa-server/README.Debian" "$pkg/usr/share/doc/$name/README.Debian"
  ;;
spa-client)
  description='Single Packet Authorization client
 spa-client sends one Ed25519-signed, encrypted UDP datagram to an spa-server,
 which then opens the requested port for this address only, for a limited
 time. It can also wait until the port is open, and work as an SSH ProxyCommand.
 .
 This package ships a self-contained executable (Node.js 24 with the
 application inside).'
  depends=$libs
  ;;
*) echo "build-deb: unknown package $name" >&2; exit 2 ;;
esac

{
  echo 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'
  echo "Upstream-Name: $name"
  echo
  echo 'Files: *'
  echo 'Copyright: 2026 spa-suite contributors'
  echo 'License: Expat'
  echo
  echo "Files: usr/bin/$name"
  echo 'Copyright: Node.js contributors. All rights reserved.'
  echo 'License: Node.js'
  echo ' The executable embeds Node.js 24 (npm package node-linux-*, MIT). The licences'
  echo " of Node.js and of the components it bundles (OpenSSL, ICU, V8, zlib, ...) are"
  echo " in /usr/share/doc/$name/LICENSE.nodejs.gz; the Apache 2.0 licence is also in"
  echo ' /usr/share/common-licenses/Apache-2.0.'
  echo
  echo 'License: Expat'
  echo ' Permission is hereby granted, free of charge, to any person obtaining a copy'
  echo ' of this software and associated documentation files (the "Software"), to deal'
  echo ' in the Software without restriction, including without limitation the rights'
  echo ' to use, copy, modify, merge, publish, distribute, sublicense, and/or sell'
  echo ' copies of the Software, and to permit persons to whom the Software is'
  echo ' furnished to do so, subject to the following conditions:'
  echo ' .'
  echo ' The above copyright notice and this permission notice shall be included in'
  echo ' all copies or substantial portions of the Software.'
  echo ' .'
  echo ' THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR'
  echo ' IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,'
  echo ' FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE'
  echo ' AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER'
  echo ' LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,'
  echo ' OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE'
  echo ' SOFTWARE.'
} >"$pkg/usr/share/doc/$name/copyright"
gzip -9n <"$node_license" >"$pkg/usr/share/doc/$name/LICENSE.nodejs.gz"
# The executable is Node itself, which carries its own zlib, brotli, OpenSSL... (the point of a
# single file), and is built by Node's release process, not Debian's (no PIE there).
install -d "$pkg/usr/share/lintian/overrides"
printf '%s: %s\n' "$name" 'embedded-library zlib [usr/bin/'"$name"']' "$name" 'hardening-no-pie [usr/bin/'"$name"']' \
  >"$pkg/usr/share/lintian/overrides/$name"

# A native package's changelog; the date is the last commit's, so rebuilding gives the same file.
date=$(git -C "$root" log -1 --format=%cD 2>/dev/null || date -R)
printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- spa-suite maintainers <spa-suite@users.noreply.github.com>  %s\n' \
  "$name" "$version" "$version" "$date" | gzip -9n >"$pkg/usr/share/doc/$name/changelog.gz"

size=$(du -k -s --exclude=DEBIAN "$pkg" | cut -f1)
{
  echo "Package: $name"
  echo "Version: $version"
  echo "Architecture: $debarch"
  echo 'Maintainer: spa-suite maintainers <spa-suite@users.noreply.github.com>'
  echo "Installed-Size: $size"
  echo "Depends: $depends"
  echo 'Section: net'
  echo 'Priority: optional'
  echo 'Homepage: https://github.com/spa-suite/spa-suite'
  echo "Description: $description"
} >"$pkg/DEBIAN/control"

out=$outdir/${name}_${version}_${debarch}.deb
# gzip: xz would save about a third of the download but takes minutes per package.
dpkg-deb --root-owner-group -Zgzip --build "$pkg" "$out" >/dev/null
echo "$out"
