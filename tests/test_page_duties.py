"""栏目更新监测's 应发布信息 in AppTest (第十七条、第二十七条(四)): the office records one, sees the overdue
ones in 「应发布未发布」 with their days overdue and makes one a criticism; the division sees its own and
links a published item; a refusal names the field and keeps what was typed."""

from __future__ import annotations

import datetime as dt

import pytest

from core import duties, evaluation
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_timeliness import published

TODAY = dt.date.today()


@pytest.fixture
def path(tmp_path, con):
    org = make_org(con)
    late = duties.record(con, org.webmaster, org.dz, "meeting", "全省信息化工作会议", TODAY - dt.timedelta(days=30))
    duties.record(con, org.webmaster, org.cw, "document", "关于预算公开的通知", TODAY)
    con.close()
    return tmp_path / "portal.duckdb", org, late


def test_the_office_sees_what_is_overdue_and_makes_it_a_criticism(path):
    path, org, late = path
    at = open_page(app_as(path, "webmaster"), "freshness")
    assert not at.exception
    page = texts(at)
    assert "应发布未发布" in page and "全省信息化工作会议" in page
    days = duties.get(connect(path), late)["days_overdue"]
    assert f"已逾期 **{days}** 天" in page or f"已逾期 {days} 天" in page
    assert "关于预算公开的通知" not in page.split("应发布信息登记")[0]  # not overdue: not flagged
    at.button(key=f"du_criticise_{late}").click().run()
    assert not at.exception
    assert "已将「全省信息化工作会议」列为电子信息处的通报批评" in texts(at)
    [item] = evaluation.criticisms(connect(path), TODAY.year)
    assert item["ground"] == 4 and item["division_id"] == org.dz and "全省信息化工作会议" in item["evidence"]


def test_the_office_records_one_and_a_refusal_keeps_the_text(path):
    path, org, _ = path
    at = open_page(app_as(path, "webmaster"), "freshness")
    at.text_area(key="du_note").input("请发布领导讲话")
    at.button(key="FormSubmitter:du_new-登记").click().run()
    [refusal] = [e.value for e in at.error if "事项" in e.value]
    assert "事项" in refusal and "请写明应发布的事项" in refusal and "第二十七条" in refusal
    assert at.text_area(key="du_note").value == "请发布领导讲话"  # kept after the refusal
    at.selectbox(key="du_kind").set_value("leader")
    at.text_input(key="du_subject").input("厅领导调研电子政务工作")
    at.button(key="FormSubmitter:du_new-登记").click().run()
    assert not at.exception and "已登记应发布信息" in texts(at)
    found = [r for r in duties.records(connect(path)) if r["subject"] == "厅领导调研电子政务工作"]
    assert found and found[0]["kind_label"] == "领导活动" and found[0]["note"] == "请发布领导讲话"


def test_the_division_sees_its_own_and_links_a_published_item(path):
    path, org, late = path
    con = connect(path)
    article = published(con, org, None, TODAY, title="全省信息化工作会议召开")
    con.close()
    at = open_page(app_as(path, "officer"), "freshness")
    assert not at.exception
    page = texts(at)
    assert "本处室应发布信息" in page and "全省信息化工作会议" in page and "关于预算公开的通知" not in page
    assert "已超过期限仍未发布" in page and "应发布未发布" not in page
    assert "列为通报批评候选" not in [b.label for b in at.button]
    at.button(key=f"du_link_{late}").click().run()  # nothing chosen: refused, not the first item linked
    assert "请选择本处室已发布的信息" in texts(at) and duties.get(connect(path), late)["state"] == "expected"
    at.selectbox(key=f"du_article_{late}").set_value(article)
    at.button(key=f"du_link_{late}").click().run()
    assert not at.exception and "已关联:逾期发布" in texts(at)
    assert duties.get(connect(path), late)["article_id"] == article


def test_the_office_corrects_a_record_and_links_on_the_divisions_behalf(path):
    path, org, late = path
    con = connect(path)
    article = published(con, org, None, TODAY, title="全省信息化工作会议召开")
    con.close()
    at = open_page(app_as(path, "webmaster"), "freshness")
    at.selectbox(key="du_edit_id").set_value(late).run()
    at.text_input(key=f"du_edit_subject_{late}").input("全省信息化暨网络安全工作会议")
    at.button(key=f"FormSubmitter:du_edit_{late}-保存修改").click().run()
    assert not at.exception and "已保存修改" in texts(at)
    assert duties.get(connect(path), late)["subject"] == "全省信息化暨网络安全工作会议"
    at.selectbox(key=f"du_office_article_{late}").set_value(article)
    at.button(key=f"du_office_link_{late}").click().run()
    assert not at.exception and "已关联:逾期发布" in texts(at)
    found = duties.get(connect(path), late)
    assert found["state"] == "fulfilled" and found["linked_by"] == org.webmaster.id
