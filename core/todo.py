"""What waits for a user, by kind (the to-do counts on the home page and in the sidebar).

Top floor: imports consultation, disclosure, freshness, interaction and workflow (and db); nothing in core imports it.
The counting lives here, not in notify, so the lowest module never reaches up to the machines.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from core import consultation, disclosure, freshness, interaction, workflow
from core.db import scalar


def todo_items(con: duckdb.DuckDBPyConnection, user) -> dict[str, int]:
    """What waits for this user, by kind: the page that handles each kind shows the items."""
    items = {"approvals": len(workflow.approval_queue(con, user))}
    if user.has("officer"):
        returned, approved = con.execute(
            "SELECT count(*) FILTER (WHERE state = 'returned'), count(*) FILTER (WHERE state = 'approved') "
            "FROM articles WHERE lead_division_id = ? AND state IN ('returned', 'approved')",
            [user.division_id]).fetchone()
        items["returned"], items["approved"] = int(returned), int(approved)
    if user.has("webmaster"):
        # a count, not the rows of core.requests.open_requests (the same joins, so the same requests)
        items["consultation_comments"] = consultation.pending_total(con)  # 第二十三条: reviewed before shown
        items["requests"] = int(scalar(con, "SELECT count(*) FROM publication_requests r "
                                            "JOIN divisions d ON d.id = r.division_id "
                                            "JOIN users u ON u.id = r.requester_id WHERE r.state = 'open'"))
    items.update(interaction.counts(con, user))
    items.update(disclosure.counts(con, user))  # applications for disclosure held (issue 14)
    if user.roles & {"officer", "head"}:
        # columns reminded and still not updated (第二十七条(五)): in-app, beside the e-mail
        items["stale_columns"] = freshness.stale_count(con, user.division_id)
    return items


def todo_count(con: duckdb.DuckDBPyConnection, user) -> int:
    """Items waiting for this user: approvals, returned drafts, approved items to publish, requests,
    public messages to moderate, answer, approve or release."""
    return sum(todo_items(con, user).values())


def change_mark(db_path: str | os.PathLike) -> tuple:
    """A key that changes with every committed write to the database file, and with the day.

    DuckDB appends each commit to the file's write-ahead log before the commit returns, and a checkpoint
    rewrites the file itself and empties the log: the two files' size and modification time change with
    every write, whoever made it (the workbench's process is the only writer, stack-notes). The day is in
    the key because a column turns stale and a message overdue as the dates pass, without any write."""
    path = Path(db_path)
    marks: list[object] = [dt.date.today()]
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            found = file.stat()
            marks += [found.st_size, found.st_mtime_ns]
        except FileNotFoundError:
            marks += [None, None]
    return tuple(marks)
