"""Every finding of the security probe (issue 12) is guarded by at least one test that names it.

The security tests live in tests/test_security_*.py; the first line of each one's docstring starts with
the finding's id ("M1: …"). This test reads them (with ast, without importing) and fails when a finding
has lost its guard — for example when a test is deleted or renamed without its replacement.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

FINDINGS = {
    "M1": "anyone can close the public message desk without solving a CAPTCHA",
    "M2": "a small Word file ties up the workbench",
    "M3": "control characters in a title break the Atom feeds and 统计分析",
    "M4": "a tampered backup runs its own SQL",
    "M5": "formula injection in exports",
    "M6": "secrets in world-readable files",
    "L1": "kill -9 during a publication leaves the portal half-updated",
    "L2": "staff text rendered as Markdown, external images in previews",
    "L3": "an outsider can lock any account",
    "L4": "CLI tracebacks on deep JSONL, bad backups, a full disk",
    "L5": "no size limit on article bodies",
    "L6": "zero-width and bidi characters pass 'required'",
    "L7": "the losing side of a double approval is told it had approved",
    "L8": "active content accepted and served as attachments",
    "L9": "the public message page unreachable, the workbench cookie without flags",
    "L10": "LIKE wildcards in search boxes match everything",
}

TESTS = Path(__file__).parent


def guarded_findings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.glob("test_security_*.py")):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                doc = ast.get_docstring(node) or ""
                match = re.match(r"((?:[ML]\d+)(?:\s*/\s*[ML]\d+)*)\s*:", doc)
                for finding in re.findall(r"[ML]\d+", match.group(1)) if match else []:
                    found.setdefault(finding, []).append(f"{path.name}::{node.name}")
    return found


def test_every_finding_of_the_probe_has_a_test_that_names_it():
    guarded = guarded_findings()
    missing = {fid: what for fid, what in FINDINGS.items() if fid not in guarded}
    assert not missing, f"findings without a guarding test: {missing}"


def test_security_tests_name_only_known_findings():
    unknown = set(guarded_findings()) - set(FINDINGS)
    assert not unknown, f"tests name findings the probe did not report: {sorted(unknown)}"
