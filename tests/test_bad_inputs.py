"""Bad-input corpus: every case gives a one-line error naming the file/sample and what to do, or a documented
handling (docs/inputs.md) whose report says what happened. None gives a traceback or a negative-looking report
by accident. Cases are built from the demo's real caller output (bcftools, FreeBayes) plus hand-made edits."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REF37, ROOT, write_vcf
from conftest import run_inprocess as run

from hshpipe.errors import InputError
from hshpipe.model import CPos

DEMO = ROOT / "resources/demo/vcf"
HSH01 = DEMO / "HSH01.bcftools.vcf.gz"  # homozygous c.4287C>A, real bcftools output


def snv(cache, exon_index=15, offset=10, alt=None):
    pos = cache.transcript.exons[exon_index].start + offset
    ref = cache.fetch(pos, pos)
    return pos, ref, alt or ("A" if ref != "A" else "C")


def lof(cache):
    """A stop_gained SNV on the stand-in: codon 700 (Arg, CGA on the stand-in? we search for any codon that a
    single change turns into a stop)."""
    from hshpipe.reference import revcomp

    t = cache.transcript
    for codon in range(100, 2000):
        gs = [t.genomic_of_c(CPos(3 * codon - 2 + k)) for k in range(3)]
        bases = "".join(revcomp(cache.fetch(g, g)) for g in gs)
        for k in range(3):
            for b in "AGT":
                new = bases[:k] + b + bases[k + 1 :]
                if new in ("TAA", "TAG", "TGA") and bases != new:
                    comp = {"A": "T", "C": "G", "G": "C", "T": "A"}
                    return gs[k], comp[bases[k]], comp[b]
    raise AssertionError("no stop-creating SNV found")


# --- cases that must stop with a clear, one-line error ---------------------------------------------------------


def _truncated(tmp, cache):
    data = HSH01.read_bytes()
    p = tmp / "trunc.vcf.gz"
    p.write_bytes(data[: len(data) // 2])
    return p


def _not_vcf(tmp, cache):
    p = tmp / "notes.vcf"
    p.write_text("this is a word document\n")
    return p


def _empty(tmp, cache):
    p = tmp / "empty.vcf"
    p.write_text("")
    return p


def _header_only(tmp, cache):
    return write_vcf(tmp / "header_only.vcf", [])


def _bare_vcf(path: Path, text: str) -> Path:
    """A hand-written VCF: `text` (column header and records) after the file format and contig lines only."""
    path.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr9,length=138394717>\n" + text)
    return path


def _sites_only(tmp, cache):
    pos, ref, alt = snv(cache)
    return _bare_vcf(
        tmp / "sites.vcf",
        f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr9\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t.\n",
    )


def _no_gt(tmp, cache):
    pos, ref, alt = snv(cache)
    return write_vcf(tmp / "nogt.vcf", [f"chr9 {pos} . {ref} {alt} 50 PASS . DP 30"]).parent / "nogt.vcf"


def _no_gt_header(tmp, cache):
    pos, ref, alt = snv(cache)
    return _bare_vcf(
        tmp / "nogt.vcf",
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
        f"chr9\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t.\tDP\t30\n",
    )


def _build_mismatch_header(tmp, cache):
    pos, ref, alt = snv(cache)
    return write_vcf(tmp / "grch37_header.vcf", [f"chr9 {pos} . {ref} {alt} 50 PASS . GT 0/1"], length=141_213_431)


def _build_mismatch_refs(tmp, cache):
    # GRCh37 VCF (real bcftools output) without contig lengths, read against the GRCh38 reference
    src = DEMO / "HSH01.GRCh37.bcftools.vcf.gz"
    lines = [l for l in gzip.open(src, "rt") if not l.startswith("##contig")]
    # move the records onto GRCh38 naming at the same (GRCh37) positions: REFs will disagree
    text = "".join(l.replace("9\t", "chr9\t", 1) if not l.startswith("#") else l for l in lines)
    # pad with records at GRCh38 TRPM6 positions that carry wrong REFs
    t = cache.transcript
    extra = []
    for k in range(5):
        pos = t.exons[20 + k].start + 5
        ref = cache.fetch(pos, pos)
        wrong = "C" if ref != "C" else "G"
        extra.append(f"chr9\t{pos}\t.\t{wrong}\tT\t50\tPASS\t.\tGT\t0/1\n")
    p = tmp / "refs_mismatch.vcf"
    head = [l for l in text.splitlines(True) if l.startswith("#")]
    p.write_text("".join(head) + "".join(sorted(extra, key=lambda l: int(l.split("\t")[1]))))
    return p


def _no_chr9(tmp, cache):
    return write_vcf(tmp / "chr1only.vcf", ["chr1 1000 . A C 50 PASS . GT 0/1"], contig="chr1", length=248_956_422)


def _other_chr9_length(tmp, cache):
    return write_vcf(tmp / "hg_other.vcf", ["chr9 1000 . A C 50 PASS . GT 0/1"], length=138_000_000)


ERROR_CASES: dict[str, tuple[Callable, str, str]] = {
    # id: (builder, sheet extra columns, regex the one-line message must match)
    "truncated_bgzip": (_truncated, "", r"trunc\.vcf\.gz: .*(truncat|damaged|bcftools norm failed|cannot)"),
    "not_a_vcf": (_not_vcf, "", r"notes\.vcf: not a VCF"),
    "empty_file": (_empty, "", r"empty\.vcf: VCF is empty"),
    "header_only": (_header_only, "", r"header_only\.vcf: the VCF has a header but no records at all"),
    "no_sample_columns": (_sites_only, "", r"no column 'S1' in .*sites\.vcf .*no genotype columns"),
    "no_gt_field": (_no_gt_header, "", r"nogt\.vcf: the VCF has sample columns but no GT"),
    "build_mismatch_header": (_build_mismatch_header, "", r"grch37_header\.vcf: the VCF is GRCh37 .*GRCh38"),
    "build_mismatch_ref_alleles": (
        _build_mismatch_refs,
        "",
        r"refs_mismatch\.vcf: REF alleles disagree with the reference",
    ),
    "no_chromosome_9": (_no_chr9, "", r"chr1only\.vcf: no chromosome 9"),
    "chr9_of_unknown_length": (_other_chr9_length, "", r"hg_other\.vcf: header contig chr9 has length 138,000,000"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_error_cases(case, cache38, ctx_factory, tmp_path):
    build, _, pattern = ERROR_CASES[case]
    vcf = build(tmp_path, cache38)
    with pytest.raises(InputError) as exc:
        run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")
    msg = str(exc.value)
    assert "\n" not in msg and len(msg) < 600
    import re

    assert re.search(pattern, msg), msg
    assert not (tmp_path / "out/samples/S1/S1.report.json").exists()


def test_vcf_sample_absent(cache38, ctx_factory, tmp_path):
    pos, ref, alt = snv(cache38)
    vcf = write_vcf(tmp_path / "two.vcf", [f"chr9 {pos} . {ref} {alt} 50 PASS . GT 0/1 0/0"], samples=("A", "B"))
    with pytest.raises(
        InputError,
        match=r"sample sheet line 2: sample S1: no column 'NA12878' in .*two\.vcf "
        r"\(columns: A, B\); set `vcf_sample`",
    ):
        run(tmp_path, ctx_factory, f"sample\tvcf\tvcf_sample\nS1\t{vcf}\tNA12878\n")


# --- cases with a documented handling -------------------------------------------------------------------------


def test_numeric_contig_vcf_is_harmonised_and_reported_on_its_naming(cache38, ctx_factory, tmp_path):
    pos, ref, alt = lof(cache38)
    vcf = write_vcf(tmp_path / "n.vcf", [f"9 {pos} . {ref} {alt} 50 PASS . GT:DP:GQ 1/1:30:60"], contig="9")
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert rep["verdict"] == "biallelic"
    assert rep["variants"][0]["chrom"] == "9" and "stop_gained" in rep["variants"][0]["consequence"]


def test_single_ref_mismatch_is_listed_not_annotated(cache38, ctx_factory, tmp_path):
    pos, ref, alt = snv(cache38)
    wrong = "G" if ref != "G" else "T"
    p2, r2, a2 = snv(cache38, 16)
    p3, r3, a3 = snv(cache38, 17)
    p4, r4, a4 = snv(cache38, 18)
    vcf = write_vcf(
        tmp_path / "onebad.vcf",
        [
            f"chr9 {p} . {r} {a} 50 PASS . GT 0/1"
            for p, r, a in sorted(
                [(pos, wrong, alt if alt != wrong else "T"), (p2, r2, a2), (p3, r3, a3), (p4, r4, a4)]
            )
        ],
    )
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    reasons = [f["reason"] for f in rep["filtered"]]
    assert any("does not match the reference" in r for r in reasons)
    assert len(rep["variants"]) == 3


@pytest.mark.parametrize("variant", ["unindexed_bgzip", "plain_gzip", "stale_index", "crlf", "unsorted", "bcf"])
def test_container_variants_give_the_same_report(variant, cache38, ctx_factory, tmp_path):
    """The same real bcftools calls, packaged differently, give the same verdict and variants."""
    text = gzip.open(HSH01, "rt").read()
    if variant == "unindexed_bgzip":
        vcf = tmp_path / "x.vcf.gz"
        shutil.copy(HSH01, vcf)
    elif variant == "plain_gzip":
        vcf = tmp_path / "x.vcf.gz"
        with gzip.open(vcf, "wt") as fh:
            fh.write(text)
    elif variant == "stale_index":
        vcf = tmp_path / "x.vcf.gz"
        shutil.copy(HSH01, vcf)
        shutil.copy(str(HSH01) + ".tbi", str(vcf) + ".tbi")
        import os

        os.utime(str(vcf) + ".tbi", (1, 1))
    elif variant == "crlf":
        vcf = tmp_path / "x.vcf"
        vcf.write_bytes(text.replace("\n", "\r\n").encode())
    elif variant == "unsorted":
        vcf = tmp_path / "x.vcf"
        head = [l for l in text.splitlines(True) if l.startswith("#")]
        body = [l for l in text.splitlines(True) if not l.startswith("#")]
        vcf.write_text("".join(head) + "".join(reversed(body)))
    else:
        from pysam import bcftools

        vcf = tmp_path / "x.bcf"
        bcftools.view("-Ob", "-o", str(vcf), str(HSH01), catch_stdout=False)
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nHSH01\t{vcf}\n")["HSH01"]
    (tmp_path / "ref").mkdir()
    ref = run(tmp_path / "ref", ctx_factory, f"sample\tvcf\nHSH01\t{HSH01}\n")["HSH01"]
    assert rep["verdict"] == ref["verdict"] == "biallelic"
    assert [v["hgvs_c"] for v in rep["variants"]] == [v["hgvs_c"] for v in ref["variants"]]


def test_duplicate_records_reported_once(cache38, ctx_factory, tmp_path):
    pos, ref, alt = lof(cache38)
    rec = f"chr9 {pos} . {ref} {alt} 50 PASS . GT:DP:GQ 0/1:30:60"
    vcf = write_vcf(tmp_path / "dup.vcf", [rec, rec])
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert len(rep["variants"]) == 1 and rep["verdict"] == "monoallelic"
    assert [f["reason"] for f in rep["filtered"]] == [
        "duplicate of an earlier record with the same allele; reported once"
    ]


def test_huge_info_field(cache38, ctx_factory, tmp_path):
    pos, ref, alt = lof(cache38)
    vcf = tmp_path / "huge.vcf"
    write_vcf(vcf, [f"chr9 {pos} . {ref} {alt} 50 PASS DP=30 GT:DP:GQ 1/1:30:60"])
    text = vcf.read_text().replace("DP=30", "DP=30;BLOB=" + "x" * 1_000_000)
    text = text.replace(
        "##FORMAT=<ID=GT", '##INFO=<ID=BLOB,Number=1,Type=String,Description="big">\n##FORMAT=<ID=GT', 1
    )
    vcf.write_text(text)
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert rep["verdict"] == "biallelic"


def test_all_genotypes_missing_is_inconclusive(cache38, ctx_factory, tmp_path):
    pos, ref, alt = lof(cache38)
    vcf = write_vcf(tmp_path / "miss.vcf", [f"chr9 {pos} . {ref} {alt} 50 PASS . GT ./."])
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert rep["verdict"] == "inconclusive"
    assert rep["filtered"][0]["reason"].startswith("no genotype call")


def test_records_only_outside_trpm6_is_negative_with_a_note(cache38, ctx_factory, tmp_path):
    vcf = write_vcf(tmp_path / "far.vcf", ["chr9 1000 . N A 50 PASS . GT 0/1"])
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert rep["verdict"] == "negative"
    assert any("no records in the TRPM6 region" in n for n in rep["verdict_notes"])
    assert "not assessed" in rep["verdict_text"].lower()


def test_symbolic_and_unbounded_sv_alleles_are_listed(cache38, ctx_factory, tmp_path):
    pos, ref, _ = snv(cache38)
    vcf = write_vcf(
        tmp_path / "sv.vcf",
        [
            f"chr9 {pos} . {ref} <INV> 50 PASS SVTYPE=INV;END={pos + 500} GT 0/1",
            f"chr9 {pos + 1} . {cache38.fetch(pos + 1, pos + 1)} <DEL> 50 PASS SVTYPE=DEL GT 0/1",
        ],
    )
    text = vcf.read_text().replace("##ALT=<ID=DEL", '##ALT=<ID=INV,Description="Inversion">\n##ALT=<ID=DEL', 1)
    vcf.write_text(text)
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    reasons = sorted(f["reason"] for f in rep["filtered"])
    assert len(reasons) == 2 and rep["variants"] == []
    assert any("<INV>" in r or "INV" in r for r in reasons) and any("without END or SVLEN" in r for r in reasons)
    assert rep["verdict"] == "negative"


def test_haploid_call_is_flagged(cache38, ctx_factory, tmp_path):
    pos, ref, alt = lof(cache38)
    vcf = write_vcf(tmp_path / "hap.vcf", [f"chr9 {pos} . {ref} {alt} 50 PASS . GT:DP:GQ 1:30:60"])
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert "haploid genotype" in rep["variants"][0]["qc_flags"]


def test_multiallelic_1_2_splits_into_two_hets(cache38, ctx_factory, tmp_path):
    pos, ref, _ = snv(cache38)
    alts = [b for b in "ACGT" if b != ref][:2]
    vcf = write_vcf(
        tmp_path / "multi.vcf", [f"chr9 {pos} . {ref} {alts[0]},{alts[1]} 50 PASS . GT:AD:DP:GQ 1/2:0,12,14:26:60"]
    )
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert [(v["genotype"], v["zygosity"]) for v in rep["variants"]] == [
        ("1/.", "heterozygous"),
        ("./1", "heterozygous"),
    ]
    assert all(v["original"]["alt"] == ",".join(alts) for v in rep["variants"])


def test_xss_payload_in_vcf_sample_and_info(cache38, ctx_factory, tmp_path):
    pos, ref, alt = lof(cache38)
    vcf = write_vcf(
        tmp_path / "x.vcf",
        [f"chr9 {pos} . {ref} {alt} 50 PASS DP=3 GT:DP:GQ 1/1:30:60"],
        samples=("<script>alert(1)</script>",),
    )
    text = vcf.read_text().replace("DP=3", 'TYPE="onmouseover="alert(1)')
    text = text.replace("##FORMAT=<ID=GT", '##INFO=<ID=TYPE,Number=1,Type=String,Description="t">\n##FORMAT=<ID=GT', 1)
    vcf.write_text(text)
    rep = run(tmp_path, ctx_factory, "sample\tvcf\tvcf_sample\nS1\t%s\t<script>alert(1)</script>\n" % vcf)["S1"]
    html = (tmp_path / "out/samples/S1/S1.report.html").read_text()
    assert rep["vcf_sample"] == "<script>alert(1)</script>"
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert '"onmouseover="' not in html


# --- the same errors seen by a user on the command line: one line, no traceback --------------------------------


def snakemake(tmp: Path, *config: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1", "--config", f"outdir={tmp / 'out'}", *config]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def snakemake_sheet(tmp: Path, sheet: str) -> subprocess.CompletedProcess:
    """The workflow on a sample sheet with this text."""
    s = tmp / "s.tsv"
    s.write_text(sheet)
    return snakemake(tmp, f"samples={s}")


CLI_CASES = {
    "unknown_config_key": (["colour=blue"], r"Additional properties are not allowed \('colour' was unexpected\)"),
    "bad_genome_build": (["genome_build=hg19"], r"'hg19' is not one of \['auto', 'GRCh38', 'GRCh37'\]"),
    "missing_reference": (
        ["reference=/nonexistent/ref.fa"],
        r"ERROR: config: reference: /nonexistent/ref\.fa not found",
    ),
    "missing_sheet": (["samples=/nonexistent/s.tsv"], r"ERROR: /nonexistent/s\.tsv: sample sheet not found"),
    "wrong_build_reference": (
        [f"reference={REF37}", "genome_build=GRCh38"],
        r"ERROR: .*GRCh37_synthetic_9\.fa\.gz: genome_build is GRCh38 but contig 9 has the GRCh37 length",
    ),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_config_errors(case, tmp_path):
    args, pattern = CLI_CASES[case]
    p = snakemake(tmp_path, *args)
    assert p.returncode != 0
    import re

    assert re.search(pattern, p.stderr + p.stdout), (p.stderr + p.stdout)[-2000:]
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize(
    "sheet,pattern",
    [
        ("sample\tvcf\nS/1\tx.vcf\n", r"line 2: sample id 'S/1' may only hold"),
        ("sample\tvcf\nS1\t/nonexistent.vcf\n", r"line 2: sample S1: vcf file /nonexistent\.vcf not found"),
    ],
)
def test_cli_sheet_errors(sheet, pattern, tmp_path):
    p = snakemake_sheet(tmp_path, sheet)
    import re

    assert p.returncode != 0 and re.search(pattern, p.stderr), p.stderr[-2000:]
    assert "Traceback" not in p.stderr


def not_a_vcf(tmp: Path) -> Path:
    bad = tmp / "notes.vcf"
    bad.write_text("not a vcf\n")
    return bad


def test_cli_bad_vcf_fails_the_job_with_the_message(tmp_path):
    bad = not_a_vcf(tmp_path)
    p = snakemake_sheet(tmp_path, f"sample\tvcf\nS1\t{bad}\n")
    assert p.returncode != 0
    assert f"sample S1: {bad}: not a VCF" in p.stderr, p.stderr[-3000:]
    assert not list((tmp_path / "out").glob("samples/*/*.report.json"))
    summary = (tmp_path / "out/summary.tsv").read_text().splitlines()  # written before the run fails
    row = dict(zip(summary[0].split("\t"), summary[1].split("\t")))
    assert row["verdict"] == "failed" and f"{bad}: not a VCF" in row["failure_reason"]


def test_cli_one_bad_vcf_costs_nobody_else_their_report(tmp_path):
    """Isolation: the bad sample (sheet line 2) fails with its reason; the good one after it is reported."""
    bad = not_a_vcf(tmp_path)
    p = snakemake_sheet(tmp_path, f"sample\tvcf\nBAD\t{bad}\nHSH01\t{HSH01}\n")
    assert p.returncode != 0 and f"sample BAD: {bad}: not a VCF" in p.stderr
    assert (tmp_path / "out/samples/HSH01/HSH01.report.json").exists()
    rows = [l.split("\t") for l in (tmp_path / "out/summary.tsv").read_text().splitlines()[1:]]
    assert sorted((r[0], r[2]) for r in rows) == [("BAD", "failed"), ("HSH01", "biallelic")]


def test_refseq_contig_naming_is_harmonised(cache38, ctx_factory, tmp_path):
    """A VCF on NC_000009.12 against a `chr9` reference: normalised against a region FASTA of its own naming."""
    pos, ref, alt = lof(cache38)
    vcf = write_vcf(
        tmp_path / "nc.vcf", [f"NC_000009.12 {pos} . {ref} {alt} 50 PASS . GT:DP:GQ 0/1:30:60"], contig="NC_000009.12"
    )
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert rep["verdict"] == "monoallelic"
    assert rep["variants"][0]["chrom"] == "NC_000009.12" and "stop_gained" in rep["variants"][0]["consequence"]


def test_csi_index_is_used(cache38, ctx_factory, tmp_path):
    import pysam

    vcf = tmp_path / "c.vcf.gz"
    shutil.copy(HSH01, vcf)
    pysam.tabix_index(str(vcf), preset="vcf", csi=True, force=True)
    assert Path(str(vcf) + ".csi").exists() and not Path(str(vcf) + ".tbi").exists()
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nHSH01\t{vcf}\n")["HSH01"]
    assert rep["verdict"] == "biallelic"


@pytest.mark.parametrize("indexed", [False, True])
def test_whole_gene_deletion_starting_upstream_is_reported(indexed, cache38, ctx_factory, tmp_path):
    """A <DEL> from 50 kb upstream to 50 kb downstream starts outside the fetched region but removes TRPM6."""
    t = cache38.transcript
    start, end = t.start - 50_000, t.end + 50_000
    vcf = write_vcf(
        tmp_path / ("d.vcf.gz" if indexed else "d.vcf"),
        [f"chr9 {start} . N <DEL> 50 PASS SVTYPE=DEL;END={end} GT 0/1"],
        compress=indexed,
        index=indexed,
    )
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    (v,) = rep["variants"]
    assert v["consequence"] == ["transcript_ablation"] and v["classification"] == "likely_pathogenic"
    assert rep["verdict"] == "monoallelic"


def test_spanning_deletion_allele_is_listed(cache38, ctx_factory, tmp_path):
    """A GATK `*` allele (the site lies inside a deletion reported at its own record) is listed as filtered."""
    pos, ref, alt = snv(cache38)
    vcf = write_vcf(tmp_path / "star.vcf", [f"chr9 {pos} . {ref} {alt},* 50 PASS . GT:DP:GQ 1/2:30:60"])
    rep = run(tmp_path, ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]
    assert [v["alt"] for v in rep["variants"]] == [alt]
    assert [f["alt"] for f in rep["filtered"]] == ["*"] and "spanning deletion" in rep["filtered"][0]["reason"]
