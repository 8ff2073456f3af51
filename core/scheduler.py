"""Timed work inside the workbench's server process (DuckDB: one writer process, stack-notes).

One `tick` publishes scheduled items that came due (also those that fell due while the
workbench was down, exactly once), reminds approvers of items waiting too long, once a day
reminds divisions of their stale columns (core.freshness) and of overdue expected publications
(core.duties), sends the
mail queue, rebuilds the portal when something went online, an office change (a column, a setting)
left it behind or a consultation's or interview's date boundary passed (core.portal.calendar), and seals
the audit log.
Once a day (and after each backup) the whole audit chain is walked and the result kept for 安全审计
(`check_audit_chain`; the page itself checks only what was sealed since). `maintenance` makes the daily
backup when its time has come (第二十条), checks the audit chain after it and forgets old sessions.
`Scheduler` runs ticks on a daemon thread with its own cursor; every second in between it seals freshly written audit rows and serves backup
requests from the command line. The workbench starts it once per process.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from pathlib import Path

import duckdb

from core import (
    access,
    audit,
    availability,
    backup,
    disclosure,
    duties,
    freshness,
    incidents,
    interaction,
    lexicon,
    linkcheck,
    mailer,
    notify,
    portal,
    search,
    sessions,
    settings,
    workflow,
)
from core.db import rows, scalar, transaction
from core.portal.resume import resume_interrupted_build

log = logging.getLogger(__name__)
SCREENING_SECONDS = 2.0  # of each tick, for screening published items (tick)


def remind_waiting(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> int:
    """E-mail the approvers of items waiting at one step longer than the office's limit (once per step)."""
    now = now or dt.datetime.now()
    limit = dt.timedelta(hours=settings.get(con, "approval_wait_hours"))
    sent = 0
    for item in rows(con, "SELECT id, title, chain, step, revision, lead_division_id, updated_at FROM articles "
                          "WHERE state = 'pending' AND updated_at <= ?", [now - limit]):
        role = item["chain"][item["step"] - 1]
        for user_id in notify.approver_ids(con, role, item["lead_division_id"]):
            key = f"wait:{item['id']}:r{item['revision']}:s{item['step']}:u{user_id}"
            if notify.enqueue(con, user_id, "approval.overdue", f"【审批超时提醒】{item['title']}",
                              f"稿件「{item['title']}」已在您的审批环节等待超过 {limit.total_seconds() / 3600:g} 小时,"
                              f"请尽快处理。\n{settings.get(con, 'workbench_url')}", dedup_key=key):
                sent += 1
    return sent


def once_per(con: duckdb.DuckDBPyConnection, job: str, period: str, run):
    """Run `run()` at the first tick of each `period` (a day, an hour…), and not again in it, also
    across a restart: the last period done is kept in site_state, written after a run that succeeded.
    Returns its result, or None when the period's run is done already."""
    if scalar(con, "SELECT value FROM site_state WHERE name = ?", [job]) == period:
        return None
    result = run()
    with transaction(con):
        con.execute("DELETE FROM site_state WHERE name = ?", [job])
        con.execute("INSERT INTO site_state (name, value) VALUES (?, ?)", [job, period])
    return result


def tick(con: duckdb.DuckDBPyConnection, site_dir: str | Path | None = None,
         now: dt.datetime | None = None) -> dict:
    now = now or dt.datetime.now()
    published = workflow.publish_due(con, now)
    # public messages near or past their deadline (第十九条): each reminder goes once per stage anyway;
    # hourly keeps the sweep off most ticks
    messages = once_per(con, "message_deadlines_checked", f"{now:%Y-%m-%d %H}",
                        lambda: interaction.remind_deadlines(con, now.date()))
    # applications for disclosure near or past their answer date (政府信息公开条例 第三十三条), the same way
    applications = once_per(con, "disclosure_deadlines_checked", f"{now:%Y-%m-%d %H}",
                            lambda: disclosure.remind_deadlines(con, now.date()))
    reminded = remind_waiting(con, now) + (messages or 0) + (applications or 0)
    # stale-column reminders (第二十七条(五)): once a day, at the first tick of the day
    stale = once_per(con, freshness.DAILY_KEY, now.date().isoformat(),
                     lambda: freshness.send_reminders(con, now.date()))
    # expected publications past the 第十七条 window (第二十七条(四)): the division is told once per record
    overdue = once_per(con, duties.DAILY_KEY, now.date().isoformat(), lambda: duties.remind_overdue(con, now.date()))
    # a consultation's or an interview's start or end passed: its page and its column's list say what the
    # calendar says now (征集已截止, no form link) without an office action, once per boundary (issue 17)
    calendar = portal.calendar_moved(con, site_dir, now) if site_dir is not None else []
    if site_dir is not None and (published or calendar or portal.outdated(con, site_dir)):
        built = portal.build_site(con, site_dir, full=False, now=now)
        search.reindex_in_background(site_dir, built.get("touched_years") or [])
    availability.probe_due(con, now)  # issue 15, visits: the portal's home page and a sample, at the office's interval
    links = linkcheck.run_due(con, site_dir, now)  # the weekly link check, with mail to the divisions (issue 15)
    mail = mailer.send_pending(con)
    # 网站自查 reads which published items the lexicons block; screening 100,000 takes a minute: a slice per
    # tick keeps what core.workflow keeps screened current, off the pages' runs (issue 16)
    workflow.blocked_published(con, budget=SCREENING_SECONDS)
    sealed = audit.seal(con)
    # the whole audit chain once a day (安全审计 checks only what came after its checkpoint, issue 16)
    chain = check_audit_chain(con, now).ok if audit.full_check_due(con, now) else None
    return {"published": published, "reminded": reminded, "mail": mail, "sealed": sealed,
            "stale_reminded": None if stale is None else len(stale["reminded"]), "links": links,
            "duties_overdue": overdue, "calendar": calendar, "audit_full_check": chain}


def check_audit_chain(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> audit.Verification:
    """The full walk of the audit chain (第二十条), recorded for 安全审计 with its time; a break opens a
    suggested 安全事件 (第二十三条), once per broken row."""
    checked = audit.check_full(con, now)
    if not checked.ok:
        incidents.suggest_incident(con, "audit_chain", checked.message, severity="较大",
                                   dedup_key=f"audit_chain:{checked.broken_seq}")
    return checked


def maintenance(con: duckdb.DuckDBPyConnection, site_dir: str | Path | None = None,
                now: dt.datetime | None = None) -> dict:
    """The daily backup at the office's time, then a check of the audit chain (第二十条)."""
    made = backup.run_due(con, site_dir, now)
    result: dict = {"backup": made.as_dict() if made else None}
    # issue 15, visits: the portal's access log (setting access_log_path), hourly
    if settings.get(con, "access_log_path"):
        result["access_log"] = once_per(con, access.SCHEDULE_KEY, f"{now or dt.datetime.now():%Y-%m-%d %H}",
                                        lambda: access.import_configured(con))
    if made is not None:  # once a day, with the backup: the full walk, unless a tick's walked it within the hour
        last = audit.last_full_check(con)
        recent = last is not None and not audit.full_check_due(con, now, hours=1)
        result["audit_ok"] = last.ok if recent and last is not None else check_audit_chain(con, now).ok
        result["sessions_pruned"] = sessions.prune(con, now)
        result["screening_incidents"] = suggest_screening_incidents(con)
    return result


def suggest_screening_incidents(con: duckdb.DuckDBPyConnection) -> list[int]:
    """A block found in published content opens a suggested incident for the webmaster (第二十三条),
    once per article revision and lexicon state."""
    token = lexicon.state(con)
    opened = []
    for article_id, revision, blocks in workflow.blocked_published(con):
        summary = f"已发布信息 #{article_id}(第 {revision} 版)含有不得上网的内容:" + ";".join(
            f.message for f in blocks[:3]) + " 请核实后在「信息管理」中撤下并处置。"
        incident = incidents.suggest_incident(con, "screening", summary, severity="较大",
                                              dedup_key=f"screening:{article_id}:r{revision}:{token[0]}")
        if incident is not None:
            opened.append(incident)
    return opened


class Scheduler:
    """Runs `tick` every `interval` seconds on a daemon thread with its own cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection, site_dir: str | Path | None, interval: float = 30.0,
                 backups: bool = False):
        self._con = con
        self._site_dir = site_dir
        self._interval = interval
        self._backups = backups
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="portal-scheduler", daemon=True)
        self.last: dict | None = None
        self.last_maintenance: dict | None = None
        self.resumed = None  # what resume_interrupted_build did at start (core.portal.resume.Resumed)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:

        cursor = self._con.cursor()
        if self._site_dir is not None:  # a publication killed half-way is finished first (issue 12, L1)

            try:
                self.resumed = resume_interrupted_build(cursor, self._site_dir)
            except Exception:  # the next publication's build tries again
                log.exception("resuming an interrupted portal build failed")
        next_tick = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + self._interval
                try:
                    self.last = tick(cursor, self._site_dir)
                    if self._backups:
                        self.last_maintenance = maintenance(cursor, self._site_dir)
                except Exception:  # keep the scheduler alive; the error goes to the server log
                    log.exception("scheduler tick failed")
            try:
                audit.seal_if_pending(cursor)
                if self._backups:
                    backup.serve_requests(cursor, self._site_dir)
            except Exception:
                log.exception("scheduler housekeeping failed")
            self._stop.wait(min(1.0, max(next_tick - time.monotonic(), 0.01)))
