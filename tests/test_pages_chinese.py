"""What the frame guarantees every page, checked on the source: each page has its place in the menu,
every table shows a missing value as empty (not `None`), Streamlit's own English is translated."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from pages import _shared

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


def test_every_page_is_in_exactly_one_menu_section():
    """Every staff page once; the public's pages (公众留言, 征集意见, 访谈提问) in none: no staff menu lists them."""
    listed = [key for keys in _shared.SECTIONS.values() for key in keys]
    assert sorted(listed) == sorted(_shared.PAGES)


def test_every_table_goes_through_the_shared_helper():
    direct = []
    for path in sorted(PAGES_DIR.glob("*.py")):
        if path.name == "_shared.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("dataframe", "data_editor", "table") \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "st":
                direct.append(f"{path.name}:{node.lineno}")
    assert not direct, f"use _shared.table / _shared.editor (empty cells instead of None): {direct}"


def test_the_chrome_dictionary_is_well_formed_and_covers_what_staff_met():
    dictionary = json.loads((PAGES_DIR / "zh_chrome.json").read_text(encoding="utf-8"))
    for pattern, _ in dictionary["patterns"]:
        re.compile(pattern)  # JavaScript and Python agree on the syntax used here
    met = ["Choose an option", "Show password", "Drag and drop file here", "Download as CSV", "Main menu"]
    assert all(dictionary["exact"].get(text) for text in met)
    assert not [t for t in dictionary["exact"].values() if re.search("[A-Za-z]{2,}", t) and "CSV" not in t
                and "PNG" not in t and "SVG" not in t]
