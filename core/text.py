"""Text as it is stored: the one place every staff, public and imported text field is cleaned.

Control characters (C0 and C1) have no meaning in a title, a name or a comment, and several are not
allowed in XML at all: one U+0001 in a title made the portal's Atom feeds not well-formed and the
Excel export fail (issue 12, M3). Format characters (Unicode Cf: zero-width spaces and joiners, bidi
marks, overrides and isolates, the Arabic letter mark, soft hyphens, BOMs) are invisible: they can make
a message of nothing look filled, make text read differently from what is stored, or split a word
screening looks for (L6); the only ones a person legitimately types are inside emoji, which keep theirs.
Every write path of text cleans it here, on the way in.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from core.errors import ValidationError

ZWJ = "\u200d"
BLACK_FLAG = "\U0001f3f4"
TAGS = range(0xE0020, 0xE0080)  # emoji tag characters: a subdivision flag is a black flag and tags
# letters and symbols that draw as a blank: kept as typed, never counted as something written
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
UNSEEN = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cs"})  # categories a reader cannot see on their own
_SURROGATE = re.compile("[\ud800-\udfff]")  # halves of a broken encoding: not storable as UTF-8
# C0 and C1 controls (category Cc) except tab and line feed, and the two noncharacters XML refuses
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n?")
_SPACING = re.compile("[\t\n]")


def strip_controls(text: str) -> str:
    """Markup or multi-line text without control characters: tabs and line feeds stay, CR LF and
    CR become LF, nothing else changes. Fast on a body of megabytes (one regular expression)."""
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def _pictograph(char: str) -> bool:
    # emoji are symbols (So); skin tones are modifiers (Sk); U+FE0F asks for the emoji form
    return unicodedata.category(char) in ("So", "Sk") or char == "\ufe0f"


def _kept_format(text: str, index: int) -> bool:
    """A format character that is part of an emoji: a joiner between two pictographs (👨‍👩‍👧), or the
    tags of a subdivision flag after its black flag."""
    char = text[index]
    if char == ZWJ:
        return 0 < index < len(text) - 1 and _pictograph(text[index - 1]) and unicodedata.category(
            text[index + 1]) == "So"
    if ord(char) in TAGS:
        start = index
        while start > 0 and ord(text[start - 1]) in TAGS:
            start -= 1
        return start > 0 and text[start - 1] == BLACK_FLAG
    return False


# Unicode puts format characters (Cf) only in planes 0, 1 and 14; planes 2, 3 (CJK ideographs), 4-13
# (unassigned), 15 and 16 (private use) have none, so scanning the three planes finds them all
_FORMAT_PLANES = (range(0x20000), range(0xE0000, 0xF0000))


@functools.cache
def _format_chars() -> re.Pattern:
    """Any format character (Cf). Built on first use, not on import, from a scan of the planes that can
    hold one (a sixth of all code points: 0.02 s instead of 0.1-0.3 s that each process reading a setting,
    such as a portal build, paid)."""
    return re.compile("[" + "".join(re.escape(chr(c)) for plane in _FORMAT_PLANES for c in plane
                                    if unicodedata.category(chr(c)) == "Cf") + "]")


def strip_format(text: str) -> str:
    """Text without format characters (Cf), except those inside emoji (see _kept_format)."""
    fmt = _format_chars()
    if not fmt.search(text):
        return text
    return "".join(char for index, char in enumerate(text)
                   if not fmt.match(char) or _kept_format(text, index))


def visible_length(text: str) -> int:
    """How many characters of `text` a reader sees: spaces, control and format characters, lone
    combining marks and blank-looking letters do not count (for "required" and minimum lengths)."""
    return sum(1 for char in text if unicodedata.category(char) not in UNSEEN and char not in BLANK_LOOKING)


def clean_text(value: Any, *, multiline: bool = False) -> str:
    """A text field as stored: valid UTF-8, NFC, no control or format characters, trimmed.

    Multi-line text keeps its line feeds and tabs (at most one blank line in a row); a single-line
    field turns them into spaces. Lone surrogates (from broken encodings) become U+FFFD; emoji are
    kept; HTML stays text (templates escape it). None is "".
    """
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = unicodedata.normalize("NFC", str(value))  # lone surrogates: strip_controls makes them U+FFFD
    text = strip_format(strip_controls(text.replace("\u2028", "\n").replace("\u2029", "\n")))
    if multiline:
        return re.sub(r"\n{3,}", "\n\n", text).strip()
    return _SPACING.sub(" ", text).strip()


def clean_fields(values: dict[str, Any], *, multiline: Iterable[str] = ()) -> dict[str, Any]:
    """The same mapping with each text value cleaned (clean_text); other values are kept as they are."""
    lines = set(multiline)
    return {key: clean_text(value, multiline=key in lines) if isinstance(value, str | bytes) else value
            for key, value in values.items()}


BODY_SETTING = "body_max_mb"
BODY_FIELD = "正文"


def checked_field(value: Any, label: str, limit: int, article: str, *, required: bool = True,
                  multiline: bool = False) -> str:
    """A form's text field as it is stored (`clean_text`), refused naming the field when it is required and
    empty, or longer than `limit` characters."""
    text = clean_text(value, multiline=multiline)
    if required and not text:
        raise ValidationError(label, "必填", article)
    if len(text) > limit:
        raise ValidationError(label, f"不能超过 {limit} 个字", article)
    return text


def _over(text: str, limit: int) -> bool:
    """len(text.encode()) > limit, without encoding a text that is clearly under or over."""
    if len(text) > limit:
        return True
    if len(text) * 4 <= limit:
        return False
    return len(text.encode("utf-8", errors="surrogatepass")) > limit


def check_body_size(body: str, limit_mb: int, field: str = BODY_FIELD) -> None:
    """Refuse a body larger than the office's limit (issue 12, L5): a 50 MB body took 736 MB to import.

    Measured in UTF-8 bytes of the body as written, images embedded in it included."""
    limit = int(limit_mb) * 1024 * 1024
    if not body or not _over(body, limit):
        return
    size = len(body.encode("utf-8", errors="surrogatepass")) / (1024 * 1024)
    raise ValidationError(
        field, f"不能超过 {limit_mb} MB(现为 {size:.1f} MB,嵌入正文的图片也计算在内)。请压缩图片或改为附件上传;"
               "网站管理员可在「系统设置」中调整「正文大小上限(MB)」")
