"""The one place connections come from: open, migrate, transact; and why a write to the file failed
(`storage_failure`: a full disk ends a command, an import, a seal).

DuckDB lets one process hold a database file for writing (stack-notes): the workbench's
server process owns it, and each thread takes its own cursor from the shared connection.
"""

from __future__ import annotations

import atexit
import datetime as dt
import errno
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from core import config, keys
from core.errors import StaleVersion

_depth: dict[int, int] = {}
_depth_lock = threading.Lock()
_files: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection or cursor → its database file


class DatabaseLocked(RuntimeError):
    """Another process (normally the workbench) holds the database file."""


def default_path() -> Path:
    """PORTAL_DB, else data/portal.duckdb (declared in core/config.py)."""
    return config.load().db


def connect(path: str | os.PathLike | None = None, *, migrate: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database file (creating its folder 0700, the file 0600), applying pending migrations.
    Entry points open it with `core.opening.open_database`, which also encrypts secrets left in plain text."""
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
    _files[con] = os.path.abspath(db_path)
    if migrate:
        apply_migrations(con)
    return con


def cursor(con: duckdb.DuckDBPyConnection, *, run: bool = False) -> duckdb.DuckDBPyConnection:
    """A new cursor of `con` (one per thread) that still knows its database file, so `kept` works on it.
    `run`: the cursor of one script run (pages/_shared.cursor), dropped when the run ends: `kept` values
    it read are used again within it while the database does not change."""
    found = con.cursor()
    if con in _files:
        _files[found] = _files[con]
        if run:
            _run_memo[found] = ((), {})
    return found


def file_of(con) -> str | None:
    """The database file a connection (or a cursor made by `cursor`) reads, if this module opened it."""
    try:
        return _files.get(con)
    except TypeError:  # not weakly referenceable: not a DuckDB connection of ours
        return None


def change_mark(db_path: str | os.PathLike) -> tuple:
    """A key that changes with every committed write to the database file, and with the day.

    DuckDB appends each commit to the file's write-ahead log before the commit returns, and a checkpoint
    rewrites the file itself and empties the log: the two files' size and modification time change with
    every write, whoever made it (one process holds the file, stack-notes; with several workbench
    processes the owner's writes change the same files). The day is in the key because a column turns
    stale and a message overdue as the dates pass, without any write."""
    path = Path(db_path)
    marks: list[object] = [dt.date.today()]
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            found = file.stat()
            marks += [found.st_size, found.st_mtime_ns]
        except FileNotFoundError:
            marks += [None, None]
    return tuple(marks)


SETTLE_NS = 150_000_000  # a commit written to the log this recently may not be visible to readers yet


def settled_mark(db_path: str | os.PathLike) -> tuple | None:
    """`change_mark`, or None while the last write is younger than SETTLE_NS. DuckDB writes a commit to the
    log (and syncs it) before the commit becomes visible to transactions that start afterwards; a reader
    that saw the new mark in between would read the old rows and keep them under the new mark until the
    next write. That step took at most 36 ms here with the machine's load at 20 (p99 18 ms); a value read
    within SETTLE_NS of a write is used, not kept between runs."""
    mark = change_mark(db_path)
    return mark if _settled(mark) else None


def _settled(mark: tuple) -> bool:
    newest = max((m for m in (mark[2], mark[4]) if m is not None), default=0)
    return time.time_ns() - newest > SETTLE_NS


def in_transaction(con) -> bool:
    """`con` is inside `transaction`: its reads see the transaction's snapshot and its own uncommitted writes."""
    return _depth.get(id(con), 0) > 0


_KEPT_LIMIT = 5000  # entries per database file between two writes (users × sessions), then start afresh
_kept: dict[str, tuple[tuple, dict]] = {}  # database file → (its change mark, {(what, key): value})
_kept_lock = threading.Lock()
_run_memo: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a script run's cursor → (mark, {…})


def kept(con, what: str, key, compute: Callable[[], object]):
    """`compute()` as read from the database in its present state, kept in this process until the next write.

    Invalidated by the database's change mark (`change_mark`): any committed write, by anyone, in any
    session or process, and the new day, drop every kept value of that file. Only facts stored in the
    database belong here (rows, not "is it expired now": the caller applies the clock to the kept rows).
    Not used inside a transaction (its snapshot can be older than the mark, and it sees its own writes)
    nor on a connection whose file is unknown (`file_of`): then `compute()` runs every time.
    Between runs a value is kept only under a settled mark (`settled_mark`) read before computing, and only
    if the mark has not moved meanwhile: never under a mark newer than the state it was read from. Within
    one script run (a cursor made by `cursor(con, run=True)`) a value read right after a write, before the
    mark settled, is used again until the mark settles (then read once more and kept), so a run that asks
    for the settings five times reads them once. The value must not be mutated."""
    path = file_of(con)
    if path is None or in_transaction(con):
        return compute()
    mark = change_mark(path)
    settled = _settled(mark)
    memo = _run_memo.get(con)
    if memo is not None and memo[0] == mark and (what, key) in memo[1]:
        value, read_settled = memo[1][(what, key)]
        if read_settled or not settled:  # read before the write settled: used only until it has
            return value
    if settled:
        with _kept_lock:
            found = _kept.get(path)
            if found is not None and found[0] == mark and (what, key) in found[1]:
                return _remember(con, memo, mark, what, key, (found[1][(what, key)], True))
    value = compute()
    if change_mark(path) != mark:
        return value
    if settled:
        with _kept_lock:
            found = _kept.get(path)
            if found is None or found[0] != mark or len(found[1]) >= _KEPT_LIMIT:
                found = _kept[path] = (mark, {})
            found[1][(what, key)] = value
    return _remember(con, memo, mark, what, key, (value, settled))


def _remember(con, memo: tuple | None, mark: tuple, what: str, key, entry: tuple):
    if memo is not None:
        if memo[0] != mark:
            memo = _run_memo[con] = (mark, {})
        memo[1][(what, key)] = entry
    return entry[0]


def forget_kept() -> None:
    """Drop every kept value (a restore replaces the file; tests start afresh)."""
    with _kept_lock:
        _kept.clear()


class Snapshot:
    """The connection to a default snapshot (`snapshot` without `dest`): the copy lives in its own temporary folder,
    which goes away with the analyst's work (第二十条: a redacted copy is still close to personal data). `close()`
    closes the connection and removes the folder; `with db.snapshot() as con:` does both at the block's end; a
    snapshot still open when the interpreter exits (a notebook's kernel shut down) is removed then. Everything
    else is the DuckDB connection's own (`execute`, `sql`, `df`…, passed through). Dropping the object without
    closing it removes nothing until exit: a chained `snapshot().execute(…)` must not lose its file midway."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        self.connection = con
        self.folder = folder
        with _snapshots_lock:
            _snapshots[folder] = con

    def close(self) -> None:
        _remove_snapshot(self.folder)

    def __getattr__(self, name: str):
        return getattr(self.connection, name)

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_snapshots: dict[Path, duckdb.DuckDBPyConnection] = {}  # the default snapshots this process has not closed
_snapshots_lock = threading.Lock()


def _remove_snapshot(folder: Path) -> None:
    with _snapshots_lock:
        con = _snapshots.pop(folder, None)
    if con is not None:
        try:
            con.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@atexit.register
def _remove_open_snapshots() -> None:
    """The fallback: default snapshots nobody closed go away when the interpreter exits."""
    for folder in list(_snapshots):
        _remove_snapshot(folder)


def snapshot(source: str | os.PathLike | None = None, dest: str | os.PathLike | None = None,
             ) -> duckdb.DuckDBPyConnection | Snapshot:
    """A read-only copy for analysts and notebooks, usable while the workbench holds the file.

    DuckDB lets no second process open a held file (stack-notes), so the file and its
    write-ahead log are copied into a private scratch folder: figures as of the copy. The copy
    is for analysis, not a second copy of everything (第二十条): credentials, secrets and
    citizens' contact details are removed there (`REDACT`), and only the remaining rows are
    written into the snapshot file, so the removed values are not left in its free blocks.

    With `dest`, the copy is written there and kept (`python -m core snapshot --out`, `make lab`): the caller
    owns the file. Without it, the copy goes into a temporary folder of its own that is removed when the
    returned `Snapshot` is closed, or at the latest when the interpreter exits.
    """
    source_path = Path(source) if source else default_path()
    if not source_path.exists():
        raise FileNotFoundError(f"数据库 {source_path} 不存在,请先运行 make run 或 python -m core init")
    folder = None if dest else Path(tempfile.mkdtemp(prefix="portal-snapshot-"))  # 0700
    target = Path(dest) if dest else folder / "snapshot.duckdb"
    work = Path(tempfile.mkdtemp(prefix="portal-snapshot-work-"))  # 0700
    try:
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
        copy = duckdb.connect(str(target), read_only=True)
    except BaseException:
        if folder is not None:  # a failed copy leaves no folder behind either
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return copy if folder is None else Snapshot(copy, folder)


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
    """Apply every migration the database lacks, each in its own transaction. A database already up to date
    costs one query (every process that opens the file comes through here: a build's start, issue 16)."""
    try:
        done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    except duckdb.CatalogException:  # a new file
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
        )
        done = set()
    # apply every shipped migration the database lacks, in number order: a set difference, not
    # "newer than the highest", so a migration merged after a higher-numbered one still runs
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


# a write the disk refused is the run's end, not one row's fault (issue 12, L4)
_STORAGE = {errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "磁盘配额已用完",
            errno.EFBIG: "数据库文件超过了系统允许的大小", errno.EROFS: "磁盘为只读"}


def storage_failure(exc: BaseException) -> str | None:
    """Why the database file could not be written (Chinese), or None when exc is something else."""
    if isinstance(exc, OSError) and exc.errno in _STORAGE:
        return _STORAGE[exc.errno]
    if not isinstance(exc, duckdb.Error | OSError):
        return None
    text = str(exc)
    for code, label in _STORAGE.items():
        if os.strerror(code) in text:
            return label
    if isinstance(exc, duckdb.IOException | duckdb.FatalException) or "Could not write" in text:
        return "无法写入数据库文件"
    return None


# What a search box's text becomes in `column ILIKE ? ESCAPE '\'`: typed % and _ are themselves, not
# wildcards (issue 12, L10: "_" found every row). Write the escape clause with every such LIKE.
LIKE_ESCAPE = "ESCAPE '\\'"


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards (and the escape character itself) escaped, for `… ILIKE ? ESCAPE '\\'`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
