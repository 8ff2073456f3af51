"""在线访谈 (issue 17): every transition and refusal of an interview, its questions and its transcript, on a real
DuckDB file; the portal page, 栏目更新监测 and the annual report."""

from __future__ import annotations

import datetime as dt

import pytest

from core import freshness, humancheck, interview, interview_public, scheduler, site_report, todo
from core.db import rows, scalar
from core.errors import InvalidTransition, NotFound, PermissionDenied, RateLimited, StaleVersion, ValidationError
from core.portal import build_site

CLIENT = "198.51.100.9"
WHEN = dt.datetime(2026, 11, 20, 10, 0)  # the interview
BEFORE = dt.datetime(2026, 11, 10, 12, 0)  # questions are taken then


def solved(con) -> tuple[str, str]:
    challenge = humancheck.new_challenge(con, answer="1357")
    return challenge.token, "1357"


def column(con, org) -> int:
    found = scalar(con, "SELECT id FROM columns WHERE slug = 'zxft'")
    return found or con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('zxft', '在线访谈', "
                                "'interaction', ?) RETURNING id", [org.dz]).fetchone()[0]


def values(con, org, **changes) -> dict:
    found = {"column_id": column(con, org), "division_id": org.dz, "subject": "解读《数字经济促进条例》",
             "guests": "张明 电子信息处处长\n李华 电子信息处副处长", "starts_at": WHEN,
             "intro": "本期访谈邀请电子信息处负责人解读条例并回答网民提问。"}
    found.update(changes)
    return found


def item(con, iid) -> dict:
    return interview_public.get(con, iid)


def announced(con, org) -> int:
    iid = interview.create(con, org.head, values(con, org))
    interview.announce(con, org.head, iid, item(con, iid)["version"], now=BEFORE - dt.timedelta(days=5))
    return iid


def ask(con, iid, now=BEFORE, client=CLIENT, **changes) -> int:
    form = {"name": "李四", "question": "条例对中小企业有哪些扶持措施?", "consent": True, **changes}
    return interview.ask(con, iid, form, client, solved(con), now=now)


def test_the_office_or_the_owning_head_announces_and_others_are_refused(con, org):
    iid = interview.create(con, org.head, values(con, org))
    assert item(con, iid)["state"] == "draft"
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'interview.create'") == 1
    for outsider in (org.officer, org.head_cw, org.leader):
        with pytest.raises(PermissionDenied, match="在线访谈由办公室网站管理员和承办处室负责人管理"):
            interview.create(con, outsider, values(con, org))
    with pytest.raises(PermissionDenied):
        interview.announce(con, org.head_cw, iid, 1, now=BEFORE)
    assert interview.create(con, org.webmaster, values(con, org))


def test_bad_input_names_the_field_and_the_article(con, org):
    with pytest.raises(ValidationError, match="「访谈嘉宾及职务」.必填.第十九条."):
        interview.create(con, org.head, values(con, org, guests=" "))
    with pytest.raises(ValidationError, match="「访谈时间」"):
        interview.create(con, org.head, values(con, org, starts_at="下周"))
    with pytest.raises(ValidationError, match="「所属栏目」.*在线访谈"):
        interview.create(con, org.head, values(con, org, column_id=org.col_dz))
    with pytest.raises(ValidationError, match="「访谈主题」.不能超过 100 个字"):
        interview.create(con, org.head, values(con, org, subject="题" * 101))


def test_announce_hold_publish_in_order_and_every_wrong_move_is_refused(con, org):
    iid = interview.create(con, org.head, values(con, org))
    with pytest.raises(InvalidTransition, match="「草稿」,不能结束提问"):
        interview.hold(con, org.head, iid, item(con, iid)["version"])
    with pytest.raises(ValidationError, match="「访谈时间」.已过"):
        interview.announce(con, org.head, iid, item(con, iid)["version"], now=WHEN)
    interview.announce(con, org.head, iid, item(con, iid)["version"], now=BEFORE)
    assert item(con, iid)["state"] == "collecting" and item(con, iid)["announced_at"] == BEFORE
    interview.edit(con, org.head, iid, item(con, iid)["version"], values(con, org, guests="张明 电子信息处处长"))
    assert item(con, iid)["guests"] == "张明 电子信息处处长"  # a guest may change until it is held
    with pytest.raises(StaleVersion):
        interview.hold(con, org.head, iid, item(con, iid)["version"] - 1)
    with pytest.raises(InvalidTransition, match="不能公布实录"):
        interview.publish(con, org.head, iid, item(con, iid)["version"])
    with pytest.raises(InvalidTransition, match="不能录入实录"):
        interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                            {"kind": "remark", "speaker": "主持人", "body": "欢迎。"})
    interview.hold(con, org.head, iid, item(con, iid)["version"])
    assert item(con, iid)["state"] == "held"
    with pytest.raises(InvalidTransition, match="不能修改预告"):
        interview.edit(con, org.head, iid, item(con, iid)["version"], values(con, org))
    with pytest.raises(ValidationError, match="「访谈实录」.至少录入一组问答"):
        interview.publish(con, org.head, iid, item(con, iid)["version"])
    interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                        {"kind": "qa", "question": "条例何时施行?", "speaker": "张明", "body": "明年一月一日起施行。"})
    with pytest.raises(PermissionDenied):
        interview.publish(con, org.head_cw, iid, item(con, iid)["version"])
    interview.publish(con, org.head, iid, item(con, iid)["version"])
    assert item(con, iid)["state"] == "published" and item(con, iid)["published_at"]
    with pytest.raises(InvalidTransition, match="「实录已公布」,不能录入实录"):
        interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                            {"kind": "remark", "speaker": "主持人", "body": "再见。"})
    actions = [r["action"] for r in rows(con, "SELECT action FROM interview_events WHERE interview_id = ? "
                                              "ORDER BY id", [iid])]
    assert actions == ["create", "announce", "hold", "publish"]


def test_questions_only_while_collecting_and_before_the_interview(con, org):
    iid = interview.create(con, org.head, values(con, org))
    with pytest.raises(ValidationError, match="「提问时间」.本期访谈尚未发布"):
        ask(con, iid)
    interview.announce(con, org.head, iid, item(con, iid)["version"], now=BEFORE - dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="已开始,不再接收提问.访谈时间为 2026年11月20日 10:00."):
        ask(con, iid, now=WHEN)
    assert ask(con, iid, now=WHEN - dt.timedelta(minutes=1))
    interview.hold(con, org.head, iid, item(con, iid)["version"])
    with pytest.raises(ValidationError, match="访谈已举行"):
        ask(con, iid)
    assert interview.counts(con, iid)["received"] == 1


def test_a_question_needs_the_captcha_its_text_and_consent_and_shares_the_rate_limit(con, org):
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('message_submit_per_hour', '1')")
    iid = announced(con, org)
    form = {"name": "李四", "question": "条例对中小企业有哪些扶持措施?", "consent": True}
    with pytest.raises(ValidationError, match="验证码"):
        interview.ask(con, iid, form, CLIENT, ("nothing", "0000"), now=BEFORE)
    with pytest.raises(ValidationError, match="「提问内容」.必填"):
        ask(con, iid, question="")
    with pytest.raises(ValidationError, match="「隐私声明」"):
        ask(con, iid, consent=False)
    ask(con, iid)
    with pytest.raises(RateLimited, match="每小时最多提交 1 次"):
        ask(con, iid, now=BEFORE + dt.timedelta(minutes=1))
    assert interview.counts(con, iid)["received"] == 1


def test_moderation_by_the_webmaster_with_a_reason_audited_and_screened(con, org):
    iid = announced(con, org)
    first, second = ask(con, iid), ask(con, iid, client="203.0.113.5")
    leaky = ask(con, iid, client="203.0.113.6", question="我的电话 13912345678,请回电解答。")
    with pytest.raises(PermissionDenied, match="网站管理员"):
        interview.approve(con, org.head, first, 1)  # 第二十三条: the administrator reviews
    interview.approve(con, org.webmaster, first, 1)
    with pytest.raises(ValidationError, match="「不予通过的理由」.必填"):
        interview.reject(con, org.webmaster, second, 1, " ")
    interview.reject(con, org.webmaster, second, 1, "与本期访谈主题无关")
    with pytest.raises(InvalidTransition, match="「已通过」,不能不予通过"):
        interview.reject(con, org.webmaster, first, 2, "重复")
    with pytest.raises(ValidationError, match="「提问内容」"):
        interview.approve(con, org.webmaster, leaky, 1)  # personal data: screened like a message
    assert interview.pending_total(con) == 1
    assert todo.todo_items(con, org.webmaster)["interview_questions"] == 1  # the office's to-do
    logged = rows(con, "SELECT action, summary FROM audit_log WHERE action LIKE 'interview_question.%' ORDER BY id")
    assert [r["action"] for r in logged][-2:] == ["interview_question.approve", "interview_question.reject"]
    assert "与本期访谈主题无关" in logged[-1]["summary"]
    assert interview_public.public(con, iid)["questions"] == ["条例对中小企业有哪些扶持措施?"]


def test_the_transcript_selects_approved_questions_and_waits_for_every_review(con, org):
    iid = announced(con, org)
    approved, pending = ask(con, iid), ask(con, iid, client="203.0.113.5", question="条例是否适用于个体工商户?")
    interview.approve(con, org.webmaster, approved, 1)
    interview.hold(con, org.head, iid, item(con, iid)["version"])
    with pytest.raises(ValidationError, match="「网民提问」.只能选用本次访谈已审核通过的网民提问"):
        interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                            {"kind": "qa", "question_id": pending, "speaker": "张明", "body": "适用。"})
    interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                        {"kind": "remark", "speaker": "主持人", "body": "各位网友,欢迎收看本期访谈。"})
    interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                        {"kind": "qa", "question_id": approved, "speaker": "张明", "body": "设立专项资金予以扶持。"})
    wrong = interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                                {"kind": "remark", "speaker": "主持人", "body": "录错的一条。"})
    interview.remove_entry(con, org.head, iid, item(con, iid)["version"], wrong, "录入重复")
    with pytest.raises(ValidationError, match="还有 1 条网民提问待审核"):
        interview.publish(con, org.head, iid, item(con, iid)["version"])
    interview.reject(con, org.webmaster, pending, 1, "访谈中已统一回答")
    assert interview_public.public(con, iid)["transcript"] == []  # nothing before it is published
    interview.publish(con, org.head, iid, item(con, iid)["version"])
    shown = interview_public.public(con, iid)
    assert [(e["kind"], e["speaker"], e["public"]) for e in shown["transcript"]] == [
        ("remark", "主持人", False), ("qa", "张明", True)]
    assert shown["transcript"][1]["question"] == "条例对中小企业有哪些扶持措施?"
    assert "李四" not in str(shown)  # the asker's name is personal data


def test_year_figures_count_interviews_held_questions_and_answers(con, org):
    iid = announced(con, org)
    approved = ask(con, iid)
    interview.approve(con, org.webmaster, approved, 1)
    interview.hold(con, org.head, iid, item(con, iid)["version"])
    interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                        {"kind": "qa", "question_id": approved, "speaker": "张明", "body": "设立专项资金。"})
    interview.publish(con, org.head, iid, item(con, iid)["version"])
    year = item(con, iid)["held_at"].year
    figures = interview.year_figures(con, year)
    assert figures["interview_rounds"] == 1 and figures["interview_answers"] == 1
    assert interview.year_figures(con, BEFORE.year)["interview_questions"] == 1
    lines = site_report.lines(site_report.computed(con, year), site_report.entries(con, year))
    held = {line.sub: line for line in lines if line.item == "在线访谈"}
    assert held["访谈期数(单位:期)"].value == "1" and held["访谈期数(单位:期)"].computed


def test_an_empty_interview_column_is_blank_and_an_announcement_updates_it(con, org):
    zxft = column(con, org)
    status = {c["id"]: c["status"] for c in freshness.board(con, as_of=BEFORE.date())}
    assert status[zxft] == "blank"
    interview.announce(con, org.head, interview.create(con, org.head, values(con, org)), 1, now=BEFORE)
    status = {c["id"]: c["status"] for c in freshness.board(con, as_of=BEFORE.date() + dt.timedelta(days=1))}
    assert status[zxft] == "fresh"


def test_the_portal_page_announces_with_the_ask_link_and_later_shows_the_transcript(con, org, tmp_path):
    soon = dt.datetime.now().replace(second=0, microsecond=0) + dt.timedelta(days=3)
    iid = interview.create(con, org.head, values(con, org, starts_at=soon))
    interview.announce(con, org.head, iid, 1)
    question = interview.ask(con, iid, {"name": "李四", "question": "条例对中小企业有哪些扶持措施?", "consent": True},
                             CLIENT, solved(con))
    build_site(con, tmp_path / "site")
    page = (tmp_path / "site" / "hudong" / "zxft" / f"{iid}.html").read_text(encoding="utf-8")
    assert "解读《数字经济促进条例》" in page and "电子信息处副处长" in page
    assert "我要提问" in page and f"ask?id={iid}" in page
    assert "中小企业有哪些扶持" not in page  # not reviewed yet
    listing = (tmp_path / "site" / "col" / "zxft" / "index.html").read_text(encoding="utf-8")
    assert f"/hudong/zxft/{iid}.html" in listing
    interview.approve(con, org.webmaster, question, 1)
    interview.hold(con, org.head, iid, item(con, iid)["version"])
    interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                        {"kind": "qa", "question_id": question, "speaker": "张明", "body": "设立专项资金予以扶持。"})
    interview.publish(con, org.head, iid, item(con, iid)["version"])
    build_site(con, tmp_path / "site")
    page = (tmp_path / "site" / "hudong" / "zxft" / f"{iid}.html").read_text(encoding="utf-8")
    assert "我要提问" not in page and "访谈实录" in page and "设立专项资金予以扶持" in page
    assert "中小企业有哪些扶持" in page and "李四" not in page


def test_the_scheduler_rebuilds_the_page_when_the_interview_starts_and_when_its_day_is_over_once_each(
        con, org, tmp_path):
    now = dt.datetime.now().replace(second=0, microsecond=0)
    soon = now + dt.timedelta(days=1)
    iid = interview.create(con, org.head, values(con, org, starts_at=soon))
    interview.announce(con, org.head, iid, 1, now=now)
    site = tmp_path / "site"
    build_site(con, site, now=now)
    path = site / "hudong" / "zxft" / f"{iid}.html"
    assert "访谈预告" in path.read_text(encoding="utf-8") and "我要提问" in path.read_text(encoding="utf-8")
    assert scheduler.tick(con, site, soon - dt.timedelta(minutes=1))["calendar"] == []
    assert scheduler.tick(con, site, soon)["calendar"] == [f"interview:{iid}"]  # no office action
    page = path.read_text(encoding="utf-8")
    assert "访谈进行中" in page and "本期访谈已开始,不再接收提问" in page and "我要提问" not in page
    assert "访谈进行中" in (site / "col" / "zxft" / "index.html").read_text(encoding="utf-8")
    assert scheduler.tick(con, site, soon + dt.timedelta(minutes=1))["calendar"] == []  # once
    with pytest.raises(ValidationError, match="「提问时间」.本期访谈已开始.*第十九条"):
        ask(con, iid, now=soon)
    next_day = dt.datetime.combine(soon.date() + dt.timedelta(days=1), dt.time(0, 0, 30))  # its day is over
    assert scheduler.tick(con, site, next_day)["calendar"] == [f"interview:{iid}"]
    page = path.read_text(encoding="utf-8")
    assert "访谈已结束" in page and "访谈实录整理后公布" in page and "我要提问" not in page
    assert scheduler.tick(con, site, next_day + dt.timedelta(hours=1))["calendar"] == []
    interview.hold(con, org.head, iid, item(con, iid)["version"])  # the office's own build settles it
    build_site(con, site, full=False, now=next_day + dt.timedelta(hours=2))
    assert "访谈已举行" in path.read_text(encoding="utf-8")
    assert scheduler.tick(con, site, next_day + dt.timedelta(hours=2))["calendar"] == []


def published(con, org) -> tuple[int, int, int]:
    """A published interview: a host's remark, then an answer to a host's question; (interview, remark, answer)."""
    iid = announced(con, org)
    interview.hold(con, org.head, iid, item(con, iid)["version"])
    remark = interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                                 {"kind": "remark", "speaker": "主持人", "body": "欢迎收看本期访谈。"})
    answer = interview.add_entry(con, org.head, iid, item(con, iid)["version"],
                                 {"kind": "qa", "question": "条例何时施行?", "speaker": "张名", "body": "明年一月起施行。"})
    interview.publish(con, org.head, iid, item(con, iid)["version"])
    return iid, remark, answer


def test_a_published_transcript_line_is_corrected_with_a_reason_audited_and_rebuilt(con, org, tmp_path):
    iid, remark, answer = published(con, org)
    site = tmp_path / "site"
    build_site(con, site)
    page = site / "hudong" / "zxft" / f"{iid}.html"
    assert "张名:" in page.read_text(encoding="utf-8")
    fixed = {"speaker": "张明", "body": "明年一月一日起施行。", "question": "条例何时施行?"}
    with pytest.raises(PermissionDenied):
        interview.correct_entry(con, org.head_cw, iid, item(con, iid)["version"], answer, fixed, "发言人姓名录错")
    with pytest.raises(ValidationError, match="「更正或删除的理由」.必填"):
        interview.correct_entry(con, org.head, iid, item(con, iid)["version"], answer, fixed, " ")
    with pytest.raises(ValidationError, match="「发言人」.必填"):
        interview.correct_entry(con, org.head, iid, item(con, iid)["version"], answer, {**fixed, "speaker": ""}, "错")
    with pytest.raises(ValidationError, match="「内容」.与原内容相同"):
        interview.correct_entry(con, org.head, iid, item(con, iid)["version"], answer,
                                {"speaker": "张名", "body": "明年一月起施行。", "question": "条例何时施行?"}, "无")
    with pytest.raises(StaleVersion):
        interview.correct_entry(con, org.head, iid, item(con, iid)["version"] - 1, answer, fixed, "发言人姓名录错")
    interview.correct_entry(con, org.head, iid, item(con, iid)["version"], answer, fixed, "发言人姓名录错")
    assert [(e["speaker"], e["body"]) for e in interview_public.entries(con, iid)][1] == ("张明", "明年一月一日起施行。")
    assert item(con, iid)["state"] == "published"
    audited = rows(con, "SELECT action, summary FROM audit_log WHERE action = 'interview.correct'")
    assert len(audited) == 1 and "发言人姓名录错" in audited[0]["summary"] and "张名:明年一月起施行" in audited[0]["summary"]
    assert scalar(con, "SELECT count(*) FROM interview_events WHERE action = 'correct' AND comment LIKE '%录错%'") == 1
    build_site(con, site, full=False)  # the published transcript is rebuilt
    text = page.read_text(encoding="utf-8")
    assert "张明:" in text and "明年一月一日起施行" in text and "张名" not in text


def test_a_transcript_line_is_removed_with_a_reason_and_a_published_one_keeps_an_answer(con, org):
    iid, remark, answer = published(con, org)
    with pytest.raises(ValidationError, match="「更正或删除的理由」.必填"):
        interview.remove_entry(con, org.head, iid, item(con, iid)["version"], remark, "")
    with pytest.raises(ValidationError, match="「访谈实录」.已公布的实录至少保留一组问答"):
        interview.remove_entry(con, org.head, iid, item(con, iid)["version"], answer, "录错")
    with pytest.raises(NotFound):
        interview.remove_entry(con, org.head, iid, item(con, iid)["version"], answer + 99, "录错")
    interview.remove_entry(con, org.head, iid, item(con, iid)["version"], remark, "开场白不属于访谈内容")
    assert [e["id"] for e in interview_public.entries(con, iid)] == [answer]
    assert [e["kind"] for e in interview_public.public(con, iid)["transcript"]] == ["qa"]
    summary = scalar(con, "SELECT summary FROM audit_log WHERE action = 'interview.strike'")
    assert "开场白不属于访谈内容" in summary and "欢迎收看本期访谈" in summary
    draft = interview.create(con, org.head, values(con, org))
    with pytest.raises(NotFound):  # a draft has no transcript
        interview.remove_entry(con, org.head, draft, 1, answer, "录错")


def test_the_public_side_is_read_from_its_own_module():
    """The names core.interview_public defines for the portal are read from there, not again from core.interview
    (which once named them too, so that no caller changed when they moved)."""
    for name in ("PUBLIC_LABELS", "PHASE_LABELS", "entries", "phase", "public", "published_in"):
        assert hasattr(interview_public, name) and not hasattr(interview, name), name
