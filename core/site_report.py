"""政府网站工作年度报表 (第二十五条; 国办函〔2018〕12号): the national form for a year, published on the portal's
home page by 31 January of the next year.

The form's rows are data (`ROWS`): each is computed from what the workbench holds (site identity settings,
visits from the access logs, items published, 专栏专题 columns, 解读, messages, security incidents, availability
probes) or entered by the office once a year (`ENTERED`, kept in site_report_entries, each value checked by its
kind with a message naming the field). `render` lays the form out as a Word document with the same helpers as
the 政府信息公开年报 (core/disclosure_report.py), `article_html` as the portal page the office submits (`submit`)
through the normal approval chain into the column the setting site_report_column names.

Decisions, written once:

* 信息发布: items first published in the year (a correction keeps the first date, as in core/stats.py); by kind,
  概况类 and 政务动态 are the column kinds the office assigns (site_report_kinds), 信息公开目录 every item with a
  catalogue entry (core/catalogue.py).
* 专栏专题: top-level columns of kind 专题专栏 (a sub-column is part of its 专题): 维护数量 those that exist at the
  year's end and are not retired, 新开设数量 those created in the year.
* 政策解读 总数: items published in the year in a 政策解读 column or linked to the policy they explain
  (catalogue_entries.interprets); the split by form (材料、产品、媒体评论) is the office's.
* 留言办理: received and answered as core/stats.py counts them (第十九条); the average working days to the
  head's approval is the mean over the answered messages; 公开答复 the answers published in the year.
* 安全防护: problems found are the confirmed 安全事件 discovered in the year (register an assessment's findings
  there), fixed those of them closed; monitoring is in place when the availability probes ran in the year.

Imports from core.access (visits), catalogue, disclosure_report (Word, table and year helpers), settings, stats, workflow, audit,
contacts, db, errors, permissions, text.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
from docx import Document

from core import access, audit, catalogue, consultation, contacts, interview, settings, stats, workflow
from core.db import row, rows, scalar, transaction
from core.disclosure_report import Cell, Grid, existing_article, table_html, word_paragraph, word_table
from core.disclosure_report import valid_year as report_year
from core.errors import ValidationError
from core.permissions import require
from core.text import clean_text

LAW = "第二十五条,国办函〔2018〕12号"
COLUMN_SETTING = "site_report_column"
FIRST_YEAR = 2018  # the national form was introduced for 2017's report, published in January 2018
TEXT_MAX = 200
SPECIAL_KIND = "special"
CATEGORIES = ("概况类", "政务动态")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ---------------------------------------------------------------- the office's entries

@dataclass(frozen=True)
class Field:
    """One field of the form the office enters: `kind` is count (whole number ≥ 0), days (a number ≥ 0),
    yesno (是/否), text, phone or date."""

    key: str
    label: str
    kind: str
    help: str = ""


ENTERED: tuple[Field, ...] = (
    Field("site_type", "网站类型", "text", "政府门户网站、部门网站或专项网站"),
    Field("reading_material", "解读材料数量", "count", "文字解读"),
    Field("reading_product", "解读产品数量", "count", "图解、音视频、动漫等"),
    Field("reading_media", "媒体评论文章数量", "count"),
    Field("responses", "回应公众关注热点或重大舆情数量", "count"),
    Field("service_catalogue", "是否发布服务事项目录", "yesno"),
    Field("service_users", "注册用户数", "count"),
    Field("service_items", "政务服务事项数量", "count"),
    Field("service_online", "可全程在线办理政务服务事项数量", "count"),
    Field("service_cases", "办件量总数", "count"),
    Field("service_cases_person", "自然人办件量", "count"),
    Field("service_cases_org", "法人办件量", "count"),
    Field("unified_platform", "是否使用统一平台", "yesno"),
    Field("survey_rounds", "征集调查期数", "count"),
    Field("survey_opinions", "收到意见数量", "count"),
    Field("survey_results", "公布调查结果期数", "count"),
    Field("interview_rounds", "在线访谈期数", "count"),
    Field("interview_questions", "网民留言数量", "count"),
    Field("interview_answers", "答复网民提问数量", "count"),
    Field("smart_qa", "是否提供智能问答", "yesno"),
    Field("assessments", "安全检测评估次数", "count"),
    Field("drills", "是否开展应急演练", "yesno"),
    Field("security_person", "网站安全责任人", "text", "姓名及职务"),
    Field("new_media", "是否有移动新媒体", "yesno"),
    Field("weibo_name", "微博名称", "text"),
    Field("weibo_posts", "微博信息发布量", "count"),
    Field("weibo_followers", "微博关注量", "count"),
    Field("wechat_name", "微信名称", "text"),
    Field("wechat_posts", "微信信息发布量", "count"),
    Field("wechat_subscribers", "微信订阅数", "count"),
    Field("new_media_other", "其他移动新媒体", "text", "名称及发布量"),
    Field("innovation", "创新发展", "text", "如:搜索即服务、多语言版本、无障碍浏览、千人千网"),
    Field("head_of_unit", "单位负责人", "text"),
    Field("reviewer", "审核人", "text"),
    Field("filler", "填报人", "text"),
    Field("filler_phone", "联系电话", "phone"),
    Field("filled_on", "填报日期", "date", "例如 2027-01-15"),
)
FIELDS = {f.key: f for f in ENTERED}
GROUPS = {  # how the workbench lays out the office's fields, in the form's order
    "基本信息": ("site_type",),
    "解读回应": ("reading_material", "reading_product", "reading_media", "responses"),
    "办事服务": ("service_catalogue", "service_users", "service_items", "service_online", "service_cases",
             "service_cases_person", "service_cases_org"),
    "互动交流": ("unified_platform", "survey_rounds", "survey_opinions", "survey_results", "interview_rounds",
             "interview_questions", "interview_answers", "smart_qa"),
    "安全防护": ("assessments", "drills", "security_person"),
    "移动新媒体": ("new_media", "weibo_name", "weibo_posts", "weibo_followers", "wechat_name", "wechat_posts",
              "wechat_subscribers", "new_media_other"),
    "创新发展": ("innovation",),
    "填报信息": ("head_of_unit", "reviewer", "filler", "filler_phone", "filled_on"),
}
REQUIRED_FOR_SUBMIT = ("filler", "filler_phone", "filled_on")
_COUNT = re.compile(r"\d{1,12}")
_DAYS = re.compile(r"\d{1,6}(\.\d{1,2})?")


def _clean_value(field: Field, raw) -> str | None:
    """The value as stored, or None for an empty field; a wrong one is refused naming the field."""
    text = clean_text(str(raw if raw is not None else "")).strip()
    if not text:
        return None
    if field.kind == "count":
        if not _COUNT.fullmatch(text):
            raise ValidationError(field.label, "须为不小于 0 的整数", LAW)
        return str(int(text))
    if field.kind == "yesno":
        if text not in ("是", "否"):
            raise ValidationError(field.label, "只能填“是”或“否”", LAW)
        return text
    if field.kind == "phone":
        if not contacts.valid_phone(text):
            raise ValidationError(field.label, "应为带区号的固定电话(如 029-87654321)或 11 位手机号码", LAW)
        return text
    if field.kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(field.label, "须为日期,例如 2027-01-15", LAW) from None
    if len(text) > TEXT_MAX:
        raise ValidationError(field.label, f"不超过 {TEXT_MAX} 字", LAW)
    return text


def valid_year(year) -> int:
    return report_year(year, FIRST_YEAR, LAW)


def entries(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, str | None]:
    """The office's values for a year: every field of ENTERED, None where not entered."""
    found = dict(con.execute("SELECT field, value FROM site_report_entries WHERE year = ?", [int(year)]).fetchall())
    return {f.key: found.get(f.key) for f in ENTERED}


def save_entries(con: duckdb.DuckDBPyConnection, actor, year, values: dict) -> dict[str, str | None]:
    """The office enters the form's fields for a year (fields left out of `values` keep what they hold; an
    emptied field is removed). Every value is checked before anything is written."""
    require(actor, "site_report.edit")
    year = valid_year(year)
    unknown = [k for k in values if k not in FIELDS]
    if unknown:
        raise ValidationError("填报项", f"没有这一项:{unknown[0]}", LAW)
    cleaned = {key: _clean_value(FIELDS[key], raw) for key, raw in values.items()}
    before = entries(con, year)
    changed = {k: v for k, v in cleaned.items() if before[k] != v}
    if not changed:
        return before
    with transaction(con):
        for key, value in changed.items():
            con.execute("DELETE FROM site_report_entries WHERE year = ? AND field = ?", [year, key])
            if value is not None:
                con.execute("INSERT INTO site_report_entries (year, field, value, updated_by) VALUES (?, ?, ?, ?)",
                            [year, key, value, actor.id])
        audit.record(con, actor, "site_report.save", f"year:{year}",
                     f"{year}年政府网站工作年度报表填报:" + "、".join(FIELDS[k].label for k in changed))
    return entries(con, year)


# ---------------------------------------------------------------- 信息发布 by kind (data the office edits)

def kind_categories(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """column kind → 概况类 / 政务动态 (kinds not listed count only in the total)."""
    return dict(con.execute("SELECT kind, category FROM site_report_kinds ORDER BY kind").fetchall())


def set_kind_category(con: duckdb.DuckDBPyConnection, actor, kind: str, category: str | None) -> None:
    """The office says which column kinds' items count as 概况类 or 政务动态 (None: neither)."""
    require(actor, "site_report.edit")
    if not scalar(con, "SELECT count(*) FROM column_kinds WHERE code = ?", [kind]):
        raise ValidationError("栏目类型", "只能从现有栏目类型中选择", LAW)
    if category is not None and category not in CATEGORIES:
        raise ValidationError("信息类别", "只能是“概况类”或“政务动态”,或不归类", LAW)
    with transaction(con):
        con.execute("DELETE FROM site_report_kinds WHERE kind = ?", [kind])
        if category is not None:
            con.execute("INSERT INTO site_report_kinds VALUES (?, ?)", [kind, category])
        audit.record(con, actor, "site_report.kind", f"kind:{kind}", category or "不归类")


def set_kind_categories(con: duckdb.DuckDBPyConnection, actor, chosen: dict[str, str | None]) -> int:
    """The workbench's editor: every kind's category at once, in one transaction; returns how many changed."""
    require(actor, "site_report.edit")
    before = kind_categories(con)
    changed = {kind: category for kind, category in chosen.items() if before.get(kind) != category}
    with transaction(con):
        for kind, category in changed.items():
            set_kind_category(con, actor, kind, category)
    return len(changed)


# ---------------------------------------------------------------- what the data hold

def _bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)


def _publishing(con, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    found = row(con, """
        SELECT count(*) AS total,
               count(*) FILTER (WHERE k.category = '概况类') AS overview,
               count(*) FILTER (WHERE k.category = '政务动态') AS news,
               count(*) FILTER (WHERE ce.article_id IS NOT NULL) AS catalogue
        FROM articles a JOIN columns c ON c.id = a.column_id
        LEFT JOIN site_report_kinds k ON k.kind = c.kind
        LEFT JOIN catalogue_entries ce ON ce.article_id = a.id
        WHERE a.published_at >= ? AND a.published_at < ?""", [start, end])
    return {k: int(v or 0) for k, v in found.items()}


def _specials(con, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    found = row(con, """
        SELECT count(*) FILTER (WHERE c.created_at < ? AND NOT c.retired) AS maintained,
               count(*) FILTER (WHERE c.created_at >= ? AND c.created_at < ?) AS opened
        FROM columns c LEFT JOIN columns p ON p.id = c.parent_id
        WHERE c.kind = ? AND p.kind IS DISTINCT FROM ?""", [end, start, end, SPECIAL_KIND, SPECIAL_KIND])
    return {k: int(v or 0) for k, v in found.items()}


def _readings(con, start: dt.datetime, end: dt.datetime) -> int:
    return int(scalar(con, """
        SELECT count(*) FROM articles a JOIN columns c ON c.id = a.column_id
        LEFT JOIN catalogue_entries ce ON ce.article_id = a.id
        WHERE a.published_at >= ? AND a.published_at < ? AND (c.kind = ? OR ce.interprets IS NOT NULL)""",
                      [start, end, catalogue.INTERPRETATION_KIND]))


def _messages(con, year: int) -> dict:
    """留言办理 (第十九条) as core/stats.py counts it: received, answered, the mean working days to the answer."""
    period = stats.year_period(year)
    by_division = stats.message_counts(con, period, dt.date.today())  # the statistics' own counts, reused
    received = sum(int(d.get("messages") or 0) for d in by_division.values())
    answered = sum(int(d.get("answered") or 0) for d in by_division.values())
    weighted = sum(float(d["mean_response_days"]) * int(d["answered"]) for d in by_division.values()
                   if d.get("mean_response_days") is not None and d.get("answered"))
    start, end = _bounds(year)
    published = scalar(con, "SELECT count(*) FROM messages WHERE state = 'published' AND published_at >= ? "
                            "AND published_at < ?", [start, end])
    return {"received": received, "answered": answered,
            "mean_days": round(weighted / answered, 1) if answered else None, "published": int(published)}


def _security(con, start: dt.datetime, end: dt.datetime) -> dict:
    found = row(con, """
        SELECT count(*) FILTER (WHERE status IN ('open', 'closed')) AS found,
               count(*) FILTER (WHERE status = 'closed') AS fixed
        FROM incidents WHERE discovered_at >= ? AND discovered_at < ?""", [start, end])
    probes = scalar(con, "SELECT count(*) FROM site_probes WHERE probed_at >= ? AND probed_at < ?", [start, end])
    return {"found": int(found["found"] or 0), "fixed": int(found["fixed"] or 0), "probes": int(probes)}


def computed(con: duckdb.DuckDBPyConnection, year: int) -> dict:
    """Every figure of the form the data hold, for `year` (writes nothing)."""
    start, end = _bounds(year)
    return {"site_name": settings.get(con, "site_name"), "site_url": settings.get(con, "site_url"),
            "sponsor": settings.get(con, "site_sponsor"), "site_code": settings.get(con, "site_code"),
            "icp": settings.get(con, "icp_number"), "psb": settings.get(con, "psb_number"),
            "visits": access.totals(con, dt.date(year, 1, 1), dt.date(year, 12, 31)),
            "publishing": _publishing(con, start, end),
            "specials": _specials(con, start, end), "readings": _readings(con, start, end),
            "messages": _messages(con, year), "security": _security(con, start, end),
            "consultations": consultation.year_figures(con, year), "interviews": interview.year_figures(con, year)}


# ---------------------------------------------------------------- the form

@dataclass(frozen=True)
class Line:
    """One row of the form: its section, item and sub-item (None: the item takes both columns), the value
    shown, and whether the data gave it (else the office entered it)."""

    section: str
    item: str
    sub: str | None
    value: str
    computed: bool


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def lines(data: dict, entered: dict) -> list[Line]:
    """The national form's rows, in its order (国办函〔2018〕12号 附件)."""
    e = {k: _shown(v) for k, v in entered.items()}
    p, s, m, sec, v = data["publishing"], data["specials"], data["messages"], data["security"], data["visits"]
    person = entered.get("security_person")
    out: list[Line] = []

    def add(section: str, item: str, sub: str | None, value, from_data: bool = True) -> None:
        out.append(Line(section, item, sub, _shown(value), from_data))

    add("网站名称", "网站名称", None, data["site_name"])
    add("首页网址", "首页网址", None, data["site_url"])
    add("主办单位", "主办单位", None, data["sponsor"])
    add("网站类型", "网站类型", None, e["site_type"], False)
    add("政府网站标识码", "政府网站标识码", None, data["site_code"])
    add("ICP备案号", "ICP备案号", None, data["icp"])
    add("公安机关备案号", "公安机关备案号", None, data["psb"])
    add("独立用户访问总量(单位:个)", "独立用户访问总量(单位:个)", None, v["visitors"])
    add("网站总访问量(单位:次)", "网站总访问量(单位:次)", None, v["page_views"])
    add("信息发布(单位:条)", "总数", None, p["total"])
    add("信息发布(单位:条)", "概况类信息更新量", None, p["overview"])
    add("信息发布(单位:条)", "政务动态信息更新量", None, p["news"])
    add("信息发布(单位:条)", "信息公开目录信息更新量", None, p["catalogue"])
    add("专栏专题(单位:个)", "维护数量", None, s["maintained"])
    add("专栏专题(单位:个)", "新开设数量", None, s["opened"])
    add("解读回应", "政策解读(单位:条)", "总数", data["readings"])
    add("解读回应", "政策解读(单位:条)", "解读材料数量", e["reading_material"], False)
    add("解读回应", "政策解读(单位:条)", "解读产品数量", e["reading_product"], False)
    add("解读回应", "政策解读(单位:条)", "媒体评论文章数量", e["reading_media"], False)
    add("解读回应", "回应公众关注热点或重大舆情数量(单位:次)", None, e["responses"], False)
    add("办事服务", "是否发布服务事项目录", None, e["service_catalogue"], False)
    add("办事服务", "注册用户数(单位:个)", None, e["service_users"], False)
    add("办事服务", "政务服务事项数量(单位:项)", None, e["service_items"], False)
    add("办事服务", "可全程在线办理政务服务事项数量(单位:项)", None, e["service_online"], False)
    add("办事服务", "办件量(单位:件)", "总数", e["service_cases"], False)
    add("办事服务", "办件量(单位:件)", "自然人办件量", e["service_cases_person"], False)
    add("办事服务", "办件量(单位:件)", "法人办件量", e["service_cases_org"], False)
    add("互动交流", "是否使用统一平台", None, e["unified_platform"], False)
    add("互动交流", "留言办理", "收到留言数量(单位:条)", m["received"])
    add("互动交流", "留言办理", "办结留言数量(单位:条)", m["answered"])
    add("互动交流", "留言办理", "平均办理时间(单位:工作日)", m["mean_days"])
    add("互动交流", "留言办理", "公开答复数量(单位:条)", m["published"])
    # 征集调查 held on this platform are counted from the data; a year without any keeps the office's entry
    c = data["consultations"]
    held = any(c.values())
    add("互动交流", "征集调查", "征集调查期数(单位:期)", c["survey_rounds"] if held else e["survey_rounds"], held)
    add("互动交流", "征集调查", "收到意见数量(单位:条)", c["survey_opinions"] if held else e["survey_opinions"], held)
    add("互动交流", "征集调查", "公布调查结果期数(单位:期)", c["survey_results"] if held else e["survey_results"], held)
    # 在线访谈 likewise: held on this platform, counted; a year without any keeps the office's entry
    v = data["interviews"]
    held = any(v.values())
    for key, sub in (("interview_rounds", "访谈期数(单位:期)"), ("interview_questions", "网民留言数量(单位:条)"),
                     ("interview_answers", "答复网民提问数量(单位:条)")):
        add("互动交流", "在线访谈", sub, v[key] if held else e[key], held)
    add("互动交流", "是否提供智能问答", None, e["smart_qa"], False)
    add("安全防护", "安全检测评估次数(单位:次)", None, e["assessments"], False)
    add("安全防护", "发现问题数量(单位:个)", None, sec["found"])
    add("安全防护", "问题整改数量(单位:个)", None, sec["fixed"])
    add("安全防护", "是否建立安全监测预警机制", None, _yes(sec["probes"] > 0))
    add("安全防护", "是否开展应急演练", None, e["drills"], False)
    add("安全防护", "是否明确网站安全责任人", None, f"是({person})" if person else "否", False)
    add("移动新媒体", "是否有移动新媒体", None, e["new_media"], False)
    add("移动新媒体", "微博", "名称", e["weibo_name"], False)
    add("移动新媒体", "微博", "信息发布量(单位:条)", e["weibo_posts"], False)
    add("移动新媒体", "微博", "关注量(单位:个)", e["weibo_followers"], False)
    add("移动新媒体", "微信", "名称", e["wechat_name"], False)
    add("移动新媒体", "微信", "信息发布量(单位:条)", e["wechat_posts"], False)
    add("移动新媒体", "微信", "订阅数(单位:个)", e["wechat_subscribers"], False)
    add("移动新媒体", "其他", None, e["new_media_other"], False)
    add("创新发展", "创新发展", None, e["innovation"], False)
    return out


def signature(entered: dict) -> str:
    e = {k: _shown(v) for k, v in entered.items()}
    return (f"单位负责人:{e['head_of_unit']}  审核人:{e['reviewer']}  填报人:{e['filler']}  "
            f"联系电话:{e['filler_phone']}  填报日期:{e['filled_on']}")


@dataclass
class Report:
    year: int
    site_name: str
    sponsor: str
    data: dict
    entered: dict
    article_id: int | None

    @property
    def title(self) -> str:
        return f"{self.site_name}政府网站工作年度报表({self.year}年度)"

    @property
    def lines(self) -> list[Line]:
        return lines(self.data, self.entered)

    @property
    def deadline(self) -> dt.date:
        return deadline(self.year)


def deadline(year: int) -> dt.date:
    """The form for `year` is published on the home page by 31 January of the next year (国办函〔2018〕12号)."""
    return dt.date(int(year) + 1, 1, 31)


def build(con: duckdb.DuckDBPyConnection, year: int) -> Report:
    data = computed(con, int(year))
    return Report(year=int(year), site_name=data["site_name"], sponsor=data["sponsor"], data=data,
                  entered=entries(con, year), article_id=_article_id(con, int(year)))


def view(con: duckdb.DuckDBPyConnection, actor, year) -> Report:
    require(actor, "site_report.view")
    return build(con, valid_year(year))


def grid(report: Report) -> Grid:
    """The form on a grid of four columns: section, item, sub-item, value; a section (or an item with
    sub-items) spans its rows, a row without a sub-item spans the two middle columns."""
    found = report.lines
    cells: list[Cell] = []

    def run_length(start: int, key: Callable[[Line], tuple]) -> int:
        n = 1
        while start + n < len(found) and key(found[start + n]) == key(found[start]):
            n += 1
        return n

    def section(x: Line) -> tuple:
        return (x.section,)

    def item(x: Line) -> tuple:
        return (x.section, x.item)

    for r, line in enumerate(found):
        cells.append(Cell(line.value, r, 3))
        if line.section == line.item:
            cells.append(Cell(line.section, r, 0, cols=3, head=True))
            continue
        if r == 0 or section(found[r - 1]) != section(line):
            cells.append(Cell(line.section, r, 0, rows=run_length(r, section), head=True))
        if line.sub is None:
            cells.append(Cell(line.item, r, 1, cols=2))
        elif r == 0 or item(found[r - 1]) != item(line):
            cells.append(Cell(line.item, r, 1, rows=run_length(r, item)))
        if line.sub is not None:
            cells.append(Cell(line.sub, r, 2))
    return Grid(len(found), 4, cells)


def render(report: Report) -> bytes:
    """The form as a .docx: title, 填报单位, the table, the signature line."""
    document = Document()
    word_paragraph(document, "政府网站工作年度报表", size=22, center=True, east_asia="方正小标宋简体")
    word_paragraph(document, f"({report.year}年度)", size=16, center=True)
    word_paragraph(document, f"填报单位:{report.sponsor}", size=12, indent=False)
    word_table(document, grid(report), size=10)
    word_paragraph(document, signature(report.entered), size=12, indent=False)
    document.core_properties.title = report.title
    document.core_properties.author = report.sponsor
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def filename(report: Report) -> str:
    return f"{report.year}年度政府网站工作年度报表.docx"


def article_html(report: Report) -> str:
    """The form as the body of a portal article (the same table as the Word document)."""
    return (f"<p>填报单位:{html.escape(report.sponsor)}</p>{table_html(grid(report))}"
            f"<p>{html.escape(signature(report.entered))}</p>")


# ---------------------------------------------------------------- the portal article

def column_for(con: duckdb.DuckDBPyConnection) -> dict:
    slug = settings.get(con, COLUMN_SETTING)
    found = row(con, "SELECT id, name, division_id, retired FROM columns WHERE slug = ?", [slug])
    if found is None or found["retired"]:
        raise ValidationError("网站工作年度报表栏目", f"找不到网址标识为「{slug}」的在用栏目,"
                              "请在“系统设置”中指定网站工作年度报表栏目", LAW)
    return found


def column_problem(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the form could not be submitted into its column now (shown before the office tries), or None."""
    try:
        column_for(con)
    except ValidationError:
        return ("“系统设置”中指定的网站工作年度报表栏目不存在或已撤销:提交审批前,请在“栏目管理”中新建该栏目,"
                f"或在“系统设置”中改为已有的栏目({LAW})。")
    return None


def _article_id(con, year: int) -> int | None:
    return scalar(con, "SELECT article_id FROM site_report_articles WHERE year = ?", [year])


def submit(con: duckdb.DuckDBPyConnection, actor, year) -> workflow.Article:
    """The office submits the form as an article of the report column through the approval chain (第十四条);
    submitting again updates the same article, which goes through the chain again. Never published directly."""
    require(actor, "site_report.edit")
    year = valid_year(year)
    report = build(con, year)
    for key in REQUIRED_FOR_SUBMIT:
        if not report.entered.get(key):
            raise ValidationError(FIELDS[key].label, "提交审批前须填写", LAW)
    fields = {"title": report.title, "body_html": article_html(report), "source": report.sponsor,
              "work_ended_on": None, "importance": "一般"}
    with transaction(con):
        article = existing_article(con, report.article_id)
        if article is None:
            article = workflow.create_article(con, actor, column_for(con)["id"], **fields)
            con.execute("INSERT OR REPLACE INTO site_report_articles VALUES (?, ?)", [year, article.id])
        else:
            article = workflow.save_article(con, actor, article.id, article.version, **fields)
        if article.state in ("draft", "returned"):
            article = workflow.submit(con, actor, article.id, article.version)
        audit.record(con, actor, "site_report.submit", f"year:{year}", f"稿件 #{article.id} 提交审批")
    return article


def submitted(con: duckdb.DuckDBPyConnection, year: int) -> workflow.Article | None:
    """The article the year's form went to, if any (its state says whether it is online)."""
    article_id = _article_id(con, int(year))
    return None if article_id is None else workflow.get_article(con, article_id)


def deadline_note(year: int, article: workflow.Article | None, today: dt.date | None = None) -> tuple[str, bool]:
    """What the page says about the 31 January deadline, and whether it is a warning."""
    today = today or dt.date.today()
    due = deadline(year)
    published = article is not None and article.published_at is not None and article.state == "published"
    if published:
        on = article.published_at.date()
        late = "(已超过期限)" if on > due else ""
        return f"已于 {on:%Y年%m月%d日} 在门户发布{late};发布期限为 {due:%Y年%m月%d日}。", on > due
    left = (due - today).days
    if left < 0:
        return f"发布期限 {due:%Y年%m月%d日} 已过 {-left} 天,尚未在门户发布,请尽快提交审批并发布。", True
    return f"须于 {due:%Y年%m月%d日} 前在门户首页显著位置发布(还有 {left} 天;国办函〔2018〕12号)。", left <= 15


def kinds_table(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every column kind with the 信息发布 category it counts in (for the office's editor)."""
    assigned = kind_categories(con)
    return [{"kind": r["code"], "name": r["name"], "category": assigned.get(r["code"])}
            for r in rows(con, "SELECT code, name FROM column_kinds ORDER BY code")]
