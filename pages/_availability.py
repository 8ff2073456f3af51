"""运行概览 → 站点可用性 (issue 15, visits): the probes of the last 30 days (core/availability.py)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core import availability
from pages import _cache, _shared


def show(con, user, kept: _cache.Figures) -> None:
    """`kept`: the page's kept figures: the probes' three queries over site_probes (≈90 ms a run on a
    database of 100,000 articles) are computed again only when the database changes (a probe is a write)."""
    st.subheader("站点可用性(近 30 天)")
    shown = kept("availability", _cache.scope(user), lambda: availability.recent(con, user))
    st.caption(f"工作台每 {shown['interval']} 分钟访问一次门户首页 {shown['base_url']}/ 和最新发布的几个页面,"
               "记录能否访问和响应时间;首页连续多次无法访问时自动提示一起安全事件(第二十三条)。"
               "站点无法访问属于全国政府网站检查的单项否决指标。")
    if not shown["enabled"]:
        st.info("尚未启用站点可用性监测。确认工作台能访问门户网站后,网站管理员可在系统设置中启用"
                "(“启用站点可用性监测”“监测用门户地址”)。", icon=":material/info:")
    if not shown["probes"]:
        if shown["enabled"]:
            st.info("近 30 天还没有监测记录。", icon=":material/info:")
        return
    failures = [f for f in shown["failures"] if f["home"]]
    boxes = st.columns(3)
    boxes[0].metric("首页可用率", f"{shown['availability']:.2f}%")
    boxes[1].metric("首页监测次数", shown["probes"])
    boxes[2].metric("最近一次首页故障", f"{failures[0]['probed_at']:%m-%d %H:%M}" if failures else "无")
    days = pd.DataFrame([{"日期": f"{d['day']:%m-%d}", "可用率": float(d["availability"])} for d in shown["per_day"]])
    st.altair_chart(alt.Chart(days).mark_bar().encode(
        x=alt.X("日期:O", title="日期", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("可用率:Q", title="首页可用率(%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.condition("datum['可用率'] < 100", alt.value("#c0392b"), alt.value("#2e7d32")),
        tooltip=["日期", alt.Tooltip("可用率:Q", format=".2f")],
    ).properties(height=180), width="stretch")
    if shown["latency"]:
        latency = pd.DataFrame([{"时间": p["hour"], "页面": "首页" if p["home"] else "其他页面",
                                 "响应时间(毫秒)": p["latency_ms"]} for p in shown["latency"]])
        st.altair_chart(alt.Chart(latency).mark_line().encode(
            x=alt.X("时间:T", title="时间(每小时平均)", axis=alt.Axis(format="%m-%d %H:%M")),
            y=alt.Y("响应时间(毫秒):Q", title="响应时间(毫秒)"), color=alt.Color("页面:N", title="页面"),
            tooltip=[alt.Tooltip("时间:T", format="%Y-%m-%d %H:%M"), "页面", "响应时间(毫秒)"],
        ).properties(height=200), width="stretch")
    st.markdown("**最近的故障**")
    _shared.table(pd.DataFrame([{
        "时间": f"{f['probed_at']:%Y-%m-%d %H:%M}", "页面": f["url"], "首页": "是" if f["home"] else "否",
        "状态": str(f["status"]) if f["status"] else "无响应", "说明": f["detail"],
    } for f in shown["failures"]], columns=["时间", "页面", "首页", "状态", "说明"]), hide_index=True, key="ov_probe_failures")
