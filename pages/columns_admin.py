"""栏目管理 (第七、八条): the webmaster edits the column tree in place; columns are retired, never deleted.
按提案办理 (第八条(二), issue 17): an adopted column proposal's changes, pre-filled, each recorded against it."""

import pandas as pd
import streamlit as st

from core import columns, proposals
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



def carry_out_section() -> None:
    """按提案办理: the changes an adopted column proposal asks for, pre-filled for the office to check and make;
    each change records the proposal, and the proposal shows it (建议与提案)."""
    waiting = proposals.to_carry_out(con, user)
    st.subheader("按提案办理")
    if not waiting:
        st.caption("目前没有已采纳、待办理的栏目提案(来自「建议与提案」)。")
        return
    by_id = {p["id"]: p for p in waiting}
    if st.session_state.get("ca_proposal_pick") not in by_id:
        st.session_state.pop("ca_proposal_pick", None)
    pid = st.selectbox("已采纳的栏目提案", list(by_id), key="ca_proposal_pick", format_func=lambda i: (
        f"#{i} · {by_id[i]['kind_label']} · {by_id[i]['subject'][:30]} · {by_id[i]['division'] or ''}"
        + (f" · 已办理 {by_id[i]['changes']} 项" if by_id[i]["changes"] else " · 待办理")
        + (" · 已落实" if by_id[i]["done_on"] else "")))
    proposal = proposals.view(con, user, pid)
    st.caption(f"{proposal['status_label']}:{proposal['office_reply']}(提出人 {proposal['proposer']})")
    for change in proposal["changes"]:
        st.markdown(f"- 已办理:{_shared.inert(change['detail'])}({change['created_at']:%Y-%m-%d %H:%M})")
    for index, change in enumerate(proposals.plan(con, user, pid)):
        change_form(pid, index, change)


def change_form(pid: int, index: int, change: dict) -> None:
    values, key = change["values"], f"ca_prop_{pid}_{index}"
    title = "新增栏目" if change["column_id"] is None else f"调整栏目 #{change['column_id']}"
    with st.form(key, border=True):
        st.markdown(f"**{title}**(已按提案预填,请核对)")
        left, right = st.columns(2)
        left.text_input("栏目名称", value=values["name"], key=f"{key}_name", max_chars=40)
        right.text_input("网址标识", value=values["slug"], key=f"{key}_slug", placeholder="小写字母、数字或连字符")
        kinds = list(kind_names)
        left.selectbox("栏目类型", kinds, index=kinds.index(values["kind"]) if values["kind"] in kinds else 0,
                       format_func=kind_names.get, key=f"{key}_kind")
        divisions = list(division_names)
        right.selectbox("责任处室", divisions, format_func=division_names.get, key=f"{key}_division",
                        index=divisions.index(values["division_id"]) if values["division_id"] in divisions else 0)
        parents = [None, *parent_labels]
        left.selectbox("上级栏目", parents, format_func=lambda c: "(一级栏目)" if c is None else parent_labels[c],
                       index=parents.index(values["parent_id"]) if values["parent_id"] in parents else 0,
                       key=f"{key}_parent")
        right.checkbox("已撤销", value=bool(values["retired"]), key=f"{key}_retired")
        if st.form_submit_button("按提案执行此项变更", type="primary"):
            made = {**values, "name": st.session_state[f"{key}_name"], "slug": st.session_state[f"{key}_slug"],
                    "kind": st.session_state[f"{key}_kind"], "division_id": st.session_state[f"{key}_division"],
                    "parent_id": st.session_state[f"{key}_parent"], "retired": st.session_state[f"{key}_retired"]}
            done_before = proposals.get(con, pid)["done_on"] is not None
            _shared.act(lambda column_id: f"已按提案 #{pid} 办理:栏目 #{column_id}「{made['name']}」。"
                        + ("" if done_before else carried_out_note(pid)),
                        lambda: proposals.carry_out(con, user, pid, change["column_id"], made),
                        then=lambda: fresh_editor() or forget_forms(pid))


def forget_forms(pid: int) -> None:
    """After a change the plan's forms are new ones (a merge's next change takes index 0): what was typed in the
    change just made must not pre-fill the next."""
    for key in [k for k in st.session_state if str(k).startswith(f"ca_prop_{pid}_")]:
        st.session_state.pop(key, None)


def carried_out_note(pid: int) -> str:
    """After a change: whether it was the last one the plan asks for, which made the proposal 已落实
    (core/proposals.py carry_out records its 落实情况 then)."""
    if proposals.get(con, pid)["done_on"] is None:
        return ""
    return "提案要求的栏目变更已全部完成,提案已登记为「已落实」,已通知提出人。"


carry_out_section()

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

st.subheader("最近的栏目变更")
_shared.table(pd.DataFrame([{
    "时间": f"{c['created_at']:%Y-%m-%d %H:%M}", "栏目": c["column_name"], "变更": c["detail"], "办理人": c["actor"] or "",
    "依据提案": f"#{c['proposal_id']}「{c['proposal_subject']}」" if c["proposal_id"] else "",
} for c in columns.recent_changes(con)]), hide_index=True, width="stretch", key="ca_changes")
