"""Population evidence from a gnomAD sites VCF (v2, v3 or v4 INFO names): BA1, BS1, BS2 and PM2_Supporting.

Read by region (bgzip + tabix) once per batch; the INFO of an allele is parsed when it is first looked up.
Criteria and thresholds: docs/classification.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ..acmg import Criterion
from ..errors import InputError
from ..reference import CHR9_NAMES, GeneCache
from ..settings import EvidenceSettings
from .files import (
    Key,
    check_header_build,
    check_ref_alleles,
    header_contigs,
    region_span,
    require_bgzip_index,
    tabix_header,
    tabix_lines,
    trim,
)

KEY = "population_vcf"
POPULATION_CODES = "BA1, BS1, BS2, PM2"
# INFO names, first found wins: gnomAD v4 | v3 | v2 (v2 has only per-group faf95_<group>)
AF_GRPMAX = ("AF_grpmax", "AF_popmax")
FAF95 = ("fafmax_faf95_max", "faf95_popmax")
V2_FAF_GROUPS = ("faf95_afr", "faf95_amr", "faf95_eas", "faf95_nfe", "faf95_sas")
KNOWN_INFO = ("AF", "AC", "AN", "nhomalt", *AF_GRPMAX, *FAF95, *V2_FAF_GROUPS)
_INFO_FIELD = re.compile(r"(?:^|;)(" + "|".join(KNOWN_INFO) + r")(?:=([^;]*))?(?=;|$)")


@dataclass(frozen=True)
class PopulationRecord:
    """One allele in the population file; `found` False = the file has no record of it (absent)."""

    source: str
    found: bool
    af: float | None = None
    af_grpmax: float | None = None
    faf95: float | None = None
    nhomalt: int | None = None
    ac: int | None = None
    an: int | None = None
    filters: tuple[str, ...] = ()
    faf95_computed: bool = False  # faf95 from AC/AN here (the file has no faf95 field)

    @property
    def passed(self) -> bool:
        return not self.filters or self.filters in (("PASS",), (".",))

    def to_json(self) -> dict[str, Any]:
        """report.json `population`: {source, af, af_grpmax, faf95, nhomalt} (+ found)."""
        return {
            "source": self.source,
            "found": self.found,
            "af": self.af,
            "af_grpmax": self.af_grpmax,
            "faf95": self.faf95,
            "nhomalt": self.nhomalt,
        }


# --- filtering allele frequency (gnomAD; Whiffin et al. 2017) ------------------------------------------------


def _poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), k >= 1 (summed in log space)."""
    if lam <= 0:
        return 0.0
    term = math.exp(-lam)
    cdf = term
    for i in range(1, k):
        term *= lam / i
        cdf += term
    return max(0.0, 1.0 - cdf)


def filtering_af(ac: int, an: int, confidence: float = 0.95) -> float:
    """The highest true AF at which `ac` of `an` alleles would still be seen with probability 1 - confidence
    (the lower Poisson bound; gnomAD's faf95). Wilson-Hilferty above 200 alleles, bisection below."""
    if ac <= 0 or an <= 0:
        return 0.0
    if ac > 200:
        k, z = 2 * ac, -1.6448536269514722 if confidence == 0.95 else -2.3263478740408408
        return max(0.0, k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3 / 2 / an)
    lo, hi = 0.0, float(ac)
    for _ in range(60):
        mid = (lo + hi) / 2
        if _poisson_sf(ac, mid) < 1 - confidence:
            lo = mid
        else:
            hi = mid
    return lo / an


# --- parsing -------------------------------------------------------------------------------------------------


def _value(raw: str | None, alt_index: int, where: str) -> float | None:
    """One number of a Number=A (or Number=1) INFO value; "." = None; anything else: a one-line error."""
    if raw is None or raw in (".", ""):
        return None
    parts = raw.split(",")
    v = parts[alt_index] if len(parts) > 1 else parts[0]
    if v == ".":
        return None
    try:
        x = float(v)
    except ValueError:
        x = math.nan
    if math.isnan(x) or x < 0:
        raise InputError(
            f"{where}: malformed INFO value {raw!r} (a number >= 0 is expected); is it a gnomAD sites VCF?"
        )
    return x


def _first(info: dict[str, str], names: tuple[str, ...], alt_index: int, where: str) -> float | None:
    return next((v for n in names if (v := _value(info.get(n), alt_index, where)) is not None), None)


def _count(info: dict[str, str], name: str, alt_index: int, where: str) -> int | None:
    v = _value(info.get(name), alt_index, where)
    return None if v is None else int(v)


def parse_info(text: str, alt_index: int, filters: tuple[str, ...], source: str, where: str) -> PopulationRecord:
    """The typed record of ALT number `alt_index` (0-based) of a gnomAD INFO string."""
    info: dict[str, str] = {}
    for m in _INFO_FIELD.finditer(text):  # a regex, not a split: gnomAD v4 INFO holds ~900 fields
        if m.group(2) is None:
            raise InputError(f"{where}: malformed INFO field {m.group(1)!r} (no value); is it a gnomAD sites VCF?")
        info[m.group(1)] = m.group(2)
    ac, an = _count(info, "AC", alt_index, where), _count(info, "AN", alt_index, where)
    af = _first(info, ("AF",), alt_index, where)
    if af is None and ac is not None and an:
        af = ac / an
    faf95 = _first(info, FAF95, alt_index, where)
    if faf95 is None:
        groups = [v for g in V2_FAF_GROUPS if (v := _value(info.get(g), alt_index, where)) is not None]
        faf95 = max(groups) if groups else None
    computed = faf95 is None and ac is not None and bool(an)
    if computed:
        faf95 = filtering_af(ac or 0, an or 0)
    grpmax, nhom = _first(info, AF_GRPMAX, alt_index, where), _count(info, "nhomalt", alt_index, where)
    return PopulationRecord(source, True, af, grpmax, faf95, nhom, ac, an, filters, computed)


# --- the file ------------------------------------------------------------------------------------------------


@dataclass
class PopulationFile:
    """The TRPM6 region of a gnomAD sites VCF, parsed once: typed records by trimmed allele."""

    path: str
    records: dict[Key, PopulationRecord]
    region_records: int  # records of the file in the TRPM6 region (0: the file does not cover it)

    @classmethod
    def load(cls, path: str, cache: GeneCache) -> PopulationFile:
        shown = f"{path} ({KEY})"
        require_bgzip_index(path, KEY)
        header, index_contigs = tabix_header(path, KEY)
        if not any(h.startswith("##INFO=<ID=AF,") or h.startswith("##INFO=<ID=AC,") for h in header):
            raise InputError(f"{shown}: no INFO AF or AC in the header; give a gnomAD sites VCF (v2, v3 or v4)")
        if not cache.synthetic and any("SYNTHETIC" in h for h in header if h.startswith("##source")):
            raise InputError(
                f"{shown}: a synthetic demo file, not population data; set population_vcf to a gnomAD file"
            )
        check_header_build(header_contigs(header), cache, shown)
        names = set(index_contigs) | set(header_contigs(header))
        if not names & set(CHR9_NAMES):
            raise InputError(
                f"{shown}: no chromosome 9 (chr9 or 9) in the file (contigs: {', '.join(sorted(names)[:5])})"
            )
        records: dict[Key, PopulationRecord] = {}
        refs = []
        for line in tabix_lines(path, KEY, CHR9_NAMES, region_span(cache.build)):
            f = line.split("\t")
            if len(f) < 8 or not f[1].isdigit():
                raise InputError(f"{shown}: a record in TRPM6 is not a VCF line of 8 columns: {line[:60]!r}")
            pos, ref, filters, where = int(f[1]), f[3], tuple(f[6].split(";")), f"{shown}: {f[0]}:{f[1]}"
            refs.append((pos, ref))
            for i, alt in enumerate(f[4].split(",")):
                records.setdefault(trim(pos, ref, alt), parse_info(f[7], i, filters, path, where))
        check_ref_alleles(refs, cache, shown)
        return cls(path, records, len(refs))

    def lookup(self, key: Key) -> PopulationRecord:
        return self.records.get(key) or PopulationRecord(self.path, False)


# --- criteria ------------------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _first_present(pairs: list[tuple[float | None, str]]) -> tuple[float, str] | None:
    """The first (value, INFO name) whose value the file gives."""
    return next(((v, n) for v, n in pairs if v is not None), None)


def _frequency_criteria(rec: PopulationRecord, s: EvidenceSettings) -> tuple[list[Criterion], list[str]]:
    """BA1 (or else BS1) and PM2_Supporting from the frequencies of a record that passed the file's filters."""
    src = rec.source
    ba1 = _first_present(
        [(None if rec.faf95_computed else rec.faf95, "faf95"), (rec.af_grpmax, "AF_grpmax"), (rec.af, "AF")]
    )
    if ba1 is not None and ba1[0] > s.ba1_af:
        why = f"{ba1[1]} {_fmt(ba1[0])} > {_fmt(s.ba1_af)} in {src} (ClinGen SVI BA1)"
        return [Criterion("BA1", "stand_alone", "benign", why)], []
    out: list[Criterion] = []
    notes: list[str] = []
    if rec.faf95 is None:
        notes.append(f"BS1: not assessed (no faf95 and no AC/AN for this allele in {src})")
    elif rec.faf95 > s.bs1_max_credible_af:
        how = "computed from AC/AN" if rec.faf95_computed else "from the file"
        why = (
            f"faf95 {_fmt(rec.faf95)} ({how}) > {_fmt(s.bs1_max_credible_af)}, the maximum credible allele "
            f"frequency for HSH (Whiffin et al. 2017, recessive)"
        )
        out.append(Criterion("BS1", "strong", "benign", why))
    rare = _first_present([(rec.af_grpmax, "AF_grpmax"), (rec.af, "AF")])
    if rare is None:
        notes.append(f"PM2: not assessed (no AF for this allele in {src})")
    elif rare[0] < s.pm2_max_af:
        why = f"{rare[1]} {_fmt(rare[0])} < {_fmt(s.pm2_max_af)} in {src} (rare; ClinGen SVI PM2 v1.0, recessive)"
        out.append(Criterion("PM2", "supporting", "pathogenic", why))
    return out, notes


def population_evidence(
    rec: PopulationRecord | None, region_records: int, s: EvidenceSettings
) -> tuple[list[Criterion], list[str]]:
    """(criteria, not-assessed lines) for one allele; `rec` None = no population file given."""
    if rec is None:
        return [], [f"{POPULATION_CODES}: not assessed (no population file given: set population_vcf)"]
    if not rec.found:
        if region_records == 0:
            return [], [f"{POPULATION_CODES}: not assessed ({rec.source} has no records in the TRPM6 region)"]
        why = f"absent from {rec.source} (ClinGen SVI PM2 v1.0: PM2_Supporting)"
        return [Criterion("PM2", "supporting", "pathogenic", why)], []
    if not rec.passed:
        return [], [
            f"{POPULATION_CODES}: not assessed (the record in {rec.source} fails its filters: {';'.join(rec.filters)})"
        ]
    out, notes = _frequency_criteria(rec, s)
    if s.bs2_min_homozygotes <= 0:
        notes.append("BS2: not assessed (switched off: evidence.bs2_min_homozygotes is 0)")
    elif rec.nhomalt is None:
        notes.append(f"BS2: not assessed (no nhomalt for this allele in {rec.source})")
    elif rec.nhomalt >= s.bs2_min_homozygotes:
        why = (
            f"{rec.nhomalt} homozygote(s) in {rec.source}, a population of adults without known severe childhood "
            "disease, for a fully penetrant infantile recessive disease (not all of gnomAD is healthy: review)"
        )
        out.append(Criterion("BS2", "strong", "benign", why))
    return out, notes
