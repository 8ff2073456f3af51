"""What importing a module costs a process that does not use all of it (issue 16): core.search leaves numpy
(≈80 ms) to the functions that index or query, so `build-site` with nothing to index does not load it;
core.settings reads the Word limits from core.docx_limits, not core.docx_guard (zip, XML parser, child
processes). Each checked in a fresh interpreter, by what is in sys.modules afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(statement: str, modules: list[str]) -> list[str]:
    """Which of `modules` a fresh interpreter has loaded after running `statement`."""
    code = f"import sys\n{statement}\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_importing_search_leaves_numpy_unloaded():
    assert loaded_after("import core.search", ["numpy"]) == []


def test_the_build_command_leaves_numpy_unloaded_until_it_indexes():
    assert loaded_after("from core.cli import load\nload(['build-site', '--help'])", ["numpy", "core.search"]) \
        == ["core.search"]


def test_search_loads_numpy_when_it_indexes():
    """The other side: the functions that need numpy load it themselves (a missing import would fail here)."""
    statement = ("from core import search\n"
                 "search._postings([{'title': '新型工业化专题调研', 'doc_number': '',"
                 " 'text': '全省工业和信息化工作会议', 'filters': {}}])")
    assert loaded_after(statement, ["numpy"]) == ["numpy"]


def test_importing_settings_leaves_the_word_guard_unloaded():
    assert loaded_after("import core.settings", ["core.docx_guard", "core.docx_limits"]) == ["core.docx_limits"]
