"""Everything staff and the public see is Chinese (developer guide; issue 11 item 10): every page of
every role, walked in a real Chromium on the demo database, with expanders, tabs, the first
drop-downs and date pickers opened. Any Latin word left in the visible text or in what a screen
reader hears (aria-label, title, placeholder, alt) fails the test, unless it is on the short
allow-list in tests/chinese_walk.py; so do internal codes (snake_case, `article:`, role codes, None).
This file walks the public pages and the divisions' and leaders' accounts; test_browser_chinese_office.py
the office's and technical support's (two files, so that two test processes share the walk)."""

from __future__ import annotations

import pytest

from tests.chinese_walk import ACCOUNTS, DIVISIONS_AND_LEADERS, report, walk

pytestmark = pytest.mark.browser


def test_every_page_of_the_public_divisions_and_leaders_is_in_chinese(tmp_path):
    accounts = {name: ACCOUNTS[name] for name in DIVISIONS_AND_LEADERS}
    problems = walk(tmp_path, accounts, public=True, findings="chinese-findings-divisions.json")
    assert not problems, report(problems)
