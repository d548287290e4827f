"""ACMG evidence from files outside the transcript: population frequencies (gnomAD sites VCF) and predictors
(SpliceAI VCF, REVEL scores). `EvidenceSources.open(settings, cache)` once per batch, then
`sources.evidence(variant, consequences)` per allele. Criteria, sources and thresholds: docs/classification.md."""

from .population import PopulationRecord, filtering_af
from .sources import EvidenceSources

__all__ = ["EvidenceSources", "PopulationRecord", "filtering_af"]
