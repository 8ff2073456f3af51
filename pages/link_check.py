"""链接检查: the portal's broken links by division and column, each with the item to fix (第二十五条;
全国政府网站检查指标“链接不可用”)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import linkcheck, permissions
from core.errors import PortalError
from pages import _messages, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("链接检查")
_shared.show_flash()
st.caption("检查门户网站每个页面中的站内链接、页内锚点和附件是否存在,并访问文章正文和附件中的外部链接。"
           "不可用的链接按全国政府网站检查指标扣分,请负责处室及时修改(第二十五条)。")


def when(moment) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------- the last checks, and a new one
site_wide = permissions.can(user, "links.view")
last = linkcheck.last_run(con)
last_external = linkcheck.last_run(con, external=True)
boxes = st.columns(3)
boxes[0].metric("最近检查", when(last["started_at"]) if last else "尚未检查")
boxes[1].metric("最近一次检查外部链接", when(last_external["started_at"]) if last_external else "尚未检查")
if last:
    boxes[2].metric("检查页面 / 链接", f"{last['pages']:,} / {last['links']:,}")

if permissions.can(user, "links.check"):
    with st.form("lc_form"):
        external = st.checkbox("同时检查外部链接(逐个访问,耗时较长)", key="lc_external")
        if st.form_submit_button("立即检查", type="primary"):
            _shared.act(lambda result: f"检查完成:{result.pages} 个页面、{result.links} 个链接,"
                                       f"不可用 {len(result.all_broken())} 个。",
                        lambda: linkcheck.check_now(con, user, _shared.site_dir(), external))

# ---------------------------------------------------------------- whose links
if site_wide:
    division = None
else:
    division = user.division_id
    if division is None or not permissions.can(user, "links.view", division):
        st.error("您的账号未关联处室,无法查看链接检查结果(第二十五条)。")
        st.stop()
try:
    broken = linkcheck.view_broken(con, user, division)
except PortalError as exc:
    _shared.show_error(exc)
    st.stop()

if not broken:
    st.success("没有发现不可用的链接。" if last else "尚未检查过链接。", icon=":material/check_circle:")
    st.stop()
st.warning(f"共有 {len(broken)} 个链接不可用,请尽快修改。", icon=":material/link_off:")


def open_item(link: dict) -> None:
    """The item's editor with the item opened: a division's officer in 我的稿件, the office in 信息管理."""
    if user.has("officer"):
        st.session_state.update({"ma_open": link["article_id"], "ma_pick": link["article_id"]})
        st.session_state.pop("ma_loaded", None)
        st.switch_page(_shared.PAGES["my_articles"].path)
    st.session_state.update({"ca_search": link["title"], "ca_states": []})
    st.session_state.pop("ca_division", None)  # 全部处室
    _messages.choose_next("ca_pick", link["article_id"])
    st.switch_page(_shared.PAGES["content_admin"].path)


def can_fix(link: dict) -> bool:
    if link["article_id"] is None or link["title"] is None:
        return False
    if user.has("officer"):
        return permissions.can(user, "article.edit", {"lead_division_id": link["division_id"]})
    return permissions.can(user, "article.take_down")


for division_name in dict.fromkeys(link["division"] for link in broken):
    in_division = [link for link in broken if link["division"] == division_name]
    st.subheader(f"{division_name}({len(in_division)} 个)")
    for column_name in dict.fromkeys(link["column_name"] for link in in_division):
        in_column = [link for link in in_division if link["column_name"] == column_name]
        with st.expander(f"{column_name}:{len(in_column)} 个不可用链接", expanded=True):
            _shared.table(pd.DataFrame([{
                "信息": link["title"] or "(公共页面)", "链接": link["href"], "原因": link["detail"],
                "首次发现": when(link["first_broken_at"]), "所在页面": link["page"],
                "状态码": str(link["status"]) if link["status"] else "无响应", "外部链接": "是" if link["external"] else "",
                "检查时间": when(link["checked_at"]),
            } for link in in_column]), hide_index=True, width="stretch")
            items = {link["article_id"]: link for link in in_column if can_fix(link)}
            for article_id, link in items.items():
                if st.button(f"修改「{link['title']}」", key=f"lc_fix_{article_id}_{column_name}",
                             icon=":material/edit:"):
                    open_item(link)
