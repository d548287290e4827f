"""Generate benchmark inputs under /tmp/hshbench (never committed; every benchmark regenerates what it needs).

  .venv/bin/python benchmarks/make_data.py wgs --n 1000      # N single-sample "WGS-sized" VCFs + sheet
  .venv/bin/python benchmarks/make_data.py cohort            # 2,504-sample joint VCF over TRPM6 + sheet
  .venv/bin/python benchmarks/make_data.py gff3              # Ensembl-style GFF3 of the MANE transcript (csq)

WGS files: `--templates` (default 8) distinct templates of ~300,000 records each (GATK-like
GT:AD:DP:GQ:PL, contigs chr1..22,X,Y at GRCh38 lengths; 5-9 dozen records inside TRPM6 with REF taken from the
stand-in reference with pysam, the rest outside TRPM6 +/- 12 kb where the stand-in is N). File i is a *real,
separate* copy of template i % K: its own header (sample name WGS%05d in the #CHROM line) followed by the
template's compressed body. The header is written as one BGZF block of *stored* (level-0) deflate, so its
compressed size depends only on its length; sample names have a fixed width, so every copy has the same block
layout and the template's tabix index is byte-identical to what `tabix` would write for the copy (checked on
one copy every run). So each file is a valid, separately indexed bgzipped VCF with its own sample name and
own inode (no hardlinks; `--link` makes hardlinks instead, for quick experiments only).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("HSHBENCH_DIR", "/tmp/hshbench"))
REF = ROOT / "resources/demo/reference/GRCh38_synthetic_chr9.fa.gz"
TRANSCRIPT = ROOT / "resources/trpm6/transcript.GRCh38.json"

GRCH38 = [
    ("chr1", 248956422),
    ("chr2", 242193529),
    ("chr3", 198295559),
    ("chr4", 190214555),
    ("chr5", 181538259),
    ("chr6", 170805979),
    ("chr7", 159345973),
    ("chr8", 145138636),
    ("chr9", 138394717),
    ("chr10", 133797422),
    ("chr11", 135086622),
    ("chr12", 133275309),
    ("chr13", 114364328),
    ("chr14", 107043718),
    ("chr15", 101991189),
    ("chr16", 90338345),
    ("chr17", 83257441),
    ("chr18", 80373285),
    ("chr19", 58617616),
    ("chr20", 64444167),
    ("chr21", 46709983),
    ("chr22", 50818468),
    ("chrX", 156040895),
    ("chrY", 57227415),
]
GENE_LO, GENE_HI = 74722495, 74887921
PAD = 12_000  # the stand-in reference has sequence only in GENE_LO-PAD..GENE_HI+PAD
COMP = str.maketrans("ACGTN", "TGCAN")
BASES = np.array(list("ACGT"))


def transcript() -> dict:
    return json.loads(TRANSCRIPT.read_text())


def region(flank: int = 5_000) -> str:
    """The region the pipeline cuts (TRPM6 +/- FLANK of scripts/hshpipe/vcfio.py)."""
    return f"chr9:{GENE_LO - flank}-{GENE_HI + flank}"


# --- small helpers ---------------------------------------------------------------------------------------------


def _fasta():
    import pysam

    return pysam.FastaFile(str(REF))


def _bgzf_stored_block(data: bytes) -> bytes:
    """One BGZF block holding `data` as a stored (uncompressed) deflate stream: size depends on len(data) only."""
    assert len(data) < 65_000
    co = zlib.compressobj(0, zlib.DEFLATED, -15)
    cdata = co.compress(data) + co.flush()
    bsize = 12 + 6 + len(cdata) + 8  # gzip header(10)+XLEN(2) + BC subfield(6) + cdata + CRC/ISIZE(8)
    head = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + struct.pack("<H", 6) + b"BC" + struct.pack("<HH", 2, bsize - 1)
    return head + cdata + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data))


def _bgzip_body(text_iter, out: Path) -> None:
    with open(out, "wb") as fh:
        p = subprocess.Popen(["bgzip", "-@", "2", "-c"], stdin=subprocess.PIPE, stdout=fh)
        for chunk in text_iter:
            p.stdin.write(chunk.encode())
        p.stdin.close()
        if p.wait() != 0:
            raise SystemExit("bgzip failed")


def _header(samples: list[str], contigs=GRCH38, source="GATK HaplotypeCaller (synthetic benchmark data)") -> str:
    lines = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=LowQual,Description="Low quality">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods">',
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count in genotypes">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in called genotypes">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
        '##INFO=<ID=FS,Number=1,Type=Float,Description="Phred-scaled p-value using Fisher\'s exact test">',
        '##INFO=<ID=MQ,Number=1,Type=Float,Description="RMS Mapping Quality">',
        '##INFO=<ID=QD,Number=1,Type=Float,Description="Variant Confidence/Quality by Depth">',
        f"##source={source}",
    ]
    lines += [f"##contig=<ID={c},length={n},assembly=GRCh38>" for c, n in contigs]
    lines.append("##reference=file:///refs/GRCh38/GRCh38_full_analysis_set_plus_decoy_hla.fa")
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]))
    return "\n".join(lines) + "\n"


# --- variants inside TRPM6 -------------------------------------------------------------------------------------


def cds_positions(t: dict) -> list[int]:
    """Genomic positions of the CDS in transcript order (minus strand: descending)."""
    pos = []
    for e in sorted(t["exons"], key=lambda e: e["number"]):
        lo, hi = max(e["start"], t["cds_start"]), min(e["end"], t["cds_end"])
        if lo <= hi:
            rng = range(hi, lo - 1, -1) if t["strand"] < 0 else range(lo, hi + 1)
            pos.extend(rng)
    return pos


def pathogenic_like(fa, t: dict) -> dict[str, tuple[int, str, str]]:
    """A few unambiguous null variants on the stand-in: stop_gained, frameshift, splice donor/acceptor."""
    seq = lambda a, b: fa.fetch("chr9", a - 1, b).upper()  # noqa: E731
    cds = cds_positions(t)
    out = {}
    # stop_gained: codon CGA (Arg) -> TGA, first codon base C>T on the transcript = G>A on the genome
    for i in range(30, len(cds) // 3 - 30):
        codon = "".join(seq(p, p).translate(COMP) for p in cds[3 * i : 3 * i + 3])
        if codon == "CGA":
            p = cds[3 * i]
            out["stop_gained"] = (p, seq(p, p), "A")
            break
    # frameshift: 1-bp deletion in the middle of exon 10's CDS
    ex = next(e for e in t["exons"] if e["number"] == 10)
    p = (ex["start"] + ex["end"]) // 2
    while seq(p + 1, p + 1) == seq(p, p) or seq(p + 1, p + 1) == seq(p + 2, p + 2):
        p += 1  # avoid homopolymers so the deletion needs no left-alignment
    out["frameshift"] = (p, seq(p, p + 1), seq(p, p))
    # canonical splice donor +1 of exon 5 (minus strand: intron starts just below exon.start)
    ex = next(e for e in t["exons"] if e["number"] == 5)
    p = ex["start"] - 1
    b = seq(p, p)
    out["splice_donor"] = (p, b, "A" if b != "A" else "G")
    # canonical splice acceptor -2 of exon 20 (minus strand: intron just above exon.end)
    ex = next(e for e in t["exons"] if e["number"] == 20)
    p = ex["end"] + 2
    b = seq(p, p)
    out["splice_acceptor"] = (p, b, "T" if b != "T" else "C")
    return out


def gene_variants(fa, rng: np.random.Generator, n: int, lo: int = GENE_LO, hi: int = GENE_HI):
    """n (pos, ref, alt) inside lo..hi with REF from the stand-in: SNVs, insertions, deletions, a few that need
    left-alignment (a deletion written at the 3' end of a homopolymer/ repeat) and multiallelic sites."""
    out = {}
    while len(out) < n:
        p = int(rng.integers(lo, hi))
        if any(abs(p - q) < 5 for q in out):
            continue
        ref1 = fa.fetch("chr9", p - 1, p).upper()
        r = rng.random()
        if r < 0.75:
            alt = str(rng.choice([b for b in "ACGT" if b != ref1]))
            out[p] = (ref1, alt)
        elif r < 0.85:
            k = int(rng.integers(1, 6))
            out[p] = (fa.fetch("chr9", p - 1, p + k).upper(), ref1)
        elif r < 0.93:
            ins = "".join(rng.choice(BASES, int(rng.integers(1, 5))))
            out[p] = (ref1, ref1 + ins)
        elif r < 0.97:  # multiallelic SNV
            a1, a2 = [str(x) for x in rng.choice([b for b in "ACGT" if b != ref1], 2, replace=False)]
            out[p] = (ref1, f"{a1},{a2}")
        else:  # deletion of a repeated base written right-shifted: bcftools norm must left-align it
            s = fa.fetch("chr9", p - 2, p + 1).upper()  # bases p-1, p, p+1
            if not s[0] == s[1] == s[2]:
                continue
            out[p] = (s[1:], s[1])
    return sorted((p, r, a) for p, (r, a) in out.items())


# --- WGS-sized single-sample templates -------------------------------------------------------------------------


def _sample_fields(rng: np.random.Generator, alts: list[str], hom: np.ndarray):
    n = len(alts)
    dp = rng.integers(12, 60, n)
    multi = np.array(["," in a for a in alts])
    frac = rng.uniform(0.3, 0.7, n)
    alt_ad = np.where(hom, dp - rng.integers(0, 2, n), np.round(dp * frac).astype(int))
    ref_ad = dp - alt_ad
    gq = np.where(rng.random(n) < 0.03, rng.integers(5, 19, n), 99)
    qual = np.round(rng.uniform(30, 1500, n), 2)
    fields = []
    for i in range(n):
        if multi[i]:
            a1 = alt_ad[i] // 2
            fields.append(
                (
                    f"1/2:{ref_ad[i]},{a1},{alt_ad[i] - a1}:{dp[i]}:{gq[i]}:900,400,380,410,0,390",
                    "AC=1,1;AF=0.5,0.5;AN=2",
                    qual[i],
                    dp[i],
                )
            )
        elif hom[i]:
            fields.append(
                (
                    f"1/1:{ref_ad[i]},{alt_ad[i]}:{dp[i]}:{gq[i]}:{dp[i] * 30},{min(gq[i], 99) + 3},0",
                    "AC=2;AF=1.00;AN=2",
                    qual[i],
                    dp[i],
                )
            )
        else:
            fields.append(
                (
                    f"0/1:{ref_ad[i]},{alt_ad[i]}:{dp[i]}:{gq[i]}:{alt_ad[i] * 30},0,{ref_ad[i] * 30}",
                    "AC=1;AF=0.500;AN=2",
                    qual[i],
                    dp[i],
                )
            )
    return fields


#: file kinds: records over the whole genome (index spans all contigs) or on chr9 only (index of chr9 only)
KINDS = {"wgs": ("WGS", GRCH38), "chr9": ("CHR", [c for c in GRCH38 if c[0] == "chr9"])}


def kind_dir(kind: str, n_records: int) -> Path:
    return OUT / (kind if n_records == 300_000 else f"{kind}.{n_records}")


def _wgs_body(seed: int, n_records: int, n_gene: int, contigs=GRCH38):
    fa = _fasta()
    rng = np.random.default_rng(seed)
    total = sum(n for _, n in contigs)
    gene = gene_variants(fa, rng, n_gene)
    if seed % 4 == 1:  # some templates carry a null variant (het) so reports show qualifying findings
        pl = pathogenic_like(fa, transcript())
        key = list(pl)[seed % len(pl)]
        p, r, a = pl[key]
        gene = sorted([g for g in gene if abs(g[0] - p) > 10] + [(p, r, a)])
    for chrom, length in contigs:
        k = int(round(n_records * length / total))
        pos = np.unique(rng.integers(10_000, length - 10_000, k))
        if chrom == "chr9":
            pos = pos[(pos < GENE_LO - PAD) | (pos > GENE_HI + PAD)]
        refs = rng.choice(BASES, len(pos))
        kind = rng.random(len(pos))
        alts = []
        for r0, kd in zip(refs.tolist(), kind.tolist()):
            if kd < 0.85:
                alts.append("ACGT"["ACGT".index(r0) - 1 - int(kd * 10) % 3])
            elif kd < 0.93:
                alts.append(r0 + "".join(rng.choice(BASES, 1 + int(kd * 100) % 4)))
            else:
                alts.append(None)  # deletion
        recs = []
        for p_, r0, a in zip(pos.tolist(), refs.tolist(), alts):
            if a is None:
                ref, alt = r0 + "".join(rng.choice(BASES, 1 + p_ % 4)), r0
            else:
                ref, alt = r0, a
            recs.append((p_, ref, alt))
        if chrom == "chr9":
            recs = sorted(recs + [(p_, r_, a_) for p_, r_, a_ in gene])
        hom = rng.random(len(recs)) < 0.38
        fields = _sample_fields(rng, [a for _, _, a in recs], hom)
        lines = []
        for (p_, ref, alt), (fmt, info, qual, dp) in zip(recs, fields):
            filt = "PASS" if qual >= 50 else "LowQual"
            lines.append(
                f"{chrom}\t{p_}\t.\t{ref}\t{alt}\t{qual}\t{filt}\t{info};DP={dp};FS=0.000;MQ=60.00;"
                f"QD={qual / max(dp, 1):.2f}\tGT:AD:DP:GQ:PL\t{fmt}\n"
            )
        yield "".join(lines)


def wgs_template(k: int, n_records: int, n_gene: int, kind: str = "wgs") -> tuple[Path, Path]:
    """Template k: body.gz (BGZF blocks of the records, EOF block last) and its tabix index for the layout
    [stored header block with a 8-character sample name] + body."""
    d = kind_dir(kind, n_records) / "templates"
    d.mkdir(parents=True, exist_ok=True)
    body, tbi = d / f"t{k}.body.gz", d / f"t{k}.vcf.gz.tbi"
    if body.exists() and tbi.exists():
        return body, tbi
    _bgzip_body(_wgs_body(1000 + k, n_records, n_gene + 12 * (k % 4), KINDS[kind][1]), body.with_suffix(".part"))
    body.with_suffix(".part").rename(body)
    probe = d / f"t{k}.vcf.gz"
    with open(probe, "wb") as fh:
        fh.write(_bgzf_stored_block(_header(["WGS00000"]).encode()))
        with open(body, "rb") as b:
            shutil.copyfileobj(b, fh)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(probe)], check=True)
    probe.unlink()
    return body, tbi


def make_wgs(
    n: int, templates: int = 8, n_records: int = 300_000, n_gene: int = 48, link: bool = False, kind: str = "wgs"
) -> Path:
    """N files WGS00001..WGSnnnnn (kind chr9: CHR00001..) + samples sheet; returns the sheet for the first n."""
    import time

    prefix = KINDS[kind][0]
    d = kind_dir(kind, n_records) / "vcf"
    d.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tpl = [wgs_template(k, n_records, n_gene, kind) for k in range(templates)]
    t1 = time.perf_counter()
    made = 0
    for i in range(1, n + 1):
        name = f"{prefix}{i:05d}"
        vcf, idx = d / f"{name}.vcf.gz", d / f"{name}.vcf.gz.tbi"
        body, tbi = tpl[i % templates]
        if vcf.exists() and idx.exists():
            continue
        if link:
            src = d.parent / "templates" / f"t{i % templates}.linked.vcf.gz"
            if not src.exists():
                with open(src, "wb") as fh:
                    fh.write(_bgzf_stored_block(_header(["WGS00000"]).encode()))
                    with open(body, "rb") as b:
                        shutil.copyfileobj(b, fh)
            os.link(src, vcf)
        else:
            with open(vcf.with_suffix(".part"), "wb") as fh:
                fh.write(_bgzf_stored_block(_header([name]).encode()))
                with open(body, "rb") as b:
                    shutil.copyfileobj(b, fh, 4 << 20)
            vcf.with_suffix(".part").rename(vcf)
        shutil.copyfile(tbi, idx)  # written after the VCF: the index is never older than the data
        made += 1
    # the copied index must equal what tabix writes for the copy
    probe = d / f"{prefix}00001.vcf.gz"
    chk = d.parent / "check.vcf.gz"
    shutil.copyfile(probe, chk)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(chk)], check=True)
    if Path(str(chk) + ".tbi").read_bytes() != Path(str(probe) + ".tbi").read_bytes():
        raise SystemExit("copied tabix index differs from a fresh one: layout assumption broken")
    chk.unlink()
    Path(str(chk) + ".tbi").unlink()
    sheet = d.parent / f"samples.{n}.tsv"
    sheet.write_text(
        "sample\tvcf\n" + "".join(f"{prefix}{i:05d}\t{d}/{prefix}{i:05d}.vcf.gz\n" for i in range(1, n + 1))
    )
    print(
        f"wgs: {templates} templates in {t1 - t0:.1f}s; {made} new files in {time.perf_counter() - t1:.1f}s; "
        f"sheet {sheet}",
        file=sys.stderr,
    )
    return sheet


# --- 2,504-sample joint VCF ------------------------------------------------------------------------------------

COHORT_N = 2504
#: planted carriers: sample index -> list of (kind, genotype)
PLANTED = {
    7: [("stop_gained", "1/1")],
    123: [("frameshift", "0/1"), ("splice_donor", "0/1")],
    900: [("splice_acceptor", "0/1")],
    1500: [("stop_gained", "0/1"), ("frameshift", "0/1")],
    2503: [("splice_donor", "1/1")],
}


def cohort_names(n: int = COHORT_N) -> list[str]:
    return [("HG" if i % 2 == 0 else "NA") + f"{i + 100:05d}" for i in range(n)]


def make_cohort(n_samples: int = COHORT_N, n_gene: int = 1500, n_flank: int = 400, seed: int = 7) -> Path:
    """One multi-sample VCF: ~n_gene records in TRPM6 +/- 5 kb, n_flank on chr9 outside it (and a few other
    contigs), HWE genotypes GT:AD:DP:GQ from a skewed allele-frequency spectrum, planted null variants."""
    import time

    t0 = time.perf_counter()
    d = OUT / "cohort"
    d.mkdir(parents=True, exist_ok=True)
    vcf = d / f"joint{n_samples}.vcf.gz"
    sheet = d / f"samples.{n_samples}.tsv"
    names = cohort_names(n_samples)
    if not (vcf.exists() and Path(str(vcf) + ".tbi").exists()):
        fa = _fasta()
        rng = np.random.default_rng(seed)
        recs = gene_variants(fa, rng, n_gene, GENE_LO - 5000, GENE_HI + 5000)
        pl = pathogenic_like(fa, transcript())
        recs = [r for r in recs if all(abs(r[0] - p) > 10 for p, _, _ in pl.values())]
        planted_rows = {}
        for kind, (p, r, a) in pl.items():
            recs.append((p, r, a))
            planted_rows[p] = kind
        flank = sorted(
            set(rng.integers(60_000_000, GENE_LO - PAD, n_flank // 2).tolist())
            | set(rng.integers(GENE_HI + PAD, 90_000_000, n_flank // 2).tolist())
        )
        for p in flank:
            b = str(rng.choice(BASES))
            recs.append((p, b, "ACGT"["ACGT".index(b) - 1]))
        recs.sort()
        # genotype string tables: index by depth (8..60) for each genotype class
        dps = np.arange(8, 61)
        tab = {
            "0/0": np.array([f"0/0:{x},0:{x}:{min(99, 3 * x)}" for x in dps]),
            "0/1": np.array([f"0/1:{x - x // 2},{x // 2}:{x}:99" for x in dps]),
            "1/1": np.array([f"1/1:0,{x}:{x}:{min(99, 3 * x)}" for x in dps]),
            "./.": np.array(["./.:0,0:0:0" for _ in dps]),
            "1/2": np.array([f"1/2:0,{x - x // 2},{x // 2}:{x}:99" for x in dps]),
            "0/2": np.array([f"0/2:{x - x // 2},0,{x // 2}:{x}:99" for x in dps]),
        }
        tab_multi = {  # AD is Number=R: three values at a site with two ALTs
            "0/0": np.array([f"0/0:{x},0,0:{x}:{min(99, 3 * x)}" for x in dps]),
            "0/1": np.array([f"0/1:{x - x // 2},{x // 2},0:{x}:99" for x in dps]),
            "1/1": np.array([f"1/1:0,{x},0:{x}:{min(99, 3 * x)}" for x in dps]),
            "./.": np.array(["./.:0,0,0:0:0" for _ in dps]),
            "1/2": tab["1/2"],
            "0/2": tab["0/2"],
        }
        lines = []
        for p, ref, alt in recs:
            dp_idx = rng.integers(0, len(dps), n_samples)
            if p in planted_rows:
                kind = planted_rows[p]
                gts = np.full(n_samples, "0/0", dtype=object)
                for s, plants in PLANTED.items():
                    for k, g in plants:
                        if k == kind and s < n_samples:
                            gts[s] = g
                            dp_idx[s] = len(dps) - 1  # planted calls pass QC (DP 60)
            else:
                af = float(min(0.5, rng.beta(0.12, 3.0)))
                u = rng.random(n_samples)
                gts = np.where(u < (1 - af) ** 2, "0/0", np.where(u < 1 - af * af, "0/1", "1/1")).astype(object)
                if "," in alt:
                    gts = np.where(
                        gts == "1/1", "1/2", np.where((gts == "0/1") & (rng.random(n_samples) < 0.3), "0/2", gts)
                    )
                gts[rng.random(n_samples) < 0.005] = "./."
            cols = np.empty(n_samples, dtype=object)
            for g, arr in (tab_multi if "," in alt else tab).items():
                m = gts == g
                if m.any():
                    cols[m] = arr[dp_idx[m]]
            n_alt = int(sum((gts == "0/1") | (gts == "0/2")) + 2 * sum((gts == "1/1") | (gts == "1/2")))
            an = 2 * int(sum(gts != "./."))
            if "," in alt:
                info = f"AC={n_alt // 2},{n_alt - n_alt // 2};AN={an}"
            else:
                info = f"AC={n_alt};AF={n_alt / max(an, 1):.5f};AN={an}"
            lines.append(
                f"chr9\t{p}\t.\t{ref}\t{alt}\t{100 + n_alt}\tPASS\t{info}\tGT:AD:DP:GQ\t"
                + "\t".join(cols.tolist())
                + "\n"
            )
        hdr = _header(names, source="GATK GenotypeGVCFs (synthetic benchmark cohort)")
        part = vcf.with_suffix(".part")
        _bgzip_body(iter([hdr, "".join(lines)]), part)
        part.rename(vcf)
        subprocess.run(["tabix", "-f", "-p", "vcf", str(vcf)], check=True)
        (d / "planted.json").write_text(
            json.dumps(
                {
                    "variants": {k: list(v) for k, v in pl.items()},
                    "carriers": {names[s]: v for s, v in PLANTED.items() if s < n_samples},
                },
                indent=1,
            )
        )
    sheet.write_text("sample\tvcf\tvcf_sample\n" + "".join(f"{s}\t{vcf}\t{s}\n" for s in names))
    print(
        f"cohort: {vcf} ({vcf.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f}s; sheet {sheet}",
        file=sys.stderr,
    )
    return sheet


# --- GFF3 for bcftools csq -------------------------------------------------------------------------------------


def make_gff3(path: Path | None = None) -> Path:
    """Ensembl-style GFF3 (gene / mRNA / exon / CDS with phase / UTRs) of NM_017662.5 for bcftools csq."""
    t = transcript()
    path = path or OUT / "trpm6.GRCh38.gff3"
    path.parent.mkdir(parents=True, exist_ok=True)
    sd = "-" if t["strand"] < 0 else "+"
    chrom, gid, tid, pid = t["chrom"], "ENSG00000119121", t["ensembl_transcript_id"].split(".")[0], "ENSP00000354006"
    exons = sorted(t["exons"], key=lambda e: e["number"])
    lo, hi = min(e["start"] for e in exons), max(e["end"] for e in exons)
    rows = [
        f"{chrom}\tensembl\tgene\t{lo}\t{hi}\t.\t{sd}\t.\tID=gene:{gid};Name={t['gene']};biotype=protein_coding;"
        f"gene_id={gid}",
        f"{chrom}\tensembl\tmRNA\t{lo}\t{hi}\t.\t{sd}\t.\tID=transcript:{tid};Parent=gene:{gid};"
        f"Name={t['gene']}-201;biotype=protein_coding;transcript_id={tid};tag=MANE_Select",
    ]
    done = 0
    for e in exons:
        rows.append(
            f"{chrom}\tensembl\texon\t{e['start']}\t{e['end']}\t.\t{sd}\t.\tParent=transcript:{tid};"
            f"Name={tid}.exon{e['number']};rank={e['number']}"
        )
        a, b = max(e["start"], t["cds_start"]), min(e["end"], t["cds_end"])
        if a <= b:
            phase = (3 - done % 3) % 3
            rows.append(f"{chrom}\tensembl\tCDS\t{a}\t{b}\t.\t{sd}\t{phase}\tID=CDS:{pid};Parent=transcript:{tid}")
            done += b - a + 1
        # UTR pieces
        for ua, ub in ((e["start"], min(e["end"], t["cds_start"] - 1)), (max(e["start"], t["cds_end"] + 1), e["end"])):
            if ua <= ub:
                five = (ua > t["cds_end"]) if t["strand"] < 0 else (ub < t["cds_start"])
                kind = "five_prime_UTR" if five else "three_prime_UTR"
                rows.append(f"{chrom}\tensembl\t{kind}\t{ua}\t{ub}\t.\t{sd}\t.\tParent=transcript:{tid}")
    path.write_text("##gff-version 3\n" + "\n".join(rows) + "\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    w = sub.add_parser("wgs")
    w.add_argument("--n", type=int, default=200)
    w.add_argument("--templates", type=int, default=8)
    w.add_argument("--records", type=int, default=300_000)
    w.add_argument("--link", action="store_true", help="hardlink templates instead of real per-sample copies")
    w.add_argument("--kind", choices=sorted(KINDS), default="wgs", help="chr9: files whose index holds chr9 only")
    c = sub.add_parser("cohort")
    c.add_argument("--samples", type=int, default=COHORT_N)
    sub.add_parser("gff3")
    a = ap.parse_args()
    if a.what == "wgs":
        print(make_wgs(a.n, a.templates, a.records, link=a.link, kind=a.kind))
    elif a.what == "cohort":
        print(make_cohort(a.samples))
    else:
        print(make_gff3())


if __name__ == "__main__":
    main()
