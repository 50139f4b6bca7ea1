#!/usr/bin/env bash
# What the browser tests need besides Python packages: Debian's Chromium (driven by Playwright, never a
# browser download) and axe-core from the npm registry, kept in ~/.cache/sitegen-test.
# Without them those tests are skipped with the reason; CI runs this first.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "install Chromium (Debian: sudo apt-get install chromium) to run the browser tests" >&2
  fi
fi
cache="${SITEGEN_TEST_CACHE:-$HOME/.cache/sitegen-test}"
if [ ! -f "$cache/node_modules/axe-core/axe.min.js" ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$cache"
    (cd "$cache" && npm install --no-audit --no-fund --loglevel=error axe-core@4.14.1 >/dev/null)
  else
    echo "install Node.js/npm to fetch axe-core for the accessibility tests" >&2
  fi
fi
echo "browser tests: chromium $(command -v chromium || echo missing), axe-core ${cache}/node_modules/axe-core"
