"""What the user sees of the portal refresh their action asked for (core/refresh.py): 门户网站正在更新
while the worker builds, then that it is done, or why it failed and what to do."""

from __future__ import annotations

import streamlit as st

from core import refresh

KEY = "_site_refresh"  # (site folder, ticket, the result already shown)
FLASH_KEPT = "_site_refresh_flash"  # the action's confirmation, said again with the result
FAILED = "信息已保存,但门户页面更新失败:{error}。系统将在下次定时任务时重试;管理员也可运行 python -m core build-site。"


def asked(site_dir: str, ticket: int) -> None:
    st.session_state[KEY] = (site_dir, ticket, False)
    st.session_state.pop(FLASH_KEPT, None)  # an earlier action's, its result not yet seen


def show_status(flashed: str | None = None) -> None:
    """Called by every page at the top (with the flash): nothing unless this session asked for a refresh.
    While the build runs, a fragment polls (`_watch`); the result is said by a whole run of the page, so that
    no fragment stays on the page polling after it (it would rerun four times a second until the next click:
    a server round trip each, and a page that never settles). `flashed`: the action's confirmation this run
    showed (pages/_shared.show_flash): the run that says the result replaces the page it was on, so it says it
    again."""
    found = st.session_state.get(KEY)
    if found is None:
        return
    site_dir, ticket, shown = found
    if shown:  # the result was shown; a later full run forgets it
        st.session_state.pop(KEY, None)
        return
    now = refresh.status(site_dir, ticket)
    if now.state == "pending":
        if flashed:
            st.session_state[FLASH_KEPT] = flashed
        _watch()
        return
    st.session_state[KEY] = (site_dir, ticket, True)
    kept = st.session_state.pop(FLASH_KEPT, None)
    if kept and not flashed:
        st.success(kept, icon=":material/check_circle:")
    if now.state == "done":
        st.success("门户网站已更新。", icon=":material/public:")
    else:
        st.warning(FAILED.format(error=now.error), icon=":material/warning:")


@st.fragment(run_every=0.25)
def _watch() -> None:
    # reruns alone while drawn: the page is not run again to learn that the build is done. A quarter second,
    # not one: an incremental build on demo data takes a few tenths, and each tick only reads core.refresh's
    # counters under a lock (no database); polling each second held the click's page busy for up to a second.
    found = st.session_state.get(KEY)
    if found is None:
        return
    site_dir, ticket, _ = found
    if refresh.status(site_dir, ticket).state == "pending":
        st.info("门户网站正在更新……", icon=":material/sync:")
        return
    st.rerun()  # the whole page: show_status says the result, and this fragment (and its polling) is gone
