import datetime as dt
import logging

import pandas as pd
import streamlit as st

from core import bulletin, exports, stats, training, workflow
from core.errors import PortalError
from core.permissions import can
from pages import _cache, _shared, _visits

con = _shared.cursor()
user = _shared.require_user(con)
READER = _cache.scope(user)  # what every kept figure of this page depends on besides its own choices
kept = _cache.Figures()
st.title("统计分析")
st.caption("办公室对各局处室责任栏目信息的数量、及时性、准确性和规范性进行统计监督,并定期通报(第二十五条);"
           "发布时限见第十七条,网民留言办理见第十九条。本页只读,印发通报除外。")
_shared.show_flash()
# issue 15, visits: the portal's visits, from the web server's logs
if st.radio("统计内容", ["信息发布", "访问统计"], horizontal=True, key="stat_view") == "访问统计":
    _visits.show(con, user)
    st.stop()

LABELS = {
    "name": "处室", "division": "责任处室", "published": "发布数量", "measured": "可核算时效", "on_time": "按时发布",
    "late": "超时发布", "on_time_share": "按时发布率", "median_lag": "时效中位数(天)", "reviewed": "审批数",
    "returned": "被退回", "returned_share": "退回率", "findings": "审批时筛查提示", "format_findings": "格式问题",
    "corrections": "更正", "taken_down": "撤下", "messages": "收到留言", "answered": "已答复留言",
    "answered_on_time": "按期答复", "overdue": "逾期留言", "median_response_days": "答复用时中位数(工作日)",
    "rated": "公众评价数", "satisfied": "满意及基本满意", "satisfaction_share": "公众满意率",
}
PERCENT = ("on_time_share", "returned_share", "satisfaction_share")
TODAY = dt.date.today()


def _months(count: int = 24) -> list[str]:
    index = TODAY.year * 12 + TODAY.month - 1
    return [f"{(index - back) // 12:04d}-{(index - back) % 12 + 1:02d}" for back in range(count)]


def _quarters(count: int = 8) -> list[str]:
    index = TODAY.year * 4 + (TODAY.month - 1) // 3
    return [f"{(index - back) // 4}Q{(index - back) % 4 + 1}" for back in range(count)]


def period_picker() -> stats.Period | None:
    kind_col, value_col, by_col = st.columns([2, 3, 2])
    kind = kind_col.radio("统计期间", ["月", "季度", "年", "自定义"], horizontal=True, key="stat_kind")
    if kind == "月":
        code = value_col.selectbox("月份", _months(), key="stat_month")
    elif kind == "季度":
        code = value_col.selectbox("季度", _quarters(), key="stat_quarter",
                                   format_func=lambda q: stats.parse_period(q).label)
    elif kind == "年":
        code = str(value_col.selectbox("年度", list(range(TODAY.year, TODAY.year - 6, -1)), key="stat_year"))
    else:
        chosen = value_col.date_input("起止日期", (TODAY.replace(day=1), TODAY), key="stat_range")
        if not isinstance(chosen, tuple | list) or len(chosen) != 2:
            value_col.caption("请选择开始和结束日期。")
            return None
        code = f"{chosen[0]:%Y-%m-%d}..{chosen[1]:%Y-%m-%d}"
    by_col.radio("统计维度", ["division", "column"], horizontal=True, key="stat_by",
                 format_func={"division": "按处室", "column": "按栏目"}.get)
    try:
        return stats.parse_period(code)
    except PortalError as exc:
        _shared.show_error(exc)
        return None


def frame(report_rows: list[dict], by: str) -> pd.DataFrame:
    fields = ["name"] + (["division"] if by == "column" else []) + list(stats.REPORT_FIELDS)
    fields = [f for f in fields if f not in ("overrides", "returns", "max_lag")]
    if by == "division":
        fields += list(stats.MESSAGE_FIELDS) + list(stats.RATING_FIELDS)
    data = pd.DataFrame([{f: r.get(f) for f in fields} for r in report_rows], columns=fields)
    for name in (n for n in PERCENT if n in data):  # 公众满意率 is by division only
        data[name] = data[name].map(lambda v: None if v is None or pd.isna(v) else round(v * 100, 1))
    labels = dict(LABELS, name="处室" if by == "division" else "栏目")
    return data.rename(columns=labels)


EXPORTS = (("CSV", "csv", exports.CSV_MIME, exports.to_csv_bytes),
           ("Excel", "xlsx", exports.XLSX_MIME, lambda data: exports.to_xlsx_bytes({"统计": data})))


def downloads(data: pd.DataFrame, stem: str, key: str, depends: tuple) -> None:
    """CSV and Excel buttons; a file that cannot be made is said in its place and the page goes on (通报 below).
    The files are kept (pages/_cache.py) under what `data` depends on: the Excel file cost ≈0.1 s a run."""
    for place, (name, suffix, mime, build) in zip(st.columns([1, 1, 4]), EXPORTS, strict=False):
        try:
            made = kept("export", (*depends, stem, suffix), lambda build=build: build(data))
        except Exception:  # an export must never take the rest of the page with it
            logging.getLogger(__name__).exception("统计分析导出失败:%s.%s", stem, suffix)
            place.warning(f"未能生成 {name} 文件,请联系技术支持单位;本页其他内容不受影响。", icon=":material/warning:")
            continue
        place.download_button(f"导出 {name}", made, f"{stem}.{suffix}", mime, key=f"{key}_{suffix}",
                              icon=":material/download:")


period = period_picker()
if period is None:
    st.stop()
by = st.session_state.get("stat_by", "division")
try:
    report = kept("report", (READER, period.code, by), lambda: stats.report(con, user, period, by=by))
except PortalError as exc:
    _shared.show_error(exc)
    st.stop()
if report["warning"]:
    st.warning(report["warning"], icon=":material/calendar_month:")
scope = stats.readable_divisions(user)
if scope is not None:
    st.info("处室负责人只能查看本处室的统计(第二十五条)。", icon=":material/info:")

st.subheader(f"{period.label}总体情况")
totals = report["totals"]
boxes = st.columns(6)
boxes[0].metric("发布数量", totals["published"])
boxes[1].metric("按时发布率", "—" if totals["on_time_share"] is None else f"{totals['on_time_share'] * 100:.1f}%")
boxes[2].metric("退回率", "—" if totals["returned_share"] is None else f"{totals['returned_share'] * 100:.1f}%")
boxes[3].metric("发布后撤下", totals["taken_down"])
boxes[4].metric("逾期留言", totals.get("overdue", "—") if by == "division" else "—")
satisfied = totals.get("satisfaction_share")
boxes[5].metric("公众满意率", "—" if satisfied is None else f"{satisfied * 100:.1f}%",
                help="公众凭查询码对答复的评价中,满意和基本满意所占比例(第二十六条(二));含办公室直接答复的留言。")

rows = report["rows"]
table = frame(rows, by)
name_label = "处室" if by == "division" else "栏目"
NO_RATE = "#d9d9d9"  # a bar whose group has no on-time share: grey, outside the red–green scale of the rates
if totals["published"]:
    drawn = stats.timeliness_bars(rows)
    chart_data = pd.DataFrame([{"名称": b["name"], "发布数量": b["published"], "按时发布率": b["on_time_share"],
                                "按时发布率(%)": "无数据" if b["on_time_share"] is None else f"{b['on_time_share']:.1f}"}
                               for b in drawn["bars"]])
    order = list(chart_data.sort_values("发布数量", ascending=False, kind="stable")["名称"])
    # the Vega-Lite specification written out, not built with Altair: Altair checked it against the whole
    # schema on every run (≈15 ms a chart, a third of this page's own time); Streamlit draws both the same way
    bar = {"x": {"field": "发布数量", "type": "quantitative", "title": "发布数量"},
           "y": {"field": "名称", "type": "nominal", "sort": order, "title": name_label,
                 "axis": {"labelLimit": 240, "labelOverlap": False}},
           "tooltip": [{"field": "名称", "type": "nominal"}, {"field": "发布数量", "type": "quantitative"},
                       {"field": "按时发布率(%)", "type": "nominal"}]}
    # two layers: Vega-Lite leaves out a bar whose colour value is missing (the row read as nothing published),
    # and paints a rate outside the scale's domain black; so the rates are clamped to the scale (under 50 %: its
    # red end) and a group without a rate is drawn in grey, its number published still the bar's length
    rated = {"mark": {"type": "bar"}, "transform": [{"filter": "isValid(datum['按时发布率'])"}],
             "encoding": {**bar, "color": {"field": "按时发布率", "type": "quantitative", "title": "按时发布率(%)",
                                           "scale": {"scheme": "redyellowgreen", "domain": [50, 100], "clamp": True}}}}
    unrated = {"mark": {"type": "bar"}, "transform": [{"filter": "!isValid(datum['按时发布率'])"}],
               "encoding": {**bar, "color": {"value": NO_RATE}}}
    st.vega_lite_chart(spec={"datasets": {"bars": chart_data}, "data": {"name": "bars"},  # as Altair passed it
                             "layer": [rated, unrated], "height": max(160, 24 * len(chart_data))}, width="stretch")
    st.caption("条的长度为发布数量,颜色为按时发布率(第十七条),按时发布率 50% 及以下的均为深红色。"
               + (f"灰色为本期发布的信息都没有填写工作结束日期、无法核算按时发布率(无数据,不是 0%)的{name_label}:"
                  f"{'、'.join(drawn['unmeasured'])}。" if drawn["unmeasured"] else ""))
    trend = pd.DataFrame(kept("monthly", (READER, period.code),
                                        lambda: stats.monthly(con, user, period)))
    if len(trend["month"].unique()) > 1:
        published = {"field": "published", "aggregate": "sum", "type": "quantitative"}
        st.vega_lite_chart(spec={
            "datasets": {"trend": trend}, "data": {"name": "trend"},
            "mark": {"type": "line", "point": True}, "height": 200,
            "encoding": {"x": {"field": "month", "type": "ordinal", "title": "月份"},
                         "y": {**published, "title": "发布数量"},
                         "tooltip": [{"field": "month", "type": "nominal", "title": "月份"},
                                     {**published, "title": "发布数量"}]}}, width="stretch")
else:
    st.info("本期没有发布信息。")

st.subheader(f"各{name_label}统计")
_shared.table(table, hide_index=True, key="stat_table", column_config={
    name_label: st.column_config.TextColumn(pinned=True),
    "按时发布率": st.column_config.NumberColumn(format="%.1f%%"),
    "退回率": st.column_config.NumberColumn(format="%.1f%%"),
    "公众满意率": st.column_config.NumberColumn(format="%.1f%%"),
})
st.caption("发布数量按首次发布计(更正后重新上线不重复计算);按时发布率 = 按时发布 ÷ 可核算时效(填写了工作结束日期)的信息;"
           "退回率 = 被退回的信息 ÷ 期间内有审批结论的信息;更正 = 已发布信息修改后再次发布;逾期留言 = 答复期限在本期、"
           "未按期答复的留言;答复用时从转办到处室负责人审定答复,按工作日计;公众满意率 = (满意 + 基本满意)÷ 本期公众评价数,"
           "每条留言按最近一次评价计(第二十六条(二))。")
downloads(table, f"统计分析-{period.code}-{'处室' if by == 'division' else '栏目'}", "stat_export",
          (READER, period.code, by))

# ---------------------------------------------------------------- drill-down
st.subheader("查看明细")
measures = [m for m, spec in stats.MEASURES.items() if by == "division" or spec["kind"] != "message"]
pick_col, measure_col = st.columns(2)
choices = {r["id"]: r["name"] for r in rows}
group = pick_col.selectbox(name_label, [None, *choices] if scope is None else list(choices), key=f"stat_group_{by}",
                           format_func=lambda g: f"全部{name_label}" if g is None else choices[g])
measure = measure_col.selectbox("指标", measures, key="stat_measure",
                                format_func=lambda m: stats.MEASURES[m]["label"])
st.caption(stats.MEASURES[measure]["help"])
try:
    listed = kept("items", (READER, measure, period.code, by, group), lambda: stats.items(
        con, user, measure, period, division_id=group if by == "division" else None,
        column_id=group if by == "column" else None))
except PortalError as exc:
    _shared.show_error(exc)
    listed = []
ITEM_LABELS = {
    "article_id": "编号", "id": "编号", "message_id": "留言编号", "title": "标题", "subject": "主题", "division": "处室",
    "column_name": "栏目", "state": "状态", "work_ended_on": "工作结束", "published_at": "发布时间",
    "published_on": "发布日期", "lag_days": "时效(天)", "event_at": "时间", "revision": "版本", "actor": "操作人",
    "comment": "意见/原因", "reviewed_at": "审批时间", "rule_label": "筛查规则", "severity": "级别", "kind": "处理/类型",
    "excerpt": "原文", "reason": "放行理由", "received_at": "收到", "routed_at": "转办", "due_on": "答复期限",
    "answered_at": "审定答复", "replied_at": "答复公众", "response_days": "用时(工作日)", "on_time": "按时",
}
HIDDEN = {"division_id", "column_id", "rule", "code"}  # the citizen's tracking code stays private
MESSAGE_STATES = {"new": "待审核", "routed": "已转办", "drafted": "已拟答复", "approved": "已审定答复",
                  "published": "已公开答复", "closed": "已办结"}
STATES = MESSAGE_STATES if stats.MEASURES[measure]["kind"] == "message" else workflow.STATE_LABELS
if listed:
    details = pd.DataFrame([{k: STATES.get(v, v) if k == "state" else v for k, v in item.items() if k not in HIDDEN}
                            for item in listed])
    details = details.rename(columns=ITEM_LABELS)
    _shared.table(details, hide_index=True, key="stat_items")
    st.caption(f"仅显示前 {len(listed)} 条,请缩小期间或选择处室、栏目。" if len(listed) >= 5000 else f"共 {len(listed)} 条。")
    downloads(details, f"统计明细-{period.code}-{measure}", "stat_items_export", (READER, by, group))
else:
    st.info("该指标在本期没有对应的信息。")

# ---------------------------------------------------------------- 解读回应 (第十二条)
st.subheader("政策解读回应")
unexplained = kept("unexplained", (READER,), lambda: stats.policies_without_interpretation(con, user))
st.metric("尚无解读的政策文件", len(unexplained),
          help="已发布且仍有效的政策文件中,还没有已发布的政策解读与之关联的件数(不限于上面选择的期间)")
st.caption("重要政策文件应同步发布政策解读,解读与文件相互链接(第十二条)。在编辑政策解读时选择“所解读的文件”即可关联。")
if unexplained:
    _shared.table(pd.DataFrame([{"编号": r["id"], "文件标题": r["title"], "文号": r["doc_number"] or "",
                                 "栏目": r["column_name"], "处室": r["division"], "发布日期": r["published_on"]}
                                for r in unexplained]), hide_index=True, key="stat_unexplained")

# ---------------------------------------------------------------- 培训情况 (第十条(三))
if can(user, "training.stats"):
    st.subheader("培训情况")
    trained = kept("training", (READER, period.code),
                   lambda: training.period_report(con, user, period.start, period.end))
    boxes = st.columns(4)
    boxes[0].metric("举办培训", f"{trained['sessions']} 期", help="本期举办的培训(已取消的不计)")
    boxes[1].metric("参加培训", f"{trained['attendances']} 人次", help="本期各期培训的参加人次")
    boxes[2].metric("本期参加培训人数", f"{trained['trained']} / {trained['people']}",
                    help="在用账号中的各处室信息员和处室负责人,本期参加过培训的人数 / 总人数")
    boxes[3].metric("从未参加培训", f"{len(trained['never_trained'])} 人",
                    help="在用账号中的信息员和处室负责人,至今从未参加过任何培训的人数(不限于本期)")
    st.caption("技术支持单位对各处室人员进行培训和指导(第十条(三));培训在「培训记录」中登记。")
    if trained["never_trained"]:
        st.markdown("**从未参加培训的人员**")
        never = pd.DataFrame([{"处室": p["division"], "姓名": p["display_name"], "角色": p["roles"],
                               "账号开通日期": p["created_on"], "新开通账号": "是" if p["new"] else ""}
                              for p in trained["never_trained"]])
        _shared.table(never, hide_index=True, key="stat_training_never", column_config={
            "账号开通日期": st.column_config.DateColumn(format="YYYY-MM-DD")})
        st.caption(f"按处室排列;「新开通账号」为统计期末开通不满 {training.NEW_ACCOUNT_DAYS} 天的账号(新同事,尚未赶上培训),"
                   "其余为开通已久仍未参加培训的人员。")
        downloads(never, f"从未参加培训人员-{period.code}", "stat_training_never_export", (READER, period.code))
    else:
        st.success("在用账号中的信息员和处室负责人都参加过培训。", icon=":material/check_circle:")
    by_division = pd.DataFrame([{"处室": d["division"], "信息员和处室负责人": d["people"], "本期参加培训人数": d["trained"],
                                 "本期参加人次": d["attendances"], "从未参加培训": d["never_trained"]}
                                for d in trained["divisions"]])
    if len(by_division):
        st.markdown("**各处室培训情况**")
        _shared.table(by_division, hide_index=True, key="stat_training_divisions")
        downloads(by_division, f"各处室培训情况-{period.code}", "stat_training_divisions_export",
                  (READER, period.code))

# ---------------------------------------------------------------- bulletins (通报)
CONFIRM = "stat_bulletin_confirm"  # the period whose issuing awaits confirmation


def bulletin_target(issued_periods: set[str]) -> str:
    """The period to issue: by month or by quarter, the last complete one chosen at first."""
    kind_col, choose_col = st.columns([1, 2])
    kind = kind_col.radio("通报周期", list(bulletin.PERIOD_KINDS), horizontal=True, key="stat_bulletin_kind",
                          format_func=bulletin.PERIOD_KINDS.get)
    options = _months(12) if kind == "month" else _quarters(4)
    default = bulletin.last_complete(kind, TODAY).code

    def label(code: str) -> str:
        period = stats.parse_period(code)
        notes = [n for n, shown in (("尚未结束", not bulletin.is_complete(period, TODAY)),
                                    ("已印发", code in issued_periods)) if shown]
        return period.label + (f"({'、'.join(notes)})" if notes else "")

    return choose_col.selectbox("通报期间", options, index=options.index(default), key=f"stat_bulletin_period_{kind}",
                                format_func=label)


def forget_confirmation() -> None:
    for key in (CONFIRM, "stat_bulletin_correct", "stat_bulletin_reason"):
        st.session_state.pop(key, None)


def issued_text(issued: dict, current: dict | None) -> str:
    corrects = f"(第{current['number']}期的更正)" if issued["corrects"] else ""
    return f"已印发{issued['title']},{issued['year']}年第{issued['number']}期{corrects}。"


def confirm_issue(target: str) -> None:
    """What issuing will do, said before it is done; a period already issued only as a correction."""
    period = stats.parse_period(target)
    earlier = bulletin.issues_of(con, target)
    with st.container(border=True, key="stat_bulletin_confirm_box"):
        st.markdown(f"**将印发 {period.start.year}年第{bulletin.next_number(con, target)}期 通报({period.label})**")
        st.markdown("印发后编号不可撤回,通报按印发时的内容原样保存,并记录在案(审计日志)。")
        if not bulletin.is_complete(period, TODAY):
            st.warning(f"{period.label}尚未结束,通报只统计到今天,之后的数据不会计入。一般应在期间结束后印发。",
                       icon=":material/calendar_month:")
        correcting, reason, current = False, "", None
        if earlier:
            current = earlier[-1]
            st.warning(f"{period.label}的通报已印发为{bulletin.issued_line(current)}。同一期间只印发一次;"
                       "如原通报有误,可印发更正,更正原因将写在新通报开头(第二十五条)。", icon=":material/warning:")
            correcting = st.checkbox(f"本次为第{current['number']}期的更正", key="stat_bulletin_correct")
            reason = st.text_area("更正原因", key="stat_bulletin_reason", max_chars=bulletin.REASON_MAX,
                                  placeholder="例如:电子信息处发布数量统计有误")
        go_col, cancel_col, _ = st.columns([1, 1, 3])
        if go_col.button("确认印发", key="stat_bulletin_confirm_issue", type="primary", icon=":material/campaign:"):
            _shared.act(lambda issued: issued_text(issued, current), lambda: bulletin.issue(
                con, user, target, correction_of=current["number"] if correcting else None, reason=reason),
                then=forget_confirmation)
            return
        if cancel_col.button("取消", key="stat_bulletin_cancel"):
            forget_confirmation()
            st.rerun()


st.subheader("通报")
st.caption("按月或按季度印发门户网站信息发布情况通报(第二十五条);默认为最近一个已结束的月份或季度。"
           "同一期间只印发一次,有误时印发更正;印发后的通报原样保存,可随时下载。")
past = bulletin.issued(con, user)
if can(user, "bulletin.issue"):
    target = bulletin_target({item["period"] for item in past})
    try:
        gathered = kept("bulletin", (target,),
                                  lambda: bulletin.contents(con, bulletin.bulletin_period(target)))
        st.caption(gathered.summary())
        draft_col, issue_col, _ = st.columns([1, 1, 3])
        # the Word files are made when asked for, not on every run of the page (≈0.2 s each)
        draft_col.download_button("下载未印发稿", lambda: bulletin.build(_shared.cursor(), target)[0],
                                  bulletin.filename(gathered.period), key="stat_bulletin_draft",
                                  mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                  icon=":material/description:")
        if issue_col.button("印发通报…", key="stat_bulletin_issue", type="primary", icon=":material/campaign:"):
            st.session_state[CONFIRM] = target
        if st.session_state.get(CONFIRM) == target:
            confirm_issue(target)
    except PortalError as exc:
        _shared.show_error(exc)
if past:
    for item in past[:24]:
        text_col, button_col = st.columns([5, 1])
        corrects = f" · 第{item['corrects_number']}期的更正:{_shared.inert(item['correction_reason'])}" \
            if item["corrects_number"] else ""
        text_col.markdown(f"**{item['year']}年第{item['number']}期** · {stats.parse_period(item['period']).label} · "
                          f"{item['issued_by']} {item['issued_at']:%Y-%m-%d %H:%M} 印发{corrects}  \n{item['summary']}")
        button_col.download_button("下载", lambda i=item["id"]: bulletin.get(_shared.cursor(), user, i)["docx"],
                                   item["filename"],
                                   key=f"stat_bulletin_{item['id']}", icon=":material/download:",
                                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
else:
    st.info("尚未印发通报。")
