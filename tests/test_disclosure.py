"""依申请公开 (政府信息公开条例 第三十、三十二、三十三、三十六条): register, the clock in working days on the
seeded 2026 holiday calendar, extension, correction, consultation, closing, appeals, the reply letter,
reminders and the ledger import.

The due dates below were counted by hand on the 2026 calendar (migration 0006): 中秋 9-25…27, 国庆
10-1…7 with 9-20 and 10-10 (Saturday) worked; 春节 2-15…23 with 2-14 and 2-28 (Saturdays) worked.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from aiosmtpd.controller import Controller
from docx import Document

from core import accounts, disclosure, scheduler, settings, todo
from core.db import connect, rows, scalar
from core.errors import InvalidTransition, PermissionDenied, ValidationError
from tests.conftest import PASSWORD
from tests.test_cli import run
from tests.test_notifications import Inbox, free_port


def office_head(con):
    bgs = scalar(con, "SELECT id FROM divisions WHERE kind = 'office'")
    user, _ = accounts.create_user(con, None, "fzrbgs", "办公室主任", ["head"], bgs, "fzrbgs@sxit.gov.cn",
                                   password=PASSWORD, must_change_password=False)
    return user


def form(org, **changes) -> dict:
    return {"applicant_type": "自然人", "applicant_name": "张三", "applicant_contact": "13912345678",
            "channel": "网上申请", "subject": "2025 年度全省工业企业技术改造专项资金分配结果",
            "received_on": dt.date(2026, 9, 21), "division_id": org.dz, "handler_id": org.officer.id, **changes}


def registered(con, org, **changes) -> dict:
    return disclosure.register(con, org.webmaster, form(org, **changes))


def test_due_date_is_twenty_working_days_across_mid_autumn_and_national_day(con, org):
    application = registered(con, org)
    # 9-22…24, 28…30, 10-8, 9, 10 (Saturday worked), 12…16, 19…23, 26: weekdays alone would give 10-19
    assert application["due_on"] == dt.date(2026, 10, 26)
    assert application["number"] == "依申〔2026〕1号" and application["state"] == "registered"
    assert registered(con, org)["number"] == "依申〔2026〕2号"


def test_due_date_across_the_spring_festival(con, org):
    application = registered(con, org, received_on=dt.date(2026, 2, 10))
    # 2-11…13, 14 (Saturday worked), 24…27, 28 (Saturday worked), 3-2…6, 9…13, 16
    assert application["due_on"] == dt.date(2026, 3, 16)


def test_registration_names_the_field_and_the_rule(con, org):
    with pytest.raises(ValidationError) as bad:
        registered(con, org, applicant_type="个人")
    assert bad.value.field == "申请人类型" and "自然人" in bad.value.rule
    with pytest.raises(ValidationError) as bad:
        registered(con, org, subject="  ")
    assert bad.value.field == "申请内容" and bad.value.rule == "必填" and "第二十九条" in str(bad.value)
    with pytest.raises(ValidationError) as bad:
        registered(con, org, handler_id=org.officer_cw.id)  # of another division
    assert bad.value.field == "承办人"
    with pytest.raises(ValidationError) as bad:
        registered(con, org, received_on=dt.date.today() + dt.timedelta(days=1))
    assert bad.value.field == "收到申请日期"
    with pytest.raises(PermissionDenied):
        disclosure.register(con, org.officer, form(org))
    assert scalar(con, "SELECT count(*) FROM disclosure_applications") == 0


def test_one_extension_of_at_most_twenty_days_by_the_head_of_the_office(con, org):
    application = registered(con, org)
    with pytest.raises(PermissionDenied) as refused:  # a division head is not the office's head
        disclosure.extend(con, org.head, application["id"], 20, "涉及多个处室,需汇总", dt.date(2026, 10, 20), 1)
    assert "第三十三条" in str(refused.value)
    head = office_head(con)
    with pytest.raises(ValidationError) as bad:
        disclosure.extend(con, head, application["id"], 21, "涉及多个处室,需汇总", dt.date(2026, 10, 20), 1)
    assert bad.value.field == "延长天数" and "第三十三条" in str(bad.value)
    with pytest.raises(ValidationError) as bad:
        disclosure.extend(con, head, application["id"], 20, "", dt.date(2026, 10, 20), 1)
    assert bad.value.field == "延期理由"
    with pytest.raises(ValidationError) as bad:  # decided after the time ran out
        disclosure.extend(con, head, application["id"], 20, "需汇总", dt.date(2026, 10, 27), 1)
    assert bad.value.field == "日期"
    disclosure.extend(con, head, application["id"], 20, "涉及多个处室,需汇总", dt.date(2026, 10, 20), 1)
    extended = disclosure.get(con, application["id"])
    assert extended["due_on"] == dt.date(2026, 11, 23)
    assert (extended["extended_days"], extended["extension_by"], extended["extension_reason"]) == \
        (20, head.id, "涉及多个处室,需汇总")
    with pytest.raises(ValidationError, match="只能延长一次"):
        disclosure.extend(con, head, application["id"], 5, "再延", dt.date(2026, 10, 21), 2)
    assert rows(con, "SELECT action, actor_id FROM disclosure_events WHERE action = 'extend'") == \
        [{"action": "extend", "actor_id": head.id}]


def test_correction_stops_the_clock_and_it_restarts_from_the_corrected_application(con, org):
    application = registered(con, org)
    disclosure.ask_correction(con, org.officer, application["id"], dt.date(2026, 9, 24), "请写明文件名称", 1)
    assert disclosure.get(con, application["id"])["state"] == "correction"
    disclosure.corrected(con, org.officer, application["id"], dt.date(2026, 10, 9), 2)
    after = disclosure.get(con, application["id"])
    # from 10-9: 10 (Saturday worked), 12…16, 19…23, 26…30, 11-2, 3, 4, 5
    assert (after["state"], after["clock_start_on"], after["due_on"]) == \
        ("registered", dt.date(2026, 10, 9), dt.date(2026, 11, 5))
    with pytest.raises(ValidationError, match="一次性"):
        disclosure.ask_correction(con, org.officer, application["id"], dt.date(2026, 10, 12), "再补", 3)


def test_correction_is_asked_within_seven_working_days(con, org):
    application = registered(con, org)
    # 9-22…24, 28…30, 10-8 is the 7th working day; 10-9 the 8th
    with pytest.raises(ValidationError) as late:
        disclosure.ask_correction(con, org.officer, application["id"], dt.date(2026, 10, 9), "请写明文件名称", 1)
    assert "第三十条" in str(late.value)
    disclosure.ask_correction(con, org.officer, application["id"], dt.date(2026, 10, 8), "请写明文件名称", 1)


def test_consultation_pauses_and_its_working_days_move_the_due_date(con, org):
    application = registered(con, org)
    disclosure.consult(con, org.officer, application["id"], dt.date(2026, 9, 28), "涉及企业商业秘密,征求企业意见", 1)
    with pytest.raises(InvalidTransition):  # no answer while the third party is asked
        disclosure.close(con, org.officer, application["id"], "予以公开", None, dt.date(2026, 10, 9), "", 2)
    disclosure.consulted(con, org.officer, application["id"], dt.date(2026, 10, 12), 2)
    after = disclosure.get(con, application["id"])
    # paused 9-29, 30, 10-8, 9, 10 (Saturday worked), 12: six working days after 10-26
    assert (after["state"], after["due_on"]) == ("registered", dt.date(2026, 11, 3))


def test_close_with_exactly_one_outcome_and_its_ground(con, org):
    application = registered(con, org)
    with pytest.raises(ValidationError) as bad:
        disclosure.close(con, org.officer, application["id"], "不予公开", None, dt.date(2026, 10, 9), "", 1)
    assert bad.value.field == "具体情形" and "属于国家秘密" in bad.value.rule
    with pytest.raises(ValidationError) as bad:
        disclosure.close(con, org.officer, application["id"], "驳回", None, dt.date(2026, 10, 9), "", 1)
    assert bad.value.field == "办理结果"
    with pytest.raises(ValidationError) as bad:  # the office records what it did, not what it plans
        disclosure.close(con, org.officer, application["id"], "予以公开", None, dt.date.today() + dt.timedelta(days=1),
                         "", 1)
    assert (bad.value.field, bad.value.rule) == ("答复日期", "不能晚于今天")
    with pytest.raises(PermissionDenied):  # another division's officer
        disclosure.close(con, org.officer_cw, application["id"], "予以公开", None, dt.date(2026, 10, 9), "", 1)
    disclosure.close(con, org.officer, application["id"], "不予公开", "保护第三方合法权益", dt.date(2026, 10, 9),
                     "第三方不同意公开", 1)
    closed = disclosure.get(con, application["id"])
    assert (closed["state"], closed["outcome"], closed["outcome_ground"], closed["closed_on"]) == \
        ("closed", "不予公开", "保护第三方合法权益", dt.date(2026, 10, 9))


def test_the_reply_letter_states_outcome_ground_and_remedies(con, org):
    application = registered(con, org)
    with pytest.raises(InvalidTransition):
        disclosure.letter(con, org.webmaster, application["id"])
    disclosure.close(con, org.officer, application["id"], "其他处理", "逾期不补正", dt.date(2026, 10, 9), "", 1)
    name, data = disclosure.letter(con, org.officer, application["id"])
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert name == "政府信息公开申请答复告知书-依申〔2026〕1号.docx"
    assert "张三" in text and "依申〔2026〕1号" in text and "2026年9月21日" in text
    assert "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_the_office_edits_a_template_and_the_letter_follows(con, org):
    with pytest.raises(ValidationError) as bad:
        disclosure.save_template(con, org.webmaster, "予以公开", "{申请人}:同意公开。{签名}")
    assert "{签名}" in bad.value.rule
    with pytest.raises(ValidationError) as bad:
        disclosure.save_template(con, org.webmaster, "予以公开", "{申请人}:同意公开。")
    assert "第五十一条" in str(bad.value)
    with pytest.raises(PermissionDenied):
        disclosure.save_template(con, org.officer, "予以公开", "{申请人}:行政复议 行政诉讼")
    disclosure.save_template(con, org.webmaster, "予以公开",
                             "{申请人}:\n您的申请({受理编号})已予公开。\n不服的可申请行政复议或提起行政诉讼。")
    application = registered(con, org)
    disclosure.close(con, org.officer, application["id"], "予以公开", None, dt.date(2026, 10, 9), "", 1)
    _, data = disclosure.letter(con, org.officer, application["id"])
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "您的申请(依申〔2026〕1号)已予公开。" in text


def test_appeals_are_recorded_with_their_result(con, org):
    application = registered(con, org)
    disclosure.close(con, org.officer, application["id"], "无法提供", "本机关不掌握相关政府信息",
                     dt.date(2026, 10, 9), "", 1)
    appeal = disclosure.record_appeal(con, org.webmaster, application["id"], "行政复议", dt.date(2026, 11, 2))
    with pytest.raises(ValidationError) as bad:
        disclosure.record_appeal_result(con, org.webmaster, appeal, "撤销", dt.date(2026, 11, 30))
    assert bad.value.field == "结果"
    disclosure.record_appeal_result(con, org.webmaster, appeal, "维持", dt.date(2026, 11, 30))
    assert rows(con, "SELECT kind, result, decided_on FROM disclosure_appeals") == \
        [{"kind": "行政复议", "result": "维持", "decided_on": dt.date(2026, 11, 30)}]
    shown = disclosure.view(con, org.officer, application["id"])
    assert [e["action_label"] for e in shown["events"]][-2:] == ["登记行政复议或行政诉讼", "登记复议或诉讼结果"]


def test_queue_marks_due_soon_and_overdue_and_divisions_see_their_own(con, org):
    first = registered(con, org)  # due 10-26
    registered(con, org, division_id=org.cw, handler_id=org.officer_cw.id, received_on=dt.date(2026, 10, 12))
    listed = disclosure.queue(con, org.webmaster, today=dt.date(2026, 10, 22))
    assert {(a["number"], a["urgency_label"]) for a in listed} == {("依申〔2026〕1号", "【即将到期】"),
                                                                  ("依申〔2026〕2号", "")}
    assert disclosure.queue(con, org.webmaster, today=dt.date(2026, 10, 27))[0]["urgency_label"] == "【已超期】"
    assert [a["id"] for a in disclosure.queue(con, org.officer, today=dt.date(2026, 10, 22))] == [first["id"]]
    with pytest.raises(PermissionDenied):
        disclosure.view(con, org.officer_cw, first["id"])


def test_reminders_go_to_the_holder_once_per_stage(con, org):
    application = registered(con, org)
    assert disclosure.remind_deadlines(con, dt.date(2026, 10, 20)) == 0  # 4 working days left
    assert disclosure.remind_deadlines(con, dt.date(2026, 10, 22)) == 1
    assert disclosure.remind_deadlines(con, dt.date(2026, 10, 23)) == 0  # once per stage
    assert disclosure.remind_deadlines(con, dt.date(2026, 10, 27)) == 2  # overdue: the holder and the office
    mails = rows(con, "SELECT recipient, subject FROM outbox WHERE kind LIKE 'disclosure.%' ORDER BY id")
    assert mails[0] == {"recipient": "officer@sxit.gov.cn", "subject": "【依申请公开待办理】依申〔2026〕1号"}
    assert {m["recipient"] for m in mails if m["subject"].startswith("【依申请公开已超期】")} == \
        {"officer@sxit.gov.cn", "webmaster@sxit.gov.cn"}
    assert not any("张三" in m["subject"] for m in mails)
    disclosure.close(con, org.officer, application["id"], "予以公开", None, dt.date(2026, 10, 28), "", 1)
    assert disclosure.remind_deadlines(con, dt.date(2026, 10, 29)) == 0


LEDGER = [
    {"received_on": "2026-01-05", "applicant_type": "自然人", "channel": "信函", "subject": "某项目环评批复",
     "outcome": "予以公开", "closed_on": "2026-01-20", "extended": False},
    {"received_on": "2026-02-02", "applicant_type": "商业企业", "channel": "网上申请", "subject": "专项资金名单",
     "outcome": "危及“三安全一稳定”", "closed_on": "2026-03-20", "extended": True},
    {"received_on": "2026-11-30", "applicant_type": "法律服务机构", "channel": "当面", "subject": "行政处罚决定书"},
]


def test_a_ledger_imports_whole_or_not_at_all(con, org):
    lines = [json.dumps(item, ensure_ascii=False) for item in LEDGER]
    bad = [*lines, '{"received_on": "2026-03-01", "applicant_type": "个人", "channel": "信函", "subject": "x"}',
           '{"received_on": "2026-03-01", "applicant_type": "自然人", "channel": "信函", "subject": "x", '
           '"outcome": "驳回", "closed_on": "2026-03-05"}', "not json"]
    with pytest.raises(disclosure.LedgerError) as refused:
        disclosure.import_ledger(con, bad, today=dt.date(2026, 12, 6))
    assert [p.split("「")[0].split(":")[0] for p in refused.value.problems] == ["第 4 行", "第 5 行", "第 6 行"]
    assert "applicant_type" in refused.value.problems[0] and "outcome" in refused.value.problems[1]
    assert scalar(con, "SELECT count(*) FROM disclosure_applications") == 0
    done = disclosure.import_ledger(con, lines, today=dt.date(2026, 12, 6))
    assert (done.total, done.closed, done.open) == (3, 2, 1)
    assert rows(con, "SELECT state, outcome, outcome_ground, extended_days, imported FROM disclosure_applications "
                     "ORDER BY id") == [
        {"state": "closed", "outcome": "予以公开", "outcome_ground": None, "extended_days": 0, "imported": True},
        {"state": "closed", "outcome": "不予公开", "outcome_ground": "危及“三安全一稳定”", "extended_days": 20,
         "imported": True},
        {"state": "registered", "outcome": None, "outcome_ground": None, "extended_days": 0, "imported": True}]


def test_the_scheduler_tick_mails_the_holder_through_a_real_smtp_server(con, org):
    """The same path as the interaction desk: the hourly sweep queues, the mailer sends (aiosmtpd)."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.set_values(con, org.webmaster, {"smtp_host": "127.0.0.1", "smtp_port": port})
        application = registered(con, org)
        scheduler.tick(con, None, dt.datetime(2026, 10, 27, 9, 0))  # the day after its due date
    finally:
        controller.stop()
    overdue = [m for m in inbox.messages if m["Subject"] == "【依申请公开已超期】依申〔2026〕1号"]
    assert {m["To"] for m in overdue} == {"officer@sxit.gov.cn", "webmaster@sxit.gov.cn"}
    body = overdue[0].get_content()
    assert "2026-10-26" in body and f"application={application['id']}" in body and "张三" not in body


def test_the_command_line_imports_a_ledger_or_names_the_bad_lines(tmp_path, fresh_database):
    path = fresh_database(tmp_path / "portal.duckdb")
    ledger = tmp_path / "ledger.jsonl"
    good = [json.dumps(item, ensure_ascii=False) for item in LEDGER]
    ledger.write_text("\n".join([*good, '{"received_on": "2026-13-01", "applicant_type": "自然人"}']), "utf-8")
    refused = run("disclosure", "import", str(ledger), "--db", str(path))
    assert refused.returncode == 2 and "第 4 行「received_on」" in refused.stderr and "未导入任何申请" in refused.stderr
    ledger.write_text("\n".join(good), "utf-8")
    done = run("disclosure", "import", str(ledger), "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"imported": 3, "closed": 2, "open": 1}
    check = connect(path)
    try:
        assert scalar(check, "SELECT count(*) FROM disclosure_applications WHERE imported") == 3
    finally:
        check.close()


def test_the_holder_sees_the_application_among_their_to_dos(con, org):
    application = registered(con, org)
    assert todo.todo_items(con, org.officer)["disclosure_held"] == 1
    assert todo.todo_items(con, org.officer_cw)["disclosure_held"] == 0
    disclosure.close(con, org.officer, application["id"], "部分公开", None, dt.date(2026, 10, 9), "", 1)
    assert todo.todo_items(con, org.officer)["disclosure_held"] == 0
