"""Shared fixtures: the synthetic stand-in references and gene caches, VCF writing helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# CI sets CI=true: there a missing external tool (an oracle peer, a simulator, the browser) is a failure,
# because a skipped oracle test guards nothing. Locally such tests skip and say what to install.
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_tool(available: bool, what: str) -> None:
    """Skip (locally) or fail (CI=true) the calling test when `what` is not available."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is not available, and CI=true: a missing peer fails instead of skipping", pytrace=False)
    pytest.skip(f"{what} is not available (CI=true makes this a failure)")


REF38 = ROOT / "resources/demo/reference/GRCh38_synthetic_chr9.fa.gz"
REF37 = ROOT / "resources/demo/reference/GRCh37_synthetic_9.fa.gz"


@pytest.fixture(scope="session")
def cache38():
    from hshpipe.reference import build_gene_cache

    return build_gene_cache(REF38)


@pytest.fixture(scope="session")
def cache37():
    from hshpipe.reference import build_gene_cache

    return build_gene_cache(REF37)


def make_ann(
    consequences=("missense_variant",),
    *,
    hgvs_c=None,
    hgvs_p=None,
    protein_start=None,
    protein_end=None,
    ref_aa=None,
    alt_aa=None,
    exon=None,
    exons_affected=(),
):
    """A hand-made Annotation for tests of the curation/classification logic (impact is not used there)."""
    from hshpipe.consequence import Annotation

    return Annotation(
        consequences=tuple(consequences),
        impact="MODERATE",
        hgvs_g="",
        hgvs_c=hgvs_c,
        hgvs_p=hgvs_p,
        exon=exon,
        intron=None,
        protein_start=protein_start,
        protein_end=protein_end if protein_end is not None else protein_start,
        ref_aa=ref_aa,
        alt_aa=alt_aa,
        exons_affected=tuple(exons_affected),
    )


def codon_variant(cache, codon: int, new_codon: str):
    """The smallest Variant that turns codon `codon` (1-based, CDS) into `new_codon` (transcript strand; the
    TRPM6 transcript is on the minus strand, so the genomic alleles are reverse-complemented)."""
    from hshpipe.model import CPos, Variant
    from hshpipe.reference import revcomp

    t = cache.transcript
    gs = [t.genomic_of_c(CPos(3 * codon - 2 + k)) for k in range(3)]
    lo, hi = min(gs), max(gs)
    ref, alt, pos = cache.fetch(lo, hi), revcomp(new_codon), lo
    while len(ref) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    while len(ref) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    return Variant(cache.contig, pos, ref, alt)


VCF_HEADER = """##fileformat=VCFv4.2
##contig=<ID={contig},length={length}>
##FILTER=<ID=LowQual,Description="Low quality">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">
##INFO=<ID=END,Number=1,Type=Integer,Description="End">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">
##ALT=<ID=DEL,Description="Deletion">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=PS,Number=1,Type=Integer,Description="Phase set">
##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum DP in block">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{samples}
"""


def write_vcf(
    path: Path,
    records: list[str],
    samples=("S1",),
    contig="chr9",
    length=138_394_717,
    compress: bool = False,
    index: bool = False,
) -> Path:
    """Write a VCF from tab-separated record lines (use '\\t' or spaces replaced by tabs)."""
    text = VCF_HEADER.format(contig=contig, length=length, samples="\t".join(samples))
    text += "".join("\t".join(r.split()) + "\n" for r in records)
    plain = path if not compress else path.with_suffix("")
    plain.write_text(text)
    if compress:
        import pysam

        pysam.tabix_compress(str(plain), str(path), force=True)
        plain.unlink()
        if index:
            pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


@pytest.fixture(scope="session")
def ctx_factory(cache38, tmp_path_factory):
    from hshpipe.curation import load_curated_table
    from hshpipe.pipeline import RunContext, Thresholds
    from hshpipe.reference import write_region_fasta

    d = tmp_path_factory.mktemp("fa")
    fastas = {c: str(write_region_fasta(cache38, d / f"r.{c}.fa.gz", c)) for c in ("chr9", "9")}
    table = load_curated_table(ROOT / "resources/curated/hsh_variants.tsv").compile(cache38)

    def make(tmp: Path) -> RunContext:
        (tmp / "tmp").mkdir(exist_ok=True)
        return RunContext(
            cache=cache38,
            region_fastas=dict(fastas),
            curated=table,
            thresholds=Thresholds(),
            outdir=tmp / "out",
            config_sha256="0" * 64,
            tmpdir=tmp / "tmp",
        )

    return make


def run_inprocess(tmp: Path, ctx_factory, sheet: str) -> dict[str, dict]:
    """Analyse a sheet in-process; returns the reports by sample."""
    import json

    from hshpipe.pipeline import run_batch
    from hshpipe.samplesheet import read_sample_sheet

    p = tmp / "samples.tsv"
    p.write_text(sheet)
    rows = read_sample_sheet(p)
    ctx = ctx_factory(tmp)
    summary = run_batch(rows, ctx, "2026-01-01")
    failed = [r["failure_reason"] for r in summary if r["verdict"] == "failed"]
    if failed:  # a sample with no report: raise its reason, as a run would stop with it
        from hshpipe.errors import InputError

        raise InputError(failed[0])
    return {
        r.sample: json.loads((ctx.outdir / "samples" / r.sample / f"{r.sample}.report.json").read_text()) for r in rows
    }


@pytest.fixture(scope="session")
def demo_summary_rows(ctx_factory, tmp_path_factory) -> list[dict]:
    """The run summary rows of the bundled demo (config/samples.tsv), analysed in-process: real rows."""
    from hshpipe.pipeline import run_batch
    from hshpipe.samplesheet import read_sample_sheet

    tmp = tmp_path_factory.mktemp("demo-run")
    rows = run_batch(read_sample_sheet(ROOT / "config/samples.tsv", base=ROOT), ctx_factory(tmp), "2026-01-01")
    assert len(rows) == 11 and not [r for r in rows if r["verdict"] == "failed"]
    return rows


def replicated_rows(rows: list[dict], n: int) -> list[dict]:
    """`n` summary rows: `rows` repeated, each copy with a new sample id X<i>-<id> (sorted order = i)."""
    from hshpipe.report import report_href

    out = []
    for i in range(n):
        r = dict(rows[i % len(rows)])
        r["sample"] = f"X{i:05d}-{r['sample']}"
        r["report_html"] = report_href(r["sample"])
        out.append(r)
    return out
