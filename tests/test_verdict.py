"""Recessive verdict per sample: every path, phase, QC, proximity and VUS wording."""

from __future__ import annotations

import pytest

from hshpipe.verdict import SampleCall, decide, phase_relation

P, LP, VUS, LB = "pathogenic", "likely_pathogenic", "uncertain_significance", "likely_benign"


def call(
    n: int,
    cls: str = LP,
    zyg: str = "heterozygous",
    *,
    phased: bool = False,
    ps=None,
    hap=None,
    qc: bool = True,
    pos: int | None = None,
    flags=(),
) -> SampleCall:
    return SampleCall(
        key=f"chr9:{pos or 74800000 + 1000 * n}:C:T",
        classification=cls,
        zygosity=zyg,
        phased=phased,
        phase_set=ps,
        haplotype=hap,
        qc_pass=qc,
        pos=pos or 74800000 + 1000 * n,
        hgvs_c=f"NM_017662.5:c.{100 * n}C>T",
        hgvs_p=f"NP_060132.3:p.(Arg{33 * n}Ter)",
        qc_flags=tuple(flags),
    )


def test_homozygous_is_biallelic():
    v = decide([call(1, P, "homozygous"), call(2, LB)])
    assert v.verdict == "biallelic"
    assert v.text == "A pathogenic TRPM6 variant, homozygous: c.100C>T p.(Arg33Ter)."
    assert v.qualifying == ("chr9:74801000:C:T",)


def test_hemizygous_is_biallelic_with_the_deletion_named():
    v = decide([call(1, LP, "hemizygous")])
    assert v.verdict == "biallelic" and "hemizygous" in v.text and "confirm the deletion" in v.text


def test_two_in_trans_by_phase_is_biallelic():
    a, b = call(1, P, phased=True, ps=555, hap=0), call(2, LP, phased=True, ps=555, hap=1)
    assert phase_relation(a, b) == "trans"
    v = decide([a, b])
    assert v.verdict == "biallelic"
    assert "in trans by phase (phase set 555)" in v.text
    assert set(v.qualifying) == {a.key, b.key}


def test_two_unphased_is_possible_compound_het():
    v = decide([call(1), call(2)])
    assert v.verdict == "possible_compound_heterozygous"
    assert v.text == (
        "Two likely pathogenic TRPM6 variants, phase unknown: c.100C>T p.(Arg33Ter) and "
        "c.200C>T p.(Arg66Ter); parental testing needed to confirm they are in trans."
    )


def test_phased_in_different_phase_sets_is_still_unknown():
    a, b = call(1, phased=True, ps=1, hap=0), call(2, phased=True, ps=2, hap=1)
    assert phase_relation(a, b) == "unknown"
    assert decide([a, b]).verdict == "possible_compound_heterozygous"


def test_mixed_classes_are_named_per_variant():
    v = decide([call(1, P), call(2, LP)])
    assert "Two pathogenic or likely pathogenic TRPM6 variants" in v.text
    assert "c.100C>T p.(Arg33Ter) [pathogenic]" in v.text and "[likely pathogenic]" in v.text


def test_two_in_cis_is_monoallelic():
    a, b = call(1, phased=True, ps=7, hap=1), call(2, phased=True, ps=7, hap=1)
    v = decide([a, b])
    assert v.verdict == "monoallelic"
    assert "same allele (in cis by phase" in v.text and "does not explain a recessive disease" in v.text


def test_three_with_one_pair_in_trans_is_biallelic_and_partly_unphased_is_possible():
    a, b, c = call(1, phased=True, ps=7, hap=0), call(2, phased=True, ps=7, hap=0), call(3)
    assert decide([a, b, c]).verdict == "possible_compound_heterozygous"  # c may be in trans
    c2 = call(3, phased=True, ps=7, hap=1)
    v = decide([a, b, c2])
    assert v.verdict == "biallelic" and v.text.startswith("Three likely pathogenic TRPM6 variants")


def test_single_het_is_monoallelic():
    v = decide([call(1, P), call(2, LB)], coverage_note="98.5% of coding bases at >= 20x.")
    assert v.verdict == "monoallelic"
    assert v.text.startswith(
        "One pathogenic TRPM6 variant, heterozygous: c.100C>T p.(Arg33Ter); no second qualifying variant found"
    )
    assert v.text.endswith("98.5% of coding bases at >= 20x.")


def test_single_het_with_a_vus_in_trans_or_unphased_is_uncertain_but_not_in_cis():
    q = call(1, LP, phased=True, ps=9, hap=0)
    trans = call(2, VUS, phased=True, ps=9, hap=1)
    unph = call(3, VUS)
    cis = call(4, VUS, phased=True, ps=9, hap=0)
    v = decide([q, trans, unph, cis])
    assert v.verdict == "uncertain" and v.qualifying == (q.key,)
    assert v.text.startswith("One likely pathogenic TRPM6 variant, heterozygous: c.100C>T p.(Arg33Ter); the other")
    assert "c.200C>T p.(Arg66Ter) (in trans by phase)" in v.text
    assert "c.300C>T p.(Arg99Ter) (phase unknown)" in v.text
    assert "segregation" in v.text and "RNA studies" in v.text and "functional data" in v.text
    assert "c.400C>T" not in v.text
    only_cis = decide([q, cis])
    assert only_cis.verdict == "monoallelic"
    assert any("c.400C>T" in n and "in cis" in n for n in only_cis.notes)


def test_homozygous_vus_is_uncertain_and_names_the_variant():
    v = decide([call(1, VUS, "homozygous"), call(2, LB)])
    assert v.verdict == "uncertain" and v.qualifying == ()
    assert "a variant of uncertain significance is homozygous: c.100C>T p.(Arg33Ter)" in v.text
    assert "Review needed" in v.text and "segregation" in v.text


def test_lone_heterozygous_vus_stays_negative_with_the_vus_listed():
    v = decide([call(1, VUS)])
    assert v.verdict == "negative" and "Variant(s) of uncertain significance: c.100C>T" in v.text


def test_homozygous_vus_with_a_failed_pathogenic_call_is_inconclusive():
    v = decide([call(1, VUS, "homozygous"), call(2, P, qc=False, flags=("DP<10",))])
    assert v.verdict == "inconclusive"


def test_no_qualifying_is_negative_and_says_what_was_covered():
    v = decide([call(1, VUS), call(2, LB)], coverage_note="Coverage: 100% of coding bases at >= 20x; no gaps.")
    assert v.verdict == "negative" and v.qualifying == ()
    assert v.text.startswith("No pathogenic or likely pathogenic TRPM6 variant found.")
    assert "Variant(s) of uncertain significance: c.100C>T" in v.text
    assert v.text.endswith("no gaps.")
    v = decide([])
    assert v.verdict == "negative" and "Coverage of TRPM6 was not assessed" in v.text


def test_pathogenic_failing_qc_makes_an_otherwise_negative_sample_inconclusive():
    v = decide([call(1, P, qc=False, flags=("DP<10",))])
    assert v.verdict == "inconclusive" and v.qualifying == ()
    assert "c.100C>T p.(Arg33Ter) (pathogenic, failed QC: DP<10)" in v.text
    assert "confirm it by an orthogonal method" in v.text


def test_failed_qc_second_variant_is_named_with_a_single_het():
    v = decide([call(1, LP), call(2, P, qc=False, flags=("GQ<20",))])
    assert v.verdict == "monoallelic"
    assert "c.200C>T p.(Arg66Ter), failed QC: GQ<20" in v.text
    assert any("failed QC" in n for n in v.notes)


def test_not_assessable_is_inconclusive():
    v = decide([call(1, P)], assessable=False, coverage_note="No genotype call in the region.")
    assert v.verdict == "inconclusive"
    assert v.text == (
        "TRPM6 could not be assessed in this sample (no usable genotype in the region). No genotype call in the region."
    )


def test_qualifying_variants_closer_than_150bp_are_called_out():
    v = decide([call(1, pos=74800000), call(2, pos=74800100)])
    assert v.verdict == "possible_compound_heterozygous"
    assert any("100 bp apart" in n and "one event" in n for n in v.notes)
    assert "within 150 bp" in v.text
    far = decide([call(1, pos=74800000), call(2, pos=74800150)])
    assert not any("bp apart" in n for n in far.notes)


def test_a_pathogenic_class_with_a_missing_c_name_uses_the_key():
    c = SampleCall(key="chr9:74833000:N:<DEL>", classification=P, zygosity="homozygous", pos=74833000)
    assert decide([c]).text == "A pathogenic TRPM6 variant, homozygous: chr9:74833000:N:<DEL>."


def test_bad_zygosity_is_refused():
    with pytest.raises(ValueError, match="zygosity"):
        SampleCall(key="k", classification=P, zygosity="het")


def test_a_vus_without_predicted_effect_is_listed_but_not_a_candidate_second_allele():
    """A deep intronic or UTR VUS the rules found without effect (BP7) does not turn a carrier into `uncertain`;
    a VUS with a possible effect does."""
    from dataclasses import replace

    q = call(1)
    deep = replace(call(2, VUS), plausible=False)
    assert decide([q, deep]).verdict == "monoallelic"
    assert decide([replace(call(3, VUS, "homozygous"), plausible=False)]).verdict == "negative"
    assert decide([q, call(2, VUS)]).verdict == "uncertain"
