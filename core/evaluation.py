"""The year-end evaluation (第二十五至二十七条): scores, ranking, awards and criticisms.

Scores. Each division (kind 'division' or 'office') gets, for the year, seven measures between 0
and 1, combined with weights the office edits (table `evaluation_weights`):

* quantity — items it led that went online in the year, against the division with the most;
* timeliness — share of measured items published on time (core.timeliness, 第十七条);
* accuracy — 1 − (returns + take-downs + corrections after publication) / items published;
* standard — share of published items without a screening finding acknowledged by an approver;
* interaction — share of messages routed to it, due in the year, answered by their due date;
* freshness — share of its monitored columns neither stale nor blank at year end (core.freshness);
* satisfaction — share of its answers the public rated 满意 or 基本满意, of those rated in the year
  (core.stats.satisfaction, 第二十六条(二) "获得机关和社会较好评价").

A measure without data (no item measured, no message due, no column monitored) is left out and
the other weights are scaled up, so a division is not punished nor rewarded for what it did not
have to do. score = 100 × Σ weight × measure / Σ weight of the measures it has.

Awards (第二十六条, grounds (一)–(四)) and criticisms (第二十七条, grounds (一)–(五)) are records
with their evidence, against a division, a person, or both. Whoever is criticised in a year gets
no award that year (第二十七条 last sentence): `grant_award` refuses it, the ranking marks the
division excluded, and an award recorded before a later criticism shows as a conflict.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from core import audit, freshness, permissions, proposals, settings, stats, timeliness
from core.db import row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)

AWARD_GROUNDS = {
    1: "(一)发布信息及时,提供数据量大、质量优良",
    2: "(二)网络与实际业务相结合,积极向社会提供网上服务,获得机关和社会较好评价",
    3: "(三)对厅门户网站建设与管理提出建议和意见合理,并且被采纳",
    4: "(四)对厅门户网站建设和维护作出其他积极贡献",
}
CRITICISM_GROUNDS = {
    1: "(一)违反保密规定发布信息,出现失密、泄密",
    2: "(二)违反规定和程序擅自在厅门户网站上对外发布信息",
    3: "(三)上网内容出现虚假信息或有较多错误的信息",
    4: "(四)应当发布而未发布或较长时间未发布本部门的重要信息",
    5: "(五)对厅门户网站工作重视不够,责任栏目内容长期不更新,经多次提醒仍不及时改进",
}
MEASURES = ("quantity", "timeliness", "accuracy", "standard", "interaction", "freshness", "satisfaction")


# ---------------------------------------------------------------- weights (data the office edits)

def weights(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return rows(con, "SELECT code, name, weight, position, help FROM evaluation_weights ORDER BY position, code")


def set_weights(con: duckdb.DuckDBPyConnection, user, values: dict[str, float]) -> None:
    """Change the scoring weights (第二十五条); each 0–100, not all zero."""
    permissions.require(user, "evaluation.manage")
    known = {w["code"]: w for w in weights(con)}
    parsed = {}
    for code, raw in values.items():
        if code not in known:
            raise ValidationError("考评项目", f"没有考评项目 {code}", "第二十五条")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValidationError(f"权重:{known[code]['name']}", "必须是数字", "第二十五条") from None
        if not 0 <= value <= 100:
            raise ValidationError(f"权重:{known[code]['name']}", "须在 0 至 100 之间", "第二十五条")
        parsed[code] = value
    total = sum(parsed.get(code, w["weight"]) for code, w in known.items())
    if total <= 0:
        raise ValidationError("权重", "至少有一项权重大于 0", "第二十五条")
    with transaction(con):
        for code, value in parsed.items():
            con.execute("UPDATE evaluation_weights SET weight = ? WHERE code = ?", [value, code])
        audit.record(con, user, "evaluation.weights", "evaluation_weights",
                     ", ".join(f"{known[c]['name']}={v:g}" for c, v in parsed.items()))


# ---------------------------------------------------------------- measures

def _period(year: int) -> tuple[dt.date, dt.date]:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError("年度", "请填写 2000 至 2100 之间的年份", "第二十五条")
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _share(good: float, total: float) -> float | None:
    return None if not total else max(0.0, min(1.0, good / total))


def measures(con: duckdb.DuckDBPyConnection, year: int, as_of: dt.date | None = None) -> list[dict]:
    """Each division's raw figures and its seven measures (0–1, None without data) for the year."""
    start, end = _period(year)
    as_of = min(end, as_of or dt.date.today())
    divisions = rows(con, "SELECT id, name, code FROM divisions WHERE kind IN ('division', 'office') "
                          "ORDER BY position, id")
    lags = {r["division_id"]: r for r in timeliness.summary(con, start, end, by="division")}
    span = [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())]
    problems = {r["division_id"]: r for r in rows(con, """
        SELECT a.lead_division_id AS division_id,
               count(*) FILTER (WHERE e.action = 'return') AS returns,
               count(*) FILTER (WHERE e.action = 'take_down') AS take_downs,
               count(*) FILTER (WHERE e.action = 'edit_restart' AND e.from_state = 'published') AS corrections
        FROM workflow_events e JOIN articles a ON a.id = e.article_id
        WHERE e.created_at >= ? AND e.created_at < ? GROUP BY a.lead_division_id""", span)}
    findings = {r["division_id"]: r["n"] for r in rows(con, """
        SELECT a.lead_division_id AS division_id, count(DISTINCT a.id) AS n
        FROM articles a WHERE a.published_at >= ? AND a.published_at < ?
          AND EXISTS (SELECT 1 FROM screening_reviews s WHERE s.article_id = a.id)
        GROUP BY a.lead_division_id""", span)}
    answers = {r["division_id"]: r for r in rows(con, """
        SELECT division_id, count(*) AS due,
               count(*) FILTER (WHERE answered_at IS NOT NULL AND answered_at::DATE <= due_on) AS answered_on_time
        FROM messages WHERE division_id IS NOT NULL AND due_on BETWEEN ? AND ?
          AND state NOT IN ('rejected', 'merged')
        GROUP BY division_id""", [start, as_of])}
    columns = {r["division_id"]: r for r in freshness.division_summary(con, as_of)}
    adopted: dict[int, int] = {}
    for item in proposals.adopted_in(con, year):  # 第二十六条(三): evidence, not a scored measure
        adopted[item["division_id"]] = adopted.get(item["division_id"], 0) + 1
    rated = stats.satisfaction(con, start, as_of)
    most = max((int(r["published"]) for r in lags.values()), default=0)
    result = []
    for division in divisions:
        did = division["id"]
        lag = lags.get(did, {})
        published = int(lag.get("published", 0))
        bad = problems.get(did, {})
        returns, take_downs, corrections = (int(bad.get(k, 0) or 0) for k in ("returns", "take_downs", "corrections"))
        answer = answers.get(did, {})
        col = columns.get(did)
        figures = {
            "published": published, "measured": int(lag.get("measured", 0)), "on_time": int(lag.get("on_time", 0)),
            "median_lag": lag.get("median_lag"), "returns": returns, "take_downs": take_downs,
            "corrections": corrections, "with_findings": int(findings.get(did, 0)),
            "messages_due": int(answer.get("due", 0) or 0),
            "messages_on_time": int(answer.get("answered_on_time", 0) or 0),
            "columns_monitored": col["monitored"] if col else 0,
            "columns_stale": col["stale"] if col else 0, "columns_blank": col["blank"] if col else 0,
            "proposals_adopted": adopted.get(did, 0),
            "rated": int(rated.get(did, {}).get("rated", 0)), "satisfied": int(rated.get(did, {}).get("satisfied", 0)),
        }
        values = {
            "quantity": _share(published, most),
            "timeliness": lag.get("on_time_share"),
            "accuracy": None if not published else max(0.0, 1 - (returns + take_downs + corrections) / published),
            "standard": None if not published else max(0.0, 1 - figures["with_findings"] / published),
            "interaction": _share(figures["messages_on_time"], figures["messages_due"]),
            "freshness": None if not col else _share(col["monitored"] - col["stale"] - col["blank"], col["monitored"]),
            "satisfaction": _share(figures["satisfied"], figures["rated"]),
        }
        result.append({"division_id": did, "division": division["name"], "figures": figures, "measures": values})
    return result


def _score(values: dict[str, float | None], weight: dict[str, float]) -> float | None:
    used = [(weight.get(code, 0.0), value) for code, value in values.items() if value is not None]
    total = sum(w for w, _ in used)
    if total <= 0:
        return None
    return round(100 * sum(w * v for w, v in used) / total, 2)


# ---------------------------------------------------------------- awards and criticisms

def criticisms(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    found = rows(con, """
        SELECT c.id, c.year, c.ground, c.division_id, d.name AS division, c.user_id, u.display_name AS person,
               c.column_id, col.name AS column_name, c.evidence, c.created_at, cb.display_name AS created_by
        FROM criticisms c LEFT JOIN divisions d ON d.id = c.division_id LEFT JOIN users u ON u.id = c.user_id
        LEFT JOIN columns col ON col.id = c.column_id LEFT JOIN users cb ON cb.id = c.created_by
        WHERE c.year = ? ORDER BY c.id""", [year])
    for item in found:
        item["ground_label"] = CRITICISM_GROUNDS[item["ground"]]
    return found


def awards(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    found = rows(con, """
        SELECT a.id, a.year, a.ground, a.division_id, d.name AS division, a.user_id, u.display_name AS person,
               a.evidence, a.created_at, cb.display_name AS created_by
        FROM awards a LEFT JOIN divisions d ON d.id = a.division_id LEFT JOIN users u ON u.id = a.user_id
        LEFT JOIN users cb ON cb.id = a.created_by WHERE a.year = ? ORDER BY a.id""", [year])
    for item in found:
        item["ground_label"] = AWARD_GROUNDS[item["ground"]]
    return found


def exclusions(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, dict[int, list[str]]]:
    """Who is excluded from awards in the year (第二十七条): division and person ids → grounds."""
    divisions: dict[int, list[str]] = {}
    people: dict[int, list[str]] = {}
    for item in criticisms(con, year):
        label = f"通报批评 #{item['id']} {CRITICISM_GROUNDS[item['ground']][:3]}"
        if item["division_id"] is not None:
            divisions.setdefault(item["division_id"], []).append(label)
        if item["user_id"] is not None:
            people.setdefault(item["user_id"], []).append(label)
    return {"divisions": divisions, "people": people}


def _check_target(con, division_id: int | None, user_id: int | None) -> None:
    if division_id is None and user_id is None:
        raise ValidationError("对象", "请选择处室或个人(至少一项)", "第二十六、二十七条")
    if division_id is not None and not scalar(con, "SELECT count(*) FROM divisions WHERE id = ?", [division_id]):
        raise ValidationError("处室", f"处室 {division_id} 不存在", "第二十六、二十七条")
    if user_id is not None and not scalar(con, "SELECT count(*) FROM users WHERE id = ?", [user_id]):
        raise ValidationError("个人", f"账号 {user_id} 不存在", "第二十六、二十七条")


def _check_evidence(evidence: str, field: str = "事实依据") -> str:
    text = clean_text(evidence, multiline=True)
    if not text:
        raise ValidationError(field, "请写明事实依据(数据、事例或采纳的建议)", "第二十六、二十七条")
    if len(text) > 2000:
        raise ValidationError(field, "不超过 2000 字", "第二十六、二十七条")
    return text


def grant_award(con: duckdb.DuckDBPyConnection, user, year: int, ground: int, evidence: str,
                division_id: int | None = None, user_id: int | None = None) -> int:
    """Record an award (第二十六条); refused for anyone criticised in the year (第二十七条)."""
    permissions.require(user, "evaluation.manage")
    _period(year)
    if ground not in AWARD_GROUNDS:
        raise ValidationError("表彰条件", "请选择第二十六条(一)至(四)中的一项", "第二十六条")
    text = _check_evidence(evidence)
    _check_target(con, division_id, user_id)
    with transaction(con):
        excluded = exclusions(con, year)
        if division_id is not None and division_id in excluded["divisions"]:
            name = scalar(con, "SELECT name FROM divisions WHERE id = ?", [division_id])
            raise ValidationError("处室", f"{name}本年度受到通报批评,不得给予表彰和奖励", "第二十七条")
        if user_id is not None and user_id in excluded["people"]:
            name = scalar(con, "SELECT display_name FROM users WHERE id = ?", [user_id])
            raise ValidationError("个人", f"{name}本年度受到通报批评,不得给予表彰和奖励", "第二十七条")
        award_id = con.execute(
            "INSERT INTO awards (year, ground, division_id, user_id, evidence, created_by) VALUES (?, ?, ?, ?, ?, ?) "
            "RETURNING id", [year, ground, division_id, user_id, text, user.id]).fetchone()[0]
        audit.record(con, user, "evaluation.award", f"award:{award_id}",
                     f"{year} 年 {AWARD_GROUNDS[ground][:3]} 处室={division_id} 个人={user_id}:{text[:200]}")
    return award_id


def record_criticism(con: duckdb.DuckDBPyConnection, user, year: int, ground: int, evidence: str,
                     division_id: int | None = None, user_id: int | None = None,
                     column_id: int | None = None) -> int:
    """Record a criticism (第二十七条) against a division and/or a person, with its ground."""
    permissions.require(user, "evaluation.manage")
    _period(year)
    if ground not in CRITICISM_GROUNDS:
        raise ValidationError("批评情形", "请选择第二十七条(一)至(五)中的一项", "第二十七条")
    text = _check_evidence(evidence)
    _check_target(con, division_id, user_id)
    with transaction(con):
        criticism_id = con.execute(
            "INSERT INTO criticisms (year, ground, division_id, user_id, column_id, evidence, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [year, ground, division_id, user_id, column_id, text, user.id]).fetchone()[0]
        audit.record(con, user, "evaluation.criticise", f"criticism:{criticism_id}",
                     f"{year} 年 {CRITICISM_GROUNDS[ground][:3]} 处室={division_id} 个人={user_id}:{text[:200]}")
    return criticism_id


def criticise_stale_column(con: duckdb.DuckDBPyConnection, user, column_id: int, year: int | None = None,
                           as_of: dt.date | None = None, note: str = "") -> int:
    """Turn a criticism candidate of core.freshness into a criticism of its division, ground (五)."""
    permissions.require(user, "evaluation.manage")
    entry = freshness.column(con, column_id, as_of)
    if not entry["candidate"]:
        needed = settings.get(con, "stale_reminders_before_criticism")
        raise ValidationError("栏目", f"「{entry['name']}」不是通报批评候选:须超期未更新且经 {needed} 次提醒"
                                      f"(目前 {entry['reminders']} 次)", "第二十七条")
    day = as_of or dt.date.today()
    since = ("从未发布信息" if entry["last_published_on"] is None
             else f"最近一次发布为 {entry['last_published_on']},已 {entry['days_since']} 天未更新")
    dates = "、".join(str(d) for d in entry["reminder_dates"])
    evidence = (f"责任栏目「{entry['name']}」{since}(更新期限 {entry['interval_days']} 天),"
                f"经 {entry['reminders']} 次提醒({dates})仍未更新。{clean_text(note, multiline=True)}")
    return record_criticism(con, user, year or day.year, 5, evidence, division_id=entry["division_id"],
                            column_id=column_id)


def _revoke(con, user, table: str, item_id: int, reason: str, action: str) -> None:
    permissions.require(user, "evaluation.manage")
    reason = clean_text(reason, multiline=True)
    if not reason:
        raise ValidationError("撤销理由", "请填写撤销理由", "第二十五条")
    with transaction(con):
        found = row(con, f"SELECT * FROM {table} WHERE id = ?", [item_id])  # noqa: S608 - table is a constant
        if found is None:
            raise NotFound(f"记录 {item_id} 不存在")
        con.execute(f"DELETE FROM {table} WHERE id = ?", [item_id])  # noqa: S608
        audit.record(con, user, action, f"{table[:-1]}:{item_id}",
                     f"撤销理由:{reason};原记录:{found['year']} 年 处室={found['division_id']} "
                     f"个人={found['user_id']} 依据={found['evidence'][:200]}")


def revoke_award(con: duckdb.DuckDBPyConnection, user, award_id: int, reason: str) -> None:
    _revoke(con, user, "awards", award_id, reason, "evaluation.revoke_award")


def revoke_criticism(con: duckdb.DuckDBPyConnection, user, criticism_id: int, reason: str) -> None:
    _revoke(con, user, "criticisms", criticism_id, reason, "evaluation.revoke_criticism")


# ---------------------------------------------------------------- the evaluation

def ranking(con: duckdb.DuckDBPyConnection, year: int, as_of: dt.date | None = None) -> list[dict]:
    """Divisions by score, best first, each with its measures, rank and exclusion (第二十七条)."""
    weight = {w["code"]: float(w["weight"]) for w in weights(con)}
    excluded = exclusions(con, year)["divisions"]
    found = measures(con, year, as_of)
    for item in found:
        item["score"] = _score(item["measures"], weight)
        item["excluded"] = item["division_id"] in excluded
        item["exclusion"] = excluded.get(item["division_id"], [])
    found.sort(key=lambda i: (i["score"] is None, -(i["score"] or 0), i["division_id"]))
    for rank, item in enumerate(found, start=1):
        item["rank"] = rank
    return found


def propose_awards(con: duckdb.DuckDBPyConnection, year: int, ranked: list[dict] | None = None) -> list[dict]:
    """The top divisions not criticised, for ground (一), with evidence text from the data."""
    ranked = ranking(con, year) if ranked is None else ranked
    top = int(settings.get(con, "evaluation_award_top"))
    proposed = []
    for item in ranked:
        if len(proposed) >= top:
            break
        if item["excluded"] or item["score"] is None or not item["figures"]["published"]:
            continue
        f, m = item["figures"], item["measures"]
        share = "—" if m["timeliness"] is None else f"{m['timeliness']:.0%}"
        evidence = (f"{year} 年度考评得分 {item['score']:.1f},排名第 {item['rank']}:发布信息 {f['published']} 条,"
                    f"按时发布率 {share},退回 {f['returns']} 次、撤下 {f['take_downs']} 次,"
                    f"超期未更新栏目 {f['columns_stale']} 个。")
        proposed.append({"division_id": item["division_id"], "division": item["division"], "ground": 1,
                         "score": item["score"], "rank": item["rank"], "evidence": evidence, "user_id": None,
                         "person": None})
    return proposed + adopted_proposals(con, year)


def adopted_proposals(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Ground (三) (第二十六条(三): 提出建议和意见合理,并且被采纳), for the proposer's division and person, with
    the proposals adopted (or partly) in the year as evidence, read from 建议与提案 (core/proposals.py);
    whoever is criticised in the year is left out (第二十七条)."""
    excluded = exclusions(con, year)
    by_division: dict[int, list[dict]] = {}
    by_person: dict[int, list[dict]] = {}
    for item in proposals.adopted_in(con, year):
        if item["division_id"] is not None and item["division_kind"] in ("division", "office"):
            by_division.setdefault(item["division_id"], []).append(item)
        by_person.setdefault(item["proposer_id"], []).append(item)

    def evidence(items: list[dict]) -> str:
        listed = ";".join(f"#{i['id']}「{i['subject']}」({i['kind_label']},{i['decided_at']:%Y-%m-%d} "
                          f"{i['state_label']}{_carried_out(i)})" for i in items)
        done = sum(1 for i in items if i["done_on"] is not None)
        return f"{year} 年提出的建议和提案被办公室采纳 {len(items)} 项,已落实 {done} 项:{listed}。"

    found = [{"division_id": did, "division": items[0]["division"], "user_id": None, "person": None, "ground": 3,
              "score": None, "rank": None, "evidence": evidence(items)}
             for did, items in by_division.items() if did not in excluded["divisions"]]
    found += [{"division_id": None, "division": None, "user_id": uid, "person": items[0]["proposer"], "ground": 3,
               "score": None, "rank": None, "evidence": evidence(items)}
              for uid, items in by_person.items() if uid not in excluded["people"]]
    return found


def _carried_out(item: dict) -> str:
    """Whether an adopted proposal was carried out, and when (建议与提案's 落实情况)."""
    return f",{item['done_on']:%Y-%m-%d} 已落实" if item["done_on"] is not None else ",尚未落实"


def evaluate(con: duckdb.DuckDBPyConnection, year: int, as_of: dt.date | None = None) -> dict:
    """Everything the year-end evaluation shows: weights, ranking, proposals, awards, criticisms,
    exclusions and conflicts (an award to someone criticised later in the year)."""
    ranked = ranking(con, year, as_of)
    excluded = exclusions(con, year)
    given = awards(con, year)
    conflicts = [a for a in given if a["division_id"] in excluded["divisions"] or a["user_id"] in excluded["people"]]
    start, end = _period(year)
    return {
        "year": year, "weights": weights(con), "ranking": ranked, "proposed_awards": propose_awards(con, year, ranked),
        "awards": given, "criticisms": criticisms(con, year),
        "exclusions": {"divisions": [{"division_id": k, "grounds": v} for k, v in excluded["divisions"].items()],
                       "people": [{"user_id": k, "grounds": v} for k, v in excluded["people"].items()]},
        "conflicts": conflicts, "timeliness_rule": timeliness.rule_text(con),
        "calendar_warning": timeliness.calendar_warning(con, start, end),
    }


def divisions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The divisions that can be evaluated, awarded or criticised."""
    return rows(con, "SELECT id, name FROM divisions WHERE kind IN ('division', 'office') ORDER BY position, id")


def people(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Active staff of those divisions (officers and heads first), for awards and criticisms of a person."""
    return rows(con, """
        SELECT u.id, u.display_name, u.username, d.name AS division FROM users u
        JOIN divisions d ON d.id = u.division_id
        WHERE u.active AND d.kind IN ('division', 'office') ORDER BY d.position, u.id""")
