"""公众留言 in AppTest (第十九、二十三条): a signed-out visitor writes, proves to be a person, gets a
tracking code and looks it up; refusals keep everything typed; hostile input is stored inert."""

from __future__ import annotations

import pytest

from core import humancheck, interaction
from core.db import connect
from tests.apptest_helpers import app_as, texts
from tests.conftest import make_org

ANSWER = "4821"
GOOD = {"subject": "企业技术改造补贴申报时间", "body": "请问今年的技术改造补贴什么时候开始申报?",
        "name": "张三", "phone": "13912345678", "email": ""}
HOSTILE = {
    "script": "<script>alert(1)</script><img src=x onerror=alert(2)>[点我](javascript:alert(3))",
    "control": "控制\x00字符\x1b[31m红色\x07",
    "rtl": "反向\u202egnp.exe\u202c覆盖",
    "emoji": "点赞👍🏻👨‍👩‍👧",
    "broken": b"\xe4\xb8\xad\xff\xfe\xe6\x96".decode("utf-8", errors="replace") + "编码",
}


@pytest.fixture
def path(tmp_path, con, monkeypatch):
    make_org(con)
    con.close()
    monkeypatch.setattr(humancheck, "_random_answer", lambda length: ANSWER)  # only a hash is stored
    return tmp_path / "portal.duckdb"


def visitor(path):
    """The public page as a signed-out visitor sees it."""
    at = app_as(path, None)
    at.switch_page("pages/message.py")
    at.run()
    assert not at.exception, at.exception
    return at


def fill(at, captcha: str = ANSWER, consent: bool = True, **values):
    for name, value in {**GOOD, **values}.items():
        (at.text_area if name == "body" else at.text_input)(key=f"pm_{name}").input(value)
    if consent:
        at.checkbox(key="pm_consent").check()
    at.text_input(key="pm_captcha").input(captcha)
    return at


def press(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def stored(path) -> list[dict]:
    con = connect(path)
    cur = con.execute("SELECT * FROM messages ORDER BY id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def values(at) -> dict:
    return {name: (at.text_area if name == "body" else at.text_input)(key=f"pm_{name}").value for name in GOOD}


def token(at) -> str:
    return at.session_state["pm_challenge"].token


def test_the_page_is_open_without_signing_in_and_in_chinese(path):
    at = visitor(path)
    assert at.session_state["authentication_status"] in (None, False)
    assert [r.label for r in at.radio] == ["留言类型"]
    assert at.radio[0].options == ["咨询", "建议", "投诉"]
    assert at.selectbox(key="pm_division").options == ["不清楚,请网站管理员分办", "电子信息处", "财务处"]  # no 办公室
    shown = texts(at)
    assert "隐私声明" in shown and "查询办理结果" in shown and "最多 5000 字" in at.text_area(key="pm_body").label
    assert len(at.get("image")) == 1 and len(at.get("audio")) == 1  # the picture and its spoken alternative


def test_a_visitor_submits_gets_a_code_and_looks_it_up(path):
    at = fill(visitor(path))
    at.radio(key="pm_kind").set_value("complain")
    at.selectbox(key="pm_division").set_value(2)  # 财务处
    at.checkbox(key="pm_publish").check()
    press(at, "提交留言")
    [message] = stored(path)
    assert message["code"] in texts(at) and "请抄写或截图保存这个查询码" in texts(at)
    assert (message["kind"], message["subject"], message["name"], message["phone"], message["publish_allowed"],
            message["concerns_division_id"], message["state"]) == \
        ("complain", GOOD["subject"], "张三", "13912345678", True, 2, "new")
    assert values(at) == dict.fromkeys(GOOD, "")  # the form is cleared for a next message
    assert at.checkbox(key="pm_consent").value is False
    at.text_input(key="pm_code").input(message["code"].lower().replace("-", " "))
    press(at, "查询")
    assert "办理状态:已收到,等待网站管理员审核" in texts(at)
    assert GOOD["subject"] in texts(at)


def test_a_wrong_captcha_keeps_every_typed_value_and_names_it(path):
    at = fill(visitor(path), captcha="1234", email="zhang@example.com")
    at.checkbox(key="pm_publish").check()
    first = token(at)
    press(at, "提交留言")
    assert "「验证码」" in texts(at) and "不一致" in texts(at)
    assert values(at) == {**GOOD, "email": "zhang@example.com"}
    assert at.checkbox(key="pm_consent").value and at.checkbox(key="pm_publish").value
    assert token(at) != first and at.text_input(key="pm_captcha").value == ""  # a new picture to read
    assert stored(path) == []
    at.text_input(key="pm_captcha").input("４８２１")  # full-width digits, as an IME types them
    press(at, "提交留言")
    assert len(stored(path)) == 1


def test_a_new_picture_keeps_the_form(path):
    at = fill(visitor(path), captcha="9")
    first = token(at)
    press(at, "换一张")
    assert token(at) != first and values(at) == GOOD and at.text_input(key="pm_captcha").value == ""


def test_an_over_long_body_names_the_field_and_keeps_the_text(path):
    body = "很长的留言内容。" * 700  # 5,600 characters
    at = fill(visitor(path), body=body)
    press(at, "提交留言")
    assert "「留言内容」:不能超过 5000 个字" in texts(at)
    assert at.text_area(key="pm_body").value == body
    assert at.text_input(key="pm_captcha").value == ANSWER  # not used up: the field was refused first
    assert stored(path) == []
    at.text_area(key="pm_body").input(body[:4000])
    press(at, "提交留言")
    assert len(stored(path)) == 1


@pytest.mark.parametrize("field,label", [("subject", "标题"), ("body", "留言内容"), ("name", "姓名"),
                                         ("phone", "手机号码"), ("email", "电子邮箱")])
def test_ten_thousand_characters_in_any_field_are_refused_by_name(path, field, label):
    huge = "长" * 10_001
    at = fill(visitor(path), **{field: huge})
    press(at, "提交留言")
    assert f"「{label}」" in texts(at)
    assert values(at)[field] == huge and stored(path) == []


def test_contact_is_required_and_validated(path):
    at = fill(visitor(path), phone="", email="")
    press(at, "提交留言")
    assert "「手机号码」:手机号码和电子邮箱至少填写一项" in texts(at)
    at.text_input(key="pm_phone").input("<script>")
    press(at, "提交留言")
    assert "「手机号码」" in texts(at) and at.text_input(key="pm_phone").value == "<script>"
    at.text_input(key="pm_phone").input("")
    at.text_input(key="pm_email").input("zhang@<b>example</b>")
    press(at, "提交留言")
    assert "「电子邮箱」" in texts(at) and stored(path) == []
    at.text_input(key="pm_email").input("zhang@exa\u202emple.com")  # the override is dropped, not refused
    press(at, "提交留言")
    assert [m["email"] for m in stored(path)] == ["zhang@example.com"]


def test_consent_is_required(path):
    at = fill(visitor(path), consent=False)
    press(at, "提交留言")
    assert "「隐私声明」" in texts(at) and values(at) == GOOD and stored(path) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_text_is_stored_clean_and_shown_inert(path, kind):
    nasty = HOSTILE[kind]
    at = fill(visitor(path), subject=f"标题{nasty}", body=f"内容{nasty}内容", name=f"姓名{nasty}"[:50])
    press(at, "提交留言")
    [message] = stored(path)
    for field in ("subject", "body", "name"):
        text = message[field]
        assert not any(c in text for c in "\x00\x1b\x07\u202e\u202c"), (field, text)
        assert text.encode("utf-8")  # valid UTF-8, no lone surrogates
    if kind == "script":  # kept as the citizen's words: text, never markup
        assert "<script>alert(1)</script>" in message["body"]
    if kind == "emoji":
        assert "👍🏻" in message["subject"]
    at.text_input(key="pm_code").input(message["code"])
    press(at, "查询")
    shown = [m.value for m in at.markdown if "标题" in m.value and "查询码" in m.value]
    assert shown, texts(at)
    if kind == "script":
        assert "\\<script\\>" in shown[0] and "\\]\\(javascript" in shown[0]
    assert "](javascript" not in "".join(shown)  # no link can come out of the citizen's text


def test_lone_surrogates_are_stored_as_replacement_characters(con):
    """A browser cannot send them, but a crafted request can reach core: core cleans them."""
    make_org(con)
    challenge = humancheck.new_challenge(con, answer=ANSWER)
    done = interaction.submit(con, {**GOOD, "kind": "consult", "subject": "坏\udcff字符\ud800", "consent": True},
                              "203.0.113.5", (challenge.token, ANSWER))
    subject = con.execute("SELECT subject FROM messages WHERE id = ?", [done.id]).fetchone()[0]
    assert subject.startswith("坏\ufffd") and "字符\ufffd" in subject
    assert subject.encode("utf-8") and not any(0xD800 <= ord(c) <= 0xDFFF for c in subject)


def test_the_rate_limit_refusal_is_clear_and_keeps_the_form(path):
    con = connect(path)
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('message_submit_per_hour', '1')")
    at = press(fill(visitor(path)), "提交留言")
    assert len(stored(path)) == 1
    fill(at, subject="第二条留言")
    press(at, "提交留言")
    assert "提交过于频繁" in texts(at) and "第二十三条" in texts(at) and "请 1 小时后再试" in texts(at)
    assert values(at)["subject"] == "第二条留言" and len(stored(path)) == 1


def test_lookups_are_rate_limited_and_unknown_codes_said_so(path):
    con = connect(path)
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('message_lookup_per_hour', '2')")
    at = visitor(path)
    at.text_input(key="pm_code").input("SX-AAAA-BBBB-CCCC")
    press(at, "查询")
    assert "没有找到该查询码" in texts(at)
    press(at, "查询")
    press(at, "查询")
    assert "查询过于频繁" in texts(at)


def test_signed_in_users_reach_the_page_too(path):
    at = app_as(path, "officer")
    at.switch_page("pages/message.py")
    at.run()
    assert not at.exception and "我要留言" in texts(at)


def test_the_answer_is_shown_once_released_and_inert(path):
    at = press(fill(visitor(path)), "提交留言")
    [message] = stored(path)
    at.text_input(key="pm_code").input(message["code"])
    press(at, "查询")
    assert "答复经审核后会显示在这里" in texts(at) and "答复内容" not in texts(at)
    con = connect(path)  # the office's steps are core.interaction's tests; here only the outcome
    con.execute("UPDATE messages SET state = 'closed', answer = ?, division_id = 1, replied_at = now() WHERE id = ?",
                ["申报时间为每年三月。详见![图](http://x.example/t.png)", message["id"]])
    press(at, "查询")
    assert "办理状态:已答复" in texts(at) and "答复内容" in texts(at)
    answer = [m.value for m in at.markdown if "申报时间为每年三月" in m.value]
    assert answer and "\\!\\[图\\]\\(http" in answer[0]  # escaped: no image is fetched from the answer
