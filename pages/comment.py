"""征集调查 · 我要提意见: the public comments on a consultation (issue 17), open without signing in, through
the public door like 公众留言. The gate is the message desk's (core.interaction.guard via
core.consultation.comment: CAPTCHA, rate limits); the window and the review before anything is shown are
core.consultation's; the form is pages/_public_form's (shared with 在线访谈's 我要提问)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import consultation, consultation_public, content
from core.errors import NotFound
from pages import _public_form, _shared

P = "pc_"
PRIVACY = ("**隐私声明**:您填写的姓名只用于办理本次征集,不会公开;意见经网站管理员审核后,"
           "本厅可在网站上公开意见内容(不含姓名)。为防止恶意提交,系统会记录您网络地址的加密摘要(不保存地址本身)。")

con = _shared.cursor()
_public_form.setup(P, "comment")
st.title("征集调查 · 我要提意见")
try:
    chosen = int(st.query_params.get("id", "0"))
    item = consultation_public.public(con, chosen)
except (ValueError, NotFound):
    item = None
if item is None:
    st.warning("没有找到这次征集调查,请从网站的「征集调查」栏目进入。")
    st.stop()

st.header(item["subject"], anchor=False)
st.markdown(f"**征集时间**:{item['starts_on']:%Y年%m月%d日} 至 {item['ends_on']:%Y年%m月%d日} · "
            f"**承办单位**:{_shared.inert(item['division_name'])}")
with st.expander("征集内容", expanded=True):
    st.markdown(_shared.inert(item["body"]))
for f in item["files"]:  # the draft policy itself, as published with the consultation
    st.download_button(f"下载附件:{f['filename']}({content.file_kind(f['filename'])},{content.size_label(f['size'])})",
                       consultation_public.file_data(con, f["id"])[1], file_name=f["filename"], mime=f["mime"],
                       key=f"pc_file_{f['id']}", icon=":material/download:")
refused = consultation_public.window_refusal(consultation_public.get(con, chosen), dt.datetime.now())
if _public_form.done(P):
    st.success("您的意见已提交,经网站管理员审核后处理,感谢您的参与。", icon=":material/check_circle:")
if refused:
    st.info(refused + "。", icon=":material/event_busy:")
    st.stop()
_public_form.show(P, "comment", f"意见内容(必填,最多 {consultation.LIMITS['comment']} 字)", PRIVACY, "提交意见",
                  lambda form, client, captcha: consultation.comment(_shared.cursor(), chosen, form, client, captcha), "意见")
