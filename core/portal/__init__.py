"""The public portal (www.sxit.gov.cn) as static files, built from the database.

Pelican-style stages, one module each, each importing only from the ones above it:

- ``urls``    where every page and file lives (the URL scheme below)
- ``writer``  the ``Writer``: owns the output folder (atomic writes, one write per path per build)
- ``data``    ``load_site`` and the ``fetch_*`` readers: settings, column tree, public articles
- ``pages``   pure functions from that data to ``Page`` objects (path, template, plain-dict context)
- ``disclosure`` 政府信息公开: catalogue data of document pages, and the section's pages (read and made)
- ``render``  the templates and the one Jinja2 environment per process
- ``pool``    where pages are rendered: in this process, or in forked worker processes
- ``plan``    full or incremental, what to render, and the record of what was rendered
- ``redirects`` the record of every URL ever written, and a redirect where one is no longer served
- ``calendar`` the consultations' and interviews' phases the last build rendered, and which moved since
- ``build``   ``build_site``: the stages in one read transaction
- ``resume``  ``resume_interrupted_build``: finish at start a build killed half-way (imported as
  ``core.portal.resume``, not from here: it re-indexes search, and the command line's build should not
  import core.search and numpy, 0.08 s of its start, issue 16)

URL scheme: ``/index.html``, ``/col/<slug>/index.html``, ``/col/<slug>/index_<n>.html``,
``/col/<slug>/feed.xml``, ``/art/<yyyy>/<mm>/<id>.html``, ``/files/<attachment id>/<filename>``,
``/feed.xml``, ``/sitemap.xml`` (+ ``/sitemap-<n>.xml`` beyond 50,000 URLs), ``/sitemap.html``,
``/robots.txt``, ``/accessibility.html``, ``/contact.html`` (联系我们), ``/statement.html`` (网站声明),
``/search.html`` (when its template exists),
``/static/…`` (the uploaded 党政机关网站标识 as ``/static/dzjg-mark-<hash>.<ext>``), ``/404.html``; published answers at ``/art/<yyyy>/<mm>/hd<id>.html``, listed under
``/hudong/``; 政府信息公开 under ``/xxgk/``: ``index.html``, ``gkzn.html`` (公开指南), ``ml/index.html``
(公开目录), ``zt/<topic id>/index[_<n>].html`` and ``nd/<yyyy>/index[_<n>].html`` (its listings by
主题分类 and year), ``fdzdgknr.html`` (法定主动公开内容), ``ndbg/index[_<n>].html`` (年度报告).

Imports from: every module of the package; what callers use is named below.
"""

from core.portal.build import build_site
from core.portal.calendar import moved as calendar_moved
from core.portal.data import public_url
from core.portal.plan import STAMP_FILE, outdated, owed_build
from core.portal.urls import (
    ANSWERS_URL,
    answer_url,
    archive_url,
    article_url,
    attachment_url,
    column_url,
    feed_url,
    safe_filename,
)
from core.portal.writer import DuplicateOutput, Writer, remove_leftovers

__all__ = [
    "ANSWERS_URL",
    "STAMP_FILE",
    "DuplicateOutput",
    "Writer",
    "answer_url",
    "archive_url",
    "article_url",
    "attachment_url",
    "build_site",
    "calendar_moved",
    "column_url",
    "feed_url",
    "outdated",
    "owed_build",
    "public_url",
    "remove_leftovers",
    "safe_filename",
]
