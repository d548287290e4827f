"""Per-call genotype reading and QC: zygosity, allele balance, the QC gates (FILTER, DP, GQ, allele balance)
and informational flags. Pure functions of one record's call for one sample."""

from __future__ import annotations

from .settings import Thresholds
from .vcfio import Record, SampleGenotype


def genotype_string(g: SampleGenotype) -> str:
    sep = "|" if g.phased else "/"
    return sep.join("." if a < 0 else str(a) for a in g.alleles)


def zygosity(g: SampleGenotype) -> str | None:
    """heterozygous / homozygous for this record's ALT (allele 1 after splitting), None when not carried."""
    n_alt = sum(1 for a in g.alleles if a == 1)
    if n_alt == 0:
        return None
    if len(g.alleles) == 1:
        return "homozygous"  # haploid call; flagged in QC
    return "homozygous" if n_alt == len(g.alleles) else "heterozygous"


def qc_flags(rec: Record, g: SampleGenotype, zyg: str, th: Thresholds) -> list[str]:
    flags = []
    bad_filters = [f for f in rec.filters if f not in ("PASS", ".")]
    if bad_filters:
        flags.append("FILTER:" + ",".join(bad_filters))
    if g.dp is not None and g.dp < th.min_dp:
        flags.append(f"DP<{th.min_dp}")
    if g.gq is not None and g.gq < th.min_gq:
        flags.append(f"GQ<{th.min_gq}")
    ab = allele_balance(g)
    if ab is not None:
        if zyg == "heterozygous" and (ab < th.min_allele_balance or ab > 1 - th.min_allele_balance):
            flags.append(f"AB={ab:.2f} (het outside {th.min_allele_balance:.2f}-{1 - th.min_allele_balance:.2f})")
        if zyg == "homozygous" and ab < 1 - th.min_allele_balance:
            flags.append(f"AB={ab:.2f} (hom below {1 - th.min_allele_balance:.2f})")
    return flags


def info_flags(g: SampleGenotype) -> list[str]:
    """Informational flags that do not fail QC."""
    out = []
    if len(g.alleles) == 1:
        out.append("haploid genotype")
    if -1 in g.alleles and len(g.alleles) > 1:
        out.append("other allele is another ALT or missing (split multiallelic)")
    return out


def allele_balance(g: SampleGenotype) -> float | None:
    if g.ad_ref is None or g.ad_alt is None or g.ad_ref + g.ad_alt == 0:
        return None
    return round(g.ad_alt / (g.ad_ref + g.ad_alt), 4)


def alt_haplotype(g: SampleGenotype) -> int | None:
    if not g.phased or len(g.alleles) != 2:
        return None
    if g.alleles[0] == 1 and g.alleles[1] != 1:
        return 0
    if g.alleles[1] == 1 and g.alleles[0] != 1:
        return 1
    return None
