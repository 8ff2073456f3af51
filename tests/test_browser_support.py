"""技术支持 and 培训记录 (第十条(二)(三)) in headless Chromium on the demo database: an officer raises a fault, the
technical-support unit answers, the officer confirms it closed; the unit records a session with attendees and the
never-trained list shrinks by them."""

from __future__ import annotations

import re

import pytest

from core import accounts, training
from core.db import connect
from tests.browser import (
    chromium,
    click_until,
    go_to_page,
    login,
    make_demo,
    manual_shot,
    servers,
    shot,
    wait_idle,
    warm_up,
)

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-2026!sx"
SUBJECT = "发布按钮点击后没有反应"
NEVER = re.compile(r"从未参加培训的人员\((\d+) 人\)")


@pytest.fixture
def demo(tmp_path):
    return make_demo(tmp_path / "demo.duckdb"), tmp_path / "site"


def never_trained(db_path) -> list[dict]:
    con = connect(db_path)
    try:
        return training.untrained(con, accounts.find_user(con, "jszc"))
    finally:
        con.close()


def never_count(page) -> int:
    return int(NEVER.search(page.get_by_text(NEVER).first.inner_text()).group(1))


def signed_in(browser, workbench: str, username: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN").new_page()
    login(page, workbench, username, DEMO_PASSWORD)
    return page


def test_a_fault_is_answered_and_confirmed_and_a_session_shrinks_the_never_trained_list(demo):
    db_path, site_dir = demo
    untrained = never_trained(db_path)
    chosen = untrained[:2]
    assert len(chosen) == 2
    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench, timeout=30000)

        # the officer raises a fault
        officer = signed_in(browser, workbench, "xxy_dzxx")
        go_to_page(officer, "技术支持")
        click_until(officer, officer.get_by_text("提出新的请求"), officer.get_by_label("标题", exact=True))
        officer.locator('[data-testid="stRadio"]').first.get_by_text("故障", exact=True).click()
        officer.get_by_label("标题", exact=True).fill(SUBJECT)
        officer.get_by_label("问题描述", exact=True).fill("在「我的稿件」中点击发布后页面没有任何提示。")
        wait_idle(officer)
        manual_shot(officer, "manual-support")  # 技术支持 in the manual: a request being raised
        click_until(officer, officer.get_by_role("button", name="提交", exact=True),
                    officer.get_by_text(re.compile("已提交,技术支持单位将尽快答复")))
        shot(officer, "support-raised")

        # the technical-support unit answers it
        tech = signed_in(browser, workbench, "jszc")
        go_to_page(tech, "技术支持")
        picker = tech.get_by_role("combobox", name="查看请求")
        picker.wait_for(timeout=30000)
        assert SUBJECT in picker.input_value()
        tech.get_by_label("答复", exact=True).fill("已修复发布按钮的问题,请刷新页面后再试。")
        wait_idle(tech)
        click_until(tech, tech.get_by_role("button", name="答复", exact=True),
                    tech.get_by_text(re.compile("已答复,等待提出人确认")))

        # the officer reads the answer and confirms it solved
        go_to_page(officer, "技术支持")
        officer.get_by_text("已修复发布按钮的问题").first.wait_for(timeout=30000)
        assert SUBJECT in officer.get_by_role("combobox", name="查看请求").input_value()
        click_until(officer, officer.get_by_role("button", name="问题已解决,确认关闭"),
                    officer.get_by_text(re.compile("已确认解决并关闭")))
        officer.get_by_role("button", name="重新打开").wait_for(timeout=30000)
        shot(officer, "support-confirmed")

        # the unit records a session with two people never trained: the list shrinks by two
        go_to_page(tech, "培训记录")
        before = never_count(tech)
        assert before == len(untrained)
        # the new session's form comes first; the selected session's edit form below has the same fields
        tech.get_by_label("培训主题", exact=True).first.fill("网站工作台新功能培训")
        tech.get_by_label("培训人", exact=True).first.fill("技术支持单位 李工")
        for person in chosen:
            label = f"{person['division']} · {person['display_name']}"
            wait_idle(tech)
            tech.get_by_role("combobox", name="参加人员").first.click()
            tech.keyboard.type(person["display_name"])
            tech.get_by_role("option", name=label, exact=True).click(timeout=20000)
            tech.keyboard.press("Escape")
        wait_idle(tech)
        click_until(tech, tech.get_by_role("button", name="登记", exact=True),
                    tech.get_by_text(re.compile(r"培训记录 #\d+ 已登记")))
        tech.get_by_text(f"从未参加培训的人员({before - 2} 人)").wait_for(timeout=30000)
        shot(tech, "training-recorded")
        wait_idle(tech)
        manual_shot(tech, "manual-training")  # 培训记录 in the manual: a session just recorded
    remaining = {p["id"] for p in never_trained(db_path)}
    assert not remaining & {p["id"] for p in chosen}
