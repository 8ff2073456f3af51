"""Operations commands for `python -m core` (第二十条): the audit log, backups, restore.

core/cli.py adds them with `register(subparsers, with_db)` and dispatches `COMMANDS[name]`.
`needs_db(args)` says whether the command wants the database opened for it: `restore` and
`backup verify` work on backup folders only, and `backup` opens the database itself so that,
when the workbench holds the file, it can ask the workbench to make the backup instead.

Exit codes: 0 success; 1 a broken chain, a failed verification or backup (also a tampered,
unsigned or malformed backup); 2 usage (e.g. BACKUP is a file, not a backup folder); 3 the
database is held by the workbench (for commands that need it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
import tarfile
from pathlib import Path


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def register(sub, with_db) -> None:
    audit = sub.add_parser("audit", help="审计日志:校验哈希链、归档超过保存期限的日志(第二十条)")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = with_db(audit_sub.add_parser("verify", help="校验哈希链;完整时退出码 0,断裂时退出码 1 并指出第一处"))
    verify.add_argument("--archives", action="store_true", help="同时校验已归档的 Parquet 文件")
    archive = with_db(audit_sub.add_parser("archive", help="把超过保存期限的日志移到 Parquet 文件(保留锚点)"))
    archive.add_argument("--dest", type=Path, default=None, help="归档目录(默认数据库所在目录下的 audit-archive)")
    archive.add_argument("--before", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                         help="只归档该日期之前的日志;不得晚于保存期限")

    backup = with_db(sub.add_parser(
        "backup", help="备份数据库和门户网站(一致性快照 + 清单);工作台运行时由工作台代为备份",
        description="python -m core backup [--db PATH] [--dest DIR];python -m core backup verify BACKUP"))
    backup.add_argument("--dest", type=Path, default=None, help="备份目录(默认见系统设置「备份目录」)")
    backup.add_argument("--site", type=Path, default=None, help="门户网站目录(默认环境变量 PORTAL_SITE 或 site_build)")
    backup.add_argument("--wait", type=float, default=120.0, help="工作台代为备份时最多等待的秒数")
    backup_sub = backup.add_subparsers(dest="backup_command")
    check = backup_sub.add_parser("verify", help="校验一份备份:清单签名、文件校验值,并试恢复后逐表比对清单")
    check.add_argument("backup", type=Path, metavar="BACKUP", help="备份文件夹(portal-YYYYMMDD-HHMMSS)")
    _key_options(check)

    restore = sub.add_parser("restore", help="把备份恢复到一个新的数据库文件,并按清单校验后才可使用")
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="备份文件夹")
    restore.add_argument("--to", type=Path, required=True, metavar="PATH", help="新的数据库文件(不得已存在)")
    restore.add_argument("--site-to", type=Path, default=None, help="同时把门户网站解压到该目录")
    restore.add_argument("--db", type=Path, default=None,
                         help="本机的数据库文件,其所在目录中的 backup.key 用于核对签名(默认 data/portal.duckdb,或环境变量 PORTAL_DB)")
    _key_options(restore)


def _key_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", type=Path, default=None, metavar="FILE",
                        help="备份密钥文件(默认为数据库所在目录中的 backup.key;备份由另一台机器制作时指定那台机器的密钥)")
    parser.add_argument("--trust-unsigned", action="store_true",
                        help="接受没有签名的旧备份(仅在确认来源可靠时使用;恢复时记入审计日志)")


def _key_file(args) -> Path:
    from core import keys
    from core.db import default_path

    return args.key or Path(args.db or default_path()).parent / keys.BACKUP_KEY


def _not_a_folder(path: Path) -> bool:
    """BACKUP must be a backup folder: say so in Chinese (exit 2) rather than fail further on."""
    if path.is_dir():
        return False
    what = "是一个文件,不是备份文件夹" if path.exists() else "不存在"
    print(f"错误:{path} {what}。请给出备份文件夹(portal-YYYYMMDD-HHMMSS),其中含 manifest.json", file=sys.stderr)
    return True


def needs_db(args) -> bool:
    """Whether core/cli.py should open the database before calling the handler."""
    if args.command == "audit":
        return True
    return False  # backup opens it itself (or asks the workbench); restore and verify need none


def _print(data: dict) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str))


def _cmd_audit(con, args) -> int:
    from core import audit, security_audit

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
        _print({"ok": ok, "checked": result.checked, "sealed_now": result.sealed_now,
                "broken_seq": result.broken_seq, "broken_id": result.broken_id, "message": result.message,
                "archives": archives})
        if not result.ok:
            print(result.message, file=sys.stderr)
        return 0 if ok else 1
    if args.audit_command == "archive":
        from core.errors import PortalError

        dest = args.dest or audit.archive_dir(con)
        before = dt.datetime.combine(args.before, dt.time()) if args.before else None
        try:
            done = security_audit.archive(con, _actor(), dest, before)
        except PortalError as exc:
            print(f"错误:{exc}", file=sys.stderr)
            return 1
        _print({"rows": done.rows, "file": done.file, "first_seq": done.first_seq, "last_seq": done.last_seq,
                "message": done.message})
        return 0
    return 2


def _cmd_backup(con, args) -> int:
    import os

    from core import backup
    from core.db import DatabaseLocked, connect, default_path

    if args.backup_command == "verify":
        if _not_a_folder(args.backup):
            return 2
        report = backup.verify_backup(args.backup, _key_file(args), args.trust_unsigned)
        _print(report.as_dict())
        for problem in report.problems:
            print(problem, file=sys.stderr)
        return 0 if report.ok else 1
    site = args.site or Path(os.environ.get("PORTAL_SITE", "site_build"))
    db_path = args.db or default_path()
    try:
        if con is None:
            if not Path(db_path).exists():
                print(f"错误:数据库 {db_path} 不存在", file=sys.stderr)
                return 2
            own = connect(db_path)
        else:
            own = None
    except DatabaseLocked:
        print("数据库正由工作台使用:已请工作台代为备份,等待完成……", file=sys.stderr)
        try:
            report = backup.request_backup(db_path, args.dest, timeout=args.wait)
        except backup.BackupError as exc:
            print(f"错误:{exc}", file=sys.stderr)
            return 1
        _print(report.as_dict())
        return 0 if report.ok else 1
    try:
        report = backup.create_backup(own or con, args.dest, site, actor=_actor(), trigger="cli")
    except backup.BackupError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 1
    finally:
        if own is not None:
            own.close()
    _print(report.as_dict())
    return 0


def _cmd_restore(con, args) -> int:
    from core import backup

    if _not_a_folder(args.backup):
        return 2
    if args.trust_unsigned:
        print("注意:已指定 --trust-unsigned,没有签名的备份也会被接受;恢复记录写入新数据库的审计日志。", file=sys.stderr)
    try:
        report = backup.restore(args.backup, args.to, args.site_to, _key_file(args), args.trust_unsigned)
    except backup.BackupError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 1
    except (OSError, tarfile.TarError) as exc:
        print(f"错误:恢复失败(文件读写出错):{exc}", file=sys.stderr)
        return 1
    _print(report.as_dict())
    return 0


COMMANDS = {"audit": _cmd_audit, "backup": _cmd_backup, "restore": _cmd_restore}


def main(argv: list[str] | None = None) -> int:
    """A stand-alone entry with the same commands (tests, and until core/cli.py wires them)."""
    from core.db import DatabaseLocked, connect, default_path

    parser = argparse.ArgumentParser(prog="python -m core.cli_ops")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p):
        p.add_argument("--db", type=Path, default=None)
        return p

    register(sub, with_db)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not needs_db(args):
        return COMMANDS[args.command](None, args)
    try:
        con = connect(args.db or default_path())
    except DatabaseLocked as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 3
    try:
        return COMMANDS[args.command](con, args)
    finally:
        from core import audit

        audit.seal(con)
        con.close()


if __name__ == "__main__":
    sys.exit(main())
