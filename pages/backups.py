"""备份 (第二十条): the daily backup's last success and failure, backup now, verify, how to restore."""

import pandas as pd
import streamlit as st

from core import backup, settings
from pages import _shared

VERIFIED = "backups_verified"  # the last verification report shown

con = _shared.cursor()
user = _shared.require_user(con)
st.title("备份")
st.caption("技术支持单位定期备份、及时恢复(第二十条)。工作台每天定时备份数据库(一致性快照)和门户网站文件,"
           "每份备份带清单(各表的行数和校验值、各文件的校验值),清单用保存在备份之外的密钥签名;"
           "校验和恢复先核对签名和每个文件,再逐表核对,被改动过的备份不会被使用。")
_shared.show_flash()

last = backup.last_runs(con)
dest = backup.default_dest(con)
left, middle, right = st.columns(3)
with left.container(border=True):
    ok = last["success"]
    st.metric("最近一次成功", f"{ok['finished_at']:%Y-%m-%d %H:%M}" if ok else "尚无")
    if ok:
        st.caption(f"{ok['tables']} 张表 {ok['rows']} 行,{ok['bytes'] / 1048576:.1f} MB"
                   f"({backup.TRIGGER_LABELS.get(ok['trigger'], ok['trigger'])})")
with middle.container(border=True):
    bad = last["failure"]
    st.metric("最近一次失败", f"{bad['finished_at']:%Y-%m-%d %H:%M}" if bad else "无")
    if bad:
        st.caption(bad["error"] or "")
with right.container(border=True):
    st.metric("每日备份时间", settings.get(con, "backup_time"))
    st.caption(f"保留最近 {settings.get(con, 'backup_keep_daily')} 天的每日备份和 "
               f"{settings.get(con, 'backup_keep_weekly')} 周的每周备份。可在「系统设置」中调整。")
if bad and (not ok or bad["id"] > ok["id"]):
    st.error("最近一次备份失败,请尽快查明原因(已自动提示安全事件)。", icon=":material/error:")
st.caption(f"备份目录:{backup.dest_label(con)}", help=f"完整路径:{dest}")

if st.button("立即备份", type="primary", key="backups_now", help="不影响他人继续工作"):
    with st.spinner("正在备份……"):
        _shared.act(lambda made: f"备份完成:{made.path.name},{made.tables} 张表 {made.rows} 行。",
                    lambda: backup.create_backup(con, None, _shared.site_dir(), actor=user, trigger="manual"),
                    errors=(backup.BackupError,))

st.subheader("现有备份")
found = backup.listing(con, user)
_shared.table(pd.DataFrame([{
    "备份": b["name"], "时间": b["created_at"], "方式": backup.TRIGGER_LABELS.get(b["trigger"], b["trigger"] or ""),
    "表": b["tables"], "行数": b["rows"],
    "大小(MB)": round(b["bytes"] / 1048576, 2), "含门户网站": b["site"],
} for b in found], columns=["备份", "时间", "方式", "表", "行数", "大小(MB)", "含门户网站"]),
    hide_index=True, width="stretch", key="backups_table",
    column_config={"时间": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm:ss")})
if found:
    names = {b["name"]: b for b in found}
    chosen = st.selectbox("选择备份", list(names), key="backups_target")
    if st.button("校验该备份", key="backups_verify", help="核对文件校验值,并试恢复到临时文件逐表比对清单"):
        with st.spinner("正在校验……"):
            st.session_state[VERIFIED] = backup.verify_recorded(con, user, names[chosen]["path"]).as_dict()
    report = st.session_state.get(VERIFIED)
    if report and report["path"] and report["path"].endswith(chosen):
        if report["ok"]:
            st.success(f"备份 {chosen} 校验通过:{report['tables']} 张表 {report['rows']} 行与清单一致。")
        else:
            st.error(f"备份 {chosen} 校验未通过:" + ";".join(report["problems"]))

st.subheader("恢复")
st.markdown(
    "恢复由技术支持单位在服务器上进行,恢复出的是一个**新的**数据库文件,不会覆盖正在使用的数据:\n"
    "1. 在上面选定要恢复的备份,点「校验该备份」,确认校验通过;\n"
    "2. 通知网站管理员和各处室信息员暂停录入,停止工作台;\n"
    "3. 按运维说明(README「恢复备份」)把备份恢复为新的数据库文件,系统会逐表核对清单;"
    "核对无误后换用该文件,再启动工作台;\n"
    "4. 在「安全事件」中登记故障原因和恢复经过(第二十三条)。\n\n"
    "数据目录中的 backup.key(备份签名密钥)和 secrets.key(动态口令和邮件密码的加密密钥)不随备份保存,"
    "请另行妥善保管;在另一台服务器上恢复时需一并复制。")
st.caption("恢复后请抽查最近发布的信息和最近的公众留言是否都在;备份时间之后的修改需要重新录入。")

st.subheader("备份记录")
_shared.table(pd.DataFrame([{
    "开始时间": r["started_at"], "方式": backup.TRIGGER_LABELS.get(r["trigger"], r["trigger"]),
    "结果": "成功" if r["ok"] else "失败",
    "操作人": r["actor"] or "", "备份": (r["path"] or "").rsplit("/", 1)[-1], "说明": r["error"] or "",
} for r in backup.runs(con, 30)], columns=["开始时间", "方式", "结果", "操作人", "备份", "说明"]),
    hide_index=True, width="stretch", key="backups_runs",
    column_config={"开始时间": st.column_config.DatetimeColumn("开始时间", format="YYYY-MM-DD HH:mm:ss")})
