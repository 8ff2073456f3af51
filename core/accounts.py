"""Accounts and roles (第十一、二十二、二十四条): the office creates them; passwords are bcrypt.

No password, hash or second-factor secret ever leaves core: pages get flags ("must change",
"locked", "second factor on"), never the values. Password rules live in core/passwords.py,
sign-in and lockout in core/login.py, sessions in core/sessions.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import duckdb

from core import audit, keys, passwords, sessions, settings, totp
from core.db import kept, row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.permissions import require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)

ROLE_LABELS: dict[str, str] = {
    "officer": "信息员",
    "head": "处室负责人",
    "leader": "分管领导",
    "group": "信息化领导小组",
    "webmaster": "网站管理员",
    "tech": "技术支持",
    "analyst": "分析员",
}
# roles that belong to one division (第十一条)
DIVISION_ROLES = {"officer", "head"}
USERNAME_RULE = re.compile(r"[a-z][a-z0-9_.-]{2,31}")
EMAIL_RULE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    email: str | None
    division_id: int | None
    roles: frozenset[str]
    charge: frozenset[int] = field(default_factory=frozenset)
    must_change_password: bool = False  # the initial or reset password, or an expired one (第二十二条)
    active: bool = True
    password_expired: bool = False
    totp_enabled: bool = False

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> str:
        return "、".join(ROLE_LABELS[r] for r in ROLE_LABELS if r in self.roles)


def hash_password(password: str) -> str:
    return passwords.hash_password(password)


def generate_password(length: int = 14) -> str:
    """A random one-time password with all four character classes."""
    return passwords.generate_password(length)


def check_password_rules(username: str, password: str, min_length: int = 10) -> None:
    """The rules that need no database: length, classes, user name, common passwords (第二十二条)."""
    passwords.check_rules(username, password, min_length=min_length)


def _expired(con, found: dict, now: dt.datetime | None = None) -> bool:
    # counted from the user's own last change; an initial password is changed at first login
    # anyway, and installer or demo accounts (password set without a change) do not expire
    changed = found["password_changed_at"]
    if found["username"] == "system" or found["must_change_password"] or changed is None:
        return False
    days = settings.get(con, "password_max_age_days")
    return bool(days) and (now or dt.datetime.now()) - changed > dt.timedelta(days=days)


def _stored(con: duckdb.DuckDBPyConnection, where: str, param) -> tuple | None:
    """The account's rows: the user, roles, leader charge, second factor on."""
    found = row(con, f"SELECT * FROM users WHERE {where}", [param])
    if not found:
        return None
    roles = frozenset(r["role"] for r in rows(con, "SELECT role FROM user_roles WHERE user_id = ?", [found["id"]]))
    charge = frozenset(r["division_id"] for r in rows(
        con, "SELECT division_id FROM leader_charge WHERE user_id = ?", [found["id"]]))
    return found, roles, charge, has_totp(con, found["id"])


def _load(con: duckdb.DuckDBPyConnection, where: str, param) -> User | None:
    # the rows are kept until the next write to the database by anyone (core.db.kept): a disabled
    # account, a new role or a reset is read afresh at the next run; the expiry is the clock's, every time
    stored = kept(con, "user", (where, param), lambda: _stored(con, where, param))
    if stored is None:
        return None
    found, roles, charge, totp_on = stored
    expired = _expired(con, found)
    return User(
        id=found["id"], username=found["username"], display_name=found["display_name"],
        email=found["email"], division_id=found["division_id"], roles=roles,
        charge=charge, must_change_password=bool(found["must_change_password"]) or expired,
        active=found["active"], password_expired=expired, totp_enabled=totp_on,
    )


def get_user(con: duckdb.DuckDBPyConnection, user_id: int) -> User:
    user = _load(con, "id = ?", user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在")
    return user


def find_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    return _load(con, "username = ?", username)


def system_user(con: duckdb.DuckDBPyConnection) -> User:
    """The account the scheduler acts as; created with the schema's demo or first init."""
    user = find_user(con, "system")
    if user is None:
        raise NotFound("缺少系统账号 system,请运行 python -m core init")
    return user


def _validate_new_account(con, username: str, display_name: str, roles: list[str],
                          division_id: int | None, email: str | None) -> None:
    if not USERNAME_RULE.fullmatch(username or ""):
        raise ValidationError("用户名", "须以小写字母开头,3–32 位小写字母、数字或 . _ -")
    if row(con, "SELECT 1 AS x FROM users WHERE username = ?", [username]):
        raise ValidationError("用户名", f"「{username}」已被使用,账号不得共用", "第二十二条")
    if not display_name:  # cleaned by create_user, its only caller
        raise ValidationError("姓名", "必填")
    if not roles:
        raise ValidationError("角色", "至少选择一个角色")
    unknown = set(roles) - set(ROLE_LABELS)
    if unknown:
        raise ValidationError("角色", f"未知角色 {sorted(unknown)}")
    if set(roles) & DIVISION_ROLES and division_id is None:
        raise ValidationError("所属处室", "信息员和处室负责人必须属于一个处室", "第十一条")
    if email and not EMAIL_RULE.fullmatch(email):
        raise ValidationError("电子邮箱", "格式不正确")


def create_user(con: duckdb.DuckDBPyConnection, actor: User | None, username: str, display_name: str,
                roles: list[str], division_id: int | None = None, email: str | None = None,
                charge: list[int] | None = None, password: str | None = None,
                must_change_password: bool = True) -> tuple[User, str]:
    """Create an account; returns it with its one-time initial password (shown once, 第二十二条).

    `actor` None is the installer (init/demo); otherwise only the webmaster may.
    """
    if actor is not None:
        require(actor, "accounts.manage")
    username = (username or "").strip().lower()
    display_name = clean_text(display_name)
    email = clean_text(email) or None
    _validate_new_account(con, username, display_name, roles, division_id, email)
    initial = password or generate_password()
    with transaction(con):
        user_id = con.execute(
            "INSERT INTO users (username, display_name, email, division_id, password_hash, "
            "must_change_password) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [username, display_name.strip(), email, division_id, hash_password(initial), must_change_password],
        ).fetchone()[0]
        for role in sorted(set(roles)):
            con.execute("INSERT INTO user_roles VALUES (?, ?)", [user_id, role])
        for division in sorted(set(charge or [])):
            con.execute("INSERT INTO leader_charge VALUES (?, ?)", [user_id, division])
        audit.record(con, actor, "accounts.create", f"user:{username}",
                     f"roles={sorted(roles)} division={division_id}")
    return get_user(con, user_id), initial


def update_user(con: duckdb.DuckDBPyConnection, actor: User, user_id: int, *, display_name: str | None = None,
                email: str | None = None, roles: list[str] | None = None, division_id: int | None = None,
                charge: list[int] | None = None, active: bool | None = None) -> User:
    require(actor, "accounts.manage")
    display_name, email = clean_text(display_name) or None, clean_text(email) or None  # blank: unchanged
    before = get_user(con, user_id)
    new_roles = set(roles) if roles is not None else set(before.roles)
    new_division = division_id if division_id is not None else before.division_id
    if not new_roles:
        raise ValidationError("角色", "至少选择一个角色")
    if new_roles & DIVISION_ROLES and new_division is None:
        raise ValidationError("所属处室", "信息员和处室负责人必须属于一个处室", "第十一条")
    if email and not EMAIL_RULE.fullmatch(email):
        raise ValidationError("电子邮箱", "格式不正确")
    with transaction(con):
        con.execute(
            "UPDATE users SET display_name = coalesce(?, display_name), email = coalesce(?, email), "
            "division_id = ?, active = coalesce(?, active) WHERE id = ?",
            [display_name, email, new_division, active, user_id],
        )
        con.execute("DELETE FROM user_roles WHERE user_id = ?", [user_id])
        for role in sorted(new_roles):
            con.execute("INSERT INTO user_roles VALUES (?, ?)", [user_id, role])
        if charge is not None:
            con.execute("DELETE FROM leader_charge WHERE user_id = ?", [user_id])
            for division in sorted(set(charge)):
                con.execute("INSERT INTO leader_charge VALUES (?, ?)", [user_id, division])
        ended = sessions.end_all(con, user_id, "disabled") if active is False and before.active else 0
        audit.record(con, actor, "accounts.update", f"user:{before.username}",
                     f"roles {sorted(before.roles)}→{sorted(new_roles)} active={active}"
                     + (f";结束 {ended} 个会话" if ended else ""))
    return get_user(con, user_id)


def set_assignment(con: duckdb.DuckDBPyConnection, actor: User, user_id: int, roles: list[str],
                   division_id: int | None, charge: list[int] | None = None, *,
                   display_name: str | None = None, email: str | None = None) -> User:
    """Roles, division and (for a leader) the divisions in charge, set together in one step;
    name and e-mail too when given (None or blank: unchanged).

    Unlike update_user, `division_id=None` means "no division" (a leader or group member may have
    none, 第十一条); a non-leader keeps no divisions in charge; the webmaster cannot drop their own
    webmaster role (the office would lock itself out of account management).
    """
    require(actor, "accounts.manage")
    get_user(con, user_id)
    roles = sorted(set(roles or []))
    if not roles:
        raise ValidationError("角色", "至少选择一个角色")
    unknown = set(roles) - set(ROLE_LABELS)
    if unknown:
        raise ValidationError("角色", f"未知角色 {sorted(unknown)}")
    if set(roles) & DIVISION_ROLES and division_id is None:
        raise ValidationError("所属处室", "信息员和处室负责人必须属于一个处室", "第十一条")
    if user_id == actor.id and "webmaster" not in roles:
        raise ValidationError("角色", "不能取消自己的网站管理员角色,请由另一位网站管理员操作", "第八条")
    with transaction(con):
        if division_id is None:
            con.execute("UPDATE users SET division_id = NULL WHERE id = ?", [user_id])
        return update_user(con, actor, user_id, roles=roles, division_id=division_id,
                           charge=sorted(set(charge or [])) if "leader" in roles else [],
                           display_name=(display_name or "").strip() or None,
                           email=(email or "").strip() or None)


def set_active(con: duckdb.DuckDBPyConnection, actor: User, user_id: int, active: bool) -> User:
    """Disable or re-enable an account (第二十二条); one cannot disable one's own account."""
    require(actor, "accounts.manage")
    if user_id == actor.id and not active:
        raise ValidationError("启用", "不能停用自己的账号", "第二十二条")
    return update_user(con, actor, user_id, active=bool(active))


def reset_password(con: duckdb.DuckDBPyConnection, actor: User, user_id: int) -> str:
    """A new one-time password, to be changed at next login (第二十二条); ends the user's sessions
    and lifts a lock."""
    require(actor, "accounts.manage")
    target = get_user(con, user_id)
    initial = generate_password()
    with transaction(con):
        _remember_hash(con, user_id)
        con.execute("UPDATE users SET password_hash = ?, must_change_password = TRUE WHERE id = ?",
                    [hash_password(initial), user_id])
        ended = sessions.end_all(con, user_id, "reset")
        _lift_locks(con, target.username)
        audit.record(con, actor, "accounts.reset_password", f"user:{target.username}",
                     f"新的一次性密码;结束 {ended} 个会话")
    return initial


def verify_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    """The password check alone (no lockout, no audit): sign-in goes through core.login."""
    found = row(con, "SELECT id, password_hash, active FROM users WHERE username = ?", [username])
    if not found or not found["active"]:
        return None
    return get_user(con, found["id"]) if passwords.matches(password, found["password_hash"]) else None


def _remember_hash(con, user_id: int) -> None:
    """Keep the outgoing hash for "not one of the last N" (第二十二条); a few beyond N are kept."""
    con.execute("INSERT INTO password_history (user_id, password_hash) "
                "SELECT id, password_hash FROM users WHERE id = ? AND password_hash LIKE '$2%'", [user_id])
    con.execute("""DELETE FROM password_history WHERE user_id = ? AND rowid NOT IN (
                       SELECT rowid FROM password_history WHERE user_id = ? ORDER BY created_at DESC LIMIT 12)""",
                [user_id, user_id])


def check_new_password(con: duckdb.DuckDBPyConnection, user: User, new: str) -> None:
    """Every rule the office set (第二十二条), the history included."""
    check_password_rules(user.username, new, settings.get(con, "password_min_length"))
    keep = settings.get(con, "password_history")
    current = row(con, "SELECT password_hash FROM users WHERE id = ?", [user.id])["password_hash"]
    earlier = [r["password_hash"] for r in rows(
        con, "SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY created_at DESC LIMIT ?",
        [user.id, max(keep - 1, 0)])]
    if any(passwords.matches(new, h) for h in [current, *earlier]):
        raise ValidationError("新密码", f"不能与最近 {keep} 次用过的密码相同", "第二十二条")


def change_password(con: duckdb.DuckDBPyConnection, user: User, old: str, new: str) -> None:
    """The user's own change; every session of the user ends (logout everywhere, 第二十二条)."""
    if verify_password(con, user.username, old) is None:
        raise ValidationError("原密码", "不正确")
    if old == new:
        raise ValidationError("新密码", "不能与原密码相同", "第二十二条")
    check_new_password(con, user, new)
    with transaction(con):
        _remember_hash(con, user.id)
        con.execute(
            "UPDATE users SET password_hash = ?, must_change_password = FALSE, "
            "password_changed_at = current_localtimestamp() WHERE id = ?",
            [hash_password(new), user.id],
        )
        ended = sessions.end_all(con, user.id, "password")
        audit.record(con, user, "accounts.change_password", f"user:{user.username}",
                     ("修改初始密码" if user.must_change_password and not user.password_expired else
                      "密码过期后修改" if user.password_expired else "修改密码") + f";结束 {ended} 个会话")


# ---------------------------------------------------------------- locks (counted and set by core.login)

# every lock of every name, per address and account-wide
LOCKS_SQL = ("SELECT username, locked_until FROM login_failures "
             "UNION ALL SELECT username, locked_until FROM login_clients")
NAME_MAX = 64
TOTP_ROLES = {"webmaster", "tech"}  # the office may require a second factor for them (第二十二条)


def normal_name(username: str) -> str:
    """A typed user name as sign-in counts and looks it up."""
    return (username or "").strip().lower()[:NAME_MAX]


def _lift_locks(con, username: str) -> bool:
    """Remove every lock and count of `username`, on every address (the office's 解除锁定, a password
    reset; the caller records the audit row). False when there was nothing to lift."""
    name = normal_name(username)
    # DuckDB answers a DELETE or UPDATE with the number of rows it changed
    deleted = con.execute("DELETE FROM login_failures WHERE username = ?", [name]).fetchone()[0]
    reset = con.execute("UPDATE login_clients SET failures = 0, locked_until = NULL, last_failure_at = NULL "
                        "WHERE username = ? AND failures > 0", [name]).fetchone()[0]
    return bool(deleted or reset)


def unlock(con: duckdb.DuckDBPyConnection, actor: User, user_id: int) -> bool:
    """The office lifts a lockout before it runs out (第二十条)."""
    require(actor, "accounts.manage")
    target = get_user(con, user_id)
    with transaction(con):
        lifted = _lift_locks(con, target.username)
        if lifted:
            audit.record(con, actor, "accounts.unlock", f"user:{target.username}", "管理员解除锁定")
    return lifted


def locked_until(con: duckdb.DuckDBPyConnection, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """The latest lock on the account still running, on any address or account-wide (None: none)."""
    found = row(con, f"SELECT max(locked_until) AS until FROM ({LOCKS_SQL}) WHERE username = ? AND locked_until > ?",
                [username, now or dt.datetime.now()])
    return found["until"] if found else None


# ---------------------------------------------------------------- second factor (TOTP)

def has_totp(con: duckdb.DuckDBPyConnection, user_id: int) -> bool:
    return bool(scalar(con, "SELECT count(*) FROM user_totp WHERE user_id = ?", [user_id]))


def totp_secret(con: duckdb.DuckDBPyConnection, user_id: int) -> str | None:
    """The second-factor secret, decrypted here only, for checking a code (stored encrypted: core/keys.py)."""
    stored = scalar(con, "SELECT secret FROM user_totp WHERE user_id = ?", [user_id])
    return keys.decrypt(con, stored, f"user_totp:{user_id}", "动态口令密钥")


def totp_last_step(con: duckdb.DuckDBPyConnection, user_id: int) -> int:
    return int(scalar(con, "SELECT last_step FROM user_totp WHERE user_id = ?", [user_id]) or 0)


def use_totp_step(con: duckdb.DuckDBPyConnection, user_id: int, step: int) -> None:
    con.execute("UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?", [step, user_id, step])


def enable_totp(con: duckdb.DuckDBPyConnection, user: User, secret: str, step: int,
                client: str | None = None) -> None:
    """The user confirmed a code from the new secret: the second factor is on (the secret stored encrypted)."""
    with transaction(con):
        con.execute("DELETE FROM user_totp WHERE user_id = ?", [user.id])
        con.execute("INSERT INTO user_totp (user_id, secret, last_step) VALUES (?, ?, ?)",
                    [user.id, keys.encrypt(con, secret, f"user_totp:{user.id}"), step])
        audit.record(con, user, "auth.totp_enrol", f"user:{user.username}", "启用动态口令", client)


def enrol_totp(con: duckdb.DuckDBPyConnection, user: User, secret: str, code: str) -> None:
    """The user turns the second factor on, proving the app shows the right codes."""
    step = totp.matching_step(secret, code)
    if step is None:
        raise ValidationError("动态口令", "不正确,请输入验证器上当前显示的 6 位数字", "第二十二条")
    enable_totp(con, user, secret, step)


def disable_totp(con: duckdb.DuckDBPyConnection, user: User, password: str) -> None:
    """The user turns the second factor off (not when the office requires it)."""
    if verify_password(con, user.username, password) is None:
        raise ValidationError("密码", "不正确")
    if user.roles & TOTP_ROLES and settings.get(con, "totp_required_admins"):
        raise ValidationError("动态口令", "办公室要求网站管理员和技术支持使用动态口令,不能停用", "第二十二条")
    with transaction(con):
        con.execute("DELETE FROM user_totp WHERE user_id = ?", [user.id])
        audit.record(con, user, "accounts.disable_totp", f"user:{user.username}", "本人停用动态口令")


def reset_totp(con: duckdb.DuckDBPyConnection, actor: User, user_id: int) -> None:
    """The office removes a lost second factor; the user enrols again at the next sign-in."""
    require(actor, "accounts.manage")
    target = get_user(con, user_id)
    with transaction(con):
        con.execute("DELETE FROM user_totp WHERE user_id = ?", [user_id])
        ended = sessions.end_all(con, user_id, "totp")
        audit.record(con, actor, "accounts.reset_totp", f"user:{target.username}", f"结束 {ended} 个会话")


def credentials(con: duckdb.DuckDBPyConnection) -> dict:
    """The credentials dict in streamlit-authenticator's shape (the workbench no longer hands it the
    hashes: core.login checks passwords, the library only keeps the cookie)."""
    users = rows(con, "SELECT id, username, display_name, email, password_hash FROM users "
                      "WHERE active AND username <> 'system'")
    roles: dict[int, list[str]] = {}
    for r in rows(con, "SELECT user_id, role FROM user_roles ORDER BY role"):
        roles.setdefault(r["user_id"], []).append(r["role"])
    return {"usernames": {
        u["username"]: {
            "name": u["display_name"], "email": u["email"] or "", "password": u["password_hash"],
            "roles": roles.get(u["id"], []), "first_name": u["display_name"], "last_name": "",
        } for u in users
    }}


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Accounts for the office's list, without any hash."""
    return rows(con, f"""
        SELECT u.id, u.username AS 用户名, u.display_name AS 姓名, d.name AS 所属处室,
               string_agg(r.role, ',' ORDER BY r.role) AS roles, u.email AS 电子邮箱,
               u.active AS 启用, u.must_change_password AS 待改初始密码,
               CASE WHEN f.locked_until > current_localtimestamp() THEN f.locked_until END AS 锁定至,
               t.user_id IS NOT NULL AS 动态口令
        FROM users u LEFT JOIN divisions d ON d.id = u.division_id
        LEFT JOIN user_roles r ON r.user_id = u.id
        LEFT JOIN (SELECT username, max(locked_until) AS locked_until FROM ({LOCKS_SQL}) GROUP BY username) f
               ON f.username = u.username
        LEFT JOIN user_totp t ON t.user_id = u.id
        WHERE u.username <> 'system'
        GROUP BY ALL ORDER BY u.id""")


def users_with_role(con: duckdb.DuckDBPyConnection, role: str) -> list[User]:
    ids = [r["user_id"] for r in rows(
        con, "SELECT ur.user_id FROM user_roles ur JOIN users u ON u.id = ur.user_id "
             "WHERE ur.role = ? AND u.active ORDER BY ur.user_id", [role])]
    return [get_user(con, i) for i in ids]


def ensure_system_user(con: duckdb.DuckDBPyConnection) -> None:
    if find_user(con, "system") is None:
        with transaction(con):
            con.execute(
                "INSERT INTO users (username, display_name, password_hash, must_change_password, active) "
                "VALUES ('system', '系统', '!', FALSE, FALSE)")
