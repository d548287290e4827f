"""Per-call genotype reading and QC: zygosity (with copy number), allele balance against all reads of the site,
phase from whatever the caller wrote, and the QC gates. Pure functions of one record's call for one sample.

Each gate is a function of its own returning its flag (or None), so that each can be tested, and disabled, alone:
FILTER, FT, depth, GQ, QUAL, allele balance and assessability. A failed gate makes the call `fail`; a call with
no depth and no quality of any kind is `review` (it is reported, and counts toward no verdict without review).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .settings import Thresholds
from .vcfio import Record, SampleGenotype

PASS, FAIL, REVIEW = "pass", "fail", "review"
QC_STATES = (PASS, FAIL, REVIEW)
NOT_ASSESSABLE = "QC not assessable: the caller wrote no depth and no quality (DP, AD, GQ, QUAL) for this call"


@dataclass(frozen=True, slots=True)
class CallQC:
    """The QC of one call: `state` pass | fail | review, the flags that decided it, and the caller's fields that
    were read (named in the report's methods)."""

    state: str
    flags: tuple[str, ...] = ()
    fields_used: tuple[str, ...] = ()
    depth: int | None = None
    allele_balance: float | None = None

    def __post_init__(self) -> None:
        if self.state not in QC_STATES:
            raise ValueError(f"QC state {self.state!r} is not one of {', '.join(QC_STATES)}")

    @property
    def passed(self) -> bool:
        return self.state == PASS


@dataclass(frozen=True, slots=True)
class Phase:
    phased: bool
    phase_set: int | str | None = None
    haplotype: int | None = None  # index (0 or 1) of the haplotype that carries this ALT
    source: str | None = None  # "GT|PS", "HP (WhatsHap)", "PGT/PID (GATK)", "GT 1/2"


UNPHASED = Phase(False)  # immutable: every unphased call shares it


@dataclass(frozen=True)
class Gate:
    name: str
    check: Callable[[Record, SampleGenotype, str, Thresholds], str | None]
    review: bool = False  # a flag from this gate asks for review rather than failing the call


# --- genotype --------------------------------------------------------------------------------------------------


def genotype_string(g: SampleGenotype) -> str:
    return _genotype_text(g.alleles, g.phased)


@lru_cache(maxsize=256)
def _genotype_text(alleles: tuple[int, ...], phased: bool) -> str:
    """A GT as the caller writes it (few distinct values: made once each)."""
    return ("|" if phased else "/").join("." if a < 0 else str(a) for a in alleles)


def zygosity(g: SampleGenotype) -> str | None:
    """heterozygous / homozygous / hemizygous for this record's ALT (allele 1 after splitting), None when not
    carried. A haploid call on this autosome is read with its copy number: CN=1 means one copy is left
    (hemizygous); without CN it is read as homozygous and flagged for review (see `zygosity_flags`)."""
    n_alt = g.alleles.count(1)
    if n_alt == 0:
        return None
    if len(g.alleles) == 1:
        return "hemizygous" if g.cn == 1 else "homozygous"
    return "homozygous" if n_alt == len(g.alleles) else "heterozygous"


def sv_zygosity(rec: Record, g: SampleGenotype) -> str | None:
    """A deletion/duplication's zygosity from CN when the caller wrote it (gCNV, Delly, CNVnator write haploid or
    unusual GTs for copy-number calls): CN 0 = both copies deleted, CN 1 = one, CN >= 3 = gained."""
    if g.cn is None:
        return zygosity(g)
    svtype = sv_type(rec, g)
    if svtype == "DEL":
        return {0: "homozygous", 1: "heterozygous"}.get(g.cn)
    if svtype == "DUP":
        return "heterozygous" if g.cn >= 3 else None
    return zygosity(g)


def sv_type(rec: Record, g: SampleGenotype) -> str | None:
    """DEL or DUP: from the ALT (<DEL>, <DUP:TANDEM>), or for a <CNV> from the sample's copy number."""
    alt = rec.alt.strip("<>").split(":")[0].upper()
    if alt in ("DEL", "DUP"):
        return alt
    if g.cn is None or g.cn == 2:
        return None
    return "DEL" if g.cn < 2 else "DUP"


# --- reads -----------------------------------------------------------------------------------------------------


def depth(g: SampleGenotype) -> tuple[int | None, str | None]:
    """The sample's depth at the site and where it came from: DP, else the reads of all alleles (AD sum,
    RO+AO, RD+AD, NR), else an SV caller's read support (Manta PR+SR, Delly DR+DV+RR+RV)."""
    if g.dp is not None:
        return g.dp, "DP"
    if g.ad_site is not None:
        return g.ad_site, g.read_source
    if g.sv_reads is not None:
        return g.sv_reads, "SV read support"
    return None, None


def allele_balance(g: SampleGenotype) -> float | None:
    """This ALT's reads over the reads of all alleles of the caller's site (a 1/2 call: over REF + both ALTs)."""
    total = g.ad_site
    if total is None and g.ad_ref is not None and g.ad_alt is not None:
        total = g.ad_ref + g.ad_alt
    if g.ad_alt is None or not total:
        return None
    return round(g.ad_alt / total, 4)


# --- gates -----------------------------------------------------------------------------------------------------


def gate_filter(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds) -> str | None:
    bad = [f for f in rec.filters if f not in ("PASS", ".")]
    return "FILTER:" + ",".join(bad) if bad else None


def gate_ft(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds) -> str | None:
    """FORMAT/FT, the per-sample filter (Strelka2, GATK --genotype-filter, Octopus, Manta, Delly)."""
    if g.ft is None:
        return None
    bad = [f for f in g.ft.replace(",", ";").split(";") if f not in ("PASS", ".", "")]
    return "FT:" + ",".join(bad) if bad else None


def gate_depth(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds) -> str | None:
    """Minimum depth for small variants (an SV caller's read support is not a depth: not gated)."""
    d, source = depth(g)
    if rec.kind != "small" or d is None or d >= th.min_dp:
        return None
    return f"DP<{th.min_dp}" if source == "DP" else f"DP<{th.min_dp} ({d} reads from {source})"


def gate_gq(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds) -> str | None:
    if g.gq is not None:
        return f"GQ<{th.min_gq}" if g.gq < th.min_gq else None
    if g.quality is not None and g.quality[1] < th.min_gq:
        return f"{g.quality[0]}<{th.min_gq}"
    return None


def gate_qual(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds) -> str | None:
    if rec.qual is None or rec.qual >= th.min_qual:
        return None
    return f"QUAL<{th.min_qual:g} ({rec.qual:g})"


def gate_allele_balance(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds) -> str | None:
    """Small variants: a heterozygous ALT (also each ALT of a 1/2) within min..1-min of all reads, a homozygous or
    hemizygous one at least 1-min."""
    ab = allele_balance(g)
    lo, hi = th.min_allele_balance, 1 - th.min_allele_balance
    if ab is None or rec.kind != "small":
        return None
    if zyg == "heterozygous" and not lo <= ab <= hi:
        return f"AB={ab:.2f} (het outside {lo:.2f}-{hi:.2f})"
    if zyg in ("homozygous", "hemizygous") and ab < hi:
        return f"AB={ab:.2f} ({zyg[:3]} below {hi:.2f})"
    return None


def gate_assessable(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds) -> str | None:
    """A call with no depth and no quality of any kind cannot be assessed: review, never a silent pass."""
    if depth(g)[0] is not None or g.gq is not None or g.quality is not None or rec.qual is not None:
        return None
    return NOT_ASSESSABLE


GATES: tuple[Gate, ...] = (
    Gate("FILTER", gate_filter),
    Gate("FT", gate_ft),
    Gate("DP", gate_depth),
    Gate("GQ", gate_gq),
    Gate("QUAL", gate_qual),
    Gate("allele balance", gate_allele_balance),
    Gate("assessability", gate_assessable, review=True),
)


def fields_used(rec: Record, g: SampleGenotype) -> tuple[str, ...]:
    """The caller's fields that QC read for this call, for the report's methods."""
    return _fields_used(rec, g, depth(g), allele_balance(g))


def _fields_used(
    rec: Record, g: SampleGenotype, dp: tuple[int | None, str | None], ab: float | None
) -> tuple[str, ...]:
    """fields_used with the call's depth (and its source) and allele balance already computed."""
    out = ["FILTER"]
    if g.ft is not None:
        out.append("FT")
    if dp[0] is not None:
        out.append(f"depth from {dp[1]}")
    if ab is not None and rec.kind == "small":
        out.append(f"allele balance from {g.read_source}")
    if g.gq is not None:
        out.append("GQ")
    elif g.quality is not None:
        out.append(g.quality[0])
    if rec.qual is not None:
        out.append("QUAL")
    if g.cn is not None:
        out.append("CN")
    return tuple(out)


def call_qc(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds, extra_review: tuple[str, ...] = ()) -> CallQC:
    """Every gate on one call. Flags from `extra_review` (e.g. zygosity contradictions) ask for review."""
    fails: list[str] = []
    reviews = list(extra_review)
    for gate in GATES:
        flag = gate.check(rec, g, zyg, th)
        if flag:
            (reviews if gate.review else fails).append(flag)
    state = FAIL if fails else (REVIEW if reviews else PASS)
    dp, ab = depth(g), allele_balance(g)
    return CallQC(state, tuple(fails + reviews), _fields_used(rec, g, dp, ab), dp[0], ab)


def zygosity_flags(g: SampleGenotype, zyg: str, rec_kind: str = "small") -> tuple[str, ...]:
    """Review flags for zygosities the genotype alone cannot settle: a haploid small-variant call on this autosome
    without a copy number."""
    if len(g.alleles) == 1 and g.cn is None and rec_kind == "small":
        return ("haploid genotype on an autosome without CN: homozygous or hemizygous cannot be told apart",)
    return ()


def info_flags(g: SampleGenotype) -> list[str]:
    """Informational flags that do not fail QC."""
    out = []
    if len(g.alleles) == 1:
        out.append("haploid genotype")
    if g.other_alt:
        out.append("other allele is another ALT of the same site (1/2 call, split)")
    elif -1 in g.alleles and len(g.alleles) > 1:
        out.append("other allele is another ALT or missing (split multiallelic)")
    return out


def block_depth(g: SampleGenotype) -> int | None:
    """Depth of a gVCF reference block: its minimum (MIN_DP) when the caller wrote one, else DP."""
    return g.min_dp if g.min_dp is not None else g.dp


def low_confidence_reference(g: SampleGenotype, th: Thresholds) -> str | None:
    """How a call that shows no ALT falls short of a confident reference call: a no-call, or 0/0 below the depth
    or GQ minimum (used at curated pathogenic sites, where absence must be shown)."""
    if g.alleles.count(-1) == len(g.alleles):
        return "no genotype call (" + genotype_string(g) + ")"
    d, _ = depth(g)
    if d is not None and d < th.min_dp:
        return f"{genotype_string(g)} at depth {d} (below {th.min_dp})"
    if g.gq is not None and g.gq < th.min_gq:
        return f"{genotype_string(g)} with GQ {g.gq} (below {th.min_gq})"
    return None


def sample_deletions(records: list[Record], j: int) -> list[tuple[int, int, str]]:
    """(first deleted base, last, zygosity) of the deletions sample j carries (<DEL>, or <CNV> with CN < 2)."""
    out = []
    for r in records:
        if r.kind not in ("sv", "cnv") or r.end <= r.pos:
            continue
        g = r.genotypes[j]
        if sv_type(r, g) == "DEL" and 1 not in g.alleles and g.cn is None:
            continue
        zyg = sv_zygosity(r, g)
        if zyg is not None and sv_type(r, g) == "DEL":
            out.append((r.pos + 1, r.end, zyg))
    return out


def with_deletions(zyg: str, start: int, end: int, dels: list[tuple[int, int, str]]) -> tuple[str, tuple[str, ...]]:
    """A small variant's zygosity given the sample's deletions over the same bases: homozygous inside a
    heterozygous deletion is hemizygous (the other copy is deleted); a heterozygous call there, or any call inside a
    homozygous deletion, contradicts the deletion and is flagged for review."""
    over = [d for d in dels if d[0] <= end and start <= d[1]] if dels else None
    if not over:
        return zyg, ()
    span = f"{over[0][0]}-{over[0][1]}"
    if any(d[2] == "homozygous" for d in over):
        return zyg, (f"called inside a homozygous deletion ({span}) of this sample: contradiction, review",)
    if zyg == "homozygous":
        return "hemizygous", ()
    if zyg == "heterozygous":
        return zyg, (
            f"heterozygous inside a heterozygous deletion ({span}) of this sample: at most one copy is present, "
            "contradiction, review",
        )
    return zyg, ()


# --- phase -----------------------------------------------------------------------------------------------------


def phase(g: SampleGenotype, site: str = "") -> Phase:
    """Phase from a phased GT with PS (any declared type), WhatsHap HP, GATK PGT/PID, or a 1/2 call (its two
    ALTs are on different haplotypes by construction: phase set `site`)."""
    if not (g.phased or g.hp or g.pgt or g.other_alt):  # the usual call: none of the sources below
        return UNPHASED
    if g.phased and len(g.alleles) == 2 and g.phase_set is not None:
        return Phase(True, g.phase_set, _alt_index(g.alleles), "GT|PS")
    hp = _hp_phase(g)
    if hp is not None:
        return hp
    if g.pgt and g.pid and "|" in g.pgt and len(g.alleles) == 2:
        alleles = tuple(int(a) if a.isdigit() else -1 for a in g.pgt.split("|"))
        hap = _alt_index(alleles)
        if hap is not None:
            return Phase(True, g.pid, hap, "PGT/PID (GATK)")
    if g.other_alt and len(g.alleles) == 2:
        return Phase(True, f"{site} (1/2 call)", _alt_index(g.alleles), "GT 1/2 (two ALTs at one site)")
    return UNPHASED


def _alt_index(alleles: tuple[int, ...]) -> int | None:
    if len(alleles) == 2 and (alleles[0] == 1) != (alleles[1] == 1):
        return 0 if alleles[0] == 1 else 1
    return None


def _hp_phase(g: SampleGenotype) -> Phase | None:
    """WhatsHap `--tag HP`: one `block-haplotype` per GT allele, e.g. GT 0/1 HP 23-1,23-2."""
    if not g.hp or len(g.alleles) != 2:
        return None
    parts = [p.rsplit("-", 1) for p in g.hp.split(",")]
    if len(parts) != 2 or any(len(p) != 2 or not p[1].isdigit() for p in parts) or parts[0][0] != parts[1][0]:
        return None
    i = _alt_index(g.alleles)
    if i is None:
        return None
    block = parts[0][0]
    return Phase(True, int(block) if block.isdigit() else block, int(parts[i][1]) - 1, "HP (WhatsHap)")
