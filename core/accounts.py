"""Accounts and roles (第十一、二十二、二十四条): the office creates them; passwords are bcrypt.

No password or hash ever leaves this module except as the credentials that
streamlit-authenticator needs to check a login.
"""

from __future__ import annotations

import os
import re
import secrets
import string
from dataclasses import dataclass, field

import bcrypt
import duckdb

from core import audit
from core.db import row, rows, transaction
from core.errors import NotFound, ValidationError

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
    must_change_password: bool = False
    active: bool = True

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> str:
        return "、".join(ROLE_LABELS[r] for r in ROLE_LABELS if r in self.roles)


def _rounds() -> int:
    # tests lower the cost through the environment; production keeps bcrypt's 12
    return int(os.environ.get("PORTAL_BCRYPT_ROUNDS", "12"))


def hash_password(password: str) -> str:
    if len(password.encode("utf-8")) > 72:
        raise ValidationError("密码", "不能超过 72 个字节")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(_rounds())).decode("ascii")


def generate_password(length: int = 14) -> str:
    """A random one-time password with all four character classes."""
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%^&*-_=+"]
    while True:
        chars = [secrets.choice("".join(pools)) for _ in range(length)]
        if all(any(c in pool for c in chars) for pool in pools):
            return "".join(chars)


def check_password_rules(username: str, password: str) -> None:
    """Minimal rules until the office's password policy lands (第二十二条)."""
    if len(password) < 10:
        raise ValidationError("新密码", "至少 10 个字符", "第二十二条")
    classes = sum(
        any(test(c) for c in password)
        for test in (str.isupper, str.islower, str.isdigit, lambda c: not c.isalnum())
    )
    if classes < 3:
        raise ValidationError("新密码", "须包含大写字母、小写字母、数字、符号中的至少三类", "第二十二条")
    if username.lower() in password.lower():
        raise ValidationError("新密码", "不能包含用户名", "第二十二条")
    if len(password.encode("utf-8")) > 72:
        raise ValidationError("新密码", "不能超过 72 个字节")


def _load(con: duckdb.DuckDBPyConnection, where: str, param) -> User | None:
    found = row(con, f"SELECT * FROM users WHERE {where}", [param])
    if not found:
        return None
    roles = {r["role"] for r in rows(con, "SELECT role FROM user_roles WHERE user_id = ?", [found["id"]])}
    charge = {r["division_id"] for r in rows(
        con, "SELECT division_id FROM leader_charge WHERE user_id = ?", [found["id"]])}
    return User(
        id=found["id"], username=found["username"], display_name=found["display_name"],
        email=found["email"], division_id=found["division_id"], roles=frozenset(roles),
        charge=frozenset(charge), must_change_password=found["must_change_password"],
        active=found["active"],
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
    if not (display_name or "").strip():
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
    from core.permissions import require

    if actor is not None:
        require(actor, "accounts.manage")
    username = (username or "").strip().lower()
    email = (email or "").strip() or None
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
    from core.permissions import require

    require(actor, "accounts.manage")
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
        audit.record(con, actor, "accounts.update", f"user:{before.username}",
                     f"roles {sorted(before.roles)}→{sorted(new_roles)} active={active}")
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
    from core.permissions import require

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
    from core.permissions import require

    require(actor, "accounts.manage")
    if user_id == actor.id and not active:
        raise ValidationError("启用", "不能停用自己的账号", "第二十二条")
    return update_user(con, actor, user_id, active=bool(active))


def reset_password(con: duckdb.DuckDBPyConnection, actor: User, user_id: int) -> str:
    """A new one-time password, to be changed at next login (第二十二条)."""
    from core.permissions import require

    require(actor, "accounts.manage")
    target = get_user(con, user_id)
    initial = generate_password()
    with transaction(con):
        con.execute("UPDATE users SET password_hash = ?, must_change_password = TRUE WHERE id = ?",
                    [hash_password(initial), user_id])
        audit.record(con, actor, "accounts.reset_password", f"user:{target.username}")
    return initial


def verify_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    found = row(con, "SELECT id, password_hash, active FROM users WHERE username = ?", [username])
    if not found or not found["active"]:
        return None
    try:
        ok = bcrypt.checkpw(password.encode("utf-8"), found["password_hash"].encode("ascii"))
    except ValueError:
        ok = False
    return get_user(con, found["id"]) if ok else None


def change_password(con: duckdb.DuckDBPyConnection, user: User, old: str, new: str) -> None:
    if verify_password(con, user.username, old) is None:
        raise ValidationError("原密码", "不正确")
    if old == new:
        raise ValidationError("新密码", "不能与原密码相同", "第二十二条")
    check_password_rules(user.username, new)
    with transaction(con):
        con.execute(
            "UPDATE users SET password_hash = ?, must_change_password = FALSE, "
            "password_changed_at = current_localtimestamp() WHERE id = ?",
            [hash_password(new), user.id],
        )
        audit.record(con, user, "accounts.change_password", f"user:{user.username}")


def credentials(con: duckdb.DuckDBPyConnection) -> dict:
    """The credentials dict streamlit-authenticator checks logins against, built from DuckDB."""
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
    return rows(con, """
        SELECT u.id, u.username AS 用户名, u.display_name AS 姓名, d.name AS 所属处室,
               string_agg(r.role, ',' ORDER BY r.role) AS roles, u.email AS 电子邮箱,
               u.active AS 启用, u.must_change_password AS 待改初始密码
        FROM users u LEFT JOIN divisions d ON d.id = u.division_id
        LEFT JOIN user_roles r ON r.user_id = u.id
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
