"""上线检查 (issue 15): what is still missing or unsafe before the portal goes live, and where to fix it.
The same list as `python -m core check` (core/golive.py)."""

import streamlit as st

from core import golive
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("上线检查")
st.caption("正式上线前逐项核对:网站标识(第四条、第六条)、网站和工作台地址、邮件、备份(第二十条)、演示账号、"
           "HTTPS 证书和 nginx 配置。“阻止上线”的问题须先解决;“提醒”的问题应尽快处理。"
           "技术支持单位也可以在服务器上用命令行运行同样的检查。")

found = golive.findings_for(con, user)
blocks = [f for f in found if f.blocking]
left, right, _ = st.columns([1, 1, 2])
left.metric("阻止上线", f"{len(blocks)} 项")
right.metric("提醒", f"{len(found) - len(blocks)} 项")
if not found:
    st.success("未发现问题,可以上线。", icon=":material/check_circle:")
elif not blocks:
    st.success("没有阻止上线的问题;下面的提醒事项请尽快处理。", icon=":material/check_circle:")
for finding in found:
    show = st.error if finding.blocking else st.warning
    show(f"**{finding.severity}**:{finding.message}\n\n处理:{finding.fix}",
         icon=":material/block:" if finding.blocking else ":material/warning:")
st.button("重新检查", key="golive_recheck", help="改好设置或配置后,点此重新核对")
