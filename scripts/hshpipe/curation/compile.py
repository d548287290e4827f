"""Compiling the curated table for one reference: genomic keys (normalised VCF-style alleles), protein changes,
codons and exon ranges, each checked against the user's reference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..hgvs_parser import AA1_TO_3, CEdit, codon_of, parse_c, parse_p
from ..model import CPos, Variant
from ..reference import GENETIC_CODE, revcomp
from ..vocab import PLP
from .entries import CuratedEntry

if TYPE_CHECKING:  # pragma: no cover
    from ..reference import GeneCache
    from .load import CuratedTable
    from .match import CompiledTable


def normalise_allele(cache: GeneCache, pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Trim and left-align a VCF-style allele on the forward strand (the vt/bcftools-norm algorithm)."""
    if ref == alt:
        raise ValueError(f"{pos}:{ref}>{alt} is not a change")
    while True:
        changed = False
        if ref and alt and ref[-1] == alt[-1]:
            ref, alt, changed = ref[:-1], alt[:-1], True
        if not ref or not alt:
            pos -= 1
            b = cache.fetch(pos, pos)
            ref, alt, changed = b + ref, b + alt, True
        if not changed:
            break
    while len(ref) >= 2 and len(alt) >= 2 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def _tx_strand(cache: GeneCache, lo: int, hi: int) -> str:
    s = cache.fetch(lo, hi)
    return revcomp(s) if cache.transcript.strand < 0 else s


def genomic_of_edit(cache: GeneCache, edit: CEdit) -> Variant:
    """c. change -> normalised VCF-style allele on the cache's contig. ValueError if the reference disagrees."""
    t = cache.transcript
    gs, ge = t.genomic_of_c(edit.start), t.genomic_of_c(edit.end)
    lo, hi = min(gs, ge), max(gs, ge)

    def fwd(s: str) -> str:
        return revcomp(s) if t.strand < 0 else s

    ref_tx = _tx_strand(cache, lo, hi)
    if edit.ref and edit.kind != "ins" and edit.ref != ref_tx:
        where = f"c.{edit.start}" if edit.start == edit.end else f"c.{edit.start}_{edit.end}"
        raise ValueError(f"{where} is {ref_tx} in this reference, not {edit.ref}")
    if edit.kind == "sub":
        pos, ref, alt = lo, cache.fetch(lo, hi), fwd(edit.alt)
    elif edit.kind == "del":
        pos, ref = lo - 1, cache.fetch(lo - 1, hi)
        alt = ref[0]
    elif edit.kind == "dup":
        pos, ref = hi, cache.fetch(hi, hi)
        alt = ref + cache.fetch(lo, hi)
    elif edit.kind == "ins":
        pos, ref = lo, cache.fetch(lo, lo)
        alt = ref + fwd(edit.alt)
    else:  # delins
        pos, ref, alt = lo, cache.fetch(lo, hi), fwd(edit.alt)
    pos, ref, alt = normalise_allele(cache, pos, ref, alt)
    return Variant(cache.contig, pos, ref, alt)


def protein_of_snv(cache: GeneCache, v: Variant) -> tuple[int, str, str] | None:
    """(residue, ref aa, alt aa) of a coding SNV translated on this reference, else None."""
    if len(v.ref) != 1 or len(v.alt) != 1:
        return None
    t = cache.transcript
    c = t.c_pos(v.pos)
    codon = codon_of(c)
    if codon is None or c.base > t.cds_length:
        return None
    first = 3 * codon - 2
    gpos = [t.genomic_of_c(CPos(first + k)) for k in range(3)]
    bases = [_tx_strand(cache, g, g) for g in gpos]
    ref_codon = "".join(bases)
    i = gpos.index(v.pos)
    bases[i] = revcomp(v.alt) if t.strand < 0 else v.alt
    return codon, GENETIC_CODE.get(ref_codon, "X"), GENETIC_CODE.get("".join(bases), "X")


@dataclass(frozen=True)
class CompiledEntry:
    entry: CuratedEntry
    variant: Variant | None = None  # normalised genomic allele
    c_edit: CEdit | None = None
    protein: tuple[int, str, str] | None = None  # (residue, ref aa, alt aa) for missense/nonsense
    exon_ranges: tuple[tuple[int, int, int], ...] = ()  # (exon, genomic start, genomic end)

    @property
    def codon(self) -> int | None:
        """The codon of a pathogenic/likely pathogenic missense entry that may decide a class (PM5-like
        matching: 'a codon with a known pathogenic missense'), else None."""
        e = self.entry
        if (
            self.protein
            and self.protein[2] not in ("*", self.protein[1])
            and e.classification in PLP
            and e.usable_for(e.classification)
        ):
            return self.protein[0]
        return None


def _exon_ranges(cache: GeneCache, exons: Sequence[int]) -> tuple[tuple[int, int, int], ...]:
    by_no = {e.number: e for e in cache.transcript.exons}
    return tuple((n, by_no[n].start, by_no[n].end) for n in exons)


def compile_entry(cache: GeneCache, e: CuratedEntry) -> CompiledEntry:
    """Genomic keys of one entry on one reference; InputError if the reference disagrees with the name."""
    where = f"{e.origin}:{e.line}: entry {e.id}" if e.line else f"{e.origin}: {e.id}"
    edit = parse_c(e.hgvs_c) if e.hgvs_c else None
    pch = parse_p(e.hgvs_p) if e.hgvs_p else None
    variant = None
    protein: tuple[int, str, str] | None = None
    if pch is not None and pch.kind in ("missense", "nonsense"):
        protein = (pch.start, pch.ref_aa, pch.alt_aa)  # type: ignore[assignment]
    if edit is not None:
        try:
            variant = genomic_of_edit(cache, edit)
        except (ValueError, IndexError) as exc:
            raise InputError(
                f"{where}: {exc} ({cache.reference}, {cache.build}); check the c. name, or that "
                "the reference is the build your data were aligned to"
            ) from None
        derived = protein_of_snv(cache, variant)
        if derived is not None and derived[1] != derived[2]:
            if protein is not None and pch is not None and (derived[0], derived[2]) != (protein[0], protein[2]):
                raise InputError(
                    f"{where}: {e.hgvs_c} gives p.{AA1_TO_3[derived[1]]}{derived[0]}{AA1_TO_3.get(derived[2], 'Xaa')} "
                    f"on {cache.reference} ({cache.build}), not {e.hgvs_p}; correct one of the two names"
                )
            protein = derived
    return CompiledEntry(e, variant, edit, protein, _exon_ranges(cache, e.exons))


def compile_table(table: CuratedTable, cache: GeneCache, clinvar_vcf: str | Path | None = None) -> CompiledTable:
    from .clinvar import compile_clinvar, load_clinvar_vcf
    from .match import CompiledTable

    compiled = [compile_entry(cache, e) for e in table.entries]
    _refuse_duplicate_alleles(compiled, cache)
    sources = [table.path]
    skipped: list[str] = []
    if clinvar_vcf:
        cv, skipped = load_clinvar_vcf(clinvar_vcf, cache)
        compiled += [compile_clinvar(cache, e, v) for e, v in cv]
        sources.append(str(clinvar_vcf))
    return CompiledTable(table.version, cache.build, cache.contig, tuple(compiled), tuple(sources), tuple(skipped))


def _refuse_duplicate_alleles(compiled: Sequence[CompiledEntry], cache: GeneCache) -> None:
    """Two table entries for one allele (e.g. the same deletion written at two places of a repeat) would give
    a variant two curated classes: refuse, naming both lines."""
    seen: dict[tuple[int, str, str], CompiledEntry] = {}
    for ce in compiled:
        if ce.variant is None:
            continue
        key = (ce.variant.pos, ce.variant.ref, ce.variant.alt)
        if key in seen:
            first = seen[key].entry
            e = ce.entry
            raise InputError(
                f"{e.origin}:{e.line}: entry {e.id}: the same allele as entry {first.id} (line {first.line}) on "
                f"{cache.build} ({cache.contig}:{key[0]} {key[1]}>{key[2]} after normalisation); merge the two entries"
            )
        seen[key] = ce
