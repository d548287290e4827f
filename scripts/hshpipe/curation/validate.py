"""Notation checks of a curated entry against the transcript model and the protein (no reference needed):
residue letters, c. positions that exist, intronic offsets only from exon boundaries, c./p. consistency."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from ..hgvs_parser import AA1_TO_3, CEdit, PChange, codon_of, parse_c, parse_p
from ..model import CPos, Transcript, load_protein
from ..paths import SCHEMAS
from .entries import EXON_KINDS, PROTEIN_ACC, TRANSCRIPT_ACC, CuratedEntry


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    import yaml

    return yaml.safe_load((SCHEMAS / "curated_table.schema.yaml").read_text())


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


def _check_c_vs_p(edit: CEdit, p: PChange) -> str | None:
    if edit.kind == "sub" and p.kind in ("missense", "nonsense", "synonymous"):
        codon = codon_of(edit.start)
        if codon is None:
            return f"{edit.canonical()} is not in the coding sequence but the p. name is a {p.kind} change"
        if codon != p.start:
            return f"{edit.canonical()} is in codon {codon}, but the p. name is at residue {p.start}"
    return None


@lru_cache(maxsize=1)
def _validator() -> Any:
    """One validator for every row (building it costs more than checking a row)."""
    import jsonschema

    return jsonschema.Draft202012Validator(_schema())


def _schema_errors(row: dict[str, str]) -> list[str]:
    schema = _schema()
    out = []
    for err in sorted(_validator().iter_errors(row), key=lambda e: list(e.path)):
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
