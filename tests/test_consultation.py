"""征集调查 (issue 17): every transition and refusal of a consultation and its comments, on a real DuckDB file."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import consultation, consultation_public, freshness, humancheck, scheduler, site_report
from core.db import rows, scalar
from core.errors import InvalidTransition, NotFound, PermissionDenied, RateLimited, StaleVersion, ValidationError
from core.portal import build_site

CLIENT = "198.51.100.9"
DAY = dt.date(2026, 11, 2)
NOON = dt.datetime(2026, 11, 10, 12, 0)  # inside the window below


def solved(con) -> tuple[str, str]:
    challenge = humancheck.new_challenge(con, answer="1357")
    return challenge.token, "1357"


def column(con, org) -> int:
    found = scalar(con, "SELECT id FROM columns WHERE slug = 'zjdc'")
    return found or con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('zjdc', '征集调查', "
                       "'interaction', ?) RETURNING id", [org.dz]).fetchone()[0]


def values(con, org, **changes) -> dict:
    found = {"column_id": column(con, org), "division_id": org.dz,
             "subject": "关于《数字经济促进办法(征求意见稿)》公开征求意见",
             "body": "第一条 为促进数字经济发展……\n欢迎社会各界提出意见。",
             "starts_on": DAY, "ends_on": DAY + dt.timedelta(days=20)}
    found.update(changes)
    return found


def item(con, cid) -> dict:
    return consultation_public.get(con, cid)


def opened(con, org) -> int:
    cid = consultation.create(con, org.head, values(con, org))
    consultation.open_(con, org.head, cid, item(con, cid)["version"], today=DAY)
    return cid


def comment(con, cid, now=NOON, client=CLIENT, **changes) -> int:
    form = {"name": "李四", "comment": "建议第一条增加对中小企业的扶持内容。", "consent": True, **changes}
    return consultation.comment(con, cid, form, client, solved(con), now=now)


def test_the_office_or_the_owning_head_creates_a_draft_and_others_are_refused(con, org):
    cid = consultation.create(con, org.head, values(con, org))
    assert item(con, cid)["state"] == "draft"
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'consultation.create'") == 1
    for outsider in (org.officer, org.head_cw, org.leader):
        with pytest.raises(PermissionDenied, match="第二十三条"):
            consultation.create(con, outsider, values(con, org))
    assert consultation.create(con, org.webmaster, values(con, org))


def test_bad_input_names_the_field_and_the_article(con, org):
    with pytest.raises(ValidationError, match="「标题」.必填.第十九条."):
        consultation.create(con, org.head, values(con, org, subject="  "))
    with pytest.raises(ValidationError, match="「截止日期」.不能早于开始日期"):
        consultation.create(con, org.head, values(con, org, ends_on=DAY - dt.timedelta(days=1)))
    with pytest.raises(ValidationError, match="「所属栏目」"):
        consultation.create(con, org.head, values(con, org, column_id=org.col_dz))  # a news column
    with pytest.raises(ValidationError, match="「开始日期」"):
        consultation.create(con, org.head, values(con, org, starts_on="明天"))


def test_open_close_summarise_in_order_and_every_wrong_move_is_refused(con, org):
    cid = consultation.create(con, org.head, values(con, org))
    with pytest.raises(InvalidTransition, match="「草稿」,不能结束征集"):
        consultation.close(con, org.head, cid, item(con, cid)["version"])
    consultation.open_(con, org.head, cid, item(con, cid)["version"], today=DAY)
    assert item(con, cid)["state"] == "open" and item(con, cid)["opened_at"]
    with pytest.raises(StaleVersion):
        consultation.close(con, org.head, cid, item(con, cid)["version"] - 1)
    with pytest.raises(InvalidTransition, match="不能公布反馈"):
        consultation.summarise(con, org.head, cid, item(con, cid)["version"],
                               {"adopted_count": 0, "adopted_text": "无", "rejected_text": "无"})
    consultation.close(con, org.head, cid, item(con, cid)["version"])
    assert item(con, cid)["state"] == "closed"
    with pytest.raises(PermissionDenied):
        consultation.close(con, org.head_cw, cid, item(con, cid)["version"])
    actions = [r["action"] for r in rows(con, "SELECT action FROM consultation_events WHERE consultation_id = ? "
                                              "ORDER BY id", [cid])]
    assert actions == ["create", "open", "close"]


def test_a_draft_whose_end_date_has_passed_cannot_be_opened(con, org):
    cid = consultation.create(con, org.head, values(con, org))
    with pytest.raises(ValidationError, match="「截止日期」.已过"):
        consultation.open_(con, org.head, cid, item(con, cid)["version"], today=DAY + dt.timedelta(days=30))
    assert item(con, cid)["state"] == "draft"


def test_comments_only_within_the_window_and_only_while_open(con, org):
    cid = consultation.create(con, org.head, values(con, org))
    with pytest.raises(ValidationError, match="「征集时间」.本次征集调查尚未发布"):
        comment(con, cid)
    consultation.open_(con, org.head, cid, item(con, cid)["version"], today=DAY)
    with pytest.raises(ValidationError, match="尚未开始接收意见.征集时间为 2026年11月02日 至 2026年11月22日."):
        comment(con, cid, now=dt.datetime(2026, 11, 1, 23, 0))
    with pytest.raises(ValidationError, match="已截止,不再接收意见"):
        comment(con, cid, now=dt.datetime(2026, 11, 23, 0, 1))
    assert comment(con, cid, now=dt.datetime(2026, 11, 22, 23, 59))  # the last day counts
    consultation.close(con, org.head, cid, item(con, cid)["version"])
    with pytest.raises(ValidationError, match="征集已结束"):
        comment(con, cid)
    assert consultation.counts(con, cid)["received"] == 1


def test_a_comment_needs_the_captcha_its_text_and_consent(con, org):
    cid = opened(con, org)
    form = {"name": "李四", "comment": "建议第一条增加对中小企业的扶持内容。", "consent": True}
    with pytest.raises(ValidationError, match="验证码"):
        consultation.comment(con, cid, form, CLIENT, ("nothing", "0000"), now=NOON)
    with pytest.raises(ValidationError, match="「意见内容」.必填"):
        comment(con, cid, comment="")
    with pytest.raises(ValidationError, match="「隐私声明」"):
        comment(con, cid, consent=False)
    assert consultation.counts(con, cid)["received"] == 0


def test_comments_share_the_message_desks_rate_limit(con, org):
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('message_submit_per_hour', '2')")
    cid = opened(con, org)
    comment(con, cid)
    comment(con, cid, now=NOON + dt.timedelta(minutes=1))
    with pytest.raises(RateLimited, match="每小时最多提交 2 次"):
        comment(con, cid, now=NOON + dt.timedelta(minutes=2))
    assert comment(con, cid, client="203.0.113.5", now=NOON + dt.timedelta(minutes=3))  # another network may


def test_moderation_by_the_webmaster_with_a_reason_for_a_rejection_audited(con, org):
    cid = opened(con, org)
    first, second = comment(con, cid), comment(con, cid, client="203.0.113.5")
    version = consultation.comments(con, cid)[0]["version"]
    with pytest.raises(PermissionDenied, match="网站管理员"):
        consultation.approve(con, org.head, first, version)  # 第二十三条: the administrator reviews
    consultation.approve(con, org.webmaster, first, version)
    with pytest.raises(ValidationError, match="「不予通过的理由」.必填"):
        consultation.reject(con, org.webmaster, second, 1, " ")
    consultation.reject(con, org.webmaster, second, 1, "与本次征集内容无关")
    with pytest.raises(InvalidTransition, match="「已通过」,不能不予通过"):
        consultation.reject(con, org.webmaster, first, 2, "重复")
    assert consultation.counts(con, cid) == {"pending": 0, "approved": 1, "rejected": 1, "received": 2}
    logged = rows(con, "SELECT action, summary FROM audit_log WHERE action LIKE 'consultation_comment.%' ORDER BY id")
    assert [r["action"] for r in logged] == ["consultation_comment.submit", "consultation_comment.submit",
                                             "consultation_comment.approve", "consultation_comment.reject"]
    assert "与本次征集内容无关" in logged[-1]["summary"]


def test_the_summary_is_required_before_feedback_and_waits_for_every_review(con, org):
    cid = opened(con, org)
    first = comment(con, cid)
    consultation.close(con, org.head, cid, item(con, cid)["version"])
    summary = {"adopted_count": 1, "adopted_text": "采纳:增加中小企业扶持条款。", "rejected_text": "无未采纳意见。",
               "show_comments": True}
    with pytest.raises(ValidationError, match="还有 1 条意见待审核"):
        consultation.summarise(con, org.head, cid, item(con, cid)["version"], summary)
    consultation.approve(con, org.webmaster, first, 1)
    with pytest.raises(ValidationError, match="「采纳情况及理由」.必填"):
        consultation.summarise(con, org.head, cid, item(con, cid)["version"], {**summary, "adopted_text": ""})
    with pytest.raises(ValidationError, match="「采纳意见数」.须在 0 至 1"):
        consultation.summarise(con, org.head, cid, item(con, cid)["version"], {**summary, "adopted_count": 3})
    assert consultation_public.public(con, cid)["summary"] is None
    consultation.summarise(con, org.head, cid, item(con, cid)["version"], summary)
    shown = consultation_public.public(con, cid)
    assert shown["state_label"] == "已公布反馈" and shown["summary"]["adopted"] == 1
    assert shown["comments"] == ["建议第一条增加对中小企业的扶持内容。"]
    assert "李四" not in str(shown)  # the name is personal data


def test_the_portal_never_sees_a_draft_nor_unreviewed_comments(con, org):
    cid = consultation.create(con, org.head, values(con, org))
    assert consultation_public.public(con, cid) is None
    assert consultation_public.published_in(con) == []
    consultation.open_(con, org.head, cid, item(con, cid)["version"], today=DAY)
    comment(con, cid)
    assert consultation_public.public(con, cid)["comments"] == []
    assert [c["id"] for c in consultation_public.published_in(con)] == [cid]


def test_year_figures_count_rounds_comments_and_results(con, org):
    cid = opened(con, org)
    comment(con, cid)
    year = item(con, cid)["opened_at"].year
    figures = consultation.year_figures(con, year)
    assert figures["survey_rounds"] == 1 and figures["survey_results"] == 0
    assert consultation.year_figures(con, NOON.year)["survey_opinions"] == 1
    lines = site_report.lines(site_report.computed(con, NOON.year), site_report.entries(con, NOON.year))
    survey = {line.sub or line.item: line for line in lines if line.item == "征集调查"}
    assert survey["收到意见数量(单位:条)"].value == "1" and survey["收到意见数量(单位:条)"].computed


def test_an_empty_consultation_column_is_blank_and_an_opened_consultation_updates_it(con, org):
    zjdc = column(con, org)
    status = {c["id"]: c["status"] for c in freshness.board(con, as_of=DAY)}
    assert status[zjdc] == "blank"  # interaction columns are no longer skipped
    opened(con, org)
    later = dt.date.today() + dt.timedelta(days=1)
    status = {c["id"]: c["status"] for c in freshness.board(con, as_of=later)}
    assert status[zjdc] == "fresh"


def test_the_portal_page_shows_the_text_window_comment_link_and_later_the_feedback(con, org, tmp_path):
    cid = consultation.create(con, org.head, values(con, org, starts_on=dt.date.today(),
                                                        ends_on=dt.date.today() + dt.timedelta(days=5)))
    consultation.open_(con, org.head, cid, item(con, cid)["version"])
    first = comment(con, cid, now=dt.datetime.now())
    build_site(con, tmp_path / "site")
    page = (tmp_path / "site" / "hudong" / "zjdc" / f"{cid}.html").read_text(encoding="utf-8")
    assert "数字经济促进办法" in page and "我要提意见" in page and f"comment?id={cid}" in page
    assert "建议第一条" not in page and "<script>" not in page  # nothing unreviewed; no inline script
    listing = (tmp_path / "site" / "col" / "zjdc" / "index.html").read_text(encoding="utf-8")
    assert f"/hudong/zjdc/{cid}.html" in listing
    consultation.close(con, org.head, cid, item(con, cid)["version"])
    consultation.approve(con, org.webmaster, first, 1)
    consultation.summarise(con, org.head, cid, item(con, cid)["version"], {
        "adopted_count": 1, "adopted_text": "采纳:增加扶持条款。", "rejected_text": "无。", "show_comments": True})
    build_site(con, tmp_path / "site")
    page = (tmp_path / "site" / "hudong" / "zjdc" / f"{cid}.html").read_text(encoding="utf-8")
    assert "我要提意见" not in page and "意见采纳情况反馈" in page and "采纳 1 条" in page
    assert "建议第一条增加对中小企业的扶持内容" in page and "李四" not in page


def test_a_comment_with_personal_data_is_screened_and_cannot_be_shown(con, org):
    cid = opened(con, org)
    leaky = comment(con, cid, comment="我的电话 13912345678,请联系我。")
    assert any(f.severity == "block" for f in consultation.findings(con, consultation.comment_item(con, leaky)))
    with pytest.raises(ValidationError, match="「意见内容」"):
        consultation.approve(con, org.webmaster, leaky, 1)
    consultation.reject(con, org.webmaster, leaky, 1, "含个人身份信息")
    assert consultation.counts(con, cid)["rejected"] == 1


def test_the_scheduler_rebuilds_the_page_when_the_window_opens_and_when_it_ends_once_each(con, org, tmp_path):
    # opened ahead of its window: the portal announces it without the form; each boundary brings one build
    now = dt.datetime.now().replace(microsecond=0)
    cid = consultation.create(con, org.head, values(con, org, starts_on=now.date() + dt.timedelta(days=2),
                                                        ends_on=now.date() + dt.timedelta(days=5)))
    consultation.open_(con, org.head, cid, item(con, cid)["version"])
    site = tmp_path / "site"
    build_site(con, site, now=now)  # the office's own build
    path, listing = site / "hudong" / "zjdc" / f"{cid}.html", site / "col" / "zjdc" / "index.html"
    page = path.read_text(encoding="utf-8")
    assert "即将开始征集" in page and "我要提意见" not in page and "开始接收意见" in page
    assert scheduler.tick(con, site, now)["calendar"] == []  # nothing moved: no build

    started = dt.datetime.combine(now.date() + dt.timedelta(days=2), dt.time(0, 1))
    assert scheduler.tick(con, site, started)["calendar"] == [f"consultation:{cid}"]
    page = path.read_text(encoding="utf-8")
    assert "正在征集" in page and "我要提意见" in page and f"comment?id={cid}" in page

    ended = dt.datetime.combine(now.date() + dt.timedelta(days=6), dt.time(0, 1))  # the day after the end day
    before = path.stat().st_mtime_ns
    assert scheduler.tick(con, site, ended - dt.timedelta(minutes=2))["calendar"] == []  # the last day counts
    assert path.stat().st_mtime_ns == before
    assert scheduler.tick(con, site, ended)["calendar"] == [f"consultation:{cid}"]
    page = path.read_text(encoding="utf-8")
    assert "征集已截止" in page and "已于" in page and "我要提意见" not in page and "comment?id=" not in page
    assert "征集已截止" in listing.read_text(encoding="utf-8") and item(con, cid)["state"] == "open"  # no office action
    assert scheduler.tick(con, site, ended + dt.timedelta(minutes=1))["calendar"] == []  # once per boundary
    # and the form itself refuses, naming the rule and the article, whatever page the citizen kept open
    with pytest.raises(ValidationError, match="「征集时间」.本次征集调查已截止.*第十九条"):
        comment(con, cid, now=ended)


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + b"0" * 3000


def test_the_draft_policys_files_are_checked_attached_and_removed_while_a_draft_audited(con, org):
    cid = consultation.create(con, org.head, values(con, org))
    with pytest.raises(PermissionDenied):
        consultation.attach(con, org.officer, cid, item(con, cid)["version"], "征求意见稿.pdf", PDF)
    with pytest.raises(ValidationError, match="「附件」.不允许上传 .exe 文件.*第二十条"):
        consultation.attach(con, org.head, cid, item(con, cid)["version"], "征求意见稿.exe", b"MZ")
    with pytest.raises(ValidationError, match="「附件」.*不符"):
        consultation.attach(con, org.head, cid, item(con, cid)["version"], "征求意见稿.docx", PDF)
    with pytest.raises(StaleVersion):
        consultation.attach(con, org.head, cid, item(con, cid)["version"] + 1, "征求意见稿.pdf", PDF)
    kept = consultation.attach(con, org.head, cid, item(con, cid)["version"], "征求意见稿.pdf", PDF)
    gone = consultation.attach(con, org.head, cid, item(con, cid)["version"], "起草说明.pdf", PDF[:100])
    consultation.detach(con, org.head, cid, item(con, cid)["version"], gone)
    assert [f["filename"] for f in consultation_public.files(con, cid)] == ["征求意见稿.pdf"]
    assert consultation_public.file_data(con, kept) == ("征求意见稿.pdf", PDF)
    with pytest.raises(NotFound):
        consultation_public.file_data(con, gone)
    audit = rows(con, "SELECT action, summary FROM audit_log WHERE object = ? ORDER BY id", [f"consultation:{cid}"])
    assert [a["action"] for a in audit] == ["consultation.create", "consultation.attach", "consultation.attach",
                                            "consultation.detach"]
    assert "起草说明.pdf" in audit[-1]["summary"] and f"{len(PDF)} 字节" in audit[1]["summary"]
    consultation.open_(con, org.head, cid, item(con, cid)["version"], today=DAY)
    with pytest.raises(InvalidTransition, match="「征集中」,不能删除附件.仅限:草稿."):
        consultation.detach(con, org.head, cid, item(con, cid)["version"], kept)
    with pytest.raises(InvalidTransition, match="不能添加附件"):
        consultation.attach(con, org.head, cid, item(con, cid)["version"], "补充.pdf", PDF)
    assert [f["filename"] for f in consultation_public.public(con, cid)["files"]] == ["征求意见稿.pdf"]


def test_the_portal_publishes_the_files_with_their_kind_and_size_and_never_a_removed_one(con, org, tmp_path):
    cid = consultation.create(con, org.head, values(con, org, starts_on=dt.date.today(),
                                                        ends_on=dt.date.today() + dt.timedelta(days=5)))
    kept = consultation.attach(con, org.head, cid, item(con, cid)["version"], "数字经济促进办法(征求意见稿).pdf", PDF)
    gone = consultation.attach(con, org.head, cid, item(con, cid)["version"], "旧稿.pdf", PDF[:100])
    site = tmp_path / "site"
    build_site(con, site)
    assert not (site / "hudong" / "zjdc" / "files").exists()  # a draft publishes nothing
    consultation.detach(con, org.head, cid, item(con, cid)["version"], gone)
    consultation.open_(con, org.head, cid, item(con, cid)["version"])
    build_site(con, site, full=False)
    page = (site / "hudong" / "zjdc" / f"{cid}.html").read_text(encoding="utf-8")
    files = site / "hudong" / "zjdc" / "files"
    assert (files / str(kept) / "数字经济促进办法(征求意见稿).pdf").read_bytes() == PDF
    assert not (files / str(gone)).exists() and "旧稿" not in page
    # the link's own text names the file, its kind and its size (its accessible name)
    assert re.search(rf'<a href="/hudong/zjdc/files/{kept}/[^"]+" download type="application/pdf">'
                     r'数字经济促进办法\(征求意见稿\)\.pdf<span class="size">\(PDF 文档,3 KB\)</span></a>', page)
    assert '<h2 id="consultation-files">附件</h2>' in page
    build_site(con, site)  # a full build keeps the files it serves
    assert (files / str(kept) / "数字经济促进办法(征求意见稿).pdf").read_bytes() == PDF


def test_the_public_side_is_read_from_its_own_module():
    """The names core.consultation_public defines for the portal are read from there, not again from core.consultation
    (which once named them too, so that no caller changed when they moved)."""
    for name in ("PUBLIC_LABELS", "PHASE_LABELS", "files", "file_data", "phase", "public", "published_in"):
        assert hasattr(consultation_public, name) and not hasattr(consultation, name), name
