"""Issue 12, the public desk and sign-in (第二十、二十三条): M1 the desk cannot be closed with wrong
CAPTCHAs, L3 an outsider cannot lock an account out, L6 invisible characters are not a message."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, humancheck, interaction, login, ratelimit
from core.db import connect, scalar
from core.errors import RateLimited, ValidationError
from tests.apptest_helpers import texts
from tests.conftest import PASSWORD, make_org
from tests.test_page_public_message import ANSWER, GOOD, fill, press, stored, token, values, visitor

RIGHT = "2468"


def form(org, **changes) -> dict:
    values = {"kind": "consult", "concerns_division_id": org.dz, "subject": "关于技术改造补贴的咨询",
              "body": "请问今年的技术改造补贴什么时候开始申报?", "name": "张三", "phone": "13912345678",
              "email": "", "publish_allowed": False, "consent": True}
    values.update(changes)
    return values


def picture(con) -> str:
    return humancheck.new_challenge(con, answer=RIGHT).token


def messages(con) -> int:
    return scalar(con, "SELECT count(*) FROM messages")


# ---------------------------------------------------------------- M1: closing the desk with wrong CAPTCHAs

def flood(con, org, addresses: int, per_address: int) -> None:
    """What the probe did: many addresses, each sending wrong answers (one real picture, then stale tokens)."""
    for n in range(addresses):
        client = f"198.51.{100 + n // 200}.{n % 200 + 1}"
        token = picture(con)
        for _ in range(per_address):
            with pytest.raises(ValidationError) as caught:
                interaction.submit(con, form(org, subject=f"灌水{n}"), client, (token, "0000"))
            assert caught.value.field == humancheck.FIELD


def test_wrong_captchas_from_many_addresses_do_not_close_the_desk(con, org):
    """M1: 30 addresses × 10 wrong CAPTCHA answers never count against the site-wide limit: a fresh address gets in."""
    flood(con, org, 30, 10)
    assert messages(con) == 0
    done = interaction.submit(con, form(org), "203.0.113.31", (picture(con), RIGHT))
    assert done.code.startswith("SX-") and messages(con) == 1


def test_when_the_site_is_full_a_wrong_answer_is_only_told_it_is_wrong(con, org):
    """M1: a site-wide refusal is never the cheap path: only a right answer is ever told the desk is full."""
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('message_submit_site_per_hour', '2')")
    for n in range(2):
        interaction.submit(con, form(org), f"192.0.2.{n + 1}", (picture(con), RIGHT))
    with pytest.raises(ValidationError) as wrong:
        interaction.submit(con, form(org), "192.0.2.50", (picture(con), "1357"))
    assert wrong.value.field == humancheck.FIELD and "暂停受理" not in str(wrong.value)
    with pytest.raises(RateLimited) as full:
        interaction.submit(con, form(org), "192.0.2.51", (picture(con), RIGHT))
    assert "暂停受理" in str(full.value) and "每小时最多 2 条" in str(full.value)
    assert messages(con) == 2


def test_wrong_answers_are_limited_per_address_with_a_clear_message(con, org):
    """M1: one address typing wrong answers is stopped by its own limit, in Chinese; other addresses are not."""
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('captcha_wrong_per_hour', '3')")
    for _ in range(3):
        with pytest.raises(ValidationError):
            interaction.submit(con, form(org), "203.0.113.9", (picture(con), "0000"))
    token = picture(con)
    with pytest.raises(RateLimited) as caught:
        interaction.submit(con, form(org), "203.0.113.9", (token, RIGHT))
    text = str(caught.value)
    assert "「验证码」输错次数过多" in text and "每小时最多输错 3 次" in text and "第二十三条" in text
    assert humancheck.is_live(con, token)  # the refusal came before the picture was used
    # a forged X-Forwarded-For claim does not make a new address
    with pytest.raises(RateLimited):
        interaction.submit(con, form(org), "203.0.113.9(X-Forwarded-For: 10.9.9.9, 203.0.113.9)", (token, RIGHT))
    assert interaction.submit(con, form(org), "203.0.113.10", (token, RIGHT)).code
    # an empty box is not a guess: it uses nothing and counts nothing
    with pytest.raises(ValidationError):
        interaction.submit(con, form(org), "203.0.113.11", (picture(con), " "))
    assert ratelimit.count(con, "203.0.113.11", "captcha.wrong") == 0


@pytest.fixture
def path(tmp_path, con, monkeypatch):
    """The database of the public page, whose pictures show ANSWER (only its hash is stored)."""
    make_org(con)
    con.close()
    monkeypatch.setattr(humancheck, "_random_answer", lambda length: ANSWER)
    return tmp_path / "portal.duckdb"


def test_the_page_says_the_desk_is_full_only_after_a_right_answer_and_draws_a_new_picture(path):
    """M1: on 公众留言, a full desk refuses a right answer (the picture used up is replaced) and keeps the form."""
    con = connect(path)
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('message_submit_site_per_hour', '1')")
    interaction.submit(con, form_for_page(con), "192.0.2.1", (humancheck.new_challenge(con, answer=ANSWER).token,
                                                             ANSWER))
    con.close()
    at = fill(visitor(path), captcha="1111")
    press(at, "提交留言")
    assert "不一致" in texts(at) and "暂停受理" not in texts(at)
    at.text_input(key="pm_captcha").input(ANSWER)
    first = token(at)
    press(at, "提交留言")
    assert "暂停受理" in texts(at) and "第二十三条" in texts(at)
    assert token(at) != first and values(at) == GOOD and len(stored(path)) == 1


def form_for_page(con) -> dict:
    division = scalar(con, "SELECT min(id) FROM divisions WHERE kind = 'division'")
    return {**GOOD, "kind": "consult", "concerns_division_id": division, "consent": True}


# ---------------------------------------------------------------- L3: locking the webmaster out from outside

OWN = "10.20.1.8"  # the webmaster's desk


def via_proxy(seen: str, claim: str | None = None) -> str | None:
    """The client address core gets behind nginx: what nginx saw, after whatever the client claimed."""
    forwarded = f"{claim}, {seen}" if claim else seen
    return login.client_address("127.0.0.1", {"X-Forwarded-For": forwarded})


def test_an_outsiders_wrong_passwords_lock_only_the_outsider(con, org):
    """L3: five wrong passwords from an outsider's address lock that address, not the webmaster at their own desk."""
    start = dt.datetime.now()
    outsider = [login.password_step(con, "webmaster", f"guess-{n}", via_proxy("198.51.100.66"), start)
                for n in range(5)]
    assert [o.status for o in outsider] == ["failed"] * 4 + ["locked"]
    assert "已被暂时锁定" in outsider[-1].message and "第二十条" in outsider[-1].message
    # the outsider is refused even the right password, without a check
    assert login.password_step(con, "webmaster", PASSWORD, via_proxy("198.51.100.66"), start).status == "locked"
    # the webmaster, who has never signed in from this desk before, gets in
    assert login.password_step(con, "webmaster", PASSWORD, via_proxy(OWN), start).ok
    assert accounts.locked_until(con, "webmaster") is not None  # the office sees the outsider's lock


def test_a_forged_forwarded_for_does_not_make_a_fresh_address(con, org):
    """L3: an outsider behind the proxy cannot escape the per-address lock by claiming other addresses."""
    start = dt.datetime.now()
    statuses = [login.password_step(con, "webmaster", "guess", via_proxy("198.51.100.67", f"10.20.1.{n}"), start).status
                for n in range(6)]
    assert statuses == ["failed"] * 4 + ["locked"] * 2
    assert login.password_step(con, "webmaster", PASSWORD, via_proxy(OWN, "198.51.100.67"), start).ok


def test_guessing_from_many_addresses_backs_off_but_not_at_the_users_own_address(con, org):
    """L3: failures from many addresses start an account-wide pause that doubles, which never stops the user's address."""
    start = dt.datetime.now()
    assert login.password_step(con, "webmaster", PASSWORD, via_proxy(OWN), start - dt.timedelta(days=3)).ok

    def guess_from(count: int, when: dt.datetime, offset: int) -> None:
        for n in range(count):
            address = f"203.0.{113 + (offset + n) // 250}.{(offset + n) % 250}"
            login.password_step(con, "webmaster", "guess", via_proxy(address), when)

    guess_from(30, start, 0)  # 30 addresses, one guess each: no per-address lock
    fresh = login.password_step(con, "webmaster", PASSWORD, via_proxy("192.0.2.200"), start)
    assert fresh.status == "locked" and "15 分钟" in fresh.message and "常用的网络上仍可登录" in fresh.message
    assert login.lock_remaining(con, "webmaster", start, via_proxy("192.0.2.200")) == 15
    assert login.lock_remaining(con, "webmaster", start, via_proxy(OWN)) == 0
    later = start + dt.timedelta(minutes=16)
    guess_from(30, later, 30)  # the next 30 guesses double the pause
    assert login.lock_remaining(con, "webmaster", later, via_proxy("192.0.2.201")) == 30
    assert login.password_step(con, "webmaster", PASSWORD, via_proxy(OWN), later).ok


# ---------------------------------------------------------------- L6: invisible characters

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.mark.parametrize("field,value,label", [
    ("subject", ZERO_WIDTH * 4, "标题"),
    ("body", ZERO_WIDTH * 20, "留言内容"),
    ("name", "\u200b" * 3, "姓名"),
    ("name", "\u3164\u3164", "姓名"),  # Hangul fillers draw as blanks
    ("body", "\u200f\u061c\u202e\u2066\u00ad" * 10, "留言内容"),
], ids=["zero-width-subject", "zero-width-body", "zero-width-name", "hangul-filler-name", "bidi-body"])
def test_a_message_of_invisible_characters_is_not_filled_in(con, org, field, value, label):
    """L6: a field made only of zero-width, bidi or blank-looking characters fails "required", naming the field."""
    with pytest.raises(ValidationError) as caught:
        interaction.submit(con, form(org, **{field: value}), "203.0.113.60", (picture(con), RIGHT))
    assert caught.value.field == label and "必填" in caught.value.rule and caught.value.article == "第十九条"
    assert messages(con) == 0


def test_the_minimum_length_counts_visible_characters(con, org):
    """L6: "至少 5 个字" counts what a reader sees: two characters padded with zero-width spaces are refused."""
    with pytest.raises(ValidationError) as caught:
        interaction.submit(con, form(org, body="你好" + "\u200b" * 30 + "\u3000 "), "203.0.113.61",
                           (picture(con), RIGHT))
    assert caught.value.field == "留言内容" and "至少 5 个字" in caught.value.rule


def test_bidi_and_format_characters_are_stripped_but_emoji_stay_whole(con, org):
    """L6: U+200F, U+061C and every other format character are removed from what is stored; emoji keep their joiners."""
    family, flag = "👨\u200d👩\u200d👧", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    done = interaction.submit(con, form(
        org, subject="补贴\u200f申报\u061c时间\u200e", body=f"请问\u200b补\u2060贴\u00ad何时\ufeff申报?{family}{flag}",
        name="张\u200d三"), "203.0.113.62", (picture(con), RIGHT))
    stored = interaction.get(con, done.id)
    assert stored["subject"] == "补贴申报时间" and stored["name"] == "张三"
    assert stored["body"] == f"请问补贴何时申报?{family}{flag}"
    assert interaction.visible_length(family + flag) == 4  # three people and a flag: each one seen
