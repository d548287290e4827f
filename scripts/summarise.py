"""Rule summary: run summary TSV + HTML from the batches' rows."""

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from hshpipe.cli import log_arg, run


def main() -> None:
    from hshpipe.outputs import write_summary

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tsv", required=True)
    ap.add_argument("--html", required=True)
    ap.add_argument("--log")
    ap.add_argument("rows", nargs="+")
    a = ap.parse_args()
    rows: dict[str, dict] = {}  # a later file's row for a sample replaces an earlier one (review rows come last)
    for f in a.rows:
        for line in Path(f).read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["sample"]] = row
    write_summary(list(rows.values()), Path(a.tsv), Path(a.html), date.today().isoformat())


if __name__ == "__main__":
    run(main, log_arg(sys.argv))
