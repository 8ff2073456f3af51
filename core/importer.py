"""Migrating an existing site (issue 3): one article per JSONL line, imported as published.

`import_jsonl(con, path)` streams the file. Each line is checked completely before anything
is written: JSON, required fields, dates, the body cleaned by core.content.sanitize_html, the
screening of 第十六条 (core.screening with the database's lexicons, when that module exists),
then duplicates of an earlier import, the column and division by name, and attachments with
the office's upload settings. A bad line is reported with its number and a Chinese reason
naming the field, and skipped. Good lines are written in batches, one transaction each, with
bulk INSERT … SELECT; a batch the database refuses is retried line by line, so a bad line
never takes good ones with it. Columns and divisions that --create-missing makes are created
only once the rest of their line is known to be good. Text fields come in cleaned by core.text
(no control characters) and a body over the office's 正文大小上限 is refused before it is cleaned.
A write the disk refuses (full, over quota, a file too large) is no line's fault: the run stops
there with a Chinese message and exit code 4, committed batches kept, and a re-run carries on.

The checks that need no database (JSON, cleaning, screening: most of the work) run in two
worker processes for files of POOL_FROM lines or more, while this process resolves names and
writes; workers are spawned, so a script that calls import_jsonl must guard its entry point
with `if __name__ == "__main__":`, as multiprocessing requires.

What an imported article looks like (the shape core.workflow gives a published item):
revision 1 and `live_revision = 1`, `public`, state `published`, `published_at` as the old
site had it; author and publisher are the system account; two workflow events, `create` and
`publish`, both commented 「迁移导入」 and dated at the original publication, so the statistics
of 第十七、二十五条 count the item in the month it went online (created_at and updated_at are
that date too, so old items do not crowd the top of the officers' lists). When the import
really happened is in the audit log (第二十条): one `import.article` row per article, whose
summary (JSON) keeps the file, line, old site's id and URL; a re-run reads them back and skips
what is already there. A line with neither id nor url is recognised by a fingerprint of its
column, title, publication time and body.

Lead division (第七、十四条). A column has one responsible division (第七条: 各自维护), and an
item has one lead division that answers for it (第十四条: 谁牵头、谁负责; 第十二条: 谁发布谁负责).
In the workbench the two coincide because an officer can only write into their own columns.
An old site's line can disagree, typically the office's 通知公告 carrying another division's
notice (委托发布, 第十八条). The line's division is then recorded as the lead: it published the
item and answers for it, its officers can correct or withdraw it, and the portal names it as
发布机构; the column stays the responsible division's for everything new. Making the column's
division the lead instead would show the public the wrong publisher and hand the item to a
division that never wrote it. Such items are counted in the summary so the office can review
them (第八条).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import html
import importlib
import inspect
import json
import multiprocessing
import os
import pickle
import re
import signal
import sys
import threading
import time
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core import audit, catalogue, settings
from core.content import check_attachment, own_site_paths, safe_filename, sanitize_html
from core.db import rows, scalar, storage_failure, transaction
from core.disclosure_terms import DISCLOSURE_MODES, DOC_KINDS, VALIDITY, WITHHELD_GROUNDS
from core.errors import ValidationError
from core.progress import Progress
from core.text import BODY_SETTING, check_body_size, clean_text
from core.workflow import IMPORTANCE, TITLE_MAX

BATCH = 500  # lines a transaction writes
CHUNK = 250  # lines a worker process checks at a time
POOL_FROM = 2000  # lines from which the checks run in worker processes
COMMENT = "迁移导入"
ACTION = "import.article"
# the keys of a line, with the Chinese name each message uses
REQUIRED = {
    "column": "栏目", "division": "处室", "title": "标题", "body_html": "正文", "source": "信息来源",
    "work_end_date": "工作结束日期", "published_at": "发布时间",
}
# the catalogue data of a document (政府信息公开目录, 第十二条), optional on any line of a catalogue column
CATALOGUE_LABELS = {
    "index_number": "索引号", "issuer": "发文机关", "doc_number": "文号", "doc_kind": "文件类别",
    "written_on": "成文日期", "topic": "主题分类", "disclosure": "公开方式", "withheld_ground": "不予公开理由",
    "validity": "有效性", "validity_changed_on": "有效性变更日期", "replaced_by": "替代文件的文号",
    "interprets": "所解读文件的文号",
}
LABELS = {**REQUIRED, "importance": "重要程度", "attachments": "附件", "id": "原网站编号", "url": "原网站网址",
          **CATALOGUE_LABELS}
# core.catalogue names a field by its label; the line's key for each
_CATALOGUE_KEYS = {**{label: key for key, label in catalogue.FIELD_LABELS.items()},
                   "主题分类": "topic", "替代文件": "replaced_by", "所解读的政策文件": "interprets"}
# why a line was skipped: code → label in the summary
REASONS = {
    "json": "不是有效的 JSON 对象",
    "missing": "缺少必填字段",
    "invalid": "字段值无效",
    "date": "日期无效",
    "column": "栏目不存在",
    "ambiguous": "栏目名称不唯一",
    "division": "处室不存在",
    "attachment": "附件被拒绝",
    "duplicate": "已导入过(重复)",
    "screening": "筛查拦截(第十六条)",
    "database": "写入数据库失败",
}
# counted, not skipped
NOTES = {
    "lead_differs": "牵头处室按原网站记录,与栏目责任处室不同(第七、十四条),请办公室核对",
    "retired_column": "导入到已撤销的栏目(保留历史信息,第八条)",
    "screening_warn": "有筛查提示(仅提示、未拦截,如个人信息、正文重复标题;第十五、十六条)",
}
KEY_MAX = 1000  # characters of an old id or URL (the audit summary keeps 4,000)
CHINA = dt.timezone(dt.timedelta(hours=8))  # no daylight saving: a fixed offset is exact
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?")
_SLUG_NUMBER = re.compile(r"imp-(\d+)")


class LineError(Exception):
    """Why one line cannot be imported: a reason code, the key at fault and a Chinese message."""

    def __init__(self, reason: str, key: str | None, message: str):
        self.reason = reason
        self.key = key
        field_name = f"「{key}」({LABELS[key]})" if key in LABELS else (f"「{key}」" if key else "")
        text = f"{field_name}:{message}" if field_name else message
        super().__init__(text)


class WriteFailed(Exception):
    """Writing lines first..last failed for a reason no line can fix (a full disk): the import stops."""

    def __init__(self, first: int, last: int, why: str):
        lines = f"第 {first} 行" if first == last else f"第 {first}–{last} 行"
        super().__init__(f"写入{lines}时{why},导入已停止。此前已提交的批次保留;腾出磁盘空间后重新运行同一命令,"
                         "已导入的行会跳过,其余各行继续导入")


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行:{self.message},已跳过"


@dataclass
class ImportResult:
    file: str
    dry_run: bool = False
    read: int = 0
    imported: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)  # the first PROBLEMS_KEPT
    created_divisions: list[str] = field(default_factory=list)
    created_columns: list[str] = field(default_factory=list)
    interrupted: bool = False
    failed: str = ""  # why writing stopped (a full disk): the run ended there, committed batches stay
    seconds: float = 0.0

    PROBLEMS_KEPT = 10_000

    @property
    def exit_code(self) -> int:
        """0 when every line was imported, 1 when some were skipped (or the run was interrupted),
        4 when writing failed (a full disk)."""
        if self.failed:
            return 4
        return 1 if self.skipped or self.interrupted else 0

    def as_dict(self) -> dict:
        return {
            "file": self.file, "dry_run": self.dry_run, "read": self.read, "imported": self.imported,
            "skipped": self.skipped, "reasons": {REASONS[k]: v for k, v in self.reasons.most_common()},
            "notes": {NOTES[k]: v for k, v in self.notes.most_common()},
            "created_divisions": self.created_divisions, "created_columns": self.created_columns,
            "interrupted": self.interrupted, "failed": self.failed, "seconds": round(self.seconds, 2),
        }

    def summary(self) -> str:
        """The closing lines the command prints (Chinese)."""
        verb, skip = ("可导入", "将跳过") if self.dry_run else ("导入", "跳过")
        head = "试运行(未写入数据库)" if self.dry_run else "迁移导入"
        lines = [f"{head} {self.file}:读取 {self.read} 行,{verb} {self.imported} 篇,{skip} {self.skipped} 行,"
                 f"用时 {self.seconds:.1f} 秒。"]
        if self.failed:
            lines.append(f"导入未完成:{self.failed}")
        if self.interrupted:
            lines.append("导入被中断:已提交的批次保留,重新运行同一命令会跳过已导入的行、继续导入其余各行。")
        if self.reasons:
            lines.append(f"{skip}原因:" + ";".join(f"{REASONS[k]} {n} 行" for k, n in self.reasons.most_common()))
        made = "将新建" if self.dry_run else "新建"
        if self.created_divisions:
            lines.append(f"{made}处室 {len(self.created_divisions)} 个:" + "、".join(self.created_divisions))
        if self.created_columns:
            lines.append(f"{made}栏目 {len(self.created_columns)} 个:" + "、".join(self.created_columns))
        for key, n in self.notes.most_common():
            lines.append(f"说明:{n} 篇{NOTES[key]}。")
        if self.imported and not self.dry_run:
            lines.append("门户尚未更新:请运行 python -m core build-site --full 重新生成网站。")
        return "\n".join(lines)


@dataclass
class _Line:
    """One checked line, ready to write."""

    number: int
    column_id: int
    lead_id: int
    title: str
    body_html: str
    source: str
    work_ended_on: dt.date
    importance: str
    published_at: dt.datetime
    attachments: list[tuple[str, str, bytes]]  # (stored name, mime, data)
    keys: list[tuple[str, str]]  # dedup keys this line claims
    trace: dict  # what the audit row keeps
    catalogue: dict | None = None  # the entry's fields (topic as its id; interprets/replaced_by as 文号 until resolved)


def normalise(text: str) -> str:
    """The matching form of a name: NFKC (full-width brackets, spaces) and single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def column_segments(text: str) -> tuple[str, ...]:
    """「政府信息公开 / 政策文件」→ ('政府信息公开', '政策文件'); ／ counts as /."""
    return tuple(part for part in (normalise(p) for p in normalise(text).split("/")) if part)


def count_lines(path: Path) -> int:
    total, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            total += chunk.count(b"\n")
            last = chunk[-1:]
    return total + (last != b"\n")


def screen_function() -> Callable | None:
    """core.screening.screen once the screening issue has landed (第十六条), else None.

    A screening module that exists but cannot load is an error, not a reason to skip:
    nothing goes online unscreened."""
    try:
        module = importlib.import_module("core.screening")
    except ModuleNotFoundError as exc:
        if exc.name == "core.screening":
            return None
        raise
    return module.screen


class _Screen:
    """screen(title, body_html) with the database's lexicons and the line's attachments, when the
    function takes them."""

    def __init__(self, screen: Callable, lexicon=None, con=None):
        params = inspect.signature(screen).parameters
        self.function = screen
        self.lexicon = lexicon
        self.fixed: dict = {}
        if "lexicon" in params and lexicon is not None:
            self.fixed["lexicon"] = lexicon
        if "con" in params:
            self.fixed["con"] = con
        self.attachments = "attachments" in params
        # worker processes import the module afresh: only the real one, and without a connection
        module = sys.modules.get("core.screening")
        self.portable = getattr(module, "__file__", None) is not None and "con" not in params

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> _Screen | None:
        screen = screen_function()
        if screen is None:
            return None
        lexicon = None
        if "lexicon" in inspect.signature(screen).parameters:
            lexicon = importlib.import_module("core.lexicon").load(con)
        return cls(screen, lexicon, con)

    def __call__(self, title: str, body_html: str, attachments: list[tuple[str, str, bytes]]) -> list:
        extra = {"attachments": [(name, data) for name, _mime, data in attachments]} if attachments else {}
        return list(self.function(title, body_html, **self.fixed, **extra) or ())


def imported_keys(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """The old ids, URLs and fingerprints of everything imported so far → which article they became."""
    known: dict[tuple[str, str], str] = {}
    for obj, summary in con.execute(
            "SELECT object, summary FROM audit_log WHERE action = ? ORDER BY id", [ACTION]).fetchall():
        try:
            trace = json.loads(summary or "")
        except json.JSONDecodeError:
            continue
        where = f"稿件 {obj.partition(':')[2]}"
        for kind in ("old_id", "old_url", "fingerprint"):
            if isinstance(trace, dict) and trace.get(kind):
                known[(kind, str(trace[kind]))] = where
    return known


# ---------------------------------------------------------------------- checks without the database


@dataclass
class _Fields:
    """What a line says, checked without the database (in worker processes for big files)."""

    number: int
    column: str
    division: str
    title: str
    body_html: str  # sanitised
    source: str
    importance: str
    work_ended_on: dt.date
    published_at: dt.datetime
    keys: list[tuple[str, str]]  # old id / URL, or the content fingerprint
    attachments: list  # the line's attachment specs, read later
    warned: bool  # the screening had warnings (no block)
    catalogue: dict | None = None  # the catalogue fields as checked without the database


def check_duplicate(known: dict[tuple[str, str], str], keys: list[tuple[str, str]]) -> None:
    """Refuse a line whose old id, URL or fingerprint is already in (an earlier import or line)."""
    for kind, value in keys:
        where = known.get((kind, value))
        if where is not None:
            key = {"old_id": "id", "old_url": "url", "fingerprint": None}[kind]
            what = f"「{value}」" if key else "栏目、标题、发布时间和正文均相同的稿件"
            raise LineError("duplicate", key, f"{what}已导入过({where}),不再重复导入")


def _judge(findings: list) -> bool:
    """Raise for the first `block` finding (第十六条); True when there were only warnings."""
    warned = False
    for finding in findings:
        get = finding.get if isinstance(finding, dict) else (lambda k, f=finding: getattr(f, k, None))
        if get("severity") != "block":
            warned = True
            continue
        where = str(get("where") or "body")
        key = "title" if where == "title" else "attachments" if where.startswith("attachment") else "body_html"
        message = str(get("message") or get("excerpt") or "")
        article = get("article")
        if article and article not in message:
            message += f"({article})"
        raise LineError("screening", key, f"筛查拦截:{message}")
    return warned


class _Checker:
    """JSON, required fields, dates, the body's cleaning and screening: everything a line can be
    told without the database. Picklable state only, so worker processes can run it."""

    def __init__(self, now: dt.datetime, latest_work_end: dt.date, screen: _Screen | None,
                 known: dict[tuple[str, str], str] | None = None,
                 body_max_mb: int = settings.BY_NAME[BODY_SETTING].default, own_site: str = ""):
        self.now = now
        self.latest_work_end = latest_work_end
        self.screen = screen
        self.known = known or {}  # what earlier imports brought in
        self.body_max_mb = body_max_mb
        self.own_site = own_site  # the portal's address: an old page's pictures on it stay (as paths)

    @staticmethod
    def _text(item: dict, key: str, required: bool = True) -> str:
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise LineError("invalid", key, "须为文本")
        # markup: sanitize_html cleans it; other text is cleaned before "empty" is judged, so a field of
        # control or invisible characters only is missing, not stored blank (issue 12, M3)
        text = (value or "").strip() if key == "body_html" else clean_text(value)
        if not text and required:
            raise LineError("missing", key, "缺少或为空")
        return text

    def _date(self, item: dict) -> dt.date:
        text = self._text(item, "work_end_date")
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise LineError("date", "work_end_date", f"「{text[:40]}」不是 YYYY-MM-DD 格式的日期") from None
        if value > self.latest_work_end:
            raise LineError("date", "work_end_date", f"{value} 晚于一年以后(第十七条)")
        return value

    def _published(self, item: dict) -> dt.datetime:
        text = self._text(item, "published_at")
        try:
            if not _DATETIME.fullmatch(text):
                raise ValueError
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise LineError("date", "published_at",
                            f"「{text[:40]}」不是 ISO 格式的日期或日期时间(如 2024-03-01 或 2024-03-01T09:30:00)") from None
        if value.tzinfo is not None:  # the portal keeps Beijing time without a zone
            value = value.astimezone(CHINA).replace(tzinfo=None)
        if value > self.now:
            raise LineError("date", "published_at", f"{value:%Y-%m-%d %H:%M} 晚于当前时间,迁移的只能是已发布的信息")
        return value

    def _old_keys(self, item: dict) -> list[tuple[str, str]]:
        keys = []
        for key, kind in (("id", "old_id"), ("url", "old_url")):
            value = item.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise LineError("invalid", key, "须为文本或整数")
            value = str(value).strip()
            if len(value) > KEY_MAX:
                raise LineError("invalid", key, f"超过 {KEY_MAX} 个字符")
            if value:
                keys.append((kind, value))
        return keys

    def check(self, number: int, raw: bytes) -> _Fields | None:
        """One line; None for a blank one."""
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise LineError("json", None, "不是 UTF-8 编码的文本") from None
        if not text.strip():
            return None
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LineError("json", None, f"不是有效的 JSON({exc.msg},第 {exc.colno} 列)") from None
        except RecursionError:  # [[[[…]]]] 2,000 deep: one bad line, not the end of the import (issue 12, L4)
            raise LineError("json", None, "JSON 嵌套层数过多,无法读取(一篇稿件的数据只有一层对象和附件列表)") from None
        if not isinstance(item, dict):
            raise LineError("json", None, "须为一个 JSON 对象({\"title\": …, …})")
        self._body_size(item)
        for key in REQUIRED:
            self._text(item, key)
        keys = self._old_keys(item)
        column = self._text(item, "column")
        if not column_segments(column):
            raise LineError("missing", "column", "为空")
        title = " ".join(self._text(item, "title").split())
        if len(title) > TITLE_MAX:
            raise LineError("invalid", "title", f"超过 {TITLE_MAX} 个字")
        source = self._text(item, "source")
        importance = item.get("importance") or "一般"
        if importance not in IMPORTANCE:
            raise LineError("invalid", "importance", f"须为 {'/'.join(IMPORTANCE)} 之一(第十四条)")
        work_ended_on = self._date(item)
        published_at = self._published(item)
        raw_body = self._text(item, "body_html")
        if not keys:  # no old id or URL: the content itself identifies a re-run
            digest = hashlib.sha256("\x1f".join(
                [normalise(column), title, published_at.isoformat(), raw_body]).encode("utf-8")).hexdigest()
            keys = [("fingerprint", digest[:32])]
        check_duplicate(self.known, keys)  # before the costly part: a re-run is quick
        body = sanitize_html(own_site_paths(raw_body, self.own_site))
        if not html.unescape(re.sub(r"<[^>]*>", "", body)).strip() and "<img" not in body:
            raise LineError("invalid", "body_html", "清理(去除脚本、样式等)后正文为空")
        listed = item.get("attachments") or []
        if not isinstance(listed, list):
            raise LineError("invalid", "attachments", "须为列表")
        warned = _judge(self.screen(title, body, [])) if self.screen is not None else False
        return _Fields(number, column, self._text(item, "division"), title, body, source, importance,
                       work_ended_on, published_at, keys, listed, warned, self._catalogue(item))

    def _catalogue_date(self, item: dict, key: str) -> dt.date | None:
        text = self._text(item, key, required=False)
        if not text:
            return None
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise LineError("date", key, f"「{text[:40]}」不是 YYYY-MM-DD 格式的日期") from None
        if value > self.now.date():
            raise LineError("date", key, f"{value} 晚于今天(第十二条)")
        return value

    def _catalogue(self, item: dict) -> dict | None:
        """The line's catalogue fields, each checked as core.catalogue checks the editor's (第十二条)."""
        if not any(item.get(key) not in (None, "") for key in CATALOGUE_LABELS):
            return None
        found = {key: self._text(item, key, required=False)
                 for key in CATALOGUE_LABELS if key not in ("written_on", "validity_changed_on")}
        if len(found["index_number"]) > 100:
            raise LineError("invalid", "index_number", "超过 100 个字符")
        for key in ("doc_number", "interprets", "replaced_by"):
            try:
                found[key] = catalogue.check_doc_number(found[key])
            except ValidationError as exc:
                raise LineError("invalid", key, exc.rule) from None
        found["written_on"] = self._catalogue_date(item, "written_on")
        found["validity_changed_on"] = self._catalogue_date(item, "validity_changed_on")
        for key, allowed in (("disclosure", DISCLOSURE_MODES), ("validity", VALIDITY),
                             ("doc_kind", DOC_KINDS)):
            if found[key] and found[key] not in allowed:
                raise LineError("invalid", key, f"须为 {'/'.join(allowed)} 之一(第十二条)")
        if found["disclosure"] == "不予公开" and found["withheld_ground"] not in WITHHELD_GROUNDS:
            raise LineError("invalid", "withheld_ground", "不予公开须写明法定理由之一:" + "、".join(WITHHELD_GROUNDS))
        if found["validity"] in ("已修改", "已废止"):
            if found["validity_changed_on"] is None:
                raise LineError("missing", "validity_changed_on", f"{found['validity']}的文件须写明日期(第十二条)")
            if not found["replaced_by"]:
                raise LineError("missing", "replaced_by", f"{found['validity']}的文件须写明替代文件的文号(第十二条)")
        return found

    def _body_size(self, item: dict) -> None:
        """The office's limit on a body, before its costly cleaning (issue 12, L5)."""
        body = item.get("body_html")
        if isinstance(body, str):
            try:
                check_body_size(body, self.body_max_mb)
            except ValidationError as exc:
                raise LineError("invalid", "body_html", exc.rule) from None

    def check_chunk(self, chunk: list[tuple[int, bytes]]) -> list[tuple[int, _Fields | tuple[str, str] | None]]:
        """Each line's fields, or (reason, message) for a bad one."""
        out: list[tuple[int, _Fields | tuple[str, str] | None]] = []
        for number, raw in chunk:
            try:
                out.append((number, self.check(number, raw)))
            except LineError as exc:
                out.append((number, (exc.reason, str(exc))))
        return out


_WORKER: _Checker | None = None


def _exit_with(parent: int) -> None:
    """A worker outlives a killed parent otherwise (its queue keeps the pipe open)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _start_worker(now: dt.datetime, latest_work_end: dt.date, screening: bool, lexicon: bytes | None,
                  known: dict[tuple[str, str], str], body_max_mb: int, own_site: str) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the pool
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    screen = None
    if screening:
        screen = _Screen(screen_function(), pickle.loads(lexicon) if lexicon is not None else None)
    _WORKER = _Checker(now, latest_work_end, screen, known, body_max_mb, own_site)


def _check_in_worker(chunk: list[tuple[int, bytes]]) -> list:
    assert _WORKER is not None
    return _WORKER.check_chunk(chunk)


class _Importer:
    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, *, create_missing: bool, dry_run: bool,
                 batch_size: int, on_problem: Callable[[Problem], None] | None):
        self.con = con
        self.path = path
        self.folder = path.resolve().parent
        self.create_missing = create_missing
        self.dry_run = dry_run
        self.batch_size = max(1, int(batch_size))
        self.on_problem = on_problem
        self.result = ImportResult(file=path.name, dry_run=dry_run)
        self.now = dt.datetime.now()
        self.latest_work_end = dt.date.today() + dt.timedelta(days=366)
        self.types = settings.get(con, "attachment_types")
        self.max_mb = settings.get(con, "attachment_max_mb")
        self.body_max_mb = settings.get(con, BODY_SETTING)
        self.own_site = settings.get(con, "site_url")
        self.system_id: int | None = scalar(con, "SELECT id FROM users WHERE username = 'system'")
        if self.system_id is None and not dry_run:
            raise ValidationError("系统账号", "数据库缺少系统账号 system,请先运行 python -m core init")
        self.screen = _Screen.load(con)
        self.known = imported_keys(con)
        self._load_divisions()
        self._load_columns()
        self._load_catalogue()
        self.batch: list[_Line] = []
        self._writing: list[int] = []  # ids of the batch being written
        self._fake_id = 0  # ids of what a dry run would create

    # ------------------------------------------------------------------ names

    def _load_divisions(self) -> None:
        self.divisions: dict[str, int] = {}
        for r in rows(self.con, "SELECT id, name FROM divisions ORDER BY id"):
            self.divisions.setdefault(normalise(r["name"]), r["id"])

    def _load_catalogue(self) -> None:
        """What the catalogue fields of a line resolve against (政府信息公开目录, 第十二条)."""
        self.catalogue_kinds = set(catalogue.catalogue_kinds(self.con))
        self.column_kinds = {r["id"]: r["kind"] for r in rows(self.con, "SELECT id, kind FROM columns")}
        self.topic_ids = {normalise(t["name"]): t["id"] for t in catalogue.topics(self.con, include_retired=True)}
        self.index_numbers = {r["index_number"] for r in rows(
            self.con, "SELECT index_number FROM catalogue_entries WHERE index_number IS NOT NULL")}
        self.deferred: list[_Line] = []  # lines naming another document by its 文号: written once all are read
        self.run_docs: dict[str, str] = {}  # 文号 → column kind of the lines of this run (for a dry run)

    def _load_columns(self) -> None:
        self.columns: dict[int, dict] = {}
        self.by_leaf: dict[str, list[int]] = {}
        for r in rows(self.con, "SELECT id, parent_id, name, division_id, retired FROM columns ORDER BY id"):
            self._remember_column(r["id"], r["parent_id"], r["name"], r["division_id"], r["retired"])
        self._paths: dict[int, tuple[str, ...]] = {}
        self._resolved: dict[str, int] = {}

    def _remember_column(self, column_id, parent_id, name, division_id, retired) -> None:
        key = normalise(name)
        self.columns[column_id] = {"parent_id": parent_id, "key": key, "name": name,
                                   "division_id": division_id, "retired": bool(retired)}
        self.by_leaf.setdefault(key, []).append(column_id)

    def _path(self, column_id: int) -> tuple[str, ...]:
        found = self._paths.get(column_id)
        if found is None:
            parts, seen, cur = [], set(), column_id
            while cur in self.columns and cur not in seen:
                seen.add(cur)
                parts.append(self.columns[cur]["key"])
                cur = self.columns[cur]["parent_id"]
            found = self._paths[column_id] = tuple(reversed(parts))
        return found

    def _show(self, column_id: int) -> str:
        return "/".join(self.columns[c]["name"] for c in self._ids_along(column_id))

    def _ids_along(self, column_id: int) -> list[int]:
        ids, seen, cur = [], set(), column_id
        while cur in self.columns and cur not in seen:
            seen.add(cur)
            ids.append(cur)
            cur = self.columns[cur]["parent_id"]
        return list(reversed(ids))

    def _find_column(self, segments: tuple[str, ...]) -> int | None:
        """A full path, else a unique trailing part of one (the leaf name alone included)."""
        candidates = self.by_leaf.get(segments[-1], [])
        exact = [c for c in candidates if self._path(c) == segments]
        found = exact or [c for c in candidates if self._path(c)[-len(segments):] == segments]
        if len(found) > 1:
            shown = "、".join(f"「{self._show(c)}」" for c in found[:5])
            raise LineError("ambiguous", "column", f"「{'/'.join(segments)}」对应多个栏目({shown}),请写完整路径")
        return found[0] if found else None

    def _column(self, text: str, division_id: int | None = None, *, create: bool = False) -> int | None:
        """The column a line names. A missing one is an error, or with --create-missing None until
        `create` (once the rest of the line is known to be good) makes it."""
        cached = self._resolved.get(text)
        if cached is not None:
            return cached
        segments = column_segments(text)
        if not segments:
            raise LineError("missing", "column", "为空")
        found = self._find_column(segments)
        if found is None and "/" in text:  # a name that itself holds a slash
            found = self._find_column((normalise(text),))
        if found is None:
            if not self.create_missing:
                raise LineError("column", "column", f"「{text}」不存在(可写栏目名称或完整路径,如「政府信息公开/政策文件」;"
                                                    "或加 --create-missing 新建)")
            too_long = [s for s in segments if len(s) > 40]
            if too_long:
                raise LineError("invalid", "column", f"新建栏目「{too_long[0]}」的名称超过 40 个字(第八条)")
            if not create:
                return None
            found = self._create_column(segments, division_id)
        self._resolved[text] = found
        return found

    def _division(self, text: str) -> int | None:
        key = normalise(text)
        found = self.divisions.get(key)
        if found is None and not self.create_missing:
            raise LineError("division", "division", f"「{text}」不存在(或加 --create-missing 新建)")
        return found

    # ------------------------------------------------------------------ creating (--create-missing)

    def _next_number(self, table: str, column: str) -> int:
        found = [int(m.group(1)) for (value,) in self.con.execute(f"SELECT {column} FROM {table}").fetchall()
                 if (m := _SLUG_NUMBER.fullmatch(value or ""))]
        return max(found, default=0) + 1

    def _new_id(self) -> int:
        self._fake_id -= 1
        return self._fake_id

    def _create_division(self, text: str) -> int:
        name = normalise(text)
        if self.dry_run:
            division_id = self._new_id()
        else:
            with transaction(self.con):
                code = f"imp-{self._next_number('divisions', 'code')}"
                position = scalar(self.con, "SELECT coalesce(max(position), 0) + 10 FROM divisions")
                division_id = self.con.execute(
                    "INSERT INTO divisions (code, name, kind, position) VALUES (?, ?, 'division', ?) RETURNING id",
                    [code, name, position]).fetchone()[0]
                audit.record(self.con, "system", "divisions.create", f"division:{division_id}",
                             f"{COMMENT}:新建处室「{name}」({code})")
        self.divisions[name] = division_id
        self.result.created_divisions.append(name)
        return division_id

    def _create_column(self, segments: tuple[str, ...], division_id: int) -> int:
        """Create the column and, along its path, the parents that are missing (第八条: the office's
        migration brings them; kind 综合, responsible division = the line's division)."""
        parent = None
        if len(segments) > 1:
            parent = self._find_column(segments[:-1])
            if parent is None:
                parent = self._create_column(segments[:-1], division_id)
        name = segments[-1]
        if self.dry_run:
            column_id = self._new_id()
        else:
            with transaction(self.con):
                slug = f"imp-{self._next_number('columns', 'slug')}"
                position = scalar(self.con, "SELECT coalesce(max(position), 0) + 10 FROM columns "
                                            "WHERE parent_id IS NOT DISTINCT FROM ?", [parent])
                column_id = self.con.execute(
                    "INSERT INTO columns (parent_id, slug, name, kind, division_id, position) "
                    "VALUES (?, ?, ?, 'general', ?, ?) RETURNING id",
                    [parent, slug, name, division_id, position]).fetchone()[0]
                audit.record(self.con, "system", "columns.create", f"column:{column_id}",
                             f"{COMMENT}:新建栏目「{'/'.join(segments)}」({slug}),责任处室 {division_id}")
        self._remember_column(column_id, parent, name, division_id, False)
        self.result.created_columns.append("/".join(segments))
        return column_id

    # ------------------------------------------------------------------ one line, with the database

    def _attachment_bytes(self, index: int, spec) -> tuple[str, str, bytes]:
        where = f"第 {index} 个附件"
        if not isinstance(spec, dict):
            raise LineError("invalid", "attachments", f"{where}须为含 filename 和 path 或 data_base64 的对象")
        filename = spec.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            raise LineError("attachment", "attachments", f"{where}缺少文件名 filename")
        path, encoded = spec.get("path"), spec.get("data_base64")
        if bool(path) == bool(encoded):
            raise LineError("attachment", "attachments", f"{where}「{filename}」须给出 path 或 data_base64 之一")
        limit = self.max_mb * 1024 * 1024
        too_big = f"{where}「{filename}」超过大小上限 {self.max_mb} MB(第二十条)"
        if path:
            if not isinstance(path, str) or Path(path).is_absolute():
                raise LineError("attachment", "attachments", f"{where}的 path 须为相对于 JSONL 文件所在目录的路径")
            target = (self.folder / path).resolve()
            if not target.is_relative_to(self.folder):
                raise LineError("attachment", "attachments", f"{where}「{path}」不在 JSONL 文件所在目录之内")
            if not target.is_file():
                raise LineError("attachment", "attachments", f"{where}文件「{path}」不存在")
            if target.stat().st_size > limit:
                raise LineError("attachment", "attachments", too_big)
            data = target.read_bytes()
        else:
            if not isinstance(encoded, str):
                raise LineError("attachment", "attachments", f"{where}的 data_base64 须为文本")
            compact = "".join(encoded.split())
            if len(compact) * 3 // 4 > limit + 3:
                raise LineError("attachment", "attachments", too_big)
            try:
                data = base64.b64decode(compact, validate=True)
            except (binascii.Error, ValueError):
                raise LineError("attachment", "attachments", f"{where}「{filename}」的 data_base64 不是有效的 Base64") from None
        try:
            mime = check_attachment(filename, data, self.types, self.max_mb)
        except ValidationError as exc:
            raise LineError("attachment", "attachments", f"{where}:{exc.rule}({exc.article})") from None
        return safe_filename(filename), mime, data

    def _screen_attachments(self, attachments: list[tuple[str, str, bytes]]) -> bool:
        if self.screen is None or not attachments or not self.screen.attachments:
            return False
        return _judge(self.screen("", "", attachments))

    def accept(self, fields: _Fields) -> _Line:
        """What needs the database: duplicates, names, attachments; then create what is missing."""
        check_duplicate(self.known, fields.keys)  # also against the lines of this run
        division_id = self._division(fields.division)
        column_id = self._column(fields.column)
        attachments = [self._attachment_bytes(i, spec) for i, spec in enumerate(fields.attachments, start=1)]
        warned = self._screen_attachments(attachments) or fields.warned
        entry = self._catalogue_entry(fields, column_id)
        # everything else is right: only now create what is missing
        if division_id is None:
            division_id = self._create_division(fields.division)
        if column_id is None:
            column_id = self._column(fields.column, division_id, create=True)
        column = self.columns[column_id]
        if column["division_id"] != division_id:
            self.result.notes["lead_differs"] += 1
        if column["retired"]:
            self.result.notes["retired_column"] += 1
        if warned:
            self.result.notes["screening_warn"] += 1
        trace = {"file": self.path.name, "line": fields.number, **dict(fields.keys),
                 "column": fields.column, "division": fields.division}
        for key in fields.keys:
            self.known[key] = f"第 {fields.number} 行"
        if entry is not None:
            trace["catalogue"] = {k: str(v) for k, v in fields.catalogue.items() if v not in (None, "")}
            if entry["index_number"]:
                self.index_numbers.add(entry["index_number"])
            if entry["doc_number"]:
                self.run_docs.setdefault(entry["doc_number"], self.column_kinds[column_id])
        return _Line(fields.number, column_id, division_id, fields.title, fields.body_html, fields.source,
                     fields.work_ended_on, fields.importance, fields.published_at, attachments, fields.keys, trace,
                     entry)

    def _catalogue_entry(self, fields: _Fields, column_id: int | None) -> dict | None:
        """The line's catalogue entry with its topic resolved; the documents it names stay 文号 until the
        whole file is read (a 解读 may come before its 政策文件)."""
        found = fields.catalogue
        if found is None:
            return None
        if self.column_kinds.get(column_id) not in self.catalogue_kinds:
            raise LineError("invalid", "column", "该栏目的信息不登记政府信息公开目录,不能带公开目录字段(第十二条)")
        if found["interprets"] and self.column_kinds[column_id] != catalogue.INTERPRETATION_KIND:
            raise LineError("invalid", "interprets", "只有政策解读栏目中的解读才关联所解读的政策文件(第十二条)")
        topic = None
        if found["topic"]:
            topic = self.topic_ids.get(normalise(found["topic"]))
            if topic is None:
                raise LineError("invalid", "topic", f"「{found['topic'][:40]}」不是办公室设定的主题分类(第十二条)")
        if found["index_number"] and found["index_number"] in self.index_numbers:
            raise LineError("duplicate", "index_number", f"「{found['index_number']}」已被其他文件使用,索引号不能重复")
        entry = {**found, "topic_id": topic}
        del entry["topic"]
        try:
            catalogue.check_entry(self.con, {**entry, "replaced_by": None, "interprets": None,
                                             "validity": "有效"}, today=self.now.date())
        except ValidationError as exc:
            raise LineError("invalid", _CATALOGUE_KEYS.get(exc.field), exc.rule) from None
        return entry

    # ------------------------------------------------------------------ writing

    def problem(self, number: int, reason: str, message: str) -> None:
        found = Problem(number, reason, message)
        self.result.skipped += 1
        self.result.reasons[reason] += 1
        if len(self.result.problems) < ImportResult.PROBLEMS_KEPT:
            self.result.problems.append(found)
        if self.on_problem:
            self.on_problem(found)

    def add(self, line: _Line) -> None:
        if line.catalogue and (line.catalogue["interprets"] or line.catalogue["replaced_by"]):
            self.deferred.append(line)
            return
        self.batch.append(line)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def resolve_deferred(self) -> None:
        """Write the lines that name another document by its 文号 (a 解读's 政策文件, a repealed document's
        replacement), once every line is read: in rounds, as the documents they name are written. A line
        whose document cannot be found is skipped whole, like any bad line."""
        pending, self.deferred = self.deferred, []
        while pending:
            ready, waiting = [], []
            for line in pending:
                try:
                    resolved = self._resolve(line)
                except LineError as exc:
                    self._forget(line)
                    self.problem(line.number, exc.reason, str(exc))
                    continue
                (ready if resolved else waiting).append(line)
            if not ready:
                for line in waiting:
                    self._forget(line)
                    key = "interprets" if line.catalogue["interprets"] else "replaced_by"
                    self.problem(line.number, "invalid", str(LineError(
                        "invalid", key, f"文号「{line.catalogue[key]}」所指的文件未能导入,本行一并跳过(第十二条)")))
                return
            self.batch += ready
            self.flush()
            pending = waiting

    def _resolve(self, line: _Line) -> bool:
        """Find the documents the line names; False while one is a line of this run not yet written."""
        entry = line.catalogue
        for key in ("interprets", "replaced_by"):
            number = entry[key]
            if not number:
                entry[f"{key}_id"] = None
                continue
            if self.dry_run:
                kind = self.run_docs.get(number) or scalar(self.con, """
                    SELECT any_value(c.kind) FROM catalogue_entries e JOIN articles a ON a.id = e.article_id
                    JOIN columns c ON c.id = a.column_id WHERE e.doc_number = ? AND a.state <> 'withdrawn'""",
                                                           [number])
                if kind is None:
                    raise LineError("invalid", key, f"找不到文号为「{number}」的文件(须已在本系统中或在本文件中)")
                found = [{"id": None, "kind": kind}]
            else:
                found = rows(self.con, """
                    SELECT a.id, c.kind FROM catalogue_entries e JOIN articles a ON a.id = e.article_id
                    JOIN columns c ON c.id = a.column_id WHERE e.doc_number = ? AND a.state <> 'withdrawn'
                    ORDER BY a.id""", [number])
                if not found:
                    if number in self.run_docs:
                        return False
                    raise LineError("invalid", key, f"找不到文号为「{number}」的文件(须已在本系统中或在本文件中)")
                if len(found) > 1:
                    raise LineError("invalid", key, f"文号「{number}」对应多篇文件,无法确定是哪一篇")
            if key == "interprets" and found[0]["kind"] != catalogue.POLICY_KIND:
                raise LineError("invalid", key, f"文号「{number}」的文件不是政策文件,解读只能关联政策文件(第十二条)")
            entry[f"{key}_id"] = found[0]["id"]
        if not self.dry_run:
            try:
                catalogue.check_entry(self.con, {**{k: v for k, v in entry.items() if k in catalogue.EDITABLE},
                                                 "interprets": entry["interprets_id"],
                                                 "replaced_by": entry["replaced_by_id"]}, today=self.now.date())
            except ValidationError as exc:
                raise LineError("invalid", _CATALOGUE_KEYS.get(exc.field), exc.rule) from None
        return True

    def _forget(self, line: _Line) -> None:
        for key in line.keys:
            self.known.pop(key, None)
        self.index_numbers.discard(line.catalogue["index_number"])

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        if self.dry_run:
            self.result.imported += len(batch)
            return
        self._writing = []
        try:
            with transaction(self.con):
                self._write(batch)
        except (duckdb.Error, RuntimeError, KeyboardInterrupt) as exc:
            if interrupted(exc):  # Ctrl-C: stop (no retrying line by line), counting what committed
                self._count_if_committed(batch)
                raise KeyboardInterrupt from None
            if not isinstance(exc, duckdb.Error):
                raise
            why = storage_failure(exc)
            if why:  # retrying line by line would only hit the full disk again
                raise WriteFailed(batch[0].number, batch[-1].number, why) from None
            if len(batch) == 1:
                for key in batch[0].keys:
                    self.known.pop(key, None)
                self.problem(batch[0].number, "database", f"写入数据库失败:{str(exc).splitlines()[0]}")
                return
            for line in batch:  # find the line at fault; the others go in on their own
                self.batch = [line]
                self.flush()
            return
        self.result.imported += len(batch)

    def _count_if_committed(self, batch: list[_Line]) -> None:
        """Ctrl-C can land after COMMIT finished: then the batch is in and counts."""
        try:
            self.con.execute("ROLLBACK")
        except (duckdb.Error, RuntimeError):
            pass  # the transaction had ended
        try:
            committed = bool(self._writing) and bool(scalar(
                self.con, "SELECT count(*) FROM articles WHERE id = ?", [self._writing[0]]))
        except (duckdb.Error, RuntimeError):
            committed = False
        if committed:
            self.result.imported += len(batch)

    def _write(self, batch: list[_Line]) -> None:
        import pandas as pd  # deferred: worker processes import this module and need no pandas

        con, system = self.con, self.system_id
        ids = [r[0] for r in con.execute(
            "SELECT nextval('seq_articles') AS id FROM range(?) ORDER BY id", [len(batch)]).fetchall()]
        self._writing = ids
        frame = pd.DataFrame({
            "id": ids,
            "column_id": [line.column_id for line in batch],
            "lead_division_id": [line.lead_id for line in batch],
            "title": [line.title for line in batch],
            "body_html": [line.body_html for line in batch],
            "source": [line.source for line in batch],
            "work_ended_on": [line.work_ended_on.isoformat() for line in batch],
            "importance": [line.importance for line in batch],
            "published_at": [line.published_at.isoformat(sep=" ") for line in batch],
        })
        con.register("import_batch", frame)
        try:
            con.execute("""
                INSERT INTO articles (id, column_id, lead_division_id, title, body_html, source, work_ended_on,
                    importance, state, version, revision, step, author_id, created_at, updated_at, published_at,
                    published_by, live_revision, public)
                SELECT id, column_id, lead_division_id, title, body_html, source, work_ended_on::DATE, importance,
                    'published', 2, 1, 0, ?, published_at::TIMESTAMP, published_at::TIMESTAMP,
                    published_at::TIMESTAMP, ?, 1, TRUE
                FROM import_batch ORDER BY id""", [system, system])
            con.execute("""
                INSERT INTO revisions (article_id, number, column_id, title, body_html, source, work_ended_on,
                    importance, author_id, created_at)
                SELECT id, 1, column_id, title, body_html, source, work_ended_on::DATE, importance, ?,
                    published_at::TIMESTAMP
                FROM import_batch ORDER BY id""", [system])
            for action, to_state in (("create", "draft"), ("publish", "published")):
                con.execute("""
                    INSERT INTO workflow_events (article_id, revision, actor_id, role, action, from_state,
                        to_state, step, comment, created_at)
                    SELECT id, 1, ?, NULL, ?, 'draft', ?, NULL, ?, published_at::TIMESTAMP
                    FROM import_batch ORDER BY id""", [system, action, to_state, COMMENT])
        finally:
            con.unregister("import_batch")
        files = [[article_id, name, mime, len(data), hashlib.sha256(data).hexdigest(), data, system,
                  line.published_at]
                 for article_id, line in zip(ids, batch, strict=True) for name, mime, data in line.attachments]
        if files:
            con.executemany(
                "INSERT INTO attachments (article_id, filename, mime, size, sha256, data, uploaded_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", files)
        self._write_catalogue([(article_id, line) for article_id, line in zip(ids, batch, strict=True)
                               if line.catalogue])
        _audit_many(con, ACTION, [(f"article:{article_id}", json.dumps(line.trace, ensure_ascii=False))
                                  for article_id, line in zip(ids, batch, strict=True)])
        for article_id, line in zip(ids, batch, strict=True):
            for key in line.keys:
                self.known[key] = f"稿件 {article_id}"


    def _write_catalogue(self, entries: list[tuple[int, _Line]]) -> None:
        """The catalogue entries of the batch, in its transaction; a 索引号 the old site did not give is
        assigned as at a first publication, in the year the document went online."""
        if not entries:
            return
        self.con.executemany("""
            INSERT INTO catalogue_entries (article_id, index_number, issuer, doc_number, doc_kind, written_on,
                topic_id, disclosure, withheld_ground, validity, validity_changed_on, replaced_by, interprets)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", [[
                article_id, e["index_number"] or None, e["issuer"], e["doc_number"], e["doc_kind"] or "其他文件",
                e["written_on"], e["topic_id"], e["disclosure"] or "主动公开",
                e["withheld_ground"] if e["disclosure"] == "不予公开" else None, e["validity"] or "有效",
                e["validity_changed_on"] if e["validity"] in ("已修改", "已废止") else None,
                e.get("replaced_by_id"), e.get("interprets_id")]
            for article_id, e in ((a, line.catalogue) for a, line in entries)])
        for article_id, line in entries:
            if not line.catalogue["index_number"]:
                catalogue.assign_index(self.con, article_id, line.published_at.year)


def _audit_many(con: duckdb.DuckDBPyConnection, action: str, items: list[tuple[str, str]]) -> None:
    """The rows core.audit.record would write for the system account, one INSERT for the batch.

    audit.record costs about 0.45 ms a row (one statement each): half of a 100,000-line
    import. The rows commit with their batch and are sealed into the hash chain (第二十条) by
    audit.seal at the end of the run, like any row recorded inside a transaction.
    tests/test_import.py pins that these rows equal audit.record's."""
    con.execute("INSERT INTO audit_log (actor, role, action, object, summary, client) "
                "SELECT 'system', NULL, ?, unnest(?::TEXT[]), unnest(?::TEXT[]), NULL",
                [action, [obj for obj, _ in items], [text[:4000] for _, text in items]])


# while importing: checkpoint every 256 MB of log, not every 16 MB. Below 122,880 rows a table
# is one row group that each checkpoint compresses again, so frequent checkpoints made a
# 100,000-line import spend more time in COMMIT than anywhere else; the memory limit keeps
# the larger log from growing the process (measured 1.2 GB at 100,000 lines either way).
BULK_SETTINGS = {"wal_autocheckpoint": "256MB", "memory_limit": "1GB"}


@contextmanager
def _bulk_load(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB settings for the import; the caller's are restored afterwards (they hold for the
    whole database). A setting left at its default is reset, others set back as they read."""
    def current(name: str) -> str:
        return con.execute("SELECT current_setting(?)", [name]).fetchone()[0]

    before: dict[str, str | None] = {}
    for name, value in BULK_SETTINGS.items():
        try:
            was = current(name)
            con.execute(f"RESET {name}")
            before[name] = None if current(name) == was else was
            con.execute(f"SET {name} = '{value}'")
        except duckdb.Error:
            continue  # tuning only
    try:
        yield
    finally:
        for name, value in before.items():
            try:
                con.execute(f"RESET {name}" if value is None else f"SET {name} = '{value}'")
            except duckdb.Error:
                pass


def interrupted(exc: BaseException) -> bool:
    """Ctrl-C, however it surfaces: in Python, or inside DuckDB (which may report it from COMMIT
    as a RuntimeError "Query interrupted")."""
    return (isinstance(exc, KeyboardInterrupt | duckdb.InterruptException)
            or (isinstance(exc, RuntimeError) and "interrupt" in str(exc).lower()))


def _chunks(path: Path, size: int = CHUNK) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            chunk.append((number, raw))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _checked(importer: _Importer, path: Path, workers: int) -> Iterator[tuple[int, _Fields | tuple | None]]:
    """Every line checked without the database, in file order: in worker processes (the other
    core does the cleaning and screening while this one writes) or here."""
    known = dict(importer.known)  # as the run starts: the lines of this run are checked here, in order
    checker = _Checker(importer.now, importer.latest_work_end, importer.screen, known, importer.body_max_mb,
                       importer.own_site)
    if workers <= 1:
        for chunk in _chunks(path):
            yield from checker.check_chunk(chunk)
        return

    screen = importer.screen
    lexicon = pickle.dumps(screen.lexicon) if screen is not None and screen.lexicon is not None else None
    # spawn, not fork: the parent holds DuckDB's threads and file
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                               initargs=(importer.now, importer.latest_work_end, screen is not None, lexicon, known,
                                         importer.body_max_mb, importer.own_site))
    try:
        pending: deque = deque()
        for chunk in _chunks(path):
            pending.append(pool.submit(_check_in_worker, chunk))
            if len(pending) >= 3 * workers:  # a few chunks ahead, not the whole file in memory
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _workers(importer: _Importer, total: int, requested: int | None) -> int:
    if requested is not None:
        wanted = requested
    else:
        wanted = min(2, os.cpu_count() or 1) if total >= POOL_FROM else 1
    if wanted > 1 and importer.screen is not None:
        if not importer.screen.portable:
            return 1
        try:
            pickle.dumps(importer.screen.lexicon)
        except (pickle.PicklingError, TypeError, AttributeError):
            return 1
    return max(1, wanted)


def import_jsonl(con: duckdb.DuckDBPyConnection, path: str | Path, *, create_missing: bool = False,
                 dry_run: bool = False, batch_size: int = BATCH,
                 on_problem: Callable[[Problem], None] | None = None,
                 progress: bool | None = None, workers: int | None = None) -> ImportResult:
    """Import an old site's JSONL export as published articles; returns the counts.

    `on_problem` hears each skipped line as it happens; `progress` shows a terminal bar
    (None: when standard error is a terminal). A dry run checks everything and writes nothing.
    `workers`: processes for the checks that need no database (None: two for files of
    POOL_FROM lines or more on a machine with two cores, else none).
    """
    path = Path(path)
    started = time.perf_counter()
    importer = _Importer(con, path, create_missing=create_missing, dry_run=dry_run, batch_size=batch_size,
                         on_problem=on_problem)
    result = importer.result
    total = count_lines(path)
    try:
        with _bulk_load(con), Progress(total, "迁移导入", enabled=progress) as bar:
            for number, fields in _checked(importer, path, _workers(importer, total, workers)):
                bar.advance()
                if fields is None:
                    continue  # a blank line
                result.read += 1
                if isinstance(fields, tuple):
                    importer.problem(number, *fields)
                    continue
                try:
                    line = importer.accept(fields)
                except LineError as exc:
                    importer.problem(number, exc.reason, str(exc))
                except duckdb.Error as exc:  # creating its column or division
                    why = storage_failure(exc)
                    if not why:
                        raise
                    raise WriteFailed(number, number, why) from None
                else:
                    importer.add(line)
            importer.flush()
            importer.resolve_deferred()
    except WriteFailed as exc:
        result.failed = str(exc)
        _rollback(con)
    except (KeyboardInterrupt, RuntimeError) as exc:
        if not interrupted(exc):
            raise
        result.interrupted = True  # the batch in hand is not committed; committed ones stay
        _rollback(con)
    result.seconds = time.perf_counter() - started
    if not dry_run and (result.imported or result.created_columns or result.created_divisions):
        _record_run(con, path, result)
    return result


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except (duckdb.Error, RuntimeError):
        pass  # nothing was open


def _record_run(con: duckdb.DuckDBPyConnection, path: Path, result: ImportResult) -> None:
    """The run's audit row, sealed into the hash chain of 第二十条 with the rows the batches wrote."""
    try:
        audit.record(con, "system", "import.run", f"file:{path.name}", json.dumps(result.as_dict(), ensure_ascii=False))
        audit.seal(con)
    except duckdb.Error as exc:
        why = storage_failure(exc)
        if not why:
            raise
        result.failed = result.failed or (
            f"各行均已处理,但写入本次导入的审计记录时{why}。已提交的稿件保留;"
            "腾出磁盘空间后运行 python -m core status 核对")


def print_problem(problem: Problem) -> None:
    """Report a skipped line on standard error, clearing a progress bar drawn there."""
    prefix = "\r\x1b[K" if sys.stderr.isatty() else ""
    print(f"{prefix}{problem}", file=sys.stderr, flush=True)
