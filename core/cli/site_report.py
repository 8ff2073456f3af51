"""`python -m core site-report --year 2026 --out FILE.docx [--json] [--db PATH]` (issue 15, report): the
政府网站工作年度报表 for a year (第二十五条; 国办函〔2018〕12号) as a Word document, and with `--json` its rows.
It records nothing. Exit codes: 0 written; 2 a usage error; 3 the database is held by the workbench.
Imports from core.site_report and core/cli/common."""

from __future__ import annotations

import argparse
from pathlib import Path

from core import site_report
from core.cli.common import print_json
from core.errors import ValidationError

DESCRIPTION = "生成政府网站工作年度报表(国办函〔2018〕12号):--out 写出 Word 文档,--json 输出报表各行。"


def arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--year", type=int, required=True, help="报表年度,例如 2026")
    p.add_argument("--out", type=Path, default=None, metavar="FILE.docx", help="写出 Word 文档")
    p.add_argument("--json", action="store_true", help="输出报表各行的 JSON")


def check(args) -> str | None:
    try:
        site_report.valid_year(args.year)
    except ValidationError as exc:
        return str(exc)
    if args.out is None and not args.json:
        return "请用 --out 指定 Word 文件,或用 --json 输出"
    if args.out is not None and not args.out.parent.is_dir():
        return f"输出目录 {args.out.parent} 不存在"
    return None


def run(con, args) -> int:
    report = site_report.build(con, args.year)
    if args.out is not None:
        args.out.write_bytes(site_report.render(report))
    if args.json:
        print_json({"year": report.year, "title": report.title,
                    "rows": [{"section": line.section, "item": line.item, "sub": line.sub, "value": line.value,
                              "computed": line.computed} for line in report.lines]})
    return 0
