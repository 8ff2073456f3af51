"""Portal pool: where pages are rendered, in this process or in forked worker processes.

A large build in a process without other threads (the command line) renders in a pool of forked
worker processes, one per core; each worker has its own environment and writer, and gets the
pages (bodies included) from the parent, since only the parent may hold the DuckDB file.

Imports from: portal.pages, portal.writer, portal.render; core.progress.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from core.portal.pages import Page
from core.portal.render import render_to
from core.portal.writer import Writer
from core.progress import Progress

RENDER_BATCH = 250  # pages sent to a worker process at a time
PARALLEL_MIN_PAGES = 1500  # below this, starting worker processes costs more than it saves


# the context of a worker process, set once by the pool's initializer
_WORKER: dict[str, Any] = {}


def _worker_init(site_context: dict[str, Any], root: str) -> None:
    _WORKER.update(context=site_context, root=root)


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
