"""The audit log in staff's words (安全审计, 运行概览, the CSV export): actions, objects, state changes
and roles by their Chinese names, while the stored row keeps its codes for the hash chain (第二十条)."""

from __future__ import annotations

import re
from pathlib import Path

from core import (
    accounts,
    columns,
    consultation,
    disclosure,
    interaction,
    interview,
    proposals,
    security_audit,
    settings,
    support,
    training,
    workflow,
)
from core.db import rows

CORE = Path(__file__).resolve().parent.parent / "core"
CODE = re.compile(r"[A-Za-z_]{2,}")  # any run of Latin letters left in what staff read


def entry(con, action: str) -> dict:
    return security_audit.search(con, accounts.find_user(con, "tech"), action=action)[0]


def test_every_action_core_records_has_a_chinese_name():
    # audit.record and its wrappers; ratelimit.record counts public submissions and is no audit action
    call = re.compile(r'(?<!ratelimit\.)(?:record|_revoke)\((?:[^()]|\([^()]*\))*?"([a-z]+\.[a-z_]+)"', re.S)
    actions = {"auth.login_failed", "auth.totp_failed"}  # core/login.py passes these in a variable
    for path in CORE.rglob("*.py"):
        actions |= set(call.findall(path.read_text(encoding="utf-8")))
    assert {"bulletin.issue", "accounts.create", "evaluation.revoke_award"} <= actions  # the scan finds them
    actions |= {f"workflow.{a}" for a in workflow.ACTION_LABELS}
    actions |= {f"message.{a}" for a in interaction.ACTION_LABELS}
    actions |= {f"disclosure.{a}" for a in disclosure.MACHINE.actions()}
    actions |= {f"proposals.{a}" for a in proposals.PROPOSAL_MACHINE.actions()} | {"proposals.attach"}  # issue 17
    actions |= {f"support.{a}" for a in support.SUPPORT_MACHINE.actions()} | training.recorded_actions()  # issue 17
    for machine in (consultation.CONSULTATION_MACHINE, consultation.COMMENT_MACHINE,  # issue 17
                    interview.INTERVIEW_MACHINE, interview.QUESTION_MACHINE):
        actions |= {f"{machine.audit_prefix}.{a}" for a in machine.actions()}
    unnamed = sorted(a for a in actions if not re.search("[\u4e00-\u9fff]", security_audit.action_label(a)))
    assert not unnamed


def test_article_approval_reads_as_states_and_title_not_codes(con, org):
    article = workflow.create_article(con, org.officer, org.col_dz, "关于开展专项检查的通知", "<p>正文</p>", "电子信息处")
    workflow.submit(con, org.officer, article.id, article.version)
    shown = entry(con, "workflow.submit")
    assert shown["action"] == "workflow.submit" and shown["object"] == f"article:{article.id}"  # stored as coded
    assert shown["action_label"] == "稿件提交审批"
    assert shown["object_label"] == f"稿件 #{article.id}「关于开展专项检查的通知」"
    assert shown["summary_label"].startswith("草稿→审批中 第1版"), shown["summary_label"]
    assert shown["role_label"] == "信息员" and shown["role"] == "officer"


def test_accounts_settings_and_columns_rows_name_roles_fields_and_divisions(con, org):
    accounts.update_user(con, org.webmaster, org.officer.id, roles=["officer", "head"], active=True)
    settings.set_values(con, org.webmaster, {"publish_lag_mode": "working"})
    columns.update_column(con, org.webmaster, org.col_dz, {"name": "工作动态(新)"})
    for action in ("accounts.create", "accounts.update", "settings.edit", "columns.update"):
        shown = entry(con, action)
        text = " ".join([shown["action_label"], shown["object_label"], shown["summary_label"], shown["role_label"]])
        text = re.sub(r"officer|OFFICER|webmaster|analyst|ANALYST", "", text)  # user names stay
        assert not CODE.findall(text), (action, text)
    assert "角色 信息员→处室负责人、信息员 启用" in entry(con, "accounts.update")["summary_label"]
    assert entry(con, "settings.edit")["summary_label"] == "发布时限计算方式:按工作日"
    created = [e for e in security_audit.search(con, org.tech, action="accounts.create") if e["object"] == "user:officer"]
    assert created[0]["summary_label"] == "角色:信息员 处室:电子信息处"


def test_export_writes_staff_words_first_and_the_stored_row_after(con, org):
    article = workflow.create_article(con, org.officer, org.col_dz, "标题", "<p>正文</p>", "电子信息处")
    workflow.submit(con, org.officer, article.id, article.version)
    found = security_audit.search(con, org.tech, action="workflow.submit")
    lines = security_audit.export_csv(con, org.tech, found).decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:9] == ["编号", "链序号", "时间", "用户", "角色", "操作", "对象", "摘要", "客户端"]
    assert "稿件提交审批" in lines[1] and f"稿件 #{article.id}「标题」" in lines[1]
    assert "workflow.submit" in lines[1]  # the coded row, to check a copy against the chain
    stored = rows(con, "SELECT action, object FROM audit_log WHERE action = 'workflow.submit'")
    assert stored == [{"action": "workflow.submit", "object": f"article:{article.id}"}]
