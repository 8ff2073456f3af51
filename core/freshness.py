"""Column updates (第二十五、二十七条(五)): is each responsible column updated often enough?

Each column kind has an expected update interval (table `freshness_intervals`, data the office
edits; defaults from the national government-website check: news/dynamic 14 days, notice,
policy and open-information 182 days); a column can have its own interval or be exempt
(`column_freshness`). Decisions, documented here once:

* A column's last update is the latest publication, still online, in the column **or any of its
  sub-columns** (a parent column's page lists its children's items, as the public sees it).
* Not monitored: retired columns (and columns under a retired one), exempt columns, and kinds
  whose interval is empty. Interaction columns are monitored (issue 17, 0044): an opened 征集调查
  updates its column, so do an 在线访谈's announcement and its published transcript (0045), a published answer to a message the topmost interaction columns (the portal
  lists the answers there), so an interaction column with nothing in it is blank like any other.
* Status as of a day: `blank` (nothing ever published), `stale` (days since the last update
  exceed the interval), `due_soon` (within `freshness_due_soon_days` of the limit), else `fresh`.
* The home page is the latest publication anywhere on the site; it is stale after
  `freshness_home_days`. National veto flags: ≥ `freshness_veto_stale` stale columns,
  ≥ `freshness_veto_blank` blank columns, or a stale home page.
* Reminders (第二十七条(五) "经多次提醒"): once a day the scheduler reminds the officers and the
  head of the responsible division of every stale column (and every blank column older than its
  interval) — at most once per `stale_reminder_interval_days`, in-app (to-do) and by e-mail.
  A column's reminder count is the reminders sent after its last publication: publishing in the
  column resets it, and the history stays. With `stale_reminders_before_criticism` reminders and
  still stale, the column is a criticism candidate; the office may turn it into a criticism
  (core.evaluation, ground (五)). A column criticised since its last publication is no longer a
  candidate.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import audit, notify, permissions, settings
from core.db import row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)

ARTICLE = "第二十七条"
STATUS_LABELS = {"blank": "空白栏目", "stale": "超期未更新", "due_soon": "即将超期", "fresh": "正常"}
STATUS_ORDER = {"blank": 0, "stale": 1, "due_soon": 2, "fresh": 3}
DAILY_KEY = "freshness_reminded_on"


# ---------------------------------------------------------------- the office's intervals

def intervals(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every column kind with its interval (None: not monitored)."""
    return rows(con, """
        SELECT k.code AS kind, k.name, i.days
        FROM column_kinds k LEFT JOIN freshness_intervals i ON i.kind = k.code ORDER BY k.code""")


def _check_days(days, field: str) -> int | None:
    if days is None or (isinstance(days, str) and not days.strip()):
        return None
    try:
        value = int(str(days).strip())
    except ValueError:
        raise ValidationError(field, "必须是整数天数,或留空表示不监测", ARTICLE) from None
    if not 1 <= value <= 3660:
        raise ValidationError(field, "须在 1 至 3660 天之间", ARTICLE)
    return value


def set_interval(con: duckdb.DuckDBPyConnection, user, kind: str, days: int | None) -> None:
    """The office sets a column kind's update interval; None stops monitoring the kind."""
    permissions.require(user, "freshness.manage")
    value = _check_days(days, "更新期限(天)")
    if not scalar(con, "SELECT count(*) FROM column_kinds WHERE code = ?", [kind]):
        raise ValidationError("栏目类型", f"没有栏目类型 {kind}", ARTICLE)
    with transaction(con):
        con.execute("DELETE FROM freshness_intervals WHERE kind = ?", [kind])
        con.execute("INSERT INTO freshness_intervals (kind, days, updated_by) VALUES (?, ?, ?)",
                    [kind, value, user.id])
        audit.record(con, user, "freshness.interval", f"kind:{kind}", "不监测" if value is None else f"{value} 天")


def set_column_rule(con: duckdb.DuckDBPyConnection, user, column_id: int, interval_days: int | None = None,
                    exempt: bool = False, note: str = "") -> None:
    """A column's own interval (None: its kind's), or exempt from monitoring (with a note)."""
    permissions.require(user, "freshness.manage")
    value = _check_days(interval_days, "本栏目更新期限(天)")
    note = clean_text(note, multiline=True)
    if exempt and not note:
        raise ValidationError("说明", "免于监测须说明理由,例如“专题活动已结束”", ARTICLE)
    if not scalar(con, "SELECT count(*) FROM columns WHERE id = ?", [column_id]):
        raise NotFound(f"栏目 {column_id} 不存在")
    with transaction(con):
        con.execute("DELETE FROM column_freshness WHERE column_id = ?", [column_id])
        if value is not None or exempt:
            con.execute("INSERT INTO column_freshness (column_id, interval_days, exempt, note, updated_by) "
                        "VALUES (?, ?, ?, ?, ?)", [column_id, value, bool(exempt), note[:200], user.id])
        audit.record(con, user, "freshness.column", f"column:{column_id}",
                     f"期限={value or '按类型'} 免于监测={bool(exempt)} {note}")


def column_rules(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return rows(con, """
        SELECT f.column_id, c.name, c.kind, f.interval_days, f.exempt, f.note
        FROM column_freshness f JOIN columns c ON c.id = f.column_id ORDER BY c.position, c.id""")


# ---------------------------------------------------------------- the board

def _today(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


def _columns_with_updates(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict]:
    found = rows(con, """
        SELECT c.id, c.parent_id, c.name, c.slug, c.kind, c.division_id, d.name AS division, c.retired,
               c.created_at::DATE AS created_on, c.position,
               coalesce(f.interval_days, i.days) AS interval_days, coalesce(f.exempt, FALSE) AS exempt,
               p.own_last
        FROM columns c JOIN divisions d ON d.id = c.division_id
        LEFT JOIN (SELECT column_id, max(updated)::DATE AS own_last FROM (
                       SELECT column_id, published_at AS updated FROM articles WHERE public AND published_at < ?
                       UNION ALL SELECT column_id, opened_at FROM consultations WHERE opened_at < ?
                       UNION ALL SELECT column_id, announced_at FROM interviews WHERE announced_at < ?
                       UNION ALL SELECT column_id, published_at FROM interviews WHERE published_at < ?
                       UNION ALL SELECT t.id, m.published_at FROM messages m, columns t
                       WHERE m.published_at < ? AND t.kind = 'interaction' AND t.parent_id IS NULL
                   ) u GROUP BY column_id) p ON p.column_id = c.id
        LEFT JOIN freshness_intervals i ON i.kind = c.kind
        LEFT JOIN column_freshness f ON f.column_id = c.id
        ORDER BY d.position, c.position, c.id""", [dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())] * 5)
    by_id = {c["id"]: c for c in found}
    for column in found:  # the subtree's latest publication, and whether an ancestor is retired
        column["last_published_on"] = column["own_last"]
        column["retired_path"] = bool(column["retired"])
    for column in found:
        parent, seen = column["parent_id"], {column["id"]}
        while parent in by_id and parent not in seen:
            seen.add(parent)
            ancestor = by_id[parent]
            column["retired_path"] = column["retired_path"] or bool(ancestor["retired"])
            if column["own_last"] and (ancestor["last_published_on"] is None
                                       or column["own_last"] > ancestor["last_published_on"]):
                ancestor["last_published_on"] = column["own_last"]
            parent = ancestor["parent_id"]
    return found


def _grouped(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[int, list[dt.date]]:
    sent: dict[int, list[dt.date]] = {}
    for r in rows(con, "SELECT column_id, sent_on FROM freshness_reminders WHERE sent_on <= ? "
                       "ORDER BY column_id, sent_on", [as_of]):
        sent.setdefault(r["column_id"], []).append(r["sent_on"])
    return sent


def _criticised(con: duckdb.DuckDBPyConnection) -> dict[int, dt.date]:
    return {r["column_id"]: r["day"] for r in rows(
        con, "SELECT column_id, max(created_at)::DATE AS day FROM criticisms WHERE column_id IS NOT NULL "
             "GROUP BY column_id")}


def board(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None, division_id: int | None = None) -> list[dict]:
    """Every monitored column (optionally of one division) with its status as of a day: id, name,
    kind, division_id, division, interval_days, last_published_on, days_since, days_left, status,
    status_label, reminders (since the last publication), reminder_dates, candidate, criticised."""
    today = _today(as_of)
    due_soon = int(settings.get(con, "freshness_due_soon_days"))
    needed = int(settings.get(con, "stale_reminders_before_criticism"))
    sent = _grouped(con, today)
    criticised = _criticised(con)
    result = []
    for column in _columns_with_updates(con, today):
        if column["retired_path"] or column["exempt"] or column["interval_days"] is None:
            continue
        if division_id is not None and column["division_id"] != division_id:
            continue
        interval, last = int(column["interval_days"]), column["last_published_on"]
        if last is None:
            status, days_since, days_left = "blank", None, None
        else:
            days_since = (today - last).days
            days_left = interval - days_since
            status = "stale" if days_left < 0 else "due_soon" if days_left <= due_soon else "fresh"
        reminders = [d for d in sent.get(column["id"], []) if last is None or d > last]
        was_criticised = column["id"] in criticised and (last is None or criticised[column["id"]] >= last)
        result.append({
            "id": column["id"], "name": column["name"], "slug": column["slug"], "kind": column["kind"],
            "division_id": column["division_id"], "division": column["division"], "interval_days": interval,
            "last_published_on": last, "days_since": days_since, "days_left": days_left, "status": status,
            "status_label": STATUS_LABELS[status], "reminders": len(reminders), "reminder_dates": reminders,
            "remindable": _remindable(column, status, today),
            "candidate": status in ("stale", "blank") and len(reminders) >= needed and not was_criticised,
            "criticised": was_criticised,
        })
    return result


def _remindable(column: dict, status: str, today: dt.date) -> bool:
    """Stale columns, and blank ones older than their interval (a new column gets time to fill)."""
    if status == "stale":
        return True
    if status == "blank":
        created = column["created_on"] or today
        return (today - created).days > int(column["interval_days"])
    return False


def home_page(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> dict:
    """The latest publication anywhere on the site, days since, and whether the home page is stale."""
    today = _today(as_of)
    last = scalar(con, "SELECT max(published_at)::DATE FROM articles WHERE public AND published_at < ?",
                  [dt.datetime.combine(today + dt.timedelta(days=1), dt.time())])
    limit = int(settings.get(con, "freshness_home_days"))
    days_since = None if last is None else (today - last).days
    return {"last_published_on": last, "days_since": days_since, "interval_days": limit,
            "stale": days_since is None or days_since > limit}


def site_summary(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None,
                 columns: list[dict] | None = None) -> dict:
    """Counts by status for the whole site and the national veto flags (单项否决)."""
    today = _today(as_of)
    columns = board(con, today) if columns is None else columns
    counts = {status: sum(1 for c in columns if c["status"] == status) for status in STATUS_LABELS}
    home = home_page(con, today)
    veto_stale, veto_blank = int(settings.get(con, "freshness_veto_stale")), int(settings.get(con, "freshness_veto_blank"))
    reasons = []
    if counts["stale"] >= veto_stale:
        reasons.append(f"超期未更新栏目 {counts['stale']} 个(达到 {veto_stale} 个)")
    if counts["blank"] >= veto_blank:
        reasons.append(f"空白栏目 {counts['blank']} 个(达到 {veto_blank} 个)")
    if home["stale"]:
        since = "从未发布信息" if home["days_since"] is None else f"已 {home['days_since']} 天未更新"
        reasons.append(f"首页{since}(期限 {home['interval_days']} 天)")
    return {"as_of": today, "monitored": len(columns), "counts": counts, "home": home,
            "veto_stale": counts["stale"] >= veto_stale, "veto_blank": counts["blank"] >= veto_blank,
            "veto_home": home["stale"], "veto": bool(reasons), "veto_reasons": reasons,
            "candidates": sum(1 for c in columns if c["candidate"])}


def division_summary(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None,
                     columns: list[dict] | None = None) -> list[dict]:
    """Per division: monitored columns and how many are fresh, due soon, stale, blank."""
    columns = board(con, as_of) if columns is None else columns
    found: dict[int, dict] = {}
    for column in columns:
        entry = found.setdefault(column["division_id"], {
            "division_id": column["division_id"], "division": column["division"], "monitored": 0,
            **{status: 0 for status in STATUS_LABELS}, "reminders": 0, "candidates": 0})
        entry["monitored"] += 1
        entry[column["status"]] += 1
        entry["reminders"] += column["reminders"]
        entry["candidates"] += int(column["candidate"])
    return list(found.values())


def view_board(con: duckdb.DuckDBPyConnection, user, as_of: dt.date | None = None,
               division_id: int | None = None) -> list[dict]:
    """The board as this user may see it: the whole site, or their own division (第七、二十五条)."""
    permissions.require(user, "freshness.view", division_id)
    return board(con, as_of, division_id)


def criticism_candidates(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> list[dict]:
    return [c for c in board(con, as_of) if c["candidate"]]


def stale_count(con: duckdb.DuckDBPyConnection, division_id: int | None) -> int:
    """Columns of a division that were reminded and are still not updated (the division's to-do)."""
    if division_id is None:
        return 0
    today = _today(None)
    # Every run's sidebar asks, and the board reads every column's latest publication. A reminder
    # counts only when sent after its column's latest publication (its subtree's, and the own one
    # is part of that): without such a reminder the count is 0, and one cheap query says so.
    if not scalar(con, """
            SELECT count(*) FROM freshness_reminders r JOIN columns c ON c.id = r.column_id
            WHERE c.division_id = ? AND r.sent_on <= ? AND NOT EXISTS (
                SELECT 1 FROM articles a WHERE a.column_id = r.column_id AND a.public
                AND a.published_at::DATE >= r.sent_on AND a.published_at < ?)""",
                  [division_id, today, dt.datetime.combine(today + dt.timedelta(days=1), dt.time())]):
        return 0
    return sum(1 for c in board(con, today, division_id) if c["reminders"] and c["status"] in ("stale", "blank"))


# ---------------------------------------------------------------- reminders (第二十七条(五))

def recipients(con: duckdb.DuckDBPyConnection, division_id: int) -> list[int]:
    """The division's information officers and its head (first responsible person, 第十一条)."""
    return [r["id"] for r in rows(con, """
        SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
        WHERE u.active AND u.division_id = ? AND r.role IN ('officer', 'head') ORDER BY u.id""", [division_id])]


def send_reminders(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> dict:
    """Remind the divisions of their stale columns; idempotent per day (one reminder row per column
    and day, one e-mail per column, day and person). Returns the columns reminded and mails queued."""
    today = _today(today)
    every = int(settings.get(con, "stale_reminder_interval_days"))
    needed = int(settings.get(con, "stale_reminders_before_criticism"))
    url = settings.get(con, "workbench_url")
    reminded, mails = [], 0
    with transaction(con):
        for column in board(con, today):
            if not column["remindable"]:
                continue
            dates = column["reminder_dates"]
            if dates and (today - dates[-1]).days < every:
                continue  # reminded recently (also: already today)
            people = recipients(con, column["division_id"])
            count = len(dates) + 1
            con.execute(
                "INSERT INTO freshness_reminders (column_id, division_id, sent_on, last_published_on, days_since, "
                "recipients) VALUES (?, ?, ?, ?, ?, ?)",
                [column["id"], column["division_id"], today, column["last_published_on"], column["days_since"],
                 len(people)])
            since = ("至今从未发布信息" if column["last_published_on"] is None
                     else f"最近一次发布是 {column['last_published_on']}(已 {column['days_since']} 天)")
            warn = (f"本栏目已提醒 {count} 次仍未更新,已列为通报批评候选(第二十七条(五))。" if count >= needed
                    else f"经 {needed} 次提醒仍未更新的,将列为通报批评候选(第二十七条(五))。")
            body = (f"您处室负责的栏目「{column['name']}」{since},超过了 {column['interval_days']} 天的更新期限。"
                    f"这是第 {count} 次提醒,请尽快更新。{warn}\n{url}")
            for user_id in people:
                if notify.enqueue(con, user_id, "freshness.stale", f"【栏目更新提醒】{column['name']}", body,
                                  dedup_key=f"fresh:{column['id']}:{today}:u{user_id}"):
                    mails += 1
            audit.record(con, None, "freshness.remind", f"column:{column['id']}",
                         f"第 {count} 次提醒,{len(people)} 人")
            reminded.append({"column_id": column["id"], "count": count, "recipients": people})
    return {"day": today, "reminded": reminded, "mails": mails}


def reminders(con: duckdb.DuckDBPyConnection, column_id: int) -> list[dict]:
    return rows(con, "SELECT sent_on, last_published_on, days_since, recipients FROM freshness_reminders "
                     "WHERE column_id = ? ORDER BY sent_on DESC", [column_id])


def column(con: duckdb.DuckDBPyConnection, column_id: int, as_of: dt.date | None = None) -> dict:
    found = row(con, "SELECT division_id FROM columns WHERE id = ?", [column_id])
    if found is None:
        raise NotFound(f"栏目 {column_id} 不存在")
    for entry in board(con, as_of, found["division_id"]):
        if entry["id"] == column_id:
            return entry
    raise ValidationError("栏目", "该栏目不在更新监测范围内(已撤销、免于监测或属于互动类)", ARTICLE)
