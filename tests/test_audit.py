"""The audit log (第二十条): sealed in commit order, tampering found and named, retention and
archive with an anchor, the `audit` commands, and a log row for every write path."""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import re
import threading
from pathlib import Path

import pytest

from core import (
    accounts,
    attachments,
    audit,
    cli,
    columns,
    incidents,
    lexicon,
    login,
    requests,
    security_audit,
    settings,
    workflow,
)
from core.db import rows, scalar
from core.errors import PermissionDenied, ValidationError
from tests.conftest import PASSWORD

CORE = Path(__file__).resolve().parent.parent / "core"


def write_some(con, actor, n=5, action="test.write"):
    for i in range(n):
        audit.record(con, actor, action, f"thing:{i}", f"第 {i} 条")


def tamper(con, sql, params=()):
    con.execute(sql, list(params))


# ---------------------------------------------------------------- the chain

def test_rows_are_sealed_and_verified(con, org):
    write_some(con, org.tech)
    result = audit.verify(con)
    assert result.ok and result.checked == scalar(con, "SELECT count(*) FROM audit_log")
    assert audit.unsealed_count(con) == 0
    assert "完整" in result.message
    chain = rows(con, "SELECT seq, prev_hash, row_hash FROM audit_chain ORDER BY seq")
    assert chain[0]["prev_hash"] == audit.GENESIS
    assert all(a["row_hash"] == b["prev_hash"] for a, b in zip(chain, chain[1:], strict=False))


def test_an_intact_chain_is_answered_by_one_set_based_pass(con, org):
    """安全审计 opens with a check of the whole chain: the set-based pass recomputes every hash as the
    walk does (quotes, backslashes, line breaks, Chinese, emoji, empty fields), so it alone answers an intact
    chain; a row its JSON cannot reproduce (a control character) sends the check to the exact walk, which
    still finds the chain intact."""
    audit.record(con, org.tech, "test.write", "对象\"引号\\反斜", "换行\n制表\t回车\r 😀 <>&'")
    audit.record(con, None, "test.write", "", "", client="10.0.0.1")
    write_some(con, org.tech)
    audit.seal(con)
    total = scalar(con, "SELECT count(*) FROM audit_log")
    assert audit._intact_in_sql(con, *audit.anchor(con)) == (total, 1, total)
    assert audit.verify(con).ok
    audit.record(con, org.tech, "test.write", "控制符", "\x01\x1f")
    audit.seal(con)
    assert audit._intact_in_sql(con, *audit.anchor(con)) is None
    checked = audit.verify(con)
    assert checked.ok and checked.checked == total + 1
    tamper(con, "UPDATE audit_log SET summary = '改过' WHERE object = 'thing:2'")
    assert audit._intact_in_sql(con, *audit.anchor(con)) is None
    assert not audit.verify(con).ok


# ---------------------------------------------------------------- checkpoint and the full walk (issue 16)

def head(con):
    return con.execute("SELECT seq, row_hash FROM audit_chain ORDER BY seq DESC LIMIT 1").fetchone()


def test_opening_checks_from_the_checkpoint_and_the_checkpoint_advances(con, org):
    write_some(con, org.tech, 4)
    assert audit.checkpoint(con) is None and audit.last_full_check(con) is None
    first = audit.check_recent(con)  # no checkpoint yet: a walk from the anchor, recorded as the full walk
    assert first.ok and audit.checkpoint(con) == head(con)
    full = audit.last_full_check(con)
    assert full is not None and full.ok and full.checked == first.checked and "通过" in full.label
    before = audit.checkpoint(con)
    write_some(con, org.tech, 3)
    again = audit.check_recent(con)
    assert again.ok and again.last_seq == before[0] + 3 and again.checked == scalar(con, "SELECT count(*) FROM audit_chain")
    assert audit.checkpoint(con) == head(con) != tuple(before)
    # the second open walked only what came after the checkpoint: its full-walk record is the first one's
    assert audit.last_full_check(con) == full


def test_tampering_after_the_checkpoint_is_found_on_opening(con, org):
    write_some(con, org.tech, 4)
    assert audit.check_recent(con).ok
    point = audit.checkpoint(con)
    write_some(con, org.tech, 4)
    audit.seal(con)
    victim, seq = con.execute("SELECT audit_id, seq FROM audit_chain WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET 1",
                              [point[0]]).fetchone()
    tamper(con, "UPDATE audit_log SET summary = '篡改' WHERE id = ?", [victim])
    found = audit.check_recent(con)
    assert not found.ok and found.broken_seq == seq and found.broken_id == victim and "修改" in found.reason
    assert audit.checkpoint(con) == point  # a broken pass does not move it
    tamper(con, "DELETE FROM audit_log WHERE id = ?", [victim])
    assert "删除" in audit.check_recent(con).reason


def test_the_checkpoint_row_itself_and_a_cut_tail_are_found_on_opening(con, org):
    write_some(con, org.tech, 5)
    assert audit.check_recent(con).ok
    seq, _digest = audit.checkpoint(con)
    victim = scalar(con, "SELECT audit_id FROM audit_chain WHERE seq = ?", [seq])
    tamper(con, "UPDATE audit_log SET object = 'thing:x' WHERE id = ?", [victim])
    found = audit.check_recent(con)
    assert not found.ok and found.broken_seq == seq and found.broken_id == victim
    # the newest seals deleted back past the checkpoint (with their rows): the full walk alone cannot see it
    tamper(con, "DELETE FROM audit_chain WHERE seq >= ?", [seq - 1])
    tamper(con, "DELETE FROM audit_log WHERE id NOT IN (SELECT audit_id FROM audit_chain)")
    assert audit.verify(con, seal_first=False).ok
    cut = audit.check_recent(con)
    assert not cut.ok and cut.broken_seq == seq and "缺失" in cut.reason


def test_tampering_before_the_checkpoint_is_found_by_the_full_walk_and_shown_on_the_page(con, org, tmp_path):
    from core import scheduler
    from tests.apptest_helpers import app_as, open_page, texts

    write_some(con, org.tech, 6)
    assert audit.check_recent(con).ok
    victim, seq = con.execute("SELECT audit_id, seq FROM audit_chain ORDER BY seq LIMIT 1 OFFSET 2").fetchone()
    tamper(con, "UPDATE audit_log SET summary = '篡改' WHERE id = ?", [victim])
    # opening trusts what the checkpoint covers: the change is not seen there …
    assert audit.check_recent(con).ok
    # … the scheduler's daily full walk finds and names it, and opens a suggested incident
    later = dt.datetime.now() + dt.timedelta(hours=audit.FULL_CHECK_HOURS + 1)
    assert audit.full_check_due(con, later)
    result = scheduler.tick(con, None, later)
    assert result["audit_full_check"] is False
    full = audit.last_full_check(con)
    assert not full.ok and full.broken_seq == seq and f"{later:%Y-%m-%d %H:%M}" in full.label
    assert scalar(con, "SELECT count(*) FROM incidents WHERE status = 'suggested' AND dedup_key = ?",
                  [f"audit_chain:{seq}"]) == 1
    assert not audit.full_check_due(con, later)  # once a day
    assert scheduler.tick(con, None, later)["audit_full_check"] is None
    con.close()
    at = open_page(app_as(tmp_path / "portal.duckdb", "tech"), "security_audit")
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert f"完整校验:{later:%Y-%m-%d %H:%M} 发现断裂" in errors and f"日志编号 {victim}" in errors
    assert "哈希链完整" not in texts(at) and at.metric[0].value == "断裂"


def test_the_page_shows_the_full_walk_and_its_time(con, org, tmp_path):
    from tests.apptest_helpers import app_as, open_page, texts

    write_some(con, org.tech, 3)
    when = dt.datetime(2026, 12, 1, 3, 5)
    assert audit.check_full(con, when).ok
    con.close()
    at = open_page(app_as(tmp_path / "portal.duckdb", "tech"), "security_audit")
    assert not at.exception and not at.error
    assert "完整校验:2026-12-01 03:05 通过" in texts(at) and "哈希链完整" in texts(at)


def test_rows_written_in_a_transaction_are_sealed_after_commit(con, org):
    from core.db import transaction

    audit.seal(con)
    with transaction(con):
        audit.record(con, org.tech, "test.inside", "x")
        assert audit.seal(con) == 0  # not committed yet: the sealer cannot see it
    assert audit.seal_if_pending(con) == 1


def test_a_row_committed_long_after_later_rows_is_still_sealed(con, org, monkeypatch):
    """The pass of every run looks only near the newest seals; the full pass (scheduler,
    verify, backup) seals a row whose transaction outlived many later rows, and the chain holds."""
    from core.db import transaction

    monkeypatch.setattr(audit, "RECENT_IDS", 2)
    audit.seal(con)
    late = con.cursor()
    with transaction(late):
        audit.record(late, org.tech, "test.late", "x")
        for n in range(5):
            audit.record(con, org.tech, "test.meanwhile", str(n))  # autocommitted, sealed at once
    audit.seal_if_pending(con)
    assert audit.seal(con) == 1 and audit.unsealed_count(con) == 0
    result = audit.verify(con)
    assert result.ok and result.checked == scalar(con, "SELECT count(*) FROM audit_log")
    last = rows(con, "SELECT a.action FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id ORDER BY c.seq")
    assert last[-1]["action"] == "test.late"


def test_a_rolled_back_change_leaves_no_row(con, org):
    from core.db import transaction

    before = scalar(con, "SELECT count(*) FROM audit_log")
    with pytest.raises(RuntimeError), transaction(con):
        audit.record(con, org.tech, "test.rollback", "x")
        raise RuntimeError("boom")
    assert scalar(con, "SELECT count(*) FROM audit_log") == before
    assert audit.verify(con).ok


@pytest.mark.parametrize("how", ["update_summary", "update_actor", "update_time"])
def test_an_updated_row_is_named(con, org, how):
    write_some(con, org.tech, 6)
    assert audit.verify(con).ok
    victim = scalar(con, "SELECT audit_id FROM audit_chain ORDER BY seq LIMIT 1 OFFSET 3")
    seq = scalar(con, "SELECT seq FROM audit_chain WHERE audit_id = ?", [victim])
    sql = {"update_summary": "UPDATE audit_log SET summary = 'nothing happened' WHERE id = ?",
           "update_actor": "UPDATE audit_log SET actor = 'someone_else' WHERE id = ?",
           "update_time": "UPDATE audit_log SET created_at = created_at - INTERVAL 1 DAY WHERE id = ?"}[how]
    tamper(con, sql, [victim])
    result = audit.verify(con)
    assert not result.ok and result.broken_seq == seq and result.broken_id == victim
    assert f"序号 {seq}" in result.message and "修改" in result.message


def test_a_deleted_row_is_named(con, org):
    write_some(con, org.tech, 6)
    audit.seal(con)
    victim, seq = con.execute("SELECT audit_id, seq FROM audit_chain ORDER BY seq LIMIT 1 OFFSET 2").fetchone()
    tamper(con, "DELETE FROM audit_log WHERE id = ?", [victim])
    result = audit.verify(con)
    assert not result.ok and result.broken_seq == seq and "删除" in result.reason


def test_a_deleted_row_and_its_seal_are_found_as_a_gap(con, org):
    write_some(con, org.tech, 6)
    audit.seal(con)
    victim, seq = con.execute("SELECT audit_id, seq FROM audit_chain ORDER BY seq LIMIT 1 OFFSET 2").fetchone()
    tamper(con, "DELETE FROM audit_log WHERE id = ?", [victim])
    tamper(con, "DELETE FROM audit_chain WHERE seq = ?", [seq])
    result = audit.verify(con)
    assert not result.ok and result.broken_seq == seq and "缺失" in result.reason


def test_reordering_is_detected(con, org):
    write_some(con, org.tech, 6)
    audit.seal(con)
    (a, sa), (b, sb) = con.execute("SELECT audit_id, seq FROM audit_chain ORDER BY seq LIMIT 2 OFFSET 2").fetchall()
    # swap which rows the two seals point at (the log "reads" in another order)
    tamper(con, "UPDATE audit_chain SET audit_id = -1 WHERE seq = ?", [sa])
    tamper(con, "UPDATE audit_chain SET audit_id = ? WHERE seq = ?", [a, sb])
    tamper(con, "UPDATE audit_chain SET audit_id = ? WHERE seq = ?", [b, sa])
    result = audit.verify(con)
    assert not result.ok and result.broken_seq == sa


def test_swapping_two_rows_contents_is_detected(con, org):
    write_some(con, org.tech, 6)
    audit.seal(con)
    (a,), (b,) = con.execute("SELECT audit_id FROM audit_chain ORDER BY seq LIMIT 2 OFFSET 1").fetchall()
    first = con.execute("SELECT summary FROM audit_log WHERE id = ?", [a]).fetchone()[0]
    second = con.execute("SELECT summary FROM audit_log WHERE id = ?", [b]).fetchone()[0]
    tamper(con, "UPDATE audit_log SET summary = ? WHERE id = ?", [second, a])
    tamper(con, "UPDATE audit_log SET summary = ? WHERE id = ?", [first, b])
    assert audit.verify(con).broken_id == a


def test_concurrent_writers_cannot_fork_the_chain(con, org):
    """Eight threads, each with its own cursor and transactions, recording at once."""
    from core.db import transaction

    errors = []

    def writer(n: int) -> None:
        cur = con.cursor()
        try:
            for i in range(40):
                with transaction(cur):
                    audit.record(cur, f"writer{n}", "test.concurrent", f"w{n}:{i}")
                if i % 7 == 0:
                    audit.seal(cur)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            cur.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = audit.verify(con)
    assert result.ok
    assert scalar(con, "SELECT count(*) FROM audit_chain") == scalar(con, "SELECT count(*) FROM audit_log")
    assert scalar(con, "SELECT count(DISTINCT prev_hash) FROM audit_chain") == scalar(
        con, "SELECT count(*) FROM audit_chain")  # no two rows share a predecessor: no fork


def test_client_address_comes_from_the_run_context(con, org):
    with audit.client_context("198.51.100.77"):
        audit.record(con, org.tech, "test.client", "x")
    audit.record(con, org.tech, "test.client", "y")
    assert [r["client"] for r in rows(con, "SELECT client FROM audit_log WHERE action = 'test.client' ORDER BY id")] \
        == ["198.51.100.77", None]


# ---------------------------------------------------------------- retention and archive

def age(con, days):
    con.execute("UPDATE audit_log SET created_at = created_at - to_days(?)", [days])


def test_archive_moves_only_rows_past_retention_and_verify_still_passes(con, org, tmp_path):
    write_some(con, org.tech, 10, "test.old")
    audit.seal(con)
    # rebuild the chain after ageing the rows (as if written 200 days ago)
    con.execute("DELETE FROM audit_chain")
    age(con, 200)
    audit.seal(con)
    write_some(con, org.tech, 3, "test.new")
    total = scalar(con, "SELECT count(*) FROM audit_log")
    done = security_audit.archive(con, org.tech, tmp_path / "arch")
    assert done.rows == total - 3 and done.file.exists()
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'test.new'") == 3
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'test.old'") == 0
    assert scalar(con, "SELECT min(created_at) FROM audit_log") > security_audit.retention_cutoff(con)
    after = audit.verify(con)
    assert after.ok and after.first_seq == done.last_seq + 1
    anchor = audit.anchors(con)[0]
    assert audit.verify_archive(anchor["file"], anchor["prev_hash"]).ok
    assert audit.file_sha256(anchor["file"]) == anchor["file_sha256"]
    assert rows(con, "SELECT action FROM audit_log WHERE action = 'audit.archive'")


def test_nothing_younger_than_retention_is_archived(con, org, tmp_path):
    write_some(con, org.tech, 5)
    assert security_audit.archive(con, org.tech, tmp_path / "arch").rows == 0
    with pytest.raises(ValidationError, match="180 天"):
        security_audit.archive(con, org.tech, tmp_path / "arch", before=dt.datetime.now() - dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="不能小于 180"):
        settings.set_values(con, org.webmaster, {"audit_retention_days": 30})
    assert audit.verify(con).ok


def test_archive_refuses_a_broken_chain_and_the_wrong_role(con, org, tmp_path):
    write_some(con, org.tech, 3)
    audit.seal(con)
    with pytest.raises(PermissionDenied):
        security_audit.archive(con, org.webmaster, tmp_path)
    con.execute("UPDATE audit_log SET summary = 'x' WHERE id = (SELECT min(id) FROM audit_log)")
    with pytest.raises(ValidationError, match="断裂"):
        security_audit.archive(con, org.tech, tmp_path)


def test_search_filters_and_export_is_logged(con, org):
    login.password_step(con, "officer", "wrong-password", "203.0.113.5")
    login.password_step(con, "officer", PASSWORD, "203.0.113.5")
    found = security_audit.search(con, org.tech, action="auth.login_failed")
    assert [f["actor"] for f in found] == ["officer"] and found[0]["client"] == "203.0.113.5"
    assert found[0]["action_label"] == "登录失败"
    assert len(security_audit.search(con, org.tech, who="offic", since=dt.datetime.now() - dt.timedelta(hours=1))) >= 2
    assert security_audit.search(con, org.tech, until=dt.datetime(2000, 1, 1)) == []
    data = security_audit.export_csv(con, org.webmaster, found, "操作=auth.login_failed").decode("utf-8-sig")
    assert data.splitlines()[0].startswith("编号,链序号,时间") and "officer" in data
    assert security_audit.search(con, org.tech, action="audit.export")[0]["actor"] == "webmaster"
    with pytest.raises(PermissionDenied):
        security_audit.search(con, org.analyst)


def test_search_shows_the_newest_rows_with_their_own_seals(con, org):
    """The newest `limit` rows are picked before their seals are joined (issue 16): each carries its own chain
    position, and a row not sealed yet shows none."""
    write_some(con, org.tech, 6)
    audit.seal(con)
    from core.db import transaction

    with transaction(con):  # recorded inside a transaction: not sealed until the sealer runs
        audit.record(con, org.tech, "test.write", "thing:late", "未封存")
    found = security_audit.search(con, org.tech, limit=4)
    newest = rows(con, "SELECT a.id, c.seq FROM audit_log a LEFT JOIN audit_chain c ON c.audit_id = a.id "
                       "ORDER BY a.id DESC LIMIT 4")
    assert [(f["id"], f["seq"]) for f in found] == [(n["id"], n["seq"]) for n in newest]
    assert found[0]["object"] == "thing:late" and found[0]["seq"] is None and all(f["seq"] for f in found[1:])


# ---------------------------------------------------------------- the commands

def parse(argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p):
        p.add_argument("--db", type=Path, default=None)
        return p

    cli.register(sub, with_db)
    return parser.parse_args(argv)


def test_audit_verify_handler_exit_codes(con, org, capsys):
    write_some(con, org.tech, 4)
    args = parse(["audit", "verify"])
    assert cli.needs_db(args)
    assert cli.COMMANDS["audit"](con, args) == 0
    victim = scalar(con, "SELECT audit_id FROM audit_chain ORDER BY seq LIMIT 1 OFFSET 1")
    con.execute("UPDATE audit_log SET action = 'forged' WHERE id = ?", [victim])
    assert cli.COMMANDS["audit"](con, args) == 1
    err = capsys.readouterr().err
    assert "序号 2" in err and f"日志编号 {victim}" in err


def test_audit_verify_and_archive_through_main(tmp_path, con, org, capsys):
    write_some(con, org.tech, 3)
    con.close()
    db = tmp_path / "portal.duckdb"
    assert cli.main(["audit", "verify", "--db", str(db)]) == 0
    assert cli.main(["audit", "archive", "--db", str(db), "--dest", str(tmp_path / "a")]) == 0
    assert "没有超过保留期限" in capsys.readouterr().out
    assert cli.main(["audit", "archive", "--db", str(db), "--before", dt.date.today().isoformat()]) == 1
    assert cli.main(["audit", "verify", "--db", str(db), "--archives"]) == 0


# ---------------------------------------------------------------- every write path logs

# tables whose writes are bookkeeping, not changes a person makes; every other table is audited
BOOKKEEPING = {
    "schema_migrations": "the migration runner",
    "outbox": "notices queued by an audited change, and the mailer's delivery state",
    "review_seen": "which revision a reviewer last opened (reading, not changing)",
    "site_state": "the portal build's cache and the scheduler's last runs", "portal_built": "the portal build's cache",
    "lexicon_state": "a version counter bumped inside each audited lexicon edit",
    "audit_log": "the log itself", "audit_chain": "the log's seals", "audit_anchor": "the log's archive anchors",
    "audit_checks": "the log's verification checkpoint and the last full walk's result",
    "auth_sessions": "session rows; sign-in, logout and timeouts are logged by core.login",
    "login_failures": "failure counters; every failure and lockout is logged by core.login",
    "login_clients": "failure counters per (user name, address hash); every failure and lockout is logged by core.login",
    "captcha_challenges": "short-lived CAPTCHA hashes of the public desk, single use, purged as they expire",
    "rate_hits": "sliding-window counters of the public desk (keyed hashes of addresses), purged after a day",
    "portal_urls": "the portal build's record of the URLs it wrote and where they moved",
    "site_probes": "the availability probes' measurements; an outage they find opens an audited 安全事件",
}
# public functions that write audited tables without a row of their own, and why
EXEMPT = {
    ("accounts", "ensure_system_user"): "installer: the system account created with the schema",
    ("accounts", "use_totp_step"): "replay guard inside a sign-in that core.login logs",
    ("columns", "seed_kinds"): "installer seed data",
    ("workflow", "seed_chains"): "installer seed data",
    ("db", "apply_migrations"): "schema migrations",
    ("demo_interaction", "load_messages"): "demo content, written inside load_demo, which records demo.load",
    ("demo_proposals", "load"): "demo dates moved back; every move goes through core.proposals, which records each",
    ("demo_support", "load"): "demo dates moved back; every move goes through core.support and core.training, which record each",
    ("manual", "mark_seen"): "a reading mark (the first-login notice goes once the manual was opened), no change",
    ("demo_ratings", "load"): "demo content, written inside load_demo, which records demo.load; test_demo rates through core.ratings",
    ("corrections", "write"): "called inside workflow.publish's transition, whose audit row carries the note",
}
WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)


def _strings(node):
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield n.value
        elif isinstance(n, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in n.values)


def _calls(node) -> set[str]:
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            if isinstance(n.func, ast.Attribute):
                names.add(n.func.attr)
            elif isinstance(n.func, ast.Name):
                names.add(n.func.id)
    return names


def write_paths(sources: dict[str, str] | None = None) -> list[tuple[str, str, set[str], bool]]:
    """(module, function, audited tables it writes, whether it records) for every public function
    and method in core/ (or the given sources), following calls to functions of the same module."""
    if sources is None:
        sources = {p.relative_to(CORE).with_suffix("").as_posix(): p.read_text(encoding="utf-8")
                   for p in sorted(CORE.rglob("*.py"))}
    found = []
    for stem, source in sources.items():
        tree = ast.parse(source)
        defs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        direct = {name: ({m.group(1).lower() for s in _strings(fn) if (m := WRITE.match(s))}, _calls(fn))
                  for name, fn in defs.items()}

        def closure(name, seen, direct=direct):
            if name in seen or name not in direct:
                return set(), False
            seen.add(name)
            tables, calls = direct[name]
            # logging: audit.record, or rows written into audit_log directly (the importer's batches)
            tables, logs = set(tables), "record" in calls or "audit_log" in tables
            for callee in calls & set(direct):
                more, more_logs = closure(callee, seen)
                tables |= more
                logs = logs or more_logs
            return tables, logs

        # entry points: public functions, and public methods of public classes (a private class's
        # methods are reached through the public function that uses it)
        top = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        top += [m for c in tree.body if isinstance(c, ast.ClassDef) and not c.name.startswith("_")
                for m in c.body if isinstance(m, ast.FunctionDef)]
        for fn in top:
            if fn.name.startswith("_") and fn.name != "__init__":
                continue
            tables, logs = closure(fn.name, set())
            audited = {t for t in tables if t not in BOOKKEEPING}
            if audited:
                found.append((stem, fn.name, audited, logs))
    return found


def test_every_write_path_records_an_audit_row():
    """Static: a public function in core/ that writes an audited table, directly or through a
    helper of its module, must reach audit.record. A new write path that forgets fails here."""
    paths = write_paths()
    assert len(paths) >= 30  # the scan sees the real write paths (sanity)
    missing = [f"core/{m}.py {f}() writes {sorted(t)}" for m, f, t, logs in paths
               if not logs and (m, f) not in EXEMPT]
    assert not missing, "write paths without an audit row:\n" + "\n".join(missing)


def test_the_scan_catches_a_silent_write_path():
    source = '''
def _set(con, x):
    con.execute(f"UPDATE columns SET name = ? WHERE id = {x}", ["n"])

def _log(con):
    audit.record(con, None, "columns.update", "column:1")

def rename_logged(con, x):
    _set(con, x)
    _log(con)

def rename_silently(con, x):
    _set(con, x)

def touch_outbox(con):
    con.execute("DELETE FROM outbox WHERE id = 1")
'''
    found = {f: logs for _, f, _, logs in write_paths({"sample": source})}
    assert found == {"rename_logged": True, "rename_silently": False}


class Recorder:
    """A connection that remembers each committed unit of work (a transaction, or one autocommitted
    statement) and whether it wrote an audited table without inserting into audit_log."""

    def __init__(self, con, sink: list):
        self._con, self._sink, self._unit = con, sink, None

    def execute(self, sql, params=None):
        text = sql.strip().upper()
        if text.startswith("BEGIN"):
            self._unit = []
        elif text.startswith("COMMIT"):
            self._sink.append(self._unit or [])
            self._unit = None
        elif text.startswith("ROLLBACK"):
            self._unit = None
        elif self._unit is not None:
            self._unit.append(sql)
        elif WRITE.match(sql):
            self._sink.append([sql])
        return self._con.execute(sql) if params is None else self._con.execute(sql, params)

    def cursor(self):
        return Recorder(self._con.cursor(), self._sink)

    def __getattr__(self, name):
        return getattr(self._con, name)


def unlogged(units) -> list[list[str]]:
    bad = []
    for unit in units:
        tables = {m.group(1).lower() for s in unit if (m := WRITE.match(s))}
        if tables - set(BOOKKEEPING) and "audit_log" not in tables:
            bad.append(unit)
    return bad


def test_every_committed_change_carries_its_audit_row(con, org, tmp_path):
    """Dynamic: drive the write paths through a recording connection; every committed unit that
    changed an audited table inserted its audit row in the same transaction."""
    from core import backup, totp

    units: list = []
    rec = Recorder(con, units)
    wm, officer, head, tech = org.webmaster, org.officer, org.head, org.tech
    user, _ = accounts.create_user(rec, wm, "newbie", "新人", ["officer"], org.dz)
    accounts.set_assignment(rec, wm, user.id, ["officer", "head"], org.dz, display_name="新人甲")
    accounts.reset_password(rec, wm, user.id)
    accounts.set_active(rec, wm, user.id, False)
    accounts.set_active(rec, wm, user.id, True)
    accounts.change_password(rec, officer, "Test-Passw0rd!", "Huashan-Peak-2071!")
    secret = totp.new_secret()
    accounts.enrol_totp(rec, tech, secret, totp.code_at(secret))
    accounts.reset_totp(rec, wm, tech.id)
    login.password_step(rec, "head", "bad")
    login.password_step(rec, "head", PASSWORD)
    column = columns.create_column(rec, wm, {"name": "测试栏目", "slug": "ceshi", "kind": "news", "division_id": org.dz})
    columns.update_column(rec, wm, column, {"name": "测试栏目二"})
    settings.set_values(rec, wm, {"group_quorum": 2})
    workflow.set_chain(rec, wm, "重要", ["head", "leader"])
    officer = accounts.get_user(con, officer.id)
    article = workflow.create_article(rec, officer, org.col_dz, "全省工业运行调度会召开", "<p>正文</p>", "电子信息处")
    article = workflow.save_article(rec, officer, article.id, article.version, title="全省工业运行调度会召开(修订)",
                                    body_html="<p>正文二</p>", source="电子信息处", work_ended_on=None,
                                    importance="一般")
    attachment = attachments.add_attachment(rec, officer, article.id, "a.pdf", b"%PDF-1.4 test")
    attachments.remove_attachment(rec, officer, attachment)
    article = workflow.submit(rec, officer, article.id, article.version)
    article = workflow.return_article(rec, head, article.id, article.version, "请修改")
    article = workflow.submit(rec, officer, article.id, article.version)
    article = workflow.approve(rec, head, article.id, article.version, list(workflow.CHECKLIST))
    article = workflow.publish(rec, officer, article.id, article.version)
    article = workflow.take_down(rec, wm, article.id, article.version, "核实")
    article = workflow.restore(rec, wm, article.id, article.version, "已核实")
    article = workflow.withdraw(rec, officer, article.id, article.version, "撤销")
    workflow.restore_withdrawn(rec, officer, article.id, article.version)
    request = requests.create_request(rec, officer, division_id=org.dz, requested_on=dt.date.today(), content="内容",
                                      source="来源", form="文字", requirements="尽快")
    requests.decline(rec, wm, request, 1, "不予发布")
    word = lexicon.add_word(rec, wm, "测试敏感词", "warn", "")
    lexicon.update_word(rec, wm, word, note="改")
    lexicon.delete_word(rec, wm, word)
    incident = incidents.create(rec, tech, "网页被篡改", "较大", dt.datetime.now(), "首页出现异常链接", [org.dz])
    incidents.add_step(rec, tech, incident, "已下线")
    incidents.close(rec, tech, incident, 1, "已恢复")
    backup.create_backup(rec, tmp_path / "b", None, actor=tech)
    security_audit.export_csv(rec, tech, [], "")
    assert len(units) >= 35
    bad = unlogged(units)
    assert not bad, "changes committed without an audit row:\n" + "\n".join(" | ".join(u)[:300] for u in bad)
    assert audit.verify(con).ok


def test_the_recorder_itself_catches_a_silent_write(con, org):
    from core.db import transaction

    units: list = []
    rec = Recorder(con, units)
    with transaction(rec):
        rec.execute("UPDATE users SET display_name = 'x' WHERE id = ?", [org.officer.id])
    assert unlogged(units)
