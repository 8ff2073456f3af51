"""`python -m core …`: each command parses, opens the database, calls one function, prints."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.db import DatabaseLocked, connect, default_path


def init_database(con, demo: bool = False) -> dict:
    """Idempotent set-up: schema (by connect), kinds, chains, system account, demo data."""
    from core import accounts, columns, workflow

    columns.seed_kinds(con)
    workflow.seed_chains(con)
    accounts.ensure_system_user(con)
    if demo:
        from core import demo as demo_data

        return demo_data.load_demo(con)
    return {}


def status(con) -> dict:
    from core.db import rows, scalar, schema_version

    by_role = {r["role"]: r["n"] for r in rows(
        con, "SELECT role, count(*) AS n FROM user_roles r JOIN users u ON u.id = r.user_id "
             "WHERE u.active GROUP BY role ORDER BY role")}
    by_state = {r["state"]: r["n"] for r in rows(
        con, "SELECT state, count(*) AS n FROM articles GROUP BY state ORDER BY state")}
    return {
        "schema_version": schema_version(con),
        "divisions": scalar(con, "SELECT count(*) FROM divisions"),
        "columns": scalar(con, "SELECT count(*) FROM columns"),
        "users_by_role": by_role,
        "articles_by_state": by_state,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="陕西省工业和信息化厅门户网站工作台 命令行")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, default=None, help="数据库文件(默认 data/portal.duckdb,或环境变量 PORTAL_DB)")
        return p

    init = with_db(sub.add_parser("init", help="创建或升级数据库(幂等)"))
    init.add_argument("--demo", action="store_true", help="首次创建时载入演示数据")
    build = with_db(sub.add_parser("build-site", help="生成门户静态网站"))
    build.add_argument("--out", type=Path, default=Path("site_build"))
    build.add_argument("--full", action="store_true", help="全部重新生成")
    stat = with_db(sub.add_parser("status", help="健康摘要"))
    stat.add_argument("--json", action="store_true")
    tick = with_db(sub.add_parser("tick", help="执行一次定时任务:到期定时发布、超时提醒、发送邮件"))
    tick.add_argument("--out", type=Path, default=None, help="有发布时更新该目录下的门户")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        con = connect(args.db or default_path())
    except DatabaseLocked as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 3
    try:
        return COMMANDS[args.command](con, args)
    finally:
        con.close()


def _cmd_init(con, args) -> int:
    loaded = init_database(con, demo=args.demo)
    print(json.dumps({"db": str(args.db or default_path()), **status(con), "demo": loaded},
                     ensure_ascii=False, default=str))
    return 0


def _cmd_build(con, args) -> int:
    from core import portal

    result = portal.build_site(con, args.out, full=args.full)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _cmd_status(con, args) -> int:
    summary = status(con)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


def _cmd_tick(con, args) -> int:
    from core import scheduler

    print(json.dumps(scheduler.tick(con, args.out), ensure_ascii=False, default=str))
    return 0


COMMANDS = {"init": _cmd_init, "build-site": _cmd_build, "status": _cmd_status, "tick": _cmd_tick}
