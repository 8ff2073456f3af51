"""Search quality in the browser: does the portal's search find what a reader types?

    .venv/bin/python bench/search_quality.py --articles 10000 [--queries 60] [--keep DIR]

Builds a site the way the portal does: the real portal build (an empty database: /search.html,
its script and style, the home page) plus N article pages shaped like core/templates/article.html
(bench/search.py writes them: header, ``<article data-pagefind-body>``, title/date meta, 栏目
filter), with realistic government titles — series that differ by one word (第一批/第二批, years,
topics), document numbers (陕工信发〔2026〕12号), places × industries — and bodies that quote
document numbers and phrases. Indexes them with core.search (whatever this checkout does), serves
the folder on 127.0.0.1, and queries it in headless Chromium through the real /search.html,
reading the result list as a reader sees it. Prints:

* exact titles: a title pasted into the search box — found in the first 10, ranked first (%);
* phrases (titles' and bodies' phrases, two-character words, places, industries, document
  numbers): recall in the first 10 (found / min(10, articles that contain the phrase));
* query time (submit until the results are drawn): first query, median and worst of the others;
* bytes fetched by the first query (the index files, via the Resource Timing API; the article
  pages the excerpts are taken from are not counted).

Figures only; no assertion. The machine may be shared: CPU seconds are printed beside wall time.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")

import search as page_gen  # noqa: E402  bench/search.py: the article page shape and the body writer

from core import portal, search  # noqa: E402
from core.db import connect  # noqa: E402
from core.setup import init_database  # noqa: E402
from tests.browser import chromium, static_server  # noqa: E402

PLACES = page_gen.PLACES
INDUSTRIES = page_gen.INDUSTRIES
SUFFIXES = page_gen.SUFFIXES
TOPICS = ("新型工业化", "数字经济", "制造业数字化转型", "中小企业发展环境", "工业稳增长", "产业链供应链安全",
          "工业领域节能降碳", "专精特新中小企业培育")
ORDINALS = "一二三四五六七八九十"
ISSUERS = ("陕工信发", "陕工信函", "陕工信办发", "陕工信字")
VERBS = ("召开", "举行", "启动", "取得新进展", "工作推进情况", "名单公示")
# phrases a reader types that are not taken from one title: two-character words, places, industries
WORDS = ("氢能", "光伏", "北斗", "宝鸡", "榆林", "汉中", "集成电路", "钛材料", "新能源汽车", "专精特新",
         "工业经济运行情况", "营商环境", "新型工业化专题调研", "数字化转型", "名单的通知")


class Corpus:
    """Titles and bodies from a seeded RNG: the same N gives the same site."""

    def __init__(self, seed: int = 11, top: int = 300) -> None:
        self.top = top  # 文号 run 1..top a year per issuer: more than the corpus needs, or doc_number never ends
        self.rng = random.Random(seed)
        self.writer = page_gen.Writer(seed)
        self.numbers: set[str] = set()

    def doc_number(self, year: int) -> str:
        while True:
            number = f"{self.rng.choice(ISSUERS)}〔{year}〕{self.rng.randint(1, self.top)}号"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def title(self, when: datetime) -> tuple[str, str | None]:
        """(title, document number quoted in the body or None)."""
        r, year = self.rng.random(), when.year
        place, industry, suffix = (self.rng.choice(PLACES), self.rng.choice(INDUSTRIES), self.rng.choice(SUFFIXES))
        if r < 0.12:
            return f"关于开展{year}年{self.rng.choice(TOPICS)}专题调研的通知", self.doc_number(year)
        if r < 0.24:
            nth = self.rng.choice(ORDINALS)
            return f"关于公布{year}年第{nth}批{place}{industry}{suffix}名单的通知", self.doc_number(year)
        if r < 0.36:
            return f"{year}年{when.month}月全省工业经济运行情况", None
        if r < 0.48:
            return (f"关于印发《{place}{industry}产业高质量发展行动方案（{year}—{year + 2}年）》的通知",
                    self.doc_number(year))
        if r < 0.58:
            number = self.doc_number(year)
            return f"陕西省工业和信息化厅关于{place}{industry}{suffix}建设的批复（{number}）", number
        if r < 0.70:
            return f"{place}召开{industry}企业座谈会", None
        return f"{place}{industry}{suffix}{self.rng.choice(VERBS)}", None

    def body(self, title: str, number: str | None) -> str:
        paragraphs = []
        if number:
            paragraphs.append(f"<p>各设区市工业和信息化主管部门：现将有关事项通知如下（{number}）。</p>")
        if self.rng.random() < 0.1:
            paragraphs.append(f"<p>为深入推进{self.rng.choice(TOPICS)}专题调研，{self.rng.choice(PLACES)}"
                              f"组织开展实地走访。</p>")
        paragraphs.append(self.writer.body(1400))
        return "\n".join(paragraphs)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def generate(site: Path, count: int, years: int = 10, seed: int = 11, write: bool = True) -> list[dict]:
    """Article pages under site/art/, spread over ``years`` years; returns their url/title/text
    (``write=False``: only that, for --reuse)."""
    # 58 % of titles carry a 文号, 4 issuers: 300 a year is enough up to ~20,000 articles over 10 years
    corpus = Corpus(seed, top=300 if count <= 20_000 else count // 20)
    end = date.today()
    start = datetime(end.year - years + 1, 1, 1, 9, 0)
    span = (datetime(end.year, end.month, end.day, 18, 0) - start).total_seconds()
    articles = []
    for n in range(count):
        article_id = n + 1
        when = start + timedelta(seconds=span * n / max(count - 1, 1))
        title, number = corpus.title(when)
        body = corpus.body(title, number)
        if write:
            path = page_gen.article_path(site, article_id, when)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page_gen.article_html(article_id, when, title, body, page_gen.COLUMNS[n % 12], None, None),
                            encoding="utf-8")
        articles.append({"url": f"/art/{when.year:04d}/{when.month:02d}/{article_id}.html", "title": title,
                         "text": title + plain(body), "number": number})
    return articles


def pick_queries(articles: list[dict], count: int, seed: int = 5) -> tuple[list[dict], list[str]]:
    rng = random.Random(seed)
    exact = rng.sample(articles, min(count, len(articles)))
    numbers = [a["number"] for a in articles if a["number"]]
    phrases = list(WORDS) + rng.sample(numbers, min(5, len(numbers)))
    # a phrase from the middle of a title (4-8 characters), as a reader remembers it
    for article in rng.sample(articles, 10):
        title = article["title"]
        size = rng.randint(4, min(8, len(title)))
        at = rng.randint(0, len(title) - size)
        end = at + size
        while at > 0 and title[at].isdigit() and title[at - 1].isdigit():  # a reader types whole numbers
            at -= 1
        while end < len(title) and title[end - 1].isdigit() and title[end].isdigit():
            end += 1
        phrases.append(title[at:end])
    return exact, phrases


# --------------------------------------------------------------------------- browser

DONE = """(words) => { const s = document.getElementById('search-status').textContent;
   const busy = document.getElementById('search-results').getAttribute('aria-busy') === 'true';
   return s && !s.startsWith('正在') && !busy; }"""
ERRORS: list[str] = []  # queries the page answered with an error (搜索暂时不可用, 加载失败…)
FETCHED: list[int] = []  # response bodies of /search-index/ (the index files the page fetched), in order
TIMED: list[tuple[float, int, int, str, float]] = []  # each later query: seconds, index bytes, files, words, CPU s


def _browser_cpu() -> float:
    """CPU seconds used so far by this process's descendants still running (Chromium's processes,
    Playwright's driver, the static server), from /proc: a query's cost that the machine's other
    load does not inflate the way it does wall time (10 ms ticks)."""
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
    mine, total, grew = {os.getpid()}, 0, True
    while grew:
        grew = False
        for pid, (ppid, ticks) in stats.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                total += ticks
                grew = True
    return total / os.sysconf("SC_CLK_TCK")
RESULTS = """() => [...document.querySelectorAll('#search-list li h3 a')].map(a => [a.textContent, a.getAttribute('href')])"""
BYTES = """() => performance.getEntriesByType('resource').filter(e => e.name.includes('/search-index/'))
   .reduce((n, e) => n + (e.transferSize || e.encodedBodySize || 0), 0)"""


def shown(words: str) -> str:
    """How the status line quotes the query (search.js trims it, at most 100 characters)."""
    return words.strip()[:100]


def query(page, words: str) -> tuple[float, list[tuple[str, str]]]:
    page.evaluate("() => { document.getElementById('search-status').textContent = ''; }")
    before = len(FETCHED)
    cpu = _browser_cpu()
    started = time.perf_counter()
    page.locator("#search-q").fill(words)
    page.locator("#search-q").press("Enter")
    page.wait_for_function(DONE, arg=shown(words), timeout=300000)
    seconds = time.perf_counter() - started
    TIMED.append((seconds, sum(FETCHED[before:]), len(FETCHED) - before, words, _browser_cpu() - cpu))
    status = page.locator("#search-status").text_content()
    if shown(words) not in status:
        ERRORS.append(f"{words}: {status}")
    return seconds, page.evaluate(RESULTS)


def measure(base: str, articles: list[dict], exact: list[dict], phrases: list[str]) -> dict:
    texts = [(a["url"], a["text"]) for a in articles]
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        fetched = FETCHED
        page.on("requestfinished", lambda r: fetched.append(r.sizes()["responseBodySize"])
                if "/search-index/" in r.url else None)
        first_words = exact[0]["title"]
        started = time.perf_counter()
        page.goto(f"{base}/search.html?q={urllib.parse.quote(first_words)}")
        page.wait_for_function(DONE, arg=shown(first_words), timeout=180000)
        first_seconds = time.perf_counter() - started
        first_bytes = max(page.evaluate(BYTES), sum(fetched))
        first_results = page.evaluate(RESULTS)
        times: list[float] = []
        found = first = 0
        misses = []
        for n, article in enumerate(exact):
            if n == 0:
                results = first_results
            else:
                seconds, results = query(page, article["title"])
                times.append(seconds)
            urls = [u for _, u in results]
            if article["url"] in urls:
                found += 1
            if results and (results[0][1] == article["url"] or results[0][0] == article["title"]):
                first += 1
            elif len(misses) < 5:
                misses.append((article["title"], results[0][0] if results else "(无结果)"))
        recalls = []
        weak = []
        for words in phrases:
            seconds, results = query(page, words)
            times.append(seconds)
            truth = {u for u, text in texts if words in text}
            if not truth:
                continue
            hit = len({u for _, u in results[:10]} & truth)
            recall = hit / min(10, len(truth))
            recalls.append(recall)
            if recall < 0.9:
                weak.append((words, len(truth), round(recall, 2)))
        context.close()
    return {"first_seconds": first_seconds, "first_bytes": first_bytes, "times": times,
            "exact": len(exact), "found": found, "first": first, "misses": misses,
            "recall": statistics.mean(recalls) if recalls else 0.0, "phrases": len(recalls), "weak": weak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=60, help="exact titles to paste")
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep the site")
    parser.add_argument("--reuse", action="store_true", help="with --keep: query the site built there before")
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest later queries")
    parser.add_argument("--scripts", type=Path, default=None,
                        help="with --reuse: the search*.js of this folder (another checkout's: before and after)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="sxit-search-quality-", dir="/tmp"))
    site = work / "site"
    try:
        if args.reuse and (site / search.BUNDLE_DIR / search.MANIFEST).is_file():
            for script in (args.scripts or ROOT / "core" / "templates" / "static").glob("search*.js"):
                shutil.copy(script, site / "static" / script.name)  # this checkout's, or --scripts
            articles = generate(site, args.articles, write=False)
            query_only(site, articles, args)
            return
        con = connect(work / "bench.duckdb")
        init_database(con)
        portal.build_site(con, site, full=True)  # /search.html, its script and style, as the portal has them
        con.close()
        t0 = time.perf_counter()
        articles = generate(site, args.articles)
        print(f"generated {len(articles)} article pages in {time.perf_counter() - t0:.1f} s ({site})")
        cpu0, t0 = time.process_time() + _children_cpu(), time.perf_counter()
        indexed = search.index_all(site)
        print(f"index: {time.perf_counter() - t0:.1f} s wall, {time.process_time() + _children_cpu() - cpu0:.1f} s CPU "
              f"(this process and its children), {indexed['pages']} pages, "
              f"peak {indexed['peak_rss_mb']:.0f} MB (largest process)")
        query_only(site, articles, args)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def query_only(site: Path, articles: list[dict], args: argparse.Namespace) -> None:
    exact, phrases = pick_queries(articles, args.queries)
    with static_server(site) as base:
        cpu0 = time.process_time() + _children_cpu()
        figures = measure(base, articles, exact, phrases)
    times = figures["times"]
    print(f"exact titles: {figures['found']}/{figures['exact']} found in the first 10 "
          f"({100 * figures['found'] / figures['exact']:.0f} %), {figures['first']}/{figures['exact']} ranked first "
          f"({100 * figures['first'] / figures['exact']:.0f} %)")
    for title, got in figures["misses"]:
        print(f"   not first: {title}  →  {got}")
    print(f"phrase recall in the first 10: {figures['recall']:.2f} over {figures['phrases']} phrases")
    for words, truth, recall in figures["weak"]:
        print(f"   weak: {words} ({truth} articles contain it): {recall}")
    print(f"first query: {figures['first_seconds']:.2f} s, {figures['first_bytes'] / 1e6:.2f} MB fetched; "
          f"later queries: median {statistics.median(times):.2f} s, worst {max(times):.2f} s "
          f"({len(times)} queries; Python-side wall time incl. Playwright round trips)")
    cpus = [t[4] for t in TIMED]
    print(f"later queries' CPU (Chromium and the static server, 10 ms ticks): median {statistics.median(cpus):.2f} s, "
          f"worst {max(cpus):.2f} s")
    for seconds, size, count, words, cpu in sorted(TIMED, reverse=True)[:args.slowest]:
        print(f"   slow: {seconds:.3f} s ({cpu:.2f} s CPU), {size / 1e6:.2f} MB in {count} index files: {words}")
    for seconds, size, count, words, cpu in sorted(TIMED, key=lambda t: -t[4])[:args.slowest]:
        print(f"   most CPU: {cpu:.2f} s ({seconds:.3f} s), {size / 1e6:.2f} MB in {count} index files: {words}")
    for error in ERRORS:
        print(f"   error: {error}")
    print(f"(machine shared with other benchmarks; this process's CPU during the queries: "
          f"{time.process_time() + _children_cpu() - cpu0:.1f} s)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
