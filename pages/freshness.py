"""栏目更新监测: each responsible column against its update interval, the national veto counts, the
reminders sent and the criticism candidates (第二十五、二十七条(五)); the office's expected publications,
「应发布未发布」(第二十七条(四), pages/_duties.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import evaluation, freshness, permissions, settings
from core.errors import PortalError
from pages import _duties, _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("栏目更新监测")
_shared.show_flash()
today = dt.date.today()
site_wide = permissions.can(user, "freshness.view")
office = permissions.can(user, "freshness.manage")
st.caption(f"截至 {today}。各类栏目应在规定天数内更新;超期栏目每隔一段时间提醒所属处室的信息员和负责人,"
           "多次提醒仍不更新的列为通报批评候选(第二十七条(五))。撤销栏目和互动类栏目不在监测范围。")


def board_frame(columns: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "栏目": c["name"], "处室": c["division"], "更新期限(天)": c["interval_days"],
        "最近发布": c["last_published_on"], "距今(天)": c["days_since"], "状态": c["status_label"],
        "已提醒(次)": c["reminders"], "批评候选": "是" if c["candidate"] else "",
    } for c in sorted(columns, key=lambda c: (freshness.STATUS_ORDER[c["status"]], -(c["days_since"] or 10**6)))])


# ---------------------------------------------------------------- whose board
if site_wide:
    all_columns = freshness.board(con, today)
    summary = freshness.site_summary(con, today, all_columns)
    counts = summary["counts"]
    metrics = st.columns(5)
    metrics[0].metric("监测栏目", summary["monitored"])
    metrics[1].metric("超期未更新", counts["stale"], help=f"达到 {settings.get(con, 'freshness_veto_stale')} 个即单项否决")
    metrics[2].metric("空白栏目", counts["blank"], help=f"达到 {settings.get(con, 'freshness_veto_blank')} 个即单项否决")
    metrics[3].metric("即将超期", counts["due_soon"])
    home = summary["home"]
    metrics[4].metric("首页最近更新", "从未" if home["last_published_on"] is None else str(home["last_published_on"]),
                      help=f"全站最近一次发布;超过 {home['interval_days']} 天未更新即单项否决")
    if summary["veto"]:
        st.error("按全国政府网站检查指标,将触发单项否决:" + ";".join(summary["veto_reasons"]) + "。",
                 icon=":material/gpp_bad:")
    else:
        st.success("未触发单项否决指标(超期栏目、空白栏目、首页更新均在限度内)。", icon=":material/verified:")
    divisions = freshness.division_summary(con, today, all_columns)
    labels = {0: "全部处室"} | {d["division_id"]: d["division"] for d in divisions}
    chosen = st.selectbox("处室", list(labels), format_func=labels.get, key="fr_division")
    shown = [c for c in all_columns if not chosen or c["division_id"] == chosen]
else:
    mine = [user.division_id] if user.roles & {"officer", "head"} and user.division_id else []
    mine += sorted(user.charge) if user.has("leader") else []
    allowed = [d for d in dict.fromkeys(mine) if permissions.can(user, "freshness.view", d)]
    if not allowed:
        st.error("您的账号未关联处室,无法查看栏目更新情况(第二十五条)。")
        st.stop()
    names = {d["id"]: d["name"] for d in evaluation.divisions(con)}
    chosen = allowed[0] if len(allowed) == 1 else st.selectbox(
        "处室", allowed, format_func=lambda d: names.get(d, str(d)), key="fr_division")
    st.subheader(f"{names.get(chosen, '')}的责任栏目")
    try:
        shown = freshness.view_board(con, user, today, chosen)
    except PortalError as exc:
        _shared.show_error(exc)
        st.stop()
    late = [c for c in shown if c["status"] in ("stale", "blank")]
    if late:
        st.warning(f"有 {len(late)} 个栏目超期未更新或从未发布信息,请尽快更新(第二十七条(五))。",
                   icon=":material/schedule:")
    else:
        st.success("本处室的责任栏目都在更新期限内。", icon=":material/check_circle:")

if shown:
    _shared.table(board_frame(shown), hide_index=True, width="stretch")
else:
    st.info("没有需要监测的栏目。")

# 应发布信息 (第十七条、第二十七条(四)): pages/_duties.py
if site_wide:
    _duties.overdue_section(con, user, today, chosen)
    if office:
        _duties.office_section(con, user, today)
elif chosen == user.division_id:
    _duties.division_section(con, user, today, chosen)

# ---------------------------------------------------------------- the office: candidates and intervals
if office:
    st.subheader("通报批评候选")
    needed = settings.get(con, "stale_reminders_before_criticism")
    st.caption(f"超期未更新、经 {needed} 次以上提醒仍未更新的栏目。列为通报批评后,所属处室本年度不得参加表彰(第二十七条)。")
    candidates = [c for c in shown if c["candidate"]]
    if not candidates:
        st.info("目前没有通报批评候选。")
    for c in candidates:
        with st.container(border=True):
            dates = "、".join(str(d) for d in c["reminder_dates"])
            st.markdown(f"**{c['name']}**({c['division']}):{c['status_label']},已提醒 {c['reminders']} 次({dates})")
            note = st.text_input("补充说明(可选)", key=f"fr_note_{c['id']}")
            if st.button("列为通报批评", key=f"fr_criticise_{c['id']}", type="primary"):
                _shared.act(f"已将「{c['name']}」所属处室列为通报批评(第二十七条(五))。",
                    lambda c=c, note=note: evaluation.criticise_stale_column(con, user, c["id"], note=note))

    with st.expander("更新期限设置"):
        st.caption("按栏目类型设定更新期限(天);留空表示该类栏目不监测。默认值来自全国政府网站抽查指标:"
                   "动态类 2 周,通知公告、政策文件、信息公开类 6 个月。")
        kinds = freshness.intervals(con)
        edited = _shared.editor(
            pd.DataFrame([{"类型": k["kind"], "名称": k["name"], "更新期限(天)": k["days"]} for k in kinds]),
            disabled=["类型", "名称"], hide_index=True, key="fr_intervals",
            column_config={"更新期限(天)": st.column_config.NumberColumn(min_value=1, max_value=3660, step=1)})
        if st.button("保存更新期限", key="fr_intervals_save"):
            def save_intervals() -> None:
                for kind, new in zip(kinds, edited["更新期限(天)"].tolist(), strict=True):
                    value = None if pd.isna(new) else int(new)
                    if value != kind["days"]:
                        freshness.set_interval(con, user, kind["kind"], value)
            _shared.act("已保存更新期限。", save_intervals)
        st.markdown("**单个栏目**")
        board_all = freshness.board(con, today) + [
            {"id": r["column_id"], "name": r["name"]} for r in freshness.column_rules(con) if r["exempt"]]
        picks = {c["id"]: c["name"] for c in board_all}
        with st.form("fr_column_form"):
            column_id = st.selectbox("栏目", list(picks), format_func=lambda i: picks.get(i, str(i)), key="fr_column")
            days = st.text_input("本栏目更新期限(天)", key="fr_column_days", help="留空则按栏目类型")
            exempt = st.checkbox("免于监测", key="fr_column_exempt")
            note = st.text_input("说明", key="fr_column_note")
            if st.form_submit_button("保存栏目设置"):
                _shared.act("已保存栏目设置。",
                    lambda: freshness.set_column_rule(con, user, column_id, days or None, exempt, note))
        rules = freshness.column_rules(con)
        if rules:
            _shared.table(pd.DataFrame([{"栏目": r["name"], "更新期限(天)": r["interval_days"],
                                        "免于监测": "是" if r["exempt"] else "", "说明": r["note"]} for r in rules]),
                         hide_index=True, width="stretch")
