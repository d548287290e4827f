"""Write clinvar_trpm6_GRCh38.vcf: a small ClinVar-style VCF (synthetic records, fake variation IDs 9000xx)
whose REF alleles match the GRCh38 synthetic stand-in reference. Not ClinVar content.

Usage: .venv/bin/python tests/data/curated/make_clinvar_test_vcf.py   (deterministic)
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
from hshpipe.model import CPos  # noqa: E402
from hshpipe.reference import GENETIC_CODE, build_gene_cache, revcomp  # noqa: E402

HEADER = """##fileformat=VCFv4.1
##fileDate=20261120
##source=synthetic ClinVar-style test data for hshpipe (not ClinVar content)
##reference=GRCh38
##contig=<ID=9,length=138394717>
##ID=<Description="ClinVar Variation ID">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification for this single variant">
##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status of germline classification">
##INFO=<ID=CLNHGVS,Number=.,Type=String,Description="Top-level (primary assembly, alt, or patch) HGVS expression.">
##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported as gene symbol:gene id">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
"""


def missense_alt(cache, codon: int, base_in_codon: int) -> tuple[int, str, str]:
    t = cache.transcript
    c = 3 * codon - 3 + base_in_codon
    g = t.genomic_of_c(CPos(c))
    bases = [
        revcomp(cache.fetch(t.genomic_of_c(CPos(3 * codon - 2 + k)), t.genomic_of_c(CPos(3 * codon - 2 + k))))
        for k in range(3)
    ]
    ref_aa = GENETIC_CODE["".join(bases)]
    for alt_tx in "ACGT":
        b = list(bases)
        b[base_in_codon - 1] = alt_tx
        aa = GENETIC_CODE["".join(b)]
        if aa not in (ref_aa, "*"):
            return g, cache.fetch(g, g), revcomp(alt_tx)
    raise SystemExit(f"no missense at codon {codon}")


def main() -> None:
    cache = build_gene_cache(ROOT / "resources/demo/reference/GRCh38_synthetic_chr9.fa.gz")
    t = cache.transcript
    rows = []
    g, r, a = missense_alt(cache, 200, 1)
    rows.append((g, "900001", r, a, "Pathogenic", "criteria_provided,_multiple_submitters,_no_conflicts"))
    g, r, a = missense_alt(cache, 333, 2)
    rows.append(
        (
            g,
            "900002",
            r,
            a,
            "Conflicting_classifications_of_pathogenicity",
            "criteria_provided,_conflicting_classifications",
        )
    )
    gi = t.genomic_of_c(CPos(1639, -30))
    ref = cache.fetch(gi, gi)
    rows.append(
        (
            gi,
            "900004",
            ref,
            {"A": "G", "C": "T", "G": "A", "T": "C"}[ref],
            "Likely_benign",
            "criteria_provided,_single_submitter",
        )
    )
    g, r, a = missense_alt(cache, 300, 1)
    rows.append((g, "900005", r, a, "Pathogenic", "no_assertion_criteria_provided"))
    gd = t.genomic_of_c(CPos(700))
    rows.append(
        (
            gd - 1,
            "900007",
            cache.fetch(gd - 1, gd),
            cache.fetch(gd - 1, gd - 1),
            "Pathogenic",
            "reviewed_by_expert_panel",
        )
    )
    rows.append((1_000_000, "900006", "N", "A", "Pathogenic", "criteria_provided,_single_submitter"))
    rows.sort()
    out = Path(__file__).with_name("clinvar_trpm6_GRCh38.vcf")
    with out.open("w") as fh:
        fh.write(HEADER)
        for pos, vid, ref, alt, sig, rev in rows:
            fh.write(f"9\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\tCLNSIG={sig};CLNREVSTAT={rev};GENEINFO=TRPM6:140803\n")
    print(out)


if __name__ == "__main__":
    main()
