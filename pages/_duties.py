"""应发布信息 in 栏目更新监测 (第十七条、第二十七条(四)): the office records what a division is to publish
and flags what is overdue (「应发布未发布」); a division links its published item. The rules are in
core/duties.py; this draws them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import duties, evaluation, permissions, timeliness
from pages import _shared


def _frame(found: list[dict], with_division: bool) -> pd.DataFrame:
    return pd.DataFrame([{
        **({"处室": r["division"]} if with_division else {}),
        "类别": r["kind_label"], "事项": r["subject"], "发生日期": r["happened_on"], "应发布期限": r["due_on"],
        "状态": r["status_label"], "逾期(天)": r["days_overdue"], "关联信息": r["article_title"] or "",
        "通报批评": "已列入" if r["criticised"] else "", "备注": r["cancel_reason"] or r["note"],
    } for r in found])


def _criticise_button(con, user, item: dict, today: dt.date) -> None:
    if not permissions.can(user, "evaluation.manage"):
        return
    if item["criticised"]:
        st.caption("已列为通报批评(第二十七条(四)),见「年度考评」。")
    elif st.button("列为通报批评候选", key=f"du_criticise_{item['id']}", type="primary"):
        _shared.act(f"已将「{item['subject']}」列为{item['division']}的通报批评(第二十七条(四)),见「年度考评」。",
                    lambda: duties.criticise(con, user, item["id"], item["version"], today=today))


def overdue_section(con, user, today: dt.date, division_id: int | None) -> None:
    """The office's 「应发布未发布」: expected records past 第十七条's window, most overdue first."""
    st.subheader("应发布未发布")
    st.caption(f"办公室登记的重要会议、文件印发、领导活动等应发布信息,超过{timeliness.rule_text(con)}的期限仍未关联"
               "已发布信息的,可列为通报批评候选(第二十七条(四):应当发布而未发布本部门的重要信息)。")
    late = duties.overdue(con, today, division_id or None)
    if not late:
        st.info("目前没有逾期未发布的应发布信息。")
    for item in late:
        with st.container(border=True):
            st.markdown(f"**{_shared.inert(item['subject'])}**({item['division']},{item['kind_label']},"
                        f"{item['happened_on']} 工作结束,应于 {item['due_on']} 前发布):"
                        f"已逾期 **{item['days_overdue']}** 天")
            _criticise_button(con, user, item, today)


def office_section(con, user, today: dt.date) -> None:
    """Record, correct and cancel expected publications; every record with its status."""
    with st.expander("应发布信息登记"):
        names = {d["id"]: d["name"] for d in evaluation.divisions(con)}
        with st.form("du_new"):
            division = st.selectbox("处室", list(names), format_func=names.get, key="du_division")
            kind = st.selectbox("类别", list(duties.KINDS), format_func=duties.KINDS.get, key="du_kind")
            subject = st.text_input("事项", key="du_subject", help="会议名称、文件标题或领导活动")
            happened = st.date_input("发生日期", value=today, key="du_happened",
                                     help="会议召开、文件印发或活动结束之日(第十七条按工作结束之日计算)")
            note = st.text_area("备注(可选)", key="du_note", height=68)
            if st.form_submit_button("登记", type="primary"):
                _shared.act(lambda rid: f"已登记应发布信息 #{rid},并通知{names.get(division, '')}的信息员和负责人。",
                            lambda: duties.record(con, user, division, kind, subject, happened, note))
        found = duties.records(con, today=today)
        _shared.table(_frame(found, True), hide_index=True, width="stretch")
        expected = {r["id"]: r for r in found if r["state"] == "expected"}
        if expected:
            with st.form("du_cancel"):
                chosen = st.selectbox("取消哪一项", list(expected), key="du_cancel_id",
                                      format_func=lambda i: f"#{i} {expected[i]['division']} {expected[i]['subject']}")
                reason = st.text_input("取消理由", key="du_cancel_reason", help="例如“会议延期举行”")
                if st.form_submit_button("取消应发布信息"):
                    _shared.act("已取消该应发布信息。", lambda: duties.cancel(
                        con, user, chosen, expected[chosen]["version"], reason))
            _edit_form(con, user, today, expected, names)


def _edit_form(con, user, today: dt.date, expected: dict[int, dict], names: dict[int, str]) -> None:
    """Correct a record (while nothing is linked), or link a published item on the division's behalf."""
    chosen = st.selectbox("修改或代为关联", list(expected), key="du_edit_id",
                          format_func=lambda i: f"#{i} {expected[i]['division']} {expected[i]['subject']}")
    item = expected[chosen]
    with st.form(f"du_edit_{chosen}"):
        division = st.selectbox("处室", list(names), index=list(names).index(item["division_id"]),
                                format_func=names.get, key=f"du_edit_division_{chosen}")
        kind = st.selectbox("类别", list(duties.KINDS), index=list(duties.KINDS).index(item["kind"]),
                            format_func=duties.KINDS.get, key=f"du_edit_kind_{chosen}")
        subject = st.text_input("事项", value=item["subject"], key=f"du_edit_subject_{chosen}")
        happened = st.date_input("发生日期", value=item["happened_on"], key=f"du_edit_happened_{chosen}")
        note = st.text_area("备注(可选)", value=item["note"], key=f"du_edit_note_{chosen}", height=68)
        if st.form_submit_button("保存修改"):
            _shared.act("已保存修改。", lambda: duties.edit(
                con, user, chosen, item["version"], division_id=division, kind=kind, subject=subject,
                happened_on=happened, note=note))
    choices = {a["id"]: f"{a['title']}({a['published_on']})" for a in duties.linkable_articles(con, item)}
    article = st.selectbox("代为关联已发布的信息", list(choices), format_func=choices.get, index=None,
                           placeholder="请选择该处室已发布的信息", key=f"du_office_article_{chosen}")
    if st.button("关联", key=f"du_office_link_{chosen}"):
        _shared.act(lambda status: f"已关联:{status}。",
                    lambda: duties.link(con, user, chosen, item["version"], article))


def division_section(con, user, today: dt.date, division_id: int) -> None:
    """The division's expected publications: link a published item before the deadline (第十七条)."""
    st.subheader("本处室应发布信息")
    found = duties.view(con, user, division_id, today)
    waiting = [r for r in found if r["state"] == "expected"]
    late = [r for r in waiting if r["status"] == "overdue"]
    if late:
        st.warning(f"有 {len(late)} 项应发布信息已超过期限仍未发布,可能被列为通报批评(第二十七条(四)),请尽快发布并关联。",
                   icon=":material/schedule:")
    st.caption(f"办公室登记的本处室应发布信息。发布后在此关联已发布的信息;须{timeliness.rule_text(con)}。")
    for item in waiting:
        with st.container(border=True):
            state = (f"已逾期 {item['days_overdue']} 天" if item["status"] == "overdue"
                     else f"应于 {item['due_on']} 前发布")
            st.markdown(f"**{_shared.inert(item['subject'])}**({item['kind_label']},{item['happened_on']}):{state}")
            if item["note"]:
                st.caption(_shared.inert(item["note"]))
            choices = {a["id"]: f"{a['title']}({a['published_on']})" for a in duties.linkable_articles(con, item)}
            if not choices:
                st.caption("本处室在此之后尚无已发布的信息;发布后可在此关联。")
                continue
            article = st.selectbox("已发布的信息", list(choices), format_func=choices.get, index=None,
                                   placeholder="请选择本处室已发布的信息", key=f"du_article_{item['id']}")
            if st.button("关联", key=f"du_link_{item['id']}"):
                _shared.act(lambda status: f"已关联:{status}。",
                            lambda item=item, article=article: duties.link(con, user, item["id"], item["version"],
                                                                         article))
    done = [r for r in found if r["state"] != "expected"]
    if done:
        with st.expander(f"已发布或已取消({len(done)} 项)"):
            _shared.table(_frame(done, False), hide_index=True, width="stretch")
