"""Reporting commands for `python -m core` (第二十五条): bulletins and analysts' snapshots.

    python -m core bulletin --period 2026-10 --out FILE.docx [--issue --by USERNAME
                            [--correction-of N --reason TEXT]] [--db PATH]
    python -m core snapshot --out PATH [--db PATH]

`bulletin` builds the Word document and writes it; it records nothing unless `--issue` is given,
and then only under a webmaster account named with `--by` (the bulletin is numbered and kept, as
when issued from the statistics page). A period is issued once: issuing it again is refused
unless it is a correction of its current issue (`--correction-of N --reason TEXT`), the same rule
as on the page. `snapshot` copies the database (also while the workbench
holds it) into a read-only file for notebooks. Imports from core.accounts, bulletin, db, errors and
core/cli/common.

Exit codes: 0 written; 2 usage or refusal (bad period, missing folder, an existing snapshot, a
non-webmaster --by, a period already issued); 3 the database is held by the workbench (bulletin only: use the workbench, or a snapshot).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core import accounts, bulletin, db
from core.cli.common import db_path, error, print_json
from core.errors import PortalError, ValidationError

BULLETIN_DESCRIPTION = (
    "按月(2026-10)或按季度(2026Q3)生成通报。默认只生成文件、不登记;"
    "加 --issue --by 网站管理员账号 则编号印发并保存在数据库中。同一期间只印发一次,"
    "再次印发须作为更正:--correction-of 原期号 --reason 更正原因。")


def bulletin_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--period", required=True, help="期间:2026-10(月)或 2026Q3(季度)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.docx", help="输出的 Word 文件")
    p.add_argument("--issue", action="store_true", help="登记为已印发(编号并保存)")
    p.add_argument("--by", default=None, metavar="USERNAME", help="印发人(网站管理员账号),与 --issue 同用")
    p.add_argument("--correction-of", type=int, default=None, metavar="N",
                   help="本次为该期间第 N 期通报的更正(与 --issue、--reason 同用)")
    p.add_argument("--reason", default=None, metavar="TEXT", help="更正原因,写在通报开头")


def snapshot_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--out", type=Path, required=True, metavar="PATH", help="快照文件(不得已存在)")


def bulletin_check(args) -> str | None:
    """A usage error found before the database is opened, or None."""
    try:
        bulletin.bulletin_period(args.period)
    except ValidationError as exc:
        return str(exc)
    if not args.out.parent.is_dir():
        return f"输出目录 {args.out.parent} 不存在"
    if args.issue and not args.by:
        return "--issue 须用 --by 指明印发的网站管理员账号"
    if (args.correction_of is not None or args.reason) and not args.issue:
        return "--correction-of 和 --reason 用于更正印发,须与 --issue 同用"
    return None


def snapshot_check(args) -> str | None:
    return f"快照文件 {args.out} 已存在,请换一个路径" if args.out.exists() else None


def make_bulletin(con, args) -> int:
    if args.issue:
        user = accounts.find_user(con, args.by)
        if user is None:
            error(f"账号 {args.by} 不存在")
            return 2
        try:
            issued = bulletin.issue(con, user, args.period, correction_of=args.correction_of, reason=args.reason)
        except PortalError as exc:
            error(str(exc))
            return 2
        args.out.write_bytes(issued["docx"])
        corrects = args.correction_of if issued["corrects"] else None
        print_json({"out": str(args.out), "issued": True, "id": issued["id"], "number": issued["number"],
                    "corrects": corrects, "summary": issued["summary"]})
        return 0
    data, contents = bulletin.build(con, args.period)
    args.out.write_bytes(data)
    print_json({"out": str(args.out), "issued": False, "bytes": len(data), "summary": contents.summary()})
    return 0


def snapshot(_con, args) -> int:
    source = db_path(args)
    if not source.exists():
        error(f"数据库 {source} 不存在")
        return 2
    copy = db.snapshot(source, args.out)
    try:
        has_articles = db.scalar(copy, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'articles'")
        articles = db.scalar(copy, "SELECT count(*) FROM articles") if has_articles else 0
        version = db.schema_version(copy)
    finally:
        copy.close()
    print_json({"snapshot": str(args.out), "schema_version": version, "articles": articles,
                "bytes": args.out.stat().st_size})
    return 0
