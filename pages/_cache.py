"""Figures a page computes from the whole database, kept between runs and sessions (issue 16).

`Figures(con)(what, key, compute)` returns `compute()` as it was last computed for the same `what`,
`key` and data version. The version (core.stats.data_version) changes with every write anyone makes
(staff through the audit log, the workflow's and the messages' events and versions), and the day is
part of it (overdue and on-time figures depend on today): that is what invalidates every entry.
`key` must hold everything else the figure depends on (the reader's scope, the period, the choice).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import stats
from pages import _shared


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _kept(database: str, version: tuple, today: dt.date, what: str, key: tuple, _compute):
    return _compute()


class Figures:
    """A page's kept figures for one script run: the data version is read once, at the first figure."""

    def __init__(self, con) -> None:
        self.con = con
        self.version: tuple | None = None

    def __call__(self, what: str, key: tuple, compute):
        if self.version is None:
            self.version = stats.data_version(self.con)
        return _kept(_shared.db_path(), self.version, dt.date.today(), what, key, compute)


def scope(user) -> tuple:
    """What a reader's figures depend on: who may see which divisions (core.stats.readable_divisions)."""
    return tuple(sorted(user.roles)), user.division_id
