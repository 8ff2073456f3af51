"""访问统计: visits to the public portal, read from the web server's own logs (nginx, combined format).

A log is read whole by DuckDB (read_csv with one column, regexp_extract over the lines: no Python loop per
line) and only its lines not read before are kept (access_files: the log is known by a hash of its first line,
which survives a rotation's rename and gzip). The figures are computed when asked for, from the raw hits, with
the definitions the page states (DEFINITIONS), so a change to the office's robot list applies to past visits too.

Imports from core.audit, core.settings, core.permissions, core.portal.urls and core.db.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from core import audit, settings
from core.db import rows, scalar, transaction
from core.errors import ValidationError
from core.permissions import require
from core.portal.urls import ARTICLE_PATH_PATTERN, COLUMN_PATH_PATTERN

DEFINITIONS = (
    "浏览量:以“获取”方式请求(不含提交表单等其他方式)、服务器答复 200(成功)或 304(未修改,浏览器使用缓存)、"
    "地址(去掉问号后的查询参数)以“/”或“.html”结尾的页面,按地址计数,不含网络爬虫的请求;"
    "网络爬虫:浏览器标识中含有系统设置“网络爬虫标识词”中任一词的请求(不分大小写);"
    "访客:统计期间内浏览过页面的不同“网络地址 + 浏览器标识”组合,同一组合只计一次。"
)
SCHEDULE_KEY = "access_log_imported"  # site_state: the hour whose log import is done
# nginx's combined format: $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
# "$http_referer" "$http_user_agent" (nginx escapes quotes and control bytes inside the strings). A line is
# checked whole by a pattern without captures (RE2 answers that without backtracking) and then cut at its
# quotes: captures over a million lines took most of an import.
_QUOTED = r'"(?:[^"\\]|\\.)*"'
LINE_PATTERN = rf'^\S+ \S+ \S+ \[[^\]]+\] {_QUOTED} \d{{3}} (?:\d+|-) {_QUOTED} {_QUOTED}$'
_NEVER = r"[^\s\S]"  # a pattern no agent matches: the office emptied the robot list

_READ = ("read_csv(?, columns = {'line': 'VARCHAR'}, delim = '\x01', header = false, quote = '', escape = '', "
         "auto_detect = false, compression = ?, max_line_size = 1048576, strict_mode = false, new_line = '\\n')")
# p: the line cut at its quotes (an escaped quote set aside as chr(2) first): [1] address, user and time,
# [2] the request, [3] status and size, [4] referrer, [6] agent
_INSERT = """
    INSERT INTO access_hits
    SELECT requested_at, client, method, path, status, bytes, referrer, agent, ?, n
    FROM (SELECT n, split_part(p[1], ' ', 1) AS client,
                 try_strptime(substr(p[1], strpos(p[1], '[') + 1, strpos(p[1], ']') - strpos(p[1], '[') - 1),
                              '%d/%b/%Y:%H:%M:%S %z')::TIMESTAMP AS requested_at,
                 split_part(p[2], ' ', 1) AS method, split_part(split_part(p[2], ' ', 2), '?', 1) AS path,
                 split_part(trim(p[3]), ' ', 1)::SMALLINT AS status,
                 coalesce(TRY_CAST(split_part(trim(p[3]), ' ', 2) AS BIGINT), 0) AS bytes,
                 CASE WHEN p[4] = '-' THEN '' ELSE replace(p[4], chr(2), '\\"') END AS referrer,
                 CASE WHEN p[6] = '-' THEN '' ELSE replace(p[6], chr(2), '\\"') END AS agent
          FROM (SELECT rowid + 1 AS n, string_split(CASE WHEN contains(line, '\\"')
                                                            THEN replace(line, '\\"', chr(2)) ELSE line END, '"') AS p FROM access_raw
                WHERE rowid >= ? AND rowid < ? AND regexp_matches(line, ?)))
    WHERE requested_at IS NOT NULL"""


def _opener(path: Path):
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return (gzip.open if gzipped else open), gzipped


def fingerprint(path: str | Path) -> str | None:
    """The log's identity: a hash of its first line, the same after a rotation renames or gzips it
    (None for an empty log: nothing to read yet)."""
    opener, _ = _opener(Path(path))
    with opener(path, "rb") as handle:
        first = handle.readline()
    return hashlib.sha256(first).hexdigest() if first else None


def _complete_lines(path: Path, gzipped: bool, total: int) -> int:
    """A plain log being written may end in half a line: it is read next time, whole."""
    if gzipped or total == 0:
        return total
    with open(path, "rb") as handle:
        handle.seek(-1, 2)
        return total if handle.read(1) == b"\n" else total - 1


def import_file(con: duckdb.DuckDBPyConnection, path: str | Path) -> dict:
    """Read one log (plain or gzip) and keep its lines not read before; malformed lines are counted.
    Returns {file, lines (new lines read), hits (kept), malformed, skipped (read before)}."""
    path = Path(path)
    key = fingerprint(path)
    if key is None:
        return {"file": str(path), "lines": 0, "hits": 0, "malformed": 0, "skipped": 0}
    _, gzipped = _opener(path)
    con.execute(f"CREATE OR REPLACE TEMP TABLE access_raw AS SELECT line FROM {_READ}",
                [str(path), "gzip" if gzipped else "none"])
    try:
        total = _complete_lines(path, gzipped, scalar(con, "SELECT count(*) FROM access_raw"))
        done = scalar(con, "SELECT lines FROM access_files WHERE fingerprint = ?", [key]) or 0
        fresh = max(total - done, 0)
        with transaction(con):
            kept = con.execute(_INSERT, [key, done, total, LINE_PATTERN]).fetchone()[0] if fresh else 0
            con.execute("""
                INSERT INTO access_files (fingerprint, name, lines, malformed, imported_at)
                VALUES (?, ?, ?, ?, current_localtimestamp())
                ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name, lines = excluded.lines,
                    malformed = access_files.malformed + excluded.malformed, imported_at = excluded.imported_at""",
                        [key, str(path), max(total, done), fresh - kept])
            if fresh:
                audit.record(con, None, "access.import", f"access_file:{key[:12]}",
                             f"导入访问日志 {path.name}:新读 {fresh} 行,计入 {kept} 条,格式不符 {fresh - kept} 行")
    finally:
        con.execute("DROP TABLE IF EXISTS access_raw")
    return {"file": str(path), "lines": fresh, "hits": kept, "malformed": fresh - kept, "skipped": min(done, total)}


def import_files(con: duckdb.DuckDBPyConnection, paths: list[str | Path]) -> list[dict]:
    return [import_file(con, path) for path in paths]


def import_configured(con: duckdb.DuckDBPyConnection) -> list[dict] | None:
    """The scheduler's import of the office's log (setting access_log_path; empty = off), with its
    rotated predecessor (`.1`), so the lines written just before a rotation are not lost."""
    configured = settings.get(con, "access_log_path")
    if not configured:
        return None
    found = [p for p in (Path(configured + ".1"), Path(configured)) if p.is_file()]
    return import_files(con, found)


# ---------------------------------------------------------------- figures

def robot_pattern(con: duckdb.DuckDBPyConnection) -> str:
    """The office's robot words (access_robot_words) as one case-insensitive pattern."""
    words = [w.strip().lower() for w in re.split(r"[,,\s]+", settings.get(con, "access_robot_words")) if w.strip()]
    return "(?i)" + "|".join(re.escape(w) for w in words) if words else _NEVER


def _bounds(start: dt.date, end: dt.date) -> list[dt.datetime]:
    return [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())]


_PAGE_VIEW = ("method = 'GET' AND status IN (200, 304) AND (path LIKE '%/' OR path LIKE '%.html') "
              "AND NOT regexp_matches(agent, ?)")


def _views(con, start: dt.date, end: dt.date) -> tuple[str, list]:
    """The period's page views as a sub-query and its parameters."""
    return (f"(SELECT * FROM access_hits WHERE requested_at >= ? AND requested_at < ? AND {_PAGE_VIEW})",
            [*_bounds(start, end), robot_pattern(con)])


def totals(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> dict:
    """{page_views, visitors} of the period, both ends included (the yearly report's 网站总访问量 and
    独立用户访问总量)."""
    views, params = _views(con, start, end)
    found = con.execute(f"SELECT count(*), count(DISTINCT (client, agent)) FROM {views}", params).fetchone()
    return {"page_views": int(found[0]), "visitors": int(found[1])}


def top_pages(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, limit: int = 20) -> list[dict]:
    views, params = _views(con, start, end)
    return rows(con, f"SELECT path, count(*) AS page_views FROM {views} GROUP BY path "
                     "ORDER BY page_views DESC, path LIMIT ?", [*params, limit])


def report(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, top: int = 20) -> dict:
    """What `python -m core access report --json` prints."""
    return {**totals(con, start, end), "top_pages": top_pages(con, start, end, top)}


def per_day(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> list[dict]:
    """Page views and visitors of each day of the period (days without any included, as zero)."""
    views, params = _views(con, start, end)
    return rows(con, f"""
        SELECT d::DATE AS day, coalesce(v.page_views, 0) AS page_views, coalesce(v.visitors, 0) AS visitors
        FROM range(?::DATE, ?::DATE + 1, INTERVAL 1 DAY) t(d)
        LEFT JOIN (SELECT requested_at::DATE AS day, count(*) AS page_views,
                          count(DISTINCT (client, agent)) AS visitors
                   FROM {views} GROUP BY day) v ON v.day = d::DATE
        ORDER BY day""", [start, end, *params])


def top_columns(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, limit: int = 20) -> list[dict]:
    """Page views by column: a column's own pages and its articles' pages (core/portal/urls.py)."""
    views, params = _views(con, start, end)
    return rows(con, f"""
        WITH v AS (SELECT regexp_extract(path, ?, 1) AS slug,
                          TRY_CAST(regexp_extract(path, ?, 1) AS INTEGER) AS article_id FROM {views})
        SELECT c.name AS column_name, count(*) AS page_views
        FROM v LEFT JOIN articles a ON a.id = v.article_id
        JOIN columns c ON c.slug = v.slug OR c.id = a.column_id
        GROUP BY c.name ORDER BY page_views DESC, c.name LIMIT ?""",
                [COLUMN_PATH_PATTERN, ARTICLE_PATH_PATTERN, *params, limit])


def entry_pages(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, limit: int = 20) -> list[dict]:
    """The first page of each visitor's day, counted by page."""
    views, params = _views(con, start, end)
    return rows(con, f"""
        SELECT path, count(*) AS entries FROM (
            SELECT arg_min(path, requested_at) AS path FROM {views}
            GROUP BY client, agent, requested_at::DATE)
        GROUP BY path ORDER BY entries DESC, path LIMIT ?""", [*params, limit])


def own_hosts(con: duckdb.DuckDBPyConnection) -> list[str]:
    hosts = {urlsplit(settings.get(con, name) or "").hostname for name in ("site_url", "probe_base_url")}
    return sorted(h.lower() for h in hosts if h)


def referrers(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, limit: int = 20) -> list[dict]:
    """Other sites whose links brought page views (the portal's own addresses left out)."""
    views, params = _views(con, start, end)
    return rows(con, f"""
        SELECT host, count(*) AS page_views FROM (
            SELECT lower(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#@]+)', 1)) AS host FROM {views})
        WHERE host <> '' AND NOT list_contains(?, host)
        GROUP BY host ORDER BY page_views DESC, host LIMIT ?""", [*params, own_hosts(con), limit])


def not_found(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, limit: int = 50) -> list[dict]:
    """Addresses answered 404 (inbound broken links), with the page that linked there most often."""
    return rows(con, """
        SELECT path, count(*) AS hits, mode(nullif(referrer, '')) AS referrer, max(requested_at) AS last_at
        FROM access_hits WHERE requested_at >= ? AND requested_at < ? AND status = 404
        GROUP BY path ORDER BY hits DESC, path LIMIT ?""", [*_bounds(start, end), limit])


def robots(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> dict:
    """All requests of the period and those made by robots (their share, 0 when there was none)."""
    found = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE regexp_matches(agent, ?))
        FROM access_hits WHERE requested_at >= ? AND requested_at < ?""",
                        [robot_pattern(con), *_bounds(start, end)]).fetchone()
    return {"requests": int(found[0]), "robot_requests": int(found[1]),
            "share": found[1] / found[0] if found[0] else 0.0}


def imported(con: duckdb.DuckDBPyConnection) -> dict:
    """What has been read so far: logs, lines, malformed lines, the span of the hits."""
    files = con.execute("SELECT count(*), coalesce(sum(lines), 0), coalesce(sum(malformed), 0), max(imported_at) "
                        "FROM access_files").fetchone()
    span = con.execute("SELECT min(requested_at), max(requested_at) FROM access_hits").fetchone()
    return {"files": files[0], "lines": int(files[1]), "malformed": int(files[2]), "last_import": files[3],
            "first_hit": span[0], "last_hit": span[1]}


def dashboard(con: duckdb.DuckDBPyConnection, actor, start: dt.date, end: dt.date) -> dict:
    """Everything 统计分析 → 访问统计 shows for the period (第二十五条: the office's statistics)."""
    require(actor, "stats.view")
    if end < start:
        raise ValidationError("统计期间", "结束日期不能早于开始日期")
    return {"totals": totals(con, start, end), "per_day": per_day(con, start, end),
            "top_pages": top_pages(con, start, end), "top_columns": top_columns(con, start, end),
            "entry_pages": entry_pages(con, start, end), "referrers": referrers(con, start, end),
            "not_found": not_found(con, start, end), "robots": robots(con, start, end),
            "imported": imported(con)}
