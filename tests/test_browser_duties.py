"""应发布信息 in headless Chromium on the demo database (第十七条、第二十七条(四)): the office records a meeting
against 电子信息处; the division's officer finds it in the to-do and in 栏目更新监测; the 第十七条 window
passes (the meeting's date is moved back while the workbench is stopped); 栏目更新监测 flags it under
「应发布未发布」 with its days overdue; 列为通报批评候选 makes it a criticism of ground (四) that 年度考评 lists.
Screenshots in test-artifacts/duties-*.png."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import duties, evaluation
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
from tests.test_browser_editor import PASSWORD

pytestmark = pytest.mark.browser
SUBJECT = "全省工业互联网创新发展推进会"


def pick(page, key: str, option: str) -> None:
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_recorded_meeting_not_published_in_time_becomes_a_criticism(tmp_path):
    db_path, site_dir = make_demo(tmp_path / "demo.duckdb"), tmp_path / "site"
    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench)
        office = browser.new_page(viewport={"width": 1400, "height": 1600}, locale="zh-CN")
        login(office, workbench, "webmaster", PASSWORD)
        go_to_page(office, "栏目更新监测")
        manual_shot(office, "manual-freshness")  # 栏目更新监测 in the manual: the office's view
        click_until(office, office.get_by_text("应发布信息登记", exact=True), office.locator(".st-key-du_subject"))
        pick(office, "du_division", "电子信息处")
        office.locator(".st-key-du_subject input").fill(SUBJECT)
        office.locator(".st-key-du_note textarea").fill("请发布会议报道")
        wait_idle(office)
        office.get_by_role("button", name="登记", exact=True).click()
        office.get_by_text("已登记应发布信息").wait_for(timeout=60000)
        wait_idle(office)
        shot(office, "duties-1-recorded")

        division = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1400}).new_page()
        login(division, workbench, "xxy_dzxx", PASSWORD)
        division.get_by_text("本处室的应发布信息", exact=True).wait_for(timeout=60000)  # the home page's card
        wait_idle(division)
        shot(division, "duties-2-todo")
        go_to_page(division, "栏目更新监测")
        division.get_by_role("heading", name="本处室应发布信息").wait_for(timeout=60000)
        division.get_by_text(SUBJECT).first.wait_for(timeout=30000)
        division.get_by_text("前发布").first.wait_for(timeout=30000)
        division.get_by_text("已发布的信息", exact=True).first.wait_for(timeout=30000)  # the demo's overdue one
        wait_idle(division)
        shot(division, "duties-3-division")

    con = connect(db_path)  # the window passes: the meeting was three weeks ago
    [record] = [r for r in duties.records(con) if r["subject"] == SUBJECT]
    con.execute("UPDATE duty_records SET happened_on = ? WHERE id = ?",
                [dt.date.today() - dt.timedelta(days=21), record["id"]])
    days = duties.get(con, record["id"])["days_overdue"]
    con.close()
    assert days > 0

    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench)
        office = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="zh-CN")
        login(office, workbench, "webmaster", PASSWORD)
        go_to_page(office, "栏目更新监测")
        office.get_by_role("heading", name="应发布未发布").wait_for(timeout=60000)
        flagged = office.locator(f".st-key-du_criticise_{record['id']}")
        office.get_by_text(f"已逾期 {days} 天").first.wait_for(timeout=30000)
        wait_idle(office)
        flagged.scroll_into_view_if_needed()
        shot(office, "duties-4-overdue")
        click_until(office, flagged.get_by_role("button", name="列为通报批评候选"),
                    office.get_by_text(f"已将「{SUBJECT}」列为电子信息处的通报批评").first)
        wait_idle(office)
        shot(office, "duties-5-criticised")

        go_to_page(office, "年度考评")
        pick(office, "ev_year", f"{dt.date.today().year} 年")  # the page opens on last year's evaluation
        wait_idle(office)
        office.get_by_role("tab", name="通报批评").click()
        office.locator(".st-key-ev_criticism_revoke_pick").wait_for(timeout=60000)
        wait_idle(office)
        shot(office, "duties-6-evaluation")
        manual_shot(office, "manual-evaluation")  # 年度考评 in the manual: the criticisms of the year
        office.locator(".st-key-ev_criticism_revoke_pick").get_by_role("combobox").click()
        office.get_by_role("option", name=re.compile(r"^#\d+ 电子信息处$")).wait_for(timeout=30000)
        shot(office, "duties-7-evaluation-criticisms")

    con = connect(db_path)
    found = [c for c in evaluation.criticisms(con, dt.date.today().year) if SUBJECT in c["evidence"]]
    con.close()
    assert len(found) == 1 and found[0]["ground"] == 4 and found[0]["division"] == "电子信息处"
