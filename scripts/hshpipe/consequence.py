"""Consequence of a variant on the TRPM6 MANE transcript: SO terms (Ensembl VEP definitions and ranking),
HGVS g./c./p., exon/intron numbers, affected residues.

How it works: the edit is trimmed to its minimal form. Location terms (splice sites, splice regions,
intron, UTR, up/downstream) come from interval overlaps written as VEP writes them (insertions have
end = start - 1, so an insertion counts for a site only when both flanking bases are in it). Edits that
lie wholly in the spliced mRNA are applied to it; the protein effect is read from the codons the edit
touches (in-frame) or from the new reading frame up to its first stop (frameshift). Several edits in cis
(`annotate_haplotype`) are applied together, so two changes in one codon give one amino-acid change.

Consequences are computed at the position given (VEP's default, `--shift_3prime 0`); HGVS names are
3'-shifted (c. on the transcript strand, g. on the forward strand).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .codons import AA3, revcomp, translate, translate_to_stop
from .errors import InputError
from .hgvs import (
    Edit,
    c_edit,
    common_prefix,
    format_c,
    format_ext,
    format_fs,
    format_g,
    format_p_change,
    minimal_edit,
    shift_p_change,
    trim_common,
)
from .model import CEdit, CPos, Transcript, Variant
from .reference import GeneCache
from .vocab import CANONICAL_SPLICE, IMPACT, SO_RANKING

UPDOWN_DISTANCE = 5000  # VEP's up/downstream distance
NMD_WINDOW = 50  # nt at the 3' end of the penultimate exon from which a premature stop escapes NMD

_RANK = {t: i for i, t in enumerate(SO_RANKING)}


@dataclass(frozen=True)
class MrnaEffect:
    """Predicted mRNA of a change that removes or duplicates whole exons (exon skipping at a canonical splice
    site, an exon deletion or a tandem duplication) or exonic stretches (a deletion with a breakpoint in an
    exon): the facts the PVS1 decision tree needs."""

    exons: tuple[int, ...]  # exons skipped, deleted or duplicated (wholly or in part)
    coding_bases: int  # coding bases removed (or duplicated)
    in_frame: bool  # coding_bases is a multiple of 3
    first_residue: int | None  # first residue removed/altered (None when no coding base is touched)
    last_residue: int | None  # last residue removed (in frame) or the last of the protein (frameshift)
    ptc_codon: int | None  # codon of the premature stop in the new reading frame; None: no premature stop
    nmd_escape: bool | None  # the premature stop lies in the last exon or the last 50 nt of the penultimate
    start_removed: bool = False  # the initiation codon is removed


@dataclass(frozen=True)
class SvExtent:
    """What a symbolic <DEL>/<DUP> covers on the transcript."""

    kind: str  # "DEL" | "DUP"
    whole_exons: tuple[int, ...]  # exons wholly inside the event
    partial_exons: tuple[int, ...]  # exons with a breakpoint inside them
    coding_bases: int  # coding bases inside the event
    whole_gene: bool  # the event covers the whole transcript
    effect: MrnaEffect | None  # predicted mRNA (deletion: bases removed; duplication: presumed in tandem)


@dataclass(frozen=True)
class Annotation:
    consequences: tuple[str, ...]
    impact: str
    hgvs_g: str
    hgvs_c: str | None
    hgvs_p: str | None
    exon: str | None
    intron: str | None
    protein_start: int | None
    protein_end: int | None
    ref_aa: str | None
    alt_aa: str | None
    exons_affected: tuple[int, ...] = ()
    protein_known: bool = False  # a named protein change (not p.? and not None): can combine with a neighbour
    c_change: CEdit | None = None  # the c. change as typed fields (single variants and SVs; None for haplotypes)
    # typed facts for classification (never parsed back out of the HGVS strings)
    exon_numbers: tuple[int, ...] = ()  # exons touched (the `exon` field as ints)
    intron_numbers: tuple[int, ...] = ()  # introns touched
    c_start: CPos | None = None  # 5'-most c. position of the change (transcript order)
    c_end: CPos | None = None  # 3'-most c. position
    frame: str | None = None  # "frameshift" | "inframe" for edits of coding bases, else None
    ptc_codon: int | None = None  # codon of the (new) premature stop: stop_gained, frameshift
    nmd_escape: bool | None = None  # the premature stop lies in the last exon or last 50 nt of the penultimate
    splice_skip: MrnaEffect | None = None  # canonical +/-1,2 splice site: the exon predicted to be skipped
    sv: SvExtent | None = None  # symbolic structural variants
    next_met: int | None = None  # start_lost: the next in-frame methionine of the reference protein
    protein_length: int | None = None  # residues of the reference protein (without the stop)

    @property
    def most_severe(self) -> str:
        return self.consequences[0]


def rank_terms(terms: set[str] | Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(set(terms), key=lambda t: _RANK.get(t, len(_RANK))))


def impact_of(terms: Sequence[str]) -> str:
    order = ("HIGH", "MODERATE", "LOW")
    imps = {IMPACT.get(t, "MODIFIER") for t in terms}
    return next((i for i in order if i in imps), "MODIFIER")


# ------------------------------------------------------------------------------ gene geometry
@dataclass(frozen=True)
class _Gene:
    t: Transcript
    mrna: str  # spliced transcript, transcript orientation
    k0: int  # 0-based mRNA index of c.1
    cds_len: int  # including the stop codon
    s: str  # mRNA from c.1 to the transcript end (CDS + 3' UTR)
    prot: str  # reference translation, one-letter, terminal '*'
    bounds: tuple[tuple[int, int, int], ...] = ()  # (exon, first, end) 0-based half-open mRNA index, transcript order

    @property
    def last_exon_start(self) -> int:
        """0-based index in `s` (c.1 = 0) of the first base of the last exon."""
        return self.bounds[-1][1] - self.k0


_GENES: dict[tuple, _Gene] = {}


def _gene(cache: GeneCache) -> _Gene:
    key = (cache.reference_fingerprint, cache.contig, cache.build, cache.region_start, len(cache.seq))
    g = _GENES.get(key)
    if g is None:
        t = cache.transcript
        parts = []
        for e in t.exons:
            seq = cache.fetch(e.start, e.end)
            parts.append(revcomp(seq) if t.strand < 0 else seq)
        mrna = "".join(parts)
        k0 = t.cds_tx_start - 1
        s = mrna[k0:]
        bounds, acc = [], 0
        for e in t.exons:
            bounds.append((e.number, acc, acc + e.length))
            acc += e.length
        g = _Gene(
            t=t,
            mrna=mrna,
            k0=k0,
            cds_len=t.cds_length,
            s=s,
            prot=translate(s[: t.cds_length]),
            bounds=tuple(bounds),
        )
        _GENES[key] = g
    return g


def _ov(a: int, b: int, lo: int, hi: int) -> bool:
    """VEP's overlap(); insertions have b = a - 1."""
    return b >= lo and a <= hi


def _intron_terms(g: _Gene, a: int, b: int) -> tuple[set[str], list[int]]:
    """Splice/intron terms of the interval a..b (VEP coordinates) and the introns it touches."""
    t, ins = g.t, b < a
    terms: set[str] = set()
    touched: list[int] = []
    st = t.strand
    # only introns within 3 bases can give a term (an insertion at an intron end is within them too)
    for num in t.introns_overlapping(a - 3, b + 3):
        _, lo, hi = t.introns[num - 1]
        donor1 = lo if st > 0 else hi  # intron +1
        acc1 = hi if st > 0 else lo  # intron -1

        def don(k1: int, k2: int, donor1: int = donor1) -> bool:
            x, y = donor1 + st * (k1 - 1), donor1 + st * (k2 - 1)
            return _ov(a, b, min(x, y), max(x, y))

        def acc(k1: int, k2: int, acc1: int = acc1) -> bool:
            x, y = acc1 - st * (k1 - 1), acc1 - st * (k2 - 1)
            return _ov(a, b, min(x, y), max(x, y))

        site = False
        if don(1, 2):
            terms.add("splice_donor_variant")
            site = True
        if acc(1, 2) or (ins and (a == acc1 + 1 if st > 0 else b == acc1 - 1)):
            terms.add("splice_acceptor_variant")  # the second case: insertion between -1 and the exon
            site = True
        fifth = don(5, 5)
        if fifth:
            terms.add("splice_donor_5th_base_variant")
        elif don(3, 6):
            terms.add("splice_donor_region_variant")
        if acc(3, 17):
            terms.add("splice_polypyrimidine_tract_variant")
        region = (
            _ov(a, b, lo + 2, lo + 7)
            or _ov(a, b, hi - 7, hi - 2)
            or _ov(a, b, lo - 3, lo - 1)
            or _ov(a, b, hi + 1, hi + 3)
            or (ins and (a == lo or b == hi or a == lo + 2 or b == hi - 2))
        )
        if region and not site and not fifth and not don(3, 6):
            terms.add("splice_region_variant")
        if _ov(a, b, lo + 2, hi - 2) or (ins and (a == lo + 2 or b == hi - 2)):
            terms.add("intron_variant")
        if _ov(a, b, lo, hi):
            touched.append(num)
    return terms, touched


def _tx_range(g: _Gene, e: Edit) -> tuple[int, int] | None:
    """0-based half-open mRNA range replaced by the edit, when every base it touches is exonic and
    contiguous in the mRNA (an insertion needs both flanks in one exon)."""
    t = g.t
    s, end = e.start, e.end
    lo_b, hi_b = (s - 1, s) if not e.ref else (s, end)
    ta, tb = t.tx_pos(lo_b), t.tx_pos(hi_b)
    if not e.ref and (ta is None) != (tb is None):
        return _junction_insertion(g, lo_b if ta is not None else hi_b)
    if ta is None or tb is None or abs(tb - ta) != hi_b - lo_b:
        return None
    if t.strand < 0:
        return (tb - 1, ta) if e.ref else (tb, tb)
    return (ta - 1, tb) if e.ref else (ta, ta)


def _junction_insertion(g: _Gene, x: int) -> tuple[int, int] | None:
    """An insertion between the last base x of an exon and intron +1: the donor GT is kept, so the
    inserted bases extend the exon (bcftools csq and SnpEff read it so too). At the acceptor side
    (between intron -1 and the exon) the insertion splits the AG|exon junction: splice_acceptor_variant,
    as both peers call it (see _intron_terms)."""
    t = g.t
    ex = t.exon_at(x)
    tp = t.tx_pos(x)
    if ex is None or tp is None:
        return None
    three_end = ex.start if t.strand < 0 else ex.end  # last base of the exon in transcript order
    if x != three_end or ex.number == t.n_exons:
        return None
    return (tp, tp)


@dataclass
class _Protein:
    terms: set[str]
    p: str | None  # inner p. text, "?" for unknown
    start: int | None = None
    end: int | None = None
    ref_aa: str | None = None
    alt_aa: str | None = None
    ptc_codon: int | None = None
    nmd_escape: bool | None = None


def _premature_stop(g: _Gene, alt_s: str, delta: int, last_start: int) -> tuple[int | None, bool | None]:
    """(codon, escapes NMD) of the first stop of `alt_s` (mRNA from c.1, edited) when it comes before the
    reference stop; (None, None) otherwise. `delta`: coding bases gained (+) or lost (-) upstream of the stop;
    `last_start`: index in alt_s of the last exon's first base. A stop escapes nonsense-mediated decay when it
    lies in the last exon or in the last 50 nt of the penultimate exon (Abou Tayoun et al. 2018)."""
    pep, found = translate_to_stop(alt_s)
    if not found or 3 * len(pep) >= g.cds_len + delta:
        return None, None
    first_base = 3 * (len(pep) - 1)  # 0-based index of the stop codon's first base in alt_s
    return len(pep), first_base >= last_start - NMD_WINDOW


def _coding(g: _Gene, r0: int, r1: int, ins: str) -> _Protein:
    """Protein effect of replacing s[r0:r1] (CDS-relative, 0-based) by `ins` (transcript strand)."""
    s = g.s
    alt_s = s[:r0] + ins + s[r1:]
    delta = len(ins) - (r1 - r0)
    w0 = 3 * (r0 // 3)
    if r0 < 3 and alt_s[:3] != s[:3]:  # the initiator codon is changed
        return _start_lost(alt_s, delta)
    if delta % 3:
        return _with_ptc(g, _frameshift(g, alt_s, w0), alt_s, delta)
    c = _codons(g, alt_s, delta, w0, max(w0, 3 * -(-r1 // 3)))
    terms = _inframe_terms(c, pure=r1 == r0)
    if c.ref_stop and not c.alt_stop:
        return _stop_lost(g, c, terms)
    if c.alt_stop and not c.ref_stop:
        return _stop_gained(g, c, terms)
    return _codon_change(g, c, terms)


@dataclass(frozen=True)
class _Codons:
    """The whole codons an in-frame edit touches, before and after it, and their translations (each cut after
    its first stop)."""

    alt_s: str  # edited mRNA from c.1
    delta: int  # coding bases gained (+) or lost (-), a multiple of 3
    i0: int  # 0-based residue of the first codon
    w1: int  # end of the reference codons in s (the edited ones end at w1 + delta)
    ref_win: str
    alt_win: str
    ref_pep: str
    alt_pep: str

    @property
    def ref_stop(self) -> bool:
        return self.ref_pep.endswith("*")

    @property
    def alt_stop(self) -> bool:
        return "*" in self.alt_pep


def _codons(g: _Gene, alt_s: str, delta: int, w0: int, w1: int) -> _Codons:
    ref_win, alt_win = g.s[w0:w1], alt_s[w0 : w1 + delta]
    ref_pep, alt_pep = translate_to_stop(ref_win)[0], translate_to_stop(alt_win)[0]
    return _Codons(alt_s, delta, w0 // 3, w1, ref_win, alt_win, ref_pep, alt_pep)


def _start_lost(alt_s: str, delta: int) -> _Protein:
    terms = {"start_lost"}
    if delta % 3:
        terms.add("frameshift_variant")
    return _Protein(terms, "Met1?", 1, 1, "M", translate(alt_s[:3]) if not delta else None)


def _inframe_terms(c: _Codons, pure: bool) -> set[str]:
    """The term of an in-frame gain or loss of codons (none for a same-length change); `pure`: nothing is
    deleted (an insertion, not a delins)."""
    terms: set[str] = set()
    if c.delta > 0:
        # SO: any in-frame gain of coding bases is an inframe_insertion. (VEP also demands that the
        # new peptide start or end with the old one, else protein_altering_variant; both peers and the
        # SO definition do not.) A delins that gains bases follows VEP's peptide rule.
        terms.add(
            "inframe_insertion"
            if pure or c.alt_pep.startswith(c.ref_pep) or c.alt_pep.endswith(c.ref_pep)
            else "protein_altering_variant"
        )
    elif c.delta < 0:
        ref_win, alt_win = c.ref_win, c.alt_win
        vep_del = ref_win.startswith(alt_win) or ref_win.endswith(alt_win) or trim_common(ref_win, alt_win)[2] == ""
        terms.add("inframe_deletion" if vep_del else "protein_altering_variant")
    return terms


def _stop_lost(g: _Gene, c: _Codons, terms: set[str]) -> _Protein:
    """The reference stop is lost: translation reads on into the 3' UTR."""
    prot = g.prot
    ext, _ = translate_to_stop(c.alt_s[c.w1 + c.delta :])
    full = c.alt_pep + ext
    j = len(c.ref_pep) - 1
    new = full[j] if j < len(full) else "X"
    # HGVS ext*N: N counts from the replaced stop (the new residue at the old stop is 0), as biocommons
    # hgvs and Mutalyzer count it: p.(Ter110GlnextTer17) ends at residue 110 + 17
    ter = len(full) - j - 1 if full.endswith("*") else None
    terms.add("stop_lost")
    return _Protein(terms, format_ext(len(prot), new, ter), len(prot), len(prot), "*", new)


def _stop_gained(g: _Gene, c: _Codons, terms: set[str]) -> _Protein:
    prot, i0, alt_pep = g.prot, c.i0, c.alt_pep
    refx = prot[i0:] + "*"
    p = common_prefix(alt_pep, refx)
    if p >= len(alt_pep):  # the new stop sits where the old one was (e.g. a dup of the stop codon)
        terms.add("stop_retained_variant")
        return _Protein(terms, "=", len(prot), len(prot), "*", None)
    terms.add("stop_gained")
    if alt_pep[p] == "*":
        pr = _Protein(terms, f"{AA3[refx[p]]}{i0 + p + 1}Ter", i0 + p + 1, i0 + p + 1, refx[p], "*")
        return _with_ptc(g, pr, c.alt_s, c.delta)
    d, i = c.ref_pep[p:], alt_pep[p:]
    k = i0 + p
    return _with_ptc(
        g, _Protein(terms, format_p_change(prot, k, d, i), k + 1, k + max(len(d), 1), d, i), c.alt_s, c.delta
    )


def _codon_change(g: _Gene, c: _Codons, terms: set[str]) -> _Protein:
    """Synonymous, missense or in-frame indel change with the stops where they were."""
    prot, i0, ref_pep, delta, ref_stop = g.prot, c.i0, c.ref_pep, c.delta, c.ref_stop
    p, d, i = trim_common(ref_pep, c.alt_pep)
    k = i0 + p
    if not d and not i:
        if delta == 0:
            terms.add("stop_retained_variant" if ref_stop else "synonymous_variant")
        # a synonymous change reports the codon's residue, e.g. p.(Ser81=)
        res = ref_pep[-1] if ref_stop and delta == 0 else ref_pep[:1] or prot[i0]
        pos = i0 + (len(ref_pep) if ref_stop and delta == 0 else 1)
        if len(ref_pep) > 1 and not ref_stop:
            return _Protein(terms, "=", i0 + 1, i0 + len(ref_pep), ref_pep, ref_pep)
        return _Protein(terms, f"{AA3[res]}{pos}=", pos, pos, res, res)
    if delta == 0:
        terms.add("missense_variant")
    if ref_stop and c.alt_stop and delta:
        terms.add("stop_retained_variant")
    name = format_p_change(prot, k, d, i)
    k, d, i = shift_p_change(prot, k, d, i)  # positions as named (3' rule on the protein)
    start, end = k + 1, k + len(d) if d else k + 1
    if not d:  # insertion: report the flanking residues as VEP does
        start, end = k, k + 1
    return _Protein(terms, name, start, end, d, i)


def _with_ptc(g: _Gene, pr: _Protein, alt_s: str, delta: int) -> _Protein:
    if "stop_gained" in pr.terms or "frameshift_variant" in pr.terms:
        pr.ptc_codon, pr.nmd_escape = _premature_stop(g, alt_s, delta, g.last_exon_start + delta)
    return pr


def _frameshift(g: _Gene, alt_s: str, w0: int) -> _Protein:
    prot = g.prot
    i0 = w0 // 3
    alt_tail, found = translate_to_stop(alt_s[w0:])
    ref_tail = prot[i0:]
    p = common_prefix(ref_tail, alt_tail)
    terms = {"frameshift_variant"}
    if p >= len(ref_tail):
        return _Protein(terms | {"stop_retained_variant"}, "=", len(prot), len(prot), "*", None)
    pos, ref_aa = i0 + p + 1, ref_tail[p]
    new = alt_tail[p] if p < len(alt_tail) else "X"
    if ref_aa == "*":
        terms.add("stop_lost")
        return _Protein(terms, format_ext(pos, new, len(alt_tail) - p - 1 if found else None), pos, pos, "*", None)
    if new == "*":
        terms.add("stop_gained")
        return _Protein(terms, format_fs(ref_aa, pos, "*", None), pos, pos, ref_aa, None)
    return _Protein(terms, format_fs(ref_aa, pos, new, len(alt_tail) - p if found else None), pos, pos, ref_aa, None)


# ------------------------------------------------------------------------------------- checks
def _check(v: Variant, cache: GeneCache) -> Edit:
    if v.chrom != cache.contig:
        raise InputError(
            f"variant {v.key()}: contig {v.chrom} is not the reference's chromosome 9 "
            f"({cache.contig}); harmonise the contig naming before annotation"
        )
    ref, alt = v.ref.upper(), v.alt.upper()
    if not ref or not alt or set(ref + alt) - set("ACGTN") or v.pos < 1:
        raise InputError(
            f"variant {v.key()}: REF/ALT must be non-empty A/C/G/T/N alleles (symbolic alleles go through annotate_sv)"
        )
    if ref == alt:
        raise InputError(f"variant {v.key()}: REF equals ALT (not a variant)")
    if cache.region_start <= v.pos and v.end <= cache.region_end:
        have = cache.fetch(v.pos, v.end)
        if have != ref:
            raise InputError(
                f"variant {v.key()}: REF {ref} does not match the reference ({have}) at "
                f"{cache.contig}:{v.pos}; wrong build or unnormalised VCF"
            )
    return minimal_edit(v.pos, ref, alt)


def _num_field(nums: Sequence[int], total: int) -> str | None:
    if not nums:
        return None
    lo, hi = min(nums), max(nums)
    return f"{lo}/{total}" if lo == hi else f"{lo}-{hi}/{total}"


# ------------------------------------------------------------------------------ single edits
@dataclass
class _Located:
    terms: set[str]
    exons: list[int]
    introns: list[int]
    protein: _Protein | None
    cds_overlap: bool  # touches coding bases (without a full protein prediction when protein is None)
    coding_edit: tuple[int, int, str] | None  # (r0, r1, ins) for edits wholly inside the CDS


def _locate(g: _Gene, e: Edit) -> _Located:
    t = g.t
    a, b = e.start, e.end
    if not _ov(a, b, t.start, t.end):
        return _Located(_flank_terms(t, a, b) or {"intergenic_variant"}, [], [], None, False, None)
    terms, introns = _intron_terms(g, a, b)
    hit = t.exons_overlapping(a, b)
    exons = [x.number for x in hit]
    rng = _tx_range(g, e)
    if rng is not None:
        return _in_mrna(g, e, rng, _Located(terms, exons, introns, None, False, None))
    # touches intronic (or flanking) bases: location terms only
    cds_lo, cds_hi = t.cds_start, t.cds_end
    cds_overlap = _ov(a, b, cds_lo, cds_hi) and any(_ov(max(a, x.start), min(b, x.end), cds_lo, cds_hi) for x in hit)
    if cds_overlap:
        terms.add("coding_sequence_variant")
    for x in hit:
        lo, hi = max(a, x.start), min(b, x.end)
        above, below = hi > cds_hi, lo < cds_lo
        five, three = (above, below) if t.strand < 0 else (below, above)
        if five:
            terms.add("5_prime_UTR_variant")
        if three:
            terms.add("3_prime_UTR_variant")
    if not terms:
        terms.add("intron_variant")
    return _Located(terms, exons, introns, None, cds_overlap, None)


def _flank_terms(t: Transcript, a: int, b: int) -> set[str]:
    """upstream/downstream_gene_variant of an edit outside the transcript (none: intergenic). As VEP, judged
    on the variant end/start nearest the gene."""
    up_lo, up_hi = (t.end + 1, t.end + UPDOWN_DISTANCE) if t.strand < 0 else (t.start - UPDOWN_DISTANCE, t.start - 1)
    dn_lo, dn_hi = (t.start - UPDOWN_DISTANCE, t.start - 1) if t.strand < 0 else (t.end + 1, t.end + UPDOWN_DISTANCE)
    terms: set[str] = set()
    if (t.strand < 0 and up_lo <= a <= up_hi) or (t.strand > 0 and up_lo <= b <= up_hi):
        terms.add("upstream_gene_variant")
    if (t.strand < 0 and dn_lo <= b <= dn_hi) or (t.strand > 0 and dn_lo <= a <= dn_hi):
        terms.add("downstream_gene_variant")
    return terms


def _in_mrna(g: _Gene, e: Edit, rng: tuple[int, int], loc: _Located) -> _Located:
    """An edit wholly in the spliced mRNA (`rng`, from _tx_range): UTR terms, or the protein effect of its coding
    bases. `loc` holds the terms, exons and introns found so far; its terms are added to."""
    terms, exons, introns = loc.terms, loc.exons, loc.introns
    d0, d1 = rng
    r0, r1 = d0 - g.k0, d1 - g.k0
    ins = revcomp(e.alt) if g.t.strand < 0 else e.alt
    if r1 <= 0:
        terms.add("5_prime_UTR_variant")
        return loc
    if r0 >= g.cds_len:
        terms.add("3_prime_UTR_variant")
        return loc
    if r0 < 0:  # spans the 5' UTR and the CDS
        terms.add("5_prime_UTR_variant")
        # VEP: start altered when the CDS is no longer the suffix of the edited 5'UTR+CDS
        edited = g.mrna[:d0] + ins + g.mrna[d1 : g.k0 + g.cds_len]
        if edited[-g.cds_len :] != g.s[: g.cds_len]:
            terms.add("start_lost")
            return _Located(terms, exons, introns, _Protein(set(), "Met1?", 1, 1, "M", None), True, None)
        return loc
    if r1 > g.cds_len:
        terms.add("3_prime_UTR_variant")
    prot = _coding(g, r0, r1, ins)
    terms |= prot.terms
    return _Located(terms, exons, introns, prot, True, (r0, r1, ins))


def _cds_residues(t: Transcript, a: int, b: int) -> tuple[int, int] | None:
    """Residues (1-based) encoded by the coding bases within a..b."""
    cs = []
    for x in t.exons:
        lo, hi = max(a, x.start, t.cds_start), min(b, x.end, t.cds_end)
        if lo <= hi:
            cs += [t.c_pos(lo).base, t.c_pos(hi).base]
    if not cs:
        return None
    return (min(cs) - 1) // 3 + 1, (max(cs) - 1) // 3 + 1


def _p_name(cache: GeneCache, loc: _Located) -> str | None:
    pid = cache.transcript.protein_id
    if loc.terms & CANONICAL_SPLICE:
        return f"{pid}:p.?"
    if loc.protein is not None:
        p = loc.protein.p
        return f"{pid}:p.?" if p == "?" else f"{pid}:p.({p})"
    if loc.cds_overlap:
        return f"{pid}:p.?"
    return None


def _build(
    cache: GeneCache, loc: _Located, hgvs_g: str, hgvs_c: str | None, a: int, b: int, c_change: CEdit | None = None
) -> Annotation:
    t = cache.transcript
    terms = rank_terms(loc.terms)
    pr = loc.protein
    p_name = _p_name(cache, loc)
    start = end = ref_aa = alt_aa = None
    if pr is not None:
        start, end, ref_aa, alt_aa = pr.start, pr.end, pr.ref_aa, pr.alt_aa
    elif p_name is not None and loc.cds_overlap:
        rr = _cds_residues(t, min(a, b), max(a, b))
        if rr:
            start, end = rr
            ref_aa = cache_protein_slice(cache, start, end)
    known = pr is not None and pr.p != "?" and not loc.terms & CANONICAL_SPLICE
    return Annotation(
        protein_known=known,
        consequences=terms,
        impact=impact_of(terms),
        hgvs_g=hgvs_g,
        hgvs_c=hgvs_c,
        hgvs_p=p_name,
        exon=_num_field(loc.exons, t.n_exons),
        intron=_num_field(loc.introns, t.n_exons - 1),
        protein_start=start,
        protein_end=end,
        ref_aa=ref_aa,
        alt_aa=alt_aa,
        c_change=c_change,
        **_facts(_gene(cache), loc, a, b, hgvs_c is not None),
    )


def _facts(g: _Gene, loc: _Located, a: int, b: int, named: bool) -> dict[str, Any]:
    """The typed facts classification reads (PVS1 tree): positions, frame, premature stop, exon skipping."""
    t, pr = g.t, loc.protein
    lo, hi = min(a, b), max(a, b)
    five, three = (hi, lo) if t.strand < 0 else (lo, hi)
    frame = None
    if pr is not None:
        frame = "frameshift" if "frameshift_variant" in loc.terms else "inframe"
    return {
        "exon_numbers": tuple(loc.exons),
        "intron_numbers": tuple(loc.introns),
        "c_start": t.c_pos(five) if named else None,
        "c_end": t.c_pos(three) if named else None,
        "frame": frame,
        "ptc_codon": pr.ptc_codon if pr is not None else None,
        "nmd_escape": pr.nmd_escape if pr is not None else None,
        "splice_skip": _splice_skip(g, loc),
        "next_met": _next_met(g) if "start_lost" in loc.terms else None,
        "protein_length": len(g.prot) - 1,
    }


def _next_met(g: _Gene) -> int | None:
    """The first methionine after Met1 in the reference protein (the next in-frame start codon)."""
    i = g.prot.find("M", 1)
    return i + 1 if i > 0 else None


def _splice_skip(g: _Gene, loc: _Located) -> MrnaEffect | None:
    """A canonical donor (+1/+2) of intron n loses exon n, an acceptor (-1/-2) exon n + 1 (exon skipping, the
    usual outcome; cryptic sites are not predicted). None for the first and last exon, which cannot be skipped."""
    if not loc.terms & CANONICAL_SPLICE or not loc.introns:
        return None
    n = loc.introns[0]
    exon = n if "splice_donor_variant" in loc.terms else n + 1
    if exon in (1, g.t.n_exons):
        return None
    ranges = [r for r in g.bounds if r[0] != exon]
    removed = [r for r in g.bounds if r[0] == exon]
    return _mrna_effect(g, ranges, (exon,), _coding_idx(g, [(x[1], x[2]) for x in removed]), -1)


def _coding_idx(g: _Gene, pieces: Sequence[tuple[int, int]]) -> list[int]:
    """CDS indices (0-based, c.1 = 0) of the coding bases within mRNA index ranges."""
    out: list[int] = []
    for a, b in pieces:
        out += range(max(a - g.k0, 0), min(b - g.k0, g.cds_len))
    return out


def _alt_index(ranges: Sequence[tuple[int, int, int]], k: int) -> int | None:
    """Index in the new mRNA of reference mRNA index k (first copy), None when k was removed."""
    acc = 0
    for _, a, b in ranges:
        if a <= k < b:
            return acc + k - a
        acc += b - a
    return None


def _mrna_effect(
    g: _Gene, ranges: Sequence[tuple[int, int, int]], exons: tuple[int, ...], coding: list[int], sign: int
) -> MrnaEffect:
    """Effect of the new mRNA made of `ranges` ((exon, first, end) reference mRNA index pieces, in order);
    `coding`: CDS indices removed (sign -1) or duplicated (sign +1)."""
    n = len(coding)
    first = min(coding) // 3 + 1 if coding else None
    in_frame = n % 3 == 0
    last = (max(coding) // 3 + 1 if in_frame else len(g.prot) - 1) if coding else None
    alt = "".join(g.mrna[a:b] for _, a, b in ranges)
    k0 = _alt_index(ranges, g.k0)
    if k0 is None or alt[k0 : k0 + 3] != g.s[:3]:
        return MrnaEffect(exons, n, in_frame, first, last, None, None, start_removed=True)
    starts, acc, prev = [], 0, None
    for num, a, b in ranges:
        if num != prev:
            starts.append(acc)
        acc, prev = acc + b - a, num
    ptc, escape = _premature_stop(g, alt[k0:], sign * n, starts[-1] - k0)
    return MrnaEffect(exons, n, in_frame, first, last, ptc, escape)


def cache_protein_slice(cache: GeneCache, start: int, end: int) -> str:
    prot = _gene(cache).prot
    return prot[start - 1 : end]


def annotate(v: Variant, cache: GeneCache) -> Annotation:
    """Annotate one normalised VCF-style variant on the TRPM6 MANE transcript."""
    e = _check(v, cache)
    t = cache.transcript
    loc = _locate(_gene(cache), e)
    c_change = None if loc.terms == {"intergenic_variant"} else c_edit(e, t, cache.fetch)
    hgvs_c = f"{t.transcript_id}:{c_change.canonical()}" if c_change is not None else None
    return _build(cache, loc, f"{t.refseq_chrom}:{format_g(e, cache.fetch)}", hgvs_c, e.start, e.end, c_change)


# -------------------------------------------------------------------------------- haplotypes
# terms read from the codons of a single coding edit: a haplotype replaces them by those of its combined edit
_PROTEIN_TERMS = frozenset(
    {
        "stop_gained",
        "frameshift_variant",
        "stop_lost",
        "start_lost",
        "inframe_insertion",
        "inframe_deletion",
        "missense_variant",
        "protein_altering_variant",
        "stop_retained_variant",
        "synonymous_variant",
        "start_retained_variant",
    }
)


def annotate_haplotype(vs: Sequence[Variant], cache: GeneCache) -> Annotation:
    """Several variants in cis as one allele: one combined protein change when their coding edits share
    the CDS (e.g. two SNVs in a codon, a frameshift and a nearby frame-restoring indel)."""
    if not vs:
        raise InputError("annotate_haplotype needs at least one variant")
    if len(vs) == 1:
        return annotate(vs[0], cache)
    g = _gene(cache)
    t = cache.transcript
    edits = _cis_edits(vs, cache)
    locs = [_locate(g, e) for e in edits]
    coding = sorted((c for c in (l.coding_edit for l in locs) if c is not None), key=lambda c: c[0])
    terms: set[str] = set()
    for l in locs:
        terms |= l.terms - (_PROTEIN_TERMS if l.coding_edit is not None else set())
    protein: _Protein | None = None
    if coding:
        protein = _combined_protein(g, coding)
        terms |= protein.terms
    if len(coding) < len(edits) and any(l.protein is not None and l.protein.p == "Met1?" for l in locs):
        protein = next(l.protein for l in locs if l.protein is not None and l.protein.p == "Met1?")
    loc = _Located(
        terms,
        sorted({x for l in locs for x in l.exons}),
        sorted({x for l in locs for x in l.introns}),
        protein,
        any(l.cds_overlap for l in locs),
        None,
    )
    g_txt, c_txt = _haplotype_names(cache, edits, terms == {"intergenic_variant"})
    return _build(
        cache,
        loc,
        f"{t.refseq_chrom}:{g_txt}",
        f"{t.transcript_id}:{c_txt}" if c_txt else None,
        edits[0].start,
        edits[-1].end,
    )


def _cis_edits(vs: Sequence[Variant], cache: GeneCache) -> list[Edit]:
    """The variants' minimal edits in genomic order; overlapping ones cannot be on one haplotype."""
    edits = sorted((_check(v, cache) for v in vs), key=lambda e: e.start)
    for x, y in zip(edits, edits[1:]):
        if y.start <= x.end or (y.start == x.start):
            raise InputError(
                f"annotate_haplotype: overlapping variants at {cache.contig}:{x.start} and "
                f"{y.start} cannot be on one haplotype"
            )
    return edits


def _combined_protein(g: _Gene, coding: Sequence[tuple[int, int, str]]) -> _Protein:
    """Protein effect of several coding edits (r0, r1, ins), sorted by r0, applied together to the CDS+3'UTR
    string (transcript order = reverse genomic on the minus strand): one replacement from the first edit's
    start to the last one's end."""
    alt = []
    prev = 0
    for r0, r1, ins in coding:
        alt.append(g.s[prev:r0])
        alt.append(ins)
        prev = r1
    alt.append(g.s[prev:])
    alt_s = "".join(alt)
    r0, r1 = coding[0][0], coding[-1][1]
    delta = len(alt_s) - len(g.s)
    return _coding(g, r0, r1, alt_s[r0 : r1 + delta])


def _haplotype_names(cache: GeneCache, edits: Sequence[Edit], intergenic: bool) -> tuple[str, str | None]:
    """(g. text, c. text) of the allele, without accessions: g.[...;...] in genomic order, c.[...;...] in
    transcript order."""
    t = cache.transcript
    names = [format_g(e, cache.fetch) for e in edits]
    g_txt = names[0] if len(names) == 1 else "g.[" + ";".join(n[2:] for n in names) + "]"
    c_txt = None
    if not intergenic:
        ordered = edits if t.strand > 0 else list(reversed(edits))
        cs = [format_c(e, t, cache.fetch) for e in ordered]
        c_txt = "c.[" + ";".join(c[2:] for c in cs) + "]"
    return g_txt, c_txt


# ------------------------------------------------------------------------- structural variants
def annotate_sv(chrom: str, start: int, end: int, svtype: str, cache: GeneCache) -> Annotation:
    """Symbolic <DEL>/<DUP> (also DUP:TANDEM, CNV losses/gains as DEL/DUP).

    `start`..`end` are the first and last deleted/duplicated bases (1-based, inclusive): for a VCF
    record give POS + 1 and INFO/END. Coding length removed (or duplicated) decides frameshift vs
    inframe when both breakpoints are outside exons; p. is always `p.?` for exon-level events.

    SO terms (changed from earlier versions, see docs/classification.md): exon_loss_variant only when a
    deletion contains a whole exon (a deletion of UTR bases or of part of an exon loses no exon); splice-site
    terms of a duplication come from its breakpoints only (a tandem copy keeps both splice sites intact)."""
    t = cache.transcript
    kind = _sv_kind(chrom, start, end, svtype, cache)
    g = _gene(cache)
    exons = tuple(sorted(x.number for x in t.exons if _ov(start, end, x.start, x.end)))
    hg = (
        f"{t.refseq_chrom}:g.{start}_{end}{kind.lower()}"
        if end > start
        else f"{t.refseq_chrom}:g.{start}{kind.lower()}"
    )
    change = _sv_c(t, start, end, kind)
    c_name = f"{t.transcript_id}:{change.canonical()}"
    extent = _sv_extent(g, start, end, kind)
    facts: dict[str, Any] = {
        "exon_numbers": exons,
        "sv": extent,
        "protein_length": len(g.prot) - 1,
        "c_change": change,
    }
    if start <= t.start and end >= t.end:
        term = "transcript_ablation" if kind == "DEL" else "transcript_amplification"
        return Annotation(
            (term,), "HIGH", hg, c_name, f"{t.protein_id}:p.?", _num_field(exons, t.n_exons), None,
            1, len(cache.protein) + 1, None, None, exons, **facts,
        )  # fmt: skip
    if not _ov(start, end, t.start, t.end):
        loc = _locate(g, Edit(start, "N" * (end - start + 1), ""))
        named = None if "intergenic_variant" in loc.terms else c_name
        facts["c_change"] = change if named else None
        return Annotation(
            rank_terms(loc.terms), "MODIFIER", hg, named, None, None, None, None, None, None, None, (), **facts
        )
    terms, introns, p_name, rr = _sv_terms(g, start, end, kind, extent)
    ranked = rank_terms(terms)
    facts |= {"intron_numbers": tuple(introns), "c_start": t.c_pos(max(start, end) if t.strand < 0 else start)}
    facts["c_end"] = t.c_pos(min(start, end) if t.strand < 0 else end)
    facts["next_met"] = _next_met(g) if "start_lost" in terms else None
    return Annotation(
        ranked, impact_of(ranked), hg, c_name, p_name, _num_field(exons, t.n_exons),
        _num_field(introns, t.n_exons - 1), rr[0] if rr else None, rr[1] if rr else None, None, None, exons,
        **facts,
    )  # fmt: skip


def _sv_kind(chrom: str, start: int, end: int, svtype: str, cache: GeneCache) -> str:
    kind = svtype.upper().split(":")[0].strip("<>")
    if kind in ("CN0", "CN1", "LOSS"):
        kind = "DEL"
    if kind in ("GAIN", "TDUP"):
        kind = "DUP"
    if kind not in ("DEL", "DUP"):
        raise InputError(f"structural variant {chrom}:{start}-{end}: type {svtype} is not supported (DEL and DUP are)")
    if chrom != cache.contig:
        raise InputError(f"structural variant {chrom}:{start}-{end}: contig is not {cache.contig}")
    if end < start or start < 1:
        raise InputError(f"structural variant {chrom}:{start}-{end}: END is before the start")
    return kind


def _sv_terms(
    g: _Gene, start: int, end: int, kind: str, extent: SvExtent
) -> tuple[set[str], list[int], str | None, tuple[int, int] | None]:
    """SO terms, introns touched, p. name and residues of a DEL/DUP that overlaps the transcript partly."""
    t = g.t
    span_terms, introns = _intron_terms(g, start, end)
    if kind == "DEL":
        terms = span_terms | {"feature_truncation"} | ({"exon_loss_variant"} if extent.whole_exons else set())
    else:  # a (tandem) copy leaves the splice sites in place: only its breakpoints can disrupt one
        terms = _intron_terms(g, start, start)[0] | _intron_terms(g, end, end)[0] | {"feature_elongation"}
    coding, exons = extent.coding_bases, extent.whole_exons + extent.partial_exons
    p_name, rr = None, None
    if coding:
        rr = _cds_residues(t, start, end)
        p_name = f"{t.protein_id}:p.?"
        cds5 = t.cds_end if t.strand < 0 else t.cds_start
        if _ov(start, end, min(cds5, cds5 - 2 * t.strand), max(cds5, cds5 - 2 * t.strand)) and kind == "DEL":
            terms.add("start_lost")
        elif not extent.partial_exons:
            inframe = "inframe_deletion" if kind == "DEL" else "inframe_insertion"
            terms.add("frameshift_variant" if coding % 3 else inframe)
        else:
            terms.add("coding_sequence_variant")
    else:
        for x in t.exons:
            if _ov(start, end, x.start, x.end):
                terms.add("5_prime_UTR_variant" if (x.end > t.cds_end) == (t.strand < 0) else "3_prime_UTR_variant")
    if not exons and not (terms & CANONICAL_SPLICE):
        terms.add("intron_variant")
    if terms & CANONICAL_SPLICE or exons:
        p_name = f"{t.protein_id}:p.?" if coding or terms & CANONICAL_SPLICE else p_name
    return terms, introns, p_name, rr


def _sv_extent(g: _Gene, start: int, end: int, kind: str) -> SvExtent:
    """Exons wholly or partly in the event, coding bases in it, and the predicted mRNA: the exonic bases
    removed (DEL), or copied once right after themselves (DUP, presumed in tandem)."""
    t = g.t
    whole = tuple(x.number for x in t.exons if start <= x.start and x.end <= end)
    part = tuple(x.number for x in t.exons if _ov(start, end, x.start, x.end) and x.number not in whole)
    inside = [_piece(g, x, max(start, x.start), min(end, x.end)) for x in t.exons if _ov(start, end, x.start, x.end)]
    coding = _coding_idx(g, [(a, b) for _, a, b in inside])
    gene = start <= t.start and end >= t.end
    effect = None
    if coding and not gene:
        if kind == "DEL":
            ranges = [r for x in t.exons for r in _outside(g, x, start, end)]
            effect = _mrna_effect(g, ranges, whole + part, coding, -1)
        else:
            last = max(inside, key=lambda r: r[1])
            ranges = [r for r in g.bounds if r[1] <= last[1]] + inside + [r for r in g.bounds if r[1] > last[1]]
            effect = _mrna_effect(g, ranges, whole + part, coding, 1)
    return SvExtent(kind, whole, part, len(coding), gene, effect)


def _piece(g: _Gene, x: Any, lo: int, hi: int) -> tuple[int, int, int]:
    """(exon, first, end) mRNA index range of the exon's bases lo..hi (genomic, inclusive)."""
    a, b = g.t.tx_pos(lo), g.t.tx_pos(hi)
    assert a is not None and b is not None
    return (x.number, min(a, b) - 1, max(a, b))


def _outside(g: _Gene, x: Any, start: int, end: int) -> list[tuple[int, int, int]]:
    """mRNA index ranges of the bases of exon x that lie outside start..end, in transcript order."""
    parts = [(x.start, min(x.end, start - 1)), (max(x.start, end + 1), x.end)]
    return sorted(_piece(g, x, lo, hi) for lo, hi in parts if lo <= hi)


def _sv_c(t: Transcript, start: int, end: int, kind: str) -> CEdit:
    a, b = (end, start) if t.strand < 0 else (start, end)
    return CEdit(t.c_pos(a), t.c_pos(b), kind.lower())
