#!/usr/bin/env bash
# Create/refresh the project's virtual environment (.venv/) from requirements.txt (the one place pins live).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))'; then
      PY="$cand"; break
    fi
  done
fi
[ -n "$PY" ] || { echo "ERROR: Python 3.11 or newer is needed (python3.11 not found); install it and rerun" >&2; exit 1; }
want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$want" ]; then
  echo "Setting up .venv/ with $("$PY" --version) (once; about a minute) ..." >&2
  command -v pg_config >/dev/null 2>&1 || echo "NOTE: hgvs (a pinned test dependency) needs psycopg2, built from source: \
install pg_config and a C compiler first (Debian: apt-get install libpq-dev gcc python3-dev)" >&2
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  # the pipeline's own package (scripts/hshpipe), editable: rules, tests and tools import it from here
  .venv/bin/python -m pip install --quiet --no-deps -e .
  echo "$want" > .venv/.requirements.sha256
fi
