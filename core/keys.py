"""The keys kept outside the database, and the files that must not be readable by others (第二十条).

Two key files live beside the database file (normally data/), never inside it and never in a
backup, each created 0600 on first use:

- `backup.key`: HMAC-SHA256 key that signs every backup's manifest, so a backup edited and
  re-checksummed by someone without the key is refused (core/backup.py);
- `secrets.key`: AES-256-GCM key that encrypts second-factor (TOTP) secrets and the SMTP
  password at rest. A stored value is `enc:v1:` + base64(nonce ‖ ciphertext); the place it
  belongs to (e.g. `user_totp:7`) is the associated data, so a value copied into another row
  does not decrypt.

Library: `cryptography` (PyCA; AESGCM) — maintained by the Python Cryptographic Authority,
Apache-2.0/BSD, wheels for every platform, already installed; PyNaCl would add libsodium for the
same job and pycryptodome a second, lower-level crypto stack.

Low floor: imports db (the default path) and errors only; the start-up pass that encrypts what is
still plain (`settings.encrypt_at_rest`) lives with the settings it knows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from pathlib import Path

import duckdb

from core import config
from core.errors import PortalError

BACKUP_KEY = "backup.key"
SECRETS_KEY = "secrets.key"
KEY_FILES = (BACKUP_KEY, SECRETS_KEY, "client.key", "cookie.key")
PREFIX = "enc:v1:"
_memory_keys: dict[str, bytes] = {}
_lock = threading.Lock()


class SecretUnreadable(PortalError):
    """A stored secret does not decrypt with this machine's key."""


# ---------------------------------------------------------------- private files and folders

def private_dir(path: str | os.PathLike, tighten: bool = True) -> Path:
    """Create the folder 0700; an existing one is tightened when `tighten` and it is ours alone
    (never a shared folder such as /tmp: sticky, or owned by someone else)."""
    folder = Path(path)
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if tighten and folder.is_dir():
        info = folder.stat()
        if not info.st_mode & 0o1000 and info.st_uid == os.getuid():
            _chmod(folder, 0o700)
    return folder


def private_file(path: str | os.PathLike) -> None:
    """0600 for an existing file (a database, its log, a key, a backup file)."""
    if Path(path).is_file():
        _chmod(Path(path), 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except PermissionError:
        pass  # not ours (e.g. a shared parent the operator chose): nothing we can tighten


def harden_database(db_path: str | os.PathLike) -> None:
    """At start-up: the data folder 0700; the database, its write-ahead log and the key files 0600.

    Only a folder named `data` (ours, as make run lays it out) is tightened when it exists: a
    database kept elsewhere may share its folder with files others must read (site_build/)."""
    db_path = Path(db_path)
    private_dir(db_path.parent, tighten=db_path.parent.name == "data")
    for name in (db_path.name, db_path.name + ".wal", *KEY_FILES):
        private_file(db_path.parent / name)


# ---------------------------------------------------------------- key files

def database_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    found = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(found[0]).parent if found and found[0] and found[0] != ":memory:" else None


def default_dir() -> Path:
    return config.load().db.parent


def key_file_text(path: str | os.PathLike, make=lambda: secrets.token_hex(32)) -> str:
    """The text of the key file `path`, written by `make()` first when missing: 0600 from its first
    byte, created exclusively (two processes starting at once must not write two keys)."""
    file = Path(path)
    if not file.exists():
        private_dir(file.parent, tighten=False)
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(make())
    private_file(file)
    return file.read_text(encoding="ascii").strip()


def read_key(path: str | os.PathLike, create: bool) -> bytes | None:
    """The 32-byte key in `path` (hex); made 0600 with O_EXCL when `create` and missing."""
    file = Path(path)
    if not file.exists() and not create:
        return None
    try:
        return bytes.fromhex(key_file_text(file))
    except ValueError:
        raise PortalError(f"密钥文件 {file} 已损坏(应为 64 位十六进制数字)") from None


def _secrets_key(con: duckdb.DuckDBPyConnection) -> bytes:
    folder = database_dir(con)
    with _lock:
        if folder is None:  # an in-memory database: a key for the life of the process
            return _memory_keys.setdefault("", secrets.token_bytes(32))
        return read_key(folder / SECRETS_KEY, create=True)


# ---------------------------------------------------------------- secrets at rest

def is_encrypted(value: str | None) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(con: duckdb.DuckDBPyConnection, plain: str, place: str) -> str:
    """`plain` encrypted for the row `place` (e.g. `user_totp:7`); an empty value stays empty."""
    if not plain:
        return plain
    # every process that opens the database imports this module (core.db), and cryptography costs ~10 ms of CPU
    # to import; only a secret encrypted or decrypted needs it (a portal build needs none, issue 16)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # deferred: ~10 ms, see above

    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_secrets_key(con)).encrypt(nonce, plain.encode("utf-8"), place.encode("utf-8"))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(con: duckdb.DuckDBPyConnection, stored: str | None, place: str, what: str) -> str | None:
    """The plain value; a value not yet encrypted (before start-up encrypted it) is returned as is."""
    if not is_encrypted(stored):
        return stored
    from cryptography.exceptions import InvalidTag  # deferred: ~10 ms, see encrypt
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # deferred: ~10 ms, see encrypt

    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX):].encode("ascii"))
        return AESGCM(_secrets_key(con)).decrypt(raw[:12], raw[12:], place.encode("utf-8")).decode("utf-8")
    except (InvalidTag, ValueError):
        folder = database_dir(con) or default_dir()
        raise SecretUnreadable(
            f"无法解密已保存的{what}:数据库旁的密钥文件 {folder / SECRETS_KEY} 缺失或与数据库不匹配。"
            f"数据库搬到其他机器或由备份恢复时,须把原机器上的 {SECRETS_KEY} 一并复制到数据库所在目录(权限 0600);"
            "无法找回时,请由网站管理员重置该动态口令或重新填写 SMTP 密码(第二十条)") from None


# ---------------------------------------------------------------- backup manifests

def key_id(key: bytes) -> str:
    """A short public name of a key, so a refusal can say "another key" rather than "tampered"."""
    return hashlib.sha256(b"sxit-portal backup key id\0" + key).hexdigest()[:16]


def manifest_mac(key: bytes, manifest: dict) -> str:
    """HMAC-SHA256 over the manifest's canonical JSON, its `signature` left out."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()
