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


# --- one bcftools norm for several VCFs (pipeline.read_shared) -------------------------------------------------


def _as_compared(records):
    """What a record means downstream: every field, and each sample's genotype as read, in the order analyse_vcf
    puts them (bcftools norm sorts its output within a window, so the VCFs normalised together interleave)."""
    return [
        (r.chrom, r.pos, r.ref, r.alt, r.end, r.original, r.filters, r.qual, r.info, r.kind, r.alt_index)
        + (r.genotypes.read_source, r.genotypes.split_counts, [r.genotypes[j] for j in range(len(r.genotypes))])
        for r in sorted(records, key=lambda r: (r.pos, r.end, r.ref, r.alt))
    ]


def _norm_alone_and_together(cache, fastas, paths, tmp_path):
    from hshpipe.vcfio import normalise_together, read_records_by_id, shared_norm_key, tabix_lines

    headers = [inspect_vcf(p, cache) for p in paths]
    assert len({shared_norm_key(h) for h in headers}) == 1 and shared_norm_key(headers[0]) is not None
    region = region_of(cache, headers[0].contig)
    alone = []
    for k, h in enumerate(headers):
        out = tmp_path / f"alone{k}.vcf"
        normalise_region(h, region, fastas[h.contig], out)
        alone.append(list(read_records(out, list(h.samples))))
    bodies = [tabix_lines(h, region) for h in headers]
    out = normalise_together(headers, bodies, region, fastas[headers[0].contig], tmp_path / "together.vcf")
    by_id = read_records_by_id(out, list(headers[0].samples))
    together = [by_id.get(str(k), []) for k in range(len(headers))]
    return alone, together


def test_normalised_together_equals_alone_on_the_demo_vcfs(cache38, fastas, tmp_path):
    """The demo's single-sample bcftools VCFs share their structured header lines (free-text lines differ)."""
    from conftest import ROOT

    names = ("HSH01", "HSH02", "HSH03", "HSH05", "HSH06", "HSH07")
    paths = [ROOT / f"resources/demo/vcf/{n}.bcftools.vcf.gz" for n in names]
    alone, together = _norm_alone_and_together(cache38, fastas, paths, tmp_path)
    assert sum(len(a) for a in alone) > 10
    for a, t in zip(alone, together, strict=True):
        assert _as_compared(a) == _as_compared(t)


def test_normalised_together_equals_alone_on_split_and_realigned_records(cache38, fastas, tmp_path):
    """Multiallelic sites (1/2, 0/2, ./1), indels left-aligned in a homopolymer (also past an earlier record of
    the VCF, after norm has written that record out while sorting another VCF's records) and untrimmed, a spanning
    deletion, a record starting before the region, and a VCF without records in the region."""
    hp_start, hp_len, base = homopolymer(cache38)
    t = cache38.transcript
    p1 = t.exons[15].start + 10
    r1 = cache38.fetch(p1, p1)
    a1, a2 = [b for b in "ACGT" if b != r1][:2]
    last = hp_start + hp_len - 1  # a 1-base deletion written at the run's end: norm shifts it left
    dref = cache38.fetch(last - 1, last)
    p2 = t.exons[16].start + 5
    r2 = cache38.fetch(p2, p2 + 2)  # untrimmed: REF/ALT share a suffix
    up = t.start - 5_100
    rup = cache38.fetch(up, up + 200)
    a_far = next(b for b in "ACGT" if b != cache38.fetch(t.end + 4_000, t.end + 4_000))
    snv_in_run = next(b for b in "ACGT" if b != base)
    variants = [
        [
            f"chr9 {p1} . {r1} {a1},{a2} 50 PASS DP=30 GT:AD:DP:GQ 1/2:0,12,14:26:99",
            f"chr9 {last - 1} . {dref} {dref[0]} 40 PASS DP=20 GT:AD:DP:GQ 0/1:9,11:20:60",
            f"chr9 {p2} . {r2} {a1}{r2[1:]} 30 LowQual DP=8 GT:AD:DP:GQ 1/1:0,8:8:20",
            f"chr9 {t.end + 4_000} . {cache38.fetch(t.end + 4_000, t.end + 4_000)} {a_far} 50 PASS DP=30 "
            "GT:AD:DP:GQ 0/1:10,10:20:50",
        ],
        [
            f"chr9 {up} . {rup} {rup[0]} 60 PASS DP=25 GT:AD:DP:GQ 0/1:12,13:25:70",
            f"chr9 {p1} . {r1} {a1},{a2} 50 PASS DP=30 GT:AD:DP:GQ 0/2:15,0,15:30:99",
            f"chr9 {p1 + 1} . {cache38.fetch(p1 + 1, p1 + 1)} *,{a1} 50 PASS DP=30 GT:AD:DP:GQ ./1:.,.,9:9:9",
            f"chr9 {hp_start + 1} . {base} {snv_in_run} 50 PASS DP=30 GT:AD:DP:GQ 0/1:10,10:20:50",
            f"chr9 {last - 1} . {dref} {dref[0]} 40 PASS DP=20 GT:AD:DP:GQ 1/1:0,20:20:60",
        ],
        [f"chr9 {t.end + 50_000} . A C 50 PASS DP=30 GT:AD:DP:GQ 0/1:10,10:20:50"],
    ]
    paths = []
    for k, recs in enumerate(variants):
        p = tmp_path / f"s{k}.vcf.gz"
        write_vcf(p, sorted(recs, key=lambda r: int(r.split()[1])), samples=(f"S{k}",), compress=True, index=True)
        paths.append(p)
    alone, together = _norm_alone_and_together(cache38, fastas, paths, tmp_path)
    assert [len(a) for a in alone] == [5, 7, 0]  # the multiallelic sites split
    for a in alone[:2]:  # the deletion was left-aligned, before the run (and the SNV inside it)
        assert any(r.pos < hp_start and len(r.ref) == 2 for r in a)
    for a, t_ in zip(alone, together, strict=True):
        assert _as_compared(a) == _as_compared(t_)


def test_a_batch_reports_as_each_vcf_alone_also_when_the_shared_norm_fails(cache38, ctx_factory, tmp_path, caplog):
    """Two VCFs of one header in a batch: normalised together; with an undeclared key in one of them the shared
    norm fails and each is normalised alone (the undeclared key declared with a warning). Reports as alone."""
    import json

    from conftest import run_inprocess

    t = cache38.transcript
    pos = t.exons[15].start + 10
    ref = cache38.fetch(pos, pos)
    a1, a2 = [b for b in "ACGT" if b != ref][:2]
    good = f"chr9 {pos} . {ref} {a1},{a2} 50 PASS DP=30 GT:AD:DP:GQ 1/2:0,12,14:26:99"
    bad = f"chr9 {pos} . {ref} {a1} 50 PASS DP=30 GT:AD:DP:GQ:XX 0/1:10,12:22:99:1"
    for case, second in (("shared", good.replace("1/2", "0/2")), ("fallback", bad)):
        d = tmp_path / case
        d.mkdir()
        paths = [write_vcf(d / f"v{k}.vcf.gz", [r], compress=True, index=True) for k, r in enumerate((good, second))]
        sheet = "sample\tvcf\n" + "".join(f"P{k}\t{p}\n" for k, p in enumerate(paths))
        for sub in ("batch", "alone0", "alone1"):
            (d / sub).mkdir()
        with caplog.at_level("INFO", logger="hsh"):
            together = run_inprocess(d / "batch", ctx_factory, sheet)
        assert f"{2 if case == 'shared' else 0} of 2 VCFs normalised together" in caplog.text
        caplog.clear()
        for k, p in enumerate(paths):
            alone = run_inprocess(d / f"alone{k}", ctx_factory, f"sample\tvcf\nP{k}\t{p}\n")[f"P{k}"]
            for rep in (alone, together[f"P{k}"]):
                del rep["provenance"]["sample_sheet"]  # the sheet's line number
            assert json.dumps(alone, sort_keys=True) == json.dumps(together[f"P{k}"], sort_keys=True)


def test_info_keeps_the_first_value_of_a_repeated_key():
    """vcfio._info reads a record's INFO in one pass, as cyvcf2's INFO.get gives each key: the first of a repeat."""
    from types import SimpleNamespace

    from hshpipe.vcfio import _info

    v = SimpleNamespace(INFO=[("DP", 5), ("AF", 0.5), ("DP", 7), ("END", 100)])
    assert _info(v) == {"DP": 5, "AF": 0.5, "END": 100}
