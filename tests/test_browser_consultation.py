"""征集调查's browser story in headless Chromium (issue 17): a division head writes a consultation, attaches the
draft policy and opens it; a citizen finds it on the portal (the file's link names its kind and size) and
comments; the webmaster approves the comment; the head closes it and publishes the feedback; the portal page
shows the feedback and the reviewed comment, never the commenter's name. And the portal follows the calendar:
after the end date the scheduler's tick alone turns the page to 征集已截止, without the form's link."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from core import consultation, consultation_public, portal, scheduler
from core.db import connect, scalar
from tests.browser import chromium, go_to_page, login, manual_shot, servers, shot, static_server, wait_idle, warm_up
from tests.conftest import PASSWORD, make_org
from tests.test_a11y import _axe as axe

pytestmark = pytest.mark.browser

HOOK = str(Path(__file__).resolve().parent / "fixed_captcha")
SUBJECT = "关于产业园区管理办法(草案)的意见征集"
COMMENT = "建议草案第三条明确入园企业的环保标准。"
DRAFT_FILE = "产业园区管理办法(征求意见稿).pdf"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + b"0" * 5000
FILE_LINK = re.compile(re.escape(DRAFT_FILE) + r"\(PDF 文档,5 KB\)")  # the link's accessible name


@pytest.fixture
def prepared(tmp_path, con):
    org = make_org(con)
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('zjdc', '征集调查', 'interaction', ?)",
                [org.dz])
    portal.build_site(con, tmp_path / "site", full=True)
    con.close()
    return tmp_path / "portal.duckdb", tmp_path / "site"


def button(page, name: str):
    return page.get_by_role("button", name=re.compile(name))


def test_office_opens_citizen_comments_moderated_closed_feedback_on_the_portal(prepared):
    db_path, site_dir = prepared
    env = {"PYTHONPATH": HOOK, "PORTAL_TEST_CAPTCHA": "2468"}
    with servers(db_path, site_dir, env) as (workbench, portal_url), chromium() as browser:
        warm_up(browser, workbench, timeout=30000)

        # 1. the division head writes the consultation and opens it
        head = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN").new_page()
        login(head, workbench, "head", PASSWORD)
        go_to_page(head, "征集调查")
        head.get_by_role("textbox", name=re.compile("^标题")).fill(SUBJECT)
        head.get_by_role("textbox", name=re.compile("^征集内容")).fill("第三条 入园企业应当符合产业政策。\n欢迎提出意见。")
        button(head, "保存为草稿").click()
        head.get_by_text("已保存为草稿").wait_for(timeout=30000)
        wait_idle(head)
        head.locator("input[type=file]").set_input_files(
            files=[{"name": DRAFT_FILE, "mimeType": "application/pdf", "buffer": PDF}])
        wait_idle(head)
        button(head, "^添加附件$").click()
        head.get_by_text(f"附件「{DRAFT_FILE}」已添加").wait_for(timeout=30000)
        wait_idle(head)
        manual_shot(head, "manual-consultations")
        button(head, "^发布征集$").click()
        head.get_by_text("征集调查已发布").wait_for(timeout=30000)
        head.get_by_text("门户网站已更新").wait_for(timeout=90000)

        # 2. a citizen finds it in the portal's column and comments, signed out
        citizen = browser.new_context(viewport={"width": 1200, "height": 1400}, locale="zh-CN").new_page()
        citizen.goto(portal_url + "/col/zjdc/index.html")
        citizen.get_by_role("link", name=SUBJECT).click()
        citizen.get_by_role("link", name="我要提意见").wait_for()
        file_link = citizen.get_by_role("link", name=FILE_LINK)
        assert file_link.get_attribute("download") is not None
        assert citizen.request.get(portal_url + file_link.get_attribute("href")).body() == PDF
        shot(citizen, "consultation-0-portal-open-with-file")
        href = citizen.get_by_role("link", name="我要提意见").get_attribute("href")
        assert re.search(r"/comment\?id=\d+$", href)
        citizen.goto(workbench + "/comment?" + href.split("?", 1)[1])
        citizen.get_by_role("textbox", name=re.compile("^姓名")).fill("周女士")
        citizen.get_by_role("textbox", name=re.compile("^意见内容")).fill(COMMENT)
        citizen.get_by_text("我已阅读并同意上述隐私声明").click()
        citizen.get_by_label("验证码", exact=True).fill("2468")
        button(citizen, "提交意见").click()
        citizen.get_by_text("您的意见已提交").wait_for(timeout=30000)
        shot(citizen, "consultation-1-citizen-comment")

        # 3. the webmaster reviews it
        office = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN").new_page()
        login(office, workbench, "webmaster", PASSWORD)
        go_to_page(office, "征集调查")
        office.get_by_text(COMMENT).wait_for(timeout=30000)
        assert "周女士" not in office.content()
        button(office, "^审核通过$").click()
        office.get_by_text("意见已审核通过").wait_for(timeout=30000)

        # 4. the head closes it and publishes the feedback
        head.reload()
        head.get_by_role("heading", name="征集调查", level=1).wait_for()
        wait_idle(head)
        button(head, "^结束征集$").click()
        head.get_by_text("征集已结束,请审核完意见后公布反馈").wait_for(timeout=30000)  # the message, not the list row
        wait_idle(head)
        head.get_by_label("采纳意见数").fill("1")
        head.get_by_role("textbox", name=re.compile("^采纳情况及理由")).fill("采纳:第三条增加环保标准的要求。")
        head.get_by_role("textbox", name=re.compile("^未采纳情况及理由")).fill("无")
        head.get_by_text("在门户公开已审核通过的意见").click()
        button(head, "^公布反馈$").click()
        head.get_by_text("反馈情况已公布").wait_for(timeout=30000)
        head.get_by_text("门户网站已更新").wait_for(timeout=90000)
        shot(head, "consultation-2-workbench-summarised")

        # 5. the portal page shows the feedback and the reviewed comment, not the name
        visitor = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        visitor.goto(portal_url + "/col/zjdc/index.html")
        visitor.get_by_role("link", name=SUBJECT).click()
        visitor.get_by_role("heading", name="意见采纳情况反馈").wait_for()
        text = visitor.content()
        assert COMMENT in text and "采纳 1 条" in text and "周女士" not in text and "我要提意见" not in text
        shot(visitor, "consultation-3-portal-feedback")
    con = connect(db_path)
    try:
        assert scalar(con, "SELECT state FROM consultations") == "summarised"
        assert scalar(con, "SELECT count(*) FROM consultation_comments WHERE state = 'approved'") == 1
    finally:
        con.close()


def test_after_the_end_date_the_schedulers_tick_alone_turns_the_portal_page_to_closed(tmp_path, con):
    org = make_org(con)
    column = con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('zjdc', '征集调查', "
                         "'interaction', ?) RETURNING id", [org.dz]).fetchone()[0]
    today = dt.date.today()
    cid = consultation.create(con, org.head, {"column_id": column, "division_id": org.dz, "subject": SUBJECT,
                                              "body": "第三条 入园企业应当符合产业政策。", "starts_on": today,
                                              "ends_on": today + dt.timedelta(days=7)})
    consultation.attach(con, org.head, cid, 1, DRAFT_FILE, PDF)
    consultation.open_(con, org.head, cid, consultation_public.get(con, cid)["version"])
    site = tmp_path / "site"
    portal.build_site(con, site, full=True)
    after = dt.datetime.combine(today + dt.timedelta(days=8), dt.time(0, 0, 30))  # the first tick past the end
    assert scheduler.tick(con, site, after)["calendar"] == [f"consultation:{cid}"]
    con.close()
    with static_server(site) as base, chromium() as browser:
        # axe is injected as an inline script: the pages' own CSP would (rightly) refuse it
        visitor = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 1000},
                                      locale="zh-CN").new_page()
        visitor.goto(f"{base}/col/zjdc/index.html")
        visitor.get_by_text("征集已截止").wait_for()
        visitor.get_by_role("link", name=SUBJECT).click()
        visitor.get_by_role("heading", name=SUBJECT).wait_for()
        text = visitor.content()
        assert "征集已截止" in text and "已于" in text and "我要提意见" not in text and "comment?id=" not in text
        assert visitor.get_by_role("link", name=FILE_LINK).count() == 1  # the draft policy stays published
        shot(visitor, "consultation-4-portal-ended")
        assert axe(visitor) == []  # WCAG 2.1 AA: the file's link, the notice, the headings
