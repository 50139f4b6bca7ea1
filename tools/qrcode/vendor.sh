#!/usr/bin/env bash
# Vendors qrcode-generator (Kazuhiko Arase, MIT) into the theme: sitegen/themes/default/static/vendor/qrcode.js,
# the package's dist/qrcode.js unchanged, and qrcode.LICENSE.txt. Award pages draw the QR codes they show only
# with their script (the other language's address, the signed credential's) with it, in the browser.
# Reproducible: one pinned version, checked against the registry's integrity hash and the file's own hash.
#   bash tools/qrcode/vendor.sh [OUTPUT_FOLDER]   (default: the theme's static/vendor/)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/sitegen/themes/default/static/vendor}"
version="2.0.4"
integrity="sha512-mZSiP6RnbHl4xL2Ap5HfkjLnmxfKcPWpWe/c+5XxCuetEenqmNFf1FH/ftXPCtFG5/TDobjsjz6sSNL0Sr8Z9g=="
file_sha256="79ec86f82856005b1c887905cfccfcfbec3821ca61c7fd5a952faa5f778f791c"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack "qrcode-generator@$version" --silent >/dev/null
tarball="qrcode-generator-$version.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
[ "$got" = "$integrity" ] || { echo "integrity mismatch: $got" >&2; exit 1; }
tar xzf "$tarball" package/dist/qrcode.js
echo "$file_sha256  package/dist/qrcode.js" | sha256sum -c --quiet
mkdir -p "$out"
cp package/dist/qrcode.js "$out/qrcode.js"
cp "$here/LICENSE.txt" "$out/qrcode.LICENSE.txt"
echo "qrcode.js $version: $(wc -c < "$out/qrcode.js") bytes"
