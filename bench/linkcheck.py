"""The link-check benchmark of issue 15: a portal of N articles, built, then every internal link checked.

    .venv/bin/python bench/linkcheck.py --articles 100000 --dir /tmp/linkbench [--workers N]

Generates the articles (bench/import_data.py), imports them and builds the site into --dir the first
time; a later run with the same --dir reuses that site and only checks. Prints pages, links, broken
links and seconds of the internal check (target: under 30 s for 100,000 articles). Figures only.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")


def prepare(work: Path, articles: int) -> Path:
    import import_data

    from core import demo, importer, portal
    from core.db import connect
    from core.setup import init_database

    site = work / "site"
    if (site / "index.html").exists():
        return site
    source = work / "articles.jsonl"
    started = time.perf_counter()
    import_data.generate(source, articles)
    con = connect(work / "bench.duckdb")
    init_database(con)
    demo.load_demo(con, articles=80)
    result = importer.import_jsonl(con, source, create_missing=True, progress=False)
    print(f"generated and imported {result.imported} articles: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    built = portal.build_site(con, site, full=True, progress=False)
    print(f"full build: {time.perf_counter() - started:.1f} s, {built['pages']} pages")
    con.close()
    return site


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    from core import linkcheck

    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100000)
    parser.add_argument("--dir", type=Path, required=True, help="work folder (reused by a later run)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    site = prepare(args.dir, args.articles)
    load = os.getloadavg()[0]  # the machine is shared: a busy one stretches the seconds
    cpu = time.process_time() + _children_cpu()
    result = linkcheck.check_internal(site, "https://www.sxit.gov.cn", workers=args.workers)
    cpu = time.process_time() + _children_cpu() - cpu
    print(f"internal check: {result.pages} pages, {result.links} links, {len(result.broken)} broken, "
          f"{len(result.external)} outbound links in article bodies, {result.seconds:.1f} s "
          f"({result.pages / result.seconds:,.0f} pages/s, workers: {args.workers or os.cpu_count()}, "
          f"CPU {cpu:.1f} s, load average before {load:.1f})")


if __name__ == "__main__":
    main()
