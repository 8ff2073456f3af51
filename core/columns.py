"""The column tree (第七、八条): each column has one responsible division; the office edits it.

A retired column keeps its articles and URLs; it only stops taking new items and leaves the menus.
"""

from __future__ import annotations

import re

import duckdb

from core import audit
from core.db import row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.permissions import can, require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)

SLUG_RULE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
DEFAULT_KINDS = {
    "news": "工作动态", "notice": "通知公告", "policy": "政策文件", "interpretation": "政策解读",
    "speech": "领导讲话", "meeting": "重要会议", "service": "公共服务", "interaction": "互动交流",
    "openinfo": "政府信息公开", "data": "数据发布", "special": "专题专栏", "general": "综合",
}
EDITABLE_FIELDS = ("name", "slug", "parent_id", "kind", "division_id", "position", "retired", "is_key")
FIELD_LABELS = {"name": "栏目名称", "slug": "网址标识", "parent_id": "上级栏目", "kind": "栏目类型",
                "division_id": "责任处室", "position": "排序", "retired": "已撤销", "is_key": "重点栏目"}


def seed_kinds(con: duckdb.DuckDBPyConnection) -> None:
    for code, name in DEFAULT_KINDS.items():
        con.execute("INSERT OR IGNORE INTO column_kinds VALUES (?, ?)", [code, name])


def kinds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {r["code"]: r["name"] for r in rows(con, "SELECT code, name FROM column_kinds ORDER BY code")}


def tree(con: duckdb.DuckDBPyConnection, include_retired: bool = True) -> list[dict]:
    """Columns in tree order, each with its depth and full path name."""
    found = rows(con, """
        SELECT c.*, d.name AS division FROM columns c JOIN divisions d ON d.id = c.division_id
        ORDER BY c.position, c.id""")
    children: dict[int | None, list[dict]] = {}
    for column in found:
        children.setdefault(column["parent_id"], []).append(column)
    ordered: list[dict] = []

    def walk(parent: int | None, depth: int, prefix: str) -> None:
        for column in children.get(parent, []):
            if column["retired"] and not include_retired:
                continue
            column["depth"] = depth
            column["path"] = f"{prefix}{column['name']}"
            ordered.append(column)
            walk(column["id"], depth + 1, column["path"] + " / ")

    walk(None, 0, "")
    return ordered


def writable_columns(con: duckdb.DuckDBPyConnection, actor) -> list[dict]:
    """Columns this user may draft into: their division's live columns; all for the office."""
    return [c for c in tree(con, include_retired=False) if can(actor, "article.create", c)]


def get_column(con: duckdb.DuckDBPyConnection, column_id: int) -> dict:
    found = row(con, "SELECT * FROM columns WHERE id = ?", [column_id])
    if not found:
        raise NotFound(f"栏目 {column_id} 不存在")
    return found


def _validate(con, values: dict, column_id: int | None) -> dict:
    name = " ".join(clean_text(values.get("name")).split())
    if not name:
        raise ValidationError("栏目名称", "必填", "第八条")
    if len(name) > 40:
        raise ValidationError("栏目名称", "不能超过 40 个字")
    slug = str(values.get("slug") or "").strip().lower()
    if not SLUG_RULE.fullmatch(slug):
        raise ValidationError("网址标识", "须为 1–40 位小写字母、数字或连字符,以字母或数字开头(用于栏目网址)")
    clash = scalar(con, "SELECT id FROM columns WHERE slug = ? AND id IS DISTINCT FROM ?", [slug, column_id])
    if clash:
        raise ValidationError("网址标识", f"「{slug}」已被其他栏目使用,网址须唯一")
    kind = values.get("kind")
    if kind not in kinds(con):
        raise ValidationError("栏目类型", "须从栏目类型列表中选择")
    division = values.get("division_id")
    if division is None or not scalar(con, "SELECT count(*) FROM divisions WHERE id = ?", [int(division)]):
        raise ValidationError("责任处室", "每个栏目须有一个责任处室", "第七条")
    parent = values.get("parent_id")
    parent = int(parent) if parent not in (None, "", 0) else None
    if parent is not None:
        if not scalar(con, "SELECT count(*) FROM columns WHERE id = ?", [parent]):
            raise ValidationError("上级栏目", "不存在")
        if column_id is not None and _is_descendant(con, parent, column_id):
            raise ValidationError("上级栏目", "不能把栏目移到它自己或它的下级栏目之下")
    return {"name": name, "slug": slug, "kind": kind, "division_id": int(division), "parent_id": parent,
            "position": int(values.get("position") or 0), "retired": bool(values.get("retired") or False),
            "is_key": bool(values.get("is_key") or False)}


def _is_descendant(con, candidate: int, ancestor: int) -> bool:
    current: int | None = candidate
    seen = set()
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = scalar(con, "SELECT parent_id FROM columns WHERE id = ?", [current])
    return False


def _change(con, actor, column_id: int, action: str, detail: str, proposal_id: int | None) -> None:
    """The column tree's own history, and the proposal a change carried out (第八条(二), 按提案办理)."""
    con.execute("INSERT INTO column_changes (column_id, action, detail, proposal_id, actor_id) VALUES (?, ?, ?, ?, ?)",
                [column_id, action, detail, proposal_id, actor.id])


def create_column(con: duckdb.DuckDBPyConnection, actor, values: dict, *, proposal_id: int | None = None) -> int:
    require(actor, "columns.manage")
    clean = _validate(con, values, None)
    with transaction(con):
        column_id = con.execute(
            "INSERT INTO columns (parent_id, slug, name, kind, division_id, position, retired, is_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [clean["parent_id"], clean["slug"], clean["name"], clean["kind"], clean["division_id"],
             clean["position"], clean["retired"], clean["is_key"]]).fetchone()[0]
        audit.record(con, actor, "columns.create", f"column:{column_id}", str(clean))
        _change(con, actor, column_id, "create", f"新增栏目「{clean['name']}」", proposal_id)
    return column_id


def update_column(con: duckdb.DuckDBPyConnection, actor, column_id: int, values: dict, *,
                  proposal_id: int | None = None) -> bool:
    """Rename, move, reassign, retire or restore (第八条). Articles and URLs stay.

    Returns whether anything changed (an unchanged row writes nothing, not even an audit entry)."""
    require(actor, "columns.manage")
    before = get_column(con, column_id)
    merged = {k: values.get(k, before[k]) for k in EDITABLE_FIELDS}
    clean = _validate(con, merged, column_id)
    changed = {k: (before[k], v) for k, v in clean.items() if before[k] != v}
    if not changed:
        return False
    with transaction(con):
        con.execute(
            "UPDATE columns SET parent_id = ?, slug = ?, name = ?, kind = ?, division_id = ?, position = ?, "
            "retired = ?, is_key = ? WHERE id = ?",
            [clean["parent_id"], clean["slug"], clean["name"], clean["kind"], clean["division_id"],
             clean["position"], clean["retired"], clean["is_key"], column_id])
        audit.record(con, actor, "columns.update", f"column:{column_id}",
                     "; ".join(f"{k}: {a}→{b}" for k, (a, b) in changed.items()))
        _change(con, actor, column_id, "update", f"「{before['name']}」:" + ";".join(
            f"{FIELD_LABELS[k]} {_shown(a)}→{_shown(b)}" for k, (a, b) in changed.items()), proposal_id)
    return True


def _shown(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "(空)" if value is None else str(value)


def changes_for_proposal(con: duckdb.DuckDBPyConnection, proposal_id: int) -> list[dict]:
    """The column changes that carried out a proposal (按提案办理), oldest first."""
    return rows(con, """
        SELECT g.id, g.column_id, c.name AS column_name, g.action, g.detail, g.created_at, u.display_name AS actor
        FROM column_changes g JOIN columns c ON c.id = g.column_id LEFT JOIN users u ON u.id = g.actor_id
        WHERE g.proposal_id = ? ORDER BY g.id""", [proposal_id])


def recent_changes(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict]:
    """The latest changes to the column tree, each with the proposal it carried out, if any (按提案办理)."""
    return rows(con, """
        SELECT g.id, g.column_id, c.name AS column_name, g.detail, g.created_at, u.display_name AS actor,
               g.proposal_id, p.subject AS proposal_subject
        FROM column_changes g JOIN columns c ON c.id = g.column_id LEFT JOIN users u ON u.id = g.actor_id
        LEFT JOIN proposals p ON p.id = g.proposal_id ORDER BY g.id DESC LIMIT ?""", [limit])


def prefill(con: duckdb.DuckDBPyConnection, kind: str, targets: list[int], name: str | None,
            division_id: int | None) -> list[dict]:
    """The column changes a proposal asks for, pre-filled for the office to check (按提案办理, 第八条(二)):
    a new column (under the first target, if any); the target renamed; a merge keeps the first target
    (renamed) and retires the others; a retirement retires each target. Each: column_id (None: new) and values."""
    found = [get_column(con, t) for t in targets or []]
    if kind == "column_add":
        values = {"name": name or "", "slug": "", "kind": "general", "parent_id": found[0]["id"] if found else None,
                  "division_id": division_id, "position": 0, "retired": False, "is_key": False}
        return [{"column_id": None, "values": values}]
    planned = []
    for index, column in enumerate(found):
        values = {k: column[k] for k in EDITABLE_FIELDS}
        if kind == "column_retire" or (kind == "column_merge" and index > 0):
            values["retired"] = True
        elif name:
            values["name"] = name
        planned.append({"column_id": column["id"], "values": values})
    return planned


def apply_editor_changes(con: duckdb.DuckDBPyConnection, actor, edited: list[dict], original_ids: set[int]) -> dict:
    """Apply the rows of the in-place editor in one transaction: all or nothing.

    Rows with an id are updates, rows without one are new columns. Rows cannot be deleted:
    a column is retired instead, so its articles and URLs remain (第八条).
    """
    require(actor, "columns.manage")
    kept = {int(r["id"]) for r in edited if r.get("id") not in (None, "")}
    if original_ids - kept:
        raise ValidationError("栏目", "栏目不能删除,请勾选「已撤销」以撤销栏目(其信息和网址保留)", "第八条")
    created = updated = 0
    with transaction(con):
        for index, values in enumerate(edited, start=1):
            try:
                if values.get("id") in (None, ""):
                    create_column(con, actor, values)
                    created += 1
                elif update_column(con, actor, int(values["id"]), values):
                    updated += 1  # only rows that really changed count
            except ValidationError as exc:
                raise ValidationError(f"第 {index} 行 {exc.field}", exc.rule, exc.article) from None
    return {"created": created, "updated": updated}


def divisions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return rows(con, "SELECT * FROM divisions ORDER BY position, id")


def division_names(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    return {d["id"]: d["name"] for d in divisions(con)}
