"""The workbench frame: login, then the pages of the user's roles through st.navigation."""

from __future__ import annotations

import streamlit as st
import streamlit_authenticator as stauth

from core import accounts
from pages import _shared

st.set_page_config(page_title="陕西省工业和信息化厅 网站工作台", page_icon=":material/account_balance:", layout="wide")

LOGIN_FIELDS = {"Form name": "登录网站工作台", "Username": "用户名", "Password": "密码", "Login": "登录"}

PAGES = {
    # path, title, icon, roles that see it
    "my_articles": ("pages/my_articles.py", "我的稿件", ":material/edit_note:", {"officer", "webmaster"}),
    "publication_request": ("pages/publication_request.py", "委托发布", ":material/outgoing_mail:", {"officer"}),
    "approvals": ("pages/approvals.py", "待我审批", ":material/task_alt:", {"head", "leader", "group"}),
    "content_admin": ("pages/content_admin.py", "信息管理", ":material/folder_managed:", {"webmaster"}),
    "request_queue": ("pages/request_queue.py", "委托发布处理", ":material/move_to_inbox:", {"webmaster"}),
    "columns_admin": ("pages/columns_admin.py", "栏目管理", ":material/account_tree:", {"webmaster"}),
    "accounts_admin": ("pages/accounts_admin.py", "账号管理", ":material/group:", {"webmaster"}),
    "settings_admin": ("pages/settings_admin.py", "系统设置", ":material/settings:", {"webmaster"}),
    "overview": ("pages/overview.py", "运行概览", ":material/monitoring:", {"tech", "analyst", "webmaster", "leader", "group"}),
    "regulation": ("pages/regulation.py", "管理办法", ":material/menu_book:", set(accounts.ROLE_LABELS)),
    "account": ("pages/account.py", "修改密码", ":material/key:", set(accounts.ROLE_LABELS)),
}


def pages_for(user: accounts.User) -> list:
    if user.must_change_password:
        path, title, icon, _ = PAGES["account"]
        return [st.Page(path, title=title, icon=icon, url_path="account", default=True)]
    # the default page lives at "/", so every task page keeps its own address for deep links
    home = st.Page("pages/home.py", title="工作台首页", icon=":material/home:", url_path="home", default=True)
    return [home] + [st.Page(path, title=title, icon=icon, url_path=key)
                     for key, (path, title, icon, roles) in PAGES.items() if roles & user.roles]


def login_page() -> None:
    st.title("陕西省工业和信息化厅 网站工作台")
    authenticator.login(location="main", fields=LOGIN_FIELDS, key="login")
    if st.session_state.get("authentication_status") is False:
        st.error("用户名或密码不正确。")
    st.caption("账号由办公室统一分配,不得共用(第二十二条)。忘记密码请联系网站管理员重置。")


con = _shared.cursor()
authenticator = stauth.Authenticate(
    accounts.credentials(con), "sxit_workbench", _shared.cookie_key(), 1.0, auto_hash=False,
    login_sleep_time=0,
)
authenticator.login(location="unrendered", key="cookie")
user = _shared.current_user(con)

if user is None:
    # Every page's address answers with the login form, so a bookmark or a link in an e-mail
    # (…/approvals) still leads there once the cookie or the password signs the user in.
    entry = [st.Page(login_page, title="登录", icon=":material/login:", url_path="login", default=True)]
    entry += [st.Page(login_page, title="登录", url_path=key) for key in PAGES]
    st.navigation(entry, position="hidden").run()
else:
    with st.sidebar:
        st.markdown(f"**{user.display_name}**  \n{user.role_labels}")
        authenticator.logout("退出登录", location="sidebar", key="logout_button")
    _shared.sidebar_todo(con, user)
    st.navigation(pages_for(user)).run()
