"""Demo data for the 政府信息公开目录 (第十二条): a year of the demo's published policy documents get their
catalogue data, each 解读 of that year is linked to the document whose 《name》 it carries (the demo's
generated titles pair about half of them), and a few documents are repealed or modified by later ones —
all through core/catalogue.py, as the division's officer would. 索引号 follow the order of publication.

Imports from: accounts, catalogue, db.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re

import duckdb

from core import accounts, catalogue
from core.db import rows

ISSUERS = (  # how a title begins → 发文机关 and the 机关代字 of its 文号
    ("陕西省人民政府办公厅", "陕西省人民政府办公厅", "陕政办发"),
    ("陕西省人民政府", "陕西省人民政府", "陕政发"),
    ("陕西省工业和信息化厅 陕西省财政厅", "陕西省工业和信息化厅 陕西省财政厅", "陕工信联发"),
    ("", "陕西省工业和信息化厅", "陕工信发"),
)
TOPICS = (  # words in a title → 主题分类 (the migration's list)
    (("信息", "数字", "软件", "集成电路", "大数据", "智能", "互联网", "通信"), "信息产业、通信"),
    (("节能", "环保", "煤化工", "能源", "氢能", "光伏"), "国土资源、能源"),
    (("安全",), "安全生产监管"),
    (("资金", "财政"), "财政、金融、审计"),
    (("科技", "创新", "人才"), "科技、教育"),
)
_NAME = re.compile(r"《([^》]+)》")


def _issuer(title: str) -> tuple[str, str]:
    return next((issuer, code) for start, issuer, code in ISSUERS if title.startswith(start))


def _topic(con: duckdb.DuckDBPyConnection, title: str) -> int | None:
    named = _NAME.search(title)  # the issuer's own name (工业和信息化厅) says nothing of the topic
    subject = named.group(1) if named else title
    name = next((topic for words, topic in TOPICS if any(w in subject for w in words)), "工业、交通")
    return _topic_ids(con)[name]


@functools.cache
def _topic_ids(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t["name"]: t["id"] for t in catalogue.topics(con, include_retired=True)}


@functools.cache
def _officer(con: duckdb.DuckDBPyConnection, division_id: int) -> accounts.User:
    code = con.execute("SELECT code FROM divisions WHERE id = ?", [division_id]).fetchone()[0]
    return accounts.find_user(con, f"xxy_{code}") or accounts.find_user(con, "webmaster")


def _published(con: duckdb.DuckDBPyConnection, kind: str, since: dt.datetime) -> list[dict]:
    return rows(con, """
        SELECT a.id, a.title, a.published_at, a.lead_division_id FROM articles a JOIN columns c ON c.id = a.column_id
        WHERE c.kind = ? AND a.public AND a.published_at >= ? ORDER BY a.published_at, a.id""", [kind, since])


def load(con: duckdb.DuckDBPyConnection, today: dt.date, seed: int = 7) -> dict:
    """Catalogue the last year's published policy documents and 解读; returns the counts."""
    rng = random.Random(seed)
    since = dt.datetime.combine(today - dt.timedelta(days=365), dt.time())
    documents = _published(con, catalogue.POLICY_KIND, since)
    pairs = _pairs(con, since)
    documents += [d for d in {doc["id"]: doc for _jd, doc in pairs}.values() if d["published_at"] < since]
    documents.sort(key=lambda d: (d["published_at"], d["id"]))
    sequence: dict[tuple[str, int], int] = {}
    for doc in documents:
        issuer, code = _issuer(doc["title"])
        written = doc["published_at"].date() - dt.timedelta(days=rng.randint(2, 15))
        number = sequence[code, written.year] = sequence.get((code, written.year), 0) + rng.randint(1, 4)
        catalogue.save_entry(con, _officer(con, doc["lead_division_id"]), doc["id"], {
            "issuer": issuer, "doc_number": f"{code}〔{written.year}〕{number}号",
            "doc_kind": "行政规范性文件" if any(w in doc["title"] for w in ("办法", "措施", "规定")) else "其他文件",
            "written_on": written, "topic_id": _topic(con, doc["title"]), "disclosure": "主动公开"}, today=today)
    for item, doc in pairs:
        catalogue.save_entry(con, _officer(con, item["lead_division_id"]), item["id"], {
            "issuer": "陕西省工业和信息化厅", "doc_number": "", "doc_kind": "其他文件",
            "written_on": item["published_at"].date() - dt.timedelta(days=1), "topic_id": _topic(con, doc["title"]),
            "disclosure": "主动公开", "interprets": doc["id"]}, today=today)
    # in order of first publication, as the workflow assigns them
    for item in sorted([*documents, *(jd for jd, _doc in pairs)], key=lambda d: (d["published_at"], d["id"])):
        catalogue.assign_index(con, item["id"], item["published_at"].year)
    repealed = _repeal(con, [d for d in documents if d["published_at"] >= since], rng, today)
    _topic_ids.cache_clear()  # a connection's names, for this load only
    _officer.cache_clear()
    return {"catalogue_entries": len(documents) + len(pairs), "interpretations_linked": len(pairs),
            "documents_repealed": repealed}


def _pairs(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> list[tuple[dict, dict]]:
    """(解读, the document it explains): the latest earlier document whose 《name》 the 解读 carries."""
    every = rows(con, """
        SELECT a.id, a.title, a.published_at, a.lead_division_id FROM articles a JOIN columns c ON c.id = a.column_id
        WHERE c.kind = ? AND a.public ORDER BY a.published_at, a.id""", [catalogue.POLICY_KIND])
    found, explained = [], set()
    for item in _published(con, catalogue.INTERPRETATION_KIND, since):
        named = _NAME.search(item["title"])
        same = [d for d in every if named and f"《{named.group(1)}》" in d["title"]
                and d["published_at"] <= item["published_at"] and d["id"] not in explained]
        if same:
            explained.add(same[-1]["id"])
            found.append((item, same[-1]))
    return found


def _repeal(con: duckdb.DuckDBPyConnection, documents: list[dict], rng: random.Random, today: dt.date) -> int:
    """A few of the older documents are repealed (or modified) by a later one of the same topic."""
    changed = 0
    older = documents[: len(documents) // 2]
    for doc in rng.sample(older, min(5, len(older))):
        later = [d for d in documents if d["published_at"] > doc["published_at"]
                 and _topic(con, d["title"]) == _topic(con, doc["title"])]
        if not later:
            continue
        by = rng.choice(later)
        validity = "已修改" if changed == 0 else "已废止"
        catalogue.change_validity(con, _officer(con, doc["lead_division_id"]), doc["id"], validity,
                                  by["published_at"].date(), by["id"], today=today)
        changed += 1
    return changed
