"""annotate() against bcftools csq and SnpEff on the GRCh38 stand-in (see docs/consequence_agreement.md).

The default suite runs a 400-variant sample; `-m oracle` runs the full set (~30,000 variants)."""

from __future__ import annotations

import pytest
from oracle import peers
from oracle.compare import compare, norm_c, norm_p
from oracle.variant_set import generate

TARGET_TERM = 99.9  # most severe term equal to at least one peer
TARGET_C = 99.5  # c. equal to SnpEff's


def _check(res) -> None:
    print(res.summary())
    assert res.n > 0
    assert res.pct(res.either_agree, res.n) >= TARGET_TERM, res.summary()
    assert res.pct(res.csq_agree, res.csq_n) >= 99.5, res.summary()
    if peers.snpeff_available():
        assert res.c_n > 0.9 * res.n
        assert res.pct(res.c_agree, res.c_n) >= TARGET_C, res.summary()


def test_agreement_subset(cache38, tmp_path):
    recs = generate(cache38, n_indels=1500, n_mnv=200, subset=400)
    _check(compare(cache38, recs, tmp_path))


@pytest.mark.oracle
def test_agreement_full(cache38, tmp_path):
    recs = generate(cache38)
    assert len(recs) > 25_000
    res = compare(cache38, recs, tmp_path)
    _check(res)
    assert res.csq_n > 25_000 and res.snpeff_n in (0, res.n)


def test_notation_normalisation_is_notation_only():
    assert norm_c("c.123delA") == norm_c("NM_017662.5:c.123del") == "c.123del"
    assert norm_c("c.10_12dupTGA") == "c.10_12dup"
    assert norm_c("c.5_6delTTinsCC") == "c.5_6delinsCC"
    assert norm_c("c.5_6insTT") == "c.5_6insTT"  # an insertion is not turned into a dup
    assert norm_p("p.Ser81Ser") == norm_p("NP_060132.3:p.(Ser81=)")
    assert norm_p("p.Ser590*") == norm_p("p.(Ser590Ter)")
    assert norm_p("p.Ser590*") != norm_p("p.(Ser590Leu)")
    assert norm_p("p.Arg56fs") == norm_p("p.(Arg56GlufsTer12)")
    assert norm_p("p.Arg56fs") != norm_p("p.(Arg57GlufsTer12)")


def test_peer_annotation_files_describe_the_transcript(cache38, tmp_path):
    """The GFF3/GTF carry the model's exons and a CDS whose length is the protein's (+ stop)."""
    from oracle.annotation_files import write_gff3, write_gtf

    t = cache38.transcript
    gff = write_gff3(t, tmp_path / "t.gff3").read_text().splitlines()
    cds = [l.split("\t") for l in gff if "\tCDS\t" in l]
    exons = [l for l in gff if "\texon\t" in l]
    assert len(exons) == t.n_exons
    assert sum(int(f[4]) - int(f[3]) + 1 for f in cds) == 3 * (len(cache38.protein) + 1)
    gtf = write_gtf(t, tmp_path / "t.gtf").read_text().splitlines()
    gcds = [l.split("\t") for l in gtf if "\tCDS\t" in l]
    assert sum(int(f[4]) - int(f[3]) + 1 for f in gcds) == 3 * len(cache38.protein)  # GTF: no stop
