"""Backups and recovery (第二十条): consistent snapshots, a manifest, verified restores.

DuckDB lets one process open the file (stack-notes), and the workbench's process owns it, so
a backup runs *inside* that process, on its own cursor: `EXPORT DATABASE … (FORMAT parquet)`
inside one transaction is a consistent snapshot while other threads go on writing (MVCC).
The manifest, computed in the same transaction, lists every table with its row count and an
order-independent content checksum, plus the SHA-256 of every file, the audit chain's head
and the built site's archive. A restore imports into a *new* file and compares it with the
manifest, table by table, before anyone uses it.

Layout of one backup (a folder, `portal-YYYYMMDD-HHMMSS/`):
    manifest.json   db/ (schema.sql, load.sql, one Parquet file per table)   site.tar.gz

The command line cannot open a database the workbench holds; `request_backup` leaves a
request in `backup-requests/` beside the database, which the workbench's scheduler serves
within a second or two, and waits for the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core import audit
from core.db import rows, scalar, schema_version, transaction

MANIFEST = "manifest.json"
FORMAT = 1
NAME = re.compile(r"portal-(\d{8})-(\d{6})(?:-\d+)?")
REQUESTS = "backup-requests"
TRIGGER_LABELS = {"scheduled": "定时", "manual": "手动", "cli": "命令行"}


class BackupError(RuntimeError):
    """A backup or restore that cannot be trusted; the message says why (Chinese)."""


@dataclass
class Report:
    ok: bool
    path: Path | None = None
    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    bytes: int = 0
    removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "path": str(self.path) if self.path else None, "problems": self.problems,
                "tables": self.tables, "rows": self.rows, "bytes": self.bytes, "removed": self.removed}


# ---------------------------------------------------------------- helpers

def db_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    found = scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    return Path(found) if found else None


def default_dest(con: duckdb.DuckDBPyConnection) -> Path:
    from core import settings

    configured = settings.get(con, "backup_dir")
    if configured:
        return Path(configured)
    base = db_file(con)
    return (base.parent if base else Path("data")) / "backups"


def user_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r["table_name"] for r in rows(
        con, "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
             "AND schema_name = 'main' AND NOT temporary ORDER BY table_name")]


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> dict:
    """Row count and an order-independent checksum of the rows' content."""
    count, checksum = con.execute(
        f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM "{table}" AS t').fetchone()
    return {"rows": int(count), "checksum": checksum}


def _files(folder: Path) -> dict[str, dict]:
    return {str(p.relative_to(folder)): {"sha256": audit.file_sha256(p), "bytes": p.stat().st_size}
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def _sql(path: Path) -> str:
    return str(path).replace("'", "''")


def _archive_site(site_dir: Path, target: Path) -> int:
    with tarfile.open(target, "w:gz") as tar:
        tar.add(site_dir, arcname="site")
    return target.stat().st_size


# ---------------------------------------------------------------- create

def create_backup(con: duckdb.DuckDBPyConnection, dest: str | Path | None = None, site_dir: str | Path | None = None,
                  actor=None, trigger: str = "manual", now: dt.datetime | None = None) -> Report:
    """A consistent snapshot of the database and the built site, then retention (第二十条)."""
    if actor is not None and not isinstance(actor, str):
        from core.permissions import require

        require(actor, "backup.run")
    started = now or dt.datetime.now()
    dest = Path(dest) if dest else default_dest(con)
    work: Path | None = None
    try:
        dest.mkdir(parents=True, exist_ok=True)
        name = f"portal-{started:%Y%m%d-%H%M%S}"
        suffix = 1
        while (dest / name).exists() or (dest / f"{name}.partial").exists():
            suffix += 1
            name = f"portal-{started:%Y%m%d-%H%M%S}-{suffix}"
        work = dest / f"{name}.partial"
        work.mkdir()
        audit.seal(con)  # the snapshot's audit log is sealed up to now
        manifest = _export(con, work / "db")
        manifest.update({"format": FORMAT, "created_at": started.isoformat(timespec="seconds"), "trigger": trigger,
                         "source": str(db_file(con) or ""), "duckdb": duckdb.__version__})
        if site_dir and Path(site_dir).is_dir():
            _archive_site(Path(site_dir), work / "site.tar.gz")
            manifest["site"] = {"dir": str(site_dir), "archive": "site.tar.gz"}
        else:
            manifest["site"] = None
        manifest["files"] = _files(work)
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        final = dest / name
        work.rename(final)
        work = None
        report = Report(True, final, tables=len(manifest["tables"]),
                        rows=sum(t["rows"] for t in manifest["tables"].values()),
                        bytes=sum(f["bytes"] for f in manifest["files"].values()))
    except Exception as exc:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        _record(con, actor, trigger, started, Report(False, None, [str(exc)]))
        if trigger == "scheduled":
            from core import incidents

            incidents.suggest_incident(con, "backup", f"{started:%Y-%m-%d %H:%M} 的自动备份失败:{exc}",
                                       dedup_key=f"backup:{started:%Y%m%d}")
        raise BackupError(f"备份失败:{exc}") from exc
    report.removed = prune(con, dest, keep_path=report.path)
    _record(con, actor, trigger, started, report)
    return report


def _export(con: duckdb.DuckDBPyConnection, target: Path) -> dict:
    """Export and fingerprint in one transaction: the manifest describes exactly the snapshot."""
    cur = con.cursor()
    try:
        with transaction(cur):
            tables = {t: table_fingerprint(cur, t) for t in user_tables(cur)}
            head = cur.execute("SELECT seq, row_hash FROM audit_chain ORDER BY seq DESC LIMIT 1").fetchone()
            version = schema_version(cur)
            cur.execute(f"EXPORT DATABASE '{_sql(target)}' (FORMAT parquet)")
    finally:
        cur.close()
    return {"tables": tables, "schema_version": version,
            "audit_head": {"seq": head[0], "hash": head[1]} if head else None}


def _record(con, actor, trigger: str, started: dt.datetime, report: Report) -> None:
    name = actor if isinstance(actor, str) else getattr(actor, "username", None) or "system"
    try:
        with transaction(con):
            con.execute("INSERT INTO backup_runs (started_at, trigger, ok, path, bytes, tables, rows, error, actor) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [started, trigger, report.ok, str(report.path) if report.path else None, report.bytes,
                         report.tables, report.rows, "; ".join(report.problems) or None, name])
            if report.ok:
                audit.record(con, actor, "backup.create", f"backup:{report.path.name}",
                             f"{trigger};{report.tables} 张表 {report.rows} 行 {report.bytes} 字节"
                             + (f";按保留规则删除 {len(report.removed)} 份旧备份" if report.removed else ""))
            else:
                audit.record(con, actor, "backup.failed", "backup", f"{trigger};{'; '.join(report.problems)}"[:500])
    except duckdb.Error:
        pass  # the database itself is failing; the exception the caller gets says so


# ---------------------------------------------------------------- verify and restore

def read_manifest(path: str | Path) -> dict:
    folder = Path(path)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} 中没有 {MANIFEST},不是完整的备份") from None
    except json.JSONDecodeError as exc:
        raise BackupError(f"{MANIFEST} 已损坏:{exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式 {manifest.get('format')}")
    return manifest


def check_files(path: str | Path, manifest: dict | None = None) -> list[str]:
    """Every file the manifest lists is there with its checksum, and nothing else is."""
    folder = Path(path)
    manifest = manifest or read_manifest(folder)
    problems = []
    listed = manifest.get("files", {})
    for name, expected in listed.items():
        file = folder / name
        if not file.is_file():
            problems.append(f"缺少文件 {name}")
        elif file.stat().st_size != expected["bytes"] or audit.file_sha256(file) != expected["sha256"]:
            problems.append(f"文件 {name} 的校验值与清单不符(已损坏或被改动)")
    for extra in set(_files(folder)) - set(listed):
        problems.append(f"清单中没有的文件 {extra}")
    return problems


def compare(con: duckdb.DuckDBPyConnection, manifest: dict) -> list[str]:
    """The restored database against the manifest, table by table."""
    problems = []
    expected = manifest["tables"]
    present = set(user_tables(con))
    for table in sorted(set(expected) - present):
        problems.append(f"缺少表 {table}")
    for table in sorted(present - set(expected)):
        problems.append(f"多出表 {table}")
    for table in sorted(present & set(expected)):
        got = table_fingerprint(con, table)
        if got["rows"] != expected[table]["rows"]:
            problems.append(f"表 {table}:{got['rows']} 行,清单为 {expected[table]['rows']} 行")
        elif got["checksum"] != expected[table]["checksum"]:
            problems.append(f"表 {table}:内容校验值与清单不符")
    return problems


def _import(folder: Path, target: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(target))
    try:
        con.execute(f"IMPORT DATABASE '{_sql(folder / 'db')}'")
    except Exception:
        con.close()
        raise
    return con


def verify_backup(path: str | Path) -> Report:
    """Files against the manifest, then a trial restore into a scratch file compared table by table."""
    folder = Path(path)
    try:
        manifest = read_manifest(folder)
    except BackupError as exc:
        return Report(False, folder, [str(exc)])
    problems = check_files(folder, manifest)
    if not problems:
        scratch = Path(tempfile.mkdtemp(prefix="portal-verify-"))
        try:
            con = _import(folder, scratch / "check.duckdb")
            try:
                problems += compare(con, manifest)
                if not problems:
                    chain = audit.verify(con, seal_first=False)
                    if not chain.ok:
                        problems.append(chain.message)
            finally:
                con.close()
        except duckdb.Error as exc:
            problems.append(f"试恢复失败:{exc}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    tables = manifest.get("tables", {})
    return Report(not problems, folder, problems, len(tables), sum(t["rows"] for t in tables.values()),
                  sum(f["bytes"] for f in manifest.get("files", {}).values()))


def verify_recorded(con: duckdb.DuckDBPyConnection, actor, path: str | Path) -> Report:
    """`verify_backup` from the workbench, with its audit row (第二十条)."""
    from core.permissions import require

    require(actor, "backup.run")
    report = verify_backup(path)
    with transaction(con):
        audit.record(con, actor, "backup.verify", f"backup:{Path(path).name}",
                     "校验通过" if report.ok else "校验未通过:" + ";".join(report.problems)[:400])
    return report


def listing(con: duckdb.DuckDBPyConnection, actor, dest: str | Path | None = None) -> list[dict]:
    """The backups in the backup folder, newest first, with what their manifests say."""
    from core.permissions import require

    require(actor, "backup.view")
    found = []
    for stamp, path in backups_in(dest or default_dest(con)):
        try:
            manifest = read_manifest(path)
        except BackupError:
            manifest = {}
        tables = manifest.get("tables", {})
        found.append({"name": path.name, "path": path, "created_at": stamp, "trigger": manifest.get("trigger"),
                      "tables": len(tables), "rows": sum(t["rows"] for t in tables.values()),
                      "bytes": sum(f["bytes"] for f in manifest.get("files", {}).values()),
                      "site": bool(manifest.get("site"))})
    return found


def restore(path: str | Path, to: str | Path, site_to: str | Path | None = None) -> Report:
    """Restore into a NEW database file, verified against the manifest before it is used (第二十条).

    Nothing is overwritten: `to` must not exist. On any mismatch the new file is removed.
    """
    folder, target = Path(path), Path(to)
    if target.exists() or target.with_name(target.name + ".wal").exists():
        raise BackupError(f"{target} 已存在:恢复只写入新的数据库文件,不覆盖现有文件")
    manifest = read_manifest(folder)
    problems = check_files(folder, manifest)
    if problems:
        raise BackupError("备份文件校验未通过:" + ";".join(problems))
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(target.name + ".restoring")
    scratch.unlink(missing_ok=True)
    try:
        con = _import(folder, scratch)
        try:
            problems = compare(con, manifest)
            chain = audit.verify(con, seal_first=False)
            if not chain.ok:
                problems.append(chain.message)
            if problems:
                raise BackupError("恢复后的数据库与备份清单不符:" + ";".join(problems))
            with audit.client_context("restore"):
                audit.record(con, "system", "backup.restore", f"backup:{folder.name}",
                             f"由备份 {folder} 恢复到 {target}")
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except Exception:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
        raise
    os.replace(scratch, target)
    if site_to and manifest.get("site"):
        with tarfile.open(folder / manifest["site"]["archive"], "r:gz") as tar:
            tar.extractall(Path(site_to), filter="data")
    tables = manifest["tables"]
    return Report(True, target, [], len(tables), sum(t["rows"] for t in tables.values()))


# ---------------------------------------------------------------- retention and listing

def _stamp(path: Path) -> dt.datetime | None:
    match = NAME.fullmatch(path.name)
    if not match or not (path / MANIFEST).is_file():
        return None
    return dt.datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")


def backups_in(dest: str | Path) -> list[tuple[dt.datetime, Path]]:
    folder = Path(dest)
    if not folder.is_dir():
        return []
    found = [(stamp, p) for p in folder.iterdir() if p.is_dir() and (stamp := _stamp(p)) is not None]
    return sorted(found, reverse=True)


def to_keep(stamps: list[dt.datetime], keep_daily: int, keep_weekly: int) -> set[dt.datetime]:
    """The newest backup of each of the last `keep_daily` days and `keep_weekly` ISO weeks that have one."""
    keep: set[dt.datetime] = set()
    days: dict[dt.date, dt.datetime] = {}
    weeks: dict[tuple[int, int], dt.datetime] = {}
    for stamp in sorted(stamps, reverse=True):
        days.setdefault(stamp.date(), stamp)
        weeks.setdefault(stamp.isocalendar()[:2], stamp)
    keep |= set(sorted(days.values(), reverse=True)[:keep_daily])
    keep |= set(sorted(weeks.values(), reverse=True)[:keep_weekly])
    return keep


def prune(con: duckdb.DuckDBPyConnection, dest: str | Path, keep_path: Path | None = None) -> list[str]:
    """Delete the backups the retention setting no longer keeps (only folders this module made)."""
    from core import settings

    found = backups_in(dest)
    keep = to_keep([s for s, _ in found], settings.get(con, "backup_keep_daily"), settings.get(con, "backup_keep_weekly"))
    removed = []
    for stamp, path in found:
        if stamp in keep or path == keep_path:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for stale in Path(dest).glob("portal-*.partial"):
        if time.time() - stale.stat().st_mtime > 86400:
            shutil.rmtree(stale, ignore_errors=True)
    return removed


def runs(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict]:
    return rows(con, "SELECT * FROM backup_runs ORDER BY id DESC LIMIT ?", [int(limit)])


def last_runs(con: duckdb.DuckDBPyConnection) -> dict[str, dict | None]:
    """The last success and the last failure, for the 备份 page (第二十条)."""
    def last(ok: bool) -> dict | None:
        found = rows(con, "SELECT * FROM backup_runs WHERE ok = ? ORDER BY id DESC LIMIT 1", [ok])
        return found[0] if found else None

    return {"success": last(True), "failure": last(False)}


def due(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> bool:
    """Is today's scheduled backup due (the time has come and none succeeded since)?"""
    from core import settings

    now = now or dt.datetime.now()
    hour, minute = (int(x) for x in settings.get(con, "backup_time").split(":"))
    slot = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if now < slot:
        return False
    done = scalar(con, "SELECT count(*) FROM backup_runs WHERE trigger = 'scheduled' AND started_at >= ? "
                       "AND (ok OR started_at >= ?)", [slot, now - dt.timedelta(hours=1)])
    return not done  # after a failure, try again at most once an hour


def run_due(con: duckdb.DuckDBPyConnection, site_dir: str | Path | None, now: dt.datetime | None = None) -> Report | None:
    if not due(con, now):
        return None
    try:
        return create_backup(con, site_dir=site_dir, actor=None, trigger="scheduled", now=now)
    except BackupError as exc:
        return Report(False, None, [str(exc)])


# ---------------------------------------------------------------- the command line while the workbench runs

def request_dir(db_path: str | Path) -> Path:
    return Path(db_path).parent / REQUESTS


def request_backup(db_path: str | Path, dest: str | Path | None, timeout: float = 120.0) -> Report:
    """Ask the workbench that holds the database to make a backup, and wait for its answer."""
    folder = request_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    ticket = folder / f"req-{dt.datetime.now():%Y%m%d%H%M%S}-{os.getpid()}.json"
    ticket.write_text(json.dumps({"dest": str(dest) if dest else None}), encoding="utf-8")
    answer = ticket.with_suffix(".done")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answer.exists():
            data = json.loads(answer.read_text(encoding="utf-8"))
            answer.unlink(missing_ok=True)
            return Report(data["ok"], Path(data["path"]) if data.get("path") else None, data.get("problems", []),
                          data.get("tables", 0), data.get("rows", 0), data.get("bytes", 0), data.get("removed", []))
        time.sleep(0.2)
    ticket.unlink(missing_ok=True)
    raise BackupError(f"工作台在 {timeout:g} 秒内没有完成备份请求(工作台是否在运行?请在工作台「备份」页面查看)")


def serve_requests(con: duckdb.DuckDBPyConnection, site_dir: str | Path | None) -> int:
    """The scheduler answers the command line's requests (see `request_backup`)."""
    base = db_file(con)
    if base is None:
        return 0
    folder = request_dir(base)
    if not folder.is_dir():
        return 0
    served = 0
    for ticket in sorted(folder.glob("req-*.json")):
        try:
            dest = json.loads(ticket.read_text(encoding="utf-8")).get("dest")
        except (OSError, json.JSONDecodeError):
            continue
        try:
            report = create_backup(con, dest=dest, site_dir=site_dir, actor="cli", trigger="cli")
        except BackupError as exc:
            report = Report(False, None, [str(exc)])
        ticket.with_suffix(".done").write_text(json.dumps(report.as_dict(), ensure_ascii=False), encoding="utf-8")
        ticket.unlink(missing_ok=True)
        served += 1
    return served
