"""词库管理 in AppTest: the webmaster adds an entry and screening uses it at once."""

from __future__ import annotations

import pytest

from core import lexicon
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_webmaster_adds_a_word_and_the_try_box_finds_it(path):
    at = open_page(app_as(path, "webmaster"), "lexicon_admin")
    assert not at.exception
    at.text_input(key="lx_word").input("某某测试词")
    at.selectbox(key="lx_word_severity").set_value("block")
    button(at, "添加敏感词").click().run()
    assert "已添加敏感词「某某测试词」" in texts(at)
    assert [w["word"] for w in lexicon.list_words(connect(path)) if w["word"] == "某某测试词"]
    at.text_input(key="lx_try_title").input("标题")
    at.text_area(key="lx_try_body").input("正文里有某某测试词。")
    button(at, "筛查").click().run()
    assert [e.value for e in at.error if "某某测试词" in e.value]


def test_empty_word_is_refused_naming_the_field(path):
    at = open_page(app_as(path, "webmaster"), "lexicon_admin")
    at.text_input(key="lx_word_note").input("说明留着")
    button(at, "添加敏感词").click().run()
    assert "「敏感词」" in texts(at)
    assert at.text_input(key="lx_word_note").value == "说明留着"


def test_officers_cannot_open_the_lexicon(path):
    with pytest.raises(Exception):  # noqa: B017 - not in the officer's navigation
        open_page(app_as(path, "officer"), "lexicon_admin")
