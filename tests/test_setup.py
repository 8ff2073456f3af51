"""The two README commands set up a fresh machine themselves: `make test` installs the Debian packages it
needs (scripts/system-packages.sh), `.ci/run` only calls it, and a user who cannot install is told what to run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-packages.sh"


def run_script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("bash"), str(SCRIPT), *args], capture_output=True, text=True,
                          env=env, timeout=120)


def make_dry_run(target: str, *overrides: str) -> str:
    """What `make target` would run, as on a fresh checkout (-B: every step, whatever is already built)."""
    # --no-print-directory and no MAKEFLAGS: under `make test` this make is a sub-make, which would print
    # "make[1]: Entering directory …" first
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(["make", "--no-print-directory", "-n", "-B", target, *overrides], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True, timeout=60).stdout


def test_everything_make_test_needs_is_on_this_machine():
    """What the suite uses (Debian chromium, CJK fonts, nginx, openssl, npm) is found by the check, so the
    fast path skips apt here."""
    result = run_script("--check", "test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "齐全" in result.stdout


def test_the_check_names_what_is_missing_and_installs_nothing(tmp_path):
    """With a PATH that has no nginx, openssl, make, node or npm the check lists them and fails."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("id", "grep", "fc-list"):
        if shutil.which(tool):
            (bin_dir / tool).symlink_to(shutil.which(tool))
    result = run_script("--check", "test", env={"PATH": str(bin_dir)})
    assert result.returncode == 1
    for package in ("openssl", "make", "nodejs", "npm"):
        assert package in result.stdout
    assert "安装系统软件包" not in result.stdout + result.stderr


def test_without_root_or_sudo_the_user_is_told_what_to_run():
    """Not root and no sudo on PATH: a clear message with the missing packages and the apt-get command,
    and a non-zero exit (make then stops before the tests)."""
    user = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot become an ordinary user")
        user = [shutil.which("setpriv"), "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    with tempfile.TemporaryDirectory() as bin_dir:  # under /tmp, so the ordinary user can use it
        os.chmod(bin_dir, 0o755)
        for tool in ("id", "grep", "fc-list"):
            if shutil.which(tool):
                os.symlink(shutil.which(tool), os.path.join(bin_dir, tool))
        # the script is read from standard input: the checkout may not be readable by that user
        result = subprocess.run([*user, shutil.which("bash"), "-s", "--", "test"], input=SCRIPT.read_text("utf-8"),
                                capture_output=True, text=True, env={"PATH": bin_dir}, timeout=120)
    assert result.returncode != 0
    assert "不是 root,也没有 sudo" in result.stderr, result.stderr
    assert "apt-get install -y --no-install-recommends" in result.stderr
    assert "openssl" in result.stderr and "npm" in result.stderr
    assert "安装系统软件包" not in result.stdout  # nothing was attempted


def test_make_test_and_make_run_install_system_packages_first():
    test_steps = make_dry_run("test").splitlines()
    assert test_steps[0] == "bash scripts/system-packages.sh test"
    assert any("-m pytest" in step for step in test_steps)
    run_steps = make_dry_run("run").splitlines()
    assert run_steps[0] == "bash scripts/system-packages.sh run"


def test_ci_only_calls_make_test():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert commands == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "make test"]


def test_ports_are_chosen_on_the_command_line():
    steps = make_dry_run("run", "WORKBENCH_PORT=9601", "PORTAL_PORT=9600")
    assert "serve_portal.py 9600" in steps and "--server.port 9601" in steps
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run WORKBENCH_PORT=" in readme and "PORTAL_PORT=" in readme


def test_make_lab_opens_the_notebooks_on_a_fresh_snapshot():
    """`make lab`: JupyterLab (Chinese interface) installed from its own pinned requirements, a new snapshot,
    then Jupyter on the notebooks with PORTAL_DB pointing at that snapshot."""
    steps = make_dry_run("lab", "LAB_PORT=9888").splitlines()
    install = steps.index(".venv/bin/python -m pip install --quiet -r requirements-lab.txt")
    snapshot = steps.index(".venv/bin/python -m core snapshot --db data/portal.duckdb --out data/snapshot.duckdb")
    remove_old = steps.index("rm -f data/snapshot.duckdb data/snapshot.duckdb.wal")
    jupyter = next(i for i, step in enumerate(steps) if ".venv/bin/jupyter lab" in step)
    assert install < remove_old < snapshot < jupyter
    command = " ".join(steps[jupyter:])
    assert f"PORTAL_DB={ROOT / 'data' / 'snapshot.duckdb'} " in command
    assert "--no-browser --ip 127.0.0.1 --port 9888" in command and "--ServerApp.root_dir=notebooks" in command
    pins = [line for line in (ROOT / "requirements-lab.txt").read_text("utf-8").splitlines()
            if line and not line.startswith(("#", "-r"))]
    assert all("==" in pin for pin in pins) and any(pin.startswith("jupyterlab==") for pin in pins)
    assert any(pin.startswith("jupyterlab-language-pack-zh-CN==") for pin in pins)
    assert '"locale": "zh_CN"' in (ROOT / "scripts" / "jupyterlab-overrides.json").read_text("utf-8")
