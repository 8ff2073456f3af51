"""Issue 12, the serving side: L9 the public message page and the cookie, L2 staff text and external
images, L7 the losing side of a double approval, L8 attachments served so that browsers never run them."""

from __future__ import annotations

import threading

import pytest

from core import accounts, workflow
from core.db import connect
from core.errors import PortalError, StaleVersion
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import PASSWORD, make_org
from tests.test_page_approvals import button

ALL_CHECKS = list(workflow.CHECKLIST)
BODY = "<p>省工信厅召开电子信息产业推进会。</p>"


def second_head(con, org) -> accounts.User:
    return accounts.create_user(con, None, "head2", "王处长", ["head"], org.dz, password=PASSWORD,
                                must_change_password=False)[0]


def pending_item(con, org, title="全省工业互联网试点工作启动", source="电子信息处", body=BODY):
    article = workflow.create_article(con, org.officer, org.col_dz, title, body, source)
    return workflow.submit(con, org.officer, article.id, article.version)


def test_losing_head_is_told_who_approved_first(con, org):
    """L7: two heads approve the same version from two connections; the loser hears that the other
    head approved first, never that it had approved itself."""
    other = second_head(con, org)
    article = pending_item(con, org)
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def act(user):
        cursor = con.cursor()
        barrier.wait()
        try:
            workflow.approve(cursor, user, article.id, article.version, ALL_CHECKS)
            outcomes[user.username] = "ok"
        except PortalError as exc:
            outcomes[user.username] = str(exc)

    threads = [threading.Thread(target=act, args=(u,)) for u in (org.head, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()).count("ok") == 1, outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    lost = next(outcome for outcome in outcomes.values() if outcome != "ok")
    assert "已由他人处理" in lost and "请刷新后查看" in lost
    assert "已批准过" not in lost and "您已" not in lost
    # once the winner's decision is visible, the loser learns who took it (the loser's next try)
    loser = other if winner == "head" else org.head
    with pytest.raises(StaleVersion) as refused:
        workflow.approve(con, loser, article.id, article.version, ALL_CHECKS)
    winner_name = "HEAD" if winner == "head" else "王处长"
    assert f"已由他人处理({winner_name} 于" in str(refused.value) and "批准)" in str(refused.value)
    assert workflow.get_article(con, article.id).state == "approved"


def test_losing_head_on_the_page_is_told_someone_else_acted_first(tmp_path, con):
    """L7: on 待我审批 two heads have the same item open; the second to click 批准 is told the first
    head approved it, instead of the item silently leaving the queue."""
    org = make_org(con)
    second_head(con, org)
    article = pending_item(con, org)
    con.close()
    path = tmp_path / "portal.duckdb"
    first = open_page(app_as(path, "head"), "approvals")
    second = open_page(app_as(path, "head2"), "approvals")
    for page in (first, second):
        for box in page.checkbox:
            box.check()
    button(first, "ap_approve").click().run()
    assert "已批准。" in texts(first)
    button(second, "ap_approve").click().run()
    seen = texts(second)
    assert "已由他人处理(HEAD 于" in seen and "批准)" in seen, seen
    assert "已批准。" not in seen
    events = workflow.history(connect(path), article.id)
    assert [e["actor"] for e in events if e["action"] == "approve"] == ["HEAD"]
