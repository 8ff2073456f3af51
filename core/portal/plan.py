"""Portal plan: what one build renders, and the record of what the last one rendered.

Incremental builds: ``portal_built`` (migration 0002) records, per article, what the last
successful build rendered (live revision, public, column, date, attachments, withdrawal
date). The next build diffs the live state against it in one query and renders only the
changed articles, their previous/next neighbours (old and new), the pages of the listings
that show them (their columns and the ancestors whose listings include them) whose items changed
(``changed_archive_pages``), the home page, the feeds and the sitemap. A change
to the column tree, the divisions, the site settings (the footer's identity ones included), the uploaded
党政机关网站标识 or the templates and code changes every page's header, footer or layout (``signature``):
that build is full. So is the first build into a
folder, and any build whose folder does not hold the stamp of the recorded build. The record
is written in the build's transaction after the files, so a build that fails is redone by the
next one. Before writing a file, a build commits that it is owed (``owe_build``); the record
settles it.

Catalogued documents (政府信息公开, migration 0018): the record keeps their catalogue data too, so
a change of it (validity, topic, a 解读 linked) is a change of the document; the documents that
link to a changed one (portal.disclosure.related_documents, old links and new) are re-rendered,
and the 公开目录 listings of its topic and year (old and new). Topic names are in the signature.

Notes (migration 0022): the record keeps an article's 更正说明 (public) or its withdrawal notice's category and
replacement (taken down), so adding a note re-renders the article's page.

Stable pagination (issue 16): a listing's archive pages are numbered from the oldest (portal.pages), so
a publish renders the listing's index.html and its newest archive page, not every page; ``changed_archive_pages``
finds the pages whose items or pager changed, comparing the places of the last build with the current ones.

The 留言答复 listing (``answers_plan``): the same stable pagination; the answers are read and its pages
compared only when the answers changed since the last build into the folder (``ANSWERS_KEY``: a digest of
the answers ever published, and a mark per archive page of the places it holds).

Imports from: portal.urls, portal.data, portal.pages, portal.disclosure, portal.render (the template files of
the signature); core.db.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from core.db import rows, scalar, transaction
from core.portal.data import (
    COLUMN_SETTINGS,
    IDENTITY_SETTINGS,
    WITHDRAWN_AT,
    Column,
    SiteData,
    fetch_listings,
    fill_items,
)
from core.portal.disclosure import ENTRY_FIELDS, related_documents
from core.portal.pages import (
    COLUMN_FEED_ITEMS,
    PER_PAGE,
    archive_count,
    archive_page_of,
    archive_span,
    interaction_columns,
)
from core.portal.render import template_files
from core.portal.urls import article_url

STAMP_FILE = ".portal-build"  # in the output folder: which recorded build it holds
OWED = "portal_build_owed"  # site_state: a build that started writing files and has not finished
CODE = Path(__file__).resolve().parent  # this package: its code is part of the signature


# what the portal shows of every article that has a page: the row portal_built keeps
_CURRENT = f"""
    SELECT a.id AS article_id, a.live_revision, a.public, r.column_id,
           coalesce(a.published_at, a.updated_at) AS published_at,
           CASE WHEN a.public THEN coalesce(t.ids, []::INTEGER[]) END AS attachments,
           CASE WHEN NOT a.public THEN coalesce(e.last_at, a.updated_at) END AS withdrawn_at,
           CASE WHEN ce.article_id IS NOT NULL
                THEN CAST(struct_pack({", ".join(f"{f} := ce.{f}" for f in ENTRY_FIELDS)}) AS VARCHAR) END
               AS catalogue,
           ce.topic_id, ce.interprets, ce.replaced_by,
           CASE WHEN a.public THEN n.notes ELSE concat_ws('|', td.category, td.replacement_id) END AS notes
    FROM articles a
    JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
    LEFT JOIN (SELECT article_id, list(id ORDER BY id) AS ids FROM attachments
               WHERE NOT removed GROUP BY article_id) t ON t.article_id = a.id
    LEFT JOIN catalogue_entries ce ON ce.article_id = a.id
    LEFT JOIN (SELECT article_id, string_agg(concat_ws('|', id, noted_at, text), chr(10) ORDER BY id) AS notes
               FROM article_corrections GROUP BY article_id) n ON n.article_id = a.id
    LEFT JOIN article_takedowns td ON td.article_id = a.id
    {WITHDRAWN_AT}
    WHERE a.live_revision IS NOT NULL
"""

_DIFF = f"""
    SELECT coalesce(c.article_id, b.article_id) AS id,
           c.article_id IS NOT NULL AND c.public AS public, coalesce(b.public, FALSE) AS was_public,
           c.article_id IS NULL AS gone,
           b.column_id AS old_column, c.column_id AS new_column,
           b.published_at AS old_published, c.published_at AS new_published,
           b.attachments AS old_attachments, c.attachments AS new_attachments,
           b.catalogue IS NOT NULL AS was_catalogued, c.catalogue IS NOT NULL AS catalogued,
           b.topic_id AS old_topic, c.topic_id AS new_topic
    FROM ({_CURRENT}) c FULL OUTER JOIN portal_built b ON b.article_id = c.article_id
    WHERE c.article_id IS NULL OR b.article_id IS NULL
       OR c.live_revision <> b.live_revision OR c.public <> b.public OR c.column_id <> b.column_id
       OR c.published_at <> b.published_at
       OR c.attachments IS DISTINCT FROM b.attachments OR c.withdrawn_at IS DISTINCT FROM b.withdrawn_at
       OR c.catalogue IS DISTINCT FROM b.catalogue OR c.notes IS DISTINCT FROM b.notes
    ORDER BY 1
"""

# everything that appears on every page, or decides every page's place: a change is a full build
_SIGNATURE_QUERIES = (
    "SELECT string_agg(concat_ws('|', id, parent_id, slug, name, kind, division_id, position, retired, is_key),"
    " chr(10) ORDER BY id) FROM columns",
    "SELECT string_agg(concat_ws('|', id, name), chr(10) ORDER BY id) FROM divisions",
    "SELECT string_agg(concat_ws('|', name, value), chr(10) ORDER BY name) FROM settings"
    " WHERE name IN ('site_name', 'site_url', 'workbench_url', 'interaction_phone', 'interaction_email',"
    f" {', '.join(repr(n) for n in (*COLUMN_SETTINGS, *IDENTITY_SETTINGS))})",
    # the 党政机关网站标识 in every footer (issue 15, identity)
    "SELECT string_agg(concat_ws('|', name, sha256), chr(10) ORDER BY name) FROM site_assets",
    # 主题分类 names are on every catalogued document page and the section's pages; 法定主动公开内容
    # is rendered by full builds only (one query for both)
    "SELECT concat_ws(chr(0),"
    " (SELECT string_agg(concat_ws('|', id, name, position, retired), chr(10) ORDER BY id) FROM disclosure_topics),"
    " (SELECT string_agg(concat_ws('|', item, column_id), chr(10) ORDER BY item, column_id) FROM statutory_columns))",
)


def signature(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the columns, divisions, site settings, templates, static files and this code."""
    digest = hashlib.sha256()
    for query in _SIGNATURE_QUERIES:
        digest.update(str(scalar(con, query)).encode("utf-8") + b"\0")
    digest.update(_files_digest())
    return digest.hexdigest()[:32]


_files_seen: dict[tuple, bytes] = {}  # the files' state (name, inode, size, times) -> what they add to the digest


def _files_digest() -> bytes:
    """What the templates, static files and this code add to the signature: their names and bytes, read again only
    when one of them was created, removed, replaced or written since the last build of this process (its inode,
    size or modification or change time moved; every build read and hashed them, ≈10 ms of a publish, issue 16)."""
    found = []
    for path in sorted([*template_files(), *CODE.glob("*.py")]):
        try:
            st = path.stat()
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.append((path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    key = tuple((path.as_posix(), *rest) for path, *rest in found)
    known = _files_seen.get(key)  # (the scheduler's thread asks too: portal.outdated)
    if known is None:
        digest = hashlib.sha256()
        for path, *_ in found:
            digest.update(path.as_posix().encode("utf-8") + b"\0" + path.read_bytes())
        known = digest.digest()
        _files_seen.clear()
        _files_seen[key] = known
    return known


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
    # 公开目录 listings to render (None: all): topics and years of the catalogued documents changed
    catalogue_topics: set[int] | None = None
    catalogue_years: set[int] | None = None
    paged_folders: list[str] = field(default_factory=list)  # the section's listings rendered (build.py)
    # the archive pages to render of each listing rendered (None: all); index.html and the feed always are
    archives: dict[int, set[int]] | None = None
    # the sitemap: the digest of its URLs before the articles' (the last build's, then this one's: build.py),
    # and its chunk files (0: one file)
    sitemap_head: str | None = None
    sitemap_chunks: int = 0

    @property
    def full(self) -> bool:
        return self.mode == "full"


def _record(con: duckdb.DuckDBPyConnection) -> dict | None:
    raw = scalar(con, "SELECT value FROM site_state WHERE name = 'portal_build'")
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def last_build(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The record of the last finished build ({"out", "signature", "at", "mode", ...}), or None."""
    return _record(con)


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


def outdated(con: duckdb.DuckDBPyConnection, out_dir: str | os.PathLike) -> bool:
    """Whether the portal last built into `out_dir` no longer matches the columns, divisions, settings,
    templates or code: an office change that publishes nothing (a column renamed, the footer's identity)
    reaches the portal at the scheduler's next tick, without anyone having to build it."""
    record = _record(con)
    return (record is not None and record.get("out") == os.path.realpath(out_dir)
            and record.get("signature") != signature(con))


def plan_build(con: duckdb.DuckDBPyConnection, site: SiteData, root: str, sig: str, full: bool) -> Plan:
    """Decide full or incremental, and for an incremental build exactly what to render."""
    reason = _why_full(con, root, sig, full)
    if not reason:
        plan = _incremental_plan(con, site, rows(con, _DIFF))
        plan.sitemap_head = (_record(con) or {}).get("sitemap_head")
        return plan
    fetch_listings(con, site)
    return Plan("full", reason)  # its changed articles and years: full_changes, while the workers render


def full_changes(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """For a full build, the search index's figures: what changed since the recorded build (everything,
    without one) and every year of publication (after a full build it re-indexes every year anyway).
    Nothing the pages need: portal.build reads them while its workers render (issue 16), before
    ``record_built`` replaces the record they are read against."""
    if not plan.full:
        return
    query = f"SELECT id FROM ({_DIFF})" if _record(con) else f"SELECT article_id FROM ({_CURRENT}) ORDER BY 1"
    plan.changed = [r[0] for r in con.execute(query).fetchall()]
    plan.years |= {r[0] for r in con.execute(f"SELECT DISTINCT year(published_at) FROM ({_CURRENT})").fetchall()}


def _incremental_plan(con: duckdb.DuckDBPyConnection, site: SiteData, diff: list[dict]) -> Plan:
    plan = Plan("incremental", "", articles=set(), notices=[], changed=[d["id"] for d in diff],
                catalogue_topics=set(), catalogue_years=set(), archives={})
    # the columns where a changed article held or holds a place (public or withdrawn: a withdrawn one keeps its
    # place in the listing, so moving or deleting it moves the places after it)
    old_columns = [d["old_column"] for d in diff if d["old_column"] is not None]
    new_columns = [d["new_column"] for d in diff if d["new_column"] is not None]
    plan.listings = site.listing_columns(old_columns + new_columns)
    # the documents whose pages link to a changed one (解读, the document it explains, what repeals
    # it): re-rendered with their own columns' items loaded, for their previous/next links
    related = related_documents(con, plan.changed)
    # and the columns whose index.html every build renders (互动交流 with the latest answers, those listing
    # 征集调查 or 在线访谈: portal.build, portal.consultations), so that it lists their items too
    always = {c.id for c in interaction_columns(site)} | {i["column_id"] for i in (*site.consultations,
                                                                                   *site.interviews)}
    fetch_listings(con, site, plan.listings | {r["column_id"] for r in related} | always, places=True)
    for column_id in plan.listings:
        plan.archives[column_id] = changed_archive_pages(site, site.columns[column_id], diff)
    for d in diff:
        _catalogue_listings(plan, d)
        plan.years |= {p.year for p in (d["old_published"], d["new_published"]) if p is not None}
        if d["public"]:
            plan.articles.add(d["id"])
        elif not d["gone"]:
            plan.notices.append(d["id"])
        plan.stale_paths += _stale_paths(d)
    # their previous/next pages link to them (by title), before and after the change
    plan.articles |= _new_neighbours(site, plan.articles) | _old_neighbours(
        con, [d["id"] for d in diff if d["was_public"]], old_columns)
    plan.articles |= {r["id"] for r in related}
    plan.years |= {r["published_at"].year for r in related}
    fill_items(con, site, _shown_items(site, plan, always))
    return plan


def _shown_items(site: SiteData, plan: Plan, always: set[int]) -> Iterator[dict]:
    """The items of the listings read as places that the plan's pages show: the first page and feed of each
    listing rendered (and of the columns whose index.html every build renders), the archive pages rendered, the
    articles rendered and their previous and next ones."""
    for column_id in (plan.listings or set()) | always:
        col = site.columns.get(column_id)
        if col is None:
            continue
        yield from col.listing[:max(PER_PAGE, COLUMN_FEED_ITEMS)]
        for n in (plan.archives or {}).get(column_id, ()):
            start, stop = archive_span(len(col.slots), n)
            yield from col.slots[start:stop]
    rendered = plan.articles or set()
    for col in site.columns.values():
        for i, item in enumerate(col.items):
            if item["id"] in rendered:
                yield from col.items[max(0, i - 1):i + 2]


def changed_archive_pages(site: SiteData, col: Column, diff: list[dict]) -> set[int]:
    """The archive pages of ``col``'s listing (portal.pages, numbered from the oldest) whose content or
    pager the changes in ``diff`` alter: the places as the last build had them (the current ones with the
    changed articles put back where they were) against the current ones, page by page; the pages holding a
    changed article (its title, or it was taken down); and when the number of pages changed, the newest
    three of the fewer (their pager shows the newest pages)."""
    sources = {c for _, c in site.sources([col.id])}
    changed = {d["id"] for d in diff}
    new = col.slots
    kept = [s for s in new if s["id"] not in changed]
    old_ids = [s["id"] for s in kept]
    ascending = kept[::-1]
    for d in sorted((d for d in diff if d["old_column"] in sources), key=lambda d: (d["old_published"], d["id"])):
        # places newest first: the article goes after every kept place newer than it
        at = len(ascending) - bisect.bisect_left(ascending, (d["old_published"], d["id"]),
                                                 key=lambda s: (s["published_at"], s["id"]))
        old_ids.insert(at, d["id"])
        ascending.insert(len(ascending) - at, {"id": d["id"], "published_at": d["old_published"]})
    new_ids = [s["id"] for s in new]
    before, after = archive_count(len(old_ids)), archive_count(len(new_ids))
    pages = {n for n in range(1, after + 1)
             if _span(old_ids, n) != _span(new_ids, n)}
    pages |= {archive_page_of(len(new_ids), i) for i, a in enumerate(new_ids) if a in changed}
    pages |= _pager_pages(before, after)
    return {n for n in pages if 1 <= n <= after}


def _pager_pages(before: int, after: int) -> set[int]:
    """When a listing's number of archive pages changed from ``before`` to ``after``: the newest three of the
    fewer and every new one (their pager shows the newest pages); nothing otherwise."""
    if before == after:
        return set()
    return set(range(max(1, min(before, after) - 2), after + 1))


def _span(ids: list[int], number: int) -> list[int]:
    start, stop = archive_span(len(ids), number)
    return ids[start:stop]


def _catalogue_listings(plan: Plan, d: dict) -> None:
    """The 公开目录 listings that showed the document at the last build or show it now."""
    for listed, topic, published in ((d["was_catalogued"] and d["was_public"], d["old_topic"], d["old_published"]),
                                     (d["catalogued"] and d["public"], d["new_topic"], d["new_published"])):
        if listed:
            if topic is not None:
                plan.catalogue_topics.add(topic)
            plan.catalogue_years.add(published.year)


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


def record_built(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Record the articles' state this build renders (``portal_built``, what the next build diffs against), in
    the build's transaction: it is committed only with ``save_record``, so a build that fails or is killed
    leaves the last one's. Depends on the plan only: portal.build runs it while its workers render (issue 16)."""
    if plan.full:
        # only the rows that differ: a full build over an unchanged database (a new template, the command line's
        # --full) rewrote all 10,000 rows, a 650 KB log that closing the file then checkpointed (~50 ms, issue 16)
        con.execute(f"CREATE OR REPLACE TEMP TABLE portal_current AS SELECT * FROM ({_CURRENT})")
        con.execute("DELETE FROM portal_built WHERE article_id IN (SELECT article_id FROM "
                    "(SELECT * FROM portal_built EXCEPT SELECT * FROM portal_current))")
        con.execute("INSERT INTO portal_built SELECT * FROM portal_current EXCEPT SELECT * FROM portal_built")
        con.execute("DROP TABLE portal_current")
    elif plan.changed:
        con.execute("DELETE FROM portal_built WHERE article_id IN (SELECT unnest(?::INTEGER[]))", [plan.changed])
        con.execute(f"INSERT INTO portal_built SELECT * FROM ({_CURRENT}) "
                    "WHERE article_id IN (SELECT unnest(?::INTEGER[]))", [plan.changed])


def save_record(con: duckdb.DuckDBPyConnection, plan: Plan, root: str, sig: str, stamp: str) -> None:
    """Record this build (same transaction as its reads: the same snapshot; ``record_built`` came first)."""
    value = json.dumps({"stamp": stamp, "out": root, "signature": sig, "sitemap_head": plan.sitemap_head,
                        "at": datetime.now().isoformat(timespec="seconds"), "mode": plan.mode})
    con.execute("INSERT OR REPLACE INTO site_state (name, value) VALUES ('portal_build', ?)", [value])
    con.execute("DELETE FROM site_state WHERE name = ?", [OWED])


def owe_build(con: duckdb.DuckDBPyConnection, root: str, full: bool) -> bool:
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


ANSWERS_KEY = "portal_answers"  # site_state: {"out", "mark", "pages"} of the last build's 留言答复 listing

# the answers ever published, and which are still: the listing's places and what it shows (a published answer
# never changes: taking it off is the only change, and it keeps the answer's place)
_ANSWERS_MARK = """
    SELECT md5(coalesce(string_agg(concat_ws(':', id, published_at, state = 'published'), ',' ORDER BY id), ''))
    FROM messages WHERE published_at IS NOT NULL
"""


@dataclass
class AnswersPlan:
    """What a build does with the 留言答复 listing (build._write_answers): nothing unless ``changed``; then the
    archive pages whose marks differ from ``before`` (the last build's; None: every page)."""

    out: str
    mark: str
    changed: bool
    before: list[str] | None


def answers_plan(con: duckdb.DuckDBPyConnection, root: str, full: bool) -> AnswersPlan:
    """Whether the answers changed since the last build into ``root`` (one query over the messages, instead of
    reading the 36,800 answers at scale every build)."""
    out = os.path.realpath(root)
    mark = scalar(con, _ANSWERS_MARK)
    try:
        record = json.loads(scalar(con, "SELECT value FROM site_state WHERE name = ?", [ANSWERS_KEY]) or "{}")
    except ValueError:  # the digest the builds of before issue 16's third round kept
        record = {}
    same = not full and isinstance(record, dict) and record.get("out") == out
    before = record.get("pages") if same else None
    return AnswersPlan(out, mark, changed=not same or record.get("mark") != mark,
                       before=before if isinstance(before, list) else None)


def archive_marks(slots: list[dict]) -> list[str]:
    """A mark per archive page (portal.pages, numbered from the oldest) of a listing of the places ``slots``
    (newest first): the places it holds and whether each is shown."""
    marks = []
    for n in range(1, archive_count(len(slots)) + 1):
        start, stop = archive_span(len(slots), n)
        held = ",".join(f"{s['id']}{'' if s['public'] else '-'}" for s in slots[start:stop])
        marks.append(hashlib.sha1(held.encode(), usedforsecurity=False).hexdigest()[:16])
    return marks


def changed_archives(before: list[str] | None, after: list[str]) -> set[int] | None:
    """The archive pages to render given the last build's marks and the current ones (None: every page): those
    whose places changed, and when the number of pages changed the newest three of the fewer (their pager shows
    the newest pages, as ``changed_archive_pages``)."""
    if before is None:
        return None
    pages = {n for n in range(1, len(after) + 1) if n > len(before) or before[n - 1] != after[n - 1]}
    return pages | _pager_pages(len(before), len(after))


def save_answers(con: duckdb.DuckDBPyConnection, plan: AnswersPlan, marks: list[str]) -> None:
    """Record what this build's 留言答复 listing holds (in the build's transaction)."""
    value = json.dumps({"out": plan.out, "mark": plan.mark, "pages": marks})
    con.execute("INSERT OR REPLACE INTO site_state (name, value) VALUES (?, ?)", [ANSWERS_KEY, value])


INTERACTION_KEY = "portal_interaction"  # site_state: {"out", "mark"} of the last build's 征集调查 and 在线访谈 pages

# everything the 征集调查 and 在线访谈 pages show (core.consultation_public.public, core.interview_public.public:
# the rows, the comments' and questions' counts and approved texts, the files, the transcript), whole rows: a
# change of any column renders them again; what else they show (columns, divisions, the workbench's address,
# templates) is in the signature, and the calendar's phase is added to the mark (``interaction_plan``)
_INTERACTION_MARK = """
    SELECT md5(concat_ws(chr(0),
        (SELECT string_agg(t::VARCHAR, chr(10) ORDER BY id) FROM consultations t),
        (SELECT string_agg(t::VARCHAR, chr(10) ORDER BY id) FROM consultation_comments t),
        (SELECT string_agg(concat_ws('|', id, consultation_id, filename, mime, size, sha256, created_at, removed),
                           chr(10) ORDER BY id) FROM consultation_files),
        (SELECT string_agg(t::VARCHAR, chr(10) ORDER BY id) FROM interviews t),
        (SELECT string_agg(t::VARCHAR, chr(10) ORDER BY id) FROM interview_questions t),
        (SELECT string_agg(t::VARCHAR, chr(10) ORDER BY id) FROM interview_entries t)))
"""


@dataclass
class InteractionPlan:
    """Whether a build renders the 征集调查 and 在线访谈 pages (build._write_answers): ``changed``."""

    out: str
    mark: str
    changed: bool


def interaction_plan(con: duckdb.DuckDBPyConnection, site: SiteData, root: str, full: bool) -> InteractionPlan:
    """Whether what the 征集调查 and 在线访谈 pages show changed since the last build into ``root``: their rows,
    and their phases at the build's clock (the link to comment or ask follows the phase). Every build rendered
    them (≈30 queries, ≈0.05 s of CPU of a publish on the demo, issue 16); one query decides now. A page missing
    from the folder renders them all again."""
    out = os.path.realpath(root)
    phases = ",".join(f"{i['id']}:{i['state_label']}" for i in (*site.consultations, *site.interviews))
    mark = hashlib.sha256(f"{scalar(con, _INTERACTION_MARK)}|{phases}".encode()).hexdigest()[:32]
    try:
        record = json.loads(scalar(con, "SELECT value FROM site_state WHERE name = ?", [INTERACTION_KEY]) or "{}")
    except ValueError:
        record = {}
    same = (not full and isinstance(record, dict) and record.get("out") == out and record.get("mark") == mark
            and all(os.path.isfile(os.path.join(out, i["url"].lstrip("/")))
                    for i in (*site.consultations, *site.interviews)))
    return InteractionPlan(out, mark, changed=not same)


def save_interaction(con: duckdb.DuckDBPyConnection, plan: InteractionPlan) -> None:
    """Record what this build's 征集调查 and 在线访谈 pages show (in the build's transaction)."""
    con.execute("INSERT OR REPLACE INTO site_state (name, value) VALUES (?, ?)",
                [INTERACTION_KEY, json.dumps({"out": plan.out, "mark": plan.mark})])
