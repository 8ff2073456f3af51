"""Demo 建议与提案 (issue 17; 第八条(二)、第九条(一)、第十条(一)、第二十六条(三)): one in every state, made through
core.proposals like a user would (the same events, audit rows and notices), then dated back to the demo's days:
submitted, asked for more, adopted and carried out in 栏目管理 (落实 by its column change), adopted and carried out
(a suggestion, recorded by the office), partly adopted and carried out (the technical-support unit's design plan, with
its file, recorded by the unit with a screenshot of the launched pages), adopted and not carried out past the
reminder (a suggestion in the office's to-do), declined and withdrawn."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import duckdb

from core import accounts, proposals
from core.db import row


def _png(width: int, height: int) -> bytes:
    """A small real PNG (a grey page with a dark header band): the launched redesign's stand-in screenshot."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    lines = b"".join(b"\x00" + (b"\x2a\x5c\xaa" if y < height // 5 else b"\xee\xee\xee") * width
                     for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(lines)) + chunk(b"IEND", b""))


LAUNCH_PNG = _png(160, 100)
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
    con.execute("UPDATE proposal_outcomes SET done_on = (recorded_at - ?)::DATE, recorded_at = recorded_at - ? "
                "WHERE proposal_id = ?", [shift, shift, proposal_id])


def _carried_out(con, actor, proposal_id: int, done_on: dt.date, today: dt.date, note: str,
                 files: list[tuple[str, bytes]] | None = None) -> None:
    """Record 落实情况 through core.proposals (after the proposal is dated back), then date the record to the day
    after the work was done, as it would have been written then."""
    proposals.implement(con, actor, proposal_id, _version(con, proposal_id), note=note, done_on=done_on, files=files)
    when = dt.datetime.combine(min(done_on + dt.timedelta(days=1), today), dt.time(10, 0))
    con.execute("UPDATE proposal_outcomes SET recorded_at = ? WHERE proposal_id = ?", [when, proposal_id])
    con.execute("UPDATE proposals SET updated_at = ? WHERE id = ?", [when, proposal_id])
    con.execute("UPDATE proposal_events SET created_at = ? WHERE proposal_id = ? AND action = 'implement'",
                [when, proposal_id])


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
    _carried_out(con, office, suggestion, today - dt.timedelta(days=45), today,
                 "技术支持单位已在政策文件页面增加「相关解读」链接,解读页面同时链接原文件,已在门户上线并抽查无误。")

    design = proposals.submit(
        con, tech, kind="design", subject="门户网站首页改版设计方案(适老化与移动端)",
        reasons="按照政府网站适老化和移动端适配要求,提出首页改版方案:加大字号、简化导航、增加移动端布局。",
        files=[("首页改版设计方案.pdf", PLAN_PDF)])
    proposals.decide(con, office, design, _version(con, design), "adopt_part",
                     "适老化部分采纳,年内实施;移动端布局待下一年度建设方案统一考虑。")
    _back_date(con, design, 25, today)
    _carried_out(con, tech, design, today - dt.timedelta(days=5), today,
                 "首页适老化改版已上线:正文字号加大、导航简化为两级,并通过适老化检测;移动端布局按办公室意见"
                 "留待下一年度建设方案。", files=[("首页适老化改版上线截图.png", LAUNCH_PNG)])

    pending = proposals.submit(
        con, _user(con, "fzr_dzxx"), kind="suggestion", subject="首页增加「政策文件」快速入口",
        reasons="公众多从首页查找政策文件,目前须经两级栏目才能找到,建议在首页增加快速入口。")
    proposals.decide(con, office, pending, _version(con, pending), "adopt",
                     "建议合理,予以采纳;请技术支持单位在首页调整时一并实施。")
    _back_date(con, pending, 100, today)  # adopted, not carried out past the reminder (proposal_implement_days)

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
    return {"proposals": 8}


def _two_columns(con, division_code: str) -> list[int]:
    found = con.execute("SELECT c.id FROM columns c JOIN divisions d ON d.id = c.division_id "
                        "WHERE d.code = ? AND NOT c.retired ORDER BY c.position, c.id LIMIT 2",
                        [division_code]).fetchall()
    ids = [r[0] for r in found]
    return ids if len(ids) == 2 else ids + [_column(con, "dzxx")]
