"""Analysis settings taken from the config: thresholds with their defaults, and the config digest.
Light on purpose: the Snakefile imports it at parse time."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    min_dp: int = 10
    min_gq: int = 20
    min_allele_balance: float = 0.2
    min_qual: float = 20.0  # QUAL below this fails a call (FreeBayes, Platypus write QUAL but no GQ)
    coverage_threshold: int = 20
    min_covered_fraction: float = 0.5  # a negative with less coding sequence at threshold is inconclusive

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Thresholds:
        qc = config.get("qc") or {}
        d = cls()
        return cls(
            min_dp=int(qc.get("min_dp", d.min_dp)),
            min_gq=int(qc.get("min_gq", d.min_gq)),
            min_allele_balance=float(qc.get("min_allele_balance", d.min_allele_balance)),
            min_qual=float(qc.get("min_qual", d.min_qual)),
            coverage_threshold=int(config.get("coverage_threshold", d.coverage_threshold)),
            min_covered_fraction=float(config.get("min_covered_fraction", d.min_covered_fraction)),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# review, pdf: the review step (review.py); input_identity changes only provenance fields; cache_dir: where the
# gene cache is kept across runs
NOT_IN_DIGEST: frozenset[str] = frozenset({"outdir", "review", "pdf", "input_identity", "cache_dir"})


# Whiffin et al. 2017 (Genet Med 19:1151) maximum credible population allele frequency for a recessive disease:
# sqrt(prevalence x genetic contribution / penetrance) x maximum allelic contribution. For HSH: prevalence
# 1/100,000 (an upper bound; Orphanet lists < 1/1,000,000), TRPM6 explains all of it (1.0), penetrance 1.0,
# no single allele more than half of the disease alleles (0.5): sqrt(1e-5) x 0.5 = 0.00158 (docs/classification.md).
HSH_MAX_CREDIBLE_AF = round((1e-5 * 1.0 / 1.0) ** 0.5 * 0.5, 5)


@dataclass(frozen=True)
class EvidenceSettings:
    """Optional evidence files (paths, "" = not given) and the thresholds of the criteria read from them."""

    population_vcf: str = ""
    spliceai_vcf: str = ""
    missense_scores: str = ""
    ba1_af: float = 0.05  # ClinGen SVI (Ghosh et al. 2018)
    bs1_max_credible_af: float = HSH_MAX_CREDIBLE_AF  # Whiffin et al. 2017, recessive
    bs2_min_homozygotes: int = 1  # 0 switches BS2 off
    pm2_max_af: float = 0.0007  # ClinGen SVI PM2 v1.0 (2020), recessive
    spliceai_pp3: float = 0.2  # Walker et al. 2023
    spliceai_bp4: float = 0.1
    revel_pp3: tuple[float, float, float] = (0.932, 0.773, 0.644)  # strong, moderate, supporting (Pejaver 2022)
    revel_bp4: tuple[float, float, float] = (0.016, 0.183, 0.290)  # strong, moderate, supporting

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> EvidenceSettings:
        ev = config.get("evidence") or {}
        d = cls()
        kw: dict[str, Any] = {
            k: str(config.get(k) or "") for k in ("population_vcf", "spliceai_vcf", "missense_scores")
        }
        for k in ("ba1_af", "bs1_max_credible_af", "pm2_max_af", "spliceai_pp3", "spliceai_bp4"):
            kw[k] = float(ev.get(k, getattr(d, k)))
        kw["bs2_min_homozygotes"] = int(ev.get("bs2_min_homozygotes", d.bs2_min_homozygotes))
        revel = ev.get("revel") or {}
        names = ("strong", "moderate", "supporting")
        kw["revel_pp3"] = tuple(float(revel.get(f"pp3_{n}", v)) for n, v in zip(names, d.revel_pp3))
        kw["revel_bp4"] = tuple(float(revel.get(f"bp4_{n}", v)) for n, v in zip(names, d.revel_bp4))
        return cls(**kw)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvidenceSettings:
        """From `as_dict` (the settings JSON): lists back to tuples."""
        kw: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
        return cls(**kw)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def config_digest(config: dict[str, Any]) -> str:
    """SHA-256 of the config as sorted JSON; `outdir`, the review file and the PDF switch are left out (they
    change no result)."""
    return hashlib.sha256(
        json.dumps({k: v for k, v in config.items() if k not in NOT_IN_DIGEST}, sort_keys=True, default=str).encode()
    ).hexdigest()


def settings_json(config: dict[str, Any]) -> str:
    """What a batch job needs from the config, as one JSON string (a rule parameter)."""
    return json.dumps(
        {
            "thresholds": Thresholds.from_config(config).as_dict(),
            "evidence": EvidenceSettings.from_config(config).as_dict(),
            "config_sha256": config_digest(config),
            "input_identity": config.get("input_identity") or "auto",
        },
        sort_keys=True,
    )
