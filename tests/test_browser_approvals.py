"""待我审批 in headless Chromium, on the demo database: after 批准 the selector 「打开稿件」 names the
item the page shows (a stale label invites approving the wrong item)."""

from __future__ import annotations

import re

import pytest

from tests.browser import chromium, go_to_page, login, make_demo, servers, shot, warm_up

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-2026!sx"


@pytest.fixture
def demo(tmp_path):
    return make_demo(tmp_path / "demo.duckdb"), tmp_path / "site"


def shown_title(page) -> str:
    return page.get_by_role("heading", level=3).first.inner_text().strip()


def selector_text(page) -> str:
    return page.get_by_role("combobox", name="打开稿件").input_value()


def tick_everything(page) -> None:
    boxes = page.locator('[data-testid="stCheckbox"]')
    for index in range(boxes.count()):
        box = boxes.nth(index).get_by_role("checkbox")
        box.check(force=True)
        page.wait_for_function("(i) => document.querySelectorAll('[data-testid=stCheckbox] input')[i].checked",
                               arg=index, timeout=30000)


def test_after_approval_the_selector_names_the_item_shown(demo):
    db_path, site_dir = demo
    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        # the first script run after a start is Streamlit's pages-folder mode (see app.py): warm up
        warm_up(browser, workbench, timeout=30000)
        page = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN").new_page()
        login(page, workbench, "fzr_dzxx", DEMO_PASSWORD)
        go_to_page(page, "待我审批")
        page.get_by_role("button", name="批准").wait_for(timeout=30000)
        approved = shown_title(page)
        assert approved in selector_text(page)

        tick_everything(page)
        page.get_by_role("button", name="批准").click()
        page.get_by_text("已批准。").wait_for(timeout=30000)
        page.get_by_role("button", name="批准").wait_for(timeout=30000)
        shot(page, "approvals-after-approve")

        following = shown_title(page)
        assert following != approved
        label = selector_text(page)
        assert following in label, label
        assert approved not in label, label
        # the item the selector names is the one a second 批准 would decide
        assert re.search(r"#\d+", label)


def test_after_routing_the_message_selector_names_the_message_shown(demo):
    db_path, site_dir = demo
    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench, timeout=30000)
        page = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN").new_page()
        login(page, workbench, "webmaster", DEMO_PASSWORD)
        go_to_page(page, "互动管理")
        picker = page.get_by_role("combobox", name="审核留言")
        picker.wait_for(timeout=30000)
        routed = shown_title(page)
        assert routed in picker.input_value()

        page.get_by_role("combobox", name="承办处室").click()
        page.get_by_role("option", name="电子信息处").click()
        page.get_by_role("button", name="分办", exact=True).click()
        page.get_by_text("已分办给电子信息处").wait_for(timeout=30000)
        page.get_by_role("button", name="分办", exact=True).wait_for(timeout=30000)
        shot(page, "desk-after-route")

        following = shown_title(page)
        assert following != routed
        label = picker.input_value()
        assert following in label and routed not in label, label
