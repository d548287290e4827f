"""The evidence files of a run, each read by region once per batch: `EvidenceSources.open(settings, cache)`,
then `sources.evidence(variant, consequences)` per allele -> (acmg.Evidence, population dict or None)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..acmg import Criterion, Evidence
from ..model import Variant
from ..reference import CHR9_NAMES, GeneCache
from ..settings import EvidenceSettings
from .files import Key, trim
from .population import PopulationFile, PopulationRecord, population_evidence
from .predictors import RevelFile, RevelScore, SpliceAIFile, SpliceScore, predictor_evidence

Result = tuple[Evidence, dict[str, Any] | None]


@dataclass
class EvidenceSources:
    settings: EvidenceSettings
    cache: GeneCache
    population: PopulationFile | None = None
    spliceai: SpliceAIFile | None = None
    revel: RevelFile | None = None
    memo: dict[tuple[Key, tuple[str, ...]], Result] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: EvidenceSettings | dict[str, Any], cache: GeneCache) -> EvidenceSources:
        """Reads the TRPM6 region of each configured file (InputError naming the file when it is unusable)."""
        s = settings if isinstance(settings, EvidenceSettings) else EvidenceSettings.from_dict(settings)
        return cls(
            s,
            cache,
            PopulationFile.load(s.population_vcf, cache) if s.population_vcf else None,
            SpliceAIFile.load(s.spliceai_vcf, cache) if s.spliceai_vcf else None,
            RevelFile.load(s.missense_scores, cache) if s.missense_scores else None,
        )

    def evidence(self, variant: Variant, consequences: Sequence[str]) -> Result:
        """(Evidence, report.json `population`) of one VCF-style allele on the reference's naming; memoised,
        so the samples of a batch that share an allele cost one look-up. Symbolic alleles (<DEL>) and other
        chromosomes get no file evidence (only the not-assessed lines)."""
        key = trim(variant.pos, variant.ref, variant.alt)
        memo_key = (key, tuple(consequences))
        if memo_key not in self.memo:
            self.memo[memo_key] = self._evidence(variant, key, consequences)
        return self.memo[memo_key]

    def _evidence(self, variant: Variant, key: Key, consequences: Sequence[str]) -> Result:
        s = self.settings
        scorable = variant.chrom in (self.cache.contig, *CHR9_NAMES) and not variant.alt.startswith("<")
        pop: PopulationRecord | None = None
        if self.population is not None:
            pop = self.population.lookup(key) if scorable else None
        criteria: list[Criterion] = []
        notes: list[str] = []
        if self.population is not None and pop is None:
            notes.append("BA1, BS1, BS2, PM2: not assessed (structural or symbolic allele: not in the population file)")
        else:
            c, n = population_evidence(pop, self.population.region_records if self.population else 0, s)
            criteria += c
            notes += n
        splice: SpliceScore | None = self.spliceai.score(key) if self.spliceai and scorable else None
        revel: RevelScore | None = self.revel.score(key) if self.revel and scorable else None
        c, n = predictor_evidence(consequences, splice, revel, (s.spliceai_vcf, s.missense_scores), s)
        return Evidence(tuple(criteria + c), tuple(notes + n)), None if pop is None else pop.to_json()

    def close(self) -> None:
        """Closes the SpliceAI index handle (the other files are read whole at open)."""
        if self.spliceai is not None:
            self.spliceai.close()
