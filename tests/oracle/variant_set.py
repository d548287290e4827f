"""A deterministic variant set over the stand-in reference for the oracle comparison.

Every SNV in the CDS and 25 bp into each intron end, a 5'/3' UTR and flank sample, random 1-15 bp
insertions/deletions/duplications in homopolymers, tandem repeats and across exon edges, and 2-3 bp MNVs.
Records are VCF-style with an anchor base; they are left-aligned and deduplicated with bcftools norm.
"""

from __future__ import annotations

import random
from pathlib import Path

from hshpipe.reference import GeneCache

SEED = 1729
BASES = "ACGT"


def _snvs(cache: GeneCache, g: int) -> list[tuple[int, str, str]]:
    r = cache.fetch(g, g)
    return [(g, r, a) for a in BASES if a != r]


def _repeat_sites(seq: str, start: int) -> list[tuple[int, int, str]]:
    """(genomic start, length, unit) of homopolymers (>=3) and di/tri-nucleotide repeats (>=2 units)."""
    out = []
    for unit_len, min_units in ((1, 3), (2, 2), (3, 2)):
        i = 0
        while i + unit_len <= len(seq):
            unit = seq[i : i + unit_len]
            j = i + unit_len
            while seq[j : j + unit_len] == unit:
                j += unit_len
            if (j - i) // unit_len >= min_units and (unit_len == 1 or len(set(unit)) > 1):
                out.append((start + i, j - i, unit))
                i = j
            else:
                i += 1
    return out


def generate(
    cache: GeneCache, n_indels: int = 4000, n_mnv: int = 600, subset: int | None = None, seed: int = SEED
) -> list[tuple[int, str, str]]:
    """(pos, ref, alt) records (not yet normalised). `subset` draws a smaller random sample."""
    rng = random.Random(seed)
    t = cache.transcript
    f = cache.fetch
    recs: list[tuple[int, str, str]] = []
    cds_pos = [g for e in t.exons for g in range(max(e.start, t.cds_start), min(e.end, t.cds_end) + 1)]
    for g in cds_pos:
        recs += _snvs(cache, g)
    for i in range(len(t.exons) - 1):  # 25 bp into each intron end
        a, b = t.exons[i], t.exons[i + 1]
        lo, hi = (b.end + 1, a.start - 1) if t.strand < 0 else (a.end + 1, b.start - 1)
        for g in list(range(lo, lo + 25)) + list(range(hi - 24, hi + 1)):
            recs += _snvs(cache, g)
    utr = [g for e in t.exons for g in range(e.start, e.end + 1) if not (t.cds_start <= g <= t.cds_end)]
    for g in utr[::5]:
        recs += _snvs(cache, g)
    for g in list(range(t.end + 1, t.end + 6000, 97)) + list(range(t.start - 6000, t.start, 97)):
        recs.append((g, f(g, g), rng.choice([x for x in BASES if x != f(g, g)])))
    # indels: repeat sites near exons, exon edges, random exonic positions
    exon_zone = [(e.start - 30, e.end + 30) for e in t.exons]
    sites = []
    for lo, hi in exon_zone:
        sites += _repeat_sites(f(lo, hi), lo)
    edges = [x for e in t.exons for x in (e.start, e.end)]
    exonic = [g for e in t.exons for g in range(e.start, e.end + 1)]
    for _ in range(n_indels):
        mode = rng.random()
        if mode < 0.45 and sites:
            s, ln, unit = rng.choice(sites)
            k = rng.randint(1, max(1, min(5, 15 // len(unit))))
            g = s + rng.randint(0, ln - 1)
            op = rng.choice(("ins", "del", "dup"))
            if op == "del":
                n = min(len(unit) * k, 15)
                recs.append((g - 1, f(g - 1, g + n - 1), f(g - 1, g - 1)))
            else:
                ins = (unit * k)[:15] if op == "dup" else "".join(rng.choice(BASES) for _ in range(rng.randint(1, 15)))
                recs.append((g, f(g, g), f(g, g) + ins))
            continue
        g = rng.choice(edges) + rng.randint(-8, 8) if mode < 0.75 else rng.choice(exonic)
        n = rng.randint(1, 15)
        op = rng.random()
        if op < 0.4:
            recs.append((g - 1, f(g - 1, g + n - 1), f(g - 1, g - 1)))
        elif op < 0.7:
            recs.append((g, f(g, g), f(g, g) + f(g + 1, g + n)))  # tandem duplication of the next n bases
        else:
            recs.append((g, f(g, g), f(g, g) + "".join(rng.choice(BASES) for _ in range(n))))
    for _ in range(n_mnv):
        g = rng.choice(cds_pos)
        n = rng.randint(2, 3)
        ref = f(g, g + n - 1)
        alt = "".join(rng.choice([x for x in BASES if x != r]) for r in ref)
        recs.append((g, ref, alt))
    recs = sorted(set(recs))
    if subset is not None and subset < len(recs):
        recs = sorted(rng.sample(recs, subset))
    return recs


def write_vcf(recs: list[tuple[int, str, str]], contig: str, path: Path, offset: int = 0) -> Path:
    """Sites-only VCF; ID holds the record index so results can be joined back."""
    lines = ["##fileformat=VCFv4.2", f"##contig=<ID={contig}>", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    for i, (pos, ref, alt) in enumerate(recs):
        lines.append(f"{contig}\t{pos - offset}\tv{i}\t{ref}\t{alt}\t.\t.\t.")
    path.write_text("\n".join(lines) + "\n")
    return path
