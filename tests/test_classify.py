"""Classification rules: curated classes, evidence tiers, PS1/PM5, PVS1 with NMD escape, the default rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import codon_variant, make_ann

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
    assert c.curated_class and "class likely pathogenic set by curated entry HSH0002 (genomic match" in c.rule
    assert "Front. Pediatr. 2022" in c.rule and "lab-asserted curated class" in c.rule
    assert c.criteria == ()  # the curated class is said as such, not dressed up as an ACMG code


def test_curated_cdna_match_keeps_the_curated_class(ct, cache38):
    from hshpipe.classify import classify
    from hshpipe.curation import CuratedMatch

    e = entry(ct, hgvs_c="NM_017662.5:c.1638+7T>C").entry
    c = classify(make_ann(("splice_region_variant", "intron_variant")), CuratedMatch(e.id, "cdna", e))
    assert c.classification == "likely_pathogenic" and "(cdna match;" in c.rule


def test_exon_level_entry_exact_and_larger_deletion(ct, cache38):
    e6 = next(e for e in cache38.transcript.exons if e.number == 6)
    sv = Variant("chr9", e6.start - 300, "N", "<DEL>")
    m, c = classify_variant(ct, sv, make_ann(("exon_loss_variant", "feature_truncation"), exons_affected=(6,)))
    assert m.level == "exon" and c.classification == "pathogenic"
    assert "set by curated entry HSH0003 (exon match" in c.rule
    # a deletion of exons 5-7 overlaps the entry but is another event: the PVS1 tree decides
    from hshpipe.consequence import annotate_sv

    t = cache38.transcript
    big = annotate_sv("chr9", t.exons[6].start - 100, t.exons[4].end + 100, "DEL", cache38)
    m, c = classify_variant(ct, sv, big)
    assert m.level == "exon" and c.classification == "likely_pathogenic" and c.codes == ("PVS1",)
    assert "overlaps curated exon-level entry HSH0003" in c.rule and "deletion of exons 5-7" in c.rule


def test_unconfirmed_nonsense_falls_through_to_pvs1(ct, cache38):
    from hshpipe.consequence import annotate

    ce = entry(ct, hgvs_c="NM_017662.5:c.4287C>A")
    ann = annotate(ce.variant, cache38)
    m, c = classify_variant(ct, ce.variant, ann)
    assert m.level == "genomic" and m.entry.evidence_tier == "unconfirmed"
    assert c.classification == "likely_pathogenic" and c.points == 8 and c.codes == ("PVS1",)
    assert "curated entry HSH0004 (genomic match) says pathogenic but is unconfirmed tier: not used" in c.rule
    assert "novel" not in c.rule


def test_unconfirmed_entry_never_sets_the_class(ct):
    ce = entry(ct, hgvs_c="NM_017662.5:c.1769C>G")
    ann = make_ann(("missense_variant",), hgvs_c="NM_017662.5:c.1769C>G", protein_start=590, ref_aa="S", alt_aa="C")
    m, c = classify_variant(ct, ce.variant, ann)
    assert m.level == "genomic"
    assert c.classification == "uncertain_significance"
    assert "unconfirmed tier: not used" in c.rule and "novel" not in c.rule


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
    assert "set by curated entry ClinVar:900001 (genomic match; ClinVar VariationID 900001" in c.rule
    zero = entry(ct, id="ClinVar:900005")
    ann = make_ann(("missense_variant",), protein_start=300, ref_aa=zero.protein[1], alt_aa=zero.protein[2])
    m, c = classify_variant(ct, zero.variant, ann)
    assert m.id == "ClinVar:900005" and c.classification == "uncertain_significance"
    assert "0 star(s)" in c.rule


# --- protein and codon level ----------------------------------------------------------------------------------
def test_protein_match_to_pathogenic_is_ps1_alone_uncertain(ct):
    """PS1 is strong (4 points): without population or predictor evidence that is uncertain significance."""
    ann = make_ann(("missense_variant",), hgvs_p="NP_060132.3:p.(Ser141Leu)", protein_start=141, ref_aa="S", alt_aa="L")
    m, c = classify_variant(ct, Variant("chr9", 74880000, "G", "A"), ann)
    assert m.level == "protein"
    assert (c.classification, c.codes, c.points) == ("uncertain_significance", ("PS1",), 4)
    assert "PS1 (strong, +4): same amino-acid change as curated pathogenic entry HSH0001" in c.rule
    assert "Chubanov et al. 2004, PMID 14976260" in c.rule and "BA1, BS1, BS2, PM2: not assessed" in c.rule


def test_codon_match_is_uncertain_with_pm5(ct):
    ann = make_ann(("missense_variant",), protein_start=141, ref_aa="S", alt_aa="P")
    m, c = classify_variant(ct, Variant("chr9", 74880000, "G", "A"), ann)
    assert m.level == "codon"
    assert c.classification == "uncertain_significance" and c.codes == ("PM5",) and c.points == 2
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


# --- criteria and points --------------------------------------------------------------------------------------
def test_pvs1_alone_is_likely_pathogenic_by_points_and_says_pm2_not_assessed(cache38):
    from hshpipe.classify import classify
    from hshpipe.consequence import annotate

    c = classify(annotate(Variant("chr9", 74800394, "G", "A"), cache38), None)  # c.2098C>T p.(Arg700Ter)
    assert (c.classification, c.points, c.codes) == ("likely_pathogenic", 8, ("PVS1",))
    # the readers' own words when no file is given (a null allele takes no predictor criterion: none is listed)
    assert c.not_assessed == ("BA1, BS1, BS2, PM2: not assessed (no population file given: set population_vcf)",)
    assert c.not_assessed[0] in c.rule
    assert c.rule.startswith("PVS1 (very strong, +8): stop_gained; premature stop at codon 700, NMD predicted")
    assert c.rule.endswith("8 points: likely pathogenic") and "novel" not in c.rule


def test_external_evidence_is_folded_in(cache38):
    from hshpipe.acmg import Criterion, Evidence
    from hshpipe.classify import classify
    from hshpipe.consequence import annotate

    ann = annotate(Variant("chr9", 74800394, "G", "A"), cache38)
    pm2 = Criterion("PM2", "supporting", "pathogenic", "absent from gnomAD v4")
    c = classify(ann, None, Evidence((pm2,), ("PP3, BP4: not assessed (no SpliceAI/REVEL file given)",)))
    assert (c.classification, c.points, c.codes) == ("likely_pathogenic", 9, ("PVS1", "PM2_Supporting"))
    assert "PM2, BA1" not in c.rule and "no SpliceAI/REVEL file given" in c.rule
    ba1 = Criterion("BA1", "stand_alone", "benign", "allele frequency 12% in gnomAD")
    assert classify(ann, None, Evidence((ba1,))).classification == "benign"


def test_start_loss_and_inframe_skip_stay_uncertain(cache38):
    from hshpipe.classify import classify
    from hshpipe.consequence import annotate

    t = cache38.transcript
    for c, code, pts in ((CPos(1), "PVS1_Supporting", 1), (CPos(1443, 1), "PVS1_Moderate", 2)):
        g = t.genomic_of_c(c)
        ref = cache38.fetch(g, g)
        r = classify(annotate(Variant("chr9", g, ref, "C" if ref != "C" else "T"), cache38), None)
        assert (r.classification, r.codes, r.points) == ("uncertain_significance", (code,), pts)


def test_small_inframe_deletion_gets_pm4_and_deep_intronic_gets_bp7(cache38):
    from hshpipe.classify import classify
    from hshpipe.consequence import annotate

    t = cache38.transcript
    g = t.genomic_of_c(CPos(1502))
    c = classify(annotate(Variant("chr9", g - 3, cache38.fetch(g - 3, g), cache38.fetch(g - 3, g - 3)), cache38), None)
    assert c.codes == ("PM4",) and c.classification == "uncertain_significance"
    deep = classify(annotate(Variant("chr9", 74810735, "C", "T"), cache38), None)  # c.1497+80G>A
    assert (deep.codes, deep.points, deep.classification) == (("BP7",), -1, "likely_benign")
    g = t.genomic_of_c(CPos(1498, -18))  # -18: inside the region BP7 leaves out (-20..+6)
    ref = cache38.fetch(g, g)
    near = classify(annotate(Variant("chr9", g, ref, "A" if ref != "A" else "C"), cache38), None)
    assert near.codes == () and near.classification == "uncertain_significance"


@pytest.mark.parametrize(
    "cons,expect",
    [
        (("missense_variant",), "uncertain_significance"),
        (("splice_region_variant", "intron_variant"), "uncertain_significance"),
        (("synonymous_variant", "splice_region_variant"), "uncertain_significance"),
        (("synonymous_variant",), "likely_benign"),
        (("3_prime_UTR_variant",), "likely_benign"),
        (("regulatory_region_variant",), "uncertain_significance"),
    ],
)
def test_consequence_only_rules(cons, expect):
    from hshpipe.classify import classify

    c = classify(make_ann(cons), None)
    assert c.classification == expect
    assert "no_effect" not in c.rule and all(x.code[:2] in ("BP", "PM", "PV") for x in c.criteria)


# --- end to end with the real annotator -----------------------------------------------------------------------
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
    ann, m, c = run(codon_variant(cache38, 141, "CTG"))
    assert ann.hgvs_p == "NP_060132.3:p.(Ser141Leu)" and m.level == "protein"
    assert c.classification == "uncertain_significance" and "PS1" in c.codes
    hom = SampleCall(
        key="s141l", classification=c.classification, zygosity="homozygous", hgvs_c=ann.hgvs_c, hgvs_p=ann.hgvs_p
    )
    v = decide([hom])
    assert v.verdict == "uncertain" and "p.(Ser141Leu)" in v.text and "segregation" in v.text
    # Ser141Trp: codon level, PM5
    ann, m, c = run(codon_variant(cache38, 141, "TGG"))
    assert ann.hgvs_p == "NP_060132.3:p.(Ser141Trp)" and m.level == "codon"
    assert (c.classification, c.codes) == ("uncertain_significance", ("PM5",))
    # deletion of exon 6 with intronic breakpoints: exon level, curated pathogenic
    e6 = next(e for e in t.exons if e.number == 6)
    sv = consequence.annotate_sv("chr9", e6.start - 150, e6.end + 150, "DEL", cache38)
    m = ct.match(Variant("chr9", e6.start - 151, "N", "<DEL>"), sv)
    from hshpipe.classify import classify

    assert m.level == "exon" and classify(sv, m).classification == "pathogenic"


def test_interpreter_memo_keeps_sv_types_apart(cache38, ct):
    """Two symbolic records of a batch at one position with one ALT but another INFO/SVTYPE are two alleles: the
    memo of annotations must not give the second the first one's (the record key holds the type)."""
    from hshpipe.interpret import Interpreter, _record_key
    from hshpipe.vcfio import Record

    e6 = cache38.transcript.exons[5]
    lo, hi = e6.start - 150, e6.end + 150
    it = Interpreter(cache38, ct)
    kinds = []
    for svtype in ("DEL", "DUP"):
        info = {"SVTYPE": svtype, "END": str(hi)}
        r = Record("chr9", lo - 1, "N", "<CNV>", hi, ("chr9", lo - 1, "N", "<CNV>"), ("PASS",), None, info, "sv")
        ann = it._annotate(_record_key(r), r, Variant("chr9", r.pos, r.ref, r.alt))
        assert ann.sv is not None
        kinds.append(ann.sv.kind)
    assert kinds == ["DEL", "DUP"]
