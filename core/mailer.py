"""Sends the queued e-mail in `outbox` through the SMTP server set in the workbench."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import duckdb

from core import settings
from core.db import rows

MAX_ATTEMPTS = 5


def smtp_configured(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(settings.get(con, "smtp_host"))


def build_message(con: duckdb.DuckDBPyConnection, recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.get(con, "site_name") + "网站工作台", settings.get(con, "smtp_sender")))
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="sxit.gov.cn")
    message.set_content(body, charset="utf-8")
    return message


def send_pending(con: duckdb.DuckDBPyConnection, limit: int = 100) -> dict:
    """Send unsent mail; rows without an address are marked as in-app only. Returns counts."""
    pending = rows(con, "SELECT id, recipient, subject, body FROM outbox WHERE sent_at IS NULL "
                        "AND attempts < ? ORDER BY id LIMIT ?", [MAX_ATTEMPTS, limit])
    result = {"sent": 0, "failed": 0, "skipped": 0}
    if not pending:
        return result
    if not smtp_configured(con):
        return {"sent": 0, "failed": 0, "skipped": len(pending)}
    values = settings.all_values(con)
    try:
        client = smtplib.SMTP(values["smtp_host"], values["smtp_port"], timeout=10)
    except OSError as exc:
        for item in pending:
            _mark_failed(con, item["id"], f"无法连接 SMTP 服务器:{exc}")
        return {"sent": 0, "failed": len(pending), "skipped": 0}
    with client:
        if values["smtp_starttls"]:
            client.starttls()
        if values["smtp_user"]:
            client.login(values["smtp_user"], settings.get(con, "smtp_password"))
        for item in pending:
            if not item["recipient"]:
                con.execute("UPDATE outbox SET sent_at = ?, last_error = '无邮箱,仅工作台提醒' WHERE id = ?",
                            [dt.datetime.now(), item["id"]])
                result["skipped"] += 1
                continue
            try:
                client.send_message(build_message(con, item["recipient"], item["subject"], item["body"]))
            except smtplib.SMTPException as exc:
                _mark_failed(con, item["id"], str(exc))
                result["failed"] += 1
                continue
            con.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                        [dt.datetime.now(), item["id"]])
            result["sent"] += 1
    return result


def _mark_failed(con, outbox_id: int, error: str) -> None:
    con.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", [error[:500], outbox_id])
