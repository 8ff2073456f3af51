"""The permission matrix (第二十四条): every role × action, enforced in core, each refusal naming its rule."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from core import (
    accounts,
    columns,
    disclosure_report,
    golive,
    identity,
    inspection,
    linkcheck,
    permissions,
    requests,
    settings,
    site_report,
    support,
    training,
    workflow,
)
from core.errors import PermissionDenied

ROLES = ["officer", "officer_cw", "head", "head_cw", "leader", "leader_other", "group1", "webmaster", "tech",
         "analyst"]


def pending_article(con, org, importance="一般"):
    article = workflow.create_article(con, org.officer, org.col_dz, "矩阵测试", "<p>正文</p>", "电子信息处",
                                      None, importance)
    return workflow.submit(con, org.officer, article.id, article.version)


def published_article(con, org):
    article = pending_article(con, org)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    return workflow.publish(con, org.officer, article.id, article.version)


# action → the roles allowed; every other role must be refused
MATRIX = {
    "create_in_own_column": {"officer", "webmaster"},
    "approve_general": {"head"},
    "approve_leader_step": {"leader"},
    "take_down": {"webmaster"},
    "manage_columns": {"webmaster"},
    "manage_accounts": {"webmaster"},
    "edit_settings": {"webmaster"},
    "file_request": {"officer"},
    "view_all": {"webmaster", "tech", "analyst"},
    "write_disclosure_report": {"webmaster"},  # issue 14: the office writes the annual report
    "view_disclosure_report": {"webmaster", "leader", "leader_other"},  # every leader reads it
    "golive_check": {"webmaster", "tech"},  # issue 15, identity: 上线检查
    "upload_site_mark": {"webmaster"},  # issue 15, identity: the 党政机关网站标识
    "enter_site_report": {"webmaster"},  # issue 15: the office fills in the 政府网站工作年度报表
    "view_site_report": {"webmaster", "leader", "leader_other"},
    "self_inspect": {"webmaster", "leader", "leader_other", "group1"},  # issue 15: 网站自查
    # issue 15, links: the office and the technical-support unit see every division's broken links and start a
    # check; a division's officers and head see their own division's
    "view_links_dz": {"officer", "head", "webmaster", "tech"},
    "view_links_all": {"webmaster", "tech"},
    "check_links": {"webmaster", "tech"},
    # issue 17, support (第十条): the divisions ask, the technical-support unit answers; the unit and the office train
    "raise_support": {"officer", "officer_cw", "head", "head_cw"},
    "answer_support": {"tech"},
    "record_training": {"webmaster", "tech"},
}


def attempt(con, org, role: str, action: str) -> None:
    actor = getattr(org, role)
    if action == "create_in_own_column":
        workflow.create_article(con, actor, org.col_dz, "标题", "<p>x</p>", "来源")
    elif action == "approve_general":
        article = pending_article(con, org)
        workflow.approve(con, actor, article.id, article.version, list(workflow.CHECKLIST))
    elif action == "approve_leader_step":
        article = pending_article(con, org, "重要")
        article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
        workflow.approve(con, actor, article.id, article.version, list(workflow.CHECKLIST))
    elif action == "take_down":
        article = published_article(con, org)
        workflow.take_down(con, actor, article.id, article.version, "核实")
    elif action == "manage_columns":
        columns.create_column(con, actor, {"name": "新栏目", "slug": f"new-{role}", "kind": "news",
                                           "division_id": org.dz})
    elif action == "manage_accounts":
        accounts.create_user(con, actor, f"u{role.replace('_', '')}", "新用户", ["analyst"])
    elif action == "edit_settings":
        settings.set_values(con, actor, {"group_quorum": 2})
    elif action == "file_request":
        requests.create_request(con, actor, division_id=org.dz, requested_on=dt.date.today(), content="内容",
                                source="来源", form="网站文章", requirements="尽快")
    elif action == "view_all":
        workflow.division_articles(con, actor, everything=True)
    elif action == "write_disclosure_report":
        disclosure_report.save(con, actor, 2025, overview="概述", problems="", other="", figures={})
    elif action == "view_disclosure_report":
        disclosure_report.view(con, actor, 2025)
    elif action == "golive_check":
        golive.findings_for(con, actor)
    elif action == "upload_site_mark":
        image = io.BytesIO()
        Image.new("RGB", (8, 8)).save(image, "GIF")
        identity.save_mark(con, actor, "标识.gif", image.getvalue())
    elif action == "enter_site_report":
        site_report.save_entries(con, actor, 2025, {"drills": "是"})
    elif action == "view_site_report":
        site_report.view(con, actor, 2025)
    elif action == "self_inspect":
        inspection.run(con, actor)
    elif action == "view_links_dz":
        linkcheck.view_broken(con, actor, org.dz)
    elif action == "view_links_all":
        linkcheck.view_broken(con, actor)
    elif action == "raise_support":
        support.raise_request(con, actor, kind="咨询", subject="问题", description="描述")
    elif action == "answer_support":
        request_id = support.raise_request(con, org.officer, kind="故障", subject="问题", description="描述")
        support.answer(con, actor, request_id, 1, "答复")
    elif action == "record_training":
        training.create_session(con, actor, held_on=dt.date.today(), topic="培训", trainer="张工",
                                attendees=[org.officer.id])
    elif action == "check_links":
        with tempfile.TemporaryDirectory(prefix="links-") as site:
            (Path(site) / "index.html").write_text('<a href="/index.html">首页</a>', encoding="utf-8")
            linkcheck.check_now(con, actor, site)


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(con, org, role, action):
    if role in MATRIX[action]:
        attempt(con, org, role, action)
    else:
        with pytest.raises(PermissionDenied) as denied:
            attempt(con, org, role, action)
        assert "无权操作" in str(denied.value) and "第" in str(denied.value) and "条" in str(denied.value)


def test_officer_cannot_write_into_another_divisions_column(con, org):
    with pytest.raises(PermissionDenied, match="本处室负责的栏目.*第七条"):
        workflow.create_article(con, org.officer, org.col_cw, "越权", "<p>x</p>", "来源")


def test_retired_column_takes_no_new_items(con, org):
    columns.update_column(con, org.webmaster, org.col_dz, {"retired": True})
    with pytest.raises(PermissionDenied, match="已撤销"):
        workflow.create_article(con, org.officer, org.col_dz, "标题", "<p>x</p>", "来源")


def test_tech_and_analyst_change_no_content(con, org):
    article = published_article(con, org)
    for role in ("tech", "analyst"):
        actor = getattr(org, role)
        assert workflow.allowed_actions(con, actor, article) == []
        with pytest.raises(PermissionDenied, match="第二十四条"):
            workflow.save_article(con, actor, article.id, article.version, title="改", body_html="<p>x</p>",
                                  source="x", work_ended_on=None, importance="一般")


def test_disabled_or_unchanged_initial_password_can_do_nothing(con, org):
    newbie, _ = accounts.create_user(con, None, "newbie", "新人", ["officer"], org.dz)
    assert not permissions.can(newbie, "article.create", columns.get_column(con, org.col_dz))
    with pytest.raises(PermissionDenied, match="初始密码"):
        workflow.create_article(con, newbie, org.col_dz, "标题", "<p>x</p>", "来源")
