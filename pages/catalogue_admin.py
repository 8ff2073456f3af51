"""公开目录设置: the office keeps the 政府信息公开目录's topics (主题分类), the 索引号 pattern, which
column kinds carry catalogue data and the columns of each 法定主动公开内容 category (第八、十二条). Every
change goes through core/catalogue.py."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import catalogue, columns, settings
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("公开目录设置")
_shared.show_flash()
st.caption("政府信息公开目录的主题分类、索引号格式和登记目录的栏目类型由办公室维护(第十二条)。"
           "已登记的文件保留原主题分类和索引号。")

# ---------------------------------------------------------------- 主题分类
st.subheader("主题分类")
every = catalogue.topics(con, include_retired=True)
_shared.table(pd.DataFrame([{"顺序": n, "主题分类": t["name"], "状态": "已停用" if t["retired"] else "使用中"}
                           for n, t in enumerate(every, start=1)]), hide_index=True, width="stretch", height=260)

with st.form("cat_add_form", clear_on_submit=False):
    left, right = st.columns([3, 1])
    name = left.text_input("新增主题分类", key="cat_new_name", placeholder="例如 数字经济")
    right.write("")
    if right.form_submit_button("新增", type="primary", width="stretch"):
        _shared.act(f"已新增主题分类「{name.strip()}」。", lambda: catalogue.add_topic(con, user, name),
                    then=lambda: st.session_state.pop("cat_new_name", None))

if every:
    names = {t["id"]: t["name"] + ("(已停用)" if t["retired"] else "") for t in every}
    chosen = st.selectbox("选择要修改的主题分类", list(names), format_func=names.get, key="cat_pick")
    topic = next(t for t in every if t["id"] == chosen)
    left, right = st.columns([3, 1])
    renamed = left.text_input("新名称", value=topic["name"], key=f"cat_rename_{chosen}")
    right.write("")
    if right.button("改名", key="cat_rename", width="stretch"):
        _shared.act("主题分类已改名。", lambda: catalogue.rename_topic(con, user, chosen, renamed))
    up, down, retire = st.columns(3)
    if up.button("上移", key="cat_up", width="stretch", icon=":material/arrow_upward:"):
        _shared.act("顺序已调整。", lambda: catalogue.move_topic(con, user, chosen, -1))
    if down.button("下移", key="cat_down", width="stretch", icon=":material/arrow_downward:"):
        _shared.act("顺序已调整。", lambda: catalogue.move_topic(con, user, chosen, 1))
    if topic["retired"]:
        if retire.button("恢复使用", key="cat_restore", width="stretch"):
            _shared.act("主题分类已恢复使用。", lambda: catalogue.retire_topic(con, user, chosen, False))
    elif retire.button("停用", key="cat_retire", width="stretch",
                       help="停用后新文件不能再选它;已登记的文件保留原分类"):
        _shared.act("主题分类已停用。", lambda: catalogue.retire_topic(con, user, chosen, True))

# ---------------------------------------------------------------- 索引号
st.subheader("索引号")
current = settings.all_values(con)
st.markdown(f"下一个索引号示例:**{_shared.inert(catalogue.index_example(con))}**")
with st.form("cat_index_form"):
    code = st.text_input(settings.BY_NAME["catalogue_org_code"].label, value=current["catalogue_org_code"],
                         key="cat_org_code", help=settings.BY_NAME["catalogue_org_code"].help)
    pattern = st.text_input(settings.BY_NAME["catalogue_index_pattern"].label,
                            value=current["catalogue_index_pattern"], key="cat_pattern",
                            help=settings.BY_NAME["catalogue_index_pattern"].help)
    digits = st.number_input(settings.BY_NAME["catalogue_index_digits"].label, min_value=1, max_value=10,
                             value=int(current["catalogue_index_digits"]), key="cat_digits")
    if st.form_submit_button("保存索引号设置", type="primary"):
        _shared.act("索引号设置已保存,以后分配的索引号按新格式生成。", lambda: settings.set_values(
            con, user, {"catalogue_org_code": code, "catalogue_index_pattern": pattern,
                        "catalogue_index_digits": digits}))

# ---------------------------------------------------------------- kinds
st.subheader("登记公开目录的栏目类型")
labels = columns.kinds(con)
with st.form("cat_kinds_form"):
    kinds = st.multiselect("这些类型栏目中的文件须填写公开目录信息", list(labels), format_func=labels.get,
                           default=[k for k in catalogue.catalogue_kinds(con) if k in labels], key="cat_kinds",
                           placeholder="选择栏目类型")
    if st.form_submit_button("保存栏目类型"):
        _shared.act("已保存登记公开目录的栏目类型。", lambda: catalogue.set_catalogue_kinds(con, user, kinds))

# ---------------------------------------------------------------- 法定主动公开内容
st.subheader("法定主动公开内容")
st.caption("政府信息公开条例第二十条列出的十五类信息各在哪些栏目公开;门户“法定主动公开内容”页面列出有栏目的各类,"
           "不选栏目即表示本机关不涉及该类(下次生成门户时生效)。")
in_use = {c["id"]: c["path"] for c in columns.tree(con, include_retired=False)}
items = {i["item"]: i for i in catalogue.statutory_items(con)}
picked = st.selectbox("选择类别", list(items), key="cat_statutory_item",
                      format_func=lambda n: f"({n}){items[n]['wording']}")
item = items[picked]
with st.form(f"cat_statutory_form_{picked}"):
    chosen_columns = st.multiselect("公开该类信息的栏目", list(in_use), format_func=in_use.get,
                                    default=[c for c in item["column_ids"] if c in in_use],
                                    key=f"cat_statutory_columns_{picked}", placeholder="选择栏目(可多选)")
    if st.form_submit_button("保存该类的栏目"):
        _shared.act("已保存法定主动公开内容的栏目。",
                    lambda: catalogue.set_statutory_columns(con, user, picked, chosen_columns))
