"""Publication lag (第十七条): from the day the work ended to the day the item went online.

"一般情况下信息发布不应迟于工作结束后的第3天": an item whose work ended on day D is on time when
it is published no later than D + `publish_lag_days`. The office decides whether those are
calendar days or working days (setting `publish_lag_mode`); working days follow the holiday
calendar of core/workdays.py (public holidays off, adjusted weekend workdays on).

Working-day lag is `ordinal(published) - ordinal(work ended)`: the working days after the day
the work ended, up to and including the publication day. It is computed in SQL by joining a
small day → ordinal table (one row per day of the span the query touches, numbered from the
`calendar_days` table by a window sum) twice, so a year of 100,000 articles is one query.

Items without a work-end date are counted as published but not measured (`on_time` is None).
Only items that went online count (published_at set), also those later taken down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Literal

import duckdb

from core import settings, workdays
from core.db import rows
from core.errors import ValidationError

ARTICLE = "第十七条"
MODES = {"calendar": "自然日", "working": "工作日"}
By = Literal["division", "column"]


def mode(con: duckdb.DuckDBPyConnection) -> str:
    return settings.get(con, "publish_lag_mode")


def limit_days(con: duckdb.DuckDBPyConnection) -> int:
    return int(settings.get(con, "publish_lag_days"))


def rule_text(con: duckdb.DuckDBPyConnection) -> str:
    """The rule as the office set it, e.g. "工作结束后 3 个工作日内发布(第十七条)"."""
    unit = "个工作日" if mode(con) == "working" else "天"
    return f"工作结束后 {limit_days(con)} {unit}内发布({ARTICLE})"


def lag_days(con: duckdb.DuckDBPyConnection, work_ended_on: dt.date | None, published_on: dt.date | None,
             lag_mode: str | None = None) -> int | None:
    """One item's lag in the office's mode (for queues and forms); None when a date is missing."""
    if work_ended_on is None or published_on is None:
        return None
    lag_mode = lag_mode or mode(con)
    if lag_mode == "working":
        return workdays.load(con).workdays_between(work_ended_on, published_on)
    return (published_on - work_ended_on).days


def is_on_time(con: duckdb.DuckDBPyConnection, work_ended_on: dt.date | None, published_on: dt.date | None,
               ) -> bool | None:
    lag = lag_days(con, work_ended_on, published_on)
    return None if lag is None else lag <= limit_days(con)


def _check_period(start: dt.date, end: dt.date) -> None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValidationError("统计期间", "请选择起止日期", ARTICLE)
    if end < start:
        raise ValidationError("统计期间", "结束日期不能早于开始日期", ARTICLE)


def article_filter(division_id: int | None, column_id: int | None) -> tuple[str, list]:
    """`AND …` conditions on articles `a` of one division and/or column, with their parameters."""
    where, params = [], []
    if division_id is not None:
        where.append("a.lead_division_id = ?")
        params.append(int(division_id))
    if column_id is not None:
        where.append("a.column_id = ?")
        params.append(int(column_id))
    return "".join(f" AND {w}" for w in where), params


def _filters(start: dt.date, end: dt.date, division_id: int | None, column_id: int | None) -> tuple[str, list]:
    more, params = article_filter(division_id, column_id)
    return ("a.published_at IS NOT NULL AND a.published_at >= ? AND a.published_at < ?" + more,
            [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
             *params])


@contextmanager
def lag_source(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, division_id: int | None = None,
               column_id: int | None = None, lag_mode: str | None = None) -> Iterator[tuple[str, list]]:
    """(sql, params) of a subquery with one row per item published in [start, end]: id, title,
    division_id, column_id, work_ended_on, published_on, lag_days (NULL without a work-end date).

    A context manager so that a later version may register helper tables on `con` for its span."""
    _check_period(start, end)
    lag_mode = lag_mode or mode(con)
    where, params = _filters(start, end, division_id, column_id)
    select = ("a.id, a.title, a.lead_division_id AS division_id, a.column_id, a.work_ended_on, "
              "a.published_at::DATE AS published_on")
    if lag_mode != "working":
        yield (f"SELECT {select}, datediff('day', a.work_ended_on, a.published_at::DATE) AS lag_days "
               f"FROM articles a WHERE {where}"), params
        return
    span = con.execute(f"SELECT min(a.work_ended_on), max(a.work_ended_on) FROM articles a WHERE {where}",
                       params).fetchall()[0]
    first, last = start, end
    if span[0] is not None:
        first, last = min(first, span[0]), max(last, span[1])
    # one row per day of the span, numbered by working days: holidays and adjusted workdays from
    # the office's calendar (core/workdays.py reads the same table), weekends off otherwise
    yield (f"""WITH ord AS (
                SELECT g.d::DATE AS day,
                       sum(CASE WHEN c.kind = 'workday' THEN 1 WHEN c.kind = 'holiday' THEN 0
                                WHEN isodow(g.d) <= 5 THEN 1 ELSE 0 END) OVER (ORDER BY g.d) AS ordinal
                FROM generate_series(?::DATE, ?::DATE, INTERVAL 1 DAY) AS g(d)
                LEFT JOIN calendar_days c ON c.day = g.d::DATE)
            SELECT {select}, CASE WHEN a.work_ended_on IS NULL THEN NULL ELSE p.ordinal - w.ordinal END AS lag_days
            FROM articles a JOIN ord p ON p.day = a.published_at::DATE
            LEFT JOIN ord w ON w.day = a.work_ended_on WHERE {where}"""), [first, last, *params]


def lag_table_sql(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, division_id: int | None = None,
                  column_id: int | None = None) -> AbstractContextManager[tuple[str, list]]:
    """Alias of `lag_source` for callers that compose their own aggregate over the lag rows."""
    return lag_source(con, start, end, division_id, column_id)


def article_lags(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, division_id: int | None = None,
                 column_id: int | None = None, *, late_only: bool = False, limit: int | None = None) -> list[dict]:
    """Each item published in [start, end] with its lag and whether it was on time, latest first."""
    limit_value = limit_days(con)
    with lag_source(con, start, end, division_id, column_id) as (sql, params):
        extra = " WHERE lag_days > ?" if late_only else ""
        tail = " LIMIT ?" if limit else ""
        found = rows(con, f"SELECT * FROM ({sql}) l{extra} ORDER BY published_on DESC, id DESC{tail}",
                     params + ([limit_value] if late_only else []) + ([int(limit)] if limit else []))
    for item in found:
        item["lag_days"] = None if item["lag_days"] is None else int(item["lag_days"])
        item["on_time"] = None if item["lag_days"] is None else item["lag_days"] <= limit_value
    return found


def summary(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, by: By = "division") -> list[dict]:
    """Per division (lead division) or per column: published, measured (with a work-end date),
    on_time, late, on_time_share (of measured; None when nothing measured), median_lag, max_lag."""
    if by not in ("division", "column"):
        raise ValidationError("统计维度", "只能按处室或栏目统计", ARTICLE)
    limit_value = limit_days(con)
    with lag_source(con, start, end) as (sql, params):
        if by == "division":
            query = (f"SELECT l.division_id AS id, d.name, l.division_id, {_aggregates()} FROM ({sql}) l "
                     "JOIN divisions d ON d.id = l.division_id GROUP BY l.division_id, d.name, d.position "
                     "ORDER BY d.position, l.division_id")
        else:
            query = (f"SELECT l.column_id AS id, c.name, c.division_id, {_aggregates()} FROM ({sql}) l "
                     "JOIN columns c ON c.id = l.column_id GROUP BY l.column_id, c.name, c.division_id, c.position "
                     "ORDER BY c.division_id, c.position, l.column_id")
        found = rows(con, query, [limit_value, limit_value, *params])
    for item in found:
        for key in ("published", "measured", "on_time", "late"):
            item[key] = int(item[key] or 0)
        item["on_time_share"] = item["on_time"] / item["measured"] if item["measured"] else None
        item["median_lag"] = None if item["median_lag"] is None else float(item["median_lag"])
        item["max_lag"] = None if item["max_lag"] is None else int(item["max_lag"])
    return found


def _aggregates() -> str:
    return ("count(*) AS published, count(l.lag_days) AS measured, "
            "count(*) FILTER (WHERE l.lag_days <= ?) AS on_time, "
            "count(*) FILTER (WHERE l.lag_days > ?) AS late, "
            "median(l.lag_days) AS median_lag, max(l.lag_days) AS max_lag")


def totals(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, division_id: int | None = None) -> dict:
    """The same figures for the whole site (or one division)."""
    limit_value = limit_days(con)
    with lag_source(con, start, end, division_id) as (sql, params):
        found = rows(con, f"SELECT {_aggregates()} FROM ({sql}) l", [limit_value, limit_value, *params])[0]
    for key in ("published", "measured", "on_time", "late"):
        found[key] = int(found[key] or 0)
    found["on_time_share"] = found["on_time"] / found["measured"] if found["measured"] else None
    found["median_lag"] = None if found["median_lag"] is None else float(found["median_lag"])
    return found


def calendar_warning(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> str | None:
    """In working-day mode, the warning for years of [start, end] whose holidays are not entered."""
    if mode(con) != "working":
        return None
    days = [dt.date(year, 1, 1) for year in range(start.year, end.year + 1)]
    return workdays.load(con).warning(*days)
