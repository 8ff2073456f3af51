"""The interaction desk at volume: 50,000 messages (a few thousand published answers), timed.

    .venv/bin/python bench/interaction.py [--messages 50000] [--published 5000]

Prints: the desk's queues, a division's queue, the to-do counts, a lookup by code, the hourly
deadline sweep, and the portal builds (every build writes all published answers: how much that
costs per publish).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")

from core import accounts, demo, interaction, portal  # noqa: E402
from core.db import connect  # noqa: E402
from core.setup import init_database  # noqa: E402


def timed(label: str, fn, runs: int = 5):
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - started)
    print(f"  {label:<44} {statistics.median(seconds) * 1000:8.1f} ms / {max(seconds) * 1000:8.1f} ms")
    return result


def fill(con, messages: int, published: int, today: dt.date) -> None:
    """Messages by INSERT … SELECT: most closed or published, the rest open in every state."""
    con.execute("""
        INSERT INTO messages (code, kind, concerns_division_id, division_id, subject, body, name, phone,
                              publish_allowed, state, answer, public_subject, public_body, received_at, routed_at,
                              due_on, answered_at, replied_at, published_at, client)
        SELECT 'SX-B' || lpad(i::VARCHAR, 12, '0'),
               ['consult', 'suggest', 'complain'][1 + i % 3],
               d.id, d.id, '关于企业政策的咨询第' || i || '号', '请问相关政策如何申请?' || repeat('具体情况说明。', 20),
               '公众' || i, '139' || lpad((i % 100000000)::VARCHAR, 8, '0'), TRUE,
               CASE WHEN i < ? THEN 'published' WHEN i % 10 = 0 THEN 'routed' WHEN i % 10 = 1 THEN 'new'
                    WHEN i % 10 = 2 THEN 'drafted' WHEN i % 10 = 3 THEN 'approved' ELSE 'closed' END,
               '答复内容:' || repeat('按有关规定办理。', 15),
               '关于企业政策的咨询第' || i || '号', '请问相关政策如何申请?',
               ts, ts + INTERVAL 1 DAY, (ts + INTERVAL 10 DAY)::DATE, ts + INTERVAL 5 DAY, ts + INTERVAL 5 DAY,
               CASE WHEN i < ? THEN ts + INTERVAL 5 DAY END, 'bench'
        FROM (SELECT i, ?::TIMESTAMP - to_days((i % 700)::INTEGER) - INTERVAL 3 HOUR AS ts FROM range(?) t(i)) s
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM divisions WHERE kind = 'division') d
          ON d.n = s.i % 17""", [published, published, dt.datetime.combine(today, dt.time(12)), messages])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--published", type=int, default=5_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-interaction-"))
    con = connect(folder / "portal.duckdb")
    init_database(con)
    demo.load_demo(con, articles=3000)
    started = time.perf_counter()
    fill(con, args.messages, args.published, dt.date.today())
    total = con.execute("SELECT count(*), count(*) FILTER (WHERE state = 'published') FROM messages").fetchone()
    print(f"fill: {time.perf_counter() - started:.1f} s — messages {total[0]}, published answers {total[1]}")
    webmaster = accounts.find_user(con, "webmaster")
    officer = accounts.find_user(con, "xxy_dzxx")
    print("queries, median / worst of 5:")
    timed("desk: new messages", lambda: interaction.desk_queue(con, webmaster, ("new",)))
    timed("desk: every open message (metrics)", lambda: interaction.desk_queue(con, webmaster, interaction.OPEN_STATES))
    timed("division queue (one officer)", lambda: interaction.division_queue(con, officer))
    timed("to-do counts (webmaster)", lambda: interaction.counts(con, webmaster))
    code = con.execute("SELECT code FROM messages WHERE state = 'published' LIMIT 1").fetchone()[0]
    timed("lookup by code", lambda: interaction.lookup(con, code, None), runs=5)
    timed("search by text", lambda: interaction.search(con, webmaster, "第4242号"))
    for attempt in ("first (mails every urgent message)", "again an hour later (nothing new)"):
        started = time.perf_counter()
        queued = interaction.remind_deadlines(con)
        print(f"  deadline sweep, {attempt:<34} {(time.perf_counter() - started) * 1000:8.1f} ms, {queued} mails")
    site = folder / "site"
    started = time.perf_counter()
    built = portal.build_site(con, site, full=True, progress=False)
    print(f"portal full build: {time.perf_counter() - started:.2f} s, {built['pages']} pages "
          f"({built['answers']} answer pages and listings)")
    message = con.execute("SELECT id FROM messages WHERE state = 'approved' LIMIT 1").fetchone()[0]
    found = interaction.get(con, message)
    interaction.publish(con, webmaster, message, found["version"])
    started = time.perf_counter()
    built = portal.build_site(con, site, full=False)
    print(f"incremental build after publishing one answer: {time.perf_counter() - started:.2f} s "
          f"({built['writes']} files written, {built['unchanged']} unchanged)")
    con.close()


if __name__ == "__main__":
    main()
