"""The public portal (www.sxit.gov.cn) as static files, built from the database.

Pelican-style stages, each replaceable on its own:

1. ``load_site`` reads the settings and the column tree; ``plan_build`` decides what to
   render (everything, or what changed since the last build) and ``fetch_listings`` reads
   the public articles of the columns to render in one set-based query. Bodies and
   attachment blobs are streamed in batches (a query per batch, never one per article).
   The whole build runs in one read transaction, so it sees one snapshot.
2. Pure functions turn that data into ``Page`` objects (URL path, template, context of plain
   dicts, so a page can be sent to another process): ``home_page``, ``column_pages``,
   ``article_page``, ``withdrawn_page``, ``feed_page``, ``site_pages``. Templates never query.
3. One Jinja2 ``Environment`` per process (autoescape on; ``body_html`` is marked safe only in
   article.html, because it is sanitised before it is stored) renders every page. A large
   build in a process without other threads (the command line) renders in a pool of forked
   worker processes, one per core; each worker has its own environment and writer, and gets
   the pages (bodies included) from the parent, since only the parent may hold the DuckDB file.
4. One ``Writer`` per process owns the output folder: every file is written to a temporary
   file and moved into place with ``os.replace``, so a reader never sees half a page and a
   build that fails leaves every file complete (old or new); the same output path may not be
   written twice in one build; a file whose bytes are already on disk is left untouched. Text
   loses the characters XML 1.0 forbids there (``legal_text``), whatever the database held.

Incremental builds: ``portal_built`` (migration 0002) records, per article, what the last
successful build rendered (live revision, public, column, date, attachments, withdrawal
date). The next build diffs the live state against it in one query and renders only the
changed articles, their previous/next neighbours (old and new), every page of the listings
that show them (their columns and the ancestors whose listings include them: pagination
shifts when an item is added at the top), the home page, the feeds and the sitemap. A change
to the column tree, the divisions, the site settings or the templates and code changes every
page's header or layout: that build is full. So is the first build into a folder, and any
build whose folder does not hold the stamp of the recorded build. The record is written in
the build's transaction after the files, so a build that fails is redone by the next one.
Before writing a file, a build commits that it is owed (``site_state.portal_build_owed``); the
record settles it. A build killed half-way (kill -9) leaves that debt, and
``resume_interrupted_build``, run when the workbench starts, redoes it and re-indexes search.

Visibility (第十二、二十三条): an article is on the portal when ``articles.public`` is true
and ``live_revision`` is set; what is shown is that revision. An article that was
published (``live_revision`` set) but is no longer public gets a withdrawal notice at the
same URL; a never-published article gets nothing. Retired columns (第八条) are not in the
navigation but their pages and articles keep their URLs.

URL scheme: ``/index.html``, ``/col/<slug>/index.html``, ``/col/<slug>/index_<n>.html``,
``/col/<slug>/feed.xml``, ``/art/<yyyy>/<mm>/<id>.html``, ``/files/<attachment id>/<filename>``,
``/feed.xml``, ``/sitemap.xml`` (+ ``/sitemap-<n>.xml`` beyond 50,000 URLs), ``/sitemap.html``,
``/robots.txt``, ``/accessibility.html``, ``/search.html`` (when its template exists),
``/static/…``, ``/404.html``.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import re
import secrets
import shutil
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape as xml_escape

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from core.db import rows, scalar, transaction
from core.progress import Progress, pause_point

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = TEMPLATES / "static"
_BUILD_LOCK = threading.Lock()
DEFAULT_SITE_NAME = "陕西省工业和信息化厅"
DEFAULT_SITE_URL = "https://www.sxit.gov.cn"
# times are stored as the department's local time (Beijing); feeds need an explicit offset
SITE_UTC_OFFSET = "+08:00"
PER_PAGE = 20
HOME_ITEMS = 8
SITE_FEED_ITEMS = 50
COLUMN_FEED_ITEMS = 20
SITEMAP_CHUNK = 50_000  # the sitemaps protocol's limit of URLs per file
BODY_BATCH = 500  # articles whose bodies are fetched per query
BLOB_BATCH_BYTES = 64 * 1024 * 1024  # attachment bytes fetched per query
RENDER_BATCH = 250  # pages sent to a worker process at a time
PARALLEL_MIN_PAGES = 1500  # below this, starting worker processes costs more than it saves
STAMP_FILE = ".portal-build"  # in the output folder: which recorded build it holds
# top-level entries of the output folder that the portal owns (pruned after a full build)
OWNED_DIRS = ("art", "col", "files", "static", "hudong")
OWNED_FILES = ("index.html", "404.html", "feed.xml", "sitemap.xml", "sitemap.html", "robots.txt",
               "accessibility.html")
_SITEMAP_CHUNK_NAME = re.compile(r"sitemap-\d+\.xml")
_COLUMN_PAGE_NAME = re.compile(r"index(_\d+)?\.html")
ANSWERS_URL = "/hudong/index.html"
LATEST_ANSWERS = 10  # on the 互动交流 column's first page


# --------------------------------------------------------------------------- URLs


def article_url(article_id: int, published_at: datetime | date) -> str:
    """``/art/<yyyy>/<mm>/<id>.html`` — year and month of first publication."""
    if published_at is None:
        raise ValueError("article_url needs the publication date")
    return f"/art/{published_at.year:04d}/{published_at.month:02d}/{int(article_id)}.html"


def public_url(con: duckdb.DuckDBPyConnection, article_id: int) -> str | None:
    """Where a published article is on the portal (the site address setting + its page), or None
    while it is not public: what an officer is shown after publishing, to see it where the public does."""
    found = con.execute(f"SELECT a.id, coalesce(a.published_at, a.updated_at) {_LIVE} AND a.id = ?",
                        [int(article_id)]).fetchone()
    return None if found is None else _settings(con)["site_url"] + article_url(*found)


def column_url(slug: str, page: int = 1) -> str:
    """``/col/<slug>/index.html`` for page 1, ``/col/<slug>/index_<n>.html`` after."""
    if page < 1:
        raise ValueError("page numbers start at 1")
    name = "index.html" if page == 1 else f"index_{page}.html"
    return f"/col/{slug}/{name}"


def feed_url(slug: str | None = None) -> str:
    """The site-wide Atom feed, or a column's."""
    return f"/col/{slug}/feed.xml" if slug else "/feed.xml"


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


# Characters XML 1.0 forbids (its Char production: C0 controls but tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF) and the C1 controls and DEL, parse errors in HTML: one of them in a title made
# the Atom feeds not well-formed (issue 12, M3), and a character reference (&#1;) is no better.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def legal_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids or HTML reads as controls."""
    return _NOT_TEXT.sub("", text) if _NOT_TEXT.search(text) else text


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
        self._tag = f"{os.getpid()}-{secrets.token_hex(4)}"  # temp names unique to this writer
        self.writes = 0  # files created or replaced
        self.unchanged = 0  # files whose content was already there
        self.bytes = 0
        self.removed = 0  # stale files deleted

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
        # every page, feed and sitemap passes here as text, whatever the database held (attachments
        # come as bytes and are written as uploaded)
        data = legal_text(content).encode("utf-8") if isinstance(content, str) else bytes(content)
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

    def merge(self, claimed: Iterable[str], writes: int, unchanged: int, size: int) -> None:
        """Take over what a worker process wrote into the same folder."""
        for target in claimed:
            if target in self.claimed:
                raise DuplicateOutput(f"{target} written twice in one build")
            self.claimed.add(target)
        self.writes += writes
        self.unchanged += unchanged
        self.bytes += size

    @staticmethod
    def _same(target: str, data: bytes) -> bool:
        try:
            if os.stat(target).st_size != len(data):
                return False
            with open(target, "rb") as fh:
                return fh.read() == data
        except OSError:
            return False

    def remove(self, path: str) -> None:
        """Delete a file or folder of the portal that this build does not serve any more."""
        target = self.target(path)
        if target in self.claimed:
            return
        if os.path.isdir(target) and not os.path.islink(target):
            self.removed += sum(len(files) for _, _, files in os.walk(target))
            shutil.rmtree(target)
        elif os.path.lexists(target):
            os.unlink(target)
            self.removed += 1

    def remove_unclaimed(self, folder: str, pattern: re.Pattern) -> None:
        """Delete the files of one folder whose names match ``pattern`` and were not written."""
        directory = self.target(folder) if folder != "/" else self.root
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            return
        for name in names:
            path = os.path.join(directory, name)
            if pattern.fullmatch(name) and path not in self.claimed and os.path.isfile(path):
                os.unlink(path)
                self.removed += 1

    def prune(self, dirs: Iterable[str] = OWNED_DIRS, files: Iterable[str] = OWNED_FILES) -> int:
        """Remove what this build did not write from the entries the portal owns
        (stale pages, attachments of items no longer public, leftover temp files)."""
        before = self.removed
        for name in files:
            path = os.path.join(self.root, name)
            if os.path.isfile(path) and path not in self.claimed:
                os.unlink(path)
                self.removed += 1
        self.remove_unclaimed("/", _SITEMAP_CHUNK_NAME)
        for name in dirs:
            top = os.path.join(self.root, name)
            if not os.path.isdir(top) or os.path.islink(top):
                continue
            for folder, subdirs, filenames in os.walk(top, topdown=False):
                for filename in filenames:
                    path = os.path.join(folder, filename)
                    if path not in self.claimed:
                        os.unlink(path)
                        self.removed += 1
                for sub in subdirs:
                    try:
                        os.rmdir(os.path.join(folder, sub))  # only when empty
                    except OSError:
                        pass
        return self.removed - before


# --------------------------------------------------------------------------- data


@dataclass
class Column:
    id: int
    parent_id: int | None
    slug: str
    name: str
    kind: str
    position: int
    retired: bool
    is_key: bool
    division: str
    created_at: datetime
    children: list[Column] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)  # its own articles, newest first
    listing: list[dict] = field(default_factory=list)  # own + non-retired sub-columns'

    @property
    def url(self) -> str:
        return column_url(self.slug)

    @property
    def visible_children(self) -> list[Column]:
        return [c for c in self.children if not c.retired]

    @cached_property
    def ref(self) -> dict:
        """What templates need of a column, as a plain dict (pages travel between processes)."""
        return {"id": self.id, "name": self.name, "slug": self.slug, "url": self.url,
                "feed_url": feed_url(self.slug), "retired": self.retired, "kind": self.kind}


@dataclass
class SiteData:
    site_name: str
    site_url: str
    columns: dict[int, Column]
    roots: list[Column]  # first-level columns (retired included), by position
    # column id -> the columns whose listings show its articles: itself, then each ancestor
    # while the column below it is not retired (a retired column keeps its page, not its place)
    targets: dict[int, list[int]] = field(default_factory=dict)
    _crumbs: dict[tuple[int | None, bool], list[dict]] = field(default_factory=dict)
    message_url: str = "/workbench/message"
    contact_phone: str = ""
    contact_email: str = ""
    answers: list[dict] = field(default_factory=list)  # published answers, newest first (互动交流)

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

    def sources(self, wanted: Iterable[int]) -> list[tuple[int, int]]:
        """(listing column, column whose articles it shows) pairs for the ``wanted`` listings."""
        wanted = set(wanted)
        return sorted((t, c) for c, targets in self.targets.items() for t in targets if t in wanted)

    def listing_columns(self, column_ids: Iterable[int | None]) -> set[int]:
        """Every listing that shows articles of these columns."""
        return {t for c in column_ids if c in self.targets for t in self.targets[c]}


_LIVE = """
    FROM articles a
    JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
    WHERE a.public AND a.live_revision IS NOT NULL
"""

# what a listing, a feed and an article page show of a public article (no body)
_ITEMS = """
    SELECT a.id, r.title, r.column_id, coalesce(a.published_at, a.updated_at) AS published_at,
           r.created_at AS updated_at, coalesce(d.name, '') AS division
    FROM articles a
    JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
    LEFT JOIN divisions d ON d.id = a.lead_division_id
    WHERE a.public AND a.live_revision IS NOT NULL
"""
_NEWEST_FIRST = "published_at DESC, id DESC"


def _settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    from core import settings

    found = rows(con, "SELECT name, value FROM settings WHERE name IN ('site_name', 'site_url')")
    values = {r["name"]: (r["value"] or "").strip() for r in found}
    return {
        "site_name": values.get("site_name") or DEFAULT_SITE_NAME,
        "site_url": (values.get("site_url") or DEFAULT_SITE_URL).rstrip("/"),
        # the interaction desk's public page in the workbench, and the contacts it publishes (第十九条)
        "message_url": str(settings.get(con, "workbench_url")).rstrip("/") + "/message",
        "contact_phone": str(settings.get(con, "interaction_phone")),
        "contact_email": str(settings.get(con, "interaction_email")),
    }


def load_site(con: duckdb.DuckDBPyConnection) -> SiteData:
    """The settings and the column tree; articles are fetched per build plan (``fetch_listings``)."""
    columns = {
        r["id"]: Column(**r)
        for r in rows(con, """
            SELECT c.id, c.parent_id, c.slug, c.name, c.kind, c.position, c.retired, c.is_key,
                   coalesce(d.name, '') AS division, c.created_at
            FROM columns c LEFT JOIN divisions d ON d.id = c.division_id
            ORDER BY c.position, c.id""")
    }
    roots = []
    for col in columns.values():
        parent = columns.get(col.parent_id) if col.parent_id is not None else None
        (parent.children if parent is not None and parent is not col else roots).append(col)
    targets: dict[int, list[int]] = {}
    for col in columns.values():
        chain, cur, seen = [col.id], col, {col.id}
        while not cur.retired and cur.parent_id in columns and cur.parent_id not in seen:
            cur = columns[cur.parent_id]
            seen.add(cur.id)
            chain.append(cur.id)
        targets[col.id] = chain
    return SiteData(columns=columns, roots=roots, targets=targets, answers=_answers(con), **_settings(con))


def _answers(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every published answer, newest first, with its URL (第十九条)."""
    from core import interaction

    return [{**a, "url": answer_url(a["id"], a["published_at"])} for a in interaction.published(con)]


def _decorate(site: SiteData, item: dict) -> dict:
    item["url"] = article_url(item["id"], item["published_at"])
    # a revision drafted before publication was not updated before it was published
    item["updated_at"] = max(item["updated_at"] or item["published_at"], item["published_at"])
    col = site.columns.get(item["column_id"])
    item["column_name"] = col.name if col else ""
    return item


def fetch_listings(con: duckdb.DuckDBPyConnection, site: SiteData,
                   wanted: set[int] | None = None) -> dict[int, dict]:
    """Fill ``listing`` and ``items`` of the ``wanted`` columns (all when None), newest first.

    Returns every article read, by id, newest first."""
    if wanted is None:
        found = rows(con, f"SELECT * FROM ({_ITEMS}) ORDER BY {_NEWEST_FIRST}")
    else:
        sources = sorted({c for _, c in site.sources(wanted)})
        found = rows(con, f"""SELECT * FROM ({_ITEMS}) WHERE column_id IN (SELECT unnest(?::INTEGER[]))
                              ORDER BY {_NEWEST_FIRST}""", [sources])
    for col in site.columns.values():
        col.listing, col.items = [], []
    for item in found:
        _decorate(site, item)
        for target in site.targets.get(item["column_id"], ()):
            if wanted is None or target in wanted:
                site.columns[target].listing.append(item)
        own = site.columns.get(item["column_id"])
        if own is not None and (wanted is None or own.id in wanted):
            own.items.append(item)
    return {item["id"]: item for item in found}


def fetch_heads(con: duckdb.DuckDBPyConnection, site: SiteData, wanted: list[int],
                limit: int) -> dict[int, list[dict]]:
    """The newest ``limit`` items of each wanted listing, in one query (for the home page)."""
    pairs = site.sources(wanted)
    heads: dict[int, list[dict]] = {t: [] for t in wanted}
    if not pairs:
        return heads
    found = rows(con, f"""
        SELECT m.target, i.* FROM ({_ITEMS}) i
        JOIN (SELECT unnest(?::INTEGER[]) AS target, unnest(?::INTEGER[]) AS source) m
          ON m.source = i.column_id
        QUALIFY row_number() OVER (PARTITION BY m.target ORDER BY i.published_at DESC, i.id DESC) <= ?
        ORDER BY m.target, i.published_at DESC, i.id DESC""",
                 [[t for t, _ in pairs], [c for _, c in pairs], limit])
    for item in found:
        heads[item.pop("target")].append(_decorate(site, item))
    return heads


def fetch_latest(con: duckdb.DuckDBPyConnection, site: SiteData, limit: int) -> list[dict]:
    return [_decorate(site, item) for item in
            rows(con, f"SELECT * FROM ({_ITEMS}) ORDER BY {_NEWEST_FIRST} LIMIT ?", [limit])]


def _bodies(con: duckdb.DuckDBPyConnection, ids: Iterable[int]) -> Iterator[dict]:
    """Body and source of the live revisions of ``ids``, a batch of ids per query."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), BODY_BATCH):
        chunk = ordered[start:start + BODY_BATCH]
        # the BETWEEN lets DuckDB skip row groups by their min/max; the IN keeps the exact set
        yield from rows(con, f"""
            SELECT a.id, r.body_html, r.source
            {_LIVE} AND a.id BETWEEN ? AND ? AND a.id IN (SELECT unnest(?::INTEGER[]))""",
                        [chunk[0], chunk[-1], chunk])


def _attachments(con: duckdb.DuckDBPyConnection, ids: list[int] | None) -> dict[int, list[dict]]:
    """Metadata of the attachments served with public articles (``ids`` or all)."""
    where = "" if ids is None else "AND t.article_id IN (SELECT unnest(?::INTEGER[]))"
    found: dict[int, list[dict]] = {}
    for att in rows(con, f"""
            SELECT t.id, t.article_id, t.filename, t.mime, t.size
            FROM attachments t
            WHERE NOT t.removed AND t.article_id IN (SELECT a.id {_LIVE}) {where}
            ORDER BY t.article_id, t.id""", [] if ids is None else [ids]):
        att["url"] = attachment_url(att["id"], att["filename"])
        att["path"] = attachment_path(att["id"], att["filename"])
        att["size_label"] = _size_label(att["size"])
        found.setdefault(att["article_id"], []).append(att)
    return found


_WITHDRAWN_AT = """
    LEFT JOIN (SELECT article_id, max(created_at) AS last_at FROM workflow_events
               WHERE to_state IN ('taken_down', 'withdrawn') GROUP BY article_id) e
           ON e.article_id = a.id
"""


def _withdrawn(con: duckdb.DuckDBPyConnection, ids: list[int] | None) -> list[dict]:
    """Articles that were published and are no longer public (``ids`` or all)."""
    where = "" if ids is None else "AND a.id IN (SELECT unnest(?::INTEGER[]))"
    return rows(con, f"""
        SELECT a.id, coalesce(a.published_at, a.updated_at) AS published_at,
               coalesce(e.last_at, a.updated_at) AS withdrawn_at
        FROM articles a {_WITHDRAWN_AT}
        WHERE NOT a.public AND a.live_revision IS NOT NULL {where}
        ORDER BY a.id""", [] if ids is None else [ids])


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


# --------------------------------------------------------------------------- what to build

# what the portal shows of every article that has a page: the row portal_built keeps
_CURRENT = f"""
    SELECT a.id AS article_id, a.live_revision, a.public, r.column_id,
           coalesce(a.published_at, a.updated_at) AS published_at,
           CASE WHEN a.public THEN coalesce(t.ids, []::INTEGER[]) END AS attachments,
           CASE WHEN NOT a.public THEN coalesce(e.last_at, a.updated_at) END AS withdrawn_at
    FROM articles a
    JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
    LEFT JOIN (SELECT article_id, list(id ORDER BY id) AS ids FROM attachments
               WHERE NOT removed GROUP BY article_id) t ON t.article_id = a.id
    {_WITHDRAWN_AT}
    WHERE a.live_revision IS NOT NULL
"""

_DIFF = f"""
    SELECT coalesce(c.article_id, b.article_id) AS id,
           c.article_id IS NOT NULL AND c.public AS public, coalesce(b.public, FALSE) AS was_public,
           c.article_id IS NULL AS gone,
           b.column_id AS old_column, c.column_id AS new_column,
           b.published_at AS old_published, c.published_at AS new_published,
           b.attachments AS old_attachments, c.attachments AS new_attachments
    FROM ({_CURRENT}) c FULL OUTER JOIN portal_built b ON b.article_id = c.article_id
    WHERE c.article_id IS NULL OR b.article_id IS NULL
       OR c.live_revision <> b.live_revision OR c.public <> b.public OR c.column_id <> b.column_id
       OR c.published_at <> b.published_at
       OR c.attachments IS DISTINCT FROM b.attachments OR c.withdrawn_at IS DISTINCT FROM b.withdrawn_at
    ORDER BY 1
"""

# everything that appears on every page, or decides every page's place: a change is a full build
_SIGNATURE_QUERIES = (
    "SELECT string_agg(concat_ws('|', id, parent_id, slug, name, kind, division_id, position, retired, is_key),"
    " chr(10) ORDER BY id) FROM columns",
    "SELECT string_agg(concat_ws('|', id, name), chr(10) ORDER BY id) FROM divisions",
    "SELECT string_agg(concat_ws('|', name, value), chr(10) ORDER BY name) FROM settings"
    " WHERE name IN ('site_name', 'site_url', 'workbench_url', 'interaction_phone', 'interaction_email')",
)


def signature(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the columns, divisions, site settings, templates, static files and this code."""
    digest = hashlib.sha256()
    for query in _SIGNATURE_QUERIES:
        digest.update(str(scalar(con, query)).encode("utf-8") + b"\0")
    for path in sorted([*TEMPLATES.rglob("*"), Path(__file__)]):
        if path.is_file():
            digest.update(path.as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


@dataclass
class Plan:
    """What one build renders; ``articles``/``notices`` None means all of them."""

    mode: str  # "full" | "incremental"
    reason: str
    articles: set[int] | None = None  # public articles whose pages to render
    notices: list[int] | None = None  # withdrawn articles whose notices to render
    listings: set[int] | None = None  # columns whose listing pages and feed to render
    changed: list[int] = field(default_factory=list)  # articles whose own state changed
    years: set[int] = field(default_factory=set)  # years of publication of the changed
    stale_paths: list[str] = field(default_factory=list)  # pages/attachments no longer served

    @property
    def full(self) -> bool:
        return self.mode == "full"


def _record(con: duckdb.DuckDBPyConnection) -> dict | None:
    raw = scalar(con, "SELECT value FROM site_state WHERE name = 'portal_build'")
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _stamp_on_disk(root: str) -> str | None:
    try:
        with open(os.path.join(root, STAMP_FILE), encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError:
        return None


def _why_full(con: duckdb.DuckDBPyConnection, root: str, sig: str, full: bool) -> str:
    """Why this build must be full ('' when an incremental build is safe)."""
    if full:
        return "requested"
    record = _record(con)
    if record is None:
        return "no previous build"
    if record.get("out") != root:
        return "output folder differs from the last build's"
    if _stamp_on_disk(root) != record.get("stamp"):
        return "output folder missing or not from the last build"
    if record.get("signature") != sig:
        return "columns, divisions, settings or templates changed"
    return ""


def plan_build(con: duckdb.DuckDBPyConnection, site: SiteData, root: str, sig: str, full: bool) -> Plan:
    """Decide full or incremental, and for an incremental build exactly what to render."""
    reason = _why_full(con, root, sig, full)
    if not reason:
        return _incremental_plan(con, site, rows(con, _DIFF))
    fetch_listings(con, site)
    # for the search index: what changed since the recorded build (everything, without one);
    # after a full build it re-indexes every year anyway
    query = f"SELECT id FROM ({_DIFF})" if _record(con) else f"SELECT article_id FROM ({_CURRENT}) ORDER BY 1"
    changed = [r[0] for r in con.execute(query).fetchall()]
    years = {r[0] for r in con.execute(f"SELECT DISTINCT year(published_at) FROM ({_CURRENT})").fetchall()}
    return Plan("full", reason, changed=changed, years=years)


def _incremental_plan(con: duckdb.DuckDBPyConnection, site: SiteData, diff: list[dict]) -> Plan:
    plan = Plan("incremental", "", articles=set(), notices=[], changed=[d["id"] for d in diff])
    old_columns = [d["old_column"] for d in diff if d["was_public"]]
    new_columns = [d["new_column"] for d in diff if d["public"]]
    plan.listings = site.listing_columns(old_columns + new_columns)
    fetch_listings(con, site, plan.listings)
    for d in diff:
        plan.years |= {p.year for p in (d["old_published"], d["new_published"]) if p is not None}
        if d["public"]:
            plan.articles.add(d["id"])
        elif not d["gone"]:
            plan.notices.append(d["id"])
        plan.stale_paths += _stale_paths(d)
    # their previous/next pages link to them (by title), before and after the change
    plan.articles |= _new_neighbours(site, plan.articles) | _old_neighbours(
        con, [d["id"] for d in diff if d["was_public"]], old_columns)
    return plan


def _stale_paths(d: dict) -> list[str]:
    """The page at an old URL and the attachments a changed article no longer serves."""
    stale = []
    old_url = article_url(d["id"], d["old_published"]) if d["old_published"] else None
    new_url = article_url(d["id"], d["new_published"]) if d["new_published"] and not d["gone"] else None
    if old_url and old_url != new_url:
        stale.append(old_url)
    served = set(d["new_attachments"] or []) if d["public"] else set()
    stale += [f"/files/{a}" for a in (d["old_attachments"] or []) if a not in served]
    return stale


def _old_neighbours(con: duckdb.DuckDBPyConnection, ids: list[int], columns: list[int]) -> set[int]:
    """The previous/next articles of ``ids`` in the last build: their links must change."""
    if not ids:
        return set()
    found = con.execute("""
        SELECT prev, next FROM (
            SELECT article_id,
                   lag(article_id) OVER w AS prev, lead(article_id) OVER w AS next
            FROM portal_built WHERE public AND column_id IN (SELECT unnest(?::INTEGER[]))
            WINDOW w AS (PARTITION BY column_id ORDER BY published_at DESC, article_id DESC))
        WHERE article_id IN (SELECT unnest(?::INTEGER[]))""", [sorted(set(columns)), ids]).fetchall()
    return {n for pair in found for n in pair if n is not None}


def _new_neighbours(site: SiteData, ids: set[int]) -> set[int]:
    """The previous/next articles of ``ids`` now (their columns' items are loaded)."""
    found: set[int] = set()
    for col in site.columns.values():
        for i, item in enumerate(col.items):
            if item["id"] in ids:
                found |= {col.items[j]["id"] for j in (i - 1, i + 1) if 0 <= j < len(col.items)}
    return found


def save_record(con: duckdb.DuckDBPyConnection, plan: Plan, root: str, sig: str, stamp: str) -> None:
    """Record what this build rendered (same transaction as its reads: the same snapshot)."""
    if plan.full:
        con.execute("DELETE FROM portal_built")
        con.execute(f"INSERT INTO portal_built SELECT * FROM ({_CURRENT})")
    elif plan.changed:
        con.execute("DELETE FROM portal_built WHERE article_id IN (SELECT unnest(?::INTEGER[]))", [plan.changed])
        con.execute(f"INSERT INTO portal_built SELECT * FROM ({_CURRENT}) "
                    "WHERE article_id IN (SELECT unnest(?::INTEGER[]))", [plan.changed])
    value = json.dumps({"stamp": stamp, "out": root, "signature": sig,
                        "at": datetime.now().isoformat(timespec="seconds"), "mode": plan.mode})
    con.execute("INSERT OR REPLACE INTO site_state (name, value) VALUES ('portal_build', ?)", [value])
    con.execute("DELETE FROM site_state WHERE name = ?", [OWED])


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Page:
    path: str  # URL path, also the output path
    template: str
    context: dict[str, Any]


def _crumbs(site: SiteData, column_id: int | None, *, current: bool) -> list[dict]:
    key = (column_id, current)
    if key not in site._crumbs:
        crumbs = [{"name": "首页", "url": "/index.html", "current": False}]
        trail = site.trail(column_id)
        for i, col in enumerate(trail):
            crumbs.append({"name": col.name, "url": col.url, "current": current and i == len(trail) - 1})
        site._crumbs[key] = crumbs
    return site._crumbs[key]


def _section(site: SiteData, column_id: int | None) -> int | None:
    trail = site.trail(column_id)
    return trail[0].id if trail else None


def _tree_order(site: SiteData, col: Column) -> list[tuple[int, int]]:
    return [(t.position, t.id) for t in site.trail(col.id)]


def key_columns(site: SiteData) -> list[Column]:
    """The columns the home page shows the latest items of (first-level ones if none is key)."""
    key = [c for c in site.columns.values() if c.is_key and not c.retired] or site.nav
    return sorted(key, key=lambda c: _tree_order(site, c))


def interaction_columns(site: SiteData) -> list[Column]:
    """互动交流: the topmost live columns of kind 'interaction' (第十九条)."""
    found = [c for c in site.columns.values() if c.kind == "interaction" and not c.retired
             and not (c.parent_id in site.columns and site.columns[c.parent_id].kind == "interaction")]
    return sorted(found, key=lambda c: _tree_order(site, c))


def home_page(site: SiteData, heads: dict[int, list[dict]], latest: list[dict] | None = None) -> Page:
    """最新信息 (the newest items of every column, so whatever is published shows on the home page),
    latest items of the key columns, every first-level column, 互动交流, site map, search."""
    sections = [{"column": c.ref, "items": heads.get(c.id, [])} for c in key_columns(site)]
    return Page("/index.html", "home.html", {
        "page_title": site.site_name,
        "latest": latest or [],
        "sections": sections,
        "first_level": [c.ref for c in site.nav],
        "interaction": [c.ref for c in interaction_columns(site)],
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
        "column": col.ref,
        "page_title": col.name,
        "children": [c.ref for c in col.visible_children],
        "section_id": _section(site, col.id),
        "total": total,
        "pages": pages,
        "column_feed": feed_url(col.slug),
        # the topmost 互动交流 column lists the latest answers (第十九条); re-rendered when they change
        "answers": site.answers[:LATEST_ANSWERS] if col.id in {c.id for c in interaction_columns(site)} else [],
    }
    for n in range(1, pages + 1):
        items = col.listing[(n - 1) * PER_PAGE: n * PER_PAGE]
        pager = [
            {"number": p, "url": column_url(col.slug, p) if p else None, "current": p == n}
            for p in _page_window(n, pages)
        ]
        yield Page(column_url(col.slug, n), "column.html", {
            **base,
            "crumbs": _crumbs(site, col.id, current=n == 1),  # page 2 is not the column's page
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


def _link(item: dict | None) -> dict | None:
    return {"title": item["title"], "url": item["url"]} if item else None


def article_page(site: SiteData, meta: dict, body: dict, attachments: list[dict],
                 nearby: tuple[dict | None, dict | None]) -> Page:
    """One public article: its live revision, attachments and neighbours."""
    column = site.columns.get(meta["column_id"])
    return Page(meta["url"], "article.html", {
        "page_title": meta["title"],
        "article": meta,
        "column": column.ref if column else None,
        "body_html": body["body_html"],
        "source": (body["source"] or "").strip(),
        "attachments": attachments,
        "previous": _link(nearby[0]),
        "next": _link(nearby[1]),
        "crumbs": _crumbs(site, meta["column_id"], current=False),
        "section_id": _section(site, meta["column_id"]),
    })


def withdrawn_page(item: dict) -> Page:
    """The notice at the URL of an item that was published and is no longer public."""
    return Page(article_url(item["id"], item["published_at"]), "withdrawn.html", {
        "page_title": "该信息已撤下",
        "withdrawn_at": item["withdrawn_at"],
        "section_id": None,
    })


_EPOCH = datetime(2000, 1, 1)


def feed_page(site: SiteData, path: str, title: str, alternate: str, items: list[dict]) -> Page:
    """An Atom feed (RFC 4287) of ``items``, newest first."""
    updated = max((i["updated_at"] or i["published_at"] for i in items), default=_EPOCH)
    return Page(path, "feed.xml", {"feed_title": title, "alternate": alternate, "items": items,
                                   "updated": updated})


def _column_tree(cols: list[Column]) -> list[dict]:
    return [{"column": c.ref, "children": _column_tree(c.visible_children)} for c in cols if not c.retired]


def site_pages(site: SiteData, search_template: bool) -> list[Page]:
    """The pages every build renders: site map, accessibility help, 404, search."""
    retired = [c.ref for c in site.columns.values()
               if c.retired and not any(t.retired for t in site.trail(c.id)[:-1])]
    pages = [
        Page("/sitemap.html", "sitemap.html", {"page_title": "网站地图", "section_id": None,
                                               "tree": _column_tree(site.roots), "retired": retired}),
        Page("/accessibility.html", "accessibility.html", {"page_title": "无障碍与适老化服务", "section_id": None}),
        Page("/404.html", "404.html", {"page_title": "页面不存在", "section_id": None}),
    ]
    if search_template:
        pages.append(Page("/search.html", "search.html", {"page_title": "站内搜索", "section_id": None}))
    return pages


def robots_txt(site: SiteData) -> str:
    return f"User-agent: *\nDisallow: /workbench/\nSitemap: {site.site_url}/sitemap.xml\n"


_SITEMAP_URLS = f"""
    WITH urls AS (
        SELECT 0 AS grp, 0 AS k, '/index.html' AS path, NULL AS lastmod
        UNION ALL SELECT 0, 1, '/sitemap.html', NULL
        UNION ALL SELECT 1, id, '/col/' || slug || '/index.html', NULL FROM columns
        UNION ALL SELECT 2, a.id,
               '/art/' || strftime(coalesce(a.published_at, a.updated_at), '%Y/%m/') || a.id || '.html',
               strftime(greatest(r.created_at, coalesce(a.published_at, a.updated_at)), '%Y-%m-%d')
        {_LIVE}
    )
    SELECT (row_number() OVER (ORDER BY grp, k) - 1) // ? AS chunk, grp, k, path, lastmod FROM urls
"""


def sitemap_files(con: duckdb.DuckDBPyConnection, site: SiteData) -> list[tuple[str, str]]:
    """``/sitemap.xml`` with every public article and column page; beyond SITEMAP_CHUNK URLs it
    becomes an index of ``/sitemap-<n>.xml`` chunks. Assembled in SQL: 100,000 URLs in ~0.1 s."""
    base = xml_escape(site.site_url)
    chunks = con.execute(f"""
        SELECT chunk, string_agg('<url><loc>' || ? || path || '</loc>'
                                 || coalesce('<lastmod>' || lastmod || '</lastmod>', '') || '</url>',
                                 chr(10) ORDER BY grp, k)
        FROM ({_SITEMAP_URLS}) GROUP BY chunk ORDER BY chunk""", [base, SITEMAP_CHUNK]).fetchall()
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    if len(chunks) == 1:
        return [("/sitemap.xml", f"{head}<urlset {ns}>\n{chunks[0][1]}\n</urlset>\n")]
    files = [(f"/sitemap-{n + 1}.xml", f"{head}<urlset {ns}>\n{body}\n</urlset>\n") for n, body in chunks]
    index = "\n".join(f"<sitemap><loc>{base}{path}</loc></sitemap>" for path, _ in files)
    return [("/sitemap.xml", f"{head}<sitemapindex {ns}>\n{index}\n</sitemapindex>\n"), *files]


# --------------------------------------------------------------------------- rendering


def _date(value: datetime | date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _date_zh(value: datetime | date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _atom_date(value: datetime | date | None) -> str:
    value = value or _EPOCH
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.strftime("%Y-%m-%dT%H:%M:%S") + SITE_UTC_OFFSET


class _PortalEnvironment(Environment):
    """Page contexts are plain dicts (they travel to worker processes): look keys up first,
    instead of failing an attribute lookup on every ``item.title`` (a third of render time)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja2 environment of this process (autoescape on for everything)."""
    env = _PortalEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = _date
    env.filters["date_zh"] = _date_zh
    env.filters["atom_date"] = _atom_date
    return env


def render(page: Page, site_context: dict[str, Any]) -> str:
    template = environment().get_template(page.template)
    nav_key = _nav_key(page.path, page.context.get("section_id"), site_context["nav_urls"])
    return template.render({**site_context, **page.context, "path": page.path, "nav_key": nav_key})


def _nav_key(path: str, section_id: int | None, nav_urls: dict[int, str]) -> str:
    """Where a page sits in the main navigation: home, a section's own page, inside a section."""
    if path == "/index.html":
        return "home"
    if section_id not in nav_urls:
        return ""
    return f"{section_id}:{'page' if path == nav_urls[section_id] else 'true'}"


def _nav_html(nav: list[dict]) -> dict[str, Markup]:
    """The navigation is the same on every page but for aria-current: render each variant once
    per build instead of once per page (a fifth of a page's render time)."""
    template = environment().get_template("_nav.html")
    variants = {"": (None, ""), "home": (None, "home")}
    for col in nav:
        variants |= {f"{col['id']}:page": (col["id"], "page"), f"{col['id']}:true": (col["id"], "true")}
    return {key: Markup(template.render(nav=nav, section_id=section, current=current))
            for key, (section, current) in variants.items()}


def _site_context(site: SiteData, versions: dict[str, str]) -> dict[str, Any]:
    """What every page shows (header, footer), as plain data a worker process can receive."""
    nav = [c.ref for c in site.nav]
    return {
        "nav_html": _nav_html(nav),
        "nav_urls": {c["id"]: c["url"] for c in nav},
        "site_name": site.site_name,
        "site_url": site.site_url,
        "site_host": site.host,
        "nav": nav,
        "css_url": f"/static/site.css?v={versions.get('site.css', '')}",
        "js_url": f"/static/a11y.js?v={versions.get('a11y.js', '')}",
        "site_feed": feed_url(),
        "message_url": site.message_url,
        "answers_url": ANSWERS_URL,
        "contact_phone": site.contact_phone,
        "contact_email": site.contact_email,
    }


def _copy_static(writer: Writer) -> dict[str, str]:
    """Copy templates/static to out/static; returns short hashes of the files, for cache-busting."""
    versions = {}
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            name = path.relative_to(STATIC).as_posix()
            writer.write("/static/" + name, data)
            versions[name] = hashlib.sha256(data).hexdigest()[:10]
    return versions


# the context of a worker process, set once by the pool's initializer
_WORKER: dict[str, Any] = {}


def _worker_init(site_context: dict[str, Any], root: str) -> None:
    _WORKER.update(context=site_context, root=root)


def _render_batch(pages: list[Page]) -> tuple[list[str], int, int, int]:
    """In a worker: render and write a batch of pages; report what was written."""
    writer = Writer(_WORKER["root"])
    for page in pages:
        writer.write(page.path, render(page, _WORKER["context"]))
    return sorted(writer.claimed), writer.writes, writer.unchanged, writer.bytes


def _pool_context() -> multiprocessing.context.BaseContext | None:
    """Fork, when this process runs no other thread (the command line); else no pool.

    Forking a process that runs other threads (the workbench) can copy a lock some thread
    holds; and fork-server or spawn workers re-run the parent's ``__main__``, which in the
    workbench is app.py: it opens the database the parent holds (found by the test suite).
    The workbench builds full only as a fallback (first build, column or template change)."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return None


class Renderer:
    """Renders pages in this process, or in a pool of ``workers`` processes (batches of pages)."""

    def __init__(self, writer: Writer, site_context: dict[str, Any], workers: int, progress: Progress):
        self.writer = writer
        self.context = site_context
        self.progress = progress
        self.pages = 0
        self._batch: list[Page] = []
        self._pending: deque[tuple[Future, int]] = deque()
        self._pool = None
        context = _pool_context() if workers > 1 else None
        if context is not None:
            self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init,
                                             initargs=(site_context, writer.root))
            self._max_pending = workers * 2  # bounds the bodies waiting in memory

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._pool is None:
            return
        failed = exc_type is not None
        try:
            if not failed:
                self.flush()
        except BaseException:
            failed = True
            raise
        finally:
            # on failure: drop queued batches, let running ones finish their atomic writes
            self._pool.shutdown(wait=True, cancel_futures=failed)

    def emit(self, page: Page) -> None:
        self.pages += 1
        if self._pool is None:
            self.writer.write(page.path, render(page, self.context))
            self.progress.advance()
            return
        self._batch.append(page)
        if len(self._batch) >= RENDER_BATCH:
            self._submit()

    def _submit(self) -> None:
        if self._batch:
            self._pending.append((self._pool.submit(_render_batch, self._batch), len(self._batch)))
            self._batch = []
        while len(self._pending) > self._max_pending:
            self._collect()

    def _collect(self) -> None:
        future, size = self._pending.popleft()
        self.writer.merge(*future.result())
        self.progress.advance(size)

    def flush(self) -> None:
        if self._pool is not None:
            self._submit()
            while self._pending:
                self._collect()


# --------------------------------------------------------------------------- build


def build_site(con: duckdb.DuckDBPyConnection, out_dir: str | Path = "site_build", *,
               full: bool = True, progress: bool | None = None, workers: int | None = None) -> dict:
    """Render the public portal into ``out_dir``: everything, or (``full=False``) what changed
    since the last build into that folder (see the module docstring for what that covers).

    ``progress``: a bar on stderr during the build (None: when stderr is a terminal).
    ``workers``: processes rendering pages in a large build (None: one per core; only where
    this process runs no other thread, see ``_pool_context``).
    Returns counts: pages (pages rendered, feeds included), articles (article pages),
    columns (listings rendered), withdrawn (notices), attachments (files written or checked),
    writes (files created or replaced), unchanged (files already up to date), pruned
    (stale files removed), seconds; and mode ("full" | "incremental"), reason (why full),
    changed_articles (ids whose own page changed state) and touched_years (their years of
    publication: the search index re-indexes only those shards; after a full build, every year).
    """
    # the scheduler thread and a page's publish can both ask for a build: one at a time, since
    # a build prunes files (temp files included) that it did not write itself
    with _BUILD_LOCK:
        return _build(con, out_dir, full=full, progress=progress, workers=workers)


def _build(con: duckdb.DuckDBPyConnection, out_dir: str | Path, *, full: bool, progress: bool | None,
           workers: int | None) -> dict:
    started = time.perf_counter()
    writer = Writer(out_dir)
    full = _owe_build(con, writer.root, full)
    with transaction(con):  # one snapshot for the whole build, and the record written with it
        site = load_site(con)
        sig = signature(con)
        plan = plan_build(con, site, writer.root, sig, full)
        if plan.full:  # should this build fail, the next one is full again, whatever changed
            writer.remove("/" + STAMP_FILE)
        counts = _render_all(con, site, plan, writer, progress, workers)
        plan.years |= counts.pop("answer_years")
        for path, text in sitemap_files(con, site):
            writer.write(path, text)
        writer.write("/robots.txt", robots_txt(site))
        counts["attachments"] = _write_attachments(con, writer, None if plan.full else sorted(plan.articles))
        pruned = _clean(writer, plan, [c for c in site.columns.values() if c.id in (plan.listings or ())])
        stamp = secrets.token_hex(8)
        writer.write("/" + STAMP_FILE, stamp + "\n")
        save_record(con, plan, writer.root, sig, stamp)
    return {
        "mode": plan.mode,
        "reason": plan.reason,
        **counts,
        "writes": writer.writes,
        "unchanged": writer.unchanged,
        "pruned": pruned,
        "changed_articles": plan.changed,
        "touched_years": sorted(plan.years),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _render_all(con: duckdb.DuckDBPyConnection, site: SiteData, plan: Plan, writer: Writer,
                progress: bool | None, workers: int | None) -> dict:
    """Render every page of the plan (in worker processes when there are many)."""
    listings = [c for c in site.columns.values() if plan.listings is None or c.id in plan.listings]
    by_id = {i["id"]: i for c in site.columns.values() for i in c.items}
    ids = sorted(by_id if plan.articles is None else plan.articles & by_id.keys())
    notices = _withdrawn(con, plan.notices)
    total = len(ids) + len(notices) + sum(max(1, math.ceil(len(c.listing) / PER_PAGE)) for c in listings)
    if total < PARALLEL_MIN_PAGES:
        workers = 0
    elif workers is None:
        workers = os.cpu_count() or 1
    context = _site_context(site, _copy_static(writer))
    bar = Progress(total, "生成门户页面", enabled=progress if plan.full else False)
    with bar, Renderer(writer, context, workers, bar) as renderer:
        for page in _article_pages(con, site, by_id, ids):
            renderer.emit(page)
        for col in listings:
            for page in column_pages(site, col):
                renderer.emit(page)
        pause_point("pages")
        for item in notices:
            renderer.emit(withdrawn_page(item))
        for page in _shared_pages(con, site, listings):
            renderer.emit(page)
    answered, years = _write_answers(con, site, writer, context, only_new=not plan.full)
    return {"pages": renderer.pages + answered, "articles": len(ids), "columns": len(listings),
            "withdrawn": len(notices), "answers": answered, "answer_years": years}


def _article_pages(con: duckdb.DuckDBPyConnection, site: SiteData, by_id: dict[int, dict],
                   ids: list[int]) -> Iterator[Page]:
    """Article pages in id order, bodies streamed a batch at a time."""
    nearby = neighbours(site)
    attachments = _attachments(con, None if len(ids) > BODY_BATCH else ids)
    for body in _bodies(con, ids):
        meta = by_id[body["id"]]
        yield article_page(site, meta, body, attachments.get(meta["id"], []),
                           nearby.get(meta["id"], (None, None)))


def _shared_pages(con: duckdb.DuckDBPyConnection, site: SiteData, listings: list[Column]) -> Iterator[Page]:
    """Home page, feeds (site-wide and of the listings rendered) and the site's fixed pages."""
    from core import settings

    yield home_page(site, fetch_heads(con, site, [c.id for c in key_columns(site)], HOME_ITEMS),
                    fetch_latest(con, site, settings.get(con, "home_latest_items")))
    yield feed_page(site, feed_url(), site.site_name, "/index.html", fetch_latest(con, site, SITE_FEED_ITEMS))
    for col in listings:
        yield feed_page(site, feed_url(col.slug), f"{col.name} - {site.site_name}", col.url,
                        col.listing[:COLUMN_FEED_ITEMS])
    yield from site_pages(site, (TEMPLATES / "search.html").is_file())


# --------------------------------------------------------------------------- interaction answers


def answer_url(message_id: int, published_at: datetime | date) -> str:
    """``/art/<yyyy>/<mm>/hd<id>.html``: beside the articles of its month, so the same search
    shard indexes it (第十九条: answers are searchable like any page)."""
    return f"/art/{published_at.year:04d}/{published_at.month:02d}/hd{message_id}.html"


def answer_pages(site: SiteData) -> Iterator[Page]:
    """One page per published answer and the 留言答复 listing, PER_PAGE a page."""
    interaction = interaction_columns(site)
    column = interaction[0].ref if interaction else None
    answers = site.answers
    for item in answers:
        yield Page(item["url"], "answer.html", {"page_title": item["subject"], "message": item, "column": column,
                                                "section_id": column["id"] if column else None})
    pages = max(1, math.ceil(len(answers) / PER_PAGE))
    for n in range(1, pages + 1):
        path = ANSWERS_URL if n == 1 else f"/hudong/index_{n}.html"
        yield Page(path, "answers.html", {
            "page_title": "公众留言答复", "items": answers[(n - 1) * PER_PAGE: n * PER_PAGE], "total": len(answers),
            "page": n, "pages": pages, "column": column, "section_id": column["id"] if column else None,
            "prev_url": (ANSWERS_URL if n == 2 else f"/hudong/index_{n - 1}.html") if n > 1 else None,
            "next_url": f"/hudong/index_{n + 1}.html" if n < pages else None})


def _write_answers(con: duckdb.DuckDBPyConnection, site: SiteData, writer: Writer,
                   context: dict[str, Any], *, only_new: bool = False) -> tuple[int, set[int]]:
    """Every build writes the published answers' listing and removes the pages of answers taken
    off; returns pages written and the years whose search shards changed.

    ``only_new`` (incremental builds): an answer's own page is rendered only when its file is
    missing. A published answer never changes (it can only be taken off, which removes its
    page), and whatever else its page shows is in the build signature, whose change makes the
    build full; rendering them all made every publish cost a page per published answer."""
    years: set[int] = set()
    count = 0
    for page in answer_pages(site):
        if only_new and page.template == "answer.html" and os.path.exists(writer.target(page.path)):
            continue
        before = writer.writes
        writer.write(page.path, render(page, context))
        count += 1
        if writer.writes > before and page.template == "answer.html":
            years.add(page.context["message"]["published_at"].year)
    for gone in rows(con, "SELECT id, published_at FROM messages WHERE state <> 'published' "
                          "AND published_at IS NOT NULL"):
        path = answer_url(gone["id"], gone["published_at"])
        if os.path.exists(writer.target(path)):
            writer.remove(path)
            years.add(gone["published_at"].year)
    writer.remove_unclaimed("/hudong", _COLUMN_PAGE_NAME)
    for col in interaction_columns(site):  # its first page lists the latest answers
        first = next(column_pages(site, col))
        if writer.target(first.path) not in writer.claimed:
            writer.write(first.path, render(first, context))
            count += 1
    return count, years


def _write_attachments(con: duckdb.DuckDBPyConnection, writer: Writer, ids: list[int] | None) -> int:
    """The files of public articles (all, or of ``ids``); unchanged files are not rewritten."""
    if ids is not None and not ids:
        return 0
    atts = [a for found in _attachments(con, ids).values() for a in found]
    files = 0
    for att, data in _blobs(con, atts):
        writer.write(att["path"], data)
        files += 1
    return files


def _clean(writer: Writer, plan: Plan, listings: list[Column]) -> int:
    """Remove what the portal no longer serves: after a full build, whatever it did not write;
    after an incremental one, the pages and attachments that changed articles left behind."""
    if plan.full:
        return writer.prune()
    before = writer.removed
    for path in plan.stale_paths:
        writer.remove(path)
    for col in listings:  # a shorter listing leaves its last pages behind
        writer.remove_unclaimed(f"/col/{col.slug}", _COLUMN_PAGE_NAME)
    writer.remove_unclaimed("/", _SITEMAP_CHUNK_NAME)
    return writer.removed - before


# --------------------------------------------------------------------------- interrupted builds

OWED = "portal_build_owed"  # site_state: a build that started writing files and has not finished
# temporary names of writers (ours and the search index's) and of Pagefind's folders: they carry the pid
_LEFTOVER = re.compile(r"\..+\.(\d+)-[0-9a-f]{8}\.tmp|\.tmp-\d{4}q[1-4]-(\d+)-[0-9a-f]{8}")


def _owe_build(con: duckdb.DuckDBPyConnection, root: str, full: bool) -> bool:
    """Commit, before any file is written, that a build into ``root`` is owed; ``save_record``
    settles it in the build's own transaction. A build killed in between (kill -9) leaves the debt
    for ``resume_interrupted_build``. What it must render need not be written down: ``portal_built``
    still holds what the last finished build rendered, so the next build's diff is the debt.
    Returns whether this build must be full (asked now, or owed by a full build that died)."""
    owed = owed_build(con)
    full = full or bool(owed and owed.get("out") == root and owed.get("full"))
    value = json.dumps({"out": root, "full": full, "pid": os.getpid(),
                        "since": datetime.now().isoformat(timespec="seconds")})
    with transaction(con):
        con.execute("INSERT OR REPLACE INTO site_state (name, value) VALUES (?, ?)", [OWED, value])
    return full


def owed_build(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The build that started and did not finish ({"out", "full", "pid", "since"}), or None."""
    raw = scalar(con, "SELECT value FROM site_state WHERE name = ?", [OWED])
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return {"out": None, "full": True}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_leftovers(out_dir: str | os.PathLike) -> int:
    """Delete the temporary files and Pagefind folders that processes which died (kill -9) left in
    the output folder; those of a running process are kept. Returns how many were deleted."""
    removed = 0
    for folder, subdirs, files in os.walk(os.path.realpath(out_dir)):
        for name in [*files, *subdirs]:
            found = _LEFTOVER.fullmatch(name)
            if not found or _alive(int(found.group(1) or found.group(2))):
                continue
            path = os.path.join(folder, name)
            if name in subdirs:
                subdirs.remove(name)
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
            removed += 1
    return removed


@dataclass
class Resumed:
    """What ``resume_interrupted_build`` did."""

    removed: int = 0  # leftover temporary files and folders deleted
    build: dict | None = None  # the owed build, redone (build_site's counts), or None
    search: list[str] = field(default_factory=list)  # search shards found stale, re-indexed
    search_thread: threading.Thread | None = None  # doing that re-index; join() waits for it


def resume_interrupted_build(con: duckdb.DuckDBPyConnection, out_dir: str | os.PathLike) -> Resumed:
    """At start (the workbench's scheduler runs it before its first tick): finish what a publication
    killed half-way left undone (issue 12, L1). Deletes dead processes' temporary files, redoes the
    owed build into ``out_dir`` (full if the dead one was full; else the diff against the last
    finished build), then re-indexes in the background the search shards whose pages changed since
    they were indexed (a re-index killed after its build is caught here too)."""
    from core import search

    root = os.path.realpath(out_dir)
    done = Resumed()
    with _BUILD_LOCK:  # no build of this process writes meanwhile
        done.removed = remove_leftovers(root)
    owed = owed_build(con)
    if owed is not None and owed.get("out") in (root, None):
        done.build = build_site(con, root, full=bool(owed.get("full")), progress=False)
    if done.build is not None or (Path(root) / search.BUNDLE_DIR / search.MANIFEST).is_file():
        done.search = search.stale_shards(root)
        if done.search:
            done.search_thread = search.reindex_in_background(root, None)
    return done
