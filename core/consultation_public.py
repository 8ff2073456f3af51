"""征集调查 as the public reads it (issue 17): the calendar phase of an opened consultation, why a comment is
refused, and what its portal page shows.

core.consultation (the office's machine, the public's comments, the review) builds on this; the portal's build
(core.portal) reads with it alone, so that a build does not import the message desk, the screening and the
article workflow behind the office's side (issue 16: 0.15 s of every build's start).

Imports from: core.contribution_reads (the comments' states and counts) and the floor (db, errors).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import contribution_reads
from core.db import row, rows
from core.errors import NotFound

PUBLIC_LABELS = {"open": "正在征集", "closed": "征集已结束", "summarised": "已公布反馈"}
# what the portal says of an opened consultation follows the calendar (phase): before its window, within it,
# after its end date while the office has not closed it yet; the scheduler rebuilds the page at each boundary
PHASE_LABELS = {"upcoming": "即将开始征集", "taking": "正在征集", "ended": "征集已截止",
                "closed": PUBLIC_LABELS["closed"], "summarised": PUBLIC_LABELS["summarised"]}
COMMENT_TABLE = "consultation_comments"  # the comments (core.consultation's COMMENTS)
OWNER_KEY = "consultation_id"  # a comment's column naming its consultation


def get(con: duckdb.DuckDBPyConnection, consultation_id: int) -> dict:
    found = row(con, "SELECT c.*, d.name AS division_name, col.name AS column_name FROM consultations c "
                     "JOIN divisions d ON d.id = c.division_id JOIN columns col ON col.id = c.column_id "
                     "WHERE c.id = ?", [consultation_id])
    if not found:
        raise NotFound(f"征集调查 {consultation_id} 不存在")
    return found


def files(con: duckdb.DuckDBPyConnection, consultation_id: int) -> list[dict]:
    """The consultation's files (the draft policy and what explains it), in the order attached."""
    return rows(con, "SELECT id, consultation_id, filename, mime, size, created_at FROM consultation_files "
                     "WHERE consultation_id = ? AND NOT removed ORDER BY id", [consultation_id])


def file_data(con: duckdb.DuckDBPyConnection, file_id: int) -> tuple[str, bytes]:
    """A file's name and bytes (to download in the workbench, and for the portal's build)."""
    found = row(con, "SELECT filename, data FROM consultation_files WHERE id = ? AND NOT removed", [file_id])
    if found is None:
        raise NotFound(f"附件 {file_id} 不存在")
    return found["filename"], found["data"]


def phase(item: dict, now: dt.datetime) -> str:
    """Where an opened consultation stands on the calendar at `now` (a key of PHASE_LABELS; a draft: "draft").
    The window's boundaries are the start day's 0:00 and the day after the end day's 0:00."""
    if item["state"] != "open":
        return item["state"]
    if now.date() < item["starts_on"]:
        return "upcoming"
    return "ended" if now.date() > item["ends_on"] else "taking"


def window_refusal(item: dict, now: dt.datetime) -> str | None:
    """Why a comment cannot be taken now (not open, before or after the window), or None."""
    span = f"征集时间为 {item['starts_on']:%Y年%m月%d日} 至 {item['ends_on']:%Y年%m月%d日}"
    if item["state"] != "open":
        return f"本次征集调查{PUBLIC_LABELS.get(item['state'], '尚未发布')},不再接收意见({span})"
    if now.date() < item["starts_on"]:
        return f"本次征集调查尚未开始接收意见({span})"
    if now.date() > item["ends_on"]:
        return f"本次征集调查已截止,不再接收意见({span})"
    return None


def public(con: duckdb.DuckDBPyConnection, consultation_id: int, now: dt.datetime | None = None) -> dict | None:
    """What the portal shows at `now`: never a draft, never a name, approved comments only if the office
    shows them; the state as the calendar has it (征集已截止 once the end date passed)."""
    item = get(con, consultation_id)
    if item["state"] == "draft":
        return None
    stage = phase(item, now or dt.datetime.now())
    number = contribution_reads.counts(con, COMMENT_TABLE, OWNER_KEY, consultation_id)
    shown = item["state"] == "summarised" and item["show_comments"]
    approved = contribution_reads.of(con, COMMENT_TABLE, OWNER_KEY, consultation_id, "approved") if shown else []
    return {**{k: item[k] for k in ("id", "subject", "body", "starts_on", "ends_on", "state", "division_name",
                                     "column_id", "opened_at", "summarised_at")},
            "phase": stage, "state_label": PHASE_LABELS[stage], "received": number["received"],
            "files": files(con, consultation_id),
            "summary": {"adopted": item["adopted_count"], "adopted_text": item["adopted_text"],
                        "rejected_text": item["rejected_text"]} if item["state"] == "summarised" else None,
            "comments": [c["body"] for c in approved]}


def published_in(con: duckdb.DuckDBPyConnection, column_ids: list[int] | None = None) -> list[dict]:
    """Consultations on the portal (opened), newest first, optionally of some columns."""
    return contribution_reads.published_in(
        con, "consultations", "id, column_id, subject, state, starts_on, ends_on, opened_at",
        "opened_at DESC, id DESC", column_ids)
