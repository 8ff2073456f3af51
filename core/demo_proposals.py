"""Demo 建议与提案 (issue 17; 第八条(二)、第九条(一)、第十条(一)、第二十六条(三)): one in every state, made through
core.proposals like a user would (the same events, audit rows and notices), then dated back to the demo's days:
submitted, asked for more, adopted and carried out in 栏目管理, adopted (a suggestion), partly adopted (the
technical-support unit's design plan, with its file), declined and withdrawn."""

from __future__ import annotations

import datetime as dt

import duckdb

from core import accounts, proposals
from core.db import row

PLAN_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _user(con, username: str) -> accounts.User:
    found = accounts.find_user(con, username)
    assert found is not None, username
    return found


def _column(con, division_code: str) -> int:
    """A live, top-level-or-not column of the division, the first in tree order."""
    return row(con, "SELECT c.id FROM columns c JOIN divisions d ON d.id = c.division_id "
                    "WHERE d.code = ? AND NOT c.retired ORDER BY c.position, c.id LIMIT 1", [division_code])["id"]


def _back_date(con, proposal_id: int, days: int, today: dt.date) -> None:
    """Move the proposal's times `days` before the demo's today, keeping their order and spacing."""
    first = row(con, "SELECT created_at FROM proposals WHERE id = ?", [proposal_id])["created_at"]
    shift = first - dt.datetime.combine(today - dt.timedelta(days=days), dt.time(9, 30))
    con.execute("UPDATE proposals SET created_at = created_at - ?, updated_at = updated_at - ?, "
                "decided_at = decided_at - ? WHERE id = ?", [shift, shift, shift, proposal_id])
    con.execute("UPDATE proposal_events SET created_at = created_at - ? WHERE proposal_id = ?", [shift, proposal_id])
    con.execute("UPDATE column_changes SET created_at = created_at - ? WHERE proposal_id = ?", [shift, proposal_id])


def _version(con, proposal_id: int) -> int:
    return proposals.get(con, proposal_id)["version"]


def load(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict:
    """Write the demo proposals (inside the caller's transaction); returns how many, by state."""
    office = _user(con, "webmaster")
    officer, tech, analyst = (_user(con, u) for u in ("xxy_dzxx", "jszc", "analyst"))
    rjc, zcfgc, kjc = (_user(con, u) for u in ("xxy_rjc", "xxy_zcfgc", "xxy_kjc"))

    waiting = proposals.submit(
        con, officer, kind="column_add", subject="增设「集成电路产业」专栏", column_name="集成电路产业",
        target_columns=[_column(con, "dzxx")],
        reasons="集成电路是我省重点发展产业,相关政策、项目和统计信息目前分散在多个栏目,建议增设专栏集中发布,"
                "由电子信息处负责维护,每月至少更新两次。")
    _back_date(con, waiting, 3, today)

    asked = proposals.submit(
        con, rjc, kind="column_adjust", subject="「软件产业」栏目更名并调整至「产业发展」下",
        target_columns=[_column(con, "rjc")], column_name="软件和信息服务",
        reasons="栏目名称与处室职责不一致,且与「产业发展」下的其他栏目并列更便于公众查找。")
    proposals.ask_more(con, office, asked, _version(con, asked),
                       "请补充调整后栏目的更新频率,以及原栏目网址是否需要保留(第八条(二))。")
    _back_date(con, asked, 10, today)

    # the demo's campaign column (营商环境突破年, retired in core/demo_data/organisation.toml) was retired on its
    # division's proposal: it stands live again for a moment, and 按提案办理 retires it, linked to the proposal
    campaign = row(con, "SELECT id FROM columns WHERE slug = 'yshjtpn'")["id"]
    con.execute("UPDATE columns SET retired = FALSE WHERE id = ?", [campaign])
    adopted = proposals.submit(
        con, zcfgc, kind="column_retire", subject="撤销「营商环境突破年」专题栏目", target_columns=[campaign],
        reasons="营商环境突破年专项活动已结束,专题不再更新,建议撤销栏目;已发布的信息和网址保留,便于查阅。")
    proposals.decide(con, office, adopted, _version(con, adopted), "adopt",
                     "专项活动已结束,同意撤销专题栏目;已发布信息和网址保留(第八条)。")
    for change in proposals.plan(con, office, adopted):  # carried out in 栏目管理 (按提案办理)
        proposals.carry_out(con, office, adopted, change["column_id"], change["values"])
    _back_date(con, adopted, 40, today)

    suggestion = proposals.submit(
        con, officer, kind="suggestion", subject="在信息发布页面增加「相关解读」链接",
        reasons="政策文件与其解读分开发布,公众不易找到,建议在文件页面显示相关解读的链接,解读页面同样链接原文件。")
    proposals.decide(con, office, suggestion, _version(con, suggestion), "adopt",
                     "建议合理,已安排技术支持单位在文件页面增加相关解读链接。")
    _back_date(con, suggestion, 60, today)

    design = proposals.submit(
        con, tech, kind="design", subject="门户网站首页改版设计方案(适老化与移动端)",
        reasons="按照政府网站适老化和移动端适配要求,提出首页改版方案:加大字号、简化导航、增加移动端布局。",
        files=[("首页改版设计方案.pdf", PLAN_PDF)])
    proposals.decide(con, office, design, _version(con, design), "adopt_part",
                     "适老化部分采纳,年内实施;移动端布局待下一年度建设方案统一考虑。")
    _back_date(con, design, 25, today)

    declined = proposals.submit(
        con, analyst, kind="suggestion", subject="首页增加访问量实时排行",
        reasons="便于了解公众关注的热点。")
    proposals.decide(con, office, declined, _version(con, declined), "decline",
                     "访问量排行不属于政府网站公开的必要内容,统计分析中已可查看,暂不采纳。")
    _back_date(con, declined, 20, today)

    withdrawn = proposals.submit(
        con, kjc, kind="column_merge", subject="合并科技处的两个栏目", column_name="科技创新",
        target_columns=_two_columns(con, "kjc"), reasons="两个栏目内容相近,合并后便于维护。")
    proposals.withdraw(con, kjc, withdrawn, _version(con, withdrawn), "与处室负责人商议后,暂不合并。")
    _back_date(con, withdrawn, 15, today)
    return {"proposals": 7}


def _two_columns(con, division_code: str) -> list[int]:
    found = con.execute("SELECT c.id FROM columns c JOIN divisions d ON d.id = c.division_id "
                        "WHERE d.code = ? AND NOT c.retired ORDER BY c.position, c.id LIMIT 2",
                        [division_code]).fetchall()
    ids = [r[0] for r in found]
    return ids if len(ids) == 2 else ids + [_column(con, "dzxx")]
