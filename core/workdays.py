"""The working-day calendar (第十七、十九条): public holidays and adjusted workdays are data.

Seeded from chinese-calendar for 2004–2026 (migration 0006); the office enters each new year's
holidays and adjusted workdays in the workbench and confirms the year. A year the office has not
confirmed falls back to weekends only: nothing crashes on a 2027 date, and `warning` says so.

`load(con)` gives a `WorkCalendar` (kept until the next write: core.db.kept, so an edit applies at once).
Counting is by ordinal: `ordinal(d)` is the number of working days up to and including `d`,
so the working days after `a` up to `b` are `ordinal(b) - ordinal(a)`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

import duckdb

try:
    from chinese_calendar import constants as package_calendar
except ImportError:  # a machine without the package: the office enters every year by hand
    package_calendar = None

from core import audit, permissions
from core.db import kept, rows, scalar, transaction
from core.errors import ValidationError
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)

KINDS = {"holiday": "节假日(休息)", "workday": "调休上班"}
ARTICLE = "第十七条"


@dataclass(frozen=True)
class WorkCalendar:
    holidays: dict[dt.date, str] = field(default_factory=dict)  # days off that are not weekends, or are
    workdays: dict[dt.date, str] = field(default_factory=dict)  # weekend days that are worked
    years: frozenset[int] = frozenset()  # years whose holidays the calendar knows

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def known(self, year: int) -> bool:
        return year in self.years

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The day `count` working days after `start` (a due date); count 0 gives the next working
        day on or after `start`."""
        day = start
        if count <= 0:
            while not self.is_workday(day):
                day += dt.timedelta(days=1)
            return day
        left = count
        while left:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        if end < start:
            return -self.workdays_between(end, start)
        return self.ordinal(end) - self.ordinal(start)

    def ordinal(self, day: dt.date) -> int:
        """Working days from 2000-01-03 (a Monday) up to and including `day`; fast for any span."""
        base = dt.date(2000, 1, 3)
        days = (day - base).days
        weeks, rest = divmod(days, 7)
        count = weeks * 5 + min(rest + 1, 5)  # weekdays in [base, day]
        count -= self._count(self._weekday_holidays, base, day)
        count += self._count(self._weekend_workdays, base, day)
        return count

    @property
    def _weekday_holidays(self) -> list[dt.date]:
        return self._sorted("_wh", lambda: (d for d in self.holidays if d.weekday() < 5 and d not in self.workdays))

    @property
    def _weekend_workdays(self) -> list[dt.date]:
        return self._sorted("_ww", lambda: (d for d in self.workdays if d.weekday() >= 5))

    def _sorted(self, name: str, days) -> list[dt.date]:
        """The sorted list, built once per calendar (it is frozen): `days` is only called the first time."""
        cached = self.__dict__.get(name)
        if cached is None:
            cached = sorted(days())
            object.__setattr__(self, name, cached)
        return cached

    @staticmethod
    def _count(days: list[dt.date], start: dt.date, end: dt.date) -> int:
        return bisect.bisect_right(days, end) - bisect.bisect_left(days, start)

    def missing_years(self, *days: dt.date) -> list[int]:
        return sorted({d.year for d in days if d.year not in self.years})

    def warning(self, *days: dt.date) -> str | None:
        """The message the workbench shows when a computation touches a year without holiday data."""
        missing = self.missing_years(*days)
        if not missing:
            return None
        years = "、".join(f"{y} 年" for y in missing)
        return (f"{years}的节假日和调休安排尚未录入,工作日暂按周一至周五计算。"
                "请网站管理员在“节假日日历”页面录入国务院公布的安排并确认。")


_cache: dict[str, WorkCalendar] = {}


def _version(con: duckdb.DuckDBPyConnection) -> str:
    counts = con.execute(
        "SELECT (SELECT count(*) FROM calendar_days), (SELECT max(updated_at) FROM calendar_days), "
        "(SELECT count(*) FROM calendar_years), (SELECT max(confirmed_at) FROM calendar_years)").fetchone()
    return repr(counts)


def load(con: duckdb.DuckDBPyConnection) -> WorkCalendar:
    """The calendar, kept until the next write to the database by anyone (core.db.kept: an edit in
    节假日日历 applies at every session's next run); its sorted day lists are then built once, not per call."""
    return kept(con, "calendar", None, lambda: _load(con))


def _load(con: duckdb.DuckDBPyConnection) -> WorkCalendar:
    key = f"{id(con)}:{_version(con)}"
    calendar = _cache.get(key)
    if calendar is None:
        holidays, workdays = {}, {}
        for day, kind, name in con.execute("SELECT day, kind, name FROM calendar_days").fetchall():
            (holidays if kind == "holiday" else workdays)[day] = name
        years = frozenset(r[0] for r in con.execute("SELECT year FROM calendar_years").fetchall())
        calendar = WorkCalendar(holidays, workdays, years)
        _cache.clear()
        _cache[key] = calendar
    return calendar


def days_of_year(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    return rows(con, "SELECT day, kind, name FROM calendar_days WHERE year(day) = ? ORDER BY day", [year])


def years(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every year with entries or a confirmation, and whether the office has confirmed it."""
    return rows(con, """
        SELECT y AS year, c.year IS NOT NULL AS confirmed, c.source,
               (SELECT count(*) FROM calendar_days WHERE year(day) = y AND kind = 'holiday') AS holidays,
               (SELECT count(*) FROM calendar_days WHERE year(day) = y AND kind = 'workday') AS workdays
        FROM (SELECT DISTINCT year(day) AS y FROM calendar_days UNION SELECT year FROM calendar_years) AS ys
        LEFT JOIN calendar_years c ON c.year = ys.y ORDER BY y""")


def _check_day(day, kind: str, name: str) -> tuple[dt.date, str]:
    if not isinstance(day, dt.date):
        raise ValidationError("日期", "请选择日期", ARTICLE)
    if isinstance(day, dt.datetime):
        day = day.date()
    if kind not in KINDS:
        raise ValidationError("类型", "只能是“节假日(休息)”或“调休上班”", ARTICLE)
    name = clean_text(name)
    if not name:
        raise ValidationError("名称", "请填写节日名称,例如“春节”", ARTICLE)
    if len(name) > 40:
        raise ValidationError("名称", "不超过 40 个字", ARTICLE)
    if kind == "workday" and day.weekday() < 5:
        raise ValidationError("日期", f"{day} 是周一至周五,本来就是工作日,不能登记为调休上班", ARTICLE)
    return day, name


def set_day(con: duckdb.DuckDBPyConnection, user, day: dt.date, kind: str, name: str) -> None:
    """Enter or change one day (the office, 第八条)."""
    permissions.require(user, "calendar.edit")
    day, name = _check_day(day, kind, name)
    with transaction(con):
        con.execute("DELETE FROM calendar_days WHERE day = ?", [day])
        con.execute("INSERT INTO calendar_days (day, kind, name, updated_by) VALUES (?, ?, ?, ?)",
                    [day, kind, name, user.id])
        audit.record(con, user, "calendar.set", f"day:{day}", f"{KINDS[kind]} {name}")


def remove_day(con: duckdb.DuckDBPyConnection, user, day: dt.date) -> bool:
    permissions.require(user, "calendar.edit")
    with transaction(con):
        found = scalar(con, "SELECT count(*) FROM calendar_days WHERE day = ?", [day])
        if found:
            con.execute("DELETE FROM calendar_days WHERE day = ?", [day])
            audit.record(con, user, "calendar.remove", f"day:{day}")
    return bool(found)


def confirm_year(con: duckdb.DuckDBPyConnection, user, year: int) -> None:
    """The office declares a year's holidays complete: from now on the year counts as known."""
    permissions.require(user, "calendar.edit")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError("年份", "请填写 2000 至 2100 之间的年份", ARTICLE)
    with transaction(con):
        if not scalar(con, "SELECT count(*) FROM calendar_days WHERE year(day) = ? AND kind = 'holiday'", [year]):
            raise ValidationError("年份", f"{year} 年还没有录入任何节假日,请先录入再确认", ARTICLE)
        con.execute("DELETE FROM calendar_years WHERE year = ?", [year])
        con.execute("INSERT INTO calendar_years (year, source, confirmed_by) VALUES (?, '办公室录入', ?)",
                    [year, user.id])
        audit.record(con, user, "calendar.confirm", f"year:{year}")


def unconfirm_year(con: duckdb.DuckDBPyConnection, user, year: int) -> None:
    permissions.require(user, "calendar.edit")
    with transaction(con):
        con.execute("DELETE FROM calendar_years WHERE year = ?", [year])
        audit.record(con, user, "calendar.unconfirm", f"year:{year}")


HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                 "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                 "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日"}


def package_years() -> set[int]:
    """Years the installed chinese-calendar package knows (a newer release may know next year)."""
    if package_calendar is None:
        return set()
    return {d.year for d in package_calendar.holidays}


def import_package_year(con: duckdb.DuckDBPyConnection, user, year: int) -> int:
    """Copy one year from the installed chinese-calendar package and confirm it; returns the days copied."""
    permissions.require(user, "calendar.edit")
    if year not in package_years():
        raise ValidationError("年份", f"系统自带的节假日数据还没有 {year} 年的安排,请手工录入", ARTICLE)
    entries = [(d, "holiday", n) for d, n in package_calendar.holidays.items() if d.year == year]
    entries += [(d, "workday", n) for d, n in package_calendar.workdays.items() if d.year == year]
    with transaction(con):
        con.execute("DELETE FROM calendar_days WHERE year(day) = ?", [year])
        for day, kind, name in entries:
            con.execute("INSERT INTO calendar_days (day, kind, name, updated_by) VALUES (?, ?, ?, ?)",
                        [day, kind, HOLIDAY_NAMES.get(name, name), user.id])
        con.execute("DELETE FROM calendar_years WHERE year = ?", [year])
        con.execute("INSERT INTO calendar_years (year, source, confirmed_by) VALUES (?, 'chinese-calendar', ?)",
                    [year, user.id])
        audit.record(con, user, "calendar.import", f"year:{year}", f"{len(entries)} 天")
    return len(entries)
