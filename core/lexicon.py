"""The screening lexicons (第十六、二十七条): sensitive words and serious errors (wrong → right).

The webmaster edits both in the workbench (low-code); every edit bumps `lexicon_state`, so
`load` rebuilds its Aho–Corasick automaton on the next call and the edit takes effect at once.

Matching folds the text and the entries the same way — Traditional → Simplified, full-width →
half-width, ASCII case, zero-width characters and spaces between Chinese characters dropped —
so 陝西省工業與信息化廳, ｗｗｗ.ＳＸＩＴ.gov.com and 内 部 资 料 are found; the offsets of a hit
are mapped back to the original text.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import ahocorasick
import duckdb

if TYPE_CHECKING:  # numpy is imported where text is folded: the portal's build imports this module (through
    import numpy as np  # the answers' and consultations' modules) but folds nothing, and numpy is 0.07 s of its start

from core import audit
from core.db import row, rows, scalar, transaction
from core.errors import NotFound, ValidationError
from core.permissions import require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)

SEVERITIES = ("warn", "block")
SEVERITY_LABELS = {"warn": "提醒", "block": "禁止发布"}
MAX_ENTRY = 100
MAX_NOTE = 500
_ARTICLE_WORDS = "第十六条"
_ARTICLE_ERRORS = "第二十七条"

# ---------------------------------------------------------------------------------------
# folding


def _ts_table() -> dict[int, str]:
    """Traditional → Simplified, one character to one (OpenCC's TSCharacters).

    A character whose candidates include itself (乾 → 干 乾) is also a Simplified character
    and is left alone, so folding never turns correct Simplified text into something else.
    """
    table: dict[int, str] = {}
    path = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        candidates = targets.split()
        if len(source) != 1 or not candidates or source in candidates or len(candidates[0]) != 1:
            continue
        table[ord(source)] = candidates[0]
    return table


def _fold_table() -> dict[int, str]:
    table = _ts_table()
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[code] = chr(code - 0xFEE0).lower()
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    for space in "\u3000\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f":
        table[ord(space)] = " "
    return table


@lru_cache(maxsize=1)
def _arrays() -> tuple[np.ndarray, np.ndarray]:
    """The folding table as arrays over every code point: folding a long text is then two vector
    look-ups instead of a dictionary look-up per character (issue 4: ≥ 20 MB/s). Made on first use,
    not on import: the portal's build imports this module without folding anything (issue 16)."""
    import numpy as np  # deferred: see the import block (the portal build imports this module, folds nothing)

    table = _fold_table()
    mapped = np.arange(0x110000, dtype=np.uint32)
    mapped[np.fromiter(table, dtype=np.uint32)] = np.fromiter((ord(v) for v in table.values()), dtype=np.uint32)
    return mapped, mapped != np.arange(0x110000, dtype=np.uint32)


_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_INVISIBLE = "\u200b-\u200d\u2060\ufeff\u00ad"
# candidates for dropping: invisible characters, and spaces that stand between two Chinese
# characters (机 密); other spaces stay (2024 年, Li Ming)
_GAPS = re.compile(f"[ \t{_INVISIBLE}]+")
_INVISIBLE_RUN = re.compile(f"[{_INVISIBLE}]+")


def _translate(text: str) -> str:
    if text.isascii():
        return text.lower()
    import numpy as np  # deferred: see the import block (the portal build imports this module, folds nothing)

    mapped, changes = _arrays()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not changes[codes].any():
        return text
    return mapped[codes].tobytes().decode("utf-32-le", "surrogatepass")


def _between_cjk(text: str, start: int, end: int) -> bool:
    return 0 < start and end < len(text) and bool(_CJK.match(text, start - 1)) and bool(_CJK.match(text, end))


def _drops(text: str) -> list[tuple[int, int]]:
    """The spans folding removes, in order."""
    spans: list[tuple[int, int]] = []
    for gap in _GAPS.finditer(text):
        start, end = gap.span()
        if _between_cjk(text, start, end):
            spans.append((start, end))
        else:
            spans.extend((start + m.start(), start + m.end()) for m in _INVISIBLE_RUN.finditer(gap.group()))
    return spans


@dataclass(frozen=True)
class Folded:
    """A text and its folded form, with the map from folded offsets back to the original."""

    original: str
    text: str
    _folded_starts: tuple[int, ...] = (0,)
    _original_starts: tuple[int, ...] = (0,)

    def position(self, index: int) -> int:
        """The original offset of folded offset `index` (index < len(text))."""
        k = bisect.bisect_right(self._folded_starts, index) - 1
        return self._original_starts[k] + index - self._folded_starts[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded [start, end): dropped characters inside it are kept."""
        if len(self._folded_starts) == 1:
            return start, end
        if end <= start:
            at = self.position(start) if start < len(self.text) else len(self.original)
            return at, at
        return self.position(start), self.position(end - 1) + 1


def fold(text: str) -> Folded:
    """Fold `text` for matching; offsets map back with `Folded.span`."""
    text = text or ""
    translated = _translate(text)
    drops = [] if translated.isascii() else _drops(translated)
    if not drops:
        return Folded(text, translated)
    pieces, folded_starts, original_starts = [], [0], [0]
    kept = 0  # length of the folded text so far
    previous = 0
    for start, end in drops:
        pieces.append(translated[previous:start])
        kept += start - previous
        previous = end
        folded_starts.append(kept)
        original_starts.append(previous)
    pieces.append(translated[previous:])
    return Folded(text, "".join(pieces), tuple(folded_starts), tuple(original_starts))


def folded(text: str) -> str:
    return fold(text).text


# ---------------------------------------------------------------------------------------
# the compiled lexicon


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: a sensitive word (`right` is None) or a serious error."""

    kind: str  # 'sensitive' | 'error'
    word: str
    severity: str
    note: str = ""
    right: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Hit:
    start: int  # folded offsets
    end: int
    entry: Entry


class Lexicon:
    """Entries compiled into one Aho–Corasick automaton over their folded forms."""

    def __init__(self, entries: Iterable[Entry] = (), version: str = ""):
        self.version = version
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._automaton = ahocorasick.Automaton()
        # a correct text can contain a wrong form (wrong 信息化厅 inside right 工业和信息化厅):
        # the hit is dropped where the right form stands around it
        self._guards: dict[Entry, tuple[tuple[int, str], ...]] = {}
        keys: dict[str, list[Entry]] = {}
        for entry in self.entries:
            key = folded(entry.word)
            if key:
                keys.setdefault(key, []).append(entry)
            if entry.right:
                right = folded(entry.right)
                offsets = [m.start() for m in re.finditer(f"(?={re.escape(key)})", right)] if key else []
                if offsets:
                    self._guards[entry] = tuple((offset, right) for offset in offsets)
        for key, found in keys.items():
            encoded = _as_bytes(key)
            self._automaton.add_word(encoded, (len(encoded), len(key), tuple(found)))
        if keys:
            self._automaton.make_automaton()
        self._empty = not keys

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_rows(cls, words: Iterable[dict], errors: Iterable[dict], version: str = "") -> Lexicon:
        entries = [Entry("sensitive", w["word"], w["severity"], w.get("note") or "", None, w.get("id"))
                   for w in words]
        entries += [Entry("error", e["wrong"], e["severity"], e.get("note") or "", e["right"], e.get("id"))
                    for e in errors]
        return cls(entries, version)

    def _guarded(self, text: str, start: int, entry: Entry) -> bool:
        for offset, right in self._guards.get(entry, ()):
            begin = start - offset
            if begin >= 0 and text.startswith(right, begin):
                return True
        return False

    def scan(self, text: str) -> list[Hit]:
        """Hits in an already folded text, longest first where two of one kind overlap."""
        if self._empty or not text:
            return []
        encoded = _as_bytes(text)
        offsets = _CharOffsets(encoded, ascii_only=len(encoded) == len(text))
        hits: list[Hit] = []
        for last, (size, length, found) in self._automaton.iter(encoded):
            start = offsets.char(last + 1 - size)
            for entry in found:
                if entry in self._guards and self._guarded(text, start, entry):
                    continue
                hits.append(Hit(start, start + length, entry))
        return _drop_contained(hits) if len(hits) > 1 else hits


def _as_bytes(text: str) -> str:
    """UTF-8 bytes as a str of code points 0–255, for the automaton.

    pyahocorasick looks a character up among a node's children one by one, so a trie of
    thousands of Chinese first characters is slow (2.5 MB/s with 20,000 entries); over UTF-8
    bytes no node has more than 256 children (≈ 60 MB/s). UTF-8 is self-synchronising: an
    entry's bytes can only match where a character starts.
    """
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


class _CharOffsets:
    """Byte offset → character offset in one UTF-8 text, walking forward from the last answer."""

    def __init__(self, encoded: str, ascii_only: bool):
        self.raw = encoded.encode("latin-1")
        self.ascii_only = ascii_only
        self.byte = 0
        self.at = 0

    def _chars(self, start: int, end: int) -> int:
        return len(self.raw[start:end].decode("utf-8", "surrogatepass"))

    def char(self, byte: int) -> int:
        if self.ascii_only:
            return byte
        if byte >= self.byte:
            self.at += self._chars(self.byte, byte)
        else:
            self.at -= self._chars(byte, self.byte)
        self.byte = byte
        return self.at


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Of hits of one kind, keep those not inside a longer one (内部讨论稿, not also 讨论稿)."""
    hits.sort(key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    reach: dict[str, int] = {}
    for hit in hits:
        if hit.end <= reach.get(hit.entry.kind, -1) and not _same_span(kept, hit):
            continue
        reach[hit.entry.kind] = max(reach.get(hit.entry.kind, -1), hit.end)
        kept.append(hit)
    return kept


def _same_span(kept: list[Hit], hit: Hit) -> bool:
    """Two entries folding to one key keep both (an edit can create such a pair)."""
    return bool(kept) and kept[-1].start == hit.start and kept[-1].end == hit.end


# ---------------------------------------------------------------------------------------
# loading, cached by the version token

_cache: dict[str, Lexicon] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 8


def state(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """(version, token) of the database's lexicons."""
    found = con.execute("SELECT version, CAST(token AS TEXT) FROM lexicon_state WHERE id = 1").fetchone()
    return (found[0], found[1]) if found else (0, "")


def load(con: duckdb.DuckDBPyConnection) -> Lexicon:
    """The database's lexicons, compiled; rebuilt only after an edit."""
    _, token = state(con)
    with _cache_lock:
        cached = _cache.get(token)
    if cached is not None:
        return cached
    with transaction(con):  # one snapshot: the entries are those of the token
        _, token = state(con)
        words, errors = list_words(con), list_errors(con)
    lexicon = Lexicon.from_rows(words, errors, token)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[token] = lexicon
    return lexicon


def _bump(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE lexicon_state SET version = version + 1, token = gen_random_uuid() WHERE id = 1")


# ---------------------------------------------------------------------------------------
# reading and editing (webmaster only: 第十六、二十七条)


def list_words(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return rows(con, "SELECT id, word, severity, note, created_by, created_at, updated_by, updated_at "
                     "FROM sensitive_words ORDER BY id")


def list_errors(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return rows(con, 'SELECT id, wrong, "right", severity, note, created_by, created_at, updated_by, updated_at '
                     "FROM serious_errors ORDER BY id")


def _entry_text(field: str, value, article: str) -> str:
    text = clean_text(value, multiline=True)  # a line break stays, to be refused below
    if not text or not folded(text).strip():
        raise ValidationError(field, "不能为空", article)
    if len(text) > MAX_ENTRY:
        raise ValidationError(field, f"不能超过 {MAX_ENTRY} 个字", article)
    if "\n" in text or "\r" in text:
        raise ValidationError(field, "不能换行", article)
    return text


def _severity(value, article: str) -> str:
    severity = str(value or "").strip().lower()
    if severity not in SEVERITIES:
        raise ValidationError("级别", "只能是 warn(提醒)或 block(禁止发布)", article)
    return severity


def _note(value) -> str:
    note = clean_text(value, multiline=True)
    if len(note) > MAX_NOTE:
        raise ValidationError("说明", f"不能超过 {MAX_NOTE} 个字")
    return note


def _check_unique(con, field: str, text: str, article: str, *, table: str, entry_id: int | None) -> None:
    """No two entries, in either lexicon, that fold to the same form (祕密 = 秘密)."""
    key = folded(text)
    for existing in list_words(con):
        if (table, entry_id) != ("sensitive_words", existing["id"]) and folded(existing["word"]) == key:
            raise ValidationError(field, f"与敏感词表中的「{existing['word']}」重复", article)
    for existing in list_errors(con):
        if (table, entry_id) != ("serious_errors", existing["id"]) and folded(existing["wrong"]) == key:
            raise ValidationError(field, f"与严重错误词表中的「{existing['wrong']}」重复", article)


def _require(actor) -> None:
    require(actor, "lexicon.edit")


def add_word(con: duckdb.DuckDBPyConnection, actor, word: str, severity: str = "warn", note: str = "") -> int:
    """Add a sensitive word; returns its id."""
    _require(actor)
    word = _entry_text("敏感词", word, _ARTICLE_WORDS)
    severity = _severity(severity, _ARTICLE_WORDS)
    note = _note(note)
    with transaction(con):
        _check_unique(con, "敏感词", word, _ARTICLE_WORDS, table="sensitive_words", entry_id=None)
        new_id = con.execute(
            "INSERT INTO sensitive_words (word, severity, note, created_by) VALUES (?, ?, ?, ?) RETURNING id",
            [word, severity, note, actor.id]).fetchone()[0]
        _bump(con)
        audit.record(con, actor, "lexicon.add_word", f"sensitive_word:{new_id}", f"{word} {severity}")
    return new_id


def update_word(con: duckdb.DuckDBPyConnection, actor, word_id: int, *, word: str | None = None,
                severity: str | None = None, note: str | None = None) -> None:
    _require(actor)
    with transaction(con):
        before = row(con, "SELECT * FROM sensitive_words WHERE id = ?", [word_id])
        if before is None:
            raise NotFound(f"敏感词 {word_id} 不存在")
        new_word = _entry_text("敏感词", before["word"] if word is None else word, _ARTICLE_WORDS)
        new_severity = _severity(before["severity"] if severity is None else severity, _ARTICLE_WORDS)
        new_note = _note(before["note"] if note is None else note)
        _check_unique(con, "敏感词", new_word, _ARTICLE_WORDS, table="sensitive_words", entry_id=word_id)
        con.execute("UPDATE sensitive_words SET word = ?, severity = ?, note = ?, updated_by = ?, "
                    "updated_at = current_localtimestamp() WHERE id = ?",
                    [new_word, new_severity, new_note, actor.id, word_id])
        _bump(con)
        audit.record(con, actor, "lexicon.update_word", f"sensitive_word:{word_id}",
                     f"{before['word']} {before['severity']} → {new_word} {new_severity}")


def delete_word(con: duckdb.DuckDBPyConnection, actor, word_id: int) -> None:
    _require(actor)
    with transaction(con):
        before = row(con, "SELECT * FROM sensitive_words WHERE id = ?", [word_id])
        if before is None:
            raise NotFound(f"敏感词 {word_id} 不存在")
        con.execute("DELETE FROM sensitive_words WHERE id = ?", [word_id])
        _bump(con)
        audit.record(con, actor, "lexicon.delete_word", f"sensitive_word:{word_id}",
                     f"{before['word']} {before['severity']}")


def _error_pair(wrong, right) -> tuple[str, str]:
    wrong = _entry_text("错误写法", wrong, _ARTICLE_ERRORS)
    right = _entry_text("正确写法", right, _ARTICLE_ERRORS)
    if folded(wrong) == folded(right):
        raise ValidationError("正确写法", "不能与错误写法相同", _ARTICLE_ERRORS)
    return wrong, right


def add_error(con: duckdb.DuckDBPyConnection, actor, wrong: str, right: str, severity: str = "block",
              note: str = "") -> int:
    """Add a serious-error pair (wrong → right); returns its id."""
    _require(actor)
    wrong, right = _error_pair(wrong, right)
    severity = _severity(severity, _ARTICLE_ERRORS)
    note = _note(note)
    with transaction(con):
        _check_unique(con, "错误写法", wrong, _ARTICLE_ERRORS, table="serious_errors", entry_id=None)
        new_id = con.execute(
            'INSERT INTO serious_errors (wrong, "right", severity, note, created_by) VALUES (?, ?, ?, ?, ?) '
            "RETURNING id", [wrong, right, severity, note, actor.id]).fetchone()[0]
        _bump(con)
        audit.record(con, actor, "lexicon.add_error", f"serious_error:{new_id}", f"{wrong} → {right} {severity}")
    return new_id


def update_error(con: duckdb.DuckDBPyConnection, actor, error_id: int, *, wrong: str | None = None,
                 right: str | None = None, severity: str | None = None, note: str | None = None) -> None:
    _require(actor)
    with transaction(con):
        before = row(con, "SELECT * FROM serious_errors WHERE id = ?", [error_id])
        if before is None:
            raise NotFound(f"严重错误词条 {error_id} 不存在")
        new_wrong, new_right = _error_pair(before["wrong"] if wrong is None else wrong,
                                           before["right"] if right is None else right)
        new_severity = _severity(before["severity"] if severity is None else severity, _ARTICLE_ERRORS)
        new_note = _note(before["note"] if note is None else note)
        _check_unique(con, "错误写法", new_wrong, _ARTICLE_ERRORS, table="serious_errors", entry_id=error_id)
        con.execute('UPDATE serious_errors SET wrong = ?, "right" = ?, severity = ?, note = ?, updated_by = ?, '
                    "updated_at = current_localtimestamp() WHERE id = ?",
                    [new_wrong, new_right, new_severity, new_note, actor.id, error_id])
        _bump(con)
        audit.record(con, actor, "lexicon.update_error", f"serious_error:{error_id}",
                     f"{before['wrong']} → {before['right']} ⇒ {new_wrong} → {new_right} {new_severity}")


def delete_error(con: duckdb.DuckDBPyConnection, actor, error_id: int) -> None:
    _require(actor)
    with transaction(con):
        before = row(con, "SELECT * FROM serious_errors WHERE id = ?", [error_id])
        if before is None:
            raise NotFound(f"严重错误词条 {error_id} 不存在")
        con.execute("DELETE FROM serious_errors WHERE id = ?", [error_id])
        _bump(con)
        audit.record(con, actor, "lexicon.delete_error", f"serious_error:{error_id}",
                     f"{before['wrong']} → {before['right']}")


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {"sensitive": scalar(con, "SELECT count(*) FROM sensitive_words"),
            "error": scalar(con, "SELECT count(*) FROM serious_errors")}
