"""One stage of the portal build in a process of its own, for bench/portal.py to time from outside
(wall and CPU seconds, peak memory through ``os.wait4``), as it times Hugo and Pagefind.

    .venv/bin/python bench/portal_run.py build DB OUT [--code DIR]   # full build, render only
    .venv/bin/python bench/portal_run.py index OUT [--code DIR]      # core.search.index_all

``--code``: the checkout whose ``core`` runs (default: this one), e.g. ``git archive main`` unpacked
somewhere, for the "before" figures and the same-output check. Prints one line of JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=("build", "index"))
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")
    # as `python -m core` treats the collector (core/__main__.py): off during the imports, what they made frozen
    # before the work, and frozen again at the end so that the exit does not walk the heap; so the figures are
    # the command's (before and ours alike: this is the process, not the code under --code)
    gc.disable()
    if args.stage == "build":  # deferred imports: which checkout's core runs is chosen by --code; and each
        from core import portal  # stage imports only its own modules, as its own command would
        from core.db import connect

        db, out = args.paths
        gc.freeze()
        gc.enable()
        con = connect(db)
        result = portal.build_site(con, out, full=True)
        con.close()
        print(json.dumps({"pages": result["pages"], "seconds": result["seconds"]}))
    else:
        from core import search

        gc.freeze()
        gc.enable()
        result = search.index_all(args.paths[0])
        print(json.dumps({k: result.get(k) for k in ("pages", "seconds", "peak_rss_mb")}, default=str))
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    main()
