"""Site search: our own static index over the built portal (a base segment, a recent segment with
tombstones after a publish), the Python query over it, and the search page in Debian Chromium under
the portal's Content-Security-Policy."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from core import search, workflow
from core.cli import build as build_command
from core.portal import article_url, build_site
from tests.browser import chromium, shot, static_server
from tests.conftest import make_org

CHIP = ("全省集成电路产业发展推进会在西安召开",
        "<p>会议研究部署集成电路产业链建设,推动芯片设计、制造、封装测试协同发展。</p>",
        datetime(2025, 6, 18, 9, 30))
CAR = ("氢燃料电池汽车示范应用项目启动",
       "<p>首批氢燃料电池公交车在西咸新区投入运营,加氢站同步建成。</p>",
       datetime(2025, 8, 2, 10, 0))
PANDA = ("秦岭熊猫栖息地生态保护资金下达",
         "<p>省级财政下达秦岭熊猫栖息地生态保护补助资金,支持保护区巡护监测。</p>",
         datetime(2024, 3, 12, 15, 0))
NOWHERE = "火星探测器"  # in no article
ROOT = Path(__file__).resolve().parent.parent


def publish(con, officer, head, column: int, title: str, body: str, when: datetime) -> int:
    """Through the real workflow, then dated (the URL and the shard follow the publication date)."""
    article = workflow.create_article(con, officer, column, title, body, "办公室", dt.date.today(), "一般")
    article = workflow.submit(con, officer, article.id, article.version)
    article = workflow.approve(con, head, article.id, article.version, list(workflow.CHECKLIST))
    article = workflow.publish(con, officer, article.id, article.version)
    con.execute("UPDATE articles SET published_at = ? WHERE id = ?", [when, article.id])
    return article.id


@pytest.fixture
def portal(tmp_path, con):
    """A built and indexed portal: 集成电路 and 氢燃料 in 2025 (工作动态), 熊猫 in 2024 (财政资金)."""
    org = make_org(con)
    ids = {
        "chip": publish(con, org.officer, org.head, org.col_dz, *CHIP),
        "car": publish(con, org.officer, org.head, org.col_dz, *CAR),
        "panda": publish(con, org.officer_cw, org.head_cw, org.col_cw, *PANDA),
    }
    site = tmp_path / "site"
    build_site(con, site, full=True)
    result = search.index_all(site)
    assert result["pages"] == 3
    return {"con": con, "org": org, "site": site, "ids": ids, "indexed": result}


def url_of(name: str, portal: dict) -> str:
    when = {"chip": CHIP, "car": CAR, "panda": PANDA}[name][2]
    return article_url(portal["ids"][name], when)


def indexed_urls(site: Path, shard: str) -> set[str]:
    """The pages of a quarter the installed index finds (the docs of its segments less the dead)."""
    year, months = search.shard_months(shard)
    return {u for u in search.indexed_urls(site)
            if any(u.startswith(f"/art/{year:04d}/{m:02d}/") or u.startswith(f"/hd/{year:04d}/{m:02d}/")
                   for m in months)}


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- shards


def test_shard_ids_are_quarters_newest_first():
    assert search.shard_for(datetime(2025, 6, 30)) == "2025q2"
    assert search.shard_for(dt.date(2025, 7, 1)) == "2025q3"
    assert search.shards_for_years([2024, 2025]) == ["2025q4", "2025q3", "2025q2", "2025q1",
                                                     "2024q4", "2024q3", "2024q2", "2024q1"]
    assert search.resolve(["2024q4", 2023, dt.date(2025, 1, 5)])[:2] == ["2025q1", "2024q4"]
    with pytest.raises(ValueError):
        search.shard_months("2025q5")


def test_index_all_writes_a_segment_and_a_manifest(portal):
    site = portal["site"]
    manifest = json.loads((site / "search-index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pages"] == 3 and manifest["building"] is False
    [segment] = manifest["segments"]
    folder = site / "search-index" / segment["id"]
    assert segment["docs"] == 3 and segment["dead"] == [] and not segment.get("recent")
    assert len(list(folder.glob("p*.bin"))) == segment["buckets"] and (folder / "days.bin").stat().st_size == 6
    rows = json.loads((folder / "d0.json").read_text(encoding="utf-8"))
    # in date order: 熊猫 (2024), 集成电路, 氢燃料 (2025)
    assert [r[1] for r in rows] == [PANDA[0], CHIP[0], CAR[0]]
    assert rows[1][2] == "2025-06-18" and rows[1][3] == "工作动态"
    assert manifest["filters"]["栏目"] == {"工作动态": 2, "财政资金": 1}
    assert indexed_urls(site, "2025q2") == {url_of("chip", portal)}
    assert indexed_urls(site, "2024q1") == {url_of("panda", portal)}
    # only the <article> is indexed, not the navigation
    assert search.query(site, "集成电路")["count"] == 1 and search.query(site, "主导航")["count"] == 0
    assert search.stale_shards(site) == []


def test_a_publish_goes_into_the_recent_segment_and_leaves_the_base_untouched(portal):
    con, org, site = portal["con"], portal["org"], portal["site"]
    [base] = search.read_manifest(site)["segments"]
    before = mtimes(site / "search-index" / base["id"])

    publish(con, org.officer, org.head, org.col_dz, "集成电路设计企业座谈会召开",
            "<p>座谈会听取芯片设计企业意见。</p>", datetime(2025, 5, 20, 9, 0))
    built = build_site(con, site, full=False)
    assert 2025 in built["touched_years"]
    assert search.stale_shards(site, built["touched_years"]) == ["2025q2"]
    result = search.index_shards(site, search.stale_shards(site, built["touched_years"]))

    assert result["pages"] == 4
    assert mtimes(site / "search-index" / base["id"]) == before  # not one file of the base rewritten
    manifest = search.read_manifest(site)
    assert [s["id"] for s in manifest["segments"]][0] == base["id"]
    recent = manifest["segments"][1]
    assert recent["recent"] is True and recent["docs"] >= 1
    found = search.query(site, "集成电路")
    assert {r["title"] for r in found["results"]} == {"集成电路设计企业座谈会召开", CHIP[0]}
    assert search.stale_shards(site) == []


def test_an_edited_article_is_found_by_its_new_text_only(portal, monkeypatch):
    """The base's copy of a page changed since is masked (a tombstone); the recent segment has the new one."""
    monkeypatch.setattr(search, "GRACE_SECONDS", 0)
    site = portal["site"]
    page = site / url_of("chip", portal).lstrip("/")
    page.write_text(page.read_text(encoding="utf-8").replace("芯片设计", "晶圆制造"), encoding="utf-8")
    search.index_shards(site, ["2025q2"])
    manifest = search.read_manifest(site)
    assert manifest["segments"][0]["dead"] == [1]  # the chip article's base copy (doc 1, in date order)
    assert search.query(site, "芯片设计")["count"] == 0
    assert [r["url"] for r in search.query(site, "晶圆制造")["results"]] == [url_of("chip", portal)]
    assert search.query(site, "集成电路")["count"] == 1  # once, not twice
    assert manifest["pages"] == 3


def test_superseded_segments_stay_for_pages_opened_before_the_swap(portal):
    site = portal["site"]
    page = site / url_of("chip", portal).lstrip("/")
    for word in ("晶圆制造", "封装测试"):
        page.write_text(page.read_text(encoding="utf-8").replace("芯片设计", word), encoding="utf-8")
        search.index_shards(site, ["2025q2"])
        if word == "晶圆制造":
            first = search.read_manifest(site)["segments"][1]["id"]
    second = search.read_manifest(site)["segments"][1]["id"]
    assert first != second  # each publish installs a new recent segment under a new name
    assert (site / "search-index" / first / "p0.bin").is_file()  # the old one is still served
    superseded = json.loads((site / "search-index" / ".superseded.json").read_text(encoding="utf-8"))
    assert first in superseded
    assert not list((site / "search-index").glob(".tmp-*"))


def test_taken_down_article_leaves_the_index_after_a_reindex(portal, monkeypatch):
    monkeypatch.setattr(search, "GRACE_SECONDS", 0)
    con, org, site = portal["con"], portal["org"], portal["site"]
    car = url_of("car", portal)
    assert indexed_urls(site, "2025q3") == {car}
    article = workflow.get_article(con, portal["ids"]["car"])
    workflow.take_down(con, org.webmaster, article.id, article.version, "信息有误,暂时撤下")
    built = build_site(con, site, full=False)
    assert "撤下" in (site / car.lstrip("/")).read_text(encoding="utf-8")  # the notice, same URL

    search.reindex_in_background(site, built["touched_years"]).join(timeout=120)

    assert search.last_reindex()["ok"] is True
    # in a process of its own: the workbench's interpreter is not held while its page reruns (issue 16)
    assert search.last_reindex()["pid"] != os.getpid()
    # the notice has no data-pagefind-body: not in the recent segment; the base's copy is dead
    manifest = search.read_manifest(site)
    assert 2 in manifest["segments"][0]["dead"] and manifest["pages"] == 2  # (its neighbours' links changed too)
    assert search.query(site, "氢燃料电池")["count"] == 0
    assert search.stale_shards(site) == []
    assert indexed_urls(site, "2025q3") == set()
    assert indexed_urls(site, "2025q2") == {url_of("chip", portal)}


def test_a_recent_segment_past_its_bound_rebuilds_the_base(portal, monkeypatch):
    monkeypatch.setattr(search, "RECENT_MAX", 1)
    site = portal["site"]
    for name in ("chip", "panda"):
        page = site / url_of(name, portal).lstrip("/")
        page.write_text(page.read_text(encoding="utf-8").replace("</article>", "<p>补充说明。</p></article>"),
                        encoding="utf-8")
    search.index_shards(site, ["2025q2"])
    assert len(search.read_manifest(site)["segments"]) == 2  # base + recent (1 page)
    search.index_shards(site, ["2024q1"])
    [base] = search.read_manifest(site)["segments"]  # 2 pages > RECENT_MAX: one fresh base
    assert base["dead"] == [] and base["docs"] == 3
    assert search.query(site, "补充说明")["count"] == 2


def test_a_segment_built_in_batches_finds_what_one_batch_finds(portal, monkeypatch):
    """Batches are built in processes of their own and their blocks joined in each bucket file."""
    site = portal["site"]
    queries = ("集成电路", "熊猫", "资金", "氢", "2025", "工作动态")
    one = {q: search.query(site, q) for q in queries}
    monkeypatch.setattr(search, "BATCH_DOCS", 1)
    result = search.index_all(site)
    assert result["pages"] == 3
    assert {q: search.query(site, q) for q in queries} == one
    assert one["资金"]["count"] == 1 and one["氢"]["count"] == 1


def test_the_full_index_lists_the_pages_of_plan_shards_oldest_month_first(portal):
    """_pages_on_disk walks the article folders once: the pages of plan_shards, in its order
    (oldest quarter first, by path within one), with each page's size and modification time."""
    site = portal["site"].resolve()
    (site / "art" / "2024" / "03" / "notes.txt").write_text("不是页面", encoding="utf-8")  # not a page
    (site / "art" / "2024" / "xx").mkdir()  # not a month
    plan = search.plan_shards(site)
    expected = [rel for shard in reversed(list(plan)) for rel in plan[shard]]
    pages = search._pages_on_disk(site)
    assert list(pages) == expected and len(expected) == 3
    for rel, (size, mtime) in pages.items():
        st = os.stat(site / rel)
        assert (size, mtime) == (st.st_size, st.st_mtime_ns)


def test_character_classes_seen_on_first_sight_are_those_of_every_code_point():
    """_classes classifies the code points a batch has, on first sight (not all 1.1 million in every
    process): Chinese 1, another letter or digit 2, anything else 0, as the regular expression says."""
    import numpy as np

    sample = np.array([0x41, 0x5F, 0x3000, 0x4E2D, 0x3400, 0xFA0E, 0xFF21, 0x00E9, 0x0663, 0x2160,
                       0x1F600, 0x20000, 0x0301, 0xAC00])
    table = search._classes(sample)
    for c in sample.tolist():
        ch = chr(c)
        chinese = any(lo <= c <= hi for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)))
        assert table[c] == (1 if chinese else 2 if re.fullmatch(r"[^\W_]", ch) else 0), hex(c)
    assert table[0x4E2D] == 1 and table[0xFF21] == 2 and table[0x5F] == 0 and table[0x3000] == 0
    assert search.query_parts("Ａ中文")[0]["words"] == [("a", 0), ("中文", 1)]


def test_background_reindex_runs_one_at_a_time_and_coalesces(portal, monkeypatch):
    site = portal["site"]
    gate = threading.Event()
    calls: list[list[str]] = []
    active = []
    real = search._reindex

    def slow_reindex(site_dir, years):
        active.append(1)
        assert len(active) == 1, "two re-indexes at once"
        gate.wait(timeout=30)
        try:
            result = real(site_dir, years)
            calls.append(result["stale"])
            return result
        finally:
            active.pop()

    monkeypatch.setattr(search, "_reindex", slow_reindex)
    for name in ("chip", "panda"):  # both shards stale
        page = site / url_of(name, portal).lstrip("/")
        page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    first = search.reindex_in_background(site, [2025])
    second = search.reindex_in_background(site, [2024])
    third = search.reindex_in_background(site, [2024, 2025])
    assert first is second is third and first.daemon
    gate.set()
    first.join(timeout=120)
    assert not first.is_alive()
    assert 1 <= len(calls) <= 2  # the three requests were served by at most two passes
    assert sorted(shard for call in calls for shard in call) == ["2024q1", "2025q2"]
    assert search.stale_shards(site) == []


def test_search_page_needs_no_inline_script_and_explains_itself_without_one(portal):
    html = (portal["site"] / "search.html").read_text(encoding="utf-8")
    assert re.search(r'<form[^>]*role="search"[^>]*method="get"', html) or \
        re.search(r'<form[^>]*method="get"[^>]*role="search"', html)
    assert 'name="q"' in html and 'aria-live="polite"' in html
    noscript = html[html.index("<noscript>"):html.index("</noscript>")]
    assert "JavaScript" in noscript and 'href="/sitemap.html"' in noscript and "栏目" in noscript
    assert 'href="/col/gzdt/index.html"' in noscript
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)  # no inline code
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline handlers
    assert "'unsafe-inline'" not in html and "'unsafe-eval'" not in html
    assert (portal["site"] / "static" / "search.js").is_file()


# --------------------------------------------------------------------------- in the browser


def _status(page, words: str | None = None) -> str:
    """The status line once the search has finished: the page sets it before it draws the results and marks the
    region aria-busy until they are drawn; with `words`, the status must be the one of that query (a fresh
    query first shows the previous query's status until its own run starts)."""
    page.wait_for_function(
        """(words) => { const s = document.getElementById('search-status').textContent;
           const busy = document.getElementById('search-results').getAttribute('aria-busy') === 'true';
           return s && !s.startsWith('正在') && !busy && (!words || s.includes(words)); }""",
        arg=words, timeout=45000)
    return page.locator("#search-status").text_content()


def _results(page) -> list[tuple[str, str]]:
    links = page.locator("#search-list li h3 a")
    return [(links.nth(i).text_content(), links.nth(i).get_attribute("href")) for i in range(links.count())]


def _query(page, words: str) -> str:
    page.locator("#search-q").fill(words)
    page.locator("#search-q").press("Enter")
    page.wait_for_url(re.compile(r"q=" + re.escape(urllib.parse.quote(words))))
    return _status(page, words)


@contextmanager
def csp_server(site: Path, policy: str):
    """Static files with a Content-Security-Policy header on every response, as nginx sends it
    (a header governs every response, the index files too)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", policy)
            super().end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_search_in_chromium_finds_and_forgets_taken_down_articles_without_a_reload(portal):
    con, org, site = portal["con"], portal["org"], portal["site"]
    with static_server(site) as base, chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(f"{base}/search.html?q=集成电路")
        assert "找到 1 条" in _status(page)
        assert _results(page) == [(CHIP[0], url_of("chip", portal))]
        item = page.locator("#search-list li").first
        assert "2025-06-18" in item.locator("time").text_content()
        assert "工作动态" in item.text_content()
        assert item.locator(".search-excerpt mark").count() >= 1  # the match, highlighted
        shot(page, "search-1-chip")

        # a word of the 2024 article: found through a merged (older) shard
        assert "找到 1 条" in _query(page, "熊猫")
        assert _results(page) == [(PANDA[0], url_of("panda", portal))]

        status = _query(page, NOWHERE)
        assert "没有找到" in status and NOWHERE in status
        assert _results(page) == []
        shot(page, "search-2-nothing")

        assert "找到 1 条" in _query(page, "氢燃料电池")
        article = workflow.get_article(con, portal["ids"]["car"])
        workflow.take_down(con, org.webmaster, article.id, article.version, "信息有误,暂时撤下")
        built = build_site(con, site, full=False)
        search.reindex_in_background(site, built["touched_years"]).join(timeout=120)
        _query(page, "熊猫")
        # the same page, not reloaded: the next query reads the new manifest (a tombstone for the car)
        assert "没有找到" in _query(page, "氢燃料电池")
        assert errors == []


@pytest.mark.browser
def test_search_works_under_the_strict_csp_header(portal):
    """No WebAssembly and no eval any more: the portal's strict policy, as nginx sends it, is enough."""
    policy = ("default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'self'; "
              "form-action 'self'")
    with csp_server(portal["site"], policy) as base, chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{base}/search.html?q=集成电路")
        assert "找到 1 条" in _status(page)
        page.locator("#search-list li .search-excerpt mark").first.wait_for(timeout=45000)
        assert refused == []


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.mark.browser
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_search_page_with_results_passes_axe(portal, elder):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make dev-deps` (npm install of package.json)")
    with static_server(portal["site"]) as base, chromium() as browser:
        # axe is injected as an inline script, which the page's CSP (rightly) refuses
        context = browser.new_context(bypass_csp=True, locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/search.html")
        page.evaluate("on => localStorage.setItem('sxit-portal-elder', on ? '1' : '0')", elder)
        page.goto(f"{base}/search.html?q=集成电路")
        assert "找到 1 条" in _status(page)
        assert page.evaluate("document.documentElement.classList.contains('elder')") is elder
        page.wait_for_function("() => !document.getElementById('search-column').hidden")  # filters loaded
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))})))",
            WCAG_TAGS)
        context.close()
    assert violations == []


def test_a_published_answer_is_indexed_with_the_articles_of_its_quarter(portal, monkeypatch):
    """第十九条: published answers are searchable like any page."""
    from core import humancheck, interaction
    from core import portal as portal_module

    monkeypatch.setattr(search, "GRACE_SECONDS", 0)
    con, org, site = portal["con"], portal["org"], portal["site"]
    challenge = humancheck.new_challenge(con, answer="1122")
    sent = interaction.submit(con, {
        "kind": "consult", "concerns_division_id": org.dz, "subject": "集成电路企业研发补助咨询",
        "body": "请问集成电路企业研发补助如何申请?", "name": "钱先生", "phone": "13911112222", "email": "",
        "publish_allowed": True, "consent": True}, "192.0.2.8", (challenge.token, "1122"))
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    interaction.submit_answer(con, org.officer, sent.id, "研发补助按年度申报指南执行。", 2)
    interaction.approve_answer(con, org.head, sent.id, 3)
    interaction.publish(con, org.webmaster, sent.id, 4)
    built = build_site(con, site, full=False)
    published_at = interaction.get(con, sent.id)["published_at"]
    assert published_at.year in built["touched_years"]
    search.reindex_in_background(site, built["touched_years"]).join(timeout=120)
    assert search.last_reindex()["ok"] is True
    assert portal_module.answer_url(sent.id, published_at) in indexed_urls(site, search.shard_for(published_at))


# --------------------------------------------------------------------------- words (issue 16)

DOC_TITLE = "关于开展2026年新型工业化专题调研的通知"
SIBLING = "关于开展2025年新型工业化专题调研的通知"
NUMBER = "陕工信发〔2026〕12号"


def test_a_query_is_cut_into_positioned_words():
    def words(query):
        return [p["words"] for p in search.query_parts(query)]

    # pairs at their offsets; a lone character of a run next to a number is a word of its own
    assert words("西安市") == [[("西安", 0), ("安市", 1)]]
    assert words(NUMBER) == [[("陕工", 0), ("工信", 1), ("信发", 2), ("2026", 4), ("12", 8), ("号", 10)]]
    # brackets and spaces do not count: the same offsets whatever brackets are typed
    assert words("陕工信发[2026]12号") == words(NUMBER)
    assert search.query_parts(NUMBER)[0]["wenhao"] == "#w陕工信发202612号"
    assert search.query_parts("陕工信发202612号")[0]["wenhao"] == "#w陕工信发202612号"
    # one character alone: its doc-level word
    assert search.query_parts("税") == [{"words": [], "single": "~税", "wenhao": None}]
    # numbers and words whole, full-width as ASCII, punctuation not searched, spaces split parts
    assert words("ＡＢＣ２０２６") == [[("abc2026", 0)]]
    assert search.query_parts("〔〕，。") == []
    assert words("集成电路 西安") == [[("集成", 0), ("成电", 1), ("电路", 2)], [("西安", 0)]]


def test_the_record_of_a_page_is_its_article_without_the_ignored_parts(portal):
    page = (portal["site"] / url_of("chip", portal).lstrip("/")).read_text(encoding="utf-8")
    record = search.page_record(page)
    assert record["title"] == CHIP[0] and record["date"] == "2025-06-18"
    assert record["filters"] == {"栏目": ["工作动态"]}
    assert "芯片设计" in record["text"] and "主导航" not in record["text"] and "上一篇" not in record["text"]
    assert CHIP[0] not in record["text"]  # the title is indexed as the title, not twice
    assert search.title_word(CHIP[0]) == search.title_word(f" {CHIP[0]}。")  # spaces and punctuation aside
    assert search.title_word(DOC_TITLE) != search.title_word(SIBLING)
    notice = "<html><body><main><p>该信息已撤下</p></main></body></html>"
    assert search.page_record(notice) is None  # a withdrawal notice is not indexed


def test_the_document_number_of_a_catalogue_page_is_indexed(tmp_path):
    page = ('<article class="article" data-pagefind-body><h1 class="article-title" data-pagefind-meta="title">'
            '关于印发某方案的通知</h1><table class="catalogue-table" data-pagefind-ignore><tr><th scope="row">文号'
            f'</th><td>{NUMBER}</td></tr></table><div class="article-body"><p>依据国办发〔2025〕3号执行。</p></div>'
            '</article>')
    record = search.page_record(page)
    assert record["doc_number"] == NUMBER and NUMBER not in record["text"]
    # a 文号 named in a text is one too, also when the sentence runs into it
    assert NUMBER in search.doc_numbers(f"现将有关事项通知如下见{NUMBER}。")
    target = tmp_path / "art" / "2026" / "03" / "1.html"
    target.parent.mkdir(parents=True)
    target.write_text(page, encoding="utf-8")
    (tmp_path / "pagefind").mkdir()  # the Pagefind index a site built before issue 16 has
    (tmp_path / "pagefind" / "shards.json").write_text("{}", encoding="utf-8")
    search.index_all(tmp_path)
    assert not (tmp_path / "pagefind").exists()
    for query in (NUMBER, "陕工信发202612号", "陕工信发[2026]12号", "国办发〔2025〕3号", "国办发20253号"):
        assert [r["title"] for r in search.query(tmp_path, query)["results"]] == ["关于印发某方案的通知"], query


@pytest.fixture
def titled_portal(tmp_path, con):
    """Series titles that differ by one word, a document number, and a phrase in a body."""
    org = make_org(con)
    notices = con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('tzgg', '通知公告', 'notice', ?) "
                          "RETURNING id", [org.dz]).fetchone()[0]
    when = datetime(2026, 3, 2, 9, 0)
    ids = {}
    for n, (title, body) in enumerate([
        (DOC_TITLE, f"<p>各设区市工业和信息化主管部门:现将有关事项通知如下({NUMBER})。</p>"),
        (SIBLING, "<p>请各单位认真组织新型工业化专题调研。</p>"),
        ("关于开展2026年数字经济专题调研的通知", "<p>围绕数字经济开展专题调研,兼顾新型工业化专题调研成果。</p>"),
        ("宝鸡钛材料产业园建设取得新进展", "<p>宝鸡高新区钛材料产业园一期建成投产。</p>"),
    ]):
        column = notices if "通知" in title else org.col_dz
        ids[title] = publish(con, org.officer, org.head, column, title, body, when + dt.timedelta(days=n))
    site = tmp_path / "site"
    build_site(con, site, full=True)
    search.index_all(site)
    return site


@pytest.mark.browser
def test_a_pasted_title_is_first_and_a_phrase_finds_its_articles_in_chromium(titled_portal):
    with static_server(titled_portal) as base, chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/search.html")
        for title in (DOC_TITLE, SIBLING):
            _query(page, title)
            assert _results(page)[0][0] == title  # its sibling (one word differs) is not first
        assert "找到 3 条" in _query(page, "新型工业化专题调研")  # in two titles and one body
        titles = [t for t, _ in _results(page)]
        assert set(titles) == {DOC_TITLE, SIBLING, "关于开展2026年数字经济专题调研的通知"}
        assert set(titles[:2]) == {DOC_TITLE, SIBLING}  # titles containing the phrase before a body
        shot(page, "search-3-phrase")
        _query(page, NUMBER)
        assert _results(page)[0][0] == DOC_TITLE
        excerpt = page.locator("#search-list li .search-excerpt").first
        excerpt.locator("mark").first.wait_for(timeout=30000)  # excerpts are filled after the titles are listed
        assert NUMBER in excerpt.text_content() and excerpt.locator("mark").count() >= 1
        for word in ("宝鸡", "钛材料"):  # two-character words, a place, an industry
            _query(page, word)
            assert _results(page)[0][0] == "宝鸡钛材料产业园建设取得新进展"
        assert errors == []


@pytest.mark.browser
def test_the_search_page_says_the_index_is_being_built(titled_portal):
    manifest = titled_portal / "search-index" / "manifest.json"
    manifest.write_text(json.dumps({"version": 2, "building": True, "segments": []}), encoding="utf-8")
    with static_server(titled_portal) as base, chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/search.html?q=宝鸡")
        status = _status(page)
        assert "搜索索引正在生成" in status and "网站地图" in status
        assert page.locator("#search-results").get_attribute("aria-live") == "polite"
        shot(page, "search-4-building")


CUT = [DOC_TITLE, NUMBER, "陕工信发[2026]12号", "陕工信发202612号", "西安市", "市", "ＡＢＣ２０２６ 集成电路",
       "〔〕，。", "Hello world 你好", "第3批名单", "2024年新型", "ﬁnance Ⅻ 丽", "  税  ", "Ça va straße"]


@pytest.mark.browser
def test_the_browser_cuts_words_as_the_index_does(titled_portal):
    words = ["西安", "市", "~税", "zt0123", "#w陕工信发202612号", "2026", "丽"]
    with static_server(titled_portal) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/search.html")
        got = page.evaluate("""async ([texts, words]) => { const t = await import('/static/search-tokens.js');
            return [texts.map((x) => [t.queryParts(x), t.compact(x), t.titleWord(x)]),
                    words.map((w) => [t.bucketOf(w, 1024), t.keyOf(w)]),
                    [t.BODY, t.WORDS_FROM, t.PAIRS_FROM]]; }""", [CUT, words])
    for text, (parts, whole, title) in zip(CUT, got[0], strict=True):
        expected = [{**p, "words": [list(w) for w in p["words"]]} for p in search.query_parts(text)]
        assert parts == expected, text
        assert whole == search.compact(text) and title == search.title_word(text), text
    for word, (bucket, key) in zip(words, got[1], strict=True):
        assert bucket == search._bucket_of(word, 1024) and key == search._key_of(word), word
    assert got[2] == [search.BODY, search._WORDS_FROM, 0x3400_0000]


def test_the_python_query_ranks_title_then_phrase_then_words(titled_portal):
    site = titled_portal
    found = search.query(site, DOC_TITLE)["results"]
    assert found[0]["title"] == DOC_TITLE and found[0]["tier"] == 0
    assert SIBLING not in [r["title"] for r in found if r["tier"] < 2]  # one word differs: not as a phrase
    found = search.query(site, "新型工业化专题调研")
    assert found["count"] == 3
    assert {r["title"] for r in found["results"][:2]} == {DOC_TITLE, SIBLING}  # titles before a body
    assert [r["tier"] for r in found["results"]] == [1, 1, 2]
    # two parts: each a phrase, both needed; in the title one, the body the other
    found = search.query(site, "数字经济 新型工业化专题调研")["results"]
    assert [(r["title"], r["tier"]) for r in found] == [("关于开展2026年数字经济专题调研的通知", 2)]
    # one character; a place and an industry; two parts
    assert search.query(site, "钛")["results"][0]["title"] == "宝鸡钛材料产业园建设取得新进展"
    assert search.query(site, "宝鸡 钛材料")["count"] == 1
    assert search.query(site, "火星")["count"] == 0
    # newest first among equals, or by date on request
    dates = [r["date"] for r in search.query(site, "通知", by_date=True)["results"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 3
    assert search.query(site, "调研", filters={"栏目": "工作动态"})["count"] == 0
    assert search.query(site, "调研", filters={"栏目": "通知公告"})["count"] == 3


def test_a_full_build_can_leave_the_search_index_to_a_background_process(tmp_path, con, capsys):
    """`make run`: the portal is served at once; the index follows, and the manifest says it is being built."""
    org = make_org(con)
    chip = publish(con, org.officer, org.head, org.col_dz, *CHIP)
    site = tmp_path / "site"
    args = argparse.Namespace(out=site, full=True, search_in_background=True)
    assert build_command.build(con, args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["search"]["background_pid"] > 0
    manifest = search.read_manifest(site)
    assert manifest["building"] is True or manifest["pages"] == 1  # building, or already done
    deadline = time.monotonic() + 300  # a wait for the background process, not a timing assertion
    while search.read_manifest(site).get("building") and time.monotonic() < deadline:
        time.sleep(0.5)
    manifest = search.read_manifest(site)
    assert manifest["building"] is False and manifest["pages"] == 1
    assert indexed_urls(site, "2025q2") == {article_url(chip, CHIP[2])}


@pytest.fixture
def bench_site(tmp_path, con, monkeypatch):
    """The portal's search page and 600 pages of the benchmark's corpus (series titles, 文号, common words in every body) over
    ten years, indexed in four batches (blocks with their doc bases), then eight pages rewritten
    into the recent segment (their base docs dead)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import search_quality
    finally:
        sys.path.remove(str(ROOT / "bench"))
    site = tmp_path / "site"
    build_site(con, site, full=True)  # /search.html and its scripts
    articles = search_quality.generate(site, 600)
    monkeypatch.setattr(search, "BATCH_DOCS", 150)
    search.index_all(site)
    for article in articles[-8:]:  # edited after the full index: the recent segment
        page = site / article["url"][1:]
        page.write_text(page.read_text(encoding="utf-8").replace(article["title"], article["title"] + "（修订）"),
                        encoding="utf-8")
        os.utime(page, ns=(time.time_ns(), time.time_ns() + 10**9))
    search.index_shards(site, search.resolve({a["url"].split("/")[2] for a in articles[-8:]}))
    manifest = search.read_manifest(site)
    assert len(manifest["segments"]) == 2 and manifest["segments"][0]["dead"]
    return site, articles


ENGINE = """async ([queries]) => {
  const engine = await import('/static/search-engine.js');
  const manifest = await engine.loadManifest();
  const out = [];
  for (const [words, chosen, byDate] of queries) {
    const ranked = await engine.search(manifest, words, chosen, byDate);
    const rows = await Promise.all(ranked.take(ranked.length).map(engine.row));
    out.push([ranked.length, rows.map((r) => r.url)]);
  }
  return out;
}"""


@pytest.mark.browser
def test_the_browser_ranks_every_result_as_the_python_query_does(bench_site):
    """search-engine.js (typed arrays, packed sort keys) against core.search.query, the whole
    ordered list: common words in nearly every page, phrases, pasted titles, one character, two
    parts, a 文号 without brackets, a filter, newest first, the recent segment's tombstones."""
    site, articles = bench_site
    titles = [articles[n]["title"] for n in (3, 250, 598)]  # the last: rewritten, its old title dead
    number = next(a["number"] for a in articles if a["number"])
    queries = [(t, {}, False) for t in titles] + [
        (words, {}, False) for words in ("宝鸡", "产业", "名单的通知", "专题调研", "钛", "宝鸡 钛材料",
                                         "工业经济运行情况", number, search.compact(number), "修订", "火星")
    ] + [("产业", {"栏目": "通知公告"}, False), ("名单", {}, True), ("会议", {"栏目": "工作动态"}, True)]
    with static_server(site) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/index.html")
        got = page.evaluate(ENGINE, [queries])
    counts = []
    for (words, chosen, by_date), (count, urls) in zip(queries, got, strict=True):
        expected = search.query(site, words, filters=chosen, by_date=by_date)
        assert count == expected["count"], words
        assert urls == [r["url"] for r in expected["results"]], words
        counts.append(count)
    assert counts[3] > 500 and counts[-4] == 0  # a word in nearly every page; a word in none
    rewritten = [r["url"] for r in search.query(site, titles[2])["results"]]
    assert rewritten.count(articles[598]["url"]) == 1  # its base doc is dead, the recent one found


@pytest.mark.browser
def test_the_search_page_shows_ten_then_ten_more_in_the_python_order(bench_site):
    site, _ = bench_site
    expected = [r["url"] for r in search.query(site, "宝鸡")["results"]]
    with static_server(site) as base, chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/search.html?q=宝鸡")
        assert f"找到 {len(expected)} 条" in _status(page, "宝鸡")
        assert [u for _, u in _results(page)] == expected[:10]
        page.locator("#search-more").click()
        page.wait_for_function("() => document.querySelectorAll('#search-list li').length === 20")
        assert [u for _, u in _results(page)] == expected[:20]
        shot(page, "search-5-more")


def test_a_reindex_reads_and_writes_the_state_of_its_quarters_only(portal):
    """The state is kept per quarter (issue 16: at 100,000 articles one 14 MB file was read twice and written once
    per publish): re-indexing 2025q2 rewrites its file and the small top file, not the other quarters'; a state of
    the one-file layout is split on first use."""
    site = portal["site"]
    bundle = site / "search-index"
    top = json.loads((bundle / ".state.json").read_text(encoding="utf-8"))
    assert set(top) == {"version", "recent", "quarters"} and top["version"] == 3
    assert {p.name for p in (bundle / ".state").iterdir()} == {"2024q1.json", "2025q2.json", "2025q3.json"}
    before = mtimes(bundle / ".state")
    page = site / url_of("chip", portal).lstrip("/")
    page.write_text(page.read_text(encoding="utf-8").replace("集成电路", "集成电路产业"), encoding="utf-8")

    assert search.reindex_stale(site, [2025])["stale"] == ["2025q2"]

    after = mtimes(bundle / ".state")
    assert [name for name in before if after[name] != before[name]] == ["2025q2.json"]
    assert json.loads((bundle / ".state.json").read_text(encoding="utf-8"))["recent"] == [url_of("chip", portal)[1:]]
    assert search.query(site, "集成电路产业")["count"] == 1

    # the layout of before: one file with every page; read, it is split, and the index goes on from it
    parts = [json.loads(p.read_text(encoding="utf-8")) for p in (bundle / ".state").iterdir()]
    whole = {**json.loads((bundle / ".state.json").read_text(encoding="utf-8")), "version": 2,
             "pages": {k: v for p in parts for k, v in p["pages"].items()},
             "base": {k: v for p in parts for k, v in p["base"].items()}}
    shutil.rmtree(bundle / ".state")
    (bundle / ".state.json").write_text(json.dumps(whole), encoding="utf-8")
    assert search.stale_shards(site) == []
    assert {p.name for p in (bundle / ".state").iterdir()} == {"2024q1.json", "2025q2.json", "2025q3.json"}
    page.write_text(page.read_text(encoding="utf-8").replace("集成电路产业", "集成电路产业园"), encoding="utf-8")
    assert search.reindex_stale(site, [2025])["stale"] == ["2025q2"]
    assert search.query(site, "集成电路产业园")["count"] == 1
