"""Data model: the TRPM6 transcript on a genome build, and the genome <-> c. coordinate mapper.

Genomic coordinates are 1-based, inclusive, on the forward strand. Exons are kept in transcript order
(exon 1 first; on the minus strand exon 1 has the highest coordinates).
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path

from .paths import RESOURCES


@dataclass(frozen=True)
class Exon:
    number: int
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class CPos:
    """A c. position: `base` is the c. number (negative in the 5' UTR), `utr3` marks `*` numbering,
    `offset` is the intronic (or up/downstream) offset on the transcript strand."""

    base: int
    offset: int = 0
    utr3: bool = False

    def __str__(self) -> str:
        s = f"*{self.base}" if self.utr3 else str(self.base)
        if self.offset > 0:
            s += f"+{self.offset}"
        elif self.offset < 0:
            s += str(self.offset)
        return s

    @property
    def in_cds(self) -> bool:
        return not self.utr3 and self.base >= 1 and self.offset == 0


@dataclass(frozen=True)
class CEdit:
    """A parsed c. change: positions in transcript order, kind sub|del|dup|ins|delins, bases on the
    transcript strand (`ref` may be empty when the name does not state it)."""

    start: CPos
    end: CPos
    kind: str
    ref: str = ""
    alt: str = ""

    def canonical(self) -> str:
        """The name without the optional deleted/duplicated bases (c.100delA == c.100del)."""
        span = str(self.start) if self.start == self.end else f"{self.start}_{self.end}"
        if self.kind == "sub":
            return f"c.{span}{self.ref}>{self.alt}"
        if self.kind in ("del", "dup"):
            return f"c.{span}{self.kind}"
        return f"c.{span}{self.kind}{self.alt}"

    def key(self) -> tuple[CPos, CPos, str, str, str]:
        """What identifies the change (the stated deleted or duplicated bases do not)."""
        return (self.start, self.end, self.kind, self.ref if self.kind == "sub" else "", self.alt)


@dataclass(frozen=True)
class Variant:
    """A VCF-style allele on the reference's contig naming (normalised before annotation)."""

    chrom: str
    pos: int
    ref: str
    alt: str

    @property
    def end(self) -> int:
        return self.pos + len(self.ref) - 1

    def key(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}:{self.alt}"


@dataclass(frozen=True)
class _Layout:
    """A transcript's exons and introns as sorted arrays, for bisect: exon/intron lookups by genomic position and
    the first transcript position of each exon (exons in transcript order, as `Transcript.exons`)."""

    exon_lo: tuple[int, ...]  # exon starts, ascending
    exon_hi: tuple[int, ...]  # their ends (exons do not overlap: ascending too)
    exon_index: tuple[int, ...]  # their index in transcript order
    tx_starts: tuple[int, ...]  # 1-based transcript position of each exon's first base (transcript order)
    intron_lo: tuple[int, ...]  # intron starts, ascending (introns do not overlap: their ends ascend too)
    intron_hi: tuple[int, ...]
    intron_number: tuple[int, ...]

    @classmethod
    def of(cls, exons: tuple[Exon, ...], introns: tuple[tuple[int, int, int], ...]) -> _Layout:
        by_pos = sorted(range(len(exons)), key=lambda i: exons[i].start)
        starts, acc = [], 0
        for e in exons:
            starts.append(acc + 1)
            acc += e.length
        by_lo = sorted((lo, hi, number) for number, lo, hi in introns)
        return cls(
            exon_lo=tuple(exons[i].start for i in by_pos),
            exon_hi=tuple(exons[i].end for i in by_pos),
            exon_index=tuple(by_pos),
            tx_starts=tuple(starts),
            intron_lo=tuple(x[0] for x in by_lo),
            intron_hi=tuple(x[1] for x in by_lo),
            intron_number=tuple(x[2] for x in by_lo),
        )

    def exon_index_at(self, g: int) -> int | None:
        """Index (transcript order) of the exon holding genomic position g, else None."""
        k = bisect_right(self.exon_lo, g) - 1
        return self.exon_index[k] if k >= 0 and g <= self.exon_hi[k] else None


@dataclass(frozen=True)
class Transcript:
    gene: str
    transcript_id: str
    protein_id: str
    ensembl_transcript_id: str
    build: str
    chrom: str
    refseq_chrom: str
    chrom_length: int
    strand: int
    exons: tuple[Exon, ...]
    cds_start: int  # lowest genomic coordinate of the CDS (stop codon included)
    cds_end: int  # highest genomic coordinate of the CDS

    @classmethod
    def load(cls, build: str, path: Path | None = None) -> Transcript:
        path = path or RESOURCES / "trpm6" / f"transcript.{build}.json"
        d = json.loads(Path(path).read_text())
        exons = tuple(Exon(e["number"], e["start"], e["end"]) for e in d["exons"])
        # every other field is the JSON value of its name
        return cls(exons=exons, **{f.name: d[f.name] for f in fields(cls) if f.name != "exons"})

    # --- geometry (derived from the frozen fields once per instance: cached_property) ----------------
    @cached_property
    def introns(self) -> tuple[tuple[int, int, int], ...]:
        """(number, low, high): genomic bounds of each intron, transcript order (intron i lies between exon i and
        exon i+1)."""
        out = []
        for i in range(len(self.exons) - 1):
            a, b = self.exons[i], self.exons[i + 1]
            lo, hi = (b.end + 1, a.start - 1) if self.strand < 0 else (a.end + 1, b.start - 1)
            out.append((i + 1, lo, hi))
        return tuple(out)

    @cached_property
    def _layout(self) -> _Layout:
        return _Layout.of(self.exons, self.introns)

    @cached_property
    def start(self) -> int:
        return min(e.start for e in self.exons)

    @cached_property
    def end(self) -> int:
        return max(e.end for e in self.exons)

    @property
    def n_exons(self) -> int:
        return len(self.exons)

    @cached_property
    def tx_length(self) -> int:
        return sum(e.length for e in self.exons)

    def exon_at(self, g: int) -> Exon | None:
        i = self._layout.exon_index_at(g)
        return None if i is None else self.exons[i]

    def intron_at(self, g: int) -> int | None:
        """Intron number (intron i lies between exon i and exon i+1) containing g, else None."""
        lay = self._layout
        k = bisect_right(lay.intron_lo, g) - 1
        return lay.intron_number[k] if k >= 0 and g <= lay.intron_hi[k] else None

    def exons_overlapping(self, a: int, b: int) -> tuple[Exon, ...]:
        """Exons (transcript order) that a..b overlaps as VEP counts it: b >= start and a <= end (an insertion,
        b = a - 1, overlaps an exon holding both flanking bases)."""
        lay = self._layout
        hit = lay.exon_index[bisect_left(lay.exon_hi, a) : bisect_right(lay.exon_lo, b)]
        return tuple(self.exons[i] for i in sorted(hit))

    def introns_overlapping(self, a: int, b: int) -> tuple[int, ...]:
        """Numbers (transcript order) of the introns that a..b overlaps as VEP counts it (as exons_overlapping)."""
        lay = self._layout
        return tuple(sorted(lay.intron_number[bisect_left(lay.intron_hi, a) : bisect_right(lay.intron_lo, b)]))

    def tx_pos(self, g: int) -> int | None:
        """1-based position in the spliced transcript of an exonic genomic position."""
        i = self._layout.exon_index_at(g)
        if i is None:
            return None
        e = self.exons[i]
        return self._layout.tx_starts[i] + (e.end - g if self.strand < 0 else g - e.start)

    def genomic_of_tx(self, t: int) -> int:
        starts = self._layout.tx_starts
        i = bisect_right(starts, t) - 1
        if i < 0 or t > self.tx_length:
            raise ValueError(f"transcript position {t} outside 1..{self.tx_length}")
        e, s = self.exons[i], starts[i]
        return e.end - (t - s) if self.strand < 0 else e.start + (t - s)

    @cached_property
    def cds_tx_start(self) -> int:
        return self.tx_pos(self.cds_end if self.strand < 0 else self.cds_start)  # type: ignore[return-value]

    @cached_property
    def cds_tx_end(self) -> int:
        return self.tx_pos(self.cds_start if self.strand < 0 else self.cds_end)  # type: ignore[return-value]

    @cached_property
    def cds_length(self) -> int:
        return self.cds_tx_end - self.cds_tx_start + 1

    def _c_of_tx(self, t: int, offset: int = 0) -> CPos:
        if t < self.cds_tx_start:
            return CPos(t - self.cds_tx_start, offset)
        if t > self.cds_tx_end:
            return CPos(t - self.cds_tx_end, offset, utr3=True)
        return CPos(t - self.cds_tx_start + 1, offset)

    def c_pos(self, g: int) -> CPos:
        """Genomic position -> c. position (exonic, intronic, or beyond the transcript ends)."""
        t = self.tx_pos(g)
        if t is not None:
            return self._c_of_tx(t)
        s = self.strand
        first, last = self.exons[0], self.exons[-1]
        five_end = first.end if s < 0 else first.start
        three_end = last.start if s < 0 else last.end
        if (g - five_end) * s < 0:  # upstream of the transcript
            return CPos(self._c_of_tx(1).base - abs(g - five_end))
        if (g - three_end) * s > 0:  # downstream
            c_last = self._c_of_tx(self.tx_length)
            return CPos(c_last.base + abs(g - three_end), 0, utr3=c_last.utr3)
        i = self.intron_at(g)
        assert i is not None
        a, b = self.exons[i - 1], self.exons[i]
        a_last = a.start if s < 0 else a.end  # last base of the upstream exon
        b_first = b.end if s < 0 else b.start
        d_up, d_down = abs(g - a_last), abs(b_first - g)
        if d_up <= d_down:
            return self._c_of_tx(self.tx_pos(a_last), offset=d_up)  # type: ignore[arg-type]
        return self._c_of_tx(self.tx_pos(b_first), offset=-d_down)  # type: ignore[arg-type]

    def genomic_of_c(self, c: CPos) -> int:
        """c. position -> genomic position (inverse of c_pos for positions within the transcript)."""
        if c.utr3:
            t = self.cds_tx_end + c.base
        elif c.base < 0:
            t = self.cds_tx_start + c.base
        else:
            t = self.cds_tx_start + c.base - 1
        if t < 1:  # upstream of the transcript start
            return self.genomic_of_tx(1) - self.strand * (1 - t)
        if t > self.tx_length:
            return self.genomic_of_tx(self.tx_length) + self.strand * (t - self.tx_length)
        return self.genomic_of_tx(t) + self.strand * c.offset

    def is_exon_boundary(self, c: CPos) -> tuple[bool, bool]:
        """(is first base of an exon, is last base of an exon) for an exonic c. position."""
        g = self.genomic_of_c(CPos(c.base, 0, c.utr3))
        e = self.exon_at(g)
        if e is None:
            return (False, False)
        first = e.end if self.strand < 0 else e.start
        last = e.start if self.strand < 0 else e.end
        return (g == first, g == last)


def read_fasta_seq(path: Path) -> str:
    return "".join(l.strip() for l in Path(path).read_text().splitlines() if not l.startswith(">"))


def load_protein(path: Path | None = None) -> str:
    return read_fasta_seq(path or RESOURCES / "trpm6" / "NP_060132.3.fa")
