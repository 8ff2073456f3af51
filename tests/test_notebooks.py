"""The analysts' notebooks run top to bottom in a real Jupyter kernel (nbclient) against demo data,
and are committed without outputs."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from core import demo
from core.db import connect
from core.setup import init_database

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_the_analysts_notebooks():
    assert {n.name for n in NOTEBOOKS} >= {"overview.ipynb", "trends.ipynb", "interaction.ipynb", "freshness.ipynb"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_committed_notebooks_carry_no_outputs(notebook):
    """Outputs hold data (titles, names) and churn diffs: strip them before committing."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{notebook.name} cell {number} has outputs"
            assert cell.get("execution_count") is None, f"{notebook.name} cell {number} has an execution count"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A temporary checkout layout: data/portal.duckdb (demo data plus some messages) and notebooks/."""
    base = tmp_path_factory.mktemp("analyst")
    (base / "data").mkdir()
    (base / "notebooks").mkdir()
    con = connect(base / "data" / "portal.duckdb")
    init_database(con)
    demo.load_demo(con, articles=300)
    rng = random.Random(3)
    divisions = [r[0] for r in con.execute("SELECT id FROM divisions WHERE kind = 'division'").fetchall()]
    today = dt.date.today()
    for n in range(40):
        received = dt.datetime.combine(today - dt.timedelta(days=rng.randint(5, 200)), dt.time(10))
        answered = received + dt.timedelta(days=rng.randint(1, 30)) if n % 4 else None
        con.execute(
            "INSERT INTO messages (code, kind, division_id, subject, body, name, state, received_at, routed_at, "
            "due_on, answered_at) VALUES (?, 'consult', ?, ?, '内容', '张三', ?, ?, ?, ?, ?)",
            [f"NB{n}", rng.choice(divisions), f"咨询 {n}", "approved" if answered else "routed", received, received,
             received.date() + dt.timedelta(days=14), answered])
    con.close()
    return base


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_notebook_runs(notebook, tree, monkeypatch, tmp_path):
    # the kernel imports core from the repository and reads the tree's database (never data/ of the repo)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("PORTAL_DB", str(tree / "data" / "portal.duckdb"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the kernel's snapshot (core.db.snapshot) is made
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", extra_arguments=["--colors=NoColor"],
                            resources={"metadata": {"path": str(tree / "notebooks")}})
    try:
        client.execute()
    except CellExecutionError as exc:  # the cell and its traceback, not only "a cell failed"
        pytest.fail(f"{notebook.name}: {exc}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    # 第二十条: the redacted copy is gone once the notebook is done (its last cell closes it), not left in /tmp
    assert "con.close()" in code[-1].source
    assert sorted(p.name for p in tmp_path.glob("portal-snapshot-*")) == []
