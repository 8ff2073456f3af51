"""政府信息公开工作年度报告 (条例 第四十九、五十条): the three tables computed from the data, the reconciliation,
the Word document, the office's texts and figures, and the portal article through the approval chain."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from core import catalogue, settings
from core import disclosure_report as dr
from core.db import scalar
from core.disclosure_terms import APPLICANT_TYPES, OTHER_HANDLING_WORDING, OUTCOMES, outcome_of
from core.errors import PermissionDenied, ValidationError

ROOT = Path(__file__).resolve().parent.parent
D = dt.date
YEAR = 2025  # a whole past year: the report's year may not be in the future


def application(con, applicant_type: str, received_on: dt.date, closed_on: dt.date | None = None,
                outcome: str | None = None) -> int:
    """One application row as the applications module leaves it (outcome: 予以公开, 部分公开 or a ground's words)."""
    group, ground = outcome_of(outcome) if outcome else (None, None)
    number = f"YSQ-{scalar(con, 'SELECT count(*) FROM disclosure_applications') + 1:05d}"
    return con.execute(
        "INSERT INTO disclosure_applications (number, applicant_type, channel, subject, received_on, clock_start_on, "
        "due_on, state, outcome, outcome_ground, closed_on) VALUES (?, ?, '网上申请', '申请公开某文件', ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        [number, applicant_type, received_on, received_on, received_on + dt.timedelta(days=28),
         "closed" if closed_on else "registered", group, ground, closed_on]).fetchone()[0]


def appeal(con, application_id: int, kind: str, filed_on: dt.date, result: str = "尚未审结",
           decided_on: dt.date | None = None, after_review: bool = False) -> None:
    con.execute("INSERT INTO disclosure_appeals (application_id, kind, after_review, filed_on, result, decided_on) "
                "VALUES (?, ?, ?, ?, ?, ?)", [application_id, kind, after_review, filed_on, result, decided_on])


GROUNDS = [ground or group for group, ground in dr.outcome_rows()]


def test_part_three_counts_each_application_where_the_dates_put_it(con):
    application(con, "自然人", D(YEAR - 1, 6, 1), D(YEAR - 1, 6, 20), "予以公开")  # before the year: nowhere
    application(con, "自然人", D(YEAR - 1, 12, 20), D(YEAR, 1, 8), "属于国家秘密")  # carried in, closed
    application(con, "商业企业", D(YEAR - 1, 12, 28))  # carried in, still open: carried out too
    application(con, "商业企业", D(YEAR, 3, 2), D(YEAR, 3, 20), "部分公开")
    application(con, "法律服务机构", D(YEAR, 5, 5), D(YEAR, 5, 30), "逾期不补正")
    application(con, "科研机构", D(YEAR, 12, 30), D(YEAR + 1, 1, 10), "重复申请")  # closed next year: carried out
    application(con, "其他", D(YEAR + 1, 1, 3))  # next year: nowhere

    t = dr.applications_table(con, YEAR)

    assert t["new"] == {"自然人": 0, "商业企业": 1, "科研机构": 1, "社会公益组织": 0, "法律服务机构": 1, "其他": 0,
                        "total": 3}
    assert t["carried_in"]["自然人"] == 1 and t["carried_in"]["商业企业"] == 1 and t["carried_in"]["total"] == 2
    assert t["outcomes"]["属于国家秘密"]["自然人"] == 1
    assert t["outcomes"]["部分公开"]["商业企业"] == 1
    assert t["outcomes"]["逾期不补正"]["法律服务机构"] == 1
    assert t["outcomes"]["重复申请"]["total"] == 0 and t["outcomes"]["予以公开"]["total"] == 0
    assert t["total"]["total"] == 3
    assert t["carried_out"] == {"自然人": 0, "商业企业": 1, "科研机构": 1, "社会公益组织": 0, "法律服务机构": 0,
                                "其他": 0, "total": 2}
    assert dr.check(t) == []


def test_the_json_form_is_the_issues(con):
    t = dr.applications_table(con, YEAR)
    assert list(t) == ["new", "carried_in", "outcomes", "total", "carried_out"]
    assert list(t["new"]) == [*APPLICANT_TYPES, "total"]
    assert list(t["outcomes"]) == GROUNDS
    assert GROUNDS[:3] == ["予以公开", "部分公开", "属于国家秘密"] and GROUNDS[-1] == "其他"
    assert len(GROUNDS) == 2 + sum(len(g) for g in OUTCOMES.values())


def test_the_table_reconciles_on_generated_data_where_the_answer_is_known(con):
    """Four years of applications at random: every figure equals what a plain count of the same list gives,
    and new + carried in = total + carried out in every column."""
    rng = random.Random(14)
    made = []
    for _ in range(400):
        received = D(YEAR - 2, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        closed = received + dt.timedelta(days=rng.randrange(90)) if rng.random() < 0.85 else None
        outcome = rng.choice(GROUNDS) if closed else None
        kind = rng.choice(APPLICANT_TYPES)
        application(con, kind, received, closed, outcome)
        made.append((kind, received, closed, outcome))
    first, last = D(YEAR, 1, 1), D(YEAR, 12, 31)

    def known(test) -> dict:
        counts = {k: sum(1 for m in made if m[0] == k and test(m)) for k in APPLICANT_TYPES}
        return {**counts, "total": sum(counts.values())}

    t = dr.applications_table(con, YEAR)
    assert t["new"] == known(lambda m: first <= m[1] <= last)
    assert t["carried_in"] == known(lambda m: m[1] < first and (m[2] is None or m[2] >= first))
    assert t["total"] == known(lambda m: m[2] is not None and first <= m[2] <= last)
    assert t["carried_out"] == known(lambda m: m[1] <= last and (m[2] is None or m[2] > last))
    for word in GROUNDS:
        assert t["outcomes"][word] == known(lambda m, w=word: m[3] == w and first <= m[2] <= last)
    assert t["new"]["total"] > 50 and t["carried_in"]["total"] > 0 and t["carried_out"]["total"] > 0
    assert dr.check(t) == []
    for column in [*APPLICANT_TYPES, "total"]:
        assert t["new"][column] + t["carried_in"][column] == t["total"][column] + t["carried_out"][column]


def test_check_names_what_does_not_reconcile(con):
    application(con, "自然人", D(YEAR, 3, 1), D(YEAR, 3, 5), "予以公开")
    t = dr.applications_table(con, YEAR)
    t["carried_out"]["自然人"] += 1
    t["carried_out"]["total"] += 1
    problems = dr.check(t)
    assert any(p.startswith("自然人:本年新收 1 + 上年结转 0 ≠ 总计 1 + 结转下年度 1") for p in problems)
    assert any(p.startswith("总计:") for p in problems)


def test_an_outcome_outside_the_national_list_breaks_the_check(con):
    """An outcome the report has no row for would vanish from the rows: the check says so."""
    application(con, "自然人", D(YEAR, 3, 1), D(YEAR, 3, 5), "予以公开")
    con.execute("UPDATE disclosure_applications SET outcome = '不予公开', outcome_ground = '旧口径'")
    problems = dr.check(dr.applications_table(con, YEAR))
    assert any("各办理结果之和 0 ≠ 总计 1" in p for p in problems)


# ---------------------------------------------------------------- part 二 and part 四

def catalogued(con, org, doc_kind: str, published_on: dt.date | None, validity: str = "有效",
               changed_on: dt.date | None = None) -> int:
    article_id = con.execute(
        "INSERT INTO articles (column_id, lead_division_id, title, author_id, state, published_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [org.col_cw, org.cw, f"{doc_kind}文件", org.officer_cw.id, "published" if published_on else "draft",
         published_on and dt.datetime.combine(published_on, dt.time(10))]).fetchone()[0]
    con.execute("INSERT INTO catalogue_entries (article_id, doc_kind, validity, validity_changed_on) "
                "VALUES (?, ?, ?, ?)", [article_id, doc_kind, validity, changed_on])
    return article_id


def test_part_two_counts_rules_and_normative_documents_from_the_catalogue(con, org):
    catalogued(con, org, "规章", D(YEAR - 3, 4, 1))  # in force
    catalogued(con, org, "规章", D(YEAR - 2, 4, 1), "已废止", D(YEAR, 6, 1))  # repealed this year
    catalogued(con, org, "规章", D(YEAR, 2, 1))  # issued this year
    catalogued(con, org, "行政规范性文件", D(YEAR, 3, 1), "已修改", D(YEAR, 9, 1))  # issued, still in force
    catalogued(con, org, "行政规范性文件", D(YEAR - 1, 3, 1), "已废止", D(YEAR - 1, 9, 1))  # repealed before
    catalogued(con, org, "行政规范性文件", D(YEAR + 1, 1, 5))  # next year
    catalogued(con, org, "行政规范性文件", None)  # never published
    catalogued(con, org, "其他文件", D(YEAR, 3, 1))  # not in part 二

    docs = dr.proactive_table(con, YEAR)["documents"]

    assert docs["规章"] == {"issued": 1, "repealed": 1, "in_force": 2}
    assert docs["行政规范性文件"] == {"issued": 1, "repealed": 0, "in_force": 1}


def test_part_four_counts_cases_open_in_the_year_with_their_result_at_its_end(con):
    a = application(con, "自然人", D(YEAR, 1, 5), D(YEAR, 1, 20), "属于国家秘密")
    appeal(con, a, "行政复议", D(YEAR, 2, 1), "维持", D(YEAR, 4, 1))
    appeal(con, a, "行政复议", D(YEAR, 11, 1), "纠正", D(YEAR + 1, 2, 1))  # decided later: 尚未审结 at year end
    appeal(con, a, "行政诉讼", D(YEAR, 5, 1), "纠正", D(YEAR, 9, 1))
    appeal(con, a, "行政诉讼", D(YEAR, 6, 1), after_review=True)
    appeal(con, a, "行政复议", D(YEAR - 1, 3, 1), "维持", D(YEAR - 1, 5, 1))  # over before the year

    t = dr.appeals_table(con, YEAR)

    assert t["行政复议"] == {"维持": 1, "纠正": 0, "其他": 0, "尚未审结": 1, "total": 2}
    assert t["未经复议直接起诉"] == {"维持": 0, "纠正": 1, "其他": 0, "尚未审结": 0, "total": 1}
    assert t["复议后起诉"]["尚未审结"] == 1 and t["复议后起诉"]["total"] == 1


# ---------------------------------------------------------------- the office's texts and figures

def test_the_office_saves_texts_and_figures(con, org):
    saved = dr.save(con, org.webmaster, YEAR, overview="本年度全面推进政务公开。", problems="问题。", other="无。",
                    figures={"行政许可": "12", "行政处罚": "3", "行政强制": "", "行政事业性收费": "1.25"})
    assert saved["figures"] == {"行政许可": 12, "行政处罚": 3, "行政强制": None, "行政事业性收费": 1.25}
    assert dr.texts(con, YEAR)["overview"] == "本年度全面推进政务公开。"
    assert dr.build(con, YEAR).proactive["figures"]["行政许可"] == 12


@pytest.mark.parametrize(("figures", "field"), [({"行政许可": "十二"}, "行政许可(件)"),
                                                 ({"行政处罚": "-1"}, "行政处罚(件)"),
                                                 ({"行政事业性收费": "1.234567"}, "行政事业性收费(万元)")])
def test_a_wrong_figure_is_refused_naming_the_field(con, org, figures, field):
    with pytest.raises(ValidationError) as refused:
        dr.save(con, org.webmaster, YEAR, overview="概述", problems="", other="", figures=figures)
    assert refused.value.field == field and "第五十条" in str(refused.value)
    assert dr.texts(con, YEAR)["overview"] == ""  # nothing half-saved


def test_only_the_office_writes_the_report(con, org):
    with pytest.raises(PermissionDenied):
        dr.save(con, org.leader, YEAR, overview="概述", problems="", other="", figures={})
    with pytest.raises(ValidationError, match="年度"):
        dr.save(con, org.webmaster, dt.date.today().year + 1, overview="概述", problems="", other="", figures={})


# ---------------------------------------------------------------- Word

def test_the_word_document_has_the_six_parts_and_the_three_tables(con, org):
    settings.set_values(con, org.webmaster, {"site_name": "陕西省工业和信息化厅"})
    application(con, "自然人", D(YEAR, 3, 1), D(YEAR, 3, 5), "予以公开")
    application(con, "社会公益组织", D(YEAR, 4, 1), D(YEAR, 4, 9), "逾期未缴费")
    application(con, "商业企业", D(YEAR, 12, 29))
    catalogued(con, org, "规章", D(YEAR, 2, 1))
    appeal(con, 1, "行政复议", D(YEAR, 5, 1), "维持", D(YEAR, 6, 1))
    dr.save(con, org.webmaster, YEAR, overview="本年度全面推进政务公开。", problems="个别栏目更新不及时。",
            other="本机关未收取信息处理费。", figures={"行政许可": "7", "行政事业性收费": "0"})

    document = Document(io.BytesIO(dr.render(dr.build(con, YEAR))))

    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == f"陕西省工业和信息化厅{YEAR}年政府信息公开工作年度报告"
    assert [p for p in paragraphs if p in dr.PARTS] == list(dr.PARTS)
    assert "本年度全面推进政务公开。" in paragraphs and "本机关未收取信息处理费。" in paragraphs
    proactive, applications, appeals = document.tables
    assert proactive.cell(0, 0).text == "第二十条第(一)项" and proactive.cell(0, 3).text == "第二十条第(一)项"
    assert [c.text for c in proactive.rows[2].cells] == ["规章", "1", "0", "1"]
    assert [c.text for c in proactive.rows[6].cells] == ["行政许可", "7", "7", "7"]  # one merged cell
    assert [c.text for c in proactive.rows[-1].cells][:2] == ["行政事业性收费", "0"]
    header = [c.text for c in applications.rows[1].cells]
    assert header[3:] == ["自然人", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织",
                          "法人或其他组织", "总计"]
    assert [c.text for c in applications.rows[2].cells][4:9] == list(APPLICANT_TYPES[1:])
    by_label = {r.cells[2].text: [c.text for c in r.cells[3:]] for r in applications.rows[3:]}
    assert by_label["一、本年新收政府信息公开申请数量"] == ["1", "1", "0", "1", "0", "0", "3"]
    wording = f"2.{OTHER_HANDLING_WORDING['逾期未缴费']}"
    assert by_label[wording] == ["0", "0", "0", "1", "0", "0", "1"]
    assert by_label["(七)总计"] == ["1", "0", "0", "1", "0", "0", "2"]
    assert by_label["四、结转下年度继续办理"] == ["0", "1", "0", "0", "0", "0", "1"]
    assert applications.rows[5].cells[0].text == "三、本年度办理结果"
    assert applications.rows[-2].cells[0].text == "三、本年度办理结果"  # merged down to 总计
    assert [c.text for c in appeals.rows[2].cells][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert [c.text for c in appeals.rows[3].cells][:5] == ["1", "0", "0", "0", "1"]
    assert appeals.rows[0].cells[7].text == "行政诉讼" and appeals.rows[1].cells[12].text == "复议后起诉"


# ---------------------------------------------------------------- the portal article

@pytest.fixture
def annual_column(con, org):
    bgs = org.webmaster.division_id
    return con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('xxgknb', '政府信息公开年报', "
                       "'openinfo', ?) RETURNING id", [bgs]).fetchone()[0]


def written(con, org, year=YEAR):
    dr.save(con, org.webmaster, year, overview="本年度全面推进政务公开。", problems="个别栏目更新不及时。",
            other="无。", figures={})


def test_the_report_goes_to_its_column_through_the_approval_chain_and_again_to_the_same_article(con, org,
                                                                                                annual_column):
    application(con, "自然人", D(YEAR, 3, 1), D(YEAR, 3, 5), "予以公开")
    written(con, org)

    first = dr.submit(con, org.webmaster, YEAR)

    assert first.state == "pending" and first.column_id == annual_column and first.step == 1
    assert first.title == f"陕西省工业和信息化厅{YEAR}年政府信息公开工作年度报告"
    assert "<table>" in first.body_html and "本年度全面推进政务公开。" in first.body_html
    assert dr.texts(con, YEAR)["article_id"] == first.id
    assert scalar(con, "SELECT count(*) FROM workflow_events WHERE article_id = ? AND action = 'submit'",
                  [first.id]) == 1

    application(con, "商业企业", D(YEAR, 6, 1), D(YEAR, 6, 9), "部分公开")
    again = dr.submit(con, org.webmaster, YEAR)

    assert again.id == first.id and again.state == "pending" and again.revision == 2
    assert scalar(con, "SELECT count(*) FROM articles WHERE column_id = ?", [annual_column]) == 1


def test_in_a_catalogue_column_the_report_carries_its_catalogue_entry(con, org, annual_column):
    """The report is 主动公开 information itself: where its column's kind carries catalogue data (the demo's
    政府信息公开年报 does), submitting writes the entry 第十二条 asks for, once."""
    con.execute("INSERT OR IGNORE INTO catalogue_kinds VALUES ('openinfo')")
    written(con, org)
    first = dr.submit(con, org.webmaster, YEAR)
    entry = catalogue.entry(con, first.id)
    assert first.state == "pending"
    assert (entry["issuer"], entry["disclosure"], entry["validity"], entry["topic"]) == \
        ("陕西省工业和信息化厅", "主动公开", "有效", "综合政务")
    again = dr.submit(con, org.webmaster, YEAR)
    assert again.id == first.id and catalogue.entry(con, first.id)["updated_at"] == entry["updated_at"]


def test_submitting_needs_the_texts_the_column_and_the_office(con, org):
    with pytest.raises(ValidationError, match="一、总体情况"):
        dr.submit(con, org.webmaster, YEAR)
    written(con, org)
    with pytest.raises(ValidationError, match="xxgknb"):
        dr.submit(con, org.webmaster, YEAR)  # no column with the slug the setting names
    with pytest.raises(PermissionDenied):
        dr.submit(con, org.leader, YEAR)


def test_the_column_is_found_by_the_setting(con, org):
    other = con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('ndbg', '年度报告', 'openinfo', ?) "
                        "RETURNING id", [org.webmaster.division_id]).fetchone()[0]
    settings.set_values(con, org.webmaster, {dr.COLUMN_SETTING: "ndbg"})
    written(con, org)
    assert dr.submit(con, org.webmaster, YEAR).column_id == other


# ---------------------------------------------------------------- the command line

def run_cli(*args):
    environment = {**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"}
    return subprocess.run([sys.executable, "-m", "core", "disclosure", "report", *args], cwd=ROOT,
                          capture_output=True, text=True, env=environment, timeout=300)


def test_the_command_prints_part_three_and_writes_the_document(con, tmp_path):
    application(con, "自然人", D(YEAR - 1, 12, 30), D(YEAR, 1, 6), "本机关不掌握相关政府信息")
    application(con, "法律服务机构", D(YEAR, 7, 1))
    database = tmp_path / "portal.duckdb"
    con.close()
    out = tmp_path / "年报.docx"

    done = run_cli("--year", str(YEAR), "--json", "--out", str(out), "--db", str(database))

    assert done.returncode == 0, done.stderr
    table = json.loads(done.stdout)
    assert table["carried_in"]["自然人"] == 1 and table["outcomes"]["本机关不掌握相关政府信息"]["total"] == 1
    assert table["new"]["法律服务机构"] == 1 and table["carried_out"] == {**dict.fromkeys(APPLICANT_TYPES, 0),
                                                                         "法律服务机构": 1, "total": 1}
    assert Document(str(out)).paragraphs[0].text.endswith(f"{YEAR}年政府信息公开工作年度报告")


def test_the_command_refuses_a_year_to_come_and_asks_for_an_output(tmp_path):
    later = run_cli("--year", str(dt.date.today().year + 1), "--json", "--db", str(tmp_path / "x.duckdb"))
    assert later.returncode == 2 and "年度" in later.stderr
    nothing = run_cli("--year", str(YEAR), "--db", str(tmp_path / "x.duckdb"))
    assert nothing.returncode == 2 and "--json" in nothing.stderr


def test_check_names_a_row_whose_applicant_columns_do_not_add_up(con):
    t = dr.applications_table(con, YEAR)
    t["carried_in"]["total"] = 1
    t["outcomes"]["重复申请"]["科研机构"] = 2
    problems = dr.check(t)
    assert "上年结转:各类申请人之和 ≠ 总计" in problems and "重复申请:各类申请人之和 ≠ 总计" in problems
