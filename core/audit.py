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
edited seal (prev_hash). `archive` moves rows older than the retention period to Parquet with
their seals, and records the anchor (last archived seq and hash) the live chain continues from.
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

from core.db import row, rows, scalar, transaction
from core.errors import ValidationError

GENESIS = "0" * 64
_SEAL_LOCK = threading.Lock()
# when a row was last recorded: a row recorded inside a transaction becomes visible to the sealer
# only at commit, which the sealer cannot see coming, so passes go on for a while after each write
_last_record = [float("-inf")]
PENDING_SECONDS = 10.0
_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_client", default=None)

# Chinese labels for the security audit page; unknown actions show their dotted name
ACTION_LABELS: dict[str, str] = {
    "auth.login": "登录成功", "auth.login_failed": "登录失败", "auth.lockout": "账号锁定",
    "auth.login_refused": "锁定期间尝试登录", "auth.unlock": "解除锁定", "auth.password_ok": "密码正确(待动态口令)",
    "auth.totp_failed": "动态口令错误", "auth.totp_enrol": "启用动态口令", "auth.resume": "凭登录凭证恢复会话",
    "auth.logout": "退出登录", "auth.session_end": "会话结束",
    "accounts.create": "新建账号", "accounts.update": "修改账号", "accounts.reset_password": "重置密码",
    "accounts.change_password": "修改密码", "accounts.unlock": "解除锁定", "accounts.reset_totp": "重置动态口令",
    "accounts.disable_totp": "停用动态口令",
    "settings.edit": "修改设置", "chain.edit": "修改审批流程", "columns.create": "新建栏目", "columns.update": "修改栏目",
    "lexicon.add_word": "新增敏感词", "lexicon.update_word": "修改敏感词", "lexicon.delete_word": "删除敏感词",
    "lexicon.add_error": "新增严重错误", "lexicon.update_error": "修改严重错误", "lexicon.delete_error": "删除严重错误",
    "workflow.take_down": "撤下", "workflow.restore": "恢复上线", "workflow.approve": "批准", "workflow.publish": "发布",
    "audit.export": "导出审计日志", "audit.archive": "归档审计日志", "audit.verify": "校验审计日志",
    "backup.create": "备份", "backup.failed": "备份失败", "backup.verify": "校验备份", "backup.request": "申请备份",
    "incidents.create": "登记安全事件", "incidents.suggest": "自动提示安全事件", "incidents.update": "修改安全事件",
    "incidents.step": "记录处置步骤", "incidents.confirm": "确认安全事件", "incidents.dismiss": "排除安全事件",
    "incidents.close": "安全事件结案",
}


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
    from core import db

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


def _anchor(con) -> tuple[int, str]:
    found = row(con, "SELECT seq, row_hash FROM audit_anchor ORDER BY seq DESC LIMIT 1")
    return (found["seq"], found["row_hash"]) if found else (0, GENESIS)


def _head(con) -> tuple[int, str]:
    # max(seq) reads one column; ORDER BY … LIMIT 1 carried every hash through a top-N
    found = row(con, "SELECT seq, row_hash FROM audit_chain WHERE seq = (SELECT max(seq) FROM audit_chain)")
    return (found["seq"], found["row_hash"]) if found else _anchor(con)


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
                import pandas as pd

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


def verify(con: duckdb.DuckDBPyConnection, *, seal_first: bool = True) -> Verification:
    """Walk the chain from its anchor; name the first broken row (第二十条)."""
    sealed = seal(con) if seal_first else 0
    anchor_seq, prev = _anchor(con)
    expected = anchor_seq + 1
    checked = 0
    first = None
    cur = con.execute(f"""
        SELECT c.seq, c.audit_id, c.prev_hash, c.row_hash, a.id IS NOT NULL AS present, {COLUMNS}
        FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id ORDER BY c.seq""")
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


def unsealed_count(con: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(con, "SELECT count(*) FROM audit_log a ANTI JOIN audit_chain c ON c.audit_id = a.id"))


# ---------------------------------------------------------------- retention and archive

def settings_days(con: duckdb.DuckDBPyConnection) -> int:
    from core import settings

    return int(settings.get(con, "audit_retention_days"))


def retention_cutoff(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> dt.datetime:
    return (now or dt.datetime.now()) - dt.timedelta(days=settings_days(con))


@dataclass(frozen=True)
class Archived:
    rows: int
    file: Path | None
    first_seq: int | None = None
    last_seq: int | None = None

    @property
    def message(self) -> str:
        if not self.rows:
            return "没有超过保留期限、可以归档的审计日志。"
        return f"已归档 {self.rows} 条审计日志(序号 {self.first_seq}–{self.last_seq})到 {self.file}。"


def archive(con: duckdb.DuckDBPyConnection, actor, dest: str | Path, before: dt.datetime | None = None,
            now: dt.datetime | None = None) -> Archived:
    """Move the oldest rows (older than the retention period, 网络安全法第二十一条) to Parquet.

    Only a prefix of the chain moves, so the rest continues from the recorded anchor; no row
    younger than the retention period is ever deleted, whatever `before` says.
    """
    from core.permissions import require

    if actor is not None and not isinstance(actor, str):
        require(actor, "audit.archive")
    cutoff = retention_cutoff(con, now)
    if before is not None:
        if before > cutoff:
            days = settings_days(con)
            raise ValidationError("归档截止时间", f"不得晚于 {cutoff:%Y-%m-%d %H:%M}:审计日志至少保存 {days} 天",
                                  "第二十条")
        cutoff = before
    checked = verify(con)
    if not checked.ok:
        raise ValidationError("审计日志", "哈希链不完整,请先查明原因,不能归档:" + checked.message, "第二十条")
    anchor_seq, anchor_hash = _anchor(con)
    # the chain prefix whose rows are all older than the cutoff
    stop = scalar(con, """
        SELECT min(c.seq) FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id
        WHERE a.created_at >= ?""", [cutoff])
    last = scalar(con, "SELECT max(seq) FROM audit_chain" + (" WHERE seq < ?" if stop is not None else ""),
                  [stop] if stop is not None else [])
    if last is None or last <= anchor_seq:
        return Archived(0, None)
    first = anchor_seq + 1
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"audit-{first:012d}-{last:012d}.parquet"
    if target.exists():
        raise ValidationError("归档文件", f"{target} 已存在")
    cur = con.cursor()
    try:
        with transaction(cur):
            cur.execute(f"""
                COPY (SELECT c.seq, c.prev_hash, c.row_hash, {COLUMNS}
                      FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id
                      WHERE c.seq BETWEEN {int(first)} AND {int(last)} ORDER BY c.seq)
                TO '{_sql_path(target)}' (FORMAT parquet)""")
            stats = row(cur, f"""SELECT count(*) AS n, min(created_at) AS oldest, max(created_at) AS newest
                                 FROM read_parquet('{_sql_path(target)}')""")
            if stats["n"] != last - first + 1 or stats["newest"] >= cutoff:
                raise ValidationError("审计日志", "归档文件与日志不一致,已放弃归档")
            end_hash = scalar(cur, "SELECT row_hash FROM audit_chain WHERE seq = ?", [last])
            cur.execute("""INSERT INTO audit_anchor (seq, row_hash, first_seq, prev_hash, rows, oldest_at, newest_at,
                                                     file, file_sha256, archived_by)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        [last, end_hash, first, anchor_hash, stats["n"], stats["oldest"], stats["newest"],
                         str(target), file_sha256(target),
                         actor if isinstance(actor, str) else getattr(actor, "username", "system")])
            # the retention guard again, in the statement itself (第二十条)
            cur.execute("""DELETE FROM audit_log WHERE created_at < ? AND id IN
                           (SELECT audit_id FROM audit_chain WHERE seq BETWEEN ? AND ?)""", [cutoff, first, last])
            cur.execute("DELETE FROM audit_chain WHERE seq BETWEEN ? AND ?", [first, last])
            record(cur, actor, "audit.archive", f"audit:{first}-{last}",
                   f"{stats['n']} 条,{stats['oldest']} 至 {stats['newest']},文件 {target.name}")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        cur.close()
    seal(con)
    return Archived(stats["n"], target, first, last)


def verify_archive(path: str | Path, prev_hash: str | None = None) -> Verification:
    """Check an archived Parquet file's own chain (and its link to the previous anchor)."""
    con = duckdb.connect()
    try:
        found = rows(con, f"SELECT * FROM read_parquet('{_sql_path(Path(path))}') ORDER BY seq")
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


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- reading (安全审计)

def search(con: duckdb.DuckDBPyConnection, actor, *, who: str = "", action: str = "", obj: str = "",
           since: dt.datetime | None = None, until: dt.datetime | None = None, limit: int = 1000) -> list[dict]:
    """Rows matching the filters, newest first, with their chain position (第二十条)."""
    from core.permissions import require

    require(actor, "audit.view")
    where, params = ["TRUE"], []
    if who.strip():
        where.append("a.actor ILIKE ?")
        params.append(f"%{who.strip()}%")
    if action.strip():
        where.append("a.action ILIKE ?")
        params.append(f"%{action.strip()}%")
    if obj.strip():
        where.append("(a.object ILIKE ? OR a.summary ILIKE ?)")
        params += [f"%{obj.strip()}%"] * 2
    if since is not None:
        where.append("a.created_at >= ?")
        params.append(since)
    if until is not None:
        where.append("a.created_at < ?")
        params.append(until)
    found = rows(con, f"""
        SELECT a.id, c.seq, a.created_at, a.actor, a.role, a.action, a.object, a.summary, a.client
        FROM audit_log a LEFT JOIN audit_chain c ON c.audit_id = a.id
        WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT ?""", [*params, int(limit)])
    for entry in found:
        entry["action_label"] = ACTION_LABELS.get(entry["action"], entry["action"])
    return found


def export_csv(con: duckdb.DuckDBPyConnection, actor, entries: list[dict], filters: str = "") -> bytes:
    """The rows as CSV (UTF-8 with BOM, so Excel opens Chinese correctly); the export is logged."""
    import csv
    import io

    from core.permissions import require

    require(actor, "audit.export")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["编号", "链序号", "时间", "用户", "角色", "操作", "操作代码", "对象", "摘要", "客户端"])
    for e in entries:
        writer.writerow([e["id"], e.get("seq") or "", e["created_at"], e["actor"], e["role"] or "",
                         e.get("action_label", e["action"]), e["action"], e["object"] or "", e["summary"] or "",
                         e["client"] or ""])
    with transaction(con):
        record(con, actor, "audit.export", "audit_log", f"{len(entries)} 条;筛选:{filters or '无'}")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def distinct_actions(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r["action"] for r in rows(con, "SELECT DISTINCT action FROM audit_log ORDER BY action")]
