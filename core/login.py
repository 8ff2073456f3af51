"""Signing in (第二十、二十二条): throttling, lockout, the second factor, the audit of every attempt.

The workbench's form calls `password_step`, then `totp_step` or `enrol_step` when a second
factor applies; on success core opens a server-side session (core/sessions.py) and the frame
lets streamlit-authenticator write its cookie. Every attempt leaves one audit row with the
client address. A wrong user name and a wrong password get the same answer, and so does a
lockout: failures are counted per typed user name and client address (and per name over all
addresses, see below), whether or not the account exists, and an unknown name costs the same
bcrypt check as a known one.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import duckdb

from core import accounts, audit, incidents, passwords, ratelimit, sessions, settings, totp
from core.db import row, transaction

WRONG = "用户名或密码不正确。"
WRONG_CODE = "动态口令不正确或已使用,请输入验证器上当前显示的 6 位数字。"
PENDING_MINUTES = 5  # how long a correct password waits for its second factor


@dataclass(frozen=True)
class Outcome:
    """What the form shows next. `status`: ok | totp | enrol | failed | locked."""

    status: str
    message: str = ""
    username: str | None = None
    session_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def locked_message(minutes: int) -> str:
    return (f"登录失败次数过多,该账号在您所用的网络上已被暂时锁定,请 {max(minutes, 1)} 分钟后再试;"
            "如需立即解锁,请联系网站管理员(第二十条)。")


def backoff_message(minutes: int) -> str:
    return (f"该账号近期登录失败次数过多,已被暂时锁定,暂停从不常用的网络登录,请 {max(minutes, 1)} 分钟后再试;"
            "在您常用的网络上仍可登录,如需立即解锁,请联系网站管理员(第二十条)。")


def client_address(ip: str | None, headers: dict | None = None) -> str | None:
    """The address to log: behind the department's nginx (deploy/nginx.conf) the peer is the proxy
    on loopback and the last X-Forwarded-For entry is what nginx saw; earlier entries are the
    client's own claim and are kept only as a note."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if ip and ip.lower().startswith("::ffff:"):  # an IPv4 address on an IPv6 socket
        ip = ip[7:]
    forwarded = [p.strip() for p in (headers.get("x-forwarded-for") or "").split(",") if p.strip()]
    if forwarded and (ip is None or ip.startswith("127.") or ip == "::1"):
        seen = forwarded[-1]
        return seen if len(forwarded) == 1 else f"{seen}(X-Forwarded-For: {', '.join(forwarded)})"[:200]
    return ip


def totp_required(con: duckdb.DuckDBPyConnection, user: accounts.User) -> bool:
    return bool(user.roles & accounts.TOTP_ROLES) and bool(settings.get(con, "totp_required_admins"))


# ---------------------------------------------------------------- failures and lockout
#
# Two counts per typed user name (第二十条). Per (name, client address): `login_max_failures` in a
# row lock that address out of that account for `login_lockout_minutes`; other addresses go on.
# Per name over all addresses (login_failures): every `login_account_backoff_failures` in a row
# start a back-off, doubling each time up to a day, that stops only addresses the account has not
# signed in from lately. So guessing from many addresses slows down, and yet an outsider cannot
# lock the real user out: their own address still signs in.

FAMILIAR = dt.timedelta(days=90)  # an address the account signed in from within this is the user's own
BACKOFF_CAP = dt.timedelta(days=1)
FORGET = dt.timedelta(days=1)  # an account-wide count with no failure (nor back-off) this long starts afresh


def _key(con, client: str | None) -> str:
    return ratelimit.client_key(con, client)  # what nginx saw, never the client's own X-Forwarded-For claim


def _failure_state(con, name: str) -> dict | None:
    return row(con, "SELECT * FROM login_failures WHERE username = ?", [name])


def _client_state(con, name: str, key: str) -> dict | None:
    return row(con, "SELECT * FROM login_clients WHERE username = ? AND client_key = ?", [name, key])


def _familiar(state: dict | None, now: dt.datetime) -> bool:
    return bool(state and state["last_success_at"] and state["last_success_at"] > now - FAMILIAR)


def _minutes(until: dt.datetime, now: dt.datetime) -> int:
    return math.ceil((until - now).total_seconds() / 60)


def _stop(con, name: str, key: str, now: dt.datetime) -> tuple[str, int] | None:
    """("client" | "account", minutes left) when this address may not try this name now."""
    mine = _client_state(con, name, key)
    if mine and mine["locked_until"] and mine["locked_until"] > now:
        return "client", _minutes(mine["locked_until"], now)
    account = _failure_state(con, name)
    if account and account["locked_until"] and account["locked_until"] > now and not _familiar(mine, now):
        return "account", _minutes(account["locked_until"], now)
    return None


def lock_remaining(con: duckdb.DuckDBPyConnection, username: str, now: dt.datetime | None = None,
                   client: str | None = None) -> int:
    """Minutes before `client` may try `username` again (0: it may now)."""
    now = now or dt.datetime.now()
    stop = _stop(con, accounts.normal_name(username), _key(con, client), now)
    return stop[1] if stop else 0


def _refusal(stop: tuple[str, int]) -> Outcome:
    kind, minutes = stop
    return Outcome("locked", locked_message(minutes) if kind == "client" else backoff_message(minutes))


def _backoff(con, failures: int, every: int) -> dt.timedelta | None:
    """The account-wide pause that `failures` in a row start (None: none starts now)."""
    if failures % every:
        return None
    minutes = settings.get(con, "login_lockout_minutes") * 2 ** min(failures // every - 1, 16)
    return min(dt.timedelta(minutes=minutes), BACKOFF_CAP)


def _count_account(con, name: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Count a failure for the name over all addresses: (failures in a row, end of a back-off it starts)."""
    state = _failure_state(con, name) or {}
    seen = [t for t in (state.get("last_failure_at"), state.get("locked_until")) if t]
    fresh = not seen or max(seen) <= now - FORGET
    failures = 1 if fresh else state["failures"] + 1
    pause = _backoff(con, failures, settings.get(con, "login_account_backoff_failures"))
    until = now + pause if pause else None if fresh else state["locked_until"]
    con.execute("INSERT OR REPLACE INTO login_failures (username, failures, locked_until, last_failure_at) "
                "VALUES (?, ?, ?, ?)", [name, failures, until, now])
    return failures, until if pause else None


def _count_client(con, name: str, key: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    state = _client_state(con, name, key)
    failures = (state["failures"] if state else 0) + 1
    limit = settings.get(con, "login_max_failures")
    locked_until = now + dt.timedelta(minutes=settings.get(con, "login_lockout_minutes")) if failures >= limit else None
    con.execute("INSERT OR REPLACE INTO login_clients (username, client_key, failures, locked_until, last_failure_at, "
                "last_success_at) VALUES (?, ?, ?, ?, ?, ?)",
                [name, key, failures, locked_until, now, state["last_success_at"] if state else None])
    return failures, locked_until


def _fail(con, name: str, exists: bool, client: str | None, why: str, action: str,
          now: dt.datetime) -> Outcome:
    """Count one failure for this address and for the name; lock at the limits; the answer is the
    same for every user name."""
    key = _key(con, client)
    for attempt in range(3):
        try:
            with transaction(con):
                failures, locked_until = _count_client(con, name, key, now)
                total, paused_until = _count_account(con, name, now)
                audit.record(con, name, action, f"user:{name}",
                             f"{why};该地址连续第 {failures} 次失败,账号合计连续第 {total} 次", client)
                unknown = "" if exists else "(该用户名不存在)"
                if locked_until is not None:
                    audit.record(con, name, "auth.lockout", f"user:{name}",
                                 f"该地址连续 {failures} 次登录失败,锁定该地址至 {locked_until:%Y-%m-%d %H:%M}{unknown}",
                                 client)
                if paused_until is not None:
                    audit.record(con, name, "auth.lockout", f"user:{name}",
                                 f"账号合计连续 {total} 次登录失败,不常用的地址暂停登录至 "
                                 f"{paused_until:%Y-%m-%d %H:%M}{unknown}", client)
            break
        except duckdb.TransactionException:
            if attempt == 2:
                raise
    _maybe_burst(con, now)
    stop = _stop(con, name, key, now)
    if stop is not None:
        return _refusal(stop)
    return Outcome("failed", WRONG if action == "auth.login_failed" else WRONG_CODE)


def _maybe_burst(con, now: dt.datetime) -> None:
    """A burst of failed logins suggests a security incident (第二十三条), once per window."""
    window = settings.get(con, "incident_login_window_minutes")
    threshold = settings.get(con, "incident_login_burst")
    since = now - dt.timedelta(minutes=window)
    found = row(con, """SELECT count(*) AS n, count(DISTINCT actor) AS names, count(DISTINCT client) AS clients
                        FROM audit_log WHERE action IN ('auth.login_failed', 'auth.totp_failed', 'auth.login_refused')
                        AND created_at >= ?""", [since])
    if found["n"] >= threshold:
        incidents.suggest_incident(
            con, "login_burst",
            f"{window} 分钟内登录失败 {found['n']} 次,涉及 {found['names']} 个用户名、{found['clients']} 个客户端地址,"
            "疑似口令猜测攻击。请在「安全审计」中查看 auth.login_failed 记录并研判。",
            dedup_key=f"login_burst:{now:%Y%m%d%H}", discovered_at=now)


def _clear_failures(con, name: str, key: str, now: dt.datetime) -> None:
    """A success: this address is the account's own now; the account-wide count starts afresh.
    Other addresses keep their counts and locks (the real user signing in does not lift an outsider's)."""
    con.execute("DELETE FROM login_failures WHERE username = ?", [name])
    con.execute("INSERT OR REPLACE INTO login_clients (username, client_key, failures, locked_until, last_failure_at, "
                "last_success_at) VALUES (?, ?, 0, NULL, NULL, ?)", [name, key, now])


# ---------------------------------------------------------------- the steps

def password_step(con: duckdb.DuckDBPyConnection, username: str, password: str, client: str | None = None,
                  now: dt.datetime | None = None) -> Outcome:
    now = now or dt.datetime.now()
    name = accounts.normal_name(username)
    if not name or not password:
        return Outcome("failed", "请输入用户名和密码。")
    key = _key(con, client)
    stop = _stop(con, name, key, now)
    if stop is not None:
        where = "该地址" if stop[0] == "client" else "账号对不常用的地址"
        with transaction(con):
            audit.record(con, name, "auth.login_refused", f"user:{name}",
                         f"{where}锁定中(还有 {stop[1]} 分钟),未校验密码", client)
        _maybe_burst(con, now)
        return _refusal(stop)
    mine = _client_state(con, name, key)
    if mine and mine["locked_until"]:
        with transaction(con):  # this address's lock ran out: unlocked, counted afresh
            con.execute("UPDATE login_clients SET failures = 0, locked_until = NULL WHERE username = ? "
                        "AND client_key = ?", [name, key])
            audit.record(con, name, "auth.unlock", f"user:{name}", "锁定期满,自动解锁", client)
    found = row(con, "SELECT id, password_hash, active FROM users WHERE username = ? AND username <> 'system'", [name])
    if found is None:
        passwords.burn_time(password)
        return _fail(con, name, False, client, "用户名不存在", "auth.login_failed", now)
    if not passwords.matches(password, found["password_hash"]):
        return _fail(con, name, True, client, "密码错误", "auth.login_failed", now)
    if not found["active"]:
        return _fail(con, name, True, client, "账号已停用", "auth.login_failed", now)
    user = accounts.get_user(con, found["id"])
    if accounts.has_totp(con, user.id):
        with transaction(con):
            audit.record(con, user, "auth.password_ok", f"user:{name}", "密码正确,等待动态口令", client)
        return Outcome("totp", username=name)
    if totp_required(con, user):
        with transaction(con):
            audit.record(con, user, "auth.password_ok", f"user:{name}", "密码正确,须先启用动态口令", client)
        return Outcome("enrol", username=name)
    return _succeed(con, user, client, "密码", now)


def totp_step(con: duckdb.DuckDBPyConnection, username: str, code: str, client: str | None = None,
              now: dt.datetime | None = None) -> Outcome:
    """The second factor after a correct password (the frame keeps the pending name server-side)."""
    now = now or dt.datetime.now()
    name = accounts.normal_name(username)
    stop = _stop(con, name, _key(con, client), now)
    if stop is not None:
        return _refusal(stop)
    user = accounts.find_user(con, name)
    if user is None or not user.active:
        return Outcome("failed", WRONG)
    secret = accounts.totp_secret(con, user.id)
    step = totp.matching_step(secret, code, now) if secret else None
    if step is None or step <= accounts.totp_last_step(con, user.id):
        return _fail(con, name, True, client, "动态口令错误或重复使用", "auth.totp_failed", now)
    accounts.use_totp_step(con, user.id, step)
    return _succeed(con, user, client, "密码 + 动态口令", now)


def enrol_step(con: duckdb.DuckDBPyConnection, username: str, secret: str, code: str, client: str | None = None,
               now: dt.datetime | None = None) -> Outcome:
    """First sign-in after the office required a second factor: confirm the new secret, then sign in."""
    now = now or dt.datetime.now()
    name = accounts.normal_name(username)
    user = accounts.find_user(con, name)
    if user is None or not user.active:
        return Outcome("failed", WRONG)
    step = totp.matching_step(secret, code, now)
    if step is None:
        return _fail(con, name, True, client, "启用动态口令时验证码错误", "auth.totp_failed", now)
    accounts.enable_totp(con, user, secret, step, client=client)
    return _succeed(con, user, client, "密码 + 新启用的动态口令", now)


def _succeed(con, user: accounts.User, client: str | None, how: str, now: dt.datetime | None = None) -> Outcome:
    with transaction(con):
        _clear_failures(con, user.username, _key(con, client), now or dt.datetime.now())
        session_id = sessions.start(con, user.id, client)
        notes = []
        if user.must_change_password:
            notes.append("须先修改密码" + ("(已过期)" if user.password_expired else ""))
        audit.record(con, user, "auth.login", f"user:{user.username}", f"{how}" + (";" + ";".join(notes) if notes else ""),
                     client)
    return Outcome("ok", username=user.username, session_id=session_id)


# ---------------------------------------------------------------- sessions on every run

def resume(con: duckdb.DuckDBPyConnection, username: str, ref: str, client: str | None = None,
           now: dt.datetime | None = None) -> str | None:
    """A new browser tab brings the re-authentication cookie: its session must still be live."""
    now = now or dt.datetime.now()
    user = accounts.find_user(con, accounts.normal_name(username))
    found = sessions.by_cookie(con, ref)
    if user is None or found is None or found["user_id"] != user.id:
        return None
    if sessions.check(con, found["id"], user.id, now) is not None:
        return None
    return found["id"]


def check_session(con: duckdb.DuckDBPyConnection, session_id: str | None, user: accounts.User,
                  client: str | None = None, now: dt.datetime | None = None) -> str | None:
    """Every run: None while the session may go on, else the message to show at the login form."""
    reason = sessions.check(con, session_id, user.id, now)
    if reason is None:
        return None
    if reason in ("idle", "disabled"):
        with transaction(con):
            audit.record(con, user, "auth.session_end", f"user:{user.username}",
                         sessions.END_REASONS[reason], client)
    return sessions.END_REASONS.get(reason, sessions.END_REASONS["missing"]) + "。"


def adopt(con: duckdb.DuckDBPyConnection, user: accounts.User, client: str | None = None) -> str:
    """A session the server itself put in place without a row (tests set session state directly)."""
    return sessions.start(con, user.id, client)


def logout(con: duckdb.DuckDBPyConnection, session_id: str | None, username: str | None,
           client: str | None = None) -> None:
    with transaction(con):
        if session_id:
            sessions.end(con, session_id, "logout")
        if username:
            audit.record(con, username, "auth.logout", f"user:{username}", "", client)
