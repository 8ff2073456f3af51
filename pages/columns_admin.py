"""栏目管理 (第七、八条): the webmaster edits the column tree in place; columns are retired, never deleted."""

import pandas as pd
import streamlit as st

from core import columns
from pages import _shared

VERSION_KEY = "columns_admin_editor_version"  # a new key starts a fresh editor (after saving or discarding)

con = _shared.cursor()
user = _shared.require_user(con)
st.title("栏目管理")
st.caption("每个栏目确定一个责任处室,由其信息员维护(第七条);栏目的开设、调整和撤销由办公室统一管理(第八条)。")
_shared.show_flash()
editor_key = f"columns_admin_editor_{st.session_state.setdefault(VERSION_KEY, 0)}"


def fresh_editor() -> None:
    """Drop the unsaved edits: the browser's grid keeps them unless the editor's key changes."""
    st.session_state.pop(editor_key, None)
    st.session_state[VERSION_KEY] += 1


tree = columns.tree(con)
kind_names = columns.kinds(con)  # code → 名称
division_names = columns.division_names(con)  # id → 名称
parent_labels = {c["id"]: f"{c['id']} · {c['path']}" for c in tree}
kind_codes = {name: code for code, name in kind_names.items()}
division_ids = {name: division_id for division_id, name in division_names.items()}
parent_ids = {label: column_id for column_id, label in parent_labels.items()}

frame = pd.DataFrame(
    {
        "id": pd.array([c["id"] for c in tree], dtype="Int64"),
        "name": [c["name"] for c in tree],
        "slug": [c["slug"] for c in tree],
        "parent": [parent_labels.get(c["parent_id"]) for c in tree],
        "kind": [kind_names.get(c["kind"], c["kind"]) for c in tree],
        "division": [division_names.get(c["division_id"]) for c in tree],
        "position": pd.array([c["position"] for c in tree], dtype="Int64"),
        "is_key": pd.array([bool(c["is_key"]) for c in tree], dtype="boolean"),
        "retired": pd.array([bool(c["retired"]) for c in tree], dtype="boolean"),
    }
)

st.subheader("编辑栏目")
st.caption("直接在表格中修改;在表格末尾添加新栏目。栏目不能删除,不再使用的栏目请勾选「已撤销」。"
           "修改后点「保存」,全部修改一起生效:任何一行有误,都不会保存,并提示行号(自上而下计数)和字段。")
edited = _shared.editor(
    frame,
    key=editor_key,
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    placeholder="",
    column_config={
        "id": st.column_config.NumberColumn("编号", disabled=True, format="%d", width="small"),
        "name": st.column_config.TextColumn("栏目名称", required=True, max_chars=40),
        "slug": st.column_config.TextColumn(
            "网址标识", required=True, help="小写字母、数字或连字符,用于栏目网址;修改后原网址失效,请慎改"),
        "parent": st.column_config.SelectboxColumn(
            "上级栏目", options=list(parent_labels.values()), help="留空为一级栏目"),
        "kind": st.column_config.SelectboxColumn("栏目类型", options=list(kind_names.values()), required=True),
        "division": st.column_config.SelectboxColumn(
            "责任处室", options=list(division_names.values()), required=True, help="每个栏目有且只有一个责任处室(第七条)"),
        "position": st.column_config.NumberColumn("排序", step=1, format="%d", default=0, help="同级栏目按数字从小到大排列"),
        "is_key": st.column_config.CheckboxColumn("重点栏目", default=False),
        "retired": st.column_config.CheckboxColumn("已撤销", default=False, help="撤销后不再接收新信息,已发布的信息和网址保留"),
    },
)


def _plain(value):
    """A cell as a plain Python value: empty cells (None, NaN, <NA>) become None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _rows(table: pd.DataFrame) -> list[dict]:
    """The editor's rows in core's terms: labels mapped back to ids and codes."""
    result = []
    for record in table.to_dict("records"):
        cell = {k: _plain(v) for k, v in record.items()}
        result.append({
            "id": cell["id"],
            "name": cell["name"] or "",
            "slug": cell["slug"] or "",
            "parent_id": parent_ids.get(cell["parent"]) if cell["parent"] else None,
            "kind": kind_codes.get(cell["kind"]),
            "division_id": division_ids.get(cell["division"]),
            "position": cell["position"] or 0,
            "is_key": bool(cell["is_key"]),
            "retired": bool(cell["retired"]),
        })
    return result


def saved(counts: dict) -> str | None:
    if counts["created"] or counts["updated"]:
        return f"栏目已保存:新增 {counts['created']} 个,修改 {counts['updated']} 个。"
    st.info("没有需要保存的修改。")
    return None  # nothing changed: the edits stay, no rerun


actions = st.container(horizontal=True, key="columns_admin_actions")
if actions.button("保存", type="primary", key="columns_admin_save"):
    # after a save the rows come from the database: a fresh editor
    _shared.act(saved, lambda: columns.apply_editor_changes(con, user, _rows(edited), {c["id"] for c in tree}),
                then=fresh_editor)
if actions.button("放弃修改", key="columns_admin_reset", help="撤回表格中尚未保存的全部修改"):
    fresh_editor()
    st.rerun()

st.subheader("栏目结构")
lines = []
for column in tree:
    notes = [column["slug"], kind_names.get(column["kind"], column["kind"]), column["division"]]
    if column["is_key"]:
        notes.append("重点栏目")
    name = f"~~{column['name']}~~(已撤销)" if column["retired"] else f"**{column['name']}**"
    lines.append(f"{'    ' * column['depth']}- {name} · " + " · ".join(str(n) for n in notes))
st.markdown("\n".join(lines) if lines else "尚无栏目。")
st.caption("已撤销的栏目不再接收新信息,也不在网站导航中显示,但其已发布的信息和网址继续保留、可以访问(第八条)。"
           "需要恢复时,取消「已撤销」并保存即可。")
