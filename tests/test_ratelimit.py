"""Rate limits of the public desk (第十九、二十三条): per client, per day, site-wide, windows passing."""

from __future__ import annotations

import datetime as dt

import pytest

from core import ratelimit
from core.errors import PortalError, RateLimited

T0 = dt.datetime(2026, 11, 2, 9, 0)
SUBMIT, LOOKUP = "message.submit", "message.lookup"


def set_limit(con, name: str, value: int) -> None:
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", [name, str(value)])


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def refused(con, client, action, now) -> RateLimited:
    with pytest.raises(RateLimited) as caught:
        ratelimit.hit(con, client, action, now)
    assert isinstance(caught.value, PortalError) and "第二十三条" in str(caught.value)
    return caught.value


def test_a_client_is_refused_after_the_hourly_limit_until_the_window_passes(con):
    set_limit(con, "message_submit_per_hour", 3)
    for n in range(3):
        ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(n * 10))  # 9:00, 9:10, 9:20
    error = refused(con, "203.0.113.5", SUBMIT, minutes(30))
    assert error.retry_after == 30 * 60  # the 9:00 hit leaves the window at 10:00
    assert "每小时最多提交 3 次" in str(error) and "30 分钟" in str(error)
    ratelimit.hit(con, "203.0.113.9", SUBMIT, minutes(30))  # another client is not affected
    ratelimit.hit(con, "203.0.113.5", LOOKUP, minutes(30))  # nor another action
    ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(60) + dt.timedelta(seconds=1))
    refused(con, "203.0.113.5", SUBMIT, minutes(61))


def test_refusals_are_not_counted(con):
    set_limit(con, "message_submit_per_hour", 2)
    ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(0))
    ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(50))
    for n in range(9):
        refused(con, "203.0.113.5", SUBMIT, minutes(51 + n))  # 9:51 … 9:59
    ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(61))  # only the 9:00 hit left the window
    assert ratelimit.count(con, "203.0.113.5", SUBMIT) == 3


def test_the_daily_limit(con):
    set_limit(con, "message_submit_per_hour", 100)
    set_limit(con, "message_submit_per_day", 4)
    for n in range(4):
        ratelimit.hit(con, "198.51.100.7", SUBMIT, minutes(n * 120))
    error = refused(con, "198.51.100.7", SUBMIT, minutes(600))
    assert "每天最多提交 4 次" in str(error)
    assert error.retry_after == 14 * 3600  # 9:00 plus a day, from 19:00
    assert "14 小时" in str(error)
    ratelimit.hit(con, "198.51.100.7", SUBMIT, minutes(24 * 60 + 1))


def test_a_site_wide_ceiling_stops_a_flood_from_many_addresses(con):
    set_limit(con, "message_submit_site_per_hour", 5)
    for n in range(5):
        ratelimit.hit(con, f"192.0.2.{n}", SUBMIT, minutes(n))
    error = refused(con, "192.0.2.200", SUBMIT, minutes(10))
    assert "暂停受理" in str(error) and error.retry_after == 50 * 60
    ratelimit.hit(con, "192.0.2.200", LOOKUP, minutes(10))  # looking up is still possible
    ratelimit.hit(con, "192.0.2.200", SUBMIT, minutes(60) + dt.timedelta(seconds=1))


def test_lookups_have_their_own_limit(con):
    set_limit(con, "message_lookup_per_hour", 3)
    for _ in range(3):
        ratelimit.hit(con, "2001:db8::1", LOOKUP, minutes(1))
    assert "每小时最多查询 3 次" in str(refused(con, "2001:db8::1", LOOKUP, minutes(2)))
    ratelimit.hit(con, "2001:db8::1", SUBMIT, minutes(2))


def test_no_request_context_counts_as_one_shared_client(con):
    set_limit(con, "message_submit_per_hour", 2)
    ratelimit.hit(con, None, SUBMIT, minutes(0))
    ratelimit.hit(con, "", SUBMIT, minutes(1))
    refused(con, None, SUBMIT, minutes(2))


def test_a_forged_forwarded_for_claim_is_not_a_new_client(con):
    """core.login.client_address appends the client's own X-Forwarded-For claim: it must not count."""
    set_limit(con, "message_submit_per_hour", 2)
    ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(0))
    ratelimit.hit(con, "203.0.113.5(X-Forwarded-For: 10.0.0.1, 203.0.113.5)", SUBMIT, minutes(1))
    refused(con, "203.0.113.5(X-Forwarded-For: 10.0.0.2, 203.0.113.5)", SUBMIT, minutes(2))


def test_an_ipv6_sender_counts_per_64_and_mapped_ipv4_as_ipv4(con):
    set_limit(con, "message_submit_per_hour", 2)
    ratelimit.hit(con, "2001:db8:1:2::1", SUBMIT, minutes(0))
    ratelimit.hit(con, "2001:db8:1:2:ffff::9", SUBMIT, minutes(1))
    refused(con, "2001:db8:1:2::abcd", SUBMIT, minutes(2))
    ratelimit.hit(con, "2001:db8:1:3::1", SUBMIT, minutes(2))  # another /64
    assert ratelimit.client_key(con, "::ffff:192.0.2.1") == ratelimit.client_key(con, "192.0.2.1")


def test_old_rows_are_purged(con):
    ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(0))
    ratelimit.hit(con, "203.0.113.6", LOOKUP, minutes(0))
    ratelimit.hit(con, "203.0.113.7", LOOKUP, minutes(24 * 60 + 1))
    assert con.execute("SELECT count(*) FROM rate_hits").fetchone()[0] == 1


def test_only_a_keyed_hash_of_the_address_is_stored(con, tmp_path):
    import hashlib

    ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(0))
    stored = con.execute("SELECT client_key FROM rate_hits").fetchone()[0]
    assert "203.0.113.5" not in stored
    assert stored != hashlib.sha256(b"203.0.113.5").hexdigest()
    key_file = tmp_path / ratelimit.SECRET_FILE  # beside the database, not in it
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert ratelimit.client_key(con, "203.0.113.5") == stored  # stable for the same database


def test_a_lowered_limit_waits_for_enough_hits_to_leave(con):
    set_limit(con, "message_submit_per_hour", 10)
    for n in range(4):
        ratelimit.hit(con, "203.0.113.5", SUBMIT, minutes(n * 10))  # 9:00 … 9:30
    set_limit(con, "message_submit_per_hour", 2)
    error = refused(con, "203.0.113.5", SUBMIT, minutes(40))
    assert error.retry_after == 40 * 60  # at 10:20 only 9:30 is left in the window: under 2


def test_an_unknown_action_is_a_programming_error(con):
    with pytest.raises(ValueError):
        ratelimit.hit(con, "203.0.113.5", "message.sumbit")


def test_drawing_captchas_is_limited_per_client(con):
    from core import humancheck, settings
    from tests.conftest import make_org

    settings.set_values(con, make_org(con).webmaster, {"captcha_new_per_hour": 2})
    now = dt.datetime(2026, 11, 26, 10, 0)
    for _ in range(2):
        humancheck.new_challenge(con, now=now, client="198.51.100.20")
    with pytest.raises(RateLimited):
        humancheck.new_challenge(con, now=now, client="198.51.100.20")
    humancheck.new_challenge(con, now=now, client="198.51.100.21")  # another address is not affected
    humancheck.new_challenge(con, now=now + dt.timedelta(hours=1, seconds=1), client="198.51.100.20")
