import pandas as pd
import streamlit as st

from core import accounts, stats
from core.setup import status
from pages import _availability, _cache, _shared


def _when(moment, seconds: bool = False) -> str:
    if moment is None:
        return ""
    return f"{moment:%Y-%m-%d %H:%M:%S}" if seconds else f"{moment:%Y-%m-%d %H:%M}"


con = _shared.cursor()
user = _shared.require_user(con)
kept = _cache.Figures()
st.title("运行概览")
st.caption("网站运行情况的只读汇总,供办公室、技术支持单位、分析员和领导查看;本页不修改任何数据(第二十四条)。"
           "各处室栏目的考核统计见第二十五条。")
if user.has("analyst") or user.has("tech"):
    st.info("**分析笔记本**:在安装本系统的电脑上进入项目目录,运行 `make lab`,再用浏览器打开终端里显示的地址"
            "(形如 `http://127.0.0.1:8888/lab?token=…`,带有访问令牌)。笔记本读取启动时复制的只读数据快照,不影响工作台;"
            "要看最新数据,重新运行 `make lab`。", icon=":material/menu_book:")

summary = kept("status", (), lambda: status(con))
schema_box, division_box, column_box, account_box = st.columns(4)
schema_box.metric("数据库结构版本", summary["schema_version"])
division_box.metric("处室", summary["divisions"])
column_box.metric("栏目", summary["columns"])
account_box.metric("信息总数", sum(summary["articles_by_state"].values()))
st.caption("账号(按角色):" + ("、".join(
    f"{accounts.ROLE_LABELS.get(role, role)} {count}" for role, count in summary["users_by_role"].items()) or "无"))

st.subheader("信息状态")
states = kept("by_state", (), lambda: stats.by_state(con))
for start in range(0, len(states), 4):
    for box, item in zip(st.columns(4), states[start:start + 4], strict=False):
        box.metric(item["label"], item["count"])

_availability.show(con, user, kept)  # issue 15, visits: 站点无法访问 is a veto

st.subheader("近 12 个月发布量")
monthly = pd.DataFrame([{"月份": m["month"], "发布数": m["count"]} for m in kept(
    "per_month", (), lambda: stats.published_per_month(con))])
st.bar_chart(monthly, x="月份", y="发布数", height=260)
st.caption("按每条信息首次发布的月份计;更正后重新上线不重复计算。")

st.subheader("各处室信息")
_shared.table(pd.DataFrame([{
    "处室": d["division"], "信息总数": d["total"], "在线": d["online"], "审批中": d["in_review"],
    "草稿/退回": d["drafts"], "已撤下": d["taken_down"], "待处理委托": d["open_requests"],
    "最近发布": _when(d["last_published"]),
} for d in kept("by_division", (), lambda: stats.by_division(con))]), hide_index=True,
    key="ov_divisions")

st.subheader("各栏目信息")
_shared.table(pd.DataFrame([{
    "栏目": c["column"] + ("(已撤销)" if c["retired"] else ""), "责任处室": c["division"],
    "信息总数": c["total"], "在线": c["online"], "最近发布": _when(c["last_published"]),
} for c in kept("by_column", (), lambda: stats.by_column(con))]), hide_index=True, key="ov_columns")

st.subheader("最近 50 条审批流转记录")
events = kept("events", (_cache.scope(user),), lambda: stats.recent_events(con, user, limit=50))
if events:
    _shared.table(pd.DataFrame([{
        "时间": _when(e["at"], seconds=True), "信息": f"#{e['article_id']} {e['title']}", "牵头处室": e["division"],
        "操作人": e["actor"],
        "操作": e["action_label"], "状态变化": f"{e['from_label']} → {e['to_label']}", "意见/原因": e["comment"] or "",
    } for e in events]), hide_index=True, key="ov_events")
else:
    st.info("还没有审批流转记录。")

if user.has("tech"):
    st.subheader("系统日志(最近 200 条)")
    st.caption("技术支持单位负责系统日志的保存和检查(第二十条)。日志只追加,不能在此修改。")
    _shared.table(pd.DataFrame([{
        "编号": a["id"], "时间": _when(a["created_at"], seconds=True), "用户": a["actor_label"], "角色": a["role_label"],
        "操作": a["action_label"],
        "对象": a["object_label"], "摘要": a["summary_label"], "客户端": a["client"] or "",
    } for a in kept("audit", (_cache.scope(user),), lambda: stats.recent_audit(con, user, limit=200))]),
        hide_index=True, key="ov_audit")
