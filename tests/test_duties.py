"""应发布信息 (第十七条、第二十七条(四)): the office records what a division is to publish; the division
links one of its published items; what is not published within 第十七条's window is overdue (in the
office's unit, working days on the holiday calendar), the division is told, and the office can make it a
criticism of ground (四) that 年度考评 shows."""

from __future__ import annotations

import datetime as dt

import pytest

from core import duties, evaluation, scheduler, security_audit, settings, todo
from core.db import rows, scalar
from core.errors import InvalidTransition, PermissionDenied, ValidationError
from tests.test_timeliness import published, working

D = dt.date


def meeting(con, org, happened_on, division=None, subject="全省信息化工作会议") -> int:
    return duties.record(con, org.webmaster, division or org.dz, "meeting", subject, happened_on, "请发布会议报道")


def version(con, record_id) -> int:
    return scalar(con, "SELECT version FROM duty_records WHERE id = ?", [record_id])


def test_the_office_records_and_the_division_is_told(con, org):
    record_id = meeting(con, org, D(2026, 6, 1))
    found = duties.get(con, record_id, D(2026, 6, 2))
    assert found["kind_label"] == "重要会议" and found["state_label"] == "待发布" and found["status"] == "pending"
    assert found["division"] == "电子信息处" and found["due_on"] == D(2026, 6, 4)  # 3 calendar days (default)
    mails = rows(con, "SELECT user_id, subject, body FROM outbox WHERE kind = 'duties.created' ORDER BY user_id")
    assert {m["user_id"] for m in mails} == {org.officer.id, org.head.id}  # officer and head, not 财务处
    assert "全省信息化工作会议" in mails[0]["subject"] and "2026-06-04 前发布" in mails[0]["body"]
    assert security_audit.action_label("duties.create") == "登记应发布信息"
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'duties.create'") == 1
    # the division sees it in its to-do; the other division does not
    assert todo.todo_items(con, org.officer)["duties"] == 1 and todo.todo_items(con, org.head)["duties"] == 1
    assert todo.todo_items(con, org.officer_cw)["duties"] == 0


def test_refusals_name_the_field_and_the_article(con, org):
    with pytest.raises(ValidationError, match="事项") as refused:
        duties.record(con, org.webmaster, org.dz, "meeting", "  ", D(2026, 6, 1))
    assert "第十七条" in str(refused.value) and "第二十七条" in str(refused.value)
    with pytest.raises(ValidationError, match="类别"):
        duties.record(con, org.webmaster, org.dz, "party", "会议", D(2026, 6, 1))
    with pytest.raises(ValidationError, match="发生日期"):
        duties.record(con, org.webmaster, org.dz, "meeting", "会议", dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="处室"):
        duties.record(con, org.webmaster, 9999, "meeting", "会议", D(2026, 6, 1))
    assert scalar(con, "SELECT count(*) FROM duty_records") == 0


def test_permissions_office_records_division_links_its_own(con, org):
    for someone in (org.officer, org.head, org.leader, org.group1):
        with pytest.raises(PermissionDenied, match="第二十七条"):
            duties.record(con, someone, org.dz, "meeting", "会议", D(2026, 6, 1))
    record_id = meeting(con, org, D(2026, 6, 1))
    article = published(con, org, D(2026, 6, 1), D(2026, 6, 2))
    for someone in (org.officer_cw, org.head_cw, org.leader, org.analyst):
        with pytest.raises(PermissionDenied):
            duties.link(con, someone, record_id, version(con, record_id), article)
    with pytest.raises(PermissionDenied):
        duties.cancel(con, org.officer, record_id, version(con, record_id), "不办了")
    with pytest.raises(PermissionDenied):
        duties.view(con, org.officer_cw, org.dz)
    assert [r["id"] for r in duties.view(con, org.officer, org.dz)] == [record_id]
    assert duties.link(con, org.head, record_id, version(con, record_id), article) == "按时发布"


def test_only_a_published_article_of_that_division_can_be_linked(con, org):
    record_id = meeting(con, org, D(2026, 6, 1))
    other = published(con, org, None, D(2026, 6, 2), column=org.col_cw, division=org.cw)
    with pytest.raises(ValidationError, match="关联信息.*电子信息处牵头"):
        duties.link(con, org.officer, record_id, version(con, record_id), other)
    draft = con.execute("INSERT INTO articles (column_id, lead_division_id, title, author_id) VALUES (?, ?, '草稿', ?) "
                        "RETURNING id", [org.col_dz, org.dz, org.officer.id]).fetchone()[0]
    with pytest.raises(ValidationError, match="关联信息.*请选择"):
        duties.link(con, org.officer, record_id, version(con, record_id), None)
    with pytest.raises(ValidationError, match="尚未发布"):
        duties.link(con, org.officer, record_id, version(con, record_id), draft)
    assert duties.get(con, record_id)["state"] == "expected"
    mine = published(con, org, D(2026, 6, 1), D(2026, 6, 8), title="全省信息化工作会议召开")
    assert [a["id"] for a in duties.linkable_articles(con, duties.get(con, record_id))] == [mine]
    assert duties.link(con, org.officer, record_id, version(con, record_id), mine) == "逾期发布"
    found = duties.get(con, record_id)
    assert found["state"] == "fulfilled" and found["article_title"] == "全省信息化工作会议召开"
    assert found["days_overdue"] == 4 and found["candidate"]  # 7 days against 3: late, 较长时间未发布
    with pytest.raises(InvalidTransition, match="已发布"):
        duties.link(con, org.officer, record_id, version(con, record_id), mine)
    assert todo.todo_items(con, org.officer)["duties"] == 0


def test_overdue_counts_working_days_on_the_holiday_calendar(con, org):
    """National Day 2026: 10-01..07 off, Saturday 10-10 worked (the seeded calendar)."""
    working(con, org)
    record_id = meeting(con, org, D(2026, 9, 30))
    assert duties.get(con, record_id, D(2026, 9, 30))["due_on"] == D(2026, 10, 11)  # 10-08, 09, 10 (Sat): Sunday too
    assert duties.get(con, record_id, D(2026, 10, 11))["status"] == "pending"  # Sunday: still 3 working days
    late = duties.get(con, record_id, D(2026, 10, 12))
    assert late["status"] == "overdue" and late["days_overdue"] == 1 and late["status_label"] == "逾期未发布"
    assert [r["id"] for r in duties.overdue(con, D(2026, 10, 14))] == [record_id]
    assert duties.overdue(con, D(2026, 10, 14))[0]["days_overdue"] == 3
    assert duties.overdue(con, D(2026, 10, 9)) == []
    # calendar days: 09-30 + 3 = 10-03
    settings.set_values(con, org.webmaster, {"publish_lag_mode": "calendar"})
    assert duties.get(con, record_id, D(2026, 10, 4))["days_overdue"] == 1


def test_cancel_and_edit_are_audited_and_only_from_expected(con, org):
    record_id = meeting(con, org, D(2026, 6, 1))
    duties.edit(con, org.webmaster, record_id, version(con, record_id), division_id=org.cw, kind="document",
                subject="关于财政资金管理的通知", happened_on=D(2026, 6, 2))
    found = duties.get(con, record_id)
    assert (found["division_id"], found["kind_label"], found["happened_on"]) == (org.cw, "文件印发", D(2026, 6, 2))
    with pytest.raises(ValidationError, match="取消理由"):
        duties.cancel(con, org.webmaster, record_id, version(con, record_id), " ")
    duties.cancel(con, org.webmaster, record_id, version(con, record_id), "文件暂缓印发")
    found = duties.get(con, record_id, D(2026, 12, 1))
    assert found["status_label"] == "已取消" and found["cancel_reason"] == "文件暂缓印发" and not found["candidate"]
    assert duties.overdue(con, D(2026, 12, 1)) == [] and todo.todo_items(con, org.officer_cw)["duties"] == 0
    with pytest.raises(InvalidTransition, match="已取消"):
        duties.cancel(con, org.webmaster, record_id, version(con, record_id), "再次")
    actions = [r["action"] for r in rows(con, "SELECT action FROM audit_log WHERE object = ? ORDER BY id",
                                         [f"duty:{record_id}"])]
    assert actions == ["duties.create", "duties.edit", "duties.cancel"]


def test_overdue_becomes_a_criticism_of_ground_four_in_the_evaluation(con, org):
    record_id = meeting(con, org, D(2026, 6, 1))
    with pytest.raises(ValidationError, match="未逾期"):
        duties.criticise(con, org.webmaster, record_id, version(con, record_id), today=D(2026, 6, 3))
    with pytest.raises(PermissionDenied):
        duties.criticise(con, org.officer, record_id, version(con, record_id), today=D(2026, 6, 20))
    criticism = duties.criticise(con, org.webmaster, record_id, version(con, record_id), today=D(2026, 6, 20))
    found = [c for c in evaluation.criticisms(con, 2026) if c["id"] == criticism][0]
    assert found["ground"] == 4 and found["division_id"] == org.dz and found["ground_label"].startswith("(四)")
    assert "全省信息化工作会议" in found["evidence"] and "2026-06-04 前发布" in found["evidence"]
    assert "超出期限 16 天" in found["evidence"] and f"#{record_id}" in found["evidence"]
    assert org.dz in evaluation.exclusions(con, 2026)["divisions"]  # no award this year (第二十七条)
    after = duties.get(con, record_id, D(2026, 6, 20))
    assert after["criticised"] and not after["candidate"] and after["status"] == "overdue"
    with pytest.raises(ValidationError, match="已列为通报批评"):
        duties.criticise(con, org.webmaster, record_id, version(con, record_id), today=D(2026, 6, 20))
    evaluation.revoke_criticism(con, org.webmaster, criticism, "核实后会议报道已由办公室发布")
    assert duties.get(con, record_id, D(2026, 6, 20))["candidate"]  # a candidate again


def test_the_scheduler_tells_the_division_once_when_overdue(con, org):
    record_id = meeting(con, org, dt.date.today() - dt.timedelta(days=30))
    meeting(con, org, dt.date.today(), subject="今天的会议")  # not overdue yet
    scheduler.tick(con)
    mails = rows(con, "SELECT user_id, subject FROM outbox WHERE kind = 'duties.overdue'")
    assert {m["user_id"] for m in mails} == {org.officer.id, org.head.id}
    assert all("全省信息化工作会议" in m["subject"] for m in mails)
    assert duties.remind_overdue(con) == 0  # once per record
    assert scalar(con, "SELECT count(*) FROM outbox WHERE dedup_key LIKE ?", [f"duty:{record_id}:overdue:%"]) == 2
