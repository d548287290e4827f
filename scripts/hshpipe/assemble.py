"""report.json as a dict, built once at the end of a sample's path from the typed results (contract in
docs/outputs.md and workflow/schemas/report.schema.json)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import __version__
from .calls import Call, SampleRecords
from .curation import CuratedMatch
from .interpret import Interpretation, Interpreted
from .qc import genotype_string
from .reference import GeneCache
from .report import SCHEMA_VERSION
from .review import empty_review
from .samplesheet import SampleRow
from .settings import Thresholds
from .verdict import Verdict
from .vocab import qualifies


@dataclass(frozen=True)
class Provenance:
    """What a report was made from (same for every sample of a batch, except the input checksums)."""

    cache: GeneCache
    curated_table_version: str
    config_sha256: str
    thresholds: Thresholds


@dataclass(frozen=True)
class FamilyParts:
    """What the family step adds to a member's report (family_step): the `family` section, and per variant key
    its inheritance and, where its phase comes from the parents, which haplotype (0 paternal, 1 maternal)."""

    section: dict[str, Any] | None
    inheritance: dict[str, str]
    parent_phased: dict[str, int]

    def apply(self, report: dict[str, Any]) -> None:
        report["family"] = self.section
        for v in report["variants"]:
            key = f"{v['chrom']}:{v['pos']}:{v['ref']}:{v['alt']}"
            if key in self.inheritance:
                v["inheritance"] = self.inheritance[key]
            if key in self.parent_phased:
                v["phased"], v["phase_set"] = True, "parents"
                v["phase_haplotype"] = self.parent_phased[key]


def match_dict(match: CuratedMatch | None) -> dict[str, Any] | None:
    if match is None:
        return None
    e = match.entry
    d = {
        "id": match.id,
        "level": match.level,
        "classification": e.classification,
        "evidence_tier": e.evidence_tier,
        "source": e.source,
        "evidence": e.evidence,
    }
    if e.review_status:
        d["review_status"] = e.review_status
    return d


def _call_fields(c: Call) -> dict[str, Any]:
    """The call's own fields: the caller's record, genotype, phase, QC and INFO."""
    r, g, qc, phase = c.record, c.genotype, c.qc, c.phase
    o_chrom, o_pos, o_ref, o_alt = r.original
    return {
        "chrom": r.chrom,
        "pos": r.pos,
        "ref": r.ref,
        "alt": r.alt,
        "original": {"chrom": o_chrom, "pos": o_pos, "ref": o_ref, "alt": o_alt},
        "genotype": genotype_string(g),  # memoised per (alleles, phased) in qc
        "zygosity": c.zygosity,
        "phased": phase.phased,
        "phase_set": phase.phase_set,
        "phase_source": phase.source,
        "phase_haplotype": phase.haplotype,  # the haplotype (0, 1) carrying the ALT in that phase set
        "qc_pass": qc.passed,
        "qc": {
            "filter": ";".join(r.filters),
            "dp": g.dp,
            "gq": g.gq,
            "allele_balance": qc.allele_balance,
            "state": qc.state,
            "fields_used": list(qc.fields_used),
            "depth": qc.depth,
            "qual": r.qual,
            "ft": g.ft,
            "cn": g.cn,
        },
        "info": dict(sorted(r.info.items())),
    }


@lru_cache(maxsize=16384)
def _change_fields(res: Interpretation, members: tuple[str, ...]) -> dict[str, Any]:
    """A variant's fields that only the change it is part of determines (its interpretation, and the members of its
    cis group), made once per change and shared by the reports of every sample that carries it: read-only."""
    rule = res.classification.rule
    haplotype = None
    if members:
        rule += f" [combined change in cis: {res.annotation.hgvs_c}, {res.annotation.hgvs_p}]"
        haplotype = {
            "hgvs_c": res.annotation.hgvs_c,
            "hgvs_p": res.annotation.hgvs_p,
            "consequence": list(res.annotation.consequences),
            "members": list(members),
        }
    return {
        "classification": res.classification.classification,
        "classification_rule": rule,
        "criteria": [cr.to_json() for cr in res.classification.criteria],
        "points": res.classification.points,
        "criteria_not_assessed": list(res.classification.not_assessed),
        "population": res.population,
        "curated_match": match_dict(res.match),
        "haplotype": haplotype,
    }


def variant_dict(item: Interpreted) -> dict[str, Any]:
    """One reported variant: the caller's record, its own annotation, and the class of the change it is part of."""
    c, ann, change = item.call, item.annotation, _change_fields(item.result, item.members)
    near = [f"near {name} (same or adjacent codon), phase unknown: may be one event" for name in item.near]
    v = _call_fields(c)
    v["hgvs_g"], v["hgvs_c"], v["hgvs_p"] = ann.hgvs_g, ann.hgvs_c, ann.hgvs_p
    v["consequence"], v["impact"], v["exon"], v["intron"] = list(ann.consequences), ann.impact, ann.exon, ann.intron
    if ann.exons_affected:
        v["exons_affected"] = list(ann.exons_affected)
    v.update(change)
    v["qc_flags"] = [*c.qc_flags, *c.info_flags, *near]
    v["qualifying"] = qualifies(change["classification"], v["qc_pass"])
    return v


def sample_qc(recs: SampleRecords, n_variants: int, unsure: Sequence[str]) -> dict[str, Any]:
    return {
        "records_in_region": recs.n_records,
        "variants_reported": n_variants,
        "records_filtered": len(recs.filtered),
        "homozygous_reference_records": recs.n_homref,
        "missing_genotype_records": recs.n_missing,
        "curated_sites_not_called": list(unsure),
        "ref_mismatches": list(recs.ref_mismatches),
    }


def report_dict(
    row: SampleRow,
    column: str,
    recs: SampleRecords,
    items: Sequence[Interpreted],
    unsure: Sequence[str],
    verdict: Verdict,
    notes: Sequence[str],
    coverage: dict[str, Any] | None,
    inputs: dict[str, Any],
    prov: Provenance,
    family: FamilyParts | None = None,
) -> dict[str, Any]:
    """The report; `family` only for members of a pedigree (the key is absent for everyone else)."""
    cache, th = prov.cache, prov.thresholds
    variants = [variant_dict(i) for i in items]
    report = {
        "schema_version": SCHEMA_VERSION,
        "sample": row.sample,
        "vcf_sample": column,
        "gene": "TRPM6",
        "genome_build": cache.build,
        "transcript": cache.transcript.transcript_id,
        "protein": cache.transcript.protein_id,
        "synthetic_reference": cache.synthetic,
        "verdict": verdict.verdict,
        "verdict_text": verdict.text,
        "verdict_notes": [*verdict.notes, *notes],
        "variants": variants,
        "filtered": [f.to_json() for f in recs.filtered],
        "sample_qc": sample_qc(recs, len(variants), unsure),
        "coverage": coverage,
        "provenance": {
            "pipeline_version": __version__,
            "reference": {
                "path": cache.reference,
                "build": cache.build,
                "contig": cache.contig,
                "fingerprint": cache.reference_fingerprint,
            },
            "curated_table_version": prov.curated_table_version,
            "config_sha256": prov.config_sha256,
            **inputs,  # inputs_sha256, inputs_fingerprint, inputs_identified_by (RunContext.inputs)
            "thresholds": th.as_dict(),
            "sample_sheet": {"line": row.line, **dict(row.extra)},
        },
        "review": empty_review(),  # review.py: decisions are applied by the review step, never here
    }
    if family is not None:
        family.apply(report)
    return report
