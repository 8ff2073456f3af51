"""Demo 技术支持 and 培训记录 (第十条(二)(三)): past training sessions (some divisions never trained, one session
cancelled) and support requests in every state — new, being handled, answered and waiting for the requester,
closed by the requester or by the unit, reopened. Made through core/support.py and core/training.py, so the
events, audit rows and notices are what the workbench writes; the clock's moments are then set back to
when the story happened (working hours, so the office's figures read like a real half year).

One officer joined lately (NEWCOMER): never trained, her account weeks old, so 统计分析's 培训情况 shows a newcomer
beside the colleagues untrained for long.

Imports from: core.support, core.training and the floor (accounts, db, workdays).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import accounts, support, training, workdays
from core.db import rows

TECH = "jszc"
# topic, trainer, days ago (the first last year: some were trained, but not this year), the divisions whose
# officers and heads attended, cancelled with this reason
SESSIONS = [
    ("门户网站工作台操作培训:稿件采编、审批与发布", "技术支持单位 李工", 400, ["bgs", "dzxx", "rjc", "xxh", "kjc", "ghc"], None),
    ("信息发布规范与内容安全培训", "技术支持单位 李工", 130, ["zcfgc", "cyzcc", "ycl", "zbc", "xfp", "dzxx"], None),
    ("网站安全与账号管理培训", "技术支持单位 赵工", 75, ["bgs", "xxh"], "培训改期,与下月培训合并举办"),
    ("政务公开与依申请公开办理培训", "办公室 网站管理员", 40, ["zxqy", "cwc", "rsc", "dzxx"], None),
]
# a colleague who joined lately (username, name, division, days ago): never trained, a newcomer in 统计分析's
# 培训情况 (core.training.NEW_ACCOUNT_DAYS), beside the divisions that have gone untrained for long
NEWCOMER = ("xxy_jnc2", "林晓雨", "jnc", 20)
MATERIAL = ("工作台操作要点.txt", "一、登录与修改初始密码\n二、新建稿件与提交审批\n三、处室负责人审批\n四、发布与撤稿\n")
# requester, kind, subject, description, page, working days ago, [(action, working hours after raising, text)]
REQUESTS = [
    ("xxy_dzxx", "故障", "上传 Word 文档后表格格式丢失", "从 Word 导入稿件后,正文中的表格边框不见了。", "我的稿件", 45,
     [("accept", 1, ""), ("answer", 2, "导入时会去掉 Word 的边框样式,表格内容保留;发布后门户按统一样式显示边框。"),
      ("confirm", 6, "")]),
    ("xxy_kjc", "咨询", "如何设置稿件定时发布", "希望稿件在周一上午九点自动发布,应在哪里设置?", "我的稿件", 30,
     [("answer", 3, "在稿件编辑页「发布时间」中选择时间,审批通过后到时自动发布。"),
      ("close", 30, "已电话确认会用,关闭。")]),
    ("fzr_rjc", "咨询", "审批时能否批注修改意见", "审批稿件时想在正文中标出需要修改的地方。", "待我审批", 20,
     [("accept", 2, ""), ("answer", 4, "退回时可填写修改意见,信息员修改后重新提交;正文中暂不支持批注。"),
      ("reply", 8, "退回意见能否附带截图?"), ("answer", 10, "可以,退回意见中写明位置,截图可通过「技术支持」附件发送。"),
      ("confirm", 12, "")]),
    ("xxy_xxh", "故障", "门户网站图片不显示", "本处室昨天发布的信息中的图片在门户网站上显示不出来。", "我的稿件", 12,
     [("accept", 1, ""), ("answer", 3, "图片已重新生成,请刷新页面查看。"), ("confirm", 5, ""),
      ("reopen", 20, "今天又有一张图片不显示。")]),
    ("xxy_dzxx", "咨询", "附件大小上限是多少", "准备上传一份较大的 PDF 文件,不知道大小上限。", "我的稿件", 3,
     [("accept", 1, ""), ("answer", 2, "单个附件上限为 20 MB,可在「系统设置」中由办公室调整。")]),
    ("fzr_ycl", "故障", "审批页面加载缓慢", "打开「待我审批」要等十几秒。", "待我审批", 2, [("accept", 3, "")]),
    ("xxy_cwc", "故障", "栏目更新监测显示的日期不对", "本处室栏目昨天已更新,监测页面仍显示超期。", "栏目更新监测", 1, []),
    ("xxy_ghc", "咨询", "如何查看本处室的留言", "不知道公众留言分办到本处室后在哪里办理。", "", 0, []),
]


def _at(calendar: workdays.WorkCalendar, start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` of office time after `start` (support.OFFICE_HOURS on working days)."""
    opens, shuts = support.OFFICE_HOURS
    moment, left = start, dt.timedelta(hours=hours)
    while True:
        day_end = dt.datetime.combine(moment.date(), shuts)
        if calendar.is_workday(moment.date()) and moment < day_end:
            moment = max(moment, dt.datetime.combine(moment.date(), opens))
            if moment + left <= day_end:
                return moment + left
            left -= day_end - moment
        moment = dt.datetime.combine(moment.date() + dt.timedelta(days=1), opens)


def _sessions(con, today: dt.date, tech: accounts.User, people: dict[str, list[int]]) -> int:
    for topic, trainer, days, divisions, cancelled in SESSIONS:
        attendees = [i for code in divisions for i in people.get(code, [])]
        material = [(MATERIAL[0], MATERIAL[1].encode())] if days > 300 else []
        session_id = training.create_session(con, tech, held_on=min(today - dt.timedelta(days=days), dt.date.today()),
                                             topic=topic, trainer=trainer, attendees=attendees, materials=material)
        if cancelled:
            training.cancel_session(con, tech, session_id, 1, cancelled)
    return len(SESSIONS)


MOVES = {"accept": lambda con, who, i, v, text: support.accept(con, who, i, v),
         "answer": support.answer, "reply": support.reply, "close": support.close, "reopen": support.reopen,
         "confirm": lambda con, who, i, v, text: support.confirm(con, who, i, v)}


def _request(con, calendar, today: dt.date, tech: accounts.User, plan: tuple) -> None:
    username, kind, subject, description, page, days, steps = plan
    requester = accounts.find_user(con, username)
    raised = dt.datetime.combine(calendar.add_workdays(today - dt.timedelta(days=int(days * 1.4)), 0), dt.time(9, 20))
    raised = min(raised, dt.datetime.now() - dt.timedelta(hours=1))  # a Saturday's "next working day" is ahead
    request_id = support.raise_request(con, requester, kind=kind, subject=subject, description=description, page=page)
    moments, first_answer, closed = [raised], None, None
    for action, hours, text in steps:
        who = tech if action in ("accept", "answer", "close") else requester
        version = support.get(con, tech, request_id)["version"]
        MOVES[action](con, who, request_id, version, text)
        moment = min(_at(calendar, raised, hours), dt.datetime.now() - dt.timedelta(minutes=5))
        moments.append(moment)
        first_answer = first_answer or (moment if action == "answer" else None)
        closed = moment if action in ("close", "confirm") else None if action == "reopen" else closed
    con.execute("UPDATE support_requests SET raised_at = ?, first_answer_at = ?, closed_at = ?, updated_at = ? "
                "WHERE id = ?", [raised, first_answer, closed, moments[-1], request_id])
    events = [r["id"] for r in rows(con, "SELECT id FROM support_events WHERE request_id = ? ORDER BY id", [request_id])]
    con.executemany("UPDATE support_events SET created_at = ? WHERE id = ?", list(zip(moments, events, strict=True)))
    said = [moments[n + 1] for n, (_action, _hours, text) in enumerate(steps) if text]
    messages = [r["id"] for r in rows(con, "SELECT id FROM support_messages WHERE request_id = ? ORDER BY id",
                                      [request_id])]
    if messages:
        con.executemany("UPDATE support_messages SET created_at = ? WHERE id = ?", list(zip(said, messages, strict=True)))


def _newcomer(con, today: dt.date) -> None:
    """Open the newcomer's account through core.accounts (audited), with the demo password of their division's
    officer, then set its creation back to the day they joined."""
    username, name, division, days = NEWCOMER
    colleague = rows(con, "SELECT u.id, u.division_id, u.email, u.password_hash FROM users u JOIN divisions d "
                          "ON d.id = u.division_id WHERE d.code = ? AND u.username = ?", [division, f"xxy_{division}"])[0]
    created, _ = accounts.create_user(con, None, username, name, ["officer"], colleague["division_id"],
                                      f"{username}@{colleague['email'].split('@', 1)[1]}", must_change_password=False)
    joined = dt.datetime.combine(min(today, dt.date.today()) - dt.timedelta(days=days), dt.time(9, 0))
    con.execute("UPDATE users SET password_hash = ?, created_at = ? WHERE id = ?",
                [colleague["password_hash"], joined, created.id])


def load(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict[str, int]:
    """Write the demo sessions and requests (inside the caller's transaction); returns how many."""
    tech = accounts.find_user(con, TECH)
    people: dict[str, list[int]] = {}
    for found in rows(con, "SELECT u.id, d.code FROM users u JOIN divisions d ON d.id = u.division_id "
                           "JOIN user_roles r ON r.user_id = u.id WHERE r.role IN ('officer', 'head') ORDER BY u.id"):
        people.setdefault(found["code"], []).append(found["id"])
    calendar = workdays.load(con)
    sessions = _sessions(con, today, tech, people)
    _newcomer(con, today)  # after the sessions: she joined after the last of them
    for plan in REQUESTS:
        _request(con, calendar, today, tech, plan)
    return {"training_sessions": sessions, "support_requests": len(REQUESTS)}
