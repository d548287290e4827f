"""One reported variant's line of `{sample}.variants.tsv` and row of the HTML "Other variants" table.

A batch reports the same change (same allele, annotation and classification) in many samples. The text that
only the change determines is made once per distinct change (`change_text`, memoised on `ChangeKey`, which
holds exactly the values that text is made of). The call's cells whose values recur across calls (genotype,
zygosity, phase, QC badge, FILTER, flags, fields read) are made once per distinct set of values (`call_text`,
memoised with typed arguments), and only the call's own numbers and INFO (depth, GQ, allele balance) are made
per call. Every VCF-derived string is escaped once with markupsafe.escape; the HTML rows reach
templates/sample_report.html as Markup (autoescape stays on there) and follow its table layout.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from markupsafe import escape

from .acmg import Criterion
from .hgvs import short_hgvs
from .vocab import CLASS_LABEL

# Column groups of the per-sample TSV: the sample's, then the change's and the call's columns in turn.
SAMPLE_COLUMNS = ("sample", "vcf_sample", "verdict")
_CHANGE_COLUMNS = (
    ("chrom", "pos", "ref", "alt", "original", "hgvs_g", "hgvs_c", "hgvs_p", "consequence", "impact", "exon", "intron"),
    ("classification", "rule", "criteria", "points", "curated_id", "curated_level", "curated_classification"),
    ("haplotype_hgvs_c", "haplotype_hgvs_p"),
)
_CALL_COLUMNS = (
    ("genotype", "zygosity", "phased", "phase_set"),
    ("qualifying", "qc_pass", "qc_flags", "filter", "dp", "gq", "allele_balance"),
    ("info", "reason"),
)
TSV_COLUMNS: tuple[str, ...] = SAMPLE_COLUMNS + tuple(
    c for change, call in zip(_CHANGE_COLUMNS, _CALL_COLUMNS, strict=True) for c in change + call
)

CLASSIFICATION_LABELS: dict[str, str] = {c: label.capitalize() for c, label in CLASS_LABEL.items()}
CLASSIFICATION_CSS: dict[str, str] = {
    "pathogenic": "cls-p",
    "likely_pathogenic": "cls-lp",
    "uncertain_significance": "cls-vus",
    "likely_benign": "cls-lb",
    "benign": "cls-b",
}
MATCH_LEVEL_LABELS: dict[str, str] = {
    "genomic": "same genomic allele",
    "cdna": "same c. change",
    "protein": "same protein change, other nucleotide change (PS1-like)",
    "codon": "other change at a codon with a known pathogenic missense (PM5-like)",
    "exon": "exon-level entry overlapped by this structural variant",
}


# --------------------------------------------------------------------------------------------------
# cells (pure)
# --------------------------------------------------------------------------------------------------

_TSV_BREAKS = re.compile(r"[\t\r\n]+")


def tsv_cell(value: Any) -> str:
    """One TSV cell: None -> '', booleans -> true/false, floats without trailing zeros (<= 4 decimals);
    tabs and line breaks inside text become spaces so a record never spans two lines."""
    if type(value) is not str:  # text is the common case
        if value is None:
            return ""
        if type(value) is int:
            return str(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return format_float(value)
        if isinstance(value, (list, tuple)):
            return ",".join([tsv_cell(v) for v in value])
        value = str(value)
    return _TSV_BREAKS.sub(" ", value) if "\t" in value or "\n" in value or "\r" in value else value


def _tsv_cells(values: tuple[Any, ...]) -> str:
    """Tab-joined cells."""
    return "\t".join([tsv_cell(v) for v in values])


def format_float(value: float, decimals: int = 4) -> str:
    """Fixed decimals with trailing zeros stripped; refuses NaN/inf (they are bugs upstream)."""
    if not math.isfinite(value):
        raise ValueError(f"non-finite number in report: {value!r}")
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def record_label(rec: Mapping[str, Any]) -> str:
    """VCF-style `chrom:pos:ref:alt`."""
    return f"{rec['chrom']}:{rec['pos']}:{rec['ref']}:{rec['alt']}"


def phase_words(zygosity: Any, phased: Any, genotype: Any, phase_set: Any) -> str:
    """The call's phase in words."""
    if zygosity == "homozygous":
        return "not applicable (homozygous)"
    if phased:
        return f"phased, GT {genotype}" + (f", phase set {phase_set}" if phase_set is not None else "")
    return "unphased"


def phase_text(v: Mapping[str, Any]) -> str:
    """phase_words of a report.json variant."""
    return phase_words(v.get("zygosity"), v.get("phased"), v.get("genotype", ""), v.get("phase_set"))


def not_counted_note(qualifying: Any, classification: Any, qc_flags: Any) -> str | None:
    """Why a pathogenic / likely pathogenic variant does not count toward the verdict."""
    if qualifying or classification not in ("pathogenic", "likely_pathogenic"):
        return None
    flags = ", ".join(qc_flags or []) or "QC"
    return f"Not counted toward the verdict: failed QC ({flags})."


def not_qualifying_reason(v: Mapping[str, Any]) -> str | None:
    """not_counted_note of a report.json variant."""
    return not_counted_note(v.get("qualifying"), v.get("classification"), v.get("qc_flags"))


def info_pairs(info: Mapping[str, Any] | None) -> list[str]:
    """The record's INFO as `KEY=value` items in key order."""
    return [f"{k}={val}" for k, val in sorted(info.items())] if info else []


def location_text(exon: Any, intron: Any) -> str:
    """'exon 3/39', 'intron 2/38', both, or 'outside exons and introns'."""
    location = []
    if exon:
        location.append(f"exon {exon}")
    if intron:
        location.append(f"intron {intron}")
    return ", ".join(location) or "outside exons and introns"


# --------------------------------------------------------------------------------------------------
# the change's text, once per distinct change
# --------------------------------------------------------------------------------------------------


class ChangeKey(NamedTuple):
    """Every value the change's cells are made of, and nothing of the call. Where a value's text depends on its
    type as well as its value (1, 1.0 and True are equal in Python), the key holds the text (`position`,
    `original`) or the type (`points`), so that equal keys always give equal text."""

    chrom: Any
    pos: Any
    ref: Any
    alt: Any
    position: str  # record_label of the variant
    original: str | None  # record_label of the caller's record, None without one
    hgvs_g: Any
    hgvs_c: Any
    hgvs_p: Any
    consequence: tuple[Any, ...]
    impact: Any
    exon: Any
    intron: Any
    classification: Any
    rule: Any
    criteria: tuple[tuple[Any, Any, Any], ...]  # (code, strength, direction): what a criterion's label is made of
    points: tuple[type, Any]
    curated: tuple[Any, Any, Any] | None  # (id, level, classification) of a curated match
    haplotype: tuple[Any, Any, tuple[Any, ...]] | None  # (hgvs_c, hgvs_p, consequence) of the change in cis


class ChangeText(NamedTuple):
    """The change's TSV cells (three runs, between the call's runs) and its HTML cells."""

    tsv: tuple[str, str, str]
    html_variant: str  # inside the row's first cell
    html_consequence: str  # inside the consequence / location cell
    html_class: str  # inside the classification cell, before the call's own note


_CRITERION_LABEL_FIELDS = itemgetter("code", "strength", "direction")


def change_key(v: Mapping[str, Any]) -> ChangeKey:
    """The key of a reported variant's change (a report.json variant)."""
    original, cm, hap, points = v.get("original"), v.get("curated_match"), v.get("haplotype"), v.get("points")
    return ChangeKey(
        v["chrom"],
        v["pos"],
        v["ref"],
        v["alt"],
        f"{v['chrom']}:{v['pos']}:{v['ref']}:{v['alt']}",
        f"{original['chrom']}:{original['pos']}:{original['ref']}:{original['alt']}" if original else None,
        v.get("hgvs_g"),
        v.get("hgvs_c"),
        v.get("hgvs_p"),
        tuple(v.get("consequence") or ()),
        v.get("impact"),
        v.get("exon"),
        v.get("intron"),
        v.get("classification"),
        v.get("classification_rule"),
        tuple(map(_CRITERION_LABEL_FIELDS, v.get("criteria") or ())),
        (type(points), points),
        (cm.get("id", ""), cm.get("level", ""), cm.get("classification")) if cm else None,
        (hap.get("hgvs_c"), hap.get("hgvs_p"), tuple(hap.get("consequence") or ())) if hap else None,
    )


@lru_cache(maxsize=16384)
def change_text(k: ChangeKey) -> ChangeText:
    """The change's cells, made from its key alone (memoised: a batch reports a change in many samples)."""
    labels = ",".join([Criterion(str(code), str(s), str(d), "").label for code, s, d in k.criteria])
    cur_id, cur_level, cur_class = k.curated or (None, None, None)
    hap_c, hap_p, hap_csq = k.haplotype or (None, None, ())
    tsv = (
        _tsv_cells((k.chrom, k.pos, k.ref, k.alt, k.original, k.hgvs_g, k.hgvs_c, k.hgvs_p, k.consequence))
        + "\t"
        + _tsv_cells((k.impact, k.exon, k.intron)),
        _tsv_cells((k.classification, k.rule, labels, k.points[1], cur_id, cur_level, cur_class)),
        _tsv_cells((hap_c, hap_p)),
    )
    variant = (
        f'<span class="mono"><strong>{escape(short_hgvs(k.hgvs_c) or "n/a")}</strong></span><br>'
        f'<span class="mono">{escape(short_hgvs(k.hgvs_p) or "no protein change predicted")}</span><br>'
        f'<span class="mono small muted">{escape(k.position)}</span>\n'
    )
    if k.original is not None and k.original != k.position:
        variant += f'<br><span class="small muted">VCF record: <span class="mono">{escape(k.original)}</span></span>'
    if k.haplotype:
        variant += (
            f'<br><span class="small">Combined in cis: <span class="mono">{escape(short_hgvs(hap_c) or "n/a")} '
            f"{escape(short_hgvs(hap_p) or 'no protein change predicted')}</span> "
            f'<span class="muted">({escape(", ".join(map(str, hap_csq)))})</span></span>'
        )
    consequence = (
        f'<span class="terms">{escape(", ".join(map(str, k.consequence)))}</span><br>'
        f'<span class="muted">{escape(k.impact or "")} &middot; {escape(location_text(k.exon, k.intron))}</span>'
    )
    cls = str(k.classification if k.classification is not None else "")
    klass = (
        f'<span class="badge {escape(CLASSIFICATION_CSS.get(cls, "cls-unknown"))}">'
        f"{escape(CLASSIFICATION_LABELS.get(cls, cls))}</span>\n"
        f'      <div class="small">{escape(k.rule or "")}</div>\n'
    )
    if k.curated:
        level: Any = cur_level
        klass += (
            f'<div class="small">Curated: <span class="mono">{escape(cur_id)}</span> '
            f"({escape(MATCH_LEVEL_LABELS.get(level, level))})</div>"
        )
    return ChangeText(tsv, variant, consequence, klass)


# --------------------------------------------------------------------------------------------------
# one call: the change's text with the call's own cells
# --------------------------------------------------------------------------------------------------


class VariantText(NamedTuple):
    """A reported variant's TSV line (after the sample's cells) and its "Other variants" row (escaped HTML)."""

    tsv: str
    html: str


class CallText(NamedTuple):
    """The call's recurring cells: TSV runs (genotype .. phase set; qualifying .. FILTER) and HTML pieces."""

    tsv: tuple[str, str]
    html_zygosity: str  # the zygosity / phase cell
    html_note: str  # after the change's classification: why a P/LP call does not count, or ""
    html_qc_head: str  # the QC cell up to the depth
    html_qc_tail: str  # the QC cell after the allele balance: fields read, flags


_QC_BADGE = {
    "pass": '<span class="qc-pass">PASS</span>',
    "review": '<span class="qc-fail">REVIEW</span>',
    "fail": '<span class="qc-fail">FAIL</span>',
}
_BOOL_CELL = ("false", "true")


@lru_cache(maxsize=16384, typed=True)
def call_text(
    genotype: Any,
    zygosity: Any,
    phased: Any,
    phase_set: Any,
    qualifying: Any,
    classification: Any,
    qc_pass: Any,
    state: str,
    flt: Any,
    flags: tuple[str, ...],
    fields_used: tuple[str, ...],
) -> CallText:
    """The call's cells that recur across calls (genotype, zygosity, phase, whether it counts, QC badge, FILTER,
    flags, fields read; `classification` is the change's: whether a call that does not count gets a note), made
    from these values alone and memoised: they recur across a batch's calls. Nothing that differs from call to
    call in the same way (depth, GQ, allele balance, INFO) is an argument. `typed`: arguments equal in Python but
    printed differently (1, 1.0 and True) are different keys, so that equal keys always give equal text."""
    tsv = (
        _tsv_cells((genotype, zygosity)) + f"\t{_BOOL_CELL[bool(phased)]}\t" + tsv_cell(phase_set),
        f"{_BOOL_CELL[bool(qualifying)]}\t{_BOOL_CELL[bool(qc_pass)]}\t" + _tsv_cells((";".join(flags), flt)),
    )
    phase = phase_words(zygosity, phased, genotype, phase_set)
    note = not_counted_note(qualifying, classification, flags)
    return CallText(
        tsv,
        f'{escape(str(zygosity).capitalize())} <span class="mono">({escape(genotype)})</span><br>{escape(phase)}',
        f'<div class="small alert">{escape(note)}</div>' if note else "",
        f'{_QC_BADGE[state]}      <br>FILTER <span class="mono">{escape(flt)}</span><br>DP ',
        f'\n      <br><span class="muted">fields read: <span class="mono">{escape(", ".join(fields_used) or "none")}'
        "</span></span>\n"
        + (f'<br><span class="qc-fail">{escape(", ".join(map(str, flags)))}</span>' if flags else ""),
    )


def call_text_of(v: Mapping[str, Any], qc: Mapping[str, Any]) -> CallText:
    """call_text of a report.json variant and its `qc` (defaults as the cells read them: a missing genotype,
    zygosity or FILTER prints as empty)."""
    qc_pass = v.get("qc_pass")
    return call_text(
        v.get("genotype", ""),
        v.get("zygosity", ""),
        v.get("phased"),
        v.get("phase_set"),
        v.get("qualifying"),
        v.get("classification"),
        qc_pass,
        "pass" if qc_pass else "review" if qc.get("state") == "review" else "fail",
        qc.get("filter", ""),
        tuple(v.get("qc_flags") or ()),
        tuple(qc.get("fields_used") or ()),
    )


def variant_text(v: Mapping[str, Any]) -> VariantText:
    """The change's and the call's memoised cells with this call's own depth, GQ, allele balance and INFO."""
    change = change_text(change_key(v))
    qc = v.get("qc") or {}
    call = call_text_of(v, qc)
    ab, dp, gq = qc.get("allele_balance"), qc.get("dp"), qc.get("gq")
    pairs = info_pairs(v.get("info"))
    ab4 = "" if ab is None else format_float(float(ab))
    tsv = (
        f"{change.tsv[0]}\t{call.tsv[0]}\t{change.tsv[1]}\t{call.tsv[1]}\t{tsv_cell(dp)}\t{tsv_cell(gq)}\t{ab4}"
        f"\t{change.tsv[2]}\t{tsv_cell(';'.join(pairs))}\t"  # info, then reason (filtered records only)
    )
    html = (
        f"  <tr>\n    <td>{change.html_variant}</td>\n"
        f'    <td class="small">{change.html_consequence}</td>\n'
        f'    <td class="small">{call.html_zygosity}</td>\n'
        f"    <td>{change.html_class}{call.html_note}</td>\n"
        f'    <td class="small">{call.html_qc_head}'
        f"{'n/a' if dp is None else dp if type(dp) is int else escape(dp)}"
        f" &middot; GQ {'n/a' if gq is None else gq if type(gq) is int else escape(gq)}"
        f" &middot; AB {'n/a' if ab is None else format_float(float(ab), 2)}{call.html_qc_tail}"
        + (f'<br><span class="mono muted">{escape("; ".join(pairs))}</span>' if pairs else "")
        + "</td>\n  </tr>"
    )
    return VariantText(tsv, html)
