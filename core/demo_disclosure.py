"""Demo applications for disclosure (依申请公开): about sixty over the demo year, closed in every outcome of
the national list, a few carried over from the year before, a few open (one overdue, one due soon, one
extended, one paused for a third party, one waiting for a correction) and a few appeals. Written through
core.disclosure's own functions, so the clock, the events and the audit rows are what the office's
work would leave.

Imports from: core (accounts, demo_data, disclosure, notify, workdays), core.db.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import duckdb

from core import accounts, demo_data, disclosure, notify, workdays
from core.db import scalar
from core.disclosure_terms import APPLICANT_TYPES

_TEXTS = demo_data.load("disclosure")
NAMES = {"自然人": _TEXTS["persons"], "商业企业": _TEXTS["organisations"], "科研机构": _TEXTS["research"],
         "社会公益组织": _TEXTS["charities"], "法律服务机构": _TEXTS["law_firms"], "其他": _TEXTS["others"]}
TYPE_WEIGHTS = {"自然人": 60, "商业企业": 18, "科研机构": 6, "社会公益组织": 4, "法律服务机构": 8, "其他": 4}
CHANNEL_WEIGHTS = {"网上申请": 55, "信函": 25, "当面": 12, "传真": 2, "电子邮件": 6}


class _Demo:
    def __init__(self, con: duckdb.DuckDBPyConnection, today: dt.date, seed: int):
        self.con, self.today, self.rng = con, today, random.Random(seed)
        self.calendar = workdays.load(con)
        self.office = accounts.find_user(con, "webmaster") or accounts.get_user(
            con, notify.role_holders(con, "webmaster")[0])
        office_division = disclosure.office_division_id(con)
        self.office_head = accounts.get_user(con, notify.role_holders(con, "head", office_division)[0])
        self.holders = [h for h in disclosure.holders(con) if h["division_id"] != office_division]
        self.subjects = itertools.cycle(_TEXTS["subjects"])
        self.first_types = iter([*APPLICANT_TYPES[1:], *APPLICANT_TYPES[1:]])

    def version(self, application_id: int) -> int:
        return disclosure.get(self.con, application_id)["version"]

    def register(self, received: dt.date) -> tuple[int, accounts.User]:
        # every applicant type at least twice (each column of the report's table has something), then by weight
        kind = next(self.first_types, None) or self.rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()))[0]
        holder = self.rng.choice(self.holders)
        contact = f"13{self.rng.randint(0, 9)}{self.rng.randint(10_000_000, 99_999_999)}"
        made = disclosure.register(self.con, self.office, {
            "applicant_type": kind, "applicant_name": self.rng.choice(NAMES[kind]), "applicant_contact": contact,
            "channel": self.rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0],
            "subject": next(self.subjects), "received_on": received, "division_id": holder["division_id"],
            "handler_id": holder["handler_id"]}, today=self.today)
        return made["id"], accounts.get_user(self.con, holder["handler_id"])

    def workday(self, start: dt.date, count: int) -> dt.date:
        return min(self.calendar.add_workdays(start, count), self.today)

    def closed(self, received: dt.date, outcome: tuple[str, str | None], *, correction: str | None = None,
               consult: bool = False, extend: bool = False) -> int:
        application_id, holder = self.register(received)
        day = received
        if correction:  # asked within the 7 working days of 第三十条
            asked = self.workday(received, 2)
            disclosure.ask_correction(self.con, holder, application_id, asked, _TEXTS["correction_note"],
                                      self.version(application_id))
            day = asked
            if correction == "answered":
                day = self.workday(asked, 5)
                disclosure.corrected(self.con, holder, application_id, day, self.version(application_id))
            else:  # never answered: 逾期不补正
                day = self.workday(asked, 15)
        if consult:
            asked = self.workday(day, 3)
            disclosure.consult(self.con, holder, application_id, asked, _TEXTS["consultation_note"],
                               self.version(application_id))
            day = self.workday(asked, 10)
            disclosure.consulted(self.con, holder, application_id, day, self.version(application_id))
        if extend:
            due = disclosure.get(self.con, application_id)["due_on"]
            disclosure.extend(self.con, self.office_head, application_id, 20, _TEXTS["extension_reason"],
                              min(self.workday(day, 5), due), self.version(application_id))
            day = self.workday(day, 28)
        else:
            day = self.workday(day, self.rng.randint(3, 17))
        disclosure.close(self.con, holder, application_id, outcome[0], outcome[1], day, "",
                         self.version(application_id))
        return application_id

    def received(self, low: int, high: int) -> dt.date:
        """A working day between `high` and `low` days ago."""
        return min(self.calendar.add_workdays(self.today - dt.timedelta(days=self.rng.randint(low, high)), 0),
                   self.today)


def _closed_outcomes() -> list[tuple[str, str | None]]:
    grounded = [choice for choice in disclosure.outcome_choices() if choice[1]]
    return [("予以公开", None)] * 14 + [("部分公开", None)] * 6 + grounded + grounded[:8]


def load_applications(con: duckdb.DuckDBPyConnection, today: dt.date, seed: int = 7) -> int:
    """Write the demo applications (inside the caller's transaction); returns how many."""
    if not scalar(con, "SELECT count(*) FROM users WHERE username = 'webmaster'"):
        return 0
    demo = _Demo(con, today, seed)
    special = {"逾期不补正": {"correction": "never"}, "补正后申请内容仍不明确": {"correction": "answered"},
               "保护第三方合法权益": {"consult": True}}
    span = max((today - dt.date(today.year, 1, 1)).days, 60)
    closed = []
    for n, outcome in enumerate(_closed_outcomes()):
        options = special.get(outcome[1] or "", {})
        options = options or ({"extend": True} if n in (3, 17) else {})
        closed.append(demo.closed(demo.received(30 + 30 * bool(options.get("extend")), span), outcome, **options))
    # received late last year, answered this January: the report's 上年结转
    for outcome in (("予以公开", None), ("无法提供", "本机关不掌握相关政府信息")):
        received = demo.calendar.add_workdays(dt.date(today.year - 1, 12, 22), 0)
        application_id, holder = demo.register(received)
        disclosure.close(con, holder, application_id, outcome[0], outcome[1],
                         min(demo.calendar.add_workdays(received, 12), today), "", demo.version(application_id))
    _open(demo)
    _appeals(demo, closed)
    # what the demo's past would have mailed is history, not a queue for the first SMTP server configured
    con.execute("DELETE FROM outbox WHERE kind LIKE 'disclosure.%'")
    return int(scalar(con, "SELECT count(*) FROM disclosure_applications"))


def _open(demo: _Demo) -> None:
    """Open ones: overdue, due soon, extended, paused for a third party, waiting for a correction, fresh."""
    con, today = demo.con, demo.today
    demo.register(today - dt.timedelta(days=42))  # overdue
    soon = next((day for day in (today - dt.timedelta(days=d) for d in range(20, 40))
                 if 0 <= demo.calendar.workdays_between(today, disclosure.due_date(demo.calendar, day)) <= 2), None)
    if soon:
        demo.register(soon)
    extended, _ = demo.register(today - dt.timedelta(days=34))
    due = disclosure.get(con, extended)["due_on"]
    disclosure.extend(con, demo.office_head, extended, 15, _TEXTS["extension_reason"], min(due, today),
                      demo.version(extended))
    paused, holder = demo.register(today - dt.timedelta(days=12))
    disclosure.consult(con, holder, paused, demo.workday(disclosure.get(con, paused)["received_on"], 2),
                       _TEXTS["consultation_note"], demo.version(paused))
    waiting, holder = demo.register(today - dt.timedelta(days=5))
    disclosure.ask_correction(con, holder, waiting, demo.workday(disclosure.get(con, waiting)["received_on"], 1),
                              _TEXTS["correction_note"], demo.version(waiting))
    for days in (0, 3, 6):
        demo.register(min(demo.calendar.add_workdays(today - dt.timedelta(days=days), 0), today))


def _appeals(demo: _Demo, closed: list[int]) -> None:
    """A 行政复议 upheld, one pending, and a 行政诉讼 after review, on refusals."""
    refused = [i for i in closed if disclosure.get(demo.con, i)["outcome"] in ("不予公开", "无法提供")][:3]
    for index, application_id in enumerate(refused):
        closed_on = disclosure.get(demo.con, application_id)["closed_on"]
        filed = min(closed_on + dt.timedelta(days=20), demo.today)
        kind = "行政诉讼" if index == 2 else "行政复议"
        appeal = disclosure.record_appeal(demo.con, demo.office, application_id, kind, filed, after_review=index == 2)
        if index == 0:
            disclosure.record_appeal_result(demo.con, demo.office, appeal, "维持",
                                            min(filed + dt.timedelta(days=45), demo.today))
