"""Portal URLs: where every page and file of the site lives (its URL scheme).

Imports from: the standard library only (the bottom of the portal package).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import quote

ANSWERS_URL = "/hudong/index.html"
CONTACT_URL = "/contact.html"  # 联系我们 (issue 15, identity)
STATEMENT_URL = "/statement.html"  # 网站声明
# 政府信息公开 (第十二条): the section's own pages
XXGK_URL = "/xxgk/index.html"
GUIDE_URL = "/xxgk/gkzn.html"
CATALOGUE_URL = "/xxgk/ml/index.html"
STATUTORY_URL = "/xxgk/fdzdgknr.html"
REPORTS_DIR = "/xxgk/ndbg"


def article_url(article_id: int, published_at: datetime | date) -> str:
    """``/art/<yyyy>/<mm>/<id>.html`` — year and month of first publication."""
    if published_at is None:
        raise ValueError("article_url needs the publication date")
    return f"/art/{published_at.year:04d}/{published_at.month:02d}/{int(article_id)}.html"


def answer_url(message_id: int, published_at: datetime | date) -> str:
    """``/art/<yyyy>/<mm>/hd<id>.html``: beside the articles of its month, so the same search
    shard indexes it (第十九条: answers are searchable like any page)."""
    return f"/art/{published_at.year:04d}/{published_at.month:02d}/hd{message_id}.html"


def consultation_url(consultation_id: int) -> str:
    """``/hudong/zjdc/<id>.html``: a 征集调查's page (issue 17)."""
    return f"/hudong/zjdc/{int(consultation_id)}.html"


def consultation_file_path(file_id: int, filename: str) -> str:
    """``/hudong/zjdc/files/<file id>/<filename>``: a file published with a 征集调查 (issue 17), unquoted."""
    return f"/hudong/zjdc/files/{int(file_id)}/{safe_filename(filename, file_id)}"


def consultation_file_url(file_id: int, filename: str) -> str:
    return f"/hudong/zjdc/files/{int(file_id)}/{quote(safe_filename(filename, file_id))}"


def interview_url(interview_id: int) -> str:
    """``/hudong/zxft/<id>.html``: an 在线访谈's page (issue 17)."""
    return f"/hudong/zxft/{int(interview_id)}.html"


# the paths above as patterns, for reading them back (visits per column in core/access.py)
COLUMN_PATH_PATTERN = r"^/col/([a-z0-9][a-z0-9-]*)/"
ARTICLE_PATH_PATTERN = r"^/art/\d{4}/\d{2}/(\d+)\.html$"


def column_url(slug: str, page: int = 1) -> str:
    """``/col/<slug>/index.html`` for page 1, ``/col/<slug>/index_<n>.html`` after."""
    if page < 1:
        raise ValueError("page numbers start at 1")
    name = "index.html" if page == 1 else f"index_{page}.html"
    return f"/col/{slug}/{name}"


def archive_url(slug: str, page: int) -> str:
    """``/col/<slug>/index_<n>.html``: a column's archive page ``n``, numbered from the oldest
    (portal.pages, stable pagination); the column's newest items are at ``column_url(slug)``."""
    if page < 1:
        raise ValueError("archive pages are numbered from 1")
    return f"/col/{slug}/index_{page}.html"


def answers_archive_url(page: int) -> str:
    """``/hudong/index_<n>.html``: the 留言答复 listing's archive page ``n``, numbered from the oldest like a
    column's (portal.pages.answers_listing); the newest answers are at ``ANSWERS_URL``."""
    if page < 1:
        raise ValueError("archive pages are numbered from 1")
    return f"/hudong/index_{page}.html"


def feed_url(slug: str | None = None) -> str:
    """The site-wide Atom feed, or a column's."""
    return f"/col/{slug}/feed.xml" if slug else "/feed.xml"


def attachment_url(attachment_id: int, filename: str) -> str:
    return f"/files/{int(attachment_id)}/{quote(safe_filename(filename, attachment_id))}"


def attachment_path(attachment_id: int, filename: str) -> str:
    """The unquoted output path of an attachment (what the Writer writes)."""
    return f"/files/{int(attachment_id)}/{safe_filename(filename, attachment_id)}"


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|#%]')


def safe_filename(filename: str, attachment_id: int) -> str:
    """An uploaded file name made safe as one path segment (keeps Chinese characters)."""
    name = _UNSAFE_NAME.sub("_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip().lstrip(".").strip()
    if not name:
        return f"attachment-{int(attachment_id)}"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    # most file systems limit a name to 255 bytes
    while len(name.encode("utf-8")) > 200 and stem:
        stem = stem[:-1]
        name = f"{stem}.{ext}" if ext else stem
    return name or f"attachment-{int(attachment_id)}"



def paged_url(folder: str, page: int = 1) -> str:
    """``<folder>/index.html`` for page 1, ``<folder>/index_<n>.html`` after."""
    if page < 1:
        raise ValueError("page numbers start at 1")
    return f"{folder}/index.html" if page == 1 else f"{folder}/index_{page}.html"


def topic_dir(topic_id: int) -> str:
    """公开目录 by 主题分类: ``/xxgk/zt/<topic id>/``."""
    return f"/xxgk/zt/{int(topic_id)}"


def year_dir(year: int) -> str:
    """公开目录 by year of publication: ``/xxgk/nd/<yyyy>/``."""
    return f"/xxgk/nd/{int(year):04d}"
