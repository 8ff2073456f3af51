"""The portal benchmark (issues 3 and 16): import N synthetic articles, build, publish one more, search it;
and the peers, Hugo and Pagefind's plain build, on the same content.

    .venv/bin/python bench/portal.py --articles 10000 [--keep DIR] [--peers] [--before CODE_DIR]

Prints import seconds; our full build, render only, and the search index (core.search.index_all),
each in a process of its own (wall and CPU seconds, peak memory of the largest process from
``os.wait4``; the build's workers are forks of it); with ``--peers`` Hugo (render only) and Pagefind
(plain) over Hugo's pages, one run each, and the ratios side by side (bench/peers.py says what is
comparable); then the time from publishing one more article until its page, its column page and
the home page are on disk, and until the search index finds it. ``--before CODE_DIR``: also build with the
code in CODE_DIR (e.g. ``git archive main core | tar -x -C CODE_DIR``) and check that both builds
wrote the same files, byte for byte. ``--publish-only`` (with ``--reuse``): only the publish figures,
on the site of an earlier run. ``--reuse``: keep the database of an earlier run in ``--keep``
(each run publishes one more article into it). The machine is shared: CPU seconds are printed
beside wall seconds. Figures only; no assertion.

Reading the render figures: by default each build (ours, "before", Hugo) starts right after the previous
output of 11,000+ files was deleted. On an ext4 without a journal (this machine's /) creating a file then
skips the recently deleted inodes of its group one by one (``recently_deleted`` in the kernel: an inode
freed less than 60 s ago, 300 s while its block is dirty): perf put 31 % of our build's CPU samples and 21 %
of Hugo's there (10,000 articles); 11,000 files cost 0.2 s of system time in fresh groups and 1.1-1.4 s
right after deleting 11,000. Both sides pay about the same seconds, which pulls the ratio towards 1.

``--out-root DIR`` (issue 16) gives every build the same fair state instead: each output (ours, "before",
Hugo's ``public``) is written into a fresh folder of its own under ``DIR/run-<time>-<pid>/``, nothing is
deleted before or between the timed builds, and the earlier runs' folders under DIR are deleted only
after this run's figures (this run's are kept to look at). Give it a tmpfs (``/dev/shm/...``: RAM, no
inode reuse at all), so that the figures show the render alone; on ext4 a fresh folder still follows
whatever was deleted in the last minutes. The run refuses to start when DIR's file system has less free
space than the outputs need (≈50 KB an article: ours, "before", Hugo's; 10,000 articles ≈ 0.5 GB). The
condition used is printed on the first line of figures. Without ``--out-root`` nothing changes: the outputs
live in ``--keep`` (or a temp dir), replaced before each build.

Our code is compiled to bytecode before the timed builds (``compileall``, as an installed copy has it after
its first run): with ``PYTHONDONTWRITEBYTECODE=1`` (this machine's environment) no process ever keeps its
compiled modules, and each build would compile core's ~6,300 lines from source again (≈ 55 ms of CPU).
The installed packages are compiled by pip in either case; Hugo is a compiled program.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")

IGNORED = {".portal-build"}  # the build's random stamp


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def same_files(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between two output folders (missing on one side, or other bytes)."""
    files = {}
    for top in (a, b):
        for path in top.rglob("*"):
            if path.is_file() and path.name not in IGNORED:
                files.setdefault(path.relative_to(top).as_posix(), []).append(top)
    differ = [rel for rel, tops in files.items() if len(tops) != 2]
    differ += [rel for rel, tops in files.items()
               if len(tops) == 2 and not filecmp.cmp(a / rel, b / rel, shallow=False)]
    return sorted(differ)


def _line(label: str, run, extra: str = "") -> str:
    return f"{label:<34} {run.seconds:7.1f} s wall {run.cpu:7.1f} s CPU {run.peak_mb:7.0f} MB peak{extra}"


def compiled(code: Path) -> None:
    """Write the bytecode of ``code``'s core/ package (see the docstring)."""
    import compileall

    compileall.compile_dir(code / "core", quiet=1)


def run_ours(stage: str, paths: list[Path], code: Path | None = None):
    import peers

    args = [sys.executable, str(ROOT / "bench/portal_run.py"), stage, *map(str, paths)]
    run = peers.run_timed(args + (["--code", str(code)] if code else []))
    if run.returncode:
        sys.exit(f"{stage} failed:\n{run.output}")
    return run


def main() -> None:
    import import_data
    import peers

    from core import accounts, columns, demo, importer, portal, search, workflow
    from core.db import connect
    from core.setup import init_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--keep", type=Path, default=None, help="work here instead of a temp dir")
    parser.add_argument("--reuse", action="store_true", help="reuse the database already in --keep")
    parser.add_argument("--peers", action="store_true", help="also time Hugo and Pagefind (plain)")
    parser.add_argument("--before", type=Path, default=None, help="also build with this code, compare output")
    parser.add_argument("--publish-only", action="store_true", help="with --reuse: only publish one more article")
    parser.add_argument("--no-search", action="store_true", help="skip our full search index (its figure is the search helper's)")
    parser.add_argument("--no-pagefind", action="store_true",
                        help="with --peers: Hugo only (Pagefind over 100,000 of Hugo's pages takes minutes and ~8 GB)")
    parser.add_argument("--out-root", type=Path, default=None,
                        help="build every output into a fresh folder under this one (a tmpfs such as /dev/shm/x); "
                             "delete earlier runs' outputs only after the timings (see the docstring)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="portal-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source, db = work / "articles.jsonl", work / "bench.duckdb"
    outputs = Outputs(work, args.out_root, args.articles)
    site = work / "site"  # the default's (and --publish-only's: an earlier run's site); else a fresh folder below
    print(f"command: {' '.join(sys.argv)}  (machine shared: see CPU seconds; {os.cpu_count()} cores; "
          f"load {os.getloadavg()[0]:.1f})")
    print(f"outputs: {outputs.condition}")

    if not (args.reuse and db.exists()):
        db.unlink(missing_ok=True)
        import_data.generate(source, args.articles)
        con = connect(db)
        init_database(con)
        demo.load_demo(con, articles=80)
        started = time.perf_counter()
        result = importer.import_jsonl(con, source, create_missing=True, progress=False)
        print(f"import {args.articles} lines: {time.perf_counter() - started:.1f} s "
              f"(imported {result.imported}, skipped {result.skipped})")
        con.close()

    if args.publish_only:  # the site of an earlier run in --keep: only the publish figures
        con = connect(db)
        _publish(con, site, accounts, columns, portal, search, workflow)
        con.close()
        return
    compiled(ROOT)
    if args.before:
        compiled(args.before)
        site_before = outputs.folder("site-before")
        before = run_ours("build", [db, site_before], args.before)
        print(_line(f"before ({args.before.name}): render", before, f"  {json.loads(before.output)}"))
    site = outputs.folder("site")
    ours = run_ours("build", [db, site])
    built = json.loads(ours.output)
    print(_line("ours: full build, render only", ours, f"  {built['pages']} pages, "
                f"{built['pages'] / ours.seconds:,.0f} pages/s"))
    if args.before:
        differ = same_files(site_before, site)
        print(f"same output as before: {'yes' if not differ else 'NO'} "
              f"({sum(1 for p in site.rglob('*') if p.is_file())} files; differ: {differ[:10]})")
    indexed = None if args.no_search else run_ours("index", [site])
    if indexed:
        print(_line("ours: search index", indexed, f"  {indexed.output.strip()}"))
    if args.peers:
        _peers(peers, db, work, ours, indexed, pagefind=not args.no_pagefind, public=outputs.peer_folder("hugo-public"))
    con = connect(db)
    _publish(con, site, accounts, columns, portal, search, workflow)
    con.close()
    outputs.clean()


class Outputs:
    """Where the builds write (see the docstring): by default ``work/<name>``, replaced just before each build;
    with ``out_root``, a fresh folder per output under ``out_root/run-<time>-<pid>/``, and the earlier runs'
    folders deleted by ``clean`` after the timings."""

    NEED_PER_ARTICLE = 50 * 1024  # bytes: ours ~20 KB an article, "before" as much, Hugo's ~10 KB

    def __init__(self, work: Path, out_root: Path | None, articles: int) -> None:
        self.work, self.root, self.run = work, out_root, None
        if out_root is None:
            self.condition = (f"under {work}, each deleted just before its build (default: on ext4 the build "
                              f"pays for the deletion, see the docstring)")
            return
        out_root.mkdir(parents=True, exist_ok=True)
        free, need = shutil.disk_usage(out_root).free, articles * self.NEED_PER_ARTICLE
        if free < need:
            sys.exit(f"--out-root {out_root}: {free / 2**30:.1f} GB free, the outputs need ≈{need / 2**30:.1f} GB")
        self.run = out_root / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"  # made by its first build
        kind = _fs_type(out_root)
        self.condition = (f"fresh folders under {self.run} ({kind}; {free / 2**30:.1f} GB free); nothing deleted "
                          f"before or between the timed builds; earlier runs' outputs under {out_root} deleted after")

    def folder(self, name: str) -> Path:
        if self.run is None:
            shutil.rmtree(self.work / name, ignore_errors=True)  # the old default, at the old moment
            return self.work / name
        self.run.mkdir(exist_ok=True)
        return self.run / name

    def peer_folder(self, name: str) -> Path | None:
        """A peer's output folder: None by default (the peer's own, deleted by peers.py just before it runs)."""
        if self.run is None:
            return None
        self.run.mkdir(exist_ok=True)
        return self.run / name

    def clean(self) -> None:
        """After the timings: delete the earlier runs' outputs under out_root (this run's are kept)."""
        if self.run is None:
            return
        old = [p for p in self.root.glob("run-*") if p.is_dir() and p != self.run]
        for path in old:
            shutil.rmtree(path, ignore_errors=True)
        print(f"outputs kept in {self.run}; deleted after the timings: {len(old)} earlier run(s) under {self.root}")


def _fs_type(path: Path) -> str:
    """The file system type of the mount holding ``path`` (from /proc/mounts; '?' elsewhere)."""
    best, kind = "", "?"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    real = os.path.realpath(path)
    for line in mounts:
        fields = line.split()
        if len(fields) > 2 and (real == fields[1] or real.startswith(fields[1].rstrip("/") + "/")) \
                and len(fields[1]) > len(best):
            best, kind = fields[1], fields[2]
    return kind


def _peers(peers, db: Path, work: Path, ours, indexed, *, pagefind: bool = True, public: Path | None = None) -> None:
    from core.db import connect

    missing = {name: why for name, why in peers.available().items() if why}
    if "hugo" in missing:
        print(f"peers skipped: {missing['hugo']}")
        return
    con = connect(db)
    started = time.perf_counter()
    count = peers.write_hugo_site(con, work / "hugo")
    con.close()
    print(f"hugo site written: {count} articles in {time.perf_counter() - started:.1f} s (not timed below)")
    public = public or work / "hugo/public"
    hugo = peers.hugo_build(work / "hugo", public)
    if hugo.returncode:
        print(f"hugo failed:\n{hugo.output}")
        return
    pages = sum(1 for _ in public.rglob("*.html"))
    print(_line("Hugo: render only", hugo, f"  {pages} HTML files"))
    print(f"ratio render only, ours / Hugo: {ours.seconds / hugo.seconds:.2f} wall, {ours.cpu / hugo.cpu:.2f} CPU")
    if "pagefind" in missing or not pagefind:
        print(f"Pagefind skipped: {missing.get('pagefind') or '--no-pagefind'}")
        return
    pagefind = peers.pagefind_plain(public, sys.executable)
    print(_line("Pagefind (plain) over Hugo's pages", pagefind, "" if not pagefind.returncode else " FAILED"))
    if indexed:
        ours_wall, peer_wall = ours.seconds + indexed.seconds, hugo.seconds + pagefind.seconds
        ours_cpu, peer_cpu = ours.cpu + indexed.cpu, hugo.cpu + pagefind.cpu
        print(f"render + search: ours {ours_wall:.1f} s ({ours_cpu:.1f} s CPU), Hugo + Pagefind {peer_wall:.1f} s "
              f"({peer_cpu:.1f} s CPU): ratio {ours_wall / peer_wall:.2f} wall, {ours_cpu / peer_cpu:.2f} CPU")
        print(f"peak memory: ours {max(ours.peak_mb, indexed.peak_mb):.0f} MB, "
              f"Hugo {hugo.peak_mb:.0f} MB, Pagefind {pagefind.peak_mb:.0f} MB")


def _publish(con, site: Path, accounts, columns, portal, search, workflow) -> None:
    """Publish one more article: time until its pages are on disk, and until search finds it."""
    officer = accounts.find_user(con, "xxy_dzxx")
    head = accounts.find_user(con, "fzr_dzxx")
    column = columns.writable_columns(con, officer)[0]
    marker = "氢燃料电池重卡示范运营基准测试"
    article = workflow.create_article(con, officer, column["id"], f"{marker}启动",
                                      f"<p>{marker}在西安启动。</p>", "电子信息处", dt.date.today())
    article = workflow.submit(con, officer, article.id, article.version)
    article = workflow.approve(con, head, article.id, article.version, list(workflow.CHECKLIST),
                               acknowledged=[workflow.finding_key(f) for f in workflow.screen_article(con, article)])
    portal.build_site(con, site, full=False)  # this process's first build: templates loaded, as in the workbench
    started, cpu = time.perf_counter(), time.process_time()
    article = workflow.publish(con, officer, article.id, article.version)
    incremental = portal.build_site(con, site, full=False)
    on_disk = time.perf_counter() - started
    page = site / portal.article_url(article.id, article.published_at).lstrip("/")
    home = (site / "index.html").read_text(encoding="utf-8")
    print(f"publish → page, column pages and home on disk: {on_disk:.2f} s ({time.process_time() - cpu:.2f} s CPU; "
          f"{incremental['mode']}, {incremental['pages']} pages rendered, {incremental['writes']} files written; "
          f"page exists {page.exists()}, "
          f"on home {marker in home})")
    search.reindex_in_background(site, incremental["touched_years"]).join()
    print(f"publish → searchable: {time.perf_counter() - started:.2f} s "
          f"(re-index peak {search.last_reindex().get('peak_rss_mb') if search.last_reindex() else '?'} MB)")
    print(f"peak memory (this process or a child): {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
