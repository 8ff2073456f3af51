"""政府信息公开目录 in the workbench (AppTest): the catalogue fields of 我的稿件 and the office's 公开目录设置."""

from __future__ import annotations

import datetime as dt

import pytest

from core import catalogue, settings, workflow
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org

BODY = "<p>为贯彻落实省委省政府部署,制定本措施。</p>"
TODAY = dt.date.today()


@pytest.fixture
def setup(tmp_path, con):
    org = make_org(con)
    cols = {kind: con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES (?, ?, ?, ?) RETURNING id",
                              [slug, name, kind, org.dz]).fetchone()[0]
            for kind, slug, name in (("policy", "zcwj", "政策文件"), ("interpretation", "zcjd", "政策解读"))}
    con.close()
    return tmp_path / "portal.duckdb", org, cols


def published_policy(path, org, cols, title, doc_number):
    con = connect(path)
    try:
        article = workflow.create_article(con, org.officer, cols["policy"], title, BODY, "电子信息处", TODAY)
        catalogue.save_entry(con, org.officer, article.id, {
            "issuer": "陕西省工业和信息化厅", "doc_number": doc_number, "written_on": TODAY,
            "topic_id": catalogue.topic_by_name(con, "工业、交通")})
        article = workflow.submit(con, org.officer, article.id, article.version)
        article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
        return workflow.publish(con, org.officer, article.id, article.version)
    finally:
        con.close()


def button(at, key):
    return next(b for b in at.button if b.key == key)


def new_draft_in(at, column_id, title):
    button(at, "ma_new").click().run()
    at.selectbox(key="ma_column").set_value(column_id).run()
    at.text_input(key="ma_title").input(title)
    at.session_state["ma_body"] = BODY
    return at


def test_the_editor_asks_for_catalogue_data_and_keeps_a_refused_entry(setup):
    path, org, cols = setup
    at = open_page(app_as(path, "officer"), "my_articles")
    at = new_draft_in(at, cols["policy"], "陕西省工业稳增长若干措施")
    assert "政府信息公开目录" in texts(at)
    assert at.text_input(key="ma_cat_issuer").value == "陕西省工业和信息化厅", "the department's name from 系统设置"
    at.text_input(key="ma_cat_number").input("陕工信发[2026]12号")
    at.date_input(key="ma_cat_written").set_value(TODAY)
    button(at, "ma_save").click().run()
    shown = texts(at)
    assert "「文号」" in shown and "机关代字〔年份〕序号号" in shown and "六角括号" in shown
    assert at.text_input(key="ma_cat_number").value == "陕工信发[2026]12号", "what was typed stays"
    assert at.text_input(key="ma_title").value == "陕西省工业稳增长若干措施"
    con = connect(path)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0, "nothing half-saved"
    topic = catalogue.topic_by_name(con, "工业、交通")
    con.close()

    at.text_input(key="ma_cat_number").input("陕工信发〔2026〕12号")
    at.selectbox(key="ma_cat_topic").set_value(topic)
    button(at, "ma_save").click().run()
    assert "已保存为新版本" in texts(at), texts(at)
    con = connect(path)
    stored = con.execute("SELECT e.doc_number, e.topic_id, e.written_on, e.issuer FROM catalogue_entries e").fetchall()
    con.close()
    assert stored == [("陕工信发〔2026〕12号", topic, TODAY, "陕西省工业和信息化厅")]


def test_submission_without_a_topic_names_the_field(setup):
    path, org, cols = setup
    at = open_page(app_as(path, "officer"), "my_articles")
    at = new_draft_in(at, cols["policy"], "关于印发某某办法的通知")
    at.date_input(key="ma_cat_written").set_value(TODAY)
    button(at, "ma_submit").click().run()
    assert "「主题分类」" in texts(at) and "第十二条" in texts(at)


def test_an_interpretation_picks_its_policy_document_by_doc_number(setup):
    path, org, cols = setup
    first = published_policy(path, org, cols, "陕西省工业稳增长若干措施", "陕工信发〔2026〕12号")
    published_policy(path, org, cols, "陕西省数字经济发展规划", "陕工信发〔2026〕30号")
    at = open_page(app_as(path, "officer"), "my_articles")
    at = new_draft_in(at, cols["interpretation"], "《陕西省工业稳增长若干措施》政策解读")
    picker = at.selectbox(key="ma_cat_interprets")
    assert len(picker.options) == 3  # 请选择… and the two documents
    at.text_input(key="ma_cat_interprets_find").input("〔2026〕12").run()
    picker = at.selectbox(key="ma_cat_interprets")
    assert picker.options == ["请选择…", "陕西省工业稳增长若干措施(陕工信发〔2026〕12号)"]
    picker.set_value(first.id)
    at.date_input(key="ma_cat_written").set_value(TODAY)
    con = connect(path)
    at.selectbox(key="ma_cat_topic").set_value(catalogue.topic_by_name(con, "工业、交通"))
    con.close()
    at.text_input(key="ma_cat_number").input("")
    button(at, "ma_submit").click().run()
    assert "已提交审批" in texts(at), texts(at)
    con = connect(path)
    assert con.execute("SELECT interprets FROM catalogue_entries e JOIN articles a ON a.id = e.article_id "
                       "WHERE a.state = 'pending'").fetchall() == [(first.id,)]
    con.close()


def test_a_published_document_shows_its_index_number_read_only(setup):
    path, org, cols = setup
    article = published_policy(path, org, cols, "陕西省工业稳增长若干措施", "陕工信发〔2026〕12号")
    at = open_page(app_as(path, "officer"), "my_articles")
    at.selectbox(key="ma_pick").set_value(article.id).run()
    [shown] = [t for t in at.text_input if t.label == "索引号"]
    assert shown.value == f"11610000016000000X/{article.published_at.year}-00001" and shown.disabled
    assert at.text_input(key="ma_cat_number").disabled, "published catalogue data changes only through approval"
    assert any("变更有效性" in e.label for e in at.expander), "the officer records a later repeal here"


def test_the_office_edits_topics_and_the_index_pattern(setup):
    path, org, cols = setup
    at = open_page(app_as(path, "webmaster"), "catalogue_admin")
    assert not at.exception and "主题分类" in texts(at)
    at.text_input(key="cat_new_name").input("数字经济")
    next(b for b in at.button if b.label == "新增").click().run()
    assert "已新增主题分类「数字经济」" in texts(at)
    con = connect(path)
    new = catalogue.topic_by_name(con, "数字经济")
    con.close()
    assert new is not None
    at.selectbox(key="cat_pick").set_value(new).run()
    button(at, "cat_retire").click().run()
    assert "已停用" in texts(at)
    at.text_input(key="cat_pattern").input("{年份}{序号}X")
    next(b for b in at.button if b.label == "保存索引号设置").click().run()
    assert "已保存" in texts(at)
    at.text_input(key="cat_pattern").input("{机构代码}-{序号}")
    next(b for b in at.button if b.label == "保存索引号设置").click().run()
    assert "须包含{年份}和{序号}" in texts(at)
    con = connect(path)
    assert settings.get(con, "catalogue_index_pattern") == "{年份}{序号}X"
    assert [t["retired"] for t in catalogue.topics(con, include_retired=True) if t["id"] == new] == [True]
    con.close()



def test_the_officer_records_a_repeal_of_a_published_document(setup):
    path, org, cols = setup
    old = published_policy(path, org, cols, "陕西省工业稳增长若干措施", "陕工信发〔2026〕12号")
    new = published_policy(path, org, cols, "陕西省工业稳增长若干措施(修订)", "陕工信发〔2026〕40号")
    at = open_page(app_as(path, "officer"), "my_articles")
    at.selectbox(key="ma_pick").set_value(old.id).run()
    at.radio(key="ma_val_validity").set_value("已废止").run()
    button(at, "ma_val_save").click().run()
    assert "「有效性变更日期」" in texts(at), "the date is asked for, naming the field"
    at.date_input(key="ma_val_on").set_value(TODAY)
    at.text_input(key="ma_val_replaced_find").input("〔2026〕40").run()
    at.selectbox(key="ma_val_replaced").set_value(new.id)
    button(at, "ma_val_save").click().run()
    assert "有效性已变更" in texts(at), texts(at)
    shown = at.selectbox(key="ma_cat_replaced")
    assert shown.disabled and shown.value == new.id, "the replacing document is shown, read-only"
    con = connect(path)
    assert con.execute("SELECT validity, validity_changed_on, replaced_by FROM catalogue_entries WHERE article_id = ?",
                       [old.id]).fetchall() == [("已废止", TODAY, new.id)]
    con.close()


def test_the_office_maps_a_statutory_category_to_its_columns(setup):
    path, org, cols = setup
    at = open_page(app_as(path, "webmaster"), "catalogue_admin")
    assert "法定主动公开内容" in texts(at)
    at.selectbox(key="cat_statutory_item").set_value(1).run()
    at.multiselect(key="cat_statutory_columns_1").set_value([cols["policy"], cols["interpretation"]])
    next(b for b in at.button if b.label == "保存该类的栏目").click().run()
    assert not at.exception and "已保存法定主动公开内容的栏目。" in texts(at)
    con = connect(path)
    try:
        held = {i["item"]: i["column_ids"] for i in catalogue.statutory_items(con)}
    finally:
        con.close()
    assert held[1] == sorted([cols["policy"], cols["interpretation"]])
