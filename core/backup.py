"""Backups and recovery (第二十条): consistent snapshots, a manifest, verified restores.

DuckDB lets one process open the file (stack-notes), and the workbench's process owns it, so
a backup runs *inside* that process, on its own cursor: `EXPORT DATABASE … (FORMAT parquet)`
inside one transaction is a consistent snapshot while other threads go on writing (MVCC).
The manifest, computed in the same transaction, lists every table with its row count and an
order-independent content checksum, plus the SHA-256 of every file, the audit chain's head
and the built site's archive. The manifest is signed with HMAC-SHA256 under `backup.key`, a key
kept beside the database and never in a backup (core/keys.py).

A backup is untrusted input until proven ours: the signature and every file's checksum are
checked before anything is read from it, and even then no SQL from it runs. A restore builds
the schema from our own migrations (the versions the backup's `schema_migrations` lists), loads
only the Parquet data files that `load.sql` names in the one form DuckDB writes, moves each
sequence past its exported start, and compares the result with the manifest, table by table,
in a *new* file, before anyone uses it.

Layout of one backup (a folder, `portal-YYYYMMDD-HHMMSS/`):
    manifest.json   db/ (schema.sql, load.sql, one Parquet file per table)   site.tar.gz

The command line cannot open a database the workbench holds; `request_backup` leaves a
request in `backup-requests/` beside the database, which the workbench's scheduler serves
within a second or two, and waits for the answer.
"""

from __future__ import annotations

import datetime as dt
import hmac
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

from core import audit, incidents, keys, settings
from core.db import migration_files, rows, scalar, schema_version, transaction
from core.permissions import require

MANIFEST = "manifest.json"
FORMAT = 1
NAME = re.compile(r"portal-(\d{8})-(\d{6})(?:-\d+)?")
REQUESTS = "backup-requests"
TRIGGER_LABELS = {"scheduled": "定时", "manual": "手动", "cli": "命令行"}
MAC_ALG = "HMAC-SHA256"
# the only statements of an export we read (never run): DuckDB's own forms
COPY_LINE = re.compile(r"""COPY "?(\w+)"? FROM '([^']+)' \(FORMAT 'parquet'\);""")
SEQUENCE_LINE = re.compile(r"CREATE SEQUENCE (\w+) INCREMENT BY 1 MINVALUE 1 MAXVALUE \d+ START (\d+) NO CYCLE;")
UNSIGNED_HINT = "确认备份来源可靠时,技术支持可在命令行加 --trust-unsigned 恢复(操作记入恢复后数据库的审计日志)"


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
    configured = settings.get(con, "backup_dir")
    if configured:
        return Path(configured)
    base = db_file(con)
    return (base.parent if base else Path("data")) / "backups"


DEFAULT_DEST_LABEL = "数据库所在目录下的备份文件夹(默认)"  # 系统设置「备份目录」 empty; no Latin (the Chinese walk)


def dest_label(con: duckdb.DuckDBPyConnection) -> str:
    """How the 备份 page names the folder: the office's 备份目录 as it was set, or by default in words; the page
    gives `default_dest`'s full path beside it on demand (a server's long path, or a temporary folder's,
    said nothing to the reader and made the manual's picture change from run to run)."""
    configured = settings.get(con, "backup_dir")
    return str(configured) if configured else DEFAULT_DEST_LABEL


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
        require(actor, "backup.run")
    started = now or dt.datetime.now()
    dest = Path(dest) if dest else default_dest(con)
    work: Path | None = None
    try:
        keys.private_dir(dest)
        name = f"portal-{started:%Y%m%d-%H%M%S}"
        suffix = 1
        while (dest / name).exists() or (dest / f"{name}.partial").exists():
            suffix += 1
            name = f"portal-{started:%Y%m%d-%H%M%S}-{suffix}"
        work = dest / f"{name}.partial"
        work.mkdir(mode=0o700)
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
        manifest = _sign(json.loads(json.dumps(manifest, default=str)), key_dir(con))
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        for path in work.rglob("*"):
            (keys.private_dir if path.is_dir() else keys.private_file)(path)
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
            incidents.suggest_incident(con, "backup", f"{started:%Y-%m-%d %H:%M} 的自动备份失败:{exc}",
                                       dedup_key=f"backup:{started:%Y%m%d}")
        raise BackupError(f"备份失败:{exc}") from exc
    report.removed = prune(con, dest, keep_path=report.path)
    _record(con, actor, trigger, started, report)
    return report


def key_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """Where this database's backup key lives: beside the database file (never in a backup)."""
    return keys.database_dir(con) or keys.default_dir()


def _sign(manifest: dict, folder: Path) -> dict:
    key = keys.read_key(folder / keys.BACKUP_KEY, create=True)
    manifest["signature"] = {"alg": MAC_ALG, "key_id": keys.key_id(key), "mac": keys.manifest_mac(key, manifest)}
    return manifest


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
    """The manifest of the backup folder `path`, its shape checked; BackupError (Chinese) otherwise."""
    folder = Path(path)
    if not folder.exists():
        raise BackupError(f"{folder} 不存在:请给出备份文件夹(portal-YYYYMMDD-HHMMSS)")
    if not folder.is_dir():
        raise BackupError(f"{folder} 是一个文件,不是备份文件夹:请给出备份文件夹(portal-YYYYMMDD-HHMMSS),"
                          f"其中含 {MANIFEST}")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} 中没有 {MANIFEST},不是完整的备份") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BackupError(f"{MANIFEST} 已损坏,不是有效的 JSON:{str(exc)[:200]}") from None
    if not isinstance(manifest, dict):
        raise BackupError(f"{MANIFEST} 已损坏:内容应为一个对象")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式 {str(manifest.get('format'))[:40]}")
    problem = _shape_problem(manifest)
    if problem:
        raise BackupError(f"{MANIFEST} 已损坏:{problem}")
    return manifest


def _shape_problem(manifest: dict) -> str | None:
    tables, files = manifest.get("tables"), manifest.get("files")
    if not isinstance(tables, dict) or not tables:
        return "缺少字段 tables(表清单)"
    if not isinstance(files, dict) or not files:
        return "缺少字段 files(文件清单)"
    for name, entry in tables.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("rows"), int) and isinstance(entry.get("checksum"), str)):
            return f"表 {str(name)[:60]} 缺少行数或校验值"
    for name, entry in files.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("bytes"), int)
                and isinstance(entry.get("sha256"), str)):
            return f"文件 {str(name)[:60]} 缺少大小或校验值"
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts or not parts:
            return f"文件名 {str(name)[:60]} 不在备份文件夹内"
    if not isinstance(manifest.get("schema_version"), int):
        return "缺少字段 schema_version(数据库结构版本)"
    return None


def authenticate(manifest: dict, key_file: str | Path | None = None, trust_unsigned: bool = False) -> bool:
    """The manifest's HMAC under this machine's backup key; True when signed and good.

    An unsigned manifest (a backup made before signing) passes only with `trust_unsigned`
    (returns False); a wrong key or a bad signature never does."""
    file = Path(key_file) if key_file else keys.default_dir() / keys.BACKUP_KEY
    signature = manifest.get("signature")
    if signature is None:
        if trust_unsigned:
            return False
        raise BackupError("该备份的清单没有签名(本版本之前制作的备份),无法确认它未被改动,已拒绝(第二十条)。"
                          + UNSIGNED_HINT)
    if not isinstance(signature, dict) or signature.get("alg") != MAC_ALG or not isinstance(signature.get("mac"), str):
        raise BackupError(f"{MANIFEST} 的签名格式不正确,已拒绝该备份(第二十条)")
    key = keys.read_key(file, create=False)
    if key is None:
        raise BackupError(f"本机没有备份密钥 {file},无法确认该备份未被改动。备份若由另一台机器制作,请把那台机器"
                          f"数据目录中的 {keys.BACKUP_KEY} 复制为 {file}(权限 0600),或用 --key 指定该文件后重试")
    if signature.get("key_id") != keys.key_id(key):
        raise BackupError(f"该备份由另一份备份密钥签名(密钥编号 {str(signature.get('key_id'))[:16]}),与本机的 {file}"
                          f"(编号 {keys.key_id(key)})不同。请把制作该备份的机器上的 {keys.BACKUP_KEY} 复制过来,"
                          "或用 --key 指定该文件后重试")
    if not hmac.compare_digest(signature["mac"], keys.manifest_mac(key, manifest)):
        raise BackupError("备份清单的签名不符:清单在备份之后被改动过,不能使用该备份(第二十条)")
    return True


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


def _trusted(folder: Path, key_file: str | Path | None, trust_unsigned: bool) -> tuple[dict, bool]:
    """Manifest, signature, then every file: all before anything from the backup is read."""
    manifest = read_manifest(folder)
    signed = authenticate(manifest, key_file, trust_unsigned)
    problems = check_files(folder, manifest)
    if problems:
        raise BackupError("备份文件校验未通过:" + ";".join(problems))
    return manifest, signed


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


def _data_files(folder: Path, manifest: dict) -> dict[str, Path]:
    """Table → its Parquet file, read from load.sql (never run): only DuckDB's COPY form, only listed files."""
    found = {}
    for number, line in enumerate((folder / "db" / "load.sql").read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = COPY_LINE.fullmatch(line.strip())
        if not match:
            raise BackupError(f"备份的 load.sql 第 {number} 行不是本系统写出的语句,已拒绝该备份(第二十条)")
        table, name = match.group(1), Path(match.group(2)).name
        if f"db/{name}" not in manifest["files"] or not name.endswith(".parquet"):
            raise BackupError(f"备份的 load.sql 第 {number} 行指向清单中没有的文件 {name}")
        found[table] = folder / "db" / name
    return found


def _sequence_starts(folder: Path) -> dict[str, int]:
    """Each sequence's next value as exported; only the number and the name are read from schema.sql."""
    starts = {}
    for line in (folder / "db" / "schema.sql").read_text(encoding="utf-8").splitlines():
        match = SEQUENCE_LINE.fullmatch(line.strip())
        if match:
            starts[match.group(1)] = int(match.group(2))
    return starts


def _load(folder: Path, manifest: dict, target: Path) -> duckdb.DuckDBPyConnection:
    """A new database: our migrations' schema, then the backup's data files (no SQL from the backup)."""
    files = _data_files(folder, manifest)
    if set(files) != set(manifest["tables"]) or "schema_migrations" not in files:
        raise BackupError("备份的数据文件与清单中的表不一致,已拒绝该备份")
    con = duckdb.connect(str(target))
    try:
        _build_schema(con, files["schema_migrations"])
        present = set(user_tables(con))
        if present != set(files):
            raise BackupError("备份中的表与本版本按同一结构版本建立的表不一致:"
                              + "、".join(sorted(present ^ set(files))[:10]))
        order = _load_order(con, sorted(files))
        with transaction(con):
            for table in reversed(order):  # the migrations' seed rows give way to the backup's
                con.execute(f'DELETE FROM "{table}"')
            for table in order:
                con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM read_parquet(?)', [str(files[table])])
        _advance_sequences(con, _sequence_starts(folder))
    except duckdb.Error as exc:
        con.close()
        raise BackupError(f"备份的数据无法载入:{str(exc)[:300]}") from None
    except BaseException:
        con.close()
        raise
    return con


def _build_schema(con: duckdb.DuckDBPyConnection, versions_file: Path) -> None:
    versions = {int(r[0]) for r in con.execute("SELECT version FROM read_parquet(?)", [str(versions_file)]).fetchall()}
    shipped = {number: sql for number, _, sql in migration_files()}
    newer = sorted(versions - set(shipped))
    if newer:
        raise BackupError(f"该备份来自更新版本的系统(数据库结构版本 {newer[-1]}),请先把本系统升级到同一版本再恢复")
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())")
    for number in sorted(versions):
        with transaction(con):
            con.execute(shipped[number])


def _load_order(con: duckdb.DuckDBPyConnection, tables: list[str]) -> list[str]:
    """Tables others reference (FOREIGN KEY) first."""
    referenced = {r[0] for r in con.execute("SELECT DISTINCT referenced_table FROM duckdb_constraints() "
                                            "WHERE constraint_type = 'FOREIGN KEY'").fetchall()}
    return sorted(tables, key=lambda t: (t not in referenced, t))


def _advance_sequences(con: duckdb.DuckDBPyConnection, starts: dict[str, int]) -> None:
    ours = {r[0] for r in con.execute("SELECT sequence_name FROM duckdb_sequences() "
                                      "WHERE database_name = current_database()").fetchall()}
    for name in sorted(ours & set(starts)):
        if starts[name] > 1:  # the name is one of our own sequences, the count a number
            con.execute(f"SELECT max(nextval('{name}')) FROM range(?)", [starts[name] - 1])


def verify_backup(path: str | Path, key_file: str | Path | None = None, trust_unsigned: bool = False) -> Report:
    """Signature and files first, then a trial restore into a scratch file compared table by table."""
    folder = Path(path)
    try:
        manifest, _ = _trusted(folder, key_file, trust_unsigned)
    except BackupError as exc:
        return Report(False, folder, [str(exc)])
    problems: list[str] = []
    scratch = Path(tempfile.mkdtemp(prefix="portal-verify-"))
    try:
        con = _load(folder, manifest, scratch / "check.duckdb")
        try:
            problems += compare(con, manifest)
            if not problems:
                chain = audit.verify(con, seal_first=False)
                if not chain.ok:
                    problems.append(chain.message)
        finally:
            con.close()
    except (BackupError, duckdb.Error) as exc:
        problems.append(f"试恢复失败:{exc}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    tables = manifest["tables"]
    return Report(not problems, folder, problems, len(tables), sum(t["rows"] for t in tables.values()),
                  sum(f["bytes"] for f in manifest["files"].values()))


def verify_recorded(con: duckdb.DuckDBPyConnection, actor, path: str | Path) -> Report:
    """`verify_backup` from the workbench, with its audit row (第二十条)."""
    require(actor, "backup.run")
    report = verify_backup(path, key_dir(con) / keys.BACKUP_KEY)
    with transaction(con):
        audit.record(con, actor, "backup.verify", f"backup:{Path(path).name}",
                     "校验通过" if report.ok else "校验未通过:" + ";".join(report.problems)[:400])
    return report


def listing(con: duckdb.DuckDBPyConnection, actor, dest: str | Path | None = None) -> list[dict]:
    """The backups in the backup folder, newest first, with what their manifests say."""
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


def restore(path: str | Path, to: str | Path, site_to: str | Path | None = None, key_file: str | Path | None = None,
            trust_unsigned: bool = False) -> Report:
    """Restore into a NEW database file, verified against the manifest before it is used (第二十条).

    Nothing is overwritten: `to` must not exist. On any mismatch the new file is removed.
    `key_file`: the backup key (default: backup.key beside PORTAL_DB / data/portal.duckdb).
    """
    folder, target = Path(path), Path(to)
    if target.exists() or target.with_name(target.name + ".wal").exists():
        raise BackupError(f"{target} 已存在:恢复只写入新的数据库文件,不覆盖现有文件")
    manifest, signed = _trusted(folder, key_file, trust_unsigned)
    keys.private_dir(target.parent, tighten=False)
    scratch = target.with_name(target.name + ".restoring")
    scratch.unlink(missing_ok=True)
    try:
        con = _load(folder, manifest, scratch)
        try:
            problems = compare(con, manifest)
            chain = audit.verify(con, seal_first=False)
            if not chain.ok:
                problems.append(chain.message)
            if problems:
                raise BackupError("恢复后的数据库与备份清单不符:" + ";".join(problems))
            note = "" if signed else ";清单未签名,操作员以 --trust-unsigned 确认信任该备份"
            with audit.client_context("restore"):
                audit.record(con, "system", "backup.restore", f"backup:{folder.name}",
                             f"由备份 {folder} 恢复到 {target}{note}")
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except Exception:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
        raise
    os.replace(scratch, target)
    keys.private_file(target)
    _bring_secrets_key(key_file, target)
    if site_to and manifest.get("site"):
        with tarfile.open(folder / manifest["site"]["archive"], "r:gz") as tar:
            tar.extractall(Path(site_to), filter="data")
    tables = manifest["tables"]
    return Report(True, target, [], len(tables), sum(t["rows"] for t in tables.values()))


def _bring_secrets_key(key_file: str | Path | None, target: Path) -> None:
    """The restored file's encrypted secrets need this machine's secrets key beside it (never in the backup)."""
    source = (Path(key_file).parent if key_file else keys.default_dir()) / keys.SECRETS_KEY
    copy = target.parent / keys.SECRETS_KEY
    if source.is_file() and not copy.exists() and source.resolve() != copy.resolve():
        keys.key_file_text(copy, lambda: source.read_text(encoding="ascii"))


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
