"""Cohort benchmark: one 2,504-sample joint VCF over TRPM6 (+ chr9 flanks) through the pipeline.

  .venv/bin/python benchmarks/bench_cohort.py [--samples 2504] [--no-profile]

Generates the joint VCF if missing (benchmarks/make_data.py cohort), runs `snakemake --cores 2` into a fresh
outdir, prints the wall time and time per sample, checks that every sample has its report (json, html, tsv)
and a summary row, and that each planted null variant is reported as qualifying with its zygosity. It also
times one bcftools view | norm | csq | query over the whole joint VCF (all samples at once), and profiles
batch 0 with cProfile (same command line as the rule). Results: /tmp/hshbench/cohort/run/result.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
import bench_scale as bs  # noqa: E402
import make_data  # noqa: E402

ZYG = {"0/1": "heterozygous", "1/1": "homozygous"}


def check_planted(outdir: Path) -> dict:
    """Each planted null variant (make_data.PLANTED) must be reported at its position as a qualifying
    (likely_)pathogenic call with the planted zygosity. Verdicts are also shown, but the synthetic cohort's
    random variants include further null alleles, so a verdict can be stronger than the planted calls alone."""
    info = json.loads((make_data.OUT / "cohort" / "planted.json").read_text())
    out = {}
    for name, plants in info["carriers"].items():
        rep = json.loads((outdir / "samples" / name / f"{name}.report.json").read_text())
        calls = []
        for kind, gt in plants:
            pos = info["variants"][kind][0]
            v = next((v for v in rep["variants"] if v["pos"] == pos), None)
            ok = bool(v and v["qualifying"] and v["zygosity"] == ZYG[gt])
            calls.append(
                {
                    "kind": kind,
                    "pos": pos,
                    "gt": gt,
                    "ok": ok,
                    "got": v and [v["hgvs_c"], v["zygosity"], v["classification"], v["qualifying"]],
                }
            )
        out[name] = {"verdict": rep["verdict"], "ok": all(c["ok"] for c in calls), "calls": calls}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=make_data.COHORT_N)
    ap.add_argument("--no-profile", action="store_true")
    a = ap.parse_args()
    sheet = make_data.make_cohort(a.samples)
    names = make_data.cohort_names(a.samples)
    vcf = make_data.OUT / "cohort" / f"joint{a.samples}.vcf.gz"
    work = make_data.OUT / "cohort" / "run"
    outdir = work / "pipeline"
    shutil.rmtree(outdir, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    cfg = [f"samples={sheet}", f"outdir={outdir}"]
    dry_s, p = bs.sh([bs.SNAKEMAKE, "-n", "--cores", "2", "--config", *cfg])
    bs.check(p, "snakemake dry run")
    shutil.rmtree(outdir, ignore_errors=True)
    wall, p = bs.sh([bs.SNAKEMAKE, "--cores", "2", "-p", "--config", *cfg])
    (work / "snakemake.stdout").write_text(p.stdout + p.stderr)
    bs.check(p, "snakemake")
    reports = bs.check_reports(outdir, names)
    planted = check_planted(outdir)
    rt = bs.rule_times(outdir)
    batches = rt.get("analyse_batch", [])
    # one bcftools pass over the whole cohort, all samples at once (a reference point, not a per-sample peer)
    gff = make_data.make_gff3()
    peer_cmd = (
        f"bcftools view -r {make_data.region()} -Ou {vcf} | bcftools norm -m-any -f {make_data.REF} -Ou "
        f"2>/dev/null | bcftools csq -p a -f {make_data.REF} -g {gff} -Ou 2>/dev/null | "
        f"bcftools query -f '{bs.QUERY}' > {work}/bcftools_all.tsv"
    )
    t0 = time.perf_counter()
    q = subprocess.run(["bash", "-o", "pipefail", "-c", peer_cmd], capture_output=True, text=True)
    peer_s = time.perf_counter() - t0
    res = {
        "samples": a.samples,
        "vcf_MB": round(vcf.stat().st_size / 1e6, 1),
        "pipeline_wall_s": round(wall, 2),
        "per_sample_ms (wall/N)": round(1000 * wall / a.samples, 2),
        "snakemake_dry_run_s": round(dry_s, 2),
        "rule_seconds": {k: [round(x, 2) for x in v] for k, v in rt.items()},
        "analyse_batch_sum_s": round(sum(batches), 2),
        "analyse_per_sample_ms (sum of batch runtimes / N)": round(1000 * sum(batches) / a.samples, 2),
        "critical_path_s": round(
            sum(rt.get("gene_cache", [0])) + bs.lpt_makespan(batches) + sum(rt.get("summary", [0])), 2
        ),
        "reports": reports,
        "planted_carriers": planted,
        "bcftools_one_pass_all_samples_s": round(peer_s, 2) if q.returncode == 0 else f"failed: {q.stderr[-300:]}",
    }
    if not a.no_profile:
        res["profile_batch0"] = bs.profile_batch(p.stdout + p.stderr, outdir, work)
    (work / "result.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    ok = (
        reports["missing_reports"] == 0
        and reports["summary_rows"] == a.samples
        and all(v["ok"] for v in planted.values())
    )
    print(
        f"\ncohort N={a.samples}: pipeline {wall:.1f}s ({1000 * wall / a.samples:.1f} ms/sample); reports "
        f"{'all written' if reports['missing_reports'] == 0 else 'MISSING'}; planted carriers "
        f"{sum(v['ok'] for v in planted.values())}/{len(planted)} reported as expected"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
