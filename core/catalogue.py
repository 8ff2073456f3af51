"""政府信息公开目录 (第十二条; 政府信息公开条例 第十九至二十三条): the catalogue data of a document.

Which column kinds carry catalogue data (catalogue_kinds) and the topic classification (disclosure_topics)
are rows the office edits. An entry (catalogue_entries, one per article) is checked field by field when it
is saved; at submission it must be complete (core.workflow asks `require_complete`); its 索引号 is assigned
by the system at the first publication, in the office's pattern (settings catalogue_index_pattern,
catalogue_org_code, catalogue_index_digits) with a counter per year (catalogue_index_counters). A published
document's validity (已修改/已废止) changes through `change_validity`, which marks its portal page for the
next incremental build.

Imports from: audit, columns, db, disclosure_terms, errors, permissions, settings, text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import duckdb

from core import audit, columns, settings
from core.db import LIKE_ESCAPE, like_pattern, row, rows, scalar, transaction
from core.disclosure_terms import DISCLOSURE_MODES, DOC_KINDS, VALIDITY, WITHHELD_GROUNDS
from core.errors import NotFound, ValidationError
from core.permissions import require
from core.text import clean_text

ARTICLE = "第十二条"
LAW = "政府信息公开条例 第二十条"  # what a catalogue entry of a document states
FIELD_LABELS = {
    "index_number": "索引号", "issuer": "发文机关", "doc_number": "文号", "doc_kind": "文件类别",
    "written_on": "成文日期", "topic_id": "主题分类", "disclosure": "公开方式", "withheld_ground": "不予公开理由",
    "validity": "有效性", "validity_changed_on": "有效性变更日期", "replaced_by": "替代文件",
    "interprets": "所解读的政策文件",
}
EDITABLE = ("issuer", "doc_number", "doc_kind", "written_on", "topic_id", "disclosure", "withheld_ground",
            "validity", "validity_changed_on", "replaced_by", "interprets")
POLICY_KIND = "policy"
INTERPRETATION_KIND = "interpretation"
DOC_NUMBER_SHAPE = "机关代字〔年份〕序号号"
DOC_NUMBER_EXAMPLE = "陕工信发〔2026〕12号"
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]+〔(19|20)\d{2}〕[1-9]\d*号")
# the same with any bracket people type instead of 〔〕, or a padded sequence: a pointed message
_DOC_NUMBER_LOOSE = re.compile(r"[\u4e00-\u9fff]+\s*[\[(（【［〔〈<]\s*\d{4}\s*[\])）】］〕〉>]\s*\d+\s*号")
TOPIC_MAX = 50
INDEX_PLACEHOLDERS = ("{机构代码}", "{年份}", "{序号}")


# ---------------------------------------------------------------- catalogue kinds (data)

def catalogue_kinds(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r["kind"] for r in rows(con, "SELECT kind FROM catalogue_kinds ORDER BY kind")]


def column_kind(con: duckdb.DuckDBPyConnection, column_id: int) -> str | None:
    return scalar(con, "SELECT kind FROM columns WHERE id = ?", [column_id])


def is_catalogue_column(con: duckdb.DuckDBPyConnection, column_id: int | None) -> bool:
    if column_id is None:
        return False
    return bool(scalar(con, "SELECT count(*) FROM columns c JOIN catalogue_kinds k ON k.kind = c.kind "
                            "WHERE c.id = ?", [column_id]))


def set_catalogue_kinds(con: duckdb.DuckDBPyConnection, actor, kinds: list[str]) -> None:
    """The office decides which column kinds' documents carry catalogue data (第八、十二条)."""
    require(actor, "catalogue.manage")
    known = columns.kinds(con)
    chosen = sorted(set(kinds))
    unknown = [k for k in chosen if k not in known]
    if unknown:
        raise ValidationError("登记公开目录的栏目类型", "只能从现有栏目类型中选择", ARTICLE)
    if not chosen:
        raise ValidationError("登记公开目录的栏目类型", "至少选择一种(政府信息公开须有目录)", ARTICLE)
    with transaction(con):
        before = catalogue_kinds(con)
        con.execute("DELETE FROM catalogue_kinds")
        con.executemany("INSERT INTO catalogue_kinds VALUES (?)", [[k] for k in chosen])
        audit.record(con, actor, "catalogue.kinds", "catalogue_kinds",
                     f"{'、'.join(known.get(k, k) for k in before)} → {'、'.join(known[k] for k in chosen)}")


# ---------------------------------------------------------------- 法定主动公开内容 (data)

def statutory_items(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The categories of 政府信息公开条例 第二十条, each with the ids of the columns the office publishes it in
    (the portal's 法定主动公开内容 page shows the categories that have a column)."""
    found = rows(con, """
        SELECT s.item, s.wording, list(m.column_id ORDER BY m.column_id) FILTER (WHERE m.column_id IS NOT NULL)
               AS column_ids
        FROM statutory_categories s LEFT JOIN statutory_columns m ON m.item = s.item
        GROUP BY s.item, s.wording ORDER BY s.item""")
    for item in found:
        item["column_ids"] = list(item["column_ids"] or [])
    return found


def set_statutory_columns(con: duckdb.DuckDBPyConnection, actor, item: int, column_ids: list[int]) -> None:
    """The office says in which columns it publishes one category of 第二十条 (none: it does not apply)."""
    require(actor, "catalogue.manage")
    wording = scalar(con, "SELECT wording FROM statutory_categories WHERE item = ?", [item])
    if wording is None:
        raise ValidationError("法定主动公开内容", "没有这一项(政府信息公开条例第二十条共十五项)", ARTICLE)
    chosen = sorted({int(c) for c in column_ids})
    known = {r["id"]: r["name"] for r in rows(con, "SELECT id, name FROM columns WHERE NOT retired")}
    if any(c not in known for c in chosen):
        raise ValidationError("栏目", "只能选择在用的栏目", ARTICLE)
    with transaction(con):
        con.execute("DELETE FROM statutory_columns WHERE item = ?", [item])
        if chosen:
            con.executemany("INSERT INTO statutory_columns VALUES (?, ?)", [[item, c] for c in chosen])
        audit.record(con, actor, "catalogue.statutory", f"statutory:{item}",
                     f"{wording}:{'、'.join(known[c] for c in chosen) or '不适用'}")


# ---------------------------------------------------------------- topics (主题分类, data)

def topics(con: duckdb.DuckDBPyConnection, include_retired: bool = False) -> list[dict]:
    where = "" if include_retired else "WHERE NOT retired"
    return rows(con, f"SELECT id, name, position, retired FROM disclosure_topics {where} ORDER BY position, id")


def _topic(con, topic_id: int) -> dict:
    found = row(con, "SELECT id, name, position, retired FROM disclosure_topics WHERE id = ?", [topic_id])
    if not found:
        raise NotFound(f"主题分类 {topic_id} 不存在")
    return found


def _topic_name(con, name: str, topic_id: int | None = None) -> str:
    name = " ".join(clean_text(name).split())
    if not name:
        raise ValidationError("主题分类名称", "必填", ARTICLE)
    if len(name) > TOPIC_MAX:
        raise ValidationError("主题分类名称", f"不能超过 {TOPIC_MAX} 个字", ARTICLE)
    if scalar(con, "SELECT count(*) FROM disclosure_topics WHERE name = ? AND id IS DISTINCT FROM ?",
              [name, topic_id]):
        raise ValidationError("主题分类名称", f"「{name}」已存在,名称不能重复", ARTICLE)
    return name


def add_topic(con: duckdb.DuckDBPyConnection, actor, name: str) -> int:
    require(actor, "catalogue.manage")
    name = _topic_name(con, name)
    with transaction(con):
        position = scalar(con, "SELECT coalesce(max(position), 0) + 1 FROM disclosure_topics")
        topic_id = con.execute("INSERT INTO disclosure_topics (name, position) VALUES (?, ?) RETURNING id",
                               [name, position]).fetchone()[0]
        audit.record(con, actor, "catalogue.topic_add", f"topic:{topic_id}", name)
    return topic_id


def rename_topic(con: duckdb.DuckDBPyConnection, actor, topic_id: int, name: str) -> None:
    require(actor, "catalogue.manage")
    before = _topic(con, topic_id)
    name = _topic_name(con, name, topic_id)
    if name == before["name"]:
        return
    with transaction(con):
        con.execute("UPDATE disclosure_topics SET name = ? WHERE id = ?", [name, topic_id])
        audit.record(con, actor, "catalogue.topic_rename", f"topic:{topic_id}", f"{before['name']} → {name}")


def move_topic(con: duckdb.DuckDBPyConnection, actor, topic_id: int, offset: int) -> None:
    """Move a topic up (-1) or down (+1) in the order the catalogue lists them."""
    require(actor, "catalogue.manage")
    _topic(con, topic_id)
    order = [t["id"] for t in topics(con, include_retired=True)]
    at = order.index(topic_id)
    to = max(0, min(len(order) - 1, at + offset))
    if to == at:
        return
    order.insert(to, order.pop(at))
    with transaction(con):
        for position, tid in enumerate(order, start=1):
            con.execute("UPDATE disclosure_topics SET position = ? WHERE id = ?", [position, tid])
        audit.record(con, actor, "catalogue.topic_move", f"topic:{topic_id}", f"第 {at + 1} 位 → 第 {to + 1} 位")


def retire_topic(con: duckdb.DuckDBPyConnection, actor, topic_id: int, retired: bool = True) -> None:
    """A retired topic keeps its documents but is no longer offered for new ones."""
    require(actor, "catalogue.manage")
    topic = _topic(con, topic_id)
    if topic["retired"] == retired:
        return
    with transaction(con):
        con.execute("UPDATE disclosure_topics SET retired = ? WHERE id = ?", [retired, topic_id])
        audit.record(con, actor, "catalogue.topic_retire" if retired else "catalogue.topic_restore",
                     f"topic:{topic_id}", topic["name"])


def topic_by_name(con: duckdb.DuckDBPyConnection, name: str) -> int | None:
    return scalar(con, "SELECT id FROM disclosure_topics WHERE name = ?", [" ".join(clean_text(name).split())])


# ---------------------------------------------------------------- checking an entry

def check_doc_number(text: Any) -> str:
    """文号 in its official shape 机关代字〔年份〕序号号 ('' when the document has none)."""
    value = "".join(clean_text(text).split())
    if not value or _DOC_NUMBER.fullmatch(value):
        return value
    hint = ""
    if _DOC_NUMBER_LOOSE.fullmatch(value):
        hint = (";序号不编虚位,前面不加 0" if "〔" in value and "〕" in value
                else ";年份须用六角括号〔〕,不能用 [ ]、( )、\uff08 \uff09或【 】")
    raise ValidationError("文号", f"须为「{DOC_NUMBER_SHAPE}」的形式,例如 {DOC_NUMBER_EXAMPLE}{hint}", ARTICLE)


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(FIELD_LABELS[field], "须为日期(如 2026-03-01)", ARTICLE) from None


def _one_of(value: Any, field: str, allowed: tuple[str, ...], default: str) -> str:
    value = clean_text(value) or default
    if value not in allowed:
        raise ValidationError(FIELD_LABELS[field], f"须为 {'/'.join(allowed)} 之一", ARTICLE)
    return value


def _article_id(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(FIELD_LABELS[field], "须为一篇稿件", ARTICLE) from None


def _document(con, article_id: int) -> dict | None:
    return row(con, "SELECT a.id, a.title, a.state, a.public, c.kind FROM articles a "
                    "JOIN columns c ON c.id = a.column_id WHERE a.id = ?", [article_id])


def check_entry(con: duckdb.DuckDBPyConnection, values: dict, *, article_id: int | None = None,
                today: dt.date | None = None) -> dict:
    """The entry as stored: every rule on a single field and between fields, naming the field.

    Completeness (what submission needs) is `missing`; this accepts a partial entry of a draft."""
    today = today or dt.date.today()
    entry = {
        "issuer": " ".join(clean_text(values.get("issuer")).split()),
        "doc_number": check_doc_number(values.get("doc_number")),
        "doc_kind": _one_of(values.get("doc_kind"), "doc_kind", DOC_KINDS, "其他文件"),
        "written_on": _date(values.get("written_on"), "written_on"),
        "topic_id": _article_id(values.get("topic_id"), "topic_id"),
        "disclosure": _one_of(values.get("disclosure"), "disclosure", DISCLOSURE_MODES, "主动公开"),
        "withheld_ground": clean_text(values.get("withheld_ground")) or None,
        "validity": _one_of(values.get("validity"), "validity", VALIDITY, "有效"),
        "validity_changed_on": _date(values.get("validity_changed_on"), "validity_changed_on"),
        "replaced_by": _article_id(values.get("replaced_by"), "replaced_by"),
        "interprets": _article_id(values.get("interprets"), "interprets"),
    }
    if len(entry["issuer"]) > 100:
        raise ValidationError("发文机关", "不能超过 100 个字", ARTICLE)
    if entry["written_on"] and entry["written_on"] > today:
        raise ValidationError("成文日期", f"不能晚于今天({today:%Y-%m-%d})", ARTICLE)
    if entry["topic_id"] is not None and not scalar(
            con, "SELECT count(*) FROM disclosure_topics WHERE id = ?", [entry["topic_id"]]):
        raise ValidationError("主题分类", "不存在,请从办公室设定的主题分类中选择", ARTICLE)
    _check_disclosure(entry)
    _check_validity(con, entry, article_id, today)
    _check_interprets(con, entry, article_id)
    return entry


def _check_disclosure(entry: dict) -> None:
    if entry["disclosure"] == "不予公开":
        if entry["withheld_ground"] not in WITHHELD_GROUNDS:
            raise ValidationError("不予公开理由", "不予公开须从法定理由中选择一项:" + "、".join(WITHHELD_GROUNDS),
                                  "政府信息公开条例 第十四至十六条")
    else:
        entry["withheld_ground"] = None


def _check_validity(con, entry: dict, article_id: int | None, today: dt.date) -> None:
    if entry["validity"] == "有效":
        entry["validity_changed_on"] = entry["replaced_by"] = None
        return
    what = entry["validity"]
    if entry["validity_changed_on"] is None:
        raise ValidationError("有效性变更日期", f"{what}的文件须写明{what[1:]}日期", ARTICLE)
    if entry["validity_changed_on"] > today:
        raise ValidationError("有效性变更日期", f"不能晚于今天({today:%Y-%m-%d})", ARTICLE)
    if entry["written_on"] and entry["validity_changed_on"] < entry["written_on"]:
        raise ValidationError("有效性变更日期", "不能早于成文日期", ARTICLE)
    if entry["replaced_by"] is None:
        raise ValidationError("替代文件", f"{what}的文件须指明修改或废止它的文件", ARTICLE)
    if entry["replaced_by"] == article_id:
        raise ValidationError("替代文件", "不能是文件本身", ARTICLE)
    found = _document(con, entry["replaced_by"])
    if found is None or found["state"] == "withdrawn":
        raise ValidationError("替代文件", "不存在或已撤销", ARTICLE)


def _check_interprets(con, entry: dict, article_id: int | None) -> None:
    if entry["interprets"] is None:
        return
    if entry["interprets"] == article_id:
        raise ValidationError("所解读的政策文件", "不能是解读本身", ARTICLE)
    found = _document(con, entry["interprets"])
    if found is None or found["state"] == "withdrawn":
        raise ValidationError("所解读的政策文件", "不存在或已撤销", ARTICLE)
    if found["kind"] != POLICY_KIND:
        raise ValidationError("所解读的政策文件", f"「{found['title']}」不是政策文件,解读只能关联政策文件栏目中的文件",
                              "第十二条;政府网站发展指引 解读回应")


# ---------------------------------------------------------------- reading and saving

def entry(con: duckdb.DuckDBPyConnection, article_id: int) -> dict | None:
    """The stored entry with the names a page shows (topic, the documents it points to)."""
    return row(con, """
        SELECT e.*, t.name AS topic, i.title AS interprets_title, ie.doc_number AS interprets_doc_number,
               r.title AS replaced_by_title
        FROM catalogue_entries e LEFT JOIN disclosure_topics t ON t.id = e.topic_id
        LEFT JOIN articles i ON i.id = e.interprets LEFT JOIN catalogue_entries ie ON ie.article_id = e.interprets
        LEFT JOIN articles r ON r.id = e.replaced_by
        WHERE e.article_id = ?""", [article_id])


def _article(con, article_id: int) -> dict:
    found = row(con, "SELECT a.id, a.column_id, a.lead_division_id, a.state, a.public, a.live_revision, a.title, "
                     "a.published_at, c.kind FROM articles a JOIN columns c ON c.id = a.column_id WHERE a.id = ?",
                [article_id])
    if not found:
        raise NotFound(f"稿件 {article_id} 不存在")
    return found


def _changes(before: dict | None, after: dict) -> str:
    old = before or {}
    return ";".join(f"{FIELD_LABELS[k]}:{old.get(k) if old.get(k) is not None else ''} → {v if v is not None else ''}"
                    for k, v in after.items() if old.get(k) != v)


def save_entry(con: duckdb.DuckDBPyConnection, actor, article_id: int, values: dict,
               today: dt.date | None = None) -> dict:
    """Store the catalogue data the officer entered for a document in a catalogue column (one transaction,
    audited). A document on the portal changes only its validity here (`change_validity`): the rest was
    approved with it (第十四条)."""
    article = _article(con, article_id)
    require(actor, "article.edit", article)
    if not is_catalogue_column(con, article["column_id"]):
        raise ValidationError("栏目", "该栏目的信息不登记政府信息公开目录", ARTICLE)
    checked = check_entry(con, values, article_id=article_id, today=today)
    if checked["interprets"] is not None and article["kind"] != INTERPRETATION_KIND:
        raise ValidationError("所解读的政策文件", "只有政策解读栏目中的解读才关联所解读的政策文件", ARTICLE)
    before = row(con, f"SELECT {', '.join(EDITABLE)} FROM catalogue_entries WHERE article_id = ?", [article_id])
    if article["public"] and before is not None and {k: before[k] for k in EDITABLE} != checked:
        raise ValidationError("公开目录", "已在网站上公开的文件,目录信息不能直接修改(先审批后发布),需要更正时请撤销后"
                              "修改、重新提交审批;文件被修改或废止请用「变更有效性」", "第十四条")
    with transaction(con):
        _write(con, article_id, checked, before is None)
        audit.record(con, actor, "catalogue.save", f"article:{article_id}", _changes(before, checked) or "未改动")
    return entry(con, article_id)


def _write(con, article_id: int, fields: dict, new: bool) -> None:
    names = list(fields)
    if new:
        con.execute(f"INSERT INTO catalogue_entries (article_id, {', '.join(names)}) "
                    f"VALUES (?, {', '.join('?' for _ in names)})", [article_id, *fields.values()])
    else:
        con.execute(f"UPDATE catalogue_entries SET {', '.join(f'{n} = ?' for n in names)}, "
                    "updated_at = current_localtimestamp() WHERE article_id = ?", [*fields.values(), article_id])


def missing(con: duckdb.DuckDBPyConnection, article_id: int, column_id: int) -> ValidationError | None:
    """What submission still needs (第十二条), or None when the entry is complete or none is needed."""
    if not is_catalogue_column(con, column_id):
        return None
    stored = row(con, "SELECT * FROM catalogue_entries WHERE article_id = ?", [article_id])
    need = "提交审批前须填写政府信息公开目录的{}"
    if stored is None:
        return ValidationError("公开目录", need.format("发文机关、成文日期、主题分类等信息"), ARTICLE)
    for field in ("issuer", "written_on", "topic_id"):
        if stored[field] in (None, ""):
            return ValidationError(FIELD_LABELS[field], need.format(f"「{FIELD_LABELS[field]}」"), ARTICLE)
    if column_kind(con, column_id) == INTERPRETATION_KIND and stored["interprets"] is None:
        return ValidationError("所解读的政策文件", "政策解读须关联它所解读的政策文件后才能提交审批", ARTICLE)
    try:  # a topic retired or a document withdrawn since it was saved
        check_entry(con, {k: stored[k] for k in EDITABLE}, article_id=article_id)
    except ValidationError as exc:
        return exc
    if stored["topic_id"] is not None and _topic(con, stored["topic_id"])["retired"]:
        return ValidationError("主题分类", "所选主题分类已停用,请重新选择", ARTICLE)
    return None


def require_complete(con: duckdb.DuckDBPyConnection, article_id: int, column_id: int) -> None:
    problem = missing(con, article_id, column_id)
    if problem is not None:
        raise problem


# ---------------------------------------------------------------- 索引号

def format_index(pattern: str, org_code: str, year: int, sequence: int, digits: int) -> str:
    return (pattern.replace("{机构代码}", org_code).replace("{年份}", str(year))
            .replace("{序号}", str(sequence).zfill(digits)))


def _next_index(con, year: int) -> str:
    values = settings.all_values(con)
    pattern, code = values["catalogue_index_pattern"], values["catalogue_org_code"]
    digits = values["catalogue_index_digits"]
    con.execute("INSERT INTO catalogue_index_counters (year, last) SELECT ?, 0 WHERE NOT EXISTS "
                "(SELECT 1 FROM catalogue_index_counters WHERE year = ?)", [year, year])
    while True:  # an imported number may already hold the next one: skip it, numbers stay unique
        sequence = con.execute("UPDATE catalogue_index_counters SET last = last + 1 WHERE year = ? RETURNING last",
                               [year]).fetchone()[0]
        number = format_index(pattern, code, year, sequence, digits)
        if not scalar(con, "SELECT count(*) FROM catalogue_entries WHERE index_number = ?", [number]):
            return number


def assign_index(con: duckdb.DuckDBPyConnection, article_id: int, year: int) -> str | None:
    """Give the entry its 索引号 if it has none yet (inside the caller's transaction); None without an entry."""
    current = row(con, "SELECT index_number FROM catalogue_entries WHERE article_id = ?", [article_id])
    if current is None:
        return None
    if current["index_number"]:
        return current["index_number"]
    number = _next_index(con, year)
    con.execute("UPDATE catalogue_entries SET index_number = ? WHERE article_id = ?", [number, article_id])
    audit.record(con, None, "catalogue.index", f"article:{article_id}", number)  # the system assigns it
    return number


def on_go_live(con: duckdb.DuckDBPyConnection, article_id: int, published_at: dt.datetime) -> None:
    """At a publication (inside the workflow's transaction): the 索引号 at the first one. The pages that
    link to it (the policy document a 解读 explains) are found by the portal's plan (core/portal/plan.py)."""
    assign_index(con, article_id, published_at.year)


# ---------------------------------------------------------------- validity of a published document

def change_validity(con: duckdb.DuckDBPyConnection, actor, article_id: int, validity: str,
                    changed_on: dt.date | None = None, replaced_by: int | None = None,
                    today: dt.date | None = None) -> dict:
    """A published document is modified or repealed (or valid again): the division's officer or the office
    records it with the date and the replacing document; the portal shows it at the next build."""
    article = _article(con, article_id)
    require(actor, "catalogue.validity", article)
    stored = row(con, f"SELECT {', '.join(EDITABLE)} FROM catalogue_entries WHERE article_id = ?", [article_id])
    if stored is None or article["live_revision"] is None:
        raise ValidationError("有效性", "只有已发布并登记了公开目录的文件才能变更有效性", ARTICLE)
    checked = check_entry(con, {**stored, "validity": validity, "validity_changed_on": changed_on,
                                "replaced_by": replaced_by}, article_id=article_id, today=today)
    changed = {k: checked[k] for k in ("validity", "validity_changed_on", "replaced_by")}
    with transaction(con):
        _write(con, article_id, changed, False)
        audit.record(con, actor, "catalogue.validity", f"article:{article_id}", _changes(stored, changed) or "未改动")
    return entry(con, article_id)


# ---------------------------------------------------------------- the picker of policy documents

def policy_documents(con: duckdb.DuckDBPyConnection, search: str = "", limit: int = 50,
                     include: int | None = None) -> list[dict]:
    """Published policy documents a 解读 may explain, newest first, by title or 文号 (and `include`,
    the one already chosen)."""
    where, params = "c.kind = ? AND a.public", [POLICY_KIND]
    if search.strip():
        where += f" AND (a.title ILIKE ? {LIKE_ESCAPE} OR coalesce(e.doc_number, '') ILIKE ? {LIKE_ESCAPE})"
        params += [like_pattern(search.strip())] * 2
    if include is not None:
        where = f"({where}) OR a.id = ?"
        params.append(include)
    params.append(limit)
    return rows(con, f"""
        SELECT a.id, a.title, coalesce(e.doc_number, '') AS doc_number, a.published_at
        FROM articles a JOIN columns c ON c.id = a.column_id LEFT JOIN catalogue_entries e ON e.article_id = a.id
        WHERE {where} ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT ?""", params)


def document(con: duckdb.DuckDBPyConnection, article_id: int) -> dict | None:
    """One document as the pickers list it (the one an entry already points to)."""
    return row(con, """
        SELECT a.id, a.title, coalesce(e.doc_number, '') AS doc_number, a.published_at FROM articles a
        LEFT JOIN catalogue_entries e ON e.article_id = a.id WHERE a.id = ?""", [article_id])


def catalogue_documents(con: duckdb.DuckDBPyConnection, search: str = "", limit: int = 50) -> list[dict]:
    """Documents with catalogue entries (for the replacing-document picker), by title or 文号."""
    where, params = "a.state <> 'withdrawn'", []
    if search.strip():
        where += f" AND (a.title ILIKE ? {LIKE_ESCAPE} OR e.doc_number ILIKE ? {LIKE_ESCAPE})"
        params += [like_pattern(search.strip())] * 2
    params.append(limit)
    return rows(con, f"""
        SELECT a.id, a.title, e.doc_number, a.published_at FROM catalogue_entries e JOIN articles a ON a.id = e.article_id
        WHERE {where} ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT ?""", params)


def index_example(con: duckdb.DuckDBPyConnection, year: int | None = None) -> str:
    """What the next 索引号 would look like in the office's pattern (for the settings page)."""
    year = year or dt.date.today().year
    last = scalar(con, "SELECT last FROM catalogue_index_counters WHERE year = ?", [year]) or 0
    return format_index(settings.get(con, "catalogue_index_pattern"), settings.get(con, "catalogue_org_code"),
                        year, last + 1, settings.get(con, "catalogue_index_digits"))
