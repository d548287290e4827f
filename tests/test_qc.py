"""Per-call QC (qc.py): each gate alone, on hand-made calls. Disabling any one gate (making it return None) fails
at least one test here: FILTER, FT, DP, GQ, QUAL, allele balance, assessability."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hshpipe.qc import (
    NOT_ASSESSABLE,
    CallQC,
    allele_balance,
    call_qc,
    depth,
    genotype_string,
    low_confidence_reference,
    phase,
    sv_zygosity,
    with_deletions,
    zygosity,
    zygosity_flags,
)
from hshpipe.settings import Thresholds
from hshpipe.vcfio import Record, SampleGenotype

TH = Thresholds()


def rec(**kw) -> Record:
    base = Record("chr9", 1000, "A", "C", 1000, ("chr9", 1000, "A", "C"), ("PASS",), 50.0, {}, "small")
    return replace(base, **kw)


def het(**kw) -> SampleGenotype:
    """A clean 0/1 call with every field a caller may write."""
    base = SampleGenotype(
        alleles=(0, 1),
        phased=False,
        phase_set=None,
        dp=30,
        gq=60,
        ad_ref=15,
        ad_alt=15,
        min_dp=None,
        ad_site=30,
        read_source="AD",
    )
    return replace(base, **kw)


def bare(**kw) -> SampleGenotype:
    """A GT-only call: no depth, no quality of any kind."""
    none = dict(dp=None, gq=None, ad_ref=None, ad_alt=None, ad_site=None, read_source=None)
    return het(**{**none, **kw})


def test_clean_call_passes_and_names_its_fields():
    qc = call_qc(rec(), het(), "heterozygous", TH)
    assert qc == CallQC(
        "pass",
        (),
        ("FILTER", "depth from DP", "allele balance from AD", "GQ", "QUAL"),
        30,
        0.5,
    )
    assert qc.passed


def test_fields_used_in_order_when_the_caller_wrote_every_field():
    qc = call_qc(rec(), het(ft="PASS", cn=2), "heterozygous", TH)
    assert qc.fields_used == ("FILTER", "FT", "depth from DP", "allele balance from AD", "GQ", "QUAL", "CN")
    qs = call_qc(rec(kind="sv", qual=None), het(gq=None, quality=("QS", 80)), "heterozygous", TH)
    assert qs.fields_used == ("FILTER", "depth from DP", "QS")


@pytest.mark.parametrize(
    ("alleles", "phased", "text"),
    [
        ((0, 1), False, "0/1"),
        ((1, 0), True, "1|0"),
        ((-1, -1), False, "./."),
        ((1,), False, "1"),
        ((-1, 1), True, ".|1"),
    ],
)
def test_genotype_string(alleles, phased, text):
    assert genotype_string(het(alleles=alleles, phased=phased)) == text
    assert genotype_string(het(alleles=alleles, phased=phased)) == text  # made once, then the same text


# --- one test per gate: the flag it gives and the state it sets ---------------------------------------------


def test_gate_filter():
    qc = call_qc(rec(filters=("LowQual",)), het(), "heterozygous", TH)
    assert (qc.state, qc.flags) == ("fail", ("FILTER:LowQual",))
    assert call_qc(rec(filters=(".",)), het(), "heterozygous", TH).passed


@pytest.mark.parametrize("ft", ["LowGQX", "LowGQX;HighDPFRatio", "dFilter"])
def test_gate_ft_sample_filter(ft):
    """Strelka2 LowGQX, GATK --genotype-filter, Delly/Manta FT: FILTER PASS but the sample's call failed."""
    qc = call_qc(rec(), het(ft=ft), "heterozygous", TH)
    assert qc.state == "fail" and qc.flags[0].startswith("FT:") and "FT" in qc.fields_used


def test_gate_ft_pass_is_pass():
    assert call_qc(rec(), het(ft="PASS"), "heterozygous", TH).passed


def test_gate_depth_from_dp():
    qc = call_qc(rec(), het(dp=5, ad_ref=3, ad_alt=2, ad_site=5), "heterozygous", TH)
    assert (qc.state, qc.flags) == ("fail", ("DP<10",))


@pytest.mark.parametrize("source", ["NR/NV", "RO/AO", "RD/AD", "AD"])
def test_gate_depth_from_reads_when_no_dp(source):
    """Platypus NR, FreeBayes RO+AO, VarScan RD+AD, AD sums: 8 reads is below the minimum."""
    qc = call_qc(rec(), het(dp=None, ad_ref=4, ad_alt=4, ad_site=8, read_source=source), "heterozygous", TH)
    assert qc.state == "fail" and qc.flags == (f"DP<10 (8 reads from {source})",)
    assert f"depth from {source}" in qc.fields_used


def test_gate_gq():
    assert call_qc(rec(), het(gq=5), "heterozygous", TH).flags == ("GQ<20",)


def test_gate_gq_from_other_quality():
    """gCNV writes QS, not GQ."""
    qc = call_qc(rec(kind="sv"), bare(quality=("QS", 3), cn=1, alleles=(1,)), "heterozygous", TH)
    assert qc.flags == ("QS<20",) and "QS" in qc.fields_used


@pytest.mark.parametrize("qual", [0.5, 1.2])
def test_gate_qual(qual):
    """FreeBayes writes no GQ: QUAL 0.5 or 1.2 must fail the call."""
    qc = call_qc(rec(qual=qual), het(gq=None), "heterozygous", TH)
    assert qc.state == "fail" and qc.flags == (f"QUAL<20 ({qual:g})",)


def test_gate_qual_threshold_is_configurable():
    assert call_qc(rec(qual=5.0), het(), "heterozygous", replace(TH, min_qual=3.0)).passed


def test_gate_allele_balance_het():
    """VarScan RD + AD (Number=1): 4 of 44 reads."""
    g = het(dp=44, ad_ref=40, ad_alt=4, ad_site=44, read_source="RD/AD")
    assert call_qc(rec(), g, "heterozygous", TH).flags == ("AB=0.09 (het outside 0.20-0.80)",)


def test_gate_allele_balance_hom():
    g = het(alleles=(1, 1), ad_ref=15, ad_alt=15)
    assert call_qc(rec(), g, "homozygous", TH).flags == ("AB=0.50 (hom below 0.80)",)


def test_gate_allele_balance_1_2_counts_all_alleles():
    """GT:AD 1/2:1,17,18: each ALT is about half of all reads (not 17/18 of REF + itself)."""
    g = het(alleles=(1, -1), dp=36, ad_ref=1, ad_alt=17, ad_site=36, other_alt=True)
    qc = call_qc(rec(), g, "heterozygous", TH)
    assert qc.passed and qc.allele_balance == pytest.approx(0.4722)
    assert allele_balance(replace(g, ad_site=None)) == pytest.approx(17 / 18, abs=1e-4)


def test_gate_assessability():
    """GT only (or an SV with GT only): review, never a silent pass."""
    for kind in ("small", "sv"):
        qc = call_qc(rec(qual=None, kind=kind), bare(alleles=(1, 1)), "homozygous", TH)
        assert (qc.state, qc.flags) == ("review", (NOT_ASSESSABLE,)) and not qc.passed


def test_any_single_depth_or_quality_makes_a_call_assessable():
    assert call_qc(rec(qual=None), bare(gq=60), "heterozygous", TH).passed
    assert call_qc(rec(qual=60.0), bare(), "heterozygous", TH).passed
    assert call_qc(rec(qual=None), bare(dp=30), "heterozygous", TH).passed


def test_fail_outranks_review():
    qc = call_qc(rec(qual=None, filters=("LowQual",)), bare(), "heterozygous", TH)
    assert qc.state == "fail" and qc.flags == ("FILTER:LowQual", NOT_ASSESSABLE)


def test_extra_review_flags():
    qc = call_qc(rec(), het(), "heterozygous", TH, ("contradiction",))
    assert (qc.state, qc.flags) == ("review", ("contradiction",))


def test_qc_state_is_checked():
    with pytest.raises(ValueError):
        CallQC("ok")


# --- depth sources, zygosity, copy number, phase -------------------------------------------------------------


def test_depth_sources_in_order():
    assert depth(het()) == (30, "DP")
    assert depth(het(dp=None, ad_site=12, read_source="RO/AO")) == (12, "RO/AO")
    assert depth(bare(sv_reads=25)) == (25, "SV read support")
    assert depth(bare()) == (None, None)


def test_haploid_autosomal_call_reads_with_cn():
    assert zygosity(het(alleles=(1,), cn=1)) == "hemizygous"
    assert zygosity(het(alleles=(1,))) == "homozygous"
    assert zygosity_flags(het(alleles=(1,)), "homozygous")  # no CN: review
    assert not zygosity_flags(het(alleles=(1,), cn=1), "hemizygous")


@pytest.mark.parametrize(
    "alt,gt,cn,expected",
    [
        ("<DEL>", (1,), 1, "heterozygous"),  # gCNV haploid GT 1 at CN=1: one copy lost
        ("<DEL>", (1,), 0, "homozygous"),
        ("<DUP>", (-1,), 1, None),  # the DUP half of a split gCNV <DEL>,<DUP>
        ("<CNV>", (1, 1), 0, "homozygous"),  # Delly cnv mode
        ("<CNV>", (0, 0), 2, None),
        ("<CNV>", (0, 1), 3, "heterozygous"),
        ("<DEL>", (0, 1), None, "heterozygous"),
    ],
)
def test_sv_zygosity_from_copy_number(alt, gt, cn, expected):
    assert sv_zygosity(rec(alt=alt, kind="sv"), bare(alleles=gt, cn=cn)) == expected


def test_hemizygous_and_contradictions_with_deletions():
    dels = [(900, 1100, "heterozygous")]
    assert with_deletions("homozygous", 1000, 1000, []) == ("homozygous", ())
    assert with_deletions("homozygous", 1000, 1000, dels) == ("hemizygous", ())
    zyg, flags = with_deletions("heterozygous", 1000, 1000, dels)
    assert zyg == "heterozygous" and "contradiction" in flags[0]
    assert with_deletions("heterozygous", 1200, 1200, dels) == ("heterozygous", ())
    assert "homozygous deletion" in with_deletions("heterozygous", 1000, 1000, [(900, 1100, "homozygous")])[1][0]


@pytest.mark.parametrize(
    "g,expected",
    [
        (het(alleles=(0, 1), phased=True, phase_set=77), (True, 77, 1, "GT|PS")),
        (het(alleles=(1, 0), phased=True, phase_set="chr9-5"), (True, "chr9-5", 0, "GT|PS")),
        (het(alleles=(0, 1), phased=True, phase_set=None), (False, None, None, None)),
        (het(hp="23-1,23-2"), (True, 23, 1, "HP (WhatsHap)")),
        (het(hp="23-2,23-1"), (True, 23, 0, "HP (WhatsHap)")),
        (het(pgt="0|1", pid="1000_A_C"), (True, "1000_A_C", 1, "PGT/PID (GATK)")),
        (het(alleles=(1, -1), other_alt=True), (True, "chr9:1000 (1/2 call)", 0, "GT 1/2 (two ALTs at one site)")),
        (het(), (False, None, None, None)),
    ],
)
def test_phase_sources(g, expected):
    p = phase(g, "chr9:1000")
    assert (p.phased, p.phase_set, p.haplotype, p.source) == expected


def test_low_confidence_reference_calls():
    assert low_confidence_reference(bare(alleles=(-1, -1)), TH) == "no genotype call (./.)"
    assert low_confidence_reference(het(alleles=(0, 0), dp=3, ad_site=3), TH) == "0/0 at depth 3 (below 10)"
    assert low_confidence_reference(het(alleles=(0, 0), gq=5), TH) == "0/0 with GQ 5 (below 20)"
    assert low_confidence_reference(het(alleles=(0, 0)), TH) is None
