"""What changed between two revisions of an article, for reviewers (第十六条 审核).

`compare` returns one entry per changed field with an HTML fragment marking deletions with
<del> and insertions with <ins>. The body is compared as readable text, line by line, and
within a changed line character by character: Chinese has no spaces, so words cannot be the
unit. Content is always HTML-escaped; the only markup in a fragment is the diff's own.
"""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher
from html import escape
from typing import Any

from core.content import html_to_text, sanitize_html

FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "标题"),
    ("body_html", "正文"),
    ("source", "信息来源"),
    ("work_ended_on", "工作结束日期"),
    ("importance", "重要程度"),
    ("column_name", "栏目"),
)
# fields shown as a whole value replaced, not character by character
_ATOMIC = {"work_ended_on", "importance", "column_name"}

CONTEXT_LINES = 1  # unchanged lines shown around a change in the body
CONTEXT_CHARS = 20  # unchanged characters shown around a change within a line
_MIN_LINE_SIMILARITY = 0.4  # below this a changed line is shown as removed and re-added
_MAX_PAIRING = 400  # above this many line pairs, changed lines are paired in order
_GAP = '<div class="diff-skip">…</div>'
_FORMAT_ONLY = "正文文字未变,格式或图片有调整"


# ---------------------------------------------------------------------------------------
# values


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _value(revision: dict, key: str) -> str:
    if key == "body_html":
        return html_to_text(revision.get(key) or "")
    return _plain(revision.get(key))


def _body_markup_changed(old: dict, new: dict) -> bool:
    before, after = old.get("body_html") or "", new.get("body_html") or ""
    return before != after and sanitize_html(before) != sanitize_html(after)


def _changed(old: dict, new: dict, key: str) -> bool:
    if _value(old, key) != _value(new, key):
        return True
    return key == "body_html" and _body_markup_changed(old, new)


def changed_fields(old: dict, new: dict) -> list[str]:
    """The Chinese labels of the fields that differ, in display order."""
    return [label for key, label in FIELDS if _changed(old, new, key)]


# ---------------------------------------------------------------------------------------
# character level


def _del(text: str) -> str:
    return f"<del>{escape(text)}</del>" if text else ""


def _ins(text: str) -> str:
    return f"<ins>{escape(text)}</ins>" if text else ""


def _char_ops(a: str, b: str) -> list[list[str]]:
    """[kind, old, new] runs; a lone unchanged character between two changes joins them."""
    ops: list[list[str]] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        kind = "equal" if tag == "equal" else "change"
        ops.append([kind, a[i1:i2], b[j1:j2]])
    merged: list[list[str]] = []
    for index, op in enumerate(ops):
        lone = (op[0] == "equal" and len(op[1]) == 1 and 0 < index < len(ops) - 1)
        if (lone or op[0] == "change") and merged and merged[-1][0] == "change":
            merged[-1][1] += op[1]
            merged[-1][2] += op[2]
        else:
            merged.append(list(op))
    return merged


def _shorten(text: str, first: bool, last: bool) -> str:
    """An unchanged run inside a changed line, with the far-from-change middle as "…"."""
    n = CONTEXT_CHARS
    if first and last:
        return escape(text)
    if first:
        return escape(text) if len(text) <= n else "…" + escape(text[-n:])
    if last:
        return escape(text) if len(text) <= n else escape(text[:n]) + "…"
    if len(text) <= 2 * n + 1:
        return escape(text)
    return escape(text[:n]) + "…" + escape(text[-n:])


def inline_diff(a: str, b: str, collapse: bool = False) -> str:
    """Character-level diff of two strings as escaped HTML with <del>/<ins>."""
    ops = _char_ops(a, b)
    parts = []
    for index, (kind, before, after) in enumerate(ops):
        if kind == "equal":
            if collapse:
                parts.append(_shorten(before, index == 0, index == len(ops) - 1))
            else:
                parts.append(escape(before))
        else:
            parts.append(_del(before) + _ins(after))
    return "".join(parts)


def _atomic_diff(a: str, b: str) -> str:
    return " → ".join(part for part in (_del(a), _ins(b)) if part)


# ---------------------------------------------------------------------------------------
# line level (the body)


def _line(content: str, kind: str) -> str:
    return f'<div class="diff-{kind}">{content}</div>'


def _similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < _MIN_LINE_SIMILARITY:
        return 0.0
    if matcher.quick_ratio() < _MIN_LINE_SIMILARITY:
        return 0.0
    return matcher.ratio()


def _changed_line(a: str, b: str) -> list[str]:
    if _similarity(a, b) >= _MIN_LINE_SIMILARITY:
        return [_line(inline_diff(a, b, collapse=True), "change")]
    return [_line(_del(a), "del"), _line(_ins(b), "ins")]


def _best_match(line: str, candidates: list[str], start: int) -> int | None:
    best, best_score = None, _MIN_LINE_SIMILARITY
    for j in range(start, len(candidates)):
        score = _similarity(line, candidates[j])
        if score >= best_score:
            best, best_score = j, score
    return best


def _replace_block(old: list[str], new: list[str]) -> list[str]:
    """Pair each old line with the most similar later new line; the rest deleted/inserted."""
    if len(old) * len(new) > _MAX_PAIRING:
        pairs = list(zip(old, new, strict=False))
        out = [html for a, b in pairs for html in _changed_line(a, b)]
        out += [_line(_del(a), "del") for a in old[len(pairs):]]
        return out + [_line(_ins(b), "ins") for b in new[len(pairs):]]
    out: list[str] = []
    j = 0
    for a in old:
        match = _best_match(a, new, j)
        if match is None:
            out.append(_line(_del(a), "del"))
            continue
        out += [_line(_ins(b), "ins") for b in new[j:match]]
        out += _changed_line(a, new[match])
        j = match + 1
    return out + [_line(_ins(b), "ins") for b in new[j:]]


def _same(text: str, after_change: bool, before_change: bool) -> str:
    """An unchanged context line, cut to the part next to the change(s) it borders."""
    n = 2 * CONTEXT_CHARS
    if len(text) <= 2 * n + 1:
        shown = escape(text)
    elif after_change and before_change:
        shown = escape(text[:n]) + "…" + escape(text[-n:])
    elif after_change:
        shown = escape(text[:n]) + "…"
    else:
        shown = "…" + escape(text[-n:])
    return _line(shown, "same")


def _context(lines: list[str], first: bool, last: bool) -> list[str]:
    """Unchanged lines: only those next to a change are shown, the rest become "…"."""
    n = CONTEXT_LINES
    if first and last:
        return []
    head = 0 if first else n
    tail = 0 if last else n
    if head + tail >= len(lines):
        return [_same(x, k < head, k >= len(lines) - tail) for k, x in enumerate(lines)]
    out = [_same(x, True, False) for x in lines[:head]]
    out.append(_GAP)
    return out + [_same(x, False, True) for x in lines[len(lines) - tail:]]


def body_diff(old_text: str, new_text: str) -> str:
    """Line, then character, diff of two plain texts as an HTML fragment."""
    a, b = old_text.splitlines(), new_text.splitlines()
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            out += _context(a[i1:i2], index == 0, index == len(opcodes) - 1)
        elif tag == "delete":
            out += [_line(_del(x), "del") for x in a[i1:i2]]
        elif tag == "insert":
            out += [_line(_ins(x), "ins") for x in b[j1:j2]]
        else:
            out += _replace_block(a[i1:i2], b[j1:j2])
    return "".join(out)


# ---------------------------------------------------------------------------------------
# compare


def _field_html(key: str, before: str, after: str) -> str:
    if key == "body_html":
        if before == after:
            return _line(escape(_FORMAT_ONLY), "note")
        return body_diff(before, after)
    if key in _ATOMIC:
        return _atomic_diff(before, after)
    return inline_diff(before, after)


def compare(old: dict, new: dict) -> list[dict]:
    """One entry per changed field: {"field", "old", "new", "html"} (labels in Chinese)."""
    entries = []
    for key, label in FIELDS:
        if not _changed(old, new, key):
            continue
        before, after = _value(old, key), _value(new, key)
        entries.append({
            "field": label,
            "old": before,
            "new": after,
            "html": _field_html(key, before, after),
        })
    return entries
