"""Publication requests (委托发布, 第十八条): a division asks the office to publish for it.

The written request names the publishing division, date, content, source, form and
requirements; all six are required. The office turns it into an article and publishes it.

Imports from: core.workflow (the article's moves) and core.transitions (the request's own moves:
`REQUEST_MACHINE`), and the floor (audit, db, errors, notify, permissions, screening, lexicon, text).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import audit, lexicon, notify, screening, transitions, workflow
from core.content import text_to_html
from core.db import row, rows, transaction
from core.errors import NotFound, ScreeningBlocked, ValidationError
from core.permissions import require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)
from core.transitions import move

STATE_LABELS = {"open": "待办公室处理", "done": "已发布", "declined": "未予发布"}
FIELDS = {
    "division_id": "发布处室",
    "requested_on": "日期",
    "content": "发布内容",
    "source": "信息来源",
    "form": "发布形式",
    "requirements": "发布要求",
}
# the office's two answers to a request; it becomes 已发布 when its article goes live (workflow.publish)
REQUEST_MACHINE = transitions.Machine(
    name="request", table="publication_requests", noun="该申请", state_labels=STATE_LABELS,
    refusal="该申请已处理", state_first=True, audit_prefix="requests", audit_object="request",
    transitions={
        "fulfil": move({"open"}, (), "处理", "requests.handle"),
        "decline": move({"open"}, {"declined"}, "不予发布", "requests.handle"),
    },
)


def create_request(con: duckdb.DuckDBPyConnection, actor, *, division_id: int | None, requested_on,
                   content: str, source: str, form: str, requirements: str) -> int:
    content, source, form, requirements = (clean_text(v, multiline=True) for v in (content, source, form, requirements))
    values = {"division_id": division_id, "requested_on": requested_on, "content": content,
              "source": source, "form": form, "requirements": requirements}
    for key, label in FIELDS.items():
        value = values[key]
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationError(label, "必填:委托发布须书面写明发布处室、日期、内容、来源、形式和要求", "第十八条")
    if not isinstance(requested_on, dt.date):
        raise ValidationError("日期", "须为日期", "第十八条")
    require(actor, "requests.create", division_id)
    _screen_request(con, content, source, requirements)
    with transaction(con):
        request_id = con.execute(
            "INSERT INTO publication_requests (division_id, requested_on, content, source, form, requirements, "
            "requester_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [division_id, requested_on, content.strip(), source.strip(), form.strip(), requirements.strip(),
             actor.id]).fetchone()[0]
        audit.record(con, actor, "requests.create", f"request:{request_id}", content.strip()[:80])
        for webmaster in rows(con, "SELECT user_id FROM user_roles WHERE role = 'webmaster'"):
            notify.enqueue(con, webmaster["user_id"], "request.new", "【委托发布】新的申请",
                           f"{actor.display_name} 提交了委托发布申请:\n{content.strip()[:200]}")
    return request_id


def _screen_request(con, *texts: str) -> None:
    """What a division hands the office is screened like an article: nothing secret goes online."""
    findings = screening.screen("", text_to_html("\n".join(texts)), lexicon=lexicon.load(con))
    hard = screening.hard_blocks(findings)
    if hard:
        raise ScreeningBlocked(hard, "提交委托发布申请")


def get_request(con: duckdb.DuckDBPyConnection, request_id: int) -> dict:
    found = row(con, """
        SELECT r.*, d.name AS division, u.display_name AS requester FROM publication_requests r
        JOIN divisions d ON d.id = r.division_id JOIN users u ON u.id = r.requester_id WHERE r.id = ?""",
                [request_id])
    if not found:
        raise NotFound(f"委托发布申请 {request_id} 不存在")
    return found


def open_requests(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return rows(con, """
        SELECT r.*, d.name AS division, u.display_name AS requester FROM publication_requests r
        JOIN divisions d ON d.id = r.division_id JOIN users u ON u.id = r.requester_id
        WHERE r.state = 'open' ORDER BY r.created_at, r.id""")


def division_requests(con: duckdb.DuckDBPyConnection, actor) -> list[dict]:
    return rows(con, """
        SELECT r.id, r.requested_on, r.content, r.state, r.reply, r.article_id, r.created_at
        FROM publication_requests r WHERE r.division_id = ? ORDER BY r.id DESC""", [actor.division_id])


def fulfil(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int, *, column_id: int,
           title: str, body_html: str, publish_now: bool = True) -> workflow.Article:
    """The office makes the requested article and publishes it on the division's behalf.

    The written request is the division's approval (第十八条), so the office's item goes
    straight to publication and the request records which article answered it.
    """
    require(actor, "requests.handle")
    request = get_request(con, request_id)
    transitions.check(REQUEST_MACHINE, request, "fulfil", expected_version)
    made: dict[str, workflow.Article] = {}

    def article() -> None:
        draft = workflow.create_article(
            con, actor, column_id, title, body_html, request["source"], request["requested_on"], "一般",
            request_id=request_id)
        made["article"] = workflow.approve_by_request(con, actor, draft.id, draft.version, request_id)
        con.execute("UPDATE publication_requests SET article_id = ? WHERE id = ?", [draft.id, request_id])
        if publish_now:
            made["article"] = workflow.publish(con, actor, draft.id, made["article"].version)

    transitions.record(
        con, REQUEST_MACHINE, request, actor, "fulfil", expected_version,
        changes={"handled_by": actor.id, "handled_at": dt.datetime.now()}, writes=article,
        detail=lambda: f"article:{made['article'].id}",
        notices=lambda: notify.enqueue(con, request["requester_id"], "request.done", "【委托发布】已处理",
                                       f"您的委托发布申请 #{request_id} 已由办公室处理:{title}"))
    return workflow.get_article(con, made["article"].id)


def decline(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int, reply: str) -> None:
    require(actor, "requests.handle")
    reply = clean_text(reply, multiline=True)
    if not reply:
        raise ValidationError("答复", "不予发布时须说明理由", "第十八条")
    request = get_request(con, request_id)
    transitions.check(REQUEST_MACHINE, request, "decline", expected_version)
    transitions.record(
        con, REQUEST_MACHINE, request, actor, "decline", expected_version,
        changes={"state": "declined", "reply": reply, "handled_by": actor.id, "handled_at": dt.datetime.now()},
        detail=reply,
        notices=lambda: notify.enqueue(con, request["requester_id"], "request.declined", "【委托发布】未予发布",
                                       f"您的委托发布申请 #{request_id} 未予发布。\n办公室答复:{reply}"))
