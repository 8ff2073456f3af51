"""解读回应 (第十二条): the statistics count published 政策文件 that still have no published 解读."""

from __future__ import annotations

import datetime as dt

import pytest

from core import stats
from core.errors import PermissionDenied


def column(con, slug: str, kind: str, division: int) -> int:
    return con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES (?, ?, ?, ?) RETURNING id",
                       [slug, {"policy": "政策文件", "interpretation": "政策解读"}.get(kind, "工作动态"), kind,
                        division]).fetchone()[0]


def article(con, org, column_id: int, title: str, *, public: bool = True, interprets: int | None = None,
            validity: str = "有效", days_ago: int = 10) -> int:
    published = dt.datetime.now() - dt.timedelta(days=days_ago)
    article_id = con.execute(
        "INSERT INTO articles (column_id, lead_division_id, title, author_id, state, public, published_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [column_id, org.dz, title, org.officer.id, "published" if public else "draft", public,
         published if public else None]).fetchone()[0]
    con.execute("INSERT INTO catalogue_entries (article_id, doc_number, validity, interprets) VALUES (?, ?, ?, ?)",
                [article_id, f"陕工信发〔2026〕{article_id}号", validity, interprets])
    return article_id


@pytest.fixture
def scene(con, org):
    policy, explain = column(con, "zcwj", "policy", org.dz), column(con, "zcjd", "interpretation", org.dz)
    news = column(con, "news2", "news", org.dz)
    explained = article(con, org, policy, "关于促进软件产业发展的若干措施", days_ago=30)
    article(con, org, explain, "《关于促进软件产业发展的若干措施》解读", interprets=explained)
    drafted = article(con, org, policy, "关于推进工业互联网建设的实施意见", days_ago=20)
    article(con, org, explain, "《实施意见》解读(草稿)", public=False, interprets=drafted)
    bare = article(con, org, policy, "关于开展中小企业数字化转型试点的通知", days_ago=5)
    article(con, org, policy, "已废止的旧办法", validity="已废止")
    article(con, org, policy, "尚未发布的文件", public=False)
    article(con, org, news, "工作动态不需要解读")
    return {"drafted": drafted, "bare": bare}


def test_published_policies_without_a_published_interpretation_are_listed(con, org, scene):
    listed = stats.policies_without_interpretation(con, org.webmaster)
    assert [r["id"] for r in listed] == [scene["bare"], scene["drafted"]]  # newest first
    assert listed[0]["doc_number"] == f"陕工信发〔2026〕{scene['bare']}号" and listed[0]["division"] == "电子信息处"


def test_a_head_sees_their_own_division_and_an_officer_nothing(con, org, scene):
    assert len(stats.policies_without_interpretation(con, org.head)) == 2
    assert stats.policies_without_interpretation(con, org.head_cw) == []
    with pytest.raises(PermissionDenied):
        stats.policies_without_interpretation(con, org.officer)
