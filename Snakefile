"""Entry from the checkout's root: the workflow is defined in workflow/Snakefile (Snakemake workflow catalog layout).

`snakemake` run here uses this file; `snakemake -s workflow/Snakefile`, `--directory .test` and deployed modules
(snakedeploy) use workflow/Snakefile directly.
"""


include: "workflow/Snakefile"


rule default:
    """What `all` makes (an included file cannot set the default target, so it is named here)."""
    input:
        rules.all.input,
    default_target: True
