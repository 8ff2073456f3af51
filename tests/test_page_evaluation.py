"""年度考评 in AppTest: the ranking, a criticism with its ground, an award refused for the
criticised division (第二十七条), a missing field named, the weights saved."""

from __future__ import annotations

import datetime as dt

import pytest

from core import evaluation
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_timeliness import published

YEAR = dt.date.today().year - 1  # the page opens on last year


@pytest.fixture
def path(tmp_path, con):
    org = make_org(con)
    published(con, org, dt.date(YEAR, 3, 2), dt.date(YEAR, 3, 3))
    published(con, org, dt.date(YEAR, 3, 2), dt.date(YEAR, 3, 20), column=org.col_cw, division=org.cw)
    con.close()
    return tmp_path / "portal.duckdb", org


def submit(at, label):
    next(b for b in at.button if b.label == label).click().run()
    return at


def test_ranking_then_criticism_then_a_refused_award(path):
    path, org = path
    at = open_page(app_as(path, "webmaster"), "evaluation")
    assert not at.exception
    ranking = at.dataframe[0].value
    assert list(ranking["处室"][:2]) == ["电子信息处", "财务处"] and not any(ranking["不参加评奖"])
    at.selectbox(key="ev_criticism_ground").set_value(3)
    at.selectbox(key="ev_criticism_division").set_value(org.cw)
    at.text_area(key="ev_criticism_evidence").input("多篇信息数据错误")
    submit(at, "登记通报批评")
    assert "已登记通报批评" in texts(at)
    ranking = at.dataframe[0].value
    assert ranking[ranking["处室"] == "财务处"]["不参加评奖"].iloc[0].startswith("通报批评")
    at.selectbox(key="ev_award_division").set_value(org.cw)
    at.text_area(key="ev_award_evidence").input("发布及时")
    submit(at, "登记表彰")
    assert "第二十七条" in texts(at) and "财务处本年度受到通报批评" in texts(at)
    assert evaluation.awards(connect(path), YEAR) == []


def test_proposed_award_and_a_missing_field(path):
    path, org = path
    at = open_page(app_as(path, "webmaster"), "evaluation")
    at.selectbox(key="ev_award_division").set_value(org.dz)
    submit(at, "登记表彰")
    assert "「事实依据」" in texts(at)
    at.button(key=f"ev_propose_{org.dz}").click().run()
    assert "已登记表彰:电子信息处" in texts(at)
    [award] = evaluation.awards(connect(path), YEAR)
    assert award["ground"] == 1 and "排名第 1" in award["evidence"]


def test_weights_are_saved(path):
    at = open_page(app_as(path[0], "webmaster"), "evaluation")
    at.button(key="ev_weights_save").click().run()
    assert "已保存权重" in texts(at)


def test_only_the_office_opens_the_evaluation(path):
    with pytest.raises(Exception):  # noqa: B017 - not in the head's navigation
        open_page(app_as(path[0], "head"), "evaluation")
