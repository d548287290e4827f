"""Rule review_apply: apply the review file's decisions to the run's reports, keep versions, print PDFs.

Also usable directly (the documented equivalent of `snakemake review`):
    python scripts/review.py --outdir results --review results/review.tsv
"""

import argparse
import sys
from datetime import date
from pathlib import Path

from hshpipe.cli import log_arg, run


def main() -> None:
    from hshpipe.pdf import find_chromium
    from hshpipe.review_run import run_review, write_state

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--outdir", required=True, help="the run's output folder (holds samples/)")
    ap.add_argument("--review", help="review file (default: <outdir>/review.tsv)")
    ap.add_argument("--today", help="YYYY-MM-DD (default: today): render date, and no decision may be later")
    ap.add_argument("--no-pdf", action="store_true", help="do not print PDFs")
    ap.add_argument("--state", help="review_state.tsv to write (default: <outdir>/review_state.tsv)")
    ap.add_argument("--rows", help="summary rows to write (default: <outdir>/batches/review.jsonl)")
    ap.add_argument("--log")
    a = ap.parse_args()
    outdir = Path(a.outdir)
    today = date.fromisoformat(a.today) if a.today else date.today()
    chromium = None if a.no_pdf else find_chromium()
    rows = run_review(outdir, Path(a.review or outdir / "review.tsv"), today, chromium)
    write_state(rows, Path(a.state or outdir / "review_state.tsv"), Path(a.rows or outdir / "batches/review.jsonl"))


if __name__ == "__main__":
    run(main, log_arg(sys.argv))
