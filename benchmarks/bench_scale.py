"""Scale benchmark: the pipeline (snakemake, --cores 2) vs a per-sample bcftools shell pipeline on N WGS-sized VCFs.

  .venv/bin/python benchmarks/bench_scale.py 200            # data are (re)generated under /tmp/hshbench
  .venv/bin/python benchmarks/bench_scale.py 1000 --no-profile

Runs, one after the other in this process tree:
  (i)  `snakemake --cores 2 --config samples=<sheet> outdir=<fresh dir>` from the repository root
       (a dry run `-n` first, timed on its own: config + sheet validation + DAG);
  (ii) the peer, per sample, 2-way parallel (xargs -P2):
       bcftools view -r <TRPM6 +/- 5 kb> | bcftools norm -m-any -f ref | bcftools csq -p a -f ref -g trpm6.gff3
       | bcftools query -f ...
Prints wall times and pipeline/peer (target <= 1.0), checks every per-sample report (json, html, tsv) and the
summary. Then times the pieces: rule runtimes from the pipeline's benchmark files, snakemake overhead, Python
start-up/imports of a batch job, sha256 of the inputs, and a cProfile of batch 0 (analyse_batch.py run directly
with the rule's own command line taken from `snakemake -p`), summarised per stage.
Results: /tmp/hshbench/scale/<N>/result.json and profile.txt.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import pstats
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
import make_data  # noqa: E402

PY = str(ROOT / ".venv/bin/python")
SNAKEMAKE = str(ROOT / ".venv/bin/snakemake")
QUERY = r"%CHROM\t%POS\t%REF\t%ALT\t%FILTER\t%INFO/BCSQ[\t%SAMPLE\t%GT\t%DP\t%GQ\t%AD]\n"
PEER_SH = (
    """#!/bin/bash
# one sample: $1 = VCF, $2 = sample id; env REGION REF GFF OUT
set -euo pipefail
bcftools view -r "$REGION" -Ou "$1" \\
  | bcftools norm -m-any -f "$REF" -Ou 2>"$OUT/$2.log" \\
  | bcftools csq -p a -f "$REF" -g "$GFF" -Ou 2>>"$OUT/$2.log" \\
  | bcftools query -f '%s' > "$OUT/$2.tsv"
"""
    % QUERY
)

# functions whose cumulative time makes a stage (file suffix, function name) -> label
STAGES = [
    (("analyse_batch.py", "main"), "analyse_batch.main (all, after imports)"),
    (("reference.py", "load"), "GeneCache.load"),
    (("load.py", "load_curated_table"), "load_curated_table"),
    (("compile.py", "compile_table"), "curated table compile"),
    (("pipeline.py", "run_batch"), "run_batch"),
    (("pipeline.py", "read_shared"), "  read_shared (VCFs of one header: one norm, one read)"),
    (("vcfio.py", "tabix_lines"), "    tabix_lines (region through the index, per VCF)"),
    (("vcfio.py", "normalise_together"), "    normalise_together (one bcftools norm)"),
    (("vcfio.py", "read_records_by_id"), "    read_records_by_id (cyvcf2, one pass)"),
    (("pipeline.py", "analyse_vcf"), "  analyse_vcf (per VCF)"),
    (("vcfio.py", "inspect_vcf"), "    inspect_vcf (header open)"),
    (("vcfio.py", "normalise_region"), "    normalise_region (bcftools norm via pysam)"),
    (("pipeline.py", "region_fasta_for"), "    region_fasta_for"),
    (("vcfio.py", "read_records"), "    read_records (cyvcf2)"),
    (("pipeline.py", "check_ref_alleles"), "    check_ref_alleles"),
    (("vcfio.py", "file_sha256"), "    file_sha256 (whole input VCF)"),
    (("vcfio.py", "input_fingerprint"), "    input_fingerprint (header, index, region)"),
    (("pipeline.py", "sample_report"), "    sample_report"),
    (("interpret.py", "sample"), "      Interpreter.sample (annotate, classify; cached per batch)"),
    (("calls.py", "sample_records"), "      calls.sample_records"),
    (("assemble.py", "report_dict"), "      assemble.report_dict"),
    (("outputs.py", "write_sample_reports"), "  write_sample_reports"),
    (("report.py", "sample_html"), "    sample_html (jinja2)"),
    (("report.py", "sample_tsv"), "    sample_tsv"),
    (("report.py", "sample_json"), "    sample_json"),
    (("outputs.py", "atomic_write"), "    atomic_write (3 files/sample)"),
    (("report.py", "summary_row"), "  summary_row"),
]


def sh(cmd, **kw) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=kw.pop("cwd", ROOT), capture_output=True, text=True, **kw)
    return time.perf_counter() - t0, p


def check(p: subprocess.CompletedProcess, what: str) -> None:
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-3000:] + p.stderr[-5000:])
        raise SystemExit(f"{what} failed (exit {p.returncode})")


def samples_of(sheet: Path) -> list[tuple[str, str]]:
    with open(sheet) as fh:
        return [(r["sample"], r["vcf"]) for r in csv.DictReader(fh, delimiter="\t")]


def check_reports(outdir: Path, names: list[str]) -> dict:
    missing = [
        s
        for s in names
        if not all(
            (outdir / "samples" / s / f"{s}{ext}").is_file()
            for ext in (".report.json", ".report.html", ".variants.tsv")
        )
    ]
    rows = 0
    verdicts: dict[str, int] = {}
    if (outdir / "summary.tsv").exists():
        with open(outdir / "summary.tsv") as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                rows += 1
                verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    return {
        "samples": len(names),
        "missing_reports": len(missing),
        "missing_examples": missing[:5],
        "summary_rows": rows,
        "verdicts": verdicts,
        "summary_html": (outdir / "summary.html").exists(),
    }


def rule_times(outdir: Path) -> dict:
    out: dict[str, list[float]] = {}
    for f in sorted((outdir / "benchmarks").glob("*.tsv")):
        with open(f) as fh:
            row = next(csv.DictReader(fh, delimiter="\t"))
        rule = re.sub(r"_\d+$", "", f.stem)
        out.setdefault(rule, []).append(float(row["s"]))
    return out


def lpt_makespan(times: list[float], cores: int = 2) -> float:
    loads = [0.0] * cores
    for t in sorted(times, reverse=True):
        loads[loads.index(min(loads))] += t
    return max(loads)


def import_time(repeat: int = 5) -> dict:
    code = (
        "import hshpipe.cli; import pysam, cyvcf2, jinja2; "
        "from hshpipe import pipeline, report, consequence, curation, reference, vcfio, verdict, classify, "
        "coverage, hgvs"
    )
    bare, full = [], []
    for _ in range(repeat):
        bare.append(sh([PY, "-c", "pass"])[0])
        dt, p = sh([PY, "-c", code])
        check(p, "import probe")
        full.append(dt)
    return {
        "python_bare_s": round(min(bare), 3),
        "python_plus_imports_s": round(min(full), 3),
        "imports_only_s": round(min(full) - min(bare), 3),
    }


def sha_time(files: list[str]) -> dict:
    t0 = time.perf_counter()
    nbytes = 0
    for f in files:
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                nbytes += len(chunk)
    dt = time.perf_counter() - t0
    return {
        "files": len(files),
        "GB": round(nbytes / 1e9, 2),
        "s": round(dt, 2),
        "ms_per_file": round(1000 * dt / max(1, len(files)), 1),
    }


def profile_batch(smk_stdout: str, outdir: Path, work: Path) -> dict:
    """Re-run batch 0 exactly as the rule did (its `Shell command:` from snakemake -p), outputs redirected."""
    cmds = [
        l.split("Shell command: ", 1)[1]
        for l in smk_stdout.splitlines()
        if "Shell command: " in l and "analyse_batch.py" in l
    ]
    cmd = next((c for c in cmds if re.search(r"--batch 0+ ", c)), None)
    if cmd is None:
        return {"error": "no analyse_batch shell command in the snakemake -p output"}
    argv = shlex.split(cmd)
    prof_out = work / "profile_out"
    shutil.rmtree(prof_out, ignore_errors=True)
    for flag, val in (
        ("--outdir", str(prof_out)),
        ("--out", str(prof_out / "batch_0000.jsonl")),
        ("--log", str(prof_out / "batch.log")),
    ):
        argv[argv.index(flag) + 1] = val
    # the rule's command starts with `PYTHONPATH=<checkout>/scripts... python`: an environment, not a program
    env = dict(os.environ)
    while "=" in argv[0] and not argv[0].startswith("/"):
        k, v = argv.pop(0).split("=", 1)
        env[k] = v.replace("${PYTHONPATH:+:$PYTHONPATH}", "")
    script_i = next(i for i, a in enumerate(argv) if a.endswith("analyse_batch.py"))
    pfile = work / "batch0.prof"
    dt_plain, p = sh(argv, env=env)
    check(p, "analyse_batch (plain re-run)")
    shutil.rmtree(prof_out, ignore_errors=True)
    prof_argv = argv[:script_i] + ["-m", "cProfile", "-o", str(pfile)] + argv[script_i:]
    dt_prof, p = sh(prof_argv, env=env)
    check(p, "analyse_batch under cProfile")
    n = sum(1 for _ in (prof_out / "samples").iterdir())
    st = pstats.Stats(str(pfile))
    stages = []
    for (suffix, fn), label in STAGES:
        ct = nc = 0.0
        for (f, _line, name), (_cc, ncalls, _tt, cum, _callers) in st.stats.items():
            if name == fn and f.endswith(suffix):
                ct += cum
                nc += ncalls
        stages.append(
            {"stage": label, "calls": int(nc), "cum_s": round(ct, 3), "ms_per_sample": round(1000 * ct / max(n, 1), 2)}
        )
    with open(work / "profile.txt", "w") as fh:
        st2 = pstats.Stats(str(pfile), stream=fh)
        st2.sort_stats("cumulative").print_stats(60)
        st2.sort_stats("tottime").print_stats(40)
    return {
        "command": shlex.join(argv),
        "samples": n,
        "plain_wall_s": round(dt_plain, 2),
        "cprofile_wall_s": round(dt_prof, 2),
        "stages": stages,
        "profile_txt": str(work / "profile.txt"),
    }


def run_peer(names_vcfs: list[tuple[str, str]], work: Path) -> tuple[float, int]:
    out = work / "peer"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    script = work / "peer.sh"
    script.write_text(PEER_SH)
    script.chmod(0o755)
    lst = work / "peer.list"
    lst.write_text("".join(f"{v} {s}\n" for s, v in names_vcfs))
    env = dict(
        os.environ, REGION=make_data.region(), REF=str(make_data.REF), GFF=str(make_data.make_gff3()), OUT=str(out)
    )
    t0 = time.perf_counter()
    p = subprocess.run(f"xargs -P2 -L1 {script} < {lst}", shell=True, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    check(p, "peer")
    done = sum(1 for s, _ in names_vcfs if (out / f"{s}.tsv").exists())
    return dt, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile / import / sha256 probes")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--batch-size", type=int, default=None, help="pass batch_size to the pipeline config")
    a = ap.parse_args()

    t0 = time.perf_counter()
    sheet = make_data.make_wgs(a.n)
    names_vcfs = samples_of(sheet)
    gen_s = time.perf_counter() - t0
    work = make_data.OUT / "scale" / str(a.n)
    outdir = work / "pipeline"
    shutil.rmtree(outdir, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    # warm the page cache for both contenders alike (the files were written just now anyway)
    warm_s, _ = sh(["sh", "-c", f"cat {make_data.OUT}/wgs/vcf/* > /dev/null"])

    cfg = [f"samples={sheet}", f"outdir={outdir}"] + ([f"batch_size={a.batch_size}"] if a.batch_size else [])
    dry_s, p = sh([SNAKEMAKE, "-n", "--cores", "2", "--config", *cfg])
    check(p, "snakemake dry run")
    shutil.rmtree(outdir, ignore_errors=True)
    pipe_s, p = sh([SNAKEMAKE, "--cores", "2", "-p", "--config", *cfg])
    (work / "snakemake.stdout").write_text(p.stdout + p.stderr)
    check(p, "snakemake")
    reports = check_reports(outdir, [s for s, _ in names_vcfs])
    rt = rule_times(outdir)
    batches = rt.get("analyse_batch", [])
    crit = sum(rt.get("gene_cache", [0])) + lpt_makespan(batches) + sum(rt.get("summary", [0]))
    res = {
        "n": a.n,
        "data_prep_s": round(gen_s, 1),
        "page_cache_warm_s": round(warm_s, 1),
        "pipeline_wall_s": round(pipe_s, 2),
        "snakemake_dry_run_s": round(dry_s, 2),
        "rule_seconds": {k: [round(x, 2) for x in v] for k, v in rt.items()},
        "analyse_batch_sum_s": round(sum(batches), 2),
        "analyse_per_sample_ms": round(1000 * sum(batches) / a.n, 1),
        "critical_path_s (gene_cache + 2-core makespan of batches + summary)": round(crit, 2),
        "snakemake_overhead_s (wall - critical path)": round(pipe_s - crit, 2),
        "reports": reports,
    }
    if not a.no_peer:
        peer_s, done = run_peer(names_vcfs, work)
        res.update(
            {
                "peer_wall_s": round(peer_s, 2),
                "peer_outputs": done,
                "peer_per_sample_ms (wall*2/N)": round(2000 * peer_s / a.n, 1),
                "ratio_pipeline_over_peer": round(pipe_s / peer_s, 3),
            }
        )
    if not a.no_profile:
        res["imports"] = import_time()
        res["sha256_inputs"] = sha_time([v for _, v in names_vcfs])
        res["profile_batch0"] = profile_batch(p.stdout + p.stderr, outdir, work)
    (work / "result.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    ok = reports["missing_reports"] == 0 and reports["summary_rows"] == a.n
    print(
        f"\nN={a.n}: pipeline {pipe_s:.1f}s"
        + (
            f", peer {res['peer_wall_s']:.1f}s, ratio {res['ratio_pipeline_over_peer']:.2f} (target <= 1.0)"
            if "peer_wall_s" in res
            else ""
        )
        + f"; reports {'all written' if ok else 'MISSING'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
