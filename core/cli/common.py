"""What every command of `python -m core` shares: the database path, JSON output, errors, the actor.
Imports from core.db only."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from core.db import default_path


def db_path(args) -> Path:
    """The database a command works on: `--db`, else PORTAL_DB, else data/portal.duckdb (core/config.py)."""
    return Path(args.db) if getattr(args, "db", None) else default_path()


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str))


def error(message: str) -> None:
    print(f"错误:{message}", file=sys.stderr)


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
