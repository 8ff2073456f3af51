"""Text as it is stored: the one place every staff, public and imported text field is cleaned.

Control characters (C0 and C1) have no meaning in a title, a name or a comment, and several are not
allowed in XML at all: one U+0001 in a title made the portal's Atom feeds not well-formed and the
Excel export fail (issue 12, M3). Every write path of text cleans it here, on the way in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from core.errors import ValidationError

# bidirectional overrides and isolates can make text read differently from what is stored
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
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


def clean_text(value: Any, *, multiline: bool = False) -> str:
    """A text field as stored: valid UTF-8, NFC, no control or bidi-override characters, trimmed.

    Multi-line text keeps its line feeds and tabs (at most one blank line in a row); a single-line
    field turns them into spaces. Lone surrogates (from broken encodings) become U+FFFD; emoji are
    kept; HTML stays text (templates escape it). None is "".
    """
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = strip_controls(unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", str(value))).translate(_BIDI))
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
