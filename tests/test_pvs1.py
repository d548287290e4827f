"""PVS1 decision tree (ClinGen SVI, Abou Tayoun 2018): every branch on real annotations of the demo reference,
GRCh38 and GRCh37, each with its expected strength."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from conftest import codon_variant

from hshpipe.consequence import annotate, annotate_sv
from hshpipe.model import CPos, Variant
from hshpipe.pvs1 import assess, load_regions


@pytest.fixture(params=["cache38", "cache37"])
def cache(request):
    return request.getfixturevalue(request.param)


def snv_at(cache, c: CPos) -> Variant:
    g = cache.transcript.genomic_of_c(c)
    ref = cache.fetch(g, g)
    return Variant(cache.contig, g, ref, "A" if ref != "A" else "C")


def exon(cache, n: int):
    return next(e for e in cache.transcript.exons if e.number == n)


def sv(cache, first: int, last: int, kind: str, pad: int = 100):
    """DEL/DUP of exons first..last (transcript order) with intronic breakpoints `pad` bp away."""
    lo = min(exon(cache, first).start, exon(cache, last).start) - pad
    hi = max(exon(cache, first).end, exon(cache, last).end) + pad
    return annotate_sv(cache.contig, lo, hi, kind, cache)


def strength(ann, upstream=None):
    r = assess(ann, upstream)
    return r.branch, (r.criterion.strength if r.criterion else None)


# --- nonsense and frameshift ----------------------------------------------------------------------------------
def test_nonsense_with_nmd_is_very_strong(cache):
    ann = annotate(codon_variant(cache, 700, "TAA"), cache)
    assert ann.ptc_codon == 700 and ann.nmd_escape is False
    assert strength(ann) == ("nonsense_nmd", "very_strong")


def test_nmd_escape_boundary_penultimate_exon(cache):
    """Exon 38 ends at c.5935: the last 50 nt start at c.5886; codon 1962 (c.5884) is outside, 1963 inside."""
    assert annotate(codon_variant(cache, 1962, "TAA"), cache).nmd_escape is False
    ann = annotate(codon_variant(cache, 1963, "TAA"), cache)
    assert ann.nmd_escape is True
    # the truncated part (1963-2022) holds the end of the alpha-kinase domain: critical -> strong
    assert strength(ann) == ("nonsense_no_nmd_critical", "strong")


def test_nonsense_in_last_exon_after_the_kinase_domain_is_moderate(cache):
    ann = annotate(codon_variant(cache, 2000, "TGA"), cache)
    assert ann.nmd_escape is True and ann.exon_numbers == (39,)
    assert strength(ann) == ("nonsense_no_nmd_small", "moderate")
    assert "23 of 2022 residues" in assess(ann).reason


def test_frameshift_with_nmd_is_very_strong(cache):
    t = cache.transcript
    g = t.genomic_of_c(CPos(1500))
    ann = annotate(Variant(cache.contig, g - 1, cache.fetch(g - 1, g), cache.fetch(g - 1, g - 1)), cache)
    assert ann.frame == "frameshift" and ann.ptc_codon and ann.nmd_escape is False
    assert strength(ann) == ("frameshift_nmd", "very_strong")


# --- canonical splice sites -----------------------------------------------------------------------------------
@pytest.mark.parametrize("c", [CPos(152, 1), CPos(1443, 1), CPos(114, -2), CPos(5134, 2)])
def test_inframe_exon_skip_outside_critical_regions_is_moderate(cache, c):
    """Exons 3, 12 (the demo's c.1443+1G>A) and 32 are in frame, short, outside the critical regions."""
    ann = annotate(snv_at(cache, c), cache)
    assert ann.splice_skip is not None and ann.splice_skip.in_frame
    assert strength(ann) == ("splice_inframe_small", "moderate")


def test_inframe_exon_skip_in_the_transmembrane_region_is_strong(cache):
    ann = annotate(snv_at(cache, CPos(2919, 1)), cache)  # exon 21, residues 890-973
    assert ann.splice_skip.exons == (21,) and ann.splice_skip.in_frame
    assert strength(ann) == ("splice_inframe_critical", "strong")


def test_frameshifting_exon_skip_with_nmd_is_very_strong(cache):
    ann = annotate(snv_at(cache, CPos(669, 1)), cache)  # exon 6, 125 nt
    assert not ann.splice_skip.in_frame and ann.splice_skip.nmd_escape is False
    assert strength(ann) == ("splice_frameshift_nmd", "very_strong")


def test_frameshifting_exon_skip_escaping_nmd_in_a_critical_region_is_strong(cache):
    ann = annotate(snv_at(cache, CPos(5935, 1)), cache)  # exon 38 skipped: new stop in the last exon
    assert ann.splice_skip.nmd_escape is True
    assert strength(ann) == ("splice_frameshift_no_nmd_critical", "strong")


def test_first_exon_donor_is_not_modelled(cache):
    ann = annotate(snv_at(cache, CPos(33, 1)), cache)
    assert "splice_donor_variant" in ann.consequences and ann.splice_skip is None
    assert strength(ann) == ("splice_terminal_exon", None)


# --- deletions ------------------------------------------------------------------------------------------------
def test_whole_gene_deletion_is_very_strong(cache):
    t = cache.transcript
    ann = annotate_sv(cache.contig, t.start - 10, t.end + 10, "DEL", cache)
    assert strength(ann) == ("deletion_whole_gene", "very_strong")


def test_frameshifting_exon_deletion_with_nmd_is_very_strong(cache):
    assert strength(sv(cache, 6, 6, "DEL")) == ("deletion_frameshift_nmd", "very_strong")


@pytest.mark.parametrize("exons", [(3, 3), (12, 15)])
def test_inframe_exon_deletion_small_is_moderate(cache, exons):
    ann = sv(cache, *exons, "DEL")
    assert ann.sv.effect.in_frame
    assert strength(ann) == ("deletion_inframe_small", "moderate")


def test_inframe_exon_deletion_large_is_strong(cache):
    ann = sv(cache, 4, 8, "DEL")  # 858 nt, residues 51-336 (14%)
    assert strength(ann) == ("deletion_inframe_large", "strong")


def test_inframe_exon_deletion_in_the_channel_is_strong(cache):
    assert strength(sv(cache, 18, 21, "DEL")) == ("deletion_inframe_critical", "strong")


def test_deletion_of_utr_bases_only_is_not_pvs1_nor_exon_loss(cache):
    t = cache.transcript
    g1, g2 = t.genomic_of_c(CPos(1613, utr3=True)), t.genomic_of_c(CPos(1214, utr3=True))
    ann = annotate_sv(cache.contig, min(g1, g2), max(g1, g2), "DEL", cache)
    assert ann.hgvs_c == "NM_017662.5:c.*1214_*1613del"
    assert "exon_loss_variant" not in ann.consequences and "3_prime_UTR_variant" in ann.consequences
    assert strength(ann) == ("deletion_noncoding", None)
    up = annotate_sv(cache.contig, *sorted((t.genomic_of_c(CPos(-10)), t.end + 500)), "DEL", cache)
    assert "exon_loss_variant" not in up.consequences and "start_lost" not in up.consequences
    assert strength(up) == ("deletion_noncoding", None)


def test_deletion_of_the_start_codon_goes_to_the_start_loss_branch(cache):
    ann = sv(cache, 1, 2, "DEL")
    assert ann.sv.effect.start_removed and "start_lost" in ann.consequences
    assert strength(ann, upstream=False) == ("start_loss", "supporting")


# --- duplications ---------------------------------------------------------------------------------------------
def test_inframe_tandem_duplication_is_not_applicable(cache):
    ann = sv(cache, 12, 12, "DUP")
    assert not set(ann.consequences) & {"splice_acceptor_variant", "splice_donor_variant"}
    assert "inframe_insertion" in ann.consequences
    assert strength(ann) == ("duplication_inframe", None)


def test_frameshifting_duplication_with_nmd_is_strong(cache):
    ann = sv(cache, 15, 16, "DUP")
    assert not ann.sv.effect.in_frame and ann.sv.effect.nmd_escape is False
    assert strength(ann) == ("duplication_frameshift_nmd", "strong")


def test_whole_gene_duplication_is_not_applicable(cache):
    t = cache.transcript
    assert strength(annotate_sv(cache.contig, t.start - 10, t.end + 10, "DUP", cache)) == ("duplication_na", None)


# --- start loss -----------------------------------------------------------------------------------------------
def test_start_loss_supporting_without_and_moderate_with_upstream_pathogenic(cache):
    ann = annotate(snv_at(cache, CPos(1)), cache)
    assert ann.next_met == 127
    assert strength(ann, upstream=False) == ("start_loss", "supporting")
    assert strength(ann, upstream=True) == ("start_loss_upstream_plp", "moderate")


def test_start_loss_reads_the_curated_table_for_upstream_pathogenic_variants(cache38):
    from hshpipe.classify import _upstream_plp

    ann = annotate(snv_at(cache38, CPos(1)), cache38)
    entry = SimpleNamespace(classification="pathogenic", usable_for=lambda c: True)
    table = SimpleNamespace(entries=[SimpleNamespace(entry=entry, protein=(100, "R", "*"), c_edit=None)])
    assert _upstream_plp(ann, table) is True
    table.entries[0].protein = (141, "S", "L")  # S141L lies after Met127
    assert _upstream_plp(ann, table) is False


def test_not_a_null_variant(cache):
    ann = annotate(codon_variant(cache, 300, "GCA"), cache)
    assert assess(ann) is None


def test_critical_region_table_has_provenance():
    regions = {r.name: r for r in load_regions()}
    assert (regions["alpha_kinase"].start, regions["alpha_kinase"].end) == (1750, 1980)
    assert regions["channel_transmembrane"].start < regions["channel_transmembrane"].end
