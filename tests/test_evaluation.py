"""The year-end evaluation (第二十五至二十七条): scores from the data with the office's weights,
the ranking, awards with evidence, criticisms with their ground, and the rule that whoever is
criticised in a year gets no award that year — enforced in core and shown in the ranking."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core import cli, evaluation, freshness
from core.db import scalar
from core.errors import PermissionDenied, ValidationError
from tests.test_timeliness import published

D = dt.date
YEAR = 2025


def some_year(con, org):
    """电子信息处: 3 items, all on time; 财务处: 1 item, late."""
    for day in (3, 10, 17):
        published(con, org, D(YEAR, 3, day), D(YEAR, 3, day + 1))
    published(con, org, D(YEAR, 3, 2), D(YEAR, 3, 20), column=org.col_cw, division=org.cw)


def by_division(result_or_ranking, division_id):
    ranking = result_or_ranking["ranking"] if isinstance(result_or_ranking, dict) else result_or_ranking
    return next(r for r in ranking if r["division_id"] == division_id)


def test_scores_and_ranking_follow_the_data(con, org):
    some_year(con, org)
    ranked = evaluation.ranking(con, YEAR, as_of=D(YEAR, 12, 31))
    dz, cw = by_division(ranked, org.dz), by_division(ranked, org.cw)
    assert dz["figures"]["published"] == 3 and dz["measures"]["quantity"] == 1.0
    assert dz["measures"]["timeliness"] == 1.0 and cw["measures"]["timeliness"] == 0.0
    assert cw["measures"]["quantity"] == pytest.approx(1 / 3)
    assert dz["measures"]["interaction"] is None  # no message due: left out, weights rescaled
    assert dz["rank"] == 1 and cw["rank"] == 2 and dz["score"] > cw["score"]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))


def test_weights_are_data_and_change_the_scores(con, org):
    some_year(con, org)
    before = by_division(evaluation.ranking(con, YEAR, D(YEAR, 12, 31)), org.cw)["score"]
    evaluation.set_weights(con, org.webmaster, {"timeliness": 0, "quantity": 0})
    after = by_division(evaluation.ranking(con, YEAR, D(YEAR, 12, 31)), org.cw)["score"]
    assert after > before
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'evaluation.weights'") == 1
    with pytest.raises(ValidationError, match="权重:发布及时性"):
        evaluation.set_weights(con, org.webmaster, {"timeliness": -1})
    with pytest.raises(ValidationError, match="权重"):
        evaluation.set_weights(con, org.webmaster, {w["code"]: 0 for w in evaluation.weights(con)})
    with pytest.raises(PermissionDenied):
        evaluation.set_weights(con, org.head, {"timeliness": 30})


def test_a_criticised_division_gets_no_award_that_year(con, org):
    some_year(con, org)
    evaluation.record_criticism(con, org.webmaster, YEAR, 4, "应当发布的重要信息未发布", division_id=org.dz)
    with pytest.raises(ValidationError, match="第二十七条") as refused:
        evaluation.grant_award(con, org.webmaster, YEAR, 1, "发布及时", division_id=org.dz)
    assert "电子信息处" in str(refused.value) and refused.value.field == "处室"
    assert scalar(con, "SELECT count(*) FROM awards") == 0
    ranked = evaluation.ranking(con, YEAR, D(YEAR, 12, 31))
    assert by_division(ranked, org.dz)["excluded"] and by_division(ranked, org.dz)["rank"] == 1
    assert not by_division(ranked, org.cw)["excluded"]
    assert [p["division_id"] for p in evaluation.propose_awards(con, YEAR, ranked)] == [org.cw]
    # another year, and another division, are not affected
    assert evaluation.grant_award(con, org.webmaster, YEAR + 1, 1, "次年发布及时", division_id=org.dz)
    assert evaluation.grant_award(con, org.webmaster, YEAR, 4, "协助改版", division_id=org.cw)


def test_a_criticised_person_gets_no_award_that_year(con, org):
    evaluation.record_criticism(con, org.webmaster, YEAR, 2, "未经审批擅自发布", user_id=org.officer.id)
    with pytest.raises(ValidationError, match="第二十七条") as refused:
        evaluation.grant_award(con, org.webmaster, YEAR, 3, "建议被采纳", user_id=org.officer.id)
    assert refused.value.field == "个人"
    with pytest.raises(ValidationError, match="个人"):  # nor as part of a joint award
        evaluation.grant_award(con, org.webmaster, YEAR, 3, "建议被采纳", division_id=org.dz, user_id=org.officer.id)
    # the division itself was not criticised, nor was another person of it
    assert evaluation.grant_award(con, org.webmaster, YEAR, 3, "建议被采纳", division_id=org.dz)
    assert evaluation.grant_award(con, org.webmaster, YEAR, 3, "建议被采纳", user_id=org.head.id)
    result = evaluation.evaluate(con, YEAR)
    assert result["exclusions"]["people"][0]["user_id"] == org.officer.id


def test_revoking_a_criticism_allows_the_award_and_a_late_criticism_is_a_conflict(con, org):
    award = evaluation.grant_award(con, org.webmaster, YEAR, 1, "全年发布及时", division_id=org.cw)
    criticism = evaluation.record_criticism(con, org.webmaster, YEAR, 3, "多篇信息错误较多", division_id=org.cw)
    assert [a["id"] for a in evaluation.evaluate(con, YEAR)["conflicts"]] == [award]
    with pytest.raises(ValidationError, match="撤销理由"):
        evaluation.revoke_criticism(con, org.webmaster, criticism, "")
    evaluation.revoke_criticism(con, org.webmaster, criticism, "经核实系误报")
    assert evaluation.evaluate(con, YEAR)["conflicts"] == []
    evaluation.revoke_award(con, org.webmaster, award, "重新评选")
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action LIKE 'evaluation.revoke_%'") == 2


def test_bad_records_name_the_field(con, org):
    with pytest.raises(ValidationError, match="表彰条件"):
        evaluation.grant_award(con, org.webmaster, YEAR, 5, "x", division_id=org.dz)
    with pytest.raises(ValidationError, match="批评情形"):
        evaluation.record_criticism(con, org.webmaster, YEAR, 6, "x", division_id=org.dz)
    with pytest.raises(ValidationError, match="事实依据"):
        evaluation.grant_award(con, org.webmaster, YEAR, 1, "  ", division_id=org.dz)
    with pytest.raises(ValidationError, match="对象"):
        evaluation.record_criticism(con, org.webmaster, YEAR, 1, "泄密")
    with pytest.raises(ValidationError, match="年度"):
        evaluation.evaluate(con, 1999)
    with pytest.raises(PermissionDenied):
        evaluation.record_criticism(con, org.head, YEAR, 1, "泄密", division_id=org.dz)


def test_a_stale_column_candidate_becomes_a_criticism(con, org):
    today = D(2026, 6, 15)
    published(con, org, None, today - dt.timedelta(days=40))
    with pytest.raises(ValidationError, match="不是通报批评候选"):
        evaluation.criticise_stale_column(con, org.webmaster, org.col_dz, as_of=today)
    for week in range(3):
        freshness.send_reminders(con, today + dt.timedelta(days=7 * week))
    later = today + dt.timedelta(days=14)
    criticism = evaluation.criticise_stale_column(con, org.webmaster, org.col_dz, as_of=later)
    [item] = evaluation.criticisms(con, 2026)
    assert item["id"] == criticism and item["ground"] == 5 and item["division_id"] == org.dz
    assert item["column_id"] == org.col_dz and "经 3 次提醒" in item["evidence"]
    assert freshness.criticism_candidates(con, later) == []  # criticised since its last publication
    with pytest.raises(ValidationError, match="第二十七条"):
        evaluation.grant_award(con, org.webmaster, 2026, 1, "发布及时", division_id=org.dz)


def test_evaluate_cli_prints_json(con, org, tmp_path, capsys):
    some_year(con, org)
    evaluation.record_criticism(con, org.webmaster, YEAR, 5, "栏目长期不更新", division_id=org.cw)
    evaluation.grant_award(con, org.webmaster, YEAR, 1, "发布及时量大", division_id=org.dz)
    con.close()
    assert cli.main(["evaluate", "--db", str(tmp_path / "portal.duckdb"), "--year", str(YEAR), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= {"year", "weights", "ranking", "awards", "criticisms", "exclusions", "proposed_awards"}
    assert result["year"] == YEAR and len(result["weights"]) == len(evaluation.MEASURES) == 7  # 公众满意率 (0042)
    assert by_division(result, org.cw)["excluded"] is True
    assert result["awards"][0]["division_id"] == org.dz and result["criticisms"][0]["ground"] == 5
    assert result["exclusions"]["divisions"][0]["division_id"] == org.cw
    assert cli.main(["evaluate", "--db", str(tmp_path / "portal.duckdb"), "--year", str(YEAR)]) == 0
    text = capsys.readouterr().out
    assert "不参加评奖" in text and "电子信息处" in text
    assert cli.main(["evaluate", "--db", str(tmp_path / "portal.duckdb"), "--year", "1990"]) == 2
    assert "年度" in capsys.readouterr().err
