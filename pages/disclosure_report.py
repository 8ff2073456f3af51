"""公开年报: the 政府信息公开工作年度报告 (政府信息公开条例 第四十九、五十条). The office writes parts 一、五、六 and
enters part 二's figures; the tables are computed from the data; Word download; submitted for approval as an
article of the 政府信息公开年报 column. Leaders read it."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import disclosure_report as dr
from core import permissions, workflow
from pages import _shared

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STYLE = ("<style>.nb table{border-collapse:collapse;width:100%;font-size:0.85rem}"
         ".nb th,.nb td{border:1px solid #888;padding:4px 6px;text-align:center}"
         ".nb th{background:#f2f4f7;font-weight:600}</style>")

con = _shared.cursor()
user = _shared.require_user(con)
st.title("公开年报")
_shared.show_flash()
st.caption("政府信息公开工作年度报告按全国统一格式编制,每年 1 月 31 日前公布上一年度报告(政府信息公开条例 第四十九、五十条)。"
           "表格中的数字均由系统根据公开目录、依申请公开登记和复议诉讼记录计算,不可手工修改;"
           "第一、五、六部分由办公室撰写,第二部分的行政许可、处罚、强制和收费数据由办公室填报。")

this_year = dt.date.today().year
year = st.selectbox("报告年度", list(range(this_year, this_year - 6, -1)), index=1, format_func=lambda y: f"{y} 年",
                    key="nb_year")
report = dr.view(con, user, year)
office = permissions.can(user, "disclosure_report.edit")
problems = dr.check(report.applications)
if problems:
    st.error("第三部分数据不平衡,请核对依申请公开登记:" + ";".join(problems), icon=":material/error:")

st.subheader(report.title)
written = report.texts
if written.get("article_id"):
    article = workflow.get_article(con, written["article_id"])
    st.caption(f"已作为“{article.title}”提交,当前状态:{article.state_label}。再次提交将更新同一篇稿件并重新审批(第十四条)。")

tab_texts, tab_two, tab_three, tab_four = st.tabs(["正文与填报", "二、主动公开", "三、依申请公开", "四、复议诉讼"])


def figure_text(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


with tab_texts:
    if office:
        with st.form("nb_form"):
            overview = st.text_area(dr.TEXTS["overview"], written["overview"], height=160, key=f"nb_overview_{year}")
            st.markdown("**二、主动公开政府信息情况(办公室填报的数据)**")
            st.caption("规章和行政规范性文件的件数由公开目录计算;以下数据由办公室根据本机关业务台账填报,留空表示未填报。")
            cols = st.columns(len(dr.FIGURES))
            entered = {name: cols[i].text_input(f"{name}({unit})", figure_text(written["figures"][name]),
                                                key=f"nb_fig_{name}_{year}")
                       for i, (name, unit) in enumerate(dr.FIGURES.items())}
            problems_text = st.text_area(dr.TEXTS["problems"], written["problems"], height=120,
                                         key=f"nb_problems_{year}")
            other = st.text_area(dr.TEXTS["other"], written["other"], height=100, key=f"nb_other_{year}")
            if st.form_submit_button("保存", type="primary", icon=":material/save:"):
                _shared.act(f"已保存{year}年度报告的正文和填报数据。",
                            lambda: dr.save(con, user, year, overview=overview, problems=problems_text, other=other,
                                            figures=entered))
    else:
        for key, heading in dr.TEXTS.items():
            st.markdown(f"**{heading}**")
            st.markdown(_shared.inert(written[key]) or "(尚未填写)")

proactive, applications, appeals = dr.tables(report)
with tab_two:
    st.caption("第二十条第(一)项由公开目录计算;第(五)(六)(八)项为办公室填报的数据(“—”表示尚未填报)。")
    st.html(STYLE + f'<div class="nb">{dr.table_html(proactive)}</div>')
with tab_three:
    st.caption("本年新收 + 上年结转 = 本年度办理结果总计 + 结转下年度继续办理;按申请人类型分列。")
    st.html(STYLE + f'<div class="nb">{dr.table_html(applications)}</div>')
with tab_four:
    st.caption("本年度内处于办理中的行政复议、行政诉讼案件,结果以年底状态为准。")
    st.html(STYLE + f'<div class="nb">{dr.table_html(appeals)}</div>')

download_col, submit_col, _ = st.columns([1, 1, 2])
# the Word file is made when asked for, not on every run of the page
download_col.download_button("下载 Word 文档", lambda: dr.render(dr.view(_shared.cursor(), user, year)),
                             dr.filename(report), mime=DOCX, key="nb_download", icon=":material/description:")
if office and submit_col.button("提交审批并发布到门户", key="nb_submit", icon=":material/send:"):
    _shared.act(lambda a: f"已提交审批:“{a.title}”,审批通过后在门户政府信息公开年报栏目发布。",
                lambda: dr.submit(con, user, year))
