"""Build the family test data (tests/data/family/) and the demo trio (HSH09-HSH11 in resources/demo/) with the
demo's real tools: haplotypes handed down from parents to children, reads simulated with dwgsim, aligned with
bwa mem, called with bcftools (joint and single-sample) and FreeBayes (joint). Reuses tools/make_demo_data.py.

Families (each founder also carries ~24 background intronic SNVs, some homozygous, for the Mendelian checks):
  FAM1  joint bcftools VCF: HSH10 (father, c.1072dup) x HSH11 (mother, c.2098C>T); affected HSH09 and HSH12
        carry both (in trans), unaffected HSH13 the father's allele only (carrier).          -> biallelic
  FAM2  separate bcftools VCFs: father F2 carries c.4287C>A and c.2387del on ONE haplotype, child K2 inherits it
        (in cis), mother M2 carries nothing.                                                 -> monoallelic
  FAM3  separate VCFs: child K3 homozygous c.4287C>A from two copies of the father's chromosome (paternal
        isodisomy), mother M3 homozygous reference at the site.                             -> flagged
  FAM4  joint FreeBayes VCF: mother M4 gives c.2098C>T, c.2387del arose de novo in K4.  -> de novo null allele
  FAM5  separate VCFs: the 'father' F5 is an unrelated man (sample swap); K5 carries c.1072dup from its real,
        unsequenced father and c.4287C>A from M5.                                      -> Mendelian errors, review

Everything is on the synthetic stand-in reference: NOT FOR CLINICAL USE.
Usage: .venv/bin/python tools/make_family_data.py [--workdir DIR]   (needs the demo's bwa index: see make_demo_data)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_demo_data as demo  # noqa: E402

from hshpipe.reference import build_gene_cache  # noqa: E402

OUT = ROOT / "tests" / "data" / "family"
SEED = 20260611
Hap = list  # list[demo.Planted]


def background_pool(d: demo.Designer) -> list[demo.Planted]:
    """Intronic SNVs 150 bp outside each exon (inside the simulated windows, away from every planted variant)."""
    pool = []
    near_exon = [(e.start - 30, e.end + 30) for e in d.t.exons]
    for e in d.t.exons:
        for pos in (e.start - 150, e.end + 150):
            if any(lo <= pos <= hi for lo, hi in near_exon):  # short introns: keep the background intronic
                continue
            ref = d.c.fetch(pos, pos)
            pool.append(demo.Planted(pos, ref, demo.TRANSITION[ref], f"bg{pos}", "", "intron_variant", "background"))
    return pool


def founder(rng: random.Random, pool: list[demo.Planted], extra: tuple[Hap, Hap] = ([], [])) -> tuple[Hap, Hap]:
    """Two haplotypes: 24 background SNVs (a third on each haplotype, a third on both) plus `extra`."""
    a, b = list(extra[0]), list(extra[1])
    for i, v in enumerate(rng.sample(pool, 24)):
        if i % 3 != 1:
            a.append(v)
        if i % 3 != 0:
            b.append(v)
    return a, b


def families(d: demo.Designer) -> list[tuple[str, list[demo.Sample]]]:
    rng = random.Random(SEED)
    pool = background_pool(d)
    fs_dup = d.dup1_in_run(1068, 1072, "qualifying", "frameshift_variant")
    r700x = d.snv(2098, "T", "qualifying", "stop_gained")  # a null allele with full PVS1 (not in-frame exon 12)
    fs_stop = d.del1(2387, "qualifying", "frameshift_variant;stop_gained")
    stop = d.snv(4287, "A", "qualifying", "stop_gained")
    S = demo.Sample  # noqa: N806
    f1, m1 = founder(rng, pool, ([fs_dup], [])), founder(rng, pool, ([r700x], []))
    fam1 = [S("HSH10", *f1, "", ""), S("HSH11", *m1, "", ""), S("HSH09", f1[0], m1[0], "biallelic", "trans")]
    fam1 += [S("HSH12", f1[0], m1[0], "biallelic", "sib"), S("HSH13", f1[0], m1[1], "monoallelic", "carrier")]
    f2, m2 = founder(rng, pool, ([stop, fs_stop], [])), founder(rng, pool)
    fam2 = [S("F2", *f2, "", ""), S("M2", *m2, "", ""), S("K2", f2[0], m2[1], "monoallelic", "cis")]
    f3, m3 = founder(rng, pool, ([stop], [])), founder(rng, pool)
    fam3 = [S("F3", *f3, "", ""), S("M3", *m3, "", ""), S("K3", f3[0], f3[0], "biallelic", "UPD")]
    f4, m4 = founder(rng, pool), founder(rng, pool, ([r700x], []))
    fam4 = [S("F4", *f4, "", ""), S("M4", *m4, "", ""), S("K4", [*f4[1], fs_stop], m4[0], "", "de novo")]
    real_father, u5, m5 = founder(rng, pool, ([fs_dup], [])), founder(rng, pool), founder(rng, pool, ([stop], []))
    fam5 = [S("F5", *u5, "", ""), S("M5", *m5, "", ""), S("K5", real_father[0], m5[0], "", "swap")]
    return [("FAM1", fam1), ("FAM2", fam2), ("FAM3", fam3), ("FAM4", fam4), ("FAM5", fam5)]


PED = """# family  individual  father  mother  sex  phenotype   (tools/make_family_data.py)
FAM1 HSH10 0 0 1 1
FAM1 HSH11 0 0 2 1
FAM1 HSH09 HSH10 HSH11 2 2
FAM1 HSH12 HSH10 HSH11 1 2
FAM1 HSH13 HSH10 HSH11 2 1
FAM2 F2 0 0 1 1
FAM2 M2 0 0 2 1
FAM2 K2 F2 M2 1 2
FAM3 F3 0 0 1 1
FAM3 M3 0 0 2 1
FAM3 K3 F3 M3 2 2
FAM4 F4 0 0 1 1
FAM4 M4 0 0 2 1
FAM4 K4 F4 M4 1 2
FAM5 F5 0 0 1 1
FAM5 M5 0 0 2 1
FAM5 K5 F5 M5 2 2
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("HSH_FAMILY_WORKDIR", "/tmp/hsh-family")))
    ap.add_argument("--sheet-only", action="store_true", help="only add the demo trio to config/samples.tsv")
    a = ap.parse_args()
    if a.sheet_only:
        demo_sheet()
        return
    demo_work = Path(os.environ.get("HSH_DEMO_WORKDIR", Path.home() / ".cache" / "hshpipe-demo-build"))
    work = a.workdir.resolve()
    for sub in ("bam", "vcf"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    log = work / "make_family_data.log"
    cache = build_gene_cache(demo.REFS["GRCh38"], "GRCh38")
    ref = demo.ensure_reference("GRCh38", demo_work, log)
    if not (work / "ref").exists():
        (work / "ref").symlink_to(ref.parent)
    ref = work / "ref" / ref.name
    t = cache.transcript
    region = f"chr9:{t.start - demo.CALL_PAD}-{t.end + demo.CALL_PAD}"
    fams = families(demo.Designer(cache))
    bams: dict[str, Path] = {}
    for idx, s in enumerate((s for _, members in fams for s in members), start=100):
        fq = demo.simulate(s, idx, cache, work, log)
        bams[s.name] = work / "bam" / f"{s.name}.bam"
        demo.align(s, fq, ref, bams[s.name], 2, work, log)
        shutil.rmtree(work / "sim" / s.name)
        print(f"  {s.name}: simulated and aligned", flush=True)
    call_all(fams, bams, ref, region, work, log)


def call_all(fams: list, bams: dict[str, Path], ref: Path, region: str, work: Path, log: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    vcf = work / "vcf"
    names = {f: [s.name for s in members] for f, members in fams}
    demo.call_bcftools([bams[n] for n in names["FAM1"]], ref, region, vcf / "fam1.bcftools.vcf.gz", log)
    demo.call_freebayes(
        [bams[n] for n in names["FAM4"]], ref, region, vcf / "fam4.freebayes.vcf.gz", {n: n for n in names["FAM4"]}, log
    )
    for f in ("FAM2", "FAM3", "FAM5"):
        for n in names[f]:
            demo.call_bcftools([bams[n]], ref, region, vcf / f"{n}.bcftools.vcf.gz", log)
    for p in vcf.iterdir():
        shutil.copy(p, OUT / p.name)
    (OUT / "families.ped").write_text(PED)
    # the demo trio: father, mother and the affected child of FAM1, called jointly; BAMs for coverage
    trio = [bams[n] for n in ("HSH09", "HSH10", "HSH11")]
    demo.call_bcftools(trio, ref, region, vcf / "trio_HSH09.bcftools.vcf.gz", log)
    for p in (vcf / "trio_HSH09.bcftools.vcf.gz", vcf / "trio_HSH09.bcftools.vcf.gz.tbi"):
        shutil.copy(p, demo.DEMO / "vcf" / p.name)
    for b in trio:
        for p in (b, Path(str(b) + ".bai")):
            shutil.copy(p, demo.DEMO / "bam" / p.name)
    demo_sheet()
    print(f"wrote {OUT} and the demo trio (resources/demo/vcf/trio_HSH09.bcftools.vcf.gz, config/samples.tsv)")


TRIO_ROWS = {  # sample -> (family, father, mother, sex, phenotype)
    "HSH09": ("FAM1", "HSH10", "HSH11", "2", "2"),
    "HSH10": ("FAM1", "", "", "1", "1"),
    "HSH11": ("FAM1", "", "", "2", "1"),
}


def demo_sheet() -> None:
    """Add the trio to config/samples.tsv with the sheet's pedigree columns (other rows: empty; run after
    tools/make_demo_data.py, which rewrites the sheet)."""
    path = ROOT / "config" / "samples.tsv"
    lines = [line.split("\t") for line in path.read_text().splitlines()]
    cols = ["sample", "vcf", "vcf_sample", "alignments", "family", "father", "mother", "sex", "phenotype"]
    rows = [dict(zip(lines[0], line)) for line in lines[1:] if line[0] not in TRIO_ROWS]
    for s, (fam, fa, mo, sex, phen) in TRIO_ROWS.items():
        vcf, bam = "resources/demo/vcf/trio_HSH09.bcftools.vcf.gz", f"resources/demo/bam/{s}.bam"
        rows.append(dict(zip(cols, (s, vcf, "", bam, fam, fa, mo, sex, phen))))
    text = "\n".join("\t".join(r.get(c, "") for c in cols) for r in [dict(zip(cols, cols)), *rows])
    path.write_text(text + "\n")


if __name__ == "__main__":
    main()
