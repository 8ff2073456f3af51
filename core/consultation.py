"""征集调查 (issue 17; 第二条 "政企互动的桥梁", 第十九、二十三条): a public consultation on a draft or a question.

draft ──open──▶ open ──close──▶ closed ──summarise──▶ summarised (反馈已公布)

The office or the owning division's head writes the consultation and its window (start and end
dates) and opens it; the public comments, within the window only, through the message desk's gate
(core.interaction.guard: CAPTCHA, rate limits); every comment waits for the webmaster's review before
anything is shown (第二十三条: "互动性栏目接收到的信息,须经管理员审核后方可上传"), a rejection with its
reason. After closing, the feedback summary (comments received and adopted, what was adopted and why,
what was not and why) is required before the consultation counts as 已反馈. Both machines move through
core.transitions, like messages and articles.

The office attaches the draft policy's files (checked like an article's attachments, 第二十条) while the
consultation is a draft; they are published with it and kept as the public read them.

The comments are core.contribution's moderated public contribution (the gate, the review, the counts), as an
interview's questions are; this module keeps the consultation's own machine, window, wording and figures.

The public's side that the portal reads (the calendar phase, the refusal of a comment out of its window, the
public page's data, the files, the consultations on the portal) is core.consultation_public's; callers read it
from there (this module uses its `get` and `window_refusal` itself and re-exports nothing).

Imports from: core.transitions (the seam), core.contribution (the comments), core.attachments (the upload checks),
core.consultation_public (the public's side) and the floor (db, errors).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import attachments, contribution, transitions
from core.consultation_public import COMMENT_TABLE, OWNER_KEY, get, window_refusal
from core.contribution import check_placement, checked_text
from core.db import row, scalar, transaction
from core.errors import NotFound, ValidationError
from core.transitions import move

ARTICLE = "第十九条"
MODERATION = "第二十三条"
STATE_LABELS = {"draft": "草稿", "open": "征集中", "closed": "已结束待反馈", "summarised": "已反馈"}
COMMENT_LABELS = contribution.STATE_LABELS
LIMITS = {"subject": 100, "body": 20000, "name": 50, "comment": 3000, "reason": 500, "summary": 5000}
FIELD_LABELS = {"subject": "标题", "body": "征集内容", "starts_on": "开始日期", "ends_on": "截止日期",
                "column_id": "所属栏目", "division_id": "承办处室", "name": "姓名", "comment": "意见内容",
                "consent": "隐私声明", "reason": "不予通过的理由", "adopted_count": "采纳意见数",
                "adopted_text": "采纳情况及理由", "rejected_text": "未采纳情况及理由"}
NAME = "该征集调查"
COMMENT_NAME = "该条意见"


CONSULTATION_MACHINE = transitions.Machine(
    name="consultation", table="consultations", noun=NAME, state_labels=STATE_LABELS,
    refusal="征集调查当前为「{state}」,不能{verb}(仅限:{allowed})", audit_prefix="consultation",
    audit_object="consultation", events="consultation_events", event_key="consultation_id",
    describe=contribution.describe, touch=True,
    transitions={
        "create": move({"draft"}, (), "创建", "consultations.manage", versioned=False, initial=True),
        "edit": move({"draft"}, (), "修改", "consultations.manage", event=False),
        "open": move({"draft"}, {"open"}, "发布征集", "consultations.manage"),
        "close": move({"open"}, {"closed"}, "结束征集", "consultations.manage"),
        "summarise": move({"closed"}, {"summarised"}, "公布反馈", "consultations.manage"),
        # the draft policy's files: attached and removed while a draft; published with it, then kept as read
        "attach": move({"draft"}, (), "添加附件", "consultations.manage", event=False),
        "detach": move({"draft"}, (), "删除附件", "consultations.manage", event=False),
    },
)

# a comment: received, then the webmaster shows it or refuses it with a reason (第二十三条)
COMMENT_MACHINE = contribution.machine("consultation_comment", COMMENT_TABLE, COMMENT_NAME, "意见")
COMMENTS = contribution.Kind(COMMENT_MACHINE, "consultations", OWNER_KEY, "comment", FIELD_LABELS, LIMITS,
                             ARTICLE, "意见", "意见")


# ---------------------------------------------------------------- checking the office's input

def _text(values: dict, field: str, *, multiline: bool = False, required: bool = True) -> str:
    return checked_text(values, field, FIELD_LABELS[field], LIMITS["summary" if field.endswith("_text") else field],
                        ARTICLE, multiline=multiline, required=required)


def _date(values: dict, field: str) -> dt.date:
    value = values.get(field)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str) and value.strip():
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        raise ValidationError(FIELD_LABELS[field], "请填写日期,例如 2026-12-31", ARTICLE)
    return value


def validate(con: duckdb.DuckDBPyConnection, values: dict) -> dict:
    """The consultation as the office wrote it, cleaned and checked; raises ValidationError naming the field."""
    column_id, division_id = check_placement(con, values, "征集调查")
    cleaned = {"column_id": column_id, "division_id": division_id,
               "subject": _text(values, "subject"), "body": _text(values, "body", multiline=True),
               "starts_on": _date(values, "starts_on"), "ends_on": _date(values, "ends_on")}
    if cleaned["ends_on"] < cleaned["starts_on"]:
        raise ValidationError(FIELD_LABELS["ends_on"], "不能早于开始日期", ARTICLE)
    return cleaned


# ---------------------------------------------------------------- the office's side

def create(con: duckdb.DuckDBPyConnection, actor, values: dict) -> int:
    """A new consultation, as a draft of the division that owns it."""
    cleaned = validate(con, values)
    transitions.authorise(CONSULTATION_MACHINE, cleaned, actor, "create")
    with transaction(con):
        new_id = con.execute(
            "INSERT INTO consultations (column_id, division_id, subject, body, starts_on, ends_on, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [cleaned["column_id"], cleaned["division_id"], cleaned["subject"], cleaned["body"],
             cleaned["starts_on"], cleaned["ends_on"], actor.id]).fetchone()[0]
        transitions.record(con, CONSULTATION_MACHINE, get(con, new_id), actor, "create")
    return new_id


def edit(con: duckdb.DuckDBPyConnection, actor, consultation_id: int, expected_version: int, values: dict) -> None:
    """A draft's text, window, column and division change; an opened one keeps what the public read."""
    item = get(con, consultation_id)
    cleaned = validate(con, values)
    transitions.authorise(CONSULTATION_MACHINE, cleaned, actor, "edit")  # and the new owner's, too
    transitions.record(con, CONSULTATION_MACHINE, item, actor, "edit", expected_version, changes=cleaned)


def open_(con: duckdb.DuckDBPyConnection, actor, consultation_id: int, expected_version: int,
          today: dt.date | None = None) -> None:
    """Publish the consultation: its page goes on the portal; comments are taken within its window."""
    item = get(con, consultation_id)
    today = today or dt.date.today()
    if item["state"] == "draft" and item["ends_on"] < today:
        raise ValidationError(FIELD_LABELS["ends_on"], f"已过({item['ends_on']:%Y年%m月%d日}),请先修改征集时间",
                              ARTICLE)
    transitions.record(con, CONSULTATION_MACHINE, item, actor, "open", expected_version,
                       changes={"state": "open", "opened_at": dt.datetime.now()})


def close(con: duckdb.DuckDBPyConnection, actor, consultation_id: int, expected_version: int) -> None:
    """End the consultation: no more comments; the feedback summary is due."""
    transitions.record(con, CONSULTATION_MACHINE, get(con, consultation_id), actor, "close", expected_version,
                       changes={"state": "closed", "closed_at": dt.datetime.now()})


def attach(con: duckdb.DuckDBPyConnection, actor, consultation_id: int, expected_version: int, filename: str,
           data: bytes) -> int:
    """Attach a file to a draft consultation (the draft policy being consulted on): checked for type and size as
    an article's attachment is (第二十条); published with the consultation. Audited."""
    item = get(con, consultation_id)
    transitions.authorise(CONSULTATION_MACHINE, item, actor, "attach")
    transitions.check(CONSULTATION_MACHINE, item, "attach", expected_version)
    checked = attachments.checked_file(con, filename, data)
    created: list[int] = []

    def write() -> None:
        created.append(con.execute(
            "INSERT INTO consultation_files (consultation_id, filename, mime, size, sha256, data, uploaded_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [consultation_id, checked["filename"], checked["mime"], checked["size"], checked["sha256"],
             checked["data"], actor.id]).fetchone()[0])

    transitions.record(con, CONSULTATION_MACHINE, item, actor, "attach", expected_version, writes=write,
                       comment=f"{checked['filename']}({checked['size']} 字节)")
    return created[0]


def detach(con: duckdb.DuckDBPyConnection, actor, consultation_id: int, expected_version: int,
           file_id: int) -> None:
    """Take a file off a draft consultation (once published, the files stay as the public read them). Audited."""
    item = get(con, consultation_id)
    found = row(con, "SELECT filename FROM consultation_files WHERE id = ? AND consultation_id = ? AND NOT removed",
                [file_id, consultation_id])
    if found is None:
        raise NotFound(f"附件 {file_id} 不存在")
    transitions.record(con, CONSULTATION_MACHINE, item, actor, "detach", expected_version, comment=found["filename"],
                       writes=lambda: con.execute("UPDATE consultation_files SET removed = TRUE WHERE id = ?",
                                                  [file_id]))


def counts(con: duckdb.DuckDBPyConnection, consultation_id: int) -> dict[str, int]:
    """Comments by state, and all received."""
    return contribution.counts(con, COMMENTS, consultation_id)


def summarise(con: duckdb.DuckDBPyConnection, actor, consultation_id: int, expected_version: int,
              values: dict) -> None:
    """Publish the feedback (已反馈): how many comments were adopted, what and why, what not and why.

    Every comment must be reviewed first: the numbers published must be the final ones."""
    item = get(con, consultation_id)
    number = counts(con, consultation_id)
    if item["state"] == "closed" and number["pending"]:
        raise ValidationError("意见审核", f"还有 {number['pending']} 条意见待审核,审核完毕后才能公布反馈", MODERATION)
    try:
        adopted = int(str(values.get("adopted_count", "")).strip())
    except ValueError:
        raise ValidationError(FIELD_LABELS["adopted_count"], "必须是整数", ARTICLE) from None
    if not 0 <= adopted <= number["received"]:
        raise ValidationError(FIELD_LABELS["adopted_count"],
                              f"须在 0 至 {number['received']}(收到的意见数)之间", ARTICLE)
    changes = {"state": "summarised", "summarised_at": dt.datetime.now(), "adopted_count": adopted,
               "adopted_text": _text(values, "adopted_text", multiline=True),
               "rejected_text": _text(values, "rejected_text", multiline=True),
               "show_comments": bool(values.get("show_comments"))}
    transitions.record(con, CONSULTATION_MACHINE, item, actor, "summarise", expected_version, changes=changes,
                       comment=f"收到 {number['received']} 条,采纳 {adopted} 条")


def listing(con: duckdb.DuckDBPyConnection, actor=None) -> list[dict]:
    """Every consultation, newest first, with its comment counts (for the workbench)."""
    return contribution.listing(con, COMMENTS, STATE_LABELS)


def comments(con: duckdb.DuckDBPyConnection, consultation_id: int, state: str | None = None) -> list[dict]:
    return contribution.of(con, COMMENTS, consultation_id, state)


def pending_total(con: duckdb.DuckDBPyConnection) -> int:
    """Comments waiting for the webmaster's review (a to-do of the office, 第二十三条)."""
    return contribution.pending_total(con, COMMENTS)


# ---------------------------------------------------------------- moderation

findings = contribution.findings  # a comment's screening, shown beside it for the review


def comment_item(con: duckdb.DuckDBPyConnection, comment_id: int) -> dict:
    return contribution.item(con, COMMENTS, comment_id)


def approve(con: duckdb.DuckDBPyConnection, actor, comment_id: int, expected_version: int) -> None:
    """Show a comment: refused while the screening blocks it (reject it, with the reason, instead)."""
    contribution.approve(con, COMMENTS, actor, comment_id, expected_version)


def reject(con: duckdb.DuckDBPyConnection, actor, comment_id: int, expected_version: int, reason: str) -> None:
    """Refuse a comment; the reason is required and kept (audited with it)."""
    contribution.reject(con, COMMENTS, actor, comment_id, expected_version, reason)


# ---------------------------------------------------------------- the public's side

def comment(con: duckdb.DuckDBPyConnection, consultation_id: int, form: dict, client: str | None,
            captcha: tuple[str, str] | None, now: dt.datetime | None = None) -> int:
    """A citizen's comment: within the window, checked, through the desk's gate, stored as 待审核."""
    now = now or dt.datetime.now()
    item = get(con, consultation_id)
    refused = window_refusal(item, now)
    if refused:
        raise ValidationError("征集时间", refused, ARTICLE)
    return contribution.submit(con, COMMENTS, consultation_id, form, client, captcha, now)


def year_figures(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """The annual report's 征集调查 figures (政府网站工作年度报表 互动交流): rounds opened in the year,
    comments received in it, results (feedback) published in it."""
    start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    between = "BETWEEN ? AND ? - INTERVAL 1 MICROSECOND"
    return {
        "survey_rounds": int(scalar(con, f"SELECT count(*) FROM consultations WHERE opened_at {between}",
                                    [start, end])),
        "survey_opinions": int(scalar(con, f"SELECT count(*) FROM consultation_comments WHERE received_at {between}",
                                      [start, end])),
        "survey_results": int(scalar(con, f"SELECT count(*) FROM consultations WHERE summarised_at {between}",
                                     [start, end])),
    }
