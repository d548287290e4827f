"""cProfile of one analyse_batch job (batch 0 of a sheet), stage by stage in ms per sample.

  .venv/bin/python benchmarks/profile_batch.py /tmp/hshbench/chr9/samples.1000.tsv   # batch 0 = 63 samples

The batch's command line is the rule's own (`snakemake -n -p`), run once plain and once under cProfile with its
outputs redirected under $HSHBENCH_DIR/profile/. The gene cache and the checked curated table are made first if the cache dir lacks them.
Stage names: bench_scale.STAGES; full listing: $HSHBENCH_DIR/profile/profile.txt.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_scale as bs  # noqa: E402
import make_data as md  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sheet", type=Path)
    ap.add_argument("--work", type=Path, default=md.OUT / "profile")
    ap.add_argument("--cache-dir", type=Path, default=md.OUT / "profile" / "cache")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    cfg = [f"samples={a.sheet}", f"outdir={a.work / 'out'}", f"cache_dir={a.cache_dir}"]
    _, p = bs.sh([bs.SNAKEMAKE, "--cores", "1", "--until", "gene_cache", "curated_table", "--config", *cfg])
    bs.check(p, "snakemake --until gene_cache curated_table")
    _, p = bs.sh([bs.SNAKEMAKE, "-n", "-p", "--cores", "1", "--config", *cfg])
    bs.check(p, "snakemake -n -p")
    res = bs.profile_batch(p.stdout + p.stderr, a.work / "out", a.work)
    print(f"{res['samples']} samples: plain {res['plain_wall_s']} s, under cProfile {res['cprofile_wall_s']} s")
    for s in res["stages"]:
        print(f"  {s['stage']:55s} {s['calls']:7d} calls {s['ms_per_sample']:8.2f} ms/sample")
    (a.work / "profile.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
