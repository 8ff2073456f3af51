"""The interaction desk (第十九、二十三条): a public message from submission to an answer.

new ──route──▶ routed ──submit_answer──▶ drafted ──approve_answer──▶ approved ──publish──▶ published
 │  ◀─hand_back─┘  ◀──return_answer (head)──┘  ◀──return_answer (office)──┘   └──close──▶ closed
 ├─reject──▶ rejected          ├─merge──▶ merged
 └─answer_directly (the office answers itself) ──▶ approved

Nothing goes online before the webmaster has reviewed it (第二十三条): only `publish` puts a
message on the portal, and only the webmaster's public version of the question (personal data
masked) with the approved answer, after screening. Every transition writes a `message_events`
row, an audit row and its notices in one transaction; each action checks the version the actor
saw (optimistic locking), like the article workflow: `MESSAGE_MACHINE` declares the moves and
`transitions.record` makes each one.

The public's side that the portal reads (the kinds of message, the published answers) is core.answers's,
named here too.

Imports from: core.transitions (the seam) and the floor (answers, audit, contacts, db, errors, humancheck,
lexicon, notify, permissions, ratelimit, screening, settings, text, workdays, content).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass

import duckdb

from core import (
    answers,
    audit,
    contacts,
    humancheck,
    lexicon,
    notify,
    permissions,
    ratelimit,
    screening,
    settings,
    transitions,
    workdays,
)
from core.content import text_to_html
from core.db import LIKE_ESCAPE, like_pattern, row, rows, scalar, transaction
from core.errors import InvalidTransition, NotFound, ValidationError
from core.text import clean_text, visible_length  # the one cleaning of every text field (issue 12, M3, L6)
from core.transitions import move

ARTICLE = "第十九条"
KIND_LABELS, published = answers.KIND_LABELS, answers.published  # the public's side (core.answers), named here too
STATE_LABELS = {
    "new": "待审核", "routed": "办理中", "drafted": "答复待审批", "approved": "答复待发布",
    "published": "已公开答复", "closed": "已答复(不公开)", "rejected": "不予受理", "merged": "已合并",
}
# what the citizen sees for each state: the internal steps are one "办理中"
PUBLIC_STATE_LABELS = {
    "new": "已收到,等待网站管理员审核", "routed": "办理中", "drafted": "办理中", "approved": "办理中",
    "published": "已答复", "closed": "已答复", "rejected": "不予受理", "merged": "已合并办理",
}
# what each step of message_events (and the audit log's message.* rows) is called
ACTION_LABELS = {
    "submit": "公众提交", "route": "分办", "reject": "不予受理", "merge": "合并", "answer_directly": "办公室直接答复",
    "submit_answer": "提交答复", "hand_back": "退回办公室", "approve_answer": "负责人审批通过",
    "return_answer": "退回修改", "publish": "公开发布", "close": "不公开办结", "unpublish": "撤下",
    "rate": "公众评价", "reopen": "重新办理",
}
REJECT_REASONS = {"spam": "垃圾信息", "abusive": "含辱骂、攻击等不文明内容", "out_of_scope": "不属于本厅职责范围",
                  "duplicate": "重复留言", "other": "其他"}
LIMITS = {"subject": 100, "body": 5000, "name": 50, "phone": 20, "email": 254, "answer": 10000, "reason": 500}
FIELD_LABELS = {"kind": "留言类型", "concerns_division_id": "涉及处室", "subject": "标题", "body": "留言内容",
                "name": "姓名", "phone": "手机号码", "email": "电子邮箱", "consent": "隐私声明",
                "answer": "答复内容", "reason": "理由", "due_on": "办理期限", "division_id": "承办处室",
                "public_subject": "公开标题", "public_body": "公开的留言内容"}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
OPEN_STATES = ("new", "routed", "drafted", "approved")
REOPENED_LABEL = "重新办理中"  # a 不满意 the webmaster sent back (第二十六条(二)): what the citizen's lookup says
MESSAGE_NAME = "该留言"  # how a refusal names the message someone else changed first


def _describe(from_state: str | None, to_state: str, comment: str | None, extra: dict) -> str:
    return f"{from_state or '-'}→{to_state}" + (f" 「{comment[:200]}」" if comment else "")


def _returner(message: dict) -> str:
    """An approved answer goes back by the office's hand; a drafted one by the head's (第二十三条)."""
    return "messages.moderate" if message["state"] == "approved" and message["division_id"] else "messages.approve"


# every move a message makes (the drawing above): action → from-states → to-states, who may, the verb
MESSAGE_MACHINE = transitions.Machine(
    name="message", table="messages", noun=MESSAGE_NAME, state_labels=STATE_LABELS,
    refusal="留言当前为「{state}」,不能{verb}(仅限:{allowed})", audit_prefix="message", audit_object="message",
    events="message_events", event_key="message_id", describe=_describe, touch=True, anonymous="public",
    transitions={
        "submit": move({"new"}, (), "提交", versioned=False, initial=True),  # the INSERT is submit's; this logs it
        "route": move({"new"}, {"routed"}, "分办", "messages.moderate"),
        "reject": move({"new"}, {"rejected"}, "不予受理", "messages.moderate"),
        "merge": move({"new"}, {"merged"}, "合并", "messages.moderate"),
        "answer_directly": move({"new"}, {"approved"}, "直接答复", "messages.moderate"),
        "save_answer": move({"routed"}, (), "保存答复", "messages.answer", event=False),  # a draft: no step
        "submit_answer": move({"routed"}, {"drafted"}, "提交答复", "messages.answer"),
        "hand_back": move({"routed"}, {"new"}, "退回办公室", "messages.answer"),
        "approve_answer": move({"drafted"}, {"approved"}, "审批答复", "messages.approve"),
        "return_answer": move({"drafted", "approved"}, {"routed"}, "退回修改", _returner),
        "publish": move({"approved"}, {"published"}, "公开发布", "messages.moderate"),
        "close": move({"approved"}, {"closed"}, "不公开办结", "messages.moderate"),
        "unpublish": move({"published"}, {"closed"}, "撤下", "messages.moderate"),
        # 第二十六条(二): the citizen rates a released answer (a step in its history, the state stays); the
        # webmaster sends a 不满意 back to be answered again (core/ratings.py checks the rating)
        "rate": move({"published", "closed", "merged"}, (), "评价", versioned=False),
        "reopen": move({"published", "closed"}, {"routed", "new"}, "重新办理", "messages.moderate"),
    },
)


@dataclass(frozen=True)
class Submitted:
    id: int
    code: str
    due_on: dt.date


# ---------------------------------------------------------------- cleaning hostile input


def _fullwidth_digits(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _required(value: str, field: str) -> str:
    if not visible_length(value):
        raise ValidationError(FIELD_LABELS[field], "必填", ARTICLE)
    return value


def _limited(value: str, field: str) -> str:
    limit = LIMITS[field]
    if len(value) > limit:
        raise ValidationError(FIELD_LABELS[field], f"不能超过 {limit} 个字(现有 {len(value)} 个字)", ARTICLE)
    return value


def _phone(value) -> str | None:
    text = re.sub(r"[\s()()]", "", _fullwidth_digits(clean_text(value)))
    if text.startswith("+86"):
        text = text[3:]
    if not text:
        return None
    _limited(text, "phone")
    if not contacts.valid_mobile(text):
        raise ValidationError(FIELD_LABELS["phone"], "请填写 11 位手机号码,例如 13912345678", ARTICLE)
    return text


def _email(value) -> str | None:
    text = _fullwidth_digits(clean_text(value))
    if not text:
        return None
    _limited(text, "email")
    if not contacts.valid_email(text):
        raise ValidationError(FIELD_LABELS["email"], "格式不正确,例如 name@example.com", ARTICLE)
    return text


def validate_form(con: duckdb.DuckDBPyConnection, form: dict) -> dict:
    """The citizen's message, cleaned and checked; raises ValidationError naming the field."""
    kind = form.get("kind")
    if kind not in KIND_LABELS:
        raise ValidationError(FIELD_LABELS["kind"], "请选择咨询、建议或投诉", ARTICLE)
    division = form.get("concerns_division_id")
    if division not in (None, ""):
        try:
            division = int(division)
        except (TypeError, ValueError):
            division = -1
        if not scalar(con, "SELECT count(*) FROM divisions WHERE id = ? AND kind = 'division'", [division]):
            raise ValidationError(FIELD_LABELS["concerns_division_id"], "请从列表中选择处室,或留空", ARTICLE)
    else:
        division = None
    values = {
        "kind": kind, "concerns_division_id": division,
        "subject": _limited(_required(clean_text(form.get("subject")), "subject"), "subject"),
        "body": _limited(_required(clean_text(form.get("body"), multiline=True), "body"), "body"),
        "name": _limited(_required(clean_text(form.get("name")), "name"), "name"),
        "phone": _phone(form.get("phone")),
        "email": _email(form.get("email")),
        "publish_allowed": bool(form.get("publish_allowed")),
    }
    if visible_length(values["body"]) < 5:
        raise ValidationError(FIELD_LABELS["body"], "请把问题写清楚(至少 5 个字)", ARTICLE)
    if not values["phone"] and not values["email"]:
        raise ValidationError(FIELD_LABELS["phone"], "手机号码和电子邮箱至少填写一项,以便答复您", ARTICLE)
    if not form.get("consent"):
        raise ValidationError(FIELD_LABELS["consent"], "请阅读并同意隐私声明后再提交", ARTICLE)
    return values


# ---------------------------------------------------------------- the citizen's side


def new_code() -> str:
    """An unguessable tracking code (60 random bits), grouped for reading: SX-7KQ2-M9XD-4TRA."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"SX-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normal_code(text: str) -> str:
    text = re.sub(r"[^A-Z0-9]", "", _fullwidth_digits(clean_text(text)).upper())
    if text.startswith("SX"):
        text = text[2:]
    return f"SX-{text[:4]}-{text[4:8]}-{text[8:12]}" if len(text) == 12 else ""


def deadline_days(con: duckdb.DuckDBPyConnection, kind: str) -> int:
    found = scalar(con, "SELECT days FROM message_deadlines WHERE kind = ?", [kind])
    if found is None:
        found = scalar(con, "SELECT days FROM message_deadlines WHERE kind = 'default'")
    return int(found or 10)


def due_date(con: duckdb.DuckDBPyConnection, kind: str, received: dt.datetime) -> dt.date:
    """Working days from the day after receipt (holidays and adjusted workdays count, 第十九条)."""
    return workdays.load(con).add_workdays(received.date(), deadline_days(con, kind))


def _client_key(con, client: str | None) -> str | None:
    return ratelimit.client_key(con, client) if client else None


def guard(con: duckdb.DuckDBPyConnection, client: str | None, captcha: tuple[str, str] | None,
          now: dt.datetime) -> None:
    """The public desk's gate (第二十三条), for a message and for a consultation's comment alike: the
    address's limits, then the CAPTCHA, then one counted submission. Only a submission that passed the
    CAPTCHA counts against the site-wide limit: a wrong answer is free to send from any number of
    addresses, so it is counted per address only."""
    ratelimit.check(con, client, "captcha.wrong", now)
    ratelimit.check(con, client, "message.submit", now, site_wide=False)  # before the picture is used up
    token, answer = captcha or ("", "")
    try:
        humancheck.verify(con, token, answer)
    except ValidationError:
        if humancheck.normal_answer(answer):  # an empty box used nothing and is not a guess
            ratelimit.record(con, client, "captcha.wrong", now)
        raise
    ratelimit.hit(con, client, "message.submit", now)


def submit(con: duckdb.DuckDBPyConnection, form: dict, client: str | None,
           captcha: tuple[str, str] | None, now: dt.datetime | None = None) -> Submitted:
    """A citizen's message: checked, CAPTCHA-verified and rate-limited (`guard`), stored as 'new'."""
    values = validate_form(con, form)
    now = now or dt.datetime.now()
    guard(con, client, captcha, now)
    due = due_date(con, values["kind"], now)
    with transaction(con):
        code = new_code()
        while scalar(con, "SELECT count(*) FROM messages WHERE code = ?", [code]):
            code = new_code()
        message_id = con.execute(
            "INSERT INTO messages (code, kind, concerns_division_id, subject, body, name, phone, email, "
            "publish_allowed, received_at, due_on, client, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [code, values["kind"], values["concerns_division_id"], values["subject"], values["body"],
             values["name"], values["phone"], values["email"], values["publish_allowed"], now, due,
             _client_key(con, client), now]).fetchone()[0]
        transitions.record(con, MESSAGE_MACHINE, get(con, message_id), None, "submit")
        for user in _webmasters(con):
            notify.enqueue(con, user, "message.new", f"【新留言待审核】{values['subject'][:40]}",
                           f"公众提交了一条{KIND_LABELS[values['kind']]}留言,请在“互动管理”中审核、分办(第二十三条)。\n"
                           f"{_link(con, 'interaction_desk')}", dedup_key=f"msg-new:{message_id}:u{user}")
    return Submitted(message_id, code, due)


def lookup(con: duckdb.DuckDBPyConnection, code: str, client: str | None,
           now: dt.datetime | None = None) -> dict | None:
    """What the citizen may see by tracking code: status, and the answer once approved and released."""
    ratelimit.hit(con, client, "message.lookup", now)
    normal = normal_code(code)
    if not normal:
        return None
    found = row(con, """
        SELECT m.*, d.name AS division_name, t.code AS merged_code
        FROM messages m LEFT JOIN divisions d ON d.id = m.division_id
        LEFT JOIN messages t ON t.id = m.merged_into WHERE m.code = ?""", [normal])
    if not found:
        return None
    shown = found
    if found["state"] == "merged" and found["merged_into"]:
        target = row(con, "SELECT m.*, d.name AS division_name FROM messages m "
                          "LEFT JOIN divisions d ON d.id = m.division_id WHERE m.id = ?", [found["merged_into"]])
        shown = target or found
    replied = shown["state"] in ("published", "closed") and shown["answer"]
    rated = row(con, "SELECT grade, reason, rated_at, reopened_at FROM message_ratings WHERE message_id = ? "
                     "ORDER BY round DESC LIMIT 1", [found["id"]])
    reopened = bool(rated and rated["reopened_at"]) and found["state"] in OPEN_STATES
    return {
        "code": found["code"], "kind_label": KIND_LABELS[found["kind"]], "subject": found["subject"],
        "received_at": found["received_at"], "state": found["state"],
        "state_label": REOPENED_LABEL if reopened else PUBLIC_STATE_LABELS[found["state"]]
        if found["state"] != "merged" or not replied else "已答复(与同类留言合并办理)",
        "answer": shown["answer"] if replied else None,
        "division_name": shown["division_name"] if replied else None,
        "replied_at": shown["replied_at"] if replied else None,
        "published": shown["state"] == "published",
        "reject_reason": found["reject_reason"] if found["state"] == "rejected" else None,
        "merged_code": found["merged_code"],
        "due_on": found["due_on"] if found["state"] in OPEN_STATES else None,
        # 第二十六条(二): this answer's rating, if given (a reopened one belongs to the answer before)
        "rating": rated if rated and not rated["reopened_at"] else None,
        "can_rate": bool(replied) and not (rated and not rated["reopened_at"]),
        "reopened": reopened,
    }


# ---------------------------------------------------------------- loading, events, notices


def get(con: duckdb.DuckDBPyConnection, message_id: int) -> dict:
    found = row(con, "SELECT m.*, d.name AS division_name, cd.name AS concerns_division_name "
                     "FROM messages m LEFT JOIN divisions d ON d.id = m.division_id "
                     "LEFT JOIN divisions cd ON cd.id = m.concerns_division_id WHERE m.id = ?", [message_id])
    if not found:
        raise NotFound(f"留言 {message_id} 不存在")
    return found


def view(con: duckdb.DuckDBPyConnection, user, message_id: int) -> dict:
    """One message with its history, for someone allowed to handle it."""
    message = get(con, message_id)
    permissions.require(user, "messages.view", message)
    message["events"] = rows(con, """
        SELECT e.created_at, e.action, e.from_state, e.to_state, e.comment, coalesce(u.display_name, '公众') AS actor
        FROM message_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.message_id = ? ORDER BY e.id""",
                             [message_id])
    return message


def _move(con, message: dict, user, action: str, expected_version: int, **options) -> str:
    return transitions.record(con, MESSAGE_MACHINE, message, user, action, expected_version, **options)


def _webmasters(con) -> list[int]:
    return notify.role_holders(con, "webmaster")


def _link(con, page: str, message_id: int | None = None) -> str:
    base = str(settings.get(con, "workbench_url")).rstrip("/")
    return f"{base}/{page}" + (f"?message={message_id}" if message_id else "")


def _notify(con, user_ids: list[int], kind: str, message: dict, subject: str, text: str, page: str,
            key: str) -> int:
    sent = 0
    for user_id in user_ids:
        sent += notify.enqueue(con, user_id, kind, f"{subject}{message['subject'][:40]}",
                               f"{text}\n留言:{message['subject']}\n{_link(con, page, message['id'])}",
                               dedup_key=f"{key}:u{user_id}")
    return sent


# ---------------------------------------------------------------- the office (第二十三条)


def _clean_reason(reason, *, required: bool = True) -> str:
    text = clean_text(reason, multiline=True)
    if required and not visible_length(text):
        raise ValidationError(FIELD_LABELS["reason"], "请填写理由", "第二十三条")
    return _limited(text, "reason")


def route(con: duckdb.DuckDBPyConnection, user, message_id: int, division_id: int, expected_version: int,
          due_on: dt.date | None = None, comment: str = "") -> None:
    """Accept a new message and give it to a division with a due date (第十九、二十三条)."""
    permissions.require(user, "messages.moderate")
    message = get(con, message_id)
    transitions.check(MESSAGE_MACHINE, message, "route", expected_version)
    if not scalar(con, "SELECT count(*) FROM divisions WHERE id = ? AND kind = 'division'", [division_id]):
        raise ValidationError(FIELD_LABELS["division_id"], "请选择承办处室", ARTICLE)
    due = due_on or message["due_on"] or due_date(con, message["kind"], message["received_at"])
    if due < dt.date.today() and due != message["due_on"]:
        raise ValidationError(FIELD_LABELS["due_on"], "办理期限不能早于今天", ARTICLE)
    note = clean_text(comment, multiline=True)[:LIMITS["reason"]] or None

    def tell() -> None:
        _notify(con, notify.role_holders(con, "officer", division_id), "message.routed", message, "【留言待办理】",
                f"办公室分办了一条留言给贵处室,请在 {due} 前答复(第十九条)。" + (f"\n办公室说明:{note}" if note else ""),
                "interaction_answers", f"msg-route:{message_id}:v{expected_version}")

    _move(con, message, user, "route", expected_version, comment=note, notices=tell,
          changes={"state": "routed", "division_id": division_id, "due_on": due, "routed_at": dt.datetime.now()})


def reject(con: duckdb.DuckDBPyConnection, user, message_id: int, category: str, reason: str,
           expected_version: int) -> None:
    """Not accepted: spam, abuse, out of scope… with a reason the citizen sees by code."""
    permissions.require(user, "messages.moderate")
    message = get(con, message_id)
    transitions.check(MESSAGE_MACHINE, message, "reject", expected_version)
    _reject_one(con, user, message, category, reason, expected_version)


def _reject_one(con, user, message: dict, category: str, reason: str, expected_version: int) -> None:
    if category not in REJECT_REASONS:
        raise ValidationError(FIELD_LABELS["reason"], "请选择不予受理的类别", "第二十三条")
    detail = _clean_reason(reason, required=category == "other")
    text = REJECT_REASONS[category] + (f":{detail}" if detail else "")

    _move(con, message, user, "reject", expected_version, comment=text,
          changes={"state": "rejected", "reject_reason": text, "closed_at": dt.datetime.now()})


def bulk_reject(con: duckdb.DuckDBPyConnection, user, message_ids: list[int], category: str,
                reason: str = "") -> int:
    """A spam wave: every selected new message rejected in one transaction (all or nothing)."""
    permissions.require(user, "messages.moderate")
    if not message_ids:
        raise ValidationError("选择", "请至少选择一条留言", "第二十三条")
    with transaction(con):
        for message_id in message_ids:
            message = get(con, message_id)
            if message["state"] != "new":
                raise InvalidTransition(f"留言「{message['subject'][:30]}」已不是待审核状态,批量操作未执行")
            _reject_one(con, user, message, category, reason, message["version"])
    return len(message_ids)


def merge(con: duckdb.DuckDBPyConnection, user, message_id: int, into_id: int, expected_version: int) -> None:
    """A duplicate: handled with the message it repeats; its citizen sees that answer by code."""
    permissions.require(user, "messages.moderate")
    message = get(con, message_id)
    transitions.check(MESSAGE_MACHINE, message, "merge", expected_version)
    target = get(con, into_id)
    if target["id"] == message["id"] or target["state"] in ("rejected", "merged"):
        raise ValidationError("合并到", "请选择另一条已受理的留言", "第二十三条")

    _move(con, message, user, "merge", expected_version, comment=f"合并到留言 {target['code']}",
          changes={"state": "merged", "merged_into": target["id"], "division_id": target["division_id"],
                   "closed_at": dt.datetime.now()})


def answer_directly(con: duckdb.DuckDBPyConnection, user, message_id: int, answer: str,
                    expected_version: int) -> None:
    """The office answers itself (a simple consultation): ready to publish or close."""
    permissions.require(user, "messages.moderate")
    message = get(con, message_id)
    transitions.check(MESSAGE_MACHINE, message, "answer_directly", expected_version)
    text = _answer_text(con, answer, message)

    now = dt.datetime.now()
    _move(con, message, user, "answer_directly", expected_version,
          changes={"state": "approved", "answer": text, "answered_by": user.id, "approved_by": user.id,
                   "answered_at": now, "routed_at": message["routed_at"] or now})


def default_public_text(message: dict) -> tuple[str, str]:
    """The question as the portal may show it: the citizen's contact details and any personal
    data the screening finds are masked (the webmaster can edit it further)."""
    subject, body = message["subject"], message["body"]
    for value in (message.get("phone"), message.get("email"), message.get("name")):
        if value and len(value) >= 2:
            subject, body = subject.replace(value, "*" * 3), body.replace(value, "*" * 3)
    return _mask_personal(subject), _mask_personal(body)


def _mask_personal(text: str) -> str:
    findings = [f for f in screening.rule_personal(screening.Part("body", text), "interaction")]
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[:finding.start] + "*" * min(len(finding.excerpt), 11) + text[finding.end:]
    return text


def publication_findings(con: duckdb.DuckDBPyConnection, message: dict, public_subject: str,
                         public_body: str) -> list[tuple[str, screening.Finding]]:
    """Screening of what would go online (personal data blocks in this context, 第十六条), each
    finding with the field that holds it: 公开标题, 公开的留言内容 or 答复内容."""
    words = lexicon.load(con)

    def screened(title: str, text: str) -> list[screening.Finding]:
        found = screening.screen(title, text_to_html(text), lexicon=words, context="interaction")
        return [f for f in found if not f.rule.startswith(("format.", "timeliness"))]

    question = [(FIELD_LABELS["public_subject" if f.where == "title" else "public_body"], f)
                for f in screened(public_subject, public_body)]
    return question + [(FIELD_LABELS["answer"], f) for f in screened("", message["answer"] or "")]


def message_findings(con: duckdb.DuckDBPyConnection, message: dict) -> list[screening.Finding]:
    """Screening of an incoming message for the webmaster's review (第二十三条): classified
    markings, internal documents and the lexicons; the citizen's own contact details are expected."""
    findings = screening.screen(message["subject"], text_to_html(message["body"]), lexicon=lexicon.load(con))
    return [f for f in findings if not f.rule.startswith(("format.", "timeliness", "personal.", "doctype."))]


def publish(con: duckdb.DuckDBPyConnection, user, message_id: int, expected_version: int,
            public_subject: str | None = None, public_body: str | None = None) -> None:
    """Put the question (without personal data) and the approved answer on the portal (第二十三条)."""
    permissions.require(user, "messages.moderate")
    message = get(con, message_id)
    transitions.check(MESSAGE_MACHINE, message, "publish", expected_version)
    if not message["publish_allowed"]:
        raise InvalidTransition("留言人未同意公开答复,只能不公开办结(答复仍可凭查询码查看)")
    default_subject, default_body = default_public_text(message)
    subject = _limited(_required(clean_text(public_subject if public_subject is not None else default_subject),
                                 "public_subject"), "subject")
    body = _limited(_required(clean_text(public_body if public_body is not None else default_body, multiline=True),
                              "public_body"), "body")
    answer_fix = "请点击「退回修改」退回承办处室删除" if message["division_id"] else "请不公开办结"
    for field, text, fix in (("public_subject", subject, "请删除"), ("public_body", body, "请删除"),
                             ("answer", message["answer"] or "", answer_fix)):
        found = own_details(message, text)
        if found:
            raise ValidationError(FIELD_LABELS[field], f"含留言人本人的{found[0]}「{found[1]}」,不能公开,{fix}",
                                  "第十六条")
    blocks = [(field, f) for field, f in publication_findings(con, message, subject, body)
              if f.blocking and not f.overridable]
    if blocks:
        field, block = blocks[0]
        fix = answer_fix if field == FIELD_LABELS["answer"] else "请修改"
        raise ValidationError(field, f"{block.message}:「{block.excerpt}」,不能公开,{fix}", block.article)

    now = dt.datetime.now()
    _move(con, message, user, "publish", expected_version, notices=lambda: _tell_citizen(con, message),
          changes={"state": "published", "public_subject": subject, "public_body": body, "published_at": now,
                   "replied_at": message["replied_at"] or now})


def close(con: duckdb.DuckDBPyConnection, user, message_id: int, expected_version: int) -> None:
    """Answered without publishing: the citizen sees the answer by tracking code."""
    permissions.require(user, "messages.moderate")
    message = get(con, message_id)
    transitions.check(MESSAGE_MACHINE, message, "close", expected_version)

    now = dt.datetime.now()
    _move(con, message, user, "close", expected_version, notices=lambda: _tell_citizen(con, message),
          changes={"state": "closed", "closed_at": now, "replied_at": now})


def unpublish(con: duckdb.DuckDBPyConnection, user, message_id: int, reason: str, expected_version: int) -> None:
    """The webmaster's temporary measure (第二十三条): off the portal, still answered for the citizen."""
    permissions.require(user, "messages.moderate")
    message = get(con, message_id)
    transitions.check(MESSAGE_MACHINE, message, "unpublish", expected_version)
    text = _clean_reason(reason)

    _move(con, message, user, "unpublish", expected_version, comment=text,
          changes={"state": "closed", "closed_at": dt.datetime.now()})


def _tell_citizen(con, message: dict) -> None:
    # an answer given again after a reopened 不满意 (core/ratings.py) is a new mail, one per round
    again = scalar(con, "SELECT count(*) FROM message_events WHERE message_id = ? AND action = 'reopen'",
                   [message["id"]])
    if message["email"]:
        con.execute(
            "INSERT INTO outbox (user_id, recipient, kind, subject, body, dedup_key) VALUES (NULL, ?, ?, ?, ?, ?)",
            [message["email"], "message.replied", f"您的留言已答复({message['code']})",
             f"您在{settings.get(con, 'site_name')}网站提交的留言「{message['subject'][:40]}」已经答复。"
             f"请凭查询码 {message['code']} 在网站“公众留言”页面查看答复。",
             f"msg-replied:{message['id']}" + (f":r{again}" if again else "")])


# ---------------------------------------------------------------- the division


def own_details(message: dict, text: str) -> tuple[str, str] | None:
    """The citizen's own name, mobile number or e-mail address (as given in the message) where
    `text` contains it: (what, value), else None. Digits match across spaces and dashes."""
    if not text:
        return None
    name = message.get("name") or ""
    if len(name) >= 2 and name in text:
        return "姓名", name
    plain = _fullwidth_digits(text)
    digits = re.sub(r"(?<=\d)[\s\-–—]+(?=\d)", "", plain)
    if message.get("phone") and message["phone"] in digits:
        return "手机号码", message["phone"]
    if message.get("email") and message["email"].casefold() in plain.casefold():
        return "电子邮箱", message["email"]
    return None


def _personal_in_answer(message: dict, text: str, fix: str) -> None:
    """An answer that may go online (the citizen agreed to publication) must not carry personal
    data: the citizen's own name and contact details, or any ID, mobile, card number or e-mail
    (第十六条). Caught where the answer is written and approved, not first at publication."""
    if not message["publish_allowed"]:
        return  # answered privately: only the citizen reads it, by tracking code
    found = own_details(message, text)
    if found:
        raise ValidationError(FIELD_LABELS["answer"], f"含留言人本人的{found[0]}「{found[1]}」。留言人同意公开答复,"
                              f"答复将在门户公开,不得含公民个人信息,{fix}", "第十六条")
    personal = screening.rule_personal(screening.Part("body", text), "interaction")
    if personal:
        label = screening.RULE_BY_ID[personal[0].rule].label
        raise ValidationError(FIELD_LABELS["answer"], f"含个人信息({label})「{personal[0].excerpt}」。留言人同意公开"
                              f"答复,答复将在门户公开,不得含公民个人信息,{fix}", personal[0].article)


_OFFICER_FIX = "请删除(称呼可写“您好”)"
_HEAD_FIX = "请点击「退回修改」请信息员删除"


def _answer_text(con, answer, message: dict, fix: str = _OFFICER_FIX) -> str:
    text = _limited(_required(clean_text(answer, multiline=True), "answer"), "answer")
    _personal_in_answer(message, text, fix)
    words = lexicon.load(con)
    blocks = screening.hard_blocks(screening.screen("", text_to_html(text), lexicon=words, context="article"))
    if blocks:
        raise ValidationError(FIELD_LABELS["answer"], f"{blocks[0].message}:「{blocks[0].excerpt}」",
                              blocks[0].article)
    return text


def save_answer(con: duckdb.DuckDBPyConnection, user, message_id: int, answer: str, expected_version: int) -> None:
    """Keep a draft of the division's answer (still 办理中)."""
    message = get(con, message_id)
    permissions.require(user, "messages.answer", message)
    transitions.check(MESSAGE_MACHINE, message, "save_answer", expected_version)
    text = _limited(clean_text(answer, multiline=True), "answer")
    _personal_in_answer(message, text, _OFFICER_FIX)

    _move(con, message, user, "save_answer", expected_version, changes={"answer": text, "answered_by": user.id},
          detail=f"{len(text)} 字")


def submit_answer(con: duckdb.DuckDBPyConnection, user, message_id: int, answer: str,
                  expected_version: int) -> None:
    """The officer sends the answer to the division head (第十四、十九条)."""
    message = get(con, message_id)
    permissions.require(user, "messages.answer", message)
    transitions.check(MESSAGE_MACHINE, message, "submit_answer", expected_version)
    text = _answer_text(con, answer, message)

    def tell() -> None:
        _notify(con, notify.role_holders(con, "head", message["division_id"]), "message.drafted", message, "【留言答复待审批】",
                "贵处室信息员提交了留言答复,请审批。", "interaction_answers",
                f"msg-drafted:{message_id}:v{expected_version}")

    _move(con, message, user, "submit_answer", expected_version, notices=tell,
          changes={"state": "drafted", "answer": text, "answered_by": user.id})


def hand_back(con: duckdb.DuckDBPyConnection, user, message_id: int, reason: str, expected_version: int) -> None:
    """Not this division's business: back to the webmaster to route again."""
    message = get(con, message_id)
    permissions.require(user, "messages.answer", message)
    transitions.check(MESSAGE_MACHINE, message, "hand_back", expected_version)
    text = _clean_reason(reason)

    def tell() -> None:
        _notify(con, _webmasters(con), "message.handed_back", message, "【留言被退回】",
                f"{message['division_name'] or '承办处室'}认为该留言不属于本处室职责,理由:{text}。请重新分办。",
                "interaction_desk", f"msg-back:{message_id}:v{expected_version}")

    _move(con, message, user, "hand_back", expected_version, comment=text, notices=tell,
          changes={"state": "new", "division_id": None, "routed_at": None})


def approve_answer(con: duckdb.DuckDBPyConnection, user, message_id: int, expected_version: int) -> None:
    """The head approves the division's answer; it goes back to the webmaster."""
    message = get(con, message_id)
    permissions.require(user, "messages.approve", message)
    transitions.check(MESSAGE_MACHINE, message, "approve_answer", expected_version)
    _answer_text(con, message["answer"], message, _HEAD_FIX)  # screened again: the lexicon may have changed

    def tell() -> None:
        _notify(con, _webmasters(con), "message.approved", message, "【留言答复待发布】",
                f"{message['division_name']}的答复已经处室负责人审批,请审核后公开或不公开办结。",
                "interaction_desk", f"msg-approved:{message_id}:v{expected_version}")

    _move(con, message, user, "approve_answer", expected_version, notices=tell,
          changes={"state": "approved", "approved_by": user.id, "answered_at": dt.datetime.now()})


def return_answer(con: duckdb.DuckDBPyConnection, user, message_id: int, comment: str,
                  expected_version: int) -> None:
    """The head (drafted) or the webmaster (approved) sends the answer back to the division."""
    message = get(con, message_id)
    if message["state"] == "approved" and message["division_id"]:
        permissions.require(user, "messages.moderate")
    else:
        permissions.require(user, "messages.approve", message)
    transitions.check(MESSAGE_MACHINE, message, "return_answer", expected_version)
    if message["state"] == "approved" and not message["division_id"]:
        raise InvalidTransition("这条留言由办公室直接答复,请直接修改后发布")
    text = _clean_reason(comment)

    def tell() -> None:
        _notify(con, notify.role_holders(con, "officer", message["division_id"]), "message.returned", message,
                "【留言答复被退回】", f"答复被退回修改,意见:{text}", "interaction_answers",
                f"msg-returned:{message_id}:v{expected_version}")

    _move(con, message, user, "return_answer", expected_version, comment=text, notices=tell,
          changes={"state": "routed", "approved_by": None, "answered_at": None})


# the steps that send an answer back to the officer with a comment: a return, or a 不满意 reopened (第二十六条(二))
RETURNS = ("return_answer", "reopen")


def _returned_by(from_state: str) -> str:
    return "处室负责人" if from_state == "drafted" else "办公室"


def latest_returns(con: duckdb.DuckDBPyConnection, message_ids: list[int]) -> dict[int, dict]:
    """For answers sent back and not yet resubmitted: who returned each, when and why (the
    officer must see the comment where they rewrite the answer, like 退回意见 on an article)."""
    if not message_ids:
        return {}
    marks = ", ".join("?" for _ in message_ids)
    found = rows(con, f"""
        SELECT e.message_id, e.action, e.from_state, e.comment, e.created_at,
               coalesce(u.display_name, '') AS actor
        FROM message_events e LEFT JOIN users u ON u.id = e.actor_id
        WHERE e.message_id IN ({marks})
        QUALIFY row_number() OVER (PARTITION BY e.message_id ORDER BY e.id DESC) = 1""", message_ids)
    return {r["message_id"]: {"comment": r["comment"] or "", "at": r["created_at"], "actor": r["actor"],
                              "role": _returned_by(r["from_state"])}
            for r in found if r["action"] in RETURNS}


def latest_return(message: dict) -> dict | None:
    """The same for one message loaded by `view` (its events in order)."""
    events = message.get("events") or []
    if message["state"] != "routed" or not events or events[-1]["action"] not in RETURNS:
        return None
    last = events[-1]
    return {"comment": last["comment"] or "", "at": last["created_at"], "actor": last["actor"],
            "role": _returned_by(last["from_state"])}


# ---------------------------------------------------------------- queues and deadlines


@dataclass(frozen=True)
class _Limits:
    warn_days: int
    veto_days: int
    calendar: workdays.WorkCalendar


def _limits(con) -> _Limits:
    return _Limits(int(settings.get(con, "message_warn_days")), int(settings.get(con, "message_veto_warn_days")),
                   workdays.load(con))


def urgency(con: duckdb.DuckDBPyConnection, message: dict, today: dt.date | None = None,
            limits: _Limits | None = None) -> str | None:
    """'overdue', 'due_soon', 'veto_risk' (old enough to threaten the national check) or None."""
    if message["state"] not in OPEN_STATES:
        return None
    limits = limits or _limits(con)
    today = today or dt.date.today()
    received = message["received_at"].date() if isinstance(message["received_at"], dt.datetime) \
        else message["received_at"]
    if (today - received).days >= limits.veto_days:
        return "veto_risk"
    due = message["due_on"]
    if due and due < today:
        return "overdue"
    # a due date this far ahead has more than warn_days working days before it whatever the holidays (the
    # longest, 春节, is 8 days off): the calendar, ~1 ms a message, is asked only near the date
    if due and (due - today).days <= 2 * limits.warn_days + 31 \
            and limits.calendar.workdays_between(today, due) <= limits.warn_days:
        return "due_soon"
    return None


# words, not coloured symbols: they read the same in every font and to a screen reader
URGENCY_LABELS = {"veto_risk": "【临近三个月未答复】", "overdue": "【已超期】", "due_soon": "【即将到期】"}

_QUEUE_SQL = """
    SELECT m.id, m.code, m.kind, m.subject, m.body, m.name, m.state, m.division_id, d.name AS division_name,
           cd.name AS concerns_division_name, m.received_at, m.routed_at, m.due_on, m.answered_at, m.version,
           m.publish_allowed, m.answer
    FROM messages m LEFT JOIN divisions d ON d.id = m.division_id
    LEFT JOIN divisions cd ON cd.id = m.concerns_division_id
"""


def _with_urgency(con, found: list[dict], today: dt.date | None = None) -> list[dict]:
    limits = _limits(con)
    for message in found:
        message["urgency"] = urgency(con, message, today, limits)
        message["urgency_label"] = URGENCY_LABELS.get(message["urgency"], "")
        message["state_label"] = STATE_LABELS[message["state"]]
        message["kind_label"] = KIND_LABELS[message["kind"]]
    return found


def desk_queue(con: duckdb.DuckDBPyConnection, user, states: tuple[str, ...] = ("new", "approved"),
               today: dt.date | None = None, limit: int = 500) -> list[dict]:
    """The webmaster's queues: new messages to moderate, approved answers to release, or any state."""
    permissions.require(user, "messages.moderate")
    marks = ", ".join("?" for _ in states)
    return _with_urgency(con, rows(con, _QUEUE_SQL + f" WHERE m.state IN ({marks}) ORDER BY m.due_on, m.id LIMIT ?",
                                   [*states, limit]), today)


def desk_summary(con: duckdb.DuckDBPyConnection, user, today: dt.date | None = None) -> dict[str, int]:
    """The desk's figures over every message (not only the queue's first page)."""
    permissions.require(user, "messages.moderate")
    today = today or dt.date.today()
    veto_from = dt.datetime.combine(today - dt.timedelta(days=int(settings.get(con, "message_veto_warn_days"))),
                                    dt.time.max)
    found = row(con, """
        SELECT count(*) FILTER (WHERE state = 'new') AS new,
               count(*) FILTER (WHERE state = 'approved') AS release,
               count(*) FILTER (WHERE due_on < ?) AS overdue,
               count(*) FILTER (WHERE received_at <= ?) AS veto_risk
        FROM messages WHERE state IN ('new', 'routed', 'drafted', 'approved')""", [today, veto_from])
    return {k: int(v or 0) for k, v in found.items()}


def division_queue(con: duckdb.DuckDBPyConnection, user, today: dt.date | None = None) -> list[dict]:
    """Messages routed to the user's division that are still open there (officer: to answer;
    head: to approve)."""
    if not (user.has("officer") or user.has("head")) or user.division_id is None:
        return []
    found = _with_urgency(con, rows(con, _QUEUE_SQL + " WHERE m.division_id = ? AND m.state IN ('routed', 'drafted', "
                                    "'approved') ORDER BY m.due_on, m.id", [user.division_id]), today)
    returned = latest_returns(con, [m["id"] for m in found if m["state"] == "routed"])
    for message in found:
        message["returned"] = returned.get(message["id"])
    return found


def division_history(con: duckdb.DuckDBPyConnection, user, limit: int = 200) -> list[dict]:
    if user.division_id is None:
        return []
    return _with_urgency(con, rows(con, _QUEUE_SQL + " WHERE m.division_id = ? AND m.state IN ('published', 'closed') "
                                   "ORDER BY m.replied_at DESC LIMIT ?", [user.division_id, limit]))


def search(con: duckdb.DuckDBPyConnection, user, text: str = "", state: str | None = None,
           limit: int = 200) -> list[dict]:
    """Every message (the office): by code, subject or body text, and state."""
    permissions.require(user, "messages.moderate")
    # the newest ids first, then their rows with the joins: a top-N over the whole table with every text
    # column and both joins read them all (≈0.1 s at 50,000 messages)
    sql, params = "SELECT m.id FROM messages m WHERE 1 = 1", []
    if text:
        sql += f" AND (m.code = ? OR m.subject ILIKE ? {LIKE_ESCAPE} OR m.body ILIKE ? {LIKE_ESCAPE})"
        params += [normal_code(text) or text, like_pattern(text), like_pattern(text)]
    if state:
        sql += " AND m.state = ?"
        params.append(state)
    return _with_urgency(con, rows(con, _QUEUE_SQL + f" WHERE m.id IN ({sql} ORDER BY m.id DESC LIMIT ?) "
                                   "ORDER BY m.id DESC", [*params, limit]))


def similar(con: duckdb.DuckDBPyConnection, message: dict, limit: int = 5) -> list[dict]:
    """Candidates for merging: other accepted messages with the same subject or from the same client."""
    return rows(con, """
        SELECT id, code, subject, state, received_at FROM messages
        WHERE id <> ? AND state NOT IN ('rejected', 'merged')
          AND (subject = ? OR (client IS NOT NULL AND client = ?))
        ORDER BY id DESC LIMIT ?""", [message["id"], message["subject"], message.get("client"), limit])


def counts(con: duckdb.DuckDBPyConnection, user) -> dict[str, int]:
    """The user's interaction to-dos (sidebar and home page)."""
    items: dict[str, int] = {}
    if user.has("webmaster"):
        new, release = con.execute("SELECT count(*) FILTER (WHERE state = 'new'), "
                                   "count(*) FILTER (WHERE state = 'approved') FROM messages "
                                   "WHERE state IN ('new', 'approved')").fetchone()
        items["messages_new"], items["messages_release"] = int(new), int(release)
    if user.division_id is not None:
        if user.has("officer"):
            items["messages_answer"] = int(scalar(
                con, "SELECT count(*) FROM messages WHERE state = 'routed' AND division_id = ?", [user.division_id]))
        if user.has("head"):
            items["messages_approve"] = int(scalar(
                con, "SELECT count(*) FROM messages WHERE state = 'drafted' AND division_id = ?", [user.division_id]))
    return items


_STAGE_SUBJECTS = {"due_soon": "【留言即将到期】", "overdue": "【留言已超期】", "veto_risk": "【留言临近三个月未答复】"}


def _stage_text(stage: str, message: dict) -> str:
    return {"due_soon": f"该留言的办理期限是 {message['due_on']},请及时答复(第十九条)。",
            "overdue": f"该留言的办理期限 {message['due_on']} 已过,请立即答复(第十九条)。",
            "veto_risk": "该留言收到已接近三个月仍未答复;全国政府网站检查中,有效留言超过三个月未答复属单项否决,"
                         "请立即处理。"}[stage]


def remind_deadlines(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> int:
    """E-mail the assignees of open messages that are nearly due or overdue, once per message and
    stage; the office hears of every message old enough to threaten the national check.

    Run every hour: what was already sent is read in one query, recipients once per division, and
    only messages near a deadline are looked at, so a sweep with nothing new costs little."""
    today = today or dt.date.today()
    limits = _limits(con)
    done = {r[0] for r in con.execute("SELECT dedup_key FROM outbox WHERE dedup_key LIKE 'msg-%'").fetchall()}
    people: dict[tuple[str, int | None], list[int]] = {}

    def holders(role: str, division_id: int | None = None) -> list[int]:
        if (role, division_id) not in people:
            people[role, division_id] = notify.role_holders(con, role, division_id)
        return people[role, division_id]

    # a message can be due soon only within warn_days working days: a month of calendar days covers it
    horizon = today + dt.timedelta(days=30 + 2 * limits.warn_days)
    veto_from = dt.datetime.combine(today - dt.timedelta(days=limits.veto_days), dt.time.max)
    candidates = rows(con, _QUEUE_SQL + " WHERE m.state IN ('new', 'routed', 'drafted', 'approved') "
                                        "AND (m.due_on <= ? OR m.received_at <= ?)", [horizon, veto_from])
    mails: list[tuple[int, str, str, str, str]] = []
    link_base = str(settings.get(con, "workbench_url")).rstrip("/")
    for message in candidates:
        stage = urgency(con, message, today, limits)
        if not stage:
            continue
        if message["state"] == "routed":
            who = holders("officer", message["division_id"])
        elif message["state"] == "drafted":
            who = holders("head", message["division_id"])
        else:
            who = holders("webmaster")
        if stage == "veto_risk":
            who = sorted(set(who) | set(holders("webmaster")))
        page = "interaction_desk" if message["state"] in ("new", "approved") else "interaction_answers"
        subject = f"{_STAGE_SUBJECTS[stage]}{message['subject'][:40]}"
        body = f"{_stage_text(stage, message)}\n留言:{message['subject']}\n{link_base}/{page}?message={message['id']}"
        for user_id in who:
            key = f"msg-{stage}:{message['id']}:u{user_id}"
            if key not in done:
                mails.append((user_id, f"message.{stage}", subject, body, key))
    with transaction(con):
        return notify.enqueue_many(con, mails)


def set_deadlines(con: duckdb.DuckDBPyConnection, user, days: dict[str, int]) -> None:
    """The office's deadlines per message type, in working days (low-code)."""
    permissions.require(user, "settings.edit")
    checked = {}
    for kind, value in days.items():
        if kind not in ("default", *KIND_LABELS):
            raise ValidationError("留言类型", f"未知类型 {kind}", ARTICLE)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 60:
            label = "默认" if kind == "default" else KIND_LABELS[kind]
            raise ValidationError(f"{label}办理期限", "应为 1 至 60 个工作日", ARTICLE)
        checked[kind] = number
    with transaction(con):
        for kind, number in checked.items():
            con.execute("DELETE FROM message_deadlines WHERE kind = ?", [kind])
            con.execute("INSERT INTO message_deadlines (kind, days) VALUES (?, ?)", [kind, number])
        audit.record(con, user, "message.deadlines", "message_deadlines",
                     ", ".join(f"{k}={v}" for k, v in checked.items()))


def deadlines(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {r["kind"]: r["days"] for r in rows(con, "SELECT kind, days FROM message_deadlines")}
