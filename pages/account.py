import streamlit as st

from core import accounts
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("修改密码")
if user.must_change_password:
    st.warning("这是办公室分配的初始密码,请先修改密码后再使用工作台(第二十二条)。")
st.caption("密码至少 10 位,包含大写字母、小写字母、数字、符号中的至少三类,且不含用户名。")
with st.form("account_password"):
    old = st.text_input("原密码", type="password", key="account_old")
    new = st.text_input("新密码", type="password", key="account_new")
    again = st.text_input("再次输入新密码", type="password", key="account_again")
    submitted = st.form_submit_button("修改密码", type="primary")
if submitted:
    if new != again:
        st.error("「再次输入新密码」:两次输入的新密码不一致")
    else:
        try:
            accounts.change_password(con, user, old, new)
        except Exception as exc:
            _shared.show_error(exc)
        else:
            st.success("密码已修改。")
            if user.must_change_password:
                st.rerun()
