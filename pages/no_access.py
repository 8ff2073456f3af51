"""无权访问: what a signed-in user sees at the address of a page that is not theirs.

The frame (app.py) lists every page: the user's own in the menu, every other one hidden and
answered by this page, so a bookmark or a link forwarded by a colleague explains itself instead of
Streamlit's English "Page not found". The permission itself is enforced in core (core/permissions.py)."""

from __future__ import annotations

import streamlit as st

from core import accounts
from pages import _shared


def render(key: str, user: accounts.User) -> None:
    title = _shared.PAGES[key].title
    st.title("无权访问")
    if user.must_change_password:
        st.warning(f"请先修改密码,然后才能使用「{title}」和工作台的其他功能(第二十二条)。",
                   icon=":material/key:")
        st.page_link(_shared.PAGES["account"].path, label="前往修改密码", icon=":material/arrow_forward:")
        return
    st.error(f"「{title}」供{_shared.who_may_open(key)}使用,您的账号({user.role_labels})不能打开这个页面。",
             icon=":material/block:")
    st.markdown("工作台的账号和权限由办公室统一分配(第二十二条),每个人只看到自己职责范围内的页面。"
                "如工作确实需要,请联系办公室(网站管理员)调整账号角色。")
    st.page_link("pages/home.py", label="返回工作台首页", icon=":material/home:")


def page_for(key: str, user: accounts.User):
    """A callable for st.Page (it takes no arguments), named after the page for Streamlit."""
    def show() -> None:
        render(key, user)
    show.__name__ = f"no_access_{key}"
    return show
