"""Thirty simultaneous workbench sessions against a real `streamlit run app.py` (issue 16, workbench speed).

    .venv/bin/python bench/load.py [--users 1,10,20,30] [--minutes 5] [--think 3] [--db DEMO.duckdb]
                                   [--client ws|browser] [--processes 0] [--linger 130]
                                   [--count statements|profile]

For every user count: a fresh copy of a demo database gets its own accounts (core.accounts: one webmaster,
a head per division used, about two officers per head; one user alone is an officer), submitted
articles for each head and 400 new citizen messages (bench/load_setup.py). The workbench runs as the
product runs it (PORTAL_DB the copy, PORTAL_SITE a temporary folder, the scheduler on). All users sign
in at once and work for `--minutes` with `--think` seconds (±50 %) between steps: officers open
我的稿件, write a new draft (title and text in the rich editor), 保存, 提交审批; heads open 待我审批,
tick the checklist and 批准 (one run: the decision is a form), and reopen the page when the queue is empty;
the webmaster routes new messages on 互动管理 (分办).

Client (`--client`): by default Streamlit's own websocket protocol (bench/load_ws.py: the messages the
browser's frontend sends, the rich editor's value included), which costs the machine a few per cent;
`browser` is one headless Chromium with a context per user (bench/load_client.py), real but on two cores
it takes the CPU the server needs. The client's cost is measured and printed beside the server's.

Printed per user count, in seconds, median / p95: sign-in (登录 clicked → signed-in page quiet), page
open (我的稿件/待我审批/互动管理), the writes (save, submit, approve, route), every click (with 新建稿件 and
the checklist ticks); errors; CPU of the server, the client and the whole machine (the rest is other
people's work on a shared machine), CPU seconds, load average; the server's memory before, once all
are signed in (and per extra session), at the end, and `--linger` s after the users left. Afterwards the
database is checked: every draft a user saw saved exists once with its text, every submission and
approval is recorded once, every routed message is with its division, and the audit chain verifies.

`--count statements` runs the same server through bench/load_count.py: the DuckDB statements of the script
runs between the users' sign-ins and their end are counted by the line that asked (per run, the most
frequent first; the scheduler's and the refresh worker's threads apart); `--count profile` adds cProfile of
every script run (thread CPU). Both cost CPU themselves: take CPU per run from a run without `--count`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import load_client  # noqa: E402
import load_count  # noqa: E402
import load_rpc  # noqa: E402
import load_setup  # noqa: E402
import load_ws  # noqa: E402

from core.db import connect  # noqa: E402
from tests.browser import free_port, wait_for  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
WRITES = ("save", "submit", "approve", "route")


# ---------------------------------------------------------------- /proc

def proc_stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds user+system, start time) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[19])


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


def machine_busy() -> float:
    """CPU seconds all cores have spent busy since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICK  # minus idle and iowait


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Sampler(threading.Thread):
    """Once a second: the CPU seconds of every process under this one except the server (Chromium's
    renderers come and go: the last figure of each is kept), to give the client's own cost."""

    def __init__(self, server_pids: set[int]) -> None:
        super().__init__(daemon=True)
        self.server_pids, self.seen, self.stop = server_pids, {}, threading.Event()

    def client_cpu(self) -> float:
        return sum(self.seen.values())

    def sample(self) -> None:
        parents, cpu = {}, {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (found := proc_stat(int(entry))):
                parents[int(entry)], cpu[int(entry)] = found[0], (found[1], found[2])
        mine, me = set(), os.getpid()
        for pid in parents:
            chain, up = [], pid
            while up in parents and up not in (me, 0, 1) and up not in self.server_pids:
                chain.append(up)
                up = parents[up]
            if up == me and pid not in self.server_pids:
                mine.add(pid)
        for pid in mine:
            self.seen[(pid, cpu[pid][1])] = cpu[pid][0]

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.sample()


def cpu_now(server_pids: list[int], sampler: Sampler) -> dict[str, float]:
    sampler.sample()
    figures = {f"server{n}": proc_stat(pid)[1] for n, pid in enumerate(server_pids)}
    return {"wall": time.monotonic(), "server": sum(figures.values()), **figures,
            "client_py": time.process_time(), "client_rest": sampler.client_cpu(), "machine": machine_busy()}


# ---------------------------------------------------------------- the server

def start_servers(db: Path, site: Path, processes: int, count: str = "") -> tuple[list[subprocess.Popen], list[str]]:
    """0: the workbench as `make run` starts it (one process owning the file, the scheduler on, as in
    production). n ≥ 1: the experiment of bench/load_rpc.py, an owner of the file and n workbench
    processes sending every statement to it. Returns the processes (the owner first) and the addresses."""
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_SCHEDULER"}
    env |= {"PORTAL_DB": str(db), "PORTAL_SITE": str(site)}
    site.mkdir(parents=True, exist_ok=True)
    logs = os.environ.get("LOAD_LOGS")  # a folder for the servers' output (for a failure's traceback)
    quiet = {"cwd": ROOT, "env": env, "stdout": subprocess.DEVNULL,
             "stderr": open(Path(logs) / f"{db.stem}-{time.time():.0f}.log", "ab") if logs else subprocess.DEVNULL}
    ports = [free_port() for _ in range(max(1, processes))]
    if not processes and count:  # the product's one process, its statements counted (bench/load_count.py)
        return [subprocess.Popen([sys.executable, "bench/load_count.py", str(ports[0]), str(db.with_suffix(".count")),
                                  *(["--profile"] if count == "profile" else [])], **quiet)], \
            [f"http://127.0.0.1:{ports[0]}"]
    if not processes:
        return [subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                                  "--server.port", str(ports[0]), "--browser.gatherUsageStats", "false"], **quiet)], \
            [f"http://127.0.0.1:{ports[0]}"]
    sock = str(db.parent / f"{db.stem}.sock")
    owner = subprocess.Popen([sys.executable, "bench/load_rpc.py", "owner", sock, str(db)], **quiet)
    deadline = time.monotonic() + 120
    while not Path(sock).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    workbenches = [subprocess.Popen([sys.executable, "bench/load_rpc.py", "workbench", sock, str(port)], **quiet)
                   for port in ports]
    return [owner, *workbenches], [f"http://127.0.0.1:{port}" for port in ports]


# ---------------------------------------------------------------- figures

def med_p95(values: list[float]) -> str:
    if not values:
        return "      –      "
    p95 = statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
    return f"{statistics.median(values):5.2f} / {p95:5.2f}"


def report(count: int, record: load_client.Record, cpu: dict, memory: dict, problems: list[str],
           loads: tuple[str, str], counted: dict | None = None) -> dict:
    writes = [t for kind in WRITES for t in record.times.get(kind, [])]
    clicks = [t for kind, ts in record.times.items() if kind not in ("sign_in", "open") for t in ts]
    wall = cpu["wall"]
    print(f"\n== {count} 个用户 == 中位数 / p95,秒")
    print(f"  登录                 {med_p95(record.times.get('sign_in', []))}   ({len(record.times.get('sign_in', []))} 次)")
    print(f"  打开页面             {med_p95(record.times.get('open', []))}   ({len(record.times.get('open', []))} 次)")
    print(f"  写操作               {med_p95(writes)}   ({len(writes)} 次:保存、提交审批、批准、分办)")
    print(f"  所有点击             {med_p95(clicks)}   ({len(clicks)} 次,含新建稿件、勾选审核要点)")
    for kind in ("new", "save", "submit", "tick", "approve", "route"):
        if record.times.get(kind):
            print(f"    {kind:<18} {med_p95(record.times[kind])}   ({len(record.times[kind])} 次)")
    print(f"  吞吐                 {len(clicks) / wall:.2f} 次点击/秒,{len(writes) / wall:.2f} 次写操作/秒")
    print(f"  错误                 {len(record.errors)}")
    for error in record.errors[:10]:
        print(f"    {error}")
    per_run = f",每次脚本运行 {cpu['server'] / record.reruns * 1000:.0f} ms" if record.reruns else ""
    print(f"  服务器 CPU           {cpu['server'] / wall * 100:5.0f} %   ({cpu['server']:.1f} s CPU / {wall:.0f} s"
          f"{per_run}{f';{record.reruns} 次运行' if record.reruns else ''})")
    if memory.get("statements") and record.reruns:
        print(f"    经数据库进程的语句 {memory['statements']} 条,每次运行约 {memory['statements'] / record.reruns:.0f} 条;"
              "最常见的(每次运行条数,合计秒数):")
        for sql, (n, seconds) in memory["by_sql"][:15]:
            print(f"      {n / record.reruns:5.2f}  {seconds:6.1f} s  {sql}")
    if counted:
        load_count.print_figures(counted)
    parts = sorted(k for k in cpu if k.startswith("server") and k != "server")
    if len(parts) > 1:
        print("    其中各进程         " + ",".join(
            f"{'数据库进程' if k == 'server0' else '工作台进程' + k[6:]} {cpu[k] / wall * 100:.0f} %" for k in parts))
    client = cpu["client_py"] + cpu["client_rest"]
    print(f"  客户端 CPU           {client / wall * 100:5.0f} %   ({client:.1f} s:Python {cpu['client_py']:.1f} s,"
          f" 子进程(Chromium、Playwright){cpu['client_rest']:.1f} s)")
    others = cpu["machine"] - cpu["server"] - client
    print(f"  整机 CPU             {cpu['machine'] / wall * 100:5.0f} % / {os.cpu_count() * 100} %"
          f"   (其余进程 {others / wall * 100:.0f} %:共用机器上的其他工作)")
    print(f"  负载均值             开始 {loads[0]},结束 {loads[1]}")
    per = (memory["signed_in"] - memory["start"]) / count
    print(f"  服务器内存 MB        启动后 {memory['health']:.0f},登录页运行一次后 {memory['start']:.0f},全部登录后 {memory['signed_in']:.0f}"
          f"(每个会话 +{per:.1f}),结束时 {memory['end']:.0f},用户离开 {memory['linger']:.0f} s 后 {memory['left']:.0f},"
          f"峰值 {memory['peak']:.0f}" + (f";回收并 malloc_trim 后 {memory['trimmed']:.0f}" if "trimmed" in memory else ""))
    print(f"  数据核对             保存 {len(record.saved)},提交 {len(record.submitted)},批准 {len(record.approved)},"
          f"分办 {len(record.routed)}:" + ("无丢失、无重复,审计链完整" if not problems else f"{len(problems)} 处问题"))
    for problem in problems[:20]:
        print(f"    {problem}")
    return {"users": count, "sign_in": record.times.get("sign_in", []), "open": record.times.get("open", []),
            "writes": writes, "errors": len(record.errors), "problems": len(problems)}


def one_round(template: Path, count: int, minutes: float, think_s: float, folder: Path, client: str,
              processes: int, linger: float, counting: str = "") -> dict:
    db = folder / f"load{count}.duckdb"
    shutil.copy2(template, db)
    con = connect(db)
    started = time.perf_counter()
    chosen = load_setup.prepare(con, count)
    con.close()
    roles = {r: sum(u.role == r for u in chosen.users) for r in ("officer", "head", "webmaster")}
    print(f"\n{count} 个用户:信息员 {roles['officer']},处室负责人 {roles['head']},网站管理员 {roles['webmaster']};"
          f"准备数据 {time.perf_counter() - started:.0f} s", flush=True)
    servers, urls = start_servers(db, folder / f"site{count}", processes, counting)
    counts: dict[str, dict] = {}
    pids = [server.pid for server in servers]
    memory: dict[str, float] = {}
    marks: dict[str, dict] = {}
    sampler = Sampler(set(pids))

    def rss() -> float:
        return sum(rss_mb(pid) for pid in pids)

    try:
        for url in urls:
            wait_for(f"{url}/_stcore/health", timeout=120)
        sampler.start()
        loads: list[str] = []

        def warm() -> None:  # the sign-in page has run once: Streamlit and core are loaded
            loads.append(loadavg())
            marks["start"] = cpu_now(pids, sampler)
            memory["start"] = rss()
            if counting:
                counts["start"] = load_count.take(pids[0], db.with_suffix(".count"))

        def signed_in() -> None:
            memory["signed_in"] = rss()

        def done() -> None:
            if processes:  # how many statements the workbench processes sent to the owner
                memory["statements"], memory["by_sql"] = load_rpc.RemoteCursor(
                    str(db.parent / f"{db.stem}.sock"))._call("stats")
            marks["end"] = cpu_now(pids, sampler)
            memory["end"] = rss()
            if counting:
                counts["end"] = load_count.take(pids[0], db.with_suffix(".count"))
            loads.append(loadavg())

        memory["health"] = rss()  # Streamlit up, no script run yet
        runner = load_ws.run_users if client == "ws" else load_client.run_users
        record = asyncio.run(runner(urls, chosen.users, minutes, think_s, chosen.route_to, warm, signed_in, done))
        time.sleep(linger)  # Streamlit keeps a closed session server.disconnectedSessionTTL (120 s) for a reconnect
        memory["left"], memory["linger"] = rss(), linger
        if counting:  # bench/load_count.py: garbage collected and malloc_trim, then what is still in use
            os.kill(pids[0], signal.SIGUSR2)
            time.sleep(3)
            memory["trimmed"] = rss()
        memory["peak"] = sum(rss_mb(pid, "VmHWM") for pid in pids)
    finally:
        sampler.stop.set()
        for server in reversed(servers):
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    cpu = {k: marks["end"][k] - marks["start"][k] for k in marks["start"]}
    con = connect(db)
    try:
        problems = load_setup.verify(con, record.saved, record.submitted, record.approved, record.routed)
    finally:
        con.close()
    counted = load_count.difference(counts["start"], counts["end"]) if counting else None
    return report(count, record, cpu, memory, problems, (loads[0], loads[-1]), counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="30", help="user counts, comma separated (default 30)")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a user's steps (±50 %%)")
    parser.add_argument("--client", choices=("ws", "browser"), default="ws",
                        help="ws: Streamlit's websocket protocol (default); browser: Chromium, one context a user")
    parser.add_argument("--processes", type=int, default=0,
                        help="0: the product (one process); n: experiment, n workbench processes and a database owner")
    parser.add_argument("--linger", type=float, default=130,
                        help="seconds after the users left before the last memory figure (default 130)")
    parser.add_argument("--count", choices=("statements", "profile"),
                        help="count the product's statements by the line that asked (bench/load_count.py); "
                             "profile: also cProfile every script run. Costs CPU: take CPU per run from a run without")
    parser.add_argument("--db", help="a demo database to copy (default: python -m core init --demo)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        template = folder / "demo.duckdb"
        if args.db:
            shutil.copy2(args.db, template)
        else:
            subprocess.run([sys.executable, "-m", "core", "init", "--db", str(template), "--demo"], cwd=ROOT,
                           check=True, stdout=subprocess.DEVNULL)
        print(f"bench/load.py --users {args.users} --minutes {args.minutes} --think {args.think} --client {args.client} --processes {args.processes}"
              f"{f' --count {args.count}' if args.count else ''}"
              f"(Python {sys.version.split()[0]},{os.cpu_count()} 核,负载均值 {loadavg()})")
        results = [one_round(template, int(n), args.minutes, args.think, folder, args.client,
                             args.processes, args.linger, args.count or "") for n in args.users.split(",")]
        print("\n| 用户 | 登录 | 打开页面 | 写操作 | 错误 | 核对问题 |\n|---|---|---|---|---|---|")
        for r in results:
            print(f"| {r['users']} | {med_p95(r['sign_in'])} | {med_p95(r['open'])} | {med_p95(r['writes'])} "
                  f"| {r['errors']} | {r['problems']} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
