"""访问统计 in 统计分析 and 站点可用性 in 运行概览 (issue 15, visits), in AppTest on a real database."""

from __future__ import annotations

import datetime as dt

import pytest

from core import access
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_access import line, log_lines, write

TODAY = dt.date.today()


def stamp(day: dt.date, hour: int) -> str:
    return f"{day:%d/%b/%Y}:{hour:02d}:00:00 +0800"


@pytest.fixture
def db_path(tmp_path, con, monkeypatch):
    """Two days of visits ending today (the page's default period is the last 30 days)."""
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    make_org(con)
    yesterday = TODAY - dt.timedelta(days=1)
    lines = [entry.replace("06/Dec/2026", f"{yesterday:%d/%b/%Y}") for entry in log_lines()]
    lines.append(line("10.0.0.9", stamp(TODAY, 12), "GET /xxgk/index.html HTTP/1.1", 200, "Mozilla/5.0 (X11; Linux)"))
    access.import_file(con, write(tmp_path / "access.log", lines))
    con.close()
    return tmp_path / "portal.duckdb"


def visits(db_path, username):
    at = open_page(app_as(db_path, username), "statistics")
    at.radio(key="stat_view").set_value("访问统计").run()
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frames(at) -> dict[str, list]:
    return {tuple(f.value.columns)[0] + "/" + tuple(f.value.columns)[1]: f.value.values.tolist() for f in at.dataframe}


def test_the_office_reads_the_visits(db_path):
    at = visits(db_path, "webmaster")
    assert not at.exception and not at.error
    shown = metrics(at)
    assert shown["浏览量"] == "6" and shown["访客"] == "4" and shown["网络爬虫请求占比"] == "18.2%"
    page_text = texts(at)
    assert "不含网络爬虫" in page_text and "304" in page_text and "网络地址 + 浏览器标识" in page_text
    assert "已导入访问日志 1 个,共 14 行(其中格式不正确 3 行)" in page_text
    tables = frames(at)
    assert tables["页面/浏览量"][0] == ["/index.html", 2]
    assert ["工作动态", 1] in tables["栏目/浏览量"]
    assert tables["网站/浏览量"] == [["www.baidu.com", 1]]
    assert tables["地址/请求次数"][0][:3] == ["/old/page.html", 1, "https://www.shaanxi.gov.cn/links.html"]
    assert tables["页面/进入次数"][0] == ["/index.html", 2]
    assert len(at.get("vega_lite_chart")) == 1  # page views and visitors per day


def test_another_period(db_path):
    at = visits(db_path, "analyst")
    at.radio(key="visits_kind").set_value("自定义").run()
    at.date_input(key="visits_range").set_value((TODAY, TODAY)).run()
    assert not at.exception
    assert metrics(at)["浏览量"] == "1" and metrics(at)["访客"] == "1"


def test_before_any_log_the_page_says_how(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    make_org(con)
    con.close()
    at = visits(tmp_path / "portal.duckdb", "leader")
    assert not at.exception and "尚未导入访问日志" in texts(at)


def test_the_overview_shows_availability(db_path):
    con = connect(db_path)
    con.execute("INSERT INTO site_probes (probed_at, url, home, status, ok, latency_ms, detail) VALUES "
                "(?, 'http://127.0.0.1:9/', TRUE, 200, TRUE, 35, ''), "
                "(?, 'http://127.0.0.1:9/', TRUE, 0, FALSE, NULL, '连接被拒绝(服务器未运行或端口未开放)')",
                [dt.datetime.combine(TODAY, dt.time(8)), dt.datetime.combine(TODAY, dt.time(8, 5))])
    con.close()
    at = open_page(app_as(db_path, "tech"), "overview")
    assert not at.exception and not at.error
    shown = metrics(at)
    assert shown["首页可用率"] == "50.00%" and shown["首页监测次数"] == "2"
    assert shown["最近一次首页故障"] == f"{TODAY:%m-%d} 08:05"
    assert "尚未启用站点可用性监测" in texts(at)
    failures = [f.value for f in at.dataframe if "说明" in f.value.columns][0]
    assert failures.iloc[0]["说明"].startswith("连接被拒绝") and failures.iloc[0]["状态"] == "无响应"


