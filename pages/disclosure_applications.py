"""依申请公开 (政府信息公开条例 第二十七至四十五条): register, the queue, an application's actions, the
reply letter and its templates. Applicants' names and contacts are shown here and nowhere else."""

import datetime as dt

import pandas as pd
import streamlit as st

from core import disclosure, permissions
from core.disclosure_terms import APPEAL_KINDS, APPEAL_RESULTS, APPLICANT_TYPES, CHANNELS, OUTCOMES
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("依申请公开")
st.caption("办公室(政府信息公开工作机构)登记收到的政府信息公开申请并交承办处室办理;自收到申请之日起 20 个工作日内答复,"
           "延长须经办公室负责人同意、最长 20 个工作日(政府信息公开条例 第三十三条);补正后重新计时(第三十条),"
           "征求第三方意见的时间不计入期限(第三十二条)。申请人的个人信息只在本页显示。")
_shared.show_flash()
state = st.session_state
manages = permissions.can(user, "disclosure.manage")
today = dt.date.today()


def outcome_label(choice: tuple[str, str | None]) -> str:
    return disclosure.outcome_words(*choice)


# ---------------------------------------------------------------- the queue
queue_tab, closed_tab = st.tabs(["办理中", "已办结"])
open_items = disclosure.queue(con, user, today=today)
closed_items = [a for a in disclosure.queue(con, user, open_only=False, today=today) if a["state"] == "closed"]


def listing(items: list[dict], closed: bool) -> None:
    columns = ["提示", "受理编号", "申请人类型", "申请内容", "收到日期", "答复期限", "状态", "承办处室", "承办人"]
    if closed:
        columns = ["受理编号", "申请人类型", "申请内容", "收到日期", "答复日期", "办理结果", "承办处室"]
    _shared.table(pd.DataFrame([{
        "提示": a["urgency_label"], "受理编号": a["number"], "申请人类型": a["applicant_type"],
        "申请内容": a["subject"][:40], "收到日期": a["received_on"], "答复期限": a["due_on"], "状态": a["state_label"],
        "承办处室": a["division_name"], "承办人": a["handler_name"], "答复日期": a["closed_on"],
        "办理结果": a["outcome_label"]} for a in items], columns=columns), hide_index=True, width="stretch")


with queue_tab:
    overdue = sum(1 for a in open_items if a["urgency"] == "overdue")
    soon = sum(1 for a in open_items if a["urgency"] == "due_soon")
    left, mid, right = st.columns(3)
    left.metric("办理中", len(open_items))
    mid.metric("即将到期", soon)
    right.metric("已超期", overdue)
    listing(open_items, closed=False)
with closed_tab:
    listing(closed_items, closed=True)

# ---------------------------------------------------------------- one application
everything = open_items + closed_items
by_id = {a["id"]: a for a in everything}
wanted = st.query_params.get("application")
if wanted and wanted.isdigit() and int(wanted) in by_id and "dsc_target" not in state:
    state["dsc_target"] = int(wanted)
if by_id:
    st.subheader("办理")
    chosen = st.selectbox("选择申请", list(by_id), key="dsc_target",
                          format_func=lambda i: f"{by_id[i]['urgency_label']}{by_id[i]['number']} "
                                                f"{by_id[i]['subject'][:30]}({by_id[i]['state_label']})")
    item = disclosure.view(con, user, chosen)
    aid, version = item["id"], item["version"]
    with st.container(border=True):
        st.markdown(f"**{item['number']}** · {item['state_label']} · {item['applicant_type']} · {item['channel']}")
        st.markdown(f"申请人:{_shared.inert(item['applicant_name'])} · 联系方式:"
                    f"{_shared.inert(item['applicant_contact'])}")
        st.markdown(f"申请内容:{_shared.inert(item['subject'])}")
        st.markdown(f"收到日期 {item['received_on']} · 计时起点 {item['clock_start_on']} · 答复期限 **{item['due_on']}**"
                    + (f" · 已延长 {item['extended_days']} 个工作日({item['extension_by_name'] or '台账记载'}同意:"
                       f"{_shared.inert(item['extension_reason'])})" if item["extended_days"] else ""))
        st.caption(f"承办:{item['division_name'] or '—'} {item['handler_name'] or ''}")
        if item["state"] == "closed":
            st.markdown(f"办理结果:**{disclosure.outcome_words(item['outcome'], item['outcome_ground'])}**,"
                        f"答复日期 {item['closed_on']}")
        for pause in item["pauses"]:
            st.caption(f"{disclosure.PAUSE_LABELS[pause['kind']]}:{pause['started_on']} 至 "
                       f"{pause['ended_on'] or '尚未结束'} {_shared.inert(pause['note'] or '')}")
        for event in item["events"]:
            st.caption(f"{event['created_at']:%Y-%m-%d %H:%M} {event['actor']}:{event['action_label']}"
                       + (f"「{_shared.inert(event['comment'])}」" if event["comment"] else ""))

    handles = permissions.can(user, "disclosure.handle", item)

    def close_form() -> None:
        with st.form(f"dsc_close_{aid}"):
            st.selectbox("办理结果", disclosure.outcome_choices(), format_func=outcome_label, key=f"dsc_outcome_{aid}",
                         index=None, placeholder="请选择一种办理结果")
            st.date_input("答复日期", value=today, key=f"dsc_closed_on_{aid}", format="YYYY-MM-DD")
            st.text_area("补充说明(写入告知书)", key=f"dsc_reply_{aid}", height=80)
            if st.form_submit_button("办结", type="primary"):
                group, ground = state[f"dsc_outcome_{aid}"] or (None, None)
                _shared.act("申请已办结,可下载告知书。", lambda: disclosure.close(
                    con, user, aid, group, ground, state[f"dsc_closed_on_{aid}"], state[f"dsc_reply_{aid}"],
                    version))

    if item["state"] == "registered" and handles:
        close_tab, pause_tab, consult_tab = st.tabs(["办结答复", "告知补正", "征求第三方意见"])
        with close_tab:
            close_form()
        with pause_tab, st.form(f"dsc_correct_{aid}"):
            st.date_input("告知补正日期", value=today, key=f"dsc_correct_on_{aid}", format="YYYY-MM-DD")
            st.text_area("需要补正的事项和期限", key=f"dsc_correct_note_{aid}", height=80)
            if st.form_submit_button("告知补正(停止计时)"):
                _shared.act("已告知补正,答复期限停止计算。", lambda: disclosure.ask_correction(
                    con, user, aid, state[f"dsc_correct_on_{aid}"], state[f"dsc_correct_note_{aid}"], version))
        with consult_tab, st.form(f"dsc_consult_{aid}"):
            st.date_input("发出征求意见日期", value=today, key=f"dsc_consult_on_{aid}", format="YYYY-MM-DD")
            st.text_area("征求谁的意见、为何征求", key=f"dsc_consult_note_{aid}", height=80)
            if st.form_submit_button("征求第三方意见(暂停计时)"):
                _shared.act("已登记征求第三方意见,期间不计入答复期限。", lambda: disclosure.consult(
                    con, user, aid, state[f"dsc_consult_on_{aid}"], state[f"dsc_consult_note_{aid}"], version))
    if item["state"] == "correction" and handles:
        corrected_tab, close_tab = st.tabs(["收到补正", "办结答复(如逾期不补正)"])
        with corrected_tab, st.form(f"dsc_corrected_{aid}"):
            st.date_input("收到补正申请日期", value=today, key=f"dsc_corrected_on_{aid}", format="YYYY-MM-DD")
            if st.form_submit_button("收到补正(重新计时)", type="primary"):
                _shared.act("已登记补正,答复期限自收到补正之日起重新计算。", lambda: disclosure.corrected(
                    con, user, aid, state[f"dsc_corrected_on_{aid}"], version))
        with close_tab:
            close_form()
    if item["state"] == "consulting" and handles:
        with st.form(f"dsc_consulted_{aid}"):
            st.date_input("第三方意见返回日期", value=today, key=f"dsc_consulted_on_{aid}", format="YYYY-MM-DD")
            if st.form_submit_button("恢复计时", type="primary"):
                _shared.act("已恢复计时,暂停的工作日已计入答复期限。", lambda: disclosure.consulted(
                    con, user, aid, state[f"dsc_consulted_on_{aid}"], version))
    if item["state"] in ("registered", "consulting") and not item["extended_days"] \
            and permissions.can(user, "disclosure.extend", item):
        with st.form(f"dsc_extend_{aid}"):
            st.markdown("**延长答复期限**(办公室负责人同意,政府信息公开条例 第三十三条)")
            st.number_input("延长工作日数", min_value=1, max_value=disclosure.MAX_EXTENSION, value=20,
                            key=f"dsc_extend_days_{aid}")
            st.text_area("延期理由", key=f"dsc_extend_reason_{aid}", height=68)
            st.date_input("同意日期", value=today, key=f"dsc_extend_on_{aid}", format="YYYY-MM-DD")
            if st.form_submit_button("同意延期"):
                _shared.act("已延长答复期限。", lambda: disclosure.extend(
                    con, user, aid, state[f"dsc_extend_days_{aid}"], state[f"dsc_extend_reason_{aid}"],
                    state[f"dsc_extend_on_{aid}"], version))
    if item["state"] == "closed":
        name, data = disclosure.letter(con, user, aid)
        st.download_button("下载告知书(Word)", data, file_name=name, icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    if manages and item["state"] != "closed":
        with st.expander("转办给其他处室或承办人", icon=":material/swap_horiz:"), st.form(f"dsc_assign_{aid}"):
            holders = {h["handler_id"]: h for h in disclosure.holders(con)}
            st.selectbox("承办人", list(holders), key=f"dsc_assign_to_{aid}", index=None, placeholder="请选择",
                         format_func=lambda i: f"{holders[i]['division_name']} · {holders[i]['handler_name']}")
            if st.form_submit_button("转办"):
                chosen_holder = holders.get(state[f"dsc_assign_to_{aid}"]) or {}
                _shared.act("已转办,承办人会收到邮件。", lambda: disclosure.assign(
                    con, user, aid, chosen_holder.get("division_id"), chosen_holder.get("handler_id"), version))
    if item["appeals"]:
        st.markdown("**行政复议、行政诉讼**")
        _shared.table(pd.DataFrame([{"类别": a["kind"] + ("(复议后起诉)" if a["after_review"] else ""),
                                     "受理日期": a["filed_on"], "结果": a["result"], "审结日期": a["decided_on"]}
                                    for a in item["appeals"]]), hide_index=True, width="stretch")
    if manages:
        with st.expander("登记行政复议、行政诉讼及其结果", icon=":material/gavel:"):
            with st.form(f"dsc_appeal_{aid}"):
                st.selectbox("类别", APPEAL_KINDS, key=f"dsc_appeal_kind_{aid}")
                st.checkbox("复议后起诉", key=f"dsc_appeal_after_{aid}")
                st.date_input("受理日期", value=today, key=f"dsc_appeal_on_{aid}", format="YYYY-MM-DD")
                if st.form_submit_button("登记"):
                    _shared.act("已登记。", lambda: disclosure.record_appeal(
                        con, user, aid, state[f"dsc_appeal_kind_{aid}"], state[f"dsc_appeal_on_{aid}"],
                        state[f"dsc_appeal_after_{aid}"]))
            pending = {a["id"]: a for a in item["appeals"]}
            if pending:
                with st.form(f"dsc_appeal_result_{aid}"):
                    st.selectbox("记录", list(pending), key=f"dsc_appeal_id_{aid}",
                                 format_func=lambda i: f"{pending[i]['kind']} {pending[i]['filed_on']}")
                    st.selectbox("结果", APPEAL_RESULTS, key=f"dsc_appeal_result_{aid}")
                    st.date_input("审结日期", value=today, key=f"dsc_appeal_decided_{aid}", format="YYYY-MM-DD")
                    if st.form_submit_button("登记结果"):
                        _shared.act("已登记结果。", lambda: disclosure.record_appeal_result(
                            con, user, state[f"dsc_appeal_id_{aid}"], state[f"dsc_appeal_result_{aid}"],
                            state[f"dsc_appeal_decided_{aid}"]))

# ---------------------------------------------------------------- the office: register, templates
if manages:
    st.subheader("登记申请")
    people = {h["handler_id"]: h for h in disclosure.holders(con)}
    with st.form("dsc_new"):
        left, right = st.columns(2)
        left.selectbox("申请人类型", APPLICANT_TYPES, key="dsc_new_type")
        right.selectbox("申请方式", CHANNELS, key="dsc_new_channel")
        left.text_input("申请人姓名或名称", key="dsc_new_name")
        right.text_input("联系方式", key="dsc_new_contact", placeholder="电话、通信地址或电子邮箱")
        st.text_area("申请内容", key="dsc_new_subject", height=80, placeholder="申请公开的政府信息的名称、文号或便于查询的特征描述")
        left.date_input("收到申请日期", value=today, key="dsc_new_received", format="YYYY-MM-DD",
                        help="当面提交:提交之日;邮寄:签收之日;网上申请:双方确认之日(政府信息公开条例 第三十一条)")
        right.selectbox("承办人", list(people), index=None, placeholder="请选择承办处室和承办人", key="dsc_new_handler",
                        format_func=lambda i: f"{people[i]['division_name']} · {people[i]['handler_name']}")
        submitted = st.form_submit_button("登记", type="primary")
    if submitted:
        holder = people.get(state["dsc_new_handler"]) or {}
        _shared.act(lambda made: f"已登记,受理编号 {made['number']},答复期限 {made['due_on']}。", lambda: disclosure.register(
            con, user, {"applicant_type": state["dsc_new_type"], "channel": state["dsc_new_channel"],
                        "applicant_name": state["dsc_new_name"], "applicant_contact": state["dsc_new_contact"],
                        "subject": state["dsc_new_subject"], "received_on": state["dsc_new_received"],
                        "division_id": holder.get("division_id"), "handler_id": holder.get("handler_id")}),
            then=lambda: [state.pop(k, None) for k in ("dsc_new_name", "dsc_new_contact", "dsc_new_subject")])

    st.subheader("告知书模板")
    st.caption("每类办理结果一份模板;可用的占位符:" + "、".join(f"{{{p}}}" for p in disclosure.PLACEHOLDERS)
               + "。模板须告知申请人可以申请行政复议或者提起行政诉讼(政府信息公开条例 第五十一条)。")
    texts = disclosure.templates(con)
    group = st.selectbox("办理结果", list(OUTCOMES), key="dsc_template_group")
    with st.form(f"dsc_template_{group}"):
        st.text_area("模板内容", value=texts[group], key=f"dsc_template_body_{group}", height=240)
        if st.form_submit_button("保存模板"):
            _shared.act(f"「{group}」的告知书模板已保存。", lambda: disclosure.save_template(
                con, user, group, state[f"dsc_template_body_{group}"]))
