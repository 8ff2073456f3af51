"""The foundation's browser story in headless Chromium: officer drafts and submits, the head ticks the
checklist and approves, the officer publishes, and the article is on the portal."""

from __future__ import annotations

import re
import urllib.request

import pytest

from core import portal
from tests.browser import chromium, give_real_names, go_to_page, login, manual_shot, servers, shot
from tests.conftest import PASSWORD, make_org

pytestmark = pytest.mark.browser

TITLE = "全省工业互联网平台建设推进会在西安召开"
PARAGRAPHS = ("11月25日,全省工业互联网平台建设推进会在西安召开。", "会议总结了前三季度工作。")


@pytest.fixture
def prepared(tmp_path, con):
    make_org(con)
    give_real_names(con)  # the manual's screenshots show 张明 and 李华, not OFFICER and HEAD
    portal.build_site(con, tmp_path / "site", full=True)
    con.close()
    return tmp_path / "portal.duckdb", tmp_path / "site"


def click_button(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_draft_submit_approve_publish_reaches_the_portal(prepared):
    db_path, site_dir = prepared
    with servers(db_path, site_dir) as (workbench, portal_url), chromium() as browser:
        # 1. the officer drafts and submits
        officer = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        login(officer, workbench, "officer", PASSWORD)
        go_to_page(officer, "我的稿件")
        shot(officer, "story-1-officer-home")
        click_button(officer, "＋ 新建稿件")
        officer.get_by_role("textbox", name="标题", exact=True).fill(TITLE)
        editor = officer.frame_locator('iframe[title="正文编辑器"]').locator(".tiptap")
        editor.click()
        officer.keyboard.type(PARAGRAPHS[0])
        editor.press("Enter")
        officer.keyboard.type(PARAGRAPHS[1])
        officer.get_by_role("textbox", name="信息来源", exact=True).fill("电子信息处")
        officer.get_by_role("textbox", name="信息来源", exact=True).press("Tab")
        shot(officer, "story-2-officer-draft")
        manual_shot(officer, "manual-my-articles")  # 我的稿件 in the manual (docs/manual/my_articles.md)
        click_button(officer, "提交审批")
        officer.get_by_text("已提交审批").wait_for(timeout=20000)
        shot(officer, "story-3-officer-submitted")

        # 2. the head ticks the checklist and approves
        head = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN").new_page()
        login(head, workbench, "head", PASSWORD)
        head.get_by_text("待您审批的稿件", exact=True).wait_for()  # the card; the note below names it too
        shot(head, "story-4a-head-home")
        head.get_by_role("link", name="前往处理").first.click()
        head.get_by_role("heading", name="待我审批").wait_for()
        head.get_by_text(TITLE).first.wait_for()
        for label in ("合法合规", "保密审查", "时效性", "格式规范"):
            head.get_by_text(re.compile("^" + label)).click()
        shot(head, "story-4-head-checklist")
        manual_shot(head, "manual-approvals")  # 待我审批 in the manual
        click_button(head, "批准")
        head.get_by_text("已批准").wait_for(timeout=20000)
        shot(head, "story-5-head-approved")

        # 3. the officer publishes (a reload keeps the page's address: deep links work)
        officer.reload()
        officer.get_by_role("heading", name="我的稿件").wait_for()
        officer.get_by_label("打开稿件").click()
        officer.get_by_role("option", name=re.compile(TITLE)).click()
        officer.get_by_role("button", name="立即发布").wait_for()
        click_button(officer, "立即发布")
        officer.get_by_text("已发布到门户网站").wait_for(timeout=20000)
        # the portal is rebuilt after the click, by the refresh worker (issue 16); the page says when it is done
        officer.get_by_text("门户网站已更新").wait_for(timeout=60000)
        shot(officer, "story-6-officer-published")

        # 4. the public reads it on the portal
        visitor = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        visitor.goto(portal_url + "/")
        link = visitor.get_by_role("link", name=TITLE).first
        link.wait_for(timeout=10000)
        link.click()
        visitor.get_by_role("heading", name=TITLE).wait_for()
        assert "会议总结了前三季度工作" in visitor.content()
        shot(visitor, "story-7-portal-article")
        with urllib.request.urlopen(portal_url + "/") as response:
            assert TITLE in response.read().decode("utf-8")
