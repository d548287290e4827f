"""HSH (TRPM6) variant interpretation: VCFs of a sequencing run -> per-sample clinical review reports.

Entry point: config + validation, includes, rule all. See README.md and config/README.md.
"""
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/summary.smk"


rule all:
    input:
        rules.summary.output,
        rules.run_status.output,
    default_target: True
