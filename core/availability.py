"""站点可用性: the workbench probes the public portal (站点无法访问 is a veto of the national inspection).

At each interval (setting probe_interval_minutes, once the office enables it: probe_enabled) the home page and
the latest articles' pages are fetched from the address the workbench reaches the portal at (probe_base_url,
empty = site_url); status and latency go to site_probes. When the home page fails probe_fail_threshold probes
in a row a suggested 安全事件 is opened, one per outage (its key is the outage's first failed probe), and when
the home page answers again the incident gets a note saying so (第二十三条).

Imports from core.incidents, core.settings, core.permissions, core.portal (data, urls) and core.db.
"""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
import urllib.request

import duckdb

from core import incidents, settings
from core.db import rows, scalar, transaction
from core.permissions import require
from core.portal.data import LIVE
from core.portal.urls import article_url

SAMPLE = 3  # the latest articles' pages probed beside the home page
TIMEOUT = 10.0  # seconds a page may take before it counts as no answer
READ_LIMIT = 4 * 1024 * 1024
# the probe names itself a robot ("bot" is in the default robot list), so it never counts as a visit (core/access.py)
AGENT = "Mozilla/5.0 (compatible; sxit-workbench-availability-bot)"
KIND = "availability"


def base_url(con: duckdb.DuckDBPyConnection) -> str:
    return str(settings.get(con, "probe_base_url") or settings.get(con, "site_url")).rstrip("/")


def targets(con: duckdb.DuckDBPyConnection) -> list[tuple[str, bool]]:
    """(url, home) of this round: the home page first, then the latest public articles."""
    base = base_url(con)
    latest = con.execute(f"SELECT a.id, coalesce(a.published_at, a.updated_at) AS since {LIVE} ORDER BY since DESC LIMIT ?",
                         [SAMPLE]).fetchall()
    return [(base + "/", True)] + [(base + article_url(i, since), False) for i, since in latest]


def fetch(url: str, timeout: float = TIMEOUT) -> dict:
    """One GET: {status (0 = no answer), ok, latency_ms (None without an answer), detail in Chinese}."""
    began = time.perf_counter()
    request = urllib.request.Request(url, headers={"User-Agent": AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (the office's own address)
            answer.read(READ_LIMIT)
            status = answer.status
    except urllib.error.HTTPError as exc:
        return {"status": exc.code, "ok": False, "latency_ms": _since(began), "detail": f"服务器答复错误 {exc.code}"}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return {"status": 0, "ok": False, "latency_ms": None, "detail": _no_answer(exc)}
    return {"status": status, "ok": 200 <= status < 400, "latency_ms": _since(began), "detail": ""}


def _since(began: float) -> int:
    return round((time.perf_counter() - began) * 1000)


def _no_answer(exc: Exception) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return f"连接超时({TIMEOUT:g} 秒内无响应)"
    if isinstance(reason, ConnectionRefusedError):
        return "连接被拒绝(服务器未运行或端口未开放)"
    if isinstance(exc, ValueError):
        return "监测地址无效,请检查“监测用门户地址”或“网站地址”设置"
    return "无法连接(域名解析失败或网络不通)"


def probe(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> list[dict]:
    """One round: probe, keep the results, open or annotate the outage's incident. Returns the results."""
    now = now or dt.datetime.now()
    (home_url, _), *sample = targets(con)
    results = [{"url": home_url, "home": True, **fetch(home_url)}]
    if results[0]["status"]:  # no answer from the server: the sample would only add time-outs to the tick
        results += [{"url": url, "home": False, **fetch(url)} for url, _ in sample]
    with transaction(con):
        for r in results:
            con.execute("INSERT INTO site_probes (probed_at, url, home, status, ok, latency_ms, detail) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [now, r["url"], r["home"], r["status"], r["ok"], r["latency_ms"], r["detail"]])
    _follow_outage(con, now, results[0])
    return results


def probe_due(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> list[dict] | None:
    """The scheduler's call: a round when the office enabled the probes and the interval has passed."""
    if not settings.get(con, "probe_enabled"):
        return None
    now = now or dt.datetime.now()
    last = scalar(con, "SELECT max(probed_at) FROM site_probes WHERE home")
    if last is not None and now - last < dt.timedelta(minutes=settings.get(con, "probe_interval_minutes")):
        return None
    return probe(con, now)


def _outage_start(con, now: dt.datetime) -> tuple[dt.datetime | None, int]:
    """The first failed home probe since the last good one, and how many failed since (up to `now`)."""
    last_ok = scalar(con, "SELECT max(probed_at) FROM site_probes WHERE home AND ok AND probed_at <= ?", [now])
    found = con.execute("SELECT min(probed_at), count(*) FROM site_probes WHERE home AND NOT ok AND probed_at <= ? "
                        "AND probed_at > coalesce(?, TIMESTAMP '1970-01-01')", [now, last_ok]).fetchone()
    return found[0], int(found[1])


def _key(start: dt.datetime) -> str:
    return f"{KIND}:{start:%Y%m%d%H%M%S}"


def _follow_outage(con, now: dt.datetime, home: dict) -> None:
    if not home["ok"]:
        start, failures = _outage_start(con, now)
        if failures >= settings.get(con, "probe_fail_threshold"):
            incidents.suggest_incident(
                con, KIND, f"门户首页 {home['url']} 自 {start:%Y-%m-%d %H:%M} 起连续 {failures} 次监测无法访问"
                f"(最近一次:{home['detail']})。站点无法访问属于全国政府网站检查的单项否决指标,"
                "请技术支持单位立即排查处置(第二十三条)。",
                title="门户网站首页无法访问", severity="较大", dedup_key=_key(start), discovered_at=start)
        return
    previous = con.execute("SELECT probed_at, ok FROM site_probes WHERE home AND probed_at < ? "
                           "ORDER BY probed_at DESC LIMIT 1", [now]).fetchone()
    if previous is None or previous[1]:
        return
    start, failures = _outage_start(con, previous[0])
    minutes = round((now - start).total_seconds() / 60)
    incidents.note_from_system(con, _key(start), f"{now:%Y-%m-%d %H:%M} 监测到门户首页恢复访问(状态 {home['status']},"
                               f"响应 {home['latency_ms']} 毫秒);此前连续 {failures} 次无法访问,中断约 {minutes} 分钟。")


def home_failures(con: duckdb.DuckDBPyConnection, since: dt.datetime, slow_ms: int) -> tuple[int, int]:
    """How many times the home page was probed since `since`, and how many of them failed: no answer, an
    error, or an answer after `slow_ms` (the national indicator counts a page that slow as not opening)."""
    found = con.execute("SELECT count(*), count(*) FILTER (WHERE NOT ok OR coalesce(latency_ms, 0) >= ?) "
                        "FROM site_probes WHERE home AND probed_at >= ?", [slow_ms, since]).fetchone()
    return int(found[0]), int(found[1])


# ---------------------------------------------------------------- 运行概览

def recent(con: duckdb.DuckDBPyConnection, actor, days: int = 30, today: dt.date | None = None) -> dict:
    """The last `days` days for 运行概览: availability per day, latency per hour (home page and the others),
    the latest failures."""
    require(actor, "overview.view")
    today = today or dt.date.today()
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time())
    per_day = rows(con, """
        SELECT probed_at::DATE AS day, count(*) AS probes, count(*) FILTER (WHERE ok) AS ok,
               round(100.0 * count(*) FILTER (WHERE ok) / count(*), 2) AS availability,
               round(avg(latency_ms) FILTER (WHERE ok)) AS latency_ms
        FROM site_probes WHERE home AND probed_at >= ? GROUP BY day ORDER BY day""", [since])
    latency = rows(con, "SELECT date_trunc('hour', probed_at) AS hour, home, round(avg(latency_ms)) AS latency_ms "
                        "FROM site_probes WHERE ok AND probed_at >= ? GROUP BY hour, home ORDER BY hour, home", [since])
    failures = rows(con, "SELECT probed_at, url, home, status, detail FROM site_probes WHERE NOT ok AND probed_at >= ? "
                         "ORDER BY probed_at DESC LIMIT 20", [since])
    probes, ok = sum(d["probes"] for d in per_day), sum(d["ok"] for d in per_day)  # the days add up to the period
    return {"enabled": bool(settings.get(con, "probe_enabled")), "base_url": base_url(con),
            "interval": settings.get(con, "probe_interval_minutes"), "per_day": per_day, "latency": latency,
            "failures": failures, "probes": int(probes),
            "availability": round(100.0 * ok / probes, 2) if probes else None}
