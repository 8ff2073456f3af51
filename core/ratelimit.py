"""Per-client rate limits for the public desk (第十九、二十三条): sliding windows over counted hits.

A client is its network address, kept only as a keyed hash (HMAC with a secret that lives in a
file beside the database, not in it: an analyst's snapshot cannot reverse the hashes by trying
every IPv4 address). The limits are settings the office edits; a refusal says when to retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import math
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core import keys, settings
from core.db import transaction
from core.errors import RateLimited

UNKNOWN = "unknown"  # no request context: every such request counts as one shared client
SECRET_FILE = "client.key"
HOUR, DAY = 3600, 86400


@dataclass(frozen=True)
class Rule:
    setting: str  # the office's limit (core/settings.py)
    seconds: int  # the sliding window
    site_wide: bool  # counted over all clients together (a flood from many addresses)
    message: str  # the refusal, {n} is the limit


RULES: dict[str, tuple[Rule, ...]] = {
    # only submissions that passed the CAPTCHA are counted here (core.interaction.submit): wrong
    # answers cost nothing to send from many addresses, so they must never fill the site-wide window
    "message.submit": (
        Rule("message_submit_site_per_hour", HOUR, True,
             "当前提交留言的人数过多,网站暂停受理新的留言(每小时最多 {n} 条)"),
        Rule("message_submit_per_hour", HOUR, False, "提交过于频繁:同一网络每小时最多提交 {n} 次留言"),
        Rule("message_submit_per_day", DAY, False, "提交过于频繁:同一网络每天最多提交 {n} 次留言"),
    ),
    "captcha.wrong": (
        Rule("captcha_wrong_per_hour", HOUR, False, "「验证码」输错次数过多:同一网络每小时最多输错 {n} 次"),
    ),
    # a rating of an answer (第二十六条(二)) is a public submission like a message: the office's submission
    # limits count it, in its own windows (one flood does not stop the other)
    "message.rate": (
        Rule("message_submit_site_per_hour", HOUR, True,
             "当前提交评价的人数过多,网站暂停受理新的评价(每小时最多 {n} 条)"),
        Rule("message_submit_per_hour", HOUR, False, "提交过于频繁:同一网络每小时最多提交 {n} 次评价"),
        Rule("message_submit_per_day", DAY, False, "提交过于频繁:同一网络每天最多提交 {n} 次评价"),
    ),
    "message.lookup": (
        Rule("message_lookup_per_hour", HOUR, False, "查询过于频繁:同一网络每小时最多查询 {n} 次"),
    ),
    "captcha.new": (
        Rule("captcha_new_per_hour", HOUR, False, "验证码刷新过于频繁:同一网络每小时最多获取 {n} 张验证码"),
    ),
}
LONGEST = max(rule.seconds for rules in RULES.values() for rule in rules)

_secrets: dict[str, bytes] = {}
_secrets_lock = threading.Lock()


def _database_file(con: duckdb.DuckDBPyConnection) -> str | None:
    found = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return found[0] if found and found[0] and found[0] != ":memory:" else None


def secret(con: duckdb.DuckDBPyConnection) -> bytes:
    """The HMAC key of this database: data/client.key beside the database file, made on first use.

    An in-memory database gets a key for the life of the process."""
    path = _database_file(con)
    with _secrets_lock:
        if (path or "") in _secrets:
            return _secrets[path or ""]
        if path is None:
            key = secrets.token_bytes(32)
        else:
            key = keys.read_key(Path(path).parent / SECRET_FILE, create=True)
        _secrets[path or ""] = key
        return key


def keyed_hash(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """HMAC-SHA256 of `text` under this database's secret, hex."""
    return hmac.new(secret(con), text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _address(client: str | None) -> str:
    """The part of a client address that identifies a sender for counting.

    core.login.client_address may append the client's own X-Forwarded-For claim in brackets: that
    is attacker-chosen, so only the address nginx saw counts. An IPv6 sender controls a whole /64,
    so it counts as one client."""
    if not client or not client.strip():
        return UNKNOWN
    seen = client.split("(", 1)[0].strip()
    try:
        ip = ipaddress.ip_address(seen)
    except ValueError:
        return seen or UNKNOWN
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(con: duckdb.DuckDBPyConnection, client: str | None) -> str:
    """The stored form of a client: a keyed hash of its address (None: the shared unknown client)."""
    return keyed_hash(con, "client:" + _address(client))


def _refusal(con, key: str, action: str, now: dt.datetime, site_wide: bool) -> RateLimited | None:
    """The refusal of the first full window of `action` for `key` (site-wide ones only if asked), or None."""
    for rule in RULES[action]:
        if rule.site_wide and not site_wide:
            continue
        limit = int(settings.get(con, rule.setting))
        since = now - dt.timedelta(seconds=rule.seconds)
        where = "action = ? AND hit_at > ?" + ("" if rule.site_wide else " AND client_key = ?")
        params = [action, since] + ([] if rule.site_wide else [key])
        count = con.execute(f"SELECT count(*) FROM rate_hits WHERE {where}", params).fetchone()[0]
        if count >= limit:
            # the window lets the next request in when the hit that brings the count below the
            # limit leaves it (the oldest, unless the office lowered the limit meanwhile)
            oldest = con.execute(f"SELECT hit_at FROM rate_hits WHERE {where} ORDER BY hit_at LIMIT 1 OFFSET ?",
                                 params + [count - limit]).fetchone()[0]
            wait = (oldest + dt.timedelta(seconds=rule.seconds) - now).total_seconds()
            return RateLimited(rule.message.format(n=limit), math.ceil(wait))
    return None


def _known(action: str) -> None:
    if action not in RULES:
        raise ValueError(f"unknown rate-limited action {action!r}")


def hit(con: duckdb.DuckDBPyConnection, client: str | None, action: str, now: dt.datetime | None = None) -> None:
    """Count one request of `client` for `action`, or raise RateLimited (nothing counted) when a
    limit of the action's window is reached."""
    _known(action)
    now = now or dt.datetime.now()
    key = client_key(con, client)
    with transaction(con):
        con.execute("DELETE FROM rate_hits WHERE hit_at <= ?", [now - dt.timedelta(seconds=LONGEST)])
        refusal = _refusal(con, key, action, now, site_wide=True)
        if refusal is None:
            con.execute("INSERT INTO rate_hits (client_key, action, hit_at) VALUES (?, ?, ?)", [key, action, now])
    if refusal:  # raised after the commit, so the purge above stays done
        raise refusal


def check(con: duckdb.DuckDBPyConnection, client: str | None, action: str, now: dt.datetime | None = None,
          *, site_wide: bool = True) -> None:
    """Raise RateLimited if `client` may not do `action` now, counting nothing. `site_wide=False`
    looks only at the client's own windows."""
    _known(action)
    refusal = _refusal(con, client_key(con, client), action, now or dt.datetime.now(), site_wide)
    if refusal:
        raise refusal


def record(con: duckdb.DuckDBPyConnection, client: str | None, action: str, now: dt.datetime | None = None) -> None:
    """Count one request of `client` for `action` that already happened (a wrong answer), whatever the limits."""
    _known(action)
    with transaction(con):
        con.execute("INSERT INTO rate_hits (client_key, action, hit_at) VALUES (?, ?, ?)",
                    [client_key(con, client), action, now or dt.datetime.now()])


def count(con: duckdb.DuckDBPyConnection, client: str | None, action: str) -> int:
    """Hits of `client` for `action` still stored (within the longest window), for tests and the overview."""
    return con.execute("SELECT count(*) FROM rate_hits WHERE client_key = ? AND action = ?",
                       [client_key(con, client), action]).fetchone()[0]
