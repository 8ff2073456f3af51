"""征集调查 page (issue 17): the head creates and opens, the webmaster reviews a comment, the head closes
and publishes the feedback; a refusal keeps the page and names the field."""

from __future__ import annotations

import datetime as dt

import pytest

from core import consultation, consultation_public, humancheck
from core.db import connect, row, scalar
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def setup(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('zjdc', '征集调查', 'interaction', ?)",
                [org.dz])
    con.close()
    return tmp_path / "portal.duckdb", org


def stored(db_path) -> dict:
    con = connect(db_path)
    try:
        return row(con, "SELECT * FROM consultations ORDER BY id DESC LIMIT 1")
    finally:
        con.close()


def public_links(at) -> list[tuple[str, str]]:
    """「查看公众页面」 links: (page, query string) — the public's pages are in no staff menu."""
    return [(link.proto.page, link.proto.query_string) for link in at.get("page_link") if link.proto.label == "查看公众页面"]


def test_a_consultation_from_draft_to_published_feedback(setup):
    db_path, org = setup
    at = open_page(app_as(db_path, "head"), "consultations")
    assert not at.exception and "还没有征集调查" in texts(at)
    at.text_input(key="cs_subject").set_value("关于产业园区管理办法的意见征集")
    at.button(key="FormSubmitter:cs_new-保存为草稿").click().run()
    assert at.error and "「征集内容」" in at.error[0].value  # the refusal names the field; the title stays
    assert at.text_input(key="cs_subject").value == "关于产业园区管理办法的意见征集"
    at.text_area(key="cs_body").set_value("请对草案第三条提出意见。")
    at.button(key="FormSubmitter:cs_new-保存为草稿").click().run()
    assert not at.exception and "已保存为草稿" in texts(at) and stored(db_path)["state"] == "draft"
    assert public_links(at) == []  # a draft has no public page
    at.button(key="cs_open").click().run()
    assert "征集调查已发布" in texts(at) and stored(db_path)["state"] == "open"
    assert public_links(at) == [("comment", "id=1")]  # the public page, with the item

    con = connect(db_path)
    challenge = humancheck.new_challenge(con, answer="2468")
    consultation.comment(con, 1, {"name": "王五", "comment": "建议放宽入园条件。",
                                                                      "consent": True},
                         "203.0.113.8", (challenge.token, "2468"), now=dt.datetime.now())
    con.close()
    office = open_page(app_as(db_path, "webmaster"), "consultations")
    assert "建议放宽入园条件" in texts(office) and "王五" not in texts(office)
    office.button(key="cs_ok_1").click().run()
    assert "意见已审核通过" in texts(office)

    at = open_page(app_as(db_path, "head"), "consultations")
    at.button(key="cs_close").click().run()
    assert stored(db_path)["state"] == "closed"
    at.text_area(key="cs_adopted_text_1").set_value("采纳:放宽入园条件。")
    at.button(key="FormSubmitter:cs_summary_1-公布反馈").click().run()
    assert at.error and "「未采纳情况及理由」" in at.error[0].value and stored(db_path)["state"] == "closed"
    at.text_area(key="cs_rejected_text_1").set_value("无")
    at.number_input(key="cs_adopted_1").set_value(1)
    at.button(key="FormSubmitter:cs_summary_1-公布反馈").click().run()
    assert "反馈情况已公布" in texts(at) and stored(db_path)["state"] == "summarised"


def test_another_divisions_head_neither_sees_nor_manages_it(setup):
    db_path, org = setup
    con = connect(db_path)
    consultation.create(con, org.head, {"column_id": scalar(con, "SELECT id FROM columns WHERE slug = 'zjdc'"), "division_id": org.dz, "subject": "本处室的征集",
                                        "body": "征集内容。", "starts_on": dt.date.today(), "ends_on": dt.date.today()})
    con.close()
    other = open_page(app_as(db_path, "headcw"), "consultations")
    assert not other.exception and "本处室的征集" not in texts(other) and "还没有征集调查" in texts(other)


def test_a_visitor_comments_within_the_window_and_a_wrong_captcha_keeps_the_text(setup, monkeypatch):
    db_path, org = setup
    monkeypatch.setattr(humancheck, "_random_answer", lambda length: "4821")  # only a hash is stored
    con = connect(db_path)
    cid = consultation.create(con, org.head, {
        "column_id": scalar(con, "SELECT id FROM columns WHERE slug = 'zjdc'"), "division_id": org.dz,
        "subject": "园区管理办法意见征集", "body": "请对草案提出意见。", "starts_on": dt.date.today(),
        "ends_on": dt.date.today() + dt.timedelta(days=3)})
    consultation.attach(con, org.head, cid, 1, "征求意见稿.pdf", b"%PDF-1.7\n" + b"0" * 3000)
    consultation.open_(con, org.head, cid, 2)
    con.close()
    at = app_as(db_path, None)
    at.query_params["id"] = str(cid)
    at.switch_page("pages/comment.py")
    at.run()
    assert not at.exception and "园区管理办法意见征集" in texts(at)
    # the draft policy itself, beside the form
    assert [b.proto.label for b in at.get("download_button")] == ["下载附件:征求意见稿.pdf(PDF 文档,3 KB)"]
    at.text_input(key="pc_name").input("赵六")
    at.text_area(key="pc_comment").input("建议延长征集时间。")
    at.checkbox(key="pc_consent").check()
    at.text_input(key="pc_captcha").input("1111")
    next(b for b in at.button if b.label == "提交意见").click().run()
    assert "验证码" in at.error[0].value and at.text_area(key="pc_comment").value == "建议延长征集时间。"
    at.text_input(key="pc_captcha").input("4821")
    next(b for b in at.button if b.label == "提交意见").click().run()
    assert not at.exception and "您的意见已提交" in texts(at)
    con = connect(db_path)
    try:
        assert consultation.counts(con, cid) == {"pending": 1, "approved": 0, "rejected": 0, "received": 1}
    finally:
        con.close()


def test_the_head_attaches_the_draft_policy_refused_files_name_the_rule_and_removal_ends_at_publication(setup):
    db_path, org = setup
    con = connect(db_path)
    cid = consultation.create(con, org.head, {
        "column_id": scalar(con, "SELECT id FROM columns WHERE slug = 'zjdc'"), "division_id": org.dz,
        "subject": "产业园区管理办法", "body": "请对草案提出意见。", "starts_on": dt.date.today(),
        "ends_on": dt.date.today() + dt.timedelta(days=10)})
    con.close()
    at = open_page(app_as(db_path, "head"), "consultations")
    assert "没有附件" in texts(at)
    at.file_uploader(key="cs_upload_0").set_value(("管理办法.exe", b"MZ", "application/octet-stream"))
    at.run()
    at.button(key="cs_attach").click().run()
    assert at.error and "「附件」" in at.error[0].value and "第二十条" in at.error[0].value
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 2048
    at.file_uploader(key="cs_upload_0").set_value(("管理办法(征求意见稿).pdf", pdf, "application/pdf"))
    at.run()
    at.button(key="cs_attach").click().run()
    assert not at.exception and "附件「管理办法(征求意见稿).pdf」已添加" in texts(at)
    con = connect(db_path)
    try:
        assert [f["filename"] for f in consultation_public.files(con, cid)] == ["管理办法(征求意见稿).pdf"]
        first = consultation_public.files(con, cid)[0]["id"]
    finally:
        con.close()
    at.file_uploader(key="cs_upload_1").set_value(("旧稿.pdf", pdf, "application/pdf"))  # a fresh uploader
    at.run()
    at.button(key="cs_attach").click().run()
    second = first + 1
    at.button(key=f"cs_file_del_{second}").click().run()
    assert "附件「旧稿.pdf」已删除" in texts(at)
    at.button(key="cs_open").click().run()
    assert stored(db_path)["state"] == "open"
    assert not [b for b in at.button if b.key and b.key.startswith("cs_file_del_")]  # kept as the public read it
    assert not list(at.get("file_uploader")) and r"管理办法\(征求意见稿\)\.pdf" in texts(at)
    con = connect(db_path)
    try:
        audited = [r[0] for r in con.execute("SELECT action FROM audit_log WHERE action LIKE 'consultation.%tach' "
                                             "ORDER BY id").fetchall()]
    finally:
        con.close()
    assert audited == ["consultation.attach", "consultation.attach", "consultation.detach"]


def test_the_office_is_told_when_the_portal_shows_a_consultation_past_its_end_date(setup):
    db_path, org = setup
    con = connect(db_path)
    today = dt.date.today()
    cid = consultation.create(con, org.head, {
        "column_id": scalar(con, "SELECT id FROM columns WHERE slug = 'zjdc'"), "division_id": org.dz,
        "subject": "园区管理办法意见征集", "body": "请对草案提出意见。", "starts_on": today - dt.timedelta(days=9),
        "ends_on": today - dt.timedelta(days=1)})
    consultation.open_(con, org.head, cid, 1, today=today - dt.timedelta(days=9))
    con.close()
    at = open_page(app_as(db_path, "head"), "consultations")
    assert not at.exception and at.warning and "门户已显示「征集已截止」" in at.warning[0].value
    assert "请审核完意见后结束征集并公布反馈" in at.warning[0].value
