"""建议与提案 (第八条(二)、第九条(一)、第十条(一)、第二十六条(三)): proposals about the portal, and their review.

A division's officer or head proposes a column to add, adjust, merge or retire, or a change to the site's design,
with its reasons (第九条(一)); the technical-support unit submits its design plans for column adjustments and
redesigns the same way, with attachments (第十条(一)); anyone on the staff registers a suggestion about the site's
building and running (第二十六条(三)). The office reviews each (第八条(二)): asks for more (the proposer revises and
resubmits), adopts, adopts in part or declines — always with a reason the proposer sees. The proposer may withdraw
before a decision. An adopted column proposal is carried out in 栏目管理 (`carry_out`: the column change records the
proposal); adopted proposals are evidence for 年度考评, ground (三) (core/evaluation.py reads `adopted_in`).

落实情况 (`implement`): every adopted proposal is carried out afterwards, and that is recorded — what was done, the
day, optionally a file (the launched redesign). The office records it (第八条(一)(二)), the technical-support unit too
for a design plan it carries out (第十条(一)); a column proposal gets it by itself when 栏目管理 makes the last change
its plan asks for (or from the office, once at least one change is made, when a partly adopted plan stops there).
It is a recorded step, not a new state: the decision (采纳 / 部分采纳) is what the proposer and 年度考评 must keep
seeing (第二十六条(三): 被采纳), and carrying it out is a second fact with its own day; the list reads
「部分采纳 · 已落实」 instead of one state hiding the decision, and a merge carried out in several column changes
needs no state of its own. The step still goes through the seam (`implement` bumps the version: two people cannot
record it at once), and the record is one row per proposal (`proposal_outcomes`, migration 0047).
A recorded 落实情况 that is wrong is corrected (`correct_outcome`): the same people, a reason required, the state
unchanged; the row holds the corrected text and day (what the proposer and 年度考评 read), and the step's event and
audit rows keep what it replaced. A correction may replace the 落实材料 file too (none chosen: the file stays); the
replaced file is kept, marked with the one that replaced it (`replaced_by`, migration 0050), and the step's rows
name both.
Adopted ones not carried out after `proposal_implement_days` (a setting: the regulation sets no time) are overdue
and counted in the to-do of whoever may record them.

Each step is a transition (`PROPOSAL_MACHINE`, made by `transitions.record`): permission, version, event row, audit
row and notices in one transaction.

Imports from: core.attachments (the upload checks), core.columns (按提案办理), core.transitions (the seam) and the
floor (audit, db, errors, notify, permissions, settings, text).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import attachments, audit, columns, notify, settings, transitions
from core.db import row, rows, scalar, transaction
from core.errors import InvalidTransition, NotFound, ValidationError
from core.permissions import COLUMN_KINDS, can, require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)
from core.transitions import move

KIND_LABELS = {
    "column_add": "栏目新增", "column_adjust": "栏目调整", "column_merge": "栏目合并", "column_retire": "栏目撤销",
    "design": "网站设计与改版", "suggestion": "建设与管理建议",
}
STATE_LABELS = {
    "submitted": "待办公室审议", "more_info": "待补充材料", "adopted": "已采纳", "partly_adopted": "部分采纳",
    "declined": "不予采纳", "withdrawn": "已撤回",
}
ACTION_LABELS = {
    "submit": "提交", "ask_more": "要求补充", "revise": "补充后重新提交", "adopt": "采纳", "adopt_part": "部分采纳",
    "decline": "不予采纳", "withdraw": "撤回", "carry_out": "按提案办理", "attach": "添加附件",
    "implement": "登记落实情况", "correct_outcome": "更正落实情况",
}
# an adopted proposal is carried out, or not yet (落实情况); the others have no such progress
PROGRESS_LABELS = {True: "已落实", False: "待落实"}
ADOPTED = ("adopted", "partly_adopted")
DECISIONS = {"adopt": "adopted", "adopt_part": "partly_adopted", "decline": "declined"}
LIMITS = {"subject": 100, "reasons": 5000, "column_name": 40, "reply": 2000, "outcome": 2000, "correction": 500}
FIELD_LABELS = {"kind": "类别", "subject": "标题", "reasons": "理由", "column_name": "拟定栏目名称",
                "target_columns": "涉及栏目", "reply": "办公室意见", "outcome": "办理情况",
                "correction": "更正原因"}
# a column proposal names the columns it is about (第九条(一): 栏目设置); how many each kind needs at least
TARGETS_NEEDED = {"column_adjust": 1, "column_merge": 2, "column_retire": 1}


def _describe(before: str | None, after: str, comment: str | None, extra: dict) -> str:
    # a step that keeps the state (按提案办理, 登记落实情况) names the state once: 已采纳:…, not 已采纳→已采纳
    moved = STATE_LABELS[after] if before == after else f"{STATE_LABELS.get(before, '-')}→{STATE_LABELS[after]}"
    return f"{moved}:{comment[:200]}" if comment else moved


PROPOSAL_MACHINE = transitions.Machine(
    name="proposal", table="proposals", noun="该提案", state_labels=STATE_LABELS,
    refusal="提案当前为「{state}」,不能{verb}(仅限:{allowed};第八条(二))", audit_prefix="proposals",
    audit_object="proposal",
    events="proposal_events", event_key="proposal_id", describe=_describe, touch=True,
    transitions={
        "submit": move({"submitted"}, (), "提交", versioned=False, initial=True),  # the INSERT is submit's
        "ask_more": move({"submitted"}, {"more_info"}, "要求补充", "proposals.decide"),
        "revise": move({"more_info"}, {"submitted"}, "补充后重新提交", "proposals.revise"),
        "adopt": move({"submitted"}, {"adopted"}, "采纳", "proposals.decide"),
        "adopt_part": move({"submitted"}, {"partly_adopted"}, "部分采纳", "proposals.decide"),
        "decline": move({"submitted"}, {"declined"}, "不予采纳", "proposals.decide"),
        "withdraw": move({"submitted", "more_info"}, {"withdrawn"}, "撤回", "proposals.withdraw"),
        # each column change carried out is a step; several may carry out one proposal (a merge): no version
        "carry_out": move(ADOPTED, (), "按提案办理", "proposals.carry_out", versioned=False),
        # 落实情况: the decision stays the state; the record is the proposal's one outcome row (versioned: once)
        "implement": move(ADOPTED, (), "登记落实情况", "proposals.implement"),
        # a recorded 落实情况 that was wrong (a typo, the wrong day) is corrected by whoever may record it, with a
        # reason; the step's event and audit rows keep the text it replaces (the record itself holds the current one)
        "correct_outcome": move(ADOPTED, (), "更正落实情况", "proposals.implement"),
    },
)


# ---------------------------------------------------------------- reading

def get(con: duckdb.DuckDBPyConnection, proposal_id: int) -> dict:
    found = row(con, """
        SELECT p.*, u.display_name AS proposer, d.name AS division, b.display_name AS decider,
               o.done_on, o.note AS outcome_note, o.attachment_id AS outcome_attachment,
               o.recorded_at AS outcome_recorded_at, r.display_name AS outcome_recorder
        FROM proposals p JOIN users u ON u.id = p.proposer_id LEFT JOIN divisions d ON d.id = p.division_id
        LEFT JOIN users b ON b.id = p.decided_by LEFT JOIN proposal_outcomes o ON o.proposal_id = p.id
        LEFT JOIN users r ON r.id = o.recorded_by WHERE p.id = ?""", [proposal_id])
    if found is None:
        raise NotFound(f"提案 {proposal_id} 不存在")
    found["target_columns"] = list(found["target_columns"] or [])
    return _labelled([found])[0]


def view(con: duckdb.DuckDBPyConnection, actor, proposal_id: int) -> dict:
    """A proposal with its steps, files, column names and the column changes that carried it out,
    for someone allowed to see it (the office, the proposer, the proposer's division)."""
    found = get(con, proposal_id)
    require(actor, "proposals.view", found)
    found["events"] = rows(con, """
        SELECT e.action, e.from_state, e.to_state, e.comment, e.created_at, u.display_name AS actor
        FROM proposal_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.proposal_id = ? ORDER BY e.id""",
                           [proposal_id])
    for event in found["events"]:
        event["action_label"] = ACTION_LABELS.get(event["action"], event["action"])
    # the last correction of the 落实情况, if any: who and when, shown beside who recorded it
    found["outcome_corrected"] = next((e for e in reversed(found["events"]) if e["action"] == "correct_outcome"), None)
    files = list_attachments(con, proposal_id)
    # the proposal's own files; the current 落实材料; the 落实材料 a correction replaced (kept, oldest first)
    found["attachments"] = [a for a in files if a["id"] != found["outcome_attachment"] and a["replaced_by"] is None]
    found["outcome_file"] = next((a for a in files if a["id"] == found["outcome_attachment"]), None)
    found["replaced_outcome_files"] = [a for a in files if a["replaced_by"] is not None]
    names = {c["id"]: c["name"] for c in rows(con, "SELECT id, name FROM columns WHERE id IN (SELECT unnest(?))",
                                                 [found["target_columns"]])}
    found["target_names"] = [names.get(c, f"栏目 {c}") for c in found["target_columns"]]
    found["changes"] = columns.changes_for_proposal(con, proposal_id)
    return found


_LIST = """
    SELECT p.id, p.kind, p.subject, p.state, p.proposer_id, u.display_name AS proposer, p.division_id,
           d.name AS division, p.created_at, p.updated_at, p.decided_at, p.office_reply, p.version,
           (SELECT count(*) FROM column_changes g WHERE g.proposal_id = p.id) AS changes, o.done_on
    FROM proposals p JOIN users u ON u.id = p.proposer_id LEFT JOIN divisions d ON d.id = p.division_id
    LEFT JOIN proposal_outcomes o ON o.proposal_id = p.id"""


def _labelled(found: list[dict]) -> list[dict]:
    """Each row with its labels: the kind, the state, and for an adopted one whether it is carried out
    (`progress_label`: 已落实 / 待落实; empty for the others) and the two together (`status_label`)."""
    for item in found:
        item["kind_label"], item["state_label"] = KIND_LABELS[item["kind"]], STATE_LABELS[item["state"]]
        adopted = item["state"] in ADOPTED
        item["progress_label"] = PROGRESS_LABELS[item["done_on"] is not None] if adopted else ""
        item["status_label"] = f"{item['state_label']} · {item['progress_label']}" if adopted else item["state_label"]
    return found


def visible(con: duckdb.DuckDBPyConnection, actor) -> list[dict]:
    """What this user may see: everything for the office; their own and their division's otherwise (第九条(一))."""
    if actor.has("webmaster"):
        return _labelled(rows(con, _LIST + " ORDER BY p.id DESC"))
    division = actor.division_id if actor.roles & {"officer", "head"} else None
    designs = actor.has("tech")  # the adopted design plans the unit carries out (第十条(一))
    return _labelled(rows(con, _LIST + " WHERE p.proposer_id = ? OR (? IS NOT NULL AND p.division_id = ?) "
                                      "OR (? AND p.kind = 'design' AND p.state IN ('adopted', 'partly_adopted')) "
                                      "ORDER BY p.id DESC", [actor.id, division, division, designs]))


def queue(con: duckdb.DuckDBPyConnection, actor) -> list[dict]:
    """The office's review queue: submitted proposals, oldest first (第八条(二))."""
    require(actor, "proposals.decide")
    return _labelled(rows(con, _LIST + " WHERE p.state = 'submitted' ORDER BY p.updated_at, p.id"))


def to_carry_out(con: duckdb.DuckDBPyConnection, actor) -> list[dict]:
    """Adopted column proposals, for 栏目管理's 按提案办理 (those not carried out yet first: no change made,
    then begun, then 已落实)."""
    require(actor, "proposals.carry_out")
    found = rows(con, _LIST + " WHERE p.state IN ('adopted', 'partly_adopted') AND p.kind IN (SELECT unnest(?)) "
                             "ORDER BY p.decided_at, p.id", [sorted(COLUMN_KINDS)])
    return _labelled(sorted(found, key=lambda p: (p["done_on"] is not None, p["changes"] > 0)))


def _implementable_kinds(actor) -> list[str]:
    """The kinds whose 落实情况 this user records: all for the office, design plans for the unit."""
    return [k for k in KIND_LABELS if can(actor, "proposals.implement", {"kind": k})]


def to_implement(con: duckdb.DuckDBPyConnection, actor, today: dt.date | None = None) -> list[dict]:
    """Adopted proposals not carried out yet that this user may record, oldest decision first, each with
    `due_on` (decided + `proposal_implement_days`, None when the setting is 0) and `overdue`."""
    require(actor, "proposals.implement")
    today = today or dt.date.today()
    days = int(settings.get(con, "proposal_implement_days"))
    found = _labelled(rows(con, _LIST + " WHERE p.state IN ('adopted', 'partly_adopted') AND o.proposal_id IS NULL "
                                      "AND p.kind IN (SELECT unnest(?)) ORDER BY p.decided_at, p.id",
                           [_implementable_kinds(actor)]))
    for item in found:
        item["due_on"] = item["decided_at"].date() + dt.timedelta(days=days) if days else None
        item["overdue"] = item["due_on"] is not None and item["due_on"] < today
    return found


def counts(con: duckdb.DuckDBPyConnection, actor) -> dict[str, int]:
    """The to-do counts (core/todo.py): the office's pending reviews, the proposer's 要求补充 items, and the
    adopted proposals past `proposal_implement_days` without their 落实情况 (the office's; the unit's designs)."""
    found: dict[str, int] = {}
    more = int(scalar(con, "SELECT count(*) FROM proposals WHERE state = 'more_info' AND proposer_id = ?", [actor.id]))
    if more or actor.roles & {"officer", "head", "tech"}:  # those who propose columns and designs see the card
        found["proposals_more_info"] = more
    if actor.has("webmaster"):
        found["proposals_review"] = int(scalar(con, "SELECT count(*) FROM proposals WHERE state = 'submitted'"))
    if can(actor, "proposals.implement"):
        found["proposals_overdue"] = _overdue_count(con, actor)
    return found


def _overdue_count(con, actor) -> int:
    days = int(settings.get(con, "proposal_implement_days"))
    if not days:
        return 0
    return int(scalar(con, """
        SELECT count(*) FROM proposals p LEFT JOIN proposal_outcomes o ON o.proposal_id = p.id
        WHERE p.state IN ('adopted', 'partly_adopted') AND o.proposal_id IS NULL AND p.kind IN (SELECT unnest(?))
          AND p.decided_at::DATE + ?::INTEGER < current_date""", [_implementable_kinds(actor), days]))


def adopted_in(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Proposals and suggestions adopted (or partly) in the year, with the proposer's division and person and
    the day each was carried out (`done_on`, None: not yet): the evidence for 年度考评, ground (三)
    (第二十六条(三): 提出建议和意见合理,并且被采纳)."""
    found = rows(con, """
        SELECT p.id, p.kind, p.subject, p.state, p.proposer_id, u.display_name AS proposer, p.division_id,
               d.name AS division, d.kind AS division_kind, p.decided_at, p.office_reply, o.done_on
        FROM proposals p JOIN users u ON u.id = p.proposer_id LEFT JOIN divisions d ON d.id = p.division_id
        LEFT JOIN proposal_outcomes o ON o.proposal_id = p.id
        WHERE p.state IN ('adopted', 'partly_adopted') AND year(p.decided_at) = ? ORDER BY p.decided_at, p.id""",
                 [year])
    return _labelled(found)


def list_attachments(con: duckdb.DuckDBPyConnection, proposal_id: int) -> list[dict]:
    """The proposal's files, oldest first; `replaced_by`: a 落实材料 a correction replaced (by that file)."""
    return rows(con, "SELECT id, filename, mime, size, created_at, replaced_by FROM proposal_attachments "
                     "WHERE proposal_id = ? AND NOT removed ORDER BY id", [proposal_id])


def attachment(con: duckdb.DuckDBPyConnection, actor, attachment_id: int) -> tuple[str, bytes]:
    found = row(con, "SELECT proposal_id, filename, data FROM proposal_attachments WHERE id = ? AND NOT removed",
                [attachment_id])
    if found is None:
        raise NotFound(f"附件 {attachment_id} 不存在")
    require(actor, "proposals.view", get(con, found["proposal_id"]))
    return found["filename"], found["data"]


# ---------------------------------------------------------------- checking what the proposer wrote

def _text(field: str, value, required: bool, article: str = "第九条(一)") -> str:
    text = clean_text(value, multiline=field in ("reasons", "reply", "outcome", "correction"))
    label = FIELD_LABELS[field]
    if required and not text:
        why = {"reasons": "须写明提出的理由", "reply": "办公室的意见须说明理由,提出人可见",
               "outcome": "须写明落实了什么、怎样落实的,提出人可见",
               "correction": "须写明为什么更正(如原登记的内容或日期有误),记入办理过程"}.get(field, "必填")
        raise ValidationError(label, why, article)
    if len(text) > LIMITS[field]:
        raise ValidationError(label, f"不超过 {LIMITS[field]} 字", article)
    return text


def _targets(con, kind: str, targets) -> list[int]:
    ids = list(dict.fromkeys(int(t) for t in targets or []))
    if ids:
        known = {r["id"] for r in rows(con, "SELECT id FROM columns WHERE id IN (SELECT unnest(?))", [ids])}
        if set(ids) - known:
            raise ValidationError("涉及栏目", f"栏目 {sorted(set(ids) - known)} 不存在", "第九条(一)")
    needed = TARGETS_NEEDED.get(kind, 0)
    if len(ids) < needed:
        why = "栏目合并须选择至少两个栏目(第一个为保留的栏目)" if kind == "column_merge" else \
            f"{KIND_LABELS[kind]}须选择涉及的栏目"
        raise ValidationError("涉及栏目", why, "第九条(一)")
    return ids


def _checked(con, kind: str, subject, reasons, column_name, targets) -> dict:
    if kind not in KIND_LABELS:
        raise ValidationError("类别", "须为 " + "、".join(KIND_LABELS.values()) + " 之一", "第九条(一)")
    values = {"subject": _text("subject", subject, True), "reasons": _text("reasons", reasons, True),
              "column_name": _text("column_name", column_name, kind == "column_add") or None,
              "target_columns": _targets(con, kind, targets if kind in COLUMN_KINDS else [])}
    return values


def _files(con, files) -> list[tuple[str, bytes, tuple[str, str, str]]]:
    """(filename, data) pairs checked before anything is written: a refused file saves nothing (第二十条)."""
    return [(name, data, attachments.checked_upload(con, name, data)) for name, data in files or []]


def _store_files(con, actor, proposal_id: int, checked) -> list[int]:
    stored = []
    for _name, data, (safe, mime, digest) in checked:
        stored.append(con.execute(
            "INSERT INTO proposal_attachments (proposal_id, filename, mime, size, sha256, data, uploaded_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [proposal_id, safe, mime, len(data), digest, data, actor.id]).fetchone()[0])
        audit.record(con, actor, "proposals.attach", f"proposal:{proposal_id}", f"{safe} {len(data)} B")
    return stored


# ---------------------------------------------------------------- the moves

def _link(con) -> str:
    return str(settings.get(con, "workbench_url")).rstrip("/") + "/proposals"


def _office(con, kind: str, subject: str, body: str, proposal_id: int) -> None:
    for user in notify.role_holders(con, "webmaster"):
        notify.enqueue(con, user, kind, subject, f"{body}\n(提案 #{proposal_id}){_link(con)}")


def submit(con: duckdb.DuckDBPyConnection, actor, *, kind: str, subject: str, reasons: str,
           column_name: str | None = None, target_columns: list[int] | None = None,
           files: list[tuple[str, bytes]] | None = None) -> int:
    """Register a proposal or suggestion (第九条(一)、第十条(一)、第二十六条(三)); the office is told."""
    require(actor, "proposals.submit", kind)
    values = _checked(con, kind, subject, reasons, column_name, target_columns)
    checked = _files(con, files)
    with transaction(con):
        proposal_id = con.execute(
            "INSERT INTO proposals (kind, subject, reasons, column_name, target_columns, proposer_id, division_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [kind, values["subject"], values["reasons"], values["column_name"], values["target_columns"], actor.id,
             actor.division_id]).fetchone()[0]
        _store_files(con, actor, proposal_id, checked)
        transitions.record(con, PROPOSAL_MACHINE, get(con, proposal_id), actor, "submit",
                           comment=values["subject"],
                           notices=lambda: _office(con, "proposal.new", f"【建议与提案】{values['subject'][:40]}",
                                                   f"{actor.display_name} 提出了{KIND_LABELS[kind]}:"
                                                   f"{values['subject']}\n请在「建议与提案」中审议(第八条(二))。",
                                                   proposal_id))
    return proposal_id


def revise(con: duckdb.DuckDBPyConnection, actor, proposal_id: int, expected_version: int, *, subject: str,
           reasons: str, column_name: str | None = None, target_columns: list[int] | None = None,
           files: list[tuple[str, bytes]] | None = None, note: str = "") -> str:
    """The proposer supplements what the office asked for and resubmits (要求补充 → 待办公室审议)."""
    proposal = get(con, proposal_id)
    transitions.authorise(PROPOSAL_MACHINE, proposal, actor, "revise")
    transitions.check(PROPOSAL_MACHINE, proposal, "revise", expected_version)
    values = _checked(con, proposal["kind"], subject, reasons, column_name, target_columns)
    checked = _files(con, files)
    comment = clean_text(note, multiline=True) or "已补充材料"
    return transitions.record(
        con, PROPOSAL_MACHINE, proposal, actor, "revise", expected_version,
        changes={"state": "submitted", **values}, comment=comment[:LIMITS["reply"]],
        writes=lambda: _store_files(con, actor, proposal_id, checked),
        notices=lambda: _office(con, "proposal.revised", f"【建议与提案】已补充:{values['subject'][:40]}",
                                f"{actor.display_name} 已按要求补充提案 #{proposal_id}「{values['subject']}」,"
                                f"请审议(第八条(二))。\n补充说明:{comment}", proposal_id))


def _tell_proposer(con, proposal: dict, action: str, reply: str) -> None:
    label = ACTION_LABELS[action]
    tail = "请在「建议与提案」中补充后重新提交。" if action == "ask_more" else ""
    notify.enqueue(con, proposal["proposer_id"], f"proposal.{action}", f"【建议与提案】{label}:{proposal['subject'][:40]}",
                   f"您提出的{proposal['kind_label']} #{proposal['id']}「{proposal['subject']}」,办公室意见:{label}。\n"
                   f"理由:{reply}\n{tail}{_link(con)}")


def ask_more(con: duckdb.DuckDBPyConnection, actor, proposal_id: int, expected_version: int, reply: str) -> str:
    """The office asks the proposer for more (第八条(二)); the proposer sees why."""
    return _review(con, actor, proposal_id, expected_version, "ask_more", reply)


def decide(con: duckdb.DuckDBPyConnection, actor, proposal_id: int, expected_version: int, decision: str,
           reply: str) -> str:
    """采纳 (adopt), 部分采纳 (adopt_part) or 不予采纳 (decline), always with a reason (第八条(二))."""
    if decision not in DECISIONS:
        raise ValidationError("审议结果", "须为 采纳、部分采纳、不予采纳 之一", "第八条(二)")
    return _review(con, actor, proposal_id, expected_version, decision, reply)


def _review(con, actor, proposal_id: int, expected_version: int, action: str, reply: str) -> str:
    proposal = get(con, proposal_id)
    transitions.authorise(PROPOSAL_MACHINE, proposal, actor, action)
    transitions.check(PROPOSAL_MACHINE, proposal, action, expected_version)
    reply = _text("reply", reply, True, "第八条(二)")
    changes: dict = {"state": DECISIONS.get(action, "more_info"), "office_reply": reply}
    if action in DECISIONS:
        changes |= {"decided_by": actor.id, "decided_at": dt.datetime.now()}
    return transitions.record(con, PROPOSAL_MACHINE, proposal, actor, action, expected_version, changes=changes,
                              comment=reply, notices=lambda: _tell_proposer(con, proposal, action, reply))


def withdraw(con: duckdb.DuckDBPyConnection, actor, proposal_id: int, expected_version: int, note: str = "") -> str:
    """The proposer withdraws before the office decides."""
    proposal = get(con, proposal_id)
    note = clean_text(note, multiline=True)
    return transitions.record(
        con, PROPOSAL_MACHINE, proposal, actor, "withdraw", expected_version, changes={"state": "withdrawn"},
        comment=note or None,
        notices=lambda: _office(con, "proposal.withdrawn", f"【建议与提案】已撤回:{proposal['subject'][:40]}",
                                f"{actor.display_name} 撤回了提案 #{proposal_id}「{proposal['subject']}」。", proposal_id))


def plan(con: duckdb.DuckDBPyConnection, actor, proposal_id: int) -> list[dict]:
    """The column changes an adopted column proposal asks for, pre-filled for 栏目管理 (按提案办理)."""
    proposal = _carriable(con, actor, proposal_id)
    planned = columns.prefill(con, proposal["kind"], proposal["target_columns"], proposal["column_name"],
                              proposal["division_id"])
    done = columns.changes_for_proposal(con, proposal_id)
    # what is already carried out is not offered again: a new column once made, a column already as planned
    return [change for change in planned if not (
        change["column_id"] is None and any(c["action"] == "create" for c in done)
        or change["column_id"] is not None and _as_planned(con, change))]


def _as_planned(con, change: dict) -> bool:
    current = columns.get_column(con, change["column_id"])
    return all(current[k] == v for k, v in change["values"].items())


def _carriable(con, actor, proposal_id: int) -> dict:
    proposal = get(con, proposal_id)
    transitions.authorise(PROPOSAL_MACHINE, proposal, actor, "carry_out")
    if proposal["kind"] not in COLUMN_KINDS:
        raise InvalidTransition(f"{proposal['kind_label']}不涉及栏目变更,无需在栏目管理中办理(第八条(二))")
    transitions.check(PROPOSAL_MACHINE, proposal, "carry_out")
    return proposal


def carry_out(con: duckdb.DuckDBPyConnection, actor, proposal_id: int, column_id: int | None, values: dict) -> int:
    """Make one column change an adopted proposal asks for (第八条(二) 栏目增减): the change records the
    proposal and the proposal records the change; the proposer is told. Returns the column's id."""
    proposal = _carriable(con, actor, proposal_id)
    made: dict[str, int] = {}

    def change() -> None:
        if column_id is None:
            made["column"] = columns.create_column(con, actor, values, proposal_id=proposal_id)
        else:
            if not columns.update_column(con, actor, column_id, values, proposal_id=proposal_id):
                raise ValidationError("栏目", "没有需要保存的修改", "第八条(二)")
            made["column"] = column_id

    def tell() -> None:
        name = columns.get_column(con, made["column"])["name"]
        notify.enqueue(con, proposal["proposer_id"], "proposal.carry_out",
                       f"【建议与提案】已办理:{proposal['subject'][:40]}",
                       f"您的提案 #{proposal_id}「{proposal['subject']}」已由办公室在栏目管理中办理:栏目「{name}」。")

    with transaction(con):  # the change, and the 落实情况 when it was the plan's last one, or neither
        transitions.record(con, PROPOSAL_MACHINE, proposal, actor, "carry_out", writes=change, notices=tell,
                           comment=_change_note(values, column_id))
        if not plan(con, actor, proposal_id) and get(con, proposal_id)["done_on"] is None:
            _carried_out(con, actor, proposal_id)
    return made["column"]


def _carried_out(con, actor, proposal_id: int) -> None:
    """The last change a column proposal's plan asks for is made: the proposal is carried out (已落实),
    its note the changes made from it (第八条(二) 栏目增减)."""
    proposal = get(con, proposal_id)
    made = columns.changes_for_proposal(con, proposal_id)
    note = "已在栏目管理中按提案办理:" + ";".join(f"{c['column_name']}({c['detail'][:60]})" for c in made)
    _record_outcome(con, actor, proposal, proposal["version"], note[:LIMITS["outcome"]], dt.date.today(), [])


def _change_note(values: dict, column_id: int | None) -> str:
    """The step's note: which column the change touched (its name after the change)."""
    what = "新增栏目" if column_id is None else ("撤销栏目" if values.get("retired") else "调整栏目")
    return f"{what}「{values.get('name', '')}」"


def _implement_article(kind: str) -> str:
    """The article a 落实情况 refusal names: the unit carries out design plans (第十条(一)), the office the rest."""
    return "第十条(一)" if kind == "design" else "第八条(一)(二)"


def _not_recorded(con, proposal: dict) -> None:
    """What the machine's states cannot say: a proposal is carried out once; a column proposal is carried out in
    栏目管理 first (its record then comes by itself, or from the office when a part is all it will get)."""
    if proposal["done_on"] is not None:
        raise InvalidTransition(f"该提案已于 {proposal['done_on']:%Y-%m-%d} 登记落实情况,不能重复登记"
                                f"({_implement_article(proposal['kind'])})")
    if proposal["kind"] in COLUMN_KINDS and not columns.changes_for_proposal(con, proposal["id"]):
        raise InvalidTransition("栏目类提案须先在栏目管理中按提案办理,栏目变更完成后自动登记落实情况(第八条(二))")


def implement(con: duckdb.DuckDBPyConnection, actor, proposal_id: int, expected_version: int, *, note: str,
              done_on: dt.date | None, files: list[tuple[str, bytes]] | None = None) -> str:
    """Record that an adopted proposal was carried out (落实情况): what was done, the day, optionally one file
    (the launched redesign). The office records it (第八条(一)(二)), the technical-support unit too for a design
    plan (第十条(一)); the proposer is told and sees it, and so is the office when the unit records."""
    proposal = get(con, proposal_id)
    transitions.authorise(PROPOSAL_MACHINE, proposal, actor, "implement")
    transitions.check(PROPOSAL_MACHINE, proposal, "implement", expected_version)
    _not_recorded(con, proposal)
    article = _implement_article(proposal["kind"])
    text = _text("outcome", note, True, article)
    _check_done_on(proposal, done_on, article)
    if len(files or []) > 1:
        raise ValidationError("附件", "落实情况只能附一个文件(如改版上线后的页面截图或验收材料)", article)
    checked = _files(con, files)
    return _record_outcome(con, actor, proposal, expected_version, text, done_on, checked)


def _check_done_on(proposal: dict, done_on: dt.date | None, article: str) -> None:
    if done_on is None:
        raise ValidationError("完成日期", "必填:落实完成的日期", article)
    if done_on > dt.date.today():
        raise ValidationError("完成日期", "不能晚于今天:登记已经落实的事项", article)
    if proposal["decided_at"] is not None and done_on < proposal["decided_at"].date():
        raise ValidationError("完成日期", f"不能早于办公室采纳的日期 {proposal['decided_at']:%Y-%m-%d}", article)


def _record_outcome(con, actor, proposal: dict, expected_version: int, note: str, done_on: dt.date,
                    checked) -> str:
    proposal_id = proposal["id"]

    def write() -> None:
        attachment_id = next(iter(_store_files(con, actor, proposal_id, checked)), None)
        con.execute("INSERT INTO proposal_outcomes (proposal_id, done_on, note, attachment_id, recorded_by) "
                    "VALUES (?, ?, ?, ?, ?)", [proposal_id, done_on, note, attachment_id, actor.id])

    def tell() -> None:
        subject = f"【建议与提案】已落实:{proposal['subject'][:40]}"
        notify.enqueue(con, proposal["proposer_id"], "proposal.implement", subject,
                       f"您提出的{proposal['kind_label']} #{proposal_id}「{proposal['subject']}」"
                       f"已于 {done_on:%Y-%m-%d} 落实。\n办理情况:{note}\n{_link(con)}")
        if not actor.has("webmaster"):  # the unit recorded a design plan: the office learns it too (第十条(一))
            _office(con, "proposal.implement", subject,
                    f"{actor.display_name} 登记了设计方案「{proposal['subject']}」的落实情况({done_on:%Y-%m-%d}):"
                    f"{note}", proposal_id)

    return transitions.record(con, PROPOSAL_MACHINE, proposal, actor, "implement", expected_version,
                              comment=f"{done_on:%Y-%m-%d} 落实:{note}"[:LIMITS["outcome"]], writes=write,
                              notices=tell)


def correct_outcome(con: duckdb.DuckDBPyConnection, actor, proposal_id: int, expected_version: int, *,
                    note: str, done_on: dt.date | None, reason: str,
                    files: list[tuple[str, bytes]] | None = None) -> str:
    """Correct a recorded 落实情况 (a wrong text, day or file): whoever may record it (`proposals.implement`), with a
    reason; the state stays, the record holds the corrected text and day (the proposer and 年度考评 read it),
    and the step's event and audit rows keep the text and day it replaces. One file in `files` replaces the
    落实材料 (none: the file stays as it is); the replaced file is kept, marked with the one that replaced it,
    and the step's rows name both. The proposer is told."""
    proposal = get(con, proposal_id)
    transitions.authorise(PROPOSAL_MACHINE, proposal, actor, "correct_outcome")
    transitions.check(PROPOSAL_MACHINE, proposal, "correct_outcome", expected_version)
    article = _implement_article(proposal["kind"])
    if proposal["done_on"] is None:
        raise InvalidTransition(f"该提案尚未登记落实情况,没有可更正的内容;落实后请先登记({article})")
    text = _text("outcome", note, True, article)
    _check_done_on(proposal, done_on, article)
    why = _text("correction", reason, True, article)
    if len(files or []) > 1:
        raise ValidationError("落实材料", "只能附一个文件,用来替换原落实材料(不选则保留原文件)", article)
    checked = _files(con, files)
    old_note, old_day = proposal["outcome_note"], proposal["done_on"]
    if text == old_note and done_on == old_day and not checked:
        raise ValidationError("办理情况", "与已登记的落实情况相同,请修改办理情况、完成日期或替换落实材料后再更正", article)
    was, now = f"{old_day:%Y-%m-%d} 落实:{old_note}", f"{done_on:%Y-%m-%d} 落实:{text}"
    retold = (text, done_on) != (old_note, old_day)
    old_file = row(con, "SELECT id, filename FROM proposal_attachments WHERE id = ?", [proposal["outcome_attachment"]])
    swapped = _file_swap(old_file, checked[0][2][0]) if checked else None
    said = ";".join(([f"原为 {was};改为 {now}"] if retold else []) + ([swapped] if swapped else []))

    def write() -> None:
        file_id = _store_files(con, actor, proposal_id, checked)[0] if checked else proposal["outcome_attachment"]
        con.execute("UPDATE proposal_outcomes SET note = ?, done_on = ?, attachment_id = ? WHERE proposal_id = ?",
                    [text, done_on, file_id, proposal_id])
        if checked and old_file:  # kept, no longer the 落实材料: the history shows it as replaced by the new one
            con.execute("UPDATE proposal_attachments SET replaced_by = ? WHERE id = ?", [file_id, old_file["id"]])

    def tell() -> None:
        lines = [f"更正原因:{why}", f"现为:{now}"] + ([f"原为:{was}"] if retold else []) + ([swapped] if swapped else [])
        notify.enqueue(con, proposal["proposer_id"], "proposal.implement",
                       f"【建议与提案】落实情况已更正:{proposal['subject'][:40]}",
                       f"您提出的{proposal['kind_label']} #{proposal_id}「{proposal['subject']}」的落实情况已更正。\n"
                       + "\n".join(lines) + f"\n{_link(con)}")

    return transitions.record(con, PROPOSAL_MACHINE, proposal, actor, "correct_outcome", expected_version,
                              comment=f"更正原因:{why};{said}", writes=write, notices=tell,
                              detail=f"{STATE_LABELS[proposal['state']]}:更正落实情况,原因:{why};{said}")


def _file_swap(old_file: dict | None, new_name: str) -> str:
    """How a correction's event and audit rows name the 落实材料 it replaced (kept) and the one replacing it."""
    if old_file is None:
        return f"落实材料新增「{new_name}」"
    return f"落实材料「{old_file['filename']}」替换为「{new_name}」(原文件保留)"


def allowed_actions(actor, proposal: dict) -> list[str]:
    """The moves this user may make on the proposal now: the page shows only these buttons (`implement` only
    while no 落实情况 is recorded, and for a column proposal once 栏目管理 has made a change from it;
    `correct_outcome` only once it is recorded)."""
    found = []
    for action, step in PROPOSAL_MACHINE.transitions.items():
        if action in ("submit", "carry_out") or proposal["state"] not in step.sources:
            continue
        if action == "implement" and (proposal["done_on"] is not None or proposal["kind"] in COLUMN_KINDS
                                      and not proposal.get("changes")):
            continue
        if action == "correct_outcome" and proposal["done_on"] is None:
            continue
        if can(actor, step.may, proposal):
            found.append(action)
    return found
