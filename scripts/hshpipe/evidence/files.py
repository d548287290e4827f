"""Shared reading of the evidence files: index and compression checks, chromosome 9 naming, build checks,
the TRPM6 region of each build, and allele trimming so that keys compare across files."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..model import Transcript
from ..reference import CHR9_LENGTHS, CHR9_NAMES, GeneCache
from ..vcfio import CONTIG_LINE, FLANK, is_bgzf

BUILDS = ("GRCh38", "GRCh37")
MIN_REF_CHECKS = 3  # reference-allele spot checks needed before a disagreement rate is judged
MAX_REF_MISMATCH = 0.2  # more REF disagreements than this fraction: another build

Key = tuple[int, str, str]  # (pos, ref, alt) after trimming, on the reference's coordinates


def trim(pos: int, ref: str, alt: str) -> Key:
    """Minimal VCF-style representation: shared trailing, then leading bases removed (one anchor base kept for
    indels); no left-shift (the pipeline's variants and the files are both left-normalised already)."""
    ref, alt = ref.upper(), alt.upper()
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def region_span(build: str) -> tuple[int, int]:
    """TRPM6 transcript +/- the VEP flank on `build` (1-based, inclusive)."""
    t = Transcript.load(build)
    return max(1, t.start - FLANK), t.end + FLANK


def chr9_name(names: Iterable[str]) -> str | None:
    names = set(names)
    return next((n for n in CHR9_NAMES if n in names), None)


def require_bgzip_index(path: str, key: str) -> None:
    """A bgzip-compressed file with a .tbi/.csi next to it, or a one-line error naming it."""
    p = Path(path)
    if not p.exists():
        raise InputError(f'config: {key}: {path} not found; set it to an existing file or to ""')
    if not is_bgzf(p):
        raise InputError(
            f"{path} ({key}): not bgzip-compressed; compress it with `bgzip` and index it with `tabix -p vcf`"
        )
    if not any(Path(path + ext).exists() for ext in (".tbi", ".csi")):
        raise InputError(f"{path} ({key}): no tabix index ({path}.tbi or .csi); create it with `tabix -p vcf {path}`")


def header_contigs(header_lines: Iterable[str]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for line in header_lines:
        m = CONTIG_LINE.match(line)
        if m:
            out[m.group(1)] = int(m.group(2)) if m.group(2) else None
    return out


def check_header_build(contigs: dict[str, int | None], cache: GeneCache, shown: str) -> None:
    """The ##contig length of chromosome 9, when declared, must be the reference's build."""
    name = chr9_name(contigs)
    length = contigs.get(name) if name else None
    if not length:
        return
    build = CHR9_LENGTHS.get(length)
    if build != cache.build:
        what = build or "neither GRCh38 nor GRCh37"
        raise InputError(
            f"{shown}: contig {name} has length {length:,} ({what}) but the reference {cache.reference} is "
            f"{cache.build}; give the {cache.build} version of this file"
        )


def check_ref_alleles(refs: Iterable[tuple[int, str]], cache: GeneCache, shown: str) -> None:
    """Spot check: REF alleles of the file's records in TRPM6 against the reference. Many disagreements mean
    another build (or another reference)."""
    checked = bad = 0
    for pos, ref in refs:
        try:
            expected = cache.fetch(pos, pos + len(ref) - 1)
        except IndexError:
            continue
        checked += 1
        bad += expected != ref.upper()
    if checked >= MIN_REF_CHECKS and bad > MAX_REF_MISMATCH * checked:
        raise InputError(
            f"{shown}: REF alleles disagree with the reference {cache.reference} at {bad} of {checked} records in "
            f"TRPM6: the file is for another build ({cache.build} needed) or another reference"
        )


def tabix_lines(path: str, key: str, contig_candidates: Iterable[str], span: tuple[int, int]) -> Iterator[str]:
    """Lines of a bgzip+tabix file in `span` of whichever chromosome 9 name its index knows."""
    import pysam

    try:
        with pysam.TabixFile(path) as tb:
            name = chr9_name(set(tb.contigs) & set(contig_candidates)) if tb.contigs else None
            if name is None:
                return
            yield from tb.fetch(name, span[0] - 1, span[1])
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path} ({key}): cannot be read through its index ({exc}); re-create it (bgzip, tabix)"
        ) from None


def tabix_header(path: str, key: str) -> tuple[list[str], list[str]]:
    """(header lines, contig names of the index) of a bgzip+tabix file."""
    import pysam

    try:
        with pysam.TabixFile(path) as tb:
            return list(tb.header), list(tb.contigs)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path} ({key}): cannot open with its index ({exc}); re-create it (bgzip, tabix)") from None


def open_text(path: str) -> Iterator[str]:
    """Lines of a plain, gzip or bgzip text file (streamed)."""
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") if gz else open(path, encoding="utf-8") as fh:
        for line in fh:
            yield line.rstrip("\r\n")
