import pandas as pd
import streamlit as st

from core import columns, content, requests
from core.errors import PortalError
from pages import _messages, _shared

STATE_LABELS = requests.STATE_LABELS

con = _shared.cursor()
user = _shared.require_user(con)
st.title("委托发布处理")
st.caption("处室书面委托办公室发布的信息(第十八条):核对六项内容后,选择栏目生成信息并发布;"
           "不予发布的须答复理由。书面申请即处室的审核意见,发布后通知申请人。")
_shared.show_flash()

waiting = requests.open_requests(con)
by_id = {r["id"]: r for r in waiting}
_messages.apply_next("rq_pick", list(by_id))
picked = st.session_state.get("rq_pick")
if picked is not None and picked not in by_id:
    # handled by someone else while this page was open: keep it on screen so nothing typed is lost
    try:
        by_id[picked] = requests.get_request(con, picked)
    except PortalError:
        st.session_state.pop("rq_pick", None)

if not by_id:
    st.info("目前没有待处理的委托发布申请。")
    st.stop()

st.subheader(f"待处理申请({len(waiting)})")
if waiting:
    _shared.table(pd.DataFrame([{
        "编号": r["id"], "发布处室": r["division"], "日期": r["requested_on"], "申请人": r["requester"],
        "发布形式": r["form"], "发布内容": r["content"], "提交时间": f"{r['created_at']:%Y-%m-%d %H:%M}",
    } for r in waiting]), hide_index=True, key="rq_list",
        column_config={"编号": st.column_config.NumberColumn(width="small"),
                       "发布内容": st.column_config.TextColumn(width="large")})

request_id = st.selectbox(
    "处理申请", list(by_id), key="rq_pick",
    format_func=lambda i: f"#{i} · {by_id[i]['division']} · {by_id[i]['requested_on']} · "
                          f"{by_id[i]['content'][:30]}")
request = by_id[request_id]
# the version this webmaster opened: an action on an older version is refused (StaleVersion)
version_key = f"rq_version_{request_id}"
seen_version = st.session_state.setdefault(version_key, request["version"])

if request["state"] != "open":
    st.warning(f"申请 #{request_id} 已由他人处理(当前状态:{STATE_LABELS.get(request['state'], request['state'])})。"
               "您填写的内容仍保留在下方。")
    if st.button("刷新列表", key="rq_refresh"):
        _messages.choose_next("rq_pick")
        st.rerun()
elif seen_version != request["version"]:
    st.warning("该申请在您打开后已被他人更新。请核对后点击「重新载入申请」再操作;您填写的内容仍保留。")
    if st.button("重新载入申请", key="rq_reload"):
        st.session_state.pop(version_key, None)
        st.rerun()

with st.container(border=True):
    st.markdown(f"**委托发布申请 #{request_id}** · 申请人 {request['requester']} · 提交于 "
                f"{request['created_at']:%Y-%m-%d %H:%M}")
    for label, value in [("发布处室", request["division"]), ("日期", f"{request['requested_on']:%Y-%m-%d}"),
                         ("发布内容", request["content"]), ("信息来源", request["source"]),
                         ("发布形式", request["form"]), ("发布要求", request["requirements"])]:
        name, text = st.columns([1, 5])
        name.markdown(f"**{label}**")
        text.text(value)

live_columns = columns.tree(con, include_retired=False)
column_names = {c["id"]: f"{c['path']}({c['division']})" for c in live_columns}
own = [c["id"] for c in live_columns if c["division_id"] == request["division_id"]]
default_index = list(column_names).index(own[0]) if own else 0

fulfil_tab, decline_tab = st.tabs(["生成信息并发布", "不予发布"])
with fulfil_tab, st.form(f"rq_fulfil_{request_id}", clear_on_submit=False):
    st.selectbox("发布栏目", list(column_names), index=default_index, key=f"rq_column_{request_id}",
                 format_func=column_names.get, help="已撤销的栏目不再发布新信息(第八条)。")
    st.text_input("标题", key=f"rq_title_{request_id}", placeholder="必填,不超过 200 字")
    # one paragraph per line, so the office can read and edit the generated body
    body = content.text_to_html(request["content"]).replace("</p><p>", "</p>\n<p>")
    st.text_area("正文(HTML,已按发布内容分段生成,可修改)", value=body,
                 key=f"rq_body_{request_id}", height=220)
    fulfil = st.form_submit_button("立即发布", type="primary")

with decline_tab, st.form(f"rq_decline_{request_id}", clear_on_submit=False):
    st.text_area("答复", key=f"rq_reply_{request_id}", placeholder="说明不予发布的理由,将通知申请人(必填)")
    decline = st.form_submit_button("不予发布")


def _done() -> None:
    for key in [k for k in st.session_state if str(k).startswith("rq_") and str(k).endswith(f"_{request_id}")]:
        st.session_state.pop(key, None)
    _messages.choose_next("rq_pick")


def _published(article) -> str:
    _shared.refresh_site(con)
    return f"申请 #{request_id} 已处理:「{article.title}」已发布(稿件 #{article.id}),已通知申请人。"


if fulfil:
    _shared.act(_published, lambda: requests.fulfil(
        con, user, request_id, seen_version, column_id=st.session_state[f"rq_column_{request_id}"],
        title=st.session_state.get(f"rq_title_{request_id}", ""),
        body_html=st.session_state.get(f"rq_body_{request_id}", ""), publish_now=True), then=_done)

if decline:
    _shared.act(f"申请 #{request_id} 已答复不予发布,已通知申请人。", lambda: requests.decline(
        con, user, request_id, seen_version, st.session_state.get(f"rq_reply_{request_id}", "")), then=_done)
