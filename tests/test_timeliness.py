"""Publication lag (第十七条): calendar or working days, holidays and adjusted workdays, on time
within the office's limit, computed in SQL and equal to the calendar's own count."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from core import settings, timeliness, workdays
from core.errors import ValidationError

D = dt.date


def published(con, org, work_ended_on, published_on, *, column=None, division=None, title="信息"):
    """An item that went online on `published_on` (test data written directly)."""
    return con.execute(
        "INSERT INTO articles (column_id, lead_division_id, title, work_ended_on, state, author_id, published_at, "
        "public, live_revision) VALUES (?, ?, ?, ?, 'published', ?, ?, TRUE, 1) RETURNING id",
        [column or org.col_dz, division or org.dz, title, work_ended_on, org.officer.id,
         dt.datetime.combine(published_on, dt.time(10, 0))]).fetchone()[0]


def working(con, org):
    settings.set_values(con, org.webmaster, {"publish_lag_mode": "working"})


def lags(con, start, end, **kw):
    return {r["id"]: r for r in timeliness.article_lags(con, start, end, **kw)}


def test_national_day_2026_in_working_days(con, org):
    """2026: 10-01..07 off, Sunday 09-20 and Saturday 10-10 worked (seeded calendar)."""
    working(con, org)
    across = published(con, org, D(2026, 9, 30), D(2026, 10, 9))      # 10-08, 10-09 → 2
    saturday = published(con, org, D(2026, 10, 9), D(2026, 10, 14))   # 10-10 (Sat), 12, 13, 14 → 4
    in_time = published(con, org, D(2026, 10, 9), D(2026, 10, 13))    # 10-10, 12, 13 → 3
    sunday = published(con, org, D(2026, 9, 18), D(2026, 9, 22))      # 09-20 (Sun), 21, 22 → 3
    found = lags(con, D(2026, 9, 1), D(2026, 10, 31))
    assert found[across]["lag_days"] == 2 and found[across]["on_time"] is True
    assert found[saturday]["lag_days"] == 4 and found[saturday]["on_time"] is False
    assert found[in_time]["lag_days"] == 3 and found[in_time]["on_time"] is True
    assert found[sunday]["lag_days"] == 3  # weekends only would give 2


def test_the_same_items_in_calendar_days(con, org):
    across = published(con, org, D(2026, 9, 30), D(2026, 10, 9))
    sunday = published(con, org, D(2026, 9, 18), D(2026, 9, 22))
    found = lags(con, D(2026, 9, 1), D(2026, 10, 31))
    assert timeliness.mode(con) == "calendar"
    assert found[across]["lag_days"] == 9 and found[across]["on_time"] is False
    assert found[sunday]["lag_days"] == 4 and found[sunday]["on_time"] is False
    working(con, org)
    found = lags(con, D(2026, 9, 1), D(2026, 10, 31))
    assert found[across]["on_time"] is True and found[sunday]["on_time"] is True


def test_the_limit_is_the_office_setting(con, org):
    item = published(con, org, D(2026, 3, 2), D(2026, 3, 6))  # Monday → Friday: 4 days either way
    assert lags(con, D(2026, 3, 1), D(2026, 3, 31))[item]["on_time"] is False
    settings.set_values(con, org.webmaster, {"publish_lag_days": 4})
    assert lags(con, D(2026, 3, 1), D(2026, 3, 31))[item]["on_time"] is True
    assert "4 天" in timeliness.rule_text(con)
    working(con, org)
    assert "4 个工作日" in timeliness.rule_text(con)


def test_a_made_up_2027_calendar_and_its_warning(con, org):
    """2027 is not in the seed: weekends only until the office enters and confirms the year."""
    working(con, org)
    item = published(con, org, D(2027, 4, 30), D(2027, 5, 7))  # Friday → next Friday
    assert lags(con, D(2027, 5, 1), D(2027, 5, 31))[item]["lag_days"] == 5
    warning = timeliness.calendar_warning(con, D(2027, 1, 1), D(2027, 12, 31))
    assert warning and "2027 年" in warning
    for day in range(1, 6):
        workdays.set_day(con, org.webmaster, D(2027, 5, day), "holiday", "劳动节")
    workdays.set_day(con, org.webmaster, D(2027, 5, 8), "workday", "劳动节")  # a Saturday worked
    found = lags(con, D(2027, 5, 1), D(2027, 5, 31))
    assert found[item]["lag_days"] == 2 and found[item]["on_time"] is True  # 05-06, 05-07
    after = published(con, org, D(2027, 5, 7), D(2027, 5, 11))  # 05-08 (Sat worked), 10, 11 → 3
    assert lags(con, D(2027, 5, 1), D(2027, 5, 31))[after]["lag_days"] == 3
    workdays.confirm_year(con, org.webmaster, 2027)
    assert timeliness.calendar_warning(con, D(2027, 1, 1), D(2027, 12, 31)) is None
    settings.set_values(con, org.webmaster, {"publish_lag_mode": "calendar"})
    assert timeliness.calendar_warning(con, D(2030, 1, 1), D(2030, 12, 31)) is None  # calendar days: no data needed


def test_sql_lag_equals_the_calendar_count(con, org):
    working(con, org)
    rng = random.Random(5)
    expected = {}
    for _ in range(150):
        pub = D(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
        ended = pub - dt.timedelta(days=rng.randint(-2, 40))
        expected[published(con, org, ended, pub)] = (ended, pub)
    calendar = workdays.load(con)
    found = lags(con, D(2024, 1, 1), D(2026, 12, 31))
    assert len(found) == 150
    for item, (ended, pub) in expected.items():
        assert found[item]["lag_days"] == calendar.workdays_between(ended, pub), (ended, pub)
        assert found[item]["lag_days"] == timeliness.lag_days(con, ended, pub)


def test_items_without_a_work_end_date_are_counted_not_measured(con, org):
    measured = published(con, org, D(2026, 3, 2), D(2026, 3, 3))
    unmeasured = published(con, org, None, D(2026, 3, 3))
    found = lags(con, D(2026, 3, 1), D(2026, 3, 31))
    assert found[unmeasured]["lag_days"] is None and found[unmeasured]["on_time"] is None
    assert found[measured]["on_time"] is True
    [row] = timeliness.summary(con, D(2026, 3, 1), D(2026, 3, 31))
    assert (row["published"], row["measured"], row["on_time"], row["on_time_share"]) == (2, 1, 1, 1.0)


def test_summary_by_division_and_column_and_the_period(con, org):
    published(con, org, D(2026, 3, 2), D(2026, 3, 3))                       # 1: on time
    published(con, org, D(2026, 3, 2), D(2026, 3, 10))                      # 8: late
    published(con, org, D(2026, 3, 2), D(2026, 3, 4), column=org.col_cw, division=org.cw)
    published(con, org, D(2026, 2, 2), D(2026, 2, 27))                      # outside the period
    published(con, org, D(2026, 3, 30), D(2026, 4, 1))                      # outside the period
    divisions = {r["division_id"]: r for r in timeliness.summary(con, D(2026, 3, 1), D(2026, 3, 31), by="division")}
    assert divisions[org.dz]["published"] == 2 and divisions[org.dz]["late"] == 1
    assert divisions[org.dz]["on_time_share"] == 0.5 and divisions[org.dz]["median_lag"] == 4.5
    assert divisions[org.cw]["on_time"] == 1 and divisions[org.cw]["name"] == "财务处"
    columns = {r["id"]: r for r in timeliness.summary(con, D(2026, 3, 1), D(2026, 3, 31), by="column")}
    assert set(columns) == {org.col_dz, org.col_cw} and columns[org.col_cw]["division_id"] == org.cw
    only = timeliness.article_lags(con, D(2026, 3, 1), D(2026, 3, 31), division_id=org.dz, late_only=True)
    assert [r["lag_days"] for r in only] == [8]
    assert timeliness.totals(con, D(2026, 3, 1), D(2026, 3, 31))["published"] == 3


def test_bad_input_names_the_field(con, org):
    with pytest.raises(ValidationError, match="统计维度"):
        timeliness.summary(con, D(2026, 1, 1), D(2026, 2, 1), by="person")
    with pytest.raises(ValidationError, match="统计期间.*第十七条"):
        timeliness.article_lags(con, D(2026, 2, 1), D(2026, 1, 1))
    with pytest.raises(ValidationError, match="发布时限计算方式"):
        settings.set_values(con, org.webmaster, {"publish_lag_mode": "weekly"})
