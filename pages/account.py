"""账号安全 (第二十二条): change one's password; turn the second factor on or off."""

import streamlit as st

from core import accounts, login, settings, totp
from core.passwords import rules_text
from pages import _shared

ENROL_SECRET = "account_totp_secret"  # the new secret, only until it is confirmed

con = _shared.cursor()
user = _shared.require_user(con)
st.title("修改密码")
_shared.show_flash()
if user.password_expired:
    st.warning(f"您的密码已超过 {settings.get(con, 'password_max_age_days')} 天未修改,请先修改密码后再使用工作台"
               "(第二十二条)。")
elif user.must_change_password:
    st.warning("这是办公室分配的初始密码,请先修改密码后再使用工作台(第二十二条)。")
st.caption(rules_text(settings.get(con, "password_min_length"), settings.get(con, "password_history"))
           + "修改后,您在所有浏览器上的登录都会退出,请用新密码重新登录。")
with st.form("account_password"):
    old = st.text_input("原密码", type="password", key="account_old")
    new = st.text_input("新密码", type="password", key="account_new")
    again = st.text_input("再次输入新密码", type="password", key="account_again")
    submitted = st.form_submit_button("修改密码", type="primary")
if submitted:
    if new != again:
        st.error("「再次输入新密码」:两次输入的新密码不一致")
    else:
        # no message: the session ended with the change, and the login form says so
        _shared.act(None, lambda: accounts.change_password(con, user, old, new))

if user.must_change_password:
    st.stop()

st.subheader("动态口令(双因素认证)")
required = login.totp_required(con, user)
if user.totp_enabled:
    st.success("已启用:登录时除密码外还须输入手机验证器上的动态口令。", icon=":material/verified_user:")
    if required:
        st.caption("办公室要求网站管理员和技术支持使用动态口令,不能停用。更换手机请联系网站管理员重置。")
    else:
        with st.form("account_totp_off"):
            password = st.text_input("输入密码以停用动态口令", type="password", key="account_totp_off_password")
            if st.form_submit_button("停用动态口令"):
                _shared.act("动态口令已停用。", lambda: accounts.disable_totp(con, user, password))
else:
    st.caption("启用后,即使密码泄露,他人没有您的手机也无法登录。可使用任意支持 TOTP 的验证器应用。")
    if ENROL_SECRET not in st.session_state:
        if st.button("启用动态口令", key="account_totp_start"):
            st.session_state[ENROL_SECRET] = totp.new_secret()
            st.rerun()
    else:
        secret = st.session_state[ENROL_SECRET]
        left, right = st.columns([1, 2])
        left.image(totp.qr_png(secret, user.username), width=180)
        right.markdown("用验证器扫描二维码,或手动输入密钥:")
        right.code(totp.grouped(secret), language=None)
        with st.form("account_totp_on"):
            code = st.text_input("验证器显示的 6 位动态口令", max_chars=6, key="account_totp_code")
            confirmed = st.form_submit_button("确认启用", type="primary")
        if confirmed:
            _shared.act("动态口令已启用,下次登录时需要输入。", lambda: accounts.enrol_totp(con, user, secret, code),
                        then=lambda: st.session_state.pop(ENROL_SECRET))
        if st.button("取消", key="account_totp_cancel"):
            del st.session_state[ENROL_SECRET]
            st.rerun()
