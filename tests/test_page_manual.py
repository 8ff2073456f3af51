"""使用帮助 in AppTest (第十条(二)(三)): the list, search, a page by its address, the 帮助 link on every
page, and a new account's first sign-in pointing to 新手入门."""

from __future__ import annotations

import pytest

from core import manual
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts


@pytest.fixture
def db_path(tmp_path, con, org, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    con.close()
    return tmp_path / "portal.duckdb"


def links(at) -> list[tuple[str, str, dict]]:
    """(label, page, query) of every st.page_link, sidebar included."""
    found = []
    for link in at.get("page_link"):
        query = dict(part.split("=", 1) for part in link.proto.query_string.split("&") if part) \
            if getattr(link.proto, "query_string", "") else {}
        found.append((link.proto.label, link.proto.page, query))
    return found


def test_the_manual_lists_every_page_and_search_finds_one(db_path):
    at = open_page(app_as(db_path, "officer"), "manual")
    assert not at.exception
    assert at.title[0].value == "使用帮助"
    labels = [label for label, page, _ in links(at) if page == "manual"]
    assert labels[:2] == ["新手入门", "我的稿件"] or labels[0] == "新手入门"
    assert {"待我审批", "技术支持", "使用帮助"} <= set(labels)
    at.text_input(key="manual_query").input("退回时必须填写意见").run()
    found = [(label, query) for label, page, query in links(at) if page == "manual" and query]
    assert found == [("待我审批", {"page": "approvals"})]
    at.text_input(key="manual_query").input("没有这个词语的页面").run()
    assert "没有找到包含这些词的帮助页" in texts(at)


def test_a_manual_page_opens_by_its_address_and_an_unknown_one_is_refused(db_path):
    at = app_as(db_path, "officer")
    at.query_params["page"] = "approvals"
    open_page(at, "manual")
    assert not at.exception
    shown = texts(at)
    assert "待我审批" in shown and "退回时必须填写意见" in shown and "第十四条" in shown
    at.button(key="manual_back").click().run()
    assert at.title[0].value == "使用帮助"
    at.query_params["page"] = "no_such_page"
    at.run()
    assert "使用帮助中没有「no_such_page」这一页" in at.error[0].value


def test_every_task_page_has_its_help_link(db_path):
    for user, key in (("officer", "my_articles"), ("head", "approvals"), ("officer", "support"),
                      ("webmaster", "columns_admin")):
        at = open_page(app_as(db_path, user), key)
        assert not at.exception, (user, key)
        helps = [(label, query) for label, page, query in links(at) if page == "manual"]
        assert helps == [("帮助", {"page": key})], (key, helps)


def test_a_new_account_is_pointed_to_getting_started_until_it_opens_the_manual(db_path):
    at = app_as(db_path, "officer")
    assert "第一次使用,请先阅读「新手入门」" in texts(at)
    assert ("阅读新手入门", "manual", {"page": manual.START}) in links(at)
    open_page(at, "manual")  # opening the manual once is enough
    at = app_as(db_path, "officer")
    assert "第一次使用" not in texts(at)
    con = connect(db_path)
    try:  # remembered per account: another new account is still pointed there
        assert not manual.seen(con, con.execute("SELECT id FROM users WHERE username = 'head'").fetchone()[0])
    finally:
        con.close()
    assert "第一次使用,请先阅读「新手入门」" in texts(app_as(db_path, "head"))


def test_the_menu_entry_or_a_rerun_on_a_help_page_returns_to_the_list(db_path):
    """Streamlit keeps ?page=… when 「使用帮助」 in the menu leads to the page already shown: that run of a
    help page on itself shows the list (and forgets the address); another page's 帮助 link still opens it."""
    at = app_as(db_path, "officer")
    at.query_params["page"] = "approvals"
    open_page(at, "manual")
    assert "退回时必须填写意见" in texts(at) and at.title == []  # the help page, its title a Markdown heading
    at.run()  # what the menu's 「使用帮助」 does on this page: the same page, the same address, run again
    assert not at.exception
    assert at.title[0].value == "使用帮助" and "退回时必须填写意见" not in texts(at)
    assert "page" not in at.query_params
    assert ("待我审批", "manual", {"page": "approvals"}) in links(at)
    # from another page, the 帮助 link to the help page read before opens it again
    open_page(at, "approvals")
    at.query_params["page"] = "approvals"
    open_page(at, "manual")
    assert "退回时必须填写意见" in texts(at)


def test_a_search_typed_on_a_help_page_shows_its_hits_and_a_hit_opens_with_an_empty_box(db_path):
    at = app_as(db_path, "officer")
    at.query_params["page"] = "approvals"
    open_page(at, "manual")
    at.text_input(key="manual_query").input("动态口令").run()
    assert at.title[0].value == "使用帮助" and "page" not in at.query_params
    hits = [(label, query) for label, page, query in links(at) if page == "manual" and query]
    assert ("账号安全", {"page": "account"}) in hits
    at.query_params["page"] = "account"  # what the hit's link does: this page with the hit's address
    at.run()
    assert "账号安全" in texts(at) and at.text_input(key="manual_query").value == ""
