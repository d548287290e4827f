"""Consequence engine on the stand-in references: hand-checked cases.

Expected protein changes are derived in the test from the reference CDS with a plain translate() of
the edited sequence (independent of the engine's codon-window logic), or are stated from the
stand-in's design (c.1768-1770 is the forced codon TCC; the stop codon is TGA; introns start GTAAGT).
"""

from __future__ import annotations

import pytest

from hshpipe.consequence import SO_RANKING, annotate, annotate_haplotype, annotate_sv
from hshpipe.errors import InputError
from hshpipe.model import CPos, Variant
from hshpipe.reference import revcomp, translate

AA3 = dict(
    A="Ala", R="Arg", N="Asn", D="Asp", C="Cys", Q="Gln", E="Glu", G="Gly", H="His", I="Ile",
    L="Leu", K="Lys", M="Met", F="Phe", P="Pro", S="Ser", T="Thr", W="Trp", Y="Tyr", V="Val",
)  # fmt: skip
AA3["*"] = "Ter"


def snv(cache, c: CPos, alt_tx: str) -> Variant:
    """Variant from a c. position and a transcript-strand alt base (TRPM6 is on the minus strand)."""
    t = cache.transcript
    g = t.genomic_of_c(c)
    alt = revcomp(alt_tx) if t.strand < 0 else alt_tx
    return Variant(cache.contig, g, cache.fetch(g, g), alt)


def tx_base(cache, c: CPos) -> str:
    g = cache.transcript.genomic_of_c(c)
    b = cache.fetch(g, g)
    return revcomp(b) if cache.transcript.strand < 0 else b


def other(b: str) -> str:
    return "A" if b != "A" else "C"


# ------------------------------------------------------------------------------------ coding SNVs
def test_forced_codon_590_missense_synonymous_and_stop(cache38):
    cds = cache38.cds_sequence()
    assert cds[1767:1770] == "TCA"  # the stand-in forces TCA at codon 590 (so c.1769C>G is Ser590Ter)
    a = annotate(snv(cache38, CPos(1769), "G"), cache38)  # TCA -> TGA
    assert a.consequences == ("stop_gained",) and a.impact == "HIGH"
    assert a.hgvs_c == "NM_017662.5:c.1769C>G"
    assert a.hgvs_p == "NP_060132.3:p.(Ser590Ter)"  # the contract's example (ClinVar 3575 position)
    assert a.hgvs_g == f"NC_000009.12:g.{cache38.transcript.genomic_of_c(CPos(1769))}G>C"
    assert (a.exon, a.intron, a.protein_start, a.ref_aa, a.alt_aa) == ("16/39", None, 590, "S", "*")
    mis = annotate(snv(cache38, CPos(1768), "A"), cache38)  # TCA -> ACA, Thr
    assert mis.consequences == ("missense_variant",) and mis.hgvs_p == "NP_060132.3:p.(Ser590Thr)"
    syn = annotate(snv(cache38, CPos(1770), "C"), cache38)  # TCA -> TCC, Ser
    assert syn.consequences == ("synonymous_variant",) and syn.hgvs_p == "NP_060132.3:p.(Ser590=)"
    assert syn.impact == "LOW"


def test_every_snv_of_three_codons_matches_plain_translation(cache38):
    cds, prot = cache38.cds_sequence(), translate(cache38.cds_sequence())
    for codon in (2, 590, 1429):
        for k in range(3):
            c = 3 * (codon - 1) + k + 1
            for alt in "ACGT":
                if alt == cds[c - 1]:
                    continue
                new = translate(cds[: c - 1] + alt + cds[c:])[codon - 1]
                a = annotate(snv(cache38, CPos(c), alt), cache38)
                want = (
                    "synonymous_variant"
                    if new == prot[codon - 1]
                    else "stop_gained"
                    if new == "*"
                    else "missense_variant"
                )
                assert a.consequences[0] == want, (c, alt)
                assert a.alt_aa == new and a.ref_aa == prot[codon - 1]


def test_start_lost_uses_met1_question(cache38):
    a = annotate(snv(cache38, CPos(1), "G"), cache38)  # ATG -> GTG
    assert a.consequences == ("start_lost",) and a.hgvs_p == "NP_060132.3:p.(Met1?)"
    assert a.impact == "HIGH" and a.protein_start == 1


def test_stop_lost_extension_counts_to_the_new_stop(cache38):
    t = cache38.transcript
    cds = cache38.cds_sequence()
    assert cds[-3:] == "TGA"
    a = annotate(snv(cache38, CPos(6067), "C"), cache38)  # TGA -> CGA (Arg)
    # independent: translate the 3' UTR after the changed codon until the first stop
    utr = "".join(tx_base(cache38, CPos(k, utr3=True)) for k in range(1, 400))
    tail = translate(utr)
    # HGVS counts from the old stop: Arg replaces Ter2023 (offset 0), the new Ter is tail.index + 1 further
    ter = tail.index("*") + 1
    assert a.consequences == ("stop_lost",)
    assert a.hgvs_p == f"NP_060132.3:p.(Ter2023ArgextTer{ter})"
    retained = annotate(snv(cache38, CPos(6068), "A"), cache38)  # TGA -> TAA
    assert retained.consequences == ("stop_retained_variant",)
    assert retained.hgvs_p == "NP_060132.3:p.(Ter2023=)"
    assert t.n_exons == 39


def test_inframe_dup_of_the_stop_codon_keeps_the_protein(cache38):
    """c.6067_6069dup puts a new TGA right where the old stop was: the protein is unchanged (found by the
    cross-check against biocommons hgvs, which gives p.(=); it used to crash)."""
    g = cache38.transcript.genomic_of_c(CPos(6067))  # first base of the stop codon (highest genomic)
    ref = cache38.fetch(g, g)
    # TGA inserted between c.6066 and c.6067 (not left-aligned: written inside the CDS, as in the cross-check)
    a = annotate(Variant("chr9", g, ref, ref + revcomp("TGA")), cache38)
    assert a.hgvs_c == "NM_017662.5:c.6067_6069dup" and a.hgvs_p == "NP_060132.3:p.(=)"
    assert "stop_retained_variant" in a.consequences and "stop_gained" not in a.consequences


def test_synonymous_in_last_three_exon_bases_keeps_splice_region(cache38):
    t = cache38.transcript
    e16 = t.exons[15]
    last = t.c_pos(e16.start)  # minus strand: the exon's 3' end is its lowest coordinate
    cds = cache38.cds_sequence()
    for k in range(3):
        c = last.base - k
        codon0 = 3 * ((c - 1) // 3)
        for alt in "ACGT":
            mut = cds[: c - 1] + alt + cds[c:]
            if alt != cds[c - 1] and translate(mut[codon0 : codon0 + 3]) == translate(cds[codon0 : codon0 + 3]):
                a = annotate(snv(cache38, CPos(c), alt), cache38)
                assert a.consequences == ("splice_region_variant", "synonymous_variant"), c
    fourth = annotate(snv(cache38, CPos(last.base - 3), other(tx_base(cache38, CPos(last.base - 3)))), cache38)
    assert "splice_region_variant" not in fourth.consequences


# --------------------------------------------------------------------------------- splice / intron
VEP_INTRON = {  # VEP 111 terms of intronic SNVs by offset
    1: ("splice_donor_variant",),
    2: ("splice_donor_variant",),
    3: ("splice_donor_region_variant", "intron_variant"),
    4: ("splice_donor_region_variant", "intron_variant"),
    5: ("splice_donor_5th_base_variant", "intron_variant"),
    6: ("splice_donor_region_variant", "intron_variant"),
    7: ("splice_region_variant", "intron_variant"),
    8: ("splice_region_variant", "intron_variant"),
    9: ("intron_variant",),
    -1: ("splice_acceptor_variant",),
    -2: ("splice_acceptor_variant",),
    -3: ("splice_region_variant", "splice_polypyrimidine_tract_variant", "intron_variant"),
    -8: ("splice_region_variant", "splice_polypyrimidine_tract_variant", "intron_variant"),
    -9: ("splice_polypyrimidine_tract_variant", "intron_variant"),
    -17: ("splice_polypyrimidine_tract_variant", "intron_variant"),
    -18: ("intron_variant",),
}


@pytest.mark.parametrize("offset", sorted(VEP_INTRON))
def test_intronic_terms_follow_vep(cache38, offset):
    c = CPos(1638, offset) if offset > 0 else CPos(1639, offset)
    a = annotate(snv(cache38, c, other(tx_base(cache38, c))), cache38)
    assert a.consequences == VEP_INTRON[offset]
    assert a.intron == "14/38" and a.exon is None
    assert a.hgvs_c.startswith(f"NM_017662.5:c.{c}")
    assert a.hgvs_p == ("NP_060132.3:p.?" if abs(offset) <= 2 else None)
    assert a.impact == (
        "HIGH" if abs(offset) <= 2 else "MODIFIER" if VEP_INTRON[offset] == ("intron_variant",) else "LOW"
    )


def test_literature_intronic_variant_c1638_plus7(cache38):
    assert tx_base(cache38, CPos(1638, 7)) == "T"  # forced in the stand-in
    a = annotate(snv(cache38, CPos(1638, 7), "C"), cache38)
    assert a.hgvs_c == "NM_017662.5:c.1638+7T>C"
    assert a.consequences == ("splice_region_variant", "intron_variant")


def test_canonical_donor_is_gt(cache38):
    assert tx_base(cache38, CPos(1638, 1)) + tx_base(cache38, CPos(1638, 2)) == "GT"


# ------------------------------------------------------------------------------------ UTR / flanks
def test_utr_and_flank_positions(cache38):
    t = cache38.transcript
    u5 = annotate(snv(cache38, CPos(-10), other(tx_base(cache38, CPos(-10)))), cache38)
    assert u5.consequences == ("5_prime_UTR_variant",) and u5.hgvs_c.startswith("NM_017662.5:c.-10")
    assert u5.hgvs_p is None and u5.exon == "1/39"
    u3 = annotate(snv(cache38, CPos(40, utr3=True), other(tx_base(cache38, CPos(40, utr3=True)))), cache38)
    assert u3.consequences == ("3_prime_UTR_variant",) and u3.hgvs_c.startswith("NM_017662.5:c.*40")
    up = t.end + 100  # minus strand: upstream is above the transcript
    dn = t.start - 4999
    far = t.start - 5001
    for g, term in ((up, "upstream_gene_variant"), (dn, "downstream_gene_variant"), (far, "intergenic_variant")):
        b = cache38.fetch(g, g)
        a = annotate(Variant("chr9", g, b, other(b)), cache38)
        assert a.consequences == (term,) and a.impact == "MODIFIER" and a.hgvs_p is None
    far_a = annotate(
        Variant("chr9", far, cache38.fetch(far, far), "A" if cache38.fetch(far, far) != "A" else "C"), cache38
    )
    assert far_a.hgvs_c is None


# ------------------------------------------------------------------------------------------ indels
def _mutate_cds_and_translate(cache, c_first: int, n_del: int, ins_tx: str) -> str:
    cds = cache.cds_sequence()
    utr = "".join(tx_base(cache, CPos(k, utr3=True)) for k in range(1, 2000))
    seq = cds[: c_first - 1] + ins_tx + cds[c_first - 1 + n_del :] + utr
    out = translate(seq)
    return out[: out.index("*") + 1] if "*" in out else out


def _del_variant(cache, c_first: int, n: int) -> Variant:
    """VCF-style deletion of c.c_first..c_first+n-1 (minus strand: anchor at the base below)."""
    t = cache.transcript
    g_hi = t.genomic_of_c(CPos(c_first))
    g_lo = g_hi - n + 1
    return Variant(cache.contig, g_lo - 1, cache.fetch(g_lo - 1, g_hi), cache.fetch(g_lo - 1, g_lo - 1))


def test_frameshift_names_first_changed_residue_and_new_stop(cache38):
    prot = translate(cache38.cds_sequence())
    found = 0
    for c in range(100, 1900, 37):
        alt = _mutate_cds_and_translate(cache38, c, 1, "")
        k = next(i for i, (x, y) in enumerate(zip(prot, alt)) if x != y)
        a = annotate(_del_variant(cache38, c, 1), cache38)
        assert "frameshift_variant" in a.consequences and a.alt_aa is None
        if alt[k] == "*":
            assert a.consequences[:2] == ("stop_gained", "frameshift_variant")
            assert a.hgvs_p.endswith(f"{k + 1}Ter)")
        else:
            ter = alt.index("*") - k + 1
            assert a.hgvs_p == f"NP_060132.3:p.({AA3[prot[k]]}{k + 1}{AA3[alt[k]]}fsTer{ter})", (c, a.hgvs_p)
        found += 1
    assert found > 40


def test_frameshift_with_immediate_stop_gets_stop_gained(cache38):
    prot = translate(cache38.cds_sequence())
    for c in range(10, 6000):
        alt = _mutate_cds_and_translate(cache38, c, 1, "")
        k = next(i for i, (x, y) in enumerate(zip(prot, alt)) if x != y)
        if alt[k] == "*":
            break
    a = annotate(_del_variant(cache38, c, 1), cache38)
    assert a.consequences[:2] == ("stop_gained", "frameshift_variant") and a.impact == "HIGH"
    assert a.hgvs_p == f"NP_060132.3:p.({AA3[prot[k]]}{k + 1}Ter)"


def test_inframe_deletion_is_3prime_shifted_and_named(cache38):
    cds = cache38.cds_sequence()
    prot = translate(cds)
    # find a codon-aligned deletion of one residue inside a run of two identical residues
    i = next(
        i for i in range(10, 2000) if prot[i] == prot[i + 1] and cds[3 * i : 3 * i + 3] == cds[3 * i + 3 : 3 * i + 6]
    )
    a = annotate(_del_variant(cache38, 3 * i + 1, 3), cache38)
    assert a.consequences == ("inframe_deletion",)
    # HGVS: the most C-terminal residue of the run is the one deleted, the c. is shifted the same way
    j = i + 1
    while prot[j + 1] == prot[i]:
        j += 1
    assert a.protein_start == j + 1 and a.hgvs_p == f"NP_060132.3:p.({AA3[prot[j]]}{j + 1}del)"
    s = 3 * i  # 0-based first deleted base; roll it 3' on the CDS (the run lies inside one exon here)
    while cds[s + 3] == cds[s]:
        s += 1
    assert s + 1 > 3 * i + 1  # the name is shifted (a string comparison of positions would not show it)
    assert a.hgvs_c == f"NM_017662.5:c.{s + 1}_{s + 3}del"


def test_duplication_stays_dup_after_shifting(cache38):
    t = cache38.transcript
    # duplicate c.1768_1770 (TCC) with a VCF insertion anchored at the base below the codon
    g_hi, g_lo = t.genomic_of_c(CPos(1768)), t.genomic_of_c(CPos(1770))
    anchor = g_lo - 1
    v = Variant(
        "chr9", anchor, cache38.fetch(anchor, anchor), cache38.fetch(anchor, anchor) + cache38.fetch(g_lo, g_hi)
    )
    a = annotate(v, cache38)
    assert a.hgvs_c == "NM_017662.5:c.1768_1770dup"
    prot = translate(cache38.cds_sequence())
    assert prot[589] == "S" and prot[590] != "S"  # Ser590 is not followed by another Ser: no 3' shift
    assert a.hgvs_p == "NP_060132.3:p.(Ser590dup)"
    assert a.consequences == ("inframe_insertion",)


def test_deletion_across_exon_intron_boundary(cache38):
    t = cache38.transcript
    g_last = t.genomic_of_c(CPos(1638))  # last base of exon 14 (minus strand: lowest coordinate)
    v = Variant("chr9", g_last - 3, cache38.fetch(g_last - 3, g_last + 2), cache38.fetch(g_last - 3, g_last - 3))
    a = annotate(v, cache38)
    assert a.consequences[0] == "splice_donor_variant"
    # deleted: c.1636_1638 and +1,+2 (the anchor is +3): VEP's intron_variant needs +3..-3, so none
    assert a.consequences == ("splice_donor_variant", "coding_sequence_variant")
    assert a.hgvs_p == "NP_060132.3:p.?" and a.exon == "14/39" and a.intron == "14/38"
    assert "1638+" in a.hgvs_c and a.hgvs_c.endswith("del")


# -------------------------------------------------------------------------------------- haplotypes
def test_two_snvs_in_one_codon_give_one_change(cache38):
    v1 = snv(cache38, CPos(1768), "A")  # TCA -> ACA Thr
    v2 = snv(cache38, CPos(1769), "T")  # TCA -> TTA Leu
    assert annotate(v1, cache38).hgvs_p == "NP_060132.3:p.(Ser590Thr)"
    assert annotate(v2, cache38).hgvs_p == "NP_060132.3:p.(Ser590Leu)"
    h = annotate_haplotype([v1, v2], cache38)  # ATA: Ile, neither alone
    assert h.consequences == ("missense_variant",)
    assert h.hgvs_p == "NP_060132.3:p.(Ser590Ile)"
    assert h.hgvs_c == "NM_017662.5:c.[1768T>A;1769C>T]"
    assert h.hgvs_g.startswith("NC_000009.12:g.[")
    assert annotate_haplotype([v2, v1], cache38) == h  # order of input does not matter


def test_frameshift_restored_by_nearby_insertion(cache38):
    t = cache38.transcript
    d = _del_variant(cache38, 1000, 1)
    g = t.genomic_of_c(CPos(1006))  # insert one base 5' of c.1006 (minus: above it)
    ins = Variant("chr9", g, cache38.fetch(g, g), cache38.fetch(g, g) + "A")
    assert "frameshift_variant" in annotate(d, cache38).consequences
    h = annotate_haplotype([d, ins], cache38)
    assert "frameshift_variant" not in h.consequences
    # independent: edit the CDS and translate. The VCF insertion after g (forward strand) lies between
    # c.1006 (g) and c.1005 (g + 1) on the minus-strand transcript; the inserted A is a T there.
    cds = cache38.cds_sequence()
    alt = translate(cds[:999] + cds[1000:1005] + "T" + cds[1005:])
    ref = translate(cds)
    diff = [i for i, (x, y) in enumerate(zip(ref, alt)) if x != y]
    assert len(alt) == len(ref) and diff == list(range(diff[0], diff[-1] + 1)) and 333 <= diff[0] <= diff[-1] <= 335
    a, b = diff[0], diff[-1]
    assert h.consequences == ("missense_variant",)
    assert (h.protein_start, h.protein_end) == (a + 1, b + 1)
    assert (h.ref_aa, h.alt_aa) == (ref[a : b + 1], alt[a : b + 1])
    name = f"{AA3[ref[a]]}{a + 1}{AA3[alt[a]]}" if a == b else f"{AA3[ref[a]]}{a + 1}_{AA3[ref[b]]}{b + 1}delins"
    assert h.hgvs_p == "NP_060132.3:p.(" + name + ("" if a == b else "".join(AA3[x] for x in alt[a : b + 1])) + ")"


# ------------------------------------------------------------------------------------------- SVs
def test_exon_deletion_sv(cache38):
    t = cache38.transcript
    e16 = t.exons[15]
    a = annotate_sv("chr9", e16.start - 100, e16.end + 100, "DEL", cache38)
    assert a.exons_affected == (16,)
    assert a.consequences[0] == "exon_loss_variant" and a.impact == "HIGH"
    coding = e16.length  # exon 16 is fully coding (c.1732..2009)
    assert ("frameshift_variant" in a.consequences) == (coding % 3 != 0)
    assert a.hgvs_p == "NP_060132.3:p.?"
    assert a.hgvs_c == "NM_017662.5:c.1732-100_2009+100del"
    assert "feature_truncation" in a.consequences


def test_whole_gene_deletion_and_duplication(cache38):
    t = cache38.transcript
    a = annotate_sv("chr9", t.start - 10, t.end + 10, "DEL", cache38)
    assert a.consequences[0] == "transcript_ablation" and a.exons_affected == tuple(range(1, 40))
    d = annotate_sv("chr9", t.start - 10, t.end + 10, "DUP", cache38)
    assert d.consequences[0] == "transcript_amplification"
    dup = annotate_sv("chr9", t.exons[15].start - 50, t.exons[14].end + 50, "DUP", cache38)
    assert dup.exons_affected == (15, 16) and "feature_elongation" in dup.consequences
    assert dup.hgvs_c.endswith("dup")


def test_sv_errors(cache38):
    with pytest.raises(InputError):
        annotate_sv("chr9", 100, 50, "DEL", cache38)
    with pytest.raises(InputError):
        annotate_sv("chr9", 100, 200, "INV", cache38)
    with pytest.raises(InputError):
        annotate_sv("9", 100, 200, "DEL", cache38)


# ----------------------------------------------------------------------------------------- errors
def test_bad_input_raises_input_error(cache38):
    g = cache38.transcript.genomic_of_c(CPos(1769))
    ref = cache38.fetch(g, g)
    with pytest.raises(InputError, match="does not match"):
        annotate(Variant("chr9", g, other(ref), ref), cache38)
    with pytest.raises(InputError, match="contig"):
        annotate(Variant("9", g, ref, other(ref)), cache38)
    with pytest.raises(InputError):
        annotate(Variant("chr9", g, ref, "<DEL>"), cache38)
    with pytest.raises(InputError):
        annotate(Variant("chr9", g, ref, ref), cache38)


def test_grch37_gives_the_same_transcript_names(cache37, cache38):
    for c, alt in ((CPos(1769), "G"), (CPos(1638, 7), "C"), (CPos(-10), other(tx_base(cache38, CPos(-10))))):
        a38, a37 = annotate(snv(cache38, c, alt), cache38), annotate(snv(cache37, c, alt), cache37)
        assert a37.hgvs_c == a38.hgvs_c and a37.consequences == a38.consequences
        assert a37.hgvs_g.startswith("NC_000009.11:g.") and a38.hgvs_g.startswith("NC_000009.12:g.")


def test_terms_are_ranked_and_deterministic(cache38):
    g = cache38.transcript.genomic_of_c(CPos(1638))
    v = Variant("chr9", g - 3, cache38.fetch(g - 3, g + 2), cache38.fetch(g - 3, g - 3))
    a, b = annotate(v, cache38), annotate(v, cache38)
    assert a == b
    ranks = [SO_RANKING.index(x) for x in a.consequences]
    assert ranks == sorted(ranks)


# -------------------------------------------------------------------------------------- both builds
def test_grch37_gives_the_same_names_as_grch38(cache38, cache37):
    """The two stand-ins carry the same gene at GRCh37 = GRCh38 + 2,614,916: every annotation must agree
    except the g. accession and position (SNVs of five codons and both splice sites of intron 14, indels)."""
    import re

    offset = 2_614_916
    t = cache38.transcript
    variants = []
    for codon in (1, 141, 590, 1429, 2022):
        for k in range(3):
            g = t.genomic_of_c(CPos(3 * codon - 2 + k))
            ref = cache38.fetch(g, g)
            variants += [Variant("chr9", g, ref, b) for b in "ACGT" if b != ref]
    for c in (
        CPos(1638, 1),
        CPos(1638, 2),
        CPos(1638, 7),
        CPos(1639, -1),
        CPos(1639, -2),
        CPos(-20),
        CPos(40, utr3=True),
    ):
        g = t.genomic_of_c(c)
        ref = cache38.fetch(g, g)
        variants.append(Variant("chr9", g, ref, other(ref)))
    for g in range(t.exons[15].start - 5, t.exons[15].start + 6):
        variants.append(Variant("chr9", g, cache38.fetch(g, g + 1), cache38.fetch(g, g)))  # 1-bp deletions
        variants.append(Variant("chr9", g, cache38.fetch(g, g), cache38.fetch(g, g) + "T"))  # 1-bp insertions
    for v in variants:
        a = annotate(v, cache38)
        b = annotate(Variant("9", v.pos + offset, v.ref, v.alt), cache37)
        assert (a.consequences, a.hgvs_c, a.hgvs_p, a.exon, a.intron) == (
            b.consequences,
            b.hgvs_c,
            b.hgvs_p,
            b.exon,
            b.intron,
        ), v
        ga = re.match(r"NC_000009\.12:g\.(\d+)", a.hgvs_g)
        gb = re.match(r"NC_000009\.11:g\.(\d+)", b.hgvs_g)
        assert ga and gb and int(gb.group(1)) - int(ga.group(1)) == offset, (a.hgvs_g, b.hgvs_g)
