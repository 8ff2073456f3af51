"""留言办理: messages routed to a division; the officer answers, the head approves (第十四、十九条)."""

import streamlit as st

from core import interaction
from pages import _messages, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("留言办理")
st.caption("办公室分办给本处室的公众留言,须在办理期限内答复(第十九条):信息员撰写答复,处室负责人审批后"
           "交回办公室,由网站管理员公开或不公开办结。不属于本处室职责的,请说明理由退回办公室。")
_shared.show_flash()

queue = interaction.division_queue(con, user)
to_answer = [m for m in queue if m["state"] == "routed"]
to_approve = [m for m in queue if m["state"] == "drafted"]
waiting = [m for m in queue if m["state"] == "approved"]
left, mid, right = st.columns(3)
left.metric("待答复", len(to_answer))
mid.metric("待负责人审批", len(to_approve))
right.metric("超期或即将到期", sum(bool(m["urgency"]) for m in queue))


def run(action, message: dict, text: str) -> None:
    _shared.act(text, action, then=lambda: _messages.forget(message["id"]))


def answer(message: dict) -> None:
    version = _messages.seen_version(message)
    full = interaction.view(con, user, message["id"])
    mid = full["id"]
    _messages.returned_notice(interaction.latest_return(full))
    _messages.show(full, contacts=True)
    _messages.history(full)
    # not in a form: what the officer types survives any other button on the page
    st.text_area("答复内容", value=full["answer"] or "", key=f"msg_answer_text_{mid}", height=220,
                 max_chars=interaction.LIMITS["answer"],
                 help="请直接回答留言人的问题,写明依据和办理结果。留言人同意公开的,答复将在门户公开:"
                      "不要写入留言人的姓名、手机、邮箱等个人信息,称呼写“您好”即可(第十六条)。")
    save, send = st.columns(2)
    saved = save.button("保存草稿", key=f"msg_save_{mid}")
    sent = send.button("提交负责人审批", type="primary", key=f"msg_send_{mid}")
    with st.expander("不属于本处室职责,退回办公室"):
        with st.form(f"msg_handback_{mid}"):
            st.text_area("退回理由(必填,建议写明应由哪个处室办理)", key=f"msg_handback_reason_{mid}")
            back = st.form_submit_button("退回办公室")
    text = st.session_state.get(f"msg_answer_text_{mid}", "")
    if saved:
        run(lambda: interaction.save_answer(con, user, mid, text, version), full, "答复草稿已保存。")
    if sent:
        run(lambda: interaction.submit_answer(con, user, mid, text, version), full,
            f"留言 {full['code']} 的答复已提交处室负责人审批。")
    if back:
        run(lambda: interaction.hand_back(con, user, mid, st.session_state.get(f"msg_handback_reason_{mid}", ""),
                                          version), full, f"留言 {full['code']} 已退回办公室重新分办。")


def approve(message: dict) -> None:
    version = _messages.seen_version(message)
    full = interaction.view(con, user, message["id"])
    mid = full["id"]
    _messages.show_with_answer(full, "拟答复内容")
    with st.form(f"msg_approve_{mid}"):
        st.text_input("退回修改的意见(退回时必填)", key=f"msg_return_text_{mid}")
        ok, no = st.columns(2)
        approved = ok.form_submit_button("审批通过", type="primary")
        returned = no.form_submit_button("退回修改")
    if approved:
        run(lambda: interaction.approve_answer(con, user, mid, version), full,
            f"留言 {full['code']} 的答复已审批通过,交办公室发布。")
    if returned:
        run(lambda: interaction.return_answer(con, user, mid, st.session_state.get(f"msg_return_text_{mid}", ""),
                                              version), full, f"留言 {full['code']} 的答复已退回信息员修改。")


def queue_tab(found: list[dict], key: str, empty: str, label: str = "", handle=None) -> None:
    """One queue: its table, and where the user acts on it, the chosen message."""
    if not found:
        st.info(empty)
        return
    returned = sum(bool(m.get("returned")) for m in found)
    if returned:
        st.warning(f"有 {returned} 条答复被退回修改,退回意见见下表和所选留言。", icon=":material/undo:")
    _messages.queue_table(found, f"msg_{key}_table", division=False)
    picked = _messages.pick(found, f"msg_pick_{key}", label) if handle else None
    if picked:
        handle(picked)


tabs = []
if user.has("officer"):
    tabs.append((f"待答复({len(to_answer)})",
                 lambda: queue_tab(to_answer, "answer", "没有待答复的留言。", "答复留言", answer)))
if user.has("head"):
    tabs.append((f"待审批({len(to_approve)})",
                 lambda: queue_tab(to_approve, "approve", "没有待审批的留言答复。", "审批答复", approve)))
tabs += [(f"待办公室发布({len(waiting)})", lambda: queue_tab(waiting, "waiting", "没有等待办公室发布的答复。")),
         ("已办结", lambda: queue_tab(interaction.division_history(con, user), "done", "暂无已办结的留言。"))]
for (_, show), tab in zip(tabs, st.tabs([label for label, _ in tabs]), strict=True):
    with tab:
        show()
