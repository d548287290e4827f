"""The code stays as the project's configuration (pyproject.toml) says: ruff lint and format, mypy, snakemake's
linter, and the package holds no function over 60 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint_clean():
    r = run(str(BIN / "ruff"), "check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_clean():
    r = run(str(BIN / "ruff"), "format", "--check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_clean():
    r = run(str(BIN / "mypy"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_snakemake_lint_clean():
    r = run(str(BIN / "snakemake"), "--lint")
    assert r.returncode == 0 and "good condition" in r.stdout + r.stderr, r.stdout + r.stderr


def test_no_function_in_the_package_is_over_60_lines():
    long = []
    for path in sorted((ROOT / "scripts" / "hshpipe").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > 60:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert long == []


def test_no_sys_path_edits():
    hits = [
        f"{p.relative_to(ROOT)}"
        for d in ("scripts", "tests", "workflow")
        for p in (ROOT / d).rglob("*.py")
        if "sys.path.insert" in p.read_text(encoding="utf-8") and p.name != "test_code_quality.py"
    ]
    assert hits == []
