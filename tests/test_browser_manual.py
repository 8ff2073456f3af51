"""使用帮助 in the browser (第十条(二)(三)): a new officer's home page points to 新手入门; every page's 帮助
link opens that page's help; 「使用帮助」 in the menu returns from a help page to the list; the search finds one."""

from __future__ import annotations

import pytest

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


@pytest.fixture
def demo(tmp_path):
    return make_demo(tmp_path / "demo.duckdb"), tmp_path / "site"


def test_an_officer_finds_getting_started_then_the_help_of_a_page(demo):
    db_path, site_dir = demo
    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench, timeout=30000)
        officer = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        login(officer, workbench, "xxy_dzxx", DEMO_PASSWORD)
        officer.get_by_text("第一次使用,请先阅读「新手入门」", exact=False).wait_for(timeout=60000)
        officer.get_by_role("link", name="帮助", exact=True).wait_for()  # the home page's help: 新手入门
        wait_idle(officer)
        shot(officer, "manual-1-first-login")
        manual_shot(officer, "manual-home")  # 新手入门 shows the home page: the menu, the to-do list, the help
        click_until(officer, officer.get_by_role("link", name="阅读新手入门"),
                    officer.get_by_role("heading", level=1, name="新手入门"))
        wait_idle(officer)
        shot(officer, "manual-2-getting-started")

        # from a task page, its 帮助 link; inside the help, a link to another page of the manual
        go_to_page(officer, "我的稿件")
        click_until(officer, officer.get_by_role("link", name="帮助", exact=True),
                    officer.get_by_role("heading", level=1, name="我的稿件"))
        officer.get_by_role("heading", name="常见提示及处理").wait_for(timeout=60000)
        assert "manual?page=my_articles" in officer.url
        wait_idle(officer)
        shot(officer, "manual-3-my-articles-help")

        # 「使用帮助」 in the menu, while a help page is open, returns to the list of help pages
        menu = officer.locator('[data-testid="stSidebarNav"]')
        click_until(officer, menu.get_by_role("link", name="使用帮助", exact=True),
                    officer.get_by_role("heading", level=1, name="使用帮助"))
        officer.get_by_role("link", name="新手入门").wait_for()
        assert "page=" not in officer.url
        wait_idle(officer)
        shot(officer, "manual-5-list")
        manual_shot(officer, "manual-list")  # 使用帮助 in the manual: the search box and the list
        officer.get_by_label("搜索帮助").fill("退回时必须填写意见")
        officer.get_by_label("搜索帮助").press("Enter")
        click_until(officer, officer.get_by_role("link", name="待我审批"),
                    officer.get_by_role("heading", level=1, name="待我审批"))
        wait_idle(officer)
        shot(officer, "manual-4-search-approvals")
        click_until(officer, officer.get_by_role("button", name="返回帮助目录"),
                    officer.get_by_role("heading", level=1, name="使用帮助"))

        # the notice was for a new account: once the manual was opened, the home page no longer shows it
        officer.reload()
        go_to_page(officer, "工作台首页", "网站工作台")
        assert officer.get_by_text("第一次使用,请先阅读「新手入门」").count() == 0
