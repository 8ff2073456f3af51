"""A workbench database at the scale of issue 16: the demo plus 100,000 articles, 50,000 messages and
1,000,000 audit rows.

    .venv/bin/python bench/scale_db.py --out /tmp/scale.duckdb [--articles 100000] [--messages 50000]
                                       [--audit 1000000] [--verify]

Steps, each timed (wall and CPU seconds of this process):
1. `python -m core init --db OUT --demo` (the demo department, its accounts, articles and messages);
2. N synthetic published articles (bench/import_data.py) through the real importer (core.importer), as a
   migration brings them; the importer writes one `import.article` audit row per article;
3. messages in bulk, INSERT … SELECT over range(): the demo messages' texts in every state of the desk,
   received over the past three years, each with its `submit` event and, once routed, its `route` event;
4. audit rows in bulk up to the wanted total, in the actions and shape the workbench records, sealed by the
   product's own sealer (core.audit.seal) batch by batch, so the hash chain stays valid (`--verify` walks it).

The figures are what a busy office reaches after some years; the benchmark copies this file
(`bench/workbench.py --db OUT`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")

import import_data  # noqa: E402

from core import audit, importer  # noqa: E402
from core.db import connect, scalar, transaction  # noqa: E402

AUDIT_BATCH = 100_000
# what the workbench records most (workflow, logins, interaction, exports), with the objects' shapes
AUDIT_ACTIONS = ["login.success", "workflow.save", "workflow.submit", "workflow.approve", "workflow.publish",
                 "interaction.route", "interaction.answer", "login.logout", "export.csv", "workflow.take_down"]


def cpu_seconds() -> float:
    """This process's CPU time and its finished children's (`core init` runs in one)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def step(label: str, fn):
    started, used = time.perf_counter(), cpu_seconds()
    result = fn()
    print(f"  {label:<44} {time.perf_counter() - started:8.1f} s   CPU {cpu_seconds() - used:8.1f} s",
          flush=True)
    return result


def make_demo(out: Path) -> None:
    if out.exists():
        out.unlink()
    subprocess.run([sys.executable, "-m", "core", "init", "--db", str(out), "--demo"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def import_articles(con, n: int, folder: Path) -> int:
    source = folder / "articles.jsonl"
    import_data.generate(source, n)
    result = importer.import_jsonl(con, source, create_missing=True, progress=False)
    return result.imported


def add_messages(con, n: int) -> None:
    """n messages copied from the demo's texts, spread over three years and over the desk's states."""
    with transaction(con):
        con.execute("CREATE TEMP TABLE scale_src AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, kind, "
                    "concerns_division_id, division_id, subject, body, name, phone, answer, answered_by, "
                    "approved_by FROM messages WHERE state IN ('published', 'closed')")
        sources = scalar(con, "SELECT count(*) FROM scale_src")
        # most old messages are answered; the open ones are few and recent (as on the demo's desk)
        con.execute("""
            CREATE TEMP TABLE scale_msgs AS
            SELECT nextval('seq_messages') AS id, i, s.*,
                   CASE WHEN i % 100 < 70 THEN 'published' WHEN i % 100 < 90 THEN 'closed'
                        WHEN i % 100 < 95 THEN 'rejected' WHEN i % 1000 < 990 THEN 'merged'
                        WHEN i % 1000 < 994 THEN 'routed' WHEN i % 1000 < 997 THEN 'drafted' ELSE 'approved'
                   END AS state,
                   current_localtimestamp() - INTERVAL 20 DAY - to_seconds((i * 1877) % (3 * 365 * 86400))
                       AS received
            FROM range(?) t(i) JOIN scale_src s ON s.k = i % ?""", [n, sources])
        con.execute("""
            INSERT INTO messages (id, code, kind, concerns_division_id, division_id, subject, body, name, phone,
                email, publish_allowed, state, answer, answered_by, approved_by, reject_reason, merged_into,
                public_subject, public_body, received_at, routed_at, due_on, answered_at, replied_at,
                published_at, closed_at, version, updated_at)
            SELECT id, 'S' || md5('scale-' || i::VARCHAR), kind, concerns_division_id,
                   CASE WHEN state = 'rejected' THEN NULL ELSE division_id END, subject, body, name, phone,
                   CASE WHEN i % 2 = 0 THEN 'citizen' || i || '@example.com' END, state <> 'closed', state,
                   CASE WHEN state IN ('published', 'closed', 'drafted', 'approved') THEN answer END,
                   CASE WHEN state IN ('published', 'closed', 'drafted', 'approved') THEN answered_by END,
                   CASE WHEN state IN ('published', 'closed', 'approved') THEN approved_by END,
                   CASE WHEN state = 'rejected' THEN '内容与本部门职责无关' END, NULL,
                   CASE WHEN state = 'published' THEN subject END,
                   CASE WHEN state = 'published' THEN body END,
                   received,
                   CASE WHEN state NOT IN ('rejected', 'merged') THEN received + INTERVAL 4 HOUR END,
                   CAST(received + INTERVAL 14 DAY AS DATE),
                   CASE WHEN state IN ('published', 'closed', 'approved') THEN received + INTERVAL 5 DAY END,
                   CASE WHEN state IN ('published', 'closed') THEN received + INTERVAL 6 DAY END,
                   CASE WHEN state = 'published' THEN received + INTERVAL 6 DAY END,
                   CASE WHEN state IN ('closed', 'rejected', 'merged') THEN received + INTERVAL 6 DAY END,
                   3, received + INTERVAL 6 DAY
            FROM scale_msgs""")
        # the citizen's submit, and the webmaster's route for every routed message
        con.execute("""
            INSERT INTO message_events (message_id, actor_id, action, from_state, to_state, comment, created_at)
            SELECT id, NULL, 'submit', NULL, 'new', NULL, received FROM scale_msgs ORDER BY id""")
        con.execute("""
            INSERT INTO message_events (message_id, actor_id, action, from_state, to_state, comment, created_at)
            SELECT m.id, (SELECT min(u.id) FROM users u WHERE u.username = 'webmaster'), 'route', 'new', 'routed',
                   NULL, m.received + INTERVAL 4 HOUR
            FROM scale_msgs m WHERE m.state NOT IN ('rejected', 'merged') ORDER BY m.id""")
        con.execute("DROP TABLE scale_msgs")
        con.execute("DROP TABLE scale_src")


def add_audit(con, total: int) -> int:
    """Audit rows up to `total`, in batches, each sealed by core.audit.seal (the chain stays valid)."""
    have = scalar(con, "SELECT count(*) FROM audit_log")
    users = [r[0] for r in con.execute("SELECT username FROM users ORDER BY id").fetchall()]
    added = 0
    while have + added < total:
        batch = min(AUDIT_BATCH, total - have - added)
        with transaction(con):
            con.execute("""
                INSERT INTO audit_log (created_at, actor, role, action, object, summary, client)
                SELECT current_localtimestamp() - INTERVAL 1 DAY - to_seconds((? - i) * 97 % (3 * 365 * 86400)),
                       list_element(?, (i % len(?)) + 1), 'officer',
                       list_element(?, (i % len(?)) + 1), 'article:' || (i % 100000 + 1),
                       '{"标题":"基准测试记录 ' || i || '"}', 'c' || (i % 500)
                FROM range(?, ?) t(i) ORDER BY i""",
                        [total, users, users, AUDIT_ACTIONS, AUDIT_ACTIONS, added, added + batch])
        audit.seal(con)
        added += batch
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description="生成规模测试数据库(演示数据 + 10 万稿件、5 万留言、100 万审计记录)")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--audit", type=int, default=1_000_000, help="审计记录总数(含导入时写入的)")
    parser.add_argument("--verify", action="store_true", help="最后校验审计哈希链")
    args = parser.parse_args()
    started, used = time.perf_counter(), cpu_seconds()
    print(f"规模数据库 {args.out}(共享机器,{os.cpu_count()} 核;墙钟与本进程 CPU 秒)")
    step("演示数据库(core init --demo)", lambda: make_demo(args.out))
    con = connect(args.out)
    with tempfile.TemporaryDirectory(prefix="scale-db-") as folder:
        imported = step(f"导入 {args.articles} 篇稿件(core.importer)",
                        lambda: import_articles(con, args.articles, Path(folder)))
    step(f"{args.messages} 条留言(批量)", lambda: add_messages(con, args.messages))
    step(f"审计记录补足到 {args.audit} 条并封链", lambda: add_audit(con, args.audit))
    if args.verify:
        result = step("校验审计哈希链", lambda: audit.verify(con))
        print(f"  {result.message}")
    con.execute("CHECKPOINT")
    counts = {name: scalar(con, f"SELECT count(*) FROM {name}")  # noqa: S608 (fixed table names)
              for name in ("articles", "messages", "message_events", "audit_log", "audit_chain")}
    con.close()
    print(f"  导入 {imported} 篇;各表行数 {counts}")
    print(f"合计 {time.perf_counter() - started:.1f} s(CPU {cpu_seconds() - used:.1f} s),"
          f"文件 {args.out.stat().st_size / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
