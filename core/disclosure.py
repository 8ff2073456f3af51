"""依申请公开 (政府信息公开条例 第二十七至四十五条; 第十二条 of the regulation): an application for
disclosure from registration to its reply letter, and any 行政复议 / 行政诉讼 about it.

registered ──ask_correction──▶ correction ──corrected──▶ registered   (补正: the clock restarts, 第三十条)
registered ──consult──▶ consulting ──consulted──▶ registered          (第三方: the days do not count, 第三十二条)
registered / correction ──close──▶ closed                              (one outcome, 第三十六条)
extend (once, ≤ 20 working days, the office's head: 第三十三条), assign, appeal: recorded moves.

The clock is in working days on the product's holiday calendar (core/workdays.py): due = 20 working
days after `clock_start_on` (receipt, or the day a corrected application arrived), plus the
extension, plus the working days of consultations since the clock started. Applicants' names and
contacts stay on the workbench's 依申请公开 page: the portal and the statistics see counts only.

Imports from: core.transitions (the seam) and the floor (audit, db, disclosure_terms, errors, notify,
permissions, settings, text, workdays).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import string
from dataclasses import dataclass

import duckdb
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from core import audit, notify, permissions, settings, transitions, workdays
from core.db import row, rows, scalar, transaction
from core.disclosure_terms import (
    APPEAL_KINDS,
    APPEAL_RESULTS,
    APPLICANT_TYPES,
    CHANNELS,
    OTHER_HANDLING_WORDING,
    OUTCOMES,
    outcome_of,
)
from core.errors import InvalidTransition, NotFound, ValidationError
from core.text import clean_text, visible_length
from core.transitions import move

LAW = "政府信息公开条例"
RECEIPT = f"{LAW} 第三十一条"
CLOCK = f"{LAW} 第三十三条"
CORRECTION = f"{LAW} 第三十条"
THIRD_PARTY = f"{LAW} 第三十二条"
REPLY = f"{LAW} 第三十六条"
REMEDY = f"{LAW} 第五十一条"
OFFICE = f"{LAW} 第四条"

ANSWER_DAYS = 20  # 第三十三条: 20 working days from receipt
MAX_EXTENSION = 20  # 第三十三条: at most 20 more, once
CORRECTION_NOTICE_DAYS = 7  # 第三十条: the correction is asked within 7 working days of receipt

STATE_LABELS = {"registered": "办理中", "correction": "待申请人补正", "consulting": "征求第三方意见中",
                "closed": "已办结"}
OPEN_STATES = ("registered", "correction", "consulting")
ACTION_LABELS = {
    "register": "登记申请", "assign": "转办", "ask_correction": "告知补正", "corrected": "收到补正申请",
    "consult": "征求第三方意见", "consulted": "第三方意见返回", "extend": "延长答复期限", "close": "办结",
    "appeal": "登记行政复议或行政诉讼", "appeal_result": "登记复议或诉讼结果", "template": "修改告知书模板",
}
PAUSE_LABELS = {"correction": "补正", "consultation": "征求第三方意见"}
FIELD_LABELS = {
    "applicant_type": "申请人类型", "applicant_name": "申请人姓名或名称", "applicant_contact": "联系方式",
    "channel": "申请方式", "subject": "申请内容", "received_on": "收到申请日期", "division_id": "承办处室",
    "handler_id": "承办人", "days": "延长天数", "reason": "延期理由", "on": "日期", "outcome": "办理结果",
    "ground": "具体情形", "closed_on": "答复日期", "reply_note": "补充说明", "kind": "类别", "filed_on": "受理日期",
    "result": "结果", "decided_on": "审结日期", "body": "模板内容", "note": "说明",
}
LIMITS = {"applicant_name": 100, "applicant_contact": 200, "subject": 2000, "reason": 500, "reply_note": 5000,
          "note": 500, "body": 10000}


def _describe(from_state: str | None, to_state: str, comment: str | None, extra: dict) -> str:
    return f"{from_state or '-'}→{to_state}" + (f" 「{comment[:200]}」" if comment else "")


ALL_STATES = (*OPEN_STATES, "closed")
MACHINE = transitions.Machine(
    name="disclosure", table="disclosure_applications", noun="该申请", state_labels=STATE_LABELS,
    refusal="该申请当前为「{state}」,不能{verb}(仅限:{allowed})", audit_prefix="disclosure",
    audit_object="disclosure", events="disclosure_events", event_key="application_id", describe=_describe,
    touch=True, anonymous="cli",
    transitions={
        "register": move(ALL_STATES, (), "登记", versioned=False, initial=True),  # the INSERT is register's
        "assign": move(OPEN_STATES, (), "转办", "disclosure.manage"),
        "ask_correction": move({"registered"}, {"correction"}, "告知补正", "disclosure.handle"),
        "corrected": move({"correction"}, {"registered"}, "登记补正", "disclosure.handle"),
        "consult": move({"registered"}, {"consulting"}, "征求第三方意见", "disclosure.handle"),
        "consulted": move({"consulting"}, {"registered"}, "恢复计时", "disclosure.handle"),
        "extend": move({"registered", "consulting"}, (), "延长答复期限", "disclosure.extend"),
        "close": move({"registered", "correction"}, {"closed"}, "办结", "disclosure.handle"),
        "appeal": move(ALL_STATES, (), "登记行政复议或行政诉讼", "disclosure.manage", versioned=False),
        "appeal_result": move(ALL_STATES, (), "登记复议或诉讼结果", "disclosure.manage", versioned=False),
    },
)


# ---------------------------------------------------------------- checking input


def _text(value, field: str, article: str, *, required: bool = True, multiline: bool = False) -> str:
    text = clean_text(value, multiline=multiline)
    if required and not visible_length(text):
        raise ValidationError(FIELD_LABELS[field], "必填", article)
    limit = LIMITS.get(field)
    if limit and len(text) > limit:
        raise ValidationError(FIELD_LABELS[field], f"不能超过 {limit} 个字(现有 {len(text)} 个字)", article)
    return text


def _day(value, field: str, article: str) -> dt.date:
    """A date an action happened: not in the future (the office records what it did)."""
    return _not_future(_date(value, field, article), field, article, None)


def _date(value, field: str, article: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(FIELD_LABELS[field], "请填写日期,格式如 2026-03-02", article)


def _choice(value, choices, field: str, article: str):
    if value not in choices:
        raise ValidationError(FIELD_LABELS[field], "请从列表中选择:" + "、".join(choices), article)
    return value


def _not_future(day: dt.date, field: str, article: str, today: dt.date | None) -> dt.date:
    if day > (today or dt.date.today()):
        raise ValidationError(FIELD_LABELS[field], "不能晚于今天", article)
    return day


def office_division_id(con: duckdb.DuckDBPyConnection) -> int | None:
    """The 政府信息公开工作机构 (第四条): the department's office."""
    return scalar(con, "SELECT id FROM divisions WHERE kind = 'office' ORDER BY position, id LIMIT 1")


def _holder(con, division_id, handler_id) -> tuple[int, int]:
    """The division that holds an application and a person of it who handles it."""
    if handler_id in (None, "") and division_id in (None, ""):
        raise ValidationError(FIELD_LABELS["handler_id"], "请选择承办处室和承办人", OFFICE)
    try:
        division_id = int(division_id)
    except (TypeError, ValueError):
        raise ValidationError(FIELD_LABELS["division_id"], "请选择承办处室", OFFICE) from None
    if not scalar(con, "SELECT count(*) FROM divisions WHERE id = ? AND kind IN ('division', 'office')",
                  [division_id]):
        raise ValidationError(FIELD_LABELS["division_id"], "请选择承办处室", OFFICE)
    try:
        handler_id = int(handler_id)
    except (TypeError, ValueError):
        raise ValidationError(FIELD_LABELS["handler_id"], "请选择承办人", OFFICE) from None
    if handler_id not in handlers(con, division_id):
        raise ValidationError(FIELD_LABELS["handler_id"], "承办人须是该处室在岗的信息员或处室负责人", OFFICE)
    return division_id, handler_id


def handlers(con: duckdb.DuckDBPyConnection, division_id: int) -> dict[int, str]:
    """Who in a division may hold an application: its active officers and head (id → name)."""
    return {r["id"]: r["display_name"] for r in rows(con, """
        SELECT DISTINCT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id
        WHERE u.active AND u.division_id = ? AND r.role IN ('officer', 'head') ORDER BY u.id""", [division_id])}


def holders(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Everyone who may hold an application, with their division (for the page's one choice of 承办人)."""
    return rows(con, """
        SELECT DISTINCT u.id AS handler_id, u.display_name AS handler_name, d.id AS division_id,
               d.name AS division_name, d.position
        FROM users u JOIN user_roles r ON r.user_id = u.id JOIN divisions d ON d.id = u.division_id
        WHERE u.active AND r.role IN ('officer', 'head') AND d.kind IN ('division', 'office')
        ORDER BY d.position, d.id, u.id""")


def outcome_choices() -> list[tuple[str, str | None]]:
    """Every outcome one can close with: (group, ground), in the national report's order."""
    return [(group, ground) for group, grounds in OUTCOMES.items() for ground in (grounds or (None,))]


def validate_application(con: duckdb.DuckDBPyConnection, form: dict, today: dt.date | None = None) -> dict:
    """The application as registered (第二十九条 says what it carries), cleaned; ValidationError names the field."""
    received = _not_future(_date(form.get("received_on"), "received_on", RECEIPT), "received_on", RECEIPT, today)
    division_id, handler_id = _holder(con, form.get("division_id"), form.get("handler_id"))
    return {
        "applicant_type": _choice(form.get("applicant_type"), APPLICANT_TYPES, "applicant_type", f"{LAW} 第二十九条"),
        "applicant_name": _text(form.get("applicant_name"), "applicant_name", f"{LAW} 第二十九条"),
        "applicant_contact": _text(form.get("applicant_contact"), "applicant_contact", f"{LAW} 第二十九条"),
        "channel": _choice(form.get("channel"), CHANNELS, "channel", RECEIPT),
        "subject": _text(form.get("subject"), "subject", f"{LAW} 第二十九条", multiline=True),
        "received_on": received, "division_id": division_id, "handler_id": handler_id,
    }


# ---------------------------------------------------------------- the clock


def paused_days(con: duckdb.DuckDBPyConnection, application: dict, calendar: workdays.WorkCalendar) -> int:
    """Working days of third-party consultations since the clock started (第三十二条: they do not count);
    a consultation still running counts up to today."""
    total = 0
    for pause in rows(con, "SELECT started_on, ended_on FROM disclosure_pauses WHERE application_id = ? "
                           "AND kind = 'consultation' AND started_on >= ?",
                      [application["id"], application["clock_start_on"]]):
        if pause["ended_on"] is not None:
            total += max(calendar.workdays_between(pause["started_on"], pause["ended_on"]), 0)
    return total


def due_date(calendar: workdays.WorkCalendar, clock_start: dt.date, extended_days: int = 0, paused: int = 0) -> dt.date:
    """20 working days after the clock started (the day itself not counted), plus the extension and the
    paused working days (第三十二、三十三条)."""
    return calendar.add_workdays(clock_start, ANSWER_DAYS + extended_days + paused)


def _recomputed_due(con, application: dict, **overrides) -> dt.date:
    item = {**application, **overrides}
    calendar = workdays.load(con)
    return due_date(calendar, item["clock_start_on"], item["extended_days"], paused_days(con, item, calendar))


# ---------------------------------------------------------------- loading


def get(con: duckdb.DuckDBPyConnection, application_id: int) -> dict:
    found = row(con, """
        SELECT a.*, d.name AS division_name, u.display_name AS handler_name, x.display_name AS extension_by_name
        FROM disclosure_applications a LEFT JOIN divisions d ON d.id = a.division_id
        LEFT JOIN users u ON u.id = a.handler_id LEFT JOIN users x ON x.id = a.extension_by
        WHERE a.id = ?""", [application_id])
    if not found:
        raise NotFound(f"申请 {application_id} 不存在")
    found["office_division_id"] = office_division_id(con)
    found["state_label"] = STATE_LABELS[found["state"]]
    return found


def view(con: duckdb.DuckDBPyConnection, user, application_id: int) -> dict:
    """One application with its history, pauses and appeals, for someone allowed to see it."""
    application = get(con, application_id)
    permissions.require(user, "disclosure.view", application)
    application["events"] = rows(con, """
        SELECT e.created_at, e.action, e.from_state, e.to_state, e.comment, coalesce(u.display_name, '台账导入') AS actor
        FROM disclosure_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.application_id = ? ORDER BY e.id""",
                                 [application_id])
    for event in application["events"]:
        event["action_label"] = ACTION_LABELS.get(event["action"], event["action"])
    application["pauses"] = rows(con, "SELECT * FROM disclosure_pauses WHERE application_id = ? ORDER BY id",
                                 [application_id])
    application["appeals"] = rows(con, "SELECT * FROM disclosure_appeals WHERE application_id = ? ORDER BY id",
                                  [application_id])
    return application


def _load(con, user, application_id: int, action: str, expected_version: int | None) -> dict:
    """The application, once the user may make the move and the state and version allow it."""
    application = get(con, application_id)
    transitions.authorise(MACHINE, application, user, action)
    transitions.check(MACHINE, application, action, expected_version)
    return application


def _move(con, application: dict, user, action: str, expected_version: int | None, **options) -> str:
    return transitions.record(con, MACHINE, application, user, action, expected_version, **options)


def _link(con, application_id: int) -> str:
    return f"{str(settings.get(con, 'workbench_url')).rstrip('/')}/disclosure_applications?application={application_id}"


def _next_number(con, year: int) -> str:
    prefix = f"依申〔{year}〕"
    count = int(scalar(con, "SELECT count(*) FROM disclosure_applications WHERE number LIKE ?", [prefix + "%"]))
    number = f"{prefix}{count + 1}号"
    while scalar(con, "SELECT count(*) FROM disclosure_applications WHERE number = ?", [number]):
        count += 1
        number = f"{prefix}{count + 1}号"
    return number


# ---------------------------------------------------------------- registering and moving


def register(con: duckdb.DuckDBPyConnection, user, form: dict, today: dt.date | None = None) -> dict:
    """Register an application received (the office, 第四条): a 受理编号, the clock, a holder told by e-mail."""
    permissions.require(user, "disclosure.manage")
    values = validate_application(con, form, today)
    calendar = workdays.load(con)
    due = due_date(calendar, values["received_on"])
    with transaction(con):
        number = _next_number(con, values["received_on"].year)
        new_id = con.execute(
            "INSERT INTO disclosure_applications (number, applicant_type, applicant_name, applicant_contact, channel, "
            "subject, received_on, clock_start_on, due_on, division_id, handler_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [number, values["applicant_type"], values["applicant_name"], values["applicant_contact"],
             values["channel"], values["subject"], values["received_on"], values["received_on"], due,
             values["division_id"], values["handler_id"]]).fetchone()[0]
        application = get(con, new_id)
        _move(con, application, user, "register", None, comment=f"答复期限 {due}")
        _tell_holder(con, application, "【依申请公开待办理】",
                     f"办公室登记了一件政府信息公开申请并交由您办理,请在 {due} 前答复({CLOCK})。", f"reg:{new_id}")
    return get(con, new_id)


def _tell_holder(con, application: dict, subject: str, text: str, key: str) -> None:
    # the subject and text never carry the applicant's name: the mail leaves the workbench
    if application["handler_id"]:
        notify.enqueue(con, application["handler_id"], "disclosure.assigned", f"{subject}{application['number']}",
                       f"{text}\n受理编号:{application['number']}\n{_link(con, application['id'])}",
                       dedup_key=f"dsc-{key}:u{application['handler_id']}")


def assign(con: duckdb.DuckDBPyConnection, user, application_id: int, division_id: int, handler_id: int,
           expected_version: int) -> None:
    """Give an open application to another division or person (the office)."""
    application = _load(con, user, application_id, "assign", expected_version)
    division_id, handler_id = _holder(con, division_id, handler_id)

    def tell() -> None:
        _tell_holder(con, {**application, "handler_id": handler_id}, "【依申请公开待办理】",
                     f"办公室把一件政府信息公开申请转交您办理,请在 {application['due_on']} 前答复({CLOCK})。",
                     f"assign:{application_id}:v{expected_version}")

    _move(con, application, user, "assign", expected_version, notices=tell,
          changes={"division_id": division_id, "handler_id": handler_id})


def ask_correction(con: duckdb.DuckDBPyConnection, user, application_id: int, on, note: str,
                   expected_version: int) -> None:
    """补正 (第三十条): asked once, within 7 working days of receipt; the clock stops."""
    application = _load(con, user, application_id, "ask_correction", expected_version)
    day = _day(on, "on", CORRECTION)
    if scalar(con, "SELECT count(*) FROM disclosure_pauses WHERE application_id = ? AND kind = 'correction'",
              [application_id]):
        raise ValidationError("补正", "补正应一次性告知,该申请已告知过补正", CORRECTION)
    calendar = workdays.load(con)
    if day < application["received_on"] or calendar.workdays_between(application["received_on"], day) \
            > CORRECTION_NOTICE_DAYS:
        raise ValidationError(FIELD_LABELS["on"], f"应在收到申请之日起 {CORRECTION_NOTICE_DAYS} 个工作日内告知补正"
                                                  f"(收到申请:{application['received_on']})", CORRECTION)
    text = _text(note, "note", CORRECTION)

    def pause() -> None:
        con.execute("INSERT INTO disclosure_pauses (application_id, kind, started_on, note) "
                    "VALUES (?, 'correction', ?, ?)", [application_id, day, text])

    _move(con, application, user, "ask_correction", expected_version, writes=pause, comment=text,
          changes={"state": "correction"})


def corrected(con: duckdb.DuckDBPyConnection, user, application_id: int, arrived_on, expected_version: int) -> None:
    """The corrected application arrived: the clock starts again from that day (第三十条)."""
    application = _load(con, user, application_id, "corrected", expected_version)
    day = _day(arrived_on, "on", CORRECTION)
    asked = scalar(con, "SELECT max(started_on) FROM disclosure_pauses WHERE application_id = ? "
                        "AND kind = 'correction' AND ended_on IS NULL", [application_id])
    if asked and day < asked:
        raise ValidationError(FIELD_LABELS["on"], f"收到补正的日期不能早于告知补正的日期 {asked}", CORRECTION)
    due = _recomputed_due(con, application, clock_start_on=day)

    def end() -> None:
        con.execute("UPDATE disclosure_pauses SET ended_on = ? WHERE application_id = ? AND kind = 'correction' "
                    "AND ended_on IS NULL", [day, application_id])

    _move(con, application, user, "corrected", expected_version, writes=end, comment=f"答复期限重新计算为 {due}",
          changes={"state": "registered", "clock_start_on": day, "due_on": due})


def consult(con: duckdb.DuckDBPyConnection, user, application_id: int, on, note: str, expected_version: int) -> None:
    """A third party is asked for its view: the clock pauses (第三十二条)."""
    application = _load(con, user, application_id, "consult", expected_version)
    day = _day(on, "on", THIRD_PARTY)
    if day < application["clock_start_on"]:
        raise ValidationError(FIELD_LABELS["on"], f"不能早于计时起点 {application['clock_start_on']}", THIRD_PARTY)
    text = _text(note, "note", THIRD_PARTY)

    def pause() -> None:
        con.execute("INSERT INTO disclosure_pauses (application_id, kind, started_on, note) "
                    "VALUES (?, 'consultation', ?, ?)", [application_id, day, text])

    _move(con, application, user, "consult", expected_version, writes=pause, comment=text,
          changes={"state": "consulting"})


def consulted(con: duckdb.DuckDBPyConnection, user, application_id: int, on, expected_version: int) -> None:
    """The consultation is over: the clock runs again and the paused working days are added to the due date."""
    application = _load(con, user, application_id, "consulted", expected_version)
    day = _day(on, "on", THIRD_PARTY)
    started = scalar(con, "SELECT max(started_on) FROM disclosure_pauses WHERE application_id = ? "
                          "AND kind = 'consultation' AND ended_on IS NULL", [application_id])
    if started and day < started:
        raise ValidationError(FIELD_LABELS["on"], f"不能早于征求意见开始的日期 {started}", THIRD_PARTY)

    def end() -> None:
        con.execute("UPDATE disclosure_pauses SET ended_on = ? WHERE application_id = ? AND kind = 'consultation' "
                    "AND ended_on IS NULL", [day, application_id])

    def changes() -> dict:  # after `end` would be too late: the pause is closed here, inside the move
        end()
        return {"state": "registered", "due_on": _recomputed_due(con, application)}

    _move(con, application, user, "consulted", expected_version, changes=changes)


def extend(con: duckdb.DuckDBPyConnection, user, application_id: int, days: int, reason: str, on,
           expected_version: int) -> None:
    """One extension of at most 20 working days, with the consent of the head of the office (the
    政府信息公开工作机构负责人, 第三十三条), decided before the time runs out, with a reason."""
    application = _load(con, user, application_id, "extend", expected_version)
    if application["extended_days"]:
        raise ValidationError(FIELD_LABELS["days"], "答复期限只能延长一次", CLOCK)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION:
        raise ValidationError(FIELD_LABELS["days"], f"延长的期限为 1 至 {MAX_EXTENSION} 个工作日", CLOCK)
    text = _text(reason, "reason", CLOCK)
    day = _day(on, "on", CLOCK)
    if day > application["due_on"]:
        raise ValidationError(FIELD_LABELS["on"], f"延期须在答复期限 {application['due_on']} 届满前决定", CLOCK)
    due = _recomputed_due(con, application, extended_days=days)
    _move(con, application, user, "extend", expected_version, comment=f"延长 {days} 个工作日至 {due}:{text}",
          changes={"extended_days": days, "extension_reason": text, "extension_by": user.id, "extended_on": day,
                   "due_on": due})


def close(con: duckdb.DuckDBPyConnection, user, application_id: int, outcome: str, ground: str | None, closed_on,
          reply_note: str, expected_version: int) -> None:
    """Answer with exactly one outcome of the national list: its group and, where it has them, a ground (第三十六条)."""
    application = _load(con, user, application_id, "close", expected_version)
    group, ground = check_outcome(outcome, ground)
    day = _day(closed_on, "closed_on", REPLY)
    if day < application["received_on"]:
        raise ValidationError(FIELD_LABELS["closed_on"], f"不能早于收到申请的日期 {application['received_on']}", REPLY)
    note = _text(reply_note, "reply_note", REPLY, required=False, multiline=True)
    _move(con, application, user, "close", expected_version, comment=outcome_words(group, ground),
          changes={"state": "closed", "outcome": group, "outcome_ground": ground, "closed_on": day,
                   "reply_note": note or None})


def check_outcome(outcome: str, ground: str | None) -> tuple[str, str | None]:
    """(group, ground): a group of OUTCOMES and, when the group has grounds, exactly one of them."""
    _choice(outcome, tuple(OUTCOMES), "outcome", REPLY)
    if not OUTCOMES[outcome]:
        return outcome, None
    if ground not in OUTCOMES[outcome]:
        raise ValidationError(FIELD_LABELS["ground"], f"「{outcome}」须选择一种具体情形:" + "、".join(OUTCOMES[outcome]),
                              REPLY)
    return outcome, ground


def outcome_words(group: str | None, ground: str | None) -> str:
    if not group:
        return ""
    if not ground:
        return group
    return f"{group}({OTHER_HANDLING_WORDING.get(ground, ground) if group == '其他处理' else ground})"


# ---------------------------------------------------------------- appeals (part 四 of the annual report)


def record_appeal(con: duckdb.DuckDBPyConnection, user, application_id: int, kind: str, filed_on,
                  after_review: bool = False, note: str = "") -> int:
    """A 行政复议 or 行政诉讼 about an application (第五十一条), pending until its result is recorded."""
    application = get(con, application_id)
    transitions.authorise(MACHINE, application, user, "appeal")
    _choice(kind, APPEAL_KINDS, "kind", REMEDY)
    day = _day(filed_on, "filed_on", REMEDY)
    if day < application["received_on"]:
        raise ValidationError(FIELD_LABELS["filed_on"], f"不能早于收到申请的日期 {application['received_on']}", REMEDY)
    text = _text(note, "note", REMEDY, required=False)
    created: list[int] = []

    def insert() -> None:
        created.append(con.execute(
            "INSERT INTO disclosure_appeals (application_id, kind, after_review, filed_on, note, recorded_by) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [application_id, kind, bool(after_review and kind == "行政诉讼"), day, text or None, user.id]).fetchone()[0])

    _move(con, application, user, "appeal", None, writes=insert, comment=f"{kind} {day}")
    return created[0]


def record_appeal_result(con: duckdb.DuckDBPyConnection, user, appeal_id: int, result: str, decided_on) -> None:
    appeal = row(con, "SELECT * FROM disclosure_appeals WHERE id = ?", [appeal_id])
    if not appeal:
        raise NotFound(f"复议或诉讼记录 {appeal_id} 不存在")
    application = get(con, appeal["application_id"])
    transitions.authorise(MACHINE, application, user, "appeal_result")
    _choice(result, APPEAL_RESULTS, "result", REMEDY)
    day = None if result == "尚未审结" else _day(decided_on, "decided_on", REMEDY)
    if day and day < appeal["filed_on"]:
        raise ValidationError(FIELD_LABELS["decided_on"], f"不能早于受理日期 {appeal['filed_on']}", REMEDY)

    def update() -> None:
        con.execute("UPDATE disclosure_appeals SET result = ?, decided_on = ? WHERE id = ?", [result, day, appeal_id])

    _move(con, application, user, "appeal_result", None, writes=update, comment=f"{appeal['kind']}:{result}")


# ---------------------------------------------------------------- queue and reminders


def warn_days(con: duckdb.DuckDBPyConnection) -> int:
    return int(settings.get(con, "disclosure_warn_days"))


def urgency(application: dict, calendar: workdays.WorkCalendar, warn: int, today: dt.date) -> str | None:
    """'overdue', 'due_soon', 'paused' (补正 or consultation: the clock stands) or None."""
    if application["state"] == "closed":
        return None
    if application["state"] != "registered":
        return "paused"
    if application["due_on"] < today:
        return "overdue"
    if calendar.workdays_between(today, application["due_on"]) <= warn:
        return "due_soon"
    return None


URGENCY_LABELS = {"overdue": "【已超期】", "due_soon": "【即将到期】", "paused": "【暂停计时】"}


def sees_all(con: duckdb.DuckDBPyConnection, user) -> bool:
    """The office and its head see every application; a division sees those it holds."""
    return user.has("webmaster") or (user.has("head") and user.division_id == office_division_id(con))


def queue(con: duckdb.DuckDBPyConnection, user, *, open_only: bool = True, today: dt.date | None = None,
          limit: int = 500) -> list[dict]:
    """Applications the user may see, the most urgent first, each with its urgency label."""
    permissions.require(user, "disclosure.desk")
    sql = """SELECT a.id, a.number, a.applicant_type, a.applicant_name, a.channel, a.subject, a.received_on,
                    a.clock_start_on, a.due_on, a.state, a.extended_days, a.outcome, a.outcome_ground, a.closed_on,
                    a.division_id, a.handler_id, a.version, d.name AS division_name, u.display_name AS handler_name
             FROM disclosure_applications a LEFT JOIN divisions d ON d.id = a.division_id
             LEFT JOIN users u ON u.id = a.handler_id WHERE 1 = 1"""
    params: list = []
    if open_only:
        sql += " AND a.state <> 'closed'"
    if not sees_all(con, user):
        sql += " AND a.division_id = ?"
        params.append(user.division_id)
    found = rows(con, sql + " ORDER BY a.state = 'closed', a.due_on, a.id LIMIT ?", [*params, limit])
    calendar, warn, today = workdays.load(con), warn_days(con), today or dt.date.today()
    for item in found:
        item["urgency"] = urgency(item, calendar, warn, today)
        item["urgency_label"] = URGENCY_LABELS.get(item["urgency"], "")
        item["state_label"] = STATE_LABELS[item["state"]]
        item["outcome_label"] = outcome_words(item["outcome"], item["outcome_ground"])
    return found


def counts(con: duckdb.DuckDBPyConnection, user) -> dict[str, int]:
    """The user's to-dos here: open applications they hold (the sidebar and the home page)."""
    return {"disclosure_held": int(scalar(con, "SELECT count(*) FROM disclosure_applications "
                                               "WHERE handler_id = ? AND state <> 'closed'", [user.id]))}


_STAGE_SUBJECTS = {"due_soon": "【依申请公开即将到期】", "overdue": "【依申请公开已超期】"}


def remind_deadlines(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> int:
    """E-mail whoever holds an application nearly due or overdue, once per stage and due date (an
    extension or a pause moves the date and arms the reminder again); the office hears of the overdue."""
    today = today or dt.date.today()
    calendar, warn = workdays.load(con), warn_days(con)
    horizon = today + dt.timedelta(days=30 + 2 * warn)
    candidates = rows(con, "SELECT id, number, subject, due_on, state, handler_id FROM disclosure_applications "
                           "WHERE state = 'registered' AND due_on <= ?", [horizon])
    office = notify.role_holders(con, "webmaster")
    sent = 0
    with transaction(con):
        for item in candidates:
            stage = urgency(item, calendar, warn, today)
            if stage not in _STAGE_SUBJECTS:
                continue
            who = {item["handler_id"]} - {None} | (set(office) if stage == "overdue" else set())
            text = (f"受理编号 {item['number']} 的政府信息公开申请答复期限为 {item['due_on']},"
                    + ("已超期,请立即答复。" if stage == "overdue" else "即将到期,请及时答复。")
                    + f"({CLOCK})\n{_link(con, item['id'])}")
            for user_id in sorted(who):
                sent += notify.enqueue(con, user_id, f"disclosure.{stage}", f"{_STAGE_SUBJECTS[stage]}{item['number']}",
                                       text, dedup_key=f"dsc-{stage}:{item['id']}:{item['due_on']}:u{user_id}")
    return sent


# ---------------------------------------------------------------- the reply letter (告知书)


PLACEHOLDERS = ("受理编号", "申请人", "收到日期", "申请内容", "答复日期", "办理结果", "具体情形", "补充说明", "机关名称")
_REMEDIES = ("如对本答复不服,可以自收到本告知书之日起六十日内依法申请行政复议,"
             "或者自收到本告知书之日起六个月内依法向人民法院提起行政诉讼。")
_HEAD = "{申请人}:\n本机关于{收到日期}收到您(单位)提出的政府信息公开申请(受理编号:{受理编号}),申请获取:{申请内容}。\n"
_TAIL = "{补充说明}\n" + _REMEDIES + "\n{机关名称}\n{答复日期}"
DEFAULT_TEMPLATES = {
    "予以公开": _HEAD + "经审查,您申请获取的政府信息属于公开范围,根据《中华人民共和国政府信息公开条例》第三十六条第(二)项的规定,"
                    "现予以公开,随本告知书一并提供。\n" + _TAIL,
    "部分公开": _HEAD + "经审查,您申请获取的政府信息中含有不应当公开的内容,但能够作区分处理,根据《中华人民共和国政府信息公开条例》"
                    "第三十七条的规定,现向您提供可以公开的部分。\n" + _TAIL,
    "不予公开": _HEAD + "经审查,您申请获取的政府信息属于不予公开的情形(具体情形:{具体情形}),根据《中华人民共和国政府信息公开条例》"
                    "第三十六条第(三)项的规定,决定不予公开。\n" + _TAIL,
    "无法提供": _HEAD + "经审查,{具体情形},本机关无法提供您申请获取的政府信息(《中华人民共和国政府信息公开条例》第三十六条)。\n"
            + _TAIL,
    "不予处理": _HEAD + "经审查,您的申请属于“{具体情形}”的情形,根据《中华人民共和国政府信息公开条例》的有关规定,本机关不予处理。\n"
            + _TAIL,
    "其他处理": _HEAD + "根据《中华人民共和国政府信息公开条例》的有关规定,本机关对您的申请作如下处理:{具体情形}。\n" + _TAIL,
}


def templates(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The letter template of each outcome group: the office's own where it wrote one, else the default."""
    stored = {r["outcome"]: r["body"] for r in rows(con, "SELECT outcome, body FROM disclosure_letter_templates")}
    return {group: stored.get(group, DEFAULT_TEMPLATES[group]) for group in OUTCOMES}


def check_template(body: str) -> str:
    """A template's text: placeholders from the list only, and the remedies stated (第五十一条)."""
    text = _text(body, "body", REPLY, multiline=True)
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise ValidationError(FIELD_LABELS["body"], "花括号须成对使用,如 {受理编号}", REPLY) from None
    unknown = [name for name in fields if name not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(FIELD_LABELS["body"], f"未知的占位符 {{{unknown[0]}}};可用:"
                              + "、".join(f"{{{p}}}" for p in PLACEHOLDERS), REPLY)
    if "行政复议" not in text or "行政诉讼" not in text:
        raise ValidationError(FIELD_LABELS["body"], "告知书须告知申请人可以依法申请行政复议或者提起行政诉讼", REMEDY)
    return text


def save_template(con: duckdb.DuckDBPyConnection, user, outcome: str, body: str) -> None:
    """The office edits the letter of an outcome group."""
    permissions.require(user, "disclosure.manage")
    _choice(outcome, tuple(OUTCOMES), "outcome", REPLY)
    text = check_template(body)
    with transaction(con):
        con.execute("DELETE FROM disclosure_letter_templates WHERE outcome = ?", [outcome])
        con.execute("INSERT INTO disclosure_letter_templates (outcome, body, updated_by) VALUES (?, ?, ?)",
                    [outcome, text, user.id])
        audit.record(con, user, "disclosure.template", f"template:{outcome}", f"{len(text)} 字")


def letter_text(con: duckdb.DuckDBPyConnection, application: dict) -> str:
    """The letter's text for a closed application: its group's template with the placeholders filled."""
    group, ground = application["outcome"], application["outcome_ground"]
    values = {
        "受理编号": application["number"], "申请人": application["applicant_name"] or "申请人",
        "收到日期": _chinese_date(application["received_on"]), "申请内容": application["subject"],
        "答复日期": _chinese_date(application["closed_on"]), "办理结果": outcome_words(group, ground),
        "具体情形": (OTHER_HANDLING_WORDING.get(ground, ground) if group == "其他处理" else ground) or "",
        "补充说明": application["reply_note"] or "", "机关名称": str(settings.get(con, "site_name")),
    }
    return templates(con)[group].format(**values)


def _chinese_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _font(run, size: float, east_asia: str = "仿宋", bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = east_asia
    run._element.rPr.rFonts.set(qn("w:eastAsia"), east_asia)


def letter(con: duckdb.DuckDBPyConnection, user, application_id: int) -> tuple[str, bytes]:
    """(file name, .docx) of the reply letter of a closed application."""
    application = get(con, application_id)
    permissions.require(user, "disclosure.view", application)
    if application["state"] != "closed":
        raise InvalidTransition(f"该申请当前为「{application['state_label']}」,办结后才能生成告知书({REPLY})")
    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run("政府信息公开申请答复告知书"), 22, "方正小标宋简体")
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(number.add_run(application["number"]), 16)
    lines = [line for line in letter_text(con, application).split("\n") if line.strip()]
    for index, line in enumerate(lines):
        paragraph = document.add_paragraph()
        tail = index >= len(lines) - 2  # the organ and the date, on the right
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if tail else WD_ALIGN_PARAGRAPH.LEFT
        if 0 < index and not tail:
            paragraph.paragraph_format.first_line_indent = Pt(32)
        _font(paragraph.add_run(line), 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return f"政府信息公开申请答复告知书-{application['number']}.docx", buffer.getvalue()


# ---------------------------------------------------------------- importing a ledger


@dataclass(frozen=True)
class Imported:
    total: int
    closed: int
    open: int


class LedgerError(ValueError):
    """Bad lines of a ledger: each named by its number; nothing was imported."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _ledger_line(number: int, text: str, today: dt.date) -> dict:
    try:
        item = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"第 {number} 行:不是有效的 JSON 对象") from None
    if not isinstance(item, dict):
        raise ValueError(f"第 {number} 行:不是有效的 JSON 对象")

    def bad(field: str, rule: str) -> ValueError:
        return ValueError(f"第 {number} 行「{field}」:{rule}")

    try:
        received = _date(item.get("received_on"), "received_on", RECEIPT)
    except ValidationError:
        raise bad("received_on", "应为日期,如 2026-03-02") from None
    if received > today:
        raise bad("received_on", "不能晚于今天")
    if item.get("applicant_type") not in APPLICANT_TYPES:
        raise bad("applicant_type", "应为 " + "、".join(APPLICANT_TYPES) + " 之一")
    if item.get("channel") not in CHANNELS:
        raise bad("channel", "应为 " + "、".join(CHANNELS) + " 之一")
    subject = clean_text(item.get("subject"), multiline=True) if isinstance(item.get("subject"), str) else ""
    if not visible_length(subject):
        raise bad("subject", "必填")
    if not isinstance(item.get("extended", False), bool):
        raise bad("extended", "应为 true 或 false")
    group = ground = closed = None
    if item.get("outcome") is not None:
        try:
            group, ground = outcome_of(item["outcome"])
        except (KeyError, TypeError):
            raise bad("outcome", "应为“予以公开”“部分公开”或某一具体情形的原文") from None
        try:
            closed = _date(item.get("closed_on"), "closed_on", REPLY)
        except ValidationError:
            raise bad("closed_on", "已办结的申请须填写答复日期,如 2026-03-20") from None
        if closed < received:
            raise bad("closed_on", "不能早于收到申请的日期")
        if closed > today:
            raise bad("closed_on", "不能晚于今天")
    elif item.get("closed_on") is not None:
        raise bad("outcome", "填写了答复日期,须同时填写办理结果")
    return {"received_on": received, "applicant_type": item["applicant_type"], "channel": item["channel"],
            "subject": subject[:LIMITS["subject"]], "outcome": group, "outcome_ground": ground, "closed_on": closed,
            "extended": item.get("extended", False)}


def import_ledger(con: duckdb.DuckDBPyConnection, lines: list[str], today: dt.date | None = None) -> Imported:
    """Applications from an office's ledger (JSONL): every line checked first, then all written in one
    transaction; any bad line raises LedgerError naming each and nothing is imported."""
    today = today or dt.date.today()
    items, problems = [], []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            items.append(_ledger_line(number, text, today))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise LedgerError(problems)
    calendar = workdays.load(con)
    with transaction(con):
        for item in items:
            extended = MAX_EXTENSION if item["extended"] else 0
            new_id = con.execute(
                "INSERT INTO disclosure_applications (number, applicant_type, channel, subject, received_on, "
                "clock_start_on, due_on, state, extended_days, extension_reason, outcome, outcome_ground, "
                "closed_on, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE) RETURNING id",
                [_next_number(con, item["received_on"].year), item["applicant_type"], item["channel"],
                 item["subject"], item["received_on"], item["received_on"],
                 due_date(calendar, item["received_on"], extended), "closed" if item["outcome"] else "registered",
                 extended, "台账记载已延期" if extended else None, item["outcome"], item["outcome_ground"],
                 item["closed_on"]]).fetchone()[0]
            _move(con, get(con, new_id), None, "register", None, comment="台账导入")
    closed = sum(1 for item in items if item["outcome"])
    return Imported(len(items), closed, len(items) - closed)
