"""The public portal (www.sxit.gov.cn) as static files, built from the database.

Pelican-style stages, each replaceable on its own:

1. ``load_site`` reads what the public may see in a handful of set-based queries
   (columns, the live revision of every public article, withdrawn items, attachment
   metadata) inside one read transaction, so the build sees one snapshot.
2. Pure functions turn that data into ``Page`` objects (URL path, template, context):
   ``home_page``, ``column_pages``, ``article_page``, ``withdrawn_pages``,
   ``not_found_page``. They do no I/O; ``build_site`` streams article bodies and
   attachment blobs to them in batches (a query per batch, never one per article).
3. One Jinja2 ``Environment`` (autoescape on; ``body_html`` is marked safe only in
   article.html, because it is sanitised upstream) renders every page.
4. One ``Writer`` owns the output folder: every file is written to a temporary file and
   moved into place with ``os.replace``; the same output path may not be written twice in
   one build; a file whose bytes are already on disk is left untouched; writes are
   counted; after a full build, files it did not write are pruned from the folders the
   portal owns (so a taken-down item's attachments disappear).

Visibility (第十二、二十三条): an article is on the portal when ``articles.public`` is true
and ``live_revision`` is set; what is shown is that revision. An article that was
published (``live_revision`` set) but is no longer public gets a withdrawal notice at the
same URL; a never-published article gets nothing. Retired columns (第八条) are not in the
navigation but their pages and articles keep their URLs.

URL scheme: ``/index.html``, ``/col/<slug>/index.html``, ``/col/<slug>/index_<n>.html``,
``/art/<yyyy>/<mm>/<id>.html``, ``/files/<attachment id>/<filename>``, ``/static/…``,
``/404.html``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.db import rows, transaction

TEMPLATES = Path(__file__).resolve().parent / "templates"
_BUILD_LOCK = threading.Lock()
STATIC = TEMPLATES / "static"
DEFAULT_SITE_NAME = "陕西省工业和信息化厅"
DEFAULT_SITE_URL = "https://www.sxit.gov.cn"
PER_PAGE = 20
HOME_ITEMS = 8
BODY_BATCH = 500  # articles whose bodies are fetched per query
BLOB_BATCH_BYTES = 64 * 1024 * 1024  # attachment bytes fetched per query
# top-level entries of the output folder that the portal owns (pruned after a full build)
OWNED_DIRS = ("art", "col", "files", "static")
OWNED_FILES = ("index.html", "404.html")


# --------------------------------------------------------------------------- URLs


def article_url(article_id: int, published_at: datetime | date) -> str:
    """``/art/<yyyy>/<mm>/<id>.html`` — year and month of first publication."""
    if published_at is None:
        raise ValueError("article_url needs the publication date")
    return f"/art/{published_at.year:04d}/{published_at.month:02d}/{int(article_id)}.html"


def column_url(slug: str, page: int = 1) -> str:
    """``/col/<slug>/index.html`` for page 1, ``/col/<slug>/index_<n>.html`` after."""
    if page < 1:
        raise ValueError("page numbers start at 1")
    name = "index.html" if page == 1 else f"index_{page}.html"
    return f"/col/{slug}/{name}"


def attachment_url(attachment_id: int, filename: str) -> str:
    return f"/files/{int(attachment_id)}/{quote(safe_filename(filename, attachment_id))}"


def attachment_path(attachment_id: int, filename: str) -> str:
    """The unquoted output path of an attachment (what the Writer writes)."""
    return f"/files/{int(attachment_id)}/{safe_filename(filename, attachment_id)}"


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|#%]')


def safe_filename(filename: str, attachment_id: int) -> str:
    """An uploaded file name made safe as one path segment (keeps Chinese characters)."""
    name = _UNSAFE_NAME.sub("_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip().lstrip(".").strip()
    if not name:
        return f"attachment-{int(attachment_id)}"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    # most file systems limit a name to 255 bytes
    while len(name.encode("utf-8")) > 200 and stem:
        stem = stem[:-1]
        name = f"{stem}.{ext}" if ext else stem
    return name or f"attachment-{int(attachment_id)}"


# --------------------------------------------------------------------------- writer


class DuplicateOutput(RuntimeError):
    """Two pages of one build claimed the same output path."""


class Writer:
    """Owns the output folder: atomic writes, one write per path per build, counted.

    A file whose bytes are already on disk is left alone (``unchanged``), so a rebuild
    touches only what changed and mirrors (rsync) see true modification times.
    """

    def __init__(self, out_dir: str | os.PathLike) -> None:
        self.root = os.path.realpath(out_dir)
        os.makedirs(self.root, exist_ok=True)
        self.claimed: set[str] = set()  # absolute file paths of this build
        self._dirs: set[str] = set()
        self._tag = f"{os.getpid()}-{secrets.token_hex(4)}"  # temp names unique to this build
        self.writes = 0  # files created or replaced
        self.unchanged = 0  # files whose content was already there
        self.bytes = 0

    def target(self, path: str) -> str:
        """The file for a URL path such as ``/col/gzdt/index.html``; never outside root."""
        parts = path.lstrip("/").split("/")
        if not path or any(p in ("", ".", "..") or "\x00" in p for p in parts):
            raise ValueError(f"bad output path {path!r}")
        return os.path.join(self.root, *parts)

    def write(self, path: str, content: str | bytes) -> str:
        target = self.target(path)
        if target in self.claimed:
            raise DuplicateOutput(f"{path} written twice in one build")
        self.claimed.add(target)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if self._same(target, data):
            self.unchanged += 1
            return target
        folder = os.path.dirname(target)
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        tmp = f"{folder}/.{os.path.basename(target)}.{self._tag}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o644)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        self.writes += 1
        self.bytes += len(data)
        return target

    @staticmethod
    def _same(target: str, data: bytes) -> bool:
        try:
            if os.stat(target).st_size != len(data):
                return False
            with open(target, "rb") as fh:
                return fh.read() == data
        except OSError:
            return False

    def prune(self, dirs: Iterable[str] = OWNED_DIRS, files: Iterable[str] = OWNED_FILES) -> int:
        """Remove what this build did not write from the entries the portal owns
        (stale pages, attachments of items no longer public, leftover temp files)."""
        removed = 0
        for name in files:
            path = os.path.join(self.root, name)
            if os.path.isfile(path) and path not in self.claimed:
                os.unlink(path)
                removed += 1
        for name in dirs:
            top = os.path.join(self.root, name)
            if not os.path.isdir(top) or os.path.islink(top):
                continue
            for folder, subdirs, filenames in os.walk(top, topdown=False):
                for filename in filenames:
                    path = os.path.join(folder, filename)
                    if path not in self.claimed:
                        os.unlink(path)
                        removed += 1
                for sub in subdirs:
                    try:
                        os.rmdir(os.path.join(folder, sub))  # only when empty
                    except OSError:
                        pass
        return removed


# --------------------------------------------------------------------------- data


@dataclass
class Column:
    id: int
    parent_id: int | None
    slug: str
    name: str
    position: int
    retired: bool
    is_key: bool
    division: str
    children: list[Column] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)  # its own articles, newest first
    listing: list[dict] = field(default_factory=list)  # own + non-retired sub-columns'

    @property
    def url(self) -> str:
        return column_url(self.slug)

    @property
    def visible_children(self) -> list[Column]:
        return [c for c in self.children if not c.retired]


@dataclass
class SiteData:
    site_name: str
    site_url: str
    columns: dict[int, Column]
    roots: list[Column]  # first-level columns (retired included), by position
    articles: list[dict]  # every public article (without body), newest first
    withdrawn: list[dict]
    attachments: dict[int, list[dict]]  # article id -> its attachments' metadata

    @property
    def host(self) -> str:
        return urlsplit(self.site_url).netloc or self.site_url

    @property
    def nav(self) -> list[Column]:
        return [c for c in self.roots if not c.retired]

    def trail(self, column_id: int | None) -> list[Column]:
        """The column and its ancestors, outermost first."""
        trail: list[Column] = []
        seen: set[int] = set()
        col = self.columns.get(column_id) if column_id is not None else None
        while col is not None and col.id not in seen:
            seen.add(col.id)
            trail.append(col)
            col = self.columns.get(col.parent_id) if col.parent_id is not None else None
        return trail[::-1]


_LIVE = """
    FROM articles a
    JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
    WHERE a.public AND a.live_revision IS NOT NULL
"""


def _settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    found = rows(con, "SELECT name, value FROM settings WHERE name IN ('site_name', 'site_url')")
    values = {r["name"]: (r["value"] or "").strip() for r in found}
    return {
        "site_name": values.get("site_name") or DEFAULT_SITE_NAME,
        "site_url": (values.get("site_url") or DEFAULT_SITE_URL).rstrip("/"),
    }


def _order_key(item: dict) -> tuple:
    return (item["published_at"], item["id"])


def load_site(con: duckdb.DuckDBPyConnection) -> SiteData:
    """Everything the portal shows except bodies and blobs, in a few set-based queries."""
    settings = _settings(con)
    columns = {
        r["id"]: Column(**r)
        for r in rows(con, """
            SELECT c.id, c.parent_id, c.slug, c.name, c.position, c.retired, c.is_key,
                   coalesce(d.name, '') AS division
            FROM columns c LEFT JOIN divisions d ON d.id = c.division_id
            ORDER BY c.position, c.id""")
    }
    roots = []
    for col in columns.values():
        parent = columns.get(col.parent_id) if col.parent_id is not None else None
        (parent.children if parent is not None and parent is not col else roots).append(col)

    articles = rows(con, """
        SELECT a.id, coalesce(a.published_at, a.updated_at) AS published_at,
               r.title, r.column_id, coalesce(d.name, '') AS division
        FROM articles a
        JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
        LEFT JOIN divisions d ON d.id = a.lead_division_id
        WHERE a.public AND a.live_revision IS NOT NULL
        ORDER BY 2 DESC, a.id DESC""")
    # which listings an article of a column shows in: its column, then each ancestor while
    # the column below it is not retired (a retired column keeps its page, not its place)
    targets: dict[int, list[Column]] = {}
    for col in columns.values():
        chain, cur, seen = [col], col, {col.id}
        while not cur.retired and cur.parent_id in columns and cur.parent_id not in seen:
            cur = columns[cur.parent_id]
            seen.add(cur.id)
            chain.append(cur)
        targets[col.id] = chain
    for item in articles:
        item["url"] = article_url(item["id"], item["published_at"])
        col = columns.get(item["column_id"])
        if col is None:
            continue
        col.items.append(item)
        for target in targets[col.id]:
            target.listing.append(item)

    withdrawn = rows(con, """
        SELECT a.id, coalesce(a.published_at, a.updated_at) AS published_at,
               coalesce(e.last_at, a.updated_at) AS withdrawn_at
        FROM articles a
        LEFT JOIN (SELECT article_id, max(created_at) AS last_at FROM workflow_events
                   WHERE to_state IN ('taken_down', 'withdrawn') GROUP BY article_id) e
               ON e.article_id = a.id
        WHERE NOT a.public AND a.live_revision IS NOT NULL
        ORDER BY a.id""")

    attachments: dict[int, list[dict]] = {}
    for att in rows(con, f"""
            SELECT t.id, t.article_id, t.filename, t.mime, t.size
            FROM attachments t
            WHERE NOT t.removed AND t.article_id IN (SELECT a.id {_LIVE})
            ORDER BY t.article_id, t.id"""):
        att["url"] = attachment_url(att["id"], att["filename"])
        att["path"] = attachment_path(att["id"], att["filename"])
        att["size_label"] = _size_label(att["size"])
        attachments.setdefault(att["article_id"], []).append(att)

    return SiteData(
        site_name=settings["site_name"],
        site_url=settings["site_url"],
        columns=columns,
        roots=roots,
        articles=articles,
        withdrawn=withdrawn,
        attachments=attachments,
    )


def _bodies(con: duckdb.DuckDBPyConnection, ids: list[int]) -> Iterator[dict]:
    """Body and source of the live revisions of ``ids``, a batch of ids per query."""
    ordered = sorted(ids)
    wanted = set(ordered)
    for start in range(0, len(ordered), BODY_BATCH):
        chunk = ordered[start:start + BODY_BATCH]
        for r in rows(con, f"""
                SELECT a.id, r.body_html, r.source
                {_LIVE} AND a.id BETWEEN ? AND ?""", [chunk[0], chunk[-1]]):
            if r["id"] in wanted:
                yield r


def _blobs(con: duckdb.DuckDBPyConnection, atts: list[dict]) -> Iterator[tuple[dict, bytes]]:
    """Attachment contents, fetched in batches of at most ~BLOB_BATCH_BYTES."""
    batch: list[dict] = []
    size = 0
    for att in sorted(atts, key=lambda a: a["id"]):
        batch.append(att)
        size += att["size"] or 0
        if size >= BLOB_BATCH_BYTES:
            yield from _blob_batch(con, batch)
            batch, size = [], 0
    if batch:
        yield from _blob_batch(con, batch)


def _blob_batch(con: duckdb.DuckDBPyConnection, batch: list[dict]) -> Iterator[tuple[dict, bytes]]:
    by_id = {a["id"]: a for a in batch}
    found = con.execute(
        "SELECT id, data FROM attachments WHERE id BETWEEN ? AND ?",
        [batch[0]["id"], batch[-1]["id"]],
    ).fetchall()
    for att_id, data in found:
        if att_id in by_id:
            yield by_id[att_id], data


def _size_label(size: int | None) -> str:
    size = size or 0
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Page:
    path: str  # URL path, also the output path
    template: str
    context: dict[str, Any]


def _crumbs(site: SiteData, column_id: int | None, *, current: bool) -> list[dict]:
    crumbs = [{"name": "首页", "url": "/index.html", "current": False}]
    trail = site.trail(column_id)
    for i, col in enumerate(trail):
        crumbs.append({"name": col.name, "url": col.url,
                       "current": current and i == len(trail) - 1})
    return crumbs


def _section(site: SiteData, column_id: int | None) -> int | None:
    trail = site.trail(column_id)
    return trail[0].id if trail else None


def home_page(site: SiteData) -> Page:
    """Latest items of every key column (of the first-level ones if none is key)."""
    key = [c for c in site.columns.values() if c.is_key and not c.retired]
    if not key:
        key = site.nav
    key.sort(key=lambda c: [(t.position, t.id) for t in site.trail(c.id)])
    sections = [{"column": c, "items": c.listing[:HOME_ITEMS]} for c in key]
    return Page("/index.html", "home.html", {
        "page_title": site.site_name,
        "sections": sections,
        "first_level": site.nav,
        "section_id": None,
    })


def _page_window(current: int, total: int) -> list[int | None]:
    """Page numbers to link, ``None`` for a gap: 1 … 4 5 [6] 7 8 … 30."""
    shown = {1, total, *range(current - 2, current + 3)}
    out: list[int | None] = []
    prev = 0
    for n in sorted(p for p in shown if 1 <= p <= total):
        if n - prev > 1:
            out.append(None)
        out.append(n)
        prev = n
    return out


def column_pages(site: SiteData, col: Column) -> Iterator[Page]:
    """Every page of a column's listing, PER_PAGE items each, newest first."""
    total = len(col.listing)
    pages = max(1, math.ceil(total / PER_PAGE))
    base = {
        "column": col,
        "page_title": col.name,
        "crumbs": _crumbs(site, col.id, current=True),
        "children": col.visible_children,
        "section_id": _section(site, col.id),
        "total": total,
        "pages": pages,
    }
    for n in range(1, pages + 1):
        items = col.listing[(n - 1) * PER_PAGE: n * PER_PAGE]
        pager = [
            {"number": p, "url": column_url(col.slug, p) if p else None, "current": p == n}
            for p in _page_window(n, pages)
        ]
        yield Page(column_url(col.slug, n), "column.html", {
            **base,
            "page": n,
            "items": items,
            "pager": pager,
            "prev_url": column_url(col.slug, n - 1) if n > 1 else None,
            "next_url": column_url(col.slug, n + 1) if n < pages else None,
        })


def neighbours(site: SiteData) -> dict[int, tuple[dict | None, dict | None]]:
    """Article id -> (previous, next) within its own column, in listing order."""
    found: dict[int, tuple[dict | None, dict | None]] = {}
    for col in site.columns.values():
        items = col.items
        for i, item in enumerate(items):
            found[item["id"]] = (items[i - 1] if i > 0 else None,
                                 items[i + 1] if i + 1 < len(items) else None)
    return found


def article_page(site: SiteData, meta: dict, body: dict,
                 nearby: tuple[dict | None, dict | None]) -> Page:
    """One public article: its live revision, attachments and neighbours."""
    column = site.columns.get(meta["column_id"])
    return Page(meta["url"], "article.html", {
        "page_title": meta["title"],
        "article": meta,
        "column": column,
        "body_html": body["body_html"],
        "source": (body["source"] or "").strip(),
        "attachments": site.attachments.get(meta["id"], []),
        "previous": nearby[0],
        "next": nearby[1],
        "crumbs": _crumbs(site, meta["column_id"], current=False),
        "section_id": _section(site, meta["column_id"]),
    })


def withdrawn_pages(site: SiteData) -> Iterator[Page]:
    """A notice at the URL of every item that was published and is no longer public."""
    for item in site.withdrawn:
        yield Page(article_url(item["id"], item["published_at"]), "withdrawn.html", {
            "page_title": "该信息已撤下",
            "withdrawn_at": item["withdrawn_at"],
            "section_id": None,
        })


def not_found_page(site: SiteData) -> Page:
    return Page("/404.html", "404.html", {"page_title": "页面不存在", "section_id": None})


# --------------------------------------------------------------------------- rendering


def _date(value: datetime | date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _date_zh(value: datetime | date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja2 environment of the portal (autoescape on for everything)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = _date
    env.filters["date_zh"] = _date_zh
    return env


def render(page: Page, site_context: dict[str, Any]) -> str:
    template = environment().get_template(page.template)
    return template.render({**site_context, **page.context, "path": page.path})


def _site_context(site: SiteData, css_version: str) -> dict[str, Any]:
    return {
        "site_name": site.site_name,
        "site_url": site.site_url,
        "site_host": site.host,
        "nav": site.nav,
        "css_url": f"/static/site.css?v={css_version}",
    }


def _copy_static(writer: Writer) -> str:
    """Copy templates/static to out/static; returns a short hash of site.css for caching."""
    digest = ""
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            writer.write("/static/" + path.relative_to(STATIC).as_posix(), data)
            if path.name == "site.css":
                digest = hashlib.sha256(data).hexdigest()[:10]
    return digest


# --------------------------------------------------------------------------- build


def build_site(con: duckdb.DuckDBPyConnection, out_dir: str | Path = "site_build", *,
               full: bool = True) -> dict:
    """Render the whole public portal into ``out_dir``.

    ``full=False`` is accepted for the coming incremental builds; until they land every
    build is full (and prunes files it did not write from the folders the portal owns).
    Returns counts: pages (HTML pages rendered), articles (public ones), columns,
    withdrawn (notices), attachments, writes (files created or replaced, static included),
    unchanged (files already up to date), pruned (stale files removed), and seconds.
    """
    # the scheduler thread and a page's publish can both ask for a build: one at a time, since
    # a build prunes files (temp files included) that it did not write itself
    with _BUILD_LOCK:
        return _build(con, out_dir)


def _build(con: duckdb.DuckDBPyConnection, out_dir: str | Path) -> dict:
    started = time.perf_counter()
    writer = Writer(out_dir)
    with transaction(con):  # one snapshot for the whole build
        site = load_site(con)
        css_version = _copy_static(writer)
        ctx = _site_context(site, css_version)
        pages = 0

        def emit(page: Page) -> None:
            nonlocal pages
            writer.write(page.path, render(page, ctx))
            pages += 1

        emit(home_page(site))
        for col in site.columns.values():
            for page in column_pages(site, col):
                emit(page)
        nearby = neighbours(site)
        by_id = {a["id"]: a for a in site.articles}
        for body in _bodies(con, list(by_id)):
            meta = by_id[body["id"]]
            emit(article_page(site, meta, body, nearby.get(meta["id"], (None, None))))
        for page in withdrawn_pages(site):
            emit(page)
        emit(not_found_page(site))
        files = 0
        for att, data in _blobs(con, [a for atts in site.attachments.values() for a in atts]):
            writer.write(att["path"], data)
            files += 1
    pruned = writer.prune()
    return {
        "pages": pages,
        "articles": len(site.articles),
        "columns": len(site.columns),
        "withdrawn": len(site.withdrawn),
        "attachments": files,
        "writes": writer.writes,
        "unchanged": writer.unchanged,
        "pruned": pruned,
        "seconds": round(time.perf_counter() - started, 3),
    }
