"""The simulated users of bench/load.py: one headless Chromium, one browser context per user (its own
cookies and Streamlit session), driven by async Playwright from one thread.

Less tried than the websocket client (bench/load_ws.py, the default): the officer's path ran at 1 and 4
users; the head's and webmaster's paths timed out in a 2-user run on the shared machine (not debugged).

A time is measured in the page's own clock: from just before the click to the moment Streamlit became
quiet after showing the result (window.__sxitQuietSince, the observer of tests/browser.py), so neither
the quiet window the wait needs nor Playwright's polling is counted.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field

from load_setup import PASSWORD, SimUser

from tests.browser import _BUSY, _QUIET_FOR, _WATCH, CHROMIUM_ARGS

CHECKLIST_PREFIXES = ("合法合规", "保密审查", "时效性", "格式规范")
TIMEOUT_MS = 120_000
ERROR = '[data-testid="stAlertContentError"], [data-testid="stException"]'


@dataclass
class Record:
    """Everything the users did and saw, shared by all of them (one thread: no locks)."""
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    saved: list[dict] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    approved: list[dict] = field(default_factory=list)
    routed: list[dict] = field(default_factory=list)
    signed_in: int = 0
    reruns: int = 0  # script reruns asked for (the websocket client counts them)

    def add(self, kind: str, seconds: float) -> None:
        self.times.setdefault(kind, []).append(seconds)


async def _quiet(page, after_action: bool = True) -> float:
    """Wait until Streamlit is quiet for 300 ms; returns when (page clock, ms) it became quiet."""
    await page.evaluate(_WATCH, [_BUSY, after_action])
    await page.wait_for_function(_QUIET_FOR, arg=[_BUSY, None, 300], polling=100, timeout=TIMEOUT_MS)
    return await page.evaluate("window.__sxitQuietSince ?? performance.now()")  # a mutation may reset it


async def timed_click(page, record: Record, kind: str, target, shown) -> None:
    """Click `target` on a quiet page, wait for `shown` and for the runs to end; record the time."""
    await _quiet(page, after_action=False)
    started = await page.evaluate("performance.now()")
    await target.click(timeout=TIMEOUT_MS)
    await shown.wait_for(timeout=TIMEOUT_MS)
    ended = await _quiet(page)
    record.add(kind, max(0.0, ended - started) / 1000)
    error = page.locator(ERROR)
    if await error.count():
        record.errors.append(f"{kind}: {(await error.first.inner_text())[:120]}")


async def sign_in(page, url: str, user: SimUser, record: Record) -> None:
    await page.goto(url, timeout=TIMEOUT_MS)
    await page.get_by_label("用户名", exact=True).fill(user.username, timeout=TIMEOUT_MS)
    await page.get_by_label("密码", exact=True).fill(PASSWORD)
    await timed_click(page, record, "sign_in", page.get_by_role("button", name="登录"), page.get_by_text("退出登录"))
    record.signed_in += 1


async def open_page(page, record: Record, title: str) -> None:
    link = page.get_by_role("link", name=title, exact=True).first
    more = page.get_by_test_id("stSidebarNavViewButton")
    if not await link.is_visible() and await more.count() and "more" in (await more.inner_text() or ""):
        await more.click()  # Streamlit folds a long navigation ("View n more")
    await timed_click(page, record, "open", link, page.get_by_role("heading", level=1, name=title, exact=True))


async def think(seconds: float) -> None:
    await asyncio.sleep(random.uniform(0.5, 1.5) * seconds)


async def officer(page, user: SimUser, record: Record, until: float, think_s: float) -> None:
    await open_page(page, record, "我的稿件")
    number = 0
    while time.monotonic() < until:
        number += 1
        token = f"LT{user.username[-2:]}N{number:03d}"
        title = f"压测稿件{user.username}第{number}篇{token}"
        await timed_click(page, record, "new", page.get_by_role("button", name=re.compile("新建稿件")),
                          page.get_by_label("标题", exact=True))
        await page.get_by_label("标题", exact=True).fill(title)
        editor = page.frame_locator('iframe[title="正文编辑器"]').locator(".tiptap")
        await editor.click(timeout=TIMEOUT_MS)
        await page.keyboard.type(f"本处室召开专题会议部署年度重点工作。{token}")
        await page.locator('[data-testid="stMain"] h1').first.click()  # the editor hands its text over on blur
        await _quiet(page)
        await think(think_s)
        await timed_click(page, record, "save", page.get_by_role("button", name="保存", exact=True),
                          page.get_by_text("已保存为新版本"))
        record.saved.append({"title": title, "token": token})
        await think(think_s)
        if time.monotonic() >= until:
            break
        await timed_click(page, record, "submit", page.get_by_role("button", name="提交审批", exact=True),
                          page.get_by_text("已提交审批"))
        record.submitted.append(title)
        await think(think_s)


async def head(page, user: SimUser, record: Record, until: float, think_s: float) -> None:
    await open_page(page, record, "待我审批")
    while time.monotonic() < until:
        if await page.get_by_text("目前没有等待您审批的稿件").count():
            await think(think_s * 2)
            await open_page(page, record, "待我审批")  # what the officers submitted since
            continue
        title = (await page.get_by_role("heading", level=3).first.inner_text()).strip()
        boxes = page.locator('[data-testid="stMain"] [data-testid="stCheckbox"]')
        for index in range(await boxes.count()):
            box = boxes.nth(index).get_by_role("checkbox")
            if await box.is_checked():
                continue
            await _quiet(page, after_action=False)
            started = await page.evaluate("performance.now()")
            await box.check(force=True, timeout=TIMEOUT_MS)  # as tests/test_browser_approvals.py ticks
            await page.wait_for_function(
                "(i) => document.querySelectorAll('[data-testid=stMain] [data-testid=stCheckbox] input')[i].checked",
                arg=index, timeout=TIMEOUT_MS)
            record.add("tick", max(0.0, await _quiet(page) - started) / 1000)
            await think(think_s / 4)
        await timed_click(page, record, "approve", page.get_by_role("button", name="批准", exact=True),
                          page.get_by_text("已批准。"))
        record.approved.append({"title": title, "user": user.username})
        await think(think_s)


async def webmaster(page, user: SimUser, record: Record, until: float, think_s: float, route_to: list[str]) -> None:
    await open_page(page, record, "互动管理")
    number = 0
    while time.monotonic() < until:
        division = route_to[number % len(route_to)]
        number += 1
        await _quiet(page, after_action=False)
        await page.get_by_role("combobox", name="承办处室").click(timeout=TIMEOUT_MS)
        await page.get_by_role("option", name=division, exact=True).click(timeout=TIMEOUT_MS)
        done = page.get_by_text(re.compile("已分办给"))
        await timed_click(page, record, "route", page.get_by_role("button", name="分办", exact=True), done)
        found = re.search(r"留言 (\S+) 已分办给(.+?),", await done.first.inner_text())
        if found:
            record.routed.append({"code": found.group(1), "division": found.group(2)})
        await think(think_s)


async def one_user(browser, url: str, user: SimUser, record: Record, until: float, think_s: float,
                   route_to: list[str], contexts: list) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1200}, locale="zh-CN")
    contexts.append(context)
    page = await context.new_page()
    try:
        await asyncio.sleep(random.uniform(0, 1))  # they arrive together, not in the same millisecond
        await sign_in(page, url, user, record)
        if user.role == "officer":
            await officer(page, user, record, until, think_s)
        elif user.role == "head":
            await head(page, user, record, until, think_s)
        else:
            await webmaster(page, user, record, until, think_s, route_to)
    except Exception as exc:  # noqa: BLE001 - one user's failure is a figure, the others go on
        record.errors.append(f"{user.username}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")


async def warm_up(browser, url: str) -> None:
    """The first script run after a start is Streamlit's pages-folder mode (tests/browser.py)."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url)
    await page.get_by_label("用户名", exact=True).wait_for(timeout=TIMEOUT_MS)
    await context.close()


async def run_users(urls: list[str], users: list[SimUser], minutes: float, think_s: float, route_to: list[str],
                    on_warm, on_signed_in, on_done) -> Record:
    """All users at once for `minutes`; `on_warm()` is called after the warm-up (before anyone signs
    in), `on_signed_in()` once every user is signed in (or failed), `on_done()` when the time is up,
    before the contexts close."""
    from playwright.async_api import async_playwright  # deferred: only this client needs Playwright

    record = Record()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for url in urls:
            await warm_up(browser, url)
        on_warm()
        until = time.monotonic() + minutes * 60
        contexts: list = []
        tasks = [asyncio.create_task(one_user(browser, urls[n % len(urls)], u, record, until, think_s, route_to,
                                              contexts)) for n, u in enumerate(users)]

        async def watch_sign_ins() -> None:
            while record.signed_in + len(record.errors) < len(users) and not all(t.done() for t in tasks):
                await asyncio.sleep(0.5)
            on_signed_in()

        watcher = asyncio.create_task(watch_sign_ins())
        await asyncio.gather(*tasks)
        await watcher
        on_done()
        for context in contexts:
            await context.close()
        await browser.close()
    return record
