"""应发布信息 (第十七条、第二十七条(四)): what a division is expected to publish, and whether it did.

The office records an expected publication against a division — an important meeting, a document
issued, a leader's activity, or something else — with the day the work ended. The division's officer
or head (or the office) links one of the division's published articles to it. Decisions, documented
here once:

* The window is 第十七条's, as the office set it (core.timeliness: `publish_lag_days` in calendar or
  working days, the holidays of core.workdays). A record is due on `timeliness`'s last on-time day;
  it is overdue when, published today, the item would be late (`timeliness.is_on_time`), and its days
  overdue are `timeliness.lag_days` beyond the limit, in the office's unit.
* States are stored (expected → fulfilled by a link, or cancelled by the office, with a reason);
  "overdue" is computed from the day, not stored: the dates pass without any write. A fulfilled
  record keeps whether its article was on time.
* An overdue record is flagged in 栏目更新监测 (「应发布未发布」); the office can make it a criticism
  of the division, ground (四) "应当发布而未发布或较长时间未发布本部门的重要信息", through
  core.evaluation.record_criticism with the record as evidence. Once criticised it is no longer a
  candidate (revoking the criticism makes it one again).
* The division is told when a record is made and, once, when it becomes overdue (the scheduler's
  daily sweep), by e-mail; its expected records are in its to-do (core.todo).

Imports from: core.evaluation (the criticism path), core.timeliness, core.workdays, core.transitions
and the floor.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import audit, evaluation, notify, settings, timeliness, transitions, workdays
from core.db import row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.permissions import require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)
from core.transitions import move

ARTICLE = "第十七条、第二十七条(四)"
KINDS = {"meeting": "重要会议", "document": "文件印发", "leader": "领导活动", "other": "其他"}
STATE_LABELS = {"expected": "待发布", "fulfilled": "已发布", "cancelled": "已取消"}
STATUS_LABELS = {"pending": "待发布", "overdue": "逾期未发布", "on_time": "按时发布", "late": "逾期发布",
                 "cancelled": "已取消"}
DAILY_KEY = "duties_overdue_checked"

MACHINE = transitions.Machine(
    name="duty", table="duty_records", noun="该应发布信息记录", state_labels=STATE_LABELS,
    refusal="应发布信息记录当前为「{state}」,不能{verb}(仅限:{allowed})(第二十七条(四))",
    audit_prefix="duties", audit_object="duty", touch=True,
    transitions={
        "edit": move({"expected"}, (), "修改", "duties.manage"),
        "link": move({"expected"}, {"fulfilled"}, "关联已发布信息", "duties.link"),
        "cancel": move({"expected"}, {"cancelled"}, "取消", "duties.manage"),
        # the criticism is the evaluation's record; the duty row keeps which one (第二十七条(四))
        "criticise": move({"expected", "fulfilled"}, (), "列为通报批评", "evaluation.manage"),
    },
)


# ---------------------------------------------------------------- the window (第十七条, core.timeliness)

def due_on(con: duckdb.DuckDBPyConnection, happened_on: dt.date) -> dt.date:
    """The last day on which publishing is still on time by core.timeliness (第十七条)."""
    limit = timeliness.limit_days(con)
    if timeliness.mode(con) != "working":
        return happened_on + dt.timedelta(days=limit)
    # the day before the (limit + 1)th working day: a weekend after the last working day is still on time,
    # as timeliness.lag_days counts working days up to the publication day
    return workdays.load(con).add_workdays(happened_on, limit + 1) - dt.timedelta(days=1)


def _status(con, record: dict, today: dt.date) -> dict:
    if record["state"] == "cancelled":
        return {"status": "cancelled", "days_overdue": None}
    limit = timeliness.limit_days(con)
    if record["state"] == "fulfilled":
        on_time = timeliness.is_on_time(con, record["happened_on"], record["published_on"])
        late = timeliness.lag_days(con, record["happened_on"], record["published_on"]) - limit
        return {"status": "on_time" if on_time else "late", "days_overdue": None if on_time else late}
    if timeliness.is_on_time(con, record["happened_on"], today) is False:
        return {"status": "overdue", "days_overdue": timeliness.lag_days(con, record["happened_on"], today) - limit}
    return {"status": "pending", "days_overdue": None}


# ---------------------------------------------------------------- reading

_SELECT = """
    SELECT r.*, d.name AS division, a.title AS article_title, a.published_at::DATE AS published_on,
           cb.display_name AS created_by_name, lb.display_name AS linked_by_name,
           (c.id IS NOT NULL) AS criticised
    FROM duty_records r JOIN divisions d ON d.id = r.division_id
    LEFT JOIN articles a ON a.id = r.article_id
    LEFT JOIN users cb ON cb.id = r.created_by LEFT JOIN users lb ON lb.id = r.linked_by
    LEFT JOIN criticisms c ON c.id = r.criticism_id"""


def _dress(con, record: dict, today: dt.date) -> dict:
    record.update(_status(con, record, today))
    record["kind_label"] = KINDS[record["kind"]]
    record["state_label"] = STATE_LABELS[record["state"]]
    record["status_label"] = STATUS_LABELS[record["status"]]
    record["due_on"] = due_on(con, record["happened_on"])
    record["candidate"] = record["status"] in ("overdue", "late") and not record["criticised"]
    return record


def get(con: duckdb.DuckDBPyConnection, record_id: int, today: dt.date | None = None) -> dict:
    found = row(con, _SELECT + " WHERE r.id = ?", [record_id])
    if found is None:
        raise NotFound(f"应发布信息记录 {record_id} 不存在")
    return _dress(con, found, today or dt.date.today())


def records(con: duckdb.DuckDBPyConnection, division_id: int | None = None, today: dt.date | None = None,
            states: tuple[str, ...] = ("expected", "fulfilled", "cancelled")) -> list[dict]:
    """Records (of one division, or all), latest event first, each with its status as of `today`."""
    sql, params = _SELECT + " WHERE r.state IN (SELECT unnest(?))", [list(states)]
    if division_id is not None:
        sql, params = sql + " AND r.division_id = ?", [*params, division_id]
    today = today or dt.date.today()
    return [_dress(con, r, today) for r in rows(con, sql + " ORDER BY r.happened_on DESC, r.id DESC", params)]


def view(con: duckdb.DuckDBPyConnection, user, division_id: int | None = None,
         today: dt.date | None = None) -> list[dict]:
    """The records this user may see: every division's for the office, their own for a division."""
    require(user, "duties.view", division_id)
    return records(con, division_id, today)


def overdue(con: duckdb.DuckDBPyConnection, today: dt.date | None = None,
            division_id: int | None = None) -> list[dict]:
    """Expected records past the 第十七条 window (「应发布未发布」), most overdue first."""
    found = [r for r in records(con, division_id, today, ("expected",)) if r["status"] == "overdue"]
    return sorted(found, key=lambda r: (-r["days_overdue"], r["id"]))


def open_count(con: duckdb.DuckDBPyConnection, division_id: int | None) -> int:
    """Expected records of a division, pending or overdue (its to-do)."""
    if division_id is None:
        return 0
    return int(scalar(con, "SELECT count(*) FROM duty_records WHERE division_id = ? AND state = 'expected'",
                      [division_id]))


def linkable_articles(con: duckdb.DuckDBPyConnection, record: dict, limit: int = 200) -> list[dict]:
    """The division's items online, published since the day before the work ended, latest first."""
    return rows(con, """
        SELECT a.id, a.title, a.published_at::DATE AS published_on FROM articles a
        WHERE a.lead_division_id = ? AND a.public AND a.published_at IS NOT NULL AND a.published_at >= ?
        ORDER BY a.published_at DESC, a.id DESC LIMIT ?""",
                [record["division_id"], dt.datetime.combine(record["happened_on"] - dt.timedelta(days=1), dt.time()),
                 limit])


# ---------------------------------------------------------------- recording (the office)

def _fields(con, division_id, kind, subject, happened_on, note) -> dict:
    if division_id is None or not scalar(
            con, "SELECT count(*) FROM divisions WHERE id = ? AND kind IN ('division', 'office')", [division_id]):
        raise ValidationError("处室", "请选择应发布信息的处室", ARTICLE)
    if kind not in KINDS:
        raise ValidationError("类别", f"须为 {' / '.join(KINDS.values())} 之一", ARTICLE)
    subject = clean_text(subject)
    if not subject:
        raise ValidationError("事项", "请写明应发布的事项,例如会议名称、文件标题或领导活动", ARTICLE)
    if len(subject) > 200:
        raise ValidationError("事项", "不超过 200 字", ARTICLE)
    if not isinstance(happened_on, dt.date):
        raise ValidationError("发生日期", "请选择会议召开、文件印发或活动的日期(工作结束之日,第十七条)", ARTICLE)
    if happened_on > dt.date.today():
        raise ValidationError("发生日期", "不能晚于今天:登记已经发生的事项(第十七条按工作结束之日计算)", ARTICLE)
    note = clean_text(note, multiline=True)
    if len(note) > 1000:
        raise ValidationError("备注", "不超过 1000 字", ARTICLE)
    return {"division_id": int(division_id), "kind": kind, "subject": subject, "happened_on": happened_on,
            "note": note}


def _summary(fields: dict) -> str:
    return f"{KINDS[fields['kind']]}「{fields['subject']}」{fields['happened_on']} 处室={fields['division_id']}"


def _tell_division(con, record_id: int, division_id: int, subject: str, body: str, key: str) -> int:
    sent = 0
    for role in ("officer", "head"):
        for user_id in notify.role_holders(con, role, division_id):
            if notify.enqueue(con, user_id, f"duties.{key}", subject, body, dedup_key=f"duty:{record_id}:{key}:u{user_id}"):
                sent += 1
    return sent


def record(con: duckdb.DuckDBPyConnection, user, division_id: int, kind: str, subject: str,
           happened_on: dt.date, note: str = "") -> int:
    """The office records an expected publication; the division's officers and head are told."""
    require(user, "duties.manage")
    fields = _fields(con, division_id, kind, subject, happened_on, note)
    due = due_on(con, fields["happened_on"])
    with transaction(con):
        record_id = con.execute(
            "INSERT INTO duty_records (division_id, kind, subject, happened_on, note, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [fields["division_id"], fields["kind"], fields["subject"], fields["happened_on"], fields["note"],
             user.id]).fetchone()[0]
        audit.record(con, user, "duties.create", f"duty:{record_id}", _summary(fields))
        body = (f"办公室登记了贵处室应发布的信息:{KINDS[kind]}「{fields['subject']}」({fields['happened_on']})。"
                f"按{timeliness.rule_text(con)},请于 {due} 前发布,并在「栏目更新监测」中关联已发布的信息;"
                f"逾期未发布的,可列为通报批评(第二十七条(四))。"
                + (f"\n备注:{fields['note']}" if fields["note"] else "") + f"\n{settings.get(con, 'workbench_url')}")
        _tell_division(con, record_id, fields["division_id"], f"【应发布信息】{fields['subject']}", body, "created")
    return record_id


def edit(con: duckdb.DuckDBPyConnection, user, record_id: int, expected_version: int, *, division_id: int,
         kind: str, subject: str, happened_on: dt.date, note: str = "") -> None:
    """The office corrects an expected record (while nothing is linked to it)."""
    found = get(con, record_id)
    require(user, "duties.manage")
    fields = _fields(con, division_id, kind, subject, happened_on, note)
    before = _summary(found)
    transitions.record(con, MACHINE, found, user, "edit", expected_version, changes=fields,
                       detail=f"{before} → {_summary(fields)}")


def cancel(con: duckdb.DuckDBPyConnection, user, record_id: int, expected_version: int, reason: str) -> None:
    """The office cancels a record (e.g. the meeting did not take place), with a reason."""
    found = get(con, record_id)
    require(user, "duties.manage")
    reason = clean_text(reason, multiline=True)
    if not reason:
        raise ValidationError("取消理由", "请写明取消理由,例如“会议延期举行”", ARTICLE)
    transitions.record(con, MACHINE, found, user, "cancel", expected_version,
                       changes={"state": "cancelled", "cancel_reason": reason[:500]},
                       detail=f"{_summary(found)} 取消理由:{reason[:200]}")


def link(con: duckdb.DuckDBPyConnection, user, record_id: int, expected_version: int,
         article_id: int | None) -> str:
    """Link a published article of the record's division; returns the status (按时发布 / 逾期发布)."""
    found = get(con, record_id)
    if article_id is None:
        raise ValidationError("关联信息", "请选择本处室已发布的信息", ARTICLE)
    article = row(con, "SELECT id, title, lead_division_id, public, published_at FROM articles WHERE id = ?",
                  [article_id])
    if article is None:
        raise ValidationError("关联信息", f"信息 #{article_id} 不存在", ARTICLE)
    transitions.authorise(MACHINE, found, user, "link")
    if article["lead_division_id"] != found["division_id"]:
        raise ValidationError("关联信息", f"只能关联{found['division']}牵头发布的信息(第二十七条(四):本部门的重要信息)",
                              ARTICLE)
    if article["published_at"] is None or not article["public"]:
        raise ValidationError("关联信息", f"「{article['title']}」尚未发布或已撤下:只能关联已在门户网站发布的信息",
                              ARTICLE)
    transitions.record(con, MACHINE, found, user, "link", expected_version,
                       changes={"state": "fulfilled", "article_id": article_id, "linked_by": user.id,
                                "linked_at": dt.datetime.now()},
                       detail=f"{_summary(found)} 关联信息 #{article_id}「{article['title']}」"
                              f"(发布于 {article['published_at']:%Y-%m-%d})")
    return get(con, record_id)["status_label"]


# ---------------------------------------------------------------- criticism (第二十七条(四))

def evidence(record: dict) -> str:
    """The record as the criticism's evidence, in the words the office and the division read."""
    if record["status"] == "late":
        outcome = (f"至 {record['published_on']} 才发布「{record['article_title']}」,"
                   f"超出期限 {record['days_overdue']} 天")
    else:
        outcome = f"截至目前仍未发布,已超出期限 {record['days_overdue']} 天"
    note = f"(备注:{record['note']})" if record["note"] else ""
    return (f"应发布信息:{record['kind_label']}「{record['subject']}」,{record['happened_on']} 工作结束,"
            f"应于 {record['due_on']} 前发布(第十七条);{outcome}{note}。办公室于 {record['created_at']:%Y-%m-%d} 登记"
            f"(应发布信息记录 #{record['id']})。")


def criticise(con: duckdb.DuckDBPyConnection, user, record_id: int, expected_version: int,
              today: dt.date | None = None, year: int | None = None) -> int:
    """Make an overdue record a criticism of its division, ground (四), with the record as evidence."""
    today = today or dt.date.today()
    found = get(con, record_id, today)
    require(user, "evaluation.manage")
    if found["criticised"]:
        raise ValidationError("应发布信息", f"「{found['subject']}」已列为通报批评", "第二十七条(四)")
    if found["status"] not in ("overdue", "late"):
        raise ValidationError("应发布信息", f"「{found['subject']}」{found['status_label']},"
                                         f"在第十七条期限({found['due_on']})内未逾期,不能列为通报批评", "第二十七条(四)")
    made: list[int] = []

    def write() -> dict:
        made.append(evaluation.record_criticism(con, user, year or today.year, 4, evidence(found),
                                                division_id=found["division_id"]))
        return {"criticism_id": made[0]}

    transitions.record(con, MACHINE, found, user, "criticise", expected_version, changes=write,
                       detail=lambda: f"{_summary(found)} 列为通报批评 #{made[0]}")
    return made[0]


# ---------------------------------------------------------------- the scheduler's daily sweep

def remind_overdue(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> int:
    """Tell each division, once per record, that an expected publication is overdue (第二十七条(四))."""
    today = today or dt.date.today()
    sent = 0
    url = settings.get(con, "workbench_url")
    with transaction(con):
        for item in overdue(con, today):
            body = (f"贵处室应发布的{item['kind_label']}「{item['subject']}」({item['happened_on']})已超过"
                    f"{timeliness.rule_text(con)}的期限 {item['days_overdue']} 天,仍未关联已发布的信息。"
                    f"应当发布而未发布本部门重要信息的,可列为通报批评(第二十七条(四)),请尽快发布并关联。\n{url}")
            sent += _tell_division(con, item["id"], item["division_id"], f"【应发布信息已逾期】{item['subject']}",
                                   body, "overdue")
    return sent
