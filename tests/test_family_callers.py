"""Families called by the demo's real tools (tools/make_family_data.py: dwgsim reads from handed-down haplotypes,
bwa mem, bcftools joint and single-sample, FreeBayes joint): trans, cis, homozygous child with a non-carrier
parent, de novo, affected and unaffected siblings, and a swapped parent. All five families run as one batch."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from hshpipe.pedigree import load_pedigree
from hshpipe.report import qc_state, validate_report

DATA = ROOT / "tests/data/family"
JOINT = {
    "fam1.bcftools.vcf.gz": ("HSH10", "HSH11", "HSH09", "HSH12", "HSH13"),
    "fam4.freebayes.vcf.gz": ("F4", "M4", "K4"),
}
SEPARATE = ("F2", "M2", "K2", "F3", "M3", "K3", "F5", "M5", "K5")


@pytest.fixture(scope="module")
def reports(tmp_path_factory, ctx_factory) -> dict[str, dict]:
    from hshpipe.pipeline import run_batch
    from hshpipe.samplesheet import make_batches, read_sample_sheet

    tmp = tmp_path_factory.mktemp("families")
    lines = ["sample\tvcf"]
    lines += [f"{s}\t{DATA / vcf}" for vcf, members in JOINT.items() for s in members]
    lines += [f"{s}\t{DATA / f'{s}.bcftools.vcf.gz'}" for s in SEPARATE]
    sheet = tmp / "samples.tsv"
    sheet.write_text("\n".join(lines) + "\n")
    rows = read_sample_sheet(sheet)
    ped = load_pedigree(DATA / "families.ped", rows)
    assert len(make_batches(rows, 4, ped.family_ids())) == 5  # one batch per family, whatever the batch size
    ctx = ctx_factory(tmp)
    ctx.pedigree = ped
    run_batch(rows, ctx, "2026-01-01")
    out = {}
    for r in rows:
        out[r.sample] = json.loads((ctx.outdir / "samples" / r.sample / f"{r.sample}.report.json").read_text())
        validate_report(out[r.sample])
    return out


def inheritance(rep: dict) -> dict[str, str]:
    """Inheritance of the qualifying variants (background SNVs near exons may add uncertain ones)."""
    return {v["hgvs_c"].split(":")[1]: v["inheritance"] for v in rep["variants"] if v["qualifying"]}


def test_trans_from_a_joint_vcf_is_biallelic_and_siblings_segregate(reports):
    k = reports["HSH09"]
    assert k["verdict"] == "biallelic"
    assert inheritance(k) == {"c.1072dup": "paternal", "c.2098C>T": "maternal"}
    assert {v["phase_set"] for v in k["variants"] if v["qualifying"]} == {"parents"}
    fam = k["family"]
    assert fam["mendelian_errors"] == 0 and fam["mendelian_sites"] > 10 and not fam["swap_suspected"]
    assert fam["segregation"]["status"] == "consistent" and fam["segregation"]["meioses"] == 4
    assert reports["HSH12"]["verdict"] == "biallelic"  # affected sibling
    assert reports["HSH13"]["verdict"] == "monoallelic" and reports["HSH13"]["family"]["carrier"]
    for parent in ("HSH10", "HSH11"):
        assert reports[parent]["family"]["carrier"] and "carrier of" in reports[parent]["verdict_text"]
    assert {qc_state(reports[s]) for s in JOINT["fam1.bcftools.vcf.gz"]} == {"pass"}


def test_cis_from_separate_vcfs_is_monoallelic(reports):
    k = reports["K2"]
    assert k["verdict"] == "monoallelic"
    assert set(inheritance(k).values()) == {"paternal"} and "in cis" in k["verdict_text"]
    assert "reference assumed" in k["verdict_text"]  # the mother's variant-only VCF has no record there


def test_homozygous_child_with_a_non_carrier_mother_is_flagged(reports):
    k = reports["K3"]
    assert k["verdict"] == "biallelic" and inheritance(k) == {"c.4287C>A": "paternal"}
    text = k["verdict_text"]
    assert "mother does not carry it" in text and "uniparental disomy" in text and "copy number" in text
    assert k["family"]["flags"] and qc_state(k) == "review"


def test_de_novo_null_allele_from_a_freebayes_joint_vcf(reports):
    k = reports["K4"]
    assert inheritance(k) == {"c.2098C>T": "maternal", "c.2387del": "de_novo"}
    assert k["verdict"] == "possible_compound_heterozygous"
    assert "c.2387del" in k["verdict_text"] and "de novo null allele" in k["verdict_text"]
    assert "parental testing needed" not in k["verdict_text"]


def test_swapped_father_gives_mendelian_errors_and_review(reports):
    fam = reports["K5"]["family"]
    assert fam["swap_suspected"] and fam["mendelian_errors"] >= 3
    assert {qc_state(reports[s]) for s in ("F5", "M5", "K5")} == {"review"}
    assert any("sample swap" in n for n in reports["F5"]["verdict_notes"])
