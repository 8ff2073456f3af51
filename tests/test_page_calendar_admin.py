"""节假日日历 in AppTest: an unconfirmed upcoming year is flagged, a day is entered, the year
confirmed; a missing name is named; only the office opens the page."""

from __future__ import annotations

import datetime as dt

import pytest

from core import workdays
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org

NEXT = dt.date.today().year + 1


@pytest.fixture
def path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def test_enter_a_day_and_confirm_the_year(path):
    at = open_page(app_as(path, "webmaster"), "calendar_admin")
    assert not at.exception
    assert f"{NEXT} 年的节假日安排尚未确认" in texts(at)
    at.selectbox(key="cal_year").set_value(NEXT).run()
    at.date_input(key="cal_day").set_value(dt.date(NEXT, 1, 1))
    at.text_input(key="cal_name").input("元旦")
    next(b for b in at.button if b.label == "保存").click().run()
    assert f"已保存 {NEXT}-01-01" in texts(at)
    at.button(key="cal_confirm").click().run()
    assert f"已确认 {NEXT} 年" in texts(at)
    assert f"{NEXT} 年的节假日安排尚未确认" not in texts(at)
    assert workdays.load(connect(path)).known(NEXT)


def test_a_missing_name_is_named(path):
    at = open_page(app_as(path, "webmaster"), "calendar_admin")
    at.selectbox(key="cal_year").set_value(NEXT).run()
    next(b for b in at.button if b.label == "保存").click().run()
    assert "「名称」" in texts(at)


def test_officers_cannot_open_the_calendar(path):
    with pytest.raises(Exception):  # noqa: B017 - not in the officer's navigation
        open_page(app_as(path, "officer"), "calendar_admin")
