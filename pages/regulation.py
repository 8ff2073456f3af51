import streamlit as st

from core import regulation
from pages import _shared

_shared.through_the_frame()  # a deep link as the first run after a start: through the frame, not around it
st.title("陕西省工业和信息化厅门户网站管理办法")
st.caption("工作台中的每条规则、提示和拒绝都注明所依据的条款,可在此查阅原文。")
query = st.text_input("查找条款或关键词", key="regulation_query", placeholder="例如:第十四条、审核、密码")
for label, body in regulation.articles():
    if query and query not in body:
        continue
    st.markdown(f"**{label}** {body[len(label):]}".replace("\n", "  \n"))
