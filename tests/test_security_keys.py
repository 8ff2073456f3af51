"""Issue 12, M4, M6 and the backup half of L4: tampered backups, secrets readable by others,
backup commands given a file or a malformed manifest (第二十、二十二条)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from core import accounts, audit, backup, login, mailer, notify, passwords, sessions, settings, totp
from core.db import connect, scalar, snapshot
from core.opening import open_database
from tests.conftest import PASSWORD
from tests.test_notifications import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """The command line finds the backup key beside PORTAL_DB, as on the server (data/backup.key)."""
    monkeypatch.setenv("PORTAL_DB", str(tmp_path / "portal.duckdb"))


def mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def webmaster_hash(con) -> str:
    return scalar(con, "SELECT password_hash FROM users WHERE username = 'webmaster'")


def rechecksum(folder: Path, tables_from: Path | None = None) -> None:
    """What anyone could do to the old, keyless manifest: recompute every file's checksum and, from a
    database holding the tampered rows, every table's fingerprint."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = {str(p.relative_to(folder)): {"sha256": audit.file_sha256(p), "bytes": p.stat().st_size}
                         for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}
    if tables_from is not None:
        tampered = duckdb.connect(str(tables_from))
        manifest["tables"] = {t: backup.table_fingerprint(tampered, t) for t in backup.user_tables(tampered)}
        tampered.close()
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def resign(folder: Path, key_dir: Path) -> None:
    """One who holds the key signs the edited manifest again."""
    from core import keys

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["signature"]["mac"] = keys.manifest_mac(keys.read_key(key_dir / keys.BACKUP_KEY, create=False), manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def append_sql(folder: Path, name: str, marker: Path) -> None:
    """Statements a backup of ours never contains: one leaves a file behind if it runs."""
    with (folder / "db" / name).open("a", encoding="utf-8") as out:
        out.write(f"\nCOPY (SELECT 'ran') TO '{marker}';\n"
                  "UPDATE users SET password_hash = 'attacker' WHERE username = 'webmaster';\n"
                  "DROP TABLE users;\n")


# ---------------------------------------------------------------- M4: tampered backups

def test_statements_appended_to_schema_sql_never_run(con, org, tmp_path):
    """M4: SQL appended to db/schema.sql with the checksums recomputed runs neither in verify nor in
    restore: both refuse, the statement leaves no trace, nothing is restored."""
    made = backup.create_backup(con, tmp_path / "backups", None, actor=org.tech)
    before = webmaster_hash(con)
    marker = tmp_path / "ran.csv"
    append_sql(made.path, "schema.sql", marker)
    rechecksum(made.path)

    checked = backup.verify_backup(made.path)
    assert not checked.ok and checked.problems
    with pytest.raises(backup.BackupError):
        backup.restore(made.path, tmp_path / "restored.duckdb")
    assert not marker.exists()
    assert not (tmp_path / "restored.duckdb").exists()
    assert webmaster_hash(con) == before
    assert scalar(con, "SELECT count(*) FROM users WHERE username = 'webmaster'") == 1


def test_a_replaced_password_hash_with_a_recomputed_manifest_is_refused(con, org, tmp_path):
    """M4: a backup whose webmaster password hash was replaced, with every checksum and table
    fingerprint recomputed, is refused by verify and restore; the attacker's password never signs in."""
    made = backup.create_backup(con, tmp_path / "backups", None, actor=org.tech)
    users = made.path / "db" / "users.parquet"
    forged = passwords.hash_password("Attacker-2026!x")
    scratch = duckdb.connect()
    scratch.execute(f"COPY (SELECT * REPLACE (CASE WHEN username = 'webmaster' THEN '{forged}' ELSE password_hash END "
                    f"AS password_hash) FROM read_parquet('{users}')) TO '{users}.new' (FORMAT parquet)")
    scratch.close()
    os.replace(f"{users}.new", users)
    tampered = tmp_path / "attacker.duckdb"  # the attacker's own restore gives the fingerprints
    attacker = duckdb.connect(str(tampered))
    attacker.execute(f"IMPORT DATABASE '{made.path / 'db'}'")
    attacker.close()
    rechecksum(made.path, tables_from=tampered)

    assert not backup.verify_backup(made.path).ok
    target = tmp_path / "restored" / "portal.duckdb"
    with pytest.raises(backup.BackupError, match="签名"):
        backup.restore(made.path, target)
    assert not target.exists()
    assert login.password_step(con, "webmaster", "Attacker-2026!x").status == "failed"


def test_a_resigned_backup_still_runs_no_sql_from_it(con, org, tmp_path):
    """M4: even a backup signed with our key runs none of its SQL: statements appended to schema.sql
    are never executed (the schema comes from our migrations), and a load.sql holding anything but
    DuckDB's COPY of a listed data file is refused."""
    made = backup.create_backup(con, tmp_path / "backups", None, actor=org.tech)
    marker = tmp_path / "ran.csv"
    append_sql(made.path, "schema.sql", marker)
    rechecksum(made.path)
    resign(made.path, tmp_path)
    assert backup.verify_backup(made.path).ok
    target = tmp_path / "restored.duckdb"
    assert backup.restore(made.path, target).ok
    assert not marker.exists()
    restored = connect(target)
    try:
        assert webmaster_hash(restored) == webmaster_hash(con)
        assert accounts.verify_password(restored, "webmaster", PASSWORD)
    finally:
        restored.close()

    again = backup.create_backup(con, tmp_path / "backups2", None, actor=org.tech)
    append_sql(again.path, "load.sql", marker)
    rechecksum(again.path)
    resign(again.path, tmp_path)
    checked = backup.verify_backup(again.path)
    assert not checked.ok and "load.sql" in " ".join(checked.problems)
    with pytest.raises(backup.BackupError, match="load.sql"):
        backup.restore(again.path, tmp_path / "r2.duckdb")
    assert not marker.exists() and not (tmp_path / "r2.duckdb").exists()


def test_a_backup_from_another_machine_or_before_signing_says_what_to_do(con, org, tmp_path):
    """M4: a backup signed with another key, or checked where no key is, is refused with a Chinese message
    saying which key file to copy; an unsigned (older) backup only with --trust-unsigned, audited."""
    from core import keys

    made = backup.create_backup(con, tmp_path / "backups", None, actor=org.tech)
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    missing = backup.verify_backup(made.path, elsewhere / keys.BACKUP_KEY)
    assert not missing.ok and "backup.key" in missing.problems[0] and "复制" in missing.problems[0]
    keys.read_key(elsewhere / keys.BACKUP_KEY, create=True)
    with pytest.raises(backup.BackupError, match="另一份备份密钥"):
        backup.restore(made.path, tmp_path / "r.duckdb", key_file=elsewhere / keys.BACKUP_KEY)
    assert backup.verify_backup(made.path, tmp_path / keys.BACKUP_KEY).ok  # the right key, copied or named

    manifest = json.loads((made.path / "manifest.json").read_text(encoding="utf-8"))
    del manifest["signature"]
    (made.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(backup.BackupError, match="--trust-unsigned"):
        backup.restore(made.path, tmp_path / "r.duckdb")
    assert not (tmp_path / "r.duckdb").exists()
    assert backup.restore(made.path, tmp_path / "r.duckdb", trust_unsigned=True).ok
    restored = connect(tmp_path / "r.duckdb")
    try:
        detail = scalar(restored, "SELECT summary FROM audit_log WHERE action = 'backup.restore'")
    finally:
        restored.close()
    assert "--trust-unsigned" in detail


def test_the_backup_never_holds_the_keys(con, org, tmp_path):
    """M4: the keys stay beside the database: no key file, and no key's bytes, in a backup."""
    from core import keys

    made = backup.create_backup(con, tmp_path / "backups", None, actor=org.tech)
    secret_keys = [(tmp_path / name).read_text(encoding="ascii").strip() for name in (keys.BACKUP_KEY,)]
    for file in made.path.rglob("*"):
        assert not file.name.endswith(".key")
        if file.is_file():
            data = file.read_bytes()
            assert not any(k.encode() in data or bytes.fromhex(k) in data for k in secret_keys), file


# ---------------------------------------------------------------- L4: the backup commands' input

def run_cli(*argv, env_db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_DB": str(env_db)}
    return subprocess.run([sys.executable, "-m", "core", *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_backup_commands_given_a_file_say_so(tmp_path):
    """L4: `backup verify` and `restore` given a file instead of a backup folder: a Chinese message,
    exit code 2, no traceback."""
    file = tmp_path / "portal-20260101-000000.tar.gz"
    file.write_bytes(b"not a folder")
    for argv in (("backup", "verify", str(file)), ("restore", str(file), "--to", str(tmp_path / "new.duckdb"))):
        done = run_cli(*argv, env_db=tmp_path / "portal.duckdb")
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and "是一个文件,不是备份文件夹" in done.stderr
    assert not (tmp_path / "new.duckdb").exists()


@pytest.mark.parametrize("manifest", [
    b"{not json", b"\xff\xfe garbage", b"[1, 2]", b'{"format": 1}',
    b'{"format": 1, "tables": {"users": {"rows": 1}}, "files": {"db/x.parquet": {}}, "schema_version": 11}',
], ids=["not-json", "not-utf8", "a-list", "no-fields", "fields-without-checksums"])
def test_a_malformed_manifest_is_a_chinese_refusal(tmp_path, manifest):
    """L4: a manifest that is not JSON, or lacks its fields: a Chinese message, exit code 1, no traceback."""
    folder = tmp_path / "portal-20260101-000000"
    (folder / "db").mkdir(parents=True)
    (folder / "manifest.json").write_bytes(manifest)
    for argv in (("backup", "verify", str(folder)), ("restore", str(folder), "--to", str(tmp_path / "new.duckdb"))):
        done = run_cli(*argv, env_db=tmp_path / "portal.duckdb")
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "manifest.json" in done.stderr
        assert any("\u4e00" <= ch <= "\u9fff" for ch in done.stderr)
    assert not (tmp_path / "new.duckdb").exists()


# ---------------------------------------------------------------- M6: secrets in files others can read

def test_the_data_folder_the_database_and_its_keys_are_private(tmp_path):
    """M6: data/ is 0700; the database and the key files 0600 — also ones an older version left 0755/0644."""
    data = tmp_path / "data"
    con = connect(data / "portal.duckdb")
    con.execute("INSERT INTO settings (name, value) VALUES ('smtp_password', 'plain-pass')")
    con.close()
    con = open_database(data / "portal.duckdb")  # the start encrypts the plain value: secrets.key is made
    con.close()
    assert mode(data) == 0o700 and mode(data / "portal.duckdb") == 0o600 and mode(data / "secrets.key") == 0o600

    data.chmod(0o755)  # as an older version left them
    (data / "portal.duckdb").chmod(0o644)
    (data / "secrets.key").chmod(0o644)
    con = connect(data / "portal.duckdb")
    try:
        assert mode(data) == 0o700 and mode(data / "portal.duckdb") == 0o600
        assert mode(data / "secrets.key") == 0o600
    finally:
        con.close()
    assert all(mode(f) & 0o077 == 0 for f in data.iterdir())


def test_backups_are_private(con, org, tmp_path):
    """M6: the backup folder and everything in it are readable by the owner only."""
    made = backup.create_backup(con, tmp_path / "backups", None, actor=org.tech)
    assert mode(tmp_path / "backups") == 0o700 and mode(made.path) == 0o700
    assert mode(tmp_path / "backup.key") == 0o600
    for path in made.path.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_the_cookie_key_is_private(tmp_path, monkeypatch):
    """M6: data/cookie.key (it signs the workbench's sign-in cookie) is 0600."""
    from pages import _shared

    monkeypatch.setenv("PORTAL_DB", str(tmp_path / "data" / "portal.duckdb"))
    key = _shared.cookie_key()
    assert len(key) >= 32 and mode(tmp_path / "data" / "cookie.key") == 0o600


def test_totp_secrets_are_encrypted_at_rest_and_still_sign_in(con, org, tmp_path):
    """M6: a second-factor secret is stored encrypted with a key outside the database; sign-in works;
    a secret stored plain by an older version is encrypted at the next start; a copied value does not
    decrypt for another account; a missing key gives a Chinese message."""
    from core import keys

    secret = totp.new_secret()
    accounts.enrol_totp(con, org.tech, secret, totp.code_at(secret))
    stored = scalar(con, "SELECT secret FROM user_totp WHERE user_id = ?", [org.tech.id])
    assert stored.startswith("enc:v1:") and secret not in stored
    assert secret.encode() not in base64.urlsafe_b64decode(stored[7:])
    assert login.password_step(con, "tech", PASSWORD).status == "totp"
    later = dt.datetime.now() + dt.timedelta(seconds=90)
    assert login.totp_step(con, "tech", totp.code_at(secret, later), now=later).ok

    old = totp.new_secret()  # as an older version stored it
    con.execute("INSERT INTO user_totp (user_id, secret, last_step) VALUES (?, ?, 0)", [org.webmaster.id, old])
    con.close()
    con = open_database(tmp_path / "portal.duckdb")
    try:
        encrypted = scalar(con, "SELECT secret FROM user_totp WHERE user_id = ?", [org.webmaster.id])
        assert encrypted.startswith("enc:v1:") and accounts.totp_secret(con, org.webmaster.id) == old
        con.close()
        con = open_database(tmp_path / "portal.duckdb")  # idempotent: already encrypted values stay as they are
        assert scalar(con, "SELECT secret FROM user_totp WHERE user_id = ?", [org.webmaster.id]) == encrypted
        con.execute("UPDATE user_totp SET secret = ? WHERE user_id = ?", [stored, org.webmaster.id])
        with pytest.raises(keys.SecretUnreadable, match="secrets.key"):
            accounts.totp_secret(con, org.webmaster.id)
    finally:
        con.close()


def test_the_smtp_password_is_encrypted_and_the_mailer_signs_in_with_it(con, org):
    """M6: the SMTP password is stored encrypted; the mailer decrypts it to log in to the server."""
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        settings.set_values(con, org.webmaster, {"smtp_host": "127.0.0.1", "smtp_port": port,
                                                 "smtp_user": "portal", "smtp_password": "S3cret-smtp"})
        stored = scalar(con, "SELECT value FROM settings WHERE name = 'smtp_password'")
        assert stored.startswith("enc:v1:") and "S3cret" not in stored
        assert settings.get(con, "smtp_password") == "S3cret-smtp"
        notify.enqueue(con, org.officer.id, "test", "测试", "正文")
        assert mailer.send_pending(con)["sent"] == 1
    finally:
        controller.stop()
    assert seen == [("portal", "S3cret-smtp")]


def test_the_analysts_snapshot_leaves_out_credentials_secrets_and_contact_details(con, org, tmp_path):
    """M6: `snapshot` (make lab) holds no password hash, second-factor secret, session token, cookie ref,
    SMTP password, nor a citizen's name, phone, e-mail or tracking code — not even in its free blocks."""
    secret = totp.new_secret()
    accounts.enrol_totp(con, org.tech, secret, totp.code_at(secret))
    settings.set_values(con, org.webmaster, {"smtp_password": "S3cret-smtp"})
    session = sessions.start(con, org.officer.id, "10.0.0.9")
    sessions.bind_cookie(con, session, "cookie-ref-abc123")
    con.execute("INSERT INTO messages (code, kind, subject, body, name, phone, email) VALUES "
                "('TRACK-9f8e7d', 'consult', '咨询', '内容', '王小明', '13912345678', 'wang.xm@example.cn')")
    con.execute("INSERT INTO outbox (user_id, recipient, kind, subject, body) VALUES "
                "(NULL, 'wang.xm@example.cn', 'message.replied', '答复', '王小明您好')")
    con.execute("INSERT INTO login_clients (username, client_key, failures) VALUES ('Typed-Pa55word', 'k1', 1)")
    con.execute("CHECKPOINT")
    hashes = [r[0] for r in con.execute("SELECT password_hash FROM users WHERE length(password_hash) > 20").fetchall()]
    totp_stored = scalar(con, "SELECT secret FROM user_totp")
    smtp_stored = scalar(con, "SELECT value FROM settings WHERE name = 'smtp_password'")

    copy = snapshot(tmp_path / "portal.duckdb", tmp_path / "snapshot.duckdb")
    try:
        assert scalar(copy, "SELECT count(*) FROM users WHERE password_hash <> ''") == 0
        assert scalar(copy, "SELECT count(*) FROM users") == scalar(con, "SELECT count(*) FROM users")
        assert scalar(copy, "SELECT count(*) FROM password_history") == 0
        assert scalar(copy, "SELECT count(*) FROM user_totp WHERE secret <> ''") == 0
        assert scalar(copy, "SELECT count(*) FROM auth_sessions WHERE id = ? OR cookie_ref IS NOT NULL",
                      [session]) == 0
        assert scalar(copy, "SELECT count(*) FROM settings WHERE name = 'smtp_password'") == 0
        assert copy.execute("SELECT name, phone, email, code <> 'TRACK-9f8e7d', subject FROM messages").fetchall() \
            == [("", None, None, True, "咨询")]
        assert scalar(copy, "SELECT count(*) FROM outbox WHERE recipient IS NOT NULL AND user_id IS NULL") == 0
        assert scalar(copy, "SELECT count(*) FROM login_clients") == 0  # names typed at the login
    finally:
        copy.close()
    data = (tmp_path / "snapshot.duckdb").read_bytes()
    for value in [*hashes, totp_stored, smtp_stored, session, "cookie-ref-abc123", "13912345678",
                  "wang.xm@example.cn", "TRACK-9f8e7d", "王小明"]:
        assert value.encode("utf-8") not in data, value
    assert mode(tmp_path / "snapshot.duckdb") == 0o600


def test_a_restored_database_keeps_its_second_factor(con, org, tmp_path):
    """M6: a restore into another folder brings this machine's secrets key (0600) beside the new file,
    so the encrypted second-factor secrets still decrypt there; the backup itself holds no key."""
    secret = totp.new_secret()
    accounts.enrol_totp(con, org.tech, secret, totp.code_at(secret))
    made = backup.create_backup(con, tmp_path / "backups", None, actor=org.tech)
    assert not list(made.path.rglob("*.key"))
    target = tmp_path / "elsewhere" / "portal.duckdb"
    assert backup.restore(made.path, target).ok
    assert mode(target) == 0o600 and mode(target.parent / "secrets.key") == 0o600
    restored = connect(target)
    try:
        assert accounts.totp_secret(restored, org.tech.id) == secret
    finally:
        restored.close()
