"""我的稿件: the officer drafts, revises, submits and publishes the division's articles (第十四条)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import attachments, catalogue, columns, content, corrections, diff, permissions, portal, settings, workflow
from core.disclosure_terms import DISCLOSURE_MODES, DOC_KINDS, VALIDITY, WITHHELD_GROUNDS
from core.errors import PortalError
from pages import _richtext, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("我的稿件")
_shared.show_flash()

# the form's widgets; the body is a plain key (ma_body) fed by the editor component
FIELDS = ("ma_column", "ma_title", "ma_importance", "ma_source", "ma_ended", "ma_codivs")
NEW = "new"


def set_body(html: str) -> None:
    """Replace the body and mount a fresh editor instance loaded with it."""
    st.session_state["ma_body"] = html
    st.session_state["ma_body_rev"] = st.session_state.get("ma_body_rev", 0) + 1


def load_into_form(article: workflow.Article | None) -> None:
    """Fill the editor from the stored article (only when a different article/version is opened)."""
    ss = st.session_state
    for key in ("ma_pending", "ma_undo"):
        ss.pop(key, None)
    set_body(article.body_html if article else "")
    load_catalogue(article)
    if article is None:
        writable = columns.writable_columns(con, user)
        ss.update(ma_column=writable[0]["id"] if writable else None, ma_title="", ma_importance="一般",
                  ma_source=division_names.get(user.division_id, ""), ma_ended=dt.date.today(),
                  ma_codivs=[], ma_loaded=(NEW, 0))
        return
    ss.update(ma_column=article.column_id, ma_title=article.title, ma_importance=article.importance,
              ma_source=article.source, ma_ended=article.work_ended_on, ma_codivs=list(article.codivisions),
              ma_loaded=(article.id, article.version))


# 政府信息公开目录 (第十二条): the entry's fields, for an article in a catalogue column
CATALOGUE = {"issuer": "ma_cat_issuer", "doc_number": "ma_cat_number", "doc_kind": "ma_cat_kind",
             "written_on": "ma_cat_written", "topic_id": "ma_cat_topic", "disclosure": "ma_cat_mode",
             "withheld_ground": "ma_cat_ground", "validity": "ma_cat_validity",
             "validity_changed_on": "ma_cat_changed", "replaced_by": "ma_cat_replaced", "interprets": "ma_cat_interprets"}


def blank_catalogue() -> dict:
    """A new entry: 发文机关 is the department's name (网站名称 in 系统设置) until the officer changes it."""
    return {"issuer": settings.get(con, "site_name"), "doc_number": "", "doc_kind": "其他文件", "written_on": None,
            "topic_id": None, "disclosure": "主动公开", "withheld_ground": None, "validity": "有效",
            "validity_changed_on": None, "replaced_by": None, "interprets": None}


def load_catalogue(article: workflow.Article | None) -> None:
    stored = catalogue.entry(con, article.id) if article else None
    blank = blank_catalogue()
    for field, key in CATALOGUE.items():
        st.session_state[key] = stored[field] if stored else blank[field]
    st.session_state["ma_cat_stored"] = {f: stored[f] for f in CATALOGUE} if stored else None


def catalogue_values() -> dict:
    values = {field: st.session_state.get(key) for field, key in CATALOGUE.items()}
    if catalogue.column_kind(con, st.session_state.get("ma_column")) != catalogue.INTERPRETATION_KIND:
        values["interprets"] = None  # a pick left from a 解读 column chosen before
    return values


def form_is_loaded(article_id: int | str) -> bool:
    """The form holds the opened article: Streamlit deletes the widgets' keys whenever the page is not
    shown, while the plain marker survives, so the widgets themselves must still be there."""
    ss = st.session_state
    loaded = ss.get("ma_loaded")
    return loaded is not None and loaded[0] == article_id and all(key in ss for key in FIELDS)


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


def save_catalogue(article: workflow.Article) -> None:
    """The entry goes with the article's save; a published document's entry changes only by approval
    or by 变更有效性 (core says so), so it is not sent again here."""
    if not catalogue.is_catalogue_column(con, article.column_id) or article.public:
        return
    stored = catalogue.entry(con, article.id)
    checked = catalogue.check_entry(con, catalogue_values(), article_id=article.id)
    if stored is None or {f: stored[f] for f in catalogue.EDITABLE} != checked:
        catalogue.save_entry(con, user, article.id, catalogue_values())


def opened(article_id: int | str) -> None:
    st.session_state["ma_open"] = article_id
    st.session_state.pop("ma_loaded", None)


def body_is_empty() -> bool:
    return not content.html_to_text(content.sanitize_html(st.session_state.get("ma_body") or "")).strip()


def replace_body(source: str, html: str) -> None:
    """Put converted text in 正文: at once when it is empty, else only after the officer confirms."""
    if body_is_empty():
        do_replace(source, html)
    else:
        st.session_state["ma_pending"] = (source, html)


def do_replace(source: str, html: str) -> None:
    st.session_state["ma_undo"] = (source, st.session_state.get("ma_body") or "")
    set_body(html)


def confirm_replace() -> None:
    source, html = st.session_state.pop("ma_pending")
    do_replace(source, html)


def undo_replace() -> None:
    _source, previous = st.session_state.pop("ma_undo")
    set_body(previous)


def convert_text() -> None:
    html = content.text_to_html(st.session_state.get("ma_paste", ""))
    if html:
        replace_body("粘贴的文字", html)


def convert_docx() -> None:
    upload = st.session_state.get("ma_docx")
    if upload is None:
        return
    try:
        html, notes = content.docx_to_html(upload.getvalue(), settings.limits_from_settings(con))
    except PortalError as exc:
        st.session_state["ma_docx_error"] = str(exc)
        return
    if content.images_without_alt(html):
        notes = [*notes, "文档中有图片缺少图片说明(替代文字):请在正文中点击标红的图片填写说明,否则不能保存"]
    replace_body(f"Word 文档「{upload.name}」", html)
    st.session_state["ma_docx_notes"] = notes


def words(html: str) -> int:
    return len("".join(content.html_to_text(html).split()))


def replacement_controls() -> None:
    """The confirmation before converted text replaces a non-empty 正文, and the undo of the last replacement."""
    pending = st.session_state.get("ma_pending")
    if pending:
        source, html = pending
        with st.container(border=True):
            st.warning(f"正文中已有约 {words(st.session_state.ma_body or '')} 字的内容。用{source}的转换结果"
                       f"(约 {words(html)} 字)替换现有正文吗?替换后可以点「撤销替换」恢复原来的正文。",
                       icon=":material/warning:")
            yes, no = st.columns(2)
            yes.button("确认替换正文", key="ma_replace_yes", type="primary", on_click=confirm_replace, width="stretch")
            no.button("取消,保留现有正文", key="ma_replace_no", width="stretch",
                      on_click=lambda: st.session_state.pop("ma_pending", None))
    undo = st.session_state.get("ma_undo")
    if undo and not pending:
        st.button(f"撤销替换(恢复用{undo[0]}替换之前的正文)", key="ma_undo_replace", on_click=undo_replace,
                  icon=":material/undo:")


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
        if "ma_pick" not in st.session_state and st.session_state.get("ma_open") in labels:
            st.session_state["ma_pick"] = st.session_state["ma_open"]  # forgotten while away: name the open item
        choice = st.selectbox("打开稿件", [None, *labels], format_func=lambda i: "请选择…" if i is None else labels[i],
                              key="ma_pick", placeholder="请选择…")
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
if not form_is_loaded(article.id if article else NEW):
    load_into_form(article)

actions = workflow.allowed_actions(con, user, article) if article else ["edit", "submit"]
editable = "edit" in actions
st.divider()
if article is None:
    st.subheader("新建稿件")
else:
    st.subheader(f"#{article.id} {_shared.inert(article.title)}")
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
    st.markdown("正文", help="可直接从 Word、WPS 粘贴:标题、列表、表格会保留,颜色、字体、字号会被清除,"
                "由网站统一排版(第十五条)。插入图片须填写图片说明。")
    typed = _richtext.rich_text(f"ma_editor_{st.session_state.ma_body_rev}", st.session_state.ma_body,
                                readonly=not editable, placeholder="在此输入正文,回车另起一段")
    if typed is not None:
        st.session_state["ma_body"] = typed
    if editable:
        replacement_controls()
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
            st.button("转换为正文", key="ma_convert", on_click=convert_text,
                      help="每行文字成为一段;正文已有内容时会先请您确认")
        with st.expander("上传 Word 文档(.docx)"):
            st.file_uploader("Word 文档", type=["docx"], key="ma_docx", on_change=convert_docx)
            if st.session_state.get("ma_docx_error"):
                st.error(st.session_state.pop("ma_docx_error"))
            for note in st.session_state.pop("ma_docx_notes", []):
                st.caption(note)

def catalogue_fields(article: workflow.Article | None, editable: bool) -> None:
    """政府信息公开目录 (第十二条): the catalogue data of a document in a catalogue column."""
    ss = st.session_state
    blank = blank_catalogue()
    for field, key in CATALOGUE.items():  # keys Streamlit dropped while the section was hidden
        ss.setdefault(key, blank[field])
    stored = catalogue.entry(con, article.id) if article else None
    locked = not editable or bool(article and article.public and stored)
    kind = catalogue.column_kind(con, ss.ma_column)
    with st.container(border=True):
        st.markdown("**政府信息公开目录**", help="政府信息公开目录的信息,提交审批前须填写完整(第十二条)")
        if stored and stored["index_number"]:
            st.text_input("索引号", value=stored["index_number"], disabled=True, key="ma_cat_index_shown",
                          help="由系统在首次发布时分配,不能修改")
        else:
            st.caption("索引号:首次发布时由系统自动分配。")
        if locked and article and article.public:
            st.caption("已公开文件的目录信息不能直接修改(先审批后发布);需要更正时请撤销后修改、重新提交审批。"
                       "文件被修改或废止时请用下方「变更有效性」。")
        one, two, three = st.columns(3)
        one.text_input("发文机关", key="ma_cat_issuer", disabled=locked)
        two.text_input("文号", key="ma_cat_number", disabled=locked, placeholder=catalogue.DOC_NUMBER_EXAMPLE,
                       help=f"形如「{catalogue.DOC_NUMBER_SHAPE}」,年份用六角括号〔〕;没有文号的文件留空")
        three.selectbox("文件类别", DOC_KINDS, key="ma_cat_kind", disabled=locked)
        one, two, three = st.columns(3)
        one.date_input("成文日期", key="ma_cat_written", disabled=locked, format="YYYY-MM-DD",
                       max_value=dt.date.today())
        offered = catalogue.topics(con, include_retired=True)
        names = {t["id"]: t["name"] + ("(已停用)" if t["retired"] else "") for t in offered
                 if not t["retired"] or t["id"] == ss.get("ma_cat_topic")}
        two.selectbox("主题分类", [None, *names], key="ma_cat_topic", disabled=locked,
                      format_func=lambda i: "请选择…" if i is None else names.get(i, "请选择…"))
        three.selectbox("公开方式", DISCLOSURE_MODES, key="ma_cat_mode", disabled=locked)
        if ss.get("ma_cat_mode") == "不予公开":
            st.selectbox("不予公开理由", [None, *WITHHELD_GROUNDS], key="ma_cat_ground", disabled=locked,
                         format_func=lambda g: "请选择法定理由…" if g is None else g,
                         help="政府信息公开条例 第十四至十六条")
        st.radio("有效性", VALIDITY, key="ma_cat_validity", horizontal=True, disabled=locked)
        if ss.get("ma_cat_validity") != "有效":
            left, right = st.columns([1, 2])
            left.date_input("有效性变更日期", key="ma_cat_changed", disabled=locked, format="YYYY-MM-DD")
            document_picker(right, "替代文件", "ma_cat_replaced", catalogue.catalogue_documents, locked,
                            article.id if article else None)
        if kind == catalogue.INTERPRETATION_KIND:
            document_picker(st, "所解读的政策文件", "ma_cat_interprets", catalogue.policy_documents, locked, None,
                            help="政策解读与所解读的政策文件互相链接;可按标题或文号查找已发布的政策文件")
    if (article is not None and article.live_revision is not None and stored
            and permissions.can(user, "catalogue.validity", article)):
        validity_form(article, stored)


def document_picker(where, label: str, key: str, source, locked: bool, exclude: int | None, help=None) -> None:
    ss = st.session_state
    search = "" if locked else where.text_input(f"查找{label}(标题或文号)", key=f"{key}_find")
    found = {d["id"]: d for d in source(con, search or "") if d["id"] != exclude}
    if ss.get(key) is not None and ss[key] not in found:  # the one chosen stays offered, whatever the search
        chosen = catalogue.document(con, ss[key])
        if chosen:
            found[chosen["id"]] = chosen
    where.selectbox(label, [None, *found], key=key, disabled=locked, help=help,
                    format_func=lambda i: "请选择…" if i is None else
                    f"{found[i]['title']}" + (f"({found[i]['doc_number']})" if found[i]["doc_number"] else ""))


def validity_form(article: workflow.Article, stored: dict) -> None:
    """A published document is modified or repealed: the officer records it, the portal shows it (第十二条)."""
    with st.expander("变更有效性(文件被修改或废止)"):
        choice = st.radio("新的有效性", VALIDITY, key="ma_val_validity", horizontal=True,
                          index=VALIDITY.index(stored["validity"]))
        when = replaced = None
        if choice != "有效":
            when = st.date_input("修改或废止日期", key="ma_val_on", value=None, format="YYYY-MM-DD")
            document_picker(st, "修改或废止它的文件", "ma_val_replaced", catalogue.catalogue_documents, False,
                            article.id)
            replaced = st.session_state.get("ma_val_replaced")
        if st.button("保存有效性", key="ma_val_save"):
            _shared.act("有效性已变更,门户网站上的文件页面已更新。",
                        lambda: catalogue.change_validity(con, user, article.id, choice, when, replaced),
                        then=validity_changed)


def validity_changed() -> None:
    st.session_state.pop("ma_loaded", None)
    _shared.refresh_site(con)


if catalogue.is_catalogue_column(con, st.session_state.ma_column):
    catalogue_fields(article, editable)

with st.expander("预览", expanded=False):
    st.markdown(f"### {_shared.inert(st.session_state.ma_title)}")
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


def done_message(label: str):
    def done(result) -> str:
        """Keep the article open, rebuild the portal when the public sees a change, and say where."""
        if not isinstance(result, workflow.Article):
            return label
        st.session_state["ma_open"] = result.id
        if result.public or "撤" in label:
            _shared.refresh_site(con)
        where = portal.public_url(con, result.id) if result.public else None
        # the officer sees it where the public does (on the home page's 最新信息 too)
        return label + f" [在门户网站上查看]({where})" if where else label
    return done


def run_action(label: str, fn) -> None:
    _shared.act(done_message(label), fn, then=lambda: st.session_state.pop("ma_loaded", None))


def acting(fn):
    """`fn` as a click's action (_shared.on_click): it runs before the page's next run, in the globals of the
    run that drew the button — the article as the officer saw it (its version: someone else's change since is
    refused) — as the user that next run's session checks found, on its cursor."""
    def run(con_now, user_now):
        global con, user
        con, user = con_now, user_now
        return fn()
    return run


def on_click(key: str, label: str, fn) -> dict:
    """An action button's click (saving, submitting, publishing): done before the page runs, so one run
    shows the result (_shared.on_click)."""
    return _shared.on_click(key, done_message(label), acting(fn), before=typed_body,
                            then=lambda: st.session_state.pop("ma_loaded", None))


def typed_body() -> None:
    """What the editor holds now: the page copies it into ma_body as it runs, after a click's callback."""
    typed = st.session_state.get(f"ma_editor_{st.session_state.get('ma_body_rev', 0)}")
    if typed is not None:
        st.session_state["ma_body"] = typed


def save_then(next_step):
    def run():
        content.check_image_alt(st.session_state.ma_body or "")
        if catalogue.is_catalogue_column(con, st.session_state.ma_column) and not (article and article.public):
            # checked before anything is written: a refused entry leaves the article as it was
            catalogue.check_entry(con, catalogue_values(), article_id=article.id if article else None)
        saved = article
        if article is None or unsaved_changes(article):
            saved = save(article)
        save_catalogue(saved)
        return next_step(saved) if next_step else saved
    return run


if article is not None and "publish" in actions and article.published_at:
    # a corrected revision of a published item: what was corrected, shown on its page with the date
    st.text_area("更正说明(可选,随本次发布在网站上公开)", key="ma_correction_note", max_chars=corrections.NOTE_MAX,
                 placeholder="例如:原文申报截止日期有误,已更正为6月30日。")
buttons = st.columns(5)
if editable:
    buttons[0].button("保存", type="primary", width="stretch",
                      **on_click("ma_save", "已保存为新版本。", save_then(None)))
if "submit" in actions:
    buttons[1].button("提交审批", width="stretch", **on_click(
        "ma_submit", "已提交审批,审批人会收到提醒。", save_then(lambda a: workflow.submit(con, user, a.id, a.version))))
if article is not None and "publish" in actions:
    buttons[2].button("立即发布", type="primary", width="stretch", **on_click(
        "ma_publish", "已发布到门户网站。", lambda: workflow.publish(
            con, user, article.id, article.version, correction_note=st.session_state.get("ma_correction_note", ""))))
for clicked in ("ma_save", "ma_submit", "ma_publish"):
    _shared.refusal(clicked)
if article is not None and "publish" in actions:
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
        upload = _shared.attachment_uploader(con, "添加附件", f"ma_upload_{article.id}")
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
