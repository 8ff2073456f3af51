"""在线访谈 on the portal (issue 17): one page per announced interview — subject, guests and their posts, time,
introduction; while questions are taken the link 我要提问 and the reviewed questions; once published the
transcript — and the interviews listed on their column's first page. Written like the consultations'
pages (core.portal.consultations.write_pages, write_first_pages).

Imports from: core.interview_public, core.portal (consultations, data, pages, writer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from core import interview_public
from core.portal.consultations import write_pages
from core.portal.data import SiteData
from core.portal.pages import Page
from core.portal.writer import Writer

FOLDER = "/hudong/zxft"


def pages(con: duckdb.DuckDBPyConnection, site: SiteData, now: dt.datetime | None = None) -> list[Page]:
    """The interviews' pages as the calendar has them at `now` (the build's clock): the link to ask only
    before the start (core.portal.calendar has the scheduler rebuild them then)."""
    now = now or site.now
    found = []
    for item in site.interviews:
        shown = interview_public.public(con, item["id"], now)
        column = site.columns.get(shown["column_id"])
        taking = interview_public.asking_refusal(interview_public.get(con, item["id"]), now)
        found.append(Page(item["url"], "interview.html", {
            "page_title": shown["subject"], "interview": shown, "column": column.ref if column else None,
            "section_id": column.id if column else None, "taking_questions": taking is None,
            "ask_url": f"{site.message_url.rsplit('/', 1)[0]}/ask?id={shown['id']}"}))
    return found


def write(con: duckdb.DuckDBPyConnection, site: SiteData, writer: Writer, context: dict[str, Any]) -> int:
    """Every interview page; the pages of interviews no longer listed go. The first pages of the columns
    listing them: core.portal.consultations.write_first_pages."""
    return write_pages(writer, context, pages(con, site), FOLDER)
