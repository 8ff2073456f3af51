"""Every environment variable is declared once in core/config.py, the README's table says the same (both
ways, as Datasette checks its settings against its docs), and nothing else reads a PORTAL_ variable."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core import config, db, passwords

ROOT = Path(__file__).resolve().parent.parent


def readme_table() -> dict[str, tuple[str | None, str]]:
    """name -> (default or None for "unset", meaning) from the README's Configuration section."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1].split("\n## ")[0]
    table = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| `(PORTAL_\w+)` \| (.+?) \| (.+) \|", line)
        if match:
            name, default, meaning = match.groups()
            table[name] = (None if default == "unset" else default.strip("`"), meaning)
    return table


def test_the_readme_table_lists_every_declared_variable_and_no_other():
    declared = {v.name: (v.default, v.meaning) for v in config.VARIABLES}
    documented = readme_table()
    assert sorted(documented) == sorted(declared), "README's configuration table and core/config.py differ"
    for name, (default, meaning) in declared.items():
        assert documented[name] == (default, meaning), f"{name}: README says {documented[name]}"


def test_each_declaration_has_its_field():
    assert [v.field for v in config.VARIABLES] == [f.name for f in dataclasses.fields(config.Config)]
    assert len({v.name for v in config.VARIABLES}) == len(config.VARIABLES)


def test_defaults_when_nothing_is_set():
    loaded = config.load({})
    assert loaded.db == Path("data") / "portal.duckdb" and loaded.site == Path("site_build")
    assert (loaded.demo, loaded.scheduler, loaded.backups) == (False, True, True)
    assert (loaded.scheduler_seconds, loaded.bcrypt_rounds, loaded.build_pause) == (30.0, 12, "")
    assert config.load({"PORTAL_DB": "", "PORTAL_SCHEDULER": "0", "PORTAL_DEMO": "1"}) == dataclasses.replace(
        loaded, scheduler=False, demo=True)


def test_a_value_set_after_import_is_seen(monkeypatch, tmp_path):
    """Tests and tools set PORTAL_DB and the others in the process after the product was imported."""
    monkeypatch.setenv("PORTAL_DB", str(tmp_path / "x.duckdb"))
    monkeypatch.setenv("PORTAL_BCRYPT_ROUNDS", "5")
    assert db.default_path() == tmp_path / "x.duckdb"
    assert passwords.rounds() == 5
    monkeypatch.setenv("PORTAL_DB", str(tmp_path / "y.duckdb"))
    assert db.default_path() == tmp_path / "y.duckdb"


@pytest.mark.parametrize("name, value", [("PORTAL_BCRYPT_ROUNDS", "zwölf"), ("PORTAL_BCRYPT_ROUNDS", "40"),
                                         ("PORTAL_SCHEDULER_SECONDS", "0"), ("PORTAL_SCHEDULER_SECONDS", "soon")])
def test_a_wrong_value_is_refused_naming_the_variable(name, value):
    with pytest.raises(config.ConfigError, match=name):
        config.load({name: value})


def test_the_command_line_names_a_wrong_variable_and_exits_2(tmp_path):
    env = {**os.environ, "PORTAL_BCRYPT_ROUNDS": "abc"}
    result = subprocess.run([sys.executable, "-m", "core", "status", "--db", str(tmp_path / "p.duckdb"), "--json"],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 2
    assert "PORTAL_BCRYPT_ROUNDS" in result.stderr and "4 至 31 的整数" in result.stderr
    assert not (tmp_path / "p.duckdb").exists()


def product_sources() -> dict[str, str]:
    """The product's Python: core/, pages/, app.py, scripts/, and the notebooks' code cells."""
    files = [*ROOT.glob("core/**/*.py"), *ROOT.glob("pages/**/*.py"), ROOT / "app.py", *ROOT.glob("scripts/**/*.py")]
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files}
    for notebook in ROOT.glob("notebooks/*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        sources[str(notebook.relative_to(ROOT))] = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return sources


def test_no_module_but_config_reads_a_portal_variable():
    readers = []
    for path, text in product_sources().items():
        if path == "core/config.py":
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(r"environ|getenv", line) and "PORTAL_" in line:
                readers.append(f"{path}:{number}: {line.strip()}")
    assert not readers, "read these through core.config.load():\n" + "\n".join(readers)


def test_every_portal_name_the_product_mentions_is_declared():
    declared = {v.name for v in config.VARIABLES}
    unknown = {f"{path}: {name}" for path, text in product_sources().items()
               for name in re.findall(r"\bPORTAL_[A-Z_]+\b", text) if name not in declared}
    assert not unknown
