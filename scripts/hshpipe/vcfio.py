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
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import InputError
from .reference import CHR9_LENGTHS, CHR9_NAMES, GeneCache

FLANK = 5_000  # VEP's up/downstream distance: the region kept around the transcript
ORIG_TAG = "HSH_ORIG"
GVCF_ALTS = {"<NON_REF>", "<*>", "<X>"}  # reference-block alleles; a bare `*` is a spanning deletion
SV_TYPES = {"<DEL>", "<DUP>"}  # interpreted (also subtypes such as <DUP:TANDEM>); other symbolic alleles are listed
KEPT_INFO = ("SVTYPE", "END", "SVLEN", "AF", "DP", "QD", "MQ", "TYPE", "CIGAR")

if TYPE_CHECKING:  # for annotations only: numpy itself is imported lazily, where it is used
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]  # integer values (-1 = missing), per sample or samples x values
    Column = npt.NDArray[Any]  # one FORMAT value per sample (integers, or text as objects)


@dataclass(frozen=True)
class VcfHeader:
    path: str  # the file that is read (a decompressed copy for plain-gzip input)
    contig: str  # the VCF's name for chromosome 9
    samples: tuple[str, ...]
    indexed: bool  # readable by region (_index_usable): a text VCF is then BGZF
    build: str | None  # from the header contig length, when given
    has_gt: bool = True
    source: str = ""  # the user's file, named in messages
    contig_declared: bool = True  # the header has a ##contig line for chromosome 9
    header_text: str = field(default="", repr=False, compare=False)  # text VCFs: the header lines as read

    @property
    def name(self) -> str:
        return self.source or self.path


def is_bgzf(path: str | Path) -> bool:
    with open(path, "rb") as fh:
        return _bgzf_head(fh.read(HEAD_BYTES))


HEAD_BYTES = 18  # a gzip member's header up to its first extra subfield's id


def _bgzf_head(head: bytes) -> bool:
    """BGZF (bgzip) files are gzip members with a 'BC' extra subfield; plain gzip has none (`head`: the file's
    first HEAD_BYTES)."""
    return len(head) >= HEAD_BYTES and head[:2] == b"\x1f\x8b" and head[3] & 4 == 4 and head[12:14] == b"BC"


def readable_copy(path: str | Path, tmpdir: str | Path) -> Path:
    """Plain-gzip VCFs cannot be read by region or re-read by htslib's normaliser: decompress them once."""
    p = Path(path)
    if not p.exists() or p.stat().st_size == 0:
        return p
    with open(p, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head[:2] != b"\x1f\x8b" or _bgzf_head(head):
        return p
    out = Path(tmpdir) / (p.name.removesuffix(".gz") + f".{abs(hash(str(p)))}.vcf")
    try:
        with gzip.open(p, "rb") as src, open(out, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except (OSError, EOFError) as exc:
        raise InputError(f"{p}: damaged gzip file ({exc}); re-create it (bgzip is preferred)") from None
    return out


CONTIG_LINE = re.compile(r"^##contig=<.*?\bID=([^,>]+)(?:.*?\blength=(\d+))?", re.IGNORECASE)  # ID, length


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
                    m = CONTIG_LINE.match(line)
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
            contigs = {c.name: c.length for c in vf.header.contigs.values()}
            samples = tuple(vf.header.samples)
            has_gt = "GT" in vf.header.formats
            rec = next(iter(vf), None)
    except (OSError, ValueError) as exc:
        raise InputError(f"{shown}: cannot read the BCF ({exc}); check the file is complete") from None
    return contigs, samples, has_gt, None if rec is None else str(rec)


def _magic(path: Path) -> bytes:
    """The file's first HEAD_BYTES: its format's magic, and whether it is BGZF (_bgzf_head)."""
    with open(path, "rb") as fh:
        return fh.read(HEAD_BYTES)


def inspect_vcf(
    path: str | Path, cache: GeneCache, source: str | Path | None = None, allow_empty: bool = False
) -> VcfHeader:
    """Open a VCF/BCF, check it is readable and that its build agrees with the reference. `source` is the
    user's file when `path` is a decompressed copy (messages name the user's file). A VCF with a header and no
    records is refused unless `allow_empty` (every sample has alignments that can show the region covered)."""

    p = Path(path)
    shown = str(source or path)
    magic, start = _sniff(p, shown)
    if magic.startswith(b"BCF") or (magic[:2] == b"\x1f\x8b" and start.startswith(b"BCF")):
        contigs, samples, has_gt, first = _bcf_header(p, shown)
        header_text = ""
    else:
        contigs, samples, has_gt, first, header_text = _text_header(p, shown, magic[:2] == b"\x1f\x8b")
    if samples and not has_gt:
        raise InputError(
            f"{shown}: the VCF has sample columns but no GT (genotype) field; genotypes are needed to "
            "decide zygosity: export the VCF with FORMAT/GT"
        )
    if first is None and not allow_empty:
        raise InputError(
            f"{shown}: the VCF has a header but no records at all; it cannot show a negative result without a "
            "coverage source: check that it is the caller's full output, or give the sample's `alignments`"
        )
    chrom, build = _header_chr9(contigs, cache, shown)
    if chrom is None:
        chrom = _chrom_from_records(p, cache, shown)
    return VcfHeader(
        str(p),
        chrom,
        samples,
        _index_usable(p, magic),
        build,
        has_gt,
        shown if source else "",
        chrom in contigs,
        header_text,
    )


def _sniff(p: Path, shown: str) -> tuple[bytes, bytes]:
    """(magic bytes, first 2 kB decompressed) of a file that must exist, be non-empty and be a VCF or BCF."""
    if not p.exists():
        raise InputError(f"{shown}: VCF not found; fix the `vcf` column of the sample sheet")
    if p.stat().st_size == 0:
        raise InputError(f"{shown}: VCF is empty (0 bytes); re-export it from the caller")
    magic = _magic(p)
    if magic[:2] == b"\x1f\x8b":
        try:
            with gzip.open(p, "rb") as fh:
                start = fh.read(2048)
        except (OSError, EOFError) as exc:
            raise InputError(f"{shown}: damaged gzip/bgzip file ({exc}); re-create it with `bgzip`") from None
    else:
        with open(p, "rb") as fh:
            start = fh.read(2048)
    if not (start.startswith(b"##fileformat=VCF") or start.startswith(b"BCF")):
        raise InputError(
            f"{shown}: not a VCF/BCF (line 1 does not start with ##fileformat=VCF); give the caller's VCF, VCF.gz or BCF"
        )
    return magic, start


def _header_chr9(contigs: dict[str, int | None], cache: GeneCache, shown: str) -> tuple[str | None, str | None]:
    """(name, build) of chromosome 9 among the header's contigs (build from its length, None when no length is
    given; a length of another build than the reference's is refused); (None, None) when no contig line names it."""
    for name in CHR9_NAMES:
        if name in contigs:
            length = contigs[name]
            if not length:
                return name, None
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
            return name, build
    return None, None


def _index_usable(p: Path, magic: bytes) -> bool:
    """Whether the file can be read by region: a BGZF file or BCF with a .tbi/.csi index no older than itself
    (a stale index is not trusted: the file is streamed instead). `magic`: the file's head (_magic)."""
    idx = next((i for i in (Path(str(p) + ".tbi"), Path(str(p) + ".csi")) if i.exists()), None)
    indexed = idx is not None
    if idx is not None and magic[:2] == b"\x1f\x8b":
        if idx.stat().st_mtime + 1 < p.stat().st_mtime:
            indexed = False  # stale index: stream instead of trusting it
    elif magic[:2] != b"\x1f\x8b" and not magic.startswith(b"BCF"):
        indexed = False  # plain text VCF cannot be indexed
    if magic[:2] == b"\x1f\x8b" and not _bgzf_head(magic):
        indexed = False
    return indexed


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


def normalise_region(header: VcfHeader, region: str, region_fasta: str, out_path: str | Path, read: Any = None) -> Path:
    """bcftools norm of the TRPM6 region into an uncompressed VCF (text output tolerates contigs missing from
    the header, which BCF does not). `read` (a hashlib object), when given, is fed the region's records as read
    through the index (input_fingerprint); it stays unfed when the region was not cut through a tabix index."""
    import pysam

    out_path = Path(out_path)
    # records overlapping the region count, not only those starting in it: a deletion of the whole gene starts
    # upstream of it (-r overlaps by default; -t needs --targets-overlap 1)
    source, where = header.path, (["-r", region] if header.indexed else ["-t", region, "--targets-overlap", "1"])
    if header.indexed and header.header_text:  # an indexed text VCF is BGZF (_index_usable)
        # tabix fetch of the region's lines (loads the index about twice as fast as bcftools' own -r), then
        # bcftools norm streams the small excerpt
        source, where = (
            str(_tabix_excerpt(header, region, out_path.with_suffix(".in.vcf"), read)),
            ["-t", region, "--targets-overlap", "1"],
        )
    if header.header_text and _GT_TYPE.search(header.header_text):  # GT Type=Integer (GATK gCNV): htslib drops it
        fixed = _GT_TYPE.sub(r"\1String", header.header_text)
        source, where = (
            str(_reheader(source, fixed, out_path.with_suffix(".gt.vcf"))),
            ["-t", region, "--targets-overlap", "1"],
        )
    try:
        _norm(source, where, region_fasta, out_path)
    except pysam.utils.SamtoolsError as exc:
        msg = " ".join(str(exc).split())[-300:]
        if "cannot write" not in msg:
            raise InputError(f"{header.name}: bcftools norm failed on the TRPM6 region ({msg}); {_hint(msg)}") from None
        # a key used in records but not declared in the header: htslib reads it (as a String), bcftools cannot
        # write it; declare it on a copy, as htslib does when reading, and say so in the log
        declared = declare_undeclared(source, header, region, out_path.with_suffix(".decl.vcf"))
        try:
            _norm(str(declared), ["-t", region, "--targets-overlap", "1"], region_fasta, out_path)
        except pysam.utils.SamtoolsError as exc2:
            msg = " ".join(str(exc2).split())[-300:]
            raise InputError(f"{header.name}: bcftools norm failed on the TRPM6 region ({msg}); {_hint(msg)}") from None
    return out_path


_GT_TYPE = re.compile(r"(##FORMAT=<ID=GT,Number=[^,]+,Type=)(?!String)[A-Za-z]+")


def _hint(msg: str) -> str:
    return (
        "sort and index it (bcftools sort | bgzip; tabix -p vcf)"
        if "sort" in msg.lower()
        else "check that the file is a complete, valid VCF (bcftools view should read it)"
    )


def _norm(source: str, where: list[str], region_fasta: str, out_path: Path) -> None:
    from pysam import bcftools

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


def _reheader(source: str, header_text: str, out: Path) -> Path:
    from pysam import bcftools

    hdr = out.with_suffix(".hdr")
    hdr.write_text(header_text)
    bcftools.reheader("-h", str(hdr), "-o", str(out), source, catch_stdout=False)
    return out


def declare_undeclared(source: str, header: VcfHeader, region: str, out: Path) -> Path:
    """A copy of `source` whose header declares the INFO/FORMAT keys its records use without declaring them
    (as htslib does when reading: Type=String); the keys are named in the log."""
    import logging

    import pysam

    with pysam.VariantFile(source) as vf:
        before = {("INFO", k) for k in vf.header.info} | {("FORMAT", k) for k in vf.header.formats}
        for _rec in vf:  # reading declares the keys in htslib's copy of the header
            pass
        after = {("INFO", k) for k in vf.header.info} | {("FORMAT", k) for k in vf.header.formats}
        text = str(vf.header)
    added = sorted(after - before)
    logging.getLogger("hsh").warning(
        "%s: %s used but not declared in the header; read as htslib does (Type=String)",
        header.name,
        ", ".join(f"{kind}/{key}" for kind, key in added) or "a key",
    )
    return _reheader(source, _GT_TYPE.sub(r"\1String", text), out)


def _tabix_excerpt(header: VcfHeader, region: str, out: Path, read: Any = None) -> Path:
    body = tabix_lines(header, region, read)
    with open(out, "w") as fh:
        fh.write(header.header_text)  # (TabixFile.header re-reads it: ~15 ms per WGS file)
        fh.write(body)
    return out


def tabix_lines(header: VcfHeader, region: str, read: Any = None) -> str:
    """The record lines of the region (records overlapping it), cut through the tabix index; `read` as in
    normalise_region."""
    import pysam

    contig, span = region.split(":")
    start, end = (int(x) for x in span.split("-"))
    text = ""
    try:
        index = next((header.path + ext for ext in (".tbi", ".csi") if Path(header.path + ext).exists()), None)
        with pysam.TabixFile(header.path, index=index) as tb:
            if contig in tb.contigs:
                lines = list(tb.fetch(contig, start - 1, end))
                text = "\n".join(lines) + "\n" if lines else ""
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{header.name}: the region cannot be read through the index ({exc}); re-index the "
            "file (tabix -p vcf) or remove the stale index"
        ) from None
    if read is not None:
        read.update(b"tabix\0" + text.encode())
    return text


def shared_norm_key(header: VcfHeader) -> str | None:
    """VCFs with the same key can be normalised by one bcftools norm (normalise_together): single-sample,
    bgzipped and indexed (cut through tabix), chromosome 9 declared, and the same structured header lines
    (STRUCTURED_HEADER: what htslib reads into the header's dictionaries, which decide how norm splits and
    writes each record: Number=R/A/G, types, contigs). Free-text lines (##source, command lines, dates) may
    differ. None: this VCF is normalised on its own."""
    text = header.header_text
    if len(header.samples) != 1 or not header.contig_declared or not text or not header.indexed:
        return None  # (an indexed text VCF is BGZF: _index_usable)
    kept = (line for line in text.splitlines(keepends=True) if line[2:].split("=", 1)[0].lower() in STRUCTURED_HEADER)
    return header.contig + "\0" + _GT_TYPE.sub(r"\1String", "".join(kept))


STRUCTURED_HEADER = {"fileformat", "info", "format", "filter", "contig", "alt"}  # ##KEY= lines in shared_norm_key


def normalise_together(
    headers: list[VcfHeader], bodies: list[str], region: str, region_fasta: str, out_path: Path
) -> Path:
    """One bcftools norm over the region lines (tabix_lines) of several VCFs with one shared_norm_key, each
    record's ID replaced by its VCF's index in `headers` (read back with read_records_by_id). bcftools norm
    treats each record on its own (split, left-align, trim, HSH_ORIG), so a VCF's records come out as its own
    normalise_region gives them; the ID column is read nowhere else. Only their order may differ: norm sorts
    its output by position within a 1,000-bp window, so a record left-aligned past an earlier one of its VCF may
    follow it here (records of equal position keep their input order either way); analyse_vcf sorts them.
    The VCFs' lines are merged by position (a stable sort: each VCF's lines keep their order), so that norm
    reads the reference forwards: VCF after VCF, each going back to the region's start, it costs 3x as much.
    Raises on any norm error (the caller then normalises each VCF alone, so that an error names its file)."""
    lines = sorted(
        (_with_id(line, str(k)) for k, body in enumerate(bodies) for line in body.splitlines(keepends=True)),
        key=itemgetter(0),
    )
    src = out_path.with_suffix(".in.vcf")
    with open(src, "w") as fh:
        fh.write(_GT_TYPE.sub(r"\1String", headers[0].header_text))
        fh.writelines(line for _, line in lines)
    try:
        _norm(str(src), ["-t", region, "--targets-overlap", "1"], region_fasta, out_path)
    finally:
        src.unlink(missing_ok=True)
    return out_path


def _with_id(line: str, ident: str) -> tuple[int, str]:
    """(POS, the record line with `ident` as its ID); raises on a line of fewer than 4 columns or a POS that is not
    a number (the group is then normalised VCF by VCF, see read_shared, where bcftools names the file)."""
    f = line.split("\t", 3)
    return int(f[1]), "\t".join((f[0], f[1], ident, f[3]))


@dataclass(slots=True)
class SampleGenotype:
    """One sample's call at one (split) record, as the caller wrote it. Nothing here is judged: qc.py does that."""

    alleles: tuple[int, ...]  # -1 for missing; after the split 1 is this record's ALT
    phased: bool
    phase_set: int | str | None  # FORMAT/PS of a phased GT (any declared type)
    dp: int | None  # FORMAT/DP (Strelka2 indels: DPI)
    gq: int | None
    ad_ref: int | None  # reads for REF (AD, RO, RD, NR-NV)
    ad_alt: int | None  # reads for this record's ALT (AD, AO, NV)
    min_dp: int | None  # gVCF blocks
    ad_site: int | None = None  # reads for all alleles of the caller's site, before splitting
    read_source: str | None = None  # where ad_ref/ad_alt came from: "AD", "RO/AO", "RD/AD", "NR/NV"
    ft: str | None = None  # FORMAT/FT: the caller's per-sample filter
    quality: tuple[str, int] | None = None  # another per-sample quality when GQ is absent: ("QS", 80) (gCNV)
    cn: int | None = None  # FORMAT/CN (gCNV, Delly, CNVnator)
    other_alt: bool = False  # the other allele is another ALT of the same site (1/2 before splitting)
    hp: str | None = None  # WhatsHap --tag HP: "PS-h" per GT allele, e.g. "23-1,23-2"
    pgt: str | None = None  # GATK physical phasing: PGT ("0|1") and PID
    pid: str | None = None
    sv_reads: int | None = None  # SV read support of all alleles (Manta PR+SR, Delly DR+DV+RR+RV)


@dataclass(slots=True)
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
    kind: str  # "small" | "sv" | "block" | "symbolic" | "star" | "cnv"
    genotypes: GenotypeTable = field(default_factory=lambda: GenotypeTable.empty())
    alt_index: int = 1  # 1-based index of this ALT among the caller's ALTs


# FORMAT fields read per sample: numeric ones as integer matrices (whatever type the header declares), the
# rest as strings. Name in the table -> FORMAT keys tried in order.
INT_FIELDS: dict[str, tuple[str, ...]] = {
    "dp": ("DP", "DPI"),
    "gq": ("GQ",),
    "min_dp": ("MIN_DP",),
    "cn": ("CN",),
    "qs": ("QS",),
}
STR_FIELDS: dict[str, tuple[str, ...]] = {"ps": ("PS",), "ft": ("FT",), "hp": ("HP",), "pgt": ("PGT",), "pid": ("PID",)}
SV_READ_FIELDS = (("PR", "SR"), ("DR", "DV", "RR", "RV"))  # Manta, Delly: reads for REF and ALT
READ_COUNT_TAGS = ("AD", "RD", "RO", "AO", "NR", "NV")  # FORMAT keys _read_counts reads


class GenotypeTable:
    """Per-sample genotype fields of one record as numpy arrays (cohorts of thousands stay fast); indexing
    gives one sample's SampleGenotype, built on demand. `carrier`/`missing` are boolean masks over samples."""

    __slots__ = ("gt", "carrier", "missing", "fields", "dp", "read_source", "split_counts", "other_alt")

    def __init__(
        self,
        gt: npt.NDArray[np.integer[Any]],
        fields: dict[str, Column | None],
        read_source: str | None = None,
        split_counts: bool = False,
        masks: tuple[list[bool], list[bool]] | None = None,  # (carrier, missing) when known (_allele_masks)
    ):
        self.gt = gt  # n x (ploidy + 1): allele indices (-1 missing, -2 absent for lower ploidy), phased flag
        # python lists: fast per-sample lookups; missing = every allele missing (-1) or absent (-2)
        self.carrier, self.missing = masks or _allele_masks([gt])[0]
        self.fields = fields  # name -> array over samples (absent or None when the caller wrote no such field)
        self.dp = fields.get("dp")
        self.read_source = read_source  # where ad_ref/ad_alt came from (see SampleGenotype)
        self.split_counts = split_counts  # reads are per ALT: the site total is summed over the split records
        self.other_alt: set[int] = set()  # samples whose other allele is another ALT of the site

    @classmethod
    def empty(cls) -> GenotypeTable:
        """A table of no samples (a Record built without genotypes)."""
        import numpy as np

        return cls(np.zeros((0, 3), dtype=np.int32), {})

    def __len__(self) -> int:
        return len(self.gt)

    def column(self, name: str) -> Column:
        """A field that must be present (e.g. the read counts of a table with `split_counts`)."""
        col = self.fields.get(name)
        if col is None:
            raise KeyError(f"genotype table has no {name} values")
        return col

    def __getitem__(self, j: int) -> SampleGenotype:
        *called, flag = self.gt[j].tolist()
        alleles = tuple([a for a in called if a > -2]) or (-1,)
        phased = bool(flag) and len(alleles) > 1
        get = self.fields.get
        qs = _count_at(get("qs"), j)
        # positional, in SampleGenotype's field order (18 keyword arguments cost ~3x as much per record)
        return SampleGenotype(
            alleles,
            phased,
            _phase_set(_text_at(get("ps"), j)) if phased else None,
            _count_at(get("dp"), j),
            _count_at(get("gq"), j),
            _count_at(get("ad_ref"), j),
            _count_at(get("ad_alt"), j),
            _count_at(get("min_dp"), j),
            _count_at(get("ad_site"), j),
            self.read_source,
            _text_at(get("ft"), j),
            None if qs is None else ("QS", qs),
            _count_at(get("cn"), j),
            j in self.other_alt,
            _text_at(get("hp"), j),
            _text_at(get("pgt"), j),
            _text_at(get("pid"), j),
            _count_at(get("sv_reads"), j),
        )


def _count_at(col: IntArray | None, j: int) -> int | None:
    """A numeric field's value for sample j: the table's integer columns hold -1 for missing (_int_matrix)."""
    if col is None:
        return None
    x: int = col.item(j)
    return x if x >= 0 else None


def _text_at(col: Column | None, j: int) -> str | None:
    return None if col is None else _str_or_none(col[j])


def _int_or_none(x: Any) -> int | None:
    try:
        v = int(x)
    except (TypeError, ValueError, OverflowError):
        return None
    return v if v >= 0 and v != -2147483648 else None


def _str_or_none(x: Any) -> str | None:
    s = x.decode() if isinstance(x, bytes) else str(x)
    return None if s in ("", ".") else s


def _phase_set(s: str | None) -> int | str | None:
    """PS as the caller wrote it: an integer when it is one, else the text (PS declared Type=String)."""
    if s is None:
        return None
    return int(s) if s.isdigit() else s


def _int_matrix(arr: Any) -> IntArray | None:
    """A FORMAT array as an n x k integer matrix (-1 = missing), whatever type the header declared: callers
    declare DP, GQ or PS as String or Float, which cyvcf2 returns as one string (or float) per sample."""
    if arr is None:
        return None
    return _text_matrix(arr) if arr.dtype.kind in "SUO" else _numeric_matrix(arr)


def _text_matrix(arr: Any) -> IntArray:
    """Comma-separated text values (one string per sample) as an integer matrix, as wide as the longest."""
    import numpy as np

    rows = [str(x.decode() if isinstance(x, bytes) else x).split(",") for x in arr.reshape(len(arr), -1)[:, 0]]
    width = max(len(r) for r in rows) if rows else 1
    out = np.full((len(rows), width), -1, dtype=np.int64)
    for i, r in enumerate(rows):
        for k, v in enumerate(r):
            x = _float_or_none(v)
            n = None if x is None else _int_or_none(x)
            out[i, k] = -1 if n is None else n  # negative values are missing, as in _numeric_matrix
    return out


def _numeric_matrix(arr: Any) -> IntArray:
    import numpy as np

    arr = arr.reshape(len(arr), -1)
    if arr.dtype.kind != "f":
        return np.maximum(arr, -1, dtype=np.int64)  # every negative value (missing, vector end) is -1
    out = np.where(np.isnan(arr), -1, arr).astype(np.int64)
    out[out < 0] = -1
    return out


def _float_or_none(v: str) -> float | None:
    try:
        x = float(v)
    except ValueError:
        return None
    return None if x != x else x


def read_records(bcf: str | Path, samples: list[str]) -> Iterator[Record]:
    """Records of a normalised region VCF with per-sample genotypes for `samples` (in that order). Records
    split from one caller's site are read together, so that 1/2 calls keep the reads of all their alleles."""
    records = [r for _, r in _read(bcf, samples)]
    link_split_sites(records)
    yield from records


def read_records_by_id(bcf: str | Path, samples: list[str]) -> dict[str, list[Record]]:
    """read_records of a normalise_together output: each VCF's records (by the ID its records were given)."""
    out: dict[str, list[Record]] = {}
    for ident, r in _read(bcf, samples):
        out.setdefault(ident, []).append(r)
    _alone_site_reads([t for records in out.values() for t in _link_sites(records)])
    return out


def _read(bcf: str | Path, samples: list[str]) -> list[tuple[str, Record]]:
    """(ID, Record) of every record, genotypes in the order of `samples`."""
    import numpy as np
    from cyvcf2 import VCF

    vcf = VCF(str(bcf), samples=samples, lazy=True, gts012=False)
    # cyvcf2 keeps the file's column order when subsetting: map back to the requested order
    order = [list(vcf.samples).index(s) for s in samples]
    order_arr = None if order == list(range(len(order))) else np.array(order, dtype=np.int64)
    fmt = {h["ID"]: h.info().get("Number", ".") for h in vcf.header_iter() if h["HeaderType"] == "FORMAT"}
    plan = FormatPlan.of(fmt, len(vcf.samples))
    variants = list(vcf)
    vcf.close()
    mats = _format_matrices(variants, plan)
    gts = [_gt_array(v, plan.n, order_arr) for v in variants]
    masks = _allele_masks(gts)
    return [
        (v.ID or ".", _record(v, plan, order_arr, m, gt, mask))
        for v, m, gt, mask in zip(variants, mats, gts, masks, strict=True)
    ]


def _gt_array(v: Any, n: int, order: IntArray | None) -> npt.NDArray[np.integer[Any]]:
    """The record's GT as cyvcf2 gives it (n x (ploidy + 1), the last column the phased flag), all missing
    when the record has no usable GT; samples in the requested order."""
    import numpy as np

    try:
        gt = v.genotype.array() if v.genotype is not None else None
    except Exception:  # cyvcf2 raises a bare Exception when a record has no usable GT
        gt = None
    if gt is None:
        gt = np.full((n, 3), -1, dtype=np.int32)
        gt[:, 2] = 0
    return gt if order is None else gt[order]


def _allele_masks(gts: list[npt.NDArray[np.integer[Any]]]) -> list[tuple[list[bool], list[bool]]]:
    """(carrier of allele 1, no allele called) per sample of each GT array; arrays of one type and shape are
    reduced together (one numpy call per shape, not per record)."""
    import numpy as np

    out: list[tuple[list[bool], list[bool]]] = [([], [])] * len(gts)
    groups: dict[tuple[Any, tuple[int, ...]], list[int]] = {}
    for i, gt in enumerate(gts):
        groups.setdefault((gt.dtype, gt.shape), []).append(i)
    for (_, shape), idx in groups.items():
        alleles = np.concatenate([gts[i] for i in idx])[:, :-1]
        rows = (len(idx), shape[0])  # record by record: one list of its n samples
        carrier = (alleles == 1).any(axis=1).reshape(rows).tolist()
        missing = np.less(alleles, 0).all(axis=1).reshape(rows).tolist()
        for i, c, m in zip(idx, carrier, missing, strict=True):
            out[i] = (c, m)
    return out


def _format_matrices(variants: list[Any], plan: FormatPlan) -> list[dict[str, IntArray | None]]:
    """Per record, each integer-read FORMAT key (FormatPlan.int_tags) as _int_matrix gives it. Numeric arrays of
    one type and shape are converted together: one numpy call per key and shape, not one per record (each
    record's matrix is its own slice of the result)."""
    import numpy as np

    out: list[dict[str, IntArray | None]] = [{} for _ in variants]
    for tag in plan.int_tags:
        arrays = [v.format(tag) for v in variants]
        groups: dict[tuple[Any, tuple[int, ...]], list[int]] = {}
        for i, a in enumerate(arrays):
            if a is None or a.dtype.kind in "SUO":  # text values: as wide as the record's longest, converted alone
                out[i][tag] = _int_matrix(a)
            else:
                groups.setdefault((a.dtype, a.shape), []).append(i)
        for (_, shape), idx in groups.items():
            n = shape[0]  # arrays of one shape: stacked as they are, then viewed as (records x n) rows
            m = _numeric_matrix(np.concatenate([arrays[i] for i in idx]).reshape(len(idx) * n, -1))
            for i, rows in zip(idx, m.reshape(len(idx), n, -1), strict=True):  # record by record: its n rows
                out[i][tag] = rows
    return out


def _kind(alt: str) -> str:
    if alt in GVCF_ALTS or alt == ".":
        return "block"
    if not alt.startswith("<"):  # bases, `*` or a breakend (every other kind is a <...> allele)
        return "symbolic" if "[" in alt or "]" in alt else ("star" if alt == "*" else "small")
    if alt.upper().split(":")[0].rstrip(">") + ">" in SV_TYPES:
        return "sv"
    if alt.upper().split(":")[0] == "<CNV>":
        return "cnv"
    if alt.startswith("<") or "[" in alt or "]" in alt:
        return "symbolic"
    return "star" if alt == "*" else "small"


def _record(
    v: Any,
    plan: FormatPlan,
    order: IntArray | None,
    mats: dict[str, IntArray | None],
    gt: npt.NDArray[np.integer[Any]],
    masks: tuple[list[bool], list[bool]],
) -> Record:
    chrom, pos, ref, alts = v.CHROM, v.POS, v.REF, v.ALT  # (each cyvcf2 property decodes anew)
    alt = alts[0] if alts else "."
    kind = _kind(alt)
    present = _info(v)
    orig_raw = present.get(ORIG_TAG)
    alt_index = 1
    if orig_raw:
        f = str(orig_raw).split("|")
        original = (f[0], int(f[1]), f[2], f[3])
        alt_index = int(f[4]) if len(f) > 4 and f[4].isdigit() else 1
    else:
        original = (chrom, pos, ref, ",".join(alts))
    info = {
        key: ",".join(map(_info_text, val)) if isinstance(val, tuple) else _info_text(val)
        for key in KEPT_INFO
        if (val := present.get(key)) is not None
    }
    filt = v.FILTER
    filters = tuple(filt.split(";")) if filt else ("PASS",)
    end = v.end  # cyvcf2 end is 0-based exclusive == 1-based inclusive end
    if kind in ("sv", "cnv"):
        e = _int_or_none(present.get("END"))
        if e is None:
            svlen = _int_or_none(abs(int(present["SVLEN"]))) if present.get("SVLEN") is not None else None
            e = pos + svlen if svlen else pos
        end = e
    qual = None if v.QUAL is None else as_written(v.QUAL)
    genotypes = _genotype_table(v, plan, mats, gt, masks, order, alt_index)
    return Record(chrom, pos, ref, alt, end, original, filters, qual, info, kind, genotypes, alt_index)


def float32_text(x: float) -> str:
    """A VCF Float (htslib and cyvcf2 hold it in 32 bits) as the caller wrote it: the shortest decimal that reads
    back as the same 32-bit value ("0.166667", "4.83"), not the double it widens to (0.16666699945926666)."""
    return str(_float32()(x))


@cache
def _float32() -> Any:
    """numpy's float32, imported on first use (this module imports numpy lazily); float32_text runs for every
    Float of every record, where an import statement would cost a third of its time."""
    import numpy as np

    return np.float32


def as_written(x: float) -> float:
    """A VCF Float as the number the caller wrote (float32_text read back: 264.507, not 264.50698852539062)."""
    return float(float32_text(x))


def _info_text(val: Any) -> str:
    return float32_text(val) if isinstance(val, float) else str(val)


def _info(v: Any) -> dict[str, Any]:
    """The record's INFO values by key, as `v.INFO.get(key)` gives them (the first of a repeated key), read in one
    pass: each `get` of an absent key raises and catches a KeyError inside cyvcf2 (~0.4 us; most kept keys are
    absent)."""
    return dict(reversed(list(v.INFO)))  # reversed: the first of a repeated key is the one kept


@dataclass(frozen=True)
class FormatPlan:
    """Which FORMAT keys of a file's header fill which genotype-table field (resolved once per file)."""

    fmt: dict[str, str]  # FORMAT key -> its Number
    n: int  # samples in the file
    ints: tuple[tuple[str, str], ...]  # (field, FORMAT key) read as integers (INT_FIELDS, first key declared)
    strs: tuple[tuple[str, str], ...]  # (field, FORMAT key) read as text (STR_FIELDS)
    sv_reads: tuple[str, ...]  # the first SV_READ_FIELDS set whose keys are all declared (empty: none)
    int_tags: tuple[str, ...]  # every declared key read as integers (ints, read counts, sv_reads)

    @classmethod
    def of(cls, fmt: dict[str, str], n: int) -> FormatPlan:
        def first(fields: dict[str, tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
            found = ((name, next((t for t in tags if t in fmt), None)) for name, tags in fields.items())
            return tuple((name, tag) for name, tag in found if tag is not None)

        ints, strs = first(INT_FIELDS), first(STR_FIELDS)
        sv = next((tags for tags in SV_READ_FIELDS if all(t in fmt for t in tags)), ())
        counts = tuple(t for t in READ_COUNT_TAGS if t in fmt)
        return cls(fmt, n, ints, strs, sv, tuple(dict.fromkeys((*(t for _, t in ints), *counts, *sv))))


def _genotype_table(
    v: Any,
    plan: FormatPlan,
    mats: dict[str, IntArray | None],
    gt: npt.NDArray[np.integer[Any]],
    masks: tuple[list[bool], list[bool]],
    order: IntArray | None = None,
    alt_index: int = 1,
) -> GenotypeTable:
    """One record's genotype table: `gt` and `masks` in the requested sample order (_gt_array, _allele_masks),
    `mats` its integer FORMAT values in the file's order (_format_matrices), reordered here. A field the caller
    did not write is absent from `fields` (GenotypeTable reads it as None)."""
    fields: dict[str, Column | None] = {}
    for name, tag in plan.ints:
        m = mats[tag]
        fields[name] = None if m is None else m[:, 0]
    for name, tag in plan.strs:
        arr = v.format(tag)
        fields[name] = None if arr is None else _str_column(arr)
    reads = _read_counts(mats, plan.fmt, alt_index)
    if reads is not None:
        fields["ad_ref"], fields["ad_alt"], fields["ad_site"] = reads.ref, reads.alt, reads.site
    fields["sv_reads"] = _sv_reads([mats[t] for t in plan.sv_reads]) if plan.sv_reads else None
    if order is not None:
        fields = {k: None if x is None else x[order] for k, x in fields.items()}
    if reads is None:
        return GenotypeTable(gt, fields, masks=masks)
    return GenotypeTable(gt, fields, reads.source, reads.split, masks)


def _str_column(arr: Any) -> npt.NDArray[np.object_]:
    flat = arr.reshape(len(arr), -1)[:, 0] if arr.ndim > 1 and arr.dtype.kind in "SUO" else arr
    import numpy as np

    if flat.dtype.kind not in "SUO":  # a numeric PS
        m = _numeric_matrix(arr)
        return np.array(["." if x < 0 else str(int(x)) for x in m[:, 0]], dtype=np.object_)
    return np.array([x.decode() if isinstance(x, bytes) else str(x) for x in flat], dtype=np.object_)


def _column(m: IntArray, k: int) -> IntArray:
    import numpy as np

    return m[:, k] if m.shape[1] > k else np.full(len(m), -1, dtype=np.int64)


class _ReadCounts(NamedTuple):  # a tuple: made once per record (a frozen dataclass costs 3x as much)
    ref: IntArray  # reads for REF, per sample (-1 missing)
    alt: IntArray  # reads for this record's ALT
    site: IntArray | None  # reads for all alleles of the caller's site (None: summed over split records later)
    source: str  # the caller's fields: "AD", "RO/AO", "RD/AD", "NR/NV"
    split: bool  # the caller's counts are per ALT, split with the record


def _read_counts(mats: dict[str, IntArray | None], fmt: dict[str, str], alt_index: int) -> _ReadCounts | None:
    """Reads for REF, this ALT and (when the caller's vector is whole) all alleles of the site, from AD
    (Number=R split by bcftools, or Number=. left whole: GATK <= 3.4), VarScan RD + AD (Number=1), FreeBayes
    RO + AO, or Platypus NR/NV. `split` says the site total is summed over the split records later."""
    ad = mats.get("AD")
    if ad is not None and ad.shape[1] == 2 and fmt["AD"] == "R":  # the usual case first: AD split with its record
        return _ReadCounts(ad[:, 0], ad[:, 1], None, "AD", True)
    import numpy as np

    rd = mats.get("RD")
    if ad is not None and fmt["AD"] == "1" and rd is not None:  # VarScan: AD is the ALT's reads only
        ref, alt = _column(rd, 0), ad[:, 0]
        return _ReadCounts(ref, alt, np.where((ref < 0) | (alt < 0), -1, ref + alt), "RD/AD", split=False)
    if ad is not None and ad.shape[1] >= 2:
        site = np.where((ad < 0).all(axis=1), -1, np.where(ad < 0, 0, ad).sum(axis=1))
        return _ReadCounts(ad[:, 0], _column(ad, alt_index), site, "AD", split=False)
    ro, ao = mats.get("RO"), mats.get("AO")
    if ro is not None and ao is not None:
        return _ReadCounts(ro[:, 0], ao[:, 0], None, "RO/AO", split=ao.shape[1] == 1)
    nr, nv = mats.get("NR"), mats.get("NV")
    if nr is not None and nv is not None:
        k = alt_index - 1 if nr.shape[1] > alt_index - 1 else 0
        site, alt = nr[:, k], _column(nv, k if nv.shape[1] > k else 0)
        ref = np.where(site < 0, -1, site - np.where(nv < 0, 0, nv).sum(axis=1))
        return _ReadCounts(np.where(ref < 0, -1, ref), alt, site, "NR/NV", split=False)
    return None


def _sv_reads(mats: list[IntArray | None]) -> IntArray | None:
    """All reads an SV caller counted for the sample (Manta PR+SR, Delly DR+DV+RR+RV: `mats`, one set of
    SV_READ_FIELDS, all declared), or None."""
    import numpy as np

    ms = [m for m in mats if m is not None]
    if not ms:
        return None
    tot = np.sum([np.where(m < 0, 0, m).sum(axis=1) for m in ms], axis=0)
    none = np.logical_and.reduce([(m < 0).all(axis=1) for m in ms])
    return np.where(none, -1, tot)


def link_split_sites(records: list[Record]) -> None:
    """Records split from one caller's site (same `original`): a sample carrying ALTs in two of them had a 1/2
    call (`other_alt`), and reads split per ALT (AD Number=R, AO) are summed back into the site's total."""
    _alone_site_reads(_link_sites(records))


def _link_sites(records: list[Record]) -> list[GenotypeTable]:
    """link_split_sites of one VCF's records, except the site totals of records alone at their site with split
    counts: their tables are returned (for _alone_site_reads, which may take several VCFs' at once)."""
    import numpy as np

    groups: dict[tuple[str, int, str, str], list[GenotypeTable]] = {}
    alone: list[GenotypeTable] = []  # the only record of its site with split counts
    for r in records:
        if r.kind != "block":
            groups.setdefault(r.original, []).append(r.genotypes)
    for tables in groups.values():
        if len(tables) == 1:  # the usual site: one record
            if tables[0].split_counts:
                alone.append(tables[0])
            continue
        carriers = [sum(cs) for cs in zip(*(t.carrier for t in tables), strict=True)]
        for t in tables:
            t.other_alt = {j for j, c in enumerate(t.carrier) if c and carriers[j] > 1}
        split = [t for t in tables if t.split_counts]
        if len(split) == 1:
            alone.append(split[0])
        elif split:
            alts = np.sum([np.maximum(t.column("ad_alt"), 0) for t in split], axis=0)  # missing (-1) counts as 0
            for t in split:
                t.fields["ad_site"] = _site_reads(t.column("ad_ref"), alts)
    return alone


def _alone_site_reads(alone: list[GenotypeTable]) -> None:
    """The site total of each record alone at its site with split counts: its own reads (one numpy call per
    number of samples)."""
    import numpy as np

    by_length: dict[int, list[GenotypeTable]] = {}
    for t in alone:  # the site's total is this record's own reads: all such records in one numpy call
        by_length.setdefault(len(t), []).append(t)
    for n, ts in by_length.items():
        site = _site_reads(
            np.concatenate([t.column("ad_ref") for t in ts]),
            np.maximum(np.concatenate([t.column("ad_alt") for t in ts]), 0),
        )
        for t, own in zip(ts, site.reshape(len(ts), n), strict=True):
            t.fields["ad_site"] = own


def _site_reads(ref: IntArray, alts: IntArray) -> IntArray:
    """All reads of a caller's site: REF's and every ALT's (missing ALT counts as 0); -1 where REF's is missing."""
    import numpy as np

    return np.where(ref < 0, -1, ref + alts)


def to_reference_naming(chrom: str, cache: GeneCache) -> str:
    return cache.contig if chrom in CHR9_NAMES else chrom


def file_sha256(path: str | Path) -> str:
    """The whole file's SHA-256 (hashlib.file_digest reads into one reused buffer: ~15% less CPU than hashing
    1 MiB chunks, each a new bytes object)."""
    import hashlib

    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


FINGERPRINT_HEAD = 1 << 16  # raw bytes at the start of a file (the header, for BAM/CRAM and BCF) in its fingerprint
INDEX_SUFFIXES = (".tbi", ".csi", ".bai", ".crai")


def input_fingerprint(
    path: str | Path, header_text: str = "", region: Any = None, whole_sha256: str | None = None
) -> str:
    """What identifies an input without reading all of it: SHA-256 over its size, mtime (ns), the first 64 KiB
    of the file as stored, the header text as parsed, every index beside it (.tbi/.csi/.bai/.crai, as stored)
    and the region's records as read through the index (`region`: a hashlib object fed by normalise_region).
    A VCF whose region was not cut through a tabix index (bcftools streamed or opened it whole) has the whole
    file's SHA-256 (`whole_sha256`, computed once by the caller) in place of the region (docs/outputs.md,
    `provenance.inputs_fingerprint`)."""
    import hashlib

    p = Path(path)
    st = p.stat()
    h = hashlib.sha256(f"hshpipe-input-fingerprint-1\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    with open(p, "rb") as fh:
        h.update(hashlib.sha256(fh.read(FINGERPRINT_HEAD)).digest())
    h.update(hashlib.sha256(header_text.encode()).digest())
    indexes = [Path(str(p) + ext) for ext in INDEX_SUFFIXES] + [p.with_suffix(".bai"), p.with_suffix(".crai")]
    for idx in dict.fromkeys(indexes):
        if idx.is_file():
            h.update(idx.suffix.encode() + hashlib.sha256(idx.read_bytes()).digest())
    if region is not None:
        h.update(b"region\0" + region.digest())
    if whole_sha256 is not None:
        h.update(b"file\0" + bytes.fromhex(whole_sha256))
    return h.hexdigest()


def local_tmp(base: str | Path, name: str) -> Path:
    d = Path(base)
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{name}.{os.getpid()}.bcf"
