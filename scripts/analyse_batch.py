"""Rule analyse_batch: reports for one batch of samples, then the batch's summary rows (tracked output)."""

import argparse
import gc
import json
import logging
import sys
import tempfile
from datetime import date
from pathlib import Path

GC_YOUNG = 50_000  # container objects allocated between young collections (Python's default: 700)

# Cyclic garbage collection tuned for the batch, from its first import on: young collections every GC_YOUNG
# allocations. The imports, the gene cache and the tables live to the end, and a batch makes ~30 objects per
# record that live until their VCF is done, so at Python's default most collections found nothing (85 ms of a
# 125-sample batch, 10 ms after; the imports' own ~80 collections: ~12 ms per job).
gc.set_threshold(GC_YOUNG, 20, 20)

import hshpipe  # noqa: E402 (after the collector's setting)
from hshpipe.cli import log_arg, run  # noqa: E402


def main() -> None:
    from hshpipe.curation import CuratedTable
    from hshpipe.evidence import EvidenceSources
    from hshpipe.outputs import atomic_write
    from hshpipe.pedigree import load_pedigree
    from hshpipe.pipeline import RunContext, run_batch
    from hshpipe.reference import GeneCache
    from hshpipe.samplesheet import make_batches, read_sample_sheet
    from hshpipe.settings import Thresholds
    from hshpipe.vocab import FAILED

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--settings", required=True, help="JSON: thresholds and config digest")
    ap.add_argument("--sheet", required=True)
    ap.add_argument("--batch", required=True, type=int)
    ap.add_argument("--batch-size", required=True, type=int)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--curated", required=True, help="the checked curated table (rule curated_table)")
    ap.add_argument("--clinvar", default="")
    ap.add_argument("--pedigree", default="", help="PED file (else the sheet's family columns, if any)")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    # which package (and so which transcript models, schemas, templates) this job runs: the workflow's own
    logging.info("hshpipe %s from %s", hshpipe.__version__, Path(hshpipe.__file__).parent)
    settings = json.loads(a.settings)
    sheet = read_sample_sheet(a.sheet)
    pedigree = load_pedigree(a.pedigree or None, sheet, a.sheet)
    rows = make_batches(sheet, a.batch_size, pedigree.family_ids())[a.batch]
    cache = GeneCache.load(a.cache)
    table = CuratedTable.from_json(Path(a.curated).read_text())
    # bcftools norm reads the user's reference directly; a VCF with the other chromosome naming gets a
    # region FASTA of its own naming, written once per batch (see pipeline.region_fasta_for)
    fastas = {cache.contig: cache.reference}
    th = Thresholds(**settings["thresholds"])
    # population / predictor files: their TRPM6 region read once for the batch (an unusable file fails here,
    # before any report); the pipeline asks `sources.evidence(variant, consequences)` per allele
    sources = EvidenceSources.open(settings.get("evidence") or {}, cache)
    with tempfile.TemporaryDirectory(prefix="hsh.") as tmp:
        ctx = RunContext(
            cache=cache,
            region_fastas=fastas,
            curated=table.compile(cache, a.clinvar or None),
            thresholds=th,
            outdir=Path(a.outdir),
            config_sha256=settings["config_sha256"],
            tmpdir=Path(tmp),
            evidence=sources,
            pedigree=pedigree if pedigree.members else None,
            identity=settings.get("input_identity") or "auto",
        )
        gc.freeze()  # what is loaded by now (modules, gene cache, tables) lives to the end: out of every collection
        summary = run_batch(rows, ctx, generated_on=date.today().isoformat())
    failed = [r for r in summary if r["verdict"] == FAILED]
    for r in failed:  # the run fails at its end (rule run_status), after the summary lists these samples
        logging.error("sample %s: no report: %s", r["sample"], r["failure_reason"])
    logging.info("batch %d: %d samples reported, %d failed", a.batch, len(summary) - len(failed), len(failed))
    atomic_write(Path(a.out), "".join(json.dumps(r, sort_keys=True) + "\n" for r in summary))


if __name__ == "__main__":
    run(main, log_arg(sys.argv))
