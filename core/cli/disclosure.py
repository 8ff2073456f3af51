"""`python -m core disclosure …`: 政府信息公开 from the command line (issue 14).

    python -m core disclosure report --year 2026 [--json] [--out FILE.docx] [--db PATH]

`report` computes the annual report (政府信息公开条例 第五十条) for the year: `--json` prints part 三 (the
applications table by applicant type), `--out` writes the whole report as a Word document. It records
nothing. Exit codes: 0 done; 1 the part 三 figures do not reconcile (printed on stderr); 2 usage.
Imports from core.disclosure_report and core/cli/common.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import disclosure_report
from core.cli.common import error, print_json
from core.errors import ValidationError

DESCRIPTION = "政府信息公开:report 生成政府信息公开工作年度报告(--json 输出第三部分申请情况表,--out 写出 Word 文档)。"


def arguments(p: argparse.ArgumentParser, with_db) -> None:
    sub = p.add_subparsers(dest="disclosure_command", required=True)
    report = with_db(sub.add_parser("report", help="政府信息公开工作年度报告(政府信息公开条例 第五十条)"))
    report.add_argument("--year", type=int, required=True, help="报告年度,例如 2026")
    report.add_argument("--json", action="store_true", help="输出第三部分(收到和处理政府信息公开申请情况)的 JSON")
    report.add_argument("--out", type=Path, default=None, metavar="FILE.docx", help="写出 Word 文档")


def check(args) -> str | None:
    """A usage error found before the database is opened, or None."""
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


def run(con, args) -> int:
    if args.disclosure_command == "report":
        return report(con, args)
    return 2


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
