"""Shared start-up for the rule scripts: logging to the rule's log, one-line errors (InputError), bugs kept in the log."""

from __future__ import annotations

import gc
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from .errors import InputError


def run(main: Callable[[], None], log_path: str | None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", handlers=handlers)
    try:
        main()
    except InputError as exc:
        logging.getLogger("hsh").error("%s", exc)
        print(f"ERROR: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception:  # a bug, not bad input: keep the traceback in the log, say where to look
        if log_path:
            with open(log_path, "a") as fh:
                fh.write(traceback.format_exc())
        print(
            f"ERROR: internal error (a bug; please report it with {log_path or 'the traceback'}): "
            f"{traceback.format_exc().strip().splitlines()[-1]}",
            file=sys.stderr,
        )
        sys.exit(2)
    # done: spare the interpreter's last garbage collection, a walk over every object the job made (~30 ms of a
    # batch job's exit, ~0.25 s in Snakemake's own process: snakemake_exit.release_at_exit)
    gc.freeze()


def log_arg(argv: list[str]) -> str | None:
    return argv[argv.index("--log") + 1] if "--log" in argv else None
