"""One sample's view of the normalised records: each record becomes a carried call, a filtered record with its
reason, or a reference observation (depth for the coverage section). Nothing is dropped silently.

Pure functions of the records and the sample's column; no annotation happens here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .model import Variant
from .qc import alt_haplotype, info_flags, qc_flags, zygosity
from .settings import Thresholds
from .vcfio import GenotypeTable, Record, SampleGenotype

Block = tuple[int, int, int]  # (start, end, depth): reference-call depth for the coverage section


@dataclass(frozen=True)
class Call:
    """A carried ALT allele of one sample at one normalised record, with its genotype and QC."""

    record: Record
    genotype: SampleGenotype
    variant: Variant  # on the reference's contig naming
    zygosity: str
    qc_flags: tuple[str, ...]  # failed QC gates (empty: QC pass)
    info_flags: tuple[str, ...]  # informational, do not fail QC

    @property
    def key(self) -> str:
        r = self.record
        return f"{r.chrom}:{r.pos}:{r.ref}:{r.alt}"

    @property
    def qc_pass(self) -> bool:
        return not self.qc_flags

    @property
    def haplotype(self) -> int | None:
        """Phased heterozygous: which of the two haplotypes (0 or 1) carries the ALT."""
        return alt_haplotype(self.genotype)

    @property
    def is_sv(self) -> bool:
        return self.record.kind == "sv"


@dataclass(frozen=True)
class Filtered:
    """A record in the region that is listed, not interpreted, with the reason."""

    record: Record
    reason: str

    def to_json(self) -> dict[str, object]:
        r = self.record
        return {"chrom": r.chrom, "pos": r.pos, "ref": r.ref, "alt": r.alt, "reason": self.reason}


@dataclass
class SampleRecords:
    """Everything one sample's column says about the region."""

    calls: list[Call] = field(default_factory=list)
    filtered: list[Filtered] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    n_records: int = 0
    n_homref: int = 0
    n_missing: int = 0
    had_blocks: bool = False

    @property
    def assessable(self) -> bool:
        """False when every record of the region is a no-call for this sample."""
        return not (self.n_records > 0 and self.n_missing == self.n_records)


@dataclass(frozen=True)
class RegionChecks:
    """What the sample-independent checks of one VCF found, and how to read the reference."""

    contig: str  # the reference's name for chromosome 9
    region: tuple[int, int]  # the cached TRPM6 region (start, end)
    bad_ref: frozenset[int]  # indices of records whose REF disagrees with the reference
    fetch: Callable[[int, int], str]


def sample_records(records: Sequence[Record], j: int, checks: RegionChecks, th: Thresholds) -> SampleRecords:
    """Sort every record into a call, a filtered record or a reference observation for sample column j."""
    out = SampleRecords(had_blocks=any(r.kind == "block" for r in records))
    seen: set[tuple[int, str, str, int]] = set()
    for i, r in enumerate(records):
        out.n_records += 1
        gt = r.genotypes
        assert isinstance(gt, GenotypeTable), "read_records gives genotype tables"
        if r.kind == "small" and not gt.carrier[j] and not gt.missing[j]:  # fast path: reference call
            out.n_homref += 1
            dp = gt.dp[j] if gt.dp is not None else None
            if dp is not None and dp >= 0:
                out.blocks.append((r.pos, r.pos + len(r.ref) - 1, int(dp)))
            continue
        _one_record(r, gt[j], i in checks.bad_ref, checks, th, seen, out)
    return out


def _one_record(
    r: Record,
    g: SampleGenotype,
    bad_ref: bool,
    checks: RegionChecks,
    th: Thresholds,
    seen: set[tuple[int, str, str, int]],
    out: SampleRecords,
) -> None:
    if r.kind in ("small", "sv") and any(a == 1 for a in g.alleles):
        ident = (r.pos, r.ref, r.alt, r.end)
        if ident in seen:
            out.filtered.append(Filtered(r, "duplicate of an earlier record with the same allele; reported once"))
            return
        seen.add(ident)
    if r.kind == "block":
        _reference_block(r, g, out)
        return
    if all(a == -1 for a in g.alleles):
        out.n_missing += 1
        out.filtered.append(Filtered(r, "no genotype call for this sample (./.)"))
        return
    zyg = zygosity(g)
    if zyg is None:
        out.n_homref += 1
        if g.dp is not None and r.kind == "small":
            out.blocks.append((r.pos, r.pos + len(r.ref) - 1, g.dp))
        return
    reason = not_interpreted(r, bad_ref, checks)
    if reason:
        out.filtered.append(Filtered(r, reason))
        return
    if g.dp is not None and r.kind == "small":
        out.blocks.append((r.pos, r.pos + len(r.ref) - 1, g.dp))
    variant = Variant(checks.contig, r.pos, r.ref.upper(), r.alt.upper())
    out.calls.append(Call(r, g, variant, zyg, tuple(qc_flags(r, g, zyg, th)), tuple(info_flags(g))))


def _reference_block(r: Record, g: SampleGenotype, out: SampleRecords) -> None:
    depth = g.min_dp if g.min_dp is not None else g.dp
    if depth is not None and all(a in (0, -1) for a in g.alleles):
        out.blocks.append((r.pos, r.end, depth))
    if all(a == -1 for a in g.alleles):
        out.n_missing += 1


def not_interpreted(r: Record, bad_ref: bool, checks: RegionChecks) -> str | None:
    """Why a carried record is listed rather than interpreted, or None."""
    if r.kind == "symbolic":
        return f"symbolic allele {r.alt} is not interpreted by this pipeline; review by hand"
    if r.kind == "sv" and r.end <= r.pos:
        return f"structural variant {r.alt} without END or SVLEN: extent unknown; review by hand"
    if r.kind == "star":
        return "spanning deletion allele (*): the deletion itself is reported at its own record"
    if bad_ref:
        try:
            expected = checks.fetch(r.pos, r.pos + len(r.ref) - 1)
        except IndexError:
            expected = "?"
        return f"REF {r.ref} does not match the reference ({expected}); not annotated"
    start, end = checks.region
    if r.kind == "small" and (r.pos < start or r.pos + len(r.ref) - 1 > end):
        return "extends beyond the cached TRPM6 region (+/-10 kb); review by hand"
    return None
