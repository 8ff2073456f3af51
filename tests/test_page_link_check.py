"""链接检查 in AppTest (issue 15, links): the office sees every division's broken links by division and column
and starts a check; a division sees its own and opens the item to fix; 待我审批 warns of a dead outbound link
in the item under review and still lets it be approved."""

from __future__ import annotations

import pytest

from core import linkcheck, workflow
from core.db import connect
from core.portal import build_site
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_linkcheck import web  # noqa: F401 - the local web server fixture
from tests.test_portal import publish

DZ_TITLE = "关于开展工业互联网平台评估的通知"
CW_TITLE = "省级工业发展专项资金使用情况公示"


@pytest.fixture
def checked(tmp_path, con, monkeypatch):
    """A built site where an item of each division links to a page that is not there, checked once."""
    org = make_org(con)
    dz = publish(con, org, DZ_TITLE, '<p>详见<a href="/art/2001/01/424242.html">原通知</a>。</p>')
    cw = workflow.create_article(con, org.officer_cw, org.col_cw, CW_TITLE,
                                 '<p>附表见<a href="/files/nothere.xlsx">附件</a>。</p>', "财务处")
    cw = workflow.submit(con, org.officer_cw, cw.id, cw.version)
    cw = workflow.approve(con, org.head_cw, cw.id, cw.version, list(workflow.CHECKLIST))
    workflow.publish(con, org.officer_cw, cw.id, cw.version)
    site = tmp_path / "site"
    build_site(con, site)
    linkcheck.run(con, site)
    con.close()
    monkeypatch.setenv("PORTAL_SITE", str(site))
    return tmp_path / "portal.duckdb", org, dz, site


def test_the_office_sees_every_division_by_column_and_checks_again(checked):
    path, _org, _dz, site = checked
    at = open_page(app_as(path, "webmaster"), "link_check")
    assert not at.exception
    assert [s.value for s in at.subheader] == ["电子信息处(1 个)", "财务处(1 个)"]
    assert [e.label for e in at.expander] == ["工作动态:1 个不可用链接", "财政资金:1 个不可用链接"]
    hrefs = [set(frame.value["链接"]) for frame in at.dataframe]
    assert hrefs == [{"/art/2001/01/424242.html"}, {"/files/nothere.xlsx"}]
    assert set(at.dataframe[1].value["原因"]) == {"附件不存在"}
    assert "共有 2 个链接不可用" in texts(at)

    (site / "files").mkdir(exist_ok=True)
    (site / "files" / "nothere.xlsx").write_bytes(b"x")  # the office put the file back
    next(b for b in at.button if b.label == "立即检查").click().run()
    assert not at.exception
    assert "不可用 1 个" in texts(at) and [s.value for s in at.subheader] == ["电子信息处(1 个)"]
    runs = connect(path).execute("SELECT started_by FROM link_runs ORDER BY id").fetchall()
    assert runs == [("cli",), ("webmaster",)]


def test_a_division_sees_its_own_and_opens_the_item(checked):
    path, _org, dz, _site = checked
    at = open_page(app_as(path, "officer"), "link_check")
    assert not at.exception
    assert [s.value for s in at.subheader] == ["电子信息处(1 个)"]
    assert CW_TITLE not in texts(at) and "/files/nothere.xlsx" not in str(at.dataframe[0].value)
    assert "立即检查" not in [b.label for b in at.button]  # the office starts checks
    next(b for b in at.button if b.label == f"修改「{DZ_TITLE}」").click().run()
    assert not at.exception
    assert at.title[0].value == "我的稿件"
    assert at.session_state["ma_open"] == dz.id and at.selectbox(key="ma_pick").value == dz.id


def test_tech_sees_every_division_and_an_analyst_is_refused(checked):
    path, _org, _dz, _site = checked
    at = open_page(app_as(path, "tech"), "link_check")
    assert not at.exception and len(at.subheader) == 2
    assert "修改" not in " ".join(b.label for b in at.button)  # tech fixes no content (第二十四条)


def test_approval_warns_of_a_dead_outbound_link_and_still_approves(tmp_path, con, web):  # noqa: F811
    base, _silent = web
    org = make_org(con)
    article = workflow.create_article(con, org.officer, org.col_dz, "关于征集典型应用案例的通知",
                                      f'<p>申报系统:<a href="{base}/gone">申报入口</a>,'
                                      f'参考:<a href="{base}/ok">说明</a>。</p>', "电子信息处")
    workflow.submit(con, org.officer, article.id, article.version)
    con.close()
    at = open_page(app_as(tmp_path / "portal.duckdb", "head"), "approvals")
    assert not at.exception
    warnings = [w.value for w in at.warning if "外部链接无法访问" in w.value]
    assert warnings == [f"正文中的外部链接无法访问:{base}/gone(目标页面不存在 404)。请核实,必要时退回修改;不影响审批。"]
    for box in at.checkbox:  # in the decision's form: ticking runs nothing, 批准 sends it all (issue 16)
        box.check()
    next(b for b in at.button if b.key == "ap_approve").click().run()
    assert not at.exception
    assert connect(tmp_path / "portal.duckdb").execute("SELECT state FROM articles WHERE id = ?",
                                                       [article.id]).fetchone()[0] == "approved"
