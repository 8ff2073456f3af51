"""Column updates (第二十七条(五)): statuses by the office's intervals, the national veto counts,
daily reminders to the division (officers and head, in-app and e-mail) and their count, and the
criticism candidate after N reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from core import freshness, scheduler, settings, todo
from core.db import rows, scalar
from core.errors import PermissionDenied, ValidationError
from tests.test_timeliness import published

D = dt.date
TODAY = D(2026, 6, 15)
LONG_AGO = D(2025, 1, 1)


def column(con, org, slug, kind="news", division=None, parent=None, retired=False, created=LONG_AGO):
    return con.execute(
        "INSERT INTO columns (slug, name, kind, division_id, parent_id, retired, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [slug, f"栏目{slug}", kind, division or org.dz, parent, retired, dt.datetime.combine(created, dt.time())],
    ).fetchone()[0]


def age(con, *column_ids, created=LONG_AGO):
    for column_id in column_ids:
        con.execute("UPDATE columns SET created_at = ? WHERE id = ?", [dt.datetime.combine(created, dt.time()), column_id])


def status(con, column_id, as_of=TODAY):
    return next(c for c in freshness.board(con, as_of) if c["id"] == column_id)


def test_statuses_by_kind_interval(con, org):
    """news: 14 days, due soon within 3; openinfo: 182 days; nothing published: blank."""
    published(con, org, None, TODAY - dt.timedelta(days=10))
    assert status(con, org.col_dz)["status"] == "fresh" and status(con, org.col_dz)["days_left"] == 4
    assert status(con, org.col_dz, TODAY + dt.timedelta(days=2))["status"] == "due_soon"
    stale = status(con, org.col_dz, TODAY + dt.timedelta(days=5))
    assert stale["status"] == "stale" and stale["days_since"] == 15 and stale["status_label"] == "超期未更新"
    assert status(con, org.col_cw)["status"] == "blank" and status(con, org.col_cw)["last_published_on"] is None
    published(con, org, None, TODAY - dt.timedelta(days=100), column=org.col_cw, division=org.cw)
    assert status(con, org.col_cw)["status"] == "fresh" and status(con, org.col_cw)["interval_days"] == 182


def test_the_office_edits_intervals_and_column_rules(con, org):
    published(con, org, None, TODAY - dt.timedelta(days=20))
    assert status(con, org.col_dz)["status"] == "stale"
    freshness.set_interval(con, org.webmaster, "news", 30)
    assert status(con, org.col_dz)["status"] == "fresh"
    freshness.set_column_rule(con, org.webmaster, org.col_dz, 10)
    assert status(con, org.col_dz)["status"] == "stale" and status(con, org.col_dz)["interval_days"] == 10
    freshness.set_column_rule(con, org.webmaster, org.col_dz, None, exempt=True, note="专题活动已结束")
    assert org.col_dz not in {c["id"] for c in freshness.board(con, TODAY)}
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action LIKE 'freshness.%'") == 3
    with pytest.raises(ValidationError, match="更新期限"):
        freshness.set_interval(con, org.webmaster, "news", "两周")
    with pytest.raises(ValidationError, match="说明"):
        freshness.set_column_rule(con, org.webmaster, org.col_dz, None, exempt=True)
    with pytest.raises(PermissionDenied):
        freshness.set_interval(con, org.officer, "news", 7)


def test_excluded_columns_and_subtrees(con, org):
    """Retired columns (and their children) are not monitored — interaction columns are, since issue 17
    (an empty one is blank like any other); a parent column is updated when a sub-column is; a
    taken-down item does not count."""
    hd = column(con, org, "hdjl", "interaction")
    old = column(con, org, "old", "news", retired=True)
    under_old = column(con, org, "underold", "news", parent=old)
    parent = column(con, org, "parent", "news")
    child = column(con, org, "child", "news", parent=parent)
    ids = {c["id"] for c in freshness.board(con, TODAY)}
    assert old not in ids and under_old not in ids and {hd, parent, child} <= ids
    assert status(con, hd)["status"] == "blank"
    published(con, org, None, TODAY - dt.timedelta(days=1), column=child)
    assert status(con, parent)["status"] == "fresh" and status(con, parent)["last_published_on"] == TODAY - dt.timedelta(days=1)
    hidden = published(con, org, None, TODAY, column=org.col_dz)
    con.execute("UPDATE articles SET public = FALSE, state = 'taken_down' WHERE id = ?", [hidden])
    assert status(con, org.col_dz)["status"] == "blank"


def test_national_veto_counts(con, org):
    summary = freshness.site_summary(con, TODAY)
    assert summary["counts"]["blank"] == 2 and not summary["veto_blank"]
    assert summary["veto_home"] and summary["veto"]  # nothing ever published: the home page is stale
    stale_ids = [column(con, org, f"s{i}") for i in range(5)]
    for column_id in stale_ids:
        published(con, org, None, TODAY - dt.timedelta(days=30), column=column_id)
    for i in range(3):
        column(con, org, f"b{i}", "notice")
    summary = freshness.site_summary(con, TODAY)
    assert summary["counts"]["stale"] == 5 and summary["veto_stale"]
    assert summary["counts"]["blank"] == 5 and summary["veto_blank"]
    assert summary["home"]["days_since"] == 30 and summary["veto_home"]
    assert len(summary["veto_reasons"]) == 3
    published(con, org, None, TODAY - dt.timedelta(days=2), column=stale_ids[0])
    summary = freshness.site_summary(con, TODAY)
    assert not summary["veto_home"] and not summary["veto_stale"] and summary["counts"]["stale"] == 4
    settings.set_values(con, org.webmaster, {"freshness_veto_stale": 4})
    assert freshness.site_summary(con, TODAY)["veto_stale"]


def mails(con):
    return rows(con, "SELECT user_id, recipient, subject, body FROM outbox WHERE kind = 'freshness.stale' ORDER BY id")


def test_reminders_go_to_officers_and_head_once_a_day(con, org):
    published(con, org, None, TODAY - dt.timedelta(days=20))       # col_dz (电子信息处): stale
    published(con, org, None, TODAY - dt.timedelta(days=20), column=org.col_cw, division=org.cw)  # fresh (182)
    first = freshness.send_reminders(con, TODAY)
    assert [r["column_id"] for r in first["reminded"]] == [org.col_dz]
    sent = mails(con)
    assert {m["user_id"] for m in sent} == {org.officer.id, org.head.id}
    assert all(m["recipient"].endswith("@sxit.gov.cn") for m in sent)
    assert "第 1 次提醒" in sent[0]["body"] and "第二十七条" in sent[0]["body"]
    again = freshness.send_reminders(con, TODAY)
    assert again["reminded"] == [] and len(mails(con)) == 2
    assert status(con, org.col_dz)["reminders"] == 1
    assert todo.todo_items(con, org.officer)["stale_columns"] == 1
    assert todo.todo_items(con, org.head)["stale_columns"] == 1
    assert todo.todo_items(con, org.officer_cw)["stale_columns"] == 0
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'freshness.remind' AND actor = 'system'") == 1


def test_the_to_do_count_follows_publication_in_the_column_or_under_it(con, org):
    """The sidebar's count (asked on every run, today): a reminded column counts until it, or a
    column under it, publishes again."""
    today = dt.date.today()
    sub = column(con, org, "zlm", parent=org.col_dz)  # blank for long: reminded too
    published(con, org, None, today - dt.timedelta(days=20))
    assert [r["column_id"] for r in freshness.send_reminders(con, today)["reminded"]] == [org.col_dz, sub]

    def count() -> int:
        return todo.todo_items(con, org.officer)["stale_columns"]

    assert count() == 2 and freshness.stale_count(con, org.dz) == 2
    published(con, org, None, today)  # the column itself: the blank column under it still counts
    assert count() == 1
    published(con, org, None, today - dt.timedelta(days=20), column=sub)  # before the reminder: still stale
    assert count() == 1
    published(con, org, None, today, column=sub)
    assert count() == 0
    assert freshness.stale_count(con, org.cw) == 0 and freshness.stale_count(con, None) == 0


def test_reminder_interval_count_candidate_and_reset(con, org):
    published(con, org, None, TODAY - dt.timedelta(days=20))
    for offset in (0, 3):  # the second is within the 7-day interval: nothing
        freshness.send_reminders(con, TODAY + dt.timedelta(days=offset))
    assert status(con, org.col_dz, TODAY + dt.timedelta(days=3))["reminders"] == 1
    freshness.send_reminders(con, TODAY + dt.timedelta(days=7))
    later = TODAY + dt.timedelta(days=7)
    assert status(con, org.col_dz, later)["reminders"] == 2 and not status(con, org.col_dz, later)["candidate"]
    freshness.send_reminders(con, TODAY + dt.timedelta(days=14))
    later = TODAY + dt.timedelta(days=14)
    entry = status(con, org.col_dz, later)
    assert entry["reminders"] == 3 and entry["candidate"]
    assert [c["id"] for c in freshness.criticism_candidates(con, later)] == [org.col_dz]
    assert "已列为通报批评候选" in mails(con)[-1]["body"]
    # publishing in the column resets the count; the history stays
    published(con, org, None, later)
    entry = status(con, org.col_dz, later)
    assert entry["status"] == "fresh" and entry["reminders"] == 0 and not entry["candidate"]
    assert len(freshness.reminders(con, org.col_dz)) == 3


def test_the_candidate_threshold_is_a_setting(con, org):
    published(con, org, None, TODAY - dt.timedelta(days=20))
    freshness.send_reminders(con, TODAY)
    assert not status(con, org.col_dz)["candidate"]
    settings.set_values(con, org.webmaster, {"stale_reminders_before_criticism": 1})
    assert status(con, org.col_dz)["candidate"]


def test_blank_columns_get_time_before_reminders(con, org):
    age(con, org.col_dz, created=TODAY - dt.timedelta(days=5))
    age(con, org.col_cw, created=TODAY - dt.timedelta(days=400))
    result = freshness.send_reminders(con, TODAY)
    assert [r["column_id"] for r in result["reminded"]] == [org.col_cw]  # 5 days < 14: not yet
    assert {m["user_id"] for m in mails(con)} == {org.officer_cw.id, org.head_cw.id}


def test_the_scheduler_runs_the_reminders_once_a_day(con, org, tmp_path):
    published(con, org, None, TODAY - dt.timedelta(days=20))
    now = dt.datetime.combine(TODAY, dt.time(9, 0))
    first = scheduler.tick(con, None, now)
    assert first["stale_reminded"] == 1
    assert scheduler.tick(con, None, now + dt.timedelta(hours=3))["stale_reminded"] is None
    assert scalar(con, "SELECT count(*) FROM freshness_reminders") == 1
    nxt = scheduler.tick(con, None, now + dt.timedelta(days=1))
    assert nxt["stale_reminded"] == 0  # ran, nothing due within the 7-day interval


def test_who_sees_which_board(con, org):
    published(con, org, None, TODAY - dt.timedelta(days=20))
    assert {c["division_id"] for c in freshness.view_board(con, org.officer, TODAY, org.dz)} == {org.dz}
    assert freshness.view_board(con, org.head, TODAY, org.dz)
    assert freshness.view_board(con, org.leader, TODAY, org.dz)
    assert {c["division_id"] for c in freshness.view_board(con, org.webmaster, TODAY)} == {org.dz, org.cw}
    for user, division in ((org.officer, org.cw), (org.officer, None), (org.head_cw, org.dz), (org.tech, None),
                           (org.leader_other, org.dz)):
        with pytest.raises(PermissionDenied, match="第二十五条"):
            freshness.view_board(con, user, TODAY, division)
