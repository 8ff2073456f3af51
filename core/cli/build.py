"""`python -m core build-site`: the portal built from the database, then its search index.
A module of its own so that a build imports only what it needs (issue 16: it imported every command's
modules, ~0.6 s, before building). Imports from core.portal, core.search and core/cli/common."""

from __future__ import annotations

import argparse
from pathlib import Path

from core import portal, search
from core.cli.common import print_json


def build_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--out", type=Path, default=Path("site_build"))
    p.add_argument("--full", action="store_true", help="全部重新生成")
    p.add_argument("--search-in-background", action="store_true",
                   help="全部重新生成时,站内搜索索引在后台进程中生成(生成期间搜索页面提示稍后再试)")


def build(con, args) -> int:
    removed = portal.remove_leftovers(args.out)  # of a build or re-index killed earlier (issue 12, L1)
    result = portal.build_site(con, args.out, full=args.full)
    result["leftovers_removed"] = removed
    changed = result.pop("changed_articles", [])
    result["changed_articles"] = len(changed)  # a count: after an import it can be 100,000 ids
    if result.get("mode") == "full" and getattr(args, "search_in_background", False):
        result["search"] = {"background_pid": search.index_all_detached(args.out)}
    elif result.get("mode") == "full":
        result["search"] = _summary(search.index_all(args.out))
    elif result.get("touched_years"):
        stale = search.stale_shards(args.out, result["touched_years"])
        if stale:
            result["search"] = _summary(search.index_shards(args.out, stale))
    print_json(result)
    return 0


def _summary(indexed: dict) -> dict:
    return {k: indexed[k] for k in ("seconds", "pages", "peak_rss_mb") if k in indexed}
