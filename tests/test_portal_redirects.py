"""Permanent URLs (issue 15): a column renamed, given a new address or retired, an article's page moved, a
listing shortened — every URL the portal ever wrote still leads to its content (a redirect page at the old
path and a line in the nginx map), never to nothing."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from core import columns, portal, workflow
from core.portal import archive_url, article_url, build_site, column_url
from core.portal.redirects import REDIRECT_MAP
from tests.browser import free_port
from tests.test_deploy import NGINX, NoRedirect, insecure, local_config
from tests.test_portal import publish


def _paths(con) -> dict[str, str | None]:
    return dict(con.execute("SELECT path, moved_to FROM portal_urls").fetchall())


def _page(out: Path, url: str) -> str:
    return (out / url.lstrip("/")).read_text(encoding="utf-8")


def _redirect_target(html: str) -> str:
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    canonical = re.search(r'<link rel="canonical" href="https://www\.sxit\.gov\.cn([^"]+)">', html)
    assert refresh and canonical, html
    assert refresh.group(1) == canonical.group(1)
    assert f'<a href="{refresh.group(1)}">' in html  # the visible link, for a reader without refresh
    return refresh.group(1)


def _sitemap(out: Path) -> list[str]:
    return re.findall(r"<loc>https://www\.sxit\.gov\.cn([^<]+)</loc>", _page(out, "/sitemap.xml"))


@pytest.fixture
def site(con, org, tmp_path):
    first = publish(con, org, "第一篇工作动态")
    second = publish(con, org, "第二篇工作动态")
    out = tmp_path / "site"
    build_site(con, out, full=False)
    return out, first, second


def test_every_written_url_is_recorded_once_per_build(con, org, site):
    out, first, _ = site
    recorded = _paths(con)
    old_slug = columns.get_column(con, org.col_dz)["slug"]
    for url in (article_url(first.id, first.published_at), column_url(old_slug), "/index.html", "/sitemap.xml"):
        assert recorded[url] is None  # written by the build: no redirect
    assert not [p for p in recorded if p.startswith("/static/") or "/." in p]
    assert set(_sitemap(out)) <= set(recorded)
    assert (out / REDIRECT_MAP.lstrip("/")).is_file()  # nginx includes it: it exists even when empty


def test_a_new_column_address_leaves_redirects_at_the_old_one(con, org, site):
    out, first, _ = site
    old = columns.get_column(con, org.col_dz)["slug"]
    before = _sitemap(out)
    columns.update_column(con, org.webmaster, org.col_dz, {"slug": "gzdt-new", "name": "工作动态(新)"})
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "full" and stats["redirects"] >= 2
    assert _redirect_target(_page(out, column_url(old))) == column_url("gzdt-new")
    assert "页面已迁移" in _page(out, column_url(old))
    assert _paths(con)[f"/col/{old}/feed.xml"] == "/col/gzdt-new/feed.xml"
    # every URL of the previous sitemap is still a page: its own, or a redirect to it
    for url in before:
        assert (out / url.lstrip("/")).is_file(), url
    # redirects are neither in the new sitemap nor indexed by search
    assert not [u for u in _sitemap(out) if f"/col/{old}/" in u]
    assert "data-pagefind-body" not in _page(out, column_url(old))
    assert 'name="robots" content="noindex"' in _page(out, column_url(old))
    mapping = (out / REDIRECT_MAP.lstrip("/")).read_text(encoding="utf-8")
    assert f'"/col/{old}/index.html" "/col/gzdt-new/index.html";' in mapping
    assert f'"/col/{old}/" "/col/gzdt-new/index.html";' in mapping
    # the article page itself never moved: no redirect for it
    assert _paths(con)[article_url(first.id, first.published_at)] is None


def test_renamed_twice_the_first_address_leads_to_the_last_and_back_is_a_page_again(con, org, site):
    out, _, _ = site
    old = columns.get_column(con, org.col_dz)["slug"]
    columns.update_column(con, org.webmaster, org.col_dz, {"slug": "second"})
    build_site(con, out, full=False)
    columns.update_column(con, org.webmaster, org.col_dz, {"slug": "third"})
    build_site(con, out, full=False)
    assert _redirect_target(_page(out, column_url(old))) == column_url("third")
    assert _redirect_target(_page(out, column_url("second"))) == column_url("third")
    columns.update_column(con, org.webmaster, org.col_dz, {"slug": old})
    build_site(con, out, full=False)
    assert "页面已迁移" not in _page(out, column_url(old))
    assert _paths(con)[column_url(old)] is None
    assert _redirect_target(_page(out, column_url("third"))) == column_url(old)


def test_a_shorter_listing_redirects_its_last_pages_to_the_first_in_an_incremental_build(con, org, tmp_path):
    """Stable pagination (issue 16): a withdrawn item keeps its place, so its archive page stays; an item moved to
    another column gives its place up, and the archive pages no longer needed lead to the column's page."""
    items = [publish(con, org, f"动态{n}") for n in range(portal.pages.PER_PAGE + 1)]
    out = tmp_path / "site"
    build_site(con, out)
    slug = columns.get_column(con, org.col_dz)["slug"]
    assert (out / f"col/{slug}/index_2.html").is_file()
    workflow.withdraw(con, org.officer, items[0].id, items[0].version, "重复发布")
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["redirects"] == 0
    assert "页面已迁移" not in _page(out, archive_url(slug, 1))
    con.execute("UPDATE revisions SET column_id = ? WHERE article_id = ?", [org.col_cw, items[1].id])
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["redirects"] == 2
    assert _redirect_target(_page(out, archive_url(slug, 1))) == column_url(slug)
    assert _redirect_target(_page(out, archive_url(slug, 2))) == column_url(slug)
    # the incremental build kept the record: the first build's URLs are all still there
    recorded = _paths(con)
    assert all(article_url(a.id, a.published_at) in recorded for a in items)
    assert recorded[archive_url(slug, 2)] == column_url(slug)


def test_incremental_publish_adds_to_the_record_and_keeps_the_rest(con, org, site):
    out, first, _ = site
    before = _paths(con)
    third = publish(con, org, "第三篇工作动态")
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["redirects"] == 0
    after = _paths(con)
    assert set(before) <= set(after)
    assert after[article_url(third.id, third.published_at)] is None
    written = con.execute("SELECT first_written < last_written FROM portal_urls WHERE path = '/index.html'").fetchone()
    assert written == (True,)  # rewritten by the second build, first seen by the first


def test_a_taken_off_attachment_leads_to_its_article(con, org, site):
    out, first, _ = site
    con.execute("INSERT INTO attachments (article_id, filename, mime, size, sha256, data, uploaded_by) "
                "VALUES (?, '报告 (定稿).pdf', 'application/pdf', 3, 'x', 'pdf'::BLOB, ?)", [first.id, org.officer.id])
    build_site(con, out)
    file_url = next(p for p in _paths(con) if p.startswith("/files/"))
    con.execute("UPDATE attachments SET removed = TRUE")
    build_site(con, out)
    moved = _paths(con)[file_url]
    assert moved.startswith("/art/")
    mapping = (out / REDIRECT_MAP.lstrip("/")).read_text(encoding="utf-8")
    assert f'"{file_url}" "{moved}";' in mapping
    assert not (out / file_url.lstrip("/")).exists()  # no HTML page where a PDF was


def _status(opener, url: str) -> tuple[int, str | None]:
    try:
        response = opener.open(url, timeout=10)
        return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location")


@pytest.mark.nginx
def test_every_url_of_the_previous_sitemap_answers_200_or_301_through_nginx(con, org, site, tmp_path):
    out, _, _ = site
    old = columns.get_column(con, org.col_dz)["slug"]
    before = _sitemap(out)
    ports = free_port(), free_port(), free_port()
    main = local_config(tmp_path, out, *ports)
    check = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    base = f"https://127.0.0.1:{ports[1]}"
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=insecure()))
    columns.update_column(con, org.webmaster, org.col_dz, {"slug": "gzdt-renamed", "name": "工作动态新版"})
    build_site(con, out, full=False)
    # nginx reads the map when it starts (a reload's old workers may still answer for a moment: a fresh start
    # gives a test one answer)
    process = subprocess.Popen([NGINX, "-c", str(main), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: _status(opener, base + "/index.html")[0] == 200)
        answers = {url: _status(opener, base + url) for url in before}
        assert {code for code, _ in answers.values()} <= {200, 301}, answers
        moved = {url: location for url, (code, location) in answers.items() if code == 301}
        assert moved[column_url(old)] == base + column_url("gzdt-renamed")
        for location in moved.values():  # and the 301 leads to a page
            assert _status(opener, location)[0] == 200, location
        assert _status(opener, base + f"/col/{old}/")[1] == base + column_url("gzdt-renamed")
        assert _status(opener, base + REDIRECT_MAP)[0] == 404  # the map itself is not served
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(condition) -> None:
    for _ in range(300):
        try:
            if condition():
                return
        except urllib.error.URLError:  # not listening yet
            pass
        time.sleep(0.1)
    pytest.fail("nginx did not answer as expected")


def test_retiring_or_moving_a_column_keeps_every_url_a_page(con, org, site):
    """A retired column keeps its page and its articles' (第八条); a moved one keeps its address."""
    out, first, _ = site
    before = _sitemap(out)
    columns.update_column(con, org.webmaster, org.col_dz, {"retired": True})
    columns.update_column(con, org.webmaster, org.col_cw, {"parent_id": org.col_dz})
    assert build_site(con, out, full=False)["redirects"] == 0
    for url in before:
        assert "页面已迁移" not in _page(out, url), url
    assert not [p for p, moved in _paths(con).items() if moved]
