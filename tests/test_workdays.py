"""The working-day calendar: seeded holidays, adjusted workdays, office edits, the weekend fallback."""

from __future__ import annotations

import datetime as dt

import pytest

from core import workdays
from core.errors import PermissionDenied, ValidationError

D = dt.date


def test_seed_matches_chinese_calendar_for_every_day_it_knows(con):
    chinese_calendar = pytest.importorskip("chinese_calendar")
    calendar = workdays.load(con)
    day = D(2004, 1, 1)
    while day <= D(2026, 12, 31):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    assert calendar.known(2026) and not calendar.known(2027)


def test_national_day_2026_and_its_adjusted_saturday(con):
    calendar = workdays.load(con)
    assert not calendar.is_workday(D(2026, 10, 1))
    assert calendar.holidays[D(2026, 10, 1)] == "国庆节"
    # 2026-09-20 (Sunday) and 2026-10-10 (Saturday) are worked to make up for the National Day week
    assert calendar.is_workday(D(2026, 10, 10))
    assert calendar.workdays[D(2026, 10, 10)] == "国庆节"


def test_due_date_skips_holidays_and_counts_adjusted_workdays(con):
    calendar = workdays.load(con)
    # received Tuesday 2026-09-29; 4 working days: 9-30 (Wed), the holiday 10-1..10-7, 10-8 (Thu), 10-9 (Fri),
    # 10-10 (Saturday, worked)
    assert calendar.add_workdays(D(2026, 9, 29), 4) == D(2026, 10, 10)
    assert calendar.workdays_between(D(2026, 9, 29), D(2026, 10, 10)) == 4
    assert calendar.workdays_between(D(2026, 10, 10), D(2026, 9, 29)) == -4
    # 9-20 is a Sunday that is worked
    assert calendar.add_workdays(D(2026, 9, 18), 1) == D(2026, 9, 20)
    # received on a holiday: count 0 gives the first working day
    assert calendar.add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 8)


def test_ordinal_agrees_with_day_by_day_counting(con):
    calendar = workdays.load(con)
    start = D(2025, 12, 20)
    for offset in range(0, 420, 7):
        end = start + dt.timedelta(days=offset)
        slow = sum(calendar.is_workday(start + dt.timedelta(days=i)) for i in range(1, offset + 1))
        assert calendar.workdays_between(start, end) == slow, end


def test_a_year_without_data_falls_back_to_weekends_and_says_so(con):
    calendar = workdays.load(con)
    assert calendar.is_workday(D(2027, 1, 1))  # a Friday; 元旦 2027 is not entered yet
    assert not calendar.is_workday(D(2027, 1, 2))
    assert calendar.add_workdays(D(2027, 1, 1), 5) == D(2027, 1, 8)
    message = calendar.warning(D(2026, 12, 30), D(2027, 1, 8))
    assert "2027 年" in message and "2026" not in message and "周一至周五" in message
    assert calendar.warning(D(2026, 5, 1)) is None


def test_the_office_enters_and_confirms_a_new_year(con, org):
    workdays.set_day(con, org.webmaster, D(2027, 1, 1), "holiday", "元旦")
    workdays.set_day(con, org.webmaster, D(2027, 2, 20), "workday", "春节")  # a Saturday
    calendar = workdays.load(con)  # the edit applies at once
    assert not calendar.is_workday(D(2027, 1, 1)) and calendar.is_workday(D(2027, 2, 20))
    assert not calendar.known(2027)
    workdays.confirm_year(con, org.webmaster, 2027)
    assert workdays.load(con).known(2027)
    listed = {y["year"]: y for y in workdays.years(con)}
    assert listed[2027]["confirmed"] and listed[2027]["holidays"] == 1 and listed[2027]["workdays"] == 1
    assert workdays.remove_day(con, org.webmaster, D(2027, 1, 1))
    assert workdays.load(con).is_workday(D(2027, 1, 1))
    actions = [r[0] for r in con.execute("SELECT action FROM audit_log WHERE action LIKE 'calendar.%' ORDER BY id").fetchall()]
    assert actions == ["calendar.set", "calendar.set", "calendar.confirm", "calendar.remove"]


def test_only_the_office_edits_the_calendar(con, org):
    for user in (org.officer, org.head, org.tech, org.analyst):
        with pytest.raises(PermissionDenied):
            workdays.set_day(con, user, D(2027, 1, 1), "holiday", "元旦")
    assert not workdays.days_of_year(con, 2027)


@pytest.mark.parametrize("day, kind, name, field", [
    (D(2027, 1, 4), "workday", "春节", "日期"),  # a Monday cannot be an adjusted workday
    (D(2027, 1, 1), "holiday", "  ", "名称"),
    (D(2027, 1, 1), "vacation", "元旦", "类型"),
    (None, "holiday", "元旦", "日期"),
])
def test_bad_entries_name_the_field(con, org, day, kind, name, field):
    with pytest.raises(ValidationError) as error:
        workdays.set_day(con, org.webmaster, day, kind, name)
    assert error.value.field == field and error.value.article == "第十七条"


def test_a_year_cannot_be_confirmed_empty(con, org):
    with pytest.raises(ValidationError) as error:
        workdays.confirm_year(con, org.webmaster, 2028)
    assert error.value.field == "年份"


def test_a_year_is_imported_from_the_package_again(con, org):
    workdays.remove_day(con, org.webmaster, D(2026, 10, 1))
    assert workdays.load(con).is_workday(D(2026, 10, 1))
    assert workdays.import_package_year(con, org.webmaster, 2026) > 30
    assert not workdays.load(con).is_workday(D(2026, 10, 1))
    with pytest.raises(ValidationError):
        workdays.import_package_year(con, org.webmaster, 2031)
