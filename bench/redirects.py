"""Permanent URLs (issue 15): what recording every written URL and leaving redirects costs a build.

    .venv/bin/python bench/redirects.py --articles 20000 [--keep DIR]

Imports N synthetic articles, builds the portal (full), renames the largest column's address (full build:
its listing pages and feed move), then publishes one article (incremental build). For each build prints
its seconds, the seconds spent in core.portal.redirects.settle (the bulk upsert of the record, the moved
paths, the redirect pages and the nginx map), the URLs recorded and the redirects written. Figures only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")


def main() -> None:
    import import_data

    from core import accounts, columns, demo, importer, portal, workflow
    from core.db import connect, scalar
    from core.portal import build as build_module
    from core.setup import init_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--keep", type=Path, default=None, help="work here instead of a temp dir")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="redirects-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source, site = work / "articles.jsonl", work / "site"
    import_data.generate(source, args.articles)
    con = connect(work / "bench.duckdb")
    init_database(con)
    demo.load_demo(con, articles=80)
    importer.import_jsonl(con, source, create_missing=True, progress=False)

    spent: list[float] = []
    real_settle = build_module.settle

    def timed_settle(*a, **kw):
        started = time.perf_counter()
        try:
            return real_settle(*a, **kw)
        finally:
            spent.append(time.perf_counter() - started)

    build_module.settle = timed_settle

    def build(label: str) -> None:
        spent.clear()
        started = time.perf_counter()
        stats = portal.build_site(con, site, full=False, progress=False)
        seconds = time.perf_counter() - started
        recorded = scalar(con, "SELECT count(*) FROM portal_urls")
        print(f"{label}: {stats['mode']} build {seconds:.2f} s, of which redirects.settle {sum(spent):.3f} s; "
              f"{recorded:,} URLs recorded, {stats['redirects']} redirects written, {stats['pages']} pages")

    build("first build")
    largest = con.execute("SELECT r.column_id, count(*) FROM articles a JOIN revisions r ON r.article_id = a.id "
                          "AND r.number = a.live_revision WHERE a.public GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()
    webmaster = accounts.find_user(con, "webmaster")
    slug = columns.get_column(con, largest[0])["slug"]
    columns.update_column(con, webmaster, largest[0], {"slug": f"{slug}-new"})
    build(f"column {slug} ({largest[1]} items) renamed to {slug}-new")

    officer = accounts.find_user(con, "xxy_dzxx")
    head = accounts.find_user(con, "fzr_dzxx")
    column = columns.writable_columns(con, officer)[0]
    article = workflow.create_article(con, officer, column["id"], "永久网址基准测试信息发布",
                                      "<p>永久网址基准测试。</p>", "电子信息处", dt.date.today())
    article = workflow.submit(con, officer, article.id, article.version)
    article = workflow.approve(con, head, article.id, article.version, list(workflow.CHECKLIST),
                               acknowledged=[workflow.finding_key(f) for f in workflow.screen_article(con, article)])
    workflow.publish(con, officer, article.id, article.version)
    build("one article published")
    mapping = site / ".redirects.map"
    print(f"nginx map: {sum(1 for _ in mapping.open(encoding='utf-8')) - 1} lines, {mapping.stat().st_size:,} bytes")
    con.close()


if __name__ == "__main__":
    main()
