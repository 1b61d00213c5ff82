#!/usr/bin/env bash
# Set up everything and run every test: lint, types, then pytest (unit, real builds,
# real SMTP on loopback, real Chromium). Extra arguments go to pytest, e.g. -k feeds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

ensure_system_packages() {
  # Real parts for the tests: Debian's Chromium (driven by Playwright, never `playwright install`) and
  # Dovecot (a real IMAP server for `tipsheet bounces --imap`), npm for axe-core. Installed when this runs as root.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
  [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
  command -v npm >/dev/null || missing+=(npm)  # installs axe-core for the accessibility scan
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Debian packages for the tests: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: missing ${missing[*]} and this is not root: install them (Debian packages), or the browser" \
         "and IMAP tests will fail" >&2
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

ensure_system_packages
ensure_venv test
ensure_node_packages
echo "==> ruff"; ruff check plugins tests bench
echo "==> mypy"; mypy
echo "==> pytest"; exec pytest "$@"
