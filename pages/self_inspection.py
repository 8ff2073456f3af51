"""网站自查: every national inspection indicator the workbench computes, beside its threshold, veto items first,
each with a link to the page holding the items behind it (第二十五条; 国办函〔2019〕4号)."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import inspection
from pages import _shared

COLOURS = {"pass": "green", "warn": "orange", "fail": "red"}

con = _shared.cursor()
user = _shared.require_user(con)
st.title("网站自查")
st.caption("对照《政府网站与政务新媒体检查指标》(国办函〔2019〕4号),列出工作台能够计算的各项指标:"
           "单项否决指标在前,任一项不达标,网站即被判定为不合格;其余为扣分指标。"
           "“警告”表示尚未不达标但需留意,或尚无数据可供判断。点击“查看”进入处理相关问题的页面。")

BUDGET = 0.5  # seconds of screening a run may spend; 100,000 published items take a minute or more the first time


def draw(results: list[dict]) -> None:
    verdict = inspection.verdict(results)
    if any(r["pending"] for r in results):
        st.info("正在检查在线信息,全部检查完毕后给出结论。", icon=":material/hourglass_top:")
    elif any(r["veto"] and r["status"] == "fail" for r in results):
        st.error(verdict, icon=":material/error:")
    elif any(r["status"] == "fail" for r in results):
        st.warning(verdict, icon=":material/warning:")
    else:
        st.success(verdict, icon=":material/check_circle:")
    reachable = set(_shared.reachable(user))
    for heading, veto in (("单项否决指标", True), ("扣分指标", False)):
        st.subheader(heading)
        for r in [r for r in results if r["veto"] == veto]:
            with st.container(border=True):
                name_col, value_col, link_col = st.columns([3, 4, 1])
                name_col.markdown(f"**{r['name']}**")
                name_col.caption(f"检查标准:{r['threshold']}")
                value_col.markdown(f":{COLOURS[r['status']]}[**{r['status_label']}**] {_shared.inert(r['value'])}")
                if r["note"]:
                    value_col.caption(r["note"])
                if r["page"] in reachable:
                    link_col.page_link(_shared.PAGES[r["page"]].path, label="查看", icon=":material/arrow_forward:")


@st.fragment(run_every=1.0)
def still_screening(first: list[dict]) -> None:
    # while published items are being screened (core.workflow.blocked_published keeps what it screened),
    # this part alone goes on each second, the page stays usable; once done, the page is drawn in full
    ctx = get_script_run_ctx()
    alone = ctx is not None and bool(ctx.fragment_ids_this_run)
    if alone:  # a run of its own: the session checked as a full run does; only the screening goes on
        _shared.require_user(con)
        first = inspection.go_on(con, user, first, BUDGET)
        if first is None:
            st.rerun()
    draw(first)


results = inspection.run(con, user, budget=BUDGET)
if any(r["pending"] for r in results):
    still_screening(results)
else:
    draw(results)
