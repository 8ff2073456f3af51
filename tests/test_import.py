"""`python -m core import`: an old site's JSONL export imported as published articles.

Good lines land as published items with clean bodies; a bad line is reported with its number
and skipped without costing its neighbours; names resolve (or are created with
--create-missing); attachments pass the upload checks; a re-run imports nothing twice; the
command's exit codes and summary; the portal built from the result shows the articles.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import duckdb
import pytest

from core import audit, importer
from core.content import html_to_text
from core.db import connect, row, rows, scalar
from core.demo import load_demo
from core.setup import init_database

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# demo names: 厅内动态 (under 工作动态) and 通知公告 belong to 办公室, 政策文件 to 政策法规处
OFFICE, POLICY = "办公室", "政策法规处"


def good(n: int, **changes) -> dict:
    line = {
        "id": f"old-{n}", "url": f"http://www.sxit.gov.cn/old/{n}.htm",
        "column": "工作动态/厅内动态", "division": OFFICE,
        "title": f"迁移测试稿件第{n}号:省工信厅召开工作推进会",
        "body_html": f"<p style=\"color:red\">第{n}号正文。省工信厅召开会议,研究部署相关工作。</p>",
        "source": "办公室", "work_end_date": "2021-03-01", "published_at": "2021-03-02T10:15:00",
    }
    line.update(changes)
    return {k: v for k, v in line.items() if v is not None}


def write(path: Path, lines: list) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n"
                            for x in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A database with the demo department (names to match), built once and copied per test."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("PORTAL_BCRYPT_ROUNDS", "4")
        path = tmp_path_factory.mktemp("template") / "demo.duckdb"
        con = connect(path)
        init_database(con)
        load_demo(con, articles=80, today=dt.date(2026, 3, 18))
        con.execute("CHECKPOINT")
        con.close()
        return path


@pytest.fixture
def db(template, tmp_path) -> Path:
    path = tmp_path / "portal.duckdb"
    shutil.copy(template, path)
    return path


@pytest.fixture
def con(db):
    connection = connect(db)
    yield connection
    connection.close()


def imported(con, n: int) -> dict | None:
    return row(con, "SELECT a.*, c.name AS column_name, d.name AS division FROM articles a "
                    "JOIN columns c ON c.id = a.column_id JOIN divisions d ON d.id = a.lead_division_id "
                    "WHERE a.title = ?", [good(n)["title"]])


# ------------------------------------------------------------------ what an imported article is


def test_good_lines_are_published_with_sanitised_bodies(con, tmp_path):
    hostile = good(2, body_html="<p>正文<script>alert('x')</script><img src=x onerror=alert(1)></p>"
                                "<style>p{color:red}</style><p onclick=\"alert(2)\">第二段</p>")
    path = write(tmp_path / "old.jsonl", [good(1), hostile, good(3, published_at="2019-07-08")])
    settings = "SELECT current_setting('wal_autocheckpoint'), current_setting('memory_limit')"
    before = con.execute(settings).fetchone()
    result = importer.import_jsonl(con, path)
    assert con.execute(settings).fetchone() == before  # the bulk-load tuning is the import's only
    assert (result.read, result.imported, result.skipped, result.exit_code) == (3, 3, 0, 0)

    system = scalar(con, "SELECT id FROM users WHERE username = 'system'")
    first = imported(con, 1)
    assert first["state"] == "published" and first["public"] and first["live_revision"] == 1
    assert first["revision"] == 1 and first["author_id"] == system and first["published_by"] == system
    assert first["published_at"] == dt.datetime(2021, 3, 2, 10, 15)
    assert first["work_ended_on"] == dt.date(2021, 3, 1) and first["importance"] == "一般"
    assert first["column_name"] == "厅内动态" and first["division"] == OFFICE
    assert "color" not in first["body_html"] and "第1号正文" in first["body_html"]  # 第十五条: no inline styles
    assert imported(con, 3)["published_at"] == dt.datetime(2019, 7, 8)

    body = imported(con, 2)["body_html"]
    for payload in ("<script", "alert", "onerror", "onclick", "<style"):
        assert payload not in body
    assert "第二段" in body
    revision = row(con, "SELECT * FROM revisions WHERE article_id = ?", [first["id"]])
    assert revision["number"] == 1 and revision["title"] == first["title"] and revision["body_html"] == first["body_html"]

    events = rows(con, "SELECT action, from_state, to_state, comment, actor_id, created_at FROM workflow_events "
                       "WHERE article_id = ? ORDER BY id", [first["id"]])
    assert [(e["action"], e["to_state"], e["comment"]) for e in events] == [
        ("create", "draft", "迁移导入"), ("publish", "published", "迁移导入")]
    # dated at the original publication, so the statistics count it in the month it went online
    assert {e["created_at"] for e in events} == {dt.datetime(2021, 3, 2, 10, 15)}
    trace = json.loads(scalar(con, "SELECT summary FROM audit_log WHERE action = 'import.article' AND object = ?",
                              [f"article:{first['id']}"]))
    assert trace["old_url"] == "http://www.sxit.gov.cn/old/1.htm" and trace["old_id"] == "old-1"
    assert trace["line"] == 1 and trace["file"] == "old.jsonl"
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'import.run'") == 1
    # the rows written in bulk are sealed into the hash chain (第二十条)
    assert audit.unsealed_count(con) == 0 and audit.verify(con).ok


def test_lead_division_is_the_line_s_division_when_it_differs_from_the_column_s(con, tmp_path):
    """委托发布 on the old site: 政策法规处's notice in the office's 通知公告 (第七、十四、十八条)."""
    path = write(tmp_path / "old.jsonl", [good(1, column="通知公告", division=POLICY)])
    result = importer.import_jsonl(con, path)
    assert result.imported == 1 and result.notes["lead_differs"] == 1
    article = imported(con, 1)
    assert article["division"] == POLICY and article["column_name"] == "通知公告"
    assert "牵头处室按原网站记录" in result.summary()


def test_times_and_dates(con, tmp_path):
    path = write(tmp_path / "old.jsonl", [
        good(1, published_at="2020-05-06T02:00:00Z"),          # UTC → Beijing time
        good(2, published_at="2020-05-06 09:30", importance="重要"),
        good(3, published_at="2999-01-01"),                    # in the future
        good(4, work_end_date="2020/05/01"),
        good(5, published_at="06/05/2020"),
        good(6, importance="很重要"),
    ])
    result = importer.import_jsonl(con, path)
    assert result.imported == 2
    assert imported(con, 1)["published_at"] == dt.datetime(2020, 5, 6, 10, 0)
    assert imported(con, 2)["importance"] == "重要"
    by_line = {p.line: p for p in result.problems}
    assert by_line[3].reason == "date" and "「published_at」(发布时间)" in by_line[3].message
    assert by_line[4].reason == "date" and "「work_end_date」(工作结束日期)" in by_line[4].message
    assert "YYYY-MM-DD" in by_line[4].message
    assert by_line[5].reason == "date"
    assert by_line[6].reason == "invalid" and "「importance」" in by_line[6].message


# ------------------------------------------------------------------ bad lines


def test_a_bad_line_in_the_middle_is_reported_and_skipped_and_its_neighbours_imported(con, tmp_path):
    path = write(tmp_path / "old.jsonl", [
        good(1),
        '{"title": "半行 JSON",',
        good(3),
        good(4, title="   "),
        good(5),
        "",  # blank lines are not articles
        good(7, published_at="2021-02-30"),
        good(8, source=None),
        good(9, body_html="<script>alert(1)</script>"),
        '["不是对象"]',
        good(11),
    ])
    seen = []
    result = importer.import_jsonl(con, path, batch_size=2, on_problem=seen.append)
    assert (result.read, result.imported, result.skipped) == (10, 4, 6)
    assert [p.line for p in seen] == [2, 4, 7, 8, 9, 10] == [p.line for p in result.problems]
    for n in (1, 3, 5, 11):
        assert imported(con, n) is not None
    messages = {p.line: str(p) for p in seen}
    assert messages[2].startswith("第 2 行:") and "JSON" in messages[2] and messages[2].endswith("已跳过")
    assert "「title」(标题):缺少或为空" in messages[4]
    assert "「published_at」(发布时间)" in messages[7]
    assert "「source」(信息来源):缺少或为空" in messages[8]
    assert "「body_html」(正文)" in messages[9] and "为空" in messages[9]
    assert "JSON 对象" in messages[10]
    assert result.reasons == {"json": 2, "missing": 2, "date": 1, "invalid": 1}
    assert result.exit_code == 1
    summary = result.summary()
    assert "读取 10 行,导入 4 篇,跳过 6 行" in summary and "缺少必填字段 2 行" in summary


def test_a_line_the_database_refuses_does_not_roll_back_its_batch(con, tmp_path, monkeypatch):
    """A batch that fails in the database is retried line by line: only the culprit is lost."""
    real = importer._Importer._write

    def failing(self, batch):
        if any(line.number == 3 for line in batch):
            raise duckdb.ConstraintException("模拟的约束错误")
        return real(self, batch)

    monkeypatch.setattr(importer._Importer, "_write", failing)
    path = write(tmp_path / "old.jsonl", [good(n) for n in range(1, 6)])
    result = importer.import_jsonl(con, path, batch_size=5)
    assert result.imported == 4 and [(p.line, p.reason) for p in result.problems] == [(3, "database")]
    assert imported(con, 3) is None and all(imported(con, n) for n in (1, 2, 4, 5))
    # the failed line is not remembered as imported: fixed, it goes in on the next run
    monkeypatch.setattr(importer._Importer, "_write", real)
    again = importer.import_jsonl(con, path)
    assert again.imported == 1 and imported(con, 3) is not None


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), RuntimeError("Query interrupted")])
def test_an_interrupted_import_keeps_its_batches_and_a_rerun_finishes_it(con, tmp_path, monkeypatch, stop):
    real, calls = importer._Importer._write, []

    def third_batch_interrupted(self, batch):
        calls.append(len(batch))
        if len(calls) == 3:
            raise stop
        return real(self, batch)

    monkeypatch.setattr(importer._Importer, "_write", third_batch_interrupted)
    path = write(tmp_path / "old.jsonl", [good(n) for n in range(1, 11)])
    first = importer.import_jsonl(con, path, batch_size=2)
    assert first.interrupted and first.imported == 4 and first.exit_code == 1
    assert "导入被中断" in first.summary()
    monkeypatch.setattr(importer._Importer, "_write", real)
    second = importer.import_jsonl(con, path)
    assert (second.imported, second.reasons) == (6, {"duplicate": 4})
    assert all(imported(con, n) for n in range(1, 11))


# ------------------------------------------------------------------ columns and divisions


def test_columns_match_by_leaf_name_or_path_after_normalising(con, tmp_path):
    path = write(tmp_path / "old.jsonl", [
        good(1, column="厅内动态"),
        good(2, column=" 工作动态 / 厅内动态 "),
        good(3, column="政府信息公开/政策文件", division=POLICY),
        good(4, column="政策文件／省政府文件", division=f" {POLICY} "),   # full-width slash, a trailing part
        good(5, division="规划处(运行监测协调局)", column="行业动态"),     # half-width brackets
    ])
    result = importer.import_jsonl(con, path)
    assert result.imported == 5, result.problems
    assert imported(con, 1)["column_id"] == imported(con, 2)["column_id"]
    assert imported(con, 4)["column_name"] == "省政府文件"
    assert imported(con, 5)["division"] == "规划处（运行监测协调局）"


def test_an_ambiguous_column_name_asks_for_the_path(con, tmp_path):
    office = scalar(con, "SELECT id FROM divisions WHERE name = ?", [OFFICE])
    for parent, slug in (("工作动态", "dup-a"), ("通知公告", "dup-b")):
        parent_id = scalar(con, "SELECT id FROM columns WHERE name = ?", [parent])
        con.execute("INSERT INTO columns (parent_id, slug, name, kind, division_id) VALUES (?, ?, '同名栏目', "
                    "'general', ?)", [parent_id, slug, office])
    path = write(tmp_path / "old.jsonl", [good(1, column="同名栏目"), good(2, column="通知公告/同名栏目")])
    result = importer.import_jsonl(con, path, create_missing=True)
    assert result.imported == 1 and result.problems[0].reason == "ambiguous"
    assert "请写完整路径" in result.problems[0].message and "工作动态/同名栏目" in result.problems[0].message


def test_unknown_names_are_refused_without_create_missing_and_created_with_it(con, tmp_path):
    lines = [good(1, column="迁移专题/二〇一九年专题/子栏目"), good(2, division="已撤并的处室"),
             good(3, column="迁移专题/二〇一九年专题/子栏目"), good(4, column="迁移专题/另一个", division="已撤并的处室")]
    path = write(tmp_path / "old.jsonl", lines)
    columns_before = scalar(con, "SELECT count(*) FROM columns")

    refused = importer.import_jsonl(con, path)
    assert refused.imported == 0 and refused.reasons == {"column": 2, "division": 2}
    assert "--create-missing" in refused.problems[0].message and "「column」(栏目)" in refused.problems[0].message
    assert "「division」(处室)" in refused.problems[1].message
    assert scalar(con, "SELECT count(*) FROM columns") == columns_before

    created = importer.import_jsonl(con, path, create_missing=True)
    assert created.imported == 4 and created.exit_code == 0
    assert created.created_divisions == ["已撤并的处室"]
    assert created.created_columns == ["迁移专题", "迁移专题/二〇一九年专题", "迁移专题/二〇一九年专题/子栏目",
                                       "迁移专题/另一个"]
    leaf = row(con, "SELECT * FROM columns WHERE name = '子栏目'")
    middle = row(con, "SELECT * FROM columns WHERE id = ?", [leaf["parent_id"]])
    top = row(con, "SELECT * FROM columns WHERE id = ?", [middle["parent_id"]])
    assert (middle["name"], top["name"], top["parent_id"]) == ("二〇一九年专题", "迁移专题", None)
    office = scalar(con, "SELECT id FROM divisions WHERE name = ?", [OFFICE])
    for column in (leaf, middle, top):
        assert column["kind"] == "general" and column["division_id"] == office
        assert column["slug"].startswith("imp-") and not column["retired"]
    new_division = row(con, "SELECT * FROM divisions WHERE name = '已撤并的处室'")
    assert new_division["code"].startswith("imp-") and new_division["kind"] == "division"
    other = row(con, "SELECT * FROM columns WHERE name = '另一个'")
    assert other["division_id"] == new_division["id"] and other["parent_id"] == top["id"]
    assert imported(con, 3)["column_id"] == leaf["id"]
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'columns.create'") == 4
    assert "新建栏目 4 个" in created.summary() and "新建处室 1 个" in created.summary()


def test_a_line_that_fails_later_creates_no_column(con, tmp_path):
    path = write(tmp_path / "old.jsonl", [good(1, column="不该出现的栏目", published_at="明天")])
    result = importer.import_jsonl(con, path, create_missing=True)
    assert result.skipped == 1 and result.created_columns == []
    assert not scalar(con, "SELECT count(*) FROM columns WHERE name = '不该出现的栏目'")


def test_dry_run_checks_everything_and_writes_nothing(con, tmp_path):
    path = write(tmp_path / "old.jsonl", [good(1, column="新栏目甲"), good(2, column="新栏目甲"), good(3, title="")])
    counts = {t: scalar(con, f"SELECT count(*) FROM {t}") for t in ("articles", "columns", "audit_log")}
    result = importer.import_jsonl(con, path, create_missing=True, dry_run=True)
    assert (result.imported, result.skipped, result.created_columns) == (2, 1, ["新栏目甲"])
    assert {t: scalar(con, f"SELECT count(*) FROM {t}") for t in counts} == counts
    assert result.summary().startswith("试运行(未写入数据库)") and "将新建栏目 1 个" in result.summary()


# ------------------------------------------------------------------ attachments


def test_attachments_are_checked_with_the_office_s_settings(con, tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "通知.pdf").write_bytes(PDF)
    (tmp_path / "secret.pdf").write_bytes(PDF)
    encoded = base64.b64encode(PDF).decode()
    path = write(tmp_path / "old.jsonl", [
        good(1, attachments=[{"filename": "通知.pdf", "path": "files/通知.pdf"},
                             {"filename": "附件 2.pdf", "data_base64": encoded}]),
        good(2, attachments=[{"filename": "run.exe", "data_base64": base64.b64encode(b"MZ\x90\x00").decode()}]),
        good(3, attachments=[{"filename": "page.html", "data_base64": base64.b64encode(b"<script>").decode()}]),
        good(4, attachments=[{"filename": "fake.pdf", "data_base64": base64.b64encode(b"not a pdf").decode()}]),
        good(5, attachments=[{"filename": "missing.pdf", "path": "files/none.pdf"}]),
        good(6, attachments=[{"filename": "x.pdf", "data_base64": "***"}]),
    ])
    (tmp_path / "sub").mkdir()
    outside = write(tmp_path / "sub" / "old.jsonl", [good(7, attachments=[{"filename": "secret.pdf",
                                                                            "path": "../secret.pdf"}])])
    result = importer.import_jsonl(con, path)
    assert result.imported == 1 and result.reasons == {"attachment": 5}
    stored = rows(con, "SELECT filename, mime, size, data, uploaded_by, created_at FROM attachments "
                       "WHERE article_id = ? ORDER BY id", [imported(con, 1)["id"]])
    assert [(a["filename"], a["mime"], a["size"]) for a in stored] == [
        ("通知.pdf", "application/pdf", len(PDF)), ("附件 2.pdf", "application/pdf", len(PDF))]
    assert bytes(stored[0]["data"]) == PDF and stored[0]["created_at"] == dt.datetime(2021, 3, 2, 10, 15)
    messages = {p.line: p.message for p in result.problems}
    assert "「attachments」(附件)" in messages[2] and "不允许上传 .exe" in messages[2] and "第二十条" in messages[2]
    assert "不允许上传 .html" in messages[3]
    assert "内容与扩展名 .pdf 不符" in messages[4]
    assert "不存在" in messages[5] and "Base64" in messages[6]

    escaped = importer.import_jsonl(con, outside)
    assert escaped.imported == 0 and "不在 JSONL 文件所在目录之内" in escaped.problems[0].message

    # the office narrows the allowed types: a PDF is refused from then on
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('attachment_types', 'docx')")
    narrowed = importer.import_jsonl(con, write(tmp_path / "more.jsonl", [
        good(8, attachments=[{"filename": "a.pdf", "data_base64": encoded}])]))
    assert narrowed.reasons == {"attachment": 1}


# ------------------------------------------------------------------ re-runs


def test_a_rerun_imports_nothing_new(con, tmp_path):
    no_keys = good(4, id=None, url=None)
    path = write(tmp_path / "old.jsonl", [good(1), good(2), good(3, url="http://www.sxit.gov.cn/old/3.htm"), no_keys])
    assert importer.import_jsonl(con, path).imported == 4
    count = scalar(con, "SELECT count(*) FROM articles")

    again = importer.import_jsonl(con, path)
    assert (again.imported, again.skipped, again.reasons) == (0, 4, {"duplicate": 4})
    assert scalar(con, "SELECT count(*) FROM articles") == count
    messages = [p.message for p in again.problems]
    assert "「id」(原网站编号):「old-1」已导入过(稿件 " in messages[0]
    assert "栏目、标题、发布时间和正文均相同" in messages[3]  # no id or URL: the content identifies it

    # the same old URL under another id, and the same id twice in one file
    more = write(tmp_path / "more.jsonl", [good(5, url="http://www.sxit.gov.cn/old/1.htm"), good(6), good(6)])
    third = importer.import_jsonl(con, more)
    assert third.imported == 1 and [p.line for p in third.problems] == [1, 3]
    assert "「url」(原网站网址)" in third.problems[0].message and "第 2 行" in third.problems[1].message


def test_worker_processes_check_lines_as_this_process_would(con, tmp_path):
    """Big files are checked in two worker processes (cleaning and screening on the other core)."""
    lines = [good(n) for n in range(1, 41)]
    lines[10] = good(11, published_at="昨天")
    lines[20] = "{坏"
    lines[30] = good(31, body_html="<p>机密★10年</p><p>内容。</p>")
    path = write(tmp_path / "old.jsonl", lines)
    dry = importer.import_jsonl(con, path, dry_run=True, workers=1)
    pooled = importer.import_jsonl(con, path, workers=2)
    assert pooled.imported == dry.imported == 40 - len(dry.problems)
    assert [(p.line, p.reason, p.message) for p in pooled.problems] == [
        (p.line, p.reason, p.message) for p in dry.problems]
    assert [p.line for p in pooled.problems][:2] == [11, 21]
    assert "<p>第1号正文" in imported(con, 1)["body_html"]


# ------------------------------------------------------------------ screening (第十六条)


def test_screening_blocks_a_line_when_the_module_exists(con, tmp_path, monkeypatch):
    calls = []

    def screen(title, body_html):
        calls.append(title)
        if "机密" in body_html:
            return [{"severity": "block", "article": "第十六条", "message": "发现密级标志「机密」", "where": "body"}]
        return [{"severity": "warn", "message": "提示", "where": "body"}]

    monkeypatch.setitem(sys.modules, "core.screening", types.SimpleNamespace(screen=screen))
    path = write(tmp_path / "old.jsonl", [good(1), good(2, body_html="<p>机密★10年 内容</p>"), good(3)])
    result = importer.import_jsonl(con, path)
    assert result.imported == 2 and len(calls) == 3
    problem = result.problems[0]
    assert (problem.line, problem.reason) == (2, "screening")
    assert "「body_html」(正文):筛查拦截:发现密级标志「机密」(第十六条)" in problem.message
    assert result.notes["screening_warn"] == 2


def test_attachments_are_screened_too(con, tmp_path, monkeypatch):
    def screen(title, body_html, *, attachments=()):
        return [{"severity": "block", "message": "附件含内部资料标识", "where": f"attachment:{name}"}
                for name, data in attachments if b"internal" in data]

    monkeypatch.setitem(sys.modules, "core.screening", types.SimpleNamespace(screen=screen))
    text = base64.b64encode(b"internal only").decode()
    path = write(tmp_path / "old.jsonl", [good(1, attachments=[{"filename": "说明.txt", "data_base64": text}]),
                                          good(2, attachments=[{"filename": "说明.txt",
                                                                "data_base64": base64.b64encode(b"ok").decode()}])])
    result = importer.import_jsonl(con, path)
    assert result.imported == 1 and result.problems[0].line == 1
    assert "「attachments」(附件):筛查拦截:附件含内部资料标识" in result.problems[0].message


def test_without_a_screening_module_lines_are_not_screened(con, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "core.screening", None)  # import fails as if the file were absent
    assert importer.screen_function() is None
    result = importer.import_jsonl(con, write(tmp_path / "old.jsonl", [good(1)]))
    assert result.imported == 1


def test_the_real_screening_refuses_a_classified_item(con, tmp_path):
    pytest.importorskip("core.screening")
    path = write(tmp_path / "old.jsonl", [good(1, body_html="<p>机密★10年</p><p>关于某项工作的安排。</p>"), good(2)])
    result = importer.import_jsonl(con, path)
    assert result.imported == 1 and result.reasons == {"screening": 1}
    assert imported(con, 1) is None


# ------------------------------------------------------------------ the audit rows


def test_bulk_audit_rows_equal_what_audit_record_writes(con):
    """The importer writes its per-article audit rows in one INSERT per batch; they must stay
    the rows core.audit.record writes (when the audit log changes shape, update _audit_many)."""
    importer._audit_many(con, "import.article", [("article:999999", '{"old_url": "http://x/1"}')])
    audit.record(con, "system", "import.article", "article:999999", '{"old_url": "http://x/1"}')
    names = [r["column_name"] for r in rows(
        con, "SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_log' "
             "AND column_name NOT IN ('id', 'created_at') ORDER BY ordinal_position")]
    written = con.execute(f"SELECT {', '.join(names)} FROM audit_log WHERE object = 'article:999999' "
                          "ORDER BY id").fetchall()
    assert len(written) == 2 and written[0] == written[1]


# ------------------------------------------------------------------ the synthetic data of the benchmark


def test_the_benchmark_generator_writes_importable_lines(con, tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import import_data
    finally:
        sys.path.remove(str(ROOT / "bench"))
    out = tmp_path / "bench.jsonl"
    made = import_data.generate(out, 150, seed=3)
    # the demo's 52 writable columns (with 公开指南 and 网站年报) and 14
    assert made["articles"] == 150 and made["columns"] == 66
    import_data.generate(tmp_path / "again.jsonl", 150, seed=3)
    assert out.read_bytes() == (tmp_path / "again.jsonl").read_bytes()  # the same seed, the same file
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert 1200 <= sum(len(html_to_text(x["body_html"])) for x in lines) / len(lines) <= 2000
    years = {x["published_at"][:4] for x in lines}
    assert len(years) >= 8
    result = importer.import_jsonl(con, out, create_missing=True)
    assert (result.imported, result.skipped) == (150, 0), result.problems[:3]


# ------------------------------------------------------------------ the command


def run(*args):
    environment = {**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"}
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          env=environment, timeout=300)


def test_command_exit_codes_summary_and_the_built_portal(db, tmp_path):
    clean = write(tmp_path / "clean.jsonl", [good(1), good(2, column="通知公告")])
    ok = run("import", "--db", str(db), str(clean))
    assert ok.returncode == 0, ok.stderr
    assert "读取 2 行,导入 2 篇,跳过 0 行" in ok.stdout and "build-site" in ok.stdout
    assert "Traceback" not in ok.stderr

    mixed = write(tmp_path / "mixed.jsonl", [good(3), good(4, work_end_date="去年"), good(5)])
    some = run("import", "--db", str(db), str(mixed))
    assert some.returncode == 1
    assert "第 2 行:「work_end_date」(工作结束日期)" in some.stderr
    assert "读取 3 行,导入 2 篇,跳过 1 行" in some.stdout and "日期无效 1 行" in some.stdout

    rerun = run("import", "--db", str(db), str(clean))
    assert rerun.returncode == 1 and "已导入过(重复) 2 行" in rerun.stdout

    dry = run("import", "--db", str(db), "--dry-run", "--create-missing",
              str(write(tmp_path / "dry.jsonl", [good(6, column="试运行栏目")])))
    assert dry.returncode == 0 and "试运行" in dry.stdout

    assert run("import", "--db", str(db), str(tmp_path / "nothing.jsonl")).returncode == 2
    assert run("import", "--db", str(db)).returncode == 2
    assert run("import", "--db", str(db), "--no-such-flag", str(clean)).returncode == 2

    site = tmp_path / "site"
    built = run("build-site", "--db", str(db), "--out", str(site), "--full")
    assert built.returncode == 0, built.stderr
    pages = {p: p.read_text(encoding="utf-8") for p in (site / "art").rglob("*.html")}
    for n in (1, 2, 3, 5):
        title = good(n)["title"]
        assert any(title in text for text in pages.values()), title
    assert (site / "art" / "2021" / "03").is_dir()  # URLs keep the original publication month


def test_a_held_database_exits_3(db, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ready', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run("import", "--db", str(db), str(write(tmp_path / "x.jsonl", [good(1)])))
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3 and "正被另一个进程" in result.stderr


# ------------------------------------------------------------------ 政府信息公开目录 (第十二条)

def policy_line(n: int, **changes) -> dict:
    fields = {"column": "厅发文件", "division": POLICY, "source": "政策法规处", "title": f"关于印发第{n}号管理办法的通知",
              "issuer": "陕西省工业和信息化厅", "doc_number": f"陕工信发〔2021〕{n}号", "written_on": "2021-02-20",
              "topic": "工业、交通", "disclosure": "主动公开", "validity": "有效"}
    return good(n, **{**fields, **changes})


def entry_of(con, title: str) -> dict | None:
    return row(con, "SELECT e.* FROM catalogue_entries e JOIN articles a ON a.id = e.article_id WHERE a.title = ?",
               [title])


def test_catalogue_fields_are_imported_and_a_document_named_before_it_comes_is_found(con, tmp_path):
    explains = good(1, column="政策解读", division=POLICY, title="《第5号管理办法》政策解读", issuer="陕西省工业和信息化厅",
                    written_on="2021-03-01", topic="工业、交通", interprets="陕工信发〔2021〕5号")
    repealed = policy_line(7, validity="已废止", validity_changed_on="2021-06-01", replaced_by="陕工信发〔2021〕5号")
    path = write(tmp_path / "old.jsonl", [explains, repealed, policy_line(5, index_number="OLD-2021-0005")])
    result = importer.import_jsonl(con, path)
    assert (result.imported, result.skipped) == (3, 0), result.problems
    policy = entry_of(con, "关于印发第5号管理办法的通知")
    assert policy["index_number"] == "OLD-2021-0005", "the old site's 索引号 is kept"
    assert policy["doc_number"] == "陕工信发〔2021〕5号" and policy["written_on"] == dt.date(2021, 2, 20)
    assert policy["topic_id"] == scalar(con, "SELECT id FROM disclosure_topics WHERE name = '工业、交通'")
    policy_id = policy["article_id"]
    jd = entry_of(con, "《第5号管理办法》政策解读")
    assert jd["interprets"] == policy_id and jd["index_number"] == "11610000016000000X/2021-00001"
    old = entry_of(con, "关于印发第7号管理办法的通知")
    assert (old["validity"], old["validity_changed_on"], old["replaced_by"]) == ("已废止", dt.date(2021, 6, 1), policy_id)
    assert old["index_number"] == "11610000016000000X/2021-00002"


@pytest.mark.parametrize(("changes", "key", "words"), [
    ({"doc_number": "陕工信发[2021]5号"}, "doc_number", "六角括号"),
    ({"doc_number": "陕工信发（2021）5号"}, "doc_number", "机关代字〔年份〕序号号"),
    ({"topic": "不存在的主题"}, "topic", "不是办公室设定的主题分类"),
    ({"disclosure": "公开"}, "disclosure", "主动公开/依申请公开/不予公开"),
    ({"disclosure": "不予公开"}, "withheld_ground", "属于国家秘密"),
    ({"validity": "失效"}, "validity", "有效/已修改/已废止"),
    ({"validity": "已废止", "replaced_by": "陕工信发〔2021〕1号"}, "validity_changed_on", "须写明日期"),
    ({"written_on": "2099-01-01"}, "written_on", "晚于今天"),
    ({"written_on": "2021/02/20"}, "written_on", "YYYY-MM-DD"),
])
def test_a_wrong_catalogue_value_names_the_line_and_the_field(con, tmp_path, changes, key, words):
    path = write(tmp_path / "old.jsonl", [policy_line(1), policy_line(2, **changes)])
    result = importer.import_jsonl(con, path)
    assert (result.imported, result.skipped) == (1, 1)
    [problem] = result.problems
    assert problem.line == 2 and f"「{key}」({importer.LABELS[key]})" in str(problem) and words in str(problem)
    assert entry_of(con, "关于印发第2号管理办法的通知") is None
    assert imported(con, 2) is None and scalar(con, "SELECT count(*) FROM articles WHERE title = ?",
                                               ["关于印发第2号管理办法的通知"]) == 0


def test_a_line_naming_a_document_that_never_comes_is_skipped_whole(con, tmp_path):
    lost = good(2, column="政策解读", division=POLICY, title="没有文件的解读", issuer="陕西省工业和信息化厅",
                written_on="2021-03-01", topic="工业、交通", interprets="陕工信发〔2021〕99号")
    not_policy = good(3, column="政策解读", division=POLICY, title="解读的解读", issuer="陕西省工业和信息化厅",
                      written_on="2021-03-01", topic="工业、交通", interprets="陕工信办〔2021〕4号", doc_number="")
    explained = good(4, column="政策解读", division=POLICY, title="被解读的解读", doc_number="陕工信办〔2021〕4号",
                     issuer="陕西省工业和信息化厅", written_on="2021-03-01", topic="工业、交通")
    path = write(tmp_path / "old.jsonl", [policy_line(1), lost, not_policy, explained])
    result = importer.import_jsonl(con, path)
    assert (result.imported, result.skipped) == (2, 2)
    messages = {p.line: str(p) for p in result.problems}
    assert "「interprets」(所解读文件的文号)" in messages[2] and "陕工信发〔2021〕99号" in messages[2]
    assert "不是政策文件" in messages[3]
    assert scalar(con, "SELECT count(*) FROM articles WHERE title IN ('没有文件的解读', '解读的解读')") == 0, \
        "nothing half-imported"
    # a re-run still knows nothing of them: they were never imported
    assert importer.import_jsonl(con, path).skipped == 2 + 2


def test_catalogue_fields_only_in_catalogue_columns_and_index_numbers_unique(con, tmp_path):
    path = write(tmp_path / "old.jsonl", [
        good(1, doc_number="陕工信发〔2021〕1号"),
        policy_line(2, index_number="OLD-1"),
        policy_line(3, index_number="OLD-1"),
    ])
    before = scalar(con, "SELECT count(*) FROM catalogue_entries")  # the demo's own
    result = importer.import_jsonl(con, path, dry_run=True)
    assert (result.imported, result.skipped) == (1, 2)
    messages = {p.line: str(p) for p in result.problems}
    assert "「column」" in messages[1] and "不登记政府信息公开目录" in messages[1]
    assert "「index_number」(索引号)" in messages[3] and "不能重复" in messages[3]
    assert scalar(con, "SELECT count(*) FROM catalogue_entries") == before, "a dry run writes nothing"


def test_only_an_interpretation_names_the_document_it_explains(con, tmp_path):
    path = write(tmp_path / "old.jsonl", [policy_line(1), policy_line(2, interprets="陕工信发〔2021〕1号")])
    result = importer.import_jsonl(con, path)
    assert (result.imported, result.skipped) == (1, 1)
    assert "「interprets」" in str(result.problems[0]) and "只有政策解读" in str(result.problems[0])
