"""互动管理 (webmaster) and 留言办理 (division) pages: a message from moderation to a published answer."""

from __future__ import annotations

import pytest

from core import humancheck, interaction
from core.db import connect, row
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


def _submit(con, org, **changes):
    challenge = humancheck.new_challenge(con, answer="1357")
    form = {"kind": "consult", "concerns_division_id": org.dz, "subject": "工业互联网项目申报咨询",
            "body": "请问工业互联网项目申报截止时间?联系电话 13912345678。", "name": "赵六", "phone": "13912345678",
            "email": "", "publish_allowed": True, "consent": True}
    form.update(changes)
    return interaction.submit(con, form, "203.0.113.9", (challenge.token, "1357"))


@pytest.fixture
def setup(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    sent = _submit(con, org)
    con.close()
    return tmp_path / "portal.duckdb", org, sent


def state(db_path, message_id):
    con = connect(db_path)
    try:
        return row(con, "SELECT state, division_id, answer, version FROM messages WHERE id = ?", [message_id])
    finally:
        con.close()


def submit_button(at, form, label):
    return at.button(key=f"FormSubmitter:{form}-{label}")


def test_the_desk_shows_the_new_message_with_contacts_and_routes_it(setup):
    db_path, org, sent = setup
    at = open_page(app_as(db_path, "webmaster"), "interaction_desk")
    assert not at.exception
    shown = texts(at)
    assert "工业互联网项目申报咨询" in shown and "赵六" in shown and "13912345678" in shown
    # 公众留言 is in no staff menu: the desk links to it
    assert [link.proto.page for link in at.get("page_link") if link.proto.label == "查看公众页面"] == ["message"]
    assert at.selectbox(key=f"msg_division_{sent.id}").value == org.dz  # the division the citizen chose
    submit_button(at, f"msg_route_{sent.id}", "分办").click().run()
    assert not at.exception and not at.error
    assert "已分办给电子信息处" in texts(at)
    assert state(db_path, sent.id)["state"] == "routed"


def test_without_the_citizens_choice_no_division_is_preselected_and_routing_asks_for_one(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    unsure = _submit(con, org, concerns_division_id=None, subject="不知道该问哪个处室的问题")
    interaction.reject(con, org.webmaster, sent.id, "duplicate", "", 1)
    con.close()
    at = open_page(app_as(db_path, "webmaster"), "interaction_desk")
    picker = at.selectbox(key=f"msg_division_{unsure.id}")
    assert picker.value is None and picker.placeholder == "请选择承办处室"
    submit_button(at, f"msg_route_{unsure.id}", "分办").click().run()
    assert at.error and "「承办处室」" in at.error[0].value and "请选择" in at.error[0].value
    assert state(db_path, unsure.id)["state"] == "new"
    at.selectbox(key=f"msg_division_{unsure.id}").set_value(org.dz)
    submit_button(at, f"msg_route_{unsure.id}", "分办").click().run()
    assert "已分办给电子信息处" in texts(at)
    assert state(db_path, unsure.id)["division_id"] == org.dz


def test_a_returned_answer_shows_the_return_comment_to_the_officer(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    interaction.submit_answer(con, org.officer, sent.id, "答复初稿,详见通知。", 2)
    con.close()
    head = open_page(app_as(db_path, "head"), "interaction_answers")
    head.text_input(key=f"msg_return_text_{sent.id}").input("请写明申报截止日期")
    submit_button(head, f"msg_approve_{sent.id}", "退回修改").click().run()
    assert state(db_path, sent.id)["state"] == "routed"

    officer = open_page(app_as(db_path, "officer"), "interaction_answers")
    notices = [w.value for w in officer.warning if "退回意见" in w.value]
    assert notices, texts(officer)
    assert any("请写明申报截止日期" in n and "HEAD" in n and "处室负责人" in n for n in notices)
    table = officer.dataframe[0].value
    assert list(table["状态"]) == ["退回修改"] and list(table["退回意见"]) == ["请写明申报截止日期"]
    assert officer.text_area(key=f"msg_answer_text_{sent.id}").value == "答复初稿,详见通知。"


def test_a_rejection_without_a_reason_keeps_the_form(setup):
    db_path, org, sent = setup
    at = open_page(app_as(db_path, "webmaster"), "interaction_desk")
    at.selectbox(key=f"msg_reject_kind_{sent.id}").set_value("other")  # a form: sent with the submit
    submit_button(at, f"msg_reject_{sent.id}", "不予受理").click().run()
    assert at.error and "理由" in at.error[0].value
    assert state(db_path, sent.id)["state"] == "new"
    at.text_area(key=f"msg_reject_reason_{sent.id}").input("与本厅职责无关")
    submit_button(at, f"msg_reject_{sent.id}", "不予受理").click().run()
    assert state(db_path, sent.id)["state"] == "rejected"


def test_bulk_rejection_of_selected_messages(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    second = _submit(con, org, subject="广告推广")
    con.close()
    at = open_page(app_as(db_path, "webmaster"), "interaction_desk")
    at.multiselect(key="msg_bulk_pick").set_value([sent.id, second.id]).run()
    submit_button(at, "msg_bulk", "批量不予受理").click().run()
    assert not at.exception
    assert "已批量不予受理 2 条" in texts(at)
    assert state(db_path, sent.id)["state"] == state(db_path, second.id)["state"] == "rejected"


def test_division_answers_head_approves_webmaster_publishes(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    con.close()

    officer = open_page(app_as(db_path, "officer"), "interaction_answers")
    assert not officer.exception and "工业互联网项目申报咨询" in texts(officer)
    officer.text_area(key=f"msg_answer_text_{sent.id}").input("申报截止时间为 12 月 20 日,详见通知公告。")
    officer.button(key=f"msg_send_{sent.id}").click().run()
    assert not officer.error and state(db_path, sent.id)["state"] == "drafted"

    other = open_page(app_as(db_path, "officercw"), "interaction_answers")
    assert "工业互联网项目申报咨询" not in texts(other)  # another division's officer sees nothing of it

    head = open_page(app_as(db_path, "head"), "interaction_answers")
    assert "12 月 20 日" in texts(head)
    submit_button(head, f"msg_approve_{sent.id}", "审批通过").click().run()
    assert state(db_path, sent.id)["state"] == "approved"

    desk = open_page(app_as(db_path, "webmaster"), "interaction_desk")
    body = desk.text_area(key=f"msg_public_body_{sent.id}").value
    assert "13912345678" not in body and "赵六" not in body
    submit_button(desk, f"msg_publish_{sent.id}", "公开发布").click().run()
    assert not desk.exception and not desk.error
    assert state(db_path, sent.id)["state"] == "published"
    assert "已在门户" in texts(desk)


def test_an_officer_hands_a_message_back_with_a_reason(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    con.close()
    at = open_page(app_as(db_path, "officer"), "interaction_answers")
    at.text_area(key=f"msg_answer_text_{sent.id}").input("草稿:待核实")
    submit_button(at, f"msg_handback_{sent.id}", "退回办公室").click().run()
    assert at.error and "理由" in at.error[0].value
    assert at.text_area(key=f"msg_answer_text_{sent.id}").value == "草稿:待核实"  # nothing typed is lost
    at.text_area(key=f"msg_handback_reason_{sent.id}").input("应由财务处办理")
    submit_button(at, f"msg_handback_{sent.id}", "退回办公室").click().run()
    assert state(db_path, sent.id)["state"] == "new"


def test_deadlines_are_edited_on_the_desk(setup):
    db_path, org, sent = setup
    at = open_page(app_as(db_path, "webmaster"), "interaction_desk")
    at.number_input(key="msg_deadline_consult").set_value(7)
    submit_button(at, "msg_deadlines", "保存办理时限").click().run()
    assert not at.exception
    con = connect(db_path)
    assert interaction.deadlines(con)["consult"] == 7
    con.close()


def test_home_counts_the_message_for_the_webmaster(setup):
    db_path, org, sent = setup
    at = app_as(db_path, "webmaster")
    assert not at.exception  # no card links to a page outside the webmaster's navigation (待您审批)
    assert "待审核的公众留言" in texts(at) or any("待审核的公众留言" in str(m.label) for m in at.metric)


def test_a_refused_answer_keeps_the_text_and_names_the_rule(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    con.close()
    at = open_page(app_as(db_path, "officer"), "interaction_answers")
    text = "依据机密★10年文件答复如下。"
    at.text_area(key=f"msg_answer_text_{sent.id}").input(text)
    at.button(key=f"msg_send_{sent.id}").click().run()
    assert at.error and "答复内容" in at.error[0].value and "第十六条" in at.error[0].value
    assert at.text_area(key=f"msg_answer_text_{sent.id}").value == text
    assert state(db_path, sent.id)["state"] == "routed"


def test_after_an_answer_is_sent_the_selector_is_told_to_show_the_next_message(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    second = _submit(con, org, subject="第二条留言的标题")
    for message_id in (sent.id, second.id):
        interaction.route(con, org.webmaster, message_id, org.dz, interaction.get(con, message_id)["version"])
    con.close()
    at = open_page(app_as(db_path, "officer"), "interaction_answers")
    first = at.selectbox(key="msg_pick_answer").value
    following = second.id if first == sent.id else sent.id
    at.text_area(key=f"msg_answer_text_{first}").input("申报截止时间为 12 月 20 日,详见通知公告。")
    at.button(key=f"msg_send_{first}").click().run()
    picker = at.selectbox(key="msg_pick_answer")
    assert picker.value == following
    # the browser is told (a dropped value left it naming the answered message over the next one)
    assert picker.proto.set_value and interaction.get(connect(db_path), following)["code"] in picker.proto.raw_value


def test_the_citizens_name_in_an_answer_is_refused_where_it_is_written_and_the_text_stays(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    con.close()
    at = open_page(app_as(db_path, "officer"), "interaction_answers")
    text = "赵六您好!申报截止时间为 12 月 20 日,详见通知公告。"
    at.text_area(key=f"msg_answer_text_{sent.id}").input(text)
    for button in (f"msg_save_{sent.id}", f"msg_send_{sent.id}"):
        at.button(key=button).click().run()
        error = at.error[0].value
        assert "「答复内容」" in error and "赵六" in error and "第十六条" in error
        assert at.text_area(key=f"msg_answer_text_{sent.id}").value == text
    stored = state(db_path, sent.id)
    assert stored["state"] == "routed" and not stored["answer"]


def test_the_head_is_told_the_answer_holds_the_name(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    interaction.submit_answer(con, org.officer, sent.id, "申报截止时间为 12 月 20 日。", 2)
    con.execute("UPDATE messages SET answer = '赵六您好!申报截止时间为 12 月 20 日。' WHERE id = ?", [sent.id])
    con.close()
    head = open_page(app_as(db_path, "head"), "interaction_answers")
    submit_button(head, f"msg_approve_{sent.id}", "审批通过").click().run()
    assert head.error and "「答复内容」" in head.error[0].value and "退回修改" in head.error[0].value
    assert state(db_path, sent.id)["state"] == "drafted"


def test_at_publication_the_webmaster_is_told_the_answer_holds_the_name(setup):
    db_path, org, sent = setup
    con = connect(db_path)
    interaction.route(con, org.webmaster, sent.id, org.dz, 1)
    interaction.submit_answer(con, org.officer, sent.id, "申报截止时间为 12 月 20 日。", 2)
    interaction.approve_answer(con, org.head, sent.id, 3)
    con.execute("UPDATE messages SET answer = '赵六您好!申报截止时间为 12 月 20 日。' WHERE id = ?", [sent.id])
    con.close()
    desk = open_page(app_as(db_path, "webmaster"), "interaction_desk")
    submit_button(desk, f"msg_publish_{sent.id}", "公开发布").click().run()
    error = desk.error[0].value
    assert "「答复内容」" in error and "「公开的留言内容」" not in error and "退回修改" in error
    assert state(db_path, sent.id)["state"] == "approved"


def test_routing_runs_the_whole_page_once_after_its_action(setup, monkeypatch):
    """分办 (in the 待审核 fragment) acts before the run (on_click) and asks for the whole page's run: the queue is
    read once, not once by the fragment's run for the action and again by the page's for the confirmation."""
    db_path, org, sent = setup
    at = open_page(app_as(db_path, "webmaster"), "interaction_desk")
    queues = []
    real = interaction.desk_queue
    monkeypatch.setattr(interaction, "desk_queue",
                        lambda con, user, states=("new", "approved"), *a, **k: queues.append(states)
                        or real(con, user, states, *a, **k))
    submit_button(at, f"msg_route_{sent.id}", "分办").click().run()
    assert not at.exception and not at.error
    assert "已分办给电子信息处" in texts(at)
    assert state(db_path, sent.id)["state"] == "routed"
    assert queues.count(("new",)) == 1
