"""Write the demo population files: SYNTHETIC gnomAD-style sites VCFs for the demo stand-in references.

resources/demo/population/demo_population.GRCh38.vcf.gz (+.tbi): contig `chr9`, gnomAD v4 INFO names
resources/demo/population/demo_population.GRCh37.vcf.gz (+.tbi): contig `9`, gnomAD v2 INFO names

The frequencies are invented (NOT gnomAD data, NOT FOR CLINICAL USE) so that the demo shows each population
criterion: a planted null allele common in the "population" (HSH03's c.2387del, BA1: it no longer counts),
common polymorphisms (BA1), BS1 and BS2 alleles, a rare allele (PM2_Supporting), a multiallelic record and a
record failing the file's filters. Qualifying planted variants other than c.2387del are absent (PM2_Supporting).
REF alleles are taken from the stand-in, so the build checks pass.

Usage: .venv/bin/python tools/make_demo_population.py
"""

from __future__ import annotations

from pathlib import Path

import pysam

from hshpipe.reference import build_gene_cache

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "demo" / "population"
REFS = {
    "GRCh38": ROOT / "resources/demo/reference/GRCh38_synthetic_chr9.fa.gz",
    "GRCh37": ROOT / "resources/demo/reference/GRCh37_synthetic_9.fa.gz",
}
GRCH37_OFFSET = 2_614_916  # the stand-ins carry TRPM6 at GRCh37 = GRCh38 + offset
TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}
# (GRCh38 pos, ref length, alt(s) ("*": the transition of REF), AC, AN, AF_grpmax, faf95, nhomalt, filter, what it shows) - AC/AF per ALT
SITES = [
    (74742501, 1, "T", (140,), 152_000, 0.0011, 0.00078, (0,), "PASS", "c.5200+60G>A: between PM2 and BS1"),
    (
        74755263,
        1,
        "T,G",
        (9000, 30),
        152_000,
        (0.09, 0.0004),
        (0.085, 0.00014),
        (300, 0),
        "PASS",
        "c.4906+90: multiallelic",
    ),
    (74761731, 1, "C", (33_500,), 152_000, 0.31, 0.30, (3900,), "PASS", "p.Lys1584Glu: common, BA1"),
    (74762494, 1, "T", (27_000,), 152_000, 0.27, 0.26, (2600,), "PASS", "p.Val1393Ile: common, BA1"),
    (74775683, 1, "T", (610,), 152_000, 0.0061, 0.0052, (0,), "PASS", "c.3403+200G>A: BS1"),
    (74786094, 1, "C", (2,), 152_000, 0.000021, 0.0000021, (0,), "PASS", "p.Gln900Arg: rare, PM2_Supporting"),
    (74788882, 1, "C", (12_000,), 152_000, 0.11, 0.10, (520,), "PASS", "c.2539-140A>G: BA1"),
    (74796744, 2, "T", (13_700,), 152_000, 0.12, 0.11, (610,), "PASS", "c.2387del (null, HSH03): common -> BA1"),
    (74800144, 1, "C", (300,), 152_000, 0.0030, 0.0024, (3,), "PASS", "c.2238+110A>G: BS1 + BS2"),
    (74810735, 1, "T", (52_000,), 152_000, 0.40, 0.39, (9100,), "PASS", "c.1497+80G>A: BA1"),
    (74812400, 1, "*", (0,), 152_000, 0.0, 0.0, (0,), "AC0", "a site failing the file's filters"),
    (74842016, 1, "A", (18_000,), 152_000, 0.14, 0.13, (1200,), "PASS", "c.330+150C>T: BA1"),
    (74842166, 1, "C", (3,), 152_000, 0.00004, 0.0000051, (0,), "PASS", "p.Lys110=: rare"),
]
V4 = """##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">
##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups">
##INFO=<ID=fafmax_faf95_max,Number=A,Type=Float,Description="Maximum filtering allele frequency (using Poisson 95% CI) across genetic ancestry groups">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">
"""
V2 = """##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count for samples">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in samples">
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency in samples">
##INFO=<ID=AF_popmax,Number=A,Type=Float,Description="Maximum allele frequency across populations">
##INFO=<ID=faf95_nfe,Number=A,Type=Float,Description="Filtering allele frequency (using Poisson 95% CI) for samples of Non-Finnish European ancestry">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals in samples">
"""


def _per_alt(x: float | tuple, n: int) -> tuple:
    return x if isinstance(x, tuple) else (x,) * n


def num(xs: tuple) -> str:
    return ",".join(f"{x:.6g}" for x in xs)


def record(build: str, cache, site: tuple) -> str:
    pos, ref_len, alts, ac, an, grpmax, faf, nhom, filt, _ = site
    p = pos + (GRCH37_OFFSET if build == "GRCh37" else 0)
    ref, n = cache.fetch(p, p + ref_len - 1), len(alts.split(","))
    alt = ",".join(ref[0] if ref_len > 1 else TRANSITION[ref] if a == "*" else a for a in alts.split(","))
    af = num(tuple(c / an for c in ac))
    names = ("AF_grpmax", "fafmax_faf95_max") if build == "GRCh38" else ("AF_popmax", "faf95_nfe")
    info = (
        f"AC={num(ac)};AN={an};AF={af};{names[0]}={num(_per_alt(grpmax, n))};"
        f"{names[1]}={num(_per_alt(faf, n))};nhomalt={num(nhom)}"
    )
    return f"{cache.contig}\t{p}\t.\t{ref}\t{alt}\t.\t{filt}\t{info}"


def write(build: str) -> Path:
    cache = build_gene_cache(REFS[build])
    out = OUT / f"demo_population.{build}.vcf.gz"
    header = (
        "##fileformat=VCFv4.2\n"
        "##source=SYNTHETIC demo population file written by tools/make_demo_population.py: invented frequencies, "
        "NOT gnomAD data, NOT FOR CLINICAL USE\n"
        '##FILTER=<ID=PASS,Description="All filters passed">\n##FILTER=<ID=AC0,Description="Allele count is zero">\n'
        + (V4 if build == "GRCh38" else V2)
        + f"##contig=<ID={cache.contig},length={cache.transcript.chrom_length}>\n"
        + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )
    plain = out.with_suffix("")
    plain.write_text(header + "".join(record(build, cache, s) + "\n" for s in SITES))
    pysam.tabix_compress(str(plain), str(out), force=True)
    plain.unlink()
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for build in REFS:
        print(write(build))


if __name__ == "__main__":
    main()
