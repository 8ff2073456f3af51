"""Accounts and sign-in (第二十、二十二、二十四条): lockout without enumeration, password rules, expiry,
second factor, sessions that end everywhere, and the full role × action permission matrix."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, incidents, login, passwords, permissions, security_audit, sessions, settings, totp
from core.db import rows, scalar
from core.errors import PermissionDenied, ValidationError
from tests.conftest import PASSWORD

NEW = "Huashan-Peak-2071!"  # passes every rule


def attempts(con, username, password, n, client="203.0.113.7", now=None):
    return [login.password_step(con, username, password, client, now) for _ in range(n)]


def audit_rows(con, action):
    return rows(con, "SELECT actor, object, summary, client FROM audit_log WHERE action = ? ORDER BY id", [action])


# ---------------------------------------------------------------- lockout and no enumeration

def test_success_opens_a_session_and_logs_the_client(con, org):
    outcome = login.password_step(con, "officer", PASSWORD, "198.51.100.2")
    assert outcome.ok and outcome.username == "officer" and outcome.session_id
    assert sessions.open_count(con, org.officer.id) == 1
    assert audit_rows(con, "auth.login")[-1]["client"] == "198.51.100.2"


def test_lockout_after_five_failures_in_a_row(con, org):
    results = attempts(con, "officer", "wrong-password", 5)
    assert [r.status for r in results] == ["failed"] * 4 + ["locked"]
    # while locked even the right password is refused, and not even checked
    refused = login.password_step(con, "officer", PASSWORD, "203.0.113.7")
    assert refused.status == "locked" and "锁定" in refused.message
    assert [r["summary"][:4] for r in audit_rows(con, "auth.login_failed")] == ["密码错误"] * 5
    assert len(audit_rows(con, "auth.lockout")) == 1
    assert audit_rows(con, "auth.login_refused")[0]["client"] == "203.0.113.7"
    assert accounts.locked_until(con, "officer") is not None


def test_a_success_resets_the_count(con, org):
    attempts(con, "officer", "wrong-password", 4)
    assert login.password_step(con, "officer", PASSWORD, "203.0.113.7").ok  # the count is per address
    assert [r.status for r in attempts(con, "officer", "wrong-password", 4)] == ["failed"] * 4


def test_wrong_user_and_wrong_password_look_the_same(con, org):
    unknown = attempts(con, "nobody", "wrong-password", 5)
    known = attempts(con, "officer", "wrong-password", 5)
    assert [(r.status, r.message) for r in unknown] == [(r.status, r.message) for r in known]
    assert unknown[0].message == login.WRONG == "用户名或密码不正确。"
    # a disabled account with its right password answers the same too
    accounts.set_active(con, org.webmaster, org.head.id, False)
    assert login.password_step(con, "head", PASSWORD).message == login.WRONG
    # the log (for technical support) says what really happened
    summaries = [r["summary"] for r in audit_rows(con, "auth.login_failed")]
    assert any("用户名不存在" in s for s in summaries) and any("账号已停用" in s for s in summaries)


def test_lock_runs_out_and_the_unlock_is_logged(con, org):
    start = dt.datetime.now()
    attempts(con, "officer", "wrong-password", 5, now=start)
    # the lock is on the address the failures came from (see tests/test_security_desk.py, L3)
    assert login.password_step(con, "officer", PASSWORD, "203.0.113.7",
                               now=start + dt.timedelta(minutes=14)).status == "locked"
    later = login.password_step(con, "officer", PASSWORD, "203.0.113.7", now=start + dt.timedelta(minutes=16))
    assert later.ok
    assert audit_rows(con, "auth.unlock")[0]["summary"] == "锁定期满,自动解锁"


def test_lockout_settings_are_the_offices(con, org):
    settings.set_values(con, org.webmaster, {"login_max_failures": 3, "login_lockout_minutes": 60})
    start = dt.datetime.now()
    assert [r.status for r in attempts(con, "officer", "x", 3, now=start)] == ["failed", "failed", "locked"]
    assert login.password_step(con, "officer", PASSWORD, "203.0.113.7",
                               now=start + dt.timedelta(minutes=59)).status == "locked"
    assert login.lock_remaining(con, "officer", start, "203.0.113.7") == 60


def test_office_unlocks_with_an_audit_row(con, org):
    attempts(con, "officer", "x", 5)
    assert [u["锁定至"] is not None for u in accounts.list_users(con) if u["用户名"] == "officer"] == [True]
    assert accounts.unlock(con, org.webmaster, org.officer.id)
    assert login.password_step(con, "officer", PASSWORD).ok
    assert audit_rows(con, "accounts.unlock")[0]["actor"] == "webmaster"
    with pytest.raises(PermissionDenied):
        accounts.unlock(con, org.tech, org.officer.id)


def test_a_burst_of_failures_suggests_an_incident_once(con, org):
    settings.set_values(con, org.webmaster, {"incident_login_burst": 6})
    for name in ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"):
        login.password_step(con, name, "guess", "192.0.2.9")
    suggested = incidents.listing(con, org.tech, ["suggested"])
    assert len(suggested) == 1 and suggested[0]["source"] == "login_burst"
    assert "登录失败" in suggested[0]["description"]


def test_client_address_behind_the_proxy():
    assert login.client_address("10.1.2.3", {}) == "10.1.2.3"
    assert login.client_address("::ffff:10.1.2.3", {}) == "10.1.2.3"
    assert login.client_address("::ffff:127.0.0.1", {"X-Forwarded-For": "198.51.100.4"}) == "198.51.100.4"
    assert login.client_address("127.0.0.1", {"X-Forwarded-For": "198.51.100.4"}) == "198.51.100.4"
    spoofed = login.client_address("127.0.0.1", {"X-Forwarded-For": "1.1.1.1, 198.51.100.4"})
    assert spoofed.startswith("198.51.100.4") and "1.1.1.1" in spoofed
    # a direct client cannot claim another address
    assert login.client_address("203.0.113.1", {"X-Forwarded-For": "1.1.1.1"}) == "203.0.113.1"


# ---------------------------------------------------------------- password rules

@pytest.mark.parametrize("password,rule", [
    ("Short-1a", "至少 10 个字符"),
    ("alllowercase-only", "至少三类"),
    ("xOfficer-2024!", "用户名"),
    ("Password123!", "常见"),
    ("P@ssw0rd2024", "常见"),
    ("Woaini1314@!", "常见"),
    ("Zhangwei2024!", "常见"),
    ("Aa123456789!", "常见"),
])
def test_password_rules(con, org, password, rule):
    with pytest.raises(ValidationError, match=rule):
        accounts.change_password(con, org.officer, PASSWORD, password.replace("xOfficer", "xofficer"))


def test_common_list_is_shipped_and_reproducible():
    shipped = passwords.common_passwords()
    assert len(shipped) >= 5000
    assert set(passwords.generate_common()) <= shipped
    assert {"password", "woaini", "zhangwei", "qwerty", "sxit", "123456789"} <= shipped


def test_minimum_length_is_a_setting(con, org):
    settings.set_values(con, org.webmaster, {"password_min_length": 20})
    with pytest.raises(ValidationError, match="至少 20 个字符"):
        accounts.change_password(con, org.officer, PASSWORD, NEW)
    with pytest.raises(ValidationError, match="不能小于 8"):
        settings.set_values(con, org.webmaster, {"password_min_length": 6})


def test_not_one_of_the_last_five(con, org):
    sequence = [f"Qinling-Ridge-{n}x!" for n in range(1, 7)]
    current = PASSWORD
    for new in sequence[:5]:
        accounts.change_password(con, org.officer, current, new)
        current = new
    # the last five (the current one included) are refused, the sixth-last is allowed again
    for old in sequence[:5]:
        if old != current:
            with pytest.raises(ValidationError, match="最近 5 次"):
                accounts.change_password(con, org.officer, current, old)
    accounts.change_password(con, org.officer, current, PASSWORD)  # PASSWORD was six changes ago
    assert scalar(con, "SELECT count(*) FROM password_history WHERE user_id = ?", [org.officer.id]) == 6


def test_no_page_sees_a_hash_or_secret(con, org):
    listed = accounts.list_users(con)
    assert not any("$2" in str(v) for u in listed for v in u.values())
    assert not any("hash" in k or "secret" in k for u in listed for k in u)


# ---------------------------------------------------------------- expiry and the forced change

def test_expired_password_forces_a_change_and_core_refuses_actions(con, org):
    con.execute("UPDATE users SET password_changed_at = now()::TIMESTAMP - INTERVAL 91 DAY WHERE id = ?",
                [org.officer.id])
    officer = accounts.get_user(con, org.officer.id)
    assert officer.password_expired and officer.must_change_password
    with pytest.raises(PermissionDenied, match="请先修改"):
        permissions.require(officer, "article.create", {"retired": False, "division_id": org.dz})
    assert login.password_step(con, "officer", PASSWORD).ok  # sign-in works, the frame shows only the change
    accounts.change_password(con, officer, PASSWORD, NEW)
    assert not accounts.get_user(con, org.officer.id).must_change_password
    settings.set_values(con, org.webmaster, {"password_max_age_days": 0})  # 0: never expires
    con.execute("UPDATE users SET password_changed_at = DATE '2000-01-01' WHERE id = ?", [org.officer.id])
    assert not accounts.get_user(con, org.officer.id).password_expired


def test_initial_password_must_be_changed(con, org):
    created, initial = accounts.create_user(con, org.webmaster, "zhaoliu", "赵六", ["officer"], org.dz)
    assert created.must_change_password and passwords.character_classes(initial) == 4
    with pytest.raises(PermissionDenied):
        permissions.require(created, "article.create", {"retired": False, "division_id": org.dz})
    accounts.change_password(con, created, initial, NEW)
    assert not accounts.get_user(con, created.id).must_change_password


# ---------------------------------------------------------------- sessions

def test_password_change_ends_every_session(con, org):
    first = login.password_step(con, "officer", PASSWORD).session_id
    second = login.password_step(con, "officer", PASSWORD).session_id
    other = login.password_step(con, "head", PASSWORD).session_id
    accounts.change_password(con, org.officer, PASSWORD, NEW)
    assert login.check_session(con, first, org.officer) and login.check_session(con, second, org.officer)
    assert "密码已修改" in login.check_session(con, first, org.officer)
    assert login.check_session(con, other, org.head) is None


def test_reset_and_disable_end_sessions(con, org):
    session = login.password_step(con, "officer", PASSWORD).session_id
    accounts.reset_password(con, org.webmaster, org.officer.id)
    assert "重置" in login.check_session(con, session, org.officer)
    session = login.password_step(con, "head", PASSWORD).session_id
    accounts.set_active(con, org.webmaster, org.head.id, False)
    assert "停用" in login.check_session(con, session, org.head)


def test_idle_timeout(con, org):
    session = login.password_step(con, "officer", PASSWORD).session_id
    now = dt.datetime.now()
    assert login.check_session(con, session, org.officer, now=now + dt.timedelta(minutes=29)) is None
    # the check at +29 touched the session: idle is counted from the last activity
    assert login.check_session(con, session, org.officer, now=now + dt.timedelta(minutes=58)) is None
    assert "未操作" in login.check_session(con, session, org.officer, now=now + dt.timedelta(minutes=89))
    assert audit_rows(con, "auth.session_end")[0]["summary"].startswith("长时间未操作")
    settings.set_values(con, org.webmaster, {"session_idle_minutes": 5})
    session = login.password_step(con, "officer", PASSWORD).session_id
    assert login.check_session(con, session, org.officer, now=dt.datetime.now() + dt.timedelta(minutes=6))


def test_cookie_resumes_only_a_live_session(con, org):
    outcome = login.password_step(con, "officer", PASSWORD)
    ref = sessions.cookie_ref("officer", 1893456000.123456)
    sessions.bind_cookie(con, outcome.session_id, ref)
    assert login.resume(con, "officer", ref) == outcome.session_id
    assert login.resume(con, "head", ref) is None  # a cookie names its own user
    assert login.resume(con, "officer", sessions.cookie_ref("officer", 1.0)) is None
    accounts.change_password(con, org.officer, PASSWORD, NEW)
    assert login.resume(con, "officer", ref) is None  # logout everywhere: the old cookie is dead


def test_logout_ends_the_session(con, org):
    outcome = login.password_step(con, "officer", PASSWORD)
    login.logout(con, outcome.session_id, "officer")
    assert "退出" in login.check_session(con, outcome.session_id, org.officer)
    assert audit_rows(con, "auth.logout")[0]["actor"] == "officer"


# ---------------------------------------------------------------- second factor

def test_required_totp_enrols_then_asks_for_codes(con, org):
    settings.set_values(con, org.webmaster, {"totp_required_admins": True})
    assert login.password_step(con, "officer", PASSWORD).ok  # officers are not concerned
    assert login.password_step(con, "webmaster", PASSWORD).status == "enrol"
    secret = totp.new_secret()
    assert login.enrol_step(con, "webmaster", secret, "000000").status == "failed"
    now = dt.datetime.now()
    enrolled = login.enrol_step(con, "webmaster", secret, totp.code_at(secret, now), now=now)
    assert enrolled.ok and accounts.get_user(con, org.webmaster.id).totp_enabled
    # next sign-in: password, then a fresh code; the code just used is spent (replay)
    assert login.password_step(con, "webmaster", PASSWORD).status == "totp"
    assert login.totp_step(con, "webmaster", totp.code_at(secret, now), now=now).status == "failed"
    later = now + dt.timedelta(seconds=60)
    assert login.totp_step(con, "webmaster", totp.code_at(secret, later), now=later).ok
    assert {r["summary"].split(";")[0] for r in audit_rows(con, "auth.login")} >= {"密码 + 动态口令"}


def test_wrong_codes_count_towards_the_lockout(con, org):
    secret = totp.new_secret()
    accounts.enrol_totp(con, org.tech, secret, totp.code_at(secret))
    assert login.password_step(con, "tech", PASSWORD).status == "totp"
    results = [login.totp_step(con, "tech", "123456") for _ in range(5)]
    assert results[-1].status == "locked"
    assert login.password_step(con, "tech", PASSWORD).status == "locked"


def test_office_resets_a_lost_second_factor(con, org):
    secret = totp.new_secret()
    accounts.enrol_totp(con, org.tech, secret, totp.code_at(secret))
    session = login.password_step(con, "tech", PASSWORD)  # status totp: no session yet
    assert session.session_id is None
    accounts.reset_totp(con, org.webmaster, org.tech.id)
    assert not accounts.get_user(con, org.tech.id).totp_enabled
    assert login.password_step(con, "tech", PASSWORD).ok
    with pytest.raises(ValidationError, match="不正确"):
        accounts.enrol_totp(con, org.tech, secret, "000000")


def test_required_totp_cannot_be_switched_off(con, org):
    secret = totp.new_secret()
    accounts.enrol_totp(con, org.webmaster, secret, totp.code_at(secret))
    settings.set_values(con, org.webmaster, {"totp_required_admins": True})
    with pytest.raises(ValidationError, match="不能停用"):
        accounts.disable_totp(con, accounts.get_user(con, org.webmaster.id), PASSWORD)
    settings.set_values(con, org.webmaster, {"totp_required_admins": False})
    accounts.disable_totp(con, accounts.get_user(con, org.webmaster.id), PASSWORD)
    assert not accounts.has_totp(con, org.webmaster.id)


# ---------------------------------------------------------------- the full permission matrix (第二十四条)

ROLES = ["officer", "officer_cw", "head", "head_cw", "leader", "leader_other", "group1", "webmaster", "tech",
         "analyst"]
OFFICE = {"webmaster"}
SECURITY = {"webmaster", "tech"}
# every action in core.permissions.RULES → the roles allowed on the representative object below
MATRIX = {
    "article.create": {"officer", "webmaster"},
    "article.edit": {"officer", "webmaster"},
    "article.submit": {"officer", "webmaster"},
    "article.withdraw": {"officer", "webmaster"},
    "article.publish": {"officer", "webmaster"},
    "article.restore_withdrawn": {"officer", "webmaster"},
    "article.approve": {"head"},
    "article.return": {"head"},
    "article.escalate": {"head"},
    "article.view": {"officer", "head", "leader", "group1", "webmaster", "tech", "analyst"},
    "article.take_down": OFFICE,
    "article.restore": OFFICE,
    "columns.manage": OFFICE,
    "accounts.manage": OFFICE,
    "settings.edit": OFFICE,
    "chain.edit": OFFICE,
    "requests.handle": OFFICE,
    "lexicon.edit": OFFICE,
    "calendar.edit": OFFICE,
    "messages.moderate": OFFICE,
    "messages.answer": {"officer"},
    "messages.approve": {"head"},
    "messages.view": {"officer", "head", "leader", "webmaster"},
    # 第二十五、二十七条: the board of 电子信息处 (matrix_object); the whole site needs the office's view
    "freshness.view": {"officer", "head", "leader", "group1", "webmaster", "analyst"},
    "freshness.manage": OFFICE,
    "evaluation.view": {"leader", "leader_other", "group1", "webmaster", "analyst"},
    "evaluation.manage": OFFICE,
    "requests.create": {"officer"},
    "audit.view": SECURITY,
    "audit.export": SECURITY,
    "audit.archive": {"tech"},
    "backup.view": SECURITY,
    "backup.run": SECURITY,
    "incidents.view": SECURITY,
    "incidents.manage": SECURITY,
    # 第二十五条: asked about 电子信息处, its own head sees it, the other division's head does not
    "stats.view": {"head", "leader", "leader_other", "group1", "webmaster", "analyst"},
    "bulletin.issue": OFFICE,
    # the pages' own permissions (pages/_shared.PAGES): the role sets the navigation had before it asked core
    "article.draft": {"officer", "officer_cw", "webmaster"},
    "article.review": {"head", "head_cw", "leader", "leader_other", "group1"},
    "requests.apply": {"officer", "officer_cw"},
    "messages.handle": {"officer", "officer_cw", "head", "head_cw"},
    "freshness.board": set(ROLES) - {"tech"},
    "overview.view": {"leader", "leader_other", "group1", "webmaster", "tech", "analyst"},
    "regulation.read": set(ROLES),
    "account.own": set(ROLES),
    # 政务公开 (issue 14): an application held by 电子信息处; the office's head (none in this org) extends
    "disclosure.desk": {"officer", "officer_cw", "head", "head_cw", "webmaster"},
    "disclosure.manage": OFFICE,
    "disclosure.handle": {"officer", "head", "webmaster"},
    "disclosure.view": {"officer", "head", "webmaster"},
    "disclosure.extend": set(),
    "disclosure_report.view": {"leader", "leader_other", "webmaster"},
    "disclosure_report.edit": OFFICE,
    "catalogue.manage": OFFICE,
    "catalogue.validity": {"officer", "webmaster"},
    # issue 15
    "golive.view": {"webmaster", "tech"},
    "site_report.view": {"leader", "leader_other", "webmaster"},
    "site_report.edit": OFFICE,
    "site_inspection.view": {"leader", "leader_other", "group1", "webmaster"},
    "links.board": {"officer", "officer_cw", "head", "head_cw", "webmaster", "tech"},
    "links.view": {"officer", "head", "webmaster", "tech"},  # of 电子信息处: its own officer and head
    "links.check": {"webmaster", "tech"},
    # issue 17, duties (第二十七条(四)): the office records; 电子信息处's own officer and head link and see its records
    "duties.manage": OFFICE,
    "duties.link": {"officer", "head", "webmaster"},
    "duties.view": {"officer", "head", "leader", "group1", "webmaster", "analyst"},
    # issue 17, proposals (第八、九、十、二十六条): anyone opens the page; a division's officer or head and the
    # technical-support unit propose; 电子信息处's officer's proposal is seen by its division and the office, changed
    # or withdrawn by him alone; the office decides and carries out
    "proposals.page": set(ROLES),
    "proposals.submit": {"officer", "officer_cw", "head", "head_cw", "tech"},
    "proposals.view": {"officer", "head", "webmaster"},
    "proposals.revise": {"officer"},
    "proposals.withdraw": {"officer"},
    "proposals.decide": OFFICE,
    "proposals.carry_out": OFFICE,
    # 落实情况 of an adopted design plan: the office, and the technical-support unit that carries it out (第十条(一))
    "proposals.implement": {"webmaster", "tech"},
    # issue 17, support and training (第十条): officers and heads raise, the unit handles, the office sees all;
    # 电子信息处's officer's request is his, the unit's and the office's
    "support.desk": {"officer", "officer_cw", "head", "head_cw", "tech", "webmaster"},
    "support.raise": {"officer", "officer_cw", "head", "head_cw"},
    "support.handle": {"tech"},
    "support.all": SECURITY,
    "support.view": {"officer", "tech", "webmaster"},
    "support.requester": {"officer"},
    "training.board": {"officer", "officer_cw", "head", "head_cw", "tech", "webmaster"},
    "training.record": SECURITY,
    "training.stats": {"leader", "leader_other", "group1", "analyst", "tech", "webmaster"},
    # issue 17, 征集调查 (第二十三条): the office, and 电子信息处's head for its own consultation
    "consultations.manage": {"head", "webmaster"},
    "interviews.manage": {"head", "webmaster"},  # 在线访谈: the same people
}


def matrix_object(org, action):
    article = {"lead_division_id": org.dz, "chain": ["head"], "step": 1, "codivisions": []}
    if action == "article.create":
        return {"retired": False, "division_id": org.dz}
    if action in ("requests.create", "stats.view", "freshness.view", "links.view", "duties.view"):
        return org.dz
    if action.startswith("messages.") or action == "duties.link":
        return {"division_id": org.dz}
    if action in ("proposals.view", "proposals.revise", "proposals.withdraw"):
        return {"proposer_id": org.officer.id, "division_id": org.dz}
    if action == "proposals.implement":
        return {"proposer_id": org.officer.id, "division_id": org.dz, "kind": "design", "state": "adopted"}
    if action in ("consultations.manage", "interviews.manage"):
        return {"division_id": org.dz}
    if action in ("support.view", "support.requester"):
        return {"requester_id": org.officer.id}
    if action.startswith("disclosure."):
        return {"division_id": org.dz, "office_division_id": org.webmaster.division_id}
    return article if action.startswith(("article.", "catalogue.validity")) else None


def test_every_action_is_in_the_matrix():
    # a new action must be added here with the roles it allows
    assert set(permissions.RULES) <= set(MATRIX), sorted(set(permissions.RULES) - set(MATRIX))


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_role_action_matrix(org, action):
    if action not in permissions.RULES:
        pytest.skip(f"{action} not defined in this build")
    obj = matrix_object(org, action)
    allowed = {role for role in ROLES if permissions.can(getattr(org, role), action, obj)}
    assert allowed == MATRIX[action], action
    for role in set(ROLES) - allowed:
        denied = permissions.reason(getattr(org, role), action, obj)
        assert denied and denied[1].startswith("第"), (role, action)


@pytest.mark.parametrize("action", ["audit.view", "backup.run", "incidents.manage"])
def test_security_actions_are_enforced_in_core(con, org, action):
    calls = {
        "audit.view": lambda actor: security_audit.search(con, actor),
        "backup.run": lambda actor: __import__("core.backup", fromlist=["x"]).create_backup(con, actor=actor),
        "incidents.manage": lambda actor: incidents.create(con, actor, "t", "一般", dt.datetime.now(), "d"),
    }
    for role in ("officer", "head", "analyst", "leader"):
        with pytest.raises(PermissionDenied, match="第二十条"):
            calls[action](getattr(org, role))
