"""Rows core keeps between script runs (core.db.kept: the settings, the signed-in account, its session) are
read once per database change, not several times a run — and a change made by someone else, in another
session, is seen at the next run, never a stale value.

Each test waits until the database's last write has settled (core.db.settled_mark: kept values are neither
stored nor used within half a second of a write), so the values really are kept when the change happens."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from core import accounts, db, sessions, settings, workdays
from core.db import connect, transaction
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


def settle(path) -> None:
    """Wait until kept values are stored and used again after the last write (a condition, not a timing)."""
    deadline = time.monotonic() + 30
    while db.settled_mark(path) is None:
        if time.monotonic() > deadline:
            raise RuntimeError("the database never settled")
        time.sleep(0.05)


@pytest.fixture
def db_path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def test_a_kept_value_is_reused_until_anyone_writes(db_path):
    reader, writer = db.cursor(connect(db_path)), connect(db_path)
    settle(db_path)
    first = db.kept(reader, "probe", 1, object)
    assert db.kept(reader, "probe", 1, object) is first  # kept: the same object, not computed again
    assert db.kept(reader, "probe", 2, object) is not first  # another key is its own value
    writer.execute("UPDATE users SET email = 'x@example.com' WHERE username = 'officer'")  # another connection
    assert db.kept(reader, "probe", 1, object) is not first  # right after the write: read afresh
    settle(db_path)
    again = db.kept(reader, "probe", 1, object)
    assert again is not first and db.kept(reader, "probe", 1, object) is again


def test_nothing_is_kept_inside_a_transaction_or_for_an_unknown_connection(db_path):
    con = connect(db_path)
    settle(db_path)
    unknown = con.cursor()  # not made by core.db.cursor: its file is not known
    assert db.kept(unknown, "probe", 1, object) is not db.kept(unknown, "probe", 1, object)
    reader = db.cursor(con)
    assert settings.get(reader, "session_idle_minutes") == 30  # kept from here
    with pytest.raises(RuntimeError), transaction(reader):
        reader.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('session_idle_minutes', '45')")
        assert settings.get(reader, "session_idle_minutes") == 45  # its own uncommitted write, not the kept 30
        raise RuntimeError("rolled back")
    settle(db_path)
    assert settings.get(reader, "session_idle_minutes") == 30


def test_a_setting_changed_in_another_session_is_read_at_the_next_get(db_path):
    reader, office = db.cursor(connect(db_path)), connect(db_path)
    settle(db_path)
    assert settings.get(reader, "session_idle_minutes") == 30
    settings.set_values(office, accounts.find_user(office, "webmaster"), {"session_idle_minutes": "12"})
    settle(db_path)
    assert settings.get(reader, "session_idle_minutes") == 12
    assert settings.all_values(reader)["session_idle_minutes"] == 12


def test_the_webmasters_setting_is_seen_by_an_officers_next_run(db_path):
    officer = open_page(app_as(db_path, "officer"), "account")  # 账号安全 states the password rules
    settle(db_path)
    assert "密码至少 10 位" in texts(officer.run())  # the settings are kept now
    webmaster = open_page(app_as(db_path, "webmaster"), "settings_admin")  # 系统设置, another session
    con = connect(db_path)
    settings.set_values(con, accounts.find_user(con, "webmaster"), {"password_min_length": "12"})
    con.close()
    settle(db_path)
    assert "密码至少 12 位" in texts(officer.run())  # the officer's open tab, at its next run
    assert "密码至少 12 位" in texts(open_page(app_as(db_path, "officer"), "account"))  # and a new tab
    assert webmaster.session_state["authentication_status"]


def test_a_disabled_account_is_signed_out_at_its_next_run(db_path):
    officer = app_as(db_path, "officer")
    settle(db_path)
    officer.run()  # the account and its session are kept now
    assert officer.session_state["authentication_status"]
    con = connect(db_path)
    accounts.set_active(con, accounts.find_user(con, "webmaster"), accounts.find_user(con, "officer").id, False)
    con.close()
    settle(db_path)
    officer.run()
    assert not officer.session_state["authentication_status"] and "账号已停用" in texts(officer)


def test_a_new_role_and_an_ended_session_are_seen_with_kept_rows(db_path):
    reader, office = db.cursor(connect(db_path)), connect(db_path)
    officer = accounts.find_user(reader, "officer")
    session_id = sessions.start(office, officer.id)
    settle(db_path)
    assert sessions.check(reader, session_id, officer.id) is None
    assert not accounts.find_user(reader, "officer").has("head")
    webmaster = accounts.find_user(office, "webmaster")
    accounts.set_assignment(office, webmaster, officer.id, ["officer", "head"], officer.division_id)
    settle(db_path)
    assert accounts.find_user(reader, "officer").has("head")
    sessions.end(office, session_id, "logout")
    settle(db_path)
    assert sessions.check(reader, session_id, officer.id) == "logout"


def test_idleness_is_the_clocks_even_while_the_session_row_is_kept(db_path):
    reader, office = db.cursor(connect(db_path)), connect(db_path)
    officer = accounts.find_user(reader, "officer")
    session_id = sessions.start(office, officer.id)
    settle(db_path)
    assert sessions.check(reader, session_id, officer.id) is None  # kept from here
    later = dt.datetime.now() + dt.timedelta(minutes=31)
    assert sessions.check(reader, session_id, officer.id, later) == "idle"


def test_a_runs_cursor_sees_a_write_made_during_the_run(db_path):
    run, writer = db.cursor(connect(db_path), run=True), connect(db_path)
    settle(db_path)
    first = db.kept(run, "probe", 1, object)
    assert db.kept(run, "probe", 1, object) is first
    writer.execute("UPDATE users SET email = 'x@example.com' WHERE username = 'officer'")
    assert db.kept(run, "probe", 1, object) is not first  # the run's own memory follows the mark too
    assert settings.get(run, "session_idle_minutes") == 30
    writer.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('session_idle_minutes', '20')")
    assert settings.get(run, "session_idle_minutes") == 20
    settle(db_path)
    again = db.kept(run, "probe", 1, object)
    assert db.kept(run, "probe", 1, object) is again


def test_a_holiday_entered_in_another_session_is_seen_by_the_kept_calendar(db_path):
    reader, office = db.cursor(connect(db_path)), connect(db_path)
    friday = dt.date(2027, 10, 8)
    settle(db_path)
    assert workdays.load(reader).is_workday(friday) and workdays.load(reader) is workdays.load(reader)
    workdays.set_day(office, accounts.find_user(office, "webmaster"), friday, "holiday", "国庆节")
    settle(db_path)
    assert not workdays.load(reader).is_workday(friday)
