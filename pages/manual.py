"""使用帮助: the user manual (docs/manual/*.md, core/manual.py), searchable, one page per task page.

A help page is the address manual?page=<key> (the 帮助 link of every page leads there). Clicking 「使用帮助」
in the menu while reading one is a rerun of this same page with the same address: Streamlit keeps the query
parameters when the menu leads to the page already shown. So a help page remembers which page it showed
(SHOWN) and draws the search box: the box's state lives only while this page is drawn run after run
(Streamlit drops a widget's state in a run that does not draw it). A run that finds both, for the same
page, is a run of the help page on itself (the menu's 「使用帮助」): it returns to the list. A help page
reached from anywhere else (another page's 帮助 link, a hit of the search, an address typed or reloaded)
finds no search box state, or another page remembered, and shows that help page.
"""

import re
from pathlib import Path

import streamlit as st

from core import manual
from core.errors import PortalError
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
manual.mark_seen(con, user.id)
SHOWN = "manual_shown"  # the help page the last run of this page showed (None: the list)
QUERY = "manual_query"  # the search box, on the list and on every help page


def show(key: str) -> None:
    st.session_state[SHOWN] = key
    st.caption("使用帮助 · 页面说明")
    top = st.container(horizontal=True, vertical_alignment="bottom")
    if top.button("返回帮助目录", icon=":material/arrow_back:", key="manual_back"):
        back()
    top.text_input("搜索帮助", key=QUERY, placeholder="在全部帮助页中搜索", width=320)
    try:
        page = manual.read(key)
    except PortalError as exc:
        _shared.show_error(exc)
        return
    for block in manual.blocks(page.text):
        if block.kind == "text":  # the page's own headings one size down: the title is the only large one
            st.markdown(re.sub(r"^(#{2,4}) ", r"#\1 ", block.body, flags=re.M))
        elif Path(block.body).is_file():
            st.image(block.body, caption=block.caption or None)
        else:
            st.caption(f"(截图「{block.caption}」尚未生成:运行浏览器测试后即有。)")


def back() -> None:
    """To the list of help pages (the search box emptied)."""
    st.query_params.clear()
    st.session_state[SHOWN] = None
    st.session_state.pop(QUERY, None)
    st.rerun()


def listing() -> None:
    st.session_state[SHOWN] = None
    st.title("使用帮助")
    st.caption("每个工作台页面都有一页说明:用途、操作步骤、适用的规定和常见提示的处理办法。"
               "说明由办公室和技术支持单位维护(第十条(二)(三))。")
    query = st.text_input("搜索帮助", key=QUERY, placeholder="例如:退回、第十四条、动态口令")
    if query:
        hits = manual.search(query)
        if not hits:
            st.info("没有找到包含这些词的帮助页。可换一个词再试,或到「技术支持」提问。")
        for hit in hits:
            st.page_link("pages/manual.py", label=hit.title, query_params={"page": hit.key},
                         icon=":material/article:")
            st.caption(_shared.inert(hit.excerpt))
        return
    titles = {page.key: page.title for page in manual.pages()}
    link(manual.START, titles)
    for section, keys in _shared.SECTIONS.items():  # in the menu's order and sections
        listed = [key for key in keys if key in titles]
        if listed:
            st.markdown(f"**{section}**")
            for key in listed:
                link(key, titles)
    for key in sorted(set(titles) - {manual.START} - {k for keys in _shared.SECTIONS.values() for k in keys}):
        link(key, titles)  # a page the office added to docs/manual beyond the menu's


def link(key: str, titles: dict[str, str]) -> None:
    st.page_link("pages/manual.py", label=titles[key], query_params={"page": key}, icon=":material/article:")


asked = st.query_params.get("page")
on_itself = bool(asked) and QUERY in st.session_state and st.session_state.get(SHOWN) == asked
if on_itself and st.session_state.get(QUERY):
    st.query_params.clear()  # a search typed on a help page: its hits, on the list
    listing()
elif on_itself:
    back()  # 「使用帮助」 in the menu while reading a help page: the list
elif asked:
    st.session_state[QUERY] = ""  # a help page opens with an empty search box (a hit's words stay on the list)
    show(asked)
else:
    listing()
