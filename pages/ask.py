"""在线访谈 · 我要提问: the public asks the guests before the interview (issue 17), open without signing in,
through the public door like 公众留言. The gate is the message desk's (core.interaction.guard via
core.interview.ask: CAPTCHA, rate limits); the time and the review before anything is shown are
core.interview's; the form is pages/_public_form's (shared with 征集调查's 我要提意见)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import interview, interview_public
from core.errors import NotFound
from pages import _public_form, _shared

P = "pq_"
PRIVACY = ("**隐私声明**:您填写的姓名只用于本期访谈,不会公开;提问经网站管理员审核后,本厅可在网站上公开"
           "提问内容并在访谈中选答(不含姓名)。为防止恶意提交,系统会记录您网络地址的加密摘要(不保存地址本身)。")

con = _shared.cursor()
_public_form.setup(P, "question")
st.title("在线访谈 · 我要提问")
try:
    chosen = int(st.query_params.get("id", "0"))
    item = interview_public.public(con, chosen)
except (ValueError, NotFound):
    item = None
if item is None:
    st.warning("没有找到这期在线访谈,请从网站的「在线访谈」栏目进入。")
    st.stop()

st.header(item["subject"], anchor=False)
st.markdown(f"**访谈时间**:{item['starts_at']:%Y年%m月%d日 %H:%M} · **承办单位**:{_shared.inert(item['division_name'])}")
with st.expander("访谈嘉宾与简介", expanded=True):
    st.markdown("  \n".join(_shared.inert(g) for g in item["guest_lines"]))
    st.markdown(_shared.inert(item["intro"]))
refused = interview_public.asking_refusal(interview_public.get(con, chosen), dt.datetime.now())
if _public_form.done(P):
    st.success("您的提问已提交,经网站管理员审核后处理,感谢您的参与。", icon=":material/check_circle:")
if refused:
    st.info(refused + "。", icon=":material/event_busy:")
    st.stop()
_public_form.show(P, "question", f"提问内容(必填,最多 {interview.LIMITS['question']} 字)", PRIVACY, "提交提问",
                  lambda form, client, captcha: interview.ask(_shared.cursor(), chosen, form, client, captcha), "提问")
