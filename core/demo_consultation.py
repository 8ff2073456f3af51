"""Demo 征集调查 (issue 17) in every state: a draft, one open with comments pending, approved and rejected,
one closed awaiting its feedback, one with its feedback published; the draft policies carry their Word file.
Made through core.consultation by the
office and the policy division's head; the public's comments are written directly with the event
core.consultation writes (the CAPTCHA's picture per comment is the form's, tested in tests/test_consultation.py),
and the dates are set back afterwards so the portal shows a history."""

from __future__ import annotations

import datetime as dt
import io

import duckdb
from docx import Document

from core import accounts, consultation, consultation_public, notify, transitions
from core.db import scalar

COLUMN = "zjdc"
DIVISION = "zcfgc"
# subject, body, (start, end) in days from today, final state, comments as (state, text)
PLAN = [
    ("关于《陕西省工业和信息化领域数字化转型促进办法(草案)》公开征求意见",
     "为加快推进全省工业领域数字化转型,我厅起草了《陕西省工业和信息化领域数字化转型促进办法(草案)》,"
     "现向社会公开征求意见。\n第一条 为推动制造业数字化转型……\n第二条 本办法适用于本省行政区域内……",
     (-125, -95), "summarised",
     [("approved", "建议在第二条中明确中小企业的适用范围。"), ("approved", "希望增加对数字化改造的财政补贴条款。"),
      ("approved", "建议设立转型服务商目录,便于企业选择。"), ("rejected", "广告:专业代办各类资质,电话……")]),
    ("关于2027年度省级工业转型升级专项资金支持方向的意见征集",
     "为科学确定2027年度省级工业转型升级专项资金支持方向,现公开征集社会各界意见建议。",
     (-60, -30), "closed",
     [("approved", "建议加大对县域特色产业集群的支持。"), ("approved", "希望简化专项资金申报材料。"),
      ("rejected", "与本次征集内容无关的个人诉求。")]),
    ("关于优化中小企业服务平台功能的问卷调查",
     "为提升中小企业公共服务平台服务质量,请您就平台的功能、使用体验等提出意见建议。",
     (-10, 20), "open",
     [("approved", "建议平台增加政策精准推送功能。"), ("rejected", "重复提交的内容。"),
      ("pending", "希望平台提供移动端应用,方便随时查询。"), ("pending", "建议增加线上专家咨询预约。")]),
    ("关于制定《工业互联网标识解析应用指引》的意见征集(草稿)",
     "拟就工业互联网标识解析在重点行业的应用征集意见,征集内容正在完善中。", (3, 33), "draft", []),
]


def _user(con, role: str, division_id: int | None = None) -> accounts.User:
    return accounts.get_user(con, notify.role_holders(con, role, division_id)[0])


def _comments(con, consultation_id: int, comments: list[tuple[str, str]], day: dt.date, office) -> None:
    for n, (state, text) in enumerate(comments):
        received = dt.datetime.combine(day, dt.time(9 + n, 15))
        comment_id = con.execute("INSERT INTO consultation_comments (consultation_id, name, body, received_at) "
                                 "VALUES (?, ?, ?, ?) RETURNING id", [consultation_id, "公众", text, received]
                                 ).fetchone()[0]
        transitions.record(con, consultation.COMMENT_MACHINE, consultation.comment_item(con, comment_id), None,
                           "submit")
        if state == "approved":
            consultation.approve(con, office, comment_id, 1)
        elif state == "rejected":
            consultation.reject(con, office, comment_id, 1, "与本次征集内容无关或不文明,不予公开")


def _draft_file(subject: str, body: str) -> tuple[str, bytes]:
    """The draft policy as a Word file (the office's attachment, 征求意见稿)."""
    document = Document()
    document.add_heading(subject, level=1)
    for line in body.split("\n"):
        document.add_paragraph(line)
    data = io.BytesIO()
    document.save(data)
    return "征求意见稿.docx", data.getvalue()


def load(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict[str, int]:
    """Write the demo consultations (inside the caller's transaction)."""
    column = scalar(con, "SELECT id FROM columns WHERE slug = ?", [COLUMN])
    division = scalar(con, "SELECT id FROM divisions WHERE code = ?", [DIVISION])
    if column is None or division is None:
        return {"consultations": 0}
    office, head = _user(con, "webmaster"), _user(con, "head", division)
    for subject, body, (start, end), final, comments in PLAN:
        starts, ends = today + dt.timedelta(days=start), today + dt.timedelta(days=end)
        cid = consultation.create(con, head, {"column_id": column, "division_id": division, "subject": subject,
                                              "body": body, "starts_on": starts, "ends_on": ends})
        if final != "closed":  # the draft policy, published with it (the draft's can still be removed)
            consultation.attach(con, head, cid, consultation_public.get(con, cid)["version"], *_draft_file(subject, body))
        if final == "draft":
            continue
        consultation.open_(con, head, cid, consultation_public.get(con, cid)["version"], today=starts)
        _comments(con, cid, comments, min(starts + dt.timedelta(days=2), today), office)
        if final == "open":
            continue
        consultation.close(con, head, cid, consultation_public.get(con, cid)["version"])
        if final == "summarised":
            adopted = sum(state == "approved" for state, _ in comments) - 1
            consultation.summarise(con, head, cid, consultation_public.get(con, cid)["version"], {
                "adopted_count": adopted, "show_comments": True,
                "adopted_text": "采纳了明确中小企业适用范围、设立转型服务商目录的意见,已在修改稿第二条、第十二条中体现。",
                "rejected_text": "增加财政补贴的建议涉及省级财政预算安排,由专项资金管理办法另行规定,本办法未予采纳。"})
        con.execute("UPDATE consultations SET opened_at = ?, closed_at = CASE WHEN closed_at IS NULL THEN NULL "
                    "ELSE ? END, summarised_at = CASE WHEN summarised_at IS NULL THEN NULL ELSE ? END WHERE id = ?",
                    [dt.datetime.combine(starts, dt.time(9)), dt.datetime.combine(ends, dt.time(18)),
                     dt.datetime.combine(ends + dt.timedelta(days=10), dt.time(10)), cid])
    return {"consultations": len(PLAN)}
