"""Notices to people: e-mail queued in `outbox` (sent by the mailer); the to-do counts are in core/todo.py.

Wagtail's users complain most of rejections that notify nobody and of comments left out
of e-mails: every return carries its comment into the mail.
"""

from __future__ import annotations

import duckdb

from core.db import rows, scalar


def enqueue(con: duckdb.DuckDBPyConnection, user_id: int | None, kind: str, subject: str, body: str,
            dedup_key: str | None = None) -> bool:
    """Queue one e-mail for a user; returns False when `dedup_key` was already queued."""
    if dedup_key and scalar(con, "SELECT count(*) FROM outbox WHERE dedup_key = ?", [dedup_key]):
        return False
    email = scalar(con, "SELECT email FROM users WHERE id = ?", [user_id]) if user_id else None
    con.execute(
        "INSERT INTO outbox (user_id, recipient, kind, subject, body, dedup_key) VALUES (?, ?, ?, ?, ?, ?)",
        [user_id, email, kind, subject, body, dedup_key],
    )
    return True


def enqueue_many(con: duckdb.DuckDBPyConnection, mails: list[tuple[int, str, str, str, str]]) -> int:
    """Queue many e-mails at once: (user_id, kind, subject, body, dedup_key) each, keys the caller
    has checked are new (a sweep that reminds of hundreds of items at once)."""
    if not mails:
        return 0
    import pandas as pd  # deferred: ~0.4 s to import; bulk reminder sweeps only

    frame = pd.DataFrame(mails, columns=["user_id", "kind", "subject", "body", "dedup_key"])
    con.register("new_mails", frame)  # one INSERT … SELECT: row-by-row inserts take ~0.5 ms each
    try:
        con.execute("INSERT INTO outbox (user_id, recipient, kind, subject, body, dedup_key) "
                    "SELECT n.user_id, u.email, n.kind, n.subject, n.body, n.dedup_key "
                    "FROM new_mails n LEFT JOIN users u ON u.id = n.user_id")
    finally:
        con.unregister("new_mails")
    return len(mails)


def role_holders(con: duckdb.DuckDBPyConnection, role: str, division_id: int | None = None) -> list[int]:
    """Active users with `role` (in `division_id` when given), by id."""
    sql = "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = ? AND u.active"
    params: list = [role]
    if division_id is not None:
        sql += " AND u.division_id = ?"
        params.append(division_id)
    return [r["id"] for r in rows(con, sql + " ORDER BY u.id", params)]


def approver_ids(con: duckdb.DuckDBPyConnection, role: str, lead_division_id: int) -> list[int]:
    """Who can act on a step of `role` for an item led by this division (第十四条)."""
    if role == "head":
        return role_holders(con, "head", lead_division_id)
    if role == "leader":
        return [r["id"] for r in rows(con, "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
                                           "JOIN leader_charge c ON c.user_id = u.id "
                                           "WHERE r.role = 'leader' AND u.active AND c.division_id = ? ORDER BY u.id",
                                      [lead_division_id])]
    return role_holders(con, "group")


def outbox(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict]:
    return rows(con, "SELECT id, recipient, kind, subject, created_at, sent_at, attempts, last_error "
                     "FROM outbox ORDER BY id DESC LIMIT ?", [limit])
