"""访问统计 (issue 15, visits): nginx access logs imported once each line, and the figures the office reads."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import access, scheduler, settings, workflow
from core.db import scalar
from core.errors import PermissionDenied

DAY = dt.date(2026, 12, 6)
BROWSER_A = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"
BROWSER_B = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1) Mobile \\"WeChat\\"'
ROOT = Path(__file__).resolve().parent.parent


def line(client: str, time: str, request: str, status: int, agent: str, referrer: str = "-") -> str:
    return f'{client} - - [{time}] "{request}" {status} 5120 "{referrer}" "{agent}"\n'


def log_lines(article_id: int = 1) -> list[str]:
    """13 lines: 10 hits (3 malformed), 5 page views by 3 visitors; robots, assets, a POST and a 404 beside them."""
    return [
        line("10.0.0.1", "06/Dec/2026:10:00:00 +0800", "GET /index.html HTTP/1.1", 200, BROWSER_A,
             "https://www.baidu.com/s?wd=%E5%B7%A5%E4%BF%A1"),
        line("10.0.0.1", "06/Dec/2026:10:01:00 +0800", "GET /col/gzdt/index.html?page=2 HTTP/1.1", 200, BROWSER_A,
             "https://www.sxit.gov.cn/index.html"),  # the portal's own page: not a referrer
        line("10.0.0.2", "06/Dec/2026:10:02:00 +0800", "GET / HTTP/1.1", 304, BROWSER_B),  # 304 counts
        line("10.0.0.2", "06/Dec/2026:10:02:01 +0800", "GET /static/portal.css HTTP/1.1", 200, BROWSER_B),
        line("10.0.0.3", "06/Dec/2026:10:03:00 +0800", "GET /index.html HTTP/1.1", 200,
             "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"),
        line("10.0.0.4", "06/Dec/2026:10:04:00 +0800", "GET / HTTP/1.1", 200, "curl/8.5.0"),
        line("10.0.0.1", "06/Dec/2026:10:05:00 +0800", "POST /index.html HTTP/1.1", 200, BROWSER_A),
        line("10.0.0.5", "06/Dec/2026:10:06:00 +0800", "GET /old/page.html HTTP/1.1", 404, BROWSER_A,
             "https://www.shaanxi.gov.cn/links.html"),
        line("10.0.0.1", "06/Dec/2026:03:07:00 +0000", "GET /index.html HTTP/1.1", 200, BROWSER_B),  # 11:07 +0800
        "this is not a log line\n",
        '10.0.0.9 - - [06/Dec/2026:10:10:00 +0800] "GET / HTTP/1.1" 200\n',
        line("10.0.0.2", "06/Dec/2026:10:11:00 +0800", f"GET /art/2026/12/{article_id}.html HTTP/1.1", 200, BROWSER_B),
        line("10.0.0.1", "99/Xyz/2026:10:12:00 +0800", "GET / HTTP/1.1", 200, BROWSER_A),  # no such date
    ]


def write(path: Path, lines: list[str], gzipped: bool = False) -> Path:
    data = "".join(lines).encode()
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path


def local(moment: str) -> dt.datetime:
    """The workbench's local time of a logged time with its zone."""
    return dt.datetime.strptime(moment, "%d/%b/%Y:%H:%M:%S %z").astimezone().replace(tzinfo=None)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_a_log_gives_the_figures_of_the_definitions(con, tmp_path, gzipped):
    log = write(tmp_path / ("access.log.gz" if gzipped else "access.log"), log_lines(), gzipped)
    done = access.import_file(con, log)
    assert (done["lines"], done["hits"], done["malformed"], done["skipped"]) == (13, 10, 3, 0)
    assert scalar(con, "SELECT malformed FROM access_files") == 3
    figures = access.report(con, DAY, DAY)
    assert figures["page_views"] == 5 and figures["visitors"] == 3
    assert figures["top_pages"][0] == {"path": "/index.html", "page_views": 2}
    pages = {p["path"]: p["page_views"] for p in figures["top_pages"]}
    assert pages == {"/index.html": 2, "/": 1, "/col/gzdt/index.html": 1, "/art/2026/12/1.html": 1}
    assert access.totals(con, DAY, DAY) == {"page_views": 5, "visitors": 3}
    assert access.totals(con, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)) == {"page_views": 0, "visitors": 0}


def test_times_keep_their_zone(con, tmp_path):
    access.import_file(con, write(tmp_path / "access.log", log_lines()))
    assert scalar(con, "SELECT requested_at FROM access_hits WHERE line = 1") == local("06/Dec/2026:10:00:00 +0800")
    assert scalar(con, "SELECT requested_at FROM access_hits WHERE line = 9") == local("06/Dec/2026:11:07:00 +0800")
    assert scalar(con, "SELECT agent FROM access_hits WHERE line = 3") == BROWSER_B


def test_reading_again_adds_nothing_and_an_appended_log_only_its_new_lines(con, tmp_path):
    log = write(tmp_path / "access.log", log_lines())
    access.import_file(con, log)
    again = access.import_file(con, log)
    assert (again["lines"], again["hits"], again["skipped"]) == (0, 0, 13)
    assert scalar(con, "SELECT count(*) FROM access_hits") == 10
    with open(log, "a") as out:
        out.write(line("10.0.0.7", "06/Dec/2026:12:00:00 +0800", "GET /xxgk/index.html HTTP/1.1", 200, BROWSER_A))
        out.write("garbage\n")
    added = access.import_file(con, log)
    assert (added["lines"], added["hits"], added["malformed"], added["skipped"]) == (2, 1, 1, 13)
    assert access.totals(con, DAY, DAY) == {"page_views": 6, "visitors": 4}
    assert scalar(con, "SELECT lines FROM access_files") == 15
    assert scalar(con, "SELECT malformed FROM access_files") == 4


def test_half_a_line_waits_for_the_rest(con, tmp_path):
    whole = log_lines()
    log = write(tmp_path / "access.log", whole[:2] + [whole[2].rstrip("\n")])
    assert access.import_file(con, log)["lines"] == 2
    write(log, whole[:3])
    assert access.import_file(con, log)["lines"] == 1
    assert access.totals(con, DAY, DAY)["page_views"] == 3


def test_a_rotated_and_gzipped_log_is_recognised(con, tmp_path):
    log = write(tmp_path / "access.log", log_lines()[:6])
    access.import_file(con, log)
    rotated = write(tmp_path / "access.log.2.gz", log_lines(), gzipped=True)  # written on, then rotated
    log.unlink()
    done = access.import_file(con, rotated)
    assert (done["lines"], done["hits"], done["skipped"]) == (7, 4, 6)
    assert scalar(con, "SELECT count(*) FROM access_files") == 1
    assert scalar(con, "SELECT name FROM access_files") == str(rotated)
    fresh = write(tmp_path / "access.log", [line("10.0.0.8", "07/Dec/2026:09:00:00 +0800", "GET / HTTP/1.1", 200,
                                                 BROWSER_A)])
    assert access.import_file(con, fresh)["hits"] == 1
    assert scalar(con, "SELECT count(*) FROM access_files") == 2


def test_the_office_edits_the_robot_words(org, con, tmp_path):
    access.import_file(con, write(tmp_path / "access.log", log_lines()))
    settings.set_values(con, org.webmaster, {"access_robot_words": "bot,spider,crawl"})  # curl is a person now
    assert access.totals(con, DAY, DAY) == {"page_views": 6, "visitors": 4}
    assert access.robots(con, DAY, DAY) == {"requests": 10, "robot_requests": 1, "share": 0.1}


def test_the_page_figures(org, con, tmp_path):
    article = workflow.create_article(con, org.officer_cw, org.col_cw, "财政资金公示", "<p>公示</p>", "财务处",
                                      DAY, "一般")
    access.import_file(con, write(tmp_path / "access.log", log_lines(article.id)))
    shown = access.dashboard(con, org.leader, DAY - dt.timedelta(days=1), DAY)
    assert shown["totals"] == {"page_views": 5, "visitors": 3}
    assert shown["per_day"] == [{"day": DAY - dt.timedelta(days=1), "page_views": 0, "visitors": 0},
                                {"day": DAY, "page_views": 5, "visitors": 3}]
    assert shown["top_columns"] == [{"column_name": "工作动态", "page_views": 1},
                                    {"column_name": "财政资金", "page_views": 1}]
    assert shown["entry_pages"] == [{"path": "/index.html", "entries": 2}, {"path": "/", "entries": 1}]
    assert shown["referrers"] == [{"host": "www.baidu.com", "page_views": 1}]
    assert [(n["path"], n["hits"], n["referrer"]) for n in shown["not_found"]] == [
        ("/old/page.html", 1, "https://www.shaanxi.gov.cn/links.html")]
    assert shown["robots"] == {"requests": 10, "robot_requests": 2, "share": 0.2}
    assert shown["imported"]["lines"] == 13 and shown["imported"]["malformed"] == 3


def test_only_readers_of_statistics_see_visits(org, con):
    with pytest.raises(PermissionDenied):
        access.dashboard(con, org.officer, DAY, DAY)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "access", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_the_command_line_imports_and_reports(tmp_path, fresh_database):
    db = fresh_database(tmp_path / "portal.duckdb")
    log = write(tmp_path / "access.log", log_lines())
    gz = write(tmp_path / "access.log.1.gz", log_lines(), gzipped=True)
    imported = run_cli("import", "--db", str(db), str(log), str(gz))
    assert imported.returncode == 0, imported.stderr
    assert "新读取 13 行,导入 10 条访问记录,格式不正确 3 行" in imported.stdout
    assert "新读取 0 行" in imported.stdout and "此前已导入 13 行" in imported.stdout
    shown = run_cli("report", "--db", str(db), "--from", "2026-01-01", "--to", "2026-12-31", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {"page_views": 5, "visitors": 3, "top_pages": [
        {"path": "/index.html", "page_views": 2}, {"path": "/", "page_views": 1},
        {"path": "/art/2026/12/1.html", "page_views": 1}, {"path": "/col/gzdt/index.html", "page_views": 1}]}
    text = run_cli("report", "--db", str(db), "--from", "2026-12-01", "--to", "2026-12-31")
    assert "浏览量 5 次,访客 3 个" in text.stdout and "/index.html  2 次" in text.stdout
    backwards = run_cli("report", "--db", str(db), "--from", "2026-12-31", "--to", "2026-01-01", "--json")
    assert backwards.returncode == 2 and "结束日期" in backwards.stderr
    missing = run_cli("import", "--db", str(db), str(tmp_path / "nothing.log"))
    assert missing.returncode == 2 and "不存在" in missing.stderr


def test_the_workbench_imports_the_configured_log_hourly(org, con, tmp_path):
    log = write(tmp_path / "access.log", log_lines()[:6])
    write(tmp_path / "access.log.1", [line("10.0.0.6", "05/Dec/2026:10:00:00 +0800", "GET / HTTP/1.1", 200, BROWSER_A)])
    assert "access_log" not in scheduler.maintenance(con, None, dt.datetime(2026, 12, 6, 11, 0))  # off: no path
    settings.set_values(con, org.webmaster, {"access_log_path": str(log)})
    done = scheduler.maintenance(con, None, dt.datetime(2026, 12, 6, 11, 0))["access_log"]
    assert [(Path(d["file"]).name, d["hits"]) for d in done] == [("access.log.1", 1), ("access.log", 6)]
    with open(log, "a") as out:
        out.write(log_lines()[6])
    assert scheduler.maintenance(con, None, dt.datetime(2026, 12, 6, 11, 40))["access_log"] is None  # this hour's done
    later = scheduler.maintenance(con, None, dt.datetime(2026, 12, 6, 12, 0))["access_log"]
    assert [d["hits"] for d in later] == [0, 1]
    assert scalar(con, "SELECT count(*) FROM access_hits") == 8
