#!/usr/bin/env bash
# Set up .venv/ if needed and run the pipeline (default: the bundled demo, config/config.yaml).
# Extra arguments go to snakemake, e.g. ./run_demo.sh --configfile run.yaml --cores 8
set -euo pipefail
cd "$(dirname "$0")"
tools/bootstrap.sh
exec .venv/bin/snakemake "$@"
