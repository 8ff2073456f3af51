"""Shared fixtures: a fresh real DuckDB file per test, and a small organisation to act in.

Imports from core (accounts, cli, db), tests.browser and the standard library."""

from __future__ import annotations

import copy
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")  # fast hashes in tests; production keeps 12

from core import accounts  # noqa: E402
from core.db import connect  # noqa: E402
from core.setup import init_database  # noqa: E402
from tests import browser  # noqa: E402

PASSWORD = "Test-Passw0rd!"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Tell tests/browser.py the running test's marks (its fixtures start after this)."""
    browser.RUNNING_MARKS = {mark.name for mark in item.iter_markers()}


def copy_database(template: Path, target: Path) -> Path:
    """A private copy of the closed database `template` at `target` (which must not exist yet), 0600
    from its first byte as connect() makes a new file. Each test gets its own file: no state is shared."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out, open(template, "rb") as source:
        shutil.copyfileobj(source, out)
    return target


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> Path:
    """The migrated and seeded database, built once per session: applying the migrations to every
    test's new file was most of a small test's time."""
    path = tmp_path_factory.mktemp("schema-template") / "portal.duckdb"
    connection = connect(path)
    init_database(connection)
    connection.execute("CHECKPOINT")
    connection.close()
    return path


@pytest.fixture
def fresh_database(schema_template):
    """`fresh_database(path)`: a new database file at `path`, as connect() + init_database() leave it
    (init_database is idempotent: running it again on the copy changes nothing)."""
    return lambda path: copy_database(schema_template, Path(path))


_ORG_COPIED = pytest.StashKey[bool]()


@pytest.fixture
def con(request, tmp_path, fresh_database):
    """The test's own database file. For a test that also takes this file's `org`, a copy of the
    organisation template, so `org` need not create its eleven users again."""
    path = tmp_path / "portal.duckdb"
    # a test module defining its own `org` gets a bare schema, as before
    with_org = "org" in request.fixturenames and not hasattr(request.module, "org")
    if with_org:
        copy_database(request.getfixturevalue("org_template")[0], path)
    else:
        fresh_database(path)
    request.node.stash[_ORG_COPIED] = with_org
    connection = connect(path)
    yield connection
    connection.close()


@dataclass
class Org:
    """Two divisions (电子信息处 leads, 财务处 co-handles), a leader in charge of the first, and
    one user per role."""

    dz: int
    cw: int
    col_dz: int
    col_cw: int
    officer: accounts.User
    officer_cw: accounts.User
    head: accounts.User
    head_cw: accounts.User
    leader: accounts.User
    leader_other: accounts.User
    group1: accounts.User
    group2: accounts.User
    webmaster: accounts.User
    tech: accounts.User
    analyst: accounts.User


def make_org(con) -> Org:
    dz = con.execute("INSERT INTO divisions (code, name) VALUES ('dzxx', '电子信息处') RETURNING id").fetchone()[0]
    cw = con.execute("INSERT INTO divisions (code, name) VALUES ('cws', '财务处') RETURNING id").fetchone()[0]
    bgs = con.execute("INSERT INTO divisions (code, name, kind) VALUES ('bgs', '办公室', 'office') "
                      "RETURNING id").fetchone()[0]
    col_dz = con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('gzdt', '工作动态', 'news', ?) "
                         "RETURNING id", [dz]).fetchone()[0]
    col_cw = con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('czzj', '财政资金', 'openinfo', ?) "
                         "RETURNING id", [cw]).fetchone()[0]
    # 财政资金 is an openinfo column in tests that are not about the catalogue: its items need no catalogue entry
    # here (the kinds are the office's data); tests/test_catalogue.py makes its own policy and 解读 columns
    con.execute("DELETE FROM catalogue_kinds WHERE kind = 'openinfo'")

    def user(name, roles, division=None, charge=None):
        created, _ = accounts.create_user(con, None, name, name.upper(), roles, division, f"{name}@sxit.gov.cn",
                                          charge, password=PASSWORD, must_change_password=False)
        return created

    return Org(
        dz=dz, cw=cw, col_dz=col_dz, col_cw=col_cw,
        officer=user("officer", ["officer"], dz), officer_cw=user("officercw", ["officer"], cw),
        head=user("head", ["head"], dz), head_cw=user("headcw", ["head"], cw),
        leader=user("leader", ["leader"], None, [dz]), leader_other=user("leader2", ["leader"], None, [cw]),
        group1=user("group1", ["group"]), group2=user("group2", ["group"]),
        webmaster=user("webmaster", ["webmaster"], bgs), tech=user("tech", ["tech"]),
        analyst=user("analyst", ["analyst"]),
    )


@pytest.fixture(scope="session")
def org_template(schema_template, tmp_path_factory) -> tuple[Path, Org]:
    """A closed database holding make_org's organisation, and that Org, built once per session."""
    path = copy_database(schema_template, tmp_path_factory.mktemp("org-template") / "portal.duckdb")
    connection = connect(path)
    made = make_org(connection)
    connection.execute("CHECKPOINT")
    connection.close()
    return path, made


@pytest.fixture
def org(request, con, org_template) -> Org:
    if request.node.stash.get(_ORG_COPIED, False):
        return copy.deepcopy(org_template[1])  # con is a copy of the template: the same rows, the same ids
    return make_org(con)


# The two Chinese walks are the longest files: scheduled first (pytest-xdist hands out a file per process in
# collection order), they run beside the rest instead of being what the last process waits for.
LONGEST_FIRST = ("tests/test_browser_chinese.py", "tests/test_browser_chinese_office.py")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in LONGEST_FIRST)
