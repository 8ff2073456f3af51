"""建议与提案 in headless Chromium, on the demo database (issue 17): an officer proposes a column, the office asks
for more, the officer revises, the office adopts, the change is made in 栏目管理 from the proposal, and the
proposal is ground (三) evidence in 年度考评 (第八条(二)、第九条(一)、第二十六条(三))."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from tests.browser import (
    ARTIFACTS,
    chromium,
    click_until,
    go_to_page,
    login,
    make_demo,
    manual_shot,
    servers,
    shot,
    wait_idle,
    warm_up,
)

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-2026!sx"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def demo(tmp_path):
    return make_demo(tmp_path / "demo.duckdb"), tmp_path / "site"


def keyed(page, key: str, inner: str = ""):
    """The widget Streamlit drew for `key` (its container carries the class st-key-<key>)."""
    return page.locator(f".st-key-{key} {inner}".strip()).first


def choose(page, key: str, option: re.Pattern) -> None:
    """Open the selectbox drawn for `key` (again, if a click landed in a rerun) and pick `option`."""
    wanted = page.get_by_role("option", name=option).first
    click_until(page, keyed(page, key).get_by_role("combobox"), wanted)
    wanted.click()
    wait_idle(page)


def signed_in(browser, workbench: str, username: str, link: str, heading: str | None = None):
    page = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN").new_page()
    login(page, workbench, username, DEMO_PASSWORD)
    go_to_page(page, link, heading)
    return page


def test_a_column_proposal_from_submission_to_evidence(demo):
    db_path, site_dir = demo
    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench, timeout=30000)
        officer = signed_in(browser, workbench, "xxy_dzxx", "建议与提案")
        click_until(officer, keyed(officer, "pp_view").get_by_text("提出建议或提案", exact=True),
                    keyed(officer, "pp_new_subject", "input"))
        keyed(officer, "pp_new_subject", "input").fill("增设「新型显示产业」栏目")
        keyed(officer, "pp_new_reasons", "textarea").fill("新型显示是我省重点产业链,相关信息分散,建议集中发布。")
        keyed(officer, "pp_new_column_name", "input").fill("新型显示产业")
        wait_idle(officer)
        click_until(officer, keyed(officer, "pp_new_submit", "button"), officer.get_by_text(re.compile(r"已提交提案 #\d+")))
        pid = int(re.search(r"#(\d+)", officer.get_by_text(re.compile(r"已提交提案 #\d+")).inner_text()).group(1))
        number = re.compile(rf"#{pid} ")

        office = signed_in(browser, workbench, "webmaster", "建议与提案")
        choose(office, "pp_queue_pick", number)
        keyed(office, "pp_reply_" + str(pid), "textarea").fill("请补充栏目的更新频率和信息来源")
        wait_idle(office)
        click_until(office, keyed(office, f"pp_ask_more_{pid}", "button"), office.get_by_text(f"提案 #{pid}:已要求补充"))

        officer.reload()
        wait_idle(officer)
        officer.get_by_text("办公室意见(待补充材料):请补充栏目的更新频率和信息来源").wait_for(timeout=60000)
        keyed(officer, f"pp_rev_{pid}_note", "input").fill("每月更新两次,信息来自电子信息处和产业联盟")
        wait_idle(officer)
        click_until(officer, keyed(officer, f"pp_resubmit_{pid}", "button"),
                    officer.get_by_text(f"提案 #{pid} 已补充并重新提交办公室审议"))

        office.reload()
        wait_idle(office)
        choose(office, "pp_queue_pick", number)
        keyed(office, "pp_reply_" + str(pid), "textarea").fill("符合网站建设方案,予以采纳,由办公室开设栏目")
        wait_idle(office)
        manual_shot(office, "manual-proposals", moving=True)  # 建议与提案 in the manual: the office decides
        click_until(office, keyed(office, f"pp_adopt_{pid}", "button"), office.get_by_text(f"提案 #{pid}:已采纳"))

        # 全部提案 → 在栏目管理中按提案办理: the change is pre-filled from the proposal
        click_until(office, keyed(office, "pp_view").get_by_text("全部提案", exact=True), keyed(office, "pp_all_pick"))
        choose(office, "pp_all_pick", number)
        click_until(office, keyed(office, f"pp_carry_{pid}", "button"),
                    office.get_by_role("heading", level=1, name="栏目管理"))
        wait_idle(office)
        assert keyed(office, f"ca_prop_{pid}_0_name", "input").input_value() == "新型显示产业"
        keyed(office, f"ca_prop_{pid}_0_slug", "input").fill("xxxs")
        wait_idle(office)
        shot(office, "proposals-carry-out-prefilled")
        click_until(office, office.get_by_role("button", name="按提案执行此项变更"),
                    office.get_by_text(f"已按提案 #{pid} 办理"))
        office.get_by_text("新型显示产业").first.wait_for(timeout=30000)
        wait_idle(office)  # the page reruns after the change: a heading found before it may be gone
        office.get_by_role("heading", name="最近的栏目变更").scroll_into_view_if_needed()
        wait_idle(office)
        office.screenshot(path=str(ARTIFACTS / "proposals-column-change-linked.png"))  # the viewport: the table

        officer.reload()
        wait_idle(officer)
        officer.get_by_text("按提案办理的栏目变更(栏目管理)").wait_for(timeout=60000)
        # the table is drawn on a canvas: its cells are in the page for screen readers, not shown as text
        officer.get_by_text("新增栏目「新型显示产业」").first.wait_for(state="attached", timeout=30000)
        # the plan's one change carried it out: 落实情况 by itself (第八条(二))
        officer.get_by_text(re.compile(r"落实情况:\d{4}-\d{2}-\d{2} 已落实")).first.wait_for(timeout=30000)
        shot(officer, "proposals-officer-sees-adoption-and-change")

        go_to_page(office, "年度考评")
        choose(office, "ev_year", re.compile(f"{dt.date.today().year} 年"))
        office.get_by_text("建议和提案被采纳(第二十六条(三))").wait_for(timeout=60000)
        office.get_by_text(re.compile(rf"#{pid}「增设「新型显示产业」栏目」\(栏目新增,\S+ 已采纳,\S+ 已落实\)")
                           ).first.wait_for(timeout=60000)
        shot(office, "proposals-evaluation-evidence")


def test_the_office_records_a_suggestion_carried_out_and_the_proposer_sees_it(demo):
    """落实情况 (第八条(一)(二)、第二十六条(三)): the demo's adopted suggestion, overdue in the office's to-do, is recorded
    as carried out in 待落实 (an empty 办理情况 refused first, naming the field and the article); the proposer's
    division reads it in 我的与本处室."""
    db_path, site_dir = demo
    con = duckdb.connect(str(db_path), read_only=True)
    pid = con.execute("SELECT p.id FROM proposals p LEFT JOIN proposal_outcomes o ON o.proposal_id = p.id "
                      "WHERE p.state = 'adopted' AND p.kind = 'suggestion' AND o.proposal_id IS NULL").fetchone()[0]
    con.close()
    number = re.compile(rf"#{pid} ")
    with servers(db_path, site_dir) as (workbench, _), chromium() as browser:
        warm_up(browser, workbench, timeout=30000)
        office = signed_in(browser, workbench, "webmaster", "建议与提案")
        click_until(office, keyed(office, "pp_view").get_by_text("待落实", exact=True), keyed(office, "pp_implement_pick"))
        choose(office, "pp_implement_pick", number)
        office.get_by_text("落实情况:待落实").first.wait_for(timeout=60000)
        click_until(office, keyed(office, f"pp_implement_{pid}", "button"),
                    office.get_by_text("「办理情况」:须写明落实了什么、怎样落实的,提出人可见(第八条(一)(二))"))
        keyed(office, f"pp_out_{pid}_note", "textarea").fill(
            "技术支持单位已在首页「政务公开」区增加「政策文件」快速入口,链接到政策文件栏目,已上线并抽查无误。")
        keyed(office, f"pp_out_{pid}_note", "textarea").press("Control+Enter")  # the text is taken: a rerun
        wait_idle(office)
        office.get_by_text("「办理情况」:须写明").wait_for(state="detached", timeout=30000)  # the refusal is gone
        keyed(office, f"pp_out_{pid}_note", "textarea").scroll_into_view_if_needed()
        manual_shot(office, "manual-proposals-implement")  # 建议与提案 in the manual: 登记落实情况
        first, second = db_path.parent / "改版前截图.png", db_path.parent / "上线后截图.png"
        first.write_bytes(PNG)
        second.write_bytes(PNG + b"\x01")
        keyed(office, f"pp_out_{pid}_file", "input[type=file]").set_input_files(str(first))
        office.get_by_text("改版前截图.png").first.wait_for(timeout=30000)
        wait_idle(office)
        click_until(office, keyed(office, f"pp_implement_{pid}", "button"),
                    office.get_by_text(f"提案 #{pid}:已登记落实情况,已通知提出人。"))
        office.get_by_text("目前没有待落实的建议和提案。").wait_for(timeout=60000)
        shot(office, "proposals-implement-recorded")

        # the wrong file was attached: a correction replaces it, the history keeps the old one (第八条(一)(二))
        click_until(office, keyed(office, "pp_view").get_by_text("全部提案", exact=True), keyed(office, "pp_all_pick"))
        choose(office, "pp_all_pick", number)
        click_until(office, office.get_by_text("更正落实情况", exact=True).first,
                    keyed(office, f"pp_fix_{pid}_reason", "input"))
        keyed(office, f"pp_fix_{pid}_file", "input[type=file]").set_input_files(str(second))
        office.get_by_text("上线后截图.png").first.wait_for(timeout=30000)
        keyed(office, f"pp_fix_{pid}_reason", "input").fill("原附的是改版前的截图,换为上线后的截图")
        keyed(office, f"pp_fix_{pid}_reason", "input").press("Enter")
        wait_idle(office)
        keyed(office, f"pp_fix_{pid}_file").scroll_into_view_if_needed()
        shot(office, "proposals-correct-outcome-file")
        click_until(office, keyed(office, f"pp_correct_{pid}", "button"),
                    office.get_by_text(f"提案 #{pid}:落实情况已更正,已通知提出人;原登记的内容保留在办理过程中。"))
        office.get_by_role("button", name="下载落实材料:上线后截图.png").wait_for(timeout=60000)
        office.get_by_role("button", name="下载原落实材料(更正时已替换):改版前截图.png").wait_for(timeout=30000)
        shot(office, "proposals-correct-outcome-file-replaced")

        officer = signed_in(browser, workbench, "xxy_dzxx", "建议与提案")
        choose(officer, "pp_all_pick", number)
        officer.get_by_text(re.compile(r"落实情况:\d{4}-\d{2}-\d{2} 已落实")).first.wait_for(timeout=60000)
        officer.get_by_text("已在首页「政务公开」区增加「政策文件」快速入口", exact=False).first.wait_for(timeout=30000)
        assert officer.get_by_role("button", name="登记落实情况").count() == 0  # the proposer reads it
        shot(officer, "proposals-proposer-sees-carried-out")
