"""链接可用性 (政府网站与政务新媒体检查指标: 链接不可用): every link of the built portal, checked.

Internal links (href/src of every page) are resolved against the site folder, without HTTP: the
file, a folder's index.html, and a #anchor against the ids of the target page (each target read
once). Outbound links in article bodies and attachment lists are fetched over HTTP (HEAD, then GET
when HEAD is refused or fails; time-outs, a limit per host, retries with backoff, redirects
followed). Results go to link_checks / link_runs (0019): the broken links, the outbound links and
the links that were broken before, each with the article responsible and so its division.

Imports from core.audit, db, freshness, notify, permissions, portal.urls, settings (and the standard library;
pandas for the bulk insert).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import multiprocessing
import os
import posixpath
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb

from core import audit, freshness, notify, settings
from core.db import rows, scalar, transaction
from core.errors import ValidationError
from core.permissions import require
from core.portal.urls import ARTICLE_PATH_PATTERN, COLUMN_PATH_PATTERN

log = logging.getLogger(__name__)
ARTICLE = "第二十五条"  # the office monitors the site against the national indicators
# one pass over a page: every href/src of any element (a regex: 20× faster than html.parser, measured on the demo)
_LINK = re.compile(rb"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ID = re.compile(rb"""\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)  # anchor targets
_PLAIN = re.compile(rb"[#?%&\\]|/\.|//")  # what a plain site path ('/col/gzdt/index.html') never holds
_SKIP = ("mailto:", "tel:", "javascript:", "data:", "sms:", "about:", "ftp:", "file:", "news:")
_ARTICLE_PAGE = re.compile(ARTICLE_PATH_PATTERN)
_FILE = re.compile(r"^/files/(\d+)/")
BODY_START, BODY_END = b'<div class="article-body">', b"</article>"  # core/templates/article.html
PARALLEL_MIN_PAGES = 2000  # below this, worker processes cost more than they save
BATCH = 500

MISSING = "目标页面不存在"
NO_ANCHOR = "页内锚点不存在"
MISSING_FILE = "附件不存在"
TIMEOUT = "连接超时"
UNREACHABLE = "无法连接"


@dataclass
class Link:
    page: str
    href: str
    external: bool
    status: int
    detail: str = ""

    @property
    def broken(self) -> bool:
        return self.status == 0 or self.status >= 400


@dataclass
class Result:
    pages: int = 0
    links: int = 0
    broken: list[Link] = field(default_factory=list)  # internal links not found
    external: list[Link] = field(default_factory=list)  # outbound links (status 0 until fetched)
    working: list[Link] = field(default_factory=list)  # watched links (broken before) that work now
    fetched: bool = False  # the outbound links were fetched this time
    seconds: float = 0.0

    def all_broken(self) -> list[Link]:
        return self.broken + [link for link in self.external if self.fetched and link.broken]


# ---------------------------------------------------------------- internal: the site tree

@dataclass
class _Site:
    root: str
    files: set[str]
    dirs: set[str]
    hosts: set[str]  # a link to these hosts is a link into the site
    watched: set[tuple[str, str]]
    prefixes: tuple[bytes, ...] = ()  # b'https://host' … : an absolute link into the site

    def __post_init__(self) -> None:
        self.prefixes = tuple(f"{scheme}{host}".encode() for host in self.hosts
                              for scheme in ("https://", "http://", "//"))


_SITE: dict[str, _Site] = {}  # the site of a parallel check, set before its worker processes fork


def _walk(root: str) -> tuple[list[str], set[str], set[str]]:
    pages, files, dirs = [], set(), {"/"}
    for folder, subdirs, names in os.walk(root):
        rel = "/" + os.path.relpath(folder, root).replace(os.sep, "/") if folder != root else ""
        for d in subdirs:
            dirs.add(f"{rel}/{d}")
        for name in names:
            path = f"{rel}/{name}"
            files.add(path)
            if name.endswith(".html"):
                pages.append(path)
    pages.sort()
    return pages, files, dirs


def _target(site: _Site, page: str, href: str) -> tuple[str | None, str, str | None]:
    """(the site path the href points at, its fragment, why it is not followed): path None and why
    'external' for an outbound link, why 'skip' for mailto: and the like."""
    href = href.strip()
    lowered = href[:12].lower()
    if not href or lowered.startswith(_SKIP):
        return None, "", "skip"
    rest, _, fragment = href.partition("#")
    if lowered.startswith(("http://", "https://", "//")):
        parts = urlsplit(rest)
        if (parts.hostname or "").lower() not in site.hosts:
            return None, fragment, "external" if parts.hostname else "skip"
        rest = parts.path or "/"
    elif ":" in rest.split("/", 1)[0]:
        return None, "", "skip"  # another scheme
    rest = rest.partition("?")[0]
    if not rest:
        return page, fragment, None
    raw = unquote(rest)
    joined = raw if raw.startswith("/") else posixpath.join(posixpath.dirname(page), raw)
    path = posixpath.normpath(joined)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if raw.endswith("/"):
        path = path.rstrip("/") + "/index.html"
    elif path in site.dirs:
        path += "/index.html"
    return path, fragment, None


def _ids(data: bytes) -> set[str]:
    found = set()
    for double, single in _ID.findall(data):
        text = (double or single).decode("utf-8", "replace")
        found.add(html.unescape(text) if "&" in text else text)
    return found


def _has_anchor(data: bytes, fragment: str, ids: list) -> bool:
    """The page holds id/name `fragment`: looked for as written first, the page's ids (parsed once) after."""
    if not fragment or fragment == "top":
        return True
    wanted = fragment.encode()
    if b'id="' + wanted + b'"' in data or b'name="' + wanted + b'"' in data:
        return True
    if not ids:
        ids.append(_ids(data))
    return _anchor_ok(fragment, ids[0])


def _anchor_ok(fragment: str, ids: set[str]) -> bool:
    return not fragment or fragment == "top" or fragment in ids or unquote(fragment) in ids


_SKIPPED = ("skip",)


def _plain(site: _Site, raw: bytes) -> str | None:
    """The site path of a plain absolute link ('/a/b.html', 'https://<site>/a/'), without the general
    resolution: most links of a page are such, and many are on that page only (上一篇, canonical)."""
    if raw[:1] != b"/" or raw[1:2] == b"/":
        for prefix in site.prefixes:
            if raw.startswith(prefix) and raw[len(prefix):len(prefix) + 1] in (b"/", b""):
                raw = raw[len(prefix):] or b"/"
                break
        else:
            return None
    if _PLAIN.search(raw):
        return None
    try:
        path = raw.decode()
    except UnicodeDecodeError:
        return None
    if path.endswith("/"):
        return path + "index.html"
    return path + "/index.html" if path in site.dirs else path


def _verdict(site: _Site, page: str, raw: bytes) -> tuple:
    """What an href means, whatever page of its scope holds it: skip, found, ('outbound', href),
    ('broken', href, detail) or ('anchor', href, target page, fragment)."""
    href = raw.decode("utf-8", "replace")
    path, fragment = _plain(site, raw), ""
    if path is None:
        if "&" in href:
            href = html.unescape(href)
        path, fragment, why = _target(site, page, href)
        if why == "skip":
            return _SKIPPED
        if why == "external":
            return ("outbound", href)
    if path not in site.files:
        return ("broken", href, MISSING_FILE if path.startswith("/files/") else MISSING)
    if fragment and path.endswith(".html"):
        return ("anchor", href, path, fragment)
    return ("found", href)


def _check_pages(pages: list[str], site: _Site | None = None) -> tuple[int, list, list, list, list]:
    """Check a batch of pages: (links, broken, outbound, anchors to check in other pages, watched that work);
    a forked worker finds the site in _SITE."""
    site = site or _SITE["site"]
    watching = bool(site.watched)
    cache: dict[tuple[bytes, str], tuple] = {}
    links, broken, outbound, anchors, working = 0, [], [], [], []
    for page in pages:
        try:
            with open(site.root + page, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        folder = posixpath.dirname(page)
        start = data.find(BODY_START)
        end = data.rfind(BODY_END) if start >= 0 else -1
        regions = ((data[:start], False), (data[start:end], True), (data[end:], False)) if end > start >= 0 \
            else ((data, False),)
        ids: list = []  # the page's ids, parsed when an anchor is not found as written
        for region, in_body in regions:
            found = _LINK.findall(region)  # findall: no match objects
            links += len(found)
            for double, single in found:
                value = double or single
                # an href means the same on every page of a folder (on every page, when it starts with /)
                scope = "" if value[:1] == b"/" else page if value[:1] in (b"#", b"?", b"") else folder
                verdict = cache.get((value, scope))
                if verdict is None:
                    verdict = cache[(value, scope)] = _verdict(site, page, value)
                kind = verdict[0]
                if kind == "found":
                    if watching and (page, verdict[1]) in site.watched:
                        working.append((page, verdict[1]))
                elif kind == "broken":
                    broken.append((page, verdict[1], verdict[2]))
                elif kind == "outbound":
                    if in_body:
                        outbound.append((page, verdict[1]))
                elif kind == "anchor":
                    _, href, target, fragment = verdict
                    if target != page:
                        anchors.append((page, href, target, fragment))
                    elif not _has_anchor(data, fragment, ids):
                        broken.append((page, href, NO_ANCHOR))
                    elif watching and (page, href) in site.watched:
                        working.append((page, href))
    return links, broken, outbound, anchors, working


def _pool(pages: int, workers: int | None) -> ProcessPoolExecutor | None:
    """Forked workers (the site tree shared with them) on the command line; none in the workbench,
    whose other threads a fork could catch holding a lock (as core/portal/pool.py)."""
    if pages < PARALLEL_MIN_PAGES or workers == 1 or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(workers or os.cpu_count() or 1, mp_context=multiprocessing.get_context("fork"))


def check_internal(site_dir: str | Path, site_url: str = "", watched: Iterable[tuple[str, str]] = (),
                   workers: int | None = None) -> Result:
    """Every link of every page under `site_dir`, resolved in the tree (no HTTP)."""
    began = time.perf_counter()
    root = str(Path(site_dir).resolve())
    pages, files, dirs = _walk(root)
    host = (urlsplit(site_url).hostname or "").lower()
    site = _Site(root, files, dirs, {host} if host else set(), set(watched))
    result = Result(pages=len(pages))
    batches = [pages[i:i + BATCH] for i in range(0, len(pages), BATCH)]
    pool = _pool(len(pages), workers)
    if pool:
        _SITE["site"] = site  # only without other threads (_pool): a check in this process never meets another's
    try:
        parts = pool.map(_check_pages, batches) if pool else (_check_pages(batch, site) for batch in batches)
        anchors = []
        for links, broken, outbound, later, working in parts:
            result.links += links
            result.broken += [Link(page, href, False, 404, detail) for page, href, detail in broken]
            result.external += [Link(page, href, True, 0) for page, href in outbound]
            result.working += [Link(page, href, False, 200) for page, href in working]
            anchors += later
    finally:
        if pool:
            pool.shutdown()
        _SITE.clear()  # the tree of a large site is not kept in the workbench's memory
    _check_anchors(site, anchors, result)
    result.broken, result.external = _unique(result.broken), _unique(result.external)  # a link written twice
    result.seconds = time.perf_counter() - began
    return result


def _unique(links: list[Link]) -> list[Link]:
    return list({(link.page, link.href): link for link in links}.values())


def _check_anchors(site: _Site, anchors: list, result: Result) -> None:
    """Anchors into other pages: each target page read once, whatever links to it."""
    by_target: dict[str, list] = defaultdict(list)
    for page, href, target, fragment in anchors:
        by_target[target].append((page, href, fragment))
    for target, wanted in by_target.items():
        try:
            ids = _ids(Path(site.root + target).read_bytes())
        except OSError:  # removed since the walk (a build running beside the check)
            ids = set()
        for page, href, fragment in wanted:
            if not _anchor_ok(fragment, ids):
                result.broken.append(Link(page, href, False, 404, NO_ANCHOR))
            elif (page, href) in site.watched:
                result.working.append(Link(page, href, False, 200))


# ---------------------------------------------------------------- external: over HTTP

@dataclass(frozen=True)
class Fetching:
    timeout: float = 10.0
    per_host: int = 2
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry, doubled after each
    threads: int = 16


class _NoAnswer(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def http_detail(status: int) -> str:
    if status == 404:
        return f"{MISSING} 404"
    if status == 410:
        return "目标页面已删除 410"
    if status in (401, 403):
        return f"禁止访问 {status}"
    if status >= 500:
        return f"服务器错误 {status}"
    if status >= 400:
        return f"请求被拒绝 {status}"
    return ""


def _request(url: str, method: str, timeout: float) -> int:
    request = urllib.request.Request(url, method=method, headers={
        "User-Agent": "Mozilla/5.0 (compatible; sxit-portal-linkcheck)", "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # redirects are followed
            if method == "GET":
                answer.read(1024)
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except TimeoutError as exc:
        raise _NoAnswer(TIMEOUT) from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise _NoAnswer(TIMEOUT) from exc
        if isinstance(reason, ssl.SSLError):
            raise _NoAnswer("安全连接失败(证书错误)") from exc
        if isinstance(reason, socket.gaierror):
            raise _NoAnswer("域名无法解析") from exc
        raise _NoAnswer(UNREACHABLE) from exc
    except (ConnectionError, OSError, ValueError) as exc:
        raise _NoAnswer(UNREACHABLE) from exc


def _once(url: str, timeout: float) -> tuple[int, str]:
    """HEAD, then GET when HEAD is refused (405/501, and any other failure of HEAD)."""
    try:
        status = _request(url, "HEAD", timeout)
        if status < 400:
            return status, ""
    except _NoAnswer as exc:
        if exc.detail == TIMEOUT:
            return 0, TIMEOUT  # a GET would wait as long again
    try:
        status = _request(url, "GET", timeout)
    except _NoAnswer as exc:
        return 0, exc.detail
    return status, http_detail(status)


def fetch(url: str, fetching: Fetching = Fetching()) -> tuple[int, str]:
    """(status, Chinese detail) of an outbound URL after retries: 0 when nothing answered."""
    status, detail = 0, UNREACHABLE
    wait = fetching.backoff
    for attempt in range(fetching.retries + 1):
        if attempt:
            time.sleep(wait)
            wait *= 2
        status, detail = _once(url, fetching.timeout)
        if status and status < 500 and status != 429:
            break  # an answer; only no answer, 429 and 5xx are worth another try
    return status, detail


def fetch_all(urls: Iterable[str], fetching: Fetching = Fetching()) -> dict[str, tuple[int, str]]:
    """Each URL fetched once, at most `per_host` at a time to one host."""
    urls = sorted(set(urls))
    limits: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(fetching.per_host))
    for url in urls:
        limits[(urlsplit(url).hostname or "").lower()]  # created before the threads start

    def one(url: str) -> tuple[int, str]:
        with limits[(urlsplit(url).hostname or "").lower()]:
            return fetch(url, fetching)

    if not urls:
        return {}
    with ThreadPoolExecutor(max(1, min(fetching.threads, len(urls)))) as pool:
        return dict(zip(urls, pool.map(one, urls), strict=True))


def absolute(href: str) -> str:
    href = href.strip().partition("#")[0]
    return "https:" + href if href.startswith("//") else href


def check_external(result: Result, fetching: Fetching = Fetching()) -> None:
    answers = fetch_all((absolute(link.href) for link in result.external), fetching)
    for link in result.external:
        link.status, link.detail = answers[absolute(link.href)]
    result.fetched = True


def fetching_of(con: duckdb.DuckDBPyConnection) -> Fetching:
    return Fetching(timeout=float(settings.get(con, "link_timeout_seconds")),
                    per_host=int(settings.get(con, "link_host_concurrency")),
                    retries=int(settings.get(con, "link_retries")))


# ---------------------------------------------------------------- the whole check, stored

def watched(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {(r["page"], r["href"]) for r in rows(con, "SELECT page, href FROM link_checks WHERE NOT external")}


def run(con: duckdb.DuckDBPyConnection, site_dir: str | Path, *, external: bool = False,
        started_by: str = "cli", fetching: Fetching | None = None, workers: int | None = None,
        now: dt.datetime | None = None) -> Result:
    """Check the built site (and its outbound links), store the results, return them."""
    started = now or dt.datetime.now()
    site_url = str(settings.get(con, "site_url"))
    result = check_internal(site_dir, site_url, watched(con), workers)
    if external:
        check_external(result, fetching or fetching_of(con))
    store(con, result, started_by, started)
    return result


def _article_ids(con: duckdb.DuckDBPyConnection, links: list[Link]) -> list[int | None]:
    """The article responsible for each link: the article whose page holds it; on another page (a
    listing), the article of the attachment it points to."""
    attachments = {r["id"]: r["article_id"] for r in rows(con, "SELECT id, article_id FROM attachments")}
    found = []
    for link in links:
        on_article = _ARTICLE_PAGE.match(link.page)
        if on_article:
            found.append(int(on_article.group(1)))
            continue
        target = _FILE.match(urlsplit(link.href).path)
        found.append(attachments.get(int(target.group(1))) if target else None)
    return found


def store(con: duckdb.DuckDBPyConnection, result: Result, started_by: str, started: dt.datetime) -> int:
    """Replace link_checks with this check's rows, keeping when each link first broke; a link no longer
    on any page disappears; outbound links not fetched this time keep their last result."""
    now = started
    old = {(r["page"], r["href"]): r for r in rows(
        con, "SELECT page, href, external, status, detail, broken, checked_at, first_broken_at FROM link_checks")}
    links = result.broken + result.working + result.external
    ids = _article_ids(con, links)
    records = []
    for link, article_id in zip(links, ids, strict=True):
        before = old.get((link.page, link.href))
        if link.external and not result.fetched:
            if before is None:
                continue  # not fetched yet: no result to keep
            records.append((link.page, link.href, True, before["status"], before["detail"], before["broken"],
                            article_id, before["checked_at"], before["first_broken_at"]))
            continue
        first = None
        if link.broken:
            first = before["first_broken_at"] if before and before["broken"] and before["first_broken_at"] else now
        records.append((link.page, link.href, link.external, link.status, link.detail, link.broken, article_id,
                        now, first))
    import pandas as pd  # deferred: 0.3 s, only a link check's bulk insert needs it; every `python -m core` imports us
    frame = pd.DataFrame(records, columns=["page", "href", "external", "status", "detail", "broken", "article_id",
                                           "checked_at", "first_broken_at"]).drop_duplicates(["page", "href"])
    frame = frame.astype({"article_id": "Int64", "status": "int64"})
    broken = len(result.all_broken())
    with transaction(con):
        con.execute("DELETE FROM link_checks")
        con.register("_link_rows", frame)
        try:
            con.execute("INSERT INTO link_checks SELECT page, href, external, status, detail, broken, "
                        "article_id::INTEGER, checked_at::TIMESTAMP, first_broken_at::TIMESTAMP FROM _link_rows")
        finally:
            con.unregister("_link_rows")
        run_id = con.execute(
            "INSERT INTO link_runs (started_at, finished_at, external, pages, links, broken, started_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [started, dt.datetime.now(), result.fetched, result.pages, result.links, broken, started_by]).fetchone()[0]
        audit.record(con, None if started_by in ("cli", "scheduler") else started_by, "links.check", f"link_run:{run_id}",
                     f"检查 {result.pages} 个页面、{result.links} 个链接,不可用 {broken} 个")
    return run_id


# ---------------------------------------------------------------- reading the results

_BROKEN_SQL = """
    SELECT l.page, l.href, l.external, l.status, l.detail, l.checked_at, l.first_broken_at, l.article_id,
           a.title, a.state,
           coalesce(a.lead_division_id, pc.division_id) AS division_id,
           coalesce(d.name, pd.name, '办公室(公共页面)') AS division,
           coalesce(c.name, pc.name, '公共页面') AS column_name,
           coalesce(a.column_id, pc.id) AS column_id
    FROM link_checks l
    LEFT JOIN articles a ON a.id = l.article_id
    LEFT JOIN columns c ON c.id = a.column_id
    LEFT JOIN divisions d ON d.id = a.lead_division_id
    LEFT JOIN columns pc ON l.article_id IS NULL AND pc.slug = regexp_extract(l.page, ?, 1)
    LEFT JOIN divisions pd ON pd.id = pc.division_id
    WHERE l.broken"""


def broken_links(con: duckdb.DuckDBPyConnection, division_id: int | None = None) -> list[dict]:
    """The broken links with the article, division and column responsible (a listing's own links: its
    column's division; the portal's shared pages: the office)."""
    where, params = ("", []) if division_id is None else ("WHERE division_id = ?", [division_id])
    return rows(con, f"SELECT * FROM ({_BROKEN_SQL}) {where} ORDER BY division, column_name, page, href",
                [COLUMN_PATH_PATTERN, *params])


def last_run(con: duckdb.DuckDBPyConnection, external: bool | None = None) -> dict | None:
    where = "" if external is None else "WHERE external = ?"
    found = rows(con, f"SELECT * FROM link_runs {where} ORDER BY started_at DESC, id DESC LIMIT 1",
                 [] if external is None else [external])
    return found[0] if found else None


def stored_statuses(con: duckdb.DuckDBPyConnection, urls: list[str], fresh_days: int) -> dict[str, dict]:
    """The last result for each outbound URL younger than `fresh_days`, by URL (one query for them all)."""
    return {r["href"]: r for r in rows(
        con, "SELECT href, status, detail, broken, checked_at FROM link_checks "
             "WHERE external AND list_contains(?, href) AND checked_at >= ? "
             "QUALIFY row_number() OVER (PARTITION BY href ORDER BY checked_at DESC) = 1",
        [urls, dt.datetime.now() - dt.timedelta(days=fresh_days)])}


def check_now(con: duckdb.DuckDBPyConnection, user, site_dir: str | Path, external: bool = False) -> Result:
    """立即检查 from the workbench (the office or the technical-support unit)."""
    require(user, "links.check")
    if not (Path(site_dir) / "index.html").is_file():
        raise ValidationError("网站目录", "门户网站尚未生成,请先生成网站再检查链接", ARTICLE)
    return run(con, site_dir, external=external, started_by=user.username)


def view_broken(con: duckdb.DuckDBPyConnection, user, division_id: int | None = None) -> list[dict]:
    """The broken links `user` may see: every division's (None) or one division's."""
    require(user, "links.view", division_id)
    return broken_links(con, division_id)


# ---------------------------------------------------------------- the approval warning

_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def outbound_links(body_html: str, site_url: str = "") -> list[str]:
    host = (urlsplit(site_url).hostname or "").lower()
    found = []
    for m in _HREF.finditer(body_html or ""):
        href = html.unescape(m.group(1) if m.group(1) is not None else m.group(2)).strip()
        parts = urlsplit(absolute(href))
        if parts.scheme in ("http", "https") and parts.hostname and parts.hostname.lower() != host:
            found.append(href)
    return list(dict.fromkeys(found))


def dead_outbound(con: duckdb.DuckDBPyConnection, body_html: str, timeout: float = 3.0) -> list[dict]:
    """The outbound links of a body that do not answer: the stored result when fresh (the weekly check),
    else one quick request each (no retries). A warning for the approver, never a block."""
    hrefs = outbound_links(body_html, str(settings.get(con, "site_url")))
    if not hrefs:
        return []
    stored = stored_statuses(con, hrefs, int(settings.get(con, "link_check_interval_days")))
    dead, unknown = [], []
    for href in hrefs:
        known = stored.get(href)
        if known is None:
            unknown.append(href)
        elif known["broken"]:
            dead.append({"href": href, "status": known["status"], "detail": known["detail"]})
    quick = Fetching(timeout=timeout, retries=0, per_host=2, threads=8)
    for href, (status, detail) in fetch_all([absolute(h) for h in unknown], quick).items():
        if status == 0 or status >= 400:
            dead.append({"href": href, "status": status, "detail": detail})
    return dead


# ---------------------------------------------------------------- weekly, with mail to the divisions

RETRY_AFTER = dt.timedelta(hours=1)  # after a failed weekly check, not at every tick (30 s) until it works
FAILED_AT = "link_check_failed_at"  # site_state: when the scheduler's last attempt failed


def due(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> bool:
    failed = scalar(con, "SELECT value FROM site_state WHERE name = ?", [FAILED_AT])
    if failed and now - dt.datetime.fromisoformat(failed) < RETRY_AFTER:
        return False
    last = scalar(con, "SELECT max(started_at) FROM link_runs WHERE external AND started_by = 'scheduler'")
    days = int(settings.get(con, "link_check_interval_days"))
    return last is None or now - last >= dt.timedelta(days=days)


def run_due(con: duckdb.DuckDBPyConnection, site_dir: str | Path | None, now: dt.datetime | None = None) -> dict | None:
    """The weekly re-check (setting link_check_interval_days), outbound links included, then each division's
    broken links by mail to its officers and head. None when not due (or no site yet)."""
    now = now or dt.datetime.now()
    if site_dir is None or not Path(site_dir).is_dir() or not due(con, now):
        return None
    try:
        result = run(con, site_dir, external=True, started_by="scheduler", now=now)
        return {"pages": result.pages, "broken": len(result.all_broken()), "mails": mail_divisions(con, now)}
    except Exception:  # the tick's other work (the mail queue) goes on; the server log has the error
        log.exception("the weekly link check failed")
        con.execute("INSERT OR REPLACE INTO site_state (name, value) VALUES (?, ?)", [FAILED_AT, now.isoformat()])
        return {"error": True}


def mail_divisions(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> int:
    """One mail per division and person listing the division's broken links (once per check day)."""
    now = now or dt.datetime.now()
    url = str(settings.get(con, "workbench_url")).rstrip("/")
    by_division: dict[int, list[dict]] = defaultdict(list)
    for link in broken_links(con):
        if link["division_id"] is not None:
            by_division[link["division_id"]].append(link)
    mails = 0
    for division_id, links in by_division.items():
        lines = [f"· {link['title'] or link['column_name']}:{link['href']}({link['detail'] or '不可用'},页面 "
                 f"{link['page']})" for link in links[:50]]
        more = f"\n……另有 {len(links) - 50} 个" if len(links) > 50 else ""
        body = (f"本周链接检查发现您处室负责的信息中有 {len(links)} 个链接不可用(全国政府网站检查指标“链接不可用”扣分,"
                f"{ARTICLE}):\n" + "\n".join(lines) + more + f"\n请在工作台「链接检查」中查看并修改:{url}/link_check")
        for user_id in freshness.recipients(con, division_id):  # its officers and head, as the stale-column reminder
            if notify.enqueue(con, user_id, "links.broken", f"【链接检查】{len(links)} 个链接不可用", body,
                              dedup_key=f"links:{division_id}:{now.date()}:u{user_id}"):
                mails += 1
    return mails
