"""安全事件 (第二十三条): severity, discovery time, description, handling steps, divisions, closure;
automatic suggestions; every transition logged; the right people told by severity."""

from __future__ import annotations

import datetime as dt

import pytest

from core import incidents, security_audit
from core.db import rows, scalar
from core.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationError


def record(con, org, severity="一般", **kw):
    values = {"title": "首页被植入异常链接", "severity": severity,
              "discovered_at": dt.datetime.now() - dt.timedelta(hours=1),
              "description": "巡检发现首页底部出现外部链接", "divisions": [org.dz], "first_step": "已撤下首页"}
    values.update(kw)
    return incidents.create(con, org.tech, values["title"], values["severity"], values["discovered_at"],
                            values["description"], values["divisions"], values["first_step"])


def test_record_handle_and_close(con, org):
    incident_id = record(con, org)
    incidents.add_step(con, org.webmaster, incident_id, "已通知电子信息处核查")
    found = incidents.get(con, incident_id)
    assert (found["severity"], found["status"], found["divisions"]) == ("一般", "open", [org.dz])
    assert [s["text"] for s in found["steps"]] == ["已撤下首页", "已通知电子信息处核查"]
    assert [s["actor"] for s in found["steps"]] == ["tech", "webmaster"]
    incidents.close(con, org.tech, incident_id, found["version"], "已清除链接,修补漏洞,加强巡检")
    closed = incidents.get(con, incident_id)
    assert closed["status"] == "closed" and closed["closed_by"] == "tech" and closed["closure"].startswith("已清除")
    with pytest.raises(InvalidTransition):
        incidents.add_step(con, org.tech, incident_id, "再补一步")
    actions = [r["action"] for r in rows(con, "SELECT action FROM audit_log WHERE object = ? ORDER BY id",
                                         [f"incident:{incident_id}"])]
    assert actions == ["incidents.create", "incidents.step", "incidents.close"]


@pytest.mark.parametrize("field,value,message", [
    ("title", " ", "事件名称"),
    ("severity", "严重", "事件级别"),
    ("description", "", "事件描述"),
    ("discovered_at", dt.datetime.now() + dt.timedelta(days=1), "发现时间"),
    ("divisions", [999], "涉及处室"),
])
def test_validation(con, org, field, value, message):
    with pytest.raises(ValidationError, match=message):
        record(con, org, **{field: value})


def test_only_technical_support_and_the_office(con, org):
    for role in ("officer", "head", "leader", "group1", "analyst"):
        with pytest.raises(PermissionDenied, match="第二十条"):
            incidents.create(con, getattr(org, role), "t", "一般", dt.datetime.now(), "d")
        with pytest.raises(PermissionDenied):
            incidents.listing(con, getattr(org, role))
    assert incidents.create(con, org.webmaster, "t", "一般", dt.datetime.now(), "d")


def test_suggested_incident_is_confirmed_or_dismissed(con, org):
    first = incidents.suggest_incident(con, "screening", "已发布稿件 #12 含「绝密」标识", dedup_key="screening:12")
    assert incidents.suggest_incident(con, "screening", "again", dedup_key="screening:12") is None  # once per signal
    second = incidents.suggest_incident(con, "login_burst", "10 分钟内失败 40 次")
    listed = incidents.listing(con, org.tech, ["suggested"])
    assert {i["id"] for i in listed} == {first, second}
    assert incidents.get(con, first)["title"] == "已发布内容筛查发现违规"
    incidents.confirm(con, org.tech, first, 1, "重大")
    assert incidents.get(con, first)["status"] == "open" and incidents.get(con, first)["severity"] == "重大"
    with pytest.raises(ValidationError, match="排除理由"):
        incidents.dismiss(con, org.tech, second, 1, " ")
    incidents.dismiss(con, org.tech, second, 1, "经核实为同事多次输错密码")
    assert incidents.get(con, second)["status"] == "dismissed"
    with pytest.raises(InvalidTransition):
        incidents.close(con, org.tech, second, 2, "x")
    assert security_audit.search(con, org.tech, action="incidents.suggest")[0]["actor"] == "system"


def test_stale_version_is_refused(con, org):
    incident_id = record(con, org)
    incidents.update(con, org.tech, incident_id, 1, title="首页被植入异常链接", severity="较大",
                     discovered_at=dt.datetime.now(), description="补充:影响两个栏目", divisions=[org.dz, org.cw])
    with pytest.raises(StaleVersion):
        incidents.close(con, org.webmaster, incident_id, 1, "x")
    assert incidents.get(con, incident_id)["divisions"] == [org.dz, org.cw]
    assert "级别 一般→较大" in security_audit.search(con, org.tech, action="incidents.update")[0]["summary"]


def test_major_incidents_notify_the_office_and_the_leading_group(con, org):
    record(con, org, "一般")
    assert scalar(con, "SELECT count(*) FROM outbox WHERE kind = 'incident'") == 0
    record(con, org, "重大", title="门户网站遭篡改")
    recipients = {r["user_id"] for r in rows(con, "SELECT user_id FROM outbox WHERE kind = 'incident'")}
    assert recipients == {org.webmaster.id, org.group1.id, org.group2.id}
    assert "信息化领导小组" in incidents.ESCALATION["重大"]
