"""The workbench's server-side time on demo data: pages per role, what every run pays, the actions.

    .venv/bin/python bench/workbench.py [--db DEMO.duckdb] [--runs 5] [--only pages,pieces,actions,signin]
                                        [--profile TARGET]

Prints figures only (median / worst of `--runs` after one warm-up, and the median CPU time of this
process, which the other processes of a shared machine shake less; milliseconds):
- pages: one script run (AppTest `at.run()`, the whole frame: session checks, sidebar to-do, the page) of
  工作台首页, 互动管理, 统计分析, 运行概览 and 待我审批 for every demo role that sees them;
- signin: the run that checks the password (登录 clicked) and the next run (the first page);
- browser (only when asked: `--only browser`): a real server and Chromium, signing in and opening
  pages until Streamlit is idle, with `runner.postScriptGC` on and then off, and the server's memory;
- pieces: what every run pays (to-do counts per role, session check, audit seal, user look-up …);
- actions: publishing / taking down an answer and taking down / restoring an article, each with the
  portal's incremental rebuild (`portal.build_site(full=False)`, what pages/_shared.refresh_site runs).
`--profile pieces|actions|page:<page>:<user>` prints cProfile's top 25 functions by cumulative time.

Without `--db` a fresh demo database (`python -m core init --demo`) is made in a temporary folder.
The browser adds its own round trips (the page's JavaScript, the cookie component's reply); these
figures are what the server spends, the part the code decides.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import accounts, audit, columns, freshness, interaction, login, portal, todo, workflow  # noqa: E402
from core.db import connect, rows, scalar  # noqa: E402

PASSWORD = "Demo-2026!sx"
USERS = {  # demo account: role
    "xxy_dzxx": "officer", "fzr_dzxx": "head", "ld_wang": "leader", "xzz_li": "group",
    "webmaster": "webmaster", "jszc": "tech", "analyst": "analyst",
}
PAGES = {"home": "工作台首页", "interaction_desk": "互动管理", "statistics": "统计分析", "overview": "运行概览",
         "approvals": "待我审批"}


def stats_ms(seconds: list[float], cpu: list[float] | None = None) -> str:
    text = f"{statistics.median(seconds) * 1000:8.1f} / {max(seconds) * 1000:8.1f}"
    return text + (f"   CPU {statistics.median(cpu) * 1000:8.1f}" if cpu else "")


def timed(label: str, fn, runs: int, warm: bool = True) -> float:
    """Wall time (median / worst) and the process's CPU time (median: less shaken by the other
    processes of a shared machine than the wall time)."""
    if warm:
        fn()
    seconds, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        fn()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    print(f"  {label:<52} {stats_ms(seconds, cpu)}", flush=True)
    return statistics.median(seconds)


def profiled(fn, runs: int = 3, script: bool = False) -> None:
    """cProfile over `fn`; `script`: over the script thread of AppTest's runs instead."""
    profile = cProfile.Profile()
    if script:
        from streamlit.runtime.scriptrunner import script_runner

        inner = script_runner.exec_func_with_error_handling

        def outer(func, ctx):
            return profile.runcall(inner, func, ctx)

        script_runner.exec_func_with_error_handling = outer
        for _ in range(runs):
            fn()
        script_runner.exec_func_with_error_handling = inner
    else:
        for _ in range(runs):
            profile.enable()
            fn()
            profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


def make_demo(folder: Path) -> Path:
    path = folder / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "core", "init", "--db", str(path), "--demo"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return path


# ---------------------------------------------------------------- pages (AppTest)

def _page_path(page: str) -> str:
    return f"pages/{page}.py"


def app_for(db: Path, username: str | None):
    os.environ["PORTAL_DB"] = str(db)
    os.environ["PORTAL_SCHEDULER"] = "0"
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
    at.run()
    return at


def visible_pages(username: str) -> list[str]:
    from pages._shared import page_roles

    role = USERS[username]
    return ["home"] + [p for p in PAGES if p != "home" and role in page_roles(p)]


def bench_pages(db: Path, runs: int) -> None:
    print("\n页面:一次脚本运行(整页:会话检查、侧栏待办、页面本身) 中位数 / 最慢,毫秒")
    for username in USERS:
        at = app_for(db, username)
        for page in visible_pages(username):
            if page != "home":
                at.switch_page(_page_path(page))
            at.run()  # warm-up (and the first visit)
            assert not at.exception, f"{username} {page}: {at.exception}"
            timed(f"{PAGES[page]:<6} {username} ({USERS[username]})", at.run, runs, warm=False)


def bench_signin(db: Path, runs: int) -> None:
    print("\n登录(AppTest,bcrypt 12 轮,与生产相同) 中位数 / 最慢,毫秒")
    for username in ("xxy_dzxx", "fzr_dzxx", "webmaster"):
        clicks, nexts = [], []
        for _ in range(runs + 1):
            at = app_for(db, None)
            at.text_input[0].input(username)
            at.text_input[1].input(PASSWORD)
            started = time.perf_counter()
            at.button[0].click().run()
            clicked = time.perf_counter()
            at.run()
            done = time.perf_counter()
            clicks.append(clicked - started)
            nexts.append(done - clicked)
            assert "我的待办" in str([m.label for m in at.metric]), "not signed in"
        print(f"  {'点击登录的一次运行 ' + username:<52} {stats_ms(clicks[1:])}")
        print(f"  {'登录后的下一次运行(首页)' + username:<52} {stats_ms(nexts[1:])}", flush=True)


# ---------------------------------------------------------------- pieces every run pays

def bench_pieces(con, runs: int) -> None:
    print("\n每次运行都要付的部分 中位数 / 最慢,毫秒")
    for username, role in USERS.items():
        user = accounts.find_user(con, username)
        timed(f"todo.todo_count {username} ({role})", lambda user=user: todo.todo_count(con, user), runs)
    head = accounts.find_user(con, "fzr_dzxx")
    timed("  其中 freshness.stale_count(处室)", lambda: freshness.stale_count(con, head.division_id), runs)
    timed("  其中 workflow.approval_queue(处室负责人)", lambda: workflow.approval_queue(con, head), runs)
    timed("  其中 interaction.counts(处室负责人)", lambda: interaction.counts(con, head), runs)
    timed("accounts.find_user", lambda: accounts.find_user(con, "fzr_dzxx"), runs)
    session = login.adopt(con, head)
    timed("login.check_session", lambda: login.check_session(con, session, head), runs)
    timed("audit.seal_if_pending(刚有写入)", lambda: (audit.record(con, None, "bench.ping"),
                                                      audit.seal_if_pending(con)), runs)
    timed("columns.tree", lambda: columns.tree(con), runs)
    timed("freshness.board(全站)", lambda: freshness.board(con), runs)


# ---------------------------------------------------------------- actions with the rebuild

class Clock:
    """Wall and CPU time of labelled steps, printed in the order first seen."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def __call__(self, label: str, fn):
        started, used = time.perf_counter(), time.process_time()
        result = fn()
        self.wall.setdefault(label, []).append(time.perf_counter() - started)
        self.cpu.setdefault(label, []).append(time.process_time() - used)
        return result

    def print(self) -> None:
        for label, seconds in self.wall.items():
            print(f"  {label:<52} {stats_ms(seconds, self.cpu[label])}")


def bench_actions(con, site: Path, runs: int) -> None:
    print("\n操作 + 门户增量生成(pages/_shared.refresh_site 中的 build_site(full=False)) 中位数 / 最慢,毫秒")
    started = time.perf_counter()
    portal.build_site(con, site, full=True, progress=False)
    print(f"  首次全量生成 {time.perf_counter() - started:.1f} s")
    webmaster = accounts.find_user(con, "webmaster")
    build = lambda: portal.build_site(con, site, full=False, progress=False)  # noqa: E731
    timed("build_site(full=False),无任何改动", build, runs)

    clock = Clock()
    article_id = scalar(con, "SELECT id FROM articles WHERE state = 'published' ORDER BY published_at DESC LIMIT 1")
    for _ in range(runs):
        version = workflow.get_article(con, article_id).version
        clock("workflow.take_down(稿件)",
              lambda v=version: workflow.take_down(con, webmaster, article_id, v, "基准测试撤下"))
        clock("  之后的 build_site(full=False) ", build)
        version = workflow.get_article(con, article_id).version
        clock("workflow.restore(稿件)", lambda v=version: workflow.restore(con, webmaster, article_id, v))
        build()

    approved = [r["id"] for r in rows(con, "SELECT id FROM messages WHERE state = 'approved' AND publish_allowed "
                                          "ORDER BY id")]
    for message_id in approved:
        version = interaction.get(con, message_id)["version"]
        try:
            clock(f"interaction.publish(答复) ×{len(approved)}",
                  lambda m=message_id, v=version: interaction.publish(con, webmaster, m, v))
        except Exception as exc:  # a demo answer the screening stops: not this benchmark's subject
            print(f"  (留言 {message_id} 未发布:{exc})")
            continue
        clock("  之后的 build_site(full=False)  ", build)
        version = interaction.get(con, message_id)["version"]
        clock("interaction.unpublish(答复)",
              lambda m=message_id, v=version: interaction.unpublish(con, webmaster, m, "基准测试撤下", v))
        clock("  之后的 build_site(full=False)   ", build)
    clock.print()


def bench_page_actions(db: Path, site: Path, runs: int) -> None:
    """撤下 and 恢复上线 clicked on 信息管理, as the browser does: the action, refresh_site (the build
    and the search re-index it starts in the background) and the rerun that shows the result."""
    from core import search

    print("\n信息管理页点击「撤下」/「恢复上线」(一次点击的服务器时间,含增量生成与重新运行) 中位数 / 最慢,毫秒")
    os.environ["PORTAL_SITE"] = str(site)
    con = connect(db)
    portal.build_site(con, site, full=True, progress=False)
    article_id = scalar(con, "SELECT id FROM articles WHERE state = 'published' ORDER BY published_at DESC LIMIT 1")
    title = scalar(con, "SELECT title FROM articles WHERE id = ?", [article_id])
    con.close()
    started = time.perf_counter()
    search.index_all(site)
    print(f"  首次建立全文检索索引 {time.perf_counter() - started:.1f} s")
    at = app_for(db, "webmaster")
    at.switch_page(_page_path("content_admin"))
    at.run()
    at.text_input(key="ca_search").input(title).run()
    clicks, back, reindex = [], [], []
    for _ in range(runs):
        at.text_area(key=f"ca_reason_{article_id}").input("基准测试撤下")
        started = time.perf_counter()
        at.button(key=f"FormSubmitter:ca_take_down_{article_id}-撤下").click().run()
        clicks.append(time.perf_counter() - started)
        assert "已从网站撤下" in str([e.value for e in at.success]), at.exception
        worker = search.reindex_in_background(site, [])  # joins the re-index the click started
        worker.join()
        reindex.append(time.perf_counter() - started)
        started = time.perf_counter()
        at.button(key=f"FormSubmitter:ca_restore_{article_id}-恢复上线").click().run()
        back.append(time.perf_counter() - started)
        search.reindex_in_background(site, []).join()
    print(f"  {'点击「撤下」(操作+增量生成+重新运行)':<52} {stats_ms(clicks)}")
    print(f"  {'  至检索索引更新完毕(后台)':<52} {stats_ms(reindex)}")
    print(f"  {'点击「恢复上线」':<52} {stats_ms(back)}")


BROWSER_PAGES = {"fzr_dzxx": ["统计分析", "待我审批"], "webmaster": ["互动管理", "统计分析", "运行概览"]}
IDLE = "() => !document.querySelector('[data-testid=stStatusWidget]')"  # Streamlit's 'Running…'


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _browser_round(db: Path, site: Path, gc_after_run: bool, runs: int) -> None:
    """One workbench server (`streamlit run app.py`), Chromium signing in and opening pages."""
    from tests.browser import chromium, free_port, wait_for

    port = free_port()
    env = {**os.environ, "PORTAL_DB": str(db), "PORTAL_SITE": str(site), "PORTAL_SCHEDULER": "0",
           "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true" if gc_after_run else "false"}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    print(f"\n浏览器(Chromium,真实服务器,runner.postScriptGC={str(gc_after_run).lower()}) 至页面可用:"
          "中位数 / 最慢,服务器进程 CPU 中位数,毫秒")
    try:
        wait_for(f"{url}/_stcore/health")
        times: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}  # the server's CPU time (its own threads, whatever the browser does)
        with chromium() as browser:
            for _ in range(runs + 1):  # the first round warms the server up and is not counted
                for username, pages in BROWSER_PAGES.items():
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(url)
                    page.get_by_label("用户名", exact=True).fill(username)
                    page.get_by_label("密码", exact=True).fill(PASSWORD)
                    page.wait_for_function(IDLE, timeout=60000)
                    started, used = time.perf_counter(), _cpu_seconds(server.pid)
                    page.get_by_role("button", name="登录").click()
                    page.get_by_text("退出登录").wait_for(timeout=60000)
                    page.wait_for_function(IDLE, timeout=60000)
                    times.setdefault(f"登录 {username}", []).append(time.perf_counter() - started)
                    cpu.setdefault(f"登录 {username}", []).append(_cpu_seconds(server.pid) - used)
                    for title in pages:
                        link = page.get_by_role("link", name=title)
                        more = page.get_by_test_id("stSidebarNavViewButton")
                        if not link.is_visible() and more.count() and "more" in (more.inner_text() or ""):
                            more.click()  # Streamlit folds a long navigation ("View n more")
                        started, used = time.perf_counter(), _cpu_seconds(server.pid)
                        link.click()
                        page.get_by_role("heading", name=title).first.wait_for(timeout=60000)
                        page.wait_for_function(IDLE, timeout=60000)
                        times.setdefault(f"打开 {title} {username}", []).append(time.perf_counter() - started)
                        cpu.setdefault(f"打开 {title} {username}", []).append(_cpu_seconds(server.pid) - used)
                    context.close()
        for label, seconds in times.items():
            print(f"  {label:<52} {stats_ms(seconds[1:], cpu[label][1:])}")
        print(f"  服务器进程内存 {_rss_mb(server.pid):.0f} MB(共 {(runs + 1) * len(BROWSER_PAGES)} 次登录)")
    finally:
        server.terminate()
        server.wait(timeout=20)


def bench_browser(db: Path, folder: Path, runs: int) -> None:
    """Sign-in and opening pages in Chromium: the time until the page is usable (Streamlit idle),
    with Streamlit's garbage collection after every run on, then off."""
    for gc_after_run in (True, False):
        _browser_round(db, folder / "site_browser", gc_after_run, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="a demo database to copy (default: a fresh one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="pieces,actions,clicks,pages,signin")
    parser.add_argument("--profile", help="pieces | actions | page:<page>:<user>")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-workbench-"))
    try:
        db = folder / "demo.duckdb"
        if args.db:
            shutil.copy2(args.db, db)
        else:
            make_demo(folder)
        run(db, folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(db: Path, folder: Path, args) -> None:
    parts = set(args.only.split(","))
    if "browser" in parts:  # its own copy: the server process cannot open a file this process holds
        shutil.copy2(db, folder / "browser.duckdb")
    print(f"演示数据库 {db}(Python {sys.version.split()[0]},{os.cpu_count()} 核)")
    if args.profile and args.profile.startswith("page:"):
        _, page, username = args.profile.split(":")
        at = app_for(db, username)
        if page != "home":
            at.switch_page(_page_path(page))
        at.run()
        profiled(at.run, script=True)
        return
    con = connect(db)
    if args.profile == "pieces":
        profiled(lambda: [todo.todo_count(con, accounts.find_user(con, u)) for u in USERS])
        return
    if args.profile == "actions":
        portal.build_site(con, folder / "site", full=True, progress=False)
        webmaster = accounts.find_user(con, "webmaster")
        article_id = scalar(con, "SELECT id FROM articles WHERE state = 'published' "
                                 "ORDER BY published_at DESC LIMIT 1")

        def cycle():
            workflow.take_down(con, webmaster, article_id, workflow.get_article(con, article_id).version, "基准")
            portal.build_site(con, folder / "site", full=False, progress=False)
            workflow.restore(con, webmaster, article_id, workflow.get_article(con, article_id).version)
            portal.build_site(con, folder / "site", full=False, progress=False)

        profiled(cycle)
        return
    if "pieces" in parts:
        bench_pieces(con, args.runs)
    if "actions" in parts:
        bench_actions(con, folder / "site", args.runs)
    con.close()
    if "pages" in parts:
        bench_pages(db, args.runs)
    if "clicks" in parts:
        bench_page_actions(db, folder / "site_clicks", args.runs)
    if "signin" in parts:
        bench_signin(db, args.runs)
    if "browser" in parts:
        bench_browser(folder / "browser.duckdb", folder, args.runs)


if __name__ == "__main__":
    main()
