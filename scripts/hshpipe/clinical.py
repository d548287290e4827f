"""Clinical context for the reader who is not a geneticist: per verdict, what the result means and what comes next,
from a lab-editable table (`resources/clinical/clinical_context.tsv`: verdict, section, text, source; a
`## version:` line). Every line carries its source; every verdict needs a `meaning` and a `next_steps` line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InputError
from .paths import RESOURCES
from .vocab import VERDICTS

CLINICAL_CONTEXT = RESOURCES / "clinical" / "clinical_context.tsv"
SECTIONS: dict[str, str] = {
    "meaning": "What this means",
    "coverage": "What was and was not tested",
    "next_steps": "What next",
}
HEADER = ("verdict", "section", "text", "source")


@dataclass(frozen=True)
class ContextLine:
    verdict: str
    section: str
    text: str
    source: str


@dataclass(frozen=True)
class ClinicalContext:
    version: str
    path: str
    lines: tuple[ContextLine, ...]


def _parse_row(path: Path, n: int, cells: list[str]) -> ContextLine:
    if len(cells) != len(HEADER):
        raise InputError(f"{path}: line {n}: {len(cells)} columns, expected {len(HEADER)} ({', '.join(HEADER)})")
    row = ContextLine(*(c.strip() for c in cells))
    if row.verdict not in VERDICTS:
        raise InputError(f"{path}: line {n}: verdict {row.verdict!r} is not one of {', '.join(VERDICTS)}")
    if row.section not in SECTIONS:
        raise InputError(f"{path}: line {n}: section {row.section!r} is not one of {', '.join(SECTIONS)}")
    if not row.text or not row.source:
        raise InputError(f"{path}: line {n}: every line needs a text and a source")
    return row


def load_clinical_context(path: Path = CLINICAL_CONTEXT) -> ClinicalContext:
    """Read and check the table: known verdicts and sections, a source on every line, every verdict covered."""
    version, rows, header_seen = "", [], False
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith("## version:"):
            version = raw.split(":", 1)[1].strip()
        elif raw.strip() and not raw.startswith("#"):
            if not header_seen:
                if tuple(raw.split("\t")) != HEADER:
                    raise InputError(f"{path}: line {n}: header must be {' '.join(HEADER)} (tab-separated)")
                header_seen = True
                continue
            rows.append(_parse_row(path, n, raw.split("\t")))
    if not version:
        raise InputError(f"{path}: no '## version:' line; add one and bump it when the table changes")
    for v in VERDICTS:
        have = {r.section for r in rows if r.verdict == v}
        if not {"meaning", "next_steps"} <= have:
            raise InputError(f"{path}: verdict {v} needs a 'meaning' and a 'next_steps' line")
    return ClinicalContext(version, str(path), tuple(rows))


@lru_cache(maxsize=4)
def _cached(path: str) -> ClinicalContext:
    return load_clinical_context(Path(path))


def clinical_view(verdict: str, cite: Callable[[str], Any], path: Path = CLINICAL_CONTEXT) -> dict[str, Any]:
    """The report's 'what this means and what next' section for one verdict; `cite` turns a source into linked
    segments (report.citation_segments)."""
    ctx = _cached(str(path))
    sections = []
    for key, title in SECTIONS.items():
        items = [
            {"text": r.text, "source": cite(r.source)} for r in ctx.lines if r.verdict == verdict and r.section == key
        ]
        if items:
            sections.append({"title": title, "items": items})
    return {"sections": sections, "version": ctx.version, "table": "resources/clinical/clinical_context.tsv"}
