"""安全审计 (第二十条): the audit log with filters, CSV export, and the hash chain's status."""

import datetime as dt

import pandas as pd
import streamlit as st

from core import audit, security_audit, settings
from core.permissions import can
from pages import _shared

EXPORT = "security_audit_export"  # the generated CSV, until it is downloaded or the filters change

con = _shared.cursor()
user = _shared.require_user(con)
st.title("安全审计")
st.caption("系统日志由技术支持单位保存和检查(第二十条)。每次登录、每项内容、栏目、账号、设置、词库的修改,"
           "每次审批、撤下、导出和备份都记录一条,只追加;每条带前一条的哈希值,任何修改、删除或调换都会被发现。")
_shared.show_flash()

# ---------------------------------------------------------------- chain status
# rows sealed since the checkpoint, and the checkpoint row; the whole chain is walked daily by the scheduler
checked = audit.check_recent(con)
full = audit.last_full_check(con)
intact = checked.ok and (full is None or full.ok)
left, middle, right = st.columns(3)
left.metric("哈希链", "完整" if intact else "断裂")
middle.metric("已校验记录", checked.checked)
right.metric("保存期限(天)", settings.get(con, "audit_retention_days"))
if not checked.ok:
    st.error(checked.message + " 请立即报告并登记安全事件(第二十三条)。", icon=":material/gpp_bad:")
elif intact:
    st.success(checked.message, icon=":material/verified:")
if full is None:
    st.caption("完整校验:尚未进行(后台每日从头校验整条哈希链一次)。")
elif full.ok:
    st.caption(full.label + "(后台每日从头校验整条哈希链一次;打开本页时校验此后新增的记录)。")
else:
    st.error(full.label + " 请立即报告并登记安全事件(第二十三条)。", icon=":material/gpp_bad:")
anchored = audit.anchors(con)
if anchored:
    last = anchored[-1]
    st.caption(f"已归档 {sum(a['rows'] for a in anchored)} 条(至序号 {last['seq']},{last['newest_at']:%Y-%m-%d}),"
               f"当前日志从该锚点继续。归档文件:{last['file']}")

# ---------------------------------------------------------------- filters
st.subheader("查询")
with st.form("security_audit_filters"):
    c1, c2, c3 = st.columns(3)
    who = c1.text_input("用户", key="security_audit_who", placeholder="用户名,模糊匹配")
    actions = [""] + security_audit.distinct_actions(con)
    action = c2.selectbox("操作", actions, key="security_audit_action",
                          format_func=lambda a: security_audit.action_label(a) if a else "全部")
    obj = c3.text_input("对象或摘要", key="security_audit_object", placeholder="如 稿件编号、用户名、栏目名称")
    d1, d2, _ = st.columns(3)
    since = d1.date_input("起始日期", value=None, key="security_audit_since", format="YYYY-MM-DD")
    until = d2.date_input("截止日期(含)", value=None, key="security_audit_until", format="YYYY-MM-DD")
    st.form_submit_button("查询", type="primary")

start = dt.datetime.combine(since, dt.time()) if since else None
end = dt.datetime.combine(until, dt.time()) + dt.timedelta(days=1) if until else None
found = security_audit.search(con, user, who=who, action=action, obj=obj, since=start, until=end, limit=1000)
filters = ";".join(f"{k}={v}" for k, v in
                   {"用户": who, "操作": security_audit.action_label(action) if action else "", "对象": obj, "起": since, "止": until}.items() if v)
st.caption(f"{len(found)} 条(最多显示 1000 条,新的在前)")
_shared.table(pd.DataFrame([{
    "编号": e["id"], "链序号": e["seq"], "时间": e["created_at"], "用户": e["actor_label"], "角色": e["role_label"],
    "操作": e["action_label"], "对象": e["object_label"], "摘要": e["summary_label"], "客户端": e["client"] or "",
} for e in found], columns=["编号", "链序号", "时间", "用户", "角色", "操作", "对象", "摘要", "客户端"]),
    hide_index=True, width="stretch", key="security_audit_table",
    column_config={"时间": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm:ss"),
                   "链序号": st.column_config.NumberColumn("链序号", format="%d")})

prepared = st.session_state.get(EXPORT)
if prepared and prepared["filters"] != filters:
    st.session_state.pop(EXPORT)  # stale: the filters changed
    prepared = None
if prepared is None:
    if st.button("导出 CSV", key="security_audit_export_button", disabled=not found,
                 help="导出当前查询结果;导出本身也记入审计日志"):
        st.session_state[EXPORT] = {"filters": filters, "data": security_audit.export_csv(con, user, found, filters)}
        st.rerun()
else:
    st.download_button("下载 CSV 文件", prepared["data"], file_name=f"audit-{dt.date.today():%Y%m%d}.csv",
                       mime="text/csv", key="security_audit_download", type="primary")

# ---------------------------------------------------------------- archive (technical support)
if can(user, "audit.archive"):
    st.subheader("归档")
    cutoff = security_audit.retention_cutoff(con)
    st.caption(f"保存期限内(晚于 {cutoff:%Y-%m-%d})的日志不能删除或归档;更早的日志可移到 Parquet 文件,"
               "哈希链从归档锚点继续,校验不受影响。")
    if st.button("归档超过保存期限的日志", key="security_audit_archive"):
        _shared.act(lambda done: done.message, lambda: security_audit.archive(con, user, audit.archive_dir(con)))
