"""The reads of the moderated public contributions (issue 17) that need none of their workbench: their states,
the contributions to one owner and their counts, and the owners on the portal.

core.contribution (the gate, the review, the machine) builds on these; core.consultation_public and
core.interview_public read with them for the portal's build, which should not import the message desk, the
screening and the article workflow to read a few rows (issue 16: 0.15 s of every build's start). Table and
column names in SQL come from the owners' code.

Imports from: the floor (db).
"""

from __future__ import annotations

import duckdb

from core.db import rows

STATE_LABELS = {"pending": "待审核", "approved": "已通过", "rejected": "未通过"}


def of(con: duckdb.DuckDBPyConnection, table: str, owner_key: str, owner_id: int,
       state: str | None = None) -> list[dict]:
    """The contributions to one owner, in the order received (of one state, or all)."""
    sql = f"SELECT * FROM {table} WHERE {owner_key} = ?"
    params: list = [owner_id]
    if state:
        sql += " AND state = ?"
        params.append(state)
    return rows(con, sql + " ORDER BY id", params)


def counts(con: duckdb.DuckDBPyConnection, table: str, owner_key: str, owner_id: int) -> dict[str, int]:
    """Contributions by state, and all received."""
    found = {r["state"]: r["n"] for r in rows(
        con, f"SELECT state, count(*) AS n FROM {table} WHERE {owner_key} = ? GROUP BY state", [owner_id])}
    result = {state: int(found.get(state, 0)) for state in STATE_LABELS}
    result["received"] = sum(result.values())
    return result


def published_in(con: duckdb.DuckDBPyConnection, owner_table: str, columns: str, order: str,
                 column_ids: list[int] | None = None) -> list[dict]:
    """The owners on the portal (past their draft), optionally of some columns, in `order`."""
    sql = f"SELECT {columns} FROM {owner_table} WHERE state <> 'draft'"
    params: list = []
    if column_ids is not None:
        sql += f" AND column_id IN ({', '.join('?' for _ in column_ids) or 'NULL'})"
        params = list(column_ids)
    return rows(con, f"{sql} ORDER BY {order}", params)
