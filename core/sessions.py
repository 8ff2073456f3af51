"""Server-side sessions (第二十、二十二条): idle timeout and logout everywhere.

streamlit-authenticator's cookie is a signed JWT holding only the user name and its expiry;
on its own it would stay valid for its whole lifetime whatever happens to the account. Every
sign-in therefore opens a row here, and the cookie is tied to that row by `cookie_ref` (a hash
of the cookie's user name and expiry, unique per sign-in). The frame checks the row on every
run: a row ended by a password change, a reset, a disabled account, a logout or an idle
timeout ends the browser's session, and the cookie no longer brings it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import duckdb

from core import settings
from core.db import kept, row, scalar, transaction

TOUCH_EVERY = dt.timedelta(seconds=30)  # last_seen is written at most this often
END_REASONS = {
    "logout": "已退出登录",
    "idle": "长时间未操作,已自动退出",
    "password": "密码已修改,所有会话已退出,请用新密码登录",
    "reset": "密码已被管理员重置",
    "disabled": "账号已停用",
    "totp": "动态口令设置已更改,请重新登录",
    "missing": "会话已失效",
}


def cookie_ref(username: str, expiry: float) -> str:
    return hashlib.sha256(f"{username}|{float(expiry)!r}".encode()).hexdigest()


def start(con: duckdb.DuckDBPyConnection, user_id: int, client: str | None = None,
          cookie: str | None = None) -> str:
    session_id = secrets.token_urlsafe(24)
    con.execute("INSERT INTO auth_sessions (id, user_id, cookie_ref, client) VALUES (?, ?, ?, ?)",
                [session_id, user_id, cookie, client])
    return session_id


def bind_cookie(con: duckdb.DuckDBPyConnection, session_id: str, ref: str) -> None:
    con.execute("UPDATE auth_sessions SET cookie_ref = ? WHERE id = ?", [ref, session_id])


def by_cookie(con: duckdb.DuckDBPyConnection, ref: str) -> dict | None:
    return row(con, "SELECT * FROM auth_sessions WHERE cookie_ref = ? ORDER BY started_at DESC LIMIT 1", [ref])


def idle_limit(con: duckdb.DuckDBPyConnection) -> dt.timedelta:
    return dt.timedelta(minutes=settings.get(con, "session_idle_minutes"))


def check(con: duckdb.DuckDBPyConnection, session_id: str | None, user_id: int,
          now: dt.datetime | None = None) -> str | None:
    """None while the session may go on; else the reason code it ended (and it is ended)."""
    now = now or dt.datetime.now()
    # the row is kept until the next write to the database by anyone (core.db.kept): an ended session, a
    # disabled account and this check's own touch are read afresh; idleness is the clock's, every time
    found = kept(con, "session", session_id, lambda: row(
        con, "SELECT s.*, u.active FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?",
        [session_id])) if session_id else None
    if found is None or found["user_id"] != user_id:
        return "missing"
    if found["ended_at"] is not None:
        return found["end_reason"] or "missing"
    if not found["active"]:
        end(con, session_id, "disabled", now)
        return "disabled"
    if now - found["last_seen"] > idle_limit(con):
        end(con, session_id, "idle", now)
        return "idle"
    if now - found["last_seen"] > TOUCH_EVERY:
        try:
            con.execute("UPDATE auth_sessions SET last_seen = ? WHERE id = ? AND ended_at IS NULL", [now, session_id])
        except duckdb.TransactionException:
            pass  # another tab of the same browser touched it at the same moment
    return None


def end(con: duckdb.DuckDBPyConnection, session_id: str, reason: str, now: dt.datetime | None = None) -> None:
    try:
        con.execute("UPDATE auth_sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
                    [now or dt.datetime.now(), reason, session_id])
    except duckdb.TransactionException:
        pass  # ended by someone else at the same moment


def end_all(con: duckdb.DuckDBPyConnection, user_id: int, reason: str) -> int:
    """Logout everywhere: every open session of the user ends (call inside the change's transaction)."""
    count = scalar(con, "SELECT count(*) FROM auth_sessions WHERE user_id = ? AND ended_at IS NULL", [user_id])
    if count:
        con.execute("UPDATE auth_sessions SET ended_at = current_localtimestamp(), end_reason = ? "
                    "WHERE user_id = ? AND ended_at IS NULL", [reason, user_id])
    return int(count or 0)


def open_count(con: duckdb.DuckDBPyConnection, user_id: int) -> int:
    return int(scalar(con, "SELECT count(*) FROM auth_sessions WHERE user_id = ? AND ended_at IS NULL", [user_id]))


def prune(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None, keep_days: int = 30) -> int:
    """Forget sessions that ended (or went idle) long ago; the audit log keeps the sign-ins."""
    now = now or dt.datetime.now()
    cutoff = now - dt.timedelta(days=keep_days)
    with transaction(con):
        count = scalar(con, "SELECT count(*) FROM auth_sessions WHERE coalesce(ended_at, last_seen) < ?", [cutoff])
        if count:
            con.execute("DELETE FROM auth_sessions WHERE coalesce(ended_at, last_seen) < ?", [cutoff])
    return int(count or 0)
