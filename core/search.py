"""Site search for the public portal: our own static index over the article pages of
``site_build/``, read by static/search.js in the browser (no server, no WebAssembly).

Why not Pagefind any more (issue 16, measured by bench/search_quality.py): Pagefind matches a
query word by prefix over the words it cut at build time, so a Chinese phrase either had to be
pre-cut into pairs (10–20 words a query, each looked up in each of 40 quarterly indexes the
browser merged: 6 s a query at 10,000 articles) or missed. Here a phrase is one positional
intersection over the postings of its pairs, and the browser fetches only the files of the
query's words.

Words (``_postings`` and ``query_parts`` here, ``queryParts`` in static/search-tokens.js, tested
against each other in Chromium): the text is NFKC-normalised and lower-cased; every two adjacent Chinese characters are
one word (新型 型工 工业 业化), a Chinese character next to a non-Chinese one (the first and last of
a run: 第3批 → 第 3 批) is also a word alone, numbers and Latin words are whole words. A word's
position is its offset among the letters and digits of its field (spaces and punctuation do not
count, so 陕工信发〔2026〕12号 and 陕工信发[2026]12号 are the same phrase); the title's positions
are below ``BODY`` (the body's are ``BODY`` + offset), so a hit tells whether it is in the title.
Besides these, one doc-level word per Chinese character (``~税``: a one-character query; its
position 0 for the title, 1 for the body), one per title (``#`` + title_word: a pasted title is
one look-up), one per 文号 the page names (``#w`` + compact 文号: typed with or without brackets)
and one per filter value (``#f栏目=工作动态``). What is indexed of a page is ``page_record``: the
article as the portal shows it, without the parts marked not to be indexed.

Why from the rendered pages and not from DuckDB rows: the pages are exactly what the public sees
(taken-down articles are notices without an article, the 文号 of a catalogue document, answers),
the quarter's fingerprint of the pages finds what changed, and reading them back costs ~0.1 ms a
page; the work is cutting and sorting the postings, done with numpy over a whole batch at once.

Layout under the site folder::

    art/<yyyy>/<mm>/<id>.html      article pages (core.portal), the only pages indexed
    search-index/manifest.json     what search.js reads first (never cached): segments, filters
    search-index/<segment>/        one segment: p<n>.bin postings buckets, d<n>.json docs, days.bin
    search-index/.state.json       what was indexed: the recent set, each quarter's stamp (not served: a dot file)
    search-index/.state/<q>.json   what was indexed of quarter q: its pages' sizes and times, their base docs
    search-index/.superseded.json  segments no longer listed, and since when

A segment's docs are numbered 0… in date order. Its words are spread over ``buckets`` files by a
hash of the word (``_bucket``: h = h·31 + code point, modulo 2³², modulo buckets), so a query
fetches one file per word per segment. A bucket file is::

    blocks of: u32 doc base, u32 n, u32 string bytes, u32 postings bytes, u32 keys[n],
    u32 ends[n], the string words ("\\n"-joined), postings

keys are sorted by (kind, value): a Chinese character's code point, a pair's two code points
(a << 16 | b), 0x10000 + code point for ``~``; other words carry an arbitrary key ≥ 0x20000 and
their text in the string list (in key order). A word's postings (bytes ends[i-1]..ends[i]) are
LEB128 varints: number of docs, then per doc: doc delta, number of positions, position deltas.
``d<n>.json`` holds docs n·CHUNK…: [url, title, date, columns, 文号]; ``days.bin`` a u16 per doc
(days since 1970-01-01) for "newest first".

Incremental: the full index (``index_all``) writes one base segment, built in batches of
BATCH_DOCS pages two side by side (each in a process of its own: its memory goes back to the
OS); a bucket file is its batches' blocks one after the other, each with its doc base. After a
publish or take-down, ``index_shards`` finds the pages of the given quarters that changed since
they were indexed (size and time), adds them to the "recent" set and rebuilds the one small
recent segment from all of it; the manifest lists the base docs they supersede as ``dead``
(tombstones). When the recent set passes RECENT_MAX pages the base is rebuilt whole.

Atomic install: a segment is written under a new name (a ``.tmp-`` folder renamed into place);
the manifest, swapped last, is the commit point: a reader sees the old index or the new one,
never half of one. Segments no longer listed are deleted GRACE_SECONDS after they were
superseded, so a search page opened before the swap keeps working.

API: ``index_all(site)``, ``index_all_detached(site)``, ``index_shards(site, shards_or_years)``,
``stale_shards(site, years)``, ``reindex_stale(site, years)`` (the stale shards re-indexed),
``reindex_in_background(site, years)`` (``reindex_stale`` in a process of its own, one at a time,
requests arriving meanwhile coalesced), ``query(site, text)`` (the browser's search in Python:
tests and benchmarks), ``indexed_urls(site)``.
"""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import logging
import os
import re
import resource
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
from typing import TYPE_CHECKING, Any

# numpy (≈80 ms to import) is imported by the functions that index or query, so a process that imports this
# module and indexes nothing (`build-site` with no page to index, its --help) does not pay for it.
if TYPE_CHECKING:
    import numpy as np

from core.progress import pause_point

log = logging.getLogger(__name__)

ARTICLE_DIR = "art"
BUNDLE_DIR = "search-index"
MANIFEST = "manifest.json"
STATE = ".state.json"
GRACE_SECONDS = 3600  # a superseded segment stays this long for search pages opened earlier
# A batch of pages is indexed in memory: ~1,800 postings a page of ~1,600 characters, ~70 bytes
# each at the peak (measured: 10,000 pages 1.3 GB), so batches of 5,000 pages peak near 650 MB
# and two are built side by side under 2 GiB. A segment is any number of batches.
BATCH_DOCS = 5_000
PARALLEL = 2
SPLIT_FROM = 500  # pages a batch has at least when a base is split for the cores (a process costs ~0.4 s)
RECENT_MAX = 2_000  # pages in the recent segment before the base is rebuilt
# positions of the body start here; the title's are below (its first TITLE_MAX characters are indexed):
# small, as every doc's first body position of a word is written whole (two bytes, not three)
BODY = 1 << 10
TITLE_MAX = 1000
CHUNK = 64  # docs per d<n>.json
BUCKET_BYTES = 24_000  # aim of a bucket file's size: a query fetches one per word per segment
_WORDS_FROM = 0x20000  # keys of words kept as text (Latin, numbers, #-words)
_UNIGRAM = 0x10000
_SUPERSEDED = ".superseded.json"
_SHARD_ID = re.compile(r"^(\d{4})q([1-4])$")
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(0[1-9]|1[0-2])$")
_SEGMENT_ID = re.compile(r"^[bs][0-9a-f]{12}$")
_EPOCH = date(1970, 1, 1)


class SearchIndexError(RuntimeError):
    """The search index could not be built."""


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


# --------------------------------------------------------------------------- words
#
# Both sides cut the same way, by construction (static/search-tokens.js is tested against this
# module in Chromium): see the module docstring.

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def compact(text: str) -> str:
    """Letters and digits only (NFKC, lower case): what titles are compared by (search-tokens.js
    compact)."""
    return _NOT_ALNUM.sub("", normal(text))


def _fnv(data: bytes, seed: int) -> int:
    value = seed
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def title_word(title: str) -> str:
    """One index word for the whole title: ``zt`` and 64 bits of hash (FNV-1a twice) of compact(title).
    A pasted title finds exactly the pages of that title by it, whatever else the pages say
    (one look-up in the index, whatever else the pages say)."""
    data = compact(title).encode("utf-8")
    return f"zt{_fnv(data, 0x811C9DC5):08x}{_fnv(data, 0x9747B28C):08x}"


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


def _text(fragment: str) -> str:
    # whitespace runs to one space by str.split (the same characters as \s, 4× faster than a regular expression)
    return " ".join(html.unescape(_TAG.sub("", _BLOCK_END.sub(" ", fragment))).split())


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
_NUMBER_TAIL = re.compile(r"[〔\[［(（]\d{4}[〕\]］)）]\d{1,4}号")
_CJK_BEFORE = re.compile(rf"[{_CJK}]{{1,12}}$")


def doc_numbers(text: str) -> set[str]:
    """The 文号 a text names (DOC_NUMBER); the Chinese before the brackets may run on from the
    sentence (见陕工信发〔2026〕12号), so every tail of it from two characters on is one (陕工信发…,
    工信发…). The brackets are looked for first: DOC_NUMBER tried at every Chinese character of a
    page cost more than the rest of its indexing."""
    found = set()
    if "号" not in text:
        return found
    for tail in _NUMBER_TAIL.finditer(text):
        issuer = _CJK_BEFORE.search(text, max(0, tail.start() - 12), tail.start())
        if issuer:
            name = issuer.group()
            found.update(name[i:] + tail.group() for i in range(max(1, len(name) - 1)))
    return found


# --------------------------------------------------------------------------- positional words
#
# The index's words with their positions, for a whole segment at once (numpy over the code points
# of all its fields joined): Python per character would take minutes at 100,000 pages.

_TABLE: np.ndarray | None = None
_CLASSIFIED: np.ndarray | None = None
_ALNUM = re.compile(r"[^\W_]")
_NOT_ALNUM = re.compile(r"[\W_]+")
_WENHAO = re.compile(rf"^[{_CJK}]{{1,12}}[0-9]{{5,8}}号$")


def _classes(present: Iterable[int] | np.ndarray = ()) -> np.ndarray:
    """Per code point: 1 Chinese (the _CJK ranges), 2 another letter or digit, 0 anything else
    (the browser: \\p{L}\\p{N}); correct for ASCII, the Chinese ranges and the code points in
    ``present``, classified on first sight (one by one through a regular expression: the whole
    table at once cost ~0.3 s in every process, each batch's too, for the few thousand seen)."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    global _TABLE, _CLASSIFIED
    if _TABLE is None or _CLASSIFIED is None:
        table = np.zeros(0x110000, dtype=np.uint8)
        for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
            table[lo:hi + 1] = 1
        classified = table > 0
        ascii_alnum = [c for c in range(0x80) if _ALNUM.match(chr(c))]
        table[ascii_alnum] = 2
        classified[:0x80] = True
        _TABLE, _CLASSIFIED = table, classified
    codes = present if isinstance(present, np.ndarray) else np.fromiter(present, dtype=np.int64)
    if len(codes):
        new = codes[~_CLASSIFIED[codes]]
        if len(new):
            for c in np.unique(new).tolist():
                _TABLE[c] = 2 if _ALNUM.match(chr(c)) else 0
            _CLASSIFIED[new] = True
    return _TABLE


def normal(text: str) -> str:
    """What is indexed and searched of a text: NFKC, lower case (search-tokens.js: normal)."""
    return unicodedata.normalize("NFKC", text).lower()


def _bucket_of(word: str, buckets: int) -> int:
    value = 0
    for ch in word:
        value = (value * 31 + ord(ch)) & 0xFFFFFFFF
    return value % buckets


def _key_of(word: str) -> int | None:
    """The numeric key of a Chinese word (one character, a pair, ``~`` + character); None for a
    word kept as text."""
    cls = _classes(map(ord, word))
    if len(word) == 1 and cls[ord(word)] == 1:
        return ord(word)
    if len(word) == 2 and word[0] == "~" and cls[ord(word[1])] == 1:
        return _UNIGRAM + ord(word[1])
    if len(word) == 2 and cls[ord(word[0])] == 1 and cls[ord(word[1])] == 1:
        return ord(word[0]) << 16 | ord(word[1])
    return None


def _doc_words(record: dict[str, Any]) -> list[tuple[str, int]]:
    """The doc-level words of a page with their position (0: from the title, BODY: the body)."""
    words = [("#" + title_word(record["title"]), 0)]
    numbers = {record["doc_number"], *doc_numbers(record["title"]), *doc_numbers(record["text"])}
    title = compact(record["title"])
    for number in sorted(n for n in numbers if n):
        whole = compact(number)
        words.append(("#w" + whole, 0 if whole in title else BODY))
    for name, values in sorted(record["filters"].items()):
        words.extend((f"#f{name}={value}", 0) for value in sorted(set(values)))
    return words


_LUT: np.ndarray | None = None  # code point -> its NFKC lower-case form (one code point)
_SLOW: np.ndarray | None = None  # code points whose form is not one code point, or that compose
_SEEN: np.ndarray | None = None


def _present(cp: np.ndarray) -> np.ndarray:
    """The distinct code points of ``cp``."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    return np.flatnonzero(np.bincount(cp) > 0) if len(cp) else np.zeros(0, dtype=np.int64)


def _fold(cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NFKC and lower case, character by character through a table (unicodedata on whole pages
    cost more than all the rest of the indexing); also which characters need the real thing
    (normal()): forms longer than one character, combining marks, Hangul, capital sigma."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    global _LUT, _SLOW, _SEEN
    if _LUT is None:
        _LUT = np.arange(0x110000, dtype=np.uint32)
        _SLOW = np.zeros(0x110000, dtype=bool)
        _SEEN = np.zeros(0x110000, dtype=bool)
        _SEEN[:0x41] = True  # ASCII other than letters folds to itself
    assert _SLOW is not None and _SEEN is not None
    present = _present(cp)
    for c in present[~_SEEN[present]].tolist():
        ch = chr(c)
        form = unicodedata.normalize("NFKC", ch).lower()
        if (len(form) != 1 or unicodedata.category(ch)[0] == "M" or unicodedata.category(form)[0] == "M"
                or 0x1100 <= c <= 0x11FF or 0x3130 <= c <= 0x318F or 0xAC00 <= c <= 0xD7A3 or c == 0x3A3):
            _SLOW[c] = True
        else:
            _LUT[c] = ord(form)
        _SEEN[c] = True
    return _LUT[cp], _SLOW[cp]


def _fields(records: list[dict[str, Any]]) -> tuple[str, np.ndarray, np.ndarray]:
    """The normalised text of all fields (title, body, title, body, …) joined by NUL, its code
    points and each field's length (with its NUL)."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    fields = []
    for record in records:
        fields.append(record["title"][:TITLE_MAX])
        fields.append(f'{record["doc_number"]} {record["text"]}')
    lengths = np.fromiter((len(f) + 1 for f in fields), dtype=np.int64, count=len(fields))
    raw = np.frombuffer(("\0".join(fields) + "\0").encode("utf-32-le"), dtype="<u4")
    cp, slow = _fold(raw)
    if slow.any():  # rare: those fields through unicodedata itself
        field = np.repeat(np.arange(len(fields)), lengths)
        for f in np.unique(field[slow]).tolist():
            fields[f] = normal(fields[f])[:TITLE_MAX] if f % 2 == 0 else normal(fields[f])
        lengths = np.fromiter((len(f) + 1 for f in fields), dtype=np.int64, count=len(fields))
        raw = np.frombuffer(("\0".join(fields) + "\0").encode("utf-32-le"), dtype="<u4")
        cp = np.where(np.repeat(np.isin(np.arange(len(fields)), list(set(field[slow].tolist()))), lengths),
                      raw, _fold(raw)[0])
    return cp.astype("<u4").tobytes().decode("utf-32-le"), cp, lengths


def _postings(records: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(keys, docs, positions, words kept as text) of a segment's records, each key's entries in
    (doc, position) order; a text word's key is _WORDS_FROM + its index in the list."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    big, cp, lengths = _fields(records)
    cls = _classes(_present(cp))[cp]
    cjk = cls == 1
    nfields = len(lengths)
    # boolean masks, not index arrays: a mask selects at ~1 byte a character where an index array
    # costs 8 bytes an entry to write and a gather to read (fields end with NUL: the last character
    # is never Chinese)
    field = np.repeat(np.arange(nfields, dtype=np.uint32), lengths)
    pos = np.cumsum(cls > 0, dtype=np.uint32)  # letters and digits up to each character, inclusive
    starts = np.cumsum(lengths) - lengths
    first = pos[starts] - (cls[starts] > 0)  # … before each field's first character
    first -= (np.arange(nfields, dtype=np.uint32) & 1) * np.uint32(BODY)  # modulo 2**32: adds BODY
    pos -= cls > 0
    pos -= np.repeat(first, lengths)
    doc = field >> 1
    pair = cjk[:-1] & cjk[1:]
    edge = cjk.copy()
    edge[1:-1] &= ~(cjk[:-2] & cjk[2:])
    left = cp[:-1][pair]
    left <<= 16
    left |= cp[1:][pair]
    keys = [left, cp[edge]]
    docs = [doc[:-1][pair], doc[edge]]
    poss = [pos[:-1][pair], pos[edge]]
    del pair, edge, left
    # one doc-level word per Chinese character and field
    unique = field[cjk]
    unique <<= 16
    unique |= cp[cjk] - np.uint32(0x3400)
    unique.sort()  # fields < 2**16 (BATCH_DOCS)
    unique = unique[np.concatenate(([True], unique[1:] != unique[:-1]))] if len(unique) else unique
    ufield = unique >> 16
    keys.append((unique & 0xFFFF).astype(np.uint32) + np.uint32(0x3400 + _UNIGRAM))
    docs.append(ufield >> 1)
    poss.append(ufield & 1)  # 0 the title, 1 the body: one byte
    # words kept as text: Latin words and numbers, then the doc-level #-words
    word = cls == 2
    wprev = np.zeros_like(word)
    wprev[1:] = word[:-1]
    wnext = np.zeros_like(word)
    wnext[:-1] = word[1:]
    w_start = np.flatnonzero(word & ~wprev)
    w_end = np.flatnonzero(word & ~wnext) + 1
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(big[s:e], len(vocab)) for s, e in zip(w_start.tolist(), w_end.tolist(), strict=True)]
    keys.append(np.asarray(ids, dtype=np.uint32) + np.uint32(_WORDS_FROM))
    docs.append(doc[w_start])
    poss.append(pos[w_start])
    extra_keys, extra_docs, extra_pos = [], [], []
    for n, record in enumerate(records):
        for text, where in _doc_words(record):
            extra_keys.append(vocab.setdefault(text, len(vocab)) + _WORDS_FROM)
            extra_docs.append(n)
            extra_pos.append(where)
    keys.append(np.asarray(extra_keys, dtype=np.uint32))
    docs.append(np.asarray(extra_docs, dtype=np.uint32))
    poss.append(np.asarray(extra_pos, dtype=np.uint32))
    return (np.concatenate(keys).astype(np.uint32), np.concatenate(docs).astype(np.uint32),
            np.concatenate(poss).astype(np.uint32), list(vocab))


def _varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LEB128 bytes of uint32 values, and each value's first byte offset (most values are one
    byte: the first byte of every value in one pass, the others only where needed)."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    size = np.ones(len(values), dtype=np.uint8)
    for bits in (7, 14, 21, 28):
        size += values >= (1 << bits)
    # int32 when it cannot overflow (≤ 5 bytes a value); the uint8 sizes cast before the cumsum
    # (a cumsum of uint8 into a wider type took ~10× as long)
    offset = size.astype(np.int32 if 5 * len(values) < 2**31 - 8 else np.int64)
    np.cumsum(offset, out=offset)
    offset -= size
    out = np.empty(int(offset[-1] + size[-1]) if len(values) else 0, dtype=np.uint8)
    low = values.astype(np.uint8)  # the low 8 bits; bytes, not uint32, for the whole array
    low &= np.uint8(0x7F)
    low |= (size > 1).view(np.uint8) << np.uint8(7)
    out[offset] = low
    del low
    for k in range(1, 5):
        more = np.flatnonzero(size > k)
        if not len(more):
            break
        chunk = (values[more] >> np.uint32(7 * k)) & np.uint32(0x7F)
        chunk |= (size[more] > k + 1).astype(np.uint32) << 7
        out[offset[more] + k] = chunk.astype(np.uint8)
    return out, offset


def _encode(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term keys, postings bytes, each term's byte range start) in key order, from [keys, docs,
    positions] (emptied: the arrays are dropped as soon as they are used). Memory, not time,
    bounds a segment: int32 indexes, in-place arithmetic, ~40 bytes a posting at the peak."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    keys, docs, pos = arrays
    arrays.clear()
    n = len(keys)
    order = keys.astype(np.uint64)
    del keys
    order <<= np.uint64(32)
    order |= np.arange(n, dtype=np.uint64)
    order.sort()
    k = (order >> np.uint64(32)).astype(np.uint32)
    order &= np.uint64(0xFFFFFFFF)
    index = order.astype(np.int32)
    del order
    d = docs[index]
    del docs
    p = pos[index]
    del pos, index
    new_term = np.ones(n, dtype=bool)
    np.not_equal(k[1:], k[:-1], out=new_term[1:])
    new_run = new_term.copy()
    new_run[1:] |= d[1:] != d[:-1]
    term_starts = np.flatnonzero(new_term).astype(np.int32)
    run_starts = np.flatnonzero(new_run).astype(np.int32)
    nterms, nruns = len(term_starts), len(run_starts)
    term_keys = k[term_starts]
    del k
    out = np.empty(n + nterms + 2 * nruns, dtype=np.uint32)
    pdelta = p.copy()
    pdelta[1:] -= p[:-1]
    pdelta[new_run] = p[new_run]
    del p
    # where each position goes: after its term's count and its run's doc delta and count, i.e. its
    # index + 1 per term begun + 2 per run begun so far (one cumsum, not a term and a run id each)
    dst = new_run.view(np.uint8).astype(np.int32)
    dst <<= 1
    dst += new_term
    np.cumsum(dst, out=dst)
    dst += np.arange(n, dtype=np.int32)
    out[dst] = pdelta
    del dst, pdelta, new_run
    run_docs = d[run_starts]
    del d
    ddelta = run_docs.copy()
    ddelta[1:] -= run_docs[:-1]
    first = new_term[run_starts]  # the runs that begin a term
    ddelta[first] = run_docs[first]
    del run_docs
    run_term = np.cumsum(first, dtype=np.int32)
    run_term -= 1
    term_out = term_starts + np.arange(nterms, dtype=np.int32) + 2 * np.flatnonzero(first).astype(np.int32)
    del first
    run_out = run_starts + run_term + 1 + 2 * np.arange(nruns, dtype=np.int32)
    out[run_out] = ddelta
    out[run_out + 1] = np.diff(np.append(run_starts, n))
    del run_out, ddelta, run_starts
    out[term_out] = np.bincount(run_term, minlength=nterms)
    del run_term
    data, offset = _varints(out)
    return term_keys, data, offset[term_out]


def _term_buckets(term_keys: np.ndarray, vocab: list[str], buckets: int) -> np.ndarray:
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    h = term_keys.astype(np.int64)
    pair = term_keys >= 0x3400_0000
    h[pair] = (term_keys[pair] >> 16).astype(np.int64) * 31 + (term_keys[pair] & 0xFFFF)
    uni = (term_keys >= _UNIGRAM) & (term_keys < _WORDS_FROM)
    h[uni] = ord("~") * 31 + (term_keys[uni] - _UNIGRAM).astype(np.int64)
    for i in np.flatnonzero((term_keys >= _WORDS_FROM) & ~pair).tolist():
        h[i] = _bucket_of(vocab[int(term_keys[i]) - _WORDS_FROM], 1 << 32)
    return (h % buckets).astype(np.int64)


def _write_buckets(folder: Path, arrays: list[np.ndarray], vocab: list[str], buckets: int) -> None:
    """A batch's block of each p<n>.bin (doc base 0: _assemble sets it) from [keys, docs,
    positions] (emptied), all in blocks.bin, where bucket n's block starts at blocks.idx[n]: one
    file a batch, not one per bucket (16,384 buckets × 20 batches at 100,000 pages)."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    term_keys, data, starts = _encode(arrays)
    bucket = _term_buckets(term_keys, vocab, buckets)
    order = np.argsort(bucket, kind="stable")
    lengths = np.diff(np.append(starts, len(data)).astype(np.int64))[order]
    firsts = starts[order].astype(np.int64)
    keys_sorted = term_keys[order]
    edges = np.searchsorted(bucket[order], np.arange(buckets + 1))
    out: list[bytes] = []
    offsets = np.zeros(buckets + 1, dtype="<u8")
    for b in range(buckets):
        t0, t1 = int(edges[b]), int(edges[b + 1])
        size = lengths[t0:t1]
        ends = np.cumsum(size)
        # this bucket's postings, gathered from where _encode put them (key order)
        gather = np.repeat(firsts[t0:t1] - (ends - size), size) + np.arange(int(ends[-1]) if t1 > t0 else 0)
        k = keys_sorted[t0:t1]
        text = "\n".join(vocab[int(x) - _WORDS_FROM] for x in k[(k >= _WORDS_FROM) & (k < 0x3400_0000)].tolist())
        strings = text.encode("utf-8")
        postings = data[gather].tobytes()
        head = np.array([0, t1 - t0, len(strings), len(postings)], dtype="<u4").tobytes()
        out.append(head + k.astype("<u4").tobytes() + ends.astype("<u4").tobytes() + strings + postings)
        offsets[b + 1] = offsets[b] + len(out[-1])
    (folder / "blocks.bin").write_bytes(b"".join(out))
    (folder / "blocks.idx").write_bytes(offsets.tobytes())


def _page_stat(site: Path, rel: str) -> list[int] | None:
    try:
        st = os.stat(site / rel)
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _days(when: str) -> int:
    try:
        return (date.fromisoformat(when[:10]) - _EPOCH).days
    except ValueError:
        return 0


def buckets_for(pages: int) -> int:
    """How many bucket files a segment of this many pages gets (~7 KB of postings a page)."""
    buckets = 8
    while pages * 7_000 / buckets > BUCKET_BYTES and buckets < 16_384:
        buckets *= 2
    return buckets


def build_batch(site_dir: str, relpaths: list[str], folder: str, buckets: int) -> dict[str, Any]:
    """Index these pages (paths relative to the site) into ``folder``: one block of each bucket
    file. Returns the docs' rows (url, title, date, columns, 文号) and days in doc order, their
    pages, filter counts and figures; nothing written when no page is indexable."""
    started = time.perf_counter()
    site = Path(site_dir)
    records = []
    for rel in relpaths:
        try:
            page = (site / rel).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            continue
        record = page_record(page)
        if record is not None:
            record["url"] = "/" + rel.replace(os.sep, "/")
            records.append(record)
    records.sort(key=lambda r: (r["date"], r["url"]))
    filters: dict[str, dict[str, int]] = {}
    for record in records:
        for name, values in record["filters"].items():
            for value in set(values):
                filters.setdefault(name, {})
                filters[name][value] = filters[name].get(value, 0) + 1
    if records:
        Path(folder).mkdir(parents=True, exist_ok=True)
        *arrays, vocab = _postings(records)
        _write_buckets(Path(folder), arrays, vocab, buckets)
    return {
        "docs": len(records),
        "rows": [[r["url"], r["title"], r["date"], "、".join(r["filters"].get("栏目", [])), r["doc_number"]]
                 for r in records],
        "days": [_days(r["date"]) for r in records],
        "pages": [r["url"][1:] for r in records],
        "filters": filters,
        "seconds": round(time.perf_counter() - started, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _assemble(target: Path, batches: list[tuple[Path, dict[str, Any]]], buckets: int) -> dict[str, Any]:
    """One segment from its batches: each bucket file the batches' blocks one after the other
    (with their doc base), the docs table and days re-chunked over all docs."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    target.mkdir(parents=True, exist_ok=True)
    bases = []
    total = 0
    for _, batch in batches:
        bases.append(total)
        total += batch["docs"]
    blocks = [(np.fromfile(folder / "blocks.bin", dtype=np.uint8), np.fromfile(folder / "blocks.idx", dtype="<u8"),
               np.array([base], dtype="<u4").tobytes())
              for (folder, batch), base in zip(batches, bases, strict=True) if batch["docs"]]

    def write(part: int, blocks: list[tuple[np.ndarray, np.ndarray, bytes]]) -> None:
        for b in range(part, buckets, PARALLEL):  # threads: one writes files while the other joins bytes
            (target / f"p{b}.bin").write_bytes(b"".join(base + data[int(idx[b]) + 4:int(idx[b + 1])].tobytes()
                                                       for data, idx, base in blocks))

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        list(pool.map(write, range(PARALLEL), [blocks] * PARALLEL))
    del blocks
    rows = [row for _, batch in batches for row in batch["rows"]]
    for n in range(0, len(rows), CHUNK):
        (target / f"d{n // CHUNK}.json").write_text(
            json.dumps(rows[n:n + CHUNK], ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    days = np.asarray([d for _, batch in batches for d in batch["days"]], dtype="<u2")
    (target / "days.bin").write_bytes(days.tobytes())
    filters: dict[str, dict[str, int]] = {}
    for _, batch in batches:
        for name, values in batch["filters"].items():
            for value, count in values.items():
                filters.setdefault(name, {})
                filters[name][value] = filters[name].get(value, 0) + count
    return {
        "docs": total,
        "buckets": buckets,
        "chunk": CHUNK,
        "pages": [page for _, batch in batches for page in batch["pages"]],
        "filters": filters,
        "seconds": round(sum(batch["seconds"] for _, batch in batches), 3),
        "peak_rss_mb": max((batch["peak_rss_mb"] for _, batch in batches), default=0.0),
    }


# --------------------------------------------------------------------------- query (Python)
#
# The browser's search (static/search.js) in Python, over the same files: tests and benchmarks
# check the index with it; search.js is tested in Chromium against the same pages.


def query_parts(text: str) -> list[dict[str, Any]]:
    """The parts of a query (split at spaces): each a phrase of (word, offset) pairs, or for a
    lone Chinese character its doc-level word; a part that is a 文号 also its #w word."""
    cls = _classes(map(ord, normal(text)))
    parts = []
    for raw in normal(text).split():
        words: list[tuple[str, int]] = []
        offset = 0
        i = 0
        while i < len(raw):
            kind = cls[ord(raw[i])]
            j = i
            while j < len(raw) and cls[ord(raw[j])] == kind:
                j += 1
            run = raw[i:j]
            if kind == 1:
                if len(run) == 1:
                    words.append((run, offset))
                words.extend((run[n:n + 2], offset + n) for n in range(len(run) - 1))
                offset += len(run)
            elif kind == 2:
                words.append((run, offset))
                offset += len(run)
            i = j
        if not words:
            continue
        whole = compact(raw)
        single = f"~{whole}" if len(whole) == 1 and cls[ord(whole)] == 1 else None
        parts.append({"words": [] if single else words, "single": single,
                      "wenhao": "#w" + whole if _WENHAO.match(whole) else None})
    return parts


def _read_bucket(path: Path) -> dict[Any, list[tuple[int, bytes]]]:
    """word (key, or text for text words) -> [(doc base, postings bytes)] over the file's blocks."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    out: dict[Any, list[tuple[int, bytes]]] = {}
    at = 0
    while at < len(data):
        base, n, nstr, npost = np.frombuffer(data, dtype="<u4", count=4, offset=at).tolist()
        keys = np.frombuffer(data, dtype="<u4", count=n, offset=at + 16).tolist()
        ends = np.frombuffer(data, dtype="<u4", count=n, offset=at + 16 + 4 * n).tolist()
        text = at + 16 + 8 * n
        strings = iter(data[text:text + nstr].decode("utf-8").split("\n")) if nstr else iter(())
        postings = text + nstr
        start = 0
        for key, end in zip(keys, ends, strict=True):
            name = next(strings) if _WORDS_FROM <= key < 0x3400_0000 else key
            out.setdefault(name, []).append((base, data[postings + start:postings + end]))
            start = end
        at = postings + npost
    return out


def _decode(base: int, data: bytes, out: dict[int, list[int]]) -> None:
    values = []
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            values.append(value)
            value = shift = 0
    it = iter(values)
    doc = base
    for _ in range(next(it, 0)):
        doc += next(it)
        count = next(it)
        positions, p = [], 0
        for _ in range(count):
            p += next(it)
            positions.append(p)
        out[doc] = positions


def _lookup(folder: Path, buckets: int, word: str) -> dict[int, list[int]]:
    key = _key_of(word)
    out: dict[int, list[int]] = {}
    for base, data in _read_bucket(folder / f"p{_bucket_of(word, buckets)}.bin").get(word if key is None else key, []):
        _decode(base, data, out)
    return out


def _phrase(folder: Path, buckets: int, part: dict[str, Any]) -> dict[int, tuple[int, int]]:
    """doc -> (matches in the title, matches in the body) of a part; (0, 0): every word, no phrase."""
    if part["single"]:
        return {d: (int(ps[0] == 0), int(ps[-1] > 0)) for d, ps in _lookup(folder, buckets, part["single"]).items()}
    lists = [(_lookup(folder, buckets, w), off) for w, off in part["words"]]
    docs = set(lists[0][0])
    for postings, _ in lists[1:]:
        docs &= set(postings)
    out: dict[int, tuple[int, int]] = {}
    for d in docs:
        first, off0 = lists[0]
        sets = [(set(p[d]), off) for p, off in lists[1:]]
        hits = [s - off0 for s in first[d] if all(s - off0 + off in ps for ps, off in sets)]
        out[d] = (sum(h < BODY for h in hits), sum(h >= BODY for h in hits))
    if part["wenhao"]:
        for d, ps in _lookup(folder, buckets, part["wenhao"]).items():
            t, b = out.get(d, (0, 0))
            out[d] = (max(t, int(ps[0] < BODY)), max(b, 1))
    return out


def query(site_dir: str | os.PathLike, text: str, *, filters: dict[str, str] | None = None,
          by_date: bool = False) -> dict[str, Any]:
    """Search the installed index as search.js does: {"count", "results": [{url, title, date,
    columns, doc_number, tier}]}, tier 0 the exact title, 1 the title contains every part of the
    query, 2 the text does, 3 every word is there but not as a phrase."""
    import numpy as np  # deferred: ≈80 ms, paid only by indexing and querying
    site = Path(site_dir)
    parts = query_parts(text)
    manifest = read_manifest(site)
    if not parts:
        return {"count": 0, "results": []}
    whole = "#" + title_word(text)
    found = []
    for n, segment in enumerate(manifest["segments"]):
        folder = site / BUNDLE_DIR / segment["id"]
        buckets = segment["buckets"]
        per_part = [_phrase(folder, buckets, part) for part in parts]
        docs = set(per_part[0])
        for other in per_part[1:]:
            docs &= set(other)
        docs -= set(segment.get("dead", []))
        for name, value in (filters or {}).items():
            docs &= set(_lookup(folder, buckets, f"#f{name}={value}"))
        exact = set(_lookup(folder, buckets, whole))
        days = np.frombuffer((folder / "days.bin").read_bytes(), dtype="<u2")
        for d in docs:
            hits = [p[d] for p in per_part]
            tier = (0 if d in exact else 1 if all(t for t, _ in hits) else 2 if all(t or b for t, b in hits) else 3)
            score = sum(10 * t + b for t, b in hits)
            found.append((tier, -score, -int(days[d]), -n, -d, n, d))
    found.sort(key=(lambda f: (f[2], f[3], f[4])) if by_date else None)
    results = []
    for tier, _, _, _, _, n, d in found:
        segment = manifest["segments"][n]
        rows = json.loads((site / BUNDLE_DIR / segment["id"] / f"d{d // segment['chunk']}.json").read_text("utf-8"))
        url, title, when, columns, number = rows[d % segment["chunk"]]
        results.append({"url": url, "title": title, "date": when, "columns": columns, "doc_number": number,
                        "tier": tier})
    return {"count": len(results), "results": results}


def indexed_urls(site_dir: str | os.PathLike) -> set[str]:
    """The URLs the installed index finds (its docs less the dead)."""
    site = Path(site_dir)
    urls = set()
    for segment in read_manifest(site)["segments"]:
        dead = set(segment.get("dead", []))
        for n in range(0, segment["docs"], segment["chunk"]):
            rows = json.loads((site / BUNDLE_DIR / segment["id"] / f"d{n // segment['chunk']}.json").read_text("utf-8"))
            urls.update(row[0] for i, row in enumerate(rows, start=n) if i not in dead)
    return urls


# --------------------------------------------------------------------------- manifest and state


def read_manifest(site_dir: str | os.PathLike) -> dict[str, Any]:
    path = Path(site_dir) / BUNDLE_DIR / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("segments"), list):
            return data
    except (OSError, ValueError):
        pass
    return {"version": 2, "building": False, "pages": 0, "segments": [], "filters": {}}


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_manifest(site: Path, segments: list[dict], filters: dict, *, building: bool = False) -> None:
    """The commit point of an install. ``building``: a full index is under way (search.js says so
    while no segment is listed yet)."""
    listed = [{k: s[k] for k in ("id", "docs", "buckets", "chunk", "dead", "recent") if k in s} for s in segments]
    manifest = {
        "version": 2,
        "building": building,
        "generated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "pages": sum(s["docs"] - len(s.get("dead", [])) for s in segments),
        "segments": listed,
        "filters": filters,
    }
    _write_atomic(site / BUNDLE_DIR / MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))


def _set_building(site: Path, building: bool) -> None:
    manifest = read_manifest(site)
    _write_manifest(site, manifest["segments"], manifest.get("filters", {}), building=building)


# The state is kept per quarter so that a re-index after a publish reads and writes what its quarters hold, not
# the whole site's (at 100,000 articles the one 14 MB file cost ~0.8 s of CPU to read twice and write once):
# .state.json holds {"version": 3, "recent": [...], "quarters": {quarter: stamp}}; .state/<quarter>.json the
# quarter's {"pages": {relpath: [size, mtime_ns]}, "base": {relpath: [segment, doc]}} ("_.json": pages of no
# quarter). _write_state still takes the whole state (the full index writes it all).
_PARTS = ".state"
_TOP = ("version", "recent", "quarters")


def _part_name(quarter: str) -> str:
    return f"{quarter or '_'}.json"


def _read_top(site: Path) -> dict[str, Any] | None:
    """{"version", "recent", "quarters"}; a version 2 state (one file) is split into version 3 first."""
    try:
        state = json.loads((site / BUNDLE_DIR / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    if state.get("version") == 2 and isinstance(state.get("pages"), dict):
        _write_state(site, state)
        state = {k: state[k] for k in _TOP}
        state["version"] = 3
    return state if state.get("version") == 3 else None


def _read_part(site: Path, quarter: str) -> dict[str, dict]:
    try:
        part = json.loads((site / BUNDLE_DIR / _PARTS / _part_name(quarter)).read_text(encoding="utf-8"))
        if isinstance(part, dict):
            return {"pages": part.get("pages", {}), "base": part.get("base", {})}
    except (OSError, ValueError):
        pass
    return {"pages": {}, "base": {}}


def _write_part(site: Path, quarter: str, part: dict[str, dict]) -> None:
    folder = site / BUNDLE_DIR / _PARTS
    folder.mkdir(exist_ok=True)
    _write_atomic(folder / _part_name(quarter), json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode())


def _write_top(site: Path, top: dict[str, Any]) -> None:
    top = {**{k: top[k] for k in _TOP}, "version": 3}
    _write_atomic(site / BUNDLE_DIR / STATE, json.dumps(top, ensure_ascii=False, separators=(",", ":")).encode())


def _write_state(site: Path, state: dict[str, Any]) -> None:
    """Write a whole state (its quarters' files first, the top file last); the files of quarters it no longer
    has are removed."""
    parts: dict[str, dict[str, dict]] = {}
    for rel, stat in state["pages"].items():
        parts.setdefault(_quarter_of(rel) or "", {"pages": {}, "base": {}})["pages"][rel] = stat
    for rel, where in state["base"].items():
        parts.setdefault(_quarter_of(rel) or "", {"pages": {}, "base": {}})["base"][rel] = where
    for quarter, part in parts.items():
        _write_part(site, quarter, part)
    folder = site / BUNDLE_DIR / _PARTS
    for path in folder.glob("*.json") if folder.is_dir() else []:
        if path.name not in {_part_name(q) for q in parts}:
            path.unlink(missing_ok=True)
    _write_top(site, state)


def _quarter_of(rel: str) -> str | None:
    parts = rel.split("/")
    if len(parts) == 4 and parts[0] == ARTICLE_DIR and _YEAR.match(parts[1]) and _MONTH.match(parts[2]):
        return shard_for(date(int(parts[1]), int(parts[2]), 1))
    return None


def _supersede(site: Path, gone: Iterable[str]) -> None:
    """Mark segment folders no longer listed; delete those superseded GRACE_SECONDS ago."""
    bundle = site / BUNDLE_DIR
    marks_path = bundle / _SUPERSEDED
    try:
        marks: dict[str, float] = json.loads(marks_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marks = {}
    now = time.time()
    for name in gone:
        marks.setdefault(name, now)
    kept = {}
    for name, since in marks.items():
        if now - since >= GRACE_SECONDS:
            shutil.rmtree(bundle / name, ignore_errors=True)
        elif (bundle / name).exists():
            kept[name] = since
    if kept:
        _write_atomic(marks_path, json.dumps(kept).encode("utf-8"))
    else:
        marks_path.unlink(missing_ok=True)


def _merge_filters(segments: list[dict]) -> dict[str, dict[str, int]]:
    merged: dict[str, dict[str, int]] = {}
    for segment in segments:
        for name, values in segment.get("filters", {}).items():
            for value, count in values.items():
                merged.setdefault(name, {})
                merged[name][value] = merged[name].get(value, 0) + count
    return merged


# --------------------------------------------------------------------------- building


# A batch process allocates and frees arrays of tens of MB one after the other (~3 GB in all for
# 5,000 pages): from glibc's mmap each is new memory, faulted in page by page (half the batch's
# CPU was system time). From the heap, never trimmed, the freed memory is used again; it goes
# back to the OS when the process ends. numpy's transparent huge pages off: on this VM a huge
# page fault compacts memory (system time 0.8-0.9 → 0.3 s a batch of 5,000 pages, user +0.15 s).
_BATCH_ENV = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 40), "NUMPY_MADVISE_HUGEPAGE": "0"}


def _batch_process(site: Path, relpaths: list[str], folder: Path, buckets: int) -> dict[str, Any]:
    """build_batch in a Python process of its own (not multiprocessing: its spawn re-imports the
    caller's main module, fork copies the workbench's threads); arguments and result as JSON files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "job.json").write_text(json.dumps([str(site), relpaths, str(folder), buckets]), encoding="utf-8")
    code = ("import json, sys; from core import search; job = json.load(open(sys.argv[1], encoding='utf-8')); "
            "out = search.build_batch(*job); open(sys.argv[2], 'w', encoding='utf-8').write(json.dumps(out))")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code, str(folder / "job.json"), str(folder / "result.json")],
                          cwd=root, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=_BATCH_ENV | os.environ)
    if done.returncode != 0:
        raise SearchIndexError(f"indexing a batch of {len(relpaths)} pages failed:\n{done.stderr[-2000:]}")
    return json.loads((folder / "result.json").read_text(encoding="utf-8"))


def _build_segment(site: Path, relpaths: list[str], kind: str) -> dict[str, Any]:
    """A segment of these pages, in batches of BATCH_DOCS built two at a time in processes of
    their own (a batch's memory goes back to the OS when its process ends), assembled in a
    ``.tmp-`` folder and renamed into place; one batch is built in this process."""
    segment_id = kind + secrets.token_hex(6)
    tmp = site / BUNDLE_DIR / f".tmp-{segment_id}-{os.getpid()}-{secrets.token_hex(4)}"  # writer.py _LEFTOVER
    buckets = buckets_for(len(relpaths))
    count = -(-len(relpaths) // BATCH_DOCS)
    if kind == "b" and len(relpaths) >= 2 * SPLIT_FROM:
        count = max(count, PARALLEL)  # a small site's base too uses both cores
    size = max(1, -(-len(relpaths) // max(count, 1)))  # no pages (a new site): one empty batch, not range(0, 0, 0)
    groups = [relpaths[n:n + size] for n in range(0, len(relpaths), size)] or [[]]
    folders = [tmp / f"batch{n}" for n in range(len(groups))]
    if len(groups) == 1:
        results = [build_batch(str(site), groups[0], str(folders[0]), buckets)]
    else:
        with ThreadPoolExecutor(max_workers=min(PARALLEL, len(groups))) as pool:
            results = list(pool.map(lambda n: _batch_process(site, groups[n], folders[n], buckets), range(len(groups))))
    started = time.perf_counter()
    result = _assemble(tmp / "segment", list(zip(folders, results, strict=True)), buckets)
    result["seconds"] = round(result["seconds"] + time.perf_counter() - started, 3)
    pause_point("search")  # the kill -9 test of a re-index (its .tmp- folder is then left)
    if result["docs"]:
        os.replace(tmp / "segment", site / BUNDLE_DIR / segment_id)
    shutil.rmtree(tmp, ignore_errors=True)
    return {"id": segment_id, **result}


def _pages_on_disk(site: Path) -> dict[str, list[int]]:
    """relpath -> [size, mtime_ns] of every article page, oldest month first (the pages of
    plan_shards, in its order: one pass over the folders, the stat from the folder entry)."""
    found: list[tuple[str, list[int]]] = []
    top = site / ARTICLE_DIR
    if not top.is_dir():
        return {}
    with os.scandir(top) as years:
        folders = [(y.name, y.path) for y in years if y.is_dir() and _YEAR.match(y.name)]
    for year, year_path in folders:
        with os.scandir(year_path) as months:
            inside = [(m.name, m.path) for m in months if m.is_dir() and _MONTH.match(m.name)]
        for month, month_path in inside:
            with os.scandir(month_path) as entries:
                for entry in entries:
                    if entry.name.endswith(".html") and entry.is_file():
                        try:
                            st = entry.stat()
                        except FileNotFoundError:
                            continue
                        found.append((f"{ARTICLE_DIR}/{year}/{month}/{entry.name}", [st.st_size, st.st_mtime_ns]))
    found.sort()
    return dict(found)


def _stamp(items: Iterable[tuple[str, list[int]]]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for rel, (size, mtime) in sorted(items):
        digest.update(f"{rel}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def _quarter_pages(site: Path, shard: str) -> dict[str, list[int]]:
    pages = {}
    for entry in _shard_files(site, shard):
        st = entry.stat()
        pages[os.path.relpath(entry.path, site)] = [st.st_size, st.st_mtime_ns]
    return pages


def _summary(started: float, segments: list[dict], built: list[dict], removed: list[str]) -> dict[str, Any]:
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "pages": sum(s["docs"] - len(s.get("dead", [])) for s in segments),
        "segments": {s["id"]: {"pages": s["docs"], "seconds": s["seconds"], "peak_rss_mb": s["peak_rss_mb"]}
                     for s in built if s["docs"]},
        "shards": {s["id"]: {"pages": s["docs"]} for s in built if s["docs"]},
        "removed": removed,
        "peak_rss_mb": max((s["peak_rss_mb"] for s in built), default=0.0),
    }


def _full(site: Path, *, building: bool) -> dict[str, Any]:
    started = time.perf_counter()
    old = [s["id"] for s in read_manifest(site)["segments"]]
    pages = _pages_on_disk(site)
    built = [_build_segment(site, list(pages), "b")]
    segments = [s for s in built if s["docs"]]
    base = {rel: [s["id"], n] for s in segments for n, rel in enumerate(s["pages"])}
    quarters: dict[str, list[tuple[str, list[int]]]] = {}
    for rel, stat in pages.items():
        quarters.setdefault(_quarter_of(rel) or "", []).append((rel, stat))
    state = {"version": 2, "pages": pages, "base": base, "recent": [],
             "quarters": {q: _stamp(items) for q, items in quarters.items() if q}}
    for segment in segments:
        segment["dead"] = []
    _write_state(site, state)
    _write_manifest(site, segments, _merge_filters(segments), building=building)
    _save_filters(site, segments)
    _supersede(site, old)
    shutil.rmtree(site / "pagefind", ignore_errors=True)  # the Pagefind index of before issue 16
    return _summary(started, segments, built, [])


def _save_filters(site: Path, segments: list[dict]) -> None:
    """Each base segment's filter counts (the manifest holds only their sum)."""
    path = site / BUNDLE_DIR / ".filters.json"
    _write_atomic(path, json.dumps({s["id"]: s.get("filters", {}) for s in segments if not s.get("recent")},
                                   ensure_ascii=False).encode("utf-8"))


def _base_filters(site: Path) -> dict[str, dict]:
    try:
        return json.loads((site / BUNDLE_DIR / ".filters.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _incremental(site: Path, shards: list[str]) -> dict[str, Any]:
    """Pages of these quarters changed since indexed → the recent set; rebuild the recent segment. Reads and
    writes the state of these quarters (and of those the recent set's pages are in), not the whole site's."""
    started = time.perf_counter()
    top = _read_top(site)
    manifest = read_manifest(site)
    if top is None:
        return _full(site, building=False)
    recent = set(top["recent"])
    parts: dict[str, dict[str, dict]] = {}
    changed = []
    for shard in shards:
        part = parts[shard] = _read_part(site, shard)
        now = _quarter_pages(site, shard)
        before = part["pages"]
        changed += [rel for rel, stat in now.items() if before.get(rel) != stat]
        changed += [rel for rel in before if rel not in now]
        part["pages"] = now
        if now:
            top["quarters"][shard] = _stamp(now.items())
        else:
            top["quarters"].pop(shard, None)
    if not changed:
        for shard in shards:
            _write_part(site, shard, parts[shard])
        _write_top(site, top)
        return _summary(started, manifest["segments"], [], [])
    recent.update(changed)
    if len(recent) > RECENT_MAX:
        return _full(site, building=False)
    for quarter in {_quarter_of(rel) or "" for rel in recent} - parts.keys():
        parts[quarter] = _read_part(site, quarter)  # read only: their pages did not change
    built = _build_segment(site, sorted(r for r in recent if r in parts[_quarter_of(r) or ""]["pages"]), "s")
    built["recent"] = True
    dead: dict[str, list[int]] = {}
    for rel in recent:
        where = parts[_quarter_of(rel) or ""]["base"].get(rel)
        if where:
            dead.setdefault(where[0], []).append(where[1])
    filters = _base_filters(site)
    segments = []
    old_recent = []
    for segment in manifest["segments"]:
        if segment.get("recent"):
            old_recent.append(segment["id"])
            continue
        segment["dead"] = sorted(dead.get(segment["id"], []))
        segment["filters"] = filters.get(segment["id"], {})
        segments.append(segment)
    if built["docs"]:
        segments.append(built)
    # the manifest first: should this process die before the state is written, the next pass finds the same
    # pages changed and does this again (the other way round, their change would be recorded and not indexed)
    _write_manifest(site, segments, _merge_filters(segments))
    for shard in shards:
        _write_part(site, shard, parts[shard])
    top["recent"] = sorted(recent)
    _write_top(site, top)
    _supersede(site, old_recent)
    return _summary(started, segments, [built], [])


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
            for path in bundle.glob(".tmp-*"):  # left by a run that died (we hold the lock)
                shutil.rmtree(path, ignore_errors=True)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def index_shards(site_dir: str | os.PathLike, shards_or_years: Iterable[int | str | date | datetime]) -> dict:
    """Bring the given quarters (``2025q3``), years (``2025``) or the quarters of dates up to date:
    their changed pages go into the recent segment. Returns figures: seconds, pages (searchable
    in all), segments built, peak_rss_mb."""
    site = Path(site_dir).resolve()
    shards = resolve(shards_or_years)
    with _locked(site):
        return _incremental(site, shards)


def index_all(site_dir: str | os.PathLike) -> dict:
    """Index every article page afresh (base segments, no recent one)."""
    site = Path(site_dir).resolve()
    with _locked(site):
        _set_building(site, True)
        try:
            return _full(site, building=False)
        except BaseException:
            _set_building(site, False)
            raise


def index_all_detached(site_dir: str | os.PathLike) -> int:
    """Start ``index_all`` in a process of its own that outlives this one (``make run``: the portal
    and the workbench answer while the index is built; search.js says it is being built meanwhile).
    Returns its pid."""
    site = Path(site_dir).resolve()
    with _locked(site):  # the manifest says "building" before this returns: no "not built" in between
        _set_building(site, True)
    code = "import sys; from core import search; search.index_all(sys.argv[1])"
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, "-c", code, str(site)], cwd=root, start_new_session=True,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process.pid


def stale_shards(site_dir: str | os.PathLike, years: Iterable[int] | None = None) -> list[str]:
    """Quarters of ``years`` (all when None) whose pages changed since they were indexed, or that
    are not indexed yet, or whose pages are gone."""
    site = Path(site_dir).resolve()
    indexed = (_read_top(site) or {"quarters": {}})["quarters"]
    candidates = set(plan_shards(site)) | set(indexed) if years is None else set(shards_for_years(years))
    stale = []
    for shard in candidates:
        pages = _quarter_pages(site, shard)
        if (_stamp(pages.items()) if pages else None) != indexed.get(shard):
            stale.append(shard)
    return sorted(stale, key=_order, reverse=True)


def fingerprint(site_dir: str | os.PathLike, shard: str) -> str:
    """A digest of the names, sizes and modification times of a quarter's pages: it changes when
    a page of the quarter is written, added or removed (the portal's Writer replaces a page only
    when its bytes change)."""
    return _stamp(_quarter_pages(Path(site_dir), shard).items())


# Background re-index after a publish: one at a time; requests that arrive while one runs are
# merged into the next pass of the same thread. The pass itself runs in a Python process of its own
# (``_reindex``): at 100,000 articles it costs about a second of CPU (the state of 138,000 pages read
# and written, the quarters' pages listed, the recent segment built), which on a thread of the
# workbench held the interpreter's lock while the page that asked for the publish reran (issue 16).
_bg_lock = threading.Lock()
_bg_thread: threading.Thread | None = None
_bg_pending: dict[Path, set[int] | None] = {}
_bg_last: dict[str, Any] = {}


def reindex_in_background(site_dir: str | os.PathLike, years: Iterable[int] | None = None) -> threading.Thread:
    """Refresh the stale shards of ``years`` (all years when None): a daemon thread of this process
    runs ``reindex_stale`` in a process of its own (our own indexer: the recent segment, or the base
    when it has grown too large) and waits for it. Returns the thread: a request made while a
    re-index runs is handed to that thread, which takes it after the current pass, so ``join()``
    returns once this request is searchable too."""
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


def reindex_stale(site_dir: str | os.PathLike, years: Iterable[int] | None = None) -> dict[str, Any]:
    """One pass of the re-index: the stale shards of ``years`` (all when None) brought up to date.
    Returns ``index_shards``'s figures, ``stale`` (the shards it found changed) and ``pid`` (the process
    that did it)."""
    shards = stale_shards(site_dir, years)
    result = index_shards(site_dir, shards) if shards else {"seconds": 0.0, "pages": 0, "shards": {}}
    return {**result, "stale": shards, "pid": os.getpid()}


def _reindex(site: Path, years: set[int] | None) -> dict[str, Any]:
    """``reindex_stale`` in a Python process of its own (only core.search imported: ~0.2 s to start);
    its figures come back as JSON on its last line of output."""
    code = ("import json, sys; from core import search; "
            "print(json.dumps(search.reindex_stale(sys.argv[1], json.loads(sys.argv[2]))))")
    root = Path(__file__).resolve().parent.parent
    wanted = json.dumps(None if years is None else sorted(years))
    done = subprocess.run([sys.executable, "-c", code, str(site), wanted], cwd=root, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SearchIndexError(f"re-index of {site} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _bg_loop() -> None:
    global _bg_thread
    while True:
        with _bg_lock:
            if not _bg_pending:
                _bg_thread = None
                return
            site, years = _bg_pending.popitem()
        try:
            result = _reindex(site, years)
            _bg_last.clear()
            _bg_last.update({"site": str(site), "ok": True, "at": time.time(), **result})
            if result["stale"]:
                log.info("search: re-indexed %s in %.1f s (peak %.0f MB)", ", ".join(result["stale"]),
                         result["seconds"], result.get("peak_rss_mb", 0))
        except Exception as exc:  # the portal is up to date; search catches up at the next re-index
            log.exception("search: re-index of %s failed", site)
            _bg_last.clear()
            _bg_last.update({"site": str(site), "ok": False, "at": time.time(), "error": str(exc)})


def last_reindex() -> dict[str, Any]:
    """What the last background re-index did (empty before the first)."""
    return dict(_bg_last)
