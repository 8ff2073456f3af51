"""Public ratings in headless Chromium (第二十六条(二)): a citizen looks up the answer by code and rates it
不满意 with a reason; the webmaster sees it on 互动管理 and sends it back to be answered again; the
citizen's lookup then says 重新办理中."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import humancheck, interaction, portal
from tests.browser import chromium, go_to_page, login, servers, shot, warm_up
from tests.conftest import PASSWORD, make_org

pytestmark = pytest.mark.browser

HOOK = str(Path(__file__).resolve().parent / "fixed_captcha")
SUBJECT = "技术改造补贴申报材料咨询"
ANSWER = "请关注本网通知公告。"
REASON = "答复没有说明需要哪些申报材料。"


@pytest.fixture
def prepared(tmp_path, con):
    """A message answered by 电子信息处 and closed: its citizen can see the answer by code."""
    org = make_org(con)
    challenge = humancheck.new_challenge(con, answer="2468")
    sent = interaction.submit(con, {
        "kind": "consult", "concerns_division_id": org.dz, "subject": SUBJECT, "body": "请问申报要准备哪些材料?",
        "name": "王女士", "phone": "13911112222", "email": "", "publish_allowed": False, "consent": True},
        "203.0.113.40", (challenge.token, "2468"))
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    interaction.submit_answer(con, org.officer, sent.id, ANSWER, interaction.get(con, sent.id)["version"])
    interaction.approve_answer(con, org.head, sent.id, interaction.get(con, sent.id)["version"])
    interaction.close(con, org.webmaster, sent.id, interaction.get(con, sent.id)["version"])
    portal.build_site(con, tmp_path / "site", full=True)
    con.close()
    return tmp_path / "portal.duckdb", tmp_path / "site", sent.code


def look_up(citizen, code: str) -> None:
    citizen.get_by_label("查询码", exact=True).fill(code)
    citizen.get_by_role("button", name="查询", exact=True).click()


def test_citizen_rates_不满意_and_the_webmaster_reopens(prepared):
    db_path, site_dir, code = prepared
    env = {"PYTHONPATH": HOOK, "PORTAL_TEST_CAPTCHA": "2468"}
    with servers(db_path, site_dir, env) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench, timeout=30000)

        # 1. the citizen looks the answer up and rates it 不满意 with a reason
        citizen = browser.new_context(viewport={"width": 1200, "height": 2200}, locale="zh-CN").new_page()
        citizen.goto(workbench + "/message")
        citizen.get_by_role("heading", name="查询办理结果").wait_for(timeout=30000)
        look_up(citizen, code)
        citizen.get_by_text(ANSWER).wait_for(timeout=30000)
        citizen.get_by_text("请您对本次答复进行评价").wait_for(timeout=30000)
        citizen.get_by_role("radiogroup", name="您对答复的评价").get_by_text("不满意", exact=True).click()
        citizen.get_by_role("textbox", name=re.compile("^评价理由")).fill(REASON)
        citizen.get_by_label("验证码", exact=True).last.fill("2468")
        citizen.get_by_label("验证码", exact=True).last.press("Tab")
        shot(citizen, "ratings-1-citizen-rates")
        citizen.get_by_role("button", name=re.compile("提交评价")).click()
        citizen.get_by_text("感谢您的评价").wait_for(timeout=30000)
        assert citizen.get_by_text(REASON).count() >= 1
        shot(citizen, "ratings-2-citizen-rated")

        # 2. the webmaster sees the 不满意 on 互动管理 and reopens it
        webmaster = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN").new_page()
        login(webmaster, workbench, "webmaster", PASSWORD)
        go_to_page(webmaster, "互动管理")
        webmaster.get_by_role("tab", name=re.compile(r"^不满意评价\(1\)")).click()
        webmaster.get_by_role("textbox", name=re.compile("^重新办理的要求")).last.wait_for(timeout=30000)
        assert REASON in webmaster.content()  # the citizen's reason, highlighted beside the answer
        webmaster.get_by_role("textbox", name=re.compile("^重新办理的要求")).last.fill("请列明申报材料清单后重新答复。")
        webmaster.get_by_role("textbox", name=re.compile("^重新办理的要求")).last.press("Tab")
        shot(webmaster, "ratings-3-desk-unhappy")
        webmaster.get_by_role("button", name="重新办理", exact=True).last.click()
        webmaster.get_by_text("重新办理,已通知承办处室").wait_for(timeout=30000)
        shot(webmaster, "ratings-4-desk-reopened")

        # 3. the citizen's lookup says it is being handled again
        look_up(citizen, code)
        citizen.get_by_text("办理状态:重新办理中").wait_for(timeout=30000)
        citizen.get_by_text("办公室已要求承办单位重新办理").wait_for(timeout=30000)
        shot(citizen, "ratings-5-citizen-reopened")
