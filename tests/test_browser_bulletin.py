"""The 通报 draft and the issued bulletins are made when the webmaster downloads them (not on every run of
统计分析): the download in a real browser still delivers the Word file."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.browser import chromium, login, make_demo, servers, shot

pytestmark = pytest.mark.browser

PASSWORD = "Demo-2026!sx"


def test_the_bulletin_draft_downloads_as_a_word_file(tmp_path):
    db = make_demo(tmp_path / "demo.duckdb")
    with servers(db, tmp_path / "site") as (workbench, _portal), chromium() as browser:
        page = browser.new_page(accept_downloads=True)
        login(page, workbench, "webmaster", PASSWORD)
        page.goto(f"{workbench}/statistics")
        button = page.get_by_role("button", name="下载未印发稿")
        button.wait_for(timeout=90000)
        with page.expect_download(timeout=90000) as caught:
            button.click()
        shot(page, "bulletin-draft-download")
        download = caught.value
        assert download.suggested_filename.endswith(".docx") and "通报" in download.suggested_filename
        data = open(download.path(), "rb").read()
        with zipfile.ZipFile(io.BytesIO(data)) as docx:
            body = docx.read("word/document.xml").decode("utf-8")
        assert "门户网站信息发布情况通报" in body or "通报" in body
