"""Compare annotate() with bcftools csq and SnpEff on a variant set.

Vocabulary normalisation (documented in docs/consequence_agreement.md):
- peers' names are mapped to SO terms (peers.CSQ_TO_SO, peers.SNPEFF_TO_SO);
- VEP-only refinements are projected onto the peers' vocabulary: splice_donor_5th_base_variant and
  splice_donor_region_variant (SO children of splice_region_variant, inside the peers' intron 3-8
  window) -> splice_region_variant; splice_polypyrimidine_tract_variant is dropped (its -9..-17 part lies
  outside every peer window; at -3..-8 splice_region_variant is reported anyway);
- the most severe term of each side is then taken by the VEP ranking.
HGVS notation normalisation only: sequences after del/dup dropped, `*` -> Ter, parentheses dropped,
p.Xaa81Xaa -> p.Xaa81=, frameshift names reduced to `Xaa56fs` (SnpEff does not write the new stop).
p. against bcftools csq: csq writes no HGVS, only the amino acids it changes ("590S>590C"); both sides are
turned into what they say happens to the protein (p_effect, csq_p_effect): the changed protein up to its
first stop for in-frame changes; first changed residue, new residue and new stop for frameshifts.

Run as a script for the full report: python -m oracle.compare [--subset N] (from tests/).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from hshpipe.consequence import _RANK, Annotation, annotate
from hshpipe.model import Variant
from hshpipe.reference import GeneCache

from . import peers
from .variant_set import generate

VEP_ONLY = {
    "splice_donor_5th_base_variant": "splice_region_variant",
    "splice_donor_region_variant": "splice_region_variant",
    "splice_polypyrimidine_tract_variant": None,
}
IGNORED_PEER_TERMS = {
    "sequence_feature",
    "protein_protein_contact",
    "structural_interaction_variant",
    "transcript_variant",
    "gene_variant",
    "intragenic_variant",
}


def most_severe(terms: list[str] | tuple[str, ...], project: bool = False) -> str | None:
    if project and "frameshift_variant" in terms:  # our explicit early-stop flag on a frameshift
        terms = [t for t in terms if t != "stop_gained"]
    ts = []
    for t in terms:
        if project and t in VEP_ONLY:
            t = VEP_ONLY[t]
        if t and t not in IGNORED_PEER_TERMS:
            ts.append(t)
    if not ts:
        return None
    return min(ts, key=lambda t: _RANK.get(t, len(_RANK)))


def norm_c(c: str | None) -> str | None:
    if not c:
        return None
    c = c.split(":")[-1]
    c = re.sub(r"del[ACGTN]+ins", "delins", c)
    c = re.sub(r"(del|dup|inv)[ACGTN]+$", r"\1", c)
    return c


def norm_p(p: str | None) -> str | None:
    if not p:
        return None
    p = p.split(":")[-1].replace("(", "").replace(")", "").replace("*", "Ter")
    m = re.fullmatch(r"p\.([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2})", p)
    if m and m.group(1) == m.group(3):
        return f"p.{m.group(1)}{m.group(2)}="
    p = re.sub(r"ext(Ter)?(\d+|\?)$", "ext", p)  # SnpEff does not compute the new stop of an extension
    m = re.fullmatch(r"p\.([A-Z][a-z]{2}\d+)(?:[A-Z][a-z]{2})?fs.*", p)
    if m:
        return f"p.{m.group(1)}fs"
    return p


# ------------------------------------------------------------------------- p. as a protein change
_CODE = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"  # standard code, TCAG order
_CODON = {
    a + b + c: _CODE[16 * i + 4 * j + k]
    for i, a in enumerate("TCAG")
    for j, b in enumerate("TCAG")
    for k, c in enumerate("TCAG")
}
_AA1 = dict(
    Ala="A", Arg="R", Asn="N", Asp="D", Cys="C", Gln="Q", Glu="E", Gly="G", His="H", Ile="I",
    Leu="L", Lys="K", Met="M", Phe="F", Pro="P", Ser="S", Thr="T", Trp="W", Tyr="Y", Val="V", Ter="*",
)  # fmt: skip
_RES = r"([A-Z][a-z]{2})(\d+)"


def translate_cds(cds: str) -> str:
    """The reference protein with its stop ('*'), translated here (not by the package)."""
    return "".join(_CODON.get(cds[i : i + 3], "X") for i in range(0, len(cds) - 2, 3))


def _upto_stop(s: str) -> str:
    return s[: s.index("*") + 1] if "*" in s else s


def _aa(seq3: str) -> str:
    return "".join(_AA1[seq3[i : i + 3]] for i in range(0, len(seq3), 3))


def p_effect(p: str | None, prot: str) -> tuple | None:
    """What an HGVS p. name says happens to `prot` (reference protein with its '*'):
    ("protein", changed protein up to its first stop) for in-frame changes, ("fs", first changed residue,
    new residue, position of the new stop or None), ("ext", position, new residue), ("start",);
    None for p.? (not predicted). A name that does not fit the reference gives ("unreadable", name)."""
    if not p:
        return None
    q = p.split(":")[-1].replace("(", "").replace(")", "")
    if q == "p.?":
        return None
    body = q[2:]
    bad = ("unreadable", p)

    def at(aa3: str, n: str) -> int:  # 0-based index of a named residue, checked against the reference
        k = int(n) - 1
        if not 0 <= k < len(prot) or prot[k] != _AA1.get(aa3):
            raise ValueError
        return k

    try:
        if body == "=":
            return ("protein", prot)
        if body == "Met1?":
            return ("start",)
        if m := re.fullmatch(rf"{_RES}([A-Z][a-z]{{2}})fsTer(\d+|\?)", body):
            k = at(m[1], m[2])
            return ("fs", k + 1, _AA1[m[3]], None if m[4] == "?" else k + int(m[4]))
        if m := re.fullmatch(r"Ter(\d+)([A-Z][a-z]{2})extTer(\d+|\?)", body):
            at("Ter", m[1])
            return ("ext", int(m[1]), _AA1[m[2]])
        if m := re.fullmatch(rf"{_RES}(=|[A-Z][a-z]{{2}})", body):
            k = at(m[1], m[2])
            return ("protein", _upto_stop(prot if m[3] == "=" else prot[:k] + _AA1[m[3]] + prot[k + 1 :]))
        m = re.fullmatch(rf"{_RES}(?:_{_RES})?(del|dup|ins|delins)((?:[A-Z][a-z]{{2}})*)", body)
        if not m:
            return bad
        a = at(m[1], m[2])
        b = at(m[3], m[4]) if m[3] else a
        kind, seq = m[5], _aa(m[6])
        if b < a or (kind == "ins" and not (m[3] and b == a + 1)) or (kind in ("ins", "delins")) != bool(seq):
            return bad
        if kind == "del":
            new = prot[:a] + prot[b + 1 :]
        elif kind == "dup":
            new = prot[: b + 1] + prot[a : b + 1] + prot[b + 1 :]
        elif kind == "ins":
            new = prot[: a + 1] + seq + prot[b:]
        else:
            new = prot[:a] + seq + prot[b + 1 :]
        return ("protein", _upto_stop(new))
    except (ValueError, KeyError):
        return bad


def csq_p_effect(aa: str | None, terms: list[str], prot: str) -> tuple | None:
    """The same for bcftools csq's amino-acid field ("590S>590C", "437P", "1994FG...*>1994LV...")."""
    m = re.fullmatch(r"(\d+)([A-Z*]+)(?:>(\d+)([A-Z*]*))?", aa or "")
    if not m:
        return None
    k = int(m[1]) - 1
    ref, alt = m[2], m[2] if m[3] is None else m[4]
    if prot[k : k + len(ref)] != ref:
        return ("unreadable", aa)
    new = _upto_stop(prot[:k] + alt + prot[k + len(ref) :])
    ref_prot = _upto_stop(prot)
    if new == ref_prot:
        return ("protein", ref_prot)
    d = next((i for i, (x, y) in enumerate(zip(new, ref_prot)) if x != y), min(len(new), len(ref_prot)))
    if d == 0:
        return ("start",)
    if d == len(ref_prot) - 1 and d < len(new) and "*" not in new:  # stop lost (csq does not read on)
        return ("ext", d + 1, new[d])
    if "frameshift_variant" in terms and d < len(new) and new[d] != "*":
        return ("fs", d + 1, new[d], len(new) if new.endswith("*") else None)
    return ("protein", new)


def p_effects_agree(ours: tuple, theirs: tuple, prot: str) -> bool:
    """Equal effects; a frameshift whose new stop csq does not reach (it reads no further than the
    transcript's end) agrees when ours lies past the reference stop or is unknown."""
    if ours[0] == theirs[0] == "fs" and theirs[3] is None and ours[:3] == theirs[:3]:
        return ours[3] is None or ours[3] > len(prot)
    return ours == theirs


# what compare() counts agreement on -> its name in the summary and the examples
KINDS = {"csq": "csq", "snpeff": "snpeff", "c": "c.", "p": "p.", "p_csq": "p. vs csq"}


@dataclass
class Result:
    """Counts by kind (a key of KINDS): comparisons made, of those agreeing, disagreements by class ("both":
    records on whose most severe term neither peer agrees)."""

    n: int = 0
    either_agree: int = 0
    ours_per_s: float = 0.0
    compared: Counter = field(default_factory=Counter)
    agreed: Counter = field(default_factory=Counter)
    classes: defaultdict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    examples: dict = field(default_factory=dict)

    def pct(self, a: int, n: int) -> float:
        return 100.0 * a / n if n else 100.0

    def tally(self, kind: str, agree: bool, cls: str, example: str) -> bool:
        """One comparison of a kind; a disagreement is counted by its class, the first of a class kept as its
        example. Returns `agree`."""
        self.compared[kind] += 1
        if agree:
            self.agreed[kind] += 1
        else:
            self.classes[kind][cls] += 1
            self.examples.setdefault((KINDS[kind], cls), example)
        return agree

    def summary(self) -> str:
        def rate(what: str, kind: str) -> str:
            a, n = self.agreed[kind], self.compared[kind]
            return f"{what} {a}/{n} ({self.pct(a, n):.2f}%)"

        lines = [
            f"variants: {self.n}",
            rate("most severe term = bcftools csq:", "csq"),
            rate("most severe term = SnpEff:      ", "snpeff"),
            f"most severe term = at least one peer: {self.either_agree}/{self.n} "
            f"({self.pct(self.either_agree, self.n):.2f}%)",
            rate("HGVS c. = SnpEff:", "c"),
            rate("HGVS p. = SnpEff:", "p"),
            rate("HGVS p. = csq amino acids (same protein change):", "p_csq"),
            f"annotate(): {self.ours_per_s:.0f} variants/s",
        ]
        for kind, name in (("both", "disagree with both peers"), *KINDS.items()):
            cl = self.classes[kind]
            if cl:
                lines.append(f"-- {name} disagreement classes:")
                for k, v in cl.most_common(40):
                    lines.append(f"   {v:6d}  {k}   e.g. {self.examples.get((name, k), '')}")
        return "\n".join(lines)


def compare(cache: GeneCache, recs: list[tuple[int, str, str]], workdir: Path, snpeff: bool | None = None) -> Result:
    """snpeff: run SnpEff too (default: when it is installed)."""
    recs = peers.normalise(recs, cache, workdir)
    prot = translate_cds(cache.cds_sequence())
    t0 = time.perf_counter()
    ours: list[Annotation] = [annotate(Variant(cache.contig, p, r, a), cache) for p, r, a in recs]
    dt = time.perf_counter() - t0
    csq = peers.run_csq(recs, cache, workdir)
    snp = peers.run_snpeff(recs, cache, workdir) if (peers.snpeff_available() if snpeff is None else snpeff) else {}
    res = Result(n=len(recs), ours_per_s=len(recs) / dt if dt else 0.0)
    for i, (rec, ann) in enumerate(zip(recs, ours)):
        mine = most_severe(ann.consequences, project=True)
        label = f"{rec[0]}:{rec[1]}>{rec[2]} {ann.hgvs_c} {','.join(ann.consequences)}"
        agree_any = False
        c = csq.get(i, {}).get("terms") or []
        cm = most_severe(c)
        in_tx = not {"upstream_gene_variant", "downstream_gene_variant", "intergenic_variant"} & set(ann.consequences)
        aa = csq.get(i, {}).get("aa")
        if cm or in_tx:
            agree_any |= res.tally("csq", cm == mine, f"ours {mine} / csq {cm}", f"{label} | csq {'&'.join(c)} {aa}")
        theirs_p = csq_p_effect(aa, c, prot)
        ours_p = p_effect(ann.hgvs_p, prot)
        if theirs_p is not None and ours_p is not None:
            k = f"ours {ours_p[0]} / csq {theirs_p[0]}"
            res.tally("p_csq", p_effects_agree(ours_p, theirs_p, prot), k, f"{label} {ann.hgvs_p} | csq {aa}")
        s = snp.get(i)
        sm = None
        if s is not None:
            sm = most_severe(s["terms"])
            k = f"ours {mine} / snpeff {sm}"
            agree_any |= res.tally(
                "snpeff", sm == mine, k, f"{label} | snpeff {'&'.join(s['terms'])} {s['c']} {s['p']}"
            )
            if s["c"] and ann.hgvs_c:
                ours_c, theirs_c = norm_c(ann.hgvs_c), norm_c(s["c"])
                res.tally("c", ours_c == theirs_c, _kind_class(ours_c, theirs_c), f"{label} | snpeff {s['c']}")
            if s["p"] and ann.hgvs_p:
                ours_q, theirs_q = norm_p(ann.hgvs_p), norm_p(s["p"])
                res.tally(
                    "p", ours_q == theirs_q, _kind_class(ours_q, theirs_q), f"{label} {ann.hgvs_p} | snpeff {s['p']}"
                )
        if agree_any or (not in_tx and not s and not cm):
            res.either_agree += 1
        else:
            k = f"ours {mine} / csq {cm} / snpeff {sm}"
            res.classes["both"][k] += 1
            res.examples.setdefault(("disagree with both peers", k), label)
    return res


def _kind(x: str | None) -> str:
    if not x:
        return "none"
    for k in ("delins", "del", "dup", "ins", ">", "ext", "fs", "=", "?"):
        if k in x:
            return k
    return "sub"


def _kind_class(ours: str | None, theirs: str | None) -> str:
    """A c. or p. disagreement with SnpEff by the kinds of change named."""
    return f"ours {_kind(ours)} / snpeff {_kind(theirs)}"


def main(argv: list[str]) -> None:
    from hshpipe.reference import build_gene_cache

    root = Path(__file__).resolve().parents[2]
    cache = build_gene_cache(root / "resources/demo/reference/GRCh38_synthetic_chr9.fa.gz")
    subset = int(argv[argv.index("--subset") + 1]) if "--subset" in argv else None
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        res = compare(cache, generate(cache, subset=subset), Path(d))
    print(res.summary())
    print(f"wall time: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
