"""Run the peers (bcftools csq through pysam, SnpEff from Debian) on a variant set; parse their answers."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from hshpipe.reference import GeneCache

from .annotation_files import write_gff3, write_gtf
from .variant_set import write_vcf

Rec = tuple[int, str, str]


def normalise(recs: list[Rec], cache: GeneCache, workdir: Path) -> list[Rec]:
    """Left-align and trim with bcftools norm against the reference; drop duplicates."""
    from pysam import bcftools

    raw = write_vcf(recs, cache.contig, workdir / "raw.vcf")
    out = bcftools.norm("-f", cache.reference, "-c", "e", str(raw))
    seen, res = set(), []
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        key = (int(f[1]), f[3], f[4])
        if key not in seen:
            seen.add(key)
            res.append(key)
    return sorted(res)


def _pysam_bcftools(*args: str) -> str:
    """pysam's bcftools in a fresh interpreter: csq keeps static state between in-process calls
    (a second call fails with "The file is not sorted")."""
    code = f"import sys\nfrom pysam import bcftools\nsys.stdout.write(bcftools.{args[0]}(*sys.argv[1:]))\n"
    proc = subprocess.run([sys.executable, "-c", code, *args[1:]], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"bcftools {args[0]} failed: {proc.stderr.strip()[-500:]}")
    return proc.stdout


# ------------------------------------------------------------------------------- bcftools csq
CSQ_TO_SO = {
    "synonymous": "synonymous_variant",
    "missense": "missense_variant",
    "stop_gained": "stop_gained",
    "stop_lost": "stop_lost",
    "start_lost": "start_lost",
    "stop_retained": "stop_retained_variant",
    "start_retained": "start_retained_variant",
    "frameshift": "frameshift_variant",
    "inframe_deletion": "inframe_deletion",
    "inframe_insertion": "inframe_insertion",
    "inframe_altering": "protein_altering_variant",
    "splice_donor": "splice_donor_variant",
    "splice_acceptor": "splice_acceptor_variant",
    "splice_region": "splice_region_variant",
    "intron": "intron_variant",
    "5_prime_utr": "5_prime_UTR_variant",
    "3_prime_utr": "3_prime_UTR_variant",
    "coding_sequence": "coding_sequence_variant",
    "non_coding": "non_coding_transcript_variant",
    "feature_elongation": "feature_elongation",
    "intergenic": "intergenic_variant",
}


def run_csq(recs: list[Rec], cache: GeneCache, workdir: Path) -> dict[int, dict]:
    """{index: {"terms": [...], "aa": "590S>590C" | ""}}; csq annotates only inside the transcript."""
    gff = write_gff3(cache.transcript, workdir / "trpm6.gff3")
    vcf = write_vcf(recs, cache.contig, workdir / "csq_in.vcf")
    out = _pysam_bcftools("csq", "-f", cache.reference, "-g", str(gff), "-l", "-n", "64", str(vcf))
    res: dict[int, dict] = {}
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        idx = int(f[2][1:])
        m = re.search(r"BCSQ=([^;\t]+)", f[7])
        terms, aa = [], ""
        if m:
            for item in m.group(1).split(","):
                parts = item.split("|")
                if parts[0].startswith("@"):
                    continue
                terms += [CSQ_TO_SO.get(x.lstrip("*"), x) for x in parts[0].split("&")]
                if len(parts) > 5:
                    aa = parts[5]
        res[idx] = {"terms": terms, "aa": aa}
    return res


# ------------------------------------------------------------------------------------- SnpEff
SNPEFF_TO_SO = {
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
    "intergenic_region": "intergenic_variant",
    "initiator_codon_variant": "start_retained_variant",
    "non_canonical_start_codon": "start_retained_variant",
}
GENOME = "trpm6synthetic"


def snpeff_available() -> bool:
    return shutil.which("snpEff") is not None


def csq_available() -> bool:
    """bcftools csq is run through pysam's bundled bcftools."""
    try:
        from pysam import bcftools
    except ImportError:
        return False
    return hasattr(bcftools, "csq")


SNPEFF = "SnpEff (`snpEff` on PATH; Debian package `snpeff`)"
CSQ = "bcftools csq (pysam's bcftools)"


def build_snpeff_db(cache: GeneCache, workdir: Path) -> tuple[Path, int]:
    """Build a SnpEff database on the gene-cache region cut to its own contig; returns (config, offset)."""
    offset = cache.region_start - 1
    data = workdir / "snpeff_data"
    (data / GENOME).mkdir(parents=True, exist_ok=True)
    seq = cache.seq
    (data / GENOME / "sequences.fa").write_text(
        f">{cache.contig}\n" + "\n".join(seq[i : i + 60] for i in range(0, len(seq), 60)) + "\n"
    )
    write_gtf(cache.transcript, data / GENOME / "genes.gtf", offset=offset)
    cfg = workdir / "snpEff.config"
    cfg.write_text(
        f"data.dir = {data}\n{GENOME}.genome : TRPM6 synthetic stand-in\n"
        f"{GENOME}.{cache.contig}.codonTable : Standard\n"
    )
    subprocess.run(
        [
            "snpEff",
            "-Xmx2g",
            "build",
            "-gtf22",
            "-noCheckCds",
            "-noCheckProtein",
            "-noLog",
            "-c",
            str(cfg),
            "-dataDir",
            str(data),
            GENOME,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return cfg, offset


def run_snpeff(recs: list[Rec], cache: GeneCache, workdir: Path) -> dict[int, dict]:
    """{index: {"terms": [...], "c": "c.1769C>G", "p": "p.Ser590Cys"}} for the MANE transcript."""
    cfg, offset = build_snpeff_db(cache, workdir)
    vcf = write_vcf(recs, cache.contig, workdir / "snpeff_in.vcf", offset=offset)
    proc = subprocess.run(
        [
            "snpEff",
            "-Xmx2g",
            "ann",
            "-noStats",
            "-noLog",
            "-nodownload",
            "-c",
            str(cfg),
            "-dataDir",
            str(workdir / "snpeff_data"),
            GENOME,
            str(vcf),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    tid = cache.transcript.transcript_id
    res: dict[int, dict] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) < 8:
            continue
        idx = int(f[2][1:])
        m = re.search(r"ANN=([^;\t]+)", f[7])
        entry = {"terms": [], "c": None, "p": None}
        if m:
            for ann in m.group(1).split(","):
                a = ann.split("|")
                if a[6] and a[6] != tid and a[5] == "transcript":
                    continue
                entry["terms"] += [SNPEFF_TO_SO.get(x, x) for x in a[1].split("&")]
                if a[6] == tid and entry["c"] is None:
                    entry["c"] = a[9] or None
                    entry["p"] = a[10] or None
        res[idx] = entry
    return res
