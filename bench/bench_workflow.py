"""Prints timings of the foundation on demo data: load, queues, one article's trip, portal builds.

    .venv/bin/python bench/bench_workflow.py [--articles 3200] [--trips 50]

Figures only; nothing here asserts a time (targets live in the issues).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "12")

from core import accounts, columns, portal, todo, workflow  # noqa: E402
from core.db import connect  # noqa: E402
from core.setup import init_database  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=3200)
    parser.add_argument("--trips", type=int, default=50)
    args = parser.parse_args()
    from core import demo

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        init_database(con)
        loaded, seconds = timed(lambda: demo.load_demo(con, articles=args.articles))
        print(f"demo load ({args.articles} articles): {seconds:.2f} s  {loaded}")
        officer = accounts.find_user(con, "xxy_dzxx")
        head = accounts.find_user(con, "fzr_dzxx")
        column = columns.writable_columns(con, officer)[0]["id"]
        trips = []
        for n in range(args.trips):
            def trip(n=n):
                a = workflow.create_article(con, officer, column, f"基准稿件 {n}", "<p>正文。</p>" * 20, "电子信息处")
                a = workflow.submit(con, officer, a.id, a.version)
                a = workflow.approve(con, head, a.id, a.version, list(workflow.CHECKLIST))
                return workflow.publish(con, officer, a.id, a.version)
            trips.append(timed(trip)[1])
        print(f"create→submit→approve→publish, {args.trips} trips: median {statistics.median(trips) * 1000:.1f} ms, "
              f"max {max(trips) * 1000:.1f} ms")
        _, queue_s = timed(lambda: workflow.approval_queue(con, head))
        _, todo_s = timed(lambda: todo.todo_count(con, officer))
        _, list_s = timed(lambda: workflow.division_articles(con, officer, limit=300))
        print(f"approval queue {queue_s * 1000:.1f} ms · to-do count {todo_s * 1000:.1f} ms · "
              f"division list {list_s * 1000:.1f} ms")
        site = Path(tmp) / "site"
        result, full_s = timed(lambda: portal.build_site(con, site, full=True))
        print(f"portal full build: {full_s:.2f} s  {result}")
        _, again_s = timed(lambda: portal.build_site(con, site, full=False))
        print(f"portal rebuild after one publication (what the workbench runs): {again_s:.2f} s")
        con.close()


if __name__ == "__main__":
    main()
