"""网站自查 (第二十五条; 国办函〔2019〕4号): each indicator passes on clean data and fails on data crafted to fail
it, veto items come first, and each row names its threshold and the page holding the items behind it."""

from __future__ import annotations

import datetime as dt

import pytest

from core import inspection, lexicon, linkcheck, scheduler, settings, workflow
from core.errors import PermissionDenied
from pages import _shared
from tests.test_portal import bulk_articles, correct, publish

TODAY = dt.date.today()
NOW = dt.datetime.now()


def result(con, org, name: str) -> dict:
    return next(r for r in inspection.run(con, org.webmaster, TODAY) if r["name"] == name)


def test_veto_items_come_first_and_every_row_says_its_threshold_and_page(con, org):
    results = inspection.run(con, org.webmaster, TODAY)
    vetoes = [r["veto"] for r in results]
    assert vetoes == sorted(vetoes, reverse=True) and vetoes[0] and not vetoes[-1]
    assert len(results) == len(inspection.INDICATORS)
    for r in results:
        assert r["threshold"] and r["value"] and r["status"] in ("pass", "warn", "fail")
    known_pages = set(_shared.PAGES) | {"link_check"}  # 链接检查 comes with the links part of issue 15
    assert {r["page"] for r in results} <= known_pages


def probe(con, when: dt.datetime, ok: bool = True, latency: int | None = 120) -> None:
    con.execute("INSERT INTO site_probes VALUES (?, 'https://www.sxit.gov.cn/', TRUE, ?, ?, ?, '')",
                [when, 200 if ok else 0, ok, latency])


def test_unreachable_site(con, org):
    assert result(con, org, "站点无法访问")["status"] == "warn"  # no monitoring: nothing to judge by
    for n in range(40):
        probe(con, NOW - dt.timedelta(hours=n))
    probe(con, NOW - dt.timedelta(days=10), ok=False, latency=None)  # older than the week: not counted
    assert result(con, org, "站点无法访问")["status"] == "pass"
    probe(con, NOW, ok=False, latency=None)
    assert result(con, org, "站点无法访问")["status"] == "warn"  # 1 of 41: under 5 %
    probe(con, NOW, latency=15000)  # answered after 15 s: not opened
    assert result(con, org, "站点无法访问")["status"] == "warn"  # 2 of 42
    probe(con, NOW, ok=False, latency=None)
    found = result(con, org, "站点无法访问")
    assert found["status"] == "fail" and found["status_label"] == "不达标(单项否决)" and "3 次" in found["value"]


def test_home_page_and_columns(con, org):
    assert result(con, org, "首页不更新")["status"] == "fail"  # nothing ever published
    publish(con, org, "工作动态一则")
    con.execute("UPDATE articles SET published_at = ?", [NOW - dt.timedelta(days=20)])
    assert result(con, org, "首页不更新")["status"] == "fail"  # 20 days > 14
    assert result(con, org, "栏目不更新")["status"] == "warn"  # one stale column, veto at 5
    assert result(con, org, "空白栏目")["status"] == "warn"  # 财政资金: blank, veto at 5
    con.execute("UPDATE articles SET published_at = ?", [NOW])
    assert result(con, org, "首页不更新")["status"] == "pass"
    assert result(con, org, "栏目不更新")["status"] == "pass"
    for n in range(5):
        con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES (?, ?, 'news', ?)",
                    [f"kong{n}", f"空白{n}", org.dz])
    assert result(con, org, "空白栏目")["status"] == "fail"
    settings.set_values(con, org.webmaster, {"freshness_veto_stale": 1})
    con.execute("UPDATE articles SET published_at = ?", [NOW - dt.timedelta(days=20)])
    assert result(con, org, "栏目不更新")["status"] == "fail"


def test_serious_errors_on_published_items(con, org):
    publish(con, org, "关于陕西省工业和信息化厉的通知")
    assert result(con, org, "严重错误")["status"] == "pass"
    lexicon.add_error(con, org.webmaster, "工业和信息化厉", "工业和信息化厅")
    found = result(con, org, "严重错误")
    assert found["status"] == "fail" and "1 篇" in found["value"] and found["page"] == "content_admin"



def test_serious_errors_follow_corrections_take_downs_and_other_sessions(con, org):
    """The screened live revisions are kept between runs (core.workflow._Screened): what another session
    publishes, corrects or takes down after a first run is still seen at the next one."""
    wrong = publish(con, org, "关于陕西省工业和信息化厉的通知")
    other = con.cursor()  # another user's session
    second = publish(other, org, "陕西省工业和信息化厉召开会议")
    assert result(con, org, "严重错误")["status"] == "pass"
    lexicon.add_error(other, org.webmaster, "工业和信息化厉", "工业和信息化厅")
    assert "2 篇" in result(con, org, "严重错误")["value"]
    correct(other, org, wrong, "关于陕西省工业和信息化厅的通知")
    assert "1 篇" in result(con, org, "严重错误")["value"]
    workflow.take_down(other, org.webmaster, second.id, workflow.get_article(other, second.id).version, "测试撤下")
    assert result(con, org, "严重错误")["status"] == "pass"
    # the same revision number holding another text (a backup restored over later edits): screened again
    other.execute("UPDATE revisions SET title = '陕西省工业和信息化厉', created_at = created_at + INTERVAL 1 SECOND "
                  "WHERE article_id = ? AND number = (SELECT live_revision FROM articles WHERE id = ?)",
                  [wrong.id, wrong.id])
    assert "1 篇" in result(con, org, "严重错误")["value"]


def test_screening_many_published_items_goes_on_across_runs(con, org):
    """A bounded run (the page's) screens a slice and says how far it got; the next runs go on from there."""
    bulk_articles(con, org.col_dz, 450, prefix="陕西省工业和信息化厉通报")
    lexicon.add_error(con, org.webmaster, "工业和信息化厉", "工业和信息化厅")
    seen = []
    for _ in range(5):
        found = next(r for r in inspection.run(con, org.webmaster, TODAY, budget=0) if r["name"] == "严重错误")
        seen.append(found)
        if not found["pending"]:
            break
    assert seen[0]["pending"] and seen[0]["status"] == "warn"
    assert seen[0]["value"] == "正在检查在线信息:已检查 200 / 450 篇" and "自动更新" in seen[0]["note"]
    assert seen[1]["value"] == "正在检查在线信息:已检查 400 / 450 篇"
    assert len(seen) == 3 and seen[-1]["status"] == "fail" and "450 篇" in seen[-1]["value"]
    assert result(con, org, "严重错误")["value"] == seen[-1]["value"]  # no bound: the same answer



def test_a_first_screening_reads_the_published_list_again_only_after_a_write(con, org, monkeypatch):
    """Issue 16: at 100,000 published items each slice re-read (and compared) the whole list of live revisions;
    it is now kept under the database's change mark, so slices go on from where the last stopped until
    something is written, and what was written (a new publication) is in the list."""
    from core import db

    monkeypatch.setattr(db, "SETTLE_NS", 0)  # the marks here are read right after the writes
    bulk_articles(con, org.col_dz, 450, prefix="陕西省工业和信息化厉通报")
    lexicon.add_error(con, org.webmaster, "工业和信息化厉", "工业和信息化厅")
    assert workflow.blocked_published(con, budget=0) is None
    first = workflow._SCREENED.live
    assert workflow.blocked_published(con, budget=0) is None
    assert workflow._SCREENED.live is first and workflow.screening_progress() == (400, 450)
    publish(con, org, "关于推进新型工业化的通知")
    found = None
    for _ in range(5):
        found = workflow.blocked_published(con, budget=0)
        if found is not None:
            break
    assert workflow._SCREENED.live is not first and found is not None and len(found) == 450
    assert workflow.screening_progress() == (451, 451)


def test_a_page_waiting_for_the_screening_goes_on_with_it_alone(con, org):
    bulk_articles(con, org.col_dz, 450, prefix="陕西省工业和信息化厉通报")
    lexicon.add_error(con, org.webmaster, "工业和信息化厉", "工业和信息化厅")
    shown = inspection.run(con, org.webmaster, TODAY, budget=0)
    later = inspection.go_on(con, org.webmaster, shown, budget=0)
    row = next(r for r in later if r["name"] == "严重错误")
    assert row["pending"] and row["value"] == "正在检查在线信息:已检查 400 / 450 篇"
    assert [r for r in later if not r["pending"]] == [r for r in shown if not r["pending"]]
    assert inspection.go_on(con, org.webmaster, later, budget=0) is None  # done: the page runs `run` again
    with pytest.raises(PermissionDenied):
        inspection.go_on(con, org.officer, later, budget=0)

def test_the_scheduler_screens_published_items_ahead_of_the_page(con, org):
    bulk_articles(con, org.col_dz, 450, prefix="陕西省工业和信息化厉通报")
    lexicon.add_error(con, org.webmaster, "工业和信息化厉", "工业和信息化厅")
    scheduler.tick(con)
    found = next(r for r in inspection.run(con, org.webmaster, TODAY, budget=0) if r["name"] == "严重错误")
    assert not found["pending"] and found["status"] == "fail" and "450 篇" in found["value"]

def message(con, org, received: dt.datetime, state: str = "routed", replied: dt.datetime | None = None) -> None:
    con.execute("INSERT INTO messages (code, kind, division_id, subject, body, name, state, received_at, replied_at) "
                "VALUES (?, 'consult', ?, '咨询', '内容', '张三', ?, ?, ?)",
                [f"M{received:%Y%m%d%H%M%S}{state}", org.dz, state, received, replied])


def test_messages_unanswered_for_three_months(con, org):
    message(con, org, NOW - dt.timedelta(days=10))
    message(con, org, NOW - dt.timedelta(days=200), "closed", NOW - dt.timedelta(days=190))
    message(con, org, NOW - dt.timedelta(days=400), "rejected")
    assert result(con, org, "互动回应差")["status"] == "pass"
    message(con, org, NOW - dt.timedelta(days=70))  # past message_veto_warn_days (60), not yet 3 months
    assert result(con, org, "互动回应差")["status"] == "warn"
    message(con, org, NOW - dt.timedelta(days=250), "published", NOW - dt.timedelta(days=120))  # answered late
    assert result(con, org, "互动回应差")["status"] == "fail"
    con.execute("DELETE FROM messages WHERE state = 'published'")
    message(con, org, NOW - dt.timedelta(days=95))  # still open after 3 months
    found = result(con, org, "互动回应差")
    assert found["status"] == "fail" and found["page"] == "interaction_desk"


def incident(con, severity: str, status: str, when: dt.datetime = NOW) -> None:
    con.execute("INSERT INTO incidents (title, severity, status, discovered_at, created_by) VALUES "
                "('网页被篡改', ?, ?, ?, 'tech')", [severity, status, when])


def test_security_incidents(con, org):
    incident(con, "重大", "dismissed")
    incident(con, "特别重大", "closed", NOW - dt.timedelta(days=400))
    incident(con, "一般", "closed")
    assert result(con, org, "安全、泄密事故")["status"] == "pass"
    incident(con, "较大", "open")
    assert result(con, org, "安全、泄密事故")["status"] == "warn"
    incident(con, "重大", "closed")
    assert result(con, org, "安全、泄密事故")["status"] == "fail"


def test_broken_links_cost_points_not_the_site(con, org, tmp_path):
    assert result(con, org, "链接不可用")["status"] == "warn"  # never checked
    (tmp_path / "gzdt").mkdir()
    (tmp_path / "gzdt" / "index.html").write_text("<h1>工作动态</h1>", encoding="utf-8")
    home = tmp_path / "index.html"
    home.write_text('<a href="/gzdt/">工作动态</a>', encoding="utf-8")
    linkcheck.run(con, tmp_path, workers=1)
    found = result(con, org, "链接不可用")
    assert found["status"] == "pass" and "1 个链接" in found["value"]
    home.write_text('<a href="/gzdt/">工作动态</a><a href="/old/">旧栏目</a>', encoding="utf-8")
    linkcheck.run(con, tmp_path, workers=1)
    found = result(con, org, "链接不可用")
    assert found["status"] == "fail" and found["status_label"] == "不达标(扣分)" and "首页 1 个" in found["value"]


def test_identity_marks(con, org):
    found = result(con, org, "网站标识")
    assert found["status"] == "fail" and "网站标识码" in found["value"] and "主办单位" not in found["value"]
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('site_code', '6100000047'), "
                "('icp_number', '陕ICP备05001613号'), ('psb_number', '陕公网安备 61010402000123号'), "
                "('dzjg_cert_url', 'https://bszs.conac.cn/sitename?method=show&id=1'), "
                "('error_report_url', 'https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=6100000047')")
    assert result(con, org, "网站标识")["status"] == "pass"


def test_policies_without_their_reading(con, org):
    assert result(con, org, "解读回应")["status"] == "pass"
    policy = con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('zcwj', '政策文件', 'policy', ?) "
                         "RETURNING id", [org.dz]).fetchone()[0]
    con.execute("DELETE FROM catalogue_kinds WHERE kind = 'policy'")  # no catalogue entry needed for this test
    publish(con, org, "关于促进工业互联网发展的若干措施", column=policy)
    assert result(con, org, "解读回应")["status"] == "fail"


def test_the_verdict_names_the_veto(con, org):
    results = inspection.run(con, org.webmaster, TODAY)
    assert inspection.verdict(results).startswith("触发单项否决:首页不更新")
    clean = [{**r, "status": "pass"} for r in results]
    assert inspection.verdict(clean) == "可计算的各项指标均已达标。"
    clean[-1]["status"] = "fail"
    assert inspection.verdict(clean).startswith("未触发单项否决;以下指标将扣分:解读回应")


@pytest.mark.parametrize("role", ["officer", "head", "tech", "analyst"])
def test_only_the_office_leaders_and_the_group_inspect(con, org, role):
    with pytest.raises(PermissionDenied):
        inspection.run(con, getattr(org, role), TODAY)
    assert inspection.run(con, org.leader, TODAY) and inspection.run(con, org.group1, TODAY)
