"""`python -m core check [--db PATH] [--json]`: the go-live check (上线检查, issue 15; core/golive.py).

Prints each finding in Chinese (阻止上线 first), or with --json a list of objects
{"key", "severity", "blocking", "message", "fix"}. Exit 1 when any finding blocks going live, 0 otherwise.
Imports from core.golive and core/cli/common."""

from __future__ import annotations

import argparse

from core import golive
from core.cli.common import print_json

DESCRIPTION = ("python -m core check [--db PATH] [--json]:列出上线前尚未完成或不安全的事项;"
               "有“阻止上线”的问题时退出码为 1,否则为 0")


def arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--json", action="store_true", help="以 JSON 列表输出(每项含 key、severity、blocking、message、fix)")


def run(con, args) -> int:
    found = golive.findings(con)
    if args.json:
        print_json([f.as_dict() for f in found])
    elif not found:
        print("上线检查:未发现问题。")
    else:
        blocks = sum(f.blocking for f in found)
        print(f"上线检查:{blocks} 项阻止上线,{len(found) - blocks} 项提醒。")
        for f in found:
            print(f"[{f.severity}] {f.message}\n    处理:{f.fix}")
    return 1 if golive.blocking(found) else 0
