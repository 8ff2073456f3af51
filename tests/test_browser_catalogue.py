"""政府信息公开目录 in headless Chromium on the demo database: the 政策法规处 officer writes a 厅发文件 with its
catalogue data; a 文号 with the wrong brackets is refused naming the shape, and what was typed stays (第十二条)."""

from __future__ import annotations

import re

import pytest

from core.db import connect
from tests.browser import chromium, go_to_page, leave_editor, login, make_demo, servers, shot, wait_idle, warm_up
from tests.test_browser_editor import PASSWORD

pytestmark = pytest.mark.browser
TITLE = "关于印发《陕西省工业稳增长若干措施》的通知"


@pytest.fixture
def demo(tmp_path):
    return make_demo(tmp_path / "demo.duckdb"), tmp_path / "site"


def pick(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_an_officer_enters_catalogue_data_in_the_editor(demo):
    db_path, site_dir = demo
    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench, timeout=45000)
        page = browser.new_page(viewport={"width": 1400, "height": 1900}, locale="zh-CN")
        login(page, workbench, "xxy_zcfgc", PASSWORD)
        go_to_page(page, "我的稿件")
        page.get_by_role("button", name=re.compile("新建稿件")).click()
        page.get_by_label("标题", exact=True).fill(TITLE)
        pick(page, "栏目", "政府信息公开 / 政策文件 / 厅发文件")
        page.get_by_text("政府信息公开目录").wait_for(timeout=45000)
        assert page.get_by_role("textbox", name="发文机关", exact=True).input_value() == "陕西省工业和信息化厅"
        page.get_by_role("textbox", name="文号", exact=True).fill("陕工信发[2026]12号")
        pick(page, "文件类别", "行政规范性文件")
        pick(page, "主题分类", "工业、交通")
        written = page.locator('[data-testid="stDateInput"]').filter(has_text="成文日期").locator("input")
        written.fill("2026-03-02")
        written.press("Enter")
        frame = page.frame_locator('iframe[title="正文编辑器"]')
        editor = frame.locator(".tiptap")
        editor.wait_for(timeout=45000)
        editor.click()
        page.keyboard.type("为贯彻落实省委省政府稳增长部署,现将若干措施印发给你们,请认真贯彻执行。")
        leave_editor(page)
        page.get_by_role("button", name="保存", exact=True).click()
        page.get_by_text("须为「机关代字〔年份〕序号号」的形式").wait_for(timeout=45000)
        assert page.get_by_role("textbox", name="文号", exact=True).input_value() == "陕工信发[2026]12号", "what was typed stays"
        shot(page, "catalogue-editor-refused")
        page.get_by_role("textbox", name="文号", exact=True).fill("陕工信发〔2026〕12号")
        wait_idle(page)
        page.get_by_role("button", name="保存", exact=True).click()
        page.get_by_text("已保存为新版本").wait_for(timeout=45000)
        page.get_by_text("索引号:首次发布时由系统自动分配").wait_for(timeout=45000)
        shot(page, "catalogue-editor-saved")
    con = connect(db_path)
    stored = con.execute("SELECT e.doc_number, e.doc_kind, e.issuer FROM catalogue_entries e "
                         "JOIN articles a ON a.id = e.article_id WHERE a.title = ?", [TITLE]).fetchall()
    con.close()
    assert stored == [("陕工信发〔2026〕12号", "行政规范性文件", "陕西省工业和信息化厅")]
