"""网站自查 page (第二十五条; 国办函〔2019〕4号): the verdict, veto items first, each row with its threshold, our value
and a link to the page behind it."""

from __future__ import annotations

import datetime as dt

import pytest

from core import inspection
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def db_path(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    make_org(con)
    con.execute("INSERT INTO incidents (title, severity, status, discovered_at, created_by) VALUES "
                "('网页被篡改', '重大', 'open', ?, 'tech')", [dt.datetime.now()])
    con.close()
    return tmp_path / "portal.duckdb"


def test_the_office_sees_the_veto_first_with_links(db_path):
    at = open_page(app_as(db_path, "webmaster"), "self_inspection")
    assert not at.exception
    assert "触发单项否决" in at.error[0].value and "安全、泄密事故" in at.error[0].value
    shown = texts(at)
    assert [h.value for h in at.subheader] == ["单项否决指标", "扣分指标"]
    names = [m.value.strip("*") for m in at.markdown if m.value.startswith("**")]
    vetoes = [i.name for i in inspection.INDICATORS if i.veto]
    assert names[:len(vetoes)] == vetoes and "链接不可用" in names[len(vetoes):]
    assert "不达标(单项否决)" in shown and "近一年重大及以上安全事件 1 起" in shown
    assert "监测 1 周" in shown and "15 秒" in shown
    links = [link.proto.page for link in at.get("page_link")]
    assert "incidents" in links and "freshness" in links


def test_a_leader_sees_the_page_with_the_links_they_may_follow(db_path):
    at = open_page(app_as(db_path, "leader"), "self_inspection")
    assert not at.exception and "单项否决指标" in texts(at)
    links = [link.proto.page for link in at.get("page_link")]
    assert "incidents" not in links and "freshness" in links
