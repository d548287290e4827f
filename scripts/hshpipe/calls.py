"""One sample's view of the normalised records: each record becomes a carried call, a filtered record with its
reason, or a reference observation (depth for the coverage section). Nothing is dropped silently.

Pure functions of the records and the sample's column; no annotation happens here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .model import Variant
from .qc import (
    CallQC,
    Phase,
    block_depth,
    call_qc,
    info_flags,
    low_confidence_reference,
    phase,
    sample_deletions,
    sv_type,
    sv_zygosity,
    with_deletions,
    zygosity,
    zygosity_flags,
)
from .settings import Thresholds
from .vcfio import GenotypeTable, Record, SampleGenotype

Block = tuple[int, int, int]  # (start, end, depth): reference-call depth for the coverage section


@dataclass(frozen=True, slots=True)
class Call:
    """A carried ALT allele of one sample at one normalised record, with its genotype and QC."""

    record: Record
    genotype: SampleGenotype
    variant: Variant  # on the reference's contig naming
    zygosity: str  # with copy number and the sample's own deletion calls taken into account
    qc: CallQC  # state pass | fail | review, the flags, the fields used
    phase: Phase  # phased or not, and from what (GT|PS, HP, PGT/PID, a 1/2 call)
    info_flags: tuple[str, ...]  # informational, do not fail QC

    @property
    def key(self) -> str:
        r = self.record
        return f"{r.chrom}:{r.pos}:{r.ref}:{r.alt}"

    @property
    def qc_pass(self) -> bool:
        return self.qc.passed

    @property
    def qc_flags(self) -> tuple[str, ...]:
        return self.qc.flags

    @property
    def haplotype(self) -> int | None:
        """Phased heterozygous: which of the two haplotypes (0 or 1) carries the ALT."""
        return self.phase.haplotype


@dataclass(frozen=True, slots=True)
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
    unsure_sites: list[tuple[Record, str]] = field(default_factory=list)  # no or low-confidence call: how
    ref_mismatches: list[str] = field(default_factory=list)  # carried alleles whose REF is not the reference's
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
    ctx = Context(checks, th, sample_deletions(list(records), j))
    for i, r in enumerate(records):
        out.n_records += 1
        gt = r.genotypes
        assert isinstance(gt, GenotypeTable), "read_records gives genotype tables"
        if r.kind == "small" and not gt.carrier[j] and not gt.missing[j]:  # fast path: reference call
            out.n_homref += 1
            _unsure(r, gt[j], i in checks.bad_ref, checks, th, out)
            dp = gt.dp[j] if gt.dp is not None else None
            if dp is not None and dp >= 0:
                out.blocks.append((r.pos, r.pos + len(r.ref) - 1, int(dp)))
            continue
        _one_record(r, gt[j], i in checks.bad_ref, ctx, seen, out)
    return out


@dataclass(frozen=True)
class Context:
    checks: RegionChecks
    th: Thresholds
    deletions: list[tuple[int, int, str]]  # the sample's own deletion calls (start, end, zygosity)


def _unsure(
    r: Record, g: SampleGenotype, bad_ref: bool, checks: RegionChecks, th: Thresholds, out: SampleRecords
) -> None:
    """Remember a no-call or low-confidence reference call of a small-variant site: at a curated pathogenic site
    it is named in the verdict (the interpreter decides which sites are curated)."""
    start, end = checks.region
    if r.kind != "small" or bad_ref or r.pos < start or r.pos + len(r.ref) - 1 > end:
        return
    how = low_confidence_reference(g, th)
    if how is not None:
        out.unsure_sites.append((r, how))


def for_sample(r: Record, g: SampleGenotype) -> Record:
    """A <CNV> record (Delly) as this sample's deletion or duplication (by its copy number); others as they are."""
    kind = sv_type(r, g) if r.kind == "cnv" else None
    return replace(r, kind="sv", alt=f"<{kind}>", info={**r.info, "SVTYPE": kind}) if kind else r


def no_call(r: Record, g: SampleGenotype) -> bool:
    """No genotype for this sample (copy-number callers: CN decides, not GT)."""
    return g.alleles.count(-1) == len(g.alleles) and not (r.kind in ("sv", "cnv") and g.cn is not None)


def record_zygosity(r: Record, g: SampleGenotype) -> str | None:
    """Zygosity of the record's ALT in this sample (structural records by copy number), None when not carried."""
    return sv_zygosity(r, g) if r.kind in ("sv", "cnv") else zygosity(g)


def _one_record(
    r: Record, g: SampleGenotype, bad_ref: bool, ctx: Context, seen: set[tuple[int, str, str, int]], out: SampleRecords
) -> None:
    r = for_sample(r, g)
    if r.kind in ("small", "sv") and 1 in g.alleles:
        ident = (r.pos, r.ref, r.alt, r.end)
        if ident in seen:
            out.filtered.append(Filtered(r, "duplicate of an earlier record with the same allele; reported once"))
            return
        seen.add(ident)
    if r.kind == "block":
        _reference_block(r, g, out)
        return
    if no_call(r, g):
        out.n_missing += 1
        out.filtered.append(Filtered(r, "no genotype call for this sample (./.)"))
        _unsure(r, g, bad_ref, ctx.checks, ctx.th, out)
        return
    zyg = record_zygosity(r, g)
    if zyg is None:
        out.n_homref += 1
        if g.dp is not None and r.kind == "small":
            out.blocks.append((r.pos, r.pos + len(r.ref) - 1, g.dp))
        return
    reason = not_interpreted(r, bad_ref, ctx.checks)
    if reason:
        out.filtered.append(Filtered(r, reason))
        if bad_ref:
            out.ref_mismatches.append(f"{r.chrom}:{r.pos} (REF {r.ref}, reference {_expected(r, ctx.checks)})")
        return
    if g.dp is not None and r.kind == "small":
        out.blocks.append((r.pos, r.pos + len(r.ref) - 1, g.dp))
    out.calls.append(_call(r, g, zyg, ctx))


def _call(r: Record, g: SampleGenotype, zyg: str, ctx: Context) -> Call:
    """The carried allele with its final zygosity, QC and phase."""
    review = zygosity_flags(g, zyg, r.kind)
    if r.kind == "small":
        zyg, contradictions = with_deletions(zyg, r.pos, r.pos + len(r.ref) - 1, ctx.deletions)
        review += contradictions
    variant = Variant(ctx.checks.contig, r.pos, r.ref.upper(), r.alt.upper())
    qc = call_qc(r, g, zyg, ctx.th, review)
    return Call(r, g, variant, zyg, qc, phase(g, f"{r.chrom}:{r.original[1]}"), tuple(info_flags(g)))


def _reference_block(r: Record, g: SampleGenotype, out: SampleRecords) -> None:
    depth = block_depth(g)
    if depth is not None and all(a in (0, -1) for a in g.alleles):
        out.blocks.append((r.pos, r.end, depth))
    if g.alleles.count(-1) == len(g.alleles):
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
        return f"REF {r.ref} does not match the reference ({_expected(r, checks)}); not annotated"
    start, end = checks.region
    if r.kind == "small" and (r.pos < start or r.pos + len(r.ref) - 1 > end):
        return "extends beyond the cached TRPM6 region (+/-10 kb); review by hand"
    return None


def _expected(r: Record, checks: RegionChecks) -> str:
    try:
        return checks.fetch(r.pos, r.pos + len(r.ref) - 1)
    except IndexError:
        return "?"
