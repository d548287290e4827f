"""Rule curated_table: check the curated table once (schema, notation) and write it as JSON for the batch jobs."""

import argparse
import logging
import sys
from pathlib import Path

from hshpipe.cli import log_arg, run


def main() -> None:
    from hshpipe.curation import load_curated_table
    from hshpipe.outputs import atomic_write

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--table", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    table = load_curated_table(a.table)
    logging.info("curated table %s: version %s, %d entries checked", a.table, table.version, len(table.entries))
    atomic_write(Path(a.out), table.to_json())


if __name__ == "__main__":
    run(main, log_arg(sys.argv))
