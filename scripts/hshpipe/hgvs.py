"""HGVS g./c./p. formatting, 3' shifting, and a small parser of c./p. names (for the curated table).

Conventions
- Edits are minimal (no shared anchor base), forward strand, 1-based: `Edit(start, ref, alt)`; an
  insertion has ref "" and sits between `start - 1` and `start`.
- g. names are 3'-shifted on the forward strand (toward higher coordinates); c. names on the transcript
  strand (TRPM6 is on the minus strand: toward lower coordinates). Shifting is explicit (cache sequence),
  it never relies on how the caller aligned the VCF record.
- p. names are predicted, so written in parentheses, three-letter code, `Ter` for stop.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .codons import AA1, AA3, aa3, revcomp
from .errors import InputError
from .model import CPos, Transcript

Fetch = Callable[[int, int], str]


# ----------------------------------------------------------------------------------------- edits
@dataclass(frozen=True)
class Edit:
    """A minimal forward-strand change: `ref` (possibly empty) at `start` replaced by `alt`."""

    start: int
    ref: str
    alt: str

    @property
    def end(self) -> int:
        """Last replaced base (start - 1 for an insertion)."""
        return self.start + len(self.ref) - 1

    @property
    def kind(self) -> str:
        if not self.ref:
            return "ins"
        if not self.alt:
            return "del"
        if len(self.ref) == len(self.alt) == 1:
            return "sub"
        return "delins"


def common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def trim_common(ref: str, alt: str) -> tuple[int, str, str]:
    """(length of the shared prefix, ref, alt) with the shared prefix, then the shared suffix, removed
    (nucleotides or peptides)."""
    p = common_prefix(ref, alt)
    r, a = ref[p:], alt[p:]
    q = 0
    while q < len(r) and q < len(a) and r[-1 - q] == a[-1 - q]:
        q += 1
    return p, r[: len(r) - q], a[: len(a) - q]


def minimal_edit(pos: int, ref: str, alt: str) -> Edit:
    """Trim the shared prefix (VCF anchor) then the shared suffix, as VEP does."""
    p, r, a = trim_common(ref.upper(), alt.upper())
    return Edit(pos + p, r, a)


def _base(fetch: Fetch, g: int) -> str:
    try:
        return fetch(g, g)
    except IndexError:
        return ""


def shift(e: Edit, fetch: Fetch, direction: int, lo: int | None = None, hi: int | None = None) -> Edit:
    """Roll a pure insertion or deletion as far as it goes in `direction` (+1 higher, -1 lower coordinates).

    Deleted bases stay within [lo, hi]; an insertion point stays between lo and hi (inclusive flanks)."""
    lo = -1 if lo is None else lo
    hi = 1 << 40 if hi is None else hi
    if e.kind == "del":
        s, t, d = e.start, e.end, e.ref
        if direction > 0:
            while t + 1 <= hi and _base(fetch, t + 1) == d[0]:
                d, s, t = d[1:] + d[0], s + 1, t + 1
        else:
            while s - 1 >= lo and _base(fetch, s - 1) == d[-1]:
                d, s, t = d[-1] + d[:-1], s - 1, t - 1
        return Edit(s, d, "")
    if e.kind == "ins":
        s, ins = e.start, e.alt
        if direction > 0:
            while s <= hi and _base(fetch, s) == ins[0]:
                ins, s = ins[1:] + ins[0], s + 1
        else:
            while s - 1 >= lo and _base(fetch, s - 1) == ins[-1]:
                ins, s = ins[-1] + ins[:-1], s - 1
        return Edit(s, "", ins)
    return e


def dup_range(e: Edit, fetch: Fetch, direction: int) -> tuple[int, int] | None:
    """For an insertion already shifted in `direction`: the duplicated reference range, if it is a dup."""
    n = len(e.alt)
    lo, hi = (e.start - n, e.start - 1) if direction > 0 else (e.start, e.start + n - 1)
    try:
        return (lo, hi) if fetch(lo, hi) == e.alt else None
    except IndexError:
        return None


def _span(a: str, b: str) -> str:
    return a if a == b else f"{a}_{b}"


# ------------------------------------------------------------------------------------------- g.
def format_g(e: Edit, fetch: Fetch) -> str:
    """g. description (without accession), 3'-shifted toward higher coordinates."""
    k = e.kind
    if k == "sub":
        return f"g.{e.start}{e.ref}>{e.alt}"
    if k == "delins":
        return f"g.{_span(str(e.start), str(e.end))}delins{e.alt}"
    s = shift(e, fetch, +1)
    if k == "del":
        return f"g.{_span(str(s.start), str(s.end))}del"
    d = dup_range(s, fetch, +1)
    if d:
        return f"g.{_span(str(d[0]), str(d[1]))}dup"
    return f"g.{s.start - 1}_{s.start}ins{s.alt}"


# ------------------------------------------------------------------------------------------- c.
def c_span(t: Transcript, g_lo: int, g_hi: int) -> str:
    """c. range of genomic bases g_lo..g_hi written in transcript order."""
    a, b = (g_hi, g_lo) if t.strand < 0 else (g_lo, g_hi)
    return _span(str(t.c_pos(a)), str(t.c_pos(b)))


def segment_bounds(t: Transcript, g: int) -> tuple[int, int]:
    """Genomic bounds of the exon or intron (or flank) holding g: the 3' shift stays inside it."""
    e = t.exon_at(g)
    if e:
        return e.start, e.end
    i = t.intron_at(g)
    if i:
        a, b = t.exons[i - 1], t.exons[i]
        return (b.end + 1, a.start - 1) if t.strand < 0 else (a.end + 1, b.start - 1)
    return (t.end + 1, 1 << 40) if g > t.end else (-1, t.start - 1)


def shift_c(e: Edit, t: Transcript, fetch: Fetch, cross_boundaries: bool = False) -> Edit:
    """3' shift on the transcript strand; by default not across an exon/intron boundary."""
    if e.kind not in ("ins", "del"):
        return e
    if cross_boundaries:
        return shift(e, fetch, t.strand)
    lo, hi = segment_bounds(t, e.start)
    if e.kind == "del" and not (lo <= e.end <= hi):  # already spans a boundary: leave it
        return e
    if e.kind == "ins" and not (lo <= e.start - 1 <= hi):  # exactly at a boundary: leave it
        return e
    return shift(e, fetch, t.strand, lo, hi)


def format_c(e: Edit, t: Transcript, fetch: Fetch, cross_boundaries: bool = False) -> str:
    """c. description (without accession) of a forward-strand edit."""
    rc = (lambda s: revcomp(s)) if t.strand < 0 else (lambda s: s)
    k = e.kind
    if k == "sub":
        return f"c.{t.c_pos(e.start)}{rc(e.ref)}>{rc(e.alt)}"
    if k == "delins":
        return f"c.{c_span(t, e.start, e.end)}delins{rc(e.alt)}"
    s = shift_c(e, t, fetch, cross_boundaries)
    if k == "del":
        return f"c.{c_span(t, s.start, s.end)}del"
    d = dup_range(s, fetch, t.strand)
    if d:
        return f"c.{c_span(t, d[0], d[1])}dup"
    return f"c.{c_span(t, s.start - 1, s.start)}ins{rc(s.alt)}"


# ------------------------------------------------------------------------------------------- p.
def p_shift_del(prot: str, k: int, m: int) -> int:
    """Most C-terminal start (0-based) of an m-residue deletion at k; never moves through the stop."""
    while k + m < len(prot) and prot[k + m] != "*" and prot[k] == prot[k + m]:
        k += 1
    return k


def p_shift_ins(prot: str, k: int, ins: str) -> tuple[int, str]:
    """Most C-terminal position of an insertion before 0-based residue k."""
    while k < len(prot) and prot[k] != "*" and prot[k] == ins[0]:
        ins, k = ins[1:] + ins[0], k + 1
    return k, ins


def shift_p_change(prot: str, k: int, deleted: str, inserted: str) -> tuple[int, str, str]:
    """3' rule on the protein for a pure deletion or insertion: (k, deleted, inserted) most C-terminal."""
    if deleted and not inserted:
        k = p_shift_del(prot, k, len(deleted))
        return k, prot[k : k + len(deleted)], ""
    if inserted and not deleted:
        k, inserted = p_shift_ins(prot, k, inserted)
    return k, deleted, inserted


def format_p_change(prot: str, k: int, deleted: str, inserted: str) -> str:
    """Inner p. text for residues prot[k:k+len(deleted)] replaced by `inserted` (in-frame, no stop loss).

    `prot` is the reference protein (one-letter, with the terminal '*'); positions are 1-based in output."""
    if not deleted and not inserted:
        return "="
    if not inserted:  # deletion
        k = p_shift_del(prot, k, len(deleted))
        m = len(deleted)
        return f"{_span(f'{AA3[prot[k]]}{k + 1}', f'{AA3[prot[k + m - 1]]}{k + m}')}del"
    if not deleted:  # insertion (or duplication)
        k, ins = p_shift_ins(prot, k, inserted)
        n = len(ins)
        if k - n >= 0 and prot[k - n : k] == ins:
            return f"{_span(f'{AA3[prot[k - n]]}{k - n + 1}', f'{AA3[prot[k - 1]]}{k}')}dup"
        if k == 0:
            return f"Met1_{AA3[prot[0]]}1ins{aa3(ins)}"  # not reached for coding changes (start_lost)
        return f"{AA3[prot[k - 1]]}{k}_{AA3[prot[k]]}{k + 1}ins{aa3(ins)}"
    if len(deleted) == 1 and len(inserted) == 1:
        return f"{AA3[deleted]}{k + 1}{AA3[inserted]}"
    m = len(deleted)
    return f"{_span(f'{AA3[prot[k]]}{k + 1}', f'{AA3[prot[k + m - 1]]}{k + m}')}delins{aa3(inserted)}"


def format_fs(ref_aa: str, pos: int, alt_aa: str, ter: int | None) -> str:
    """Frameshift: `Arg56GlufsTer12` (ter counts the first changed residue as 1), or `Arg56Ter`."""
    if alt_aa == "*":
        return f"{AA3[ref_aa]}{pos}Ter"
    return f"{AA3[ref_aa]}{pos}{AA3[alt_aa]}fsTer{'?' if ter is None else ter}"


def format_ext(pos: int, alt_aa: str, ter: int | None) -> str:
    """Stop loss: `Ter2023GlnextTer?` (ter counts the residue replacing the stop as 1)."""
    return f"Ter{pos}{AA3[alt_aa]}extTer{'?' if ter is None else ter}"


# ------------------------------------------------------------------------------------- parsing
_POS = r"(?:[-*]?\d+)(?:[-+]\d+)?"
_C_RE = re.compile(r"^(?:(?P<acc>[A-Za-z]{2}_\d+(?:\.\d+)?)(?:\([^)]*\))?:)?c\.(?P<body>.+)$")
_C_BODY = re.compile(
    rf"^(?P<p1>{_POS})(?:_(?P<p2>{_POS}))?"
    r"(?:(?P<sub>[ACGT])>(?P<subalt>[ACGT])|(?P<eq>=)|"
    r"(?P<kind>delins|del|dup|ins|inv)(?P<seq>[ACGTN]*))$"
)


def parse_cpos(s: str) -> CPos:
    """'123', '-45', '*67', '123+5', '124-3', '*5-2' -> CPos."""
    m = re.fullmatch(r"([-*]?)(\d+)([-+]\d+)?", s)
    if not m:
        raise InputError(f"'{s}' is not a c. position (e.g. 123, -45, *67, 123+5, 124-3)")
    sign, num, off = m.groups()
    base = int(num)
    if base == 0:
        raise InputError(f"'{s}': there is no c.0 position")
    if sign == "-":
        base = -base
    return CPos(base, int(off) if off else 0, utr3=sign == "*")


def parse_c(name: str) -> tuple[CPos, CPos, str, str, str]:
    """Parse a c. name -> (start, end, kind, ref, alt); kind is sub, del, dup, ins, delins, inv or eq.

    ref/alt are transcript-strand bases ('' when the name does not state them). Uncertain positions
    (`?`, parentheses) are rejected: exon-level entries belong in the table's exon column."""
    m = _C_RE.match(name.strip())
    if not m:
        raise InputError(f"'{name}' is not a c. HGVS name (expected e.g. NM_017662.5:c.1769C>G)")
    body = m.group("body")
    if body.startswith("(") and body.endswith(")") and "_" not in body:
        body = body[1:-1]
    b = _C_BODY.match(body)
    if not b:
        raise InputError(
            f"'{name}': unsupported or malformed c. change '{body}' "
            "(supported: >, del, dup, ins, delins, inv, = with exact positions)"
        )
    start = parse_cpos(b.group("p1"))
    end = parse_cpos(b.group("p2")) if b.group("p2") else start
    if b.group("sub"):
        if b.group("p2"):
            raise InputError(f"'{name}': a substitution has a single position")
        return start, end, "sub", b.group("sub"), b.group("subalt")
    if b.group("eq"):
        return start, end, "eq", "", ""
    kind, seq = b.group("kind"), b.group("seq")
    if kind in ("ins", "delins") and not seq:
        raise InputError(f"'{name}': {kind} needs the inserted bases")
    if kind == "ins":
        if not b.group("p2"):
            raise InputError(f"'{name}': an insertion names the two flanking positions (e.g. c.100_101insA)")
        return start, end, "ins", "", seq
    if kind == "delins":
        return start, end, "delins", "", seq
    return start, end, kind, seq, ""  # del/dup/inv: optional stated sequence


@dataclass(frozen=True)
class PChange:
    """A parsed p. change. Positions 1-based; residues one-letter ('*' stop)."""

    kind: str  # sub, syn, del, dup, ins, delins, fs, ext, start_lost, unknown, nochange
    start_aa: str = ""
    start: int = 0
    end_aa: str = ""
    end: int = 0
    alt: str = ""  # inserted/substituted residues (first new residue for fs/ext)
    ter: int | None = None  # fs/ext: new stop position (None when '?' or not stated)
    predicted: bool = True

    def format(self) -> str:
        """Canonical name: three-letter, Ter, parentheses."""
        k = self.kind
        if k == "unknown":
            return "p.?"
        if k == "nochange":
            return "p.(=)"
        if k == "start_lost":
            return "p.(Met1?)"
        a = f"{AA3[self.start_aa]}{self.start}"
        b = f"{AA3[self.end_aa]}{self.end}" if self.end and self.end != self.start else ""
        rng = f"{a}_{b}" if b else a
        if k == "syn":
            inner = f"{a}="
        elif k == "sub":
            inner = f"{a}{AA3[self.alt]}"
        elif k in ("del", "dup"):
            inner = f"{rng}{k}"
        elif k == "ins":
            inner = f"{rng}ins{aa3(self.alt)}"
        elif k == "delins":
            inner = f"{rng}delins{aa3(self.alt)}"
        elif k == "fs":
            inner = format_fs(self.start_aa, self.start, self.alt, self.ter) if self.alt else f"{a}fs"
        else:  # ext
            inner = format_ext(self.start, self.alt, self.ter)
        return f"p.({inner})"


_AA = r"(?:[A-Z][a-z]{2}|[A-Z*])"
_P_RE = re.compile(r"^(?:(?P<acc>[A-Za-z]{2}_\d+(?:\.\d+)?):)?p\.(?P<body>.+)$")
_P_BODY = re.compile(
    rf"^(?P<a1>{_AA})(?P<p1>\d+)(?:_(?P<a2>{_AA})(?P<p2>\d+))?"
    rf"(?P<rest>=|\?|del|dup|ins(?P<ins>(?:{_AA})+)|delins(?P<dins>(?:{_AA})+)|"
    rf"(?P<fsaa>{_AA})?fs(?:(?:Ter|\*|X)(?P<fster>\d+|\?))?|"
    rf"(?P<extaa>{_AA})?ext(?:(?:Ter|\*|X)?(?P<exter>\d+|\?))?|(?P<sub>{_AA}))$"
)


def _aa1(tok: str) -> str:
    """Residue token -> one letter. A lone `X` is read as a stop (legacy names such as p.S590X)."""
    if tok == "X":
        return "*"
    if len(tok) == 1:
        if tok not in AA3:
            raise InputError(f"'{tok}' is not an amino-acid code")
        return tok
    t = "Ter" if tok == "Stop" else tok
    if t not in AA1:
        raise InputError(f"'{tok}' is not an amino-acid code")
    return AA1[t]


def _aa_seq(s: str) -> str:
    return "".join(_aa1(t) for t in re.findall(_AA, s))


def parse_p(name: str) -> PChange:
    """Parse a p. name (three- or one-letter, `Ter`/`*`, with or without parentheses) -> PChange."""
    m = _P_RE.match(name.strip())
    if not m:
        raise InputError(f"'{name}' is not a p. HGVS name (expected e.g. NP_060132.3:p.(Ser590Ter))")
    body = m.group("body")
    predicted = body.startswith("(") and body.endswith(")")
    if predicted:
        body = body[1:-1]
    if body in ("?", "0?", "0"):
        return PChange("unknown", predicted=predicted)
    if body == "=":
        return PChange("nochange", predicted=predicted)
    b = _P_BODY.match(body.replace("Stop", "Ter"))
    if not b:
        raise InputError(f"'{name}': unsupported or malformed p. change '{body}'")
    a1, p1 = _aa1(b.group("a1")), int(b.group("p1"))
    a2 = _aa1(b.group("a2")) if b.group("a2") else ""
    p2 = int(b.group("p2")) if b.group("p2") else 0
    rest = b.group("rest")
    common = dict(start_aa=a1, start=p1, end_aa=a2, end=p2, predicted=predicted)
    if rest == "?":
        if a1 == "M" and p1 == 1 and not a2:
            return PChange("start_lost", **common)
        return PChange("unknown", predicted=predicted)
    if rest == "=":
        return PChange("syn", **common)
    if rest in ("del", "dup"):
        return PChange(rest, **common)
    if b.group("ins") is not None and rest.startswith("ins"):
        return PChange("ins", alt=_aa_seq(b.group("ins")), **common)
    if b.group("dins") is not None:
        return PChange("delins", alt=_aa_seq(b.group("dins")), **common)
    if "fs" in rest:
        ter = b.group("fster")
        return PChange(
            "fs",
            alt=_aa1(b.group("fsaa")) if b.group("fsaa") else "",
            ter=int(ter) if ter and ter != "?" else None,
            **common,
        )
    if "ext" in rest:
        ter = b.group("exter")
        return PChange(
            "ext",
            alt=_aa1(b.group("extaa")) if b.group("extaa") else "",
            ter=int(ter) if ter and ter != "?" else None,
            **common,
        )
    alt = _aa1(b.group("sub"))
    if a2:
        raise InputError(f"'{name}': a substitution has a single position")
    return PChange("syn" if alt == a1 else "sub", alt=alt, **common)


def normalize_p(name: str) -> str:
    """Canonical spelling of a p. name (three-letter, Ter, parentheses)."""
    return parse_p(name).format()
