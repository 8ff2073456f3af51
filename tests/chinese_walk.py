"""The walk behind tests/test_browser_chinese*.py: every page of a role, in a real Chromium on the demo
database, with expanders, tabs, the first drop-downs and date pickers opened, collecting what a user sees
and what a screen reader hears. Two test files walk half of the roles each, so two processes share it."""

from __future__ import annotations

import json
import re

import duckdb

from pages._shared import PAGES, PUBLIC, page_roles
from tests.browser import ARTIFACTS, chromium, click_until, make_demo, manual_shot, servers, shot, wait_idle

DEMO_PASSWORD = "Demo-2026!sx"
ACCOUNTS = {"xxy_dzxx": "officer", "fzr_dzxx": "head", "ld_wang": "leader", "xzz_li": "group",
            "webmaster": "webmaster", "jszc": "tech", "analyst": "analyst"}
# the half walked by tests/test_browser_chinese.py; the office's file walks the rest
DIVISIONS_AND_LEADERS = ("xxy_dzxx", "fzr_dzxx", "ld_wang", "xzz_li")
# Latin words that stay, each for a reason:
ALLOWED = {
    # file types and units as the office writes them (附件类型, 导出 CSV/XLSX, 大小 MB)
    "docx", "doc", "pdf", "csv", "xlsx", "xls", "wps", "et", "ofd", "txt", "zip", "rar", "jpg", "jpeg", "png",
    "gif", "ppt", "pptx", "html", "parquet", "mb", "kb", "gb",
    # technical names the office itself uses: the ICP filing, the mail server, the authenticator app
    "icp", "smtp", "starttls", "totp", "sha", "ip", "url", "word", "excel", "https", "http",
    # the web server technical support configures (上线检查 and 系统设置 name its configuration file)
    "nginx",
    # the one command analysts and technical support type to open the notebooks (运行概览 says so)
    "make", "lab",
    # the two key files technical support keeps apart from the backups and copies for a restore (备份)
    "backup", "secrets", "key",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*[A-Za-z0-9]|[A-Za-z]")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+:[\w-]+|\bNone\b|\bnan\b|\bNaT\b")
COLLECT = """() => {
  const texts = [], attrs = [];
  // icon ligatures (material symbols, hidden from screen readers) are glyphs, not words
  const skip = '[data-testid="stIconMaterial"], [data-testid$="DynamicIcon"], [aria-hidden="true"][translate="no"], '
             + 'script, style, noscript';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest(skip) || !p.checkVisibility() || !n.nodeValue.trim()) continue;
    texts.push(n.nodeValue.trim());
  }
  const names = ['aria-label', 'aria-valuetext', 'aria-roledescription', 'aria-description', 'title', 'placeholder',
                 'alt'];
  for (const el of document.body.querySelectorAll(names.map((n) => '[' + n + ']').join(', '))) {
    if (el.closest(skip)) continue;
    for (const name of names) {
      const v = el.getAttribute(name);
      if (v && v.trim()) attrs.push(name + '=' + v.trim());
    }
  }
  return texts.concat(attrs);
}"""


def demo_database(tmp_path):
    """The demo database, and the names the office itself typed: user names and columns' 网址标识."""
    db = tmp_path / "demo.duckdb"
    make_demo(db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        typed = {r[0].lower() for r in con.execute("SELECT username FROM users UNION SELECT slug FROM columns")
                 .fetchall()}
    finally:
        con.close()
    return db, typed


def foreign(strings: list[str], people: set[str]) -> list[str]:
    """The strings that hold an English word or an internal code, with the offending words."""
    found = []
    for text in strings:
        value = text.split("=", 1)[1] if re.match(r"^(aria-[a-z]+|title|placeholder|alt)=", text) else text
        # e-mail and web addresses, the folders of files on the server, 查询码 (SX-7KQ2-M9XD-4TRA)
        value = re.sub(r"\S+@\S+|https?://\S+|www\.\S+|[\w.-]+\.(?:gov\.cn|com|cn)\b|(?<!\w)/[\w./-]+"
                       r"|\bSX(?:-[A-Z0-9]{4}){3}\b", "", value)
        words = [w for w in WORD.findall(value) if len(re.sub(r"[^A-Za-z]", "", w)) >= 2
                 and w.lower() not in ALLOWED and w.lower() not in people and not re.fullmatch(r"[A-Z0-9]{6,}", w)]
        codes = [c for c in CODE.findall(value) if c.split(":")[0].lower() not in people]
        if words or codes:
            found.append(f"{text[:160]!r}: {sorted(set(words + codes))}")
    return found


def settle(page, timeout_s: float = 90) -> None:
    """Until Streamlit has finished the run and the page shows its heading (or its form)."""
    wait_idle(page, ready='[data-testid="stMain"] h1, [data-testid="stForm"]', timeout_s=timeout_s)


def collect(page) -> list[str]:
    return page.evaluate(COLLECT)


# Streamlit's drop-downs and date pickers (react-aria since 1.5x): the list or calendar they open
POPOVER = '[role="listbox"], [data-testid="stDateInputCalendar"] >> visible=true'
OPENERS = ('[data-testid="stSelectbox"] button[aria-haspopup="listbox"]',
           '[data-testid="stMultiSelect"] button[aria-haspopup="listbox"]',
           '[data-testid="stDateInputCalendarButton"]')


def open_popover(page, opener) -> list[str]:
    """What a drop-down or date picker shows once open (what its popover says), then closed again.
    A click during a rerun (a tab or an expander can ask for one) is lost: clicked again."""
    popover = page.locator(POPOVER).first
    click_until(page, opener, popover, tries=2, wait_ms=1500, last_wait_ms=10000)
    seen = collect(page)
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden", timeout=5000)
    return seen


def look_around(page) -> list[str]:
    """What the page shows, then with its expanders and each tab opened, and the first drop-down,
    multiselect and date picker open."""
    seen = collect(page)
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        if summary.is_visible() and not summary.evaluate("s => s.parentElement.open"):  # some open by default
            summary.click()
    seen += collect(page)
    for tab in page.get_by_role("tab").all():
        if tab.is_visible():
            tab.click()
            page.wait_for_function("tab => tab.getAttribute('aria-selected') === 'true'", arg=tab.element_handle())
            seen += collect(page)
    for opener in OPENERS:
        box = page.locator(opener).first
        if box.count() and box.is_visible() and box.is_enabled():
            seen += open_popover(page, box)
    for grid in page.locator('[data-testid="stDataFrame"]').all():
        if grid.is_visible():
            grid.hover(timeout=10000)  # the toolbar (search, download, full screen) shows on hover
            seen += collect(page)
            break
    return seen


def sign_in(page, workbench: str, username: str) -> None:
    page.goto(workbench)
    for _ in range(3):  # a click in the first run after a start can be lost (issue 11 item 3): press again
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        try:
            page.get_by_text("退出登录").wait_for(timeout=30000)
            return
        except Exception:  # noqa: BLE001 - tried again; the last wait raises
            continue
    page.get_by_text("退出登录").wait_for(timeout=30000)


def open_in_menu(page, key: str) -> None:
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{key}"]')
    for _ in range(3):
        wait_idle(page, after_action=False)
        link.click()
        try:
            page.wait_for_url(re.compile(f"/{key}$"), timeout=15000)
            break
        except Exception:  # noqa: BLE001 - a click during a rerun is lost; the last try raises below
            continue
    page.wait_for_url(re.compile(f"/{key}$"), timeout=15000)
    settle(page)


def office_manual_shot(page, key: str) -> None:
    """The manual's screenshot (docs/manual/<key>.md) of an office page no story opens for its own sake:
    the page as the webmaster first sees it, on the demo's data, before the walk opens its drop-downs."""
    shots = {"overview": lambda: manual_shot(page, "manual-overview"),
             "statistics": lambda: manual_shot(page, "manual-statistics"),
             "accounts_admin": lambda: manual_shot(page, "manual-accounts-admin"),
             "columns_admin": lambda: manual_shot(page, "manual-columns-admin"),
             "settings_admin": lambda: manual_shot(page, "manual-settings-admin"),
             "calendar_admin": lambda: manual_shot(page, "manual-calendar-admin"),
             "lexicon_admin": lambda: manual_shot(page, "manual-lexicon-admin"),
             "catalogue_admin": lambda: manual_shot(page, "manual-catalogue-admin"),
             "request_queue": lambda: manual_shot(page, "manual-request-queue"),
             "disclosure_report": lambda: manual_shot(page, "manual-disclosure-report")}
    if key in shots:
        wait_idle(page)
        shots[key]()


def open_by_address(page, url: str) -> None:
    """Type the address of a page not the user's. A reload's first run sometimes arrives without its
    page and shows 工作台首页 (about 1 in 7 here, the first-run race of issue 11 item 3): load again."""
    for _ in range(3):
        page.goto(url)
        refused = page.locator("h1", has_text="无权访问")
        try:
            refused.or_(page.locator("h1", has_text="网站工作台")).first.wait_for(timeout=60000)
            settle(page)
        except Exception:  # noqa: BLE001 - the last wait below raises
            continue
        if refused.count():
            return
    page.locator("h1", has_text="无权访问").wait_for(timeout=60000)


PUBLIC_HEADINGS = {"message": "公众留言", "comment": "征集调查 · 我要提意见", "ask": "在线访谈 · 我要提问"}


def open_public(page, url: str, heading: str) -> None:
    """Type the address of a public page (in no staff menu); a reload's first run may show 工作台首页 instead
    (see open_by_address): load again until the page's own heading shows."""
    for _ in range(3):
        page.goto(url)
        try:
            page.locator("h1", has_text=heading).wait_for(timeout=30000)
            break
        except Exception:  # noqa: BLE001 - the last wait below raises
            continue
    page.locator("h1", has_text=heading).wait_for(timeout=30000)
    settle(page)


def role_pages(role: str) -> list[str]:
    """The role's menu; the public's pages (in no staff menu) are walked by address after it."""
    return [key for key in PAGES if role in page_roles(key)]


def walk(tmp_path, accounts: dict[str, str], public: bool, findings: str) -> dict[str, list[str]]:
    """The Latin words and codes found on every page of each of `accounts` (and on the pages of the public
    when `public`), by where they were seen; also written to test-artifacts/`findings`."""
    db, people = demo_database(tmp_path)
    problems: dict[str, list[str]] = {}
    with servers(db, tmp_path / "site") as (workbench, _), chromium() as browser:
        citizen = browser.new_page(viewport={"width": 1400, "height": 1000})
        citizen.goto(workbench)
        citizen.get_by_label("用户名", exact=True).wait_for(timeout=60000)
        if public:
            problems["登录页"] = foreign(collect(citizen), people)
            citizen.goto(f"{workbench}/message")
            settle(citizen)
            problems["公众留言(未登录)"] = foreign(look_around(citizen), people)
            shot(citizen, "chinese-public-message")
        citizen.close()
        for username, role in accounts.items():
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            sign_in(page, workbench, username)
            settle(page)
            problems[f"{username} 工作台首页"] = foreign(look_around(page), people)
            for key in role_pages(role):
                open_in_menu(page, key)
                if username == "webmaster":
                    office_manual_shot(page, key)
                problems[f"{username} {key}"] = foreign(look_around(page), people)
                if username in ("xxy_dzxx", "webmaster") or key in ("backups", "security_audit", "statistics"):
                    shot(page, f"chinese-{username}-{key}")
            for key in PUBLIC:  # not in the menu; reachable signed in at their address (「查看公众页面」)
                open_public(page, f"{workbench}/{key}", PUBLIC_HEADINGS[key])
                problems[f"{username} {key}"] = foreign(look_around(page), people)
            elsewhere = next(key for key in PAGES if role not in page_roles(key))
            open_by_address(page, f"{workbench}/{elsewhere}")
            shot(page, f"chinese-{username}-no-access")
            settle(page)
            assert PAGES[elsewhere][1] in page.inner_text("body") and "第二十二条" in page.inner_text("body")
            problems[f"{username} 无权访问"] = foreign(collect(page), people)
            context.close()
    problems = {where: found for where, found in problems.items() if found}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / findings).write_text(json.dumps(problems, ensure_ascii=False, indent=1), "utf-8")
    return problems


def report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {line}" for where, found in problems.items() for line in found)
