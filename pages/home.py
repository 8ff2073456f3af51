"""工作台首页: what waits for the signed-in user, with a link to the page that handles it."""

import streamlit as st

from core import manual
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("网站工作台")
st.markdown(f"{user.display_name},您好。您的角色:{user.role_labels}")
if not manual.seen(con, user.id):  # a new account: until it opens the manual once (第十条(三))
    with st.container(border=True):
        st.info("欢迎使用网站工作台。第一次使用,请先阅读「新手入门」:如何登录、菜单里有什么、待办在哪里、遇到问题找谁。",
                icon=":material/school:")
        st.page_link(_shared.PAGES["manual"].path, label="阅读新手入门", icon=":material/arrow_forward:",
                     query_params={"page": manual.START})

TODO = {  # kind: label, the page (a key of _shared.PAGES) that handles it
    "approvals": ("待您审批的稿件", "approvals"),
    "returned": ("被退回、待修改的稿件", "my_articles"),
    "approved": ("已批准、待发布的稿件", "my_articles"),
    "requests": ("待处理的委托发布申请", "request_queue"),
    "messages_new": ("待审核的公众留言", "interaction_desk"),
    "messages_release": ("待发布的留言答复", "interaction_desk"),
    "messages_answer": ("待本处室答复的留言", "interaction_answers"),
    "messages_approve": ("待您审批的留言答复", "interaction_answers"),
    "stale_columns": ("已提醒、仍未更新的栏目", "freshness"),
    "duties": ("办公室登记的本处室应发布信息", "freshness"),
    "consultation_comments": ("待审核的征集调查意见", "consultations"),
    "interview_questions": ("待审核的在线访谈网民提问", "interviews"),
    "disclosure_held": ("待您办理的政府信息公开申请", "disclosure_applications"),
    "proposals_review": ("待审议的建议与提案", "proposals"),
    "proposals_more_info": ("办公室要求补充的提案", "proposals"),
    "proposals_overdue": ("超期未落实的建议与提案", "proposals"),
    "support_open": ("待受理、处理中的技术支持请求", "support"),  # issue 17, support
    "support_answered": ("已答复、待您确认的技术支持请求", "support"),
}
# only cards whose page this user reaches (a link to a page outside the navigation fails)
reachable = _shared.reachable(user)
items = {kind: n for kind, n in _shared.todo_items(con, user).items()
         if kind in TODO and TODO[kind][1] in reachable}
if not any(items.values()):
    st.success("目前没有待办事项。")
# four cards a row: the office has eight or more, and side by side their labels were cut to 「待审核的…」
PER_ROW = 4
cards = list(items.items())
for start in range(0, max(len(cards), 1), PER_ROW):
    cols = st.columns(PER_ROW)
    for col, (kind, count) in zip(cols, cards[start:start + PER_ROW], strict=False):
        label, page = TODO[kind]
        with col.container(border=True):
            st.metric(label, count)
            st.page_link(_shared.PAGES[page].path, label="前往处理", icon=":material/arrow_forward:")
st.caption("工作台中的每项规则都注明所依据的《门户网站管理办法》条款,可在「管理办法」中查阅原文。")
