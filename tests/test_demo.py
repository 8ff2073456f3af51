"""The demo department (core.demo): complete, consistent with core.workflow, loaded once."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import (
    accounts,
    catalogue,
    consultation,
    consultation_public,
    demo_data,
    demo_guide,
    disclosure,
    duties,
    evaluation,
    humancheck,
    interaction,
    interview,
    interview_public,
    proposals,
    ratings,
    support,
    todo,
    training,
    workflow,
)
from core.columns import DEFAULT_KINDS
from core.content import sanitize_html
from core.db import connect, row, rows, scalar
from core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from core.portal import build_site

TODAY = dt.date(2026, 3, 18)
STATES = ("draft", "pending", "returned", "approved", "scheduled", "published", "withdrawn", "taken_down")
TABLES = ("divisions", "users", "user_roles", "leader_charge", "columns", "column_kinds", "approval_chain",
          "articles", "article_codivisions", "revisions", "workflow_events", "publication_requests",
          "audit_log", "outbox")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("PORTAL_BCRYPT_ROUNDS", "4")
        con = connect(tmp_path_factory.mktemp("demo") / "d.duckdb")
        counts = load_demo(con, articles=400, today=TODAY)
        yield con, counts
        con.close()


def _count(con, sql: str, params: list | None = None) -> int:
    return scalar(con, sql, params or [])


def _user(con, username: str) -> accounts.User:
    user = accounts.find_user(con, username)
    assert user is not None, username
    return user


def test_sizes(demo):
    con, counts = demo
    assert _count(con, "SELECT count(*) FROM divisions WHERE kind IN ('division', 'office')") >= 15
    assert _count(con, "SELECT count(*) FROM columns") >= 40
    # and the 公开指南, the 政府网站工作年度报表 and the 解读 written for the year's documents (core/demo_guide.py,
    # core/demo_site_report.py, core/demo_readings.py)
    assert _count(con, "SELECT count(*) FROM articles") == counts["articles"] == 400 + 2 + counts[
        "interpretations_written"]
    assert _count(con, "SELECT count(*) FROM revisions") == counts["revisions"]
    assert _count(con, "SELECT count(*) FROM workflow_events") == counts["workflow_events"]
    assert _count(con, "SELECT count(*) FROM divisions WHERE code = 'bgs' AND kind = 'office' AND name = '办公室'")
    assert _count(con, "SELECT count(*) FROM divisions WHERE code = 'jszc' AND kind = 'tech'")
    for code, in con.execute("SELECT code FROM divisions").fetchall():
        assert re.fullmatch(r"[a-z]+", code), code


def test_every_role_staffed_and_every_division_covered(demo):
    con, _ = demo
    for role in accounts.ROLE_LABELS:
        assert _count(con, "SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id "
                           "WHERE r.role = ? AND u.active", [role]), role
    for division in rows(con, "SELECT id, name FROM divisions WHERE kind IN ('division', 'office')"):
        for role in ("officer", "head"):
            assert _count(con, "SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id "
                               "WHERE u.division_id = ? AND r.role = ?", [division["id"], role]), (division, role)
        assert _count(con, "SELECT count(*) FROM leader_charge c JOIN user_roles r ON r.user_id = c.user_id "
                           "AND r.role = 'leader' WHERE c.division_id = ?", [division["id"]]), division
    assert _count(con, "SELECT count(*) FROM user_roles WHERE role = 'leader'") == 3
    assert _count(con, "SELECT count(*) FROM user_roles WHERE role = 'group'") == 3
    assert _count(con, "SELECT count(*) FROM users WHERE username <> 'system' AND "
                       "(must_change_password OR email <> username || '@sxit.gov.cn')") == 0
    wang = _user(con, "ld_wang")
    assert _count(con, "SELECT id FROM divisions WHERE code = 'dzxx'") in wang.charge


def test_demo_accounts_log_in(demo):
    con, _ = demo
    for role, username in DEMO_ACCOUNTS.items():
        user = accounts.verify_password(con, username, DEMO_PASSWORD)
        assert user is not None and user.has(role) and not user.must_change_password, username
        assert accounts.verify_password(con, username, "wrong-" + DEMO_PASSWORD) is None
    assert _user(con, "xxy_dzxx").division_id == _user(con, "fzr_dzxx").division_id
    assert _user(con, "webmaster").division_id == _count(con, "SELECT id FROM divisions WHERE code = 'bgs'")
    assert _user(con, "jszc").division_id == _count(con, "SELECT id FROM divisions WHERE code = 'jszc'")


def test_columns(demo):
    con, _ = demo
    assert _count(con, "SELECT count(*) FROM columns c LEFT JOIN divisions d ON d.id = c.division_id "
                       "WHERE d.id IS NULL") == 0
    assert _count(con, "SELECT count(*) FROM columns c LEFT JOIN columns p ON p.id = c.parent_id "
                       "WHERE c.parent_id IS NOT NULL AND p.id IS NULL") == 0
    for slug, kind in con.execute("SELECT slug, kind FROM columns").fetchall():
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) and kind in DEFAULT_KINDS
    assert 3 <= _count(con, "SELECT count(*) FROM columns WHERE is_key") <= 5
    assert _count(con, "SELECT count(*) FROM columns c WHERE retired AND EXISTS (SELECT 1 FROM articles a "
                       "WHERE a.column_id = c.id AND a.state = 'published')") >= 1
    assert _count(con, "SELECT count(*) FROM articles a JOIN columns c ON c.id = a.column_id "
                       "WHERE c.kind = 'interaction'") == 0
    # nothing new in a retired column (第八条)
    assert _count(con, "SELECT count(*) FROM articles a JOIN columns c ON c.id = a.column_id "
                       "WHERE c.retired AND a.state IN ('draft', 'pending', 'returned', 'approved', 'scheduled')") == 0
    # the lead division is the column's responsible division (第七条)
    assert _count(con, "SELECT count(*) FROM articles a JOIN columns c ON c.id = a.column_id "
                       "WHERE a.lead_division_id <> c.division_id") == 0


def test_every_state_present(demo):
    con, counts = demo
    found = {r["state"]: r["n"] for r in rows(con, "SELECT state, count(*) AS n FROM articles GROUP BY state")}
    assert set(found) == set(STATES)
    assert found == counts["states"]
    assert 0.85 <= found["published"] / 400 <= 0.93


def test_revisions_are_one_to_revision(demo):
    con, _ = demo
    bad = rows(con, """
        SELECT a.id, a.revision, count(r.number) AS n, min(r.number) AS lo, max(r.number) AS hi
        FROM articles a LEFT JOIN revisions r ON r.article_id = a.id
        GROUP BY a.id, a.revision
        HAVING count(r.number) <> a.revision OR min(r.number) <> 1 OR max(r.number) <> a.revision""")
    assert bad == []
    assert _count(con, "SELECT count(*) FROM articles WHERE revision > 1") > 0
    # the article shows its latest revision
    assert _count(con, "SELECT count(*) FROM articles a JOIN revisions r ON r.article_id = a.id "
                       "AND r.number = a.revision WHERE r.title <> a.title OR r.body_html <> a.body_html") == 0


def test_published_and_public_items(demo):
    con, _ = demo
    assert _count(con, "SELECT count(*) FROM articles WHERE state = 'published' AND (live_revision IS NULL "
                       "OR published_at IS NULL OR published_by IS NULL OR NOT public "
                       "OR live_revision <> revision)") == 0
    assert _count(con, "SELECT count(*) FROM articles WHERE state = 'taken_down' AND (public "
                       "OR live_revision IS NULL OR state_reason IS NULL)") == 0
    assert _count(con, "SELECT count(*) FROM articles WHERE public AND NOT (state = 'published' OR "
                       "(state = 'pending' AND live_revision < revision))") == 0
    # a correction under review keeps the old revision online (第十四条)
    assert _count(con, "SELECT count(*) FROM articles WHERE state = 'pending' AND public "
                       "AND live_revision < revision") >= 1
    assert _count(con, "SELECT count(*) FROM articles WHERE state = 'returned' AND state_reason IS NULL") == 0
    assert _count(con, "SELECT count(*) FROM articles WHERE state = 'scheduled' AND (scheduled_at IS NULL "
                       "OR scheduled_at <= ?)", [dt.datetime.combine(TODAY, dt.time(18))]) == 0
    assert _count(con, "SELECT count(*) FROM articles WHERE published_at > ? OR created_at > ?",
                  [dt.datetime.combine(TODAY, dt.time(18))] * 2) == 0
    assert _count(con, "SELECT count(*) FROM article_codivisions") > 0


def test_pending_steps_lie_within_their_chain(demo):
    con, _ = demo
    pending = rows(con, "SELECT id, importance, chain, step, revision, lead_division_id FROM articles "
                        "WHERE state = 'pending'")
    assert {p["step"] for p in pending} >= {1, 2, 3}
    for item in pending:
        assert list(item["chain"]) == workflow.DEFAULT_CHAINS[item["importance"]], item
        assert 1 <= item["step"] <= len(item["chain"]), item
        approvals = rows(con, "SELECT step, role FROM workflow_events WHERE article_id = ? AND revision = ? "
                              "AND action = 'approve' ORDER BY id", [item["id"], item["revision"]])
        assert [(a["step"], a["role"]) for a in approvals] == [
            (step, item["chain"][step - 1]) for step in range(1, item["step"])], item


def test_events_tell_each_story(demo):
    con, _ = demo
    events: dict[int, list[dict]] = {}
    for event in rows(con, "SELECT * FROM workflow_events ORDER BY id"):
        events.setdefault(event["article_id"], []).append(event)
    users = {u["id"]: u for u in rows(con, "SELECT id, division_id FROM users")}
    roles = {(r["user_id"], r["role"]) for r in rows(con, "SELECT user_id, role FROM user_roles")}
    for article in rows(con, "SELECT * FROM articles"):
        story = events[article["id"]]
        assert story[0]["action"] == "create" and story[0]["actor_id"] == article["author_id"]
        assert story[-1]["to_state"] == article["state"], article["id"]
        assert article["version"] == len(story)
        assert article["updated_at"] == story[-1]["created_at"]
        for before, after in zip(story, story[1:], strict=False):
            assert before["created_at"] <= after["created_at"]
            assert after["from_state"] == before["to_state"]
        for event in story:
            if event["action"] == "approve":
                assert sorted(event["checklist"]) == sorted(workflow.CHECKLIST)
                assert (event["actor_id"], event["role"]) in roles
                if event["role"] == "head":
                    assert users[event["actor_id"]]["division_id"] == article["lead_division_id"]
            if event["action"] in ("return", "take_down"):
                assert event["comment"]
        if article["request_id"] is None:  # an officer's, or the office's own (the 政府网站工作年度报表)
            assert users[article["author_id"]]["division_id"] == article["lead_division_id"]
            assert {(article["author_id"], "officer"), (article["author_id"], "webmaster")} & roles


def test_demo_queues(demo):
    con, _ = demo
    head_queue = workflow.approval_queue(con, _user(con, "fzr_dzxx"))
    assert 2 <= len(head_queue) <= 3
    assert all(item["step"] == 1 and list(item["chain"]) == ["head"] for item in head_queue)
    leader_queue = workflow.approval_queue(con, _user(con, "ld_wang"))
    assert [item["role"] for item in leader_queue] == ["leader"]
    group_queue = workflow.approval_queue(con, _user(con, "xzz_li"))
    assert [item["role"] for item in group_queue] == ["group"]
    officer = _user(con, "xxy_dzxx")
    mine = {}
    for item in workflow.division_articles(con, officer):
        mine.setdefault(item["state"], []).append(item)
    assert len(mine["draft"]) >= 2 and len(mine["returned"]) == 1 and len(mine["approved"]) >= 1
    returned = workflow.get_article(con, mine["returned"][0]["id"])
    assert returned.state_reason and returned.author_id == officer.id
    assert "publish" in workflow.allowed_actions(con, officer, workflow.get_article(con, mine["approved"][0]["id"]))


def test_requests(demo):
    con, _ = demo
    by_state = {r["state"]: r["n"] for r in rows(
        con, "SELECT state, count(*) AS n FROM publication_requests GROUP BY state")}
    assert 3 <= by_state["open"] <= 5 and by_state["done"] >= 2
    for request in rows(con, "SELECT * FROM publication_requests WHERE state = 'done'"):
        article = workflow.get_article(con, request["article_id"])
        assert article.request_id == request["id"] and article.state == "published"
        assert request["handled_by"] is not None and request["handled_at"] is not None


def test_content_is_clean_and_timely(demo):
    con, _ = demo
    generated = "SELECT body_html FROM revisions WHERE article_id NOT IN (SELECT a.id FROM articles a " \
                "JOIN columns c ON c.id = a.column_id WHERE c.slug IN ('gkzn', 'wzndbb'))"  # the guide and the
    # 政府网站工作年度报表 have shapes of their own
    for body, in con.execute(f"SELECT * FROM ({generated}) USING SAMPLE 60 ROWS").fetchall():
        assert body.startswith("<p>") and sanitize_html(body) == body and "style" not in body
        assert 3 <= body.count("<p>") <= 8
    assert _count(con, "SELECT count(*) FROM articles WHERE body_html NOT LIKE '<p>%'") == 0
    assert _count(con, "SELECT count(*) FROM (SELECT column_id, title FROM articles GROUP BY ALL "
                       "HAVING count(*) > 1)") == 0
    assert _count(con, "SELECT count(*) FROM articles WHERE published_at IS NOT NULL AND "
                       "date_diff('day', work_ended_on, published_at::DATE) NOT BETWEEN 0 AND 5") == 0
    assert _count(con, "SELECT count(DISTINCT importance) FROM articles") == 4


def test_second_call_changes_nothing(demo):
    con, _ = demo
    before = {table: _count(con, f"SELECT count(*) FROM {table}") for table in TABLES}
    assert load_demo(con, articles=400, today=TODAY) == {"skipped": True}
    assert {table: _count(con, f"SELECT count(*) FROM {table}") for table in TABLES} == before


def test_demo_data_works_with_the_workflow(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_BCRYPT_ROUNDS", "4")
    con = connect(tmp_path / "d.duckdb")
    load_demo(con, articles=200)
    officer, head = _user(con, "xxy_dzxx"), _user(con, "fzr_dzxx")
    approved = workflow.division_articles(con, officer, states=["approved"])[0]
    assert workflow.publish(con, officer, approved["id"], approved["version"]).state == "published"
    draft = workflow.division_articles(con, officer, states=["draft"])[0]
    assert workflow.submit(con, officer, draft["id"], draft["version"]).state == "pending"
    def seen(item):  # the approver acknowledges each screening warning shown (第十六、十七条)
        findings = workflow.screen_article(con, workflow.get_article(con, item["id"]))
        assert not [f for f in findings if f.blocking], "demo items carry no blocking content"
        return [workflow.finding_key(f) for f in findings]

    for item in workflow.approval_queue(con, head):
        done = workflow.approve(con, head, item["id"], item["version"], list(workflow.CHECKLIST),
                                acknowledged=seen(item))
        assert done.state == "approved"
    for username in ("ld_wang", "xzz_li"):
        approver = _user(con, username)
        for item in workflow.approval_queue(con, approver):
            workflow.approve(con, approver, item["id"], item["version"], list(workflow.CHECKLIST),
                             acknowledged=seen(item))
    assert workflow.approval_queue(con, _user(con, "xzz_li")) == []
    webmaster = _user(con, "webmaster")
    taken = rows(con, "SELECT id, version FROM articles WHERE state = 'taken_down' LIMIT 1")[0]
    assert workflow.restore(con, webmaster, taken["id"], taken["version"]).public
    con.close()


def test_data_files_name_only_what_exists(demo):
    """The texts in core/demo_data/ load, and every division, column, title group and body style
    they name is one the demo database (or the other files) has."""
    con, _ = demo
    org, texts, bodies = demo_data.load("organisation"), demo_data.load("texts"), demo_data.load("bodies")
    titles, messages, words = demo_data.load("titles"), demo_data.load("messages"), demo_data.load("words")
    divisions = {code for code, in con.execute("SELECT code FROM divisions").fetchall()}
    columns = {slug: retired for slug, retired in con.execute("SELECT slug, retired FROM columns").fetchall()}
    named = {c["division"] for c in org["columns"]} | set(org["second_officer"]) | set(words["industries"])
    named |= {code for leader in org["leaders"] for code in leader[3]}
    named |= {r["division"] for r in texts["requests"]["items"]} | {t["division"] for t in messages["topics"]}
    assert named <= divisions, named - divisions
    assert [c["slug"] for c in org["columns"]] and {c["slug"] for c in org["columns"]} == set(columns)
    assert {c["slug"] for c in org["columns"] if c.get("retired")} == {s for s, r in columns.items() if r}
    seen: set[str] = set()
    for column in org["columns"]:
        assert "parent" not in column or column["parent"] in seen, column  # parents come first
        seen.add(column["slug"])
        assert column["group"] == "" or column["group"] in titles, column
    styles = set(bodies["style_of_group"].values()) | {k["style"] for k in bodies["news_keywords"]} | {"event"}
    assert styles <= set(bodies["bodies"]), styles - set(bodies["bodies"])
    assert set(bodies["style_of_group"]) <= set(titles)
    demo_titles = {t for t, in con.execute("SELECT title FROM articles").fetchall()}
    assert {r["title"].format(y=TODAY.year) for r in texts["requests"]["items"] if r["state"] == "done"} <= demo_titles


def _catalogue_entry(con, actor, item, original: dict) -> None:
    """In a catalogue column the officer fills in the 政府信息公开目录 before submitting (第十二条)."""
    if not catalogue.is_catalogue_column(con, item.column_id):
        return
    stored = catalogue.entry(con, original["id"])
    values = {k: stored[k] for k in catalogue.EDITABLE} if stored else {
        "issuer": "陕西省工业和信息化厅", "written_on": original["created_at"].date(),
        "topic_id": catalogue.topic_by_name(con, "其他")}
    if catalogue.column_kind(con, item.column_id) == catalogue.INTERPRETATION_KIND and not values.get("interprets"):
        values["interprets"] = catalogue.policy_documents(con, limit=1)[0]["id"]
    catalogue.save_entry(con, actor, item.id, values)


def _replay(con, original: dict, events: list[dict]) -> int:
    """Play an article's recorded story again through core.workflow, as a new article."""
    users: dict[int, accounts.User] = {}

    def user(user_id: int) -> accounts.User:
        return users.setdefault(user_id, accounts.get_user(con, user_id))

    body = {r["number"]: r for r in rows(con, "SELECT * FROM revisions WHERE article_id = ?", [original["id"]])}
    codivisions = [r["division_id"] for r in rows(
        con, "SELECT division_id FROM article_codivisions WHERE article_id = ?", [original["id"]])]
    item = None
    for event in events:
        actor, action, comment = user(event["actor_id"]), event["action"], event["comment"] or ""
        rev = body[event["revision"]]
        if action == "create":
            item = workflow.create_article(con, actor, original["column_id"], rev["title"], rev["body_html"],
                                           rev["source"], rev["work_ended_on"], rev["importance"],
                                           codivisions=codivisions or None)
            _catalogue_entry(con, actor, item, original)
            continue
        ref = (con, actor, item.id, item.version)
        if action in ("edit", "edit_restart"):
            item = workflow.save_article(*ref, title=rev["title"], body_html=rev["body_html"], source=rev["source"],
                                         work_ended_on=rev["work_ended_on"], importance=rev["importance"])
        elif action == "approve":
            seen = [workflow.finding_key(f) for f in workflow.screen_article(con, item) if not f.blocking]
            item = workflow.approve(*ref, list(workflow.CHECKLIST), comment, acknowledged=seen)
        elif action == "schedule":
            item = workflow.publish(*ref, at=original["scheduled_at"])
        elif action in ("submit", "publish"):
            item = {"submit": workflow.submit, "publish": workflow.publish}[action](*ref)
        else:
            item = {"return": workflow.return_article, "escalate": workflow.escalate, "withdraw": workflow.withdraw,
                    "take_down": workflow.take_down, "restore": workflow.restore}[action](*ref, comment)
    return item.id


@pytest.fixture(scope="module")
def today_demo(tmp_path_factory):
    """A demo loaded for today: a story played again now can schedule what the demo scheduled."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("PORTAL_BCRYPT_ROUNDS", "4")
        con = connect(tmp_path_factory.mktemp("today") / "d.duckdb")
        load_demo(con, articles=400)
        yield con
        con.close()


def test_history_is_what_the_workflow_writes(today_demo):
    """The three-year history is written in batches: each kind of story in it, played again through
    core.workflow's own functions, gives the same events (actions, states, roles, steps, comments,
    checklists) and leaves the article in the same state, version, revision, chain and step."""
    con = today_demo
    event_fields = ("revision", "actor_id", "role", "action", "from_state", "to_state", "step", "comment",
                    "checklist")
    article_fields = ("state", "version", "revision", "chain", "step", "public", "live_revision", "state_reason",
                      "importance", "author_id", "published_by", "scheduled_at")

    def story(article_id: int) -> list[dict]:
        return rows(con, "SELECT * FROM workflow_events WHERE article_id = ? ORDER BY id", [article_id])

    shapes: dict[tuple, dict] = {}
    for article in rows(con, "SELECT * FROM articles WHERE request_id IS NULL ORDER BY id"):
        events = story(article["id"])
        assert events[0]["action"] == "create"
        if article["state"] == "published":
            assert [e["action"] for e in events].count("publish") >= 1 and events[-1]["to_state"] == "published"
        shapes.setdefault(tuple((e["action"], e["role"], e["step"]) for e in events), article)
    assert len(shapes) >= 10
    for article in shapes.values():
        # the copy's title must not repeat the original's in the column (第十五条): rename the original
        con.execute("UPDATE articles SET title = title || '（原稿）' WHERE id = ?", [article["id"]])
        events = story(article["id"])
        copy = _replay(con, article, events)
        played = rows(con, "SELECT * FROM articles WHERE id = ?", [copy])[0]
        assert [tuple(e[f] for f in event_fields) for e in story(copy)] == \
            [tuple(e[f] for f in event_fields) for e in events], article["id"]
        assert {f: played[f] for f in article_fields} == {f: article[f] for f in article_fields}, article["id"]
        for stamp in ("submitted_at", "approved_at", "published_at"):
            assert (played[stamp] is None) == (article[stamp] is None), (article["id"], stamp)


def _replay_message(con, original: dict, events: list[dict]) -> int:
    """Send a demo message again through the public form and the desk (core.interaction)."""
    challenge = humancheck.new_challenge(con, answer="2468")
    form = {key: original[key] for key in ("kind", "concerns_division_id", "subject", "body", "name", "phone",
                                           "email", "publish_allowed")}
    message_id = interaction.submit(con, {**form, "consent": True}, None, (challenge.token, "2468"),
                                    now=original["received_at"]).id
    for event in events[1:]:
        actor = accounts.get_user(con, event["actor_id"]) if event["actor_id"] is not None else None
        version = interaction.get(con, message_id)["version"]
        action = event["action"]
        if action == "route":
            interaction.route(con, actor, message_id, original["division_id"], version, due_on=original["due_on"])
        elif action == "submit_answer":
            interaction.submit_answer(con, actor, message_id, original["answer"], version)
        elif action == "reject":
            interaction.reject(con, actor, message_id, "spam", "", version)
        elif action == "merge":
            interaction.merge(con, actor, message_id, original["merged_into"], version)
        elif action == "rate":  # 第二十六条(二): the citizen rates through the form's checks
            rated = row(con, "SELECT grade, reason FROM message_ratings WHERE message_id = ?", [original["id"]])
            code = interaction.get(con, message_id)["code"]
            ratings.rate(con, code, rated["grade"], rated["reason"], None,
                         (humancheck.new_challenge(con, answer="2468").token, "2468"))
        elif action == "reopen":
            ratings.reopen(con, actor, message_id, event["comment"], version)
        else:
            {"approve_answer": interaction.approve_answer, "publish": interaction.publish,
             "close": interaction.close}[action](con, actor, message_id, version)
    return message_id


def test_messages_are_what_the_desk_writes(today_demo):
    """Each kind of demo message, sent again through the public form and the desk's own functions,
    gives the same events and leaves the message with the same fields and version."""
    con = today_demo
    event_fields = ("actor_id", "action", "from_state", "to_state", "comment")
    fields = ("kind", "state", "concerns_division_id", "division_id", "answer", "answered_by", "approved_by",
              "publish_allowed", "reject_reason", "merged_into", "public_subject", "public_body", "version",
              "due_on")
    stamps = ("routed_at", "answered_at", "replied_at", "published_at", "closed_at", "updated_at")

    def story(message_id: int) -> list[dict]:
        return rows(con, "SELECT * FROM message_events WHERE message_id = ? ORDER BY id", [message_id])

    shapes: dict[tuple, dict] = {}
    for message in rows(con, "SELECT * FROM messages ORDER BY id"):
        shapes.setdefault((tuple(e["action"] for e in story(message["id"])), message["publish_allowed"]), message)
    assert len(shapes) >= 8
    for message in shapes.values():
        events = story(message["id"])
        copy = interaction.get(con, _replay_message(con, message, events))
        assert [tuple(e[f] for f in event_fields) for e in story(copy["id"])] == \
            [tuple(e[f] for f in event_fields) for e in events], message["id"]
        assert {f: copy[f] for f in fields} == {f: message[f] for f in fields}, message["id"]
        assert {f: copy[f] is None for f in stamps} == {f: message[f] is None for f in stamps}, message["id"]


def test_demo_ratings_cover_every_grade_and_one_reopened_不满意(today_demo):
    """第二十六条(二): answered demo messages rated each way; one 不满意 is back with its division and the
    citizen's lookup says 重新办理中."""
    con = today_demo
    grades = {r["grade"] for r in rows(con, "SELECT grade FROM message_ratings")}
    assert grades == set(ratings.GRADES)
    # the demo's own (the replay test adds copies to this database)
    [reopened] = rows(con, "SELECT m.code, m.state FROM message_ratings r JOIN messages m ON m.id = r.message_id "
                           "WHERE r.reopened_at IS NOT NULL ORDER BY r.id LIMIT 1")
    assert reopened["state"] == "routed"
    assert interaction.lookup(con, reopened["code"], "192.0.2.50")["state_label"] == "重新办理中"
    assert ratings.unsatisfied_open(con, accounts.find_user(con, "webmaster"))  # one still to decide on


def test_demo_applications_for_disclosure_cover_every_outcome_and_the_open_cases(demo):
    """Issue 14: about sixty applications written through core.disclosure, every outcome of the national
    list, open ones overdue, due soon, paused, waiting for a correction, extensions and appeals."""
    con, counts = demo
    assert 50 <= counts["disclosure_applications"] == _count(con, "SELECT count(*) FROM disclosure_applications")
    closed = {tuple(r) for r in con.execute("SELECT DISTINCT outcome, outcome_ground FROM disclosure_applications "
                                            "WHERE state = 'closed'").fetchall()}
    assert closed == set(disclosure.outcome_choices())
    queue = disclosure.queue(con, _user(con, "webmaster"), today=TODAY)
    assert {"overdue", "due_soon", "paused"} <= {a["urgency"] for a in queue}
    assert {a["state"] for a in queue} == {"registered", "consulting", "correction"}
    office_head = _user(con, "fzr_bgs")
    assert _count(con, "SELECT count(*) FROM disclosure_applications WHERE extended_days > 0 AND extension_by = ?",
                  [office_head.id]) >= 2
    assert _count(con, "SELECT count(*) FROM disclosure_appeals") >= 2
    assert _count(con, "SELECT count(DISTINCT applicant_type) FROM disclosure_applications") == 6
    assert _count(con, "SELECT count(*) FROM disclosure_applications WHERE year(received_on) < 2026 "
                       "AND year(closed_on) = 2026") == 2


def test_the_demo_publishes_its_disclosure_guide_and_the_portal_shows_it(demo, tmp_path):
    """Issue 14: the 公开指南 page of the portal is the guide the office published through the approval chain
    (one head's approval, 第十四条) with its catalogue entry — not the 正在编制 placeholder."""
    con, _counts = demo
    found = rows(con, """
        SELECT a.id, a.title, e.index_number, e.issuer FROM articles a JOIN columns c ON c.id = a.column_id
        JOIN catalogue_entries e ON e.article_id = a.id
        WHERE c.slug = 'gkzn' AND a.state = 'published' AND a.public""")
    assert [(g["title"], g["issuer"]) for g in found] == [(demo_guide.TITLE, "陕西省工业和信息化厅")]
    assert found[0]["index_number"]
    actions = [r[0] for r in con.execute("SELECT action FROM workflow_events WHERE article_id = ? ORDER BY id",
                                         [found[0]["id"]]).fetchall()]
    assert actions == ["create", "submit", "approve", "publish"]
    build_site(con, tmp_path / "site")
    page = (tmp_path / "site" / "xxgk" / "gkzn.html").read_text(encoding="utf-8")
    assert demo_guide.TITLE in page and "正在编制" not in page
    for heading in ("一、主动公开", "二、依申请公开", "三、收费", "四、监督和救济"):
        assert f"<h2>{heading}</h2>" in page


def test_most_of_the_years_policy_documents_have_a_linked_reading(demo):
    """Issue 14 (a year of catalogue documents with 解读): most of the last year's policy documents are explained
    by a published 解读 that names them, approved by the head of 政策法规处 through the workflow."""
    con, counts = demo
    since = dt.datetime.combine(TODAY - dt.timedelta(days=365), dt.time())
    documents = rows(con, """
        SELECT a.id, a.title, (SELECT min(j.article_id) FROM catalogue_entries j JOIN articles r ON r.id = j.article_id
                               WHERE j.interprets = a.id AND r.public) AS reading
        FROM articles a JOIN columns c ON c.id = a.column_id
        WHERE c.kind = 'policy' AND a.public AND a.published_at >= ?""", [since])
    explained = [d for d in documents if d["reading"] is not None]
    assert counts["interpretations_written"] > 0 and len(explained) > len(documents) / 2, (len(explained), len(documents))
    head = _user(con, "fzr_zcfgc")
    for doc in explained:
        title = scalar(con, "SELECT title FROM articles WHERE id = ?", [doc["reading"]])
        name = re.search(r"《[^》]+》", doc["title"])
        assert (name.group(0) if name else f"《{doc['title']}》") in title
    written = rows(con, """SELECT e.actor_id FROM workflow_events e JOIN catalogue_entries j ON j.article_id = e.article_id
                           WHERE j.interprets IS NOT NULL AND e.action = 'approve'""")
    assert sum(1 for w in written if w["actor_id"] == head.id) >= counts["interpretations_written"]


def test_taken_down_items_carry_the_category_their_withdrawal_page_states(demo):
    con, _ = demo
    rows = con.execute("""
        SELECT a.id, t.category FROM articles a LEFT JOIN article_takedowns t ON t.article_id = a.id
        WHERE a.state = 'taken_down'""").fetchall()
    assert rows and all(category in workflow.TAKE_DOWN_CATEGORIES for _, category in rows)


def test_demo_proposals_in_every_state(demo):
    """建议与提案 (issue 17): every state, the retired campaign column carried out from its proposal, the design
    plan's file, and the adopted ones offered as ground (三) evidence in 年度考评."""
    con, counts = demo
    found = {r["state"]: r for r in rows(con, "SELECT id, state, kind, proposer_id, office_reply FROM proposals")}
    assert set(found) == {"submitted", "more_info", "adopted", "partly_adopted", "declined", "withdrawn"}
    assert counts["proposals"] == _count(con, "SELECT count(*) FROM proposals") == 8
    assert all(r["office_reply"] for s, r in found.items() if s not in ("submitted", "withdrawn"))
    [change] = rows(con, "SELECT g.proposal_id, c.slug, c.retired FROM column_changes g "
                         "JOIN columns c ON c.id = g.column_id")
    assert change["slug"] == "yshjtpn" and change["retired"]
    assert _count(con, "SELECT count(*) FROM proposal_attachments a JOIN proposals p ON p.id = a.proposal_id "
                       "WHERE p.kind = 'design' AND p.state = 'partly_adopted' "
                       "AND a.id NOT IN (SELECT attachment_id FROM proposal_outcomes WHERE attachment_id IS NOT NULL)"
                  ) == 1  # the plan's own file; the launch screenshot is its 落实情况's
    assert _count(con, "SELECT count(*) FROM proposals WHERE created_at::DATE > ?", [TODAY]) == 0
    year = _count(con, "SELECT year(max(decided_at)) FROM proposals")
    evidence = [p for p in evaluation.propose_awards(con, year) if p["ground"] == 3]
    assert {p["person"] for p in evidence if p["person"]} >= {_user(con, "xxy_dzxx").display_name}



def test_demo_proposals_carried_out(demo):
    """落实情况 (issue 17): the column proposal by its change in 栏目管理, the suggestion by the office, the design plan
    by the technical-support unit with its screenshot; one adopted suggestion waits past the reminder."""
    con, _ = demo
    done = {r["kind"]: r for r in rows(con, """
        SELECT p.id, p.kind, p.decided_at, o.done_on, o.recorded_at, o.attachment_id, u.username
        FROM proposal_outcomes o JOIN proposals p ON p.id = o.proposal_id JOIN users u ON u.id = o.recorded_by""")}
    assert set(done) == {"column_retire", "suggestion", "design"}
    assert done["suggestion"]["username"] == "webmaster" and done["design"]["username"] == "jszc"
    assert done["design"]["attachment_id"] is not None and done["suggestion"]["attachment_id"] is None
    for item in done.values():  # carried out after the decision, recorded after the work, nothing in the future
        assert item["decided_at"].date() <= item["done_on"] <= item["recorded_at"].date() <= TODAY
    office, officer = _user(con, "webmaster"), _user(con, "xxy_dzxx")
    [waiting] = proposals.to_implement(con, office, TODAY)
    assert waiting["kind"] == "suggestion" and waiting["overdue"]
    mine = {p["subject"]: p["status_label"] for p in proposals.visible(con, officer)}
    assert mine["在信息发布页面增加「相关解读」链接"] == "已采纳 · 已落实"
    shown = proposals.view(con, _user(con, "jszc"), done["design"]["id"])
    assert shown["outcome_file"]["filename"].endswith(".png") and shown["events"][-1]["action"] == "implement"
    assert [e["created_at"] for e in shown["events"]] == sorted(e["created_at"] for e in shown["events"])


def test_demo_training_and_support_requests_in_every_state(demo):
    """培训记录 and 技术支持 (issue 17, 第十条): sessions with some divisions never trained, one cancelled; requests
    new, being handled, answered, closed and reopened, each with the events the machine writes."""
    con, counts = demo
    assert counts["training_sessions"] >= 3 and counts["support_requests"] >= 5
    tech, office, officer = _user(con, "jszc"), _user(con, "webmaster"), _user(con, "xxy_dzxx")
    assert {r["state"] for r in support.listing(con, tech)} == set(support.STATE_LABELS)
    assert support.counts(con, tech)["support_open"] >= 3
    assert support.counts(con, officer)["support_answered"] == 1  # the demo officer has an answer to confirm
    for request in support.listing(con, office):
        found = support.get(con, office, request["id"])
        assert found["events"][0]["action"] == "raise" and found["raised_at"] <= found["updated_at"]
        assert [e["created_at"] for e in found["events"]] == sorted(e["created_at"] for e in found["events"])
    figures = support.figures(con, office)
    assert figures["answered"] >= 4 and figures["answer_hours_median"] is not None and figures["reopened"] == 1
    sessions = training.sessions(con, tech)
    assert {s["state"] for s in sessions} == {"held", "cancelled"} and any(s["materials"] for s in sessions)
    never = {p["username"] for p in training.untrained(con, tech)}
    assert "xxy_jnc" in never and "xxy_dzxx" not in never
    # 统计分析's 培训情况: the newcomer stands out among the never trained, the others' accounts are old
    report = training.period_report(con, office, TODAY.replace(day=1), TODAY)
    assert [p["username"] for p in report["never_trained"] if p["new"]] == ["xxy_jnc2"]
    assert {"xxy_jnc", "xxy_jnc2"} <= {p["username"] for p in report["never_trained"]}
    assert training.history(con, officer)


def test_the_demo_has_expected_publications_in_every_state(demo):
    """应发布信息 (第二十七条(四)): fulfilled in time, pending, overdue, cancelled, one made a criticism of (四)."""
    con, counts = demo
    found = {r["subject"]: r for r in duties.records(con, today=TODAY)}
    assert counts["duty_records"] == len(found) == 5
    assert {r["status"] for r in found.values()} == {"on_time", "pending", "overdue", "cancelled"}
    [criticised] = [r for r in found.values() if r["criticised"]]
    assert criticised["status"] == "overdue" and criticised["division"] == "信息化推进处"
    [criticism] = [c for c in evaluation.criticisms(con, TODAY.year) if c["ground"] == 4]
    assert criticised["subject"] in criticism["evidence"]
    officer = _user(con, "xxy_dzxx")  # the demo officer has the pending and the overdue one to do
    assert todo.todo_items(con, officer)["duties"] == 2
    assert [r["division"] for r in duties.overdue(con, TODAY) if not r["criticised"]] == ["电子信息处"]


def test_demo_consultations_are_in_every_state(demo):
    """征集调查 (issue 17): a draft, an open one with comments pending/approved/rejected, one closed awaiting its
    feedback, one with its feedback published."""
    con, _ = demo
    items = {c["state"]: c for c in consultation.listing(con)}
    assert set(items) == {"draft", "open", "closed", "summarised"}
    assert consultation.counts(con, items["open"]["id"]) == {"pending": 2, "approved": 1, "rejected": 1, "received": 4}
    assert consultation.counts(con, items["closed"]["id"])["pending"] == 0
    shown = consultation_public.public(con, items["summarised"]["id"])
    assert shown["summary"]["adopted"] == 2 and len(shown["comments"]) == 3
    assert [f["filename"] for f in shown["files"]] == ["征求意见稿.docx"]  # the draft policy, published with it
    assert consultation_public.files(con, items["draft"]["id"]) and not consultation_public.files(con, items["closed"]["id"])


def test_demo_interviews_are_in_every_state(demo):
    """在线访谈 (issue 17): a draft, one collecting questions (pending/approved/rejected), one held whose transcript
    is being entered, one with its transcript published (public questions answered in it)."""
    con, _ = demo
    items = {i["state"]: i for i in interview.listing(con)}
    assert set(items) == {"draft", "collecting", "held", "published"}
    assert interview.counts(con, items["collecting"]["id"]) == {"pending": 2, "approved": 1, "rejected": 1,
                                                                "received": 4}
    assert interview.counts(con, items["held"]["id"])["pending"] == 0
    shown = interview_public.public(con, items["published"]["id"])
    assert sum(e["public"] for e in shown["transcript"]) == 2 and shown["transcript"][0]["kind"] == "remark"
    assert shown["published_at"].date() < dt.date.today()


def test_the_demo_offices_to_do_holds_the_overdue_proposal(today_demo):
    """Loaded for today, the adopted suggestion not carried out is past the reminder (proposal_implement_days)."""
    assert todo.todo_items(today_demo, _user(today_demo, "webmaster"))["proposals_overdue"] == 1
    assert todo.todo_items(today_demo, _user(today_demo, "jszc"))["proposals_overdue"] == 0  # its design is done
