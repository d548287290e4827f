"""Report review on the demo through snakemake: downgrade one variant -> verdict changes; two signatures -> final;
a rerun with a new curated table -> draft again with the reason; a bad line -> one-line error, nothing re-rendered.
PDFs are opened (pdftotext: sample id and verdict on page 1); screenshots land in test-artifacts/."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.integration

HEADER = "sample\tvariant\taction\tvalue\ttext\treviewer\tdate\n"
DECISIONS = (
    "HSH01\tNM_017662.5:c.4287C>A\tclassify\tuncertain_significance\tdemo: downgraded to test the review\t"
    "A. Rivera\t2026-01-05\n"
    "HSH01\t\tnote\t\tSynthetic demo sample: not for clinical use\tA. Rivera\t2026-01-05\n"
    "HSH01\t\tsign\tfirst\t\tA. Rivera\t2026-01-05\n"
    "HSH01\t\tsign\tsecond\t\tB. Chen\t2026-01-06\n"
)


def smk(outdir: Path, *config: str, target: str = "all") -> subprocess.CompletedProcess:
    cmd = [*SNAKEMAKE, target, "--cores", "2", "--config", f"outdir={outdir}", *config]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)


def report(outdir: Path, sample: str = "HSH01") -> dict:
    return json.loads((outdir / "samples" / sample / f"{sample}.report.json").read_text())


def summary(outdir: Path) -> dict[str, dict]:
    with open(outdir / "summary.tsv") as fh:
        return {r["sample"]: r for r in csv.DictReader(fh, delimiter="\t")}


def page1(pdf: Path) -> str:
    p = subprocess.run([PDFTOTEXT, "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def shoot(html: Path, name: str, tmp: Path) -> None:
    if CHROMIUM is None:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / name
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp / name}"]
    cmd += ["--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,2400", f"--screenshot={out}", html.as_uri()]
    subprocess.run(cmd, capture_output=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    out = tmp_path_factory.mktemp("review") / "results"
    p = smk(out, "pdf=False")
    assert p.returncode == 0, p.stderr[-3000:]
    assert report(out)["review"] == {"state": "draft", "decisions": [], "signed_by": []}
    assert {r["review_state"] for r in summary(out).values()} == {"draft"}
    assert report(out)["verdict"] == "biallelic"
    (out / "review.tsv").write_text(HEADER + DECISIONS, encoding="utf-8")
    p = smk(out, target="review")
    assert p.returncode == 0, p.stderr[-3000:]
    return out


def test_downgrade_and_two_signatures(reviewed: Path, tmp_path: Path) -> None:
    rep = report(reviewed)
    # the homozygous nonsense downgraded to a VUS: a homozygous VUS could explain the disease -> uncertain
    assert rep["verdict"] == "uncertain" and rep["review"]["base"]["verdict"] == "biallelic"
    assert rep["review"]["state"] == "final" and rep["review"]["version"] == 2
    assert [d["line"] for d in rep["review"]["decisions"]] == [2, 3, 4, 5]
    assert summary(reviewed)["HSH01"]["review_state"] == "final"
    assert summary(reviewed)["HSH01"]["verdict"] == "uncertain"
    assert summary(reviewed)["HSH02"]["review_state"] == "draft"
    folder = reviewed / "samples/HSH01"
    assert json.loads((folder / "HSH01.report.v1.json").read_text())["verdict"] == "biallelic"
    shoot(folder / "HSH01.report.html", "review_HSH01_final.png", tmp_path)


@pytest.mark.skipif(CHROMIUM is None or PDFTOTEXT is None, reason="needs Debian chromium and poppler-utils")
def test_pdfs_name_sample_and_verdict_on_page_one(reviewed: Path) -> None:
    for sample, verdict in (("HSH01", "UNCERTAIN"), ("HSH02", "UNCERTAIN")):
        pdf = reviewed / "samples" / sample / f"{sample}.report.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        text = page1(pdf)
        assert sample in text and f"VERDICT: {verdict}" in text, text[:2000]
        assert "Page 1 of" in text and "report version" in text
    assert "report version 2 (final)" in page1(reviewed / "samples/HSH01/HSH01.report.pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(reviewed / "samples/HSH01/HSH01.report.pdf", ARTIFACTS / "review_HSH01_final.pdf")


def test_bad_line_is_refused_and_nothing_is_rerendered(reviewed: Path) -> None:
    before = (reviewed / "samples/HSH01/HSH01.report.json").read_bytes()
    bad = reviewed.parent / "bad_review.tsv"
    bad.write_text(HEADER + DECISIONS + "HSH01\t\tnote\t\tlater\tB. Chen\t2999-01-01\n", encoding="utf-8")
    p = smk(reviewed, f"review={bad}", "pdf=False", target="review")
    assert p.returncode != 0
    errors = [line for line in p.stderr.splitlines() if line.startswith("ERROR:")]
    assert errors and "bad_review.tsv: line 6: date 2999-01-01 is in the future" in errors[0], p.stderr[-2000:]
    assert (reviewed / "samples/HSH01/HSH01.report.json").read_bytes() == before


def test_new_curated_table_returns_the_report_to_draft(reviewed: Path, tmp_path: Path) -> None:
    table = tmp_path / "curated.tsv"
    text = (ROOT / "resources/curated/hsh_variants.tsv").read_text()
    table.write_text(text.replace("## version: ", "## version: test-bump-", 1))
    p = smk(reviewed, f"curated_table={table}", "pdf=False")
    assert p.returncode == 0, p.stderr[-3000:]
    rep = report(reviewed)
    assert rep["review"]["state"] == "draft" and rep["review"]["version"] == 3
    assert "earlier content" in rep["review"]["reason"] and "curated table" in rep["review"]["reason"]
    assert rep["verdict"] == "uncertain"  # the reviewer's class is carried into the new version
    assert "curated table" in rep["review"]["history"][-1]["change"]
    assert summary(reviewed)["HSH01"]["review_state"] == "draft"
    assert (reviewed / "samples/HSH01/HSH01.report.v2.json").exists()
    shoot(reviewed / "samples/HSH01/HSH01.report.html", "review_HSH01_draft_again.png", tmp_path)
