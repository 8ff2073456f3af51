"""core.diff: what changed between two revisions, marked with <del>/<ins>."""

from __future__ import annotations

import datetime as dt
import re

from core.diff import changed_fields, compare

BASE = {
    "title": "关于做好2024年度信息公开工作的通知",
    "body_html": "<p>各处室：</p><p>今天天气很好。</p><p>特此通知。</p>",
    "source": "办公室",
    "work_ended_on": dt.date(2024, 5, 1),
    "importance": "一般",
    "column_name": "通知公告",
}


def _entry(entries, field):
    found = [e for e in entries if e["field"] == field]
    assert len(found) == 1, entries
    return found[0]


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_no_change():
    assert compare(BASE, dict(BASE)) == []
    assert changed_fields(BASE, dict(BASE)) == []
    assert compare({}, {}) == []


def test_single_chinese_character_in_title():
    new = dict(BASE, title="关于做好2025年度信息公开工作的通知")
    entries = compare(BASE, new)
    assert [e["field"] for e in entries] == ["标题"]
    entry = entries[0]
    assert entry["old"] == BASE["title"] and entry["new"] == new["title"]
    assert entry["html"] == "关于做好202<del>4</del><ins>5</ins>年度信息公开工作的通知"


def test_single_chinese_character_in_body():
    new = dict(BASE, body_html="<p>各处室：</p><p>今天天气真好。</p><p>特此通知。</p>")
    entry = _entry(compare(BASE, new), "正文")
    assert "今天天气<del>很</del><ins>真</ins>好。" in entry["html"]
    assert entry["old"] == "各处室：\n今天天气很好。\n特此通知。"
    assert entry["new"] == "各处室：\n今天天气真好。\n特此通知。"
    assert changed_fields(BASE, new) == ["正文"]


def test_script_in_content_is_escaped():
    new = dict(BASE, title='<script>alert("x")</script>通知',
               body_html="<p>各处室：</p><p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>特此通知。</p>")
    entries = compare(BASE, new)
    for entry in entries:
        assert "<script" not in entry["html"]
        assert set(re.findall(r"</?([a-z]+)", entry["html"])) <= {"del", "ins", "div"}
    assert "&lt;script&gt;" in _entry(entries, "标题")["html"]
    body = _entry(entries, "正文")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body["html"]
    assert body["new"].splitlines()[1] == "<script>alert(1)</script>"


def test_added_and_removed_lines():
    new = dict(BASE, body_html="<p>各处室：</p><p>新增的一段。</p><p>今天天气很好。</p>")
    html = _entry(compare(BASE, new), "正文")["html"]
    assert "<ins>新增的一段。</ins>" in html
    assert "<del>特此通知。</del>" in html
    assert "<del>今天" not in html


def test_unchanged_stretches_collapsed():
    paragraphs = [f"<p>第{i}段，内容保持不变。</p>" for i in range(30)]
    long_line = "这是一段很长的文字，" * 10 + "这里改了一个字。" + "后面还有很多文字，" * 10
    old = dict(BASE, body_html="".join(paragraphs[:15]) + f"<p>{long_line}</p>" + "".join(paragraphs[15:]))
    new = dict(old, body_html=old["body_html"].replace("改了一个字", "改了两个字"))
    html = _entry(compare(old, new), "正文")["html"]
    assert "<del>一</del><ins>两</ins>" in html
    assert "…" in html
    assert "第0段" not in html and "第29段" not in html  # far from the change
    assert "第14段" in html and "第15段" in html  # the lines next to it
    assert len(_strip_tags(html)) < len(long_line)


def test_other_fields_labelled():
    new = dict(BASE, source="综合处", work_ended_on=dt.date(2024, 5, 3), importance="重要",
               column_name="工作动态")
    entries = compare(BASE, new)
    assert [e["field"] for e in entries] == ["信息来源", "工作结束日期", "重要程度", "栏目"]
    date = _entry(entries, "工作结束日期")
    assert (date["old"], date["new"]) == ("2024-05-01", "2024-05-03")
    assert "<del>2024-05-01</del>" in date["html"] and "<ins>2024-05-03</ins>" in date["html"]
    importance = _entry(entries, "重要程度")
    assert "<del>一般</del>" in importance["html"] and "<ins>重要</ins>" in importance["html"]
    assert changed_fields(BASE, new) == ["信息来源", "工作结束日期", "重要程度", "栏目"]


def test_missing_keys_are_empty():
    entries = compare({}, {"title": "新标题", "work_ended_on": None})
    assert entries == [{"field": "标题", "old": "", "new": "新标题", "html": "<ins>新标题</ins>"}]
    removed = compare({"source": "办公室"}, {})
    assert removed == [{"field": "信息来源", "old": "办公室", "new": "", "html": "<del>办公室</del>"}]


def test_formatting_only_body_change_reported():
    new = dict(BASE, body_html=BASE["body_html"].replace("特此通知。", "<strong>特此通知。</strong>"))
    entry = _entry(compare(BASE, new), "正文")
    assert entry["old"] == entry["new"]
    assert "格式" in entry["html"]
    same_after_cleaning = dict(BASE, body_html=BASE["body_html"].replace("<p>", '<p style="color:red">'))
    assert compare(BASE, same_after_cleaning) == []
