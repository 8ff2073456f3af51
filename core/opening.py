"""Opening the database, as every entry point does (the command line, the workbench, the benches).

Apart from core/setup.py, whose set-up (kinds, chains, the system account, the demo data) imports most of
the workbench (~0.3 s): a command that only opens the file, such as build-site, does not (issue 16).
Imports from core.db and core.settings.
"""

from __future__ import annotations

import duckdb

from core import db, settings


def open_database(path=None, *, migrate: bool = True) -> duckdb.DuckDBPyConnection:
    """The start every entry point makes: open the file (migrations applied, core.db), then encrypt any
    secret an older version left in plain text (settings.encrypt_at_rest; the key lives outside the database)."""
    con = db.connect(path, migrate=migrate)
    if migrate:
        settings.encrypt_at_rest(con)
    return con
