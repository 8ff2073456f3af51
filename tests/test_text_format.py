"""core.text finds format characters (Cf) by scanning only the planes Unicode puts them in: the same set
as a scan of every code point, in the Unicode version this Python carries (a new version that puts one
elsewhere fails here)."""

import unicodedata

from core import text


def test_format_characters_are_those_of_a_full_scan():
    every = {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"}
    pattern = text._format_chars()
    assert {c for c in every if pattern.fullmatch(c)} == every
    assert not pattern.search("政务公开 abc 123")
    assert text.strip_format("政务\u200b公开\ufeff") == "政务公开"
