rule gene_cache:
    """Cut the TRPM6 region from the reference once per reference, check that its CDS translates to NP_060132.3.
    The cache is kept across runs in `cache_dir`, named by the reference's key (reference.reference_key): a later
    run with the same reference finds it and skips this rule."""
    input:
        reference=config["reference"],
    output:
        cache=GENE_CACHE,
    params:
        python=PYTHON,
        script=f"{SCRIPTS}/gene_cache.py",
        build=config.get("genome_build", "auto"),
    log:
        f"{OUTDIR}/logs/gene_cache.log",
    benchmark:
        f"{OUTDIR}/benchmarks/gene_cache.tsv"
    conda:
        "../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "{params.python} {params.script} --reference {input.reference} --build {params.build} "
        "--cache {output.cache} --log {log}"
