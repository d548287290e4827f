"""The curated table's data model: one entry, one match, the constants of the table format."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..vocab import PLP

TRANSCRIPT_ACC = "NM_017662.5"
PROTEIN_ACC = "NP_060132.3"
COLUMNS = (
    "id",
    "hgvs_c",
    "hgvs_p",
    "exon",
    "kind",
    "classification",
    "evidence_tier",
    "source",
    "evidence",
    "curated_on",
)
LEVELS = ("genomic", "cdna", "protein", "codon", "exon")
EXON_KINDS = ("exon_deletion", "exon_duplication")


@dataclass(frozen=True)
class CuratedEntry:
    id: str
    hgvs_c: str | None
    hgvs_p: str | None
    exon: str | None
    kind: str
    classification: str
    evidence_tier: str  # primary | secondary | unconfirmed | clinvar
    source: str
    evidence: str
    curated_on: str
    line: int = 0  # line in the table file (0 for ClinVar records: see `origin`)
    origin: str = ""  # table path or ClinVar VCF path
    review_status: str | None = None  # ClinVar CLNREVSTAT (ClinVar entries only)

    @property
    def exons(self) -> tuple[int, ...]:
        return parse_exons(self.exon) if self.exon else ()

    @property
    def stars(self) -> int | None:
        return clinvar_stars(self.review_status) if self.review_status is not None else None

    def usable_for(self, classification: str) -> bool:
        """May this entry set a variant's class on its own? primary: yes; secondary: only for non-P/LP
        classes (the README's 'fine for context, not for calling a variant pathogenic'); unconfirmed: never;
        ClinVar: >= 2 review stars yes, 1 star only for non-P/LP classes, 0 stars never."""
        tier = self.evidence_tier
        if tier == "primary":
            return True
        if tier == "secondary":
            return classification not in PLP
        if tier == "clinvar":
            stars = self.stars or 0
            return stars >= 2 or (stars == 1 and classification not in PLP)
        return False

    def tier_label(self) -> str:
        if self.evidence_tier == "clinvar":
            return f"ClinVar, review status '{self.review_status}' ({self.stars} star(s))"
        return f"{self.evidence_tier} tier"


@dataclass(frozen=True)
class CuratedMatch:
    id: str
    level: str  # genomic | cdna | protein | codon | exon
    entry: CuratedEntry

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "level": self.level}


def parse_exons(text: str) -> tuple[int, ...]:
    """'6' -> (6,); '6-8' -> (6, 7, 8)."""
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", text.strip())
    if not m:
        raise ValueError(f"exon '{text}' is not an exon number or range (e.g. 6 or 6-8)")
    a, b = int(m[1]), int(m[2] or m[1])
    if b < a:
        raise ValueError(f"exon range '{text}' runs backwards; write the lower exon first")
    return tuple(range(a, b + 1))


def clinvar_stars(review_status: str | None) -> int:
    s = (review_status or "").lower().replace("_", " ")
    if "practice guideline" in s:
        return 4
    if "expert panel" in s:
        return 3
    if "multiple submitters" in s and "no conflict" in s:
        return 2
    if "criteria provided" in s and "no assertion" not in s:
        return 1
    return 0
