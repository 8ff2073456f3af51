"""E-mail goes to a real local SMTP server (aiosmtpd): returns carry the comment; waits remind once."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from core import mailer, portal, scheduler, settings, todo, workflow
from core.db import scalar


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(con, org):
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.set_values(con, org.webmaster, {"smtp_host": "127.0.0.1", "smtp_port": port})
    yield handler
    controller.stop()


def submitted(con, org):
    article = workflow.create_article(con, org.officer, org.col_dz, "全省典型案例征集工作推进会召开", "<p>正文</p>", "电子信息处")
    return workflow.submit(con, org.officer, article.id, article.version)


def test_return_mail_reaches_the_author_with_the_comment(con, org, inbox):
    article = submitted(con, org)
    workflow.return_article(con, org.head, article.id, article.version, "附件名称与正文不一致,请核对")
    result = mailer.send_pending(con)
    assert result["failed"] == 0 and result["sent"] >= 2
    returned = [m for m in inbox.messages if "退回" in m["Subject"]]
    assert returned[0]["To"] == "officer@sxit.gov.cn"
    assert "附件名称与正文不一致,请核对" in returned[0].get_content()
    assert scalar(con, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


def test_submission_mails_the_head_and_approval_mails_the_author(con, org, inbox):
    article = submitted(con, org)
    workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    mailer.send_pending(con)
    recipients = {(m["To"], m["Subject"].split(":")[0]) for m in inbox.messages}
    assert ("head@sxit.gov.cn", "【待审批】全省典型案例征集工作推进会召开") in {(m["To"], m["Subject"]) for m in inbox.messages}
    assert ("officer@sxit.gov.cn", "稿件已批准") in recipients


def test_escalation_mails_the_leader(con, org, inbox):
    article = submitted(con, org)
    workflow.escalate(con, org.head, article.id, article.version, "请领导把关")
    mailer.send_pending(con)
    leader_mail = [m for m in inbox.messages if m["To"] == "leader@sxit.gov.cn"]
    assert leader_mail and "请领导把关" in leader_mail[0].get_content()


def test_waiting_too_long_reminds_once_per_step(con, org, inbox):
    settings.set_values(con, org.webmaster, {"approval_wait_hours": 24})
    submitted(con, org)
    later = dt.datetime.now() + dt.timedelta(hours=25)
    assert scheduler.remind_waiting(con, dt.datetime.now()) == 0
    assert scheduler.remind_waiting(con, later) == 1
    assert scheduler.remind_waiting(con, later) == 0
    mailer.send_pending(con)
    assert [m for m in inbox.messages if "审批超时提醒" in m["Subject"]][0]["To"] == "head@sxit.gov.cn"


def test_unreachable_smtp_keeps_the_mail_queued(con, org):
    settings.set_values(con, org.webmaster, {"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    submitted(con, org)
    result = mailer.send_pending(con)
    assert result["failed"] >= 1
    assert scalar(con, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND last_error LIKE '无法连接%'") >= 1


def test_todo_counts(con, org):
    article = submitted(con, org)
    assert todo.todo_count(con, org.head) == 1
    assert todo.todo_count(con, org.head_cw) == 0
    workflow.return_article(con, org.head, article.id, article.version, "改")
    assert todo.todo_count(con, org.head) == 0
    assert todo.todo_count(con, org.officer) == 1


def test_scheduler_tick_publishes_due_items(con, org, inbox, tmp_path):
    article = submitted(con, org)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    workflow.publish(con, org.officer, article.id, article.version, at=dt.datetime.now() + dt.timedelta(minutes=5))
    result = scheduler.tick(con, tmp_path / "site", dt.datetime.now() + dt.timedelta(minutes=6))
    assert result["published"] == [article.id]
    assert workflow.get_article(con, article.id).public


def test_an_office_change_that_publishes_nothing_reaches_the_portal_at_the_next_tick(con, org, tmp_path):
    site = tmp_path / "site"
    portal.build_site(con, site, full=True)
    assert not portal.outdated(con, site)
    scheduler.tick(con, site)  # nothing changed: nothing built
    settings.set_values(con, org.webmaster, {"site_sponsor": "陕西省工业和信息化厅办公室"})
    assert portal.outdated(con, site)
    assert "陕西省工业和信息化厅办公室" not in (site / "index.html").read_text(encoding="utf-8")
    scheduler.tick(con, site)
    assert "陕西省工业和信息化厅办公室" in (site / "index.html").read_text(encoding="utf-8")
    assert not portal.outdated(con, site)
    assert not portal.outdated(con, tmp_path / "elsewhere")  # a folder never built into is not this portal


def test_scheduler_thread_runs_ticks(con, org):
    article = submitted(con, org)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    con.execute("UPDATE articles SET state = 'scheduled', scheduled_at = ?, version = version + 1 WHERE id = ?",
                [dt.datetime.now() - dt.timedelta(minutes=1), article.id])
    runner = scheduler.Scheduler(con, None, interval=0.05).start()
    try:
        for _ in range(100):
            if workflow.get_article(con, article.id).state == "published":
                break
            __import__("time").sleep(0.05)
    finally:
        runner.stop()
    assert workflow.get_article(con, article.id).state == "published"


# ---------------------------------------------------------------- the interaction desk (第十九条)


def _message(con, org):
    from core import humancheck, interaction

    challenge = humancheck.new_challenge(con, answer="8642")
    form = {"kind": "complain", "concerns_division_id": org.dz, "subject": "反映企业噪声扰民",
            "body": "某企业夜间生产噪声很大,请核查。", "name": "市民", "phone": "", "email": "citizen@example.com",
            "publish_allowed": False, "consent": True}
    return interaction.submit(con, form, "192.0.2.1", (challenge.token, "8642"),
                              now=dt.datetime(2026, 11, 2, 9, 0))


def test_message_mails_reach_the_assignees_and_the_citizen(con, org, inbox):
    from core import interaction

    sent = _message(con, org)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1, comment="请电子信息处核查")
    interaction.submit_answer(con, org.officer, sent.id, "经核查,企业已整改。", 2)
    interaction.return_answer(con, org.head, sent.id, "请写明整改措施", 3)
    interaction.remind_deadlines(con, sent.due_on)  # the day it falls due: nearly due
    interaction.remind_deadlines(con, sent.due_on + dt.timedelta(days=1))  # overdue
    result = mailer.send_pending(con)
    assert result["failed"] == 0
    to_officer = [m["Subject"] for m in inbox.messages if m["To"] == "officer@sxit.gov.cn"]
    assert any(s.startswith("【留言待办理】") for s in to_officer)
    assert any(s.startswith("【留言答复被退回】") for s in to_officer)
    assert any(s.startswith("【留言即将到期】") for s in to_officer)
    assert any(s.startswith("【留言已超期】") for s in to_officer)
    routed = next(m for m in inbox.messages if m["Subject"].startswith("【留言待办理】"))
    assert "请电子信息处核查" in routed.get_content() and f"message={sent.id}" in routed.get_content()
    assert any(m["To"] == "head@sxit.gov.cn" and m["Subject"].startswith("【留言答复待审批】") for m in inbox.messages)
    assert any(m["To"] == "webmaster@sxit.gov.cn" and m["Subject"].startswith("【新留言待审核】")
               for m in inbox.messages)
    # the citizen hears when the answer can be read (by code; the mail carries no answer text)
    interaction.submit_answer(con, org.officer, sent.id, "企业已加装隔音设施。", 4)
    interaction.approve_answer(con, org.head, sent.id, 5)
    interaction.close(con, org.webmaster, sent.id, 6)
    mailer.send_pending(con)
    citizen = [m for m in inbox.messages if m["To"] == "citizen@example.com"]
    assert citizen and sent.code in citizen[0].get_content() and "隔音" not in citizen[0].get_content()
