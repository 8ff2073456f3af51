"""The moderated public contribution (issue 17): what 征集调查's comments and 在线访谈's questions share.

A citizen sends a short text with a name through the message desk's gate (core.interaction.guard: CAPTCHA,
rate limits); it waits as 待审核 until the webmaster shows it or refuses it with a reason (第二十三条:
"互动性栏目接收到的信息,须经管理员审核后方可上传"), after the screening of a message's public text
(第十六、二十三条). Each owner (core.consultation, core.interview) keeps its own machine of the thing
contributed to, its window, its wording and its figures; it describes its contributions as a `Kind` and
calls these functions with it.

pending ──approve──▶ approved
        └─reject───▶ rejected (with the reason)

Also here, because both owners check their office forms the same way: a text field cleaned and checked
(`checked_text`) and the column and division an item is placed in (`check_placement`).

Imports from: core.transitions (the seam), core.interaction (its gate), core.screening and core.lexicon,
core.contribution_reads (the states and reads the portal shares), and the floor (content, db, errors, ratelimit, text). Table and column names in SQL come from the owners' code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from core import contribution_reads, interaction, lexicon, ratelimit, screening, transitions
from core.content import text_to_html
from core.contribution_reads import STATE_LABELS
from core.db import row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.text import clean_text, visible_length
from core.transitions import move

MIN_LENGTH = 5  # visible characters a contribution needs to be read as one


def describe(from_state: str | None, to_state: str, comment: str | None, extra: dict) -> str:
    """The audit summary of a move of these machines and their owners': from→to 「comment」."""
    return f"{from_state or '-'}→{to_state}" + (f" 「{comment[:200]}」" if comment else "")


def machine(name: str, table: str, noun: str, what: str) -> transitions.Machine:
    """The machine of one kind of contribution: submitted by the public (公众), shown or refused by the webmaster."""
    return transitions.Machine(
        name=name, table=table, noun=noun, state_labels=STATE_LABELS,
        refusal=what + "当前为「{state}」,不能{verb}(仅限:{allowed})", audit_prefix=name, audit_object=name,
        describe=describe, transitions={
            "submit": move({"pending"}, (), "提交", versioned=False, initial=True),
            "approve": move({"pending"}, {"approved"}, "审核通过", "messages.moderate"),
            "reject": move({"pending"}, {"rejected"}, "不予通过", "messages.moderate"),
        }, anonymous="public")


@dataclass(frozen=True)
class Kind:
    """One kind of contribution as its owner has it: where it is stored, what it belongs to, how it is named."""

    machine: transitions.Machine
    owner_table: str  # consultations
    owner_key: str  # consultation_id: the contribution's column naming its owner
    text_field: str  # the form's field of the text: "comment"
    labels: Mapping[str, str]  # the owner's FIELD_LABELS (name, the text, consent, reason)
    limits: Mapping[str, int]  # the owner's LIMITS (name, the text, reason)
    article: str  # the article a refusal of the form cites
    what: str  # 意见: "请把意见写清楚"
    record_name: str  # 意见: "意见 3 不存在"

    @property
    def table(self) -> str:
        return self.machine.table


# ---------------------------------------------------------------- checking a form

def checked_text(values: dict, field: str, label: str, limit: int, article: str, *, multiline: bool = False,
                 required: bool = True) -> str:
    """A field of an interaction form, cleaned; refused naming the field when empty (if required) or too long."""
    text = clean_text(values.get(field), multiline=multiline)
    if required and not visible_length(text):
        raise ValidationError(label, "必填", article)
    if len(text) > limit:
        raise ValidationError(label, f"不能超过 {limit} 个字(现有 {len(text)} 个字)", article)
    return text


def check_placement(con: duckdb.DuckDBPyConnection, values: dict, example: str) -> tuple[int, int]:
    """The column (an interaction column in use) and the owning division of a consultation or an interview."""
    column = row(con, "SELECT kind, retired FROM columns WHERE id = ?", [values.get("column_id")])
    if not column or column["kind"] != "interaction" or column["retired"]:
        raise ValidationError("所属栏目", f"请选择一个在用的互动交流类栏目(如「{example}」)", "第八条")
    if not scalar(con, "SELECT count(*) FROM divisions WHERE id = ?", [values.get("division_id")]):
        raise ValidationError("承办处室", "请从列表中选择承办处室", "第七条")
    return int(values["column_id"]), int(values["division_id"])


def _text(kind: Kind, values: dict, field: str, *, multiline: bool = False) -> str:
    return checked_text(values, field, kind.labels[field], kind.limits[field], kind.article, multiline=multiline)


# ---------------------------------------------------------------- reading

def item(con: duckdb.DuckDBPyConnection, kind: Kind, contribution_id: int) -> dict:
    """A contribution with its owner's division (whose head may see it)."""
    found = row(con, f"SELECT k.*, o.division_id FROM {kind.table} k JOIN {kind.owner_table} o "
                     f"ON o.id = k.{kind.owner_key} WHERE k.id = ?", [contribution_id])
    if not found:
        raise NotFound(f"{kind.record_name} {contribution_id} 不存在")
    return found


def of(con: duckdb.DuckDBPyConnection, kind: Kind, owner_id: int, state: str | None = None) -> list[dict]:
    """The contributions to one owner, in the order received (of one state, or all)."""
    return contribution_reads.of(con, kind.table, kind.owner_key, owner_id, state)


def counts(con: duckdb.DuckDBPyConnection, kind: Kind, owner_id: int) -> dict[str, int]:
    """Contributions by state, and all received."""
    return contribution_reads.counts(con, kind.table, kind.owner_key, owner_id)


def listing(con: duckdb.DuckDBPyConnection, kind: Kind, state_labels: Mapping[str, str]) -> list[dict]:
    """Every owner, newest first, with its division and its contributions received and pending (the workbench)."""
    found = rows(con, f"""
        SELECT o.*, d.name AS division_name,
               (SELECT count(*) FROM {kind.table} k WHERE k.{kind.owner_key} = o.id) AS received,
               (SELECT count(*) FROM {kind.table} k WHERE k.{kind.owner_key} = o.id AND k.state = 'pending') AS pending
        FROM {kind.owner_table} o JOIN divisions d ON d.id = o.division_id ORDER BY o.id DESC""")
    for owner in found:
        owner["state_label"] = state_labels[owner["state"]]
    return found


def pending_total(con: duckdb.DuckDBPyConnection, kind: Kind) -> int:
    """Contributions waiting for the webmaster's review (a to-do of the office, 第二十三条)."""
    return int(scalar(con, f"SELECT count(*) FROM {kind.table} WHERE state = 'pending'") or 0)


# ---------------------------------------------------------------- the public's side

def submit(con: duckdb.DuckDBPyConnection, kind: Kind, owner_id: int, form: dict, client: str | None,
           captcha: tuple[str, str] | None, now: dt.datetime) -> int:
    """A citizen's contribution (the owner checked its window first): checked, through the desk's gate, stored
    as 待审核 with the keyed hash of the address, never the address."""
    name = _text(kind, form, "name")
    body = _text(kind, form, kind.text_field, multiline=True)
    if visible_length(body) < MIN_LENGTH:
        raise ValidationError(kind.labels[kind.text_field], f"请把{kind.what}写清楚(至少 {MIN_LENGTH} 个字)",
                              kind.article)
    if not form.get("consent"):
        raise ValidationError(kind.labels["consent"], "请阅读并同意隐私声明后再提交", kind.article)
    interaction.guard(con, client, captcha, now)
    with transaction(con):
        new_id = con.execute(
            f"INSERT INTO {kind.table} ({kind.owner_key}, name, body, client, received_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            [owner_id, name, body, ratelimit.client_key(con, client) if client else None, now]).fetchone()[0]
        transitions.record(con, kind.machine, item(con, kind, new_id), None, "submit")
    return new_id


# ---------------------------------------------------------------- moderation

def findings(con: duckdb.DuckDBPyConnection, contribution: dict) -> list[screening.Finding]:
    """The screening of a contribution before it may be shown, as of a message's public text (第十六、二十三条):
    personal data, classified markings and the lexicons; form and timeliness rules are the articles'."""
    found = screening.screen("", text_to_html(contribution["body"]), lexicon=lexicon.load(con), context="interaction")
    return [f for f in found if not f.rule.startswith(("format.", "timeliness"))]


def refuse_if_blocked(con: duckdb.DuckDBPyConnection, contribution: dict, label: str) -> None:
    """Refuse to show a public text the screening blocks, naming the field."""
    blocking = [f for f in findings(con, contribution) if f.severity == "block"]
    if blocking:
        raise ValidationError(label, f"{blocking[0].message},不能公开;请不予通过并说明理由", blocking[0].article)


def approve(con: duckdb.DuckDBPyConnection, kind: Kind, actor, contribution_id: int, expected_version: int) -> None:
    """Show a contribution: refused while the screening blocks it (reject it, with the reason, instead)."""
    found = item(con, kind, contribution_id)
    refuse_if_blocked(con, found, kind.labels[kind.text_field])
    transitions.record(con, kind.machine, found, actor, "approve", expected_version,
                       changes={"state": "approved", "moderated_by": actor.id, "moderated_at": dt.datetime.now()})


def reject(con: duckdb.DuckDBPyConnection, kind: Kind, actor, contribution_id: int, expected_version: int,
           reason: str) -> None:
    """Refuse a contribution; the reason is required and kept (audited with it)."""
    text = _text(kind, {"reason": reason}, "reason", multiline=True)
    transitions.record(con, kind.machine, item(con, kind, contribution_id), actor, "reject", expected_version,
                       changes={"state": "rejected", "reason": text, "moderated_by": actor.id,
                                "moderated_at": dt.datetime.now()}, comment=text)
