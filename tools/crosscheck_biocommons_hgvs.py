#!/usr/bin/env python3
"""Cross-check our genome <-> c. mapping and HGVS c./p. naming against the biocommons `hgvs` package.

Offline: no UTA, no SeqRepo. A small local data provider (`LocalHDP`) serves hgvs the TRPM6 MANE
transcript (exon table, CDS bounds, spliced sequence) and the genomic sequence from our gene cache of the
synthetic GRCh38 stand-in. hgvs then does its own mapping (CIGAR-based AlignmentMapper), its own
3' normalisation (Normalizer) and its own translation (c_to_p); only the *inputs* (exon coordinates,
reference bases) come from our side.

hgvs is pinned in pyproject.toml (extra `oracle`, a test dependency); the project's .venv has it where psycopg2 could be built:

    .venv/bin/python tools/crosscheck_biocommons_hgvs.py [--indels 2000] [--seed 1] [--show 5]

The same run is a test: `.venv/bin/python -m pytest -m oracle tests/test_hgvs_biocommons.py`.

Prints counts per comparison and per disagreement class; exit status 1 when a disagreement that is not a
known convention difference shows up. See docs/hgvs_crosscheck.md.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REF38 = ROOT / "resources/demo/reference/GRCh38_synthetic_chr9.fa.gz"
ALN = "splign"

import hgvs  # noqa: E402
import hgvs.dataproviders.interface  # noqa: E402
import hgvs.edit  # noqa: E402
import hgvs.location  # noqa: E402
import hgvs.normalizer  # noqa: E402
import hgvs.parser  # noqa: E402
import hgvs.posedit  # noqa: E402
import hgvs.sequencevariant  # noqa: E402
import hgvs.variantmapper  # noqa: E402
from hgvs.alignmentmapper import AlignmentMapper  # noqa: E402
from hgvs.enums import Datum  # noqa: E402
from hgvs.exceptions import HGVSError, HGVSUnsupportedOperationError  # noqa: E402

from hshpipe.consequence import annotate  # noqa: E402
from hshpipe.hgvs import minimal_edit  # noqa: E402
from hshpipe.model import Variant  # noqa: E402
from hshpipe.reference import build_gene_cache, revcomp  # noqa: E402


# ---------------------------------------------------------------------------------- data provider
class LocalHDP(hgvs.dataproviders.interface.Interface):
    """Minimal hgvs data provider for one transcript on one genomic region (the gene cache)."""

    required_version = "1.1"

    def __init__(self, cache):
        self.c = cache
        t = cache.transcript
        self.t = t
        self.tx_ac, self.alt_ac, self.pro_ac = t.transcript_id, t.refseq_chrom, t.protein_id
        parts, exons, acc = [], [], 0
        for i, e in enumerate(t.exons):  # transcript order
            s = cache.fetch(e.start, e.end)
            parts.append(revcomp(s) if t.strand < 0 else s)
            exons.append(
                dict(
                    tx_ac=self.tx_ac,
                    alt_ac=self.alt_ac,
                    alt_aln_method=ALN,
                    alt_strand=t.strand,
                    ord=i,
                    tx_start_i=acc,
                    tx_end_i=acc + e.length,
                    alt_start_i=e.start - 1,
                    alt_end_i=e.end,
                    cigar=f"{e.length}=",
                    tx_exon_set_id=1,
                    alt_exon_set_id=1,
                    tx_exon_id=i,
                    alt_exon_id=i,
                    exon_aln_id=i,
                )
            )
            acc += e.length
        self.tx_seq = "".join(parts)
        # UTA returns exons in genomic order; AlignmentMapper builds its CIGAR from that order
        self.exons = sorted(exons, key=lambda x: x["alt_start_i"])
        cds5 = t.cds_end if t.strand < 0 else t.cds_start
        cds3 = t.cds_start if t.strand < 0 else t.cds_end
        self.cds_start_i = t.tx_pos(cds5) - 1
        self.cds_end_i = t.tx_pos(cds3)
        self.lengths = [e.length for e in t.exons]
        super().__init__()

    def data_version(self):
        return "local-trpm6"

    def schema_version(self):
        return "1.1"

    def sequence_source(self):
        return "local gene cache"

    def get_seq(self, ac, start_i=None, end_i=None):
        if ac == self.tx_ac:
            s = self.tx_seq
            return s[start_i or 0 : len(s) if end_i is None else end_i]
        if ac == self.pro_ac:
            return self.c.protein
        if ac == self.alt_ac:
            lo = self.c.region_start - 1  # 0-based start of cache.seq
            a = lo if start_i is None else start_i
            b = lo + len(self.c.seq) if end_i is None else end_i
            a, b = max(a, lo), min(b, lo + len(self.c.seq))
            return self.c.seq[a - lo : b - lo] if a < b else ""
        raise hgvs.exceptions.HGVSDataNotAvailableError(f"no sequence for {ac}")

    def get_tx_exons(self, tx_ac, alt_ac, alt_aln_method):
        return [dict(e) for e in self.exons] if (tx_ac, alt_ac) == (self.tx_ac, self.alt_ac) else None

    def get_tx_info(self, tx_ac, alt_ac, alt_aln_method):
        if (tx_ac, alt_ac) != (self.tx_ac, self.alt_ac):
            return None
        return dict(
            hgnc=self.t.gene,
            cds_start_i=self.cds_start_i,
            cds_end_i=self.cds_end_i,
            tx_ac=tx_ac,
            alt_ac=alt_ac,
            alt_aln_method=alt_aln_method,
        )

    def get_tx_identity_info(self, tx_ac):
        if tx_ac != self.tx_ac:
            return None
        return dict(
            tx_ac=tx_ac,
            alt_ac=tx_ac,
            alt_aln_method="transcript",
            cds_start_i=self.cds_start_i,
            cds_end_i=self.cds_end_i,
            lengths=self.lengths,
            hgnc=self.t.gene,
        )

    def get_tx_mapping_options(self, tx_ac):
        return [dict(tx_ac=tx_ac, alt_ac=self.alt_ac, alt_aln_method=ALN)] if tx_ac == self.tx_ac else []

    def get_pro_ac_for_tx_ac(self, tx_ac):
        return self.pro_ac if tx_ac == self.tx_ac else None

    def get_acs_for_protein_seq(self, seq):
        return [self.pro_ac]

    def get_gene_info(self, gene):
        return dict(hgnc=self.t.gene) if gene == self.t.gene else None

    def get_tx_for_gene(self, gene):
        return []

    def get_tx_for_region(self, alt_ac, alt_aln_method, start_i, end_i):
        return []

    def get_similar_transcripts(self, tx_ac):
        return []

    def get_assembly_map(self, assembly_name):
        return {self.alt_ac: "9"}


class SegmentGNormalizer(hgvs.normalizer.Normalizer):
    """hgvs's own Normalizer on g., bounded to the exon/intron/flank holding the variant (hgvs only bounds
    n./c. variants, and refuses intronic ones). Bounds come from the data provider's exon table."""

    def __init__(self, hdp, **kw):
        super().__init__(hdp, **kw)
        self._bounds = []
        ex = hdp.exons  # genomic order, 0-based half-open
        edges = [0]
        for e in ex:
            edges += [e["alt_start_i"], e["alt_end_i"]]
        edges.append(float("inf"))
        self._bounds = list(zip(edges[:-1], edges[1:]))

    def _get_boundary(self, var):
        if var.type != "g":
            return super()._get_boundary(var)
        s, e = var.posedit.pos.start.base - 1, var.posedit.pos.end.base - 1
        if var.posedit.edit.type == "ins":  # between start and end: bound by the left flank's segment
            e = s
        for lo, hi in self._bounds:
            if lo <= s < hi:
                if not (lo <= e < hi):
                    raise HGVSUnsupportedOperationError("spans a segment boundary")
                return lo, hi
        raise HGVSUnsupportedOperationError("outside")


# ------------------------------------------------------------------------------------- the checker
class Crosscheck:
    def __init__(self, cache=None):
        self.cache = cache or build_gene_cache(REF38)
        self.t = self.cache.transcript
        self.hdp = LocalHDP(self.cache)
        self.hp = hgvs.parser.Parser()
        self.vm = hgvs.variantmapper.VariantMapper(self.hdp, replace_reference=False, prevalidation_level="INTRINSIC")
        self.am = AlignmentMapper(self.hdp, self.t.transcript_id, self.t.refseq_chrom, ALN)
        tx3 = 3 if self.t.strand > 0 else 5  # transcript 3' in genomic terms
        self.norm_c = hgvs.normalizer.Normalizer(
            self.hdp,
            shuffle_direction=3,
            cross_boundaries=False,
            alt_aln_method=ALN,
            variantmapper=self.vm,
            validate=False,
        )
        self.norm_g_tx3 = SegmentGNormalizer(
            self.hdp, shuffle_direction=tx3, alt_aln_method=ALN, variantmapper=self.vm, validate=False
        )
        self.norm_g_tx3_free = hgvs.normalizer.Normalizer(
            self.hdp, shuffle_direction=tx3, alt_aln_method=ALN, variantmapper=self.vm, validate=False
        )
        self.norm_g_fwd3 = hgvs.normalizer.Normalizer(
            self.hdp, shuffle_direction=3, alt_aln_method=ALN, variantmapper=self.vm, validate=False
        )

    # -- positions
    def hgvs_c_of_g(self, g: int) -> str:
        iv = hgvs.location.Interval(start=hgvs.location.SimplePosition(g), end=hgvs.location.SimplePosition(g))
        pc = self.am.n_to_c(self.am.g_to_n(iv, strict_bounds=False), strict_bounds=False)
        return _pos_str(pc.start)

    def hgvs_g_of_c(self, cpos_text: str) -> int:
        v = self.hp.parse_hgvs_variant(f"{self.t.transcript_id}:c.{cpos_text}A>C")
        return self.am.n_to_g(self.am.c_to_n(v.posedit.pos, strict_bounds=False), strict_bounds=False).start.base

    def position_set(self) -> list[tuple[str, int]]:
        """(class, g) for every exonic CDS base, every 25th UTR base (and each UTR exon edge), 30 bp into
        each intron side, the middle base(s) of each intron, and a few bases beyond the transcript ends."""
        t = self.t
        out: list[tuple[str, int]] = []
        utr_seen = 0
        for e in t.exons:
            rng = range(e.end, e.start - 1, -1) if t.strand < 0 else range(e.start, e.end + 1)
            for g in rng:
                if t.cds_start <= g <= t.cds_end:
                    out.append(("cds", g))
                else:
                    if utr_seen % 25 == 0 or g in (e.start, e.end) or g in (t.cds_start - 1, t.cds_end + 1):
                        out.append(("utr", g))
                    utr_seen += 1
        for i in range(len(t.exons) - 1):
            a, b = t.exons[i], t.exons[i + 1]
            lo, hi = (b.end + 1, a.start - 1) if t.strand < 0 else (a.end + 1, b.start - 1)
            for k in range(30):
                out += [("intron", lo + k), ("intron", hi - k)]
            mid = (lo + hi) // 2
            out += [("intron_mid", mid), ("intron_mid", mid + 1)]
        for k in (1, 2, 50, 500):
            out += [("flank", t.start - k), ("flank", t.end + k)]
        return out

    # -- variants
    def ours(self, v: Variant):
        return annotate(v, self.cache)

    def g_variant(self, v: Variant):
        e = minimal_edit(v.pos, v.ref, v.alt)
        ac = self.t.refseq_chrom
        if e.kind == "sub":
            s = f"{ac}:g.{e.start}{e.ref}>{e.alt}"
        elif e.kind == "del":
            s = f"{ac}:g.{e.start}_{e.end}del{e.ref}" if e.end > e.start else f"{ac}:g.{e.start}del{e.ref}"
        elif e.kind == "ins":
            s = f"{ac}:g.{e.start - 1}_{e.start}ins{e.alt}"
        else:
            s = (
                f"{ac}:g.{e.start}_{e.end}del{e.ref}ins{e.alt}"
                if e.end > e.start
                else f"{ac}:g.{e.start}del{e.ref}ins{e.alt}"
            )
        return self.hp.parse_hgvs_variant(s)

    def theirs(self, v: Variant) -> dict:
        """hgvs's names. path: 'c' (g_to_c then c. normaliser), 'g' (intronic or boundary-spanning: hgvs's
        g. normaliser toward the transcript 3' end bounded to the segment, then g_to_c), 'sub'."""
        import copy

        out: dict = {}
        vg = self.g_variant(v)
        out["g"] = _fmt(self.norm_g_fwd3.normalize(copy.deepcopy(vg)))
        if vg.posedit.edit.type == "sub":
            vc = self.vm.g_to_c(copy.deepcopy(vg), self.t.transcript_id, alt_aln_method=ALN)
            out.update(path="sub", c=_fmt(vc), c_unnorm=_fmt(vc), var_c=vc)
            return out
        vc0 = self.vm.g_to_c(copy.deepcopy(vg), self.t.transcript_id, alt_aln_method=ALN)
        out["c_unnorm"] = _fmt(vc0)
        try:
            vc = self.norm_c.normalize(copy.deepcopy(vc0))
            out.update(path="c", c=_fmt(vc), var_c=vc)
        except HGVSUnsupportedOperationError as exc:
            out["c_refused"] = str(exc).split(" (")[0]
            try:
                gn = self.norm_g_tx3.normalize(copy.deepcopy(vg))
                vc = self.vm.g_to_c(gn, self.t.transcript_id, alt_aln_method=ALN)
                out.update(path="g", c=_fmt(vc), var_c=vc)
            except HGVSUnsupportedOperationError:
                out.update(path="unnormalised", c=_fmt(vc0), var_c=vc0)
        gf = self.norm_g_tx3_free.normalize(copy.deepcopy(vg))
        out["c_free"] = _fmt(self.vm.g_to_c(gf, self.t.transcript_id, alt_aln_method=ALN))
        return out

    def their_p(self, var_c) -> str:
        return str(self.vm.c_to_p(var_c))


def _pos_str(p) -> str:
    base = p.base
    s = f"*{base}" if p.datum == Datum.CDS_END else str(base)
    if p.offset:
        s += f"{p.offset:+d}"
    return s


def _fmt(v) -> str:
    """hgvs variant text without stated deleted/duplicated bases (our style: c.10del, not c.10delA)."""
    return v.format(conf={"max_ref_length": 0})


# ------------------------------------------------------------------------------ p. notation normaliser
_AA1 = dict(
    Ala="A",
    Arg="R",
    Asn="N",
    Asp="D",
    Cys="C",
    Gln="Q",
    Glu="E",
    Gly="G",
    His="H",
    Ile="I",
    Leu="L",
    Lys="K",
    Met="M",
    Phe="F",
    Pro="P",
    Ser="S",
    Thr="T",
    Trp="W",
    Tyr="Y",
    Val="V",
    Ter="*",
    Sec="U",
    Xaa="X",
)


def p_notation(name: str | None) -> str | None:
    """Notation-only normalisation of a p. name: drop the accession and the prediction parentheses,
    write stops as Ter (`*`, `X` -> Ter), `fs*12`/`fsX12` -> `fsTer12`, `extTer?` -> `ext*?` style unified."""
    if name is None:
        return None
    s = name.split(":", 1)[-1]
    s = s[2:] if s.startswith("p.") else s
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1]
    s = s.replace("*", "Ter")
    s = re.sub(r"(fs|ext)X", r"\1Ter", s)
    return s


# ------------------------------------------------------------------------------------ variant sets
def snv_set(cc: Crosscheck, positions: list[tuple[str, int]], step: int = 1) -> list[Variant]:
    out = []
    for k, (_, g) in enumerate(positions):
        if k % step:
            continue
        ref = cc.cache.fetch(g, g)
        out += [Variant(cc.cache.contig, g, ref, a) for a in "ACGT" if a != ref]
    return out


def _tandem_runs(seq: str, offset: int, unit: int, min_copies: int):
    """(start_g, end_g, unit_seq) of perfect tandem runs of `unit`-bp motifs, >= min_copies copies."""
    i, n = 0, len(seq)
    while i + unit <= n:
        m = seq[i : i + unit]
        j = i + unit
        while j + unit <= n and seq[j : j + unit] == m:
            j += unit
        copies = (j - i) // unit
        if copies >= min_copies and (unit == 1 or len(set(m)) > 1):
            yield offset + i, offset + j - 1, m
            i = j - unit + 1 if unit > 1 else j
        else:
            i += 1


def indel_set(cc: Crosscheck, n: int = 2000, seed: int = 1) -> list[tuple[str, Variant]]:
    """~n small (1-10 bp) deletions, insertions and duplications, VCF-style with an anchor base, placed in
    homopolymers, di/tri/tetra-nucleotide repeats and near exon edges (exons and 40 bp of flanking intron),
    at random (not necessarily left-aligned) positions within the repeat."""
    rng = random.Random(seed)
    c, t = cc.cache, cc.t
    windows = [(max(e.start - 40, c.region_start + 1), min(e.end + 40, c.region_end - 1)) for e in t.exons]
    runs = {1: [], 2: [], 3: [], 4: []}
    for lo, hi in windows:
        s = c.fetch(lo, hi)
        runs[1] += list(_tandem_runs(s, lo, 1, 4))
        for u in (2, 3, 4):
            runs[u] += list(_tandem_runs(s, lo, u, 2))
    edges = []
    for e in t.exons:
        edges += [e.start, e.end + 1]  # a boundary lies just before these positions

    def fetch(a, b):
        return c.fetch(a, b)

    def make(cls, pos, kind, length, motif=None):
        # pos: first affected base (del) / insertion point before pos (ins, dup)
        if kind == "del":
            ref = fetch(pos - 1, pos + length - 1)
            return cls, Variant(c.contig, pos - 1, ref, ref[0])
        if kind == "dup":
            ins = fetch(pos - length, pos - 1)
        elif motif:
            k = length // len(motif) + 1
            ins = (motif * k)[:length]
            ins = ins if len(ins) == length else (motif * k)[:length]
        else:
            ins = "".join(rng.choice("ACGT") for _ in range(length))
        a = fetch(pos - 1, pos - 1)
        return cls, Variant(c.contig, pos - 1, a, a + ins)

    out: list[tuple[str, Variant]] = []
    per = n // 4
    # homopolymers
    for _ in range(per):
        lo, hi, m = rng.choice(runs[1])
        L = rng.randint(1, min(10, hi - lo + 1))
        kind = rng.choice(["del", "dup", "ins"])
        if kind == "del":
            out.append(make("homopolymer", rng.randint(lo, hi - L + 1), "del", L))
        elif kind == "dup":
            out.append(make("homopolymer", rng.randint(lo + L, hi + 1), "dup", L))
        else:
            out.append(make("homopolymer", rng.randint(lo, hi + 1), "ins", L, motif=m))
    # short tandem repeats (unit 2-4), whole units and partial units
    for _ in range(per):
        u = rng.choice([2, 2, 3, 3, 4])
        lo, hi, m = rng.choice(runs[u])
        L = rng.choice([u, u, 2 * u, rng.randint(1, 10)])
        L = min(L, 10)
        kind = rng.choice(["del", "dup", "ins"])
        if kind == "del" and hi - lo + 1 >= L:
            out.append(make("repeat", rng.randint(lo, hi - L + 1), "del", L))
        elif kind == "dup" and hi - lo + 1 >= L:
            out.append(make("repeat", rng.randint(lo + L, hi + 1), "dup", L))
        else:
            p = rng.randint(lo, hi + 1)
            off = (p - lo) % u
            out.append(make("repeat", p, "ins", L, motif=m[off:] + m[:off]))
    # near exon edges: within 12 bp either side of every exon/intron boundary
    for _ in range(per):
        b = rng.choice(edges)
        p = b + rng.randint(-12, 12)
        L = rng.randint(1, 10)
        kind = rng.choice(["del", "dup", "ins", "ins_copy"])
        if kind == "del":
            out.append(make("exon_edge", p, "del", L))
        elif kind == "dup":
            out.append(make("exon_edge", p, "dup", L))
        elif kind == "ins":
            out.append(make("exon_edge", p, "ins", L))
        else:  # insert a copy of the following bases (dup seen from the other side)
            ins = fetch(p, p + L - 1)
            a = fetch(p - 1, p - 1)
            out.append(("exon_edge", Variant(c.contig, p - 1, a, a + ins)))
    # around the start and stop codons (CDS/UTR junctions, stop loss by indel): every del/dup of 1-4 bp
    # and a random 1-3 bp insertion at each position from 6 bp before to 6 bp after each codon
    for b in (t.cds_start, t.cds_end):
        for p in range(b - 8, b + 9):
            for L in (1, 2, 3, 4):
                out.append(make("start_stop_codon", p, "del", L))
                out.append(make("start_stop_codon", p, "dup", L))
            out.append(make("start_stop_codon", p, "ins", rng.randint(1, 3)))
    # random anywhere in the coding exons / UTR exons (plain context)
    exon_bases = [g for e in t.exons for g in range(e.start, e.end + 1)]
    while len(out) < n:
        p = rng.choice(exon_bases)
        L = rng.randint(1, 10)
        kind = rng.choice(["del", "dup", "ins"])
        out.append(make("random_exonic", p, kind, L))
    # drop no-op or duplicate records
    seen, uniq = set(), []
    for cls, v in out:
        if v.ref == v.alt or v.key() in seen:
            continue
        seen.add(v.key())
        uniq.append((cls, v))
    return uniq


# ----------------------------------------------------------------------------------- comparisons
def _apply_g(cc: Crosscheck, var_g) -> str | None:
    """Alt sequence of the gene-cache region after applying an hgvs g. variant (None if not applicable)."""
    c = cc.cache
    pe = var_g.posedit
    s, e = pe.pos.start.base, pe.pos.end.base
    ed = pe.edit
    seq, lo = c.seq, c.region_start
    if ed.type == "ins":
        if e != s + 1:
            return None
        return seq[: s - lo + 1] + ed.alt + seq[s - lo + 1 :]
    if ed.type == "dup":
        return seq[: e - lo + 1] + seq[s - lo : e - lo + 1] + seq[e - lo + 1 :]
    alt = ed.alt or ""
    return seq[: s - lo] + alt + seq[e - lo + 1 :]


def equivalent(cc: Crosscheck, c_a: str, c_b: str) -> bool | None:
    """Do two c. names describe the same genomic allele (both mapped back with hgvs c_to_g)?"""
    try:
        ga = cc.vm.c_to_g(cc.hp.parse_hgvs_variant(c_a), cc.t.refseq_chrom, alt_aln_method=ALN)
        gb = cc.vm.c_to_g(cc.hp.parse_hgvs_variant(c_b), cc.t.refseq_chrom, alt_aln_method=ALN)
    except HGVSError:
        return None
    a, b = _apply_g(cc, ga), _apply_g(cc, gb)
    if a is None or b is None:
        return False
    return a == b


def _is_intron_middle(t, g: int) -> bool:
    cp = t.c_pos(g)
    if not cp.offset:
        return False
    i = t.intron_at(g)
    if i is None:
        return False
    a, b = t.exons[i - 1], t.exons[i]
    lo, hi = (b.end + 1, a.start - 1) if t.strand < 0 else (a.end + 1, b.start - 1)
    return (hi - lo + 1) % 2 == 1 and g == (lo + hi) // 2


_POS_RE = re.compile(r"c\.([-*]?\d+)([-+]\d+)?(?:_([-*]?\d+)([-+]\d+)?)?(del|ins|dup|delins|[ACGT]>)")


def _junction_side(cc: Crosscheck, v: Variant) -> str | None:
    """'acceptor'/'donor' when the minimal edit is a pure insertion exactly at an exon/intron junction."""
    e = minimal_edit(v.pos, v.ref, v.alt)
    if e.kind != "ins":
        return None
    t = cc.t
    x, y = e.start - 1, e.start  # flanking genomic bases
    ex_x, ex_y = t.exon_at(x) is not None, t.exon_at(y) is not None
    if ex_x == ex_y or not (t.start <= x and y <= t.end):
        return None
    exonic = x if ex_x else y
    ex = t.exon_at(exonic)
    first = ex.end if t.strand < 0 else ex.start  # first exon base in transcript order
    return "acceptor" if exonic == first else "donor"


def _spans_boundary(name: str) -> bool:
    m = _POS_RE.search(name)
    if not m or m.group(3) is None:
        return False
    return bool(m.group(2)) != bool(m.group(4))


def _exon_to_exon_ins(cc: Crosscheck, name: str) -> bool:
    """hgvs's c.N_(N+1)ins with N the last base of an exon: adjacent in the mRNA, not in the genome."""
    m = _POS_RE.search(name)
    if not m or m.group(5) != "ins" or m.group(2) or m.group(4):
        return False
    try:
        g = cc.vm.c_to_g(cc.hp.parse_hgvs_variant(name), cc.t.refseq_chrom, alt_aln_method=ALN)
    except HGVSError:
        return True
    return g.posedit.edit.type != "ins"


def classify_c(cc: Crosscheck, v: Variant, ours: str | None, th: dict) -> str:
    """Agreement class of a c. name pair (see docs/hgvs_crosscheck.md)."""
    if ours == th["c"]:
        return "agree"
    t = cc.t
    if len(v.ref) == len(v.alt) == 1 and _is_intron_middle(t, v.pos):
        return "intron_middle_base(hgvs-side)"
    if th.get("path") == "unnormalised":
        return "hgvs_refused_normalisation"
    eq = equivalent(cc, ours, th["c"])
    if not eq:
        if _exon_to_exon_ins(cc, th["c"]):
            return "exon_end_ins_across_intron(hgvs-side)"
        return "REAL_not_equivalent"
    side = _junction_side(cc, v)
    if side:
        return f"junction_ins_not_shifted_{side}(ours)"
    if _spans_boundary(ours) or _spans_boundary(th["c"]):
        return "dup_across_exon_intron_boundary(convention)"
    e = minimal_edit(v.pos, v.ref, v.alt)
    if any(abs(e.start - b) <= 20 for b in (t.cds_start, t.cds_end)):
        return "cds_utr_bound(hgvs-side convention)"
    return "REAL_equivalent_other_position"


def run(n_indels=2000, seed=1, show=5, snv_step=1, out=print) -> dict:
    cc = Crosscheck()
    t = cc.t
    res: dict = {}

    # (1) positions
    pos = cc.position_set()
    pc = Counter()
    bad_pos = []
    for cls, g in pos:
        ours = str(t.c_pos(g))
        theirs = cc.hgvs_c_of_g(g)
        back_o = t.genomic_of_c(t.c_pos(g))
        back_t = cc.hgvs_g_of_c(theirs)
        ok = ours == theirs and back_o == back_t == g
        if not ok and back_o == back_t == g and _is_intron_middle(t, g):
            ok = "middle"
        pc[(cls, ok)] += 1
        if ok is not True:
            bad_pos.append((cls, g, ours, theirs, back_o, back_t))
    out("== (1) g <-> c position mapping (c_pos / genomic_of_c vs AlignmentMapper g_to_c / c_to_g)")
    for cls in ("cds", "utr", "intron", "intron_mid", "flank"):
        a, b, m = pc[(cls, True)], pc[(cls, False)], pc[(cls, "middle")]
        out(
            f"  {cls:11s} {a + b + m:6d} compared  {a:6d} agree  {m:4d} middle-of-odd-intron (hgvs writes -)  "
            f"{b:4d} differ"
        )
    for x in bad_pos[:show]:
        out(f"    differ: {x}")
    res["positions"] = pc
    res["positions_bad"] = [x for x in bad_pos if not _is_intron_middle(t, x[1])]

    # (2) + (3) variants
    snvs = snv_set(cc, [p for p in pos if p[0] != "flank"], snv_step)
    indels = indel_set(cc, n_indels, seed)
    variants = [("snv", v) for v in snvs] + indels
    cnt_c, cnt_g, cnt_p = Counter(), Counter(), Counter()
    examples = defaultdict(list)
    paths = Counter()
    free_diff = Counter()
    for cls, v in variants:
        kind = "snv" if cls == "snv" else minimal_edit(v.pos, v.ref, v.alt).kind
        try:
            a = cc.ours(v)
        except Exception as exc:  # noqa: BLE001 - a crash in our annotate() is a finding
            cnt_c[(cls, "REAL_ours_crash")] += 1
            try:
                th = cc.theirs(v)
                theirs_txt = (th["c"], cc.their_p(th["var_c"]))
            except HGVSError as exc2:
                theirs_txt = repr(exc2)
            examples["c_REAL_ours_crash"].append((cls, v.key(), repr(exc), theirs_txt))
            continue
        try:
            th = cc.theirs(v)
        except HGVSError as exc:
            k = "hgvs_out_of_bounds" if "beyond the bounds" in str(exc) or "out of bounds" in str(exc) else "hgvs_error"
            cnt_c[(cls, k)] += 1
            examples[k].append((v.key(), a.hgvs_c, repr(exc)))
            continue
        paths[th["path"]] += 1
        # g.
        og = a.hgvs_g
        cnt_g["agree" if og == th["g"] else "REAL"] += 1
        if og != th["g"]:
            examples["g_REAL"].append((v.key(), og, th["g"]))
        # c.
        k = classify_c(cc, v, a.hgvs_c, th)
        cnt_c[(cls, k)] += 1
        if k != "agree":
            examples[f"c_{k}"].append((cls, v.key(), a.hgvs_c, th["c"], th.get("c_refused", "")))
        if th.get("c_free") and th["c_free"] != th["c"]:
            free_diff[th["path"]] += 1
            examples["unbounded_g_shift_differs"].append((v.key(), a.hgvs_c, th["c"], th["c_free"]))
        # p.: coding changes only (our annotation has a protein prediction, and no intronic offset)
        if (
            a.hgvs_p is not None
            and th["path"] in ("c", "sub")
            and "+" not in th["c"].split("c.")[1]
            and not re.search(r"\d-\d", th["c"].split("c.")[1])
            and k == "agree"
        ):
            try:
                tp = cc.their_p(th["var_c"])
            except (HGVSError, NotImplementedError, ValueError, IndexError) as exc:
                cnt_p[(kind, "hgvs_error")] += 1
                examples["p_hgvs_error"].append((v.key(), th["c"], a.hgvs_p, repr(exc)))
                continue
            o, h = a.hgvs_p, tp
            if o == h:
                pk = "agree_exact"
            elif p_notation(o) == p_notation(h):
                pk = "agree_notation"
            else:
                pk = p_class(o, h, th["c"])
            cnt_p[(kind, pk)] += 1
            if pk not in ("agree_exact",):
                examples[f"p_{pk}"].append((v.key(), th["c"], o, h))
    out(f"\n== (2) HGVS names: {len(snvs)} SNVs + {len(indels)} indels (hgvs path: {dict(paths)})")
    out(f"  g. (our format_g vs hgvs Normalizer 3' on g.): {dict(cnt_g)}")
    out("  c. (annotate() vs g_to_c + Normalizer 3', no boundary crossing):")
    for cls in ["snv", "homopolymer", "repeat", "exon_edge", "start_stop_codon", "random_exonic"]:
        row = {k: n for (c_, k), n in cnt_c.items() if c_ == cls}
        out(f"    {cls:14s} {sum(row.values()):6d}  {row}")
    out(f"  hgvs unbounded g. shift would give another c. name (boundary crossing) in {dict(free_diff)} cases")
    out("\n== (3) p. names (ours vs VariantMapper.c_to_p), coding variants whose c. names agree:")
    for kind in ["snv", "del", "ins", "delins"]:
        row = {k: n for (c_, k), n in cnt_p.items() if c_ == kind}
        if row:
            out(f"    {kind:7s} {sum(row.values()):6d}  {row}")
    for key in sorted(examples):
        if (
            key.startswith(("c_", "g_", "p_", "hgvs", "unbounded"))
            and key != "p_agree_notation"
            and not (key == "c_intron_middle_base(hgvs-side)" and show < 3)
        ):
            out(f"\n  examples {key} ({len(examples[key])}):")
            for x in examples[key][:show]:
                out(f"    {x}")
    out("\n  examples p_agree_notation (notation-only differences):")
    seen = set()
    for x in examples["p_agree_notation"]:
        shape = re.sub(r"\d+", "N", x[3])
        if shape not in seen:
            seen.add(shape)
            out(f"    {x}")
    res.update(c=cnt_c, g=cnt_g, p=cnt_p, examples=examples, paths=paths, free_diff=free_diff)
    return res


def p_class(ours: str, theirs: str, c_name: str) -> str:
    """Class of a p. disagreement that is more than notation."""
    o, h = p_notation(ours), p_notation(theirs)
    m_o, m_h = re.match(r"Ter(\d+)(\w{3})extTer(\d+)$", o), re.match(r"Ter(\d+)(\w{3})extTer(\d+)$", h)
    if m_o and m_h and m_o.group(1, 2) == m_h.group(1, 2) and int(m_o.group(3)) == int(m_h.group(3)) + 1:
        return "REAL_ext_length_plus1(ours)"
    if (re.fullmatch(r"Ter\d+=", o) or o == "=") and re.fullmatch(r"Ter\d+Ter", h):
        return "stop_retained_written_TerNTer(hgvs-side)"
    m_d, m_t = re.fullmatch(r"(\w{3})(\d+)del", o), re.fullmatch(r"(\w{3})(\d+)Ter", h)
    if m_d and m_t and m_d.groups() == m_t.groups():
        return "last_residue_del_written_as_Ter(hgvs-side)"
    m_u, m_e = re.fullmatch(r"(\w{3})(\d+)dup", o), re.fullmatch(r"Ter(\d+)(\w{3})extTer1", h)
    if m_u and m_e and int(m_e.group(1)) == int(m_u.group(2)) + 1 and m_e.group(2) == m_u.group(1):
        return "same_protein_dup_vs_ext(description choice)"
    if h == "?" and ("dup" in c_name or "ins" in c_name):
        return "hgvs_ins_at_boundary_is_intronic(convention)"
    if "ins" in o and "Ter" in o and h.startswith(o) and len(h) > len(o):
        return "hgvs_keeps_residues_after_new_stop(hgvs-side)"
    return "REAL"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--indels", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--snv-step", type=int, default=1, help="SNVs at every k-th compared position")
    a = ap.parse_args(argv)
    r = run(a.indels, a.seed, a.show, a.snv_step)
    real = sum(n for (c, k), n in r["c"].items() if k.startswith("REAL") or k == "hgvs_error")
    real += r["g"].get("REAL", 0)
    real += sum(n for (c, k), n in r["p"].items() if k.startswith("REAL") or k == "hgvs_error")
    real += sum(1 for _ in r["positions_bad"])
    print(f"\ndisagreements in REAL*/hgvs_error classes: {real}")
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
