"""Recessive verdict per sample from its TRPM6 calls (classification, zygosity, phase, QC).

Verdicts (the report contract, docs/outputs.md):
- biallelic: one qualifying variant homozygous (or hemizygous: the other copy deleted), or two qualifying
  variants shown in trans by phase (same phase set, different haplotypes)
- possible_compound_heterozygous: two or more qualifying heterozygous variants, phase unknown
- monoallelic: one qualifying heterozygous variant, or several shown in cis, and no variant of uncertain
  significance that could be the other allele
- uncertain: none of the above, but a variant of uncertain significance could be the missing allele: a
  homozygous VUS, or one qualifying heterozygous variant plus a VUS in trans or of unknown phase
- negative: no qualifying variant (a lone heterozygous VUS is listed, not counted)
- inconclusive: the sample could not be assessed, or no qualifying variant but a pathogenic/likely pathogenic
  variant failed QC
A qualifying variant is pathogenic or likely_pathogenic and passes QC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from .hgvs import short_hgvs
from .vocab import (
    BIALLELIC,
    CLASS_LABEL,
    INCONCLUSIVE,
    MONOALLELIC,
    NEGATIVE,
    PLP,
    UNCERTAIN,
    VUS,
    ZYGOSITIES,
    qualifies,
)

PROXIMITY_BP = 150
RESOLVE = (
    "segregation in the family (parental testing), RNA studies if it may affect splicing, or functional data "
    "could resolve it"
)
_NUM = {2: "Two", 3: "Three", 4: "Four", 5: "Five"}


@dataclass(frozen=True)
class SampleCall:
    key: str  # variant id in the report (e.g. chrom:pos:ref:alt)
    classification: str
    zygosity: str  # heterozygous | homozygous | hemizygous
    phased: bool = False
    phase_set: int | str | None = None
    haplotype: int | None = None  # phased heterozygous: index (0 or 1) of the allele that carries ALT
    qc_pass: bool = True
    pos: int = 0
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    qc_flags: tuple[str, ...] = ()
    # a VUS that could be the missing allele: not one the rules found without a predicted effect on the protein
    # or on splicing (BP7: synonymous, deep intronic, UTR); those are listed in the report, not weighed here
    plausible: bool = True

    def __post_init__(self) -> None:
        if self.zygosity not in ZYGOSITIES:
            raise ValueError(f"{self.key}: zygosity {self.zygosity!r} is not one of {', '.join(ZYGOSITIES)}")

    @property
    def qualifying(self) -> bool:
        return qualifies(self.classification, self.qc_pass)

    @property
    def name(self) -> str:
        """'c.1638+7T>C' or 'c.4287C>A p.(Cys1429Ter)' without accessions; the key when there is no c. name."""
        c = short_hgvs(self.hgvs_c)
        p = short_hgvs(self.hgvs_p)
        if c and p and p not in ("p.?", "p.(?)"):
            return f"{c} {p}"
        return c or p or self.key


@dataclass(frozen=True)
class CoverageCheck:
    """How much of the coding sequence a depth source showed covered, and how much a negative result needs."""

    fraction: float  # of coding bases (+/-20 bp) at >= threshold
    threshold: int
    min_fraction: float


@dataclass(frozen=True)
class Verdict:
    verdict: str
    text: str
    qualifying: tuple[str, ...]
    notes: tuple[str, ...] = ()


def phase_relation(a: SampleCall, b: SampleCall) -> str:
    """'trans', 'cis' or 'unknown' for two heterozygous calls."""
    if a.zygosity != "heterozygous" or b.zygosity != "heterozygous":
        return "unknown"
    if not (a.phased and b.phased) or a.phase_set is None or a.phase_set != b.phase_set:
        return "unknown"
    if a.haplotype is None or b.haplotype is None:
        return "unknown"
    return "trans" if a.haplotype != b.haplotype else "cis"


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _group_label(calls: Sequence[SampleCall]) -> str:
    classes = {c.classification for c in calls}
    return CLASS_LABEL[classes.pop()] if len(classes) == 1 else "pathogenic or likely pathogenic"


def _names(calls: Sequence[SampleCall]) -> list[str]:
    mixed = len({c.classification for c in calls}) > 1
    return [f"{c.name} [{CLASS_LABEL[c.classification]}]" if mixed else c.name for c in calls]


def _close_pairs(qual: Sequence[SampleCall]) -> list[tuple[SampleCall, SampleCall]]:
    """Qualifying calls closer than PROXIMITY_BP that phase does not put on different haplotypes (a 1/2 call's two
    alleles are in trans by construction): perhaps one event called as two, or in cis."""
    pairs = combinations(sorted(qual, key=lambda c: c.pos), 2)
    return [(a, b) for a, b in pairs if abs(b.pos - a.pos) < PROXIMITY_BP and phase_relation(a, b) != "trans"]


def _proximity_notes(qual: Sequence[SampleCall]) -> list[str]:
    out = []
    for a, b in _close_pairs(qual):
        d = abs(b.pos - a.pos)
        out.append(
            f"{a.name} and {b.name} are {d} bp apart: they may be one event called as two variants, "
            "or lie in cis; check the reads before counting them as two alleles"
        )
    return out


def _qc_words(c: SampleCall) -> str:
    return f"failed QC: {', '.join(c.qc_flags)}" if c.qc_flags else "failed QC"


def _with(text: str, extra: str | None) -> str:
    return f"{text} {extra.strip()}" if extra and extra.strip() else text


@dataclass(frozen=True)
class GenotypeDoubts:
    """What the genotypes leave open: curated (likely) pathogenic sites without a confident call, and carried
    alleles whose REF is not the reference's (the VCF may not belong to this reference)."""

    unsure_sites: tuple[str, ...] = ()
    ref_mismatches: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Found:
    """The calls of one sample sorted for the decision, with the notes and texts every branch shares."""

    calls: Sequence[SampleCall]
    qual: list[SampleCall]
    failed: list[SampleCall]
    vus: list[SampleCall]
    notes: list[str]
    keys: tuple[str, ...]
    failed_text: str
    coverage_note: str | None
    parents_tested: bool = False  # the parents' genotypes were read (family step): no advice to test them


def _found(calls: Sequence[SampleCall], coverage_note: str | None, parents_tested: bool = False) -> _Found:
    qual = [c for c in calls if c.qualifying]
    failed = [c for c in calls if c.classification in PLP and not c.qc_pass]
    notes = _proximity_notes(qual)
    notes += [
        f"{c.name} is {CLASS_LABEL[c.classification]} but {_qc_words(c)}; confirm it by an orthogonal method"
        for c in failed
    ]
    failed_text = ""
    if failed:
        failed_text = (
            f" A further {_group_label(failed)} variant, {_join([c.name for c in failed])}, "
            f"{_qc_words(failed[0]) if len(failed) == 1 else 'failed QC'}; confirm it before relying on "
            "this result."
        )
    vus = [v for v in calls if v.classification == VUS and v.qc_pass and v.plausible]
    keys = tuple(c.key for c in qual)
    return _Found(calls, qual, failed, vus, notes, keys, failed_text, coverage_note, parents_tested)


def decide(
    calls: Sequence[SampleCall],
    assessable: bool = True,
    coverage_note: str | None = None,
    coverage: CoverageCheck | None = None,
    doubts: GenotypeDoubts | None = None,
    parents_tested: bool = False,
) -> Verdict:
    """The recessive verdict of one sample (module docstring), with what coverage and genotypes leave open.
    `parents_tested`: the family step has read the parents' genotypes, so the text does not advise testing them."""
    f = _found(calls, coverage_note, parents_tested)
    if not assessable:
        text = "TRPM6 could not be assessed in this sample (no usable genotype in the region)."
        verdict = Verdict(INCONCLUSIVE, _with(text, coverage_note), f.keys, tuple(f.notes))
    else:
        verdict = _decide(f, coverage)
    return _with_doubts(verdict, doubts) if doubts else verdict


def _decide(f: _Found, coverage: CoverageCheck | None) -> Verdict:
    homs = [c for c in f.qual if c.zygosity in ("homozygous", "hemizygous")]
    hets = [c for c in f.qual if c.zygosity == "heterozygous"]
    if homs:
        return _homozygous(homs[0], f)
    if len(hets) >= 2:
        return _several_hets(hets, f)
    if len(hets) == 1:
        missing = _candidate_vus(hets[0], f.vus)
        if missing:
            return _uncertain_with(hets[0], missing, f.keys, f.notes, f.failed_text)
        return _monoallelic(hets[0], f)
    if f.failed:
        listed = _join([f"{c.name} ({CLASS_LABEL[c.classification]}, {_qc_words(c)})" for c in f.failed])
        text = (
            f"No qualifying TRPM6 variant passed QC, but {listed}; confirm it by an orthogonal method "
            "(e.g. Sanger sequencing) before reporting the sample."
        )
        return Verdict(INCONCLUSIVE, _with(text, f.coverage_note), f.keys, tuple(f.notes))
    hom_vus = [v for v in f.vus if v.zygosity != "heterozygous"]
    if hom_vus:
        return _uncertain_hom(hom_vus, f.vus, f.keys, f.notes)
    text = "No pathogenic or likely pathogenic TRPM6 variant found."
    if f.vus:
        text += f" Variant(s) of uncertain significance: {_join([v.name for v in f.vus])}."
    text = _with(
        text,
        f.coverage_note
        or "Coverage of TRPM6 was not assessed (no depth source given), so variants "
        "in poorly covered regions cannot be excluded.",
    )
    return _negative(text, f.keys, f.notes, coverage)


def _homozygous(c: SampleCall, f: _Found) -> Verdict:
    if c.zygosity == "homozygous":
        text = f"A {CLASS_LABEL[c.classification]} TRPM6 variant, homozygous: {c.name}."
    else:
        text = (
            f"A {CLASS_LABEL[c.classification]} TRPM6 variant, hemizygous: {c.name}; the other copy appears "
            "deleted (confirm the deletion, e.g. by copy-number analysis or parental testing)."
        )
    others = [o for o in f.qual if o is not c]
    if others:
        text += f" Further qualifying variant(s): {_join([o.name for o in others])}."
    return Verdict(BIALLELIC, text + f.failed_text, f.keys, tuple(f.notes))


def _monoallelic(c: SampleCall, f: _Found) -> Verdict:
    text = (
        f"One {CLASS_LABEL[c.classification]} TRPM6 variant, heterozygous: {c.name}; no second qualifying "
        "variant found, so this result alone does not explain a recessive disease."
    )
    text += _vus_text(c, f.vus, f.notes)
    text += f.failed_text
    if not f.failed:
        text = _with(
            text,
            f.coverage_note
            or "A second variant in a region this test does not cover "
            "(e.g. a deletion or a deep-intronic variant) cannot be excluded.",
        )
    return Verdict(MONOALLELIC, text, f.keys, tuple(f.notes))


def _with_doubts(verdict: Verdict, doubts: GenotypeDoubts) -> Verdict:
    """Curated pathogenic sites without a confident call are named in the verdict text; a carried allele whose
    REF does not match the reference makes the sample inconclusive, naming the position."""
    text, kind = verdict.text, verdict.verdict
    if doubts.unsure_sites:
        text = (
            f"{text} Not excluded: no confident genotype at curated pathogenic site(s) "
            f"{'; '.join(doubts.unsure_sites)}; review these sites before relying on this result."
        )
    if doubts.ref_mismatches:
        text = (
            f"TRPM6 could not be fully assessed: the sample carries an allele whose REF does not match the reference "
            f"at {'; '.join(doubts.ref_mismatches)}; check the VCF against the reference it was called on. {text}"
        )
        kind = INCONCLUSIVE
    return Verdict(kind, text, verdict.qualifying, verdict.notes)


def _several_hets(hets: list[SampleCall], f: _Found) -> Verdict:
    keys, notes, failed_text = f.keys, f.notes, f.failed_text
    n = _NUM.get(len(hets), str(len(hets)))
    label = _group_label(hets)
    names = _names(hets)
    trans = [(a, b) for a, b in combinations(hets, 2) if phase_relation(a, b) == "trans"]
    close = " Some of them lie within 150 bp of each other (see notes)." if _close_pairs(f.qual) else ""
    if trans:
        a, b = trans[0]
        text = f"{n} {label} TRPM6 variants; {a.name} and {b.name} are in trans by phase (phase set {a.phase_set})."
        if len(hets) > 2:
            text += f" All: {_join(names)}."
        return Verdict("biallelic", text + close + failed_text, keys, tuple(notes))
    if all(phase_relation(a, b) == "cis" for a, b in combinations(hets, 2)):
        text = (
            f"{n} {label} TRPM6 variants, all on the same allele (in cis by phase, phase set "
            f"{hets[0].phase_set}): {_join(names)}; no qualifying variant on the other allele, so this result "
            "alone does not explain a recessive disease."
        )
        return Verdict("monoallelic", text + close + failed_text, keys, tuple(notes))
    advice = "." if f.parents_tested else "; parental testing needed to confirm they are in trans."
    text = f"{n} {label} TRPM6 variants, phase unknown: {_join(names)}{advice}"
    return Verdict("possible_compound_heterozygous", text + close + failed_text, keys, tuple(notes))


def _vus_text(q: SampleCall, vus: Sequence[SampleCall], notes: list[str]) -> str:
    parts = []
    for v in vus:
        rel = "homozygous" if v.zygosity != "heterozygous" else phase_relation(q, v)
        if rel == "cis":
            notes.append(f"variant of uncertain significance {v.name} is in cis with {q.name} (same allele)")
            continue
        where = {"trans": "in trans by phase", "unknown": "phase unknown", "homozygous": "homozygous"}[rel]
        parts.append(f"{v.name} ({where})")
    if not parts:
        return ""
    return (
        f" A variant of uncertain significance is also present: {_join(parts)}; if it were reclassified as "
        "pathogenic, the sample could be biallelic."
    )


def _negative(text: str, keys: tuple[str, ...], notes: list[str], coverage: CoverageCheck | None) -> Verdict:
    """A negative resting on too little covered sequence cannot exclude anything: it is inconclusive."""
    if coverage is not None and coverage.fraction < coverage.min_fraction:
        text = (
            f"TRPM6 could not be assessed: only {100 * coverage.fraction:.1f}% of the coding sequence (+/-20 bp) "
            f"reached {coverage.threshold}x (at least {100 * coverage.min_fraction:.0f}% is needed for a negative "
            f"result). {text}"
        )
        return Verdict(INCONCLUSIVE, text, keys, tuple(notes))
    return Verdict(NEGATIVE, text, keys, tuple(notes))


def _candidate_vus(q: SampleCall, vus: Sequence[SampleCall]) -> list[tuple[SampleCall, str]]:
    """VUS that could be the allele missing next to qualifying heterozygous q: homozygous, in trans, or of
    unknown phase (a VUS in cis with q cannot be)."""
    out = []
    for v in vus:
        rel = "homozygous" if v.zygosity != "heterozygous" else phase_relation(q, v)
        if rel != "cis":
            out.append((v, {"trans": "in trans by phase", "unknown": "phase unknown"}.get(rel, rel)))
    return out


def _uncertain_with(
    q: SampleCall, missing: list[tuple[SampleCall, str]], keys: tuple[str, ...], notes: list[str], failed_text: str
) -> Verdict:
    names = _join([f"{v.name} ({where})" for v, where in missing])
    phase = any(where == "phase unknown" for _, where in missing)
    text = (
        f"One {CLASS_LABEL[q.classification]} TRPM6 variant, heterozygous: {q.name}; the other allele may be the "
        f"variant of uncertain significance {names}. Review needed: {RESOLVE}"
        + ("; parental testing also shows whether the two are in trans." if phase else ".")
    )
    return Verdict(UNCERTAIN, text + failed_text, keys, tuple(notes))


def _uncertain_hom(hom: list[SampleCall], vus: list[SampleCall], keys: tuple[str, ...], notes: list[str]) -> Verdict:
    names = _join([v.name for v in hom])
    text = (
        f"No pathogenic or likely pathogenic TRPM6 variant found, but a variant of uncertain significance is "
        f"homozygous: {names}. If it were pathogenic it would explain recessive HSH. Review needed: {RESOLVE}."
    )
    others = [v for v in vus if v not in hom]
    if others:
        text += f" Further variant(s) of uncertain significance: {_join([v.name for v in others])}."
    return Verdict(UNCERTAIN, text, keys, tuple(notes))
