"""Rule summary: run summary TSV + HTML from the batches' rows."""

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from hshpipe.cli import log_arg, run


def main() -> None:
    from hshpipe.pipeline import atomic_write
    from hshpipe.report import summary_html, summary_tsv

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tsv", required=True)
    ap.add_argument("--html", required=True)
    ap.add_argument("--log")
    ap.add_argument("rows", nargs="+")
    a = ap.parse_args()
    rows = []
    for f in a.rows:
        rows.extend(json.loads(l) for l in Path(f).read_text().splitlines() if l.strip())
    synthetic = any(r.get("synthetic_reference") for r in rows)
    atomic_write(Path(a.tsv), summary_tsv(rows))
    atomic_write(Path(a.html), summary_html(rows, date.today().isoformat(), synthetic))


if __name__ == "__main__":
    run(main, log_arg(sys.argv))
