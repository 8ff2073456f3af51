"""委托发布处理 page (第十八条): the webmaster turns a request into a published article, or declines it."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, portal, refresh, requests, workflow
from core.db import connect, row
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org

CONTENT = "省工信厅召开电子信息产业推进会。\n  会议部署了下一阶段工作。"


@pytest.fixture
def setup(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    request_id = requests.create_request(
        con, org.officer, division_id=org.dz, requested_on=dt.date(2026, 11, 2), content=CONTENT,
        source="电子信息处会议纪要", form="网站文章", requirements="请在工作动态栏目发布")
    con.close()
    return tmp_path / "portal.duckdb", org, request_id


def queue(db_path):
    return open_page(app_as(db_path, "webmaster"), "request_queue")


def fulfil_button(at, request_id):
    return at.button(key=f"FormSubmitter:rq_fulfil_{request_id}-立即发布")


def decline_button(at, request_id):
    return at.button(key=f"FormSubmitter:rq_decline_{request_id}-不予发布")


def test_queue_shows_the_six_fields_and_prefills_the_body(setup):
    db_path, org, request_id = setup
    at = queue(db_path)
    assert not at.exception
    shown = texts(at)
    for label in ("发布处室", "日期", "发布内容", "信息来源", "发布形式", "发布要求"):
        assert label in shown
    for value in ("电子信息处", "2026-11-02", "电子信息处会议纪要", "网站文章", "请在工作动态栏目发布"):
        assert value in shown
    body = at.text_area(key=f"rq_body_{request_id}").value
    assert body == "<p>省工信厅召开电子信息产业推进会。</p>\n<p>会议部署了下一阶段工作。</p>"
    # the column defaults to one the requesting division is responsible for
    assert at.selectbox(key=f"rq_column_{request_id}").value == org.col_dz


def test_webmaster_fulfils_a_request_and_the_article_is_published(setup):
    db_path, org, request_id = setup
    at = queue(db_path)
    at.text_input(key=f"rq_title_{request_id}").input("电子信息产业推进会召开")
    fulfil_button(at, request_id).click().run()
    assert not at.exception and not at.error
    assert "已发布" in texts(at)
    con = connect(db_path)
    request = requests.get_request(con, request_id)
    assert request["state"] == "done" and request["article_id"]
    article = workflow.get_article(con, request["article_id"])
    con.close()
    assert article.state == "published" and article.public
    assert article.title == "电子信息产业推进会召开" and article.column_id == org.col_dz
    assert article.request_id == request_id and "会议部署了下一阶段工作" in article.body_html
    assert "目前没有待处理的委托发布申请" in texts(at)
    # the portal is rebuilt right after the click, by the refresh worker (core/refresh.py, issue 16)
    assert refresh.wait(db_path.parent / "site").state == "done"
    page = db_path.parent / "site" / portal.article_url(article.id, article.published_at).lstrip("/")
    assert page.exists() and "电子信息产业推进会召开" in page.read_text(encoding="utf-8")


def test_fulfil_without_title_is_refused_and_keeps_the_body(setup):
    db_path, _, request_id = setup
    at = queue(db_path)
    at.text_area(key=f"rq_body_{request_id}").input("<p>改过的正文</p>")
    fulfil_button(at, request_id).click().run()
    assert "「标题」" in " ".join(e.value for e in at.error)
    assert at.text_area(key=f"rq_body_{request_id}").value == "<p>改过的正文</p>"
    con = connect(db_path)
    assert requests.get_request(con, request_id)["state"] == "open"
    con.close()


def test_decline_needs_a_reply(setup):
    db_path, _, request_id = setup
    at = queue(db_path)
    decline_button(at, request_id).click().run()
    message = " ".join(e.value for e in at.error)
    assert "「答复」" in message and "第十八条" in message
    con = connect(db_path)
    assert requests.get_request(con, request_id)["state"] == "open"
    con.close()

    at.text_area(key=f"rq_reply_{request_id}").input("该信息已由其他渠道发布")
    decline_button(at, request_id).click().run()
    assert not at.error and "不予发布" in texts(at)
    con = connect(db_path)
    request = requests.get_request(con, request_id)
    con.close()
    assert request["state"] == "declined" and request["reply"] == "该信息已由其他渠道发布"


def test_a_stale_request_is_refused_and_nothing_typed_is_lost(setup):
    db_path, org, request_id = setup
    at = queue(db_path)
    # the page captured version 1 when it opened; meanwhile another webmaster turns it into an article without publishing it yet
    con = connect(db_path)
    other = accounts.find_user(con, "webmaster")
    requests.fulfil(con, other, request_id, 1, column_id=org.col_dz, title="另一位管理员的稿件",
                    body_html="<p>正文</p>", publish_now=False)
    con.close()
    at.text_input(key=f"rq_title_{request_id}").input("电子信息产业推进会召开")
    fulfil_button(at, request_id).click().run()
    assert not at.exception
    assert "已被他人更新" in " ".join(e.value for e in at.error)
    assert at.text_input(key=f"rq_title_{request_id}").value == "电子信息产业推进会召开"
    con = connect(db_path)
    assert row(con, "SELECT count(*) AS n FROM articles")["n"] == 1
    con.close()


def test_a_request_handled_meanwhile_stays_on_screen_with_the_typed_text(setup):
    db_path, org, request_id = setup
    at = queue(db_path)
    at.selectbox(key="rq_pick").select(request_id).run()
    con = connect(db_path)
    requests.decline(con, accounts.find_user(con, "webmaster"), request_id, 1, "已由同事答复")
    con.close()
    at.text_area(key=f"rq_reply_{request_id}").input("我的答复")
    decline_button(at, request_id).click().run()
    assert not at.exception
    assert "已处理" in " ".join(e.value for e in at.error)
    assert at.text_area(key=f"rq_reply_{request_id}").value == "我的答复"


def test_officer_cannot_reach_the_queue(setup):
    db_path, _, _ = setup
    with pytest.raises(Exception):  # noqa: B017 - a page outside st.navigation is unreachable
        open_page(app_as(db_path, "officer"), "request_queue")


def test_after_declining_the_selector_is_told_to_show_the_next_request(setup):
    db_path, org, request_id = setup
    con = connect(db_path)
    second = requests.create_request(
        con, org.officer, division_id=org.dz, requested_on=dt.date(2026, 11, 3), content="第二份委托发布的内容。",
        source="电子信息处", form="网站文章", requirements="无")
    con.close()
    at = queue(db_path)
    assert at.selectbox(key="rq_pick").value == request_id
    at.text_area(key=f"rq_reply_{request_id}").input("内容已在其他栏目发布。")
    decline_button(at, request_id).click().run()
    picker = at.selectbox(key="rq_pick")
    assert picker.value == second
    # the browser is told (a dropped value left it showing the declined request's label)
    assert picker.proto.set_value and f"#{second}" in picker.proto.raw_value
