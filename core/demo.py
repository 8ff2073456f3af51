"""Demo data: a plausible 陕西省工业和信息化厅 with divisions, columns, accounts and three years
of articles in every workflow state, for trying the workbench and the portal.

Imports from core.accounts, audit, columns, content, db, evaluation, freshness, requests, workflow
and the demo's texts (core/demo_data/*.toml, via core.demo_data).

`load_demo` writes everything in one transaction and only into an empty database (no divisions
yet); a second call changes nothing. Every demo account has the password `DEMO_PASSWORD` and
does not have to change it. Each article's story is simulated with the clock in hand (`_Article`);
the stories the demo accounts act on (the demo division's queue, the publication requests) are
then played through core.workflow and core.requests themselves (`_Player`), the three-year history
is written in batches with the rows the workflow writes (tests/test_demo.py plays each kind of
story again through the workflow and compares).
"""

from __future__ import annotations

import datetime as dt
import html
import random
from dataclasses import dataclass, field

import duckdb

from core import (
    accounts,
    audit,
    demo_catalogue,
    demo_consultation,
    demo_data,
    demo_duties,
    demo_guide,
    demo_interaction,
    demo_interview,
    demo_proposals,
    demo_ratings,
    demo_readings,
    demo_site_report,
    demo_support,
    evaluation,
    freshness,
    requests,
    workflow,
)
from core.accounts import USERNAME_RULE, ensure_system_user, hash_password
from core.columns import DEFAULT_KINDS, seed_kinds
from core.content import sanitize_html
from core.db import scalar, transaction
from core.demo_disclosure import load_applications
from core.workflow import CHECKLIST, DEFAULT_CHAINS, TAKE_DOWN_CATEGORIES, seed_chains

DEMO_PASSWORD = "Demo-2026!sx"
DEMO_DOMAIN = "sxit.gov.cn"
# the accounts the README names, one per role
DEMO_ACCOUNTS: dict[str, str] = {
    "officer": "xxy_dzxx",
    "head": "fzr_dzxx",
    "leader": "ld_wang",
    "group": "xzz_li",
    "webmaster": "webmaster",
    "tech": "jszc",
    "analyst": "analyst",
}
DEMO_DIVISION = "dzxx"  # 电子信息处: the demo officer's and head's division

# ---------------------------------------------------------------------------------------------
# the texts (core/demo_data/*.toml), in the shapes the builder and bench/import_data.py use

_ORG = demo_data.load("organisation")
_WORDS = demo_data.load("words")
_TEXTS = demo_data.load("texts")
_BODY_DATA = demo_data.load("bodies")

# (code, name, kind)
DIVISIONS: list[tuple[str, str, str]] = [tuple(d) for d in _ORG["divisions"]]
# divisions with a second information officer
SECOND_OFFICER: tuple[str, ...] = tuple(_ORG["second_officer"])
# (username, name, title used in speeches, divisions in charge)
LEADERS: list[tuple[str, str, str, tuple[str, ...]]] = [(u, n, t, tuple(c)) for u, n, t, c in _ORG["leaders"]]
GROUP: list[tuple[str, str, str]] = [tuple(g) for g in _ORG["group"]]
STAFF_NAMES: list[str] = _ORG["staff_names"]


@dataclass
class _Col:
    slug: str
    name: str
    kind: str
    division: str
    weight: float = 1.0
    group: str = "tn"
    children: list[_Col] = field(default_factory=list)
    key: bool = False
    retired: bool = False
    id: int = 0
    parent: int | None = None


def _column_tree(flat: list[dict]) -> list[_Col]:
    """The column tree from its flat listing (parents first, in portal order)."""
    roots: list[_Col] = []
    by_slug: dict[str, _Col] = {}
    for item in flat:
        col = _Col(item["slug"], item["name"], item["kind"], item["division"], item["weight"], item["group"],
                   key=item.get("key", False), retired=item.get("retired", False))
        by_slug[col.slug] = col
        (by_slug[item["parent"]].children if "parent" in item else roots).append(col)
    return roots


COLUMNS: list[_Col] = _column_tree(_ORG["columns"])

# columns their divisions stopped updating (days since the last item), so that 栏目更新监测 has
# stale columns to show (第二十七条(五)): a news column (14 days) and two open-information ones
DORMANT: dict[str, int] = {"jgdj": 40, "xxgknb": 200, "ldxx": 230}

CITIES: list[str] = _WORDS["cities"]
# the industries of the product divisions; other divisions' texts take a real industry at random
INDUSTRIES: dict[str, list[str]] = _WORDS["industries"]
POLICY_INDUSTRIES: list[str] = _WORDS["policy_industries"]
THEMES: list[str] = _WORDS["themes"]
MEETINGS: list[str] = _WORDS["meetings"]
PARTNERS: list[str] = _WORDS["partners"]
ITEMS: list[str] = _WORDS["items"]
PROJECTS: list[str] = _WORDS["projects"]
LISTS: list[str] = _WORDS["lists"]
EVENTS: list[str] = _WORDS["events"]
FUNDS: list[str] = _WORDS["funds"]
VERBS: list[str] = _WORDS["verbs"]
SERVICES: list[str] = _WORDS["services"]
FORMS: list[str] = _WORDS["forms"]
EXAMS: list[str] = _WORDS["exams"]
SOURCES_MEDIA: list[str] = _WORDS["sources_media"]
POLICIES: list[str] = _WORDS["policies"]

TITLES: dict[str, list[str]] = demo_data.load("titles")
# (openers, middles, closers, take every middle?) per style
BODIES: dict[str, tuple[list[str], list[str], list[str], bool]] = {
    style: (b["openers"], b["middles"], b["closers"], b["every"]) for style, b in _BODY_DATA["bodies"].items()}
STYLE_OF_GROUP: dict[str, str] = _BODY_DATA["style_of_group"]
# a news item's body follows what its headline is about
NEWS_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    (k["style"], tuple(k["words"])) for k in _BODY_DATA["news_keywords"]]

_FLOW = _TEXTS["workflow"]
RETURN_COMMENTS: list[str] = _FLOW["return_comments"]
TAKE_DOWN_REASONS: list[str] = _FLOW["take_down_reasons"]
WITHDRAW_REASONS: list[str] = _FLOW["withdraw_reasons"]
ESCALATE_COMMENTS: list[str] = _FLOW["escalate_comments"]
APPROVE_COMMENTS: list[str] = _FLOW["approve_comments"]
CN_NUM = "一二三四五六七八九十"


# ---------------------------------------------------------------------------------------------
# time helpers


def _next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _later(rng: random.Random, t: dt.datetime, lo: int, hi: int) -> dt.datetime:
    """`t` plus lo..hi minutes, rolling over to the next working morning after office hours."""
    nxt = t + dt.timedelta(minutes=rng.randint(lo, hi))
    if nxt.date() != t.date() or nxt.hour >= 18:
        day = _next_workday(t.date())
        nxt = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 90))
    return nxt


def _office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 420))


def _period(month: int) -> str:
    return {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}.get(month, f"1—{month}月")


# ---------------------------------------------------------------------------------------------
# the article simulator: the transitions core.workflow makes, with the clock in hand


@dataclass
class _Article:
    id: int
    column_id: int
    lead: int
    author: int
    importance: str
    title: str
    paragraphs: list[str]
    source: str
    t: dt.datetime
    state: str = "draft"
    revision: int = 1
    chain: list[str] = field(default_factory=list)
    step: int = 0
    created_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    scheduled_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    published_by: int | None = None
    live_revision: int | None = None
    public: bool = False
    state_reason: str | None = None
    request_id: int | None = None
    work_ended_on: dt.date | None = None
    codivisions: list[int] = field(default_factory=list)
    events: list[list] = field(default_factory=list)
    revisions: list[list] = field(default_factory=list)  # [number, title, author, at]
    played: bool = False  # written by the product's own functions (_Player), not by `write`

    def _event(self, actor: int, action: str, to_state: str, role: str | None = None,
               comment: str | None = None, checklist: bool = False) -> None:
        self.events.append([self.id, self.revision, actor, role, action, self.state, to_state,
                            self.step or None, comment or None,
                            ",".join(sorted(CHECKLIST)) if checklist else None, self.t])
        self.state = to_state

    def create(self) -> None:
        self.created_at = self.t
        self.revisions.append([1, self.title, self.author, self.t])
        self._event(self.author, "create", "draft")

    def edit(self, actor: int) -> None:
        restart = self.state in {"pending", "approved", "scheduled", "published"}
        self.revision += 1
        self.revisions.append([self.revision, self.title, actor, self.t])
        if restart:
            new_state, chain, step = "pending", list(DEFAULT_CHAINS[self.importance]), 1
        elif self.state == "taken_down":
            new_state, chain, step = "draft", [], 0
        else:
            new_state, chain, step = self.state, self.chain, self.step
        self._event(actor, "edit_restart" if restart else "edit", new_state,
                    comment="修改后重新进入审批" if restart else None)
        self.chain, self.step, self.scheduled_at = chain, step, None

    def submit(self) -> None:
        self._event(self.author, "submit", "pending")
        self.chain, self.step = list(DEFAULT_CHAINS[self.importance]), 1
        self.submitted_at, self.state_reason = self.t, None

    def approve(self, actor: int, comment: str = "") -> None:
        role = self.chain[self.step - 1]
        last = self.step == len(self.chain)
        self._event(actor, "approve", "approved" if last else "pending", role=role, comment=comment,
                    checklist=True)
        if last:
            self.approved_at = self.t
        else:
            self.step += 1

    def return_(self, actor: int, comment: str) -> None:
        self._event(actor, "return", "returned", role=self.chain[self.step - 1], comment=comment)
        self.state_reason = comment

    def escalate(self, actor: int, comment: str) -> None:
        role = self.chain[self.step - 1]
        upper = {"head": "leader", "leader": "group"}[role]
        if self.step == len(self.chain) or self.chain[self.step] != upper:
            self.chain.insert(self.step, upper)
        self._event(actor, "escalate", "pending", role=role, comment=comment)
        self.step += 1

    def publish(self, actor: int) -> None:
        self._event(actor, "publish", "published")
        self.public, self.live_revision = True, self.revision
        self.published_at, self.published_by = self.t, actor
        self.scheduled_at, self.state_reason = None, None

    def schedule(self, actor: int, at: dt.datetime) -> None:
        self._event(actor, "schedule", "scheduled", comment=f"定时发布:{at:%Y-%m-%d %H:%M}")
        self.scheduled_at = at

    def withdraw(self, actor: int, reason: str) -> None:
        self._event(actor, "withdraw", "withdrawn", comment=reason)
        self.public, self.scheduled_at, self.state_reason = False, None, reason or None

    def take_down(self, actor: int, reason: str) -> None:
        self._event(actor, "take_down", "taken_down", comment=reason)
        self.public, self.state_reason = False, reason

    def restore(self, actor: int, comment: str) -> None:
        self._event(actor, "restore", "published" if self.live_revision == self.revision else "draft",
                    comment=comment)
        self.public, self.state_reason = True, None

    def approve_by_request(self, actor: int) -> None:
        self.events.append([self.id, 1, actor, "webmaster", "approve_by_request", "draft", "approved", None,
                            f"依委托发布申请 #{self.request_id}(第十八条)", None, self.t])
        self.state, self.approved_at = "approved", self.t

    def body(self, number: int) -> str:
        """Revision `number`'s body: an earlier revision lacks the paragraphs added by the later ones."""
        keep = max(min(3, len(self.paragraphs)), len(self.paragraphs) - (self.revision - number))
        return sanitize_html("".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs[:keep]))

    def times(self) -> list[dt.datetime]:
        return [e[10] for e in self.events]

    def shift(self, delta: dt.timedelta) -> None:
        """Move the whole history by `delta` (scheduled_at is a future appointment and stays)."""
        for event in self.events:
            event[10] += delta
        for rev in self.revisions:
            rev[3] += delta
        self.t += delta
        for name in ("created_at", "submitted_at", "approved_at", "published_at"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value + delta)


# ---------------------------------------------------------------------------------------------
# the player: a simulated story through the product's own functions


# besides workflow_events, the rows a workflow or request call writes stamped `now`
_STAMPED = ("outbox", "screening_reviews")


class _Player:
    """Plays simulated stories through core.workflow and core.requests, so what the demo accounts
    find in their queues is exactly what the workbench writes.

    The product stamps `now`; the demo needs its history on past days (statistics, freshness and
    evaluation read those dates). So each call's rows are noted by id and, once every story is
    played, moved to the story's times in one UPDATE per table (`settle`). The audit rows stay as
    written: the log says what happened in this database (the demo was loaded today), and its
    hash chain covers each row's time. The notices the calls queued are marked sent at their
    story time: they belong to the past, a fresh demo has nothing waiting in its outbox.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self._users: dict[int, accounts.User] = {}
        self._last = self._max_ids()
        self._spans: list[tuple] = []  # (last ids before, last ids after, story time) of each call
        self._event_times: list[tuple[int, dt.datetime]] = []
        self.article_ids: list[int] = []
        self.request_times: dict[int, list] = {}  # request id: [created, handled]

    def _user(self, user_id: int) -> accounts.User:
        if user_id not in self._users:
            self._users[user_id] = accounts.get_user(self.con, user_id)
        return self._users[user_id]

    def _max_ids(self) -> tuple[int, ...]:
        found = self.con.execute("SELECT " + ", ".join(
            f"(SELECT coalesce(max(id), 0) FROM {table})" for table in _STAMPED)).fetchone()
        return tuple(found)

    def _stamp(self, at: dt.datetime) -> None:
        """The rows written since the last call happened at `at`."""
        now = self._max_ids()
        self._spans.append((*self._last, *now, at))
        self._last = now

    def article(self, a: _Article, request: dict | None = None) -> int:
        """Play `a`'s events; returns the article's id. A requested item is the office's
        `requests.fulfil` (create, approve by request, publish in one call)."""
        con, item = self.con, None
        if request is not None:
            item = requests.fulfil(con, self._user(a.author), request["id"], 1, column_id=a.column_id,
                                   title=a.title, body_html=a.body(1))
            self._stamp(a.events[-1][10])
            self.request_times[request["id"]][1] = a.published_at
        else:
            for _id, revision, actor_id, _role, action, *_states, comment, _checklist, at in a.events:
                actor = self._user(actor_id)
                if action == "create":
                    item = workflow.create_article(con, actor, a.column_id, a.revisions[0][1], a.body(1), a.source,
                                                   a.work_ended_on, a.importance, codivisions=a.codivisions or None)
                else:
                    item = self._move(a, item, actor, action, revision, comment or "")
                self._stamp(at)
        event_ids = [r[0] for r in con.execute(
            "SELECT id FROM workflow_events WHERE article_id = ? ORDER BY id", [item.id]).fetchall()]
        self._event_times += zip(event_ids, a.times(), strict=True)
        self.article_ids.append(item.id)
        return item.id

    def _move(self, a: _Article, item: workflow.Article, actor: accounts.User, action: str, revision: int,
              comment: str) -> workflow.Article:
        con, ref = self.con, (self.con, actor, item.id, item.version)
        if action in ("edit", "edit_restart"):
            return workflow.save_article(*ref, title=a.revisions[revision - 1][1], body_html=a.body(revision),
                                         source=a.source, work_ended_on=a.work_ended_on, importance=a.importance)
        if action == "approve":  # the reviewer acknowledges each screening warning shown (第十六条)
            seen = [workflow.finding_key(f) for f in workflow.screen_article(con, item) if not f.blocking]
            return workflow.approve(*ref, sorted(workflow.CHECKLIST), comment, acknowledged=seen)
        if action == "schedule":
            return workflow.publish(*ref, at=a.scheduled_at)
        moves = {"submit": workflow.submit, "publish": workflow.publish}
        if action in moves:
            return moves[action](*ref)
        with_comment = {"return": workflow.return_article, "escalate": workflow.escalate,
                        "withdraw": workflow.withdraw, "take_down": workflow.take_down, "restore": workflow.restore}
        return with_comment[action](*ref, comment)

    def request(self, r: dict) -> int:
        """A division's publication request (第十八条), declined by the office when the plan says so."""
        con = self.con
        request_id = requests.create_request(
            con, self._user(r["requester_id"]), division_id=r["division_id"], requested_on=r["requested_on"],
            content=r["content"], source=r["source"], form=r["form"], requirements=r["requirements"])
        self._stamp(r["created_at"])
        if r["state"] == "declined":
            requests.decline(con, self._user(r["handled_by"]), request_id, 1, r["reply"])
            self._stamp(r["handled_at"])
        self.request_times[request_id] = [r["created_at"], r["handled_at"]]
        return request_id

    def settle(self) -> None:
        """Move every row the calls wrote to its story time, in one UPDATE per table."""
        import pandas as pd  # deferred: 0.26 s at every CLI start; only the demo's bulk writes use it
        con = self.con
        con.register("demo_event_times", pd.DataFrame(self._event_times, columns=["id", "at"]))
        con.execute("UPDATE workflow_events SET created_at = t.at FROM demo_event_times t "
                    "WHERE workflow_events.id = t.id")
        con.unregister("demo_event_times")
        spans = pd.DataFrame(self._spans, columns=[*(f"lo_{t}" for t in _STAMPED), *(f"hi_{t}" for t in _STAMPED),
                                                   "at"])
        con.register("demo_spans", spans)
        for table in _STAMPED:
            extra = ", sent_at = s.at" if table == "outbox" else ""
            con.execute(f"UPDATE {table} SET created_at = s.at{extra} FROM demo_spans s "
                        f"WHERE {table}.id > s.lo_{table} AND {table}.id <= s.hi_{table}")
        con.unregister("demo_spans")
        played = pd.DataFrame({"article_id": self.article_ids})
        con.register("demo_played", played)
        con.execute("""
            UPDATE revisions SET created_at = e.created_at FROM workflow_events e
            WHERE e.article_id = revisions.article_id AND e.revision = revisions.number
              AND e.action IN ('create', 'edit', 'edit_restart')
              AND revisions.article_id IN (SELECT article_id FROM demo_played)""")
        con.execute("""
            UPDATE articles SET created_at = e.created, updated_at = e.updated,
                submitted_at = CASE WHEN articles.submitted_at IS NULL THEN NULL ELSE e.submitted END,
                approved_at = CASE WHEN articles.approved_at IS NULL THEN NULL ELSE e.approved END,
                published_at = CASE WHEN articles.published_at IS NULL THEN NULL ELSE e.published END
            FROM (SELECT article_id, min(created_at) AS created, max(created_at) AS updated,
                         max(created_at) FILTER (action = 'submit') AS submitted,
                         max(created_at) FILTER (to_state = 'approved') AS approved,
                         min(created_at) FILTER (action = 'publish') AS published
                  FROM workflow_events WHERE article_id IN (SELECT article_id FROM demo_played)
                  GROUP BY article_id) e
            WHERE articles.id = e.article_id""")
        con.unregister("demo_played")
        for request_id, (created, handled) in self.request_times.items():
            con.execute("UPDATE publication_requests SET created_at = ?, handled_at = coalesce(?, handled_at) "
                        "WHERE id = ?", [created, handled, request_id])


# ---------------------------------------------------------------------------------------------
# the loader


class _Builder:
    def __init__(self, con: duckdb.DuckDBPyConnection, total: int, seed: int, today: dt.date | None):
        self.con = con
        self.rng = random.Random(seed)
        real_now = dt.datetime.now().replace(microsecond=0)
        if today is None or today == real_now.date():
            self.now, self.today = real_now, real_now.date()
        else:
            self.now, self.today = dt.datetime.combine(today, dt.time(18, 0)), today
        self.start = self.today - dt.timedelta(days=3 * 365)
        # nothing happened after this: now, or the end of the last working day outside office hours
        self.latest = self.now - dt.timedelta(minutes=5)
        if self.now.weekday() >= 5 or not dt.time(9, 0) <= self.now.time() <= dt.time(18, 0):
            day = self.today
            while day.weekday() >= 5 or dt.datetime.combine(day, dt.time(17, 50)) > self.now:
                day -= dt.timedelta(days=1)
            self.latest = dt.datetime.combine(day, dt.time(17, 50))
        self.total = total
        self.div: dict[str, int] = {}
        self.div_name: dict[int, str] = {}
        self.code_of: dict[int, str] = {}
        self.users: dict[str, int] = {}
        self.officers: dict[int, list[int]] = {}
        self.head: dict[int, int] = {}
        self.leader_of: dict[int, int] = {}
        self.group: list[int] = []
        self.cols: list[_Col] = []
        self.titles: set[tuple[int, str]] = set()
        self.articles: list[_Article] = []
        self.requests: list[dict] = []

    # ------------------------------------------------------------------ organisation

    def divisions(self) -> None:
        for position, (code, name, kind) in enumerate(DIVISIONS, start=1):
            division_id = self.con.execute(
                "INSERT INTO divisions (code, name, kind, position) VALUES (?, ?, ?, ?) RETURNING id",
                [code, name, kind, position * 10]).fetchone()[0]
            self.div[code], self.div_name[division_id], self.code_of[division_id] = division_id, name, code

    def accounts(self) -> None:
        """Mirror of core.accounts.create_user, with one bcrypt hash shared by every demo account
        (40-odd hashes at cost 12 would take ten seconds)."""
        password_hash = hash_password(DEMO_PASSWORD)
        created = dt.datetime.combine(self.start - dt.timedelta(days=30), dt.time(9, 0))
        names = iter(STAFF_NAMES)

        def add(username: str, name: str, roles: list[str], division: str | None,
                charge: tuple[str, ...] = ()) -> int:
            assert USERNAME_RULE.fullmatch(username), username
            division_id = self.div[division] if division else None
            user_id = self.con.execute(
                "INSERT INTO users (username, display_name, email, division_id, password_hash, "
                "must_change_password, created_at) VALUES (?, ?, ?, ?, ?, FALSE, ?) RETURNING id",
                [username, name, f"{username}@{DEMO_DOMAIN}", division_id, password_hash, created]).fetchone()[0]
            for role in sorted(set(roles)):
                self.con.execute("INSERT INTO user_roles VALUES (?, ?)", [user_id, role])
            for code in sorted(set(charge)):
                self.con.execute("INSERT INTO leader_charge VALUES (?, ?)", [user_id, self.div[code]])
            audit.record(self.con, None, "accounts.create", f"user:{username}",
                         f"roles={sorted(roles)} division={division_id}")
            self.users[username] = user_id
            return user_id

        for code, _name, kind in DIVISIONS:
            if kind not in ("division", "office"):
                continue
            division_id = self.div[code]
            self.officers[division_id] = [add(f"xxy_{code}", next(names), ["officer"], code)]
            self.head[division_id] = add(f"fzr_{code}", next(names), ["head"], code)
        for code in SECOND_OFFICER:
            self.officers[self.div[code]].append(add(f"xxy_{code}2", next(names), ["officer"], code))
        for username, name, _title, charge in LEADERS:
            user_id = add(username, name, ["leader"], "tld", charge)
            for code in charge:
                self.leader_of[self.div[code]] = user_id
        for username, name, _title in GROUP:
            self.group.append(add(username, name, ["group"], "tld"))
        add("webmaster", next(names), ["webmaster"], "bgs")
        add("jszc", next(names), ["tech"], "jszc")
        add("analyst", next(names), ["analyst"], "ghc")

    def columns(self) -> None:
        created = dt.datetime.combine(self.start - dt.timedelta(days=30), dt.time(10, 0))

        def walk(items: list[_Col], parent: int | None) -> None:
            for position, col in enumerate(items, start=1):
                assert col.kind in DEFAULT_KINDS, col.kind
                col.parent = parent
                col.id = self.con.execute(
                    "INSERT INTO columns (parent_id, slug, name, kind, division_id, position, retired, is_key, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    [parent, col.slug, col.name, col.kind, self.div[col.division], position * 10, col.retired,
                     col.key, created]).fetchone()[0]
                self.cols.append(col)
                walk(col.children, col.id)

        walk(COLUMNS, None)
        self.portal_sections()

    def portal_sections(self) -> None:
        """The portal's 政府信息公开 section (organisation.toml [portal]): the settings naming its
        columns, and the columns of each category of 政府信息公开条例 第二十条."""
        portal = _ORG.get("portal", {})
        by_slug = {col.slug: col.id for col in self.cols}
        for name, slug in portal.items():
            if isinstance(slug, str):
                self.con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", [name, slug])
        for item, slugs in portal.get("statutory", {}).items():
            for slug in slugs:
                self.con.execute("INSERT INTO statutory_columns VALUES (?, ?)", [int(item), by_slug[slug]])

    # ------------------------------------------------------------------ words

    def _slots(self, col: _Col, day: dt.date) -> dict:
        rng = self.rng
        code = col.division
        inds = INDUSTRIES.get(code) or POLICY_INDUSTRIES
        data_day = day.replace(day=1) - dt.timedelta(days=1)
        leader_pool = [(name, title) for _u, name, title, _c in LEADERS] + [(n, t) for _u, n, t in GROUP]
        leader, ltitle = rng.choice(leader_pool)
        city, city2 = rng.sample(CITIES, 2)
        deadline = day + dt.timedelta(days=rng.randint(10, 30))
        slots = {
            "year": day.year, "year2": day.year + 2, "prev": day.year - 1, "month": day.month, "day": day.day,
            "dyear": data_day.year, "dmonth": data_day.month, "period": _period(data_day.month),
            "city": city, "city2": city2, "ind": rng.choice(inds), "pind": rng.choice(POLICY_INDUSTRIES),
            "theme": rng.choice(THEMES), "meeting": rng.choice(MEETINGS), "leader": leader, "ltitle": ltitle,
            "partner": rng.choice(PARTNERS), "item": rng.choice(ITEMS), "project": rng.choice(PROJECTS),
            "list": rng.choice(LISTS), "event": rng.choice(EVENTS), "fund": rng.choice(FUNDS),
            "verb": rng.choice(VERBS), "service": rng.choice(SERVICES), "form": rng.choice(FORMS),
            "exam": rng.choice(EXAMS), "name": rng.choice(STAFF_NAMES), "n": rng.randint(1, 12),
            "n2": rng.randint(3, 36), "n3": rng.randint(40, 600), "num": rng.randint(100, 1300),
            "cn": CN_NUM[rng.randint(0, 4)], "pct": f"{rng.uniform(3, 12):.1f}", "pct2": f"{rng.uniform(5, 25):.1f}",
            "pct3": f"{rng.uniform(0.2, 3):.1f}", "amount": rng.randint(12, 980),
            "dl_month": deadline.month, "dl_day": deadline.day, "org": _TEXTS["sources"]["org"],
            "division": self.div_name[self.div[rng.choice([c for c, _n, k in DIVISIONS if k == "division"])]],
        }
        slots["policy"] = rng.choice(POLICIES).format(**slots)
        return slots

    def _title(self, col: _Col, slots: dict) -> tuple[str, dict]:
        """A headline not yet used in the column (第十五条), and the words it was made with."""
        templates = TITLES[col.group or "tn"]
        for _ in range(25):
            title = self.rng.choice(templates).format(**slots)
            if (col.id, title) not in self.titles:
                break
            slots = self._slots(col, dt.date(slots["year"], slots["month"], slots["day"]))
        else:  # the column has used up its headlines for this date: a numbered sequel
            base = self.rng.choice(templates).format(**slots)
            title, k = base, 1
            while (col.id, title) in self.titles:
                k += 1
                title = f"{base}（{CN_NUM[k - 1]}）" if k <= 10 else f"{base}（{k}）"
        self.titles.add((col.id, title))
        return title, slots

    def _paragraphs(self, col: _Col, title: str, slots: dict) -> list[str]:
        """3–8 paragraphs in a sensible order, in the register of the column and the headline."""
        rng = self.rng
        style = STYLE_OF_GROUP.get(col.group)
        if style is None:
            style = next((s for s, words in NEWS_KEYWORDS if any(w in title for w in words)), "event")
        openers, middles, closers, every = BODIES[style]
        if every:
            chosen = list(middles)
        else:
            keep = sorted(rng.sample(range(len(middles)), rng.randint(min(2, len(middles)), len(middles))))
            chosen = [middles[i] for i in keep]
        paragraphs = [rng.choice(openers), *chosen]
        if closers and (every or rng.random() < 0.7):
            paragraphs.append(rng.choice(closers))
        return [p.format(**slots) for p in paragraphs[:8]]

    def _source(self, col: _Col, slots: dict) -> str:
        roll = self.rng.random()
        if col.group == "sx":
            return _TEXTS["sources"]["city"].format(**slots) if roll < 0.8 else self.rng.choice(SOURCES_MEDIA)
        if col.group == "hy" and roll < 0.6:
            return self.rng.choice(_TEXTS["sources"]["ministry"])
        if col.group == "szf":
            return _TEXTS["sources"]["province"]
        if roll < 0.08 and col.kind == "news":
            return self.rng.choice(SOURCES_MEDIA)
        return self.div_name[self.div[col.division]]

    # ------------------------------------------------------------------ articles

    def _new(self, article_id: int, col: _Col, day: dt.date, importance: str,
             author: int | None = None) -> _Article:
        title, slots = self._title(col, self._slots(col, day))
        lead = self.div[col.division]
        author = author or self.rng.choice(self.officers[lead])
        article = _Article(
            id=article_id, column_id=col.id, lead=lead, author=author, importance=importance,
            title=title, paragraphs=self._paragraphs(col, title, slots),
            source=self._source(col, slots), t=_office_time(self.rng, day))
        if self.rng.random() < 0.05:
            others = [d for d in self.officers if d != lead]
            article.codivisions = sorted(self.rng.sample(others, self.rng.randint(1, 2)))
        return article

    def _importance(self, col: _Col, busy: bool = False) -> str:
        weights = [55, 30, 10, 5] if busy else [82, 13, 4, 1]
        if col.kind in ("speech", "meeting", "policy") and not busy:
            weights = [55, 33, 9, 3]
        return self.rng.choices(["一般", "重要", "重大", "特殊"], weights=weights)[0]

    def _approver(self, article: _Article) -> int:
        role = article.chain[article.step - 1]
        if role == "head":
            return self.head[article.lead]
        if role == "leader":
            return self.leader_of[article.lead]
        return self.rng.choice(self.group)

    def _approve_until(self, article: _Article, step: int) -> None:
        """Approve step by step until the article waits at `step` (or is approved if beyond)."""
        while article.state == "pending" and article.step < step:
            article.t = _later(self.rng, article.t, 20, 300)
            article.approve(self._approver(article), self.rng.choice(APPROVE_COMMENTS))

    def _through_approval(self, article: _Article, *, detour: bool = True) -> None:
        """create → (edit) → submit → (return, edit, resubmit) → (escalate) → approved."""
        rng = self.rng
        article.create()
        if detour and rng.random() < 0.08:
            article.t = _later(rng, article.t, 20, 240)
            article.edit(article.author)
        article.t = _later(rng, article.t, 10, 120)
        article.submit()
        if detour and rng.random() < 0.06:
            article.t = _later(rng, article.t, 30, 300)
            article.return_(self._approver(article), rng.choice(RETURN_COMMENTS))
            article.t = _later(rng, article.t, 20, 200)
            article.edit(article.author)
            article.t = _later(rng, article.t, 5, 60)
            article.submit()
        if detour and article.importance == "一般" and rng.random() < 0.03:
            article.t = _later(rng, article.t, 30, 240)
            article.escalate(self._approver(article), rng.choice(ESCALATE_COMMENTS))
        self._approve_until(article, len(article.chain) + 1)

    def _publisher(self, article: _Article) -> int:
        if self.code_of[article.lead] == "bgs" and self.rng.random() < 0.3:
            return self.users["webmaster"]
        return article.author if self.rng.random() < 0.85 else self.rng.choice(self.officers[article.lead])

    def _publish(self, article: _Article) -> None:
        article.t = _later(self.rng, article.t, 5, 90)
        article.publish(self._publisher(article))

    def _published(self, article: _Article, *, extras: bool = True) -> None:
        rng = self.rng
        self._through_approval(article)
        self._publish(article)
        if extras and rng.random() < 0.04:  # a correction, approved and republished
            article.t = _later(rng, article.t, 30, 400)
            article.edit(article.author)
            self._approve_until(article, len(article.chain) + 1)
            self._publish(article)
        if extras and rng.random() < 0.006:  # taken down for a check, then put back
            webmaster = self.users["webmaster"]
            article.t = article.t + dt.timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 300))
            article.take_down(webmaster, rng.choice(TAKE_DOWN_REASONS))
            article.t = _later(rng, article.t, 60, 600)
            article.restore(webmaster, _FLOW["restore_comment"])

    def _play(self, article: _Article, scenario: str) -> None:
        rng = self.rng
        if scenario == "published":
            self._published(article)
        elif scenario == "draft":
            article.create()
            if rng.random() < 0.3:
                article.t = _later(rng, article.t, 20, 600)
                article.edit(article.author)
        elif scenario == "returned":
            article.create()
            article.t = _later(rng, article.t, 10, 120)
            article.submit()
            self._approve_until(article, rng.randint(1, len(article.chain)))
            article.t = _later(rng, article.t, 30, 300)
            article.return_(self._approver(article), rng.choice(RETURN_COMMENTS))
        elif scenario in ("approved", "scheduled"):
            self._through_approval(article, detour=False)
            if scenario == "scheduled":
                article.t = _later(rng, article.t, 5, 60)
                day = self.today + dt.timedelta(days=rng.randint(1, 5))
                at = dt.datetime.combine(day, dt.time(rng.choice([9, 10, 15]), 0))
                article.schedule(article.author, at)
        elif scenario.startswith("pending"):  # pending@<step>
            step = int(scenario.split("@")[1])
            article.create()
            article.t = _later(rng, article.t, 10, 120)
            article.submit()
            self._approve_until(article, step)
        elif scenario.startswith("correction"):  # published, later revision pending@<step>
            step = int(scenario.split("@")[1])
            self._through_approval(article, detour=False)
            self._publish(article)
            article.t = _later(rng, article.t, 60, 900)
            article.edit(article.author)
            self._approve_until(article, step)
        elif scenario == "withdrawn":
            roll = rng.random()
            if roll < 0.4:
                article.create()
                article.t = _later(rng, article.t, 60, 900)
                article.withdraw(article.author, rng.choice(["", "", WITHDRAW_REASONS[1]]))
            elif roll < 0.7:
                article.create()
                article.t = _later(rng, article.t, 10, 120)
                article.submit()
                article.t = _later(rng, article.t, 30, 600)
                article.withdraw(article.author, rng.choice(WITHDRAW_REASONS))
            else:
                self._published(article, extras=False)
                article.t = article.t + dt.timedelta(days=rng.randint(0, 3), minutes=rng.randint(30, 400))
                article.withdraw(article.author, rng.choice(WITHDRAW_REASONS))
        elif scenario == "taken_down":
            self._published(article, extras=False)
            article.t = article.t + dt.timedelta(days=rng.randint(0, 30), minutes=rng.randint(30, 400))
            article.take_down(self.users["webmaster"], rng.choice(TAKE_DOWN_REASONS))
        else:  # pragma: no cover - a programming error
            raise ValueError(scenario)

    def _finish(self, article: _Article) -> None:
        """Keep the history in the past and set when the work ended (第十七条)."""
        rng = self.rng
        latest = self.latest - dt.timedelta(minutes=rng.randint(0, 150))
        if article.t > latest:  # move back by whole days, to a working day: office hours stay
            days = (article.t - latest).days + 1
            while (article.t - dt.timedelta(days=days)).weekday() >= 5:
                days += 1
            article.shift(dt.timedelta(days=-days))
        if article.published_at is not None:
            lag = rng.choices([0, 1, 2, 3, 4, 5], weights=[35, 30, 17, 10, 5, 3])[0]
            article.work_ended_on = article.published_at.date() - dt.timedelta(days=lag)
        elif rng.random() < 0.9:
            article.work_ended_on = article.created_at.date() - dt.timedelta(days=rng.choice([0, 0, 1, 2]))

    def _recent_day(self, max_days: int) -> dt.date:
        day = self.today - dt.timedelta(days=self.rng.randint(0, max_days))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day

    def _past_day(self, col: _Col) -> dt.date:
        span = (self.today - self.start).days
        if col.retired:  # the campaign is over: its items are from the first year
            offset = span - self.rng.randint(0, span // 3)
        else:
            offset = int(span * self.rng.random() ** 1.15)
        day = self.today - dt.timedelta(days=offset)
        if day.weekday() >= 5 and self.rng.random() < 0.85:  # Saturday to Friday, Sunday to Monday
            day += dt.timedelta(days=-1 if day.weekday() == 5 else 1)
        if col.slug in DORMANT:
            day = min(day, self.today - dt.timedelta(days=DORMANT[col.slug]))
        return min(day, self.today)

    def plan(self, player: _Player) -> None:
        """Simulate every story. The demo division's queue and the publication requests are played
        at once through the product's functions (_Player); the three-year history is written in
        batches by `write` (playing 14,000 transitions one by one would take minutes)."""
        rng = self.rng
        by_slug = {c.slug: c for c in self.cols}
        dzxx = self.div[DEMO_DIVISION]
        officer = self.users[DEMO_ACCOUNTS["officer"]]
        dz_cols = [c for c in self.cols if c.division == DEMO_DIVISION and not c.retired]

        # 1. the demo division's queue: what the README promises to each demo account
        forced = [("draft", "一般"), ("draft2", "一般"), ("returned", "一般"), ("approved", "一般"),
                  ("pending@1", "一般"), ("pending@1", "一般"), ("pending@1r", "一般"),
                  ("pending@2", "重要"), ("pending@3", "重大")]
        for scenario, importance in forced:
            col = rng.choice(dz_cols)
            article = self._new(0, col, self._recent_day(6), importance, author=officer)
            if scenario == "draft2":
                article.create()
                article.t = _later(rng, article.t, 30, 300)
                article.edit(officer)
            elif scenario == "pending@1r":  # returned once, corrected and resubmitted
                article.create()
                article.t = _later(rng, article.t, 10, 120)
                article.submit()
                article.t = _later(rng, article.t, 30, 300)
                article.return_(self.head[dzxx], _FLOW["demo_resubmitted"])
                article.t = _later(rng, article.t, 30, 300)
                article.edit(officer)
                article.t = _later(rng, article.t, 5, 60)
                article.submit()
            elif scenario == "returned":
                article.create()
                article.t = _later(rng, article.t, 10, 120)
                article.submit()
                article.t = _later(rng, article.t, 30, 300)
                article.return_(self.head[dzxx], _FLOW["demo_returned"])
            else:
                self._play(article, scenario)
            if scenario == "pending@2":
                assert self.leader_of[dzxx] == self.users[DEMO_ACCOUNTS["leader"]]
            self._finish(article)
            article.id, article.played = player.article(article), True
            self.articles.append(article)

        # 2. publication requests the office handled (第十八条): published by the webmaster
        notices = by_slug["tzgg"]
        for request in self.requests:
            request["id"] = player.request(request)
        for request in self.requests:
            if request["state"] != "done":
                continue
            day = request["requested_on"] + dt.timedelta(days=1)
            article = self._new(0, notices, day, "一般", author=self.users["webmaster"])
            article.title = request["title"]
            self.titles.add((notices.id, article.title))
            article.source = request["source"]
            article.request_id = request["id"]
            article.create()
            article.t = _later(rng, article.t, 10, 60)
            article.approve_by_request(self.users["webmaster"])
            article.t = _later(rng, article.t, 1, 10)
            article.publish(self.users["webmaster"])
            self._finish(article)
            article.id, article.played = player.article(article, request), True
            self.articles.append(article)

        ids = [r[0] for r in self.con.execute("SELECT nextval('seq_articles') AS id FROM range(?) ORDER BY id",
                                              [self.total - len(self.articles)]).fetchall()]

        # 3. every other article: one in each column first, then by weight
        eligible = [c for c in self.cols if c.weight > 0 and c.kind != "interaction"]
        placed = list(eligible) + [c for c in eligible if c.retired] * 2
        rest = len(ids) - len(placed)
        if rest > 0:
            placed += rng.choices(eligible, weights=[c.weight for c in eligible], k=rest)
        placed = placed[:len(ids)]
        rng.shuffle(placed)
        scenarios = ["published"] * len(placed)
        n = len(placed)
        quotas = {"draft": 0.025, "pending": 0.022, "correction": 0.008, "returned": 0.012, "approved": 0.01,
                  "scheduled": 0.006, "withdrawn": 0.012, "taken_down": 0.008}
        wang = {d for d, u in self.leader_of.items() if u == self.users[DEMO_ACCOUNTS["leader"]]}
        seen_cols: set[int] = set()
        candidates = []
        for index, col in enumerate(placed):
            if col.id not in seen_cols:  # the first article of each column stays published
                seen_cols.add(col.id)
                continue
            if not col.retired:
                candidates.append(index)
        rng.shuffle(candidates)
        busy_states = {"draft", "pending", "correction", "returned", "approved", "scheduled"}
        for state, share in quotas.items():
            want = max(1, round(n * share))
            for index in list(candidates):
                if want == 0:
                    break
                if state in busy_states and placed[index].division == DEMO_DIVISION:
                    continue
                if placed[index].slug in DORMANT:  # nothing recent there: the column stays stale
                    continue
                candidates.remove(index)
                scenarios[index] = state
                want -= 1
        for col, scenario in zip(placed, scenarios, strict=True):
            busy = scenario in busy_states
            importance = self._importance(col, busy=busy and scenario != "draft")
            if busy:
                day = self._recent_day(12 if scenario in ("draft", "returned") else 6)
            else:
                day = self._past_day(col)
            article = self._new(ids.pop(0), col, day, importance)
            if scenario in ("pending", "correction"):
                top = len(DEFAULT_CHAINS[importance])
                step = rng.randint(1, top)
                if step == 3:  # the one group item is the demo's: others wait lower
                    step = rng.randint(1, 2)
                if step >= 2 and article.lead in wang:  # ld_wang sees exactly the demo item
                    step = 1
                scenario = f"{scenario}@{step}"
            self._play(article, scenario)
            self._finish(article)
            self.articles.append(article)

    # ------------------------------------------------------------------ requests (第十八条)

    def plan_requests(self) -> None:
        rng = self.rng
        texts = _TEXTS["requests"]
        for spec in texts["items"]:
            code, state, form, requirements = spec["division"], spec["state"], spec["form"], spec["requirements"]
            division = self.div[code]
            requested = self._recent_day(20 if state != "open" else 6)
            if state != "open":
                requested = min(requested, self.today - dt.timedelta(days=8))
            title = spec["title"].format(y=self.today.year)
            self.requests.append({
                "division_id": division, "requested_on": requested, "state": state, "title": title,
                "content": texts["content"].format(title=title),
                "source": self.div_name[division], "form": form, "requirements": requirements,
                "requester_id": self.officers[division][0],
                "created_at": _office_time(rng, requested), "article_id": None,
                "handled_by": self.users["webmaster"] if state != "open" else None,
                "handled_at": None,
                "reply": texts["decline_reply"] if state == "declined" else None,
            })
        for request in self.requests:
            if request["state"] == "declined":
                request["handled_at"] = _later(rng, request["created_at"], 60, 600)

    # ------------------------------------------------------------------ writing

    def write(self) -> None:
        """The simulated stories not played (the history), in one INSERT … SELECT per table."""
        import pandas as pd  # deferred: 0.26 s at every CLI start; only the demo's bulk writes use it
        articles, revisions, events, codivs = [], [], [], []
        for a in self.articles:
            if a.played:
                continue
            body = ""
            for number, title, author, at in a.revisions:
                body = a.body(number)
                revisions.append({
                    "article_id": a.id, "number": number, "column_id": a.column_id, "title": title,
                    "body_html": body, "source": a.source, "work_ended_on": a.work_ended_on,
                    "importance": a.importance, "author_id": author, "created_at": at})
            last = a.revisions[-1]
            articles.append({
                "id": a.id, "column_id": a.column_id, "lead_division_id": a.lead, "title": last[1],
                "body_html": body, "source": a.source, "work_ended_on": a.work_ended_on,
                "importance": a.importance, "state": a.state, "version": len(a.events), "revision": a.revision,
                "chain": ",".join(a.chain), "step": a.step, "author_id": a.author, "created_at": a.created_at,
                "updated_at": a.events[-1][10], "submitted_at": a.submitted_at, "approved_at": a.approved_at,
                "scheduled_at": a.scheduled_at, "published_at": a.published_at, "published_by": a.published_by,
                "live_revision": a.live_revision, "public": a.public, "state_reason": a.state_reason,
                "request_id": a.request_id})
            events.extend(a.events)
            codivs.extend({"article_id": a.id, "division_id": d} for d in a.codivisions)
        events.sort(key=lambda e: (e[10], e[0]))
        event_ids = [r[0] for r in self.con.execute(
            "SELECT nextval('seq_events') AS id FROM range(?) ORDER BY id", [len(events)]).fetchall()]
        names = ["article_id", "revision", "actor_id", "role", "action", "from_state", "to_state", "step",
                 "comment", "checklist", "created_at"]
        event_frame = pd.DataFrame(events, columns=names)
        event_frame.insert(0, "id", event_ids)

        article_frame = pd.DataFrame(articles)
        for name in ("created_at", "updated_at", "submitted_at", "approved_at", "scheduled_at", "published_at"):
            article_frame[name] = pd.to_datetime(article_frame[name])
        article_frame["work_ended_on"] = pd.to_datetime(article_frame["work_ended_on"])
        for name in ("published_by", "live_revision", "request_id"):
            article_frame[name] = pd.array(article_frame[name].tolist(), dtype="Int64")
        revision_frame = pd.DataFrame(revisions)
        revision_frame["work_ended_on"] = pd.to_datetime(revision_frame["work_ended_on"])
        revision_frame["created_at"] = pd.to_datetime(revision_frame["created_at"])
        event_frame["step"] = pd.array(event_frame["step"].tolist(), dtype="Int64")
        event_frame["created_at"] = pd.to_datetime(event_frame["created_at"])

        con = self.con
        con.register("demo_articles", article_frame)
        con.execute("""
            INSERT INTO articles (id, column_id, lead_division_id, title, body_html, source, work_ended_on,
                importance, state, version, revision, chain, step, author_id, created_at, updated_at,
                submitted_at, approved_at, scheduled_at, published_at, published_by, live_revision, public,
                state_reason, request_id)
            SELECT id, column_id, lead_division_id, title, body_html, source, work_ended_on::DATE, importance,
                state, version, revision,
                CASE WHEN chain = '' THEN []::TEXT[] ELSE string_split(chain, ',') END,
                step, author_id, created_at, updated_at, submitted_at, approved_at, scheduled_at, published_at,
                published_by, live_revision, public, state_reason, request_id
            FROM demo_articles ORDER BY id""")
        con.unregister("demo_articles")
        con.register("demo_revisions", revision_frame)
        con.execute("""
            INSERT INTO revisions (article_id, number, column_id, title, body_html, source, work_ended_on,
                importance, author_id, created_at)
            SELECT article_id, number, column_id, title, body_html, source, work_ended_on::DATE, importance,
                author_id, created_at FROM demo_revisions""")
        con.unregister("demo_revisions")
        con.register("demo_events", event_frame)
        con.execute("""
            INSERT INTO workflow_events (id, article_id, revision, actor_id, role, action, from_state, to_state,
                step, comment, checklist, created_at)
            SELECT id, article_id, revision, actor_id, role, action, from_state, to_state, step, comment,
                CASE WHEN checklist IS NULL THEN NULL ELSE string_split(checklist, ',') END, created_at
            FROM demo_events ORDER BY id""")
        con.unregister("demo_events")
        # the withdrawal page states the take-down's category (第二十三条): one of the list, by article
        con.execute("""
            INSERT INTO article_takedowns (article_id, category, replacement_id, taken_down_at)
            SELECT a.id, list_extract(?::VARCHAR[], 1 + a.id % ?), NULL, e.at FROM articles a
            JOIN (SELECT article_id, max(created_at) AS at FROM workflow_events WHERE to_state = 'taken_down'
                  GROUP BY article_id) e ON e.article_id = a.id
            WHERE a.state = 'taken_down'""", [list(TAKE_DOWN_CATEGORIES), len(TAKE_DOWN_CATEGORIES)])
        for row in codivs:
            con.execute("INSERT INTO article_codivisions VALUES (?, ?)", [row["article_id"], row["division_id"]])


# ---------------------------------------------------------------------------------------------
# measures (第二十五至二十七条): reminders for the stale columns, last year's awards and a criticism


def _demo_measures(con: duckdb.DuckDBPyConnection, builder: _Builder) -> dict:
    today, webmaster = builder.today, builder.users["webmaster"]
    needed = 3  # the default of stale_reminders_before_criticism
    reminders = 0
    stale = sorted((c for c in freshness.board(con, today) if c["remindable"]),
                   key=lambda c: -(c["days_since"] or 10**6))
    for position, column in enumerate(stale):
        # the stalest column has been reminded often enough to be a criticism candidate
        times = needed if position == 0 else 1
        for week in range(times):
            sent = today - dt.timedelta(days=7 * (times - 1 - week))
            con.execute(
                "INSERT INTO freshness_reminders (column_id, division_id, sent_on, last_published_on, days_since, "
                "recipients) VALUES (?, ?, ?, ?, ?, 2)",
                [column["id"], column["division_id"], sent, column["last_published_on"],
                 None if column["last_published_on"] is None else (sent - column["last_published_on"]).days])
            reminders += 1
    last_year = today.year - 1
    ranked = evaluation.ranking(con, last_year, today)
    criticised = ranked[-1]  # the lowest score: errors found in its items (第二十七条(三))
    con.execute(
        "INSERT INTO criticisms (year, ground, division_id, evidence, created_by, created_at) VALUES (?, 3, ?, ?, ?, ?)",
        [last_year, criticised["division_id"],
         _TEXTS["measures"]["criticism"].format_map({**criticised["figures"], "year": last_year}), webmaster,
         dt.datetime(last_year, 12, 20, 10, 0)])
    awards = 0
    for proposal in evaluation.propose_awards(con, last_year, evaluation.ranking(con, last_year, today)):
        con.execute("INSERT INTO awards (year, ground, division_id, evidence, created_by, created_at) "
                    "VALUES (?, 1, ?, ?, ?, ?)",
                    [last_year, proposal["division_id"], proposal["evidence"], webmaster,
                     dt.datetime(last_year, 12, 28, 10, 0)])
        awards += 1
    officer = builder.users["xxy_dzxx"]
    con.execute("INSERT INTO awards (year, ground, user_id, evidence, created_by, created_at) VALUES (?, 3, ?, ?, ?, ?)",
                [last_year, officer, _TEXTS["measures"]["officer_award"], webmaster,
                 dt.datetime(last_year, 12, 28, 10, 5)])
    audit.record(con, None, "demo.measures", "database",
                 f"演示数据:栏目提醒 {reminders} 次,{last_year} 年表彰 {awards + 1} 项、通报批评 1 项")
    return {"freshness_reminders": reminders, "awards": awards + 1, "criticisms": 1}


MIN_ARTICLES = 80


def load_demo(con: duckdb.DuckDBPyConnection, *, articles: int = 3200, seed: int = 7,
              today: dt.date | None = None) -> dict:
    """Fill an empty database with the demo department; returns what was created, by table.

    Does nothing (and returns `{"skipped": True}`) when divisions already exist. `articles` below
    MIN_ARTICLES is raised to it: the demo needs one article per column and the demo queues.
    The same `seed` and `today` give the same content.
    """
    if scalar(con, "SELECT count(*) FROM divisions"):
        return {"skipped": True}
    seed_kinds(con)
    seed_chains(con)
    ensure_system_user(con)
    builder = _Builder(con, max(int(articles), MIN_ARTICLES), seed, today)
    with transaction(con):
        builder.divisions()
        builder.accounts()
        builder.columns()
        builder.plan_requests()
        player = _Player(con)
        builder.plan(player)
        builder.write()
        player.settle()
        counts = {table: scalar(con, f"SELECT count(*) FROM {table}")
                  for table in ("articles", "revisions", "workflow_events", "article_codivisions")}
        counts["messages"] = demo_interaction.load_messages(con, builder.today, seed)
        counts["message_ratings"] = demo_ratings.load(con, builder.today)  # 第二十六条(二)
        counts.update(demo_consultation.load(con, builder.today))  # 征集调查 in every state (issue 17)
        counts.update(demo_interview.load(con, builder.today))  # 在线访谈 in every state (issue 17)
        counts["disclosure_applications"] = load_applications(con, builder.today, seed)  # issue 14
        counts.update(_demo_measures(con, builder))
        counts.update(demo_catalogue.load(con, builder.today, seed))  # 政府信息公开目录 (第十二条)
        counts.update(demo_support.load(con, builder.today))  # 培训记录 and 技术支持 (issue 17, 第十条)
        written = _Player(con)  # 解读 and the 政府信息公开指南, through the workflow like every played article
        counts["interpretations_written"] = demo_readings.publish(
            con, written, next(c.id for c in builder.cols if c.slug == "zcjd"), builder.today, seed)
        demo_guide.publish(con, written, next(c.id for c in builder.cols if c.slug == demo_guide.COLUMN),
                           builder.today)
        demo_site_report.publish(con, written, builder.today)  # linked from the portal's home page (issue 15)
        written.settle()
        counts.update(demo_proposals.load(con, builder.today))  # 建议与提案 in every state (issue 17)
        counts.update(demo_duties.load(con, builder.today))  # 应发布信息 in every state (issue 17, 第二十七条(四))
        counts.update({table: scalar(con, f"SELECT count(*) FROM {table}")  # with the guide
                       for table in ("articles", "revisions", "workflow_events", "catalogue_entries")})
        audit.record(con, None, "demo.load", "database",
                     f"演示数据:{counts['articles']} 篇稿件,{len(builder.users)} 个账号")
    states = dict(con.execute("SELECT state, count(*) FROM articles GROUP BY state ORDER BY state").fetchall())
    return {"divisions": len(builder.div), "columns": len(builder.cols), "users": len(builder.users),
            **counts, "publication_requests": len(builder.requests), "states": states}
