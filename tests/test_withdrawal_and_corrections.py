"""The withdrawal page states the take-down's category and date and points to a replacement (第二十三条); an
article's page shows its 更正说明 with their dates, newest first (issue 15). Core and build level."""

from __future__ import annotations

import pytest

from core import corrections, workflow
from core.errors import PermissionDenied, ValidationError
from core.portal import article_url, build_site
from tests.test_portal import correct, publish


def _page(out, article) -> str:
    return (out / article_url(article.id, article.published_at).lstrip("/")).read_text(encoding="utf-8")


def _main(html: str) -> str:
    return html.split('<main', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def built(con, org, tmp_path):
    old = publish(con, org, "2025年度专项资金申报工作进展")
    new = publish(con, org, "2026年度专项资金申报工作进展(更正版)")
    out = tmp_path / "site"
    build_site(con, out, full=False)
    return out, old, new


def test_the_withdrawal_page_states_category_and_date_and_links_the_replacement(con, org, built):
    out, old, new = built
    taken = workflow.take_down(con, org.webmaster, old.id, old.version, "申报截止日期写错,处室正在核实",
                               category="内容有误,待核实更正", replacement_id=new.id)
    assert taken.state == "taken_down" and taken.state_reason == "申报截止日期写错,处室正在核实"
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["withdrawn"] == 1
    page = _main(_page(out, old))
    assert "该信息已撤下" in page and "撤下原因" in page and "内容有误,待核实更正" in page
    day = con.execute("SELECT taken_down_at FROM article_takedowns").fetchone()[0]
    assert f"{day.year}年{day.month}月{day.day}日" in page
    assert f'<a href="{article_url(new.id, new.published_at)}">2026年度专项资金申报工作进展(更正版)</a>' in page
    assert "处室正在核实" not in page  # the internal reason is never public
    assert workflow.history(con, old.id)[-1]["comment"] == "申报截止日期写错,处室正在核实"
    audited = con.execute("SELECT summary FROM audit_log WHERE action = 'workflow.take_down'").fetchone()[0]
    assert audited.endswith(f"「申报截止日期写错,处室正在核实」 公开类别:内容有误,待核实更正 替代信息:#{new.id}")


def test_a_withdrawal_without_replacement_has_no_link_and_restore_clears_the_notice(con, org, built):
    out, old, _ = built
    taken = workflow.take_down(con, org.webmaster, old.id, old.version, "已过期", category="信息已过时效")
    build_site(con, out, full=False)
    page = _main(_page(out, old))
    assert "信息已过时效" in page and "相关信息请查看" not in page
    workflow.restore(con, org.webmaster, taken.id, taken.version)
    assert con.execute("SELECT count(*) FROM article_takedowns").fetchone() == (0,)
    build_site(con, out, full=False)
    assert "2025年度专项资金申报工作进展" in _page(out, old) and "该信息已撤下" not in _page(out, old)


def test_take_down_refuses_an_unknown_category_and_a_replacement_not_online(con, org, built):
    _, old, new = built
    with pytest.raises(ValidationError) as refused:
        workflow.take_down(con, org.webmaster, old.id, old.version, "核实", category=None)
    assert refused.value.field == "撤下类别" and refused.value.article == "第二十三条"
    with pytest.raises(ValidationError) as refused:
        workflow.take_down(con, org.webmaster, old.id, old.version, "核实", category="随便写的")
    assert refused.value.field == "撤下类别"
    draft = workflow.create_article(con, org.officer, org.col_dz, "尚未发布的草稿", "<p>草稿</p>", "电子信息处")
    with pytest.raises(ValidationError) as refused:
        workflow.take_down(con, org.webmaster, old.id, old.version, "核实", category="其他原因",
                           replacement_id=draft.id)
    assert refused.value.field == "替代信息" and f"#{draft.id}「尚未发布的草稿」不在网站上" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        workflow.take_down(con, org.webmaster, old.id, old.version, "核实", category="其他原因", replacement_id=old.id)
    assert "被撤下的信息本身" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        workflow.take_down(con, org.webmaster, old.id, old.version, "核实", category="其他原因", replacement_id=99999)
    assert "#99999" in str(refused.value)
    assert workflow.get_article(con, old.id).public and workflow.get_article(con, new.id).public
    assert con.execute("SELECT count(*) FROM article_takedowns").fetchone() == (0,)


def test_a_correction_note_published_with_the_corrected_revision_shows_on_the_page(con, org, built):
    out, old, _ = built
    article = workflow.save_article(con, org.officer, old.id, old.version, title=old.title,
                                    body_html="<p>申报截止日期为6月30日。</p>", source="电子信息处",
                                    work_ended_on=None, importance="一般")
    article = workflow.submit(con, org.officer, article.id, article.version) if article.state != "pending" else article
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    article = workflow.publish(con, org.officer, article.id, article.version,
                               correction_note="原文申报截止日期有误,已更正为6月30日。")
    stats = build_site(con, out, full=False)
    assert old.id in stats["changed_articles"]
    page = _main(_page(out, old))
    assert "更正说明" in page and "原文申报截止日期有误,已更正为6月30日。" in page
    assert workflow.history(con, old.id)[-1]["comment"] == "更正说明:原文申报截止日期有误,已更正为6月30日。"


def test_the_webmaster_adds_a_note_the_incremental_build_renders_it_newest_first(con, org, built):
    out, old, new = built
    corrections.add(con, org.webmaster, old.id, "第一次更正:联系电话已更正。")
    first = build_site(con, out, full=False)
    assert first["mode"] == "incremental" and old.id in first["changed_articles"]
    con.execute("UPDATE article_corrections SET noted_at = noted_at - INTERVAL 2 DAY")
    corrections.add(con, org.officer, old.id, "第二次更正:附件已替换。")
    build_site(con, out, full=False)
    page = _main(_page(out, old))
    assert page.index("第二次更正") < page.index("第一次更正")  # newest first
    assert page.count("<time datetime=") >= 3  # each note has its date (and the publication date)
    assert "更正说明" not in _main(_page(out, new))
    entry = con.execute("SELECT action, object, summary FROM audit_log WHERE action = 'workflow.correction_note' "
                        "ORDER BY id").fetchall()
    assert entry[0] == ("workflow.correction_note", f"article:{old.id}", "第一次更正:联系电话已更正。")
    assert [n["text"] for n in corrections.notes(con, old.id)] == ["第二次更正:附件已替换。", "第一次更正:联系电话已更正。"]


def test_who_may_add_a_note_and_what_it_must_be(con, org, built):
    _, old, _ = built
    with pytest.raises(PermissionDenied):
        corrections.add(con, org.officer_cw, old.id, "别的处室的信息员")
    with pytest.raises(PermissionDenied):
        corrections.add(con, org.head, old.id, "处室负责人不维护网站数据")
    with pytest.raises(ValidationError) as refused:
        corrections.add(con, org.webmaster, old.id, "   ")
    assert refused.value.field == "更正说明"
    with pytest.raises(ValidationError) as refused:
        corrections.add(con, org.webmaster, old.id, "长" * 501)
    assert "500" in str(refused.value)
    draft = workflow.create_article(con, org.officer, org.col_dz, "草稿", "<p>草稿</p>", "电子信息处")
    with pytest.raises(ValidationError) as refused:
        corrections.add(con, org.webmaster, draft.id, "草稿没有公开页面")
    assert "不在网站上" in str(refused.value)
    with pytest.raises(ValidationError) as refused:  # a first publication corrects nothing
        approved = workflow.approve(con, org.head, *(lambda a: (a.id, a.version))(
            workflow.submit(con, org.officer, draft.id, draft.version)), list(workflow.CHECKLIST))
        workflow.publish(con, org.officer, approved.id, approved.version, correction_note="首次发布")
    assert refused.value.field == "更正说明"
    assert con.execute("SELECT count(*) FROM article_corrections").fetchone() == (0,)


def test_a_corrected_revision_without_a_note_shows_none(con, org, built):
    out, old, _ = built
    correct(con, org, old, "2025年度专项资金申报工作进展(修订)")
    build_site(con, out, full=False)
    assert "更正说明" not in _main(_page(out, old))
