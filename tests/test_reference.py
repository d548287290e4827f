"""Reference handling: build detection, naming, gene cache and the translation check."""

from __future__ import annotations

import dataclasses
import gzip
import shutil

import pytest
from conftest import REF38

from hshpipe.errors import InputError
from hshpipe.model import CPos
from hshpipe.reference import GeneCache, build_gene_cache, detect_build, translate, write_region_fasta


def test_builds_and_naming_detected(cache38, cache37):
    assert (cache38.build, cache38.contig, cache37.build, cache37.contig) == ("GRCh38", "chr9", "GRCh37", "9")
    assert cache38.synthetic and cache37.synthetic


def test_clinvar_3575_maps_on_both_builds(cache38, cache37):
    # NM_017662.4:c.1769C>G = NC_000009.12:g.74802138G>C = NC_000009.11:g.77417054G>C (ClinVar 3575)
    assert cache38.transcript.genomic_of_c(CPos(1769)) == 74802138
    assert cache37.transcript.genomic_of_c(CPos(1769)) == 77417054
    assert str(cache38.transcript.c_pos(74802138)) == "1769"
    assert cache38.fetch(74802138, 74802138) == "G"  # c.1769C on the minus strand


def test_translation_matches_protein(cache38):
    assert translate(cache38.cds_sequence()) == cache38.protein + "*"


def test_cache_round_trip(cache38, tmp_path):
    p = tmp_path / "c.json"
    p.write_text(cache38.to_json())
    again = GeneCache.load(p)
    assert again == cache38


def test_requested_build_disagreeing_is_an_error():
    with pytest.raises(InputError, match="genome_build is GRCh37 but contig chr9 has the GRCh38 length"):
        detect_build([("chr9", 138_394_717)], "GRCh37", "ref.fa")


def test_no_chr9_and_wrong_length():
    with pytest.raises(InputError, match="no chromosome 9"):
        detect_build([("chr1", 248_956_422)], "auto", "ref.fa")
    with pytest.raises(InputError, match="neither GRCh38 chr9"):
        detect_build([("chr9", 12345)], "auto", "ref.fa")


def test_frame_shifted_reference_fails_translation(cache38, tmp_path):
    shifted = dataclasses.replace(cache38, seq="A" + cache38.seq[:-1])
    fa = write_region_fasta(shifted, tmp_path / "shifted.fa.gz", "chr9")
    with pytest.raises(InputError, match="does not translate to NP_060132.3"):
        build_gene_cache(fa)


def test_plain_gzip_reference_is_refused_with_a_hint(tmp_path):
    p = tmp_path / "ref.fa.gz"
    with gzip.open(p, "wb") as out, gzip.open(REF38, "rb") as src:
        shutil.copyfileobj(src, out)
    with pytest.raises(InputError, match="bgzip"):
        build_gene_cache(p)


def test_missing_reference():
    with pytest.raises(InputError, match="reference FASTA not found"):
        build_gene_cache("/nonexistent/ref.fa")
