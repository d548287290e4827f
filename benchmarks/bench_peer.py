"""Issue 14: the pipeline vs the bcftools peer given the same 2 cores, every scenario in one run, ratios printed.

  .venv/bin/python benchmarks/bench_peer.py                       # all scenarios (~25 min, ~25 GB under /tmp)
  .venv/bin/python benchmarks/bench_peer.py --only chr9 wgs       # a subset
  .venv/bin/python benchmarks/bench_peer.py --reps 1 --real-n 40

Scenarios (data under $HSHBENCH_DIR, default /tmp/hshbench; generated once):
  chr9    1,000 single-sample VCFs, 300,000 chr9 records each (index of chr9 only), real separate copies
  wgs     1,000 single-sample VCFs, 300,000 records over chr1..Y (index over the whole genome), real copies
  10k     10,000 single-sample VCFs, 30,000 chr9 records each (0.7 MB; 10,000 x 7 MB would not fit the disk)
  real300 1,000 VCFs of 300 MB, real3g 1,000 "gVCFs" of 3 GB (--real-n): sparse files (header block + 4 real
          filler blocks + a hole + the 30,000 chr9 records of one of 8 chr9 templates), with the tabix index of
          the full file (built once per template from a real file of the same layout, then deleted), so only
          what an indexed reader touches is real
For each scenario, `reps` times, interleaved: the pipeline (`snakemake --cores 2`, a new outdir, warm gene cache in
`cache_dir`), then the peer as two shell loops side by side (samples i % 2), each per sample `bcftools view -r |
norm -m-any -f | csq -p a | query`. Ratio = best pipeline wall / best peer wall. Every report (json, html, tsv) and
every summary row is checked. Before the first run of a scenario, what both read of every VCF (header, index, the
region's blocks) is read once untimed (`bcftools view -r`). Every run writes into a folder no run has used
($HSHBENCH_DIR/peer/runs; nothing is deleted while anything is timed: see RUNS), so ~300 MB per 1,000-sample
pipeline run stays on disk until the next invocation deletes it (then waits 65 s; --no-settle skips the wait). Also:
the summary HTML's load time in headless Chromium (10k), Snakemake's own start (`snakemake --version`, timed before
each pipeline run; the ratio without it is printed beside the ratio, as is the ratio of the medians), each
contender's CPU (user + system of its process tree) and the core-seconds its 2 cores stood idle, the whole-file
sha256 option on chr9 and the real sizes (pipeline wall with input_identity=sha256), 10k without any whole-file hash
(input_identity=fingerprint), peak memory of one 200-sample batch job (2,504-sample joint VCF; 200 WGS files), and a
cProfile of one batch per stage (benchmarks/bench_scale.py profile_batch). Results: $HSHBENCH_DIR/peer/result.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_scale as bs  # noqa: E402
import make_data as md  # noqa: E402

WORK = md.OUT / "peer"
CACHE = WORK / "cache"  # the gene cache kept across runs (config cache_dir)
# Every timed run, of either contender, writes into a folder never used before, under RUNS; nothing is deleted
# while anything is timed. This machine's root is ext4 without a journal, where creating a file skips every inode
# freed in the last 60 s (ext4 `recently_deleted`; up to 360 s while the freed inode's table block is dirty): a run
# right after deleting the previous run's outputs spent ~0.5-1 s more of kernel CPU (perf: `recently_deleted`
# and `find_get_block_common` ~10 % of a batch job), more for whoever creates more files (the pipeline: a folder
# and three reports per sample; the peer: two files). Journaled ext4, XFS and cluster file systems have no such
# check. The runs of the previous invocation are deleted at the start, followed by SETTLE_S of quiet. Each timed run
# starts after `sync`: a pipeline run leaves ~300 MB of reports to write back (the peer ~1 MB), which the kernel
# would otherwise do ~30 s later, inside whichever run comes next.
RUNS = WORK / "runs"
SETTLE_S = 65
_RUN_IDS: dict[str, int] = {}


def new_dir(label: str) -> Path:
    """A folder under RUNS that no run has used: `label.N`."""
    n = _RUN_IDS[label] = _RUN_IDS.get(label, 0) + 1
    return RUNS / f"{label}.{n}"


def clear_runs(settle: bool) -> None:
    """Delete the previous invocation's runs (RUNS, and the output folders that earlier versions of this script
    kept elsewhere under WORK); then, if anything was deleted, flush and wait SETTLE_S so that no timed run creates
    files among recently freed inodes."""
    old = [d for d in (RUNS, *(WORK / s for s in ("warm", "mem_cohort", "mem_wgs"))) if d.exists()]
    old += [d for name in ("chr9", "wgs", "10k", "real300", "real3g") for d in (WORK / name).glob("*") if d.is_dir()]
    for d in old:
        shutil.rmtree(d, ignore_errors=True)
    if old and settle:
        print(f"deleted {len(old)} folders of earlier runs; waiting {SETTLE_S} s (see RUNS)", flush=True)
        os.sync()
        time.sleep(SETTLE_S)


LOOP_SH = """#!/bin/bash
# one loop of the peer: the samples of list $1, one after the other
set -euo pipefail
while read -r vcf name; do "$PEER" "$vcf" "$name"; done < "$1"
"""
MEM_PY = (
    "import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)"
)


# --- data ------------------------------------------------------------------------------------------------------


def filler_block(b: int, n_blocks: int) -> bytes:
    """Stored BGZF block b of the filler: one record line repeated (chr1..chr8, positions rising by block)."""
    per = -(-n_blocks // 8)
    contig, pos = f"chr{1 + b // per}", 1 + (b % per) * 1000
    line = f"{contig}\t{pos}\t.\tA\tG\t50\tPASS\tDP=20\tGT:AD:DP:GQ:PL\t0/1:10,10:20:99:300,0,300\n"
    return md._bgzf_stored_block(line.encode() * (64_000 // len(line)))


def make_real(label: str, size: int, n: int, templates: int = 8, n_records: int = 30_000) -> Path:
    """n sparse files of `size` bytes (apparent) with a valid tabix index; returns the sheet. File i carries the
    chr9 records of template i % templates (as the chr9/wgs scenarios), after the filler of its full layout."""
    d = WORK / "data" / label
    sheet = d / f"samples.{n}.tsv"
    if sheet.exists():
        return sheet
    prefix = label[:3].upper()
    head = md._bgzf_stored_block(md._header([f"{prefix}00000"]).encode())
    d.mkdir(parents=True, exist_ok=True)
    layouts = []  # per template: (body, offset of the body, its index)
    for k in range(templates):
        body, _tbi = md.wgs_template(k, n_records, 48, "chr9")
        n_blocks = max(4, (size - len(head) - body.stat().st_size) // len(filler_block(0, 1)))
        full = d / f"full{k}.vcf.gz"
        with open(full, "wb") as fh:  # the real file of the same layout, once per template: tabix indexes it
            fh.write(head)
            for b in range(n_blocks):
                fh.write(filler_block(b, n_blocks))
            body_at = fh.tell()
            with open(body, "rb") as src:
                shutil.copyfileobj(src, fh, 4 << 20)
        t0 = time.perf_counter()
        subprocess.run(["tabix", "-f", "-p", "vcf", str(full)], check=True)
        print(
            f"{label}: tabix of the {full.stat().st_size / 1e9:.2f} GB file {time.perf_counter() - t0:.1f}s",
            file=sys.stderr,
        )
        tbi = d / f"t{k}.tbi"
        Path(str(full) + ".tbi").rename(tbi)
        full.unlink()
        layouts.append((body, body_at, n_blocks, tbi))
    lines = ["sample\tvcf\n"]
    for i in range(1, n + 1):
        name = f"{prefix}{i:05d}"
        vcf = d / f"{name}.vcf.gz"
        body, body_at, n_blocks, tbi = layouts[i % templates]
        with open(vcf, "wb") as fh:
            fh.write(md._bgzf_stored_block(md._header([name]).encode()))
            for b in range(4):  # the first records are read with the header (vcfio._text_header)
                fh.write(filler_block(b, n_blocks))
            fh.seek(body_at)  # a hole: never read by an indexed reader
            with open(body, "rb") as src:
                shutil.copyfileobj(src, fh, 4 << 20)
        shutil.copyfile(tbi, str(vcf) + ".tbi")
        lines.append(f"{name}\t{vcf}\n")
    sheet.write_text("".join(lines))
    return sheet


def scenario_sheet(name: str, real_n: int) -> Path:
    if name == "chr9":
        return md.make_wgs(1000, kind="chr9")
    if name == "wgs":
        return md.make_wgs(1000, kind="wgs")
    if name == "10k":
        return md.make_wgs(10_000, kind="chr9", n_records=30_000)
    if name == "real300":
        return make_real("real300", 300_000_000, real_n)
    if name == "real3g":
        return make_real("real3g", 3_000_000_000, real_n)
    raise SystemExit(f"unknown scenario {name}")


# --- contenders ------------------------------------------------------------------------------------------------


def run_pipeline(sheet: Path, label: str, extra: list[str] | None = None) -> tuple[float, str, Path]:
    """(wall, Snakemake's output, outdir): one run into a new folder (new_dir)."""
    outdir = new_dir(label)
    cfg = [f"samples={sheet}", f"outdir={outdir}", f"cache_dir={CACHE}", *(extra or [])]
    os.sync()  # the previous run's outputs written back first: neither contender pays for the other's writeback
    dt, p = bs.sh([bs.SNAKEMAKE, "--cores", "2", "-p", "--config", *cfg])
    bs.check(p, "snakemake")
    return dt, p.stdout + p.stderr, outdir


def children_cpu_s() -> float:
    """User + system CPU of every waited-for child process so far (and of their waited-for children: Snakemake's
    jobs, the peer's bcftools)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def snakemake_start_s() -> float:
    """Snakemake's own start: `snakemake --version` (its imports and command line, no workflow), the fixed part of
    every run that no workflow can change. An upper bound: it measured 1.06-1.27 s where a run reached its first
    batch job's `main` in 1.15-1.20 s including that job's ~0.2 s of imports, so the ratio of the rest flatters
    the workflow a little."""
    dt, p = bs.sh([bs.SNAKEMAKE, "--version"])
    bs.check(p, "snakemake --version")
    return dt


def run_peer(names_vcfs: list[tuple[str, str]], work: Path) -> float:
    """Two shell loops side by side (the same 2 cores the pipeline gets), samples i % 2."""
    out = new_dir(f"{work.name}.peer")
    out.mkdir(parents=True)
    peer, loop = work / "peer.sh", work / "loop.sh"
    peer.write_text(bs.PEER_SH)
    loop.write_text(LOOP_SH)
    for f in (peer, loop):
        f.chmod(0o755)
    for k in range(2):
        (work / f"peer.{k}.list").write_text("".join(f"{v} {s}\n" for s, v in names_vcfs[k::2]))
    env = dict(
        os.environ,
        REGION=md.region(),
        REF=str(md.REF),
        GFF=str(md.make_gff3()),
        OUT=str(out),
        PEER=str(peer),
    )
    os.sync()  # as run_pipeline
    t0 = time.perf_counter()
    procs = [subprocess.Popen([str(loop), str(work / f"peer.{k}.list")], env=env) for k in range(2)]
    codes = [p.wait() for p in procs]
    dt = time.perf_counter() - t0
    if any(codes):
        raise SystemExit(f"peer failed: {codes}")
    done = sum(1 for s, _ in names_vcfs if (out / f"{s}.tsv").exists())
    if done != len(names_vcfs):
        raise SystemExit(f"peer wrote {done} of {len(names_vcfs)} outputs")
    return dt


def summary_open_s(html: Path) -> dict:
    """Headless Chromium: load time of the summary (DOM dumped after load), minus an empty page's."""

    def once(url: str) -> float:
        t0 = time.perf_counter()
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - t0

    empty = html.parent / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body></body></html>")
    base = min(once(empty.as_uri()) for _ in range(3))
    page = min(once(html.as_uri()) for _ in range(3))
    return {
        "bytes": html.stat().st_size,
        "chromium_s": round(page, 2),
        "empty_page_s": round(base, 2),
        "page_load_s": round(page - base, 2),
    }


def warm_region_reads(names_vcfs: list[tuple[str, str]]) -> None:
    """Read what both contenders read of every VCF (its header, its index and the region's blocks: `bcftools view
    -r`), untimed, so that the first timed run does not read them from disk for the runs after it."""
    files = "".join(f"{v}\n" for _, v in names_vcfs)
    p = subprocess.run(
        ["xargs", "-P2", "-I{}", "bcftools", "view", "-H", "-r", md.region(), "-o", "/dev/null", "{}"],
        input=files,
        capture_output=True,
        text=True,
    )
    bs.check(p, "bcftools view -r (warming the page cache)")


def scenario(name: str, reps: int, real_n: int, profile: bool) -> dict:
    sheet = scenario_sheet(name, real_n)
    names_vcfs = bs.samples_of(sheet)
    work = WORK / name
    work.mkdir(parents=True, exist_ok=True)
    warm_region_reads(names_vcfs)
    pipe, peer, start, stdout = [], [], [], ""
    pipe_cpu, peer_cpu = [], []
    for _ in range(reps):  # interleaved: the machine's noise hits both alike
        start.append(snakemake_start_s())
        c0 = children_cpu_s()
        dt, stdout, outdir = run_pipeline(sheet, f"{name}.pipeline")
        pipe.append(dt)
        c1 = children_cpu_s()
        peer.append(run_peer(names_vcfs, work))
        pipe_cpu.append(c1 - c0)
        peer_cpu.append(children_cpu_s() - c1)
    res = {
        "samples": len(names_vcfs),
        "pipeline_wall_s": [round(x, 2) for x in pipe],
        "peer_wall_s": [round(x, 2) for x in peer],
        "ratio": round(min(pipe) / min(peer), 3),
        # the same from the medians: on a noisy machine the two tell how far one ratio can be trusted
        "ratio_median": round(statistics.median(pipe) / statistics.median(peer), 3),
        # the part of the pipeline's wall that is Snakemake's own start (snakemake --version), and the ratio of the
        # rest: what the workflow itself costs against the peer (informative; the target is on `ratio`)
        "snakemake_start_s": round(min(start), 2),
        "ratio_after_snakemake_start": round((min(pipe) - min(start)) / min(peer), 3),
        # CPU (user + system) of each contender's processes, and the core-seconds its 2 cores stood idle (2 x wall
        # - CPU): less noisy than the walls, and it tells work from waiting (informative; the target is on `ratio`)
        "pipeline_cpu_s": [round(x, 2) for x in pipe_cpu],
        "peer_cpu_s": [round(x, 2) for x in peer_cpu],
        "cpu_ratio_median": round(statistics.median(pipe_cpu) / statistics.median(peer_cpu), 3),
        "pipeline_idle_core_s_median": round(statistics.median(2 * w - c for w, c in zip(pipe, pipe_cpu)), 2),
        "peer_idle_core_s_median": round(statistics.median(2 * w - c for w, c in zip(peer, peer_cpu)), 2),
        "reports": bs.check_reports(outdir, [s for s, _ in names_vcfs]),
        "rule_seconds": {k: [round(x, 2) for x in v] for k, v in bs.rule_times(outdir).items()},
    }
    res["rule_seconds"]["analyse_batch"] = f"{len(res['rule_seconds'].get('analyse_batch', []))} batches, sum " + str(
        round(sum(bs.rule_times(outdir).get("analyse_batch", [])), 1)
    )
    if name.startswith("real"):  # the whole-file option on the first 40 files (all 1,000: 0.3 / 3 TB read)
        sub = work / "sha256.40.tsv"
        sub.write_text("sample\tvcf\n" + "".join(f"{s}\t{v}\n" for s, v in names_vcfs[:40]))
        dt_fp, _, _ = run_pipeline(sub, f"{name}.sub40")
        dt_sha, _, _ = run_pipeline(sub, f"{name}.sub40", ["input_identity=sha256"])
        res["first_40_wall_s"] = {"default (fingerprint at this size)": round(dt_fp, 2), "sha256": round(dt_sha, 2)}
        res["apparent_GB_per_file"] = round(Path(names_vcfs[0][1]).stat().st_size / 1e9, 2)
    if name == "10k":  # 0.7 MB files are hashed whole by default (input_identity auto); without any whole-file hash:
        dt, _, _ = run_pipeline(sheet, f"{name}.pipeline", ["input_identity=fingerprint"])
        res["pipeline_wall_s_fingerprint_only"] = round(dt, 2)
        res["ratio_fingerprint_only"] = round(dt / min(peer), 3)
    if name == "chr9":  # 7 MB files are identified by fingerprint by default; the whole-file option's cost:
        dt, _, _ = run_pipeline(sheet, f"{name}.pipeline", ["input_identity=sha256"])
        res["pipeline_wall_s_sha256"] = round(dt, 2)
        res["ratio_sha256"] = round(dt / min(peer), 3)
    if name == "10k":
        res["summary_html"] = summary_open_s(outdir / "summary.html")
    if profile:
        res["profile_batch0"] = bs.profile_batch(stdout, outdir, work)
    return res


def batch_memory(sheet: Path, work: Path, n: int = 200) -> dict:
    """Peak RSS of one analyse_batch job of `n` samples (the rule's own command line, batch size n)."""
    names = bs.samples_of(sheet)[:n]
    work.mkdir(parents=True, exist_ok=True)
    sub = work / f"mem.{n}.tsv"
    sub.write_text("sample\tvcf\n" + "".join(f"{s}\t{v}\n" for s, v in names))
    _, stdout, _ = run_pipeline(sub, f"{work.name}.run")
    cmd = next(l.split("Shell command: ", 1)[1] for l in stdout.splitlines() if "analyse_batch.py" in l)
    argv = shlex.split(cmd)
    argv[argv.index("--batch") + 1] = "0"
    argv[argv.index("--batch-size") + 1] = str(n)
    out = new_dir(f"{work.name}.batch")
    for flag, val in (("--outdir", out), ("--out", out / "b.jsonl"), ("--log", out / "b.log")):
        argv[argv.index(flag) + 1] = str(val)
    script_i = next(i for i, a in enumerate(argv) if a.endswith("analyse_batch.py"))
    env = dict(os.environ, **dict(a.split("=", 1) for a in argv[: script_i - 1] if "=" in a))
    t0 = time.perf_counter()
    p = subprocess.run([bs.PY, "-c", MEM_PY, *argv[script_i - 1 :]], capture_output=True, text=True, env=env)
    bs.check(p, "batch job (memory)")
    return {
        "samples": n,
        "peak_rss_MB": round(int(p.stdout.split()[-1]) / 1024, 1),
        "wall_s": round(time.perf_counter() - t0, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", default=["chr9", "wgs", "10k", "real300", "real3g", "memory"])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--real-n", type=int, default=1000)
    ap.add_argument("--profile", action="store_true", help="cProfile of batch 0 of the chr9 and wgs scenarios")
    ap.add_argument("--no-settle", action="store_true", help=f"do not wait {SETTLE_S} s after deleting earlier runs")
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    out_file = WORK / "result.json"
    results = json.loads(out_file.read_text()) if out_file.exists() else {}
    t0 = time.perf_counter()
    clear_runs(settle=not a.no_settle)
    _, _, warm = run_pipeline(md.make_wgs(8, kind="chr9"), "warm")  # fills the gene cache (a first run's cost)
    results["first_run_gene_cache_s"] = bs.rule_times(warm).get("gene_cache", ["cached already"])
    for name in [s for s in a.only if s != "memory"]:
        results[name] = scenario(name, a.reps, a.real_n, a.profile and name in ("chr9", "wgs"))
        out_file.write_text(json.dumps(results, indent=1))
        r = results[name]
        print(
            f"{name}: pipeline {min(r['pipeline_wall_s'])}s, peer {min(r['peer_wall_s'])}s, ratio {r['ratio']}, "
            f"reports missing {r['reports']['missing_reports']}",
            flush=True,
        )
    if "memory" in a.only:
        results["memory"] = {
            "cohort 200 of 2504 (joint VCF)": batch_memory(md.make_cohort(), WORK / "mem_cohort"),
            "200 WGS files": batch_memory(md.make_wgs(1000, kind="wgs"), WORK / "mem_wgs"),
        }
    results["total_s"] = round(time.perf_counter() - t0, 1)
    out_file.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))
    print("\nratios (pipeline / peer, same 2 cores, target <= 1.0):")
    for name in ("chr9", "wgs", "10k", "real300", "real3g"):
        if name in results and isinstance(results[name], dict) and "ratio" in results[name]:
            r = results[name]
            extra = "".join(
                f", {label} {r[key]:.2f}"
                for key, label in (("ratio_sha256", "input_identity sha256"), ("ratio_fingerprint_only", "fingerprint"))
                if key in r
            )
            if "ratio_median" in r:
                extra += f"; medians {r['ratio_median']:.2f}"
            if "cpu_ratio_median" in r:
                extra += (
                    f"; CPU {r['cpu_ratio_median']:.2f} (medians), idle core-s {r['pipeline_idle_core_s_median']:.1f} "
                    f"vs {r['peer_idle_core_s_median']:.1f}"
                )
            if "snakemake_start_s" in r:
                extra += (
                    f"; Snakemake's own start {r['snakemake_start_s']:.2f} s, the rest "
                    f"{r['ratio_after_snakemake_start']:.2f}"
                )
            print(f"  {name:8s} {r['ratio']:.2f}  (n={r['samples']}{extra})")


if __name__ == "__main__":
    main()
