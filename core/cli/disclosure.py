"""`python -m core disclosure …`: 政府信息公开 for the office's scripts and checks (issue 14).

    python -m core disclosure import FILE.jsonl [--db PATH]

`import` reads applications from a ledger, one JSON object a line (received_on, applicant_type, channel,
subject, outcome — absent while open —, closed_on, extended): every line is checked first; a bad line
is named by its number and field, and then nothing is imported (exit 2). Imports from core.disclosure
and core/cli/common.

Exit codes: 0 imported; 2 a usage error or bad lines (nothing imported); 3 the database is held by the workbench.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core import disclosure
from core.cli.common import error, print_json

DESCRIPTION = "依申请公开台账导入等(政府信息公开条例)。"


def arguments(p: argparse.ArgumentParser, with_db) -> None:
    sub = p.add_subparsers(dest="disclosure_command", required=True)
    ledger = with_db(sub.add_parser("import", help="从台账导入政府信息公开申请:JSONL 每行一件,有错误则整批不导入"))
    ledger.add_argument("file", type=Path, metavar="FILE.jsonl", help="台账文件(UTF-8,每行一个 JSON 对象)")


def check(args) -> str | None:
    """A usage error found before the database is opened, or None."""
    if args.disclosure_command == "import" and not args.file.is_file():
        return f"文件 {args.file} 不存在"
    return None


def import_ledger(con, args) -> int:
    try:
        lines = args.file.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        error(f"文件 {args.file} 不是 UTF-8 编码的文本")
        return 2
    try:
        done = disclosure.import_ledger(con, lines)
    except disclosure.LedgerError as exc:
        for problem in exc.problems:
            error(problem)
        error(f"共 {len(exc.problems)} 行有误,未导入任何申请。")
        return 2
    print_json({"imported": done.total, "closed": done.closed, "open": done.open})
    return 0


SUBCOMMANDS = {
    "import": import_ledger,
}


def run(con, args) -> int:
    return SUBCOMMANDS[args.disclosure_command](con, args)
