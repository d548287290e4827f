"""Loading the curated table: the version line, the header, one entry per row, each validated (schema, then
notation); InputError names the file, line and entry on the first problem. A checked table is kept as JSON
(rule curated_table) under a key of its content and of the checks (`checked_table_key`), so the batch jobs of a
run read it without checking it again."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from .entries import COLUMNS, CuratedEntry
from .validate import _schema_errors, validate_entry

if TYPE_CHECKING:  # pragma: no cover
    from ..reference import GeneCache
    from .match import CompiledTable

_VERSION_RE = re.compile(r"^##\s*version:\s*(\S+)\s*$")


@dataclass(frozen=True)
class CuratedTable:
    path: str
    version: str
    entries: tuple[CuratedEntry, ...]

    def compile(self, cache: GeneCache, clinvar_vcf: str | Path | None = None) -> CompiledTable:
        from .compile import compile_table

        return compile_table(self, cache, clinvar_vcf)

    def to_json(self) -> str:
        """The checked table (rule curated_table's output)."""
        entries = [asdict(e) for e in self.entries]
        return json.dumps({"path": self.path, "version": self.version, "entries": entries}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CuratedTable:
        """A table written by `to_json`: checked when it was written, so not checked again."""
        d = json.loads(text)
        return cls(d["path"], d["version"], tuple(CuratedEntry(**e) for e in d["entries"]))


def _cell(v: str) -> str:
    v = v.strip()
    return "" if v == "." else v


def load_curated_table(path: str | Path) -> CuratedTable:
    """Read and validate a curated table; InputError names the file, line and entry on the first problem."""
    path = Path(path)
    version: str | None = None
    header: list[str] | None = None
    entries: list[CuratedEntry] = []
    seen: dict[str, int] = {}
    for ln, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            m = _VERSION_RE.match(line)
            version = m[1] if m else version
            continue
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if header is None:
            header = _header(path, ln, cells)
            continue
        e = _entry(path, ln, header, cells)
        if e.id in seen:
            raise InputError(f"{path}:{ln}: entry {e.id}: id already used on line {seen[e.id]}; ids must be unique")
        seen[e.id] = ln
        entries.append(e)
    if version is None:
        raise InputError(
            f"{path}: no '## version: …' line; add one above the header, e.g. '## version: "
            f"{date.today().isoformat()}.1'"
        )
    if header is None:
        raise InputError(
            f"{path}: no header line; the first non-comment line must name the columns {' '.join(COLUMNS)}"
        )
    return CuratedTable(str(path), version, tuple(entries))


def checked_table_key(path: str | Path, version: str) -> str:
    """Key of a checked table kept across runs (config `cache_dir`, rule curated_table): SHA-256 of the table's
    path as given (the reports name it), its bytes, the pipeline version and what checks it (the curation
    modules, the HGVS parser, the transcript model, the schema, the transcript models and the protein). Another
    table, another path or changed checks give another key, so a checked table never stands for another."""
    from ..paths import RESOURCES, SCHEMAS

    pkg = Path(__file__).parent.parent
    checks = [
        *sorted(Path(__file__).parent.glob("*.py")),
        *(pkg / f for f in ("hgvs_parser.py", "model.py", "codons.py", "vocab.py")),
        SCHEMAS / "curated_table.schema.yaml",
        *sorted((RESOURCES / "trpm6").glob("*.json")),
        RESOURCES / "trpm6" / "NP_060132.3.fa",
    ]
    h = hashlib.sha256(f"hshpipe-curated-table-1\0{path}\0{version}\0".encode())
    for f in [*checks, Path(path)]:
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def _lines(path: Path) -> list[str]:
    if not path.exists():
        raise InputError(f"{path}: curated table not found; set `curated_table` in the config to an existing TSV")
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the curated table as UTF-8 TSV") from None


def _header(path: Path, ln: int, cells: list[str]) -> list[str]:
    header = [c.strip() for c in cells]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{path}:{ln}: header lacks column(s) {', '.join(missing)}; the columns are "
            f"{' '.join(COLUMNS)} (tab-separated)"
        )
    dups = sorted({c for c in header if header.count(c) > 1})
    if dups:
        raise InputError(f"{path}:{ln}: column(s) {', '.join(dups)} appear twice in the header")
    return header


def _entry(path: Path, ln: int, header: list[str], cells: list[str]) -> CuratedEntry:
    """One row as an entry, checked against the schema and the transcript's notation."""
    if len(cells) != len(header):
        raise InputError(
            f"{path}:{ln}: {len(cells)} tab-separated cells but the header has {len(header)}; "
            "check for spaces instead of tabs or a missing cell (write '.' for empty)"
        )
    row = {k: _cell(v) for k, v in zip(header, cells, strict=True)}
    eid = row.get("id") or f"(no id, line {ln})"
    errs = _schema_errors({k: row[k] for k in COLUMNS})
    if errs:
        raise InputError(f"{path}:{ln}: entry {eid}: {errs[0]}")
    e = CuratedEntry(
        id=row["id"],
        hgvs_c=row["hgvs_c"] or None,
        hgvs_p=row["hgvs_p"] or None,
        exon=row["exon"] or None,
        kind=row["kind"],
        classification=row["classification"],
        evidence_tier=row["evidence_tier"],
        source=row["source"],
        evidence=row["evidence"],
        curated_on=row["curated_on"],
        line=ln,
        origin=str(path),
    )
    why = validate_entry(e)
    if why:
        raise InputError(f"{path}:{ln}: entry {eid}: {why}; correct or remove the entry")
    return e
