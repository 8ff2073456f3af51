"""The public's protected short form, shared by 征集调查's 我要提意见 (pages/comment.py) and 在线访谈's 我要提问
(pages/ask.py): a name, one text, the privacy consent and the CAPTCHA (picture and sound). Submitting runs in
the button's callback, so a refusal keeps what was typed; the gate itself (CAPTCHA, rate limits) is
core.interaction.guard, called by the core function `send`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from core import humancheck, settings
from core.errors import PortalError
from pages import _shared

Send = Callable[[dict, str | None, tuple[str, str]], object]  # (form, client, captcha)


def setup(prefix: str, text: str) -> None:
    """The form's fields in the session, empty at first: name, `text`, consent, captcha."""
    for name, empty in _fields(text).items():
        st.session_state.setdefault(prefix + name, empty)


def _fields(text: str) -> dict:
    return {"name": "", text: "", "consent": False, "captcha": ""}


def _fresh(prefix: str) -> humancheck.Challenge | None:
    try:
        return humancheck.new_challenge(_shared.cursor(), client=_shared.client())
    except PortalError as exc:
        st.session_state[prefix + "limited"] = str(exc)
        return None


def _new_picture(prefix: str) -> None:
    st.session_state[prefix + "challenge"] = _fresh(prefix)
    st.session_state[prefix + "captcha"] = ""


def _submit(prefix: str, text: str, send: Send) -> None:
    state = st.session_state
    challenge = state.get(prefix + "challenge")
    captcha = (challenge.token if challenge else "", state[prefix + "captcha"])
    form = {"name": state[prefix + "name"], text: state[prefix + text], "consent": state[prefix + "consent"]}
    state.pop(prefix + "done", None)
    try:
        send(form, _shared.client(), captcha)
    except PortalError as exc:
        if not humancheck.is_live(_shared.cursor(), captcha[0]):
            _new_picture(prefix)
        state[prefix + "error"] = str(exc)
        return
    state.pop(prefix + "error", None)
    state[prefix + "done"] = True
    for name, empty in _fields(text).items():
        state[prefix + name] = empty
    state[prefix + "challenge"] = _fresh(prefix)


def done(prefix: str) -> bool:
    """Whether the last submission went through (to say so above the form)."""
    return bool(st.session_state.get(prefix + "done"))


def show(prefix: str, text: str, text_label: str, privacy: str, submit_label: str, send: Send, noun: str) -> None:
    """The form, its CAPTCHA and, after a refusal, why (the typed text stays)."""
    state = st.session_state
    con = _shared.cursor()
    challenge = state.get(prefix + "challenge")
    if challenge is None or challenge.expires_at <= dt.datetime.now():
        challenge = state[prefix + "challenge"] = _fresh(prefix)
    with st.form(prefix + "form", clear_on_submit=False, enter_to_submit=False):
        st.text_input("姓名(必填,最多 50 字,不公开)", key=prefix + "name")
        st.text_area(text_label, key=prefix + text, height=200)
        st.info(privacy, icon=":material/privacy_tip:")
        st.checkbox("我已阅读并同意上述隐私声明(必选)", key=prefix + "consent")
        if challenge is None:
            st.error(f"{state.get(prefix + 'limited', '暂时无法获取验证码')}。请稍后点击“换一张”。")
        else:
            st.markdown(f"**验证码**:请输入下图中的 {challenge.length} 位数字,看不清可以点击“换一张”或播放语音。")
            picture, controls = st.columns([2, 3], vertical_alignment="center")
            picture.image(challenge.image, caption=f"验证码图片({challenge.length} 位数字)", width=320)
            controls.audio(challenge.audio, format="audio/wav")
        st.form_submit_button("换一张", icon=":material/refresh:", on_click=_new_picture, args=(prefix,))
        st.text_input("验证码", key=prefix + "captcha", max_chars=40, placeholder="在此输入图片中的数字",
                      help=f"验证码 {int(settings.get(con, 'captcha_minutes'))} 分钟内有效,每张只能输入一次")
        st.form_submit_button(submit_label, type="primary", icon=":material/send:", on_click=_submit,
                              args=(prefix, text, send))
    if state.get(prefix + "error"):
        st.error(f"{state[prefix + 'error']}  \n{noun}尚未提交,您填写的内容都保留在上面,修改后请再次提交。", icon=":material/error:")
