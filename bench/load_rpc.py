"""Experiment for docs/workbench-scaling.md (not the product): several workbench processes, one owner
of the DuckDB file.

DuckDB lets one process open the file (read-write, and then nobody else, not even read-only:
stack-notes). So here every statement of every workbench process goes to the owner:

    .venv/bin/python bench/load_rpc.py owner SOCKET DB          # holds the file, one thread per client
    .venv/bin/python bench/load_rpc.py workbench SOCKET PORT    # `streamlit run app.py`, no file of its own
    .venv/bin/python bench/load_rpc.py micro DB                 # one statement: own connection vs owner

The workbench side replaces pages/_shared._connection (the one place a run gets its database) with a
connection whose cursors send each `execute(sql, params)` over a Unix socket and get the rows back. On
the owner each client connection is a thread with its own DuckDB cursor, so a transaction (BEGIN …
COMMIT in core.db.transaction) stays on one cursor and DuckDB's own conflict detection still says
"someone acted first". Sealing the audit chain runs in the owner: it numbers the chain under a lock
of its process (core/audit.py _SEAL_LOCK), and two workbench processes sealing at once gave the same
position twice ("Duplicate key seq", measured here before this was moved). The scheduler runs in neither (PORTAL_SCHEDULER=0): in a real design it would
run in the owner.
"""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import audit  # noqa: E402
from core.db import connect  # noqa: E402
from core.opening import open_database  # noqa: E402
from core.setup import init_database  # noqa: E402

HEADER = struct.Struct("!I")


def send(sock: socket.socket, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(HEADER.pack(len(data)) + data)


def receive(sock: socket.socket):
    head = _exactly(sock, HEADER.size)
    return pickle.loads(_exactly(sock, HEADER.unpack(head)[0]))


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("owner closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------- the owner

class Owner(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, db: str) -> None:
        self.con = open_database(db)
        init_database(self.con, demo=False)
        audit.seal(self.con)
        self.statements = 0
        self.by_sql: dict[str, list[float]] = {}  # statement text → [count, seconds]
        super().__init__(path, Handler)


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        cursor = self.server.con.cursor()
        try:
            while True:
                try:
                    request = receive(self.request)
                except ConnectionError:
                    return
                send(self.request, self.answer(cursor, request))
        finally:
            cursor.close()

    def answer(self, cursor, request):
        kind, *args = request
        self.server.statements += 1
        try:
            if kind == "execute":
                started = time.perf_counter()
                sql, params, where = (*args, "?")[:3]
                result = cursor.execute(sql, params)
                spent = self.server.by_sql.setdefault(f"{where} {' '.join(sql.split())[:70]}", [0, 0.0])
                spent[0] += 1
                spent[1] += time.perf_counter() - started
                description = result.description  # names only: DuckDB's type objects do not pickle
                if not description:
                    return "ok", None, []
                return "ok", [(d[0], str(d[1])) for d in description], result.fetchall()
            if kind == "stats":
                return "ok", self.server.statements, sorted(self.server.by_sql.items(), key=lambda i: -i[1][0])
            if kind == "seal":  # the chain's next positions are given out by one process (audit._SEAL_LOCK)
                return "ok", audit.seal(self.server.con, recent=args[0]), []
            if kind == "register":
                cursor.register(*args)
            elif kind == "unregister":
                cursor.unregister(*args)
            return "ok", None, []
        except Exception as exc:  # noqa: BLE001 - handed to the caller, raised there as it was here
            try:
                pickle.dumps(exc)
                return "error", exc, None
            except Exception:  # noqa: BLE001
                return "error", RuntimeError(f"{type(exc).__name__}: {exc}"), None


# ---------------------------------------------------------------- the workbench side

class RemoteCursor:
    """What core asks of a DuckDB cursor: execute (returns itself), fetchone/fetchall/fetchmany,
    description, register/unregister, cursor, close."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.path, self.description, self._rows, self._at = path, None, [], 0

    def _call(self, *request):
        send(self.sock, request)
        status, first, rows = receive(self.sock)
        if status == "error":
            raise first
        return first, rows

    def execute(self, sql: str, params=None):
        self.description, self._rows = self._call("execute", sql, list(params) if params is not None else [],
                                                  _caller())
        self._at = 0
        return self

    def fetchone(self):
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchmany(self, size: int = 1):
        found = self._rows[self._at:self._at + size]
        self._at += len(found)
        return found

    def fetchall(self):
        found = self._rows[self._at:]
        self._at = len(self._rows)
        return found

    def register(self, name: str, frame) -> RemoteCursor:
        self._call("register", name, frame)
        return self

    def unregister(self, name: str) -> RemoteCursor:
        self._call("unregister", name)
        return self

    def cursor(self) -> RemoteCursor:
        return RemoteCursor(self.path)

    def close(self) -> None:
        pass  # kept for the thread's next run (RemoteConnection)


def _caller() -> str:
    """file:line of the code that asked for the statement (past core/db.py's helpers), for the owner's
    statistics."""
    frame = sys._getframe(2)
    while frame and (frame.f_code.co_filename.endswith(("load_rpc.py", "core/db.py"))):
        frame = frame.f_back
    if frame is None:
        return "?"
    path = frame.f_code.co_filename
    return f"{path[len(str(ROOT)) + 1:] if path.startswith(str(ROOT)) else path}:{frame.f_lineno}"


class RemoteConnection:
    """One remote cursor per thread (Streamlit runs each session's script in its own thread)."""

    def __init__(self, path: str) -> None:
        self.path, self.local = path, threading.local()

    def cursor(self) -> RemoteCursor:
        if not hasattr(self.local, "cursor"):
            self.local.cursor = RemoteCursor(self.path)
        return self.local.cursor


def run_workbench(path: str, port: str) -> None:
    os.environ["PORTAL_SCHEDULER"] = "0"
    os.chdir(ROOT)
    from pages import _shared  # deferred: Streamlit's page modules load only in a workbench process

    remote = RemoteConnection(path)
    _shared._connection = lambda _db: remote
    # sealing numbers the chain under a lock of the process: with several processes it runs in the owner
    audit.seal = lambda _con, *, recent=False: remote.cursor()._call("seal", recent)[0]
    from streamlit.web import cli  # deferred: only a workbench process starts Streamlit

    sys.argv = ["streamlit", "run", "app.py", "--server.headless", "true", "--server.port", port,
                "--browser.gatherUsageStats", "false"]
    cli.main()


def micro(db: str, count: int = 2000) -> None:
    """What one statement costs through the owner against on the process's own connection: wall
    time and CPU (this process + the owner), for a point query and a wider one."""
    queries = {"一行(按用户名查用户)": ("SELECT * FROM users WHERE username = ?", ["fzr_dzxx"]),
               "百行(最近的稿件)": ("SELECT id, title, state, updated_at FROM articles ORDER BY updated_at DESC "
                                "LIMIT 100", [])}
    folder = Path(tempfile.mkdtemp(prefix="bench-rpc-"))
    try:
        local_db, owned_db = folder / "local.duckdb", folder / "owned.duckdb"
        shutil.copy2(db, local_db)
        shutil.copy2(db, owned_db)
        sock = str(folder / "owner.sock")
        owner = subprocess.Popen([sys.executable, __file__, "owner", sock, str(owned_db)], cwd=ROOT)
        while not Path(sock).exists():
            time.sleep(0.1)
        local, remote = connect(local_db).cursor(), RemoteCursor(sock)
        for label, (sql, params) in queries.items():
            for where, cur in (("本进程连接", local), ("经数据库进程", remote)):
                cur.execute(sql, params).fetchall()
                owner_cpu = _cpu(owner.pid)
                started, used = time.perf_counter(), time.process_time()
                for _ in range(count):
                    cur.execute(sql, params).fetchall()
                wall = (time.perf_counter() - started) / count * 1e6
                cpu = (time.process_time() - used + _cpu(owner.pid) - owner_cpu) / count * 1e6
                print(f"  {label:<16} {where:<8} 每条 {wall:7.0f} µs,CPU {cpu:7.0f} µs(×{count})")
        owner.terminate()
        owner.wait(timeout=10)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    if sys.argv[1] == "micro":
        micro(sys.argv[2])
        return
    role, path, other = sys.argv[1:4]
    if role == "owner":
        Path(path).unlink(missing_ok=True)
        with Owner(path, other) as owner:
            owner.serve_forever()
    else:
        run_workbench(path, other)


if __name__ == "__main__":
    main()
