"""The family step of a batch: after every member's own path (calls -> interpretation -> verdict), read the parents'
and siblings' genotypes at the affected children's sites, settle inheritance and phase from the parents, decide
the children's verdicts again with that phase, check segregation and Mendelian errors, and build each member's
`family` section (report.json). The sentences and rules live in family.py; here they are put together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .calls import SampleRecords
from .family import (
    BOTH,
    DE_NOVO,
    MendelCheck,
    Origin,
    Site,
    de_novo_sentence,
    hom_flag,
    inheritance,
    mendel_check,
    origin_sentence,
    parent_haplotype,
)
from .family_calls import MemberGenotypes
from .interpret import Interpreted
from .pedigree import Member, Pedigree
from .samplesheet import SampleRow
from .verdict import SampleCall, Verdict
from .vocab import BIALLELIC, PLP, POSSIBLE_COMPOUND_HET, VUS

PARENTS_PHASE_SET = "parents"


@dataclass
class MemberAnalysis:
    """One family member after its own path, kept until the family step has run."""

    row: SampleRow
    column: str
    recs: SampleRecords
    items: list[Interpreted]
    coverage: dict[str, Any] | None
    sha: dict[str, Any]  # the provenance's input identity (RunContext.inputs)
    genotypes: MemberGenotypes
    calls: list[SampleCall]  # the verdict's view (pipeline.verdict_calls)
    redecide: Callable[..., Verdict]  # verdict.decide with this sample's coverage arguments (calls, parents_tested)
    verdict: Verdict
    unsure: tuple[str, ...] = ()  # curated pathogenic sites without a confident call (verdict.GenotypeDoubts)
    inheritance: dict[str, str] = field(default_factory=dict)  # variant key -> inheritance
    parent_phased: dict[str, int] = field(default_factory=dict)  # variant key -> haplotype, phased from the parents
    family: dict[str, Any] | None = None


@dataclass
class ChildResult:
    origins: list[Origin]
    mendel: MendelCheck
    flags: list[str]


def _name(item: Interpreted) -> str:
    c = (item.annotation.hgvs_c or "").split(":", 1)[-1]
    p = (item.annotation.hgvs_p or "").split(":", 1)[-1]
    return f"{c} {p}" if c and p and p not in ("p.?", "p.(?)") else c or p or item.call.key


def child_sites(items: Sequence[Interpreted], qualifying_only: bool = False) -> list[Site]:
    """The child's qualifying (and, unless qualifying_only, uncertain) alleles as family sites."""
    keep = set(PLP) if qualifying_only else {*PLP, VUS}
    out = []
    for i in items:
        if i.result.classification.classification not in keep or (qualifying_only and not i.call.qc_pass):
            continue
        r = i.call.record
        hom = i.call.zygosity != "heterozygous"
        out.append(Site(i.call.key, r.pos, r.ref.upper(), r.alt.upper(), _name(i), 2 if hom else 1, _null(i)))
    return out


def _null(i: Interpreted) -> bool:
    return i.result.annotation.impact == "HIGH"


def analyse_child(child: MemberAnalysis, father: MemberAnalysis | None, mother: MemberAnalysis | None) -> ChildResult:
    """Origins of the child's qualifying/uncertain alleles, Mendelian check, flags; phase applied to the calls."""
    fg, mg = (p.genotypes if p else None for p in (father, mother))
    origins = []
    for s in child_sites(child.items):
        f = fg.at(s.pos, s.ref, s.alt) if fg else None
        m = mg.at(s.pos, s.ref, s.alt) if mg else None
        origins.append(Origin(s, inheritance(s.alt_count, f, m), f, m))
    mendel = mendel_check(child.genotypes, fg, mg)
    flags = [flag for o in origins if (flag := hom_flag(o))]
    child.inheritance = {o.site.key: o.inheritance for o in origins}
    haps = {o.site.key: h for o in origins if (h := parent_haplotype(o)) is not None}
    child.parent_phased = haps
    calls = [
        replace(c, phased=True, phase_set=PARENTS_PHASE_SET, haplotype=haps[c.key]) if c.key in haps else c
        for c in child.calls
    ]
    child.verdict = _with_family_text(child.redecide(calls, parents_tested=True), origins, mendel, flags)
    return ChildResult(origins, mendel, flags)


def _with_family_text(v: Verdict, origins: Sequence[Origin], mendel: MendelCheck, flags: Sequence[str]) -> Verdict:
    qual = set(v.qualifying)
    shown = [o for o in origins if o.site.key in qual] or list(origins)
    text = v.text
    plain = [o for o in shown if o.inheritance != DE_NOVO and hom_flag(o) is None]  # the others get their own
    parts = ["From the parents: " + " ".join(origin_sentence(o) for o in plain)] if plain else []
    het_q = [o for o in shown if o.site.alt_count == 1]
    sides = {o.inheritance for o in het_q}
    if len(het_q) >= 2 and v.verdict == POSSIBLE_COMPOUND_HET:
        parts.append(_unsettled(het_q))
    elif len(het_q) >= 2 and len(sides) == 1 and sides <= {"paternal", "maternal"}:
        parts.append("The qualifying variants came from one parent: they are in cis, on one allele.")
    parts += [s for o in shown if (s := de_novo_sentence(o, mendel))]
    parts += list(flags)
    return replace(v, text=" ".join([text, *parts]))


def _unsettled(het: Sequence[Origin]) -> str:
    words = {DE_NOVO: "de novo", BOTH: "carried by both parents", "unknown": "inheritance unknown"}
    why = [f"{o.site.name}: {words[o.inheritance]}" for o in het if o.inheritance in words]
    return (
        f"The parents' genotypes do not settle the phase ({'; '.join(why)}); read-backed or long-read phasing, "
        "or testing further relatives, would."
    )


def carrier_sites(m: MemberAnalysis, sites: Sequence[Site]) -> list[str]:
    """Names of the family's qualifying alleles this member carries once (heterozygous, known)."""
    return [s.name for s in sites if m.genotypes.at(s.pos, s.ref, s.alt).alt_count == 1]


def carries_biallelic(m: MemberAnalysis, sites: Sequence[Site]) -> bool | None:
    """Whether the member carries the proband's biallelic genotype (None: a genotype is unknown)."""
    counts = [m.genotypes.at(s.pos, s.ref, s.alt).alt_count for s in sites]
    if any(c is None for c in counts):
        return None
    return all(c is not None and c >= s.alt_count for c, s in zip(counts, sites))


def segregation(proband: MemberAnalysis, sibs: Sequence[tuple[Member, MemberAnalysis]], sites: Sequence[Site]) -> dict:
    """Affected siblings must carry the proband's biallelic genotype, unaffected ones must not. Meioses: two per
    sibling of the proband with a known genotype and phenotype (the proband's own are not counted)."""
    if proband.verdict.verdict != BIALLELIC or not sites:
        return {"status": "not_tested", "meioses": 0, "mismatches": [], "text": "no biallelic genotype to follow"}
    mismatches, meioses = [], 0
    for mem, a in sibs:
        has = carries_biallelic(a, sites)
        if has is None or mem.phenotype == "unknown":
            continue
        meioses += 2
        if has != mem.affected:
            what = "lacks" if mem.affected else "also carries"
            mismatches.append(f"{mem.sample} ({mem.phenotype}) {what} the biallelic genotype")
    status = "not_tested" if not meioses else "mismatch" if mismatches else "consistent"
    text = {
        "not_tested": "no genotyped sibling with a known phenotype",
        "consistent": f"consistent: {meioses} informative meioses in the siblings",
        "mismatch": f"MISMATCH ({'; '.join(mismatches)}): check the phenotypes, the samples and the variants",
    }[status]
    return {"status": status, "meioses": meioses, "mismatches": mismatches, "text": text}


def relation(me: Member, other: Member) -> str:
    if other.sample == me.sample:
        return "self"
    if other.sample == me.father:
        return "father"
    if other.sample == me.mother:
        return "mother"
    if me.sample in (other.father, other.mother):
        return "child"
    if (me.father or me.mother) and (other.father, other.mother) == (me.father, me.mother):
        return "sibling"
    return "relative"


def _probands(members: Sequence[Member], have: dict[str, MemberAnalysis]) -> list[Member]:
    """Affected children with at least one parent in the batch, in sheet order."""
    return [m for m in members if m.affected and any(p in have for p in (m.father, m.mother) if p)]


def run_family(fid: str, ped: Pedigree, have: dict[str, MemberAnalysis]) -> None:
    """The family step for one family: children's verdicts revised, every member's `family` section set."""
    members = sorted((m for m in ped.family(fid) if m.sample in have), key=lambda m: have[m.sample].row.line)
    results: dict[str, ChildResult] = {}
    for m in _probands(members, have):
        results[m.sample] = analyse_child(have[m.sample], have.get(m.father or ""), have.get(m.mother or ""))
    errors = sum(r.mendel.errors for r in results.values())
    sites_checked = sum(r.mendel.informative for r in results.values())
    swap = any(r.mendel.swap_suspected for r in results.values())
    first = next(iter(results), None)
    sites = child_sites(have[first].items, qualifying_only=True) if first else []
    seg = None
    if first:
        pm = ped.members[first]
        sibs = [(m, have[m.sample]) for m in members if relation(pm, m) == "sibling"]
        seg = segregation(have[first], sibs, sites) | {"proband": first}
    shared = {
        "mendelian_errors": errors,
        "mendelian_sites": sites_checked,
        "mendelian_examples": [e for r in results.values() for e in r.mendel.examples][:5],
        "swap_suspected": swap,
        "segregation": seg,
        "qualifying_sites": [s.name for s in sites],
    }
    for m in members:
        _member_section(m, members, have, results, sites, shared)


def _member_section(
    me: Member,
    members: Sequence[Member],
    have: dict[str, MemberAnalysis],
    results: dict[str, ChildResult],
    sites: Sequence[Site],
    shared: dict[str, Any],
) -> None:
    a = have[me.sample]
    carried = carrier_sites(a, sites) if me.sample not in results else []
    if carried and a.verdict.verdict != BIALLELIC:
        a.verdict = replace(
            a.verdict,
            text=f"{a.verdict.text} In the family: carrier of {', '.join(carried)} (one qualifying allele of "
            f"the family's TRPM6 genotype, heterozygous).",
        )
    flags = list(results[me.sample].flags) if me.sample in results else []
    seg = shared["segregation"] or {}
    if seg.get("status") == "mismatch" or (seg.get("status") == "consistent" and me.sample == seg.get("proband")):
        a.verdict = replace(a.verdict, notes=(*a.verdict.notes, f"Segregation in family {me.family}: {seg['text']}."))
    if shared["swap_suspected"]:
        note = (
            f"Family {me.family}: {shared['mendelian_errors']} Mendelian errors at {shared['mendelian_sites']} "
            "informative TRPM6 sites: a sample swap or a wrong relationship is suspected (or uniparental disomy "
            "when every error is a homozygous child against one parent); check identity and relationships."
        )
        a.verdict = replace(a.verdict, notes=(*a.verdict.notes, note))
    a.family = {
        "id": me.family,
        "father": me.father,
        "mother": me.mother,
        "sex": me.sex,
        "phenotype": me.phenotype,
        "carrier": bool(carried) and a.verdict.verdict != BIALLELIC,
        "flags": flags,
        **shared,
        "members": [_member_entry(me, o, have[o.sample], sites) for o in members],
    }


def _member_entry(me: Member, other: Member, a: MemberAnalysis, sites: Sequence[Site]) -> dict[str, Any]:
    return {
        "sample": other.sample,
        "relation": relation(me, other),
        "father": other.father,
        "mother": other.mother,
        "sex": other.sex,
        "phenotype": other.phenotype,
        "verdict": a.verdict.verdict,
        "genotypes": [
            {"site": s.name, "key": s.key, "genotype": a.genotypes.at(s.pos, s.ref, s.alt).label} for s in sites
        ],
    }
