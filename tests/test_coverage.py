"""Coverage over TRPM6 coding exons +/- 20 bp, on real BAM/CRAM/gVCF files written with pysam."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pysam
import pytest

ROOT = Path(__file__).resolve().parents[1]

from conftest import require_tool  # noqa: E402

from hshpipe.coverage import (  # noqa: E402
    SPLICE_FLANK,
    Target,
    alignment_depth,
    coding_targets,
    coverage_from_alignments,
    coverage_from_gvcf_blocks,
    describe_coverage,
    gvcf_blocks,
)
from hshpipe.errors import InputError  # noqa: E402
from hshpipe.reference import GeneCache, build_gene_cache  # noqa: E402

REF38 = ROOT / "resources/demo/reference/GRCh38_synthetic_chr9.fa.gz"
REF37 = ROOT / "resources/demo/reference/GRCh37_synthetic_9.fa.gz"
DATA = ROOT / "tests/data/coverage"
LEN38, LEN37 = 138_394_717, 141_213_431


@pytest.fixture(scope="module")
def cache38() -> GeneCache:
    return build_gene_cache(REF38)


@pytest.fixture(scope="module")
def cache37() -> GeneCache:
    return build_gene_cache(REF37)


# --------------------------------------------------------------------------------------------------
# helpers: BAMs written with pysam, reads placed exactly
# --------------------------------------------------------------------------------------------------
def write_bam(
    path: Path,
    cache: GeneCache,
    spans: list[tuple[int, int, dict]],
    contig: str = "chr9",
    length: int = LEN38,
    extra_contigs: tuple[tuple[str, int], ...] = (),
    index: bool = True,
) -> Path:
    """spans: (start, end, options) with options: mapq, flag, qual, name, mate (start of mate), cigar."""
    header = {
        "HD": {"VN": "1.6", "SO": "coordinate"},
        "SQ": [{"SN": n, "LN": ln} for n, ln in extra_contigs] + [{"SN": contig, "LN": length}],
    }
    unsorted = path.with_suffix(".unsorted.bam")
    with pysam.AlignmentFile(str(unsorted), "wb", header=header) as out:
        tid = out.get_tid(contig)
        for i, (start, end, opt) in enumerate(spans):
            a = pysam.AlignedSegment(out.header)
            a.query_name = opt.get("name", f"r{i}")
            cigar = opt.get("cigar", [(0, end - start + 1)])
            qlen = sum(n for op, n in cigar if op in (0, 1, 4, 7, 8))
            inside = cache.region_start <= start and end <= cache.region_end and qlen == end - start + 1
            seq = cache.fetch(start, end) if inside else "A" * qlen
            a.query_sequence = seq
            a.flag = opt.get("flag", 0)
            a.reference_id = tid
            a.reference_start = start - 1
            a.mapping_quality = opt.get("mapq", 60)
            a.cigartuples = cigar
            a.query_qualities = pysam.qualitystring_to_array(chr(33 + opt.get("qual", 30)) * len(seq))
            if "mate" in opt:
                a.next_reference_id = tid
                a.next_reference_start = opt["mate"] - 1
                a.template_length = opt.get("tlen", 0)
            out.write(a)
    pysam.sort("-o", str(path), str(unsorted))
    unsorted.unlink()
    if index:
        pysam.index(str(path))
    return path


def tiled(cache: GeneCache, depth_by_exon: dict[int, int], default: int) -> list[tuple[int, int, dict]]:
    """Reads each spanning exactly one whole target; `depth` reads per target."""
    spans = []
    for t in coding_targets(cache):
        spans += [(t.start, t.end, {})] * depth_by_exon.get(t.exon, default)
    return spans


def total_bases(cache: GeneCache) -> int:
    return sum(t.length for t in coding_targets(cache))


# --------------------------------------------------------------------------------------------------
# targets
# --------------------------------------------------------------------------------------------------
def test_targets_cover_cds_plus_flanks(cache38: GeneCache) -> None:
    t = cache38.transcript
    targets = coding_targets(cache38)
    assert [x.exon for x in targets] == list(range(1, 40))  # all 39 exons of NM_017662.5 are coding
    assert all(x.contig == "chr9" for x in targets)
    # CDS = 2022 codons + stop = 6069 bases; 38 exon/intron boundaries x 2 sides x 20 bp
    assert sum(x.coding_end - x.coding_start + 1 for x in targets) == 6069 == 3 * (2022 + 1)
    assert total_bases(cache38) == 6069 + 2 * 38 * SPLICE_FLANK
    first, last = targets[0], targets[-1]
    # exon 1 (minus strand: highest coordinates) starts at c.1: no 5' UTR added, 20 bp of intron 1 kept
    assert first.end == t.cds_end and str(t.c_pos(first.end)) == "1"
    assert str(t.c_pos(first.start)) == f"{t.c_pos(first.coding_start).base}+20"
    # exon 39 ends at the stop codon's last base c.6069 (no 3' UTR), starts 20 bp into intron 38
    assert last.start == t.cds_start and str(t.c_pos(last.start)) == "6069"
    assert str(t.c_pos(last.end)).endswith("-20")


def test_targets_on_grch37_contig_9(cache37: GeneCache) -> None:
    targets = coding_targets(cache37)
    assert {x.contig for x in targets} == {"9"} and len(targets) == 39
    assert total_bases(cache37) == 6069 + 2 * 38 * SPLICE_FLANK


# --------------------------------------------------------------------------------------------------
# alignments
# --------------------------------------------------------------------------------------------------
def test_exact_fraction_with_planted_50bp_gap(tmp_path: Path, cache38: GeneCache) -> None:
    """All targets 30x except exactly 50 bases of exon 12 at 5x: fraction = 1 - 50/total."""
    t = cache38.transcript
    e12 = next(x for x in coding_targets(cache38) if x.exon == 12)
    g_lo, g_hi = e12.coding_start + 10, e12.coding_start + 59  # 50 coding bases
    spans = tiled(cache38, {12: 5}, 30)
    spans += [(e12.start, g_lo - 1, {})] * 25 + [(g_hi + 1, e12.end, {})] * 25
    bam = write_bam(tmp_path / "gap.bam", cache38, spans)
    cov = coverage_from_alignments(str(bam), cache38)
    total = total_bases(cache38)
    assert cov["source"] == "alignments" and cov["threshold"] == 20
    assert cov["target_bases"] == total == 7589
    assert cov["bases_at_threshold"] == total - 50
    assert cov["fraction_cds_at_threshold"] == round(1 - 50 / total, 4) == 0.9934
    assert len(cov["gaps"]) == 1
    gap = cov["gaps"][0]
    assert gap == {
        "exon": 12,
        "start": g_lo,
        "end": g_hi,
        "c_start": str(t.c_pos(g_hi)),
        "c_end": str(t.c_pos(g_lo)),
        "min_depth": 5,
        "length": 50,
    }
    row = {r["exon"]: r for r in cov["exons"]}
    tg1 = coding_targets(cache38)[0]
    assert row[1] == {"exon": 1, "bases": tg1.length, "mean_depth": 30.0, "min_depth": 30, "fraction_at_threshold": 1.0}
    n12 = e12.length
    assert row[12]["min_depth"] == 5
    assert row[12]["mean_depth"] == round((30 * (n12 - 50) + 5 * 50) / n12, 1)
    assert row[12]["fraction_at_threshold"] == round(1 - 50 / n12, 4)
    assert not cov["copy_number_flags"]  # exon 12 mean stays above 0.6 x median
    assert any("50 of 7,589" in n for n in cov["notes"])
    # a lower threshold sees no gap
    cov5 = coverage_from_alignments(str(bam), cache38, threshold=5)
    assert cov5["fraction_cds_at_threshold"] == 1.0 and cov5["gaps"] == []
    assert describe_coverage(cov5).startswith("100% of TRPM6 coding bases (+/-20 bp) at >= 5x")


def test_gap_c_notation_in_intron_and_order(tmp_path: Path, cache38: GeneCache) -> None:
    """A gap that includes the 20 intronic bases before exon 12 reads c.N-20_M; gaps sort in c. order."""
    t = cache38.transcript
    tg = {x.exon: x for x in coding_targets(cache38)}
    e12, e20 = tg[12], tg[20]
    # minus strand: the acceptor side (c.N-20) of exon 12 is its high genomic end
    spans = tiled(cache38, {12: 0, 20: 0}, 30)
    spans += [(e12.start, e12.end - 42, {})] * 30  # leave e12.end-41 .. e12.end at 0x (20 intron + 22 exon)
    spans += [(e20.start + 5, e20.end, {})] * 30  # leave 5 bases at the low end of exon 20's target at 0x
    bam = write_bam(tmp_path / "c.bam", cache38, spans)
    cov = coverage_from_alignments(str(bam), cache38)
    assert [g["exon"] for g in cov["gaps"]] == [12, 20]
    g12, g20 = cov["gaps"]
    assert g12["c_start"] == f"{t.c_pos(e12.coding_end).base}-20"
    assert g12["c_end"] == str(t.c_pos(e12.end - 41)) and "+" not in g12["c_end"] and "-" not in g12["c_end"]
    assert (
        g20["c_start"] == f"{t.c_pos(e20.coding_start).base}+16"
        and g20["c_end"] == f"{t.c_pos(e20.coding_start).base}+20"
    )
    assert g12["min_depth"] == 0 and g12["length"] == 42
    text = describe_coverage(cov)
    assert re.fullmatch(
        r"99\.\d% of TRPM6 coding bases \(\+/-20 bp\) at >= 20x \(alignments\); 2 gaps "
        r"\(exon 12 c\.\d+-20_\d+, exon 20 c\.\d+\+16_\d+\+20\)\.",
        text,
    ), text
    assert any("no reads at all" in n for n in cov["notes"])


def test_half_depth_and_dropout_exons(tmp_path: Path, cache38: GeneCache) -> None:
    """40x everywhere; exon 20 at 20x (one copy), exon 30 at 0x (both copies / capture failure)."""
    spans = tiled(cache38, {20: 20, 30: 0}, 40)
    bam = write_bam(tmp_path / "cnv.bam", cache38, spans)
    cov = coverage_from_alignments(str(bam), cache38)
    flags = cov["copy_number_flags"]
    assert [(f["kind"], f["exons"], f["ratio"]) for f in flags] == [("half", [20], 0.5), ("none", [30], 0.0)]
    half = [n for n in cov["notes"] if "heterozygous deletion" in n]
    assert len(half) == 1 and half[0].startswith("Exon 20 has about half the depth of the other exons")
    assert any(n.startswith("Exon 30 has almost no reads") for n in cov["notes"])
    # exon 20 at 20x is not a gap at threshold 20; exon 30 is one gap over its whole target
    tg30 = next(x for x in coding_targets(cache38) if x.exon == 30)
    assert [(g["exon"], g["start"], g["end"], g["min_depth"]) for g in cov["gaps"]] == [(30, tg30.start, tg30.end, 0)]
    # the report's depth plot marks both flagged exons: the half-depth one although it reaches the threshold
    from hshpipe.report import coverage_view

    bars = coverage_view(cov)["plot"]["bars"]
    assert len(bars) == 39
    assert [b["label"] for b in bars if b["css"] == "bar-cnv"] == ["20"]
    assert [b["label"] for b in bars if b["css"] == "bar-low"] == ["30"]
    assert coverage_view(cov) == coverage_view(cov)  # deterministic


def test_two_adjacent_half_exons_are_one_note(tmp_path: Path, cache38: GeneCache) -> None:
    bam = write_bam(tmp_path / "multi.bam", cache38, tiled(cache38, {5: 20, 6: 20, 7: 21}, 40))
    cov = coverage_from_alignments(str(bam), cache38)
    assert [f["exons"] for f in cov["copy_number_flags"]] == [[5, 6, 7]]
    assert any(n.startswith("Exons 5-7 have about half the depth") for n in cov["notes"])


def test_low_overall_depth_is_not_called_half(tmp_path: Path, cache38: GeneCache) -> None:
    bam = write_bam(tmp_path / "low.bam", cache38, tiled(cache38, {20: 4}, 8))
    cov = coverage_from_alignments(str(bam), cache38)
    assert cov["copy_number_flags"] == []
    assert any("too low to judge exon copy number" in n for n in cov["notes"])
    assert cov["fraction_cds_at_threshold"] == 0.0 and len(cov["gaps"]) == 39


def test_read_filters_and_overlapping_mates(tmp_path: Path, cache38: GeneCache) -> None:
    """Only 20 good reads count over exon 3; duplicates, secondary, QC-fail, unmapped-flag, MAPQ 0 and
    base quality 10 reads do not; an overlapping pair counts once; a deletion is not depth."""
    tg = next(x for x in coding_targets(cache38) if x.exon == 3)
    s, e = tg.start, tg.end
    spans = tiled(cache38, {3: 19}, 25)
    spans += [
        (s, e, {"flag": 0x400}),
        (s, e, {"flag": 0x100}),
        (s, e, {"flag": 0x200}),
        (s, e, {"mapq": 0}),
        (s, e, {"qual": 10}),
    ]
    mid = (s + e) // 2
    # one pair: mate 1 covers s..mid+10, mate 2 covers mid-10..e: overlap mid-10..mid+10 counted once
    spans += [
        (s, mid + 10, {"name": "pair", "flag": 0x1 | 0x2 | 0x20 | 0x40, "mate": mid - 10}),
        (mid - 10, e, {"name": "pair", "flag": 0x1 | 0x2 | 0x10 | 0x80, "mate": s}),
    ]
    bam = write_bam(tmp_path / "filters.bam", cache38, spans)
    cov = coverage_from_alignments(str(bam), cache38)
    row3 = next(r for r in cov["exons"] if r["exon"] == 3)
    assert row3["min_depth"] == 20 and row3["mean_depth"] == 20.0 and cov["gaps"] == []
    # relaxing the filters lets the MAPQ-0 and low-quality reads in
    cov_relaxed = coverage_from_alignments(str(bam), cache38, min_mapq=0, min_baseq=0)
    assert next(r for r in cov_relaxed["exons"] if r["exon"] == 3)["min_depth"] == 22
    # a 10 bp deletion in 19 of 20 reads: those 10 reference bases drop to 1x
    half = 10
    spans2 = tiled(cache38, {3: 0}, 25)
    n = tg.length
    cig = [(0, n // 2 - half // 2), (2, half), (0, n - (n // 2 - half // 2) - half)]
    spans2 += [(s, e, {"cigar": cig})] * 19 + [(s, e, {})]
    bam2 = write_bam(tmp_path / "del.bam", cache38, spans2)
    cov2 = coverage_from_alignments(str(bam2), cache38)
    gap = cov2["gaps"]
    assert len(gap) == 1 and gap[0]["length"] == half and gap[0]["min_depth"] == 1
    assert gap[0]["start"] == s + n // 2 - half // 2


def test_contig_naming_harmonised_both_ways(tmp_path: Path, cache37: GeneCache, cache38: GeneCache) -> None:
    # GRCh37 cache names the contig "9"; the BAM says "chr9"
    bam = write_bam(tmp_path / "chr.bam", cache37, tiled(cache37, {}, 25), contig="chr9", length=LEN37)
    cov = coverage_from_alignments(str(bam), cache37)
    assert cov["fraction_cds_at_threshold"] == 1.0 and cov["exons"][0]["mean_depth"] == 25.0
    # GRCh38 cache says "chr9"; the BAM says "9" and has other contigs first
    bam2 = write_bam(
        tmp_path / "nochr.bam",
        cache38,
        tiled(cache38, {}, 25),
        contig="9",
        length=LEN38,
        extra_contigs=(("1", 248_956_422), ("2", 242_193_529)),
    )
    assert coverage_from_alignments(str(bam2), cache38)["fraction_cds_at_threshold"] == 1.0


def test_cram_with_reference(tmp_path: Path, cache38: GeneCache) -> None:
    bam = write_bam(tmp_path / "x.bam", cache38, tiled(cache38, {7: 10}, 30))
    cram = tmp_path / "x.cram"
    pysam.view("-C", "-T", str(REF38), "-o", str(cram), str(bam), catch_stdout=False)
    pysam.index(str(cram))
    a = coverage_from_alignments(str(bam), cache38)
    b = coverage_from_alignments(str(cram), cache38, reference=str(REF38))
    c = coverage_from_alignments(str(cram), cache38)  # falls back to the cache's reference
    assert a == b == c and a["gaps"][0]["exon"] == 7
    with pytest.raises(InputError, match=r"x\.cram: a CRAM needs the reference FASTA"):
        coverage_from_alignments(str(cram), cache38, reference=str(tmp_path / "missing.fa"))


@pytest.mark.parametrize(
    "case, pattern",
    [
        ("noindex", r"noindex\.bam: no index .*samtools index"),
        ("nochr9", r"nochr9\.bam: no chromosome 9 in the alignment header \(contigs: chr1\)"),
        ("wrongbuild", r"wrongbuild\.bam: contig chr9 has length 141,213,431 .* GRCh38"),
        ("missing", r"missing\.bam: alignment file not found"),
        ("garbage", r"garbage\.bam: cannot open as BAM/CRAM"),
    ],
)
def test_alignment_input_errors(tmp_path: Path, cache38: GeneCache, case: str, pattern: str) -> None:
    p = tmp_path / f"{case}.bam"
    reads = [(cache38.transcript.cds_start, cache38.transcript.cds_start + 99, {})]
    if case == "noindex":
        write_bam(p, cache38, reads, index=False)
    elif case == "nochr9":
        write_bam(p, cache38, [(100, 199, {})], contig="chr1", length=248_956_422)
    elif case == "wrongbuild":
        write_bam(p, cache38, reads, length=LEN37)
    elif case == "garbage":
        p.write_text("not a bam\n")
    with pytest.raises(InputError, match=pattern) as ei:
        coverage_from_alignments(str(p), cache38)
    assert "\n" not in str(ei.value)


def test_timing_40x_region_bam(tmp_path: Path, cache38: GeneCache) -> None:
    """40x of 150 bp reads tiled over the whole TRPM6 region (exons and introns, ~185 kb, ~49k reads)."""
    lo, hi = cache38.region_start, cache38.region_end - 150
    spans = [(lo + (i * 15) // 4, lo + (i * 15) // 4 + 149, {}) for i in range(((hi - lo) * 4) // 15)]
    bam = write_bam(tmp_path / "wgs40.bam", cache38, spans)
    t0 = time.perf_counter()
    cov = coverage_from_alignments(str(bam), cache38)
    elapsed = time.perf_counter() - t0
    print(f"\ncoverage_from_alignments on a 40x region BAM ({len(spans)} reads): {elapsed:.2f} s")
    assert cov["fraction_cds_at_threshold"] == 1.0
    assert 39.0 <= cov["exons"][5]["mean_depth"] <= 41.0
    assert elapsed < 10


# --------------------------------------------------------------------------------------------------
# gVCF
# --------------------------------------------------------------------------------------------------
GVCF_HEADER = """##fileformat=VCFv4.2
##ALT=<ID=NON_REF,Description="Represents any possible alternative allele at this location">
##INFO=<ID=END,Number=1,Type=Integer,Description="Stop position of the interval">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##INFO=<ID=MinDP,Number=1,Type=Integer,Description="Minimum per-sample depth in this gVCF block">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">
##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum DP observed within the GVCF block">
##contig=<ID={contig},length={length}>
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}
"""


def write_gvcf(
    path: Path,
    cache: GeneCache,
    contig: str,
    lines: list[tuple],
    sample: str = "S1",
    length: int = LEN38,
    index: bool = True,
) -> Path:
    """lines: (pos, end, alt, fmt_keys, fmt_values, info) -> a GATK-style gVCF (bgzipped + tabix)."""
    text = GVCF_HEADER.format(contig=contig, length=length, sample=sample)
    for pos, end, alt, keys, vals, info in lines:
        ref = cache.fetch(pos, pos) if alt == "<NON_REF>" else cache.fetch(pos, end)
        alt_s = (
            alt
            if alt == "<NON_REF>"
            else (("C" if ref[0] != "C" else "G") + ",<NON_REF>" if len(ref) == 1 else ref[0] + ",<NON_REF>")
        )
        inf = ";".join(x for x in ([f"END={end}"] if alt == "<NON_REF>" else []) + [info] if x) or "."
        text += f"{contig}\t{pos}\t.\t{ref}\t{alt_s}\t.\t.\t{inf}\t{keys}\t{vals}\n"
    plain = path.with_suffix("") if path.suffix == ".gz" else path
    plain.write_text(text)
    if path.suffix == ".gz":
        return Path(
            pysam.tabix_index(str(plain), preset="vcf", force=True, keep_original=False) if index else _bgzip(plain)
        )
    return plain


def _bgzip(plain: Path) -> str:
    out = str(plain) + ".gz"
    pysam.tabix_compress(str(plain), out, force=True)
    plain.unlink()
    return out


def gvcf_lines_for(cache: GeneCache) -> tuple[list[tuple], int]:
    """Reference blocks over the whole gene region at MIN_DP 35 except: exon 12 target split by a 2-base
    deletion record (DP 40) and a 30-base block at MIN_DP 12, and a 7-base hole with no record in exon 25.
    Returns (lines, expected number of bases below 20)."""
    tg = {x.exon: x for x in coding_targets(cache)}
    e12, e25 = tg[12], tg[25]
    lo, hi = cache.region_start, cache.region_end
    low_a, low_b = e12.coding_start + 5, e12.coding_start + 34  # 30 bases at 12x
    del_pos = low_b + 1  # deletion record REF span del_pos..del_pos+1 (DP 40)
    hole_a, hole_b = e25.coding_start + 3, e25.coding_start + 9  # no record: depth 0
    gt = "GT:DP:GQ:MIN_DP"
    special = sorted(
        [
            (low_a, low_b, "<NON_REF>", gt, "0/0:15:30:12", ""),
            (del_pos, del_pos + 1, "DEL", "GT:DP:GQ", "0/1:40:99", "DP=40"),
            (hole_a, hole_b, None, "", "", ""),  # hole: no record
        ]
    )
    lines, cur = [], lo
    for rec in special:  # fill reference blocks at MIN_DP 35 between the special records
        if rec[0] > cur:
            lines.append((cur, rec[0] - 1, "<NON_REF>", gt, "0/0:36:99:35", ""))
        if rec[2] is not None:
            lines.append(rec)
        cur = rec[1] + 1
    lines.append((cur, hi, "<NON_REF>", gt, "0/0:36:99:35", ""))
    return lines, 30 + 7


@pytest.mark.parametrize(
    "contig, name", [("chr9", "indexed.g.vcf.gz"), ("9", "nochr.g.vcf.gz"), ("chr9", "plain.g.vcf")]
)
def test_gvcf_blocks_to_coverage(tmp_path: Path, cache38: GeneCache, contig: str, name: str) -> None:
    lines, n_low = gvcf_lines_for(cache38)
    path = write_gvcf(tmp_path / name, cache38, contig, lines)
    blocks = list(gvcf_blocks(str(path), cache38.contig))
    assert [b[:2] for b in blocks] == [x[:2] for x in lines]
    assert [b[2] for b in blocks] == [35, 35, 12, 40, 35]  # hole in exon 25, then exon 12's low block
    cov = coverage_from_gvcf_blocks(blocks, cache38)
    total = total_bases(cache38)
    assert cov["source"] == "gvcf"
    assert cov["bases_at_threshold"] == total - n_low
    assert cov["fraction_cds_at_threshold"] == round(1 - n_low / total, 4)
    assert [(g["exon"], g["min_depth"], g["length"]) for g in cov["gaps"]] == [(12, 12, 30), (25, 0, 7)]
    # both gaps lie inside the coding part: plain c. numbers (exon 12 is 5' of exon 25: c. order)
    assert all(re.fullmatch(r"\d+", g[k]) for g in cov["gaps"] for k in ("c_start", "c_end"))
    assert "copy_number_flags" not in cov
    assert any("cannot be judged from a gVCF" in n for n in cov["notes"])


def test_gvcf_bcftools_style_mindp_and_dp_fallback(tmp_path: Path, cache38: GeneCache) -> None:
    lo, hi = cache38.region_start, cache38.region_end
    mid = coding_targets(cache38)[3].coding_start
    lines = [
        (lo, mid - 1, "<NON_REF>", "GT", "0/0", "MinDP=25"),  # bcftools: INFO MinDP
        (mid, hi, "<NON_REF>", "GT:DP", "0/0:9", ""),
    ]  # no MIN_DP: fall back to DP
    path = write_gvcf(tmp_path / "bcf.g.vcf.gz", cache38, "chr9", lines)
    blocks = list(gvcf_blocks(str(path), "chr9"))
    assert [b[2] for b in blocks] == [25, 9]


def test_gvcf_errors(tmp_path: Path, cache38: GeneCache) -> None:
    path = write_gvcf(tmp_path / "chr1.g.vcf.gz", cache38, "chr1", [], length=248_956_422)
    with pytest.raises(InputError, match=r"chr1\.g\.vcf\.gz: no chromosome 9 contig in the gVCF header"):
        list(gvcf_blocks(str(path), "chr9"))
    ok = write_gvcf(tmp_path / "s.g.vcf.gz", cache38, "chr9", [])
    with pytest.raises(InputError, match=r"sample NA1 not in the gVCF \(samples: S1\)"):
        list(gvcf_blocks(str(ok), "chr9", sample="NA1"))


def test_gvcf_blocks_no_blocks_means_zero(cache38: GeneCache) -> None:
    cov = coverage_from_gvcf_blocks([], cache38)
    assert cov["fraction_cds_at_threshold"] == 0.0 and len(cov["gaps"]) == 39
    # overlapping blocks: the highest depth wins
    t = coding_targets(cache38)
    cov2 = coverage_from_gvcf_blocks(
        [(cache38.region_start, cache38.region_end, 10), (cache38.region_start, cache38.region_end, 30)], cache38
    )
    assert cov2["fraction_cds_at_threshold"] == 1.0 and cov2["exons"][0]["min_depth"] == 30 and len(t) == 39


# --------------------------------------------------------------------------------------------------
# presentation
# --------------------------------------------------------------------------------------------------
def test_describe_coverage_texts() -> None:
    assert describe_coverage(None) == "Coverage not assessed (no alignments or gVCF given)."
    gaps = [
        {"exon": i, "start": 1, "end": 2, "c_start": f"{i}00-20", "c_end": f"{i}30", "min_depth": 3}
        for i in (12, 20, 21, 22)
    ]
    cov = {"source": "gvcf", "threshold": 20, "fraction_cds_at_threshold": 0.99996, "gaps": gaps}
    assert describe_coverage(cov) == (
        "99.9% of TRPM6 coding bases (+/-20 bp) at >= 20x (gVCF blocks); 4 gaps "
        "(exon 12 c.1200-20_1230, exon 20 c.2000-20_2030, exon 21 c.2100-20_2130 "
        "and 1 more)."
    )
    one = {
        "source": "alignments",
        "threshold": 30,
        "fraction_cds_at_threshold": 0.5,
        "gaps": [{"exon": 3, "c_start": "250", "c_end": "250", "min_depth": 2}],
    }
    assert describe_coverage(one).endswith("at >= 30x (alignments); 1 gap (exon 3 c.250).")


def test_target_dataclass_is_hashable() -> None:
    t = Target(1, "chr9", 10, 20, 12, 18)
    assert t.length == 11 and {t: 1}[t] == 1


def test_static_deepvariant_style_gvcf(cache37: GeneCache) -> None:
    """tests/data/coverage/deepvariant_style.GRCh37.g.vcf: `<*>` blocks with FORMAT MIN_DP, contig chr9 in the
    file vs 9 in the cache, unindexed plain text (streamed). Hand count: 12 bases of exon 2 at 8x."""
    path = DATA / "deepvariant_style.GRCh37.g.vcf"
    blocks = list(gvcf_blocks(str(path), cache37.contig))
    assert [b[2] for b in blocks] == [31, 36, 33, 8, 30]
    assert blocks[1] == (77_454_950, 77_454_950, 36)
    cov = coverage_from_gvcf_blocks(blocks, cache37)
    assert cov["fraction_cds_at_threshold"] == round(1 - 12 / 7589, 4) == 0.9984
    assert cov["gaps"] == [
        {
            "exon": 2,
            "start": 77_473_589,
            "end": 77_473_600,
            "c_start": "98",
            "c_end": "109",
            "min_depth": 8,
            "length": 12,
        }
    ]
    assert describe_coverage(cov) == (
        "99.8% of TRPM6 coding bases (+/-20 bp) at >= 20x (gVCF blocks); 1 gap (exon 2 c.98_109)."
    )
    assert coverage_from_gvcf_blocks(blocks, cache37, threshold=8)["gaps"] == []


# --------------------------------------------------------------------------------------------------
# real tools: dwgsim reads from the synthetic TRPM6 region, aligned with bwa mem, called with bcftools
# --------------------------------------------------------------------------------------------------
def _have(*tools: str) -> bool:
    return all(shutil.which(t) for t in tools)


@pytest.fixture(scope="module")
def simulated_bam(tmp_path_factory: pytest.TempPathFactory, cache38: GeneCache) -> Path:
    """~40x 2x150 bp pairs with 260 bp inserts (mates overlap), aligned to the cached region with bwa mem,
    then placed on chr9 coordinates of the GRCh38 synthetic reference (sorted, indexed)."""
    require_tool(_have("dwgsim", "bwa"), "dwgsim and bwa (Debian packages; needed for the simulated-read tests)")
    d = tmp_path_factory.mktemp("sim")
    (d / "region.fa").write_text(">chr9\n" + cache38.seq + "\n")
    subprocess.run(
        [
            "dwgsim",
            "-z",
            "7",
            "-d",
            "260",
            "-s",
            "40",
            "-1",
            "150",
            "-2",
            "150",
            "-C",
            "40",
            "-y",
            "0",
            "-e",
            "0.005",
            "-E",
            "0.01",
            str(d / "region.fa"),
            str(d / "sim"),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(["bwa", "index", str(d / "region.fa")], check=True, capture_output=True)
    sam = subprocess.run(
        [
            "bwa",
            "mem",
            "-t",
            "2",
            "-R",
            r"@RG\tID:sim\tSM:sim",
            str(d / "region.fa"),
            str(d / "sim.bwa.read1.fastq.gz"),
            str(d / "sim.bwa.read2.fastq.gz"),
        ],
        check=True,
        capture_output=True,
    ).stdout
    (d / "region.sam").write_bytes(sam)
    off = cache38.region_start - 1
    header = {
        "HD": {"VN": "1.6", "SO": "coordinate"},
        "SQ": [{"SN": "chr9", "LN": LEN38}],
        "RG": [{"ID": "sim", "SM": "sim"}],
    }
    with (
        pysam.AlignmentFile(str(d / "region.sam")) as inp,
        pysam.AlignmentFile(str(d / "u.bam"), "wb", header=header) as out,
    ):
        for r in inp:
            rec = r.to_dict()
            if r.reference_id >= 0:
                rec["ref_pos"] = str(r.reference_start + 1 + off)
            if r.next_reference_id >= 0:
                rec["next_ref_pos"] = str(r.next_reference_start + 1 + off)
            out.write(pysam.AlignedSegment.from_dict(rec, out.header))
    bam = d / "sim.bam"
    pysam.sort("-o", str(bam), str(d / "u.bam"))
    pysam.index(str(bam))
    return bam


def test_depth_matches_samtools_depth(simulated_bam: Path, cache38: GeneCache) -> None:
    """Per-base depth at all 7,589 target positions equals `samtools depth -a -s -Q 1 -q 13` (overlapping
    mates once); without -s samtools counts overlaps twice and is higher."""
    positions, exons, depth = alignment_depth(str(simulated_bam), cache38)
    assert len(positions) == 7589
    region = f"chr9:{positions[0]}-{positions[-1]}"

    def samtools_depth(*flags: str) -> np.ndarray:
        out = pysam.samtools.depth("-a", *flags, "-Q", "1", "-q", "13", "-r", region, str(simulated_bam))
        d = {int(f[1]): int(f[2]) for f in (line.split("\t") for line in out.splitlines())}
        return np.array([d.get(int(p), 0) for p in positions])

    assert np.array_equal(depth, samtools_depth("-s"))
    assert samtools_depth().mean() > depth.mean() + 3  # 260 bp inserts of 2x150: overlaps matter
    assert 25 < depth.mean() < 45


def test_bcftools_gvcf_agrees_with_alignments(simulated_bam: Path, cache38: GeneCache) -> None:
    """bcftools call --gvcf (ALT '.', INFO MIN_DP) from the same reads gives the same gaps."""
    from pysam import bcftools

    d = simulated_bam.parent
    region = f"chr9:{cache38.region_start}-{cache38.region_end}"
    bcftools.mpileup(
        "-f",
        str(REF38),
        "-r",
        region,
        "-a",
        "FORMAT/DP",
        "-q",
        "1",
        "-Q",
        "13",
        "-Ob",
        "-o",
        str(d / "mp.bcf"),
        str(simulated_bam),
        catch_stdout=False,
    )
    bcftools.call(
        "-m", "--gvcf", "0,10,20,30", "-Oz", "-o", str(d / "sim.g.vcf.gz"), str(d / "mp.bcf"), catch_stdout=False
    )
    bcftools.index("-t", str(d / "sim.g.vcf.gz"))
    blocks = list(gvcf_blocks(str(d / "sim.g.vcf.gz"), "chr9", cache38.region_start, cache38.region_end))
    assert len(blocks) > 100
    g = coverage_from_gvcf_blocks(blocks, cache38)
    a = coverage_from_alignments(str(simulated_bam), cache38)
    assert a["fraction_cds_at_threshold"] > 0.99
    assert [(x["start"], x["end"]) for x in g["gaps"]] == [(x["start"], x["end"]) for x in a["gaps"]]
    assert abs(g["fraction_cds_at_threshold"] - a["fraction_cds_at_threshold"]) < 0.001


def test_simulated_heterozygous_exon_deletion(simulated_bam: Path, cache38: GeneCache, tmp_path: Path) -> None:
    """Drop every other read pair touching exon 22's target (a one-copy loss): flagged as about half.
    (Exon 22 sits near the median depth in this simulation: ratio 1.03; normal exons span 0.70-1.39.)"""
    tg = next(x for x in coding_targets(cache38) if x.exon == 22)
    out = tmp_path / "het_del.bam"
    with pysam.AlignmentFile(str(simulated_bam)) as inp:
        names = sorted({r.query_name for r in inp.fetch("chr9", tg.start - 1, tg.end)})
    drop = set(names[::2])
    with pysam.AlignmentFile(str(simulated_bam)) as inp, pysam.AlignmentFile(str(out), "wb", template=inp) as o:
        for r in inp.fetch(until_eof=True):
            if r.query_name not in drop:
                o.write(r)
    pysam.index(str(out))
    before = coverage_from_alignments(str(simulated_bam), cache38)
    assert before["copy_number_flags"] == []
    cov = coverage_from_alignments(str(out), cache38)
    flags = cov["copy_number_flags"]
    assert [f["exons"] for f in flags] == [[22]] and flags[0]["kind"] == "half"
    assert 0.4 < flags[0]["ratio"] < 0.6
    assert any(n.startswith("Exon 22 has about half the depth of the other exons") for n in cov["notes"])
    # exons beyond the immediate neighbours (which share a few fragments with exon 22) are untouched
    far = lambda rows: [r for r in rows if abs(r["exon"] - 22) > 1]  # noqa: E731
    assert far(cov["exons"]) == far(before["exons"])


DEMO_BAMS = sorted((ROOT / "resources/demo/bam").glob("*.bam")) + sorted((ROOT / "resources/demo/bam").glob("*.cram"))


@pytest.mark.skipif(not DEMO_BAMS, reason="no demo BAM/CRAM under resources/demo/bam yet")
@pytest.mark.parametrize("path", DEMO_BAMS[:2], ids=lambda p: p.name)
def test_demo_alignments(path: Path) -> None:
    """The shipped demo alignments: the contract dict is well formed and the depth equals samtools depth -s."""
    with pysam.AlignmentFile(str(path), reference_filename=str(REF38)) as af:
        names = dict(zip(af.references, af.lengths))
    ref = REF38 if LEN38 in names.values() else REF37
    cache = build_gene_cache(ref)
    cov = coverage_from_alignments(str(path), cache, reference=str(ref))
    assert cov["source"] == "alignments" and 0.0 <= cov["fraction_cds_at_threshold"] <= 1.0
    assert len(cov["exons"]) == 39 and all(
        set(g) >= {"exon", "start", "end", "c_start", "c_end", "min_depth"} for g in cov["gaps"]
    )
    positions, _, depth = alignment_depth(str(path), cache, reference=str(ref))
    contig = next(n for n in names if n in ("chr9", "9"))
    out = pysam.samtools.depth(
        "-a",
        "-s",
        "-Q",
        "1",
        "-q",
        "13",
        "--reference",
        str(ref),
        "-r",
        f"{contig}:{positions[0]}-{positions[-1]}",
        str(path),
    )
    d = {int(f[1]): int(f[2]) for f in (line.split("\t") for line in out.splitlines())}
    assert np.array_equal(depth, np.array([d.get(int(p), 0) for p in positions]))
