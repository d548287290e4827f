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
            coverage_threshold=int(config.get("coverage_threshold", d.coverage_threshold)),
            min_covered_fraction=float(config.get("min_covered_fraction", d.min_covered_fraction)),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


NOT_IN_DIGEST: frozenset[str] = frozenset({"outdir", "review", "pdf"})  # review, pdf: the review step (review.py)


def config_digest(config: dict[str, Any]) -> str:
    """SHA-256 of the config as sorted JSON; `outdir`, the review file and the PDF switch are left out (they
    change no result)."""
    return hashlib.sha256(
        json.dumps({k: v for k, v in config.items() if k not in NOT_IN_DIGEST}, sort_keys=True, default=str).encode()
    ).hexdigest()


def settings_json(config: dict[str, Any]) -> str:
    """What a batch job needs from the config, as one JSON string (a rule parameter)."""
    return json.dumps(
        {"thresholds": Thresholds.from_config(config).as_dict(), "config_sha256": config_digest(config)}, sort_keys=True
    )
