"""Writing the outputs: every file under a temporary name, renamed into place, so a killed job never leaves a
report that looks finished; a sample's JSON is written last (its presence marks a finished sample)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .report import sample_html, sample_json, sample_tsv, summary_html, summary_tsv, variant_texts
from .vocab import SAMPLE_ID


def _file_mode() -> int:
    umask = os.umask(0)  # reading the umask means setting it: once per process, put back at once
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def _part_path(path: Path) -> Path:
    """The temporary name of a file being written: hidden, unique to this process (one writer per process)."""
    return path.with_name(f".{path.name}.{os.getpid()}.part")


def _create(tmp: Path) -> int:
    """A new file at `tmp`, mode 0o666 & ~umask. A `.part` left by a killed process of the same id is removed
    first, so the file is never opened through it (its mode, or a symlink's target)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        return os.open(tmp, flags, _FILE_MODE)
    except FileExistsError:
        os.unlink(tmp)
        return os.open(tmp, flags, _FILE_MODE)


def atomic_write(path: Path, text: str) -> None:
    """UTF-8, '\n' line ends (as given), mode 0o666 & ~umask (reviewers must read the reports), renamed into
    place. The folder is made when missing."""
    data = text.encode("utf-8")
    tmp = _part_path(path)
    try:
        fd = _create(tmp)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _create(tmp)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(tmp, path)


def atomic_copy(src: Path, dst: Path) -> None:
    """Copy a file into place the same way (temporary name, the group-readable mode, rename)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = _part_path(dst)
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
    sample_dir.mkdir(parents=True, exist_ok=True)  # once, before its three files
    texts = variant_texts(report)  # each variant's text once, for both files
    atomic_write(paths["tsv"], sample_tsv(report, texts))
    atomic_write(paths["html"], sample_html(report, generated_on, texts))
    atomic_write(paths["json"], sample_json(report))
    return paths


def write_summary(rows: Sequence[Mapping[str, Any]], tsv: Path, html: Path, generated_on: str) -> None:
    """The run summary: one row per sample (TSV) and a light overview (HTML)."""
    synthetic = any(r.get("synthetic_reference") for r in rows)
    atomic_write(tsv, summary_tsv(rows))
    atomic_write(html, summary_html(rows, generated_on, synthetic))
