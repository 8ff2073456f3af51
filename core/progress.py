"""Where a long command is: a terminal progress bar (import, full build; silent when not a terminal), and the
pause points the kill -9 tests stop a build at. Imports nothing of core."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from core import config


class Progress:
    """`with Progress(total, "生成页面") as bar: bar.advance(n)` — redraws at most 10 times a second."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None, enabled: bool | None = None):
        self.total = max(int(total), 0)
        self.label = label
        self.done = 0
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._started = time.monotonic()
        self._drawn = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.finish()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self._enabled and (now - self._drawn >= 0.1 or self.done >= self.total):
            self._drawn = now
            self._draw()

    def _draw(self) -> None:
        width = 30
        share = self.done / self.total if self.total else 1.0
        filled = int(width * min(share, 1.0))
        elapsed = time.monotonic() - self._started
        self._stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                           f"{self.done}/{self.total} {share:4.0%} {elapsed:5.1f}s")
        self._stream.flush()

    def finish(self) -> None:
        if self._enabled:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()


def pause_point(stage: str) -> None:
    """For the kill -9 tests (tests/test_security_build.py): with PORTAL_BUILD_PAUSE=<stage>:<file>,
    a build reaching ``stage`` creates <file> and waits there to be killed."""
    wanted, _, flag = (config.load().build_pause or "").partition(":")
    if wanted == stage and flag:
        Path(flag).touch()
        time.sleep(3600)
