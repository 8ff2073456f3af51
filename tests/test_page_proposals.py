"""建议与提案 in AppTest (issue 17): an officer submits (a missing reason named, the text kept), the office asks
for more with a reason, the officer revises, the office adopts; 栏目管理 carries it out from the proposal; 年度考评
offers ground (三) from it; the office and the technical-support unit record 落实情况 in 待落实 and the proposer
reads it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import columns, evaluation, proposals
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def path(tmp_path, con):
    org = make_org(con)
    con.close()
    return tmp_path / "portal.duckdb", org


def test_officer_submits_office_asks_for_more_officer_revises_office_adopts(path):
    path, org = path
    at = open_page(app_as(path, "officer"), "proposals")
    assert not at.exception and "建议与提案" in texts(at)
    assert at.radio(key="pp_view").options == ["我的与本处室", "提出建议或提案"]
    at.radio(key="pp_view").set_value("提出建议或提案").run()
    at.text_input(key="pp_new_subject").input("增设「数字政府」栏目")
    at.text_input(key="pp_new_column_name").input("数字政府")
    at.button(key="pp_new_submit").click().run()
    assert "「理由」:须写明提出的理由(第九条(一))" in texts(at)
    assert at.text_input(key="pp_new_subject").value == "增设「数字政府」栏目"  # what was typed stays
    at.text_area(key="pp_new_reasons").input("集中发布数字政府建设进展")
    at.button(key="pp_new_submit").click().run()
    assert "已提交提案 #1" in texts(at)
    con = connect(path)
    assert proposals.get(con, 1)["state"] == "submitted"
    con.close()

    office = open_page(app_as(path, "webmaster"), "proposals")
    assert office.radio(key="pp_view").options == ["待审议", "待落实", "全部提案", "提出建议或提案"]
    assert office.selectbox(key="pp_queue_pick").value == 1
    labels = [b.label for b in office.button]
    assert {"要求补充", "采纳", "部分采纳", "不予采纳"} <= set(labels)
    office.button(key="pp_adopt_1").click().run()
    assert "「办公室意见」:办公室的意见须说明理由,提出人可见(第八条(二))" in texts(office)
    office.text_area(key="pp_reply_1").input("请补充更新频率")
    office.button(key="pp_ask_more_1").click().run()
    assert "提案 #1:已要求补充" in texts(office)

    at = open_page(app_as(path, "officer"), "proposals")
    assert "办公室意见(待补充材料):请补充更新频率" in texts(at)
    at.text_input(key="pp_rev_1_note").input("每周更新")
    at.button(key="pp_resubmit_1").click().run()
    assert "提案 #1 已补充并重新提交" in texts(at)

    office = open_page(app_as(path, "webmaster"), "proposals")
    office.text_area(key="pp_reply_1").input("符合建设方案,予以采纳")
    office.button(key="pp_adopt_1").click().run()
    assert "提案 #1:已采纳" in texts(office)
    con = connect(path)
    assert proposals.get(con, 1)["state_label"] == "已采纳"
    con.close()


def test_another_division_sees_nothing_and_cannot_act(path):
    path, org = path
    con = connect(path)
    proposals.submit(con, org.officer, kind="suggestion", subject="电子信息处的建议", reasons="理由")
    con.close()
    at = open_page(app_as(path, "officercw"), "proposals")
    assert "电子信息处的建议" not in texts(at) and "尚无建议和提案" in texts(at)
    assert not any(b.label == "撤回提案" for b in at.button)


def test_carried_out_in_column_management_and_offered_in_the_evaluation(path):
    path, org = path
    con = connect(path)
    pid = proposals.submit(con, org.officer, kind="column_add", subject="增设数字政府栏目", reasons="理由",
                           column_name="数字政府")
    proposals.decide(con, org.webmaster, pid, 1, "adopt", "采纳")
    con.close()
    at = open_page(app_as(path, "webmaster"), "columns_admin")
    assert at.selectbox(key="ca_proposal_pick").value == pid
    assert at.text_input(key=f"ca_prop_{pid}_0_name").value == "数字政府"
    at.text_input(key=f"ca_prop_{pid}_0_slug").input("szzf")
    next(b for b in at.button if b.label == "按提案执行此项变更").click().run()
    assert f"已按提案 #{pid} 办理" in texts(at), texts(at)
    # the plan's one change made: the proposal is carried out, and the message says so
    assert "提案要求的栏目变更已全部完成,提案已登记为「已落实」,已通知提出人。" in texts(at)
    changes = next(d.value for d in at.dataframe if "依据提案" in d.value.columns)
    assert list(changes["依据提案"]) == [f"#{pid}「增设数字政府栏目」"]  # the change names its proposal
    con = connect(path)
    [change] = proposals.view(con, org.webmaster, pid)["changes"]
    assert columns.get_column(con, change["column_id"])["slug"] == "szzf"
    con.close()

    at = open_page(app_as(path, "officer"), "proposals")
    assert "按提案办理的栏目变更" in texts(at)

    year = dt.date.today().year
    at = open_page(app_as(path, "webmaster"), "evaluation")
    at.selectbox(key="ev_year").set_value(year).run()  # the page opens on last year
    assert "被办公室采纳 1 项,已落实 1 项:#1「增设数字政府栏目」" in texts(at)
    assert f"{dt.date.today():%Y-%m-%d} 已落实" in texts(at)  # carried out by the column change
    at.button(key=f"ev_propose3_{org.dz}_None").click().run()
    assert "已登记表彰:电子信息处" in texts(at)
    con = connect(path)
    [award] = evaluation.awards(con, year)
    assert award["ground"] == 3 and award["division_id"] == org.dz and "增设数字政府栏目" in award["evidence"]
    con.close()


def test_every_view_reads_in_chinese(path):
    """No English and no internal code on any view (the names of make_org's people are Latin: left out)."""
    path, org = path
    con = connect(path)
    pid = proposals.submit(con, org.officer, kind="column_merge", subject="合并两个栏目", reasons="内容相近",
                           target_columns=[org.col_dz, org.col_cw], column_name="合并后栏目")
    proposals.decide(con, org.webmaster, pid, 1, "adopt_part", "部分采纳")
    done = proposals.submit(con, org.officer, kind="suggestion", subject="建议", reasons="理由")
    proposals.decide(con, org.webmaster, done, 1, "adopt", "采纳")
    proposals.implement(con, org.webmaster, done, 2, note="已落实", done_on=dt.date.today())
    design = proposals.submit(con, org.officer, kind="design", subject="改版方案", reasons="理由")
    proposals.decide(con, org.webmaster, design, 1, "adopt", "采纳")
    con.close()
    people = {"OFFICER", "WEBMASTER", "TECH"}
    for username in ("officer", "webmaster", "tech"):
        at = open_page(app_as(path, username), "proposals")
        for view in at.radio(key="pp_view").options:
            at.radio(key="pp_view").set_value(view).run()
            latin = set(re.findall(r"[A-Za-z_]{2,}", texts(at))) - people
            assert not latin and not at.exception, (username, view, latin)
    at = open_page(app_as(path, "webmaster"), "columns_admin")
    assert "按提案办理" in texts(at) and at.selectbox(key="ca_proposal_pick").value == pid
    slugs = {"gzdt", "czzj"}  # 栏目结构 shows each column's 网址标识, Latin by its rule
    assert not set(re.findall(r"[A-Za-z_]{2,}", texts(at))) - people - slugs


def test_office_records_a_suggestion_carried_out_the_unit_its_design_the_proposer_reads_both(path):
    path, org = path
    con = connect(path)
    suggestion = proposals.submit(con, org.officer, kind="suggestion", subject="增加相关解读链接", reasons="理由")
    proposals.decide(con, org.webmaster, suggestion, 1, "adopt", "采纳")
    design = proposals.submit(con, org.officer, kind="design", subject="首页适老化改版", reasons="理由")
    proposals.decide(con, org.webmaster, design, 1, "adopt_part", "适老化部分采纳")
    con.close()

    office = open_page(app_as(path, "webmaster"), "proposals")
    office.radio(key="pp_view").set_value("待落实").run()
    assert not office.exception
    waiting = next(d.value for d in office.dataframe if "落实期限" in d.value.columns)
    assert list(waiting["编号"]) == [suggestion, design] and list(waiting["是否超期"]) == ["", ""]
    office.selectbox(key="pp_implement_pick").set_value(suggestion).run()
    assert "落实情况:待落实" in texts(office)
    office.button(key=f"pp_implement_{suggestion}").click().run()
    assert "「办理情况」:须写明落实了什么、怎样落实的,提出人可见(第八条(一)(二))" in texts(office)
    office.text_area(key=f"pp_out_{suggestion}_note").input("文件页面已增加相关解读链接并上线")
    office.date_input(key=f"pp_out_{suggestion}_date").set_value(dt.date.today() + dt.timedelta(days=1)).run()
    office.button(key=f"pp_implement_{suggestion}").click().run()
    assert "「完成日期」:不能晚于今天" in texts(office)
    assert office.text_area(key=f"pp_out_{suggestion}_note").value == "文件页面已增加相关解读链接并上线"  # kept
    office.date_input(key=f"pp_out_{suggestion}_date").set_value(dt.date.today()).run()
    office.button(key=f"pp_implement_{suggestion}").click().run()
    assert f"提案 #{suggestion}:已登记落实情况,已通知提出人。" in texts(office)
    waiting = next(d.value for d in office.dataframe if "落实期限" in d.value.columns)
    assert list(waiting["编号"]) == [design]

    tech = open_page(app_as(path, "tech"), "proposals")
    assert tech.radio(key="pp_view").value == "待落实"  # the unit opens on the designs it carries out
    assert tech.selectbox(key="pp_implement_pick").value == design
    tech.text_area(key=f"pp_out_{design}_note").input("首页适老化改版已上线")
    tech.button(key=f"pp_implement_{design}").click().run()
    assert f"提案 #{design}:已登记落实情况" in texts(tech) and "目前没有待落实的建议和提案" in texts(tech)

    officer = open_page(app_as(path, "officer"), "proposals")
    listed = next(d.value for d in officer.dataframe if "状态" in d.value.columns)
    assert set(listed["状态"]) == {"已采纳 · 已落实", "部分采纳 · 已落实"}
    officer.selectbox(key="pp_all_pick").set_value(suggestion).run()
    assert f"落实情况:{dt.date.today():%Y-%m-%d} 已落实" in texts(officer)
    assert "文件页面已增加相关解读链接并上线" in texts(officer)
    assert not any(b.label == "登记落实情况" for b in officer.button)  # the proposer reads, the office records


def test_a_merge_says_carried_out_only_after_its_last_change(path):
    path, org = path
    con = connect(path)
    pid = proposals.submit(con, org.officer, kind="column_merge", subject="合并两个栏目", reasons="内容相近",
                           target_columns=[org.col_dz, org.col_cw], column_name="合并后栏目")
    proposals.decide(con, org.webmaster, pid, 1, "adopt", "采纳")
    con.close()
    at = open_page(app_as(path, "webmaster"), "columns_admin")
    next(b for b in at.button if b.label == "按提案执行此项变更").click().run()
    assert f"已按提案 #{pid} 办理" in texts(at) and "已落实" not in texts(at)  # one change of two
    next(b for b in at.button if b.label == "按提案执行此项变更").click().run()
    assert "提案要求的栏目变更已全部完成,提案已登记为「已落实」,已通知提出人。" in texts(at)


def test_the_office_corrects_a_recorded_outcome(path):
    path, org = path
    con = connect(path)
    pid = proposals.submit(con, org.officer, kind="suggestion", subject="增加相关解读链接", reasons="理由")
    proposals.decide(con, org.webmaster, pid, 1, "adopt", "采纳")
    con.execute("UPDATE proposals SET decided_at = ? WHERE id = ?", [dt.datetime.now() - dt.timedelta(days=10), pid])
    proposals.implement(con, org.webmaster, pid, 2, note="文件页面已增加解毒链接", done_on=dt.date.today())
    con.close()
    officer = open_page(app_as(path, "officer"), "proposals")
    officer.selectbox(key="pp_all_pick").set_value(pid).run()
    assert not any(b.label == "更正落实情况" for b in officer.button)  # the proposer reads, the office corrects

    office = open_page(app_as(path, "webmaster"), "proposals")
    office.radio(key="pp_view").set_value("全部提案").run()
    office.selectbox(key="pp_all_pick").set_value(pid).run()
    assert office.text_area(key=f"pp_fix_{pid}_note").value == "文件页面已增加解毒链接"  # the record, to correct
    office.text_area(key=f"pp_fix_{pid}_note").input("文件页面已增加解读链接")
    day = dt.date.today() - dt.timedelta(days=2)
    office.date_input(key=f"pp_fix_{pid}_date").set_value(day).run()
    office.button(key=f"pp_correct_{pid}").click().run()
    assert "「更正原因」:须写明为什么更正(如原登记的内容或日期有误),记入办理过程(第八条(一)(二))" in texts(office)
    assert office.text_area(key=f"pp_fix_{pid}_note").value == "文件页面已增加解读链接"  # what was typed stays
    office.text_input(key=f"pp_fix_{pid}_reason").input("原登记有错别字").run()
    office.button(key=f"pp_correct_{pid}").click().run()
    assert f"提案 #{pid}:落实情况已更正,已通知提出人;原登记的内容保留在办理过程中。" in texts(office)
    assert f"落实情况:{day:%Y-%m-%d} 已落实" in texts(office) and "文件页面已增加解读链接" in texts(office)
    assert f"WEBMASTER 登记;WEBMASTER {dt.date.today():%Y-%m-%d} 更正,原登记内容见办理过程" in texts(office)
    history = next(d.value for d in office.dataframe if "步骤" in d.value.columns)
    assert list(history["步骤"])[-1] == "更正落实情况"
    assert f"原为 {dt.date.today():%Y-%m-%d} 落实:文件页面已增加解毒链接" in list(history["说明"])[-1]
    con = connect(path)
    assert proposals.get(con, pid)["version"] == 4
    con.close()


def test_a_correction_replaces_the_file_and_both_stay_downloadable(path):
    path, org = path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    con = connect(path)
    pid = proposals.submit(con, org.officer, kind="suggestion", subject="增加相关解读链接", reasons="理由")
    proposals.decide(con, org.webmaster, pid, 1, "adopt", "采纳")
    proposals.implement(con, org.webmaster, pid, 2, note="文件页面已增加解读链接", done_on=dt.date.today(),
                        files=[("旧截图.png", png)])
    con.close()
    office = open_page(app_as(path, "webmaster"), "proposals")
    office.radio(key="pp_view").set_value("全部提案").run()
    office.selectbox(key="pp_all_pick").set_value(pid).run()
    box = office.file_uploader(key=f"pp_fix_{pid}_file")
    assert box.proto.label == "替换落实材料(可选,一个文件)"
    assert box.proto.help.startswith("当前落实材料:旧截图.png;选择新文件即替换它,原文件保留在办理过程中,不选则保留原文件。")
    box.set_value(("上线截图.png", png + b"new", "image/png"))
    office.text_input(key=f"pp_fix_{pid}_reason").input("原附的是改版前的截图").run()
    office.button(key=f"pp_correct_{pid}").click().run()
    assert not office.exception
    assert f"提案 #{pid}:落实情况已更正,已通知提出人;原登记的内容保留在办理过程中。" in texts(office)
    labels = [b.proto.label for b in office.get("download_button")]
    assert "下载落实材料:上线截图.png" in labels and "下载原落实材料(更正时已替换):旧截图.png" in labels
    assert "下载附件:旧截图.png" not in labels  # the replaced file is not one of the proposal's own
    history = next(d.value for d in office.dataframe if "步骤" in d.value.columns)
    assert list(history["说明"])[-1] == "更正原因:原附的是改版前的截图;落实材料「旧截图.png」替换为「上线截图.png」(原文件保留)"
