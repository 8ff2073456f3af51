"""Read-only summaries for the 运行概览 page (第二十、二十五条): nothing here writes.

The aggregate counts carry no content and take no user. The lists that show titles,
comments or log lines (workflow events, the audit log) take the reader and check who they are:
the overview is for the office, the technical-support unit, analysts and leaders; the system
log is the technical-support unit's (第二十条).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import columns
from core.db import rows
from core.errors import PermissionDenied
from core.workflow import STATE_LABELS

OVERVIEW_ROLES = frozenset({"tech", "analyst", "webmaster", "leader", "group"})
AUDIT_ROLES = frozenset({"tech"})

ACTION_LABELS: dict[str, str] = {
    "create": "新建",
    "edit": "修改",
    "edit_restart": "修改后重新审批",
    "submit": "提交审批",
    "approve": "批准",
    "approve_by_request": "依委托发布申请批准",
    "return": "退回",
    "escalate": "上报",
    "schedule": "定时发布",
    "unschedule": "取消定时",
    "publish": "发布",
    "withdraw": "撤销",
    "restore_draft": "恢复为草稿",
    "take_down": "撤下",
    "restore": "恢复上线",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _require(actor, roles: frozenset[str], rule: str, article: str) -> None:
    if actor is None or not getattr(actor, "active", True) or not (set(actor.roles) & roles):
        raise PermissionDenied(rule, article)


# ---------------------------------------------------------------- counts

def by_state(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every article state in workflow order, with its Chinese label and count (zeros included)."""
    found = {r["state"]: r["n"] for r in rows(con, "SELECT state, count(*) AS n FROM articles GROUP BY state")}
    return [{"state": state, "label": label, "count": int(found.get(state, 0))}
            for state, label in STATE_LABELS.items()]


def by_division(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per division (as lead division): articles, online now, in review, drafts, taken down, open requests."""
    return rows(con, """
        SELECT d.id, d.name AS division,
               count(a.id) AS total,
               count(a.id) FILTER (WHERE a.public) AS online,
               count(a.id) FILTER (WHERE a.state = 'pending') AS in_review,
               count(a.id) FILTER (WHERE a.state IN ('draft', 'returned')) AS drafts,
               count(a.id) FILTER (WHERE a.state = 'taken_down') AS taken_down,
               max(a.published_at) AS last_published,
               coalesce(any_value(r.open_requests), 0) AS open_requests
        FROM divisions d
        LEFT JOIN articles a ON a.lead_division_id = d.id
        LEFT JOIN (SELECT division_id, count(*) AS open_requests FROM publication_requests
                   WHERE state = 'open' GROUP BY division_id) r ON r.division_id = d.id
        GROUP BY d.id, d.name, d.position
        ORDER BY d.position, d.id""")


def by_column(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per column in tree order (retired ones too, they keep their articles: 第八条)."""
    counts = {r["column_id"]: r for r in rows(con, """
        SELECT column_id, count(*) AS total, count(*) FILTER (WHERE public) AS online,
               max(published_at) AS last_published
        FROM articles GROUP BY column_id""")}
    result = []
    for column in columns.tree(con):
        found = counts.get(column["id"], {})
        result.append({
            "id": column["id"], "column": column["path"], "division": column["division"],
            "retired": bool(column["retired"]), "total": int(found.get("total", 0)),
            "online": int(found.get("online", 0)), "last_published": found.get("last_published"),
        })
    return result


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def published_per_month(con: duckdb.DuckDBPyConnection, months: int = 12,
                        today: dt.date | None = None) -> list[dict]:
    """Articles first published in each of the last `months` months (this one included), oldest first.

    An item counts in the month of its first publication; a corrected item going back online
    is not a new publication.
    """
    today = today or dt.date.today()
    start = _month_start(today, months - 1)
    end = _month_start(today, -1)
    found = {r["month"]: int(r["n"]) for r in rows(con, """
        SELECT strftime(first_at, '%Y-%m') AS month, count(*) AS n
        FROM (SELECT article_id, min(created_at) AS first_at FROM workflow_events
              WHERE action = 'publish' GROUP BY article_id)
        WHERE first_at >= ? AND first_at < ?
        GROUP BY month""", [start, end])}
    labels = [f"{_month_start(today, back):%Y-%m}" for back in range(months - 1, -1, -1)]
    return [{"month": month, "count": found.get(month, 0)} for month in labels]


# ---------------------------------------------------------------- lists (reader checked)

def recent_events(con: duckdb.DuckDBPyConnection, actor, limit: int = 50) -> list[dict]:
    """The latest workflow events across the site, newest first, with Chinese labels."""
    _require(actor, OVERVIEW_ROLES, "运行概览仅供办公室、技术支持单位、分析员和领导查看", "第二十四条")
    found = rows(con, """
        SELECT e.id, e.created_at AS at, e.article_id, a.title, d.name AS division, u.display_name AS actor,
               e.role, e.action, e.from_state, e.to_state, e.comment
        FROM workflow_events e
        JOIN articles a ON a.id = e.article_id
        JOIN divisions d ON d.id = a.lead_division_id
        JOIN users u ON u.id = e.actor_id
        ORDER BY e.id DESC LIMIT ?""", [int(limit)])
    for event in found:
        event["action_label"] = action_label(event["action"])
        event["from_label"] = STATE_LABELS.get(event["from_state"], event["from_state"])
        event["to_label"] = STATE_LABELS.get(event["to_state"], event["to_state"])
    return found


def recent_audit(con: duckdb.DuckDBPyConnection, actor, limit: int = 200) -> list[dict]:
    """The latest audit-log rows, newest first: the technical-support unit keeps the logs (第二十条)."""
    _require(actor, AUDIT_ROLES, "系统日志由技术支持单位查看", "第二十条")
    return rows(con, """
        SELECT id, created_at, actor, role, action, object, summary, client
        FROM audit_log ORDER BY id DESC LIMIT ?""", [int(limit)])
