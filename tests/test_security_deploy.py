"""Issue 12, the serving side: L9 the public message page and the cookie, L2 staff text and external
images, L7 the losing side of a double approval, L8 attachments served so that browsers never run them."""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import re
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from core import accounts, importer, workflow
from core.content import sanitize_html
from core.db import connect
from core.errors import PortalError, StaleVersion
from tests.apptest_helpers import app_as, open_page, texts
from tests.browser import ROOT, chromium, free_port, go_to_page, login, make_demo, servers, shot, wait_for, warm_up
from tests.conftest import PASSWORD, make_org
from tests.test_browser_deploy import answers, new_page, nginx_in_front
from tests.test_content import PNG
from tests.test_deploy import nginx  # noqa: F401 (a fixture)
from tests.test_page_approvals import button

ALL_CHECKS = list(workflow.CHECKLIST)
BODY = "<p>省工信厅召开电子信息产业推进会。</p>"


def second_head(con, org) -> accounts.User:
    return accounts.create_user(con, None, "head2", "王处长", ["head"], org.dz, password=PASSWORD,
                                must_change_password=False)[0]


def pending_item(con, org, title="全省工业互联网试点工作启动", source="电子信息处", body=BODY):
    article = workflow.create_article(con, org.officer, org.col_dz, title, body, source)
    return workflow.submit(con, org.officer, article.id, article.version)


def test_losing_head_is_told_who_approved_first(con, org):
    """L7: two heads approve the same version from two connections; the loser hears that the other
    head approved first, never that it had approved itself."""
    other = second_head(con, org)
    article = pending_item(con, org)
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def act(user):
        cursor = con.cursor()
        barrier.wait()
        try:
            workflow.approve(cursor, user, article.id, article.version, ALL_CHECKS)
            outcomes[user.username] = "ok"
        except PortalError as exc:
            outcomes[user.username] = str(exc)

    threads = [threading.Thread(target=act, args=(u,)) for u in (org.head, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()).count("ok") == 1, outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    lost = next(outcome for outcome in outcomes.values() if outcome != "ok")
    assert "已由他人处理" in lost and "请刷新后查看" in lost
    assert "已批准过" not in lost and "您已" not in lost
    # once the winner's decision is visible, the loser learns who took it (the loser's next try)
    loser = other if winner == "head" else org.head
    with pytest.raises(StaleVersion) as refused:
        workflow.approve(con, loser, article.id, article.version, ALL_CHECKS)
    winner_name = "HEAD" if winner == "head" else "王处长"
    assert f"已由他人处理({winner_name} 于" in str(refused.value) and "批准)" in str(refused.value)
    assert workflow.get_article(con, article.id).state == "approved"


def test_losing_head_on_the_page_is_told_someone_else_acted_first(tmp_path, con):
    """L7: on 待我审批 two heads have the same item open; the second to click 批准 is told the first
    head approved it, instead of the item silently leaving the queue."""
    org = make_org(con)
    second_head(con, org)
    article = pending_item(con, org)
    con.close()
    path = tmp_path / "portal.duckdb"
    first = open_page(app_as(path, "head"), "approvals")
    second = open_page(app_as(path, "head2"), "approvals")
    for page in (first, second):
        for box in page.checkbox:
            box.check()
    button(first, "ap_approve").click().run()
    assert "已批准。" in texts(first)
    button(second, "ap_approve").click().run()
    seen = texts(second)
    assert "已由他人处理(HEAD 于" in seen and "批准)" in seen, seen
    assert "已批准。" not in seen
    events = workflow.history(connect(path), article.id)
    assert [e["actor"] for e in events if e["action"] == "approve"] == ["HEAD"]


@pytest.mark.parametrize("source", [
    "http://203.0.113.9/pixel.png", "https://203.0.113.9/pixel.png", "//203.0.113.9/pixel.png",
    "/\\203.0.113.9/pixel.png", "/\t/203.0.113.9/pixel.png", "HTTP://203.0.113.9/pixel.png",
    "&#104;ttp://203.0.113.9/pixel.png", "/&#47;203.0.113.9/pixel.png",
])
def test_body_images_from_other_hosts_are_dropped(source):
    """L2: a body keeps only the pictures we hold (data: images, our own /files/ paths); a picture on
    another host would be fetched by every reviewer's browser that opens the preview."""
    clean = sanitize_html(f'<p>现场<img src="{source}" alt="外部"><img src="/files/3/现场.png" alt="本站">'
                          f'<img src="data:image/png;base64,{base64.b64encode(PNG).decode()}" alt="上传"></p>')
    assert "203.0.113.9" not in clean
    assert '<img src="/files/3/现场.png" alt="本站">' in clean and 'alt="上传"' in clean


def test_an_old_sites_pictures_on_our_own_address_stay_as_paths_when_imported(con, org, tmp_path):
    """L2: importing an old site keeps the pictures its pages address by the portal's own full address
    (as paths on the site), while a picture on any other host — a look-alike name included — is dropped."""
    item = {"id": "old-1", "column": "工作动态", "division": "电子信息处", "title": "迁移稿件:现场图片",
            "body_html": '<p>现场<img src="https://www.sxit.gov.cn/files/2019/a.png" alt="本站旧址">'
                         '<img src="//WWW.SXIT.GOV.CN/files/2019/b.png" alt="本站无协议">'
                         '<img src="https://www.sxit.gov.cn.203.0.113.9.nip.io/c.png" alt="仿冒">'
                         '<img src="http://203.0.113.9/d.png" alt="外部"></p>',
            "source": "电子信息处", "work_end_date": "2021-03-01", "published_at": "2021-03-02T10:15:00"}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    result = importer.import_jsonl(con, path)
    assert result.imported == 1, result.problems
    body = con.execute("SELECT body_html FROM articles WHERE title = '迁移稿件:现场图片'").fetchone()[0]
    assert '<img src="/files/2019/a.png" alt="本站旧址">' in body and 'src="/files/2019/b.png"' in body
    assert "203.0.113.9" not in body and "仿冒" not in body


class _Counting(http.server.BaseHTTPRequestHandler):
    """Another host's web server: it records every request a browser makes to it."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        type(self).seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *_args):
        pass


@contextmanager
def external_host():
    _Counting.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Counting.seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_reviewer_browser_fetches_nothing_from_another_host(tmp_path):
    """L2: an officer's 信息来源 written as a Markdown image and a body stored with a picture on another
    host: the head's browser on 待我审批 shows the source as typed and requests nothing from that host."""
    db_path = make_demo(tmp_path / "demo.duckdb")
    with external_host() as (elsewhere, requests_seen):
        con = connect(db_path)
        head = accounts.find_user(con, "fzr_dzxx")
        first = workflow.approval_queue(con, head)[0]
        source = f"![来源]({elsewhere}/source.png)"
        # as a body saved before the image rule (the rule drops it on save): the preview must not load it
        body = (f'<p>正文第一段。</p><p><img src="{elsewhere}/body.png" alt="外部图片"></p>'
                f'<p><img src="data:image/png;base64,{base64.b64encode(PNG).decode()}" alt="本站图片"></p>')
        con.execute("UPDATE articles SET source = ?, body_html = ? WHERE id = ?", [source, body, first["id"]])
        con.close()
        with servers(db_path, tmp_path / "site") as (workbench, _), chromium() as browser:
            warm_up(browser, workbench, timeout=60000)
            page = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN").new_page()
            login(page, workbench, "fzr_dzxx", "Demo-2026!sx")
            go_to_page(page, "待我审批")
            page.get_by_text(f"信息来源:{source}").wait_for(timeout=60000)
            own = page.locator('article.preview img[alt="本站图片"]')
            own.wait_for(timeout=60000)
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=own.element_handle(),
                                   timeout=60000)
            page.get_by_role("button", name="批准").wait_for(timeout=60000)
            shot(page, "l2-approvals-no-external-images")
            assert page.locator(f'img[src^="{elsewhere}"], a[href^="{elsewhere}"]').count() == 0
        assert requests_seen == []


@pytest.mark.browser
@pytest.mark.nginx
def test_public_reaches_the_message_page_and_no_staff_page_behind_nginx(tmp_path):
    """L9: behind deploy/nginx.conf a browser outside the intranet follows the portal's link
    (/workbench/message) to the public message page and can use it, while the workbench stays closed to
    it: /workbench/ answers 403, and a staff page or the sign-in asked for through the public's door
    (the WebSocket is shared by all pages) shows only the public page."""
    db_path = make_demo(tmp_path / "demo.duckdb")
    site = tmp_path / "site"
    captcha = {"PYTHONPATH": str(ROOT / "tests" / "fixed_captcha"), "PORTAL_TEST_CAPTCHA": "2468"}
    with servers(db_path, site, captcha, base_path="workbench") as (direct, _), \
            nginx_in_front(tmp_path, site, int(re.search(r":(\d+)/", direct).group(1)),
                           intranet="10.0.0.0/8") as proxied, chromium() as browser:
        assert not answers(proxied + "/workbench/_stcore/health")  # 403: this browser is the public
        refusals: list[str] = []
        citizen = new_page(browser, refusals, viewport={"width": 1200, "height": 1600})
        citizen.goto(proxied + "/workbench/message")
        citizen.get_by_role("heading", name="我要留言").wait_for(timeout=90000)
        assert "/liuyan/" in citizen.url
        picture = citizen.locator('[data-testid="stImage"] img').first
        picture.wait_for(timeout=60000)
        citizen.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle(),
                                  timeout=60000)
        shot(citizen, "l9-public-message-page")
        # the form works through the door (its WebSocket, no cookie): the citizen gets a tracking code
        citizen.get_by_role("textbox", name=re.compile("^标题")).fill("企业技术改造项目申报咨询")
        citizen.get_by_role("textbox", name=re.compile("^留言内容")).fill("请问今年技术改造项目何时开始申报?")
        citizen.get_by_role("textbox", name=re.compile("^姓名")).fill("刘先生")
        citizen.get_by_label("手机号码", exact=True).fill("13987654321")
        citizen.get_by_text("我已阅读并同意上述隐私声明").click()
        citizen.get_by_label("验证码", exact=True).fill("2468")
        citizen.get_by_role("button", name=re.compile("提交留言")).click()
        citizen.get_by_text("您的查询码").wait_for(timeout=90000)
        shot(citizen, "l9-public-message-sent")
        for asked in ("approvals", "login", "accounts_admin"):
            probe = new_page(browser, refusals)
            probe.goto(f"{proxied}/liuyan/{asked}")
            probe.get_by_role("heading", name="我要留言").wait_for(timeout=90000)
            assert probe.get_by_label("用户名", exact=True).count() == 0
            assert probe.get_by_text("待我审批").count() == 0 and probe.get_by_text("退出登录").count() == 0
            shot(probe, f"l9-public-asks-{asked}")
            probe.close()
        # a client that sends the door's mark itself on the staff door is still refused there
        forged = urllib.request.Request(proxied + "/workbench/", headers={"X-Sxit-Entrance": "public"})
        assert status(forged) == 403
        citizen.wait_for_timeout(1000)
    assert refusals == [], refusals


def status(request: urllib.request.Request) -> int:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


POLYGLOT = b"%PDF-1.4\n<html><body><script>document.title='ran'</script></body></html>\n%%EOF\n"
ATTACHMENTS = ("/files/7/通知.html", "/files/7/报告.pdf", "/files/7/图.svg")


def put_attachments(site: Path) -> None:
    for path in ATTACHMENTS:
        target = site / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(POLYGLOT)


def assert_served_inert(headers) -> None:
    assert headers["Content-Disposition"] == "attachment"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "script-src" not in csp


@pytest.mark.nginx
def test_nginx_serves_attachments_as_inert_downloads(nginx, tmp_path):  # noqa: F811 (the fixture)
    """L8: behind deploy/nginx.conf an attachment — an HTML/PDF polyglot named .html, .pdf or .svg — comes
    as a download with nosniff and a sandbox policy; the `.html` rule of the portal's pages never takes it."""
    put_attachments(tmp_path / "site")
    for path in ATTACHMENTS:
        response = status_and_headers(nginx + urllib.parse.quote(path))
        assert response[0] == 200, path
        assert_served_inert(response[1])


def test_make_run_portal_serves_attachments_as_inert_downloads(tmp_path):
    """L8: the portal server `make run` starts (scripts/serve_portal.py) sends attachments as downloads with
    nosniff and a sandbox policy, also when the path reaches /files/ through dot segments."""
    site = tmp_path / "site"
    put_attachments(site)
    (site / "index.html").write_text("<p>门户</p>", encoding="utf-8")
    port = free_port()
    server = subprocess.Popen([sys.executable, "scripts/serve_portal.py", str(port), "--bind", "127.0.0.1",
                               "--directory", str(site)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=30)
        for path in (*ATTACHMENTS, "/col/../files/7/通知.html", "/%66iles/7/通知.html"):
            code, headers = raw_get(port, urllib.parse.quote(path, safe="/%."))
            assert code == 200, path
            assert_served_inert(headers)
        code, headers = raw_get(port, "/index.html")
        assert code == 200 and "Content-Disposition" not in headers and headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.terminate()
        server.wait(timeout=10)


def raw_get(port: int, path: str):
    """The path sent exactly as written (urllib would not keep dot segments as a client may)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.headers


def status_and_headers(url: str):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, context=context, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@pytest.mark.browser
@pytest.mark.nginx
def test_sign_in_cookie_stays_with_the_workbench_over_https(tmp_path):
    """L9: signed in through deploy/nginx.conf over https, the browser holds the re-authentication cookie
    with Path=/workbench/, Secure and SameSite=Strict: it never goes to the portal's pages or the public's
    door, nor over plain http, nor with a request another site starts."""
    db_path = make_demo(tmp_path / "demo.duckdb")
    site = tmp_path / "site"
    with servers(db_path, site, base_path="workbench") as (direct, _), \
            nginx_in_front(tmp_path, site, int(re.search(r":(\d+)/", direct).group(1))) as proxied, \
            chromium() as browser:
        warm = new_page(browser, [])  # the first run after a start (see app.py): warm up
        warm.goto(proxied + "/workbench/")
        warm.get_by_label("用户名", exact=True).wait_for(timeout=90000)
        warm.close()
        page = new_page(browser, [])
        login(page, proxied + "/workbench/", "xxy_dzxx", "Demo-2026!sx")
        for _ in range(300):
            if any(c["name"] == "sxit_workbench" for c in page.context.cookies()):
                break
            page.wait_for_timeout(200)
        cookie = next(c for c in page.context.cookies() if c["name"] == "sxit_workbench")
        assert cookie["path"] == "/workbench/", cookie
        assert cookie["secure"] is True and cookie["sameSite"] == "Strict", cookie
        for elsewhere in ("/liuyan/", "/index.html", "/files/1/a.pdf"):
            assert "sxit_workbench" not in {c["name"] for c in page.context.cookies(proxied + elsewhere)}
        # the cookie still signs a new tab in (the re-authentication it is there for)
        tab = page.context.new_page()
        tab.goto(proxied + "/workbench/")
        tab.get_by_text("退出登录").wait_for(timeout=90000)
