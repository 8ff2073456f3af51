"""使用帮助 (第十条(二)(三)): the manual's Markdown pages, their search, and that they cover the workbench."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import manual
from core.errors import NotFound
from pages import _shared

TESTS = Path(__file__).resolve().parent


def test_every_workbench_page_has_its_manual_page_and_getting_started_comes_first():
    keys = manual.keys()
    assert keys[0] == "getting-started" and manual.read("getting-started").title == "新手入门"
    assert set(_shared.PAGES) <= set(keys), sorted(set(_shared.PAGES) - set(keys))
    for key, page in _shared.PAGES.items():
        text = manual.read(key).text
        assert manual.read(key).title == page.title, key  # the manual's title is the menu's
        for heading in ("## 用途", "## 操作步骤", "## 适用的规定", "## 常见提示及处理"):
            assert heading in text, (key, heading)
        assert re.search(r"第[一二三四五六七八九十]+条", text), key  # the rules it applies, by article


def test_every_screenshot_the_manual_shows_is_made_by_a_browser_story():
    made = set()
    for path in TESTS.glob("test_*.py"):
        made |= set(re.findall(r"manual_shot\([^,]+,\s*\"([A-Za-z0-9_-]+)\"", path.read_text(encoding="utf-8")))
    shown = {name for page in manual.pages() for name in manual.images(page.text)}
    assert shown, "the manual shows screenshots from the browser stories"
    assert shown <= made, f"screenshots no browser story makes: {sorted(shown - made)}"


def test_every_link_between_manual_pages_leads_to_a_page():
    keys = set(manual.keys())
    for page in manual.pages():
        for target in re.findall(r"\]\(([a-z][a-z0-9_-]*)\.md\)", page.text):
            assert target in keys, (page.key, target)


def test_a_page_is_read_by_its_key_with_its_title():
    page = manual.read("approvals")
    assert page.title == "待我审批" and "退回时必须填写意见" in page.text


@pytest.mark.parametrize("key", ["no_such_page", "../README", "", "Approvals"])
def test_a_missing_or_malformed_key_is_refused_by_name(key):
    with pytest.raises(NotFound, match="使用帮助中没有"):
        manual.read(key)


def test_search_finds_a_page_by_a_phrase_and_by_a_rule_article():
    assert manual.search("动态口令")[0].key in ("account", "getting-started")
    assert "account" in [hit.key for hit in manual.search("动态口令")]
    by_article = [hit.key for hit in manual.search("第十条(二)")]
    assert "support" in by_article and "my_articles" not in by_article
    by_phrase = manual.search("退回时必须填写意见")
    assert [hit.key for hit in by_phrase] == ["approvals"] and "退回时必须填写意见" in by_phrase[0].excerpt


def test_search_needs_every_part_and_ignores_width_and_case():
    both = {hit.key for hit in manual.search("培训 从未参加")}
    assert both == {"training", "statistics"}  # 统计分析's 培训情况 lists who was never trained, too
    assert "getting-started" in {hit.key for hit in manual.search("培训")} - both  # 培训 alone is not both
    assert [hit.key for hit in manual.search("第十条(二)")] == [hit.key for hit in manual.search("第十条(二)")]
    assert {hit.key for hit in manual.search("CSV")} == {hit.key for hit in manual.search("csv")} != set()
    assert manual.search("   ") == [] and manual.search("没有这个词语的页面") == []


def test_an_excerpt_reads_as_plain_words():
    hit = next(hit for hit in manual.search("处室信息员 委托发布") if hit.key == "getting-started")
    assert hit.excerpt.startswith("处室信息员") and "委托发布" in hit.excerpt
    assert not set("[]()|*`") & set(hit.excerpt), hit.excerpt


def test_a_title_match_comes_before_a_mention():
    assert manual.search("技术支持")[0].key == "support"


def test_a_page_is_cut_into_text_and_its_screenshots_and_links_lead_to_the_manual(tmp_path):
    (tmp_path / "demo.md").write_text(
        "# 示例\n\n见[待我审批](approvals.md)。\n\n![截图说明](images/shot-1.png)\n\n后文\n"
        "![外部图片](https://example.org/x.png)\n", encoding="utf-8")
    blocks = manual.blocks(manual.read("demo", tmp_path).text, tmp_path)
    assert [b.kind for b in blocks] == ["text", "image", "text"]
    assert "](manual?page=approvals)" in blocks[0].body
    assert blocks[1].body == str(tmp_path / "images" / "shot-1.png") and blocks[1].caption == "截图说明"
    assert "https://example.org/x.png" in blocks[2].body  # not an image of the manual: left to st.markdown
    assert manual.images(manual.read("demo", tmp_path).text) == ["shot-1"]


def test_an_account_is_new_until_it_opens_the_manual(con, org):
    assert not manual.seen(con, org.officer.id)
    manual.mark_seen(con, org.officer.id)
    manual.mark_seen(con, org.officer.id)  # again: no second row, no error
    assert manual.seen(con, org.officer.id) and not manual.seen(con, org.head.id)
