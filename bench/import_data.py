"""Synthetic old-site articles as JSONL, in the format `python -m core import` reads.

    .venv/bin/python bench/import_data.py N OUT.jsonl [--seed 1] [--attachment-share 0.0]

`generate(path, n, seed=1)` writes n plausible Chinese articles (about 1,500 characters each,
HTML paragraphs with the inline styles and `&nbsp;` an old CMS leaves behind) over 64 columns:
the demo department's 50 article columns (core/demo.py, by full path or, when unique, by leaf
name) and 14 generated ones under a 「历史信息」 parent. Dates spread over the ten years
2015–2024, so every article is in the past whatever day the benchmark runs. Each line carries
an old-site `id` and `url`. The same `n` and `seed` give the same file.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import demo  # noqa: E402

FIRST_DAY = dt.date(2015, 1, 1)
DAYS = (dt.date(2024, 12, 31) - FIRST_DAY).days + 1
IMP_PARENT = "历史信息"
IMP_COLUMNS = 14
TARGET_CHARS = (1350, 1750)
IMPORTANCE_WEIGHTS = {"一般": 85, "重要": 11, "重大": 3, "特殊": 1}
# a migration brings some items published by another division than the column's (委托发布, 第十八条)
OTHER_DIVISION_SHARE = 0.03
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# paragraphs that fit any item, to bring a body to the target length
FILLER = [
    "近年来，我省深入实施{theme}战略，坚持把发展经济的着力点放在实体经济上，{ind}等重点产业规模持续扩大，"
    "产业结构不断优化，创新能力明显增强，为全省经济社会高质量发展提供了有力支撑。",
    "{city}工业和信息化局负责同志介绍，该市聚焦{ind}产业链关键环节，建立“链长制”工作机制，"
    "实行一链一专班、一链一方案，推动上下游企业协同配套，全年新签约重点项目{n2}个，总投资{amount}亿元。",
    "据统计，{dyear}年{period}，全省{ind}产业实现营业收入{amount}亿元，同比增长{pct}%，"
    "高于全省工业平均水平{pct3}个百分点，对全省工业增长的贡献率持续提升。",
    "下一步，省工信厅将认真贯彻落实省委、省政府决策部署，坚持稳中求进工作总基调，"
    "持续加大政策支持力度，完善企业服务机制，推动{theme}工作走深走实，为奋力谱写中国式现代化建设的陕西篇章贡献工信力量。",
    "在推进过程中，各地各部门坚持问题导向，围绕企业反映集中的用工、融资、用地、物流等问题，"
    "建立问题台账，实行销号管理，累计帮助企业解决实际困难{n3}余个，企业获得感和满意度不断提升。",
    "与会人员一致认为，{event}的举办为政府、企业、高校院所搭建了交流合作的平台，"
    "有利于推动创新链、产业链、资金链、人才链深度融合，促进科技成果就地转化。",
    "{partner}有关负责人表示，将充分发挥自身优势，在{theme}、人才培养、平台建设等方面与省工信厅开展全方位合作，"
    "共同推动我省{ind}产业迈向中高端。",
    "为确保各项工作落到实处，省工信厅将加强督导检查，定期通报工作进展，"
    "对工作成效明显的地区和单位予以通报表扬，对推进不力的进行督促提醒。",
    "截至{month}月底，全省已累计培育国家级专精特新“小巨人”企业{n2}家、省级专精特新中小企业{num}家，"
    "创新型中小企业{n3}家，中小企业梯度培育体系初步形成。",
    "会议强调，要坚持以科技创新引领产业创新，加快推进新型工业化，大力发展{pind}等新兴产业，"
    "前瞻布局未来产业，改造提升传统产业，加快构建具有陕西特色和优势的现代化产业体系。",
    "各市（区）工信部门要进一步提高政治站位，压实工作责任，加强统筹协调，强化要素保障，"
    "确保{item}各项任务按时保质完成，相关情况请及时报送省工业和信息化厅。",
    "此外，{city}还积极推动{ind}企业数字化转型，{n}家企业入选省级智能工厂和数字化车间，"
    "关键工序数控化率达到{pct2}%，生产效率平均提升{pct}%。",
    "在要素保障方面，省工信厅会同省财政厅统筹安排{fund}{amount}亿元，重点支持{pind}等领域的技术改造、"
    "创新平台建设和首台（套）产品推广应用，带动社会投资持续增长。",
    "围绕“{theme}”主题，{city}组织开展政策宣讲、银企对接、人才招聘等系列活动{n2}场次，"
    "服务企业{num}家次，帮助企业协调解决融资、用工等问题{n3}个。",
    "从运行情况看，全省{ind}行业重点企业订单饱满，产能利用率保持在较高水平，"
    "{dmonth}月份行业增加值同比增长{pct2}%，新产品产量增势良好。",
    "省工信厅有关负责人表示，将坚持问题导向和目标导向，健全常态化政企沟通机制，"
    "持续开展{item}工作，推动惠企政策直达快享，切实增强企业发展信心。",
    "据介绍，{project}实施以来，累计带动全省{n3}家企业开展技术改造，新增产值{amount}亿元，"
    "一批关键核心技术取得突破，产业基础高级化、产业链现代化水平稳步提升。",
    "{city}工业和信息化局将以此次活动为契机，进一步完善产业配套，优化营商环境，"
    "吸引更多{ind}上下游企业落户，推动产业集群集聚发展、提质增效。",
    "下一阶段，各级工信部门要对照年度目标任务，逐项梳理工作进展，"
    "对进度滞后的事项加大协调推进力度，确保全年目标任务圆满完成。",
    "与此同时，我省持续推进{pind}产业链“链长制”，建立重点企业、重点项目、重点园区清单，"
    "实行清单化管理、项目化推进，产业链韧性和竞争力不断增强。",
]
SUBHEADS = ["一、基本情况", "二、主要做法", "三、取得成效", "四、存在问题", "五、下一步工作"]
# what an old CMS leaves around paragraphs; sanitize_html drops it all (第十五条)
P_OPEN = ['<p style="text-indent:2em;">', '<p style="text-indent:2em;line-height:1.75;font-family:宋体;">',
          "<p>", '<p class="MsoNormal" align="justify">']


class _Slots(dict):
    """str.format_map data: a placeholder the demo adds later reads as a neutral phrase."""

    def __missing__(self, key: str) -> str:
        return "相关"


@dataclass(frozen=True)
class _Column:
    path: str  # what the line says: a full path, or the leaf name when it is unique
    group: str
    division: str  # name of the responsible division
    kind: str


def columns() -> list[_Column]:
    """The 64 columns of the synthetic site: demo article columns plus generated ones."""
    division_name = {code: name for code, name, _kind in demo.DIVISIONS}
    found: list[_Column] = []
    leaves: dict[str, int] = {}

    def walk(items, prefix: tuple[str, ...]) -> None:
        for col in items:
            path = (*prefix, col.name)
            leaves[col.name] = leaves.get(col.name, 0) + 1
            if col.kind != "interaction":
                found.append(_Column("/".join(path), col.group or "tn", division_name[col.division], col.kind))
            walk(col.children, path)

    walk(demo.COLUMNS, ())
    result = []
    for i, col in enumerate(found):
        leaf = col.path.rsplit("/", 1)[-1]
        # every other column by leaf name when that is unambiguous, to exercise both forms
        path = leaf if i % 2 and leaves[leaf] == 1 else col.path
        result.append(_Column(path, col.group, col.division, col.kind))
    offices = [name for _code, name, kind in demo.DIVISIONS if kind == "division"]
    for i in range(IMP_COLUMNS):
        theme = demo.THEMES[i % len(demo.THEMES)]
        result.append(_Column(f"{IMP_PARENT}/{theme}专栏", "tn", offices[i % len(offices)], "general"))
    return result


def _slots(rng: random.Random, day: dt.date, division_names: list[str]) -> _Slots:
    data_day = day.replace(day=1) - dt.timedelta(days=1)
    leader, ltitle = rng.choice([(n, t) for _u, n, t, _c in demo.LEADERS] + [(n, t) for _u, n, t in demo.GROUP])
    city, city2 = rng.sample(demo.CITIES, 2)
    deadline = day + dt.timedelta(days=rng.randint(10, 30))
    industries = [i for values in demo.INDUSTRIES.values() for i in values]
    slots = _Slots(
        year=day.year, year2=day.year + 2, prev=day.year - 1, month=day.month, day=day.day,
        dyear=data_day.year, dmonth=data_day.month, period=demo._period(data_day.month),
        city=city, city2=city2, ind=rng.choice(industries), pind=rng.choice(demo.POLICY_INDUSTRIES),
        theme=rng.choice(demo.THEMES), meeting=rng.choice(demo.MEETINGS), leader=leader, ltitle=ltitle,
        partner=rng.choice(demo.PARTNERS), item=rng.choice(demo.ITEMS), project=rng.choice(demo.PROJECTS),
        list=rng.choice(demo.LISTS), event=rng.choice(demo.EVENTS), fund=rng.choice(demo.FUNDS),
        verb=rng.choice(demo.VERBS), service=rng.choice(demo.SERVICES), form=rng.choice(demo.FORMS),
        exam=rng.choice(demo.EXAMS), name=rng.choice(demo.STAFF_NAMES), n=rng.randint(1, 12),
        n2=rng.randint(3, 36), n3=rng.randint(40, 600), num=rng.randint(100, 1300),
        cn=demo.CN_NUM[rng.randint(0, 4)], pct=f"{rng.uniform(3, 12):.1f}", pct2=f"{rng.uniform(5, 25):.1f}",
        pct3=f"{rng.uniform(0.2, 3):.1f}", amount=rng.randint(12, 980), dl_month=deadline.month,
        dl_day=deadline.day, org="省工信厅", division=rng.choice(division_names),
    )
    slots["policy"] = rng.choice(demo.POLICIES).format_map(slots)
    return slots


def _style(group: str, title: str) -> str:
    style = demo.STYLE_OF_GROUP.get(group)
    if style is None:
        style = next((s for s, words in demo.NEWS_KEYWORDS if any(w in title for w in words)), "event")
    return style


def _paragraph(rng: random.Random, text: str) -> str:
    if rng.random() < 0.15:  # a run of text formatted in Word, as pasted into the old CMS
        cut = rng.randint(0, max(0, len(text) // 2))
        text = f'{text[:cut]}<span style="font-family:仿宋_GB2312;color:#333333">{text[cut:]}</span>'
    return f"{rng.choice(P_OPEN)}{text}</p>"


def _body(rng: random.Random, group: str, title: str, slots: _Slots) -> str:
    openers, middles, closers, _every = demo.BODIES[_style(group, title)]
    texts = [rng.choice(openers), *middles]
    target = rng.randint(*TARGET_CHARS)
    filler = list(FILLER)
    rng.shuffle(filler)
    while sum(len(t) for t in texts) < target and filler:
        texts.append(filler.pop())
    if closers:
        texts.append(rng.choice(closers))
    parts = []
    heads = iter(SUBHEADS)
    for i, text in enumerate(texts):
        if i and i % 4 == 1 and rng.random() < 0.3:
            parts.append(f"<h3>{next(heads, '')}</h3>" if rng.random() < 0.5 else "<p>&nbsp;</p>")
        parts.append(_paragraph(rng, text.format_map(slots)))
    return "".join(parts)


def _title(rng: random.Random, group: str, slots: _Slots, used: set[tuple[str, str]], column: str) -> str:
    templates = demo.TITLES.get(group) or demo.TITLES["tn"]
    title = rng.choice(templates).format_map(slots)
    base, k = title, 1
    while (column, title) in used:  # a headline is not reused in its column (第十五条)
        k += 1
        title = f"{base}（{k}）"
    used.add((column, title))
    return title


def article(rng: random.Random, number: int, cols: list[_Column], division_names: list[str],
            used: set[tuple[str, str]], attachment_share: float = 0.0) -> dict:
    """One synthetic line (a dict ready for json.dumps)."""
    col = rng.choice(cols)
    day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
    published = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 560))
    slots = _slots(rng, day, division_names)
    title = _title(rng, col.group, slots, used, col.path)
    division = col.division
    if rng.random() < OTHER_DIVISION_SHARE:
        division = rng.choice(division_names)
    line = {
        "id": f"old-{number}",
        "url": f"http://www.sxit.gov.cn/site/{day:%Y%m}/t{day:%Y%m%d}_{number}.html",
        "column": col.path,
        "division": division,
        "title": title,
        "body_html": _body(rng, col.group, title, slots),
        "source": division if rng.random() < 0.85 else rng.choice(demo.SOURCES_MEDIA),
        "work_end_date": (day - dt.timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5]))).isoformat(),
        "published_at": published.isoformat(timespec="seconds"),
        "importance": rng.choices(list(IMPORTANCE_WEIGHTS), weights=list(IMPORTANCE_WEIGHTS.values()))[0],
    }
    if attachment_share and rng.random() < attachment_share:
        line["attachments"] = [{"filename": f"附件{number}.pdf",
                                "data_base64": base64.b64encode(TINY_PDF).decode("ascii")}]
    return line


def generate(path: str | Path, n: int, seed: int = 1, attachment_share: float = 0.0) -> dict:
    """Write n articles to `path` (JSONL, UTF-8); return what was written."""
    rng = random.Random(seed)
    cols = columns()
    division_names = [name for _code, name, kind in demo.DIVISIONS if kind in ("division", "office")]
    used: set[tuple[str, str]] = set()
    chars = 0
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for number in range(1, n + 1):
            line = article(rng, number, cols, division_names, used, attachment_share)
            chars += len(line["body_html"])
            out.write(json.dumps(line, ensure_ascii=False))
            out.write("\n")
    return {"path": str(path), "articles": n, "columns": len(cols), "bytes": path.stat().st_size,
            "mean_body_chars": round(chars / n) if n else 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成用于迁移导入基准测试的合成 JSONL 稿件")
    parser.add_argument("n", type=int, help="稿件数")
    parser.add_argument("out", type=Path, help="输出的 .jsonl 文件")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--attachment-share", type=float, default=0.0, help="带一个小 PDF 附件的稿件比例")
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.out, args.n, args.seed, args.attachment_share), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
