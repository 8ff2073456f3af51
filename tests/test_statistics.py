"""统计分析 (第十七、十九、二十五条): core.stats.report / items / overdue_messages on hand-made data."""

from __future__ import annotations

import datetime as dt

import pytest

from core import settings, stats, workflow
from core.db import scalar
from core.errors import PermissionDenied, ValidationError

BODY = "<p>省工信厅召开电子信息产业推进会。</p>"
TODAY = dt.date.today()
THIS_MONTH = stats.month_period(TODAY.year, TODAY.month)


def approve_all(con, approver, article):
    """Approve, acknowledging whatever warnings screening gives (e.g. a late work-end date)."""
    acks = [workflow.finding_key(f) for f in workflow.screen_article(con, article) if not f.blocking]
    return workflow.approve(con, approver, article.id, article.version, list(workflow.CHECKLIST), acknowledged=acks)


def published(con, org, title="电子信息产业推进会召开", *, column=None, officer=None, head=None, ended=TODAY,
              returned=False):
    officer, head = officer or org.officer, head or org.head
    article = workflow.create_article(con, officer, column or org.col_dz, title, BODY, "电子信息处", ended, "一般")
    article = workflow.submit(con, officer, article.id, article.version)
    if returned:
        article = workflow.return_article(con, head, article.id, article.version, "请核对会议时间")
        article = workflow.submit(con, officer, article.id, article.version)
    article = approve_all(con, head, article)
    return workflow.publish(con, officer, article.id, article.version)


def correct(con, org, article):
    article = workflow.save_article(con, org.officer, article.id, article.version, title=article.title,
                                    body_html=BODY + "<p>更正:会议时间为上午九时。</p>", source="电子信息处",
                                    work_ended_on=article.work_ended_on, importance="一般")
    article = approve_all(con, org.head, article)
    return workflow.publish(con, org.officer, article.id, article.version)


@pytest.fixture
def scene(con, org):
    """电子信息处: three items (one late, one returned once, one corrected, one taken down after a notice
    in a news column gave a format finding); 财务处: one item on time."""
    on_time = published(con, org, "电子信息产业推进会召开")
    late = published(con, org, "集成电路产业调研座谈会召开", ended=TODAY - dt.timedelta(days=20))
    returned = published(con, org, "关于开展2026年度企业技术改造项目申报的通知", returned=True)
    correct(con, org, on_time)
    workflow.take_down(con, org.webmaster, returned.id, workflow.get_article(con, returned.id).version, "数据有误")
    published(con, org, "财政资金公示", column=org.col_cw, officer=org.officer_cw, head=org.head_cw)
    return {"on_time": on_time.id, "late": late.id, "returned": returned.id}


def by_name(report):
    return {r["name"]: r for r in report["rows"]}


# ---------------------------------------------------------------- periods

@pytest.mark.parametrize("text, start, end, label", [
    ("2026-10", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "2026年10月"),
    ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28), "2026年2月"),
    ("2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026年第三季度"),
    ("2026q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026年第四季度"),
    ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026年"),
    ("2026-10-01..2026-10-15", dt.date(2026, 10, 1), dt.date(2026, 10, 15), "2026-10-01 至 2026-10-15"),
])
def test_periods_parse(text, start, end, label):
    period = stats.parse_period(text)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert stats.parse_period(period.code) == period


@pytest.mark.parametrize("text", ["2026-13", "2026Q5", "十月", "", "2026-10-15..2026-10-01"])
def test_bad_periods_are_refused_in_chinese(text):
    with pytest.raises(ValidationError, match="统计期间"):
        stats.parse_period(text)


# ---------------------------------------------------------------- the report

def test_empty_database_reports_zeros_and_no_shares(con, org):
    report = stats.report(con, org.webmaster, THIS_MONTH)
    assert [r["name"] for r in report["rows"]] == ["电子信息处", "财务处", "办公室"]
    for row in report["rows"]:
        assert row["published"] == row["messages"] == row["overdue"] == 0
        assert row["on_time_share"] is None and row["returned_share"] is None
        assert row["median_response_days"] is None
    assert report["totals"]["published"] == 0


def test_report_by_division(con, org, scene):
    report = stats.report(con, org.webmaster, THIS_MONTH)
    dz, cw = by_name(report)["电子信息处"], by_name(report)["财务处"]
    assert dz["published"] == 3 and cw["published"] == 1
    # timeliness is core.timeliness's: one item ended 20 days before publication
    assert (dz["measured"], dz["on_time"], dz["late"]) == (3, 2, 1)
    assert dz["on_time_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert cw["on_time_share"] == 1.0
    # four decisions on three items of 电子信息处 (plus the correction's approval), one item returned
    assert dz["returned"] == 1 and dz["returns"] == 1 and dz["reviewed"] == 3
    assert dz["returned_share"] == pytest.approx(1 / 3, abs=1e-4)
    assert dz["corrections"] == 1 and dz["taken_down"] == 1
    assert dz["format_findings"] >= 1 and dz["findings"] >= dz["format_findings"]
    assert (cw["returned"], cw["corrections"], cw["taken_down"], cw["format_findings"]) == (0, 0, 0, 0)
    totals = report["totals"]
    assert totals["published"] == 4 and totals["on_time"] == 3 and totals["on_time_share"] == 0.75


def test_report_by_column(con, org, scene):
    report = stats.report(con, org.webmaster, THIS_MONTH, by="column")
    rows = by_name(report)
    assert rows["工作动态"]["published"] == 3 and rows["工作动态"]["division"] == "电子信息处"
    assert rows["工作动态"]["late"] == 1 and rows["财政资金"]["published"] == 1
    assert "messages" not in rows["工作动态"]  # the interaction desk answers by division


def test_another_period_sees_nothing(con, org, scene):
    last_year = stats.year_period(TODAY.year - 1)
    assert stats.report(con, org.webmaster, last_year)["totals"]["published"] == 0
    assert stats.report(con, org.webmaster, last_year)["totals"]["taken_down"] == 0


def test_a_correction_is_not_a_second_publication(con, org, scene):
    assert scalar(con, "SELECT count(*) FROM workflow_events WHERE action = 'publish'") == 5
    assert stats.report(con, org.webmaster, THIS_MONTH)["totals"]["published"] == 4


def test_the_offices_time_limit_changes_the_timeliness_figures(con, org):
    published(con, org, ended=TODAY - dt.timedelta(days=2))
    assert by_name(stats.report(con, org.webmaster, THIS_MONTH))["电子信息处"]["on_time"] == 1
    settings.set_values(con, org.webmaster, {"publish_lag_mode": "calendar", "publish_lag_days": 1})
    dz = by_name(stats.report(con, org.webmaster, THIS_MONTH))["电子信息处"]
    assert (dz["measured"], dz["on_time"]) == (1, 0)


# ---------------------------------------------------------------- drill-down

@pytest.mark.parametrize("measure", ["published", "on_time", "late", "returned", "findings", "format_findings",
                                     "corrections", "taken_down"])
def test_every_article_figure_opens_to_its_items(con, org, scene, measure):
    report = by_name(stats.report(con, org.webmaster, THIS_MONTH))
    for name in ("电子信息处", "财务处"):
        row = report[name]
        listed = stats.items(con, org.webmaster, measure, THIS_MONTH, division_id=row["id"])
        assert len(listed) == row[measure], (name, measure)


def test_drill_down_names_the_items(con, org, scene):
    late = stats.items(con, org.webmaster, "late", THIS_MONTH, division_id=org.dz)
    assert [r["id"] for r in late] == [scene["late"]] and late[0]["lag_days"] == 20
    returned = stats.items(con, org.webmaster, "returned", THIS_MONTH, division_id=org.dz)
    assert returned[0]["article_id"] == scene["returned"] and returned[0]["comment"] == "请核对会议时间"
    down = stats.items(con, org.webmaster, "taken_down", THIS_MONTH, column_id=org.col_dz)
    assert down[0]["comment"] == "数据有误" and down[0]["state"] == "taken_down"
    fixes = stats.items(con, org.webmaster, "corrections", THIS_MONTH)
    assert [r["article_id"] for r in fixes] == [scene["on_time"]] and fixes[0]["revision"] == 2
    found = stats.items(con, org.webmaster, "format_findings", THIS_MONTH, division_id=org.dz)
    assert found[0]["rule"] == "format.column_kind" and "第十五条" in found[0]["rule_label"]


def test_unknown_measure_is_refused(con, org):
    with pytest.raises(ValidationError, match="统计指标"):
        stats.items(con, org.webmaster, "likes", THIS_MONTH)


# ---------------------------------------------------------------- messages (第十九条)

OCT = stats.month_period(2025, 10)  # National Day: 1–8 October 2025 off, 28 Sep and 11 Oct worked


def message(con, code, division, *, received, due, answered=None, state="routed", kind="consult"):
    con.execute(
        "INSERT INTO messages (code, kind, division_id, subject, body, name, state, received_at, routed_at, due_on, "
        "answered_at) VALUES (?, ?, ?, ?, '内容', '张三', ?, ?, ?, ?, ?)",
        [code, kind, division, f"留言 {code}", state, received, received, due, answered])


@pytest.fixture
def inbox(con, org):
    at = dt.datetime
    # routed 30 Sep (Tue), answered 10 Oct (Fri): working days after 30 Sep up to 10 Oct = 9, 10 → 2
    message(con, "A1", org.dz, received=at(2025, 9, 30, 9), due=dt.date(2025, 10, 14),
            answered=at(2025, 10, 10, 16), state="approved")
    # answered after its due date
    message(con, "A2", org.dz, received=at(2025, 10, 9, 9), due=dt.date(2025, 10, 16),
            answered=at(2025, 10, 20, 10), state="published")
    # still open and past due
    message(con, "A3", org.dz, received=at(2025, 10, 9, 10), due=dt.date(2025, 10, 17))
    # open, due next month: not overdue in October
    message(con, "A4", org.cw, received=at(2025, 10, 28, 10), due=dt.date(2025, 11, 4))
    # rejected by the webmaster: not the division's
    message(con, "A5", org.cw, received=at(2025, 10, 10, 10), due=dt.date(2025, 10, 17), state="rejected")


def test_messages_by_division(con, org, inbox):
    report = by_name(stats.report(con, org.webmaster, OCT, today=dt.date(2025, 11, 30)))
    dz, cw = report["电子信息处"], report["财务处"]
    assert (dz["messages"], dz["answered"], dz["answered_on_time"], dz["overdue"]) == (2, 2, 1, 2)
    # A1: 2 working days (the holiday does not count); A2: 9 Oct → 20 Oct = 10,11(Sat, worked),13..17,20 = 8
    assert dz["median_response_days"] == 5.0
    assert (cw["messages"], cw["answered"], cw["overdue"]) == (1, 0, 0)
    assert report["财务处"]["median_response_days"] is None


def test_message_drill_down_and_overdue_list(con, org, inbox):
    answered = stats.items(con, org.webmaster, "answered", OCT, division_id=org.dz)
    assert {r["code"]: r["response_days"] for r in answered} == {"A1": 2, "A2": 8}
    assert {r["code"]: r["on_time"] for r in answered} == {"A1": True, "A2": False}
    overdue = stats.overdue_messages(con, OCT, today=dt.date(2025, 10, 21))
    assert [(m["code"], m["still_open"]) for m in overdue] == [("A2", False), ("A3", True)]
    assert overdue[0]["days_late"] == 2 and overdue[1]["days_late"] == 2  # 16→20 Oct; 17→21 Oct
    assert stats.items(con, org.webmaster, "messages", OCT, column_id=org.col_dz) == []
    # before the due date has passed an open message is not yet overdue
    assert [m["code"] for m in stats.overdue_messages(con, OCT, today=dt.date(2025, 10, 17))] == ["A2"]


# ---------------------------------------------------------------- who may read (第二十五条)

@pytest.mark.parametrize("reader", ["webmaster", "leader", "group1", "analyst"])
def test_office_leaders_and_analysts_see_every_division(con, org, reader):
    names = [r["name"] for r in stats.report(con, getattr(org, reader), THIS_MONTH)["rows"]]
    assert names == ["电子信息处", "财务处", "办公室"]


def test_a_head_sees_only_their_division(con, org, scene):
    report = stats.report(con, org.head, THIS_MONTH)
    assert [r["name"] for r in report["rows"]] == ["电子信息处"]
    assert report["totals"]["published"] == 3
    assert len(stats.items(con, org.head, "published", THIS_MONTH)) == 3  # defaults to the head's own division
    with pytest.raises(PermissionDenied, match="第二十五条"):
        stats.items(con, org.head, "published", THIS_MONTH, division_id=org.cw)
    with pytest.raises(PermissionDenied, match="第二十五条"):
        stats.items(con, org.head, "published", THIS_MONTH, column_id=org.col_cw)
    assert all(m["division_id"] == org.dz for m in stats.monthly(con, org.head, THIS_MONTH))


@pytest.mark.parametrize("reader", ["officer", "tech"])
def test_officers_and_technical_support_may_not(con, org, reader):
    with pytest.raises(PermissionDenied, match="第二十五条"):
        stats.report(con, getattr(org, reader), THIS_MONTH)


def test_reading_statistics_writes_nothing(con, org, scene, inbox):
    before = scalar(con, "SELECT count(*) FROM audit_log")
    stats.report(con, org.webmaster, THIS_MONTH), stats.report(con, org.webmaster, OCT, by="column")
    stats.items(con, org.webmaster, "answered", OCT), stats.overdue_messages(con, OCT)
    stats.monthly(con, org.webmaster, THIS_MONTH)
    assert scalar(con, "SELECT count(*) FROM audit_log") == before


def test_monthly_trend(con, org, scene):
    found = stats.monthly(con, org.webmaster, THIS_MONTH)
    assert {(m["division"], m["published"]) for m in found} == {("电子信息处", 3), ("财务处", 1)}
    assert all(m["month"] == f"{TODAY:%Y-%m}" for m in found)
