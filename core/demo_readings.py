"""The demo's 政策解读 for a year of policy documents (第十二条; issue 14: "a year of catalogue documents with
解读"): the generated 解读 explain only the documents whose 《name》 they happen to carry, so most of the
year's documents that still have none get one — written by the 政策法规处 officer with its catalogue entry
picking the document, approved by the head of 政策法规处 and published, through the workflow's own calls
(moved to a story time a few days after the document by the demo's player, as every played demo article).

Imports from: accounts, catalogue, db, demo_guide, workflow.
"""

from __future__ import annotations

import datetime as dt
import random
import re

import duckdb

from core import accounts, catalogue, workflow
from core.db import rows
from core.demo_guide import Player, publish_document

EVERY = 3  # two documents in three of those without a 解读 get one (the third stays, for the statistics)
TEMPLATES = ("{name}政策解读", "{name}解读问答", "一图读懂{name}")
PARAGRAPHS = (
    "一、制定背景。为贯彻落实国家和省委、省政府有关决策部署,{issuer}研究制定了{name}。",
    "二、主要内容。{name}明确了总体要求、重点任务和保障措施,对各项工作的责任单位和完成时限作出了安排。",
    "三、适用范围。本文件适用于全省相关企业和单位,各市(区)工业和信息化主管部门负责组织实施。",
    "四、解读机关。陕西省工业和信息化厅政策法规处,联系方式见本网站「互动交流」栏目。",
)
_NAME = re.compile(r"《[^》]+》")


def publish(con: duckdb.DuckDBPyConnection, player: Player, column_id: int, today: dt.date, seed: int) -> int:
    """A 解读 in `column_id` for two in three of the last year's policy documents without one; returns how many."""
    rng = random.Random(seed)
    officer, head = accounts.find_user(con, "xxy_zcfgc"), accounts.find_user(con, "fzr_zcfgc")
    taken = {r["title"] for r in rows(con, "SELECT title FROM articles WHERE column_id = ?", [column_id])}
    written = 0
    for n, doc in enumerate(_unexplained(con, today)):
        day = doc["published_at"].date() + dt.timedelta(days=rng.randint(1, 4))
        if n % EVERY == EVERY - 1 or day > today:
            continue
        name = m.group(0) if (m := _NAME.search(doc["title"])) else f"《{doc['title']}》"
        title = next((t for t in (p.format(name=name) for p in TEMPLATES) if t not in taken), None)
        if title is None or len(title) > workflow.TITLE_MAX:
            continue
        taken.add(title)
        _write(con, player, (officer, head), column_id, title, doc, name, day)
        written += 1
    return written


def _unexplained(con: duckdb.DuckDBPyConnection, today: dt.date) -> list[dict]:
    since = dt.datetime.combine(today - dt.timedelta(days=365), dt.time())
    return rows(con, """
        SELECT a.id, a.title, a.published_at, e.issuer, e.topic_id FROM articles a
        JOIN columns c ON c.id = a.column_id JOIN catalogue_entries e ON e.article_id = a.id
        WHERE c.kind = ? AND a.public AND a.published_at >= ?
          AND NOT EXISTS (SELECT 1 FROM catalogue_entries j WHERE j.interprets = a.id)
        ORDER BY a.published_at, a.id""", [catalogue.POLICY_KIND, since])


def _write(con, player: Player, staff: tuple, column_id: int, title: str, doc: dict, name: str,
           day: dt.date) -> None:
    body = "".join(f"<p>{p.format(name=name, issuer=doc['issuer'])}</p>" for p in PARAGRAPHS)
    entry = {"issuer": "陕西省工业和信息化厅", "doc_number": "", "doc_kind": "其他文件",
             "written_on": day - dt.timedelta(days=1), "topic_id": doc["topic_id"], "disclosure": "主动公开",
             "interprets": doc["id"]}
    publish_document(con, player, staff, column_id, (title, body, "政策法规处"), entry,
                     [dt.datetime.combine(day, dt.time(9 + n, 20)) for n in range(4)])
