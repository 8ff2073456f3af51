"""培训记录 (第十条(三)): the technical-support unit trains and guides the divisions' staff, and says so here.

A session has its date, topic, trainer, the attendees (officers and heads of divisions, chosen from the
accounts), its materials (files checked as article attachments are) and notes. The unit or the office
records, edits and cancels a session; each move is a transition of `TRAINING_MACHINE` (core/transitions.py)
that checks the state and the version and writes its audit row in one transaction. The statistics say who
was never trained (or not in a given year) and how each division stands; 统计分析 reads a period's through
`period_report`, the notebooks through `period_figures` (no reader, like core.stats.department_report), the
training page a year's through `figures`, each person their own history through `history`.

Imports from: core.transitions (the seam), core.accounts (the role names) and the floor (attachments, db, errors,
permissions, text).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import accounts, attachments, transitions
from core.db import row, rows, transaction
from core.errors import NotFound, ValidationError
from core.permissions import can, require
from core.text import checked_field  # every text field is cleaned on the way in (issue 12, M3)
from core.transitions import move

ARTICLE = "第十条"
STATE_LABELS = {"held": "已举办", "cancelled": "已取消"}
TRAINEE_ROLES = ("officer", "head")  # 对各局处室进行培训: the divisions' officers and heads
NEW_ACCOUNT_DAYS = 90  # an account younger than this (三个月) is a newcomer's: not yet due a session
LIMITS = {"topic": 100, "trainer": 50, "notes": 2000, "reason": 500}
FIELD_LABELS = {"held_on": "培训日期", "topic": "培训主题", "trainer": "培训人", "attendees": "参加人员",
                "notes": "备注", "reason": "取消原因"}

TRAINING_MACHINE = transitions.Machine(
    name="training", table="training_sessions", noun="该培训记录", state_labels=STATE_LABELS,
    refusal="培训记录当前为「{state}」,不能{verb}(仅限:{allowed};第十条)", audit_prefix="training", audit_object="training",
    touch=True,
    transitions={
        "create": move({"held"}, (), "登记", "training.record", versioned=False, initial=True),  # the INSERT's log
        "update": move({"held"}, (), "修改", "training.record"),
        "cancel": move({"held"}, {"cancelled"}, "取消", "training.record"),
        "add_material": move({"held"}, (), "添加材料", "training.record", versioned=False),
        "remove_material": move({"held"}, (), "删除材料", "training.record", versioned=False),
    },
)


def _text(field: str, value, *, required: bool = True, multiline: bool = False) -> str:
    return checked_field(value, FIELD_LABELS[field], LIMITS[field], ARTICLE, required=required, multiline=multiline)


def trainees(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Who can attend: the active officers and heads, by division (the choices of 参加人员)."""
    return rows(con, """
        SELECT u.id, u.username, u.display_name, u.division_id, coalesce(d.name, '') AS division,
               string_agg(DISTINCT r.role, ',' ORDER BY r.role) AS roles, coalesce(d.position, 0) AS position,
               CAST(u.created_at AS DATE) AS created_on
        FROM users u JOIN user_roles r ON r.user_id = u.id LEFT JOIN divisions d ON d.id = u.division_id
        WHERE u.active AND r.role IN ('officer', 'head')
        GROUP BY u.id, u.username, u.display_name, u.division_id, d.name, d.position, u.created_at
        ORDER BY position, division, u.display_name""")


def _attendees(con, attendees) -> list[int]:
    ids = sorted({int(a) for a in attendees or []})
    if not ids:
        raise ValidationError("参加人员", "至少选择一名参加培训的信息员或处室负责人", ARTICLE)
    allowed = {t["id"] for t in trainees(con)}
    strangers = [i for i in ids if i not in allowed]
    if strangers:
        raise ValidationError("参加人员", "只能选择在用账号中的各处室信息员和处室负责人", ARTICLE)
    return ids


def _values(con, held_on, topic, trainer, attendees, notes) -> dict:
    if not isinstance(held_on, dt.date):
        raise ValidationError("培训日期", "必填,须为日期", ARTICLE)
    if held_on > dt.date.today():
        raise ValidationError("培训日期", "不能晚于今天:培训记录登记已经举办的培训", ARTICLE)
    return {"held_on": held_on, "topic": _text("topic", topic), "trainer": _text("trainer", trainer),
            "notes": _text("notes", notes, required=False, multiline=True), "attendees": _attendees(con, attendees)}


def get_session(con: duckdb.DuckDBPyConnection, session_id: int) -> dict:
    found = row(con, "SELECT * FROM training_sessions WHERE id = ?", [session_id])
    if found is None:
        raise NotFound(f"培训记录 {session_id} 不存在")
    found["attendees"] = [r["user_id"] for r in rows(
        con, "SELECT user_id FROM training_attendees WHERE session_id = ? ORDER BY user_id", [session_id])]
    found["materials"] = rows(con, "SELECT id, filename, mime, size, created_at FROM service_files "
                                   "WHERE owner = 'training' AND owner_id = ? AND NOT removed ORDER BY id", [session_id])
    found["state_label"] = STATE_LABELS[found["state"]]
    return found


def _write_attendees(con, session_id: int, ids: list[int]) -> None:
    con.execute("DELETE FROM training_attendees WHERE session_id = ?", [session_id])
    con.executemany("INSERT INTO training_attendees (session_id, user_id) VALUES (?, ?)",
                    [[session_id, i] for i in ids])


def _store_file(con, actor, session_id: int, checked: dict) -> int:
    return con.execute(
        "INSERT INTO service_files (owner, owner_id, filename, mime, size, sha256, data, uploaded_by) "
        "VALUES ('training', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [session_id, checked["filename"], checked["mime"], checked["size"], checked["sha256"], checked["data"],
         actor.id]).fetchone()[0]


def create_session(con: duckdb.DuckDBPyConnection, actor, *, held_on: dt.date | None, topic: str, trainer: str,
                   attendees: list[int], notes: str = "", materials: list[tuple[str, bytes]] = ()) -> int:
    """Record a session that took place (第十条(三)); returns its id."""
    require(actor, "training.record")
    values = _values(con, held_on, topic, trainer, attendees, notes)
    files = [attachments.checked_file(con, name, data) for name, data in materials]
    with transaction(con):
        session_id = con.execute(
            "INSERT INTO training_sessions (held_on, topic, trainer, notes, recorded_by) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id", [values["held_on"], values["topic"], values["trainer"], values["notes"], actor.id]
        ).fetchone()[0]
        _write_attendees(con, session_id, values["attendees"])
        for checked in files:
            _store_file(con, actor, session_id, checked)
        transitions.record(con, TRAINING_MACHINE, get_session(con, session_id), actor, "create",
                           detail=f"{values['held_on']}「{values['topic']}」,{len(values['attendees'])} 人参加"
                                  + (f",材料 {len(files)} 份" if files else ""))
    return session_id


def update_session(con: duckdb.DuckDBPyConnection, actor, session_id: int, expected_version: int, *,
                   held_on: dt.date | None, topic: str, trainer: str, attendees: list[int], notes: str = "") -> None:
    require(actor, "training.record")
    before = get_session(con, session_id)
    transitions.check(TRAINING_MACHINE, before, "update", expected_version)
    values = _values(con, held_on, topic, trainer, attendees, notes)
    added = len(set(values["attendees"]) - set(before["attendees"]))
    dropped = len(set(before["attendees"]) - set(values["attendees"]))
    changed = [f"「{before['topic']}」→「{values['topic']}」"] if before["topic"] != values["topic"] else []
    if before["held_on"] != values["held_on"]:
        changed.append(f"日期 {before['held_on']}→{values['held_on']}")
    if added or dropped:
        changed.append(f"参加人员增加 {added} 人、减少 {dropped} 人")
    transitions.record(
        con, TRAINING_MACHINE, before, actor, "update", expected_version,
        changes={"held_on": values["held_on"], "topic": values["topic"], "trainer": values["trainer"],
                 "notes": values["notes"]},
        writes=lambda: _write_attendees(con, session_id, values["attendees"]),
        detail=";".join(changed) or "修改培训记录")


def cancel_session(con: duckdb.DuckDBPyConnection, actor, session_id: int, expected_version: int,
                   reason: str) -> None:
    """A session recorded by mistake (or that did not take place) stops counting; the record stays."""
    require(actor, "training.record")
    found = get_session(con, session_id)
    transitions.check(TRAINING_MACHINE, found, "cancel", expected_version)
    reason = _text("reason", reason, multiline=True)
    transitions.record(con, TRAINING_MACHINE, found, actor, "cancel", expected_version,
                       changes={"state": "cancelled", "cancel_reason": reason}, detail=reason[:200])


def add_material(con: duckdb.DuckDBPyConnection, actor, session_id: int, filename: str, data: bytes) -> int:
    require(actor, "training.record")
    found = get_session(con, session_id)
    transitions.check(TRAINING_MACHINE, found, "add_material")
    checked = attachments.checked_file(con, filename, data)
    made: dict[str, int] = {}
    transitions.record(con, TRAINING_MACHINE, found, actor, "add_material",
                       writes=lambda: made.update(id=_store_file(con, actor, session_id, checked)),
                       detail=f"{checked['filename']} {checked['size']} B")
    return made["id"]


def remove_material(con: duckdb.DuckDBPyConnection, actor, file_id: int) -> None:
    require(actor, "training.record")
    found = row(con, "SELECT owner_id, filename FROM service_files WHERE id = ? AND owner = 'training'", [file_id])
    if found is None:
        raise NotFound(f"培训材料 {file_id} 不存在")
    session = get_session(con, found["owner_id"])
    transitions.check(TRAINING_MACHINE, session, "remove_material")
    transitions.record(con, TRAINING_MACHINE, session, actor, "remove_material", detail=found["filename"],
                       writes=lambda: con.execute("UPDATE service_files SET removed = TRUE WHERE id = ?", [file_id]))


def material_data(con: duckdb.DuckDBPyConnection, actor, file_id: int) -> bytes:
    """A material's bytes, for the unit, the office and the session's attendees."""
    found = row(con, "SELECT owner_id, data FROM service_files WHERE id = ? AND owner = 'training' AND NOT removed",
                [file_id])
    if found is None:
        raise NotFound(f"培训材料 {file_id} 不存在")
    if actor.id not in get_session(con, found["owner_id"])["attendees"]:
        require(actor, "training.record")
    return found["data"]


def _see_all(actor) -> None:
    """Everyone's records: who records them, and who reads the statistics (统计分析)."""
    if not can(actor, "training.record"):
        require(actor, "training.stats")


_LISTED = """
    SELECT s.id, s.held_on, s.topic, s.trainer, s.notes, s.state, s.cancel_reason, s.version,
           (SELECT count(*) FROM training_attendees a WHERE a.session_id = s.id) AS attendees,
           (SELECT count(*) FROM service_files f WHERE f.owner = 'training' AND f.owner_id = s.id AND NOT f.removed)
               AS materials
    FROM training_sessions s"""


def sessions(con: duckdb.DuckDBPyConnection, actor, year: int | None = None) -> list[dict]:
    """Every session, latest first (cancelled ones too, marked)."""
    _see_all(actor)
    where, params = ("WHERE year(s.held_on) = ?", [year]) if year else ("", [])
    found = rows(con, f"{_LISTED} {where} ORDER BY s.held_on DESC, s.id DESC", params)
    for entry in found:
        entry["state_label"] = STATE_LABELS[entry["state"]]
    return found


def history(con: duckdb.DuckDBPyConnection, actor, user_id: int | None = None) -> list[dict]:
    """The sessions a person attended (their own, unless the actor records training)."""
    if user_id is not None and user_id != actor.id:
        require(actor, "training.record")
    return rows(con, """
        SELECT s.id, s.held_on, s.topic, s.trainer FROM training_sessions s
        JOIN training_attendees a ON a.session_id = s.id
        WHERE a.user_id = ? AND s.state = 'held' ORDER BY s.held_on DESC, s.id DESC""",
                [actor.id if user_id is None else user_id])


def _trained(con, year: int | None) -> dict[int, dict]:
    where, params = ("AND year(s.held_on) = ?", [year]) if year else ("", [])
    return {r["user_id"]: r for r in rows(con, f"""
        SELECT a.user_id, count(*) AS sessions, max(s.held_on) AS last_on FROM training_attendees a
        JOIN training_sessions s ON s.id = a.session_id WHERE s.state = 'held' {where}
        GROUP BY a.user_id""", params)}


def untrained(con: duckdb.DuckDBPyConnection, actor, year: int | None = None) -> list[dict]:
    """The officers and heads with no training (in `year`, or ever), each with their last session if any."""
    _see_all(actor)
    trained, ever = _trained(con, year), _trained(con, None)
    return [{**t, "last_on": ever[t["id"]]["last_on"] if t["id"] in ever else None}
            for t in trainees(con) if t["id"] not in trained]


def division_counts(con: duckdb.DuckDBPyConnection, actor, year: int | None = None) -> list[dict]:
    """Per division: its officers and heads, how many were trained, how many were not, their attendances."""
    _see_all(actor)
    trained = _trained(con, year)
    found: dict[str, dict] = {}
    for person in trainees(con):
        entry = found.setdefault(person["division"], {"division": person["division"], "people": 0, "trained": 0,
                                                      "untrained": 0, "attendances": 0})
        entry["people"] += 1
        done = trained.get(person["id"])
        entry["trained" if done else "untrained"] += 1
        entry["attendances"] += done["sessions"] if done else 0
    return list(found.values())


def figures(con: duckdb.DuckDBPyConnection, actor, year: int) -> dict:
    """A year in numbers, for the training page and 统计分析: sessions held, attendances, coverage."""
    _see_all(actor)
    held = [s for s in sessions(con, actor, year) if s["state"] == "held"]
    people = len(trainees(con))
    trained = len(_trained(con, year))
    return {"year": year, "sessions": len(held), "attendances": sum(s["attendees"] for s in held),
            "people": people, "trained": trained, "untrained": people - trained,
            "coverage": round(100 * trained / people, 1) if people else None}


def period_report(con: duckdb.DuckDBPyConnection, actor, start: dt.date, end: dt.date) -> dict:
    """`period_figures` for a reader of training statistics (统计分析: the office, leaders, analysts)."""
    _see_all(actor)
    return period_figures(con, start, end)


def period_figures(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> dict:
    """培训情况 between `start` and `end` (both included), of the whole department and with no reader, like
    core.stats.department_report: the notebooks read it from their snapshot (第十条(三): the statistics show
    which officers were never trained); the workbench goes through `period_report`.

    - `sessions`, `attendances`: sessions held in the period (cancelled ones do not count) and their attendees;
    - `people`, `trained`: the active officers and heads, and how many of them attended a session in the period;
    - `never_trained`: the active officers and heads who never attended any session (ever, not only in the
      period), by division, each with `created_on` (the day the account was created) and `new` (the account was
      less than NEW_ACCOUNT_DAYS old at the period's end: a colleague who joined lately, not yet due a session,
      unlike one who has gone untrained for long);
    - `divisions`: per division its people, how many were trained in the period, their attendances in the
      period, and how many were never trained.
    """
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValidationError("统计期间", "须为开始日期和结束日期", ARTICLE)
    if end < start:
        raise ValidationError("统计期间", "结束日期不能早于开始日期", ARTICLE)
    held = rows(con, """
        SELECT a.user_id, count(*) AS sessions FROM training_attendees a
        JOIN training_sessions s ON s.id = a.session_id
        WHERE s.state = 'held' AND s.held_on BETWEEN ? AND ? GROUP BY a.user_id""", [start, end])
    in_period = {r["user_id"]: int(r["sessions"]) for r in held}
    sessions_held = int(con.execute("SELECT count(*) FROM training_sessions WHERE state = 'held' "
                                    "AND held_on BETWEEN ? AND ?", [start, end]).fetchone()[0])
    ever = _trained(con, None)
    people = trainees(con)
    divisions: dict[str, dict] = {}
    never: list[dict] = []
    for person in people:
        entry = divisions.setdefault(person["division"], {
            "division": person["division"], "people": 0, "trained": 0, "attendances": 0, "never_trained": 0})
        entry["people"] += 1
        entry["trained"] += person["id"] in in_period
        entry["attendances"] += in_period.get(person["id"], 0)
        if person["id"] not in ever:
            entry["never_trained"] += 1
            roles = person["roles"].split(",")
            never.append({"id": person["id"], "username": person["username"], "display_name": person["display_name"],
                          "division": person["division"], "division_id": person["division_id"],
                          "roles": "、".join(accounts.ROLE_LABELS[r] for r in TRAINEE_ROLES if r in roles),
                          "created_on": person["created_on"],
                          "new": person["created_on"] > end - dt.timedelta(days=NEW_ACCOUNT_DAYS)})
    attendances = sum(in_period.values())
    return {"start": start, "end": end, "sessions": sessions_held, "attendances": attendances,
            "people": len(people), "trained": len(in_period.keys() & {p["id"] for p in people}),
            "never_trained": never, "divisions": list(divisions.values())}


def recorded_actions() -> set[str]:
    """The audit actions training writes (the audit log names each in staff's words)."""
    return {f"training.{a}" for a in TRAINING_MACHINE.actions()}
