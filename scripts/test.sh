#!/usr/bin/env bash
# Set up everything and run every test: lint, types, then pytest (unit, real builds,
# real SMTP on loopback, real Chromium). Extra arguments go to pytest, e.g. -k feeds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

ensure_chromium() {
  # Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Debian's chromium (browser tests)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  else
    echo "warning: /usr/bin/chromium is missing and this is not root: install Debian's 'chromium' package," \
         "or the browser tests will fail" >&2
  fi
}

ensure_node_packages() {
  # axe-core for the accessibility scan, pinned by tests/browser/package-lock.json.
  [ -f tests/browser/package-lock.json ] || return 0
  if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    echo "==> installing axe-core (npm ci)"
    (cd tests/browser && npm ci --no-audit --no-fund --silent)
  fi
}

ensure_chromium
ensure_venv test
ensure_node_packages
echo "==> ruff"; ruff check plugins tests bench
echo "==> mypy"; mypy
echo "==> pytest"; exec pytest "$@"
