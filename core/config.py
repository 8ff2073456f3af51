"""Every environment variable the product reads, declared once (imports the standard library only).

Each variable is a `Variable(name, field, parse, default, meaning, expects)`: the same table gives the
defaults, the parsing (a wrong value is refused naming the variable) and the README's
configuration table, which tests/test_config.py checks against it both ways (as Datasette checks
its settings against its docs). Nothing else in the product reads `os.environ` for a PORTAL_
variable: it calls `load()` and reads a field of the frozen `Config`.

`load()` reads the declared names each time it is called and parses them once per distinct set
of values: tests and tools set PORTAL_DB and the others in the process (monkeypatch.setenv,
AppTest helpers) after the product has been imported, and must see their own values.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


class ConfigError(ValueError):
    """An environment variable with a value the product cannot use."""


@dataclass(frozen=True)
class Variable:
    name: str
    field: str  # the attribute of Config
    parse: Callable[[str], object]
    default: str | None  # as written in the README (None: unset)
    meaning: str  # the README's words
    expects: str  # what a valid value looks like, for the error message


def _flag(text: str) -> bool:
    return text == "1"  # anything else is off, as the workbench has always read these


def _rounds(text: str) -> int:
    value = int(text)
    if not 4 <= value <= 31:  # bcrypt's own bounds
        raise ValueError(text)
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


VARIABLES: tuple[Variable, ...] = (
    Variable("PORTAL_DB", "db", Path, "data/portal.duckdb", "database file", "一个文件路径"),
    Variable("PORTAL_SITE", "site", Path, "site_build",
             "where the workbench rebuilds the portal after a publication", "一个目录路径"),
    Variable("PORTAL_DEMO", "demo", _flag, None,
             "`1` loads demo data when the workbench creates a new database", "1 或不设置"),
    Variable("PORTAL_SCHEDULER", "scheduler", _flag, "1",
             "`0` turns the in-process scheduler off (tests)", "1 或 0"),
    Variable("PORTAL_SCHEDULER_SECONDS", "scheduler_seconds", _seconds, "30",
             "scheduler interval in seconds", "大于 0 的秒数"),
    Variable("PORTAL_BACKUPS", "backups", _flag, "1",
             "`0` turns the scheduler's daily backup (第二十条) off", "1 或 0"),
    Variable("PORTAL_BCRYPT_ROUNDS", "bcrypt_rounds", _rounds, "12",
             "bcrypt cost (tests lower it)", "4 至 31 的整数"),
    Variable("PORTAL_BUILD_PAUSE", "build_pause", str, None,
             "tests only: `<stage>:<file>` makes a portal build create the file and pause at that stage",
             "<阶段>:<文件>"),
)


@dataclass(frozen=True)
class Config:
    db: Path
    site: Path
    demo: bool
    scheduler: bool
    scheduler_seconds: float
    backups: bool
    bcrypt_rounds: int
    build_pause: str


def load(environ: Mapping[str, str] | None = None) -> Config:
    """The configuration of this environment (default: the process's). An empty value counts as unset."""
    source = os.environ if environ is None else environ
    return _parse(tuple(source.get(v.name, "") for v in VARIABLES))


@functools.lru_cache(maxsize=16)
def _parse(raw: tuple[str, ...]) -> Config:
    values = {}
    for variable, text in zip(VARIABLES, raw, strict=True):
        text = text or variable.default or ""
        try:
            values[variable.field] = variable.parse(text)
        except ValueError:
            raise ConfigError(f"环境变量 {variable.name} 的值「{text}」无效:应为{variable.expects}") from None
    return Config(**values)
