"""链接可用性 (issue 15, links): internal links of a real build resolved in the site tree, outbound links
fetched from a real local HTTP server (200, 301→200, 404, 500, HEAD refused, never answers), the results
kept with their article and division, the command line, and the weekly check's mail (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from core import linkcheck, mailer, scheduler, settings
from core.db import connect, rows, scalar
from core.portal import article_url, build_site
from tests.test_notifications import Inbox, free_port
from tests.test_portal import correct, publish

ROOT = Path(__file__).resolve().parent.parent
QUICK = linkcheck.Fetching(timeout=0.5, per_host=2, retries=1, backoff=0.05)


class Handler(BaseHTTPRequestHandler):
    hits: Counter = Counter()

    def log_message(self, *args):  # quiet
        pass

    def _answer(self) -> None:
        Handler.hits[(self.command, self.path)] += 1
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/nohead" and self.command == "HEAD":
            self.send_response(405)
        else:
            self.send_response({"/ok": 200, "/nohead": 200, "/gone": 404, "/error": 500}.get(self.path, 404))
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = _answer  # noqa: N815 - http.server's hook names


@pytest.fixture(scope="module")
def web():
    """A local web server, and a port that accepts connections but never answers (a time-out)."""
    Handler.hits.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # never accepted: the request waits in the backlog
    yield f"http://127.0.0.1:{server.server_address[1]}", f"http://127.0.0.1:{silent.getsockname()[1]}"
    server.shutdown()
    silent.close()


def body(base: str, silent: str) -> str:
    return (f'<p>参考资料:<a href="{base}/ok">正常</a>、<a href="{base}/moved">已迁移</a>、'
            f'<a href="{base}/gone">已删除</a>、<a href="{base}/error">服务器出错</a>、'
            f'<a href="{silent}/never">无响应</a>。</p>'
            '<p>站内:<a href="/art/1999/01/999999.html">旧文</a>、<a href="#nowhere">本页锚点</a>、'
            '<a href="/index.html#main">首页正文</a>、<a href="/files/extra.txt">补充材料</a>。</p>')


@pytest.fixture
def site(con, org, tmp_path, web):
    article = publish(con, org, "关于推进工业互联网平台建设的通知", body(*web))
    out = tmp_path / "site"
    build_site(con, out)
    return out, article


def test_outbound_statuses_from_a_real_server(web):
    base, silent = web
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{s.getsockname()[1]}/x"  # closed when the block ends: nothing listens
    answers = linkcheck.fetch_all([f"{base}/ok", f"{base}/moved", f"{base}/gone", f"{base}/error",
                                   f"{base}/nohead", f"{silent}/never", refused], QUICK)
    assert answers[f"{base}/ok"] == (200, "")
    assert answers[f"{base}/moved"][0] == 200  # the 301 followed to a page that answers
    assert answers[f"{base}/gone"] == (404, "目标页面不存在 404")
    assert answers[f"{base}/error"] == (500, "服务器错误 500")
    assert answers[f"{base}/nohead"][0] == 200  # HEAD refused (405), GET answered
    assert answers[f"{silent}/never"] == (0, "连接超时")
    assert answers[refused] == (0, "无法连接")
    assert Handler.hits[("GET", "/error")] == 2  # a server error is tried again (retries=1)
    assert Handler.hits[("GET", "/gone")] == 1  # a 404 is an answer: no retry
    assert Handler.hits[("GET", "/nohead")] == 1


def test_internal_check_of_a_real_build(site, web):
    out, article = site
    page = article_url(article.id, article.published_at)
    result = linkcheck.check_internal(out, "https://www.sxit.gov.cn")
    assert result.pages > 10 and result.links > result.pages
    found = {(link.page, link.href): link.detail for link in result.broken}
    assert found == {
        (page, "/art/1999/01/999999.html"): "目标页面不存在",
        (page, "#nowhere"): "页内锚点不存在",
        (page, "/files/extra.txt"): "附件不存在",
    }  # every other link of the built site resolves: pages, folders, feeds, styles, /index.html#main
    base, silent = web
    assert {(link.page, link.href) for link in result.external} == {
        (page, f"{base}/ok"), (page, f"{base}/moved"), (page, f"{base}/gone"), (page, f"{base}/error"),
        (page, f"{silent}/never")}  # only the body's outbound links: not the footer's

def test_parallel_workers_find_the_same(site):
    out, _article = site
    one = linkcheck.check_internal(out, "https://www.sxit.gov.cn", workers=1)
    linkcheck.PARALLEL_MIN_PAGES, saved = 1, linkcheck.PARALLEL_MIN_PAGES
    try:
        two = linkcheck.check_internal(out, "https://www.sxit.gov.cn", workers=2)
    finally:
        linkcheck.PARALLEL_MIN_PAGES = saved
    assert sorted((b.page, b.href) for b in two.broken) == sorted((b.page, b.href) for b in one.broken)
    assert (two.pages, two.links) == (one.pages, one.links)


def test_results_stored_with_article_division_and_first_broken(con, org, site, web):
    out, article = site
    t1, t2, t3 = dt.datetime(2026, 11, 2, 3, 0), dt.datetime(2026, 11, 9, 3, 0), dt.datetime(2026, 11, 16, 3, 0)
    linkcheck.run(con, out, external=True, fetching=QUICK, now=t1)
    broken = linkcheck.broken_links(con)
    assert {b["href"].rsplit("/", 1)[-1] for b in broken} == {
        "gone", "error", "never", "999999.html", "#nowhere", "extra.txt"}
    assert {(b["division"], b["column_name"], b["article_id"]) for b in broken} == {("电子信息处", "工作动态", article.id)}
    assert {b["first_broken_at"] for b in broken} == {t1}
    details = {b["href"].rsplit("/", 1)[-1]: (b["status"], b["detail"]) for b in broken}
    assert details["never"] == (0, "连接超时") and details["error"] == (500, "服务器错误 500")
    assert linkcheck.broken_links(con, org.cw) == []

    (out / "files" / "extra.txt").parent.mkdir(exist_ok=True)
    (out / "files" / "extra.txt").write_text("补充材料", encoding="utf-8")
    linkcheck.run(con, out, now=t2)  # internal only: the outbound results of t1 are kept
    extra = rows(con, "SELECT broken, status, first_broken_at FROM link_checks WHERE href = '/files/extra.txt'")
    assert extra == [{"broken": False, "status": 200, "first_broken_at": None}]  # works again: cleared
    still = {b["href"]: b["first_broken_at"] for b in linkcheck.broken_links(con)}
    assert still["/art/1999/01/999999.html"] == t1 and still[f"{web[0]}/gone"] == t1  # broken since t1

    correct(con, org, article, article.title, "<p>正文已修改,不再引用外部资料。</p>")
    build_site(con, out, full=False)
    linkcheck.run(con, out, now=t3)
    assert scalar(con, "SELECT count(*) FROM link_checks") == 0  # links no longer on any page disappear
    assert [r["started_by"] for r in rows(con, "SELECT started_by FROM link_runs ORDER BY id")] == ["cli"] * 3


def test_command_line_json_and_exit_code(con, org, site):
    out, article = site
    page = article_url(article.id, article.published_at)
    path = Path(con.execute("PRAGMA database_list").fetchone()[2])
    con.close()
    command = [sys.executable, "-m", "core", "links", "check", "--db", str(path), "--site", str(out), "--json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert sorted(json.loads(done.stdout), key=lambda x: x["href"]) == [
        {"page": page, "href": "#nowhere", "status": 404},
        {"page": page, "href": "/art/1999/01/999999.html", "status": 404},
        {"page": page, "href": "/files/extra.txt", "status": 404},
    ]
    again = connect(path)
    try:
        assert scalar(again, "SELECT count(*) FROM link_checks WHERE broken") == 3  # stored by the command
        correct(again, org, article, article.title, "<p>正文已修改。</p>")
        build_site(again, out, full=False)
    finally:
        again.close()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert (done.returncode, json.loads(done.stdout)) == (0, []), done.stderr


def test_command_line_external(con, org, site):
    out, _article = site
    path = Path(con.execute("PRAGMA database_list").fetchone()[2])
    settings.set_values(con, org.webmaster, {"link_timeout_seconds": 1, "link_retries": 0})
    con.close()
    done = subprocess.run([sys.executable, "-m", "core", "links", "check", "--db", str(path), "--site", str(out),
                           "--external", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    statuses = {item["href"].rsplit("/", 1)[-1]: item["status"] for item in json.loads(done.stdout)}
    assert {k: statuses[k] for k in ("gone", "error", "never")} == {"gone": 404, "error": 500, "never": 0}
    assert "ok" not in statuses and "moved" not in statuses


@pytest.fixture
def inbox(con, org):
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.set_values(con, org.webmaster, {"smtp_host": "127.0.0.1", "smtp_port": port})
    yield handler
    controller.stop()


def test_weekly_check_mails_each_division_its_broken_links(con, org, site, inbox, web):
    out, _article = site
    settings.set_values(con, org.webmaster, {"link_timeout_seconds": 1, "link_retries": 0,
                                             "link_check_interval_days": 7})
    monday = dt.datetime(2026, 11, 2, 9, 0)
    scheduler.tick(con, out, monday)
    mailer.send_pending(con)
    mails = [m for m in inbox.messages if "链接检查" in m["Subject"]]
    assert sorted(m["To"] for m in mails) == ["head@sxit.gov.cn", "officer@sxit.gov.cn"]  # 电子信息处 only
    text = mails[0].get_content()
    assert "/gone" in text and "/art/1999/01/999999.html" in text and "连接超时" in text
    assert f"{web[0]}/ok" not in text and f"{web[0]}/moved" not in text  # working links are not listed
    scheduler.tick(con, out, monday + dt.timedelta(days=3))  # not due again within the week
    assert scalar(con, "SELECT count(*) FROM link_runs WHERE started_by = 'scheduler'") == 1
    scheduler.tick(con, out, monday + dt.timedelta(days=7))
    assert scalar(con, "SELECT count(*) FROM link_runs WHERE started_by = 'scheduler'") == 2


def test_a_failed_weekly_check_is_tried_again_an_hour_later_not_at_every_tick(con, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<a href="/index.html">首页</a>', encoding="utf-8")
    bad = os.path.join(os.fsencode(site), b"\xff.html")  # a name that is not UTF-8: it cannot be stored
    with open(bad, "wb") as page:
        page.write(b'<a href="/nowhere.html">x</a>')
    monday = dt.datetime(2026, 11, 2, 9, 0)
    assert scheduler.tick(con, site, monday)["links"] == {"error": True}
    assert scheduler.tick(con, site, monday + dt.timedelta(seconds=30))["links"] is None
    os.unlink(bad)
    assert scheduler.tick(con, site, monday + dt.timedelta(minutes=59))["links"] is None
    assert scheduler.tick(con, site, monday + dt.timedelta(hours=1))["links"]["pages"] == 1
    assert scalar(con, "SELECT count(*) FROM link_runs WHERE started_by = 'scheduler'") == 1


def test_approval_warning_names_the_dead_outbound_link(con, web):
    base, silent = web
    html = (f'<p><a href="{base}/ok">正常</a> <a href="{base}/gone">失效</a> <a href="/col/x/index.html">站内</a>'
            f' <a href="https://www.sxit.gov.cn/index.html">本站</a></p>')
    dead = linkcheck.dead_outbound(con, html, timeout=0.5)
    assert [(d["href"], d["status"]) for d in dead] == [(f"{base}/gone", 404)]


def test_links_written_every_way(con, org, tmp_path):
    """Relative, absolute, to the site's own host, to a folder, with a query, percent-encoded, a fragment
    into another page: each resolved as a browser would, and only the missing ones reported."""
    html = ('<p><a href="../../../col/gzdt/">栏目</a> <a href="../../../col/gzdt">栏目无斜杠</a> '
            '<a href="https://www.sxit.gov.cn/index.html?from=art">本站首页</a> '
            '<a href="https://www.sxit.gov.cn/nothere.html">本站旧页</a> <a href="missing.html">同目录缺失</a> '
            '<a href="/%E7%BC%BA%E5%A4%B1.html">中文缺失</a> <a href="/index.html#nosuch">首页锚点缺失</a> '
            '<a href="mailto:hdjl@sxit.gov.cn">邮件</a> <a href="tel:02987654321">电话</a></p>')
    article = publish(con, org, "关于链接写法的说明", html)
    out = tmp_path / "site"
    build_site(con, out)
    page = article_url(article.id, article.published_at)
    written = (out / page.lstrip("/")).read_text(encoding="utf-8")
    assert all(f'href="{href}"' in written for href in ("../../../col/gzdt/", "../../../col/gzdt", "mailto:hdjl@sxit.gov.cn",
                                                         "https://www.sxit.gov.cn/index.html?from=art"))
    result = linkcheck.check_internal(out, "https://www.sxit.gov.cn")
    assert {(b.page, b.href, b.detail) for b in result.broken} == {
        (page, "https://www.sxit.gov.cn/nothere.html", "目标页面不存在"),
        (page, "missing.html", "目标页面不存在"),
        (page, "/%E7%BC%BA%E5%A4%B1.html", "目标页面不存在"),
        (page, "/index.html#nosuch", "页内锚点不存在"),
    }
    assert result.external == []  # the site's own host is not outbound; mailto: and tel: are not fetched
