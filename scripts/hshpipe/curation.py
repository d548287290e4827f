"""The curated HSH variant table: load + validate, compile to genomic keys per reference, match at 5 levels.

Table format (TSV, UTF-8; see resources/curated/PROVENANCE.md and workflow/schemas/curated_table.schema.yaml):

    ## version: 2026-11-27.1            <- required: the table version, reported in every report's provenance
    # free comments                      <- any other line starting with '#'
    id  hgvs_c  hgvs_p  exon  kind  classification  evidence_tier  source  evidence  curated_on
    ...

Empty cells (or '.') mean "not given". Validation happens in two steps:
- `load_curated_table(path)`: JSON-Schema per row, then the notation against the transcript model and the protein
  (residue letters, c. positions that exist, intronic offsets only from exon boundaries, c./p. consistency).
  The c. structure of NM_017662.5 is the same on GRCh38 and GRCh37, so no reference is needed here.
- `CuratedTable.compile(cache)`: reference bases of every c. name against the user's reference, and the genomic
  keys (normalised VCF-style alleles, protein changes, codons, exon ranges) that `CompiledTable.match` uses.

c. and p. names are parsed here by a small parser of our own (substitution, del, dup, ins, delins with intronic
offsets and UTR positions; p. three-letter substitutions, Ter, =, fs, del/dup/ins/delins, Met1?, ?), so that the
table validator does not depend on the formatter in `hgvs.py`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .codons import AA1
from .errors import InputError
from .model import CPos, Transcript, Variant, load_protein
from .reference import CHR9_NAMES, GENETIC_CODE, revcomp
from .vocab import PLP

if TYPE_CHECKING:  # pragma: no cover
    from .consequence import Annotation
    from .reference import GeneCache

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "workflow" / "schemas" / "curated_table.schema.yaml"
DEFAULT_TABLE = ROOT / "resources" / "curated" / "hsh_variants.tsv"
TRANSCRIPT_ACC = "NM_017662.5"
PROTEIN_ACC = "NP_060132.3"
COLUMNS = (
    "id",
    "hgvs_c",
    "hgvs_p",
    "exon",
    "kind",
    "classification",
    "evidence_tier",
    "source",
    "evidence",
    "curated_on",
)
LEVELS = ("genomic", "cdna", "protein", "codon", "exon")
EXON_KINDS = ("exon_deletion", "exon_duplication")
AA3 = {three: one for three, one in AA1.items() if three not in ("Xaa", "Pyl")}  # names a curated entry may use
AA1_TO_3 = {v: k for k, v in AA3.items()}
_VERSION_RE = re.compile(r"^##\s*version:\s*(\S+)\s*$")


# --------------------------------------------------------------------------------------------------
# c. and p. names
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CEdit:
    """A parsed c. change: positions in transcript order, kind sub|del|dup|ins|delins, bases on the
    transcript strand (`ref` may be empty when the name does not state it)."""

    start: CPos
    end: CPos
    kind: str
    ref: str = ""
    alt: str = ""

    def canonical(self) -> str:
        """The name without the optional deleted/duplicated bases (c.100delA == c.100del)."""
        span = str(self.start) if self.start == self.end else f"{self.start}_{self.end}"
        if self.kind == "sub":
            return f"c.{span}{self.ref}>{self.alt}"
        if self.kind in ("del", "dup"):
            return f"c.{span}{self.kind}"
        return f"c.{span}{self.kind}{self.alt}"


@dataclass(frozen=True)
class PChange:
    """A parsed p. change. kind: missense|nonsense|synonymous|frameshift|del|dup|ins|delins|start_lost|
    extension|unknown|no_protein. `ref_aa`/`alt_aa` are one-letter ('*' for Ter); `residues` lists every
    (position, one-letter residue) the name states, for checking against the protein."""

    kind: str
    start: int | None = None
    end: int | None = None
    ref_aa: str = ""
    alt_aa: str = ""
    residues: tuple[tuple[int, str], ...] = ()


_POS = r"(?:[-*]?\d+)(?:[+-]\d+)?"
_C_RE = re.compile(
    rf"^c\.(?P<start>{_POS})(?:_(?P<end>{_POS}))?"
    r"(?:(?P<sref>[ACGT])>(?P<salt>[ACGT])|delins(?P<dialt>[ACGT]+)|del(?P<dref>[ACGT]*)ins(?P<dialt2>[ACGT]+)"
    r"|del(?P<del>[ACGT]*)|dup(?P<dup>[ACGT]*)|ins(?P<ins>[ACGT]+))$"
)
_CPOS_RE = re.compile(r"^(?P<star>\*)?(?P<base>-?\d+)(?P<off>[+-]\d+)?$")
_AA = "(?:" + "|".join(AA3) + ")"


def parse_cpos(text: str) -> CPos:
    m = _CPOS_RE.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a c. position")
    base = int(m["base"])
    if base == 0:
        raise ValueError("c.0 does not exist (c. numbering has no 0)")
    if m["star"] and base < 0:
        raise ValueError(f"'{text}' is not a c. position")
    return CPos(base, int(m["off"] or 0), bool(m["star"]))


def parse_c(name: str) -> CEdit:
    """Parse 'c.…' (with or without the 'NM_…:' prefix). Raises ValueError with a short reason."""
    body = name.split(":", 1)[1] if ":" in name else name
    m = _C_RE.match(body)
    if not m:
        raise ValueError(
            f"'{body}' is not a c. name this table understands (substitution, del, dup, ins, delins, "
            "e.g. c.1638+7T>C, c.100_102del, c.100dup, c.100_101insA, c.100delinsAT)"
        )
    start = parse_cpos(m["start"])
    end = parse_cpos(m["end"]) if m["end"] else start
    if m["sref"]:
        if m["end"]:
            raise ValueError(f"'{body}': a substitution has one position")
        if m["sref"] == m["salt"]:
            raise ValueError(f"'{body}': reference and alternate base are the same")
        return CEdit(start, end, "sub", m["sref"], m["salt"])
    if m["dialt"] or m["dialt2"]:
        return CEdit(start, end, "delins", m["dref"] or "", m["dialt"] or m["dialt2"])
    if m["ins"]:
        if not m["end"]:
            raise ValueError(f"'{body}': an insertion names the two flanking positions (c.100_101insA)")
        return CEdit(start, end, "ins", "", m["ins"])
    if m["dup"] is not None and "dup" in body:
        return CEdit(start, end, "dup", m["dup"], "")
    return CEdit(start, end, "del", m["del"] or "", "")


_P_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (k, re.compile(p))
    for k, p in (
        ("unknown", r"^\?$"),
        ("no_protein", r"^0\??$"),
        ("start_lost", r"^Met1\?$"),
        ("synonymous", rf"^(?P<a1>{_AA})(?P<p1>\d+)=$"),
        ("frameshift", rf"^(?P<a1>{_AA})(?P<p1>\d+)(?P<a2>{_AA})?fs(?:(?:Ter|\*)(?:\d+|\?))?$"),
        ("extension", rf"^(?P<a1>Ter|\*)(?P<p1>\d+)(?P<a2>{_AA})?ext(?:Ter|\*)?(?:\d+|\?)$"),
        ("delins", rf"^(?P<a1>{_AA})(?P<p1>\d+)(?:_(?P<a2>{_AA})(?P<p2>\d+))?delins(?P<ins>(?:{_AA})+)$"),
        ("del", rf"^(?P<a1>{_AA})(?P<p1>\d+)(?:_(?P<a2>{_AA})(?P<p2>\d+))?del$"),
        ("dup", rf"^(?P<a1>{_AA})(?P<p1>\d+)(?:_(?P<a2>{_AA})(?P<p2>\d+))?dup$"),
        ("ins", rf"^(?P<a1>{_AA})(?P<p1>\d+)_(?P<a2>{_AA})(?P<p2>\d+)ins(?P<ins>(?:{_AA})+)$"),
        ("substitution", rf"^(?P<a1>{_AA})(?P<p1>\d+)(?P<alt>{_AA}|\*)$"),
    )
)


def _aa1(three: str) -> str:
    return "*" if three == "*" else AA3[three]


def parse_p(name: str) -> PChange:
    """Parse 'p.…' in three-letter code (with or without the 'NP_…:' prefix, predicted '(…)' allowed)."""
    body = name.split(":", 1)[1] if ":" in name else name
    if not body.startswith("p."):
        raise ValueError(f"'{body}' is not a p. name")
    inner = body[2:]
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    for kind, rx in _P_PATTERNS:
        m = rx.match(inner)
        if not m:
            continue
        if kind in ("unknown", "no_protein"):
            return PChange(kind)
        if kind == "start_lost":
            return PChange(kind, 1, 1, "M", "", ((1, "M"),))
        gd = m.groupdict()
        p1 = int(gd["p1"])
        a1 = _aa1(gd["a1"])
        p2 = int(gd["p2"]) if gd.get("p2") else p1
        residues = [(p1, a1)]
        if gd.get("p2"):
            residues.append((p2, _aa1(gd["a2"])))
            if p2 <= p1:
                raise ValueError(f"'{body}': the range must run from the lower to the higher residue")
        if kind == "substitution":
            alt = _aa1(gd["alt"])
            if alt == a1:
                raise ValueError(f"'{body}': same residue on both sides; write p.{gd['a1']}{p1}= for synonymous")
            return PChange("nonsense" if alt == "*" else "missense", p1, p1, a1, alt, tuple(residues))
        if kind == "synonymous":
            return PChange(kind, p1, p1, a1, a1, tuple(residues))
        if kind in ("frameshift", "extension"):
            return PChange(kind, p1, p1, a1, "", tuple(residues))
        ins = "".join(AA3[inner_aa] for inner_aa in re.findall(_AA, gd.get("ins") or ""))
        return PChange(kind, p1, p2, "", ins, tuple(residues))
    raise ValueError(
        f"'{body}' is not a p. name this table understands (three-letter code: p.Ser141Leu, "
        "p.Cys1429Ter, p.Ser81=, p.Arg56GlufsTer12, p.Lys10del, p.?, p.Met1?)"
    )


# --------------------------------------------------------------------------------------------------
# table model
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CuratedEntry:
    id: str
    hgvs_c: str | None
    hgvs_p: str | None
    exon: str | None
    kind: str
    classification: str
    evidence_tier: str  # primary | secondary | unconfirmed | clinvar
    source: str
    evidence: str
    curated_on: str
    line: int = 0  # line in the table file (0 for ClinVar records: see `origin`)
    origin: str = ""  # table path or ClinVar VCF path
    review_status: str | None = None  # ClinVar CLNREVSTAT (ClinVar entries only)

    @property
    def exons(self) -> tuple[int, ...]:
        return parse_exons(self.exon) if self.exon else ()

    @property
    def stars(self) -> int | None:
        return clinvar_stars(self.review_status) if self.review_status is not None else None

    def usable_for(self, classification: str) -> bool:
        """May this entry set a variant's class on its own? primary: yes; secondary: only for non-P/LP
        classes (the README's 'fine for context, not for calling a variant pathogenic'); unconfirmed: never;
        ClinVar: >= 2 review stars yes, 1 star only for non-P/LP classes, 0 stars never."""
        tier = self.evidence_tier
        if tier == "primary":
            return True
        if tier == "secondary":
            return classification not in PLP
        if tier == "clinvar":
            stars = self.stars or 0
            return stars >= 2 or (stars == 1 and classification not in PLP)
        return False

    def tier_label(self) -> str:
        if self.evidence_tier == "clinvar":
            return f"ClinVar, review status '{self.review_status}' ({self.stars} star(s))"
        return f"{self.evidence_tier} tier"


@dataclass(frozen=True)
class CuratedMatch:
    id: str
    level: str  # genomic | cdna | protein | codon | exon
    entry: CuratedEntry

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "level": self.level}


def parse_exons(text: str) -> tuple[int, ...]:
    """'6' -> (6,); '6-8' -> (6, 7, 8)."""
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", text.strip())
    if not m:
        raise ValueError(f"exon '{text}' is not an exon number or range (e.g. 6 or 6-8)")
    a, b = int(m[1]), int(m[2] or m[1])
    if b < a:
        raise ValueError(f"exon range '{text}' runs backwards; write the lower exon first")
    return tuple(range(a, b + 1))


def clinvar_stars(review_status: str | None) -> int:
    s = (review_status or "").lower().replace("_", " ")
    if "practice guideline" in s:
        return 4
    if "expert panel" in s:
        return 3
    if "multiple submitters" in s and "no conflict" in s:
        return 2
    if "criteria provided" in s and "no assertion" not in s:
        return 1
    return 0


# --------------------------------------------------------------------------------------------------
# loading + notation validation (no reference needed)
# --------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(SCHEMA_PATH.read_text())


@lru_cache(maxsize=1)
def _model() -> tuple[Transcript, str]:
    """The c. structure of NM_017662.5 (identical on both builds) and the protein."""
    return Transcript.load("GRCh38"), load_protein()


def exon_c_ranges(t: Transcript | None = None) -> dict[int, tuple[CPos, CPos]]:
    """Exon number -> (c. of its first base, c. of its last base), transcript order."""
    t = t or _model()[0]
    out = {}
    for e in t.exons:
        first, last = (e.end, e.start) if t.strand < 0 else (e.start, e.end)
        out[e.number] = (t.c_pos(first), t.c_pos(last))
    return out


def check_cpos(c: CPos, t: Transcript) -> str | None:
    """Why a c. position does not exist on the transcript, or None."""
    utr5 = t.cds_tx_start - 1
    utr3 = t.tx_length - t.cds_tx_end
    if c.utr3 and c.base > utr3:
        return f"c.{c} is beyond the 3' end of {TRANSCRIPT_ACC} (last base c.*{utr3})"
    if not c.utr3 and c.base < -utr5:
        return f"c.{c} is before the 5' end of {TRANSCRIPT_ACC} (first base c.-{utr5})"
    if not c.utr3 and c.base > t.cds_length:
        return f"c.{c} is beyond the stop codon (c.{t.cds_length}); use * numbering for the 3' UTR"
    if c.offset == 0:
        return None
    g0 = t.genomic_of_c(CPos(c.base, 0, c.utr3))
    exon = t.exon_at(g0)
    assert exon is not None
    first, last = exon_c_ranges(t)[exon.number]
    span = f"exon {exon.number} (c.{first}..c.{last})"
    base = CPos(c.base, 0, c.utr3)
    if c.offset > 0 and base != last:
        return f"c.{base} is not the last base of an exon (it lies in {span}), so no +{c.offset} intronic offset exists"
    if c.offset < 0 and base != first:
        return f"c.{base} is not the first base of an exon (it lies in {span}), so no {c.offset} intronic offset exists"
    if c.offset > 0 and exon.number == t.n_exons:
        return f"c.{c} is downstream of the last exon; name it c.*N"
    if c.offset < 0 and exon.number == 1:
        return f"c.{c} is upstream of exon 1; name it c.-N"
    g = t.genomic_of_c(c)
    intron = exon.number if c.offset > 0 else exon.number - 1
    if t.intron_at(g) != intron:
        a, b = t.exons[intron - 1], t.exons[intron]
        length = abs(a.start - b.end) - 1 if t.strand < 0 else b.start - a.end - 1
        return f"c.{c} is beyond intron {intron}, which is {length} bp long; the offset is too large"
    back = t.c_pos(g)
    if back != c:
        return f"c.{c} lies past the middle of its intron; HGVS names it from the nearer exon as c.{back}"
    return None


def _check_c_edit(edit: CEdit, t: Transcript) -> str | None:
    for c in {edit.start, edit.end}:
        why = check_cpos(c, t)
        if why:
            return why
    gs, ge = t.genomic_of_c(edit.start), t.genomic_of_c(edit.end)
    if (ge - gs) * t.strand < 0:
        return f"c.{edit.start}_{edit.end}: the range runs backwards on the transcript; write the 5' position first"
    if edit.kind == "ins" and abs(ge - gs) != 1:
        return f"c.{edit.start}_{edit.end}ins: an insertion names two adjacent positions"
    if edit.ref and edit.kind in ("del", "dup", "delins") and len(edit.ref) != abs(ge - gs) + 1:
        return (
            f"{edit.canonical()}: the stated bases '{edit.ref}' ({len(edit.ref)}) do not fit the range "
            f"({abs(ge - gs) + 1} bases)"
        )
    return None


def _check_p(p: PChange, protein: str) -> str | None:
    n = len(protein)
    for pos, aa in p.residues:
        if aa == "*":
            if pos != n + 1:
                return f"the stop codon of {PROTEIN_ACC} is residue {n + 1}, not {pos}"
            continue
        if not 1 <= pos <= n:
            return f"residue {pos} is outside {PROTEIN_ACC} (1..{n})"
        if protein[pos - 1] != aa:
            return (
                f"residue {pos} of {PROTEIN_ACC} is {AA1_TO_3[protein[pos - 1]]}, not {AA1_TO_3[aa]}: "
                "wrong gene, numbering or direction of the change"
            )
    return None


def codon_of(c: CPos) -> int | None:
    return (c.base - 1) // 3 + 1 if c.in_cds else None


def _check_c_vs_p(edit: CEdit, p: PChange) -> str | None:
    if edit.kind == "sub" and p.kind in ("missense", "nonsense", "synonymous"):
        codon = codon_of(edit.start)
        if codon is None:
            return f"{edit.canonical()} is not in the coding sequence but the p. name is a {p.kind} change"
        if codon != p.start:
            return f"{edit.canonical()} is in codon {codon}, but the p. name is at residue {p.start}"
    return None


def _schema_errors(row: dict[str, str]) -> list[str]:
    import jsonschema

    schema = _schema()
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(row), key=lambda e: list(e.path)):
        col = err.path[0] if err.path else None
        if col is not None:
            desc = schema["properties"].get(col, {}).get("description", "")
            out.append(f"column {col}: {row.get(col)!r} is not valid ({desc})")
        else:
            out.append(err.message)
    return out


def validate_entry(e: CuratedEntry) -> str | None:
    """Why an entry is wrong against the transcript and the protein, or None (no reference needed)."""
    t, protein = _model()
    if e.kind in EXON_KINDS and not e.exon:
        return f"kind is {e.kind} but the exon column is empty; give the exon number(s), e.g. 6 or 6-8"
    if not (e.hgvs_c or e.hgvs_p or e.exon):
        return "no hgvs_c, hgvs_p or exon given; an entry needs at least one"
    try:
        edit = parse_c(e.hgvs_c) if e.hgvs_c else None
        pch = parse_p(e.hgvs_p) if e.hgvs_p else None
        exons = e.exons
    except ValueError as exc:
        return str(exc)
    if edit is not None:
        why = _check_c_edit(edit, t)
        if why:
            return why
    if pch is not None:
        why = _check_p(pch, protein)
        if why:
            return why
    if edit is not None and pch is not None:
        why = _check_c_vs_p(edit, pch)
        if why:
            return why
    if exons:
        if exons[0] < 1 or exons[-1] > t.n_exons:
            return f"exon {e.exon} is outside exons 1..{t.n_exons} of {TRANSCRIPT_ACC}"
        if e.kind not in EXON_KINDS:
            return f"an exon is given but kind is '{e.kind}'; exon-level entries have kind {' or '.join(EXON_KINDS)}"
    if pch is not None and e.kind in ("missense", "nonsense") and pch.kind != e.kind:
        return f"kind is {e.kind} but {e.hgvs_p} is a {pch.kind} change"
    try:
        if date.fromisoformat(e.curated_on) > date.today():
            return f"curated_on {e.curated_on} is in the future"
    except ValueError:
        return f"curated_on '{e.curated_on}' is not a calendar date (YYYY-MM-DD)"
    return None


@dataclass(frozen=True)
class CuratedTable:
    path: str
    version: str
    entries: tuple[CuratedEntry, ...]

    def compile(self, cache: GeneCache, clinvar_vcf: str | Path | None = None) -> CompiledTable:
        return compile_table(self, cache, clinvar_vcf)


def _cell(v: str) -> str:
    v = v.strip()
    return "" if v == "." else v


def load_curated_table(path: str | Path) -> CuratedTable:
    """Read and validate a curated table; InputError names the file, line and entry on the first problem."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: curated table not found; set `curated_table` in the config to an existing TSV")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the curated table as UTF-8 TSV") from None
    version = None
    header: list[str] | None = None
    entries: list[CuratedEntry] = []
    seen: dict[str, int] = {}
    for ln, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            m = _VERSION_RE.match(line)
            if m:
                version = m[1]
            continue
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if header is None:
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
            continue
        if len(cells) != len(header):
            raise InputError(
                f"{path}:{ln}: {len(cells)} tab-separated cells but the header has {len(header)}; "
                "check for spaces instead of tabs or a missing cell (write '.' for empty)"
            )
        row = {k: _cell(v) for k, v in zip(header, cells)}
        eid = row.get("id") or f"(no id, line {ln})"
        errs = _schema_errors({k: row[k] for k in COLUMNS})
        if errs:
            raise InputError(f"{path}:{ln}: entry {eid}: {errs[0]}")
        if row["id"] in seen:
            raise InputError(f"{path}:{ln}: entry {eid}: id already used on line {seen[row['id']]}; ids must be unique")
        seen[row["id"]] = ln
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


# --------------------------------------------------------------------------------------------------
# compile: genomic keys per reference
# --------------------------------------------------------------------------------------------------
def normalize_allele(cache: GeneCache, pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Trim and left-align a VCF-style allele on the forward strand (the vt/bcftools-norm algorithm)."""
    if ref == alt:
        raise ValueError(f"{pos}:{ref}>{alt} is not a change")
    while True:
        changed = False
        if ref and alt and ref[-1] == alt[-1]:
            ref, alt, changed = ref[:-1], alt[:-1], True
        if not ref or not alt:
            pos -= 1
            b = cache.fetch(pos, pos)
            ref, alt, changed = b + ref, b + alt, True
        if not changed:
            break
    while len(ref) >= 2 and len(alt) >= 2 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def _tx_strand(cache: GeneCache, lo: int, hi: int) -> str:
    s = cache.fetch(lo, hi)
    return revcomp(s) if cache.transcript.strand < 0 else s


def genomic_of_edit(cache: GeneCache, edit: CEdit) -> Variant:
    """c. change -> normalised VCF-style allele on the cache's contig. ValueError if the reference disagrees."""
    t = cache.transcript
    gs, ge = t.genomic_of_c(edit.start), t.genomic_of_c(edit.end)
    lo, hi = min(gs, ge), max(gs, ge)

    def fwd(s: str) -> str:
        return revcomp(s) if t.strand < 0 else s

    ref_tx = _tx_strand(cache, lo, hi)
    if edit.ref and edit.kind != "ins" and edit.ref != ref_tx:
        where = f"c.{edit.start}" if edit.start == edit.end else f"c.{edit.start}_{edit.end}"
        raise ValueError(f"{where} is {ref_tx} in this reference, not {edit.ref}")
    if edit.kind == "sub":
        pos, ref, alt = lo, cache.fetch(lo, hi), fwd(edit.alt)
    elif edit.kind == "del":
        pos, ref = lo - 1, cache.fetch(lo - 1, hi)
        alt = ref[0]
    elif edit.kind == "dup":
        pos, ref = hi, cache.fetch(hi, hi)
        alt = ref + cache.fetch(lo, hi)
    elif edit.kind == "ins":
        pos, ref = lo, cache.fetch(lo, lo)
        alt = ref + fwd(edit.alt)
    else:  # delins
        pos, ref, alt = lo, cache.fetch(lo, hi), fwd(edit.alt)
    pos, ref, alt = normalize_allele(cache, pos, ref, alt)
    return Variant(cache.contig, pos, ref, alt)


def protein_of_snv(cache: GeneCache, v: Variant) -> tuple[int, str, str] | None:
    """(residue, ref aa, alt aa) of a coding SNV translated on this reference, else None."""
    if len(v.ref) != 1 or len(v.alt) != 1:
        return None
    t = cache.transcript
    c = t.c_pos(v.pos)
    codon = codon_of(c)
    if codon is None or c.base > t.cds_length:
        return None
    first = 3 * codon - 2
    gpos = [t.genomic_of_c(CPos(first + k)) for k in range(3)]
    bases = [_tx_strand(cache, g, g) for g in gpos]
    ref_codon = "".join(bases)
    i = gpos.index(v.pos)
    bases[i] = revcomp(v.alt) if t.strand < 0 else v.alt
    return codon, GENETIC_CODE.get(ref_codon, "X"), GENETIC_CODE.get("".join(bases), "X")


@dataclass(frozen=True)
class CompiledEntry:
    entry: CuratedEntry
    variant: Variant | None = None  # normalised genomic allele
    c_edit: CEdit | None = None
    protein: tuple[int, str, str] | None = None  # (residue, ref aa, alt aa) for missense/nonsense
    exon_ranges: tuple[tuple[int, int, int], ...] = ()  # (exon, genomic start, genomic end)

    @property
    def codon(self) -> int | None:
        """The codon of a pathogenic/likely pathogenic missense entry that may decide a class (PM5-like
        matching: 'a codon with a known pathogenic missense'), else None."""
        e = self.entry
        if (
            self.protein
            and self.protein[2] not in ("*", self.protein[1])
            and e.classification in PLP
            and e.usable_for(e.classification)
        ):
            return self.protein[0]
        return None


@dataclass
class CompiledTable:
    version: str
    build: str
    contig: str
    entries: tuple[CompiledEntry, ...]
    sources: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # ClinVar records not taken, with the reason
    _index: dict[str, dict[Any, list[CompiledEntry]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        """Index the keys of every level (a ClinVar extract adds hundreds of entries; cohorts have thousands of
        distinct variants)."""
        idx: dict[str, dict[Any, list[CompiledEntry]]] = {level: {} for level in LEVELS}
        for ce in self.entries:
            if ce.variant is not None:
                idx["genomic"].setdefault((ce.variant.pos, ce.variant.ref, ce.variant.alt), []).append(ce)
            if ce.c_edit is not None:
                idx["cdna"].setdefault(ce.c_edit.canonical(), []).append(ce)
            if ce.protein is not None and ce.protein[2] != ce.protein[1]:
                idx["protein"].setdefault((ce.protein[0], ce.protein[2]), []).append(ce)
            if ce.codon is not None:
                idx["codon"].setdefault(ce.codon, []).append(ce)
            for n in ce.entry.exons:
                idx["exon"].setdefault(n, []).append(ce)
        self._index = idx

    def provenance(self) -> dict[str, Any]:
        """For report provenance: table version and the files the entries came from."""
        n_cv = sum(1 for ce in self.entries if ce.entry.evidence_tier == "clinvar")
        return {
            "curated_table_version": self.version,
            "sources": list(self.sources),
            "entries": len(self.entries) - n_cv,
            "clinvar_entries": n_cv,
            "clinvar_skipped": len(self.skipped),
        }

    def match(self, v: Variant, ann: Annotation | None) -> CuratedMatch | None:
        """Best match, by level (genomic > cdna > protein > codon > exon), then table entries before ClinVar
        records, then table order."""
        ms = self.matches(v, ann)
        return ms[0] if ms else None

    def matches(self, v: Variant, ann: Annotation | None) -> list[CuratedMatch]:
        """Every entry that matches, each once at its best level, in order of precedence."""
        idx = self._index
        candidates: list[tuple[str, list[CompiledEntry]]] = []
        if v.chrom == self.contig or _same_chr9(v.chrom, self.contig):
            candidates.append(("genomic", idx["genomic"].get((v.pos, v.ref, v.alt), [])))
        if ann is not None:
            c_can = _canonical_c(getattr(ann, "hgvs_c", None))
            pchange = _missense_or_nonsense(ann)
            candidates.append(("cdna", idx["cdna"].get(c_can, []) if c_can else []))
            candidates.append(("protein", idx["protein"].get((pchange[0], pchange[2]), []) if pchange else []))
            missense = pchange is not None and pchange[2] != "*"
            candidates.append(("codon", idx["codon"].get(pchange[0], []) if missense else []))  # type: ignore[index]
            exons = sorted(set(getattr(ann, "exons_affected", ()) or ()))
            hits = {id(ce): ce for n in exons for ce in idx["exon"].get(n, []) if _exon_hit(ce, v, ann)}
            order = {id(ce): i for i, ce in enumerate(self.entries)}
            candidates.append(("exon", sorted(hits.values(), key=lambda ce: order[id(ce)])))
        out: list[CuratedMatch] = []
        found: set[str] = set()
        for level, ces in candidates:
            for ce in ces:
                if ce.entry.id not in found:
                    out.append(CuratedMatch(ce.entry.id, level, ce.entry))
                    found.add(ce.entry.id)
        return out


def _same_chr9(a: str, b: str) -> bool:
    return a in CHR9_NAMES and b in CHR9_NAMES


def _canonical_c(hgvs_c: str | None) -> str | None:
    if not hgvs_c:
        return None
    acc = hgvs_c.split(":", 1)[0] if ":" in hgvs_c else TRANSCRIPT_ACC
    if acc.split(".")[0] != TRANSCRIPT_ACC.split(".")[0]:
        return None
    try:
        return parse_c(hgvs_c).canonical()
    except ValueError:
        return None


def _missense_or_nonsense(ann: Any) -> tuple[int, str, str] | None:
    cons = set(getattr(ann, "consequences", ()) or ())
    if not cons & {"missense_variant", "stop_gained"}:
        return None
    if "frameshift_variant" in cons:
        return None
    start, end = getattr(ann, "protein_start", None), getattr(ann, "protein_end", None)
    ref, alt = getattr(ann, "ref_aa", None), getattr(ann, "alt_aa", None)
    if start is None or (end not in (None, start)) or not ref or not alt or len(ref) != 1 or len(alt) != 1:
        return None
    return start, ref, alt


DEL_TERMS = {"transcript_ablation", "exon_loss_variant", "feature_truncation"}
DUP_TERMS = {"transcript_amplification", "feature_elongation"}


def _sv_type(v: Variant, ann: Any) -> str | None:
    alt = v.alt.upper()
    if alt.startswith("<DEL") or alt.startswith("<CN0"):
        return "DEL"
    if alt.startswith("<DUP") or alt.startswith("<CN") and alt not in ("<CN0>", "<CN1>"):
        return "DUP"
    cons = set(getattr(ann, "consequences", ()) or ())
    if cons & DEL_TERMS:
        return "DEL"
    if cons & DUP_TERMS:
        return "DUP"
    if not alt.startswith("<"):
        if len(v.ref) > len(v.alt):
            return "DEL"
        if len(v.alt) > len(v.ref):
            return "DUP"
    return None


def _exon_hit(ce: CompiledEntry, v: Variant, ann: Any) -> bool:
    affected = set(getattr(ann, "exons_affected", ()) or ())
    if not ce.exon_ranges or not affected & set(ce.entry.exons):
        return False
    want = "DEL" if ce.entry.kind == "exon_deletion" else "DUP"
    got = _sv_type(v, ann)
    return got is None or got == want


def _exon_ranges(cache: GeneCache, exons: Sequence[int]) -> tuple[tuple[int, int, int], ...]:
    by_no = {e.number: e for e in cache.transcript.exons}
    return tuple((n, by_no[n].start, by_no[n].end) for n in exons)


def compile_entry(cache: GeneCache, e: CuratedEntry) -> CompiledEntry:
    """Genomic keys of one entry on one reference; InputError if the reference disagrees with the name."""
    where = f"{e.origin}:{e.line}: entry {e.id}" if e.line else f"{e.origin}: {e.id}"
    edit = parse_c(e.hgvs_c) if e.hgvs_c else None
    pch = parse_p(e.hgvs_p) if e.hgvs_p else None
    variant = None
    protein: tuple[int, str, str] | None = None
    if pch is not None and pch.kind in ("missense", "nonsense"):
        protein = (pch.start, pch.ref_aa, pch.alt_aa)  # type: ignore[assignment]
    if edit is not None:
        try:
            variant = genomic_of_edit(cache, edit)
        except (ValueError, IndexError) as exc:
            raise InputError(
                f"{where}: {exc} ({cache.reference}, {cache.build}); check the c. name, or that "
                "the reference is the build your data were aligned to"
            ) from None
        derived = protein_of_snv(cache, variant)
        if derived is not None and derived[1] != derived[2]:
            if protein is not None and pch is not None and (derived[0], derived[2]) != (protein[0], protein[2]):
                raise InputError(
                    f"{where}: {e.hgvs_c} gives p.{AA1_TO_3[derived[1]]}{derived[0]}{AA1_TO_3.get(derived[2], 'Xaa')} "
                    f"on {cache.reference} ({cache.build}), not {e.hgvs_p}; correct one of the two names"
                )
            protein = derived
    return CompiledEntry(e, variant, edit, protein, _exon_ranges(cache, e.exons))


def compile_table(table: CuratedTable, cache: GeneCache, clinvar_vcf: str | Path | None = None) -> CompiledTable:
    compiled = [compile_entry(cache, e) for e in table.entries]
    _refuse_duplicate_alleles(compiled, cache)
    sources = [table.path]
    skipped: list[str] = []
    if clinvar_vcf:
        cv, skipped = load_clinvar_vcf(clinvar_vcf, cache)
        compiled += [compile_clinvar(cache, e, v) for e, v in cv]
        sources.append(str(clinvar_vcf))
    return CompiledTable(table.version, cache.build, cache.contig, tuple(compiled), tuple(sources), tuple(skipped))


def _refuse_duplicate_alleles(compiled: Sequence[CompiledEntry], cache: GeneCache) -> None:
    """Two table entries for one allele (e.g. the same deletion written at two places of a repeat) would give
    a variant two curated classes: refuse, naming both lines."""
    seen: dict[tuple[int, str, str], CompiledEntry] = {}
    for ce in compiled:
        if ce.variant is None:
            continue
        key = (ce.variant.pos, ce.variant.ref, ce.variant.alt)
        if key in seen:
            first = seen[key].entry
            e = ce.entry
            raise InputError(
                f"{e.origin}:{e.line}: entry {e.id}: the same allele as entry {first.id} (line {first.line}) on "
                f"{cache.build} ({cache.contig}:{key[0]} {key[1]}>{key[2]} after normalisation); merge the two entries"
            )
        seen[key] = ce


# --------------------------------------------------------------------------------------------------
# ClinVar VCF
# --------------------------------------------------------------------------------------------------
CLNSIG_MAP = {
    "pathogenic": "pathogenic",
    "likely_pathogenic": "likely_pathogenic",
    "pathogenic/likely_pathogenic": "likely_pathogenic",  # the weaker of the two, stated in the evidence
    "uncertain_significance": "uncertain_significance",
    "likely_benign": "likely_benign",
    "benign": "benign",
    "benign/likely_benign": "likely_benign",
}


def _info_str(rec: Any, key: str) -> str | None:
    if key not in rec.info:
        return None
    v = rec.info[key]
    return ",".join(str(x) for x in v) if isinstance(v, tuple) else str(v)


def load_clinvar_vcf(path: str | Path, cache: GeneCache) -> tuple[list[tuple[CuratedEntry, Variant]], list[str]]:
    """ClinVar records inside TRPM6 with a usable CLNSIG, as (entry, normalised allele) pairs, plus the list of
    records not taken (with the reason). REF alleles are checked against the reference."""
    import pysam

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: ClinVar VCF not found; fix `clinvar_vcf` in the config or remove the key")
    try:
        vf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read as VCF ({exc}); give a ClinVar VCF (bgzipped or plain)") from None
    hdr_contigs = {name: vf.header.contigs[name].length for name in vf.header.contigs}
    for name in ("CLNSIG", "CLNREVSTAT"):
        if name not in vf.header.info:
            raise InputError(f"{path}: no INFO/{name} in the header; this is not a ClinVar VCF")
    t = cache.transcript
    names = set(CHR9_NAMES)
    for name, length in hdr_contigs.items():
        if name in names and length and length != t.chrom_length:
            raise InputError(
                f"{path}: contig {name} has length {length:,} but {cache.reference} is {cache.build} "
                f"({t.chrom_length:,}); use the ClinVar VCF of {cache.build}"
            )
    out: list[tuple[CuratedEntry, Variant]] = []
    skipped: list[str] = []
    today = date.today().isoformat()
    file_date = None
    for hrec in vf.header.records:
        if hrec.key == "fileDate" and hrec.value:
            v = str(hrec.value)
            file_date = f"{v[:4]}-{v[4:6]}-{v[6:8]}" if re.fullmatch(r"\d{8}", v) else v
    for rec in _region_records(vf, names, t.start, t.end):
        if rec.chrom not in names or rec.stop < t.start or rec.pos > t.end:
            continue
        rid = rec.id or f"{rec.chrom}:{rec.pos}"
        clnsig = _info_str(rec, "CLNSIG")
        revstat = _info_str(rec, "CLNREVSTAT") or ""
        cls = CLNSIG_MAP.get((clnsig or "").lower().split("|")[0].split(",")[0])
        if cls is None:
            skipped.append(f"ClinVar {rid}: CLNSIG {clnsig or 'missing'} is not one of the five classes")
            continue
        try:
            ref_here = cache.fetch(rec.pos, rec.pos + len(rec.ref) - 1)
        except IndexError:
            skipped.append(f"ClinVar {rid}: extends beyond the TRPM6 region of the gene cache")
            continue
        if ref_here != rec.ref.upper():
            raise InputError(
                f"{path}: record {rid} at {rec.chrom}:{rec.pos} has REF {rec.ref} but {cache.reference} "
                f"has {ref_here}; the ClinVar VCF and the reference are of different builds"
            )
        alts = rec.alts or ()
        for alt in alts:
            if alt.startswith("<") or alt in ("*", "."):
                skipped.append(f"ClinVar {rid}: symbolic allele {alt} not taken")
                continue
            pos, r, a = normalize_allele(cache, rec.pos, rec.ref.upper(), alt.upper())
            stars = clinvar_stars(revstat)
            eid = f"ClinVar:{rid}" if len(alts) == 1 else f"ClinVar:{rid}:{alt.upper()}"
            e = CuratedEntry(
                id=eid,
                hgvs_c=None,
                hgvs_p=None,
                exon=None,
                kind="other",
                classification=cls,
                evidence_tier="clinvar",
                source=f"ClinVar VariationID {rid}",
                evidence=f"ClinVar {clnsig}; review status {revstat.replace('_', ' ')} ({stars} star(s))",
                curated_on=file_date or today,
                origin=str(path),
                review_status=revstat.replace("_", " "),
            )
            out.append((e, Variant(cache.contig, pos, r, a)))
    vf.close()
    return out, skipped


def _region_records(vf: Any, names: set[str], start: int, end: int) -> Iterable[Any]:
    """Records of the TRPM6 span: through the index when there is one (a full ClinVar VCF has millions of
    records), else by streaming the file."""
    if vf.index is not None:
        for name in names:
            if name in vf.index:
                return vf.fetch(name, start - 1, end)
        return iter(())
    return iter(vf)


def compile_clinvar(cache: GeneCache, e: CuratedEntry, v: Variant) -> CompiledEntry:
    prot = protein_of_snv(cache, v)
    return CompiledEntry(e, v, None, prot if prot and prot[1] != prot[2] else None, ())


# --------------------------------------------------------------------------------------------------
# helpers for reports
# --------------------------------------------------------------------------------------------------
_PMID_RE = re.compile(r"PMID:?\s*(\d+)", re.I)
_DOI_RE = re.compile(r"(?:doi:\s*|https?://doi\.org/)(10\.\d{4,9}/[^\s,;]+)", re.I)
_CV_RE = re.compile(r"ClinVar VariationID (\d+)")


def source_links(source: str) -> list[tuple[str, str]]:
    """(label, URL) pairs for PMIDs, DOIs and ClinVar IDs named in a source cell (links only, nothing loaded)."""
    out = [(f"PMID {m[1]}", f"https://pubmed.ncbi.nlm.nih.gov/{m[1]}/") for m in _PMID_RE.finditer(source)]
    out += [(f"doi:{m[1]}", f"https://doi.org/{m[1]}") for m in _DOI_RE.finditer(source)]
    out += [
        (f"ClinVar {m[1]}", f"https://www.ncbi.nlm.nih.gov/clinvar/variation/{m[1]}/") for m in _CV_RE.finditer(source)
    ]
    return out
