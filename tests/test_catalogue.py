"""政府信息公开目录 (第十二条): catalogue entries, topics, 索引号, validity, and the workflow's hooks."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import catalogue, portal, settings, workflow
from core.db import rows, scalar
from core.demo import load_demo
from core.errors import PermissionDenied, ValidationError
from core.portal.urls import STATUTORY_URL
from tests.test_portal_disclosure import _rendered

BODY = "<p>为贯彻落实省委省政府部署,制定本办法。</p>"
TODAY = dt.date.today()


def column(con, org, kind, name, slug, division=None):
    return con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES (?, ?, ?, ?) RETURNING id",
                       [slug, name, kind, division or org.dz]).fetchone()[0]


@pytest.fixture
def cols(con, org):
    return {"policy": column(con, org, "policy", "政策文件", "zcwj"),
            "jd": column(con, org, "interpretation", "政策解读", "zcjd")}


def topic(con, name="工业、交通"):
    return catalogue.topic_by_name(con, name)


def entry_values(con, **over):
    return {"issuer": "陕西省工业和信息化厅", "doc_number": "陕工信发〔2026〕12号", "doc_kind": "行政规范性文件",
            "written_on": TODAY - dt.timedelta(days=3), "topic_id": topic(con), "disclosure": "主动公开",
            "validity": "有效", **over}


def draft(con, org, col, title="陕西省工业稳增长若干措施"):
    return workflow.create_article(con, org.officer, col, title, BODY, "电子信息处", TODAY)


def publish(con, org, article):
    article = workflow.submit(con, org.officer, article.id, article.version)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    return workflow.publish(con, org.officer, article.id, article.version)


def published_policy(con, org, cols, title="陕西省工业稳增长若干措施", **over):
    article = draft(con, org, cols["policy"], title)
    catalogue.save_entry(con, org.officer, article.id, entry_values(con, **over))
    return publish(con, org, article)


# ---------------------------------------------------------------- the rules of an entry

@pytest.mark.parametrize("typed", ["陕工信发[2026]12号", "陕工信发(2026)12号", "陕工信发【2026】12号",
                                   "陕工信发（2026）12号", "陕工信发2026年12号", "12号"])
def test_a_doc_number_in_the_wrong_shape_names_the_shape(con, org, cols, typed):
    article = draft(con, org, cols["policy"])
    with pytest.raises(ValidationError) as refused:
        catalogue.save_entry(con, org.officer, article.id, entry_values(con, doc_number=typed))
    assert refused.value.field == "文号"
    assert "机关代字〔年份〕序号号" in str(refused.value) and "陕工信发〔2026〕12号" in str(refused.value)
    assert "第十二条" in str(refused.value)
    assert catalogue.entry(con, article.id) is None, "nothing was stored"


def test_wrong_brackets_are_pointed_out(con, org, cols):
    article = draft(con, org, cols["policy"])
    for typed in ("陕工信发[2026]12号", "陕工信发(2026)12号", "陕工信发【2026】12号"):
        with pytest.raises(ValidationError, match="六角括号〔〕"):
            catalogue.save_entry(con, org.officer, article.id, entry_values(con, doc_number=typed))


def test_a_good_entry_is_stored_and_audited(con, org, cols):
    article = draft(con, org, cols["policy"])
    saved = catalogue.save_entry(con, org.officer, article.id, entry_values(con, doc_number=" 陕工信发〔2026〕12号 "))
    assert saved["doc_number"] == "陕工信发〔2026〕12号" and saved["topic"] == "工业、交通"
    assert saved["index_number"] is None, "the 索引号 comes at the first publication"
    logged = rows(con, "SELECT actor, summary FROM audit_log WHERE action = 'catalogue.save'")
    assert logged[0]["actor"] == "officer" and "陕工信发〔2026〕12号" in logged[0]["summary"]


def test_a_document_without_number_is_allowed(con, org, cols):
    article = draft(con, org, cols["policy"])
    assert catalogue.save_entry(con, org.officer, article.id, entry_values(con, doc_number=""))["doc_number"] == ""


def test_written_on_not_after_today(con, org, cols):
    article = draft(con, org, cols["policy"])
    tomorrow = dt.date.today() + dt.timedelta(days=1)  # not TODAY's: a run may pass midnight after the import
    with pytest.raises(ValidationError, match="成文日期.*不能晚于今天"):
        catalogue.save_entry(con, org.officer, article.id, entry_values(con, written_on=tomorrow))


def test_withheld_needs_a_legal_ground_from_the_list(con, org, cols):
    article = draft(con, org, cols["policy"])
    with pytest.raises(ValidationError) as refused:
        catalogue.save_entry(con, org.officer, article.id, entry_values(con, disclosure="不予公开"))
    assert refused.value.field == "不予公开理由" and "属于国家秘密" in str(refused.value)
    with pytest.raises(ValidationError, match="不予公开理由"):
        catalogue.save_entry(con, org.officer, article.id,
                             entry_values(con, disclosure="不予公开", withheld_ground="领导不同意"))
    saved = catalogue.save_entry(con, org.officer, article.id,
                                 entry_values(con, disclosure="不予公开", withheld_ground="属于四类过程性信息"))
    assert saved["withheld_ground"] == "属于四类过程性信息"
    again = catalogue.save_entry(con, org.officer, article.id, entry_values(con, withheld_ground="属于国家秘密"))
    assert again["withheld_ground"] is None, "a ground belongs only to 不予公开"


def test_modified_or_repealed_needs_its_date_and_the_replacing_document(con, org, cols):
    old = published_policy(con, org, cols, "旧办法")
    article = draft(con, org, cols["policy"])
    with pytest.raises(ValidationError, match="有效性变更日期.*已废止的文件须写明废止日期"):
        catalogue.save_entry(con, org.officer, article.id, entry_values(con, validity="已废止"))
    with pytest.raises(ValidationError, match="替代文件.*须指明修改或废止它的文件"):
        catalogue.save_entry(con, org.officer, article.id,
                             entry_values(con, validity="已修改", validity_changed_on=TODAY))
    saved = catalogue.save_entry(con, org.officer, article.id, entry_values(
        con, validity="已废止", validity_changed_on=TODAY, replaced_by=old.id))
    assert saved["replaced_by"] == old.id and saved["replaced_by_title"] == "旧办法"


def test_an_interpretation_explains_a_policy_document_only(con, org, cols):
    policy = published_policy(con, org, cols)
    news = draft(con, org, org.col_dz, "一条工作动态")
    jd = draft(con, org, cols["jd"], "《陕西省工业稳增长若干措施》解读")
    with pytest.raises(ValidationError) as refused:
        catalogue.save_entry(con, org.officer, jd.id, entry_values(con, doc_number="", interprets=news.id))
    assert refused.value.field == "所解读的政策文件" and "不是政策文件" in str(refused.value)
    saved = catalogue.save_entry(con, org.officer, jd.id, entry_values(con, doc_number="", interprets=policy.id))
    assert saved["interprets_title"] == "陕西省工业稳增长若干措施"
    other = draft(con, org, cols["policy"], "另一份文件")
    with pytest.raises(ValidationError, match="只有政策解读栏目中的解读"):
        catalogue.save_entry(con, org.officer, other.id, entry_values(con, interprets=policy.id))
    assert saved["interprets_doc_number"] == "陕工信发〔2026〕12号"


def test_only_catalogue_columns_carry_entries(con, org):
    article = draft(con, org, org.col_dz, "一条工作动态")
    with pytest.raises(ValidationError, match="不登记政府信息公开目录"):
        catalogue.save_entry(con, org.officer, article.id, entry_values(con))


def test_another_divisions_officer_cannot_write_the_entry(con, org, cols):
    article = draft(con, org, cols["policy"])
    with pytest.raises(PermissionDenied):
        catalogue.save_entry(con, org.officer_cw, article.id, entry_values(con))
    with pytest.raises(PermissionDenied):
        catalogue.save_entry(con, org.head, article.id, entry_values(con))


# ---------------------------------------------------------------- the workflow's hooks

def test_submission_waits_for_a_complete_entry_and_names_the_missing_field(con, org, cols):
    article = draft(con, org, cols["policy"])
    with pytest.raises(ValidationError) as refused:
        workflow.submit(con, org.officer, article.id, article.version)
    assert "第十二条" in str(refused.value) and "公开目录" in str(refused.value)
    catalogue.save_entry(con, org.officer, article.id, entry_values(con, topic_id=None))
    with pytest.raises(ValidationError) as refused:
        workflow.submit(con, org.officer, article.id, article.version)
    assert refused.value.field == "主题分类" and "第十二条" in str(refused.value)
    assert workflow.get_article(con, article.id).state == "draft"
    catalogue.save_entry(con, org.officer, article.id, entry_values(con))
    assert workflow.submit(con, org.officer, article.id, article.version).state == "pending"


def test_an_interpretation_cannot_be_submitted_without_its_policy_document(con, org, cols):
    jd = draft(con, org, cols["jd"], "政策解读")
    catalogue.save_entry(con, org.officer, jd.id, entry_values(con, doc_number=""))
    with pytest.raises(ValidationError) as refused:
        workflow.submit(con, org.officer, jd.id, jd.version)
    assert refused.value.field == "所解读的政策文件"


def test_a_retired_topic_must_be_chosen_again_before_submission(con, org, cols):
    article = draft(con, org, cols["policy"])
    catalogue.save_entry(con, org.officer, article.id, entry_values(con))
    catalogue.retire_topic(con, org.webmaster, topic(con))
    with pytest.raises(ValidationError, match="主题分类.*已停用"):
        workflow.submit(con, org.officer, article.id, article.version)


def test_other_columns_submit_as_before(con, org):
    article = draft(con, org, org.col_dz, "一条工作动态")
    assert workflow.submit(con, org.officer, article.id, article.version).state == "pending"


# ---------------------------------------------------------------- 索引号

def test_index_numbers_are_assigned_at_first_publication_unique_and_in_the_pattern(con, org, cols):
    first = published_policy(con, org, cols, "第一份文件")
    second = published_policy(con, org, cols, "第二份文件", doc_number="陕工信发〔2026〕13号")
    numbers = [catalogue.entry(con, a.id)["index_number"] for a in (first, second)]
    year = first.published_at.year
    assert numbers == [f"11610000016000000X/{year}-00001", f"11610000016000000X/{year}-00002"]
    # a correction goes live again with the same number
    corrected = workflow.save_article(con, org.officer, first.id, first.version, title="第一份文件(修订)", body_html=BODY,
                                      source="电子信息处", work_ended_on=TODAY, importance="一般")
    corrected = workflow.approve(con, org.head, corrected.id, corrected.version, list(workflow.CHECKLIST))
    workflow.publish(con, org.officer, corrected.id, corrected.version)
    assert catalogue.entry(con, first.id)["index_number"] == numbers[0]
    assert scalar(con, "SELECT count(DISTINCT index_number) FROM catalogue_entries") == 2


def test_the_pattern_is_the_offices_setting(con, org, cols):
    settings.set_values(con, org.webmaster, {"catalogue_index_pattern": "SXGX-{年份}-{序号}",
                                             "catalogue_index_digits": 3})
    article = published_policy(con, org, cols)
    assert re.fullmatch(rf"SXGX-{article.published_at.year}-001", catalogue.entry(con, article.id)["index_number"])
    with pytest.raises(ValidationError, match="须包含{年份}和{序号}"):
        settings.set_values(con, org.webmaster, {"catalogue_index_pattern": "{机构代码}-{序号}"})


def test_a_number_already_taken_by_an_import_is_skipped(con, org, cols):
    year = TODAY.year
    taken = draft(con, org, cols["policy"], "旧网站的文件")
    catalogue.save_entry(con, org.officer, taken.id, entry_values(con))
    con.execute("UPDATE catalogue_entries SET index_number = ? WHERE article_id = ?",
                [f"11610000016000000X/{year}-00001", taken.id])
    assert catalogue.assign_index(con, draft(con, org, cols["policy"]).id, year) is None, "no entry, no number"
    article = draft(con, org, cols["policy"], "新文件")
    catalogue.save_entry(con, org.officer, article.id, entry_values(con))
    assert catalogue.assign_index(con, article.id, year) == f"11610000016000000X/{year}-00002"


# ---------------------------------------------------------------- validity of a published document

def test_repealing_a_published_document_is_recorded(con, org, cols):
    old = published_policy(con, org, cols, "旧办法")
    new = published_policy(con, org, cols, "新办法", doc_number="陕工信发〔2026〕20号")
    with pytest.raises(ValidationError, match="替代文件"):
        catalogue.change_validity(con, org.officer, old.id, "已废止", TODAY)
    changed = catalogue.change_validity(con, org.officer, old.id, "已废止", TODAY, new.id)
    assert (changed["validity"], changed["validity_changed_on"], changed["replaced_by"]) == ("已废止", TODAY, new.id)
    logged = scalar(con, "SELECT summary FROM audit_log WHERE action = 'catalogue.validity'")
    assert "已废止" in logged
    back = catalogue.change_validity(con, org.webmaster, old.id, "有效")
    assert back["validity"] == "有效" and back["replaced_by"] is None


def test_only_the_divisions_officer_and_the_office_change_validity(con, org, cols):
    old = published_policy(con, org, cols, "旧办法")
    new = published_policy(con, org, cols, "新办法")
    for outsider in (org.officer_cw, org.head, org.leader, org.analyst):
        with pytest.raises(PermissionDenied):
            catalogue.change_validity(con, outsider, old.id, "已修改", TODAY, new.id)
    assert catalogue.entry(con, old.id)["validity"] == "有效"


def test_a_published_entry_changes_only_through_approval(con, org, cols):
    article = published_policy(con, org, cols)
    with pytest.raises(ValidationError, match="不能直接修改"):
        catalogue.save_entry(con, org.officer, article.id, entry_values(con, doc_number="陕工信发〔2026〕99号"))


def test_publishing_an_interpretation_rebuilds_its_policy_page(con, org, cols, tmp_path):
    policy = published_policy(con, org, cols)
    site = tmp_path / "site"
    portal.build_site(con, str(site), full=True)
    jd = draft(con, org, cols["jd"], "解读")
    catalogue.save_entry(con, org.officer, jd.id, entry_values(con, doc_number="", interprets=policy.id))
    jd = publish(con, org, jd)
    portal.build_site(con, str(site), full=False)
    policy_page = (site / portal.article_url(policy.id, policy.published_at).lstrip("/")).read_text("utf-8")
    assert portal.article_url(jd.id, jd.published_at) in policy_page, "the policy page links to its new 解读"


# ---------------------------------------------------------------- topics and kinds (the office's data)

def test_the_office_edits_topics_as_data(con, org):
    new = catalogue.add_topic(con, org.webmaster, "  数字经济 ")
    assert [t["name"] for t in catalogue.topics(con)][-1] == "数字经济"
    catalogue.rename_topic(con, org.webmaster, new, "数字经济、软件")
    catalogue.move_topic(con, org.webmaster, new, -1)
    names = [t["name"] for t in catalogue.topics(con)]
    assert names[-2:] == ["数字经济、软件", "其他"]
    catalogue.retire_topic(con, org.webmaster, new)
    assert "数字经济、软件" not in [t["name"] for t in catalogue.topics(con)]
    assert "数字经济、软件" in [t["name"] for t in catalogue.topics(con, include_retired=True)]
    with pytest.raises(ValidationError, match="已存在"):
        catalogue.add_topic(con, org.webmaster, "其他")
    with pytest.raises(ValidationError, match="必填"):
        catalogue.add_topic(con, org.webmaster, "  ")
    actions = [r["action"] for r in rows(con, "SELECT action FROM audit_log WHERE action LIKE 'catalogue.topic%' "
                                              "ORDER BY id")]
    assert actions == ["catalogue.topic_add", "catalogue.topic_rename", "catalogue.topic_move",
                       "catalogue.topic_retire"]


def test_only_the_office_edits_topics_and_kinds(con, org):
    for user in (org.officer, org.head, org.tech):
        with pytest.raises(PermissionDenied):
            catalogue.add_topic(con, user, "新主题")
        with pytest.raises(PermissionDenied):
            catalogue.set_catalogue_kinds(con, user, ["policy"])


def test_the_kinds_that_carry_catalogue_data_are_data(con, org):
    article = draft(con, org, org.col_dz, "一条工作动态")
    catalogue.set_catalogue_kinds(con, org.webmaster, ["policy", "interpretation", "news"])
    with pytest.raises(ValidationError, match="公开目录"):
        workflow.submit(con, org.officer, article.id, article.version)
    with pytest.raises(ValidationError, match="只能从现有栏目类型中选择"):
        catalogue.set_catalogue_kinds(con, org.webmaster, ["nonsense"])


def test_the_next_incremental_build_renders_a_repealed_documents_page(con, org, cols, tmp_path, monkeypatch):
    old = published_policy(con, org, cols, "旧办法")
    new = published_policy(con, org, cols, "新办法", doc_number="陕工信发〔2026〕20号")
    other = published_policy(con, org, cols, "无关的文件", doc_number="陕工信发〔2026〕21号")
    portal.build_site(con, str(tmp_path / "site"), full=True)
    assert portal.build_site(con, str(tmp_path / "site"), full=False)["changed_articles"] == []
    catalogue.change_validity(con, org.officer, old.id, "已废止", TODAY, new.id)
    rendered = _rendered(monkeypatch)
    built = portal.build_site(con, str(tmp_path / "site"), full=False)
    assert built["mode"] == "incremental" and built["changed_articles"] == [old.id]
    pages = {portal.article_url(a.id, a.published_at) for a in (old, new, other)} & set(rendered)
    assert pages == {portal.article_url(old.id, old.published_at), portal.article_url(new.id, new.published_at)}, \
        "the repealed document and the one it now links to"
    page = (tmp_path / "site" / portal.article_url(old.id, old.published_at).lstrip("/")).read_text("utf-8")
    assert "本文件已于" in page
    assert portal.build_site(con, str(tmp_path / "site"), full=False)["changed_articles"] == [], "settled"


def test_the_demo_catalogues_a_year_of_policy_documents_through_these_rules(con):
    """core/demo_catalogue.py: every entry passes check_entry, 解读 point at the document they name, some repealed."""
    counts = load_demo(con, articles=400, today=dt.date(2026, 3, 18))
    assert counts["catalogue_entries"] > 0 and counts["documents_repealed"] > 0 and counts["interpretations_linked"] > 0
    stored = rows(con, f"SELECT article_id, index_number, {', '.join(catalogue.EDITABLE)} FROM catalogue_entries")
    assert len(stored) == counts["catalogue_entries"]
    for entry in stored:
        catalogue.check_entry(con, {k: entry[k] for k in catalogue.EDITABLE}, article_id=entry["article_id"],
                              today=dt.date(2026, 3, 18))
        assert entry["index_number"] and re.fullmatch(r"11610000016000000X/20\d\d-\d{5}", entry["index_number"])
    assert len({e["index_number"] for e in stored}) == len(stored)
    for pair in rows(con, """SELECT a.title AS jd, p.title AS doc FROM catalogue_entries e
                            JOIN articles a ON a.id = e.article_id JOIN articles p ON p.id = e.interprets"""):
        assert re.search(r"《([^》]+)》", pair["jd"]).group(1) in pair["doc"]  # a title without 《》 is quoted whole


def test_a_published_entry_is_corrected_by_withdrawing_and_approving_again(con, org, cols):
    article = published_policy(con, org, cols)
    number = catalogue.entry(con, article.id)["index_number"]
    article = workflow.withdraw(con, org.officer, article.id, article.version, "文号有误,更正后重新发布")
    article = workflow.restore_withdrawn(con, org.officer, article.id, article.version)
    catalogue.save_entry(con, org.officer, article.id, entry_values(con, doc_number="陕工信发〔2026〕21号"))
    article = workflow.save_article(con, org.officer, article.id, article.version, title=article.title,
                                    body_html=BODY + "<p>(文号已更正)</p>", source="电子信息处", work_ended_on=TODAY,
                                    importance="一般")
    article = publish(con, org, article)
    corrected = catalogue.entry(con, article.id)
    assert corrected["doc_number"] == "陕工信发〔2026〕21号" and corrected["index_number"] == number


# ---------------------------------------------------------------- 法定主动公开内容 (the office's data)

def test_the_office_says_which_columns_hold_each_statutory_category(con, org, cols, tmp_path):
    items = catalogue.statutory_items(con)
    assert [i["item"] for i in items] == list(range(1, 16)) and all(i["column_ids"] == [] for i in items)
    catalogue.set_statutory_columns(con, org.webmaster, 1, [cols["policy"], cols["jd"]])
    catalogue.set_statutory_columns(con, org.webmaster, 7, [org.col_cw])
    held = {i["item"]: i["column_ids"] for i in catalogue.statutory_items(con)}
    assert held[1] == sorted([cols["policy"], cols["jd"]]) and held[7] == [org.col_cw] and held[2] == []
    logged = scalar(con, "SELECT summary FROM audit_log WHERE action = 'catalogue.statutory' ORDER BY id DESC LIMIT 1")
    assert "财政预算、决算信息" in logged and "财政资金" in logged
    portal.build_site(con, str(tmp_path / "site"), full=True)
    shown = (tmp_path / "site" / STATUTORY_URL.lstrip("/")).read_text("utf-8")
    assert "财政预算、决算信息" in shown and "财政资金" in shown
    catalogue.set_statutory_columns(con, org.webmaster, 7, [])  # the category does not apply any more
    assert {i["item"]: i["column_ids"] for i in catalogue.statutory_items(con)}[7] == []


def test_only_the_office_maps_statutory_categories_and_only_to_columns_in_use(con, org, cols):
    with pytest.raises(PermissionDenied):
        catalogue.set_statutory_columns(con, org.officer, 1, [cols["policy"]])
    with pytest.raises(ValidationError, match="十五项"):
        catalogue.set_statutory_columns(con, org.webmaster, 16, [cols["policy"]])
    con.execute("UPDATE columns SET retired = TRUE WHERE id = ?", [cols["jd"]])
    with pytest.raises(ValidationError, match="在用的栏目"):
        catalogue.set_statutory_columns(con, org.webmaster, 1, [cols["policy"], cols["jd"]])
    assert all(i["column_ids"] == [] for i in catalogue.statutory_items(con)), "nothing half-saved"
