"""Reference handling: build detection, contig naming, and the TRPM6 gene cache.

The gene cache is the TRPM6 region cut from the user's reference (plain or bgzipped FASTA) once per
reference, with the transcript laid on it. Its CDS is translated and compared with the shipped protein,
so a wrong build, wrong naming or wrong file fails here, before any sample runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from .errors import InputError
from .model import Transcript, load_protein

CHR9_LENGTHS = {138_394_717: "GRCh38", 141_213_431: "GRCh37"}
CHR9_NAMES = ("chr9", "9", "NC_000009.12", "NC_000009.11", "CM000671.2", "CM000671.1")
PADDING = 10_000  # bases kept on each side of the transcript (upstream/downstream, normalisation)
MAX_PROTEIN_MISMATCHES = 10  # known polymorphic residues differ between protein snapshots and genomes
GENETIC_CODE = {
    a + b + c: "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"[16 * i + 4 * j + k]
    for i, a in enumerate("TCAG")
    for j, b in enumerate("TCAG")
    for k, c in enumerate("TCAG")
}
_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def revcomp(s: str) -> str:
    return s.translate(_COMP)[::-1]


def translate(cds: str) -> str:
    return "".join(GENETIC_CODE.get(cds[i : i + 3], "X") for i in range(0, len(cds) - len(cds) % 3, 3))


@dataclass(frozen=True)
class GeneCache:
    """The TRPM6 region of one reference: sequence, transcript (on the reference's contig name)."""

    build: str
    contig: str
    region_start: int  # 1-based genomic position of seq[0]
    seq: str
    transcript: Transcript
    protein: str
    reference: str  # path of the FASTA it was cut from
    reference_fingerprint: str  # sha256 of the .fai index plus the region sequence
    synthetic: bool  # the FASTA header says it is a synthetic stand-in

    @cached_property
    def region_end(self) -> int:
        return self.region_start + len(self.seq) - 1

    def fetch(self, start: int, end: int) -> str:
        """Forward-strand bases start..end (1-based, inclusive); raises if outside the cached region."""
        if start < self.region_start or end > self.region_end:
            raise IndexError(f"{self.contig}:{start}-{end} outside the gene cache")
        return self.seq[start - self.region_start : end - self.region_start + 1]

    def cds_sequence(self) -> str:
        t = self.transcript
        parts = []
        for e in t.exons:
            lo, hi = max(e.start, t.cds_start), min(e.end, t.cds_end)
            if lo <= hi:
                s = self.fetch(lo, hi)
                parts.append(revcomp(s) if t.strand < 0 else s)
        return "".join(parts)

    def to_json(self) -> str:
        d = {
            k: getattr(self, k)
            for k in (
                "build",
                "contig",
                "region_start",
                "seq",
                "protein",
                "reference",
                "reference_fingerprint",
                "synthetic",
            )
        }
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> GeneCache:
        d = json.loads(text)
        t = replace(Transcript.load(d["build"]), chrom=d["contig"])
        return cls(transcript=t, **d)

    @classmethod
    def load(cls, path: str | Path) -> GeneCache:
        return cls.from_json(Path(path).read_text())


def detect_build(contigs: list[tuple[str, int]], requested: str = "auto", source: str = "reference") -> tuple[str, str]:
    """(build, contig name of chromosome 9) from (name, length) pairs; `requested` is auto/GRCh38/GRCh37."""
    for name, length in contigs:
        if name in CHR9_NAMES:
            build = CHR9_LENGTHS.get(length)
            if build is None:
                raise InputError(
                    f"{source}: contig {name} has length {length:,}, which is neither GRCh38 chr9 (138,394,717) "
                    "nor GRCh37 chr9 (141,213,431); give a GRCh38 or GRCh37 reference"
                )
            if requested not in ("auto", build):
                raise InputError(
                    f"{source}: genome_build is {requested} but contig {name} has the {build} length "
                    f"({length:,}); set genome_build: {build} or auto, or use the {requested} reference"
                )
            return build, name
    names = ", ".join(n for n, _ in contigs[:5]) or "none"
    raise InputError(
        f"{source}: no chromosome 9 contig (chr9, 9 or NC_000009) found (contigs: {names}); "
        "give the GRCh38 or GRCh37 FASTA your reads were aligned to"
    )


def reference_key(fasta: str | Path, requested_build: str, version: str) -> str:
    """Key of the gene cache kept across runs (config `cache_dir`): SHA-256 of the reference's path as given and
    as absolute path (the cache names it, and bcftools norm reads it), its size and mtime (ns), its .fai and .gzi
    indexes as stored, the requested build, the pipeline version, and the code and data the cache is made from
    (this module, the transcript models, the protein). Cheap at parse time: a changed, replaced or re-indexed
    reference, or a changed model, gets a new key, so a cache is never used for another file or another model."""
    p = Path(fasta)
    h = hashlib.sha256(f"hshpipe-gene-cache-1\0{fasta}\0{p.resolve()}\0{requested_build}\0{version}\0".encode())
    h.update(_cache_makers_digest())
    st = p.stat()
    h.update(f"{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for ext in (".fai", ".gzi"):
        idx = Path(str(p) + ext)
        h.update(ext.encode() + (hashlib.sha256(idx.read_bytes()).digest() if idx.is_file() else b"-"))
    return h.hexdigest()


def _cache_makers_digest() -> bytes:
    """SHA-256 of what a gene cache is built from besides the reference: this module, the model module, the
    transcript models of both builds and the protein (a development change without a version bump still
    invalidates old caches)."""
    from .paths import RESOURCES

    h = hashlib.sha256()
    makers = [Path(__file__), Path(__file__).with_name("model.py"), *sorted((RESOURCES / "trpm6").glob("*.json"))]
    for f in [*makers, RESOURCES / "trpm6" / "NP_060132.3.fa"]:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.digest()


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/hshpipe, else ~/.cache/hshpipe."""
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hshpipe"


def build_gene_cache(fasta: str | Path, requested_build: str = "auto") -> GeneCache:
    import pysam  # imported here: the rest of the package does not need it for pure logic

    fasta = Path(fasta)
    if not fasta.exists():
        raise InputError(f"{fasta}: reference FASTA not found; set `reference` in the config to an existing file")
    try:
        fa = pysam.FastaFile(str(fasta))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{fasta}: cannot open as an indexed FASTA ({exc}); give a plain or bgzip-compressed FASTA "
            "(index with `samtools faidx`; plain gzip is not supported: recompress with bgzip)"
        ) from None
    contigs = list(zip(fa.references, fa.lengths))
    build, contig = detect_build(contigs, requested_build, source=str(fasta))
    t = replace(Transcript.load(build), chrom=contig)
    start, end = t.start - PADDING, t.end + PADDING
    seq = fa.fetch(contig, start - 1, end).upper()
    fai_text = Path(str(fasta) + ".fai").read_bytes() if Path(str(fasta) + ".fai").exists() else b""
    fa.close()
    synthetic = _first_header_synthetic(fasta)
    cache = GeneCache(
        build=build,
        contig=contig,
        region_start=start,
        seq=seq,
        transcript=t,
        protein=load_protein(),
        reference=str(fasta),
        synthetic=synthetic,
        reference_fingerprint=hashlib.sha256(fai_text + seq.encode()).hexdigest(),
    )
    check_translation(cache)
    return cache


def _first_header_synthetic(fasta: Path) -> bool:
    """True when the FASTA's first header line says `synthetic` (the demo stand-ins do)."""
    import gzip

    with open(fasta, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    with gzip.open(fasta, "rb") if gz else open(fasta, "rb") as fh:
        return b"synthetic" in fh.readline(4096).lower()


def check_translation(cache: GeneCache) -> None:
    cds = cache.cds_sequence()
    where = f"{cache.reference} ({cache.build}, {cache.contig})"
    if cds.count("N") > len(cds) // 10:
        raise InputError(
            f"{where}: the TRPM6 coding sequence is mostly N in this reference; it does not hold chromosome 9 "
            "sequence at the expected build coordinates (wrong build or masked file?)"
        )
    prot = translate(cds)
    if not prot.endswith("*") or "*" in prot[:-1] or len(prot) - 1 != len(cache.protein):
        stops = prot[:-1].count("*")
        raise InputError(
            f"{where}: the TRPM6 CDS does not translate to NP_060132.3 ({stops} internal stop codons, "
            f"length {len(prot) - 1} aa vs {len(cache.protein)}); the reference is not {cache.build} "
            "or has another naming: check `reference` and `genome_build`"
        )
    mism = sum(1 for a, b in zip(prot, cache.protein) if a != b)
    if mism > MAX_PROTEIN_MISMATCHES:
        raise InputError(
            f"{where}: the TRPM6 CDS translation differs from NP_060132.3 at {mism} residues (more than "
            f"{MAX_PROTEIN_MISMATCHES}); the reference is not {cache.build}: check `reference` and `genome_build`"
        )


def write_padded_fasta(path: str | Path, contig: str, length: int, start: int, seq: str, description: str = "") -> Path:
    """Write a bgzipped, faidx-indexed FASTA of one contig of `length` bases holding `seq` at `start` (1-based)
    and N elsewhere, 60 bases a line."""
    import pysam

    path = Path(path)
    plain = path.with_suffix("")  # drop .gz
    width, lo, hi = 60, start, start + len(seq) - 1
    with plain.open("w") as fh:
        fh.write(f">{contig}{' ' + description if description else ''}\n")
        full_n = "N" * width + "\n"
        chunk: list[str] = []
        for line_start in range(1, length + 1, width):
            line_end = min(line_start + width - 1, length)
            if line_end < lo or line_start > hi:
                chunk.append(full_n if line_end - line_start + 1 == width else "N" * (line_end - line_start + 1) + "\n")
            else:
                chunk.append(
                    "".join(seq[g - lo] if lo <= g <= hi else "N" for g in range(line_start, line_end + 1)) + "\n"
                )
            if len(chunk) >= 200_000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    for ext in (".fai", ".gzi"):
        Path(str(path) + ext).unlink(missing_ok=True)
    pysam.faidx(str(path))
    return path


def write_region_fasta(cache: GeneCache, path: str | Path, contig: str) -> Path:
    """The cached region at its true coordinates on a contig of the true length (N elsewhere): bcftools norm
    runs against it for a VCF whose chromosome naming differs from the reference's."""
    return write_padded_fasta(path, contig, cache.transcript.chrom_length, cache.region_start, cache.seq)
