"""征集调查 · 我要提意见: the public comments on a consultation (issue 17), open without signing in, through
the public door like 公众留言. The gate is the message desk's (core.interaction.guard via
core.consultation.comment: CAPTCHA, rate limits); the window and the review before anything is shown are
core.consultation's. Submitting runs in the button's callback, so a refusal keeps what was typed."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import consultation, humancheck, settings
from core.errors import NotFound, PortalError
from pages import _shared

P = "pc_"
FIELDS = {"name": "", "comment": "", "consent": False, "captcha": ""}
PRIVACY = ("**隐私声明**:您填写的姓名只用于办理本次征集,不会公开;意见经网站管理员审核后,"
           "本厅可在网站上公开意见内容(不含姓名)。为防止恶意提交,系统会记录您网络地址的加密摘要(不保存地址本身)。")

con = _shared.cursor()
state = st.session_state


def _fresh() -> humancheck.Challenge | None:
    try:
        return humancheck.new_challenge(_shared.cursor(), client=_shared.client())
    except PortalError as exc:
        state[P + "limited"] = str(exc)
        return None


def _new_picture() -> None:
    state[P + "challenge"] = _fresh()
    state[P + "captcha"] = ""


def _submit(consultation_id: int) -> None:
    challenge = state.get(P + "challenge")
    captcha = (challenge.token if challenge else "", state[P + "captcha"])
    form = {"name": state[P + "name"], "comment": state[P + "comment"], "consent": state[P + "consent"]}
    state.pop(P + "done", None)
    try:
        consultation.comment(_shared.cursor(), consultation_id, form, _shared.client(), captcha)
    except PortalError as exc:
        if not humancheck.is_live(_shared.cursor(), captcha[0]):
            _new_picture()
        state[P + "error"] = str(exc)
        return
    state.pop(P + "error", None)
    state[P + "done"] = True
    for name, empty in FIELDS.items():
        state[P + name] = empty
    state[P + "challenge"] = _fresh()


for name, empty in FIELDS.items():
    state.setdefault(P + name, empty)
st.title("征集调查 · 我要提意见")
try:
    chosen = int(st.query_params.get("id", "0"))
    item = consultation.public(con, chosen)
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
refused = consultation.window_refusal(consultation.get(con, chosen), dt.datetime.now())
if state.get(P + "done"):
    st.success("您的意见已提交,经网站管理员审核后处理,感谢您的参与。", icon=":material/check_circle:")
if refused:
    st.info(refused + "。", icon=":material/event_busy:")
    st.stop()

challenge = state.get(P + "challenge")
if challenge is None or challenge.expires_at <= dt.datetime.now():
    challenge = state[P + "challenge"] = _fresh()
with st.form(P + "form", clear_on_submit=False, enter_to_submit=False):
    st.text_input(f"姓名(必填,最多 {consultation.LIMITS['name']} 字,不公开)", key=P + "name")
    st.text_area(f"意见内容(必填,最多 {consultation.LIMITS['comment']} 字)", key=P + "comment", height=200)
    st.info(PRIVACY, icon=":material/privacy_tip:")
    st.checkbox("我已阅读并同意上述隐私声明(必选)", key=P + "consent")
    if challenge is None:
        st.error(f"{state.get(P + 'limited', '暂时无法获取验证码')}。请稍后点击“换一张”。")
    else:
        st.markdown(f"**验证码**:请输入下图中的 {challenge.length} 位数字,看不清可以点击“换一张”或播放语音。")
        picture, controls = st.columns([2, 3], vertical_alignment="center")
        picture.image(challenge.image, caption=f"验证码图片({challenge.length} 位数字)", width=320)
        controls.audio(challenge.audio, format="audio/wav")
    st.form_submit_button("换一张", icon=":material/refresh:", on_click=_new_picture)
    st.text_input("验证码", key=P + "captcha", max_chars=40, placeholder="在此输入图片中的数字",
                  help=f"验证码 {int(settings.get(con, 'captcha_minutes'))} 分钟内有效,每张只能输入一次")
    st.form_submit_button("提交意见", type="primary", icon=":material/send:", on_click=_submit, args=(chosen,))
if state.get(P + "error"):
    st.error(f"{state[P + 'error']}  \n意见尚未提交,您填写的内容都保留在上面,修改后请再次提交。", icon=":material/error:")
