"""Article body content: HTML cleaning, pasted text, Word import, attachments, plain text.

Everything that goes into `articles.body_html` passes through `sanitize_html` first. The
allow-list keeps structure only: 第十五条 fixes the look of a published item (black body
text, one typeface and size), so colours, fonts, sizes and classes are dropped and the
portal's own stylesheet decides. The headline is shown once by the page (第十五条:大标题
不要重复), so a body `<h1>` becomes `<h2>`.
"""

from __future__ import annotations

import html as htmllib
import io
import mimetypes
import re
import unicodedata
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

from core import active_content, docx_guard, file_labels
from core.errors import ValidationError
from core.text import strip_controls

# ---------------------------------------------------------------------------------------
# sanitize_html

_TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "img",
    "blockquote", "sub", "sup", "hr",
}
# removed together with everything inside them (other unknown tags keep their text)
_DROP_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "noscript", "template", "xml", "title", "head", "svg", "math", "select", "textarea",
}
_ATTRIBUTES = {
    "*": set(),
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")
# a path on our own site (the portal's /files/…, or relative): no scheme, no host ("//host/x" and "\\host" are
# another site to a browser), no blanks (browsers drop them: "/\t/host")
_OWN_PATH = re.compile(r"(?!//)[^\s:\\]+")
_DIMENSION = re.compile(r"\d{1,4}%?")
_SPAN = re.compile(r"\d{1,3}")


def _url_allowed(tag: str, value: str) -> bool:
    if tag == "img":  # only pictures we hold: a reader's browser never fetches from another host (L2)
        return _DATA_IMAGE.fullmatch(value.strip()) is not None or _OWN_PATH.fullmatch(value) is not None
    match = _SCHEME.match(value)
    if match is None:  # relative URL
        return True
    scheme = match.group(1).lower()
    if scheme in ("http", "https"):
        return True
    if tag == "a":
        return scheme == "mailto"
    return _DATA_IMAGE.fullmatch(value.strip()) is not None


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr in ("href", "src"):
        return value if _url_allowed(tag, value) else None
    if attr in ("width", "height"):
        return value.strip() if _DIMENSION.fullmatch(value.strip()) else None
    if attr in ("colspan", "rowspan"):
        return value.strip() if _SPAN.fullmatch(value.strip()) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROP_WITH_CONTENT,
    attributes=_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    url_schemes={"http", "https", "mailto", "data"},
    strip_comments=True,
    link_rel="noopener noreferrer",
)

# nh3 output is well formed: text has `<` escaped and attribute values are double-quoted
# with `<`, `>` and `"` escaped, so it splits exactly into tags and text.
_TOKEN = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z0-9]+)")
_BLANK_TEXT = re.compile(r"^(?:\s|&nbsp;|\u3000|\u00a0)*$")


def _is_blank(text: str) -> bool:
    return _BLANK_TEXT.match(text) is not None


def _rename_h1(token: str) -> str:
    if token in ("<h1>", "</h1>"):
        return token.replace("h1", "h2")
    return token


def _empty_paragraph_end(tokens: list[str], start: int) -> int | None:
    """If tokens[start] opens a paragraph holding only blanks and <br>, the index after it."""
    if tokens[start] != "<p>":
        return None
    i = start + 1
    while i < len(tokens):
        token = tokens[i]
        if token == "</p>":
            return i + 1
        if token != "<br>" and not (not token.startswith("<") and _is_blank(token)):
            return None
        i += 1
    return None


def _collapse_empty_paragraphs(tokens: list[str]) -> list[str]:
    """Keep at most one empty paragraph in a row (the first, as written); none at the ends."""
    out: list[str] = []
    pending: list[str] | None = None  # first empty paragraph of the current run, not yet emitted
    seen_content = False
    i = 0
    while i < len(tokens):
        end = _empty_paragraph_end(tokens, i)
        if end is not None:
            pending = pending or tokens[i:end]
            i = end
            continue
        token = tokens[i]
        i += 1
        if not token.startswith("<") and _is_blank(token):
            if pending is None:
                out.append(token)
            continue
        if pending is not None and seen_content:
            out.extend(pending)
        pending = None
        seen_content = True
        out.append(token)
    return out


_MAX_PASSES = 5
_IMG_SRC = re.compile(r' src="[^"]+"')


def _drop_img_without_src(token: str) -> str:
    if token.startswith("<img") and not _IMG_SRC.search(token):
        return ""
    return token


def _clean_once(html: str) -> str:
    tokens = [t for t in _TOKEN.split(_CLEANER.clean(html)) if t]
    tokens = [_drop_img_without_src(_rename_h1(t)) for t in tokens]
    tokens = _collapse_empty_paragraphs([t for t in tokens if t])
    return "".join(tokens).strip()


_DIV = re.compile(r"<(/?)div\b[^>]*>", re.IGNORECASE)
# the parser checks each of these block tags against every open one: a 600 KB body of quotes nested 50,000
# deep took minutes to clean (issue 12, L5). No real text nests them this deep; deeper ones lose their tags
# and keep their text.
NESTING_MAX = 100
_NESTING = re.compile(
    r"<(/?)(?:address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|figcaption|figure|footer|"
    r"header|hgroup|listing|main|menu|nav|ol|pre|search|section|summary|ul|xmp)\b[^>]*>", re.IGNORECASE)


def _flatten_deep(html: str) -> str:
    depth = 0

    def visit(match: re.Match) -> str:
        nonlocal depth
        if match.group(1):
            depth = max(depth - 1, 0)
            return match.group(0) if depth < NESTING_MAX else ""
        depth += 1
        return match.group(0) if depth <= NESTING_MAX else ""

    return _NESTING.sub(visit, html)


def own_site_paths(html: str, site_url: str) -> str:
    """Pictures addressed by the site's own full address (an old site's pages: https://www.sxit.gov.cn/
    files/a.png) as paths on it, so the cleaning keeps them; it keeps no other host's (issue 12, L2)."""
    host = urlsplit(site_url or "").netloc
    if not host or not html:
        return html
    own = re.compile(r"(<img\b[^>]*?\ssrc\s*=\s*[\"']?)(?:https?:)?//" + re.escape(host) + r"(?=[/\"'\s>])",
                     re.IGNORECASE)
    return own.sub(r"\1", html)


def sanitize_html(html: str) -> str:
    """Clean body HTML before storage (allow-list; idempotent)."""
    # pasted web pages are built from <div>s: keep their blocks as paragraphs, not one run of text
    result = _clean_once(_flatten_deep(_DIV.sub(lambda m: f"<{m.group(1)}p>", html or "")))
    # badly nested input (a heading inside a heading, a table inside a link) serialises into
    # HTML that parses into a different tree; cleaning again until nothing moves makes the
    # stored form stable
    for _ in range(_MAX_PASSES):
        again = _clean_once(result)
        if again == result:
            break
        result = again
    # character references (&#1;) come out of the parser as the raw characters: cleaned last (issue 12, M3)
    return strip_controls(result)


# ---------------------------------------------------------------------------------------
# check_image_alt

_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r'\salt="([^"]*)"')


def images_without_alt(html: str) -> list[int]:
    """1-based positions of the body's images that have no (or a blank) alt text, after cleaning."""
    missing = []
    for number, tag in enumerate(_IMG_TAG.findall(sanitize_html(html or "")), start=1):
        alt = _ALT.search(tag)
        if alt is None or _is_blank(htmllib.unescape(alt.group(1))):
            missing.append(number)
    return missing


def check_image_alt(html: str) -> None:
    """Every image an officer puts in 正文 needs alt text: a screen reader reads it out in place of the
    picture (the portal's accessibility rules, GB/T 37668; 第十五条 formats the published item)."""
    missing = images_without_alt(html)
    if missing:
        which = "、".join(f"第 {n} 张" for n in missing)
        raise ValidationError(
            "正文", f"{which}图片没有替代文字:请点击图片,在「图片说明」中写明图片内容(供读屏软件朗读)",
            "第十五条,GB/T 37668 网站无障碍要求")


# ---------------------------------------------------------------------------------------
# text_to_html


def text_to_html(text: str) -> str:
    """Pasted plain text → one escaped <p> per non-empty line; indentation spaces removed."""
    paragraphs = []
    for line in (text or "").splitlines():
        line = line.strip(" \t\u3000\u00a0\r\f\v")
        if line:
            paragraphs.append(f"<p>{htmllib.escape(line, quote=False)}</p>")
    return "".join(paragraphs)


# ---------------------------------------------------------------------------------------
# docx_to_html

_DOCX_REFUSED = ("Word 文件", "无法读取:文件不是有效的 .docx 文档")
_WEB_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def _heading_style_map() -> str:
    """Word heading 1 → h2 … (the page shows the headline itself), English and Chinese names."""
    lines = ["p[style-name='Title'] => h2:fresh"]
    for level in range(1, 7):
        tag = f"h{min(level + 1, 6)}"
        for name in (f"Heading {level}", f"heading {level}", f"标题 {level}", f"标题{level}"):
            lines.append(f"p[style-name='{name}'] => {tag}:fresh")
        lines.append(f"p.Heading{level} => {tag}:fresh")
    return "\n".join(lines)


_STYLE_MAP = _heading_style_map()


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


_UNRECOGNISED = re.compile(r"Unrecognised (\w+) style: (.*) \(Style ID: [^)]*\)$")
_STYLE_KIND = {"paragraph": "段落", "run": "文字", "table": "表格"}


def _translate_messages(texts: list[str]) -> list[str]:
    """mammoth's warnings as a few short Chinese notes (unknown styles grouped by kind)."""
    styles: dict[str, list[str]] = {}
    notes: list[str] = []
    for text in texts:
        match = _UNRECOGNISED.match(text)
        if match:
            styles.setdefault(match.group(1), []).append(match.group(2))
        elif text.startswith("Image of type"):
            continue  # reported by the image converter, with a count
        elif "image" in text.lower():
            notes.append("部分图片未能读取,已略去")
        elif "table" in text.lower():
            notes.append("表格中的合并单元格可能未正确转换,请核对")
        else:
            notes.append("部分内容或格式未能转换,请核对正文")
    style_notes = []
    for kind, names in styles.items():
        label = _STYLE_KIND.get(kind, "")
        listed = "、".join(f"「{name}」" for name in _unique(names))
        style_notes.append(f"Word 中的{label}样式{listed}未识别,已按普通{label or '内容'}处理")
    return style_notes + _unique(notes)


def _image_converter(skipped: list[str]) -> Callable:
    """mammoth image handler: web formats as data URIs; others dropped and counted."""
    import mammoth  # deferred: only the bounded conversion process (core.docx_worker) needs it

    as_data_uri = mammoth.images.data_uri

    def convert(image):
        if (image.content_type or "").lower() in _WEB_IMAGE_TYPES:
            return as_data_uri(image)
        skipped.append(image.content_type or "未知")
        return []

    return convert


def docx_refused() -> ValidationError:
    return ValidationError(*_DOCX_REFUSED)


def docx_to_html(data: bytes, limits: docx_guard.DocxLimits | None = None) -> tuple[str, list[str]]:
    """Convert a .docx to clean body HTML; return (html, notes in Chinese for the user).

    Checked against `limits` first, then converted in a bounded child process (core.docx_guard)."""
    limits = limits or docx_guard.DocxLimits()
    if not data or not data.startswith(b"PK\x03\x04"):
        raise docx_refused()
    try:
        with docx_guard.open_docx(data) as archive:
            docx_guard.check_archive(archive, limits)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise docx_refused() from exc
    return docx_guard.convert_bounded(data, limits, docx_refused())


def convert_docx(data: bytes) -> tuple[str, list[str]]:
    """The conversion itself, without limits: only core.docx_worker calls it, in its bounded process."""
    import mammoth  # deferred: 0.06 s of every start, and only this process converts .docx files

    skipped: list[str] = []
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=_STYLE_MAP,
            include_embedded_style_map=False,
            convert_image=_image_converter(skipped),
        )
    except MemoryError:
        raise  # the worker's memory bound (core.docx_guard) says so itself
    except Exception as exc:  # zipfile, XML and KeyError for a missing part all mean "not a docx"
        raise docx_refused() from exc
    messages = _translate_messages([m.message for m in result.messages])
    if skipped:
        kinds = "、".join(_unique(skipped))
        messages.append(f"有 {len(skipped)} 张图片格式({kinds})网页不支持,已略去,请另存为 PNG/JPEG 后插入")
    return sanitize_html(result.value), messages


# ---------------------------------------------------------------------------------------
# attachments

_ATTACHMENT = "附件"
_ARTICLE = "第二十条"
_MIME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "wps": "application/vnd.ms-works",
    "et": "application/vnd.ms-excel",
    "txt": "text/plain",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "ofd": "application/ofd",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}
# active content a browser would run: never accepted, whatever the settings say
_NEVER = {
    "html", "htm", "xhtml", "shtml", "svg", "js", "mjs", "hta", "exe", "com", "bat", "cmd",
    "scr", "msi", "vbs", "ps1", "sh", "jar", "php", "asp", "aspx", "jsp", "dll",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# what a zip-based format must contain
_ZIP_MEMBER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/", "ofd": "OFD.xml"}
_KIND = {
    "pdf": "PDF", "ole": "旧版 Office/WPS 文档", "zip": "ZIP 压缩包或新版 Office 文档",
    "png": "PNG 图片", "jpeg": "JPEG 图片", "gif": "GIF 图片", "webp": "WEBP 图片",
    "rar": "RAR 压缩包",
}
_EXPECTED = {
    "pdf": "pdf", "doc": "ole", "xls": "ole", "ppt": "ole", "wps": "ole", "et": "ole",
    "docx": "zip", "xlsx": "zip", "pptx": "zip", "zip": "zip", "ofd": "zip",
    "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif", "webp": "webp", "rar": "rar",
}
# control characters, and the bidi overrides used to disguise an extension ("报告\u202efdp.exe")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _refuse(rule: str) -> ValidationError:
    return ValidationError(_ATTACHMENT, rule, _ARTICLE)


def _sniff(data: bytes) -> str | None:
    """The kind of file the bytes are, from their signature."""
    head = data[:16]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    return None


def _allowed_set(allowed_ext: str | list[str]) -> set[str]:
    items = allowed_ext.replace("\uff0c", ",").split(",") if isinstance(allowed_ext, str) else allowed_ext
    return {item.strip().lstrip(".").lower() for item in items if item.strip()}


def _extension(filename: str) -> str:
    if not filename or not filename.strip():
        raise _refuse("文件名为空")
    if "/" in filename or "\\" in filename:
        raise _refuse(f"文件名“{filename}”不能包含路径分隔符")
    if _CONTROL.search(filename):
        raise _refuse("文件名不能包含控制字符")
    if len(filename) > 200:
        raise _refuse("文件名过长(不超过 200 个字符)")
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem.strip(" .") or not ext:
        raise _refuse(f"文件名“{filename}”缺少扩展名")
    return ext.lower()


_MACROS = "含有宏(VBA 代码),属于可自动运行的内容,不能上传;请另存为不含宏的文档后上传"


def _check_zip_members(filename: str, ext: str, data: bytes) -> None:
    member = _ZIP_MEMBER.get(ext)
    if member is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(f"“{filename}”已损坏,无法读取") from exc
    if not any(name == member or name.startswith(member) for name in names):
        raise _refuse(f"“{filename}”的内容与扩展名 .{ext} 不符")
    if ext != "ofd" and active_content.zip_macros(names):
        raise _refuse(f"“{filename}”{_MACROS}")


def _text_mime(filename: str, data: bytes) -> str:
    if b"\x00" in data:
        raise _refuse(f"“{filename}”不是文本文件")
    for codec, charset in (("utf-8-sig", "utf-8"), ("gb18030", "gb18030")):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return f"text/plain; charset={charset}"
    raise _refuse(f"“{filename}”不是 UTF-8 或 GB18030 编码的文本")


_RESAVE = "请用“另存为 PDF”或“打印为 PDF”重新生成后上传"


def _check_active(filename: str, kind: str | None, data: bytes) -> None:
    """Nothing in an attachment may run in a reader's browser or PDF reader (core.active_content)."""
    if active_content.web_markup(data):
        raise _refuse(f"“{filename}”的开头含有网页代码(如 <html>、<script>),浏览器可能把它当作网页运行,"
                      "不能作为附件上传")
    if kind == "pdf":
        try:
            found = active_content.pdf_active_content(data)
        except active_content.Unreadable:
            raise _refuse(f"“{filename}”中有无法检查的内容(无法确认不含脚本),{_RESAVE}") from None
        if found:
            raise _refuse(f"“{filename}”含有{found},属于可自动运行的内容,不能上传;{_RESAVE}")
    elif kind == "ole" and active_content.ole_macros(data):
        raise _refuse(f"“{filename}”{_MACROS}")


def _check_kind(filename: str, ext: str, data: bytes) -> str:
    if ext == "txt":
        return _text_mime(filename, data)
    expected = _EXPECTED.get(ext)
    if expected is not None:
        actual = _sniff(data)
        if actual != expected:
            what = f"实际为{_KIND[actual]}" if actual else "无法识别的内容"
            raise _refuse(f"“{filename}”的内容与扩展名 .{ext} 不符({what})")
        _check_zip_members(filename, ext, data)
    return _MIME.get(ext) or mimetypes.guess_type(f"x.{ext}")[0] or "application/octet-stream"


def _check_content(filename: str, ext: str, data: bytes) -> str:
    mime = _check_kind(filename, ext, data)
    _check_active(filename, _EXPECTED.get(ext), data)
    return mime


def check_attachment(filename: str, data: bytes, allowed_ext: str | list[str], max_mb: int) -> str:
    """Check one upload; return its mime type or raise ValidationError naming 附件."""
    ext = _extension(filename)
    if ext in _NEVER or ext not in _allowed_set(allowed_ext):
        allowed = "、".join(sorted(_allowed_set(allowed_ext) - _NEVER)) or "无"
        raise _refuse(f"不允许上传 .{ext} 文件(允许的类型:{allowed})")
    if not data:
        raise _refuse(f"“{filename}”是空文件")
    if len(data) > max_mb * 1024 * 1024:
        size = len(data) / (1024 * 1024)
        raise _refuse(f"“{filename}”大小 {size:.1f} MB,超过上限 {max_mb} MB")
    return _check_content(filename, ext, data)


_UNSAFE_CHAR = re.compile(r"[^\w\u3000-\u303f\uff00-\uffef .\-()\[\]()【】《》、·—]")
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)}


def safe_filename(name: str) -> str:
    """A filename safe to store and to offer for download; Chinese characters kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _UNSAFE_CHAR.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = re.sub(r"_+", "_", name)
    if not name:
        return "附件"
    stem, dot, ext = name.rpartition(".")
    if stem.lower() in _RESERVED or (not dot and name.lower() in _RESERVED):
        name = f"_{name}"
    if len(name) > 120:
        ext = f".{ext}" if dot and len(ext) <= 10 else ""
        name = name[: 120 - len(ext)] + ext
    return name


# what a download link says a file is, besides its name (core.file_labels, named here too)
FILE_KINDS, file_kind, size_label = file_labels.FILE_KINDS, file_labels.file_kind, file_labels.size_label


# ---------------------------------------------------------------------------------------
# html_to_text

_BLOCK = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "blockquote", "table", "ul",
    "ol", "thead", "tbody", "hr", "div", "br",
}
_ROW = {"tr", "table", "thead", "tbody"}
_SKIP = {"script", "style", "head", "title", "template"}
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")


class _TextExtractor(HTMLParser):
    """Collects lines: one per block; table cells joined by " | ", list items marked."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.lists: list[list] = []  # [tag, counter] per open ul/ol
        self.cells = 0  # cells seen in the current row
        self.in_cell = 0
        self.skipping = 0

    def flush(self) -> None:
        line = _SPACES.sub(" ", "".join(self.current)).strip()
        if line:
            self.lines.append(line)
        self.current = []

    def _block(self, tag: str) -> None:
        if self.in_cell and tag not in _ROW:
            self.current.append(" ")  # paragraphs inside a cell stay on the row's line
        else:
            self.flush()
            self.cells = 0

    def _list_item(self) -> None:
        if self.lists and self.lists[-1][0] == "ol":
            self.lists[-1][1] += 1
            self.current.append(f"{self.lists[-1][1]}. ")
        else:
            self.current.append("• ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
            return
        if tag in _BLOCK:
            self._block(tag)
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            self._list_item()
        elif tag in ("td", "th"):
            self.current.append(" | " if self.cells else "")
            self.cells += 1
            self.in_cell += 1
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            self.current.append(f"[图片:{alt}]" if alt else "[图片]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ("td", "th"):
            self.in_cell = max(0, self.in_cell - 1)
        elif tag in _BLOCK:
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self._block(tag)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text of body HTML: one line per paragraph, heading, list item, row."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    parser.flush()
    return "\n".join(parser.lines)
