"""统计分析 → 访问统计 (issue 15, visits): the portal's visits from the web server's logs (core/access.py)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from core import access
from core.errors import PortalError
from pages import _shared

PRESETS = {"近 7 天": 7, "近 30 天": 30, "本年": None, "自定义": 0}


def period() -> tuple[dt.date, dt.date] | None:
    today = dt.date.today()
    kind_col, range_col = st.columns([3, 2])
    kind = kind_col.radio("统计期间", list(PRESETS), index=1, horizontal=True, key="visits_kind")
    if kind == "本年":
        return today.replace(month=1, day=1), today
    if PRESETS[kind]:
        return today - dt.timedelta(days=PRESETS[kind] - 1), today
    chosen = range_col.date_input("起止日期", (today - dt.timedelta(days=29), today), key="visits_range")
    if not isinstance(chosen, tuple | list) or len(chosen) != 2:
        range_col.caption("请选择开始和结束日期。")
        return None
    return chosen[0], chosen[1]


def daily_chart(per_day: list[dict]) -> None:
    data = pd.DataFrame([{"日期": pd.Timestamp(d["day"]), "浏览量": d["page_views"], "访客": d["visitors"]}
                         for d in per_day]).melt("日期", var_name="指标", value_name="数量")
    st.altair_chart(alt.Chart(data).mark_line(point=len(per_day) <= 62).encode(
        x=alt.X("日期:T", title="日期", axis=alt.Axis(format="%m-%d")), y=alt.Y("数量:Q", title="数量"),
        color=alt.Color("指标:N", title="指标", scale=alt.Scale(range=["#0068c9", "#e8710a"])),
        tooltip=[alt.Tooltip("日期:T", format="%Y-%m-%d"), "指标", "数量"]).properties(height=260),
        width="stretch")


def listing(title: str, found: list[dict], labels: dict[str, str], key: str, note: str = "") -> None:
    st.markdown(f"**{title}**")
    if note:
        st.caption(note)
    _shared.table(pd.DataFrame([{labels[k]: v for k, v in item.items() if k in labels} for item in found],
                               columns=list(labels.values())), hide_index=True, key=key)


def imported_note(done: dict) -> str:
    if not done["files"]:
        return ""
    span = f",记录时间 {done['first_hit']:%Y-%m-%d} 至 {done['last_hit']:%Y-%m-%d}" if done["first_hit"] else ""
    return (f"已导入访问日志 {done['files']} 个,共 {done['lines']} 行(其中格式不正确 {done['malformed']} 行){span};"
            f"最近导入于 {done['last_import']:%Y-%m-%d %H:%M}。")


def show(con, user) -> None:
    st.subheader("访问统计")
    st.caption("根据门户网站服务器的访问日志统计,供网站年度报表和全国政府网站检查使用。" + access.DEFINITIONS)
    chosen = period()
    if chosen is None:
        return
    try:
        shown = access.dashboard(con, user, *chosen)
    except PortalError as exc:
        _shared.show_error(exc)
        return
    if not shown["imported"]["files"]:
        st.info("尚未导入访问日志。网站管理员可在系统设置中填写“访问日志文件”,工作台每小时导入新增的记录;"
                "技术支持单位也可用命令行导入已有的日志(含压缩的历史日志)。", icon=":material/info:")
        return
    st.caption(imported_note(shown["imported"]))
    days = (chosen[1] - chosen[0]).days + 1
    totals, robots = shown["totals"], shown["robots"]
    boxes = st.columns(4)
    boxes[0].metric("浏览量", f"{totals['page_views']:,}")
    boxes[1].metric("访客", f"{totals['visitors']:,}")
    boxes[2].metric("日均浏览量", f"{totals['page_views'] / days:,.0f}")
    boxes[3].metric("网络爬虫请求占比", f"{robots['share'] * 100:.1f}%",
                    help=f"期间内全部请求 {robots['requests']:,} 次,其中网络爬虫 {robots['robot_requests']:,} 次"
                         "(含图片、样式等文件的请求)")
    daily_chart(shown["per_day"])
    left, right = st.columns(2)
    with left:
        listing("热门页面", shown["top_pages"], {"path": "页面", "page_views": "浏览量"}, "visits_pages")
        listing("入口页面", shown["entry_pages"], {"path": "页面", "entries": "进入次数"}, "visits_entries",
                "访客每天浏览的第一个页面")
    with right:
        listing("热门栏目", shown["top_columns"], {"column_name": "栏目", "page_views": "浏览量"}, "visits_columns",
                "栏目页面和栏目中信息页面的浏览量合计")
        listing("来源网站", shown["referrers"], {"host": "网站", "page_views": "浏览量"}, "visits_referrers",
                "从其他网站的链接进入的浏览量(本网站自身的地址不计)")
    listing("无法找到的地址", shown["not_found"],
            {"path": "地址", "hits": "请求次数", "referrer": "主要来源页面", "last_at": "最近一次"}, "visits_not_found",
            "服务器答复“找不到页面”的地址:多为其他网站或旧链接指向已不存在的页面,可请来源网站更正,"
            "或为搬迁的页面设置转向(链接不可用是全国政府网站检查的扣分项)。")
