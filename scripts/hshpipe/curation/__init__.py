"""The curated HSH variant table: load + validate, compile to genomic keys per reference, match at 5 levels.

Table format (TSV, UTF-8; see resources/curated/PROVENANCE.md and workflow/schemas/curated_table.schema.yaml):

    ## version: 2026-11-27.1            <- required: the table version, reported in every report's provenance
    # free comments                      <- any other line starting with '#'
    id  hgvs_c  hgvs_p  exon  kind  classification  evidence_tier  source  evidence  curated_on
    ...

Empty cells (or '.') mean "not given". Validation happens in two steps:
- `load_curated_table(path)`: JSON-Schema per row, then the notation against the transcript model and the protein
  (residue letters, c. positions that exist, intronic offsets only from exon boundaries, c./p. consistency).
  The c. structure of NM_017662.5 is the same on GRCh38 and GRCh37, so no reference is needed here. A run checks
  its table once (rule curated_table: `CuratedTable.to_json`, kept under `checked_table_key`); its batch jobs
  read the checked table (`CuratedTable.from_json`).
- `CuratedTable.compile(cache)`: reference bases of every c. name against the user's reference, and the genomic
  keys (normalised VCF-style alleles, protein changes, codons, exon ranges) that `CompiledTable.match` uses.

c. and p. names are parsed by `hgvs_parser`, the package's one HGVS parser.
Modules: `entries` (model), `validate` (notation), `load` (file), `compile` (genomic keys), `match` (five levels),
`clinvar` (ClinVar VCF as a source).
"""

from .compile import CompiledEntry, compile_entry, compile_table, genomic_of_edit, normalise_allele, protein_of_snv
from .entries import COLUMNS, EXON_KINDS, LEVELS, CuratedEntry, CuratedMatch, clinvar_stars, parse_exons
from .load import CuratedTable, checked_table_key, load_curated_table
from .match import CompiledTable
from .validate import exon_c_ranges, validate_entry

__all__ = [
    "COLUMNS",
    "EXON_KINDS",
    "LEVELS",
    "CompiledEntry",
    "CompiledTable",
    "CuratedEntry",
    "CuratedMatch",
    "CuratedTable",
    "checked_table_key",
    "clinvar_stars",
    "compile_entry",
    "compile_table",
    "exon_c_ranges",
    "genomic_of_edit",
    "load_curated_table",
    "normalise_allele",
    "parse_exons",
    "protein_of_snv",
    "validate_entry",
]
