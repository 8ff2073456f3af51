"""技术支持 (第十条(二)): the divisions ask the technical-support unit, the unit answers, the clock counts.

An officer or a head raises a question (咨询) or a fault (故障): a subject, a description, the workbench
page it concerns, optionally a file (checked as article attachments are). The unit accepts it, answers
it (the requester reads the answer and may ask back), and it is closed when the requester confirms it
solved, or by the unit; the requester may reopen a closed request within REOPEN_WORKDAYS working days.
Every move is a transition of `SUPPORT_MACHINE` (core/transitions.py): state, version and permission
checked, the event and audit rows and the notices written in one transaction. Response times are
counted in working time (core/workdays.py): to the first answer in working hours, to the closing in
working days. The requester sees their own requests; the unit and the office see all, with figures.

Imports from: core.transitions (the seam) and the floor (attachments, db, errors, notify, permissions, text,
workdays).
"""

from __future__ import annotations

import datetime as dt
import statistics

import duckdb

from core import attachments, notify, transitions, workdays
from core.db import row, rows, scalar, transaction
from core.errors import InvalidTransition, NotFound, ValidationError
from core.permissions import can, require
from core.text import checked_field  # every text field is cleaned on the way in (issue 12, M3)
from core.transitions import move

ARTICLE = "第十条"
KINDS = ("咨询", "故障")
STATE_LABELS = {"new": "待受理", "handling": "处理中", "answered": "已答复,待确认", "closed": "已关闭",
                "reopened": "已重新打开"}
ACTION_LABELS = {"raise": "提出", "accept": "受理", "answer": "答复", "reply": "追问", "confirm": "确认解决",
                 "close": "关闭", "reopen": "重新打开"}
OPEN_STATES = ("new", "handling", "reopened")  # waiting for the unit
REOPEN_WORKDAYS = 5  # a closed request can be reopened by its requester for this many working days
OFFICE_HOURS = (dt.time(8, 30), dt.time(17, 30))  # the working day the response clock counts
TARGET_HOURS = {"故障": 4, "咨询": 9}  # first answer within: half a working day for a fault, one day for a question
LIMITS = {"subject": 100, "description": 5000, "page": 50, "text": 5000}
FIELD_LABELS = {"kind": "类型", "subject": "标题", "description": "问题描述", "page": "涉及页面", "text": "内容"}


def _describe(from_state: str | None, to_state: str, comment: str | None, extra: dict) -> str:
    return f"{from_state or '-'}→{to_state}" + (f" 「{comment[:200]}」" if comment else "")


SUPPORT_MACHINE = transitions.Machine(
    name="support", table="support_requests", noun="该技术支持请求", state_labels=STATE_LABELS,
    refusal="技术支持请求当前为「{state}」,不能{verb}(仅限:{allowed};第十条)", audit_prefix="support", audit_object="support",
    events="support_events", event_key="request_id", describe=_describe, touch=True,
    transitions={
        "raise": move({"new"}, (), "提出", "support.raise", versioned=False, initial=True),  # the INSERT's log
        "accept": move({"new", "reopened"}, {"handling"}, "受理", "support.handle"),
        "answer": move({"new", "handling", "reopened"}, {"answered"}, "答复", "support.handle"),
        # the requester asks back: an answered request goes back to the unit, an open one stays where it is
        "reply": move({"new", "handling", "answered", "reopened"}, {"new", "handling", "reopened"}, "追问",
                      "support.requester"),
        "confirm": move({"answered"}, {"closed"}, "确认解决", "support.requester"),
        "close": move({"new", "handling", "answered", "reopened"}, {"closed"}, "关闭", "support.handle"),
        "reopen": move({"closed"}, {"reopened"}, "重新打开", "support.requester"),
    },
)


def _text(field: str, value, *, required: bool = True, multiline: bool = False) -> str:
    return checked_field(value, FIELD_LABELS[field], LIMITS[field], ARTICLE, required=required, multiline=multiline)


# ---------------------------------------------------------------- working time

def working_hours(calendar: workdays.WorkCalendar, start: dt.datetime, end: dt.datetime) -> float:
    """Hours of office time (OFFICE_HOURS on working days) between two moments: a fault raised on Friday
    evening and answered on Monday at 9:30 waited one working hour, not sixty."""
    if end <= start:
        return 0.0
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if calendar.is_workday(day):
            opens, shuts = (dt.datetime.combine(day, t) for t in OFFICE_HOURS)
            overlap = min(end, shuts) - max(start, opens)
            if overlap > dt.timedelta():
                total += overlap
        day += dt.timedelta(days=1)
    return round(total.total_seconds() / 3600, 1)


def _clock(calendar: workdays.WorkCalendar, item: dict) -> dict:
    first = item["first_answer_at"]
    closed = item["closed_at"]
    hours = working_hours(calendar, item["raised_at"], first) if first else None
    return {"answer_hours": hours,
            "close_days": calendar.workdays_between(item["raised_at"].date(), closed.date()) if closed else None,
            "late": hours is not None and hours > TARGET_HOURS[item["kind"]]}


# ---------------------------------------------------------------- reading

_SELECT = """
    SELECT r.*, u.display_name AS requester, coalesce(d.name, '') AS division, h.display_name AS handler
    FROM support_requests r JOIN users u ON u.id = r.requester_id LEFT JOIN divisions d ON d.id = r.division_id
    LEFT JOIN users h ON h.id = r.handler_id"""


def _load(con, request_id: int) -> dict:
    found = row(con, f"{_SELECT} WHERE r.id = ?", [request_id])
    if found is None:
        raise NotFound(f"技术支持请求 {request_id} 不存在")
    return found


def get(con: duckdb.DuckDBPyConnection, actor, request_id: int) -> dict:
    """One request with its conversation, files, steps and clock, for its requester, the unit, the office."""
    found = _load(con, request_id)
    require(actor, "support.view", found)
    found["messages"] = rows(con, """
        SELECT m.side, m.body, m.created_at, u.display_name AS author FROM support_messages m
        JOIN users u ON u.id = m.author_id WHERE m.request_id = ? ORDER BY m.id""", [request_id])
    found["files"] = rows(con, "SELECT id, filename, size FROM service_files WHERE owner = 'support' "
                               "AND owner_id = ? AND NOT removed ORDER BY id", [request_id])
    found["events"] = rows(con, """
        SELECT e.action, e.from_state, e.to_state, e.created_at, u.display_name AS actor FROM support_events e
        LEFT JOIN users u ON u.id = e.actor_id WHERE e.request_id = ? ORDER BY e.id""", [request_id])
    found["state_label"] = STATE_LABELS[found["state"]]
    found.update(_clock(workdays.load(con), found))
    found["reopen_until"] = reopen_until(con, found)
    return found


def listing(con: duckdb.DuckDBPyConnection, actor, *, mine: bool = False, states: list[str] | None = None) -> list[dict]:
    """The unit and the office see every request; anyone else (or `mine`) their own, latest first."""
    where, params = [], []
    if mine or not can(actor, "support.all"):
        require(actor, "support.raise")
        where.append("r.requester_id = ?")
        params.append(actor.id)
    if states:
        where.append("r.state IN (SELECT unnest(?))")
        params.append(list(states))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    found = rows(con, f"""{_SELECT} {clause}
        ORDER BY CASE r.state WHEN 'new' THEN 0 WHEN 'reopened' THEN 1 WHEN 'handling' THEN 2
                 WHEN 'answered' THEN 3 ELSE 4 END, r.raised_at DESC, r.id DESC""", params)
    calendar = workdays.load(con)
    for entry in found:
        entry["state_label"] = STATE_LABELS[entry["state"]]
        entry.update(_clock(calendar, entry))
    return found


def figures(con: duckdb.DuckDBPyConnection, actor, year: int | None = None) -> dict:
    """The office's view (第十条(二)): how many, in which state, of which kind, how fast the unit answered
    (working hours to the first answer) and closed (working days), how many answers came late."""
    require(actor, "support.all")
    found = listing(con, actor)
    if year:
        found = [r for r in found if r["raised_at"].year == year]
    hours = [r["answer_hours"] for r in found if r["answer_hours"] is not None]
    days = [r["close_days"] for r in found if r["close_days"] is not None and r["state"] == "closed"]
    return {
        "total": len(found),
        "by_state": {label: sum(1 for r in found if r["state"] == state) for state, label in STATE_LABELS.items()},
        "by_kind": {kind: sum(1 for r in found if r["kind"] == kind) for kind in KINDS},
        "answered": len(hours),
        "answer_hours_median": statistics.median(hours) if hours else None,
        "answer_hours_mean": round(statistics.mean(hours), 1) if hours else None,
        "close_days_median": statistics.median(days) if days else None,
        "late": sum(1 for r in found if r["late"]),
        "reopened": sum(1 for r in found if r["reopened"]),
    }


def counts(con: duckdb.DuckDBPyConnection, user) -> dict[str, int]:
    """The to-do counts (core/todo.py): the unit's open requests; a requester's answers to confirm."""
    found: dict[str, int] = {}
    if user.has("tech"):
        found["support_open"] = int(scalar(con, "SELECT count(*) FROM support_requests WHERE state IN "
                                                "('new', 'handling', 'reopened')"))
    if user.roles & {"officer", "head"}:
        found["support_answered"] = int(scalar(con, "SELECT count(*) FROM support_requests WHERE state = 'answered' "
                                                    "AND requester_id = ?", [user.id]))
    return found


def file_data(con: duckdb.DuckDBPyConnection, actor, file_id: int) -> tuple[str, bytes]:
    found = row(con, "SELECT owner_id, filename, data FROM service_files WHERE id = ? AND owner = 'support' "
                     "AND NOT removed", [file_id])
    if found is None:
        raise NotFound(f"附件 {file_id} 不存在")
    require(actor, "support.view", _load(con, found["owner_id"]))
    return found["filename"], found["data"]


def reopen_until(con: duckdb.DuckDBPyConnection, item: dict) -> dt.date | None:
    """The last day a closed request can be reopened by its requester (REOPEN_WORKDAYS working days)."""
    if item["state"] != "closed" or item["closed_at"] is None:
        return None
    return workdays.load(con).add_workdays(item["closed_at"].date(), REOPEN_WORKDAYS)


# ---------------------------------------------------------------- moves

def _tech(con) -> list[int]:
    return notify.role_holders(con, "tech")


def _say(con, request_id: int, actor, side: str, body: str) -> None:
    con.execute("INSERT INTO support_messages (request_id, author_id, side, body) VALUES (?, ?, ?, ?)",
                [request_id, actor.id, side, body])


def _tell(con, user_ids: list[int], kind: str, subject: str, body: str) -> None:
    for user_id in user_ids:
        notify.enqueue(con, user_id, kind, subject, body)


def raise_request(con: duckdb.DuckDBPyConnection, actor, *, kind: str, subject: str, description: str,
                  page: str = "", attachment: tuple[str, bytes] | None = None) -> int:
    """An officer or a head asks the unit (第十条(二)); returns the request's number."""
    require(actor, "support.raise")
    if kind not in KINDS:
        raise ValidationError("类型", f"须为 {' / '.join(KINDS)} 之一", ARTICLE)
    subject = _text("subject", subject)
    description = _text("description", description, multiline=True)
    page = _text("page", page, required=False)
    checked = attachments.checked_file(con, *attachment) if attachment and attachment[1] else None
    with transaction(con):
        request_id = con.execute(
            "INSERT INTO support_requests (kind, subject, description, page, requester_id, division_id) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [kind, subject, description, page, actor.id, actor.division_id]).fetchone()[0]
        if checked:
            con.execute("INSERT INTO service_files (owner, owner_id, filename, mime, size, sha256, data, uploaded_by) "
                        "VALUES ('support', ?, ?, ?, ?, ?, ?, ?)",
                        [request_id, checked["filename"], checked["mime"], checked["size"], checked["sha256"],
                         checked["data"], actor.id])
        transitions.record(
            con, SUPPORT_MACHINE, _load(con, request_id), actor, "raise", comment=subject,
            notices=lambda: _tell(con, _tech(con), "support.new", f"【技术支持·{kind}】{subject[:40]}",
                                  f"{actor.display_name} 提出了技术支持请求 #{request_id}"
                                  f"{f'(涉及页面:{page})' if page else ''}:\n{description[:300]}\n"
                                  "请在工作台“技术支持”页面受理、答复(第十条)。"))
    return request_id


def _guarded(con, actor, request_id: int, action: str, expected_version: int | None) -> dict:
    found = _load(con, request_id)
    transitions.authorise(SUPPORT_MACHINE, found, actor, action)
    transitions.check(SUPPORT_MACHINE, found, action, expected_version)
    return found


def accept(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int) -> None:
    """The unit takes the request: it is being handled, by this person."""
    found = _guarded(con, actor, request_id, "accept", expected_version)
    transitions.record(con, SUPPORT_MACHINE, found, actor, "accept", expected_version,
                       changes={"state": "handling", "handler_id": actor.id})


def answer(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int, text: str) -> None:
    """The unit answers; the requester reads it, and confirms it solved or asks back."""
    found = _guarded(con, actor, request_id, "answer", expected_version)
    text = _text("text", text, multiline=True)
    now = dt.datetime.now()
    transitions.record(
        con, SUPPORT_MACHINE, found, actor, "answer", expected_version, comment=text,
        changes={"state": "answered", "handler_id": found["handler_id"] or actor.id,
                 "first_answer_at": found["first_answer_at"] or now},
        writes=lambda: _say(con, request_id, actor, "support", text),
        notices=lambda: notify.enqueue(
            con, found["requester_id"], "support.answered", f"【技术支持】#{request_id} 已答复",
            f"技术支持单位答复了您的请求「{found['subject']}」:\n{text[:500]}\n"
            "问题已解决请在工作台“技术支持”页面确认;未解决可继续追问(第十条)。"))


def reply(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int, text: str) -> None:
    """The requester adds to the question or asks back; an answered request returns to the unit."""
    found = _guarded(con, actor, request_id, "reply", expected_version)
    text = _text("text", text, multiline=True)
    after = "handling" if found["state"] == "answered" else found["state"]
    recipients = [found["handler_id"]] if found["handler_id"] else _tech(con)
    transitions.record(
        con, SUPPORT_MACHINE, found, actor, "reply", expected_version, comment=text, changes={"state": after},
        writes=lambda: _say(con, request_id, actor, "requester", text),
        notices=lambda: _tell(con, recipients, "support.reply", f"【技术支持】#{request_id} 有新的追问",
                              f"{actor.display_name} 就「{found['subject']}」追问:\n{text[:500]}"))


def confirm(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int) -> None:
    """The requester confirms the answer solved it: the request is closed, the clock stops."""
    found = _guarded(con, actor, request_id, "confirm", expected_version)
    transitions.record(con, SUPPORT_MACHINE, found, actor, "confirm", expected_version,
                       changes={"state": "closed", "closed_at": dt.datetime.now()})


def close(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int, text: str) -> None:
    """The unit closes a request (solved by telephone, no reply from the requester): it says why."""
    found = _guarded(con, actor, request_id, "close", expected_version)
    text = _text("text", text, multiline=True)
    now = dt.datetime.now()
    transitions.record(
        con, SUPPORT_MACHINE, found, actor, "close", expected_version, comment=text,
        changes={"state": "closed", "closed_at": now, "handler_id": found["handler_id"] or actor.id},
        writes=lambda: _say(con, request_id, actor, "support", text),
        notices=lambda: notify.enqueue(
            con, found["requester_id"], "support.closed", f"【技术支持】#{request_id} 已关闭",
            f"技术支持单位关闭了您的请求「{found['subject']}」:\n{text[:500]}\n"
            f"如问题仍未解决,可在 {REOPEN_WORKDAYS} 个工作日内重新打开(第十条)。"))


def reopen(con: duckdb.DuckDBPyConnection, actor, request_id: int, expected_version: int, text: str) -> None:
    """The requester reopens a closed request within REOPEN_WORKDAYS working days, saying why."""
    found = _guarded(con, actor, request_id, "reopen", expected_version)
    until = reopen_until(con, found)
    if until is not None and dt.date.today() > until:
        raise InvalidTransition(f"该请求关闭已超过 {REOPEN_WORKDAYS} 个工作日(可重新打开至 {until}),"
                                f"不能重新打开;请提出新的技术支持请求(第十条)")
    text = _text("text", text, multiline=True)
    recipients = [found["handler_id"]] if found["handler_id"] else _tech(con)
    transitions.record(
        con, SUPPORT_MACHINE, found, actor, "reopen", expected_version, comment=text,
        changes={"state": "reopened", "closed_at": None, "reopened": found["reopened"] + 1},
        writes=lambda: _say(con, request_id, actor, "requester", text),
        notices=lambda: _tell(con, recipients, "support.reopen", f"【技术支持】#{request_id} 被重新打开",
                              f"{actor.display_name} 重新打开了「{found['subject']}」:\n{text[:500]}"))


def allowed_actions(actor, item: dict) -> list[str]:
    """The moves this actor may make on the request now (the page shows only these buttons)."""
    allowed = []
    for action, step in SUPPORT_MACHINE.transitions.items():
        if action == "raise" or item["state"] not in step.sources:
            continue
        if can(actor, step.may, item):
            allowed.append(action)
    if "reopen" in allowed and item.get("reopen_until") and dt.date.today() > item["reopen_until"]:
        allowed.remove("reopen")
    return allowed
