"""网站年报: the 政府网站工作年度报表 (第二十五条; 国办函〔2018〕12号). The figures the data hold are computed; the
office enters the rest once a year, downloads the Word form and submits it for approval into the report column,
to be published on the portal by 31 January. Leaders read it."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import permissions
from core import site_report as sr
from pages import _shared

STYLE = ("<style>.wn table{border-collapse:collapse;width:100%;font-size:0.9rem}"
         ".wn th,.wn td{border:1px solid #888;padding:4px 8px}"
         ".wn th{background:#f2f4f7;font-weight:600;text-align:center}</style>")
NOT_SET = "未填报"
CATEGORY_NONE = "不归类"

con = _shared.cursor()
user = _shared.require_user(con)
st.title("网站年报")
_shared.show_flash()
st.caption("政府网站工作年度报表按全国统一格式编制,每年 1 月 31 日前在门户首页显著位置发布上一年度报表"
           "(国办函〔2018〕12号)。访问量、信息发布、专栏专题、政策解读总数、留言办理和安全事件等数据由系统计算;"
           "其余各项由办公室每年填报一次。表中“—”表示尚未填报。")

this_year = dt.date.today().year
year = st.selectbox("报表年度", list(range(this_year, this_year - 6, -1)), index=1, format_func=lambda y: f"{y} 年度",
                    key="wn_year")
report = sr.view(con, user, year)
office = permissions.can(user, "site_report.edit")
article = sr.submitted(con, year)
note, urgent = sr.deadline_note(year, article)
(st.warning if urgent else st.info)(note, icon=":material/event:")
problem = sr.column_problem(con) if office else None
if problem:
    st.warning(problem, icon=":material/warning:")
if article is not None:
    st.caption(f"已作为“{article.title}”提交,当前状态:{article.state_label}。"
               "再次提交将更新同一篇稿件并重新审批(第十四条)。")

st.subheader(report.title)
tabs = st.tabs(["报表", "填报", "信息类别"] if office else ["报表"])

with tabs[0]:
    st.html(STYLE + f'<div class="wn">{sr.article_html(report)}</div>')


def shown(value) -> str:
    return "" if value is None else str(value)


def field_input(field: sr.Field, value, column):
    key = f"wn_{field.key}_{year}"
    if field.kind == "yesno":
        options = ["", "是", "否"]
        return column.selectbox(field.label, options, index=options.index(value or ""), key=key,
                                format_func=lambda v: v or NOT_SET, help=field.help or None)
    return column.text_input(field.label, shown(value), key=key, help=field.help or None,
                             placeholder="整数" if field.kind == "count" else None)


if office:
    with tabs[1], st.form("wn_form"):
        st.caption("计数项填不小于 0 的整数,留空表示未填报;提交审批前须填写填报人、联系电话和填报日期。")
        values = {}
        for group, keys in sr.GROUPS.items():
            st.markdown(f"**{group}**")
            cols = st.columns(3)
            for i, key in enumerate(keys):
                values[key] = field_input(sr.FIELDS[key], report.entered[key], cols[i % 3])
        if st.form_submit_button("保存", type="primary", icon=":material/save:"):
            _shared.act(f"已保存{year}年度网站工作年度报表的填报内容。",
                        lambda: sr.save_entries(con, user, year, values))
    with tabs[2], st.form("wn_kinds"):
        st.caption("信息发布中的“概况类信息更新量”和“政务动态信息更新量”按栏目类型统计,由办公室在此归类;"
                   "“信息公开目录信息更新量”为登记了公开目录的信息。")
        chosen = {}
        options = [CATEGORY_NONE, *sr.CATEGORIES]
        for entry in sr.kinds_table(con):
            chosen[entry["kind"]] = st.selectbox(entry["name"], options, key=f"wn_kind_{entry['kind']}",
                                                 index=options.index(entry["category"] or CATEGORY_NONE))
        if st.form_submit_button("保存归类", icon=":material/save:"):
            _shared.act(lambda n: f"已保存栏目类型的归类(修改 {n} 项)。" if n else None,
                        lambda: sr.set_kind_categories(con, user, {k: None if c == CATEGORY_NONE else c
                                                                   for k, c in chosen.items()}))

download_col, submit_col, _ = st.columns([1, 1, 2])
# the Word file is made when asked for, not on every run of the page
download_col.download_button("下载 Word 文档", lambda: sr.render(sr.view(_shared.cursor(), user, year)),
                             sr.filename(report), mime=sr.DOCX, key="wn_download", icon=":material/description:")
if office and submit_col.button("提交审批并发布到门户", key="wn_submit", icon=":material/send:"):
    _shared.act(lambda a: f"已提交审批:“{a.title}”,审批通过后在门户发布。",
                lambda: sr.submit(con, user, year))
