#!/usr/bin/env bash
# Build the sample site into site/ (strict: any warning fails), or serve it while you write.
#   bash scripts/site.sh            build
#   bash scripts/site.sh serve      preview at http://127.0.0.1:8000/ with live reload
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv ""
case "${1:-build}" in
  build) shift || true; exec mkdocs build --strict "$@" ;;
  serve) shift; exec mkdocs serve "$@" ;;
  *) echo "usage: bash scripts/site.sh [build|serve] [mkdocs options]" >&2; exit 2 ;;
esac
