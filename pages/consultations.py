"""征集调查: the office and the owning division's head open a consultation, the webmaster reviews the
public's comments, and the feedback summary is published at the end (第十九、二十三条). The rules are
core.consultation's; this page only shows them and calls them."""

import datetime as dt

import streamlit as st

from core import columns, consultation, consultation_public, content, permissions
from pages import _moderation, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("征集调查")
st.caption("就政策草案或具体问题公开征求意见:创建后发布,公众在征集时间内提交意见;意见经网站管理员审核后方可"
           "公开(第二十三条);征集结束后须公布反馈情况(收到和采纳意见数、采纳与未采纳的理由)。")
_shared.show_flash()

interaction_columns = {c["id"]: c["path"] for c in columns.tree(con, include_retired=False)
                       if c["kind"] == "interaction"}
divisions = {d["id"]: d["name"] for d in columns.divisions(con)}
mine = [c for c in consultation.listing(con) if permissions.can(user, "consultations.manage", c)
        or user.has("webmaster")]


def refresh() -> None:
    """What the portal shows changed (the page, the column's list): rebuild it after the commit."""
    _shared.refresh_site(con)


def create_form() -> None:
    with st.expander("新建征集调查", expanded=not mine):
        with st.form("cs_new", enter_to_submit=False):
            subject = st.text_input(f"标题(必填,最多 {consultation.LIMITS['subject']} 字)", key="cs_subject")
            body = st.text_area("征集内容(必填:草案全文或征集的问题)", key="cs_body", height=220)
            left, right = st.columns(2)
            starts = left.date_input("开始日期", value=dt.date.today(), key="cs_starts", format="YYYY-MM-DD")
            ends = right.date_input("截止日期", value=dt.date.today() + dt.timedelta(days=30), key="cs_ends",
                                    format="YYYY-MM-DD")
            column = st.selectbox("所属栏目", list(interaction_columns), format_func=interaction_columns.get,
                                  key="cs_column")
            own = [user.division_id] if not user.has("webmaster") and user.division_id in divisions else list(divisions)
            division = st.selectbox("承办处室", own, format_func=divisions.get, key="cs_division")
            sent = st.form_submit_button("保存为草稿", type="primary")
        if sent:
            values = {"subject": subject, "body": body, "starts_on": starts, "ends_on": ends,
                      "column_id": column, "division_id": division}
            _shared.act(lambda new_id: f"征集调查已保存为草稿(编号 {new_id})。",
                        lambda: consultation.create(con, user, values))


def files_section(item: dict) -> None:
    """The draft policy's files: attached and removed while a draft (published with it), downloadable always."""
    found = consultation_public.files(con, item["id"])
    draft = item["state"] == "draft"
    st.markdown("**附件**(征求意见稿、起草说明等,发布征集时一并在门户公开" + (";发布后不能再增删" if draft else "") + ")")
    if not found:
        st.caption("没有附件。")
    for f in found:
        name, size, actions = st.columns([4, 2, 2])
        name.markdown(_shared.inert(f["filename"]))
        size.caption(f"{content.file_kind(f['filename'])},{content.size_label(f['size'])}")
        download, remove = actions.columns(2)
        download.download_button("下载", consultation_public.file_data(con, f["id"])[1], file_name=f["filename"],
                                 mime=f["mime"], key=f"cs_file_get_{f['id']}")
        if draft and remove.button("删除", key=f"cs_file_del_{f['id']}"):
            _shared.act(f"附件「{f['filename']}」已删除。",
                        lambda f=f: consultation.detach(con, user, item["id"], item["version"], f["id"]))
    if not draft:
        return
    turn = st.session_state.setdefault("cs_upload_turn", 0)  # a new uploader after each file added
    upload = _shared.attachment_uploader(con, "选择要添加的附件(类型和大小按系统设置检查,第二十条)", f"cs_upload_{turn}")
    if st.button("添加附件", key="cs_attach", disabled=upload is None):
        _shared.act(lambda _id: f"附件「{upload.name}」已添加。",
                    lambda: consultation.attach(con, user, item["id"], item["version"], upload.name, upload.getvalue()),
                    then=lambda: st.session_state.update(cs_upload_turn=turn + 1))


def moderation(item: dict) -> None:
    _moderation.review(consultation.comments(con, item["id"], "pending"), noun="意见", sender="提交人", key="cs",
                       findings=lambda c: consultation.findings(con, c),
                       approve=lambda c: consultation.approve(con, user, c["id"], c["version"]),
                       reject=lambda c, r: consultation.reject(con, user, c["id"], c["version"], r),
                       can_decide=user.has("webmaster"), then=refresh)


def summary_form(item: dict) -> None:
    with st.form(f"cs_summary_{item['id']}", enter_to_submit=False):
        st.markdown("**公布反馈**(公布后状态为「已反馈」)")
        adopted = st.number_input("采纳意见数", min_value=0, step=1, key=f"cs_adopted_{item['id']}")
        adopted_text = st.text_area("采纳情况及理由(必填)", key=f"cs_adopted_text_{item['id']}")
        rejected_text = st.text_area("未采纳情况及理由(必填;没有的请写“无”)", key=f"cs_rejected_text_{item['id']}")
        show = st.checkbox("在门户公开已审核通过的意见(不含姓名)", key=f"cs_show_{item['id']}")
        sent = st.form_submit_button("公布反馈", type="primary")
    if sent:
        values = {"adopted_count": adopted, "adopted_text": adopted_text, "rejected_text": rejected_text,
                  "show_comments": show}
        _shared.act("反馈情况已公布。", lambda: consultation.summarise(con, user, item["id"], item["version"], values),
                    then=refresh)


def detail(item: dict) -> None:
    number = consultation.counts(con, item["id"])
    st.markdown(f"**{_shared.inert(item['subject'])}** · {item['state_label']} · {item['division_name']} · "
                f"征集时间 {item['starts_on']:%Y-%m-%d} 至 {item['ends_on']:%Y-%m-%d}")
    left, mid, right = st.columns(3)
    left.metric("收到意见", number["received"])
    mid.metric("待审核", number["pending"])
    right.metric("已通过", number["approved"])
    with st.expander("征集内容"):
        st.markdown(_shared.inert(item["body"]))
    files_section(item)
    if item["state"] != "draft":  # a draft has no public page yet
        _shared.public_link("comment", {"id": item["id"]})
    if item["state"] == "draft" and st.button("发布征集", type="primary", key="cs_open"):
        _shared.act("征集调查已发布,公众可在征集时间内提交意见。",
                    lambda: consultation.open_(con, user, item["id"], item["version"]), then=refresh)
    stage = consultation_public.phase(item, dt.datetime.now())
    if stage == "ended":  # the portal follows the calendar by itself; the feedback is the office's
        st.warning(f"截止日期({item['ends_on']:%Y-%m-%d})已过:门户已显示「征集已截止」,不再接收意见。"
                   "请审核完意见后结束征集并公布反馈。", icon=":material/event_busy:")
    elif stage == "upcoming":
        st.info(f"征集将于 {item['starts_on']:%Y-%m-%d} 开始,届时门户自动显示「正在征集」和提意见入口。",
                icon=":material/event:")
    if item["state"] == "open" and st.button("结束征集", key="cs_close"):
        _shared.act("征集已结束,请审核完意见后公布反馈。",
                    lambda: consultation.close(con, user, item["id"], item["version"]), then=refresh)
    if item["state"] in ("open", "closed"):
        moderation(item)
    if item["state"] == "closed":
        summary_form(item)
    if item["state"] == "summarised":
        st.markdown(f"**反馈**:采纳 {item['adopted_count']} 条。  \n采纳情况:{_shared.inert(item['adopted_text'])}"
                    f"  \n未采纳情况:{_shared.inert(item['rejected_text'])}")


if permissions.can(user, "consultations.manage"):
    create_form()
if mine:
    _shared.table([{"编号": c["id"], "标题": c["subject"], "状态": c["state_label"], "承办处室": c["division_name"],
                    "开始": c["starts_on"], "截止": c["ends_on"], "收到意见": c["received"], "待审核": c["pending"]}
                   for c in mine])
    chosen = st.selectbox("选择征集调查", [c["id"] for c in mine], key="cs_chosen",
                          format_func=lambda i: next(f"{c['id']} · {c['subject']}" for c in mine if c["id"] == i))
    detail(next(c for c in mine if c["id"] == chosen))
else:
    st.info("还没有征集调查。")
