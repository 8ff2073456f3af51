"""使用帮助 (第十条(二)(三)): the manual's Markdown pages, their search, and that they cover the workbench."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest

from core import manual
from core.errors import NotFound
from pages import _shared
from tests.browser import MOVING, same_picture

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
QUOTE = re.compile(r"「((?:[^「」]|「[^「」]*」)+)」")  # 「…」, a field's 「name」 inside it included
WORDS = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff,、;。:()“”\w ]{5,}")  # six characters or more, Chinese first


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
    for path in TESTS.glob("*.py"):  # the stories and their helpers (tests/chinese_walk.py)
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


def _png(draw=None, size=(1400, 1000)) -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", size, "white")
    if draw:
        draw(ImageDraw.Draw(picture))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def test_a_manual_screenshot_is_rewritten_only_when_the_picture_changed():
    """tests/browser.py manual_shot leaves the committed image when a run sees the same screen."""
    same = _png()
    assert same_picture(same, _png())
    assert same_picture(same, _png(lambda d: d.point((5, 5), fill=(200, 200, 200))))  # one pixel: noise
    assert not same_picture(same, _png(size=(1400, 1100)))
    assert not same_picture(same, _png(lambda d: d.rectangle((100, 100, 160, 114), fill=(255, 255, 0))))  # a word
    assert not same_picture(same, _png(lambda d: d.rectangle((0, 0, 30, 30), fill=(255, 255, 200))))  # blue only


def test_what_moves_between_runs_is_left_out_of_the_comparison_and_nothing_else():
    """manual_shot(moving=True): a time, a folder, an id that differ from run to run leave the image alone;
    a change beside them is still a change."""
    same = _png()
    time_changed = _png(lambda d: d.rectangle((100, 100, 160, 114), fill=(255, 255, 0)))
    assert same_picture(same, time_changed, ignore=[(98, 98, 163, 117)])
    assert not same_picture(same, time_changed, ignore=[(98, 98, 130, 117)])  # half of it outside the box
    assert not same_picture(same, _png(lambda d: d.rectangle((300, 300, 360, 314), fill=(255, 255, 0))),
                            ignore=[(98, 98, 163, 117)])
    moving = re.compile(MOVING)
    for text in ("2026-12-07 10:00", "办理期限 2026/12/14", "备份目录:/tmp/pytest-of-root/x/backups",
                 "http://127.0.0.1:43151/sb/", "查询码 SX-3XMW-UJD2-Q277", "portal-20261207-100028", "#3246 解读",
                 "3,428 / 126,670"):
        assert moving.search(text), text
    for text in ("安全审计", "第二十三条", "已校验 23 条", "电子信息处(2 个)", "第1版"):
        assert not moving.search(text), text


def section(text: str, heading: str) -> str:
    found = re.search(rf"^## {heading}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    return found.group(1) if found else ""


def code_of(page: Path, depth: int = 2) -> str:
    """The text of a page's file and of the modules it imports from core and pages, and theirs (two levels):
    where the messages a user of that page can meet are written."""
    seen: dict[Path, int] = {page: 0}
    todo, texts = [page], []
    while todo:
        path = todo.pop()
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        if seen[path] == depth:
            continue
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            package, _, module = node.module.partition(".")
            if package not in ("core", "pages"):
                continue
            for name in [module] if module else [alias.name for alias in node.names]:
                found = ROOT / package / f"{name.replace('.', '/')}.py"
                if found.is_file() and found not in seen:
                    seen[found] = seen[path] + 1
                    todo.append(found)
    return "\n".join(texts)


@pytest.mark.parametrize("key", sorted(_shared.PAGES))
def test_each_page_s_help_has_real_steps_and_quotes_a_message_its_page_really_shows(key):
    """Written for officers, not a line per section: 操作步骤 has numbered steps, 适用的规定 cites articles,
    and 常见提示及处理 quotes at least one message as the page or its core words it (a quote's parts of six
    characters or more, between the …, found in that code): a reworded message shows the manual is stale."""
    text = manual.read(key).text
    steps = re.findall(r"^\s*\d+\. ", section(text, "操作步骤"), re.M)
    assert len(steps) >= 3, (key, "操作步骤 needs at least three numbered steps", len(steps))
    assert re.search(r"第[一二三四五六七八九十]+条", section(text, "适用的规定")), key
    tips = section(text, "常见提示及处理")
    assert tips.count("\n|") >= 3, (key, "常见提示及处理: a table of at least two messages")
    assert real_quotes(tips, code_of(ROOT / _shared.PAGES[key].path)), \
        (key, "常见提示及处理 quotes no message that its page or its core shows")


def real_quotes(tips: str, code: str) -> list[str]:
    """The parts (six characters or more, between the … of a quote, without the article cited at the end,
    which the code adds apart) of the quoted messages found in `code`."""
    parts = [words.strip() for quote in QUOTE.findall(tips) for piece in re.split(r"[…「」]", quote)
             for words in WORDS.findall(re.sub(r"[(\uff08]第[^()\uff08\uff09]*条[^()\uff08\uff09]*[)\uff09]", "", piece))]
    return [words for words in parts if len(words) >= 6 and words in code]


def test_a_quote_counts_only_when_the_page_s_code_says_it():
    code = code_of(ROOT / _shared.PAGES["approvals"].path)
    made_up = "| 提示 | 怎么办 |\n| --- | --- |\n| 「这条提示工作台从来不会显示」 | 无 |\n| 「退回」 | 短于六个字 |\n"
    assert real_quotes(made_up, code) == []
    real = "| 「「审批意见」:退回时必须填写意见,告诉信息员需要修改什么(第十四条)」 | 写明 |\n"
    assert real_quotes(real, code) == ["退回时必须填写意见,告诉信息员需要修改什么"]
    assert real_quotes(real, code_of(ROOT / _shared.PAGES["regulation"].path)) == []  # another page's message
