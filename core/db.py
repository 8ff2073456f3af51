"""The one place connections come from: open, migrate, transact.

DuckDB lets one process hold a database file for writing (stack-notes): the workbench's
server process owns it, and each thread takes its own cursor from the shared connection.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from core import config, keys
from core.errors import StaleVersion

_depth: dict[int, int] = {}
_depth_lock = threading.Lock()


class DatabaseLocked(RuntimeError):
    """Another process (normally the workbench) holds the database file."""


def default_path() -> Path:
    """PORTAL_DB, else data/portal.duckdb (declared in core/config.py)."""
    return config.load().db


def connect(path: str | os.PathLike | None = None, *, migrate: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database file (creating its folder 0700, the file 0600), applying pending migrations.
    Entry points open it with `core.setup.open_database`, which also encrypts secrets left in plain text."""
    db_path = Path(path) if path else default_path()
    keys.private_dir(db_path.parent, tighten=False)  # harden_database below decides for an existing one
    # a new file is the owner's alone from its first byte (only then: umask is process-wide)
    old_mask = None if db_path.exists() else os.umask(0o077)
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLocked(
                f"数据库 {db_path} 正被另一个进程(通常是工作台 make run)占用,无法写入。"
                "请在工作台中操作,或先停止工作台(make stop 或结束 make run)后再运行此命令。"
            ) from exc
        raise
    finally:
        if old_mask is not None:
            os.umask(old_mask)
    keys.harden_database(db_path)  # files made before this version (or by hand) were 0644
    if migrate:
        apply_migrations(con)
    return con


def snapshot(source: str | os.PathLike | None = None, dest: str | os.PathLike | None = None,
             ) -> duckdb.DuckDBPyConnection:
    """A read-only copy for analysts and notebooks, usable while the workbench holds the file.

    DuckDB lets no second process open a held file (stack-notes), so the file and its
    write-ahead log are copied into a private scratch folder: figures as of the copy. The copy
    is for analysis, not a second copy of everything (第二十条): credentials, secrets and
    citizens' contact details are removed there (`REDACT`), and only the remaining rows are
    written into the snapshot file, so the removed values are not left in its free blocks.
    """
    source_path = Path(source) if source else default_path()
    if not source_path.exists():
        raise FileNotFoundError(f"数据库 {source_path} 不存在,请先运行 make run 或 python -m core init")
    target = Path(dest) if dest else Path(tempfile.mkdtemp(prefix="portal-snapshot-")) / "snapshot.duckdb"
    work = Path(tempfile.mkdtemp(prefix="portal-snapshot-work-"))  # 0700
    try:
        raw = work / "raw.duckdb"
        shutil.copyfile(source_path, raw)
        wal = source_path.with_name(source_path.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, raw.with_name(raw.name + ".wal"))
        con = duckdb.connect(str(raw))  # replays the copied log into the copy
        try:
            redact(con)
            con.execute(f"ATTACH '{str(target).replace(chr(39), chr(39) * 2)}' AS snapshot_out")
            con.execute("COPY FROM DATABASE raw TO snapshot_out")
        finally:
            con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    keys.private_file(target)
    return duckdb.connect(str(target), read_only=True)


# What an analyst's snapshot leaves out: (table, statement). Password hashes, second-factor secrets,
# session tokens and cookie refs, the SMTP password, citizens' tracking codes, names, phones and
# e-mail addresses (also the mail sent to them), names typed at the login, pending CAPTCHA answers.
REDACT: tuple[tuple[str, str], ...] = (
    ("users", "UPDATE users SET password_hash = ''"),
    ("password_history", "DELETE FROM password_history"),
    ("user_totp", "UPDATE user_totp SET secret = ''"),
    ("auth_sessions", "UPDATE auth_sessions SET id = md5(id), cookie_ref = NULL, client = NULL"),
    ("settings", "DELETE FROM settings WHERE name IN ('smtp_password', 'smtp_user')"),
    ("messages", "UPDATE messages SET code = md5(code), name = '', phone = NULL, email = NULL, client = NULL"),
    ("outbox", "UPDATE outbox SET recipient = NULL, body = '' WHERE user_id IS NULL"),
    ("login_failures", "DELETE FROM login_failures"),
    ("login_clients", "DELETE FROM login_clients"),
    ("rate_hits", "DELETE FROM rate_hits"),
    ("captcha_challenges", "DELETE FROM captcha_challenges"),
    # 依申请公开 (issue 14): applicants' names and contacts never leave the workbench's page
    ("disclosure_applications", "UPDATE disclosure_applications SET applicant_name = '', applicant_contact = ''"),
)


def redact(con: duckdb.DuckDBPyConnection) -> None:
    """Blank the credentials, secrets and citizens' contact details (`REDACT`) in a copy."""
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                         "WHERE database_name = current_database()").fetchall()}
    with transaction(con):
        for table, statement in REDACT:
            if table in present:
                con.execute(statement)


def migration_files() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped in core/migrations, in order."""
    found = []
    for entry in resources.files("core.migrations").iterdir():
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration newer than the database, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
    )
    # apply every shipped migration the database lacks, in number order: a set difference, not
    # "newer than the highest", so a migration merged after a higher-numbered one still runs
    done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for number, name, sql in migration_files():
        if number in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
        applied.append(number)
    return applied


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK on any error. Nested uses join the outer transaction."""
    key = id(con)
    with _depth_lock:
        depth = _depth.get(key, 0)
        _depth[key] = depth + 1
    try:
        if depth == 0:
            con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            if depth == 0:
                con.execute("ROLLBACK")
            raise
        else:
            if depth == 0:
                con.execute("COMMIT")
    finally:
        with _depth_lock:
            if depth == 0:
                _depth.pop(key, None)
            else:
                _depth[key] = depth


def update_versioned(con: duckdb.DuckDBPyConnection, table: str, row_id: int, expected_version: int,
                     what: str, **changes) -> None:
    """Optimistic locking: write `changes` and the next version only if the row still has the
    version the user saw; otherwise someone acted first and StaleVersion names `what` (该稿件…).
    `table` and the column names come from code, never from users."""
    changes["version"] = expected_version + 1
    assignments = ", ".join(f"{name} = ?" for name in changes)
    try:
        count = con.execute(f"UPDATE {table} SET {assignments} WHERE id = ? AND version = ?",
                            [*changes.values(), row_id, expected_version]).fetchone()[0]
    except duckdb.TransactionException as exc:
        raise StaleVersion(what) from exc
    if count != 1:
        raise StaleVersion(what)


def run_versioned(con: duckdb.DuckDBPyConnection, fn, what: str):
    """Run a transition in a transaction; a write-write conflict means someone acted first."""
    try:
        with transaction(con):
            return fn()
    except duckdb.TransactionException as exc:
        raise StaleVersion(what) from exc


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = ()) -> list[dict]:
    """Run a query and return its rows as dicts."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def row(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = ()) -> dict | None:
    found = rows(con, sql, params)
    return found[0] if found else None


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = ()):
    result = con.execute(sql, list(params)).fetchone()
    return result[0] if result else None


# What a search box's text becomes in `column ILIKE ? ESCAPE '\'`: typed % and _ are themselves, not
# wildcards (issue 12, L10: "_" found every row). Write the escape clause with every such LIKE.
LIKE_ESCAPE = "ESCAPE '\\'"


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards (and the escape character itself) escaped, for `… ILIKE ? ESCAPE '\\'`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
