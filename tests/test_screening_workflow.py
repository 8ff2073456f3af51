"""Screening inside the workflow (第十六、十七、二十一条): no path publishes a blocked item."""

from __future__ import annotations

import datetime as dt

import pytest

from core import lexicon, requests, workflow
from core.db import rows
from core.errors import ScreeningBlocked, ValidationError

CHECKS = list(workflow.CHECKLIST)
SECRET_BODY = "<p>机密★10年</p><p>关于全省工业运行情况的分析。</p>"
CLEAN_BODY = "<p>全省工业经济运行平稳向好。</p>"


def draft(con, org, title="省工信厅召开一季度经济运行分析会", body=CLEAN_BODY, **kw):
    return workflow.create_article(con, org.officer, org.col_dz, title, body, "电子信息处", dt.date.today(), **kw)


def approved(con, org, **kw):
    article = workflow.submit(con, org.officer, draft(con, org, **kw).id, 1)
    return workflow.approve(con, org.head, article.id, article.version, CHECKS)


def test_a_classification_marking_cannot_be_submitted(con, org):
    article = draft(con, org, body=SECRET_BODY)
    with pytest.raises(ScreeningBlocked, match="不能提交审批") as blocked:
        workflow.submit(con, org.officer, article.id, article.version)
    assert blocked.value.findings[0].rule == "classification"
    assert workflow.get_article(con, article.id).state == "draft"


def test_an_internal_marking_in_an_attachment_blocks_submission(con, org):
    import io

    from docx import Document

    from core import attachments

    document = Document()
    document.add_paragraph("内部资料 注意保存")
    buffer = io.BytesIO()
    document.save(buffer)
    article = draft(con, org)
    attachments.add_attachment(con, org.officer, article.id, "附件1.docx", buffer.getvalue())
    with pytest.raises(ScreeningBlocked) as blocked:
        workflow.submit(con, org.officer, article.id, article.version)
    assert blocked.value.findings[0].where == "attachment:附件1.docx"


def test_warnings_must_be_acknowledged_and_are_recorded(con, org):
    article = draft(con, org, title="关于开展2026年度企业技术改造项目申报的通知")  # a notice in a news column
    article = workflow.submit(con, org.officer, article.id, article.version)
    findings = workflow.screen_article(con, article)
    assert [f.rule for f in findings] == ["format.column_kind"]
    with pytest.raises(ValidationError, match="筛查提示"):
        workflow.approve(con, org.head, article.id, article.version, CHECKS)
    article = workflow.approve(con, org.head, article.id, article.version, CHECKS,
                               acknowledged=[workflow.finding_key(f) for f in findings])
    assert article.state == "approved"
    reviews = rows(con, "SELECT rule, kind, actor_id FROM screening_reviews WHERE article_id = ?", [article.id])
    assert reviews == [{"rule": "format.column_kind", "kind": "acknowledge", "actor_id": org.head.id}]


def test_a_request_to_a_superior_needs_the_approvers_recorded_reason(con, org):
    article = draft(con, org, title="关于申请省级工业互联网专项资金的请示")
    article = workflow.submit(con, org.officer, article.id, article.version)  # overridable: the approver decides
    findings = workflow.screen_article(con, article)
    blocks = [f for f in findings if f.blocking]
    assert blocks and all(f.overridable for f in blocks)
    acks = [workflow.finding_key(f) for f in findings if not f.blocking]
    with pytest.raises(ValidationError, match="放行理由"):
        workflow.approve(con, org.head, article.id, article.version, CHECKS, acknowledged=acks)
    reasons = {workflow.finding_key(f): "按省政府要求公开请示事项" for f in blocks}
    article = workflow.approve(con, org.head, article.id, article.version, CHECKS, acknowledged=acks,
                               overrides=reasons)
    article = workflow.publish(con, org.officer, article.id, article.version)
    assert article.public
    assert rows(con, "SELECT reason FROM screening_reviews WHERE kind = 'override'")[0]["reason"] == \
        "按省政府要求公开请示事项"


def test_a_lexicon_change_after_approval_stops_publication(con, org):
    article = approved(con, org)
    lexicon.add_word(con, org.webmaster, "平稳向好", "block", "测试:禁止发布")
    with pytest.raises(ScreeningBlocked, match="不能发布"):
        workflow.publish(con, org.officer, article.id, article.version)
    assert not workflow.get_article(con, article.id).public


def test_a_scheduled_item_blocked_meanwhile_goes_back_to_its_author(con, org):
    article = approved(con, org)
    article = workflow.publish(con, org.officer, article.id, article.version,
                               at=dt.datetime.now() + dt.timedelta(hours=1))
    lexicon.add_word(con, org.webmaster, "平稳向好", "block")
    assert workflow.publish_due(con, dt.datetime.now() + dt.timedelta(hours=2)) == []
    article = workflow.get_article(con, article.id)
    assert article.state == "returned" and not article.public and "平稳向好" in article.state_reason


def test_a_publication_request_with_a_marking_is_refused(con, org):
    with pytest.raises(ScreeningBlocked, match="委托发布"):
        requests.create_request(con, org.officer, division_id=org.dz, requested_on=dt.date.today(),
                                content="秘密★1年\n全省无线电频率规划", source="电子信息处", form="网站文章",
                                requirements="尽快发布")


def test_a_block_in_published_content_opens_a_suggested_incident_once(con, org):
    from core import scheduler
    from core.db import rows as all_rows

    article = approved(con, org)
    article = workflow.publish(con, org.officer, article.id, article.version)
    assert scheduler.suggest_screening_incidents(con) == []
    lexicon.add_word(con, org.webmaster, "经济运行分析会", "block", "口径调整")
    opened = scheduler.suggest_screening_incidents(con)
    assert len(opened) == 1
    incident = all_rows(con, "SELECT status, source, description FROM incidents WHERE id = ?", opened)[0]
    assert incident["status"] == "suggested" and incident["source"] == "screening"
    assert f"#{article.id}" in incident["description"]
    assert scheduler.suggest_screening_incidents(con) == []
