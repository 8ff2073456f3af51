"""The audit log (第二十条): one row per login, change, approval, take-down, export.

Actions are dotted names (`workflow.approve`, `accounts.create`). The security issue adds the
tamper-evident hash chain in a later migration; callers do not change.
"""

from __future__ import annotations

import duckdb


def record(con: duckdb.DuckDBPyConnection, actor, action: str, obj: str = "",
           summary: str = "", client: str | None = None) -> None:
    """Append one row. `actor` is a User, a user name, or None for the system."""
    if actor is None:
        name, role = "system", None
    elif isinstance(actor, str):
        name, role = actor, None
    else:
        name, role = actor.username, ",".join(sorted(actor.roles))
    con.execute(
        "INSERT INTO audit_log (actor, role, action, object, summary, client) VALUES (?, ?, ?, ?, ?, ?)",
        [name, role, action, obj, summary[:4000], client],
    )
