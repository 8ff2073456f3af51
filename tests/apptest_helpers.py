"""Run the real app.py in Streamlit's AppTest, signed in as a given user, on a given database.

Imports from Streamlit and the standard library only."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")

# Each new AppTest reads the metadata of every installed package in search of Streamlit components
# (0.2 s of CPU, seconds on a busy machine) where the server does it once per process. The installed
# packages do not change during a test run, so one scan per test process finds what each would.
_scan_once = functools.cache(manifest_scanner.scan_component_manifests)
manifest_scanner.scan_component_manifests = lambda max_workers=None: list(_scan_once())


def app_as(db_path, username: str | None, *, timeout: float = 30) -> AppTest:
    """The workbench as `username` sees it (None: signed out), after its first run."""
    os.environ["PORTAL_DB"] = str(db_path)
    os.environ["PORTAL_SCHEDULER"] = "0"
    at = AppTest.from_file(APP, default_timeout=timeout)
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
    at.run()
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    """Switch to pages/<page>.py and run it."""
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


def texts(at: AppTest) -> str:
    """All the text a user reads on the page, for assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "success", "error", "warning",
                 "info", "exception"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    return "\n".join(parts)
