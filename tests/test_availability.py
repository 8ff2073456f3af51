"""站点可用性 (issue 15, visits): probes against a real local server the test stops and starts again."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import availability, incidents, scheduler, settings, workflow
from core.db import rows, scalar
from core.errors import PermissionDenied
from tests.browser import free_port

T0 = dt.datetime(2026, 12, 6, 9, 0)


class Portal(BaseHTTPRequestHandler):
    home_status = 200
    seen_agents: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Portal.seen_agents.append(self.headers.get("User-Agent", ""))
        status = Portal.home_status if self.path == "/" else 200
        body = "<html><body>陕西省工业和信息化厅</body></html>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server:
    """The portal on a fixed local port, stopped and started again by the test."""

    def __init__(self):
        self.port = free_port()
        self.httpd = None

    def start(self):
        ThreadingHTTPServer.allow_reuse_address = True
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Portal)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.httpd = None


@pytest.fixture
def portal(org, con):
    server = Server()
    server.start()
    Portal.home_status, Portal.seen_agents = 200, []
    settings.set_values(con, org.webmaster, {"probe_enabled": True, "probe_base_url": f"http://127.0.0.1:{server.port}/",
                                             "probe_fail_threshold": 3, "probe_interval_minutes": 5})
    yield server
    if server.httpd is not None:
        server.stop()


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def outage_incidents(con) -> list[dict]:
    return rows(con, "SELECT id, title, status, source, severity, discovered_at FROM incidents "
                     "WHERE source = 'availability' ORDER BY id")


def test_an_outage_opens_one_incident_and_its_end_is_noted(org, con, portal):
    first = availability.probe(con, at(0))
    assert first[0]["home"] and first[0]["ok"] and first[0]["status"] == 200 and first[0]["latency_ms"] >= 0
    portal.stop()
    for minute in (5, 10):
        failed = availability.probe(con, at(minute))[0]
        assert not failed["ok"] and failed["status"] == 0 and "连接被拒绝" in failed["detail"]
    assert outage_incidents(con) == []  # two in a row: below the office's threshold of three
    availability.probe(con, at(15))
    opened = outage_incidents(con)
    assert len(opened) == 1
    assert opened[0]["title"] == "门户网站首页无法访问" and opened[0]["status"] == "suggested"
    assert opened[0]["discovered_at"] == at(5) and opened[0]["severity"] == "较大"
    assert "连续 3 次" in incidents.get(con, opened[0]["id"])["description"]
    assert incidents.get(con, opened[0]["id"])["source_label"] == "站点可用性监测"
    availability.probe(con, at(20))
    assert len(outage_incidents(con)) == 1  # one incident per outage
    portal.start()
    back = availability.probe(con, at(25))[0]
    assert back["ok"]
    steps = incidents.get(con, opened[0]["id"])["steps"]
    assert len(steps) == 1 and steps[0]["actor"] == "system"
    assert "恢复访问" in steps[0]["text"] and "连续 4 次无法访问" in steps[0]["text"] and "中断约 20 分钟" in steps[0]["text"]
    portal.stop()
    for minute in (30, 35, 40):
        availability.probe(con, at(minute))
    assert len(outage_incidents(con)) == 2  # a new outage, a new incident
    assert outage_incidents(con)[1]["discovered_at"] == at(30)


def test_an_error_answer_is_a_failure(org, con, portal):
    Portal.home_status = 500
    result = availability.probe(con, at(0))[0]
    assert (result["status"], result["ok"]) == (500, False) and "500" in result["detail"]
    assert scalar(con, "SELECT count(*) FROM site_probes WHERE NOT ok AND status = 500") == 1


def test_the_probe_is_a_robot_to_the_visit_figures(org, con, portal):
    availability.probe(con, at(0))
    assert Portal.seen_agents and all("bot" in agent for agent in Portal.seen_agents)


def test_latest_articles_are_probed_beside_the_home_page(org, con, portal, published_article):
    probed = availability.probe(con, at(0))
    assert [r["home"] for r in probed] == [True, False]
    assert probed[1]["url"].endswith(f"/{published_article}.html") and probed[1]["ok"]
    portal.stop()
    assert [r["home"] for r in availability.probe(con, at(5))] == [True]  # no server: the sample waits


def test_the_scheduler_probes_at_the_offices_interval(org, con, portal):
    scheduler.tick(con, None, at(0))
    scheduler.tick(con, None, at(3))
    assert scalar(con, "SELECT count(*) FROM site_probes WHERE home") == 1
    scheduler.tick(con, None, at(5))
    assert scalar(con, "SELECT count(*) FROM site_probes WHERE home") == 2
    settings.set_values(con, org.webmaster, {"probe_enabled": False})
    scheduler.tick(con, None, at(60))
    assert scalar(con, "SELECT count(*) FROM site_probes WHERE home") == 2


def test_the_overview_figures(org, con, portal):
    availability.probe(con, at(0))
    portal.stop()
    availability.probe(con, at(5))
    shown = availability.recent(con, org.tech, today=T0.date())
    assert shown["availability"] == 50.0 and shown["probes"] == 2
    assert shown["per_day"][0]["day"] == T0.date() and shown["per_day"][0]["availability"] == 50.0
    assert [f["probed_at"] for f in shown["failures"]] == [at(5)]
    with pytest.raises(PermissionDenied):
        availability.recent(con, org.officer)


@pytest.fixture
def published_article(org, con):
    article = workflow.create_article(con, org.officer, org.col_dz, "电子信息产业推进会召开", "<p>会议</p>", "电子信息处",
                                      T0.date(), "一般")
    article = workflow.submit(con, org.officer, article.id, article.version)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    workflow.publish(con, org.officer, article.id, article.version)
    return article.id
