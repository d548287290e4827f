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

from collections.abc import Callable
from dataclasses import dataclass

from .codons import AA3, aa3, revcomp
from .model import CEdit, CPos, Transcript

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
def c_range(t: Transcript, g_lo: int, g_hi: int) -> tuple[CPos, CPos]:
    """c. positions of genomic bases g_lo..g_hi in transcript order (5' first)."""
    a, b = (g_hi, g_lo) if t.strand < 0 else (g_lo, g_hi)
    return t.c_pos(a), t.c_pos(b)


def segment_bounds(t: Transcript, g: int) -> tuple[int, int]:
    """Genomic bounds of the exon or intron (or flank) holding g: the 3' shift stays inside it."""
    e = t.exon_at(g)
    if e:
        return e.start, e.end
    i = t.intron_at(g)
    if i:
        _, lo, hi = t.introns[i - 1]
        return lo, hi
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


def c_edit(e: Edit, t: Transcript, fetch: Fetch, cross_boundaries: bool = False) -> CEdit:
    """The c. change (typed, 3'-shifted on the transcript strand) of a forward-strand edit."""
    rc = (lambda s: revcomp(s)) if t.strand < 0 else (lambda s: s)
    k = e.kind
    if k == "sub":
        c = t.c_pos(e.start)
        return CEdit(c, c, "sub", rc(e.ref), rc(e.alt))
    if k == "delins":
        return CEdit(*c_range(t, e.start, e.end), "delins", "", rc(e.alt))
    s = shift_c(e, t, fetch, cross_boundaries)
    if k == "del":
        return CEdit(*c_range(t, s.start, s.end), "del")
    d = dup_range(s, fetch, t.strand)
    if d:
        return CEdit(*c_range(t, d[0], d[1]), "dup")
    return CEdit(*c_range(t, s.start - 1, s.start), "ins", "", rc(s.alt))


def format_c(e: Edit, t: Transcript, fetch: Fetch, cross_boundaries: bool = False) -> str:
    """c. description (without accession) of a forward-strand edit."""
    return c_edit(e, t, fetch, cross_boundaries).canonical()


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


def short_hgvs(name: str | None) -> str:
    """A display name without its accession: `NM_017662.5:c.1769C>G` -> `c.1769C>G`; None -> ''."""
    if not name:
        return ""
    return name.split(":", 1)[1] if ":" in name else name
