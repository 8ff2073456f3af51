"""Portal pages: pure functions that turn site data into ``Page`` objects (Pelican's generators).

A ``Page`` is a URL path, a template name and a context of plain dicts, so that it can be sent to
another process: ``home_page``, ``column_pages``, ``article_page``, ``withdrawn_page``,
``feed_page``, ``site_pages``, ``answer_pages``, ``answers_listing``. Templates never query. Retired columns (第八条) are
not in the navigation but their pages and articles keep their URLs. The sitemaps are assembled in
SQL (``sitemap_files``): text, not templates.

Imports from: portal.urls, portal.data.
"""

from __future__ import annotations

import bisect
import functools
import html
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from core.portal.data import LATEST_ANSWERS, LIVE, Column, SiteData
from core.portal.urls import (
    ANSWERS_URL,
    CATALOGUE_URL,
    CONTACT_URL,
    GUIDE_URL,
    REPORTS_DIR,
    STATEMENT_URL,
    STATUTORY_URL,
    answers_archive_url,
    archive_url,
    article_url,
    column_url,
    feed_url,
    paged_url,
)
from core.portal.writer import legal_utf8

PER_PAGE = 20
COLUMN_FEED_ITEMS = 20  # a column's feed (portal.build)
SITEMAP_CHUNK = 50_000  # the sitemaps protocol's limit of URLs per file
EPOCH = datetime(2000, 1, 1)  # the date of a feed without items

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


REPORTS_NAME = "政府信息公开工作年度报告"


def section_links() -> list[dict]:
    """The pages of the 政府信息公开 section (portal.disclosure), as its menu and the site map list them."""
    return [{"name": "政府信息公开指南", "url": GUIDE_URL},
            {"name": "政府信息公开目录", "url": CATALOGUE_URL},
            {"name": "法定主动公开内容", "url": STATUTORY_URL},
            {"name": REPORTS_NAME, "url": paged_url(REPORTS_DIR)}]


def section_column(site: SiteData) -> dict | None:
    """The first live first-level column of kind 'openinfo': the 政府信息公开 section sits under it in
    the navigation, and its page leads to the section."""
    found = [c for c in site.nav if c.kind == "openinfo"]
    return found[0].ref if found else None


def home_page(site: SiteData, heads: dict[int, list[dict]], latest: list[dict] | None = None,
              site_report: dict | None = None) -> Page:
    """最新信息 (the newest items of every column, so whatever is published shows on the home page),
    latest items of the key columns, every first-level column, 互动交流, site map, search, and the newest
    政府网站工作年度报表 (to be on the home page by 31 January, 国办函〔2018〕12号)."""
    sections = [{"column": c.ref, "items": heads.get(c.id, [])} for c in key_columns(site)]
    return Page("/index.html", "home.html", {
        "page_title": site.site_name,
        "latest": latest or [],
        "sections": sections,
        "first_level": [c.ref for c in site.nav],
        "interaction": [c.ref for c in interaction_columns(site)],
        "site_report": site_report,
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


# Stable pagination (issue 16): a column's ``index.html`` shows its newest PER_PAGE items; the archive pages
# ``index_<n>.html`` hold the listing's places in publication order, page 1 the oldest PER_PAGE, every one full
# but the newest. A place is an article the listing shows or showed: one withdrawn or taken down keeps its place
# (its page is one item shorter), so the pages after it do not shift. A publish changes index.html and the newest
# archive page (and opens a new one when that is full); a take-down or an edit changes the page holding the item.
# Only an article leaving the listing for good (moved to another column, its page deleted) or one dated before
# newer ones (an import) moves the places after it. Archive pages do not state how many there are (that would
# change every page whenever one is opened); their pager links the newest pages only through 最新.


def archive_count(places: int) -> int:
    """How many archive pages a listing of ``places`` places has: none while index.html shows them all."""
    return math.ceil(places / PER_PAGE) if places > PER_PAGE else 0


def archive_page_of(places: int, index: int) -> int:
    """The archive page of the place ``index`` (0 = the newest) of a listing of ``places`` places."""
    return (places - 1 - index) // PER_PAGE + 1


def archive_span(places: int, number: int) -> tuple[int, int]:
    """The places (newest-first indexes, ``start:stop``) archive page ``number`` holds."""
    return max(0, places - number * PER_PAGE), places - (number - 1) * PER_PAGE


def archive_window(current: int | None, count: int) -> list[int | None]:
    """Archive page numbers to link, newest first, ``None`` for a gap: on index.html (``current`` None)
    57 56 55 … 1; on page 30: … 32 31 [30] 29 28 … 1. A page's window depends on ``count`` only while it
    is one of the three newest, so opening a new page changes no older one."""
    if current is None:
        shown = {count, count - 1, count - 2, 1}
    else:
        shown = {1, *range(current - 2, current + 3)}
    numbers = sorted((n for n in shown if 1 <= n <= count), reverse=True)
    out: list[int | None] = [None] if numbers and current is not None and numbers[0] < count else []
    for i, n in enumerate(numbers):
        if i and numbers[i - 1] - n > 1:
            out.append(None)
        out.append(n)
    return out


def column_pages(site: SiteData, col: Column, archive: Iterable[int] | None = None, *,
                 index: bool = True) -> Iterator[Page]:
    """A column's listing pages: ``index.html`` (the newest PER_PAGE items) unless ``index`` is false, then
    the archive pages numbered in ``archive`` (every one when None), each newest first."""
    base = {
        "column": col.ref,
        "children": [c.ref for c in col.visible_children],
        "section_id": _section(site, col.id),
        "column_feed": feed_url(col.slug),
        # the topmost 互动交流 column lists the latest answers (第十九条); re-rendered when they change
        "answers": site.answers[:LATEST_ANSWERS] if col.id in {c.id for c in interaction_columns(site)} else [],
        "consultations": [c for c in site.consultations if c["column_id"] == col.id],  # 征集调查 (issue 17)
        "interviews": [i for i in site.interviews if i["column_id"] == col.id],  # 在线访谈 (issue 17)
        "xxgk_links": section_links() if col.id == (section_column(site) or {}).get("id") else [],
    }
    url = functools.partial(archive_url, col.slug)
    if index:
        yield Page(column_url(col.slug), "column.html", {
            **base,
            "page_title": col.name,
            "crumbs": _crumbs(site, col.id, current=True),
            **latest_page(col.listing, col.slots, column_url(col.slug), url),
        })
    for n, paging in archive_pages(col.slots, column_url(col.slug), url, archive):
        yield Page(url(n), "column.html", {
            **base,
            "page_title": f"{col.name}(第{n}页)",
            "crumbs": _crumbs(site, col.id, current=False),  # an archive page is not the column's page
            **paging,
        })


def latest_page(listing: list[dict], slots: list[dict], latest_url: str, url: Callable[[int], str]) -> dict:
    """What a listing's ``index.html`` shows of the pagination (_archive_pager.html): its newest PER_PAGE items
    of ``listing`` (the items shown, newest first) and the pager over the archive pages of ``slots`` (the places,
    newest first); ``url(n)`` is archive page n's address."""
    count = archive_count(len(slots))
    following = None  # the archive page holding the newest item index.html does not show
    if len(listing) > PER_PAGE:
        older = listing[PER_PAGE]["id"]
        following = next(archive_page_of(len(slots), i) for i, s in enumerate(slots) if s["id"] == older)
    return {"archives": count, "archive": None, "total": len(listing), "items": listing[:PER_PAGE],
            "latest_url": latest_url, "pager": _archive_pager(url, None, count), "prev_url": None,
            "next_url": url(following) if following else None}


def archive_pages(slots: list[dict], latest_url: str, url: Callable[[int], str],
                  wanted: Iterable[int] | None = None) -> Iterator[tuple[int, dict]]:
    """(number, what the page shows of the pagination) of the archive pages numbered in ``wanted`` (every one
    when None) of a listing of the places ``slots`` (newest first; an item whose ``public`` is false keeps its
    place and is not shown)."""
    places = len(slots)
    count = archive_count(places)
    for n in range(1, count + 1) if wanted is None else sorted(wanted):
        if not 1 <= n <= count:
            continue
        start, stop = archive_span(places, n)
        items = [s for s in slots[start:stop] if s["public"]]
        yield n, {
            "archives": count,
            "archive": n,
            "items": items,
            "span": (items[-1]["published_at"], items[0]["published_at"]) if items else None,
            "latest_url": latest_url,
            "pager": _archive_pager(url, n, count),
            "prev_url": url(n + 1) if n < count else latest_url,
            "next_url": url(n - 1) if n > 1 else None,
        }


def _archive_pager(url: Callable[[int], str], current: int | None, count: int) -> list[dict]:
    return [{"number": n, "url": url(n) if n else None, "current": n == current}
            for n in archive_window(current, count)]


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
                 nearby: tuple[dict | None, dict | None], catalogue: dict | None = None,
                 corrections: list[dict] | None = None) -> Page:
    """One public article: its live revision, attachments and neighbours, its 更正说明 (newest first), and
    for a document of the 政府信息公开目录 its catalogue entry (portal.disclosure.fetch_catalogue)."""
    column = site.columns.get(meta["column_id"])
    lapsed = catalogue is not None and catalogue["validity"] == "已废止"
    return Page(meta["url"], "article.html", {
        "page_title": f"{meta['title']}(已废止)" if lapsed else meta["title"],
        "catalogue": catalogue,
        "article": meta,
        "column": column.ref if column else None,
        "body_html": body["body_html"],
        "source": (body["source"] or "").strip(),
        "attachments": attachments,
        "corrections": corrections or [],
        "previous": _link(nearby[0]),
        "next": _link(nearby[1]),
        "crumbs": _crumbs(site, meta["column_id"], current=False),
        "section_id": _section(site, meta["column_id"]),
    })


def withdrawn_page(item: dict) -> Page:
    """The notice at the URL of an item that was published and is no longer public: when, and for a
    take-down the category the webmaster chose and the replacement (第二十三条)."""
    return Page(article_url(item["id"], item["published_at"]), "withdrawn.html", {
        "page_title": "该信息已撤下",
        "withdrawn_at": item["withdrawn_at"],
        "category": item.get("category"),
        "replacement": item.get("replacement"),
        "section_id": None,
    })



def feed_page(site: SiteData, path: str, title: str, alternate: str, items: list[dict]) -> Page:
    """An Atom feed (RFC 4287) of ``items``, newest first."""
    updated = max((i["updated_at"] or i["published_at"] for i in items), default=EPOCH)
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
                                               "tree": _column_tree(site.roots), "retired": retired,
                                               "xxgk_links": section_links()}),
        Page("/accessibility.html", "accessibility.html", {"page_title": "无障碍与适老化服务", "section_id": None}),
        # 联系我们 and 网站声明 (issue 15, identity): their text is the office's settings in a template
        Page(CONTACT_URL, "contact.html", {"page_title": "联系我们", "section_id": None}),
        Page(STATEMENT_URL, "statement.html", {"page_title": "网站声明", "section_id": None}),
        Page("/404.html", "404.html", {"page_title": "页面不存在", "section_id": None}),
    ]
    if search_template:
        pages.append(Page("/search.html", "search.html", {"page_title": "站内搜索", "section_id": None}))
    return pages


def robots_txt(site: SiteData) -> str:
    return f"User-agent: *\nDisallow: /workbench/\nSitemap: {site.site_url}/sitemap.xml\n"


_CATALOGUED_LIVE = """
    FROM catalogue_entries e JOIN articles a ON a.id = e.article_id AND a.public AND a.live_revision IS NOT NULL
"""
# the sitemap's URLs in their order (grp, k): first the site's own pages and the columns (the head), ...
_SITEMAP_HEAD = f"""
        SELECT 0 AS grp, 0 AS k, '/index.html' AS path, NULL AS lastmod
        UNION ALL SELECT 0, 1, '/sitemap.html', NULL
        -- the site's own fixed pages (issue 15, identity) and the 留言答复 listing
        UNION ALL SELECT 0, 900 + k, p, NULL FROM (VALUES (0, '/contact.html'), (1, '/statement.html'),
                                                        (2, '/accessibility.html'), (3, '{ANSWERS_URL}')) v(k, p)
        UNION ALL SELECT 0, 1 + list_position(?::VARCHAR[], p), p, NULL FROM (SELECT unnest(?::VARCHAR[]) AS p)
        -- the 公开目录 listings that list something (portal.disclosure: urls.topic_dir, urls.year_dir)
        UNION ALL SELECT DISTINCT 0, 1000 + t.position * 10000 + t.id, '/xxgk/zt/' || t.id || '/index.html', NULL
            {_CATALOGUED_LIVE} JOIN disclosure_topics t ON t.id = e.topic_id
        UNION ALL SELECT DISTINCT 0, 1000000000 - year(coalesce(a.published_at, a.updated_at)),
               '/xxgk/nd/' || lpad(year(coalesce(a.published_at, a.updated_at))::VARCHAR, 4, '0') || '/index.html', NULL
            {_CATALOGUED_LIVE}
        UNION ALL SELECT 1, id, '/col/' || slug || '/index.html', NULL FROM columns
"""
_ANSWERED = "FROM messages WHERE state = 'published' AND published_at IS NOT NULL"  # the published answers
# ... then the public articles by id (grp 2, from the id given on), and the published answers (第十九条, at
# portal.urls.answer_url) by id (grp 3, likewise): the tail, where a build's changes are
_SITEMAP_TAIL = f"""
        SELECT 2 AS grp, a.id AS k,
               '/art/' || strftime(coalesce(a.published_at, a.updated_at), '%Y/%m/') || a.id || '.html' AS path,
               strftime(greatest(r.created_at, coalesce(a.published_at, a.updated_at)), '%Y-%m-%d') AS lastmod
        {LIVE} AND a.id >= ?
        UNION ALL SELECT 3, id, '/art/' || strftime(published_at, '%Y/%m/') || 'hd' || id || '.html',
               strftime(published_at, '%Y-%m-%d')
        {_ANSWERED} AND id >= ?
"""


@dataclass
class Sitemap:
    """What ``sitemap_files`` assembled: the files to write, how many chunk files the sitemap has (0: one
    ``/sitemap.xml``), and the digest of its URLs before the articles' (for the next build to compare)."""

    files: list[tuple[str, str | bytes]]  # bytes: patched from the files on disk
    chunks: int
    head: str


_NEVER = 2**31 - 1  # no article id reaches it
_XML = '<?xml version="1.0" encoding="UTF-8"?>'
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
_SITEMAPINDEX = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
_URLSET_START = f"{_XML}\n{_URLSET}\n".encode()
_URLSET_END = b"\n</urlset>\n"
_INDEX_START = f"{_XML}\n{_SITEMAPINDEX}\n".encode()
# an article's or an answer's URL in the sitemap's tail (portal.urls.article_url, answer_url): its group and id
_TAIL_URL = re.compile(rb"/art/\d{4}/\d{2}/(hd)?(\d+)\.html</loc>")
_LINE = ("'<url><loc>' || ? || path || '</loc>' || coalesce('<lastmod>' || lastmod || '</lastmod>', '') "
         "|| '</url>'")


def _nth(con: duckdb.DuckDBPyConnection, select_id: str, offset: int) -> int:
    """The id at ``offset`` (0: the first) of the ids ``select_id`` selects in id order; _NEVER past the last."""
    found = con.execute(f"{select_id} ORDER BY 1 LIMIT 1 OFFSET ?", [offset]).fetchone()
    return _NEVER if found is None else found[0]


def sitemap_files(con: duckdb.DuckDBPyConnection, site: SiteData, extra: list[str] | None = None, *,
                  changed: list[int] | None = None, head: str | None = None,
                  present: Callable[[str], bool] | None = None,
                  read: Callable[[str], bytes | None] | None = None) -> Sitemap:
    """``/sitemap.xml`` with every public article and column page, and the ``extra`` pages (the
    政府信息公开 section's) after the site map; beyond SITEMAP_CHUNK URLs it becomes an index of
    ``/sitemap-<n>.xml`` chunks. Assembled in SQL: 100,000 URLs in ~0.1 s.

    An incremental build passes the articles whose state ``changed``, the ``head`` digest the last build
    recorded and ``present`` (whether a file is on disk): when the URLs before the articles are the same,
    the chunks that end before the first changed article (articles come in id order, the answers after
    them) are left as they are, and only the later ones and the index are assembled (a publish at
    100,000 articles: the last of three chunks).

    ``read`` (the bytes of a file on disk, None when missing), passed when the published answers are those of the
    last build: the last build's files are patched instead (``_patched``): the lines of the changed articles
    taken out and their current ones put in, in id order, the URLs then cut into chunks again. SQL assembled
    ≈140,000 URLs from the first changed chunk on (a take-down in the first chunk: ≈0.2 s of CPU at scale;
    a publish ≈0.09 s), the patch reads, splits and joins the text (issue 16). Whatever does not add up (a file
    missing or not as written, a count that differs from the database's) falls back to the assembly."""
    # &, < and > escaped, as xml.sax.saxutils.escape does; that module imports urllib.request, http.client and
    # ssl (~10 ms of every build's start, issue 16)
    base = html.escape(site.site_url, quote=False)
    head_params = [extra or [], extra or []]
    first_changed = min(changed) if changed else _NEVER
    # the counts without assembling or numbering the 140,000 URLs at scale (issue 16): the head's rows and
    # digest, the public articles (before the first changed one, and all) and the answers
    before, digest, unchanged, articles, answered = con.execute(f"""
        WITH head AS ({_SITEMAP_HEAD})
        SELECT (SELECT count(*) FROM head),
               (SELECT md5(coalesce(string_agg(path, chr(10) ORDER BY grp, k), '')) FROM head),
               count(*) FILTER (WHERE a.id < ?), count(*), (SELECT count(*) {_ANSWERED})
        {LIVE}""", [*head_params, first_changed]).fetchone()
    total = before + articles + answered
    count = math.ceil(total / SITEMAP_CHUNK)
    if changed is not None and head == digest and read is not None:
        patched = _patched(con, base, read, sorted(set(changed)), before, total)
        if patched is not None:
            return Sitemap(patched, count if count > 1 else 0, digest)
    first = 0
    if changed is not None and head == digest and count > 1 and present is not None:
        first = (before + unchanged) // SITEMAP_CHUNK
        if not all(present(f"/sitemap-{n + 1}.xml") for n in range(first)) or first * SITEMAP_CHUNK < before:
            first = 0
    # the chunks from ``first`` on: the URLs from the first one of chunk ``first`` (keyset: an article's or an
    # answer's id), numbered from there only
    start = first * SITEMAP_CHUNK - before
    from_article, from_answer = -1, -1
    if first and start < articles:
        from_article = _nth(con, f"SELECT a.id {LIVE}", start)
    elif first:  # past the articles (or past every URL: no chunk to assemble)
        from_article, from_answer = _NEVER, _nth(con, f"SELECT id {_ANSWERED}", start - articles)
    urls = _SITEMAP_TAIL if first else f"{_SITEMAP_HEAD} UNION ALL {_SITEMAP_TAIL}"
    chunks = con.execute(f"""
        SELECT chunk, string_agg({_LINE}, chr(10) ORDER BY grp, k)
        FROM (SELECT ? + (row_number() OVER (ORDER BY grp, k) - 1) // ? AS chunk, grp, k, path, lastmod
              FROM ({urls}))
        GROUP BY chunk ORDER BY chunk""",
                         [base, first, SITEMAP_CHUNK, *([] if first else head_params), from_article,
                          from_answer]).fetchall()
    if count <= 1:
        return Sitemap([("/sitemap.xml", _urlset(chunks[0][1]))], 0, digest)
    return Sitemap([_index(base, count), *((f"/sitemap-{n + 1}.xml", _urlset(body)) for n, body in chunks)], count,
                   digest)


def _urlset(body: str) -> str:
    return f"{_XML}\n{_URLSET}\n{body}\n</urlset>\n"


def _index(base: str, count: int) -> tuple[str, str]:
    index = "\n".join(f"<sitemap><loc>{base}/sitemap-{n + 1}.xml</loc></sitemap>" for n in range(count))
    return "/sitemap.xml", f"{_XML}\n{_SITEMAPINDEX}\n{index}\n</sitemapindex>\n"


def _is_urlset(data: bytes | None) -> bool:
    """Whether ``data`` is a sitemap file of URLs as ``sitemap_files`` writes it."""
    return data is not None and data.startswith(_URLSET_START) and data.endswith(_URLSET_END)


def _url_lines(data: bytes) -> list[bytes]:
    """The <url> lines of a sitemap file (``_is_urlset``)."""
    return data[len(_URLSET_START):-len(_URLSET_END)].split(b"\n")


def _urlset_bytes(lines: list[bytes]) -> bytes:
    return _URLSET_START + b"\n".join(lines) + _URLSET_END


def _tail_key(line: bytes) -> tuple[int, int]:
    """Where a tail line goes: (2, article id) or (3, answer id); (9, 0) for a line that is neither."""
    found = _TAIL_URL.search(line)
    return (9, 0) if found is None else (3 if found.group(1) else 2, int(found.group(2)))


def _patched(con: duckdb.DuckDBPyConnection, base: str, read: Callable[[str], bytes | None], changed: list[int],
             before: int, total: int) -> list[tuple[str, str | bytes]] | None:
    """The sitemap's files from the last build's (``sitemap_files``), the ``changed`` articles' lines replaced
    by their current ones (none for one no longer public), from the first chunk that changes on; None when the
    files on disk are not what a build wrote or the result does not count ``total`` URLs (``before`` of them the
    head, as the last build's: same digest). Bytes: the lines kept are as the last build checked and wrote them
    (portal.writer.legal_utf8), the new ones are checked here; the chunks before the first changed article are
    only counted."""
    index = read("/sitemap.xml")
    if index is None:
        return None
    first_id = (2, changed[0]) if changed else (9, 0)
    if index.startswith(_INDEX_START):
        old_count = index.count(b"<sitemap><loc>")
        files = [read(f"/sitemap-{n}.xml") for n in range(1, old_count + 1)]
    else:
        old_count, files = 0, [index]
    offset, lines = 0, None  # the URLs in the chunks left as they are; those of the others
    for n, data in enumerate(files):
        if not _is_urlset(data):
            return None
        if lines is None and n + 1 < len(files):  # a chunk that ends before the first changed article is kept
            held = data.count(b"\n") - 3  # the XML declaration, <urlset>, the last URL, </urlset>
            last = data[data.rindex(b"\n", 0, -len(_URLSET_END)) + 1:]
            if offset + held <= before or _tail_key(last) < first_id:
                offset += held
                continue
        lines = (lines or []) + _url_lines(data)
    if lines is None or old_count and offset % SITEMAP_CHUNK or offset + len(lines) < before:
        return None
    current = {k: legal_utf8(line) for k, line in con.execute(f"""
        SELECT k, {_LINE} FROM ({_SITEMAP_TAIL}) WHERE grp = 2 AND k IN (SELECT unnest(?::INTEGER[]))""",
                                                                [base, changed[0] if changed else _NEVER, _NEVER,
                                                                 changed]).fetchall()}
    first = len(lines)
    head = max(0, before - offset)
    for article_id in changed:
        at = bisect.bisect_left(lines, (2, article_id), lo=head, key=_tail_key)
        if at < len(lines) and _tail_key(lines[at]) == (2, article_id):
            del lines[at]
        if article_id in current:
            lines.insert(at, current[article_id])
        # in order around it (a file edited by hand, or not this build's: assembled instead)
        after = at + 1 if article_id in current else at
        if (at > head and _tail_key(lines[at - 1]) >= (2, article_id)) or (
                after < len(lines) and _tail_key(lines[after]) <= (2, article_id)):
            return None
        first = min(first, at)
    if offset + len(lines) != total or not total:
        return None
    count = math.ceil(total / SITEMAP_CHUNK)
    if count <= 1:
        return [("/sitemap.xml", _urlset_bytes(lines))]
    if old_count != count:  # every chunk again
        return None
    start = (offset + first) // SITEMAP_CHUNK
    return [_index(base, count), *((f"/sitemap-{n + 1}.xml", _urlset_bytes(
        lines[n * SITEMAP_CHUNK - offset:(n + 1) * SITEMAP_CHUNK - offset])) for n in range(start, count))]


def answer_pages(site: SiteData, answers: list[dict]) -> Iterator[Page]:
    """One page per published answer of ``answers`` (data.load_answers)."""
    interaction = interaction_columns(site)
    column = interaction[0].ref if interaction else None
    for item in answers:
        yield Page(item["url"], "answer.html", {"page_title": item["subject"], "message": item, "column": column,
                                                "section_id": column["id"] if column else None})


def answers_listing(site: SiteData, slots: list[dict], archive: Iterable[int] | None = None, *,
                    index: bool = True) -> Iterator[Page]:
    """The 留言答复 listing with the columns' stable pagination: ``index.html`` (the newest PER_PAGE answers)
    unless ``index`` is false, then the archive pages ``index_<n>.html`` numbered from the oldest in ``archive``
    (every one when None). ``slots``: every answer ever published, newest first (data.load_answers): one taken
    off keeps its place, so a new answer changes index.html and the newest archive page, not every page."""
    interaction = interaction_columns(site)
    column = interaction[0].ref if interaction else None
    base = {"column": column, "section_id": column["id"] if column else None}
    if index:
        shown = [s for s in slots if s["public"]]
        yield Page(ANSWERS_URL, "answers.html", {**base, "page_title": "公众留言答复",
                                                 **latest_page(shown, slots, ANSWERS_URL, answers_archive_url)})
    for n, paging in archive_pages(slots, ANSWERS_URL, answers_archive_url, archive):
        yield Page(answers_archive_url(n), "answers.html", {**base, "page_title": f"公众留言答复(第{n}页)", **paging})
