import datetime as dt

import pandas as pd
import streamlit as st

from core import columns, requests
from pages import _shared

FORMS = ["网站文章", "通知公告", "图片新闻", "附件下载", "其他…"]
OTHER = FORMS[-1]
STATE_LABELS = requests.STATE_LABELS
FIELD_KEYS = ["preq_date", "preq_content", "preq_source", "preq_form", "preq_form_other", "preq_requirements"]

con = _shared.cursor()
user = _shared.require_user(con)
st.title("委托发布")
st.caption("需由办公室代为制作发布的信息,须书面写明发布处室、日期、发布内容、信息来源、发布形式和发布要求,"
           "六项均为必填(第十八条)。提交后进入办公室的委托发布处理队列。")
_shared.show_flash()

division_name = columns.division_names(con).get(user.division_id)
if division_name is None:
    st.warning("您的账号未归属任何处室,不能提出委托发布申请。请联系网站管理员(第十八条)。")
    st.stop()

with st.form("preq_form_new", clear_on_submit=False):
    left, right = st.columns(2)
    left.text_input("发布处室", value=division_name, disabled=True, key="preq_division",
                    help="委托发布以本处室名义提出,不能代其他处室申请(第十八条)。")
    right.date_input("日期", value=dt.date.today(), key="preq_date", format="YYYY-MM-DD")
    st.text_area("发布内容", key="preq_content", height=200,
                 placeholder="需要发布的信息内容;办公室将按段落生成正文。")
    st.text_input("信息来源", key="preq_source", placeholder="例如:电子信息处、某次会议、某文件")
    form_left, form_right = st.columns(2)
    form_left.selectbox("发布形式", FORMS, index=None, key="preq_form", placeholder="请选择发布形式")
    form_right.text_input("其他发布形式", key="preq_form_other", placeholder="选择「其他…」时在此填写")
    st.text_area("发布要求", key="preq_requirements", height=100,
                 placeholder="例如:发布栏目、发布时间、是否置顶、附件说明等")
    submitted = st.form_submit_button("提交委托发布申请", type="primary")

def forget_form() -> None:
    for key in FIELD_KEYS:
        st.session_state.pop(key, None)


if submitted:
    chosen = st.session_state.get("preq_form")
    form = st.session_state.get("preq_form_other", "") if chosen == OTHER else (chosen or "")
    _shared.act(lambda request_id: f"委托发布申请 #{request_id} 已提交,办公室处理后会通知您。",
                lambda: requests.create_request(
                    con, user, division_id=user.division_id, requested_on=st.session_state.get("preq_date"),
                    content=st.session_state.get("preq_content", ""), source=st.session_state.get("preq_source", ""),
                    form=form, requirements=st.session_state.get("preq_requirements", "")),
                then=forget_form)

st.subheader("本处室的委托发布申请")
mine = requests.division_requests(con, user)
if not mine:
    st.info("本处室还没有委托发布申请。")
else:
    table = pd.DataFrame([{
        "编号": r["id"], "日期": r["requested_on"], "发布内容": r["content"],
        "状态": STATE_LABELS.get(r["state"], r["state"]), "办公室答复": r["reply"] or "",
        "稿件": f"#{r['article_id']}" if r["article_id"] else "", "提交时间": f"{r['created_at']:%Y-%m-%d %H:%M}",
    } for r in mine])
    _shared.table(table, hide_index=True, key="preq_list", column_config={
        "编号": st.column_config.NumberColumn(width="small"),
        "发布内容": st.column_config.TextColumn(width="medium"),
        "办公室答复": st.column_config.TextColumn(width="medium"),
    })
