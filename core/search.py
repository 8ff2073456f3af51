"""Site search for the public portal: Pagefind (its plain build) over the article pages of
``site_build/``, in shards, so a publish re-indexes one small shard.

What Pagefind reads is not the page itself but a staged copy (``staged_page``): the text of the
page's ``<article data-pagefind-body>`` already cut into words the browser cuts the same way
(two-character pairs of Chinese, see "words" below), the title as an <h1> plus one word for the
whole title, the 文号 as an <h2>. Pagefind's extended build (dictionary segmentation at build time,
none in the browser) found a pasted title 15 times in 32 and a phrase such as 新型工业化专题调研
not at all; bench/search_quality.py measures both.

Why a quarter (measured with the extended build, pages of ~1,600 Chinese characters): a
yearly shard broke the portal's 2 GiB memory target at every publish. The plain build over staged
pages costs ~60 MB + 0.55 MB a page, so a quarter of 2,500 pages stays under 1.5 GB and two
smaller quarters are built side by side (``_workers``). The price is in the browser: ten years
are 40 indexes to merge.

Layout under the site folder::

    art/<yyyy>/<mm>/<id>.html        article pages (core.portal), the only pages indexed
    pagefind/<yyyy>q<n>/             one Pagefind bundle per quarter that has indexed pages
    pagefind/shards.json             the manifest search.js reads: shards newest first

Only the part of a page marked ``data-pagefind-body`` is indexed (``page_record``), so a
withdrawal notice at a taken-down article's URL is in no index, nor are the navigation and the
previous/next links; a quarter whose pages are all notices has no bundle.

API: ``index_all(site)`` (every quarter with pages; after a full build), ``index_shards(site,
shards_or_years)`` (given shards, years or dates), ``stale_shards(site, years)`` (quarters whose
pages changed since they were indexed: names, sizes and times of the pages), ``shards_for_years``,
``shard_for(date)``, and ``reindex_in_background(site, years)`` after a publish or take-down:
a daemon thread, one re-index at a time, requests arriving meanwhile coalesced into its next pass.

Atomic install: a shard's pages are staged and indexed by a ``pagefind`` subprocess (its memory
goes back to the OS when it exits) in a temporary folder beside the bundle, then renamed into
place file by file:
content-addressed files first (fragments, index chunks, filters, metadata: new names never
overwrite what a reader is using), ``pagefind-entry.json`` last. The entry file is what Pagefind
reads first (always fresh, it adds ``?ts=``), so a reader sees the old index or the new one,
never half of one; files only the old index used are deleted an hour after they were
superseded, so a search page opened before the swap keeps working.

Browsers need ``'wasm-unsafe-eval'`` in ``script-src`` for /search.html and for /pagefind/ (the
web worker takes its policy from its own response): Pagefind searches in WebAssembly.
"""

from __future__ import annotations

import fcntl
import hashlib
import html
import importlib.util
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from core.progress import pause_point

log = logging.getLogger(__name__)

ARTICLE_DIR = "art"
BUNDLE_DIR = "pagefind"
MANIFEST = "shards.json"
GRACE_SECONDS = 3600  # a superseded index file stays this long for search pages opened earlier
PAGEFIND_MODULE = "pagefind_bin"  # the plain binary: the text it reads is already cut into words (tokens())
REQUIREMENT = "pagefind[bin]==1.5.2"
# Shards built at once in a full index, within MEMORY_MB: a plain Pagefind process over staged
# pages (two-character pairs) peaks at about 60 MB + 0.55 MB a page of ~1,600 characters (measured:
# 251 pages 157 MB, 2,015 pages 1,099 MB), so two quarters of up to ~1,500 pages run side by side,
# larger ones one at a time; more than two would only queue on a 2-core machine.
PARALLEL = 2
MEMORY_MB = 1800
_MB_BASE, _MB_PER_PAGE = 60, 0.55
# what the browser needs from a Pagefind bundle (the prebuilt UIs and the highlighter are not used)
_KEEP_TOP = re.compile(r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind|"
                       r"pagefind\.[\w-]+\.pf_meta)$")
_KEEP_DIRS = ("index", "fragment", "filter")
_ENTRY = "pagefind-entry.json"
_SUPERSEDED = ".superseded.json"
_SHARD_ID = re.compile(r"^(\d{4})q([1-4])$")
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(0[1-9]|1[0-2])$")


class SearchIndexError(RuntimeError):
    """Pagefind could not build a shard (not installed, or it failed)."""


# --------------------------------------------------------------------------- shards


def shard_for(when: date | datetime) -> str:
    """The shard of an article published at ``when``: ``2025q3``."""
    return f"{when.year:04d}q{(when.month - 1) // 3 + 1}"


def shard_months(shard: str) -> tuple[int, list[int]]:
    """``2025q3`` -> (2025, [7, 8, 9])."""
    found = _SHARD_ID.match(shard)
    if not found:
        raise ValueError(f"not a shard id: {shard!r} (expected e.g. 2025q3)")
    quarter = int(found.group(2))
    return int(found.group(1)), [3 * (quarter - 1) + m for m in (1, 2, 3)]


def shard_glob(shard: str) -> str:
    """The Pagefind glob (relative to the site) of a shard's article pages."""
    year, months = shard_months(shard)
    return f"{ARTICLE_DIR}/{year:04d}/{{{','.join(f'{m:02d}' for m in months)}}}/*.html"


def _order(shard: str) -> tuple[int, int]:
    year, months = shard_months(shard)
    return year, months[0]


def shards_for_years(years: Iterable[int | str]) -> list[str]:
    """Every shard of these years, newest first (whether or not it has pages)."""
    found = {f"{int(y):04d}q{q}" for y in years for q in (1, 2, 3, 4)}
    return sorted(found, key=_order, reverse=True)


def resolve(targets: Iterable[int | str | date | datetime]) -> list[str]:
    """Shard ids from a mix of shard ids (``2025q3``), years (``2025``, ``"2025"``) and dates."""
    found: set[str] = set()
    for target in targets:
        if isinstance(target, (date, datetime)):
            found.add(shard_for(target))
        elif isinstance(target, int) or _YEAR.match(str(target)):
            found.update(shards_for_years([int(target)]))
        else:
            shard_months(str(target))  # validates
            found.add(str(target))
    return sorted(found, key=_order, reverse=True)


def _shard_files(site: Path, shard: str) -> Iterator[os.DirEntry]:
    year, months = shard_months(shard)
    for month in months:
        folder = site / ARTICLE_DIR / f"{year:04d}" / f"{month:02d}"
        try:
            with os.scandir(folder) as entries:
                yield from (e for e in entries if e.name.endswith(".html") and e.is_file())
        except FileNotFoundError:
            continue


def plan_shards(site_dir: str | os.PathLike) -> dict[str, list[str]]:
    """The shards the article pages on disk fall into, newest first: shard -> page paths
    (relative to the site). A shard with no page is not listed."""
    site = Path(site_dir)
    shards: set[str] = set()
    top = site / ARTICLE_DIR
    if top.is_dir():
        for year in os.scandir(top):
            if not (year.is_dir() and _YEAR.match(year.name)):
                continue
            for month in os.scandir(year.path):
                if month.is_dir() and _MONTH.match(month.name):
                    shards.add(shard_for(date(int(year.name), int(month.name), 1)))
    plan: dict[str, list[str]] = {}
    for shard in sorted(shards, key=_order, reverse=True):
        files = sorted(os.path.relpath(e.path, site) for e in _shard_files(site, shard))
        if files:
            plan[shard] = files
    return plan


def fingerprint(site_dir: str | os.PathLike, shard: str) -> str:
    """A digest of the names, sizes and modification times of a shard's pages: it changes
    when a page of the shard is written, added or removed (the portal's Writer replaces a
    page only when its bytes change)."""
    digest = hashlib.sha1(usedforsecurity=False)
    for entry in sorted(_shard_files(Path(site_dir), shard), key=lambda e: e.path):
        st = entry.stat()
        digest.update(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- words
#
# Why not Pagefind's own Chinese segmentation (measured, bench/search_quality.py): the extended
# build cuts the pages into dictionary words (新型 / 工业化 / 专题 / 调研) while the browser cuts
# the query only at spaces, so a pasted title or phrase is ONE query word, matched against index
# words that start with it, else the longest index word it starts with: a title found the page
# that shares its first word, or nothing (the chunk holding that word was not even loaded).
# Here both sides cut the same way, by construction: every run of Chinese characters becomes its
# overlapping two-character pairs (新型 型工 工业 业化), numbers and Latin words stay whole, so a
# query's pairs are exactly the pairs of any text containing it. The browser does the same
# (static/search-tokens.js, tested against this function) and re-ranks the first results by
# the exact text (a title equal to the query first).

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)|(\S)")


def _word(run: str) -> str:
    return unicodedata.normalize("NFKC", run).lower()


def index_tokens(text: str) -> str:
    """The text as Pagefind indexes it: each Chinese run as its two-character pairs and its last
    character (which ends the run: the browser puts the text back together from the pairs for
    excerpts), words and numbers whole (NFKC, lower case), punctuation kept as its own token."""
    out: list[str] = []
    for chinese, word, other in _RUNS.findall(text):
        if chinese:
            out.extend(chinese[i:i + 2] for i in range(len(chinese) - 1))
            out.append(chinese[-1])
        elif word:
            out.append(_word(word))
        else:
            out.append(other)
    return " ".join(out)


def compact(text: str) -> str:
    """Letters and digits only (NFKC, lower case): what the browser compares titles and texts by."""
    return "".join(chinese or _word(word) for chinese, word, _ in _RUNS.findall(text))


def _fnv(data: bytes, seed: int) -> int:
    value = seed
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def title_word(title: str) -> str:
    """One index word for the whole title: ``zt`` and 64 bits of hash (FNV-1a twice) of compact(title).
    A pasted title finds exactly the pages of that title by it, whatever else the pages say
    (Pagefind keeps Latin-and-digit words whole; a long Chinese word would not be one word)."""
    data = compact(title).encode("utf-8")
    return f"zt{_fnv(data, 0x811C9DC5):08x}{_fnv(data, 0x9747B28C):08x}"


def query_tokens(query: str) -> list[str]:
    """The words of a query as search-tokens.js sends them to Pagefind: a Chinese run's pairs
    (one character alone: it matches the pairs it starts and the runs it ends), words and numbers
    whole; punctuation dropped; each once."""
    out: list[str] = []
    for chinese, word, _ in _RUNS.findall(query):
        if chinese:
            out.extend([chinese] if len(chinese) == 1 else [chinese[i:i + 2] for i in range(len(chinese) - 1)])
        elif word:
            out.append(_word(word))
    return list(dict.fromkeys(out))


# What is indexed of a page: its <article data-pagefind-body>, without the parts marked
# data-pagefind-ignore and the date/column line (.article-meta); the title (the <h1> with
# data-pagefind-meta="title") weighs as a heading, the 文号 of a 政府信息公开目录 document too
# (its catalogue table is otherwise not indexed). Regular expressions over core/templates' own
# markup (tests/test_search.py renders real pages through them): an HTML parser costs ~10× more.
_BODY_START = re.compile(r"<article\b[^>]*\bdata-pagefind-body\b[^>]*>")
_TITLE = re.compile(r'<h1\b[^>]*data-pagefind-meta="title"[^>]*>(.*?)</h1>', re.S)
_DATE = re.compile(r'<time\b[^>]*data-pagefind-meta="date"[^>]*>(.*?)</time>', re.S)
_FILTER = re.compile(r'<(\w+)\b[^>]*\bdata-pagefind-filter="([^"]+)"[^>]*>(.*?)</\1>', re.S)
_DOC_NUMBER = re.compile(r'<th scope="row">文号</th>\s*<td>(.*?)</td>', re.S)
_IGNORED = re.compile(r'<(table|section|div|dl|h1)\b[^>]*(?:data-pagefind-ignore|class="article-meta"|'
                      r'data-pagefind-meta="title")[^>]*>.*?</\1>', re.S)
_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|tr|td|th|dd|dt|section|blockquote|pre|table)>|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _text(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", _BLOCK_END.sub(" ", fragment)))).strip()


def page_record(page: str) -> dict[str, Any] | None:
    """What search needs of a rendered page: title, date, filters, 文号 and body text; None for
    a page with nothing to index (no data-pagefind-body: a withdrawal notice)."""
    start = _BODY_START.search(page)
    if not start:
        return None
    end = page.rfind("</article>")
    body = page[start.end():end if end > start.end() else len(page)]
    title = _TITLE.search(body)
    when = _DATE.search(body)
    number = _DOC_NUMBER.search(body)
    filters: dict[str, list[str]] = {}
    for _, spec, inner in _FILTER.findall(body):
        name, _, value = spec.partition(":")
        filters.setdefault(name, []).append(value or _text(inner))
    return {
        "title": _text(title.group(1)) if title else "",
        "date": _text(when.group(1)) if when else "",
        "filters": filters,
        "doc_number": "" if number is None or _text(number.group(1)) in ("", "无") else _text(number.group(1)),
        "text": _text(_IGNORED.sub(" ", body)),
    }


# a document number (文号) as written in titles and texts: 陕工信发〔2026〕12号, 国办发[2025]3号
DOC_NUMBER = re.compile(rf"([{_CJK}]{{1,12}})([〔\[［(（]\d{{4}}[〕\]］)）]\d{{1,4}}号)")


def doc_numbers(text: str) -> set[str]:
    """The 文号 a text names; the Chinese before the brackets may run on from the sentence
    (见陕工信发〔2026〕12号), so every tail of it from two characters on is one (陕工信发…, 工信发…)."""
    found = set()
    for issuer, rest in DOC_NUMBER.findall(text):
        found.update(issuer[i:] + rest for i in range(max(1, len(issuer) - 1)))
    return found


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def staged_page(record: dict[str, Any]) -> str:
    """The page Pagefind reads instead of the portal's: the words already cut (index_tokens),
    the title in an <h1> (Pagefind weighs it 7× the text) followed by the whole title as one word
    (title_word(): a pasted title finds its page by that word alone), the 文号 in an <h2>; title, date and
    filters as metadata, kept as written."""
    meta = [f'<span data-pagefind-meta="title">{_attr(record["title"])}</span>']
    if record["date"]:
        meta.append(f'<span data-pagefind-meta="date">{_attr(record["date"])}</span>')
        meta.append(f'<span data-pagefind-sort="date">{_attr(record["date"])}</span>')
    for name, values in record["filters"].items():
        meta.extend(f'<span data-pagefind-filter="{_attr(name)}">{_attr(v)}</span>' for v in values)
    number = f'<h2>{_attr(index_tokens(record["doc_number"]))}</h2>' if record["doc_number"] else ""
    # each 文号 the page names, as one word like the title's: a pasted 文号 finds the pages naming it
    numbers = {record["doc_number"], *doc_numbers(record["title"]), *doc_numbers(record["text"])}
    number += "".join(f"<h2>{title_word(n)}</h2>" for n in sorted(numbers) if n)
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title></title></head><body>'
            f'<div data-pagefind-ignore>{"".join(meta)}</div>'
            f'<h1>{_attr(index_tokens(record["title"]))} {title_word(record["title"])}</h1>{number}'
            f'<p>{_attr(index_tokens(record["text"]))}</p></body></html>')


def _stage(site: Path, shard: str, stage: Path) -> int:
    """Write the staged pages of a shard (same relative paths, so the same URLs); returns how many."""
    count = 0
    for entry in _shard_files(site, shard):
        record = page_record(Path(entry.path).read_text(encoding="utf-8", errors="replace"))
        if record is None:
            continue
        target = stage / os.path.relpath(entry.path, site)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(staged_page(record), encoding="utf-8")
        count += 1
    return count


# --------------------------------------------------------------------------- manifest


def read_manifest(site_dir: str | os.PathLike) -> dict[str, Any]:
    path = Path(site_dir) / BUNDLE_DIR / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("shards"), list):
            return data
    except (OSError, ValueError):
        pass
    return {"version": 1, "shards": []}


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_manifest(site: Path, entries: dict[str, dict], *, building: bool = False) -> None:
    """``building``: a full index is under way (search.js says so while no shard is listed yet)."""
    shards = [entries[s] for s in sorted(entries, key=_order, reverse=True)]
    manifest = {
        "version": 1,
        "building": building,
        "generated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "pages": sum(s["pages"] for s in shards),
        "shards": shards,
    }
    _write_atomic(site / BUNDLE_DIR / MANIFEST,
                  json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))


# --------------------------------------------------------------------------- pagefind runs


def _executable() -> list[str]:
    """The Pagefind binary itself when the package ships it (no Python start per shard), else
    ``python -m pagefind_bin`` (which says clearly when the package is missing)."""
    spec = importlib.util.find_spec(PAGEFIND_MODULE)
    if spec is not None and spec.origin:
        binary = Path(spec.origin).parent / "pagefind"
        if binary.is_file() and os.access(binary, os.X_OK):
            return [str(binary)]
    return [sys.executable, "-m", PAGEFIND_MODULE]


def _command(stage: Path, output: Path) -> list[str]:
    command = [*_executable(), "--site", str(stage), "--output-path", str(output)]
    nice = shutil.which("nice")
    # a re-index runs beside the workbench on a small machine: let the editors' clicks go first
    return [nice, "-n", "10", *command] if nice else command


_INDEXED = re.compile(r"Indexed (\d+) pages?")


def _run_pagefind(command: list[str]) -> tuple[int, str, float]:
    """Run Pagefind; returns (exit code, output, peak resident memory of the process in MB).

    ``nice`` and ``python -m`` both exec, so the waited-for pid is Pagefind itself and
    ``wait4`` gives its own peak memory (``ru_maxrss``, KB on Linux)."""
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env)
    assert proc.stdout is not None
    output = proc.stdout.read().decode("utf-8", "replace")
    proc.stdout.close()
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / 1024
    else:  # pragma: no cover - not Linux
        proc.wait()
        peak = 0.0
    return proc.returncode, output, peak


def _build_shard(site: Path, shard: str) -> dict[str, Any] | None:
    """Build one shard into a temporary folder and install it. ``None`` when the quarter has no
    page at all; an entry with ``pages: 0`` and no ``path`` when it has pages but none to index
    (withdrawal notices only): remembered, so the quarter is not re-indexed again and again."""
    if next(_shard_files(site, shard), None) is None:
        return None
    bundle = site / BUNDLE_DIR
    bundle.mkdir(parents=True, exist_ok=True)
    stamp = fingerprint(site, shard)  # before the run: a page written during it makes the shard stale
    tmp = bundle / f".tmp-{shard}-{os.getpid()}-{secrets.token_hex(4)}"
    started = time.perf_counter()
    peak = 0.0
    try:
        pages = _stage(site, shard, tmp / "stage")
        if pages:  # else withdrawal notices only
            code, output, peak = _run_pagefind(_command(tmp / "stage", tmp / "bundle"))
            if code != 0:
                if "No module named" in output:
                    raise SearchIndexError(f'pagefind is not installed: pip install "{REQUIREMENT}"')
                raise SearchIndexError(f"pagefind failed for shard {shard} (exit {code}):\n{output[-2000:]}")
            counted = _INDEXED.search(output)
            pages = int(counted.group(1)) if counted else 0
            pause_point("search")  # the kill -9 test of a re-index (its folder is then left)
            _install(tmp / "bundle", bundle / shard)
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    year, months = shard_months(shard)
    return {
        "id": shard,
        "path": f"/{BUNDLE_DIR}/{shard}/" if pages else None,
        "from": f"{year:04d}-{months[0]:02d}",
        "to": f"{year:04d}-{months[-1]:02d}",
        "pages": pages,
        "stamp": stamp,
        "indexed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(peak, 1),
    }


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _install(built: Path, target: Path) -> None:
    """Move a freshly built bundle into ``target``: new content-addressed files first, the
    entry file last (the commit point); files no longer referenced are dropped after GRACE."""
    target.mkdir(parents=True, exist_ok=True)
    new: set[str] = set()
    moves: list[tuple[Path, Path]] = []
    entry: tuple[Path, Path] | None = None
    for sub in _KEEP_DIRS:
        folder = built / sub
        if not folder.is_dir():
            continue
        (target / sub).mkdir(exist_ok=True)
        for path in folder.iterdir():
            rel = f"{sub}/{path.name}"
            new.add(rel)
            dest = target / rel
            # file names in these folders are content hashes: a name already there has these bytes
            if not dest.exists():
                moves.append((path, dest))
    for path in built.iterdir():
        if not path.is_file() or not _KEEP_TOP.match(path.name):
            continue
        new.add(path.name)
        dest = target / path.name
        if path.name == _ENTRY:
            entry = (path, dest)
        elif not _same_file(path, dest):
            moves.append((path, dest))
    if entry is None:
        raise SearchIndexError(f"pagefind wrote no {_ENTRY} in {built}")
    for src, dest in moves:
        os.replace(src, dest)
    if not _same_file(*entry):
        os.replace(*entry)
    _collect(target, new)


def _collect(target: Path, current: set[str]) -> None:
    """Delete files the current index does not use, once they have been superseded for GRACE."""
    marks_path = target / _SUPERSEDED
    try:
        marks: dict[str, float] = json.loads(marks_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marks = {}
    now = time.time()
    kept: dict[str, float] = {}
    present: list[str] = [p.name for p in target.iterdir() if p.is_file() and p.name != _SUPERSEDED]
    for sub in _KEEP_DIRS:
        if (target / sub).is_dir():
            present.extend(f"{sub}/{p.name}" for p in (target / sub).iterdir())
    for rel in present:
        if rel in current:
            continue
        since = marks.get(rel, now)
        if now - since >= GRACE_SECONDS:
            (target / rel).unlink(missing_ok=True)
        else:
            kept[rel] = since
    if kept:
        _write_atomic(marks_path, json.dumps(kept).encode("utf-8"))
    else:
        marks_path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- API


_LOCAL_LOCK = threading.Lock()


@contextmanager
def _locked(site: Path) -> Iterator[None]:
    """One indexer at a time per site: threads of this process and other processes (the
    command line) alike."""
    bundle = site / BUNDLE_DIR
    bundle.mkdir(parents=True, exist_ok=True)
    with _LOCAL_LOCK, open(bundle / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _summary(results: dict[str, dict | None], started: float, removed: list[str]) -> dict[str, Any]:
    built = {s: r for s, r in results.items() if r is not None and r["path"]}
    largest = max(built.values(), key=lambda r: r["pages"], default=None)
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "pages": sum(r["pages"] for r in built.values()),
        "shards": {s: {"pages": r["pages"], "seconds": r["seconds"], "peak_rss_mb": r["peak_rss_mb"]}
                   for s, r in built.items()},
        "removed": removed,
        "peak_rss_mb": max((r["peak_rss_mb"] for r in built.values()), default=0.0),
        "max_shard": largest["id"] if largest else None,
        "max_shard_pages": largest["pages"] if largest else 0,
    }


def _workers(site: Path, shards: list[str]) -> int:
    """How many shards to build at once: PARALLEL, unless two of the largest would pass MEMORY_MB."""
    largest = max((sum(1 for _ in _shard_files(site, s)) for s in shards), default=0)
    fits = max(1, int(MEMORY_MB // (_MB_BASE + _MB_PER_PAGE * largest)))
    return max(1, min(PARALLEL, len(shards), fits))


def _apply(site: Path, shards: list[str], *, drop_others: bool, building: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    for path in (site / BUNDLE_DIR).glob(".tmp-*"):  # left by a run that died (we hold the lock)
        shutil.rmtree(path, ignore_errors=True)
    entries = {s["id"]: s for s in read_manifest(site)["shards"]
               if isinstance(s, dict) and _SHARD_ID.match(str(s.get("id", "")))}
    results: dict[str, dict | None] = {}
    removed: list[str] = []
    # shards are independent (own folder, own process): a few at once; the manifest is written here
    # only, as each finishes
    with ThreadPoolExecutor(max_workers=_workers(site, shards)) as pool:
        for shard, result in zip(shards, pool.map(lambda s: _build_shard(site, s), shards), strict=True):
            results[shard] = result
            had = shard in entries and entries[shard].get("path") or (site / BUNDLE_DIR / shard).exists()
            if result is None:
                entries.pop(shard, None)
            else:
                entries[shard] = result
            if had and (result is None or not result["path"]):
                removed.append(shard)
            # list a new shard only once its files are in place; unlist an empty one before deleting it
            _write_manifest(site, entries, building=building)
            if result is None or not result["path"]:
                shutil.rmtree(site / BUNDLE_DIR / shard, ignore_errors=True)
    if drop_others:
        for shard in [s for s in entries if s not in results]:
            entries.pop(shard)
            removed.append(shard)
    _write_manifest(site, entries)
    if drop_others:
        for path in (site / BUNDLE_DIR).iterdir():
            if path.is_dir() and _SHARD_ID.match(path.name) and not (entries.get(path.name) or {}).get("path"):
                shutil.rmtree(path, ignore_errors=True)
    return _summary(results, started, removed)


def index_shards(site_dir: str | os.PathLike, shards_or_years: Iterable[int | str | date | datetime]) -> dict:
    """Re-index the given shards (``2025q3``), every shard of the given years (``2025``) or the
    shards of the given dates, one Pagefind subprocess after another. A shard whose pages are
    gone or not indexable is removed. Returns figures: seconds, pages, per-shard results,
    peak_rss_mb (the largest Pagefind process), removed."""
    site = Path(site_dir).resolve()
    shards = resolve(shards_or_years)
    with _locked(site):
        return _apply(site, shards, drop_others=False)


def index_all(site_dir: str | os.PathLike) -> dict:
    """Index every shard that has article pages, and remove bundles of shards that have none."""
    site = Path(site_dir).resolve()
    with _locked(site):
        shards = list(plan_shards(site))
        _write_manifest(site, {s["id"]: s for s in read_manifest(site)["shards"]
                               if isinstance(s, dict) and _SHARD_ID.match(str(s.get("id", "")))}, building=True)
        try:
            return _apply(site, shards, drop_others=True, building=True)
        except BaseException:
            manifest = read_manifest(site)
            _write_manifest(site, {s["id"]: s for s in manifest["shards"] if isinstance(s, dict) and "id" in s})
            raise


def index_all_detached(site_dir: str | os.PathLike) -> int:
    """Start ``index_all`` in a process of its own that outlives this one (``make run``: the portal
    and the workbench answer while the index is built; search.js says it is being built meanwhile).
    Returns its pid."""
    site = Path(site_dir).resolve()
    with _locked(site):  # the manifest says "building" before this returns: no "not built" in between
        _write_manifest(site, {s["id"]: s for s in read_manifest(site)["shards"]
                               if isinstance(s, dict) and _SHARD_ID.match(str(s.get("id", "")))}, building=True)
    code = "import sys; from core import search; search.index_all(sys.argv[1])"
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, "-c", code, str(site)], cwd=root, start_new_session=True,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process.pid


def stale_shards(site_dir: str | os.PathLike, years: Iterable[int] | None = None) -> list[str]:
    """Shards of ``years`` (all years on disk when None) whose pages changed since they were
    indexed, or that are not indexed yet, or whose pages are gone."""
    site = Path(site_dir).resolve()
    indexed = {s["id"]: s for s in read_manifest(site)["shards"] if isinstance(s, dict)}
    if years is None:
        candidates = set(plan_shards(site)) | set(indexed)
    else:
        candidates = set(shards_for_years(years))
    stale = []
    for shard in candidates:
        has_pages = next(_shard_files(site, shard), None) is not None
        entry = indexed.get(shard)
        if (has_pages and (entry is None or entry.get("stamp") != fingerprint(site, shard))
                or not has_pages and (entry is not None or (site / BUNDLE_DIR / shard).exists())):
            stale.append(shard)
    return sorted(stale, key=_order, reverse=True)


# Background re-index after a publish: one at a time; requests that arrive while one runs are
# merged into the next pass of the same thread.
_bg_lock = threading.Lock()
_bg_thread: threading.Thread | None = None
_bg_pending: dict[Path, set[int] | None] = {}
_bg_last: dict[str, Any] = {}


def reindex_in_background(site_dir: str | os.PathLike, years: Iterable[int] | None = None) -> threading.Thread:
    """Refresh the stale shards of ``years`` (all years when None) in a daemon thread, each in a
    Pagefind subprocess. Returns the thread doing it: a request made while a re-index runs is
    handed to that thread, which takes it after the current pass, so ``join()`` returns once
    this request is searchable too."""
    global _bg_thread
    site = Path(site_dir).resolve()
    wanted = None if years is None else {int(y) for y in years}
    with _bg_lock:
        if site in _bg_pending:
            current = _bg_pending[site]
            _bg_pending[site] = None if current is None or wanted is None else current | wanted
        else:
            _bg_pending[site] = wanted
        if _bg_thread is None:
            _bg_thread = threading.Thread(target=_bg_loop, name="search-reindex", daemon=True)
            _bg_thread.start()
        return _bg_thread


def _bg_loop() -> None:
    global _bg_thread
    while True:
        with _bg_lock:
            if not _bg_pending:
                _bg_thread = None
                return
            site, years = _bg_pending.popitem()
        try:
            shards = stale_shards(site, years)
            result = index_shards(site, shards) if shards else {"seconds": 0.0, "pages": 0, "shards": {}}
            _bg_last.clear()
            _bg_last.update({"site": str(site), "ok": True, "at": time.time(), **result})
            if shards:
                log.info("search: re-indexed %s in %.1f s (peak %.0f MB)", ", ".join(shards),
                         result["seconds"], result.get("peak_rss_mb", 0))
        except Exception as exc:  # the portal is up to date; search catches up at the next re-index
            log.exception("search: re-index of %s failed", site)
            _bg_last.clear()
            _bg_last.update({"site": str(site), "ok": False, "at": time.time(), "error": str(exc)})


def last_reindex() -> dict[str, Any]:
    """What the last background re-index did (empty before the first)."""
    return dict(_bg_last)
