"""The public portal renderer: visibility, format, pagination, escaping, atomic writes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core import portal
from core.db import connect
from core.portal import article_url, build_site, column_url

BASE = datetime(2025, 12, 1, 9, 0)


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


def test_no_scripts_styles_or_handlers(site):
    _, out, _ = site
    pages = list(out.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), page
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


def test_pagination(tmp_path):
    con = connect(tmp_path / "p.duckdb")
    _setup(con)
    for i in range(1, 46):
        _article(con, i, 2, [(f"通知{i:02d}", f"<p>正文{i}</p>")], live=1, public=True,
                 state="published", published_at=BASE + timedelta(minutes=i))
    out = tmp_path / "site"
    stats = build_site(con, out)
    assert stats["articles"] == 45
    first, second, third = (_read(out, column_url("tzgg", n)) for n in (1, 2, 3))
    assert not (out / "col" / "tzgg" / "index_4.html").exists()
    assert "通知45" in first and "通知26" in first and "通知25" not in first
    assert "通知25" in second and "通知06" in second
    assert third.count('<li><a href="/art/') == 5 and "通知01" in third
    assert column_url("tzgg", 2) in first and column_url("tzgg", 3) in first
    assert column_url("tzgg", 2) in third  # 上一页
    # the home page falls back to first-level columns when none is key: latest 8
    con.execute("UPDATE columns SET is_key = FALSE")
    build_site(con, out)
    home = _read(out, "/index.html")
    assert "通知45" in home and "通知38" in home and "通知37" not in home
    con.close()


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
    # nothing changed: nothing is rewritten
    again = build_site(con, out)
    assert again["writes"] == 0 and again["unchanged"] > 10 and again["pruned"] == 0
    # a stale file in a folder the portal owns is pruned; other files are left alone
    (out / "col" / "gone").mkdir()
    (out / "col" / "gone" / "index.html").write_text("old", encoding="utf-8")
    (out / "robots.txt").write_text("keep", encoding="utf-8")
    # the webmaster takes article 1 down: its page becomes a notice, its attachment goes
    con.execute("UPDATE articles SET public = FALSE, state = 'taken_down' WHERE id = 1")
    stats = build_site(con, out)
    assert stats["pruned"] >= 1
    assert not (out / "files" / "1").exists() and not (out / "col" / "gone").exists()
    assert (out / "robots.txt").read_text(encoding="utf-8") == "keep"
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


def test_safe_filename():
    assert portal.safe_filename("../../etc/passwd", 7) == "passwd"
    assert portal.safe_filename("..\\x.doc", 7) == "x.doc"
    assert portal.safe_filename("", 7) == "attachment-7"
    assert portal.safe_filename("报告 2025.pdf", 7) == "报告 2025.pdf"
