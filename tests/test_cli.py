"""`python -m core …` as a user runs it: init is idempotent, status reports, a held database is explained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from core import cli, db

ROOT = Path(__file__).resolve().parent.parent


def run(*args, env=None):
    environment = {**os.environ, "PORTAL_BCRYPT_ROUNDS": "4", **(env or {})}
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          env=environment, timeout=300)


def test_init_is_idempotent_and_status_reports(tmp_path):
    path = tmp_path / "p.duckdb"
    first = run("init", "--db", str(path))
    assert first.returncode == 0, first.stderr
    second = run("init", "--db", str(path))
    assert second.returncode == 0
    status = run("status", "--db", str(path), "--json")
    summary = json.loads(status.stdout)
    assert summary["schema_version"] == max(n for n, _, _ in db.migration_files())
    assert set(summary) >= {"schema_version", "divisions", "columns", "users_by_role", "articles_by_state"}


def test_portal_db_environment_variable(tmp_path):
    path = tmp_path / "env.duckdb"
    result = run("init", env={"PORTAL_DB": str(path)})
    assert result.returncode == 0 and path.exists()


def test_demo_init_then_status(tmp_path):
    path = tmp_path / "demo.duckdb"
    assert run("init", "--db", str(path), "--demo").returncode == 0
    summary = json.loads(run("status", "--db", str(path), "--json").stdout)
    assert summary["divisions"] >= 15 and summary["columns"] >= 40
    assert set(summary["users_by_role"]) == {"officer", "head", "leader", "group", "webmaster", "tech", "analyst"}
    assert sum(summary["articles_by_state"].values()) >= 3000
    assert set(summary["articles_by_state"]) == {"draft", "pending", "returned", "approved", "scheduled",
                                                 "published", "withdrawn", "taken_down"}
    # a second init with --demo changes nothing
    run("init", "--db", str(path), "--demo")
    assert json.loads(run("status", "--db", str(path), "--json").stdout) == summary


def test_a_held_database_is_explained_not_a_lock_trace(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ready', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run("status", "--db", str(path), "--json")
    finally:
        holder.kill()
    assert result.returncode == 3
    assert "正被另一个进程" in result.stderr and "停止工作台" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2():
    assert run("no-such-command").returncode == 2


# prints, after the command's own output, the core modules the process imported
_MODULES = ("import sys; from core.cli import main; rc = main(sys.argv[1:]); "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('core'))), file=sys.stderr); sys.exit(rc)")
# what other commands need and a build does not (issue 16: ~0.6 s imported before every build)
_NOT_FOR_A_BUILD = {"core.cli.workbench", "core.cli.ops", "core.cli.reports", "core.cli.check", "core.cli.access",
                    "core.cli.disclosure", "core.cli.links", "core.cli.site_report", "core.setup", "core.demo",
                    "core.golive", "core.importer", "core.scheduler", "core.accounts", "core.workflow"}


def _modules_of(*args) -> tuple[subprocess.CompletedProcess, set[str]]:
    done = subprocess.run([sys.executable, "-c", _MODULES, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"}, timeout=300)
    return done, set(done.stderr.strip().splitlines()[-1].split())


def test_a_command_imports_only_its_own_module(tmp_path):
    """build-site imports core/cli/build.py and what a build needs, not every command's modules; the list of
    commands (--help) imports none of them and still names every command with its Chinese help."""
    path = tmp_path / "p.duckdb"
    assert run("init", "--db", str(path)).returncode == 0
    built, modules = _modules_of("build-site", "--db", str(path), "--out", str(tmp_path / "site"))
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["mode"] == "full" and (tmp_path / "site" / "index.html").is_file()
    assert {"core.cli.build", "core.portal", "core.search"} <= modules
    assert not modules & _NOT_FOR_A_BUILD, sorted(modules & _NOT_FOR_A_BUILD)
    listed, modules = _modules_of("--help")
    assert listed.returncode == 0
    assert {m for m in modules if m.startswith("core.cli.")} == {"core.cli.common"}
    for command in cli.COMMANDS.values():
        assert command.name in listed.stdout and command.help in listed.stdout


def test_the_command_line_keeps_the_collector_off_what_it_imported():
    """core/__main__.py: the modules imported (the command's too) are frozen out of the cyclic collector before
    the command runs, and again at exit (issue 16: ~75 ms of CPU a build); the collector is on for the command."""
    probe = ("import atexit, gc, json, runpy, sys\n"
             "seen = {}\n"
             "real = gc.enable\n"
             "def enable():\n"
             "    seen.update(frozen=gc.get_freeze_count(), loaded='core.cli.build' in sys.modules)\n"
             "    real()\n"
             "gc.enable = enable\n"
             "atexit.register(lambda: print(json.dumps([seen, gc.get_freeze_count(), gc.isenabled()])))\n"
             "sys.argv = ['core', 'build-site', '--help']\n"
             "runpy.run_module('core', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen, frozen_at_exit, enabled = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["loaded"] and seen["frozen"] > 10_000  # the command's module came before the freeze
    assert frozen_at_exit > 10_000 and enabled  # still frozen at exit, the collector on


def test_every_command_names_what_its_module_has():
    """The registry names a command's functions by name: each resolves, so no command fails only when run."""
    for command in cli.COMMANDS.values():
        module = command.functions()
        for name in (command.handler, command.add_arguments, command.check):
            assert name is None or callable(getattr(module, name, None)), (command.name, name)
        assert command.description is None or isinstance(getattr(module, command.description, None), str)


def test_migrations_upgrade_an_old_database(tmp_path):
    """A database made by an older release (only some migrations) is brought up to date at start."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())")
    number, name, sql = db.migration_files()[0]
    con.execute(sql)
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
    con.execute("INSERT INTO divisions (code, name) VALUES ('old', '旧处室')")
    con.close()
    upgraded = db.connect(path)
    assert db.schema_version(upgraded) == max(n for n, _, _ in db.migration_files())
    assert upgraded.execute("SELECT name FROM divisions").fetchall() == [("旧处室",)]
    assert db.apply_migrations(upgraded) == []
    upgraded.close()


def test_a_failing_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "bad.duckdb"
    good = db.migration_files()
    monkeypatch.setattr(db, "migration_files", lambda: [*good, (9999, "broken", "CREATE TABLE t9999 (x INT); SELEC")])
    try:
        db.connect(path)
    except duckdb.Error:
        pass
    monkeypatch.setattr(db, "migration_files", lambda: good)
    con = db.connect(path)
    assert db.schema_version(con) == good[-1][0]
    assert not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 't9999'").fetchone()[0]


def test_snapshot_reads_while_another_process_holds_the_file(tmp_path):
    path = tmp_path / "held.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO divisions (code, name) VALUES ('a', '甲处')")
    con.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); "
                               "c.execute(\"INSERT INTO divisions (code, name) VALUES ('b', '乙处')\"); "
                               "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        snap = db.snapshot(path, tmp_path / "snap.duckdb")
        names = {r[0] for r in snap.execute("SELECT name FROM divisions").fetchall()}
    finally:
        holder.kill()
    assert names == {"甲处", "乙处"}
    try:
        snap.execute("INSERT INTO divisions (code, name) VALUES ('c', '丙处')")
        raise AssertionError("a snapshot must be read-only")
    except duckdb.Error:
        pass


def _small_database(tmp_path) -> Path:
    path = tmp_path / "portal.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO divisions (code, name) VALUES ('a', '甲处')")
    con.close()
    return path


def test_a_default_snapshot_goes_away_when_the_analyst_closes_it(tmp_path, monkeypatch):
    """第二十条: the redacted copy without `dest` lives in a temporary folder that close() (or the end of a with
    block) removes; an explicit `dest` is the caller's and stays."""
    path = _small_database(tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where mkdtemp puts the snapshot's folder
    snap = db.snapshot(path)
    assert snap.folder.parent == scratch and (snap.folder / "snapshot.duckdb").is_file()
    assert db.scalar(snap, "SELECT name FROM divisions") == "甲处"
    assert snap.execute("SELECT count(*) FROM divisions").fetchone() == (1,)
    snap.close()
    assert not snap.folder.exists() and list(scratch.iterdir()) == []
    snap.close()  # twice is harmless
    with db.snapshot(path) as inside:
        assert db.scalar(inside, "SELECT count(*) FROM divisions") == 1 and inside.folder.exists()
    assert not inside.folder.exists() and list(scratch.iterdir()) == []
    kept = db.snapshot(path, tmp_path / "kept.duckdb")
    kept.close()
    assert (tmp_path / "kept.duckdb").is_file() and list(scratch.iterdir()) == []


def test_a_default_snapshot_left_open_goes_away_when_the_interpreter_exits(tmp_path):
    """A notebook's kernel stopped without closing: the fallback at exit removes the folder (a real process)."""
    path = _small_database(tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    script = ("import sys; from core import db\n"
              f"snap = db.snapshot({str(path)!r})\n"
              "print(snap.folder, (snap.folder / 'snapshot.duckdb').is_file(), flush=True)\n"
              f"print(db.snapshot({str(path)!r}).execute('SELECT name FROM divisions').fetchone()[0])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "TMPDIR": str(scratch)})
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    folder, present = first.rsplit(" ", 1)
    assert Path(folder).parent == scratch and present == "True"  # it was there while the process ran
    assert second == "甲处"  # a chained call keeps its copy while it reads
    assert list(scratch.iterdir()) == []


def test_a_migration_merged_after_a_higher_one_still_runs(tmp_path, monkeypatch):
    path = tmp_path / "gap.duckdb"
    shipped = db.migration_files()
    first = shipped[0]
    late = (first[0] + 500, "late", "CREATE TABLE t_late (x INT);")
    gap = (first[0] + 400, "gap", "CREATE TABLE t_gap (x INT);")
    monkeypatch.setattr(db, "migration_files", lambda: [*shipped, late])
    db.connect(path).close()
    monkeypatch.setattr(db, "migration_files", lambda: [*shipped, gap, late])
    con = db.connect(path)
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 't_gap'").fetchone()[0]


def test_screen_command_exit_codes_and_json(tmp_path):
    path = tmp_path / "s.duckdb"
    assert run("init", "--db", str(path)).returncode == 0
    secret = tmp_path / "secret.txt"
    secret.write_text("关于全省无线电管理工作的情况\n机密★10年\n正文。\n", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("省工信厅召开全省工业经济运行分析会\n会议分析了前三季度运行情况。\n", encoding="utf-8")
    blocked = run("screen", "--db", str(path), "--json", str(secret))
    assert blocked.returncode == 1
    findings = json.loads(blocked.stdout)
    assert findings[0]["rule"] == "classification" and findings[0]["severity"] == "block"
    assert set(findings[0]) == {"rule", "article", "severity", "start", "end", "excerpt", "message"}
    assert run("screen", "--db", str(path), str(clean)).returncode == 0
    assert run("screen", "--db", str(path), str(tmp_path / "missing.txt")).returncode == 2
    piped = subprocess.run([sys.executable, "-m", "core", "screen", "--db", str(path), "-"], cwd=ROOT,
                           input="标题\n内部资料 注意保存\n", capture_output=True, text=True, timeout=120)
    assert piped.returncode == 1 and "内部资料" in piped.stdout


def test_audit_verify_via_the_main_command(tmp_path):
    path = tmp_path / "a.duckdb"
    assert run("init", "--db", str(path)).returncode == 0
    result = run("audit", "verify", "--db", str(path))
    assert result.returncode == 0 and json.loads(result.stdout)["ok"] is True
