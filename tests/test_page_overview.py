"""运行概览 page: read-only summaries for tech, analysts, leaders, the group and the webmaster."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, availability, db, requests, settings, workflow
from core.db import connect, scalar
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org

BODY = "<p>省工信厅召开电子信息产业推进会。</p>"


@pytest.fixture
def db_path(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    article = workflow.create_article(con, org.officer, org.col_dz, "电子信息产业推进会召开", BODY, "电子信息处",
                                      dt.date.today(), "一般")
    article = workflow.submit(con, org.officer, article.id, article.version)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    article = workflow.publish(con, org.officer, article.id, article.version)
    workflow.take_down(con, org.webmaster, article.id, article.version, "数据有误")
    workflow.create_article(con, org.officer_cw, org.col_cw, "财政资金草稿", BODY, "财务处", None, "一般")
    requests.create_request(con, org.officer, division_id=org.dz, requested_on=dt.date.today(), content="请发布",
                            source="电子信息处", form="网站文章", requirements="尽快")
    con.close()
    return tmp_path / "portal.duckdb"


def overview(db_path, username):
    return open_page(app_as(db_path, username), "overview")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def page_buttons(at) -> list[str]:
    """Buttons in the page body (the sidebar holds only the frame's 退出登录)."""
    return [b.label for b in at.main.button]


@pytest.mark.parametrize("username", ["tech", "analyst"])
def test_readers_see_the_summary_and_no_buttons(db_path, username):
    at = overview(db_path, username)
    assert not at.exception and not at.error
    shown = metrics(at)
    assert shown["处室"] == "3" and shown["栏目"] == "2" and shown["信息总数"] == "2"
    assert shown["已撤下"] == "1" and shown["草稿"] == "1" and shown["已发布"] == "0"
    assert "近 12 个月发布量" in texts(at)
    divisions = at.dataframe[0].value
    dz = divisions[divisions["处室"] == "电子信息处"].iloc[0]
    assert (dz["信息总数"], dz["已撤下"], dz["待处理委托"]) == (1, 1, 1)
    events = at.dataframe[2].value
    assert events["操作"].iloc[0] == "新建" and "撤下" in list(events["操作"])
    assert page_buttons(at) == []
    assert not at.main.text_input and not at.main.text_area and not at.main.selectbox


def test_nothing_is_written_by_looking(db_path):
    con = connect(db_path)
    before = scalar(con, "SELECT count(*) FROM audit_log"), scalar(con, "SELECT max(version) FROM articles")
    overview(db_path, "tech")
    overview(db_path, "analyst")
    assert (scalar(con, "SELECT count(*) FROM audit_log"), scalar(con, "SELECT max(version) FROM articles")) == before
    con.close()


def test_tech_also_sees_the_audit_log_and_the_analyst_does_not(db_path):
    tech = overview(db_path, "tech")
    assert "系统日志" in texts(tech) and len(tech.dataframe) == 4
    audit = tech.dataframe[3].value
    assert "提交委托发布申请" in list(audit["操作"]) and "稿件撤下" in list(audit["操作"])
    analyst = overview(db_path, "analyst")
    assert "系统日志" not in texts(analyst) and len(analyst.dataframe) == 3


@pytest.mark.parametrize("username", ["webmaster", "leader", "group1"])
def test_office_and_leaders_reach_it_too(db_path, username):
    at = overview(db_path, username)
    assert not at.exception and not at.error and page_buttons(at) == []


@pytest.mark.parametrize("username", ["officer", "head"])
def test_division_staff_cannot_reach_it(db_path, username):
    with pytest.raises(Exception):  # noqa: B017 - a page outside st.navigation is unreachable
        open_page(app_as(db_path, username), "overview")


@pytest.mark.parametrize(("username", "told"), [("analyst", True), ("tech", True), ("leader", False)])
def test_analysts_are_told_how_to_open_the_notebooks(db_path, username, told):
    shown = texts(overview(db_path, username))
    assert ("make lab" in shown and "http://127.0.0.1:8888/lab" in shown and "快照" in shown) is told


def test_kept_figures_follow_a_change_made_by_someone_else(db_path):
    """Issue 16: 运行概览 keeps its figures between runs (pages/_cache.py); a draft and a submission made
    elsewhere show at the next run, and so does the approval they lead to in the recent events."""
    at = overview(db_path, "webmaster")
    at.run()
    drafts = int(metrics(at)["草稿"])
    con = connect(db_path)
    officer = accounts.find_user(con, "officer")
    article = workflow.create_article(con, officer, scalar(con, "SELECT id FROM columns WHERE slug = 'gzdt'"),
                                      "新写的草稿", BODY, "电子信息处", None, "一般")
    con.close()
    at.run()
    assert int(metrics(at)["草稿"]) == drafts + 1
    con = connect(db_path)
    workflow.submit(con, officer, article.id, article.version)
    con.close()
    at.run()
    assert int(metrics(at)["草稿"]) == drafts
    assert f"#{article.id} 新写的草稿" in list(at.dataframe[2].value["信息"])


def test_a_new_probe_shows_at_the_next_run(db_path, monkeypatch):
    """站点可用性 is kept between runs too (pages/_availability.py through the page's kept figures): a probe
    the scheduler records meanwhile (a write) shows at the next run — here a failed one, the home page not
    answering on a closed port. Every figure counts as settled at once (SETTLE_NS 0), so the second run
    reads the kept one unless the write's new mark sends it back to the database."""
    from tests.browser import free_port

    monkeypatch.setattr(db, "SETTLE_NS", 0)

    con = connect(db_path)
    webmaster = accounts.find_user(con, "webmaster")
    settings.set_values(con, webmaster, {"probe_enabled": True, "probe_base_url": f"http://127.0.0.1:{free_port()}/"})
    availability.probe(con)
    con.close()
    at = overview(db_path, "webmaster")
    at.run()
    assert metrics(at)["首页监测次数"] == "1"
    con = connect(db_path)
    availability.probe(con)
    con.close()
    at.run()
    assert metrics(at)["首页监测次数"] == "2"
