"""A sign-in decision handed from the script run that made it to the next run of the same browser tab.

Streamlit ends a script run at its next session-state access when a rerun has been asked for
meanwhile (measured on a busy machine: the cookie reader's first reply lands while bcrypt checks
the password). The run that knew the password was right then ended before it could record it, the
next run showed the empty form, and the click was lost (issue 11). core has already opened the
server-side session by then; keeping its Outcome here, outside session state, lets the next run
finish the sign-in, show the refusal, or ask for the second factor (第二十二条).
"""

from __future__ import annotations

import threading
import time

from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import login

KEEP_SECONDS = login.PENDING_MINUTES * 60


def _tab() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


class _PerTab:
    """One value per browser tab, kept in the process (never in session state), for KEEP_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, object]] = {}

    def put(self, value) -> None:
        tab, now = _tab(), time.monotonic()
        if tab is None:
            return
        with self._lock:
            for key in [k for k, (at, _) in self._values.items() if now - at > KEEP_SECONDS]:
                del self._values[key]
            self._values[tab] = (now, value)

    def get(self):
        tab = _tab()
        with self._lock:
            entry = self._values.get(tab) if tab else None
        return entry[1] if entry and time.monotonic() - entry[0] <= KEEP_SECONDS else None

    def drop(self) -> None:
        tab = _tab()
        with self._lock:
            self._values.pop(tab, None)


_decided = _PerTab()


def keep(outcome: login.Outcome) -> None:
    """Call right after core decided, before any session-state access."""
    _decided.put(outcome)


def pending() -> login.Outcome | None:
    """The decision an earlier run of this tab could not finish showing, if any."""
    return _decided.get()


def done() -> None:
    """The decision is recorded in this tab's session state (or shown): nothing left to hand over."""
    _decided.drop()


# The page a tab's address named. Only the tab's first run knows it (…/freshness from a bookmark or an
# e-mail); a rerun asked for before the browser has learnt its page — the cookie reader's first reply —
# comes with no page and, like the sign-in above, may end that first run before it recorded anything.
_asked = _PerTab()
remember_page = _asked.put
asked_page = _asked.get
forget_page = _asked.drop
