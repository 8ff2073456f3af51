"""What the user sees of the portal refresh their action asked for (core/refresh.py): 门户网站正在更新
while the worker builds, then that it is done, or why it failed and what to do.

The run that follows the action (the page with its confirmation) says the result itself: a parallel fragment
(`_await`, Streamlit runs it in a thread of its own beside the rest of the page) waits for the build and then
replaces 门户网站正在更新 with the result. The page is drawn meanwhile, and no later run is needed: the old
polling fragment ticked four times a second and, once the build was done, asked for a whole second run of the
page to say it (at 100,000 articles that run, the ticks and the wait for the next tick were ≈0.3 s of a
1.5 s publish, issue 16). Nothing polls after the result: the fragment has no `run_every`."""

from __future__ import annotations

import streamlit as st

from core import refresh

KEY = "_site_refresh"  # (site folder, ticket, the result already shown)
FLASH_KEPT = "_site_refresh_flash"  # the action's confirmation, said again with the result by a later run
FAILED = "信息已保存,但门户页面更新失败:{error}。系统将在下次定时任务时重试;管理员也可运行 python -m core build-site。"
PENDING = "门户网站正在更新……"
DONE = "门户网站已更新。"
# how long the fragment waits for the build between two looks at whether the user asked for something else:
# each look sends the (unchanged) message, Streamlit's point where a click ends this run for the next one
LOOK_EVERY = 0.2


def asked(site_dir: str, ticket: int) -> None:
    st.session_state[KEY] = (site_dir, ticket, False)
    st.session_state.pop(FLASH_KEPT, None)  # an earlier action's, its result not yet seen


def show_status(flashed: str | None = None) -> None:
    """Called by every page at the top (with the flash): nothing unless this session asked for a refresh.
    While the build runs, `_await` waits for it beside the page and says the result in this same run.
    `flashed`: the action's confirmation this run showed (pages/_shared.show_flash); kept in case this run
    ends before the result (a click meanwhile): the run that says it then says the confirmation again."""
    found = st.session_state.get(KEY)
    if found is None:
        return
    site_dir, ticket, shown = found
    if shown:  # the result was shown; a later full run forgets it
        st.session_state.pop(KEY, None)
        st.session_state.pop(FLASH_KEPT, None)
        return
    kept = st.session_state.pop(FLASH_KEPT, None)
    if kept and not flashed:
        st.success(kept, icon=":material/check_circle:")
    st.session_state[FLASH_KEPT] = flashed or kept
    _await(site_dir, ticket)


def _say(box, now: refresh.Status) -> None:
    if now.state == "pending":
        box.info(PENDING, icon=":material/sync:")
    elif now.state == "done":
        box.success(DONE, icon=":material/public:")
    else:
        box.warning(FAILED.format(error=now.error), icon=":material/warning:")


@st.fragment(parallel=True)
def _await(site_dir: str, ticket: int) -> None:
    # Runs in Streamlit's worker thread while the page is drawn; blocks only on core.refresh's condition (no
    # database). Every LOOK_EVERY seconds it sends the message again: if the user clicked meanwhile, Streamlit
    # ends this run there (a yield point) and the next run waits again, so a click is never held up.
    box = st.empty()
    now = refresh.status(site_dir, ticket)
    while now.state == "pending":
        _say(box, now)
        now = refresh.wait(site_dir, ticket, timeout=LOOK_EVERY)
    st.session_state[KEY] = (site_dir, ticket, True)
    st.session_state.pop(FLASH_KEPT, None)
    _say(box, now)
