"""The portal brought up to date after a change, off the user's click (issue 16, workbench speed).

Publishing, taking down, restoring or answering in public used to rebuild the portal inside the
click (`portal.build_site(full=False)`: 0.1–0.4 s on the demo, seconds at 100,000 articles), so
the user waited for it. Now the page's action commits its change and asks for a refresh
(`request`); one worker thread per site folder runs the incremental build, then starts the
search re-index. Requests that arrive while a build runs are coalesced: the next build covers
them all, as an incremental build renders whatever changed since the last one.

Guarantees the workbench keeps:
- a change reaches the portal: a ticket counts as done only once a build that *started after*
  it was requested has finished, so the build saw the committed change;
- a failure is not lost: it is logged, `status` reports it to the session that asked (the page
  says so, with what to do), and the scheduler's tick rebuilds whenever `portal.outdated` says
  the site is behind (core/scheduler.py), as it did before.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core import portal, search

log = logging.getLogger(__name__)


@dataclass
class _Site:
    requested: int = 0  # tickets handed out
    done: int = 0  # every ticket up to this one is on disk
    failed_through: int = 0  # the last failed build covered the tickets up to this one
    error: str = ""
    worker: threading.Thread | None = None
    con: duckdb.DuckDBPyConnection | None = None  # the process's connection; the worker takes a cursor
    changed: threading.Condition = field(default_factory=lambda: threading.Condition(threading.Lock()))


@dataclass(frozen=True)
class Status:
    state: str  # "pending" | "done" | "failed"
    error: str = ""


_sites: dict[Path, _Site] = {}
_sites_lock = threading.Lock()


def _site(site_dir: str | Path) -> _Site:
    key = Path(site_dir).resolve()
    with _sites_lock:
        return _sites.setdefault(key, _Site())


def request(con: duckdb.DuckDBPyConnection, site_dir: str | Path) -> int:
    """Ask for an incremental build of `site_dir` after a committed change; returns the ticket.
    `con`: a connection that outlives the request (the workbench's, not a run's cursor): the worker
    opens its own cursor on it."""
    site = _site(site_dir)
    with site.changed:
        site.requested += 1
        ticket = site.requested
        site.con = con
        if site.worker is None:
            site.worker = threading.Thread(target=_work, args=(Path(site_dir), site), name="portal-refresh",
                                           daemon=True)
            site.worker.start()
        return ticket


def _work(site_dir: Path, site: _Site) -> None:
    while True:
        with site.changed:
            if max(site.done, site.failed_through) >= site.requested:  # each request gets one attempt
                site.worker = None
                site.changed.notify_all()
                return
            target, con = site.requested, site.con
        try:
            cur = con.cursor()
            try:
                result = portal.build_site(cur, site_dir, full=False, progress=False)
            finally:
                cur.close()
            search.reindex_in_background(site_dir, result.get("touched_years") or [])
        except Exception as exc:  # reported to the sessions that asked; the scheduler's tick tries again
            log.exception("portal refresh of %s failed", site_dir)
            with site.changed:
                site.failed_through, site.error = target, str(exc)
                site.changed.notify_all()
            continue
        with site.changed:
            site.done = max(site.done, target)
            site.changed.notify_all()


def status(site_dir: str | Path, ticket: int) -> Status:
    site = _site(site_dir)
    with site.changed:
        if site.done >= ticket:
            return Status("done")
        if site.failed_through >= ticket:
            return Status("failed", site.error)
        return Status("pending")


def wait(site_dir: str | Path, ticket: int | None = None, timeout: float = 120.0) -> Status:
    """Block until `ticket` (default: every ticket so far) is done or failed, or `timeout` passes
    (tests, command-line tools, and a page that must show the result)."""
    site = _site(site_dir)
    with site.changed:
        wanted = site.requested if ticket is None else ticket
        site.changed.wait_for(lambda: site.done >= wanted or site.failed_through >= wanted, timeout=timeout)
    return status(site_dir, wanted)
