"""What waits for a user, by kind (the to-do counts on the home page and in the sidebar).

Top floor: imports consultation, disclosure, duties, freshness, interaction, interview, proposals, support and workflow
(and db);
nothing in core imports it.
The counting lives here, not in notify, so the lowest module never reaches up to the machines.
"""

from __future__ import annotations

import duckdb

from core import consultation, disclosure, duties, freshness, interaction, interview, proposals, support, workflow
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
        items["interview_questions"] = interview.pending_total(con)  # 在线访谈's questions, likewise
        items["requests"] = int(scalar(con, "SELECT count(*) FROM publication_requests r "
                                            "JOIN divisions d ON d.id = r.division_id "
                                            "JOIN users u ON u.id = r.requester_id WHERE r.state = 'open'"))
    items.update(interaction.counts(con, user))
    items.update(disclosure.counts(con, user))  # applications for disclosure held (issue 14)
    items.update(proposals.counts(con, user))  # proposals to review; the proposer's 要求补充 (issue 17)
    items.update(support.counts(con, user))  # support requests to handle or to confirm (issue 17, 第十条)
    if user.roles & {"officer", "head"}:
        # columns reminded and still not updated (第二十七条(五)): in-app, beside the e-mail
        items["stale_columns"] = freshness.stale_count(con, user.division_id)
        # expected publications the office recorded, pending or overdue (第十七条、第二十七条(四))
        items["duties"] = duties.open_count(con, user.division_id)
    return items


def todo_count(con: duckdb.DuckDBPyConnection, user) -> int:
    """Items waiting for this user: approvals, returned drafts, approved items to publish, requests,
    public messages to moderate, answer, approve or release."""
    return sum(todo_items(con, user).values())
