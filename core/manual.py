"""使用帮助 (第十条(二)(三)): the user manual, one Markdown file per workbench page in docs/manual/.

The office and the technical-support unit change the manual by editing those files, without code: a page's
title is its first heading; its screenshots are docs/manual/images/<name>.png, which the browser stories
write (tests/browser.py manual_shot), so they show the workbench as it is.

Search is a plain substring match over NFKC-normalised, lower-cased text (core.search.normal): every
space-separated part of the query must occur in the page. A few dozen short pages need no index, and a
substring match finds 第十四条 or 退回 exactly as typed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from core.errors import NotFound
from core.search import normal

MANUAL_DIR = Path(__file__).resolve().parent.parent / "docs" / "manual"
IMAGES_DIR = MANUAL_DIR / "images"
START = "getting-started"  # 新手入门: where a new officer's first sign-in points
KEY = re.compile(r"[a-z][a-z0-9_-]*")
IMAGE = re.compile(r"^!\[([^\]]*)\]\(images/([A-Za-z0-9_-]+)\.png\)\s*$")
LINK = re.compile(r"\]\(([a-z][a-z0-9_-]*)\.md\)")


class ManualPage(NamedTuple):
    key: str
    title: str
    text: str


class Hit(NamedTuple):
    key: str
    title: str
    excerpt: str  # the line the first part of the query was found in


def _path(key: str, root: Path) -> Path:
    if not KEY.fullmatch(key or ""):
        raise NotFound(f"使用帮助中没有「{key}」这一页。")
    return root / f"{key}.md"


def _title(text: str, key: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return key


def keys(root: Path = MANUAL_DIR) -> list[str]:
    """The manual's pages: 新手入门 first, then the others by file name."""
    found = sorted(p.stem for p in root.glob("*.md") if KEY.fullmatch(p.stem))
    return sorted(found, key=lambda k: k != START)


def read(key: str, root: Path = MANUAL_DIR) -> ManualPage:
    """One page of the manual; a key with no page is refused by name."""
    path = _path(key, root)
    if not path.is_file():
        raise NotFound(f"使用帮助中没有「{key}」这一页。")
    text = path.read_text(encoding="utf-8")
    return ManualPage(key, _title(text, key), text)


def pages(root: Path = MANUAL_DIR) -> list[ManualPage]:
    return [read(key, root) for key in keys(root)]


def search(query: str, root: Path = MANUAL_DIR) -> list[Hit]:
    """The pages in which every space-separated part of the query occurs (NFKC, case ignored): those
    whose title has the first part first, then those that name the parts most often."""
    parts = normal(query or "").split()
    if not parts:
        return []
    hits = []
    for page in pages(root):
        body = normal(page.text)
        if all(part in body for part in parts):
            line = next((ln for ln in page.text.splitlines() if parts[0] in normal(ln)), page.title)
            rank = (parts[0] not in normal(page.title), -sum(body.count(part) for part in parts))
            hits.append((rank, Hit(page.key, page.title, plain(line))))
    return [hit for _, hit in sorted(hits, key=lambda h: h[0])]


def plain(line: str) -> str:
    """A line of Markdown as the words it shows: links to their text, no table bars, marks or list signs."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
    text = re.sub(r"\*\*|`", "", text).replace("|", " ")
    return re.sub(r"\s+", " ", re.sub(r"^[#\s\-*\d.]*", "", text)).strip()


class Block(NamedTuple):
    kind: str  # "text": Markdown for st.markdown; "image": a screenshot for st.image
    body: str  # the Markdown, or the image's file path
    caption: str = ""


def blocks(text: str, root: Path = MANUAL_DIR) -> list[Block]:
    """A page cut into Markdown text and screenshots. A screenshot is a line of its own,
    ``![说明](images/<name>.png)``, and only from the manual's images folder; a link to another page of the
    manual, ``[标题](<key>.md)``, becomes the manual page's address (``manual?page=<key>``). The page shows
    the text with st.markdown without raw HTML, so nothing in a file can run in the browser."""
    out: list[Block] = []
    chunk: list[str] = []
    for line in text.splitlines():
        found = IMAGE.match(line)
        if found is None:
            chunk.append(LINK.sub(r"](manual?page=\1)", line))
            continue
        if chunk:
            out.append(Block("text", "\n".join(chunk)))
            chunk = []
        out.append(Block("image", str(root / "images" / f"{found.group(2)}.png"), found.group(1)))
    if chunk:
        out.append(Block("text", "\n".join(chunk)))
    return out


def images(text: str) -> list[str]:
    """The screenshot names a page shows (for the test that each is made by a browser story)."""
    return [m.group(2) for m in map(IMAGE.match, text.splitlines()) if m]


def seen(con, user_id: int) -> bool:
    """Whether this account has opened the manual (until then the home page points to 新手入门)."""
    return con.execute("SELECT count(*) FROM manual_seen WHERE user_id = ?", [user_id]).fetchone()[0] > 0


def mark_seen(con, user_id: int) -> None:
    if not seen(con, user_id):
        con.execute("INSERT INTO manual_seen (user_id) VALUES (?) ON CONFLICT DO NOTHING", [user_id])
