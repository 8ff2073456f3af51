"""The workbench's server-side time on demo data: pages per role, what every run pays, the actions.

    .venv/bin/python bench/workbench.py [--db DEMO.duckdb] [--runs 5] [--only pages,pieces,actions,signin]
                                        [--profile TARGET] [--root CHECKOUT]
    .venv/bin/python bench/workbench.py --only browser,browser-actions --runs 3 [--db scale.duckdb]
    .venv/bin/python bench/workbench.py --only all-pages --runs 3 --db scale.duckdb [--users webmaster]

Prints figures only (median / worst of `--runs` after one warm-up, and the median CPU time of this
process, which the other processes of a shared machine shake less; milliseconds):
- pages: one script run (AppTest `at.run()`, the whole frame: session checks, sidebar to-do, the page) of
  工作台首页, 互动管理, 统计分析, 运行概览 and 待我审批 for every demo role that sees them;
- all-pages (only when asked): every page of every role's menu, one AppTest run each (`--users` to narrow);
- signin: the run that checks the password (登录 clicked) and the next run (the first page);
- browser (only when asked: `--only browser`): a real server (`streamlit run app.py` in `--root`, this
  checkout by default) and Chromium: every demo role signs in and opens every page of its menu
  (pages/_shared.PAGES that core grants it), timed from the click until the page is usable
  (Streamlit's run state 'notRunning', nothing stale, the page's address and main heading shown, all of it
  for 500 ms; timed to the moment that began), with the server's CPU;
- browser-actions: in Chromium, by the interface's labels only: an officer saves a draft and submits it, the
  head approves that draft (every box its form shows ticked: 审核要点 and any 「已知悉」 screening warning), the
  officer publishes it, the webmaster routes a message and takes an item down (each until its confirmation
  shows and Streamlit is idle);
- pieces: what every run pays (to-do counts per role, session check, audit seal, user look-up …);
- actions: publishing / taking down an answer and taking down / restoring an article, each with the
  portal's incremental rebuild (`portal.build_site(full=False)`, what pages/_shared.refresh_site runs).
`--profile pieces|actions|page:<page>:<user>` prints cProfile's top 25 functions by cumulative time.
A 撤下/恢复上线 click on 信息管理 and the background portal refresh it starts: bench/page_actions.py.

Without `--db` a fresh demo database (`python -m core init --demo`) is made in a temporary folder.
The browser adds its own round trips (the page's JavaScript, the cookie component's reply); these
figures are what the server spends, the part the code decides.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import accounts, audit, columns, db, freshness, interaction, login, portal, todo, workflow  # noqa: E402
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


def bench_all_pages(db: Path, runs: int, users: list[str]) -> None:
    """Every page of every demo role's menu (and 公众留言), one AppTest script run each: the server's part of
    the browser figures, quick enough to find the heavy pages of the scale database."""
    print("\n每个角色菜单中的每个页面:一次脚本运行 中位数 / 最慢,毫秒;本进程 CPU 中位数")
    for username, menu in role_pages(db).items():
        if users and username not in users:
            continue
        at = app_for(db, username)
        for key, title in menu:
            at.switch_page(_page_path(key))
            at.run()  # warm-up (and the first visit)
            assert not at.exception, f"{username} {key}: {at.exception}"
            timed(f"{title:<8} {username}", at.run, runs, warm=False)


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
    os.environ["PORTAL_DB"] = scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    from pages import _shared  # deferred: Streamlit, only for this line

    timed("pages/_shared.todo_items(缓存命中,处室负责人)", lambda: _shared.todo_items(con, head), runs)
    timed("  其中 core/db.change_mark(缓存键)", lambda: db.change_mark(os.environ["PORTAL_DB"]), runs)
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


# ---------------------------------------------------------------- browser (Chromium, a real server)

IDLE_MS = 500  # the page counts as usable once it stayed so (see USABLE) for this long
# When is the page usable: Streamlit's own run state on its root element (`data-test-script-state`, what
# Streamlit's own end-to-end tests wait on) says no script run is going, nothing is busy (the status widget,
# stale elements), and the page asked for is the one shown: its address and its main heading. The status
# widget and the stale marks alone are not enough: Streamlit shows them only after a delay (≈0.5–1 s), so a
# short run never shows them and a page still running looked "quiet" from the click on (链接检查 and 年度考评
# printed −2.4 to 33 ms). `ready`: a CSS selector that must be on the page; `path`: the address's end;
# `heading`: text the main heading (st.title, `stMain h1`) contains: the menu's title, or HEADINGS'.
USABLE = """([busy, ready, path, heading]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector(busy) || (ready && !document.querySelector(ready))) return false;
    if (path && !location.pathname.endsWith(path)) return false;
    if (heading) {
        const h1 = document.querySelector('[data-testid="stMain"] h1');
        if (!h1 || !h1.textContent.includes(heading)) return false;
    }
    return true;
}"""
SIGNED_IN = "网站工作台"  # the first page's heading (pages/home.py)
HEADINGS = {"account": "修改密码"}  # pages whose main heading does not contain the menu's title
# Watches the page from just before the click: the moment it last became usable (every change of the page
# that leaves it unusable forgets the moment), so the figure is that moment, not when the poll noticed.
# Nothing counts from before the click: an action's page is usable before it too, and a short run can go
# from 'running' to 'notRunning' within one batch of changes the observer sees only as a whole.
WATCH_USABLE = """([busy, ready, path, heading]) => {
    const usable = """ + USABLE + """;
    const args = [busy, ready, path, heading];
    window.__benchUsableSince = null;
    if (window.__benchWatch) window.__benchWatch.disconnect();
    window.__benchWatch = new MutationObserver(() => {
        if (!usable(args)) window.__benchUsableSince = null;
        else window.__benchUsableSince = window.__benchUsableSince ?? performance.now();
    });
    window.__benchWatch.observe(document.documentElement, {subtree: true, childList: true, characterData: true,
        attributes: true, attributeFilter: ['data-stale', 'data-test-script-state']});
}"""
# Polled: the moment the page became usable, once it has stayed so for `quietMs`.
USABLE_SINCE = """([busy, ready, path, heading, quietMs]) => {
    const usable = """ + USABLE + """;
    const now = performance.now();
    if (!usable([busy, ready, path, heading])) {
        window.__benchUsableSince = null;
        return false;
    }
    window.__benchUsableSince = window.__benchUsableSince ?? now;
    return now - window.__benchUsableSince >= quietMs ? window.__benchUsableSince : false;
}"""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def role_pages(db: Path) -> dict[str, list[tuple[str, str]]]:
    """Per demo account, the menu's pages as (address, title): pages/_shared.PAGES that core grants (the
    public's pages are in no staff menu)."""
    from pages import _shared

    con = connect(db)
    try:
        users = {name: accounts.find_user(con, name) for name in USERS}
    finally:
        con.close()
    return {name: [(key, _shared.PAGES[key].title) for key in _shared.reachable(user)] for name, user in users.items()}


class Browser:
    """One workbench server (`streamlit run app.py` in `root`) and Chromium; times what a user waits for:
    from the click until Streamlit is idle with the expected thing on the page, in the page's own clock
    (the moment it last became quiet, not the moment the wait noticed), and the server's CPU meanwhile."""

    def __init__(self, browser, url: str, server: subprocess.Popen) -> None:
        self.browser, self.url, self.server = browser, url, server
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def timed(self, page, label: str, act, shown, ready: str | None = None, count: bool = True, *,
              path: str | None = None, heading: str | None = None) -> float:
        """From `act()` until the page is usable (USABLE: no script run, nothing busy, `ready`/`path`/`heading`
        as asked) for IDLE_MS after `shown` (the expected thing) appeared: the moment it became usable."""
        from tests.browser import _BUSY

        nothing: list = [_BUSY, None, None, None]
        page.wait_for_function(USABLE_SINCE, arg=[*nothing, 200], polling=50, timeout=120000)
        page.evaluate(WATCH_USABLE, [_BUSY, ready, path, heading])
        started, used = page.evaluate("performance.now()"), _cpu_seconds(self.server.pid)
        act()
        try:
            shown(120000)
            usable = page.wait_for_function(USABLE_SINCE, arg=[_BUSY, ready, path, heading, IDLE_MS], polling=50,
                                            timeout=120000)
        except Exception:
            page.screenshot(path=str(ROOT / "test-artifacts" / "bench-workbench-failed.png"), full_page=True)
            raise
        seconds = (usable.json_value() - started) / 1000
        if count:
            self.wall.setdefault(label, []).append(seconds)
            self.cpu.setdefault(label, []).append(_cpu_seconds(self.server.pid) - used)
        return seconds

    def sign_in(self, username: str, count: bool = True):
        context = self.browser.new_context(viewport={"width": 1400, "height": 1200}, locale="zh-CN")
        page = context.new_page()
        page.goto(self.url)
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        self.timed(page, f"登录 {username}", lambda: page.get_by_role("button", name="登录").click(),
                   lambda ms: page.get_by_text("退出登录").wait_for(timeout=ms),
                   '[data-testid="stSidebarNav"]', count, heading=SIGNED_IN)
        more = page.get_by_test_id("stSidebarNavViewButton")
        text = (more.inner_text() or "") if more.count() else ""
        if "more" in text.lower() or "更多" in text:
            more.click()  # Streamlit folds a long navigation ("View n more")
        return context, page

    def open(self, page, key: str, title: str, who: str, count: bool = True) -> None:
        link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{key}"]').first
        self.timed(page, f"打开 {title} {who}", link.click,
                   lambda ms: page.wait_for_url(re.compile(f"/{key}$"), timeout=ms),
                   count=count, path=f"/{key}", heading=HEADINGS.get(key, title))

    def print(self) -> None:
        for label, seconds in self.wall.items():
            print(f"  {label:<52} {stats_ms(seconds, self.cpu[label])}", flush=True)
        self.wall.clear()
        self.cpu.clear()


def _pick(page, label: str, option) -> None:
    """Choose in a select box; a click that lands during a rerun is lost, so try again on a quiet page."""
    from tests.browser import wait_idle

    for attempt in range(3):
        wait_idle(page)
        page.get_by_role("combobox", name=label).click()
        try:
            page.get_by_role("option", name=option).first.click(timeout=15000)
            return
        except Exception:
            if attempt == 2:
                page.screenshot(path=str(ROOT / "test-artifacts" / "bench-workbench-failed.png"), full_page=True)
                raise


def tick_all(page, title: str) -> None:
    """Tick, by its label, every box the decision form of 「待我审批」 shows for `title`: the four 审核要点
    (第十六条) and one 「已知悉:…」 per screening warning the item has (its 自动筛查 findings, which depend on
    the item and the day). The form is waited for whole (the 审批意见 box below the boxes) on a quiet page
    first: under load a run can still be drawing it after a short quiet spell, and a tick on a half-drawn
    form was lost (all four 审核要点 refused: 「须逐项确认后才能批准」). Checked again just before 「批准」."""
    from tests.browser import wait_idle

    main = page.locator('[data-testid="stMain"]')
    for _attempt in range(3):
        wait_idle(page, quiet_ms=1500)
        main.get_by_role("heading", name=title).wait_for(timeout=60000)
        main.get_by_role("textbox", name="审批意见").wait_for(timeout=60000)
        labels = [box.inner_text().strip() for box in main.locator('[data-testid="stCheckbox"]').all()]
        for label in labels:
            box = main.locator('[data-testid="stCheckbox"]').filter(has_text=label).first
            if not box.locator("input").is_checked():
                box.locator("label").click()
        wait_idle(page, quiet_ms=1000)
        boxes = main.locator('[data-testid="stCheckbox"] input')
        unticked = [i for i in range(boxes.count()) if not boxes.nth(i).is_checked()]
        if len(labels) == boxes.count() and not unticked:
            return
    page.screenshot(path=str(ROOT / "test-artifacts" / "bench-workbench-failed.png"), full_page=True)
    raise AssertionError(f"「待我审批」: boxes left unticked: {unticked} of {boxes.count()}")


def browser_actions(b: Browser, round_: int, count: bool) -> None:
    """The main actions by UI labels only: an officer saves and submits a new draft, the head approves it,
    the officer publishes it, the webmaster routes a message and takes an item down."""
    from tests.browser import wait_idle

    # an officer's ordinary news item: a title with 测试 in it is itself a screening finding (the lexicon's
    # 「测试稿件」, 疑似测试内容), which a real draft does not carry; distinct per round (a repeated title in the
    # column is one too). Whatever the head's form still shows is ticked by tick_all.
    title = f"全省工业互联网平台建设第{round_ + 1}次推进会在西安召开"
    context, page = b.sign_in("xxy_dzxx", count=False)
    b.open(page, "my_articles", "我的稿件", "xxy_dzxx", count=False)
    page.get_by_role("button", name="＋ 新建稿件").click()
    page.get_by_role("textbox", name="标题", exact=True).fill(title)
    editor = page.frame_locator('iframe[title="正文编辑器"]').locator(".tiptap")
    editor.click()
    page.keyboard.type(f"12月{round_ + 1}日,全省工业互联网平台建设第{round_ + 1}次推进会在西安召开。")
    page.get_by_role("textbox", name="信息来源", exact=True).fill("电子信息处")
    page.get_by_role("textbox", name="信息来源", exact=True).press("Tab")
    wait_idle(page)
    b.timed(page, "保存草稿(我的稿件「保存」)", page.get_by_role("button", name="保存", exact=True).click,
            lambda ms: page.get_by_text("已保存为新版本").wait_for(timeout=ms), count=count)
    b.timed(page, "提交审批(我的稿件「提交审批」)", page.get_by_role("button", name="提交审批", exact=True).click,
            lambda ms: page.get_by_text("已提交审批").wait_for(timeout=ms), count=count)

    head_context, head = b.sign_in("fzr_dzxx", count=False)
    b.open(head, "approvals", "待我审批", "fzr_dzxx", count=False)
    # the head approves the draft just submitted, chosen by its title in 「打开稿件」: the queue's first item is a
    # demo article, whose 第十七条 timeliness finding (工作结束日期 days before today) depends on the day
    _pick(head, "打开稿件", re.compile(re.escape(title)))
    tick_all(head, title)
    b.timed(head, "批准(待我审批「批准」)", head.get_by_role("button", name="批准").click,
            lambda ms: head.get_by_text("已批准。").wait_for(timeout=ms), count=count)
    head_context.close()

    page.reload()
    page.get_by_role("heading", name="我的稿件").wait_for(timeout=60000)
    wait_idle(page)
    _pick(page, "打开稿件", re.compile(re.escape(title)))  # the draft the head approved: 已批准待发布
    page.get_by_role("button", name="立即发布").wait_for(timeout=60000)
    wait_idle(page)
    b.timed(page, "发布(我的稿件「立即发布」)", page.get_by_role("button", name="立即发布").click,
            lambda ms: page.get_by_text("已发布到门户网站").wait_for(timeout=ms), count=count)
    context.close()

    context, page = b.sign_in("webmaster", count=False)
    b.open(page, "interaction_desk", "互动管理", "webmaster", count=False)
    _pick(page, "承办处室", "电子信息处")
    wait_idle(page)
    b.timed(page, "分办留言(互动管理「分办」)", page.get_by_role("button", name="分办", exact=True).click,
            lambda ms: page.get_by_text("已分办给").first.wait_for(timeout=ms), count=count)
    b.open(page, "content_admin", "信息管理", "webmaster", count=False)
    _pick(page, "状态", "已发布")
    page.keyboard.press("Escape")
    wait_idle(page)
    _pick(page, "撤下类别", "信息已过时效")
    page.get_by_label("撤下原因", exact=True).fill("基准测试撤下")
    wait_idle(page)
    b.timed(page, "撤下(信息管理「撤下」)", page.get_by_role("button", name="撤下", exact=True).click,
            lambda ms: page.get_by_text("已从网站撤下").wait_for(timeout=ms), count=count)
    context.close()


def first_screening(b: Browser) -> None:
    """网站自查 opened for the first time since the server started: every published item is screened (a slice
    per run, the page usable meanwhile, core.workflow keeping what it screened; with the scheduler on, its
    ticks do it). Printed apart: until the row 严重错误 has its answer."""
    context, page = b.sign_in("webmaster", count=False)
    started, used = time.perf_counter(), _cpu_seconds(b.server.pid)
    page.locator('[data-testid="stSidebarNav"] a[href$="/self_inspection"]').first.click()
    page.get_by_role("heading", name="单项否决指标").wait_for(timeout=600000)
    page.get_by_text("全部检查完毕后给出结论").wait_for(state="detached", timeout=1800000)
    print(f"  首次打开网站自查至全部在线信息检查完毕 {time.perf_counter() - started:8.1f} s   "
          f"服务器 CPU {_cpu_seconds(b.server.pid) - used:6.1f} s", flush=True)
    context.close()


def bench_browser(db: Path, folder: Path, runs: int, root: Path, parts: set[str], users: list[str],
                  site: Path | None = None, first: bool = True) -> None:
    """Chromium against a real server: each demo role signs in and opens every page of its menu; then the
    main actions. Prints median / worst (of `runs`, after a warm-up round) until the page is usable.
    `site`: a portal already built from this database (100,000 articles take minutes), brought up to date."""
    from tests.browser import chromium, free_port, wait_for

    pages = role_pages(db)
    con = connect(db)
    started = time.perf_counter()
    if site is None:
        site = folder / "site_browser"
        portal.build_site(con, site, full=True, progress=False)  # the actions rebuild it incrementally
    elif "browser-actions" in parts:  # pages alone do not change the portal: the folder serves as it is
        portal.build_site(con, site, full=False, progress=False)
    con.close()
    print(f"\n(门户生成 {time.perf_counter() - started:.1f} s,不计入)")
    port = free_port()
    env = {**os.environ, "PORTAL_DB": str(db), "PORTAL_SITE": str(site), "PORTAL_SCHEDULER": "0"}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port), "--browser.gatherUsageStats", "false"], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    print(f"浏览器(Chromium,真实服务器 {root}/app.py)至页面可用(脚本运行结束、目标页面的地址和标题已显示,且保持 {IDLE_MS} ms):"
          "中位数 / 最慢,毫秒;服务器进程 CPU 中位数(含空闲等待期间)")
    try:
        wait_for(f"{url}/_stcore/health")
        with chromium() as browser:
            b = Browser(browser, url, server)
            warm = browser.new_page()
            warm.goto(url)
            warm.get_by_label("用户名", exact=True).wait_for(timeout=60000)
            warm.close()
            if "browser" in parts:
                if first:
                    first_screening(b)
                for username, menu in pages.items():
                    if users and username not in users:
                        continue
                    for round_ in range(runs + 1):  # the first round warms the server up and is not counted
                        context, page = b.sign_in(username, count=round_ > 0)
                        for key, title in menu:
                            if key == "self_inspection" and not first:
                                continue  # screening in slices, its fragment reruns each second: never idle till done
                            b.open(page, key, title, username, count=round_ > 0)
                        context.close()
                    b.print()
            if "browser-actions" in parts:
                print("  主要操作(界面标签驱动):")
                for round_ in range(runs + 1):
                    browser_actions(b, round_, count=round_ > 0)
                b.print()
        print(f"  服务器进程内存 {_rss_mb(server.pid):.0f} MB,CPU 合计 {_cpu_seconds(server.pid):.1f} s")
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="a demo database to copy (default: a fresh one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="pieces,actions,pages,signin")
    parser.add_argument("--profile", help="pieces | actions | page:<page>:<user>")
    parser.add_argument("--users", default="", help="browser: only these demo accounts (comma-separated)")
    parser.add_argument("--site", help="browser: a portal folder built from --db before (kept: reused as is)")
    parser.add_argument("--no-first-screening", action="store_true",
                        help="browser: skip 网站自查's first screening (at 100,000 articles minutes of CPU) and so that page")
    parser.add_argument("--root", default=str(ROOT),
                        help="the checkout whose app.py the browser parts serve (e.g. main's, for 'before')")
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
    if parts & {"browser", "browser-actions"}:  # its own copy: the server cannot open a file this process holds
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
    if "all-pages" in parts:
        bench_all_pages(db, args.runs, [u for u in args.users.split(",") if u])
    if "signin" in parts:
        bench_signin(db, args.runs)
    if parts & {"browser", "browser-actions"}:
        bench_browser(folder / "browser.duckdb", folder, args.runs, Path(args.root), parts,
                      [u for u in args.users.split(",") if u], Path(args.site) if args.site else None,
                      first=not args.no_first_screening)


if __name__ == "__main__":
    main()
