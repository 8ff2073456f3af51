"""安全事件 (第二十三条): security incidents, reported and coordinated by severity.

A record carries its severity (一般 / 较大 / 重大 / 特别重大), when it was discovered, what
happened, the divisions involved, the handling steps (append-only, each with who and when)
and its closure. Automatic signals (a burst of failed logins, a broken audit chain, later a
screening block on published content) open a *suggested* incident through `suggest_incident`;
the technical-support unit or the office confirms it (open) or dismisses it with a reason.
Each change is a transition (`INCIDENT_MACHINE`, made by `transitions.record`) that checks the
state and the version and writes its audit row in one transaction.

Imports from: core.transitions (the seam) and the floor (accounts, audit, db, errors, notify,
permissions, text).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import accounts, audit, notify, transitions
from core.db import row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.permissions import require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)
from core.transitions import move

SEVERITIES = ("一般", "较大", "重大", "特别重大")
# who is told, by severity (第二十三条: reported and coordinated by severity)
ESCALATION = {
    "一般": "技术支持单位处置,报办公室网站管理员备案。",
    "较大": "技术支持单位处置,办公室网站管理员协调,报分管领导。",
    "重大": "立即报告分管领导和信息化领导小组,办公室统一协调处置。",
    "特别重大": "立即报告信息化领导小组,按应急预案启动响应并向上级主管部门报告。",
}
NOTIFY_ROLES = {"一般": (), "较大": ("webmaster",), "重大": ("webmaster", "group"), "特别重大": ("webmaster", "group")}
STATUS_LABELS = {"suggested": "待确认(自动提示)", "open": "处置中", "closed": "已结案", "dismissed": "已排除"}
SOURCE_LABELS = {"manual": "人工登记", "login_burst": "登录失败激增", "audit_chain": "审计日志校验",
                 "screening": "内容筛查", "backup": "备份", "availability": "站点可用性监测"}
ARTICLE = "第二十三条"
# the moves of a recorded incident (creation and suggestion are inserts with their own audit rows)
INCIDENT_MACHINE = transitions.Machine(
    name="incident", table="incidents", noun="该安全事件", state_labels=STATUS_LABELS, state_column="status",
    refusal="安全事件当前为「{state}」,不能{verb}(仅限:{allowed})", audit_prefix="incidents",
    audit_object="incident",
    transitions={
        "update": move({"suggested", "open"}, (), "修改", "incidents.manage"),
        # steps are appended, never edited, by several people at once: no version (第二十三条)
        "add_step": move({"suggested", "open"}, (), "记录处置步骤", "incidents.manage", logged_as="step",
                         versioned=False, refusal="安全事件已结案或已排除,不能再记录处置步骤"),
        "confirm": move({"suggested"}, {"open"}, "确认", "incidents.manage"),
        "dismiss": move({"suggested"}, {"dismissed"}, "排除", "incidents.manage"),
        "close": move({"open"}, {"closed"}, "结案", "incidents.manage"),
    },
)


def _severity(value: str) -> str:
    if value not in SEVERITIES:
        raise ValidationError("事件级别", f"须为 {' / '.join(SEVERITIES)} 之一", ARTICLE)
    return value


def _text(field: str, value: str, required: bool = True) -> str:
    value = clean_text(value, multiline=True)
    if required and not value:
        raise ValidationError(field, "必填", ARTICLE)
    return value


def _divisions(con, divisions) -> list[int]:
    ids = sorted({int(d) for d in divisions or []})
    if ids:
        known = {r["id"] for r in rows(con, "SELECT id FROM divisions WHERE id IN (SELECT unnest(?))", [ids])}
        unknown = set(ids) - known
        if unknown:
            raise ValidationError("涉及处室", f"未知处室 {sorted(unknown)}")
    return ids


def _notify(con, incident_id: int, severity: str, title: str) -> None:
    for role in NOTIFY_ROLES[severity]:
        for user in accounts.users_with_role(con, role):
            notify.enqueue(con, user.id, "incident", f"【{severity}安全事件】{title}",
                           f"安全事件 #{incident_id}「{title}」已确认为{severity}事件。{ESCALATION[severity]}",
                           dedup_key=f"incident:{incident_id}:{severity}:{role}:{user.id}")


def get(con: duckdb.DuckDBPyConnection, incident_id: int) -> dict:
    found = row(con, "SELECT * FROM incidents WHERE id = ?", [incident_id])
    if found is None:
        raise NotFound(f"安全事件 {incident_id} 不存在")
    found["steps"] = rows(con, "SELECT done_at, actor, text FROM incident_steps WHERE incident_id = ? ORDER BY id",
                          [incident_id])
    found["status_label"] = STATUS_LABELS[found["status"]]
    found["source_label"] = SOURCE_LABELS.get(found["source"], found["source"])
    return found


def create(con: duckdb.DuckDBPyConnection, actor, title: str, severity: str, discovered_at: dt.datetime,
           description: str, divisions: list[int] | None = None, first_step: str = "") -> int:
    """Record an incident someone found (第二十三条)."""
    require(actor, "incidents.manage")
    title = _text("事件名称", title)
    severity = _severity(severity)
    description = _text("事件描述", description)
    if discovered_at is None:
        raise ValidationError("发现时间", "必填", ARTICLE)
    if discovered_at > dt.datetime.now() + dt.timedelta(minutes=5):
        raise ValidationError("发现时间", "不能晚于现在")
    with transaction(con):
        ids = _divisions(con, divisions)
        incident_id = con.execute(
            "INSERT INTO incidents (title, severity, status, source, discovered_at, description, divisions, "
            "created_by) VALUES (?, ?, 'open', 'manual', ?, ?, ?, ?) RETURNING id",
            [title, severity, discovered_at, description, ids, actor.username]).fetchone()[0]
        first_step = clean_text(first_step, multiline=True)
        if first_step:
            con.execute("INSERT INTO incident_steps (incident_id, actor, text) VALUES (?, ?, ?)",
                        [incident_id, actor.username, first_step])
        audit.record(con, actor, "incidents.create", f"incident:{incident_id}", f"{severity}「{title}」")
        _notify(con, incident_id, severity, title)
    return incident_id


def suggest_incident(con: duckdb.DuckDBPyConnection, kind: str, summary: str, *, title: str | None = None,
                     severity: str = "一般", dedup_key: str | None = None,
                     discovered_at: dt.datetime | None = None) -> int | None:
    """Open a suggested incident from an automatic signal; None when the same signal
    (`dedup_key`) already has one. Screening calls this for a block on published content."""
    key = dedup_key or f"{kind}:{dt.datetime.now():%Y%m%d%H}"
    titles = {"login_burst": "登录失败次数激增", "audit_chain": "审计日志哈希链校验未通过",
              "screening": "已发布内容筛查发现违规", "backup": "自动备份失败"}
    with transaction(con):
        if scalar(con, "SELECT count(*) FROM incidents WHERE dedup_key = ?", [key]):
            return None
        incident_id = con.execute(
            "INSERT INTO incidents (title, severity, status, source, dedup_key, discovered_at, description, "
            "created_by) VALUES (?, ?, 'suggested', ?, ?, ?, ?, 'system') RETURNING id",
            [title or titles.get(kind, kind), _severity(severity), kind, key, discovered_at or dt.datetime.now(),
             summary]).fetchone()[0]
        audit.record(con, None, "incidents.suggest", f"incident:{incident_id}", f"{kind}:{summary[:200]}")
    return incident_id


def note_from_system(con: duckdb.DuckDBPyConnection, dedup_key: str, text: str) -> bool:
    """An automatic signal's follow-up (e.g. the site answers again) as a step of the incident it opened,
    while that incident is still being handled; False when there is none to note on."""
    found = row(con, "SELECT id, status FROM incidents WHERE dedup_key = ?", [dedup_key])
    if found is None or found["status"] not in INCIDENT_MACHINE.transitions["add_step"].sources:
        return False
    with transaction(con):
        con.execute("INSERT INTO incident_steps (incident_id, actor, text) VALUES (?, ?, ?)",
                    [found["id"], "system", clean_text(text, multiline=True)])
        audit.record(con, None, "incidents.step", f"incident:{found['id']}", text[:200])
    return True


def _guarded(con, incident_id: int, expected_version: int | None, action: str) -> dict:
    found = get(con, incident_id)
    transitions.check(INCIDENT_MACHINE, found, action, expected_version)
    return found


def update(con: duckdb.DuckDBPyConnection, actor, incident_id: int, expected_version: int, *, title: str,
           severity: str, discovered_at: dt.datetime, description: str, divisions: list[int] | None) -> None:
    require(actor, "incidents.manage")
    before = _guarded(con, incident_id, expected_version, "update")
    title, severity = _text("事件名称", title), _severity(severity)
    description = _text("事件描述", description)
    changed = [f"级别 {before['severity']}→{severity}"] if before["severity"] != severity else []
    if before["title"] != title:
        changed.append(f"名称「{before['title']}」→「{title}」")
    raised = before["status"] == "open" and SEVERITIES.index(severity) > SEVERITIES.index(before["severity"])
    transitions.record(
        con, INCIDENT_MACHINE, before, actor, "update", expected_version,
        changes=lambda: {"title": title, "severity": severity, "discovered_at": discovered_at,
                         "description": description, "divisions": _divisions(con, divisions)},
        detail=";".join(changed) or "修改内容",
        notices=(lambda: _notify(con, incident_id, severity, title)) if raised else None)


def add_step(con: duckdb.DuckDBPyConnection, actor, incident_id: int, text: str) -> None:
    """A handling step; steps are never edited, only added (第二十三条)."""
    require(actor, "incidents.manage")
    text = _text("处置情况", text)
    found = _guarded(con, incident_id, None, "add_step")
    transitions.record(con, INCIDENT_MACHINE, found, actor, "add_step", detail=text[:200], writes=lambda: con.execute(
        "INSERT INTO incident_steps (incident_id, actor, text) VALUES (?, ?, ?)", [incident_id, actor.username, text]))


def confirm(con: duckdb.DuckDBPyConnection, actor, incident_id: int, expected_version: int, severity: str) -> None:
    """A suggested incident is real: it is open, with the severity the person judged."""
    require(actor, "incidents.manage")
    found = _guarded(con, incident_id, expected_version, "confirm")
    severity = _severity(severity)
    transitions.record(con, INCIDENT_MACHINE, found, actor, "confirm", expected_version,
                       changes={"status": "open", "severity": severity}, detail=f"确认为{severity}事件",
                       notices=lambda: _notify(con, incident_id, severity, found["title"]))


def dismiss(con: duckdb.DuckDBPyConnection, actor, incident_id: int, expected_version: int, reason: str) -> None:
    """A suggested incident was a false alarm; the reason is kept."""
    require(actor, "incidents.manage")
    found = _guarded(con, incident_id, expected_version, "dismiss")
    reason = _text("排除理由", reason)
    transitions.record(con, INCIDENT_MACHINE, found, actor, "dismiss", expected_version, detail=reason[:200],
                       changes={"status": "dismissed", "closure": reason, "closed_by": actor.username,
                                "closed_at": dt.datetime.now()})


def close(con: duckdb.DuckDBPyConnection, actor, incident_id: int, expected_version: int, closure: str) -> None:
    """Closure: what was done, the outcome, lessons (第二十三条)."""
    require(actor, "incidents.manage")
    found = _guarded(con, incident_id, expected_version, "close")
    closure = _text("结案说明", closure)
    transitions.record(con, INCIDENT_MACHINE, found, actor, "close", expected_version, detail=closure[:200],
                       changes={"status": "closed", "closure": closure, "closed_by": actor.username,
                                "closed_at": dt.datetime.now()})


def listing(con: duckdb.DuckDBPyConnection, actor, statuses: list[str] | None = None) -> list[dict]:
    require(actor, "incidents.view")
    where, params = "", []
    if statuses:
        where = "WHERE status IN (SELECT unnest(?))"
        params = [list(statuses)]
    found = rows(con, f"""
        SELECT i.*, (SELECT count(*) FROM incident_steps s WHERE s.incident_id = i.id) AS steps
        FROM incidents i {where}
        ORDER BY CASE status WHEN 'suggested' THEN 0 WHEN 'open' THEN 1 ELSE 2 END, discovered_at DESC""", params)
    for entry in found:
        entry["status_label"] = STATUS_LABELS[entry["status"]]
        entry["source_label"] = SOURCE_LABELS.get(entry["source"], entry["source"])
    return found


def open_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {r["status"]: r["n"] for r in rows(
        con, "SELECT status, count(*) AS n FROM incidents WHERE status IN ('suggested', 'open') GROUP BY status")}
