"""Portal redirects: permanent URLs (cool URIs don't change; 政府网站与政务新媒体检查指标: 链接可用性).

Every build records the URLs it wrote in ``portal_urls`` (migration 0022) in one bulk upsert. A recorded
URL that the build no longer writes (a column's address changed, an article's page moved, a listing got
shorter, an attachment or answer was taken off) gets a redirect to where its content lives now, or to the
nearest page that still exists (the column, the parent folder's page, the home page):

- at the old path, when it ends in ``.html``, a small page with the canonical link, a meta refresh and a
  visible link (no script, not in the sitemap, not indexed by search);
- in ``/.redirects.map``, an nginx ``map`` from every old path to its target, which deploy/nginx.conf
  includes to answer a real 301 (read when nginx starts or reloads: the pages cover the time between).

A full build recomputes every redirect; an incremental one those of the files it removed.

Imports from: portal.urls, portal.writer, portal.data, portal.render; core.db.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from urllib.parse import quote

import duckdb

from core.db import rows
from core.portal.data import SiteData
from core.portal.render import environment
from core.portal.urls import ANSWERS_URL, article_url, column_url
from core.portal.writer import Writer

REDIRECT_MAP = "/.redirects.map"  # hidden: nginx never serves a dot path (deploy/nginx.conf)
HOME = "/index.html"
_ARTICLE = re.compile(r"/art/\d{4}/\d{2}/(\d+)\.html")
_ANSWER = re.compile(r"/art/\d{4}/\d{2}/hd(\d+)\.html")
_COLUMN = re.compile(r"/col/([^/]+)/([^/]+)")
_FILE = re.compile(r"/files/(\d+)/[^/]+")


def recordable(path: str) -> bool:
    """The URLs the portal publishes: not its static assets, nor hidden files (stamps, the map)."""
    return not path.startswith("/static/") and "/." not in path


def classify(path: str, slugs: dict[str, int]) -> tuple[str, int | None]:
    """(kind, ref) of a written path: what its content is, to find it again after a move."""
    for kind, pattern in (("article", _ARTICLE), ("answer", _ANSWER), ("file", _FILE)):
        found = pattern.fullmatch(path)
        if found:
            return kind, int(found.group(1))
    found = _COLUMN.fullmatch(path)
    if found and found.group(1) in slugs:
        return "column", slugs[found.group(1)]
    return "page", None


def _parents(path: str) -> list[str]:
    """The index pages of the folders above ``path``, nearest first, ending with the home page."""
    found = []
    folder = posixpath.dirname(path)
    if posixpath.basename(path) == "index.html":
        folder = posixpath.dirname(folder)
    while True:
        found.append(HOME if folder in ("/", "") else f"{folder}/index.html")
        if folder in ("/", ""):
            return found
        folder = posixpath.dirname(folder)


def _candidates(con: duckdb.DuckDBPyConnection, site: SiteData, moved: list[dict]) -> dict[str, list[str]]:
    """Where each moved path's content may be now, best first (its own new address, then its parents)."""
    ids = {kind: sorted({m["ref"] for m in moved if m["kind"] == kind}) for kind in ("article", "file")}
    pages = {r["id"]: article_url(r["id"], r["at"]) for r in rows(con, """
        SELECT id, coalesce(published_at, updated_at) AS at FROM articles
        WHERE live_revision IS NOT NULL AND id IN (SELECT unnest(?::INTEGER[]))""", [ids["article"]])}
    files = {r["id"]: article_url(r["article_id"], r["at"]) for r in rows(con, """
        SELECT t.id, t.article_id, coalesce(a.published_at, a.updated_at) AS at
        FROM attachments t JOIN articles a ON a.id = t.article_id
        WHERE a.live_revision IS NOT NULL AND t.id IN (SELECT unnest(?::INTEGER[]))""", [ids["file"]])}
    found = {}
    for m in moved:
        path, kind, ref = m["path"], m["kind"], m["ref"]
        own: list[str] = []
        if kind == "article" and ref in pages:
            own = [pages[ref]]
        elif kind == "file" and ref in files:
            own = [files[ref]]
        elif kind == "answer":
            own = [ANSWERS_URL]
        elif kind == "column" and ref in site.columns:
            slug = site.columns[ref].slug
            own = [f"/col/{slug}/{posixpath.basename(path)}", column_url(slug)]
        found[path] = [p for p in own if p != path] + _parents(path)
    return found


def settle(con: duckdb.DuckDBPyConnection, writer: Writer, site: SiteData, *, full: bool,
           context: dict) -> int:
    """Record what this build wrote and leave a redirect at every recorded path it no longer serves
    (after a full build: all of them; after an incremental one: those it removed). Returns how many
    redirects this build wrote or renewed. Runs in the build's transaction."""
    now = datetime.now()
    served = sorted(p for p in map(writer.url_path, writer.claimed) if recordable(p))
    slugs = {c.slug: c.id for c in site.columns.values()}
    kinds = [classify(p, slugs) for p in served]
    revived = _record(con, served, kinds, now)
    gone = sorted({p for p in writer.gone if recordable(p)})
    moved: list[dict] = []
    if full or gone:  # an incremental build that removed nothing moved nothing
        moved = rows(con, "SELECT path, kind, ref FROM portal_urls WHERE last_written <> ?"
                          + ("" if full else " AND path IN (SELECT unnest(?::VARCHAR[]))"),
                     [now] if full else [now, gone])
    if moved:
        _redirect(con, writer, site, moved, gone, now, context)
    if moved or revived or full or not _exists(writer, REDIRECT_MAP):
        writer.write(REDIRECT_MAP, nginx_map(con))
    return len(moved)


def _record(con: duckdb.DuckDBPyConnection, served: list[str], kinds: list[tuple[str, int | None]],
            now: datetime) -> bool:
    """One set-based upsert of the paths written (an UPDATE and an anti-join INSERT from one list: six
    times faster than INSERT … ON CONFLICT on 20,000 rows). Returns whether a path that had a redirect
    is written again (a listing grown back): the nginx map must lose its line."""
    con.execute("CREATE OR REPLACE TEMP TABLE portal_written AS SELECT unnest(?::VARCHAR[]) AS path, "
                "unnest(?::VARCHAR[]) AS kind, unnest(?::INTEGER[]) AS ref",
                [served, [k for k, _ in kinds], [r for _, r in kinds]])
    revived = con.execute("SELECT count(*) FROM portal_urls u JOIN portal_written w ON u.path = w.path "
                          "WHERE u.moved_to IS NOT NULL").fetchone()[0] > 0
    con.execute("UPDATE portal_urls SET kind = w.kind, ref = w.ref, last_written = ?, moved_to = NULL "
                "FROM portal_written w WHERE portal_urls.path = w.path", [now])
    con.execute("INSERT INTO portal_urls (path, kind, ref, first_written, last_written) "
                "SELECT w.path, w.kind, w.ref, ?, ? FROM portal_written w ANTI JOIN portal_urls u ON u.path = w.path",
                [now, now])
    con.execute("DROP TABLE portal_written")
    return revived


def _exists(writer: Writer, path: str) -> bool:
    try:
        with open(writer.target(path), "rb"):
            return True
    except OSError:
        return False


def _redirect(con: duckdb.DuckDBPyConnection, writer: Writer, site: SiteData, moved: list[dict],
              gone: list[str], now: datetime, context: dict) -> None:
    candidates = _candidates(con, site, moved)
    wanted = sorted({p for found in candidates.values() for p in found})
    # a target is a page this build wrote, or one an earlier build wrote that is still there
    live = {r[0] for r in con.execute("""
        SELECT path FROM portal_urls WHERE moved_to IS NULL AND path IN (SELECT unnest(?::VARCHAR[]))
          AND (last_written = ? OR path NOT IN (SELECT unnest(?::VARCHAR[])))""", [wanted, now, gone]).fetchall()}
    targets = {path: next((p for p in found if p in live), HOME) for path, found in candidates.items()}
    con.execute("""
        UPDATE portal_urls SET moved_to = m.target
        FROM (SELECT unnest(?::VARCHAR[]) AS path, unnest(?::VARCHAR[]) AS target) m
        WHERE portal_urls.path = m.path""", [list(targets), list(targets.values())])
    template = environment().get_template("redirect.html")
    for path, target in sorted(targets.items()):
        if path.endswith(".html"):
            writer.write(path, template.render(**context, page_title="页面已迁移", target=quote(target),
                                               shown=site.host + target))


def nginx_map(con: duckdb.DuckDBPyConnection) -> str:
    """The body of an nginx ``map $uri $portal_moved { … }``: one line per moved path (and its
    folder form for an index page), the target URL-encoded; keys are nginx's decoded ``$uri``."""
    lines = ["# 由门户生成(core/portal/redirects.py),请勿手工修改:旧网址 → 内容的新网址(301)"]
    for path, target in con.execute("SELECT path, moved_to FROM portal_urls WHERE moved_to IS NOT NULL "
                                    "ORDER BY path").fetchall():
        value = quote(target)
        lines.append(f'"{_key(path)}" "{value}";')
        if path.endswith("/index.html"):
            lines.append(f'"{_key(path[:-len("index.html")])}" "{value}";')
    return "\n".join(lines) + "\n"


def _key(path: str) -> str:
    return path.replace("\\", "\\\\").replace('"', '\\"')
