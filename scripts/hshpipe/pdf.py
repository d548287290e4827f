"""PDF of a report, printed from its HTML by headless Chromium (Debian package `chromium`). Page size, running
header (sample, report version) and page numbers come from the report's CSS `@page` rules (margin boxes, supported
by Chromium 131+); Chromium's own header and footer are switched off. Nothing is loaded from the network."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .outputs import atomic_copy

CHROMIUM_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The Chromium executable on PATH (`HSH_CHROMIUM` overrides; empty = none), or None."""
    if "HSH_CHROMIUM" in os.environ:
        return shutil.which(os.environ["HSH_CHROMIUM"]) if os.environ["HSH_CHROMIUM"] else None
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def chromium_command(chromium: str, html: Path, out: Path, profile: Path) -> list[str]:
    flags = [
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={out}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return [chromium, *flags, html.resolve().as_uri()]


def print_pdf(chromium: str, html: Path, pdf: Path, timeout: int = 120) -> None:
    """Print `html` to `pdf` (written under a temporary name, renamed into place); RuntimeError when it fails."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hsh-pdf-") as tmp:
        part = Path(tmp) / "out.pdf"
        proc = subprocess.run(
            chromium_command(chromium, html, part, Path(tmp) / "profile"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0 or not part.exists() or not part.read_bytes().startswith(b"%PDF"):
            tail = " ".join(proc.stderr.strip().splitlines()[-2:])
            raise RuntimeError(f"chromium could not print {html} (exit {proc.returncode}): {tail}")
        atomic_copy(part, pdf)
