localrules:
    curated_table,


rule curated_table:
    """Check the curated table (schema, notation) once, not in every batch job; kept in `cache_dir` by the key
    of its path, content and checks (curation.checked_table_key): a later run with the same table skips this rule.
    A light local job: the table is small."""
    input:
        table=config["curated_table"],
    output:
        table=CURATED_CHECKED,
    params:
        python=PYTHON,
        script=f"{SCRIPTS}/curated_table.py",
    log:
        f"{OUTDIR}/logs/curated_table.log",
    benchmark:
        f"{OUTDIR}/benchmarks/curated_table.tsv"
    conda:
        "../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "{params.python} {params.script} --table {input.table:q} --out {output.table:q} --log {log}"
