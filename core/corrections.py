"""更正说明: public correction notes on an article's page, with their dates, newest first (issue 15).

The division writes one when it publishes a corrected revision (``workflow.publish(correction_note=…)``, in
that transition's transaction); the webmaster or the division's officer may add one to any public item
(``add``). Notes are never edited or removed: they are the public record of what was corrected. Stored in
``article_corrections`` (migration 0022); the portal's incremental build re-renders the page when one is
added (core.portal.plan keeps them in its record).

Imports from: core.audit, core.db, core.errors, core.permissions, core.text.
"""

from __future__ import annotations

import duckdb

from core import audit
from core.db import row, rows, transaction
from core.errors import NotFound, ValidationError
from core.permissions import require
from core.text import clean_text

NOTE_MAX = 500
FIELD = "更正说明"
AUDIT_ACTION = "workflow.correction_note"  # named by workflow.ACTION_LABELS["correction_note"]


def clean_note(text: str | None) -> str:
    """The note as stored, or ValidationError naming the field and the rule."""
    note = clean_text(text, multiline=True).strip()
    if not note:
        raise ValidationError(FIELD, "必填:说明更正了什么")
    if len(note) > NOTE_MAX:
        raise ValidationError(FIELD, f"不能超过 {NOTE_MAX} 个字(现有 {len(note)} 个字)")
    return note


def write(con: duckdb.DuckDBPyConnection, article_id: int, note: str, by: int) -> int:
    """Insert a cleaned note (inside the caller's transaction)."""
    return con.execute("INSERT INTO article_corrections (article_id, noted_at, text, noted_by) "
                       "VALUES (?, current_localtimestamp(), ?, ?) RETURNING id", [article_id, note, by]).fetchone()[0]


def add(con: duckdb.DuckDBPyConnection, actor, article_id: int, text: str) -> int:
    """Add a note to a public item: the webmaster, or an officer of its lead division (第二十四条)."""
    article = row(con, "SELECT id, lead_division_id, public, live_revision FROM articles WHERE id = ?", [article_id])
    if article is None:
        raise NotFound(f"稿件 {article_id} 不存在")
    require(actor, "article.publish", article)
    note = clean_note(text)
    if not (article["public"] and article["live_revision"] is not None):
        raise ValidationError(FIELD, f"稿件 #{article_id} 不在网站上,只能为已公开的信息添加更正说明")
    with transaction(con):
        note_id = write(con, article_id, note, actor.id)
        audit.record(con, actor, AUDIT_ACTION, f"article:{article_id}", note)
    return note_id


def notes(con: duckdb.DuckDBPyConnection, article_id: int) -> list[dict]:
    """An item's notes, newest first, with who wrote them."""
    return rows(con, """
        SELECT c.id, c.noted_at, c.text, u.display_name AS by_name FROM article_corrections c
        LEFT JOIN users u ON u.id = c.noted_by WHERE c.article_id = ? ORDER BY c.noted_at DESC, c.id DESC""",
                [article_id])
