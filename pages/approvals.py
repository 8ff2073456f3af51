"""待我审批: heads, leaders in charge and the leading group review and decide (第十四、十六条)."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from core import attachments, columns, content, diff, linkcheck, workflow
from core.errors import PortalError
from pages import _messages, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("待我审批")
_shared.show_flash()

# (article id, version) the decision buttons were last drawn for: a decision is on what the reviewer saw
SHOWN = "ap_shown"
clicked = any(st.session_state.get(key) for key in ("ap_approve", "ap_return", "ap_escalate"))
shown = st.session_state.get(SHOWN)
if clicked and shown and workflow.get_article(con, shown[0]).version != shown[1]:
    # someone acted first: core names who and what, instead of the item silently vanishing from the queue
    _shared.show_error(workflow.acted_first(con, shown[0], user))
    clicked = False
    st.session_state.pop(SHOWN)

queue = workflow.approval_queue(con, user)
if not queue:
    st.success("目前没有等待您审批的稿件。")
    st.stop()

_shared.table(pd.DataFrame([{
    "编号": q["id"], "标题": q["title"], "牵头处室": q["division"], "栏目": q["column_name"],
    "重要程度": q["importance"], "审批环节": f"第 {q['step']} 步 / 共 {len(q['chain'])} 步",
    "信息员": q["author"], "等待自": q["updated_at"],
} for q in queue]), hide_index=True, width="stretch")
labels = {q["id"]: f"#{q['id']} {q['title']}({q['division']})" for q in queue}
_messages.settle_choice("ap_pick", list(labels))
picked = st.selectbox("打开稿件", list(labels), format_func=labels.get, key="ap_pick")
try:
    article = workflow.view_article(con, user, picked)
except PortalError as exc:
    _shared.show_error(exc)
    st.stop()

division_names = columns.division_names(con)
column = columns.get_column(con, article.column_id)
st.divider()
st.subheader(_shared.inert(article.title))
chain_text = " → ".join(
    (f"<strong>{label}</strong>" if n == article.step else label)
    for n, label in enumerate((workflow.ROLE_STEP_LABELS[r] for r in article.chain), start=1))
# staff text is shown as typed: escaped HTML, not Markdown (an officer's 信息来源 makes no link or image,
# and no bare address is turned into a link)
plain = html.escape
codivisions = "、".join(division_names[d] for d in article.codivisions)
st.html(
    f"<p>牵头处室:{plain(division_names[article.lead_division_id])}"
    + (f" · 协办:{plain(codivisions)}" if article.codivisions else "")
    + f" · 栏目:{plain(column['name'])} · 重要程度:{plain(article.importance)} · 第 {article.revision} 版<br>"
    f"信息来源:{plain(article.source)} · 工作结束日期:{article.work_ended_on or '未填'}<br>"
    f"审批流程:{chain_text}</p>")

# what the reviewer had seen before this visit stays the reference while they tick and comment
seen_key = f"ap_seen_{article.id}_{article.revision}"
if seen_key not in st.session_state:
    st.session_state[seen_key] = workflow.last_seen_revision(con, user, article.id)
    workflow.mark_seen(con, user, article)
seen = st.session_state[seen_key]
if seen is not None and seen < article.revision:
    with st.container(border=True):
        st.markdown(f"**自您上次查看(第 {seen} 版)以来的修改**")
        changes = diff.compare(workflow.revision(con, article.id, seen), workflow.revision(con, article.id,
                                                                                           article.revision))
        for change in changes:
            st.markdown(f"*{change['field']}*")
            st.html(f'<div class="diff">{change["html"]}</div>')
        if not changes:
            st.caption("内容无变化。")
elif seen is None and article.revision > 1:
    st.caption(f"您第一次查看此稿件(已有 {article.revision} 个版本,可在下方「审批记录」中查看历次意见)。")

with st.container(border=True):
    # cleaned again when shown: a body stored before the image rule met it (L2) fetches nothing from elsewhere
    st.html(f'<article class="preview">{content.sanitize_html(article.body_html)}</article>')
# a dead outbound link in the body is worth a warning, never a block (issue 15, links): checked once per revision
dead_key = f"ap_dead_links_{article.id}_{article.revision}"
if dead_key not in st.session_state:
    st.session_state[dead_key] = linkcheck.dead_outbound(con, article.body_html)
for dead in st.session_state[dead_key]:
    st.warning(f"正文中的外部链接无法访问:{dead['href']}({dead['detail'] or dead['status']})。"
               "请核实,必要时退回修改;不影响审批。", icon=":material/link_off:")
files = attachments.list_attachments(con, article.id)
for item in files:
    st.download_button(f"📎 {item['filename']}", attachments.attachment_data(con, item["id"]), item["filename"],
                       key=f"ap_dl_{item['id']}")

with st.expander("审批记录与意见"):
    _shared.table(pd.DataFrame([{
        "时间": e["at"], "操作人": e["actor"], "操作": workflow.ACTION_LABELS.get(e["action"], e["action"]),
        "版本": e["revision"], "意见": e["comment"] or "",
    } for e in workflow.history(con, article.id)]), hide_index=True, width="stretch")


def next_article() -> None:
    _messages.choose_next("ap_pick")


# the version these buttons decide on: the one drawn in the run before the click
version = shown[1] if shown and shown[0] == article.id else article.version
st.session_state[SHOWN] = (article.id, article.version)
actions = workflow.allowed_actions(con, user, article)
findings = workflow.screen_article(con, article)
acknowledged: list[str] = []
overrides: dict[str, str] = {}
# one decision, one run: ticking the checklist and the findings, typing the comment cost no rerun
# (issue 16: four boxes were five full runs of the page); the buttons submit it all at once
with st.form(f"ap_decision_{article.id}_{article.revision}", border=False, enter_to_submit=False):
    st.markdown("#### 自动筛查(第十六条)")
    if not findings:
        st.success("自动筛查未发现问题。", icon=":material/verified:")
    for index, finding in enumerate(findings):
        key = workflow.finding_key(finding)
        widget = f"ap_finding_{article.id}_{article.revision}_{index}"
        text = finding.summary
        if finding.blocking and not finding.overridable:
            st.error(text + " —— 不得发布,请退回修改。", icon=":material/block:")
        elif finding.blocking:
            st.warning(text, icon=":material/gpp_maybe:")
            overrides[key] = st.text_input("放行理由(确需发布时填写,记录在案)", key=widget)
        elif st.checkbox(f"已知悉:{text}", key=widget):
            acknowledged.append(key)

    st.markdown("#### 审核要点(第十六条)")
    st.caption("批准前须逐项确认。")
    ticked = [key for key, label in workflow.CHECKLIST.items()
              if st.checkbox(label, key=f"ap_chk_{article.id}_{article.revision}_{key}")]
    comment = st.text_area("审批意见", key=f"ap_comment_{article.id}",
                           help="退回时必填,会随邮件发给信息员;批准和上报时选填")
    buttons = st.columns(3)
    pressed = {
        "ap_approve": "approve" in actions and buttons[0].form_submit_button(
            "批准", key="ap_approve", type="primary", width="stretch"),
        "ap_return": "return" in actions and buttons[1].form_submit_button("退回修改", key="ap_return",
                                                                           width="stretch"),
        "ap_escalate": "escalate" in actions and buttons[2].form_submit_button(
            "上报上级审批", key="ap_escalate", width="stretch"),
    }
    if not {"approve", "return", "escalate"} & set(actions):
        st.form_submit_button("您在此环节无可执行的操作", key="ap_none", disabled=True)  # a form needs one
if pressed["ap_approve"] and clicked:
    _shared.act("已批准。", lambda: workflow.approve(con, user, article.id, version, ticked, comment,
                                                  acknowledged=acknowledged, overrides=overrides), then=next_article)
if pressed["ap_return"] and clicked:
    _shared.act("已退回,信息员会收到您的意见。",
                lambda: workflow.return_article(con, user, article.id, version, comment), then=next_article)
if pressed["ap_escalate"] and clicked:
    _shared.act("已上报。", lambda: workflow.escalate(con, user, article.id, version, comment), then=next_article)
