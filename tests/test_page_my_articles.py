"""我的稿件 in AppTest: an officer drafts, saves, submits, sees the return comment, publishes."""

from __future__ import annotations

import pytest

from core import corrections, portal, refresh, workflow
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def setup(tmp_path, con):
    org = make_org(con)
    con.close()
    return tmp_path / "portal.duckdb", org


def officer_page(path):
    return open_page(app_as(path, "officer"), "my_articles")


def button(at, key):
    return next(b for b in at.button if b.key == key)


def type_body(at, html):
    """What the officer has written in the rich-text editor (AppTest does not run the component's browser side:
    the page takes the editor's reply into ma_body)."""
    at.session_state["ma_body"] = html
    return at


def editor(at) -> dict:
    """The arguments the rich-text editor was mounted with: what it shows, and its instance key."""
    import json

    [component] = [e for e in at.get("component_instance") if e.proto.component_name.endswith("richtext")]
    return json.loads(component.proto.json_args)


def new_draft(at, title="全省电子信息产业运行情况通报会召开", body="<p>会议通报了前三季度运行情况。</p>"):
    button(at, "ma_new").click().run()
    at.text_input(key="ma_title").input(title)
    type_body(at, body)
    return at


def test_officer_creates_a_draft_in_a_division_column(setup):
    path, org = setup
    at = new_draft(officer_page(path))
    button(at, "ma_save").click().run()
    assert not at.exception
    assert "已保存为新版本" in texts(at)
    con = connect(path)
    stored = con.execute("SELECT title, state, column_id, body_html FROM articles").fetchall()
    assert stored == [("全省电子信息产业运行情况通报会召开", "draft", org.col_dz, "<p>会议通报了前三季度运行情况。</p>")]


def test_failed_save_keeps_what_was_typed(setup):
    path, _ = setup
    at = new_draft(officer_page(path), title="")
    type_body(at, "<p>很长的一段正文,不能丢。</p>")
    button(at, "ma_save").click().run()
    assert "「标题」:必填" in texts(at)
    assert at.session_state["ma_body"] == "<p>很长的一段正文,不能丢。</p>"
    con = connect(path)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_submit_then_returned_comment_is_shown_then_resubmit(setup):
    path, org = setup
    at = new_draft(officer_page(path))
    button(at, "ma_submit").click().run()
    assert "已提交审批" in texts(at)
    con = connect(path)
    article_id = con.execute("SELECT id FROM articles").fetchone()[0]
    article = workflow.get_article(con, article_id)
    assert article.state == "pending"
    workflow.return_article(con, org.head, article_id, article.version, "请补充具体数据")
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article_id).run()
    assert "退回意见:请补充具体数据" in texts(at)
    type_body(at, "<p>会议通报了前三季度运行情况,增长 12%。</p>")
    button(at, "ma_submit").click().run()
    article = workflow.get_article(con, article_id)
    assert article.state == "pending" and article.revision == 2


def test_officer_publishes_an_approved_item(setup):
    path, org = setup
    con = connect(path)
    article = workflow.create_article(con, org.officer, org.col_dz, "已批准的稿件", "<p>正文</p>", "电子信息处")
    article = workflow.submit(con, org.officer, article.id, article.version)
    workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    button(at, "ma_publish").click().run()
    assert not at.exception
    assert workflow.get_article(con, article.id).state == "published"
    # where to see it: the article's own address on the portal
    address = portal.public_url(con, article.id)
    assert address and any(address in s.value and "在门户网站上查看" in s.value for s in at.success)


def test_codivision_officer_sees_the_item_read_only(setup):
    path, org = setup
    con = connect(path)
    article = workflow.create_article(con, org.officer, org.col_dz, "联合发布的稿件", "<p>正文</p>", "电子信息处",
                                      codivisions=[org.cw])
    at = open_page(app_as(path, "officercw"), "my_articles")
    at.selectbox(key="ma_pick").set_value(article.id).run()
    assert "只读" in texts(at)
    assert at.text_input(key="ma_title").disabled
    assert editor(at)["readonly"] and editor(at)["value"] == "<p>正文</p>"
    assert not [b for b in at.button if b.key in {"ma_save", "ma_submit"}]


def test_editor_shows_screening_findings_and_submit_is_refused(setup):
    path, org = setup
    con = connect(path)
    article = workflow.create_article(con, org.officer, org.col_dz, "全省无线电管理工作会议召开",
                                      "<p>内部资料 注意保存</p><p>会议部署了全年工作。</p>", "电子信息处")
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    assert "内部资料" in texts(at) and "第十六条" in texts(at)
    button(at, "ma_submit").click().run()
    assert "不能提交审批" in texts(at)
    assert workflow.get_article(con, article.id).state == "draft"
    assert at.session_state["ma_body"].startswith("<p>内部资料")


def test_reopened_item_shows_every_field_as_stored_after_leaving_the_page(setup):
    """Streamlit forgets the widgets of a page that is not shown: coming back must reload them from the
    stored article, or a 重要 item would be resubmitted as 一般 (a shorter chain than 第十四条 requires)."""
    import datetime as dt

    path, org = setup
    con = connect(path)
    second = con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('tzgg', '通知公告', 'news', ?) "
                         "RETURNING id", [org.dz]).fetchone()[0]
    article = workflow.create_article(
        con, org.officer, second, "全省工业经济运行调度会召开", "<h2>会议要求</h2><p>抓好四季度工作。</p>",
        "电子信息处综合科", dt.date(2026, 11, 30), "重要", codivisions=[org.cw])
    con.close()
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    assert at.selectbox(key="ma_column").value == second
    open_page(at, "account")
    open_page(at, "my_articles")
    assert not at.exception
    assert at.text_input(key="ma_title").value == "全省工业经济运行调度会召开"
    assert at.session_state["ma_body"] == "<h2>会议要求</h2><p>抓好四季度工作。</p>"
    assert editor(at)["value"] == "<h2>会议要求</h2><p>抓好四季度工作。</p>" and not editor(at)["readonly"]
    assert at.selectbox(key="ma_column").value == second
    assert at.radio(key="ma_importance").value == "重要"
    assert at.text_input(key="ma_source").value == "电子信息处综合科"
    assert at.date_input(key="ma_ended").value == dt.date(2026, 11, 30)
    assert at.multiselect(key="ma_codivs").value == [org.cw]
    assert at.selectbox(key="ma_pick").value == article.id
    button(at, "ma_submit").click().run()
    assert "已提交审批" in texts(at)
    con = connect(path)
    stored = workflow.get_article(con, article.id)
    assert (stored.state, stored.importance, stored.column_id, stored.revision) == ("pending", "重要", second, 1)
    assert stored.chain == workflow.chain_for(con, "重要") and len(stored.chain) > len(workflow.chain_for(con, "一般"))


def stored_draft(path, org, body="<p>原有正文第一段。</p><p>原有正文第二段。</p>"):
    con = connect(path)
    article = workflow.create_article(con, org.officer, org.col_dz, "关于开展数字化转型评估的通知", body, "电子信息处")
    con.close()
    return article


def test_converting_pasted_text_asks_before_replacing_the_body_and_can_be_undone(setup):
    path, org = setup
    article = stored_draft(path, org)
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    at.text_area(key="ma_paste").input("第一段新文字\n\n第二段新文字")
    button(at, "ma_convert").click().run()
    # nothing replaced yet: the officer is asked, and told the undo exists
    assert at.session_state["ma_body"] == article.body_html
    assert "替换现有正文吗" in texts(at) and "撤销替换" in texts(at)
    button(at, "ma_replace_no").click().run()
    assert at.session_state["ma_body"] == article.body_html
    assert not [b for b in at.button if b.key in {"ma_replace_yes", "ma_undo_replace"}]
    button(at, "ma_convert").click().run()
    shown = editor(at)["key"]
    button(at, "ma_replace_yes").click().run()
    assert at.session_state["ma_body"] == "<p>第一段新文字</p><p>第二段新文字</p>"
    # a new editor instance, loaded with the replacement
    assert editor(at)["value"] == "<p>第一段新文字</p><p>第二段新文字</p>" and editor(at)["key"] != shown
    button(at, "ma_undo_replace").click().run()
    assert at.session_state["ma_body"] == article.body_html
    assert editor(at)["value"] == article.body_html
    assert not [b for b in at.button if b.key == "ma_undo_replace"]


def test_text_goes_into_an_empty_body_without_asking(setup):
    path, _ = setup
    at = officer_page(path)
    button(at, "ma_new").click().run()
    at.text_area(key="ma_paste").input("　　第一段\n第二段")
    button(at, "ma_convert").click().run()
    assert at.session_state["ma_body"] == "<p>第一段</p><p>第二段</p>"
    assert not [b for b in at.button if b.key == "ma_replace_yes"]


def test_word_upload_asks_before_replacing_the_body_and_can_be_undone(setup):
    import io

    from docx import Document

    path, org = setup
    article = stored_draft(path, org)
    document = Document()
    document.add_heading("一、评估范围", level=1)
    document.add_paragraph("规模以上工业企业。")
    data = io.BytesIO()
    document.save(data)
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    at.file_uploader(key="ma_docx").set_value(("评估通知.docx", data.getvalue(),
                                               "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    at.run()
    assert at.session_state["ma_body"] == article.body_html
    assert "Word 文档「评估通知.docx」" in texts(at)
    button(at, "ma_replace_yes").click().run()
    assert at.session_state["ma_body"] == "<h2>一、评估范围</h2><p>规模以上工业企业。</p>"
    button(at, "ma_undo_replace").click().run()
    assert at.session_state["ma_body"] == article.body_html


def test_an_image_without_alt_text_is_not_saved(setup):
    path, org = setup
    article = stored_draft(path, org)
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    type_body(at, '<p>会议现场:</p><p><img src="data:image/png;base64,iVBORw0KGgo="></p>')
    button(at, "ma_save").click().run()
    assert "「正文」:第 1 张图片没有替代文字" in texts(at)
    assert workflow.get_article(connect(path), article.id).revision == 1
    assert at.session_state["ma_body"].startswith("<p>会议现场")
    type_body(at, '<p>会议现场:</p><p><img src="data:image/png;base64,iVBORw0KGgo=" alt="会议现场"></p>')
    button(at, "ma_save").click().run()
    assert "已保存为新版本" in texts(at)
    assert 'alt="会议现场"' in workflow.get_article(connect(path), article.id).body_html


def test_a_corrected_revision_is_published_with_its_correction_note(setup, tmp_path, monkeypatch):
    """更正说明 (issue 15): the field shows only for a correction of a published item; the note goes online."""
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    path, org = setup
    con = connect(path)
    article = workflow.create_article(con, org.officer, org.col_dz, "全省电子信息产业运行情况", "<p>正文</p>",
                                      "电子信息处")
    article = workflow.submit(con, org.officer, article.id, article.version)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    assert not [t for t in at.text_area if t.key == "ma_correction_note"]  # a first publication corrects nothing
    article = workflow.publish(con, org.officer, article.id, article.version)
    article = workflow.save_article(con, org.officer, article.id, article.version, title=article.title,
                                    body_html="<p>正文(数据已更正)</p>", source="电子信息处", work_ended_on=None,
                                    importance="一般")
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    con.close()
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    at.text_area(key="ma_correction_note").input("原文产量数据有误,已更正。")
    button(at, "ma_publish").click().run()
    assert not at.exception and not at.error
    con = connect(path)
    assert [n["text"] for n in corrections.notes(con, article.id)] == ["原文产量数据有误,已更正。"]
    # the portal is rebuilt right after the click, by the refresh worker (core/refresh.py, issue 16)
    assert refresh.wait(tmp_path / "site").state == "done"
    page = (tmp_path / "site" / portal.article_url(article.id, article.published_at).lstrip("/")).read_text("utf-8")
    assert "更正说明" in page and "原文产量数据有误,已更正。" in page
    con.close()


def counting(monkeypatch, module, name):
    """Count the calls of `module.name` (the page reads through the module at each call)."""
    calls = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    return calls


@pytest.mark.parametrize("key", ["ma_save", "ma_submit", "ma_publish"])
def test_a_click_runs_the_page_once_after_its_action(setup, monkeypatch, key):
    """保存, 提交审批 and 立即发布 act before the page's run (on_click): the page is drawn once, as the action
    left it — not down to the button for the action and then again for the confirmation (issue 16)."""
    path, org = setup
    con = connect(path)
    article = workflow.create_article(con, org.officer, org.col_dz, "已批准的稿件", "<p>正文</p>", "电子信息处")
    if key == "ma_publish":
        article = workflow.submit(con, org.officer, article.id, article.version)
        workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    if key == "ma_save":
        at.text_input(key="ma_title").input("已批准的稿件(修改)")
    listed = counting(monkeypatch, workflow, "division_articles")
    button(at, key).click().run()
    assert not at.exception and at.success
    assert workflow.get_article(con, article.id).state == {"ma_save": "draft", "ma_submit": "pending",
                                                          "ma_publish": "published"}[key]
    assert len(listed) == 1



def test_a_save_over_a_change_made_meanwhile_is_refused_and_the_text_stays(setup):
    """The version a click acts on is the one the officer saw: a save made meanwhile (another window) is not
    overwritten — core refuses (StaleVersion) beside the buttons and what was typed stays. Before, the click's
    run read the newer version and saved over the other change."""
    path, org = setup
    con = connect(path)
    article = workflow.create_article(con, org.officer, org.col_dz, "全省电子信息产业运行情况通报会召开",
                                      "<p>正文</p>", "电子信息处")
    at = officer_page(path)
    at.selectbox(key="ma_pick").set_value(article.id).run()
    workflow.save_article(con, org.officer, article.id, article.version, title="另一个窗口里改过的标题",
                          body_html="<p>正文</p>", source="电子信息处", work_ended_on=None, importance="一般",
                          column_id=org.col_dz, codivisions=[])
    at.text_input(key="ma_title").input("这个窗口里改的标题")
    button(at, "ma_save").click().run()
    assert not at.exception
    assert at.error and "已被他人更新" in at.error[0].value
    assert workflow.get_article(con, article.id).title == "另一个窗口里改过的标题"
    assert at.text_input(key="ma_title").value == "这个窗口里改的标题"
