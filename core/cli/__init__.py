"""`python -m core …`: one registry of commands and one dispatcher. Each command parses, opens the database
(when it wants it opened for it), calls one function, prints.

A command's functions live in a module beside this one (core/cli/<module>.py), named in its registry entry
and imported only when that command runs, or when its own help is shown: `python -m core --help` lists every
command from the registry alone. Issue 16: build-site imported every command's modules (the demo data, the
go-live check, Word, numpy…, ~0.6 s) before building. Imports from core.config, db, audit, opening and
core/cli/common; the command modules by name (COMMANDS, tests/test_structure.py draws those edges too)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import duckdb

from core import audit, config
from core.cli.common import db_path, error
from core.db import DatabaseLocked, storage_failure
from core.opening import open_database


@dataclass(frozen=True)
class Command:
    """A command of `python -m core`, called like its handler: `handler(con, args) -> exit code`.
    `module` holds the functions (and the description) named by the fields after it."""
    name: str
    help: str
    module: str  # e.g. "core.cli.build"
    handler: str  # handler(con, args) -> exit code
    add_arguments: str  # add_arguments(parser, add_db)
    needs_db: bool = True  # opened (and the audit chain sealed) by the dispatcher; else the handler gets None
    db_option: bool = True  # the command takes --db (restore declares its own, with its own help)
    check: str | None = None  # check(args) -> a usage error found before opening, or None
    description: str | None = None  # the name of the module's text shown atop the command's own help

    def functions(self) -> ModuleType:
        """The command's module, imported now (once per process)."""
        return importlib.import_module(self.module)

    def __call__(self, con, args) -> int:
        return getattr(self.functions(), self.handler)(con, args)

    def problem(self, args: argparse.Namespace) -> str | None:
        return getattr(self.functions(), self.check)(args) if self.check else None

    def register(self, sub, add_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
        """This command's parser, with its arguments, in `sub` (argparse sub-parsers)."""
        module = self.functions()
        description = getattr(module, self.description) if self.description else None
        p = sub.add_parser(self.name, help=self.help, description=description)
        if self.db_option:
            add_db(p)
        getattr(module, self.add_arguments)(p, add_db)


COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("init", "创建或升级数据库(幂等)", "core.cli.workbench", "init", "init_arguments"),
    Command("build-site", "生成门户静态网站", "core.cli.build", "build", "build_arguments"),
    Command("status", "健康摘要", "core.cli.workbench", "show_status", "status_arguments"),
    Command("tick", "执行一次定时任务:到期定时发布、超时提醒、发送邮件", "core.cli.workbench", "tick",
            "tick_arguments"),
    Command("screen", "发布前筛查文本文件(第一行为标题,其余为正文;.docx/.pdf 按附件读取)",
            "core.cli.workbench", "screen", "screen_arguments"),
    Command("evaluate", "年度考评:各处室得分、排名、表彰、通报批评(第二十五至二十七条)",
            "core.cli.workbench", "evaluate", "evaluate_arguments"),
    Command("audit", "审计日志:校验哈希链、归档超过保存期限的日志(第二十条)", "core.cli.ops", "audit_log",
            "audit_arguments", db_option=False),  # its sub-commands take --db
    Command("backup", "备份数据库和门户网站(一致性快照 + 清单);工作台运行时由工作台代为备份",
            "core.cli.ops", "make_backup", "backup_arguments", needs_db=False, description="BACKUP_DESCRIPTION"),
    Command("restore", "把备份恢复到一个新的数据库文件,并按清单校验后才可使用", "core.cli.ops", "restore",
            "restore_arguments", needs_db=False, db_option=False),
    Command("bulletin", "生成门户网站信息发布情况通报(Word 文档,第二十五条)", "core.cli.reports", "make_bulletin",
            "bulletin_arguments", check="bulletin_check", description="BULLETIN_DESCRIPTION"),
    Command("snapshot", "复制数据库的只读快照,供分析员的笔记本使用(工作台运行时也可用)", "core.cli.reports",
            "snapshot", "snapshot_arguments", needs_db=False, check="snapshot_check"),
    Command("import", "迁移旧网站:JSONL 每行一篇,作为已发布信息导入", "core.cli.workbench", "import_file",
            "import_arguments", check="import_check", description="IMPORT_DESCRIPTION"),
    Command("disclosure", "政府信息公开:导入依申请公开台账、生成年度报告(政府信息公开条例)", "core.cli.disclosure",
            "run", "arguments", db_option=False, check="check", description="DESCRIPTION"),  # sub-commands take --db
    Command("access", "访问统计:导入门户网站访问日志、输出浏览量和访客数", "core.cli.access", "run", "arguments",
            db_option=False, check="check", description="DESCRIPTION"),  # sub-commands take --db
    Command("check", "上线检查:列出上线前尚未完成或不安全的事项(有阻止上线的问题时退出码 1)", "core.cli.check", "run",
            "arguments", description="DESCRIPTION"),  # issue 15, identity
    Command("site-report", "生成政府网站工作年度报表(Word 文档,国办函〔2018〕12号)", "core.cli.site_report", "run",
            "arguments", check="check", description="DESCRIPTION"),  # issue 15, report
    Command("links", "链接检查:门户网站的站内链接、锚点、附件和外部链接", "core.cli.links", "run", "arguments",
            needs_db=False, db_option=False, check="check", description="DESCRIPTION"),  # check takes --db
)}


def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--db", type=Path, default=None, help="数据库文件(默认 data/portal.duckdb,或环境变量 PORTAL_DB)")
    return p


def register(sub, add_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser] = with_db) -> None:
    """Add every command's parser, with its arguments, to `sub` (argparse sub-parsers): imports every module."""
    for command in COMMANDS.values():
        command.register(sub, add_db)


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: the command named `only` with its arguments (its module imported), every
    other command by its name and help alone (enough for `--help` and for naming an unknown command)."""
    p = argparse.ArgumentParser(prog="python -m core", description="陕西省工业和信息化厅门户网站工作台 命令行")
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        if command.name == only:
            command.register(sub, with_db)
        else:
            sub.add_parser(command.name, help=command.help)
    return p


def named(argv: list[str]) -> str | None:
    """The command `argv` names: its first word that is not an option (the top level takes only -h)."""
    return next((word for word in argv if not word.startswith("-")), None)


def load(argv: list[str]) -> None:
    """Import the module of the command `argv` names, if it names one (core/__main__.py: before the freeze)."""
    command = COMMANDS.get(named(argv) or "")
    if command is not None:
        command.functions()


def needs_db(args: argparse.Namespace) -> bool:
    """Whether the dispatcher opens the database for the command `args` names."""
    return COMMANDS[args.command].needs_db


def main(argv: list[str] | None = None) -> int:
    """The one entry: `python -m core` (core/__main__.py). Exit 2 on a usage error, 3 when the database is held."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parser(only=named(argv)).parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        config.load()  # a wrong PORTAL_ value is named before anything runs
    except config.ConfigError as exc:
        error(str(exc))
        return 2
    command = COMMANDS[args.command]
    problem = command.problem(args)
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

