"""Demo ratings of answers (第二十六条(二)): some answered demo messages rated 满意, 基本满意 and 不满意, one
不满意 reopened by the webmaster and back with its division, so the desk, the statistics and 年度考评 show
every case. The ratings are written directly with the rows and events core.ratings writes (the citizen's form draws a
CAPTCHA for each rating), the reopen goes through core.ratings; tests/test_demo.py replays each through core."""

from __future__ import annotations

import datetime as dt

import duckdb

from core import accounts, notify, ratings
from core.db import rows

# grade and reason, in the order the answered demo messages take them
PLAN: list[tuple[str, str | None]] = [
    ("satisfied", None), ("satisfied", "答复清楚,办理及时,谢谢。"), ("basic", "答复基本清楚,希望附上文件链接。"),
    ("satisfied", None), ("unsatisfied", "答复没有说明具体的申报条件和材料。"), ("basic", None),
    ("satisfied", "很快就答复了。"), ("unsatisfied", "答复只说了以通知为准,没有回答我的问题。"),
    ("satisfied", None), ("basic", None),
]
REOPEN_NOTE = "公众认为答复没有回答问题,请写明具体的申报条件、材料和办理渠道后重新答复。"


def load(con: duckdb.DuckDBPyConnection, today: dt.date) -> int:
    """Rate answered demo messages and reopen the last 不满意 (inside the caller's transaction); returns how many."""
    answered = rows(con, """
        SELECT id, kind, state, division_id, version, replied_at FROM messages
        WHERE state IN ('published', 'closed') AND division_id IS NOT NULL
          AND id NOT IN (SELECT merged_into FROM messages WHERE merged_into IS NOT NULL)
        ORDER BY id LIMIT ?""", [len(PLAN)])
    webmaster = notify.role_holders(con, "webmaster")
    last = dt.datetime.combine(today, dt.time(9))
    for number, (message, (grade, reason)) in enumerate(zip(answered, PLAN, strict=False)):
        rated_at = min(message["replied_at"] + dt.timedelta(days=1 + number % 3), last)
        con.execute("INSERT INTO message_ratings (message_id, round, division_id, grade, reason, rated_at) "
                    "VALUES (?, 1, ?, ?, ?, ?)", [message["id"], message["division_id"], grade, reason, rated_at])
        _event(con, message["id"], None, "rate", message["state"], message["state"],
               ratings.GRADES[grade] + (f":{reason}" if reason else ""), rated_at)
    unhappy = [m for m, (grade, _) in zip(answered, PLAN, strict=False) if grade == "unsatisfied"]
    if unhappy and webmaster:
        _reopen(con, unhappy[-1], webmaster[0])
    return len(answered)


def _event(con, message_id: int, actor: int | None, action: str, before: str, after: str, comment: str,
           at: dt.datetime) -> None:
    con.execute("INSERT INTO message_events (message_id, actor_id, action, from_state, to_state, comment, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", [message_id, actor, action, before, after, comment, at])


def _reopen(con, message: dict, webmaster: int) -> None:
    """Through core.ratings.reopen, as the webmaster on the desk: back to the division with a new due date,
    the rating marked, the officers told."""
    ratings.reopen(con, accounts.get_user(con, webmaster), message["id"], REOPEN_NOTE, message["version"])
