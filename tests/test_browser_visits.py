"""访问统计 in a real browser (issue 15, visits): two weeks of the portal's access log imported into the demo
database; the analyst opens 统计分析 → 访问统计 and 运行概览's availability, screenshots kept."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from core import access
from core.db import connect
from core.portal.urls import article_url, column_url
from tests.browser import chromium, click_until, login, make_demo, servers, shot, wait_idle
from tests.chinese_walk import collect, foreign

pytestmark = pytest.mark.browser

PASSWORD = "Demo-2026!sx"
AGENTS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1)",
          "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"]
ROBOTS = ["Mozilla/5.0 (compatible; Baiduspider/2.0)", "Sogou web spider/4.0"]
REFERRERS = ["-", "-", "https://www.baidu.com/s?wd=sxit", "https://www.shaanxi.gov.cn/"]


def two_weeks(con) -> list[str]:
    """Lines of the last 14 days over the demo's columns and articles, with robots and broken links."""
    rng = random.Random(15)
    pages = ["/", "/index.html", "/xxgk/index.html"] + [column_url(s) for (s,) in con.execute(
        "SELECT slug FROM columns WHERE NOT retired").fetchall()] + [article_url(i, at) for i, at in con.execute(
            "SELECT id, published_at FROM articles WHERE published_at IS NOT NULL").fetchall()]
    found, today = [], dt.date.today()
    for back in range(13, -1, -1):
        day = today - dt.timedelta(days=back)
        for n in range(rng.randint(60, 160)):
            client = f"10.1.{rng.randint(0, 9)}.{rng.randint(1, 40)}"
            agent = rng.choice(ROBOTS) if n % 7 == 0 else rng.choice(AGENTS)
            path, status = (f"/old/{rng.randint(1, 3)}.html", 404) if n % 23 == 0 else (rng.choice(pages), 200)
            found.append(f'{client} - - [{day:%d/%b/%Y}:{8 + n % 10:02d}:{n % 60:02d}:00 +0800] "GET {path} HTTP/1.1" '
                         f'{status} 4096 "{rng.choice(REFERRERS)}" "{agent}"\n')
    return found


def test_the_analyst_reads_the_visits(tmp_path):
    db = make_demo(tmp_path / "demo.duckdb")
    con = connect(db)
    log = tmp_path / "access.log"
    log.write_text("".join(two_weeks(con)) + "not a log line\n")
    expected = access.import_file(con, log)
    typed = {r[0].lower() for r in con.execute("SELECT username FROM users UNION SELECT slug FROM columns").fetchall()}
    now = dt.datetime.now().replace(second=0, microsecond=0)
    for back in range(0, 24 * 60, 30):  # a day of probes with one short outage
        down = 300 <= back < 330
        con.execute("INSERT INTO site_probes (probed_at, url, home, status, ok, latency_ms, detail) "
                    "VALUES (?, 'https://www.sxit.gov.cn/', TRUE, ?, ?, ?, ?)",
                    [now - dt.timedelta(minutes=back), 0 if down else 200, not down, None if down else 40 + back % 90,
                     "连接超时(10 秒内无响应)" if down else ""])
    con.close()
    assert expected["malformed"] == 1
    with servers(db, tmp_path / "site") as (workbench, _portal), chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        login(page, workbench, "analyst", PASSWORD)
        page.goto(f"{workbench}/statistics")
        choice = page.get_by_text("访问统计", exact=True).first
        choice.wait_for(timeout=90000)
        click_until(page, choice, page.get_by_text("热门页面", exact=True))
        wait_idle(page)
        assert page.get_by_text("入口页面", exact=True).is_visible()
        assert page.get_by_text("无法找到的地址", exact=True).is_visible()
        assert page.get_by_text("不含网络爬虫").first.is_visible()
        shot(page, "visits-statistics")
        assert not foreign(collect(page), typed)  # the walk of every page stops at the first view; this one is behind it
        page.get_by_text("无法找到的地址", exact=True).scroll_into_view_if_needed()
        shot(page, "visits-statistics-tables")
        page.goto(f"{workbench}/overview")
        page.get_by_text("站点可用性(近 30 天)").wait_for(timeout=90000)
        wait_idle(page)
        assert page.get_by_text("首页可用率").first.is_visible()
        page.get_by_text("最近的故障", exact=True).scroll_into_view_if_needed()
        shot(page, "visits-availability")
        assert not foreign(collect(page), typed)
