"""What waits for a user, by kind (the to-do counts on the home page and in the sidebar).

Top floor: imports consultation, disclosure, duties, freshness, interaction, interview, proposals, support and workflow
(and db, permissions);
nothing in core imports it.
The counting lives here, not in notify, so the lowest module never reaches up to the machines.

A to-do is counted only if the user can act on it, that is open the page that handles it: each kind names the
permission of that page (PERMISSIONS, the same permission pages/_shared.PAGES gives the page, checked by
tests/test_todo.py), and `todo_items` counts only the kinds core.permissions grants (the others are not queried at
all). So the count, the home page's cards and the sidebar agree by construction; the pages only show what is
returned.
"""

from __future__ import annotations

import duckdb

from core import (
    consultation,
    disclosure,
    duties,
    freshness,
    interaction,
    interview,
    permissions,
    proposals,
    support,
    workflow,
)
from core.db import scalar

# Every kind `todo_items` counts, in staff's words: the home page's cards and the explanation of 我的待办
# (`explanation`) read these, so a kind counted without words here fails tests/test_todo.py.
LABELS: dict[str, str] = {
    "approvals": "待您审批的稿件",
    "returned": "被退回、待修改的稿件",
    "approved": "已批准、待发布的稿件",
    "requests": "待处理的委托发布申请",
    "messages_new": "待审核的公众留言",
    "messages_release": "待发布的留言答复",
    "messages_answer": "待本处室答复的留言",
    "messages_approve": "待您审批的留言答复",
    "stale_columns": "已提醒、仍未更新的栏目",
    "duties": "本处室的应发布信息",
    "consultation_comments": "待审核的征集调查意见",
    "interview_questions": "待审核的在线访谈网民提问",
    "disclosure_held": "待您办理的政府信息公开申请",
    "proposals_review": "待审议的建议与提案",
    "proposals_more_info": "办公室要求补充的提案",
    "proposals_overdue": "超期未落实的建议与提案",
    "support_open": "待受理、处理中的技术支持请求",
    "support_answered": "待您确认的技术支持答复",
}


# The permission of the page that handles each kind (pages/_shared.TODO_PAGES names the page, whose PAGES entry
# carries the same permission): a kind is counted for a user only if core.permissions grants it (第二十四条).
PERMISSIONS: dict[str, str] = {
    "approvals": "article.review",  # 待我审批
    "returned": "article.draft", "approved": "article.draft",  # 我的稿件
    "requests": "requests.handle",  # 委托发布处理
    "messages_new": "messages.moderate", "messages_release": "messages.moderate",  # 互动管理
    "messages_answer": "messages.handle", "messages_approve": "messages.handle",  # 留言办理
    "stale_columns": "freshness.board", "duties": "freshness.board",  # 栏目更新监测
    "consultation_comments": "consultations.manage",  # 征集调查
    "interview_questions": "interviews.manage",  # 在线访谈
    "disclosure_held": "disclosure.desk",  # 依申请公开
    "proposals_review": "proposals.page", "proposals_more_info": "proposals.page",  # 建议与提案
    "proposals_overdue": "proposals.page",
    "support_open": "support.desk", "support_answered": "support.desk",  # 技术支持
}


def acts_on(user, kind: str) -> bool:
    """Whether `kind` counts for this user: they may open the page that handles it."""
    return permissions.can(user, PERMISSIONS[kind])


def explanation(kinds) -> str:
    """What 我的待办 adds up, naming each of `kinds` (a user's kinds, in LABELS order): the sidebar's help and
    the home page's note. Labels hold 「、」 themselves, so the kinds are separated by 「;」."""
    named = [label for kind, label in LABELS.items() if kind in set(kinds)]
    if not named:
        return "「我的待办」统计需要您办理的事项;您的角色目前没有此类事项。"
    return f"「我的待办」是以下事项的合计:{';'.join(named)}。"


# The kinds each machine's own `counts` may return (its role checks pick those the user has): it is asked only when
# the user acts on one of them. tests/test_todo.py reads the keys each `counts` writes against these.
MERGED = {
    interaction: ("messages_new", "messages_release", "messages_answer", "messages_approve"),
    disclosure: ("disclosure_held",),  # applications for disclosure held (issue 14)
    proposals: ("proposals_review", "proposals_more_info", "proposals_overdue"),  # to review; 要求补充 (issue 17)
    support: ("support_open", "support_answered"),  # support requests to handle or to confirm (issue 17, 第十条)
}


def todo_items(con: duckdb.DuckDBPyConnection, user) -> dict[str, int]:
    """What waits for this user, by kind, in LABELS order: only the kinds whose page they open (`acts_on`);
    that page shows the items. A kind the user does not act on is not counted at all (no query)."""
    wanted = {kind for kind in PERMISSIONS if acts_on(user, kind)}
    items: dict[str, int] = {}
    if "approvals" in wanted:
        items["approvals"] = len(workflow.approval_queue(con, user))
    if user.has("officer") and wanted & {"returned", "approved"}:
        returned, approved = con.execute(
            "SELECT count(*) FILTER (WHERE state = 'returned'), count(*) FILTER (WHERE state = 'approved') "
            "FROM articles WHERE lead_division_id = ? AND state IN ('returned', 'approved')",
            [user.division_id]).fetchone()
        items["returned"], items["approved"] = int(returned), int(approved)
    if user.has("webmaster"):
        if "consultation_comments" in wanted:  # 第二十三条: reviewed before shown
            items["consultation_comments"] = consultation.pending_total(con)
        if "interview_questions" in wanted:  # 在线访谈's questions, likewise
            items["interview_questions"] = interview.pending_total(con)
        if "requests" in wanted:  # a count, not the rows of core.requests.open_requests (the same joins)
            items["requests"] = int(scalar(con, "SELECT count(*) FROM publication_requests r "
                                                "JOIN divisions d ON d.id = r.division_id "
                                                "JOIN users u ON u.id = r.requester_id WHERE r.state = 'open'"))
    for module, kinds in MERGED.items():
        if wanted.intersection(kinds):
            items.update(module.counts(con, user))
    if user.roles & {"officer", "head"}:
        if "stale_columns" in wanted:  # columns reminded and still not updated (第二十七条(五)): beside the e-mail
            items["stale_columns"] = freshness.stale_count(con, user.division_id)
        if "duties" in wanted:  # expected publications the office recorded, pending or overdue (第十七条、第二十七条(四))
            items["duties"] = duties.open_count(con, user.division_id)
    return {kind: items[kind] for kind in LABELS if kind in items and kind in wanted}


def todo_count(con: duckdb.DuckDBPyConnection, user) -> int:
    """Items waiting for this user: the sum of `todo_items`, every kind of which LABELS names."""
    return sum(todo_items(con, user).values())
