"""An attachment's upload box in headless Chromium says the office's 附件大小上限 (第二十条) in Chinese and refuses
a larger file before sending it, in Chinese too (pages/zh_chrome.json): the office sets 8 MB, the box says
「单个文件不超过 8MB」 (not the server's 50 MB), and a 9 MB file is marked 「文件过大,单个文件不超过 8.0MB」."""

from __future__ import annotations

import pytest

from core import accounts, settings
from core.db import connect
from tests.browser import chromium, click_until, go_to_page, login, make_demo, servers, shot, wait_idle, warm_up

pytestmark = pytest.mark.browser


def test_the_box_says_the_setting_and_refuses_a_larger_file_in_chinese(tmp_path):
    db_path = make_demo(tmp_path / "demo.duckdb")
    con = connect(db_path)
    settings.set_values(con, accounts.find_user(con, "webmaster"), {"attachment_max_mb": 8})
    con.close()
    big = tmp_path / "改版方案.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (9 * 1024 * 1024))
    with servers(db_path, tmp_path / "site") as (workbench, _portal), chromium() as browser:
        warm_up(browser, workbench)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
        login(page, workbench, "webmaster", "Demo-2026!sx")
        go_to_page(page, "建议与提案")
        click_until(page, page.get_by_text("提出建议或提案", exact=True), page.get_by_text("附件(设计方案等)"))
        wait_idle(page)
        box = page.locator('[data-testid="stFileUploader"]').first
        box.get_by_text("单个文件不超过 8MB").wait_for(timeout=15000)
        assert "50MB" not in box.inner_text()
        box.locator("input[type=file]").set_input_files(str(big))
        alert = box.locator("[role=alert]").first
        alert.wait_for(state="attached", timeout=15000)
        page.wait_for_function("e => e.textContent.includes('文件过大')", arg=alert.element_handle(), timeout=15000)
        assert alert.text_content().strip() == "错误: 文件过大,单个文件不超过 8.0MB"
        shot(page, "upload-limit-refused")
