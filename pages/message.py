"""公众留言: the public side of the interaction desk (第十九、二十三条), open without signing in.

A citizen writes a 咨询 / 建议 / 投诉, proves to be a person (a picture of digits, or the digits
spoken), and gets a tracking code to look up the status and the answer. The rules — cleaning,
limits, rate limits, the CAPTCHA check — are in core.interaction, core.ratelimit and core.humancheck.
Submitting runs in the button's callback, so a refusal keeps every typed value and a success can
clear the form before the widgets are drawn again.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import columns, humancheck, interaction, ratings, settings
from core.errors import PortalError
from pages import _shared

P = "pm_"  # this page's session keys
R = "pm_rate_"  # the rating form's (第二十六条(二)): its own CAPTCHA picture, as a picture is used once
NO_DIVISION = 0  # "not chosen" (a None value would show the selectbox's empty placeholder instead)
FIELDS = {  # widget key → its empty value
    "kind": "consult", "division": 0, "subject": "", "body": "", "name": "", "phone": "", "email": "",
    "publish": False, "consent": False, "captcha": "",
}
PRIVACY = (
    "**隐私声明**:您填写的姓名、手机号码和电子邮箱只用于办理和答复本条留言,"
    "本厅依照《中华人民共和国个人信息保护法》予以保护,不会公开,也不会提供给与办理无关的单位和个人。"
    "如您同意公开答复,网站只公开留言的标题、内容和答复,隐去姓名和联系方式。"
    "为防止恶意提交,系统会记录您网络地址的加密摘要(不保存地址本身)。"
)
LIMITS = interaction.LIMITS

con = _shared.cursor()
state = st.session_state


def _when(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y年%m月%d日 %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y年%m月%d日")
    return "—"


def _fresh() -> humancheck.Challenge | None:
    """A new picture, or None (and the reason kept for the page) when this address asked too often."""
    try:
        challenge = humancheck.new_challenge(_shared.cursor(), client=_shared.client())
    except PortalError as exc:
        state[P + "limited"] = str(exc)
        return None
    state.pop(P + "limited", None)
    return challenge


def _challenge() -> humancheck.Challenge | None:
    challenge = state.get(P + "challenge")
    if challenge is None or challenge.expires_at <= dt.datetime.now():
        challenge = state[P + "challenge"] = _fresh()
    return challenge


def _new_picture() -> None:
    """「换一张」: a new challenge; the answer box is emptied for it, nothing else changes."""
    state[P + "challenge"] = _fresh()
    state[P + "captcha"] = ""
    state.pop(P + "error", None)


def _submit() -> None:
    form = {
        "kind": state[P + "kind"], "concerns_division_id": state[P + "division"] or None,
        "subject": state[P + "subject"], "body": state[P + "body"], "name": state[P + "name"],
        "phone": state[P + "phone"], "email": state[P + "email"],
        "publish_allowed": state[P + "publish"], "consent": state[P + "consent"],
    }
    challenge = state.get(P + "challenge")
    captcha = (challenge.token if challenge else "", state[P + "captcha"])
    state.pop(P + "done", None)
    try:
        done = interaction.submit(_shared.cursor(), form, _shared.client(), captcha)
    except PortalError as exc:
        if not humancheck.is_live(_shared.cursor(), captcha[0]):
            _new_picture()  # that picture is used up (one guess each, and a refusal after a right one)
        state[P + "error"] = str(exc)
        return
    state[P + "done"] = {"code": done.code, "kind": interaction.KIND_LABELS[form["kind"]]}
    state.pop(P + "error", None)
    for name, empty in FIELDS.items():
        state[P + name] = empty
    state[P + "challenge"] = _fresh()


def _new_rate_picture() -> None:
    state[R + "challenge"] = _fresh()
    state[R + "captcha"] = ""
    state.pop(R + "error", None)


def _rate() -> None:
    """The citizen's rating of the answer on show; a refusal keeps the choice and the reason."""
    found = state.get(P + "found") or {}
    challenge = state.get(R + "challenge")
    captcha = (challenge.token if challenge else "", state.get(R + "captcha", ""))
    grade, reason = state.get(R + "grade"), state.get(R + "reason", "")
    try:
        ratings.rate(_shared.cursor(), found.get("code", ""), grade, reason, _shared.client(), captcha)
    except PortalError as exc:
        if not humancheck.is_live(_shared.cursor(), captcha[0]):
            _new_rate_picture()
        state[R + "error"] = str(exc)
        return
    found.update(can_rate=False, rating={"grade": grade, "reason": (reason or "").strip()})
    state[R + "done"] = True
    for name in ("error", "challenge", "captcha", "reason", "grade"):
        state.pop(R + name, None)


def _rating_form() -> None:
    challenge = state.get(R + "challenge")
    if challenge is None or challenge.expires_at <= dt.datetime.now():
        challenge = state[R + "challenge"] = _fresh()
    with st.form(R + "form", clear_on_submit=False, enter_to_submit=False):
        st.markdown("**请您对本次答复进行评价**(每条答复只能评价一次,评价会转给承办处室和办公室)")
        st.radio("您对答复的评价", list(ratings.GRADES), format_func=ratings.GRADES.get, horizontal=True,
                 index=None, key=R + "grade")
        st.text_area(f"评价理由(可选,最多 {ratings.REASON_LIMIT} 字)", key=R + "reason", height=100,
                     help="如不满意,请写明原因,便于重新办理。不要填写身份证号等个人信息。")
        if challenge is None:
            st.error(f"{state.get(P + 'limited', '暂时无法获取验证码')}。请稍后点击“换一张”。",
                     icon=":material/hourglass_top:")
        else:
            picture, voice = st.columns([2, 3], vertical_alignment="center")
            picture.image(challenge.image, caption=f"验证码图片({challenge.length} 位数字)", width=320)
            voice.audio(challenge.audio, format="audio/wav")
        st.form_submit_button("换一张", icon=":material/refresh:", on_click=_new_rate_picture, key=R + "refresh")
        st.text_input("验证码", key=R + "captcha", max_chars=40, placeholder="在此输入图片中的数字")
        st.form_submit_button("提交评价", type="primary", icon=":material/rate_review:", on_click=_rate)
    error = state.get(R + "error")
    if error:
        st.error(f"{error}  \n评价尚未提交,您的选择和理由都保留在上面。", icon=":material/error:")


def _rating(found: dict) -> None:
    """Below a released answer: the citizen's rating, or the form to give it (第二十六条(二))."""
    rating = found.get("rating")
    if rating:
        if state.pop(R + "done", False):
            st.success("感谢您的评价,已转给承办处室和办公室。", icon=":material/check_circle:")
        text = f"**您的评价**:{ratings.GRADES[rating['grade']]}"
        st.markdown(text + (f"  \n**评价理由**:{_shared.inert(rating['reason'])}" if rating.get("reason") else ""))
    elif found.get("can_rate"):
        _rating_form()


def _lookup() -> None:
    state.pop(P + "found", None)
    code = state[P + "code"]
    if not str(code or "").strip():
        state[P + "found"] = {"error": "「查询码」:请输入提交留言时得到的查询码"}
        return
    try:
        found = interaction.lookup(_shared.cursor(), code, _shared.client())
    except PortalError as exc:
        state[P + "found"] = {"error": str(exc)}
        return
    state[P + "found"] = found or {"missing": True}


# ---------------------------------------------------------------- the page
for name, empty in FIELDS.items():
    state.setdefault(P + name, empty)
state.setdefault(P + "code", "")

st.title("公众留言")
if st.toggle("大字显示", key=P + "large", help="放大本页的文字和输入框,方便阅读(适老化)"):
    st.html("<style>html { font-size: 21px; }</style>")  # Streamlit sizes in rem: everything grows
st.markdown(
    "欢迎您就本厅职责范围内的事项提出咨询、建议或投诉。留言经审核后转交有关处室办理,"
    "一般在规定的工作日内答复。提交后您会得到一个**查询码**,凭它可随时在本页"
    "[查询办理结果](#lookup)。"
)
st.markdown("涉及国家秘密、个人隐私的内容请勿在此填写。紧急求助请拨打 110、119、120;"
           "信访事项请通过信访渠道反映。")

done = state.get(P + "done")
if done:
    st.success(f"您的{done['kind']}留言已提交成功,查询码:{done['code']}", icon=":material/check_circle:")

st.header("我要留言", anchor="write")
divisions = {d["id"]: d["name"] for d in columns.divisions(con) if d["kind"] == "division"}
if state[P + "division"] not in divisions:
    state[P + "division"] = NO_DIVISION
challenge = _challenge()

with st.form(P + "form", clear_on_submit=False, enter_to_submit=False):
    st.radio("留言类型", list(interaction.KIND_LABELS), format_func=interaction.KIND_LABELS.get,
             horizontal=True, key=P + "kind",
             help="咨询:询问政策或办事方法;建议:对工作提出意见建议;投诉:反映工作中的问题")
    st.selectbox("涉及处室(可不选)", [NO_DIVISION, *divisions],
                 format_func=lambda i: divisions.get(i, "不清楚,请网站管理员分办"),
                 key=P + "division", help="如不清楚由哪个处室负责,可以不选,网站管理员会转交有关处室")
    st.text_input(f"标题(必填,最多 {LIMITS['subject']} 字)", key=P + "subject",
                  help="用一句话概括您要反映的事情")
    st.text_area(f"留言内容(必填,最多 {LIMITS['body']} 字)", key=P + "body", height=220,
                 help="请写清事情的经过、时间、地点和您的诉求。不要填写身份证号、银行卡号等敏感信息。")
    st.text_input(f"姓名(必填,最多 {LIMITS['name']} 字)", key=P + "name")
    left, right = st.columns(2)
    left.text_input("手机号码", key=P + "phone", placeholder="例如 13912345678",
                    help="手机号码和电子邮箱至少填写一项,只用于联系您,不会公开")
    right.text_input("电子邮箱", key=P + "email", placeholder="例如 name@example.com",
                     help="手机号码和电子邮箱至少填写一项,只用于联系您,不会公开")
    st.checkbox("同意在网站上公开我的留言和答复(不公开姓名和联系方式)", key=P + "publish",
                help="不勾选时,答复只在本页凭查询码查看")
    st.info(PRIVACY, icon=":material/privacy_tip:")
    st.checkbox("我已阅读并同意上述隐私声明(必选)", key=P + "consent")

    if challenge is None:
        st.error(f"{state.get(P + 'limited', '暂时无法获取验证码')}。您填写的内容会保留,请稍后点击“换一张”。",
                 icon=":material/hourglass_top:")
        st.form_submit_button("换一张", icon=":material/refresh:", on_click=_new_picture)
    else:
        st.markdown(f"**验证码**:请输入下图中的 {challenge.length} 位数字。看不清可以点击“换一张”,或播放语音收听。")
        picture, controls = st.columns([2, 3], vertical_alignment="center")
        picture.image(challenge.image, caption=f"验证码图片({challenge.length} 位数字)", width=320)
        with controls:
            st.audio(challenge.audio, format="audio/wav")
            st.markdown("语音验证码:用普通话依次读出图片中的数字,数字之间有停顿,背景有杂音。")
            st.form_submit_button("换一张", icon=":material/refresh:", on_click=_new_picture)
    st.text_input("验证码", key=P + "captcha", max_chars=40, placeholder="在此输入图片中的数字",
                  help=f"验证码 {int(settings.get(con, 'captcha_minutes'))} 分钟内有效,每张只能输入一次")
    st.form_submit_button("提交留言", type="primary", icon=":material/send:", on_click=_submit)

if done:  # where the visitor's eyes are after pressing the button
    with st.container(border=True):
        st.success(f"您的{done['kind']}留言已提交成功。", icon=":material/check_circle:")
        st.markdown(f"### 您的查询码:{done['code']}")
        st.code(done["code"], language=None)
        st.markdown("**请抄写或截图保存这个查询码。** 凭查询码可在下方“查询办理结果”中查看办理进度和答复;"
                    "为保护您的隐私,查询码丢失后无法找回。上面的表单已清空,可以继续写下一条留言。")
error = state.get(P + "error")
if error:
    st.error(f"{error}  \n留言尚未提交,您填写的内容都保留在上面,修改后请再次提交。", icon=":material/error:")

st.header("查询办理结果", anchor="lookup")
with st.form(P + "lookup_form", clear_on_submit=False, enter_to_submit=True):
    st.text_input("查询码", key=P + "code", max_chars=40, placeholder="例如 SX-7KQ2-M9XD-4TRA",
                  help="提交留言后页面上显示的查询码,不区分大小写")
    st.form_submit_button("查询", icon=":material/search:", on_click=_lookup)

found = state.get(P + "found")
if found and found.get("error"):
    st.error(found["error"], icon=":material/error:")
elif found and found.get("missing"):
    st.warning("没有找到该查询码对应的留言。请核对后重新输入(查询码形如 SX-XXXX-XXXX-XXXX)。",
               icon=":material/search_off:")
elif found:
    with st.container(border=True):
        st.markdown(f"**查询码**:{_shared.inert(found['code'])}  \n"
                    f"**留言类型**:{_shared.inert(found['kind_label'])}  \n"
                    f"**标题**:{_shared.inert(found['subject'])}  \n"
                    f"**提交时间**:{_when(found['received_at'])}")
        st.markdown(f"### 办理状态:{_shared.inert(found['state_label'])}")
        if found.get("due_on"):
            st.markdown(f"办理期限:{_when(found['due_on'])}")
        if found.get("reject_reason"):
            st.markdown(f"**不予受理的理由**:{_shared.inert(found['reject_reason'])}")
        if found.get("answer"):
            st.markdown(f"**答复单位**:{_shared.inert(found.get('division_name') or '陕西省工业和信息化厅')}  \n"
                        f"**答复时间**:{_when(found.get('replied_at'))}")
            st.markdown("**答复内容**:")
            with st.container(border=True):
                st.markdown(_shared.inert(found["answer"]))
        elif not found.get("reject_reason"):
            st.markdown("答复经审核后会显示在这里,请稍后再来查询。")
        if found.get("reopened"):
            st.info("您对原答复的“不满意”评价已收到,办公室已要求承办单位重新办理,新的答复会显示在这里。",
                    icon=":material/autorenew:")
        if found.get("answer"):
            _rating(found)

st.divider()
site = settings.get(con, "site_url")
st.markdown(f"[返回{_shared.inert(settings.get(con, 'site_name'))}网站]({site})")
