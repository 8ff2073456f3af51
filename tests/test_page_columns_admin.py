"""栏目管理 page (第七、八条): the webmaster edits the column tree in place; deleting is refused."""

from __future__ import annotations

import pytest

from core import columns
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


def editor_key(at) -> str:
    """The editor's current key: it changes after a save so the grid starts from the database."""
    return f"columns_admin_editor_{at.session_state['columns_admin_editor_version']}"


@pytest.fixture
def db_path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def stored(db_path) -> list[dict]:
    """Read through a second connection: in one process it shares the app's database instance."""
    reader = connect(db_path)
    try:
        return [{k: c[k] for k in ("id", "name", "slug", "kind", "division_id", "parent_id", "retired")}
                for c in columns.tree(reader)]
    finally:
        reader.close()


def save_with_edits(db_path, edits: dict):
    """Open the page, seed the editor's edit state (AppTest cannot type into cells), click 保存."""
    at = open_page(app_as(db_path, "webmaster"), "columns_admin")
    assert not at.exception
    at.session_state[editor_key(at)] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    at.run()
    at.button(key="columns_admin_save").click().run()
    assert not at.exception
    return at


def test_page_shows_the_editor_and_the_tree(db_path):
    at = open_page(app_as(db_path, "webmaster"), "columns_admin")
    assert not at.exception
    editor = at.data_editor(key=editor_key(at))
    assert editor.editing_mode == "dynamic"
    assert list(editor.value["name"]) == ["工作动态", "财政资金"]
    assert list(editor.value["kind"]) == ["工作动态", "政府信息公开"]  # kind names, not codes
    shown = texts(at)
    assert "工作动态" in shown and "财务处" in shown
    assert "已撤销的栏目" in shown and "网址" in shown


def test_rename_and_add_through_the_editor(db_path):
    at = save_with_edits(db_path, {
        "edited_rows": {0: {"name": "工作动态(新)"}},
        "added_rows": [{"name": "资金公示", "slug": "zjgs", "parent": "2 · 财政资金", "kind": "通知公告",
                        "division": "财务处", "position": 3, "is_key": True}],
    })
    assert "新增 1 个,修改 1 个" in texts(at)
    after = {c["slug"]: c for c in stored(db_path)}
    assert after["gzdt"]["name"] == "工作动态(新)"
    assert after["zjgs"]["name"] == "资金公示"
    assert after["zjgs"]["kind"] == "notice"
    assert after["zjgs"]["parent_id"] == after["czzj"]["id"]
    # the editor starts again from the database: the new row is not added twice on the next run
    at.run()
    assert len(at.data_editor(key=editor_key(at)).value) == 3
    assert at.session_state[editor_key(at)]["added_rows"] == []
    assert "资金公示" in texts(at)


def test_deleting_a_row_is_refused_and_nothing_changes(db_path):
    before = stored(db_path)
    at = save_with_edits(db_path, {"edited_rows": {0: {"name": "改了名"}}, "deleted_rows": [1]})
    errors = " ".join(e.value for e in at.error)
    assert "栏目不能删除" in errors and "已撤销" in errors and "第八条" in errors
    assert stored(db_path) == before
    # the user's edits are still there to correct
    assert at.session_state[editor_key(at)]["deleted_rows"] == [1]


def test_bad_slug_is_refused_naming_the_field_and_row(db_path):
    before = stored(db_path)
    at = save_with_edits(db_path, {
        "edited_rows": {0: {"name": "先改名"}, 1: {"slug": "Bad Slug!"}},
    })
    errors = " ".join(e.value for e in at.error)
    assert "第 2 行 网址标识" in errors
    assert stored(db_path) == before  # all or nothing: the rename in row 1 was not kept either


def test_new_row_without_division_is_refused(db_path):
    at = save_with_edits(db_path, {"added_rows": [{"name": "无处室", "slug": "wcs", "kind": "综合"}]})
    assert "第 3 行 责任处室" in " ".join(e.value for e in at.error)
    assert len(stored(db_path)) == 2


def test_retiring_keeps_the_column(db_path):
    at = save_with_edits(db_path, {"edited_rows": {1: {"retired": True}}})
    assert "修改 1 个" in texts(at)
    after = {c["slug"]: c for c in stored(db_path)}
    assert after["czzj"]["retired"] is True
    assert "(已撤销)" in texts(at)


def test_officer_cannot_reach_the_page(db_path):
    at = app_as(db_path, "officer")
    with pytest.raises(Exception):  # noqa: B017 - AppTest raises on a page outside st.navigation
        open_page(at, "columns_admin")


def test_apply_editor_changes_counts_only_real_changes(con, org):
    rows = [dict(c, parent_id=c["parent_id"]) for c in columns.tree(con)]
    ids = {c["id"] for c in rows}
    assert columns.apply_editor_changes(con, org.webmaster, rows, ids) == {"created": 0, "updated": 0}
    rows[0]["name"] = "新名称"
    assert columns.apply_editor_changes(con, org.webmaster, rows, ids) == {"created": 0, "updated": 1}
    assert columns.update_column(con, org.webmaster, rows[0]["id"], {"name": "新名称"}) is False


def test_discard_drops_unsaved_edits(db_path):
    before = stored(db_path)
    at = open_page(app_as(db_path, "webmaster"), "columns_admin")
    first = editor_key(at)
    at.session_state[first] = {"edited_rows": {0: {"name": "不要了"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="columns_admin_reset").click().run()
    assert editor_key(at) != first
    at.button(key="columns_admin_save").click().run()
    assert "没有需要保存的修改" in texts(at)
    assert stored(db_path) == before
