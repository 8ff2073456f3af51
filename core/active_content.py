"""Active content in attachments: a published file must never run code in a reader's browser or PDF
reader (第二十条: 监控处置恶意攻击,确保系统安全可靠运行).

Refused, whatever the settings allow:
- a PDF with script or automatic actions: JavaScript, launching programs, embedded files, forms
  that submit or import data, Flash/XFA, actions run on opening or on page events. Names are read
  after undoing `#xx` escapes (`/J#61vaScript` is `/JavaScript`), also inside compressed object
  streams; an opening view (`/OpenAction [page /Fit]`, a /GoTo) is not an action and stays allowed.
- a file whose first kilobyte holds web-page markup (`<html`, `<script`, `<svg` …): browsers decide
  what a file is from that window, so such a file is a web page as much as a PDF or a picture.
- an Office document with macros (a renamed .docm, or a .doc/.xls with a VBA project).
"""

from __future__ import annotations

import io
import logging
import re
import zlib

SNIFF_WINDOW = 1024  # what browsers look at to decide a file's type
_HTML_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frameset|frame|svg|object|embed|meta|style|title|form|"
    rb"base|link|img\s[^>]*\bon\w+\s*=)[\s/>]", re.IGNORECASE)

# PDF names that mean active content, with what the officer is told
_PDF_ACTIVE = {
    b"JavaScript": "JavaScript 脚本",
    b"JS": "JavaScript 脚本",
    b"Launch": "启动外部程序的动作",
    b"EmbeddedFile": "嵌入的文件",
    b"EmbeddedFiles": "嵌入的文件",
    b"GoToE": "打开嵌入文件的动作",
    b"RichMedia": "嵌入的 Flash 等多媒体",
    b"XFA": "XFA 动态表单",
    b"SubmitForm": "提交表单数据的动作",
    b"ImportData": "导入数据的动作",
    b"AA": "打开、关闭或翻页时自动执行的动作",
}
_OPEN_ACTION = "打开文件时自动执行的动作"
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# an /OpenAction that only shows a page: an array destination or a /GoTo action
_VIEW = rb"\s*(?:\[|<<[^>]*/S\s*/GoTo\b)"
_OPEN_VIEW = re.compile(rb"/OpenAction" + _VIEW)
_OPEN_ACTION_AT = re.compile(rb"/OpenAction\s*(?:(\d+)\s+(\d+)\s+R)?")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_OBJSTM = re.compile(rb"/ObjStm(?![^\s/<>\[\]()%{}])")
_MAX_UNPACKED = 64 * 1024 * 1024  # object streams read out of one PDF


def web_markup(data: bytes) -> bool:
    """Whether the file's first kilobyte holds web-page markup a browser would run."""
    return _HTML_MARKUP.search(data[:SNIFF_WINDOW]) is not None


def _unescape(match: re.Match) -> bytes:
    name = match.group(0)
    return _ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), name) if b"#" in name else name


def _unescape_names(data: bytes) -> bytes:
    return _NAME.sub(_unescape, data) if b"#" in data else data


class Unreadable(Exception):
    """Part of the PDF (a compressed object stream) could not be read, so it cannot be checked."""


def _object_streams(pdf: bytes) -> list[bytes]:
    """The unpacked object streams: dictionaries (and so scripts) can hide inside them. Each is the
    first stream after an /ObjStm name, however long its dictionary."""
    if b"/Encrypt" in pdf and b"/ObjStm" in pdf:
        raise Unreadable
    unpacked: list[bytes] = []
    total = 0
    view = memoryview(pdf)
    for mark in _OBJSTM.finditer(pdf):
        start = _STREAM.search(pdf, mark.end())
        if start is None:
            raise Unreadable
        try:
            data = zlib.decompressobj().decompress(view[start.end():], _MAX_UNPACKED - total)
        except zlib.error as exc:  # another filter, or not a stream at all: the parser decides
            raise Unreadable from exc
        total += len(data)
        if total >= _MAX_UNPACKED:
            raise Unreadable
        unpacked.append(data)
    return unpacked


def _open_action(text: bytes) -> bool:
    """An /OpenAction that does more than show a page (a referenced one: what its object holds).
    Raises Unreadable when the referenced object is not written out plainly (an object stream keeps
    only the objects' numbers apart from their contents: the parser resolves it)."""
    for match in _OPEN_ACTION_AT.finditer(text):
        if _OPEN_VIEW.match(text, match.start()):
            continue
        if match.group(1) is None:
            return True
        target = re.search(rb"(?<!\d)" + match.group(1) + rb"\s+" + match.group(2) + rb"\s+obj\b", text)
        if target is None:
            raise Unreadable
        if not re.match(_VIEW, text[target.end():target.end() + 4000]):
            return True
    return False


def _names(value, found: set[bytes]) -> None:
    """Every name in a parsed PDF object: dictionary keys and name values, nested ones too."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject  # deferred: ~0.1 s to import; PDF files only

    if isinstance(value, NameObject):
        found.add(value[1:].encode("latin-1", "replace"))
    elif isinstance(value, DictionaryObject):
        for key, item in value.items():
            found.add(key[1:].encode("latin-1", "replace"))
            _names(item, found)
    elif isinstance(value, ArrayObject):
        for item in value:
            _names(item, found)


def _parsed_active_content(pdf: bytes) -> str | None:
    """The same check through a PDF parser: for object streams that are encrypted (a PDF that only
    forbids copying opens with an empty password) or packed in another way."""
    from pypdf import PdfReader  # deferred: ~0.1 s to import; PDF files only
    from pypdf.generic import DictionaryObject, IndirectObject  # deferred: ~0.1 s to import; PDF files only

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(pdf))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable
        found: set[bytes] = set()
        numbers = {(n, g) for g, table in reader.xref.items() for n in table} | {(n, 0) for n in reader.xref_objStm}
        for number, generation in numbers:
            _names(reader.get_object(IndirectObject(number, generation, reader)), found)
        opening = reader.trailer["/Root"].get_object().get("/OpenAction")
        opening = opening.get_object() if opening is not None else None
    except Unreadable:
        raise
    except Exception as exc:  # the parser's own errors: the file cannot be checked
        raise Unreadable from exc
    hits = [label for name, label in _PDF_ACTIVE.items() if name in found]
    if hits:
        return hits[0]
    if isinstance(opening, DictionaryObject) and opening.get("/S") != "/GoTo":
        return _OPEN_ACTION
    return None


def pdf_active_content(pdf: bytes) -> str | None:
    """What active content the PDF holds (Chinese), or None; raises Unreadable when it cannot tell."""
    text = _unescape_names(pdf)
    try:
        texts = [text, *(_unescape_names(s) for s in _object_streams(text))]
        for part in texts:
            for name in _NAME.findall(part):
                if name in _PDF_ACTIVE:
                    return _PDF_ACTIVE[name]
        return _OPEN_ACTION if _open_action(b"\n".join(texts)) else None
    except Unreadable:
        return _parsed_active_content(pdf)


_VBA_OLE = "_VBA_PROJECT".encode("utf-16-le")
_MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|(^|/)vbaData\.xml$", re.IGNORECASE)


def ole_macros(data: bytes) -> bool:
    """A .doc/.xls/.ppt/.wps/.et with a VBA project (its storage name is in the file's directory)."""
    return _VBA_OLE in data


def zip_macros(names: list[str]) -> bool:
    return any(_MACRO_PARTS.search(name) for name in names)
