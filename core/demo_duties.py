"""The demo's 应发布信息 (第十七条、第二十七条(四)), one in every state, made through core.duties as the office
and the divisions would: fulfilled in time (linked to a published item of the division), pending (within
the window), overdue, cancelled, and one overdue already made a criticism of ground (四).

The demo's officer (xxy_dzxx, 电子信息处) sees the pending and the overdue one in the to-do; the criticised
one belongs to another division, so 电子信息处 keeps its chance of an award.

Imports from: accounts, db, duties.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import accounts, duties
from core.db import row, scalar

# (division code, kind, subject, note); the day each happened is set in `load`
FULFILLED = ("dzxx", "meeting", "全省电子信息制造业运行分析会", "请发布会议报道,附会议照片")
PENDING = ("dzxx", "leader", "厅领导赴西安高新区调研集成电路产业", "领导活动报道须经分管领导审核")
OVERDUE = ("dzxx", "document", "关于印发《陕西省电子信息产业高质量发展行动方案》的通知", "文件全文及政策解读")
CANCELLED = ("rjc", "meeting", "全省软件和信息服务业座谈会", "")
CRITICISED = ("xxh", "meeting", "全省数字化转型推进工作会议", "")


def _division(con, code: str) -> int:
    return scalar(con, "SELECT id FROM divisions WHERE code = ?", [code])


def _version(con, record_id: int) -> int:
    return scalar(con, "SELECT version FROM duty_records WHERE id = ?", [record_id])


def _record(con, office: accounts.User, spec: tuple, happened_on: dt.date) -> int:
    code, kind, subject, note = spec
    return duties.record(con, office, _division(con, code), kind, subject, happened_on, note)


def load(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict:
    """One record in every state; returns how many of each."""
    office = accounts.find_user(con, "webmaster")
    counts = {}
    # fulfilled in time: an item 电子信息处 published a few days ago, for work that ended the day before
    item = row(con, """SELECT a.id, a.published_at::DATE AS day FROM articles a JOIN divisions d ON d.id = a.lead_division_id
                       WHERE d.code = ? AND a.public AND a.published_at::DATE BETWEEN ? AND ?
                       ORDER BY a.published_at DESC, a.id LIMIT 1""",
               [FULFILLED[0], today - dt.timedelta(days=30), today - dt.timedelta(days=2)])
    if item is not None:
        fulfilled = _record(con, office, FULFILLED, item["day"] - dt.timedelta(days=1))
        duties.link(con, accounts.find_user(con, "xxy_dzxx"), fulfilled, _version(con, fulfilled), item["id"])
        counts["fulfilled"] = 1
    _record(con, office, PENDING, today)
    _record(con, office, OVERDUE, today - dt.timedelta(days=12))
    cancelled = _record(con, office, CANCELLED, today - dt.timedelta(days=5))
    duties.cancel(con, office, cancelled, _version(con, cancelled), "座谈会延期至下月举行,届时重新登记")
    criticised = _record(con, office, CRITICISED, today - dt.timedelta(days=25))
    duties.criticise(con, office, criticised, _version(con, criticised), today=today)
    counts.update({"pending": 1, "overdue": 1, "cancelled": 1, "criticised": 1})
    return {"duty_records": sum(counts.values())}
