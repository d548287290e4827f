"""ACMG/AMP 2015 classification of one TRPM6 variant with the ClinGen SVI refinements, the working shown.

Every variant gets the criteria that apply (code, strength, direction, one-line reason), combined by the
Bayesian points scale (Tavtigian 2018/2020; `acmg.combine`): P >= 10, LP 6..9, VUS 0..5, LB -1..-6, B <= -7.
Criteria computed here:
- PVS1 at the strength of the ClinGen SVI tree (`pvs1.py`);
- PS1 (strong): same amino-acid change as a curated pathogenic/likely pathogenic missense or nonsense;
- PM5 (moderate): another missense at the codon of a curated pathogenic/likely pathogenic missense;
- PM4 (moderate): in-frame deletion/insertion of coding bases (small variants) or stop loss;
- BP7 (supporting): synonymous, deep intronic (>= +7 / <= -21, Walker et al. 2023) or UTR/flanking variant
  with no splice-region term.
Population (PM2_Supporting, BA1, BS1, BS2) and predictor (PP3, BP4) criteria come from outside as
`acmg.Evidence`; when none is given, the rule text says they were not assessed.

A curated entry for the same allele (genomic or c. match, or an exon-level entry for exactly these exons) whose
evidence tier may decide a class (`CuratedEntry.usable_for`) sets the class as a lab assertion, said as such;
the computed criteria and points are still reported. Entries that may not decide are named and not used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import pvs1
from .acmg import Criterion, Evidence, combine
from .vocab import BLB, CLASS_LABEL, LIKELY_BENIGN, PLP, SPLICE_REGION_TERMS, STRENGTH_LABEL

if TYPE_CHECKING:  # pragma: no cover
    from .consequence import Annotation
    from .curation import CuratedMatch

INFRAME_TERMS = ("inframe_deletion", "inframe_insertion")
BP7_TERMS = frozenset(
    {
        "synonymous_variant",
        "intron_variant",
        "5_prime_UTR_variant",
        "3_prime_UTR_variant",
        "upstream_gene_variant",
        "downstream_gene_variant",
        "intergenic_variant",
    }
)
DEEP_DONOR, DEEP_ACCEPTOR = 7, -21  # Walker et al. 2023: BP7 extends to intronic >= +7 and <= -21


@dataclass(frozen=True)
class Classification:
    classification: str
    rule: str  # shown to clinicians as is: the criteria with their strengths, what was not assessed, the class
    criteria: tuple[Criterion, ...] = ()
    points: int = 0
    not_assessed: tuple[str, ...] = ()
    curated_class: bool = False  # the class was set by a curated entry (lab assertion), not by the points

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """'PVS1', 'PVS1_Moderate', 'PM2_Supporting' ... (once per change: every call of it asks)"""
        return tuple(c.label for c in self.criteria)


@dataclass(frozen=True)
class _Curated:
    criteria: tuple[Criterion, ...] = ()
    fixed: str | None = None  # class set by the entry
    note: str = ""


def plp_residues(curated: Any) -> frozenset[int]:
    """Residues of curated pathogenic/likely pathogenic entries that may decide a class (for the start-loss
    branch: are pathogenic variants known upstream of the next Met). Reads the compiled table's entries."""
    out: set[int] = set()
    for ce in getattr(curated, "entries", ()) or ():
        e = ce.entry
        if e.classification not in PLP or not e.usable_for(e.classification):
            continue
        if ce.protein is not None:
            out.add(ce.protein[0])
        elif ce.c_edit is not None and ce.c_edit.start.in_cds:
            out.add((ce.c_edit.start.base - 1) // 3 + 1)
    return frozenset(out)


def _upstream_plp(ann: Annotation, curated: Any) -> bool | None:
    if ann.next_met is None or curated is None:
        return None
    return any(1 < r < ann.next_met for r in plp_residues(curated))


def _tier(m: CuratedMatch) -> str:
    return f"{m.entry.source}; {m.entry.tier_label()}"


def _same_allele(m: CuratedMatch, ann: Annotation) -> bool:
    if m.level in ("genomic", "cdna"):
        return True
    return m.level == "exon" and set(ann.exons_affected) == set(m.entry.exons)


def _curated(ann: Annotation, m: CuratedMatch | None) -> _Curated:
    if m is None:
        return _Curated()
    e, label = m.entry, CLASS_LABEL[m.entry.classification]
    usable = e.usable_for(e.classification)
    if _same_allele(m, ann):
        if usable:
            return _Curated(fixed=e.classification, note=f"curated entry {e.id} ({m.level} match; {_tier(m)}): {label}")
        return _Curated(note=f"curated entry {e.id} ({m.level} match) says {label} but is {e.tier_label()}: not used")
    if m.level == "exon":
        return _Curated(
            note=f"overlaps curated exon-level entry {e.id} (exon {e.exon}, {label}) but affects other exons"
        )
    if m.level == "protein" and usable and e.classification in PLP:
        why = f"same amino-acid change as curated {label} entry {e.id} by another nucleotide change ({_tier(m)})"
        return _Curated(criteria=(Criterion("PS1", "strong", "pathogenic", why),))
    splice = set(SPLICE_REGION_TERMS) & set(ann.consequences)
    if m.level == "protein" and usable and e.classification in BLB and not splice:
        why = f"same amino-acid change as curated {label} entry {e.id}, no splice-region effect ({_tier(m)})"
        return _Curated(fixed=LIKELY_BENIGN, note=why)
    if m.level == "codon" and usable:
        why = f"another missense at the codon of curated {label} missense {e.id} ({e.hgvs_p or e.id}; {_tier(m)})"
        return _Curated(criteria=(Criterion("PM5", "moderate", "pathogenic", why),))
    return _Curated(note=f"matches curated entry {e.id} at {m.level} level ({label}, {e.tier_label()}): not used")


def _deep(ann: Annotation) -> bool:
    """Both ends outside the splice region as BP7 reads it (>= +7 or <= -21 when intronic)."""
    ends = [c for c in (ann.c_start, ann.c_end) if c is not None]
    return all(c.offset == 0 or c.offset >= DEEP_DONOR or c.offset <= DEEP_ACCEPTOR for c in ends)


def _consequence_criteria(ann: Annotation, has_pvs1: bool) -> list[Criterion]:
    cons = set(ann.consequences)
    what = ann.consequences[0] if ann.consequences else "variant"
    if not has_pvs1 and ann.sv is None and (cons & set(INFRAME_TERMS) or "stop_lost" in cons):
        why = f"{what}: protein length changed (repeat regions not checked)"
        return [Criterion("PM4", "moderate", "pathogenic", why)]
    if cons and cons <= BP7_TERMS and ann.sv is None and _deep(ann):
        why = f"{what}: no predicted effect on the protein, outside the splice region (conservation not checked)"
        return [Criterion("BP7", "supporting", "benign", why)]
    return []


def _criterion_text(c: Criterion) -> str:
    pts = f", {c.points:+d}" if c.strength != "stand_alone" else ""
    return f"{c.label} ({STRENGTH_LABEL[c.strength]}{pts}): {c.reason}"


def _rule(
    criteria: Iterable[Criterion], notes: list[str], not_assessed: tuple[str, ...], points: int, cls: str, cur: _Curated
) -> str:
    parts = [_criterion_text(c) for c in criteria] or ["no ACMG criterion applies"]
    parts += [n for n in notes if n]
    parts += list(not_assessed)
    by_points = f"{points} point{'s' if abs(points) != 1 else ''}: {CLASS_LABEL[cls]}"
    if cur.fixed is not None:
        verb = "agrees with" if cur.fixed == cls else "overrides"
        parts.append(
            f"{by_points}; class {CLASS_LABEL[cur.fixed]} set by {cur.note} (lab-asserted curated class; {verb} the points)"
        )
    else:
        parts.append(by_points)
    return "; ".join(parts)


def without_files(ann: Annotation) -> Evidence:
    """What the evidence readers say when no population or predictor file is given (their wording, one place)."""
    from .evidence.population import population_evidence
    from .evidence.predictors import predictor_evidence
    from .settings import EvidenceSettings

    s = EvidenceSettings()
    _, population = population_evidence(None, 0, s)
    _, predictors = predictor_evidence(ann.consequences, None, None, ("", ""), s)
    return Evidence((), tuple(population + predictors))


def classify(
    ann: Annotation, match: CuratedMatch | None, evidence: Evidence | None = None, curated: Any = None
) -> Classification:
    """Criteria, points and class of one variant. `evidence`: population/predictor criteria from the readers
    (None: not assessed); `curated`: the compiled curated table (start loss: pathogenic variants upstream)."""
    pv = pvs1.assess(ann, _upstream_plp(ann, curated))
    criteria: list[Criterion] = [pv.criterion] if pv is not None and pv.criterion is not None else []
    notes = [f"PVS1 not applied: {pv.reason}"] if pv is not None and pv.criterion is None else []
    criteria += _consequence_criteria(ann, bool(criteria))
    cur = _curated(ann, match)
    criteria += cur.criteria
    if cur.fixed is None:
        notes.append(cur.note)
    evidence = evidence if evidence is not None else without_files(ann)
    criteria += evidence.criteria
    not_assessed = evidence.not_assessed
    cls, points = combine(criteria)
    rule = _rule(criteria, notes, not_assessed, points, cls, cur)
    final = cur.fixed or cls
    return Classification(final, rule, tuple(criteria), points, tuple(not_assessed), cur.fixed is not None)
