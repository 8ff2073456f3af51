"""`python -m core …`: each command parses, opens the database, calls one function, prints."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.db import DatabaseLocked, connect, default_path
from core.errors import PortalError


def init_database(con, demo: bool = False) -> dict:
    """Idempotent set-up: schema (by connect), kinds, chains, system account, demo data."""
    from core import accounts, columns, workflow

    columns.seed_kinds(con)
    workflow.seed_chains(con)
    accounts.ensure_system_user(con)
    if demo:
        from core import demo as demo_data

        return demo_data.load_demo(con)
    return {}


def status(con) -> dict:
    from core.db import rows, scalar, schema_version

    by_role = {r["role"]: r["n"] for r in rows(
        con, "SELECT role, count(*) AS n FROM user_roles r JOIN users u ON u.id = r.user_id "
             "WHERE u.active GROUP BY role ORDER BY role")}
    by_state = {r["state"]: r["n"] for r in rows(
        con, "SELECT state, count(*) AS n FROM articles GROUP BY state ORDER BY state")}
    return {
        "schema_version": schema_version(con),
        "divisions": scalar(con, "SELECT count(*) FROM divisions"),
        "columns": scalar(con, "SELECT count(*) FROM columns"),
        "users_by_role": by_role,
        "articles_by_state": by_state,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="陕西省工业和信息化厅门户网站工作台 命令行")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, default=None, help="数据库文件(默认 data/portal.duckdb,或环境变量 PORTAL_DB)")
        return p

    init = with_db(sub.add_parser("init", help="创建或升级数据库(幂等)"))
    init.add_argument("--demo", action="store_true", help="首次创建时载入演示数据")
    build = with_db(sub.add_parser("build-site", help="生成门户静态网站"))
    build.add_argument("--out", type=Path, default=Path("site_build"))
    build.add_argument("--full", action="store_true", help="全部重新生成")
    stat = with_db(sub.add_parser("status", help="健康摘要"))
    stat.add_argument("--json", action="store_true")
    tick = with_db(sub.add_parser("tick", help="执行一次定时任务:到期定时发布、超时提醒、发送邮件"))
    tick.add_argument("--out", type=Path, default=None, help="有发布时更新该目录下的门户")
    screen = with_db(sub.add_parser(
        "screen", help="发布前筛查文本文件(第一行为标题,其余为正文;.docx/.pdf 按附件读取)"))
    screen.add_argument("--json", action="store_true", help="输出 JSON 列表")
    screen.add_argument("files", nargs="*", default=["-"], help="文件,或 - 表示标准输入")
    evaluate = with_db(sub.add_parser("evaluate", help="年度考评:各处室得分、排名、表彰、通报批评(第二十五至二十七条)"))
    evaluate.add_argument("--year", type=int, required=True, help="考评年度,例如 2026")
    evaluate.add_argument("--json", action="store_true", help="输出 JSON")
    from core import cli_ops, cli_reports

    cli_ops.register(sub, with_db)
    cli_reports.register(sub, with_db)
    imp = with_db(sub.add_parser(
        "import", help="迁移旧网站:JSONL 每行一篇,作为已发布信息导入",
        description="每行一个 JSON 对象:column、division、title、body_html、source、work_end_date(YYYY-MM-DD)、"
                    "published_at(ISO 日期或日期时间),可选 importance、id、url、attachments。"
                    "有问题的行报告行号和原因后跳过,其余各行照常导入。"
                    "退出码:0 全部导入;1 有行被跳过;2 用法错误;3 数据库被占用;"
                    "4 写入失败(如磁盘已满,已提交的批次保留);130 被中断(已提交的批次保留)。"))
    imp.add_argument("file", type=Path, metavar="FILE.jsonl", help="旧网站导出的 JSONL 文件(UTF-8)")
    imp.add_argument("--create-missing", action="store_true",
                     help="新建文件中出现而数据库中没有的处室和栏目(否则该行报错跳过)")
    imp.add_argument("--dry-run", action="store_true", help="只检查、报告,不写入数据库")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "import" and not args.file.is_file():
        print(f"错误:找不到要导入的文件 {args.file}", file=sys.stderr)
        return 2
    from core import cli_ops, cli_reports

    if args.command in cli_ops.COMMANDS and not cli_ops.needs_db(args):
        return cli_ops.COMMANDS[args.command](None, args)
    if args.command in cli_reports.COMMANDS:
        problem = cli_reports.check(args)
        if problem:
            print(f"错误:{problem}", file=sys.stderr)
            return 2
        if not cli_reports.needs_db(args):
            return cli_reports.COMMANDS[args.command](None, args)
    try:
        con = connect(args.db or default_path())
    except DatabaseLocked as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 3
    try:
        handler = COMMANDS.get(args.command) or cli_ops.COMMANDS.get(args.command) \
            or cli_reports.COMMANDS[args.command]
        return handler(con, args)
    finally:
        import duckdb

        from core import audit

        try:
            audit.seal(con)  # rows this command wrote join the chain before the file is released
        except duckdb.Error as exc:
            from core.importer import storage_failure

            why = storage_failure(exc)
            if not why:
                raise
            print(f"注意:{why},审计日志的校验链未能更新(第二十条);腾出磁盘空间后运行任一命令即可补上。",
                  file=sys.stderr)
        con.close()


def _cmd_init(con, args) -> int:
    loaded = init_database(con, demo=args.demo)
    print(json.dumps({"db": str(args.db or default_path()), **status(con), "demo": loaded},
                     ensure_ascii=False, default=str))
    return 0


def _cmd_build(con, args) -> int:
    from core import portal, search

    removed = portal.remove_leftovers(args.out)  # of a build or re-index killed earlier (issue 12, L1)
    result = portal.build_site(con, args.out, full=args.full)
    result["leftovers_removed"] = removed
    changed = result.pop("changed_articles", [])
    result["changed_articles"] = len(changed)  # a count: after an import it can be 100,000 ids
    if result.get("mode") == "full":
        result["search"] = _summary(search.index_all(args.out))
    elif result.get("touched_years"):
        stale = search.stale_shards(args.out, result["touched_years"])
        if stale:
            result["search"] = _summary(search.index_shards(args.out, stale))
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


def _summary(indexed: dict) -> dict:
    return {k: indexed[k] for k in ("seconds", "pages", "peak_rss_mb") if k in indexed}


def _cmd_screen(con, args) -> int:
    """Exit 0 without a block finding, 1 with one (第十六条); 2 on a usage error."""
    from core import lexicon, screening
    from core.content import text_to_html

    words = lexicon.load(con)
    found = []
    for name in args.files:
        if name == "-":
            title, _, body = sys.stdin.read().partition("\n")
            found += screening.screen(title.strip(), text_to_html(body), lexicon=words)
            continue
        path = Path(name)
        if not path.is_file():
            print(f"错误:找不到文件 {name}", file=sys.stderr)
            return 2
        if path.suffix.lower() in {".docx", ".pdf", ".xlsx", ".pptx"}:
            found += screening.screen("", "", attachments=[(path.name, path.read_bytes())], lexicon=words)
        else:
            title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
            found += screening.screen(title.strip(), text_to_html(body), lexicon=words)
    if args.json:
        print(json.dumps([f.to_dict() for f in found], ensure_ascii=False))
    else:
        for f in found:
            level = "禁止" if f.blocking else "提示"
            print(f"[{level}] {f.article} {f.rule} {f.where}:{f.start}-{f.end}「{f.excerpt}」{f.message}")
        if not found:
            print("未发现问题。")
    return 1 if screening.has_block(found) else 0


def _cmd_status(con, args) -> int:
    summary = status(con)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


def _cmd_tick(con, args) -> int:
    from core import scheduler

    print(json.dumps(scheduler.tick(con, args.out), ensure_ascii=False, default=str))
    return 0


def _cmd_evaluate(con, args) -> int:
    from core import evaluation

    try:
        result = evaluation.evaluate(con, args.year)
    except PortalError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
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


def _cmd_import(con, args) -> int:
    import duckdb

    from core import importer

    try:
        if not args.dry_run:
            init_database(con)  # kinds, chains and the system account the imported items are attributed to
        result = importer.import_jsonl(con, args.file, create_missing=args.create_missing, dry_run=args.dry_run,
                                       on_problem=importer.print_problem)
    except (ImportError, PortalError) as exc:  # e.g. a screening module that cannot load
        print(f"错误:{exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        why = importer.storage_failure(exc)
        if not why:
            raise
        print(f"错误:写入数据库时{why},未开始导入。请腾出磁盘空间后重新运行。", file=sys.stderr)
        return 4
    if result.failed:
        print(f"错误:{result.failed}", file=sys.stderr)
    print(result.summary())
    return 130 if result.interrupted else result.exit_code


COMMANDS = {"init": _cmd_init, "build-site": _cmd_build, "status": _cmd_status, "tick": _cmd_tick,
            "import": _cmd_import, "screen": _cmd_screen, "evaluate": _cmd_evaluate}
