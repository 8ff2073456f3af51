"""A deep link as the first request after a start shows no "Page not found" dialog and, after the sign-in,
lands on the page it names. Imports from: tests.browser (real servers, headless Chromium).

The first script run after a start is Streamlit's pages/-folder mode, which knows only the files in
pages/: an address without a file of its name (…/login) got the dialog (页面不存在或无权访问) before the
frame ran (pages/login.py), and a page that did not pass through the frame (…/regulation) stayed in that
mode, with its menu of file names and no sign-in."""

from __future__ import annotations

import shutil

import pytest

from tests.browser import chromium, make_demo, servers, shot

pytestmark = pytest.mark.browser

PASSWORD = "Demo-2026!sx"
NOT_FOUND = ("Page not found", "页面未找到", "页面不存在")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.duckdb")


def no_not_found(page) -> None:
    assert page.get_by_role("dialog").count() == 0
    body = page.locator("body").inner_text()
    assert not [text for text in NOT_FOUND if text in body], body[:300]


@pytest.mark.parametrize("address, username, heading", [
    ("approvals", "fzr_dzxx", "待我审批"),
    ("login", "xxy_dzxx", "网站工作台"),
    ("regulation", "xxy_dzxx", "陕西省工业和信息化厅门户网站管理办法"),  # it used to run without the frame
])
def test_a_cold_deep_link_opens_without_page_not_found_and_lands_after_sign_in(demo_db, tmp_path, address,
                                                                               username, heading):
    db = tmp_path / "portal.duckdb"
    shutil.copy(demo_db, db)
    with servers(db, tmp_path / "site") as (workbench, _portal), chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(f"{workbench}/{address}")
        try:
            page.get_by_label("用户名", exact=True).wait_for(timeout=90000)
            page.wait_for_timeout(1500)  # the dialog, when it came, came with the first run's end
        finally:
            shot(page, f"cold-link-{address}-form")
        no_not_found(page)
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        try:
            page.get_by_text("退出登录").wait_for(timeout=90000)
            page.get_by_role("heading", name=heading).first.wait_for(timeout=90000)
            page.wait_for_timeout(1500)
        finally:
            shot(page, f"cold-link-{address}-signed-in")
        no_not_found(page)
        if address != "login":
            assert page.url.rstrip("/").endswith(f"/{address}")
