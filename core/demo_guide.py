"""The demo's 政府信息公开指南 (第十二条; 政府信息公开条例 第二十二条): one article in the 公开指南 column,
written by the 办公室 officer with its catalogue data, approved by the head of 办公室 and published — the
workflow's own calls, moved to a story time by the demo's player like every other demo article.

Imports from: accounts, catalogue, workflow.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import duckdb

from core import accounts, catalogue, workflow

COLUMN = "gkzn"
TITLE = "陕西省工业和信息化厅政府信息公开指南"
ISSUER = "陕西省工业和信息化厅"
PARAGRAPHS = (
    ("为了保障公民、法人和其他组织依法获取政府信息,根据《中华人民共和国政府信息公开条例》(以下简称《条例》),"
     "结合本厅实际,编制本指南。本指南每年更新一次,申请人可在本网站「政府信息公开」栏目查阅。"),
    ("一、主动公开", True),
    ("(一)公开范围。本厅依照《条例》第十九条、第二十条的规定,主动公开机构职能、规范性文件、发展规划、"
     "统计信息、行政许可的办理依据和程序、财政预算决算、建议提案办理结果等政府信息,具体内容见本网站"
     "「法定主动公开内容」和「政府信息公开目录」。"),
    ("(二)公开方式。主动公开的政府信息通过本网站发布,并视情况通过新闻发布会、政务新媒体、"
     "报刊等便于公众知晓的方式公开。"),
    ("(三)公开时限。属于主动公开范围的政府信息,自该信息形成或者变更之日起20个工作日内予以公开。"
     "法律、法规对公开期限另有规定的,从其规定。"),
    ("二、依申请公开", True),
    ("(一)受理机构。本厅办公室负责受理向本厅提出的政府信息公开申请。地址:陕西省西安市新城区新城大院,"
     "邮政编码:710004,受理时间:工作日上午9:00—12:00,下午14:30—17:30(法定节假日除外)。"),
    ("(二)申请方式。申请人可通过本网站在线提交,也可通过信函或者当面提交书面申请。申请应当包括申请人的姓名"
     "或者名称、身份证明、联系方式,申请公开的政府信息的名称、文号或者便于查询的其他特征性描述,以及获取信息的"
     "方式和途径。申请内容不明确的,本厅将一次性告知申请人作出补正。"),
    ("(三)答复期限。本厅收到申请,能够当场答复的,当场予以答复;不能当场答复的,自收到申请之日起20个工作日内"
     "予以答复;需要延长答复期限的,经办公室负责人同意并告知申请人,延长的期限最长不超过20个工作日。"
     "征求第三方意见所需时间不计算在答复期限内。"),
    ("三、收费", True),
    ("本厅依申请提供政府信息,不收取费用。但申请人申请公开政府信息的数量、频次明显超过合理范围的,"
     "按照国务院办公厅《政府信息公开信息处理费管理办法》收取信息处理费。"),
    ("四、监督和救济", True),
    ("公民、法人或者其他组织认为本厅在政府信息公开工作中侵犯其合法权益的,可以向陕西省人民政府办公厅"
     "或者政府信息公开工作主管部门投诉、举报;也可以依法申请行政复议或者提起行政诉讼。"),
)


class Player(Protocol):  # core.demo._Player: moves each call's rows to the story time given
    article_ids: list[int]
    _event_times: list[tuple[int, dt.datetime]]

    def _stamp(self, at: dt.datetime) -> None: ...


def body_html() -> str:
    parts = []
    for item in PARAGRAPHS:
        text, heading = item if isinstance(item, tuple) else (item, False)
        parts.append(f"<h2>{text}</h2>" if heading else f"<p>{text}</p>")
    return "".join(parts)


def publish(con: duckdb.DuckDBPyConnection, player: Player, column_id: int, today: dt.date) -> int:
    """The guide through the approval chain (一般: the head of 办公室, 第十四条); returns its article id."""
    staff = accounts.find_user(con, "xxy_bgs"), accounts.find_user(con, "fzr_bgs")
    day = max(today - dt.timedelta(days=2), dt.date(today.year, 1, 1))
    entry = {"issuer": ISSUER, "doc_number": "", "doc_kind": "其他文件", "written_on": day - dt.timedelta(days=1),
             "topic_id": catalogue.topic_by_name(con, "综合政务"), "disclosure": "主动公开"}
    return publish_document(con, player, staff, column_id, (TITLE, body_html(), "办公室"), entry,
                            [dt.datetime.combine(day, dt.time(9 + n, 10)) for n in range(4)])


def publish_document(con: duckdb.DuckDBPyConnection, player: Player, staff: tuple, column_id: int,
                     text: tuple[str, str, str], entry: dict, times: list[dt.datetime]) -> int:
    """A catalogued document written (title, body, source) with its entry, submitted, approved by the
    division's head and published by its officer — the workflow's own calls — each step moved to its story
    time in `times` (four); the 索引号 carries the year it was published in the story. Returns the id."""
    officer, head = staff
    item = workflow.create_article(con, officer, column_id, *text)
    catalogue.save_entry(con, officer, item.id, entry, today=times[0].date())
    player._stamp(times[0])
    item = workflow.submit(con, officer, item.id, item.version)
    player._stamp(times[1])
    seen = [workflow.finding_key(f) for f in workflow.screen_article(con, item) if not f.blocking]
    item = workflow.approve(con, head, item.id, item.version, sorted(workflow.CHECKLIST), acknowledged=seen)
    player._stamp(times[2])
    catalogue.assign_index(con, item.id, times[3].year)  # the year of its story publication, not of the load
    item = workflow.publish(con, officer, item.id, item.version)
    player._stamp(times[3])
    events = [r[0] for r in con.execute("SELECT id FROM workflow_events WHERE article_id = ? ORDER BY id",
                                        [item.id]).fetchall()]
    player._event_times += zip(events, times, strict=True)
    player.article_ids.append(item.id)
    return item.id
