"""在线访谈 (issue 17; 第二条 "政企互动的桥梁", 第十九、二十三条): an interview announced ahead, questions from
the public collected and moderated beforehand, the transcript published afterwards.

draft ──announce──▶ collecting ──hold──▶ held ──publish──▶ published (实录已公布)

The office or the owning division's head writes the announcement (subject, guests and their posts, time,
introduction) and announces it: the page goes on the portal and the public sends questions through the
message desk's gate (core.interaction.guard: CAPTCHA, rate limits) until the interview is held. Every
question waits for the webmaster's review before anything is shown (第二十三条), exactly as a
consultation's comment: both are core.contribution's moderated public contribution. After the
interview the transcript — question → answer pairs (selected public questions among them) and host remarks
— is entered and published. Both machines move through core.transitions.

The public's side that the portal reads (the calendar phase, the refusal of a question after its time, the
public page's data, the transcript's entries, the interviews on the portal) is core.interview_public's; callers
read it from there (this module uses its `get`, `asking_refusal` and `entries` itself and re-exports nothing).

Imports from: core.contribution (the questions, the shared checks), core.interview_public (the public's side),
core.transitions and the floor.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import contribution, interview_public, transitions
from core.contribution import check_placement, checked_text
from core.db import row, scalar, transaction
from core.errors import NotFound, ValidationError
from core.interview_public import OWNER_KEY, QUESTION_TABLE, asking_refusal, get
from core.transitions import move

ARTICLE = "第十九条"
MODERATION = "第二十三条"
STATE_LABELS = {"draft": "草稿", "collecting": "征集问题中", "held": "已举行待公布实录", "published": "实录已公布"}
QUESTION_LABELS = contribution.STATE_LABELS
LIMITS = {"subject": 100, "guests": 1000, "intro": 5000, "name": 50, "question": 1000, "reason": 500,
          "speaker": 50, "body": 5000, "change_reason": 500}
FIELD_LABELS = {"subject": "访谈主题", "guests": "访谈嘉宾及职务", "starts_at": "访谈时间", "intro": "访谈简介",
                "name": "姓名", "question": "提问内容", "consent": "隐私声明", "reason": "不予通过的理由",
                "speaker": "发言人", "body": "内容", "question_id": "网民提问", "change_reason": "更正或删除的理由"}
ENTRY_LABELS = {"qa": "问答", "remark": "主持人"}


INTERVIEW_MACHINE = transitions.Machine(
    name="interview", table="interviews", noun="该在线访谈", state_labels=STATE_LABELS,
    refusal="在线访谈当前为「{state}」,不能{verb}(仅限:{allowed})", audit_prefix="interview",
    audit_object="interview", events="interview_events", event_key="interview_id",
    describe=contribution.describe, touch=True,
    transitions={
        "create": move({"draft"}, (), "创建", "interviews.manage", versioned=False, initial=True),
        "edit": move({"draft", "collecting"}, (), "修改预告", "interviews.manage", event=False),
        "announce": move({"draft"}, {"collecting"}, "发布预告", "interviews.manage"),
        "hold": move({"collecting"}, {"held"}, "结束提问", "interviews.manage"),
        "write": move({"held"}, (), "录入实录", "interviews.manage", event=False),
        "publish": move({"held"}, {"published"}, "公布实录", "interviews.manage"),
        # a transcript line corrected (speaker, words) or taken out, with the reason, also once published
        "correct": move({"held", "published"}, (), "更正实录", "interviews.manage"),
        "strike": move({"held", "published"}, (), "删除实录条目", "interviews.manage"),
    },
)

# a question: received, then the webmaster shows it or refuses it with a reason (第二十三条)
QUESTION_MACHINE = contribution.machine("interview_question", QUESTION_TABLE, "该条提问", "提问")
QUESTIONS = contribution.Kind(QUESTION_MACHINE, "interviews", OWNER_KEY, "question", FIELD_LABELS, LIMITS,
                              ARTICLE, "问题", "提问")


def _text(values: dict, field: str, *, multiline: bool = False) -> str:
    return checked_text(values, field, FIELD_LABELS[field], LIMITS[field], ARTICLE, multiline=multiline)


def _moment(values: dict) -> dt.datetime:
    value = values.get("starts_at")
    if isinstance(value, str) and value.strip():
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime):
        raise ValidationError(FIELD_LABELS["starts_at"], "请填写日期和时间,例如 2026-12-31 10:00", ARTICLE)
    return value.replace(second=0, microsecond=0)


def validate(con: duckdb.DuckDBPyConnection, values: dict) -> dict:
    """The announcement as the office wrote it, cleaned and checked; raises ValidationError naming the field."""
    column_id, division_id = check_placement(con, values, "在线访谈")
    return {"column_id": column_id, "division_id": division_id, "subject": _text(values, "subject"),
            "guests": _text(values, "guests", multiline=True), "starts_at": _moment(values),
            "intro": _text(values, "intro", multiline=True)}


# ---------------------------------------------------------------- the office's side

def create(con: duckdb.DuckDBPyConnection, actor, values: dict) -> int:
    """A new interview announcement, as a draft of the division that owns it."""
    cleaned = validate(con, values)
    transitions.authorise(INTERVIEW_MACHINE, cleaned, actor, "create")
    with transaction(con):
        new_id = con.execute(
            "INSERT INTO interviews (column_id, division_id, subject, guests, starts_at, intro, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [cleaned["column_id"], cleaned["division_id"], cleaned["subject"], cleaned["guests"],
             cleaned["starts_at"], cleaned["intro"], actor.id]).fetchone()[0]
        transitions.record(con, INTERVIEW_MACHINE, get(con, new_id), actor, "create")
    return new_id


def edit(con: duckdb.DuckDBPyConnection, actor, interview_id: int, expected_version: int, values: dict) -> None:
    """The announcement changes until the interview is held (a guest or the time may change)."""
    item = get(con, interview_id)
    cleaned = validate(con, values)
    transitions.authorise(INTERVIEW_MACHINE, cleaned, actor, "edit")  # and the new owner's, too
    transitions.record(con, INTERVIEW_MACHINE, item, actor, "edit", expected_version, changes=cleaned)


def announce(con: duckdb.DuckDBPyConnection, actor, interview_id: int, expected_version: int,
             now: dt.datetime | None = None) -> None:
    """Publish the announcement: its page goes on the portal and questions are taken until it is held."""
    item = get(con, interview_id)
    now = now or dt.datetime.now()
    if item["state"] == "draft" and item["starts_at"] <= now:
        raise ValidationError(FIELD_LABELS["starts_at"], f"已过({item['starts_at']:%Y年%m月%d日 %H:%M}),访谈须提前"
                              "预告,请先修改访谈时间", ARTICLE)
    transitions.record(con, INTERVIEW_MACHINE, item, actor, "announce", expected_version,
                       changes={"state": "collecting", "announced_at": now})


def hold(con: duckdb.DuckDBPyConnection, actor, interview_id: int, expected_version: int) -> None:
    """The interview took place: no more questions; the transcript is due."""
    transitions.record(con, INTERVIEW_MACHINE, get(con, interview_id), actor, "hold", expected_version,
                       changes={"state": "held", "held_at": dt.datetime.now()})


def counts(con: duckdb.DuckDBPyConnection, interview_id: int) -> dict[str, int]:
    """Questions by state, and all received."""
    return contribution.counts(con, QUESTIONS, interview_id)


def add_entry(con: duckdb.DuckDBPyConnection, actor, interview_id: int, expected_version: int,
              values: dict) -> int:
    """One line of the transcript after the interview: a question (an approved public one, or the host's own
    words) with its answer and who answered, or a host's remark."""
    item = get(con, interview_id)
    kind = values.get("kind")
    if kind not in ENTRY_LABELS:
        raise ValidationError("类型", "请选择问答或主持人发言", ARTICLE)
    speaker = _text(values, "speaker")
    body = _text(values, "body", multiline=True)
    question_id, question = values.get("question_id"), None
    if kind == "qa" and question_id:
        asked = row(con, "SELECT body, state FROM interview_questions WHERE id = ? AND interview_id = ?",
                    [question_id, interview_id])
        if not asked or asked["state"] != "approved":
            raise ValidationError(FIELD_LABELS["question_id"], "只能选用本次访谈已审核通过的网民提问", MODERATION)
        question = asked["body"]
    elif kind == "qa":
        question_id = None
        question = checked_text(values, "question", FIELD_LABELS["question"], LIMITS["question"], ARTICLE,
                                multiline=True)
    else:
        question_id = None
    position = int(scalar(con, "SELECT coalesce(max(position), 0) + 1 FROM interview_entries WHERE interview_id = ?",
                          [interview_id]))
    created: list[int] = []

    def write() -> None:
        created.append(con.execute(
            "INSERT INTO interview_entries (interview_id, position, kind, question_id, question, speaker, body, "
            "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [interview_id, position, kind, question_id, question, speaker, body, actor.id]).fetchone()[0])

    transitions.record(con, INTERVIEW_MACHINE, item, actor, "write", expected_version, writes=write,
                       comment=f"{ENTRY_LABELS[kind]}:{speaker}")
    return created[0]


def entry(con: duckdb.DuckDBPyConnection, interview_id: int, entry_id: int) -> dict:
    found = row(con, "SELECT * FROM interview_entries WHERE id = ? AND interview_id = ?", [entry_id, interview_id])
    if not found:
        raise NotFound(f"实录第 {entry_id} 条不存在")
    return found


def _line(found: dict) -> str:
    """A transcript line as the audit keeps it (what it said before a change)."""
    asked = f"问:{found['question'][:60]} " if found["kind"] == "qa" and found["question"] else ""
    return f"{asked}{found['speaker']}:{found['body'][:80]}"


def correct_entry(con: duckdb.DuckDBPyConnection, actor, interview_id: int, expected_version: int, entry_id: int,
                  values: dict, reason: str) -> None:
    """Correct a line of the transcript — who spoke, the words, the host's question — with the reason, before or
    after it is published (the published transcript is rebuilt); the audit keeps what it said before."""
    item = get(con, interview_id)
    transitions.authorise(INTERVIEW_MACHINE, item, actor, "correct")
    found = entry(con, interview_id, entry_id)
    speaker = _text(values, "speaker")
    body = _text(values, "body", multiline=True)
    question = found["question"]
    if found["kind"] == "qa" and not found["question_id"]:  # the host's own question may be corrected too
        question = checked_text(values, "question", FIELD_LABELS["question"], LIMITS["question"], ARTICLE,
                                multiline=True)
    why = _text({"change_reason": reason}, "change_reason", multiline=True)
    if (speaker, body, question) == (found["speaker"], found["body"], found["question"]):
        raise ValidationError(FIELD_LABELS["body"], "与原内容相同,没有需要更正的内容", ARTICLE)
    transitions.record(
        con, INTERVIEW_MACHINE, item, actor, "correct", expected_version,
        comment=f"更正第 {found['position']} 条,理由:{why};原为 {_line(found)}",
        writes=lambda: con.execute("UPDATE interview_entries SET speaker = ?, body = ?, question = ? WHERE id = ?",
                                   [speaker, body, question, entry_id]))


def remove_entry(con: duckdb.DuckDBPyConnection, actor, interview_id: int, expected_version: int,
                 entry_id: int, reason: str) -> None:
    """Take a line out of the transcript, with the reason, before or after it is published (the published
    transcript is rebuilt); the audit keeps what it said. A published transcript keeps one answer at least."""
    item = get(con, interview_id)
    transitions.authorise(INTERVIEW_MACHINE, item, actor, "strike")
    found = entry(con, interview_id, entry_id)
    why = _text({"change_reason": reason}, "change_reason", multiline=True)
    if item["state"] == "published" and found["kind"] == "qa" and \
            sum(e["kind"] == "qa" for e in interview_public.entries(con, interview_id)) == 1:
        raise ValidationError("访谈实录", "已公布的实录至少保留一组问答,请更正这一条而不是删除", ARTICLE)
    transitions.record(
        con, INTERVIEW_MACHINE, item, actor, "strike", expected_version,
        comment=f"删除第 {found['position']} 条,理由:{why};原为 {_line(found)}",
        writes=lambda: con.execute("DELETE FROM interview_entries WHERE id = ? AND interview_id = ?",
                                   [entry_id, interview_id]))


def publish(con: duckdb.DuckDBPyConnection, actor, interview_id: int, expected_version: int) -> None:
    """Publish the transcript: every question reviewed first, and at least one answer in it."""
    item = get(con, interview_id)
    number = counts(con, interview_id)
    if item["state"] == "held" and number["pending"]:
        raise ValidationError("提问审核", f"还有 {number['pending']} 条网民提问待审核,审核完毕后才能公布实录",
                              MODERATION)
    if item["state"] == "held" and not any(e["kind"] == "qa" for e in interview_public.entries(con, interview_id)):
        raise ValidationError("访谈实录", "至少录入一组问答后才能公布", ARTICLE)
    transitions.record(con, INTERVIEW_MACHINE, item, actor, "publish", expected_version,
                       changes={"state": "published", "published_at": dt.datetime.now()},
                       comment=f"收到提问 {number['received']} 条")


def listing(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every interview, newest first, with its question counts (for the workbench)."""
    return contribution.listing(con, QUESTIONS, STATE_LABELS)


def questions(con: duckdb.DuckDBPyConnection, interview_id: int, state: str | None = None) -> list[dict]:
    return contribution.of(con, QUESTIONS, interview_id, state)


def pending_total(con: duckdb.DuckDBPyConnection) -> int:
    """Questions waiting for the webmaster's review (a to-do of the office, 第二十三条)."""
    return contribution.pending_total(con, QUESTIONS)


# ---------------------------------------------------------------- moderation

findings = contribution.findings  # a question's screening, shown beside it for the review


def question_item(con: duckdb.DuckDBPyConnection, question_id: int) -> dict:
    return contribution.item(con, QUESTIONS, question_id)


def approve(con: duckdb.DuckDBPyConnection, actor, question_id: int, expected_version: int) -> None:
    """Show a question: refused while the screening blocks it (as a consultation's comment)."""
    contribution.approve(con, QUESTIONS, actor, question_id, expected_version)


def reject(con: duckdb.DuckDBPyConnection, actor, question_id: int, expected_version: int, reason: str) -> None:
    """Refuse a question; the reason is required and kept (audited with it)."""
    contribution.reject(con, QUESTIONS, actor, question_id, expected_version, reason)


# ---------------------------------------------------------------- the public's side

def ask(con: duckdb.DuckDBPyConnection, interview_id: int, form: dict, client: str | None,
        captcha: tuple[str, str] | None, now: dt.datetime | None = None) -> int:
    """A citizen's question before the interview: checked, through the desk's gate, stored as 待审核."""
    now = now or dt.datetime.now()
    item = get(con, interview_id)
    refused = asking_refusal(item, now)
    if refused:
        raise ValidationError("提问时间", refused, ARTICLE)
    return contribution.submit(con, QUESTIONS, interview_id, form, client, captcha, now)


def year_figures(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """The annual report's 在线访谈 figures (政府网站工作年度报表 互动交流): interviews held in the year,
    questions the public sent in it, public questions answered in the transcripts published in it."""
    start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    between = "BETWEEN ? AND ? - INTERVAL 1 MICROSECOND"
    return {
        "interview_rounds": int(scalar(con, f"SELECT count(*) FROM interviews WHERE held_at {between}", [start, end])),
        "interview_questions": int(scalar(
            con, f"SELECT count(*) FROM interview_questions WHERE received_at {between}", [start, end])),
        "interview_answers": int(scalar(
            con, "SELECT count(DISTINCT e.question_id) FROM interview_entries e JOIN interviews i "
                 f"ON i.id = e.interview_id WHERE e.question_id IS NOT NULL AND i.published_at {between}",
            [start, end])),
    }
