"""The approval workflow (第十四条) as a state machine: states are data, transitions are functions.

Imports from: core.transitions (the seam) and the floor below it (audit, db, errors, permissions,
notify, settings, text, content, screening, lexicon, accounts).

`ARTICLE_MACHINE` declares every move an article can make; each function here checks its own rules
(checklist, screening, reasons) and hands the move to `transitions.record`, which checks permission,
version and state, updates the row, writes its event and audit row and queues its notices — all in
one transaction. A wrong move raises InvalidTransition; someone acting first raises StaleVersion; a
denied actor raises PermissionDenied. No article changes state anywhere else (requests.fulfil asks
`approve_by_request`).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

import duckdb

from core import audit, catalogue, corrections, db, lexicon, notify, screening, settings, transitions
from core.accounts import system_user
from core.content import sanitize_html
from core.db import LIKE_ESCAPE, like_pattern, row, rows, run_versioned, scalar, transaction
from core.errors import InvalidTransition, NotFound, PermissionDenied, ScreeningBlocked, StaleVersion, ValidationError
from core.permissions import approver_reason, can, require
from core.text import BODY_SETTING, check_body_size, clean_text
from core.transitions import move

IMPORTANCE = ("一般", "重要", "重大", "特殊")
ARTICLE_NAME = "该稿件"  # how a refusal names the item someone else changed first
STATE_LABELS = {
    "draft": "草稿",
    "pending": "审批中",
    "returned": "已退回",
    "approved": "已批准待发布",
    "scheduled": "定时发布",
    "published": "已发布",
    "withdrawn": "已撤销",
    "taken_down": "已撤下",
}
ACTION_LABELS = {
    "create": "新建", "edit": "修改", "edit_restart": "修改(重新审批)", "submit": "提交审批", "approve": "批准",
    "return": "退回", "escalate": "上报", "schedule": "定时发布", "unschedule": "取消定时", "publish": "发布",
    "withdraw": "撤销", "restore_draft": "恢复为草稿", "take_down": "撤下", "restore": "恢复上线",
    "approve_by_request": "依委托发布申请批准", "correction_note": "添加更正说明",
}
ROLE_STEP_LABELS = {"head": "处室负责人", "leader": "分管领导", "group": "信息化领导小组"}
# the escalation ladder (第十四条): head → leader in charge → leading group
LADDER = ("head", "leader", "group")
# the review checklist every approver ticks (第十六条)
CHECKLIST: dict[str, str] = {
    "legal": "合法合规:内容合法,符合方针政策",
    "secret": "保密审查:不含国家秘密、内部事项和工作秘密(涉密不上网)",
    "timely": "时效性:信息及时、准确,不过时",
    "format": "格式规范:标题不重复、文字准确、栏目恰当",
}
EDITABLE = {"draft", "returned", "pending", "approved", "scheduled", "published", "taken_down"}
WITHDRAWABLE = {"draft", "returned", "pending", "approved", "scheduled", "published"}
RESTARTING = {"pending", "approved", "scheduled", "published"}  # an edit here starts the chain again (第十四条)
TITLE_MAX = 200
# 第二十三条: the category of a take-down, chosen by the webmaster and shown on the withdrawal page (the free-text
# reason stays internal). One list, here.
TAKE_DOWN_CATEGORIES = (
    "内容有误,待核实更正",
    "信息已过时效",
    "涉及敏感信息",
    "应当事人要求",
    "网站安全事件临时处置",
    "其他原因",
)
OTHER_CATEGORY = TAKE_DOWN_CATEGORIES[-1]


def _describe(from_state: str | None, to_state: str, comment: str | None, extra: dict) -> str:
    return f"{from_state}→{to_state} r{extra['revision']}" + (f" 「{comment}」" if comment else "")


# every move an article makes: action → from-states → to-states, the permission, the verb a refusal uses
ARTICLE_MACHINE = transitions.Machine(
    name="article", table="articles", noun=ARTICLE_NAME, state_labels=STATE_LABELS,
    refusal="稿件当前为「{state}」,不能{verb}(仅限:{allowed})",
    audit_prefix="workflow", audit_object="article", events="workflow_events", event_key="article_id",
    event_defaults=lambda a: {"revision": a.revision, "step": a.step or None}, describe=_describe, touch=True,
    transitions={
        "create": move({"draft"}, (), "新建", versioned=False),  # the INSERT is create_article's; this logs it
        "edit": move(EDITABLE, {"draft", "returned"}, "修改", "article.edit"),
        "edit_restart": move(RESTARTING, {"pending"}, "修改", "article.edit"),
        "submit": move({"draft", "returned"}, {"pending"}, "提交审批", "article.submit"),
        "approve": move({"pending"}, {"pending", "approved"}, "审批", "article.approve"),
        "return": move({"pending"}, {"returned"}, "退回", "article.return"),
        "escalate": move({"pending"}, {"pending"}, "上报", "article.escalate"),
        "schedule": move({"approved"}, {"scheduled"}, "发布", "article.publish"),
        "publish": move({"approved"}, {"published"}, "发布", "article.publish"),
        # the scheduler's own moves: the system account acts, the publisher decided when scheduling
        "publish_due": move({"scheduled"}, {"published"}, "定时发布", logged_as="publish"),
        "return_blocked": move({"scheduled"}, {"returned"}, "定时发布", logged_as="return"),
        "unschedule": move({"scheduled"}, {"approved"}, "取消定时", "article.publish"),
        "withdraw": move(WITHDRAWABLE, {"withdrawn"}, "撤销", "article.withdraw"),
        "restore_draft": move({"withdrawn"}, {"draft"}, "恢复", "article.restore_withdrawn"),
        # whether an item is online is its `public` flag, checked before: any state but these two can be
        "take_down": move(set(STATE_LABELS) - {"withdrawn", "taken_down"}, {"taken_down"}, "撤下",
                          "article.take_down"),
        "restore": move({"taken_down"}, {"published", "draft"}, "恢复上线", "article.restore"),
        # the written request is the division's approval (第十八条)
        "approve_by_request": move({"draft"}, {"approved"}, "依委托发布申请批准", "requests.handle"),
    },
)


@dataclass(frozen=True)
class Article:
    id: int
    column_id: int
    lead_division_id: int
    title: str
    body_html: str
    source: str
    work_ended_on: dt.date | None
    importance: str
    state: str
    version: int
    revision: int
    chain: tuple[str, ...]
    step: int
    author_id: int
    public: bool
    live_revision: int | None
    scheduled_at: dt.datetime | None
    published_at: dt.datetime | None
    state_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    request_id: int | None
    codivisions: tuple[int, ...] = field(default_factory=tuple)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def current_role(self) -> str | None:
        if self.state == "pending" and 1 <= self.step <= len(self.chain):
            return self.chain[self.step - 1]
        return None


_ARTICLE_COLUMNS = ", ".join(f.name for f in Article.__dataclass_fields__.values() if f.name != "codivisions")


def get_article(con: duckdb.DuckDBPyConnection, article_id: int) -> Article:
    found = row(con, f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id])
    if not found:
        raise NotFound(f"稿件 {article_id} 不存在")
    codivs = tuple(r["division_id"] for r in rows(
        con, "SELECT division_id FROM article_codivisions WHERE article_id = ? ORDER BY 1", [article_id]))
    found["chain"] = tuple(found["chain"] or ())
    return Article(**found, codivisions=codivs)


def view_article(con: duckdb.DuckDBPyConnection, actor, article_id: int) -> Article:
    article = get_article(con, article_id)
    require(actor, "article.view", article)
    return article


# ---------------------------------------------------------------- validation

def _clean_fields(con, title: str, body_html: str, source: str, work_ended_on, importance: str) -> dict:
    title = " ".join(clean_text(title).split())
    if not title:
        raise ValidationError("标题", "必填")
    if len(title) > TITLE_MAX:
        raise ValidationError("标题", f"不能超过 {TITLE_MAX} 个字")
    if importance not in IMPORTANCE:
        raise ValidationError("重要程度", f"须为 {'/'.join(IMPORTANCE)} 之一", "第十四条")
    source = clean_text(source)
    if not source:
        raise ValidationError("信息来源", "必填,须写明信息来源", "第十八条")
    if work_ended_on is not None and not isinstance(work_ended_on, dt.date):
        raise ValidationError("工作结束日期", "须为日期", "第十七条")
    if work_ended_on is not None and work_ended_on > dt.date.today() + dt.timedelta(days=366):
        raise ValidationError("工作结束日期", "不能晚于一年以后", "第十七条")
    # the size is checked before the costly cleaning: a 50 MB body took 736 MB to import (issue 12, L5)
    check_body_size(body_html or "", settings.get(con, BODY_SETTING))
    return {"title": title, "body_html": sanitize_html(body_html or ""), "source": source,
            "work_ended_on": work_ended_on, "importance": importance}


def _column(con, column_id: int) -> dict:
    found = row(con, "SELECT * FROM columns WHERE id = ?", [column_id])
    if not found:
        raise ValidationError("栏目", "不存在")
    return found


def _check_codivisions(con, lead: int, codivisions) -> list[int]:
    result = sorted({int(d) for d in (codivisions or []) if int(d) != lead})
    for division in result:
        if not scalar(con, "SELECT count(*) FROM divisions WHERE id = ?", [division]):
            raise ValidationError("协办处室", f"处室 {division} 不存在")
    return result


# ---------------------------------------------------------------- helpers

def _write_revision(con, article_id: int, number: int, fields: dict, column_id: int, author_id: int) -> None:
    con.execute(
        "INSERT INTO revisions (article_id, number, column_id, title, body_html, source, work_ended_on, "
        "importance, author_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [article_id, number, column_id, fields["title"], fields["body_html"], fields["source"],
         fields["work_ended_on"], fields["importance"], author_id],
    )


def _move(con, article: Article, actor, action: str, expected_version: int, **options) -> str:
    return transitions.record(con, ARTICLE_MACHINE, article, actor, action, expected_version, **options)


def acted_first(con, article_id: int, actor) -> StaleVersion:
    """The refusal for a decision on a version someone else has already moved on: it names who did
    what, so the losing reviewer is not told (or led to believe) that the decision was theirs."""
    last = row(con, """
        SELECT e.created_at AS at, e.actor_id, u.display_name AS actor, e.action FROM workflow_events e
        JOIN users u ON u.id = e.actor_id WHERE e.article_id = ? ORDER BY e.id DESC LIMIT 1""", [article_id])
    if last is None or last["action"] in _BEFORE_REVIEW:
        return StaleVersion(ARTICLE_NAME, "")  # the other decision is not committed yet
    mine = last["actor_id"] == actor.id
    done = f"{'' if mine else last['actor'] + ' '}于 {last['at']:%m月%d日 %H:%M} {ACTION_LABELS.get(last['action'], '处理')}"
    return StaleVersion(ARTICLE_NAME, done, by="您在其他窗口" if mine else "他人")


_BEFORE_REVIEW = {"create", "edit", "edit_restart", "submit"}


def _decide(con, actor, article: Article, expected_version: int, action: str) -> None:
    """A reviewer's decision (批准、退回、上报) is on the version they saw: a later one means someone acted first."""
    if article.version != expected_version:
        raise acted_first(con, article.id, actor)
    transitions.check(ARTICLE_MACHINE, article, action, expected_version)


def chain_for(con: duckdb.DuckDBPyConnection, importance: str) -> tuple[str, ...]:
    found = rows(con, "SELECT role FROM approval_chain WHERE importance = ? ORDER BY step", [importance])
    return tuple(r["role"] for r in found) or ("head",)


def _notify_step(con, article: Article, chain: tuple[str, ...], step: int, why: str) -> None:
    role = chain[step - 1]
    for user_id in notify.approver_ids(con, role, article.lead_division_id):
        notify.enqueue(
            con, user_id, "approval.waiting", f"【待审批】{article.title}",
            f"{why}\n\n稿件:{article.title}\n审批环节:第 {step} 步({ROLE_STEP_LABELS[role]})\n"
            f"请登录工作台「待我审批」处理。\n{settings.get(con, 'workbench_url')}",
        )


def _notify_author(con, article: Article, kind: str, subject: str, body: str) -> None:
    notify.enqueue(con, article.author_id, kind, f"{subject}:{article.title}",
                   f"{body}\n\n稿件:{article.title}\n{settings.get(con, 'workbench_url')}")


# ---------------------------------------------------------------- screening (第十六、二十一条)

def screen_article(con: duckdb.DuckDBPyConnection, article: Article, *, title: str | None = None,
                   body_html: str | None = None, column_id: int | None = None,
                   work_ended_on: dt.date | None = None) -> list:
    """Screen an article as it stands (or as the editor holds it) with the office's lexicons."""
    column = _column(con, column_id or article.column_id)
    others = {r["title"] for r in rows(
        con, "SELECT title FROM articles WHERE column_id = ? AND id <> ? AND state <> 'withdrawn'",
        [column["id"], article.id])}
    files = [(r["filename"], r["data"]) for r in rows(
        con, "SELECT filename, data FROM attachments WHERE article_id = ? AND NOT removed ORDER BY id",
        [article.id])]
    return screening.screen(
        article.title if title is None else title, article.body_html if body_html is None else body_html,
        attachments=files, column_kind=column["kind"],
        work_ended_on=article.work_ended_on if work_ended_on is None else work_ended_on,
        lexicon=lexicon.load(con), other_titles_in_column=others,
        lag_days_allowed=settings.get(con, "publish_lag_days"))


def finding_key(finding) -> str:
    """Identifies one finding of one revision, for acknowledgements and overrides."""
    return finding.key


def _overridden_keys(con, article_id: int, revision: int) -> set[str]:
    return {r["finding_key"] for r in rows(
        con, "SELECT finding_key FROM screening_reviews WHERE article_id = ? AND revision = ? AND kind = 'override'",
        [article_id, revision])}


def _check_publishable(con, article: Article, action: str = "发布") -> None:
    """Nothing with a block goes online, whatever the path (publish, schedule, due, request)."""
    findings = screen_article(con, article)
    remaining = screening.remaining_blocks(findings, _overridden_keys(con, article.id, article.revision))
    if remaining:
        raise ScreeningBlocked(remaining, action)


def _record_reviews(con, article: Article, actor, findings, acknowledged: set[str], overrides: dict[str, str]) -> None:
    for finding in findings:
        key = finding_key(finding)
        if finding.blocking:
            kind, reason = "override", overrides[key].strip()
        else:
            kind, reason = "acknowledge", None
        con.execute(
            "INSERT INTO screening_reviews (article_id, revision, finding_key, rule, severity, excerpt, kind, reason, "
            "actor_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [article.id, article.revision, key, finding.rule, finding.severity, finding.excerpt, kind, reason,
             actor.id])


def _check_reviewed(findings, acknowledged: set[str], overrides: dict[str, str]) -> None:
    hard = screening.hard_blocks(findings)
    if hard:
        raise ScreeningBlocked(hard, "批准")
    for finding in findings:
        key = finding_key(finding)
        if finding.blocking and not (overrides.get(key) or "").strip():
            raise ValidationError("放行理由", f"{finding.message} 如确需发布,须填写放行理由并记录在案", finding.article)
        if not finding.blocking and key not in acknowledged:
            raise ValidationError("筛查提示", f"须逐条确认知悉后才能批准:{finding.message}", finding.article)


class _Screened:
    """What `blocked_published` found in each live revision it has screened, for one lexicon token.

    A revision's title and body never change once written, and the screening of a published item depends only
    on them and on the lexicons: a live revision is screened once per process and lexicon token. What
    invalidates: another database file or a new lexicon token (any lexicon edit bumps it, core.lexicon._bump)
    empties it; a new live revision is a new key, told apart by its number and its creation time (a backup
    restored under the same token may number a different text alike). Overrides are not kept: read at every
    call."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # held while screening: two sessions opening 网站自查 screen once
        self.token: tuple = ()  # (database file, lexicon token)
        self.revision: dict[int, tuple] = {}  # article id -> (live revision, its created_at) screened
        self.blocks: dict[int, list] = {}  # article id -> its blocking findings (only when there are some)
        self.progress = (0, 0)  # live revisions screened / published, at the last call
        # the published items' live revisions as last read (core.db.kept: until the next committed write): a first
        # screening at scale takes hundreds of calls, and re-reading 100,000 rows (and comparing them) on each
        # cost more than the screening itself
        self.live: dict[int, tuple] = {}
        self.missing: list[int] = []  # sorted ids of `live` not screened at their live revision when read
        self.next = 0  # how far the calls since have gone through `missing`


_SCREENED = _Screened()


def _live_revisions(con: duckdb.DuckDBPyConnection, memo: _Screened) -> dict[int, tuple]:
    """article id -> (live revision, its created_at) of every published item, kept by core.db.kept until the
    database changes; a list read anew gives the items still to screen (`missing`) from the start."""
    live = db.kept(con, "published_live_revisions", None, lambda: {
        i: (revision, created) for i, revision, created in con.execute("""
            SELECT a.id, a.live_revision, r.created_at FROM articles a
            JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision WHERE a.public""").fetchall()})
    if live is not memo.live:
        memo.live, memo.next = live, 0
        memo.missing = sorted(i for i, revision in live.items() if memo.revision.get(i) != revision)
    return live


def blocked_published(con: duckdb.DuckDBPyConnection,
                      budget: float | None = None) -> list[tuple[int, int, list]] | None:
    """Published items whose live revision the current lexicons and rules now block (第二十三条):
    (article id, live revision, blocking findings). Overrides recorded for that revision count.
    With `budget` (seconds of this thread's CPU: on a busy machine the same share of work per call, where a
    wall-clock bound shrank to a few items): screens for about that long and returns None while live revisions remain
    unscreened (100,000 of them take a minute or more); the next call goes on where this one stopped, and
    `screening_progress()` says how far it got."""
    started = time.thread_time()
    words = lexicon.load(con)
    path = scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    token = (path, words.version)
    if not _SCREENED.lock.acquire(timeout=-1 if budget is None else budget):
        return None  # another session or the scheduler is screening: its work is this call's too
    try:
        memo = _SCREENED
        if memo.token != token:
            memo.token, memo.revision, memo.blocks, memo.live = token, {}, {}, {}
        live = _live_revisions(con, memo)
        missing = memo.missing
        while memo.next < len(missing):  # bodies fetched in slices: a first call at scale reads 100,000
            batch = missing[memo.next:memo.next + 200]
            memo.next += len(batch)
            # the ids are sorted: their range lets DuckDB skip the other row groups of revisions (a slice read
            # every revision's row groups before, 0.16 s of CPU each at 100,000 articles; now ~7 ms)
            for item in rows(con, """
                    SELECT a.id, a.live_revision, r.created_at, r.title, r.body_html FROM articles a
                    JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
                    WHERE a.id IN (SELECT unnest(?)) AND a.id BETWEEN ? AND ? AND r.article_id BETWEEN ? AND ?""",
                             [batch, batch[0], batch[-1], batch[0], batch[-1]]):
                blocks = screening.blocking(screening.screen(item["title"], item["body_html"], lexicon=words))
                memo.revision[item["id"]] = (item["live_revision"], item["created_at"])
                memo.blocks.pop(item["id"], None)
                if blocks:
                    memo.blocks[item["id"]] = blocks
            if budget is not None and time.thread_time() - started > budget:
                break  # after a slice at least: every call goes forward
        if memo.next >= len(missing):  # the list's pass is over: what it left unmatched (changed meanwhile)
            memo.missing, memo.next = [i for i in missing if memo.revision.get(i) != live[i]], 0
            missing = memo.missing
        memo.progress = (len(live) - len(missing) + memo.next, len(live))
        if missing:
            return None
        candidates = sorted((i, live[i][0], memo.blocks[i]) for i in memo.blocks if live.get(i) == memo.revision[i])
    finally:
        _SCREENED.lock.release()
    if not candidates:
        return []
    lifted: dict[tuple[int, int], set[str]] = {}
    for review in rows(con, """
            SELECT s.article_id, s.revision, s.finding_key FROM screening_reviews s
            JOIN articles a ON a.id = s.article_id AND a.live_revision = s.revision
            WHERE a.public AND s.kind = 'override'"""):
        lifted.setdefault((review["article_id"], review["revision"]), set()).add(review["finding_key"])
    found = []
    for article_id, revision, blocks in candidates:
        remaining = screening.remaining_blocks(blocks, lifted.get((article_id, revision), ()))
        if remaining:
            found.append((article_id, revision, remaining))
    return found


def screening_progress() -> tuple[int, int]:
    """(live revisions screened, published items) at `blocked_published`'s last call."""
    return _SCREENED.progress


# ---------------------------------------------------------------- transitions

def create_article(con: duckdb.DuckDBPyConnection, actor, column_id: int, title: str, body_html: str = "",
                   source: str = "", work_ended_on: dt.date | None = None, importance: str = "一般",
                   codivisions: list[int] | None = None, request_id: int | None = None) -> Article:
    """A new draft in a column of the officer's division (第七、九条); revision 1."""
    column = _column(con, column_id)
    require(actor, "article.create", column)
    fields = _clean_fields(con, title, body_html, source, work_ended_on, importance)
    lead = column["division_id"]
    codivs = _check_codivisions(con, lead, codivisions)

    def do() -> int:
        article_id = con.execute(
            "INSERT INTO articles (column_id, lead_division_id, title, body_html, source, work_ended_on, "
            "importance, author_id, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [column_id, lead, fields["title"], fields["body_html"], fields["source"],
             fields["work_ended_on"], fields["importance"], actor.id, request_id],
        ).fetchone()[0]
        for division in codivs:
            con.execute("INSERT INTO article_codivisions VALUES (?, ?)", [article_id, division])
        _write_revision(con, article_id, 1, fields, column_id, actor.id)
        transitions.record(con, ARTICLE_MACHINE, get_article(con, article_id), actor, "create")
        return article_id

    return get_article(con, run_versioned(con, do, ARTICLE_NAME))


def save_article(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int, *,
                 title: str, body_html: str, source: str, work_ended_on: dt.date | None,
                 importance: str, column_id: int | None = None,
                 codivisions: list[int] | None = None) -> Article:
    """Every save is a new revision. An edit after submission or approval restarts the chain:
    approvals count only for the revision they saw (第十四条)."""
    article = get_article(con, article_id)
    require(actor, "article.edit", article)
    transitions.check(ARTICLE_MACHINE, article, "edit", expected_version)
    fields = _clean_fields(con, title, body_html, source, work_ended_on, importance)
    new_column = column_id or article.column_id
    if new_column != article.column_id:
        column = _column(con, new_column)
        require(actor, "article.create", column)
        if column["division_id"] != article.lead_division_id:
            raise ValidationError("栏目", "只能移到牵头处室负责的栏目", "第七条")
    codivs = _check_codivisions(con, article.lead_division_id,
                                article.codivisions if codivisions is None else codivisions)
    restart = article.state in RESTARTING
    if restart:
        new_state, chain, step = "pending", chain_for(con, fields["importance"]), 1
    elif article.state == "taken_down":
        new_state, chain, step = "draft", (), 0
    else:
        new_state, chain, step = article.state, article.chain, article.step
    number = article.revision + 1

    def beside() -> None:
        _write_revision(con, article.id, number, fields, new_column, actor.id)
        con.execute("DELETE FROM article_codivisions WHERE article_id = ?", [article.id])
        for division in codivs:
            con.execute("INSERT INTO article_codivisions VALUES (?, ?)", [article.id, division])

    _move(con, article, actor, "edit_restart" if restart else "edit", expected_version,
           changes=dict(column_id=new_column, revision=number, state=new_state, chain=list(chain), step=step,
                        scheduled_at=None, **fields),
           writes=beside, event_extra={"revision": number}, comment="修改后重新进入审批" if restart else None,
           notices=(lambda: _notify_step(con, article, chain, 1, "稿件已修改,审批从第一步重新开始。"))
           if restart else None)
    return get_article(con, article_id)


def submit(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int) -> Article:
    """Draft or returned → pending at step 1 of the chain its importance chooses (第十四条)."""
    article = get_article(con, article_id)
    require(actor, "article.submit", article)
    transitions.check(ARTICLE_MACHINE, article, "submit", expected_version)
    if not article.body_html.strip():
        raise ValidationError("正文", "提交审批前须填写正文")
    check_body_size(article.body_html, settings.get(con, BODY_SETTING))
    catalogue.require_complete(con, article.id, article.column_id)  # 政府信息公开目录 (第十二条)
    hard = screening.hard_blocks(screen_article(con, article))
    if hard:
        raise ScreeningBlocked(hard, "提交审批")
    chain = chain_for(con, article.importance)
    _move(con, article, actor, "submit", expected_version,
           changes={"state": "pending", "chain": list(chain), "step": 1, "submitted_at": dt.datetime.now(),
                    "state_reason": None},
           notices=lambda: _notify_step(con, article, chain, 1, "有新的稿件提交审批。"))
    return get_article(con, article_id)


def _approvals_at_step(con, article: Article) -> int:
    return scalar(
        con, "SELECT count(DISTINCT actor_id) FROM workflow_events WHERE article_id = ? AND revision = ? "
             "AND action = 'approve' AND step = ?", [article.id, article.revision, article.step])


def approve(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int,
            checklist: list[str], comment: str = "", acknowledged: list[str] | None = None,
            overrides: dict[str, str] | None = None) -> Article:
    """Approve the current step; the last step makes the item approved for publication.

    Every item of the review checklist must be ticked (第十六条). At a leading-group step the
    item moves on when the office's quorum of members has approved this revision.
    """
    comment = clean_text(comment, multiline=True)
    overrides = {key: clean_text(reason, multiline=True) for key, reason in (overrides or {}).items()}
    article = get_article(con, article_id)
    _decide(con, actor, article, expected_version, "approve")
    require(actor, "article.approve", article)
    missing = [label for key, label in CHECKLIST.items() if key not in set(checklist or [])]
    if missing:
        raise ValidationError("审核要点", "须逐项确认后才能批准,未勾选:" + ";".join(missing), "第十六条")
    role = article.current_role
    already = scalar(
        con, "SELECT count(*) FROM workflow_events WHERE article_id = ? AND revision = ? AND action = 'approve' "
             "AND step = ? AND actor_id = ?", [article.id, article.revision, article.step, actor.id])
    if already:
        raise InvalidTransition("您已批准过此稿件的当前版本,等待其他领导小组成员审批")
    # every warning acknowledged, every overridable block lifted with a reason (第十六条)
    findings = screen_article(con, article)
    acks, lifts = set(acknowledged or []), dict(overrides or {})
    _check_reviewed(findings, acks, lifts)
    needed = settings.get(con, "group_quorum") if role == "group" else 1
    last_step = article.step == len(article.chain)
    outcome: dict[str, bool] = {}

    def changes() -> dict:
        # counted inside the transaction: a group member approving at the same time is seen here
        outcome["reached"] = _approvals_at_step(con, article) + 1 >= needed
        if outcome["reached"] and last_step:
            return {"state": "approved", "approved_at": dt.datetime.now()}
        return {"step": article.step + 1} if outcome["reached"] else {}

    def notices() -> None:
        if outcome["reached"] and last_step:
            _notify_author(con, article, "article.approved", "稿件已批准",
                           f"{actor.display_name}({ROLE_STEP_LABELS[role]})批准了稿件,可以发布。"
                           + (f"\n审批意见:{comment}" if comment else ""))
        elif outcome["reached"]:
            _notify_step(con, article, article.chain, article.step + 1,
                         f"{ROLE_STEP_LABELS[role]}已批准,请继续审批。")

    _decision(con, article, actor, "approve", expected_version, changes=changes,
              writes=lambda: _record_reviews(con, article, actor, findings, acks, lifts),
              comment=comment or None, event_extra={"role": role, "checklist": sorted(checklist)}, notices=notices)
    return get_article(con, article_id)


def _decision(con: duckdb.DuckDBPyConnection, article: Article, actor, action: str, expected_version: int,
              **options) -> None:
    """A reviewer's decision: when another reviewer committed between our check and our write, say
    who acted first (第十四条's steps are one decision each), not a bare version refusal."""
    try:
        _move(con, article, actor, action, expected_version, **options)
    except StaleVersion:
        raise acted_first(con, article.id, actor) from None


def return_article(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int,
                   comment: str) -> Article:
    """Send the item back to its author; the comment is required and goes into the e-mail."""
    article = get_article(con, article_id)
    _decide(con, actor, article, expected_version, "return")
    require(actor, "article.return", article)
    comment = clean_text(comment, multiline=True)
    if not comment:
        raise ValidationError("退回意见", "退回时必须填写意见,告诉信息员需要修改什么", "第十六条")
    role = article.current_role
    _decision(con, article, actor, "return", expected_version,
              changes={"state": "returned", "state_reason": comment}, comment=comment, event_extra={"role": role},
              notices=lambda: _notify_author(
                  con, article, "article.returned", "稿件被退回",
                  f"{actor.display_name}({ROLE_STEP_LABELS[role]})退回了稿件。\n退回意见:{comment}"))
    return get_article(con, article_id)


def escalate(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int,
             comment: str = "") -> Article:
    """An approver who cannot decide passes the item one rung up the ladder (第十四条)."""
    comment = clean_text(comment, multiline=True)
    article = get_article(con, article_id)
    _decide(con, actor, article, expected_version, "escalate")
    require(actor, "article.escalate", article)
    role = article.current_role
    rung = LADDER.index(role)
    if rung == len(LADDER) - 1:
        raise InvalidTransition("信息化领导小组是最高审批环节,不能再上报")
    upper = LADDER[rung + 1]
    chain = list(article.chain)
    if article.step == len(chain) or chain[article.step] != upper:
        chain.insert(article.step, upper)
    _decision(con, article, actor, "escalate", expected_version,
              changes={"chain": chain, "step": article.step + 1}, comment=comment or None, event_extra={"role": role},
              notices=lambda: _notify_step(con, article, tuple(chain), article.step + 1,
                                           f"{actor.display_name}({ROLE_STEP_LABELS[role]})将稿件上报,请审批。"
                                           + (f"\n说明:{comment}" if comment else "")))
    return get_article(con, article_id)


def approve_by_request(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int,
                       request_id: int) -> Article:
    """The office's draft written for a publication request goes straight to approved: the written
    request is the division's approval (第十八条). Only the draft made for that request may."""
    article = get_article(con, article_id)
    require(actor, "requests.handle")
    transitions.check(ARTICLE_MACHINE, article, "approve_by_request", expected_version)
    if article.request_id != request_id:
        raise InvalidTransition(f"该稿件不是依委托发布申请 #{request_id} 起草的,须经审批(第十四条)")
    _move(con, article, actor, "approve_by_request", expected_version,
           changes={"state": "approved", "approved_at": dt.datetime.now()},
           comment=f"依委托发布申请 #{request_id}(第十八条)", event_extra={"role": "webmaster"})
    return get_article(con, article_id)


def publish(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int,
            at: dt.datetime | None = None, *, correction_note: str = "") -> Article:
    """Publish an approved item now, or schedule it (the scheduler publishes it when due).
    ``correction_note``: for a corrected revision of a published item published now, the 更正说明 its page
    shows from then on (written in the same transaction)."""
    article = get_article(con, article_id)
    require(actor, "article.publish", article)
    transitions.check(ARTICLE_MACHINE, article, "publish", expected_version)
    note = _correction_note(article, correction_note, scheduled=at is not None and at > dt.datetime.now())
    _check_publishable(con, article)
    if at is not None and at > dt.datetime.now():
        _move(con, article, actor, "schedule", expected_version, changes={"state": "scheduled", "scheduled_at": at},
               comment=f"定时发布:{at:%Y-%m-%d %H:%M}")
    else:
        _go_live(con, article, expected_version, actor, "publish", note)
    return get_article(con, article_id)


def _correction_note(article: Article, text: str, *, scheduled: bool) -> str:
    if not (text or "").strip():
        return ""
    if article.published_at is None:
        raise ValidationError(corrections.FIELD, "只有更正已发布的信息时才能填写")
    if scheduled:
        raise ValidationError(corrections.FIELD, "定时发布时不能填写:请立即发布,或发布后再添加更正说明")
    return corrections.clean_note(text)


def _go_live(con, article: Article, expected_version: int, actor, action: str, note: str = "") -> None:
    # a corrected article keeps its first publication date: the portal's URL is built from it
    published_at = article.published_at or dt.datetime.now()

    def beside() -> None:
        if article.request_id:
            con.execute("UPDATE publication_requests SET state = 'done', article_id = ?, handled_at = "
                        "coalesce(handled_at, current_localtimestamp()) WHERE id = ?",
                        [article.id, article.request_id])
        catalogue.on_go_live(con, article.id, published_at)  # the 索引号 at the first publication (第十二条)
        con.execute("DELETE FROM article_takedowns WHERE article_id = ?", [article.id])  # back online
        if note:
            corrections.write(con, article.id, note, actor.id)

    _move(con, article, actor, action, expected_version,
           changes={"state": "published", "public": True, "live_revision": article.revision,
                    "published_at": published_at, "published_by": actor.id,
                    "scheduled_at": None, "state_reason": None},
           comment=f"{corrections.FIELD}:{note}" if note else None, writes=beside)


def cancel_schedule(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int) -> Article:
    article = get_article(con, article_id)
    require(actor, "article.publish", article)
    _move(con, article, actor, "unschedule", expected_version, changes={"state": "approved", "scheduled_at": None})
    return get_article(con, article_id)


def publish_due(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> list[int]:
    """Publish every scheduled item that has come due, exactly once (also after downtime)."""
    now = now or dt.datetime.now()
    system = system_user(con)
    published = []
    due = rows(con, "SELECT id, version FROM articles WHERE state = 'scheduled' AND scheduled_at <= ? "
                    "ORDER BY scheduled_at, id", [now])
    for item in due:
        article = get_article(con, item["id"])
        try:
            _check_publishable(con, article, "定时发布")
        except ScreeningBlocked as blocked:
            _return_blocked_schedule(con, article, system, str(blocked))
            continue
        try:
            _go_live(con, article, article.version, system, "publish_due")
        except (StaleVersion, InvalidTransition):
            continue  # someone else acted on it first: that is the one publication
        published.append(article.id)
    return published


def _return_blocked_schedule(con, article: Article, system, reason: str) -> None:
    """A lexicon change since approval now blocks a scheduled item: it goes back, not online."""
    try:
        _move(con, article, system, "return_blocked", article.version,
               changes={"state": "returned", "scheduled_at": None, "state_reason": reason}, comment=reason,
               notices=lambda: _notify_author(con, article, "article.returned", "定时发布未执行", reason))
    except StaleVersion:
        pass


def withdraw(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int,
             reason: str = "") -> Article:
    """The division abandons an item; a published one leaves the portal (reason required)."""
    article = get_article(con, article_id)
    require(actor, "article.withdraw", article)
    transitions.check(ARTICLE_MACHINE, article, "withdraw", expected_version)
    reason = clean_text(reason, multiline=True)
    if article.public and not reason:
        raise ValidationError("撤销原因", "撤下已发布的信息必须说明原因", "第二十三条")
    _move(con, article, actor, "withdraw", expected_version,
           changes={"state": "withdrawn", "public": False, "scheduled_at": None, "state_reason": reason or None},
           comment=reason or None)
    return get_article(con, article_id)


def restore_withdrawn(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int) -> Article:
    """A withdrawn item goes back to draft; it must pass approval again to go online."""
    article = get_article(con, article_id)
    require(actor, "article.restore_withdrawn", article)
    _move(con, article, actor, "restore_draft", expected_version,
           changes={"state": "draft", "chain": [], "step": 0, "state_reason": None})
    return get_article(con, article_id)


def take_down(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int,
              reason: str, *, category: str | None = OTHER_CATEGORY, replacement_id: int | None = None) -> Article:
    """The webmaster's temporary measure on any published item (第二十三条); reason required. The withdrawal
    page states ``category`` (one of TAKE_DOWN_CATEGORIES) and the date, and links ``replacement_id`` (a
    published item) when given."""
    article = get_article(con, article_id)
    require(actor, "article.take_down", article)
    if not article.public:
        raise InvalidTransition(f"稿件当前为「{article.state_label}」,不在网站上,无需撤下")
    transitions.check(ARTICLE_MACHINE, article, "take_down", expected_version)
    reason = clean_text(reason, multiline=True)
    if category not in TAKE_DOWN_CATEGORIES:
        raise ValidationError("撤下类别", "须从列表中选择(网站撤下页面向公众说明的类别)", "第二十三条")
    if not reason:
        raise ValidationError("撤下原因", "必填", "第二十三条")
    replacement = _replacement(con, article, replacement_id)

    def beside() -> None:
        con.execute("INSERT OR REPLACE INTO article_takedowns (article_id, category, replacement_id, taken_down_at) "
                    "VALUES (?, ?, ?, current_localtimestamp())", [article.id, category, replacement])

    # the history keeps the reason as its comment; the audit row also names what the public page states
    shown = f" 公开类别:{category}" + (f" 替代信息:#{replacement}" if replacement else "")
    _move(con, article, actor, "take_down", expected_version,
           changes={"state": "taken_down", "public": False, "state_reason": reason}, comment=reason,
           detail=_describe(article.state, "taken_down", reason, {"revision": article.revision}) + shown,
           writes=beside,
           notices=lambda: _notify_author(con, article, "article.taken_down", "信息已被网站管理员撤下",
                                          f"撤下类别:{category}\n撤下原因:{reason}"))
    return get_article(con, article_id)


def _replacement(con, article: Article, replacement_id: int | None) -> int | None:
    """The published item a withdrawal page points to instead, checked (第二十三条)."""
    if replacement_id in (None, "", 0):
        return None
    found = row(con, "SELECT a.id, a.public AND a.live_revision IS NOT NULL AS live, r.title FROM articles a "
                     "JOIN revisions r ON r.article_id = a.id AND r.number = a.revision WHERE a.id = ?",
                [int(replacement_id)])
    if found is None:
        raise ValidationError("替代信息", f"编号 #{int(replacement_id)} 的信息不存在", "第二十三条")
    if found["id"] == article.id:
        raise ValidationError("替代信息", f"#{article.id}「{article.title}」是被撤下的信息本身,不能作为替代信息",
                              "第二十三条")
    if not found["live"]:
        raise ValidationError("替代信息", f"#{found['id']}「{found['title']}」不在网站上,替代信息须为已发布的信息",
                              "第二十三条")
    return found["id"]


def replacement_choices(con: duckdb.DuckDBPyConnection, exclude: int, limit: int = 1000) -> dict[int, str]:
    """Published items a withdrawal page may point to (newest first): id → "#id 标题"."""
    found = rows(con, """
        SELECT a.id, r.title FROM articles a JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision
        WHERE a.public AND a.live_revision IS NOT NULL AND a.id <> ?
        ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT ?""", [exclude, limit])
    return {r["id"]: f"#{r['id']} {r['title']}" for r in found}


def restore(con: duckdb.DuckDBPyConnection, actor, article_id: int, expected_version: int,
            comment: str = "") -> Article:
    """The webmaster puts a taken-down item back online as it was."""
    comment = clean_text(comment, multiline=True)
    article = get_article(con, article_id)
    require(actor, "article.restore", article)
    transitions.check(ARTICLE_MACHINE, article, "restore", expected_version)
    if article.live_revision is None:
        raise InvalidTransition("该稿件从未发布,不能恢复上线")
    live_state = "published" if article.live_revision == article.revision else "draft"
    _move(con, article, actor, "restore", expected_version,
           changes={"state": live_state, "public": True, "state_reason": None}, comment=comment or None,
           writes=lambda: con.execute("DELETE FROM article_takedowns WHERE article_id = ?", [article.id]))
    return get_article(con, article_id)


# ---------------------------------------------------------------- reading

def allowed_actions(con: duckdb.DuckDBPyConnection, actor, article: Article) -> list[str]:
    """The buttons a page may show; the transitions check the same rules again."""
    actions = []
    if can(actor, "article.edit", article) and article.state in EDITABLE:
        actions.append("edit")
    if can(actor, "article.submit", article) and article.state in {"draft", "returned"}:
        actions.append("submit")
    if can(actor, "article.publish", article) and article.state == "approved":
        actions.append("publish")
    if can(actor, "article.publish", article) and article.state == "scheduled":
        actions.append("cancel_schedule")
    if can(actor, "article.withdraw", article) and article.state in WITHDRAWABLE:
        actions.append("withdraw")
    if can(actor, "article.restore_withdrawn", article) and article.state == "withdrawn":
        actions.append("restore_draft")
    if article.state == "pending" and can(actor, "article.approve", article):
        actions += ["approve", "return"]
        if article.current_role != LADDER[-1]:
            actions.append("escalate")
    if can(actor, "article.take_down", article) and article.public:
        actions.append("take_down")
    if can(actor, "article.restore", article) and article.state == "taken_down":
        actions.append("restore")
    return actions


def approval_queue(con: duckdb.DuckDBPyConnection, actor) -> list[dict]:
    """Items waiting at a step this user can act on, oldest first."""
    roles = [r for r in LADDER if actor.has(r)]
    if not roles:
        return []
    candidates = rows(con, """
        SELECT a.id, a.title, a.importance, a.chain, a.step, a.lead_division_id, a.version, a.revision,
               a.updated_at, a.submitted_at, d.name AS division, c.name AS column_name, u.display_name AS author
        FROM articles a JOIN divisions d ON d.id = a.lead_division_id JOIN columns c ON c.id = a.column_id
        JOIN users u ON u.id = a.author_id
        WHERE a.state = 'pending' AND a.chain[a.step] IN (SELECT unnest(?::TEXT[]))
        ORDER BY a.updated_at, a.id""", [roles])
    voted = {r["article_id"]: r["revision"] for r in rows(
        con, "SELECT article_id, max(revision) AS revision FROM workflow_events WHERE actor_id = ? "
             "AND action = 'approve' GROUP BY article_id", [actor.id])}
    queue = []
    for item in candidates:
        role = item["chain"][item["step"] - 1]
        if approver_reason(actor, item, role) is not None:
            continue
        if role == "group" and voted.get(item["id"]) == item["revision"]:
            continue
        item["role"] = role
        queue.append(item)
    return queue


def division_articles(con: duckdb.DuckDBPyConnection, actor, states: list[str] | None = None,
                      search: str = "", limit: int = 200, *, everything: bool = False,
                      division_id: int | None = None) -> list[dict]:
    """The articles an officer's division leads or co-handles (read-only for co-divisions).

    `everything` lists the whole site (optionally one division's) for the office, the
    technical-support unit and analysts, who supervise all content (第八、二十三条).
    """
    if everything:
        if not actor.roles & {"webmaster", "tech", "analyst"}:
            raise PermissionDenied("只有办公室、技术支持单位和分析员可以查看全部信息", "第二十四条")
        where, params = ("a.lead_division_id = ?", [division_id]) if division_id else ("TRUE", [])
    else:
        # the office may publish into any column directly: its own items show beside its division's
        params = [actor.division_id, actor.division_id, actor.id if actor.has("webmaster") else -1]
        where = ("(a.lead_division_id = ? OR a.id IN "
                 "(SELECT article_id FROM article_codivisions WHERE division_id = ?) OR a.author_id = ?)")
    if states:
        where += " AND a.state IN (SELECT unnest(?::TEXT[]))"
        params.append(states)
    if search.strip():
        where += f" AND a.title ILIKE ? {LIKE_ESCAPE}"
        params.append(like_pattern(search.strip()))
    params.append(limit)
    return rows(con, f"""
        SELECT a.id, a.title, a.state, a.importance, a.version, a.updated_at, a.published_at,
               a.lead_division_id, c.name AS column_name, d.name AS division
        FROM articles a JOIN columns c ON c.id = a.column_id JOIN divisions d ON d.id = a.lead_division_id
        WHERE {where} ORDER BY a.updated_at DESC, a.id DESC LIMIT ?""", params)


def history(con: duckdb.DuckDBPyConnection, article_id: int) -> list[dict]:
    return rows(con, """
        SELECT e.created_at AS at, u.display_name AS actor, e.role, e.action, e.from_state, e.to_state, e.revision,
               e.step, e.comment
        FROM workflow_events e JOIN users u ON u.id = e.actor_id
        WHERE e.article_id = ? ORDER BY e.id""", [article_id])


def revision(con: duckdb.DuckDBPyConnection, article_id: int, number: int) -> dict:
    found = row(con, """
        SELECT r.*, c.name AS column_name FROM revisions r JOIN columns c ON c.id = r.column_id
        WHERE r.article_id = ? AND r.number = ?""", [article_id, number])
    if not found:
        raise NotFound(f"稿件 {article_id} 没有第 {number} 版")
    return found


def revisions(con: duckdb.DuckDBPyConnection, article_id: int) -> list[dict]:
    return rows(con, """
        SELECT r.number, r.title, r.created_at, u.display_name AS author
        FROM revisions r JOIN users u ON u.id = r.author_id WHERE r.article_id = ? ORDER BY r.number""",
                [article_id])


def last_seen_revision(con: duckdb.DuckDBPyConnection, actor, article_id: int) -> int | None:
    return scalar(con, "SELECT revision FROM review_seen WHERE user_id = ? AND article_id = ?",
                  [actor.id, article_id])


def mark_seen(con: duckdb.DuckDBPyConnection, actor, article: Article) -> None:
    con.execute("INSERT OR REPLACE INTO review_seen VALUES (?, ?, ?)", [actor.id, article.id, article.revision])


def set_chain(con: duckdb.DuckDBPyConnection, actor, importance: str, roles: list[str]) -> None:
    """The office changes which roles approve each level (data, not code: 第十四条)."""
    require(actor, "chain.edit")
    if importance not in IMPORTANCE:
        raise ValidationError("重要程度", f"须为 {'/'.join(IMPORTANCE)} 之一", "第十四条")
    if not roles:
        raise ValidationError("审批流程", "至少需要一个审批环节,发布前必须审核", "第十四条")
    if any(r not in LADDER for r in roles):
        raise ValidationError("审批流程", "环节只能是处室负责人、分管领导或信息化领导小组", "第十四条")
    if len(set(roles)) != len(roles):
        raise ValidationError("审批流程", "同一角色不能重复出现")
    if roles[0] != "head":
        raise ValidationError("审批流程", "第一环节须为处室负责人(第一责任人)", "第十一条")
    if [LADDER.index(r) for r in roles] != sorted(LADDER.index(r) for r in roles):
        raise ValidationError("审批流程", "环节须由低到高:处室负责人→分管领导→领导小组", "第十四条")
    with transaction(con):
        before = chain_for(con, importance)
        con.execute("DELETE FROM approval_chain WHERE importance = ?", [importance])
        for step, role in enumerate(roles, start=1):
            con.execute("INSERT INTO approval_chain VALUES (?, ?, ?)", [importance, step, role])
        audit.record(con, actor, "chain.edit", f"chain:{importance}", f"{list(before)}→{roles}")


def chains(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    return {level: chain_for(con, level) for level in IMPORTANCE}


DEFAULT_CHAINS = {"一般": ["head"], "重要": ["head", "leader"], "重大": ["head", "leader", "group"],
                  "特殊": ["head", "leader", "group"]}


def seed_chains(con: duckdb.DuckDBPyConnection) -> None:
    if scalar(con, "SELECT count(*) FROM approval_chain"):
        return
    for level, roles in DEFAULT_CHAINS.items():
        for step, role in enumerate(roles, start=1):
            con.execute("INSERT INTO approval_chain VALUES (?, ?, ?)", [level, step, role])
