"""Article attachments: checked for size and type before they are stored (第二十条 upload checks)."""

from __future__ import annotations

import hashlib

import duckdb

from core import audit, settings
from core.content import check_attachment, safe_filename
from core.db import row, rows, transaction
from core.errors import NotFound
from core.permissions import require
from core.workflow import get_article


def upload_limit_mb(con: duckdb.DuckDBPyConnection) -> int:
    """The size an attachment may have, in MB, as the upload boxes say and refuse before sending (第二十条):
    the office's setting 附件大小上限, never above what the servers take (a value stored before that rule)."""
    return min(int(settings.get(con, "attachment_max_mb")), settings.UPLOAD_CEILING_MB)


def checked_upload(con: duckdb.DuckDBPyConnection, filename: str, data: bytes) -> tuple[str, str, str]:
    """An upload checked for size and type (第二十条): its safe name, mime type and sha256.
    Articles and proposals (core/proposals.py) check their files the same way."""
    mime = check_attachment(filename, data, settings.get(con, "attachment_types"), upload_limit_mb(con))
    return safe_filename(filename), mime, hashlib.sha256(data).hexdigest()


def add_attachment(con: duckdb.DuckDBPyConnection, actor, article_id: int, filename: str, data: bytes) -> int:
    article = get_article(con, article_id)
    require(actor, "article.edit", article)
    name, mime, digest = checked_upload(con, filename, data)
    with transaction(con):  # the change and its audit row commit together (第二十条)
        attachment_id = con.execute(
            "INSERT INTO attachments (article_id, filename, mime, size, sha256, data, uploaded_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [article_id, name, mime, len(data), digest, data, actor.id]).fetchone()[0]
        audit.record(con, actor, "attachments.add", f"article:{article_id}", f"{name} {len(data)} B")
    return attachment_id


def remove_attachment(con: duckdb.DuckDBPyConnection, actor, attachment_id: int) -> None:
    found = row(con, "SELECT article_id, filename FROM attachments WHERE id = ?", [attachment_id])
    if not found:
        raise NotFound(f"附件 {attachment_id} 不存在")
    require(actor, "article.edit", get_article(con, found["article_id"]))
    with transaction(con):
        con.execute("UPDATE attachments SET removed = TRUE WHERE id = ?", [attachment_id])
        audit.record(con, actor, "attachments.remove", f"article:{found['article_id']}", found["filename"])


def list_attachments(con: duckdb.DuckDBPyConnection, article_id: int) -> list[dict]:
    return rows(con, "SELECT id, filename, mime, size, created_at FROM attachments "
                     "WHERE article_id = ? AND NOT removed ORDER BY id", [article_id])


def attachment_data(con: duckdb.DuckDBPyConnection, attachment_id: int) -> bytes:
    found = row(con, "SELECT data FROM attachments WHERE id = ?", [attachment_id])
    if not found:
        raise NotFound(f"附件 {attachment_id} 不存在")
    return found["data"]


def checked_file(con: duckdb.DuckDBPyConnection, filename: str, data: bytes) -> dict:
    """An upload checked as an article's attachment is (type, size: 第二十条), ready to store beside
    something other than an article (a training session's materials, a support request's file)."""
    mime = check_attachment(filename, data, settings.get(con, "attachment_types"), upload_limit_mb(con))
    return {"filename": safe_filename(filename), "mime": mime, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "data": data}
