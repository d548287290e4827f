"""Predictor evidence from user files: SpliceAI (Illumina's precomputed VCF) and REVEL (its CSV as
distributed, or tab-separated bgzip + tabix). PP3/BP4 at the ClinGen SVI calibrated thresholds: SpliceAI
(Walker et al. 2023) for splice-region and intronic variants, REVEL (Pejaver et al. 2022) for missense.
Criteria and thresholds: docs/classification.md."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from ..acmg import Criterion
from ..errors import InputError
from ..reference import CHR9_NAMES, GeneCache
from ..settings import EvidenceSettings
from ..vcfio import is_bgzf
from ..vocab import CANONICAL_SPLICE, SPLICE_REGION_TERMS
from .files import (
    BUILDS,
    Key,
    check_header_build,
    check_ref_alleles,
    chr9_name,
    header_contigs,
    open_text,
    region_span,
    require_bgzip_index,
    tabix_header,
    tabix_lines,
    trim,
)

SPLICEAI_KEY, REVEL_KEY = "spliceai_vcf", "missense_scores"
SPLICEAI_FORMAT = "ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL"
REVEL_COLUMNS = ("chr", "hg19_pos", "grch38_pos", "ref", "alt", "aaref", "aaalt", "REVEL")
REVEL_POS_COLUMN = {"GRCh37": 1, "GRCh38": 2}  # hg19_pos on GRCh37, grch38_pos on GRCh38 (may be '.')
GENE = "TRPM6"
MANE_ENST = "ENST00000360774"
STRENGTH_ORDER = ("supporting", "moderate", "strong")
INDEL_WINDOW = 50  # bases before an allele fetched: a record may carry untrimmed anchor bases


# --- SpliceAI ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpliceScore:
    delta: float  # max of DS_AG, DS_AL, DS_DG, DS_DL for TRPM6
    which: str  # the delta score that is the maximum, e.g. "DS_DL"


def parse_spliceai(info: str, alt: str, where: str) -> SpliceScore | None:
    """The TRPM6 score of `alt` in an INFO string holding SpliceAI=ALLELE|SYMBOL|DS_AG|...|DP_DL[,...]."""
    field = next((f[9:] for f in info.split(";") if f.startswith("SpliceAI=")), None)
    if field is None:
        return None
    best: SpliceScore | None = None
    for entry in field.split(","):
        f = entry.split("|")
        if len(f) != 10:
            raise InputError(f"{where}: malformed SpliceAI annotation {entry!r} (expected {SPLICEAI_FORMAT})")
        try:
            scores = [float(x) for x in f[2:6]]
            [int(x) for x in f[6:10]]
        except ValueError:
            raise InputError(f"{where}: malformed SpliceAI annotation {entry!r} (scores must be numbers)") from None
        if f[0].upper() == alt.upper() and f[1] == GENE:
            top = max(range(4), key=lambda i: scores[i])
            if best is None or scores[top] > best.delta:
                best = SpliceScore(scores[top], ("DS_AG", "DS_AL", "DS_DG", "DS_DL")[top])
    return best


@dataclass
class SpliceAIFile:
    """Illumina's precomputed SpliceAI VCF (30+ GB, ~500,000 records in TRPM6): checked once, then read through
    its index at each allele asked for (memoised), not loaded whole."""

    path: str
    contig: str | None  # the file's name for chromosome 9 (None: no records on it)
    handle: Any = field(default=None, repr=False)
    memo: dict[Key, SpliceScore | None] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str, cache: GeneCache) -> SpliceAIFile:
        import pysam

        require_bgzip_index(path, SPLICEAI_KEY)
        shown = f"{path} ({SPLICEAI_KEY})"
        header, index_contigs = tabix_header(path, SPLICEAI_KEY)
        decl = next((h for h in header if h.startswith("##INFO=<ID=SpliceAI,")), None)
        if decl is None or SPLICEAI_FORMAT not in decl:
            raise InputError(
                f"{shown}: no ##INFO SpliceAI header with Format: {SPLICEAI_FORMAT}; give Illumina's "
                "precomputed SpliceAI VCF (or one written by `spliceai`)"
            )
        check_header_build(header_contigs(header), cache, shown)
        sample = list(islice(tabix_lines(path, SPLICEAI_KEY, CHR9_NAMES, region_span(cache.build)), 500))
        check_ref_alleles(((int(f[1]), f[3]) for f in _vcf_fields(sample, shown)), cache, shown)
        for f in _vcf_fields(sample, shown):  # the format of the first records, so that a bad file fails here
            parse_spliceai(f[7], f[4].split(",")[0], f"{shown}: {f[0]}:{f[1]}")
        return cls(path, chr9_name(index_contigs), pysam.TabixFile(path))

    def score(self, key: Key) -> SpliceScore | None:
        if key not in self.memo:
            self.memo[key] = self._fetch(key)
        return self.memo[key]

    def _fetch(self, key: Key) -> SpliceScore | None:
        if self.contig is None:
            return None
        pos, ref, _ = key
        shown = f"{self.path} ({SPLICEAI_KEY})"
        lines = list(self.handle.fetch(self.contig, max(0, pos - 1 - INDEL_WINDOW), pos + len(ref)))
        for f in _vcf_fields(lines, shown):
            for alt in f[4].split(","):
                if trim(int(f[1]), f[3], alt) == key:
                    return parse_spliceai(f[7], alt, f"{shown}: {f[0]}:{f[1]}")
        return None

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _vcf_fields(lines: Iterable[str], shown: str) -> Iterator[list[str]]:
    for line in lines:
        f = line.split("\t")
        if len(f) < 8 or not f[1].isdigit():
            raise InputError(f"{shown}: a record in TRPM6 is not a VCF line of 8 columns: {line[:60]!r}")
        yield f


# --- REVEL ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevelScore:
    score: float
    aa_change: str  # e.g. "Q>R"
    mane: bool  # the row lists TRPM6's MANE transcript (ENST00000360774)


def _revel_header(line: str, shown: str) -> str:
    """The delimiter of a REVEL file from its header line (comma as distributed, tab when tabix-indexed)."""
    text = line.lstrip("#")
    sep = "\t" if "\t" in text else ","
    cols = tuple(c.strip() for c in text.split(sep))
    if cols[: len(REVEL_COLUMNS)] != REVEL_COLUMNS:
        raise InputError(
            f"{shown}: header {text[:90]!r} is not REVEL's ({','.join(REVEL_COLUMNS)},Ensembl_transcriptid); "
            "give the REVEL file as distributed (or tab-separated, bgzip + tabix)"
        )
    return sep


def _revel_lines(path: str, cache: GeneCache, shown: str) -> tuple[str, Iterator[str]]:
    """(delimiter, candidate lines): through the index when bgzip + tabix (both builds' TRPM6 spans are
    fetched, so an index on hg19_pos or on grch38_pos both work), else the whole file streamed."""
    first = next(open_text(path), "")
    sep = _revel_header(first, shown)
    if is_bgzf(path) and any(Path(path + e).exists() for e in (".tbi", ".csi")):
        require_bgzip_index(path, REVEL_KEY)
        spans = [region_span(b) for b in BUILDS]
        return sep, (line for s in spans for line in tabix_lines(path, REVEL_KEY, CHR9_NAMES, s))
    return sep, _chr9_block(open_text(path), sep)


def _chr9_block(lines: Iterable[str], sep: str) -> Iterator[str]:
    """The chromosome 9 lines of a file sorted by chromosome: stops at the end of the block."""
    seen = False
    for line in lines:
        chrom = line.split(sep, 1)[0]
        if chrom in ("9", "chr9"):
            seen = True
            yield line
        elif seen:
            return


def _revel_row(f: list[str], col: int, span: tuple[int, int], shown: str) -> tuple[Key, RevelScore] | None:
    if len(f) < len(REVEL_COLUMNS):
        raise InputError(f"{shown}: line {','.join(f)[:80]!r} has {len(f)} columns, REVEL has {len(REVEL_COLUMNS)}+")
    if f[0] not in ("9", "chr9") or f[col] == "." or not span[0] <= int(f[col]) <= span[1]:
        return None
    try:
        score = float(f[7])
    except ValueError:
        raise InputError(f"{shown}: {f[0]}:{f[col]} {f[3]}>{f[4]}: REVEL score {f[7]!r} is not a number") from None
    mane = len(f) > 8 and any(t.split(".")[0] == MANE_ENST for t in re.split("[;,]", f[8]))
    return trim(int(f[col]), f[3], f[4]), RevelScore(score, f"{f[5]}>{f[6]}", mane)


@dataclass
class RevelFile:
    path: str
    scores: dict[Key, list[RevelScore]]

    @classmethod
    def load(cls, path: str, cache: GeneCache) -> RevelFile:
        if not Path(path).exists():
            raise InputError(f'config: {REVEL_KEY}: {path} not found; set it to an existing file or to ""')
        shown = f"{path} ({REVEL_KEY})"
        sep, lines = _revel_lines(path, cache, shown)
        col, span = REVEL_POS_COLUMN[cache.build], region_span(cache.build)
        scores: dict[Key, list[RevelScore]] = {}
        for line in lines:
            if line.startswith("#") or not line:
                continue
            try:
                row = _revel_row(line.split(sep), col, span, shown)
            except ValueError:
                raise InputError(f"{shown}: line {line[:80]!r}: position is not a number") from None
            if row is not None:
                scores.setdefault(row[0], []).append(row[1])
        check_ref_alleles(((k[0], k[1]) for k in scores), cache, shown)
        return cls(path, scores)

    def score(self, key: Key) -> RevelScore | None:
        """The MANE transcript's row when the file has one, else the highest score of the allele."""
        rows = self.scores.get(key)
        if not rows:
            return None
        return next((r for r in rows if r.mane), max(rows, key=lambda r: r.score))


# --- criteria ------------------------------------------------------------------------------------------------


def revel_criterion(r: RevelScore, s: EvidenceSettings) -> Criterion | None:
    """Pejaver et al. 2022 REVEL thresholds: PP3 strong/moderate/supporting, BP4 strong/moderate/supporting."""
    src = "Pejaver et al. 2022"
    for strength, t in zip(("strong", "moderate", "supporting"), s.revel_pp3):
        if r.score >= t:
            return Criterion("PP3", strength, "pathogenic", f"REVEL {r.score:.3f} >= {t} ({r.aa_change}; {src})")
    for strength, t in zip(("strong", "moderate", "supporting"), s.revel_bp4):
        if r.score <= t:
            return Criterion("BP4", strength, "benign", f"REVEL {r.score:.3f} <= {t} ({r.aa_change}; {src})")
    return None


def spliceai_criterion(sp: SpliceScore, s: EvidenceSettings) -> Criterion | None:
    """Walker et al. 2023 (ClinGen SVI splicing): PP3 at SpliceAI >= 0.2, BP4 at <= 0.1, supporting."""
    if sp.delta >= s.spliceai_pp3:
        why = f"SpliceAI {sp.which} {sp.delta:.2f} >= {s.spliceai_pp3} (Walker et al. 2023)"
        return Criterion("PP3", "supporting", "pathogenic", why)
    if sp.delta <= s.spliceai_bp4:
        why = f"SpliceAI max delta {sp.delta:.2f} <= {s.spliceai_bp4} (Walker et al. 2023)"
        return Criterion("BP4", "supporting", "benign", why)
    return None


_S = TypeVar("_S", "SpliceScore", "RevelScore")


def _scored(
    score: _S | None,
    criterion: Callable[[_S, EvidenceSettings], Criterion | None],
    s: EvidenceSettings,
    notes: list[str],
    what: str,
    unscored: str,
) -> list[Criterion]:
    """The criterion a predictor's score gives (none below its thresholds); without a score, the note
    "PP3/BP4 (`what`): not assessed (`unscored`)"."""
    if score is not None:
        return [c for c in [criterion(score, s)] if c]
    notes.append(f"PP3/BP4 ({what}): not assessed ({unscored})")
    return []


def _strongest(cs: Sequence[Criterion]) -> Criterion | None:
    return max(cs, key=lambda c: STRENGTH_ORDER.index(c.strength), default=None)


def predictor_evidence(
    consequences: Sequence[str],
    splice: SpliceScore | None,
    revel: RevelScore | None,
    files: tuple[str, str],
    s: EvidenceSettings,
) -> tuple[list[Criterion], list[str]]:
    """PP3 or BP4 (at most one of them, once) for one allele. `files` = (spliceai_vcf, missense_scores), ""
    when not given. SpliceAI applies to splice-region and intronic variants (not canonical +/-1,2: PVS1);
    REVEL to missense; one PP3 (the strongest); a missense BP4 also needs SpliceAI <= 0.1 when scored."""
    terms = set(consequences)
    missense = "missense_variant" in terms
    splice_scope = bool(terms & {*SPLICE_REGION_TERMS, "intron_variant"}) and not terms & CANONICAL_SPLICE
    notes: list[str] = []
    cands: list[Criterion] = []
    if missense:
        why = "no missense_scores file given" if not files[1] else f"allele not in {files[1]} (REVEL scores SNVs)"
        cands += _scored(revel, revel_criterion, s, notes, "REVEL, missense", why)
    if splice_scope:
        why = "no spliceai_vcf given" if not files[0] else f"allele not in {files[0]}"
        cands += _scored(splice, spliceai_criterion, s, notes, "SpliceAI, splicing", why)
    pp3 = _strongest([c for c in cands if c.code == "PP3"])
    if pp3 is not None:
        return [pp3], notes
    if missense and splice is not None and splice.delta > s.spliceai_bp4:
        cands = [c for c in cands if c.code != "BP4"]  # a possible splice effect: no BP4 for the missense
    bp4 = _strongest([c for c in cands if c.code == "BP4"])
    return ([bp4] if bp4 else []), notes
