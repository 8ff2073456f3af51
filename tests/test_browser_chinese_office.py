"""Everything staff see is Chinese: the office's, technical support's and the analyst's pages (the other
roles and the public pages: tests/test_browser_chinese.py, which says what is checked)."""

from __future__ import annotations

import pytest

from tests.chinese_walk import ACCOUNTS, DIVISIONS_AND_LEADERS, report, walk

pytestmark = pytest.mark.browser


def test_every_page_of_the_office_and_technical_support_is_in_chinese(tmp_path):
    accounts = {name: role for name, role in ACCOUNTS.items() if name not in DIVISIONS_AND_LEADERS}
    problems = walk(tmp_path, accounts, public=False, findings="chinese-findings-office.json")
    assert not problems, report(problems)
