"""Backups and recovery (第二十条): consistent snapshots with a manifest, verified restores into a new
file, retention, the daily schedule, the command line, and durability of committed writes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from core import accounts, audit, backup, cli, keys, scheduler, security_audit, settings, workflow
from core.db import connect, rows, scalar, transaction
from core.errors import PermissionDenied

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """The command line finds the backup key beside PORTAL_DB, as on the server (data/backup.key)."""
    monkeypatch.setenv("PORTAL_DB", str(tmp_path / "portal.duckdb"))


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "site"
    (folder / "news").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>陕西省工业和信息化厅</h1>", encoding="utf-8")
    (folder / "news" / "1.html").write_text("<p>新闻</p>", encoding="utf-8")
    return folder


def publish_one(con, org, title="全省工业运行调度会召开"):
    article = workflow.create_article(con, org.officer, org.col_dz, title, "<p>正文</p>", "电子信息处")
    article = workflow.submit(con, org.officer, article.id, article.version)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    return workflow.publish(con, org.officer, article.id, article.version)


def parse(argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p):
        p.add_argument("--db", type=Path, default=None)
        return p

    cli.register(sub, with_db)
    return parser.parse_args(argv)


# ---------------------------------------------------------------- create, verify, restore

def test_backup_has_a_manifest_and_the_site(con, org, tmp_path, site):
    publish_one(con, org)
    report = backup.create_backup(con, tmp_path / "backups", site, actor=org.tech)
    assert report.ok and report.path.name.startswith("portal-")
    manifest = json.loads((report.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["articles"]["rows"] == 1
    assert set(manifest["tables"]) >= {"users", "articles", "audit_log", "audit_chain", "schema_migrations"}
    assert manifest["audit_head"]["seq"] >= 1 and manifest["site"]["archive"] == "site.tar.gz"
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    assert (report.path / "site.tar.gz").is_file()
    run = backup.last_runs(con)["success"]
    assert run["ok"] and run["actor"] == "tech" and run["path"] == str(report.path)
    assert security_audit.search(con, org.tech, action="backup.create")[0]["actor"] == "tech"
    assert backup.verify_backup(report.path).ok


def test_restore_into_a_new_file_equals_the_original_table_by_table(con, org, tmp_path, site):
    publish_one(con, org)
    report = backup.create_backup(con, tmp_path / "backups", site, actor=org.tech)
    target = tmp_path / "restored" / "portal.duckdb"
    restored = backup.restore(report.path, target, tmp_path / "site_restored")
    assert restored.ok and target.exists()
    assert (tmp_path / "site_restored" / "site" / "index.html").read_text(encoding="utf-8").startswith("<h1>")
    copy = connect(target)
    try:
        manifest = backup.read_manifest(report.path)
        for table, expected in manifest["tables"].items():
            if table in ("audit_log", "audit_chain"):
                continue  # the restore adds its own row
            assert backup.table_fingerprint(copy, table) == expected, table
        article = copy.execute("SELECT title, public FROM articles").fetchone()
        assert article == ("全省工业运行调度会召开", True)
        assert accounts.verify_password(copy, "officer", "Test-Passw0rd!")  # the hashes came along
        assert audit.verify(copy).ok
        assert scalar(copy, "SELECT count(*) FROM audit_log WHERE action = 'backup.restore'") == 1
        # sequences continue: new rows do not collide
        workflow.create_article(copy, accounts.find_user(copy, "officer"), org.col_dz, "恢复后的新稿件",
                                "<p>x</p>", "电子信息处")
    finally:
        copy.close()


def test_restore_never_overwrites(con, org, tmp_path):
    report = backup.create_backup(con, tmp_path / "b", None, actor=org.tech)
    existing = tmp_path / "existing.duckdb"
    existing.write_bytes(b"keep me")
    with pytest.raises(backup.BackupError, match="已存在"):
        backup.restore(report.path, existing)
    assert existing.read_bytes() == b"keep me"


def test_a_damaged_backup_is_refused(con, org, tmp_path):
    publish_one(con, org)
    report = backup.create_backup(con, tmp_path / "b", None, actor=org.tech)
    parquet = report.path / "db" / "articles.parquet"
    parquet.write_bytes(parquet.read_bytes()[:-20] + b"\0" * 20)
    checked = backup.verify_backup(report.path)
    assert not checked.ok and any("articles.parquet" in p for p in checked.problems)
    with pytest.raises(backup.BackupError, match="校验未通过"):
        backup.restore(report.path, tmp_path / "r.duckdb")
    assert not (tmp_path / "r.duckdb").exists()


def test_content_that_disagrees_with_the_manifest_is_refused(con, org, tmp_path):
    """Files re-checksummed after a change still fail: the tables are compared with the manifest."""
    publish_one(con, org)
    report = backup.create_backup(con, tmp_path / "b", None, actor=org.tech)
    parquet = report.path / "db" / "articles.parquet"
    scratch = duckdb.connect()
    scratch.execute(f"COPY (SELECT * REPLACE ('篡改的标题' AS title) FROM read_parquet('{parquet}')) "
                    f"TO '{parquet}.new' (FORMAT parquet)")
    scratch.close()
    os.replace(f"{parquet}.new", parquet)
    manifest = json.loads((report.path / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["db/articles.parquet"] = {"sha256": audit.file_sha256(parquet), "bytes": parquet.stat().st_size}
    key = keys.read_key(tmp_path / keys.BACKUP_KEY, create=False)  # even one who holds the key
    manifest["signature"]["mac"] = keys.manifest_mac(key, manifest)
    (report.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(backup.BackupError, match="articles"):
        backup.restore(report.path, tmp_path / "r.duckdb")
    assert not (tmp_path / "r.duckdb").exists()
    assert "articles" in " ".join(backup.verify_backup(report.path).problems)


def test_backup_needs_the_role(con, org, tmp_path):
    for role in ("officer", "analyst", "head"):
        with pytest.raises(PermissionDenied):
            backup.create_backup(con, tmp_path, None, actor=getattr(org, role))
    assert backup.create_backup(con, tmp_path / "w", None, actor=org.webmaster).ok


def test_round_trip_while_writes_go_on(con, org, tmp_path):
    """Writers commit pairs (a notice and its audit row) and articles during the backup: the
    restore equals the snapshot table by table, and no transaction is torn."""
    stop = threading.Event()
    errors: list = []

    def pairs(n: int) -> None:
        cur = con.cursor()
        try:
            k = 0
            while not stop.is_set():
                with transaction(cur):
                    cur.execute("INSERT INTO outbox (kind, subject, body, dedup_key) VALUES ('test', 's', 'b', ?)",
                                [f"pair:{n}:{k}"])
                    audit.record(cur, "writer", "test.pair", f"pair:{n}:{k}")
                k += 1
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            cur.close()

    def articles() -> None:
        cur = con.cursor()
        officer = accounts.find_user(cur, "officer")
        try:
            while not stop.is_set():
                workflow.create_article(cur, officer, org.col_dz, "并发写入的稿件", "<p>x</p>", "电子信息处")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            cur.close()

    threads = [threading.Thread(target=pairs, args=(n,)) for n in range(3)] + [threading.Thread(target=articles)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    try:
        report = backup.create_backup(con, tmp_path / "b", None, actor=org.tech)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    live_pairs = scalar(con, "SELECT count(*) FROM outbox WHERE kind = 'test'")
    restored = backup.restore(report.path, tmp_path / "r.duckdb")  # compares every table with the manifest
    copy = connect(tmp_path / "r.duckdb")
    try:
        notices = {r["dedup_key"] for r in rows(copy, "SELECT dedup_key FROM outbox WHERE kind = 'test'")}
        logged = {r["object"] for r in rows(copy, "SELECT object FROM audit_log WHERE action = 'test.pair'")}
        assert notices == logged and 0 < len(notices) < live_pairs  # a snapshot from the middle, not torn
        assert scalar(copy, "SELECT count(*) FROM articles") == scalar(
            copy, "SELECT count(*) FROM audit_log WHERE action = 'workflow.create'")
        assert audit.verify(copy).ok
    finally:
        copy.close()
    assert restored.rows > 0


# ---------------------------------------------------------------- retention

def test_keep_daily_and_weekly():
    start = dt.datetime(2026, 11, 26, 2, 30)
    stamps = [start - dt.timedelta(days=d) for d in range(60)] + [start - dt.timedelta(hours=1)]
    keep = backup.to_keep(stamps, keep_daily=7, keep_weekly=4)
    days = {s.date() for s in keep}
    assert {start.date() - dt.timedelta(days=d) for d in range(7)} <= days
    # 26 Nov 2026 is a Thursday: weeks 48 and 47 are covered by the daily ones; weeks 46 and 45 keep
    # their newest backup, Sunday's
    weekly = keep - {s for s in keep if s >= start - dt.timedelta(days=6)}
    assert sorted(weekly) == [dt.datetime(2026, 11, 8, 2, 30), dt.datetime(2026, 11, 15, 2, 30)]
    assert start in keep and start - dt.timedelta(hours=1) not in keep  # one per day: the newest
    assert len(keep) == 9


def test_prune_applies_the_settings_and_touches_nothing_else(con, org, tmp_path):
    dest = tmp_path / "b"
    settings.set_values(con, org.webmaster, {"backup_keep_daily": 2, "backup_keep_weekly": 1})
    made = [backup.create_backup(con, dest, None, actor=org.tech, now=dt.datetime(2026, 11, d, 2, 30)).path.name
            for d in (20, 21, 22, 23, 24)]
    (dest / "notes").mkdir()
    (dest / "portal-20000101-000000").mkdir()  # no manifest: not ours to delete
    remaining = sorted(p.name for p in dest.iterdir())
    assert remaining == sorted([made[3], made[4], "notes", "portal-20000101-000000"])


# ---------------------------------------------------------------- the schedule

def test_daily_backup_is_due_once_after_its_time(con, org, tmp_path):
    settings.set_values(con, org.webmaster, {"backup_time": "02:30", "backup_dir": str(tmp_path / "daily")})
    day = dt.datetime(2026, 11, 26)
    assert not backup.due(con, day.replace(hour=2, minute=29))
    assert backup.due(con, day.replace(hour=2, minute=31))
    result = scheduler.maintenance(con, None, day.replace(hour=2, minute=31))
    assert result["backup"]["ok"] and result["audit_ok"]
    assert not backup.due(con, day.replace(hour=23))
    assert backup.due(con, day.replace(hour=2, minute=31) + dt.timedelta(days=1))
    assert scheduler.maintenance(con, None, day.replace(hour=23)) == {"backup": None}
    with pytest.raises(Exception, match="HH:MM"):
        settings.set_values(con, org.webmaster, {"backup_time": "25:00"})


def test_a_failed_scheduled_backup_is_shown_retried_and_suggests_an_incident(con, org, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.set_values(con, org.webmaster, {"backup_dir": str(blocker)})
    now = dt.datetime.now().replace(hour=12)
    assert not scheduler.maintenance(con, None, now)["backup"]["ok"]
    assert backup.last_runs(con)["failure"]["trigger"] == "scheduled"
    assert not backup.due(con, now + dt.timedelta(minutes=30))  # retried at most hourly
    assert backup.due(con, now + dt.timedelta(minutes=61))
    from core import incidents

    assert [i["source"] for i in incidents.listing(con, org.tech, ["suggested"])] == ["backup"]


def test_scheduler_thread_makes_the_daily_backup(con, org, tmp_path):
    settings.set_values(con, org.webmaster, {"backup_time": "00:00", "backup_dir": str(tmp_path / "sched")})
    runner = scheduler.Scheduler(con, None, interval=0.05, backups=True).start()
    try:
        for _ in range(200):
            if backup.last_runs(con)["success"]:
                break
            time.sleep(0.05)
    finally:
        runner.stop()
    assert backup.last_runs(con)["success"]["trigger"] == "scheduled"
    assert backup.backups_in(tmp_path / "sched")


# ---------------------------------------------------------------- the command line

def test_cli_backup_verify_and_restore_handlers(tmp_path, con, org, capsys):
    publish_one(con, org)
    con.close()
    db = tmp_path / "portal.duckdb"
    args = parse(["backup", "--db", str(db), "--dest", str(tmp_path / "b")])
    assert not cli.needs_db(args)
    assert cli.COMMANDS["backup"](None, args) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["ok"] and made["tables"] > 20
    verify = parse(["backup", "verify", made["path"]])
    assert not cli.needs_db(verify)
    assert cli.COMMANDS["backup"](None, verify) == 0
    restore = parse(["restore", made["path"], "--to", str(tmp_path / "new.duckdb")])
    assert not cli.needs_db(restore)
    assert cli.COMMANDS["restore"](None, restore) == 0
    assert cli.COMMANDS["restore"](None, restore) == 1  # the file exists now: never overwritten
    assert "已存在" in capsys.readouterr().err
    (Path(made["path"]) / "manifest.json").unlink()
    assert cli.COMMANDS["backup"](None, verify) == 1


def test_cli_backup_while_the_workbench_holds_the_database(tmp_path, con, org):
    """The command cannot open a held file: it asks the holder (the workbench's scheduler) instead."""
    con.close()
    db = tmp_path / "portal.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from core.db import connect\nfrom core import backup\n"
         f"con = connect({str(db)!r})\nprint('ready', flush=True)\n"
         "deadline = time.time() + 60\n"
         "while time.time() < deadline:\n"
         "    if backup.serve_requests(con, None):\n"
         "        break\n"
         "    time.sleep(0.1)\n"
         "con.close()\n"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"})
    try:
        assert holder.stdout.readline().strip() == "ready"
        args = parse(["backup", "--db", str(db), "--dest", str(tmp_path / "via-workbench"), "--wait", "60"])
        assert cli.COMMANDS["backup"](None, args) == 0
    finally:
        holder.wait(timeout=60)
    found = backup.backups_in(tmp_path / "via-workbench")
    assert len(found) == 1 and backup.verify_backup(found[0][1]).ok
    reopened = connect(db)
    try:
        assert backup.last_runs(reopened)["success"]["trigger"] == "cli"
    finally:
        reopened.close()


# ---------------------------------------------------------------- durability

WRITER = """
import sys, time
from core.db import connect, transaction
from core import accounts, audit, workflow
con = connect(sys.argv[1])
officer = accounts.find_user(con, "officer")
column = int(sys.argv[2])
batch = 0
while True:
    ids = []
    with transaction(con):
        for i in range(25):
            ids.append(workflow.create_article(con, officer, column, f"批次 {batch} 第 {i} 篇", "<p>x</p>",
                                               "电子信息处").id)
            time.sleep(0.002)
    print("committed", batch, ",".join(map(str, ids)), flush=True)
    batch += 1
"""


def test_a_writer_killed_mid_batch_loses_nothing_committed(tmp_path, con, org):
    column = org.col_dz
    con.close()
    db = tmp_path / "portal.duckdb"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(column)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"})
    committed: list[int] = []
    try:
        while len(committed) < 4 * 25:
            line = writer.stdout.readline()
            assert line.startswith("committed"), line
            committed += [int(x) for x in line.split()[2].split(",")]
        time.sleep(0.02)  # well inside the next batch
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        committed += [int(x) for line in writer.stdout.read().splitlines() if line.startswith("committed")
                      for x in line.split()[2].split(",")]
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == -signal.SIGKILL
    reopened = connect(db)
    try:
        present = {r["id"] for r in rows(reopened, "SELECT id FROM articles")}
        assert set(committed) <= present  # nothing committed was lost
        assert len(present) == len(committed) and len(present) % 25 == 0  # the batch in flight left no trace
        logged = scalar(reopened, "SELECT count(*) FROM audit_log WHERE action = 'workflow.create'")
        assert logged == len(present)
        assert audit.verify(reopened).ok
    finally:
        reopened.close()
