"""Families: PED parsing and checks, family-aware batches, inheritance rules, and the family step end to end on
hand-written VCFs (joint and single-sample). Real-caller trios: tests/test_family_callers.py."""

from __future__ import annotations

import json
import re

import pytest
from conftest import write_vcf

from hshpipe.errors import InputError
from hshpipe.family import DE_NOVO, MATERNAL, PATERNAL, UNKNOWN, Origin, Site, consistent, hom_flag, inheritance
from hshpipe.family_calls import ASSUMED, CALL, LOW_QUALITY, NO_CALL, SiteGenotype
from hshpipe.pedigree import load_pedigree, read_ped
from hshpipe.samplesheet import SampleRow, make_batches

STOP = "chr9 74762384 . G T"  # c.4287C>A p.(Cys1429Ter), curated pathogenic
R700X = "chr9 74800394 . G A"  # c.2098C>T p.(Arg700Ter): a null allele with full PVS1
DUP = "chr9 74820365 . G GA"  # c.1072dup
DEL = "chr9 74796744 . TG T"  # c.2387del
BG = ["chr9 74762494 . C T", "chr9 74810735 . C T", "chr9 74842016 . G A", "chr9 74775683 . C T"]
GT = {"0/0": "0/0:30:60:30,0", "0/1": "0/1:30:60:15,15", "1/1": "1/1:30:60:0,30", "./.": "./.:.:.:."}


def rec(site: str, *gts: str) -> str:
    return f"{site} 50 PASS . GT:DP:GQ:AD " + " ".join(GT.get(g, g) for g in gts)


def g(n: int | None, source: str = CALL) -> SiteGenotype:
    return SiteGenotype(n, {0: "0/0", 1: "0/1", 2: "1/1", None: "./."}[n], source)


# --- inheritance rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "child,f,m,expected",
    [
        (1, 1, 0, PATERNAL),
        (1, 0, 1, MATERNAL),
        (1, 1, 1, "both"),
        (1, 0, 0, DE_NOVO),
        (1, None, 0, UNKNOWN),  # a no-call is never guessed
        (1, 2, None, PATERNAL),  # a homozygous father must have given it
        (2, 1, 1, "both"),
        (2, 1, 0, PATERNAL),  # flagged: see hom_flag
        (2, None, 1, UNKNOWN),
    ],
)
def test_inheritance(child, f, m, expected):
    assert inheritance(child, g(f), g(m)) == expected


def test_no_father_in_the_run_is_unknown_unless_the_mother_settles_it():
    assert inheritance(1, None, g(0)) == UNKNOWN
    assert inheritance(1, None, g(2)) == MATERNAL


def test_mendelian_consistency():
    assert consistent(1, 1, 0) and consistent(2, 1, 1) and consistent(0, 1, 1)
    assert not consistent(1, 0, 0) and not consistent(2, 0, 1) and not consistent(0, 2, 1)
    assert consistent(1, None, 0)  # unknown father: either allele


def test_hom_flag_names_the_three_explanations_and_their_checks():
    o = Origin(Site("k", 1, "G", "T", "c.4287C>A", 2, True), PATERNAL, g(1), g(0))
    text = hom_flag(o)
    assert text and "mother does not carry it" in text
    assert "copy number" in text and "uniparental disomy" in text and "mix-up" in text


def test_labels_say_what_a_genotype_rests_on():
    assert SiteGenotype(0, "0/0", ASSUMED, "quality unknown").label.startswith("0/0 (reference assumed")
    assert SiteGenotype(None, "./.", NO_CALL).label == "./. (no call)"
    assert "DP<10" in SiteGenotype(None, "0/1", LOW_QUALITY, "DP<10").label


# --- PED parsing and checks ---------------------------------------------------------------------------------


def rows(*names: str) -> list[SampleRow]:
    return [SampleRow(i + 2, n, f"{n}.vcf", "", "") for i, n in enumerate(names)]


def ped(tmp_path, text: str):
    p = tmp_path / "fam.ped"
    p.write_text(text)
    return p


def test_ped_is_read_with_comments(tmp_path):
    p = ped(tmp_path, "# fam ind fa mo sex phen\nF1 K F M 2 2  # proband\nF1 F 0 0 1 1\nF1 M 0 0 2 1\n\n")
    members = read_ped(p)
    assert [m.sample for m in members] == ["K", "F", "M"]
    pedigree = load_pedigree(p, rows("K", "F", "M"))
    assert pedigree.members["K"].father == "F" and pedigree.members["K"].affected


@pytest.mark.parametrize(
    "text,message",
    [
        ("F1 K K M 2 2\nF1 M 0 0 2 1\n", "fam.ped line 1: K is listed as its own father"),
        ("F1 K F M 2 2\nF1 F 0 0 2 1\nF1 M 0 0 2 1\n", "fam.ped line 1: father F of K is female"),
        ("F1 K F M 2 2\nF1 F 0 0 1 1\nF1 M 0 0 1 1\n", "fam.ped line 1: mother M of K is male"),
        ("F1 K F M 2 2\nF1 K M F 2 2\nF1 F 0 0 0 1\nF1 M 0 0 0 1\n", "fam.ped line 2: K is listed again"),
        ("F1 K F M 2 2\nF1 F 0 0 1 1\n", "fam.ped line 1: mother M of K is not a sample in"),
        ("F1 K F M 2 2\nF1 F K 0 1 1\nF1 M 0 0 2 1\n", "pedigree loop"),
        ("F1 K F M 3 2\n", "fam.ped line 1: sex '3'"),
        ("F1 K F M 2\n", "fam.ped line 1: 5 columns"),
        ("F1 X 0 0 1 1\n", "fam.ped line 1: individual X (family F1) is not a sample in"),
    ],
)
def test_bad_pedigrees_are_one_line_errors_naming_the_line(tmp_path, text, message):
    with pytest.raises(InputError, match=re.escape(message)) as e:
        load_pedigree(ped(tmp_path, text), rows("K", "F", "M"), "samples.tsv")
    assert "\n" not in str(e.value)


def test_two_fathers_across_lines(tmp_path):
    text = "F1 K F M 2 2\nF1 K G M 2 2\nF1 F 0 0 1 1\nF1 G 0 0 1 1\nF1 M 0 0 2 1\n"
    with pytest.raises(InputError, match="line 2: K is listed again .* with two fathers"):
        load_pedigree(ped(tmp_path, text), rows("K", "F", "M", "G"))


def test_families_stay_in_one_batch_and_other_batches_do_not_move():
    sheet = rows(*[f"S{i}" for i in range(10)])
    assert make_batches(sheet, 3) == make_batches(sheet, 3, {})
    fams = {"S1": "A", "S5": "A", "S8": "A"}
    batches = make_batches(sheet, 3, fams)
    where = {r.sample: i for i, b in enumerate(batches) for r in b}
    assert where["S1"] == where["S5"] == where["S8"]
    assert sorted(where) == sorted(r.sample for r in sheet)
    assert all(len(b) <= 3 for b in batches)


# --- the family step end to end (hand-written VCFs) ---------------------------------------------------------


def run_family(tmp_path, ctx_factory, sheet_lines: list[str], ped_text: str) -> dict[str, dict]:
    from hshpipe.pipeline import run_batch
    from hshpipe.samplesheet import read_sample_sheet

    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample\tvcf\tvcf_sample\n" + "".join(line + "\n" for line in sheet_lines))
    sheet_rows = read_sample_sheet(sheet)
    ctx = ctx_factory(tmp_path)
    ctx.pedigree = load_pedigree(ped(tmp_path, ped_text), sheet_rows)
    run_batch(sheet_rows, ctx, "2026-01-01")
    out = {}
    for r in sheet_rows:
        out[r.sample] = json.loads((ctx.outdir / "samples" / r.sample / f"{r.sample}.report.json").read_text())
    return out


TRIO = "F1 K F M 2 2\nF1 F 0 0 1 1\nF1 M 0 0 2 1\n"


def joint(tmp_path, records: list[str], name="trio.vcf"):
    vcf = write_vcf(tmp_path / name, records, samples=("K", "F", "M"))
    return [f"{s}\t{vcf}\t" for s in ("K", "F", "M")]


def test_trans_from_the_parents_is_biallelic(tmp_path, ctx_factory):
    recs = [rec(STOP, "0/1", "0/1", "0/0"), rec(R700X, "0/1", "0/0", "0/1"), rec(BG[0], "0/1", "0/1", "0/0")]
    out = run_family(tmp_path, ctx_factory, joint(tmp_path, recs), TRIO)
    k = out["K"]
    assert k["verdict"] == "biallelic"
    assert "c.4287C>A p.(Cys1429Ter) came from the father" in k["verdict_text"]
    inh = {v["hgvs_c"].split(":")[1]: (v.get("inheritance"), v["phase_set"]) for v in k["variants"]}
    assert inh["c.4287C>A"] == ("paternal", "parents") and inh["c.2098C>T"] == ("maternal", "parents")
    fam = k["family"]
    assert fam["id"] == "F1" and fam["father"] == "F" and fam["mendelian_errors"] == 0
    assert {m["sample"]: m["relation"] for m in fam["members"]} == {"K": "self", "F": "father", "M": "mother"}
    assert out["F"]["family"]["carrier"] and "carrier of c.4287C>A" in out["F"]["verdict_text"]
    assert out["F"]["verdict"] == "monoallelic"


def test_cis_from_one_parent_is_monoallelic(tmp_path, ctx_factory):
    recs = [rec(STOP, "0/1", "0/1", "0/0"), rec(DEL, "0/1", "0/1", "0/0")]
    out = run_family(tmp_path, ctx_factory, joint(tmp_path, recs), TRIO)
    assert out["K"]["verdict"] == "monoallelic"
    assert "in cis" in out["K"]["verdict_text"]


def test_de_novo_null_allele_is_named_and_phase_stays_open(tmp_path, ctx_factory):
    recs = [rec(STOP, "0/1", "0/0", "0/1"), rec(DUP, "0/1", "0/0", "0/0")]
    out = run_family(tmp_path, ctx_factory, joint(tmp_path, recs), TRIO)
    k = out["K"]
    assert k["verdict"] == "possible_compound_heterozygous"
    assert "de novo null allele" in k["verdict_text"] and "parental testing needed" not in k["verdict_text"]
    assert {v.get("inheritance") for v in k["variants"]} == {"maternal", "de_novo"}


def test_parent_no_call_is_unknown_never_guessed(tmp_path, ctx_factory):
    recs = [rec(STOP, "0/1", "./.", "0/0"), rec(R700X, "0/1", "0/0", "0/1")]
    out = run_family(tmp_path, ctx_factory, joint(tmp_path, recs), TRIO)
    k = out["K"]
    assert k["verdict"] == "possible_compound_heterozygous"
    assert {v["hgvs_c"].split(":")[1]: v.get("inheritance") for v in k["variants"]}["c.4287C>A"] == "unknown"


def test_separate_variant_only_vcfs_say_reference_assumed(tmp_path, ctx_factory):
    k = write_vcf(tmp_path / "K.vcf", [rec(STOP, "1/1")], samples=("K",))
    f = write_vcf(tmp_path / "F.vcf", [rec(STOP, "0/1")], samples=("F",))
    m = write_vcf(tmp_path / "M.vcf", [rec(BG[1], "0/1")], samples=("M",))
    out = run_family(tmp_path, ctx_factory, [f"K\t{k}\t", f"F\t{f}\t", f"M\t{m}\t"], TRIO)
    text = out["K"]["verdict_text"]
    assert out["K"]["verdict"] == "biallelic"
    assert "reference assumed" in text and "uniparental disomy" in text
    assert out["K"]["family"]["flags"]


def test_swapped_parent_sets_review_for_the_family(tmp_path, ctx_factory):
    from hshpipe.report import qc_state

    recs = [rec(STOP, "1/1", "0/1", "0/1")]
    recs += [rec(b, "1/1", "0/0", "0/1") for b in BG]  # the 'father' cannot have given any of these
    out = run_family(tmp_path, ctx_factory, joint(tmp_path, recs), TRIO)
    fam = out["K"]["family"]
    assert fam["mendelian_errors"] == 4 and fam["swap_suspected"]
    assert {qc_state(r) for r in out.values()} == {"review"}


def test_siblings_segregate(tmp_path, ctx_factory):
    pedtext = TRIO + "F1 A F M 1 2\nF1 U F M 2 1\n"
    recs = [rec(STOP, "0/1", "0/1", "0/0", "0/1", "0/1"), rec(R700X, "0/1", "0/0", "0/1", "0/1", "0/0")]
    vcf = write_vcf(tmp_path / "fam.vcf", recs, samples=("K", "F", "M", "A", "U"))
    out = run_family(tmp_path, ctx_factory, [f"{s}\t{vcf}\t" for s in ("K", "F", "M", "A", "U")], pedtext)
    seg = out["K"]["family"]["segregation"]
    assert seg["status"] == "consistent" and seg["meioses"] == 4
    assert out["A"]["verdict"] == "biallelic" and out["U"]["family"]["carrier"]
    # an unaffected sibling with the biallelic genotype is a mismatch
    recs[1] = rec(R700X, "0/1", "0/0", "0/1", "0/1", "0/1")
    vcf = write_vcf(tmp_path / "fam.vcf", recs, samples=("K", "F", "M", "A", "U"))
    out = run_family(tmp_path, ctx_factory, [f"{s}\t{vcf}\t" for s in ("K", "F", "M", "A", "U")], pedtext)
    assert out["K"]["family"]["segregation"]["status"] == "mismatch"


def test_reports_validate_against_the_schema(tmp_path, ctx_factory):
    from hshpipe.report import validate_report

    recs = [rec(STOP, "0/1", "0/1", "0/0"), rec(R700X, "0/1", "0/0", "0/1")]
    for r in run_family(tmp_path, ctx_factory, joint(tmp_path, recs), TRIO).values():
        validate_report(r)


def test_a_bad_pedigree_stops_the_workflow_with_one_line(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    sheet = tmp_path / "s.tsv"
    demo = ROOT / "resources/demo/vcf"
    sheet.write_text(f"sample\tvcf\nK\t{demo / 'HSH01.bcftools.vcf.gz'}\nF\t{demo / 'HSH04.bcftools.vcf'}\n")
    p = ped(tmp_path, "# trio\nF1 K F 0 2 2\nF1 F 0 0 2 1\n")
    cmd = [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--config", f"outdir={tmp_path / 'out'}"]
    cmd += [f"samples={sheet}", f"pedigree={p}"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "ERROR: fam.ped line 2: father F of K is female (fam.ped line 3)" in run.stderr
    assert "Traceback" not in run.stderr
