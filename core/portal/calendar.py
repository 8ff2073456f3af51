"""The portal follows the calendar (issue 17): a consultation's page says 正在征集 and links the form only
within its window, an interview's links 我要提问 only before its start time — but pages are files, rendered
when something is built. Each build records the calendar phase (core.consultation_public.phase,
core.interview_public.phase) of every consultation and interview it rendered; the scheduler's tick compares them
with the phases at its own clock and rebuilds when one moved (a start or an end passed), so each boundary
brings exactly one build, without an office action, and an office action's own build settles it first.

Imports from: core.consultation_public, core.interview_public, core.db, core.portal.plan (the record of the last build)."""

from __future__ import annotations

import datetime as dt
import json
import os

import duckdb

from core import consultation_public, interview_public
from core.db import scalar
from core.portal.plan import last_build

STATE_KEY = "portal_calendar"  # site_state: the phases the last build rendered


def phases(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> dict[str, str]:
    """Every consultation and interview on the portal, with its calendar phase at `now`."""
    found = {f"consultation:{c['id']}": consultation_public.phase(c, now) for c in consultation_public.published_in(con)}
    found.update({f"interview:{i['id']}": interview_public.phase(i, now) for i in interview_public.published_in(con)})
    return found


def record(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> None:
    """What the build rendered (called inside the build's transaction, with the build's clock)."""
    con.execute("INSERT OR REPLACE INTO site_state (name, value) VALUES (?, ?)",
                [STATE_KEY, json.dumps(phases(con, now), sort_keys=True)])


def moved(con: duckdb.DuckDBPyConnection, out_dir: str | os.PathLike, now: dt.datetime) -> list[str]:
    """The consultations and interviews ("consultation:3") whose phase at `now` is not the one the last build
    into `out_dir` rendered: their pages, and their columns' lists, are behind the calendar. Nothing when
    the portal was last built elsewhere (or never): that build's own rules apply."""
    built = last_build(con)
    if built is None or built.get("out") != os.path.realpath(out_dir):
        return []
    raw = scalar(con, "SELECT value FROM site_state WHERE name = ?", [STATE_KEY])
    try:
        shown = json.loads(raw) if raw else {}
    except ValueError:
        shown = {}
    return sorted(key for key, stage in phases(con, now).items() if shown.get(key) != stage)
