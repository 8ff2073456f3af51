"""The portal benchmark of issue 3: import N synthetic articles, build, publish one more, search it.

    .venv/bin/python bench/portal.py --articles 10000 [--keep DIR]

Prints import seconds, full-build seconds and pages/second, peak memory, the time from publishing
one more article until its page, its column page and the home page are on disk, and the time
until Pagefind finds it. Figures only; no assertion.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    import import_data

    from core import accounts, columns, demo, importer, portal, search, workflow
    from core.db import connect
    from core.setup import init_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--keep", type=Path, default=None, help="work here instead of a temp dir")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="portal-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source, site = work / "articles.jsonl", work / "site"

    import_data.generate(source, args.articles)
    con = connect(work / "bench.duckdb")
    init_database(con)
    demo.load_demo(con, articles=80)
    started = time.perf_counter()
    result = importer.import_jsonl(con, source, create_missing=True, progress=False)
    print(f"import {args.articles} lines: {time.perf_counter() - started:.1f} s "
          f"(imported {result.imported}, skipped {result.skipped})")

    started = time.perf_counter()
    built = portal.build_site(con, site, full=True)
    seconds = time.perf_counter() - started
    print(f"full build: {seconds:.2f} s, {built['pages']} pages, {built['pages'] / seconds:,.0f} pages/s")
    started = time.perf_counter()
    indexed = search.index_all(site)
    print(f"full search index: {time.perf_counter() - started:.1f} s, peak {indexed.get('peak_rss_mb')} MB")

    officer = accounts.find_user(con, "xxy_dzxx")
    head = accounts.find_user(con, "fzr_dzxx")
    column = columns.writable_columns(con, officer)[0]
    marker = "氢燃料电池重卡示范运营基准测试"
    article = workflow.create_article(con, officer, column["id"], f"{marker}启动",
                                      f"<p>{marker}在西安启动。</p>", "电子信息处", dt.date.today())
    article = workflow.submit(con, officer, article.id, article.version)
    article = workflow.approve(con, head, article.id, article.version, list(workflow.CHECKLIST),
                               acknowledged=[workflow.finding_key(f) for f in workflow.screen_article(con, article)])
    started = time.perf_counter()
    article = workflow.publish(con, officer, article.id, article.version)
    incremental = portal.build_site(con, site, full=False)
    on_disk = time.perf_counter() - started
    page = site / portal.article_url(article.id, article.published_at).lstrip("/")
    home = (site / "index.html").read_text(encoding="utf-8")
    print(f"publish → page, column pages and home on disk: {on_disk:.2f} s "
          f"({incremental['mode']}, {incremental['pages']} pages; page exists {page.exists()}, "
          f"on home {marker in home})")
    search.reindex_in_background(site, incremental["touched_years"]).join()
    print(f"publish → searchable: {time.perf_counter() - started:.2f} s "
          f"(re-index peak {search.last_reindex().get('peak_rss_mb') if search.last_reindex() else '?'} MB)")
    print(f"peak memory (this process or a child): {peak_mb():.0f} MB")
    con.close()


if __name__ == "__main__":
    main()
