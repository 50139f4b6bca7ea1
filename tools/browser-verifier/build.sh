#!/usr/bin/env bash
# Rebuilds sitegen/themes/default/static/vendor/ob3-proof.js and ob3-proof.LICENSES.txt from entry.js, the
# exact package versions of package-lock.json and the JSON-LD contexts of sitegen/openbadges/contexts/.
# Reproducible: the same inputs give the same bytes (no timestamps, no absolute paths, fixed esbuild options).
#   bash tools/browser-verifier/build.sh [OUTPUT_FOLDER]   (default: the theme's static/vendor/)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/sitegen/themes/default/static/vendor}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# Build in a scratch folder: node_modules never lands in the work tree, and nothing of it can leak in.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/entry.js" "$here/bundle-meta.mjs" "$work/"
cd "$work"
# --ignore-scripts: esbuild runs from its platform package without its install script.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# The contexts, read from the files sitegen itself loads, under the URLs sitegen/openbadges/jsonld.py maps.
node bundle-meta.mjs contexts "$root/sitegen/openbadges/jsonld.py" "$root/sitegen/openbadges/contexts" \
  > contexts.generated.js

node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --platform=browser --target=es2018 \
  --legal-comments=none --charset=ascii --metafile=meta.json --log-level=warning --outfile=ob3-proof.js

# The licences of every package the bundle holds (esbuild's metafile names them) and of the contexts.
node bundle-meta.mjs licences meta.json package-lock.json "$root/sitegen/openbadges/contexts/SOURCES.md" \
  > ob3-proof.LICENSES.txt

cp ob3-proof.js ob3-proof.LICENSES.txt "$out/"
echo "ob3-proof.js: $(wc -c < ob3-proof.js) bytes, $(gzip -9n < ob3-proof.js | wc -c) gzipped"
(cd "$out" && sha256sum ob3-proof.js ob3-proof.LICENSES.txt)
