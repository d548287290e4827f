"""End to end: snakemake on the bundled demo (real caller output), both builds, checked against the planted truth."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
pytestmark = pytest.mark.integration


def run_snakemake(outdir: Path, *extra: str, configfile: str = "config/config.yaml") -> subprocess.CompletedProcess:
    cmd = [*SNAKEMAKE, "--cores", "2", "--configfile", configfile, "--config", f"outdir={outdir}", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def truth(build: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with open(ROOT / "resources/demo/truth.tsv") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["build"] == build:
                out.setdefault(row["sample"], []).append(row)
    return out


@pytest.fixture(scope="module")
def demo38(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo38") / "results"
    p = run_snakemake(out)
    assert p.returncode == 0, p.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def demo37(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo37") / "results"
    p = run_snakemake(out, configfile="config/config.grch37.yaml")
    assert p.returncode == 0, p.stderr[-3000:]
    return out


def load_report(outdir: Path, sample: str) -> dict:
    return json.loads((outdir / "samples" / sample / f"{sample}.report.json").read_text())


SAMPLE_SHEETS = {"GRCh38": "config/samples.tsv", "GRCh37": "config/samples.grch37.tsv"}


def _caller(vcf: Path) -> str:
    import pysam

    with pysam.VariantFile(str(vcf)) as f:
        header = str(f.header).lower()
    if "##source=freebayes" in header:
        return "freebayes"
    return "bcftools" if "##bcftools_callcommand" in header else "unknown"


def _p_names(text: str) -> set[str]:
    return {m.replace("(", "").replace(")", "") for m in re.findall(r"p\.\(?[A-Z][a-z]{2}\d+[A-Za-z=]*\)?", text)}


def check_against_truth(outdir: Path, build: str) -> None:
    """Every row and every column of resources/demo/truth.tsv against the run's reports and summary."""
    expected = truth(build)
    with open(ROOT / SAMPLE_SHEETS[build]) as fh:
        sheet = {r["sample"]: r for r in csv.DictReader(fh, delimiter="\t")}
    with open(outdir / "summary.tsv") as fh:
        summary = {r["sample"]: r for r in csv.DictReader(fh, delimiter="\t")}
    # every sheet sample has truth rows, except the demo trio (checked by test_demo_trio with its pedigree)
    trio = {s for s, r in sheet.items() if r.get("family")}
    assert set(expected) == set(sheet) - trio and set(sheet) <= set(summary)
    for sample, rows in expected.items():
        rep = load_report(outdir, sample)
        # sample-level columns: the same for every row of the sample
        for col in ("build", "vcf", "vcf_sample", "expected_verdict", "verdict_reason"):
            assert len({t[col] for t in rows}) == 1, (sample, col)
        t0 = rows[0]
        assert rep["sample"] == sample and rep["genome_build"] == t0["build"] == build
        assert rep["transcript"] == "NM_017662.5"
        assert t0["vcf"] == sheet[sample]["vcf"] and t0["vcf_sample"] == sheet[sample]["vcf_sample"]
        assert rep["vcf_sample"] == (t0["vcf_sample"] or sample)
        assert rep["verdict"] == summary[sample]["verdict"] == t0["expected_verdict"], (sample, rep["verdict_text"])
        # variants the verdict reason may name: the planted (likely) pathogenic and VUS alleles
        qualifying_rows = [t for t in rows if t["role"] in ("qualifying", "vus")]
        for name in re.findall(
            r"c\.[-*0-9+_]+[ACGT]>[ACGT]|c\.[-*0-9+_]+(?:del|dup|delins)[ACGT]*", t0["verdict_reason"]
        ):
            assert any(t["hgvs_c"].endswith(":" + name) for t in qualifying_rows), (sample, name)
        for name in _p_names(t0["verdict_reason"]):
            assert any(_p_names(t["hgvs_p"]) == {name} for t in qualifying_rows), (sample, name)
        # variant rows: called rows are reported with every column as in the table; uncalled ones are not
        by_key = {(v["chrom"], v["pos"], v["ref"], v["alt"]): v for v in rep["variants"]}
        for t in rows:
            key = (t["chrom"], int(t["pos"]), t["ref"], t["alt"])
            assert t["caller"] == _caller(ROOT / t["vcf"]), (sample, t["caller"])
            if not t["called_gt"]:
                assert key not in by_key, (sample, t["hgvs_c"], "not called in the VCF, yet reported")
                continue
            v = by_key.pop(key, None)
            assert v is not None, (sample, key, t["hgvs_c"], sorted(by_key))
            where = (sample, t["hgvs_c"])
            end = v["info"]["END"] if v["alt"].startswith("<") else v["pos"] + len(v["ref"]) - 1
            assert int(end) == int(t["end"]), where
            assert v["hgvs_c"] == t["hgvs_c"], where
            assert v["hgvs_p"] == (t["hgvs_p"] or None), (where, v["hgvs_p"])
            terms = t["consequence"].split(";")
            if v["alt"].startswith("<"):  # structural: the table lists the most severe term only
                assert v["consequence"][0] == terms[0] and set(terms) <= set(v["consequence"]), where
            else:
                assert set(v["consequence"]) == set(terms), (where, v["consequence"])
            assert v["zygosity"] == t["zygosity"] and v["genotype"] == t["called_gt"], where
            # role: a qualifying row is a (likely) pathogenic allele; it counts unless it fails QC
            planted_lof = t["role"] == "qualifying"
            assert (v["classification"] in ("pathogenic", "likely_pathogenic")) == planted_lof, (where, v)
            assert v["qualifying"] == (planted_lof and v["qc_pass"]), where
            note = t["note"]
            assert ("fails QC" in note) == (not v["qc_pass"] and planted_lof), where
            if "(benign)" in note:
                assert v["classification"] in ("benign", "likely_benign"), where
            if "uncertain significance" in note:
                assert v["classification"] == "uncertain_significance", where
            if note.startswith("curated") or "; curated" in note:
                assert v["curated_match"] is not None, where
            if "protein level" in note or "protein-level" in note:
                assert v["curated_match"]["level"] == "protein", where
            assert all(_p_names(v["hgvs_p"] or "") == {p} for p in _p_names(note)), where
        # calls that were not planted (caller artefacts, see resources/demo/README.md) must not carry the verdict
        assert not [v for v in by_key.values() if v["qualifying"]], (sample, sorted(by_key))


@pytest.mark.parametrize("build,fixture", [("GRCh38", "demo38"), ("GRCh37", "demo37")])
def test_verdicts_and_planted_variants(build, fixture, request):
    check_against_truth(request.getfixturevalue(fixture), build)


def test_reports_validate_against_the_published_schema(demo38):
    from hshpipe.report import validate_report

    reports = sorted((demo38 / "samples").glob("*/*.report.json"))
    assert len(reports) >= 6
    for p in reports:
        validate_report(json.loads(p.read_text()))
        html = p.with_name(p.name.replace(".json", ".html")).read_text()
        assert "NOT FOR CLINICAL USE" in html.upper()


def test_protein_level_match_for_s141l_by_another_codon(demo38):
    rep = load_report(demo38, "HSH06")
    s141 = [v for v in rep["variants"] if v["hgvs_p"] == "NP_060132.3:p.(Ser141Leu)"]
    assert s141 and s141[0]["curated_match"]["level"] == "protein"


def test_rerun_is_byte_identical(demo38, tmp_path):
    again = tmp_path / "results"
    p = run_snakemake(again)
    assert p.returncode == 0, p.stderr[-2000:]
    first = sorted(
        q.relative_to(demo38)
        for q in demo38.rglob("*")
        if q.suffix in (".json", ".tsv") and "benchmarks" not in q.parts
    )
    assert first
    for rel in first:
        assert (again / rel).read_bytes() == (demo38 / rel).read_bytes(), rel


def test_snakemake_lint_is_clean():
    p = subprocess.run([*SNAKEMAKE, "--lint"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and "Congratulations" in p.stdout + p.stderr, (p.stdout + p.stderr)[-3000:]


def test_snakemake_report_builds(demo38, tmp_path):
    out = tmp_path / "report.html"
    p = run_snakemake(demo38, f"--report={out}")
    assert p.returncode == 0, p.stderr[-3000:]
    text = out.read_text(errors="replace")
    assert "summary.html" in text and "summary.tsv" in text


def test_two_snvs_in_one_codon_are_one_protein_change(ctx_factory, tmp_path):
    """bcftools calls the planted S141L (TCT>CTT) as two homozygous SNVs: in cis, so one change, p.(Ser141Leu),
    matched to the curated entry at protein level (each SNV alone would be Ser141Phe / Ser141Pro)."""
    from conftest import run_inprocess

    vcf = ROOT / "resources/demo/vcf/HSH06.bcftools.vcf.gz"
    rep = run_inprocess(tmp_path, ctx_factory, f"sample\tvcf\nS\t{vcf}\n")["S"]
    pair = [v for v in rep["variants"] if v["haplotype"]]
    assert sorted(v["hgvs_p"] for v in pair) == ["NP_060132.3:p.(Ser141Phe)", "NP_060132.3:p.(Ser141Pro)"]
    assert {v["haplotype"]["hgvs_p"] for v in pair} == {"NP_060132.3:p.(Ser141Leu)"}
    # PS1 (same amino-acid change as curated S141L) alone is 4 points: uncertain significance, criteria shown
    assert all(
        v["classification"] == "uncertain_significance" and v["curated_match"]["level"] == "protein" for v in pair
    )
    assert all([c["code"] for c in v["criteria"]] == ["PS1"] and v["points"] == 4 for v in pair)
    assert rep["verdict"] == "uncertain" and "p.(Ser141Leu)" in rep["verdict_text"]  # homozygous VUS: review


@pytest.mark.parametrize(
    "gts,verdict",
    [
        (("0|1", "1|0"), "biallelic"),
        (("0|1", "0|1"), "monoallelic"),
        (("0/1", "0/1"), "possible_compound_heterozygous"),
    ],
)
def test_phase_decides_between_trans_and_cis(gts, verdict, cache38, ctx_factory, tmp_path):
    from conftest import run_inprocess, write_vcf
    from test_bad_inputs import lof

    from hshpipe.model import CPos
    from hshpipe.reference import revcomp

    pos1, ref1, alt1 = lof(cache38)
    # a second null allele: a canonical donor +1 change (G>A on the transcript strand) in intron 6; skipping
    # exon 6 (125 nt) shifts the frame with NMD: full PVS1 (an in-frame exon such as 20 would not qualify)
    g = cache38.transcript.genomic_of_c(CPos(int(cache38.transcript.c_pos(cache38.transcript.exons[5].start).base), 1))
    ref2 = cache38.fetch(g, g)
    alt2 = revcomp("A") if revcomp(ref2) == "G" else "A"
    recs = sorted([(pos1, ref1, alt1, gts[0]), (g, ref2, alt2, gts[1])])
    vcf = write_vcf(
        tmp_path / "ph.vcf", [f"chr9 {p} . {r} {a} 50 PASS . GT:DP:GQ:PS {gt}:30:60:100" for p, r, a, gt in recs]
    )
    rep = run_inprocess(tmp_path, ctx_factory, f"sample\tvcf\nS\t{vcf}\n")["S"]
    assert sum(v["qualifying"] for v in rep["variants"]) == 2, [v["consequence"] for v in rep["variants"]]
    assert rep["verdict"] == verdict, rep["verdict_text"]


def test_joint_vcf_of_2504_samples_reports_every_sample(cache38, ctx_factory, tmp_path):
    """A 1000-Genomes-sized joint call set (2,504 columns, synthetic genotypes over TRPM6): read once, every
    sample reported, genotypes taken from the right column (checked on planted carriers)."""
    import random

    from conftest import run_inprocess, write_vcf
    from test_bad_inputs import lof

    rng = random.Random(7)
    n = 2504
    samples = [f"NA{i:05d}" for i in range(n)]
    t = cache38.transcript
    records = []
    for k in range(60):  # background SNVs across the gene, HWE-ish genotypes
        pos = t.exons[k % 39].start - 100 - k  # intronic or downstream: benign background
        ref = cache38.fetch(pos, pos)
        alt = "A" if ref != "A" else "G"
        af = rng.choice((0.01, 0.05, 0.2, 0.5))
        gts = ["/".join(sorted("1" if rng.random() < af else "0" for _ in range(2))) + ":30:60" for _ in range(n)]
        records.append((pos, f"chr9 {pos} . {ref} {alt} 50 PASS . GT:DP:GQ " + " ".join(gts)))
    pos, ref, alt = lof(cache38)
    carriers = {17: "1/1", 1234: "0/1", 2503: "0/1"}
    gts = [carriers.get(i, "0/0") + ":30:60" for i in range(n)]
    records.append((pos, f"chr9 {pos} . {ref} {alt} 50 PASS . GT:DP:GQ " + " ".join(gts)))
    vcf = write_vcf(
        tmp_path / "cohort.vcf.gz", [r for _, r in sorted(records)], samples=tuple(samples), compress=True, index=True
    )
    # listed in another order than the VCF's columns
    order = list(reversed(range(n)))
    sheet = "sample\tvcf\tvcf_sample\n" + "".join(f"S{i}\t{vcf}\t{samples[i]}\n" for i in order)
    reports = run_inprocess(tmp_path, ctx_factory, sheet)
    assert len(reports) == n
    lof_hits = {s: [v["zygosity"] for v in r["variants"] if v["pos"] == pos] for s, r in reports.items()}
    assert {s: z for s, z in lof_hits.items() if z} == {
        "S17": ["homozygous"],
        "S1234": ["heterozygous"],
        "S2503": ["heterozygous"],
    }
    # two background SNVs are VUS (a missense, a polypyrimidine-tract change): a carrier of one of them next to
    # the heterozygous null allele is `uncertain` (the VUS could be the second allele), else `monoallelic`
    vus = [v for v in reports["S1234"]["variants"] if v["classification"] == "uncertain_significance"]
    assert reports["S17"]["verdict"] == "biallelic"
    assert reports["S1234"]["verdict"] == ("uncertain" if vus else "monoallelic")


def test_negative_on_too_little_coverage_is_inconclusive(cache38, ctx_factory, tmp_path):
    """HSH07's ~4x BAM behind a VCF with no qualifying variant: nothing can be excluded, so not `negative`."""
    from conftest import run_inprocess, write_vcf

    t = cache38.transcript
    pos = t.exons[5].start - 300  # deep intronic: likely benign
    ref = cache38.fetch(pos, pos)
    vcf = write_vcf(
        tmp_path / "v.vcf", [f"chr9 {pos} . {ref} {'A' if ref != 'A' else 'C'} 50 PASS . GT:DP:GQ 0/1:30:60"]
    )
    bam = ROOT / "resources/demo/bam/HSH07.bam"
    rep = run_inprocess(tmp_path, ctx_factory, f"sample\tvcf\talignments\nS\t{vcf}\t{bam}\n")["S"]
    assert rep["coverage"]["fraction_cds_at_threshold"] < 0.5
    assert rep["verdict"] == "inconclusive" and "could not be assessed" in rep["verdict_text"]
    good = ROOT / "resources/demo/bam/HSH04.bam"
    (tmp_path / "b").mkdir()
    rep = run_inprocess(tmp_path / "b", ctx_factory, f"sample\tvcf\talignments\nS\t{vcf}\t{good}\n")["S"]
    assert rep["verdict"] == "negative"


def test_frameshift_restored_in_cis_is_one_inframe_change(cache38, ctx_factory, tmp_path):
    """A 1-bp deletion and a 1-bp insertion 9 bp apart, phased on the same haplotype: together an in-frame
    change, not two null alleles; unphased they stay two frameshifts (possible compound heterozygous)."""
    from conftest import run_inprocess, write_vcf

    t = cache38.transcript
    e = t.exons[25]  # exon 26, 1,136 bp, coding
    d = e.start + 400
    i = d + 9
    del_rec = (d, cache38.fetch(d, d + 1), cache38.fetch(d, d))
    ins_rec = (i, cache38.fetch(i, i), cache38.fetch(i, i) + "A")
    for gts, phased_expect in ((("0|1", "0|1"), True), (("0/1", "0/1"), False)):
        recs = [
            f"chr9 {p} . {r} {a} 50 PASS . GT:DP:GQ:PS {gt}:30:60:7" for (p, r, a), gt in zip((del_rec, ins_rec), gts)
        ]
        sub = tmp_path / ("p" if phased_expect else "u")
        sub.mkdir()
        vcf = write_vcf(sub / "fs.vcf", recs)
        rep = run_inprocess(sub, ctx_factory, f"sample\tvcf\nS\t{vcf}\n")["S"]
        if phased_expect:
            assert all(v["haplotype"] for v in rep["variants"])
            hap = rep["variants"][0]["haplotype"]
            assert "frameshift_variant" not in hap["consequence"], hap
            assert not any(v["qualifying"] for v in rep["variants"])
            assert rep["verdict"] == "negative"
        else:
            assert all(v["haplotype"] is None for v in rep["variants"])
            assert rep["verdict"] == "possible_compound_heterozygous"


def test_runs_from_another_directory(tmp_path):
    """Users run `snakemake -s /path/to/Snakefile --configfile run.yaml` from their project folder."""
    (tmp_path / "s.tsv").write_text(f"sample\tvcf\nX\t{ROOT / 'resources/demo/vcf/HSH01.bcftools.vcf.gz'}\n")
    (tmp_path / "run.yaml").write_text(
        f"samples: s.tsv\nreference: {ROOT / 'resources/demo/reference/GRCh38_synthetic_chr9.fa.gz'}\noutdir: out\n"
    )
    p = subprocess.run(
        [*SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "--configfile", "run.yaml", "--cores", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert json.loads((tmp_path / "out/samples/X/X.report.json").read_text())["verdict"] == "biallelic"


def test_demo_trio(demo38):
    """The demo trio (sheet pedigree columns): parents settle the phase; the parents are named carriers."""
    child = load_report(demo38, "HSH09")
    assert child["verdict"] == "biallelic" and child["family"]["mendelian_errors"] == 0
    assert {v["inheritance"] for v in child["variants"] if v["qualifying"]} == {"paternal", "maternal"}
    for parent in ("HSH10", "HSH11"):
        rep = load_report(demo38, parent)
        assert rep["family"]["carrier"] and rep["verdict"] == "monoallelic"
    assert "family" not in load_report(demo38, "HSH01")
    summary = {r["sample"]: r for r in csv.DictReader(open(demo38 / "summary.tsv"), delimiter="\t")}
    assert summary["HSH09"]["family"] == "FAM1" and summary["HSH01"]["family"] == ""
