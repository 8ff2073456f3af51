"""How long the demo content takes to load: what `make run` does on first use (`python -m core init --demo`)
and what the browser stories copy.

    .venv/bin/python bench/demo.py [--runs 3] [--articles N]

Prints, per run, the seconds of `load_demo` into a fresh database file and the articles it made, then the
median. Figures only; the tests assert what the demo holds, never how fast it loads.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")

from core.db import connect  # noqa: E402  (after the path and the hashing cost are set)
from core.demo import load_demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--articles", type=int, default=None, help="the demo's default when left out")
    args = parser.parse_args()
    seconds = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            con = connect(Path(folder) / "demo.duckdb")
            start = time.perf_counter()
            counts = load_demo(con) if args.articles is None else load_demo(con, articles=args.articles)
            seconds.append(time.perf_counter() - start)
            con.close()
        print(f"run {run}: {seconds[-1]:.2f} s, {counts['articles']} articles")
    print(f"median {statistics.median(seconds):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
