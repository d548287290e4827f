localrules:
    summary,
    run_status,


rule summary:
    """One light overview of the run: a row per sample, counts per verdict, links to the reports."""
    input:
        rows=expand(f"{OUTDIR}/batches/batch_{{batch}}.jsonl", batch=BATCH_IDS),
        review=REVIEW_ROWS_INPUT,  # review.smk: rows of reviewed reports replace the batches' rows
    output:
        tsv=report(f"{OUTDIR}/summary.tsv", caption="../report/summary_tsv.rst", category="Run summary"),
        html=report(f"{OUTDIR}/summary.html", caption="../report/summary_html.rst", category="Run summary"),
    params:
        python=PYTHON,
        script=f"{SCRIPTS}/summarise.py",
    log:
        f"{OUTDIR}/logs/summary.log",
    benchmark:
        f"{OUTDIR}/benchmarks/summary.tsv"
    conda:
        "../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "{params.python} {params.script} --tsv {output.tsv} --html {output.html} --log {log} {input.rows} {input.review}"


rule run_status:
    """Fails the run when a sample failed (no report; summary.tsv lists it with verdict `failed` and its reason).
    A rule of its own, so that the summary is written first and stays."""
    input:
        summary=rules.summary.output.tsv,
        rows=expand(f"{OUTDIR}/batches/batch_{{batch}}.jsonl", batch=BATCH_IDS),
    output:
        status=f"{OUTDIR}/logs/run_status.txt",
    params:
        python=PYTHON,
        script=f"{SCRIPTS}/summarise.py",
    log:
        f"{OUTDIR}/logs/run_status.log",
    benchmark:
        f"{OUTDIR}/benchmarks/run_status.tsv"
    conda:
        "../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "{params.python} {params.script} --status {output.status} --log {log} {input.rows}"
