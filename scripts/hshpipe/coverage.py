"""Depth over the TRPM6 coding exons +/- 20 bp, from alignments (BAM/CRAM) or gVCF blocks.

Targets (`coding_targets`)
    One target per coding exon (exons that are entirely UTR are left out): the coding part of the exon
    (stop codon included) extended by 20 bp on each side where that side is an exon/intron boundary, so
    every splice region (VEP: exon 1-3 bp, intron 3-8 bp, polypyrimidine tract -3..-17) is covered.
    A partly coding exon (exon 1 and exon 39 of NM_017662.5) is cut at the CDS boundary on its UTR side:
    no UTR bases are added (the UTRs are not assessed); its intronic side gets the usual 20 bp.
    Positions are counted once even if two targets were ever to overlap (the smallest TRPM6 intron is
    122 bp, so they do not on GRCh38/GRCh37).

Depth from alignments (`coverage_from_alignments`)
    Reads that are unmapped, secondary, QC-failed or duplicates are skipped, as are reads below
    `min_mapq`; bases below `min_baseq` are not counted; deletions and reference skips are not counted
    (as `samtools depth` without -J). The two mates of a pair that overlap are counted once over the
    overlap (as mosdepth does), so short inserts do not inflate the depth. Supplementary alignments count.

Depth from a gVCF (`gvcf_blocks`, `coverage_from_gvcf_blocks`)
    Reference blocks give their minimum depth (FORMAT MIN_DP of GATK/DeepVariant, INFO MIN_DP of bcftools
    call --gvcf (INFO MinDP in older bcftools), else DP),
    variant records their DP over their REF span; where records overlap the highest depth is kept;
    positions without any record have depth 0.

Output: the `coverage` dict of report.json (contract: docs/outputs.md).
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InputError
from .reference import CHR9_NAMES, GeneCache

SPLICE_FLANK = 20  # bp of intron kept on each side of a coding exon (splice regions)
DEFAULT_THRESHOLD = 20
HALF_DEPTH_RATIO = 0.6  # exon mean / median exon mean below this (and >= LOW_RATIO_FLOOR) -> "about half"
HALF_DEPTH_FLOOR = 0.3  # below this the exon is not "half": see NO_READS_RATIO
NO_READS_RATIO = 0.1  # exon mean / median exon mean below this -> "almost no reads"
NORMAL_RATIO = 0.65  # neighbouring exons at least this fraction of the median count as normal (simulated
# 40x: normal exons range 0.70-1.39 of the median, so 0.6 and 0.65 sit below the normal spread)
MIN_MEDIAN_FOR_CNV = 15.0  # below this median exon depth, relative depth says nothing useful
GAPS_IN_SENTENCE = 3  # gaps spelt out in describe_coverage before "and N more"

_SKIP_FLAGS = 0x4 | 0x100 | 0x200 | 0x400  # unmapped, secondary, QC fail, duplicate
_CIGAR_REF_AND_QUERY = (0, 7, 8)  # M, =, X
_CIGAR_QUERY_ONLY = (1, 4)  # I, S
_CIGAR_REF_ONLY = (2, 3)  # D, N


@dataclass(frozen=True)
class Target:
    """A coding exon's target on the reference contig: 1-based inclusive, forward strand."""

    exon: int
    contig: str
    start: int
    end: int
    coding_start: int  # coding part of the exon (no flank)
    coding_end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


# --------------------------------------------------------------------------------------------------
# targets
# --------------------------------------------------------------------------------------------------
def coding_targets(cache: GeneCache, flank: int = SPLICE_FLANK) -> list[Target]:
    """Per coding exon (transcript order): coding part +/- `flank` bp on intronic sides only."""
    t = cache.transcript
    out = []
    for e in t.exons:
        lo, hi = max(e.start, t.cds_start), min(e.end, t.cds_end)
        if lo > hi:
            continue  # entirely UTR
        start = lo - flank if lo == e.start else lo  # extend only across an exon/intron boundary
        end = hi + flank if hi == e.end else hi
        out.append(Target(e.number, cache.contig, start, end, lo, hi))
    return out


def _target_positions(targets: Sequence[Target]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique positions, exon number owning each); a position in two targets goes to the first."""
    owner: dict[int, int] = {}
    for tg in targets:
        for p in range(tg.start, tg.end + 1):
            owner.setdefault(p, tg.exon)
    pos = np.array(sorted(owner), dtype=np.int64)
    return pos, np.array([owner[int(p)] for p in pos], dtype=np.int64)


# --------------------------------------------------------------------------------------------------
# summarising a depth vector into the contract dict
# --------------------------------------------------------------------------------------------------
def summarise_depth(
    positions: np.ndarray, exons: np.ndarray, depth: np.ndarray, cache: GeneCache, threshold: int, source: str
) -> dict[str, Any]:
    """Contract dict from per-position depth at the target positions (parallel arrays)."""
    if threshold < 1:
        raise InputError(f"coverage threshold {threshold}: give a depth threshold of at least 1")
    ok = depth >= threshold
    total = int(len(positions))
    n_ok = int(ok.sum())
    fraction = _round_fraction(n_ok, total)
    gaps = _gaps(positions, exons, depth, ok, cache)
    exon_rows = _exon_rows(exons, depth, ok, cache)
    cov: dict[str, Any] = {
        "source": source,
        "threshold": int(threshold),
        "fraction_cds_at_threshold": fraction,
        "target_bases": total,
        "bases_at_threshold": n_ok,
        "gaps": gaps,
        "exons": exon_rows,
        "notes": [],
    }
    notes = _gap_notes(cov)
    if source == "alignments":
        cov["copy_number_flags"] = copy_number_flags(exon_rows)
        notes += copy_number_notes(exon_rows)
    else:
        notes.append(
            "Depth from gVCF blocks (minimum depth of each reference block); exon copy number "
            "cannot be judged from a gVCF."
        )
    cov["notes"] = notes
    return cov


def _round_fraction(n_ok: int, total: int) -> float:
    """n_ok/total to 4 decimals, never shown as 1.0 while a base is below (nor 0.0 while one is at)."""
    if total == 0:
        return 0.0
    f = round(n_ok / total, 4)
    if n_ok < total:
        f = min(f, 0.9999)
    if n_ok > 0:
        f = max(f, 0.0001)
    return f


def _runs(low: np.ndarray, breaks: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True in `low` as (first index, last index); a run also ends before each index i
    where breaks[i] is True (a new segment starts there)."""
    runs: list[tuple[int, int]] = []
    for i in np.flatnonzero(low).tolist():
        if runs and runs[-1][1] == i - 1 and not breaks[i]:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _gaps(
    positions: np.ndarray, exons: np.ndarray, depth: np.ndarray, ok: np.ndarray, cache: GeneCache
) -> list[dict[str, Any]]:
    """Maximal runs below the threshold within one target (contiguous positions, same exon), c. order."""
    t = cache.transcript
    breaks = np.ones(len(positions), dtype=bool)
    breaks[1:] = (np.diff(positions) != 1) | (np.diff(exons) != 0)
    gaps: list[dict[str, Any]] = []
    for i, j in _runs(~ok, breaks):
        start, end = int(positions[i]), int(positions[j])
        c_first, c_last = (t.c_pos(end), t.c_pos(start)) if t.strand < 0 else (t.c_pos(start), t.c_pos(end))
        gaps.append(
            {
                "exon": int(exons[i]),
                "start": start,
                "end": end,
                "c_start": str(c_first),
                "c_end": str(c_last),
                "min_depth": int(depth[i : j + 1].min()),
                "length": end - start + 1,
            }
        )
    gaps.sort(key=lambda g: g["start"] * t.strand)  # c. order: descending genomic order on the minus strand
    return gaps


def _exon_rows(exons: np.ndarray, depth: np.ndarray, ok: np.ndarray, cache: GeneCache) -> list[dict[str, Any]]:
    rows = []
    for number in [e.number for e in cache.transcript.exons]:
        sel = exons == number
        if not sel.any():
            continue
        d = depth[sel]
        rows.append(
            {
                "exon": number,
                "bases": int(sel.sum()),
                "mean_depth": round(float(d.mean()), 1),
                "min_depth": int(d.min()),
                "fraction_at_threshold": _round_fraction(int(ok[sel].sum()), int(sel.sum())),
            }
        )
    return rows


def format_gap(gap: dict[str, Any]) -> str:
    """'exon 12 c.1309-20_1330' (a single base: 'exon 12 c.1309-20')."""
    c = gap["c_start"] if gap["c_start"] == gap["c_end"] else f"{gap['c_start']}_{gap['c_end']}"
    return f"exon {gap['exon']} c.{c}"


def _gap_notes(cov: dict[str, Any]) -> list[str]:
    thr, gaps = cov["threshold"], cov["gaps"]
    if not gaps:
        return [
            f"All {cov['target_bases']:,} TRPM6 coding and splice-region bases (coding exons +/-20 bp) "
            f"are at >= {thr}x."
        ]
    below = cov["target_bases"] - cov["bases_at_threshold"]
    exons_hit = sorted({g["exon"] for g in gaps})
    zero = [g for g in gaps if g["min_depth"] == 0]
    notes = [
        f"{below:,} of {cov['target_bases']:,} TRPM6 coding and splice-region bases are below {thr}x, "
        f"in {len(gaps)} gap{'s' if len(gaps) != 1 else ''} across exon{'s' if len(exons_hit) != 1 else ''} "
        f"{_number_list(exons_hit)}; variants there may be missed."
    ]
    if zero:
        notes.append(
            f"{len(zero)} gap{'s' if len(zero) != 1 else ''} include{'s' if len(zero) == 1 else ''} bases "
            f"with no reads at all: "
            + ", ".join(format_gap(g) for g in zero[:5])
            + (f" and {len(zero) - 5} more" if len(zero) > 5 else "")
            + "."
        )
    return notes


def _number_list(ns: Sequence[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9'."""
    parts, i = [], 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1:
            j += 1
        parts.append(str(ns[i]) if i == j else f"{ns[i]}-{ns[j]}")
        i = j + 1
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------------
# relative depth (exon copy number hints; alignments only)
# --------------------------------------------------------------------------------------------------
def copy_number_flags(exon_rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exons (or runs of consecutive exons) whose mean depth is far below the median exon mean while the
    exons on either side are normal: kind "half" (ratio 0.3-0.6: one copy missing?) or "none" (< 0.1).
    A hint for a copy-number test, not a call. Empty when the median is too low to judge."""
    if len(exon_rows) < 3:
        return []
    means = [r["mean_depth"] for r in exon_rows]
    median = float(statistics.median(means))
    if median < MIN_MEDIAN_FOR_CNV:
        return []
    ratios = [m / median for m in means]
    flags = []
    for kind, lo, hi in (("half", HALF_DEPTH_FLOOR, HALF_DEPTH_RATIO), ("none", 0.0, NO_READS_RATIO)):
        i = 0
        while i < len(ratios):
            if not lo <= ratios[i] < hi:
                i += 1
                continue
            j = i
            while j + 1 < len(ratios) and lo <= ratios[j + 1] < hi:
                j += 1
            before_ok = i == 0 or ratios[i - 1] >= NORMAL_RATIO
            after_ok = j == len(ratios) - 1 or ratios[j + 1] >= NORMAL_RATIO
            if before_ok and after_ok:
                rows = exon_rows[i : j + 1]
                mean = sum(r["mean_depth"] * r["bases"] for r in rows) / sum(r["bases"] for r in rows)
                flags.append(
                    {
                        "kind": kind,
                        "exons": [r["exon"] for r in rows],
                        "mean_depth": round(mean, 1),
                        "median_exon_depth": round(median, 1),
                        "ratio": round(mean / median, 2),
                    }
                )
            i = j + 1
    flags.sort(key=lambda f: f["exons"][0])
    return flags


def copy_number_notes(exon_rows: Sequence[dict[str, Any]]) -> list[str]:
    """Plain-language notes for `copy_number_flags` (or why relative depth cannot be judged)."""
    if len(exon_rows) >= 3:
        median = float(statistics.median(r["mean_depth"] for r in exon_rows))
        if median < MIN_MEDIAN_FOR_CNV:
            return [f"Median exon depth is {median:.1f}x: too low to judge exon copy number from relative depth."]
    return [_cnv_sentence(f) for f in copy_number_flags(exon_rows)]


def _cnv_sentence(flag: dict[str, Any]) -> str:
    nums = flag["exons"]
    what = f"Exon {nums[0]} has" if len(nums) == 1 else f"Exons {nums[0]}-{nums[-1]} have"
    tail = (
        f" (mean {flag['mean_depth']:.1f}x vs median exon mean {flag['median_exon_depth']:.1f}x, "
        f"ratio {flag['ratio']:.2f}, with normal depth on either side)"
    )
    if flag["kind"] == "half":
        return (
            what + " about half the depth of the other exons" + tail + ": possible heterozygous deletion; "
            "confirm with a copy-number method (MLPA, qPCR or a CNV caller)."
        )
    return (
        what
        + " almost no reads while the other exons are well covered"
        + tail
        + ": possible homozygous deletion or a capture failure; confirm with a copy-number method."
    )


# --------------------------------------------------------------------------------------------------
# alignments
# --------------------------------------------------------------------------------------------------
def _chr9_alias(name: str) -> str | None:
    n = name[3:] if name.lower().startswith("chr") else name
    return "9" if n == "9" or name in CHR9_NAMES else None


def alignment_contig(references: Sequence[str], lengths: Sequence[int], cache: GeneCache, path: str) -> str:
    """The BAM/CRAM's name for the cache contig (chr9 <-> 9 harmonised); InputError when missing or a
    different build (contig length)."""
    want = cache.transcript.chrom_length
    pairs = list(zip(references, lengths))
    for name, length in [p for p in pairs if p[0] == cache.contig] + [p for p in pairs if _chr9_alias(p[0])]:
        if length != want:
            raise InputError(
                f"{path}: contig {name} has length {length:,} but the reference {cache.reference} is "
                f"{cache.build} ({cache.contig} = {want:,}); use alignments made against the same reference"
            )
        return name
    shown = ", ".join(references[:5]) or "none"
    raise InputError(
        f"{path}: no chromosome 9 in the alignment header (contigs: {shown}); give a BAM/CRAM aligned to "
        f"{cache.build} that includes chromosome 9"
    )


def _is_cram(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"CRAM"


def _open_alignments(path: str, cache: GeneCache, reference: str | None) -> Any:
    """Open an indexed BAM/CRAM; a CRAM is decoded with `reference` (default: the cache's reference)."""
    import pysam

    if not os.path.isfile(path):
        raise InputError(f"{path}: alignment file not found; fix the `alignments` column of the sample sheet")
    ref = reference or cache.reference
    if _is_cram(path) and not (ref and os.path.isfile(ref)):
        raise InputError(
            f"{path}: a CRAM needs the reference FASTA it was written with ({ref} not found); "
            "set `reference` to that FASTA"
        )
    try:
        af = pysam.AlignmentFile(path, "r", reference_filename=ref if _is_cram(path) else None)
    except (OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise InputError(
            f"{path}: cannot open as BAM/CRAM ({first}); give a coordinate-sorted, indexed BAM or CRAM"
        ) from None
    if not af.has_index():
        af.close()
        raise InputError(f"{path}: no index (.bai/.csi/.crai) found; run `samtools index {path}`")
    return af


def _merge_intervals(targets: Sequence[Target]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) 1-based inclusive intervals of the targets."""
    out: list[list[int]] = []
    for tg in sorted(targets, key=lambda x: x.start):
        if out and tg.start <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], tg.end)
        else:
            out.append([tg.start, tg.end])
    return [(a, b) for a, b in out]


def _read_mask(read: Any, min_baseq: int) -> tuple[int, np.ndarray]:
    """(0-based reference start, bool array over the read's reference span: base aligned and counted)."""
    ref_start = read.reference_start
    mask = np.zeros(read.reference_end - ref_start, dtype=bool)
    quals = read.query_qualities
    q = np.frombuffer(quals, dtype=np.uint8) if quals is not None else None
    qpos, rpos = 0, 0
    for op, n in read.cigartuples:
        if op in _CIGAR_REF_AND_QUERY:
            mask[rpos : rpos + n] = True if q is None else q[qpos : qpos + n] >= min_baseq
            qpos += n
            rpos += n
        elif op in _CIGAR_QUERY_ONLY:
            qpos += n
        elif op in _CIGAR_REF_ONLY:
            rpos += n
    return ref_start, mask


def depth_from_alignment_file(
    af: Any, contig: str, intervals: Sequence[tuple[int, int]], lo: int, hi: int, min_mapq: int, min_baseq: int
) -> np.ndarray:
    """Depth over lo..hi (1-based inclusive) from reads overlapping `intervals`; overlapping mates once."""
    depth = np.zeros(hi - lo + 1, dtype=np.int32)
    pending: dict[str, tuple[int, np.ndarray]] = {}  # first mate of a pair whose mate starts inside it
    prev_end0 = -1  # 0-based exclusive end of the previous interval (reads overlapping it were counted)
    for start, end in intervals:
        for read in af.fetch(contig, start - 1, end):
            if read.flag & _SKIP_FLAGS or read.mapping_quality < min_mapq or read.reference_end is None:
                continue
            if read.reference_start < prev_end0:
                continue  # already fetched for the previous interval
            r0, mask = _read_mask(read, min_baseq)
            _add(depth, lo, r0, mask, +1)
            if (
                not read.is_paired
                or read.is_supplementary
                or read.mate_is_unmapped
                or read.next_reference_id != read.reference_id
            ):
                continue
            name = read.query_name
            first = pending.pop(name, None)
            if first is not None:
                _subtract_overlap(depth, lo, first, (r0, mask))
            elif r0 <= read.next_reference_start < read.reference_end:
                pending[name] = (r0, mask)
        prev_end0 = end
    return depth


def _add(depth: np.ndarray, lo: int, r0: int, mask: np.ndarray, sign: int) -> None:
    a, b = r0 - (lo - 1), r0 - (lo - 1) + len(mask)  # indices into depth
    ca, cb = max(a, 0), min(b, len(depth))
    if ca < cb:
        depth[ca:cb] += sign * mask[ca - a : cb - a]


def _subtract_overlap(depth: np.ndarray, lo: int, m1: tuple[int, np.ndarray], m2: tuple[int, np.ndarray]) -> None:
    (s1, a1), (s2, a2) = m1, m2
    s, e = max(s1, s2), min(s1 + len(a1), s2 + len(a2))
    if s < e:
        both = a1[s - s1 : e - s1] & a2[s - s2 : e - s2]
        _add(depth, lo, s, both, -1)


def alignment_depth(
    path: str, cache: GeneCache, reference: str | None = None, min_mapq: int = 1, min_baseq: int = 13
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target positions, owning exon, depth) from an indexed BAM/CRAM, positions 1-based on the cache contig."""
    path = str(path)
    targets = coding_targets(cache)
    positions, exons = _target_positions(targets)
    af = _open_alignments(path, cache, reference)
    try:
        contig = alignment_contig(list(af.references), list(af.lengths), cache, path)
        lo, hi = int(positions[0]), int(positions[-1])
        try:
            full = depth_from_alignment_file(af, contig, _merge_intervals(targets), lo, hi, min_mapq, min_baseq)
        except (OSError, ValueError) as exc:
            raise InputError(
                f"{path}: cannot read alignments on {contig} ({exc}); check the file and its index "
                "(re-index with `samtools index`)"
            ) from None
    finally:
        af.close()
    return positions, exons, full[positions - lo]


def coverage_from_alignments(
    path: str,
    cache: GeneCache,
    threshold: int = DEFAULT_THRESHOLD,
    reference: str | None = None,
    min_mapq: int = 1,
    min_baseq: int = 13,
) -> dict[str, Any]:
    """Coverage contract dict from an indexed BAM/CRAM (chr9/9 naming harmonised with the cache)."""
    positions, exons, depth = alignment_depth(path, cache, reference, min_mapq, min_baseq)
    return summarise_depth(positions, exons, depth, cache, threshold, "alignments")


# --------------------------------------------------------------------------------------------------
# gVCF
# --------------------------------------------------------------------------------------------------
def coverage_from_gvcf_blocks(
    blocks: Iterable[tuple[int, int, int]], cache: GeneCache, threshold: int = DEFAULT_THRESHOLD
) -> dict[str, Any]:
    """Coverage contract dict from (start, end, depth) blocks, 1-based inclusive on the cache contig.
    Overlapping blocks: the highest depth wins; positions without a block have depth 0."""
    positions, exons = _target_positions(coding_targets(cache))
    lo, hi = int(positions[0]), int(positions[-1])
    full = np.zeros(hi - lo + 1, dtype=np.int32)
    for start, end, dp in blocks:
        a, b = max(int(start), lo), min(int(end), hi)
        if a <= b:
            seg = full[a - lo : b - lo + 1]
            np.maximum(seg, max(int(dp), 0), out=seg)
    return summarise_depth(positions, exons, full[positions - lo], cache, threshold, "gvcf")


def _is_ref_block(alts: Sequence[str] | None) -> bool:
    return not alts or all(a in ("<NON_REF>", "<*>", ".") for a in alts)


def _first_int(v: Any) -> int | None:
    if isinstance(v, tuple):
        v = v[0] if v else None
    return int(v) if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v)) else None


def _record_depth(rec: Any, sample: str | int, ref_block: bool) -> int:
    fmt = rec.samples[sample] if len(rec.samples) else {}
    keys = (
        (("MIN_DP", "fmt"), ("MIN_DP", "info"), ("MinDP", "info"), ("DP", "fmt"), ("DP", "info"))
        if ref_block
        else (("DP", "fmt"), ("DP", "info"))
    )
    for key, where in keys:
        src = fmt if where == "fmt" else rec.info
        if key in src:
            d = _first_int(src[key])
            if d is not None:
                return d
    return 0


def gvcf_blocks(
    path: str, contig: str, start: int | None = None, end: int | None = None, sample: str | int = 0
) -> Iterator[tuple[int, int, int]]:
    """(start, end, depth) blocks, 1-based inclusive, from a gVCF read with pysam, for chromosome 9
    (`contig` is the cache's name; the file's chr9/9 naming is harmonised). Fetched through the index when
    there is one, streamed otherwise. Reference blocks (ALT only <NON_REF>, <*> or .): FORMAT MIN_DP, INFO
    MIN_DP / MinDP (bcftools), else DP; other records: DP over their REF span."""
    import pysam

    try:
        vf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot open as VCF/gVCF ({exc}); give a valid (b)gzipped or plain VCF") from None
    with vf:
        names = [str(n) for n in vf.header.contigs]
        file_contig = next((n for n in names if n == contig), None) or next(
            (n for n in names if _chr9_alias(n) and _chr9_alias(contig)), None
        )
        if names and file_contig is None:
            raise InputError(
                f"{path}: no chromosome 9 contig in the gVCF header (contigs: {', '.join(names[:5])}); "
                "give the gVCF called against the same reference"
            )
        if isinstance(sample, str) and sample not in vf.header.samples:
            raise InputError(
                f"{path}: sample {sample} not in the gVCF (samples: "
                f"{', '.join(list(vf.header.samples)[:5]) or 'none'}); fix `vcf_sample`"
            )
        if isinstance(sample, int) and sample >= len(vf.header.samples) and len(vf.header.samples):
            raise InputError(f"{path}: gVCF has {len(vf.header.samples)} samples, no sample number {sample}")
        records: Iterable[Any]
        if file_contig is not None and vf.index is not None:
            records = vf.fetch(file_contig, (start - 1) if start else None, end)
        else:  # stream; contig names are matched by alias
            records = (r for r in vf if r.chrom == file_contig or (file_contig is None and _chr9_alias(r.chrom)))
        for rec in records:
            s, e = rec.pos, rec.stop  # rec.stop honours INFO/END
            if (start and e < start) or (end and s > end):
                continue
            yield s, e, _record_depth(rec, sample, _is_ref_block(rec.alts))


# --------------------------------------------------------------------------------------------------
# presentation
# --------------------------------------------------------------------------------------------------
def _percent(f: float) -> str:
    """Percentage with one decimal, never rounded up to 100.0% (or down to 0.0%) when not exact."""
    if f >= 1:
        return "100%"
    if f <= 0:
        return "0%"
    p = math.floor(f * 1000) / 10
    return f"{max(p, 0.1):.1f}%"


def describe_coverage(coverage: dict[str, Any] | None) -> str:
    """One sentence for the verdict text."""
    if not coverage:
        return "Coverage not assessed (no alignments or gVCF given)."
    thr = coverage["threshold"]
    src = "alignments" if coverage.get("source") == "alignments" else "gVCF blocks"
    head = f"{_percent(coverage['fraction_cds_at_threshold'])} of TRPM6 coding bases (+/-20 bp) at >= {thr}x ({src})"
    gaps = coverage.get("gaps") or []
    if not gaps:
        return head + "; no gaps."
    shown = ", ".join(format_gap(g) for g in gaps[:GAPS_IN_SENTENCE])
    more = f" and {len(gaps) - GAPS_IN_SENTENCE} more" if len(gaps) > GAPS_IN_SENTENCE else ""
    return f"{head}; {len(gaps)} gap{'s' if len(gaps) != 1 else ''} ({shown}{more})."
