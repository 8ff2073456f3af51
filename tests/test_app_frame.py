"""The frame: login through streamlit-authenticator, and each role sees only its pages."""

from __future__ import annotations

import pytest

from core import accounts
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import PASSWORD, make_org


@pytest.fixture
def db_path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def nav_titles(at) -> set[str]:
    return {p.title for p in at.get("navigation")} if at.get("navigation") else set()


def test_signed_out_sees_the_login_form_in_chinese(db_path):
    at = app_as(db_path, None)
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


def test_login_with_password_then_role_pages(db_path):
    at = app_as(db_path, None)
    at.text_input[0].input("officer")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    at.run()
    assert at.session_state["authentication_status"] is True
    assert "OFFICER" in texts(at) or any("OFFICER" in m.value for m in at.sidebar.markdown)


def test_wrong_password_is_refused(db_path):
    at = app_as(db_path, None)
    at.text_input[0].input("officer")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert "用户名或密码不正确" in texts(at)


ALL_PAGES = {"home", "my_articles", "publication_request", "approvals", "content_admin", "request_queue",
             "columns_admin", "accounts_admin", "settings_admin", "overview", "regulation", "account",
             "security_audit", "incidents", "backups", "lexicon_admin", "interaction_desk", "interaction_answers",
             "message", "statistics", "freshness", "evaluation", "calendar_admin", "proposals"}
SECURITY = {"security_audit", "incidents", "backups"}  # 第二十、二十三条: technical support and the office
# 公众留言 is open to all, signed in or not; 建议与提案 to all staff (第二十六条(三), issue 17)
EVERYONE = {"home", "regulation", "account", "message", "proposals"}
# the pages each role reaches (第二十四条); every other page must be unreachable
ROLE_PAGES = {
    "officer": EVERYONE | {"my_articles", "publication_request", "interaction_answers", "freshness"},
    "head": EVERYONE | {"approvals", "interaction_answers", "statistics", "freshness"},
    "leader": EVERYONE | {"approvals", "overview", "statistics", "freshness"},
    "group1": EVERYONE | {"approvals", "overview", "statistics", "freshness"},
    "webmaster": EVERYONE | SECURITY | {"my_articles", "content_admin", "request_queue", "columns_admin",
                                        "accounts_admin", "settings_admin", "lexicon_admin", "overview",
                                        "interaction_desk", "statistics", "freshness", "evaluation", "calendar_admin"},
    "tech": EVERYONE | SECURITY | {"overview"},
    "analyst": EVERYONE | {"overview", "statistics", "freshness"},
}


@pytest.mark.parametrize("username", sorted(ROLE_PAGES))
def test_each_role_reaches_only_its_pages(db_path, username):
    for page in sorted(ROLE_PAGES[username]):
        at = open_page(app_as(db_path, username), page)
        assert not at.exception, (username, page, at.exception)
        assert not [e for e in at.error if "无权" in e.value], (username, page)
    for page in sorted(ALL_PAGES - ROLE_PAGES[username]):
        at = app_as(db_path, username)
        with pytest.raises(Exception):  # noqa: B017 - AppTest raises on a page outside st.navigation
            open_page(at, page)


def test_first_login_shows_only_the_password_change(db_path, tmp_path):
    from core.db import connect

    con = connect(db_path)
    accounts.create_user(con, None, "newbie", "新同事", ["officer"], 1, password="Init-Pass-123")
    con.close()
    at = app_as(db_path, "newbie")
    assert "修改密码" in texts(at) and "初始密码" in texts(at)
    with pytest.raises(Exception):  # noqa: B017
        open_page(at, "my_articles")


def test_home_lists_what_waits_with_a_link(db_path):
    from core import workflow
    from core.db import connect

    con = connect(db_path)
    officer, head = accounts.find_user(con, "officer"), accounts.find_user(con, "head")
    article = workflow.create_article(con, officer, 1, "待审批的稿件", "<p>正文</p>", "电子信息处")
    workflow.submit(con, officer, article.id, article.version)
    at = app_as(db_path, "head")
    assert at.metric[0].label == "我的待办" or any(m.label == "待您审批的稿件" for m in at.metric)
    assert [m.value for m in at.metric if m.label == "待您审批的稿件"] == ["1"]
    assert head.has("head")
