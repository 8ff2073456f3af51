"""Portal build: one build, from the plan to the record (Pelican's ``run()``).

``build_site`` runs the stages in one read transaction, so it sees one snapshot: load the site
(data), decide what to render (plan), turn it into pages (pages), render them (render) through
the writer (writer), then the sitemaps, attachments and answers' pages, prune what is no longer
served, and record what was rendered (plan). A build killed half-way leaves the debt that
portal.resume settles.

Imports from: portal.urls, portal.writer, portal.data, portal.plan, portal.pages, portal.render, portal.pool,
portal.redirects;
core.db, core.settings, core.progress.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from core import settings
from core.db import transaction
from core.portal.calendar import record as record_calendar
from core.portal.consultations import write as write_consultations
from core.portal.consultations import write_first_pages
from core.portal.data import (
    BODY_BATCH,
    Column,
    SiteData,
    body_batches,
    fetch_attachments,
    fetch_blobs,
    fetch_corrections,
    fetch_heads,
    fetch_latest,
    fetch_withdrawn,
    load_answers,
    load_site,
)
from core.portal.disclosure import (
    Section,
    catalogue_pages,
    fetch_catalogue,
    fetch_catalogue_listings,
    gone_listings,
    load_section,
    section_pages,
    sitemap_paths,
)
from core.portal.interviews import write as write_interviews
from core.portal.pages import (
    COLUMN_FEED_ITEMS,
    Page,
    answer_pages,
    answers_listing,
    archive_count,
    article_page,
    column_pages,
    feed_page,
    home_page,
    interaction_columns,
    key_columns,
    neighbours,
    robots_txt,
    site_pages,
    sitemap_files,
    withdrawn_page,
)
from core.portal.plan import (
    STAMP_FILE,
    AnswersPlan,
    Plan,
    answers_plan,
    archive_marks,
    changed_archives,
    full_changes,
    interaction_plan,
    owe_build,
    plan_build,
    record_built,
    save_answers,
    save_interaction,
    save_record,
    signature,
)
from core.portal.pool import Jobs, Renderer, pool_size
from core.portal.redirects import settle
from core.portal.render import copy_static, has_template, refresh_templates, render_to, site_context
from core.portal.urls import answers_archive_url, feed_url
from core.portal.writer import COLUMN_PAGE_NAME, Writer
from core.progress import Progress, pause_point

# the scheduler thread and a page's publish can both ask for a build: one at a time, since
# a build prunes files (temp files included) that it did not write itself
BUILD_LOCK = threading.Lock()
ARCHIVE_NAME = re.compile(r"index_(\d+)\.html")  # a column's archive pages (portal.pages)
SITEMAP_CHUNK_NUMBER = re.compile(r"sitemap-(\d+)\.xml")
HOME_ITEMS = 8
SITE_FEED_ITEMS = 50


def build_site(con: duckdb.DuckDBPyConnection, out_dir: str | Path = "site_build", *,
               full: bool = True, progress: bool | None = None, workers: int | None = None,
               now: datetime | None = None) -> dict:
    """Render the public portal into ``out_dir``: everything, or (``full=False``) what changed
    since the last build into that folder (core.portal.plan says what that covers).

    ``now``: the clock the consultations' and interviews' pages follow (default: the time of the build;
    the scheduler's tick passes its own, core.portal.calendar).

    ``progress``: a bar on stderr during the build (None: when stderr is a terminal).
    ``workers``: processes rendering pages in a large build (None: one per core; only where
    this process runs no other thread, see ``pool._pool_context``).
    Returns counts: pages (pages rendered, feeds included), articles (article pages),
    columns (listings rendered), withdrawn (notices), attachments (files written or checked),
    redirects (old URLs given a redirect, core.portal.redirects),
    writes (files created or replaced), unchanged (files already up to date), pruned
    (stale files removed), seconds; and mode ("full" | "incremental"), reason (why full),
    changed_articles (ids whose own page changed state) and touched_years (their years of
    publication: the search index re-indexes only those shards; after a full build, every year).
    """
    with BUILD_LOCK:
        return _build(con, out_dir, full=full, progress=progress, workers=workers, now=now)


def _build(con: duckdb.DuckDBPyConnection, out_dir: str | Path, *, full: bool, progress: bool | None,
           workers: int | None, now: datetime | None = None) -> dict:
    started = time.perf_counter()
    refresh_templates()
    writer = Writer(out_dir)
    full = owe_build(con, writer.root, full)
    with transaction(con):  # one snapshot for the whole build, and the record written with it
        site = load_site(con, now)
        sig = signature(con)
        plan = plan_build(con, site, writer.root, sig, full)
        answers = answers_plan(con, writer.root, full=plan.full)
        if plan.full:  # should this build fail, the next one is full again, whatever changed
            writer.remove("/" + STAMP_FILE)
        context = site_context(site, copy_static(writer, site.static_files))

        def read_section() -> Section:  # read once the workers have pages to render: they do not need it
            return load_section(con, site, plan.listings,
                                plan.full or bool(plan.catalogue_topics or plan.catalogue_years))

        def alongside(section: Section) -> dict:  # written while the workers render their last batches
            # the last build's sitemap patched where the answers it lists are still the published ones
            sitemap = sitemap_files(con, site, sitemap_paths(section), changed=None if plan.full else plan.changed,
                                    head=plan.sitemap_head, present=lambda path: os.path.isfile(writer.target(path)),
                                    read=None if answers.changed else functools.partial(_read_bytes, writer))
            for path, text in sitemap.files:
                writer.write(path, text)
            plan.sitemap_head, plan.sitemap_chunks = sitemap.head, sitemap.chunks
            writer.write("/robots.txt", robots_txt(site))
            full_changes(con, plan)  # the record's reads and writes, none of which the pages need
            record_built(con, plan)
            return {"attachments": _write_attachments(con, writer, None if plan.full else sorted(plan.articles))}

        counts = _render_all(con, site, read_section, plan, answers, writer, context, progress, workers, alongside)
        plan.years |= counts.pop("answer_years")
        listings = [c for c in site.columns.values() if c.id in (plan.listings or ())]
        # a full build prunes what it did not write, the redirects it leaves included: they come first;
        # an incremental build leaves a redirect where it removed a page
        if plan.full:
            counts["redirects"] = settle(con, writer, site, full=True, context=context)
        pruned = _clean(writer, plan, listings)
        if not plan.full:
            counts["redirects"] = settle(con, writer, site, full=False, context=context)
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


def _render_all(con: duckdb.DuckDBPyConnection, site: SiteData, read_section: Callable[[], Section], plan: Plan,
                answers: AnswersPlan, writer: Writer, context: dict[str, Any], progress: bool | None, workers: int | None,
                alongside: Callable[[Section], dict]) -> dict:
    """Render every page of the plan (in worker processes when there are many).

    The work is ordered so that the workers never wait for this process: the column listings first
    (made from data read before the fork: the workers start on them while this process reads the 政府信息公开
    section, ``read_section``, which only it needs (≈0.08 s of CPU that delayed the fork), and the first
    bodies), then the articles as their bodies are read, then the pages made here; once everything is
    sent, this process runs ``alongside`` (sitemaps, attachments) and writes the pages only it writes (answers,
    consultations, interviews: ``_write_answers``) while the workers finish, instead of after them (≈0.07 s of
    a full build at 10,000 articles, issue 16); only what depends on the workers' pages waits for them
    (``_write_first_pages``). Output does not depend on the order (one file a page)."""
    listings = [c for c in site.columns.values() if plan.listings is None or c.id in plan.listings]
    by_id = {i["id"]: i for c in site.columns.values() for i in c.items}
    ids = sorted(by_id if plan.articles is None else plan.articles & by_id.keys())
    notices = fetch_withdrawn(con, plan.notices)
    archives = plan.archives or {}
    paged = {c.id: 1 + (archive_count(len(c.slots)) if plan.archives is None else len(archives.get(c.id, ())))
             for c in listings}
    total = len(ids) + len(notices) + sum(paged.values())
    workers = pool_size(total, workers)
    # everything but the bodies is read before the pool forks: its workers make the pages themselves
    jobs = _jobs(con, site, by_id, ids, plan.archives)
    bar = Progress(total, "生成门户页面", enabled=progress if plan.full else False)
    with bar, Renderer(writer, context, workers, bar, jobs) as renderer:
        for col in listings:
            renderer.emit_column(col.id, paged[col.id])
        renderer.send()  # the workers start now, on the listings
        section = read_section()
        disclosure_pages, gone, folders = _section_pages(con, site, section, plan)
        plan.stale_paths += gone
        plan.paged_folders = folders
        for batch in body_batches(con, ids):
            for body in batch:
                renderer.emit_article(body)
        pause_point("pages")
        for item in notices:
            renderer.emit(withdrawn_page(item))
        for page in _shared_pages(con, site, listings, fixed=plan.full):
            renderer.emit(page)
        for page in disclosure_pages:
            renderer.emit(page)
        renderer.send()
        done = alongside(section)
        # also while the workers finish: the pages only this process writes (answers, consultations, interviews)
        answered, years, same_answers = _write_answers(con, site, writer, context, answers, only_new=not plan.full)
    # after the workers (their pages known): the first pages of the columns listing answers, consultations and
    # interviews are rendered here unless a worker did
    answered += _write_first_pages(site, writer, context, same_answers)
    return {"pages": renderer.pages + answered, "articles": len(ids), "columns": len(listings),
            "withdrawn": len(notices), "answers": answered, "answer_years": years, **done}


def _jobs(con: duckdb.DuckDBPyConnection, site: SiteData, by_id: dict[int, dict], ids: list[int],
          archives: dict[int, set[int]] | None) -> Jobs:
    """How an article's page is made from its body row, and a column's listing pages (index.html and the
    archive pages of ``archives``, all when None), with what they show besides the body read now."""
    nearby = neighbours(site)
    wanted = None if len(ids) > BODY_BATCH else ids
    attachments = fetch_attachments(con, wanted)
    catalogue = fetch_catalogue(con, site, wanted)
    notes = fetch_corrections(con, wanted)

    def article(body: tuple) -> Page:
        article_id, body_html, source = body
        return article_page(site, by_id[article_id], {"body_html": body_html, "source": source},
                            attachments.get(article_id, []), nearby.get(article_id, (None, None)),
                            catalogue.get(article_id), notes.get(article_id, []))

    def columns(column_id: int) -> Iterator[Page]:
        return column_pages(site, site.columns[column_id], None if archives is None else archives.get(column_id, ()))

    return Jobs(article=article, columns=columns)


def _shared_pages(con: duckdb.DuckDBPyConnection, site: SiteData, listings: list[Column], *,
                  fixed: bool = True) -> Iterator[Page]:
    """Home page, feeds (site-wide and of the listings rendered) and, when ``fixed``, the site's fixed pages
    (site map, 无障碍, 联系我们, 网站声明, 404, search: they show only what the build signature covers, so an
    incremental build leaves them as the last full build wrote them)."""
    report = site.named_column("site_report_column")  # the 政府网站工作年度报表, linked from the home page
    wanted = [c.id for c in key_columns(site)]
    heads = fetch_heads(con, site, [*wanted, *([report.id] if report and report.id not in wanted else [])], HOME_ITEMS)
    home_items = settings.get(con, "home_latest_items")
    latest = fetch_latest(con, site, max(home_items, SITE_FEED_ITEMS))  # one query for the home page and the feed
    yield home_page(site, heads, latest[:home_items], next(iter(heads[report.id]), None) if report else None)
    yield feed_page(site, feed_url(), site.site_name, "/index.html", latest[:SITE_FEED_ITEMS])
    for col in listings:
        yield feed_page(site, feed_url(col.slug), f"{col.name} - {site.site_name}", col.url,
                        col.listing[:COLUMN_FEED_ITEMS])
    if fixed:
        yield from site_pages(site, has_template("search.html"))


def _section_pages(con: duckdb.DuckDBPyConnection, site: SiteData, section: Section,
                   plan: Plan) -> tuple[list[Page], list[str], list[str]]:
    """政府信息公开: the section's pages and the 公开目录 listings of the plan; then the folders of
    listings that lost their last document (to remove) and of those rendered (whose pages beyond
    the last are removed), for an incremental build."""
    listings = fetch_catalogue_listings(con, site, section, plan.catalogue_topics, plan.catalogue_years)
    pages = [*section_pages(section), *catalogue_pages(section, listings)]
    folders = sorted({page.path.rsplit("/", 1)[0] for page in pages
                      if page.path.endswith("index.html") and page.template != "xxgk_index.html"})
    return pages, gone_listings(section, listings), folders


def _write_answers(con: duckdb.DuckDBPyConnection, site: SiteData, writer: Writer,
                   context: dict[str, Any], listing: AnswersPlan, *,
                   only_new: bool = False) -> tuple[int, set[int], bool]:
    """Writes the answers' pages and the 留言答复 listing, and removes the pages of answers taken off, when the
    answers changed since the last build into this folder (portal.plan.answers_plan; always in a full build),
    and the consultations' and interviews' pages; returns pages written, the years whose search shards
    changed, and whether the answers listed are those of the last build (``_write_first_pages``). Only this
    process writes these folders (/hudong), so this runs while the workers render.

    ``only_new`` (incremental builds): an answer's own page is rendered only when its file is missing, and
    of the listing (stable pagination, portal.pages.answers_listing) index.html and the archive pages whose
    places changed. A published answer never changes (it can only be taken off, which removes its page),
    and whatever else its page shows is in the build signature, whose change makes the build full.
    ``listing``: portal.plan.answers_plan, read with the plan (the sitemap patch needs it too)."""
    years: set[int] = set()
    count = 0
    if listing.changed:
        answers, slots = load_answers(con)
        for page in answer_pages(site, answers):
            if only_new and os.path.exists(writer.target(page.path)):
                continue
            before = writer.writes
            render_to(writer, page, context)
            count += 1
            if writer.writes > before:
                years.add(page.context["message"]["published_at"].year)
        marks = archive_marks(slots)
        wanted = changed_archives(listing.before, marks) if only_new else None
        if wanted is not None:  # and any missing from the folder
            wanted |= {n for n in range(1, len(marks) + 1)
                       if not os.path.exists(writer.target(answers_archive_url(n)))}
        for page in answers_listing(site, slots, wanted):
            render_to(writer, page, context)
            count += 1
        for n in range(1, len(marks) + 1):  # the archive pages left as they are
            if wanted is not None and n not in wanted:
                writer.keep(answers_archive_url(n))
        for gone in slots:
            if not gone["public"] and os.path.exists(writer.target(gone["url"])):
                writer.remove(gone["url"])
                years.add(gone["published_at"].year)
        writer.remove_unclaimed("/hudong", COLUMN_PAGE_NAME)
        save_answers(con, listing, marks)
    # 征集调查 and 在线访谈 (issue 17): few, all rendered, when what they show changed (portal.plan.interaction_plan)
    shown = interaction_plan(con, site, writer.root, full=not only_new)
    if shown.changed:
        count += write_consultations(con, site, writer, context)
        count += write_interviews(con, site, writer, context)
        save_interaction(con, shown)
    record_calendar(con, site.now)  # the phases rendered: the scheduler rebuilds when one moves (issue 17)
    return count, years, not listing.changed


def _write_first_pages(site: SiteData, writer: Writer, context: dict[str, Any], same_answers: bool) -> int:
    """The first pages of the interaction columns (they list the latest answers) and of the columns listing
    consultations and interviews, where no worker rendered them: after the workers, whose pages are then in
    ``writer.claimed``. Returns pages written."""
    count = 0
    for col in interaction_columns(site):  # its first page lists the latest answers
        first = next(column_pages(site, col))
        if same_answers and os.path.exists(writer.target(first.path)):
            continue  # its own items changed: the plan rendered it (claimed); the answers did not
        if writer.target(first.path) not in writer.claimed:
            render_to(writer, first, context)
            count += 1
    count += write_first_pages(site, writer, context, site.consultations)  # 征集调查 (issue 17)
    count += write_first_pages(site, writer, context, site.interviews)  # 在线访谈 (issue 17)
    return count


def _read_bytes(writer: Writer, path: str) -> bytes | None:
    """A file of the folder (None when missing or unreadable)."""
    try:
        with open(writer.target(path), "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _write_attachments(con: duckdb.DuckDBPyConnection, writer: Writer, ids: list[int] | None) -> int:
    """The files of public articles (all, or of ``ids``); unchanged files are not rewritten."""
    if ids is not None and not ids:
        return 0
    atts = [a for found in fetch_attachments(con, ids).values() for a in found]
    files = 0
    for att, data in fetch_blobs(con, atts):
        writer.write(att["path"], data)
        files += 1
    return files


def _remove_archives_beyond(writer: Writer, col: Column) -> None:
    """Delete the archive pages of ``col`` past its last (portal.pages.archive_count)."""
    last = archive_count(len(col.slots))
    folder = f"/col/{col.slug}"
    try:
        names = os.listdir(writer.target(folder))
    except FileNotFoundError:
        return
    for name in names:
        found = ARCHIVE_NAME.fullmatch(name)
        if found and int(found.group(1)) > last:
            writer.remove(f"{folder}/{name}")


def _clean(writer: Writer, plan: Plan, listings: list[Column]) -> int:
    """Remove what the portal no longer serves: after a full build, whatever it did not write;
    after an incremental one, the pages and attachments that changed articles left behind."""
    if plan.full:
        return writer.prune()
    before = writer.removed
    for path in plan.stale_paths:
        writer.remove(path)
    for col in listings:  # a listing that lost places leaves its last archive pages behind
        _remove_archives_beyond(writer, col)
    for folder in plan.paged_folders:
        writer.remove_unclaimed(folder, COLUMN_PAGE_NAME)
    for name in os.listdir(writer.root):  # the sitemap's chunks past its last (the earlier ones may be kept)
        found = SITEMAP_CHUNK_NUMBER.fullmatch(name)
        if found and int(found.group(1)) > plan.sitemap_chunks:
            writer.remove("/" + name)
    return writer.removed - before
