"""Read-only summaries for the 运行概览 page (第二十、二十五条): nothing here writes.

The aggregate counts carry no content and take no user. The lists that show titles,
comments or log lines (workflow events, the audit log) take the reader and check who they are:
the overview is for the office, the technical-support unit, analysts and leaders; the system
log is the technical-support unit's (第二十条).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from core import columns, security_audit, timeliness, workdays
from core.db import rows, scalar
from core.errors import PermissionDenied, ValidationError
from core.permissions import require
from core.screening import RULE_BY_ID
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
    return security_audit.describe(con, rows(con, """
        SELECT id, created_at, actor, role, action, object, summary, client
        FROM audit_log ORDER BY id DESC LIMIT ?""", [int(limit)]))


# ---------------------------------------------------------------- 统计分析 (第十七、十九、二十五条)
#
# Figures per division or per column for a period (inclusive dates). Every figure has a drill-down:
# `items(con, actor, measure, ...)` lists the articles or messages behind it, with the same filters.
# Timeliness (第十七条) is core.timeliness's: this module only merges its figures in.

@dataclass(frozen=True)
class Period:
    """A reporting period: `start` and `end` are both included."""

    start: dt.date
    end: dt.date
    code: str  # '2026-10', '2026Q3', '2026' or '2026-10-01..2026-10-15'
    label: str  # 2026年10月, 2026年第三季度, 2026年, 2026-10-01 至 2026-10-15

    @property
    def end_exclusive(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time())


QUARTER_NAMES = ("一", "二", "三", "四")


def month_period(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    end = _month_start(start, -1) - dt.timedelta(days=1)
    return Period(start, end, f"{year:04d}-{month:02d}", f"{year}年{month}月")


def quarter_period(year: int, quarter: int) -> Period:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = _month_start(dt.date(year, 3 * quarter, 1), -1) - dt.timedelta(days=1)
    return Period(start, end, f"{year:04d}Q{quarter}", f"{year}年第{QUARTER_NAMES[quarter - 1]}季度")


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}", f"{year}年")


def range_period(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise ValidationError("统计期间", "结束日期不能早于开始日期", "第二十五条")
    return Period(start, end, f"{start:%Y-%m-%d}..{end:%Y-%m-%d}", f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}")


def parse_period(text: str) -> Period:
    """'2026-10' (a month), '2026Q3' (a quarter), '2026' (a year) or '2026-10-01..2026-10-15'."""
    value = (text or "").strip().upper()
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            return month_period(int(match.group(1)), int(match.group(2)))
        if match := re.fullmatch(r"(\d{4})-?Q([1-4])", value):
            return quarter_period(int(match.group(1)), int(match.group(2)))
        if re.fullmatch(r"\d{4}", value):
            return year_period(int(value))
        if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", value):
            return range_period(dt.date.fromisoformat(match.group(1)), dt.date.fromisoformat(match.group(2)))
    except ValueError:
        pass
    raise ValidationError("统计期间", f"无法识别「{text}」,请写成 2026-10(月)、2026Q3(季度)或 2026(年)",
                          "第二十五条")


# measure key → (label, what the drill-down lists); 'by' says which groupings have it
MEASURES: dict[str, dict] = {
    "published": {"label": "发布数量", "kind": "article", "help": "期间内首次发布的信息(更正后重新上线不重复计算,含其后撤下的)"},
    "on_time": {"label": "按时发布", "kind": "timeliness", "help": "工作结束后按时限发布(第十七条)"},
    "late": {"label": "超时发布", "kind": "timeliness", "help": "超过发布时限(第十七条)"},
    "returned": {"label": "被退回", "kind": "article", "help": "期间内被审批人退回的信息(第十四、十六条)"},
    "findings": {"label": "审批时筛查提示", "kind": "finding", "help": "审批人确认或放行的筛查结果(第十六条)"},
    "format_findings": {"label": "格式问题", "kind": "finding", "help": "格式类筛查结果(第十五条)"},
    "corrections": {"label": "更正", "kind": "article", "help": "已发布信息修改后重新发布(第二十七条)"},
    "taken_down": {"label": "撤下", "kind": "article", "help": "发布后被网站管理员撤下(第二十三条)"},
    "messages": {"label": "收到留言", "kind": "message", "help": "期间内收到并转办本处室的留言(第十九条)"},
    "answered": {"label": "已答复留言", "kind": "message", "help": "期间内处室负责人审定答复的留言"},
    "overdue": {"label": "逾期留言", "kind": "message", "help": "答复期限在期间内、未按期答复的留言"},
}
DIVISION_KINDS = ("division", "office")


def readable_divisions(actor) -> set[int] | None:
    """None: every division; else the divisions this reader may see (a head: their own)."""
    require(actor, "stats.view")
    if actor.roles & {"webmaster", "leader", "group", "analyst"}:
        return None
    return {actor.division_id}


def policies_without_interpretation(con: duckdb.DuckDBPyConnection, actor) -> list[dict]:
    """Published 政策文件 (columns of kind 'policy', online now, not 已废止) that no published 解读 explains
    yet (catalogue_entries.interprets): 解读回应, 第十二条. Newest first; a head sees their division's."""
    scope = readable_divisions(actor)
    found = rows(con, """
        SELECT a.id, a.title, col.name AS column_name, d.name AS division, a.lead_division_id AS division_id,
               CAST(a.published_at AS DATE) AS published_on, ce.doc_number
        FROM articles a
        JOIN columns col ON col.id = a.column_id
        JOIN divisions d ON d.id = a.lead_division_id
        LEFT JOIN catalogue_entries ce ON ce.article_id = a.id
        WHERE col.kind = 'policy' AND a.public AND coalesce(ce.validity, '有效') <> '已废止'
          AND NOT EXISTS (SELECT 1 FROM catalogue_entries i JOIN articles ia ON ia.id = i.article_id
                          WHERE i.interprets = a.id AND ia.public)
        ORDER BY a.published_at DESC, a.id DESC""")
    return [r for r in found if scope is None or r["division_id"] in scope]


def _groups(con, by: str) -> list[dict]:
    if by == "division":
        return rows(con, "SELECT id, name, id AS division_id, name AS division FROM divisions "
                         "WHERE kind IN ('division', 'office') ORDER BY position, id")
    if by == "column":
        return [{"id": c["id"], "name": c["path"] + ("(已撤销)" if c["retired"] else ""),
                 "division_id": c["division_id"], "division": c["division"]} for c in columns.tree(con)]
    raise ValueError(f"by must be 'division' or 'column', not {by!r}")


def _group_expr(by: str) -> str:
    return {"division": "a.lead_division_id", "column": "a.column_id"}[by]


_FIRST_PUBLISH = """
    SELECT article_id, min(id) AS first_id, min(created_at) AS first_at
    FROM workflow_events WHERE action = 'publish' GROUP BY article_id"""


def _article_counts(con, by: str, period: Period) -> dict[int, dict]:
    g = _group_expr(by)
    window = [period.start_at, period.end_exclusive]
    found: dict[int, dict] = {}

    def merge(result: list[dict]) -> None:
        for r in result:
            found.setdefault(r.pop("gid"), {}).update(r)

    # published_at is the first publication (a correction keeps it), as core.timeliness counts it
    merge(rows(con, f"""
        SELECT {g} AS gid, count(*) AS published FROM articles a
        WHERE a.published_at >= ? AND a.published_at < ? GROUP BY 1""", window))
    merge(rows(con, f"""
        SELECT {g} AS gid,
               count(DISTINCT e.article_id) FILTER (WHERE e.action IN ('approve', 'return') AND e.role IS NOT NULL)
                   AS reviewed,
               count(DISTINCT e.article_id) FILTER (WHERE e.action = 'return' AND e.role IS NOT NULL) AS returned,
               count(*) FILTER (WHERE e.action = 'return' AND e.role IS NOT NULL) AS returns,
               count(*) FILTER (WHERE e.action = 'take_down') AS taken_down,
               count(*) FILTER (WHERE e.action = 'publish' AND e.id > f.first_id) AS corrections
        FROM workflow_events e JOIN articles a ON a.id = e.article_id
        LEFT JOIN ({_FIRST_PUBLISH}) f ON f.article_id = e.article_id
        WHERE e.created_at >= ? AND e.created_at < ?
          AND e.action IN ('approve', 'return', 'take_down', 'publish')
        GROUP BY 1""", window))
    merge(rows(con, f"""
        SELECT {g} AS gid, count(*) AS findings,
               count(*) FILTER (WHERE r.rule LIKE 'format.%') AS format_findings,
               count(*) FILTER (WHERE r.kind = 'override') AS overrides
        FROM screening_reviews r JOIN articles a ON a.id = r.article_id
        WHERE r.created_at >= ? AND r.created_at < ? GROUP BY 1""", window))
    return found


def _ordinals(con, first: dt.date | None, last: dt.date | None) -> tuple[list[dt.date], list[int]]:
    """Every day from `first` to `last` with its working-day ordinal (core.workdays), for a SQL join."""

    if first is None or last is None:
        return [], []
    calendar = workdays.load(con)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return days, [calendar.ordinal(d) for d in days]


_ORDINALS = "(SELECT unnest(?::DATE[]) AS day, unnest(?::INTEGER[]) AS ord)"
_LIVE_MESSAGE = "m.division_id IS NOT NULL AND m.state NOT IN ('rejected', 'merged')"


def _response_calendar(con, period: Period) -> tuple[list[dt.date], list[int]]:
    bounds = con.execute(f"""
        SELECT min(coalesce(m.routed_at, m.received_at))::DATE, max(m.answered_at)::DATE FROM messages m
        WHERE {_LIVE_MESSAGE} AND m.answered_at >= ? AND m.answered_at < ?""",
                         [period.start_at, period.end_exclusive]).fetchone()
    return _ordinals(con, bounds[0], bounds[1])


def _overdue_sql() -> str:
    """Due in the period and not answered by the due date (answered late, or still open and past due)."""
    return (f"{_LIVE_MESSAGE} AND m.due_on >= ? AND m.due_on <= ? AND m.due_on < ? "
            "AND (m.answered_at IS NULL OR m.answered_at::DATE > m.due_on)")


def message_counts(con: duckdb.DuckDBPyConnection, period: Period, today: dt.date) -> dict[int, dict]:
    """Per division: messages received, answered (with working days from routing to the head's approval),
    answered by the due date, overdue (第十九条). Works on an empty table."""
    days, ords = _response_calendar(con, period)
    window = [period.start_at, period.end_exclusive]
    found: dict[int, dict] = {}
    for r in rows(con, f"""
        SELECT m.division_id AS gid, count(*) AS messages FROM messages m
        WHERE {_LIVE_MESSAGE} AND m.received_at >= ? AND m.received_at < ? GROUP BY 1""", window):
        found.setdefault(r.pop("gid"), {}).update(r)
    for r in rows(con, f"""
        SELECT m.division_id AS gid, count(*) AS answered,
               count(*) FILTER (WHERE m.answered_at::DATE <= m.due_on) AS answered_on_time,
               median(o2.ord - o1.ord) AS median_response_days,
               avg(o2.ord - o1.ord) AS mean_response_days
        FROM messages m
        JOIN {_ORDINALS} o1 ON o1.day = coalesce(m.routed_at, m.received_at)::DATE
        JOIN {_ORDINALS} o2 ON o2.day = m.answered_at::DATE
        WHERE {_LIVE_MESSAGE} AND m.answered_at >= ? AND m.answered_at < ? GROUP BY 1""",
                  [days, ords, days, ords, *window]):
        found.setdefault(r.pop("gid"), {}).update(r)
    for r in rows(con, f"""
        SELECT m.division_id AS gid, count(*) AS overdue FROM messages m WHERE {_overdue_sql()} GROUP BY 1""",
                  [period.start, period.end, today]):
        found.setdefault(r.pop("gid"), {}).update(r)
    return found


def satisfaction(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> dict[int | None, dict]:
    """Per answering division (None: answered by the office itself): answers rated from `start` to `end`
    and how many 满意 or 基本满意 (第二十六条(二)); a message's latest rating is the one that counts."""
    return {r.pop("division_id"): r for r in rows(con, """
        SELECT division_id, count(*) AS rated, count(*) FILTER (WHERE grade IN ('satisfied', 'basic')) AS satisfied,
               count(*) FILTER (WHERE grade = 'unsatisfied') AS unsatisfied
        FROM (SELECT * FROM message_ratings WHERE rated_at >= ? AND rated_at < ?
              QUALIFY row_number() OVER (PARTITION BY message_id ORDER BY round DESC) = 1)
        GROUP BY division_id""", [dt.datetime.combine(start, dt.time()),
                                   dt.datetime.combine(end + dt.timedelta(days=1), dt.time())])}


def _timeliness(con, period: Period, by: str) -> tuple[dict[int, dict], str | None]:
    """core.timeliness's figures keyed by division or column id, and its calendar warning."""
    found = {}
    for r in timeliness.summary(con, period.start, period.end, by=by):
        key = r.get(f"{by}_id", r.get("id"))
        found[key] = r
    return found, timeliness.calendar_warning(con, period.start, period.end)


def _share(part, whole) -> float | None:
    return round(part / whole, 4) if whole else None


REPORT_FIELDS = ("published", "measured", "on_time", "late", "on_time_share", "median_lag", "reviewed", "returned",
                 "returned_share", "returns", "findings", "format_findings", "overrides", "corrections", "taken_down")
MESSAGE_FIELDS = ("messages", "answered", "answered_on_time", "overdue", "median_response_days")
RATING_FIELDS = ("rated", "satisfied", "satisfaction_share")  # 第二十六条(二), by division


def report(con: duckdb.DuckDBPyConnection, actor, period: Period, by: str = "division",
           today: dt.date | None = None) -> dict:
    """The statistics of 第二十五条 for one period, one row per division (or column) the reader may see.

    Returns {"rows": [...], "totals": {...}, "warning": str | None, "period": Period, "by": by}.
    Each row: id, name, division_id, division and the REPORT_FIELDS (plus MESSAGE_FIELDS by division).
    Shares are 0–1 or None when there is nothing to divide by.
    """
    return department_report(con, period, by, today, visible=readable_divisions(actor))


def department_report(con: duckdb.DuckDBPyConnection, period: Period, by: str = "division",
                      today: dt.date | None = None, visible: set[int] | None = None) -> dict:
    """`report` without a reader: aggregate counts for the whole department (or the `visible`
    divisions), for bulletins and notebooks. No titles or texts, only figures."""
    today = today or dt.date.today()
    counts = _article_counts(con, by, period)
    messages = message_counts(con, period, today) if by == "division" else {}
    rated = satisfaction(con, period.start, period.end) if by == "division" else {}
    timely, warning = _timeliness(con, period, by)
    result = []
    for group in _groups(con, by):
        if visible is not None and group["division_id"] not in visible:
            continue
        found, t, m = counts.get(group["id"], {}), timely.get(group["id"], {}), messages.get(group["id"], {})
        row = dict(group)
        for name in ("published", "reviewed", "returned", "returns", "findings", "format_findings", "overrides",
                     "corrections", "taken_down"):
            row[name] = int(found.get(name) or 0)
        row["measured"] = int(t.get("measured") or 0)
        row["on_time"] = int(t.get("on_time") or 0)
        row["late"] = int(t.get("late") or 0)
        row["on_time_share"] = _share(row["on_time"], row["measured"])
        row["median_lag"] = t.get("median_lag")
        row["max_lag"] = t.get("max_lag")
        row["returned_share"] = _share(row["returned"], row["reviewed"])
        if by == "division":
            for name in ("messages", "answered", "answered_on_time", "overdue"):
                row[name] = int(m.get(name) or 0)
            median = m.get("median_response_days")
            row["median_response_days"] = None if median is None else float(median)
            _rating_fields(row, rated.get(group["id"], {}))
        result.append(row)
    totals = _totals(result, by)
    if by == "division":  # overall: every division's, and the office's own answers when all are visible
        office = rated.get(None, {}) if visible is None else {}
        _rating_fields(totals, {k: sum(r[k] for r in result) + int(office.get(k) or 0) for k in ("rated", "satisfied")})
    return {"rows": result, "totals": totals, "warning": warning, "period": period, "by": by}


def _rating_fields(target: dict, found: dict) -> None:
    target["rated"], target["satisfied"] = int(found.get("rated") or 0), int(found.get("satisfied") or 0)
    target["satisfaction_share"] = _share(target["satisfied"], target["rated"])


def _totals(result: list[dict], by: str) -> dict:
    names = ["published", "measured", "on_time", "late", "reviewed", "returned", "returns", "findings",
             "format_findings", "overrides", "corrections", "taken_down"]
    if by == "division":
        names += ["messages", "answered", "answered_on_time", "overdue"]
    totals = {name: sum(r[name] for r in result) for name in names}
    totals["on_time_share"] = _share(totals["on_time"], totals["measured"])
    totals["returned_share"] = _share(totals["returned"], totals["reviewed"])
    return totals


def timeliness_bars(report_rows: list[dict]) -> dict:
    """统计分析's chart from `report`'s rows: one bar per group that published in the period, its length the
    number published and its colour the on-time share in percent (第十七条). A group whose items all lack a
    work-end date has no share (None, not 0): {"bars": [...], "unmeasured": [names]} so the page can draw
    those without a colour that reads as a rate and name them."""
    bars = [{"name": r["name"], "published": r["published"],
             "on_time_share": None if r["on_time_share"] is None else round(r["on_time_share"] * 100, 1)}
            for r in report_rows if r["published"]]
    return {"bars": bars, "unmeasured": [b["name"] for b in bars if b["on_time_share"] is None]}


def monthly(con: duckdb.DuckDBPyConnection, actor, period: Period) -> list[dict]:
    """First publications per month and lead division in the period (for the trend chart)."""
    visible = readable_divisions(actor)
    found = rows(con, """
        SELECT strftime(a.published_at, '%Y-%m') AS month, a.lead_division_id AS division_id, d.name AS division,
               count(*) AS published
        FROM articles a JOIN divisions d ON d.id = a.lead_division_id
        WHERE a.published_at >= ? AND a.published_at < ?
        GROUP BY ALL ORDER BY month, d.name""", [period.start_at, period.end_exclusive])
    return [r for r in found if visible is None or r["division_id"] in visible]


# ---------------------------------------------------------------- drill-down

def items(con: duckdb.DuckDBPyConnection, actor, measure: str, period: Period, *, division_id: int | None = None,
          column_id: int | None = None, today: dt.date | None = None, limit: int = 5000) -> list[dict]:
    """The articles or messages behind one figure of `report` (same period, same definitions).

    A reader limited to their division (a head) may only open their own division's items.
    """
    if measure not in MEASURES:
        raise ValidationError("统计指标", f"未知指标 {measure}", "第二十五条")
    if column_id is not None and division_id is None:
        division_id = scalar(con, "SELECT division_id FROM columns WHERE id = ?", [int(column_id)])
    visible = readable_divisions(actor)
    if visible is not None:
        if division_id is None:
            division_id = next(iter(visible))
        require(actor, "stats.view", division_id)
    today = today or dt.date.today()
    window = [period.start_at, period.end_exclusive]
    cond, params = timeliness.article_filter(division_id, column_id)
    base = """a.id AS article_id, a.title, d.name AS division, c.name AS column_name, a.state"""
    joins = "JOIN divisions d ON d.id = a.lead_division_id JOIN columns c ON c.id = a.column_id"
    if measure == "published":
        return rows(con, f"""
            SELECT {base}, a.work_ended_on, a.published_at
            FROM articles a {joins}
            WHERE a.published_at >= ? AND a.published_at < ? {cond} ORDER BY a.published_at, a.id LIMIT ?""",
                    [*window, *params, limit])
    if measure in ("returned", "taken_down", "corrections"):
        action = {"returned": "return", "taken_down": "take_down", "corrections": "publish"}[measure]
        extra = {"returned": "AND e.role IS NOT NULL", "taken_down": "",
                 "corrections": "AND e.id > f.first_id"}[measure]
        return rows(con, f"""
            SELECT {base}, e.created_at AS event_at, e.revision, u.display_name AS actor, e.comment
            FROM workflow_events e JOIN articles a ON a.id = e.article_id {joins}
            LEFT JOIN ({_FIRST_PUBLISH}) f ON f.article_id = e.article_id
            LEFT JOIN users u ON u.id = e.actor_id
            WHERE e.action = ? {extra} AND e.created_at >= ? AND e.created_at < ? {cond}
            ORDER BY e.created_at, e.id LIMIT ?""", [action, *window, *params, limit])
    if measure in ("findings", "format_findings"):
        extra = "AND r.rule LIKE 'format.%'" if measure == "format_findings" else ""
        found = rows(con, f"""
            SELECT {base}, r.created_at AS reviewed_at, r.revision, r.rule, r.severity, r.kind, r.excerpt, r.reason,
                   u.display_name AS actor
            FROM screening_reviews r JOIN articles a ON a.id = r.article_id {joins}
            LEFT JOIN users u ON u.id = r.actor_id
            WHERE r.created_at >= ? AND r.created_at < ? {extra} {cond} ORDER BY r.created_at, r.id LIMIT ?""",
                     [*window, *params, limit])

        for f in found:
            rule = RULE_BY_ID.get(f["rule"])
            f["rule_label"] = f"{rule.label}({rule.article})" if rule else f["rule"]
        return found
    if measure in ("on_time", "late"):
        lags = timeliness.article_lags(con, period.start, period.end, division_id=division_id, column_id=column_id)
        want = measure == "on_time"
        return [r for r in lags if r.get("on_time") is not None and bool(r["on_time"]) == want][:limit]
    # messages (第十九条): by division only
    if column_id is not None:
        return []
    mcond, mparams = ("AND m.division_id = ?", [int(division_id)]) if division_id is not None else ("", [])
    fields = """m.id AS message_id, m.code, m.kind, m.subject, d.name AS division, m.state, m.received_at,
                m.routed_at, m.due_on, m.answered_at, m.replied_at"""
    if measure == "messages":
        return rows(con, f"""
            SELECT {fields} FROM messages m LEFT JOIN divisions d ON d.id = m.division_id
            WHERE {_LIVE_MESSAGE} AND m.received_at >= ? AND m.received_at < ? {mcond}
            ORDER BY m.received_at, m.id LIMIT ?""", [*window, *mparams, limit])
    if measure == "answered":
        days, ords = _response_calendar(con, period)
        return rows(con, f"""
            SELECT {fields}, o2.ord - o1.ord AS response_days, m.answered_at::DATE <= m.due_on AS on_time
            FROM messages m LEFT JOIN divisions d ON d.id = m.division_id
            JOIN {_ORDINALS} o1 ON o1.day = coalesce(m.routed_at, m.received_at)::DATE
            JOIN {_ORDINALS} o2 ON o2.day = m.answered_at::DATE
            WHERE {_LIVE_MESSAGE} AND m.answered_at >= ? AND m.answered_at < ? {mcond}
            ORDER BY m.answered_at, m.id LIMIT ?""", [days, ords, days, ords, *window, *mparams, limit])
    return rows(con, f"""
        SELECT {fields} FROM messages m LEFT JOIN divisions d ON d.id = m.division_id
        WHERE {_overdue_sql()} {mcond} ORDER BY m.due_on, m.id LIMIT ?""",
                [period.start, period.end, today, *mparams, limit])


def overdue_messages(con: duckdb.DuckDBPyConnection, period: Period, today: dt.date | None = None) -> list[dict]:
    """Every message due in the period and not answered by its due date, all divisions (for bulletins),
    with the working days it is (or was) late: to the answer, or to today while still open."""
    today = today or dt.date.today()
    params = [period.start, period.end, today]
    last = con.execute(f"SELECT max(coalesce(m.answered_at::DATE, ?::DATE)) FROM messages m WHERE {_overdue_sql()}",
                       [today, *params]).fetchone()[0]
    days, ords = _ordinals(con, period.start, last)
    return rows(con, f"""
        SELECT m.id AS message_id, m.code, m.kind, m.subject, m.division_id, d.name AS division, m.state,
               m.received_at, m.due_on, m.answered_at, m.answered_at IS NULL AS still_open,
               o2.ord - o1.ord AS days_late
        FROM messages m LEFT JOIN divisions d ON d.id = m.division_id
        JOIN {_ORDINALS} o1 ON o1.day = m.due_on
        JOIN {_ORDINALS} o2 ON o2.day = coalesce(m.answered_at::DATE, ?::DATE)
        WHERE {_overdue_sql()} ORDER BY d.position, m.due_on, m.id""", [days, ords, days, ords, today, *params])
