"""年度考评: scores and ranking with the office's weights, awards (第二十六条) and criticisms
(第二十七条); whoever is criticised in a year is excluded from that year's awards."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import evaluation
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("年度考评")
_shared.show_flash()
st.caption("办公室对各处室责任栏目信息的数量、及时性、准确性、规范性等进行考评,年底评选表彰;"
           "凡被通报批评的处室和个人,本年度内不得给予表彰和奖励(第二十五至二十七条)。")


this_year = dt.date.today().year
years = list(range(this_year, this_year - 6, -1))
year = st.selectbox("考评年度", years, index=1, format_func=lambda y: f"{y} 年", key="ev_year")
result = evaluation.evaluate(con, year)
if result["calendar_warning"]:
    st.warning(result["calendar_warning"], icon=":material/event_busy:")
division_names = {d["id"]: d["name"] for d in evaluation.divisions(con)}
people = {p["id"]: f"{p['display_name']}({p['division']})" for p in evaluation.people(con)}
NONE = 0


def pct(value) -> str:
    return "—" if value is None else f"{value:.0%}"


tab_rank, tab_awards, tab_criticisms, tab_rules = st.tabs(["得分排名", "表彰", "通报批评", "评分规则"])
with tab_rank:
    st.caption(f"发布时限:{result['timeliness_rule']}。某项没有数据(例如没有到期的留言)时不计该项,"
               "其余各项按权重折算。")
    _shared.table(pd.DataFrame([{
        "名次": r["rank"], "处室": r["division"], "得分": r["score"],
        "发布(条)": r["figures"]["published"], "数量": pct(r["measures"]["quantity"]),
        "及时": pct(r["measures"]["timeliness"]), "准确": pct(r["measures"]["accuracy"]),
        "规范": pct(r["measures"]["standard"]), "互动": pct(r["measures"]["interaction"]),
        "栏目更新": pct(r["measures"]["freshness"]), "公众满意": pct(r["measures"].get("satisfaction")),
        "不参加评奖": ";".join(r["exclusion"]) if r["excluded"] else "",
    } for r in result["ranking"]]), hide_index=True, width="stretch")
    given = {(a["ground"], a["division_id"], a["user_id"]) for a in result["awards"]}
    for ground, heading, empty in [
            (1, "推荐表彰(第二十六条(一))", "没有可推荐的处室。"),
            (3, "建议和提案被采纳(第二十六条(三))", "本年度尚无被采纳的建议和提案(来自「建议与提案」)。")]:
        st.subheader(heading)
        listed = [p for p in result["proposed_awards"] if p["ground"] == ground]
        if not listed:
            st.info(empty)
        for proposal in listed:
            who = proposal["division"] or proposal["person"]
            with st.container(border=True):
                rank = f"第 {proposal['rank']} 名 " if proposal["rank"] else ""
                st.markdown(f"**{rank}{who}**:{proposal['evidence']}")
                if (ground, proposal["division_id"], proposal["user_id"]) in given:
                    st.caption("已登记表彰。")
                elif st.button("按推荐登记表彰", key=f"ev_propose_{proposal['division_id']}" if ground == 1
                               else f"ev_propose3_{proposal['division_id']}_{proposal['user_id']}"):
                    _shared.act(f"已登记表彰:{who}。",
                        lambda p=proposal: evaluation.grant_award(con, user, year, p["ground"], p["evidence"],
                                                                  division_id=p["division_id"], user_id=p["user_id"]))


def target_inputs(prefix: str) -> tuple[int | None, int | None]:
    cols = st.columns(2)
    division = cols[0].selectbox("处室", [NONE, *division_names], key=f"{prefix}_division",
                                 format_func=lambda d: "(不选)" if d == NONE else division_names[d])
    person = cols[1].selectbox("个人", [NONE, *people], key=f"{prefix}_person",
                               format_func=lambda p: "(不选)" if p == NONE else people[p])
    return (division or None), (person or None)


with tab_awards:
    awards = result["awards"]
    if awards:
        _shared.table(pd.DataFrame([{"编号": a["id"], "处室": a["division"] or "", "个人": a["person"] or "",
                                    "表彰条件": a["ground_label"], "事实依据": a["evidence"]} for a in awards]),
                     hide_index=True, width="stretch")
    else:
        st.info(f"{year} 年尚未登记表彰。")
    for conflict in result["conflicts"]:
        st.error(f"表彰 #{conflict['id']}({conflict['division'] or conflict['person']})的对象本年度受到通报批评,"
                 "依第二十七条不得给予表彰,请撤销。")
    with st.form("ev_award_form"):
        st.markdown("**登记表彰**")
        ground = st.selectbox("表彰条件", list(evaluation.AWARD_GROUNDS), key="ev_award_ground",
                              format_func=evaluation.AWARD_GROUNDS.get)
        division, person = target_inputs("ev_award")
        evidence = st.text_area("事实依据", key="ev_award_evidence", placeholder="数据、事例或被采纳的建议")
        if st.form_submit_button("登记表彰", type="primary"):
            _shared.act("已登记表彰。", lambda: evaluation.grant_award(con, user, year, ground, evidence, division, person))
    if awards:
        labels = {a["id"]: f"#{a['id']} {a['division'] or a['person']}" for a in awards}
        cols = st.columns([2, 3, 1])
        chosen = cols[0].selectbox("撤销表彰", list(labels), format_func=labels.get, key="ev_award_revoke_pick")
        reason = cols[1].text_input("撤销理由", key="ev_award_revoke_reason")
        if cols[2].button("撤销", key="ev_award_revoke"):
            _shared.act("已撤销表彰。", lambda: evaluation.revoke_award(con, user, chosen, reason))

with tab_criticisms:
    items = result["criticisms"]
    if items:
        _shared.table(pd.DataFrame([{"编号": c["id"], "处室": c["division"] or "", "个人": c["person"] or "",
                                    "情形": c["ground_label"], "栏目": c["column_name"] or "",
                                    "事实依据": c["evidence"]} for c in items]), hide_index=True, width="stretch")
    else:
        st.info(f"{year} 年没有通报批评。")
    st.caption("超期栏目经多次提醒仍未更新的,可在「栏目更新监测」中直接列为通报批评(第二十七条(五))。")
    with st.form("ev_criticism_form"):
        st.markdown("**登记通报批评**")
        ground = st.selectbox("批评情形", list(evaluation.CRITICISM_GROUNDS), key="ev_criticism_ground",
                              format_func=evaluation.CRITICISM_GROUNDS.get)
        division, person = target_inputs("ev_criticism")
        evidence = st.text_area("事实依据", key="ev_criticism_evidence")
        if st.form_submit_button("登记通报批评", type="primary"):
            _shared.act("已登记通报批评;该处室或个人本年度不参加表彰。",
                lambda: evaluation.record_criticism(con, user, year, ground, evidence, division, person))
    if items:
        labels = {c["id"]: f"#{c['id']} {c['division'] or c['person']}" for c in items}
        cols = st.columns([2, 3, 1])
        chosen = cols[0].selectbox("撤销通报批评", list(labels), format_func=labels.get, key="ev_criticism_revoke_pick")
        reason = cols[1].text_input("撤销理由", key="ev_criticism_revoke_reason")
        if cols[2].button("撤销", key="ev_criticism_revoke"):
            _shared.act("已撤销通报批评。", lambda: evaluation.revoke_criticism(con, user, chosen, reason))

with tab_rules:
    st.caption("各考评项目的权重(0–100),修改后立即用于所有年度的计算(第二十五条)。")
    weights = result["weights"]
    edited = _shared.editor(
        pd.DataFrame([{"项目": w["name"], "权重": float(w["weight"]), "说明": w["help"]} for w in weights]),
        disabled=["项目", "说明"], hide_index=True, key="ev_weights",
        column_config={"权重": st.column_config.NumberColumn(step=1.0)})
    if st.button("保存权重", key="ev_weights_save"):
        values = {w["code"]: value for w, value in zip(weights, edited["权重"].tolist(), strict=True)}
        _shared.act("已保存权重。", lambda: evaluation.set_weights(con, user, values))
