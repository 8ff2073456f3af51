"""Public ratings of answers (第二十六条(二)): rate once, reopen a 不满意, the satisfaction rate."""

from __future__ import annotations

import datetime as dt

import pytest

from core import evaluation, interaction, ratings, settings, stats
from core.db import rows, scalar
from core.errors import InvalidTransition, PermissionDenied, RateLimited, ValidationError
from tests.test_interaction import CLIENT, answer_and_approve, message, solved, submit


def released(con, org, **changes) -> interaction.Submitted:
    sent = submit(con, org, **changes)
    answer_and_approve(con, org, sent.id)
    interaction.publish(con, org.webmaster, sent.id, message(con, sent.id)["version"])
    return sent


def rate(con, code, grade="satisfied", reason="", client=CLIENT):
    return ratings.rate(con, code, grade, reason, client, solved(con))


def test_a_citizen_rates_a_released_answer_once_and_the_division_and_office_hear(con, org):
    sent = released(con, org)
    seen = interaction.lookup(con, sent.code, CLIENT)
    assert seen["can_rate"] and seen["rating"] is None
    rate(con, sent.code, "unsatisfied", "答复没有说明申报材料。")
    seen = interaction.lookup(con, sent.code, CLIENT)
    assert not seen["can_rate"] and seen["rating"]["grade"] == "unsatisfied"
    assert seen["rating"]["reason"] == "答复没有说明申报材料。"
    stored = rows(con, "SELECT division_id, grade FROM message_ratings")
    assert stored == [{"division_id": org.dz, "grade": "unsatisfied"}]
    mails = rows(con, "SELECT user_id, subject, body FROM outbox WHERE kind LIKE 'message.rated.%' ORDER BY user_id")
    assert {m["user_id"] for m in mails} == {org.webmaster.id, org.officer.id, org.head.id}
    assert all(m["subject"].startswith("【不满意评价】") and "答复没有说明申报材料" in m["body"] for m in mails)
    events = rows(con, "SELECT action, comment FROM message_events WHERE message_id = ? ORDER BY id", [sent.id])
    assert events[-1] == {"action": "rate", "comment": "不满意:答复没有说明申报材料。"}
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'message.rate'") == 1
    with pytest.raises(ValidationError) as second:
        rate(con, sent.code, "satisfied")
    assert "只能评价一次" in str(second.value) and "第二十六条" in str(second.value)
    assert scalar(con, "SELECT count(*) FROM message_ratings") == 1


def test_a_satisfied_rating_is_not_highlighted(con, org):
    sent = released(con, org)
    rate(con, sent.code, "basic")
    subjects = [r["subject"] for r in rows(con, "SELECT subject FROM outbox WHERE kind LIKE 'message.rated.%'")]
    assert subjects and all(s.startswith("【公众评价:基本满意】") for s in subjects)


def test_no_rating_before_the_answer_is_released(con, org):
    sent = submit(con, org)
    answer_and_approve(con, org, sent.id)  # approved, not yet released by the webmaster
    assert not interaction.lookup(con, sent.code, CLIENT)["can_rate"]
    with pytest.raises(ValidationError) as refused:
        rate(con, sent.code)
    assert "答复公开或办结后才能评价" in str(refused.value) and "「评价」" in str(refused.value)
    assert scalar(con, "SELECT count(*) FROM message_ratings") == 0


def test_a_wrong_code_a_wrong_grade_and_a_long_reason_are_refused_by_name(con, org):
    sent = released(con, org)
    with pytest.raises(ValidationError) as wrong:
        rate(con, "SX-AAAA-BBBB-CCCC")
    assert "「查询码」" in str(wrong.value) and "没有找到" in str(wrong.value)
    with pytest.raises(ValidationError) as grade:
        rate(con, sent.code, "great")
    assert "「评价」" in str(grade.value)
    with pytest.raises(ValidationError) as long:
        rate(con, sent.code, "unsatisfied", "太" * 501)
    assert "「评价理由」" in str(long.value) and "不能超过 500 个字" in str(long.value)
    rate(con, sent.code, "unsatisfied", "太" * 500)
    assert scalar(con, "SELECT length(reason) FROM message_ratings") == 500


def test_the_captcha_and_the_rate_limits_protect_the_form(con, org):
    sent = released(con, org)
    with pytest.raises(ValidationError):
        ratings.rate(con, sent.code, "satisfied", "", CLIENT, ("", "1234"))
    assert scalar(con, "SELECT count(*) FROM message_ratings") == 0
    other = released(con, org, subject="第二条留言")
    settings.set_values(con, org.webmaster, {"message_submit_per_hour": 1})
    rate(con, sent.code, client="203.0.113.9")
    with pytest.raises(RateLimited) as limited:
        rate(con, other.code, client="203.0.113.9")
    assert "评价" in str(limited.value)
    rate(con, other.code, client="203.0.113.10")  # another address is not held back


def test_only_the_webmaster_reopens_and_only_a_不满意(con, org):
    sent = released(con, org)
    rate(con, sent.code, "satisfied")
    with pytest.raises(InvalidTransition) as satisfied:
        ratings.reopen(con, org.webmaster, sent.id, "请补充", message(con, sent.id)["version"])
    assert "不满意" in str(satisfied.value)
    unhappy = released(con, org, subject="关于补贴标准的咨询")
    rate(con, unhappy.code, "unsatisfied", "没有回答标准是多少")
    version = message(con, unhappy.id)["version"]
    for who in (org.officer, org.head):
        with pytest.raises(PermissionDenied):
            ratings.reopen(con, who, unhappy.id, "请补充标准", version)
    with pytest.raises(ValidationError) as no_reason:
        ratings.reopen(con, org.webmaster, unhappy.id, "  ", version)
    assert "「重新办理的说明」" in str(no_reason.value)
    assert message(con, unhappy.id)["state"] == "published"
    assert ratings.reopen(con, org.webmaster, unhappy.id, "请补充补贴标准", version) == "routed"
    moved = message(con, unhappy.id)
    assert moved["state"] == "routed" and moved["division_id"] == org.dz and moved["answered_at"] is None
    assert interaction.lookup(con, unhappy.code, CLIENT)["state_label"] == "重新办理中"
    [queued] = [m for m in interaction.division_queue(con, org.officer) if m["id"] == unhappy.id]
    assert queued["returned"]["comment"] == "请补充补贴标准" and queued["returned"]["role"] == "办公室"
    mail = rows(con, "SELECT user_id, body FROM outbox WHERE kind = 'message.reopened'")
    assert [m["user_id"] for m in mail] == [org.officer.id] and "请补充补贴标准" in mail[0]["body"]
    assert "没有回答标准是多少" in mail[0]["body"]
    assert rows(con, "SELECT action FROM message_events WHERE message_id = ? ORDER BY id DESC LIMIT 1",
                [unhappy.id]) == [{"action": "reopen"}]
    assert ratings.unsatisfied_open(con, org.webmaster) == []
    # answered again and released: the new answer may be rated
    interaction.submit_answer(con, org.officer, unhappy.id, "补贴标准为投资额的 10%。", message(con, unhappy.id)["version"])
    interaction.approve_answer(con, org.head, unhappy.id, message(con, unhappy.id)["version"])
    interaction.publish(con, org.webmaster, unhappy.id, message(con, unhappy.id)["version"])
    assert interaction.lookup(con, unhappy.code, CLIENT)["can_rate"]
    rate(con, unhappy.code, "satisfied")
    assert rows(con, "SELECT round, grade FROM message_ratings WHERE message_id = ? ORDER BY round",
                [unhappy.id]) == [{"round": 1, "grade": "unsatisfied"}, {"round": 2, "grade": "satisfied"}]


def test_a_directly_answered_message_goes_back_to_the_desk(con, org):
    sent = submit(con, org)
    interaction.answer_directly(con, org.webmaster, sent.id, "详见本厅通知。", message(con, sent.id)["version"])
    interaction.close(con, org.webmaster, sent.id, message(con, sent.id)["version"])
    rate(con, sent.code, "unsatisfied")
    assert ratings.reopen(con, org.webmaster, sent.id, "请写明通知名称", message(con, sent.id)["version"]) == "new"
    assert interaction.lookup(con, sent.code, CLIENT)["state_label"] == "重新办理中"


def test_the_satisfaction_rate_in_statistics_and_the_evaluation(con, org):
    grades = ["satisfied", "basic", "unsatisfied", "unsatisfied"]
    for number, grade in enumerate(grades):
        rate(con, released(con, org, subject=f"咨询 {number}").code, grade)
    year = dt.date.today().year
    report = stats.report(con, org.webmaster, stats.year_period(year))
    [dz] = [r for r in report["rows"] if r["id"] == org.dz]
    assert (dz["rated"], dz["satisfied"], dz["satisfaction_share"]) == (4, 2, 0.5)
    assert report["totals"]["satisfaction_share"] == 0.5
    [ranked] = [r for r in evaluation.ranking(con, year) if r["division_id"] == org.dz]
    assert ranked["measures"]["satisfaction"] == 0.5 and ranked["figures"]["rated"] == 4
    assert "satisfaction" in {w["code"] for w in evaluation.weights(con)}
    # the weight is the office's: with every other weight 0 the score is the satisfaction rate
    evaluation.set_weights(con, org.webmaster, {c: 0 for c in evaluation.MEASURES if c != "satisfaction"})
    [ranked] = [r for r in evaluation.ranking(con, year) if r["division_id"] == org.dz]
    assert ranked["score"] == 50.0
    evaluation.set_weights(con, org.webmaster, {"satisfaction": 0, "quantity": 10})
    [ranked] = [r for r in evaluation.ranking(con, year) if r["division_id"] == org.dz]
    assert ranked["score"] != 50.0
