"""ClinVar as a criterion source: records of a ClinVar VCF inside TRPM6 with a usable CLNSIG, as curated entries
(evidence tier `clinvar`, review stars kept)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..model import Variant
from ..reference import CHR9_NAMES
from .compile import CompiledEntry, normalise_allele, protein_of_snv
from .entries import CuratedEntry, clinvar_stars

if TYPE_CHECKING:  # pragma: no cover
    from ..reference import GeneCache


CLNSIG_MAP = {
    "pathogenic": "pathogenic",
    "likely_pathogenic": "likely_pathogenic",
    "pathogenic/likely_pathogenic": "likely_pathogenic",  # the weaker of the two, stated in the evidence
    "uncertain_significance": "uncertain_significance",
    "likely_benign": "likely_benign",
    "benign": "benign",
    "benign/likely_benign": "likely_benign",
}


def _info_str(rec: Any, key: str) -> str | None:
    if key not in rec.info:
        return None
    v = rec.info[key]
    return ",".join(str(x) for x in v) if isinstance(v, tuple) else str(v)


def load_clinvar_vcf(path: str | Path, cache: GeneCache) -> tuple[list[tuple[CuratedEntry, Variant]], list[str]]:
    """ClinVar records inside TRPM6 with a usable CLNSIG, as (entry, normalised allele) pairs, plus the list of
    records not taken (with the reason). REF alleles are checked against the reference."""
    path = Path(path)
    vf = _open_clinvar(path, cache)
    t = cache.transcript
    names = set(CHR9_NAMES)
    out: list[tuple[CuratedEntry, Variant]] = []
    skipped: list[str] = []
    curated_on = _file_date(vf) or date.today().isoformat()
    for rec in _region_records(vf, names, t.start, t.end):
        if rec.chrom not in names or rec.stop < t.start or rec.pos > t.end:
            continue
        why = _not_taken(rec, path, cache)
        if why:
            skipped.append(why)
            continue
        for alt in rec.alts or ():
            if alt.startswith("<") or alt in ("*", "."):
                skipped.append(f"ClinVar {_rid(rec)}: symbolic allele {alt} not taken")
                continue
            out.append(_entry(rec, alt, path, cache, curated_on))
    vf.close()
    return out, skipped


def _open_clinvar(path: Path, cache: GeneCache) -> Any:
    """The ClinVar VCF opened with pysam, after checking that it is one and of the reference's build."""
    import pysam

    if not path.exists():
        raise InputError(f"{path}: ClinVar VCF not found; fix `clinvar_vcf` in the config or remove the key")
    try:
        vf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read as VCF ({exc}); give a ClinVar VCF (bgzipped or plain)") from None
    for name in ("CLNSIG", "CLNREVSTAT"):
        if name not in vf.header.info:
            raise InputError(f"{path}: no INFO/{name} in the header; this is not a ClinVar VCF")
    t = cache.transcript
    for name in map(str, vf.header.contigs):
        length = vf.header.contigs[name].length
        if name in CHR9_NAMES and length and length != t.chrom_length:
            raise InputError(
                f"{path}: contig {name} has length {length:,} but {cache.reference} is {cache.build} "
                f"({t.chrom_length:,}); use the ClinVar VCF of {cache.build}"
            )
    return vf


def _file_date(vf: Any) -> str | None:
    for hrec in vf.header.records:
        if hrec.key == "fileDate" and hrec.value:
            v = str(hrec.value)
            return f"{v[:4]}-{v[4:6]}-{v[6:8]}" if re.fullmatch(r"\d{8}", v) else v
    return None


def _rid(rec: Any) -> str:
    return str(rec.id or f"{rec.chrom}:{rec.pos}")


def _class_of(rec: Any) -> str | None:
    return CLNSIG_MAP.get((_info_str(rec, "CLNSIG") or "").lower().split("|")[0].split(",")[0])


def _not_taken(rec: Any, path: Path, cache: GeneCache) -> str | None:
    """Why a record is not taken (None: take it); a REF that disagrees with the reference is an error."""
    rid = _rid(rec)
    if _class_of(rec) is None:
        return f"ClinVar {rid}: CLNSIG {_info_str(rec, 'CLNSIG') or 'missing'} is not one of the five classes"
    try:
        ref_here = cache.fetch(rec.pos, rec.pos + len(rec.ref) - 1)
    except IndexError:
        return f"ClinVar {rid}: extends beyond the TRPM6 region of the gene cache"
    if ref_here != rec.ref.upper():
        raise InputError(
            f"{path}: record {rid} at {rec.chrom}:{rec.pos} has REF {rec.ref} but {cache.reference} "
            f"has {ref_here}; the ClinVar VCF and the reference are of different builds"
        )
    return None


def _entry(rec: Any, alt: str, path: Path, cache: GeneCache, curated_on: str) -> tuple[CuratedEntry, Variant]:
    rid = _rid(rec)
    clnsig = _info_str(rec, "CLNSIG")
    revstat = _info_str(rec, "CLNREVSTAT") or ""
    pos, r, a = normalise_allele(cache, rec.pos, rec.ref.upper(), alt.upper())
    stars = clinvar_stars(revstat)
    e = CuratedEntry(
        id=f"ClinVar:{rid}" if len(rec.alts) == 1 else f"ClinVar:{rid}:{alt.upper()}",
        hgvs_c=None,
        hgvs_p=None,
        exon=None,
        kind="other",
        classification=_class_of(rec) or "",
        evidence_tier="clinvar",
        source=f"ClinVar VariationID {rid}",
        evidence=f"ClinVar {clnsig}; review status {revstat.replace('_', ' ')} ({stars} star(s))",
        curated_on=curated_on,
        origin=str(path),
        review_status=revstat.replace("_", " "),
    )
    return e, Variant(cache.contig, pos, r, a)


def _region_records(vf: Any, names: set[str], start: int, end: int) -> Iterable[Any]:
    """Records of the TRPM6 span: through the index when there is one (a full ClinVar VCF has millions of
    records), else by streaming the file."""
    if vf.index is not None:
        for name in names:
            if name in vf.index:
                return vf.fetch(name, start - 1, end)
        return iter(())
    return iter(vf)


def compile_clinvar(cache: GeneCache, e: CuratedEntry, v: Variant) -> CompiledEntry:
    prot = protein_of_snv(cache, v)
    return CompiledEntry(e, v, None, prot if prot and prot[1] != prot[2] else None, ())
