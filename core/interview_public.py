"""在线访谈 as the public reads it (issue 17): the calendar phase of an announced interview, why a question is
refused, and what its portal page shows.

core.interview (the office's machine, the public's questions, the review, the transcript's writing) builds on
this; the portal's build (core.portal) reads with it alone, so that a build does not import the message desk
and the screening behind the office's side (issue 16).

Imports from: core.contribution_reads (the questions' states and counts) and the floor (db, errors).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import contribution_reads
from core.db import row, rows
from core.errors import NotFound

PUBLIC_LABELS = {"collecting": "访谈预告", "held": "访谈已举行", "published": "访谈实录"}
# what the portal says follows the calendar (phase): announced, under way from its start time through its day,
# over from the next day until the office marks it held; the scheduler rebuilds the page at each boundary
PHASE_LABELS = {"upcoming": PUBLIC_LABELS["collecting"], "started": "访谈进行中", "over": "访谈已结束",
                "held": PUBLIC_LABELS["held"], "published": PUBLIC_LABELS["published"]}
QUESTION_TABLE = "interview_questions"  # the questions (core.interview's QUESTIONS)
OWNER_KEY = "interview_id"  # a question's column naming its interview


def get(con: duckdb.DuckDBPyConnection, interview_id: int) -> dict:
    found = row(con, "SELECT i.*, d.name AS division_name FROM interviews i "
                     "JOIN divisions d ON d.id = i.division_id WHERE i.id = ?", [interview_id])
    if not found:
        raise NotFound(f"在线访谈 {interview_id} 不存在")
    return found


def entries(con: duckdb.DuckDBPyConnection, interview_id: int) -> list[dict]:
    """The transcript in order."""
    return rows(con, "SELECT * FROM interview_entries WHERE interview_id = ? ORDER BY position, id", [interview_id])


def phase(item: dict, now: dt.datetime) -> str:
    """Where an announced interview stands on the calendar at `now` (a key of PHASE_LABELS; a draft: "draft").
    The boundaries are its start time and the next day's 0:00 (an interview is held within its day)."""
    if item["state"] != "collecting":
        return item["state"]
    if now < item["starts_at"]:
        return "upcoming"
    return "over" if now.date() > item["starts_at"].date() else "started"


def asking_refusal(item: dict, now: dt.datetime) -> str | None:
    """Why a question cannot be taken now (not announced, already held, its time come), or None."""
    when = f"访谈时间为 {item['starts_at']:%Y年%m月%d日 %H:%M}"
    if item["state"] != "collecting":
        return f"本期访谈{PUBLIC_LABELS.get(item['state'], '尚未发布')},不再接收提问({when})"
    if now >= item["starts_at"]:
        return f"本期访谈已开始,不再接收提问({when})"
    return None


def public(con: duckdb.DuckDBPyConnection, interview_id: int, now: dt.datetime | None = None) -> dict | None:
    """What the portal shows at `now`: never a draft, never a name; approved questions before; the transcript
    once published; the state as the calendar has it (访谈进行中 from its start time)."""
    item = get(con, interview_id)
    if item["state"] == "draft":
        return None
    stage = phase(item, now or dt.datetime.now())
    published = item["state"] == "published"
    received = contribution_reads.counts(con, QUESTION_TABLE, OWNER_KEY, interview_id)["received"]
    approved = [] if published else contribution_reads.of(con, QUESTION_TABLE, OWNER_KEY, interview_id, "approved")
    return {**{k: item[k] for k in ("id", "column_id", "subject", "guests", "starts_at", "intro", "state",
                                     "division_name", "announced_at", "published_at")},
            "phase": stage, "state_label": PHASE_LABELS[stage], "received": received,
            "guest_lines": [g.strip() for g in item["guests"].split("\n") if g.strip()],
            "questions": [q["body"] for q in approved],
            "transcript": [{k: e[k] for k in ("kind", "question", "speaker", "body")} | {"public": bool(e["question_id"])}
                           for e in entries(con, interview_id)] if published else []}


def published_in(con: duckdb.DuckDBPyConnection, column_ids: list[int] | None = None) -> list[dict]:
    """Interviews on the portal (announced), newest first, optionally of some columns."""
    return contribution_reads.published_in(con, "interviews", "id, column_id, subject, state, starts_at, announced_at",
                                           "starts_at DESC, id DESC", column_ids)
