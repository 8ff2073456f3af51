"""The overview's read-only summaries (core/stats.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import requests, stats, workflow
from core.db import scalar
from core.errors import PermissionDenied

BODY = "<p>省工信厅召开电子信息产业推进会。</p>"


def published(con, org, title="电子信息产业推进会召开", column=None, officer=None, head=None):
    officer = officer or org.officer
    head = head or org.head
    article = workflow.create_article(con, officer, column or org.col_dz, title, BODY, "电子信息处",
                                      dt.date.today(), "一般")
    article = workflow.submit(con, officer, article.id, article.version)
    article = workflow.approve(con, head, article.id, article.version, list(workflow.CHECKLIST))
    return workflow.publish(con, officer, article.id, article.version)


def file_request(con, org, content="请在工作动态栏目发布会议消息。"):
    return requests.create_request(con, org.officer, division_id=org.dz, requested_on=dt.date.today(),
                                   content=content, source="电子信息处", form="网站文章", requirements="尽快发布")


def test_empty_database_counts_zero_in_every_state(con, org):
    result = stats.by_state(con)
    assert [r["state"] for r in result] == list(workflow.STATE_LABELS)
    assert all(r["count"] == 0 for r in result)
    assert result[0]["label"] == "草稿"


def test_counts_by_state_division_and_column(con, org):
    live = published(con, org)
    workflow.create_article(con, org.officer, org.col_dz, "草稿一篇", BODY, "电子信息处", None, "一般")
    published(con, org, "财政资金公示", org.col_cw, org.officer_cw, org.head_cw)
    workflow.take_down(con, org.webmaster, live.id, live.version, "数据有误")
    file_request(con, org)

    states = {r["state"]: r["count"] for r in stats.by_state(con)}
    assert states["published"] == 1 and states["taken_down"] == 1 and states["draft"] == 1

    divisions = {r["division"]: r for r in stats.by_division(con)}
    dz = divisions["电子信息处"]
    assert (dz["total"], dz["online"], dz["drafts"], dz["taken_down"], dz["open_requests"]) == (2, 0, 1, 1, 1)
    assert (divisions["财务处"]["total"], divisions["财务处"]["online"]) == (1, 1)
    assert divisions["办公室"]["total"] == 0 and divisions["办公室"]["open_requests"] == 0

    by_column = {r["column"]: r for r in stats.by_column(con)}
    assert by_column["工作动态"]["total"] == 2 and by_column["工作动态"]["division"] == "电子信息处"
    assert by_column["财政资金"]["online"] == 1 and by_column["财政资金"]["last_published"] is not None


def test_published_per_month_has_twelve_months_with_zeros(con, org):
    published(con, org)
    today = dt.date.today()
    result = stats.published_per_month(con, today=today)
    assert len(result) == 12
    assert result[-1] == {"month": f"{today:%Y-%m}", "count": 1}
    assert sum(r["count"] for r in result) == 1
    assert [r["month"] for r in result] == sorted(r["month"] for r in result)


def test_published_per_month_counts_first_publication_only_and_window(con, org):
    article = published(con, org)
    # a correction goes back through approval and online again: still one publication
    article = workflow.save_article(con, org.officer, article.id, article.version, title=article.title,
                                    body_html=BODY + "<p>更正。</p>", source="电子信息处",
                                    work_ended_on=None, importance="一般")
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    workflow.publish(con, org.officer, article.id, article.version)
    assert scalar(con, "SELECT count(*) FROM workflow_events WHERE action = 'publish'") == 2
    assert sum(r["count"] for r in stats.published_per_month(con)) == 1
    # a year later the publication has left the window
    later = stats.published_per_month(con, today=dt.date.today() + dt.timedelta(days=400))
    assert sum(r["count"] for r in later) == 0


def test_month_window_crosses_the_year():
    assert stats._month_start(dt.date(2026, 2, 15), 11) == dt.date(2025, 3, 1)
    assert stats._month_start(dt.date(2026, 12, 31), -1) == dt.date(2027, 1, 1)


def test_recent_events_newest_first_with_labels(con, org):
    article = published(con, org)
    workflow.take_down(con, org.webmaster, article.id, article.version, "数据有误")
    events = stats.recent_events(con, org.analyst, limit=2)
    assert len(events) == 2
    assert events[0]["action"] == "take_down" and events[0]["action_label"] == "撤下"
    assert events[0]["to_label"] == "已撤下" and events[0]["comment"] == "数据有误"
    assert events[0]["title"] == article.title and events[0]["division"] == "电子信息处"
    assert events[1]["action_label"] == "发布"


@pytest.mark.parametrize("reader", ["tech", "analyst", "webmaster", "leader", "group1"])
def test_overview_readers_may_list_events(con, org, reader):
    stats.recent_events(con, getattr(org, reader))


@pytest.mark.parametrize("reader", ["officer", "head"])
def test_division_staff_may_not_list_events(con, org, reader):
    with pytest.raises(PermissionDenied, match="第二十四条"):
        stats.recent_events(con, getattr(org, reader))


def test_audit_log_is_for_technical_support_only(con, org):
    file_request(con, org)
    rows = stats.recent_audit(con, org.tech, limit=5)
    assert rows and rows[0]["action"] == "requests.create" and rows[0]["actor"] == "officer"
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    for other in (org.analyst, org.webmaster, org.officer):
        with pytest.raises(PermissionDenied, match="第二十条"):
            stats.recent_audit(con, other)


def test_summaries_write_nothing(con, org):
    published(con, org)
    before = scalar(con, "SELECT count(*) FROM audit_log")
    stats.by_state(con), stats.by_division(con), stats.by_column(con), stats.published_per_month(con)
    stats.recent_events(con, org.tech), stats.recent_audit(con, org.tech)
    assert scalar(con, "SELECT count(*) FROM audit_log") == before
