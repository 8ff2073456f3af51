"""Rating an answer on 公众留言 and reopening a 不满意 on 互动管理, in AppTest (第二十六条(二))."""

from __future__ import annotations

import pytest

from core import humancheck, interaction, ratings
from core.db import connect, rows
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_page_public_message import ANSWER, fill, press, stored, visitor


@pytest.fixture
def db(tmp_path, con, monkeypatch):
    make_org(con)
    con.close()
    monkeypatch.setattr(humancheck, "_random_answer", lambda length: ANSWER)  # every picture's digits
    return tmp_path / "portal.duckdb"


def released(db) -> tuple:
    """A visitor's message, answered by 电子信息处 and closed; the page shows the answer by its code."""
    at = press(fill(visitor(db)), "提交留言")
    [message] = stored(db)
    con = connect(db)
    con.execute("UPDATE messages SET state = 'closed', answer = '申报时间为每年三月。', division_id = 1, "
                "routed_at = now(), replied_at = now() WHERE id = ?", [message["id"]])
    con.close()
    at.text_input(key="pm_code").input(message["code"])
    press(at, "查询")
    return at, message


def test_a_visitor_rates_the_answer_once_and_a_refusal_keeps_the_reason(db):
    at, message = released(db)
    assert "请您对本次答复进行评价" in texts(at)
    assert at.radio(key="pm_rate_grade").options == ["满意", "基本满意", "不满意"]
    at.radio(key="pm_rate_grade").set_value("unsatisfied")
    at.text_area(key="pm_rate_reason").input("没有说明申报材料。")
    at.text_input(key="pm_rate_captcha").input("0000")  # wrong
    press(at, "提交评价")
    assert "验证码" in texts(at) and "评价尚未提交" in texts(at)
    assert at.text_area(key="pm_rate_reason").value == "没有说明申报材料。"
    at.text_input(key="pm_rate_captcha").input(ANSWER)
    press(at, "提交评价")
    shown = texts(at)
    assert "感谢您的评价" in shown and "您的评价**:不满意" in shown and "没有说明申报材料" in shown
    assert "提交评价" not in [b.label for b in at.button]  # once
    con = connect(db)
    assert rows(con, "SELECT grade, reason FROM message_ratings") == [
        {"grade": "unsatisfied", "reason": "没有说明申报材料。"}]
    con.close()
    press(at, "查询")  # looked up again: the rating stays, no form
    assert "您的评价**:不满意" in texts(at) and "提交评价" not in [b.label for b in at.button]


def test_no_grade_chosen_is_refused_by_name(db):
    at, _ = released(db)
    at.text_input(key="pm_rate_captcha").input(ANSWER)
    press(at, "提交评价")
    assert "「评价」" in texts(at) and "请选择满意、基本满意或不满意" in texts(at)


def test_the_webmaster_sees_the_不满意_and_reopens_it(db):
    _, message = released(db)
    con = connect(db)
    ratings.rate(con, message["code"], "unsatisfied", "答非所问", "198.51.100.20",
                 (humancheck.new_challenge(con).token, ANSWER))
    con.close()
    at = open_page(app_as(db, "webmaster"), "interaction_desk")
    assert not at.exception, at.exception
    assert any(t.label.startswith("不满意评价(1)") for t in at.tabs)
    assert "答非所问" in texts(at)
    at.text_area(key=f"msg_reopen_text_unhappy_{message['id']}").input("请补充申报材料清单")
    next(b for b in at.button if b.label == "重新办理" and f"unhappy_{message['id']}" in b.key).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "已退回电子信息处重新办理" in texts(at)
    con = connect(db)
    assert interaction.get(con, message["id"])["state"] == "routed"
    assert interaction.lookup(con, message["code"], "198.51.100.21")["state_label"] == "重新办理中"
    con.close()


def test_the_officer_has_no_reopen(db):
    _, message = released(db)
    at = open_page(app_as(db, "officer"), "interaction_answers")  # the desk is not on an officer's menu
    assert not at.exception and "重新办理" not in [b.label for b in at.button]


def test_the_statistics_page_shows_the_satisfaction_rate(db):
    con = connect(db)
    for number, grade in enumerate(["satisfied", "basic", "unsatisfied"]):
        con.execute("INSERT INTO message_ratings (message_id, division_id, grade) VALUES (?, 1, ?)", [number + 1, grade])
    con.close()
    at = open_page(app_as(db, "webmaster"), "statistics")
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["公众满意率"] == "66.7%"
    [table] = [d.value for d in at.dataframe if "公众满意率" in d.value.columns]
    row = table[table["处室"] == "电子信息处"].iloc[0]
    assert (row["公众评价数"], row["满意及基本满意"], round(row["公众满意率"], 1)) == (3, 2, 66.7)
