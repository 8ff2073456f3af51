"""公开年报 page (政府信息公开条例 第四十九、五十条): the office writes the texts and figures, sees the computed
tables, submits the report for approval; a leader reads it."""

from __future__ import annotations

import datetime as dt

import pytest

from core import disclosure_report as dr
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_disclosure_report import application

YEAR = dt.date.today().year - 1  # the page opens on last year


@pytest.fixture
def db_path(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('xxgknb', '政府信息公开年报', 'openinfo', ?)",
                [org.webmaster.division_id])
    application(con, "自然人", dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 9), "予以公开")
    application(con, "科研机构", dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 20), "属于四类过程性信息")
    application(con, "商业企业", dt.date(YEAR, 12, 28))
    con.close()
    return tmp_path / "portal.duckdb"


def page(db_path, username):
    return open_page(app_as(db_path, username), "disclosure_report")


def tables_html(at) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


def fill(at, overview="本年度全面推进政务公开。", **figures):
    at.text_area(key=f"nb_overview_{YEAR}").set_value(overview)
    at.text_area(key=f"nb_problems_{YEAR}").set_value("个别栏目更新不及时。")
    at.text_area(key=f"nb_other_{YEAR}").set_value("无。")
    for name, value in figures.items():
        at.text_input(key=f"nb_fig_{name}_{YEAR}").set_value(value)
    at.button(key="FormSubmitter:nb_form-保存").click().run()
    return at


def stored(db_path) -> dict:
    with connect(db_path) as con:
        return dr.texts(con, YEAR)


def test_the_office_sees_the_computed_tables(db_path):
    at = page(db_path, "webmaster")
    assert not at.exception and not at.error
    assert f"{YEAR}年政府信息公开工作年度报告" in texts(at) and "第四十九、五十条" in texts(at)
    shown = tables_html(at)
    assert "<td colspan=\"3\">二、上年结转政府信息公开申请数量</td>" in shown and "属于四类过程性信息" in shown
    assert 'colspan="5">法人或其他组织</th>' in shown and 'rowspan="3"' in shown
    assert "行政事业性收费" in shown and "复议后起诉" in shown
    assert at.get("download_button")


def test_the_office_writes_the_texts_and_enters_the_figures(db_path):
    at = fill(page(db_path, "webmaster"), 行政许可="15", 行政事业性收费="2.5")
    assert not at.exception and not at.error
    saved = stored(db_path)
    assert saved["overview"] == "本年度全面推进政务公开。" and saved["other"] == "无。"
    assert saved["figures"]["行政许可"] == 15 and saved["figures"]["行政事业性收费"] == 2.5
    assert '<td colspan="3">15</td>' in tables_html(at) and "已保存" in texts(at)


def test_a_wrong_figure_is_named_and_the_text_stays(db_path):
    at = fill(page(db_path, "webmaster"), overview="写了很久的总体情况。", 行政处罚="三件")
    assert "行政处罚(件)" in texts(at) and "整数" in texts(at)
    assert at.text_area(key=f"nb_overview_{YEAR}").value == "写了很久的总体情况。"
    assert stored(db_path)["overview"] == ""


def test_the_office_submits_the_report_for_approval(db_path):
    at = fill(page(db_path, "webmaster"))
    at.button(key="nb_submit").click().run()
    assert not at.exception and not at.error
    assert "已提交审批" in texts(at) and "审批中" in texts(at)
    with connect(db_path) as con:
        state, title, column = con.execute(
            "SELECT a.state, a.title, c.slug FROM articles a JOIN columns c ON c.id = a.column_id "
            "WHERE a.id = ?", [dr.texts(con, YEAR)["article_id"]]).fetchone()
    assert (state, column) == ("pending", "xxgknb") and title.endswith(f"{YEAR}年政府信息公开工作年度报告")


def test_submitting_without_the_texts_is_refused(db_path):
    at = page(db_path, "webmaster")
    at.button(key="nb_submit").click().run()
    assert "一、总体情况" in texts(at) and "提交审批前须填写" in texts(at)


def test_a_leader_reads_but_does_not_write(db_path):
    at = page(db_path, "leader")
    assert not at.exception and not at.error
    assert "(尚未填写)" in texts(at) and "属于四类过程性信息" in tables_html(at)
    assert not at.text_area and not [b for b in at.button if b.key == "nb_submit"]

