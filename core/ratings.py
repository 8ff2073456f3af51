"""Public ratings of answers (第二十六条(二) "获得机关和社会较好评价").

A citizen who looked up their answer by tracking code rates it once: 满意, 基本满意 or 不满意, with an
optional reason, through the same protections as the message form (CAPTCHA, rate limits). The rating
is a step of the message machine (`rate`, the state stays) and reaches the division that answered and
the office; a 不满意 is marked as such in the mail. The webmaster may reopen a 不满意 (`reopen`): the
message goes back to its division (or to the office's desk when the office answered it) to be answered
again, its rating is marked reopened, and the next answer may be rated again.

The satisfaction rate (满意 + 基本满意 over rated, the latest rating of each message) is counted by
core.stats.satisfaction for the statistics page and the year-end evaluation.

Imports from: core.interaction (the message machine) and the floor (humancheck, notify, permissions,
ratelimit, transitions, db, errors, text).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import humancheck, interaction, notify, permissions, ratelimit, transitions
from core.db import row, rows, scalar
from core.errors import InvalidTransition, ValidationError
from core.text import clean_text, visible_length

ARTICLE = "第二十六条"
GRADES = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
SATISFIED = ("satisfied", "basic")
REASON_LIMIT = 500
FIELDS = {"grade": "评价", "reason": "评价理由", "code": "查询码", "reopen": "重新办理的说明"}


def _grade(grade) -> str:
    if grade not in GRADES:
        raise ValidationError(FIELDS["grade"], "请选择满意、基本满意或不满意", ARTICLE)
    return grade


def _reason(reason) -> str | None:
    text = clean_text(reason, multiline=True)
    if len(text) > REASON_LIMIT:
        raise ValidationError(FIELDS["reason"], f"不能超过 {REASON_LIMIT} 个字(现有 {len(text)} 个字)", ARTICLE)
    return text if visible_length(text) else None


def current(con: duckdb.DuckDBPyConnection, message_id: int) -> dict | None:
    """The rating of the message's present answer (not one the webmaster reopened), or None."""
    return row(con, "SELECT * FROM message_ratings WHERE message_id = ? AND reopened_at IS NULL "
                    "ORDER BY round DESC LIMIT 1", [message_id])


def _released(con, message: dict) -> dict | None:
    """The message whose answer the citizen sees by this code (a merged one sees its target's), or None."""
    shown = interaction.get(con, message["merged_into"]) if message["state"] == "merged" and message["merged_into"] \
        else message
    return shown if shown["state"] in ("published", "closed") and shown["answer"] else None


def _message_by_code(con, code: str) -> dict:
    normal = interaction.normal_code(code)
    found = scalar(con, "SELECT id FROM messages WHERE code = ?", [normal]) if normal else None
    if found is None:
        raise ValidationError(FIELDS["code"], "没有找到该查询码对应的留言,请核对(形如 SX-XXXX-XXXX-XXXX)", ARTICLE)
    return interaction.get(con, found)


def _check_captcha(con, client: str | None, captcha: tuple[str, str] | None, now: dt.datetime) -> None:
    """As the message form (core.interaction.submit): only a rating past the CAPTCHA counts against the limits."""
    ratelimit.check(con, client, "captcha.wrong", now)
    ratelimit.check(con, client, "message.rate", now, site_wide=False)
    token, answer = captcha or ("", "")
    try:
        humancheck.verify(con, token, answer)
    except ValidationError:
        if humancheck.normal_answer(answer):
            ratelimit.record(con, client, "captcha.wrong", now)
        raise
    ratelimit.hit(con, client, "message.rate", now)


def rate(con: duckdb.DuckDBPyConnection, code: str, grade: str, reason: str | None, client: str | None,
         captcha: tuple[str, str] | None, now: dt.datetime | None = None) -> int:
    """The citizen's rating of the answer they see by `code`; returns its id. Refused before the answer is
    released, and a second time for the same answer (第二十六条(二))."""
    grade, text = _grade(grade), _reason(reason)
    now = now or dt.datetime.now()
    message = _message_by_code(con, code)
    shown = _released(con, message)
    if shown is None:
        raise ValidationError(FIELDS["grade"], "答复公开或办结后才能评价,请在答复后再来", ARTICLE)
    if current(con, message["id"]):
        raise ValidationError(FIELDS["grade"], "该留言的答复已经评价过,每条答复只能评价一次", ARTICLE)
    _check_captcha(con, client, captcha, now)
    round_ = 1 + int(scalar(con, "SELECT count(*) FROM message_ratings WHERE message_id = ? "
                                 "AND reopened_at IS NOT NULL", [message["id"]]))
    created: list[int] = []

    def write() -> None:
        created.append(con.execute(
            "INSERT INTO message_ratings (message_id, round, division_id, grade, reason, client, rated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [message["id"], round_, shown["division_id"], grade, text,
             ratelimit.client_key(con, client) if client else None, now]).fetchone()[0])

    comment = GRADES[grade] + (f":{text}" if text else "")
    try:
        transitions.record(con, interaction.MESSAGE_MACHINE, message, None, "rate", comment=comment,
                           writes=write, notices=lambda: _tell_staff(con, message, shown, grade, text, round_))
    except duckdb.ConstraintException:  # the same answer rated at the same moment from another tab
        raise ValidationError(FIELDS["grade"], "该留言的答复已经评价过,每条答复只能评价一次", ARTICLE) from None
    return created[0]


def _tell_staff(con, message: dict, shown: dict, grade: str, text: str | None, round_: int) -> None:
    """The division that answered (its officers and head) and the office hear of every rating; a 不满意 says
    so first in the subject, and that the webmaster may reopen it."""
    office = set(notify.role_holders(con, "webmaster"))
    who = set(office)
    if shown["division_id"]:
        who |= set(notify.role_holders(con, "officer", shown["division_id"]))
        who |= set(notify.role_holders(con, "head", shown["division_id"]))
    subject = "【不满意评价】" if grade == "unsatisfied" else f"【公众评价:{GRADES[grade]}】"
    body = (f"公众对留言 {message['code']} 的答复评价为“{GRADES[grade]}”"
            + (f",理由:{text}" if text else "") + "(第二十六条(二))。"
            + ("\n网站管理员可在“互动管理”中将其重新办理。" if grade == "unsatisfied" else ""))
    for user_id in sorted(who):
        page = "interaction_desk" if user_id in office else "interaction_answers"
        notify.enqueue(con, user_id, f"message.rated.{grade}", f"{subject}{message['subject'][:40]}",
                       f"{body}\n留言:{message['subject']}\n{interaction._link(con, page, message['id'])}",
                       dedup_key=f"msg-rated:{message['id']}:{round_}:u{user_id}")


def reopen(con: duckdb.DuckDBPyConnection, user, message_id: int, reason: str, expected_version: int) -> str:
    """The webmaster sends an answer rated 不满意 back to be answered again: to its division (routed, with a
    new due date), or to the desk (new) when the office answered it itself. Returns the new state."""
    permissions.require(user, "messages.moderate")
    message = interaction.get(con, message_id)
    transitions.check(interaction.MESSAGE_MACHINE, message, "reopen", expected_version)
    rating = current(con, message_id)
    if rating is None or rating["grade"] != "unsatisfied":
        raise InvalidTransition("只有公众评价为“不满意”的留言才能重新办理(第二十六条(二))")
    text = clean_text(reason, multiline=True)
    if not visible_length(text):
        raise ValidationError(FIELDS["reopen"], "请写明重新办理的要求,承办处室会看到", ARTICLE)
    if len(text) > REASON_LIMIT:
        raise ValidationError(FIELDS["reopen"], f"不能超过 {REASON_LIMIT} 个字(现有 {len(text)} 个字)", ARTICLE)
    now = dt.datetime.now()
    division = message["division_id"]
    changes = {"state": "routed" if division else "new", "approved_by": None, "answered_at": None,
               "due_on": interaction.due_date(con, message["kind"], now), "closed_at": None}
    if division:
        changes["routed_at"] = now

    def mark() -> None:
        con.execute("UPDATE message_ratings SET reopened_at = ?, reopened_by = ? WHERE id = ?",
                    [now, user.id, rating["id"]])

    def tell() -> None:
        people = notify.role_holders(con, "officer", division) if division else []
        interaction._notify(con, people, "message.reopened", message, "【留言重新办理】",
                            f"公众对答复评价为“不满意”,网站管理员要求重新办理,请在 {changes['due_on']} 前重新答复"
                            f"(第十九条、第二十六条(二))。\n要求:{text}"
                            + (f"\n公众的理由:{rating['reason']}" if rating["reason"] else ""),
                            "interaction_answers", f"msg-reopen:{message_id}:v{expected_version}")

    return transitions.record(con, interaction.MESSAGE_MACHINE, message, user, "reopen", expected_version,
                              changes=changes, comment=text, writes=mark, notices=tell)


def for_messages(con: duckdb.DuckDBPyConnection, message_ids: list[int]) -> dict[int, dict]:
    """Each message's latest rating (its grade label, reason, whether reopened), for the desk's lists."""
    if not message_ids:
        return {}
    marks = ", ".join("?" for _ in message_ids)
    found = rows(con, f"""
        SELECT message_id, round, grade, reason, rated_at, reopened_at FROM message_ratings
        WHERE message_id IN ({marks})
        QUALIFY row_number() OVER (PARTITION BY message_id ORDER BY round DESC) = 1""", message_ids)
    for item in found:
        item["label"] = GRADES[item["grade"]] + ("(已重新办理)" if item["reopened_at"] else "")
    return {item["message_id"]: item for item in found}


def unsatisfied_open(con: duckdb.DuckDBPyConnection, user) -> list[dict]:
    """Answers rated 不满意 and not yet reopened, for the webmaster's desk."""
    permissions.require(user, "messages.moderate")
    found = rows(con, """
        SELECT m.id, m.code, m.kind, m.subject, m.state, m.version, d.name AS division_name, r.reason, r.rated_at
        FROM message_ratings r JOIN messages m ON m.id = r.message_id LEFT JOIN divisions d ON d.id = r.division_id
        WHERE r.grade = 'unsatisfied' AND r.reopened_at IS NULL ORDER BY r.rated_at DESC""")
    for message in found:
        message["kind_label"], message["urgency_label"] = interaction.KIND_LABELS[message["kind"]], ""
    return found
