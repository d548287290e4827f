rule analyse_batch:
    """Annotate, classify and decide for one batch of samples; writes their reports (JSON last, atomically).
    The batch's summary rows are its only tracked output: per-sample files are not tracked one by one."""
    input:
        cache=rules.gene_cache.output.cache,
        sheet=config["samples"],
        curated=rules.curated_table.output.table,
        data=batch_inputs,
        evidence=evidence_inputs,
    output:
        rows=f"{OUTDIR}/batches/batch_{{batch}}.jsonl",
    params:
        python=PYTHON,
        script=f"{SCRIPTS}/analyse_batch.py",
        members=batch_members,
        batch_size=BATCH_SIZE,
        outdir=lambda wildcards, output: str(Path(output.rows).parent.parent),
        clinvar=f"--clinvar {config['clinvar_vcf']}" if config.get("clinvar_vcf") else "",
        pedigree=f"--pedigree {PEDIGREE_FILE}" if PEDIGREE_FILE else "",
        settings=SETTINGS_JSON,
    log:
        f"{OUTDIR}/logs/analyse_batch_{{batch}}.log",
    benchmark:
        f"{OUTDIR}/benchmarks/analyse_batch_{{batch}}.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=lambda wildcards, attempt: 60 * attempt,
    shell:
        "{params.python} {params.script} --settings {params.settings:q} --sheet {input.sheet} "
        "--batch {wildcards.batch} --batch-size {params.batch_size} --cache {input.cache} "
        "--curated {input.curated} {params.clinvar} {params.pedigree} "
        "--outdir {params.outdir} --out {output.rows} --log {log}"
