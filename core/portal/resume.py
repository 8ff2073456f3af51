"""Portal resume: finishing, at start, a build that was killed half-way.

A build killed half-way (kill -9) leaves its debt (``plan.owe_build``) and its temporary files;
``resume_interrupted_build``, run when the workbench starts, deletes those, redoes the build and
re-indexes search.

Imports from: portal.writer, portal.plan, portal.build; core.search.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core import search
from core.portal.build import BUILD_LOCK, build_site
from core.portal.plan import owed_build
from core.portal.writer import remove_leftovers


@dataclass
class Resumed:
    """What ``resume_interrupted_build`` did."""

    removed: int = 0  # leftover temporary files and folders deleted
    build: dict | None = None  # the owed build, redone (build_site's counts), or None
    search: list[str] = field(default_factory=list)  # search shards found stale, re-indexed
    search_thread: threading.Thread | None = None  # doing that re-index; join() waits for it


def resume_interrupted_build(con: duckdb.DuckDBPyConnection, out_dir: str | os.PathLike) -> Resumed:
    """At start (the workbench's scheduler runs it before its first tick): finish what a publication
    killed half-way left undone (issue 12, L1). Deletes dead processes' temporary files, redoes the
    owed build into ``out_dir`` (full if the dead one was full; else the diff against the last
    finished build), then re-indexes in the background the search shards whose pages changed since
    they were indexed (a re-index killed after its build is caught here too)."""
    root = os.path.realpath(out_dir)
    done = Resumed()
    with BUILD_LOCK:  # no build of this process writes meanwhile
        done.removed = remove_leftovers(root)
    owed = owed_build(con)
    if owed is not None and owed.get("out") in (root, None):
        done.build = build_site(con, root, full=bool(owed.get("full")), progress=False)
    if done.build is not None or (Path(root) / search.BUNDLE_DIR / search.MANIFEST).is_file():
        done.search = search.stale_shards(root)
        if done.search:
            done.search_thread = search.reindex_in_background(root, None)
    return done
