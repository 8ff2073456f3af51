"""网站年报 page (第二十五条; 国办函〔2018〕12号): the office sees the computed form with its deadline, enters the
fields (a wrong one is named and what was typed stays), classifies column kinds and submits the form for
approval; a leader reads it."""

from __future__ import annotations

import datetime as dt

import pytest

from core import site_report as sr
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org

YEAR = dt.date.today().year - 1  # the page opens on last year


@pytest.fixture
def db_path(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('wzndbb', '政府网站年度报表', 'general', ?)",
                [org.dz])
    con.execute("INSERT INTO articles (column_id, lead_division_id, title, author_id, state, published_at, public) "
                "VALUES (?, ?, '工作动态', ?, 'published', ?, TRUE)", [org.col_dz, org.dz, org.officer.id,
                                                                      dt.datetime(YEAR, 5, 1)])
    for n in range(2):
        con.execute("INSERT INTO access_hits VALUES (?, ?, 'GET', '/', 200, 10, '-', 'Mozilla/5.0', 'f', ?)",
                    [dt.datetime(YEAR, 6, 1), f"10.0.0.{n}", n])
    con.close()
    return tmp_path / "portal.duckdb"


def page(db_path, username):
    return open_page(app_as(db_path, username), "site_report")


def shown_html(at) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


def fill(at, **values):
    for key, value in values.items():
        widget = f"wn_{key}_{YEAR}"
        if sr.FIELDS[key].kind == "yesno":
            at.selectbox(key=widget).set_value(value)
        else:
            at.text_input(key=widget).set_value(value)
    at.button(key="FormSubmitter:wn_form-保存").click().run()
    return at


def test_the_office_sees_the_computed_form_and_its_deadline(db_path):
    at = page(db_path, "webmaster")
    assert not at.exception and not at.error
    assert f"政府网站工作年度报表({YEAR}年度)" in texts(at)
    assert f"{YEAR + 1}年01月31日" in "\n".join(str(e.value) for e in [*at.info, *at.warning])
    table = shown_html(at)
    assert "<td>2</td>" in table and "独立用户访问总量(单位:个)" in table and "政务动态信息更新量" in table
    assert at.get("download_button")
    assert "栏目不存在" not in texts(at)  # the column exists: nothing to warn about


def test_a_missing_report_column_is_said_before_submitting(db_path):
    with connect(db_path) as con:
        con.execute("UPDATE columns SET slug = 'qita' WHERE slug = 'wzndbb'")
    at = page(db_path, "webmaster")
    assert "网站工作年度报表栏目不存在或已撤销" in texts(at)


def test_the_office_enters_the_fields(db_path):
    at = fill(page(db_path, "webmaster"), reading_material="6", drills="是", filler="王五")
    assert not at.exception and not at.error and "已保存" in texts(at)
    with connect(db_path) as con:
        saved = sr.entries(con, YEAR)
    assert saved["reading_material"] == "6" and saved["drills"] == "是" and saved["filler"] == "王五"
    assert "<td>6</td>" in shown_html(at)


def test_a_wrong_entry_is_named_and_what_was_typed_stays(db_path):
    at = fill(page(db_path, "webmaster"), filler="写了很久的名字", weibo_posts="很多")
    assert "微博信息发布量" in texts(at) and "整数" in texts(at)
    assert at.text_input(key=f"wn_filler_{YEAR}").value == "写了很久的名字"
    with connect(db_path) as con:
        assert sr.entries(con, YEAR)["filler"] is None


def test_the_office_classifies_column_kinds(db_path):
    at = page(db_path, "webmaster")
    at.selectbox(key="wn_kind_news").set_value("不归类")
    at.button(key="FormSubmitter:wn_kinds-保存归类").click().run()
    assert not at.exception and "修改 1 项" in texts(at)
    with connect(db_path) as con:
        assert "news" not in sr.kind_categories(con)


def test_the_office_submits_the_form_for_approval(db_path):
    at = fill(page(db_path, "webmaster"), filler="王五", filler_phone="029-87654321", filled_on=f"{YEAR + 1}-01-05")
    at.button(key="wn_submit").click().run()
    assert not at.exception and not at.error
    assert "已提交审批" in texts(at) and "审批中" in texts(at)
    with connect(db_path) as con:
        article = sr.submitted(con, YEAR)
    assert article.state == "pending" and article.published_at is None


def test_submitting_without_the_filler_is_refused(db_path):
    at = page(db_path, "webmaster")
    at.button(key="wn_submit").click().run()
    assert "填报人" in texts(at) and "提交审批前须填写" in texts(at)


def test_a_leader_reads_but_does_not_enter(db_path):
    at = page(db_path, "leader")
    assert not at.exception and not at.error
    assert "独立用户访问总量" in shown_html(at)
    assert not at.text_input and not [b for b in at.button if b.key == "wn_submit"]
