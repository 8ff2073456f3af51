"""The one transition seam (core/transitions.py): every state machine moves its rows through
`transitions.record`, which refuses a stale version or a wrong state with the house's messages and
writes the row, its event and its audit row together or not at all."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
from pathlib import Path

import pytest

from core import incidents, interaction, requests, security_audit, transitions, workflow
from core.db import rows, scalar
from core.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationError

ROOT = Path(__file__).resolve().parent.parent
MACHINES = {workflow: workflow.ARTICLE_MACHINE, interaction: interaction.MESSAGE_MACHINE,
            incidents: incidents.INCIDENT_MACHINE, requests: requests.REQUEST_MACHINE}


def draft(con, org, title="全省工业运行调度会召开"):
    return workflow.create_article(con, org.officer, org.col_dz, title, "<p>正文</p>", "电子信息处")


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def events(con, article_id) -> list[str]:
    return [r["action"] for r in rows(con, "SELECT action FROM workflow_events WHERE article_id = ? ORDER BY id",
                                      [article_id])]


def audited(con, action: str) -> int:
    return scalar(con, "SELECT count(*) FROM audit_log WHERE action = ?", [action])


def request(con, org) -> int:
    return requests.create_request(con, org.officer, division_id=org.dz, requested_on=dt.date.today(),
                                   content="请发布本处室年度工作要点", source="电子信息处", form="文字",
                                   requirements="尽快发布")


# ---------------------------------------------------------------- refusals


def test_a_stale_version_is_refused_in_chinese_and_nothing_moves(con, org):
    article = draft(con, org)
    with pytest.raises(StaleVersion, match="该稿件已被他人更新,您的操作未执行"):
        workflow.submit(con, org.officer, article.id, article.version + 1)
    assert workflow.get_article(con, article.id).state == "draft"
    assert events(con, article.id) == ["create"] and audited(con, "workflow.submit") == 0


def test_a_wrong_state_is_refused_naming_the_state_and_the_allowed_ones(con, org):
    article = draft(con, org)
    with pytest.raises(InvalidTransition, match=exactly("稿件当前为「草稿」,不能发布(仅限:已批准待发布)")):
        workflow.publish(con, org.webmaster, article.id, article.version)
    incident = incidents.suggest_incident(con, "login_burst", "10 分钟内 50 次登录失败")
    with pytest.raises(InvalidTransition, match=exactly("安全事件当前为「待确认(自动提示)」,不能结案(仅限:处置中)")):
        incidents.close(con, org.tech, incident, 1, "已处置")
    assert events(con, article.id) == ["create"] and audited(con, "incidents.close") == 0


def test_a_handled_request_says_so_before_it_says_stale(con, org):
    request_id = request(con, org)
    requests.decline(con, org.webmaster, request_id, 1, "内容不属于本网站发布范围")
    # the version the page held is old too, but what the office needs to hear is that it is done
    with pytest.raises(InvalidTransition, match="^该申请已处理$"):
        requests.decline(con, org.webmaster, request_id, 1, "再次答复")
    with pytest.raises(StaleVersion, match="该申请已被他人更新"):
        requests.decline(con, org.webmaster, request(con, org), 7, "内容不属于本网站发布范围")


def test_the_permission_is_checked_by_the_seam_itself(con, org):
    article = draft(con, org)
    # another division's officer, calling the seam directly (no page, no module check before it)
    with pytest.raises(PermissionDenied):
        transitions.record(con, workflow.ARTICLE_MACHINE, article, org.officer_cw, "withdraw", article.version,
                           changes={"state": "withdrawn"})
    assert workflow.get_article(con, article.id).state == "draft" and audited(con, "workflow.withdraw") == 0


def test_a_move_into_an_undeclared_state_is_refused(con, org):
    article = draft(con, org)
    with pytest.raises(InvalidTransition, match="该稿件不能从「草稿」转为「已发布」"):
        transitions.record(con, workflow.ARTICLE_MACHINE, article, org.officer, "submit", article.version,
                           changes={"state": "published", "public": True})
    assert workflow.get_article(con, article.id).public is False and events(con, article.id) == ["create"]


# ---------------------------------------------------------------- one transaction


def test_a_move_writes_row_event_and_audit_row_together(con, org):
    article = draft(con, org)
    state = transitions.record(con, workflow.ARTICLE_MACHINE, article, org.officer, "withdraw", article.version,
                               changes={"state": "withdrawn", "public": False}, comment="重复稿件")
    moved = workflow.get_article(con, article.id)
    assert state == moved.state == "withdrawn" and moved.version == article.version + 1
    event = rows(con, "SELECT actor_id, from_state, to_state, revision, comment FROM workflow_events "
                      "WHERE article_id = ? AND action = 'withdraw'", [article.id])
    assert event == [{"actor_id": org.officer.id, "from_state": "draft", "to_state": "withdrawn", "revision": 1,
                      "comment": "重复稿件"}]
    logged = rows(con, "SELECT actor, object, summary FROM audit_log WHERE action = 'workflow.withdraw'")
    assert logged == [{"actor": "officer", "object": f"article:{article.id}", "summary": "draft→withdrawn r1 「重复稿件」"}]


def test_a_failing_later_step_rolls_back_the_row_the_event_and_the_audit_row(con, org):
    article = draft(con, org)

    def mail_server_gone():
        raise RuntimeError("notice queue unavailable")

    with pytest.raises(RuntimeError):
        transitions.record(con, workflow.ARTICLE_MACHINE, article, org.officer, "withdraw", article.version,
                           changes={"state": "withdrawn"}, comment="重复稿件", notices=mail_server_gone)
    kept = workflow.get_article(con, article.id)
    assert (kept.state, kept.version) == ("draft", article.version)
    assert events(con, article.id) == ["create"] and audited(con, "workflow.withdraw") == 0
    # and the same article moves normally afterwards: no transaction was left open
    workflow.withdraw(con, org.officer, article.id, article.version)
    assert events(con, article.id) == ["create", "withdraw"]


def test_a_request_whose_article_cannot_be_made_stays_open_and_unhandled(con, org):
    request_id = request(con, org)
    # the request's own update runs first; the article made after it fails (no such column)
    with pytest.raises(ValidationError, match="栏目"):
        requests.fulfil(con, org.webmaster, request_id, 1, column_id=9999, title="年度工作要点",
                        body_html="<p>要点</p>")
    found = requests.get_request(con, request_id)
    assert (found["state"], found["version"], found["handled_by"], found["article_id"]) == ("open", 1, None, None)
    assert audited(con, "requests.fulfil") == 0 and audited(con, "workflow.create") == 0
    assert requests.fulfil(con, org.webmaster, request_id, 1, column_id=org.col_dz, title="年度工作要点",
                           body_html="<p>要点</p>").state == "published"


# ---------------------------------------------------------------- the request asks the workflow


def test_a_fulfilled_request_moves_its_article_only_through_the_workflow(con, org):
    request_id = request(con, org)
    article = requests.fulfil(con, org.webmaster, request_id, 1, column_id=org.col_dz, title="年度工作要点",
                              body_html="<p>要点</p>")
    assert article.state == "published" and article.request_id == request_id
    assert events(con, article.id) == ["create", "approve_by_request", "publish"]
    found = requests.get_request(con, request_id)
    assert (found["state"], found["article_id"], found["version"]) == ("done", article.id, 2)
    assert audited(con, "workflow.approve_by_request") == 1 and audited(con, "requests.fulfil") == 1


def test_approve_by_request_only_approves_the_draft_made_for_that_request(con, org):
    article = draft(con, org)
    with pytest.raises(InvalidTransition, match="须经审批"):
        workflow.approve_by_request(con, org.webmaster, article.id, article.version, request(con, org))
    with pytest.raises(PermissionDenied):
        workflow.approve_by_request(con, org.officer, article.id, article.version, 1)
    assert workflow.get_article(con, article.id).state == "draft"


# ---------------------------------------------------------------- the declarations


def _public_moves(module) -> list[tuple[str, str]]:
    """(function name, source) of each public function of the module that moves a row: it takes
    the version the actor saw (incidents.add_step appends beside the row and is declared too)."""
    found = []
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ != module.__name__ or name.startswith("_"):
            continue
        if "expected_version" in inspect.signature(fn).parameters or (module, name) == (incidents, "add_step"):
            found.append((name, inspect.getsource(fn)))
    return found


@pytest.mark.parametrize("module", list(MACHINES), ids=lambda m: m.__name__)
def test_each_machine_declares_every_move_its_module_exposes(module):
    machine = MACHINES[module]
    moves = _public_moves(module)
    assert len(moves) >= 2
    source = inspect.getsource(module)
    for name, text in moves:
        named = {s for s in re.findall(r'"([a-z_]+)"', text) if s in machine.transitions}
        helpers = re.findall(r"\b(_[a-z_]+)\(", text)  # a move made by a helper (reject → _reject_one)
        for helper in helpers:
            if hasattr(module, helper):
                named |= {s for s in re.findall(r'"([a-z_]+)"', inspect.getsource(getattr(module, helper)))
                          if s in machine.transitions}
        assert named, f"{module.__name__}.{name} moves a row without a declared transition"
    for action in machine.transitions:
        assert f'"{action}"' in source, f"{machine.name}: {action} is declared but never made"
    unnamed = [a for a in machine.actions()
               if not re.search("[\u4e00-\u9fff]", security_audit.action_label(f"{machine.audit_prefix}.{a}"))]
    assert not unnamed, f"{machine.name}: audit actions without a Chinese name: {unnamed}"
    for action, step in machine.transitions.items():
        assert step.sources <= set(machine.state_labels), action
        assert step.targets <= set(machine.state_labels), action


TABLES = ("articles", "messages", "incidents", "publication_requests")
BUMP = re.compile(r"UPDATE\s+(" + "|".join(TABLES) + r")\b[^;]*\bversion\s*=", re.I | re.S)
WRITES_STATE = re.compile(r"UPDATE\s+articles\b[^;]*\b(state|public)\s*=", re.I | re.S)


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))
    return found


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            for n in ast.walk(tree) if isinstance(n, ast.Call)}


def test_only_the_seam_bumps_the_version_of_the_four_machines():
    sources = sorted((ROOT / "core").rglob("*.py")) + sorted((ROOT / "pages").rglob("*.py"))
    assert len(sources) > 20
    bumping = [str(p.relative_to(ROOT)) for p in sources if any(BUMP.search(s) for s in _strings(p))]
    assert not bumping, f"versions of {TABLES} bumped outside core/transitions.py: {bumping}"
    versioned = [str(p.relative_to(ROOT)) for p in sources
                 if p.name != "transitions.py" and "update_versioned" in _calls(p)]
    assert not versioned, f"optimistic updates outside the seam: {versioned}"
    # the scan sees a bump when there is one
    assert BUMP.search("UPDATE publication_requests SET version = version + 1 WHERE id = ?")


def test_no_module_changes_an_article_state_by_hand():
    # requests.fulfil did (draft → approved with its own UPDATE): the workflow's moves go through the seam
    sources = sorted((ROOT / "core").rglob("*.py")) + sorted((ROOT / "pages").rglob("*.py"))
    writers = [str(p.relative_to(ROOT)) for p in sources if any(WRITES_STATE.search(s) for s in _strings(p))]
    assert not writers, f"article states written by hand: {writers}"
    assert WRITES_STATE.search("UPDATE articles SET state = 'approved', approved_at = now() WHERE id = ?")
