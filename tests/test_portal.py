"""The public portal renderer: visibility, format, pagination, feeds, sitemaps, escaping,
atomic and interrupted builds, parallel rendering. Incremental builds: test_portal_incremental.py."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core import columns, portal, settings, workflow
from core.db import connect, scalar
from core.portal import archive_url, article_url, build_site, column_url

BASE = datetime(2025, 12, 1, 9, 0)
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BODY = "<p>省工信厅召开电子信息产业推进会。</p>"


# --------------------------------------------------------------------------- helpers (shared)


def approve(con, head, article):
    """The head ticks the checklist and acknowledges the screening's warnings (第十六条)."""
    warnings = [workflow.finding_key(f) for f in workflow.screen_article(con, article) if not f.blocking]
    return workflow.approve(con, head, article.id, article.version, list(workflow.CHECKLIST), acknowledged=warnings)


def publish(con, org, title: str, body: str = BODY, *, column: int | None = None, source: str = "电子信息处"):
    """An article taken through the real workflow: draft → submit → approve → publish."""
    article = workflow.create_article(con, org.officer, column or org.col_dz, title, body, source,
                                      dt.date.today(), "一般")
    article = approve(con, org.head, workflow.submit(con, org.officer, article.id, article.version))
    return workflow.publish(con, org.officer, article.id, article.version)


def correct(con, org, article, title: str, body: str = BODY):
    """A published article corrected and re-published (a new live revision)."""
    article = workflow.save_article(con, org.officer, article.id, article.version, title=title, body_html=body,
                                    source="电子信息处", work_ended_on=dt.date.today(), importance="一般")
    article = workflow.submit(con, org.officer, article.id, article.version) if article.state != "pending" \
        else article
    article = approve(con, org.head, article)
    return workflow.publish(con, org.officer, article.id, article.version)


def bulk_articles(con, column_id: int, count: int, *, start: datetime = BASE, first_id: int = 10_000,
                  prefix: str = "批量信息", division_id: int | None = None) -> list[int]:
    """Published articles inserted in bulk with SQL, one minute apart (ids from ``first_id``)."""
    division = division_id or scalar(con, "SELECT division_id FROM columns WHERE id = ?", [column_id])
    author = scalar(con, "SELECT min(id) FROM users")
    con.execute("""
        INSERT INTO articles (id, column_id, lead_division_id, title, body_html, source, state, author_id,
                              published_at, live_revision, public)
        SELECT ? + i, ?, ?, ? || lpad((i + 1)::TEXT, 4, '0'), '<p>' || ? || (i + 1) || '。</p>', '办公室',
               'published', ?, ?::TIMESTAMP + to_minutes(i::BIGINT), 1, TRUE
        FROM range(?) t(i)""", [first_id, column_id, division, prefix, prefix, author, start, count])
    con.execute("""
        INSERT INTO revisions (article_id, number, column_id, title, body_html, source, importance, author_id,
                               created_at)
        SELECT id, 1, column_id, title, body_html, source, '一般', author_id, published_at
        FROM articles WHERE id >= ? AND id < ?""", [first_id, first_id + count])
    return list(range(first_id, first_id + count))


def all_text(out: Path) -> str:
    """Every file of the built site, as text (HTML, XML, robots.txt …)."""
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(out.rglob("*")) if p.is_file())


def snapshot(out: Path) -> dict[str, bytes]:
    """The site's files and contents, without the build stamp (which every build renews)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != portal.STAMP_FILE}


def _setup(con) -> None:
    con.execute("INSERT INTO divisions (id, code, name) VALUES (1, 'bgs', '办公室'), (2, 'kjc', '科技处')")
    con.execute(
        "INSERT INTO users (id, username, display_name, password_hash, division_id)"
        " VALUES (1, 'li', '李信息员', 'x', 2)"
    )
    con.execute("INSERT INTO column_kinds (code, name) VALUES ('list', '信息列表')")
    con.execute("""
        INSERT INTO columns (id, parent_id, slug, name, kind, division_id, position, retired, is_key)
        VALUES (1, NULL, 'gzdt', '工作动态', 'list', 2, 1, FALSE, TRUE),
               (2, NULL, 'tzgg', '通知公告', 'list', 1, 2, FALSE, FALSE),
               (3, 2, 'tzgg-kj', '科技通知', 'list', 2, 1, FALSE, FALSE),
               (4, NULL, 'jlm', '旧栏目', 'list', 1, 3, TRUE, FALSE)""")


def _article(con, article_id: int, column_id: int, revisions: list[tuple[str, str]], *,
             live: int | None, public: bool, state: str, published_at: datetime | None,
             source: str = "科技处") -> None:
    """An article with revisions 1..n (title, body); ``live`` is the live revision number."""
    title, body = revisions[-1]
    con.execute(
        "INSERT INTO articles (id, column_id, lead_division_id, title, body_html, source, state,"
        " revision, author_id, published_at, live_revision, public)"
        " VALUES (?, ?, 2, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        [article_id, column_id, title, body, source, state, len(revisions), published_at, live, public],
    )
    for number, (title, body) in enumerate(revisions, start=1):
        con.execute(
            "INSERT INTO revisions (article_id, number, column_id, title, body_html, source, importance,"
            " author_id) VALUES (?, ?, ?, ?, ?, ?, '一般', 1)",
            [article_id, number, column_id, title, body, source],
        )


@pytest.fixture
def site(tmp_path):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    # 1: published, with a newer draft revision under review
    _article(con, 1, 1, [("第一版标题", "<p>第一版正文内容</p>"), ("修改中的新标题", "<p>草稿正文</p>")],
             live=1, public=True, state="pending", published_at=BASE)
    # 2: taken down by the webmaster
    _article(con, 2, 1, [("已撤下的标题", "<p>不应再出现的正文</p>")],
             live=1, public=False, state="taken_down", published_at=BASE + timedelta(hours=1))
    con.execute(
        "INSERT INTO workflow_events (article_id, revision, actor_id, action, from_state, to_state, created_at)"
        " VALUES (2, 1, 1, 'take_down', 'published', 'taken_down', TIMESTAMP '2025-12-05 10:00:00')"
    )
    # 3: never published
    _article(con, 3, 1, [("从未发布的稿件", "<p>草稿</p>")],
             live=None, public=False, state="draft", published_at=None)
    # 4: a title with markup, in a sub-column
    _article(con, 4, 3, [("<script>alert(1)</script>关于科技项目的通知", "<p>通知正文</p>")],
             live=1, public=True, state="published", published_at=BASE + timedelta(hours=2))
    # 5: in the retired column
    _article(con, 5, 4, [("旧栏目里的文章", "<p>旧正文</p>")],
             live=1, public=True, state="published", published_at=BASE - timedelta(days=400))
    # 6: a second public article in 工作动态 (for previous/next)
    _article(con, 6, 1, [("第二篇工作动态", "<p>第二篇正文</p>")],
             live=1, public=True, state="published", published_at=BASE + timedelta(days=1))
    # attachments: one on a public article, one on the taken-down one
    con.execute(
        "INSERT INTO attachments (id, article_id, filename, mime, size, sha256, data, uploaded_by) VALUES"
        " (1, 1, '申报指南.pdf', 'application/pdf', 4, 'x', '\\x25\\x50\\x44\\x46'::BLOB, 1),"
        " (2, 2, '撤下附件.pdf', 'application/pdf', 3, 'x', 'abc'::BLOB, 1)"
    )
    out = tmp_path / "site"
    stats = build_site(con, out)
    yield con, out, stats
    con.close()


def _read(out: Path, url: str) -> str:
    return (out / url.lstrip("/")).read_text(encoding="utf-8")


def test_urls():
    assert article_url(345, datetime(2025, 12, 3, 8, 0)) == "/art/2025/12/345.html"
    assert column_url("gzdt") == "/col/gzdt/index.html"
    assert column_url("gzdt", 2) == "/col/gzdt/index_2.html"


def test_public_article_shows_live_revision(site):
    con, out, stats = site
    html = _read(out, article_url(1, BASE))
    assert "第一版标题" in html and "第一版正文内容" in html
    assert "修改中的新标题" not in html and "草稿正文" not in html
    assert html.count("<h1") == 1
    assert '<html lang="zh-CN">' in html
    for landmark in ("<header", "<nav", "<main", "<footer", 'href="#main"'):
        assert landmark in html
    assert "发布机构" in html and "科技处" in html and "2025-12-01" in html and "信息来源" in html
    assert "陕西省工业和信息化厅" in html and "www.sxit.gov.cn" in html
    # the next article of the column is linked as 上一篇 (newer), and the column is in the breadcrumbs
    assert article_url(6, BASE) in html and "第二篇工作动态" in html
    assert column_url("gzdt") in html
    assert stats["articles"] == 4 and stats["columns"] == 4
    assert stats["seconds"] >= 0


def test_format_css(site):
    _, out, _ = site
    css = (out / "static" / "site.css").read_text(encoding="utf-8")
    body_rule = css[css.index(".article-body {"):]
    body_rule = body_rule[:body_rule.index("}")]
    assert "color: #000" in body_rule
    assert '"SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", serif' in body_rule
    assert "font-size: 10.5pt" in body_rule and "line-height: 18pt" in body_rule
    assert ":focus-visible" in css
    assert "/static/site.css" in _read(out, "/index.html")


def test_taken_down_shows_withdrawal_notice(site):
    _, out, stats = site
    html = _read(out, article_url(2, BASE))
    assert "该信息已撤下" in html and "此页面信息已于2025年12月5日撤下" in html
    assert 'href="/index.html"' in html
    assert "不应再出现的正文" not in html and "已撤下的标题" not in html
    assert "已撤下的标题" not in _read(out, column_url("gzdt"))
    assert not (out / "files" / "2").exists()
    assert stats["withdrawn"] == 1


def test_never_published_has_no_page(site):
    _, out, _ = site
    assert not list(out.glob("art/**/3.html"))
    assert all("从未发布的稿件" not in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))


def test_attachment_written_and_linked(site):
    _, out, _ = site
    assert (out / "files" / "1" / "申报指南.pdf").read_bytes() == b"%PDF"
    html = _read(out, article_url(1, BASE))
    assert portal.attachment_url(1, "申报指南.pdf") in html and "申报指南.pdf" in html


def test_title_escaped_everywhere(site):
    _, out, _ = site
    html = _read(out, article_url(4, BASE))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;关于科技项目的通知" in html
    # the sub-column article is listed in its own column and its parent's
    assert "&lt;script&gt;" in _read(out, column_url("tzgg-kj"))
    parent = _read(out, column_url("tzgg"))
    assert "&lt;script&gt;" in parent and column_url("tzgg-kj") in parent


def test_no_inline_scripts_styles_or_handlers(site):
    """The strict CSP (script-src 'self') holds: scripts only as files from /static/."""
    _, out, _ = site
    pages = list(out.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.I | re.S)
        assert len(scripts) == html.lower().count("<script"), page
        for attributes, inline in scripts:
            assert re.search(r'\ssrc="/static/[\w.-]+\.js(\?v=\w+)?"', attributes) and not inline.strip(), page
        assert "script-src 'self'" in html, page
        assert not re.search(r"<[^>]*\sstyle\s*=", html, re.I), page
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", html, re.I), page
        assert html.count("<h1") == 1, page


def test_retired_column_renders_but_not_in_nav(site):
    _, out, _ = site
    html = _read(out, article_url(5, BASE - timedelta(days=400)))
    assert "旧栏目里的文章" in html
    column = _read(out, column_url("jlm"))
    assert "旧栏目里的文章" in column and "停止更新" in column
    nav = html[html.index('<nav class="site-nav"'):]
    nav = nav[:nav.index("</nav>")]
    assert column_url("jlm") not in nav and column_url("gzdt") in nav
    assert column_url("jlm") not in _read(out, "/index.html")


def test_home_page(site):
    _, out, _ = site
    html = _read(out, "/index.html")
    # 工作动态 is the key column: its latest items; every first-level column is linked
    assert "第一版标题" in html and "第二篇工作动态" in html
    assert column_url("gzdt") in html and column_url("tzgg") in html
    assert "已撤下的标题" not in html
    assert (out / "404.html").exists()


def test_the_home_page_links_the_newest_site_report_once_one_is_published(con, org, tmp_path):
    """政府网站工作年度报表 on the home page (国办函〔2018〕12号): the column the setting names, empty at first."""
    report_column = columns.create_column(con, org.webmaster, {
        "name": "政府网站工作年度报表", "slug": settings.get(con, "site_report_column"), "kind": "general",
        "division_id": org.dz})
    out = tmp_path / "site"
    build_site(con, out, full=True)  # an empty report column: no quick link, no failure
    assert "政府网站工作年度报表" not in quick_links(_read(out, "/index.html"))
    older = publish(con, org, "2024年度政府网站工作年度报表", column=report_column)
    newest = publish(con, org, "2025年度政府网站工作年度报表", column=report_column)
    build_site(con, out, full=False)
    quick = quick_links(_read(out, "/index.html"))
    assert f'<a href="{article_url(newest.id, newest.published_at)}">政府网站工作年度报表</a>' in quick
    assert article_url(older.id, older.published_at) not in quick


def test_every_article_is_reachable_from_its_column_page_through_the_pager(tmp_path):
    """From the column's page, following 上一页/下一页 and the page numbers reaches every archive page and every
    article exactly once among the archive pages (taken-down ones are on none); 下一页 read from index.html
    goes from newer to older without skipping an item."""
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    for i in range(1, 128):
        _article(con, i, 2, [(f"通知{i:03d}", f"<p>正文{i}</p>")], live=1, public=i % 17 != 0,
                 state="published" if i % 17 else "taken_down", published_at=BASE + timedelta(minutes=i))
    out = tmp_path / "site"
    build_site(con, out)
    seen, queue, listed = set(), [column_url("tzgg")], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        html = _read(out, url)
        queue += re.findall(r'href="(/col/tzgg/index(?:_\d+)?\.html)"', html)
        if url != column_url("tzgg"):
            listed += _titles(html)
    assert seen == {column_url("tzgg"), *(archive_url("tzgg", n) for n in range(1, 8))}  # 127 places: 7 pages
    assert sorted(listed) == [f"通知{i:03d}" for i in range(1, 128) if i % 17]  # each once, none taken down
    # reading on with 下一页 from index.html: newest first, nothing skipped (index.html may repeat a few)
    order, url = [], column_url("tzgg")
    while url:
        html = _read(out, url)
        order += [t for t in _titles(html) if t not in order]
        found = re.search(r'<a href="([^"]+)" rel="next">下一页', html)
        url = found.group(1) if found else None
    assert order == sorted(order, reverse=True) and len(order) == 120
    con.close()


def _titles(html: str) -> list[str]:
    """The titles of a listing page's items, in order."""
    listing = html.split('<ul class="item-list">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="/art/[^"]+">([^<]+)</a>', listing)


def quick_links(html: str) -> str:
    return html.split('<nav class="home-quick"', 1)[1].split("</nav>", 1)[0]


def test_pagination(tmp_path):
    """Stable pagination (issue 16): index.html the newest 20, archive pages numbered from the oldest."""
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    for i in range(1, 46):
        _article(con, i, 2, [(f"通知{i:02d}", f"<p>正文{i}</p>")], live=1, public=True,
                 state="published", published_at=BASE + timedelta(minutes=i))
    out = tmp_path / "site"
    stats = build_site(con, out)
    assert stats["articles"] == 45
    newest = _read(out, column_url("tzgg"))
    first, second, third = (_read(out, archive_url("tzgg", n)) for n in (1, 2, 3))
    assert not (out / "col" / "tzgg" / "index_4.html").exists()
    assert "通知45" in newest and "通知26" in newest and "通知25" not in newest
    assert _titles(first) == [f"通知{i:02d}" for i in range(20, 0, -1)]  # the oldest 20, newest first
    assert _titles(second) == [f"通知{i:02d}" for i in range(40, 20, -1)]
    assert _titles(third) == [f"通知{i:02d}" for i in range(45, 40, -1)]  # only the newest page is short
    assert "共 45 条,本页为最新 20 条" in newest and "归档为 3 页:第 3 页最新,第 1 页最早" in newest
    assert "归档第 1 页(第 1 页最早):本页 20 条" in first
    # index.html's 下一页 is the page of the newest item it does not show (通知25); every page is linked
    assert f'<a href="{archive_url("tzgg", 2)}" rel="next">下一页(较早)</a>' in newest
    assert all(archive_url("tzgg", n) in newest for n in (1, 2, 3))
    assert f'<a href="{column_url("tzgg")}" rel="prev">上一页(较新)</a>' in third
    assert f'<a href="{archive_url("tzgg", 3)}" rel="prev">上一页(较新)</a>' in second
    assert f'<a href="{archive_url("tzgg", 1)}" rel="next">下一页(较早)</a>' in second
    assert 'rel="next"' not in first
    assert 'aria-current="page" aria-label="归档第 2 页">2</a>' in second
    # the home page falls back to first-level columns when none is key: latest 8
    con.execute("UPDATE columns SET is_key = FALSE")
    build_site(con, out)
    section = home_section(_read(out, "/index.html"), "sec-2")
    assert "通知45" in section and "通知38" in section and "通知37" not in section
    con.close()


def home_section(html: str, heading_id: str) -> str:
    """One <section> of the home page, by the id of its heading."""
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, f"no home section {heading_id}"
    return found.group(0)


def latest_titles(html: str) -> list[str]:
    """The titles in the home page's 最新信息 list, in order."""
    return re.findall(r'<a href="/art/[^"]+">([^<]+)</a>', home_section(html, "sec-latest"))


def test_settings_override_identity(tmp_path):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    con.execute("INSERT INTO settings (name, value) VALUES ('site_name', '测试门户'),"
                " ('site_url', 'https://test.example.cn/')")
    build_site(con, tmp_path / "site")
    html = _read(tmp_path / "site", "/index.html")
    assert "测试门户" in html and "test.example.cn" in html
    assert 'href="https://test.example.cn/index.html"' in html
    con.close()


def test_rebuild_is_atomic_and_prunes(site):
    con, out, _ = site
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    # nothing changed: nothing is rewritten but the build stamp
    again = build_site(con, out)
    assert again["writes"] == 1 and again["unchanged"] > 10 and again["pruned"] == 0
    # a stale file in a folder the portal owns is pruned; other files are left alone
    (out / "col" / "gone").mkdir()
    (out / "col" / "gone" / "index.html").write_text("old", encoding="utf-8")
    (out / "baidu_verify_x1.html").write_text("keep", encoding="utf-8")
    # the webmaster takes article 1 down: its page becomes a notice, its attachment goes
    con.execute("UPDATE articles SET public = FALSE, state = 'taken_down' WHERE id = 1")
    stats = build_site(con, out)
    assert stats["pruned"] >= 1
    assert not (out / "files" / "1").exists() and not (out / "col" / "gone").exists()
    assert (out / "baidu_verify_x1.html").read_text(encoding="utf-8") == "keep"
    assert "该信息已撤下" in _read(out, article_url(1, BASE))
    assert "第一版正文内容" not in _read(out, article_url(1, BASE))
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_writer_refuses_duplicates_and_escapes(tmp_path):
    writer = portal.Writer(tmp_path / "w")
    writer.write("/a/b.html", "一")
    with pytest.raises(portal.DuplicateOutput):
        writer.write("/a/b.html", "二")
    with pytest.raises(ValueError):
        writer.write("/../evil.html", "x")
    assert writer.writes == 1
    assert (tmp_path / "w" / "a" / "b.html").read_text(encoding="utf-8") == "一"
    assert [p.name for p in (tmp_path / "w" / "a").iterdir()] == ["b.html"]


@pytest.mark.parametrize("path", ["", "/", "/a//b.html", "/./a.html", "/a/../b.html", "/a/.", "/a/..", "/a/",
                                  "a\x00b.html", "/../evil.html", "..", "."])
def test_writer_target_refuses_bad_paths(tmp_path, path):
    with pytest.raises(ValueError):
        portal.Writer(tmp_path).target(path)


@pytest.mark.parametrize("path", ["/a/b.html", "a/b.html", "//a/b.html", "/a/.../b.html", "/..a/b..html", "/x"])
def test_writer_target_is_under_root(tmp_path, path):
    writer = portal.Writer(tmp_path)
    assert writer.target(path) == os.path.join(writer.root, *path.lstrip("/").split("/"))


def test_writer_checks_same_bytes_only_where_a_file_may_be(tmp_path, monkeypatch):
    """A folder this writer made holds only what it wrote (a path once a build), so it writes there without
    looking; in a folder that was there, a file with the same bytes is left alone (not rewritten)."""
    looked: list[str] = []
    same = portal.Writer._same
    monkeypatch.setattr(portal.Writer, "_same", staticmethod(lambda target, data: looked.append(target)
                                                             or same(target, data)))
    first = portal.Writer(tmp_path)
    first.write("/a/b.html", "一")
    first.write("/a/c/d.html", "二")  # parents made on the way are fresh too
    assert (first.writes, first.unchanged) == (2, 0) and looked == []
    mtime = (tmp_path / "a" / "b.html").stat().st_mtime_ns
    os.utime(tmp_path / "a" / "b.html", ns=(mtime - 10**9, mtime - 10**9))
    again = portal.Writer(tmp_path)
    again.write("/a/b.html", "一")
    again.write("/a/c/d.html", "三")
    again.write("/e/f.html", "四")
    assert (again.writes, again.unchanged) == (2, 1)
    assert looked == [again.target("/a/b.html"), again.target("/a/c/d.html")]  # not in the new folder /e
    assert (tmp_path / "a" / "b.html").stat().st_mtime_ns == mtime - 10**9  # left untouched
    assert (tmp_path / "a" / "c" / "d.html").read_text(encoding="utf-8") == "三"
    assert (tmp_path / "e" / "f.html").read_text(encoding="utf-8") == "四"
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_writer_writes_new_files_whole_and_replaces_those_there(tmp_path, monkeypatch):
    """A new file is made unnamed and named once written (Linux: O_TMPFILE, linkat); a file already there, or
    one that another process wrote meanwhile, is replaced by a temporary file moved into place; where the
    system has no unnamed files, every file goes that way. Whichever way: the bytes, the mode, no temp file."""
    from core.portal import writer as writer_module

    named: list[bool] = []
    write_new = writer_module._write_new
    monkeypatch.setattr(writer_module, "_write_new", lambda *a: named.append(write_new(*a)) or named[-1])
    umask = os.umask(0)
    os.umask(umask)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "there.html").write_text("旧", encoding="utf-8")
    writer = portal.Writer(tmp_path)
    writer.write("/new/a.html", "一")  # a folder this writer made
    (tmp_path / "new" / "b.html").write_text("另一进程", encoding="utf-8")  # appears meanwhile
    writer.write("/new/b.html", "二")
    writer.write("/old/there.html", "三")  # replaced
    writer.write("/old/missing.html", "四")  # a new file in a folder that was there
    assert writer.writes == 4
    texts = {p.relative_to(tmp_path).as_posix(): p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.html")}
    assert texts == {"new/a.html": "一", "new/b.html": "二", "old/there.html": "三", "old/missing.html": "四"}
    assert {p.stat().st_mode & 0o777 for p in tmp_path.rglob("*.html")} == {0o644 & ~umask}
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    if sys.platform == "linux" and writer_module._fd_folder() >= 0:
        assert named == [True, False, True]  # b.html was there: named the other way; there.html not tried
    monkeypatch.setattr(writer_module, "_O_TMPFILE", 0)
    monkeypatch.setattr(writer_module, "_named_by", [-2])
    other = portal.Writer(tmp_path / "elsewhere")
    other.write("/c/d.html", "五")
    assert (tmp_path / "elsewhere" / "c" / "d.html").read_text(encoding="utf-8") == "五"
    assert named[-1] is False and not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_prune_leaves_the_folders_the_build_made_and_clears_the_others(tmp_path):
    """After a full build, a file it did not write goes from the folders the portal owns, however deep;
    a folder the build made (here or in a worker process) held nothing stale: what another process wrote
    there meanwhile stays, as do files outside the portal's own folders."""
    for path in ("art/old.html", "art/2020/01/x.html", "col/keep/index.html", "baidu_verify.html"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("旧", encoding="utf-8")
    writer = portal.Writer(tmp_path)
    writer.write("/art/2024/01/1.html", "一")  # makes art/2024 and art/2024/01
    writer.write("/col/keep/index.html", "二")
    worker = portal.Writer(tmp_path)  # a worker process's writer: its folders reach the build by merge
    worker.write("/xxgk/new/index.html", "三")
    writer.merge([worker.target("/xxgk/new/index.html")], 1, 0, 3, worker.made)
    for path in ("art/2024/01/other.html", "xxgk/new/other.html", "col/keep/late.html"):  # written meanwhile
        (tmp_path / path).write_text("另一进程", encoding="utf-8")
    assert writer.prune() == 3
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["art/2024/01/1.html", "art/2024/01/other.html", "baidu_verify.html", "col/keep/index.html",
                    "xxgk/new/index.html", "xxgk/new/other.html"]
    assert not (tmp_path / "art" / "2020").exists()  # emptied folders go
    assert sorted(writer.gone) == ["/art/2020/01/x.html", "/art/old.html", "/col/keep/late.html"]


def test_safe_filename():
    assert portal.safe_filename("../../etc/passwd", 7) == "passwd"
    assert portal.safe_filename("..\\x.doc", 7) == "x.doc"
    assert portal.safe_filename("", 7) == "attachment-7"
    assert portal.safe_filename("报告 2025.pdf", 7) == "报告 2025.pdf"


# --------------------------------------------------------------------------- through the workflow


def _every_state(con, org) -> dict[str, list]:
    """Articles in every workflow state, with distinct titles; returns them by visibility."""
    live = [publish(con, org, f"公开信息{i}号:电子信息产业动态") for i in range(3)]
    corrected = publish(con, org, "已发布后又修改的信息")
    corrected = workflow.save_article(con, org.officer, corrected.id, corrected.version, title="修改中尚未批准的新标题",
                                      body_html="<p>尚未批准的修改正文</p>", source="电子信息处",
                                      work_ended_on=dt.date.today(), importance="一般")
    draft = workflow.create_article(con, org.officer, org.col_dz, "草稿状态的标题甲", BODY, "电子信息处")
    pending = workflow.submit(con, org.officer, workflow.create_article(
        con, org.officer, org.col_dz, "审批中状态的标题乙", BODY, "电子信息处").id, 1)
    approved = approve(con, org.head, workflow.submit(con, org.officer, workflow.create_article(
        con, org.officer, org.col_dz, "已批准未发布的标题丙", BODY, "电子信息处").id, 1))
    scheduled = workflow.publish(con, org.officer, approved.id, approved.version,
                                 at=dt.datetime.now() + dt.timedelta(days=3))
    unsent = approve(con, org.head, workflow.submit(con, org.officer, workflow.create_article(
        con, org.officer, org.col_dz, "已批准待发布的标题丁", BODY, "电子信息处").id, 1))
    withdrawn = publish(con, org, "发布后被处室撤销的标题戊")
    workflow.withdraw(con, org.officer, withdrawn.id, withdrawn.version, "内容有误")
    taken = publish(con, org, "被网站管理员撤下的标题己")
    workflow.take_down(con, org.webmaster, taken.id, taken.version, "临时处置")
    return {"public": [*live, corrected], "never": [draft, pending, scheduled, unsent],
            "notice": [withdrawn, taken]}


def test_every_published_article_rendered_and_no_unpublished(con, org, tmp_path):
    made = _every_state(con, org)
    out = tmp_path / "site"
    stats = build_site(con, out)
    assert stats["articles"] == len(made["public"]) and stats["withdrawn"] == 2
    everything = all_text(out)
    for article in made["public"]:
        page = _read(out, article_url(article.id, article.published_at))
        live = workflow.revision(con, article.id, article.live_revision)
        assert live["title"] in page and "<article" in page
    assert "修改中尚未批准的新标题" not in everything and "尚未批准的修改正文" not in everything
    for article in made["never"]:
        assert article.title not in everything  # not in a page, feed, sitemap or anywhere else
        assert not list(out.glob(f"art/**/{article.id}.html"))
    for article in made["notice"]:
        assert article.title not in everything
        assert "该信息已撤下" in _read(out, article_url(article.id, article.published_at))
    assert sorted(out.glob("art/**/*.html")) == sorted(
        out / article_url(a.id, a.published_at).lstrip("/") for a in made["public"] + made["notice"])


HOSTILE = '<img src=x onerror=alert(1)><script>alert("x")</script>"><svg onload=alert(2)>'


def test_hostile_input_cannot_run_script(con, org, tmp_path):
    """Titles, sources, attachment names and bodies with markup are shown as text or cleaned."""
    article = publish(con, org, "标题" + HOSTILE, "<p>正文</p>" + HOSTILE + '<a href="javascript:alert(3)">链接</a>',
                      source="来源" + HOSTILE)
    con.execute("INSERT INTO attachments (article_id, filename, mime, size, sha256, data, uploaded_by)"
                " VALUES (?, ?, 'application/pdf', 4, 'x', '\\x25\\x50\\x44\\x46'::BLOB, ?)",
                [article.id, HOSTILE + ".pdf", org.officer.id])
    out = tmp_path / "site"
    build_site(con, out)
    page = _read(out, article_url(article.id, article.published_at))
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 4  # title in <title> and <h1>, source, file name
    for text in [page, *(p.read_text(encoding="utf-8") for p in out.rglob("*.html")), all_text(out)]:
        assert not re.search(r"<(script|svg|img)\b[^>]*(onerror|onload)|<script>alert|javascript:", text, re.I)
    assert not [p for p in out.rglob("*") if "<" in p.name or ">" in p.name]


# --------------------------------------------------------------------------- feeds, sitemaps, site pages


def _atom(out: Path, url: str) -> ET.Element:
    root = ET.fromstring((out / url.lstrip("/")).read_bytes())
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"].endswith(url) and links["alternate"].startswith("https://")
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "published"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        assert entry.find(f"{ATOM}link").get("rel") == "alternate"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", entry.find(f"{ATOM}updated").text)
    return root


def test_feeds_are_atom_with_the_latest_items(tmp_path):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    con.execute("INSERT INTO settings (name, value) VALUES ('site_url', 'https://www.example.gov.cn/')")
    bulk_articles(con, 3, 60, prefix="科技通知")  # in 科技通知, a sub-column of 通知公告
    out = tmp_path / "site"
    build_site(con, out)
    site = _atom(out, "/feed.xml")
    entries = site.findall(f"{ATOM}entry")
    assert len(entries) == 50
    assert entries[0].find(f"{ATOM}title").text == "科技通知0060"
    assert entries[0].find(f"{ATOM}id").text.startswith("https://www.example.gov.cn/art/2025/12/")
    column = _atom(out, portal.feed_url("tzgg-kj"))
    assert [e.find(f"{ATOM}title").text for e in column.findall(f"{ATOM}entry")] == [
        f"科技通知{n:04d}" for n in range(60, 40, -1)]
    parent = _atom(out, portal.feed_url("tzgg"))  # the parent's listing shows its sub-columns' items
    assert len(parent.findall(f"{ATOM}entry")) == 20
    assert not _atom(out, portal.feed_url("gzdt")).findall(f"{ATOM}entry")
    for url in ("/index.html", column_url("tzgg-kj"), article_url(10_000, BASE)):
        assert 'type="application/atom+xml"' in _read(out, url)
    assert 'href="/col/tzgg-kj/feed.xml"' in _read(out, column_url("tzgg-kj"))
    con.close()


def _sitemap_urls(out: Path, name: str = "sitemap.xml") -> list[str]:
    root = ET.fromstring((out / name).read_bytes())
    assert root.tag == f"{SITEMAP}urlset"
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_sitemap_and_robots(site):
    _, out, _ = site
    urls = _sitemap_urls(out)
    prefix = "https://www.sxit.gov.cn"
    articles = {u for u in urls if "/art/" in u}
    assert articles == {prefix + article_url(i, BASE + d) for i, d in
                        ((1, timedelta(0)), (4, timedelta(hours=2)), (5, timedelta(days=-400)),
                         (6, timedelta(days=1)))}
    assert {prefix + column_url(s) for s in ("gzdt", "tzgg", "tzgg-kj", "jlm")} <= set(urls)
    assert prefix + "/index.html" in urls
    for url in urls:  # every URL of the sitemap is a file of the site
        assert (out / url.removeprefix(prefix).lstrip("/")).is_file(), url
    assert (out / "robots.txt").read_text(encoding="utf-8") == (
        "User-agent: *\nDisallow: /workbench/\nSitemap: https://www.sxit.gov.cn/sitemap.xml\n")


def test_large_sitemap_becomes_an_index_of_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(portal.pages, "SITEMAP_CHUNK", 16)
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    ids = bulk_articles(con, 1, 25)
    out = tmp_path / "site"
    build_site(con, out)
    index = ET.fromstring((out / "sitemap.xml").read_bytes())
    assert index.tag == f"{SITEMAP}sitemapindex"
    chunks = [loc.text.rsplit("/", 1)[1] for loc in index.iter(f"{SITEMAP}loc")]
    # 2 + 4 (联系我们, 网站声明, 无障碍, 留言答复) + 5 (政府信息公开: its index and four pages) + 4 columns + 25 articles
    assert chunks == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    found = [u for c in chunks for u in _sitemap_urls(out, c)]
    assert all(len(_sitemap_urls(out, c)) <= 16 for c in chunks) and len(found) == len(set(found)) == 40
    # a publish assembles only the chunks from the first changed article on (articles come in id order)
    assembled = []
    real = portal.build.sitemap_files
    monkeypatch.setattr(portal.build, "sitemap_files",
                        lambda *a, **k: assembled.append(found := real(*a, **k)) or found)
    bulk_articles(con, 1, 1, start=BASE + timedelta(days=1), first_id=20_000, prefix="新发布")
    build_site(con, out, full=False)
    assert [path for path, _ in assembled[-1].files] == ["/sitemap.xml", "/sitemap-3.xml"]
    fresh = tmp_path / "fresh"
    build_site(con, fresh)
    assert all((out / n).read_bytes() == (fresh / n).read_bytes() for n in ("sitemap.xml", *chunks))
    assert build_site(con, out, full=False)["mode"] == "full"  # the record is the fresh folder's now
    # one taken down in the first chunk: every chunk again
    con.execute("UPDATE articles SET public = FALSE WHERE id = ?", [ids[0]])
    build_site(con, out, full=False)
    assert [path for path, _ in assembled[-1].files] == ["/sitemap.xml", *(f"/sitemap-{n}.xml" for n in (1, 2, 3))]
    # the site shrinks below one chunk: one sitemap again, and the chunks are gone
    con.execute("UPDATE articles SET public = FALSE WHERE id IN (SELECT unnest(?::INTEGER[]))", [[*ids, 20_000]])
    build_site(con, out, full=False)
    assert len(_sitemap_urls(out)) == 15 and not list(out.glob("sitemap-*.xml"))
    con.close()


def test_an_incremental_sitemap_assembles_from_the_first_changed_url_what_the_full_one_holds(tmp_path, monkeypatch):
    """The chunks an incremental build assembles start at the chunk of the first changed article, found by its
    id (keyset) without numbering the URLs before it, also when that chunk starts among the answers after the
    articles: each chunk file it returns is the full assembly's file byte for byte (issue 16)."""
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    ids = bulk_articles(con, 1, 28)
    con.execute("""
        INSERT INTO messages (id, code, kind, subject, body, name, state, published_at)
        SELECT 500 + i, 'm' || i, 'consult', '留言' || i, '内容', '市民', CASE WHEN i % 4 = 3 THEN 'closed'
               ELSE 'published' END, ?::TIMESTAMP + to_hours(i::BIGINT)
        FROM range(20) t(i)""", [BASE])
    site = portal.data.load_site(con)
    extra = ["/xxgk/index.html", "/xxgk/gkzn.html"]
    expected_first: set[int] = set()
    for chunk in (5, 7, 8, 16):
        monkeypatch.setattr(portal.pages, "SITEMAP_CHUNK", chunk)
        full = portal.pages.sitemap_files(con, site, extra)
        whole = dict(full.files)
        assert len(whole) == 1 + full.chunks > 2
        # the URLs before the articles: the site's own pages, the two extra ones, the four columns
        head = sum(text.count("<url>") for text in whole.values()) - len(ids) - 15
        assert head == 12
        for changed in ([ids[0]], [ids[9]], [ids[-1]], [ids[-1], ids[3]], [], [19_999]):
            part = portal.pages.sitemap_files(con, site, extra, changed=changed, head=full.head,
                                              present=lambda path: True)
            assert part.chunks == full.chunks and part.head == full.head
            assert all(whole[path] == text for path, text in part.files), (chunk, changed)
            # the chunks from the one holding the first changed article on (none changed: the first answer's),
            # unless that chunk starts before the articles (every chunk then)
            position = sum(1 for i in ids if i < min(changed)) if changed else len(ids)
            first = (head + position) // chunk if (head + position) // chunk * chunk >= head else 0
            assert [p for p, _ in part.files] == ["/sitemap.xml", *(f"/sitemap-{n + 1}.xml" for n in range(
                first, full.chunks))], (chunk, changed)
            expected_first.add(first)
        # the head changed (or no digest recorded): every chunk again
        again = portal.pages.sitemap_files(con, site, extra, changed=[ids[-1]], head="x", present=lambda path: True)
        assert again.files == full.files
    # chunks starting among the articles, and at the first answer (12 + 28 = 40: chunk 8 of 5, chunk 5 of 8)
    assert {2, 3, 5, 8} <= expected_first
    con.close()


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode()


class _Spy:
    """A connection that records the SQL it runs (sitemap_files only calls execute)."""

    def __init__(self, con):
        self.con, self.sql = con, []

    def execute(self, sql, params=None):
        self.sql.append(sql)
        return self.con.execute(sql, params)


def test_an_incremental_sitemap_patches_the_last_builds_files_into_what_the_full_one_holds(tmp_path, monkeypatch):
    """Given the last build's files (``read``), the changed articles' lines are taken out and put in again, in id
    order, without assembling the URLs in SQL: every file returned is the full assembly's byte for byte, for a
    take-down, a new article, a new date and a new revision, in one file or in chunks; where the files are not the
    last build's (a line missing, a file not as written, a file gone) every file is assembled instead (issue 16)."""
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    ids = bulk_articles(con, 1, 28)
    con.execute("""
        INSERT INTO messages (id, code, kind, subject, body, name, state, published_at)
        SELECT 500 + i, 'm' || i, 'consult', '留言' || i, '内容', '市民', 'published', ?::TIMESTAMP + to_hours(i::BIGINT)
        FROM range(6) t(i)""", [BASE])
    site = portal.data.load_site(con)
    extra = ["/xxgk/index.html", "/xxgk/gkzn.html"]
    for chunk in (7, 16, 100):
        monkeypatch.setattr(portal.pages, "SITEMAP_CHUNK", chunk)
        con.execute("BEGIN TRANSACTION")
        last = portal.pages.sitemap_files(con, site, extra)
        on_disk = {path: text.encode() for path, text in last.files}
        con.execute("UPDATE articles SET public = FALSE WHERE id = ?", [ids[4]])
        con.execute("UPDATE articles SET published_at = published_at + INTERVAL 40 DAY WHERE id = ?", [ids[9]])
        con.execute("UPDATE revisions SET created_at = TIMESTAMP '2030-01-02' WHERE article_id = ?", [ids[20]])
        new = bulk_articles(con, 1, 1, start=BASE + timedelta(days=90), first_id=20_000, prefix="新发布")
        changed = [ids[4], ids[9], ids[20], *new, 19_999]
        whole = dict(portal.pages.sitemap_files(con, site, extra).files)
        spy = _Spy(con)
        part = portal.pages.sitemap_files(spy, site, extra, changed=changed, head=last.head, read=on_disk.get)
        assert not any("string_agg(" in sql and "chunk" in sql for sql in spy.sql), chunk  # patched, not assembled
        assert part.files and all(whole[path].encode() == _bytes(text) for path, text in part.files), chunk
        if chunk == 100:
            assert [p for p, _ in part.files] == ["/sitemap.xml"]
        else:  # from the chunk holding ids[4] on (the head is 12 URLs: the chunk of the article at 12 + 4)
            assert [p for p, _ in part.files] == ["/sitemap.xml", *(
                f"/sitemap-{n + 1}.xml" for n in range((12 + 4) // chunk, part.chunks))], chunk
        for path, text in on_disk.items():
            lines = text.split(b"\n")
            for spoilt in (b"\n".join(lines[:3] + lines[4:]),  # a line missing
                           b" " + text, None):  # not as a build writes it; gone
                again = portal.pages.sitemap_files(con, site, extra, changed=changed, head=last.head,
                                                   read={**on_disk, path: spoilt}.get)
                assert dict(again.files) == whole, (chunk, path)  # every file assembled
        con.execute("ROLLBACK")
    con.close()


def test_site_map_page_lists_the_column_tree(site):
    _, out, _ = site
    html = _read(out, "/sitemap.html")
    assert "<h1>网站地图</h1>" in html
    tree = html[html.index('class="site-map"'):html.index("map-retired")]
    # the sub-column is nested inside its parent's item; the retired column is listed apart
    assert re.search(r"通知公告</a>\s*<ul>\s*<li><a href=\"/col/tzgg-kj/index.html\">科技通知", tree)
    assert column_url("jlm") not in tree and column_url("jlm") in html
    assert 'href="/sitemap.html"' in _read(out, "/index.html")


def test_home_page_links_interaction_search_and_site_map(tmp_path):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    con.execute("INSERT INTO column_kinds (code, name) VALUES ('interaction', '互动交流')")
    con.execute("""INSERT INTO columns (id, parent_id, slug, name, kind, division_id, position)
                   VALUES (5, NULL, 'hdjl', '互动交流', 'interaction', 1, 9),
                          (6, 5, 'tzxx', '厅长信箱', 'interaction', 1, 1)""")
    out = tmp_path / "site"
    build_site(con, out)
    html = _read(out, "/index.html")
    quick = html[html.index('class="home-quick"'):]
    quick = quick[:quick.index("</nav>")]
    assert 'href="/col/hdjl/index.html">互动交流' in quick and column_url("tzxx") not in quick
    assert 'href="/sitemap.html"' in quick and 'href="/search.html"' in quick
    assert re.search(r'<form[^>]*role="search"[^>]*action="/search.html"[^>]*method="get"', html)
    assert 'name="q"' in html and "陕西省工业和信息化厅" in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    con.close()


def test_article_page_carries_what_search_indexes(site):
    _, out, _ = site
    html = _read(out, article_url(4, BASE))
    assert html.count("data-pagefind-body") == 1 and re.search(r"<article[^>]*data-pagefind-body", html)
    assert re.search(r'<h1[^>]*data-pagefind-meta="title"[^>]*>&lt;script&gt;', html)
    assert re.search(r'<time datetime="2025-12-01" data-pagefind-meta="date"[^>]*>2025-12-01</time>', html)
    assert '<dd data-pagefind-filter="栏目">科技通知</dd>' in html
    # the previous/next links are outside the indexed part
    html = _read(out, article_url(1, BASE))
    assert html.index("</article>") < html.index('class="article-nav"')
    others = [p for p in out.rglob("*.html") if "/art/" not in p.as_posix()]
    assert others and not [p for p in others if "data-pagefind-body" in p.read_text(encoding="utf-8")]


def test_search_page_rendered_with_the_site_context_when_its_template_exists(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    portal_templates = portal.render.TEMPLATES
    import shutil

    shutil.copytree(portal_templates, templates, ignore=shutil.ignore_patterns("search.html"))
    monkeypatch.setattr(portal.render, "TEMPLATES", templates)
    monkeypatch.setattr(portal.render, "STATIC", templates / "static")
    portal.render.environment.cache_clear()
    try:
        con = connect(tmp_path / "p.duckdb")
        _setup(con)
        out = tmp_path / "site"
        build_site(con, out)
        assert not (out / "search.html").exists()
        (templates / "search.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>{{ page_title }}</h1>{% endblock %}', encoding="utf-8")
        stats = build_site(con, out, full=False)
        assert stats["mode"] == "full"  # a template changed
        html = _read(out, "/search.html")
        assert "<h1>站内搜索</h1>" in html and "工作动态" in html  # the navigation of every page
        con.close()
    finally:
        portal.render.environment.cache_clear()


def test_a_template_edited_between_builds_is_what_the_next_build_renders(tmp_path, monkeypatch):
    """Templates are compiled once per process and the files are not looked at per page: an edit that
    keeps the file's size (and maybe its modification time) still reaches the next build."""
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(portal.render.TEMPLATES, templates)
    monkeypatch.setattr(portal.render, "TEMPLATES", templates)
    monkeypatch.setattr(portal.render, "STATIC", templates / "static")
    portal.render.environment.cache_clear()
    try:
        con = connect(tmp_path / "p.duckdb")
        _setup(con)
        out = tmp_path / "site"
        build_site(con, out)
        assert "<h1>页面不存在</h1>" in _read(out, "/404.html")
        page = templates / "404.html"
        page.write_text(page.read_text(encoding="utf-8").replace("页面不存在</h1>", "网页未找到</h1>"),
                        encoding="utf-8")
        assert build_site(con, out, full=False)["mode"] == "full"
        assert "<h1>网页未找到</h1>" in _read(out, "/404.html")
        con.close()
    finally:
        portal.render.environment.cache_clear()


def _xml_char(code: int) -> bool:
    """XML 1.0's Char production, without the C1 controls and DEL (parse errors in HTML)."""
    if code in (0x9, 0xA, 0xD):
        return True
    return (0x20 <= code <= 0xD7FF and not 0x7F <= code <= 0x9F) or 0xE000 <= code <= 0xFFFD or code >= 0x10000


@pytest.mark.parametrize("neighbour", ["", "·"], ids=["plain", "with-C2-lead-byte"])
def test_every_page_loses_exactly_the_characters_xml_forbids(tmp_path, neighbour):
    """The writer checks a page's UTF-8 bytes for what could be a forbidden character: every code point
    from U+0000 to U+00FF and around the surrogates and U+FFFE/U+FFFF is dropped or kept as XML says."""
    writer = portal.Writer(tmp_path)
    codes = [*range(0x100), 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFEFF, 0xFFEF, 0xFFFC, 0xFFFD,
             0xFFFE, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF]
    for code in codes:
        writer.write(f"/c/{code:x}.html", f"<p>前{neighbour}{chr(code)}后</p>")
        kept = chr(code) if _xml_char(code) else ""
        assert (tmp_path / f"c/{code:x}.html").read_bytes() == f"<p>前{neighbour}{kept}后</p>".encode(), hex(code)


# --------------------------------------------------------------------------- interrupted and parallel builds


def _complete(out: Path) -> None:
    """Every page on disk is whole, and no temporary file is left."""
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for page in out.rglob("*.html"):
        assert page.read_text(encoding="utf-8").endswith("</html>\n"), page


def test_bodies_written_as_bytes_make_the_pages_their_text_would(tmp_path, monkeypatch):
    """A build reads the bodies as UTF-8 bytes and writes them between the parts of the page rendered around them
    (portal.render.render_to): the same files as rendering the decoded bodies, the characters XML forbids removed
    alike; and a page on which the body's mark shows elsewhere (here a title) is rendered from the decoded body."""
    from core.portal import build as build_module
    from core.portal import render as render_module

    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    ids = bulk_articles(con, 1, 4, prefix="正文标题")
    con.execute("UPDATE revisions SET body_html = ? WHERE article_id = ?",
                ["<p>甲\x01乙\u0085丙\ufffe丁·戊￥己\x7f</p>", ids[3]])
    con.execute("UPDATE revisions SET title = '含标记甲乙的标题' WHERE article_id = ?", [ids[0]])
    con.execute("UPDATE revisions SET body_html = '' WHERE article_id = ?", [ids[2]])  # an empty body
    monkeypatch.setattr(render_module, "_BODY_MARK", render_module.Markup("标记甲乙"))
    made = []
    real_render = render_module.render
    monkeypatch.setattr(render_module, "render", lambda page, *a: made.append(page.path) or real_render(page, *a))
    build_site(con, tmp_path / "bytes")
    fast = article_url(ids[3], BASE + timedelta(minutes=3))  # its neighbour (ids[2]) shows no mark
    assert made.count(fast) == 1
    assert "<p>甲乙丙丁·戊￥己</p>" in (tmp_path / "bytes" / fast.lstrip("/")).read_text(encoding="utf-8")
    fallback = article_url(ids[0], BASE)
    assert made.count(fallback) == 2  # so is its neighbour's (ids[1]), which shows its title

    real_batches = build_module.body_batches

    def as_text(*args, **kwargs):
        for batch in real_batches(*args, **kwargs):
            yield [(i, body.decode("utf-8"), source) for i, body, source in batch]

    monkeypatch.setattr(build_module, "body_batches", as_text)
    build_site(con, tmp_path / "text")
    assert snapshot(tmp_path / "bytes") == snapshot(tmp_path / "text")
    con.close()


def test_interrupted_build_leaves_the_previous_site(tmp_path, monkeypatch):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    bulk_articles(con, 1, 30, prefix="旧标题")
    out = tmp_path / "site"
    build_site(con, out)
    before = snapshot(out)
    con.execute("UPDATE revisions SET title = replace(title, '旧标题', '新标题')")
    con.execute("UPDATE articles SET live_revision = 2, revision = 2")
    con.execute("""INSERT INTO revisions (article_id, number, column_id, title, body_html, source, importance, author_id)
                   SELECT article_id, 2, column_id, title, body_html, source, importance, author_id FROM revisions""")
    real_write = portal.Writer.write
    calls = []

    def failing_write(self, path, content):
        calls.append(path)
        if len(calls) == 12:
            raise OSError("disk full")
        return real_write(self, path, content)

    monkeypatch.setattr(portal.Writer, "write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        build_site(con, out, full=False)
    monkeypatch.undo()
    _complete(out)
    after = snapshot(out)
    assert set(after) == set(before)  # nothing lost, nothing half-written
    changed = [name for name in after if after[name] != before[name]]
    assert 0 < len(changed) < 12
    # the record still describes the previous build: the next build redoes what failed
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and len(stats["changed_articles"]) == 30
    assert not re.search(r"旧标题\d{4}", all_text(out))  # titles; bodies keep their words
    _complete(out)
    con.close()


def _fork_pool(monkeypatch) -> None:
    """Render in worker processes even for a small site (and even if pytest runs a thread)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork")
    monkeypatch.setattr(portal.pool, "PARALLEL_MIN_PAGES", 0)
    monkeypatch.setattr(portal.pool, "RENDER_BATCH", 7)
    monkeypatch.setattr(portal.pool, "_pool_context", lambda: multiprocessing.get_context("fork"))


def test_parallel_build_equals_serial_build(tmp_path, monkeypatch):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    bulk_articles(con, 1, 45)
    bulk_articles(con, 3, 30, first_id=20_000, prefix="科技")
    serial = build_site(con, tmp_path / "serial", workers=0)
    _fork_pool(monkeypatch)
    parallel = build_site(con, tmp_path / "parallel", workers=2)
    assert parallel["pages"] == serial["pages"] and parallel["writes"] == serial["writes"]
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")
    con.close()


@pytest.mark.parametrize("failing", [article_url(10_030, BASE + timedelta(minutes=30)), "/404.html"],
                         ids=["mid-build", "last-batch"])
def test_interrupted_parallel_build_leaves_the_previous_site(tmp_path, monkeypatch, failing):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    bulk_articles(con, 1, 60, prefix="旧标题")
    out = tmp_path / "site"
    build_site(con, out, workers=0)
    before = snapshot(out)
    con.execute("UPDATE revisions SET title = replace(title, '旧标题', '新标题')")
    _fork_pool(monkeypatch)
    real_render = portal.render.render

    def failing_render(page, context):
        if page.path == failing:
            raise RuntimeError("template error")
        return real_render(page, context)

    monkeypatch.setattr(portal.render, "render", failing_render)
    with pytest.raises(RuntimeError, match="template error"):
        build_site(con, out, workers=2)
    _complete(out)
    assert set(snapshot(out)) == set(before)
    monkeypatch.setattr(portal.render, "render", real_render)
    stats = build_site(con, out, full=False, workers=2)
    assert stats["mode"] == "full" and not re.search(r"旧标题\d{4}", all_text(out))  # a failed full build is redone in full
    con.close()


def test_a_threaded_process_renders_in_process(tmp_path, monkeypatch):
    """The workbench runs threads: no fork of it (a copied lock), no fork server (it would re-run
    app.py, which opens the database); its rare full builds render in its own process."""
    import threading

    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    bulk_articles(con, 1, 30)
    serial = build_site(con, tmp_path / "serial", workers=0)
    monkeypatch.setattr(portal.pool, "PARALLEL_MIN_PAGES", 0)
    monkeypatch.setattr(portal.pool, "ProcessPoolExecutor", None)  # would fail if a pool were started
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert portal.pool._pool_context() is None
        threaded = build_site(con, tmp_path / "threaded", workers=2)
    finally:
        stop.set()
        other.join()
    assert threaded["pages"] == serial["pages"]
    assert snapshot(tmp_path / "threaded") == snapshot(tmp_path / "serial")
    con.close()


def test_full_build_shows_progress_on_request(tmp_path, capsys):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    bulk_articles(con, 1, 5)
    build_site(con, tmp_path / "site", progress=True)
    assert "生成门户页面" in capsys.readouterr().err
    build_site(con, tmp_path / "site", full=False, progress=True)
    assert "生成门户页面" not in capsys.readouterr().err  # incremental builds take a second: no bar
    con.close()


def test_home_page_lists_the_latest_items_of_every_column(site):
    """最新信息: the newest public items whatever their column (科技通知 has no home section:
    工作动态 is the only key column), newest first, each with its column and date."""
    con, out, _ = site
    html = _read(out, "/index.html")
    assert latest_titles(html) == ["第二篇工作动态", "&lt;script&gt;alert(1)&lt;/script&gt;关于科技项目的通知",
                                   "第一版标题", "旧栏目里的文章"]
    latest = home_section(html, "sec-latest")
    assert "<h2" in latest and "最新信息" in latest
    assert "[科技通知]" in latest and f"{(BASE + timedelta(hours=2)):%Y-%m-%d}" in latest
    assert "sec-3" not in html  # 科技通知 itself is not on the home page
    assert "已撤下的标题" not in latest and "从未发布的稿件" not in latest

    con.execute("INSERT INTO settings (name, value) VALUES ('home_latest_items', '2')")
    build_site(con, out)
    assert latest_titles(_read(out, "/index.html")) == latest_titles(html)[:2]


def test_reads_for_no_article_run_no_query():
    """An incremental build with no notice, article page or correction to render asks the database nothing for
    them (a publish withdraws nothing: ≈13 ms of CPU at scale, issue 16); None still means every one."""
    class NoDatabase:
        def execute(self, *args):
            raise AssertionError("queried")

    assert portal.data.fetch_withdrawn(NoDatabase(), []) == []
    assert portal.data.fetch_attachments(NoDatabase(), []) == {}
    assert portal.data.fetch_corrections(NoDatabase(), []) == {}
    with pytest.raises(AssertionError, match="queried"):
        portal.data.fetch_withdrawn(NoDatabase(), None)
