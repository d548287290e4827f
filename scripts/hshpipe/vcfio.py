"""VCF/BCF input: header checks, contig naming, region restriction + normalisation, genotype reading.

One VCF is read once for all the samples of a batch that it holds. The TRPM6 region is cut and normalised by
bcftools norm (through pysam: split multiallelics with `--multi-overlaps .` so that 1/2 becomes 1/. and ./1,
left-align and trim against the reference, the caller's record kept in INFO/HSH_ORIG), then read with cyvcf2,
whose genotype arrays stay fast for joint-called cohorts of thousands.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .reference import CHR9_LENGTHS, CHR9_NAMES, GeneCache

FLANK = 5_000  # VEP's up/downstream distance: the region kept around the transcript
ORIG_TAG = "HSH_ORIG"
GVCF_ALTS = {"<NON_REF>", "<*>", "<X>"}  # reference-block alleles; a bare `*` is a spanning deletion
SV_TYPES = {"<DEL>", "<DUP>"}  # interpreted (also subtypes such as <DUP:TANDEM>); other symbolic alleles are listed
KEPT_INFO = ("SVTYPE", "END", "SVLEN", "AF", "DP", "QD", "MQ", "TYPE", "CIGAR")


@dataclass(frozen=True)
class VcfHeader:
    path: str  # the file that is read (a decompressed copy for plain-gzip input)
    contig: str  # the VCF's name for chromosome 9
    samples: tuple[str, ...]
    indexed: bool
    build: str | None  # from the header contig length, when given
    has_gt: bool = True
    source: str = ""  # the user's file, named in messages
    contig_declared: bool = True  # the header has a ##contig line for chromosome 9
    header_text: str = field(default="", repr=False, compare=False)  # text VCFs: the header lines as read

    @property
    def name(self) -> str:
        return self.source or self.path


def is_bgzf(path: str | Path) -> bool:
    """BGZF (bgzip) files are gzip members with a 'BC' extra subfield; plain gzip has none."""
    with open(path, "rb") as fh:
        head = fh.read(18)
    return len(head) >= 18 and head[:2] == b"\x1f\x8b" and head[3] & 4 == 4 and head[12:14] == b"BC"


def readable_copy(path: str | Path, tmpdir: str | Path) -> Path:
    """Plain-gzip VCFs cannot be read by region or re-read by htslib's normaliser: decompress them once."""
    p = Path(path)
    if not p.exists() or p.stat().st_size == 0:
        return p
    with open(p, "rb") as fh:
        magic = fh.read(2)
    if magic != b"\x1f\x8b" or is_bgzf(p):
        return p
    out = Path(tmpdir) / (p.name.removesuffix(".gz") + f".{abs(hash(str(p)))}.vcf")
    try:
        with gzip.open(p, "rb") as src, open(out, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except (OSError, EOFError) as exc:
        raise InputError(f"{p}: damaged gzip file ({exc}); re-create it (bgzip is preferred)") from None
    return out


_CONTIG = re.compile(r"^##contig=<.*?\bID=([^,>]+)(?:.*?\blength=(\d+))?", re.IGNORECASE)


def _text_header(p: Path, shown: str, gz: bool) -> tuple[dict[str, int | None], tuple[str, ...], bool, str | None, str]:
    """Contigs, samples, GT presence and the first record line of a text VCF, read without loading its index
    (opening with htslib loads the .tbi: ~30 ms per WGS file, the largest per-sample cost at scale)."""
    contigs: dict[str, int | None] = {}
    has_gt = False
    samples: tuple[str, ...] | None = None
    first: str | None = None
    lines: list[str] = []
    try:
        with (
            gzip.open(p, "rt", encoding="utf-8", errors="replace")
            if gz
            else open(p, encoding="utf-8", errors="replace")
        ) as fh:
            for line in fh:
                if line.startswith("#"):
                    lines.append(line if line.endswith("\n") else line + "\n")
                if line.startswith("##"):
                    m = _CONTIG.match(line)
                    if m:
                        contigs[m.group(1)] = int(m.group(2)) if m.group(2) else None
                    elif line.startswith("##FORMAT=<ID=GT,"):
                        has_gt = True
                    continue
                if line.startswith("#"):
                    cols = line.rstrip("\r\n").split("\t")
                    if cols[:8] != ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]:
                        raise InputError(
                            f"{shown}: the #CHROM line does not hold the 8 tab-separated VCF columns; "
                            "check the file is an unmodified VCF"
                        )
                    samples = tuple(cols[9:])
                    continue
                if line.strip():
                    first = line
                    break
    except (OSError, EOFError) as exc:
        raise InputError(f"{shown}: damaged or truncated file ({exc}); re-create it with `bgzip`") from None
    if samples is None:
        raise InputError(f"{shown}: no #CHROM header line; the file is not a complete VCF")
    return contigs, samples, has_gt, first, "".join(lines)


def _bcf_header(p: Path, shown: str) -> tuple[dict[str, int | None], tuple[str, ...], bool, str | None]:
    import pysam

    try:
        with pysam.VariantFile(str(p)) as vf:
            contigs = {name: vf.header.contigs[name].length for name in vf.header.contigs}
            samples = tuple(vf.header.samples)
            has_gt = "GT" in vf.header.formats
            rec = next(iter(vf), None)
    except (OSError, ValueError) as exc:
        raise InputError(f"{shown}: cannot read the BCF ({exc}); check the file is complete") from None
    return contigs, samples, has_gt, None if rec is None else str(rec)


def _magic(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(4)


def inspect_vcf(path: str | Path, cache: GeneCache, source: str | Path | None = None) -> VcfHeader:
    """Open a VCF/BCF, check it is readable and that its build agrees with the reference. `source` is the
    user's file when `path` is a decompressed copy (messages name the user's file)."""

    p = Path(path)
    shown = str(source or path)
    if not p.exists():
        raise InputError(f"{shown}: VCF not found; fix the `vcf` column of the sample sheet")
    if p.stat().st_size == 0:
        raise InputError(f"{shown}: VCF is empty (0 bytes); re-export it from the caller")
    magic = _magic(p)
    if magic[:2] == b"\x1f\x8b":
        try:
            with gzip.open(p, "rb") as fh:
                first = fh.read(2048)
        except (OSError, EOFError) as exc:
            raise InputError(f"{shown}: damaged gzip/bgzip file ({exc}); re-create it with `bgzip`") from None
    else:
        with open(p, "rb") as fh:
            first = fh.read(2048)
    if not (first.startswith(b"##fileformat=VCF") or first.startswith(b"BCF")):
        raise InputError(
            f"{shown}: not a VCF/BCF (line 1 does not start with ##fileformat=VCF); give the caller's VCF, VCF.gz or BCF"
        )
    if magic.startswith(b"BCF") or (magic[:2] == b"\x1f\x8b" and first.startswith(b"BCF")):
        contigs, samples, has_gt, first_rec = _bcf_header(p, shown)
        header_text = ""
    else:
        contigs, samples, has_gt, first_rec, header_text = _text_header(p, shown, magic[:2] == b"\x1f\x8b")
    first = first_rec
    if samples and not has_gt:
        raise InputError(
            f"{shown}: the VCF has sample columns but no GT (genotype) field; genotypes are needed to "
            "decide zygosity: export the VCF with FORMAT/GT"
        )
    if first is None:
        raise InputError(
            f"{shown}: the VCF has a header but no records at all; it cannot show a negative result: "
            "check that it is the caller's full output"
        )
    chrom, build = None, None
    for name in CHR9_NAMES:
        if name in contigs:
            chrom = name
            length = contigs[name]
            if length:
                build = CHR9_LENGTHS.get(length)
                if build is None:
                    raise InputError(
                        f"{shown}: header contig {name} has length {length:,}, not GRCh38 or GRCh37 chromosome 9; "
                        "this VCF was not called against a supported build"
                    )
                if build != cache.build:
                    raise InputError(
                        f"{shown}: the VCF is {build} (contig {name} length {length:,}) but the reference "
                        f"{cache.reference} is {cache.build}; run the VCF with the reference it was called on"
                    )
            break
    if chrom is None:
        chrom = _chrom_from_records(p, cache, shown)
    indexed = any(Path(str(p) + ext).exists() for ext in (".tbi", ".csi"))
    if indexed and magic[:2] == b"\x1f\x8b":
        idx = next(Path(str(p) + ext) for ext in (".tbi", ".csi") if Path(str(p) + ext).exists())
        if idx.stat().st_mtime + 1 < p.stat().st_mtime:
            indexed = False  # stale index: stream instead of trusting it
    elif magic[:2] != b"\x1f\x8b" and not magic.startswith(b"BCF"):
        indexed = False  # plain text VCF cannot be indexed
    if magic[:2] == b"\x1f\x8b" and not is_bgzf(p):
        indexed = False
    return VcfHeader(
        str(p), chrom, samples, indexed, build, has_gt, shown if source else "", chrom in contigs, header_text
    )


def _chrom_from_records(p: Path, cache: GeneCache, shown: str) -> str:
    """Header without contig lines: find the chromosome 9 name among the records (streaming)."""
    import pysam

    try:
        with pysam.VariantFile(str(p)) as vf:
            for rec in vf:
                if rec.chrom in CHR9_NAMES:
                    return rec.chrom
    except (OSError, ValueError) as exc:
        raise InputError(f"{shown}: unreadable VCF record ({exc}); check the file is complete") from None
    raise InputError(
        f"{shown}: no chromosome 9 (chr9, 9 or NC_000009) in the header or records, so TRPM6 is not covered by this "
        "VCF; check that it is the whole-genome/exome VCF of the run"
    )


def declare_contig(header: VcfHeader, region_fasta: str, tmpdir: str | Path) -> VcfHeader:
    """A VCF without a ##contig line for chromosome 9 gets one (from the region FASTA's index) on a copy, since
    bcftools cannot write records of undeclared contigs."""
    from dataclasses import replace

    import pysam
    from pysam import bcftools

    out = Path(tmpdir) / f"reheader.{abs(hash(header.path))}.vcf"
    try:
        bcftools.reheader("--fai", region_fasta + ".fai", "-o", str(out), header.path, catch_stdout=False)
    except pysam.utils.SamtoolsError as exc:
        raise InputError(
            f"{header.name}: no ##contig line for {header.contig} and the header could not be "
            f"completed ({' '.join(str(exc).split())[-200:]}); add contig lines (bcftools reheader --fai)"
        ) from None
    return replace(header, path=str(out), indexed=False, contig_declared=True, source=header.name)


def region_of(cache: GeneCache, contig: str) -> str:
    t = cache.transcript
    return f"{contig}:{max(1, t.start - FLANK)}-{t.end + FLANK}"


def normalise_region(header: VcfHeader, region: str, region_fasta: str, out_path: str | Path) -> Path:
    """bcftools norm of the TRPM6 region into an uncompressed VCF (text output tolerates contigs missing from
    the header, which BCF does not)."""
    import pysam
    from pysam import bcftools

    out_path = Path(out_path)
    # records overlapping the region count, not only those starting in it: a deletion of the whole gene starts
    # upstream of it (-r overlaps by default; -t needs --targets-overlap 1)
    source, where = header.path, (["-r", region] if header.indexed else ["-t", region, "--targets-overlap", "1"])
    if header.indexed and header.header_text and is_bgzf(header.path):
        # tabix fetch of the region's lines (loads the index about twice as fast as bcftools' own -r), then
        # bcftools norm streams the small excerpt
        source, where = (
            str(_tabix_excerpt(header, region, out_path.with_suffix(".in.vcf"))),
            ["-t", region, "--targets-overlap", "1"],
        )
    try:
        bcftools.norm(
            "--no-version",
            "-f",
            region_fasta,
            "-m",
            "-any",
            "--multi-overlaps",
            ".",
            "--old-rec-tag",
            ORIG_TAG,
            "-c",
            "w",
            *where,
            "-Ov",
            "-o",
            str(out_path),
            source,
            catch_stdout=False,
        )
    except pysam.utils.SamtoolsError as exc:
        msg = " ".join(str(exc).split())[-300:]
        hint = (
            "sort and index it (bcftools sort | bgzip; tabix -p vcf)"
            if "sort" in msg.lower()
            else "check that the file is a complete, valid VCF (bcftools view should read it)"
        )
        raise InputError(f"{header.name}: bcftools norm failed on the TRPM6 region ({msg}); {hint}") from None
    return out_path


def _tabix_excerpt(header: VcfHeader, region: str, out: Path) -> Path:
    import pysam

    contig, span = region.split(":")
    start, end = (int(x) for x in span.split("-"))
    try:
        index = next((header.path + ext for ext in (".tbi", ".csi") if Path(header.path + ext).exists()), None)
        with pysam.TabixFile(header.path, index=index) as tb, open(out, "w") as fh:
            fh.write(header.header_text)  # (TabixFile.header re-reads it: ~15 ms per WGS file)
            if contig in tb.contigs:
                for line in tb.fetch(contig, start - 1, end):
                    fh.write(line + "\n")
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{header.name}: the region cannot be read through the index ({exc}); re-index the "
            "file (tabix -p vcf) or remove the stale index"
        ) from None
    return out


@dataclass
class SampleGenotype:
    alleles: tuple[int, ...]  # -1 for missing; after the split 1 is this record's ALT
    phased: bool
    phase_set: int | None
    dp: int | None
    gq: int | None
    ad_ref: int | None
    ad_alt: int | None
    min_dp: int | None  # gVCF blocks


@dataclass
class Record:
    chrom: str  # the VCF's contig name
    pos: int
    ref: str
    alt: str
    end: int
    original: tuple[str, int, str, str]  # the caller's record (chrom, pos, ref, comma-joined alts)
    filters: tuple[str, ...]
    qual: float | None
    info: dict[str, str]
    kind: str  # "small" | "sv" | "block" | "symbolic" | "star"
    genotypes: GenotypeTable | list[SampleGenotype] = field(default_factory=list)


class GenotypeTable:
    """Per-sample genotype fields of one record as numpy arrays (cohorts of thousands stay fast); indexing
    gives one sample's SampleGenotype, built on demand. `carrier`/`missing` are boolean masks over samples."""

    def __init__(self, gt, dp, gq, ad_ref, ad_alt, ps, min_dp):
        import numpy as np

        self.gt = gt  # n x (ploidy + 1): allele indices (-1 missing, -2 absent for lower ploidy), phased flag
        alleles = gt[:, :-1]
        self.carrier = (alleles == 1).any(axis=1).tolist()  # python lists: fast per-sample lookups
        present = alleles > -2
        self.missing = ((alleles == -1) | ~present).all(axis=1).tolist()
        self.dp, self.gq, self.ad_ref, self.ad_alt, self.ps, self.min_dp = dp, gq, ad_ref, ad_alt, ps, min_dp
        self._np = np

    def __len__(self) -> int:
        return len(self.gt)

    def __getitem__(self, j: int) -> SampleGenotype:
        row = self.gt[j]
        alleles = tuple(int(a) for a in row[:-1] if a > -2) or (-1,)
        phased = bool(row[-1]) and len(alleles) > 1

        def val(arr):
            return None if arr is None else _int_or_none(arr[j])

        return SampleGenotype(
            alleles=alleles,
            phased=phased,
            phase_set=val(self.ps) if phased else None,
            dp=val(self.dp),
            gq=val(self.gq),
            ad_ref=val(self.ad_ref),
            ad_alt=val(self.ad_alt),
            min_dp=val(self.min_dp),
        )


def _int_or_none(x) -> int | None:
    try:
        v = int(x)
    except (TypeError, ValueError, OverflowError):
        return None
    return v if v >= 0 and v != -2147483648 else None


def read_records(bcf: str | Path, samples: list[str]) -> Iterator[Record]:
    """Records of a normalised region BCF with per-sample genotypes for `samples` (in that order)."""
    import numpy as np
    from cyvcf2 import VCF

    vcf = VCF(str(bcf), samples=samples, lazy=True, gts012=False)
    # cyvcf2 keeps the file's column order when subsetting: map back to the requested order
    order = [list(vcf.samples).index(s) for s in samples]
    order_arr = None if order == list(range(len(order))) else np.array(order)
    fmt_ids = {h["ID"] for h in vcf.header_iter() if h["HeaderType"] == "FORMAT"}
    for v in vcf:
        alt = v.ALT[0] if v.ALT else "."
        if alt in GVCF_ALTS or alt == ".":
            kind = "block"
        elif alt.upper().split(":")[0].rstrip(">") + ">" in SV_TYPES:
            kind = "sv"
        elif alt.startswith("<") or "[" in alt or "]" in alt:
            kind = "symbolic"
        elif alt == "*":
            kind = "star"
        else:
            kind = "small"
        orig_raw = v.INFO.get(ORIG_TAG)
        if orig_raw:
            f = str(orig_raw).split("|")
            original = (f[0], int(f[1]), f[2], f[3])
        else:
            original = (v.CHROM, v.POS, v.REF, ",".join(v.ALT))
        info = {}
        for key in KEPT_INFO:
            val = v.INFO.get(key)
            if val is not None:
                info[key] = ",".join(map(str, val)) if isinstance(val, tuple) else str(val)
        filt = v.FILTER
        filters = tuple(filt.split(";")) if filt else ("PASS",)
        end = v.end  # cyvcf2 end is 0-based exclusive == 1-based inclusive end
        if kind == "sv":
            e = _int_or_none(v.INFO.get("END"))
            if e is None:
                svlen = _int_or_none(abs(int(v.INFO.get("SVLEN")))) if v.INFO.get("SVLEN") is not None else None
                e = v.POS + svlen if svlen else v.POS
            end = e
        rec = Record(
            v.CHROM, v.POS, v.REF, alt, end, original, filters, None if v.QUAL is None else float(v.QUAL), info, kind
        )
        rec.genotypes = _genotype_table(v, fmt_ids, len(vcf.samples), order_arr)
        yield rec
    vcf.close()


def _genotype_table(v, fmt_ids: set[str], n: int, order=None) -> GenotypeTable:
    import numpy as np

    try:
        gt = v.genotype.array() if v.genotype is not None else None
    except (AttributeError, ValueError):
        gt = None
    if gt is None:
        gt = np.full((n, 3), -1, dtype=np.int32)
        gt[:, 2] = 0

    def first(tag: str):
        if tag not in fmt_ids:
            return None
        arr = v.format(tag)
        return None if arr is None else arr[:, 0]

    ad_ref = ad_alt = None
    if "AD" in fmt_ids:
        ad = v.format("AD")
        if ad is not None and ad.shape[1] >= 2:
            ad_ref, ad_alt = ad[:, 0], ad[:, 1]
    elif "RO" in fmt_ids and "AO" in fmt_ids:  # FreeBayes
        ad_ref, ad_alt = first("RO"), first("AO")
    arrays = [gt, first("DP"), first("GQ"), ad_ref, ad_alt, first("PS"), first("MIN_DP")]
    if order is not None:
        arrays = [None if a is None else a[order] for a in arrays]
    return GenotypeTable(*arrays)


def to_reference_naming(chrom: str, cache: GeneCache) -> str:
    return cache.contig if chrom in CHR9_NAMES else chrom


def file_sha256(path: str | Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def local_tmp(base: str | Path, name: str) -> Path:
    d = Path(base)
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{name}.{os.getpid()}.bcf"
