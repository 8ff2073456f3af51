"""Demo public messages (第十九、二十三条): half a year of 咨询/建议/投诉 in every state of the desk,
some overdue, one close to the three-month veto, so every queue and the portal's 公众留言答复 show
something. Written directly, in batches, with the events and versions core.interaction writes: the
citizen's form draws a CAPTCHA picture and voice for each message (~0.15 s of CPU each), too slow for
a hundred; tests/test_demo.py sends each kind of message again through the form and the desk."""

from __future__ import annotations

import datetime as dt
import random

import duckdb

from core import demo_data, interaction, notify, workdays
from core.db import rows

_TEXTS = demo_data.load("messages")
# (division code, kind, subject, question, answer)
TOPICS: list[tuple[str, str, str, str, str]] = [
    (t["division"], t["kind"], t["subject"], t["question"], t["answer"]) for t in _TEXTS["topics"]]
SPAM: list[str] = _TEXTS["spam"]
NAMES: list[str] = _TEXTS["names"]
# how many messages end in each state
PLAN = [("published", 48), ("closed", 16), ("rejected", 6), ("merged", 3), ("approved", 4), ("drafted", 4),
        ("routed", 12), ("new", 7)]


def _user(con, role: str, division_id: int | None = None) -> int | None:
    found = notify.role_holders(con, role, division_id)
    return found[0] if found else None


def load_messages(con: duckdb.DuckDBPyConnection, today: dt.date, seed: int = 7) -> int:
    """Write the demo messages (inside the caller's transaction); returns how many."""
    rng = random.Random(seed)
    calendar = workdays.load(con)
    div = {r["code"]: r["id"] for r in rows(con, "SELECT id, code FROM divisions")}
    webmaster = _user(con, "webmaster")
    deadlines = interaction.deadlines(con)
    written, target, events = 0, None, []
    for state, count in PLAN:
        for n in range(count):
            code, kind, subject, body, answer = TOPICS[(written + n) % len(TOPICS)]
            division = div.get(code)
            if state in ("new", "routed", "drafted", "approved"):
                # open items: recent, one routed one close to three months old (the veto warning)
                age = 75 if state == "routed" and n == 0 else rng.randint(1, 9 if state != "routed" else 12)
            else:
                age = rng.randint(8, 180)
            received = dt.datetime.combine(today - dt.timedelta(days=age), dt.time(rng.randint(8, 21), rng.randint(0, 59)))
            due = calendar.add_workdays(received.date(), deadlines.get(kind, deadlines.get("default", 10)))
            routed = received + dt.timedelta(hours=rng.randint(2, 30))
            answered = min(routed + dt.timedelta(days=rng.randint(1, 9)), dt.datetime.combine(today, dt.time(9)))
            name = NAMES[rng.randrange(len(NAMES))]
            phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
            values = {
                "code": interaction.new_code(), "kind": kind, "concerns_division_id": division if n % 3 else None,
                "division_id": None if state in ("new", "rejected") else target[2] if state == "merged" else division,
                "subject": subject if state != "rejected" else SPAM[n % len(SPAM)],
                "body": body if state != "rejected" else SPAM[n % len(SPAM)] + " 13800000000",
                "name": name, "phone": phone, "email": None if n % 2 else f"citizen{written + n}@example.com",
                "publish_allowed": state != "closed", "state": state, "received_at": received, "due_on": due,
                "routed_at": None if state in ("new", "rejected", "merged") else routed,
                "answer": answer if state in ("published", "closed", "approved", "drafted") else None,
                "answered_by": _user(con, "officer", division) if state in ("published", "closed", "approved",
                                                                             "drafted") else None,
                "approved_by": _user(con, "head", division) if state in ("published", "closed", "approved") else None,
                "answered_at": answered if state in ("published", "closed", "approved") else None,
                "replied_at": answered + dt.timedelta(hours=5) if state in ("published", "closed") else None,
                "published_at": answered + dt.timedelta(hours=5) if state == "published" else None,
                "closed_at": answered + dt.timedelta(hours=5) if state in ("closed", "rejected", "merged") else None,
                "reject_reason": _TEXTS["spam_reason"] if state == "rejected" else None,
                "merged_into": target[0] if state == "merged" else None,
            }
            if state == "published":
                values["public_subject"], values["public_body"] = interaction.default_public_text(values)
            steps = _steps(values, webmaster, target)
            # what the desk leaves: one version per step, updated by the last one
            values["version"], values["updated_at"] = len(steps), steps[-1][-1]
            names = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            message_id = con.execute(f"INSERT INTO messages ({names}) VALUES ({marks}) RETURNING id",
                                     list(values.values())).fetchone()[0]
            if state == "published" and target is None:
                target = (message_id, values["code"], values["division_id"])
            events += [(message_id, *step) for step in steps]
        written += count
    _write_events(con, events)
    return written


def _steps(m: dict, webmaster: int | None, target: tuple | None) -> list[tuple]:
    """The message_events core.interaction writes on the message's way to its state:
    (actor, action, from, to, comment, at); tests/test_demo.py sends each kind again through the desk."""
    steps = [(None, "submit", None, "new", None, m["received_at"])]
    if m["state"] == "rejected":
        steps.append((webmaster, "reject", "new", "rejected", m["reject_reason"], m["closed_at"]))
    elif m["state"] == "merged":
        steps.append((webmaster, "merge", "new", "merged", f"合并到留言 {target[1]}", m["closed_at"]))
    elif m["routed_at"]:
        steps.append((webmaster, "route", "new", "routed", None, m["routed_at"]))
        if m["state"] in ("drafted", "approved", "published", "closed"):
            steps.append((m["answered_by"], "submit_answer", "routed", "drafted", None,
                          (m["answered_at"] or m["routed_at"] + dt.timedelta(days=1))))
        if m["state"] in ("approved", "published", "closed"):
            steps.append((m["approved_by"], "approve_answer", "drafted", "approved", None, m["answered_at"]))
        if m["state"] in ("published", "closed"):
            steps.append((webmaster, "publish" if m["state"] == "published" else "close", "approved", m["state"],
                          None, m["replied_at"]))
    return steps


def _write_events(con, events: list[tuple]) -> None:
    """Every message's events in one INSERT … SELECT (row by row they cost ~0.5 ms each)."""
    import pandas as pd  # deferred: 0.26 s at every CLI start; only the demo's bulk writes use it
    frame = pd.DataFrame(events, columns=["message_id", "actor_id", "action", "from_state", "to_state", "comment",
                                          "created_at"])
    frame["actor_id"] = pd.array(frame["actor_id"].tolist(), dtype="Int64")
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame.insert(0, "id", [r[0] for r in con.execute(
        "SELECT nextval('seq_message_events') AS id FROM range(?) ORDER BY id", [len(frame)]).fetchall()])
    con.register("demo_message_events", frame)
    con.execute("INSERT INTO message_events (id, message_id, actor_id, action, from_state, to_state, comment, "
                "created_at) SELECT id, message_id, actor_id, action, from_state, to_state, comment, created_at "
                "FROM demo_message_events ORDER BY id")
    con.unregister("demo_message_events")
