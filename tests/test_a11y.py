"""The public portal in headless Chromium: axe-core (npm) finds no WCAG 2.1 A/AA violation on any
kind of page, with and without the 适老化 switch; the switch toggles, is keyboard-operable and is
remembered; pages read without JavaScript; hostile content opens no dialog (第十五条, GB/T 37668)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from core import corrections, portal, workflow
from core.db import connect
from core.setup import init_database
from tests.browser import ARTIFACTS, ROOT, chromium, static_server
from tests.conftest import make_org
from tests.test_identity import configure as configure_identity
from tests.test_portal import HOSTILE, bulk_articles, publish
from tests.test_portal_disclosure import publish as publish_document

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BODY = ("<h2>一、总体要求</h2><p>为贯彻落实全省制造业高质量发展大会精神,加快推进新型工业化,现就有关事项通知如下。</p>"
        "<h3>(一)工作目标</h3><p>到2026年底,全省规模以上工业增加值年均增长6%以上。</p>"
        "<table><caption>重点任务分工</caption><tr><th scope=\"col\">任务</th><th scope=\"col\">责任处室</th></tr>"
        "<tr><td>工业互联网平台建设</td><td>电子信息处</td></tr></table>"
        "<p><img src=\"/static/none.png\" alt=\"会议现场\"></p>")


def _published_answer(con, org) -> dict:
    """A citizen's message with hostile text in every field, answered and published (第十九条)."""
    from core import humancheck, interaction

    challenge = humancheck.new_challenge(con, answer="5555")
    sent = interaction.submit(con, {
        "kind": "suggest", "concerns_division_id": org.dz, "subject": "建议" + HOSTILE[:80],
        "body": "留言正文" + HOSTILE, "name": "公众" + HOSTILE[:40], "phone": "13900001111", "email": "",
        "publish_allowed": True, "consent": True}, "192.0.2.50", (challenge.token, "5555"))
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    interaction.submit_answer(con, org.officer, sent.id, "答复" + HOSTILE, 2)
    interaction.approve_answer(con, org.head, sent.id, 3)
    interaction.publish(con, org.webmaster, sent.id, 4)
    return interaction.get(con, sent.id)


@pytest.fixture(scope="module")
def portal_site(tmp_path_factory):
    """A realistic small portal: key column with sub-column, a long paginated column, an
    interaction column, a retired one, an article with attachments, a taken-down one, a hostile one."""
    tmp = tmp_path_factory.mktemp("a11y")
    con = connect(tmp / "portal.duckdb")
    init_database(con)
    org = make_org(con)
    con.execute("UPDATE columns SET is_key = TRUE")
    sub = con.execute("INSERT INTO columns (parent_id, slug, name, kind, division_id, is_key) "
                      "VALUES (?, 'cydt', '产业动态', 'news', ?, TRUE) RETURNING id", [org.col_dz, org.dz]).fetchone()[0]
    con.execute("INSERT INTO columns (slug, name, kind, division_id, position) VALUES "
                "('hdjl', '互动交流', 'interaction', ?, 8), ('jlm', '旧栏目', 'news', ?, 9)", [org.dz, org.dz])
    con.execute("UPDATE columns SET retired = TRUE WHERE slug = 'jlm'")
    bulk_articles(con, org.col_cw, 45, start=dt.datetime(2025, 3, 1), prefix="2025年省级工业转型升级专项资金公示第")
    first = publish(con, org, "全省工业互联网平台建设推进会在西安召开", BODY)
    article = publish(con, org, "关于组织申报2026年度制造业单项冠军企业的通知", BODY)
    con.execute("INSERT INTO attachments (article_id, filename, mime, size, sha256, data, uploaded_by) VALUES "
                "(?, '申报指南.pdf', 'application/pdf', 4, 'x', '\\x25\\x50\\x44\\x46'::BLOB, ?)",
                [article.id, org.officer.id])
    publish(con, org, "集成电路产业链推进工作会议召开", BODY, column=sub)
    hostile = publish(con, org, "标题" + HOSTILE, "<p>正文</p>" + HOSTILE, source="来源" + HOSTILE)
    taken = publish(con, org, "将被撤下的信息", BODY)
    workflow.take_down(con, org.webmaster, taken.id, taken.version, "临时处置", category="内容有误,待核实更正",
                       replacement_id=first.id)
    corrections.add(con, org.webmaster, article.id, "原文申报截止日期有误,已更正为2026年6月30日。")
    answer = _published_answer(con, org)
    configure_identity(con, org)  # every footer mark, the uploaded 党政机关网站标识 included (issue 15)
    out = tmp / "site"
    portal.build_site(con, out)
    urls = {
        "home": "/index.html",
        "column": portal.archive_url("czzj", 2),  # an archive page (numbered from the oldest)
        "newest": portal.column_url("czzj"),  # the column's page: the newest items, every archive page linked
        "parent": portal.column_url("gzdt"),
        "article": portal.article_url(article.id, article.published_at),
        "first": portal.article_url(first.id, first.published_at),
        "withdrawn": portal.article_url(taken.id, taken.published_at),
        "hostile": portal.article_url(hostile.id, hostile.published_at),
        "sitemap": "/sitemap.html",
        "accessibility": "/accessibility.html",
        "contact": "/contact.html",
        "statement": "/statement.html",
        "404": "/404.html",
        "answers": portal.ANSWERS_URL,
        "answer": portal.answer_url(answer["id"], answer["published_at"]),
    }
    if (out / "search.html").exists():
        urls["search"] = "/search.html"
    con.close()
    with static_server(out) as base:
        yield base, urls


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


def _axe(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make dev-deps` (npm install of package.json)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                         ".then(r => r.violations.map(v => ({id: v.id, help: v.help,"
                         " nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary)})))", WCAG_TAGS)


def _elder(page, on: bool) -> None:
    page.evaluate("on => localStorage.setItem('sxit-portal-elder', on ? '1' : '0')", on)


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_axe_finds_no_wcag_violation(portal_site, browser, elder):
    base, urls = portal_site
    # axe is injected as an inline script: the pages' own CSP would (rightly) refuse it
    context = browser.new_context(bypass_csp=True, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/index.html")
    _elder(page, elder)
    found = {}
    # the hostile page is for the dialog test: its payload's <img> has no alt (see test_hostile…)
    for name, url in ((n, u) for n, u in urls.items() if n != "hostile"):
        page.goto(base + url)
        assert page.evaluate("document.documentElement.classList.contains('elder')") is elder
        violations = _axe(page)
        if violations:
            found[name] = violations
    context.close()
    assert not found, found


def test_elder_switch_toggles_is_remembered_and_keyboard_operable(portal_site, browser):
    base, urls = portal_site
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + urls["home"])
    switch = page.get_by_role("button", name="适老化", exact=True)
    assert switch.get_attribute("aria-pressed") == "false"
    is_elder = "document.documentElement.classList.contains('elder')"
    switch.click()
    assert page.evaluate(is_elder) and switch.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.evaluate(is_elder)  # remembered across pages and visits
    page.goto(base + urls["article"])
    switch = page.get_by_role("button", name="适老化", exact=True)
    assert page.evaluate(is_elder) and switch.get_attribute("aria-pressed") == "true"
    switch.focus()
    page.keyboard.press("Space")
    assert not page.evaluate(is_elder) and switch.get_attribute("aria-pressed") == "false"
    page.reload()
    assert not page.evaluate(is_elder)
    page.keyboard.press("Enter")  # nothing focused: nothing toggles
    assert not page.evaluate(is_elder)
    context.close()


def test_keyboard_reaches_the_skip_link_first_and_focus_is_visible(portal_site, browser):
    base, urls = portal_site
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(base + urls["article"])
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const el = document.activeElement; const s = getComputedStyle(el);
        return {text: el.textContent, outline: s.outlineStyle, width: s.outlineWidth,
                top: el.getBoundingClientRect().top}; }""")
    assert focused["text"] == "跳到主要内容" and focused["outline"] != "none" and focused["top"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_pages_read_without_javascript(portal_site, browser):
    base, urls = portal_site
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(base + urls["article"])
    assert page.get_by_role("heading", name="关于组织申报2026年度制造业单项冠军企业的通知").is_visible()
    assert page.get_by_text("到2026年底,全省规模以上工业增加值年均增长6%以上。").is_visible()
    link = page.get_by_role("link", name="适老化", exact=True)  # without JavaScript: how to zoom instead
    assert link.get_attribute("href") == "/accessibility.html"
    page.goto(base + urls["column"])
    assert page.get_by_role("link", name="下一页").is_visible()
    context.close()


def test_hostile_content_opens_no_dialog(portal_site, browser):
    base, urls = portal_site
    # without the CSP too: escaping and sanitising alone must hold
    for bypass in (False, True):
        context = browser.new_context(bypass_csp=bypass)
        page = context.new_page()
        dialogs: list[str] = []

        def opened(dialog, seen=dialogs):
            seen.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", opened)
        for name in ("hostile", "parent", "home", "sitemap", "answer", "answers"):
            page.goto(base + urls[name])
            page.wait_for_load_state("load")
            page.wait_for_timeout(200)
        assert page.get_by_role("heading", level=1).first.is_visible()
        assert not dialogs, dialogs
        context.close()


def test_screenshots(portal_site, browser):
    """Pictures to look at: home, column and article pages, without and with 适老化."""
    base, urls = portal_site
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for elder in (False, True):
        page.goto(base + urls["home"])
        _elder(page, elder)
        for name in ("home", "column", "article", "withdrawn"):
            page.goto(base + urls[name])
            suffix = "-elder" if elder else ""
            page.screenshot(path=str(ARTIFACTS / f"portal-{name}{suffix}.png"), full_page=True)
            assert Path(ARTIFACTS / f"portal-{name}{suffix}.png").stat().st_size > 10_000
    context.close()


# --------------------------------------------------------------------------- 政府信息公开 (issue 14)


@pytest.fixture(scope="module")
def disclosure_site(tmp_path_factory):
    """The 政府信息公开 section with catalogued documents: a policy document with its 解读, a repealed
    one, a paginated topic, the 公开指南, 法定主动公开内容 and 年度报告 (catalogue rows by plain SQL)."""
    tmp = tmp_path_factory.mktemp("a11y-xxgk")
    con = connect(tmp / "portal.duckdb")
    init_database(con)
    org = make_org(con)
    year = dt.date.today().year

    def column(slug, name, kind, parent=None):
        return con.execute("INSERT INTO columns (parent_id, slug, name, kind, division_id) VALUES (?, ?, ?, ?, ?) "
                           "RETURNING id", [parent, slug, name, kind, org.dz]).fetchone()[0]

    def entry(article_id, topic="工业、交通", **fields):
        con.execute("DELETE FROM catalogue_entries WHERE article_id = ?", [article_id])  # the default one
        row = {"index_number": f"11610000MB0000000X/{year}-{article_id:05d}", "issuer": "陕西省工业和信息化厅",
               "written_on": dt.date(year, 1, 5), "doc_kind": "行政规范性文件", **fields}
        con.execute(f"INSERT INTO catalogue_entries (article_id, topic_id, {', '.join(row)}) "
                    f"SELECT ?, id, {', '.join('?' for _ in row)} FROM disclosure_topics WHERE name = ?",
                    [article_id, *row.values(), topic])

    top = column("zfxxgk", "政府信息公开", "openinfo")
    con.execute("UPDATE columns SET parent_id = ? WHERE id = ?", [top, org.col_cw])
    policy_col, reading_col = column("zcwj", "政策文件", "policy", top), column("zcjd", "政策解读", "interpretation", top)
    guide_col, report_col = column("gkzn", "政府信息公开指南", "openinfo", top), column("xxgknb", "政府信息公开年报",
                                                                                      "openinfo", top)
    con.execute("INSERT INTO settings (name, value) VALUES ('xxgk_guide_column', 'gkzn'), "
                "('xxgk_report_column', 'xxgknb')")
    con.execute("INSERT INTO statutory_columns VALUES (1, ?), (1, ?), (7, ?)", [policy_col, reading_col, org.col_cw])
    for n in bulk_articles(con, policy_col, 25, start=dt.datetime(year - 1, 3, 1), prefix="工业领域规范性文件第"):
        entry(n, "安全生产监管", doc_number=f"陕工信发〔{year - 1}〕{n - 9999}号")
    old = publish_document(con, org, "陕西省工业领域节能监察办法(2019年)", BODY, column=policy_col)
    policy = publish_document(con, org, "陕西省促进工业互联网高质量发展若干措施", BODY, column=policy_col)
    reading = publish_document(con, org, "《陕西省促进工业互联网高质量发展若干措施》政策解读", BODY, column=reading_col,
                               interprets=policy.id)
    entry(policy.id, doc_number=f"陕工信发〔{year}〕12号", written_on=dt.date(year, 2, 3))
    entry(reading.id, "信息产业、通信", interprets=policy.id)
    entry(old.id, doc_number="陕工信发〔2019〕5号", validity="已废止", validity_changed_on=dt.date(year, 3, 1),
          replaced_by=policy.id, disclosure="依申请公开")
    publish_document(con, org, "陕西省工业和信息化厅政府信息公开指南", "<h2>一、主动公开</h2><p>本机关主动公开的政府信息。</p>"
            "<h2>二、依申请公开</h2><p>公民、法人或者其他组织可以向本机关申请获取政府信息。</p>", column=guide_col)
    publish_document(con, org, f"陕西省工业和信息化厅{year - 1}年政府信息公开工作年度报告", BODY, column=report_col)
    out = tmp / "site"
    portal.build_site(con, out)
    topics = dict(con.execute("SELECT name, id FROM disclosure_topics").fetchall())
    urls = {
        "document": portal.article_url(policy.id, policy.published_at),
        "reading": portal.article_url(reading.id, reading.published_at),
        "repealed": portal.article_url(old.id, old.published_at),
        "section": "/xxgk/index.html",
        "guide": "/xxgk/gkzn.html",
        "catalogue": "/xxgk/ml/index.html",
        "topic": f"/xxgk/zt/{topics['安全生产监管']}/index_2.html",
        "year": f"/xxgk/nd/{year}/index.html",
        "statutory": "/xxgk/fdzdgknr.html",
        "reports": "/xxgk/ndbg/index.html",
        "column": "/col/zfxxgk/index.html",
    }
    con.close()
    with static_server(out) as base:
        yield base, urls


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_axe_finds_no_wcag_violation_in_the_disclosure_section(disclosure_site, browser, elder):
    base, urls = disclosure_site
    context = browser.new_context(bypass_csp=True, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/index.html")
    _elder(page, elder)
    found = {}
    for name, url in urls.items():
        page.goto(base + url)
        assert page.get_by_role("heading", level=1).count() == 1, name
        violations = _axe(page)
        if violations:
            found[name] = violations
    context.close()
    assert not found, found


def test_disclosure_tables_are_read_with_their_headers(disclosure_site, browser):
    """A screen reader names each cell of the catalogue table by its row header, and the catalogue
    listing by its column headers; the 已废止 notice is the first thing in the document."""
    base, urls = disclosure_site
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(base + urls["repealed"])
    table = page.get_by_role("table", name="政府信息公开目录信息")
    assert table.get_by_role("rowheader", name="索引号").count() == 1
    assert table.get_by_role("rowheader", name="公开方式").count() == 1
    first = page.locator("article > *").first
    assert "已废止" in first.text_content() and first.get_attribute("role") == "note"
    page.goto(base + urls["topic"])
    listing = page.get_by_role("table", name=re.compile("主题分类:安全生产监管文件列表"))
    assert [h.strip() for h in listing.get_by_role("columnheader").all_text_contents()] == ["标题", "文号", "发布日期",
                                                                                          "有效性"]
    context.close()


def test_disclosure_screenshots(disclosure_site, browser):
    """Pictures to look at: a document with its catalogue table, the 公开目录, a 已废止 document,
    a topic listing, the section's index; and the document under 适老化 and on a phone."""
    base, urls = disclosure_site
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for name in ("document", "catalogue", "repealed", "topic", "section", "statutory", "guide"):
        page.goto(base + urls[name])
        page.screenshot(path=str(ARTIFACTS / f"xxgk-{name}.png"), full_page=True)
        assert (ARTIFACTS / f"xxgk-{name}.png").stat().st_size > 10_000
    _elder(page, True)
    page.goto(base + urls["document"])
    page.screenshot(path=str(ARTIFACTS / "xxgk-document-elder.png"), full_page=True)
    context.close()
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(base + urls["repealed"])
    page.screenshot(path=str(ARTIFACTS / "xxgk-repealed-phone.png"), full_page=True)
    phone.close()
