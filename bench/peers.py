"""The peers of the portal benchmark (issue 16): Hugo and Pagefind's plain build on the same content.

    .venv/bin/python bench/portal.py --articles 10000 --peers

``write_hugo_site`` exports the public articles of a DuckDB database (the ones our build renders)
as a Hugo site: ``content/<id>.md`` with front matter (title, date, column; ``columns``, the
column and the ancestors whose listings show it, as a taxonomy; ``url``, our article URL) and the
stored body HTML, and a minimal layout of comparable work: an article page (header, navigation,
meta, body, footer), a paginated list page per column (20 items a page, like ours), a home page,
and Hugo's own RSS feeds and sitemap. ``run_timed`` runs a command and reports wall seconds, CPU
seconds and peak memory (``os.wait4``'s ``ru_maxrss``).

What is not comparable: Hugo parses every body as Markdown (goldmark, raw HTML passed through),
which ours never does (bodies are stored sanitised HTML); ours writes things Hugo's layout does not
(previous/next links, breadcrumbs, withdrawal notices, the 政府信息公开 section, attachments, Atom
feeds per column, byte comparison against the files on disk). Hugo reads Markdown files; ours
reads DuckDB.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.portal.data import fetch_bodies, fetch_listings, load_site

HUGO = "hugo"
PAGEFIND = ("-m", "pagefind_bin")

_CONFIG = """baseURL = "https://www.sxit.gov.cn/"
languageCode = "zh-CN"
title = "陕西省工业和信息化厅"
paginate = 20
uglyURLs = true
rssLimit = 20
disableKinds = ["taxonomy", "section"]
ignoreErrors = ["error-disable-taxonomy"]
[taxonomies]
column = "columns"
[markup.goldmark.renderer]
unsafe = true
"""

_BASEOF = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ .Title }} - {{ site.Title }}</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body>
<header><a href="/">{{ site.Title }}</a>
<nav><ul>{{ range site.Data.nav }}<li><a href="/columns/{{ .slug }}.html">{{ .name }}</a></li>{{ end }}</ul></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>主办:{{ site.Title }}</p></footer>
</body>
</html>
"""

_SINGLE = """{{ define "main" }}<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<dl><dt>发布日期</dt><dd>{{ .Date.Format "2006-01-02" }}</dd><dt>所属栏目</dt><dd>{{ .Params.column }}</dd></dl>
<div class="article-body">{{ .Content }}</div>
</article>{{ end }}
"""

_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span>{{ .Date.Format "2006-01-02" }}</span></li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}{{ end }}
"""

_HOME = """{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range first 20 (site.RegularPages) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
<ul>{{ range site.Data.nav }}<li><a href="/columns/{{ .slug }}.html">{{ .name }}</a></li>{{ end }}</ul>{{ end }}
"""


@dataclass
class Run:
    seconds: float
    cpu: float
    peak_mb: float
    returncode: int
    output: str


def available() -> dict[str, str]:
    """Which peers can run here: name -> why not ('' when it can)."""
    missing = {}
    missing["hugo"] = "" if shutil.which(HUGO) else "hugo not found (Debian: apt-get install hugo)"
    try:
        import pagefind_bin  # noqa: F401  # deferred: optional, the benchmark only
        missing["pagefind"] = ""
    except ImportError:
        missing["pagefind"] = "pagefind's plain build not installed (pip install pagefind_bin)"
    return missing


def write_hugo_site(con: duckdb.DuckDBPyConnection, root: Path) -> int:
    """Export every public article of ``con`` into a Hugo site at ``root``; returns the articles."""
    if root.exists():
        shutil.rmtree(root)
    for folder in ("content/posts", "layouts/_default", "data"):
        (root / folder).mkdir(parents=True)
    (root / "config.toml").write_text(_CONFIG, encoding="utf-8")
    for name, text in (("baseof", _BASEOF), ("single", _SINGLE), ("list", _LIST)):
        (root / "layouts/_default" / f"{name}.html").write_text(text, encoding="utf-8")
    (root / "layouts/index.html").write_text(_HOME, encoding="utf-8")
    site = load_site(con)
    by_id = fetch_listings(con, site)
    nav = "\n".join(f'- slug: "{c.slug}"\n  name: "{c.name}"' for c in site.nav)
    (root / "data/nav.yaml").write_text(nav + "\n", encoding="utf-8")
    slugs = {c.id: c.slug for c in site.columns.values()}
    for body in fetch_bodies(con, by_id):
        item = by_id[body["id"]]
        terms = ", ".join(f'"{slugs[t]}"' for t in site.targets.get(item["column_id"], ()))
        title = item["title"].replace("\\", "\\\\").replace('"', '\\"')
        text = (f'---\ntitle: "{title}"\ndate: {item["published_at"].isoformat()}+08:00\n'
                f'column: "{item["column_name"]}"\ncolumns: [{terms}]\nurl: "{item["url"]}"\n---\n\n'
                f'{body["body_html"]}\n')
        (root / "content/posts" / f"{item['id']}.md").write_text(text, encoding="utf-8")
    return len(by_id)


def run_timed(args: list[str], cwd: Path | None = None) -> Run:
    """Run ``args``; wall and CPU seconds and the peak resident memory of the process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode("utf-8", "replace")  # read before waiting: a full pipe blocks it
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               proc.returncode, output)


def hugo_build(root: Path, public: Path | None = None) -> Run:
    """``hugo`` (render only) of the site in ``root`` into ``public`` (default ``root/public``, deleted just
    before; bench/portal.py ``--out-root`` passes a fresh folder instead, see its docstring)."""
    if public is None:
        public = root / "public"
        shutil.rmtree(public, ignore_errors=True)
    return run_timed([HUGO, "--quiet", "--source", str(root), "--destination", str(public)])


def pagefind_plain(site: Path, python: str) -> Run:
    """Pagefind's plain build over a rendered site."""
    return run_timed([python, *PAGEFIND, "--site", str(site)])
