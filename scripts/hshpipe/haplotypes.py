"""Variants of one sample that are one change: calls in cis that touch the same or an adjacent codon, or two
frameshifts close enough for the second to restore the frame, are annotated and classified together (as
bcftools csq does for phased haplotypes). Heterozygous neighbours of unknown phase are flagged instead.

Pure functions of the calls and their single-variant annotations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .calls import Call
from .consequence import Annotation
from .model import Variant
from .reference import GeneCache
from .vocab import HETEROZYGOUS, HOMOZYGOUS

FRAME_RESTORE_WINDOW = 60  # bp: two frameshifts this close may restore the frame together


@dataclass(frozen=True)
class CisGroups:
    groups: tuple[tuple[int, ...], ...]  # indices into the calls, each group of two or more in cis
    near: dict[int, tuple[int, ...]]  # call index -> heterozygous neighbours of unknown phase (same/adjacent codon)


def changes_protein(ann: Annotation) -> bool:
    """A coding change with a named protein effect (not p.?): the kind that can combine with a neighbour."""
    return ann.protein_known


def cis_window(a: Call, b: Call, ann_a: Annotation, ann_b: Annotation) -> int:
    """How far apart two variants may be to be read as one change: the same or adjacent codon, or, for two
    frameshifts, a window in which the second may restore the frame."""
    if "frameshift_variant" in ann_a.consequences and "frameshift_variant" in ann_b.consequences:
        return FRAME_RESTORE_WINDOW
    return 2 + len(a.record.ref) + len(b.record.ref)


def same_phase_set(a: Call, b: Call) -> bool:
    pa, pb = a.phase, b.phase
    return pa.phased and pb.phased and pa.phase_set is not None and pa.phase_set == pb.phase_set


def in_cis(a: Call, b: Call) -> bool:
    """Known to be on one haplotype: both homozygous, or phased heterozygous on the same haplotype of one set."""
    if a.zygosity == HOMOZYGOUS and b.zygosity == HOMOZYGOUS:
        return True
    return same_phase_set(a, b) and a.haplotype is not None and a.haplotype == b.haplotype


def cis_groups(calls: Sequence[Call], anns: Sequence[Annotation]) -> CisGroups:
    """Groups of calls in cis within the window of the group's first call; neighbours of unknown phase."""
    coding = [i for i, ann in enumerate(anns) if changes_protein(ann)]
    used: set[int] = set()
    groups: list[tuple[int, ...]] = []
    near: dict[int, list[int]] = {}
    for n, ia in enumerate(coding):
        if ia in used:
            continue
        group = [ia]
        for ib in coding[n + 1 :]:
            a, b = calls[ia], calls[ib]
            if ib in used or abs(b.record.pos - a.record.pos) > cis_window(a, b, anns[ia], anns[ib]):
                continue
            if in_cis(a, b):
                group.append(ib)
            elif a.zygosity == HETEROZYGOUS and b.zygosity == HETEROZYGOUS and not same_phase_set(a, b):
                near.setdefault(ia, []).append(ib)
                near.setdefault(ib, []).append(ia)
        if len(group) >= 2:
            used.update(group)
            groups.append(tuple(group))
    return CisGroups(tuple(groups), {k: tuple(v) for k, v in near.items()})


def combined_variant(vs: Sequence[Variant], cache: GeneCache) -> Variant:
    """One VCF-style allele for substitutions in cis (an MNV), so the curated table can match it genomically."""
    if any(len(v.ref) != len(v.alt) for v in vs):
        return vs[0]
    lo, hi = min(v.pos for v in vs), max(v.end for v in vs)
    alt = list(cache.fetch(lo, hi))
    for v in vs:
        alt[v.pos - lo : v.end - lo + 1] = list(v.alt)
    return Variant(vs[0].chrom, lo, cache.fetch(lo, hi), "".join(alt))
