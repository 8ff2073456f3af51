"""在线访谈's browser story in headless Chromium (issue 17): a division head announces an interview; a citizen
finds it on the portal and asks a question; the webmaster approves the question; the head ends the questions,
enters the transcript answering the selected question and publishes it; the portal page shows the transcript
with the question, never the asker's name; the head then corrects the published answer, with a reason, and the
portal follows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import portal
from core.db import connect, scalar
from tests.browser import chromium, go_to_page, login, manual_shot, servers, shot, wait_idle, warm_up
from tests.conftest import PASSWORD, make_org

pytestmark = pytest.mark.browser

HOOK = str(Path(__file__).resolve().parent / "fixed_captcha")
SUBJECT = "解读《产业园区管理办法》"
QUESTION = "入园企业能享受哪些租金优惠?"
ANSWER = "入园企业前三年可享受租金减半。"
CORRECTED = "入园企业前三年可享受租金减半,第四、五年减免三成。"


@pytest.fixture
def prepared(tmp_path, con):
    org = make_org(con)
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('zxft', '在线访谈', 'interaction', ?)",
                [org.dz])
    portal.build_site(con, tmp_path / "site", full=True)
    con.close()
    return tmp_path / "portal.duckdb", tmp_path / "site"


def button(page, name: str):
    return page.get_by_role("button", name=re.compile(name))


def test_head_announces_citizen_asks_moderated_transcript_on_the_portal(prepared):
    db_path, site_dir = prepared
    env = {"PYTHONPATH": HOOK, "PORTAL_TEST_CAPTCHA": "2468"}
    with servers(db_path, site_dir, env) as (workbench, portal_url), chromium() as browser:
        warm_up(browser, workbench, timeout=30000)

        # 1. the division head announces the interview
        head = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN").new_page()
        login(head, workbench, "head", PASSWORD)
        go_to_page(head, "在线访谈")
        head.get_by_role("textbox", name=re.compile("^访谈主题")).fill(SUBJECT)
        head.get_by_role("textbox", name=re.compile("^访谈嘉宾及职务")).fill("张明 电子信息处处长")
        head.get_by_role("textbox", name=re.compile("^访谈简介")).fill("邀请处室负责人解读办法并回答网友提问。")
        button(head, "保存为草稿").click()
        head.get_by_text("已保存为草稿").wait_for(timeout=30000)
        wait_idle(head)
        button(head, "^发布预告$").click()
        head.get_by_text("访谈预告已发布").wait_for(timeout=30000)
        head.get_by_text("门户网站已更新").wait_for(timeout=90000)

        # 2. a citizen finds it in the portal's column and asks, signed out
        citizen = browser.new_context(viewport={"width": 1200, "height": 1400}, locale="zh-CN").new_page()
        citizen.goto(portal_url + "/col/zxft/index.html")
        citizen.get_by_role("link", name=SUBJECT).click()
        citizen.get_by_role("link", name="我要提问").wait_for()
        shot(citizen, "interview-1-portal-announced")
        href = citizen.get_by_role("link", name="我要提问").get_attribute("href")
        assert re.search(r"/ask\?id=\d+$", href)
        citizen.goto(workbench + "/ask?" + href.split("?", 1)[1])
        citizen.get_by_role("textbox", name=re.compile("^姓名")).fill("周女士")
        citizen.get_by_role("textbox", name=re.compile("^提问内容")).fill(QUESTION)
        citizen.get_by_text("我已阅读并同意上述隐私声明").click()
        citizen.get_by_label("验证码", exact=True).fill("2468")
        button(citizen, "提交提问").click()
        citizen.get_by_text("您的提问已提交").wait_for(timeout=30000)
        shot(citizen, "interview-2-citizen-asked")

        # 3. the webmaster reviews it
        office = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN").new_page()
        login(office, workbench, "webmaster", PASSWORD)
        go_to_page(office, "在线访谈")
        office.get_by_text(QUESTION).wait_for(timeout=30000)
        assert "周女士" not in office.content()
        button(office, "^审核通过$").click()
        office.get_by_text("提问已审核通过").wait_for(timeout=30000)

        # 4. after the interview the head ends the questions, enters the answer to it and publishes
        head.reload()
        head.get_by_role("heading", name="在线访谈", level=1).wait_for()
        wait_idle(head)
        button(head, "^结束提问").click()
        head.get_by_text("已结束提问").wait_for(timeout=30000)
        wait_idle(head)
        head.get_by_role("combobox", name=re.compile("^选用网民提问")).click()
        head.get_by_role("option", name=QUESTION).click()
        head.get_by_role("textbox", name=re.compile("^发言人")).fill("张明")
        head.get_by_role("textbox", name=re.compile("^内容")).fill(ANSWER)
        button(head, "^添加到实录$").click()
        head.get_by_text("已添加到实录").wait_for(timeout=30000)
        wait_idle(head)
        button(head, "^公布实录$").click()
        head.get_by_text("访谈实录已公布").wait_for(timeout=30000)
        head.get_by_text("门户网站已更新").wait_for(timeout=90000)
        shot(head, "interview-3-workbench-published")

        # 5. the portal page shows the transcript with the question, not the name
        visitor = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
        visitor.goto(portal_url + "/col/zxft/index.html")
        visitor.get_by_role("link", name=SUBJECT).click()
        visitor.get_by_role("heading", name="访谈实录").wait_for()
        text = visitor.content()
        assert QUESTION in text and ANSWER in text and "网友提问" in text
        assert "周女士" not in text and "我要提问" not in text
        shot(visitor, "interview-4-portal-transcript")

        # 6. the head corrects the published answer, with the reason; the portal's transcript follows
        head.get_by_text("更正或删除此条").first.click()
        wait_idle(head)
        fix = head.get_by_role("textbox", name=re.compile("^内容"))
        fix.wait_for()
        fix.fill(CORRECTED)
        head.get_by_role("textbox", name=re.compile("^更正或删除的理由")).fill("嘉宾补充了第四、五年的减免")
        manual_shot(head, "manual-interviews-correct", moving=True)
        shot(head, "interview-5-correct-form")
        button(head, "^保存更正$").click()
        head.get_by_text("实录已更正").wait_for(timeout=30000)
        head.get_by_text("门户网站已更新").wait_for(timeout=90000)
        visitor.reload()
        visitor.get_by_text(CORRECTED).wait_for()
        shot(visitor, "interview-6-portal-corrected")
    con = connect(db_path)
    try:
        assert scalar(con, "SELECT state FROM interviews") == "published"
        assert scalar(con, "SELECT count(*) FROM interview_entries WHERE question_id IS NOT NULL") == 1
        assert scalar(con, "SELECT body FROM interview_entries") == CORRECTED
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'interview.correct'") == 1
    finally:
        con.close()
