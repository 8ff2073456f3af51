"""The frame's sign-in and the security pages in AppTest: lockout at the form, the forced change,
sessions that end, the second factor, 安全审计, 安全事件 and 备份 (第二十至二十四条)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, audit, backup, incidents, settings, totp
from core.db import connect, scalar
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import PASSWORD, make_org

NEW = "Huashan-Peak-2071!"


@pytest.fixture
def db_path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def using(db_path):
    return connect(db_path)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def sign_in(at, username, password):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    button(at, "登录").click().run()
    return at


def signed_in(at) -> bool:
    return bool(at.session_state["authentication_status"])


CARRIED = ("authentication_status", "username", "name", "auth_session", "logout", "login_notice")


def through_the_frame(at):
    """The same browser session's next run from app.py. (AppTest's own reruns go straight to the
    page that ran last, because the project has a pages/ folder; pages check the session too.)"""
    from streamlit.testing.v1 import AppTest

    from tests.apptest_helpers import APP

    fresh = AppTest.from_file(APP, default_timeout=30)
    for key in CARRIED:
        if key in at.session_state:
            fresh.session_state[key] = at.session_state[key]
    fresh.run()
    return fresh


# ---------------------------------------------------------------- the login form

def test_lockout_message_at_the_form_is_the_same_for_unknown_users(db_path):
    at = app_as(db_path, None)
    for _ in range(4):
        sign_in(at, "officer", "wrong-password")
        assert [e.value for e in at.error] == ["用户名或密码不正确。"]
    sign_in(at, "officer", "wrong-password")
    locked = [e.value for e in at.error]
    assert "锁定" in locked[0]
    sign_in(at, "officer", PASSWORD)
    assert not signed_in(at) and "锁定" in at.error[0].value
    other = app_as(db_path, None)
    for _ in range(5):
        sign_in(other, "no-such-user", "wrong-password")
    assert [e.value for e in other.error] == locked


def test_password_sign_in_writes_the_audit_row(db_path):
    at = sign_in(app_as(db_path, None), "officer", PASSWORD)
    assert signed_in(at) and "登录成功" in texts(at)
    at.run()
    assert "OFFICER" in "".join(m.value for m in at.sidebar.markdown)
    con = using(db_path)
    try:
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND actor = 'officer'") == 1
        assert scalar(con, "SELECT count(*) FROM auth_sessions WHERE cookie_ref IS NOT NULL") == 1
    finally:
        con.close()


def test_second_factor_at_sign_in(db_path):
    con = using(db_path)
    secret = totp.new_secret()
    accounts.enrol_totp(con, accounts.find_user(con, "tech"), secret, totp.code_at(secret))
    con.close()
    at = sign_in(app_as(db_path, None), "tech", PASSWORD)
    assert not signed_in(at) and "动态口令验证" in texts(at)
    at.text_input(key="login_totp_code").input("000000")
    button(at, "验证并登录").click().run()
    assert "动态口令不正确" in at.error[0].value
    later = dt.datetime.now() + dt.timedelta(seconds=30)
    at.text_input(key="login_totp_code").input(totp.code_at(secret, later))
    button(at, "验证并登录").click().run()
    assert signed_in(at)


def test_required_second_factor_is_enrolled_at_sign_in(db_path):
    con = using(db_path)
    settings.set_values(con, accounts.find_user(con, "webmaster"), {"totp_required_admins": True})
    con.close()
    at = sign_in(app_as(db_path, None), "webmaster", PASSWORD)
    assert "启用动态口令" in texts(at) and at.code and not signed_in(at)
    secret = at.session_state["login_pending"]["secret"]
    at.text_input(key="login_enrol_code").input(totp.code_at(secret))
    button(at, "启用并登录").click().run()
    assert signed_in(at)
    con = using(db_path)
    try:
        assert accounts.has_totp(con, accounts.find_user(con, "webmaster").id)
    finally:
        con.close()


# ---------------------------------------------------------------- sessions on every run

def test_forced_change_cannot_be_skipped_when_the_password_expired(db_path):
    con = using(db_path)
    con.execute("UPDATE users SET password_changed_at = DATE '2020-01-01' WHERE username = 'officer'")
    con.close()
    at = app_as(db_path, "officer")
    assert "超过 90 天" in texts(at)
    for page in ("my_articles", "home", "security_audit"):
        with pytest.raises(Exception):  # noqa: B017 - outside st.navigation
            open_page(app_as(db_path, "officer"), page)


def test_a_disabled_users_session_ends_on_the_next_run(db_path):
    at = app_as(db_path, "officer")
    assert signed_in(at)
    con = using(db_path)
    accounts.set_active(con, accounts.find_user(con, "webmaster"), accounts.find_user(con, "officer").id, False)
    con.close()
    at.run()  # the page itself ends the session
    assert not signed_in(at) and "账号已停用" in texts(at)
    frame = through_the_frame(at)
    assert "账号已停用" in texts(frame) and [t.label for t in frame.text_input] == ["用户名", "密码"]


def test_password_change_signs_out_everywhere(db_path):
    elsewhere = app_as(db_path, "officer")
    at = open_page(app_as(db_path, "officer"), "account")
    at.text_input(key="account_old").input(PASSWORD)
    at.text_input(key="account_new").input(NEW)
    at.text_input(key="account_again").input(NEW)
    button(at, "修改密码").click().run()
    assert not signed_in(at) and "请用新密码登录" in texts(at)
    elsewhere.run()
    assert not signed_in(elsewhere)
    frame = through_the_frame(at)
    assert "请用新密码登录" in texts(frame)
    sign_in(frame, "officer", NEW)
    assert signed_in(frame)


def test_rule_breaking_new_password_is_refused_on_the_page(db_path):
    at = open_page(app_as(db_path, "officer"), "account")
    for field, value in (("account_old", PASSWORD), ("account_new", "Password2024!"),
                         ("account_again", "Password2024!")):
        at.text_input(key=field).input(value)
    button(at, "修改密码").click().run()
    assert "常见" in at.error[0].value and signed_in(at)


def test_idle_timeout_ends_the_session(db_path):
    at = app_as(db_path, "officer")
    con = using(db_path)
    con.execute("UPDATE auth_sessions SET last_seen = last_seen - INTERVAL 31 MINUTE")
    con.close()
    frame = through_the_frame(at)
    assert not signed_in(frame) and "长时间未操作" in texts(frame)
    assert [t.label for t in frame.text_input] == ["用户名", "密码"]


def test_the_user_enables_a_second_factor_on_the_account_page(db_path):
    at = open_page(app_as(db_path, "analyst"), "account")
    at.button(key="account_totp_start").click().run()
    secret = at.session_state["account_totp_secret"]
    at.text_input(key="account_totp_code").input(totp.code_at(secret))
    button(at, "确认启用").click().run()
    assert not at.error and "已启用" in texts(at)
    con = using(db_path)
    try:
        assert accounts.find_user(con, "analyst").totp_enabled
    finally:
        con.close()


# ---------------------------------------------------------------- 账号管理 additions

def test_office_sees_and_lifts_a_lock(db_path):
    from core import login

    con = using(db_path)
    for _ in range(5):
        login.password_step(con, "officer", "bad")
    officer = accounts.find_user(con, "officer").id
    con.close()
    at = open_page(app_as(db_path, "webmaster"), "accounts_admin")
    table = at.dataframe[0].value
    assert table[table["用户名"] == "officer"]["锁定至"].iloc[0] != ""
    at.selectbox(key="accounts_admin_target").set_value(officer).run()
    at.button(key="accounts_admin_unlock").click().run()
    assert "已解除锁定" in texts(at)


# ---------------------------------------------------------------- 安全审计

def test_security_audit_page_filters_and_exports(db_path):
    from core import login

    con = using(db_path)
    login.password_step(con, "officer", "bad", "203.0.113.9")
    con.close()
    at = open_page(app_as(db_path, "tech"), "security_audit")
    assert not at.exception and "哈希链完整" in texts(at)
    at.text_input(key="security_audit_who").input("officer")
    at.selectbox(key="security_audit_action").set_value("auth.login_failed")
    button(at, "查询").click().run()
    table = at.dataframe[0].value
    assert list(table["用户"]) == ["officer"] and list(table["客户端"]) == ["203.0.113.9"]
    at.button(key="security_audit_export_button").click().run()
    assert at.get("download_button")
    con = using(db_path)
    try:
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'audit.export' AND actor = 'tech'") == 1
    finally:
        con.close()


def test_security_audit_page_names_a_broken_row(db_path):
    con = using(db_path)
    audit.seal(con)
    victim = scalar(con, "SELECT audit_id FROM audit_chain ORDER BY seq LIMIT 1 OFFSET 2")
    con.execute("UPDATE audit_log SET summary = '篡改' WHERE id = ?", [victim])
    con.close()
    at = open_page(app_as(db_path, "webmaster"), "security_audit")
    assert "断裂" in at.error[0].value and f"日志编号 {victim}" in at.error[0].value
    assert not [b for b in at.button if b.label.startswith("归档")]  # archiving is technical support's


def test_only_tech_archives(db_path):
    at = open_page(app_as(db_path, "tech"), "security_audit")
    at.button(key="security_audit_archive").click().run()
    assert "没有超过保留期限" in texts(at)


# ---------------------------------------------------------------- 安全事件

def test_incidents_page_records_and_confirms(db_path):
    con = using(db_path)
    suggested = incidents.suggest_incident(con, "login_burst", "10 分钟内登录失败 25 次")
    con.close()
    at = open_page(app_as(db_path, "webmaster"), "incidents")
    assert not at.exception and "待确认的自动提示" in texts(at)
    at.selectbox(key=f"incidents_confirm_level_{suggested}").set_value("较大")
    button(at, "确认事件").click().run()
    assert "已确认为较大事件" in texts(at)
    at.text_input(key="incidents_new_title").input("政务公开栏目页面无法访问")
    at.text_area(key="incidents_new_description").input("上午 9 时起栏目页返回 502")
    at.selectbox(key="incidents_new_severity").set_value("一般")
    button(at, "登记").click().run()
    assert not at.error and "已登记" in texts(at)
    table = at.dataframe[0].value
    assert set(table["事件"]) == {"政务公开栏目页面无法访问", "登录失败次数激增"}


def test_incident_refusal_keeps_the_form(db_path):
    at = open_page(app_as(db_path, "tech"), "incidents")
    at.text_input(key="incidents_new_title").input("无描述的事件")
    button(at, "登记").click().run()
    assert "事件描述" in at.error[0].value
    assert at.text_input(key="incidents_new_title").value == "无描述的事件"


# ---------------------------------------------------------------- 备份

def test_backups_page_backs_up_and_verifies(db_path, tmp_path):
    con = using(db_path)
    settings.set_values(con, accounts.find_user(con, "webmaster"), {"backup_dir": str(tmp_path / "bk")})
    con.close()
    at = open_page(app_as(db_path, "tech"), "backups")
    assert not at.exception and [m.value for m in at.metric if m.label == "最近一次成功"] == ["尚无"]
    at.button(key="backups_now").click().run()
    assert "备份完成" in texts(at)
    assert at.dataframe[0].value["备份"].iloc[0].startswith("portal-")
    at.button(key="backups_verify").click().run()
    assert "校验通过" in texts(at)
    con = using(db_path)
    try:
        assert backup.last_runs(con)["success"]["actor"] == "tech"
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'backup.verify'") == 1
    finally:
        con.close()


def test_backups_page_names_the_folder_readably_and_gives_the_full_path(db_path, tmp_path):
    """By default the folder is named in words (not a server's or a temporary folder's long path: the manual's
    picture showed /tmp/pytest-of-…); the full path is the caption's help. A folder the office set is shown as set."""
    at = open_page(app_as(db_path, "tech"), "backups")
    [caption] = [c for c in at.caption if c.value.startswith("备份目录:")]
    assert caption.value == "备份目录:数据库所在目录下的备份文件夹(默认)"
    assert caption.proto.help == f"完整路径:{tmp_path / 'backups'}"
    con = using(db_path)
    settings.set_values(con, accounts.find_user(con, "webmaster"), {"backup_dir": str(tmp_path / "bk")})
    con.close()
    at = open_page(app_as(db_path, "tech"), "backups")
    [caption] = [c for c in at.caption if c.value.startswith("备份目录:")]
    assert caption.value == f"备份目录:{tmp_path / 'bk'}" and caption.proto.help == f"完整路径:{tmp_path / 'bk'}"


def test_backups_page_shows_the_last_failure(db_path, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    con = using(db_path)
    settings.set_values(con, accounts.find_user(con, "webmaster"), {"backup_dir": str(blocker)})
    backup.run_due(con, None, dt.datetime.now().replace(hour=23, minute=59))
    con.close()
    at = open_page(app_as(db_path, "webmaster"), "backups")
    assert "最近一次备份失败" in at.error[0].value
