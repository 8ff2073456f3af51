"""Issue 12, text on the way in: control characters (M3), the size of a body (L5), an import that meets
a hostile line or a full disk (L4, the import half). Real database files, real subprocesses, real
kernel write errors (/dev/full, RLIMIT_FSIZE): nothing of ours is mocked."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core import accounts, columns, importer, incidents, interaction, lexicon, settings, text, workflow
from core.db import connect, row, scalar
from core.errors import ValidationError
from core.setup import init_database
from tests.conftest import make_org

ROOT = Path(__file__).resolve().parent.parent
DIRTY = "省工信厅\x01召开\x08专项\x7f检查\x85推进会\ufffe"  # C0, DEL, C1 and an XML noncharacter
CLEAN = "省工信厅召开专项检查推进会"
CONTROLS = set(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF]))


def controls_in(value: str) -> set[str]:
    return set(value or "") & CONTROLS


def line(n: int, **changes) -> dict:
    item = {"id": f"old-{n}", "column": "工作动态", "division": "电子信息处",
            "title": f"迁移稿件第{n}号:召开工作推进会", "body_html": f"<p>第{n}号正文,研究部署相关工作。</p>",
            "source": "电子信息处", "work_end_date": "2021-03-01", "published_at": "2021-03-02T10:15:00"}
    item.update(changes)
    return item


def write(path: Path, lines: list) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines),
                    encoding="utf-8")
    return path


@pytest.fixture
def db_file(tmp_path) -> Path:
    """A closed database with the test organisation, for the command in a subprocess."""
    path = tmp_path / "portal.duckdb"
    con = connect(path)
    init_database(con)
    make_org(con)
    con.execute("CHECKPOINT")
    con.close()
    return path


def run(*args, limit_file_size: int | None = None) -> subprocess.CompletedProcess:
    def limited() -> None:  # the kernel refuses to grow any file past the limit: EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"}, timeout=300,
                          preexec_fn=limited if limit_file_size else None)


# ---------------------------------------------------------------- M3: control characters


def test_m3_workflow_title_with_control_characters_is_stored_clean_through_approval(con, org):
    """M3: a title with U+0001/U+0008, saved, edited, approved and published through the workflow, is stored
    without them (title, source, body, comments); the feeds and exports are fed clean text."""
    article = workflow.create_article(con, org.officer, org.col_dz, DIRTY, f"<p>正文{DIRTY}&#1;&#x8;</p>",
                                      source="电子\x01信息处\x08", work_ended_on=dt.date.today())
    assert (article.title, article.source) == (CLEAN, "电子信息处")
    assert not controls_in(article.body_html) and CLEAN in article.body_html
    article = workflow.save_article(con, org.officer, article.id, article.version, title=f"{DIRTY}(修订)",
                                    body_html=f"<p>{DIRTY}</p>", source="电子信息处\x1b",
                                    work_ended_on=dt.date.today(), importance="一般")
    assert article.title == f"{CLEAN}(修订)" and article.source == "电子信息处"
    article = workflow.submit(con, org.officer, article.id, article.version)
    warnings = [f.key for f in workflow.screen_article(con, article) if not f.blocking]
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST),
                               comment="同意\x07发布", acknowledged=warnings)
    article = workflow.publish(con, org.webmaster, article.id, article.version)
    assert article.state == "published"
    stored = row(con, "SELECT a.title, a.body_html, a.source, r.title AS revision_title FROM articles a "
                      "JOIN revisions r ON r.article_id = a.id AND r.number = a.revision WHERE a.id = ?", [article.id])
    assert not any(controls_in(value) for value in stored.values()), stored
    comments = [c for (c,) in con.execute("SELECT comment FROM workflow_events WHERE article_id = ? "
                                          "AND comment IS NOT NULL", [article.id]).fetchall()]
    assert "同意发布" in comments and not any(controls_in(c) for c in comments)


def test_m3_import_takes_no_control_characters_in(con, org, tmp_path):
    """M3: `import` accepts a line whose title, source and body carry control characters only without them."""
    path = write(tmp_path / "dirty.jsonl", [line(1, title=DIRTY, source="电子\x01信息处",
                                                 body_html=f"<p>正文\x02{DIRTY}&#3;</p>")])
    result = importer.import_jsonl(con, path)
    assert (result.imported, result.skipped) == (1, 0), result.problems
    stored = row(con, "SELECT title, source, body_html FROM articles WHERE title = ?", [CLEAN])
    assert stored is not None, "the title came in with its control characters"
    assert stored["source"] == "电子信息处" and not controls_in(stored["body_html"])
    assert not controls_in(scalar(con, "SELECT title FROM revisions WHERE article_id = "
                                       "(SELECT id FROM articles WHERE title = ?)", [CLEAN]))


def test_m3_import_takes_a_title_of_control_and_invisible_characters_only_as_missing(con, org, tmp_path):
    """M3: a line whose title is nothing but control and invisible characters is skipped as missing its
    title, naming the line and the field; it is never stored with an empty title."""
    path = write(tmp_path / "blank.jsonl", [line(1, title="\u200b\x01 \u200f"), line(2)])
    result = importer.import_jsonl(con, path)
    assert (result.imported, result.skipped) == (1, 1), result.problems
    assert any("第 1 行" in p and "title" in p for p in map(str, result.problems)), result.problems
    assert scalar(con, "SELECT count(*) FROM articles WHERE trim(title) = ''") == 0


def test_m3_every_staff_text_field_is_cleaned_on_the_way_in(con, org):
    """M3: column names, display names, settings, lexicon entries, incidents and publication requests are
    stored without control characters; the public form uses the very same cleaning."""
    column = columns.create_column(con, org.webmaster, {"name": "专项\x01检查", "slug": "zxjc", "kind": "news",
                                                        "division_id": org.dz})
    assert columns.get_column(con, column)["name"] == "专项检查"
    made, _ = accounts.create_user(con, org.webmaster, "zhang.san", "张\x08三", ["officer"], org.dz)
    assert made.display_name == "张三"
    changed = accounts.update_user(con, org.webmaster, made.id, display_name="张\x1b三丰")
    assert changed.display_name == "张三丰"
    settings.set_values(con, org.webmaster, {"site_name": "陕西省\x01工业和信息化厅"})
    assert settings.get(con, "site_name") == "陕西省工业和信息化厅"
    word = lexicon.add_word(con, org.webmaster, "内部\x01资料", "warn", "说明\x02")
    assert row(con, "SELECT word, note FROM sensitive_words WHERE id = ?", [word]) == {"word": "内部资料",
                                                                                        "note": "说明"}
    incident = incidents.create(con, org.webmaster, "网页\x01篡改", "一般", dt.datetime.now(), "描述\x08\n第二行",
                                first_step="处置\x01")
    found = incidents.get(con, incident)
    assert (found["title"], found["description"]) == ("网页篡改", "描述\n第二行")
    assert found["steps"][0]["text"] == "处置"
    assert interaction.clean_text is text.clean_text


def test_m3_multiline_text_keeps_its_lines_and_a_single_line_loses_them():
    """M3: multi-line text keeps line feeds and tabs (CR LF normalised); a title turns them into spaces."""
    assert text.clean_text("第一行\r\n\t第二行\r第三行\x0b", multiline=True) == "第一行\n\t第二行\n第三行"
    assert text.clean_text("标题\r\n第二行\t末尾\x01") == "标题 第二行 末尾"
    assert text.clean_text(b"\xff\xe4\xb8\xad\x01") == "\ufffd中"
    assert text.clean_fields({"a": "x\x01", "b": "y\r\nz", "n": 3}, multiline=["b"]) == {"a": "x", "b": "y\nz",
                                                                                         "n": 3}


# ---------------------------------------------------------------- L5: the size of a body


def test_l5_a_body_over_the_office_s_limit_is_refused_on_save_and_submit(con, org):
    """L5: a body larger than 正文大小上限 is refused on save and on submit, the error naming the field, the limit
    and where to change it; the stored draft keeps its text."""
    settings.set_values(con, org.webmaster, {"body_max_mb": 1})
    big = "<p>" + "省工信厅召开会议研究部署相关工作。" * 25_000 + "</p>"  # about 1.3 MB in UTF-8
    with pytest.raises(ValidationError) as refused:
        workflow.create_article(con, org.officer, org.col_dz, "超大正文", big, source="电子信息处")
    message = str(refused.value)
    assert "「正文」" in message and "1 MB" in message and "系统设置" in message and "正文大小上限" in message
    article = workflow.create_article(con, org.officer, org.col_dz, "正常正文", "<p>短正文</p>", source="电子信息处")
    with pytest.raises(ValidationError, match="正文"):
        workflow.save_article(con, org.officer, article.id, article.version, title="正常正文", body_html=big,
                              source="电子信息处", work_ended_on=None, importance="一般")
    assert workflow.get_article(con, article.id).body_html == "<p>短正文</p>"

    settings.set_values(con, org.webmaster, {"body_max_mb": 2})
    article = workflow.save_article(con, org.officer, article.id, article.version, title="正常正文",
                                    body_html=big, source="电子信息处", work_ended_on=None, importance="一般")
    settings.set_values(con, org.webmaster, {"body_max_mb": 1})  # lowered after the save: submitting still checks
    with pytest.raises(ValidationError, match="不能超过 1 MB"):
        workflow.submit(con, org.officer, article.id, article.version)
    assert workflow.get_article(con, article.id).state == "draft"


def test_l5_the_editor_names_the_limit_and_keeps_the_officer_s_body(tmp_path, con):
    """L5: saving an over-limit body in 我的稿件 shows the field, the limit and where to change it; nothing is
    stored and the typed body stays in the editor."""
    from tests.apptest_helpers import app_as, open_page, texts

    org = make_org(con)
    settings.set_values(con, org.webmaster, {"body_max_mb": 1})
    con.close()
    at = open_page(app_as(tmp_path / "portal.duckdb", "officer"), "my_articles")
    next(b for b in at.button if b.key == "ma_new").click().run()
    at.text_input(key="ma_title").input("全省电子信息产业运行情况通报会召开")
    big = "<p>" + "会议通报了前三季度运行情况。" * 30_000 + "</p>"  # about 1.3 MB
    at.session_state["ma_body"] = big
    next(b for b in at.button if b.key == "ma_save").click().run()
    assert not at.exception
    shown = texts(at)
    assert "「正文」:不能超过 1 MB" in shown and "正文大小上限" in shown
    assert at.session_state["ma_body"] == big
    check = connect(tmp_path / "portal.duckdb")
    try:
        assert scalar(check, "SELECT count(*) FROM articles") == 0
    finally:
        check.close()


def test_l5_import_skips_a_body_over_the_limit_and_imports_its_neighbours(con, org, tmp_path):
    """L5: `import` refuses a body over 正文大小上限 with the line, the field and the limit; the other lines go in."""
    settings.set_values(con, org.webmaster, {"body_max_mb": 1})
    huge = "<p>" + "研究部署相关工作" * 200_000 + "</p>"  # 4.8 MB
    path = write(tmp_path / "big.jsonl", [line(1), line(2, body_html=huge), line(3)])
    problems: list = []
    result = importer.import_jsonl(con, path, on_problem=problems.append)
    assert (result.imported, result.skipped) == (2, 1)
    assert problems[0].line == 2 and "「body_html」(正文)" in str(problems[0]) and "不能超过 1 MB" in str(problems[0])
    assert scalar(con, "SELECT count(*) FROM articles WHERE length(body_html) > 1000000") == 0


def test_l5_a_body_nested_thousands_deep_is_flattened_not_parsed_at_length():
    """L5: quotes and lists nested 5,000 deep (the parser's cost grows with depth times tags: 50,000 took minutes)
    keep at most NESTING_MAX levels; the text stays, and ordinary nesting is untouched."""
    from core.content import NESTING_MAX, html_to_text, sanitize_html

    for tag in ("blockquote", "ul", "ol"):
        cleaned = sanitize_html(f"<{tag}>" * 5000 + "<p>正文还在</p>" + f"</{tag}>" * 5000)
        assert cleaned.count(f"<{tag}>") == NESTING_MAX == cleaned.count(f"</{tag}>")
        assert "正文还在" in html_to_text(cleaned)
    nested = "<blockquote><ul><li>一<ol><li>二</li></ol></li></ul></blockquote>"
    assert sanitize_html(nested) == nested


# ---------------------------------------------------------------- L4: the import command


def test_l4_a_line_nested_2000_deep_is_one_skipped_line_not_a_traceback(db_file, tmp_path):
    """L4: a JSONL line nested 2,000 deep is reported with its number in Chinese and skipped; the import goes on
    and exits 1 like any run with a bad line, without a traceback."""
    deep = '{"title": ' + "[" * 2000 + "]" * 2000 + "}"
    path = write(tmp_path / "deep.jsonl", [line(1), deep, line(3)])
    done = run("import", "--db", str(db_file), str(path))
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    assert "第 2 行:JSON 嵌套层数过多" in done.stderr
    assert "读取 3 行,导入 2 篇,跳过 1 行" in done.stdout


def test_l4_a_full_disk_during_import_stops_with_a_chinese_message(db_file, tmp_path):
    """L4: when the disk is full (the write-ahead log on /dev/full: ENOSPC from the kernel) the import stops with
    a Chinese message naming the lines and the cause, exit code 4, no traceback."""
    wal = Path(f"{db_file}.wal")
    assert not wal.exists()
    wal.symlink_to("/dev/full")
    path = write(tmp_path / "ok.jsonl", [line(n) for n in range(1, 6)])
    done = run("import", "--db", str(db_file), str(path))
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 4
    assert "错误:写入第 1–5 行时磁盘空间已满,导入已停止" in done.stderr
    assert "No space left" not in done.stderr + done.stdout


def test_l4_a_file_that_cannot_grow_during_import_stops_with_a_chinese_message(db_file, tmp_path):
    """L4: when the database file may not grow (RLIMIT_FSIZE: EFBIG from the kernel) the import ends with a
    Chinese message and exit code 4, not a traceback; a re-run with room imports every line."""
    body = "<p>" + "省工信厅召开会议研究部署相关工作" * 8000 + "</p>"  # about 380 KB
    path = write(tmp_path / "many.jsonl", [line(n, body_html=f"{body}{n}") for n in range(1, 41)])
    done = run("import", "--db", str(db_file), str(path), limit_file_size=db_file.stat().st_size)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 4
    assert "错误:" in done.stderr and "导入已停止" in done.stderr and "行" in done.stderr

    again = run("import", "--db", str(db_file), str(path))
    assert again.returncode in (0, 1), again.stderr
    con = connect(db_file)
    try:
        assert scalar(con, "SELECT count(*) FROM articles WHERE title LIKE '迁移稿件第%'") == 40
    finally:
        con.close()
