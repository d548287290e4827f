"""Helpers: the sample sheet, batching and paths (parse time, no heavy imports)."""
import compileall
import gc
import os
import re
import shlex
import sys
from pathlib import Path

from snakemake.settings.types import DeploymentMethod

import hshpipe
from hshpipe.curation import checked_table_key
from hshpipe.errors import InputError
from hshpipe.pedigree import load_pedigree
from hshpipe.reference import default_cache_dir, reference_key
from hshpipe.samplesheet import batch_size_for, make_batches, read_sample_sheet
from hshpipe.settings import settings_json

# Snakemake's own process: what it has loaded by now (its ~1,100 modules, this package) lives until the run ends,
# so it is moved out of the cyclic garbage collector's reach; the collections of the parse, the DAG and the
# scheduling then walk only what they make (gen-2 passes over the whole heap: ~60 ms per run at 1,000 samples).
# This assumes one run per process, as with the `snakemake` command and cluster jobs (snakemake_exit.py).
gc.freeze()

SCRIPTS = str(WORKFLOW_ROOT / "scripts")  # WORKFLOW_ROOT (this workflow's checkout): workflow/Snakefile

# Every job imports the package anew (16 batch jobs per run and more): from bytecode, not from source. An editable
# install writes no bytecode and with PYTHONDONTWRITEBYTECODE set Python never does, so each job would compile
# the package again (~0.1 s). Up-to-date files are only checked (a few ms); a read-only checkout is left as it is.
compileall.compile_dir(Path(SCRIPTS, "hshpipe"), quiet=2)

# The package snakemake imports here (its environment's hshpipe) must be this workflow's version: a deployed run
# directory pins the workflow at a release tag, and an older or newer package would silently decide differently.
_OWN_VERSION = re.search(r'__version__ = "([^"]+)"', Path(SCRIPTS, "hshpipe", "__init__.py").read_text()).group(1)
if hshpipe.__version__ != _OWN_VERSION:
    print(
        f"ERROR: this workflow ({WORKFLOW_ROOT}) is version {_OWN_VERSION}, but snakemake's environment has hshpipe "
        f"{hshpipe.__version__} ({Path(hshpipe.__file__).parent}); install the workflow's own: "
        f"pip install -e {WORKFLOW_ROOT}",
        file=sys.stderr,
    )
    sys.exit(1)

# The rules' interpreter: snakemake's own (its environment has the package's dependencies), or the conda
# environment's `python` when jobs run with --software-deployment-method conda (workflow/envs/pipeline.yaml).
# Jobs import the package from this workflow's checkout first (PYTHONPATH), so that the transcript models,
# schemas and templates it reads beside itself are this workflow's, also when it runs as a deployed module.
# Every job is single-threaded: numpy's OpenBLAS would otherwise start a thread per core at import, whose start-up
# spin costs ~60 ms of CPU per job on 2 cores (more on a cluster node, beyond the job's one CPU).
PYTHON = "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONPATH={}${{PYTHONPATH:+:$PYTHONPATH}} {}".format(
    shlex.quote(SCRIPTS),
    "python" if DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method else sys.executable,
)
OUTDIR = str(Path(config.get("outdir", "results")))  # normalised: no trailing slash


def _fail(msg):
    print(f"ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


# the bundled files (curated table, the demo's evidence files) are found also when snakemake runs outside the
# checkout (-s .../Snakefile, --directory, a deployed module): a relative path missing from the working directory
# is read from the workflow's own checkout (WORKFLOW_ROOT, never workflow.basedir: a module's deploying folder)
config.setdefault("curated_table", "resources/curated/hsh_variants.tsv")
EVIDENCE_KEYS = ("population_vcf", "spliceai_vcf", "missense_scores")
for _key in ("curated_table", *EVIDENCE_KEYS):
    _p = config.get(_key) or ""
    if _p and not Path(_p).is_absolute() and not Path(_p).exists() and (WORKFLOW_ROOT / _p).exists():
        config[_key] = str(WORKFLOW_ROOT / _p)
for _key in ("reference", "curated_table", "clinvar_vcf", "pedigree", *EVIDENCE_KEYS):
    if config.get(_key) and not Path(config[_key]).exists():
        _fail(f"config: {_key}: {config[_key]} not found; set it to an existing file")

try:
    SAMPLES = read_sample_sheet(config["samples"])
except InputError as exc:
    _fail(str(exc))

# every missing file of every line at once
_missing = [
    f"{config['samples']}: line {_row.line}: sample {_row.sample}: {_col} file {_path} not found; "
    "fix the path (relative paths are read from the directory snakemake runs in)"
    for _row in SAMPLES
    for _col, _path in (("vcf", _row.vcf), ("alignments", _row.alignments))
    if _path and not Path(_path).exists()
]
if _missing:
    _fail("\nERROR: ".join(_missing))


def _validate_sheet():
    import pandas as pd
    from snakemake.utils import validate as _validate

    sheet = pd.read_csv(config["samples"], sep="\t", dtype=str, comment="#", keep_default_na=False)
    # the schema sets no defaults: set_default=False checks every row with one validator instead of building one
    # per row and rebuilding the frame (0.17 instead of 0.32 s for 10,000 rows)
    _validate(sheet, str(WORKFLOW_ROOT / "workflow/schemas/samples.schema.yaml"), set_default=False)


_validate_sheet()

# the pedigree (config `pedigree`, a PED file, or the sheet's family columns): checked here, and it makes the
# batches family-aware (a family is analysed in one batch; still independent of --cores)
PEDIGREE_FILE = config.get("pedigree") or ""
try:
    PEDIGREE = load_pedigree(PEDIGREE_FILE or None, SAMPLES, config["samples"])
except InputError as exc:
    _fail(str(exc))


# by run size, not --cores; the default is the config schema's (validate() fills it in)
BATCH_SIZE = batch_size_for(len(SAMPLES), int(config["batch_size"]))
BATCHES = make_batches(SAMPLES, BATCH_SIZE, PEDIGREE.family_ids())
BATCH_IDS = [f"{i:04d}" for i in range(len(BATCHES))]


def batch_members(wildcards):
    """Sample ids of a batch (a params value: a changed batch reruns)."""
    return ",".join(r.sample for r in BATCHES[int(wildcards.batch)])


def batch_inputs(wildcards):
    files = [PEDIGREE_FILE] if PEDIGREE_FILE else []
    for r in BATCHES[int(wildcards.batch)]:
        files.append(r.vcf)
        if r.alignments:
            files.append(r.alignments)
    return sorted(set(files))


def evidence_inputs(wildcards):
    """The configured evidence files and their indexes (a changed file reruns the batches)."""
    files = []
    for key in EVIDENCE_KEYS:
        if config.get(key):
            files.append(config[key])
            files += [config[key] + ext for ext in (".tbi", ".csi") if Path(config[key] + ext).exists()]
    return files


SETTINGS_JSON = settings_json(config)

# the gene cache, kept across runs (one file per reference key): rule gene_cache runs only for a new reference
def _cache_dir():
    """`cache_dir`, else the user's cache folder when it can be written, else the run's own folder (a read-only
    home on a cluster node must not stop the run)."""
    if config.get("cache_dir"):
        return str(Path(config["cache_dir"]))
    d = default_cache_dir()
    existing = next((p for p in (d, *d.parents) if p.exists()), Path("/"))
    return str(d) if os.access(existing, os.W_OK) else f"{OUTDIR}/reference"


CACHE_DIR = _cache_dir()
GENE_CACHE = "{}/gene_cache.{}.json".format(
    CACHE_DIR, reference_key(config["reference"], config.get("genome_build", "auto"), hshpipe.__version__)[:32]
)
# the curated table, checked once by curation.smk and kept under the key of its path, bytes and checks; the batch
# jobs read the checked table
CURATED_CHECKED = "{}/curated_table.{}.json".format(
    CACHE_DIR, checked_table_key(config["curated_table"], hshpipe.__version__)[:32]
)


onstart:
    # --executor slurm: fail now, with the option to add, when the executor's job-status command cannot see
    # jobs end (e.g. sacct on a cluster without accounting), instead of waiting forever after the first submission;
    # and read sacct's "CANCELLED by <uid>" as CANCELLED (see hshpipe/slurm_executor.py).
    # Runs in the main snakemake process only (jobs run with --no-hooks), not for dry runs, before any submission.
    from hshpipe.slurm_executor import prepare_executor

    _problem = prepare_executor(workflow)
    if _problem:
        _fail(_problem)


# the run is over: exit without waiting for Snakemake's scheduler timers or a last walk of its heap
# (hshpipe/snakemake_exit.py)
onsuccess:
    from hshpipe.snakemake_exit import release_at_exit

    release_at_exit()


onerror:
    from hshpipe.snakemake_exit import release_at_exit

    release_at_exit()
