"""Report review: the review file, decisions applied (verdict recomputed), two-person sign-off, versions with a
one-line diff, bad input refused before anything is written, clinical context per verdict."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from test_report import GENERATED_ON, biallelic_report, negative_report

from hshpipe import outputs
from hshpipe import report as rp
from hshpipe.clinical import SECTIONS, load_clinical_context
from hshpipe.errors import InputError
from hshpipe.review import base_report, content_sha256, diff_line, empty_review, matches, read_review
from hshpipe.review_run import run_review
from hshpipe.vocab import VERDICTS

TODAY = date(2026, 12, 1)
HEADER = "sample\tvariant\taction\tvalue\ttext\treviewer\tdate\n"
DOWNGRADE = (
    "HSH-001\tc.2207C>T\tclassify\tuncertain_significance\tfunctional data do not support\tA. Rivera\t2026-11-30\n"
)
SIGN_A = "HSH-001\t\tsign\tfirst\t\tA. Rivera\t2026-11-30\n"
SIGN_B = "HSH-001\t\tsign\tsecond\t\tB. Chen\t2026-12-01\n"


def make_run(tmp: Path, *reports: dict) -> Path:
    out = tmp / "results"
    for r in reports:
        rep = copy.deepcopy(r)
        rep["review"] = empty_review()
        outputs.write_sample_reports(rep, out / "samples" / rep["sample"], GENERATED_ON)
    return out


def review(out: Path, text: str, today: date = TODAY) -> list[dict]:
    (out / "review.tsv").write_text(HEADER + text, encoding="utf-8")
    return run_review(out, out / "review.tsv", today, chromium=None)


def load(out: Path, sample: str = "HSH-001", suffix: str = "") -> dict:
    return json.loads((out / "samples" / sample / f"{sample}.report{suffix}.json").read_text())


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted((out / "samples").rglob("*")) if p.is_file()}


def test_downgrade_recomputes_the_verdict_and_keeps_the_pipeline_class(tmp_path: Path) -> None:
    out = make_run(tmp_path, biallelic_report())
    review(out, DOWNGRADE)
    rep = load(out)
    rp.validate_report(rep)
    assert rep["verdict"] != "biallelic"
    v = next(v for v in rep["variants"] if v["hgvs_c"].endswith("c.2207C>T"))
    assert v["classification"] == "uncertain_significance" and not v["qualifying"]
    assert "[pipeline: pathogenic" in v["classification_rule"]
    assert rep["review"]["base"]["verdict"] == "biallelic"
    assert rep["review"]["state"] == "draft" and rep["review"]["version"] == 2
    assert load(out, suffix=".v1")["verdict"] == "biallelic"  # the pipeline's report kept beside it
    assert "verdict biallelic -> " in rep["review"]["history"][-1]["change"]
    assert "c.2207C>T pathogenic -> uncertain significance" in rep["review"]["history"][-1]["change"]
    html = (out / "samples/HSH-001/HSH-001.report.html").read_text()
    assert "Audit trail (1 decision" in html and "The pipeline's verdict was" in html


def test_two_signatures_make_it_final_and_a_later_decision_returns_it_to_draft(tmp_path: Path) -> None:
    out = make_run(tmp_path, biallelic_report())
    review(out, DOWNGRADE + SIGN_A + SIGN_B)
    rep = load(out)
    assert rep["review"]["state"] == "final"
    assert [s["reviewer"] for s in rep["review"]["signed_by"]] == ["A. Rivera", "B. Chen"]
    review(out, DOWNGRADE + SIGN_A + SIGN_B + "HSH-001\t\tnote\t\tMDT asked for RNA\tB. Chen\t2026-12-01\n")
    rep = load(out)
    assert rep["review"]["state"] == "draft" and rep["review"]["version"] == 3
    assert "precede the note at line 5" in rep["review"]["reason"]
    assert (out / "samples/HSH-001/HSH-001.report.v2.json").exists()


def test_new_pipeline_content_voids_the_signatures(tmp_path: Path) -> None:
    out = make_run(tmp_path, biallelic_report())
    text = DOWNGRADE + SIGN_A + SIGN_B
    review(out, text)
    rerun = biallelic_report()
    rerun["provenance"]["curated_table_version"] = "2026.02"  # the pipeline reran with a new curated table
    make_run(tmp_path, rerun)
    review(out, text)
    rep = load(out)
    assert rep["review"]["state"] == "draft" and rep["review"]["version"] == 3
    assert (
        "earlier content" in rep["review"]["reason"] and "curated table 2025.01 -> 2026.02" in rep["review"]["reason"]
    )
    assert rep["verdict"] != "biallelic"  # the decision is carried into the new version
    review(out, text + SIGN_A.replace("2026-11-30", "2026-12-01") + SIGN_B)
    assert load(out)["review"]["state"] == "final"


def test_rerun_without_changes_writes_nothing(tmp_path: Path) -> None:
    out = make_run(tmp_path, biallelic_report())
    review(out, DOWNGRADE + SIGN_A)
    before = snapshot(out)
    review(out, DOWNGRADE + SIGN_A)
    assert snapshot(out) == before


def test_same_content_from_the_pipeline_restores_the_reviewed_version(tmp_path: Path) -> None:
    out = make_run(tmp_path, biallelic_report())
    review(out, DOWNGRADE + SIGN_A + SIGN_B)
    reviewed = load(out)
    make_run(tmp_path, biallelic_report())  # identical rerun overwrites the reviewed report
    review(out, DOWNGRADE + SIGN_A + SIGN_B)
    assert load(out) == reviewed and not (out / "samples/HSH-001/HSH-001.report.v3.json").exists()


def test_exclude_moves_the_variant_to_filtered_records(tmp_path: Path) -> None:
    out = make_run(tmp_path, biallelic_report())
    review(out, "HSH-001\tchr9-74842250-G-A\texclude\t\tartefact in IGV\tA. Rivera\t2026-11-30\n")
    rep = load(out)
    rp.validate_report(rep)
    assert all(v["pos"] != 74842250 for v in rep["variants"])
    assert any("excluded at review by A. Rivera" in f["reason"] for f in rep["filtered"])
    assert rep["verdict"] != "biallelic"
    assert base_report(rep)["variants"] == biallelic_report()["variants"]


BAD = [
    ("NOPE\t\tnote\t\tx\tA. Rivera\t2026-11-30\n", "unknown sample 'NOPE'"),
    ("HSH-001\tc.1A>G\tclassify\tbenign\tx\tA. Rivera\t2026-11-30\n", "unknown variant 'c.1A>G'"),
    ("HSH-001\tc.2207C>T\tclassify\tharmless\tx\tA. Rivera\t2026-11-30\n", "class 'harmless' is not one of"),
    ("HSH-001\t\tnote\t\tx\tA. Rivera\t2026-12-02\n", "is in the future"),
    (SIGN_A + SIGN_A.replace("first", "second"), "A. Rivera already signed this version (line 3)"),
]


@pytest.mark.parametrize("line,message", BAD, ids=["sample", "variant", "class", "future", "twice"])
def test_bad_decision_is_one_line_naming_the_line_and_nothing_is_rendered(
    tmp_path: Path, line: str, message: str
) -> None:
    out = make_run(tmp_path, biallelic_report(), negative_report())
    before = snapshot(out)
    with pytest.raises(InputError) as exc:
        review(out, DOWNGRADE + line)
    text = str(exc.value)
    assert "\n" not in text and message in text and "review.tsv: line " in text, text
    assert snapshot(out) == before


def test_review_file_header_is_checked(tmp_path: Path) -> None:
    (tmp_path / "r.tsv").write_text("sample\tvariant\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: header must be"):
        read_review(tmp_path / "r.tsv", TODAY)


def test_variant_names_match_hgvs_with_or_without_accession_and_vcf_keys() -> None:
    v = {"chrom": "chr9", "pos": 74842250, "ref": "G", "alt": "A", "hgvs_c": "NM_017662.5:c.2207C>T"}
    assert matches(v, "c.2207C>T") and matches(v, "NM_017662.5:c.2207C>T") and matches(v, "chr9:74842250:G:A")
    assert not matches(v, "NM_017662.4:c.2207C>T") and not matches(v, "chr9-74842250-G-C")


def test_content_hash_ignores_the_review_block_only() -> None:
    a = biallelic_report()
    b = {**a, "review": {"state": "final", "decisions": [], "signed_by": []}}
    assert content_sha256(a) == content_sha256(b)
    assert content_sha256(a) != content_sha256({**a, "verdict_text": "x"})
    assert diff_line(a, a) == "no change"


def test_changed_inputs_are_told_by_sha256_when_hashed_else_by_fingerprint() -> None:
    """A re-run's input change is seen whichever way the inputs were identified (input_identity): by the
    whole-file SHA-256 when both reports have it (a copied file with a new mtime is not a change), else by the
    fingerprint (before, two fingerprint-only reports of different files compared equal: both SHA-256s null)."""
    a = biallelic_report()

    def ident(by: str, sha: str | None, fp: str) -> dict:
        prov = {**a["provenance"], "inputs_identified_by": by}
        prov |= {
            "inputs_sha256": {"vcf": sha, "alignments": None},
            "inputs_fingerprint": {"vcf": fp, "alignments": None},
        }
        return {**a, "provenance": prov}

    assert "input files" not in diff_line(ident("sha256", "1" * 64, "f1"), ident("sha256", "1" * 64, "f2"))
    assert "input files changed" in diff_line(ident("sha256", "1" * 64, "f1"), ident("sha256", "2" * 64, "f1"))
    assert diff_line(ident("fingerprint", None, "f1"), ident("fingerprint", None, "f1")) == "no change"
    assert "input files changed" in diff_line(ident("fingerprint", None, "f1"), ident("fingerprint", None, "f2"))


def test_pipeline_reports_carry_an_empty_draft_review(tmp_path: Path) -> None:
    rep = {**biallelic_report(), "review": empty_review()}
    rp.validate_report(rep)
    assert rp.summary_row(rep)["review_state"] == "draft"
    assert "review_state" in rp.summary_tsv([rp.summary_row(rep)]).splitlines()[0].split("\t")


def test_clinical_context_covers_every_verdict_with_sources() -> None:
    ctx = load_clinical_context()
    assert ctx.version
    for verdict in VERDICTS:
        sections = {line.section for line in ctx.lines if line.verdict == verdict}
        assert {"meaning", "next_steps"} <= sections <= set(SECTIONS)
    assert all(line.source for line in ctx.lines)
    biallelic = " ".join(line.text for line in ctx.lines if line.verdict == "biallelic")
    assert "oral magnesium" in biallelic and "25%" in biallelic and "intravenous" in biallelic
    html = rp.sample_html(biallelic_report(), GENERATED_ON)
    assert "What this result means and what comes next" in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/12032570/"' in html


def test_clinical_context_table_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "ctx.tsv"
    bad.write_text("## version: x\nverdict\tsection\ttext\tsource\nbiallelic\tmeaning\ttext\t\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 3: every line needs a text and a source"):
        load_clinical_context(bad)


def test_reviewed_verdict_keeps_the_phase_the_report_recorded():
    """A trio child biallelic by phase from the parents: reclassifying an unrelated VUS must not lose that phase
    (the verdict is recomputed from the report's own phase_set/phase_haplotype), and a change that alters no
    class keeps the pipeline's verdict as it was."""
    from hshpipe.review import recompute_verdict

    def v(pos, c, cls, hap):
        return {"chrom": "chr9", "pos": pos, "ref": "C", "alt": "T", "classification": cls,
                "zygosity": "heterozygous", "phased": hap is not None, "phase_set": "parents" if hap is not None else None,
                "phase_haplotype": hap, "qc_pass": True, "hgvs_c": f"NM_017662.5:c.{c}G>A", "hgvs_p": None,
                "qc_flags": [], "criteria": [], "haplotype": None}  # fmt: skip

    base = {
        "verdict": "biallelic", "verdict_text": "pipeline text", "verdict_notes": ["a pipeline note"],
        "variants": [v(100, 10, "likely_pathogenic", 0), v(200, 20, "likely_pathogenic", 1),
                     v(300, 30, "uncertain_significance", None)],
        "sample_qc": {"records_in_region": 3, "missing_genotype_records": 0}, "coverage": None,
        "provenance": {"thresholds": {}}, "family": {"father": "F", "mother": "M"},
    }  # fmt: skip
    assert recompute_verdict(base, base["variants"]) == {
        "verdict": "biallelic",
        "verdict_text": "pipeline text",
        "verdict_notes": ["a pipeline note"],
    }
    reviewed = [*base["variants"][:2], {**base["variants"][2], "classification": "likely_benign"}]
    assert recompute_verdict(base, reviewed)["verdict"] == "biallelic"
    downgraded = [{**base["variants"][0], "classification": "uncertain_significance"}, *base["variants"][1:]]
    assert recompute_verdict(base, downgraded)["verdict"] == "uncertain"
