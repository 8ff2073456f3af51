"""The load test's database: its own accounts and work on a copy of the demo, and the check afterwards.

Used by bench/load.py. Accounts are made through core.accounts (one per simulated user, never shared,
第二十二条); the heads' queues and the webmaster's desk get work through core.workflow and the same
rows core.interaction.submit writes (the CAPTCHA and the per-client limits are the public desk's
business, not this test's).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from core import accounts, audit, catalogue, columns, interaction, transitions, workflow
from core.db import row, rows, scalar, transaction

PASSWORD = "Demo-2026!sx"
SEEDED_ARTICLES = 6  # per head: something to approve from the first minute
SEEDED_MESSAGES = 400  # the webmaster routes one every few seconds


@dataclass(frozen=True)
class SimUser:
    username: str
    role: str  # officer | head | webmaster
    division_id: int | None
    division: str = ""


@dataclass
class Plan:
    users: list[SimUser]
    route_to: list[str] = field(default_factory=list)  # division names the webmaster routes to


def _usable_divisions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Divisions whose officer's first column (我的稿件's default for a new draft) is not a
    政府信息公开目录 column: a draft there needs the catalogue fields, which this test does not fill."""
    found = []
    for division in columns.divisions(con):
        if division["kind"] != "division":
            continue
        probe = accounts.User(0, "probe", "probe", None, division["id"], frozenset({"officer"}))
        writable = columns.writable_columns(con, probe)
        if writable and not catalogue.is_catalogue_column(con, writable[0]["id"]):
            found.append({**division, "column_id": writable[0]["id"]})
    return found


def plan(con: duckdb.DuckDBPyConnection, count: int) -> Plan:
    """`count` users: one webmaster (from two users on), a head per division used, officers
    spread over those divisions (about two per head). One user alone is an officer."""
    divisions = _usable_divisions(con)
    if count == 1:
        d = divisions[0]
        return Plan([SimUser("lt_xxy_01", "officer", d["id"], d["name"])])
    rest = count - 1
    used = divisions[:max(1, min(len(divisions), round(rest / 3)))]
    users = [SimUser("lt_webmaster", "webmaster", None)]
    users += [SimUser(f"lt_fzr_{n:02d}", "head", d["id"], d["name"]) for n, d in enumerate(used, 1)]
    for n in range(1, rest - len(used) + 1):
        d = used[(n - 1) % len(used)]
        users.append(SimUser(f"lt_xxy_{n:02d}", "officer", d["id"], d["name"]))
    return Plan(users, [d["name"] for d in used])


def prepare(con: duckdb.DuckDBPyConnection, count: int) -> Plan:
    """Accounts for `count` users, submitted articles for each head, new messages for the webmaster."""
    chosen = plan(con, count)
    by_division = {d["id"]: d for d in _usable_divisions(con)}
    for user in chosen.users:
        accounts.create_user(con, None, user.username, f"压测{user.username[3:]}", [user.role],
                             division_id=user.division_id, email=f"{user.username}@load.test",
                             password=PASSWORD, must_change_password=False)
    for head in (u for u in chosen.users if u.role == "head"):
        author = accounts.find_user(con, next(
            (u.username for u in chosen.users if u.role == "officer" and u.division_id == head.division_id),
            head.username))
        if not author.has("officer"):
            continue
        for n in range(1, SEEDED_ARTICLES + 1):
            article = workflow.create_article(
                con, author, by_division[head.division_id]["column_id"], f"压测预置稿件{head.username}第{n}篇",
                f"<p>压测预置正文{head.username}-{n}。本处室按计划推进重点工作。</p>", source=head.division)
            workflow.submit(con, author, article.id, article.version)
    if any(u.role == "webmaster" for u in chosen.users):
        seed_messages(con, SEEDED_MESSAGES)
    con.execute("CHECKPOINT")
    return chosen


def seed_messages(con: duckdb.DuckDBPyConnection, count: int) -> None:
    """New citizen messages, written as core.interaction.submit writes them."""
    now = dt.datetime.now()
    due = interaction.due_date(con, "consult", now)
    with transaction(con):
        for n in range(1, count + 1):
            message_id = con.execute(
                "INSERT INTO messages (code, kind, concerns_division_id, subject, body, name, phone, email, "
                "publish_allowed, received_at, due_on, client, updated_at) "
                "VALUES (?, 'consult', NULL, ?, ?, ?, NULL, NULL, true, ?, ?, NULL, ?) RETURNING id",
                [interaction.new_code(), f"压测留言第{n:03d}条:关于中小企业数字化改造补贴的咨询",
                 f"压测留言正文 {n}:请问今年的中小企业数字化改造补贴何时开始申报?", f"市民{n:03d}", now, due, now],
            ).fetchone()[0]
            transitions.record(con, interaction.MESSAGE_MACHINE, interaction.get(con, message_id), None, "submit")


# ---------------------------------------------------------------- after the run

def verify(con: duckdb.DuckDBPyConnection, saved: list[dict], submitted: list[str], approved: list[dict],
           routed: list[dict]) -> list[str]:
    """What the users saw succeed is in the database exactly once. Returns the problems (empty: none)."""
    problems = []
    for draft in saved:
        found = rows(con, "SELECT id, body_html FROM articles WHERE title = ?", [draft["title"]])
        if len(found) != 1:
            problems.append(f"稿件「{draft['title']}」保存后在库中有 {len(found)} 条")
        elif draft["token"] not in found[0]["body_html"]:
            problems.append(f"稿件「{draft['title']}」的正文丢失(应含 {draft['token']})")
    for title in submitted:
        n = scalar(con, "SELECT count(*) FROM workflow_events e JOIN articles a ON a.id = e.article_id "
                        "WHERE a.title = ? AND e.action = 'submit'", [title])
        if n != 1:
            problems.append(f"稿件「{title}」提交审批的记录有 {n} 条")
    # titles, not ids: the demo has articles of the same title, so each (title, head) is counted
    for (title, user), times in Counter((d["title"], d["user"]) for d in approved).items():
        n = scalar(con, "SELECT count(*) FROM workflow_events e JOIN articles a ON a.id = e.article_id "
                        "JOIN users u ON u.id = e.actor_id WHERE a.title = ? AND e.action = 'approve' "
                        "AND u.username = ?", [title, user])
        if n != times:
            problems.append(f"「{title}」由 {user} 批准了 {times} 次,库中记录 {n} 条")
    for route in routed:
        found = row(con, "SELECT m.id, d.name AS division FROM messages m LEFT JOIN divisions d "
                         "ON d.id = m.division_id WHERE m.code = ?", [route["code"]])
        n = scalar(con, "SELECT count(*) FROM message_events WHERE message_id = ? AND action = 'route'",
                   [found["id"]]) if found else 0
        if not found or found["division"] != route["division"] or n != 1:
            problems.append(f"留言 {route['code']} 分办记录不符:{found} 次数 {n}")
    chain = audit.verify(con)
    if not chain.ok:
        problems.append(f"审计链校验失败:{chain.message}")
    return problems
