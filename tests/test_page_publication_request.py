"""委托发布 page (第十八条): the officer files a written request with the six required fields."""

from __future__ import annotations

import datetime as dt

import pytest

from core.db import connect, rows
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def db_path(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def officer_page(db_path):
    return open_page(app_as(db_path, "officer"), "publication_request")


def fill(at, *, content="省工信厅召开电子信息产业推进会。\n会议部署了下一阶段工作。", source="电子信息处会议纪要",
         form="图片新闻", other="", requirements="请于本周内在工作动态栏目发布"):
    at.date_input(key="preq_date").set_value(dt.date(2026, 11, 2))
    at.text_area(key="preq_content").input(content)
    at.text_input(key="preq_source").input(source)
    if form is not None:
        at.selectbox(key="preq_form").select(form)
    at.text_input(key="preq_form_other").input(other)
    at.text_area(key="preq_requirements").input(requirements)
    return at


def submit(at):
    at.button(key="FormSubmitter:preq_form_new-提交委托发布申请").click().run()
    return at


def test_the_division_is_the_officers_own_and_not_editable(db_path):
    at = officer_page(db_path)
    assert not at.exception
    division = at.text_input(key="preq_division")
    assert division.value == "电子信息处" and division.disabled
    assert "第十八条" in texts(at)


def test_officer_files_a_request_with_all_six_fields(db_path):
    at = submit(fill(officer_page(db_path)))
    assert not at.exception and not at.error
    assert "已提交" in texts(at)
    con = connect(db_path)
    stored = rows(con, "SELECT r.*, d.name AS division FROM publication_requests r "
                       "JOIN divisions d ON d.id = r.division_id")
    con.close()
    assert len(stored) == 1
    request = stored[0]
    assert request["division"] == "电子信息处" and request["state"] == "open"
    assert request["requested_on"] == dt.date(2026, 11, 2)
    assert request["content"].startswith("省工信厅召开") and request["source"] == "电子信息处会议纪要"
    assert request["form"] == "图片新闻" and request["requirements"] == "请于本周内在工作动态栏目发布"
    # the form is empty again for the next request, and the list shows the new one
    assert at.text_area(key="preq_content").value == ""
    listed = at.dataframe[0].value
    assert list(listed["编号"]) == [request["id"]]
    assert listed["状态"].iloc[0] == "待办公室处理" and listed["发布内容"].iloc[0].startswith("省工信厅召开")


def test_other_form_takes_the_free_text(db_path):
    submit(fill(officer_page(db_path), form="其他…", other="微信转发"))
    con = connect(db_path)
    assert rows(con, "SELECT form FROM publication_requests") == [{"form": "微信转发"}]
    con.close()


@pytest.mark.parametrize(("changes", "field"), [
    ({"source": "  "}, "信息来源"),
    ({"content": ""}, "发布内容"),
    ({"requirements": ""}, "发布要求"),
    ({"form": None}, "发布形式"),
    ({"form": "其他…", "other": ""}, "发布形式"),
])
def test_a_missing_field_is_refused_and_the_typed_values_stay(db_path, changes, field):
    at = submit(fill(officer_page(db_path), **changes))
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert f"「{field}」" in message and "第十八条" in message
    # nothing stored, and what was typed is still in the widgets
    con = connect(db_path)
    assert rows(con, "SELECT id FROM publication_requests") == []
    con.close()
    kept = {"content": at.text_area(key="preq_content").value, "source": at.text_input(key="preq_source").value,
            "requirements": at.text_area(key="preq_requirements").value}
    for name, value in kept.items():
        if name not in changes:
            assert value, name
    if "source" not in changes:
        assert kept["source"] == "电子信息处会议纪要"
    assert at.date_input(key="preq_date").value == dt.date(2026, 11, 2)
    if "form" not in changes:
        assert at.selectbox(key="preq_form").value == "图片新闻"


def test_the_list_shows_the_divisions_requests_and_replies(db_path):
    from core import accounts, requests

    con = connect(db_path)
    officer = accounts.find_user(con, "officer")
    other = accounts.find_user(con, "officercw")
    webmaster = accounts.find_user(con, "webmaster")
    mine = requests.create_request(con, officer, division_id=officer.division_id, requested_on=dt.date.today(),
                                   content="本处室的申请", source="电子信息处", form="网站文章", requirements="尽快")
    requests.create_request(con, other, division_id=other.division_id, requested_on=dt.date.today(),
                            content="财务处的申请", source="财务处", form="网站文章", requirements="尽快")
    requests.decline(con, webmaster, mine, 1, "内容不属于本网站发布范围")
    con.close()
    at = officer_page(db_path)
    listed = at.dataframe[0].value
    assert list(listed["发布内容"]) == ["本处室的申请"]
    assert listed["状态"].iloc[0] == "未予发布" and listed["办公室答复"].iloc[0] == "内容不属于本网站发布范围"


def test_webmaster_cannot_reach_the_page(db_path):
    at = app_as(db_path, "webmaster")
    with pytest.raises(Exception):  # noqa: B017 - a page outside st.navigation is unreachable
        open_page(at, "publication_request")
