"""Operations commands for `python -m core` (第二十条): the audit log, backups, restore.
Imports from core.audit, backup, config, db, keys, errors, opening and core/cli/common.

In the registry (core/cli/__init__.py) only `audit` has the database opened for it: `restore` and
`backup verify` work on backup folders only, and `backup` opens the database itself so that,
when the workbench holds the file, it can ask the workbench to make the backup instead.

Exit codes: 0 success; 1 a broken chain, a failed verification or backup (also a tampered,
unsigned or malformed backup); 2 usage (e.g. BACKUP is a file, not a backup folder); 3 the
database is held by the workbench (for commands that need it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tarfile
from pathlib import Path

from core import audit, backup, config, keys, security_audit
from core.cli.common import actor, db_path, error, print_json
from core.db import DatabaseLocked
from core.errors import PortalError
from core.opening import open_database

BACKUP_DESCRIPTION = "python -m core backup [--db PATH] [--dest DIR];python -m core backup verify BACKUP"


def audit_arguments(p: argparse.ArgumentParser, with_db) -> None:
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    verify = with_db(audit_sub.add_parser("verify", help="校验哈希链;完整时退出码 0,断裂时退出码 1 并指出第一处"))
    verify.add_argument("--archives", action="store_true", help="同时校验已归档的 Parquet 文件")
    archive = with_db(audit_sub.add_parser("archive", help="把超过保存期限的日志移到 Parquet 文件(保留锚点)"))
    archive.add_argument("--dest", type=Path, default=None, help="归档目录(默认数据库所在目录下的 audit-archive)")
    archive.add_argument("--before", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                         help="只归档该日期之前的日志;不得晚于保存期限")


def backup_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--dest", type=Path, default=None, help="备份目录(默认见系统设置「备份目录」)")
    p.add_argument("--site", type=Path, default=None, help="门户网站目录(默认环境变量 PORTAL_SITE 或 site_build)")
    p.add_argument("--wait", type=float, default=120.0, help="工作台代为备份时最多等待的秒数")
    backup_sub = p.add_subparsers(dest="backup_command")
    check = backup_sub.add_parser("verify", help="校验一份备份:清单签名、文件校验值,并试恢复后逐表比对清单")
    check.add_argument("backup", type=Path, metavar="BACKUP", help="备份文件夹(portal-YYYYMMDD-HHMMSS)")
    _key_options(check)


def restore_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("backup", type=Path, metavar="BACKUP", help="备份文件夹")
    p.add_argument("--to", type=Path, required=True, metavar="PATH", help="新的数据库文件(不得已存在)")
    p.add_argument("--site-to", type=Path, default=None, help="同时把门户网站解压到该目录")
    p.add_argument("--db", type=Path, default=None,
                   help="本机的数据库文件,其所在目录中的 backup.key 用于核对签名(默认 data/portal.duckdb,或环境变量 PORTAL_DB)")
    _key_options(p)


def _key_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", type=Path, default=None, metavar="FILE",
                        help="备份密钥文件(默认为数据库所在目录中的 backup.key;备份由另一台机器制作时指定那台机器的密钥)")
    parser.add_argument("--trust-unsigned", action="store_true",
                        help="接受没有签名的旧备份(仅在确认来源可靠时使用;恢复时记入审计日志)")


def _key_file(args) -> Path:
    return args.key or db_path(args).parent / keys.BACKUP_KEY


def _not_a_folder(path: Path) -> bool:
    """BACKUP must be a backup folder: say so in Chinese (exit 2) rather than fail further on."""
    if path.is_dir():
        return False
    what = "是一个文件,不是备份文件夹" if path.exists() else "不存在"
    error(f"{path} {what}。请给出备份文件夹(portal-YYYYMMDD-HHMMSS),其中含 manifest.json")
    return True


def audit_log(con, args) -> int:
    if args.audit_command == "verify":
        result = audit.verify(con)
        archives = []
        if args.archives:
            previous = None
            for anchor in audit.anchors(con):
                checked = audit.verify_archive(anchor["file"], anchor["prev_hash"]) if Path(anchor["file"]).exists() \
                    else None
                ok = checked is not None and checked.ok and audit.file_sha256(anchor["file"]) == anchor["file_sha256"] \
                    and (previous is None or anchor["prev_hash"] == previous)
                archives.append({"file": anchor["file"], "ok": ok,
                                 "message": checked.message if checked else "归档文件不存在"})
                previous = anchor["row_hash"]
        ok = result.ok and all(a["ok"] for a in archives)
        print_json({"ok": ok, "checked": result.checked, "sealed_now": result.sealed_now,
                "broken_seq": result.broken_seq, "broken_id": result.broken_id, "message": result.message,
                "archives": archives})
        if not result.ok:
            print(result.message, file=sys.stderr)
        return 0 if ok else 1
    if args.audit_command == "archive":
        dest = args.dest or audit.archive_dir(con)
        before = dt.datetime.combine(args.before, dt.time()) if args.before else None
        try:
            done = security_audit.archive(con, actor(), dest, before)
        except PortalError as exc:
            error(str(exc))
            return 1
        print_json({"rows": done.rows, "file": done.file, "first_seq": done.first_seq, "last_seq": done.last_seq,
                "message": done.message})
        return 0
    return 2


def make_backup(con, args) -> int:
    if args.backup_command == "verify":
        if _not_a_folder(args.backup):
            return 2
        report = backup.verify_backup(args.backup, _key_file(args), args.trust_unsigned)
        print_json(report.as_dict())
        for problem in report.problems:
            print(problem, file=sys.stderr)
        return 0 if report.ok else 1
    site = args.site or config.load().site
    path = db_path(args)
    try:
        if con is None:
            if not path.exists():
                error(f"数据库 {path} 不存在")
                return 2
            own = open_database(path)
        else:
            own = None
    except DatabaseLocked:
        print("数据库正由工作台使用:已请工作台代为备份,等待完成……", file=sys.stderr)
        try:
            report = backup.request_backup(path, args.dest, timeout=args.wait)
        except backup.BackupError as exc:
            error(str(exc))
            return 1
        print_json(report.as_dict())
        return 0 if report.ok else 1
    try:
        report = backup.create_backup(own or con, args.dest, site, actor=actor(), trigger="cli")
    except backup.BackupError as exc:
        error(str(exc))
        return 1
    finally:
        if own is not None:
            own.close()
    print_json(report.as_dict())
    return 0


def restore(_con, args) -> int:
    if _not_a_folder(args.backup):
        return 2
    if args.trust_unsigned:
        print("注意:已指定 --trust-unsigned,没有签名的备份也会被接受;恢复记录写入新数据库的审计日志。", file=sys.stderr)
    try:
        report = backup.restore(args.backup, args.to, args.site_to, _key_file(args), args.trust_unsigned)
    except backup.BackupError as exc:
        error(str(exc))
        return 1
    except (OSError, tarfile.TarError) as exc:
        error(f"恢复失败(文件读写出错):{exc}")
        return 1
    print_json(report.as_dict())
    return 0
