"""互动管理: the webmaster's desk for public messages (第十九、二十三条)."""

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import interaction, ratings
from core.db import rows
from pages import _messages, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("互动管理")
st.caption("公众留言须经网站管理员审核后方可办理和上网(第二十三条):审核后分办到处室并确定办理期限,"
           "处室答复经负责人审批后回到这里,由您公开发布或不公开办结(第十九条)。")
_shared.public_link("message")  # 公众留言 is not in the staff menu
_shared.show_flash()

summary = interaction.desk_summary(con, user)
left, mid, right, far = st.columns(4)
left.metric("待审核", summary["new"])
mid.metric("答复待发布", summary["release"])
right.metric("已超期", summary["overdue"], help="办理期限已过、尚未答复的留言(含各处室办理中的)。")
far.metric("临近三个月未答复", summary["veto_risk"],
           help="全国政府网站检查中,有效留言超过三个月未答复属单项否决。")

divisions = {r["id"]: r["name"] for r in rows(con, "SELECT id, name FROM divisions WHERE kind = 'division' "
                                                   "ORDER BY position, id")}


def run(action, message_id: int, text: str, *, rebuild: bool = False) -> None:
    def after() -> None:
        _messages.forget(message_id)
        if rebuild:
            _shared.refresh_site(con)

    _shared.act(text, action, then=after)


def moderate(message: dict) -> None:
    version = _messages.seen_version(message)
    full = interaction.view(con, user, message["id"])
    _messages.show(full, contacts=True)
    for finding in interaction.message_findings(con, full):
        st.warning(f"{finding.place}:{finding.message}「{finding.excerpt}」({finding.article})", icon=":material/flag:")
    _messages.history(full)
    mid = message["id"]
    route_tab, answer_tab, merge_tab, reject_tab = st.tabs(["分办", "直接答复", "合并重复留言", "不予受理"])
    with route_tab, st.form(f"msg_route_{mid}"):
        ids = list(divisions)
        # the citizen's choice, if any; 不清楚 preselects nothing, so no division is routed to by default
        chosen = ids.index(full["concerns_division_id"]) if full["concerns_division_id"] in ids else None
        st.selectbox("承办处室", ids, index=chosen, format_func=divisions.get, key=f"msg_division_{mid}",
                     placeholder="请选择承办处室")
        st.date_input("办理期限", value=full["due_on"], key=f"msg_due_{mid}",
                      help="默认按留言类型的办理时限(工作日,已扣除节假日)计算,可调整。")
        st.text_input("给承办处室的说明(可选)", key=f"msg_note_{mid}")
        # done before the next run, which is the whole page's (_shared.on_click): one run, not the
        # fragment's and then the page's
        st.form_submit_button("分办", type="primary", **_shared.on_submit(
            f"msg_route_{mid}", lambda _done, code=full["code"]: (
                f"留言 {code} 已分办给{divisions.get(st.session_state[f'msg_division_{mid}'])},已通知该处室信息员。"),
            lambda con, user: interaction.route(
                con, user, mid, st.session_state[f"msg_division_{mid}"], version,
                due_on=st.session_state[f"msg_due_{mid}"], comment=st.session_state.get(f"msg_note_{mid}", "")),
            then=lambda: _messages.forget(mid), whole_page=True))
    _shared.refusal(f"msg_route_{mid}")
    with answer_tab, st.form(f"msg_direct_{mid}"):
        st.text_area("答复内容", key=f"msg_direct_text_{mid}", height=160,
                     help="简单咨询可由办公室直接答复;答复后在“答复待发布”中公开或不公开办结。")
        answered = st.form_submit_button("保存答复")
    with merge_tab, st.form(f"msg_merge_{mid}"):
        similar = interaction.similar(con, full)
        st.caption("同一问题的多条留言合并办理:被合并的留言人凭查询码看到同一答复。")
        if similar:
            _shared.table(pd.DataFrame([{"编号": s["id"], "查询码": s["code"], "标题": s["subject"],
                                        "状态": interaction.STATE_LABELS[s["state"]]} for s in similar]),
                         hide_index=True, width="stretch")
        st.text_input("合并到(留言编号或查询码)", key=f"msg_into_{mid}",
                      value=str(similar[0]["id"]) if similar else "")
        merged = st.form_submit_button("合并")
    with reject_tab, st.form(f"msg_reject_{mid}"):
        st.selectbox("类别", list(interaction.REJECT_REASONS), format_func=interaction.REJECT_REASONS.get,
                     key=f"msg_reject_kind_{mid}")
        st.text_area("理由(留言人凭查询码可见;类别为“其他”时必填)", key=f"msg_reject_reason_{mid}")
        rejected = st.form_submit_button("不予受理")
    state = st.session_state
    if answered:
        run(lambda: interaction.answer_directly(con, user, mid, state.get(f"msg_direct_text_{mid}", ""), version),
            mid, f"留言 {full['code']} 已答复,请在“答复待发布”中公开或不公开办结。")
    if merged:
        run(lambda: interaction.merge(con, user, mid, _target_id(state.get(f"msg_into_{mid}", "")), version),
            mid, f"留言 {full['code']} 已合并办理。")
    if rejected:
        run(lambda: interaction.reject(con, user, mid, state[f"msg_reject_kind_{mid}"],
                                       state.get(f"msg_reject_reason_{mid}", ""), version),
            mid, f"留言 {full['code']} 已不予受理。")


def rating_panel(full: dict, where: str) -> None:
    """The public's rating of this answer (第二十六条(二)), and 重新办理 for a 不满意 not yet reopened."""
    rating = ratings.for_messages(con, [full["id"]]).get(full["id"])
    if rating is None:
        st.caption("公众尚未评价该答复。")
        return
    text = f"**公众评价**:{rating['label']}({rating['rated_at']:%Y-%m-%d %H:%M})"
    if rating["reason"]:
        text += f"  \n**评价理由**:{_shared.inert(rating['reason'])}"
    if rating["grade"] != "unsatisfied":
        st.success(text, icon=":material/thumb_up:")
        return
    st.warning(text, icon=":material/thumb_down:")  # highlighted; st.error is kept for refusals
    if rating["reopened_at"] or full["state"] not in ("published", "closed"):
        return
    mid = full["id"]
    with st.form(f"msg_reopen_{where}_{mid}"):
        st.text_area("重新办理的要求(承办处室可见,必填)", key=f"msg_reopen_text_{where}_{mid}",
                     help="留言回到承办处室重新答复(办公室直接答复的回到待审核),并按留言类型重新计算办理期限;"
                          "公众凭查询码看到“重新办理中”。")
        again = st.form_submit_button("重新办理", type="primary")
    if again:
        version = _messages.seen_version(full)
        run(lambda: ratings.reopen(con, user, mid, st.session_state.get(f"msg_reopen_text_{where}_{mid}", ""),
                                   version),
            mid, f"留言 {full['code']} 已退回{full['division_name'] or '办公室'}重新办理,已通知承办处室。",
            rebuild=full["state"] == "published")


def _with_ratings(found: list[dict]) -> list[dict]:
    labels = ratings.for_messages(con, [m["id"] for m in found])
    for message in found:
        message["rating"] = labels[message["id"]]["label"] if message["id"] in labels else ""
    return found


def _target_id(text: str) -> int:
    text = text.strip()
    if text.isdigit():
        return int(text)
    found = rows(con, "SELECT id FROM messages WHERE code = ?", [interaction.normal_code(text)])
    return found[0]["id"] if found else -1


def release_one(message: dict) -> None:
    version = _messages.seen_version(message)
    full = interaction.view(con, user, message["id"])
    mid = message["id"]
    _messages.show_with_answer(full)
    if not full["publish_allowed"]:
        st.info("留言人不同意公开答复:只能不公开办结,留言人凭查询码查看答复。", icon=":material/lock:")
    subject, body = interaction.default_public_text(full)
    with st.form(f"msg_publish_{mid}"):
        st.caption("公开的是下面的版本:留言人的姓名、手机、邮箱和证件号等个人信息已自动隐去,请再核对(第十六条)。")
        st.text_input("公开标题", value=subject, key=f"msg_public_subject_{mid}")
        st.text_area("公开的留言内容", value=body, key=f"msg_public_body_{mid}", height=140)
        publish = st.form_submit_button("公开发布", type="primary", disabled=not full["publish_allowed"])
        close = st.form_submit_button("不公开办结")
    with st.form(f"msg_back_{mid}"):
        st.text_input("退回承办处室修改的意见", key=f"msg_back_text_{mid}")
        back = st.form_submit_button("退回修改", disabled=not full["division_id"])
    state = st.session_state
    if publish:
        run(lambda: interaction.publish(con, user, mid, version, state.get(f"msg_public_subject_{mid}"),
                                        state.get(f"msg_public_body_{mid}")),
            mid, f"留言 {full['code']} 的答复已在门户“公众留言答复”中公开。", rebuild=True)
    if close:
        run(lambda: interaction.close(con, user, mid, version), mid,
            f"留言 {full['code']} 已不公开办结,留言人可凭查询码查看答复。")
    if back:
        run(lambda: interaction.return_answer(con, user, mid, state.get(f"msg_back_text_{mid}", ""), version),
            mid, f"留言 {full['code']} 的答复已退回{full['division_name']}修改。")


unhappy = ratings.unsatisfied_open(con, user)
new_tab, release_tab, all_tab, rating_tab, deadline_tab = st.tabs(
    [f"待审核({summary['new']})", f"答复待发布({summary['release']})", "全部留言", f"不满意评价({len(unhappy)})",
     "办理时限"])


def checked_alone() -> None:
    """A fragment's run of its own checks the session, as the page's full run does (current_user)."""
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:
        _shared.require_user(con)


# Each tab's body is a fragment: picking another message, ticking the bulk choice or typing a search
# runs that tab alone, not the page, its figures and the other tabs (issue 16); an action reruns the page.
@st.fragment
def new_section() -> None:
    checked_alone()
    new = interaction.desk_queue(con, user, ("new",))
    if not new:
        st.info("没有待审核的留言。")
        return
    if summary["new"] > len(new):
        st.caption(f"共 {summary['new']} 条待审核,按办理期限先后显示前 {len(new)} 条;处理后显示其余的。")
    _messages.queue_table(new, "msg_new_table")
    labels = {m["id"]: f"{m['code']} · {m['subject'][:30]} · {m['name'][:10]}" for m in new}
    if st.session_state.pop("msg_bulk_done", False):
        st.session_state["msg_bulk_pick"] = []  # written, not popped: the browser must drop them too
    chosen = st.multiselect("批量处理:选择留言(如垃圾信息)", list(labels), format_func=labels.get,
                            key="msg_bulk_pick", placeholder="选择要批量不予受理的留言")
    with st.expander(f"批量不予受理(已选 {len(chosen)} 条)", expanded=bool(chosen)):
        with st.form("msg_bulk"):
            st.selectbox("类别", list(interaction.REJECT_REASONS), format_func=interaction.REJECT_REASONS.get,
                         key="msg_bulk_kind")
            st.text_input("理由(可选)", key="msg_bulk_reason")
            bulk = st.form_submit_button("批量不予受理", disabled=not chosen)
        if bulk:
            _shared.act(lambda count: f"已批量不予受理 {count} 条留言。",
                        lambda: interaction.bulk_reject(con, user, chosen, st.session_state["msg_bulk_kind"],
                                                        st.session_state.get("msg_bulk_reason", "")),
                        then=lambda: st.session_state.update(msg_bulk_done=True))
    message = _messages.pick(new, "msg_pick_new", "审核留言")
    if message:
        moderate(message)


@st.fragment
def release_section() -> None:
    checked_alone()
    release = interaction.desk_queue(con, user, ("approved",))
    if not release:
        st.info("没有待发布的答复。")
        return
    _messages.queue_table(release, "msg_release_table")
    message = _messages.pick(release, "msg_pick_release", "审核答复")
    if message:
        release_one(message)


@st.fragment
def all_section() -> None:
    checked_alone()
    left, right = st.columns([3, 1])
    text = left.text_input("查询码、标题或内容", key="msg_search")
    state_filter = right.selectbox("状态", [None, *interaction.STATE_LABELS], key="msg_state",
                                   format_func=lambda s: "全部" if s is None else interaction.STATE_LABELS[s])
    found = _with_ratings(interaction.search(con, user, text, state_filter))
    _messages.queue_table(found, "msg_all_table")
    if not found:
        return
    message = _messages.pick(found, "msg_pick_all", "查看留言")
    full = interaction.view(con, user, message["id"])
    _messages.show_with_answer(full)
    rating_panel(full, "all")
    if full["state"] == "published":
        with st.form(f"msg_unpublish_{full['id']}"):
            st.text_input("撤下理由", key=f"msg_unpublish_reason_{full['id']}")
            off = st.form_submit_button("从门户撤下(临时处置,第二十三条)")
        if off:
            version = _messages.seen_version(full)
            run(lambda: interaction.unpublish(con, user, full["id"], st.session_state.get(
                f"msg_unpublish_reason_{full['id']}", ""), version), full["id"],
                f"留言 {full['code']} 的答复已从门户撤下;留言人仍可凭查询码查看答复。", rebuild=True)


@st.fragment
def rating_section() -> None:
    checked_alone()
    st.caption("公众凭查询码对答复评价为“不满意”的留言(第二十六条(二))。请核对答复和公众的理由:"
               "确需重新答复的,点击“重新办理”退回承办处室;其他的保留评价,计入满意率统计。")
    waiting = ratings.unsatisfied_open(con, user)
    if not waiting:
        st.info("没有待处理的不满意评价。")
        return
    _shared.table(pd.DataFrame([{"查询码": m["code"], "标题": m["subject"], "承办处室": m["division_name"] or "办公室",
                                 "评价时间": f"{m['rated_at']:%Y-%m-%d %H:%M}", "公众的理由": m["reason"] or "—"}
                                for m in waiting]), hide_index=True, width="stretch", key="msg_unhappy_table")
    message = _messages.pick(waiting, "msg_pick_unhappy", "查看不满意评价")
    if message:
        full = interaction.view(con, user, message["id"])
        _messages.show_with_answer(full)
        rating_panel(full, "unhappy")


with new_tab:
    new_section()
with release_tab:
    release_section()
with all_tab:
    all_section()
with rating_tab:
    rating_section()

with deadline_tab:
    current = interaction.deadlines(con)
    st.caption("办理时限按工作日计算,节假日和调休按“节假日日历”(第十七、十九条);分办时可逐条调整。")
    with st.form("msg_deadlines"):
        values = {kind: st.number_input(f"{label}(工作日)", min_value=1, max_value=60, step=1,
                                        value=int(current.get(kind, current.get("default", 10))),
                                        key=f"msg_deadline_{kind}")
                  for kind, label in [("consult", "咨询"), ("suggest", "建议"), ("complain", "投诉"),
                                      ("default", "其他(默认)")]}
        saved = st.form_submit_button("保存办理时限")
    if saved:
        _shared.act("办理时限已保存,对此后收到的留言生效。", lambda: interaction.set_deadlines(con, user, values))
