"""ACMG/AMP 2015 evidence as typed criteria, combined by the Bayesian points scale.

Points (Tavtigian et al. 2018, Genet Med 20:1054; 2020, Hum Mutat 41:1734): supporting 1, moderate 2, strong 4,
very strong 8; benign evidence counts negative. Classes: pathogenic >= 10, likely pathogenic 6..9, uncertain
0..5, likely benign -1..-6, benign <= -7. BA1 is stand-alone benign (ClinGen SVI, Ghosh et al. 2018).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from .vocab import BENIGN, LIKELY_BENIGN, LIKELY_PATHOGENIC, PATHOGENIC, STAND_ALONE, STRENGTH_POINTS, STRENGTHS, VUS


@dataclass(frozen=True)
class Criterion:
    code: str  # ACMG code as published, e.g. "PVS1", "PM2", "BA1"
    strength: str  # vocab.STRENGTHS: stand_alone | very_strong | strong | moderate | supporting
    direction: str  # "pathogenic" | "benign"
    reason: str  # one line, shown to the reviewer

    def __post_init__(self) -> None:
        if self.strength not in STRENGTHS:
            raise ValueError(f"{self.code}: strength {self.strength!r} is not one of {', '.join(STRENGTHS)}")
        if self.direction not in ("pathogenic", "benign"):
            raise ValueError(f"{self.code}: direction {self.direction!r} is not pathogenic or benign")

    @property
    def points(self) -> int:
        if self.strength == STAND_ALONE:
            return 0
        p = STRENGTH_POINTS[self.strength]
        return p if self.direction == "pathogenic" else -p

    @cached_property
    def label(self) -> str:
        """'PVS1', 'PM2_Supporting', 'PVS1_Strong': the code with its strength when it is not the default."""
        default = _DEFAULT_STRENGTH.get(self.code[:3] if self.code != "BA1" else "BA1")
        if default is None or default == self.strength or self.strength == STAND_ALONE:
            return self.code
        return f"{self.code}_{self.strength.replace('very_strong', 'VeryStrong').capitalize()}"

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "strength": self.strength, "direction": self.direction, "reason": self.reason}


# default strength of each code family (Richards et al. 2015, Table 3 and 4)
_DEFAULT_STRENGTH = {
    "PVS": "very_strong",
    "PS1": "strong",
    "PS2": "strong",
    "PS3": "strong",
    "PS4": "strong",
    "PM1": "moderate",
    "PM2": "moderate",
    "PM3": "moderate",
    "PM4": "moderate",
    "PM5": "moderate",
    "PM6": "moderate",
    "PP1": "supporting",
    "PP2": "supporting",
    "PP3": "supporting",
    "PP4": "supporting",
    "PP5": "supporting",
    "BA1": STAND_ALONE,
    "BS1": "strong",
    "BS2": "strong",
    "BS3": "strong",
    "BS4": "strong",
    "BP1": "supporting",
    "BP2": "supporting",
    "BP3": "supporting",
    "BP4": "supporting",
    "BP5": "supporting",
    "BP6": "supporting",
    "BP7": "supporting",
}


def total_points(criteria: Iterable[Criterion]) -> int:
    return sum(c.points for c in criteria)


def class_from_points(points: int) -> str:
    """The class the points scale gives (Tavtigian 2020, Table 2)."""
    if points >= 10:
        return PATHOGENIC
    if points >= 6:
        return LIKELY_PATHOGENIC
    if points >= 0:
        return VUS
    if points >= -6:
        return LIKELY_BENIGN
    return BENIGN


def combine(criteria: Sequence[Criterion]) -> tuple[str, int]:
    """(class, points) of a set of criteria; a stand-alone benign criterion (BA1) makes the variant benign."""
    points = total_points(criteria)
    if any(c.strength == STAND_ALONE and c.direction == "benign" for c in criteria):
        return BENIGN, points
    return class_from_points(points), points


@dataclass(frozen=True)
class Evidence:
    """Evidence about one variant from sources outside the transcript (population, predictors, the curated
    table): the criteria that apply, and one line per criterion family that could not be assessed (e.g.
    'PM2, BA1, BS1, BS2: not assessed (no population file given)'), so that a report never implies a check
    that was not made."""

    criteria: tuple[Criterion, ...] = ()
    not_assessed: tuple[str, ...] = ()
