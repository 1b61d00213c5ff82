# Sourced by scripts/site.sh and scripts/test.sh: make .venv and install the pinned dependencies.
# Re-installs only when constraints.txt or pyproject.toml changed since the last install.
set -euo pipefail

PYTHON="${PYTHON:-python3}"
VENV="${TIPSHEET_VENV:-.venv}"

ensure_venv() {
  local extras="$1" stamp want target="."
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "tipsheet needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)" >&2
    exit 2
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  stamp="$VENV/.tipsheet-installed"
  want="$extras $(cat constraints.txt pyproject.toml | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> installing pinned dependencies into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3" 2>&1 | grep -v "^WARNING: Location" || true
    [ -n "$extras" ] && target=".[$extras]"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$target" 2>&1 \
      | grep -v "^WARNING: Location" || true
    "$VENV/bin/python" -c "import tipsheet, mkdocs, material, feedgen" || { echo "dependency install failed" >&2; exit 2; }
    echo "$want" > "$stamp"
  fi
  export PATH="$PWD/$VENV/bin:$PATH"
  # Material prints a banner about MkDocs 2 on every run; tipsheet pins mkdocs<2.
  export NO_MKDOCS_2_WARNING=1
}
