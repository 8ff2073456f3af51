"""`python -m core access …`: visits to the portal, from the web server's own logs (issue 15, visits).

    python -m core access import [--db PATH] FILE...
    python -m core access report --from 2026-01-01 --to 2026-12-31 [--json] [--db PATH]

`import` reads nginx access logs (combined format, plain or gzip) and keeps only the lines not read before;
malformed lines are counted. `report` prints the period's page views, visitors and top 20 pages
(`--json`: {"page_views": n, "visitors": n, "top_pages": [{"path": …, "page_views": n}, …]}).
Exit codes: 0 done; 2 a usage error (a file missing, --from after --to); 3 the database is held by the
workbench. Imports from core.access and core/cli/common.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from core import access
from core.cli.common import print_json

DESCRIPTION = ("访问统计:import 导入门户网站服务器(nginx)的访问日志,已导入的行不再重复导入;"
               "report 输出统计期间的浏览量、访客数和浏览量前 20 的页面(--json 输出 JSON)。")


def arguments(p: argparse.ArgumentParser, with_db) -> None:
    sub = p.add_subparsers(dest="access_command", required=True)
    logs = with_db(sub.add_parser("import", help="导入访问日志(combined 格式,可为 .gz 压缩文件)"))
    logs.add_argument("files", type=Path, nargs="+", metavar="FILE", help="访问日志文件")
    summary = with_db(sub.add_parser("report", help="统计期间的浏览量、访客数和热门页面"))
    summary.add_argument("--from", dest="start", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD",
                         help="开始日期(含)")
    summary.add_argument("--to", dest="end", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD",
                         help="结束日期(含)")
    summary.add_argument("--json", action="store_true", help="输出 JSON")


def check(args) -> str | None:
    """A usage error found before the database is opened, or None."""
    if args.access_command == "import":
        missing = [str(f) for f in args.files if not f.is_file()]
        return f"文件 {'、'.join(missing)} 不存在" if missing else None
    if args.end < args.start:
        return "结束日期(--to)不能早于开始日期(--from)"
    return None


def run(con, args) -> int:
    return import_logs(con, args) if args.access_command == "import" else show_report(con, args)


def import_logs(con, args) -> int:
    for done in access.import_files(con, args.files):
        print(f"{done['file']}:新读取 {done['lines']} 行,导入 {done['hits']} 条访问记录,"
              f"格式不正确 {done['malformed']} 行,此前已导入 {done['skipped']} 行")
    return 0


def show_report(con, args) -> int:
    figures = access.report(con, args.start, args.end)
    if args.json:
        print_json(figures)
        return 0
    print(f"{args.start:%Y年%m月%d日}至{args.end:%Y年%m月%d日}:浏览量 {figures['page_views']} 次,"
          f"访客 {figures['visitors']} 个。")
    if figures["top_pages"]:
        print("浏览量最多的页面:")
        for rank, page in enumerate(figures["top_pages"], 1):
            print(f"{rank:>3}. {page['path']}  {page['page_views']} 次")
    else:
        print("该期间没有页面浏览记录。")
    print("说明:" + access.DEFINITIONS)
    return 0
