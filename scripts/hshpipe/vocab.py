"""The pipeline's word lists, each in one place: classes, verdicts, zygosities, ACMG strengths, SO terms with
their VEP rank and impact, and the sample-id pattern. The JSON schemas repeat some of them as enums; a test
checks that they are equal to these."""

from __future__ import annotations

import re

# --- variant classes (ACMG/AMP 2015 five-tier) -----------------------------------------------------------------
PATHOGENIC = "pathogenic"
LIKELY_PATHOGENIC = "likely_pathogenic"
VUS = "uncertain_significance"
LIKELY_BENIGN = "likely_benign"
BENIGN = "benign"
CLASSES: tuple[str, ...] = (PATHOGENIC, LIKELY_PATHOGENIC, VUS, LIKELY_BENIGN, BENIGN)
PLP: frozenset[str] = frozenset({PATHOGENIC, LIKELY_PATHOGENIC})  # classes that can qualify a variant
BLB: frozenset[str] = frozenset({LIKELY_BENIGN, BENIGN})


def qualifies(classification: str, qc_pass: bool) -> bool:
    """A qualifying variant (the report contract): pathogenic or likely pathogenic, and it passes QC."""
    return qc_pass and classification in PLP


CLASS_LABEL: dict[str, str] = {
    PATHOGENIC: "pathogenic",
    LIKELY_PATHOGENIC: "likely pathogenic",
    VUS: "uncertain significance",
    LIKELY_BENIGN: "likely benign",
    BENIGN: "benign",
}

# --- per-sample verdicts (the report contract, docs/outputs.md) ----------------------------------------------
BIALLELIC = "biallelic"
POSSIBLE_COMPOUND_HET = "possible_compound_heterozygous"
MONOALLELIC = "monoallelic"
UNCERTAIN = "uncertain"
NEGATIVE = "negative"
INCONCLUSIVE = "inconclusive"
FAILED = "failed"  # summary only: the sample's input could not be analysed, no report
VERDICTS: tuple[str, ...] = (BIALLELIC, POSSIBLE_COMPOUND_HET, MONOALLELIC, UNCERTAIN, NEGATIVE, INCONCLUSIVE)

# --- genotypes -------------------------------------------------------------------------------------------------
HETEROZYGOUS = "heterozygous"
HOMOZYGOUS = "homozygous"
HEMIZYGOUS = "hemizygous"
ZYGOSITIES: tuple[str, ...] = (HETEROZYGOUS, HOMOZYGOUS, HEMIZYGOUS)

# --- ACMG/AMP evidence strengths (Richards 2015; ClinGen SVI) and Bayesian points (Tavtigian 2018/2020) ---------
STRENGTH_POINTS: dict[str, int] = {"very_strong": 8, "strong": 4, "moderate": 2, "supporting": 1}
STAND_ALONE = "stand_alone"  # BA1: benign on its own, outside the points scale
STRENGTHS: tuple[str, ...] = (STAND_ALONE, *STRENGTH_POINTS)
STRENGTH_LABEL: dict[str, str] = {s: s.replace("_", " ").replace("stand alone", "stand-alone") for s in STRENGTHS}
DIRECTIONS: tuple[str, ...] = ("pathogenic", "benign")

# --- Sequence Ontology consequence terms: Ensembl VEP's ranking (most severe first) and impact -----------------
# exon_loss_variant (SnpEff, structural variants only) sits with the HIGH terms.
# fmt: off
HIGH_TERMS: tuple[str, ...] = (
    "transcript_ablation", "exon_loss_variant", "splice_acceptor_variant", "splice_donor_variant", "stop_gained",
    "frameshift_variant", "stop_lost", "start_lost", "transcript_amplification",
)
MODERATE_TERMS: tuple[str, ...] = ("inframe_insertion", "inframe_deletion", "missense_variant", "protein_altering_variant")
LOW_TERMS: tuple[str, ...] = (
    "splice_donor_5th_base_variant", "splice_region_variant", "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant", "incomplete_terminal_codon_variant", "start_retained_variant",
    "stop_retained_variant", "synonymous_variant",
)
SO_RANKING: tuple[str, ...] = (
    *HIGH_TERMS, "feature_elongation", "feature_truncation", *MODERATE_TERMS, *LOW_TERMS,
    "coding_sequence_variant", "mature_miRNA_variant", "5_prime_UTR_variant", "3_prime_UTR_variant",
    "non_coding_transcript_exon_variant", "intron_variant", "NMD_transcript_variant", "non_coding_transcript_variant",
    "coding_transcript_variant", "upstream_gene_variant", "downstream_gene_variant", "intergenic_variant",
)
# fmt: on
IMPACTS: tuple[str, ...] = ("HIGH", "MODERATE", "LOW", "MODIFIER")
IMPACT: dict[str, str] = {
    **dict.fromkeys(HIGH_TERMS, "HIGH"),
    **dict.fromkeys(MODERATE_TERMS, "MODERATE"),
    **dict.fromkeys(LOW_TERMS, "LOW"),
}  # every other term: MODIFIER
CANONICAL_SPLICE: frozenset[str] = frozenset({"splice_acceptor_variant", "splice_donor_variant"})
SPLICE_REGION_TERMS: tuple[str, ...] = (
    "splice_region_variant",
    "splice_donor_5th_base_variant",
    "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
)

# --- identifiers -----------------------------------------------------------------------------------------------
SAMPLE_ID_PATTERN = r"^[A-Za-z0-9._-]+$"
SAMPLE_ID = re.compile(SAMPLE_ID_PATTERN)
