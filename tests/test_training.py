"""培训记录 (第十条(三)): recording, editing and cancelling sessions, their materials, who may, and the statistics
of who was never trained.

Imports from: core (accounts, training, db, errors), the `con` and `org` fixtures."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import accounts, training
from core.db import rows, scalar
from core.errors import InvalidTransition, NotFound, PermissionDenied, StaleVersion, ValidationError

TODAY = dt.date.today()


def session(con, org, who=None, attendees=None, held_on=None, **extra):
    return training.create_session(con, who or org.tech, held_on=held_on or TODAY - dt.timedelta(days=3),
                                   topic="信息发布流程培训", trainer="技术支持单位 张工",
                                   attendees=attendees if attendees is not None else [org.officer.id, org.head.id],
                                   notes="讲解审批环节", **extra)


def names(found):
    return [p["username"] for p in found]


def test_recording_a_session_with_attendees_and_materials(con, org):
    session_id = session(con, org, materials=[("培训讲义.pdf", b"%PDF-1.4 lecture")])
    found = training.get_session(con, session_id)
    assert found["attendees"] == sorted([org.officer.id, org.head.id])
    assert [m["filename"] for m in found["materials"]] == ["培训讲义.pdf"]
    assert (found["state"], found["topic"], found["trainer"]) == ("held", "信息发布流程培训", "技术支持单位 张工")
    assert rows(con, "SELECT action, summary FROM audit_log WHERE object = ?", [f"training:{session_id}"]) == [
        {"action": "training.create", "summary": f"{found['held_on']}「信息发布流程培训」,2 人参加,材料 1 份"}]
    # an attendee reads the material; someone who was not there and records nothing does not
    material = found["materials"][0]["id"]
    assert training.material_data(con, org.officer, material) == b"%PDF-1.4 lecture"
    with pytest.raises(PermissionDenied, match="第十条"):
        training.material_data(con, org.officer_cw, material)


def test_the_office_records_too(con, org):
    assert training.get_session(con, session(con, org, org.webmaster))["recorded_by"] == org.webmaster.id


@pytest.mark.parametrize("who", ["officer", "head", "leader", "group1", "analyst"])
def test_only_the_unit_and_the_office_record(con, org, who):
    with pytest.raises(PermissionDenied, match=re.escape("培训记录由技术支持单位和办公室登记(第十条)")):
        session(con, org, getattr(org, who))
    assert scalar(con, "SELECT count(*) FROM training_sessions") == 0


@pytest.mark.parametrize(("field", "values"), [
    ("培训日期", {"held_on": None}), ("培训日期", {"held_on": TODAY + dt.timedelta(days=2)}),
    ("培训主题", {"topic": " "}), ("培训人", {"trainer": ""}), ("参加人员", {"attendees": []}),
    ("培训主题", {"topic": "长" * 101})])
def test_missing_or_bad_fields_name_the_field_and_article(con, org, field, values):
    fields = {"held_on": TODAY, "topic": "主题", "trainer": "张工", "attendees": [org.officer.id], **values}
    with pytest.raises(ValidationError, match=f"「{field}」.*第十条"):
        training.create_session(con, org.tech, **fields)


def test_attendees_are_officers_and_heads_only(con, org):
    with pytest.raises(ValidationError, match="「参加人员」:只能选择.*信息员和处室负责人"):
        session(con, org, attendees=[org.officer.id, org.leader.id])
    with pytest.raises(ValidationError, match="附件"):
        session(con, org, materials=[("脚本.exe", b"MZ")])
    assert scalar(con, "SELECT count(*) FROM training_sessions") == 0


def test_editing_changes_the_attendees_and_is_audited(con, org):
    session_id = session(con, org)
    training.update_session(con, org.tech, session_id, 1, held_on=TODAY - dt.timedelta(days=3), topic="网站安全培训",
                            trainer="张工", attendees=[org.officer.id, org.officer_cw.id], notes="")
    found = training.get_session(con, session_id)
    assert found["attendees"] == sorted([org.officer.id, org.officer_cw.id]) and found["version"] == 2
    summary = scalar(con, "SELECT summary FROM audit_log WHERE action = 'training.update'")
    assert summary == "「信息发布流程培训」→「网站安全培训」;参加人员增加 1 人、减少 1 人"
    with pytest.raises(StaleVersion, match="该培训记录已被他人更新"):
        training.update_session(con, org.webmaster, session_id, 1, held_on=TODAY, topic="旧页面", trainer="张工",
                                attendees=[org.officer.id])
    with pytest.raises(PermissionDenied):
        training.update_session(con, org.officer, session_id, 2, held_on=TODAY, topic="x", trainer="y",
                                attendees=[org.officer.id])


def test_a_cancelled_session_stops_counting_and_cannot_be_changed(con, org):
    session_id = session(con, org, attendees=[org.officer.id])
    assert "officer" not in names(training.untrained(con, org.tech))
    with pytest.raises(ValidationError, match="「取消原因」:必填"):
        training.cancel_session(con, org.tech, session_id, 1, "")
    training.cancel_session(con, org.tech, session_id, 1, "误登记")
    assert "officer" in names(training.untrained(con, org.tech))
    assert training.history(con, org.officer) == []
    refusal = re.escape("培训记录当前为「已取消」,不能修改(仅限:已举办;第十条)")
    with pytest.raises(InvalidTransition, match=refusal):
        training.update_session(con, org.tech, session_id, 2, held_on=TODAY, topic="x", trainer="y",
                                attendees=[org.officer.id])
    with pytest.raises(InvalidTransition, match="不能取消"):
        training.cancel_session(con, org.tech, session_id, 2, "再取消")
    with pytest.raises(InvalidTransition, match="不能添加材料"):
        training.add_material(con, org.tech, session_id, "补充.pdf", b"%PDF")
    assert scalar(con, "SELECT cancel_reason FROM training_sessions WHERE id = ?", [session_id]) == "误登记"


def test_materials_are_added_and_removed_with_audit(con, org):
    session_id = session(con, org)
    file_id = training.add_material(con, org.tech, session_id, "操作要点.txt", "第一步".encode())
    assert [m["id"] for m in training.get_session(con, session_id)["materials"]] == [file_id]
    training.remove_material(con, org.webmaster, file_id)
    assert training.get_session(con, session_id)["materials"] == []
    assert [r["action"] for r in rows(con, "SELECT action FROM audit_log WHERE object = ? ORDER BY id",
                                      [f"training:{session_id}"])] == [
        "training.create", "training.add_material", "training.remove_material"]
    with pytest.raises(PermissionDenied):
        training.add_material(con, org.officer, session_id, "x.pdf", b"%PDF")
    with pytest.raises(NotFound):
        training.material_data(con, org.tech, file_id)


def test_never_trained_and_not_this_year(con, org):
    everyone = {"officer", "officercw", "head", "headcw"}
    assert set(names(training.untrained(con, org.tech))) == everyone
    session(con, org, attendees=[org.officer.id], held_on=dt.date(TODAY.year - 1, 6, 1))
    session(con, org, attendees=[org.head.id])
    assert set(names(training.untrained(con, org.tech))) == {"officercw", "headcw"}
    this_year = {p["username"]: p for p in training.untrained(con, org.webmaster, TODAY.year)}
    assert set(this_year) == {"officer", "officercw", "headcw"}
    assert this_year["officer"]["last_on"] == dt.date(TODAY.year - 1, 6, 1)  # trained before, not this year
    assert this_year["officercw"]["last_on"] is None
    # a disabled account is nobody to train
    accounts.set_active(con, org.webmaster, org.officer_cw.id, False)
    assert set(names(training.untrained(con, org.tech))) == {"headcw"}


def test_division_counts_and_the_years_figures(con, org):
    session(con, org, attendees=[org.officer.id, org.head.id])
    session(con, org, attendees=[org.officer.id])
    by_division = {d["division"]: d for d in training.division_counts(con, org.analyst, TODAY.year)}
    assert by_division["电子信息处"] == {"division": "电子信息处", "people": 2, "trained": 2, "untrained": 0,
                                    "attendances": 3}
    assert by_division["财务处"]["untrained"] == 2 and by_division["财务处"]["attendances"] == 0
    figures = training.figures(con, org.leader, TODAY.year)
    assert (figures["sessions"], figures["attendances"], figures["people"], figures["trained"],
            figures["untrained"], figures["coverage"]) == (2, 3, 4, 2, 2, 50.0)
    with pytest.raises(PermissionDenied, match="培训统计"):
        training.untrained(con, org.officer)


def test_everyone_sees_their_own_history_only(con, org):
    session_id = session(con, org, attendees=[org.officer.id])
    assert [s["id"] for s in training.history(con, org.officer)] == [session_id]
    assert training.history(con, org.head) == []
    assert [s["id"] for s in training.history(con, org.tech, org.officer.id)] == [session_id]
    with pytest.raises(PermissionDenied):
        training.history(con, org.head, org.officer.id)


def test_a_periods_report_lists_the_never_trained_with_their_account_dates(con, org):
    """统计分析's 培训情况 (第十条(三)): who was never trained, by division, with the day their account was made;
    the sessions and attendances of the period only."""
    con.execute("UPDATE users SET created_at = ? WHERE id = ?", [dt.datetime(2024, 3, 5, 9, 0), org.officer_cw.id])
    joined = TODAY - dt.timedelta(days=training.NEW_ACCOUNT_DAYS - 1)  # before the period, yet under three months
    con.execute("UPDATE users SET created_at = ? WHERE id = ?", [dt.datetime.combine(joined, dt.time()), org.head_cw.id])
    start, end = TODAY - dt.timedelta(days=10), TODAY
    session(con, org, attendees=[org.officer.id, org.head.id])  # three days ago: in the period
    session(con, org, attendees=[org.officer.id], held_on=TODAY - dt.timedelta(days=40))  # before it
    cancelled = session(con, org, attendees=[org.officer.id, org.officer_cw.id])
    training.cancel_session(con, org.tech, cancelled, 1, "误登记")  # attending a cancelled session is no training
    found = training.period_report(con, org.analyst, start, end)
    assert (found["sessions"], found["attendances"], found["people"], found["trained"]) == (1, 2, 4, 2)
    never = {p["username"]: p for p in found["never_trained"]}
    assert set(never) == {"officercw", "headcw"}  # the trained officer and head are not listed
    assert never["officercw"] == {**never["officercw"], "division": "财务处", "roles": "信息员",
                                  "created_on": dt.date(2024, 3, 5), "new": False}
    assert never["headcw"]["created_on"] == joined and never["headcw"]["new"]  # joined lately: stands out
    by_division = {d["division"]: d for d in found["divisions"]}
    assert by_division["电子信息处"] == {"division": "电子信息处", "people": 2, "trained": 2, "attendances": 2,
                                    "never_trained": 0}
    assert by_division["财务处"] == {"division": "财务处", "people": 2, "trained": 0, "attendances": 0,
                                  "never_trained": 2}
    # a period without sessions: nothing held, yet the one trained before it is still not "never trained"
    earlier = training.period_report(con, org.webmaster, TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=20))
    assert (earlier["sessions"], earlier["attendances"], earlier["trained"]) == (0, 0, 0)
    assert {p["username"] for p in earlier["never_trained"]} == {"officercw", "headcw"}
    # a newcomer by the period's end: the account was under three months old then
    assert [p["new"] for p in earlier["never_trained"] if p["username"] == "headcw"] == [True]
    long_ago = training.period_report(con, org.webmaster, dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert not any(p["new"] for p in long_ago["never_trained"] if p["username"] == "officercw")
    with pytest.raises(ValidationError, match="「统计期间」:结束日期不能早于开始日期.*第十条"):
        training.period_report(con, org.analyst, end, start)
    with pytest.raises(PermissionDenied, match="培训统计"):
        training.period_report(con, org.head, start, end)
    assert training.period_figures(con, start, end) == found  # the notebooks' reading, without a reader
