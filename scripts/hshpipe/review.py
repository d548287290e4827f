"""Report review: the review file (one decision per line), decisions applied to a report dict, two-person sign-off
and the one-line diff between report versions. Pure functions; reading and writing files is in `review_run`.

Review file (TSV, UTF-8, `#` lines are comments), header then one decision per line:

    sample  variant  action  value  text  reviewer  date

- `classify`: `variant` to class `value` (vocab.CLASSES) because `text` (required)
- `exclude`: `variant` is not reported (artefact, wrong sample, ...) because `text` (required)
- `note`: `text` (required) about the report, or about `variant` when given
- `sign`: `value` is `first` or `second` reviewer; no variant, text optional

`variant` is an HGVS c. name (`c.4287C>A`, with or without the transcript accession) or `chrom-pos-ref-alt`
(`chr9-74802138-G-C`, ':' also accepted). `date` is YYYY-MM-DD, not in the future.

The reviewed report keeps what the pipeline said in `review.base` (verdict, variants, filtered records, record
counts), so applying the decisions again always starts from the pipeline's report. Its content for sign-off
purposes is everything but the `review` block (hashed: `content_sha256`); a report is `final` when two different
reviewers signed after the last decision and for the content they saw.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import InputError
from .hgvs import short_hgvs
from .verdict import CoverageCheck, GenotypeDoubts, SampleCall, decide
from .vocab import CLASS_LABEL, CLASSES, qualifies

COLUMNS: tuple[str, ...] = ("sample", "variant", "action", "value", "text", "reviewer", "date")
ACTIONS: tuple[str, ...] = ("classify", "exclude", "note", "sign")
ROLES: tuple[str, ...] = ("first", "second")
DRAFT, FINAL = "draft", "final"
BASE_FIELDS: tuple[str, ...] = ("verdict", "verdict_text", "verdict_notes", "variants", "filtered", "sample_qc")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VCF_KEY = re.compile(r"^(?P<chrom>[^\s:-]+)[-:](?P<pos>\d+)[-:](?P<ref>[A-Za-z]+)[-:](?P<alt>[A-Za-z<>.*]+)$")


def empty_review() -> dict[str, Any]:
    """The review block of a report nobody has reviewed yet (what the pipeline writes)."""
    return {"state": DRAFT, "decisions": [], "signed_by": []}


@dataclass(frozen=True)
class Decision:
    line: int
    sample: str
    variant: str
    action: str
    value: str
    text: str
    reviewer: str
    date: str

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v != "" and k != "sample"}


# --------------------------------------------------------------------------------------------------
# the review file
# --------------------------------------------------------------------------------------------------


def _fail(path: str, line: int, msg: str) -> InputError:
    return InputError(f"{path}: line {line}: {msg}; nothing was re-rendered from this review file")


def parse_line(path: str, line: int, cells: Sequence[str], today: date) -> Decision:
    """One decision line, checked on its own (format, action, class, role, date)."""
    if len(cells) != len(COLUMNS):
        raise _fail(path, line, f"{len(cells)} columns, expected {len(COLUMNS)} ({', '.join(COLUMNS)})")
    d = Decision(line, *(c.strip() for c in cells))
    if d.action not in ACTIONS:
        raise _fail(path, line, f"action {d.action!r} is not one of {', '.join(ACTIONS)}")
    if not d.sample or not d.reviewer:
        raise _fail(path, line, "sample and reviewer are required")
    if not _DATE.match(d.date):
        raise _fail(path, line, f"date {d.date!r} is not YYYY-MM-DD")
    try:
        when = date.fromisoformat(d.date)
    except ValueError:
        raise _fail(path, line, f"date {d.date!r} is not a calendar date") from None
    if when > today:
        raise _fail(path, line, f"date {d.date} is in the future (today is {today.isoformat()})")
    _check_action(path, d)
    return d


def _check_action(path: str, d: Decision) -> None:
    if d.action == "classify" and d.value not in CLASSES:
        raise _fail(path, d.line, f"class {d.value!r} is not one of {', '.join(CLASSES)}")
    if d.action in ("classify", "exclude") and not d.variant:
        raise _fail(path, d.line, f"{d.action} needs a variant (HGVS c. or chrom-pos-ref-alt)")
    if d.action in ("classify", "exclude", "note") and not d.text:
        raise _fail(path, d.line, f"{d.action} needs a reason or note in the text column")
    if d.action == "sign" and (d.value not in ROLES or d.variant):
        raise _fail(path, d.line, "sign needs value first or second and no variant")


def read_review(path: Path, today: date) -> list[Decision]:
    """Every decision of the review file, in file order (InputError naming the line on the first bad one)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [(i, ln) for i, ln in enumerate(lines, 1) if ln.strip() and not ln.startswith("#")]
    if not rows:
        return []
    head_line, head = rows[0]
    if tuple(c.strip() for c in head.split("\t")) != COLUMNS:
        raise _fail(str(path), head_line, f"header must be {' '.join(COLUMNS)} (tab-separated)")
    return [parse_line(str(path), i, ln.split("\t"), today) for i, ln in rows[1:]]


# --------------------------------------------------------------------------------------------------
# variants named in decisions
# --------------------------------------------------------------------------------------------------


def variant_key(v: Mapping[str, Any], sep: str = "-") -> str:
    """chrom-pos-ref-alt as reviewers write it; with sep ":" the pipeline's call key (calls.Call.key)."""
    return sep.join(str(v[k]) for k in ("chrom", "pos", "ref", "alt"))


def matches(v: Mapping[str, Any], name: str) -> bool:
    """Does a decision's variant name this report variant (HGVS c. or chrom-pos-ref-alt)?"""
    m = _VCF_KEY.match(name)
    if m and "c." not in name:
        return (m["chrom"], int(m["pos"]), m["ref"].upper(), m["alt"].upper()) == (
            str(v["chrom"]),
            int(v["pos"]),
            str(v["ref"]).upper(),
            str(v["alt"]).upper(),
        )
    full = v.get("hgvs_c") or ""
    return name == full if ":" in name else bool(full) and name == short_hgvs(full)


def find_variant(report: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    return next((v for v in report.get("variants") or [] if matches(v, name)), None)


def check_known(path: str, decisions: Sequence[Decision], reports: Mapping[str, Mapping[str, Any]]) -> None:
    """Every decision names a sample of the run and, when it names one, a variant of that sample's report."""
    for d in decisions:
        rep = reports.get(d.sample)
        if rep is None:
            raise _fail(path, d.line, f"unknown sample {d.sample!r} (no report for it in this run)")
        if d.variant and find_variant(base_report(rep), d.variant) is None:
            raise _fail(path, d.line, f"sample {d.sample}: unknown variant {d.variant!r} (not in its report)")


# --------------------------------------------------------------------------------------------------
# applying decisions to the report content
# --------------------------------------------------------------------------------------------------


def base_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The pipeline's own report behind a reviewed one (itself when nothing was applied)."""
    out = copy.deepcopy(dict(report))
    base = (report.get("review") or {}).get("base")
    if base:
        out.update(copy.deepcopy(base))
    out["review"] = empty_review()
    return out


def content_sha256(report: Mapping[str, Any]) -> str:
    """What a signature vouches for: the report without its review block (generation date is not in the JSON)."""
    body = {k: v for k, v in report.items() if k != "review"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sample_calls(variants: Sequence[Mapping[str, Any]]) -> list[SampleCall]:
    """The verdict's view of report variants, as pipeline.verdict_calls makes it from the typed calls: one call
    per change (a cis group counts once, at its last member's place), phase as the report recorded it."""
    calls = []
    for v in variants:
        hap = v.get("haplotype") or {}
        key = ";".join(hap.get("members") or ()) or variant_key(v, sep=":")
        calls.append(
            SampleCall(
                key=key,
                classification=str(v["classification"]),
                zygosity=str(v["zygosity"]),
                phased=bool(v.get("phased")),
                phase_set=v.get("phase_set"),
                haplotype=v.get("phase_haplotype"),
                qc_pass=bool(v.get("qc_pass")),
                pos=int(v["pos"]),
                hgvs_c=hap.get("hgvs_c") if hap else v.get("hgvs_c"),
                hgvs_p=hap.get("hgvs_p") if hap else v.get("hgvs_p"),
                qc_flags=tuple(v.get("qc_flags") or ()),
                plausible=not any(c.get("code") == "BP7" for c in v.get("criteria") or ()),
            )
        )
    return list({c.key: c for c in reversed(calls)}.values())[::-1]


def _verdict_inputs(report: Mapping[str, Any]) -> dict[str, Any]:
    """What verdict.decide took besides the calls, as the report recorded it (coverage, genotype doubts, whether
    the parents were read)."""
    from .coverage import describe_coverage

    cov = report.get("coverage")
    th = (report.get("provenance") or {}).get("thresholds") or {}
    frac = cov.get("fraction_cds_at_threshold") if cov else None
    check = None
    if frac is not None and "min_covered_fraction" in th:
        check = CoverageCheck(float(frac), int(th["coverage_threshold"]), float(th["min_covered_fraction"]))
    qc = report.get("sample_qc") or {}
    n = int(qc.get("records_in_region") or 0)
    fam = report.get("family") or {}
    return {
        "assessable": not (n > 0 and int(qc.get("missing_genotype_records") or 0) == n),
        "coverage_note": describe_coverage(dict(cov) if cov else None),
        "coverage": check,
        "doubts": GenotypeDoubts(
            tuple(qc.get("curated_sites_not_called") or ()), tuple(qc.get("ref_mismatches") or ())
        ),
        "parents_tested": any(v.get("phase_set") == "parents" for v in report.get("variants") or ())
        or bool(fam.get("father") or fam.get("mother")),
    }


def _classes(variants: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [(variant_key(v, sep=":"), str(v["classification"])) for v in variants]


def recompute_verdict(base: Mapping[str, Any], variants: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """verdict, verdict_text, verdict_notes from the reviewed variants (verdict.decide with the inputs the report
    recorded); the pipeline's notes that do not come from the verdict itself (VCF column, coverage, empty region,
    family) are kept. When no class changed and no variant was excluded, the pipeline's verdict stands as it is."""
    base_variants = base.get("variants") or []
    if _classes(variants) == _classes(base_variants):
        return {k: base[k] for k in ("verdict", "verdict_text", "verdict_notes")}
    inputs = _verdict_inputs(base)
    before = decide(sample_calls(base_variants), **inputs)
    after = decide(sample_calls(variants), **inputs)
    own = [n for n in base.get("verdict_notes") or [] if n not in before.notes]
    return {"verdict": after.verdict, "verdict_text": after.text, "verdict_notes": [*after.notes, *own]}


def _classify(v: dict[str, Any], d: Decision) -> None:
    label = CLASS_LABEL[d.value]
    pipeline = f"{CLASS_LABEL.get(v['classification'], v['classification'])}: {v.get('classification_rule', '')}"
    v["classification"] = d.value
    v["classification_rule"] = (
        f"Reviewer {d.reviewer} ({d.date}, line {d.line}): {label}: {d.text} [pipeline: {pipeline}]"
    )
    v["qualifying"] = qualifies(d.value, bool(v.get("qc_pass")))


def _exclude(v: Mapping[str, Any], d: Decision) -> dict[str, Any]:
    return {
        "chrom": v["chrom"],
        "pos": v["pos"],
        "ref": v["ref"],
        "alt": v["alt"],
        "reason": f"excluded at review by {d.reviewer} on {d.date} (line {d.line}): {d.text}",
    }


def apply_decisions(base: Mapping[str, Any], decisions: Sequence[Decision]) -> dict[str, Any]:
    """The reviewed content: reviewer classes (last decision per variant wins), exclusions (moved to `filtered`
    with the reason), the verdict recomputed when a class or exclusion changed anything. No review block."""
    out = copy.deepcopy({k: v for k, v in base.items() if k != "review"})
    changing = [d for d in decisions if d.action in ("classify", "exclude")]
    if not changing:
        return out
    variants = out["variants"]
    excluded: list[dict[str, Any]] = []
    for d in changing:
        v = find_variant({"variants": variants}, d.variant)
        if v is not None and d.action == "classify":
            _classify(v, d)
        elif v is not None:
            variants.remove(v)
            excluded.append(_exclude(v, d))
    out["filtered"] = sorted(
        [*out.get("filtered", []), *excluded], key=lambda f: (f["chrom"], f["pos"], f["ref"], f["alt"])
    )
    out["sample_qc"] = {
        **out.get("sample_qc", {}),
        "variants_reported": len(variants),
        "records_filtered": len(out["filtered"]),
    }
    out.update(recompute_verdict(base, variants))
    return out


# --------------------------------------------------------------------------------------------------
# sign-off
# --------------------------------------------------------------------------------------------------


def signature_keys(decisions: Sequence[Decision]) -> list[tuple[str, str, str, int] | None]:
    """A stable name for each signature (reviewer, role, date, n-th such line), None for other decisions: the
    content a signature vouched for is remembered under it from one rendering to the next."""
    seen: dict[tuple[str, str, str], int] = {}
    keys: list[tuple[str, str, str, int] | None] = []
    for d in decisions:
        if d.action != "sign":
            keys.append(None)
            continue
        k = (d.reviewer, d.value, d.date)
        seen[k] = seen.get(k, 0) + 1
        keys.append((*k, seen[k]))
    return keys


def bindings_of(review: Mapping[str, Any]) -> dict[tuple[str, str, str, int], str]:
    """Signature key -> content_sha256 it was given for, from a rendered report's review block."""
    signs = [e for e in review.get("decisions") or [] if e.get("action") == "sign"]
    decs = [Decision(int(e["line"]), "", "", "sign", e["value"], "", e["reviewer"], e["date"]) for e in signs]
    return {k: str(e["content_sha256"]) for k, e in zip(signature_keys(decs), signs) if k is not None}


def _who(ds: Sequence[Decision]) -> str:
    return ", ".join(f"{d.reviewer} (line {d.line})" for d in ds)


def _classify_signatures(
    decisions: Sequence[Decision], content: str, bindings: Mapping[tuple[str, str, str, int], str], path: str
) -> tuple[list[dict[str, Any]], dict[str, list[Decision]]]:
    """Each decision as a dict (signatures with the content they vouch for and a status); signatures grouped as
    valid, superseded (a decision came after them) or stale (given for earlier content)."""
    changes = [i for i, d in enumerate(decisions) if d.action != "sign"]
    last_change = changes[-1] if changes else -1
    groups: dict[str, list[Decision]] = {"valid": [], "superseded": [], "stale": []}
    entries = []
    for i, (d, key) in enumerate(zip(decisions, signature_keys(decisions))):
        e = d.as_dict()
        if key is not None:
            e["content_sha256"] = bindings.get(key, content)
            status = "superseded" if i < last_change else ("stale" if e["content_sha256"] != content else "valid")
            if status == "valid":
                _check_second_signature(d, groups["valid"], path)
            e["status"] = status
            groups[status].append(d)
        entries.append(e)
    return entries, groups


def _check_second_signature(d: Decision, valid: Sequence[Decision], path: str) -> None:
    for s in valid:
        if s.reviewer == d.reviewer:
            raise _fail(path, d.line, f"sample {d.sample}: {d.reviewer} already signed this version (line {s.line})")
        if s.value == d.value:
            raise _fail(path, d.line, f"sample {d.sample}: the {d.value} reviewer already signed (line {s.line})")


def signoff(
    decisions: Sequence[Decision],
    content: str,
    bindings: Mapping[tuple[str, str, str, int], str],
    changed_since: str,
    path: str,
) -> dict[str, Any]:
    """The review block (without `base`): `final` when two different reviewers signed after the last decision and
    for this content; else `draft`, with the reason in words."""
    entries, g = _classify_signatures(decisions, content, bindings, path)
    valid = g["valid"]
    signed_by = [{"reviewer": d.reviewer, "role": d.value, "date": d.date, "line": d.line} for d in valid]
    if len(valid) >= 2:
        who = " and ".join(f"{d.reviewer} ({d.value}, {d.date})" for d in valid)
        return {"state": FINAL, "decisions": entries, "signed_by": signed_by, "reason": f"signed by {who}"}
    why = [
        f"signed by {valid[0].reviewer} only: a second reviewer must sign" if valid else "not signed for this content"
    ]
    if g["superseded"]:
        last = [d for d in decisions if d.action != "sign"][-1]
        why.append(f"signatures of {_who(g['superseded'])} precede the {last.action} at line {last.line}")
    if g["stale"]:
        why.append(f"signatures of {_who(g['stale'])} were given for earlier content ({changed_since})")
    return {"state": DRAFT, "decisions": entries, "signed_by": signed_by, "reason": "; ".join(why)}


# --------------------------------------------------------------------------------------------------
# what changed between two versions
# --------------------------------------------------------------------------------------------------


def _name(v: Mapping[str, Any]) -> str:
    return short_hgvs(v.get("hgvs_c")) or variant_key(v)


def _class_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    before = {variant_key(v): v for v in old.get("variants") or []}
    after = {variant_key(v): v for v in new.get("variants") or []}
    out = []
    for k in sorted(before.keys() | after.keys()):
        a, b = before.get(k), after.get(k)
        if a and b and a["classification"] != b["classification"]:
            out.append(f"{_name(b)} {CLASS_LABEL[a['classification']]} -> {CLASS_LABEL[b['classification']]}")
        elif a and not b:
            out.append(f"{_name(a)} no longer reported")
        elif b and not a:
            out.append(f"{_name(b)} newly reported ({CLASS_LABEL[b['classification']]})")
    return out


def _provenance_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    po, pn = old.get("provenance") or {}, new.get("provenance") or {}
    out = []
    for key, label in (("pipeline_version", "pipeline"), ("curated_table_version", "curated table")):
        if po.get(key) != pn.get(key):
            out.append(f"{label} {po.get(key)} -> {pn.get(key)}")
    if po.get("config_sha256") != pn.get("config_sha256"):
        out.append("configuration changed")
    if _inputs_identity(po) != _inputs_identity(pn):
        out.append("input files changed")
    return out


def _inputs_identity(prov: Mapping[str, Any]) -> Any:
    """What identifies a report's inputs: their whole-file SHA-256s when the report was identified by them
    (`inputs_identified_by`; reports made before fingerprints were), else their fingerprints, which also change
    with a file's mtime (a copied input counts as changed)."""
    if prov.get("inputs_identified_by", "sha256") == "sha256":
        return prov.get("inputs_sha256")
    return prov.get("inputs_fingerprint")


def diff_line(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """One line: what changed from one report version to the next (verdict, classes, sources, review state)."""
    parts = []
    if old.get("verdict") != new.get("verdict"):
        parts.append(f"verdict {old.get('verdict')} -> {new.get('verdict')}")
    parts += _class_changes(old, new) + _provenance_changes(old, new)
    if not parts and content_sha256(old) != content_sha256(new):
        parts.append("other report content changed (coverage, QC or annotation)")
    ro, rn = old.get("review") or {}, new.get("review") or {}
    added = len(rn.get("decisions") or []) - len(ro.get("decisions") or [])
    if added > 0:
        parts.append(f"{added} new review decision{'s' if added != 1 else ''}")
    if ro.get("state", DRAFT) != rn.get("state", DRAFT):
        parts.append(f"review {ro.get('state', DRAFT)} -> {rn.get('state', DRAFT)}")
    return "; ".join(parts) or "no change"


# --------------------------------------------------------------------------------------------------
# the next version of a sample's report
# --------------------------------------------------------------------------------------------------

_VOLATILE = ("version", "history", "rendered_on")


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Same content and same review outcome, ignoring version numbering and dates of rendering."""

    def strip(r: Mapping[str, Any]) -> dict[str, Any]:
        review = {k: v for k, v in (r.get("review") or {}).items() if k not in _VOLATILE}
        return {**r, "review": review}

    return strip(a) == strip(b)


def review_report(
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    decisions: Sequence[Decision],
    today: str,
    path: str,
) -> dict[str, Any]:
    """The sample's report with the decisions applied. `current` is report.json as found (the pipeline's output or
    the last rendering), `previous` the last version the review rendered (None: never reviewed). Returns
    `previous` itself when nothing changed, else a new version (`review.version`, `review.history`)."""
    base = base_report(current)
    content = apply_decisions(base, decisions)
    digest = content_sha256(content)
    prev_review = (previous or {}).get("review") or {}
    since = diff_line({**previous, "review": prev_review}, {**content, "review": prev_review}) if previous else ""
    block = signoff(decisions, digest, bindings_of(prev_review), since, path)
    block |= {"content_sha256": digest, "base": {k: base[k] for k in BASE_FIELDS if k in base}}
    new = {**content, "review": block}
    if previous is not None and _same(previous, new):
        return dict(previous)
    history = list(prev_review.get("history") or [])
    if not history:
        history = [{"version": 1, "date": today, "state": DRAFT, "change": "the pipeline's report, before review"}]
    version = int(history[-1]["version"]) + 1
    change = diff_line(previous or current, new)
    history.append({"version": version, "date": today, "state": block["state"], "change": change})
    block |= {"version": version, "history": history, "rendered_on": today}
    return new


def decisions_by_sample(decisions: Sequence[Decision]) -> dict[str, list[Decision]]:
    out: dict[str, list[Decision]] = {}
    for d in decisions:
        out.setdefault(d.sample, []).append(d)
    return out


# --------------------------------------------------------------------------------------------------
# what the HTML report shows of the review
# --------------------------------------------------------------------------------------------------


def _decision_view(e: Mapping[str, Any]) -> dict[str, str]:
    what = {
        "classify": f"classified as {CLASS_LABEL.get(str(e.get('value')), e.get('value'))}",
        "exclude": "excluded from the report",
        "note": "note",
        "sign": f"signed as {e.get('value')} reviewer",
    }.get(str(e.get("action")), str(e.get("action")))
    status = {"superseded": "no longer counts: a decision followed", "stale": "given for earlier content"}
    return {
        "line": str(e.get("line", "")),
        "date": str(e.get("date", "")),
        "reviewer": str(e.get("reviewer", "")),
        "variant": str(e.get("variant", "")),
        "what": what,
        "text": str(e.get("text", "")),
        "status": status.get(str(e.get("status", "")), ""),
    }


def _reclassified(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """Variants whose class the reviewers changed or that they excluded: the pipeline's class beside theirs."""
    review = report.get("review") or {}
    base_variants = (review.get("base") or {}).get("variants") or []
    if not base_variants:  # not reviewed: nothing to compare (and no key made per variant)
        return []
    now = {variant_key(v): v for v in report.get("variants") or []}
    rows = []
    for v in base_variants:
        r = now.get(variant_key(v))
        if r is not None and r["classification"] == v["classification"]:
            continue
        rows.append(
            {
                "variant": _name(v),
                "pipeline": CLASS_LABEL.get(v["classification"], v["classification"]),
                "pipeline_rule": str(v.get("classification_rule", "")),
                "reviewed": "excluded" if r is None else CLASS_LABEL.get(r["classification"], r["classification"]),
            }
        )
    return rows


def review_view(report: Mapping[str, Any]) -> dict[str, Any]:
    """State, signatures, the pipeline's verdict when it differs, classes changed, audit trail, versions."""
    review = report.get("review") or empty_review()
    base = review.get("base") or {}
    return {
        "state": str(review.get("state", DRAFT)),
        "reason": str(review.get("reason") or "not reviewed yet"),
        "version": int(review.get("version") or 1),
        "signed_by": [dict(s) for s in review.get("signed_by") or []],
        "pipeline_verdict": base.get("verdict") if base.get("verdict") not in (None, report.get("verdict")) else None,
        "reclassified": _reclassified(report),
        "decisions": [_decision_view(e) for e in review.get("decisions") or []],
        "history": [dict(h) for h in review.get("history") or []],
        "content_sha256": str(review.get("content_sha256") or ""),
    }
