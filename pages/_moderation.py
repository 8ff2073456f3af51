"""待审核: the webmaster's review of the public's comments (征集调查, pages/consultations.py) and questions (在线访谈,
pages/interviews.py) — one list for both, as core.contribution is one machine behind them: each shows its text
inert, when it came, the screening's findings, and (webmaster only) 审核通过 or 不予通过 with the reason
(第二十三条)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages import _shared


def review(pending: list[dict], *, noun: str, sender: str, key: str, findings: Callable[[dict], list],
           approve: Callable[[dict], None], reject: Callable[[dict, str], None], can_decide: bool,
           then: Callable[[], None]) -> None:
    """The pending contributions (`noun`: 意见 or 提问; `sender`: who sent it, never shown by name; `key`: the
    widgets' prefix). Approving shows it on the portal, so `then` asks for the rebuild."""
    st.subheader(f"待审核{noun}({len(pending)} 条)")
    if not pending:
        st.caption(f"没有待审核的{noun}。")
    for item in pending:
        with st.container(border=True):
            st.markdown(_shared.inert(item["body"]))
            st.caption(f"{item['received_at']:%Y-%m-%d %H:%M} 收到({sender}姓名不公开)")
            for finding in findings(item):
                (st.error if finding.severity == "block" else st.warning)(f"{finding.message}({finding.article})")
            if not can_decide:
                continue
            reason = st.text_input("不予通过的理由", key=f"{key}_reason_{item['id']}")
            ok, no = st.columns(2)
            if ok.button("审核通过", key=f"{key}_ok_{item['id']}"):
                _shared.act(f"{noun}已审核通过。", lambda i=item: approve(i), then=then)
            if no.button("不予通过", key=f"{key}_no_{item['id']}"):
                _shared.act(f"{noun}已标记为不予通过。", lambda i=item, r=reason: reject(i, r))
