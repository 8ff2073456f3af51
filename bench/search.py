"""How long a published article takes to become searchable, and at what memory.

    .venv/bin/python bench/search.py --articles 10000
    .venv/bin/python bench/search.py --articles 100000 [--keep] [--dir /tmp/x]

Generates N synthetic article pages (~1,500 Chinese characters each, spread over 10 years,
shaped like the portal's article pages: header, breadcrumbs, ``<article data-pagefind-body>``
with title/date meta and a 栏目 filter, prev/next outside the article) straight to HTML under
/tmp (no database), then prints:

* the full index (core.search.index_all: batches of pages in processes of their own, two at a
  time): seconds, CPU seconds, the peak resident memory of the largest process, size on disk;
* publishing one more article now: write its page, find the changed quarter, rebuild the small
  recent segment — i.e. how long until a published article is found (checked with search.query);
* the same for a correction of an article of a past year.

Figures only; nothing here asserts a time. The generated tree is deleted at the end unless
``--keep``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import search  # noqa: E402

# A government-news vocabulary: common words, places × industries (a long tail of compounds),
# and numbers, so the index sees something like real text.
COMMON = (
    "会议 强调 指出 要求 推进 加快 落实 部署 工作 发展 建设 项目 企业 产业 创新 服务 质量 安全 "
    "数字化 智能化 绿色 转型 升级 高质量 政策 措施 方案 通知 意见 办法 规划 实施 组织 开展 召开 "
    "举行 调研 检查 督导 考核 评估 申报 认定 公示 公告 名单 培训 座谈 推介 签约 投资 招商 协同 "
    "融合 平台 园区 集群 链条 龙头 中小企业 专精特新 技术 研发 成果 转化 应用 示范 试点 标准 "
    "体系 能力 水平 效益 规模 增长 同比 环比 累计 完成 目标 任务 责任 监管 保障 支持 资金 奖补 "
    "财政 税收 金融 人才 引进 培育 壮大 优化 营商环境 改革 开放 合作 交流 省委 省政府 厅党组 "
    "领导 干部 党员 学习 贯彻 精神 全面 深入 扎实 有效 稳步 持续 进一步 积极 主动 切实 着力 "
    "重点 难点 亮点 特色 优势 短板 瓶颈 问题 风险 隐患 整改 闭环 机制 制度 流程 信息 数据 "
    "网络 通信 基站 算力 工业互联网 大数据 人工智能 云计算 物联网 区块链 软件 硬件 芯片 "
    "传感器 机器人 装备 材料 能源 节能 降碳 减排 循环 环保 安全生产 应急 防控 统计 运行 监测 "
    "分析 预警 调度 产能 产量 订单 出口 市场 消费 品牌 质量 效率 成本 利润 营业收入 工业增加值"
).split()
PLACES = "陕西 西安 宝鸡 咸阳 铜川 渭南 延安 汉中 榆林 安康 商洛 杨凌 西咸新区 韩城 神木 府谷".split()
INDUSTRIES = (
    "集成电路 新能源汽车 光伏 氢能 航空 航天 钛材料 输变电 装备制造 电子信息 生物医药 食品 "
    "纺织 建材 化工 冶金 煤炭 石油 天然气 电力 稀土 半导体 显示 锂电池 储能 无人机 北斗 "
    "物流 商贸 文旅 农产品 乳制品 苹果 猕猴桃 茶叶 中药材 熊猫 秦岭 黄河 汉江 丝路"
).split()
SUFFIXES = "产业园 产业链 创新中心 示范基地 重点项目 龙头企业 专项行动 推进会 观摩会 博览会 论坛 联盟".split()
COLUMNS = [
    ("gzdt", "工作动态"), ("tzgg", "通知公告"), ("zcwj", "政策文件"), ("zcjd", "政策解读"),
    ("czzj", "财政资金"), ("xydt", "行业动态"), ("sxdt", "市县动态"), ("tjxx", "统计信息"),
    ("rsxx", "人事信息"), ("jyta", "建议提案"), ("zxft", "在线访谈"), ("ztzl", "专题专栏"),
]


class Writer:
    """Synthetic sentences from a seeded RNG (the same N gives the same pages)."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.compounds = [f"{p}{i}{s}" for p in PLACES for i in INDUSTRIES for s in SUFFIXES]
        self.names = [f"{p}{i}" for p in PLACES for i in INDUSTRIES]

    def word(self) -> str:
        r = self.rng.random()
        if r < 0.70:
            # Zipf-ish over the common words
            return COMMON[min(int(self.rng.paretovariate(1.1)) - 1, len(COMMON) - 1)] if self.rng.random() < 0.5 \
                else self.rng.choice(COMMON)
        if r < 0.85:
            return self.rng.choice(self.names)
        if r < 0.93:
            return self.rng.choice(self.compounds)
        if r < 0.97:
            return f"{self.rng.randint(1, 999)}{self.rng.choice(('个', '家', '项', '亿元', '万元', '%', '吨'))}"
        return self.rng.choice(INDUSTRIES)

    def sentence(self) -> str:
        return "".join(self.word() for _ in range(self.rng.randint(6, 14))) + self.rng.choice("。。。,;")

    def paragraph(self, chars: int) -> str:
        out: list[str] = []
        size = 0
        while size < chars:
            s = self.sentence()
            out.append(s)
            size += len(s)
        return "".join(out)

    def title(self) -> str:
        return f"{self.rng.choice(PLACES)}{self.rng.choice(INDUSTRIES)}{self.rng.choice(SUFFIXES)}" \
               f"{self.rng.choice(('召开', '举行', '启动', '取得新进展', '工作推进情况', '名单公示'))}"

    def body(self, chars: int = 1500) -> str:
        paras: list[str] = []
        size = 0
        while size < chars:
            p = self.paragraph(self.rng.randint(120, 220))
            paras.append(f"<p>{p}</p>")
            size += len(p)
        return "\n".join(paras)


NAV = "\n".join(f'      <li><a href="/col/{slug}/index.html">{name}</a></li>' for slug, name in COLUMNS)


def article_html(article_id: int, when: datetime, title: str, body: str, column: tuple[str, str],
                 prev: tuple[str, str] | None, nxt: tuple[str, str] | None) -> str:
    slug, name = column
    links = []
    if prev:
        links.append(f'<li>上一篇:<a href="{prev[0]}" rel="prev">{prev[1]}</a></li>')
    if nxt:
        links.append(f'<li>下一篇:<a href="{nxt[0]}" rel="next">{nxt[1]}</a></li>')
    day = when.strftime("%Y-%m-%d")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - 陕西省工业和信息化厅</title>
<link rel="canonical" href="https://www.sxit.gov.cn/art/{when.year:04d}/{when.month:02d}/{article_id}.html">
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<a class="skip-link" href="#main">跳到主要内容</a>
<header class="site-header">
  <div class="wrap site-identity"><a class="site-name" href="/index.html">陕西省工业和信息化厅</a></div>
  <nav class="site-nav" aria-label="主导航">
    <ul class="wrap">
      <li><a href="/index.html">首页</a></li>
{NAV}
    </ul>
  </nav>
</header>
<nav class="breadcrumbs wrap" aria-label="当前位置">
  <ol><li><a href="/index.html">首页</a></li><li><a href="/col/{slug}/index.html">{name}</a></li></ol>
</nav>
<main id="main" class="wrap" tabindex="-1">
<article class="article" data-pagefind-body>
  <h1 class="article-title" data-pagefind-meta="title">{title}</h1>
  <dl class="article-meta">
    <div><dt>栏目</dt><dd data-pagefind-filter="栏目">{name}</dd></div>
    <div><dt>发布机构</dt><dd>电子信息处</dd></div>
    <div><dt>发布日期</dt><dd><time datetime="{day}" data-pagefind-meta="date">{day}</time></dd></div>
    <div><dt>信息来源</dt><dd>陕西省工业和信息化厅</dd></div>
  </dl>
  <div class="article-body">
{body}
  </div>
</article>
<nav class="article-nav" aria-label="上下篇"><ul>{"".join(links)}</ul></nav>
</main>
<footer class="site-footer"><div class="wrap"><p>主办单位:陕西省工业和信息化厅</p></div></footer>
</body>
</html>
"""


def article_path(site: Path, article_id: int, when: datetime) -> Path:
    return site / "art" / f"{when.year:04d}" / f"{when.month:02d}" / f"{article_id}.html"


def generate(site: Path, count: int, *, years: int = 10, end: date | None = None, seed: int = 7) -> tuple[int, int]:
    """Write ``count`` article pages spread evenly over ``years`` years ending at ``end``;
    returns (pages, body characters in total)."""
    end = end or date.today()
    start = datetime(end.year - years + 1, 1, 1, 9, 0)
    span = (datetime(end.year, end.month, end.day, 18, 0) - start).total_seconds()
    gen = Writer(seed)
    prev: tuple[str, str] | None = None
    chars = 0
    for n in range(count):
        article_id = n + 1
        when = start + timedelta(seconds=span * n / max(count - 1, 1))
        title = gen.title()
        body = gen.body()
        chars += len(body)
        url = f"/art/{when.year:04d}/{when.month:02d}/{article_id}.html"
        path = article_path(site, article_id, when)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_html(article_id, when, title, body, COLUMNS[n % len(COLUMNS)], prev, None),
                        encoding="utf-8")
        prev = (url, title)
    return count, chars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--dir", help="where to generate (default: a new folder under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated site")
    parser.add_argument("--repeat", type=int, default=3, help="publishes (and past-year re-indexes) to time")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures as they come, also into a log file

    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="sxit-search-bench-", dir="/tmp"))
    site = root / "site"
    today = date.today()
    try:
        t0 = time.perf_counter()
        pages, chars = generate(site, args.articles, years=args.years, end=today)
        print(f"generated {pages} article pages over {args.years} years, {chars / pages:.0f} body characters each, "
              f"in {time.perf_counter() - t0:.1f} s  ({site})")
        plan = search.plan_shards(site)
        sizes = {shard: len(files) for shard, files in plan.items()}
        print(f"shards ({len(sizes)}): " + ", ".join(f"{s}={n}" for s, n in sizes.items()))

        cpu0 = _cpu()
        full = search.index_all(site)
        print(f"full index: {full['seconds']:.1f} s wall, {_cpu() - cpu0:.1f} s CPU (this process and its batch "
              f"processes) for {full['pages']} pages in batches of {search.BATCH_DOCS}, {search.PARALLEL} at a time; "
              f"largest process peak {full['peak_rss_mb']:.0f} MB; index on disk "
              f"{_du(site / search.BUNDLE_DIR) / 1e6:.0f} MB")

        # one more article published now: write its page, then what reindex_in_background does
        # after a publish: find the stale shards of the touched year (by the pages' sizes and
        # times) and re-index them. Repeated, since a shared machine makes single timings noisy.
        gen = Writer(seed=99)
        for n in range(args.repeat):
            now = datetime.now().replace(microsecond=0)
            new_id = args.articles + 1 + n
            t0 = time.perf_counter()
            path = article_path(site, new_id, now)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(article_html(new_id, now, f"基准测试新发布稿件{n}", gen.body(), COLUMNS[0], None, None),
                            encoding="utf-8")
            t1, cpu1 = time.perf_counter(), _cpu()
            stale = search.stale_shards(site, [now.year])
            detect, detect_cpu = time.perf_counter() - t1, _cpu() - cpu1
            cpu1 = _cpu()
            result = search.index_shards(site, stale)
            total = time.perf_counter() - t0
            recent = [s for s in search.read_manifest(site)["segments"] if s.get("recent")]
            found = search.query(site, f"基准测试新发布稿件{n}")["results"]
            print(f"publish now → searchable: stale {stale} found in {detect * 1000:.0f} ms ({detect_cpu:.2f} s CPU); recent segment "
                  f"{recent[0]['docs'] if recent else 0} pages rebuilt in {result['seconds']:.2f} s "
                  f"({_cpu() - cpu1:.2f} s CPU); page written → searchable {total:.2f} s; "
                  f"found first: {bool(found) and found[0]['url'].endswith(f'/{new_id}.html')}")

        # a correction of an old article: its page rewritten, its past quarter brought up to date
        old = datetime(today.year - args.years + 1, 6, 1)
        quarter = search.shard_for(old)
        for n in range(args.repeat):
            page = site / search.plan_shards(site)[quarter][0]
            t0, cpu1 = time.perf_counter(), _cpu()
            page.write_text(page.read_text(encoding="utf-8").replace("</article>", f"<p>更正说明{n}。</p></article>"),
                            encoding="utf-8")
            result = search.index_shards(site, search.stale_shards(site, [old.year]))
            print(f"change in a past year ({quarter}) → searchable in {time.perf_counter() - t0:.2f} s "
                  f"({_cpu() - cpu1:.2f} s CPU; {result['pages']} pages searchable in all)")
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _du(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:
                pass
    return total


if __name__ == "__main__":
    main()
