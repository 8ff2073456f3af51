"""Portal 政府信息公开 (第十二条; 政府信息公开条例 第十九至二十三条): catalogue data on document pages and the
section's own pages, read from the database and turned into ``Page`` objects.

- Document pages: ``fetch_catalogue`` gives each catalogued article its entry (索引号 … 有效性), the
  document that modifies or repeals it, the policy document a 解读 explains and every 解读 of a policy
  document. Only public articles are linked (a link to a page that is not served is never shown).
- The section (``/xxgk/``): index, 公开指南 (the latest article of the column named by the setting
  ``xxgk_guide_column``: it was published through the approval chain like any article, 第十四条),
  公开目录 (by 主题分类 and by year of publication, with counts, PER_PAGE a page), 法定主动公开内容
  (the categories of 第二十条 the office has given columns: tables ``statutory_categories`` and
  ``statutory_columns``), 年度报告 (the articles of the column named by ``xxgk_report_column``).

The section's fixed pages are small and rendered by every build; the catalogue listings of a
topic or a year only when a document in them changed (core.portal.plan), or in a full build.

Imports from: portal.urls, portal.data, portal.pages; core.db, core.settings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import duckdb

from core.db import rows
from core.portal.data import _ITEMS, LIVE, SiteData, _decorate, fetch_bodies
from core.portal.pages import PER_PAGE, REPORTS_NAME, Page, _page_window, section_column, section_links
from core.portal.urls import (
    CATALOGUE_URL,
    GUIDE_URL,
    REPORTS_DIR,
    STATUTORY_URL,
    XXGK_URL,
    paged_url,
    topic_dir,
    year_dir,
)

SECTION_NAME = "政府信息公开"
TOPIC_FILTER = "主题分类"  # the Pagefind filters on document pages (search.js offers them)
YEAR_FILTER = "年份"

# the fields of an entry as shown on a document page (what portal_built keeps as ``catalogue``)
ENTRY_FIELDS = ("index_number", "issuer", "doc_number", "doc_kind", "written_on", "topic_id", "disclosure",
                "withheld_ground", "validity", "validity_changed_on", "replaced_by", "interprets")

_ENTRIES = """
    SELECT e.article_id AS id, e.index_number, e.issuer, e.doc_number, e.doc_kind, e.written_on, e.topic_id,
           coalesce(t.name, '') AS topic, e.disclosure, e.withheld_ground, e.validity, e.validity_changed_on,
           e.replaced_by, e.interprets
    FROM catalogue_entries e LEFT JOIN disclosure_topics t ON t.id = e.topic_id
"""
# the public catalogued documents, as listings show them
_CATALOGUED = f"""
    SELECT i.*, e.topic_id, year(i.published_at) AS year, e.doc_number, e.index_number, e.validity
    FROM ({_ITEMS}) i JOIN catalogue_entries e ON e.article_id = i.id
"""
_NEWEST_FIRST = "published_at DESC, id DESC"


def _link(item: dict) -> dict:
    return {"id": item["id"], "title": item["title"], "url": item["url"]}


def fetch_catalogue(con: duckdb.DuckDBPyConnection, site: SiteData, ids: list[int] | None) -> dict[int, dict]:
    """The catalogue entries of the articles ``ids`` (all when None), by article id, each with
    ``topic_url``, ``replaced`` (the public document that modifies or repeals it, or None),
    ``explains`` (for a 解读: the public document it explains, or None) and ``interpretations``
    (the public 解读 of it, newest first)."""
    where, params = ("", []) if ids is None else ("WHERE e.article_id IN (SELECT unnest(?::INTEGER[]))", [ids])
    entries = {e["id"]: e for e in rows(con, f"{_ENTRIES} {where}", params)}
    if not entries:
        return {}
    targets = sorted({t for e in entries.values() for t in (e["replaced_by"], e["interprets"]) if t is not None})
    public = {i["id"]: _decorate(site, i) for i in rows(
        con, f"SELECT * FROM ({_ITEMS}) WHERE id IN (SELECT unnest(?::INTEGER[]))", [targets])} if targets else {}
    readings: dict[int, list[dict]] = {}
    for item in rows(con, f"""
            SELECT e.interprets AS explained, i.* FROM ({_ITEMS}) i JOIN catalogue_entries e ON e.article_id = i.id
            WHERE e.interprets IN (SELECT unnest(?::INTEGER[])) ORDER BY {_NEWEST_FIRST}""", [sorted(entries)]):
        readings.setdefault(item.pop("explained"), []).append(_link(_decorate(site, item)))
    for entry in entries.values():
        entry["topic_url"] = paged_url(topic_dir(entry["topic_id"])) if entry["topic_id"] is not None else None
        entry["replaced"] = _link(public[entry["replaced_by"]]) if entry["replaced_by"] in public else None
        entry["explains"] = _link(public[entry["interprets"]]) if entry["interprets"] in public else None
        entry["interpretations"] = readings.get(entry["id"], [])
    return entries


def related_documents(con: duckdb.DuckDBPyConnection, ids: list[int]) -> list[dict]:
    """The public documents whose pages show one of ``ids`` (by title and link), now or at the last
    build: what it interprets or is replaced by, what interprets it or is replaced by it; with their
    column and date."""
    if not ids:
        return []
    found = [r[0] for r in con.execute("""
        SELECT unnest([interprets, replaced_by]) FROM catalogue_entries WHERE article_id IN (SELECT unnest($1))
        UNION SELECT unnest([interprets, replaced_by]) FROM portal_built WHERE article_id IN (SELECT unnest($1))
        UNION SELECT article_id FROM catalogue_entries
              WHERE interprets IN (SELECT unnest($1)) OR replaced_by IN (SELECT unnest($1))
        UNION SELECT article_id FROM portal_built
              WHERE interprets IN (SELECT unnest($1)) OR replaced_by IN (SELECT unnest($1))""", [ids]).fetchall()
             if r[0] is not None]
    found = set(found) - set(ids)
    if not found:  # most changes: a document nothing links to, or no document at all
        return []
    return rows(con, f"""SELECT a.id, r.column_id, coalesce(a.published_at, a.updated_at) AS published_at {LIVE}
                         AND a.id IN (SELECT unnest(?::INTEGER[])) ORDER BY a.id""", [sorted(found)])


# --------------------------------------------------------------------------- the section


@dataclass
class Section:
    """What the section's pages show, read once per build."""

    column: dict | None  # the topmost 政府信息公开 column (its place in the navigation), if any
    topics: list[dict] = field(default_factory=list)  # {id, name, count, url}, by position
    years: list[dict] = field(default_factory=list)  # {year, count, url}, newest first
    total: int = 0
    guide: dict | None = None  # the 公开指南 article and its body
    guide_column: dict | None = None
    report_column: dict | None = None
    reports: list[dict] = field(default_factory=list)  # newest first
    statutory: list[dict] = field(default_factory=list)  # {item, number, wording, columns}
    wanted: set[str] | None = None  # the section's pages this build renders (None: all)

    def needs(self, *pages: str) -> bool:
        return self.wanted is None or bool(self.wanted & set(pages))


def load_section(con: duckdb.DuckDBPyConnection, site: SiteData, plan_listings: set[int] | None,
                 catalogue_changed: bool) -> Section:
    """What the section shows. ``plan_listings``: the column listings an incremental build renders
    (None: a full build, every page of the section). An incremental build renders the pages whose
    data changed: the index and 公开目录 when a catalogued document did, 年度报告 and 公开指南 when an
    article of their column did; 法定主动公开内容 only in full builds (its data is in the signature)."""
    section = Section(column=section_column(site))
    guide, report = site.named_column("xxgk_guide_column"), site.named_column("xxgk_report_column")
    guide_changed = guide is not None and (plan_listings is None or guide.id in plan_listings)
    report_changed = report is not None and (plan_listings is None or report.id in plan_listings)
    if plan_listings is not None:
        section.wanted = ({"index", "catalogue"} if catalogue_changed or guide_changed or report_changed else set()) \
            | ({"guide"} if guide_changed else set()) | ({"reports"} if report_changed else set())
        section.wanted -= set() if catalogue_changed else {"catalogue"}
    if catalogue_changed or section.needs("index"):
        _counts(con, section)
    if guide is not None:
        section.guide_column = guide.ref
    if guide is not None and section.needs("index", "guide"):
        # the newest item first, then its body by id: a join reading every revision's body cost
        # ≈30 ms of a 10,000-article build, before its worker processes had anything to render
        found = rows(con, f"SELECT * FROM ({_ITEMS}) WHERE column_id = ? ORDER BY {_NEWEST_FIRST} LIMIT 1",
                     [guide.id])
        if found:
            found[0]["body_html"] = next(fetch_bodies(con, [found[0]["id"]]))["body_html"]
        section.guide = _decorate(site, found[0]) if found else None
    if report is not None:
        section.report_column = report.ref
    if report is not None and section.needs("index", "reports"):
        sources = sorted({c for _, c in site.sources([report.id])})
        section.reports = [_decorate(site, i) for i in rows(
            con, f"SELECT * FROM ({_ITEMS}) WHERE column_id IN (SELECT unnest(?::INTEGER[])) "
                 f"ORDER BY {_NEWEST_FIRST}", [sources])]
    if section.needs("statutory"):
        section.statutory = _statutory(con, site)
    return section


def _counts(con: duckdb.DuckDBPyConnection, section: Section) -> None:
    """The topics (all but retired ones without documents) and years, with their counts."""
    counts = rows(con, """
        SELECT t.id, t.name, t.retired, t.position, NULL AS year, count(d.id) AS count
        FROM disclosure_topics t LEFT JOIN catalogued d ON d.topic_id = t.id GROUP BY ALL
        UNION ALL SELECT NULL, NULL, NULL, NULL, year, count(*) FROM catalogued GROUP BY year
        ORDER BY year DESC, position, id""".replace("catalogued", f"({_CATALOGUED})"))
    section.topics = [{"id": t["id"], "name": t["name"], "count": t["count"], "url": paged_url(topic_dir(t["id"]))}
                      for t in counts if t["year"] is None and (t["count"] or not t["retired"])]
    section.years = [{"year": y["year"], "count": y["count"], "url": paged_url(year_dir(y["year"]))}
                     for y in counts if y["year"] is not None]
    section.total = sum(y["count"] for y in section.years)


_NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    """(一) … (十五): the numbering of the law's items."""
    if n <= 10:
        return _NUMERALS[n - 1]
    return "十" + _NUMERALS[n - 11]


def _statutory(con: duckdb.DuckDBPyConnection, site: SiteData) -> list[dict]:
    """The categories of 第二十条 that apply: those the office has given at least one live column."""
    found: dict[int, dict] = {}
    for r in rows(con, """SELECT c.item, c.wording, s.column_id FROM statutory_categories c
                          JOIN statutory_columns s ON s.item = c.item ORDER BY c.item, s.column_id"""):
        col = site.columns.get(r["column_id"])
        if col is None or any(t.retired for t in site.trail(col.id)):
            continue
        entry = found.setdefault(r["item"], {"item": r["item"], "number": f"({_numeral(r['item'])})",
                                             "wording": r["wording"], "columns": []})
        entry["columns"].append(col.ref)
    return list(found.values())


def _crumbs(path: str, trail: tuple[tuple[str, str], ...]) -> list[dict]:
    """首页 › 政府信息公开 › …; the crumb of the page itself is marked current (not on page 2 of a listing)."""
    crumbs = [{"name": "首页", "url": "/index.html", "current": False}]
    crumbs += [{"name": name, "url": url, "current": url == path}
               for name, url in ((SECTION_NAME, XXGK_URL), *trail)]
    return crumbs


def _base(section: Section, path: str, title: str, *trail: tuple[str, str]) -> dict:
    return {"page_title": title, "section": _summary(section), "crumbs": _crumbs(path, trail),
            "section_id": section.column["id"] if section.column else None}


def _summary(section: Section) -> dict:
    """What every page of the section shows in its side menu."""
    return {"column": section.column, "links": section_links()}


def section_pages(section: Section) -> Iterator[Page]:
    """The section's pages this build renders (``Section.wanted``): index, 公开指南, 公开目录,
    法定主动公开内容, 年度报告."""
    if section.needs("index"):
        yield Page(XXGK_URL, "xxgk_index.html", {
            **_base(section, XXGK_URL, SECTION_NAME), "topics": section.topics, "years": section.years,
            "total": section.total, "reports": section.reports[:5], "guide": section.guide})
    if section.needs("guide"):
        yield Page(GUIDE_URL, "xxgk_guide.html", {
            **_base(section, GUIDE_URL, "政府信息公开指南", ("政府信息公开指南", GUIDE_URL)),
            "guide": section.guide, "guide_column": section.guide_column})
    if section.needs("catalogue"):
        yield Page(CATALOGUE_URL, "xxgk_catalogue.html", {
            **_base(section, CATALOGUE_URL, "政府信息公开目录", ("政府信息公开目录", CATALOGUE_URL)),
            "topics": section.topics, "years": section.years, "total": section.total})
    if section.needs("statutory"):
        yield Page(STATUTORY_URL, "xxgk_statutory.html", {
            **_base(section, STATUTORY_URL, "法定主动公开内容", ("法定主动公开内容", STATUTORY_URL)),
            "categories": section.statutory})
    if section.needs("reports"):
        yield from _paged(section, REPORTS_DIR, "xxgk_reports.html", REPORTS_NAME, section.reports,
                          {"report_column": section.report_column})


def _paged(section: Section, folder: str, template: str, title: str, items: list[dict], extra: dict,
           trail: tuple[tuple[str, str], ...] = ()) -> Iterator[Page]:
    total = len(items)
    pages = max(1, math.ceil(total / PER_PAGE))
    for n in range(1, pages + 1):
        yield Page(paged_url(folder, n), template, {
            **_base(section, paged_url(folder, n), title, *trail, (title, paged_url(folder))), **extra,
            "items": items[(n - 1) * PER_PAGE: n * PER_PAGE], "total": total, "page": n, "pages": pages,
            "pager": [{"number": p, "url": paged_url(folder, p) if p else None, "current": p == n}
                      for p in _page_window(n, pages)],
            "prev_url": paged_url(folder, n - 1) if n > 1 else None,
            "next_url": paged_url(folder, n + 1) if n < pages else None})


@dataclass
class Listings:
    """The catalogue listings one build renders: topic id / year -> documents, newest first."""

    topics: dict[int, list[dict]]
    years: dict[int, list[dict]]


def fetch_catalogue_listings(con: duckdb.DuckDBPyConnection, site: SiteData, section: Section,
                             topics: Iterable[int] | None, years: Iterable[int] | None) -> Listings:
    """The documents of the wanted topics and years (every listing the section shows when None)."""
    topics = {t["id"] for t in section.topics} if topics is None else set(topics)
    years = {y["year"] for y in section.years} if years is None else set(years)
    found = Listings({t: [] for t in topics}, {y: [] for y in years})
    if not topics and not years:
        return found
    for item in rows(con, f"""SELECT * FROM ({_CATALOGUED})
                              WHERE topic_id IN (SELECT unnest(?::INTEGER[])) OR year IN (SELECT unnest(?::INTEGER[]))
                              ORDER BY {_NEWEST_FIRST}""", [sorted(topics), sorted(years)]):
        _decorate(site, item)
        if item["topic_id"] in found.topics:
            found.topics[item["topic_id"]].append(item)
        if item["year"] in found.years:
            found.years[item["year"]].append(item)
    return found


def catalogue_pages(section: Section, listings: Listings) -> Iterator[Page]:
    """The 公开目录 listings of a topic or a year. A year without documents has no page, nor has a
    retired topic without any (they are not in the section's lists)."""
    trail = (("政府信息公开目录", CATALOGUE_URL),)
    names = {t["id"]: t["name"] for t in section.topics}
    for topic_id, items in sorted(listings.topics.items()):
        if topic_id in names:
            yield from _paged(section, topic_dir(topic_id), "xxgk_listing.html", names[topic_id], items,
                              {"heading": f"主题分类:{names[topic_id]}"}, trail)
    for year, items in sorted(listings.years.items()):
        if items:
            yield from _paged(section, year_dir(year), "xxgk_listing.html", f"{year}年", items,
                              {"heading": f"发布年份:{year}年"}, trail)


def gone_listings(section: Section, listings: Listings) -> list[str]:
    """Folders of the wanted listings that no longer have a page (a year emptied, a topic retired)."""
    names = {t["id"] for t in section.topics}
    return ([topic_dir(t) for t in listings.topics if t not in names]
            + [year_dir(y) for y, items in listings.years.items() if not items])


def sitemap_paths(section: Section) -> list[str]:
    """The section's own pages for sitemap.xml (its listings' are found there in SQL)."""
    return [XXGK_URL, *[link["url"] for link in section_links()]]
