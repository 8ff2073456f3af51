"""What 安全审计 and 网站自查 cost at scale, below the pages (issue 16): the audit chain's full walk against the
check from the checkpoint that opening 安全审计 now runs, and 网站自查's first screening in the page's slices.

    .venv/bin/python bench/scale_checks.py --db /tmp/scale.duckdb [--slices 12]

Works on a copy of --db (bench/scale_db.py makes one: 1,000,000 audit rows, 100,000 articles). Prints wall and
CPU seconds of this process (DuckDB's threads included; on a shared machine the CPU figure is the steadier):
- audit.verify (the whole chain, what each open of 安全审计 ran before) and audit.check_full (the same, recorded:
  the scheduler's daily walk);
- audit.check_recent (each open now) with nothing new, and after 1, 50 and 1,000 new rows;
- workflow.blocked_published(budget=0.5) — one slice of the first screening, as a run of 网站自查 makes it — for
  --slices slices: items screened per CPU second and the whole first screening's CPU extrapolated.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import audit, workflow  # noqa: E402
from core.db import connect  # noqa: E402


def timed(label: str, fn):
    started, used = time.perf_counter(), time.process_time()
    result = fn()
    print(f"  {label:<44} {time.perf_counter() - started:8.3f} s   CPU {time.process_time() - used:8.3f} s",
          flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--slices", type=int, default=12)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-checks-"))
    try:
        db = folder / "scale.duckdb"
        shutil.copy2(args.db, db)
        con = connect(db)
        print(f"审计日志 {con.execute('SELECT count(*) FROM audit_chain').fetchone()[0]} 条已封存"
              f"(墙钟 / 本进程 CPU;{os.cpu_count()} 核,负载 {os.getloadavg()[0]:.1f})")
        for _ in range(2):
            timed("audit.verify(整条链,原先每次打开安全审计)", lambda: audit.verify(con))
        timed("audit.check_full(整条链并记录,调度器每日)", lambda: audit.check_full(con))
        for _ in range(2):
            timed("audit.check_recent(打开安全审计,无新记录)", lambda: audit.check_recent(con))
        for n in (1, 50, 1000):
            for i in range(n):
                audit.record(con, None, "bench.ping", f"bench:{i}")
            timed(f"audit.check_recent(新增 {n} 条后)", lambda: audit.check_recent(con))
        print("网站自查首次检查:每片 budget=0.5(页面每次运行一片)")
        used, started = time.process_time(), time.perf_counter()
        for _ in range(args.slices):
            workflow.blocked_published(con, budget=0.5)
        cpu, wall = time.process_time() - used, time.perf_counter() - started
        done, total = workflow.screening_progress()
        print(f"  {args.slices} 片:已检查 {done} / {total} 篇,CPU {cpu:.2f} s,墙钟 {wall:.1f} s;每 CPU 秒 {done / cpu:.0f} 篇;"
              f"全部检查约需 CPU {total / done * cpu:.0f} s、{total / done * args.slices:.0f} 片")
        con.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
