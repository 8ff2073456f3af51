"""政府网站工作年度报表 (第二十五条; 国办函〔2018〕12号): the computed rows on a database whose content is known
and counted by hand, the office's entries validated and kept, the Word form, and the portal article through the
approval chain onto the built portal."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from core import settings, workflow
from core import site_report as sr
from core.db import scalar
from core.errors import PermissionDenied, ValidationError
from core.portal import article_url, build_site
from tests.test_portal import approve

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
T = dt.datetime


def article(con, org, column_id: int, published_at: dt.datetime | None, title: str = "一则信息") -> int:
    return con.execute(
        "INSERT INTO articles (column_id, lead_division_id, title, author_id, state, published_at, public) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [column_id, org.dz, title, org.officer.id, "published" if published_at else "draft", published_at,
         published_at is not None]).fetchone()[0]


def column(con, org, slug: str, kind: str, *, parent: int | None = None, created: dt.datetime | None = None,
           retired: bool = False) -> int:
    return con.execute(
        "INSERT INTO columns (slug, name, kind, division_id, parent_id, created_at, retired) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [slug, slug, kind, org.dz, parent, created or T(YEAR - 2, 1, 1), retired]).fetchone()[0]


def hit(con, at: dt.datetime, client: str, path: str = "/", *, status: int = 200, method: str = "GET",
        agent: str = "Mozilla/5.0 (Windows NT 10.0) Chrome/120") -> None:
    con.execute("INSERT INTO access_hits VALUES (?, ?, ?, ?, ?, 100, '-', ?, 'f1', 1)",
                [at, client, method, path, status, agent])


def message(con, org, received: dt.datetime, answered: dt.datetime | None = None, state: str = "routed",
            published: dt.datetime | None = None) -> None:
    number = scalar(con, "SELECT count(*) FROM messages") + 1
    con.execute(
        "INSERT INTO messages (code, kind, division_id, subject, body, name, state, received_at, routed_at, due_on, "
        "answered_at, published_at, answer, public_subject, public_body) "
        "VALUES (?, 'consult', ?, '咨询', '内容', '张三', ?, ?, ?, ?, ?, ?, '答复', '咨询', '内容')",
        [f"C{number:07d}", org.dz, state, received, received, (received + dt.timedelta(days=14)).date(), answered,
         published])


def test_visits_follow_the_issues_definitions(con):
    hit(con, T(YEAR, 3, 1, 9), "1.1.1.1")  # a view
    hit(con, T(YEAR, 3, 1, 10), "1.1.1.1", "/xwzx/index.html")  # same visitor, second view
    hit(con, T(YEAR, 3, 2), "2.2.2.2", "/a/b.html", status=304)  # a view answered 304
    hit(con, T(YEAR, 3, 2), "2.2.2.2", "/a/b.html", agent="Mozilla/5.0 Firefox/120")  # another agent: visitor
    hit(con, T(YEAR, 3, 3), "3.3.3.3", "/files/a.pdf")  # not a page
    hit(con, T(YEAR, 3, 3), "3.3.3.3", "/nothing.html", status=404)  # not found
    hit(con, T(YEAR, 3, 3), "3.3.3.3", "/", method="HEAD")  # not a GET
    hit(con, T(YEAR, 3, 3), "4.4.4.4", "/", agent="Mozilla/5.0 (compatible; Baiduspider/2.0)")  # a robot
    hit(con, T(YEAR, 3, 3), "4.4.4.4", "/", agent="python-requests/2.31")  # a robot
    hit(con, T(YEAR - 1, 12, 31, 23, 59), "5.5.5.5")  # the year before
    hit(con, T(YEAR + 1, 1, 1), "5.5.5.5")  # the year after

    assert sr.computed(con, YEAR)["visits"] == {"page_views": 4, "visitors": 3}


@pytest.fixture
def known(con, org):
    """A year of content counted by hand (the numbers in the comments)."""
    general = column(con, org, "jggk", "general")
    notice = column(con, org, "tzgg", "notice")
    policy = column(con, org, "zcwj", "policy")
    reading = column(con, org, "zcjd", "interpretation")
    # 信息发布: 2 in 工作动态 (news), 1 in 机构概况 (general), 1 in 通知公告 (notice), 2 policies with a catalogue
    # entry, 1 解读 (interpretation) = 7 in the year; 1 the year before, 1 draft: not counted
    for when in (T(YEAR, 2, 1), T(YEAR, 11, 30)):
        article(con, org, org.col_dz, when)
    article(con, org, general, T(YEAR, 4, 1))
    article(con, org, notice, T(YEAR, 5, 1))
    first_policy = article(con, org, policy, T(YEAR, 6, 1), "政策一")
    second_policy = article(con, org, policy, T(YEAR, 6, 2), "政策二")
    read = article(con, org, reading, T(YEAR, 6, 3), "解读")
    article(con, org, org.col_dz, T(YEAR - 1, 12, 31))
    article(con, org, org.col_dz, None)
    con.execute("INSERT INTO catalogue_entries (article_id) VALUES (?), (?)", [first_policy, second_policy])
    con.execute("INSERT INTO catalogue_entries (article_id, interprets) VALUES (?, ?)", [read, first_policy])
    # 专栏专题: two 专题 before the year (one retired), one opened in the year with a sub-column, one next year
    column(con, org, "zt-old", "special")
    column(con, org, "zt-gone", "special", retired=True)
    opened = column(con, org, "zt-new", "special", created=T(YEAR, 8, 1))
    column(con, org, "zt-new-sub", "special", parent=opened, created=T(YEAR, 8, 1))
    column(con, org, "zt-later", "special", created=T(YEAR + 1, 2, 1))
    # 留言: 3 received in the year; 2 answered (1 and 3 working days after routing), 1 of them published
    message(con, org, T(YEAR, 3, 3, 9), T(YEAR, 3, 4, 9), "published", T(YEAR, 3, 4, 10))  # Mon → Tue: 1
    message(con, org, T(YEAR, 3, 5, 9), T(YEAR, 3, 10, 9), "closed")  # Wed → next Mon: Thu, Fri, Mon = 3
    message(con, org, T(YEAR, 12, 30, 9))  # still open
    message(con, org, T(YEAR - 1, 6, 1), T(YEAR - 1, 6, 2), "closed")  # the year before
    # 安全防护: 2 confirmed incidents in the year (1 closed), 1 suggestion and 1 dismissed: not problems
    for status in ("open", "closed", "suggested", "dismissed"):
        con.execute("INSERT INTO incidents (title, severity, status, discovered_at, created_by) "
                    "VALUES ('网页被篡改', '一般', ?, ?, 'webmaster')", [status, T(YEAR, 7, 1)])
    con.execute("INSERT INTO site_probes VALUES (?, 'https://www.sxit.gov.cn/', TRUE, 200, TRUE, 80, '')",
                [T(YEAR, 7, 1)])
    for n in range(3):
        hit(con, T(YEAR, 9, 1), f"10.0.0.{n}")
    settings.set_values(con, org.webmaster, {"site_code": "6100000047", "site_name": "陕西省工业和信息化厅"})
    return {"reading": reading}


def test_the_computed_rows_on_known_content(con, org, known):
    data = sr.computed(con, YEAR)

    assert data["visits"] == {"page_views": 3, "visitors": 3}
    assert data["publishing"] == {"total": 7, "overview": 1, "news": 3, "catalogue": 3}
    assert data["specials"] == {"maintained": 2, "opened": 1}
    assert data["readings"] == 1
    assert data["messages"]["received"] == 3 and data["messages"]["answered"] == 2
    assert data["messages"]["published"] == 1
    assert data["messages"]["mean_days"] == pytest.approx(2.0)
    assert data["security"] == {"found": 2, "fixed": 1, "probes": 1}
    assert data["site_code"] == "6100000047"
    shown = {(line.item, line.sub): line.value for line in sr.build(con, YEAR).lines}
    assert shown[("总数", None)] == "7"
    assert shown[("留言办理", "平均办理时间(单位:工作日)")] == "2.0"
    assert shown[("是否建立安全监测预警机制", None)] == "是"
    assert shown[("政策解读(单位:条)", "解读材料数量")] == "—"  # not entered yet


def test_the_office_decides_which_kinds_count_as_news(con, org, known):
    sr.set_kind_category(con, org.webmaster, "notice", None)
    sr.set_kind_category(con, org.webmaster, "policy", "概况类")
    assert sr.computed(con, YEAR)["publishing"] == {"total": 7, "overview": 3, "news": 2, "catalogue": 3}
    with pytest.raises(ValidationError, match="信息类别"):
        sr.set_kind_category(con, org.webmaster, "news", "其他")
    with pytest.raises(PermissionDenied):
        sr.set_kind_category(con, org.leader, "news", None)


def test_entries_are_validated_naming_the_field_and_kept(con, org):
    saved = sr.save_entries(con, org.webmaster, YEAR, {"reading_material": "12", "drills": "是",
                                                       "filler": "王五", "filler_phone": "029-87654321",
                                                       "filled_on": "2026-01-10"})
    assert saved["reading_material"] == "12" and saved["drills"] == "是" and saved["filled_on"] == "2026-01-10"
    for values, field, rule in [({"reading_product": "三"}, "解读产品数量", "整数"),
                                ({"smart_qa": "有"}, "是否提供智能问答", "是"),
                                ({"filler_phone": "12345"}, "联系电话", "固定电话"),
                                ({"filled_on": "2026/13/01"}, "填报日期", "日期"),
                                ({"weibo_posts": "-1"}, "微博信息发布量", "整数")]:
        with pytest.raises(ValidationError) as refused:
            sr.save_entries(con, org.webmaster, YEAR, {"reading_material": "99", **values})
        assert refused.value.field == field and rule in str(refused.value) and "第二十五条" in str(refused.value)
    assert sr.entries(con, YEAR)["reading_material"] == "12"  # nothing of a refused save was written
    sr.save_entries(con, org.webmaster, YEAR, {"drills": ""})
    assert sr.entries(con, YEAR)["drills"] is None and sr.entries(con, YEAR)["filler"] == "王五"
    assert sr.entries(con, YEAR + 0)["reading_material"] == "12" and sr.entries(con, YEAR - 1)["filler"] is None


def test_only_the_office_enters_and_leaders_read(con, org):
    with pytest.raises(PermissionDenied):
        sr.save_entries(con, org.leader, YEAR, {"drills": "是"})
    assert sr.view(con, org.leader, YEAR).year == YEAR
    with pytest.raises(PermissionDenied):
        sr.view(con, org.officer, YEAR)
    with pytest.raises(ValidationError, match="年度"):
        sr.save_entries(con, org.webmaster, dt.date.today().year + 1, {"drills": "是"})


def test_the_word_form_holds_the_figures(con, org, known):
    sr.save_entries(con, org.webmaster, YEAR, {"reading_material": "4", "security_person": "李四(办公室主任)",
                                               "filler": "王五", "filler_phone": "029-87654321"})
    document = Document(io.BytesIO(sr.render(sr.build(con, YEAR))))

    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "政府网站工作年度报表" and texts[1] == f"({YEAR}年度)"
    assert "填报人:王五" in texts[-1] and "联系电话:029-87654321" in texts[-1]
    (table,) = document.tables
    by_label = {}
    for r in table.rows:
        cells = [c.text for c in r.cells]
        by_label[(cells[1], cells[2])] = cells[3]
    assert by_label[("独立用户访问总量(单位:个)", "独立用户访问总量(单位:个)")] == "3"
    assert by_label[("政务动态信息更新量", "政务动态信息更新量")] == "3"
    assert by_label[("政策解读(单位:条)", "解读材料数量")] == "4"
    assert by_label[("留言办理", "收到留言数量(单位:条)")] == "3"
    assert by_label[("新开设数量", "新开设数量")] == "1"
    assert by_label[("是否明确网站安全责任人", "是否明确网站安全责任人")] == "是(李四(办公室主任))"
    assert table.rows[0].cells[0].text == "网站名称" and table.rows[0].cells[3].text == "陕西省工业和信息化厅"
    assert [r.cells[0].text for r in table.rows].count("互动交流") == 12  # merged down its rows


@pytest.fixture
def report_column(con, org):
    return con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('wzndbb', '政府网站年度报表', "
                       "'general', ?) RETURNING id", [org.dz]).fetchone()[0]


def filled(con, org):
    sr.save_entries(con, org.webmaster, YEAR, {"filler": "王五", "filler_phone": "029-87654321",
                                               "filled_on": f"{YEAR + 1}-01-10"})


def test_the_form_goes_through_the_approval_chain_and_then_onto_the_portal(con, org, known, report_column, tmp_path):
    with pytest.raises(ValidationError, match="填报人"):
        sr.submit(con, org.webmaster, YEAR)
    filled(con, org)

    first = sr.submit(con, org.webmaster, YEAR)

    assert first.state == "pending" and first.column_id == report_column and first.published_at is None
    assert first.title == f"陕西省工业和信息化厅政府网站工作年度报表({YEAR}年度)"
    assert "<table>" in first.body_html and "独立用户访问总量" in first.body_html
    again = sr.submit(con, org.webmaster, YEAR)
    assert again.id == first.id and scalar(con, "SELECT count(*) FROM articles WHERE column_id = ?",
                                           [report_column]) == 1
    note, warn = sr.deadline_note(YEAR, again, today=dt.date(YEAR + 1, 1, 20))
    assert "2026年01月31日" in note and "还有 11 天" in note and warn

    approved = approve(con, org.head, again)
    live = workflow.publish(con, org.webmaster, approved.id, approved.version)
    site = tmp_path / "site"
    build_site(con, site)

    page = (site / article_url(live.id, live.published_at).lstrip("/")).read_text(encoding="utf-8")
    assert f"政府网站工作年度报表({YEAR}年度)" in page and "独立用户访问总量" in page and "王五" in page
    assert sr.submitted(con, YEAR).state == "published"


def test_submitting_needs_the_column_and_the_office(con, org):
    filled(con, org)
    with pytest.raises(ValidationError, match="wzndbb"):
        sr.submit(con, org.webmaster, YEAR)
    with pytest.raises(PermissionDenied):
        sr.submit(con, org.leader, YEAR)


def test_the_deadline_is_the_31st_of_january(con):
    assert sr.deadline(YEAR) == dt.date(YEAR + 1, 1, 31)
    note, warn = sr.deadline_note(YEAR, None, today=dt.date(YEAR + 1, 2, 3))
    assert "已过 3 天" in note and warn
    note, warn = sr.deadline_note(YEAR, None, today=dt.date(YEAR, 10, 1))
    assert "前在门户首页显著位置发布" in note and not warn


def test_the_workbench_groups_hold_every_entered_field_once():
    grouped = [key for keys in sr.GROUPS.values() for key in keys]
    assert sorted(grouped) == sorted(sr.FIELDS) and len(grouped) == len(set(grouped))


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "core", "site-report", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"}, timeout=300)


def test_the_command_writes_the_word_form_and_prints_its_rows(con, org, known, tmp_path):
    database = tmp_path / "portal.duckdb"
    con.close()
    out = tmp_path / "年报.docx"

    done = run_cli("--year", str(YEAR), "--out", str(out), "--json", "--db", str(database))

    assert done.returncode == 0, done.stderr
    rows = {(r["item"], r["sub"]): r for r in json.loads(done.stdout)["rows"]}
    assert rows[("政务动态信息更新量", None)]["value"] == "3" and rows[("政务动态信息更新量", None)]["computed"]
    assert not rows[("是否开展应急演练", None)]["computed"]
    assert Document(str(out)).paragraphs[1].text == f"({YEAR}年度)"
    later = run_cli("--year", str(dt.date.today().year + 1), "--json", "--db", str(database))
    assert later.returncode == 2 and "年度" in later.stderr
    nothing = run_cli("--year", str(YEAR), "--db", str(database))
    assert nothing.returncode == 2 and "--out" in nothing.stderr
