"""What 我的待办 says it counts (core/todo.py): every kind todo_items counts has its words, and the explanation in the
sidebar and on the home page names each kind the user has — 技术支持, 建议与提案, 征集调查, 在线访谈, 应发布信息 included.

The kinds are read off the code itself (the keys todo_items and the modules' `counts` it merges write, found in
their source), and off what todo_items returns for a user of every role: a kind added without words fails here.

Imports from: core.todo and the modules whose counts it merges, pages._shared (where each kind is handled),
tests.apptest_helpers; the `org` and `con` fixtures."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap

import pytest

from core import (
    accounts,
    consultation,
    disclosure,
    duties,
    freshness,
    interaction,
    interview,
    proposals,
    support,
    todo,
    workflow,
)
from core.db import connect
from pages import _shared
from tests.apptest_helpers import app_as
from tests.conftest import make_org


def _function(module, name: str) -> ast.FunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(module, name))))
    return next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)


def _keys_written(function: ast.FunctionDef) -> set[str]:
    """The string keys a function puts in dicts: `{"kind": …}` literals and `found["kind"] = …` targets."""
    keys = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Dict):
            keys |= {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) \
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            keys.add(node.slice.value)
    return keys


def counted_in_source() -> set[str]:
    """Every kind todo_items writes, and those of each machine's `counts` it merges (todo.MERGED): each of those
    writes only the kinds MERGED says it may (todo_items asks it only when the user acts on one of them)."""
    kinds = _keys_written(_function(todo, "todo_items"))
    assert {m.__name__ for m in todo.MERGED} == {"core.interaction", "core.disclosure", "core.proposals",
                                                 "core.support"}
    for module, declared in todo.MERGED.items():
        written = _keys_written(_function(importlib.import_module(module.__name__), "counts"))
        assert written == set(declared), (module.__name__, written ^ set(declared))
        kinds |= written
    return kinds


def test_every_kind_counted_in_the_code_has_its_words():
    kinds = counted_in_source()
    assert {"support_open", "support_answered", "proposals_review", "consultation_comments", "interview_questions",
            "duties"} <= kinds
    assert sorted(kinds - set(todo.LABELS)) == []
    assert sorted(set(todo.LABELS) - kinds) == []  # and no words for a kind nothing counts any more


def test_what_each_role_is_counted_has_words_and_a_page(con, org):
    seen = set()
    for user in (org.officer, org.head, org.leader, org.group1, org.webmaster, org.tech, org.analyst):
        kinds = set(todo.todo_items(con, user))
        assert kinds <= set(todo.LABELS), (user.username, kinds - set(todo.LABELS))
        seen |= kinds
    assert seen == counted_in_source()
    assert set(_shared.TODO_PAGES) == set(todo.LABELS) and set(_shared.TODO_PAGES.values()) <= set(_shared.PAGES)


ROLES = ("officer", "head", "leader", "group1", "webmaster", "tech", "analyst")


def test_each_kind_names_the_permission_of_its_page():
    """core/todo.PERMISSIONS is the permission pages/_shared.PAGES gives the page that handles the kind."""
    assert set(todo.PERMISSIONS) == set(todo.LABELS)
    for kind, page in _shared.TODO_PAGES.items():
        assert todo.PERMISSIONS[kind] == _shared.PAGES[page].permission, (kind, page)


@pytest.mark.parametrize("role", ROLES)
def test_a_role_is_counted_exactly_the_kinds_whose_page_it_opens(con, org, role, monkeypatch):
    """The rule lives in core: todo_items (and so todo_count, the home page's cards, the sidebar) keeps a kind only
    if the user opens its page (pages/_shared.reachable, the navigation). What the code counts for the role,
    with the rule switched off, minus the kinds whose page it does not open, is exactly what is returned."""
    user = getattr(org, role)
    opens = {kind for kind, page in _shared.TODO_PAGES.items() if page in _shared.reachable(user)}
    counted = todo.todo_items(con, user)
    assert set(counted) <= opens, (role, sorted(set(counted) - opens))
    assert list(counted) == [kind for kind in todo.LABELS if kind in counted]  # the cards' order
    assert todo.todo_count(con, user) == sum(counted.values())
    with monkeypatch.context() as m:
        m.setattr(todo, "acts_on", lambda user, kind: True)
        unfiltered = todo.todo_items(con, user)
    assert set(counted) == set(unfiltered) & opens


def test_the_rule_drops_kinds_the_roles_would_otherwise_be_counted(con, org, monkeypatch):
    """Not vacuous: without the rule, roles are counted kinds whose page they cannot open (审批 for the office and
    技术支持单位, 依申请公开 for leaders), and those are the ones dropped."""
    monkeypatch.setattr(todo, "acts_on", lambda user, kind: True)
    assert "approvals" in todo.todo_items(con, org.webmaster) and "disclosure_held" in todo.todo_items(con, org.leader)
    monkeypatch.undo()
    assert "approvals" not in todo.todo_items(con, org.webmaster)
    assert "disclosure_held" not in todo.todo_items(con, org.leader)
    assert "approvals" in todo.todo_items(con, org.head)


def test_a_role_is_not_counted_what_it_does_not_act_on(con, org, monkeypatch):
    """Nothing is computed to be dropped: the queries behind a kind run only for a user who acts on it (before,
    the office, the technical-support unit and analysts had their approval queue worked out, leaders, group
    members, the unit and analysts their disclosure applications, and both were thrown away)."""
    computed: list[set[str]] = []

    def spy(module, name: str, kinds: set[str] | None = None) -> None:
        real = getattr(module, name)

        def counting(*args, **kwargs):
            result = real(*args, **kwargs)
            computed.append(set(result) if kinds is None else kinds)  # a machine's counts: the kinds it returned
            return result
        monkeypatch.setattr(module, name, counting)

    spy(workflow, "approval_queue", {"approvals"})
    spy(consultation, "pending_total", {"consultation_comments"})
    spy(interview, "pending_total", {"interview_questions"})
    spy(freshness, "stale_count", {"stale_columns"})
    spy(duties, "open_count", {"duties"})
    for module in (interaction, disclosure, proposals, support):
        spy(module, "counts")
    for role in ROLES:
        user = getattr(org, role)
        computed.clear()
        counted = todo.todo_items(con, user)
        assert computed, role  # the spies see the counting
        assert set().union(*computed) <= set(counted), (role, sorted(set().union(*computed) - set(counted)))


def test_the_explanation_names_every_kind():
    text = todo.explanation(todo.LABELS)
    for kind in counted_in_source():
        assert todo.LABELS[kind] in text, kind
    assert "技术支持请求" in text and "建议与提案" in text and "征集调查" in text and "在线访谈" in text
    assert todo.explanation([]) == "「我的待办」统计需要您办理的事项;您的角色目前没有此类事项。"
    assert todo.explanation(["support_answered"]) == "「我的待办」是以下事项的合计:待您确认的技术支持答复。"


@pytest.fixture
def db_path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


@pytest.mark.parametrize(("username", "named", "not_named"), [
    ("officer", ["被退回、待修改的稿件", "待您确认的技术支持答复", "办公室要求补充的提案", "本处室的应发布信息"],
     ["待您审批的稿件", "待受理、处理中的技术支持请求"]),
    ("tech", ["待受理、处理中的技术支持请求", "办公室要求补充的提案"], ["待您审批的稿件", "待审核的公众留言"]),
    ("webmaster", ["待审核的征集调查意见", "待审核的在线访谈网民提问", "待审议的建议与提案", "待审核的公众留言"],
     ["待您审批的稿件"]),
])
def test_the_sidebar_and_the_home_page_say_what_counts_for_the_user(db_path, username, named, not_named):
    at = app_as(db_path, username)
    assert not at.exception
    helps = [m.help for m in at.sidebar.metric if m.label == "我的待办"]
    assert len(helps) == 1
    home = " ".join(c.value for c in at.caption)
    with connect(db_path) as con:
        user = accounts.find_user(con, username)
        expected = todo.explanation(todo.todo_items(con, user))
    assert helps[0] == expected and expected in home
    for label in named:
        assert label in expected, label
    for label in not_named:  # the user's role has no such item: not named to them
        assert label not in expected, label
