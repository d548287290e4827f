localrules:
    summary,


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
