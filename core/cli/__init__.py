"""`python -m core …`: one registry of commands and one dispatcher. Each command parses, opens the database
(when it wants it opened for it), calls one function, prints. Imports from core.config, db, audit, importer
and the command modules beside it (workbench, ops, reports, disclosure, access, check, links, site_report, common)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core import audit, config
from core.cli import access, check, disclosure, links, ops, reports, site_report, workbench
from core.cli.common import db_path, error
from core.db import DatabaseLocked
from core.importer import storage_failure
from core.setup import open_database


@dataclass(frozen=True)
class Command:
    """A command of `python -m core`, called like its handler: `handler(con, args) -> exit code`."""
    name: str
    help: str
    handler: Callable[[duckdb.DuckDBPyConnection | None, argparse.Namespace], int]
    add_arguments: Callable[[argparse.ArgumentParser, Callable], None]
    needs_db: bool = True  # opened (and the audit chain sealed) by the dispatcher; else the handler gets None
    db_option: bool = True  # the command takes --db (restore declares its own, with its own help)
    check: Callable[[argparse.Namespace], str | None] | None = None  # a usage error found before opening
    description: str | None = None

    def __call__(self, con, args) -> int:
        return self.handler(con, args)


COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("init", "创建或升级数据库(幂等)", workbench.init, workbench.init_arguments),
    Command("build-site", "生成门户静态网站", workbench.build, workbench.build_arguments),
    Command("status", "健康摘要", workbench.show_status, workbench.status_arguments),
    Command("tick", "执行一次定时任务:到期定时发布、超时提醒、发送邮件", workbench.tick, workbench.tick_arguments),
    Command("screen", "发布前筛查文本文件(第一行为标题,其余为正文;.docx/.pdf 按附件读取)",
            workbench.screen, workbench.screen_arguments),
    Command("evaluate", "年度考评:各处室得分、排名、表彰、通报批评(第二十五至二十七条)",
            workbench.evaluate, workbench.evaluate_arguments),
    Command("audit", "审计日志:校验哈希链、归档超过保存期限的日志(第二十条)", ops.audit_log, ops.audit_arguments,
            db_option=False),  # its sub-commands take --db
    Command("backup", "备份数据库和门户网站(一致性快照 + 清单);工作台运行时由工作台代为备份",
            ops.make_backup, ops.backup_arguments, needs_db=False, description=ops.BACKUP_DESCRIPTION),
    Command("restore", "把备份恢复到一个新的数据库文件,并按清单校验后才可使用", ops.restore, ops.restore_arguments,
            needs_db=False, db_option=False),
    Command("bulletin", "生成门户网站信息发布情况通报(Word 文档,第二十五条)", reports.make_bulletin,
            reports.bulletin_arguments, check=reports.bulletin_check, description=reports.BULLETIN_DESCRIPTION),
    Command("snapshot", "复制数据库的只读快照,供分析员的笔记本使用(工作台运行时也可用)", reports.snapshot,
            reports.snapshot_arguments, needs_db=False, check=reports.snapshot_check),
    Command("import", "迁移旧网站:JSONL 每行一篇,作为已发布信息导入", workbench.import_file,
            workbench.import_arguments, check=workbench.import_check, description=workbench.IMPORT_DESCRIPTION),
    Command("disclosure", "政府信息公开:导入依申请公开台账、生成年度报告(政府信息公开条例)", disclosure.run, disclosure.arguments,
            db_option=False, check=disclosure.check, description=disclosure.DESCRIPTION),  # sub-commands take --db
    Command("access", "访问统计:导入门户网站访问日志、输出浏览量和访客数", access.run, access.arguments,
            db_option=False, check=access.check, description=access.DESCRIPTION),  # sub-commands take --db
    Command("check", "上线检查:列出上线前尚未完成或不安全的事项(有阻止上线的问题时退出码 1)", check.run, check.arguments,
            description=check.DESCRIPTION),  # issue 15, identity
    Command("site-report", "生成政府网站工作年度报表(Word 文档,国办函〔2018〕12号)", site_report.run,
            site_report.arguments, check=site_report.check, description=site_report.DESCRIPTION),  # issue 15, report
    Command("links", "链接检查:门户网站的站内链接、锚点、附件和外部链接", links.run, links.arguments,
            needs_db=False, db_option=False, check=links.check, description=links.DESCRIPTION),  # check takes --db
)}


def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--db", type=Path, default=None, help="数据库文件(默认 data/portal.duckdb,或环境变量 PORTAL_DB)")
    return p


def register(sub, add_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser] = with_db) -> None:
    """Add every command's parser to `sub` (argparse sub-parsers)."""
    for command in COMMANDS.values():
        p = sub.add_parser(command.name, help=command.help, description=command.description)
        if command.db_option:
            add_db(p)
        command.add_arguments(p, add_db)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="陕西省工业和信息化厅门户网站工作台 命令行")
    register(p.add_subparsers(dest="command", required=True))
    return p


def needs_db(args: argparse.Namespace) -> bool:
    """Whether the dispatcher opens the database for the command `args` names."""
    return COMMANDS[args.command].needs_db


def main(argv: list[str] | None = None) -> int:
    """The one entry: `python -m core` (core/__main__.py). Exit 2 on a usage error, 3 when the database is held."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        config.load()  # a wrong PORTAL_ value is named before anything runs
    except config.ConfigError as exc:
        error(str(exc))
        return 2
    command = COMMANDS[args.command]
    problem = command.check(args) if command.check else None
    if problem:
        error(problem)
        return 2
    if not command.needs_db:
        return command(None, args)
    try:
        con = open_database(db_path(args))
    except DatabaseLocked as exc:
        error(str(exc))
        return 3
    try:
        return command(con, args)
    finally:
        _seal(con)
        con.close()


def _seal(con: duckdb.DuckDBPyConnection) -> None:
    """Rows this command wrote join the audit chain before the file is released (第二十条)."""
    try:
        audit.seal(con)
    except duckdb.Error as exc:
        why = storage_failure(exc)
        if not why:
            raise
        print(f"注意:{why},审计日志的校验链未能更新(第二十条);腾出磁盘空间后运行任一命令即可补上。",
              file=sys.stderr)

