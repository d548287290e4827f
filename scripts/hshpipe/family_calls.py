"""A family member's genotype at any site of the region, read from the same normalised records the member's own
path used: a call, a gVCF reference block, a joint VCF's 0/0, a no-call, a low-quality call, or -- in a
variant-only single-sample VCF -- no record at all, which is *reference assumed* with quality unknown.

Nothing is guessed: a no-call or a call failing the QC gates has `alt_count` None (unknown).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from .calls import for_sample, no_call, record_zygosity
from .qc import block_depth, call_qc, depth, genotype_string, low_confidence_reference
from .settings import Thresholds
from .vcfio import Record, SampleGenotype
from .vocab import HETEROZYGOUS

CALL = "call"
GVCF_BLOCK = "gvcf_block"
ASSUMED = "assumed_reference"
NO_CALL = "no_call"
LOW_QUALITY = "low_quality"


@dataclass(frozen=True)
class SiteGenotype:
    """One member's genotype at one allele: copies of the ALT (0, 1, 2) or None when unknown."""

    alt_count: int | None
    gt: str  # as shown: "0/1", "./.", "0/0" (block/assumed are named in `source`)
    source: str  # call | gvcf_block | assumed_reference | no_call | low_quality
    note: str = ""  # why unknown, or "quality not assessed"

    @property
    def known(self) -> bool:
        return self.alt_count is not None

    @property
    def label(self) -> str:
        """'0/1', '0/0 (gVCF block)', '0/0 (reference assumed: no record)', './. (no call)', '0/1 (low quality: DP<10)'."""
        extra = {
            GVCF_BLOCK: "gVCF block",
            ASSUMED: "reference assumed: no record in a variant-only VCF",
            NO_CALL: "no call",
            LOW_QUALITY: f"low quality: {self.note}",
        }.get(self.source)
        if self.source == CALL and self.note:
            extra = self.note
        return f"{self.gt} ({extra})" if extra else self.gt


def call_genotype(rec: Record, g: SampleGenotype, th: Thresholds) -> SiteGenotype:
    """A record's genotype for one member, read by the rules of the member's own path (calls.py, qc.py): ALT
    copies, or unknown for a no-call, a call failing QC or a low-confidence reference call."""
    gt = genotype_string(g)
    if no_call(rec, g):
        return SiteGenotype(None, gt, NO_CALL, "no genotype call")
    zyg = record_zygosity(rec, g)
    if zyg:
        qc = call_qc(rec, g, zyg, th)
        if qc.state == "fail":
            return SiteGenotype(None, gt, LOW_QUALITY, ", ".join(qc.flags))
        note = "quality not assessed" if qc.state == "review" else ""
        return SiteGenotype(1 if zyg == HETEROZYGOUS else 2, gt, CALL, note)
    how = low_confidence_reference(g, th)  # FILTER is a property of the site (another member's variant)
    if how:
        return SiteGenotype(None, gt, LOW_QUALITY, how)
    note = "quality not assessed: no depth or GQ" if depth(g)[0] is None and g.gq is None else ""
    return SiteGenotype(0, gt, CALL, note)


def block_genotype(g: SampleGenotype, th: Thresholds) -> SiteGenotype:
    d = block_depth(g)
    if g.alleles.count(-1) == len(g.alleles):
        return SiteGenotype(None, "./.", NO_CALL, "no call in the gVCF block")
    if d is not None and d < th.min_dp:
        return SiteGenotype(None, "0/0", LOW_QUALITY, f"gVCF block depth {d} < {th.min_dp}")
    return SiteGenotype(0, "0/0", GVCF_BLOCK, "" if d is not None else "quality not assessed: no depth")


@dataclass
class MemberGenotypes:
    """Lookup of one member's genotype by allele (pos, ref, alt) over the region."""

    sample: str
    calls: dict[tuple[int, str, str], SiteGenotype] = field(default_factory=dict)
    block_starts: list[int] = field(default_factory=list)
    blocks: list[tuple[int, int, SiteGenotype]] = field(default_factory=list)

    def at(self, pos: int, ref: str, alt: str) -> SiteGenotype:
        got = self.calls.get((pos, ref, alt))
        if got is not None:
            return got
        i = bisect_right(self.block_starts, pos) - 1
        if i >= 0 and self.blocks[i][0] <= pos <= self.blocks[i][1]:
            return self.blocks[i][2]
        return SiteGenotype(0, "0/0", ASSUMED, "quality unknown")

    def carried(self) -> list[tuple[int, str, str]]:
        """Alleles this member carries (known calls with at least one ALT copy)."""
        return [k for k, v in self.calls.items() if v.alt_count]


def member_genotypes(sample: str, records: Sequence[Record], j: int, th: Thresholds) -> MemberGenotypes:
    """The lookup for sample column j of a VCF's normalised records. A site without a record and outside any
    gVCF block is reference *assumed* (variant-only VCF; a joint VCF's 0/0 is a record and a real call)."""
    out = MemberGenotypes(sample)
    for rec in records:
        g = rec.genotypes[j]
        r = for_sample(rec, g)  # a <CNV> as this member's <DEL>/<DUP>, keyed as the child's call is
        if r.kind == "block":
            out.blocks.append((r.pos, r.end, block_genotype(g, th)))
        elif r.kind in ("small", "sv"):
            key = (r.pos, r.ref.upper(), r.alt.upper())
            out.calls.setdefault(key, call_genotype(r, g, th))
    out.blocks.sort(key=lambda b: b[0])
    out.block_starts = [b[0] for b in out.blocks]
    return out
