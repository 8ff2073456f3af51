"""我的稿件: the officer drafts, revises, submits and publishes the division's articles (第十四条)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import attachments, columns, content, diff, workflow
from core.errors import PortalError
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("我的稿件")
_shared.show_flash()

FIELDS = ("ma_column", "ma_title", "ma_importance", "ma_source", "ma_ended", "ma_codivs", "ma_body")
NEW = "new"


def load_into_form(article: workflow.Article | None) -> None:
    """Fill the editor from the stored article (only when a different article/version is opened)."""
    ss = st.session_state
    if article is None:
        writable = columns.writable_columns(con, user)
        ss.update(ma_column=writable[0]["id"] if writable else None, ma_title="", ma_importance="一般",
                  ma_source=division_names.get(user.division_id, ""), ma_ended=dt.date.today(),
                  ma_codivs=[], ma_body="", ma_loaded=(NEW, 0))
        return
    ss.update(ma_column=article.column_id, ma_title=article.title, ma_importance=article.importance,
              ma_source=article.source, ma_ended=article.work_ended_on, ma_codivs=list(article.codivisions),
              ma_body=article.body_html, ma_loaded=(article.id, article.version))


def form_values() -> dict:
    ss = st.session_state
    return {"title": ss.ma_title, "body_html": ss.ma_body, "source": ss.ma_source, "work_ended_on": ss.ma_ended,
            "importance": ss.ma_importance, "column_id": ss.ma_column, "codivisions": ss.ma_codivs}


def unsaved_changes(article: workflow.Article) -> bool:
    values = form_values()
    return (values["title"].strip() != article.title or content.sanitize_html(values["body_html"]) != article.body_html
            or values["source"].strip() != article.source or values["work_ended_on"] != article.work_ended_on
            or values["importance"] != article.importance or values["column_id"] != article.column_id
            or sorted(values["codivisions"]) != sorted(article.codivisions))


def save(article: workflow.Article | None) -> workflow.Article:
    values = form_values()
    if article is None:
        return workflow.create_article(con, user, **values)
    return workflow.save_article(con, user, article.id, article.version, **values)


def opened(article_id: int | str) -> None:
    st.session_state["ma_open"] = article_id
    st.session_state.pop("ma_loaded", None)


def convert_text() -> None:
    st.session_state["ma_body"] = content.text_to_html(st.session_state.get("ma_paste", ""))


def convert_docx() -> None:
    upload = st.session_state.get("ma_docx")
    if upload is None:
        return
    try:
        html, notes = content.docx_to_html(upload.getvalue())
    except PortalError as exc:
        st.session_state["ma_docx_error"] = str(exc)
        return
    st.session_state["ma_body"] = html
    st.session_state["ma_docx_notes"] = notes


division_names = columns.division_names(con)
column_tree = {c["id"]: c for c in columns.tree(con)}

# ---------------------------------------------------------------- the list
with st.container(border=True):
    left, middle, right = st.columns([2, 2, 1])
    state_filter = left.multiselect("状态", list(workflow.STATE_LABELS), format_func=workflow.STATE_LABELS.get,
                                    key="ma_states", placeholder="全部状态")
    search = middle.text_input("标题搜索", key="ma_search")
    right.write("")
    if right.button("＋ 新建稿件", key="ma_new", type="primary", width="stretch"):
        opened(NEW)
    items = workflow.division_articles(con, user, state_filter or None, search, limit=300)
    if items:
        table = pd.DataFrame([{
            "编号": i["id"], "标题": i["title"], "栏目": i["column_name"], "状态": workflow.STATE_LABELS[i["state"]],
            "重要程度": i["importance"], "牵头处室": i["division"], "更新时间": i["updated_at"],
        } for i in items])
        _shared.table(table, hide_index=True, width="stretch", height=240)
        labels = {i["id"]: f"#{i['id']} {i['title']}({workflow.STATE_LABELS[i['state']]})" for i in items}
        choice = st.selectbox("打开稿件", [None, *labels], format_func=lambda i: "请选择…" if i is None else labels[i],
                              key="ma_pick")
        if choice is not None and choice != st.session_state.get("ma_open"):
            opened(choice)
    else:
        st.info("没有符合条件的稿件。点击「新建稿件」开始撰写。")

current = st.session_state.get("ma_open")
if current is None:
    st.stop()

# ---------------------------------------------------------------- the editor
article: workflow.Article | None = None
if current != NEW:
    try:
        article = workflow.view_article(con, user, int(current))
    except PortalError as exc:
        _shared.show_error(exc)
        st.stop()
if st.session_state.get("ma_loaded") is None:
    load_into_form(article)

actions = workflow.allowed_actions(con, user, article) if article else ["edit", "submit"]
editable = "edit" in actions
st.divider()
if article is None:
    st.subheader("新建稿件")
else:
    st.subheader(f"#{article.id} {article.title}")
    st.markdown(f"状态:**{article.state_label}** · 第 {article.revision} 版"
                + (f" · 审批环节:第 {article.step} 步({workflow.ROLE_STEP_LABELS[article.current_role]})"
                   if article.current_role else "")
                + (f" · 网站上显示第 {article.live_revision} 版" if article.public else ""))
    if article.state == "returned" and article.state_reason:
        st.warning(f"退回意见:{article.state_reason}", icon=":material/undo:")
    if article.state == "scheduled" and article.scheduled_at:
        st.info(f"定时发布:{article.scheduled_at:%Y-%m-%d %H:%M}")
    if not editable:
        st.info("该稿件对您只读(协办处室可查看,由牵头处室负责:谁牵头、谁负责)。")

writable = {c["id"]: c for c in columns.writable_columns(con, user)}
if article is not None and article.column_id not in writable:
    writable[article.column_id] = column_tree[article.column_id]
left, right = st.columns([3, 2])
with left:
    st.selectbox("栏目", list(writable), format_func=lambda i: writable[i]["path"], key="ma_column",
                 disabled=not editable, help="只能选择本处室负责的栏目(第七条)")
    st.text_input("标题", key="ma_title", max_chars=workflow.TITLE_MAX, disabled=not editable)
    st.text_area("正文(HTML)", key="ma_body", height=320, disabled=not editable,
                 help="可在右侧粘贴文字或上传 Word 文档自动转换;颜色、字体、字号会被清除(第十五条)")
with right:
    st.radio("重要程度", workflow.IMPORTANCE, key="ma_importance", horizontal=True, disabled=not editable,
             help="一般:处室负责人审批;重要:再经分管领导;重大/特殊:再经信息化领导小组(第十四条)")
    st.text_input("信息来源", key="ma_source", disabled=not editable)
    st.date_input("工作结束日期", key="ma_ended", disabled=not editable, format="YYYY-MM-DD",
                  help="用于检查是否在工作结束后 3 日内发布(第十七条)")
    st.multiselect("协办处室", [d for d in division_names if d != user.division_id], key="ma_codivs",
                   format_func=division_names.get, disabled=not editable, placeholder="选择协办处室")
    if editable:
        with st.expander("粘贴文字转换为正文"):
            st.text_area("粘贴的文字", key="ma_paste", height=120)
            st.button("转换并替换正文", key="ma_convert", on_click=convert_text)
        with st.expander("上传 Word 文档(.docx)"):
            st.file_uploader("Word 文档", type=["docx"], key="ma_docx", on_change=convert_docx)
            if st.session_state.get("ma_docx_error"):
                st.error(st.session_state.pop("ma_docx_error"))
            for note in st.session_state.pop("ma_docx_notes", []):
                st.caption(note)

with st.expander("预览", expanded=False):
    st.markdown(f"### {st.session_state.ma_title}")
    preview = content.sanitize_html(st.session_state.ma_body or "")
    if preview:
        st.html(f'<div class="preview">{preview}</div>')
    else:
        st.caption("正文为空。")


def show_findings(findings) -> None:
    """Screening results in the editor (第十六条): blocks stop submission, warnings go to the approver."""
    if not findings:
        st.success("自动筛查未发现问题。", icon=":material/verified:")
    for finding in findings:
        text = finding.summary
        if finding.blocking and not finding.overridable:
            st.error(text, icon=":material/block:")
        else:
            st.warning(text, icon=":material/info:")


with st.expander("自动筛查(第十六条)", expanded=article is not None and article.state in {"draft", "returned"}):
    if article is not None:
        show_findings(workflow.screen_article(
            con, article, title=st.session_state.ma_title, body_html=content.sanitize_html(st.session_state.ma_body),
            column_id=st.session_state.ma_column, work_ended_on=st.session_state.ma_ended))
    else:
        st.caption("保存后显示筛查结果;含有不得上网内容(密级标志、内部资料等)的稿件不能提交审批。")


def run_action(label: str, fn) -> None:
    try:
        result = fn()
    except PortalError as exc:
        _shared.show_error(exc)
        return
    if isinstance(result, workflow.Article):
        st.session_state["ma_open"] = result.id
        if result.public or "publish" in label or "撤" in label:
            _shared.refresh_site(con)
    st.session_state.pop("ma_loaded", None)
    _shared.flash(label)
    st.rerun()


def save_then(next_step):
    def run():
        saved = article
        if article is None or unsaved_changes(article):
            saved = save(article)
        return next_step(saved) if next_step else saved
    return run


buttons = st.columns(5)
if editable and buttons[0].button("保存", key="ma_save", type="primary", width="stretch"):
    run_action("已保存为新版本。", save_then(None))
if "submit" in actions and buttons[1].button("提交审批", key="ma_submit", width="stretch"):
    run_action("已提交审批,审批人会收到提醒。",
               save_then(lambda a: workflow.submit(con, user, a.id, a.version)))
if article is not None and "publish" in actions:
    if buttons[2].button("立即发布", key="ma_publish", type="primary", width="stretch"):
        run_action("已发布到门户网站。", lambda: workflow.publish(con, user, article.id, article.version))
    with st.expander("定时发布"):
        day = st.date_input("发布日期", key="ma_when_day", value=dt.date.today() + dt.timedelta(days=1))
        hour = st.time_input("发布时间", key="ma_when_time", value=dt.time(9, 0))
        if st.button("设定定时发布", key="ma_schedule"):
            run_action("已设定定时发布。", lambda: workflow.publish(
                con, user, article.id, article.version, at=dt.datetime.combine(day, hour)))
if article is not None and "cancel_schedule" in actions:
    if buttons[2].button("取消定时", key="ma_unschedule", width="stretch"):
        run_action("已取消定时发布。", lambda: workflow.cancel_schedule(con, user, article.id, article.version))
if article is not None and "restore_draft" in actions:
    if buttons[3].button("恢复为草稿", key="ma_restore", width="stretch"):
        run_action("已恢复为草稿。", lambda: workflow.restore_withdrawn(con, user, article.id, article.version))
if article is not None and "withdraw" in actions:
    with st.expander("撤销此稿件"):
        reason = st.text_input("撤销原因", key="ma_withdraw_reason",
                               help="已发布的信息撤销后将从网站撤下,必须说明原因")
        if st.button("确认撤销", key="ma_withdraw"):
            run_action("稿件已撤销。", lambda: workflow.withdraw(con, user, article.id, article.version, reason))

if article is None:
    st.stop()

# ---------------------------------------------------------------- attachments, history, revisions
st.divider()
tab_files, tab_history, tab_compare = st.tabs(["附件", "审批记录与意见", "版本比较"])
with tab_files:
    for item in attachments.list_attachments(con, article.id):
        cols = st.columns([4, 1, 1])
        cols[0].write(f"📎 {item['filename']}({item['size'] / 1024:.0f} KB)")
        cols[1].download_button("下载", attachments.attachment_data(con, item["id"]), item["filename"],
                                key=f"ma_dl_{item['id']}")
        if editable and cols[2].button("删除", key=f"ma_rm_{item['id']}"):
            run_action("附件已删除。", lambda i=item["id"]: attachments.remove_attachment(con, user, i))
    if editable:
        upload = st.file_uploader("添加附件", key=f"ma_upload_{article.id}")
        if upload is not None and st.button("上传附件", key="ma_upload_go"):
            run_action("附件已上传。",
                       lambda: attachments.add_attachment(con, user, article.id, upload.name, upload.getvalue()))
with tab_history:
    events = workflow.history(con, article.id)
    _shared.table(pd.DataFrame([{
        "时间": e["at"], "操作人": e["actor"], "操作": workflow.ACTION_LABELS.get(e["action"], e["action"]),
        "状态": f"{workflow.STATE_LABELS[e['from_state']]} → {workflow.STATE_LABELS[e['to_state']]}",
        "版本": e["revision"], "意见": e["comment"] or "",
    } for e in events]), hide_index=True, width="stretch")
with tab_compare:
    numbers = [r["number"] for r in workflow.revisions(con, article.id)]
    if len(numbers) < 2:
        st.caption("只有一个版本。")
    else:
        a, b = st.columns(2)
        old = a.selectbox("旧版本", numbers, index=len(numbers) - 2, key="ma_cmp_old")
        new = b.selectbox("新版本", numbers, index=len(numbers) - 1, key="ma_cmp_new")
        changes = diff.compare(workflow.revision(con, article.id, old), workflow.revision(con, article.id, new))
        if not changes:
            st.caption("两个版本内容相同。")
        for change in changes:
            st.markdown(f"**{change['field']}**")
            st.html(f'<div class="diff">{change["html"]}</div>')
