"""Real servers and a real headless Chromium for the browser stories (Debian chromium + Playwright).

Imports from the standard library and Playwright only (core runs in the servers' own processes)."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
RUNNING_MARKS: set[str] | None = None  # the marks of the test now running (set by tests/conftest.py)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


@contextmanager
def servers(db_path: Path, site_dir: Path, extra_env: dict[str, str] | None = None, base_path: str = ""):
    """The workbench (Streamlit) and the portal (static files), as `make run` starts them. `base_path`
    serves the workbench under that path, as behind nginx (deploy/nginx.conf)."""
    workbench_port, portal_port = free_port(), free_port()
    env = {**os.environ, "PORTAL_DB": str(db_path), "PORTAL_SITE": str(site_dir), "PORTAL_SCHEDULER": "0",
           **(extra_env or {})}
    site_dir.mkdir(parents=True, exist_ok=True)
    portal = subprocess.Popen([sys.executable, "scripts/serve_portal.py", str(portal_port), "--bind", "127.0.0.1",
                               "--directory", str(site_dir)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workbench = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                                  "--server.port", str(workbench_port), "--browser.gatherUsageStats", "false",
                                  *(["--server.baseUrlPath", base_path] if base_path else [])],
                                 cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        prefix = f"/{base_path}" if base_path else ""
        wait_for(f"http://127.0.0.1:{workbench_port}{prefix}/_stcore/health")
        wait_for(f"http://127.0.0.1:{portal_port}/", timeout=20)
        yield f"http://127.0.0.1:{workbench_port}{prefix}", f"http://127.0.0.1:{portal_port}"
    finally:
        for process in (workbench, portal):
            process.terminate()
        for process in (workbench, portal):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def static_server(site: Path):
    """The built portal as `make run` serves it: python -m http.server on a free local port."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/index.html", timeout=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


_DEMO_TEMPLATES: dict[tuple[tuple[str, str], ...], Path] = {}


def _demo_template(env: dict[str, str]) -> Path:
    """The folder of a demo database built once per test process (and `env`): `core init --demo` is
    seconds of work that every browser story repeated."""
    key = tuple(sorted(env.items()))
    if key not in _DEMO_TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="sxit-demo-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "core", "init", "--db", str(folder / "demo.duckdb"), "--demo"],
                       cwd=ROOT, check=True, capture_output=True, env={**os.environ, **env})
        _DEMO_TEMPLATES[key] = folder
    return _DEMO_TEMPLATES[key]


def make_demo(db_path: Path, env: dict[str, str] | None = None) -> Path:
    """A database with the demo content, as `make run` creates it (`python -m core init --demo`): a copy
    of this process's demo template, with whatever files init left beside it (a key file, a log), so
    each test has its own file and nothing one test writes reaches another."""
    template = _demo_template(env or {})
    for made in template.iterdir():
        target = db_path.parent / made.name.replace("demo.duckdb", db_path.name, 1)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out, open(made, "rb") as source:
            shutil.copyfileobj(source, out)
    return db_path


_CHROMIUM: dict[str, object] = {}  # this test process's Playwright and Chromium, started at first use


def _running_chromium():
    """One Chromium per test process: starting Playwright and Chromium cost ≈1 s a story. A story gets
    its own browser contexts (cookies, storage, cache), closed when it ends; a browser that died is
    started again."""
    from playwright.sync_api import sync_playwright  # deferred: only browser stories load Playwright

    browser = _CHROMIUM.get("browser")
    if browser is None or not browser.is_connected():
        if "playwright" not in _CHROMIUM:
            _CHROMIUM["playwright"] = sync_playwright().start()
            atexit.register(_stop_chromium)
        browser = _CHROMIUM["playwright"].chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        _CHROMIUM["browser"] = browser
    return browser


def _stop_chromium() -> None:
    browser, playwright = _CHROMIUM.pop("browser", None), _CHROMIUM.pop("playwright", None)
    try:
        if browser is not None and browser.is_connected():
            browser.close()
    finally:
        if playwright is not None:
            playwright.stop()


def _shoot_failure(browser) -> None:
    """A story failed: what each of its pages showed, in test-artifacts/failed-<test>-<n>.png (a flaky
    failure in CI can then be looked at)."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "story").split(" ")[0].rsplit("::", 1)[-1]
    pages = [page for context in browser.contexts for page in context.pages] if browser.is_connected() else []
    name = re.sub(r"[^\w-]+", "_", test)[:80]
    for number, page in enumerate(pages, start=1):
        try:
            shot(page, f"failed-{name}-{number}")
        except Exception:  # noqa: BLE001 - a page that cannot be drawn must not hide the failure itself
            pass


@contextmanager
def chromium():
    if RUNNING_MARKS is not None and "browser" not in RUNNING_MARKS:
        raise RuntimeError("a test that starts Chromium is marked @pytest.mark.browser, so that "
                           "`pytest -m 'not browser'` really leaves Chromium out")
    browser = _running_chromium()
    try:
        yield browser
    except BaseException:
        _shoot_failure(browser)
        raise
    finally:
        if browser.is_connected():
            for context in list(browser.contexts):
                context.close()


# Streamlit is busy while its status widget shows (from the moment a rerun is requested until 200 ms after the
# run) or an element of the previous run is still marked stale. An observer in the page notes when the page last
# became quiet (window.__sxitQuietSince, null while busy), so a wait before a click costs nothing on a page that
# has long been quiet; a wait after an action starts counting from the action.
_BUSY = '[data-testid="stStatusWidget"], [data-stale="true"]'
_WATCH = """([busy, fromNow]) => {
    if (fromNow) window.__sxitQuietSince = null;
    if (window.__sxitWatch) return;
    window.__sxitQuietSince = null;
    window.__sxitWatch = new MutationObserver(() => {
        if (document.querySelector(busy)) window.__sxitQuietSince = null;
        else window.__sxitQuietSince = window.__sxitQuietSince ?? performance.now();
    });
    window.__sxitWatch.observe(document.documentElement,
                               {subtree: true, childList: true, attributes: true, attributeFilter: ['data-stale']});
}"""
_QUIET_FOR = """([busy, ready, quietMs]) => {
    const now = performance.now();
    if (document.querySelector(busy) || (ready && !document.querySelector(ready))) {
        window.__sxitQuietSince = null;
        return false;
    }
    window.__sxitQuietSince = window.__sxitQuietSince ?? now;
    return now - window.__sxitQuietSince >= quietMs;
}"""


def wait_idle(page, ready: str | None = None, quiet_ms: int = 400, timeout_s: float = 90, *,
              after_action: bool = True) -> None:
    """Until Streamlit has finished its runs (and `ready`, a CSS selector, is on the page): quiet for
    `quiet_ms` in a row, checked every 100 ms in the page. A click that lands during a run can be lost
    (sign-in ends with a second run), so stories wait for this before they click on.

    `after_action`: the quiet counts from now, since the run an action asked for may not have shown yet;
    False (just before a click, nothing done since the last wait): a page quiet for long enough already is."""
    page.evaluate(_WATCH, [_BUSY, after_action])
    page.wait_for_function(_QUIET_FOR, arg=[_BUSY, ready, quiet_ms], polling=100, timeout=timeout_s * 1000)


def leave_editor(page) -> None:
    """The rich editor hands its text over half a second after the last key (or when it loses the focus),
    in a rerun; a click during that run is lost. Click the page's heading to take the focus, then wait."""
    page.locator('[data-testid="stMain"] h1').first.click()
    wait_idle(page)


def warm_up(browser, workbench: str, timeout: float = 45000) -> None:
    """Open the sign-in page once and close it: the first script run after a start is Streamlit's
    pages-folder mode (see app.py), which a story should not be the one to meet."""
    warm = browser.new_page()
    warm.goto(workbench)
    warm.get_by_label("用户名", exact=True).wait_for(timeout=timeout)
    warm.close()


def login(page, workbench: str, username: str, password: str) -> None:
    page.goto(workbench)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("退出登录").wait_for(timeout=30000)
    wait_idle(page)


def click_until(page, target, shown, tries: int = 3, wait_ms: float = 15000, last_wait_ms: float = 30000) -> None:
    """Click `target` on a quiet page until `shown` (a locator) appears. A click that lands during a rerun is
    lost by Streamlit (more often on a loaded machine): click again; the last try waits `last_wait_ms` and raises."""
    for attempt in range(1, tries + 1):
        wait_idle(page, after_action=False)
        target.click(timeout=10000)
        try:
            shown.wait_for(timeout=last_wait_ms if attempt == tries else wait_ms)
            return
        except Exception:  # noqa: BLE001 - clicked again; the last try's wait raises
            if attempt == tries:
                raise


def go_to_page(page, link: str, heading: str | None = None, tries: int = 3) -> None:
    """Follow a navigation link to the page whose heading is `heading` (the link's own words by default)."""
    click_until(page, page.get_by_role("link", name=link, exact=True).first,
                page.get_by_role("heading", level=1, name=heading or link, exact=True), tries)
    wait_idle(page)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


MANUAL_IMAGES = ROOT / "docs" / "manual" / "images"

# The names the manual's screenshots show for tests/conftest.py make_org's accounts (whose display names are
# their user names in capitals): only the display name changes; the stories still sign in as officer, head ….
REAL_NAMES = {"officer": "张明", "officercw": "王芳", "head": "李华", "headcw": "赵强", "leader": "王建国",
              "leader2": "刘洋", "group1": "陈静", "group2": "杨帆", "webmaster": "周敏", "tech": "吴磊",
              "analyst": "孙丽"}


def give_real_names(con) -> None:
    """Display names as a person's (张明, 李华 …) for the accounts of make_org, before a story whose
    screenshots go into the manual: the screen shows the display name, the sign-in form the user name."""
    for username, name in REAL_NAMES.items():
        con.execute("UPDATE users SET display_name = ? WHERE username = ?", [name, username])


def manual_shot(page, name: str, moving: bool = False) -> None:
    """A screenshot for the user manual (docs/manual/*.md shows it as images/<name>.png): taken by the
    story at the moment the manual describes, so the manual shows the workbench as it is. The visible
    part of the window only (small files; they are committed so a fresh clone's manual has them).

    The file is rewritten only when the picture changed (same_picture): a run that sees the same screen
    leaves the committed image, and the checkout, as they were. `moving`: the page shows what differs from
    run to run although nothing changed — the time of day (core has no settable clock: the times come from
    Python's and DuckDB's own clocks), temporary folders, ports, query codes, database ids — so those places
    (`moving_boxes`) are left out of the comparison; everything around them still counts. And the shot waits
    for the page's transitions to end (a field just focused fades its border in)."""
    MANUAL_IMAGES.mkdir(parents=True, exist_ok=True)
    target = MANUAL_IMAGES / f"{name}.png"
    _tables_drawn(page)
    if moving:
        _transitions_done(page)
    taken = page.screenshot()
    ignore = moving_boxes(page) if moving else []
    if target.is_file() and same_picture(target.read_bytes(), taken, ignore=ignore):
        return
    target.write_bytes(taken)


# What differs between two runs of the same story: a date (2026-12-07, 2026/12/14) or a time of day, a temporary
# folder, a local port, a message's query code (SX-…), a backup's name, a database id (#12), counts of the demo
# site's pages and links (3,428 / 126,670: the demo's dates follow the day it is made).
MOVING = (r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}:\d{2}|/tmp/|pytest-of-|127\.0\.0\.1:\d+"
          r"|SX-[0-9A-Z]{4}-|portal-\d{8}|#\d+|\d[\d,]* / \d[\d,]*")

# Until the page's finite animations and transitions have ended (spinners run forever and are not waited for).
_TRANSITIONS = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null)))"""


def _transitions_done(page) -> None:
    try:
        page.evaluate(_TRANSITIONS)
    except Exception:  # noqa: BLE001 - a page that navigated meanwhile is photographed as it is
        return

# The boxes, in the window, of the text (across its element's width) and input values matching MOVING, and of every table: a table is drawn
# on a canvas, its cells are not in the page to measure one by one.
_MOVING_BOXES = """(source) => {
    const moving = new RegExp(source), boxes = [];
    const add = r => { if (r.width > 0 && r.height > 0) boxes.push([r.left, r.top, r.right, r.bottom]); };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!moving.test(node.nodeValue)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const text = range.getBoundingClientRect(), block = node.parentElement.getBoundingClientRect();
        // the whole width of its element: another run's text may be longer (another folder, wider digits)
        add(new DOMRect(block.left, text.top, block.width, text.height));
    }
    for (const input of document.querySelectorAll('input, textarea')) {
        if (moving.test(input.value)) add(input.getBoundingClientRect());
    }
    for (const table of document.querySelectorAll('[data-testid="stDataFrame"]')) add(table.getBoundingClientRect());
    return boxes;
}"""


def moving_boxes(page) -> list[tuple[int, int, int, int]]:
    """(left, top, right, bottom) in the screenshot's pixels of what `MOVING` finds on the page, a little wider
    (anti-aliasing)."""
    found = page.evaluate(_MOVING_BOXES, MOVING)
    return [(int(left) - 2, int(top) - 2, int(right) + 3, int(bottom) + 3) for left, top, right, bottom in found]


# A table (st.dataframe) draws its cells on a canvas after the page is quiet; it is drawn once its grid has
# put its rows in the page for screen readers (a header row at least, for an empty table).
_TABLES_DRAWN = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .filter(table => table.getBoundingClientRect().height > 0).every(table => table.querySelector('tr'))"""


def _tables_drawn(page, timeout_s: float = 30) -> None:
    """Until every visible table is drawn, and the next frame painted: the manual shows no empty grid.
    A table still not drawn after `timeout_s` is photographed as it is (a screenshot fails no story)."""
    try:
        page.wait_for_function(_TABLES_DRAWN, polling=100, timeout=timeout_s * 1000)
    except Exception:  # noqa: BLE001 - the screenshot is taken anyway
        return
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def same_picture(old: bytes, new: bytes, tolerance: int = 32, share: float = 0.0001,
                 ignore: list[tuple[int, int, int, int]] | tuple = ()) -> bool:
    """Two PNGs show the same picture: the same size, and at most `share` of the pixels (≈ 140 of a
    1400×1000 window, less than one character) differ by more than `tolerance` in a colour channel:
    a changed word, button or row is a change, anti-aliasing noise is not. Compared decoded (Pillow),
    since the PNG encoder's bytes may differ for the same pixels. The boxes of `ignore` (left, top, right,
    bottom) are left out of the comparison (manual_shot's `moving`)."""
    import io

    from PIL import Image, ImageChops  # deferred: only the stories that take manual screenshots need it

    with Image.open(io.BytesIO(old)) as a, Image.open(io.BytesIO(new)) as b:
        a, b = a.convert("RGB"), b.convert("RGB")
        if a.size != b.size:
            return False
        if ignore:
            from PIL import ImageDraw

            for picture in (a, b):
                draw = ImageDraw.Draw(picture)
                for box in ignore:
                    draw.rectangle(box, fill=(0, 0, 0))
        red, green, blue = ImageChops.difference(a, b).split()
        most = ImageChops.lighter(ImageChops.lighter(red, green), blue)  # the largest channel difference
        changed = most.point(lambda v: 255 if v > tolerance else 0).histogram()[255]
        return changed <= share * a.size[0] * a.size[1]
