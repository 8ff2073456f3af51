"""Figures a page computes from the whole database, kept between runs and sessions (issue 16).

`Figures()(what, key, compute)` returns `compute()` as it was last computed for the same `what`,
`key` and database mark. The mark (core.db.change_mark, the key of the sidebar's to-do count too)
changes with every committed write anyone makes, and with the day (overdue and on-time figures depend
on today): that is what invalidates every entry. Within half a second of a write the figures are
computed and not kept (core.db.settled_mark: the commit may not be visible yet).
`key` must hold everything else the figure depends on (the reader's scope, the period, the choice).
"""

from __future__ import annotations

import streamlit as st

from core import db
from pages import _shared


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _kept(database: str, mark: tuple, what: str, key: tuple, _compute):
    return _compute()


class Figures:
    """A page's kept figures for one script run: the database mark is read once, at the first figure."""

    def __init__(self) -> None:
        self.mark: tuple | None = None
        self.read = False

    def __call__(self, what: str, key: tuple, compute):
        database = _shared.db_path()
        if not self.read:
            self.mark, self.read = db.settled_mark(database), True
        if self.mark is None:
            return compute()
        return _kept(database, self.mark, what, key, compute)


def scope(user) -> tuple:
    """What a reader's figures depend on: who may see which divisions (core.stats.readable_divisions)."""
    return tuple(sorted(user.roles)), user.division_id
