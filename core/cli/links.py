"""`python -m core links check`: the portal's link check (issue 15, 链接可用性).

    python -m core links check [--db PATH] [--site DIR] [--external] [--json]

Checks every internal link of the built site in --site (default: the configured site folder, PORTAL_SITE),
and with --external the outbound links of article bodies over HTTP. `--json` prints the broken links as
a list of {"page", "href", "status"} (status: the HTTP status, 0 for no answer). The results are stored
in the database (--db, else the default one when it exists); when the workbench holds it the check still
runs and says it kept nothing. Exit codes: 0 no broken link; 1 some broken; 2 a usage error.
Imports from core.config, db, linkcheck, settings, opening and core/cli/common.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from core import audit, config, linkcheck, settings
from core.cli.common import actor, db_path, error, print_json
from core.db import DatabaseLocked
from core.opening import open_database

DESCRIPTION = ("链接检查:check 检查门户网站的全部站内链接、锚点和附件(不经网络),加 --external 再访问正文中的外部链接;"
               "--json 输出不可用的链接,有不可用链接时退出码为 1。")


def arguments(p: argparse.ArgumentParser, with_db) -> None:
    sub = p.add_subparsers(dest="links_command", required=True)
    check_parser = with_db(sub.add_parser("check", help="检查门户网站的链接(站内链接不经网络;--external 访问外部链接)"))
    check_parser.add_argument("--site", type=Path, default=None, help="已生成的门户网站目录(默认为配置的网站目录)")
    check_parser.add_argument("--external", action="store_true", help="同时访问文章正文和附件中的外部链接")
    check_parser.add_argument("--json", action="store_true", help="以 JSON 输出不可用的链接")


def check(args) -> str | None:
    site = site_of(args)
    if not (site / "index.html").is_file():
        return f"网站目录 {site} 中没有已生成的门户网站(先运行 python -m core build-site)"
    return None


def site_of(args) -> Path:
    return args.site if args.site is not None else config.load().site


def _open(args) -> duckdb.DuckDBPyConnection | None:
    path = db_path(args)
    if args.db is None and not path.exists():
        return None
    try:
        return open_database(path)
    except DatabaseLocked as exc:
        error(f"{exc};本次检查照常进行,但结果未保存到数据库")
        return None


def _standalone(args) -> linkcheck.Result:
    """No database: the defaults of the settings."""
    site_url = settings.BY_NAME["site_url"].default
    result = linkcheck.check_internal(site_of(args), site_url)
    if args.external:
        linkcheck.check_external(result, linkcheck.Fetching(
            timeout=settings.BY_NAME["link_timeout_seconds"].default,
            per_host=settings.BY_NAME["link_host_concurrency"].default,
            retries=settings.BY_NAME["link_retries"].default))
    return result


def run(_con, args) -> int:
    con = _open(args)
    try:
        if con is None:
            result = _standalone(args)
        else:
            result = linkcheck.run(con, site_of(args), external=args.external, started_by=actor())
            audit.seal(con)
    finally:
        if con is not None:
            con.close()
    broken = result.all_broken()
    if args.json:
        print_json([{"page": link.page, "href": link.href, "status": link.status} for link in broken])
    else:
        for link in broken:
            print(f"{link.page}\t{link.href}\t{link.status}\t{link.detail}")
        print(f"检查了 {result.pages} 个页面、{result.links} 个链接"
              f"{'(含外部链接 ' + str(len(result.external)) + ' 个)' if result.fetched else ''},"
              f"不可用 {len(broken)} 个,用时 {result.seconds:.1f} 秒。", file=sys.stderr)
    return 1 if broken else 0
