# Report review (docs/review.md): the review file's decisions applied to the run's reports, versions kept, PDFs.
# The review step reads report.json files and re-renders them; it never re-runs the analysis.
REVIEW_FILE = config.get("review") or f"{OUTDIR}/review.tsv"
REVIEW_ROWS = f"{OUTDIR}/batches/review.jsonl"
# with a review file the default target applies it (the summary then shows the reviewed verdicts and states)
REVIEW_ROWS_INPUT = [REVIEW_ROWS] if Path(REVIEW_FILE).exists() else []


localrules:
    review_apply,
    review,


rule review_apply:
    """Apply the review file to the reports (new versions, audit trail, sign-off state) and print PDFs."""
    input:
        rows=expand(f"{OUTDIR}/batches/batch_{{batch}}.jsonl", batch=BATCH_IDS),
        review=[REVIEW_FILE] if Path(REVIEW_FILE).exists() else [],
    output:
        state=f"{OUTDIR}/review_state.tsv",
        rows=REVIEW_ROWS,
    params:
        python=PYTHON,
        script=f"{SCRIPTS}/review.py",
        outdir=lambda wildcards, output: str(Path(output.state).parent),
        review=REVIEW_FILE,
        pdf="" if config.get("pdf", True) else "--no-pdf",
    log:
        f"{OUTDIR}/logs/review.log",
    conda:
        "../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
        runtime=60,
    shell:
        "{params.python} {params.script} --outdir {params.outdir} --review {params.review:q} {params.pdf} "
        "--state {output.state} --rows {output.rows} --log {log}"


rule review:
    """Target: `snakemake review` applies the review file and refreshes the run summary."""
    input:
        f"{OUTDIR}/review_state.tsv",
        f"{OUTDIR}/summary.tsv",
