"""工作台首页: what waits for the signed-in user, with a link to the page that handles it."""

import streamlit as st

from core import manual, todo
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("网站工作台")
st.markdown(f"{user.display_name},您好。您的角色:{user.role_labels}")
if not manual.seen(con, user.id):  # a new account: until it opens the manual once (第十条(三))
    with st.container(border=True):
        st.info("欢迎使用网站工作台。第一次使用,请先阅读「新手入门」:如何登录、菜单里有什么、待办在哪里、遇到问题找谁。",
                icon=":material/school:")
        st.page_link(_shared.PAGES["manual"].path, label="阅读新手入门", icon=":material/arrow_forward:",
                     query_params={"page": manual.START})

items = _shared.todo_items(con, user)  # core counts only the kinds whose page the user opens
if not any(items.values()):
    st.success("目前没有待办事项。")
PER_ROW = 4  # seven cards in one row cut their labels short (待审核的在…): four a row keep them whole
kinds = list(items)
for start in range(0, len(kinds), PER_ROW):
    for col, kind in zip(st.columns(PER_ROW), kinds[start:start + PER_ROW], strict=False):
        with col.container(border=True):
            st.metric(todo.LABELS[kind], items[kind])
            st.page_link(_shared.PAGES[_shared.TODO_PAGES[kind]].path, label="前往处理",
                         icon=":material/arrow_forward:")
st.caption(todo.explanation(items) + "左侧的「我的待办」为这些事项的件数之和。")
st.caption("工作台中的每项规则都注明所依据的《门户网站管理办法》条款,可在「管理办法」中查阅原文。")
