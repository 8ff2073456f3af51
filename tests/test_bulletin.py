"""Bulletins (通报, 第二十五、二十七条): the Word document's contents, issuing and keeping, the commands."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from docx import Document

from core import bulletin, settings, stats, workflow
from core.db import connect, rows, scalar
from core.errors import PermissionDenied, ValidationError
from tests.conftest import make_org
from tests.test_statistics import correct, message, published

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date.today()
PERIOD = f"{TODAY:%Y-%m}"


def opened(data: bytes):
    return Document(io.BytesIO(data))


def text_of(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def table_after(document, heading: str) -> list[list[str]] | None:
    """The table that follows the paragraph starting with `heading` (python-docx keeps body order)."""
    body = document.element.body
    found = False
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p" and "".join(child.itertext()).startswith(heading):
            found = True
        elif found and tag == "tbl":
            table = next(t for t in document.tables if t._tbl is child)
            return [[cell.text for cell in r.cells] for r in table.rows]
        elif found and tag == "p" and "".join(child.itertext()).startswith(("一、", "二、", "三、", "四、", "五、", "六、")):
            return None
        elif found and tag == "p" and "".join(child.itertext()).startswith("逾期留言明细") and heading != "逾期留言明细":
            return None
    return None


@pytest.fixture
def scene(con, org):
    """电子信息处: two on time, one late, one returned then taken down; 财务处: one on time; 办公室: nothing.
    One message overdue and still open; one stale column (财政资金, reminded twice); one criticism."""
    a = published(con, org, "电子信息产业推进会召开")
    published(con, org, "集成电路产业调研座谈会召开", ended=TODAY - dt.timedelta(days=20))
    r = published(con, org, "软件产业座谈会召开", returned=True)
    correct(con, org, a)
    workflow.take_down(con, org.webmaster, r.id, workflow.get_article(con, r.id).version, "数据有误")
    published(con, org, "财政资金公示", column=org.col_cw, officer=org.officer_cw, head=org.head_cw)
    # the 财政资金 column: its only item is old, so it is stale
    con.execute("UPDATE articles SET published_at = published_at - INTERVAL 400 DAY WHERE column_id = ?",
                [org.col_cw])
    con.execute("INSERT INTO freshness_reminders (column_id, division_id, sent_on) VALUES (?, ?, ?), (?, ?, ?)",
                [org.col_cw, org.cw, TODAY - dt.timedelta(days=14), org.col_cw, org.cw, TODAY - dt.timedelta(days=7)])
    first = TODAY.replace(day=1)
    message(con, "M1", org.dz, received=dt.datetime.combine(first, dt.time(9)), due=first, kind="complain")
    con.execute("INSERT INTO criticisms (year, ground, division_id, column_id, evidence, created_by) "
                "VALUES (?, 5, ?, ?, '财政资金栏目经两次提醒仍未更新', ?)", [TODAY.year, org.cw, org.col_cw, org.webmaster.id])
    return org


def test_a_bulletin_says_what_the_period_held(con, scene):
    data, contents = bulletin.build(con, PERIOD)
    document = opened(data)
    text = text_of(document)
    assert document.paragraphs[0].text == bulletin.TITLE
    assert stats.parse_period(PERIOD).label in document.paragraphs[1].text and "未印发稿" in document.paragraphs[1].text
    assert "第二十五条" in text

    divisions = table_after(document, "二、")
    assert divisions[0][:8] == ["序号", "处室", "发布数量", "按时发布率", "退回", "更正", "撤下", "格式问题"]
    by_name = {r[1]: r for r in divisions[1:]}
    assert by_name["电子信息处"][2:7] == ["3", "66.7%", "1", "1", "1"]
    assert by_name["财务处"][2] == "0"  # its item was published 400 days ago: not this period
    assert by_name["办公室"][2] == "0"

    ranking = table_after(document, "三、")
    assert [r[:2] for r in ranking[1:]] == [["1", "电子信息处"]]
    assert "本期未发布信息的处室:财务处、办公室" in text

    stale = table_after(document, "四、")
    assert stale[1][0] == "财政资金" and stale[1][1] == "财务处" and stale[1][2] == "超期未更新"
    assert stale[1][-1] == "2"  # reminders sent since its last publication

    per_division = table_after(document, "五、")
    assert per_division[1][:3] == ["电子信息处", "1", "1"]
    overdue = table_after(document, "逾期留言明细")
    assert overdue[1][:4] == ["#1", "投诉", "留言 M1", "电子信息处"] and overdue[1][5] == "仍未答复"
    assert "M1" not in overdue[1][0]  # the citizen's tracking code is not printed

    assert "财务处(财政资金栏目):第二十七条(五)" in text and "经两次提醒仍未更新" in text
    assert "不得给予表彰和奖励" in text
    assert contents.summary().startswith(stats.parse_period(PERIOD).label)


def test_a_quiet_period_says_so(con, org):
    document = opened(bulletin.build(con, "2024Q2")[0])
    text = text_of(document)
    assert "本期各局处室均未发布信息" in text
    assert "本期留言均按期答复" in text and "本期无通报批评事项" in text
    assert "2024年第二季度" in document.paragraphs[1].text


def test_many_overdue_messages_are_counted_per_division_and_the_longest_named(con, org):
    first = TODAY.replace(day=1)
    for n in range(bulletin.OVERDUE_LISTED + 5):
        message(con, f"X{n}", org.dz if n % 2 else org.cw, received=dt.datetime.combine(first, dt.time(9)),
                due=first)
    document = opened(bulletin.build(con, PERIOD)[0])
    per_division = table_after(document, "五、")
    assert sorted(r[1] for r in per_division[1:]) == ["27", "28"]
    listed = table_after(document, "逾期留言明细")
    assert len(listed) == bulletin.OVERDUE_LISTED + 1
    assert "其余见统计分析页面明细" in text_of(document)


def test_ranking_orders_by_share_then_quantity_and_shares_places():
    rows_ = [
        {"name": "甲", "published": 5, "on_time_share": 0.8, "returned_share": 0.0},
        {"name": "乙", "published": 9, "on_time_share": 0.8, "returned_share": 0.0},
        {"name": "丙", "published": 2, "on_time_share": 1.0, "returned_share": 0.5},
        {"name": "丁", "published": 3, "on_time_share": None, "returned_share": None},
        {"name": "戊", "published": 0, "on_time_share": None, "returned_share": None},
        {"name": "己", "published": 5, "on_time_share": 0.8, "returned_share": 0.0},
    ]
    ranked = bulletin.ranking(rows_)
    assert [(r["rank"], r["name"]) for r in ranked] == [(1, "丙"), (2, "乙"), (3, "己"), (3, "甲"), (5, "丁")]


@pytest.mark.parametrize("text", ["2026", "2026-10-01..2026-10-15", "十月"])
def test_bulletins_are_monthly_or_quarterly(text):
    with pytest.raises(ValidationError):
        bulletin.bulletin_period(text)


def test_building_records_nothing_and_issuing_keeps_the_document(con, scene):
    before = scalar(con, "SELECT count(*) FROM audit_log")
    bulletin.build(con, PERIOD)
    assert scalar(con, "SELECT count(*) FROM audit_log") == before
    assert scalar(con, "SELECT count(*) FROM bulletins") == 0

    first = bulletin.issue(con, scene.webmaster, PERIOD)
    other = bulletin.issue(con, scene.webmaster, "2024Q2")
    assert (first["number"], other["number"]) == (1, 1)  # 2024's first
    assert f"{TODAY.year}年第1期" in opened(first["docx"]).paragraphs[1].text
    listed = bulletin.issued(con, scene.analyst)
    assert [b["id"] for b in listed] == [other["id"], first["id"]]
    assert listed[1]["issued_by"] == "WEBMASTER" and "逾期留言 1 条" in listed[1]["summary"]
    # the kept document does not change when the data does
    settings.set_values(con, scene.webmaster, {"publish_lag_days": 30})
    kept = bulletin.get(con, scene.head, first["id"])
    assert kept["docx"] == first["docx"] and kept["sha256"] == first["sha256"]
    logged = rows(con, "SELECT actor, object FROM audit_log WHERE action = 'bulletin.issue' ORDER BY id")
    assert logged == [{"actor": "webmaster", "object": f"bulletin:{first['id']}"},
                      {"actor": "webmaster", "object": f"bulletin:{other['id']}"}]


# ---------------------------------------------------------------- the default period, one issue per period

@pytest.mark.parametrize("today, month, quarter", [
    (dt.date(2027, 1, 1), "2026-12", "2026Q4"),  # across the year boundary
    (dt.date(2027, 1, 31), "2026-12", "2026Q4"),
    (dt.date(2026, 12, 31), "2026-11", "2026Q3"),  # December is not over on its last day
    (dt.date(2026, 12, 1), "2026-11", "2026Q3"),
    (dt.date(2026, 4, 1), "2026-03", "2026Q1"),
    (dt.date(2026, 3, 31), "2026-02", "2025Q4"),
])
def test_the_default_period_is_the_last_complete_month_or_quarter(today, month, quarter):
    assert bulletin.last_complete("month", today).code == month
    assert bulletin.last_complete("quarter", today).code == quarter
    for kind in ("month", "quarter"):
        period = bulletin.last_complete(kind, today)
        assert bulletin.is_complete(period, today) and period.end >= today - dt.timedelta(days=92)


def test_the_same_period_is_not_issued_twice(con, scene):
    first = bulletin.issue(con, scene.webmaster, PERIOD)
    with pytest.raises(ValidationError, match="第二十五条") as refused:
        bulletin.issue(con, scene.webmaster, PERIOD)
    message = str(refused.value)
    assert f"{TODAY.year}年第1期" in message and "不能重复印发" in message and "更正" in message
    assert "WEBMASTER" in message  # who issued it
    assert scalar(con, "SELECT count(*) FROM bulletins") == 1
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'bulletin.issue'") == 1
    assert bulletin.issues_of(con, PERIOD)[0]["id"] == first["id"]


def test_a_double_click_from_two_sessions_makes_one_issue(con, scene):
    """Two sessions (two cursors, as the workbench gives each run) press 印发 at the same moment:
    whichever commits second is refused, by the period check or by the (year, number) key."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press():
        cursor = con.cursor()
        barrier.wait()
        try:
            bulletin.issue(cursor, scene.webmaster, PERIOD)
            outcomes.append("issued")
        except ValidationError as exc:
            outcomes.append(str(exc))
        finally:
            cursor.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("issued") == 1
    assert "第二十五条" in next(o for o in outcomes if o != "issued")
    assert scalar(con, "SELECT count(*) FROM bulletins") == 1


def test_a_correction_names_the_issue_it_corrects_and_why(con, scene):
    first = bulletin.issue(con, scene.webmaster, PERIOD)
    with pytest.raises(ValidationError, match="更正原因"):
        bulletin.issue(con, scene.webmaster, PERIOD, correction_of=1, reason="  ")
    with pytest.raises(ValidationError, match="只能更正这一期"):
        bulletin.issue(con, scene.webmaster, PERIOD, correction_of=7, reason="数据有误")
    fixed = bulletin.issue(con, scene.webmaster, PERIOD, correction_of=1, reason="电子信息处发布数量统计有误")
    assert fixed["number"] == 2 and fixed["corrects"] == first["id"]
    assert fixed["correction_reason"] == "电子信息处发布数量统计有误"
    document = opened(fixed["docx"])
    assert f"{TODAY.year}年第2期" in document.paragraphs[1].text
    top = document.paragraphs[2].text
    assert top.startswith(f"本期为{TODAY.year}年第1期的更正") and "电子信息处发布数量统计有误" in top
    assert "更正" not in text_of(opened(first["docx"]))[:200]
    listed = bulletin.issued(con, scene.analyst)
    assert (listed[0]["corrects_number"], listed[1]["corrects_number"]) == (1, None)
    # the correction is now the period's current issue: correcting the old one again is refused
    with pytest.raises(ValidationError, match=f"{TODAY.year}年第2期"):
        bulletin.issue(con, scene.webmaster, PERIOD, correction_of=1, reason="再次更正")
    assert "更正第1期" in scalar(con, "SELECT summary FROM audit_log WHERE object = ?", [f"bulletin:{fixed['id']}"])


def test_a_correction_of_a_period_never_issued_is_refused(con, org):
    with pytest.raises(ValidationError, match="尚未印发通报"):
        bulletin.issue(con, org.webmaster, PERIOD, correction_of=1, reason="数据有误")
    assert scalar(con, "SELECT count(*) FROM bulletins") == 0


@pytest.mark.parametrize("who", ["analyst", "head", "leader", "officer"])
def test_only_the_office_issues(con, org, who):
    with pytest.raises(PermissionDenied, match="第二十五条"):
        bulletin.issue(con, getattr(org, who), PERIOD)
    assert scalar(con, "SELECT count(*) FROM bulletins") == 0


def test_a_future_period_cannot_be_issued(con, org):
    with pytest.raises(ValidationError, match="尚未开始"):
        bulletin.issue(con, org.webmaster, f"{TODAY.year + 1}-01")


def test_officers_may_not_read_issued_bulletins(con, org):
    with pytest.raises(PermissionDenied):
        bulletin.issued(con, org.officer)


# ---------------------------------------------------------------- the commands

def run(*args):
    environment = {**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"}
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          env=environment, timeout=300)


@pytest.fixture
def db_file(tmp_path, con):
    published(con, make_org(con), "电子信息产业推进会召开")
    con.close()
    return tmp_path / "portal.duckdb"


def test_cli_writes_a_bulletin_without_recording_it(db_file, tmp_path):
    out = tmp_path / "通报.docx"
    result = run("bulletin", "--db", str(db_file), "--period", PERIOD, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert '"issued": false' in result.stdout
    document = opened(out.read_bytes())
    assert document.paragraphs[0].text == bulletin.TITLE
    con = connect(db_file)
    assert scalar(con, "SELECT count(*) FROM bulletins") == 0
    con.close()


def test_cli_issues_under_a_webmaster_account(db_file, tmp_path):
    out = tmp_path / "issued.docx"
    refused = run("bulletin", "--db", str(db_file), "--period", PERIOD, "--out", str(out), "--issue", "--by", "analyst")
    assert refused.returncode == 2 and "第二十五条" in refused.stderr and not out.exists()
    result = run("bulletin", "--db", str(db_file), "--period", PERIOD, "--out", str(out), "--issue", "--by", "webmaster")
    assert result.returncode == 0, result.stderr
    con = connect(db_file)
    kept = rows(con, "SELECT number, docx FROM bulletins")
    con.close()
    assert len(kept) == 1 and bytes(kept[0]["docx"]) == out.read_bytes()


def test_cli_issues_a_period_once_and_then_only_as_a_correction(db_file, tmp_path):
    common = ["bulletin", "--db", str(db_file), "--period", PERIOD, "--issue", "--by", "webmaster"]
    assert run(*common, "--out", str(tmp_path / "1.docx")).returncode == 0
    again = run(*common, "--out", str(tmp_path / "again.docx"))
    assert again.returncode == 2 and "不能重复印发" in again.stderr and "第二十五条" in again.stderr
    assert not (tmp_path / "again.docx").exists()
    fixed = run(*common, "--out", str(tmp_path / "2.docx"), "--correction-of", "1", "--reason", "发布数量有误")
    assert fixed.returncode == 0, fixed.stderr
    assert '"number": 2' in fixed.stdout and '"corrects": 1' in fixed.stdout
    top = opened((tmp_path / "2.docx").read_bytes()).paragraphs[2].text
    assert top.startswith(f"本期为{TODAY.year}年第1期的更正") and "发布数量有误" in top
    con = connect(db_file)
    kept = rows(con, "SELECT number, corrects, correction_reason FROM bulletins ORDER BY number")
    con.close()
    assert [(k["number"], k["correction_reason"]) for k in kept] == [(1, None), (2, "发布数量有误")]
    assert kept[1]["corrects"] is not None


@pytest.mark.parametrize("args, message", [
    (["--period", "2026", "--out", "x.docx"], "通报期间"),
    (["--period", "2026-10", "--out", "no/such/dir/x.docx"], "不存在"),
    (["--period", "2026-10", "--out", "x.docx", "--issue"], "--by"),
    (["--period", "2026-10", "--out", "x.docx", "--correction-of", "1", "--reason", "有误"], "--issue"),
])
def test_cli_usage_errors_exit_2(db_file, tmp_path, args, message):
    result = run("bulletin", "--db", str(db_file), *[str(tmp_path / a) if a.endswith(".docx") else a for a in args])
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_cli_bulletin_on_a_held_database_exits_3(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ready', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run("bulletin", "--db", str(path), "--period", "2026-10", "--out", str(tmp_path / "b.docx"))
        # a snapshot needs no lock: it copies the file
        snap = run("snapshot", "--db", str(path), "--out", str(tmp_path / "snap.duckdb"))
    finally:
        holder.kill()
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert not (tmp_path / "b.docx").exists()
    assert snap.returncode == 0, snap.stderr


def test_cli_snapshot_is_read_only_and_never_overwrites(db_file, tmp_path):
    out = tmp_path / "analyst.duckdb"
    result = run("snapshot", "--db", str(db_file), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert '"articles": 1' in result.stdout
    copy = duckdb.connect(str(out), read_only=True)
    assert copy.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    copy.close()
    again = run("snapshot", "--db", str(db_file), "--out", str(out))
    assert again.returncode == 2 and "已存在" in again.stderr
    missing = run("snapshot", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x.duckdb"))
    assert missing.returncode == 2
