"""The workbench's own commands of `python -m core`: init, status, tick, screen, evaluate, import
(build-site is core/cli/build.py's). Imports from core.setup, scheduler, screening, lexicon, content,
evaluation, importer, db and core/cli/common."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from core import evaluation, importer, lexicon, scheduler, screening
from core.cli.common import db_path, error, print_json
from core.content import text_to_html
from core.db import storage_failure
from core.errors import PortalError
from core.setup import init_database, status

IMPORT_DESCRIPTION = (
    "每行一个 JSON 对象:column、division、title、body_html、source、work_end_date(YYYY-MM-DD)、"
    "published_at(ISO 日期或日期时间),可选 importance、id、url、attachments。"
    "有问题的行报告行号和原因后跳过,其余各行照常导入。"
    "退出码:0 全部导入;1 有行被跳过;2 用法错误;3 数据库被占用;"
    "4 写入失败(如磁盘已满,已提交的批次保留);130 被中断(已提交的批次保留)。")


# ---------------------------------------------------------------- arguments

def init_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--demo", action="store_true", help="首次创建时载入演示数据")


def status_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--json", action="store_true")


def tick_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--out", type=Path, default=None, help="有发布时更新该目录下的门户")


def screen_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--json", action="store_true", help="输出 JSON 列表")
    p.add_argument("files", nargs="*", default=["-"], help="文件,或 - 表示标准输入")


def evaluate_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("--year", type=int, required=True, help="考评年度,例如 2026")
    p.add_argument("--json", action="store_true", help="输出 JSON")


def import_arguments(p: argparse.ArgumentParser, _with_db) -> None:
    p.add_argument("file", type=Path, metavar="FILE.jsonl", help="旧网站导出的 JSONL 文件(UTF-8)")
    p.add_argument("--create-missing", action="store_true",
                   help="新建文件中出现而数据库中没有的处室和栏目(否则该行报错跳过)")
    p.add_argument("--dry-run", action="store_true", help="只检查、报告,不写入数据库")


def import_check(args) -> str | None:
    return None if args.file.is_file() else f"找不到要导入的文件 {args.file}"


# ---------------------------------------------------------------- handlers

def init(con, args) -> int:
    loaded = init_database(con, demo=args.demo)
    print_json({"db": str(db_path(args)), **status(con), "demo": loaded})
    return 0


def screen(con, args) -> int:
    """Exit 0 without a block finding, 1 with one (第十六条); 2 on a usage error."""
    words = lexicon.load(con)
    found = []
    for name in args.files:
        if name == "-":
            title, _, body = sys.stdin.read().partition("\n")
            found += screening.screen(title.strip(), text_to_html(body), lexicon=words)
            continue
        path = Path(name)
        if not path.is_file():
            error(f"找不到文件 {name}")
            return 2
        if path.suffix.lower() in {".docx", ".pdf", ".xlsx", ".pptx"}:
            found += screening.screen("", "", attachments=[(path.name, path.read_bytes())], lexicon=words)
        else:
            title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
            found += screening.screen(title.strip(), text_to_html(body), lexicon=words)
    if args.json:
        print_json([f.to_dict() for f in found])
    else:
        for f in found:
            level = "禁止" if f.blocking else "提示"
            print(f"[{level}] {f.article} {f.rule} {f.where}:{f.start}-{f.end}「{f.excerpt}」{f.message}")
        if not found:
            print("未发现问题。")
    return 1 if screening.has_block(found) else 0


def show_status(con, args) -> int:
    summary = status(con)
    if args.json:
        print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


def tick(con, args) -> int:
    print_json(scheduler.tick(con, args.out))
    return 0


def evaluate(con, args) -> int:
    try:
        result = evaluation.evaluate(con, args.year)
    except PortalError as exc:
        error(str(exc))
        return 2
    if args.json:
        print_json(result)
        return 0
    print(f"{result['year']} 年度门户网站信息发布考评({result['timeliness_rule']})")
    if result["calendar_warning"]:
        print(f"注意:{result['calendar_warning']}")
    for item in result["ranking"]:
        score = "—" if item["score"] is None else f"{item['score']:.1f}"
        mark = "  (本年度受通报批评,不参加评奖)" if item["excluded"] else ""
        print(f"{item['rank']:>3}. {item['division']} {score}{mark}")
    for award in result["awards"]:
        print(f"表彰 #{award['id']} {award['division'] or ''}{award['person'] or ''} {award['ground_label'][:3]}")
    for item in result["criticisms"]:
        print(f"通报批评 #{item['id']} {item['division'] or ''}{item['person'] or ''} {item['ground_label'][:3]}")
    return 0


def import_file(con, args) -> int:
    try:
        if not args.dry_run:
            init_database(con)  # kinds, chains and the system account the imported items are attributed to
        result = importer.import_jsonl(con, args.file, create_missing=args.create_missing, dry_run=args.dry_run,
                                       on_problem=importer.print_problem)
    except (ImportError, PortalError) as exc:  # e.g. a screening module that cannot load
        error(str(exc))
        return 2
    except duckdb.Error as exc:
        why = storage_failure(exc)
        if not why:
            raise
        error(f"写入数据库时{why},未开始导入。请腾出磁盘空间后重新运行。")
        return 4
    if result.failed:
        error(str(result.failed))
    print(result.summary())
    return 130 if result.interrupted else result.exit_code
