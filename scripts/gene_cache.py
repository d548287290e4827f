"""Rule gene_cache: cut TRPM6 from the user's reference and check it translates to NP_060132.3."""

import argparse
import logging
import sys
from pathlib import Path

from hshpipe.cli import log_arg, run


def main() -> None:
    from hshpipe.outputs import atomic_write
    from hshpipe.reference import build_gene_cache

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--build", default="auto")
    ap.add_argument("--cache", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    cache = build_gene_cache(a.reference, a.build)
    logging.info(
        "reference %s: %s, chromosome 9 named %s; TRPM6 CDS translates to NP_060132.3",
        a.reference,
        cache.build,
        cache.contig,
    )
    atomic_write(Path(a.cache), cache.to_json())


if __name__ == "__main__":
    run(main, log_arg(sys.argv))
