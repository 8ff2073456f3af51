"""What a workbench script run costs, counted inside the product's own process (issue 16, runcost).

    .venv/bin/python bench/load_count.py PORT OUT [--profile]     # started by bench/load.py --count

Runs `streamlit run app.py` as bench/load.py does (one process, the scheduler on, the real DuckDB file),
with `pages/_shared._connection` wrapped: every `execute` of every cursor is counted by the line that asked
(past core/db.py's helpers) with its wall time. `--profile` also runs cProfile inside every script run
(`ScriptRunner._run_script`) and adds them up: the functions by CPU time, as shares of all script runs.
On SIGUSR2 the server collects its garbage and calls glibc's malloc_trim (bench/load.py does so after the
users left, to tell memory still in use from memory only not yet given back). On SIGUSR1 the figures so far
are written to OUT (JSON, atomically, with a sequence number), so the load
test takes them when the users are signed in and again when they stop, and prints the difference.
The wrapping costs CPU itself: take CPU per run from a run without `--count`.
"""

from __future__ import annotations

import cProfile
import ctypes
import gc
import json
import os
import pstats
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import db  # noqa: E402

LOCK = threading.Lock()
STATEMENTS: dict[str, list[float]] = {}  # "file:line sql" → [count, seconds]
RUNS = [0]
PROFILE: list[pstats.Stats | None] = [None]


def _caller() -> str:
    frame = sys._getframe(2)
    while frame and frame.f_code.co_filename.endswith(("load_count.py", "core/db.py")):
        frame = frame.f_back
    if frame is None:
        return "?"
    path = frame.f_code.co_filename
    return f"{path[len(str(ROOT)) + 1:] if path.startswith(str(ROOT)) else path}:{frame.f_lineno}"


class Counting:
    """A DuckDB connection or cursor whose statements are counted; everything else goes to the real one."""

    def __init__(self, real) -> None:
        self._real = real
        path = db.file_of(real)
        if path is not None:  # core.db.kept works on it as on the real one
            db._files[self] = path

    def execute(self, sql: str, params=None):
        where = _caller()
        started = time.perf_counter()
        try:
            if params is None:
                self._real.execute(sql)
            else:
                self._real.execute(sql, params)
        finally:
            # statements of the scheduler's and the refresh worker's threads are not a script run's
            script = threading.current_thread().name.startswith("ScriptRunner")
            key = f"{'' if script else '[后台] '}{where} {' '.join(str(sql).split())[:80]}"
            with LOCK:
                spent = STATEMENTS.setdefault(key, [0, 0.0])
                spent[0] += 1
                spent[1] += time.perf_counter() - started
        return self

    def cursor(self) -> Counting:
        return Counting(db.cursor(self._real))

    def __getattr__(self, name):
        return getattr(self._real, name)


def dump(out: Path, seq: list[int]) -> None:
    seq[0] += 1
    with LOCK:
        data = {"seq": seq[0], "runs": RUNS[0], "statements": {k: list(v) for k, v in STATEMENTS.items()}}
        if PROFILE[0] is not None:
            data["profile"] = {f"{file}:{line}({name})": [stats[0], stats[2], stats[3]]
                               for (file, line, name), stats in PROFILE[0].stats.items()}
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False))
    tmp.replace(out)


def main() -> None:
    port, out, profile = sys.argv[1], Path(sys.argv[2]), "--profile" in sys.argv[3:]
    os.chdir(ROOT)
    from streamlit.runtime.scriptrunner import script_runner  # deferred: only the wrapped server loads Streamlit

    from pages import _shared  # deferred: as bench/load_rpc.py, the page modules load in the server only

    real = _shared._connection

    def wrapped(path: str):
        return Counting(real(path))

    _shared._connection = wrapped
    original = script_runner.ScriptRunner._run_script

    def counted(self, *args, **kwargs):
        with LOCK:
            RUNS[0] += 1
        if not profile:
            return original(self, *args, **kwargs)
        prof = cProfile.Profile(time.thread_time)  # this thread's CPU, not the time spent waiting for the GIL
        prof.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            prof.disable()
            with LOCK:
                if PROFILE[0] is None:
                    PROFILE[0] = pstats.Stats(prof)
                else:
                    PROFILE[0].add(prof)

    script_runner.ScriptRunner._run_script = counted
    seq = [0]
    signal.signal(signal.SIGUSR1, lambda *_: dump(out, seq))
    signal.signal(signal.SIGUSR2, lambda *_: trim())
    from streamlit.web import cli  # deferred: as above

    sys.argv = ["streamlit", "run", "app.py", "--server.headless", "true", "--server.port", port,
                "--browser.gatherUsageStats", "false"]
    cli.main()


def trim() -> None:
    """SIGUSR2: a full collection, then glibc hands its free memory back (malloc_trim): what is left is live."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def take(pid: int, out: Path, timeout: float = 30.0) -> dict:
    """Ask the server (pid) for its figures and wait for them."""
    before = json.loads(out.read_text())["seq"] if out.exists() else 0
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out.exists():
            data = json.loads(out.read_text())
            if data["seq"] > before:
                return data
        time.sleep(0.05)
    raise TimeoutError("the counting server did not answer SIGUSR1")


def difference(first: dict, last: dict) -> dict:
    statements = {}
    for key, (n, seconds) in last["statements"].items():
        n0, s0 = first["statements"].get(key, (0, 0.0))
        if n - n0:
            statements[key] = (n - n0, seconds - s0)
    profile = {}
    for key, (calls, own, total) in last.get("profile", {}).items():
        c0, o0, t0 = first.get("profile", {}).get(key, (0, 0.0, 0.0))
        if calls - c0:
            profile[key] = (calls - c0, own - o0, total - t0)
    return {"runs": last["runs"] - first["runs"], "statements": statements, "profile": profile}


def print_figures(diff: dict, top: int = 25) -> None:
    runs = max(1, diff["runs"])
    background = sum(n for key, (n, _) in diff["statements"].items() if key.startswith("[后台]"))
    script = {key: value for key, value in diff["statements"].items() if not key.startswith("[后台]")}
    total = sum(n for n, _ in script.values())
    by_kind: dict[str, int] = {}
    for key, (n, _) in script.items():
        sql = key.split(" ", 1)[1] if " " in key else key
        by_kind[sql.split(" ", 1)[0].upper()] = by_kind.get(sql.split(" ", 1)[0].upper(), 0) + n
    print(f"  语句(计数模式)       {total} 条 / {diff['runs']} 次脚本运行 = 每次运行 {total / runs:.1f} 条;按类型:"
          + ",".join(f"{k} {v / runs:.1f}" for k, v in sorted(by_kind.items(), key=lambda i: -i[1]))
          + f";后台线程(调度、门户更新)另有 {background} 条")
    print("    最常见的(每次运行条数,合计秒数,位置与语句):")
    for key, (n, seconds) in sorted(script.items(), key=lambda i: -i[1][0])[:top]:
        print(f"      {n / runs:5.2f}  {seconds:6.1f} s  {key}")
    if diff["profile"]:
        everything = sum(own for _, own, _ in diff["profile"].values())
        print(f"    cProfile(线程 CPU,全部脚本运行 {everything:.1f} s,每次运行 {everything / runs * 1000:.0f} ms),"
              "按累计时间:")
        for key, (calls, _, total) in sorted(diff["profile"].items(), key=lambda i: -i[1][2])[:top * 2]:
            print(f"      {total / everything * 100:5.1f} %  {total / runs * 1000:6.1f} ms/运行  {calls / runs:7.1f} 次/运行  {key}")


if __name__ == "__main__":
    main()
