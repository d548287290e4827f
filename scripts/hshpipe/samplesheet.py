"""Sample sheet reading, checks and batching (shared by the Snakefile and the batch script)."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .vocab import SAMPLE_ID

COLUMNS = ("sample", "vcf", "vcf_sample", "alignments")
PEDIGREE_COLUMNS = ("family", "father", "mother", "sex", "phenotype")  # optional: a pedigree in the sheet


@dataclass(frozen=True)
class SampleRow:
    line: int  # line number in the sheet (header = 1)
    sample: str
    vcf: str
    vcf_sample: str  # "" when not given
    alignments: str  # "" when not given
    extra: tuple[tuple[str, str], ...] = ()
    pedigree: tuple[tuple[str, str], ...] = ()  # the sheet's PEDIGREE_COLUMNS given for this row (pedigree.py)


def read_sample_sheet(path: str | Path, base: str | Path | None = None) -> list[SampleRow]:
    """Read and check the sheet. Relative paths are taken relative to `base` (default: the working directory)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: sample sheet not found; set `samples` in the config to a TSV file")
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    lines = [l for l in text.split("\n")]
    reader = csv.reader(lines, delimiter="\t")
    rows = [r for r in reader]
    if not rows or not any(c.strip() for c in rows[0]):
        raise InputError(f"{path}: line 1: empty sample sheet; write a header `sample<TAB>vcf` and one line per sample")
    header = [c.strip() for c in rows[0]]
    for col in ("sample", "vcf"):
        if col not in header:
            got = ", ".join(header) if len(header) > 1 else repr(rows[0][0][:60]) + " (is it tab-separated?)"
            raise InputError(
                f"{path}: line 1: column `{col}` missing (found {got}); the sheet needs tab-separated "
                "columns sample, vcf and optionally vcf_sample, alignments"
            )
    dup_cols = {c for c in header if header.count(c) > 1}
    if dup_cols:
        raise InputError(f"{path}: line 1: duplicate column(s) {', '.join(sorted(dup_cols))}; keep one of each")
    out: list[SampleRow] = []
    errors: list[str] = []  # every problem of every line, reported at once
    seen: dict[str, int] = {}
    seen_pairs: dict[tuple[str, str], int] = {}
    for n, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r) or r[0].startswith("#"):
            continue
        try:
            out.append(_sheet_row(path, n, r, header, base, seen, seen_pairs))
        except InputError as exc:
            errors.append(str(exc))
    if errors:
        raise InputError("\n".join(errors))
    if not out:
        raise InputError(f"{path}: no samples listed (only a header); add one line per sample")
    return out


def _sheet_row(
    path: Path,
    n: int,
    r: list[str],
    header: list[str],
    base: str | Path | None,
    seen: dict[str, int],
    seen_pairs: dict[tuple[str, str], int],
) -> SampleRow:
    """One line of the sheet, checked (InputError names the line)."""
    if len(r) > len(header):
        raise InputError(f"{path}: line {n}: {len(r)} fields but the header has {len(header)}; fix the tabs")
    d = {h: (r[i].strip() if i < len(r) else "") for i, h in enumerate(header)}
    s = d["sample"]
    if not s:
        raise InputError(f"{path}: line {n}: empty `sample`; give each line a sample id")
    if not SAMPLE_ID.match(s):
        raise InputError(
            f"{path}: line {n}: sample id {s!r} may only hold letters, digits, '.', '_' and '-' "
            "(it becomes a folder name); rename it and put the VCF's name in `vcf_sample`"
        )
    if s in (".", ".."):
        raise InputError(f"{path}: line {n}: sample id {s!r} is not allowed; rename it")
    if s in seen:
        raise InputError(
            f"{path}: line {n}: sample {s!r} is listed twice (also line {seen[s]}); sample ids must be unique"
        )
    seen[s] = n
    if not d["vcf"]:
        raise InputError(f"{path}: line {n}: sample {s}: empty `vcf`; give the path of the sample's VCF")
    vcf = _resolve(d["vcf"], base)
    aln = _resolve(d.get("alignments", ""), base) if d.get("alignments") else ""
    pair = (vcf, d.get("vcf_sample", "") or s)
    if pair in seen_pairs:
        raise InputError(
            f"{path}: line {n}: sample {s} reads the same VCF column as line {seen_pairs[pair]}; "
            "list each VCF sample once"
        )
    seen_pairs[pair] = n
    extra = tuple((k, v) for k, v in d.items() if k not in COLUMNS and k not in PEDIGREE_COLUMNS)
    ped = tuple((k, v) for k, v in d.items() if k in PEDIGREE_COLUMNS)
    return SampleRow(n, s, vcf, d.get("vcf_sample", ""), aln, extra, ped)


def _resolve(p: str, base: str | Path | None) -> str:
    if not p:
        return ""
    q = Path(p)
    if not q.is_absolute() and base is not None:
        q = Path(base) / q
    return str(q)


BATCH_TARGET = 8  # a run is split into about this many batch jobs ...
BATCH_MIN = 4  # ... of at least this many samples


def batch_size_for(n_samples: int, limit: int) -> int:
    """Samples per batch for a run of `n_samples`: about BATCH_TARGET batches of at least BATCH_MIN samples and
    at most `limit` (config batch_size).

    It depends on the run's size only, never on --cores: cluster jobs re-parse the Snakefile with their own
    settings, and a batch must mean the same samples there. So the count is chosen for the cores a run may get:
    - A job has a fixed cost of ~0.3 s (interpreter and imports, gene cache, templates, scheduling) against
      ~5-20 ms per sample, so every extra job costs tens of samples' worth of work: on 2 cores, 1,000 samples in
      16 jobs of 63 spend a third of the batch time on fixed costs, in 8 jobs of 125 a fifth (~1 s less wall).
    - Batches must still share the cores: 8 is a multiple of 1, 2, 4 and 8 cores, so equal batches end
      together there; with more cores than batches (or on a cluster) a batch is short anyway.
    - BATCH_MIN keeps small runs parallel: 24-48 samples are 6-8 jobs of 4-6, which any number of cores shares.
    - `limit` bounds a job's memory and run time (default 1,250: 10,000 samples are still 8 jobs). Snakemake's
      main process checks every input of every ready job at each job selection (work ~ jobs x inputs): at
      10,000 samples 50 jobs of 200 cost it 98 s of CPU, 8 jobs of 1,250 24 s; a 1,250-sample batch of a
      2,504-sample joint VCF peaks at 489 MB."""
    return max(1, min(limit, max(BATCH_MIN, -(-n_samples // BATCH_TARGET))))


def make_batches(
    rows: list[SampleRow], batch_size: int, families: Mapping[str, str] | None = None
) -> list[list[SampleRow]]:
    """Group samples into batches of at most `batch_size`, keeping samples of one VCF together where they fit
    (a VCF is then read once per batch). Deterministic: sheet order within each VCF, VCFs by first appearance.
    `families` (sample -> family id) keeps each family whole in one batch (the family step reads every member),
    placed where its first member appears; a family larger than `batch_size` gets a batch of its own size.
    Without families the batches are exactly as before."""
    fam = families or {}
    groups: dict[str, list[SampleRow]] = {}
    for r in rows:
        key = f"family\t{fam[r.sample]}" if r.sample in fam else r.vcf
        groups.setdefault(key, []).append(r)
    batches: list[list[SampleRow]] = []
    current: list[SampleRow] = []
    for key, members in groups.items():
        step = len(members) if key.startswith("family\t") else batch_size
        for i in range(0, len(members), step):
            chunk = members[i : i + step]
            if current and len(current) + len(chunk) > batch_size:
                batches.append(current)
                current = []
            current.extend(chunk)
    if current:
        batches.append(current)
    return batches
