"""栏目更新监测 in AppTest: the office sees the whole site with the veto counts and turns a
candidate into a criticism; a division sees its own columns only; bad input names the field."""

from __future__ import annotations

import datetime as dt

import pytest

from core import evaluation, freshness
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_timeliness import published

TODAY = dt.date.today()


@pytest.fixture
def path(tmp_path, con):
    org = make_org(con)
    con.execute("UPDATE columns SET created_at = created_at - INTERVAL 400 DAY")
    published(con, org, None, TODAY - dt.timedelta(days=30))  # 工作动态 (news, 14 days): stale
    for weeks in (2, 1, 0):
        freshness.send_reminders(con, TODAY - dt.timedelta(days=7 * weeks))
    con.close()
    return tmp_path / "portal.duckdb", org


def button(at, label):
    return next(b for b in at.button if b.label == label)


def shown_columns(at) -> set[str]:
    return set(at.dataframe[0].value["栏目"])


def test_the_office_sees_veto_counts_and_criticises_a_candidate(path):
    path, org = path
    at = open_page(app_as(path, "webmaster"), "freshness")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["超期未更新"] == "1" and metrics["空白栏目"] == "1" and metrics["监测栏目"] == "2"
    page = texts(at)
    assert "将触发单项否决:首页已 30 天未更新" in page
    assert shown_columns(at) == {"工作动态", "财政资金"}
    assert "通报批评候选" in page and "已提醒 3 次" in page
    at.button(key=f"fr_criticise_{org.col_dz}").click().run()
    assert "已将「工作动态」所属处室列为通报批评" in texts(at)
    [item] = evaluation.criticisms(connect(path), TODAY.year)
    assert item["ground"] == 5 and "经 3 次提醒" in item["evidence"]


def test_a_division_sees_its_own_columns(path):
    path, _ = path
    at = open_page(app_as(path, "officer"), "freshness")
    assert not at.exception
    assert shown_columns(at) == {"工作动态"} and "电子信息处的责任栏目" in texts(at)
    assert "有 1 个栏目超期未更新" in texts(at) and "列为通报批评" not in [b.label for b in at.button]
    assert not at.metric  # no site-wide counts
    at = open_page(app_as(path, "headcw"), "freshness")
    assert shown_columns(at) == {"财政资金"}


def test_a_bad_interval_names_the_field(path):
    path, _ = path
    at = open_page(app_as(path, "webmaster"), "freshness")
    at.text_input(key="fr_column_days").input("两周")
    button(at, "保存栏目设置").click().run()
    assert "「本栏目更新期限(天)」" in texts(at)
    at.text_input(key="fr_column_days").input("30")
    button(at, "保存栏目设置").click().run()
    assert "已保存栏目设置" in texts(at)
    assert freshness.column_rules(connect(path))[0]["interval_days"] == 30
