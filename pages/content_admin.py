import pandas as pd
import streamlit as st

from core import accounts, columns, content, corrections, stats, workflow
from core.errors import PortalError
from pages import _messages, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("信息管理")
st.caption("办公室统筹监督网站全部信息(第八条);网站管理员可对任何已发布信息采取临时撤下措施,"
           "须写明原因,处理后可恢复上线(第二十三条)。")
_shared.show_flash()

divisions = columns.division_names(con)
search_col, state_col, division_col = st.columns([2, 2, 1])
search = search_col.text_input("标题检索", key="ca_search", placeholder="输入标题中的文字")
states = state_col.multiselect("状态", list(workflow.STATE_LABELS), key="ca_states",
                               format_func=workflow.STATE_LABELS.get, placeholder="全部状态")
division_id = division_col.selectbox("牵头处室", [None, *divisions], key="ca_division",
                                     format_func=lambda d: "全部处室" if d is None else divisions[d])

try:
    found = workflow.division_articles(con, user, states or None, search, everything=True, division_id=division_id)
except PortalError as exc:
    _shared.show_error(exc)
    st.stop()

st.caption(f"共 {len(found)} 条(最多显示 200 条,按更新时间倒序)。")
if not found:
    st.info("没有符合条件的信息。")
    st.stop()

_shared.table(pd.DataFrame([{
    "编号": a["id"], "标题": a["title"], "状态": workflow.STATE_LABELS[a["state"]], "牵头处室": a["division"],
    "栏目": a["column_name"], "重要程度": a["importance"], "更新时间": f"{a['updated_at']:%Y-%m-%d %H:%M}",
    "发布时间": f"{a['published_at']:%Y-%m-%d %H:%M}" if a["published_at"] else "",
} for a in found]), hide_index=True, key="ca_list", column_config={
    "编号": st.column_config.NumberColumn(width="small"), "标题": st.column_config.TextColumn(width="medium")})

titles = {a["id"]: f"#{a['id']} {a['title']}({workflow.STATE_LABELS[a['state']]})" for a in found}
_messages.settle_choice("ca_pick", list(titles))
article_id = st.selectbox("查看和处理", list(titles), key="ca_pick", format_func=titles.get)
try:
    article = workflow.view_article(con, user, article_id)
except PortalError as exc:
    _shared.show_error(exc)
    st.stop()

# the version this webmaster opened: an action on an older version is refused (StaleVersion)
version_key = f"ca_version_{article.id}"
seen_version = st.session_state.setdefault(version_key, article.version)

st.subheader(article.title)
state_box, live_box, revision_box, division_box = st.columns(4)
state_box.metric("状态", article.state_label)
live_box.metric("线上版本", f"第 {article.live_revision} 版" if article.live_revision else "未发布",
                help="公众看到的版本" if article.public else "当前不在网站上")
revision_box.metric("最新版本", f"第 {article.revision} 版")
division_box.metric("牵头处室", divisions.get(article.lead_division_id, ""))
if article.state_reason:
    reason_label = {"taken_down": "撤下原因", "withdrawn": "撤销原因", "returned": "退回意见"}.get(article.state, "原因")
    st.info(f"{reason_label}:{article.state_reason}")
st.caption(("在网站上公开" if article.public else "不在网站上")
           + (f" · 最近发布:{article.published_at:%Y-%m-%d %H:%M}" if article.published_at else ""))

if seen_version != article.version:
    st.warning("该信息在您打开后已被他人更新,上面显示的是最新状态。请核对后点击「重新载入」再操作;您填写的内容仍保留。")
    if st.button("重新载入", key="ca_reload"):
        st.session_state.pop(version_key, None)
        st.rerun()

if article.live_revision:
    live = workflow.revision(con, article.id, article.live_revision)
    with st.expander(f"线上版本内容(第 {article.live_revision} 版):{_shared.inert(live['title'])}"):
        st.caption(f"栏目:{_shared.inert(live['column_name'])} · 来源:{_shared.inert(live['source'])}")
        st.html(content.sanitize_html(live["body_html"]))

st.markdown("**处理记录**")
events = workflow.history(con, article.id)
_shared.table(pd.DataFrame([{
    "时间": f"{e['at']:%Y-%m-%d %H:%M:%S}", "操作人": e["actor"], "角色": accounts.ROLE_LABELS.get(e["role"] or "", e["role"] or ""),
    "操作": stats.action_label(e["action"]), "版本": e["revision"],
    "状态变化": f"{workflow.STATE_LABELS.get(e['from_state'], e['from_state'])} → "
                f"{workflow.STATE_LABELS.get(e['to_state'], e['to_state'])}",
    "意见/原因": e["comment"] or "",
} for e in events]), hide_index=True, key="ca_history")

actions = workflow.allowed_actions(con, user, article)


def _done() -> None:
    _shared.refresh_site(con)
    for key in (version_key, f"ca_reason_{article.id}", f"ca_comment_{article.id}", f"ca_category_{article.id}",
                f"ca_replacement_{article.id}", f"ca_note_{article.id}"):
        st.session_state.pop(key, None)
    _messages.choose_next("ca_pick")  # its state is in the label: the browser must be told


def _attempt(action, message: str) -> None:
    """Run a webmaster action; a refusal is shown and the typed reason stays in the form."""
    _shared.act(message, action, then=_done)


if "take_down" in actions:
    with st.form(f"ca_take_down_{article.id}", clear_on_submit=False):
        st.markdown("**临时撤下**(第二十三条)")
        st.selectbox("撤下类别", workflow.TAKE_DOWN_CATEGORIES, index=None, key=f"ca_category_{article.id}",
                     placeholder="请选择", help="网站上的撤下页面向公众说明此类别和撤下日期")
        st.text_area("撤下原因", key=f"ca_reason_{article.id}", placeholder="必填,将通知作者并记入处理记录,不向公众公开")
        replacements = workflow.replacement_choices(con, article.id)
        st.selectbox("替代信息(可选)", list(replacements), index=None, key=f"ca_replacement_{article.id}",
                     format_func=replacements.get, placeholder="不指定",
                     help="撤下页面上链接到这条已发布的信息,例如更正后重新发布的版本")
        # done before the page's next run (_shared.on_click): that one run shows the item taken down
        st.form_submit_button("撤下", type="primary", **_shared.on_submit(
            f"ca_take_down_{article.id}", f"「{article.title}」已从网站撤下。", then=_done,
            fn=lambda con, user, article_id=article.id, seen=seen_version: workflow.take_down(
                con, user, article_id, seen, st.session_state.get(f"ca_reason_{article_id}", ""),
                category=st.session_state.get(f"ca_category_{article_id}"),
                replacement_id=st.session_state.get(f"ca_replacement_{article_id}"))))
    _shared.refusal(f"ca_take_down_{article.id}")

if "restore" in actions:
    with st.form(f"ca_restore_{article.id}", clear_on_submit=False):
        st.markdown("**恢复上线**:按撤下前的线上版本恢复公开。")
        st.text_input("说明(可选)", key=f"ca_comment_{article.id}")
        restore = st.form_submit_button("恢复上线", type="primary")
    if restore:
        _attempt(lambda: workflow.restore(con, user, article.id, seen_version,
                                          st.session_state.get(f"ca_comment_{article.id}", "")),
                 f"「{article.title}」已恢复上线。")

if article.public:
    notes = corrections.notes(con, article.id)
    with st.form(f"ca_correction_{article.id}", clear_on_submit=False):
        st.markdown("**更正说明**:在该信息的网页上公开,注明日期,最新的在前。")
        for note in notes:
            st.caption(f"{note['noted_at']:%Y-%m-%d} {_shared.inert(note['text'])}({note['by_name'] or ''})")
        st.text_area("新增更正说明", key=f"ca_note_{article.id}", max_chars=corrections.NOTE_MAX,
                     placeholder="说明更正了什么,例如:原文联系电话有误,已更正。")
        add_note = st.form_submit_button("添加更正说明")
    if add_note:
        _attempt(lambda: corrections.add(con, user, article.id, st.session_state.get(f"ca_note_{article.id}", "")),
                 f"已为「{article.title}」添加更正说明,网站页面已更新。")

if not {"take_down", "restore"} & set(actions):
    st.caption("该信息当前不在网站上,也不是被撤下的状态,网站管理员无需处理。稿件的修改和发布由牵头处室信息员负责(第十一条)。")
