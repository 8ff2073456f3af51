"""One seam for every state machine: articles, messages, incidents, publication requests.

Imports from the floor only: core.audit, core.db, core.errors, core.permissions.

Each machine declares its transitions as data (`Machine`, `Transition`): which states an action
starts from and may end in, the permission the actor needs, and how the move is logged (the
machine's event table and its dotted audit action). `record` is the one way a row moves: it checks
the permission, the version the actor saw (optimistic locking) and the state, updates the row and
bumps its version, writes the event row and the audit row, and queues the notices — in one
transaction, so a failure in any step leaves none of them (Wagtail's `TaskState.approve`,
django-fsm's declared sources and targets). A wrong move raises InvalidTransition with the
machine's own message, someone acting first raises StaleVersion naming the item.

(The name follows the house: a function that writes the audit row is a `record`, as audit.record;
tests/test_audit.py's write-path scan follows that name.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from core import audit
from core.db import run_versioned, update_versioned
from core.errors import InvalidTransition, StaleVersion
from core.permissions import require


@dataclass(frozen=True)
class Transition:
    """One action of a machine: from which states, into which, who may, how it is logged."""

    sources: frozenset[str]
    targets: frozenset[str] = frozenset()  # empty: the state stays as it is
    verb: str = ""  # how a refusal names the action: 「…」,不能{verb}
    may: str | Callable[[Any], str] | None = None  # the permission (core.permissions), or one chosen by the row
    logged_as: str | None = None  # the event and audit action when it is not the key (publish_due → publish)
    event: bool = True  # False: the audit row only (a saved draft answer is no step of the machine)
    versioned: bool = True  # False: no version move (a creation, an incident's handling step): logged only
    initial: bool = False  # a creation logged as coming from no state (a citizen's message: -→new)
    refusal: str | None = None  # a fixed refusal instead of the machine's template


def move(sources, targets=(), verb: str = "", may=None, **options) -> Transition:
    """A Transition from plain iterables (the tables read better without frozenset(...) everywhere)."""
    return Transition(frozenset(sources), frozenset(targets), verb, may, **options)


@dataclass(frozen=True)
class Machine:
    """A table whose rows move between states, and the moves it allows."""

    name: str
    table: str
    noun: str  # 该稿件: the item in a StaleVersion refusal
    state_labels: Mapping[str, str]
    refusal: str  # "稿件当前为「{state}」,不能{verb}(仅限:{allowed})"
    audit_prefix: str  # workflow → workflow.approve
    audit_object: str  # article → article:12
    transitions: Mapping[str, Transition]
    state_column: str = "state"
    events: str | None = None  # the machine's own event table, if it keeps one
    event_key: str | None = None  # its column naming the row (article_id)
    event_defaults: Callable[[Any], dict] | None = None  # event columns taken from the row (revision, step)
    describe: Callable[[str | None, str, str | None, dict], str] | None = None  # the audit summary
    touch: bool = False  # every move sets updated_at
    state_first: bool = False  # a handled request says so before it says "changed by someone else"
    anonymous: str | None = None  # the audit actor when nobody is signed in (公众)

    def actions(self) -> set[str]:
        """Every event/audit action this machine can write."""
        return {t.logged_as or key for key, t in self.transitions.items()}


def _field(item, name: str):
    return item[name] if isinstance(item, Mapping) else getattr(item, name)


def refusal(machine: Machine, item, action: str) -> str:
    """The message for a move the row's state does not allow."""
    step = machine.transitions[action]
    if step.refusal is not None:
        return step.refusal
    allowed = "、".join(label for state, label in machine.state_labels.items() if state in step.sources)
    state = machine.state_labels[_field(item, machine.state_column)]
    return machine.refusal.format(state=state, verb=step.verb, allowed=allowed)


def check(machine: Machine, item, action: str, expected_version: int | None = None) -> None:
    """Refuse a stale version (StaleVersion) or a wrong state (InvalidTransition), in the machine's order."""
    step = machine.transitions[action]
    wrong = _field(item, machine.state_column) not in step.sources
    if wrong and machine.state_first:
        raise InvalidTransition(refusal(machine, item, action))
    if step.versioned and _field(item, "version") != expected_version:
        raise StaleVersion(machine.noun)
    if wrong:
        raise InvalidTransition(refusal(machine, item, action))


def authorise(machine: Machine, item, actor, action: str) -> None:
    """The transition's own permission (第二十四条: enforced in core, whatever the page showed)."""
    may = machine.transitions[action].may
    if may is not None:
        require(actor, may(item) if callable(may) else may, item)


def _log(con: duckdb.DuckDBPyConnection, machine: Machine, row_id: int, actor, action: str,
         from_state: str | None, to_state: str, *, comment: str | None = None, extra: dict | None = None,
         detail: str | None = None, event: bool = True) -> None:
    """The machine's event row and the audit row of one move (table and column names come from code)."""
    extra = dict(extra or {})
    if machine.events and event:
        columns = {machine.event_key: row_id, "actor_id": actor.id if actor else None, "action": action,
                   "from_state": from_state, "to_state": to_state, "comment": comment, **extra}
        marks = ", ".join("?" for _ in columns)
        con.execute(f"INSERT INTO {machine.events} ({', '.join(columns)}) VALUES ({marks})", list(columns.values()))
    if detail is None:
        detail = machine.describe(from_state, to_state, comment, extra) if machine.describe else ""
    audit.record(con, actor if actor is not None else machine.anonymous, f"{machine.audit_prefix}.{action}",
                 f"{machine.audit_object}:{row_id}", detail)


def _target(machine: Machine, item, action: str, changes: dict) -> tuple[str, str]:
    step = machine.transitions[action]
    before = _field(item, machine.state_column)
    after = changes.get(machine.state_column, before)
    if (after not in step.targets) if step.targets else after != before:
        labels = machine.state_labels
        raise InvalidTransition(f"{machine.noun}不能从「{labels[before]}」转为「{labels.get(after, after)}」")
    return before, after


def record(con: duckdb.DuckDBPyConnection, machine: Machine, item, actor, action: str,
           expected_version: int | None = None, *, changes: dict | Callable[[], dict] | None = None,
           comment: str | None = None, event_extra: dict | None = None,
           detail: str | Callable[[], str] | None = None, writes: Callable[[], Any] | None = None,
           notices: Callable[[], Any] | None = None) -> str:
    """Move `item` (the row as the actor saw it) by `action`; returns the state it is in afterwards.

    Inside one transaction, in this order: `changes` (a dict, or a function computing it there, e.g.
    from a quorum count), the versioned update, `writes` (rows beside it: a revision, reviews), the
    event and audit rows, then `notices`. A write-write conflict is someone acting first.
    """
    step = machine.transitions[action]
    authorise(machine, item, actor, action)
    check(machine, item, action, expected_version)
    row_id = _field(item, "id")
    defaults = machine.event_defaults(item) if machine.event_defaults else {}

    def run() -> str:
        fields = dict(changes() if callable(changes) else changes or {})
        before, after = _target(machine, item, action, fields)
        before = None if step.initial else before
        if step.versioned:
            if machine.touch:
                fields["updated_at"] = dt.datetime.now()
            update_versioned(con, machine.table, row_id, expected_version, machine.noun, **fields)
        if writes:
            writes()
        _log(con, machine, row_id, actor, step.logged_as or action, before, after, comment=comment,
             extra={**defaults, **(event_extra or {})}, detail=detail() if callable(detail) else detail,
             event=step.event)
        if notices:
            notices()
        return after

    return run_versioned(con, run, machine.noun)
