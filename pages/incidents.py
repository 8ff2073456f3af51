"""安全事件 (第二十三条): record, grade, handle and close security incidents."""

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from core import columns, incidents
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("安全事件")
st.caption("网站发生安全事件时,按事件级别报告和协调处置(第二十三条)。登录失败激增、审计日志校验未通过、"
           "自动备份失败等情况会自动提示一起「待确认」事件,请研判后确认或排除。")
_shared.show_flash()
division_names = columns.division_names(con)

with st.expander("事件级别与报告要求", icon=":material/info:"):
    for level in incidents.SEVERITIES:
        st.markdown(f"**{level}**:{incidents.ESCALATION[level]}")

# ---------------------------------------------------------------- suggested
suggested = incidents.listing(con, user, ["suggested"])
if suggested:
    st.subheader(f"待确认的自动提示({len(suggested)})")
for item in suggested:
    with st.container(border=True):
        st.markdown(f"**#{item['id']} {item['title']}** · {item['source_label']} · "
                    f"{item['discovered_at']:%Y-%m-%d %H:%M}")
        st.write(item["description"])
        left, right = st.columns(2)
        with left.form(f"incidents_confirm_{item['id']}"):
            level = st.selectbox("确认为", incidents.SEVERITIES, key=f"incidents_confirm_level_{item['id']}")
            if st.form_submit_button("确认事件", type="primary"):
                _shared.act(f"事件 #{item['id']} 已确认为{level}事件。",
                            partial(incidents.confirm, con, user, item["id"], item["version"], level))
        with right.form(f"incidents_dismiss_{item['id']}"):
            reason = st.text_input("排除理由", key=f"incidents_dismiss_reason_{item['id']}",
                                   placeholder="如:经核实为本人多次输错密码")
            if st.form_submit_button("排除"):
                _shared.act(f"事件 #{item['id']} 已排除。",
                            partial(incidents.dismiss, con, user, item["id"], item["version"], reason))

# ---------------------------------------------------------------- all incidents
st.subheader("事件记录")
listed = incidents.listing(con, user)
_shared.table(pd.DataFrame([{
    "编号": i["id"], "事件": i["title"], "级别": i["severity"], "状态": i["status_label"], "来源": i["source_label"],
    "发现时间": i["discovered_at"], "涉及处室": "、".join(division_names.get(d, str(d)) for d in i["divisions"]),
    "处置步骤": i["steps"], "结案时间": i["closed_at"],
} for i in listed], columns=["编号", "事件", "级别", "状态", "来源", "发现时间", "涉及处室", "处置步骤", "结案时间"]),
    hide_index=True, width="stretch", key="incidents_table",
    column_config={"发现时间": st.column_config.DatetimeColumn("发现时间", format="YYYY-MM-DD HH:mm"),
                   "结案时间": st.column_config.DatetimeColumn("结案时间", format="YYYY-MM-DD HH:mm")})

handled = [i for i in listed if i["status"] != "suggested"]
if handled:
    by_id = {i["id"]: i for i in handled}
    chosen = st.selectbox("查看事件", list(by_id), key="incidents_target",
                          format_func=lambda i: f"#{i} {by_id[i]['title']}({by_id[i]['severity']},"
                                                f"{by_id[i]['status_label']})")
    item = incidents.get(con, chosen)
    with st.container(border=True):
        st.markdown(f"**{item['title']}** · {item['severity']} · {item['status_label']} · 发现于 "
                    f"{item['discovered_at']:%Y-%m-%d %H:%M} · 登记人 {item['created_by']}")
        st.write(item["description"])
        if item["divisions"]:
            st.caption("涉及处室:" + "、".join(division_names.get(d, str(d)) for d in item["divisions"]))
        st.markdown("**处置经过**")
        if item["steps"]:
            for step in item["steps"]:
                st.markdown(f"- {step['done_at']:%Y-%m-%d %H:%M} {step['actor']}:{step['text']}")
        else:
            st.caption("尚未记录处置步骤。")
        if item["status"] == "open":
            with st.form(f"incidents_step_form_{item['id']}", clear_on_submit=True):
                text = st.text_area("新的处置步骤", key=f"incidents_step_{item['id']}", height=80)
                if st.form_submit_button("记录处置步骤"):
                    _shared.act("处置步骤已记录。", lambda: incidents.add_step(con, user, item["id"], text))
            with st.form(f"incidents_close_form_{item['id']}"):
                closure = st.text_area("结案说明", key=f"incidents_closure_{item['id']}", height=80,
                                       placeholder="处置结果、影响范围、整改措施")
                if st.form_submit_button("结案"):
                    _shared.act(f"事件 #{item['id']} 已结案。",
                                lambda: incidents.close(con, user, item["id"], item["version"], closure))
        elif item["closure"]:
            st.markdown(f"**{'结案说明' if item['status'] == 'closed' else '排除理由'}**:{item['closure']}"
                        f"({item['closed_by']},{item['closed_at']:%Y-%m-%d %H:%M})")

# ---------------------------------------------------------------- record a new one
st.subheader("登记安全事件")
with st.form("incidents_new", clear_on_submit=False):
    left, right = st.columns(2)
    title = left.text_input("事件名称", key="incidents_new_title")
    severity = right.selectbox("事件级别", incidents.SEVERITIES, key="incidents_new_severity")
    found_on = left.date_input("发现日期", value=dt.date.today(), key="incidents_new_date", format="YYYY-MM-DD")
    found_at = right.time_input("发现时间", value=dt.time(dt.datetime.now().hour), key="incidents_new_time")
    description = st.text_area("事件描述", key="incidents_new_description", height=100,
                               placeholder="现象、影响的页面或系统、发现途径")
    involved = st.multiselect("涉及处室", list(division_names), format_func=lambda d: division_names[d],
                              key="incidents_new_divisions", placeholder="可多选")
    first = st.text_area("已采取的处置措施(可留空)", key="incidents_new_step", height=68)
    submitted = st.form_submit_button("登记", type="primary")
if submitted:
    _shared.act(lambda new_id: f"安全事件 #{new_id} 已登记。",
                lambda: incidents.create(con, user, title, severity, dt.datetime.combine(found_on, found_at),
                                         description, involved, first))
