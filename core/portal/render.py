"""Portal rendering: the one Jinja2 ``Environment`` of a process, and the pool that renders with it.

Autoescape is on everywhere; ``body_html`` is marked safe only in article.html, because it is
sanitised before it is stored. A large build in a process without other threads (the command
line) renders in a pool of forked worker processes, one per core; each worker has its own
environment and writer, and gets the pages (bodies included) from the parent, since only the
parent may hold the DuckDB file.

Imports from: portal.urls, portal.data, portal.pages, portal.writer; core.progress.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from core.portal.data import SiteData
from core.portal.pages import EPOCH, Page
from core.portal.urls import ANSWERS_URL, feed_url
from core.portal.writer import Writer
from core.progress import Progress

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # core/templates
STATIC = TEMPLATES / "static"
# times are stored as the department's local time (Beijing); feeds need an explicit offset
SITE_UTC_OFFSET = "+08:00"
RENDER_BATCH = 250  # pages sent to a worker process at a time
PARALLEL_MIN_PAGES = 1500  # below this, starting worker processes costs more than it saves


def template_files() -> list[Path]:
    """Everything under the templates folder (static files included), for the build signature."""
    return list(TEMPLATES.rglob("*"))


def has_template(name: str) -> bool:
    return (TEMPLATES / name).is_file()


def _date(value: datetime | date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _date_zh(value: datetime | date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _atom_date(value: datetime | date | None) -> str:
    value = value or EPOCH
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.strftime("%Y-%m-%dT%H:%M:%S") + SITE_UTC_OFFSET


class _PortalEnvironment(Environment):
    """Page contexts are plain dicts (they travel to worker processes): look keys up first,
    instead of failing an attribute lookup on every ``item.title`` (a third of render time)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja2 environment of this process (autoescape on for everything)."""
    env = _PortalEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = _date
    env.filters["date_zh"] = _date_zh
    env.filters["atom_date"] = _atom_date
    return env


def render(page: Page, site_context: dict[str, Any]) -> str:
    template = environment().get_template(page.template)
    nav_key = _nav_key(page.path, page.context.get("section_id"), site_context["nav_urls"])
    return template.render({**site_context, **page.context, "path": page.path, "nav_key": nav_key})


def _nav_key(path: str, section_id: int | None, nav_urls: dict[int, str]) -> str:
    """Where a page sits in the main navigation: home, a section's own page, inside a section."""
    if path == "/index.html":
        return "home"
    if section_id not in nav_urls:
        return ""
    return f"{section_id}:{'page' if path == nav_urls[section_id] else 'true'}"


def _nav_html(nav: list[dict]) -> dict[str, Markup]:
    """The navigation is the same on every page but for aria-current: render each variant once
    per build instead of once per page (a fifth of a page's render time)."""
    template = environment().get_template("_nav.html")
    variants = {"": (None, ""), "home": (None, "home")}
    for col in nav:
        variants |= {f"{col['id']}:page": (col["id"], "page"), f"{col['id']}:true": (col["id"], "true")}
    return {key: Markup(template.render(nav=nav, section_id=section, current=current))
            for key, (section, current) in variants.items()}


def site_context(site: SiteData, versions: dict[str, str]) -> dict[str, Any]:
    """What every page shows (header, footer), as plain data a worker process can receive."""
    nav = [c.ref for c in site.nav]
    return {
        "nav_html": _nav_html(nav),
        "nav_urls": {c["id"]: c["url"] for c in nav},
        "site_name": site.site_name,
        "site_url": site.site_url,
        "site_host": site.host,
        "nav": nav,
        "css_url": f"/static/site.css?v={versions.get('site.css', '')}",
        "js_url": f"/static/a11y.js?v={versions.get('a11y.js', '')}",
        "site_feed": feed_url(),
        "message_url": site.message_url,
        "answers_url": ANSWERS_URL,
        "contact_phone": site.contact_phone,
        "contact_email": site.contact_email,
    }


def copy_static(writer: Writer) -> dict[str, str]:
    """Copy templates/static to out/static; returns short hashes of the files, for cache-busting."""
    versions = {}
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            name = path.relative_to(STATIC).as_posix()
            writer.write("/static/" + name, data)
            versions[name] = hashlib.sha256(data).hexdigest()[:10]
    return versions


# the context of a worker process, set once by the pool's initializer
_WORKER: dict[str, Any] = {}


def _worker_init(site_context: dict[str, Any], root: str) -> None:
    _WORKER.update(context=site_context, root=root)


def render_to(writer: Writer, page: Page, site_context: dict[str, Any]) -> None:
    """Render ``page`` and write it."""
    writer.write(page.path, render(page, site_context))


def _render_batch(pages: list[Page]) -> tuple[list[str], int, int, int]:
    """In a worker: render and write a batch of pages; report what was written."""
    writer = Writer(_WORKER["root"])
    for page in pages:
        render_to(writer, page, _WORKER["context"])
    return sorted(writer.claimed), writer.writes, writer.unchanged, writer.bytes


def pool_size(pages: int, workers: int | None) -> int:
    """Worker processes for a build of ``pages`` pages: none below PARALLEL_MIN_PAGES, else
    ``workers`` (None: one per core)."""
    if pages < PARALLEL_MIN_PAGES:
        return 0
    if workers is None:
        return os.cpu_count() or 1
    return workers


def _pool_context() -> multiprocessing.context.BaseContext | None:
    """Fork, when this process runs no other thread (the command line); else no pool.

    Forking a process that runs other threads (the workbench) can copy a lock some thread
    holds; and fork-server or spawn workers re-run the parent's ``__main__``, which in the
    workbench is app.py: it opens the database the parent holds (found by the test suite).
    The workbench builds full only as a fallback (first build, column or template change)."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return None


class Renderer:
    """Renders pages in this process, or in a pool of ``workers`` processes (batches of pages)."""

    def __init__(self, writer: Writer, site_context: dict[str, Any], workers: int, progress: Progress):
        self.writer = writer
        self.context = site_context
        self.progress = progress
        self.pages = 0
        self._batch: list[Page] = []
        self._pending: deque[tuple[Future, int]] = deque()
        self._pool = None
        context = _pool_context() if workers > 1 else None
        if context is not None:
            self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init,
                                             initargs=(site_context, writer.root))
            self._max_pending = workers * 2  # bounds the bodies waiting in memory

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._pool is None:
            return
        failed = exc_type is not None
        try:
            if not failed:
                self.flush()
        except BaseException:
            failed = True
            raise
        finally:
            # on failure: drop queued batches, let running ones finish their atomic writes
            self._pool.shutdown(wait=True, cancel_futures=failed)

    def emit(self, page: Page) -> None:
        self.pages += 1
        if self._pool is None:
            render_to(self.writer, page, self.context)
            self.progress.advance()
            return
        self._batch.append(page)
        if len(self._batch) >= RENDER_BATCH:
            self._submit()

    def _submit(self) -> None:
        if self._batch:
            self._pending.append((self._pool.submit(_render_batch, self._batch), len(self._batch)))
            self._batch = []
        while len(self._pending) > self._max_pending:
            self._collect()

    def _collect(self) -> None:
        future, size = self._pending.popleft()
        self.writer.merge(*future.result())
        self.progress.advance(size)

    def flush(self) -> None:
        if self._pool is not None:
            self._submit()
            while self._pending:
                self._collect()
