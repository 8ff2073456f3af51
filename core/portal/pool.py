"""Portal pool: where pages are rendered, in this process or in forked worker processes.

A large build in a process without other threads (the command line) renders in a pool of forked
worker processes, one per core; each worker has its own environment and writer. Only the parent may
hold the DuckDB file: it reads the bodies and sends them as plain rows; everything else a page needs
(the site, listings, neighbours, attachments, catalogue entries) was loaded before the fork, so a
worker makes the article and column pages itself (``Jobs``) and the parent is free to feed it.

Imports from: portal.pages, portal.writer, portal.render; core.progress.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any

from core.portal.pages import Page
from core.portal.render import render_to
from core.portal.writer import Writer
from core.progress import Progress

RENDER_BATCH = 250  # pages sent to a worker process at a time
PARALLEL_MIN_PAGES = 1500  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Jobs:
    """How pages are made from what the parent sends: an article's body row (id, body_html, source)
    becomes its page with ``article``; a column's pages ``start`` to ``stop`` come from ``columns``.
    With a pool these are the parent's functions over its data as it was at the fork."""

    article: Callable[[tuple], Page]
    columns: Callable[[int], Iterator[Page]]


# the context of a worker process, set once by the pool's initializer
_WORKER: dict[str, Any] = {}


def _worker_init(site_context: dict[str, Any], root: str, jobs: Jobs) -> None:
    # what the worker inherited from the parent lives as long as the worker: out of the collector's sight,
    # its first collections no longer walk (and copy on write) the parent's young objects (a worker spent
    # 11-32 ms in the collector at 10,000 articles, 0.5 ms frozen); the pages' garbage is collected as before
    gc.freeze()
    _WORKER.update(context=site_context, root=root, jobs=jobs)


def _pages(batch: list, jobs: Jobs) -> Iterator[Page]:
    """The pages of a batch: pages, body rows (tuples), column slices (("column", id, start, stop))."""
    for job in batch:
        if type(job) is Page:
            yield job
        elif job[0] == "column":
            yield from islice(jobs.columns(job[1]), job[2], job[3])
        else:
            yield jobs.article(job)


def _render_batch(batch: list) -> tuple[list[str], int, int, int, list[str]]:
    """In a worker: make, render and write a batch of pages; report what was written, and the folders made
    (``Writer.prune`` does not look into them)."""
    writer = _WORKER.get("writer")
    if writer is None:  # one writer a worker: it knows the folders it made (a mkdir a folder, not a batch)
        writer = _WORKER["writer"] = Writer(_WORKER["root"])
    writer.claimed, writer.writes, writer.unchanged, writer.bytes, writer.made = set(), 0, 0, 0, []
    for page in _pages(batch, _WORKER["jobs"]):
        render_to(writer, page, _WORKER["context"])
    return sorted(writer.claimed), writer.writes, writer.unchanged, writer.bytes, writer.made


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

    def __init__(self, writer: Writer, site_context: dict[str, Any], workers: int, progress: Progress,
                 jobs: Jobs):
        self.writer = writer
        self.context = site_context
        self.progress = progress
        self.jobs = jobs
        self.pages = 0
        self._batch: list = []
        self._size = 0  # pages in self._batch
        self._pending: deque[tuple[Future, int]] = deque()
        self._pool = None
        context = _pool_context() if workers > 1 else None
        if context is not None:
            # forked at the first batch: the jobs' data is the parent's, not pickled
            self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init,
                                             initargs=(site_context, writer.root, jobs))
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
        self._add(page, 1)

    def emit_article(self, body: tuple) -> None:
        """An article's page from its body row (id, body_html, source), made by ``jobs.article``."""
        self._add(body, 1)

    def emit_column(self, column_id: int, pages: int) -> None:
        """The ``pages`` pages of a column's listing, made by ``jobs.columns``."""
        for start in range(0, pages, RENDER_BATCH):
            self._add(("column", column_id, start, min(pages, start + RENDER_BATCH)),
                      min(pages, start + RENDER_BATCH) - start)

    def _add(self, job: Any, size: int) -> None:
        self.pages += size
        if self._pool is None:
            for page in _pages([job], self.jobs):
                render_to(self.writer, page, self.context)
            self.progress.advance(size)
            return
        self._batch.append(job)
        self._size += size
        if self._size >= RENDER_BATCH:
            self._submit()

    def send(self) -> None:
        """Send the pages gathered so far to the workers now (the first send forks them), not when a
        batch is full: at the start so that they start, at the end so that they finish while this
        process does its own part."""
        if self._pool is not None:
            self._submit()

    def _submit(self) -> None:
        if self._batch:
            self._pending.append((self._pool.submit(_render_batch, self._batch), self._size))
            self._batch, self._size = [], 0
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
