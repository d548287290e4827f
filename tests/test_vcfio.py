"""VCF input: header checks, naming, normalisation through bcftools norm, genotype reading."""

from __future__ import annotations

import re

import pytest
from conftest import write_vcf

from hshpipe.errors import InputError
from hshpipe.reference import write_region_fasta
from hshpipe.vcfio import inspect_vcf, normalise_region, read_records, region_of


@pytest.fixture(scope="module")
def fastas(cache38, tmp_path_factory):
    d = tmp_path_factory.mktemp("fa")
    return {c: str(write_region_fasta(cache38, d / f"r.{c}.fa.gz", c)) for c in ("chr9", "9")}


def homopolymer(cache, min_len=6):
    """(start, length, base) of the first homopolymer run of >= min_len inside the gene span."""
    t = cache.transcript
    seq = cache.fetch(t.start, t.end)
    m = re.search(r"(A{%d,}|C{%d,}|G{%d,}|T{%d,})" % ((min_len,) * 4), seq)
    return t.start + m.start(), len(m.group(0)), m.group(0)[0]


def norm(cache, fastas, path, samples):
    h = inspect_vcf(path, cache)
    out = path.with_suffix(".norm.bcf")
    normalise_region(h, region_of(cache, h.contig), fastas[h.contig], out)
    return h, list(read_records(out, samples))


def test_multiallelic_split_keeps_other_allele_missing(cache38, fastas, tmp_path):
    pos = cache38.transcript.exons[15].start + 10
    ref = cache38.fetch(pos, pos)
    alts = [b for b in "ACGT" if b != ref][:2]
    p = write_vcf(tmp_path / "m.vcf", [f"chr9 {pos} . {ref} {alts[0]},{alts[1]} 50 PASS . GT:AD 1/2:0,7,9"])
    _, recs = norm(cache38, fastas, p, ["S1"])
    assert [(r.alt, r.genotypes[0].alleles) for r in recs] == [(alts[0], (1, -1)), (alts[1], (-1, 1))]
    assert all(r.original == ("chr9", pos, ref, ",".join(alts)) for r in recs)
    assert (recs[0].genotypes[0].ad_ref, recs[0].genotypes[0].ad_alt) == (0, 7)


def test_indel_left_aligned_and_original_kept(cache38, fastas, tmp_path):
    start, n, base = homopolymer(cache38)
    last = start + n - 1  # deletion of one base of the run, written at the run's right end
    ref = cache38.fetch(last - 1, last)
    p = write_vcf(tmp_path / "d.vcf", [f"chr9 {last - 1} . {ref} {ref[0]} 50 PASS . GT 0/1"])
    _, recs = norm(cache38, fastas, p, ["S1"])
    (r,) = recs
    assert r.pos == start - 1 and r.ref == cache38.fetch(start - 1, start) and r.alt == r.ref[0]
    assert r.original == ("chr9", last - 1, ref, ref[0])


def test_numeric_contig_vcf_against_chr_reference(cache38, fastas, tmp_path):
    pos = cache38.transcript.exons[15].start + 10
    ref = cache38.fetch(pos, pos)
    alt = "A" if ref != "A" else "C"
    p = write_vcf(tmp_path / "n.vcf", [f"9 {pos} . {ref} {alt} 50 PASS . GT 0/1"], contig="9")
    h, recs = norm(cache38, fastas, p, ["S1"])
    assert h.contig == "9" and len(recs) == 1 and recs[0].chrom == "9"


def test_indexed_bgzip_is_fetched_by_region(cache38, fastas, tmp_path):
    pos = cache38.transcript.exons[15].start + 10
    ref = cache38.fetch(pos, pos)
    alt = "A" if ref != "A" else "C"
    far = "chr9 1000 . N A 50 PASS . GT 0/1"
    p = write_vcf(tmp_path / "i.vcf.gz", [far, f"chr9 {pos} . {ref} {alt} 50 PASS . GT 0/1"], compress=True, index=True)
    h, recs = norm(cache38, fastas, p, ["S1"])
    assert h.indexed and [r.pos for r in recs] == [pos]


def test_build_mismatch_names_both_files(cache38, tmp_path):
    p = write_vcf(tmp_path / "b37.vcf", ["chr9 77417054 . G C 50 PASS . GT 0/1"], length=141_213_431)
    with pytest.raises(InputError, match=r"b37.vcf: the VCF is GRCh37 .* reference .*GRCh38_synthetic_chr9"):
        inspect_vcf(p, cache38)


def test_vcf_without_chromosome_9_is_refused(cache38, tmp_path):
    p = write_vcf(tmp_path / "c1.vcf", ["chr1 1000 . A C 50 PASS . GT 0/1"], contig="chr1", length=248_956_422)
    with pytest.raises(InputError, match="no chromosome 9"):
        inspect_vcf(p, cache38)


@pytest.mark.parametrize(
    "content,msg",
    [
        (b"", "empty"),
        (b"hello world\n", "not a VCF"),
        (b"\x1f\x8b\x08\x04\x00\x00\x00\x00", "damaged gzip"),
    ],
)
def test_unreadable_files(cache38, tmp_path, content, msg):
    p = tmp_path / "bad.vcf.gz"
    p.write_bytes(content)
    with pytest.raises(InputError, match=msg):
        inspect_vcf(p, cache38)
