"""Demo 在线访谈 (issue 17) in every state: a draft; one announced and collecting questions (pending, approved,
rejected); one held whose transcript is being entered; one with its transcript published. Made through
core.interview by the office and 电子信息处's head; the public's questions are written directly with the
event core.interview writes (the CAPTCHA per question is the form's, tested in tests/test_interview.py), and
the dates are set back afterwards so the portal shows a history."""

from __future__ import annotations

import datetime as dt

import duckdb

from core import accounts, interview, interview_public, notify, transitions
from core.db import scalar

COLUMN = "zxft"
DIVISION = "dzxx"
GUESTS = "王建国 陕西省工业和信息化厅电子信息处处长\n刘晓燕 陕西省工业和信息化厅电子信息处副处长"
HOST = "主持人"
# subject, intro, days from today to the interview, final state, questions as (state, text),
# transcript as (kind, question index or host question, speaker, text)
PLAN = [
    ("解读《陕西省促进集成电路产业发展若干措施》",
     "本期访谈邀请电子信息处负责同志解读《陕西省促进集成电路产业发展若干措施》的出台背景、主要内容和申报要求,"
     "并回答网友关心的问题。", -60, "published",
     [("approved", "若干措施中的流片补贴如何申请?需要哪些材料?"), ("approved", "中小集成电路设计企业能享受哪些支持?"),
      ("rejected", "推销芯片产品,价格优惠,欢迎联系。")],
     [("remark", None, HOST, "各位网友,大家好!欢迎收看本期在线访谈。今天我们邀请到电子信息处的负责同志,"
                              "为大家解读集成电路产业发展若干措施。"),
      ("qa", "请介绍一下若干措施出台的背景。", "王建国", "集成电路是我省重点培育的战略性新兴产业,为加快产业集聚发展,"
                                                     "我厅会同有关部门研究制定了若干措施。"),
      ("qa", 0, "刘晓燕", "流片补贴按年度申报,企业通过省工业和信息化厅网站下载申报指南,提交流片合同、发票等材料。"),
      ("qa", 1, "王建国", "中小设计企业可享受流片补贴、首轮流片奖励和人才引进支持,具体标准见若干措施第五条至第八条。"),
      ("remark", None, HOST, "感谢两位嘉宾的解读,本期访谈到此结束,谢谢各位网友的关注!")]),
    ("数字化转型赋能中小企业高质量发展", "就中小企业数字化转型的支持政策、服务平台和典型案例与网友在线交流。", -4, "held",
     [("approved", "小微企业上云有补贴吗?"), ("rejected", "与本期访谈主题无关的个人诉求。")],
     [("remark", None, HOST, "各位网友,大家好!欢迎收看本期在线访谈。")]),
    ("2027年软件和信息技术服务业发展思路", "介绍2027年全省软件和信息技术服务业发展的重点任务,欢迎网友提前提问。",
     7, "collecting",
     [("approved", "明年对软件企业的首版次奖励会继续实施吗?"), ("rejected", "重复提交的内容。"),
      ("pending", "希望介绍一下软件园区的入驻条件。"), ("pending", "信创产业有哪些新的扶持政策?")], []),
    ("电子信息制造业稳增长政策解读(草稿)", "访谈内容正在筹备中。", 20, "draft", [], []),
]


def _user(con, role: str, division_id: int | None = None) -> accounts.User:
    return accounts.get_user(con, notify.role_holders(con, role, division_id)[0])


def _questions(con, interview_id: int, questions: list[tuple[str, str]], day: dt.date, office) -> list[int]:
    made = []
    for n, (state, text) in enumerate(questions):
        received = dt.datetime.combine(day, dt.time(9 + n, 20))
        question_id = con.execute("INSERT INTO interview_questions (interview_id, name, body, received_at) "
                                  "VALUES (?, ?, ?, ?) RETURNING id", [interview_id, "网友", text, received]
                                  ).fetchone()[0]
        transitions.record(con, interview.QUESTION_MACHINE, interview.question_item(con, question_id), None, "submit")
        if state == "approved":
            interview.approve(con, office, question_id, 1)
        elif state == "rejected":
            interview.reject(con, office, question_id, 1, "与本期访谈主题无关或不文明,不予公开")
        made.append(question_id)
    return made


def _transcript(con, head, interview_id: int, lines: list, asked: list[int]) -> None:
    for kind, question, speaker, text in lines:
        values = {"kind": kind, "speaker": speaker, "body": text}
        if isinstance(question, int):
            values["question_id"] = asked[question]
        elif question:
            values["question"] = question
        interview.add_entry(con, head, interview_id, interview_public.get(con, interview_id)["version"], values)


def load(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict[str, int]:
    """Write the demo interviews (inside the caller's transaction)."""
    column = scalar(con, "SELECT id FROM columns WHERE slug = ?", [COLUMN])
    division = scalar(con, "SELECT id FROM divisions WHERE code = ?", [DIVISION])
    if column is None or division is None:
        return {"interviews": 0}
    office, head = _user(con, "webmaster"), _user(con, "head", division)
    for subject, intro, days, final, questions, lines in PLAN:
        starts = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(10))
        iid = interview.create(con, head, {"column_id": column, "division_id": division, "subject": subject,
                                           "guests": GUESTS, "intro": intro, "starts_at": starts})
        if final == "draft":
            continue
        announced = min(starts - dt.timedelta(days=10), dt.datetime.combine(today, dt.time(9)))
        interview.announce(con, head, iid, interview_public.get(con, iid)["version"], now=announced)
        asked = _questions(con, iid, questions, min(announced.date() + dt.timedelta(days=2), today), office)
        if final == "collecting":
            continue
        interview.hold(con, head, iid, interview_public.get(con, iid)["version"])
        _transcript(con, head, iid, lines, asked)
        if final == "published":
            interview.publish(con, head, iid, interview_public.get(con, iid)["version"])
        con.execute("UPDATE interviews SET held_at = ?, published_at = CASE WHEN published_at IS NULL THEN NULL "
                    "ELSE ? END WHERE id = ?",
                    [starts + dt.timedelta(hours=2), starts + dt.timedelta(days=3), iid])
    return {"interviews": len(PLAN)}
