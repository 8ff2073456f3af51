"""链接检查 in a real browser (issue 15, links): on the demo with an item linking to a page that is not there and
to a dead outside address, the webmaster opens 链接检查, sees the broken links under the division and column,
and opens the item in 信息管理. Imports from tests.browser (real servers, headless Chromium)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import accounts, linkcheck, workflow
from core.db import connect, scalar
from core.portal import build_site
from tests.browser import chromium, go_to_page, login, make_demo, manual_shot, servers, shot, wait_idle

pytestmark = pytest.mark.browser

PASSWORD = "Demo-2026!sx"
TITLE = "关于组织申报工业互联网创新发展项目的通知"


class Gone(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = _answer  # noqa: N815 - http.server's hook names


def publish_with_broken_links(db, outside: str) -> None:
    con = connect(db)
    try:
        officer, head = accounts.find_user(con, "xxy_dzxx"), accounts.find_user(con, "fzr_dzxx")
        column = scalar(con, "SELECT min(c.id) FROM columns c JOIN divisions d ON d.id = c.division_id "
                             "WHERE d.code = 'dzxx' AND c.kind = 'general' AND NOT c.retired")
        article = workflow.create_article(con, officer, column, TITLE,
                                          '<p>申报指南见<a href="/art/2019/03/987654.html">去年通知</a>,'
                                          f'网上申报入口:<a href="{outside}/sb/index.html">申报系统</a>。</p>',
                                          "电子信息处")
        article = workflow.submit(con, officer, article.id, article.version)
        warnings = [workflow.finding_key(f) for f in workflow.screen_article(con, article) if not f.blocking]
        article = workflow.approve(con, head, article.id, article.version, list(workflow.CHECKLIST),
                                   acknowledged=warnings)
        workflow.publish(con, officer, article.id, article.version)
        site = db.parent / "site"
        build_site(con, site)
        linkcheck.run(con, site, external=True, fetching=linkcheck.Fetching(timeout=2, retries=0))
    finally:
        con.close()


def test_the_webmaster_finds_the_broken_links_and_opens_the_item(tmp_path):
    db = make_demo(tmp_path / "portal.duckdb")
    outside = ThreadingHTTPServer(("127.0.0.1", 0), Gone)
    threading.Thread(target=outside.serve_forever, daemon=True).start()
    try:
        publish_with_broken_links(db, f"http://127.0.0.1:{outside.server_address[1]}")
    finally:
        outside.shutdown()
    with servers(db, tmp_path / "site") as (workbench, _portal), chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        login(page, workbench, "webmaster", PASSWORD)
        go_to_page(page, "链接检查")
        main = page.locator('[data-testid="stMain"]')
        try:
            main.get_by_text("共有 2 个链接不可用").wait_for(timeout=60000)
            main.get_by_role("heading", name="电子信息处(2 个)").wait_for(timeout=30000)
            wait_idle(page)
        finally:
            shot(page, "link-check-webmaster")
        manual_shot(page, "manual-link-check", moving=True)  # 链接检查 in the manual: the broken links by division
        assert main.get_by_role("button", name="立即检查").is_visible()
        main.get_by_role("button", name=f"修改「{TITLE}」").click()
        page.get_by_role("heading", level=1, name="信息管理", exact=True).wait_for(timeout=60000)
        wait_idle(page)
        try:
            main.get_by_role("heading", name=TITLE).wait_for(timeout=60000)
        finally:
            shot(page, "link-check-opens-item")
