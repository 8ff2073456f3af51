"""What every page shares: the database cursor, the signed-in user, messages. No rules here."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import streamlit as st

from core import accounts, notify
from core.cli import init_database
from core.db import connect, default_path
from core.errors import PortalError


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    con = connect(path)
    init_database(con, demo=os.environ.get("PORTAL_DEMO", "") == "1")
    return con


@st.cache_resource(show_spinner=False)
def _scheduler(path: str, site_dir: str):
    """Started once per server process (DuckDB lets one process write: see stack-notes)."""
    from core.scheduler import Scheduler

    interval = float(os.environ.get("PORTAL_SCHEDULER_SECONDS", "30"))
    return Scheduler(_connection(path), site_dir, interval).start()


def db_path() -> str:
    return str(default_path())


def site_dir() -> str:
    return os.environ.get("PORTAL_SITE", "site_build")


def cursor():
    """A cursor for this script run's thread (each thread uses its own cursor)."""
    path = db_path()
    con = _connection(path)
    if os.environ.get("PORTAL_SCHEDULER", "1") == "1":
        _scheduler(path, site_dir())
    return con.cursor()


def cookie_key() -> str:
    """Generated on first run into data/, never committed; at least 32 bytes (PyJWT)."""
    path = Path(db_path()).parent / "cookie.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def current_user(con) -> accounts.User | None:
    username = st.session_state.get("username")
    if not st.session_state.get("authentication_status") or not username:
        return None
    user = accounts.find_user(con, username)
    return user if user and user.active else None


def require_user(con) -> accounts.User:
    user = current_user(con)
    if user is None:
        st.error("请先登录。")
        st.stop()
    return user


def show_error(exc: Exception) -> None:
    """A refusal from core, in the user's words; what they typed stays in the form."""
    if isinstance(exc, PortalError):
        st.error(str(exc), icon=":material/error:")
    else:
        raise exc


def flash(message: str) -> None:
    st.session_state["_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
    warning = st.session_state.pop("_flash_warning", None)
    if warning:
        st.warning(warning, icon=":material/warning:")


def sidebar_todo(con, user: accounts.User) -> None:
    count = notify.todo_count(con, user)
    st.sidebar.metric("我的待办", count, help="待您审批、待修改、待发布的稿件和待处理的申请")


def refresh_site(con) -> None:
    """Publishing or taking down something rebuilds the portal so the public sees it at once."""
    from core import portal

    try:
        portal.build_site(con, site_dir(), full=False)
    except Exception as exc:  # the change is saved; the portal catches up at the next build
        message = f"信息已保存,但门户页面更新失败:{exc}。管理员可运行 python -m core build-site。"
        st.session_state["_flash_warning"] = message  # survives the rerun that follows an action
        st.warning(message, icon=":material/warning:")
