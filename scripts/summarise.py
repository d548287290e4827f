"""Rule summary: run summary TSV + HTML from the batches' rows."""

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from hshpipe.cli import log_arg, run


def main() -> None:
    from hshpipe.errors import InputError
    from hshpipe.vocab import FAILED

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tsv")
    ap.add_argument("--html")
    ap.add_argument("--status", help="only check: fail when a sample failed, else write this file")
    ap.add_argument("--log")
    ap.add_argument("rows", nargs="+")
    a = ap.parse_args()
    rows: dict[str, dict] = {}  # a later file's row for a sample replaces an earlier one (review rows come last)
    for f in a.rows:
        for line in Path(f).read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["sample"]] = row  # a reviewed row (review step) replaces the pipeline's
    if a.status:  # rule run_status: the run fails when a sample failed (its summary is already written)
        failed = [r for r in rows.values() if r["verdict"] == FAILED]
        if failed:
            raise InputError(
                f"{len(failed)} sample(s) failed and have no report (listed in summary.tsv with verdict failed):\n"
                + "\n".join(f"sample {r['sample']}: {r.get('failure_reason')}" for r in failed)
            )
        # the last job of a run, on its critical path: no report modules to import for one line (snakemake
        # removes the file of a job that fails, so it needs no atomic write)
        Path(a.status).write_text(f"ok: {len(rows)} samples reported\n")
        return
    from hshpipe.outputs import write_summary

    write_summary(list(rows.values()), Path(a.tsv), Path(a.html), date.today().isoformat())


if __name__ == "__main__":
    run(main, log_arg(sys.argv))
