"""在线访谈 page (issue 17): the head writes and announces, a visitor asks on the public page (a wrong CAPTCHA
keeps the text), the webmaster reviews the question, the head ends the questions, enters the transcript with
the selected question and publishes it; a refusal keeps the page and names the field."""

from __future__ import annotations

import datetime as dt

import pytest

from core import humancheck, interview, refresh
from core.db import connect, row
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def setup(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('zxft', '在线访谈', 'interaction', ?)",
                [org.dz])
    con.close()
    return tmp_path / "portal.duckdb", org


def stored(db_path) -> dict:
    con = connect(db_path)
    try:
        return row(con, "SELECT * FROM interviews ORDER BY id DESC LIMIT 1")
    finally:
        con.close()


def public_links(at) -> list[tuple[str, str]]:
    """「查看公众页面」 links: (page, query string) — the public's pages are in no staff menu."""
    return [(link.proto.page, link.proto.query_string) for link in at.get("page_link") if link.proto.label == "查看公众页面"]


def test_an_interview_from_announcement_to_published_transcript(setup, monkeypatch):
    db_path, org = setup
    monkeypatch.setattr(humancheck, "_random_answer", lambda length: "4821")  # only a hash is stored
    at = open_page(app_as(db_path, "head"), "interviews")
    assert not at.exception and "还没有在线访谈" in texts(at)
    at.text_input(key="iv_subject").set_value("解读产业园区管理办法")
    at.text_area(key="iv_intro").set_value("邀请处室负责人解读办法。")
    at.button(key="FormSubmitter:iv_new-保存为草稿").click().run()
    assert at.error and "「访谈嘉宾及职务」" in at.error[0].value  # the refusal names the field; the text stays
    assert at.text_input(key="iv_subject").value == "解读产业园区管理办法"
    at.text_area(key="iv_guests").set_value("张明 电子信息处处长")
    at.button(key="FormSubmitter:iv_new-保存为草稿").click().run()
    assert not at.exception and "已保存为草稿" in texts(at) and stored(db_path)["state"] == "draft"
    assert public_links(at) == []  # a draft has no public page
    at.button(key="iv_announce").click().run()
    assert "访谈预告已发布" in texts(at) and stored(db_path)["state"] == "collecting"
    assert public_links(at) == [("ask", "id=1")]  # the public page, with the item

    visitor = app_as(db_path, None)
    visitor.query_params["id"] = "1"
    visitor.switch_page("pages/ask.py")
    visitor.run()
    assert not visitor.exception and "解读产业园区管理办法" in texts(visitor) and "张明 电子信息处处长" in texts(visitor)
    visitor.text_input(key="pq_name").input("赵六")
    visitor.text_area(key="pq_question").input("入园企业能享受哪些优惠政策?")
    visitor.checkbox(key="pq_consent").check()
    visitor.text_input(key="pq_captcha").input("1111")
    next(b for b in visitor.button if b.label == "提交提问").click().run()
    assert "验证码" in visitor.error[0].value and "提问尚未提交" in visitor.error[0].value
    assert visitor.text_area(key="pq_question").value == "入园企业能享受哪些优惠政策?"
    visitor.text_input(key="pq_captcha").input("4821")
    next(b for b in visitor.button if b.label == "提交提问").click().run()
    assert not visitor.exception and "您的提问已提交" in texts(visitor)

    office = open_page(app_as(db_path, "webmaster"), "interviews")
    assert "入园企业能享受哪些优惠政策" in texts(office) and "赵六" not in texts(office)
    office.button(key="iv_ok_1").click().run()
    assert "提问已审核通过" in texts(office)

    at = open_page(app_as(db_path, "head"), "interviews")
    at.button(key="iv_hold").click().run()
    assert stored(db_path)["state"] == "held"
    at.selectbox(key="iv_pick_1").set_value(1)
    at.text_input(key="iv_speaker_1").set_value("张明")
    at.button(key="FormSubmitter:iv_entry_1-添加到实录").click().run()
    assert at.error and "「内容」" in at.error[0].value
    at.text_area(key="iv_body_1").set_value("入园企业可享受租金减免和专项资金支持。")
    at.button(key="FormSubmitter:iv_entry_1-添加到实录").click().run()
    assert "已添加到实录" in texts(at) and "网友提问" in texts(at)
    at.button(key="iv_publish").click().run()
    assert "访谈实录已公布" in texts(at) and stored(db_path)["state"] == "published"


def test_another_divisions_head_neither_sees_nor_manages_it(setup):
    db_path, org = setup
    con = connect(db_path)
    column = con.execute("SELECT id FROM columns WHERE slug = 'zxft'").fetchone()[0]
    interview.create(con, org.head, {"column_id": column, "division_id": org.dz, "subject": "本处室的访谈",
                                     "guests": "张明 处长", "intro": "简介。",
                                     "starts_at": dt.datetime.now() + dt.timedelta(days=2)})
    con.close()
    other = open_page(app_as(db_path, "headcw"), "interviews")
    assert not other.exception and "本处室的访谈" not in texts(other) and "还没有在线访谈" in texts(other)


def announced(con, org) -> int:
    """An interview announced two days ahead (version 2)."""
    column = con.execute("SELECT id FROM columns WHERE slug = 'zxft'").fetchone()[0]
    iid = interview.create(con, org.head, {"column_id": column, "division_id": org.dz, "subject": "园区政策解读",
                                           "guests": "张明 处长", "intro": "简介。",
                                           "starts_at": dt.datetime.now() + dt.timedelta(days=2)})
    interview.announce(con, org.head, iid, 1)
    return iid


def test_the_head_changes_a_guest_of_an_announced_interview(setup):
    db_path, org = setup
    con = connect(db_path)
    iid = announced(con, org)
    con.close()
    at = open_page(app_as(db_path, "head"), "interviews")
    at.text_area(key=f"iv_e{iid}_guests").set_value("")
    at.button(key=f"FormSubmitter:iv_edit_{iid}-保存修改").click().run()
    assert at.error and "「访谈嘉宾及职务」" in at.error[0].value and stored(db_path)["guests"] == "张明 处长"
    at.text_area(key=f"iv_e{iid}_guests").set_value("李华 副处长")
    at.button(key=f"FormSubmitter:iv_edit_{iid}-保存修改").click().run()
    assert not at.exception and "访谈预告已修改" in texts(at)
    assert stored(db_path)["guests"] == "李华 副处长" and stored(db_path)["state"] == "collecting"


def test_the_head_corrects_and_removes_published_transcript_lines_with_a_reason_and_the_portal_follows(setup):
    db_path, org = setup
    con = connect(db_path)
    iid = announced(con, org)
    interview.hold(con, org.head, iid, 2)
    remark = interview.add_entry(con, org.head, iid, 3, {"kind": "remark", "speaker": "主持人", "body": "欢迎收看。"})
    answer = interview.add_entry(con, org.head, iid, 4, {"kind": "qa", "question": "园区政策何时出台?",
                                                         "speaker": "张名", "body": "年内出台。"})
    interview.publish(con, org.head, iid, 5)
    con.close()
    site = db_path.parent / "site"
    at = open_page(app_as(db_path, "head"), "interviews")
    fix = f"iv_fix_{answer}"
    at.text_input(key=f"{fix}_speaker").set_value("张明")
    at.text_area(key=f"{fix}_body").set_value("预计年内出台。")
    at.button(key=f"FormSubmitter:{fix}-保存更正").click().run()
    assert at.error and "「更正或删除的理由」" in at.error[0].value  # refused: what was typed stays
    assert at.text_input(key=f"{fix}_speaker").value == "张明" and at.text_area(key=f"{fix}_body").value == "预计年内出台。"
    at.text_input(key=f"{fix}_reason").set_value("嘉宾姓名录错")
    at.button(key=f"FormSubmitter:{fix}-保存更正").click().run()
    assert not at.exception and "实录已更正" in texts(at)
    at.text_input(key=f"iv_fix_{remark}_reason").set_value("开场白不必保留")
    at.button(key=f"FormSubmitter:iv_fix_{remark}-删除此条").click().run()
    assert not at.exception and "已从实录中删除" in texts(at)
    assert refresh.wait(site).state == "done"  # the published transcript is rebuilt
    page = (site / "hudong" / "zxft" / f"{iid}.html").read_text(encoding="utf-8")
    assert "张明:" in page and "预计年内出台" in page and "张名" not in page and "欢迎收看" not in page
    con = connect(db_path)
    try:
        assert [r[0] for r in con.execute("SELECT action FROM audit_log WHERE action IN ('interview.correct', "
                                          "'interview.strike') ORDER BY id").fetchall()] == [
            "interview.correct", "interview.strike"]
    finally:
        con.close()
