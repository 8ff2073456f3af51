"""Plain text of attachments (.docx, .xlsx, .pptx, .pdf, .txt), for screening (第十六条).

An attachment is published as it is, so everything in it that a reader can open counts:
Word headers, footers, footnotes and comments, every Excel sheet (hidden ones too), slide
notes. Whatever cannot be read raises ExtractError with the reason in Chinese; screening turns
that into a warning that the attachment could not be checked.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

from core.errors import PortalError

MAX_UNPACKED = 100 * 1024 * 1024  # bytes read out of one zip-based document
MAX_CHARS = 5_000_000
MAX_PDF_PAGES = 500
MAX_CELLS = 1_000_000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_IMAGES = {"jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff"}
_ARCHIVES = {"zip", "rar", "7z"}


class ExtractError(PortalError):
    """The attachment's text could not be read; str() says why, in Chinese."""


@dataclass(frozen=True)
class Extracted:
    text: str
    note: str = ""  # set when only part of the attachment was read


def extension(filename: str) -> str:
    _, dot, ext = (filename or "").rpartition(".")
    return ext.lower() if dot else ""


def supported(filename: str) -> bool:
    return extension(filename) in _READERS


def extract(filename: str, data: bytes) -> Extracted:
    """The text of one attachment; raises ExtractError when it cannot be read."""
    ext = extension(filename)
    reader = _READERS.get(ext)
    if reader is None:
        raise ExtractError(_unsupported(ext))
    if not data:
        raise ExtractError("文件为空")
    try:
        result = reader(data)
    except ExtractError:
        raise
    except Exception as exc:  # every parser has its own errors; all mean "cannot read"
        raise ExtractError(f"文件已损坏或不是有效的 .{ext} 文件") from exc
    if len(result.text) > MAX_CHARS:
        return Extracted(result.text[:MAX_CHARS], f"文字过多,只检查了前 {MAX_CHARS} 个字")
    return result


def extract_text(filename: str, data: bytes) -> str:
    return extract(filename, data).text


def _unsupported(ext: str) -> str:
    if ext in _IMAGES:
        return "图片中的文字无法自动识别"
    if ext in _ARCHIVES:
        return "压缩包无法自动检查"
    if ext in {"doc", "xls", "ppt", "wps", "et", "dps"}:
        return f"旧版 .{ext} 格式无法自动读取(可另存为 .docx/.xlsx/.pptx 后重新上传)"
    return f"不支持自动读取 .{ext or '无扩展名'} 文件"


# ---------------------------------------------------------------------------------------
# Office Open XML (.docx, .pptx)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ExtractError("文件已损坏或不是 Office 文档") from exc
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
        raise ExtractError(f"解压后超过 {MAX_UNPACKED // 1024 // 1024} MB,无法检查")
    return archive


def _xml_lines(xml: bytes, paragraph: str, text: str, tab: str, breaks: set[str]) -> Iterator[str]:
    """One line per paragraph; a paragraph inside another (a text box) gives its own line."""
    stack: list[list[str]] = []
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == paragraph:
                stack.append([])
            elif stack and tag == tab:
                stack[-1].append("\t")
            elif stack and tag in breaks:
                stack[-1].append("\n")
            continue
        if tag == text and stack and element.text:
            stack[-1].append(element.text)
        elif tag == paragraph and stack:
            line = "".join(stack.pop()).strip()
            if line:
                yield line
        if tag != text:
            element.clear()


def _number(name: str) -> int:
    found = re.search(r"(\d+)\.xml$", name)
    return int(found.group(1)) if found else 0


def _docx(data: bytes) -> Extracted:
    archive = _open_zip(data)
    names = set(archive.namelist())
    if "word/document.xml" not in names:
        raise ExtractError("不是有效的 Word(.docx)文档")

    def parts(prefix: str) -> list[str]:
        return sorted((n for n in names if re.fullmatch(rf"word/{prefix}\d*\.xml", n)), key=_number)

    # headers first: a marking (内部资料, 密级) often sits there, at the head of the document
    ordered = parts("header") + ["word/document.xml"] + [
        n for n in ("word/footnotes.xml", "word/endnotes.xml", "word/comments.xml") if n in names
    ] + parts("footer")
    lines: list[str] = []
    for name in ordered:
        lines.extend(_xml_lines(archive.read(name), f"{_W}p", f"{_W}t", f"{_W}tab", {f"{_W}br", f"{_W}cr"}))
    return Extracted("\n".join(lines))


def _pptx(data: bytes) -> Extracted:
    archive = _open_zip(data)
    names = archive.namelist()
    slides = sorted((n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)), key=_number)
    if not slides:
        raise ExtractError("不是有效的 PowerPoint(.pptx)文档")
    notes = sorted((n for n in names if re.fullmatch(r"ppt/notesSlides/notesSlide\d+\.xml", n)), key=_number)
    lines: list[str] = []
    for name in slides + notes:
        lines.extend(_xml_lines(archive.read(name), f"{_A}p", f"{_A}t", "", {f"{_A}br"}))
    return Extracted("\n".join(lines))


# ---------------------------------------------------------------------------------------
# .xlsx


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13912345678.0 is how a phone number typed as a number comes back
    return str(value).strip()


def _xlsx(data: bytes) -> Extracted:
    from openpyxl import load_workbook  # deferred: ~0.25 s to import; Excel files only

    _open_zip(data).close()  # the size check
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    cells = 0
    note = ""
    try:
        for sheet in workbook.worksheets:
            for values in sheet.iter_rows(values_only=True):
                cells += len(values)
                line = " | ".join(t for t in map(_cell_text, values) if t)
                if line:
                    lines.append(line)
                if cells > MAX_CELLS:
                    note = f"表格过大,只检查了前 {MAX_CELLS} 个单元格"
                    break
            if note:
                break
    finally:
        workbook.close()
    return Extracted("\n".join(lines), note)


# ---------------------------------------------------------------------------------------
# .pdf


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader  # deferred: ~0.1 s to import; PDF files only

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed files are reported, not logged
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ExtractError("PDF 已加密,无法读取")
    pages = reader.pages
    texts = [(page.extract_text() or "") for page in list(pages)[:MAX_PDF_PAGES]]
    text = "\n".join(t.strip() for t in texts if t.strip())
    if not text.strip():
        raise ExtractError("PDF 中没有可读取的文字(可能是扫描件或图片)")
    note = f"共 {len(pages)} 页,只检查了前 {MAX_PDF_PAGES} 页" if len(pages) > MAX_PDF_PAGES else ""
    return Extracted(text, note)


# ---------------------------------------------------------------------------------------
# .txt


def _txt(data: bytes) -> Extracted:
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return Extracted(data.decode(codec))
        except UnicodeDecodeError:
            continue
    raise ExtractError("不是 UTF-8 或 GB18030 编码的文本")


_READERS: dict[str, Callable[[bytes], Extracted]] = {
    "docx": _docx, "xlsx": _xlsx, "pptx": _pptx, "pdf": _pdf, "txt": _txt,
}
