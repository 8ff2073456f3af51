"""建议与提案 (issue 17; 第八条(二)、第九条(一)、第十条(一)、第二十六条(三)): every move and every refusal,
against a real database."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import columns, evaluation, proposals, security_audit, settings, todo
from core.db import migration_files, rows, scalar
from core.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _propose(con, org, **values):
    fields = {"kind": "column_add", "subject": "增设「数字政府」栏目", "reasons": "集中发布数字政府建设进展",
              "column_name": "数字政府"} | values
    return proposals.submit(con, org.officer, **fields)


def _mails(con, user) -> list[str]:
    return [r["subject"] for r in rows(con, "SELECT subject FROM outbox WHERE user_id = ? ORDER BY id", [user.id])]


def test_an_officer_proposes_a_column_and_the_office_is_told(con, org):
    proposal_id = _propose(con, org, files=[("方案.png", PNG)])
    found = proposals.view(con, org.officer, proposal_id)
    assert found["state_label"] == "待办公室审议" and found["proposer"] == "OFFICER"
    assert found["division_id"] == org.dz and found["column_name"] == "数字政府"
    assert [a["filename"] for a in found["attachments"]] == ["方案.png"]
    assert [e["action_label"] for e in found["events"]] == ["提交"]
    assert any("数字政府" in s for s in _mails(con, org.webmaster))
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'proposals.submit'") == 1


@pytest.mark.parametrize("field, values, message", [
    ("理由", {"reasons": "  "}, "须写明提出的理由"),
    ("标题", {"subject": ""}, "必填"),
    ("拟定栏目名称", {"column_name": ""}, "必填"),
    ("类别", {"kind": "other"}, "类别"),
])
def test_a_proposal_without_what_the_rule_needs_is_refused(con, org, field, values, message):
    with pytest.raises(ValidationError) as refused:
        _propose(con, org, **values)
    assert field in str(refused.value) and message in str(refused.value) and "第九条(一)" in str(refused.value)
    assert not scalar(con, "SELECT count(*) FROM proposals")


def test_a_merge_names_two_columns_and_a_bad_file_saves_nothing(con, org):
    with pytest.raises(ValidationError, match="涉及栏目.*至少两个栏目"):
        _propose(con, org, kind="column_merge", target_columns=[org.col_dz])
    with pytest.raises(ValidationError, match="附件"):
        _propose(con, org, files=[("run.exe", b"MZ" + b"\x00" * 10)])
    assert not scalar(con, "SELECT count(*) FROM proposals")


def test_who_may_propose_what(con, org):
    # the technical-support unit submits design plans (第十条(一)), not a new column
    design = proposals.submit(con, org.tech, kind="design", subject="首页改版设计方案", reasons="适配移动端",
                              files=[("首页改版.png", PNG)])
    assert proposals.get(con, design)["kind_label"] == "网站设计与改版"
    with pytest.raises(PermissionDenied, match="第十条"):
        proposals.submit(con, org.tech, kind="column_add", subject="新栏目", reasons="理由", column_name="新栏目")
    # a leader or an analyst makes suggestions (第二十六条(三)), not column proposals (第九条(一))
    assert proposals.submit(con, org.analyst, kind="suggestion", subject="增加站内搜索热词", reasons="便于查找")
    with pytest.raises(PermissionDenied, match="第九条"):
        proposals.submit(con, org.leader, kind="column_retire", subject="撤销栏目", reasons="理由",
                         target_columns=[org.col_dz])


def test_ask_for_more_then_revise_then_adopt_with_reasons_the_proposer_sees(con, org):
    proposal_id = _propose(con, org)
    v = proposals.get(con, proposal_id)["version"]
    proposals.ask_more(con, org.webmaster, proposal_id, v, "请补充栏目的更新频率和信息来源")
    asked = proposals.get(con, proposal_id)
    assert asked["state"] == "more_info" and asked["office_reply"] == "请补充栏目的更新频率和信息来源"
    assert todo.todo_items(con, org.officer)["proposals_more_info"] == 1
    assert any("要求补充" in s for s in _mails(con, org.officer))
    proposals.revise(con, org.officer, proposal_id, asked["version"], subject=asked["subject"],
                     reasons=asked["reasons"] + "\n每周更新,信息来自各处室。", column_name="数字政府建设",
                     note="已补充更新频率", files=[("补充.png", PNG)])
    revised = proposals.view(con, org.officer, proposal_id)
    assert revised["state"] == "submitted" and revised["column_name"] == "数字政府建设"
    assert len(revised["attachments"]) == 1 and todo.todo_items(con, org.officer)["proposals_more_info"] == 0
    assert todo.todo_items(con, org.webmaster)["proposals_review"] == 1
    proposals.decide(con, org.webmaster, proposal_id, revised["version"], "adopt", "符合网站建设方案,予以采纳")
    adopted = proposals.view(con, org.officer, proposal_id)
    assert adopted["state_label"] == "已采纳" and adopted["office_reply"] == "符合网站建设方案,予以采纳"
    assert adopted["decided_by"] == org.webmaster.id and adopted["decided_at"] is not None
    assert [e["action"] for e in adopted["events"]] == ["submit", "ask_more", "revise", "adopt"]
    assert any("采纳" in s for s in _mails(con, org.officer))
    body = scalar(con, "SELECT body FROM outbox WHERE user_id = ? AND kind = 'proposal.adopt'", [org.officer.id])
    assert "理由:符合网站建设方案,予以采纳" in body and body.endswith("/proposals")  # the reason, and the way there
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action LIKE 'proposals.%'") == 5  # 4 steps + a file


@pytest.mark.parametrize("decision, state", [("adopt_part", "部分采纳"), ("decline", "不予采纳")])
def test_the_other_decisions(con, org, decision, state):
    proposal_id = _propose(con, org)
    proposals.decide(con, org.webmaster, proposal_id, 1, decision, "理由写明")
    assert proposals.get(con, proposal_id)["state_label"] == state
    with pytest.raises(InvalidTransition, match=f"提案当前为「{state}」,不能撤回"):
        proposals.withdraw(con, org.officer, proposal_id, 2)


def test_a_decision_without_a_reason_is_refused_and_changes_nothing(con, org):
    proposal_id = _propose(con, org)
    for action in ("adopt", "adopt_part", "decline"):
        with pytest.raises(ValidationError, match=re.escape("「办公室意见」:办公室的意见须说明理由,提出人可见(第八条(二))")):
            proposals.decide(con, org.webmaster, proposal_id, 1, action, "  ")
    with pytest.raises(ValidationError, match="办公室意见"):
        proposals.ask_more(con, org.webmaster, proposal_id, 1, "")
    assert proposals.get(con, proposal_id)["state"] == "submitted"


def test_only_the_office_decides_and_not_on_its_own(con, org):
    proposal_id = _propose(con, org)
    for someone in (org.officer, org.head, org.leader, org.tech):
        with pytest.raises(PermissionDenied, match=re.escape("建议和提案由办公室审议(第八条(二))")):
            proposals.decide(con, someone, proposal_id, 1, "adopt", "好")
    own = proposals.submit(con, org.webmaster, kind="suggestion", subject="建议", reasons="理由")
    with pytest.raises(PermissionDenied, match="不能审议本人"):
        proposals.decide(con, org.webmaster, own, 1, "adopt", "好")


def test_wrong_state_and_stale_version(con, org):
    proposal_id = _propose(con, org)
    with pytest.raises(InvalidTransition, match=re.escape("提案当前为「待办公室审议」,不能补充后重新提交(仅限:待补充材料;第八条(二))")):
        proposals.revise(con, org.officer, proposal_id, 1, subject="x", reasons="y", column_name="z")
    proposals.ask_more(con, org.webmaster, proposal_id, 1, "请补充")
    with pytest.raises(StaleVersion, match="该提案已被他人更新"):
        proposals.decide(con, org.webmaster, proposal_id, 1, "adopt", "采纳")  # saw version 1, it is 2 now
    with pytest.raises(InvalidTransition, match="不能采纳"):
        proposals.decide(con, org.webmaster, proposal_id, 2, "adopt", "采纳")


def test_withdraw_by_the_proposer_only(con, org):
    proposal_id = _propose(con, org)
    with pytest.raises(PermissionDenied, match="只有提出人本人"):
        proposals.withdraw(con, org.head, proposal_id, 1)
    proposals.withdraw(con, org.officer, proposal_id, 1, "另行提出")
    assert proposals.get(con, proposal_id)["state_label"] == "已撤回"
    assert any("已撤回" in s for s in _mails(con, org.webmaster))
    with pytest.raises(InvalidTransition, match="不能撤回"):
        proposals.withdraw(con, org.officer, proposal_id, 2)


def test_a_division_sees_its_own_proposals_only(con, org):
    own = _propose(con, org)
    other = proposals.submit(con, org.officer_cw, kind="suggestion", subject="财务处的建议", reasons="理由")
    assert [p["id"] for p in proposals.visible(con, org.head)] == [own]  # the proposer's division
    assert [p["id"] for p in proposals.visible(con, org.officer_cw)] == [other]
    assert {p["id"] for p in proposals.visible(con, org.webmaster)} == {own, other}
    with pytest.raises(PermissionDenied, match="只能查看本人或本处室"):
        proposals.view(con, org.officer, other)
    with pytest.raises(PermissionDenied, match="只有提出人本人"):
        proposals.withdraw(con, org.officer, other, 1)
    assert proposals.allowed_actions(org.officer, proposals.get(con, own)) == ["withdraw"]
    assert proposals.allowed_actions(org.officer, proposals.get(con, other)) == []
    assert set(proposals.allowed_actions(org.webmaster, proposals.get(con, own))) == {
        "ask_more", "adopt", "adopt_part", "decline"}


def test_an_adopted_column_proposal_is_carried_out_in_column_management(con, org):
    proposal_id = _propose(con, org, kind="column_merge", subject="合并工作动态与财政资金", column_name="工作动态与资金",
                           target_columns=[org.col_dz, org.col_cw])
    with pytest.raises(InvalidTransition, match="不能按提案办理"):
        proposals.plan(con, org.webmaster, proposal_id)  # not adopted yet
    proposals.decide(con, org.webmaster, proposal_id, 1, "adopt_part", "合并,名称另定")
    planned = proposals.plan(con, org.webmaster, proposal_id)
    assert [(p["column_id"], p["values"]["name"], p["values"]["retired"]) for p in planned] == [
        (org.col_dz, "工作动态与资金", False), (org.col_cw, "财政资金", True)]
    with pytest.raises(PermissionDenied):
        proposals.carry_out(con, org.officer, proposal_id, org.col_cw, planned[1]["values"])
    proposals.carry_out(con, org.webmaster, proposal_id, planned[0]["column_id"], planned[0]["values"])
    assert [p["column_id"] for p in proposals.plan(con, org.webmaster, proposal_id)] == [org.col_cw]  # one left
    proposals.carry_out(con, org.webmaster, proposal_id, planned[1]["column_id"], planned[1]["values"])
    assert proposals.plan(con, org.webmaster, proposal_id) == []
    assert columns.get_column(con, org.col_cw)["retired"] and columns.get_column(con, org.col_dz)["name"] == "工作动态与资金"
    shown = proposals.view(con, org.officer, proposal_id)
    assert [c["column_id"] for c in shown["changes"]] == [org.col_dz, org.col_cw]
    assert "已撤销 否→是" in shown["changes"][1]["detail"]
    # the plan's last change carries the proposal out (落实情况 by itself): once, after the second change only
    assert [e["action"] for e in shown["events"]][-3:] == ["carry_out", "carry_out", "implement"]
    assert shown["done_on"] == dt.date.today() and shown["status_label"] == "部分采纳 · 已落实"
    assert "已在栏目管理中按提案办理:" in shown["outcome_note"] and "财政资金" in shown["outcome_note"]
    assert scalar(con, "SELECT count(*) FROM column_changes WHERE proposal_id = ?", [proposal_id]) == 2
    assert any("已办理" in s for s in _mails(con, org.officer))
    assert any("已落实" in s for s in _mails(con, org.officer))


def test_a_new_column_from_a_proposal_and_a_suggestion_has_nothing_to_carry_out(con, org):
    proposal_id = _propose(con, org)
    proposals.decide(con, org.webmaster, proposal_id, 1, "adopt", "采纳")
    [change] = proposals.plan(con, org.webmaster, proposal_id)
    assert change["column_id"] is None and change["values"]["division_id"] == org.dz
    with pytest.raises(ValidationError, match="网址标识"):
        proposals.carry_out(con, org.webmaster, proposal_id, None, change["values"])  # the office adds the slug
    assert not scalar(con, "SELECT count(*) FROM column_changes")
    made = proposals.carry_out(con, org.webmaster, proposal_id, None, change["values"] | {"slug": "szzf"})
    assert columns.get_column(con, made)["name"] == "数字政府"
    assert [(p["id"], p["changes"]) for p in proposals.to_carry_out(con, org.webmaster)] == [(proposal_id, 1)]
    assert proposals.plan(con, org.webmaster, proposal_id) == []  # the new column is made once
    suggestion = proposals.submit(con, org.officer, kind="suggestion", subject="建议", reasons="理由")
    proposals.decide(con, org.webmaster, suggestion, 1, "adopt", "采纳")
    with pytest.raises(InvalidTransition, match="不涉及栏目变更"):
        proposals.plan(con, org.webmaster, suggestion)


def test_adopted_proposals_are_evidence_for_ground_three(con, org):
    year = dt.date.today().year
    adopted = _propose(con, org, subject="增设数字政府栏目")
    proposals.decide(con, org.webmaster, adopted, 1, "adopt", "采纳")
    part = proposals.submit(con, org.tech, kind="design", subject="首页改版方案", reasons="适配移动端")
    proposals.decide(con, org.webmaster, part, 1, "adopt_part", "部分采纳")
    declined = proposals.submit(con, org.officer_cw, kind="suggestion", subject="不被采纳的建议", reasons="理由")
    proposals.decide(con, org.webmaster, declined, 1, "decline", "不予采纳")
    suggested = [p for p in evaluation.propose_awards(con, year) if p["ground"] == 3]
    by = {(p["division_id"], p["user_id"]): p["evidence"] for p in suggested}
    assert (org.dz, None) in by and (None, org.officer.id) in by and (None, org.tech.id) in by
    assert "增设数字政府栏目" in by[(org.dz, None)] and f"#{adopted}" in by[(org.dz, None)]
    assert "首页改版方案" in by[(None, org.tech.id)] and "部分采纳" in by[(None, org.tech.id)]
    assert not any("不被采纳" in e for e in by.values()) and (org.cw, None) not in by
    figures = {m["division_id"]: m["figures"] for m in evaluation.measures(con, year)}
    assert figures[org.dz]["proposals_adopted"] == 1 and figures[org.cw]["proposals_adopted"] == 0
    # the office still records an award by hand, with the proposed evidence or its own words
    evaluation.grant_award(con, org.webmaster, year, 3, by[(org.dz, None)], division_id=org.dz)
    evaluation.grant_award(con, org.webmaster, year, 3, "另有建议被采纳", user_id=org.officer_cw.id)
    assert [a["ground"] for a in evaluation.awards(con, year)] == [3, 3]
    # a division criticised this year is not proposed (第二十七条)
    evaluation.record_criticism(con, org.webmaster, year, 3, "错误较多", division_id=org.dz)
    assert (org.dz, None) not in {(p["division_id"], p["user_id"]) for p in evaluation.propose_awards(con, year)}


def test_the_audit_log_reads_each_step_in_chinese(con, org):
    proposal_id = _propose(con, org)
    proposals.decide(con, org.webmaster, proposal_id, 1, "adopt_part", "部分采纳,名称另定")
    [shown] = security_audit.search(con, org.tech, action="proposals.adopt_part")
    assert shown["action_label"] == "建议与提案部分采纳"
    assert shown["object_label"] == f"建议与提案 #{proposal_id}「增设「数字政府」栏目」"
    assert shown["summary_label"] == "待办公室审议→部分采纳:部分采纳,名称另定"


def test_the_to_do_cards(con, org):
    assert "proposals_more_info" not in todo.todo_items(con, org.leader)  # no card for what one never proposes
    assert todo.todo_items(con, org.tech)["proposals_more_info"] == 0
    suggestion = proposals.submit(con, org.leader, kind="suggestion", subject="建议", reasons="理由")
    assert todo.todo_items(con, org.webmaster)["proposals_review"] == 1
    proposals.ask_more(con, org.webmaster, suggestion, 1, "请具体说明")
    assert todo.todo_items(con, org.leader)["proposals_more_info"] == 1
    assert todo.todo_items(con, org.webmaster)["proposals_review"] == 0


# ---------------------------------------------------------------- 落实情况 (carried out)

def _adopted(con, org, proposer=None, kind="suggestion", decision="adopt", **values) -> int:
    fields = {"subject": "在文件页面增加相关解读链接", "reasons": "公众不易找到解读"} | values
    proposal_id = proposals.submit(con, proposer or org.officer, kind=kind, **fields)
    proposals.decide(con, org.webmaster, proposal_id, 1, decision, "建议合理,予以采纳")
    return proposal_id


def test_the_office_records_a_suggestion_carried_out_and_the_proposer_sees_it(con, org):
    proposal_id = _adopted(con, org)
    waiting = proposals.view(con, org.officer, proposal_id)
    assert waiting["status_label"] == "已采纳 · 待落实" and waiting["done_on"] is None
    assert proposals.allowed_actions(org.webmaster, waiting) == ["implement"]
    assert proposals.allowed_actions(org.officer, waiting) == []  # the proposer does not record it
    assert [p["id"] for p in proposals.to_implement(con, org.webmaster)] == [proposal_id]
    done_on = dt.date.today() - dt.timedelta(days=0)
    state = proposals.implement(con, org.webmaster, proposal_id, 2, note="文件页面已增加相关解读链接,已上线",
                                done_on=done_on, files=[("上线截图.png", PNG)])
    assert state == "adopted"  # the decision stays the state: 已采纳 · 已落实
    shown = proposals.view(con, org.officer, proposal_id)
    assert shown["status_label"] == "已采纳 · 已落实" and shown["version"] == 3
    assert shown["done_on"] == done_on and shown["outcome_note"] == "文件页面已增加相关解读链接,已上线"
    assert shown["outcome_recorder"] == "WEBMASTER" and shown["attachments"] == []
    assert shown["outcome_file"]["filename"] == "上线截图.png"
    assert proposals.attachment(con, org.officer, shown["outcome_file"]["id"])[1] == PNG  # the proposer reads it
    assert [e["action_label"] for e in shown["events"]][-1] == "登记落实情况"
    assert f"{done_on:%Y-%m-%d} 落实:文件页面已增加相关解读链接" in shown["events"][-1]["comment"]
    body = scalar(con, "SELECT body FROM outbox WHERE user_id = ? AND kind = 'proposal.implement'", [org.officer.id])
    assert f"已于 {done_on:%Y-%m-%d} 落实" in body and "办理情况:文件页面已增加相关解读链接" in body
    [listed] = [p for p in proposals.visible(con, org.head) if p["id"] == proposal_id]  # the division's list
    assert listed["progress_label"] == "已落实"
    assert proposals.to_implement(con, org.webmaster) == []
    assert proposals.allowed_actions(org.webmaster, shown) == ["correct_outcome"]  # recorded: corrected, not again
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'proposals.implement'") == 1
    [logged] = security_audit.search(con, org.tech, action="proposals.implement")
    assert logged["action_label"] == "建议与提案登记落实情况"
    assert logged["summary_label"] == f"已采纳:{done_on:%Y-%m-%d} 落实:文件页面已增加相关解读链接,已上线"


def test_the_technical_support_unit_records_its_design_plan_and_the_office_is_told(con, org):
    design = _adopted(con, org, org.officer, kind="design", decision="adopt_part", subject="首页适老化改版")
    assert design in {p["id"] for p in proposals.visible(con, org.tech)}  # the unit sees the plan it carries out
    assert proposals.view(con, org.tech, design)["status_label"] == "部分采纳 · 待落实"
    assert [p["id"] for p in proposals.to_implement(con, org.tech)] == [design]
    proposals.implement(con, org.tech, design, 2, note="适老化改版已上线", done_on=dt.date.today())
    assert proposals.get(con, design)["outcome_recorder"] == "TECH"
    assert any("已落实" in s for s in _mails(con, org.webmaster))  # the office learns what the unit did
    assert any("已落实" in s for s in _mails(con, org.officer))


@pytest.mark.parametrize("who", ["officer", "head", "leader", "analyst", "tech"])
def test_who_may_not_record_a_suggestion_carried_out(con, org, who):
    proposal_id = _adopted(con, org)
    article = "第十条(一)" if who == "tech" else "第八条(一)(二)"
    with pytest.raises(PermissionDenied, match=re.escape(article)):
        proposals.implement(con, getattr(org, who), proposal_id, 2, note="已落实", done_on=dt.date.today())
    assert proposals.get(con, proposal_id)["done_on"] is None


@pytest.mark.parametrize("who", ["officer", "leader"])
def test_who_may_not_record_a_design_plan_carried_out(con, org, who):
    design = _adopted(con, org, org.tech, kind="design", subject="首页改版")
    with pytest.raises(PermissionDenied, match="第八条"):
        proposals.implement(con, getattr(org, who), design, 2, note="已落实", done_on=dt.date.today())


@pytest.mark.parametrize("decision", [None, "decline", "withdraw", "more_info"])
def test_only_an_adopted_proposal_is_carried_out(con, org, decision):
    proposal_id = proposals.submit(con, org.officer, kind="suggestion", subject="建议", reasons="理由")
    if decision == "decline":
        proposals.decide(con, org.webmaster, proposal_id, 1, "decline", "不予采纳的理由")
    elif decision == "withdraw":
        proposals.withdraw(con, org.officer, proposal_id, 1)
    elif decision == "more_info":
        proposals.ask_more(con, org.webmaster, proposal_id, 1, "请补充")
    version = proposals.get(con, proposal_id)["version"]
    state = proposals.get(con, proposal_id)["state_label"]
    with pytest.raises(InvalidTransition, match=re.escape(f"提案当前为「{state}」,不能登记落实情况(仅限:已采纳、部分采纳;第八条(二))")):
        proposals.implement(con, org.webmaster, proposal_id, version, note="已落实", done_on=dt.date.today())
    assert "implement" not in proposals.allowed_actions(org.webmaster, proposals.get(con, proposal_id))
    assert not scalar(con, "SELECT count(*) FROM proposal_outcomes")


@pytest.mark.parametrize("note, done_on, field, rule", [
    ("  ", 0, "「办理情况」", "须写明落实了什么、怎样落实的,提出人可见(第八条(一)(二))"),
    ("x" * 2001, 0, "「办理情况」", "不超过 2000 字(第八条(一)(二))"),
    ("已上线", None, "「完成日期」", "必填"),
    ("已上线", -1, "「完成日期」", "不能晚于今天"),
    ("已上线", 30, "「完成日期」", "不能早于办公室采纳的日期"),
])
def test_a_record_without_what_it_needs_is_refused_and_changes_nothing(con, org, note, done_on, field, rule):
    proposal_id = _adopted(con, org)
    day = None if done_on is None else dt.date.today() - dt.timedelta(days=done_on)
    with pytest.raises(ValidationError) as refused:
        proposals.implement(con, org.webmaster, proposal_id, 2, note=note, done_on=day)
    assert field in str(refused.value) and rule in str(refused.value)
    found = proposals.get(con, proposal_id)
    assert found["done_on"] is None and found["version"] == 2
    assert not scalar(con, "SELECT count(*) FROM proposal_events WHERE action = 'implement'")


def test_a_design_refusal_names_the_units_article_and_a_bad_file_saves_nothing(con, org):
    design = _adopted(con, org, org.tech, kind="design", subject="首页改版")
    with pytest.raises(ValidationError, match=re.escape("「办理情况」:须写明落实了什么、怎样落实的,提出人可见(第十条(一))")):
        proposals.implement(con, org.tech, design, 2, note="", done_on=dt.date.today())
    with pytest.raises(ValidationError, match="附件"):
        proposals.implement(con, org.tech, design, 2, note="已上线", done_on=dt.date.today(),
                            files=[("run.exe", b"MZ" + b"\x00" * 10)])
    with pytest.raises(ValidationError, match="只能附一个文件"):
        proposals.implement(con, org.tech, design, 2, note="已上线", done_on=dt.date.today(),
                            files=[("a.png", PNG), ("b.png", PNG)])
    assert proposals.get(con, design)["done_on"] is None
    assert scalar(con, "SELECT count(*) FROM proposal_attachments") == 0


def test_recorded_once_and_a_stale_version_is_refused(con, org):
    proposal_id = _adopted(con, org)
    with pytest.raises(StaleVersion, match="该提案已被他人更新"):
        proposals.implement(con, org.webmaster, proposal_id, 1, note="已落实", done_on=dt.date.today())
    proposals.implement(con, org.webmaster, proposal_id, 2, note="已落实", done_on=dt.date.today())
    with pytest.raises(InvalidTransition, match=re.escape(f"该提案已于 {dt.date.today():%Y-%m-%d} 登记落实情况,不能重复登记")):
        proposals.implement(con, org.webmaster, proposal_id, 3, note="再次登记", done_on=dt.date.today())
    assert scalar(con, "SELECT count(*) FROM proposal_outcomes") == 1


def test_a_column_proposal_is_carried_out_in_column_management_first(con, org):
    proposal_id = _propose(con, org, kind="column_merge", subject="合并两个栏目", column_name="合并后",
                           target_columns=[org.col_dz, org.col_cw])
    proposals.decide(con, org.webmaster, proposal_id, 1, "adopt_part", "只改名,暂不撤销财政资金栏目")
    assert "implement" not in proposals.allowed_actions(org.webmaster, proposals.view(con, org.webmaster, proposal_id))
    with pytest.raises(InvalidTransition, match=re.escape("栏目类提案须先在栏目管理中按提案办理")):
        proposals.implement(con, org.webmaster, proposal_id, 2, note="已落实", done_on=dt.date.today())
    first = proposals.plan(con, org.webmaster, proposal_id)[0]
    proposals.carry_out(con, org.webmaster, proposal_id, first["column_id"], first["values"])
    partly = proposals.view(con, org.webmaster, proposal_id)
    assert partly["done_on"] is None and partly["status_label"] == "部分采纳 · 待落实"  # one change of two
    # adopted in part: the office stops after the rename and records it by hand
    assert proposals.allowed_actions(org.webmaster, partly) == ["implement"]
    proposals.implement(con, org.webmaster, proposal_id, 2, note="已改名;财政资金栏目按意见保留",
                        done_on=dt.date.today())
    assert proposals.get(con, proposal_id)["status_label"] == "部分采纳 · 已落实"
    second = proposals.plan(con, org.webmaster, proposal_id)[0]  # a change made later records nothing again
    proposals.carry_out(con, org.webmaster, proposal_id, second["column_id"], second["values"])
    assert scalar(con, "SELECT count(*) FROM proposal_events WHERE action = 'implement'") == 1
    # 栏目管理 lists what waits first: a proposal begun and not carried out comes before this one, 已落实
    begun = _propose(con, org, kind="column_merge", subject="再合并两个栏目", column_name="再合并",
                     target_columns=[org.col_cw, org.col_dz])
    proposals.decide(con, org.webmaster, begun, 1, "adopt", "采纳")
    step = proposals.plan(con, org.webmaster, begun)[0]
    proposals.carry_out(con, org.webmaster, begun, step["column_id"], step["values"])
    assert [(p["id"], p["changes"] > 0, p["progress_label"]) for p in proposals.to_carry_out(con, org.webmaster)] == [
        (begun, True, "待落实"), (proposal_id, True, "已落实")]


def test_overdue_ones_wait_in_the_to_do_of_who_records_them(con, org):
    suggestion = _adopted(con, org)
    design = _adopted(con, org, org.tech, kind="design", subject="首页改版")
    assert todo.todo_items(con, org.webmaster)["proposals_overdue"] == 0
    assert todo.todo_items(con, org.tech)["proposals_overdue"] == 0
    assert "proposals_overdue" not in todo.todo_items(con, org.officer)
    long_ago = dt.datetime.now() - dt.timedelta(days=91)
    con.execute("UPDATE proposals SET decided_at = ? WHERE id IN (?, ?)", [long_ago, suggestion, design])
    assert todo.todo_items(con, org.webmaster)["proposals_overdue"] == 2
    assert todo.todo_items(con, org.tech)["proposals_overdue"] == 1  # the unit's design plan only
    waiting = {p["id"]: p for p in proposals.to_implement(con, org.webmaster)}
    assert waiting[suggestion]["overdue"] and waiting[suggestion]["due_on"] == (long_ago + dt.timedelta(days=90)).date()
    proposals.implement(con, org.tech, design, 2, note="已上线", done_on=dt.date.today())
    assert todo.todo_items(con, org.webmaster)["proposals_overdue"] == 1
    assert todo.todo_items(con, org.tech)["proposals_overdue"] == 0
    # the regulation sets no time: the office's setting; 0 turns the reminder off
    settings.set_values(con, org.webmaster, {"proposal_implement_days": 120})
    assert todo.todo_items(con, org.webmaster)["proposals_overdue"] == 0
    settings.set_values(con, org.webmaster, {"proposal_implement_days": 0})
    assert todo.todo_items(con, org.webmaster)["proposals_overdue"] == 0
    assert proposals.to_implement(con, org.webmaster)[0]["due_on"] is None
    with pytest.raises(PermissionDenied):
        proposals.to_implement(con, org.officer)


def test_the_evaluation_says_whether_and_when_it_was_carried_out(con, org):
    year = dt.date.today().year
    done = _adopted(con, org, subject="增加相关解读链接")
    waiting = _adopted(con, org, subject="首页增加快速入口")
    proposals.implement(con, org.webmaster, done, 2, note="已上线", done_on=dt.date.today())
    [evidence] = [p["evidence"] for p in evaluation.propose_awards(con, year)
                  if p["ground"] == 3 and p["user_id"] == org.officer.id]
    assert "被办公室采纳 2 项,已落实 1 项" in evidence
    today = f"{dt.date.today():%Y-%m-%d}"
    assert f"#{done}「增加相关解读链接」(建设与管理建议,{today} 已采纳,{today} 已落实)" in evidence
    assert f"#{waiting}「首页增加快速入口」(建设与管理建议,{today} 已采纳,尚未落实)" in evidence


def test_migration_0047_counts_column_proposals_carried_out_before_it(con, org):
    """A database from before 0047: an adopted merge carried out in 栏目管理 (both changes made) is carried out on
    the day of its last change; an adopted one with no change yet waits; the step shows in its history."""
    done = _propose(con, org, kind="column_retire", subject="撤销财政资金栏目", target_columns=[org.col_cw])
    proposals.decide(con, org.webmaster, done, 1, "adopt", "同意撤销")
    [change] = proposals.plan(con, org.webmaster, done)
    proposals.carry_out(con, org.webmaster, done, change["column_id"], change["values"])
    waiting = _propose(con, org, subject="增设另一个栏目")
    proposals.decide(con, org.webmaster, waiting, 1, "adopt", "采纳")
    # as the database stood before 0047: no outcome table, no implement step
    con.execute("DROP TABLE proposal_outcomes")
    con.execute("DELETE FROM proposal_events WHERE action = 'implement'")
    [sql] = [text for number, _name, text in migration_files() if number == 47]
    con.execute(sql)
    carried = proposals.view(con, org.officer, done)
    assert carried["status_label"] == "已采纳 · 已落实" and carried["done_on"] == dt.date.today()
    assert carried["outcome_recorder"] is None and "栏目变更 1 项" in carried["outcome_note"]
    assert carried["events"][-1]["action_label"] == "登记落实情况" and carried["events"][-1]["actor"] is None
    assert proposals.get(con, waiting)["status_label"] == "已采纳 · 待落实"


# ---------------------------------------------------------------- 更正落实情况 (a recorded outcome corrected)

def _recorded(con, org, days_ago: int = 0, **values) -> int:
    """An adopted suggestion decided ten days ago, its 落实情况 recorded `days_ago` days ago (version 3)."""
    proposal_id = _adopted(con, org, **values)
    con.execute("UPDATE proposals SET decided_at = ? WHERE id = ?",
                [dt.datetime.now() - dt.timedelta(days=10), proposal_id])
    proposals.implement(con, org.webmaster, proposal_id, 2, note="文件页面已增加解毒链接",
                        done_on=dt.date.today() - dt.timedelta(days=days_ago))
    return proposal_id


def test_the_office_corrects_a_recorded_outcome_and_the_history_keeps_the_old_text(con, org):
    proposal_id = _recorded(con, org)
    shown = proposals.view(con, org.webmaster, proposal_id)
    assert proposals.allowed_actions(org.webmaster, shown) == ["correct_outcome"]
    assert proposals.allowed_actions(org.officer, shown) == []  # the proposer does not correct it
    day = dt.date.today() - dt.timedelta(days=3)
    state = proposals.correct_outcome(con, org.webmaster, proposal_id, 3, note="文件页面已增加解读链接",
                                      done_on=day, reason="原登记有错别字,完成日期有误")
    assert state == "adopted"  # the decision stays the state
    found = proposals.view(con, org.officer, proposal_id)
    assert (found["outcome_note"], found["done_on"], found["version"]) == ("文件页面已增加解读链接", day, 4)
    assert found["status_label"] == "已采纳 · 已落实"
    today = f"{dt.date.today():%Y-%m-%d}"
    last = found["events"][-1]
    assert last["action_label"] == "更正落实情况" and last["from_state"] == last["to_state"] == "adopted"
    assert last["comment"] == (f"更正原因:原登记有错别字,完成日期有误;原为 {today} 落实:文件页面已增加解毒链接;"
                               f"改为 {day:%Y-%m-%d} 落实:文件页面已增加解读链接")
    [logged] = security_audit.search(con, org.tech, action="proposals.correct_outcome")
    assert logged["action_label"] == "建议与提案更正落实情况"
    assert f"原为 {today} 落实:文件页面已增加解毒链接" in logged["summary_label"]
    assert "原因:原登记有错别字,完成日期有误" in logged["summary_label"]
    assert any("落实情况已更正" in s for s in _mails(con, org.officer))
    assert scalar(con, "SELECT count(*) FROM proposal_outcomes") == 1  # corrected in place, one record
    # corrected again later: still the same people, the newest text replaces, the history grows
    proposals.correct_outcome(con, org.webmaster, proposal_id, 4, note="文件页面已增加解读链接", done_on=dt.date.today(),
                              reason="完成日期应为上线当天")
    assert [e["action"] for e in proposals.view(con, org.webmaster, proposal_id)["events"]][-2:] == [
        "correct_outcome", "correct_outcome"]


def test_the_unit_corrects_its_design_plans_outcome_only(con, org):
    design = _adopted(con, org, org.tech, kind="design", subject="首页改版")
    proposals.implement(con, org.tech, design, 2, note="改版已上限", done_on=dt.date.today())
    proposals.correct_outcome(con, org.tech, design, 3, note="改版已上线", done_on=dt.date.today(), reason="错别字")
    assert proposals.get(con, design)["outcome_note"] == "改版已上线"
    suggestion = _recorded(con, org)
    with pytest.raises(PermissionDenied, match=re.escape("第十条(一)")):
        proposals.correct_outcome(con, org.tech, suggestion, 3, note="改", done_on=dt.date.today(), reason="错")


@pytest.mark.parametrize("who", ["officer", "head", "leader", "analyst", "group1"])
def test_who_may_not_correct_an_outcome(con, org, who):
    proposal_id = _recorded(con, org)
    with pytest.raises(PermissionDenied, match=re.escape("第八条(一)(二)")):
        proposals.correct_outcome(con, getattr(org, who), proposal_id, 3, note="改过的内容", done_on=dt.date.today(),
                                  reason="有误")
    assert proposals.get(con, proposal_id)["outcome_note"] == "文件页面已增加解毒链接"


@pytest.mark.parametrize("note, done_on, reason, field, rule", [
    ("已改正", 0, "  ", "「更正原因」", "须写明为什么更正(如原登记的内容或日期有误),记入办理过程(第八条(一)(二))"),
    ("已改正", 0, "x" * 501, "「更正原因」", "不超过 500 字"),
    ("  ", 0, "有误", "「办理情况」", "须写明落实了什么、怎样落实的"),
    ("已改正", None, "有误", "「完成日期」", "必填"),
    ("已改正", -1, "有误", "「完成日期」", "不能晚于今天"),
    ("已改正", 30, "有误", "「完成日期」", "不能早于办公室采纳的日期"),
    ("文件页面已增加解毒链接", 0, "有误", "「办理情况」", "与已登记的落实情况相同"),
])
def test_a_correction_without_what_it_needs_is_refused_and_changes_nothing(con, org, note, done_on, reason, field,
                                                                           rule):
    proposal_id = _recorded(con, org)
    day = None if done_on is None else dt.date.today() - dt.timedelta(days=done_on)
    with pytest.raises(ValidationError) as refused:
        proposals.correct_outcome(con, org.webmaster, proposal_id, 3, note=note, done_on=day, reason=reason)
    assert field in str(refused.value) and rule in str(refused.value)
    found = proposals.get(con, proposal_id)
    assert (found["outcome_note"], found["done_on"], found["version"]) == (
        "文件页面已增加解毒链接", dt.date.today(), 3)
    assert not scalar(con, "SELECT count(*) FROM proposal_events WHERE action = 'correct_outcome'")
    assert not scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'proposals.correct_outcome'")


def test_a_correction_needs_a_record_and_the_version_the_user_saw(con, org):
    waiting = _adopted(con, org)
    assert "correct_outcome" not in proposals.allowed_actions(org.webmaster, proposals.view(con, org.webmaster, waiting))
    with pytest.raises(InvalidTransition, match="尚未登记落实情况,没有可更正的内容"):
        proposals.correct_outcome(con, org.webmaster, waiting, 2, note="改", done_on=dt.date.today(), reason="有误")
    proposal_id = _recorded(con, org)
    with pytest.raises(StaleVersion, match="该提案已被他人更新"):  # two people correcting at once: one wins
        proposals.correct_outcome(con, org.webmaster, proposal_id, 2, note="改过的内容", done_on=dt.date.today(),
                                  reason="有误")
    assert proposals.get(con, proposal_id)["outcome_note"] == "文件页面已增加解毒链接"


def test_a_correction_replaces_the_file_and_the_history_keeps_the_old_one(con, org):
    proposal_id = _adopted(con, org)
    proposals.implement(con, org.webmaster, proposal_id, 2, note="文件页面已增加解读链接", done_on=dt.date.today(),
                        files=[("旧截图.png", PNG)])
    # the text and day stay as they are: a new file alone is a correction (第八条(一)(二))
    proposals.correct_outcome(con, org.webmaster, proposal_id, 3, note="文件页面已增加解读链接", done_on=dt.date.today(),
                              reason="原附的是改版前的截图", files=[("上线截图.png", PNG + b"new")])
    found = proposals.view(con, org.officer, proposal_id)
    assert found["version"] == 4 and found["outcome_note"] == "文件页面已增加解读链接"
    assert found["outcome_file"]["filename"] == "上线截图.png"
    assert proposals.attachment(con, org.officer, found["outcome_file"]["id"])[1] == PNG + b"new"
    [old] = found["replaced_outcome_files"]  # kept, marked with the file that replaced it; not the proposal's own
    assert old["filename"] == "旧截图.png" and old["replaced_by"] == found["outcome_file"]["id"]
    assert proposals.attachment(con, org.officer, old["id"])[1] == PNG and found["attachments"] == []
    swap = "落实材料「旧截图.png」替换为「上线截图.png」(原文件保留)"
    assert found["events"][-1]["comment"] == f"更正原因:原附的是改版前的截图;{swap}"
    [logged] = security_audit.search(con, org.tech, action="proposals.correct_outcome")
    assert swap in logged["summary_label"] and "原为" not in logged["summary_label"]  # the text did not change
    body = scalar(con, "SELECT body FROM outbox WHERE user_id = ? AND subject LIKE '%落实情况已更正%'", [org.officer.id])
    assert swap in body and "原为:" not in body
    # corrected again without a file: the text changes, the file stays (none chosen keeps it)
    proposals.correct_outcome(con, org.webmaster, proposal_id, 4, note="文件页面和解读页面已互相链接",
                              done_on=dt.date.today(), reason="补充办理情况")
    again = proposals.view(con, org.officer, proposal_id)
    assert again["outcome_file"]["id"] == found["outcome_file"]["id"] and len(again["replaced_outcome_files"]) == 1
    assert "落实材料" not in again["events"][-1]["comment"]


def test_a_correction_adds_a_file_to_a_record_without_one(con, org):
    proposal_id = _recorded(con, org)  # recorded without a file
    proposals.correct_outcome(con, org.webmaster, proposal_id, 3, note="文件页面已增加解读链接", done_on=dt.date.today(),
                              reason="错别字,补上线截图", files=[("上线截图.png", PNG)])
    found = proposals.view(con, org.webmaster, proposal_id)
    assert found["outcome_file"]["filename"] == "上线截图.png" and found["replaced_outcome_files"] == []
    assert found["events"][-1]["comment"].endswith(";落实材料新增「上线截图.png」")
    assert "原为 " in found["events"][-1]["comment"]  # the text changed too: both are said


@pytest.mark.parametrize("files, rule", [
    ([("a.png", PNG), ("b.png", PNG)], "「落实材料」:只能附一个文件,用来替换原落实材料(不选则保留原文件)(第八条(一)(二))"),
    ([("run.exe", b"MZ" + b"\x00" * 10)], "「附件」"),
])
def test_a_correction_with_a_wrong_file_changes_nothing(con, org, files, rule):
    proposal_id = _adopted(con, org)
    proposals.implement(con, org.webmaster, proposal_id, 2, note="已上线", done_on=dt.date.today(),
                        files=[("旧截图.png", PNG)])
    with pytest.raises(ValidationError) as refused:
        proposals.correct_outcome(con, org.webmaster, proposal_id, 3, note="已上线", done_on=dt.date.today(),
                                  reason="换文件", files=files)
    assert rule in str(refused.value)
    found = proposals.view(con, org.webmaster, proposal_id)
    assert found["outcome_file"]["filename"] == "旧截图.png" and found["version"] == 3
    assert scalar(con, "SELECT count(*) FROM proposal_attachments") == 1
    assert not scalar(con, "SELECT count(*) FROM proposal_events WHERE action = 'correct_outcome'")


def test_the_evaluation_shows_the_corrected_day(con, org):
    proposal_id = _recorded(con, org, subject="增加相关解读链接")
    day = dt.date.today() - dt.timedelta(days=5)
    proposals.correct_outcome(con, org.webmaster, proposal_id, 3, note="文件页面已增加解读链接", done_on=day,
                              reason="完成日期有误")
    [evidence] = [p["evidence"] for p in evaluation.propose_awards(con, dt.date.today().year)
                  if p["ground"] == 3 and p["user_id"] == org.officer.id]
    assert f"#{proposal_id}「增加相关解读链接」" in evidence and f"{day:%Y-%m-%d} 已落实" in evidence
    assert f"{dt.date.today():%Y-%m-%d} 已落实" not in evidence
