"""The audit log (第二十条): one row per login, change, approval, take-down, export and backup.

Actions are dotted names (`workflow.approve`, `accounts.create`); callers pass the actor
explicitly and call `record` inside the transaction of the change they describe, so the row
commits or rolls back with it.

Tamper evidence. Rows are inserted unsealed by many threads' transactions; a row's hash needs
the previous row's hash, so hashing at insert time would let two concurrent transactions
build on the same predecessor (a fork). Instead one sealer (`seal`, under a process lock;
DuckDB lets one process write the file) gives every *committed* row its chain position and
hash in `audit_chain`, in commit order:

    row_hash = SHA-256(prev_hash + canonical JSON of [seq, id, time, actor, role, action,
                       object, summary, client])

The sealer runs right after a write made outside a transaction, at the start of each
workbench run, every second a write is pending and every tick in the scheduler, and before
`verify`, `archive` and backups. `verify` walks the chain from its anchor and names the first
broken row: a changed row (hash), a deleted row (missing id or a gap in seq), a reordered or
edited seal (prev_hash). `archive` (core/security_audit.py, with the reading in staff's words) moves
rows older than the retention period to Parquet with their seals, and records the anchor (last archived
seq and hash) the live chain continues from.

Low floor: imports only db. Every module records here; what reads the log in staff's words needs their
labels, so that lives above them, in core/security_audit.py.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core import db
from core.db import row, rows, scalar, transaction

GENESIS = "0" * 64
_SEAL_LOCK = threading.Lock()
# when a row was last recorded: a row recorded inside a transaction becomes visible to the sealer
# only at commit, which the sealer cannot see coming, so passes go on for a while after each write
_last_record = [float("-inf")]
PENDING_SECONDS = 10.0
_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_client", default=None)

# ---------------------------------------------------------------- writing

def set_client(client: str | None) -> contextvars.Token:
    """The client address of the current script run; rows recorded in this context carry it."""
    return _client.set(client)


@contextmanager
def client_context(client: str | None) -> Iterator[None]:
    token = _client.set(client)
    try:
        yield
    finally:
        _client.reset(token)


def _in_transaction(con) -> bool:
    return db._depth.get(id(con), 0) > 0


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
        [name[:200], role, action, obj, (summary or "")[:4000], client or _client.get()],
    )
    _last_record[0] = time.monotonic()
    if not _in_transaction(con):
        seal(con, recent=True)  # autocommitted: the row is visible to the sealer now


# ---------------------------------------------------------------- the chain

def canonical(entry: dict, seq: int) -> str:
    """The exact text hashed for one row; stable across export, import and Parquet."""
    created = entry["created_at"]
    when = created.isoformat(sep=" ", timespec="microseconds") if isinstance(created, dt.datetime) else str(created)
    return json.dumps([int(seq), int(entry["id"]), when, entry["actor"], entry["role"], entry["action"],
                       entry["object"], entry["summary"], entry["client"]],
                      ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, entry: dict, seq: int) -> str:
    return hashlib.sha256((prev_hash + canonical(entry, seq)).encode("utf-8")).hexdigest()


def anchor(con) -> tuple[int, str]:
    found = row(con, "SELECT seq, row_hash FROM audit_anchor ORDER BY seq DESC LIMIT 1")
    return (found["seq"], found["row_hash"]) if found else (0, GENESIS)


def _head(con) -> tuple[int, str]:
    # max(seq) reads one column; ORDER BY … LIMIT 1 carried every hash through a top-N
    found = row(con, "SELECT seq, row_hash FROM audit_chain WHERE seq = (SELECT max(seq) FROM audit_chain)")
    return (found["seq"], found["row_hash"]) if found else anchor(con)


COLUMNS = "a.id, a.created_at, a.actor, a.role, a.action, a.object, a.summary, a.client"
# How far below the newest seal the frequent passes (every run, every second, after an
# autocommitted row) look for rows committed late; the full pass (each scheduler tick, verify,
# archive, backup, start) looks everywhere, so a transaction that outlived this many ids is sealed then.
RECENT_IDS = 10_000


def _pending(cur, recent: bool) -> list[dict]:
    newest = scalar(cur, "SELECT max(audit_id) FROM audit_chain") if recent else None
    if newest is None:
        return rows(cur, f"SELECT {COLUMNS} FROM audit_log a "
                         "ANTI JOIN audit_chain c ON c.audit_id = a.id ORDER BY a.id")
    floor = newest - RECENT_IDS  # the id range lets DuckDB skip the old row groups of both tables
    return rows(cur, f"SELECT {COLUMNS} FROM audit_log a "
                     "ANTI JOIN (SELECT audit_id FROM audit_chain WHERE audit_id > ?) c ON c.audit_id = a.id "
                     "WHERE a.id > ? ORDER BY a.id", [floor, floor])


def seal(con: duckdb.DuckDBPyConnection, *, recent: bool = False) -> int:
    """Give every committed, unsealed row its chain position and hash; returns how many.
    ``recent``: only rows whose id is at most RECENT_IDS below the newest seal (the cheap pass
    of every run; its cost no longer grows with the log).

    Runs on its own cursor (its own transaction): it sees only committed rows, whatever
    transaction the caller is in, and the process lock makes it the only sealer.
    """
    with _SEAL_LOCK:
        cur = con.cursor()
        try:
            with transaction(cur):
                pending = _pending(cur, recent)
                if not pending:
                    return 0
                seq, prev = _head(cur)
                seals = []
                for entry in pending:
                    seq += 1
                    digest = chain_hash(prev, entry, seq)
                    seals.append((seq, entry["id"], prev, digest))
                    prev = digest
                import pandas as pd  # deferred: ~0.4 s to import; only when there are rows to seal

                frame = pd.DataFrame(seals, columns=["seq", "audit_id", "prev_hash", "row_hash"])
                cur.register("new_seals", frame)
                try:
                    cur.execute("INSERT INTO audit_chain (seq, audit_id, prev_hash, row_hash) "
                                "SELECT seq, audit_id, prev_hash, row_hash FROM new_seals")
                finally:
                    cur.unregister("new_seals")
                return len(seals)
        finally:
            cur.close()


def seal_if_pending(con: duckdb.DuckDBPyConnection) -> int:
    """Free when nothing was recorded lately (the workbench calls it every run and every second)."""
    return seal(con, recent=True) if time.monotonic() - _last_record[0] < PENDING_SECONDS else 0


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_seq: int | None = None
    last_seq: int | None = None
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    sealed_now: int = 0

    @property
    def message(self) -> str:
        if self.ok:
            span = f"序号 {self.first_seq}–{self.last_seq}" if self.checked else "尚无记录"
            return f"审计日志哈希链完整:已校验 {self.checked} 条({span})。"
        where = f"序号 {self.broken_seq}" + (f"(日志编号 {self.broken_id})" if self.broken_id is not None else "")
        return f"审计日志哈希链断裂:第一处在{where}:{self.reason}"


def _json(column: str) -> str:
    return f"coalesce(to_json({column})::VARCHAR, 'null')"


# canonical() in SQL: the same JSON text for every row whose strings hold no control character other than
# \b \t \n \f \r (DuckDB writes \u001F where Python writes \u001f); such a row only fails this pass and is
# then judged by the exact walk
_CANONICAL_SQL = ("'[' || c.seq::VARCHAR || ',' || a.id::VARCHAR || ',' || "
                  + _json("strftime(a.created_at, '%Y-%m-%d %H:%M:%S.%f')") + " || ',' || "
                  + " || ',' || ".join(_json(f"a.{name}") for name in ("actor", "role", "action", "object",
                                                                           "summary", "client"))
                  + " || ']'")


def _intact_in_sql(con, anchor_seq: int, anchor_hash: str, *,
                   after_only: bool = False) -> tuple[int, int | None, int | None] | None:
    """The chain checked in one vectorised pass — (checked, first seq, last seq) when every
    seal is in place and every hash recomputes, None when anything does not: then the exact walk
    (`_walk`) finds and names the first broken row. ~1 s instead of ~13 s at 1,000,000 rows.
    ``after_only``: only the seals after `anchor_seq` (a checkpoint, `check_recent`) and only the log rows they
    can name (ids from the smallest of theirs on: DuckDB skips the older row groups of both tables); without it
    every seal is read, so one left before the archive anchor is found too."""
    where, log, params = "", "audit_log", [anchor_hash]
    if after_only:
        lowest = scalar(con, "SELECT min(audit_id) FROM audit_chain WHERE seq > ?", [anchor_seq])
        if lowest is None:
            return 0, None, None
        where, log = "WHERE c.seq > ?", "(SELECT * FROM audit_log WHERE id >= ?)"
        params = [lowest, anchor_seq, anchor_hash]
    found = con.execute(f"""
        WITH c AS (
            SELECT c.seq, c.prev_hash, c.row_hash, a.id IS NOT NULL AS present,
                   lag(c.row_hash) OVER (ORDER BY c.seq) AS before,
                   sha256(c.prev_hash || {_CANONICAL_SQL}) AS digest
            FROM audit_chain c LEFT JOIN {log} a ON a.id = c.audit_id {where})
        SELECT count(*), min(seq), max(seq),
               count(*) FILTER (WHERE NOT present OR digest IS DISTINCT FROM row_hash
                                OR prev_hash IS DISTINCT FROM coalesce(before, ?))
        FROM c""", params).fetchone()
    checked, first, last, wrong = found
    if not checked:
        return 0, None, None
    if wrong or first != anchor_seq + 1 or last - first + 1 != checked:
        return None
    return checked, first, last


def verify(con: duckdb.DuckDBPyConnection, *, seal_first: bool = True) -> Verification:
    """Check the chain from its anchor; name the first broken row (第二十条). One set-based pass
    in DuckDB answers an intact chain; the row-by-row walk runs only when it does not.
    Writes nothing but seals: `check_full` records its result, `check_recent` checks from the checkpoint."""
    sealed = seal(con) if seal_first else 0
    anchor_seq, prev = anchor(con)
    intact = _intact_in_sql(con, anchor_seq, prev)
    if intact is not None:
        checked, first, last = intact
        return Verification(True, checked, first, last, sealed_now=sealed)
    return _walk(con, anchor_seq, prev, sealed)


def _walk(con, anchor_seq: int, prev: str, sealed: int, *, after_only: bool = False) -> Verification:
    """The exact row-by-row walk from (anchor_seq, prev): names the first broken row."""
    expected = anchor_seq + 1
    checked = 0
    first = None
    cur = con.execute(f"""
        SELECT c.seq, c.audit_id, c.prev_hash, c.row_hash, a.id IS NOT NULL AS present, {COLUMNS}
        FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id
        {"WHERE c.seq > ?" if after_only else ""} ORDER BY c.seq""", [anchor_seq] if after_only else [])
    names = [d[0] for d in cur.description]
    while True:
        batch = cur.fetchmany(5000)
        if not batch:
            break
        for values in batch:
            entry = dict(zip(names, values, strict=True))
            seq = entry["seq"]
            first = seq if first is None else first
            if seq < expected:
                return Verification(False, checked, first, seq, seq, entry["audit_id"],
                                    "该序号早于归档锚点,归档后本应已移出", sealed)
            if seq != expected:
                return Verification(False, checked, first, seq, expected, None,
                                    f"序号 {expected}–{seq - 1} 的记录缺失(被删除)", sealed)
            if not entry["present"]:
                return Verification(False, checked, first, seq, seq, entry["audit_id"], "该条日志已被删除", sealed)
            if entry["prev_hash"] != prev:
                return Verification(False, checked, first, seq, seq, entry["audit_id"],
                                    "链接值与前一条不符(记录顺序或封存信息被改动)", sealed)
            entry["id"] = entry["audit_id"]
            if chain_hash(prev, entry, seq) != entry["row_hash"]:
                return Verification(False, checked, first, seq, seq, entry["audit_id"],
                                    "内容与封存时的哈希值不符(记录被修改或调换)", sealed)
            prev = entry["row_hash"]
            expected += 1
            checked += 1
    return Verification(True, checked, first, expected - 1 if checked else None, sealed_now=sealed)


# ---------------------------------------------------------------- checkpoint and the full walk (issue 16)
#
# Opening 安全审计 must not walk 1,000,000 rows (3.5–4.7 s of CPU each time). `check_recent` keeps a checkpoint in
# audit_checks — the last seq found intact and its row_hash — and on each open checks only
#   * the checkpoint row itself: its seal is still at that seq with that hash, its log row is still there and
#     its content still hashes (with its stored prev_hash) to that hash; and
#   * every seal after it, chained from the checkpoint's hash, as `verify` does (no gap, no deleted row, every
#     link and hash recomputed); the first broken row after the checkpoint is named as before.
# An intact pass moves the checkpoint to the newest seal. The scheduler (core/scheduler.py) walks the whole chain
# from the archive anchor once a day (`check_full`, also after each backup) and records when and what it found;
# the page shows that time and result, and a break found there keeps the page red until a later full walk.
#
# What the checkpoint protects: rows sealed after it (changed, deleted, reordered, re-sealed), the checkpoint row,
# and the chain's length up to it — deleting the newest seals back past the checkpoint shows as its row missing,
# which the full walk alone (it has no record of the head) cannot see.
# What it does not protect, and why the full walk stays: rows before the checkpoint are trusted between two full
# walks, so a change there is found at the next full walk (≤ one day), not on opening the page. Someone who can
# write the database file can also move the checkpoint forward to a real seal (skipping the rows between until the
# full walk), or rewrite the recorded full-walk result — the next full walk replaces it with what it finds. And as
# before this change, the chain is an unkeyed SHA-256 chain: whoever rewrites rows and recomputes every later hash
# (and the checkpoint) is caught by no check inside the database; only copies kept elsewhere (the signed backups'
# manifests, the archived Parquet files' hashes) can show that. The checkpoint adds no new way to hide a change
# beyond that window; it only trades "every open" for "every open for new rows, daily for all".

FULL_CHECK_HOURS = 24  # the scheduler's full walk: at most this long apart
_CHECK_LOCK = threading.Lock()  # one checker writes audit_checks at a time (two pages opened at once)


@dataclass(frozen=True)
class FullCheck:
    """The last full walk: when, and what it found."""
    at: dt.datetime
    ok: bool
    checked: int
    message: str
    broken_seq: int | None

    @property
    def label(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"完整校验:{when} 通过" if self.ok else f"完整校验:{when} 发现断裂。{self.message}"


def checkpoint(con: duckdb.DuckDBPyConnection) -> tuple[int, str] | None:
    """(seq, row_hash) of the last row found intact, or None before the first check."""
    found = row(con, "SELECT seq, row_hash FROM audit_checks WHERE kind = 'checkpoint' "
                     "ORDER BY checked_at DESC LIMIT 1")
    return (found["seq"], found["row_hash"]) if found and found["seq"] is not None else None


def last_full_check(con: duckdb.DuckDBPyConnection) -> FullCheck | None:
    found = row(con, "SELECT checked_at, ok, checked, message, broken_seq FROM audit_checks WHERE kind = 'full' "
                     "ORDER BY checked_at DESC LIMIT 1")
    return FullCheck(found["checked_at"], found["ok"], found["checked"], found["message"],
                     found["broken_seq"]) if found else None


def full_check_due(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None,
                   hours: float = FULL_CHECK_HOURS) -> bool:
    last = last_full_check(con)
    return last is None or (now or dt.datetime.now()) - last.at >= dt.timedelta(hours=hours)


def _write_check(con, kind: str, seq: int | None, row_hash: str | None, checked: Verification,
                 now: dt.datetime) -> None:
    with transaction(con):
        con.execute("DELETE FROM audit_checks WHERE kind = ?", [kind])
        con.execute("INSERT INTO audit_checks (kind, seq, row_hash, checked_at, ok, checked, message, broken_seq) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [kind, seq, row_hash, now, checked.ok, checked.checked, checked.message, checked.broken_seq])


def _advance(con, checked: Verification, now: dt.datetime) -> None:
    """Move the checkpoint to the last seal an intact pass reached."""
    if checked.ok and checked.last_seq is not None:
        digest = scalar(con, "SELECT row_hash FROM audit_chain WHERE seq = ?", [checked.last_seq])
        _write_check(con, "checkpoint", checked.last_seq, digest, checked, now)


def check_full(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> Verification:
    """The full walk (`verify` from the archive anchor), recorded with its time for 安全审计; an intact chain
    moves the checkpoint to its head. The scheduler runs it daily and after each backup."""
    now = now or dt.datetime.now()
    checked = verify(con)
    with _CHECK_LOCK:
        _write_check(con, "full", checked.last_seq, None, checked, now)
        _advance(con, checked, now)
    return checked


def _checkpoint_row_broken(con, seq: int, digest: str) -> Verification | None:
    """The checkpoint row re-checked: its seal, its log row, its hash."""
    seal_row = row(con, "SELECT seq, audit_id, prev_hash, row_hash FROM audit_chain WHERE seq = ?", [seq])
    if seal_row is None:
        return Verification(False, 0, None, None, seq, None,
                            "校验点所在的封存记录缺失(该序号及之后的记录被删除)")
    entry = row(con, f"SELECT {COLUMNS} FROM audit_log a WHERE a.id = ?", [seal_row["audit_id"]])
    if entry is None:
        return Verification(False, 0, None, None, seq, seal_row["audit_id"], "该条日志已被删除")
    if seal_row["row_hash"] != digest:
        return Verification(False, 0, None, None, seq, seal_row["audit_id"],
                            "封存的哈希值与校验点不符(封存信息被改动)")
    if chain_hash(seal_row["prev_hash"], entry, seq) != digest:
        return Verification(False, 0, None, None, seq, seal_row["audit_id"],
                            "内容与封存时的哈希值不符(记录被修改或调换)")
    return None


def check_recent(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> Verification:
    """What opening 安全审计 checks: the rows sealed after the checkpoint and the checkpoint row (see above),
    then the checkpoint moves on. Without a checkpoint (or one the archive has passed) it walks from the
    anchor — that is a full walk, and is recorded as one. Counts in the answer: `checked` is every row from
    the anchor to the newest seal (those up to the checkpoint were checked before), `first_seq`–`last_seq` that span."""
    now = now or dt.datetime.now()
    sealed = seal(con, recent=True)  # the scheduler's full seal each tick catches any later committer
    with _CHECK_LOCK:
        anchor_seq, anchor_hash = anchor(con)
        point = checkpoint(con)
        if point is None or point[0] <= anchor_seq:
            checked = verify(con, seal_first=False)
            checked = Verification(checked.ok, checked.checked, checked.first_seq, checked.last_seq,
                                   checked.broken_seq, checked.broken_id, checked.reason, sealed)
            _write_check(con, "full", checked.last_seq, None, checked, now)
            _advance(con, checked, now)
            return checked
        seq, digest = point
        broken = _checkpoint_row_broken(con, seq, digest)
        if broken is not None:
            return Verification(False, 0, None, None, broken.broken_seq, broken.broken_id, broken.reason, sealed)
        intact = _intact_in_sql(con, seq, digest, after_only=True)
        if intact is None:
            found = _walk(con, seq, digest, sealed, after_only=True)
            if not found.ok:
                return Verification(False, seq - anchor_seq + found.checked, anchor_seq + 1, found.last_seq,
                                    found.broken_seq, found.broken_id, found.reason, sealed)
            intact = (found.checked, found.first_seq, found.last_seq)
        new, _first, last = intact
        last = last if last is not None else seq
        checked = Verification(True, last - anchor_seq, anchor_seq + 1, last, sealed_now=sealed)
        if new:
            _advance(con, checked, now)
        return checked


def unsealed_count(con: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(con, "SELECT count(*) FROM audit_log a ANTI JOIN audit_chain c ON c.audit_id = a.id"))


def verify_archive(path: str | Path, prev_hash: str | None = None) -> Verification:
    """Check an archived Parquet file's own chain (and its link to the previous anchor)."""
    con = duckdb.connect()
    try:
        found = rows(con, f"SELECT * FROM read_parquet('{sql_path(Path(path))}') ORDER BY seq")
    finally:
        con.close()
    if not found:
        return Verification(True, 0)
    prev = prev_hash if prev_hash is not None else found[0]["prev_hash"]
    expected = found[0]["seq"]
    for checked, entry in enumerate(found):
        if entry["seq"] != expected or entry["prev_hash"] != prev or chain_hash(prev, entry, expected) != entry["row_hash"]:
            return Verification(False, checked, found[0]["seq"], entry["seq"], entry["seq"], entry["id"],
                                "归档文件中的记录与哈希链不符")
        prev = entry["row_hash"]
        expected += 1
    return Verification(True, len(found), found[0]["seq"], found[-1]["seq"])


def archive_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """Where archives go by default: `audit-archive/` beside the database file."""
    found = scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    return (Path(found).parent if found else Path("data")) / "audit-archive"


def anchors(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return rows(con, "SELECT * FROM audit_anchor ORDER BY seq")


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


