"""上线检查 page (issue 15): the findings with what to do, for the office and technical support."""

from __future__ import annotations

import pytest

from core import accounts, settings
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def db_path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


@pytest.mark.parametrize("username", ["webmaster", "tech"])
def test_the_findings_show_with_what_to_do(db_path, username):
    at = open_page(app_as(db_path, username), "golive")
    assert not at.exception
    shown = texts(at)
    assert at.title[0].value == "上线检查"
    assert "尚未设置 SMTP 服务器" in shown and "处理:在网站管理员 →「系统设置」→「系统参数」中填写“SMTP 服务器”" in shown
    assert "工作台地址“http://localhost:8501”指向本机或内网" in shown
    assert any("阻止上线" in e.value for e in at.error) and any("提醒" in w.value for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["阻止上线"] == f"{len(at.error)} 项" and metrics["提醒"] == f"{len(at.warning)} 项"


def test_a_fixed_setting_leaves_the_list_on_recheck(db_path):
    at = open_page(app_as(db_path, "webmaster"), "golive")
    assert "尚未设置 SMTP 服务器" in texts(at)
    con = connect(db_path)
    try:
        webmaster = accounts.find_user(con, "webmaster")
        settings.set_values(con, webmaster, {"smtp_host": "mail.sxit.gov.cn"})
    finally:
        con.close()
    at.button(key="golive_recheck").click().run()
    assert "尚未设置 SMTP 服务器" not in texts(at) and "工作台地址" in texts(at)

