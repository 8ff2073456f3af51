"""Portal data: what the site shows, read from the database (Pelican's readers).

``load_site`` reads the settings and the column tree; ``fetch_listings`` reads the public articles
of the columns to render in one set-based query. Bodies and attachment blobs are streamed in
batches (a query per batch, never one per article). Visibility (第十二、二十三条): an article is on
the portal when ``articles.public`` is true and ``live_revision`` is set; what is shown is that
revision.

Imports from: portal.urls; core.db, core.settings, core.answers, core.identity, core.file_labels (a file's
size as a link says it), core.consultation_public and core.interview_public (the public's side of the
interaction desk, 征集调查 and 在线访谈, without their workbench: issue 16).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from urllib.parse import urlsplit

import duckdb

from core import answers, consultation_public, identity, interview_public, settings
from core.db import rows
from core.file_labels import size_label
from core.portal.urls import (
    answer_url,
    article_url,
    attachment_path,
    attachment_url,
    column_url,
    consultation_url,
    feed_url,
    interview_url,
)

DEFAULT_SITE_NAME = "陕西省工业和信息化厅"
DEFAULT_SITE_URL = "https://www.sxit.gov.cn"
BODY_BATCH = 500  # articles whose bodies are fetched per query
LATEST_ANSWERS = 10  # on the 互动交流 column's first page
BLOB_BATCH_BYTES = 64 * 1024 * 1024  # attachment bytes fetched per query



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
    # the listing's places, newest first: every article it shows and every one it showed that was withdrawn
    # or taken down (``public`` false; it keeps its place, so the archive pages after it do not shift)
    slots: list[dict] = field(default_factory=list)

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
    # the latest published answers, newest first (互动交流's first page); all of them: load_answers
    answers: list[dict] = field(default_factory=list)
    consultations: list[dict] = field(default_factory=list)  # opened 征集调查, newest first (issue 17)
    interviews: list[dict] = field(default_factory=list)  # announced 在线访谈, latest first (issue 17)
    # the build's clock: what the consultations and interviews say follows the calendar (core.portal.calendar)
    now: datetime = field(default_factory=datetime.now)
    section_columns: dict[str, str] = field(default_factory=dict)  # setting -> the slug it names (COLUMN_SETTINGS)
    # the footer's identity (第四条、第六条) and the files it needs in /static/ (the uploaded mark)
    identity: dict = field(default_factory=dict)
    static_files: dict[str, bytes] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlsplit(self.site_url).netloc or self.site_url

    @property
    def nav(self) -> list[Column]:
        return [c for c in self.roots if not c.retired]

    def named_column(self, setting: str) -> Column | None:
        """The column a setting of COLUMN_SETTINGS names; None where unset or unknown."""
        slug = self.section_columns.get(setting)
        return next((c for c in self.columns.values() if c.slug == slug), None) if slug else None

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


# the live revisions of public articles: a query completes it with its SELECT and conditions
LIVE = """
    FROM articles a
    JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
    WHERE a.public AND a.live_revision IS NOT NULL
"""

# what a listing, a feed and an article page show of a public article (no body)
_ITEM_FIELDS = """
    SELECT a.id, r.title, r.column_id, coalesce(a.published_at, a.updated_at) AS published_at,
           r.created_at AS updated_at, coalesce(d.name, '') AS division
"""
_ITEM_SOURCE = """
    FROM articles a
    JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
    LEFT JOIN divisions d ON d.id = a.lead_division_id
    WHERE a.live_revision IS NOT NULL
"""
_ITEMS = f"{_ITEM_FIELDS} {_ITEM_SOURCE} AND a.public"
# the same of every article that has a page, public or not: the places of a listing (Column.slots)
_SLOTTED = f"{_ITEM_FIELDS}, a.public {_ITEM_SOURCE}"
# the places alone (an incremental build: the rest of what a listing shows is read for the items it renders,
# ``fill_items``)
_PLACES = f"SELECT a.id, r.column_id, coalesce(a.published_at, a.updated_at) AS published_at, a.public {_ITEM_SOURCE}"
_NEWEST_FIRST = "published_at DESC, id DESC"


# the settings naming columns the portal shows in a place of their own: the 政府信息公开 section's guide and
# annual reports (portal.disclosure), the 政府网站工作年度报表 linked from the home page (issue 15)
COLUMN_SETTINGS = ("xxgk_guide_column", "xxgk_report_column", "site_report_column")
# site identity (issue 15, identity): every page's footer and the 联系我们/网站声明 pages show them
IDENTITY_SETTINGS = ("site_code", "icp_number", "psb_number", "site_sponsor", "site_organizer", "site_tech_support",
                     "dzjg_cert_url", "error_report_url", "contact_address", "contact_postcode", "contact_hours")


def _settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    found = rows(con, "SELECT name, value FROM settings WHERE name IN (SELECT unnest(?::VARCHAR[]))",
                 [["site_name", "site_url", *COLUMN_SETTINGS]])
    values = {r["name"]: (r["value"] or "").strip() for r in found}
    return {
        "site_name": values.get("site_name") or DEFAULT_SITE_NAME,
        "site_url": (values.get("site_url") or DEFAULT_SITE_URL).rstrip("/"),
        "section_columns": {name: values.get(name) or str(settings.BY_NAME[name].default) for name in COLUMN_SETTINGS},
        # the interaction desk's public page in the workbench, and the contacts it publishes (第十九条)
        "message_url": str(settings.get(con, "workbench_url")).rstrip("/") + "/message",
        "contact_phone": str(settings.get(con, "interaction_phone")),
        "contact_email": str(settings.get(con, "interaction_email")),
    }


def public_url(con: duckdb.DuckDBPyConnection, article_id: int) -> str | None:
    """Where a published article is on the portal (the site address setting + its page), or None
    while it is not public: what an officer is shown after publishing, to see it where the public does."""
    found = con.execute(f"SELECT a.id, coalesce(a.published_at, a.updated_at) {LIVE} AND a.id = ?",
                        [int(article_id)]).fetchone()
    return None if found is None else _settings(con)["site_url"] + article_url(*found)


def load_site(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> SiteData:
    """The settings and the column tree; articles are fetched per build plan (``fetch_listings``).
    ``now``: the clock of the consultations' and interviews' states (default: the time of the call)."""
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
    now = now or datetime.now()
    return SiteData(columns=columns, roots=roots, targets=targets, answers=_answers(con, LATEST_ANSWERS),
                    consultations=_consultations(con, now), interviews=_interviews(con, now), now=now,
                    **_settings(con), **_identity(con))


def _identity(con: duckdb.DuckDBPyConnection) -> dict:
    """The footer's identity settings with their links, and the uploaded 党政机关网站标识 (第四条、第六条)."""
    stored = settings.all_values(con)  # one query for the eleven
    values = {name: str(stored[name]).strip() for name in IDENTITY_SETTINGS}
    values["icp_link"] = identity.ICP_LINK if values["icp_number"] else ""
    values["psb_link"] = identity.psb_link(values["psb_number"])
    found = identity.mark(con)
    values["mark"] = None if found is None else {
        "url": f"/static/{found.static_name}", "width": found.width, "height": found.height}
    return {"identity": values, "static_files": {} if found is None else {found.static_name: found.content}}


def _consultations(con: duckdb.DuckDBPyConnection, now: datetime) -> list[dict]:
    """Every opened 征集调查 with its page's address and its state at `now`, newest first (issue 17)."""
    return [{**c, "url": consultation_url(c["id"]),
             "state_label": consultation_public.PHASE_LABELS[consultation_public.phase(c, now)]}
            for c in consultation_public.published_in(con)]


def _interviews(con: duckdb.DuckDBPyConnection, now: datetime) -> list[dict]:
    """Every announced 在线访谈 with its page's address and its state at `now`, latest first (issue 17)."""
    return [{**i, "url": interview_url(i["id"]),
             "state_label": interview_public.PHASE_LABELS[interview_public.phase(i, now)]}
            for i in interview_public.published_in(con)]


def _answers(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict]:
    """The published answers (the ``limit`` newest), newest first, with their URL (第十九条)."""
    return [{**a, "url": answer_url(a["id"], a["published_at"]), "public": True}
            for a in answers.published(con, limit)]


def load_answers(con: duckdb.DuckDBPyConnection) -> tuple[list[dict], list[dict]]:
    """Every published answer (newest first, as ``SiteData.answers``), and the 留言答复 listing's places: every
    answer ever published, newest first, one taken off since as ``{id, published_at, url, public: False}``
    (it keeps its place, portal.pages.answers_listing). Read by a build only when the answers changed
    (portal.plan.answers_plan): 36,800 rows at scale."""
    shown = _answers(con)
    gone = [{**g, "url": answer_url(g["id"], g["published_at"]), "public": False}
            for g in rows(con, "SELECT id, published_at FROM messages WHERE state <> 'published' "
                               "AND published_at IS NOT NULL")]
    slots = sorted([*shown, *gone], key=lambda a: (a["published_at"], a["id"]), reverse=True)
    return shown, slots


def _decorate(site: SiteData, item: dict) -> dict:
    item["url"] = article_url(item["id"], item["published_at"])
    # a revision drafted before publication was not updated before it was published
    item["updated_at"] = max(item["updated_at"] or item["published_at"], item["published_at"])
    col = site.columns.get(item["column_id"])
    item["column_name"] = col.name if col else ""
    return item


def fetch_listings(con: duckdb.DuckDBPyConnection, site: SiteData,
                   wanted: set[int] | None = None, *, places: bool = False) -> dict[int, dict]:
    """Fill ``listing``, ``slots`` and ``items`` of the ``wanted`` columns (all when None), newest first.
    ``places``: the items as their places only (id, column_id, published_at, public); an incremental build
    reads the rest for the items its pages show (``fill_items``): the listings of a publish at scale hold
    21,000 items, of which it shows a few dozen (≈0.1 s of CPU making them, issue 16).

    Returns every public article read, by id, newest first."""
    query = _PLACES if places else _SLOTTED
    if wanted is None:
        found = con.execute(f"SELECT * FROM ({query}) ORDER BY {_NEWEST_FIRST}")
    else:
        sources = sorted({c for _, c in site.sources(wanted)})
        found = con.execute(f"""SELECT * FROM ({query}) WHERE column_id IN (SELECT unnest(?::INTEGER[]))
                                ORDER BY {_NEWEST_FIRST}""", [sources])
    names = [d[0] for d in found.description]
    for col in site.columns.values():
        col.listing, col.items, col.slots = [], [], []
    public = {}
    for values in found.fetchall():
        item = dict(zip(names, values, strict=True))
        if not places:
            _decorate(site, item)
        shown = item["public"]
        for target in site.targets.get(item["column_id"], ()):
            if wanted is None or target in wanted:
                listing = site.columns[target]
                listing.slots.append(item)
                if shown:
                    listing.listing.append(item)
        if not shown:
            continue
        public[item["id"]] = item
        own = site.columns.get(item["column_id"])
        if own is not None and (wanted is None or own.id in wanted):
            own.items.append(item)
    return public


def fill_items(con: duckdb.DuckDBPyConnection, site: SiteData, items: Iterable[dict]) -> None:
    """Complete the items read as places (``fetch_listings(places=True)``) with what pages show of them, in
    place (an item is one dict in every listing that holds it)."""
    wanted = {item["id"]: item for item in items if "title" not in item}
    if not wanted:
        return
    for found in rows(con, f"SELECT * FROM ({_SLOTTED}) WHERE id IN (SELECT unnest(?::INTEGER[]))",
                      [sorted(wanted)]):
        item = wanted[found["id"]]
        item.update(found)
        _decorate(site, item)


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


def fetch_bodies(con: duckdb.DuckDBPyConnection, ids: Iterable[int]) -> Iterator[dict]:
    """Body and source of the live revisions of ``ids``, a batch of ids per query."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), BODY_BATCH):
        chunk = ordered[start:start + BODY_BATCH]
        # the BETWEEN lets DuckDB skip row groups by their min/max; the IN keeps the exact set
        yield from rows(con, f"""
            SELECT a.id, r.body_html, r.source
            {LIVE} AND a.id BETWEEN ? AND ? AND a.id IN (SELECT unnest(?::INTEGER[]))""",
                        [chunk[0], chunk[-1], chunk])


def body_batches(con: duckdb.DuckDBPyConnection, ids: Iterable[int]) -> Iterator[list[tuple]]:
    """(id, body, source) of the live revisions of ``ids``, in id order, a list per BODY_BATCH ids: plain
    tuples, the cheapest rows to make and to send to a worker process. ``body`` is the body's UTF-8 bytes
    (None for a NULL body), as the page is written (portal.render.render_to writes them between the parts
    of the page around it): a str cost DuckDB's analysis of every body, Python's decoding, and the worker's
    encoding back (the parent's reading ≈35 → ≈15 µs an article). The ranges let DuckDB skip the row groups
    of both tables outside the batch. (One query for all the bodies, read 500 rows at a time, saved
    ≈0.03 s more at 10,000 articles but held them all: DuckDB materialises the result, +70 MB.)"""
    ordered = sorted(ids)
    for start in range(0, len(ordered), BODY_BATCH):
        chunk = ordered[start:start + BODY_BATCH]
        yield con.execute(f"""
            SELECT a.id, encode(r.body_html), r.source
            {LIVE} AND a.id BETWEEN ? AND ? AND r.article_id BETWEEN ? AND ? AND a.id IN (SELECT unnest(?::INTEGER[]))
            ORDER BY a.id""", [chunk[0], chunk[-1], chunk[0], chunk[-1], chunk]).fetchall()


def fetch_attachments(con: duckdb.DuckDBPyConnection, ids: list[int] | None) -> dict[int, list[dict]]:
    """Metadata of the attachments served with public articles (``ids`` or all)."""
    if ids is not None and not ids:  # an incremental build with no article page to render: no query
        return {}
    where = "" if ids is None else "AND t.article_id IN (SELECT unnest(?::INTEGER[]))"
    found: dict[int, list[dict]] = {}
    for att in rows(con, f"""
            SELECT t.id, t.article_id, t.filename, t.mime, t.size
            FROM attachments t
            WHERE NOT t.removed AND t.article_id IN (SELECT a.id {LIVE}) {where}
            ORDER BY t.article_id, t.id""", [] if ids is None else [ids]):
        att["url"] = attachment_url(att["id"], att["filename"])
        att["path"] = attachment_path(att["id"], att["filename"])
        att["size_label"] = size_label(att["size"])
        found.setdefault(att["article_id"], []).append(att)
    return found


def fetch_corrections(con: duckdb.DuckDBPyConnection, ids: list[int] | None) -> dict[int, list[dict]]:
    """The 更正说明 of public articles (``ids`` or all), newest first (core.corrections)."""
    if ids is not None and not ids:
        return {}
    where = "" if ids is None else "AND c.article_id IN (SELECT unnest(?::INTEGER[]))"
    found: dict[int, list[dict]] = {}
    for note in rows(con, f"""
            SELECT c.article_id, c.noted_at, c.text FROM article_corrections c
            WHERE c.article_id IN (SELECT a.id {LIVE}) {where}
            ORDER BY c.article_id, c.noted_at DESC, c.id DESC""", [] if ids is None else [ids]):
        found.setdefault(note.pop("article_id"), []).append(note)
    return found


WITHDRAWN_AT = """
    LEFT JOIN (SELECT article_id, max(created_at) AS last_at FROM workflow_events
               WHERE to_state IN ('taken_down', 'withdrawn') GROUP BY article_id) e
           ON e.article_id = a.id
"""


def fetch_withdrawn(con: duckdb.DuckDBPyConnection, ids: list[int] | None) -> list[dict]:
    """Articles that were published and are no longer public (``ids`` or all), with what the withdrawal
    page states (第二十三条): the take-down's category and the replacement, while it is public."""
    if ids is not None and not ids:  # a publish withdraws nothing: no query (≈13 ms of CPU at scale)
        return []
    where = "" if ids is None else "AND a.id IN (SELECT unnest(?::INTEGER[]))"
    found = rows(con, f"""
        SELECT a.id, coalesce(a.published_at, a.updated_at) AS published_at,
               coalesce(e.last_at, a.updated_at) AS withdrawn_at, td.category,
               ra.id AS replacement_id, rr.title AS replacement_title,
               coalesce(ra.published_at, ra.updated_at) AS replacement_published
        FROM articles a {WITHDRAWN_AT}
        LEFT JOIN article_takedowns td ON td.article_id = a.id
        LEFT JOIN articles ra ON ra.id = td.replacement_id AND ra.public AND ra.live_revision IS NOT NULL
        LEFT JOIN revisions rr ON rr.article_id = ra.id AND rr.number = ra.live_revision
        WHERE NOT a.public AND a.live_revision IS NOT NULL {where}
        ORDER BY a.id""", [] if ids is None else [ids])
    for item in found:
        rid, title, published = (item.pop(k) for k in ("replacement_id", "replacement_title", "replacement_published"))
        item["replacement"] = {"title": title, "url": article_url(rid, published)} if rid is not None else None
    return found


def fetch_blobs(con: duckdb.DuckDBPyConnection, atts: list[dict]) -> Iterator[tuple[dict, bytes]]:
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
