"""The demo's texts as data: TOML files beside this module (imports only the standard library).

TOML rather than JSON: long Chinese paragraphs stay readable without escapes, and each list can
carry a comment saying what it is for; Python 3.11 reads it with the standard `tomllib`.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

HERE = Path(__file__).parent


@functools.cache
def load(name: str) -> dict:
    """The parsed `<name>.toml` of this folder, read once per process (callers must not change it)."""
    with (HERE / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)
