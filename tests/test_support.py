"""技术支持 (第十条(二)): every move of a support request and every refusal, the working-time clock, the notices.

Imports from: core (audit rows via db, notify's outbox, permissions' refusals, support, workdays, errors); the
`con` and `org` fixtures (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import support, workdays
from core.db import rows, scalar
from core.errors import InvalidTransition, NotFound, PermissionDenied, StaleVersion, ValidationError


def raised(con, org, who=None, kind="故障", subject="稿件无法保存"):
    return support.raise_request(con, who or org.officer, kind=kind, subject=subject,
                                 description="点击保存后提示错误", page="我的稿件")


def item(con, org, request_id, who=None):
    return support.get(con, who or org.tech, request_id)


def test_a_fault_goes_from_raised_to_closed_by_the_requester(con, org):
    request_id = raised(con, org)
    assert item(con, org, request_id)["state"] == "new"
    # the unit is told of the new request
    assert scalar(con, "SELECT count(*) FROM outbox WHERE kind = 'support.new' AND user_id = ?", [org.tech.id]) == 1
    support.accept(con, org.tech, request_id, 1)
    found = item(con, org, request_id)
    assert (found["state"], found["handler_id"]) == ("handling", org.tech.id)
    support.answer(con, org.tech, request_id, found["version"], "请清除浏览器缓存后重试")
    found = item(con, org, request_id, org.officer)
    assert found["state"] == "answered" and found["first_answer_at"] is not None
    assert [m["body"] for m in found["messages"]] == ["请清除浏览器缓存后重试"]
    assert scalar(con, "SELECT count(*) FROM outbox WHERE kind = 'support.answered' AND user_id = ?",
                  [org.officer.id]) == 1
    support.confirm(con, org.officer, request_id, found["version"])
    found = item(con, org, request_id)
    assert found["state"] == "closed" and found["closed_at"] is not None
    assert [e["action"] for e in found["events"]] == ["raise", "accept", "answer", "confirm"]
    audited = [r["action"] for r in rows(con, "SELECT action FROM audit_log WHERE object = ? ORDER BY id",
                                         [f"support:{request_id}"])]
    assert audited == ["support.raise", "support.accept", "support.answer", "support.confirm"]


def test_asking_back_returns_an_answered_request_to_the_unit(con, org):
    request_id = raised(con, org, kind="咨询", subject="如何上传附件")
    support.answer(con, org.tech, request_id, 1, "在编辑页下方选择文件")
    support.reply(con, org.officer, request_id, 2, "没有看到上传按钮")
    found = item(con, org, request_id)
    assert found["state"] == "handling"
    assert [m["side"] for m in found["messages"]] == ["support", "requester"]
    assert scalar(con, "SELECT count(*) FROM outbox WHERE kind = 'support.reply' AND user_id = ?", [org.tech.id]) == 1
    # a reply before any answer leaves a new request new (it is only more detail)
    other = raised(con, org, subject="另一个问题")
    support.reply(con, org.officer, other, 1, "补充:使用的是 Edge 浏览器")
    assert item(con, org, other)["state"] == "new"


def test_the_unit_closes_and_the_requester_reopens_within_the_window(con, org):
    request_id = raised(con, org)
    support.close(con, org.tech, request_id, 1, "已电话指导解决")
    found = item(con, org, request_id, org.officer)
    assert found["state"] == "closed" and found["reopen_until"] >= dt.date.today()
    assert "reopen" in support.allowed_actions(org.officer, found)
    assert scalar(con, "SELECT count(*) FROM outbox WHERE kind = 'support.closed'") == 1
    support.reopen(con, org.officer, request_id, 2, "问题再次出现")
    found = item(con, org, request_id)
    assert (found["state"], found["reopened"], found["closed_at"]) == ("reopened", 1, None)
    support.accept(con, org.tech, request_id, 3)
    assert item(con, org, request_id)["state"] == "handling"


def test_reopening_after_the_window_is_refused(con, org):
    request_id = raised(con, org)
    support.close(con, org.tech, request_id, 1, "已解决")
    long_ago = dt.datetime.now() - dt.timedelta(days=30)
    con.execute("UPDATE support_requests SET closed_at = ? WHERE id = ?", [long_ago, request_id])
    found = item(con, org, request_id, org.officer)
    assert "reopen" not in support.allowed_actions(org.officer, found)
    with pytest.raises(InvalidTransition, match="工作日.*第十条"):
        support.reopen(con, org.officer, request_id, 2, "又出现了")
    assert item(con, org, request_id)["state"] == "closed"


@pytest.mark.parametrize("who", ["tech", "webmaster", "analyst", "leader", "group1"])
def test_only_officers_and_heads_raise(con, org, who):
    with pytest.raises(PermissionDenied, match="第十条"):
        raised(con, org, getattr(org, who))


def test_heads_raise_too(con, org):
    assert item(con, org, raised(con, org, org.head))["requester_id"] == org.head.id


@pytest.mark.parametrize("action", ["accept", "answer", "close"])
@pytest.mark.parametrize("who", ["officer", "head", "webmaster"])
def test_only_the_unit_accepts_answers_and_closes(con, org, action, who):
    request_id = raised(con, org)
    args = () if action == "accept" else ("答复",)
    with pytest.raises(PermissionDenied, match="技术支持单位.*第十条"):
        getattr(support, action)(con, getattr(org, who), request_id, 1, *args)
    assert item(con, org, request_id)["state"] == "new"


@pytest.mark.parametrize("who", ["officer_cw", "head", "tech"])
def test_only_the_requester_confirms_replies_and_reopens(con, org, who):
    request_id = raised(con, org)
    support.answer(con, org.tech, request_id, 1, "答复")
    actor = getattr(org, who)
    with pytest.raises(PermissionDenied, match="提出人"):
        support.confirm(con, actor, request_id, 2)
    with pytest.raises(PermissionDenied, match="提出人"):
        support.reply(con, actor, request_id, 2, "追问")
    support.confirm(con, org.officer, request_id, 2)
    with pytest.raises(PermissionDenied, match="提出人"):
        support.reopen(con, actor, request_id, 3, "再开")


def test_wrong_states_are_refused_with_the_state_and_what_is_allowed(con, org):
    request_id = raised(con, org)
    with pytest.raises(InvalidTransition, match=re.escape("「待受理」,不能确认解决(仅限:已答复,待确认;第十条)")):
        support.confirm(con, org.officer, request_id, 1)
    with pytest.raises(InvalidTransition, match="不能重新打开"):
        support.reopen(con, org.officer, request_id, 1, "再开")
    support.accept(con, org.tech, request_id, 1)
    with pytest.raises(InvalidTransition, match="「处理中」,不能受理"):
        support.accept(con, org.tech, request_id, 2)
    support.close(con, org.tech, request_id, 2, "已解决")
    for action, args in (("answer", ("晚到的答复",)), ("close", ("再关",)), ("accept", ())):
        with pytest.raises(InvalidTransition, match="「已关闭」"):
            getattr(support, action)(con, org.tech, request_id, 3, *args)


def test_someone_acting_first_makes_the_second_stale(con, org):
    request_id = raised(con, org)
    support.accept(con, org.tech, request_id, 1)
    with pytest.raises(StaleVersion, match="该技术支持请求已被他人更新"):
        support.answer(con, org.tech, request_id, 1, "基于旧页面的答复")
    assert item(con, org, request_id)["messages"] == []


@pytest.mark.parametrize(("field", "values"), [
    ("类型", {"kind": "投诉"}), ("标题", {"subject": "  "}), ("问题描述", {"description": ""}),
    ("标题", {"subject": "长" * 101})])
def test_missing_or_bad_fields_name_the_field_and_article(con, org, field, values):
    fields = {"kind": "咨询", "subject": "标题", "description": "描述", **values}
    with pytest.raises(ValidationError, match=f"「{field}」.*第十条"):
        support.raise_request(con, org.officer, **fields)
    assert scalar(con, "SELECT count(*) FROM support_requests") == 0


def test_an_empty_answer_or_closing_note_is_refused(con, org):
    request_id = raised(con, org)
    with pytest.raises(ValidationError, match="「内容」:必填"):
        support.answer(con, org.tech, request_id, 1, " ")
    with pytest.raises(ValidationError, match="「内容」:必填"):
        support.close(con, org.tech, request_id, 1, "")
    assert item(con, org, request_id)["state"] == "new"


def test_an_attachment_is_checked_as_articles_are_and_readable_by_who_sees_the_request(con, org):
    with pytest.raises(ValidationError, match="附件"):
        support.raise_request(con, org.officer, kind="故障", subject="截图", description="见附件",
                              attachment=("病毒.exe", b"MZ"))
    request_id = support.raise_request(con, org.officer, kind="故障", subject="截图", description="见附件",
                                       attachment=("错误说明.txt", "保存时报错".encode()))
    files = item(con, org, request_id)["files"]
    assert [f["filename"] for f in files] == ["错误说明.txt"]
    assert support.file_data(con, org.tech, files[0]["id"]) == ("错误说明.txt", "保存时报错".encode())
    with pytest.raises(PermissionDenied):
        support.file_data(con, org.officer_cw, files[0]["id"])


def test_a_requester_sees_only_their_own_requests_and_the_office_sees_all(con, org):
    mine = raised(con, org)
    theirs = raised(con, org, org.officer_cw, subject="财务处的问题")
    assert [r["id"] for r in support.listing(con, org.officer)] == [mine]
    with pytest.raises(PermissionDenied, match="提出人、技术支持单位和办公室"):
        support.get(con, org.officer, theirs)
    with pytest.raises(PermissionDenied):
        support.get(con, org.head, mine)  # the head of the same division is not the requester
    assert {r["id"] for r in support.listing(con, org.webmaster)} == {mine, theirs}
    assert support.get(con, org.webmaster, theirs)["subject"] == "财务处的问题"
    with pytest.raises(PermissionDenied):
        support.listing(con, org.analyst)
    with pytest.raises(NotFound):
        support.get(con, org.tech, 999)


def test_working_hours_skip_nights_weekends_and_holidays():
    calendar = workdays.WorkCalendar(holidays={dt.date(2026, 10, 1): "国庆节"}, years=frozenset({2026}))
    friday_evening = dt.datetime(2026, 9, 25, 18, 0)  # a Friday, after office hours
    monday = dt.datetime(2026, 9, 28, 9, 30)
    assert support.working_hours(calendar, friday_evening, monday) == 1.0
    same_day = support.working_hours(calendar, dt.datetime(2026, 9, 28, 10), dt.datetime(2026, 9, 28, 12, 30))
    assert same_day == 2.5
    # Wednesday 16:30 to Friday 9:30 across the 1 October holiday (a Thursday): 1 h + 1 h
    assert support.working_hours(calendar, dt.datetime(2026, 9, 30, 16, 30), dt.datetime(2026, 10, 2, 9, 30)) == 2.0
    assert support.working_hours(calendar, monday, friday_evening) == 0.0


def test_the_office_figures_count_response_times_in_working_time(con, org):
    monday = dt.datetime(2026, 9, 28, 9, 0)  # a Monday
    fast = raised(con, org, subject="快")
    slow = raised(con, org, kind="咨询", subject="慢")
    waiting = raised(con, org, subject="未答复")
    for request_id in (fast, slow, waiting):
        con.execute("UPDATE support_requests SET raised_at = ? WHERE id = ?", [monday, request_id])
    support.answer(con, org.tech, fast, 1, "答复")
    support.confirm(con, org.officer, fast, 2)
    support.answer(con, org.tech, slow, 1, "答复")
    # the clock as it ran: the fault answered in 2 working hours and closed the same day; the question
    # answered on Wednesday at 9:00 (two working days, 18 working hours: over its one-day target)
    con.execute("UPDATE support_requests SET first_answer_at = ?, closed_at = ? WHERE id = ?",
                [monday + dt.timedelta(hours=2), monday + dt.timedelta(hours=3), fast])
    con.execute("UPDATE support_requests SET first_answer_at = ? WHERE id = ?", [monday + dt.timedelta(days=2), slow])
    found = {r["subject"]: r for r in support.listing(con, org.tech)}
    assert (found["快"]["answer_hours"], found["快"]["close_days"], found["快"]["late"]) == (2.0, 0, False)
    assert (found["慢"]["answer_hours"], found["慢"]["late"]) == (18.0, True)
    assert found["未答复"]["answer_hours"] is None
    figures = support.figures(con, org.webmaster)
    assert figures["total"] == 3 and figures["answered"] == 2 and figures["late"] == 1
    assert figures["answer_hours_median"] == 10.0 and figures["close_days_median"] == 0
    assert figures["by_state"]["已关闭"] == 1 and figures["by_kind"] == {"咨询": 1, "故障": 2}
    with pytest.raises(PermissionDenied):
        support.figures(con, org.officer)


def test_to_do_counts_for_the_unit_and_the_requester(con, org):
    first, second = raised(con, org), raised(con, org, subject="第二个")
    support.answer(con, org.tech, second, 1, "答复")
    assert support.counts(con, org.tech) == {"support_open": 1}
    assert support.counts(con, org.officer) == {"support_answered": 1}
    assert support.counts(con, org.officer_cw) == {"support_answered": 0}
    support.close(con, org.tech, first, 1, "关闭")
    assert support.counts(con, org.tech) == {"support_open": 0}


def test_allowed_actions_follow_role_and_state(con, org):
    request_id = raised(con, org)
    found = item(con, org, request_id)
    assert support.allowed_actions(org.tech, found) == ["accept", "answer", "close"]
    assert support.allowed_actions(org.officer, found) == ["reply"]
    assert support.allowed_actions(org.webmaster, found) == []
