"""Every transition of the approval workflow (第十四条) and its refusals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from core import settings, workflow
from core.db import rows, scalar
from core.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationError

ALL_CHECKS = list(workflow.CHECKLIST)
BODY = "<p>省工信厅召开电子信息产业推进会。</p>"


def draft(con, org, importance="一般", **kw):
    return workflow.create_article(con, org.officer, org.col_dz, kw.pop("title", "电子信息产业推进会召开"),
                                   BODY, "电子信息处", dt.date.today(), importance, **kw)


def approve(con, user, article, checks=ALL_CHECKS):
    return workflow.approve(con, user, article.id, article.version, checks)


def test_create_makes_revision_one_in_the_columns_division(con, org):
    article = draft(con, org)
    assert article.state == "draft" and article.revision == 1
    assert article.lead_division_id == org.dz
    assert len(workflow.revisions(con, article.id)) == 1


def test_general_item_needs_only_the_head(con, org):
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    assert article.state == "pending" and article.chain == ("head",) and article.step == 1
    article = approve(con, org.head, article)
    assert article.state == "approved"
    article = workflow.publish(con, org.officer, article.id, article.version)
    assert article.state == "published" and article.public and article.live_revision == 1


def test_important_item_goes_head_then_leader(con, org):
    article = workflow.submit(con, org.officer, draft(con, org, "重要").id, 1)
    assert article.chain == ("head", "leader")
    article = approve(con, org.head, article)
    assert article.state == "pending" and article.step == 2
    with pytest.raises(PermissionDenied, match="分管领导只能审批所分管处室"):
        approve(con, org.leader_other, article)
    article = approve(con, org.leader, article)
    assert article.state == "approved"


@pytest.mark.parametrize("level", ["重大", "特殊"])
def test_major_items_need_the_leading_group_quorum(con, org, level):
    settings.set_values(con, org.webmaster, {"group_quorum": 2})
    article = workflow.submit(con, org.officer, draft(con, org, level).id, 1)
    assert article.chain == ("head", "leader", "group")
    article = approve(con, org.leader, approve(con, org.head, article))
    article = approve(con, org.group1, article)
    assert article.state == "pending" and article.step == 3, "one member of a quorum of two is not enough"
    with pytest.raises(InvalidTransition, match="已批准过"):
        approve(con, org.group1, article)
    assert article.id not in [i["id"] for i in workflow.approval_queue(con, org.group1)]
    article = approve(con, org.group2, article)
    assert article.state == "approved"


def test_chain_is_data_the_office_changes(con, org):
    workflow.set_chain(con, org.webmaster, "一般", ["head", "leader"])
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    assert article.chain == ("head", "leader")
    with pytest.raises(ValidationError, match="第一环节须为处室负责人"):
        workflow.set_chain(con, org.webmaster, "重要", ["leader"])
    with pytest.raises(ValidationError, match="至少需要一个审批环节"):
        workflow.set_chain(con, org.webmaster, "重要", [])
    with pytest.raises(PermissionDenied):
        workflow.set_chain(con, org.head, "一般", ["head"])


def test_approval_requires_every_checklist_item(con, org):
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    with pytest.raises(ValidationError, match="第十六条") as err:
        approve(con, org.head, article, ["legal", "format"])
    assert "保密审查" in str(err.value) and "时效性" in str(err.value)
    assert workflow.get_article(con, article.id).state == "pending"


def test_return_needs_a_comment_and_mails_it_to_the_author(con, org):
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    with pytest.raises(ValidationError, match="退回意见"):
        workflow.return_article(con, org.head, article.id, article.version, "  ")
    article = workflow.return_article(con, org.head, article.id, article.version, "第二段数据需核实")
    assert article.state == "returned" and article.state_reason == "第二段数据需核实"
    mail = rows(con, "SELECT recipient, subject, body FROM outbox WHERE kind = 'article.returned'")
    assert mail[0]["recipient"] == "officer@sxit.gov.cn"
    assert "第二段数据需核实" in mail[0]["body"]
    resubmitted = workflow.submit(con, org.officer, article.id, article.version)
    assert resubmitted.state == "pending" and resubmitted.step == 1


def test_head_escalates_a_general_item_to_the_leader(con, org):
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    article = workflow.escalate(con, org.head, article.id, article.version, "涉及全省政策口径,请领导把关")
    assert article.chain == ("head", "leader") and article.step == 2
    assert article.id in [i["id"] for i in workflow.approval_queue(con, org.leader)]
    assert rows(con, "SELECT * FROM outbox WHERE kind = 'approval.waiting' AND recipient = 'leader@sxit.gov.cn'")
    article = approve(con, org.leader, article)
    assert article.state == "approved"


def test_leading_group_cannot_escalate(con, org):
    article = workflow.submit(con, org.officer, draft(con, org, "重大").id, 1)
    article = approve(con, org.leader, approve(con, org.head, article))
    with pytest.raises(InvalidTransition, match="最高审批环节"):
        workflow.escalate(con, org.group1, article.id, article.version)


def test_an_edit_after_approval_restarts_the_chain(con, org):
    article = workflow.submit(con, org.officer, draft(con, org, "重要").id, 1)
    article = approve(con, org.head, article)
    article = workflow.save_article(con, org.officer, article.id, article.version, title=article.title,
                                    body_html=BODY + "<p>补充一段。</p>", source="电子信息处",
                                    work_ended_on=article.work_ended_on, importance="重要")
    assert article.state == "pending" and article.step == 1 and article.revision == 2
    # the head's approval of revision 1 does not count for revision 2
    assert article.id in [i["id"] for i in workflow.approval_queue(con, org.head)]


def test_editing_a_published_article_keeps_the_live_revision_online(con, org):
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    article = workflow.publish(con, org.officer, article.id, approve(con, org.head, article).version)
    article = workflow.save_article(con, org.officer, article.id, article.version, title="更正后的标题",
                                    body_html=BODY, source="电子信息处", work_ended_on=None, importance="一般")
    assert article.state == "pending" and article.public and article.live_revision == 1
    first_published = article.published_at
    article = workflow.publish(con, org.officer, article.id, approve(con, org.head, article).version)
    assert article.live_revision == 2
    assert article.published_at == first_published, "the URL is built from the first publication date"


def test_scheduled_publication_happens_once_even_after_downtime(con, org):
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    article = approve(con, org.head, article)
    when = dt.datetime.now() + dt.timedelta(hours=2)
    article = workflow.publish(con, org.officer, article.id, article.version, at=when)
    assert article.state == "scheduled" and not article.public
    assert workflow.publish_due(con, dt.datetime.now()) == []
    later = when + dt.timedelta(days=1)  # the workbench was down when it came due
    assert workflow.publish_due(con, later) == [article.id]
    assert workflow.publish_due(con, later) == []
    assert scalar(con, "SELECT count(*) FROM workflow_events WHERE article_id = ? AND action = 'publish'",
                  [article.id]) == 1


def test_cancel_schedule_returns_to_approved(con, org):
    article = approve(con, org.head, workflow.submit(con, org.officer, draft(con, org).id, 1))
    article = workflow.publish(con, org.officer, article.id, article.version,
                               at=dt.datetime.now() + dt.timedelta(days=1))
    article = workflow.cancel_schedule(con, org.officer, article.id, article.version)
    assert article.state == "approved" and article.scheduled_at is None


def test_take_down_and_restore_by_the_webmaster_only(con, org):
    article = approve(con, org.head, workflow.submit(con, org.officer, draft(con, org).id, 1))
    article = workflow.publish(con, org.officer, article.id, article.version)
    with pytest.raises(PermissionDenied, match="第八条"):
        workflow.take_down(con, org.officer, article.id, article.version, "x")
    with pytest.raises(ValidationError, match="撤下原因"):
        workflow.take_down(con, org.webmaster, article.id, article.version, "")
    article = workflow.take_down(con, org.webmaster, article.id, article.version, "数据有误,核实后恢复")
    assert article.state == "taken_down" and not article.public
    article = workflow.restore(con, org.webmaster, article.id, article.version)
    assert article.state == "published" and article.public


def test_withdraw_and_restore_to_draft(con, org):
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    article = workflow.withdraw(con, org.officer, article.id, article.version)
    assert article.state == "withdrawn"
    with pytest.raises(InvalidTransition):
        workflow.submit(con, org.officer, article.id, article.version)
    article = workflow.restore_withdrawn(con, org.officer, article.id, article.version)
    assert article.state == "draft"


def test_withdrawing_a_published_item_needs_a_reason(con, org):
    article = approve(con, org.head, workflow.submit(con, org.officer, draft(con, org).id, 1))
    article = workflow.publish(con, org.officer, article.id, article.version)
    with pytest.raises(ValidationError, match="撤销原因"):
        workflow.withdraw(con, org.officer, article.id, article.version, "")
    article = workflow.withdraw(con, org.officer, article.id, article.version, "活动延期")
    assert not article.public


def test_wrong_moves_are_invalid_transitions(con, org):
    article = draft(con, org)
    with pytest.raises(InvalidTransition, match="草稿"):
        workflow.publish(con, org.officer, article.id, article.version)
    with pytest.raises(InvalidTransition):
        workflow.approve(con, org.head, article.id, article.version, ALL_CHECKS)
    with pytest.raises(InvalidTransition):
        workflow.restore(con, org.webmaster, article.id, article.version)


def test_every_transition_records_who_when_and_comment(con, org):
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    article = workflow.return_article(con, org.head, article.id, article.version, "请补充来源")
    events = workflow.history(con, article.id)
    assert [e["action"] for e in events] == ["create", "submit", "return"]
    assert events[-1]["actor"] == "HEAD" and events[-1]["comment"] == "请补充来源"
    assert all(e["at"] for e in events)
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action LIKE 'workflow.%'") == 3


def test_stale_version_is_refused_and_changes_nothing(con, org):
    article = draft(con, org)
    workflow.save_article(con, org.officer, article.id, 1, title="第一人保存", body_html=BODY,
                          source="电子信息处", work_ended_on=None, importance="一般")
    with pytest.raises(StaleVersion, match="已被他人更新"):
        workflow.save_article(con, org.officer, article.id, 1, title="第二人保存", body_html=BODY,
                              source="电子信息处", work_ended_on=None, importance="一般")
    assert workflow.get_article(con, article.id).title == "第一人保存"


def test_concurrent_approvals_one_wins(con, org):
    """Two heads approve at the same moment from two threads: exactly one approval lands."""
    second_head = __import__("core.accounts", fromlist=["x"]).create_user(
        con, None, "head2", "HEAD2", ["head"], org.dz, password="Test-Passw0rd!", must_change_password=False)[0]
    article = workflow.submit(con, org.officer, draft(con, org).id, 1)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(user):
        cursor = con.cursor()
        barrier.wait()
        try:
            workflow.approve(cursor, user, article.id, article.version, ALL_CHECKS)
            outcomes.append("ok")
        except (StaleVersion, InvalidTransition):
            outcomes.append("stale")

    threads = [threading.Thread(target=act, args=(u,)) for u in (org.head, second_head)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale"]
    assert scalar(con, "SELECT count(*) FROM workflow_events WHERE article_id = ? AND action = 'approve'",
                  [article.id]) == 1
    assert workflow.get_article(con, article.id).state == "approved"


def test_validation_names_the_field(con, org):
    with pytest.raises(ValidationError, match="「标题」"):
        workflow.create_article(con, org.officer, org.col_dz, "  ", BODY, "电子信息处")
    with pytest.raises(ValidationError, match="「信息来源」"):
        workflow.create_article(con, org.officer, org.col_dz, "标题", BODY, "")
    with pytest.raises(ValidationError, match="「重要程度」"):
        workflow.create_article(con, org.officer, org.col_dz, "标题", BODY, "来源", None, "紧急")
    article = workflow.create_article(con, org.officer, org.col_dz, "标题", "", "来源")
    with pytest.raises(ValidationError, match="「正文」"):
        workflow.submit(con, org.officer, article.id, article.version)


def test_body_is_sanitised_before_storage(con, org):
    article = workflow.create_article(con, org.officer, org.col_dz, "标题",
                                      '<p style="color:red" onclick="x()">正文<script>alert(1)</script></p>', "来源")
    assert "script" not in article.body_html and "style" not in article.body_html
    assert "onclick" not in article.body_html and "正文" in article.body_html


def test_codivisions_read_but_lead_decides(con, org):
    article = draft(con, org, codivisions=[org.cw])
    assert article.codivisions == (org.cw,)
    assert workflow.view_article(con, org.officer_cw, article.id).id == article.id
    with pytest.raises(PermissionDenied, match="本处室"):
        workflow.save_article(con, org.officer_cw, article.id, article.version, title="改", body_html=BODY,
                              source="x", work_ended_on=None, importance="一般")
    article = workflow.submit(con, org.officer, article.id, article.version)
    with pytest.raises(PermissionDenied, match="谁牵头、谁负责"):
        approve(con, org.head_cw, article)


def test_compare_any_two_revisions(con, org):
    from core import diff

    article = draft(con, org)
    workflow.save_article(con, org.officer, article.id, 1, title="电子信息产业推进会隆重召开", body_html=BODY,
                          source="电子信息处", work_ended_on=None, importance="一般")
    changes = diff.compare(workflow.revision(con, article.id, 1), workflow.revision(con, article.id, 2))
    assert [c["field"] for c in changes][0] == "标题"


def test_the_office_sees_what_it_drafted_in_any_column(con, org):
    article = workflow.create_article(con, org.webmaster, org.col_cw, "办公室代发的通知", BODY, "办公室")
    assert article.lead_division_id == org.cw
    assert article.id in [i["id"] for i in workflow.division_articles(con, org.webmaster)]
    assert article.id not in [i["id"] for i in workflow.division_articles(con, org.officer)]
