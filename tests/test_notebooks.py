"""The analysts' notebooks run top to bottom against a snapshot of demo data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core import demo
from core.cli import init_database
from core.db import connect

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_notebook_runs(notebook, tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    con = connect(tmp_path / "data" / "portal.duckdb")
    init_database(con)
    demo.load_demo(con, articles=300)
    con.close()
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.syspath_prepend(str(ROOT))
    namespace: dict = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{notebook.name}", "exec"), namespace)  # noqa: S102
    assert os.getcwd().endswith("notebooks")
