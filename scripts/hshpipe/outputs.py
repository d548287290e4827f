"""Writing the outputs: every file under a temporary name, renamed into place, so a killed job never leaves a
report that looks finished; a sample's JSON is written last (its presence marks a finished sample)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .report import sample_html, sample_json, sample_tsv, summary_html, summary_tsv
from .vocab import SAMPLE_ID


def _file_mode() -> int:
    umask = os.umask(0)  # reading the umask means setting it: once per process, put back at once
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def atomic_write(path: Path, text: str) -> None:
    """UTF-8, '\n' line ends, readable by the group (mkstemp makes 0600; reviewers must read the reports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.chmod(tmp, _FILE_MODE)
    os.replace(tmp, path)


def atomic_copy(src: Path, dst: Path) -> None:
    """Copy a file into place the same way (temporary name, the group-readable mode, rename)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".part")
    os.close(fd)
    shutil.copyfile(src, tmp)
    os.chmod(tmp, _FILE_MODE)
    os.replace(tmp, dst)


def write_sample_reports(report: Mapping[str, Any], sample_dir: Path, generated_on: str) -> dict[str, Path]:
    """`{sample}.variants.tsv`, `.report.html`, then `.report.json` into sample_dir. The sample name becomes part
    of file names, so it must be a sample-sheet id (letters, digits, '.', '_', '-')."""
    s = str(report["sample"])
    if not SAMPLE_ID.match(s) or s in (".", ".."):
        raise ValueError(f"sample name {s!r} is not usable in a file name (letters, digits, '.', '_', '-')")
    paths = {
        "tsv": sample_dir / f"{s}.variants.tsv",
        "html": sample_dir / f"{s}.report.html",
        "json": sample_dir / f"{s}.report.json",
    }
    atomic_write(paths["tsv"], sample_tsv(report))
    atomic_write(paths["html"], sample_html(report, generated_on))
    atomic_write(paths["json"], sample_json(report))
    return paths


def write_summary(rows: Sequence[Mapping[str, Any]], tsv: Path, html: Path, generated_on: str) -> None:
    """The run summary: one row per sample (TSV) and a light overview (HTML)."""
    synthetic = any(r.get("synthetic_reference") for r in rows)
    atomic_write(tsv, summary_tsv(rows))
    atomic_write(html, summary_html(rows, generated_on, synthetic))
