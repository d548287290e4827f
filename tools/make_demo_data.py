"""Build the demo data set (resources/demo/{vcf,bam,truth.tsv}, config/samples*.tsv) with real tools.

For every demo sample the TRPM6 region of the synthetic GRCh38 stand-in (contig `chr9`) is copied into
two haplotypes, the planted variants are applied per haplotype, paired reads are simulated with dwgsim
(seeded) from windows around the exons only (exon +/- 600 bp, so that exon +/- 300 bp is at full depth),
aligned with bwa mem to the full-length stand-in chr9 and called with `bcftools mpileup | bcftools call -mv`
(one VCF per sample) and FreeBayes (one joint VCF of three samples). Caller outputs are kept as the callers
wrote them (MNPs, multiallelic sites, FreeBayes without GQ); the only hand-made record is the symbolic
<DEL> of the exon 6 deletion in HSH08 (short-read SNV callers do not call it), added with the header lines
a CNV caller would write. Two samples are also aligned to the GRCh37 stand-in (contig `9`) and called there.

Everything here is built on the synthetic stand-in reference: NOT FOR CLINICAL USE.

Usage:
    .venv/bin/python tools/make_demo_data.py [--workdir DIR] [--threads N] [--keep-work]

The bwa indexes of the two full-length stand-ins (~4 min each to build) are cached in the work directory
(default: $HSH_DEMO_WORKDIR or ~/.cache/hshpipe-demo-build), so reruns take about a minute.
Deterministic: fixed seeds for dwgsim, bwa mem -K, single-threaded callers.
Tools: see resources/demo/README.md (bwa 0.7.17, dwgsim 0.1.14, samtools/bcftools 1.16, freebayes 1.3.6).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pysam

from hshpipe.codons import AA3
from hshpipe.model import CPos
from hshpipe.reference import GeneCache, build_gene_cache, revcomp, translate

ROOT = Path(__file__).resolve().parents[1]

SEED = 20261127
DEMO = ROOT / "resources" / "demo"
REF_DIR = DEMO / "reference"
REFS = {"GRCh38": REF_DIR / "GRCh38_synthetic_chr9.fa.gz", "GRCh37": REF_DIR / "GRCh37_synthetic_9.fa.gz"}
GRCH37_OFFSET = 2_614_916  # GRCh37 = GRCh38 + offset for every TRPM6 exon; the stand-ins share the sequence
WINDOW = 600  # reads are simulated from exon +/- WINDOW (full depth over exon +/- 300 bp)
CALL_PAD = 1_000  # calling region: transcript +/- CALL_PAD
READ_LEN, FRAGMENT, FRAGMENT_SD = 100, 350, 35
HAP_COVERAGE = 16.0  # dwgsim -C per haplotype: ~40x diploid mean over the coding exons (measured)
COMP = str.maketrans("ACGT", "TGCA")
TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}
TRANSVERSION = {"A": "T", "T": "A", "C": "G", "G": "C"}
# base qualities binned as Illumina RTA3 (NovaSeq) does: keeps the BAMs small, as real NovaSeq BAMs are
QBIN = str.maketrans(
    {chr(33 + q): chr(33 + (2 if q < 3 else 12 if q < 15 else 23 if q < 31 else 37)) for q in range(94)}
)


# ------------------------------------------------------------------------------------------------
# planted variants: defined on the transcript (c.), turned into forward-strand VCF alleles
# ------------------------------------------------------------------------------------------------
@dataclass
class Planted:
    pos: int  # GRCh38, VCF-style (left-aligned on the forward strand)
    ref: str
    alt: str  # "<DEL>" for the symbolic exon deletion
    hgvs_c: str
    hgvs_p: str  # "" when there is no protein effect (intronic)
    consequence: str  # expected SO terms, most severe first, ";"-separated
    role: str  # qualifying (P/LP by design) | vus (planted, uncertain significance by the rules) | background
    note: str = ""
    end: int = 0  # last reference base affected (for <DEL>: END)
    del_seq: tuple[int, int] | None = None  # for <DEL>: deleted genomic range (inclusive)

    def __post_init__(self) -> None:
        if not self.end:
            self.end = self.pos + len(self.ref) - 1


class Designer:
    """Builds Planted variants from c. descriptions on the GRCh38 stand-in and checks them."""

    def __init__(self, cache: GeneCache):
        self.c = cache
        self.t = cache.transcript
        assert self.t.strand < 0, "the VCF/HGVS helpers below assume TRPM6's minus strand"
        self.cds = cache.cds_sequence()
        utr3 = []
        for tx in range(self.t.cds_tx_end + 1, self.t.tx_length + 1):
            utr3.append(self.base_tx(self.t.genomic_of_tx(tx)))
        self.utr3 = "".join(utr3)

    def g(self, c: int, offset: int = 0) -> int:
        return self.t.genomic_of_c(CPos(c, offset))

    def base_tx(self, g: int) -> str:
        b = self.c.fetch(g, g)
        return b.translate(COMP) if self.t.strand < 0 else b

    def fwd(self, s_tx: str) -> str:
        return revcomp(s_tx) if self.t.strand < 0 else s_tx

    # --- protein effects (independent of the pipeline's own hgvs module: this is the test oracle) ---
    def codon(self, k: int) -> str:
        return self.cds[3 * k - 3 : 3 * k]

    def p_of_cds(self, new_cds: str) -> str:
        ref_p = translate(self.cds)
        seq = new_cds + self.utr3
        new_p = translate(seq)
        k = next(i for i, (a, b) in enumerate(zip(ref_p, new_p)) if a != b)
        if len(new_cds) == len(self.cds):  # substitution / delins within the CDS
            ends = [i for i, (a, b) in enumerate(zip(ref_p, new_p)) if a != b]
            assert len(ends) == 1, "multi-residue change not expected in the demo"
            return f"p.({AA3[ref_p[k]]}{k + 1}{AA3[new_p[k]]})"
        if new_p[k] == "*":
            return f"p.({AA3[ref_p[k]]}{k + 1}Ter)"
        stop = new_p.index("*", k)
        return f"p.({AA3[ref_p[k]]}{k + 1}{AA3[new_p[k]]}fsTer{stop - k + 1})"

    # --- constructors ---
    def snv(self, c: int, alt_tx: str, role: str, consequence: str, offset: int = 0, note: str = "") -> Planted:
        g = self.g(c, offset)
        ref_tx = self.base_tx(g)
        assert ref_tx != alt_tx
        name = f"c.{CPos(c, offset)}{ref_tx}>{alt_tx}"
        if offset == 0:
            new = self.cds[: c - 1] + alt_tx + self.cds[c:]
            k = (c - 1) // 3 + 1
            if translate(new[3 * k - 3 : 3 * k]) == translate(self.codon(k)):
                p = f"p.({AA3[translate(self.codon(k))]}{k}=)"
            else:
                p = self.p_of_cds(new)
        else:
            p = "p.?" if abs(offset) <= 2 else ""
        return Planted(g, self.c.fetch(g, g), self.fwd(alt_tx), name, p, consequence, role, note)

    def delins(self, c1: int, c2: int, alt_tx: str, role: str, consequence: str, note: str = "") -> Planted:
        g_hi, g_lo = self.g(c1), self.g(c2)
        lo, hi = min(g_hi, g_lo), max(g_hi, g_lo)
        new = self.cds[: c1 - 1] + alt_tx + self.cds[c2:]
        return Planted(
            lo,
            self.c.fetch(lo, hi),
            self.fwd(alt_tx),
            f"c.{c1}_{c2}delins{alt_tx}",
            self.p_of_cds(new),
            consequence,
            role,
            note,
        )

    def del1(self, c: int, role: str, consequence: str, note: str = "") -> Planted:
        # 3' rule: the next transcript base must differ, so c. is already the 3'-most position
        assert self.cds[c - 1] != self.cds[c], "choose a deletion that cannot shift"
        g = self.g(c)
        anchor = g - 1  # minus strand: c.N+1 is g-1 and differs, so g cannot shift left either
        ref = self.c.fetch(anchor, anchor + 1)
        new = self.cds[: c - 1] + self.cds[c:]
        return Planted(anchor, ref, ref[0], f"c.{c}del", self.p_of_cds(new), consequence, role, note)

    def dup1_in_run(self, c_first: int, c_last: int, role: str, consequence: str, note: str = "") -> Planted:
        """1-bp duplication inside a homopolymer run c_first..c_last (transcript order)."""
        run = self.cds[c_first - 1 : c_last]
        assert len(set(run)) == 1 and self.cds[c_last] != run[0] and self.cds[c_first - 2] != run[0]
        g_low = min(self.g(c_first), self.g(c_last))  # left end of the run on the forward strand
        anchor = g_low - 1
        ref = self.c.fetch(anchor, anchor)
        new = self.cds[:c_last] + run[0] + self.cds[c_last:]
        return Planted(
            anchor, ref, ref + self.fwd(run[0]), f"c.{c_last}dup", self.p_of_cds(new), consequence, role, note
        )

    def exon_deletion(self, exon: int, flank: int, role: str, consequence: str, note: str = "") -> Planted:
        e = next(x for x in self.t.exons if x.number == exon)
        lo, hi = e.start - flank, e.end + flank
        c_5, c_3 = self.t.c_pos(hi if self.t.strand < 0 else lo), self.t.c_pos(lo if self.t.strand < 0 else hi)
        anchor = lo - 1
        return Planted(
            anchor,
            self.c.fetch(anchor, anchor),
            "<DEL>",
            f"c.{c_5}_{c_3}del",
            "p.?",
            consequence,
            role,
            note,
            end=hi,
            del_seq=(lo, hi),
        )


@dataclass
class Sample:
    name: str
    hap1: list[Planted]
    hap2: list[Planted]
    expected_verdict: str
    why: str
    hap_coverage: float = HAP_COVERAGE
    low_exons: dict[int, float] = field(default_factory=dict)  # exon number -> per-haplotype coverage
    caller: str = "bcftools"  # caller of the VCF listed in the sample sheet
    vcf_sample: str = ""  # column name in the joint VCF when it differs
    gvcf: bool = False
    grch37: bool = False

    def genotypes(self) -> list[tuple[Planted, str]]:
        out: list[tuple[Planted, str]] = []
        seen = []
        for v in self.hap1 + self.hap2:
            if any(v is s for s in seen):
                continue
            seen.append(v)
            a, b = any(v is x for x in self.hap1), any(v is x for x in self.hap2)
            out.append((v, "homozygous" if a and b else "heterozygous"))
        return sorted(out, key=lambda x: x[0].pos)


def design(cache: GeneCache) -> list[Sample]:
    d = Designer(cache)
    # background variants (benign polymorphisms and intronic SNVs)
    v1393i = d.snv(4177, "A", "background", "missense_variant", note="common polymorphism p.Val1393Ile (benign)")
    k1584e = d.snv(4750, "G", "background", "missense_variant", note="common polymorphism p.Lys1584Glu (benign)")
    assert v1393i.hgvs_p == "p.(Val1393Ile)" and k1584e.hgvs_p == "p.(Lys1584Glu)"

    def intronic(c: int, off: int, kind: str = "ts") -> Planted:
        ref = d.base_tx(d.g(c, off))
        alt = (TRANSITION if kind == "ts" else TRANSVERSION)[ref]
        return d.snv(c, alt, "background", "intron_variant", offset=off, note="intronic SNV")

    i4 = intronic(330, 150)
    i13 = intronic(1497, 80)
    i19 = intronic(2539, -140)
    i24 = intronic(3403, 200)
    i33 = intronic(5200, 60)
    multi_a, multi_b = intronic(2238, 110, "ts"), intronic(2238, 110, "tv")  # one site, two alleles
    multi2_a, multi2_b = intronic(4906, 90, "ts"), intronic(4906, 90, "tv")
    for v in (multi_a, multi_b, multi2_a, multi2_b):
        v.note = "multiallelic site (two ALT alleles)"

    # qualifying and VUS variants
    c1429x = d.snv(
        4287,
        "A",
        "qualifying",
        "stop_gained",
        note="c.4287C>A p.(Cys1429Ter); curated nonsense (stand-in codon 1429 forced to TGC)",
    )
    fs_dup = d.dup1_in_run(
        1068, 1072, "qualifying", "frameshift_variant", note="1-bp duplication in a T5 run (exon 9); dup, 3'-shifted"
    )
    splice = d.snv(
        1443,
        "A",
        "vus",
        "splice_donor_variant",
        offset=1,
        note="canonical donor +1 of intron 12; in-frame exon 12 skipped: PVS1_Moderate, uncertain significance",
    )
    fs_stop = d.del1(
        2387,
        "background",
        "frameshift_variant;stop_gained",
        note="1-bp deletion whose first new codon is a stop (exon 18); common in the synthetic demo population "
        "file (BA1: benign), so it does not count",
    )
    vus = d.snv(2699, "G", "background", "missense_variant", note="novel missense, uncertain significance")
    s141l = d.delins(
        421,
        422,
        "CT",
        "vus",
        "missense_variant",
        note="TCT>CTT: Leu by a 2-base change (c.422C>T alone gives Phe on this stand-in); "
        "curated p.Ser141Leu (Chubanov 2004) matched at protein level; bcftools calls it "
        "as two SNVs (c.421T>C, c.422C>T) in cis, FreeBayes as one MNP; PS1 alone: uncertain significance",
    )
    r700x = d.snv(2098, "T", "qualifying", "stop_gained", note="nonsense, but only ~4x depth: fails QC")
    ivs14 = d.snv(
        1638,
        "C",
        "qualifying",
        "intron_variant",
        offset=7,
        note="curated c.1638+7T>C (Front Pediatr 2022); splice_region_variant by VEP (+3..+8)",
    )
    ivs14.consequence = "splice_region_variant;intron_variant"
    ex6del = d.exon_deletion(
        6,
        100,
        "qualifying",
        "exon_loss_variant",
        note="whole exon 6 deletion (+/-100 bp intron), planted on one haplotype; "
        "symbolic <DEL> record added to the VCF",
    )
    # synonymous change in the last base of exon 4 (c.330): splice_region_variant + synonymous_variant
    k = 110
    cod = d.codon(k)
    alt3 = next(b for b in "ACGT" if b != cod[2] and translate(cod[:2] + b) == translate(cod))
    syn = d.snv(
        330,
        alt3,
        "background",
        "splice_region_variant;synonymous_variant",
        note="synonymous change in the last base of exon 4",
    )

    return [
        Sample("HSH01", [c1429x, v1393i, i4], [c1429x, i13], "biallelic", "homozygous nonsense c.4287C>A", grch37=True),
        Sample(
            "HSH02",
            [fs_dup, multi_a, i19],
            [splice, i19],
            "uncertain",
            "heterozygous frameshift + heterozygous canonical donor of in-frame exon 12 (PVS1_Moderate: uncertain significance), phase unknown",
            caller="freebayes",
            vcf_sample="P0002",
        ),
        Sample(
            "HSH03",
            [fs_stop, k1584e, v1393i],
            [k1584e, multi_b, i24],
            "negative",
            "the only loss-of-function allele is common in the population file (BA1, benign)",
            caller="freebayes",
            vcf_sample="P0003",
        ),
        Sample(
            "HSH04",
            [vus, i4, i33],
            [vus],
            "uncertain",
            "homozygous missense of uncertain significance only: the VUS could be both alleles",
        ),
        Sample(
            "HSH05",
            [syn, multi2_a, i13],
            [multi2_b, i13],
            "negative",
            "no qualifying variant (background only); exon 20 at ~5x",
            low_exons={20: 1.7},
            gvcf=True,
        ),
        Sample(
            "HSH06",
            [s141l, i24],
            [s141l],
            "uncertain",
            "homozygous p.Ser141Leu by another codon change (curated, protein-level match: PS1 alone, uncertain significance)",
            caller="freebayes",
            vcf_sample="P0006",
        ),
        Sample(
            "HSH07",
            [r700x, i19],
            [r700x],
            "inconclusive",
            "homozygous nonsense seen at ~4x only: fails DP/GQ QC",
            hap_coverage=1.6,
        ),
        Sample(
            "HSH08",
            [ivs14, i33],
            [ex6del, v1393i],
            "possible_compound_heterozygous",
            "heterozygous c.1638+7T>C + heterozygous exon 6 deletion (the published compound "
            "heterozygote; phase unknown from the VCF)",
            grch37=True,
        ),
    ]


# ------------------------------------------------------------------------------------------------
# simulation, alignment, calling
# ------------------------------------------------------------------------------------------------
def run(cmd: str, cwd: Path, log: Path | None = None) -> None:
    """Run a shell pipeline (bash, pipefail) in cwd; stderr goes to log."""
    with open(log, "ab") if log else open(os.devnull, "wb") as err:
        if log:
            err.write(f"\n$ {cmd}\n".encode())
            err.flush()
        r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, stderr=err)
    if r.returncode:
        tail = log.read_text()[-2000:] if log else ""
        raise SystemExit(f"command failed ({r.returncode}): {cmd}\n{tail}")


def tool_version(cmd: str) -> str:
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, errors="replace")
    return (r.stdout + r.stderr).strip().splitlines()[0] if (r.stdout + r.stderr).strip() else "?"


def windows(cache: GeneCache) -> list[tuple[int, int, list[int]]]:
    """Merged exon +/- WINDOW intervals: (start, end, exon numbers)."""
    iv = sorted((e.start - WINDOW, e.end + WINDOW, e.number) for e in cache.transcript.exons)
    out: list[list] = []
    for s, e, n in iv:
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
            out[-1][2].append(n)
        else:
            out.append([s, e, [n]])
    return [(s, e, sorted(n)) for s, e, n in out]


def haplotype_window(cache: GeneCache, start: int, end: int, variants: list[Planted]) -> str:
    seq = cache.fetch(start, end)
    for v in sorted(variants, key=lambda x: -x.pos):
        if v.del_seq:
            lo, hi = v.del_seq
            if lo < start or hi > end:
                if lo <= end and hi >= start:
                    raise SystemExit("planted deletion crosses a simulation window edge")
                continue
            seq = seq[: lo - start] + seq[hi - start + 1 :]
            continue
        if v.pos < start or v.end > end:
            continue
        i = v.pos - start
        assert seq[i : i + len(v.ref)] == v.ref, (v, seq[i : i + len(v.ref)])
        seq = seq[:i] + v.alt + seq[i + len(v.ref) :]
    return seq


def simulate(sample: Sample, idx: int, cache: GeneCache, work: Path, log: Path) -> tuple[Path, Path]:
    """dwgsim per haplotype (and per coverage group); returns merged, renamed FASTQ pair."""
    wins = windows(cache)
    groups: dict[float, list[tuple[int, int, list[int]]]] = {}
    for w in wins:
        cov = min((sample.low_exons[n] for n in w[2] if n in sample.low_exons), default=sample.hap_coverage)
        groups.setdefault(cov, []).append(w)
    sdir = work / "sim" / sample.name
    if sdir.exists():
        shutil.rmtree(sdir)
    sdir.mkdir(parents=True)
    fq1, fq2 = sdir / f"{sample.name}_R1.fastq.gz", sdir / f"{sample.name}_R2.fastq.gz"
    n = 0
    with gzip.open(fq1, "wt", compresslevel=6) as o1, gzip.open(fq2, "wt", compresslevel=6) as o2:
        for h, hap in enumerate((sample.hap1, sample.hap2), start=1):
            for gi, (cov, ws) in enumerate(sorted(groups.items())):
                fa = sdir / f"hap{h}_g{gi}.fa"
                with fa.open("w") as fh:
                    for s, e, _exons in ws:
                        fh.write(f">w{s}_{e}\n{haplotype_window(cache, s, e, hap)}\n")
                seed = SEED + 100 * idx + 10 * h + gi
                prefix = f"hap{h}_g{gi}"
                run(
                    f"dwgsim -z {seed} -C {cov} -1 {READ_LEN} -2 {READ_LEN} -d {FRAGMENT} -s {FRAGMENT_SD} "
                    f"-e 0.002 -E 0.004 -r 0 -R 0 -y 0 -n 0 -c 0 -S 0 {fa.name} {prefix}",
                    sdir,
                    log,
                )
                r1 = next(sdir.glob(f"{prefix}.bwa.read1.fastq*"))
                r2 = next(sdir.glob(f"{prefix}.bwa.read2.fastq*"))
                op = gzip.open if r1.suffix == ".gz" else open
                with op(r1, "rt") as i1, op(r2, "rt") as i2:
                    while True:
                        a = [i1.readline() for _ in range(4)]
                        b = [i2.readline() for _ in range(4)]
                        if not a[0]:
                            break
                        n += 1
                        name = f"@{sample.name}:{n}"
                        o1.write(f"{name}/1\n{a[1]}+\n{a[3].translate(QBIN)}")
                        o2.write(f"{name}/2\n{b[1]}+\n{b[3].translate(QBIN)}")
    return fq1, fq2


def ensure_reference(build: str, work: Path, log: Path) -> Path:
    """Plain FASTA copy of the stand-in with .fai and a bwa index (cached: built once, ~4 min)."""
    src = REFS[build]
    rdir = work / "ref"
    rdir.mkdir(parents=True, exist_ok=True)
    plain = rdir / src.name[:-3]  # e.g. GRCh38_synthetic_chr9.fa
    stamp = rdir / (plain.name + ".source_sha256")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and Path(str(plain) + ".sa").exists():
        return plain
    t0 = time.time()
    print(f"  [{build}] decompressing and bwa-indexing the full-length stand-in (one-off, ~4 min) ...", flush=True)
    with gzip.open(src, "rb") as i, plain.open("wb") as o:
        shutil.copyfileobj(i, o)
    pysam.faidx(str(plain))
    run(f"bwa index {plain.name}", rdir, log)
    stamp.write_text(digest)
    print(f"  [{build}] index built in {time.time() - t0:.0f} s", flush=True)
    return plain


def align(sample: Sample, fq: tuple[Path, Path], ref: Path, out_bam: Path, threads: int, work: Path, log: Path) -> None:
    """bwa mem | samtools sort, run in the work dir with relative paths (no machine paths in @PG lines)."""
    rg = f"@RG\\tID:{sample.name}\\tSM:{sample.name}\\tLB:{sample.name}-lib1\\tPL:ILLUMINA"
    tmp = work / "bam" / (out_bam.stem + ".tmp.bam")
    r = lambda p: os.path.relpath(p, work)  # noqa: E731
    run(
        f"bwa mem -v 1 -t {threads} -K 10000000 -R '{rg}' {r(ref)} {r(fq[0])} {r(fq[1])} "
        f"| samtools sort -l 9 -T sorttmp.{out_bam.stem} -o bam/{tmp.name} -",
        work,
        log,
    )
    tmp.replace(out_bam)
    pysam.index(str(out_bam))


def call_bcftools(bams: list[Path], ref: Path, region: str, out: Path, log: Path, gvcf: bool = False) -> None:
    work = ref.parent.parent
    r = lambda p: os.path.relpath(p, work)  # noqa: E731
    bam_args = " ".join(f"bam/{b.name}" for b in bams)
    ref, out = Path(r(ref)), Path("vcf") / out.name
    if gvcf:
        cmd = (
            f"bcftools mpileup -Ou -f {ref} -r {region} -a FORMAT/AD,FORMAT/DP -g 10,20 {bam_args} "
            f"| bcftools call -m -g 10,20 -f GQ -Oz -o {out}"
        )
    else:
        cmd = (
            f"bcftools mpileup -Ou -f {ref} -r {region} -a FORMAT/AD,FORMAT/DP {bam_args} "
            f"| bcftools call -mv -f GQ -Oz -o {out}"
        )
    run(cmd, work, log)
    pysam.tabix_index(str(work / out), preset="vcf", force=True)


def call_freebayes(bams: list[Path], ref: Path, region: str, out: Path, rename: dict[str, str], log: Path) -> None:
    work = ref.parent.parent
    raw = work / (out.name.replace(".vcf.gz", ".raw.vcf"))
    names = work / "rename.txt"
    names.write_text("".join(f"{a} {b}\n" for a, b in rename.items()))
    bam_args = " ".join(f"bam/{b.name}" for b in bams)
    run(f"freebayes -f {os.path.relpath(ref, work)} -r {region} {bam_args} > {raw.name}", work, log)
    run(f"bcftools reheader -s {names.name} {raw.name} | bcftools view -Oz -o vcf/{out.name}", work, log)
    raw.unlink()
    names.unlink()
    pysam.tabix_index(str(out), preset="vcf", force=True)


def add_symbolic_del(vcf: Path, out: Path, sample: str, v: Planted, offset: int = 0) -> None:
    """Copy a bcftools VCF and add the exon deletion as a symbolic <DEL> record (as a CNV caller would)."""
    src = pysam.VariantFile(str(vcf))
    hdr = src.header.copy()
    for line in (
        '##ALT=<ID=DEL,Description="Deletion relative to the reference">',
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
        '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Difference in length between REF and ALT alleles">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant described in this record">',
        '##INFO=<ID=SVMETHOD,Number=1,Type=String,Description="How the structural variant was found">',
        "##source_sv=exon 6 deletion added by tools/make_demo_data.py (read depth / split reads of the "
        "planted haplotype; short-read SNV callers do not report it)",
    ):
        hdr.add_line(line)
    dst = pysam.VariantFile(str(out), "wz", header=hdr)
    pos, end = v.pos + offset, v.end + offset
    rec = dst.new_record(
        contig=next(iter(hdr.contigs)),
        start=pos - 1,
        stop=end,
        alleles=(v.ref, "<DEL>"),
        qual=60,
        filter="PASS",
        info={"SVTYPE": "DEL", "SVLEN": [-(end - pos)], "SVMETHOD": "depth_and_split_reads"},
    )
    rec.samples[sample]["GT"] = (0, 1)
    added = False
    for r in src:
        if not added and r.pos > pos:
            dst.write(rec)
            added = True
        dst.write(r)
    if not added:
        dst.write(rec)
    dst.close()
    src.close()
    pysam.tabix_index(str(out), preset="vcf", force=True)


# ------------------------------------------------------------------------------------------------
# checks and reports
# ------------------------------------------------------------------------------------------------
def atomize_calls(vcf: Path, ref: Path, sample: str) -> dict[tuple[int, str, str], str]:
    """(pos, ref, alt) -> GT for every non-reference allele of `sample` after split + atomize + left-align."""
    out = {}
    norm = subprocess.run(
        [
            "bash",
            "-o",
            "pipefail",
            "-c",
            f"bcftools view -s {sample} {vcf} | bcftools norm -m -any -a --atom-overlaps . "
            f"-f {ref} 2>/dev/null | bcftools norm -f {ref} 2>/dev/null | bcftools query -i 'GT!=\"ref\"' "
            f"-f '%POS\\t%REF\\t%ALT\\t[%GT]\\n'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in norm.stdout.splitlines():
        p, r, a, gt = line.split("\t")
        if "1" in gt:
            out[(int(p), r, a)] = gt
    return out


def atoms(v: Planted, offset: int) -> list[tuple[int, str, str]]:
    if v.alt.startswith("<"):
        return [(v.pos + offset, v.ref, v.alt)]
    if len(v.ref) == len(v.alt):
        return [(v.pos + offset + i, r, a) for i, (r, a) in enumerate(zip(v.ref, v.alt)) if r != a]
    return [(v.pos + offset, v.ref, v.alt)]


def depth_summary(bam: Path, cache: GeneCache, offset: int = 0) -> tuple[float, int, dict[int, float]]:
    """(mean depth over coding exons, min depth over CDS, per-exon mean) from the BAM."""
    t = cache.transcript
    per_exon = {}
    all_d = []
    with pysam.AlignmentFile(str(bam)) as af:
        contig = af.references[0]
        for e in t.exons:
            lo, hi = max(e.start, t.cds_start), min(e.end, t.cds_end)
            if lo > hi:
                continue
            cov = af.count_coverage(contig, lo - 1 + offset, hi + offset, quality_threshold=0, read_callback="nofilter")
            d = [sum(x) for x in zip(*cov)]
            per_exon[e.number] = sum(d) / len(d)
            all_d += d
    return sum(all_d) / len(all_d), min(all_d), per_exon


def sha256(p: Path) -> str:
    """sha256 of the file; for VCFs of the records only (callers write the date into the header)."""
    if ".vcf" in p.name and not p.name.endswith(".tbi"):
        op = gzip.open if p.name.endswith(".gz") else open
        with op(p, "rt") as fh:
            body = "".join(l for l in fh if not l.startswith("#"))
        return "records:" + hashlib.sha256(body.encode()).hexdigest()
    return hashlib.sha256(p.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--workdir",
        type=Path,
        default=Path(os.environ.get("HSH_DEMO_WORKDIR", Path.home() / ".cache" / "hshpipe-demo-build")),
    )
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--keep-work", action="store_true", help="keep simulated FASTQs in the work directory")
    args = ap.parse_args()
    t_start = time.time()
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    log = work / "make_demo_data.log"
    log.write_text("")
    vcf_dir, bam_dir = DEMO / "vcf", DEMO / "bam"
    for d in (vcf_dir, bam_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        link = work / d.name  # work/vcf -> resources/demo/vcf etc.: commands use short relative paths
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(d)

    versions = {
        "bwa": tool_version("bwa 2>&1 | grep -i '^Version'"),
        "dwgsim": tool_version("dwgsim 2>&1 | grep -i '^Version'"),
        "samtools": tool_version("samtools --version"),
        "bcftools": tool_version("bcftools --version"),
        "freebayes": tool_version("freebayes --version"),
        "pysam": f"pysam {pysam.__version__}",
    }
    print("tools: " + "; ".join(versions.values()))

    caches = {b: build_gene_cache(REFS[b], b) for b in REFS}
    c38, c37 = caches["GRCh38"], caches["GRCh37"]
    assert c38.seq == c37.seq and c37.region_start - c38.region_start == GRCH37_OFFSET, (
        "the stand-ins no longer carry the same gene sequence at the fixed offset"
    )
    samples = design(c38)
    refs = {b: ensure_reference(b, work, log) for b in REFS}
    t_ref = time.time()

    t = c38.transcript
    region38 = f"chr9:{t.start - CALL_PAD}-{t.end + CALL_PAD}"
    region37 = f"9:{t.start - CALL_PAD + GRCH37_OFFSET}-{t.end + CALL_PAD + GRCH37_OFFSET}"
    bams: dict[str, Path] = {}
    bams37: dict[str, Path] = {}
    timings = {}
    for idx, s in enumerate(samples, start=1):
        t0 = time.time()
        fq = simulate(s, idx, c38, work, log)
        bams[s.name] = bam_dir / f"{s.name}.bam"
        align(s, fq, refs["GRCh38"], bams[s.name], args.threads, work, log)
        if s.grch37:
            bams37[s.name] = bam_dir / f"{s.name}.GRCh37.bam"
            align(s, fq, refs["GRCh37"], bams37[s.name], args.threads, work, log)
        timings[s.name] = time.time() - t0
        if not args.keep_work:
            shutil.rmtree(work / "sim" / s.name)
        print(f"  simulated + aligned {s.name} in {timings[s.name]:.1f} s", flush=True)

    # --- calling ---
    ref38 = refs["GRCh38"]
    sheet_vcf: dict[str, str] = {}
    for s in samples:  # bcftools, one VCF per sample (also for the FreeBayes-cohort samples: a second caller)
        out = vcf_dir / f"{s.name}.bcftools.vcf.gz"
        call_bcftools([bams[s.name]], ref38, region38, out, log)
        if s.gvcf:
            g = vcf_dir / f"{s.name}.bcftools.g.vcf.gz"
            call_bcftools([bams[s.name]], ref38, region38, g, log, gvcf=True)
            sheet_vcf[s.name] = str(g.relative_to(ROOT))
        if any(v.alt == "<DEL>" for v, _ in s.genotypes()):
            sv = next(v for v, _ in s.genotypes() if v.alt == "<DEL>")
            tmp = vcf_dir / "tmp.vcf.gz"
            add_symbolic_del(out, tmp, s.name, sv)
            tmp.replace(out)
            Path(str(tmp) + ".tbi").replace(Path(str(out) + ".tbi"))
        if s.caller == "bcftools" and s.name not in sheet_vcf:
            sheet_vcf[s.name] = str(out.relative_to(ROOT))
    # one uncompressed VCF (users have those too): HSH04
    plain = vcf_dir / "HSH04.bcftools.vcf"
    with gzip.open(vcf_dir / "HSH04.bcftools.vcf.gz", "rt") as i, plain.open("w") as o:
        o.write(i.read())
    (vcf_dir / "HSH04.bcftools.vcf.gz").unlink()
    Path(str(vcf_dir / "HSH04.bcftools.vcf.gz") + ".tbi").unlink()
    sheet_vcf["HSH04"] = str(plain.relative_to(ROOT))
    # FreeBayes joint calls of three samples, columns renamed to lab ids (vcf_sample in the sheet)
    cohort = [s for s in samples if s.caller == "freebayes"]
    joint = vcf_dir / "cohort3.freebayes.vcf.gz"
    call_freebayes([bams[s.name] for s in cohort], ref38, region38, joint, {s.name: s.vcf_sample for s in cohort}, log)
    for s in cohort:
        sheet_vcf[s.name] = str(joint.relative_to(ROOT))
    # GRCh37: the same reads aligned to the GRCh37 stand-in (contig 9) and called there
    sheet37 = {}
    for s in samples:
        if not s.grch37:
            continue
        out = vcf_dir / f"{s.name}.GRCh37.bcftools.vcf.gz"
        call_bcftools([bams37[s.name]], refs["GRCh37"], region37, out, log)
        sv = next((v for v, _ in s.genotypes() if v.alt == "<DEL>"), None)
        if sv:
            tmp = vcf_dir / "tmp.vcf.gz"
            add_symbolic_del(out, tmp, s.name, sv, offset=GRCH37_OFFSET)
            tmp.replace(out)
            Path(str(tmp) + ".tbi").replace(Path(str(out) + ".tbi"))
        sheet37[s.name] = str(out.relative_to(ROOT))
    t_call = time.time()

    # --- sample sheets and truth ---
    rel = lambda p: str(p.relative_to(ROOT))  # noqa: E731
    lines = ["sample\tvcf\tvcf_sample\talignments"]
    for s in samples:
        bam = "" if s.gvcf else rel(bams[s.name])  # HSH05: coverage from its gVCF blocks
        lines.append(f"{s.name}\t{sheet_vcf[s.name]}\t{s.vcf_sample}\t{bam}")
    (ROOT / "config" / "samples.tsv").write_text("\n".join(lines) + "\n")
    lines = ["sample\tvcf\tvcf_sample\talignments"]
    for s in samples:
        if s.grch37:
            lines.append(f"{s.name}\t{sheet37[s.name]}\t\t{rel(bams37[s.name])}")
    (ROOT / "config" / "samples.grch37.tsv").write_text("\n".join(lines) + "\n")

    # --- checks: every planted variant is in the caller's VCF with the planted zygosity ---
    print("\nplanted variants vs caller output (after split/atomize/left-align):")
    problems = 0
    called: dict[tuple[str, str, int], str] = {}  # (sample, build, id(planted)) -> GT in the sheet's VCF
    for s in samples:
        checks = [("GRCh38", ROOT / sheet_vcf[s.name], s.vcf_sample or s.name, 0, ref38, True)]
        if s.caller == "freebayes":
            checks.append(("GRCh38", vcf_dir / f"{s.name}.bcftools.vcf.gz", s.name, 0, ref38, False))
        if s.grch37:
            checks.append(("GRCh37", ROOT / sheet37[s.name], s.name, GRCH37_OFFSET, refs["GRCh37"], True))
        for build, vcf, col, off, ref, in_sheet in checks:
            calls = atomize_calls(vcf, ref, col)
            planted_atoms = set()
            for v, zyg in s.genotypes():
                gts = []
                for a in atoms(v, off):
                    planted_atoms.add(a)
                    gt = calls.get(a)
                    gts.append(gt or "")
                    hom = gt is not None and gt.replace("|", "/") == "1/1"
                    ok = gt is not None and (hom == (zyg == "homozygous"))
                    status = "ok" if ok else ("not called" if gt is None else f"GT {gt}")
                    if not ok:
                        problems += 1
                    print(
                        f"  {s.name:6} {build} {vcf.name:30} {a[0]:>9} {a[1]}>{a[2]:6} {v.hgvs_c:24} "
                        f"{zyg:12} {gt or '-':5} {status}"
                    )
                if in_sheet:
                    called[(s.name, build, id(v))] = ",".join(sorted(set(gts)))
            extra = sorted(k for k in calls if k not in planted_atoms)
            if extra:
                print(
                    f"  {s.name:6} {build} {vcf.name:30} {len(extra)} caller artefact(s) not planted: "
                    + ", ".join(f"{p}{r}>{a} {calls[(p, r, a)]}" for p, r, a in extra)
                )

    cols = [
        "sample",
        "build",
        "vcf",
        "vcf_sample",
        "caller",
        "chrom",
        "pos",
        "end",
        "ref",
        "alt",
        "hgvs_c",
        "hgvs_p",
        "consequence",
        "zygosity",
        "called_gt",
        "role",
        "expected_verdict",
        "verdict_reason",
        "note",
    ]
    rows = ["\t".join(cols)]
    for s in samples:
        builds = [("GRCh38", "chr9", 0, sheet_vcf[s.name])]
        if s.grch37:
            builds.append(("GRCh37", "9", GRCH37_OFFSET, sheet37[s.name]))
        for build, chrom, off, vcf in builds:
            caller = "freebayes" if "freebayes" in vcf else "bcftools"
            for v, zyg in s.genotypes():
                rows.append(
                    "\t".join(
                        map(
                            str,
                            [
                                s.name,
                                build,
                                vcf,
                                s.vcf_sample,
                                caller,
                                chrom,
                                v.pos + off,
                                v.end + off,
                                v.ref,
                                v.alt,
                                f"NM_017662.5:{v.hgvs_c}",
                                f"NP_060132.3:{v.hgvs_p}" if v.hgvs_p else "",
                                v.consequence,
                                zyg,
                                called[(s.name, build, id(v))],
                                v.role,
                                s.expected_verdict,
                                s.why,
                                v.note,
                            ],
                        )
                    )
                )
    (DEMO / "truth.tsv").write_text("\n".join(rows) + "\n")

    print("\ndepth over the coding exons (BAM):")
    for s in samples:
        mean, mn, per = depth_summary(bams[s.name], c38)
        low = {k: round(x, 1) for k, x in per.items() if x < 20}
        print(f"  {s.name}: mean {mean:.1f}x, min {mn}x; exons < 20x mean: {low or 'none'}")

    manifest = ["file\tbytes\tsha256"]
    total = 0
    for p in sorted(list(vcf_dir.iterdir()) + list(bam_dir.iterdir()) + [DEMO / "truth.tsv"]):
        total += p.stat().st_size
        manifest.append(f"{rel(p)}\t{p.stat().st_size}\t{sha256(p)}")
    (DEMO / "manifest.tsv").write_text("\n".join(manifest) + "\n")
    (DEMO / "tool_versions.txt").write_text("".join(f"{k}\t{v}\n" for k, v in versions.items()))
    print(
        f"\nwrote {len(manifest) - 1} files ({total / 1e6:.2f} MB) under resources/demo/{{vcf,bam}}, "
        f"truth.tsv, manifest.tsv, tool_versions.txt; config/samples.tsv, config/samples.grch37.tsv"
    )
    print(
        f"time: references {t_ref - t_start:.0f} s, simulate+align {sum(timings.values()):.0f} s, "
        f"calling {t_call - t_ref - sum(timings.values()):.0f} s, total {time.time() - t_start:.0f} s"
    )
    if problems:
        print(f"WARNING: {problems} planted allele(s) not called as planted (see above)")
    print(f"log: {log}")


if __name__ == "__main__":
    main()
