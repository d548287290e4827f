"""Throughput of annotate() vs bcftools csq (pysam) on the oracle variant set over the GRCh38 stand-in.

Usage: .venv/bin/python benchmarks/bench_annotation.py [--subset N] [--repeat R]
Prints variants/s for each and their ratio. csq runs in a fresh interpreter (its static state does not
survive repeated in-process calls); only the csq call itself is timed there, GFF parsing included.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the oracle helpers live with the tests

from oracle.annotation_files import write_gff3  # noqa: E402
from oracle.peers import normalise  # noqa: E402
from oracle.variant_set import generate, write_vcf  # noqa: E402

from hshpipe.consequence import _GENES, annotate  # noqa: E402
from hshpipe.model import Variant  # noqa: E402
from hshpipe.reference import build_gene_cache  # noqa: E402

CSQ_CHILD = """
import sys, time
from pysam import bcftools
t0 = time.perf_counter()
out = bcftools.csq("-f", sys.argv[1], "-g", sys.argv[2], "-l", "-n", "64", sys.argv[3])
dt = time.perf_counter() - t0
n = sum(1 for l in out.splitlines() if l and not l.startswith("#"))
print(n, dt)
"""


def main(argv: list[str]) -> None:
    subset = int(argv[argv.index("--subset") + 1]) if "--subset" in argv else None
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    cache = build_gene_cache(ROOT / "resources/demo/reference/GRCh38_synthetic_chr9.fa.gz")
    with tempfile.TemporaryDirectory() as d:
        wd = Path(d)
        recs = normalise(generate(cache, subset=subset), cache, wd)
        variants = [Variant(cache.contig, p, r, a) for p, r, a in recs]
        best = float("inf")
        for _ in range(repeat):
            _GENES.clear()  # include the one-off per-cache set-up in every round
            t0 = time.perf_counter()
            for v in variants:
                annotate(v, cache)
            best = min(best, time.perf_counter() - t0)
        ours = len(variants) / best
        gff = write_gff3(cache.transcript, wd / "t.gff3")
        vcf = write_vcf(recs, cache.contig, wd / "in.vcf")
        csq_best = float("inf")
        for _ in range(repeat):
            out = subprocess.run(
                [sys.executable, "-c", CSQ_CHILD, cache.reference, str(gff), str(vcf)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            assert int(out[0]) == len(recs)
            csq_best = min(csq_best, float(out[1]))
        csq = len(recs) / csq_best
    print(f"variants: {len(recs)}")
    print(f"annotate():   {ours:10.0f} variants/s  ({best:.3f} s)")
    print(f"bcftools csq: {csq:10.0f} variants/s  ({csq_best:.3f} s)")
    print(f"ratio annotate/csq: {ours / csq:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
