"""技术支持 (第十条(二)): the divisions raise questions and faults, the technical-support unit answers them,
the office reads the list and the response times."""

from functools import partial

import pandas as pd
import streamlit as st

from core import permissions, support
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("技术支持")
st.caption("技术支持单位负责门户网站正常运行的技术保障和咨询服务(第十条(二))。各处室信息员和处室负责人可在此提出咨询"
           f"或报告故障;技术支持单位受理、答复,问题解决后由提出人确认关闭,关闭后 {support.REOPEN_WORKDAYS} 个工作日内"
           "可重新打开。响应时间按工作时间(工作日 8:30–17:30)计算。")
_shared.show_flash()
sees_all = permissions.can(user, "support.all")
raises = permissions.can(user, "support.raise")

# ---------------------------------------------------------------- the office's and the unit's figures
if sees_all:
    figures = support.figures(con, user)
    cols = st.columns(5)
    cols[0].metric("请求总数", figures["total"])
    cols[1].metric("待受理", figures["by_state"]["待受理"] + figures["by_state"]["已重新打开"])
    cols[2].metric("首次答复用时中位数(工作小时)",
                   "—" if figures["answer_hours_median"] is None else figures["answer_hours_median"])
    cols[3].metric("办结用时中位数(工作日)", "—" if figures["close_days_median"] is None else figures["close_days_median"])
    cols[4].metric("超时答复", figures["late"],
                   help="故障 4 个工作小时、咨询 1 个工作日(9 个工作小时)内未首次答复的请求")
    st.caption("按状态:" + "、".join(f"{label} {n}" for label, n in figures["by_state"].items())
               + ";按类型:" + "、".join(f"{kind} {n}" for kind, n in figures["by_kind"].items())
               + f";重新打开过 {figures['reopened']} 件。")

# ---------------------------------------------------------------- raise a new one
if raises:
    with st.expander("提出新的请求", expanded=not support.listing(con, user, mine=True), icon=":material/add:"):
        titles = [_shared.PAGES[key].title for key in _shared.reachable(user)]
        with st.form("support_new"):
            kind = st.radio("类型", support.KINDS, horizontal=True, key="support_new_kind")
            subject = st.text_input("标题", key="support_new_subject", placeholder="如:保存稿件时提示错误")
            page = st.selectbox("涉及页面", ["", *titles, "其他"], key="support_new_page",
                                format_func=lambda t: t or "(不涉及具体页面)")
            description = st.text_area("问题描述", key="support_new_description", height=120,
                                       placeholder="操作步骤、看到的提示、发生时间")
            upload = _shared.attachment_uploader(con, "附件(可选,如截图)", "support_new_file")
            submitted = st.form_submit_button("提交", type="primary")
        if submitted:
            attachment = (upload.name, upload.getvalue()) if upload is not None else None

            def raise_and_show() -> int:
                new_id = support.raise_request(con, user, kind=kind, subject=subject, description=description,
                                               page=page, attachment=attachment)
                st.session_state["support_target"] = new_id  # the list below opens on the new request
                return new_id

            _shared.act(lambda new_id: f"技术支持请求 #{new_id} 已提交,技术支持单位将尽快答复。", raise_and_show,
                        then=lambda: [st.session_state.pop(f"support_new_{key}", None)
                                      for key in ("subject", "description", "file")])

# ---------------------------------------------------------------- the list
if sees_all:
    st.subheader("全部请求")
    scope = st.radio("显示", ["待处理", "全部"], horizontal=True, key="support_scope")
    listed = support.listing(con, user, states=list(support.OPEN_STATES) if scope == "待处理" else None)
else:
    st.subheader("我的请求")
    listed = support.listing(con, user, mine=True)
_shared.table(pd.DataFrame([{
    "编号": r["id"], "类型": r["kind"], "标题": r["subject"], "状态": r["state_label"], "提出人": r["requester"],
    "处室": r["division"], "提出时间": r["raised_at"], "首次答复(工作小时)": r["answer_hours"],
    "办结(工作日)": r["close_days"], "超时": "是" if r["late"] else "",
} for r in listed], columns=["编号", "类型", "标题", "状态", "提出人", "处室", "提出时间", "首次答复(工作小时)",
                             "办结(工作日)", "超时"]),
    hide_index=True, width="stretch", key="support_table",
    column_config={"提出时间": st.column_config.DatetimeColumn("提出时间", format="YYYY-MM-DD HH:mm")})

# ---------------------------------------------------------------- one request
if listed:
    by_id = {r["id"]: r for r in listed}
    chosen = st.selectbox("查看请求", list(by_id), key="support_target",
                          format_func=lambda i: f"#{i} {by_id[i]['subject']}({by_id[i]['state_label']})")
    item = support.get(con, user, chosen)
    with st.container(border=True):
        st.markdown(f"**#{item['id']} {_shared.inert(item['subject'])}** · {item['kind']} · {item['state_label']}")
        st.caption(f"提出人 {item['requester']}({item['division'] or '—'}),{item['raised_at']:%Y-%m-%d %H:%M}"
                   + (f";涉及页面:{item['page']}" if item["page"] else "")
                   + (f";受理人 {item['handler']}" if item["handler"] else ""))
        st.markdown(_shared.inert(item["description"]))
        for file in item["files"]:
            name, data = support.file_data(con, user, file["id"])
            st.download_button(f"附件:{name}", data, name, key=f"support_file_{file['id']}",
                               icon=":material/attach_file:")
        for message in item["messages"]:
            who = "技术支持单位" if message["side"] == "support" else "提出人"
            st.markdown(f"**{who} {message['author']}**({message['created_at']:%Y-%m-%d %H:%M}):  \n"
                        f"{_shared.inert(message['body'])}")
        if item["answer_hours"] is not None:
            st.caption(f"首次答复用时 {item['answer_hours']} 个工作小时"
                       + (",超过时限" if item["late"] else "")
                       + (f";办结用时 {item['close_days']} 个工作日" if item["close_days"] is not None else ""))
        if item["reopen_until"]:
            st.caption(f"可重新打开至 {item['reopen_until']}。")
        allowed = support.allowed_actions(user, item)
        key = f"{item['id']}_{item['version']}"
        if "accept" in allowed and st.button("受理", key=f"support_accept_{key}"):
            _shared.act(f"请求 #{item['id']} 已受理。", partial(support.accept, con, user, item["id"], item["version"]))
        if "answer" in allowed:
            with st.form(f"support_answer_{item['id']}"):
                text = st.text_area("答复", key=f"support_answer_text_{item['id']}", height=100)
                if st.form_submit_button("答复", type="primary"):
                    _shared.act(f"请求 #{item['id']} 已答复,等待提出人确认。",
                                partial(support.answer, con, user, item["id"], item["version"], text))
        if "confirm" in allowed and st.button("问题已解决,确认关闭", type="primary", key=f"support_confirm_{key}"):
            _shared.act(f"请求 #{item['id']} 已确认解决并关闭。",
                        partial(support.confirm, con, user, item["id"], item["version"]))
        if "reply" in allowed:
            with st.form(f"support_reply_{item['id']}"):
                text = st.text_area("追问或补充", key=f"support_reply_text_{item['id']}", height=80)
                if st.form_submit_button("发送"):
                    _shared.act("已发送给技术支持单位。",
                                partial(support.reply, con, user, item["id"], item["version"], text))
        if "close" in allowed:
            with st.form(f"support_close_{item['id']}"):
                text = st.text_input("关闭说明", key=f"support_close_text_{item['id']}",
                                     placeholder="如:已电话指导解决")
                if st.form_submit_button("关闭请求"):
                    _shared.act(f"请求 #{item['id']} 已关闭。",
                                partial(support.close, con, user, item["id"], item["version"], text))
        if "reopen" in allowed:
            with st.form(f"support_reopen_{item['id']}"):
                text = st.text_input("重新打开的原因", key=f"support_reopen_text_{item['id']}")
                if st.form_submit_button("重新打开"):
                    _shared.act(f"请求 #{item['id']} 已重新打开。",
                                partial(support.reopen, con, user, item["id"], item["version"], text))
        with st.expander("处理经过"):
            for event in item["events"]:
                st.markdown(f"- {event['created_at']:%Y-%m-%d %H:%M} {event['actor'] or '系统'}:"
                            f"{support.ACTION_LABELS.get(event['action'], event['action'])}"
                            f"({support.STATE_LABELS.get(event['to_state'], event['to_state'])})")
