"""HGVS formatting and 3' shifting (the parser is tested in test_curation.py). Expected names are worked out by hand."""

from __future__ import annotations

from hshpipe.consequence import annotate
from hshpipe.hgvs import (
    Edit,
    dup_range,
    format_fs,
    format_g,
    format_p_change,
    minimal_edit,
    shift,
)
from hshpipe.model import CPos, Variant
from hshpipe.reference import revcomp

#            position: 1234567890123
TOY = "GCTAAAAGCTCTCTG"


def toy_fetch(a: int, b: int) -> str:
    if a < 1 or b > len(TOY):
        raise IndexError
    return TOY[a - 1 : b]


def test_minimal_edit_trims_anchor_then_suffix():
    assert minimal_edit(3, "TA", "T") == Edit(4, "A", "")
    assert minimal_edit(3, "T", "TAA") == Edit(4, "", "AA")
    assert minimal_edit(10, "ACGT", "AGGT") == Edit(11, "C", "G")
    assert minimal_edit(5, "CAT", "GAT").kind == "sub"
    assert minimal_edit(5, "CA", "GT").kind == "delins"


def test_shift_in_homopolymer_both_directions():
    d = Edit(4, "A", "")  # one A of AAAA (positions 4-7)
    assert shift(d, toy_fetch, +1) == Edit(7, "A", "")
    assert shift(d, toy_fetch, -1) == Edit(4, "A", "")
    i = Edit(5, "", "A")  # insertion of A inside the run
    assert shift(i, toy_fetch, +1) == Edit(8, "", "A")
    assert shift(i, toy_fetch, -1) == Edit(4, "", "A")
    assert dup_range(shift(i, toy_fetch, +1), toy_fetch, +1) == (7, 7)
    assert dup_range(shift(i, toy_fetch, -1), toy_fetch, -1) == (4, 4)


def test_shift_in_dinucleotide_repeat_and_bounds():
    d = Edit(9, "CT", "")  # GCTCTCTG: CT repeat at 9-14 ("CTCTCT" = 9..14)
    assert shift(d, toy_fetch, +1) == Edit(13, "CT", "")
    assert shift(d, toy_fetch, -1) == Edit(9, "CT", "")  # G at 8: the repeat's 5' end
    assert shift(d, toy_fetch, +1, hi=12) == Edit(11, "CT", "")  # may not pass position 12


def test_format_g_is_3prime_on_the_forward_strand():
    assert format_g(Edit(4, "A", ""), toy_fetch) == "g.7del"
    assert format_g(Edit(5, "", "A"), toy_fetch) == "g.7dup"
    assert format_g(Edit(9, "", "CT"), toy_fetch) == "g.13_14dup"
    assert format_g(Edit(2, "", "GG"), toy_fetch) == "g.1_2insGG"  # one G before: not a dup
    assert format_g(Edit(3, "T", "G"), toy_fetch) == "g.3T>G"
    assert format_g(Edit(3, "TA", "GC"), toy_fetch) == "g.3_4delinsGC"


def test_c_names_shift_toward_lower_coordinates_on_the_minus_strand(cache38):
    """A 1-base deletion in an exonic homopolymer: c. names the run's lowest coordinate (3' on the
    transcript) while g. names its highest (3' on the forward strand)."""
    t = cache38.transcript
    for e in t.exons[1:-1]:
        seq = cache38.fetch(e.start, e.end)
        i = next(
            (
                k
                for k in range(3, len(seq) - 6)
                if seq[k] == seq[k + 1] == seq[k + 2] != seq[k - 1] and seq[k + 3] != seq[k]
            ),
            None,
        )
        if i is not None:
            break
    lo = e.start + i  # run occupies lo..lo+2
    anchor = lo - 1
    v = Variant("chr9", anchor, cache38.fetch(anchor, lo), cache38.fetch(anchor, anchor))
    a = annotate(v, cache38)
    assert a.hgvs_c == f"NM_017662.5:c.{t.c_pos(lo)}del"
    assert a.hgvs_g == f"NC_000009.12:g.{lo + 2}del"
    # the same event written at the top of the run (not left-aligned) gets the same names
    v2 = Variant("chr9", lo + 1, cache38.fetch(lo + 1, lo + 2), cache38.fetch(lo + 1, lo + 1))
    a2 = annotate(v2, cache38)
    assert (a2.hgvs_c, a2.hgvs_g) == (a.hgvs_c, a.hgvs_g)
    # insertion of the same base: a dup of the 3'-most base on each strand
    ins = Variant("chr9", anchor, cache38.fetch(anchor, anchor), cache38.fetch(anchor, anchor) + seq[i])
    b = annotate(ins, cache38)
    assert b.hgvs_c == f"NM_017662.5:c.{t.c_pos(lo)}dup" and b.hgvs_g == f"NC_000009.12:g.{lo + 2}dup"


def test_c_insertion_and_delins_names(cache38):
    t = cache38.transcript
    g = t.genomic_of_c(CPos(1769))
    # insertion of T (transcript strand) between c.1768 and c.1769: genomic between g and g+1.
    # c.1767_1769 is ATC: the inserted T repeats c.1768 and cannot move 3' past C, so it is c.1768dup.
    assert cache38.cds_sequence()[1766:1769] == "ATC"
    v = Variant("chr9", g, cache38.fetch(g, g), cache38.fetch(g, g) + "A")
    a = annotate(v, cache38)
    assert a.hgvs_c == "NM_017662.5:c.1768dup"
    assert a.hgvs_g == f"NC_000009.12:g.{g + 1}dup"
    mnv = Variant("chr9", g - 1, cache38.fetch(g - 1, g), revcomp("TT"))  # c.1769_1770 CA -> TT
    m = annotate(mnv, cache38)
    assert m.hgvs_c == "NM_017662.5:c.1769_1770delinsTT"
    assert m.hgvs_p == "NP_060132.3:p.(Ser590Phe)"  # TCA -> TTT


def test_format_p_change_rules():
    prot = "MKKSLLLAE*"
    assert format_p_change(prot, 1, "K", "") == "Lys3del"  # 3' rule: the last K of the run
    assert format_p_change(prot, 4, "L", "") == "Leu7del"
    assert format_p_change(prot, 4, "", "L") == "Leu7dup"
    assert format_p_change(prot, 3, "", "G") == "Lys3_Ser4insGly"  # before 0-based residue 3
    assert format_p_change(prot, 3, "S", "W") == "Ser4Trp"
    assert format_p_change(prot, 3, "SL", "W") == "Ser4_Leu5delinsTrp"
    assert format_p_change(prot, 3, "", "") == "="
    assert format_fs("R", 56, "E", 12) == "Arg56GlufsTer12"
    assert format_fs("R", 56, "*", None) == "Arg56Ter"
    assert format_fs("R", 56, "E", None) == "Arg56GlufsTer?"


# ---------------------------------------------------------------------------------------- parsing
