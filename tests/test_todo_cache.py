"""The sidebar's 我的待办 is computed once per database change, not on every run (pages/_shared.todo_items):
a change made by another user, in another session, shows at the next run — never a stale count."""

from __future__ import annotations

from core import db, workflow
from core.db import connect
from tests.apptest_helpers import app_as
from tests.conftest import make_org


def shown(at) -> int:
    return int(next(m.value for m in at.sidebar.metric if m.label == "我的待办"))


def submitted(path, org, title: str) -> int:
    con = connect(path)
    try:
        article = workflow.create_article(con, org.officer, org.col_dz, title, "<p>各有关单位:现开展试点。</p>",
                                          "电子信息处")
        workflow.submit(con, org.officer, article.id, article.version)
        return article.id
    finally:
        con.close()


def waiting(at) -> int:
    """The home page's card 待您审批的稿件 (AppTest shows the sidebar of a session's first run only)."""
    return int(next(m.value for m in at.main.metric if m.label == "待您审批的稿件"))


def test_another_users_submission_and_approval_show_at_the_next_run(tmp_path, con):
    org = make_org(con)
    con.close()
    path = tmp_path / "portal.duckdb"
    head = app_as(path, "head")
    before, cards = shown(head), waiting(head)
    assert shown(app_as(path, "head")) == before  # nothing changed: the same count, from the cache

    article_id = submitted(path, org, "全省工业互联网试点工作启动")  # the officer, in another session
    assert waiting(head.run()) == cards + 1  # the head's open tab, at its next run
    other_tab = app_as(path, "head")
    assert shown(other_tab) == before + 1

    con = connect(path)  # the head approves elsewhere: both tabs' next runs count one less
    try:
        article = workflow.get_article(con, article_id)
        workflow.approve(con, org.head, article_id, article.version, checklist=list(workflow.CHECKLIST))
    finally:
        con.close()
    assert waiting(head.run()) == cards
    assert waiting(other_tab.run()) == cards
    assert shown(app_as(path, "head")) == before


def test_the_home_page_and_the_sidebar_agree_after_a_change(tmp_path, con):
    org = make_org(con)
    con.close()
    path = tmp_path / "portal.duckdb"
    app_as(path, "head")  # the count is cached before the change
    submitted(path, org, "关于开展2026年度中小企业数字化转型试点的通知")
    head = app_as(path, "head")
    cards = {m.label: int(m.value) for m in head.main.metric}
    assert cards["待您审批的稿件"] >= 1 and shown(head) == sum(cards.values())


def test_the_change_mark_moves_with_every_committed_write(tmp_path, con):
    org = make_org(con)
    path = tmp_path / "portal.duckdb"
    before = db.change_mark(path)
    assert db.change_mark(path) == before  # reading changes nothing
    con.execute("UPDATE users SET email = 'x@example.com' WHERE id = ?", [org.officer.id])
    assert db.change_mark(path) != before
