"""留言答复 as the public reads it (第十九、二十三条): the kinds of message and the published answers, never the
name, phone, e-mail or unmasked text.

core.interaction (the message desk: submission, routing, answers, publishing) builds on this; the portal's build
(core.portal) reads with it alone, so that a build does not import the desk, its gate and the screening
(issue 16).

Imports from: the floor (db).
"""

from __future__ import annotations

import duckdb

from core.db import rows

KIND_LABELS = {"consult": "咨询", "suggest": "建议", "complain": "投诉"}


def published(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict]:
    """What the portal shows: never the name, phone, e-mail or the unmasked text."""
    sql = """SELECT m.id, m.kind, m.public_subject AS subject, m.public_body AS body, m.answer,
                    d.name AS division_name, m.received_at, m.replied_at, m.published_at
             FROM messages m LEFT JOIN divisions d ON d.id = m.division_id
             WHERE m.state = 'published' ORDER BY m.published_at DESC, m.id DESC"""
    found = rows(con, sql + (" LIMIT ?" if limit else ""), [limit] if limit else [])
    for message in found:
        message["kind_label"] = KIND_LABELS[message["kind"]]
        message["division_name"] = message["division_name"] or "办公室"
    return found
