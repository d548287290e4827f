"""Matching a variant against the compiled table at five levels: same genomic allele, same c. change, same
protein change by another nucleotide change (PS1-like), another missense at a codon with a known pathogenic
missense (PM5-like), and exon-level entries overlapped by a deletion or duplication."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import Variant
from ..reference import CHR9_NAMES
from .compile import CompiledEntry
from .entries import LEVELS, CuratedMatch

if TYPE_CHECKING:  # pragma: no cover
    from ..consequence import Annotation


@dataclass
class CompiledTable:
    version: str
    build: str
    contig: str
    entries: tuple[CompiledEntry, ...]
    sources: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # ClinVar records not taken, with the reason
    _index: dict[str, dict[Any, list[CompiledEntry]]] = field(default_factory=dict, repr=False)
    _order: dict[int, int] = field(default_factory=dict, repr=False, compare=False)  # id(entry) -> table order

    def __post_init__(self) -> None:
        """Index the keys of every level (a ClinVar extract adds hundreds of entries; cohorts have thousands of
        distinct variants)."""
        idx: dict[str, dict[Any, list[CompiledEntry]]] = {level: {} for level in LEVELS}
        for ce in self.entries:
            if ce.variant is not None:
                idx["genomic"].setdefault((ce.variant.pos, ce.variant.ref, ce.variant.alt), []).append(ce)
            if ce.c_edit is not None:
                idx["cdna"].setdefault(ce.c_edit.key(), []).append(ce)
            if ce.protein is not None and ce.protein[2] != ce.protein[1]:
                idx["protein"].setdefault((ce.protein[0], ce.protein[2]), []).append(ce)
            if ce.codon is not None:
                idx["codon"].setdefault(ce.codon, []).append(ce)
            for n in ce.entry.exons:
                idx["exon"].setdefault(n, []).append(ce)
        self._index = idx
        self._order = {id(ce): i for i, ce in enumerate(self.entries)}

    def provenance(self) -> dict[str, Any]:
        """For report provenance: table version and the files the entries came from."""
        n_cv = sum(1 for ce in self.entries if ce.entry.evidence_tier == "clinvar")
        return {
            "curated_table_version": self.version,
            "sources": list(self.sources),
            "entries": len(self.entries) - n_cv,
            "clinvar_entries": n_cv,
            "clinvar_skipped": len(self.skipped),
        }

    def match(self, v: Variant, ann: Annotation | None) -> CuratedMatch | None:
        """Best match, by level (genomic > cdna > protein > codon > exon), then table entries before ClinVar
        records, then table order."""
        ms = self.matches(v, ann)
        return ms[0] if ms else None

    def matches(self, v: Variant, ann: Annotation | None) -> list[CuratedMatch]:
        """Every entry that matches, each once at its best level, in order of precedence."""
        idx = self._index
        candidates: list[tuple[str, list[CompiledEntry]]] = []
        if v.chrom == self.contig or _same_chr9(v.chrom, self.contig):
            candidates.append(("genomic", idx["genomic"].get((v.pos, v.ref, v.alt), [])))
        if ann is not None:
            c_key = ann.c_change.key() if ann.c_change is not None else None
            pchange = _missense_or_nonsense(ann)
            candidates.append(("cdna", idx["cdna"].get(c_key, []) if c_key else []))
            candidates.append(("protein", idx["protein"].get((pchange[0], pchange[2]), []) if pchange else []))
            missense = pchange is not None and pchange[2] != "*"
            candidates.append(("codon", idx["codon"].get(pchange[0], []) if missense else []))  # type: ignore[index]
            exons = sorted(set(getattr(ann, "exons_affected", ()) or ()))
            hits = {id(ce): ce for n in exons for ce in idx["exon"].get(n, []) if _exon_hit(ce, v, ann)}
            candidates.append(("exon", sorted(hits.values(), key=lambda ce: self._order[id(ce)])))
        out: list[CuratedMatch] = []
        found: set[str] = set()
        for level, ces in candidates:
            for ce in ces:
                if ce.entry.id not in found:
                    out.append(CuratedMatch(ce.entry.id, level, ce.entry))
                    found.add(ce.entry.id)
        return out


def _same_chr9(a: str, b: str) -> bool:
    return a in CHR9_NAMES and b in CHR9_NAMES


def _missense_or_nonsense(ann: Any) -> tuple[int, str, str] | None:
    cons = set(getattr(ann, "consequences", ()) or ())
    if not cons & {"missense_variant", "stop_gained"}:
        return None
    if "frameshift_variant" in cons:
        return None
    start, end = getattr(ann, "protein_start", None), getattr(ann, "protein_end", None)
    ref, alt = getattr(ann, "ref_aa", None), getattr(ann, "alt_aa", None)
    if start is None or (end not in (None, start)) or not ref or not alt or len(ref) != 1 or len(alt) != 1:
        return None
    return start, ref, alt


DEL_TERMS = {"transcript_ablation", "exon_loss_variant", "feature_truncation"}
DUP_TERMS = {"transcript_amplification", "feature_elongation"}


def _sv_type(v: Variant, ann: Any) -> str | None:
    alt = v.alt.upper()
    if alt.startswith("<DEL") or alt.startswith("<CN0"):
        return "DEL"
    if alt.startswith("<DUP") or alt.startswith("<CN") and alt not in ("<CN0>", "<CN1>"):
        return "DUP"
    cons = set(getattr(ann, "consequences", ()) or ())
    if cons & DEL_TERMS:
        return "DEL"
    if cons & DUP_TERMS:
        return "DUP"
    if not alt.startswith("<"):
        if len(v.ref) > len(v.alt):
            return "DEL"
        if len(v.alt) > len(v.ref):
            return "DUP"
    return None


def _exon_hit(ce: CompiledEntry, v: Variant, ann: Any) -> bool:
    affected = set(getattr(ann, "exons_affected", ()) or ())
    if not ce.exon_ranges or not affected & set(ce.entry.exons):
        return False
    want = "DEL" if ce.entry.kind == "exon_deletion" else "DUP"
    got = _sv_type(v, ann)
    return got is None or got == want
