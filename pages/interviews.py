"""在线访谈: the office and the owning division's head announce an interview ahead, the webmaster reviews the
public's questions, and after the interview the transcript is entered and published (第十九、二十三条). The
rules are core.interview's; this page only shows them and calls them."""

import datetime as dt

import streamlit as st

from core import columns, interview, interview_public, permissions
from pages import _moderation, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("在线访谈")
st.caption("提前发布访谈预告(主题、嘉宾及职务、时间、简介),公众在访谈开始前提问;提问经网站管理员审核后方可"
           "公开(第二十三条);访谈结束后录入实录(问答及主持人发言,可选用已审核的网民提问)并公布。")
_shared.show_flash()

interaction_columns = {c["id"]: c["path"] for c in columns.tree(con, include_retired=False)
                       if c["kind"] == "interaction"}
divisions = {d["id"]: d["name"] for d in columns.divisions(con)}
mine = [i for i in interview.listing(con) if permissions.can(user, "interviews.manage", i) or user.has("webmaster")]


def refresh() -> None:
    """What the portal shows changed (the page, the column's list): rebuild it after the commit."""
    _shared.refresh_site(con)


def announcement_fields(key: str, item: dict | None = None) -> dict:
    """The announcement's inputs (new, or an existing one's to change), as core.interview takes them."""
    item = item or {}
    starts = item.get("starts_at") or dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10))
    subject = st.text_input(f"访谈主题(必填,最多 {interview.LIMITS['subject']} 字)", item.get("subject", ""),
                            key=f"{key}_subject")
    guests = st.text_area("访谈嘉宾及职务(必填,每行一位,如“张明 电子信息处处长”)", item.get("guests", ""),
                          key=f"{key}_guests", height=100)
    left, right = st.columns(2)
    day = left.date_input("访谈日期", value=starts.date(), key=f"{key}_day", format="YYYY-MM-DD")
    time = right.time_input("访谈开始时间", value=starts.time(), key=f"{key}_time", step=900)
    intro = st.text_area("访谈简介(必填)", item.get("intro", ""), key=f"{key}_intro", height=150)
    ids = list(interaction_columns)
    column = st.selectbox("所属栏目", ids, format_func=interaction_columns.get, key=f"{key}_column",
                          index=ids.index(item["column_id"]) if item.get("column_id") in ids else _default_column())
    own = [user.division_id] if not user.has("webmaster") and user.division_id in divisions else list(divisions)
    division = st.selectbox("承办处室", own, format_func=divisions.get, key=f"{key}_division",
                            index=own.index(item["division_id"]) if item.get("division_id") in own else 0)
    return {"subject": subject, "guests": guests, "intro": intro, "column_id": column, "division_id": division,
            "starts_at": dt.datetime.combine(day, time)}


def create_form() -> None:
    with st.expander("新建访谈预告", expanded=not mine):
        with st.form("iv_new", enter_to_submit=False):
            values = announcement_fields("iv")
            sent = st.form_submit_button("保存为草稿", type="primary")
        if sent:
            _shared.act(lambda new_id: f"访谈预告已保存为草稿(编号 {new_id})。",
                        lambda: interview.create(con, user, values))


def edit_form(item: dict) -> None:
    with st.expander("修改访谈预告(访谈举行前可改,如更换嘉宾、调整时间)"):
        with st.form(f"iv_edit_{item['id']}", enter_to_submit=False):
            values = announcement_fields(f"iv_e{item['id']}", item)
            sent = st.form_submit_button("保存修改")
        if sent:
            _shared.act("访谈预告已修改。", lambda: interview.edit(con, user, item["id"], item["version"], values),
                        then=refresh if item["state"] == "collecting" else None)


def _default_column() -> int:
    names = list(interaction_columns.values())
    return next((n for n, path in enumerate(names) if path.endswith("在线访谈")), 0)


def moderation(item: dict) -> None:
    _moderation.review(interview.questions(con, item["id"], "pending"), noun="提问", sender="提问人", key="iv",
                       findings=lambda q: interview.findings(con, q),
                       approve=lambda q: interview.approve(con, user, q["id"], q["version"]),
                       reject=lambda q, r: interview.reject(con, user, q["id"], q["version"], r),
                       can_decide=user.has("webmaster"), then=refresh)


def change_form(item: dict, line: dict) -> None:
    """Correct a transcript line (speaker, words, the host's question) or remove it, with the reason; once
    published the portal's transcript is rebuilt."""
    published = item["state"] == "published"
    key = f"iv_fix_{line['id']}"
    with st.expander("更正或删除此条" + ("(实录已公布,更正后门户同步更新)" if published else "")):
        with st.form(key, enter_to_submit=False):
            values = {"speaker": st.text_input("发言人", line["speaker"], key=f"{key}_speaker")}
            if line["kind"] == "qa" and not line["question_id"]:
                values["question"] = st.text_area("主持人提问", line["question"], key=f"{key}_question")
            values["body"] = st.text_area("内容", line["body"], key=f"{key}_body", height=120)
            reason = st.text_input("更正或删除的理由(必填,记入审计日志)", key=f"{key}_reason")
            fix, drop = st.columns(2)
            fixed = fix.form_submit_button("保存更正", type="primary")
            dropped = drop.form_submit_button("删除此条")
    then = refresh if published else None
    if fixed:
        _shared.act("实录已更正。",
                    lambda: interview.correct_entry(con, user, item["id"], item["version"], line["id"], values, reason),
                    then=then)
    if dropped:
        _shared.act("已从实录中删除。",
                    lambda: interview.remove_entry(con, user, item["id"], item["version"], line["id"], reason),
                    then=then)


def transcript(item: dict) -> None:
    st.subheader("访谈实录")
    lines = interview_public.entries(con, item["id"])
    if not lines:
        st.caption("尚未录入实录。")
    for line in lines:
        with st.container(border=True):
            if line["kind"] == "qa":
                st.markdown(f"**{'网友提问' if line['question_id'] else '主持人'}**:{_shared.inert(line['question'])}")
            st.markdown(f"**{_shared.inert(line['speaker'])}**:{_shared.inert(line['body'])}")
            change_form(item, line)
    if item["state"] != "held":
        return
    approved = {q["id"]: q["body"] for q in interview.questions(con, item["id"], "approved")}
    with st.form(f"iv_entry_{item['id']}", enter_to_submit=False):
        st.markdown("**录入一条实录**")
        kind = st.radio("类型", list(interview.ENTRY_LABELS), format_func=interview.ENTRY_LABELS.get,
                        key=f"iv_kind_{item['id']}", horizontal=True)
        chosen = st.selectbox("选用网民提问(问答类;不选则填写主持人提问)", [0, *approved],
                              format_func=lambda q: "(不选用,填写主持人提问)" if not q else approved[q][:60],
                              key=f"iv_pick_{item['id']}")
        question = st.text_area("主持人提问(问答类,未选用网民提问时必填)", key=f"iv_question_{item['id']}")
        speaker = st.text_input("发言人(回答的嘉宾或“主持人”)", key=f"iv_speaker_{item['id']}")
        body = st.text_area("内容(回答或发言)", key=f"iv_body_{item['id']}", height=150)
        sent = st.form_submit_button("添加到实录")
    if sent:
        values = {"kind": kind, "question_id": chosen or None, "question": question, "speaker": speaker, "body": body}
        _shared.act("已添加到实录。", lambda: interview.add_entry(con, user, item["id"], item["version"], values))
    if st.button("公布实录", type="primary", key="iv_publish"):
        _shared.act("访谈实录已公布。", lambda: interview.publish(con, user, item["id"], item["version"]), then=refresh)


def detail(item: dict) -> None:
    number = interview.counts(con, item["id"])
    st.markdown(f"**{_shared.inert(item['subject'])}** · {item['state_label']} · {item['division_name']} · "
                f"访谈时间 {item['starts_at']:%Y-%m-%d %H:%M}")
    left, mid, right = st.columns(3)
    left.metric("收到提问", number["received"])
    mid.metric("待审核", number["pending"])
    right.metric("已通过", number["approved"])
    with st.expander("嘉宾与简介"):
        st.markdown(_shared.inert(item["guests"]).replace("\n", "  \n"))
        st.markdown(_shared.inert(item["intro"]))
    if item["state"] != "draft":  # a draft has no public page yet
        _shared.public_link("ask", {"id": item["id"]})
    if item["state"] in ("draft", "collecting"):
        edit_form(item)
    if item["state"] == "draft" and st.button("发布预告", type="primary", key="iv_announce"):
        _shared.act("访谈预告已发布,公众可在访谈开始前提问。",
                    lambda: interview.announce(con, user, item["id"], item["version"]), then=refresh)
    if item["state"] == "collecting" and st.button("结束提问(访谈已举行)", key="iv_hold"):
        _shared.act("已结束提问,请审核完提问后录入并公布实录。",
                    lambda: interview.hold(con, user, item["id"], item["version"]), then=refresh)
    if item["state"] in ("collecting", "held"):
        moderation(item)
    if item["state"] in ("held", "published"):
        transcript(item)


if permissions.can(user, "interviews.manage"):
    create_form()
if mine:
    _shared.table([{"编号": i["id"], "访谈主题": i["subject"], "状态": i["state_label"], "承办处室": i["division_name"],
                    "访谈时间": f"{i['starts_at']:%Y-%m-%d %H:%M}", "收到提问": i["received"], "待审核": i["pending"]}
                   for i in mine])
    chosen_id = st.selectbox("选择在线访谈", [i["id"] for i in mine], key="iv_chosen",
                             format_func=lambda n: next(f"{i['id']} · {i['subject']}" for i in mine if i["id"] == n))
    detail(next(i for i in mine if i["id"] == chosen_id))
else:
    st.info("还没有在线访谈。")
