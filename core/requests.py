"""Publication requests (委托发布, 第十八条): a division asks the office to publish for it.

The written request names the publishing division, date, content, source, form and
requirements; all six are required. The office turns it into an article and publishes it.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import audit, notify, workflow
from core.db import row, rows, transaction
from core.errors import InvalidTransition, NotFound, StaleVersion, ValidationError
from core.permissions import require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)

STATE_LABELS = {"open": "待办公室处理", "done": "已发布", "declined": "未予发布"}
FIELDS = {
    "division_id": "发布处室",
    "requested_on": "日期",
    "content": "发布内容",
    "source": "信息来源",
    "form": "发布形式",
    "requirements": "发布要求",
}


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
    from core import lexicon, screening
    from core.content import text_to_html
    from core.errors import ScreeningBlocked

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
    if request["state"] != "open":
        raise InvalidTransition("该申请已处理")
    if request["version"] != expected_version:
        raise StaleVersion("该申请")
    with transaction(con):
        count = con.execute(
            "UPDATE publication_requests SET version = version + 1, handled_by = ?, handled_at = "
            "current_localtimestamp() WHERE id = ? AND version = ?",
            [actor.id, request_id, expected_version]).fetchone()[0]
        if count != 1:
            raise StaleVersion("该申请")
        article = workflow.create_article(
            con, actor, column_id, title, body_html, request["source"], request["requested_on"], "一般",
            request_id=request_id)
        con.execute(
            "UPDATE articles SET state = 'approved', approved_at = current_localtimestamp(), "
            "version = version + 1 WHERE id = ?", [article.id])
        con.execute(
            "INSERT INTO workflow_events (article_id, revision, actor_id, role, action, from_state, to_state, "
            "comment) VALUES (?, 1, ?, 'webmaster', 'approve_by_request', 'draft', 'approved', ?)",
            [article.id, actor.id, f"依委托发布申请 #{request_id}(第十八条)"])
        con.execute("UPDATE publication_requests SET article_id = ? WHERE id = ?", [article.id, request_id])
        article = workflow.get_article(con, article.id)
        if publish_now:
            article = workflow.publish(con, actor, article.id, article.version)
        notify.enqueue(con, request["requester_id"], "request.done", "【委托发布】已处理",
                       f"您的委托发布申请 #{request_id} 已由办公室处理:{title}")
        audit.record(con, actor, "requests.fulfil", f"request:{request_id}", f"article:{article.id}")
    return workflow.get_article(con, article.id)


def decline(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int, reply: str) -> None:
    require(actor, "requests.handle")
    reply = clean_text(reply, multiline=True)
    if not reply:
        raise ValidationError("答复", "不予发布时须说明理由", "第十八条")
    request = get_request(con, request_id)
    if request["state"] != "open":
        raise InvalidTransition("该申请已处理")
    with transaction(con):
        count = con.execute(
            "UPDATE publication_requests SET state = 'declined', reply = ?, handled_by = ?, "
            "handled_at = current_localtimestamp(), version = version + 1 WHERE id = ? AND version = ?",
            [reply, actor.id, request_id, expected_version]).fetchone()[0]
        if count != 1:
            raise StaleVersion("该申请")
        notify.enqueue(con, request["requester_id"], "request.declined", "【委托发布】未予发布",
                       f"您的委托发布申请 #{request_id} 未予发布。\n办公室答复:{reply}")
        audit.record(con, actor, "requests.decline", f"request:{request_id}", reply)
