"""`make run` starts the portal and the workbench and stops them cleanly (Makefile's run recipe): Ctrl-C, or either
way the servers are stopped, ends with both servers gone, waited for, and no 「Segmentation fault」 from make.

The recipe used to `trap 'kill 0' INT TERM EXIT`: on exit its shell sent SIGTERM to its own process group, itself
included, and the TERM trap sent it again, recursively, until the shell overflowed its stack (make printed
「[Makefile:…: run] Segmentation fault」, and make itself was killed by the same signal).

The real recipe runs (the site build and the system packages it depends on are marked done with `make -o`), on free
ports, in its own session as a terminal's job would be; the signals are sent as a terminal (Ctrl-C: SIGINT to the
whole job) or an operator (SIGTERM to the two servers) sends them.

Imports from: tests.browser (free ports, waiting for a server); the `con` fixture (a database to serve)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.browser import ROOT, free_port, wait_for


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def make_run(tmp_path, con):
    """`make run` on the test's database: the running make, its output file, and the two servers' pids."""
    con.close()
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("门户", encoding="utf-8")
    workbench_port, portal_port = free_port(), free_port()
    log = tmp_path / "make-run.log"
    with open(log, "wb") as out:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "-o", "site-quick", "-o", "system-packages-run", "run",
             f"DB={tmp_path / 'portal.duckdb'}", f"SITE={site}", f"WORKBENCH_PORT={workbench_port}",
             f"PORTAL_PORT={portal_port}"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**{k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")},
                 "PORTAL_SCHEDULER": "0"})  # its own make, also when the tests run under `make test`
    try:
        wait_for(f"http://127.0.0.1:{workbench_port}/_stcore/health")
        wait_for(f"http://127.0.0.1:{portal_port}/", timeout=20)
        [shell] = _children(make.pid)  # the recipe's shell; the servers are its children
        servers = _children(shell)
        assert len(servers) == 2, servers
        yield make, log, servers
    finally:
        if make.poll() is None or _group_alive(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
        make.wait()


def _stopped(make, log: Path) -> str:
    make.wait(timeout=60)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "Segmentation fault" not in output, output
    assert "Stopping..." in output, output  # the workbench stopped itself, as on its own
    assert not _group_alive(make.pid), "a server of make run is still running"
    return output


def test_ctrl_c_stops_both_servers_without_a_crash(make_run):
    make, log, _servers = make_run
    os.killpg(make.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole job
    _stopped(make, log)


def test_stopping_the_servers_ends_make_run_cleanly(make_run):
    """The reported case: an operator stops the two servers (SIGTERM); make ends without an error."""
    make, log, servers = make_run
    for pid in servers:
        os.kill(pid, signal.SIGTERM)
    _stopped(make, log)
    assert make.returncode == 0


def test_stopping_the_workbench_stops_the_portal_too(make_run):
    make, log, servers = make_run
    workbench = next(p for p in servers if b"streamlit" in Path(f"/proc/{p}/cmdline").read_bytes())
    os.kill(workbench, signal.SIGTERM)
    _stopped(make, log)
    assert make.returncode == 0
