"""ACMG-style classification of one TRPM6 variant, with the rule that fired written out for clinicians.

Rules, in order (the first that applies decides; `rule` says which, `criteria` lists ACMG-like codes):

1. Curated entry, genomic or c. match (same allele): the curated class, "curated: <source> (<level> match)".
   Exon-level entries count the same when the structural variant affects exactly the entry's exons.
   Entries that may not decide on their own fall through to the rules below, and the rule text says so:
   unconfirmed tier (never), secondary tier (never for pathogenic/likely pathogenic; it is context only),
   ClinVar with 0 review stars (never) or 1 star (not for pathogenic/likely pathogenic).
2. Protein match (same amino-acid change by another nucleotide change, missense/nonsense only): the curated
   direction one step less certain: pathogenic/likely pathogenic -> likely_pathogenic (PS1);
   benign/likely benign -> likely_benign (unless the variant touches a splice region: then rule 5 applies);
   uncertain -> rules below.
3. Null variant (PVS1): stop_gained, frameshift_variant, splice_acceptor/donor_variant (+/-1,2), start_lost,
   transcript_ablation, exon_loss_variant -> likely_pathogenic, because loss of function is the HSH disease
   mechanism; except a premature stop in the last exon or the last 50 bp of the penultimate exon, which may
   escape nonsense-mediated decay: PVS1 at moderate strength only -> uncertain_significance, flagged.
4. Codon match (another missense at a codon with a curated pathogenic/likely pathogenic missense, PM5):
   uncertain_significance with PM5 noted. PM5 is moderate evidence; on its own (no segregation, no in-trans
   observation, no functional data) it does not reach likely pathogenic under ACMG combining rules, and
   missense effects in a loss-of-function gene are less predictable than truncation.
5. Missense, in-frame, stop lost, other splice region, other protein-altering change -> uncertain_significance.
6. Synonymous, intronic, UTR, up/downstream with no splice term -> likely_benign.
7. Anything else -> uncertain_significance ("consequence not covered by the rules").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .curation import CuratedMatch, exon_c_ranges
from .hgvs_parser import parse_c
from .vocab import CLASS_LABEL, PLP, SPLICE_REGION_TERMS

if TYPE_CHECKING:  # pragma: no cover
    from .consequence import Annotation

NULL_TERMS = (
    "transcript_ablation",
    "exon_loss_variant",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "start_lost",
)
SPLICE_TERMS = SPLICE_REGION_TERMS
VUS_TERMS = (
    "missense_variant",
    "inframe_insertion",
    "inframe_deletion",
    "protein_altering_variant",
    "stop_lost",
    "coding_sequence_variant",
    "incomplete_terminal_codon_variant",
    "transcript_amplification",
    "feature_elongation",
    "feature_truncation",
) + SPLICE_TERMS
BENIGN_TERMS = (
    "synonymous_variant",
    "stop_retained_variant",
    "start_retained_variant",
    "intron_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "non_coding_transcript_exon_variant",
    "intergenic_variant",
    "NMD_transcript_variant",
)
NMD_WINDOW = 50  # bp at the 3' end of the penultimate exon


@dataclass(frozen=True)
class Classification:
    classification: str
    rule: str  # shown to clinicians as is
    criteria: tuple[str, ...] = ()


def _cons(ann: Any) -> tuple[str, ...]:
    return tuple(getattr(ann, "consequences", ()) or ())


def _what(ann: Any) -> str:
    cons = _cons(ann)
    return cons[0] if cons else "variant"


@lru_cache(maxsize=1)
def _nmd_boundary() -> tuple[int, int]:
    """(first c. base of the NMD-escape zone, first c. base of the last exon)."""
    ranges = exon_c_ranges()
    last = max(ranges)
    pen_last = ranges[last - 1][1]
    return pen_last.base - NMD_WINDOW + 1, ranges[last][0].base


def _ptc_codon(ann: Any) -> int | None:
    """Codon of the premature stop: the affected codon for stop_gained, the new stop for a frameshift
    (p.(Arg56GlufsTer12) -> 56 + 12 - 1), None when it cannot be told."""
    start = getattr(ann, "protein_start", None)
    cons = _cons(ann)
    if start is None:
        return None
    if "stop_gained" in cons:
        return start
    if "frameshift_variant" in cons:
        m = re.search(r"fs(?:Ter|\*)(\d+)", getattr(ann, "hgvs_p", None) or "")
        return start + int(m[1]) - 1 if m else start
    return None


def _c_start(ann: Any) -> int | None:
    try:
        c = parse_c(getattr(ann, "hgvs_c", None) or "").start
    except ValueError:
        return None
    return c.base if c.in_cds else None


def nmd_escape(ann: Any) -> bool:
    """True if the premature stop of a stop_gained/frameshift lies in the last exon or the last 50 bp of the
    penultimate exon (predicted to escape nonsense-mediated decay)."""
    cons = _cons(ann)
    if not {"stop_gained", "frameshift_variant"} & set(cons):
        return False
    zone_start, _ = _nmd_boundary()
    codon = _ptc_codon(ann)
    if codon is not None:
        return 3 * codon - 2 >= zone_start
    c = _c_start(ann)
    if c is not None:
        return c >= zone_start
    exon = getattr(ann, "exon", None)
    if exon and "/" in exon:
        n, total = exon.split("/")
        return n == total
    return False


def _curated_text(m: CuratedMatch) -> str:
    return f"curated: {m.entry.source} ({m.level} match)"


def _entry_decides(m: CuratedMatch, ann: Any) -> bool:
    if m.level in ("genomic", "cdna"):
        return True
    if m.level == "exon":
        return set(getattr(ann, "exons_affected", ()) or ()) == set(m.entry.exons)
    return False


def classify(ann: Annotation, match: CuratedMatch | None) -> Classification:
    notes: list[str] = []
    if match is not None:
        e = match.entry
        if _entry_decides(match, ann):
            if e.usable_for(e.classification):
                return Classification(e.classification, _curated_text(match), ("curated",))
            notes.append(
                f"curated entry {e.id} says {CLASS_LABEL[e.classification]} but is {e.tier_label()}, which does "
                "not decide a class on its own"
            )
        elif match.level == "exon":
            notes.append(
                f"overlaps curated exon-level entry {e.id} (exon {e.exon}, {CLASS_LABEL[e.classification]}) but "
                "affects other exons as well"
            )
        elif match.level == "protein":
            if e.classification in PLP and e.usable_for(e.classification):
                return Classification(
                    "likely_pathogenic",
                    f"same amino-acid change as curated {CLASS_LABEL[e.classification]} entry {e.id} by another nucleotide "
                    f"change (PS1): {_curated_text(match)}",
                    ("PS1",),
                )
            if (
                e.classification in ("benign", "likely_benign")
                and e.usable_for(e.classification)
                and not set(SPLICE_TERMS) & set(_cons(ann))
            ):
                return Classification(
                    "likely_benign",
                    f"same amino-acid change as curated {CLASS_LABEL[e.classification]} entry {e.id} (protein match, "
                    f"no splice-region effect): {_curated_text(match)}",
                    ("curated_protein",),
                )
            notes.append(
                f"same amino-acid change as curated entry {e.id} ({CLASS_LABEL[e.classification]}, {e.tier_label()})"
            )
    rule = _rules(ann, match)
    if notes:
        rule = Classification(
            rule.classification, "; ".join(notes) + "; classified by the rules: " + rule.rule, rule.criteria
        )
    return rule


def _rules(ann: Any, match: CuratedMatch | None) -> Classification:
    cons = _cons(ann)
    null = [t for t in NULL_TERMS if t in cons]
    if null:
        term = null[0]
        if nmd_escape(ann):
            return Classification(
                "uncertain_significance",
                f"novel {term} in TRPM6, but the premature stop lies in the last exon or the last {NMD_WINDOW} bp of "
                "the penultimate exon, so the transcript may escape nonsense-mediated decay: loss of function is "
                "not certain (PVS1 at moderate strength only); flagged for review",
                ("PVS1_moderate", "NMD_escape"),
            )
        return Classification(
            "likely_pathogenic", f"novel {term} in TRPM6, loss of function is the disease mechanism (PVS1)", ("PVS1",)
        )
    if match is not None and match.level == "codon":
        e = match.entry
        if e.usable_for(e.classification):
            return Classification(
                "uncertain_significance",
                f"missense at the codon of curated {CLASS_LABEL[e.classification]} missense {e.id} ({e.hgvs_p or e.id}; "
                f"{e.source}) with another amino-acid change (PM5, moderate); PM5 alone does not reach likely "
                "pathogenic",
                ("PM5",),
            )
    vus = [t for t in VUS_TERMS if t in cons]
    if vus:
        splice = [t for t in SPLICE_TERMS if t in cons]
        if splice and not {"missense_variant", "inframe_insertion", "inframe_deletion"} & set(cons):
            return Classification(
                "uncertain_significance",
                f"{splice[0]} in TRPM6 outside the canonical splice sites: effect on splicing not known "
                "(RNA or minigene studies can resolve it)",
                (),
            )
        return Classification(
            "uncertain_significance",
            f"{vus[0]} in TRPM6: effect on the protein not known without functional or segregation evidence",
            (),
        )
    if cons and all(t in BENIGN_TERMS for t in cons):
        return Classification(
            "likely_benign",
            f"{cons[0]} in TRPM6 with no predicted effect on the protein or on splicing",
            ("no_effect",),
        )
    return Classification(
        "uncertain_significance",
        f"consequence {', '.join(cons) or 'unknown'} is not covered by the classification rules; review manually",
        (),
    )
