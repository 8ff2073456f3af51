"""政府信息公开工作年度报告 (政府信息公开条例 第四十九、五十条; the national format of 2021): computed from the
data for a year, never typed.

`applications_table(con, year)` is part 三 (applications by applicant type), `proactive_table` part 二
(规章 and 行政规范性文件 from the catalogue, the office's entered figures for the rest), `appeals_table`
part 四; parts 一、五、六 are the office's texts (disclosure_reports). `render` lays the whole report out as
a Word document, `article_html` as the portal page the office submits (`submit`) through the normal
approval chain (core/workflow.py) into the 政府信息公开年报 column.

Decisions, written once:

* Part 三 counts by dates: 本年新收 = received in the year; 上年结转 = received before the year and not
  closed before it; the outcome rows and 总计 = closed in the year; 结转下年度继续办理 = received by the
  year's end and not closed by it. So 新收 + 上年结转 = 总计 + 结转 holds by construction, and
  `check` proves it (and that the outcome rows add up to 总计) on the figures as computed.
* Part 二: 本年制发 = catalogue documents of the kind first published in the year; 本年废止 = those
  marked 已废止 with the date in the year; 现行有效 = published by the year's end and not repealed by
  then (已修改 stays in force; a repeal without a date counts as repealed).
* Part 四: the cases open at some time in the year (filed by its end, not decided before it), each
  with its result as of the year's end (a case decided later is 尚未审结).

Imports from core.disclosure_terms, settings, workflow, audit, db, errors, permissions, text.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
from dataclasses import dataclass

import duckdb
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from core import audit, catalogue, settings, workflow
from core.db import row, rows, transaction
from core.disclosure_terms import (
    APPEAL_RESULTS,
    APPLICANT_TYPES,
    ORGANISATION_GROUP,
    ORGANISATION_TYPES,
    OTHER_HANDLING_WORDING,
    OUTCOMES,
)
from core.errors import ValidationError
from core.permissions import require
from core.text import clean_text

LAW = "政府信息公开条例 第五十条"
TOTAL = "total"
COLUMNS = (*APPLICANT_TYPES, TOTAL)
COLUMN_SETTING = "xxgk_report_column"  # shared with the portal's 年度报告 list
NUMERALS = "一二三四五六七八九十"
FIRST_YEAR = 2008  # the first 条例 took effect on 2008-05-01
TEXT_MAX = 20000

# part 二: what the catalogue gives, and what the office enters (with its unit)
CATALOGUE_KINDS = ("规章", "行政规范性文件")
FIGURES = {"行政许可": "件", "行政处罚": "件", "行政强制": "件", "行政事业性收费": "万元"}
TEXTS = {"overview": "一、总体情况", "problems": "五、存在的主要问题及改进情况", "other": "六、其他需要报告的事项"}
PARTS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
RESULT_LABELS = {"维持": "结果维持", "纠正": "结果纠正", "其他": "其他结果", "尚未审结": "尚未审结"}


# ---------------------------------------------------------------- part 三

def outcome_rows() -> list[tuple[str, str | None]]:
    """(group, ground) for every outcome row of part 三, in the report's order: a group without grounds
    is one row (ground None)."""
    return [(group, ground) for group, grounds in OUTCOMES.items() for ground in (grounds or (None,))]


def _counts(con, where: str, params: list) -> dict[str, int]:
    found = dict(con.execute(
        f"SELECT applicant_type, count(*) FROM disclosure_applications WHERE {where} GROUP BY applicant_type",
        params).fetchall())
    counts = {kind: int(found.get(kind, 0)) for kind in APPLICANT_TYPES}
    counts[TOTAL] = sum(counts.values())
    return counts


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def applications_table(con: duckdb.DuckDBPyConnection, year: int) -> dict:
    """Part 三 as the `--json` of `python -m core disclosure report` gives it: new, carried_in,
    outcomes {予以公开 / 部分公开 / each ground's words: counts}, total, carried_out; every counts dict
    has the six applicant types and "total"."""
    first, last = _year_bounds(year)
    closed_in_year = "closed_on BETWEEN ? AND ?"
    outcomes = {}
    for group, ground in outcome_rows():
        matches = "outcome = ? AND outcome_ground IS NULL" if ground is None else "outcome = ? AND outcome_ground = ?"
        params = [group] if ground is None else [group, ground]
        outcomes[ground or group] = _counts(con, f"{closed_in_year} AND {matches}", [first, last, *params])
    return {
        "new": _counts(con, "received_on BETWEEN ? AND ?", [first, last]),
        "carried_in": _counts(con, "received_on < ? AND (closed_on IS NULL OR closed_on >= ?)", [first, first]),
        "outcomes": outcomes,
        "total": _counts(con, closed_in_year, [first, last]),
        "carried_out": _counts(con, "received_on <= ? AND (closed_on IS NULL OR closed_on > ?)", [last, last]),
    }


ROW_LABELS = {"new": "本年新收", "carried_in": "上年结转", "total": "总计", "carried_out": "结转下年度继续办理"}


def check(table: dict) -> list[str]:
    """What does not reconcile in a part 三 table (empty when all is well): for every column
    本年新收 + 上年结转 = 总计 + 结转下年度, and the outcome rows add up to 总计."""
    problems = []
    for column in COLUMNS:
        name = "总计" if column == TOTAL else column
        received = table["new"][column] + table["carried_in"][column]
        handled = table["total"][column] + table["carried_out"][column]
        if received != handled:
            problems.append(f"{name}:本年新收 {table['new'][column]} + 上年结转 {table['carried_in'][column]}"
                            f" ≠ 总计 {table['total'][column]} + 结转下年度 {table['carried_out'][column]}")
        rows_sum = sum(counts[column] for counts in table["outcomes"].values())
        if rows_sum != table["total"][column]:
            problems.append(f"{name}:各办理结果之和 {rows_sum} ≠ 总计 {table['total'][column]}"
                            "(有申请的办理结果不在全国统一格式之列)")
    lines = {**{ROW_LABELS[key]: table[key] for key in ROW_LABELS}, **table["outcomes"]}
    for label, counts in lines.items():
        if counts[TOTAL] != sum(counts[kind] for kind in APPLICANT_TYPES):
            problems.append(f"{label}:各类申请人之和 ≠ 总计")
    return problems


# ---------------------------------------------------------------- part 二

def proactive_table(con: duckdb.DuckDBPyConnection, year: int, figures: dict | None = None) -> dict:
    """Part 二: {"规章" / "行政规范性文件": {"issued", "repealed", "in_force"}} from the catalogue, and the
    office's entered figures {"行政许可", "行政处罚", "行政强制", "行政事业性收费"} (None when not entered)."""
    first, last = _year_bounds(year)
    found = {r["doc_kind"]: r for r in rows(con, """
        SELECT c.doc_kind,
               count(*) FILTER (WHERE CAST(a.published_at AS DATE) BETWEEN ? AND ?) AS issued,
               count(*) FILTER (WHERE c.validity = '已废止' AND c.validity_changed_on BETWEEN ? AND ?) AS repealed,
               count(*) FILTER (WHERE CAST(a.published_at AS DATE) <= ? AND NOT (c.validity = '已废止'
                                AND coalesce(c.validity_changed_on, DATE '1900-01-01') <= ?)) AS in_force
        FROM catalogue_entries c JOIN articles a ON a.id = c.article_id
        WHERE a.published_at IS NOT NULL AND c.doc_kind IN (?, ?)
        GROUP BY c.doc_kind""", [first, last, first, last, last, last, *CATALOGUE_KINDS])}
    documents = {kind: {k: int((found.get(kind) or {}).get(k) or 0) for k in ("issued", "repealed", "in_force")}
                 for kind in CATALOGUE_KINDS}
    entered = figures or {}
    return {"documents": documents, "figures": {name: entered.get(name) for name in FIGURES}}


def clean_figures(values: dict) -> dict:
    """The office's part 二 figures, checked: counts are whole numbers ≥ 0, the fee an amount ≥ 0 in 万元
    (at most four decimals); an empty field stays not entered."""
    cleaned = {}
    for name, unit in FIGURES.items():
        raw = values.get(name)
        if raw is None or str(raw).strip() == "":
            cleaned[name] = None
            continue
        text = str(raw).strip()
        try:
            number = float(text) if unit == "万元" else int(text)
        except ValueError:
            rule = "须为金额(单位:万元),例如 12.5" if unit == "万元" else "须为不小于 0 的整数"
            raise ValidationError(f"{name}({unit})", rule, LAW) from None
        if number < 0 or (unit == "万元" and round(number, 4) != number):
            rule = "须为不小于 0 的金额,最多保留四位小数" if unit == "万元" else "须为不小于 0 的整数"
            raise ValidationError(f"{name}({unit})", rule, LAW)
        cleaned[name] = number
    return cleaned


# ---------------------------------------------------------------- part 四

def appeals_table(con: duckdb.DuckDBPyConnection, year: int) -> dict:
    """Part 四: {"行政复议", "未经复议直接起诉", "复议后起诉"} each {维持, 纠正, 其他, 尚未审结, total}."""
    first, last = _year_bounds(year)
    found = rows(con, """
        SELECT CASE WHEN kind = '行政复议' THEN '行政复议' WHEN after_review THEN '复议后起诉'
                    ELSE '未经复议直接起诉' END AS line,
               CASE WHEN decided_on IS NULL OR decided_on > ? OR result = '尚未审结' THEN '尚未审结'
                    ELSE result END AS outcome,
               count(*) AS n
        FROM disclosure_appeals
        WHERE filed_on <= ? AND (decided_on IS NULL OR decided_on >= ?)
        GROUP BY ALL""", [last, last, first])
    table = {line: {**{r: 0 for r in APPEAL_RESULTS}, TOTAL: 0} for line in ("行政复议", "未经复议直接起诉", "复议后起诉")}
    for r in found:
        table[r["line"]][r["outcome"]] += int(r["n"])
        table[r["line"]][TOTAL] += int(r["n"])
    return table


# ---------------------------------------------------------------- the office's texts

def valid_year(year, first: int = FIRST_YEAR, law: str = LAW) -> int:
    """A report's year: a whole year from `first` (the first year of the form under `law`) to this one."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError("年度", "须为四位数的年份", law) from None
    if not first <= year <= dt.date.today().year:
        raise ValidationError("年度", f"须在 {first} 年至今年之间", law)
    return year


def texts(con: duckdb.DuckDBPyConnection, year: int) -> dict:
    """The office's texts and figures for a year (empty until written) and the article it went to."""
    found = row(con, "SELECT * FROM disclosure_reports WHERE year = ?", [int(year)])
    if found is None:
        return {"year": int(year), **{k: "" for k in TEXTS}, "figures": {name: None for name in FIGURES},
                "article_id": None}
    figures = json.loads(found["figures"]) if found["figures"] else {}
    return {**found, "figures": {name: figures.get(name) for name in FIGURES}}


def save(con: duckdb.DuckDBPyConnection, actor, year, *, overview: str, problems: str, other: str,
         figures: dict) -> dict:
    """The office writes parts 一、五、六 and enters part 二's figures (第十二条; 条例 第五十条)."""
    require(actor, "disclosure_report.edit")
    year = valid_year(year)
    written = {"overview": overview, "problems": problems, "other": other}
    cleaned = {}
    for key, text in written.items():
        cleaned[key] = clean_text(text or "").strip()
        if len(cleaned[key]) > TEXT_MAX:
            raise ValidationError(TEXTS[key], f"不超过 {TEXT_MAX} 字", LAW)
    numbers = clean_figures(figures)
    with transaction(con):
        con.execute("""
            INSERT INTO disclosure_reports (year, overview, problems, other, figures, updated_at, updated_by)
            VALUES (?, ?, ?, ?, ?, current_localtimestamp(), ?)
            ON CONFLICT (year) DO UPDATE SET overview = excluded.overview, problems = excluded.problems,
                other = excluded.other, figures = excluded.figures, updated_at = excluded.updated_at,
                updated_by = excluded.updated_by""",
                    [year, cleaned["overview"], cleaned["problems"], cleaned["other"],
                     json.dumps(numbers, ensure_ascii=False), actor.id])
        audit.record(con, actor, "disclosure_report.save", f"year:{year}",
                     f"{year}年政府信息公开工作年度报告:正文与第二部分填报数据")
    return texts(con, year)


# ---------------------------------------------------------------- the whole report

@dataclass
class Report:
    year: int
    department: str
    texts: dict
    proactive: dict
    applications: dict
    appeals: dict

    @property
    def title(self) -> str:
        return f"{self.department}{self.year}年政府信息公开工作年度报告"


def build(con: duckdb.DuckDBPyConnection, year: int) -> Report:
    """Everything the report says for `year`, computed now (writes nothing)."""
    written = texts(con, year)
    return Report(year=int(year), department=settings.get(con, "site_name"), texts=written,
                  proactive=proactive_table(con, year, written["figures"]),
                  applications=applications_table(con, year), appeals=appeals_table(con, year))


def view(con: duckdb.DuckDBPyConnection, actor, year) -> Report:
    """The report as the workbench shows it: the office and leaders read it (条例 第四十九条)."""
    require(actor, "disclosure_report.view")
    return build(con, valid_year(year))


def outcome_label(group: str, ground: str | None) -> str:
    if ground is None:
        return "部分公开(区分处理的,只计这一情形,不计其他情形)" if group == "部分公开" else group
    return OTHER_HANDLING_WORDING.get(ground, ground) if group == "其他处理" else ground


def _figure(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass
class Cell:
    """One cell of a report table laid out on a grid (what Word and HTML both draw)."""

    text: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1
    head: bool = False


@dataclass
class Grid:
    n_rows: int
    n_cols: int
    cells: list[Cell]


def proactive_grid(report: Report) -> Grid:
    """Part 二 in the 2021 layout: four sections of 第二十条, each with its header row."""
    docs, entered = report.proactive["documents"], report.proactive["figures"]
    cells: list[Cell] = []
    r = 0

    def section(item: str, header: list[str], lines: list[list[str]]) -> None:
        nonlocal r
        cells.append(Cell(f"第二十条第({item})项", r, 0, cols=4, head=True))
        r += 1
        spans = [1, 1, 1] if len(header) == 3 else [3]
        cells.append(Cell("信息内容", r, 0, head=True))
        col = 1
        for text, span in zip(header, spans, strict=True):
            cells.append(Cell(text, r, col, cols=span, head=True))
            col += span
        r += 1
        for line in lines:
            cells.append(Cell(line[0], r, 0))
            col = 1
            for text, span in zip(line[1:], spans, strict=True):
                cells.append(Cell(text, r, col, cols=span))
                col += span
            r += 1

    section("一", ["本年制发件数", "本年废止件数", "现行有效件数"],
            [[kind, str(docs[kind]["issued"]), str(docs[kind]["repealed"]), str(docs[kind]["in_force"])]
             for kind in CATALOGUE_KINDS])
    section("五", ["本年处理决定数量"], [["行政许可", _figure(entered["行政许可"])]])
    section("六", ["本年处理决定数量"], [[name, _figure(entered[name])] for name in ("行政处罚", "行政强制")])
    section("八", ["本年收费金额(单位:万元)"], [["行政事业性收费", _figure(entered["行政事业性收费"])]])
    return Grid(r, 4, cells)


def applications_grid(report: Report) -> Grid:
    """Part 三 in the 2021 layout: three label columns, then 自然人, the five organisations, 总计."""
    t = report.applications
    cells = [
        Cell("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", 0, 0, rows=3, cols=3, head=True),
        Cell("申请人情况", 0, 3, cols=7, head=True),
        Cell("自然人", 1, 3, rows=2, head=True),
        Cell(ORGANISATION_GROUP, 1, 4, cols=5, head=True),
        Cell("总计", 1, 9, rows=2, head=True),
        *[Cell(kind, 2, 4 + i, head=True) for i, kind in enumerate(ORGANISATION_TYPES)],
    ]

    def figures(counts: dict, r: int) -> None:
        cells.extend(Cell(str(counts[c]), r, 3 + i) for i, c in enumerate(COLUMNS))

    cells.append(Cell("一、本年新收政府信息公开申请数量", 3, 0, cols=3))
    figures(t["new"], 3)
    cells.append(Cell("二、上年结转政府信息公开申请数量", 4, 0, cols=3))
    figures(t["carried_in"], 4)
    r = 5
    lines = outcome_rows()
    cells.append(Cell("三、本年度办理结果", r, 0, rows=len(lines) + 1))
    for number, (group, grounds) in enumerate(OUTCOMES.items(), start=1):
        label = f"({NUMERALS[number - 1]}){outcome_label(group, None)}"
        if not grounds:
            cells.append(Cell(label, r, 1, cols=2))
            figures(t["outcomes"][group], r)
            r += 1
            continue
        cells.append(Cell(label, r, 1, rows=len(grounds)))
        for i, ground in enumerate(grounds, start=1):
            cells.append(Cell(f"{i}.{outcome_label(group, ground)}", r, 2))
            figures(t["outcomes"][ground], r)
            r += 1
    cells.append(Cell(f"({NUMERALS[len(OUTCOMES)]})总计", r, 1, cols=2))
    figures(t["total"], r)
    r += 1
    cells.append(Cell("四、结转下年度继续办理", r, 0, cols=3))
    figures(t["carried_out"], r)
    return Grid(r + 1, 10, cells)


def appeals_grid(report: Report) -> Grid:
    """Part 四: 行政复议 (five columns), 行政诉讼 split into 未经复议直接起诉 and 复议后起诉 (five each)."""
    cells = [Cell("行政复议", 0, 0, rows=2, cols=5, head=True), Cell("行政诉讼", 0, 5, cols=10, head=True),
             Cell("未经复议直接起诉", 1, 5, cols=5, head=True), Cell("复议后起诉", 1, 10, cols=5, head=True)]
    labels = [*RESULT_LABELS.values(), "总计"]
    for block, line in enumerate(("行政复议", "未经复议直接起诉", "复议后起诉")):
        counts = report.appeals[line]
        for i, (label, key) in enumerate(zip(labels, [*APPEAL_RESULTS, TOTAL], strict=True)):
            cells.append(Cell(label, 2, block * 5 + i, head=True))
            cells.append(Cell(str(counts[key]), 3, block * 5 + i))
    return Grid(4, 15, cells)


def tables(report: Report) -> tuple[Grid, Grid, Grid]:
    """The tables of parts 二、三、四."""
    return proactive_grid(report), applications_grid(report), appeals_grid(report)


# ---------------------------------------------------------------- Word

def _font(run, size: float, bold: bool = False, east_asia: str = "仿宋_GB2312") -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def word_paragraph(document, text: str, *, size: float = 16, bold: bool = False, center: bool = False,
               east_asia: str = "仿宋_GB2312", indent: bool = True) -> None:
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), size, bold, east_asia)


def word_table(document, grid: Grid, size: float = 9) -> None:
    table = document.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell in grid.cells:
        target = table.cell(cell.row, cell.col)
        if cell.rows > 1 or cell.cols > 1:
            target = target.merge(table.cell(cell.row + cell.rows - 1, cell.col + cell.cols - 1))
        target.text = ""
        paragraph = target.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if cell.head or cell.text.isdigit() else WD_ALIGN_PARAGRAPH.LEFT
        _font(paragraph.add_run(cell.text), size, cell.head, "黑体" if cell.head else "宋体")


def _written(document, text: str) -> None:
    for line in (text or "").splitlines() or [""]:
        if line.strip():
            word_paragraph(document, line.strip())
    if not (text or "").strip():
        word_paragraph(document, "(尚未填写)")


def render(report: Report) -> bytes:
    """The report as a .docx in the national layout: title, the six parts, the three tables."""
    document = Document()
    word_paragraph(document, report.title, size=22, center=True, east_asia="方正小标宋简体")
    grids = dict(zip((1, 2, 3), tables(report), strict=True))
    text_of = {0: "overview", 4: "problems", 5: "other"}
    for index, heading in enumerate(PARTS):
        word_paragraph(document, heading, east_asia="黑体")
        if index in text_of:
            _written(document, report.texts[text_of[index]])
        else:
            word_table(document, grids[index], size=9 if index != 3 else 8)
    buffer = io.BytesIO()
    document.core_properties.title = report.title
    document.core_properties.author = report.department
    document.save(buffer)
    return buffer.getvalue()


def filename(report: Report) -> str:
    return f"{report.year}年政府信息公开工作年度报告.docx"


# ---------------------------------------------------------------- the portal page

def table_html(grid: Grid) -> str:
    by_row: dict[int, list[Cell]] = {}
    for cell in grid.cells:
        by_row.setdefault(cell.row, []).append(cell)
    lines = []
    for r in range(grid.n_rows):
        cells = []
        for cell in sorted(by_row.get(r, []), key=lambda c: c.col):
            tag = "th" if cell.head else "td"
            span = (f' rowspan="{cell.rows}"' if cell.rows > 1 else "") + (f' colspan="{cell.cols}"' if cell.cols > 1 else "")
            cells.append(f"<{tag}{span}>{html.escape(cell.text)}</{tag}>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tbody>{''.join(lines)}</tbody></table>"


def article_html(report: Report) -> str:
    """The report as the body of a portal article (the same parts and tables as the Word document)."""
    grids = dict(zip((1, 2, 3), tables(report), strict=True))
    text_of = {0: "overview", 4: "problems", 5: "other"}
    parts = []
    for index, heading in enumerate(PARTS):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if index in text_of:
            lines = [line.strip() for line in report.texts[text_of[index]].splitlines() if line.strip()]
            parts += [f"<p>{html.escape(line)}</p>" for line in lines] or ["<p>无。</p>"]
        else:
            parts.append(table_html(grids[index]))
    return "".join(parts)


def column_for(con: duckdb.DuckDBPyConnection) -> dict:
    """The 政府信息公开年报 column, by the slug the office sets."""
    slug = settings.get(con, COLUMN_SETTING)
    found = row(con, "SELECT id, name, division_id, retired FROM columns WHERE slug = ?", [slug])
    if found is None or found["retired"]:
        raise ValidationError("年报栏目", f"找不到网址标识为「{slug}」的在用栏目,请在“系统设置”中指定政府信息公开年报栏目",
                              "第十二条")
    return found


def _missing_texts(report: Report) -> list[str]:
    return [TEXTS[key] for key in TEXTS if not report.texts[key].strip()]


def submit(con: duckdb.DuckDBPyConnection, actor, year) -> workflow.Article:
    """The office submits the report as an article of the 政府信息公开年报 column through the approval chain
    (第十四条); submitting again updates the same article, which goes through the chain again."""
    require(actor, "disclosure_report.edit")
    year = valid_year(year)
    report = build(con, year)
    missing = _missing_texts(report)
    if missing:
        raise ValidationError(missing[0], "提交审批前须填写", LAW)
    problems = check(report.applications)
    if problems:
        raise ValidationError("收到和处理政府信息公开申请情况", "数据不平衡:" + ";".join(problems), LAW)
    fields = {"title": report.title, "body_html": article_html(report), "source": report.department,
              "work_ended_on": None, "importance": "一般"}
    with transaction(con):
        article = existing_article(con, report.texts.get("article_id"))
        if article is None:
            article = workflow.create_article(con, actor, column_for(con)["id"], **fields)
            con.execute("UPDATE disclosure_reports SET article_id = ? WHERE year = ?", [article.id, year])
        else:
            article = workflow.save_article(con, actor, article.id, article.version, **fields)
        _catalogue(con, actor, article, report.department)
        if article.state in ("draft", "returned"):
            article = workflow.submit(con, actor, article.id, article.version)
        audit.record(con, actor, "disclosure_report.submit", f"year:{year}", f"稿件 #{article.id} 提交审批")
    return article


def _catalogue(con, actor, article: workflow.Article, department: str) -> None:
    """The report is itself 主动公开 information: in a column whose kind carries catalogue data it gets its
    entry (第十二条) the first time; a re-submission keeps the entry it has."""
    if not catalogue.is_catalogue_column(con, article.column_id) or catalogue.entry(con, article.id) is not None:
        return
    topic = catalogue.topic_by_name(con, "综合政务") or catalogue.topics(con)[0]["id"]
    catalogue.save_entry(con, actor, article.id, {
        "issuer": department, "doc_number": "", "doc_kind": "其他文件", "written_on": dt.date.today(),
        "topic_id": topic, "disclosure": "主动公开", "validity": "有效"})


def existing_article(con, article_id: int | None) -> workflow.Article | None:
    """The article a yearly report was submitted as, to update; None when there is none or it was withdrawn."""
    if article_id is None:
        return None
    found = row(con, "SELECT state FROM articles WHERE id = ?", [article_id])
    if found is None or found["state"] == "withdrawn":
        return None  # a withdrawn submission stays as it was; the report starts a new one
    return workflow.get_article(con, article_id)
