"""Test-only: put this folder on PYTHONPATH of a workbench started by a browser test, and every
CAPTCHA it draws shows the digits in PORTAL_TEST_CAPTCHA, so the test can type them. Production
never has this folder on its path; the page itself has no way to fix the digits."""

import os
import sys
from pathlib import Path

_digits = os.environ.get("PORTAL_TEST_CAPTCHA")
if _digits:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, before the cwd is on the path
    from core import humancheck

    humancheck._random_answer = lambda length: _digits
