"""The one HGVS parser: c. and p. names as written in the curated table or given by users, parsed into typed
changes. The pipeline's own names are produced by `hgvs.py` for display and are never parsed back.

Supported: c. substitution, del, dup, ins, delins with intronic offsets and UTR positions; p. in three-letter
code: substitutions, Ter, =, fs, ext, del/dup/ins/delins, Met1?, ?.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .codons import AA1
from .model import CEdit, CPos

AA3 = {three: one for three, one in AA1.items() if three not in ("Xaa", "Pyl")}  # names a curated entry may use
AA1_TO_3 = {v: k for k, v in AA3.items()}


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


def codon_of(c: CPos) -> int | None:
    """The codon (residue number) of a coding c. position, None outside the CDS."""
    return (c.base - 1) // 3 + 1 if c.in_cds else None
