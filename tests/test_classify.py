"""Classification rules: curated classes, evidence tiers, PS1/PM5, PVS1 with NMD escape, the default rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_ann
from hshpipe.model import CPos, Variant

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "resources" / "curated" / "hsh_variants.tsv"
CLINVAR = ROOT / "tests" / "data" / "curated" / "clinvar_trpm6_GRCh38.vcf"


@pytest.fixture(scope="module")
def ct(cache38):
    from hshpipe.curation import load_curated_table

    return load_curated_table(TABLE).compile(cache38, clinvar_vcf=CLINVAR)


def entry(ct, **kw):
    return next(c for c in ct.entries if all(getattr(c.entry, k) == v for k, v in kw.items()))


def classify_variant(ct, v, ann):
    from hshpipe.classify import classify

    m = ct.match(v, ann)
    return m, classify(ann, m)


# --- curated entries ------------------------------------------------------------------------------------------
def test_curated_genomic_match_keeps_the_curated_class(ct):
    ce = entry(ct, hgvs_c="NM_017662.5:c.1638+7T>C")
    ann = make_ann(("splice_region_variant", "intron_variant"), hgvs_c="NM_017662.5:c.1638+7T>C")
    m, c = classify_variant(ct, ce.variant, ann)
    assert m.level == "genomic"
    assert c.classification == "likely_pathogenic"
    assert c.rule == "curated: Front. Pediatr. 2022, doi:10.3389/fped.2022.834241 (genomic match)"
    assert c.criteria == ("curated",)


def test_curated_cdna_match_keeps_the_curated_class(ct, cache38):
    from hshpipe.classify import classify
    from hshpipe.curation import CuratedMatch

    e = entry(ct, hgvs_c="NM_017662.5:c.1638+7T>C").entry
    c = classify(make_ann(("splice_region_variant", "intron_variant")), CuratedMatch(e.id, "cdna", e))
    assert c.classification == "likely_pathogenic" and c.rule.endswith("(cdna match)")


def test_exon_level_entry_exact_and_larger_deletion(ct, cache38):
    e6 = next(e for e in cache38.transcript.exons if e.number == 6)
    sv = Variant("chr9", e6.start - 300, "N", "<DEL>")
    m, c = classify_variant(ct, sv, make_ann(("exon_loss_variant", "feature_truncation"), exons_affected=(6,)))
    assert m.level == "exon" and c.classification == "pathogenic"
    assert c.rule == "curated: Front. Pediatr. 2022, doi:10.3389/fped.2022.834241 (exon match)"
    # a deletion of exons 5-7 overlaps the entry but is another event: the null-variant rule decides
    m, c = classify_variant(ct, sv, make_ann(("exon_loss_variant",), exons_affected=(5, 6, 7)))
    assert m.level == "exon" and c.classification == "likely_pathogenic"
    assert "overlaps curated exon-level entry" in c.rule and "(PVS1)" in c.rule


def test_unconfirmed_nonsense_falls_through_to_pvs1(ct):
    ce = entry(ct, hgvs_c="NM_017662.5:c.4287C>A")
    ann = make_ann(
        ("stop_gained",),
        hgvs_c="NM_017662.5:c.4287C>A",
        hgvs_p="NP_060132.3:p.(Cys1429Ter)",
        protein_start=1429,
        ref_aa="C",
        alt_aa="*",
        exon="29/39",
    )
    m, c = classify_variant(ct, ce.variant, ann)
    assert m.level == "genomic" and m.entry.evidence_tier == "unconfirmed"
    assert c.classification == "likely_pathogenic"
    assert "unconfirmed tier" in c.rule and "does not decide a class on its own" in c.rule
    assert c.rule.endswith("novel stop_gained in TRPM6, loss of function is the disease mechanism (PVS1)")
    assert c.criteria == ("PVS1",)


def test_unconfirmed_entry_never_sets_the_class(ct):
    ce = entry(ct, hgvs_c="NM_017662.5:c.1769C>G")
    ann = make_ann(("missense_variant",), hgvs_c="NM_017662.5:c.1769C>G", protein_start=590, ref_aa="S", alt_aa="C")
    m, c = classify_variant(ct, ce.variant, ann)
    assert m.level == "genomic"
    assert c.classification == "uncertain_significance"
    assert "unconfirmed tier" in c.rule and "missense_variant in TRPM6" in c.rule


def test_secondary_tier_cannot_make_a_variant_pathogenic(tmp_path, cache38):
    from hshpipe.classify import classify
    from hshpipe.curation import CuratedMatch, load_curated_table

    p = tmp_path / "t.tsv"
    p.write_text(
        "## version: t\nid\thgvs_c\thgvs_p\texon\tkind\tclassification\tevidence_tier\tsource\tevidence\t"
        "curated_on\nS1\tNM_017662.5:c.1769C>G\t\t\tcoding_substitution\tpathogenic\tsecondary\t"
        "Review, PMID 2\treview only\t2026-11-27\n"
    )
    e = load_curated_table(p).entries[0]
    c = classify(make_ann(("missense_variant",)), CuratedMatch("S1", "genomic", e))
    assert c.classification == "uncertain_significance" and "secondary tier" in c.rule


def test_clinvar_review_status_decides_whether_a_record_counts(ct, cache38):
    two_star = entry(ct, id="ClinVar:900001")
    ann = make_ann(("missense_variant",), protein_start=200, ref_aa=two_star.protein[1], alt_aa=two_star.protein[2])
    m, c = classify_variant(ct, two_star.variant, ann)
    assert m.id == "ClinVar:900001" and c.classification == "pathogenic"
    assert c.rule == "curated: ClinVar VariationID 900001 (genomic match)"
    zero = entry(ct, id="ClinVar:900005")
    ann = make_ann(("missense_variant",), protein_start=300, ref_aa=zero.protein[1], alt_aa=zero.protein[2])
    m, c = classify_variant(ct, zero.variant, ann)
    assert m.id == "ClinVar:900005" and c.classification == "uncertain_significance"
    assert "0 star(s)" in c.rule


# --- protein and codon level ----------------------------------------------------------------------------------
def test_protein_match_to_pathogenic_is_likely_pathogenic_ps1(ct):
    ann = make_ann(("missense_variant",), hgvs_p="NP_060132.3:p.(Ser141Leu)", protein_start=141, ref_aa="S", alt_aa="L")
    m, c = classify_variant(ct, Variant("chr9", 74880000, "G", "A"), ann)
    assert m.level == "protein"
    assert c.classification == "likely_pathogenic" and c.criteria == ("PS1",)
    assert "(PS1)" in c.rule and "curated: Chubanov et al. 2004, PMID 14976260 (protein match)" in c.rule


def test_codon_match_is_uncertain_with_pm5(ct):
    ann = make_ann(("missense_variant",), protein_start=141, ref_aa="S", alt_aa="P")
    m, c = classify_variant(ct, Variant("chr9", 74880000, "G", "A"), ann)
    assert m.level == "codon"
    assert c.classification == "uncertain_significance" and c.criteria == ("PM5",)
    assert "PM5" in c.rule and "Chubanov" in c.rule


def test_protein_match_to_benign_polymorphism(ct):
    ann = make_ann(("missense_variant",), protein_start=1393, ref_aa="V", alt_aa="I")
    m, c = classify_variant(ct, Variant("chr9", 74760000, "C", "T"), ann)
    assert m.level == "protein" and c.classification == "likely_benign"
    assert "PMC4062555" in c.rule
    # with a splice-region effect the protein evidence is not enough
    ann = make_ann(("missense_variant", "splice_region_variant"), protein_start=1393, ref_aa="V", alt_aa="I")
    m, c = classify_variant(ct, Variant("chr9", 74760000, "C", "T"), ann)
    assert c.classification == "uncertain_significance"


# --- rules for novel variants ---------------------------------------------------------------------------------
NOVEL = Variant("chr9", 74790000, "C", "T")


@pytest.mark.parametrize(
    "cons",
    [
        "stop_gained",
        "frameshift_variant",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "start_lost",
        "transcript_ablation",
        "exon_loss_variant",
    ],
)
def test_novel_null_variant_is_likely_pathogenic(ct, cons):
    ann = make_ann(
        (cons,),
        hgvs_c="NM_017662.5:c.1000C>T",
        protein_start=334 if "splice" not in cons else None,
        hgvs_p="NP_060132.3:p.(Arg334GlyfsTer20)" if cons == "frameshift_variant" else None,
    )
    m, c = classify_variant(ct, NOVEL, ann)
    assert m is None
    assert c.classification == "likely_pathogenic" and c.criteria == ("PVS1",)
    assert c.rule == f"novel {cons} in TRPM6, loss of function is the disease mechanism (PVS1)"


def test_nmd_escape_boundaries():
    """Exon 38 = c.5829..c.5935, exon 39 starts at c.5936: the NMD-escape zone starts at c.5886."""
    from hshpipe.classify import classify

    def stop_at(codon):
        return classify(make_ann(("stop_gained",), protein_start=codon, ref_aa="R", alt_aa="*"), None)

    assert stop_at(1961).classification == "likely_pathogenic"  # c.5881..5883
    assert stop_at(1962).classification == "likely_pathogenic"  # c.5884..5886: first base outside the zone
    flagged = stop_at(1963)  # c.5887: within the last 50 bp of exon 38
    assert flagged.classification == "uncertain_significance"
    assert "PVS1_moderate" in flagged.criteria and "nonsense-mediated decay" in flagged.rule
    assert stop_at(2000).classification == "uncertain_significance"  # last exon


def test_frameshift_whose_new_stop_lies_in_the_last_exon_is_flagged():
    from hshpipe.classify import classify

    early = make_ann(("frameshift_variant",), protein_start=1950, hgvs_p="NP_060132.3:p.(Arg1950GlyfsTer5)")
    late = make_ann(("frameshift_variant",), protein_start=1950, hgvs_p="NP_060132.3:p.(Arg1950GlyfsTer40)")
    assert classify(early, None).classification == "likely_pathogenic"
    assert classify(late, None).classification == "uncertain_significance"


@pytest.mark.parametrize(
    "cons,expect,words",
    [
        (("missense_variant",), "uncertain_significance", "missense_variant in TRPM6"),
        (("inframe_deletion",), "uncertain_significance", "inframe_deletion"),
        (("stop_lost",), "uncertain_significance", "stop_lost"),
        (("splice_region_variant", "intron_variant"), "uncertain_significance", "outside the canonical splice sites"),
        (("splice_donor_5th_base_variant", "intron_variant"), "uncertain_significance", "splice_donor_5th_base"),
        (("splice_polypyrimidine_tract_variant", "intron_variant"), "uncertain_significance", "effect on splicing"),
        (("synonymous_variant", "splice_region_variant"), "uncertain_significance", "splice_region_variant"),
        (("synonymous_variant",), "likely_benign", "no predicted effect"),
        (("intron_variant",), "likely_benign", "intron_variant in TRPM6"),
        (("5_prime_UTR_variant",), "likely_benign", "5_prime_UTR_variant"),
        (("3_prime_UTR_variant",), "likely_benign", "3_prime_UTR_variant"),
        (("upstream_gene_variant",), "likely_benign", "upstream_gene_variant"),
        (("downstream_gene_variant",), "likely_benign", "downstream_gene_variant"),
        (("regulatory_region_variant",), "uncertain_significance", "not covered by the classification rules"),
    ],
)
def test_default_rules(cons, expect, words):
    from hshpipe.classify import classify

    c = classify(make_ann(cons), None)
    assert c.classification == expect and words in c.rule


# --- end to end with the real annotator -----------------------------------------------------------------------
def _codon_variant(cache, codon: int, new_codon: str) -> Variant:
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


def test_end_to_end_levels_with_real_annotation(ct, cache38):
    """annotate() -> match() -> classify() -> decide() on the GRCh38 stand-in, one variant per level."""
    from hshpipe import consequence
    from hshpipe.verdict import SampleCall, decide

    t = cache38.transcript

    def run(v):
        ann = consequence.annotate(v, cache38)
        m, c = classify_variant(ct, v, ann)
        return ann, m, c

    g = t.genomic_of_c(CPos(1638, 7))
    ann, m, c = run(Variant("chr9", g, "A", "G"))
    assert (ann.hgvs_c, m.level, c.classification) == ("NM_017662.5:c.1638+7T>C", "genomic", "likely_pathogenic")
    # the same change as an untrimmed two-base record: no genomic key, same c. name
    nxt = cache38.fetch(g + 1, g + 1)
    ann, m, c = run(Variant("chr9", g, "A" + nxt, "G" + nxt))
    assert ann.hgvs_c == "NM_017662.5:c.1638+7T>C" and m.level == "cdna" and c.classification == "likely_pathogenic"
    # Ser141Leu by another codon change (the stand-in codon is not the published one): protein level, PS1
    ann, m, c = run(_codon_variant(cache38, 141, "CTG"))
    assert ann.hgvs_p == "NP_060132.3:p.(Ser141Leu)" and m.level == "protein"
    assert c.classification == "likely_pathogenic" and "PS1" in c.criteria
    hom = SampleCall(
        key="s141l", classification=c.classification, zygosity="homozygous", hgvs_c=ann.hgvs_c, hgvs_p=ann.hgvs_p
    )
    v = decide([hom])
    assert v.verdict == "biallelic" and "p.(Ser141Leu)" in v.text
    # Ser141Trp: codon level, PM5
    ann, m, c = run(_codon_variant(cache38, 141, "TGG"))
    assert ann.hgvs_p == "NP_060132.3:p.(Ser141Trp)" and m.level == "codon"
    assert (c.classification, c.criteria) == ("uncertain_significance", ("PM5",))
    # deletion of exon 6 with intronic breakpoints: exon level, curated pathogenic
    e6 = next(e for e in t.exons if e.number == 6)
    sv = consequence.annotate_sv("chr9", e6.start - 150, e6.end + 150, "DEL", cache38)
    m = ct.match(Variant("chr9", e6.start - 151, "N", "<DEL>"), sv)
    from hshpipe.classify import classify

    assert m.level == "exon" and classify(sv, m).classification == "pathogenic"
