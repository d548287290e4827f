#!/usr/bin/env bash
# Create/refresh the project's virtual environment (.venv/) from pyproject.toml (the one place pins live):
# the package (editable) with its test tools, and the biocommons hgvs oracle where psycopg2 can be built.
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
extras="test,deploy"
command -v pg_config >/dev/null 2>&1 && extras="test,deploy,oracle"
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1) $extras"
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$want" ]; then
  echo "Setting up .venv/ with $("$PY" --version) (once; about a minute) ..." >&2
  [ "$extras" = test,deploy ] && echo "NOTE: the hgvs test oracle is left out (psycopg2 needs pg_config to build; Debian: apt-get \
install libpq-dev gcc python3-dev); its tests skip here and fail under CI=true" >&2
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  # the pipeline's own package (scripts/hshpipe), editable: rules, tests and tools import it from here
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
  echo "$want" > .venv/.requirements.sha256
fi
