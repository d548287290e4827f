"""PVS1 by the ClinGen SVI decision tree (Abou Tayoun et al. 2018, Hum Mutat 39:1517, Figure 1).

Reads only the typed facts of `consequence.Annotation` (premature stop and NMD escape, exon-skip model of a
canonical splice site, structural-variant extent, next in-frame Met), never the HGVS strings. Each branch
returns the strength the tree gives, or no criterion with the reason (e.g. an in-frame tandem duplication).

Branches (strength in brackets):
- nonsense / frameshift: NMD predicted [very strong]; NMD escape (last exon or last 50 nt of the penultimate
  exon) and the truncated/altered region overlaps a critical region [strong], removes > 10% of the protein
  [strong], else [moderate]
- canonical +/-1,2 splice site (exon skipping assumed): frameshift with NMD [very strong]; frameshift without
  NMD, or in frame: critical region [strong], > 10% of the protein [strong], else [moderate]
- deletion of exons: whole gene [very strong]; frameshift with NMD [very strong]; otherwise as the splice
  branch; no coding base removed: not applicable
- duplication of whole exons (presumed in tandem): frameshift with NMD [strong]; in frame or no NMD: not
  applicable
- start loss: pathogenic variants known upstream of the next in-frame Met [moderate], none known [supporting]
Not implemented: the "exon absent from biologically relevant transcripts / LoF frequent in the population"
branch (N/A), RNA evidence for cryptic splice sites, proven tandem duplications (a VCF does not prove one).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .acmg import Criterion
from .paths import RESOURCES
from .vocab import CANONICAL_SPLICE

if TYPE_CHECKING:  # pragma: no cover
    from .consequence import Annotation, MrnaEffect, SvExtent

REGIONS_PATH = RESOURCES / "trpm6" / "critical_regions.tsv"
SHARE = 0.10  # "removes > 10% of the protein"
TRUNCATING = ("stop_gained", "frameshift_variant")


@dataclass(frozen=True)
class Region:
    name: str
    start: int
    end: int
    description: str


@dataclass(frozen=True)
class Pvs1:
    """The tree's answer: `criterion` None means PVS1 does not apply, for the reason given."""

    branch: str  # e.g. "nonsense_nmd", "splice_inframe" (for tests and the docs)
    criterion: Criterion | None
    reason: str


@lru_cache(maxsize=4)
def load_regions(path: Path = REGIONS_PATH) -> tuple[Region, ...]:
    rows = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return tuple(
        Region(r["region"], int(r["start"]), int(r["end"]), r["description"])
        for r in csv.DictReader(rows, delimiter="\t")
    )


def exons_label(exons: tuple[int, ...]) -> str:
    """'exon 6', 'exons 12-15'."""
    lo, hi = min(exons), max(exons)
    return f"exon {lo}" if lo == hi else f"exons {lo}-{hi}"


def _critical(first: int, last: int, regions: tuple[Region, ...]) -> Region | None:
    return next((r for r in regions if first <= r.end and last >= r.start), None)


def _hit(branch: str, strength: str, reason: str) -> Pvs1:
    return Pvs1(branch, Criterion("PVS1", strength, "pathogenic", reason), reason)


def _by_region(branch: str, what: str, first: int, last: int, length: int, regions: tuple[Region, ...]) -> Pvs1:
    """The common end of the tree: critical region -> strong; > 10% of the protein -> strong; else moderate."""
    n = last - first + 1
    share = f"{n} of {length} residues ({100 * n / length:.1f}%)"
    region = _critical(first, last, regions)
    if region is not None:
        why = f"{what}; residues {first}-{last} include the {region.description} ({region.start}-{region.end})"
        return _hit(f"{branch}_critical", "strong", why)
    if n > SHARE * length:
        return _hit(f"{branch}_large", "strong", f"{what}; removes or alters {share}, more than 10%")
    return _hit(f"{branch}_small", "moderate", f"{what}; removes or alters {share}, outside critical regions")


def _frame_lost(branch: str, what: str, ptc: int | None, escape: bool | None, first: int, length: int) -> Pvs1:
    if ptc is not None and escape is False:
        return _hit(f"{branch}_nmd", "very_strong", f"{what}; premature stop at codon {ptc}, NMD predicted")
    where = f"premature stop at codon {ptc} escapes NMD" if ptc else "no premature stop before the 3' end"
    return _by_region(f"{branch}_no_nmd", f"{what}; {where}", first, length, length, load_regions())


def _truncating(ann: Annotation, length: int) -> Pvs1:
    term = "frameshift_variant" if "frameshift_variant" in ann.consequences else "stop_gained"
    first = ann.protein_start or ann.ptc_codon or 1
    return _frame_lost(
        "nonsense" if term == "stop_gained" else "frameshift", term, ann.ptc_codon, ann.nmd_escape, first, length
    )


def _effect(branch: str, what: str, eff: MrnaEffect, length: int) -> Pvs1:
    first = eff.first_residue or 1
    if eff.in_frame:
        last = eff.last_residue or first
        return _by_region(f"{branch}_inframe", f"{what}, in frame", first, last, length, load_regions())
    return _frame_lost(f"{branch}_frameshift", f"{what}, frameshift", eff.ptc_codon, eff.nmd_escape, first, length)


def _splice(ann: Annotation, length: int) -> Pvs1:
    site = "donor" if "splice_donor_variant" in ann.consequences else "acceptor"
    eff = ann.splice_skip
    if eff is None:
        why = (
            f"canonical splice {site} next to the first or last exon, which cannot be skipped: the effect "
            "(intron retention or a cryptic site) is not predicted here; PVS1 not applied, RNA studies can resolve it"
        )
        return Pvs1("splice_terminal_exon", None, why)
    what = f"canonical splice {site}: skipping of {exons_label(eff.exons)} ({eff.coding_bases} coding nt) predicted"
    return _effect("splice", what, eff, length)


def _start_loss(next_met: int | None, upstream_plp: bool | None) -> Pvs1:
    if next_met is None:
        return _hit("start_loss_no_met", "moderate", "start codon lost and no downstream in-frame Met")
    what = f"start codon lost; the next in-frame Met is Met{next_met} ({next_met - 1} residues upstream of it)"
    if upstream_plp:
        return _hit("start_loss_upstream_plp", "moderate", f"{what}, with known pathogenic variants upstream of it")
    known = "none known" if upstream_plp is False else "no curated table to check"
    return _hit("start_loss", "supporting", f"{what}; pathogenic variants upstream of it: {known}")


def _deletion(sv: SvExtent, length: int, upstream_plp: bool | None, next_met: int | None) -> Pvs1:
    if sv.whole_gene:
        return _hit("deletion_whole_gene", "very_strong", "deletion of the whole gene")
    if sv.effect is None:
        return Pvs1("deletion_noncoding", None, "the deletion removes no coding base (UTR, intron or promoter only)")
    if sv.effect.start_removed:
        return _start_loss(next_met, upstream_plp)
    what = f"deletion of {exons_label(sv.effect.exons)}"
    if sv.partial_exons:
        what += f" (breakpoint inside exon {', '.join(map(str, sv.partial_exons))}: deleted bases assumed spliced out)"
    return _effect("deletion", f"{what}, {sv.effect.coding_bases} coding nt", sv.effect, length)


def _duplication(sv: SvExtent) -> Pvs1:
    eff = sv.effect
    if sv.whole_gene or eff is None or sv.partial_exons:
        why = "whole-gene duplication" if sv.whole_gene else "duplication not of whole coding exons"
        return Pvs1("duplication_na", None, f"{why}: PVS1 not applicable")
    what = f"duplication of {exons_label(eff.exons)} (presumed in tandem)"
    if eff.in_frame:
        return Pvs1("duplication_inframe", None, f"{what} keeps the reading frame: PVS1 not applicable")
    if eff.ptc_codon is not None and eff.nmd_escape is False:
        why = f"{what} shifts the frame; premature stop at codon {eff.ptc_codon}, NMD predicted"
        return _hit("duplication_frameshift_nmd", "strong", why)
    return Pvs1("duplication_no_nmd", None, f"{what} shifts the frame but NMD is not predicted: PVS1 not applicable")


def assess(ann: Annotation, upstream_plp: bool | None = None) -> Pvs1 | None:
    """PVS1 for one annotation; None when the variant is not a candidate null variant at all.
    `upstream_plp`: are pathogenic variants known upstream of the next in-frame Met (start loss only)."""
    cons = set(ann.consequences)
    length = ann.protein_length or 2022
    if ann.sv is not None:
        if ann.sv.kind == "DEL":
            return _deletion(ann.sv, length, upstream_plp, ann.next_met)
        return _duplication(ann.sv)
    if "start_lost" in cons:
        return _start_loss(ann.next_met, upstream_plp)
    if cons & set(TRUNCATING) and ann.frame is not None:
        return _truncating(ann, length)
    if cons & CANONICAL_SPLICE:
        return _splice(ann, length)
    return None
