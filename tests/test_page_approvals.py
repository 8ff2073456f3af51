"""待我审批 in AppTest: the checklist must be ticked; return needs a comment; escalate goes up."""

from __future__ import annotations

import pytest

from core import workflow
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def pending(tmp_path, con):
    org = make_org(con)
    article = workflow.create_article(con, org.officer, org.col_dz, "全省工业互联网试点工作启动",
                                      "<p>各有关单位:现开展试点。</p>", "电子信息处")
    workflow.submit(con, org.officer, article.id, article.version)
    con.close()
    return tmp_path / "portal.duckdb", org, article.id


def button(at, key):
    return next(b for b in at.button if b.key == key)


def head_page(path):
    return open_page(app_as(path, "head"), "approvals")


def test_queue_shows_the_item_and_its_checklist(pending):
    path, _, article_id = pending
    at = head_page(path)
    assert not at.exception
    assert "全省工业互联网试点工作启动" in texts(at)
    assert len(at.checkbox) == len(workflow.CHECKLIST)


def test_approve_refused_until_every_checklist_item_is_ticked(pending):
    path, _, article_id = pending
    at = head_page(path)
    at.checkbox[0].check()
    button(at, "ap_approve").click().run()
    assert "第十六条" in texts(at) and "未勾选" in texts(at)
    assert workflow.get_article(connect(path), article_id).state == "pending"
    for box in at.checkbox:
        box.check()
    button(at, "ap_approve").click().run()
    assert workflow.get_article(connect(path), article_id).state == "approved"


def test_return_requires_a_comment(pending):
    path, _, article_id = pending
    at = head_page(path)
    button(at, "ap_return").click().run()
    assert "退回意见" in texts(at)
    at.text_area(key=f"ap_comment_{article_id}").input("标题不规范")
    button(at, "ap_return").click().run()
    article = workflow.get_article(connect(path), article_id)
    assert article.state == "returned" and article.state_reason == "标题不规范"


def test_escalate_moves_it_to_the_leader_queue(pending):
    path, _, article_id = pending
    button(head_page(path), "ap_escalate").click().run()
    at = open_page(app_as(path, "leader"), "approvals")
    assert "全省工业互联网试点工作启动" in texts(at)
    assert workflow.get_article(connect(path), article_id).current_role == "leader"


def test_changes_since_last_seen_revision_are_shown(pending):
    path, org, article_id = pending
    head_page(path)  # the head opens revision 1
    con = connect(path)
    article = workflow.get_article(con, article_id)
    workflow.save_article(con, org.officer, article_id, article.version, title=article.title,
                          body_html="<p>各有关单位:现开展第二批试点。</p>", source="电子信息处",
                          work_ended_on=None, importance="一般")
    at = head_page(path)
    assert "自您上次查看(第 1 版)以来的修改" in texts(at)


def test_other_divisions_head_sees_nothing(pending):
    path, _, _ = pending
    at = open_page(app_as(path, "headcw"), "approvals")
    assert "没有等待您审批的稿件" in texts(at)


def test_screening_warnings_must_be_ticked_on_the_page(tmp_path, con):
    org = make_org(con)
    article = workflow.create_article(con, org.officer, org.col_dz, "关于开展企业技术改造项目申报的通知",
                                      "<p>各有关单位:现开展申报。</p>", "电子信息处")
    workflow.submit(con, org.officer, article.id, article.version)
    con.close()
    path = tmp_path / "portal.duckdb"
    at = head_page(path)
    assert "自动筛查" in texts(at)
    for box in at.checkbox:
        if box.key.startswith("ap_chk_"):
            box.check()
    button(at, "ap_approve").click().run()
    assert "筛查提示" in texts(at)
    assert workflow.get_article(connect(path), article.id).state == "pending"
    for box in at.checkbox:
        box.check()
    button(at, "ap_approve").click().run()
    assert workflow.get_article(connect(path), article.id).state == "approved"


def test_after_approval_the_selector_moves_to_the_item_shown(tmp_path, con):
    org = make_org(con)
    ids = []
    for title in ("第一篇待审稿件标题", "第二篇待审稿件标题"):
        article = workflow.create_article(con, org.officer, org.col_dz, title, "<p>各有关单位:现开展试点。</p>",
                                          "电子信息处")
        workflow.submit(con, org.officer, article.id, article.version)
        ids.append(article.id)
    con.close()
    path = tmp_path / "portal.duckdb"
    at = head_page(path)
    assert at.selectbox(key="ap_pick").value == ids[0]
    for box in at.checkbox:
        box.check()
    button(at, "ap_approve").click().run()
    assert "已批准" in texts(at)
    picker = at.selectbox(key="ap_pick")
    assert picker.value == ids[1]
    # what the browser is sent: told to show the new item (else it keeps showing the approved one's label)
    assert picker.proto.set_value and "第二篇待审稿件标题" in picker.proto.raw_value
    assert at.subheader[0].value == "第二篇待审稿件标题"


def test_the_checklist_comment_and_decision_are_one_form(pending):
    """Issue 16: ticking the four boxes and typing the comment run nothing on the server (widgets in a
    form); the decision button sends them all in one run."""
    path, _, article_id = pending
    at = head_page(path)
    decision = button(at, "ap_approve").form_id
    assert decision
    assert {box.form_id for box in at.checkbox} == {decision}
    assert at.text_area(key=f"ap_comment_{article_id}").form_id == decision
    assert button(at, "ap_return").form_id == button(at, "ap_escalate").form_id == decision
