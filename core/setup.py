"""Start-up, in one place: the idempotent set-up the workbench, the command line and the tests run on a
connection, and the health summary. Opening the file is core/opening.py's (it needs none of the imports here).
Imports from core.accounts, columns, workflow, db and demo."""

from __future__ import annotations

import duckdb

from core import accounts, columns, workflow
from core.db import rows, scalar, schema_version
from core.demo import load_demo


def init_database(con: duckdb.DuckDBPyConnection, demo: bool = False) -> dict:
    """Idempotent set-up: schema (by connect), kinds, chains, system account, demo data."""
    columns.seed_kinds(con)
    workflow.seed_chains(con)
    accounts.ensure_system_user(con)
    if demo:
        return load_demo(con)
    return {}


def status(con: duckdb.DuckDBPyConnection) -> dict:
    by_role = {r["role"]: r["n"] for r in rows(
        con, "SELECT role, count(*) AS n FROM user_roles r JOIN users u ON u.id = r.user_id "
             "WHERE u.active GROUP BY role ORDER BY role")}
    by_state = {r["state"]: r["n"] for r in rows(
        con, "SELECT state, count(*) AS n FROM articles GROUP BY state ORDER BY state")}
    return {
        "schema_version": schema_version(con),
        "divisions": scalar(con, "SELECT count(*) FROM divisions"),
        "columns": scalar(con, "SELECT count(*) FROM columns"),
        "users_by_role": by_role,
        "articles_by_state": by_state,
    }
