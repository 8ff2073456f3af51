"""统计分析 page (第二十五条): figures per division and column, drill-down, exports, bulletins."""

from __future__ import annotations

import datetime as dt
import io
import json

import pyarrow as pa
import pytest
from docx import Document

from core import bulletin, stats
from core.db import connect, rows, scalar
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org
from tests.test_statistics import published

TODAY = dt.date.today()


@pytest.fixture
def db_path(tmp_path, con, monkeypatch):
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    published(con, org, "电子信息产业推进会召开")
    published(con, org, "集成电路产业调研座谈会召开", ended=TODAY - dt.timedelta(days=20), returned=True)
    published(con, org, "财政资金公示", column=org.col_cw, officer=org.officer_cw, head=org.head_cw)
    con.close()
    return tmp_path / "portal.duckdb"


def statistics(db_path, username):
    return open_page(app_as(db_path, username), "statistics")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_office_sees_this_months_figures(db_path):
    at = statistics(db_path, "webmaster")
    assert not at.exception and not at.error
    assert "统计分析" in texts(at) and "第二十五条" in texts(at)
    shown = metrics(at)
    assert shown["发布数量"] == "3" and shown["按时发布率"] == "66.7%" and shown["退回率"] == "33.3%"
    divisions = at.dataframe[0].value
    dz = divisions[divisions["处室"] == "电子信息处"].iloc[0]
    assert (dz["发布数量"], dz["按时发布"], dz["超时发布"], dz["被退回"]) == (2, 1, 1, 1)
    assert dz["按时发布率"] == 50.0
    assert list(divisions["处室"]) == ["电子信息处", "财务处", "办公室"]
    assert "收到留言" in divisions.columns and "逾期留言" in divisions.columns


def test_by_column(db_path):
    at = statistics(db_path, "analyst")
    at.radio(key="stat_by").set_value("column").run()
    assert not at.exception
    columns = at.dataframe[0].value
    assert list(columns.columns[:2]) == ["栏目", "责任处室"]
    assert columns[columns["栏目"] == "工作动态"].iloc[0]["发布数量"] == 2
    assert "收到留言" not in columns.columns


def test_a_figure_opens_to_its_items(db_path):
    con = connect(db_path)
    dz = scalar(con, "SELECT id FROM divisions WHERE name = '电子信息处'")
    con.close()
    at = statistics(db_path, "leader")
    assert "电子信息处" in at.selectbox(key="stat_group_division").options
    at.selectbox(key="stat_group_division").set_value(dz).run()
    at.selectbox(key="stat_measure").set_value("late").run()
    assert not at.exception
    items = at.dataframe[1].value
    assert list(items["标题"]) == ["集成电路产业调研座谈会召开"] and items.iloc[0]["时效(天)"] == 20
    at.selectbox(key="stat_measure").set_value("returned").run()
    items = at.dataframe[1].value
    assert items.iloc[0]["意见/原因"] == "请核对会议时间"


def test_other_periods_and_custom_range(db_path):
    at = statistics(db_path, "group1")
    at.radio(key="stat_kind").set_value("年").run()
    at.selectbox(key="stat_year").set_value(TODAY.year - 1).run()
    assert not at.exception and metrics(at)["发布数量"] == "0" and "本期没有发布信息" in texts(at)
    at.radio(key="stat_kind").set_value("季度").run()
    assert not at.exception and metrics(at)["发布数量"] == "3"


def test_exports_are_offered_as_csv_and_xlsx(db_path):
    at = statistics(db_path, "analyst")
    labels = [b.label for b in at.get("download_button")]
    # the table, the drill-down, and 培训情况's two tables (the never trained, the divisions)
    assert labels.count("导出 CSV") == 4 and labels.count("导出 Excel") == 4


def test_a_head_sees_only_their_division(db_path):
    at = statistics(db_path, "head")
    assert not at.exception
    assert "只能查看本处室" in texts(at)
    assert list(at.dataframe[0].value["处室"]) == ["电子信息处"]
    assert metrics(at)["发布数量"] == "2"
    assert "stat_bulletin_issue" not in [b.key for b in at.button]


def bulletins(db_path) -> list[dict]:
    con = connect(db_path)
    found = rows(con, "SELECT number, period, corrects, correction_reason, docx FROM bulletins ORDER BY number")
    con.close()
    return found


def test_the_bulletin_period_defaults_to_the_last_complete_month_or_quarter(db_path):
    at = statistics(db_path, "webmaster")
    month = at.selectbox(key="stat_bulletin_period_month")
    assert month.value == bulletin.last_complete("month", TODAY).code
    assert "尚未结束" in month.format_func(f"{TODAY:%Y-%m}")  # the running month is still offered, marked
    at.radio(key="stat_bulletin_kind").set_value("quarter").run()
    assert at.selectbox(key="stat_bulletin_period_quarter").value == bulletin.last_complete("quarter", TODAY).code


def test_issuing_asks_first_and_says_what_will_happen(db_path):
    at = statistics(db_path, "webmaster")
    assert "尚未印发通报" in texts(at)
    target = at.selectbox(key="stat_bulletin_period_month").value
    label = stats.parse_period(target).label
    at.button(key="stat_bulletin_issue").click().run()
    assert not at.exception and not at.error
    assert bulletins(db_path) == []  # one click issues nothing
    shown = texts(at)
    assert f"将印发 {stats.parse_period(target).start.year}年第1期 通报({label})" in shown
    assert "编号不可撤回" in shown and "记录在案" in shown
    at.button(key="stat_bulletin_cancel").click().run()
    assert "将印发" not in texts(at) and bulletins(db_path) == []

    at.button(key="stat_bulletin_issue").click().run()
    at.button(key="stat_bulletin_confirm_issue").click().run()
    assert not at.exception and not at.error
    kept = bulletins(db_path)
    assert [(k["number"], k["period"]) for k in kept] == [(1, target)]
    assert "年第1期" in texts(at) and "将印发" not in texts(at)
    con = connect(db_path)
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'bulletin.issue'") == 1
    con.close()
    assert Document(io.BytesIO(bytes(kept[0]["docx"]))).paragraphs[0].text.endswith("信息发布情况通报")
    analyst = statistics(db_path, "analyst")
    assert "年第1期" in texts(analyst) and "stat_bulletin_issue" not in [b.key for b in analyst.button]


def test_issuing_a_period_again_is_only_a_correction_with_a_reason(db_path):
    at = statistics(db_path, "webmaster")
    at.button(key="stat_bulletin_issue").click().run()
    at.button(key="stat_bulletin_confirm_issue").click().run()
    assert len(bulletins(db_path)) == 1
    assert "已印发" in at.selectbox(key="stat_bulletin_period_month").format_func(
        at.selectbox(key="stat_bulletin_period_month").value)

    at.button(key="stat_bulletin_issue").click().run()
    assert "已印发为" in texts(at) and "第1期" in texts(at) and "WEBMASTER" in texts(at)
    at.button(key="stat_bulletin_confirm_issue").click().run()  # without choosing 更正
    assert "不能重复印发" in texts(at) and "第二十五条" in texts(at)
    assert len(bulletins(db_path)) == 1

    at.checkbox(key="stat_bulletin_correct").check().run()
    at.button(key="stat_bulletin_confirm_issue").click().run()  # no reason
    assert "「更正原因」" in [e.value for e in at.error][0]
    assert len(bulletins(db_path)) == 1

    at.text_area(key="stat_bulletin_reason").input("电子信息处发布数量统计有误").run()
    at.button(key="stat_bulletin_confirm_issue").click().run()
    assert not at.exception and not at.error
    kept = bulletins(db_path)
    assert [k["number"] for k in kept] == [1, 2] and kept[1]["correction_reason"] == "电子信息处发布数量统计有误"
    assert "第1期的更正" in texts(at)
    top = Document(io.BytesIO(bytes(kept[1]["docx"]))).paragraphs[2].text
    assert "第1期的更正" in top and "电子信息处发布数量统计有误" in top


def test_looking_writes_nothing(db_path):
    con = connect(db_path)
    before = scalar(con, "SELECT count(*) FROM audit_log")
    con.close()
    statistics(db_path, "analyst")
    con = connect(db_path)
    assert scalar(con, "SELECT count(*) FROM audit_log") == before
    con.close()


@pytest.mark.parametrize("username", ["officer", "tech"])
def test_officers_and_technical_support_cannot_reach_it(db_path, username):
    with pytest.raises(Exception):  # noqa: B017 - a page outside st.navigation is unreachable
        statistics(db_path, username)


def test_policy_documents_without_an_interpretation_are_counted_and_listed(tmp_path, db_path):
    """解读回应 (第十二条): the count and the list of published 政策文件 no 解读 explains yet."""
    with connect(db_path) as con:
        dz = scalar(con, "SELECT id FROM divisions WHERE code = 'dzxx'")
        officer = scalar(con, "SELECT id FROM users WHERE username = 'officer'")
        policy = scalar(con, "INSERT INTO columns (slug, name, kind, division_id) VALUES ('zcwj', '政策文件', 'policy', ?) "
                             "RETURNING id", [dz])
        for title in ("关于促进软件产业发展的若干措施", "关于推进工业互联网建设的实施意见"):
            article = scalar(con, "INSERT INTO articles (column_id, lead_division_id, title, author_id, state, public, "
                                  "published_at) VALUES (?, ?, ?, ?, 'published', TRUE, current_localtimestamp()) "
                                  "RETURNING id", [policy, dz, title, officer])
            con.execute("INSERT INTO catalogue_entries (article_id) VALUES (?)", [article])
    at = statistics(db_path, "webmaster")
    assert not at.exception
    assert metrics(at)["尚无解读的政策文件"] == "2"
    listed = next(d.value for d in at.dataframe if "文件标题" in d.value.columns)
    assert set(listed["文件标题"]) == {"关于促进软件产业发展的若干措施", "关于推进工业互联网建设的实施意见"}


def test_kept_figures_follow_a_change_made_by_someone_else(db_path):
    """Issue 16: the page keeps its figures between runs (pages/_cache.py); a publication, a take-down
    and a citizen's message made elsewhere are seen at the next run, not the kept figures."""
    from core import accounts, workflow

    at = statistics(db_path, "webmaster")
    at.run()  # the second run reads what the first kept
    assert metrics(at)["发布数量"] == "3" and metrics(at)["发布后撤下"] == "0"
    con = connect(db_path)
    officer, head = accounts.find_user(con, "officer"), accounts.find_user(con, "head")
    article = workflow.create_article(con, officer, scalar(con, "SELECT id FROM columns WHERE slug = 'gzdt'"),
                                      "第四条动态", "<p>正文。</p>", "电子信息处", TODAY, "一般")
    article = workflow.submit(con, officer, article.id, article.version)
    article = workflow.approve(con, head, article.id, article.version, list(workflow.CHECKLIST))
    workflow.publish(con, officer, article.id, article.version)
    con.close()
    at.run()
    assert metrics(at)["发布数量"] == "4"
    con = connect(db_path)
    first = scalar(con, "SELECT id FROM articles WHERE title = '财政资金公示'")
    webmaster = accounts.find_user(con, "webmaster")
    workflow.take_down(con, webmaster, first, workflow.get_article(con, first).version, "数据待核实",
                       category="内容有误,待核实更正")
    received = int(at.dataframe[0].value["收到留言"].sum())
    # a citizen's message routed to a division: no staff member's audit row, the message's own row
    con.execute("INSERT INTO messages (code, kind, subject, body, name, state, division_id, received_at, routed_at) "
                "VALUES ('TESTCODE', 'consult', '咨询', '内容', '张先生', 'routed', ?, current_localtimestamp(), "
                "current_localtimestamp())", [officer.division_id])
    con.close()
    at.run()
    assert metrics(at)["发布后撤下"] == "1"
    assert int(at.dataframe[0].value["收到留言"].sum()) == received + 1


def test_training_section_lists_who_was_never_trained(db_path):
    """培训情况 (第十条(三)): the period's sessions and attendances, the officers and heads never trained by division
    with their account's creation day; exportable; not for a head (培训统计 is the office's, leaders', analysts')."""
    from core import accounts, training

    with connect(db_path) as con:
        tech, officer, head = (accounts.find_user(con, name) for name in ("tech", "officer", "head"))
        training.create_session(con, tech, held_on=TODAY, topic="信息发布流程培训", trainer="张工",
                                attendees=[officer.id, head.id])
        con.execute("UPDATE users SET created_at = ? WHERE username = 'officercw'", [dt.datetime(2024, 3, 5, 9, 0)])
    at = statistics(db_path, "webmaster")
    assert not at.exception and not at.error
    assert "培训情况" in [h.value for h in at.subheader] and "第十条(三)" in texts(at)
    shown = metrics(at)
    assert (shown["举办培训"], shown["参加培训"], shown["本期参加培训人数"], shown["从未参加培训"]) == (
        "1 期", "2 人次", "2 / 4", "2 人")
    tables = {tuple(d.value.columns): d.value for d in at.dataframe}
    never = tables[("处室", "姓名", "角色", "账号开通日期", "新开通账号")]
    assert sorted(never["姓名"]) == ["HEADCW", "OFFICERCW"]  # the trained officer and head are not listed
    listed = never.set_index("姓名")
    assert (listed.loc["OFFICERCW", "处室"], listed.loc["OFFICERCW", "角色"]) == ("财务处", "信息员")
    assert str(listed.loc["OFFICERCW", "账号开通日期"])[:10] == "2024-03-05" and listed.loc["OFFICERCW", "新开通账号"] == ""
    assert listed.loc["HEADCW", "新开通账号"] == "是"  # made with the test's database: a newcomer
    divisions = tables[("处室", "信息员和处室负责人", "本期参加培训人数", "本期参加人次", "从未参加培训")].set_index("处室")
    assert list(divisions.loc["电子信息处"]) == [2, 2, 2, 0] and list(divisions.loc["财务处"]) == [2, 0, 0, 2]
    keys = [b.key for b in at.get("download_button")]
    assert {"stat_training_never_export_csv", "stat_training_divisions_export_xlsx"} <= set(keys)
    # a year before: nothing held then, and the never-trained are the same people
    at.radio(key="stat_kind").set_value("年").run()
    at.selectbox(key="stat_year").set_value(TODAY.year - 1).run()
    assert (metrics(at)["举办培训"], metrics(at)["从未参加培训"]) == ("0 期", "2 人")
    head = statistics(db_path, "head")
    assert not head.exception and "培训情况" not in [h.value for h in head.subheader]


def test_a_division_without_an_on_time_share_is_not_drawn_as_a_rate(tmp_path, con, monkeypatch):
    """财务处 published one item without a work-end date: it has a bar (its number published) but no share;
    the chart's data holds no value for it, it is drawn in a grey layer outside the rates' scale (Vega-Lite
    left it out, a row reading as nothing published), and the caption names it; the rates' scale is clamped
    (a 0 % rate, under its domain, was painted black). 办公室 published nothing: no bar, not named."""
    monkeypatch.setenv("PORTAL_SITE", str(tmp_path / "site"))
    org = make_org(con)
    published(con, org, "电子信息产业推进会召开")
    published(con, org, "财政资金公示", column=org.col_cw, officer=org.officer_cw, head=org.head_cw, ended=None)
    con.close()
    at = statistics(tmp_path / "portal.duckdb", "webmaster")
    assert not at.exception
    [chart] = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    [dataset] = chart.proto.datasets
    assert dataset.name == spec["data"]["name"]
    drawn = pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
    values = {r["名称"]: r for r in drawn}
    assert set(values) == {"电子信息处", "财务处"}
    assert values["电子信息处"]["按时发布率"] == 100.0
    assert values["财务处"]["按时发布率"] is None and values["财务处"]["按时发布率(%)"] == "无数据"
    assert values["财务处"]["发布数量"] == 1
    rated, unrated = spec["layer"]  # the rates on the scale (clamped: no colour outside it), the others grey
    assert rated["transform"] == [{"filter": "isValid(datum['按时发布率'])"}]
    assert rated["encoding"]["color"]["scale"]["clamp"] is True
    assert unrated["transform"] == [{"filter": "!isValid(datum['按时发布率'])"}]
    assert unrated["encoding"]["color"] == {"value": "#d9d9d9"}
    assert rated["encoding"]["y"]["sort"] == unrated["encoding"]["y"]["sort"] == ["电子信息处", "财务处"]
    assert "无法核算按时发布率(无数据,不是 0%)的处室:财务处。" in texts(at)


def test_the_monthly_trend_speaks_chinese_on_hover(db_path):
    """The year's trend (publications per month): its axes and its tooltip name 月份 and 发布数量, not the data's
    field names (month, published: a reader hovering a point saw them)."""
    other = TODAY.replace(day=1) - dt.timedelta(days=1) if TODAY.month > 1 else TODAY.replace(month=2, day=1)
    con = connect(db_path)
    con.execute("UPDATE articles SET published_at = ? WHERE title = '财政资金公示'",
                [dt.datetime.combine(other, dt.time(10))])
    con.close()
    at = statistics(db_path, "webmaster")
    at.radio(key="stat_kind").set_value("年").run()
    assert not at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    [trend] = [s for s in specs if s.get("mark", {}).get("type") == "line"]
    encoding = trend["encoding"]
    assert (encoding["x"]["title"], encoding["y"]["title"]) == ("月份", "发布数量")
    assert [t.get("title") for t in encoding["tooltip"]] == ["月份", "发布数量"]
