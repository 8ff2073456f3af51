"""The interaction desk's rules (第十九、二十三条) on a real DuckDB file."""

from __future__ import annotations

import datetime as dt

import pytest

from core import humancheck, interaction, settings
from core.db import rows, scalar
from core.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationError

CLIENT = "198.51.100.7"


def solved(con) -> tuple[str, str]:
    challenge = humancheck.new_challenge(con, answer="2468")
    return challenge.token, "2468"


def form(org, **changes) -> dict:
    values = {"kind": "consult", "concerns_division_id": org.dz, "subject": "关于中小企业数字化转型补贴的咨询",
              "body": "请问今年的数字化转型补贴什么时候开始申报?我的电话 13912345678。", "name": "张三",
              "phone": "13912345678", "email": "zhangsan@example.com", "publish_allowed": True, "consent": True}
    values.update(changes)
    return values


def submit(con, org, **changes) -> interaction.Submitted:
    return interaction.submit(con, form(org, **changes), CLIENT, solved(con))


def message(con, message_id):
    return interaction.get(con, message_id)


def answer_and_approve(con, org, message_id, text="今年的申报于 12 月 1 日开始,详见通知。"):
    interaction.route(con, org.webmaster, message_id, org.dz, message(con, message_id)["version"])
    interaction.submit_answer(con, org.officer, message_id, text, message(con, message_id)["version"])
    interaction.approve_answer(con, org.head, message_id, message(con, message_id)["version"])


def test_a_submission_is_stored_new_with_a_code_and_a_working_day_due_date(con, org):
    received = dt.datetime(2026, 9, 29, 10, 0)  # Tuesday before the National Day week
    sent = interaction.submit(con, form(org), CLIENT, solved(con), now=received)
    stored = message(con, sent.id)
    assert stored["state"] == "new" and stored["code"] == sent.code
    assert sent.code.startswith("SX-") and len(sent.code) == 17
    # 咨询: 5 working days; 9-30, (10-1..10-7 holiday), 10-8, 10-9, 10-10 (Saturday, worked), 10-12
    assert sent.due_on == dt.date(2026, 10, 12)
    assert stored["client"] and CLIENT not in stored["client"]  # a keyed hash, not the address
    notices = rows(con, "SELECT user_id, kind FROM outbox WHERE kind = 'message.new'")
    assert [n["user_id"] for n in notices] == [org.webmaster.id]


def test_codes_are_unguessable_and_distinct(con, org):
    codes = {interaction.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert interaction.normal_code(" sx-ab2c ＤＥ3Ｆ gh4j ") == "SX-AB2C-DE3F-GH4J"
    assert interaction.normal_code("12345") == ""


def test_the_whole_path_to_a_published_answer(con, org):
    sent = submit(con, org)
    assert interaction.lookup(con, sent.code, CLIENT)["state_label"].startswith("已收到")
    answer_and_approve(con, org, sent.id)
    assert interaction.lookup(con, sent.code, CLIENT)["answer"] is None  # not before the office releases it
    interaction.publish(con, org.webmaster, sent.id, message(con, sent.id)["version"])
    seen = interaction.lookup(con, sent.code, CLIENT)
    assert seen["state_label"] == "已答复" and "12 月 1 日" in seen["answer"] and seen["division_name"] == "电子信息处"
    [shown] = interaction.published(con)
    assert "13912345678" not in shown["body"] and "张三" not in shown["body"]
    assert "zhangsan" not in repr(shown)
    assert set(shown) >= {"subject", "body", "answer", "division_name", "received_at", "replied_at"}
    mail = rows(con, "SELECT recipient, body FROM outbox WHERE kind = 'message.replied'")
    assert mail[0]["recipient"] == "zhangsan@example.com" and sent.code in mail[0]["body"]
    actions = [r["action"] for r in rows(con, "SELECT action FROM message_events WHERE message_id = ? ORDER BY id",
                                         [sent.id])]
    assert actions == ["submit", "route", "submit_answer", "approve_answer", "publish"]
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE object = ?", [f"message:{sent.id}"]) == 5


def test_without_the_citizens_consent_the_answer_is_closed_privately(con, org):
    sent = submit(con, org, publish_allowed=False)
    answer_and_approve(con, org, sent.id)
    with pytest.raises(InvalidTransition, match="未同意公开"):
        interaction.publish(con, org.webmaster, sent.id, message(con, sent.id)["version"])
    interaction.close(con, org.webmaster, sent.id, message(con, sent.id)["version"])
    assert interaction.lookup(con, sent.code, CLIENT)["answer"]
    assert interaction.published(con) == []


def test_the_public_text_may_not_carry_personal_data(con, org):
    sent = submit(con, org)
    answer_and_approve(con, org, sent.id)
    version = message(con, sent.id)["version"]
    with pytest.raises(ValidationError) as error:
        interaction.publish(con, org.webmaster, sent.id, version, public_body="我的电话是 13912345678,请回电。")
    assert "联系方式" in error.value.rule or "手机" in error.value.rule
    with pytest.raises(ValidationError):  # someone else's ID number: screening blocks it (第十六条)
        interaction.publish(con, org.webmaster, sent.id, version, public_body="身份证号 11010519491231002X 的申报")
    assert message(con, sent.id)["state"] == "approved"
    subject, body = interaction.default_public_text(message(con, sent.id))
    assert "13912345678" not in body and "***" in body


def test_only_the_routed_division_answers_and_only_its_head_approves(con, org):
    sent = submit(con, org)
    with pytest.raises(PermissionDenied):
        interaction.route(con, org.officer, sent.id, org.dz, 1)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    with pytest.raises(PermissionDenied):
        interaction.submit_answer(con, org.officer_cw, sent.id, "答复", 2)
    interaction.submit_answer(con, org.officer, sent.id, "答复内容,详见通知。", 2)
    for outsider in (org.head_cw, org.officer, org.webmaster):
        with pytest.raises(PermissionDenied):
            interaction.approve_answer(con, outsider, sent.id, 3)
    with pytest.raises(PermissionDenied):
        interaction.view(con, org.officer_cw, sent.id)
    assert interaction.view(con, org.head, sent.id)["events"][-1]["action"] == "submit_answer"


def test_a_division_hands_a_message_back_and_the_head_returns_an_answer(con, org):
    sent = submit(con, org)
    interaction.route(con, org.webmaster, sent.id, org.cw, 1)
    with pytest.raises(ValidationError):
        interaction.hand_back(con, org.officer_cw, sent.id, "  ", 2)
    interaction.hand_back(con, org.officer_cw, sent.id, "属于电子信息处职责", 2)
    assert message(con, sent.id)["state"] == "new" and message(con, sent.id)["division_id"] is None
    assert scalar(con, "SELECT count(*) FROM outbox WHERE kind = 'message.handed_back' AND user_id = ?",
                  [org.webmaster.id]) == 1
    interaction.route(con, org.webmaster, sent.id, org.dz, 3)
    interaction.submit_answer(con, org.officer, sent.id, "初稿", 4)
    interaction.return_answer(con, org.head, sent.id, "请写明申报时间", 5)
    assert message(con, sent.id)["state"] == "routed"
    assert scalar(con, "SELECT count(*) FROM outbox WHERE kind = 'message.returned' AND user_id = ?",
                  [org.officer.id]) == 1


def test_someone_acting_first_wins(con, org):
    sent = submit(con, org)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    with pytest.raises(StaleVersion):
        interaction.reject(con, org.webmaster, sent.id, "spam", "", 1)


def test_spam_waves_are_rejected_in_bulk_all_or_nothing(con, org):
    ids = [submit(con, org, subject=f"广告{i}").id for i in range(3)]
    interaction.route(con, org.webmaster, ids[2], org.dz, 1)
    with pytest.raises(InvalidTransition):
        interaction.bulk_reject(con, org.webmaster, ids, "spam")
    assert {message(con, i)["state"] for i in ids[:2]} == {"new"}
    assert interaction.bulk_reject(con, org.webmaster, ids[:2], "spam") == 2
    assert {message(con, i)["state"] for i in ids[:2]} == {"rejected"}
    with pytest.raises(ValidationError) as error:  # "other" needs words
        interaction.reject(con, org.webmaster, submit(con, org).id, "other", "", 1)
    assert error.value.field == "理由"


def test_a_duplicate_is_merged_and_its_citizen_sees_the_shared_answer(con, org):
    first, second = submit(con, org), submit(con, org, name="李四", phone="13700000001", email="")
    assert interaction.similar(con, message(con, second.id))[0]["id"] == first.id
    interaction.merge(con, org.webmaster, second.id, first.id, 1)
    answer_and_approve(con, org, first.id)
    assert interaction.lookup(con, second.code, CLIENT)["answer"] is None
    interaction.close(con, org.webmaster, first.id, message(con, first.id)["version"])
    seen = interaction.lookup(con, second.code, CLIENT)
    assert seen["answer"] and "合并" in seen["state_label"] and seen["merged_code"] == first.code


def test_the_office_answers_directly(con, org):
    sent = submit(con, org)
    interaction.answer_directly(con, org.webmaster, sent.id, "请关注本网通知公告栏目。", 1)
    interaction.publish(con, org.webmaster, sent.id, 2)
    assert interaction.published(con)[0]["division_name"] == "办公室"


@pytest.mark.parametrize("field, value, label", [
    ("subject", "", "标题"),
    ("subject", "长" * 101, "标题"),
    ("body", "字" * 5001, "留言内容"),
    ("name", "\x00\x01", "姓名"),
    ("phone", "12345", "手机号码"),
    ("email", "not-an-address", "电子邮箱"),
    ("kind", "praise", "留言类型"),
    ("consent", False, "隐私声明"),
    ("concerns_division_id", 99999, "涉及处室"),
])
def test_bad_input_names_the_field_and_stores_nothing(con, org, field, value, label):
    with pytest.raises(ValidationError) as error:
        submit(con, org, **{field: value})
    assert error.value.field == label and error.value.article
    assert scalar(con, "SELECT count(*) FROM messages") == 0


def test_a_phone_or_an_email_is_needed(con, org):
    with pytest.raises(ValidationError) as error:
        submit(con, org, phone="", email="")
    assert "至少填写一项" in error.value.rule
    sent = submit(con, org, phone="＋86 139 1234 5678", email="")
    assert message(con, sent.id)["phone"] == "13912345678"


def test_hostile_input_is_stored_as_inert_text(con, org):
    hostile = "<script>alert('x')</script>\u202eevil\x1b[31m\x00 👍🏻 \ud800 ok"
    sent = submit(con, org, subject=hostile[:90], body=hostile + "\r\n\r\n\r\n\r\n多行", name="王五\u200b👍🏻")
    stored = message(con, sent.id)
    assert "<script>" in stored["subject"]  # kept as text; templates escape it
    assert "\u202e" not in stored["body"] and "\x00" not in stored["body"] and "\x1b" not in stored["body"]
    assert "👍🏻" in stored["body"] and "\ufffd ok" in stored["body"] and "\ufffd\ufffd" not in stored["body"]
    assert "\n\n\n" not in stored["body"] and "多行" in stored["body"]
    assert interaction.clean_text(b"\xff\xfe\xe4\xb8\xad") == "\ufffd\ufffd中"


def test_urgency_and_deadline_reminders(con, org):
    sent = interaction.submit(con, form(org), CLIENT, solved(con), now=dt.datetime(2026, 11, 2, 9, 0))
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    due = message(con, sent.id)["due_on"]
    assert due == dt.date(2026, 11, 9)
    row = message(con, sent.id)
    assert interaction.urgency(con, row, dt.date(2026, 11, 3)) is None
    assert interaction.urgency(con, row, dt.date(2026, 11, 5)) == "due_soon"
    assert interaction.urgency(con, row, dt.date(2026, 11, 10)) == "overdue"
    assert interaction.urgency(con, row, dt.date(2027, 1, 5)) == "veto_risk"
    assert interaction.remind_deadlines(con, dt.date(2026, 11, 5)) == 1
    assert interaction.remind_deadlines(con, dt.date(2026, 11, 6)) == 0  # once per stage
    assert interaction.remind_deadlines(con, dt.date(2026, 11, 10)) == 1
    kinds = [r["kind"] for r in rows(con, "SELECT kind FROM outbox WHERE user_id = ? AND kind LIKE 'message.%' "
                                          "ORDER BY id", [org.officer.id])]
    assert kinds == ["message.routed", "message.due_soon", "message.overdue"]
    # near three months: the office hears of it too
    assert interaction.remind_deadlines(con, dt.date(2027, 1, 5)) == 2
    queue = interaction.division_queue(con, org.officer, dt.date(2026, 11, 10))
    assert queue[0]["urgency_label"] == "【已超期】"
    assert interaction.desk_summary(con, org.webmaster, dt.date(2026, 11, 10)) == {
        "new": 0, "release": 0, "overdue": 1, "veto_risk": 0}
    assert interaction.desk_summary(con, org.webmaster, dt.date(2027, 1, 5))["veto_risk"] == 1


def test_deadlines_are_office_data(con, org):
    interaction.set_deadlines(con, org.webmaster, {"consult": 3})
    sent = interaction.submit(con, form(org), CLIENT, solved(con), now=dt.datetime(2026, 11, 2, 9, 0))
    assert sent.due_on == dt.date(2026, 11, 5)
    with pytest.raises(ValidationError) as error:
        interaction.set_deadlines(con, org.webmaster, {"complain": 0})
    assert error.value.field == "投诉办理期限"
    with pytest.raises(PermissionDenied):
        interaction.set_deadlines(con, org.officer, {"consult": 9})


def test_todo_counts_follow_the_message(con, org):
    sent = submit(con, org)
    assert interaction.counts(con, org.webmaster)["messages_new"] == 1
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    assert interaction.counts(con, org.officer)["messages_answer"] == 1
    assert interaction.counts(con, org.officer_cw)["messages_answer"] == 0
    interaction.submit_answer(con, org.officer, sent.id, "答复内容", 2)
    assert interaction.counts(con, org.head)["messages_approve"] == 1


def test_the_answer_is_screened(con, org):
    sent = submit(con, org)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    with pytest.raises(ValidationError) as error:
        interaction.submit_answer(con, org.officer, sent.id, "根据机密★10年文件,答复如下。", 2)
    assert error.value.field == "答复内容"
    assert message(con, sent.id)["state"] == "routed"


def test_contact_settings_are_validated(con, org):
    with pytest.raises(ValidationError) as error:
        settings.set_values(con, org.webmaster, {"interaction_phone": "8765"})
    assert error.value.field == "互动交流联系电话" and "第十九条" in error.value.rule
    settings.set_values(con, org.webmaster, {"interaction_phone": "029-63913000", "interaction_email": "a@sxit.gov.cn"})


# ---------------------------------------------------------------- on the portal


def test_a_published_answer_is_a_portal_page_without_personal_data(con, org, tmp_path):
    from core import portal

    site = tmp_path / "site"
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('hdjl', '互动交流', 'interaction', ?)",
                [org.dz])
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    sent = submit(con, org, subject="关于补贴的咨询" + hostile, body="我是张三,电话 13912345678。" + hostile)
    answer_and_approve(con, org, sent.id, text="答复:" + hostile + "\n第二段")
    portal.build_site(con, site, full=True)
    interaction.publish(con, org.webmaster, sent.id, message(con, sent.id)["version"])
    built = portal.build_site(con, site, full=False)
    published_at = message(con, sent.id)["published_at"]
    page = site / portal.answer_url(sent.id, published_at).lstrip("/")
    html = page.read_text(encoding="utf-8")
    assert "data-pagefind-body" in html and "电子信息处" in html and "第二段" in html
    assert "13912345678" not in html and "张三" not in html and "zhangsan" not in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<img src=x" not in html
    assert published_at.year in built["touched_years"]
    listing = (site / "hudong" / "index.html").read_text(encoding="utf-8")
    assert portal.answer_url(sent.id, published_at) in listing
    column = (site / "col" / "hdjl" / "index.html").read_text(encoding="utf-8")  # 互动交流 lists it too
    assert portal.answer_url(sent.id, published_at) in column and "最新答复" in column
    footer = (site / "index.html").read_text(encoding="utf-8")
    assert "http://localhost:8501/message" in footer and "029-87654321" in footer
    # the webmaster takes it down: at the next build its address only leads to 留言答复 (a permanent URL,
    # issue 15), nothing of the answer left
    interaction.unpublish(con, org.webmaster, sent.id, "留言人要求撤下", message(con, sent.id)["version"])
    portal.build_site(con, site, full=False)
    moved = page.read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' in moved and "/hudong/index.html" in moved
    assert "第二段" not in moved and "电子信息处" not in moved
    assert portal.answer_url(sent.id, published_at) not in (site / "hudong" / "index.html").read_text("utf-8")
    assert portal.answer_url(sent.id, published_at) not in (site / "col" / "hdjl" / "index.html").read_text("utf-8")
    assert interaction.lookup(con, sent.code, CLIENT)["answer"]  # still answered for the citizen


def _one_answer_built_one_approved(con, org, site, monkeypatch):
    """Two answers approved, the first published and the portal built in full; then every page the builds
    render is listed in ``rendered``. Returns (first, second, rendered)."""
    from core import portal

    first, second = submit(con, org), submit(con, org, subject="关于技改资金的咨询")
    for sent in (first, second):
        answer_and_approve(con, org, sent.id)
    interaction.publish(con, org.webmaster, first.id, message(con, first.id)["version"])
    portal.build_site(con, site, full=True)
    rendered: list[str] = []
    real = portal.render.render
    monkeypatch.setattr(portal.render, "render", lambda page, context: rendered.append(page.path) or real(page, context))
    return first, second, rendered


def test_an_incremental_build_renders_only_the_answers_not_yet_on_the_portal(con, org, tmp_path, monkeypatch):
    """Publishing one answer renders its page, not every published answer's again; a page
    missing from the folder is written again by the next build that finds the answers changed (a build
    that finds them unchanged does not read them: 36,800 at scale)."""
    from core import portal

    site = tmp_path / "site"
    first, second, rendered = _one_answer_built_one_approved(con, org, site, monkeypatch)

    interaction.publish(con, org.webmaster, second.id, message(con, second.id)["version"])
    portal.build_site(con, site, full=False)
    urls = {sent.id: portal.answer_url(sent.id, message(con, sent.id)["published_at"]) for sent in (first, second)}
    assert urls[second.id] in rendered and urls[first.id] not in rendered
    assert "关于技改资金的咨询" in (site / urls[second.id].lstrip("/")).read_text(encoding="utf-8")
    listing = (site / "hudong" / "index.html").read_text(encoding="utf-8")
    assert urls[first.id] in listing and urls[second.id] in listing

    (site / urls[first.id].lstrip("/")).unlink()
    third = submit(con, org, subject="关于专精特新认定的咨询")
    answer_and_approve(con, org, third.id)
    interaction.publish(con, org.webmaster, third.id, message(con, third.id)["version"])
    portal.build_site(con, site, full=False)
    assert (site / urls[first.id].lstrip("/")).is_file()


def test_a_returned_answer_carries_who_returned_it_when_and_why(con, org):
    sent = submit(con, org)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    interaction.submit_answer(con, org.officer, sent.id, "答复初稿,详见通知。", 2)
    interaction.return_answer(con, org.head, sent.id, "请写明申报截止日期", 3)
    [queued] = interaction.division_queue(con, org.officer)
    assert queued["returned"]["comment"] == "请写明申报截止日期"
    assert queued["returned"]["actor"] == "HEAD" and queued["returned"]["role"] == "处室负责人"
    assert interaction.latest_return(interaction.view(con, org.officer, sent.id))["comment"] == "请写明申报截止日期"
    # once resubmitted the comment is history, not a pending return
    interaction.submit_answer(con, org.officer, sent.id, "申报截止日期为 12 月 20 日,详见通知。", 4)
    assert interaction.division_queue(con, org.officer)[0]["returned"] is None
    assert interaction.latest_return(interaction.view(con, org.officer, sent.id)) is None
    # the office returns an approved answer: named as 办公室
    interaction.approve_answer(con, org.head, sent.id, 5)
    interaction.return_answer(con, org.webmaster, sent.id, "答复中的文号有误", 6)
    returned = interaction.latest_return(interaction.view(con, org.officer, sent.id))
    assert returned["role"] == "办公室" and returned["actor"] == "WEBMASTER" and returned["comment"] == "答复中的文号有误"


def _routed(con, org, **changes):
    sent = submit(con, org, **changes)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    return sent


@pytest.mark.parametrize("text, what", [
    ("张三您好!今年的申报于 12 月 1 日开始。", "姓名"),
    ("已电话联系您(139 1234-5678),申报于 12 月 1 日开始。", "手机号码"),
    ("详见发送到 ZhangSan@Example.com 的通知。", "电子邮箱"),
])
def test_the_officer_cannot_save_or_submit_the_citizens_own_details_in_an_answer(con, org, text, what):
    sent = _routed(con, org)
    for action in (interaction.save_answer, interaction.submit_answer):
        with pytest.raises(ValidationError) as error:
            action(con, org.officer, sent.id, text, 2)
        assert error.value.field == "答复内容" and what in error.value.rule and error.value.article == "第十六条"
    stored = message(con, sent.id)
    assert stored["state"] == "routed" and not stored["answer"]


def test_someone_elses_mobile_number_in_an_answer_is_caught_when_it_is_written(con, org):
    sent = _routed(con, org)
    with pytest.raises(ValidationError) as error:
        interaction.submit_answer(con, org.officer, sent.id, "请联系李科长 13800138000 办理。", 2)
    assert error.value.field == "答复内容" and "手机号码" in error.value.rule
    interaction.submit_answer(con, org.officer, sent.id, "请拨打咨询电话 029-12345678 办理。", 2)  # an office line


def test_a_private_answer_may_greet_the_citizen_by_name(con, org):
    sent = _routed(con, org, publish_allowed=False)
    interaction.submit_answer(con, org.officer, sent.id, "张三您好!今年的申报于 12 月 1 日开始。", 2)
    assert message(con, sent.id)["state"] == "drafted"


def test_the_head_cannot_approve_an_answer_holding_the_citizens_name(con, org):
    sent = _routed(con, org)
    interaction.submit_answer(con, org.officer, sent.id, "今年的申报于 12 月 1 日开始。", 2)
    # written before this check existed
    con.execute("UPDATE messages SET answer = '张三您好!今年的申报于 12 月 1 日开始。' WHERE id = ?", [sent.id])
    with pytest.raises(ValidationError) as error:
        interaction.approve_answer(con, org.head, sent.id, 3)
    assert error.value.field == "答复内容" and "张三" in error.value.rule and "退回修改" in error.value.rule
    assert message(con, sent.id)["state"] == "drafted"


def test_at_publication_the_error_names_the_field_that_holds_the_name(con, org):
    sent = submit(con, org)
    answer_and_approve(con, org, sent.id)
    version = message(con, sent.id)["version"]
    with pytest.raises(ValidationError) as error:
        interaction.publish(con, org.webmaster, sent.id, version, public_body="张三咨询今年补贴何时申报。")
    assert error.value.field == "公开的留言内容"
    with pytest.raises(ValidationError) as error:
        interaction.publish(con, org.webmaster, sent.id, version, public_subject="张三的咨询")
    assert error.value.field == "公开标题"
    con.execute("UPDATE messages SET answer = '张三您好!今年的申报于 12 月 1 日开始。' WHERE id = ?", [sent.id])
    with pytest.raises(ValidationError) as error:
        interaction.publish(con, org.webmaster, sent.id, version)
    assert error.value.field == "答复内容" and "退回修改" in error.value.rule
    con.execute("UPDATE messages SET answer = '请联系 13800138000。' WHERE id = ?", [sent.id])
    with pytest.raises(ValidationError) as error:
        interaction.publish(con, org.webmaster, sent.id, version)
    assert error.value.field == "答复内容"
    assert message(con, sent.id)["state"] == "approved"


def test_the_office_cannot_answer_directly_with_the_citizens_name(con, org):
    sent = submit(con, org)
    with pytest.raises(ValidationError) as error:
        interaction.answer_directly(con, org.webmaster, sent.id, "张三您好!申报于 12 月 1 日开始。", 1)
    assert error.value.field == "答复内容" and "张三" in error.value.rule
    assert message(con, sent.id)["state"] == "new"


def test_the_answers_listing_is_rendered_only_when_the_published_answers_change(con, org, tmp_path, monkeypatch):
    """留言答复's listing pages (1,800 at 36,000 answers) stay as they are when a build finds the same published
    answers as the last one (an article published elsewhere); a new answer, or one taken off, renders them."""
    from core import portal
    from tests.test_portal import publish

    site = tmp_path / "site"
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('hdjl', '互动交流', 'interaction', ?)",
                [org.dz])
    first, second, rendered = _one_answer_built_one_approved(con, org, site, monkeypatch)

    publish(con, org, "工作动态:与留言无关的一篇")
    assert portal.build_site(con, site, full=False)["mode"] == "incremental"
    assert "/hudong/index.html" not in rendered and "/col/hdjl/index.html" not in rendered
    listing = site / "hudong" / "index.html"
    assert listing.is_file() and "关于中小企业数字化转型补贴的咨询" in listing.read_text(encoding="utf-8")

    interaction.publish(con, org.webmaster, second.id, message(con, second.id)["version"])
    portal.build_site(con, site, full=False)
    assert "/hudong/index.html" in rendered and "/col/hdjl/index.html" in rendered
    assert "关于技改资金的咨询" in listing.read_text(encoding="utf-8")
    assert "关于技改资金的咨询" in (site / "col" / "hdjl" / "index.html").read_text(encoding="utf-8")

    rendered.clear()
    interaction.unpublish(con, org.webmaster, second.id, "留言人要求撤下", message(con, second.id)["version"])
    portal.build_site(con, site, full=False)
    assert "/hudong/index.html" in rendered and "关于技改资金的咨询" not in listing.read_text(encoding="utf-8")
    fresh = tmp_path / "fresh"
    portal.build_site(con, fresh, full=True)
    assert listing.read_bytes() == (fresh / "hudong" / "index.html").read_bytes()


def test_a_new_answer_leaves_the_answers_archive_pages_as_they_were(con, org, tmp_path, monkeypatch):
    """留言答复's listing has the columns' stable pagination (issue 16): index.html shows the newest 20, the archive
    pages are numbered from the oldest and keep their answers, so a new answer renders index.html and the newest
    archive page, not every page (1,764 at scale); an answer taken off keeps its place."""
    from core import portal

    site = tmp_path / "site"
    ids = []
    for n in range(45):
        sent = interaction.submit(con, form(org, subject=f"关于{n + 1:03d}号技改项目的咨询"), f"198.51.100.{n + 10}",
                                  solved(con))  # a network submits at most 10 an hour
        answer_and_approve(con, org, sent.id)
        interaction.publish(con, org.webmaster, sent.id, message(con, sent.id)["version"])
        ids.append(sent.id)
    portal.build_site(con, site, full=True)
    hudong = site / "hudong"
    assert sorted(p.name for p in hudong.glob("index_*.html")) == ["index_1.html", "index_2.html", "index_3.html"]
    oldest = (hudong / "index_1.html").read_text(encoding="utf-8")
    assert "关于001号" in oldest and "关于020号" in oldest and "关于021号" not in oldest
    pages = {name: (hudong / name).read_bytes() for name in ("index_1.html", "index_2.html")}
    rendered: list[str] = []
    real = portal.render.render
    monkeypatch.setattr(portal.render, "render", lambda page, context: rendered.append(page.path) or real(page, context))

    sent = submit(con, org, subject="关于046号技改项目的咨询")
    answer_and_approve(con, org, sent.id)
    interaction.publish(con, org.webmaster, sent.id, message(con, sent.id)["version"])
    portal.build_site(con, site, full=False)
    listed = [path for path in rendered if path.startswith("/hudong/index")]
    assert sorted(listed) == ["/hudong/index.html", "/hudong/index_3.html"]
    assert {name: (hudong / name).read_bytes() for name in pages} == pages
    assert "关于046号" in (hudong / "index_3.html").read_text(encoding="utf-8")
    assert "关于046号" in (hudong / "index.html").read_text(encoding="utf-8")

    rendered.clear()
    interaction.unpublish(con, org.webmaster, ids[0], "留言人要求撤下", message(con, ids[0])["version"])
    portal.build_site(con, site, full=False)
    assert sorted(path for path in rendered if path.startswith("/hudong/index")) == [
        "/hudong/index.html", "/hudong/index_1.html"]
    assert "关于001号" not in (hudong / "index_1.html").read_text(encoding="utf-8")
    assert (hudong / "index_2.html").read_bytes() == pages["index_2.html"]  # the place kept: nothing moved
    fresh = tmp_path / "fresh"
    portal.build_site(con, fresh, full=True)
    for path in hudong.glob("index*.html"):
        assert path.read_bytes() == (fresh / "hudong" / path.name).read_bytes(), path.name
