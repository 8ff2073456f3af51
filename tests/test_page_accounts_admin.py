"""账号管理 page (第二十二、二十四条): accounts by the office, one-time passwords shown once, no hashes."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import connect
from core.errors import ValidationError
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import PASSWORD, make_org


@pytest.fixture
def db_path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def everything(at) -> str:
    """All text on the page, tables and code blocks included."""
    parts = [texts(at)] + [c.value for c in at.code]
    parts += [d.value.to_string() for d in at.dataframe]
    parts += [str(w.value) for w in at.text_input]
    return "\n".join(parts)


def reading(db_path):
    return connect(db_path)


def admin_page(db_path):
    at = open_page(app_as(db_path, "webmaster"), "accounts_admin")
    assert not at.exception
    return at


def fill_new_account(at, username="zhangsan", name="张三", roles=("officer",), division=None, email=""):
    at.text_input(key="accounts_admin_new_username").input(username)
    at.text_input(key="accounts_admin_new_name").input(name)
    at.text_input(key="accounts_admin_new_email").input(email)
    at.multiselect(key="accounts_admin_new_roles").set_value(list(roles))
    at.run()
    if division is not None:
        at.selectbox(key="accounts_admin_new_division").set_value(division)
    return at


def division_id(db_path, name: str) -> int:
    con = reading(db_path)
    try:
        return con.execute("SELECT id FROM divisions WHERE name = ?", [name]).fetchone()[0]
    finally:
        con.close()


def user_id(db_path, username: str) -> int:
    con = reading(db_path)
    try:
        return accounts.find_user(con, username).id
    finally:
        con.close()


def test_list_shows_chinese_role_labels_and_no_hash(db_path):
    at = admin_page(db_path)
    table = at.dataframe[0].value
    assert "信息员" in set(table["角色"]) and "网站管理员" in set(table["角色"])
    assert "system" not in set(table["用户名"])
    assert "$2b$" not in everything(at)


def test_create_officer_shows_password_once(db_path):
    at = fill_new_account(admin_page(db_path), division=division_id(db_path, "电子信息处"),
                          email="zhangsan@sxit.gov.cn")
    at.button(key="accounts_admin_create").click().run()
    assert not at.exception and not at.error
    assert len(at.code) == 1
    initial = at.code[0].value
    assert "zhangsan" in texts(at) and "只显示这一次" in texts(at)
    assert "$2b$" not in everything(at)
    con = reading(db_path)
    try:
        created = accounts.verify_password(con, "zhangsan", initial)
        assert created is not None
        assert created.must_change_password
        assert created.roles == {"officer"}
    finally:
        con.close()
    # the form is empty again for the next account
    assert at.text_input(key="accounts_admin_new_username").value == ""
    # the next rerun no longer shows the password anywhere
    at.run()
    assert not at.code
    assert initial not in everything(at)
    assert "zhangsan" in set(at.dataframe[0].value["用户名"])


def test_acknowledge_button_hides_the_password(db_path):
    at = fill_new_account(admin_page(db_path), username="lisi", name="李四", roles=("tech",))
    at.button(key="accounts_admin_create").click().run()
    initial = at.code[0].value
    at.button(key="accounts_admin_secret_done").click().run()
    assert not at.code and initial not in everything(at)


def test_leader_gets_divisions_in_charge(db_path):
    dz = division_id(db_path, "电子信息处")
    at = fill_new_account(admin_page(db_path), username="wangwu", name="王五", roles=("leader",))
    at.multiselect(key="accounts_admin_new_charge").set_value([dz])
    at.button(key="accounts_admin_create").click().run()
    assert not at.error
    con = reading(db_path)
    try:
        assert accounts.find_user(con, "wangwu").charge == {dz}
    finally:
        con.close()


def test_duplicate_username_refused_and_input_kept(db_path):
    at = fill_new_account(admin_page(db_path), username="officer", name="重名", division=division_id(db_path, "财务处"))
    at.button(key="accounts_admin_create").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "「用户名」" in errors and "第二十二条" in errors
    assert not at.code
    assert at.text_input(key="accounts_admin_new_username").value == "officer"
    assert at.text_input(key="accounts_admin_new_name").value == "重名"


def test_officer_without_division_refused(db_path):
    at = fill_new_account(admin_page(db_path), username="nodiv", name="无处室")
    at.button(key="accounts_admin_create").click().run()
    assert "所属处室" in " ".join(e.value for e in at.error)


def test_reset_password_shows_a_new_one_time_password(db_path):
    at = admin_page(db_path)
    at.selectbox(key="accounts_admin_target").set_value(user_id(db_path, "officer")).run()
    at.button(key="accounts_admin_reset").click().run()
    assert not at.error and len(at.code) == 1
    new = at.code[0].value
    assert new != PASSWORD
    con = reading(db_path)
    try:
        assert accounts.verify_password(con, "officer", PASSWORD) is None
        assert accounts.verify_password(con, "officer", new).must_change_password
    finally:
        con.close()
    at.run()
    assert not at.code and new not in everything(at)


def test_disable_and_enable(db_path):
    officer = user_id(db_path, "officer")
    at = admin_page(db_path)
    at.selectbox(key="accounts_admin_target").set_value(officer).run()
    assert at.button(key="accounts_admin_toggle_active").label == "停用账号"
    at.button(key="accounts_admin_toggle_active").click().run()
    assert "已停用" in texts(at)
    con = reading(db_path)
    try:
        assert not accounts.get_user(con, officer).active
        assert accounts.verify_password(con, "officer", PASSWORD) is None
    finally:
        con.close()
    assert at.button(key="accounts_admin_toggle_active").label == "启用账号"
    at.button(key="accounts_admin_toggle_active").click().run()
    con = reading(db_path)
    try:
        assert accounts.get_user(con, officer).active
    finally:
        con.close()


def test_change_roles_and_division(db_path):
    officer = user_id(db_path, "officer")
    cw = division_id(db_path, "财务处")
    at = admin_page(db_path)
    at.selectbox(key="accounts_admin_target").set_value(officer).run()
    at.multiselect(key=f"accounts_admin_edit_roles_{officer}").set_value(["officer", "head"])
    at.selectbox(key=f"accounts_admin_edit_division_{officer}").set_value(cw)
    at.button(key="accounts_admin_save").click().run()
    assert not at.error and "已更新" in texts(at)
    con = reading(db_path)
    try:
        changed = accounts.get_user(con, officer)
        assert changed.roles == {"officer", "head"} and changed.division_id == cw
    finally:
        con.close()


def test_officer_cannot_reach_the_page(db_path):
    at = app_as(db_path, "officer")
    with pytest.raises(Exception):  # noqa: B017 - AppTest raises on a page outside st.navigation
        open_page(at, "accounts_admin")


# ---------------------------------------------------------------- the small core additions

def test_set_assignment_clears_division_and_charge(con, org):
    moved = accounts.set_assignment(con, org.webmaster, org.officer.id, ["leader"], None, [org.dz])
    assert moved.division_id is None and moved.roles == {"leader"} and moved.charge == {org.dz}
    back = accounts.set_assignment(con, org.webmaster, org.officer.id, ["officer"], org.cw, [org.dz])
    assert back.division_id == org.cw and back.charge == frozenset()  # only leaders have charge


def test_set_assignment_refusals(con, org):
    with pytest.raises(ValidationError, match="所属处室"):
        accounts.set_assignment(con, org.webmaster, org.officer.id, ["officer"], None)
    with pytest.raises(ValidationError, match="未知角色"):
        accounts.set_assignment(con, org.webmaster, org.officer.id, ["boss"], None)
    with pytest.raises(ValidationError, match="网站管理员"):
        accounts.set_assignment(con, org.webmaster, org.webmaster.id, ["officer"], org.dz)
    assert accounts.get_user(con, org.officer.id).roles == {"officer"}


def test_set_active_refuses_disabling_oneself(con, org):
    with pytest.raises(ValidationError, match="不能停用自己"):
        accounts.set_active(con, org.webmaster, org.webmaster.id, False)
    assert not accounts.set_active(con, org.webmaster, org.tech.id, False).active
