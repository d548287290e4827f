"""The middle of the path, per sample: annotate each call once, group calls in cis into one change, then match
the curated table and classify each change once (a cis group on its combined annotation).

Annotations and classifications are memoised per allele for the whole batch: the samples of a cohort share
most of their variants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .calls import Call
from .classify import Classification, classify
from .consequence import Annotation, annotate, annotate_haplotype, annotate_sv
from .curation import CompiledTable, CuratedMatch
from .evidence import EvidenceSources
from .haplotypes import cis_groups, combined_variant
from .model import Variant
from .reference import GeneCache
from .vcfio import Record
from .vocab import PLP

RecordKey = tuple[str, int, str, str, int, str]  # what makes two records of a batch the same allele (_record_key)


@dataclass(frozen=True, eq=False)
class Interpretation:
    """The pipeline's conclusion about one change: the annotation it was classified on, the curated match, the
    class. Made once per change per batch (Interpreter), so compared and hashed by identity: the report's fields
    of a change are memoised on it (assemble)."""

    annotation: Annotation
    match: CuratedMatch | None
    classification: Classification
    population: dict[str, Any] | None = None  # report.json `population` (None: no population file given)


@dataclass(frozen=True)
class Interpreted:
    """One call with its own annotation (for display) and the interpretation of the change it belongs to."""

    call: Call
    annotation: Annotation
    result: Interpretation
    members: tuple[str, ...] = ()  # keys of the calls of its cis group; empty when the call stands alone
    near: tuple[str, ...] = ()  # c. names of heterozygous neighbours of unknown phase

    @property
    def change_key(self) -> str:
        """One id per change: the call's key, or the joined keys of its cis group."""
        return ";".join(self.members) if self.members else self.call.key


@dataclass
class Interpreter:
    cache: GeneCache
    curated: CompiledTable
    evidence: EvidenceSources | None = None  # population and predictor files (None: none given)
    _annotations: dict[RecordKey, Annotation] = field(default_factory=dict)
    _results: dict[RecordKey, Interpretation] = field(default_factory=dict)
    _groups: dict[tuple[Any, ...], Interpretation] = field(default_factory=dict)

    def _annotate(self, key: RecordKey, r: Record, variant: Variant) -> Annotation:
        """The record's annotation (`key`: its _record_key), once per batch; an error here is a bug, not bad input:
        let it surface."""
        ann = self._annotations.get(key)
        if ann is None:
            if r.kind == "sv":
                ann = annotate_sv(self.cache.contig, r.pos + 1, r.end, _sv_type(r), self.cache)
            else:
                ann = annotate(variant, self.cache)
            self._annotations[key] = ann
        return ann

    def _single(self, key: RecordKey, variant: Variant, ann: Annotation) -> Interpretation:
        """The record's interpretation on its own (`key`: its _record_key), once per batch."""
        result = self._results.get(key)
        if result is None:
            result = self._results[key] = self._interpret(variant, ann)
        return result

    def group(self, calls: Sequence[Call]) -> Interpretation:
        """Calls in cis interpreted as one change, once per batch (samples of a cohort share their haplotypes)."""
        key = tuple(_record_key(c.record) for c in calls)
        result = self._groups.get(key)
        if result is None:
            vs = [c.variant for c in calls]
            result = self._groups[key] = self._interpret(
                combined_variant(vs, self.cache), annotate_haplotype(vs, self.cache)
            )
        return result

    def _interpret(self, variant: Variant, ann: Annotation) -> Interpretation:
        """Curated match, outside evidence and classification of one change."""
        match = self.curated.match(variant, ann)
        ev, population = self.evidence.evidence(variant, ann.consequences) if self.evidence else (None, None)
        return Interpretation(ann, match, classify(ann, match, ev, self.curated), population)

    def sample(self, calls: Sequence[Call]) -> list[Interpreted]:
        """Every call of one sample, interpreted alone or with the calls it is in cis with."""
        keys = [_record_key(c.record) for c in calls]
        # memo hits looked up inline: most calls of a batch are alleles seen before
        known, done = self._annotations, self._results
        anns = [known.get(k) or self._annotate(k, c.record, c.variant) for k, c in zip(keys, calls, strict=True)]
        found = cis_groups(calls, anns)
        grouped: dict[int, tuple[Interpretation, tuple[str, ...]]] = {}
        for group in found.groups:
            members = tuple(calls[k].key for k in group)
            result = self.group([calls[k] for k in group])
            grouped.update({k: (result, members) for k in group})
        out = []
        for i, (call, ann) in enumerate(zip(calls, anns, strict=True)):
            result, members = grouped.get(i) or (done.get(keys[i]) or self._single(keys[i], call.variant, ann), ())
            near = tuple(anns[k].hgvs_c or calls[k].key for k in found.near[i]) if i in found.near else ()
            out.append(Interpreted(call, ann, result, members, near))
        return out

    def curated_sites(self, sites: Sequence[tuple[Record, str]]) -> list[str]:
        """The no-call or low-confidence reference sites that are curated (likely) pathogenic, in words."""
        out = []
        for r, how in sites:
            variant = Variant(self.cache.contig, r.pos, r.ref.upper(), r.alt.upper())
            key = _record_key(r)
            ann = self._annotate(key, r, variant)
            result = self._single(key, variant, ann)
            if result.match is not None and result.classification.classification in PLP:
                cls = result.match.entry.classification.replace("_", " ")
                out.append(f"{ann.hgvs_c or variant.key()} ({cls}): {how}")
        return out


def _record_key(r: Record) -> RecordKey:
    """What makes two records of a batch the same allele (the samples of a cohort share most of them): all that
    their annotation and interpretation read, the SV type included (INFO/SVTYPE may say more than the ALT)."""
    return (r.kind, r.pos, r.ref, r.alt, r.end, _sv_type(r) if r.kind == "sv" else "")


def _sv_type(r: Record) -> str:
    """The type a symbolic record is annotated as: INFO/SVTYPE, else its ALT (<DEL>, <DUP:TANDEM>)."""
    return r.info.get("SVTYPE") or r.alt.strip("<>").split(":")[0]
