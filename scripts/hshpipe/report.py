"""Per-sample reports (JSON, TSV, HTML) and the run summary (TSV, HTML).

The pipeline assembles one report dict per sample (shape: workflow/schemas/report.schema.json, documented in
docs/outputs.md) and calls the functions here. Everything is a pure function of its arguments: the same
report and `generated_on` give the same bytes. HTML is rendered with jinja2 and autoescaping on; every
input-derived string (sample names, HGVS, INFO values, FILTER names, reasons, citations) goes through it.
Presentation values are prepared in Python ("view" dicts) so that the templates stay free of logic.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from . import __version__
from .clinical import clinical_view
from .family_view import family_view
from .hgvs import short_hgvs
from .paths import SCHEMAS
from .report_rows import (
    CLASSIFICATION_CSS,
    CLASSIFICATION_LABELS,
    MATCH_LEVEL_LABELS,
    SAMPLE_COLUMNS,
    TSV_COLUMNS,
    VariantText,
    format_float,
    info_pairs,
    location_text,
    not_qualifying_reason,
    phase_text,
    record_label,
    tsv_cell,
    variant_text,
)
from .review import review_view
from .vocab import CLASS_LABEL, CLASSES, FAILED, STRENGTH_LABEL, STRENGTH_POINTS, VERDICTS

SCHEMA_VERSION = "1.1.0"  # 1.1.0: criteria, points, population per variant; review block (review.py)
SCHEMA_PATH = SCHEMAS / "report.schema.json"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

PAGE_ROWS = 500  # summary.html: above this many samples, pages of PAGE_ROWS rows (docs/outputs.md)

SYNTHETIC_BANNER = "SYNTHETIC DEMO REFERENCE \u2014 NOT FOR CLINICAL USE"

CLASSIFICATIONS = CLASSES

VERDICT_LABELS: dict[str, str] = {
    "biallelic": "Biallelic",
    "possible_compound_heterozygous": "Possible compound heterozygous",
    "monoallelic": "Monoallelic",
    "uncertain": "Uncertain",
    "negative": "Negative",
    "inconclusive": "Inconclusive",
}
VERDICT_HEADLINES: dict[str, str] = {
    "biallelic": "Biallelic {label} TRPM6 variants: consistent with a diagnosis of HSH",
    "possible_compound_heterozygous": "Two or more qualifying TRPM6 variants, phase unknown: possible compound heterozygosity",
    "monoallelic": "One qualifying TRPM6 allele: not sufficient on its own for recessive HSH",
    "uncertain": "No qualifying pair of TRPM6 alleles, but a variant of uncertain significance could be the missing allele: review needed",
    "negative": "No qualifying TRPM6 variant detected",
    "inconclusive": "Inconclusive: this sample could not be assessed",
}
SAMPLE_TSV_COLUMNS = TSV_COLUMNS
SUMMARY_TSV_COLUMNS: tuple[str, ...] = (
    "sample",
    "vcf_sample",
    "verdict",
    "qualifying_hgvs_c",
    "qualifying_hgvs_p",
    "qualifying_zygosity",
    "n_variants",
    "n_qualifying",
    "n_qc_fail",
    "n_filtered",
    "qc_state",
    "coverage_fraction",
    "coverage_threshold",
    "n_coverage_gaps",
    "synthetic_reference",
    "report_html",
    "failure_reason",
    "review_state",  # review.py: draft | final
    "family",  # pedigree family id (empty without a pedigree); last, so earlier columns keep their places
)

# Citations in curated evidence: PMIDs and DOIs become hyperlinks (never loaded as resources).
_CITATION_RE = re.compile(
    r"(?P<pmid>\bPMID\s*:?\s*(?P<pmid_id>\d{1,9})\b)"
    r"|(?P<pubmed>https?://(?:www\.)?pubmed\.ncbi\.nlm\.nih\.gov/(?P<pubmed_id>\d{1,9})/?)"
    r"|(?P<doi>(?:\bdoi\s*:\s*|https?://(?:dx\.)?doi\.org/)?(?P<doi_id>\b10\.\d{4,9}/[^\s\"<>]+))",
    re.IGNORECASE,
)
_DOI_TRAILING = ".,;:)]}'"


# --------------------------------------------------------------------------------------------------
# small formatting helpers (pure)
# --------------------------------------------------------------------------------------------------


def format_percent(fraction: float | None) -> str:
    """0.9731 -> '97.3 %'. Rounded down so that an incomplete coverage never reads as 100 %."""
    if fraction is None:
        return "not assessed"
    if not math.isfinite(fraction):
        raise ValueError(f"non-finite fraction in report: {fraction!r}")
    return f"{math.floor(fraction * 1000 + 1e-9) / 10:.1f} %"


def tsv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Rows as tab-separated lines (no line ends), cells in `columns` order (missing keys: empty)."""
    return ["\t".join([tsv_cell(row.get(c)) for c in columns]) for row in rows]


def tsv_table(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """Header + rows, tab-separated, '\\n' line ends, trailing newline."""
    return "\n".join(["\t".join(columns), *tsv_lines(columns, rows)]) + "\n"


def citation_segments(evidence: str | Sequence[str] | None) -> list[dict[str, str | None]]:
    """Split curated evidence text into segments; PMIDs and DOIs get an `href`
    (https://pubmed.ncbi.nlm.nih.gov/<id>/ or https://doi.org/<doi>), other text has href None."""
    if evidence is None:
        return []
    text = evidence if isinstance(evidence, str) else "; ".join(evidence)
    segments: list[dict[str, str | None]] = []
    pos = 0
    for m in _CITATION_RE.finditer(text):
        start, end = m.span()
        if m.group("pmid_id") or m.group("pubmed_id"):
            pmid = m.group("pmid_id") or m.group("pubmed_id")
            href = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
            label = f"PMID:{pmid}"
        else:
            doi = m.group("doi_id")
            stripped = doi.rstrip(_DOI_TRAILING)
            end -= len(doi) - len(stripped)
            doi = stripped
            href = "https://doi.org/" + quote(doi, safe="/:;()._-")
            label = f"doi:{doi}"
        if start > pos:
            segments.append({"text": text[pos:start], "href": None})
        segments.append({"text": label, "href": href})
        pos = end
    if pos < len(text):
        segments.append({"text": text[pos:], "href": None})
    return segments


def css_string(value: str) -> str:
    """A CSS string literal body with every character outside [A-Za-z0-9] written as a 6-digit hex escape,
    for `content: "..."` inside <style>. Its output can never close the string or the style element (and
    since no literal space is ever emitted, no space can be swallowed as an escape terminator)."""
    return _CSS_SPECIAL.sub(_css_escape, value)


_CSS_SPECIAL = re.compile(r"[^A-Za-z0-9]")  # str.isalnum() of an ASCII character


def _css_escape(m: re.Match[str]) -> str:
    return f"\\{ord(m[0]):06x}"


def report_href(sample: str) -> str:
    """Relative link from the run folder to a sample's HTML report."""
    s = quote(sample, safe="")
    return f"samples/{s}/{s}.report.html"


# --------------------------------------------------------------------------------------------------
# view models (pure): report dict -> values the templates print
# --------------------------------------------------------------------------------------------------


_CLASSIFICATION_RANK = {c: i for i, c in enumerate(CLASSIFICATIONS)}


def _classification_rank(classification: str) -> int:
    return _CLASSIFICATION_RANK.get(classification, len(CLASSIFICATIONS))


def _transcript_order_key(v: Mapping[str, Any]) -> tuple[Any, ...]:
    """TRPM6 is on the minus strand: c. order is descending genomic position."""
    return (str(v["chrom"]), -int(v["pos"]), str(v["ref"]), str(v["alt"]))


def _genomic_order_key(v: Mapping[str, Any]) -> tuple[Any, ...]:
    return (str(v["chrom"]), int(v["pos"]), str(v["ref"]), str(v["alt"]))


def criterion_view(c: Mapping[str, Any]) -> dict[str, str]:
    """One ACMG criterion as the report prints it: code with strength, points, direction, reason."""
    strength = str(c.get("strength", ""))
    pts = STRENGTH_POINTS.get(strength)
    sign = -1 if c.get("direction") == "benign" else 1
    return {
        "code": str(c.get("code", "")),
        "strength": STRENGTH_LABEL.get(strength, strength),
        "direction": str(c.get("direction", "")),
        "points": "stand-alone" if pts is None else f"{sign * pts:+d}",
        "reason": str(c.get("reason", "")),
    }


def verdict_headline(verdict: str, qualifying: Sequence[Mapping[str, Any]]) -> str:
    """The headline; for biallelic it names the classes as they are ('pathogenic', 'likely pathogenic', or
    both), and says 'variant (homozygous)' when one variant is on both alleles."""
    if verdict != "biallelic":
        return VERDICT_HEADLINES[verdict]
    classes = {str(v.get("classification")) for v in qualifying}
    label = " and ".join(CLASS_LABEL[c] for c in CLASSIFICATIONS if c in classes) or "pathogenic"
    if len(qualifying) == 1:
        zyg = str(qualifying[0].get("zygosity") or "homozygous")
        return f"Biallelic {label} TRPM6 variant ({zyg}): consistent with a diagnosis of HSH"
    return VERDICT_HEADLINES[verdict].format(label=label)


def variant_view(v: Mapping[str, Any]) -> dict[str, Any]:
    """A qualifying variant's card (templates/_variant_card.html); the other variants are table rows
    (report_rows.variant_text)."""
    cls = str(v.get("classification", ""))
    qc = v.get("qc") or {}
    original = v.get("original")
    ab = qc.get("allele_balance")
    return {
        "position": record_label(v),
        "original": record_label(original) if original else "",
        "original_differs": original is not None and record_label(original) != record_label(v),
        "hgvs_g": v.get("hgvs_g") or "",
        "hgvs_c": v.get("hgvs_c") or "",
        "c": short_hgvs(v.get("hgvs_c")) or "n/a",
        "p": short_hgvs(v.get("hgvs_p")) or "no protein change predicted",
        "hgvs_p": v.get("hgvs_p") or "",
        "consequence": list(v.get("consequence") or []),
        "impact": v.get("impact") or "",
        "location": location_text(v.get("exon"), v.get("intron")),
        "genotype": v.get("genotype", ""),
        "zygosity": str(v.get("zygosity", "")).capitalize(),
        "phase": phase_text(v),
        "inheritance": str(v.get("inheritance") or "").replace("_", " "),
        "classification": cls,
        "classification_label": CLASSIFICATION_LABELS.get(cls, cls),
        "classification_css": CLASSIFICATION_CSS.get(cls, "cls-unknown"),
        "rule": v.get("classification_rule") or "",
        "criteria": [criterion_view(c) for c in v.get("criteria") or []],
        "points": v.get("points"),
        "not_assessed": list(v.get("criteria_not_assessed") or []),
        "qualifying": bool(v.get("qualifying")),
        "not_qualifying_reason": not_qualifying_reason(v),
        "qc_pass": bool(v.get("qc_pass")),
        "qc_flags": list(v.get("qc_flags") or []),
        "qc_state": str(qc.get("state") or ("pass" if v.get("qc_pass") else "fail")),
        "fields_used": ", ".join(qc.get("fields_used") or []) or "none",
        "filter": qc.get("filter", ""),
        "dp": "n/a" if qc.get("dp") is None else str(qc["dp"]),
        "gq": "n/a" if qc.get("gq") is None else str(qc["gq"]),
        "ab": "n/a" if ab is None else format_float(float(ab), 2),
        "curated": _curated_view(v.get("curated_match")),
        "haplotype": _haplotype_view(v.get("haplotype")),
        "info": "; ".join(info_pairs(v.get("info"))),
    }


def _curated_view(cm: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The curated-list match of a variant for the HTML report (None: no match)."""
    if not cm:
        return None
    return {
        "id": cm.get("id", ""),
        "level": cm.get("level", ""),
        "level_label": MATCH_LEVEL_LABELS.get(cm.get("level", ""), cm.get("level", "")),
        "classification_label": CLASSIFICATION_LABELS.get(cm.get("classification", ""), cm.get("classification", "")),
        "tier": cm.get("evidence_tier") or "",
        "source": cm.get("source") or "",
        "evidence": citation_segments(cm.get("evidence")),
    }


def _haplotype_view(hap: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The combined annotation of a variant's haplotype (variants in cis) for the HTML report, or None."""
    if not hap:
        return None
    return {
        "c": short_hgvs(hap.get("hgvs_c")) or "n/a",
        "p": short_hgvs(hap.get("hgvs_p")) or "no protein change predicted",
        "consequence": list(hap.get("consequence") or []),
    }


def depth_axis(values: Sequence[float], threshold: int) -> tuple[int, int]:
    """(axis maximum, tick step): round numbers (1, 2, 5 x 10^k), at most 5 ticks above zero, the axis
    reaching at least 1.5x the threshold and the highest value."""
    top = max([threshold * 1.5, *values, 1.0])
    magnitude = 10 ** int(math.floor(math.log10(top / 5))) if top >= 5 else 1
    for mult in (1, 2, 5, 10, 20, 50):
        step = max(1, int(mult * magnitude))
        if math.ceil(top / step) <= 5:
            return int(math.ceil(top / step) * step), step
    raise AssertionError("unreachable")  # pragma: no cover


def coverage_plot(
    exons: Sequence[Mapping[str, Any]], threshold: int, flagged: AbstractSet[int] = frozenset()
) -> dict[str, Any]:
    """Geometry of the per-exon depth bar plot (inline SVG): mean depth bars, min depth ticks, threshold;
    `flagged` exons (relative depth suggests a deletion) are marked even when above the threshold."""
    width, height = 960, 250
    left, right, top, bottom = 52, 58, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    ordered = sorted(exons, key=lambda e: int(e["exon"]))
    ymax, step = depth_axis([float(e["mean_depth"]) for e in ordered], threshold)

    def y(depth: float) -> float:
        return round(top + plot_h - min(depth, ymax) / ymax * plot_h, 1)

    slot = plot_w / max(1, len(ordered))
    bars = []
    for i, e in enumerate(ordered):
        x = left + i * slot
        mean = float(e["mean_depth"])
        full = float(e["fraction_at_threshold"]) >= 1.0
        bars.append(
            {
                "x": round(x + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": y(mean),
                "h": round(top + plot_h - y(mean), 1),
                "cx": round(x + slot / 2, 1),
                "min_y": y(float(e["min_depth"])),
                "label": str(e["exon"]),
                "css": "bar-low" if not full else ("bar-cnv" if int(e["exon"]) in flagged else "bar-ok"),
                "title": (
                    f"Exon {e['exon']}: mean {format_float(mean, 1)}x, min {e['min_depth']}x, "
                    f"{format_percent(float(e['fraction_at_threshold']))} at >= {threshold}x"
                ),
            }
        )
    ticks = [{"y": y(v), "label": str(v)} for v in range(0, ymax + 1, step)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": left + plot_w,
        "top": top,
        "bottom": top + plot_h,
        "bars": bars,
        "ticks": ticks,
        "threshold": threshold,
        "threshold_y": y(threshold),
        "xlabel_y": top + plot_h + 14,
        "title_y": height - 6,
    }


def _copy_number_exons(coverage: Mapping[str, Any]) -> set[int]:
    """Exons flagged by relative depth (coverage.py's copy_number_flags, a possible deletion): the plot marks them.
    Read here from the report's coverage section, so the report code needs no numpy (the summary job is on every
    run's critical path)."""
    return {exon for flag in coverage.get("copy_number_flags", []) for exon in flag["exons"]}


def coverage_view(cov: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if cov is None:
        return None
    threshold = int(cov["threshold"])
    exons = sorted(cov.get("exons") or [], key=lambda e: int(e["exon"]))
    exon_rows = [
        {
            "exon": e["exon"],
            "mean": format_float(float(e["mean_depth"]), 1),
            "min": e["min_depth"],
            "fraction": format_percent(float(e["fraction_at_threshold"])),
            "low": float(e["fraction_at_threshold"]) < 1.0,
        }
        for e in exons
    ]
    half = (len(exon_rows) + 1) // 2
    # transcript order (TRPM6 is on the minus strand: descending genomic position within an exon)
    gaps = sorted(cov.get("gaps") or [], key=lambda g: (int(g["exon"]), -int(g["start"]), -int(g["end"])))
    target, at = cov.get("target_bases"), cov.get("bases_at_threshold")
    return {
        "source": {"alignments": "read alignments (BAM/CRAM)", "gvcf": "gVCF reference blocks"}.get(
            cov["source"], str(cov["source"])
        ),
        "threshold": threshold,
        "fraction": format_percent(float(cov["fraction_cds_at_threshold"])),
        "complete": float(cov["fraction_cds_at_threshold"]) >= 1.0 and not gaps,
        "exon_tables": [t for t in (exon_rows[:half], exon_rows[half:]) if t],
        "gaps": [
            {
                "exon": g["exon"],
                "region": f"{g['start']}-{g['end']}",
                "length": int(g["end"]) - int(g["start"]) + 1,
                "c": f"c.{g['c_start']}" + ("" if g["c_start"] == g["c_end"] else f"_{g['c_end']}"),
                "min": g["min_depth"],
            }
            for g in gaps
        ],
        "plot": coverage_plot(exons, threshold, _copy_number_exons(cov)) if exons else None,
        "notes": list(cov.get("notes") or []),
        "bases": None if target is None or at is None else f"{at:,} of {target:,} bases",
        "copy_number_flags": [copy_number_view(f) for f in cov.get("copy_number_flags") or []],
    }


def copy_number_view(flag: Mapping[str, Any]) -> dict[str, str]:
    """One relative-depth flag (a hint for a copy-number test, not a call) in words."""
    exons = [int(e) for e in flag.get("exons") or []]
    span = "" if not exons else (f"exon {exons[0]}" if len(exons) == 1 else f"exons {exons[0]}-{exons[-1]}")
    kind = {
        "half": "about half the depth of the other exons: possible heterozygous deletion",
        "none": "almost no reads: possible homozygous deletion or capture failure",
    }.get(str(flag.get("kind")), str(flag.get("kind")))
    return {
        "exons": span,
        "kind": kind,
        "mean": format_float(float(flag.get("mean_depth", 0.0)), 1),
        "median": format_float(float(flag.get("median_exon_depth", 0.0)), 1),
        "ratio": format_float(float(flag.get("ratio", 0.0)), 2),
    }


@lru_cache(maxsize=len(VERDICTS))
def _clinical(verdict: str) -> dict[str, Any]:
    """clinical_view of a verdict: the same for every report with that verdict (read-only, shared)."""
    return clinical_view(verdict, citation_segments)


def review_fields(report: Mapping[str, Any], verdict: str, generated_on: str) -> dict[str, Any]:
    """Review state, audit trail and versions (review.py), clinical context per verdict (clinical.py), and the
    running page header naming the report version."""
    rv = review_view(report)
    return {
        "review": rv,
        "clinical": _clinical(verdict),
        "page_header_right": css_string(
            f"Generated {generated_on} \u00b7 report version {rv['version']} ({rv['state']})"
        ),
    }


def provenance_view(prov: Mapping[str, Any]) -> dict[str, Any]:
    """The report's provenance as the HTML shows it (input checksums: fingerprint, whole-file SHA-256 if made)."""
    ref = prov.get("reference") or {}
    thresholds = prov.get("thresholds") or {}
    inputs = prov.get("inputs_sha256") or {}
    prints = prov.get("inputs_fingerprint") or {}
    return {
        "pipeline_version": prov.get("pipeline_version", ""),
        "reference_path": ref.get("path", ""),
        "reference_build": ref.get("build", ""),
        "reference_contig": ref.get("contig", ""),
        "reference_fingerprint": ref.get("fingerprint", ""),
        "curated_table_version": prov.get("curated_table_version", ""),
        "config_sha256": prov.get("config_sha256", ""),
        "vcf_sha256": inputs.get("vcf")
        or ("not computed (file over the auto limit, or input_identity: fingerprint)" if prints else ""),
        "alignments_sha256": inputs.get("alignments") or "none",
        "vcf_fingerprint": prints.get("vcf") or "",
        "alignments_fingerprint": prints.get("alignments") or "none",
        "identified_by": prov.get("inputs_identified_by") or "sha256",
        "min_dp": thresholds.get("min_dp", ""),
        "min_gq": thresholds.get("min_gq", ""),
        "min_allele_balance": thresholds.get("min_allele_balance", ""),
        "coverage_threshold": thresholds.get("coverage_threshold", ""),
    }


def report_view(
    report: Mapping[str, Any], generated_on: str, texts: Sequence[tuple[Mapping[str, Any], VariantText]]
) -> dict[str, Any]:
    """What templates/sample_report.html prints; `texts`: each reported variant with its text (variant_texts)."""
    verdict = str(report["verdict"])
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r} for sample {report.get('sample')!r}")
    qualifying = sorted((v for v, _ in texts if v.get("qualifying")), key=_transcript_order_key)
    others = sorted(
        (vt for vt in texts if not vt[0].get("qualifying")),
        key=lambda vt: (_classification_rank(str(vt[0].get("classification"))), _transcript_order_key(vt[0])),
    )
    filtered = sorted(report.get("filtered") or [], key=_genomic_order_key)
    prov = report.get("provenance") or {}
    return {
        "sample": str(report["sample"]),
        "vcf_sample": str(report.get("vcf_sample", report["sample"])),
        "generated_on": generated_on,
        "synthetic": bool(report.get("synthetic_reference")),
        "banner": SYNTHETIC_BANNER,
        "gene": report.get("gene", "TRPM6"),
        "build": report.get("genome_build", ""),
        "transcript": report.get("transcript", ""),
        "protein": report.get("protein", ""),
        "verdict": verdict,
        "verdict_label": VERDICT_LABELS[verdict],
        "verdict_headline": verdict_headline(verdict, qualifying),
        "verdict_text": report.get("verdict_text", ""),
        "verdict_notes": list(report.get("verdict_notes") or []),
        "qualifying": [variant_view(v) for v in qualifying],
        "n_others": len(others),
        "other_rows": Markup("\n".join([t.html for _, t in others])),  # escaped in report_rows.variant_text
        "filtered": [{"position": record_label(f), "reason": f.get("reason", "")} for f in filtered],
        "sample_qc": report.get("sample_qc") or {},
        "coverage": coverage_view(report.get("coverage")),
        "family": family_view(report),
        "provenance": provenance_view(prov),
        "schema_version": report.get("schema_version", SCHEMA_VERSION),
        "renderer_version": __version__,
        "page_header_left": css_string(
            f"{report.get('gene', 'TRPM6')} variant report \u00b7 sample {report['sample']}"
        ),
        **review_fields(report, verdict, generated_on),  # review.py, clinical.py
        "page_footer_left": css_string(
            SYNTHETIC_BANNER if report.get("synthetic_reference") else "Confidential clinical genomics report"
        ),
    }


# --------------------------------------------------------------------------------------------------
# templates
# --------------------------------------------------------------------------------------------------


_ENV_OPTIONS: dict[str, Any] = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
    "auto_reload": False,  # the templates do not change while a job runs: no stat per template per render
}


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept across jobs in jinja2's per-user private temporary folder (created 0700 and
    refused when not the user's own). Compiling costs ~0.1 s per job; loading ~2 ms. Jinja2 recompiles when a
    template's source changes (checksum); the file names carry jinja2's and Python's versions and the
    environment's options, which the compiled code also depends on. None where that folder is unusable."""
    import hashlib
    import sys

    tag = hashlib.sha256(repr((jinja2.__version__, sys.version, sorted(_ENV_OPTIONS.items()))).encode()).hexdigest()
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"__hshpipe_{tag[:16]}_%s.cache")
    except (OSError, RuntimeError):
        return None


class _ViewEnvironment(jinja2.Environment):
    """The templates print view dicts: `a.b` on a dict reads the key `b` first. Jinja2 tries the attribute first,
    which on a dict costs a raised and caught AttributeError per lookup (~150 per report); no template names a
    dict method (items, get, ...), so the value printed is the same. Other objects: as jinja2 does."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """One environment per process; templates are compiled when first used."""
    return _ViewEnvironment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_bytecode_cache(),
        **_ENV_OPTIONS,
    )


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


# --------------------------------------------------------------------------------------------------
# public API: per sample
# --------------------------------------------------------------------------------------------------


def load_report_schema() -> dict[str, Any]:
    """The report.json JSON-Schema (draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _report_validator() -> Any:
    """One validator per process (the review step validates every re-rendered report)."""
    import jsonschema

    return jsonschema.Draft202012Validator(load_report_schema())


def validate_report(report: Mapping[str, Any]) -> None:
    """Raise ValueError listing every schema violation of a report dict (empty list = valid)."""
    errors = sorted(_report_validator().iter_errors(report), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        lines = [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in errors[:20]]
        more = f" (+{len(errors) - 20} more)" if len(errors) > 20 else ""
        raise ValueError(
            f"report for sample {report.get('sample')!r} violates report.schema.json{more}:\n" + "\n".join(lines)
        )


# report.json's encoder, made once: sorted keys, compact (one line: json's C encoder, ~10x faster than indented
# output at cohort scale; `python -m json.tool` pretty-prints it), UTF-8 characters kept, NaN/Infinity refused
# (not JSON). A report is a tree built by assemble.report_dict, so the encoder does not keep the id of every
# container it enters to detect a cycle (check_circular, ~10% of the encoding); a cyclic dict, a bug, would
# end in RecursionError rather than ValueError.
_REPORT_JSON = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False
)


def sample_json(report: Mapping[str, Any]) -> str:
    """report.json text (_REPORT_JSON), trailing newline."""
    return _REPORT_JSON.encode(report) + "\n"


def variant_texts(report: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], VariantText]]:
    """Each reported variant with its TSV line and HTML row, in the report's order."""
    return [(v, variant_text(v)) for v in report.get("variants") or []]


def sample_tsv(report: Mapping[str, Any], texts: Sequence[tuple[Mapping[str, Any], VariantText]] | None = None) -> str:
    """`{sample}.variants.tsv`: columns SAMPLE_TSV_COLUMNS (docs/outputs.md); reported variants in genomic order,
    then filtered records (classification `filtered`, with their reason). `texts`: variant_texts(report), when
    already made for the HTML."""
    sample = (report["sample"], report.get("vcf_sample"), report["verdict"])
    cells = "\t".join([tsv_cell(c) for c in sample])
    ordered = sorted(variant_texts(report) if texts is None else texts, key=lambda vt: _genomic_order_key(vt[0]))
    lines = ["\t".join(SAMPLE_TSV_COLUMNS), *[f"{cells}\t{t.tsv}" for _, t in ordered]]
    base = dict(zip(SAMPLE_COLUMNS, sample, strict=True))
    filtered = [
        {**base, "chrom": f["chrom"], "pos": f["pos"], "ref": f["ref"], "alt": f["alt"]}
        | {"classification": "filtered", "reason": f.get("reason")}
        for f in sorted(report.get("filtered") or [], key=_genomic_order_key)
    ]
    lines.extend(tsv_lines(SAMPLE_TSV_COLUMNS, filtered))
    return "\n".join(lines) + "\n"


def sample_html(
    report: Mapping[str, Any], generated_on: str, texts: Sequence[tuple[Mapping[str, Any], VariantText]] | None = None
) -> str:
    """`{sample}.report.html`: self-contained, printable clinical report (no scripts, no external resources).
    `texts`: variant_texts(report), when already made for the TSV."""
    view = report_view(report, generated_on, variant_texts(report) if texts is None else texts)
    return _render("sample_report.html", r=view)


# --------------------------------------------------------------------------------------------------
# public API: run summary
# --------------------------------------------------------------------------------------------------


def qc_state(report: Mapping[str, Any]) -> str:
    """`fail` when the sample could not be assessed (verdict inconclusive); `review` when a reported variant
    failed QC, the coverage has gaps below the threshold, or the family check flags the family (docs/outputs.md);
    `pass` otherwise."""
    if report["verdict"] == "inconclusive":
        return "fail"
    fam = report.get("family") or {}
    if fam.get("swap_suspected") or fam.get("flags") or (fam.get("segregation") or {}).get("status") == "mismatch":
        return "review"  # family: Mendelian errors pointing to a swap, a flagged genotype, segregation mismatch
    cov = report.get("coverage")
    if any(not v.get("qc_pass") for v in report.get("variants") or []):
        return "review"
    if (report.get("sample_qc") or {}).get("curated_sites_not_called"):
        return "review"
    if cov is not None and (cov.get("gaps") or float(cov["fraction_cds_at_threshold"]) < 1.0):
        return "review"
    return "pass"


def summary_row(report: Mapping[str, Any]) -> dict[str, Any]:
    """The light per-sample row of the run summary (keep these, not whole reports, for large runs)."""
    variants = list(report.get("variants") or [])
    qualifying = sorted((v for v in variants if v.get("qualifying")), key=_transcript_order_key)
    cov = report.get("coverage")
    return {
        "sample": report["sample"],
        "vcf_sample": report.get("vcf_sample", report["sample"]),
        "family": (report.get("family") or {}).get("id"),
        "verdict": report["verdict"],
        "qualifying": [
            {"hgvs_c": v.get("hgvs_c"), "hgvs_p": v.get("hgvs_p"), "zygosity": v.get("zygosity")} for v in qualifying
        ],
        "n_variants": len(variants),
        "n_qualifying": len(qualifying),
        "n_qc_fail": sum(1 for v in variants if not v.get("qc_pass")),
        "n_filtered": len(report.get("filtered") or []),
        "qc_state": qc_state(report),
        "coverage_fraction": None if cov is None else float(cov["fraction_cds_at_threshold"]),
        "coverage_threshold": None if cov is None else int(cov["threshold"]),
        "n_coverage_gaps": None if cov is None else len(cov.get("gaps") or []),
        "synthetic_reference": bool(report.get("synthetic_reference")),
        "report_html": report_href(str(report["sample"])),
        "review_state": str((report.get("review") or {}).get("state", "draft")),  # review.py
    }


def failed_row(sample: str, vcf_sample: str, reason: str, family: str | None = None) -> dict[str, Any]:
    """The summary row of a sample whose analysis failed: verdict `failed` (vocab.FAILED), no report, one-line
    reason; `summary_row`'s keys, with nothing counted."""
    stub = {"sample": sample, "vcf_sample": vcf_sample, "verdict": FAILED, "family": {"id": family} if family else None}
    nothing = dict.fromkeys(("n_variants", "n_qualifying", "n_qc_fail", "n_filtered", "report_html", "review_state"))
    return summary_row(stub) | nothing | {"qc_state": "fail", "failure_reason": " ".join(reason.split())}


def _sorted_rows(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(rows, key=lambda r: str(r["sample"]))


def summary_tsv(rows: Iterable[Mapping[str, Any]]) -> str:
    """`summary.tsv`: one line per sample (sorted by sample), columns SUMMARY_TSV_COLUMNS."""
    flat = []
    for r in _sorted_rows(rows):
        q = r.get("qualifying") or []
        flat.append(
            {
                **r,
                "qualifying_hgvs_c": ";".join(x.get("hgvs_c") or "" for x in q),
                "qualifying_hgvs_p": ";".join(x.get("hgvs_p") or "" for x in q),
                "qualifying_zygosity": ";".join(x.get("zygosity") or "" for x in q),
            }
        )
    return tsv_table(SUMMARY_TSV_COLUMNS, flat)


def verdict_counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(VERDICTS, 0)
    for r in rows:
        counts[str(r["verdict"])] = counts.get(str(r["verdict"]), 0) + 1
    return counts


def _summary_row_view(r: Mapping[str, Any]) -> dict[str, Any]:
    q = r.get("qualifying") or []
    frac = r.get("coverage_fraction")
    verdict = str(r["verdict"])
    sample = str(r["sample"])
    return {
        "sample": sample,
        "family": str(r.get("family") or ""),
        "verdict": verdict,
        "verdict_label": VERDICT_LABELS.get(verdict, verdict),
        "verdict_rank": VERDICTS.index(verdict) if verdict in VERDICTS else len(VERDICTS),
        "qualifying": f"no report: {r.get('failure_reason')}"
        if verdict == FAILED
        else "; ".join(
            " ".join(x for x in (short_hgvs(v.get("hgvs_c")), short_hgvs(v.get("hgvs_p"))) if x)
            + (" (hom)" if v.get("zygosity") == "homozygous" else "")
            for v in q
        ),
        "n_variants": int(r.get("n_variants") or 0),
        "qc_state": str(r.get("qc_state", "")),
        "coverage": "n/a" if frac is None else format_percent(float(frac)),
        "coverage_sort": "-1" if frac is None else format_float(float(frac)),
        "href": "#" if verdict == FAILED else report_href(sample),  # the one link: the sample's own report
        "review_state": str(r.get("review_state") or "draft"),  # review.py
    }


class SummaryCell(NamedTuple):
    """One cell of the run summary's table, as both the server-rendered rows and the page script show it."""

    text: str
    css: str = ""  # class attribute ("" = none)
    key: str | None = None  # sort key (data-v) when it is not the text
    href: str | None = None  # link around the text: report_href(sample), or "#" (no report)


def summary_cells(r: Mapping[str, Any]) -> tuple[SummaryCell, ...]:
    """A summary row's cells, in the table's column order (the one definition: server rows and JSON island)."""
    v = _summary_row_view(r)
    return (
        SummaryCell(v["sample"], "mono", href=v["href"]),
        SummaryCell(v["verdict_label"], f"vt vt-{v['verdict']}", str(v["verdict_rank"])),
        SummaryCell(v["qualifying"], "mono"),
        SummaryCell(str(v["n_variants"]), "num"),
        SummaryCell(v["qc_state"], f"q-{v['qc_state']}"),
        SummaryCell(v["coverage"], "num", v["coverage_sort"]),
        SummaryCell(v["review_state"]),
        SummaryCell(v["family"], "mono"),
    )


def _cell_html(c: SummaryCell) -> str:
    attrs = (f' class="{escape(c.css)}"' if c.css else "") + (f' data-v="{escape(c.key)}"' if c.key is not None else "")
    text = escape(c.text) if c.href is None else f'<a href="{escape(c.href)}">{escape(c.text)}</a>'
    return f"<td{attrs}>{text}</td>"


def summary_row_html(cells: Sequence[SummaryCell]) -> Markup:
    """A server-rendered table row (every text, class, key and link escaped)."""
    return Markup("<tr>" + "".join([_cell_html(c) for c in cells]) + "</tr>")


_SCRIPT_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
_SCRIPT_JSON_ESCAPES |= {0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(data: Any) -> Markup:
    """JSON that is inert inside <script type="application/json">: <, >, & and U+2028/2029 as \\uXXXX (they
    occur only inside JSON strings, where the escape means the same character), so no </script>, <!-- or
    line break in it; compact, keys in the given order (deterministic)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.translate(_SCRIPT_JSON_ESCAPES))


def summary_island(cell_rows: Sequence[Sequence[SummaryCell]]) -> Markup:
    """Every row's cells for the page script: {"n", "page_rows", "classes", "rows"}; a cell is
    [text, index into classes] + [key] + [href] (trailing nothing left out)."""
    classes = sorted({c.css for row in cell_rows for c in row})
    index = {css: i for i, css in enumerate(classes)}

    def cell(c: SummaryCell) -> list[Any]:
        out: list[Any] = [c.text, index[c.css]]
        if c.href is not None:
            return [*out, c.key, c.href]
        return out if c.key is None else [*out, c.key]

    rows = [[cell(c) for c in row] for row in cell_rows]
    return script_json({"n": len(rows), "page_rows": PAGE_ROWS, "classes": classes, "rows": rows})


def summary_html(rows: Iterable[Mapping[str, Any]], generated_on: str, synthetic: bool) -> str:
    """`summary.html`: verdict counts, then one plain table row per sample (sortable and filterable by a small
    inline script; usable and printable without it). No per-variant details. Above PAGE_ROWS samples the page
    stays light: the first PAGE_ROWS rows are server-rendered, every row's cells are in a JSON data island, and
    the script shows pages of PAGE_ROWS rows, sorting and filtering across all of them (docs/outputs.md)."""
    ordered = _sorted_rows(rows)
    counts = verdict_counts(ordered)
    cells = [summary_cells(r) for r in ordered]
    paged = len(cells) > PAGE_ROWS
    return _render(
        "summary.html",
        generated_on=generated_on,
        synthetic=synthetic,
        banner=SYNTHETIC_BANNER,
        counts=[{"verdict": v, "label": VERDICT_LABELS.get(v, v), "n": n} for v, n in counts.items()],
        n_samples=len(ordered),
        rows=[summary_row_html(c) for c in cells[:PAGE_ROWS]],
        page_rows=PAGE_ROWS,
        island=summary_island(cells) if paged else None,
        renderer_version=__version__,
    )
