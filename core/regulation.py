"""The regulation (门户网站管理办法), readable inside the workbench (第二十八条)."""

from __future__ import annotations

import re
from importlib import resources

ARTICLE_RULE = re.compile(r"^(第[一二三四五六七八九十]+条)")


def text() -> str:
    return resources.files("core").joinpath("regulation-zh-CN.txt").read_text(encoding="utf-8")


def articles() -> list[tuple[str, str]]:
    """(第N条, its text) in order; chapter headings are kept with the article that follows."""
    found: list[tuple[str, str]] = []
    for line in text().splitlines():
        line = line.strip()
        match = ARTICLE_RULE.match(line)
        if match:
            found.append((match.group(1), line))
        elif found and line and not line.startswith("第") :
            found[-1] = (found[-1][0], found[-1][1] + "\n" + line)
    return found


def article(label: str) -> str | None:
    return dict(articles()).get(label)
