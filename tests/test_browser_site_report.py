"""网站自查 and 网站年报 in headless Chromium on the demo database (第二十五条; 国办函〔2018〕12号、〔2019〕4号):
the office opens the self-inspection (veto items first, each with its threshold) and the annual form (the
deadline, the computed table, the fields to enter). Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser import chromium, go_to_page, login, make_demo, manual_shot, servers, shot, wait_idle, warm_up
from tests.test_browser_editor import PASSWORD

pytestmark = pytest.mark.browser


def test_the_office_inspects_the_site_and_opens_the_annual_form(tmp_path):
    db_path = make_demo(tmp_path / "demo.duckdb")
    with servers(db_path, tmp_path / "site") as (workbench, _portal), chromium() as browser:
        warm_up(browser, workbench)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        login(page, workbench, "webmaster", PASSWORD)

        go_to_page(page, "网站自查")
        page.get_by_role("heading", name="单项否决指标").wait_for(timeout=60000)
        page.get_by_text("站点无法访问", exact=True).wait_for(timeout=30000)
        page.get_by_text("监测 2 周,首页无信息更新的,即单项否决", exact=False).first.wait_for(timeout=30000)
        assert page.get_by_role("link", name="查看").count() >= 5
        wait_idle(page)
        shot(page, "site-inspection")
        manual_shot(page, "manual-self-inspection")  # 网站自查 in the manual: the veto indicators first

        go_to_page(page, "网站年报")
        page.get_by_text("独立用户访问总量(单位:个)").first.wait_for(timeout=60000)
        page.get_by_text("1 月 31 日前").first.wait_for(timeout=30000)
        wait_idle(page)
        shot(page, "site-report")
        manual_shot(page, "manual-site-report")  # 网站年报 in the manual
        page.get_by_role("tab", name="填报").click()
        page.get_by_label("填报人", exact=True).wait_for(timeout=30000)
        wait_idle(page)
        shot(page, "site-report-entries")
