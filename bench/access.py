"""The visits benchmark of issue 15: 1,000,000 nginx access-log lines imported, then the year's report.

    .venv/bin/python bench/access.py [--lines 1000000]

Writes realistic combined-format lines into a temporary folder (pages, assets, robots, 404s, some
malformed lines), once plain and once gzipped, imports each into a fresh database (`core.access`), then
imports the plain log again (every line already read) and runs the report of the year. Prints lines,
seconds and lines per second (target: 1,000,000 lines in under 15 s). Figures only; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")

from core import access  # noqa: E402
from core.opening import open_database  # noqa: E402

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
]
ROBOTS = ["Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
          "Sogou web spider/4.0", "Mozilla/5.0 (compatible; bingbot/2.0)", "python-requests/2.32.3", "curl/8.5.0"]
REFERRERS = ["-", "-", "-", "https://www.baidu.com/s?wd=%E5%B7%A5%E4%BF%A1", "https://www.shaanxi.gov.cn/",
             "https://www.sxit.gov.cn/index.html", "https://cn.bing.com/search?q=sxit"]
LAST_CPU = 0.0
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
ASSETS = ["/static/portal.css", "/static/portal.js", "/static/logo.png", "/files/12/通知.pdf"]


def pages() -> list[str]:
    found = ["/", "/index.html", "/xxgk/index.html", "/hudong/index.html"]
    found += [f"/col/{slug}/index.html" for slug in ("gzdt", "tzgg", "zcwj", "zcjd", "dzxx")]
    found += [f"/art/2026/{m:02d}/{i}.html" for m in range(1, 13) for i in range(m * 100, m * 100 + 40)]
    return found


def write_log(path: Path, count: int) -> None:
    rng = random.Random(15)
    addresses = [f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                 for _ in range(20000)]
    site, start = pages(), dt.datetime(2026, 1, 1)
    step = 365 * 86400 / count
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            moment = start + dt.timedelta(seconds=n * step)
            stamp = moment.strftime("%d/%b/%Y:%H:%M:%S +0800")
            roll = rng.random()
            if roll < 0.003:
                out.write(f"garbage {n} \\x16\\x03\\x01\n")
                continue
            agent = rng.choice(ROBOTS) if roll < 0.2 else rng.choice(BROWSERS)
            if roll < 0.55:
                target, status = rng.choice(site) + ("?from=timeline" if roll < 0.25 else ""), rng.choice((200, 200, 304))
            elif roll < 0.95:
                target, status = rng.choice(ASSETS), 200
            else:
                target, status = f"/old/page{rng.randint(1, 300)}.htm", 404
            out.write(f'{rng.choice(addresses)} - - [{stamp}] "GET {target} HTTP/1.1" {status} {rng.randint(200, 90000)} '
                      f'"{rng.choice(REFERRERS)}" "{agent}"\n')


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def timed(fn):
    """Wall seconds and the result; the CPU seconds of all threads go to LAST_CPU (on a shared machine the
    wall time says how busy the others were, the CPU time what the import costs)."""
    global LAST_CPU
    began, began_cpu = time.perf_counter(), cpu()
    result = fn()
    LAST_CPU = cpu() - began_cpu
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-access-"))
    try:
        plain, packed = folder / "access.log", folder / "access.log.1.gz"
        seconds, _ = timed(lambda: write_log(plain, args.lines))
        with open(plain, "rb") as source, gzip.open(packed, "wb", compresslevel=6) as out:
            shutil.copyfileobj(source, out)
        print(f"日志:{args.lines} 行,{plain.stat().st_size / 1e6:.0f} MB(gzip {packed.stat().st_size / 1e6:.0f} MB),"
              f"生成用时 {seconds:.1f} s")
        for label, log in (("plain", plain), ("gzip", packed)):
            con = open_database(folder / f"{label}.duckdb")
            seconds, done = timed(lambda log=log, con=con: access.import_file(con, log))
            print(f"import {label}: {done['lines']} lines, {done['hits']} hits, {done['malformed']} malformed, "
                  f"{seconds:.2f} s, {done['lines'] / seconds:,.0f} lines/s (CPU {LAST_CPU:.1f} s over all threads; "
                  f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
            if label == "plain":
                again, redone = timed(lambda con=con: access.import_file(con, plain))
                print(f"import again (all read before): {redone['lines']} new lines, {again:.2f} s")
                spent, figures = timed(lambda con=con: access.report(con, *YEAR))
                print(f"report 2026: {figures['page_views']} page views, {figures['visitors']} visitors, {spent:.2f} s")
                spent, _ = timed(lambda con=con: {name: fn(con, *YEAR) for name, fn in (
                    ("per_day", access.per_day), ("entry_pages", access.entry_pages),
                    ("referrers", access.referrers), ("not_found", access.not_found), ("robots", access.robots),
                    ("top_columns", access.top_columns))})
                print(f"访问统计 page figures for the year: {spent:.2f} s")
            con.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
