"""网站自查 (第二十五条): every national inspection indicator the workbench can compute (政府网站与政务新媒体检查指标,
国办函〔2019〕4号), side by side with its threshold, veto items (单项否决) first, each linked to the workbench page
that holds the items behind it — so the office learns of a problem before an inspector does.

The indicators are data (`INDICATORS`): a name, whether it vetoes the site, the national threshold in words, a
function computing our value and status, and the page to open. Adding an indicator is one entry. Each function
reuses the module that owns the figure (core/freshness.py for columns and the home page, core/workflow.py for
serious errors on published items, core/interaction.py's states, core/incidents.py's records); availability
(site_probes) and link health (link_checks) are read from the shared tables of 0019.

Statuses: `pass` (达标), `warn` (警告: not failing yet, or no data to judge by), `fail` (a veto item: 单项否决; any
other: 扣分).

Imports from core.availability, freshness, interaction, linkcheck, settings, stats, workflow, db, permissions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import duckdb

from core import availability, freshness, interaction, linkcheck, settings, stats, workflow
from core.db import row
from core.errors import PermissionDenied
from core.permissions import require

LAW = "第二十五条,国办函〔2019〕4号"
STATUS_LABELS = {"pass": "达标", "warn": "警告"}
UNREACHABLE_SECONDS = 15  # a probe slower than this counts as not opening (the national rule)
UNREACHABLE_SHARE = 0.05
UNREACHABLE_DAYS = 7
IDENTITY = {"site_code": "网站标识码", "icp_number": "ICP备案号", "psb_number": "公安机关备案号",
            "site_sponsor": "主办单位", "dzjg_cert_url": "党政机关网站标识证书地址", "error_report_url": "“我为政府网站找错”入口"}


@dataclass(frozen=True)
class Context:
    con: duckdb.DuckDBPyConnection
    actor: object
    today: dt.date
    budget: float | None = None  # seconds the screening of published items may take in this run (None: no bound)

    @cached_property
    def summary(self) -> dict:
        """core.freshness's site summary, computed once per run for the three indicators that read it."""
        return freshness.site_summary(self.con, self.today)


@dataclass(frozen=True)
class Finding:
    value: str  # our value, in words
    status: str  # pass / warn / fail
    note: str = ""
    pending: bool = False  # not yet known: the next run goes on computing it


@dataclass(frozen=True)
class Indicator:
    name: str
    veto: bool
    threshold: str  # the national rule, in its words
    compute: Callable[[Context], Finding]
    page: str  # the key of the workbench page holding the items behind it (pages/_shared.PAGES)


def _since(ctx: Context, days: int) -> dt.datetime:
    return dt.datetime.combine(ctx.today - dt.timedelta(days=days - 1), dt.time())


# ---------------------------------------------------------------- the computations

def unreachable(ctx: Context) -> Finding:
    """The home page's probes of the last 7 days: not answered, or answered after 15 seconds, is a failure."""
    probes, failed = availability.home_failures(ctx.con, _since(ctx, UNREACHABLE_DAYS), UNREACHABLE_SECONDS * 1000)
    if not probes:
        return Finding("近 7 天没有首页监测记录", "warn", "请开启门户可用性监测")
    share = failed / probes
    value = f"近 7 天首页监测 {probes} 次,打不开 {failed} 次({share:.1%})"
    if share >= UNREACHABLE_SHARE:
        return Finding(value, "fail")
    return Finding(value, "warn" if failed else "pass")


def home_not_updated(ctx: Context) -> Finding:
    home = ctx.summary["home"]
    if home["days_since"] is None:
        return Finding("首页从未发布信息", "fail")
    value = f"最近一次发布 {home['last_published_on']:%Y-%m-%d},已 {home['days_since']} 天(本站期限 {home['interval_days']} 天)"
    if home["stale"]:
        return Finding(value, "fail")
    return Finding(value, "warn" if home["days_since"] > home["interval_days"] - 3 else "pass")


def stale_columns(ctx: Context) -> Finding:
    summary = ctx.summary
    count, limit = summary["counts"]["stale"], int(settings.get(ctx.con, "freshness_veto_stale"))
    value = f"超期未更新栏目 {count} 个(否决数 {limit} 个)"
    return Finding(value, "fail" if summary["veto_stale"] else "warn" if count else "pass")


def blank_columns(ctx: Context) -> Finding:
    summary = ctx.summary
    count, limit = summary["counts"]["blank"], int(settings.get(ctx.con, "freshness_veto_blank"))
    value = f"空白栏目 {count} 个(否决数 {limit} 个)"
    return Finding(value, "fail" if summary["veto_blank"] else "warn" if count else "pass")


def _screening() -> Finding:
    done, total = workflow.screening_progress()
    return Finding(f"正在检查在线信息:已检查 {done} / {total} 篇", "warn", "检查完成后本页自动更新", pending=True)


def serious_errors(ctx: Context) -> Finding:
    """Published items the current lexicons and rules block (core/workflow.py, as the scheduler checks them)."""
    found = workflow.blocked_published(ctx.con, ctx.budget)
    if found is None:
        return _screening()
    if not found:
        return Finding("在线信息未发现严重错误或敏感内容", "pass")
    return Finding(f"{len(found)} 篇在线信息含严重错误或敏感内容", "fail", "请在“信息管理”中更正或撤下")


def unanswered_messages(ctx: Context) -> Finding:
    """Messages of the last year that waited more than 3 months for an answer the citizen can see (第十九条):
    still open after 3 months, or answered later than that. Warned earlier by message_veto_warn_days."""
    year_ago = ctx.today - dt.timedelta(days=365)
    now = dt.datetime.combine(ctx.today, dt.time.max)
    warn_from = ctx.today - dt.timedelta(days=int(settings.get(ctx.con, "message_veto_warn_days")))
    open_states = list(interaction.OPEN_STATES)
    found = row(ctx.con, """
        SELECT count(*) FILTER (WHERE state IN (SELECT unnest(?)) AND received_at + INTERVAL 3 MONTH < ?
                                OR replied_at IS NOT NULL AND replied_at > received_at + INTERVAL 3 MONTH) AS late,
               count(*) FILTER (WHERE state IN (SELECT unnest(?)) AND received_at::DATE <= ?) AS at_risk
        FROM messages WHERE received_at::DATE >= ? AND state NOT IN ('rejected', 'merged')""",
                [open_states, now, open_states, warn_from, year_ago])
    late, at_risk = int(found["late"] or 0), int(found["at_risk"] or 0)
    if late:
        return Finding(f"{late} 条留言超过三个月未答复", "fail")
    if at_risk:
        return Finding(f"{at_risk} 条留言临近三个月仍未答复", "warn")
    return Finding("近一年没有超过三个月未答复的留言", "pass")


def security_incidents(ctx: Context) -> Finding:
    """Confirmed 安全事件 of the last year (第二十三条): a 重大 or 特别重大 one fails; an open one is a warning."""
    found = row(ctx.con, """
        SELECT count(*) FILTER (WHERE severity IN ('重大', '特别重大')) AS serious,
               count(*) FILTER (WHERE status = 'open') AS still_open
        FROM incidents WHERE status IN ('open', 'closed') AND discovered_at >= ?""",
                [_since(ctx, 365)])
    serious, still_open = int(found["serious"] or 0), int(found["still_open"] or 0)
    if serious:
        return Finding(f"近一年重大及以上安全事件 {serious} 起", "fail")
    if still_open:
        return Finding(f"{still_open} 起安全事件正在处置", "warn")
    return Finding("近一年没有重大安全事件", "pass")


def broken_links(ctx: Context) -> Finding:
    """The links the last link check found broken (core.linkcheck)."""
    last = linkcheck.last_run(ctx.con)
    if last is None:
        return Finding("尚未检查链接", "warn", "请运行链接检查")
    broken = linkcheck.broken_links(ctx.con)
    if broken:
        home = sum(1 for link in broken if link["page"] in ("/", "/index.html"))
        return Finding(f"不可用链接 {len(broken)} 个(其中首页 {home} 个)", "fail")
    return Finding(f"最近一次检查 {last['links'] or 0} 个链接,均可访问", "pass")


def identity_marks(ctx: Context) -> Finding:
    missing = [label for name, label in IDENTITY.items() if not str(settings.get(ctx.con, name) or "").strip()]
    if missing:
        return Finding("未设置:" + "、".join(missing), "fail", "请在“系统设置”中填写")
    return Finding("网站标识码、备案号、主办单位等均已设置", "pass")


def policies_without_reading(ctx: Context) -> Finding:
    found = stats.policies_without_interpretation(ctx.con, ctx.actor)
    if found:
        return Finding(f"{len(found)} 份在线政策文件尚无关联的解读", "fail")
    return Finding("在线政策文件均已关联解读", "pass")


INDICATORS: tuple[Indicator, ...] = (
    Indicator("站点无法访问", True, "监测 1 周,每天间隔访问 20 次以上,超过(含)15 秒仍打不开的次数累计占比超过(含)5%,"
              "即单项否决", unreachable, "overview"),
    Indicator("首页不更新", True, "监测 2 周,首页无信息更新的,即单项否决", home_not_updated, "freshness"),
    Indicator("栏目不更新", True, "监测前 2 周内的动态、要闻类栏目,以及前 6 个月内的通知公告、政策文件类栏目,"
              "累计超过(含)5 个未更新的,即单项否决", stale_columns, "freshness"),
    Indicator("空白栏目", True, "空白栏目数量超过(含)5 个的,即单项否决", blank_columns, "freshness"),
    Indicator("严重错误", True, "出现严重错别字(如党和国家领导人姓名写错)、虚假或伪造内容,或反动、暴力、色情等内容的,"
              "即单项否决", serious_errors, "content_admin"),
    Indicator("互动回应差", True, "监测前 1 年内,政务咨询类栏目存在超过 3 个月未回应有效留言的,即单项否决",
              unanswered_messages, "interaction_desk"),
    Indicator("安全、泄密事故", True, "对安全攻击(如页面被挂马、内容被篡改等)没有及时有效处置造成严重安全事故的,"
              "即单项否决", security_incidents, "incidents"),
    Indicator("链接不可用", False, "首页及其他页面存在不能正常访问的链接的,按个数扣分", broken_links, "link_check"),
    Indicator("网站标识", False, "未在网站底部展示网站标识码、ICP备案编号、公安机关备案号、党政机关网站标识、"
              "主办单位等的,扣分", identity_marks, "settings_admin"),
    Indicator("解读回应", False, "政策文件与解读材料未相互关联的,扣分", policies_without_reading, "statistics"),
)


def status_label(indicator: Indicator, status: str) -> str:
    if status == "fail":
        return "不达标(单项否决)" if indicator.veto else "不达标(扣分)"
    return STATUS_LABELS[status]


def run(con: duckdb.DuckDBPyConnection, actor, today: dt.date | None = None,
        budget: float | None = None) -> list[dict]:
    """Every indicator, veto items first: name, veto, threshold, value, status, status_label, note, page,
    pending. `budget`: seconds the screening of published items may take (the first screening of 100,000
    takes a minute or more); an indicator not finished within it is `pending`, and the next call goes on."""
    require(actor, "site_inspection.view")
    ctx = Context(con, actor, today or dt.date.today(), budget)
    found = []
    for indicator in sorted(INDICATORS, key=lambda i: not i.veto):
        try:
            finding = indicator.compute(ctx)
        except PermissionDenied:  # a figure this reader may not see (a leader and the statistics' lists)
            finding = Finding("无权查看", "warn")
        found.append({"name": indicator.name, "veto": indicator.veto, "threshold": indicator.threshold,
                      "value": finding.value, "status": finding.status,
                      "status_label": status_label(indicator, finding.status), "note": finding.note,
                      "page": indicator.page, "pending": finding.pending})
    return found


def go_on(con: duckdb.DuckDBPyConnection, actor, results: list[dict], budget: float) -> list[dict] | None:
    """For a page showing `results` while published items are still being screened: screens on for about
    `budget` seconds. None once every live revision is screened (then `run` gives every figure), else
    `results` with the pending row's progress brought up to date — the other figures are not read again."""
    require(actor, "site_inspection.view")
    if workflow.blocked_published(con, budget) is not None:
        return None
    now = _screening()
    return [{**r, "value": now.value} if r["pending"] else r for r in results]


def verdict(results: list[dict]) -> str:
    """One line for the page's head: vetoed, points to lose, warnings, or all clear."""
    vetoed = [r["name"] for r in results if r["veto"] and r["status"] == "fail"]
    if vetoed:
        return f"触发单项否决:{'、'.join(vetoed)}。按全国检查指标,网站将被判定为不合格。"
    deducted = [r["name"] for r in results if r["status"] == "fail"]
    warned = [r["name"] for r in results if r["status"] == "warn"]
    if deducted:
        return f"未触发单项否决;以下指标将扣分:{'、'.join(deducted)}。"
    if warned:
        return f"未触发单项否决;请留意:{'、'.join(warned)}。"
    return "可计算的各项指标均已达标。"

