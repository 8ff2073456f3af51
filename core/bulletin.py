"""Bulletins (通报, 第二十五、二十七条): the office's periodic report on each division's publishing.

`contents(con, period)` gathers the figures (core.stats, core.timeliness, core.freshness, the
`messages` table, core.evaluation's criticisms); `render(contents)` lays them out as a Word document;
`issue(con, actor, period)` stores what was issued (migration 0009) so a circulated bulletin never
changes afterwards. A bulletin covers a month ('2026-10') or a quarter ('2026Q3').

Decisions, written once:

* Ranking: divisions that published in the period, by on-time share (第十七条), then quantity,
  then the lower returned share; a division with nothing measured ranks after those measured.
  Divisions that published nothing are named separately (第二十七条(四) 应当发布而未发布).
* Stale columns are core.freshness's board as of the period's last day (or today, for a period not
  yet over): the columns `stale` or `blank`, with the reminders sent (第二十七条(五)).
* Overdue messages: due in the period and not answered by the due date (core.stats), counted per
  division; the document names the OVERDUE_LISTED longest overdue, the statistics page lists all.
* Named criticisms: the office's criticism records (第二十七条) entered during the period.
* Building a bulletin writes nothing; only `issue` does (the command line builds a file and records
  it only with --issue).
* The default period is the last month (or quarter) wholly past (`last_complete`): a bulletin of a
  period still running reports figures that will change.
* One bulletin per period: issuing a period already issued is refused unless it is a correction
  (更正) of that period's current issue, with a reason; the correction gets the next number, says at
  its top which issue it corrects and why, and records it (migration 0011). The check runs in the
  issuing transaction and the (year, number) key backs it, so a double click never makes two issues.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

import duckdb
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from core import audit, evaluation, freshness, stats, timeliness
from core.db import row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.permissions import require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)

TITLE = "陕西省工业和信息化厅门户网站信息发布情况通报"
ISSUER = "陕西省工业和信息化厅办公室"
GROUNDS = {  # 第二十七条
    1: "违反保密规定发布信息,出现失密、泄密",
    2: "违反规定和程序擅自在厅门户网站上对外发布信息",
    3: "上网内容出现虚假信息或有较多错误的信息",
    4: "应当发布而未发布或较长时间未发布本部门的重要信息",
    5: "责任栏目内容长期不更新,经多次提醒仍不及时改进",
}
GROUND_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}
MESSAGE_KINDS = {"consult": "咨询", "suggest": "建议", "complain": "投诉"}
OVERDUE_LISTED = 50  # the document names the longest-overdue messages; the page lists them all


def bulletin_period(text: str) -> stats.Period:
    """A month or a quarter: bulletins are periodic (第二十五条)."""
    period = stats.parse_period(text)
    if not re.fullmatch(r"\d{4}(-\d{2}|Q[1-4])", period.code):
        raise ValidationError("通报期间", "通报按月(如 2026-10)或按季度(如 2026Q3)印发", "第二十五条")
    return period


PERIOD_KINDS = {"month": "月", "quarter": "季度"}


def last_complete(kind: str = "month", today: dt.date | None = None) -> stats.Period:
    """The last month (kind 'month') or quarter ('quarter') wholly before `today`: the default
    period of a bulletin, which reports a finished period (第二十五条)."""
    today = today or dt.date.today()
    if kind == "month":
        back = today.year * 12 + today.month - 2  # months since year 0 of the previous month
        return stats.month_period(back // 12, back % 12 + 1)
    if kind == "quarter":
        back = today.year * 4 + (today.month - 1) // 3 - 1
        return stats.quarter_period(back // 4, back % 4 + 1)
    raise ValueError(f"unknown period kind {kind!r}")


def is_complete(period: stats.Period, today: dt.date | None = None) -> bool:
    return period.end < (today or dt.date.today())


@dataclass
class Correction:
    """What a correcting issue says at its top: the issue it replaces and why."""

    year: int
    number: int
    reason: str

    def sentence(self) -> str:
        return f"本期为{self.year}年第{self.number}期的更正。更正原因:{self.reason}。原第{self.number}期作废,以本期为准。"


@dataclass
class Contents:
    period: stats.Period
    as_of: dt.date
    rule: str
    totals: dict
    divisions: list[dict]
    ranking: list[dict]
    silent: list[str]  # divisions that published nothing
    stale_columns: list[dict]
    overdue: list[dict]
    criticisms: list[dict]
    warning: str | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        share = _percent(self.totals.get("on_time_share"))
        return (f"{self.period.label}:发布信息 {self.totals['published']} 条,按时发布率 {share},"
                f"退回 {self.totals['returned']} 条,撤下 {self.totals['taken_down']} 条;"
                f"超期未更新栏目 {len(self.stale_columns)} 个;逾期留言 {len(self.overdue)} 条;"
                f"通报批评 {len(self.criticisms)} 项")


def _percent(share) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _rank_key(r: dict):
    measured = r["on_time_share"] is not None
    return (not measured, -(r["on_time_share"] or 0), -r["published"], r["returned_share"] or 0, r["name"])


def ranking(divisions: list[dict]) -> list[dict]:
    """Divisions that published, best first; equal figures share a place."""
    ranked, place, previous = [], 0, None
    for index, r in enumerate(sorted((d for d in divisions if d["published"]), key=_rank_key), start=1):
        key = _rank_key(r)[:4]
        if key != previous:
            place, previous = index, key
        ranked.append({**r, "rank": place})
    return ranked


def _stale_columns(con, as_of: dt.date) -> list[dict]:
    board = freshness.board(con, as_of)
    found = [c for c in board if c["status"] in ("stale", "blank")]
    return sorted(found, key=lambda c: (c["status"] != "stale", -(c["days_since"] or 0), c["division"], c["name"]))


def _criticisms(con, period: stats.Period) -> list[dict]:
    """Criticisms (第二十七条) the office recorded during the period, as core.evaluation lists them
    (a revoked criticism is gone from its list, so it is gone from the bulletin too)."""
    found = [k for year in range(period.start.year, period.end.year + 1) for k in evaluation.criticisms(con, year)
             if period.start_at <= k["created_at"] < period.end_exclusive]
    for k in found:
        k["ground_label"] = f"第二十七条({GROUND_NUMERALS[k['ground']]}){GROUNDS[k['ground']]}"
        k["who"] = "、".join(x for x in (k["division"], k["person"]) if x)
    return found


def contents(con: duckdb.DuckDBPyConnection, period: stats.Period, today: dt.date | None = None) -> Contents:
    """Everything a bulletin says, as data (no user: it takes whole-department figures)."""
    today = today or dt.date.today()
    as_of = min(period.end, today)
    report = stats.department_report(con, period, by="division", today=today)
    divisions = list(report["rows"])
    return Contents(
        period=period, as_of=as_of, rule=timeliness.rule_text(con), totals=report["totals"], divisions=divisions,
        ranking=ranking(divisions), silent=[d["name"] for d in divisions if not d["published"]],
        stale_columns=_stale_columns(con, as_of), overdue=stats.overdue_messages(con, period, today=today),
        criticisms=_criticisms(con, period), warning=report["warning"])


# ---------------------------------------------------------------- the Word document

def _font(run, size: float, bold: bool = False, east_asia: str = "宋体") -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph(document, text: str, *, size: float = 10.5, bold: bool = False, center: bool = False,
               east_asia: str = "宋体", indent: bool = False):
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.line_spacing = Pt(18)  # 第十五条's line spacing, for the office's own papers too
    _font(paragraph.add_run(text), size, bold, east_asia)
    return paragraph


def _heading(document, text: str):
    return _paragraph(document, text, size=12, bold=True, east_asia="黑体")


def _table(document, header: list[str], body: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), 9, bold=True, east_asia="黑体")
    for values in body:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), 9)


def render(c: Contents, number: int | None = None, issued_on: dt.date | None = None,
           correction: Correction | None = None) -> bytes:
    """The bulletin as a .docx: title, period, (a correction's notice), overview, tables per division,
    ranking, stale columns, overdue messages, named criticisms."""
    document = Document()
    _paragraph(document, TITLE, size=22, bold=True, center=True, east_asia="方正小标宋简体")
    numbered = f"{c.period.start.year}年第{number}期" if number else "(未印发稿)"
    _paragraph(document, f"({c.period.label}) {numbered}", size=14, center=True, east_asia="楷体")
    if correction:
        _paragraph(document, correction.sentence(), size=12, bold=True, east_asia="黑体")
    _paragraph(document, f"各局处室:根据《陕西省工业和信息化厅门户网站管理办法》第二十五条,现将{c.period.label}"
                         f"({c.period.start:%Y年%m月%d日}至{c.period.end:%Y年%m月%d日})厅门户网站信息发布情况通报如下。",
               indent=True)
    if c.warning:
        _paragraph(document, f"说明:{c.warning}", size=9, east_asia="楷体")

    t = c.totals
    _heading(document, "一、总体情况")
    _paragraph(document, (
        f"本期各局处室共发布信息 {t['published']} 条,其中可核算时效的 {t['measured']} 条,按时发布 {t['on_time']} 条,"
        f"按时发布率 {_percent(t['on_time_share'])}(标准:{c.rule})。审批中退回 {t['returned']} 条,"
        f"退回率 {_percent(t['returned_share'])};发布后更正 {t['corrections']} 条,被撤下 {t['taken_down']} 条;"
        f"审批时处理筛查提示 {t['findings']} 处,其中格式问题 {t['format_findings']} 处。"
        f"收到网民留言 {t['messages']} 条,答复 {t['answered']} 条,其中按期答复 {t['answered_on_time']} 条,"
        f"逾期 {t['overdue']} 条(第十九条)。"), indent=True)

    _heading(document, "二、各局处室信息发布情况")
    _table(document, ["序号", "处室", "发布数量", "按时发布率", "退回", "更正", "撤下", "格式问题", "逾期留言"],
           [[i, d["name"], d["published"], _percent(d["on_time_share"]), d["returned"], d["corrections"],
             d["taken_down"], d["format_findings"], d["overdue"]] for i, d in enumerate(c.divisions, start=1)])

    _heading(document, "三、排名")
    _paragraph(document, "按按时发布率排序,按时发布率相同的按发布数量排序,再按退回率由低到高排序(第十七、二十五条)。",
               size=9, east_asia="楷体")
    if c.ranking:
        _table(document, ["名次", "处室", "按时发布率", "发布数量", "退回率"],
               [[r["rank"], r["name"], _percent(r["on_time_share"]), r["published"], _percent(r["returned_share"])]
                for r in c.ranking])
    else:
        _paragraph(document, "本期各局处室均未发布信息。", indent=True)
    if c.silent:
        _paragraph(document, f"本期未发布信息的处室:{'、'.join(c.silent)}。请对照第二十七条(四)检查应当发布的信息。",
                   indent=True)

    _heading(document, "四、栏目更新情况")
    if c.stale_columns:
        _paragraph(document, f"截至{c.as_of:%Y年%m月%d日},以下 {len(c.stale_columns)} 个责任栏目超过更新期限或仍为空白"
                             "(第二十七条(五)):", indent=True)
        _table(document, ["栏目", "责任处室", "状态", "最近更新", "未更新天数", "更新期限(天)", "已提醒次数"],
               [[s["name"], s["division"], s["status_label"],
                 "从未发布" if s["last_published_on"] is None else f"{s['last_published_on']:%Y-%m-%d}",
                 "—" if s["days_since"] is None else s["days_since"], s["interval_days"], s["reminders"]]
                for s in c.stale_columns])
    else:
        _paragraph(document, f"截至{c.as_of:%Y年%m月%d日},各责任栏目均在更新期限内。", indent=True)

    _heading(document, "五、网民留言办理情况")
    if c.overdue:
        _paragraph(document, f"答复期限在本期内、未按期答复的留言 {len(c.overdue)} 条(第十九条),按承办处室:", indent=True)
        per_division: dict[str, list[dict]] = {}
        for m in c.overdue:
            per_division.setdefault(m["division"] or "未转办", []).append(m)
        _table(document, ["承办处室", "逾期留言", "其中仍未答复", "最长逾期(工作日)"],
               [[name, len(found), sum(1 for m in found if m["still_open"]), max(m["days_late"] for m in found)]
                for name, found in per_division.items()])
        listed = sorted(c.overdue, key=lambda m: (-m["days_late"], m["message_id"]))[:OVERDUE_LISTED]
        more = f"(逾期最久的 {len(listed)} 条,其余见统计分析页面明细)" if len(c.overdue) > len(listed) else ""
        _paragraph(document, f"逾期留言明细{more}:", indent=True)
        _table(document, ["留言", "类型", "主题", "承办处室", "答复期限", "办理情况", "逾期(工作日)"],
               [[f"#{m['message_id']}", MESSAGE_KINDS.get(m["kind"], m["kind"]), _short(m["subject"]),
                 m["division"] or "", f"{m['due_on']:%Y-%m-%d}",
                 "仍未答复" if m["still_open"] else f"{m['answered_at']:%Y-%m-%d} 逾期答复", m["days_late"]]
                for m in listed])
    else:
        _paragraph(document, "本期留言均按期答复,无逾期。", indent=True)

    _heading(document, "六、通报批评")
    if c.criticisms:
        for i, k in enumerate(c.criticisms, start=1):
            where = f"({k['column_name']}栏目)" if k["column_name"] else ""
            _paragraph(document, f"{i}. {k['who']}{where}:{k['ground_label']}。{k['evidence']}", indent=True)
        _paragraph(document, "根据第二十七条,被通报批评的部门和个人本年度内不得给予表彰和奖励。", indent=True)
    else:
        _paragraph(document, "本期无通报批评事项。", indent=True)


    _paragraph(document, "")
    _paragraph(document, ISSUER).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    when = issued_on or dt.date.today()
    _paragraph(document, f"{when:%Y年%m月%d日}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.core_properties.title = f"{TITLE}({c.period.label})"
    document.core_properties.author = ISSUER
    document.save(buffer)
    return buffer.getvalue()


def _short(text: str, limit: int = 30) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def build(con: duckdb.DuckDBPyConnection, period: str | stats.Period, today: dt.date | None = None,
          number: int | None = None, correction: Correction | None = None) -> tuple[bytes, Contents]:
    """A bulletin's document and its contents, without recording anything."""
    period = bulletin_period(period) if isinstance(period, str) else period
    gathered = contents(con, period, today)
    return render(gathered, number, today, correction), gathered


def filename(period: stats.Period, number: int | None = None) -> str:
    suffix = f"-第{number}期" if number else ""
    return f"门户网站信息发布情况通报-{period.code}{suffix}.docx"


# ---------------------------------------------------------------- issued bulletins

REASON_MAX = 500


def issue(con: duckdb.DuckDBPyConnection, actor, period: str | stats.Period, today: dt.date | None = None, *,
          correction_of: int | None = None, reason: str | None = None) -> dict:
    """The office issues the bulletin: it is numbered (第 N 期 of the year) and kept as issued.

    A period already issued is issued again only as a correction (更正) of its current issue, named
    by its number (`correction_of`), with a `reason`; otherwise it is refused (第二十五条)."""
    require(actor, "bulletin.issue")
    period = bulletin_period(period) if isinstance(period, str) else period
    today = today or dt.date.today()
    if period.start > today:
        raise ValidationError("通报期间", "不能为尚未开始的期间印发通报", "第二十五条")
    reason = " ".join(clean_text(reason).split())
    try:
        with transaction(con):
            corrected = _corrected(issues_of(con, period), period, correction_of, reason)
            correction = corrected and Correction(corrected["year"], corrected["number"], reason)
            bulletin_id = _store(con, actor, period, today, corrected, correction)
    except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
        # another issue of the same number committed first (two clicks, two sessions): nothing was issued
        raise ValidationError("通报期间", f"{period.label}的通报刚刚已被印发,本次未重复印发,请刷新页面查看",
                              "第二十五条") from exc
    return get(con, actor, bulletin_id)


def next_number(con: duckdb.DuckDBPyConnection, period: str | stats.Period) -> int:
    """The number (第 N 期 of the period's year) the next issue would get."""
    period = bulletin_period(period) if isinstance(period, str) else period
    return scalar(con, "SELECT coalesce(max(number), 0) + 1 FROM bulletins WHERE year = ?", [period.start.year])


def _store(con, actor, period: stats.Period, today: dt.date, corrected: dict | None,
           correction: Correction | None) -> int:
    number = next_number(con, period)
    data, gathered = build(con, period, today, number, correction)
    name = filename(period, number)
    digest = hashlib.sha256(data).hexdigest()
    bulletin_id = con.execute(
        "INSERT INTO bulletins (period, period_start, period_end, year, number, title, summary, issued_by, "
        "filename, sha256, docx, corrects, correction_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        [period.code, period.start, period.end, period.start.year, number, f"{TITLE}({period.label})",
         gathered.summary(), actor.id, name, digest, data, corrected and corrected["id"],
         correction and correction.reason]).fetchone()[0]
    corrects = f"更正第{correction.number}期({correction.reason}) " if correction else ""
    audit.record(con, actor, "bulletin.issue", f"bulletin:{bulletin_id}",
                 f"{period.start.year}年第{number}期 {corrects}{gathered.summary()} sha256={digest[:16]}")
    return bulletin_id


def issues_of(con: duckdb.DuckDBPyConnection, period: str | stats.Period) -> list[dict]:
    """The bulletins issued for a period, oldest first (the last is the current one), with who issued
    them: what the confirmation before issuing shows."""
    period = bulletin_period(period) if isinstance(period, str) else period
    return rows(con, """
        SELECT b.id, b.year, b.number, b.issued_at, coalesce(u.display_name, u.username) AS issued_by,
               b.corrects, b.correction_reason
        FROM bulletins b LEFT JOIN users u ON u.id = b.issued_by
        WHERE b.period = ? ORDER BY b.issued_at, b.id""", [period.code])


def issued_line(item: dict) -> str:
    """第M期, when and by whom: how a confirmation and a refusal name an earlier issue."""
    return f"{item['year']}年第{item['number']}期(已于{item['issued_at']:%Y年%m月%d日 %H:%M}由{item['issued_by']}印发)"


def _corrected(earlier: list[dict], period: stats.Period, correction_of: int | None, reason: str) -> dict | None:
    """The issue a new one corrects (None for a first issue), or why issuing is refused."""
    if not earlier:
        if correction_of is not None:
            raise ValidationError("更正", f"{period.label}尚未印发通报,没有可更正的一期", "第二十五条")
        return None
    current = earlier[-1]
    if correction_of is None:
        raise ValidationError("通报期间", f"{period.label}的通报已印发为{issued_line(current)},不能重复印发;"
                              "如需更正,请选择“更正”并写明原因", "第二十五条")
    if int(correction_of) != current["number"]:
        raise ValidationError("更正", f"{period.label}现行的通报是{issued_line(current)},"
                              f"只能更正这一期,不能更正第{correction_of}期", "第二十五条")
    if not reason:
        raise ValidationError("更正原因", "更正通报须写明原因,原因将写在通报开头", "第二十五条")
    if len(reason) > REASON_MAX:
        raise ValidationError("更正原因", f"不超过 {REASON_MAX} 字", "第二十五条")
    return current


def issued(con: duckdb.DuckDBPyConnection, actor) -> list[dict]:
    """Issued bulletins, newest first (without the document bytes)."""
    require(actor, "stats.view")
    return rows(con, """
        SELECT b.id, b.period, b.period_start, b.period_end, b.year, b.number, b.title, b.summary, b.issued_at,
               u.display_name AS issued_by, b.filename, b.sha256, octet_length(b.docx) AS size,
               c.number AS corrects_number, b.correction_reason
        FROM bulletins b LEFT JOIN users u ON u.id = b.issued_by LEFT JOIN bulletins c ON c.id = b.corrects
        ORDER BY b.issued_at DESC, b.id DESC""")


def get(con: duckdb.DuckDBPyConnection, actor, bulletin_id: int) -> dict:
    require(actor, "stats.view")
    found = row(con, """
        SELECT b.*, u.display_name AS issued_by_name FROM bulletins b LEFT JOIN users u ON u.id = b.issued_by
        WHERE b.id = ?""", [int(bulletin_id)])
    if found is None:
        raise NotFound(f"通报 {bulletin_id} 不存在")
    found["docx"] = bytes(found["docx"])
    return found
