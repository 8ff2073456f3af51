"""使用帮助: the user manual (docs/manual/*.md, core/manual.py), searchable, one page per task page."""

import re
from pathlib import Path

import streamlit as st

from core import manual
from core.errors import PortalError
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
manual.mark_seen(con, user.id)


def show(key: str) -> None:
    try:
        page = manual.read(key)
    except PortalError as exc:
        _shared.show_error(exc)
        return
    st.caption("使用帮助 · 页面说明")
    if st.button("返回帮助目录", icon=":material/arrow_back:", key="manual_back"):
        st.query_params.clear()
        st.rerun()
    for block in manual.blocks(page.text):
        if block.kind == "text":  # the page's own headings one size down: the title is the only large one
            st.markdown(re.sub(r"^(#{2,4}) ", r"#\1 ", block.body, flags=re.M))
        elif Path(block.body).is_file():
            st.image(block.body, caption=block.caption or None)
        else:
            st.caption(f"(截图「{block.caption}」尚未生成:运行浏览器测试后即有。)")


def listing() -> None:
    st.title("使用帮助")
    st.caption("每个工作台页面都有一页说明:用途、操作步骤、适用的规定和常见提示的处理办法。"
               "说明由办公室和技术支持单位维护(第十条(二)(三))。")
    query = st.text_input("搜索帮助", key="manual_query", placeholder="例如:退回、第十四条、动态口令")
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
if asked:
    show(asked)
else:
    listing()
