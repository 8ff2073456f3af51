"""征集调查 on the portal (issue 17): one page per opened consultation — its text, its window, the link to
comment while it is open, its files (the draft policy) as download links with their kind and size, the approved
comments if the office shows them, the feedback once published — and the consultations listed on their column's
first page. Few and changing with their state (and the calendar): a build renders them all (beside the answers,
core.portal.build._write_answers) when what they show or their phase changed (core.portal.plan.interaction_plan).

Imports from: core.consultation_public, core.db, core.portal (data, pages, render, urls, writer)."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import duckdb

from core import consultation_public
from core.file_labels import file_kind, size_label
from core.portal.data import SiteData
from core.portal.pages import Page, column_pages
from core.portal.render import render_to
from core.portal.urls import consultation_file_path, consultation_file_url
from core.portal.writer import Writer

FOLDER = "/hudong/zjdc"
FILES = FOLDER + "/files"  # the consultations' files, one folder per file id
PAGE_NAME = re.compile(r"\d+\.html")


def _files(shown: dict) -> list[dict]:
    """The consultation's files with their addresses and what their links say (kind, size)."""
    return [{**f, "url": consultation_file_url(f["id"], f["filename"]),
             "path": consultation_file_path(f["id"], f["filename"]), "kind": file_kind(f["filename"]),
             "size_label": size_label(f["size"])} for f in shown["files"]]


def pages(con: duckdb.DuckDBPyConnection, site: SiteData, now: dt.datetime | None = None) -> list[Page]:
    """The consultations' pages as the calendar has them at `now` (the build's clock): the link to comment
    only within the window (core.portal.calendar has the scheduler rebuild them at its boundaries)."""
    now = now or site.now
    found = []
    for item in site.consultations:
        shown = consultation_public.public(con, item["id"], now)
        shown["files"] = _files(shown)
        column = site.columns.get(shown["column_id"])
        taking = consultation_public.window_refusal(consultation_public.get(con, item["id"]), now)
        found.append(Page(item["url"], "consultation.html", {
            "page_title": shown["subject"], "consultation": shown, "column": column.ref if column else None,
            "section_id": column.id if column else None, "taking_comments": taking is None,
            "comment_url": f"{site.message_url.rsplit('/', 1)[0]}/comment?id={shown['id']}"}))
    return found


def write(con: duckdb.DuckDBPyConnection, site: SiteData, writer: Writer, context: dict[str, Any]) -> int:
    """Every consultation page; the pages of consultations no longer listed go; with their files (those of
    others go too). The first pages of the columns listing them: ``write_first_pages``."""
    found = pages(con, site)
    count = write_pages(writer, context, found, FOLDER)
    for page in found:
        for f in page.context["consultation"]["files"]:
            writer.write(f["path"], consultation_public.file_data(con, f["id"])[1])
    root = writer.target(FILES)
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        folder = os.path.join(root, name)
        if os.path.isdir(folder) and not any(os.path.join(folder, f) in writer.claimed for f in os.listdir(folder)):
            writer.remove(f"{FILES}/{name}")
    return count


def write_pages(writer: Writer, context: dict[str, Any], found: list[Page], folder: str) -> int:
    """Render `found` (the pages of one interaction kind, all in `folder`) and remove the folder's pages no longer
    found (shared with core.portal.interviews). Only this process writes in `folder`: the build runs this while its
    workers still render."""
    count = 0
    for page in found:
        render_to(writer, page, context)
        count += 1
    writer.remove_unclaimed(folder, PAGE_NAME)
    return count


def write_first_pages(site: SiteData, writer: Writer, context: dict[str, Any], items: list[dict]) -> int:
    """The first page of each column listing `items` (consultations or interviews), unless this build rendered it
    already: after the workers, whose pages are then known (``writer.claimed``)."""
    count = 0
    for column_id in sorted({c["column_id"] for c in items}):
        col = site.columns.get(column_id)
        if col is None:
            continue
        first = next(column_pages(site, col))
        if writer.target(first.path) not in writer.claimed:
            render_to(writer, first, context)
            count += 1
    return count
