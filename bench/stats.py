"""The statistics benchmark of issue 7: every query of the 统计分析 page for a year, and a bulletin.

    .venv/bin/python bench/stats.py [--articles 100000] [--messages 50000] [--audit 1000000] [--runs 5]

Loads the demo organisation, then adds the volume with `INSERT … SELECT … FROM range(N)` (not through the
workflow: a year of events in seconds): articles published over the year with work-end dates, their
submit/approve/publish events (with returns, corrections and take-downs), screening reviews, messages
with due dates and answers, and audit-log rows. Prints the median and the worst of `--runs` timings per
query (targets: < 200 ms each, the bulletin < 5 s). Figures only; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")


def timed(fn, runs: int) -> tuple[float, float, object]:
    result, seconds = None, []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), max(seconds), result


def fill(con, year: int, articles: int, messages: int, audit_rows: int) -> None:
    """Volume by SQL. Ids continue the demo's sequences; every row is plausible for the queries."""
    first = con.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
    con.execute("CREATE TEMP TABLE cols AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, division_id "
                "FROM columns WHERE NOT retired")
    ncols = con.execute("SELECT count(*) FROM cols").fetchone()[0]
    author = con.execute("SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
                         "WHERE r.role = 'officer' LIMIT 1").fetchone()[0]
    head = con.execute("SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
                       "WHERE r.role = 'head' LIMIT 1").fetchone()[0]
    # published over the year; work ended 0–9 days before (some late), one in ten has two revisions
    con.execute(f"""
        INSERT INTO articles (id, column_id, lead_division_id, title, body_html, source, work_ended_on, importance,
                              state, version, revision, author_id, created_at, updated_at, submitted_at, approved_at,
                              published_at, published_by, live_revision, public)
        SELECT {first} + i, c.id, c.division_id, '基准稿件 ' || i, '<p>正文</p>', '基准', p::DATE - (i % 10)::INTEGER,
               '一般', CASE WHEN i % 97 = 0 THEN 'taken_down' ELSE 'published' END, 5,
               CASE WHEN i % 10 = 0 THEN 2 ELSE 1 END, {author}, p - INTERVAL 2 HOUR, p, p - INTERVAL 90 MINUTE,
               p - INTERVAL 30 MINUTE, p, {author}, CASE WHEN i % 10 = 0 THEN 2 ELSE 1 END, i % 97 <> 0
        FROM (SELECT range AS i, TIMESTAMP '{year}-01-01 09:00:00' + to_seconds(range * {31_449_600 // articles}) AS p
              FROM range({articles})) g
        JOIN cols c ON c.n = g.i % {ncols}""")
    con.execute(f"SELECT setval('seq_articles', {first + articles})")
    last = first + articles
    events = [
        ("submit", "draft", "pending", "NULL", "INTERVAL 90 MINUTE", "TRUE"),
        ("return", "pending", "returned", "'head'", "INTERVAL 80 MINUTE", "i % 12 = 0"),
        ("approve", "pending", "approved", "'head'", "INTERVAL 30 MINUTE", "TRUE"),
        ("publish", "approved", "published", "NULL", "INTERVAL 0 MINUTE", "TRUE"),
        ("publish", "approved", "published", "NULL", "INTERVAL '-3 days'", "i % 10 = 0"),  # the correction
        ("take_down", "published", "taken_down", "NULL", "INTERVAL '-5 days'", "i % 97 = 0"),
    ]
    for action, before, after, role, back, where in events:
        con.execute(f"""
            INSERT INTO workflow_events (article_id, revision, actor_id, role, action, from_state, to_state,
                                         comment, created_at)
            SELECT a.id, 1, {head}, {role}, '{action}', '{before}', '{after}', NULL, a.published_at - {back}
            FROM (SELECT id, id - {first} AS i, published_at FROM articles WHERE id >= {first} AND id < {last}) a
            WHERE {where}""")
    con.execute(f"""
        INSERT INTO screening_reviews (article_id, revision, finding_key, rule, severity, excerpt, kind, actor_id,
                                       created_at)
        SELECT id, 1, 'k' || id, CASE WHEN id % 2 = 0 THEN 'format.column_kind' ELSE 'timeliness' END, 'warn', '',
               'acknowledge', {head}, published_at - INTERVAL 30 MINUTE
        FROM articles WHERE id >= {first} AND id < {last} AND id % 9 = 0""")
    con.execute("CREATE TEMP TABLE divs AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM divisions "
                "WHERE kind = 'division'")
    ndivs = con.execute("SELECT count(*) FROM divs").fetchone()[0]
    con.execute(f"""
        INSERT INTO messages (code, kind, division_id, subject, body, name, state, received_at, routed_at, due_on,
                              answered_at)
        SELECT 'B' || i, 'consult', d.id, '基准留言 ' || i, '内容', '张三',
               CASE WHEN i % 8 = 0 THEN 'routed' ELSE 'approved' END, r, r + INTERVAL 2 HOUR,
               (r + INTERVAL 14 DAY)::DATE,
               CASE WHEN i % 8 = 0 THEN NULL ELSE r + to_seconds((i % 20) * 86400 + 3600) END
        FROM (SELECT range AS i, TIMESTAMP '{year}-01-01 10:00:00' + to_seconds(range * {31_449_600 // messages}) AS r
              FROM range({messages})) g
        JOIN divs d ON d.n = g.i % {ndivs}""")
    con.execute(f"""
        INSERT INTO audit_log (created_at, actor, role, action, object, summary)
        SELECT TIMESTAMP '{year}-01-01' + to_seconds(range * 31), 'bench', 'officer', 'workflow.edit',
               'article:' || range, '基准'
        FROM range({audit_rows})""")


def main() -> None:
    from core import bulletin, demo, stats
    from core.db import connect, scalar
    from core.setup import init_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--audit", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        init_database(con)
        start = time.perf_counter()
        demo.load_demo(con, articles=demo.MIN_ARTICLES)
        fill(con, args.year, args.articles, args.messages, args.audit)
        con.execute("CHECKPOINT")
        print(f"fill: {time.perf_counter() - start:.1f} s — articles {scalar(con, 'SELECT count(*) FROM articles')}, "
              f"events {scalar(con, 'SELECT count(*) FROM workflow_events')}, "
              f"messages {scalar(con, 'SELECT count(*) FROM messages')}, "
              f"audit rows {scalar(con, 'SELECT count(*) FROM audit_log')}")
        from core import accounts

        office = accounts.find_user(con, "webmaster")
        year = stats.year_period(args.year)
        division = scalar(con, "SELECT lead_division_id FROM articles GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        column = scalar(con, "SELECT column_id FROM articles GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        busiest_inbox = scalar(con, "SELECT division_id FROM messages GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        queries = {
            "report by division (year)": lambda: stats.report(con, office, year),
            "report by column (year)": lambda: stats.report(con, office, year, by="column"),
            "monthly trend (year)": lambda: stats.monthly(con, office, year),
            "items: published, one division": lambda: stats.items(con, office, "published", year,
                                                                  division_id=division),
            "items: late, one division": lambda: stats.items(con, office, "late", year, division_id=division),
            "items: returned, all": lambda: stats.items(con, office, "returned", year),
            "items: corrections, all": lambda: stats.items(con, office, "corrections", year),
            "items: taken down, one column": lambda: stats.items(con, office, "taken_down", year, column_id=column),
            "items: format findings, all": lambda: stats.items(con, office, "format_findings", year),
            "items: answered messages, one division": lambda: stats.items(con, office, "answered", year,
                                                                          division_id=busiest_inbox),
            "overdue messages (year)": lambda: stats.overdue_messages(con, year),
        }
        print(f"statistics page queries for {year.label}, median / worst of {args.runs} (target < 200 ms each):")
        for name, fn in queries.items():
            median, worst, result = timed(fn, args.runs)
            size = len(result["rows"]) if isinstance(result, dict) else len(result)
            print(f"  {name:<42} {median * 1000:7.1f} ms / {worst * 1000:7.1f} ms  ({size} rows)")
        quarter = f"{args.year}Q4"
        median, worst, (data, gathered) = timed(lambda: bulletin.build(con, quarter), max(1, args.runs // 2))
        print(f"bulletin {quarter} build: {median:.2f} s / {worst:.2f} s, {len(data) / 1024:.0f} KiB "
              f"(target < 5 s) — {gathered.summary()}")
        median, worst, (data, _) = timed(lambda: bulletin.build(con, f"{args.year}-12"), max(1, args.runs // 2))
        print(f"bulletin {args.year}-12 build: {median:.2f} s / {worst:.2f} s")
        start = time.perf_counter()
        issued = bulletin.issue(con, office, quarter)
        print(f"bulletin issue (build + store + audit row): {time.perf_counter() - start:.2f} s, "
              f"{args.year}年第{issued['number']}期")
        con.close()


if __name__ == "__main__":
    main()
