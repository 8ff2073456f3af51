"""The demo's 政府网站工作年度报表 for the year before the story's today (国办函〔2018〕12号): the office
enters what the data do not hold, submits the form through the approval chain (一般: the head of 办公室,
第十四条) and publishes it in January, so the portal's home page links it — core.site_report's and the
workflow's own calls, moved to story time by the demo's player like every other played article.

Imports from: accounts, freshness, site_report, workflow.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import duckdb

from core import accounts, freshness, site_report, workflow

COLUMN = "wzndbb"
ENTRIES = {
    "site_type": "部门网站", "reading_material": "36", "reading_product": "8", "reading_media": "5", "responses": "4",
    "service_catalogue": "是", "service_items": "126", "service_online": "98", "unified_platform": "是",
    "survey_rounds": "3", "survey_opinions": "57", "survey_results": "3", "interview_rounds": "2",
    "interview_questions": "41", "interview_answers": "41", "smart_qa": "否", "assessments": "4", "drills": "是",
    "security_person": "办公室主任", "new_media": "是", "wechat_name": "陕西工信", "wechat_posts": "1260",
    "wechat_subscribers": "86000", "innovation": "无障碍浏览和适老化服务", "head_of_unit": "厅办公室主任",
    "reviewer": "办公室副主任", "filler": "网站管理员", "filler_phone": "029-87654321",
}


class Player(Protocol):  # core.demo._Player: moves each call's rows to the story time given
    article_ids: list[int]
    _event_times: list[tuple[int, dt.datetime]]

    def _stamp(self, at: dt.datetime) -> None: ...


def publish(con: duckdb.DuckDBPyConnection, player: Player, today: dt.date) -> int:
    """Last year's form, filed, approved and published by 20 January (or the day before `today` when the
    story's year is younger); returns the article's id."""
    webmaster, head = accounts.find_user(con, "webmaster"), accounts.find_user(con, "fzr_bgs")
    day = min(dt.date(today.year, 1, 20), today - dt.timedelta(days=1))
    times = [dt.datetime.combine(day, dt.time(9 + n, 20)) for n in range(3)]
    # a yearly column: its own update interval, so a year's wait is not a stale column (第二十七条(五))
    freshness.set_column_rule(con, webmaster, site_report.column_for(con)["id"], interval_days=366,
                              note="每年1月31日前发布上一年度的报表")
    site_report.save_entries(con, webmaster, today.year - 1, {**ENTRIES, "filled_on": day.isoformat()})
    item = site_report.submit(con, webmaster, today.year - 1)
    player._stamp(times[0])
    seen = [workflow.finding_key(f) for f in workflow.screen_article(con, item) if not f.blocking]
    item = workflow.approve(con, head, item.id, item.version, sorted(workflow.CHECKLIST), acknowledged=seen)
    player._stamp(times[1])
    item = workflow.publish(con, webmaster, item.id, item.version)
    player._stamp(times[2])
    events = [r[0] for r in con.execute("SELECT id FROM workflow_events WHERE article_id = ? ORDER BY id",
                                        [item.id]).fetchall()]
    player._event_times += zip(events, [times[0], *times], strict=True)
    player.article_ids.append(item.id)
    return item.id
