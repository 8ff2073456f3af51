"""`python -m core disclosure …`: 政府信息公开 for the office's scripts and checks (issue 14).

    python -m core disclosure import FILE.jsonl [--db PATH]
    python -m core disclosure report --year 2026 [--json] [--out FILE.docx] [--db PATH]

`import` reads applications from a ledger, one JSON object a line (received_on, applicant_type, channel,
subject, outcome — absent while open —, closed_on, extended): every line is checked first; a bad line
is named by its number and field, and then nothing is imported (exit 2).
`report` computes the annual report (政府信息公开条例 第五十条) for the year: `--json` prints part 三 (the
applications table by applicant type), `--out` writes the whole report as a Word document; it records
nothing (exit 1 when the part 三 figures do not reconcile, printed on stderr).
Exit codes: 0 done; 1 the report does not reconcile; 2 a usage error or bad lines (nothing imported);
3 the database is held by the workbench. Imports from core.disclosure, core.disclosure_report and core/cli/common.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import disclosure, disclosure_report
from core.cli.common import error, print_json
from core.errors import ValidationError

DESCRIPTION = ("政府信息公开:import 导入依申请公开台账;report 生成政府信息公开工作年度报告"
               "(--json 输出第三部分申请情况表,--out 写出 Word 文档)。")


def arguments(p: argparse.ArgumentParser, with_db) -> None:
    sub = p.add_subparsers(dest="disclosure_command", required=True)
    ledger = with_db(sub.add_parser("import", help="从台账导入政府信息公开申请:JSONL 每行一件,有错误则整批不导入"))
    ledger.add_argument("file", type=Path, metavar="FILE.jsonl", help="台账文件(UTF-8,每行一个 JSON 对象)")
    report_parser = with_db(sub.add_parser("report", help="政府信息公开工作年度报告(政府信息公开条例 第五十条)"))
    report_parser.add_argument("--year", type=int, required=True, help="报告年度,例如 2026")
    report_parser.add_argument("--json", action="store_true", help="输出第三部分(收到和处理政府信息公开申请情况)的 JSON")
    report_parser.add_argument("--out", type=Path, default=None, metavar="FILE.docx", help="写出 Word 文档")


def check(args) -> str | None:
    """A usage error found before the database is opened, or None."""
    if args.disclosure_command == "import" and not args.file.is_file():
        return f"文件 {args.file} 不存在"
    if args.disclosure_command == "report":
        try:
            disclosure_report.valid_year(args.year)
        except ValidationError as exc:
            return str(exc)
        if not args.json and args.out is None:
            return "请指定 --json(输出申请情况表)或 --out FILE.docx(写出 Word 文档)"
        if args.out is not None and not args.out.parent.is_dir():
            return f"输出目录 {args.out.parent} 不存在"
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


def report(con, args) -> int:
    built = disclosure_report.build(con, args.year)
    if args.out is not None:
        args.out.write_bytes(disclosure_report.render(built))
    if args.json:
        print_json(built.applications)
    problems = disclosure_report.check(built.applications)
    for problem in problems:
        error(f"{args.year}年申请情况表不平衡:{problem}")
    if args.out is not None:
        print(f"已写出 {args.out}", file=sys.stderr)
    return 1 if problems else 0


SUBCOMMANDS = {
    "import": import_ledger,
    "report": report,
}


def run(con, args) -> int:
    return SUBCOMMANDS[args.disclosure_command](con, args)
