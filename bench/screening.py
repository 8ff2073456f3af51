"""How fast screening is: MB/s of Chinese text with a 20,000-entry lexicon, and one article.

    .venv/bin/python bench/screening.py
    .venv/bin/python bench/screening.py --entries 20000 --mb 8 --article-chars 10000 --runs 200

Builds a lexicon of N generated entries (plus the default entries of migration 0003) and a
body of government-news text (sentences with figures, dates and names; the regulation's own
text, which mentions 保密 and 秘密级), then prints, on one core:

* lexicon scan: folding (Traditional → Simplified, full-width, spaces) plus the Aho–Corasick
  automaton, in MB/s of UTF-8;
* all text rules on one text (markings, internal markings, lexicon, personal data), MB/s;
* `screen()` of a 10,000-character article given as HTML (html_to_text, every rule):
  median and 95th-percentile milliseconds.

Targets (issue 4): at least 20 MB/s, and under 5 ms for the article. Figures only; nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import regulation, screening  # noqa: E402
from core.lexicon import Entry, Lexicon, fold  # noqa: E402

WORDS = (
    "会议 强调 指出 要求 推进 加快 落实 部署 工作 发展 建设 项目 企业 产业 创新 服务 质量 安全 数字化 智能化 绿色 "
    "转型 升级 高质量 政策 措施 方案 实施 组织 开展 召开 调研 检查 督导 考核 评估 申报 认定 培训 座谈 签约 投资 "
    "招商 协同 融合 平台 园区 集群 链条 龙头 中小企业 专精特新 技术 研发 成果 转化 应用 示范 试点 标准 体系 能力 "
    "水平 效益 规模 增长 同比 累计 完成 目标 任务 责任 监管 保障 支持 资金 财政 金融 人才 培育 优化 营商环境 改革 "
    "开放 合作 交流 领导 干部 学习 贯彻 全面 深入 扎实 稳步 持续 积极 切实 重点 特色 优势 问题 风险 整改 机制 制度 "
    "信息 数据 网络 通信 基站 算力 工业互联网 大数据 人工智能 云计算 物联网 软件 芯片 传感器 机器人 装备 材料 能源 "
    "节能 降碳 统计 运行 监测 分析 调度 产能 产量 订单 出口 市场 消费 品牌 效率 成本 利润 营业收入 工业增加值"
).split()
PLACES = "陕西 西安 宝鸡 咸阳 铜川 渭南 延安 汉中 榆林 安康 商洛 杨凌 西咸新区 韩城 神木 府谷".split()
PUNCT = ",,,,、。"


def sentence(rng: random.Random) -> str:
    parts = [rng.choice(PLACES)]
    for _ in range(rng.randint(6, 14)):
        parts.append(rng.choice(WORDS))
        if rng.random() < 0.15:
            parts.append(f"{rng.randint(1, 9999)}{rng.choice(['亿元', '万元', '家', '个', '%', '项'])}")
        if rng.random() < 0.03:
            parts.append(f"{rng.randint(2015, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日")
        if rng.random() < 0.2:
            parts.append(rng.choice(PUNCT))
    return "".join(parts).rstrip(",、") + "。"


def chinese_text(chars: int, rng: random.Random) -> str:
    """Paragraphs of news sentences, with the regulation mixed in; `chars` characters long."""
    law = regulation.text().splitlines()
    paragraphs: list[str] = []
    total = 0
    while total < chars:
        if rng.random() < 0.1:
            paragraph = rng.choice(law).strip() or sentence(rng)
        else:
            paragraph = "".join(sentence(rng) for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        total += len(paragraph) + 1
    return "\n".join(paragraphs)[:chars]


def lexicon_of(size: int, rng: random.Random) -> Lexicon:
    """`size` generated entries: compounds of the vocabulary and random 3–6 character strings."""
    pool = sorted({c for w in WORDS + PLACES for c in w} | {chr(c) for c in range(0x4E00, 0x4E00 + 3000)})
    entries: dict[str, Entry] = {}
    while len(entries) < size:
        if rng.random() < 0.5:
            word = rng.choice(PLACES) + rng.choice(WORDS) + rng.choice(WORDS)
        else:
            word = "".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
        kind = "error" if rng.random() < 0.3 else "sensitive"
        entries[word] = Entry(kind, word, rng.choice(("warn", "block")), "", "正确写法" if kind == "error" else None)
    return Lexicon(entries.values(), "bench")


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--mb", type=float, default=8.0, help="MB (UTF-8) of text for the throughput runs")
    parser.add_argument("--article-chars", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200, help="screen() runs of the article")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    started = time.perf_counter()
    lexicon = lexicon_of(args.entries, rng)
    build = time.perf_counter() - started
    text = chinese_text(int(args.mb * 1_000_000 / 3), rng)
    megabytes = len(text.encode("utf-8")) / 1_000_000
    print(f"lexicon: {len(lexicon)} entries, compiled in {build * 1000:.0f} ms")
    print(f"text: {len(text):,} characters, {megabytes:.1f} MB UTF-8")

    scan = best_of(3, lambda: lexicon.scan(fold(text).text))
    hits = len(lexicon.scan(fold(text).text))
    print(f"lexicon scan (fold + automaton): {megabytes / scan:6.1f} MB/s  ({hits} hits)")

    def all_text_rules() -> int:
        part = screening.Part("body", text)
        return len(screening._text_rules(part, lexicon, "article") + screening.rule_doctype_head(part))

    rules = best_of(3, all_text_rules)
    print(f"all text rules on one text:      {megabytes / rules:6.1f} MB/s  ({all_text_rules()} findings)")

    article_text = chinese_text(args.article_chars, rng)
    body_html = "".join(f"<p>{line}</p>" for line in article_text.splitlines())
    title = "全省工业和信息化工作座谈会在西安召开"
    kwargs = {"lexicon": lexicon, "column_kind": "news", "work_ended_on": "2024-06-18", "today": "2024-06-20",
              "other_titles_in_column": {f"标题{i}" for i in range(500)}}
    screening.screen(title, body_html, **kwargs)  # warm up
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        screening.screen(title, body_html, **kwargs)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    article_mb = len(body_html.encode("utf-8")) / 1_000_000
    print(f"screen() of a {len(article_text):,}-character article: median {statistics.median(times):.2f} ms, "
          f"p95 {p95:.2f} ms  ({article_mb / (statistics.median(times) / 1000):.1f} MB/s of HTML)")


if __name__ == "__main__":
    main()
