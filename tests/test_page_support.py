"""技术支持 and 培训记录 pages (第十条(二)(三)) in AppTest: thin pages over core/support.py and core/training.py."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, training
from core.db import connect, rows, scalar
from tests.apptest_helpers import app_as, open_page, texts


@pytest.fixture
def db_path(tmp_path, con, org, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    con.close()
    return tmp_path / "portal.duckdb"


def query(db_path, sql, params=()):
    con = connect(db_path)
    try:
        return rows(con, sql, params)
    finally:
        con.close()


def raise_on_page(db_path, subject="保存稿件时报错"):
    at = open_page(app_as(db_path, "officer"), "support")
    at.radio(key="support_new_kind").set_value("故障")
    at.text_input(key="support_new_subject").input(subject)
    at.selectbox(key="support_new_page").select("我的稿件")
    at.text_area(key="support_new_description").input("点击保存后页面提示错误")
    at.button(key="FormSubmitter:support_new-提交").click().run()
    return at


def test_an_officer_raises_a_fault_and_a_missing_subject_is_named(db_path):
    at = raise_on_page(db_path, subject="")
    assert "「标题」:必填(第十条)" in texts(at)
    assert at.text_area(key="support_new_description").value == "点击保存后页面提示错误"  # the text stays
    at.text_input(key="support_new_subject").input("保存稿件时报错")
    at.button(key="FormSubmitter:support_new-提交").click().run()
    assert not at.exception and "技术支持请求 #1 已提交" in texts(at)
    stored = query(db_path, "SELECT kind, subject, page, state FROM support_requests")
    assert stored == [{"kind": "故障", "subject": "保存稿件时报错", "page": "我的稿件", "state": "new"}]
    assert "待受理" in at.dataframe[0].value["状态"].tolist()
    assert at.selectbox(key="support_target").value == 1
    assert at.text_input(key="support_new_subject").value == ""  # the form is empty again
    at.text_input(key="support_new_subject").input("第二个问题")
    at.text_area(key="support_new_description").input("另一个描述")
    at.button(key="FormSubmitter:support_new-提交").click().run()
    assert at.selectbox(key="support_target").value == 2  # the page opens the new request, not the one shown before


def test_the_unit_answers_and_the_officer_confirms(db_path):
    raise_on_page(db_path)
    tech = open_page(app_as(db_path, "tech"), "support")
    assert not tech.exception and "保存稿件时报错" in tech.dataframe[0].value["标题"].tolist()
    tech.text_area(key="support_answer_text_1").input("请刷新页面后再保存")
    tech.button(key="FormSubmitter:support_answer_1-答复").click().run()
    assert "已答复" in texts(tech)
    officer = open_page(app_as(db_path, "officer"), "support")
    assert "请刷新页面后再保存" in texts(officer)
    officer.button(key="support_confirm_1_2").click().run()
    assert not officer.exception and "已确认解决并关闭" in texts(officer)
    assert query(db_path, "SELECT state FROM support_requests") == [{"state": "closed"}]
    # closed: the requester may reopen it, and only that
    assert [b.label for b in officer.button if b.label == "重新打开"] == ["重新打开"]


def test_the_office_sees_every_request_with_figures_but_answers_none(db_path):
    raise_on_page(db_path)
    at = open_page(app_as(db_path, "webmaster"), "support")
    assert not at.exception
    assert [m.label for m in at.metric][:2] == ["请求总数", "待受理"] and at.metric[0].value == "1"
    assert not [f for f in at.text_area if f.key == "support_answer_text_1"]
    other = open_page(app_as(db_path, "officercw"), "support")
    assert "保存稿件时报错" not in texts(other) and not other.dataframe


def test_the_unit_records_a_session_and_the_never_trained_list_shrinks(db_path):
    at = open_page(app_as(db_path, "tech"), "training")
    assert not at.exception
    never = at.dataframe[0].value  # 从未参加培训的人员
    assert set(never["姓名"]) == {"OFFICER", "OFFICERCW", "HEAD", "HEADCW"}
    at.text_input(key="training_new_topic").input("")
    at.text_input(key="training_new_trainer").input("张工")
    at.button(key="FormSubmitter:training_new-登记").click().run()
    assert "「培训主题」:必填(第十条)" in texts(at)
    officer_id = scalar_id(db_path, "officer")
    at.text_input(key="training_new_topic").input("信息发布流程培训")
    at.multiselect(key="training_new_attendees").select(officer_id)
    at.button(key="FormSubmitter:training_new-登记").click().run()
    assert not at.exception and "培训记录 #1 已登记" in texts(at)
    assert set(at.dataframe[0].value["姓名"]) == {"OFFICERCW", "HEAD", "HEADCW"}
    assert "从未参加培训的人员(3 人)" in texts(at)
    assert at.text_input(key="training_new_topic").value == ""  # the form is empty again: nothing recorded twice


def scalar_id(db_path, username):
    con = connect(db_path)
    try:
        return scalar(con, "SELECT id FROM users WHERE username = ?", [username])
    finally:
        con.close()


def test_an_officer_sees_their_own_history_and_records_nothing(db_path):
    con = connect(db_path)
    tech = accounts.find_user(con, "tech")
    training.create_session(con, tech, held_on=dt.date.today(), topic="网站安全培训", trainer="张工",
                            attendees=[accounts.find_user(con, "officer").id])
    con.close()
    at = open_page(app_as(db_path, "officer"), "training")
    assert not at.exception
    assert at.dataframe[0].value["主题"].tolist() == ["网站安全培训"]
    assert "登记培训" not in texts(at) and "从未参加培训" not in texts(at)
    head = open_page(app_as(db_path, "head"), "training")
    assert "您还没有参加过培训" in texts(head)
