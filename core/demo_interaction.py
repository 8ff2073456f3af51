"""Demo public messages (第十九、二十三条): half a year of 咨询/建议/投诉 in every state of the desk,
some overdue, one close to the three-month veto, so every queue and the portal's 公众留言答复 show
something. Written directly (no CAPTCHA, no rate limit), with the events the workflow would write."""

from __future__ import annotations

import datetime as dt
import random

import duckdb

from core import interaction, notify, workdays
from core.db import rows

# (division code, kind, subject, question, answer)
TOPICS: list[tuple[str, str, str, str, str]] = [
    ("zxqy", "consult", "专精特新中小企业认定申报时间", "请问今年省级专精特新中小企业认定什么时候开始申报?需要准备哪些材料?",
     "今年省级专精特新中小企业认定申报工作已于近期启动,申报材料包括申请书、近两年财务报表和知识产权证明等,"
     "具体要求请见本网“通知公告”栏目发布的申报通知,也可咨询所在市工信部门。"),
    ("xxh", "consult", "企业上云补贴如何申请", "我公司计划将生产管理系统迁移上云,请问是否有补贴政策,如何申请?",
     "我厅每年组织实施企业上云用云专项,符合条件的企业可通过所在市工信部门申报。"
     "具体条件和流程以当年专项申报指南为准,请关注本网发布的通知。"),
    ("dzxx", "suggest", "建议加快5G基站在县城的覆盖", "我所在的县城部分区域5G信号较弱,建议加快基站建设。",
     "感谢您的建议。我处已将相关区域纳入今年5G网络建设计划,将会同通信管理部门和基础电信企业加快建设,"
     "预计年内完成补点覆盖。"),
    ("jnc", "consult", "工业节能诊断服务是否收费", "听说省上组织工业节能诊断服务,请问企业需要付费吗?",
     "省级工业节能诊断服务由财政资金支持,对纳入年度诊断名单的企业免费提供,企业可向所在市工信部门报名。"),
    ("aqc", "complain", "反映某化工企业夜间异味扰民", "某工业园区一家化工企业夜间常有刺鼻气味,影响附近居民休息,请有关部门核查。",
     "收到您的反映后,我处已会同属地工信、生态环境部门进行现场核查,督促企业完成废气治理设施整改,"
     "并将持续跟踪。感谢您对安全生产工作的监督。"),
    ("wxd", "complain", "反映无线电信号干扰问题", "我家附近近期对讲机频繁受到干扰,怀疑有非法设台,请核查。",
     "我局已派出监测人员到现场排查,确认干扰源为一处未经许可设置的无线电台站,已依法责令停用。"),
    ("cyzcc", "consult", "产业结构调整指导目录适用问题", "我公司拟新建项目,请问如何判断是否属于鼓励类项目?",
     "请对照国家《产业结构调整指导目录》条目判断,如仍有疑问,可携带项目材料到我处咨询,联系电话见本网“互动交流”栏目。"),
    ("kjc", "suggest", "建议增加企业技术中心认定批次", "建议省级企业技术中心认定每年开展两次,方便企业及时申报。",
     "感谢您的建议,我处将在修订认定管理办法时统筹研究申报批次安排。"),
    ("rjc", "consult", "软件企业评估需要哪些条件", "请问新设立的软件企业申请评估需要满足哪些条件?",
     "软件企业评估依据行业协会发布的评估标准开展,主要条件包括研发投入比例、软件收入占比等,"
     "详细标准请查阅相关协会网站或致电我处。"),
    ("zbc", "consult", "首台（套）装备认定申报", "我公司研制的新型数控机床能否申报首台（套）重大技术装备?",
     "符合省级首台（套）重大技术装备推广应用指导目录的产品可以申报,请关注年度申报通知并按要求提交材料。"),
    ("xfp", "suggest", "建议举办地方特色食品展销活动", "建议组织陕西特色食品企业参加展销会,扩大品牌影响。",
     "感谢您的建议,我处将在今年下半年组织特色食品企业参加产销对接活动,具体安排将在本网发布。"),
    ("ycl", "consult", "钢铁产能置换政策咨询", "请问钢铁产能置换方案需要在哪里公示?",
     "钢铁产能置换方案按规定在省级工信部门门户网站公示,公示期不少于10个工作日,请关注本网“通知公告”栏目。"),
]
SPAM = ["高价回收各类发票,联系微信", "代办各类资质证书,包过", "免费领取流量卡点击链接"]
NAMES = ["王先生", "李女士", "张先生", "刘女士", "陈先生", "杨女士", "赵先生", "黄女士", "周先生", "吴女士"]
# how many messages end in each state
PLAN = [("published", 48), ("closed", 16), ("rejected", 6), ("merged", 3), ("approved", 4), ("drafted", 4),
        ("routed", 12), ("new", 7)]


def _user(con, role: str, division_id: int | None = None) -> int | None:
    found = notify.role_holders(con, role, division_id)
    return found[0] if found else None


def load_messages(con: duckdb.DuckDBPyConnection, today: dt.date, seed: int = 7) -> int:
    """Write the demo messages (inside the caller's transaction); returns how many."""
    rng = random.Random(seed)
    calendar = workdays.load(con)
    div = {r["code"]: r["id"] for r in rows(con, "SELECT id, code FROM divisions")}
    webmaster = _user(con, "webmaster")
    deadlines = interaction.deadlines(con)
    written, merged_target = 0, None
    for state, count in PLAN:
        for n in range(count):
            code, kind, subject, body, answer = TOPICS[(written + n) % len(TOPICS)]
            division = div.get(code)
            if state in ("new", "routed", "drafted", "approved"):
                # open items: recent, one routed one close to three months old (the veto warning)
                age = 75 if state == "routed" and n == 0 else rng.randint(1, 9 if state != "routed" else 12)
            else:
                age = rng.randint(8, 180)
            received = dt.datetime.combine(today - dt.timedelta(days=age), dt.time(rng.randint(8, 21), rng.randint(0, 59)))
            due = calendar.add_workdays(received.date(), deadlines.get(kind, deadlines.get("default", 10)))
            routed = received + dt.timedelta(hours=rng.randint(2, 30))
            answered = min(routed + dt.timedelta(days=rng.randint(1, 9)), dt.datetime.combine(today, dt.time(9)))
            name = NAMES[rng.randrange(len(NAMES))]
            phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
            values = {
                "code": interaction.new_code(), "kind": kind, "concerns_division_id": division if n % 3 else None,
                "division_id": None if state in ("new", "rejected") else division,
                "subject": subject if state != "rejected" else SPAM[n % len(SPAM)],
                "body": body if state != "rejected" else SPAM[n % len(SPAM)] + " 13800000000",
                "name": name, "phone": phone, "email": None if n % 2 else f"citizen{written + n}@example.com",
                "publish_allowed": state != "closed", "state": state, "received_at": received, "due_on": due,
                "routed_at": None if state in ("new", "rejected") else routed,
                "answer": answer if state in ("published", "closed", "approved", "drafted") else None,
                "answered_by": _user(con, "officer", division) if state in ("published", "closed", "approved",
                                                                             "drafted") else None,
                "approved_by": _user(con, "head", division) if state in ("published", "closed", "approved") else None,
                "answered_at": answered if state in ("published", "closed", "approved") else None,
                "replied_at": answered + dt.timedelta(hours=5) if state in ("published", "closed") else None,
                "published_at": answered + dt.timedelta(hours=5) if state == "published" else None,
                "closed_at": answered + dt.timedelta(hours=5) if state in ("closed", "rejected", "merged") else None,
                "reject_reason": "垃圾信息" if state == "rejected" else None,
                "merged_into": merged_target if state == "merged" else None,
            }
            if state == "published":
                values["public_subject"], values["public_body"] = interaction.default_public_text(values)
            names = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            message_id = con.execute(f"INSERT INTO messages ({names}) VALUES ({marks}) RETURNING id",
                                     list(values.values())).fetchone()[0]
            if state == "published" and merged_target is None:
                merged_target = message_id
            _events(con, message_id, values, webmaster)
        written += count
    return written


def _events(con, message_id: int, m: dict, webmaster: int | None) -> None:
    steps = [(None, "submit", None, "new", m["received_at"])]
    if m["state"] == "rejected":
        steps.append((webmaster, "reject", "new", "rejected", m["closed_at"]))
    elif m["state"] == "merged":
        steps.append((webmaster, "merge", "new", "merged", m["closed_at"]))
    elif m["routed_at"]:
        steps.append((webmaster, "route", "new", "routed", m["routed_at"]))
        if m["state"] in ("drafted", "approved", "published", "closed"):
            steps.append((m["answered_by"], "submit_answer", "routed", "drafted",
                          (m["answered_at"] or m["routed_at"] + dt.timedelta(days=1))))
        if m["state"] in ("approved", "published", "closed"):
            steps.append((m["approved_by"], "approve_answer", "drafted", "approved", m["answered_at"]))
        if m["state"] in ("published", "closed"):
            steps.append((webmaster, "publish" if m["state"] == "published" else "close", "approved", m["state"],
                          m["replied_at"]))
    for actor, action, before, after, when in steps:
        con.execute("INSERT INTO message_events (message_id, actor_id, action, from_state, to_state, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [message_id, actor, action, before, after, when])
