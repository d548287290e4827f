"""The review step (rule `review_apply`, scripts/review.py): read the review file and the run's report.json files,
apply the decisions, write the next version of each affected report (JSON, HTML, variants TSV; the previous
versions kept beside it as `<sample>.report.vN.*`), print PDFs, and write the review state of the run.
The analysis is never re-run: everything comes from the report.json files."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from . import report as rp
from .outputs import atomic_copy, atomic_write
from .pdf import print_pdf
from .review import Decision, check_known, decisions_by_sample, read_review, review_report

log = logging.getLogger("hsh")
_VERSION = re.compile(r"\.report\.v(\d+)\.json$")
STATE_COLUMNS: tuple[str, ...] = ("sample", "review_state", "version", "verdict", "signed_by", "reason")


@dataclass(frozen=True)
class SampleFiles:
    folder: Path
    sample: str

    def current(self, ext: str) -> Path:
        return self.folder / f"{self.sample}.report.{ext}"

    def version(self, n: int, ext: str) -> Path:
        return self.folder / f"{self.sample}.report.v{n}.{ext}"

    @property
    def tsv(self) -> Path:
        return self.folder / f"{self.sample}.variants.tsv"

    def versions(self) -> list[int]:
        found = (_VERSION.search(p.name) for p in self.folder.glob(f"{self.sample}.report.v*.json"))
        return sorted(int(m.group(1)) for m in found if m)


def sample_files(outdir: Path) -> dict[str, SampleFiles]:
    """Every sample of the run that has a finished report (its JSON is written last)."""
    out = {}
    for folder in sorted((outdir / "samples").glob("*")):
        f = SampleFiles(folder, folder.name)
        if f.current("json").exists():
            out[folder.name] = f
    return out


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _previous(files: SampleFiles) -> dict[str, Any] | None:
    """The last version the review rendered (v2 and later; v1 is the pipeline's report before review)."""
    rendered = [n for n in files.versions() if n >= 2]
    return _load(files.version(rendered[-1], "json")) if rendered else None


def plan(
    outdir: Path, decisions: list[Decision], review_path: str, today: str
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """sample -> (report.json as found, its next version) for every affected sample (named in the review file, or
    reviewed before). Everything is checked before anything is written: a bad decision re-renders nothing."""
    files = sample_files(outdir)
    by_sample = decisions_by_sample(decisions)
    affected = sorted(s for s, f in files.items() if s in by_sample or f.versions())
    current = {s: _load(files[s].current("json")) for s in affected}
    check_known(review_path, decisions, current)
    out = {}
    for s in affected:
        new = review_report(current[s], _previous(files[s]), by_sample.get(s, []), today, review_path)
        rp.validate_report(new)
        out[s] = (current[s], new)
    return out


def write_version(files: SampleFiles, current: Mapping[str, Any], new: Mapping[str, Any], today: str) -> str:
    """Write the new current report and keep it as vN; the first review keeps the pipeline's report as v1.
    Returns what was done, in words, for the log."""
    n = int(new["review"]["version"])
    if files.version(n, "json").exists():  # the pipeline overwrote a reviewed report with the same content
        for ext in ("json", "html", "pdf"):
            if files.version(n, ext).exists():
                atomic_copy(files.version(n, ext), files.current(ext))
        atomic_write(files.tsv, rp.sample_tsv(new))
        return f"v{n} restored"
    if not files.versions():
        for ext in ("json", "html", "pdf"):
            if files.current(ext).exists():
                atomic_copy(files.current(ext), files.version(1, ext))
    html = rp.sample_html(new, today)
    text = rp.sample_json(new)
    atomic_write(files.version(n, "html"), html)
    atomic_write(files.version(n, "json"), text)
    files.current("pdf").unlink(missing_ok=True)  # printed again from the new HTML
    atomic_write(files.tsv, rp.sample_tsv(new))
    atomic_write(files.current("html"), html)
    atomic_write(files.current("json"), text)
    return f"v{n} ({new['review']['state']}): {new['review']['history'][-1]['change']}"


def print_pdfs(outdir: Path, chromium: str | None) -> int:
    """A PDF beside every report whose PDF is missing or older than its HTML (and a copy for its version)."""
    if chromium is None:
        log.warning("chromium not found: no PDF printed; the HTML report is the record (install Debian `chromium`)")
        return 0
    n = 0
    for files in sample_files(outdir).values():
        html, pdf = files.current("html"), files.current("pdf")
        if pdf.exists() and pdf.stat().st_mtime >= html.stat().st_mtime:
            continue
        print_pdf(chromium, html, pdf)
        version = (_load(files.current("json")).get("review") or {}).get("version")
        if version and not files.version(int(version), "pdf").exists():
            atomic_copy(pdf, files.version(int(version), "pdf"))
        n += 1
    return n


def state_rows(outdir: Path) -> list[dict[str, Any]]:
    """One line per sample: its review state (every sample of the run)."""
    rows = []
    for s, files in sample_files(outdir).items():
        rep = _load(files.current("json"))
        review = rep.get("review") or {}
        rows.append(
            {
                "sample": s,
                "review_state": review.get("state", "draft"),
                "version": review.get("version", 1),
                "verdict": rep["verdict"],
                "signed_by": ";".join(x["reviewer"] for x in review.get("signed_by") or []),
                "reason": review.get("reason", "not reviewed yet"),
                "summary_row": rp.summary_row(rep),
            }
        )
    return rows


def run_review(outdir: Path, review_path: Path, today: date, chromium: str | None) -> list[dict[str, Any]]:
    """The whole step; returns the state rows. Without a review file only PDFs are printed."""
    day = today.isoformat()
    decisions = read_review(review_path, today) if review_path.exists() else []
    if not review_path.exists():
        log.info("no review file at %s: no decisions to apply", review_path)
    work = plan(outdir, decisions, str(review_path), day)
    files = sample_files(outdir)
    for s, (current, new) in work.items():
        if new != current:
            log.info("%s: %s", s, write_version(files[s], current, new, day))
    log.info("%d PDF(s) printed", print_pdfs(outdir, chromium))
    return state_rows(outdir)


def write_state(rows: list[dict[str, Any]], tsv: Path, jsonl: Path) -> None:
    """review_state.tsv (people) and the summary rows with their review state (rule summary)."""
    atomic_write(tsv, rp.tsv_table(STATE_COLUMNS, rows))
    atomic_write(jsonl, "".join(json.dumps(r["summary_row"], sort_keys=True) + "\n" for r in rows))
