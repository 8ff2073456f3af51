"""政府信息公开 on the public portal (第十二条; 政府信息公开条例 第二十条): catalogue data on document
pages, 已废止/已修改 notices, 政策解读 linked both ways, the section's pages (公开指南, 公开目录 by topic and
year, 法定主动公开内容, 年度报告), search filters, and incremental builds that re-render what shows a
changed document. Catalogue rows are written with plain SQL, before submission (第十二条 refuses a catalogue column's item
without them) and rewritten by each test as it needs."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from core import portal, search, settings, workflow
from core.db import scalar
from core.portal import article_url, build_site
from tests.browser import chromium, shot, static_server
from tests.test_portal import BODY, approve, bulk_articles, snapshot
from tests.test_search import _results, _status

YEAR = dt.date.today().year


def catalogue(con, article_id: int, **fields) -> None:
    """A catalogue_entries row (what the catalogue editor will write), defaults for the rest."""
    row = {"index_number": f"11610000MB0000000X/{YEAR}-{article_id:05d}", "issuer": "陕西省工业和信息化厅",
           "doc_number": "", "written_on": dt.date(YEAR, 1, 5), "topic_id": topic(con, "工业、交通"),
           "disclosure": "主动公开", "validity": "有效", **fields}
    names = ", ".join(["article_id", *row])
    marks = ", ".join("?" for _ in range(len(row) + 1))
    con.execute("DELETE FROM catalogue_entries WHERE article_id = ?", [article_id])
    con.execute(f"INSERT INTO catalogue_entries ({names}) VALUES ({marks})", [article_id, *row.values()])


def publish(con, org, title: str, body: str = BODY, *, column: int | None = None, **entry):
    """tests/test_portal.publish, with a catalogue entry (the defaults of `catalogue` and `entry`) written
    before submission in a column whose kind carries one, as the editor would."""
    article = workflow.create_article(con, org.officer, column or org.col_dz, title, body, "电子信息处",
                                      dt.date.today(), "一般")
    if scalar(con, "SELECT count(*) FROM columns c JOIN catalogue_kinds k ON k.kind = c.kind WHERE c.id = ?",
              [article.column_id]):
        catalogue(con, article.id, **entry)
    article = approve(con, org.head, workflow.submit(con, org.officer, article.id, article.version))
    return workflow.publish(con, org.officer, article.id, article.version)


def topic(con, name: str) -> int:
    return scalar(con, "SELECT id FROM disclosure_topics WHERE name = ?", [name])


def column(con, org, slug: str, name: str, kind: str, parent: int | None = None) -> int:
    return con.execute("INSERT INTO columns (parent_id, slug, name, kind, division_id) VALUES (?, ?, ?, ?, ?) "
                       "RETURNING id", [parent, slug, name, kind, org.dz]).fetchone()[0]


def page(out: Path, url: str) -> str:
    return (out / url.lstrip("/")).read_text(encoding="utf-8")


def url(article) -> str:
    return article_url(article.id, article.published_at)


def main_of(html: str) -> str:
    return html[html.index('<main'):html.index('</main>')]


@pytest.fixture
def docs(con, org, tmp_path):
    """政府信息公开 (openinfo, first level) with 政策文件 and 政策解读 under it; a policy document, its
    解读, a document repealed by it, one modified by it; built once."""
    top = column(con, org, "zfxxgk", "政府信息公开", "openinfo")
    con.execute("UPDATE columns SET parent_id = ? WHERE id = ?", [top, org.col_cw])  # 财政资金, as in the demo
    policy = column(con, org, "zcwj", "政策文件", "policy", top)
    reading = column(con, org, "zcjd", "政策解读", "interpretation", top)
    made = {
        "old": publish(con, org, "陕西省工业领域节能监察办法(旧)", column=policy),
        "amended": publish(con, org, "陕西省工业企业技术改造项目管理办法", column=policy),
        "policy": publish(con, org, "陕西省促进工业互联网发展若干措施", "<p>第一条 为促进工业互联网发展。</p>",
                          column=policy),
    }
    made["reading"] = publish(con, org, "《陕西省促进工业互联网发展若干措施》政策解读", column=reading,
                              interprets=made["policy"].id)
    catalogue(con, made["policy"].id, doc_number=f"陕工信发〔{YEAR}〕12号", written_on=dt.date(YEAR, 2, 3),
              doc_kind="行政规范性文件")
    catalogue(con, made["reading"].id, interprets=made["policy"].id, topic_id=topic(con, "信息产业、通信"))
    catalogue(con, made["old"].id, doc_number=f"陕工信发〔{YEAR - 3}〕5号", validity="已废止",
              validity_changed_on=dt.date(YEAR, 3, 1), replaced_by=made["policy"].id)
    catalogue(con, made["amended"].id, validity="已修改", validity_changed_on=dt.date(YEAR, 3, 2),
              replaced_by=made["policy"].id, disclosure="依申请公开")
    out = tmp_path / "site"
    build_site(con, out)
    return out, made, {"top": top, "policy": policy, "reading": reading}


def test_document_page_shows_its_catalogue_data_in_a_table(con, org, docs):
    out, made, _ = docs
    html = page(out, url(made["policy"]))
    table = re.search(r'<table class="catalogue-table".*?</table>', html, re.S).group(0)
    assert "<caption>政府信息公开目录信息</caption>" in table
    cells = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td[^>]*>(.*?)</td>', table, re.S))
    assert list(cells) == ["索引号", "主题分类", "发文机关", "成文日期", "标题", "文号", "发布日期", "有效性"]
    assert cells["索引号"] == f"11610000MB0000000X/{YEAR}-{made['policy'].id:05d}"
    assert ">工业、交通</a>" in cells["主题分类"] and f'href="/xxgk/zt/{topic(con, "工业、交通")}/index.html"' \
        in cells["主题分类"]
    assert cells["发文机关"] == "陕西省工业和信息化厅"
    assert f"{YEAR}年2月3日" in cells["成文日期"] and cells["标题"] == "陕西省促进工业互联网发展若干措施"
    assert cells["文号"] == f"陕工信发〔{YEAR}〕12号" and "有效" in cells["有效性"]
    published = made["policy"].published_at
    assert f"{published.year}年{published.month}月{published.day}日" in cells["发布日期"]
    # the table is above the body; a 主动公开 document has no 公开方式 row
    assert html.index("catalogue-table") < html.index("第一条 为促进工业互联网发展。")
    assert "公开方式" not in table and "已废止" not in main_of(html)
    other = page(out, url(made["amended"]))
    assert re.search(r'<th scope="row">公开方式</th><td>依申请公开</td>', other)
    # a plain article (no catalogue row) has no table
    plain = publish(con, org, "工作动态一则")
    build_site(con, out, full=False)
    assert "catalogue-table" not in page(out, url(plain))


def test_a_repealed_document_says_so_at_the_top_and_links_what_replaced_it(con, org, docs):
    out, made, _ = docs
    html = page(out, url(made["old"]))
    notice = re.search(r'<div class="validity-notice".*?</div>', html, re.S).group(0)
    assert html.index("validity-notice") < html.index("<h1")
    text = re.sub(r"<[^>]+>", "", notice)
    assert f"本文件已于{YEAR}年3月1日被《陕西省促进工业互联网发展若干措施》废止,不再执行。" in re.sub(r"\s+", "", text)
    assert f'href="{url(made["policy"])}"' in notice
    assert "<title>陕西省工业领域节能监察办法(旧)(已废止) - " in html
    modified = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page(out, url(made["amended"]))))
    assert f"本文件已于{YEAR}年3月2日被《陕西省促进工业互联网发展若干措施》修改,请以修改后的规定为准。" in modified
    # a replacement that is not public is not linked; the notice stays
    policy = workflow.get_article(con, made["policy"].id)
    workflow.take_down(con, org.webmaster, policy.id, policy.version, "临时处置")
    build_site(con, out, full=False)
    html = page(out, url(made["old"]))
    assert f"本文件已于{YEAR}年3月1日废止" in re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))
    assert url(made["policy"]) not in html


def test_interpretation_and_document_link_to_each_other(con, org, docs):
    out, made, cols = docs
    reading_html = page(out, url(made["reading"]))
    assert re.search(rf'本文解读的文件:<a href="{url(made["policy"])}">陕西省促进工业互联网发展若干措施</a>',
                     reading_html)
    policy_html = page(out, url(made["policy"]))
    links = re.search(r'<section class="doc-links".*?</section>', policy_html, re.S).group(0)
    assert f'<a href="{url(made["reading"])}">《陕西省促进工业互联网发展若干措施》政策解读</a>' in links
    # a second 解读 that is not published yet is not linked; once published, both are
    draft = workflow.create_article(con, org.officer, cols["reading"], "图解:工业互联网若干措施", "<p>图解</p>",
                                    "电子信息处", dt.date.today(), "一般")
    catalogue(con, draft.id, interprets=made["policy"].id)
    build_site(con, out, full=False)
    assert "图解:工业互联网若干措施" not in page(out, url(made["policy"]))
    second = publish(con, org, "图解:工业互联网若干措施(发布)", column=cols["reading"], interprets=made["policy"].id)
    catalogue(con, second.id, interprets=made["policy"].id)
    build_site(con, out, full=False)
    links = re.search(r'<section class="doc-links".*?</section>', page(out, url(made["policy"])), re.S).group(0)
    assert url(second) in links and url(made["reading"]) in links


def test_catalogue_is_browsable_by_topic_and_year_with_counts_and_pages(con, org, docs):
    out, made, cols = docs
    ids = bulk_articles(con, cols["policy"], 23, start=dt.datetime(YEAR - 1, 4, 1), prefix="历年规范性文件第")
    for n in ids:
        catalogue(con, n, topic_id=topic(con, "安全生产监管"))
    build_site(con, out, full=False)
    index = main_of(page(out, "/xxgk/ml/index.html"))
    assert "<h1>政府信息公开目录</h1>" in index
    safety = topic(con, "安全生产监管")
    assert re.search(rf'<a href="/xxgk/zt/{safety}/index.html">安全生产监管</a> <span class="count">\(23\)</span>', index)
    assert re.search(rf'<a href="/xxgk/nd/{YEAR - 1}/index.html">{YEAR - 1}年</a> <span class="count">\(23\)</span>',
                     index)
    assert re.search(rf'<a href="/xxgk/nd/{YEAR}/index.html">{YEAR}年</a> <span class="count">\(4\)</span>', index)
    first = page(out, f"/xxgk/zt/{safety}/index.html")
    assert "<caption>主题分类:安全生产监管文件列表(共 23 件,第 1/2 页)</caption>" in first
    assert first.count("<tr>") == 21 and 'href="/xxgk/zt/' + str(safety) + '/index_2.html"' in first
    assert page(out, f"/xxgk/zt/{safety}/index_2.html").count("历年规范性文件第") == 3
    year = page(out, f"/xxgk/nd/{YEAR}/index.html")
    assert "陕西省促进工业互联网发展若干措施" in year and f"陕工信发〔{YEAR}〕12号" in year
    assert "历年规范性文件第" not in year
    # an empty topic still has its page; a year without documents has none
    assert "暂无信息" in page(out, f"/xxgk/zt/{topic(con, '其他')}/index.html")
    assert not (out / f"xxgk/nd/{YEAR - 2}").exists()


def test_guide_and_annual_reports_come_from_the_columns_the_settings_name(con, org, docs):
    out, made, cols = docs
    assert "正在编制" in page(out, "/xxgk/gkzn.html")
    guide_col = column(con, org, "gkzn", "政府信息公开指南", "openinfo", cols["top"])
    reports_col = column(con, org, "xxgknb", "政府信息公开年报", "openinfo", cols["top"])
    settings.set_values(con, org.webmaster, {"xxgk_guide_column": "gkzn", "xxgk_report_column": "xxgknb"})
    publish(con, org, "政府信息公开指南(旧版)", "<p>旧版指南</p>", column=guide_col)
    publish(con, org, "政府信息公开指南", "<p>一、主动公开:本机关主动公开的政府信息。</p>", column=guide_col)
    for y in (YEAR - 2, YEAR - 1):
        publish(con, org, f"陕西省工业和信息化厅{y}年政府信息公开工作年度报告", column=reports_col)
    publish(con, org, "与年报无关的通知")
    build_site(con, out, full=False)
    guide = main_of(page(out, "/xxgk/gkzn.html"))
    assert "一、主动公开:本机关主动公开的政府信息。" in guide and "旧版指南" not in guide
    reports = main_of(page(out, "/xxgk/ndbg/index.html"))
    titles = re.findall(r'<a href="/art/[^"]+">([^<]+)</a>', reports)
    assert titles == [f"陕西省工业和信息化厅{YEAR - 1}年政府信息公开工作年度报告",
                      f"陕西省工业和信息化厅{YEAR - 2}年政府信息公开工作年度报告"]
    with pytest.raises(Exception, match="网址标识"):
        settings.set_values(con, org.webmaster, {"xxgk_report_column": "年报"})


def test_statutory_contents_list_the_categories_the_office_gave_columns(con, org, docs):
    out, _, cols = docs
    assert "正在设置" in page(out, "/xxgk/fdzdgknr.html")
    con.execute("INSERT INTO statutory_columns VALUES (1, ?), (1, ?), (7, ?)", [cols["policy"], cols["reading"],
                                                                            org.col_cw])
    build_site(con, out, full=False)
    html = main_of(page(out, "/xxgk/fdzdgknr.html"))
    assert "<caption>法定主动公开内容及所在栏目</caption>" in html
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", html, re.S)
    assert [(n, w) for n, w, _ in rows] == [("(一)", "行政法规、规章和规范性文件"), ("(七)", "财政预算、决算信息")]
    assert '<a href="/col/zcwj/index.html">政策文件</a>' in rows[0][2] and "政策解读" in rows[0][2]
    assert '<a href="/col/czzj/index.html">财政资金</a>' in rows[1][2]


def test_the_section_is_linked_from_home_navigation_and_sitemaps(con, org, docs):
    out, _, cols = docs
    assert '<a href="/xxgk/index.html">政府信息公开</a>' in page(out, "/index.html")
    sitemap = page(out, "/sitemap.html")
    for link in ("/xxgk/index.html", "/xxgk/gkzn.html", "/xxgk/ml/index.html", "/xxgk/fdzdgknr.html",
                 "/xxgk/ndbg/index.html"):
        assert f'href="{link}"' in sitemap
        assert f"<loc>https://www.sxit.gov.cn{link}</loc>" in page(out, "/sitemap.xml")
    xml = page(out, "/sitemap.xml")
    assert f"<loc>https://www.sxit.gov.cn/xxgk/nd/{YEAR}/index.html</loc>" in xml
    assert f"<loc>https://www.sxit.gov.cn/xxgk/zt/{topic(con, '工业、交通')}/index.html</loc>" in xml
    assert f"/xxgk/zt/{topic(con, '其他')}/" not in xml  # a topic without documents: nothing to index
    # the section sits under the first-level 政府信息公开 column: it is marked in the navigation,
    # and that column's page leads to it
    index = page(out, "/xxgk/index.html")
    assert re.search(r'<a href="/col/zfxxgk/index.html" aria-current="true">政府信息公开</a>', index)
    assert 'href="/xxgk/ml/index.html"' in main_of(page(out, "/col/zfxxgk/index.html"))
    assert 'href="/xxgk/ml/index.html"' not in main_of(page(out, "/col/zcwj/index.html"))


def test_document_pages_carry_the_search_filters(con, org, docs):
    out, made, _ = docs
    html = page(out, url(made["reading"]))
    assert re.search(r'data-pagefind-filter="主题分类">信息产业、通信</a>', html)
    assert f'data-pagefind-filter="年份:{made["reading"].published_at.year}年"' in html
    search = page(out, "/search.html")
    assert re.search(r'<label[^>]*for="search-topic">主题分类</label>', search)
    assert re.search(r'<label[^>]*for="search-year">发布年份</label>', search)


# --------------------------------------------------------------------------- incremental


def _rendered(monkeypatch) -> list[str]:
    paths: list[str] = []
    real = portal.render.render

    def spy(page, context):
        paths.append(page.path)
        return real(page, context)

    monkeypatch.setattr(portal.render, "render", spy)
    return paths


def _equals_full_build(con, out, tmp_path) -> None:
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    build_site(con, fresh)
    assert snapshot(out) == snapshot(fresh)


def test_a_validity_change_rebuilds_the_document_what_links_to_it_and_its_catalogue_pages(
        con, org, docs, monkeypatch, tmp_path):
    out, made, _ = docs
    unrelated = publish(con, org, "工作动态一则")
    build_site(con, out, full=False)
    rendered = _rendered(monkeypatch)
    # the policy document is repealed (no new revision: only its catalogue row changes)
    con.execute("UPDATE catalogue_entries SET validity = '已废止', validity_changed_on = ?, "
                "topic_id = ? WHERE article_id = ?", [dt.date(YEAR, 6, 1), topic(con, "其他"), made["policy"].id])
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["changed_articles"] == [made["policy"].id]
    articles = {p for p in rendered if p.startswith("/art/")}
    # itself, its 解读, the documents it replaced (their notices name it), its neighbours in 政策文件
    assert {url(made[k]) for k in ("policy", "reading", "old", "amended")} <= articles
    assert url(unrelated) not in articles
    # the catalogue pages of its old and new topic, and of its year
    assert {f"/xxgk/zt/{topic(con, '工业、交通')}/index.html", f"/xxgk/zt/{topic(con, '其他')}/index.html",
            f"/xxgk/nd/{YEAR}/index.html"} <= set(rendered)
    assert f"/xxgk/zt/{topic(con, '信息产业、通信')}/index.html" not in rendered
    assert "本文件已于" in page(out, url(made["policy"]))
    _equals_full_build(con, out, tmp_path)


def test_linking_and_taking_down_a_reading_rebuilds_the_document_it_explains(con, org, docs, monkeypatch, tmp_path):
    out, made, cols = docs
    later = publish(con, org, "工业互联网若干措施答记者问", column=cols["reading"], interprets=made["old"].id)
    build_site(con, out, full=False)
    assert url(later) not in page(out, url(made["policy"]))
    rendered = _rendered(monkeypatch)
    catalogue(con, later.id, interprets=made["policy"].id)  # the 解读 is linked to another document
    stats = build_site(con, out, full=False)
    assert stats["changed_articles"] == [later.id] and url(made["policy"]) in rendered
    assert url(later) in page(out, url(made["policy"]))
    reading = workflow.get_article(con, made["reading"].id)
    workflow.take_down(con, org.webmaster, reading.id, reading.version, "临时处置")
    build_site(con, out, full=False)
    policy = page(out, url(made["policy"]))
    assert url(made["reading"]) not in policy and url(later) in policy
    _equals_full_build(con, out, tmp_path)


def test_a_year_that_loses_its_last_document_loses_its_catalogue_page(con, org, docs, tmp_path):
    out, _, cols = docs
    [old] = bulk_articles(con, cols["policy"], 1, start=dt.datetime(YEAR - 5, 4, 1), prefix="五年前文件")
    catalogue(con, old)
    build_site(con, out, full=False)
    assert (out / f"xxgk/nd/{YEAR - 5}/index.html").exists()
    con.execute("UPDATE articles SET public = FALSE WHERE id = ?", [old])
    build_site(con, out, full=False)
    # its address leads up to the section (core.portal.redirects): a published URL never breaks
    moved = page(out, f"/xxgk/nd/{YEAR - 5}/index.html")
    assert "页面已迁移" in moved and 'url=/xxgk/index.html"' in moved
    assert f"{YEAR - 5}年" not in main_of(page(out, "/xxgk/ml/index.html"))
    _equals_full_build(con, out, tmp_path)


# --------------------------------------------------------------------------- search, in the browser


@pytest.mark.browser
def test_search_filters_documents_by_topic_and_year(con, org, docs):
    out, made, cols = docs
    [older] = bulk_articles(con, cols["policy"], 1, start=dt.datetime(YEAR - 1, 5, 1), prefix="工业互联网标识解析管理办法")
    catalogue(con, older, topic_id=topic(con, "工业、交通"))
    build_site(con, out, full=False)
    search.index_all(out)
    with static_server(out) as base, chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/search.html?q=工业互联网")
        assert "找到 3 条" in _status(page)
        page.wait_for_function("() => !document.getElementById('search-topic').hidden")
        topics = page.locator("#search-topic option").all_text_contents()
        assert topics[0] == "全部主题分类" and {"工业、交通", "信息产业、通信"} <= set(topics)
        assert page.locator("#search-year option").all_text_contents() == ["全部年份", f"{YEAR}年", f"{YEAR - 1}年"]
        page.select_option("#search-topic", "信息产业、通信")
        page.wait_for_url(re.compile("zt="))
        assert "找到 1 条" in _status(page, "主题分类")
        assert _results(page) == [("《陕西省促进工业互联网发展若干措施》政策解读", url(made["reading"]))]
        page.select_option("#search-topic", "")
        page.select_option("#search-year", f"{YEAR - 1}年")
        page.wait_for_url(re.compile("nf="))
        assert "找到 1 条" in _status(page, f"{YEAR - 1}年")
        assert [title for title, _ in _results(page)] == ["工业互联网标识解析管理办法0001"]
        shot(page, "xxgk-search-year")


def test_section_pages_are_rendered_when_what_they_show_changed(con, org, docs, monkeypatch, tmp_path):
    out, made, cols = docs
    reports_col = column(con, org, "xxgknb", "政府信息公开年报", "openinfo", cols["top"])
    settings.set_values(con, org.webmaster, {"xxgk_report_column": "xxgknb"})
    assert build_site(con, out, full=False)["mode"] == "full"  # the setting is in the signature
    rendered = _rendered(monkeypatch)
    publish(con, org, "工作动态一则")  # nothing of the section
    build_site(con, out, full=False)
    assert not [p for p in rendered if p.startswith("/xxgk/")]
    rendered.clear()
    publish(con, org, f"陕西省工业和信息化厅{YEAR - 1}年政府信息公开工作年度报告", column=reports_col)
    build_site(con, out, full=False)
    assert sorted(p for p in rendered if p.startswith("/xxgk/")) == ["/xxgk/index.html", "/xxgk/ndbg/index.html"]
    assert f"{YEAR - 1}年政府信息公开工作年度报告" in page(out, "/xxgk/index.html")
    # 法定主动公开内容: a change of its columns makes the next build full
    con.execute("INSERT INTO statutory_columns VALUES (1, ?)", [cols["policy"]])
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "full" and "政策文件" in page(out, "/xxgk/fdzdgknr.html")
    _equals_full_build(con, out, tmp_path)
