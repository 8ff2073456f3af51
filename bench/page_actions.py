"""The server's time for one click that changes the portal: 撤下 / 恢复上线 on 信息管理 (AppTest, the whole run:
the action, pages/_shared.refresh_site, the rerun that shows the result), and the time until the portal's
page says so (the refresh worker of core/refresh.py, when the code has it; before it, inside the click).

    .venv/bin/python bench/page_actions.py --db DEMO_OR_SCALE.duckdb [--runs 5] [--site BUILT_FROM_DB]

Prints median / worst in milliseconds and this process's CPU time (the machine may be shared).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import portal  # noqa: E402
from core.db import connect, scalar  # noqa: E402

HAS_WORKER = importlib.util.find_spec("core.refresh") is not None


def figures(label: str, wall: list[float], cpu: list[float]) -> None:
    print(f"  {label:<40} {statistics.median(wall) * 1000:8.1f} / {max(wall) * 1000:8.1f}   "
          f"CPU {statistics.median(cpu) * 1000:8.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", help="a portal folder built from --db before (100,000 articles take minutes): "
                                       "brought up to date and used (its pages change)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-page-actions-"))
    try:
        db, site = folder / "bench.duckdb", Path(args.site) if args.site else folder / "site"
        shutil.copy2(args.db, db)
        run(db, site, args.runs, full=not args.site)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(db: Path, site: Path, runs: int, full: bool = True) -> None:
    os.environ.update(PORTAL_DB=str(db), PORTAL_SITE=str(site), PORTAL_SCHEDULER="0")
    con = connect(db)
    started = time.perf_counter()
    portal.build_site(con, site, full=full, progress=False)
    print(f"{db}({os.cpu_count()} 核;共享机器)首次{'全量' if full else '增量'}生成 {time.perf_counter() - started:.1f} s;"
          f"{'后台更新门户' if HAS_WORKER else '点击内同步更新门户'}")
    article_id = scalar(con, "SELECT id FROM articles WHERE state = 'published' ORDER BY published_at DESC LIMIT 1")
    title = scalar(con, "SELECT title FROM articles WHERE id = ?", [article_id])
    con.close()
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = at.session_state["name"] = "webmaster"
    at.run()
    at.switch_page("pages/content_admin.py")
    at.run()
    at.text_input(key="ca_search").input(title).run()
    clock: dict[str, tuple[list[float], list[float]]] = {}

    def timed(label: str, fn) -> None:
        wall, cpu = clock.setdefault(label, ([], []))
        started, used = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)

    def settled() -> None:
        if HAS_WORKER:
            from core import refresh  # deferred: absent before issue 16

            refresh.wait(site)

    for _ in range(runs + 1):
        at.selectbox(key=f"ca_category_{article_id}").select("信息已过时效")
        at.text_area(key=f"ca_reason_{article_id}").input("基准测试撤下")
        timed("点击「撤下」(整次运行)", at.button(key=f"FormSubmitter:ca_take_down_{article_id}-撤下").click().run)
        assert "已从网站撤下" in str([e.value for e in at.success]), at.exception or at.error
        timed("  点击至门户页面已更新", settled)
        clock["  点击至门户页面已更新"][0][-1] += clock["点击「撤下」(整次运行)"][0][-1]
        timed("点击「恢复上线」(整次运行)", at.button(key=f"FormSubmitter:ca_restore_{article_id}-恢复上线").click().run)
        assert "已恢复上线" in str([e.value for e in at.success]), at.exception or at.error
        settled()
    for label, (wall, cpu) in clock.items():
        figures(label, wall[1:], cpu[1:])  # the first round warms up


if __name__ == "__main__":
    main()
