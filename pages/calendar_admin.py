"""节假日日历: public holidays and adjusted workdays as data (第十七、十九条); the office enters each
new year as the State Council publishes it, and confirms it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import workdays
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("节假日日历")
_shared.show_flash()
st.caption("发布时限(第十七条)和留言办理期限(第十九条)按工作日计算时,以本日历为准:节假日休息,调休的周末上班。"
           "国务院每年年底公布次年安排后,请在此录入并确认;未确认的年度暂按周一至周五计算。")


today = dt.date.today()
known = workdays.years(con)
confirmed = {y["year"] for y in known if y["confirmed"]}
for upcoming in (today.year, today.year + 1):
    if upcoming not in confirmed:
        st.warning(f"{upcoming} 年的节假日安排尚未确认,涉及该年的工作日计算暂按周一至周五计算。"
                   "请录入国务院公布的安排后点击“确认该年度”。", icon=":material/event_busy:")
_shared.table(pd.DataFrame([{"年度": y["year"], "状态": "已确认" if y["confirmed"] else "未确认",
                            "来源": y["source"] or "", "节假日(天)": y["holidays"], "调休上班(天)": y["workdays"]}
                           for y in reversed(known)]), hide_index=True, width="stretch", height=240)

choices = sorted({y["year"] for y in known} | {today.year, today.year + 1}, reverse=True)
year = st.selectbox("年度", choices, key="cal_year", format_func=lambda y: f"{y} 年")
days = workdays.days_of_year(con, year)
st.subheader(f"{year} 年" + ("(已确认)" if year in confirmed else "(未确认)"))
if days:
    _shared.table(pd.DataFrame([{"日期": d["day"], "星期": "一二三四五六日"[d["day"].weekday()],
                                "类型": workdays.KINDS[d["kind"]], "名称": d["name"]} for d in days]),
                 hide_index=True, width="stretch")
else:
    st.info(f"{year} 年还没有录入任何节假日或调休。")

with st.form("cal_day_form"):
    st.markdown("**录入或修改一天**")
    cols = st.columns(3)
    day = cols[0].date_input("日期", value=dt.date(year, 1, 1), key="cal_day")
    kind = cols[1].selectbox("类型", list(workdays.KINDS), format_func=workdays.KINDS.get, key="cal_kind")
    name = cols[2].text_input("名称", key="cal_name", placeholder="例如 春节")
    if st.form_submit_button("保存", type="primary"):
        _shared.act(f"已保存 {day}。", lambda: workdays.set_day(con, user, day, kind, name))

if days:
    cols = st.columns([2, 1])
    labels = {d["day"]: f"{d['day']} {workdays.KINDS[d['kind']]} {d['name']}" for d in days}
    chosen = cols[0].selectbox("删除一天", list(labels), format_func=labels.get, key="cal_remove_pick")
    if cols[1].button("删除所选日期", key="cal_remove"):
        _shared.act(f"已删除 {chosen}。", lambda: workdays.remove_day(con, user, chosen))

cols = st.columns(2)
if year not in confirmed:
    if cols[0].button("确认该年度", key="cal_confirm", type="primary"):
        _shared.act(f"已确认 {year} 年的节假日安排。", lambda: workdays.confirm_year(con, user, year))
else:
    if cols[0].button("取消确认", key="cal_unconfirm"):
        _shared.act(f"已取消确认 {year} 年。", lambda: workdays.unconfirm_year(con, user, year))
available = workdays.package_years()
if year in available:
    if cols[1].button(f"导入系统自带的 {year} 年安排", key="cal_import"):
        _shared.act(f"已导入并确认 {year} 年的节假日安排。", lambda: workdays.import_package_year(con, user, year))
else:
    cols[1].caption(f"系统自带的节假日数据(随软件更新)还没有 {year} 年的安排,请按国务院办公厅的通知手工录入。")
