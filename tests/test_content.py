"""core.content: body HTML cleaning, pasted text, Word import, attachments, plain text."""

from __future__ import annotations

import base64
import io
import re
import zipfile

import pytest
from docx import Document
from docx.shared import Inches, Pt, RGBColor

from core.content import (
    check_attachment,
    check_image_alt,
    docx_to_html,
    html_to_text,
    images_without_alt,
    safe_filename,
    sanitize_html,
    text_to_html,
)
from core.errors import ValidationError

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
ALLOWED = "pdf,doc,docx,xls,xlsx,ppt,pptx,wps,et,txt,zip,rar,jpg,jpeg,png,gif,ofd"
CHINESE = "陕西省工业和信息化厅关于印发《2024年工作要点》的通知（陕工信发〔2024〕1号）："
STYLE_ATTRS = re.compile(r"\b(style|class|face|color|size|lang|id)\s*=", re.IGNORECASE)


# --- sanitize_html -----------------------------------------------------------------------


@pytest.mark.parametrize("dirty", [
    '<p>正文</p><script>alert("x")</script>',
    '<p>正文<SCRIPT src="http://evil.example/x.js"></SCRIPT></p>',
    '<p onclick="alert(1)">正文</p>',
    '<p>正文<img src="a.png" onerror="alert(1)"></p>',
    '<p>正文<img src=x onload=alert(1)></p>',
    '<body onload="alert(1)"><p>正文</p></body>',
    '<p>正文</p><svg onload="alert(1)"><script>alert(1)</script></svg>',
])
def test_scripts_and_event_handlers_removed(dirty):
    clean = sanitize_html(dirty)
    assert "正文" in clean
    assert "alert" not in clean
    assert "script" not in clean.lower()
    assert not re.search(r"\bon\w+\s*=", clean, re.IGNORECASE)


@pytest.mark.parametrize("href", [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/png;base64,iVBORw0KGgo=",
])
def test_unsafe_link_targets_removed(href):
    clean = sanitize_html(f'<p><a href="{href}">链接</a></p>')
    assert "href" not in clean
    assert "链接" in clean


@pytest.mark.parametrize("href", [
    "https://www.sxit.gov.cn/a.html",
    "http://www.gov.cn/",
    "mailto:office@sxit.gov.cn",
    "/articles/1",
    "附件/通知.pdf",
])
def test_safe_links_kept_with_rel(href):
    clean = sanitize_html(f'<a href="{href}" title="说明" target="_blank" rel="opener">链接</a>')
    assert f'href="{href}"' in clean
    assert 'title="说明"' in clean
    assert 'rel="noopener noreferrer"' in clean
    assert "target" not in clean and "opener\"" not in clean.replace("noopener", "")


def test_image_sources():
    png = 'data:image/png;base64,iVBORw0KGgo='
    clean = sanitize_html(
        f'<p><img src="{png}" alt="示意图" width="200" height="100px" style="border:1px">'
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">'
        '<img src="javascript:alert(1)">'
        '<img src="https://www.sxit.gov.cn/logo.png"><img src="/files/1.jpg"></p>'
    )
    assert f'<img src="{png}" alt="示意图" width="200">' in clean
    assert "svg" not in clean and "javascript" not in clean
    assert "https://" not in clean  # only pictures we hold (issue 12, L2)
    assert '<img src="/files/1.jpg">' in clean
    assert clean.count("<img") == 2


def test_inline_colours_fonts_and_sizes_removed():
    dirty = (
        '<p class="MsoNormal" style="color:#FF0000;font-size:22pt;font-family:黑体" align="center">'
        '<span style="color:red;background:yellow">红色</span>'
        '<font color="red" face="黑体" size="7">大字</font>'
        '<b style="font-size:30px">加粗</b></p>'
    )
    clean = sanitize_html(dirty)
    assert clean == "<p>红色大字<b>加粗</b></p>"
    assert not STYLE_ATTRS.search(clean)
    assert "<span" not in clean and "<font" not in clean


def test_word_paste_noise_removed():
    dirty = (
        '<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->'
        '<style>p.MsoNormal{color:red}</style>'
        '<p class="MsoNormal">通知<o:p></o:p></p><!-- 注释 --><iframe src="https://evil.example">框</iframe>'
    )
    assert sanitize_html(dirty) == "<p>通知</p>"


def test_h1_becomes_h2_and_structure_kept():
    dirty = (
        "<h1>一、总体要求</h1><h3>（一）</h3><ul><li>甲</li></ul><ol><li>乙</li></ol>"
        '<table><thead><tr><th colspan="2" style="x">表头</th></tr></thead>'
        '<tbody><tr><td rowspan="2" width="50">1</td><td>2</td></tr></tbody></table>'
        "<blockquote>引文</blockquote><p>H<sub>2</sub>O 10<sup>3</sup><u>下划</u><em>斜</em>"
        "<i>体</i><strong>强</strong><br></p><hr>"
    )
    clean = sanitize_html(dirty)
    assert "<h1" not in clean
    assert clean.startswith("<h2>一、总体要求</h2><h3>（一）</h3>")
    assert '<th colspan="2">表头</th>' in clean
    assert '<td rowspan="2">1</td>' in clean
    for tag in ("ul", "ol", "li", "table", "thead", "tbody", "tr", "blockquote", "sub", "sup",
                "u", "em", "i", "strong"):
        assert f"<{tag}>" in clean, tag
    assert "<br>" in clean and "<hr>" in clean


def test_chinese_text_intact():
    text = CHINESE + "一、二、三；“引号”‘单引’——破折号……省略号　全角空格"
    clean = sanitize_html(f"<p>{text}</p><p>1 &lt; 2 &amp; 3</p>")
    assert clean == f"<p>{text}</p><p>1 &lt; 2 &amp; 3</p>"
    assert html_to_text(clean) == f"{text}\n1 < 2 & 3"


def test_empty_paragraphs_that_pile_up_dropped():
    dirty = (
        "<p></p><p>&nbsp;</p><p>第一段</p><p>&nbsp;</p><p><br></p><p>　</p><p></p>"
        "<p>第二段</p><p><br></p><p>第三段</p><p></p><p> </p>"
    )
    assert sanitize_html(dirty) == "<p>第一段</p><p>&nbsp;</p><p>第二段</p><p><br></p><p>第三段</p>"


IDEMPOTENCE_SAMPLES = [
    "<p>一</p><p></p><p></p><p>二</p>",
    '<h1><h1>标题</h1></h1><div><p>段</p></div><span style="color:red">红</span>',
    '<a href="/x"><table><tr><td>表<a href="/y">嵌</a></td></tr></table></a>',
    "<li><tr><p><table></p><li>&amp; <font size=3>",
    "<p>a<div>b</div>c</p><p><table><tr><td>x</td></tr></table></p>",
    '<img src="data:image/png;base64,iVBORw0KGgo="><img><img src="">',
    "未闭合 <b>粗<i>斜</b>体</i> 1<2",
]


@pytest.mark.parametrize("dirty", IDEMPOTENCE_SAMPLES)
def test_sanitize_is_idempotent(dirty):
    once = sanitize_html(dirty)
    assert sanitize_html(once) == once


def test_sanitize_empty():
    assert sanitize_html("") == ""
    assert sanitize_html("<p></p><p>&nbsp;</p>") == ""


# --- text_to_html / html_to_text ---------------------------------------------------------


def test_text_to_html_paragraphs_escaped_and_indent_stripped():
    text = "　　第一段，<b>不是标签</b> & 符号\n\n　　第二段\r\n第三段　中间　保留\n   \n"
    assert text_to_html(text) == (
        "<p>第一段，&lt;b&gt;不是标签&lt;/b&gt; &amp; 符号</p>"
        "<p>第二段</p><p>第三段　中间　保留</p>"
    )
    assert sanitize_html(text_to_html(text)) == text_to_html(text)
    assert text_to_html("") == ""


def test_html_to_text_lines():
    html = (
        "<h2>标题</h2><p>第一段<br>换行</p><ul><li>甲</li><li>乙</li></ul><ol><li>一</li></ol>"
        "<table><tr><th>名称</th><th>数量</th></tr><tr><td><p>企业</p></td><td>12</td></tr></table>"
        '<p>图<img src="a.png" alt="示意">&nbsp;尾</p>'
    )
    assert html_to_text(html).splitlines() == [
        "标题", "第一段", "换行", "• 甲", "• 乙", "1. 一", "名称 | 数量", "企业 | 12", "图[图片:示意] 尾",
    ]
    assert html_to_text("") == ""


# --- docx_to_html ------------------------------------------------------------------------


def _docx() -> bytes:
    doc = Document()
    doc.add_heading("一、工作进展", level=1)
    doc.add_heading("（一）主要做法", level=2)
    para = doc.add_paragraph("正文开始，")
    run = para.add_run("红色大号文字")
    run.font.color.rgb = RGBColor(0xFF, 0x00, 0x00)
    run.font.size = Pt(26)
    run.font.name = "黑体"
    run.bold = True
    doc.add_paragraph("第一项", style="List Bullet")
    doc.add_paragraph("第二项", style="List Bullet")
    table = doc.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for (r, c), text in {(0, 0): "名称", (0, 1): "数量", (1, 0): "企业", (1, 1): "12"}.items():
        table.cell(r, c).text = text
    doc.add_paragraph("")
    doc.add_paragraph("")
    doc.add_picture(io.BytesIO(PNG), width=Inches(1))
    doc.add_paragraph("引用段落", style="Intense Quote")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_docx_converts_to_clean_html():
    html, messages = docx_to_html(_docx())
    assert html.startswith("<h2>一、工作进展</h2><h3>（一）主要做法</h3>")
    assert "<p>正文开始，<strong>红色大号文字</strong></p>" in html
    assert "<ul><li>第一项</li><li>第二项</li></ul>" in html
    assert "<table>" in html and "<td><p>名称</p></td>" in html and "<td><p>12</p></td>" in html
    assert '<img src="data:image/png;base64,' in html
    assert "<h1" not in html
    assert not STYLE_ATTRS.search(html)
    markup = re.sub(r'src="data:[^"]*"', "", html).lower()
    assert "color" not in markup and "ff0000" not in markup
    assert "font" not in markup and "黑体" not in markup and "26pt" not in markup
    assert sanitize_html(html) == html
    assert isinstance(messages, list) and all(isinstance(m, str) for m in messages)
    assert any("Intense Quote" in m and "未识别" in m for m in messages)


@pytest.mark.parametrize("data", [
    b"",
    b"%PDF-1.7 not a word file",
    PNG,
    b"PK\x03\x04 truncated zip",
    "__zip_without_document__",
    "__truncated_docx__",
])
def test_corrupt_docx_refused(data):
    if data == "__zip_without_document__":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr("readme.txt", "不是 Word")
        data = buf.getvalue()
    elif data == "__truncated_docx__":
        data = _docx()[:2000]
    with pytest.raises(ValidationError) as caught:
        docx_to_html(data)
    assert caught.value.field == "Word 文件"
    assert "无法读取:文件不是有效的 .docx 文档" in str(caught.value)


# --- attachments -------------------------------------------------------------------------


def _zip(member: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(member, "<x/>")
    return buf.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(("filename", "data", "mime"), [
    ("关于印发通知的函.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
    ("附件1.PDF", b"%PDF-1.4\n", "application/pdf"),
    ("照片.png", PNG, "image/png"),
    ("照片.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    ("动图.gif", b"GIF89a\x01\x00", "image/gif"),
    ("汇总表.xls", OLE, "application/vnd.ms-excel"),
    ("旧文档.doc", OLE, "application/msword"),
    ("汇总表.xlsx", _zip("xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("材料.zip", _zip("a.txt"), "application/zip"),
    ("电子公文.ofd", _zip("OFD.xml"), "application/ofd"),
    ("压缩.rar", b"Rar!\x1a\x07\x01\x00", "application/vnd.rar"),
    ("说明.txt", "中文说明".encode(), "text/plain; charset=utf-8"),
    ("说明GBK.txt", "中文说明".encode("gb18030"), "text/plain; charset=gb18030"),
])
def test_attachment_accepted(filename, data, mime):
    assert check_attachment(filename, data, ALLOWED, 20) == mime


def test_real_docx_attachment_accepted_and_allowed_as_list():
    mime = check_attachment("方案.docx", _docx(), [".DOCX", "pdf"], 5)
    assert mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(("filename", "data", "allowed", "max_mb", "words"), [
    ("空.pdf", b"", ALLOWED, 20, "空文件"),
    ("大.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024), ALLOWED, 1, "超过上限 1 MB"),
    ("程序.exe", b"MZ\x90\x00", ALLOWED, 20, "不允许"),
    ("程序.exe", b"MZ\x90\x00", ALLOWED + ",exe", 20, "不允许"),
    ("网页.html", b"<script>alert(1)</script>", "html,pdf", 20, "不允许"),
    ("报告.pdf", PNG, ALLOWED, 20, "不符"),
    ("照片.png", b"%PDF-1.7\n", ALLOWED, 20, "不符"),
    ("方案.docx", b"%PDF-1.7\n", ALLOWED, 20, "不符"),
    ("方案.docx", _zip("xl/workbook.xml"), ALLOWED, 20, "不符"),
    ("方案.docx", b"PK\x03\x04broken", ALLOWED, 20, "损坏"),
    ("旧文档.doc", b"{\\rtf1 not ole}", ALLOWED, 20, "不符"),
    ("压缩.rar", _zip("a.txt"), ALLOWED, 20, "不符"),
    ("说明.txt", PNG, ALLOWED, 20, "文本"),
    ("说明.txt", b"\x80\xff\x80\xff", ALLOWED, 20, "编码"),
    ("../etc/passwd.pdf", b"%PDF-1.7\n", ALLOWED, 20, "路径"),
    ("目录\\报告.pdf", b"%PDF-1.7\n", ALLOWED, 20, "路径"),
    ("报告\x00.pdf", b"%PDF-1.7\n", ALLOWED, 20, "控制字符"),
    ("报告\n.pdf", b"%PDF-1.7\n", ALLOWED, 20, "控制字符"),
    ("报告\u202efdp.pdf", b"%PDF-1.7\n", ALLOWED, 20, "控制字符"),
    ("无扩展名", b"%PDF-1.7\n", ALLOWED, 20, "扩展名"),
    (".pdf", b"%PDF-1.7\n", ALLOWED, 20, "扩展名"),
    ("", b"%PDF-1.7\n", ALLOWED, 20, "文件名"),
])
def test_attachment_refused(filename, data, allowed, max_mb, words):
    with pytest.raises(ValidationError) as caught:
        check_attachment(filename, data, allowed, max_mb)
    assert caught.value.field == "附件"
    assert "附件" in str(caught.value)
    assert words in caught.value.rule


def test_pdf_that_is_really_a_png_names_what_it_is():
    with pytest.raises(ValidationError) as caught:
        check_attachment("报告.pdf", PNG, ALLOWED, 20)
    assert "PNG" in caught.value.rule and "报告.pdf" in caught.value.rule


def test_size_limit_is_inclusive():
    data = b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 9)
    assert check_attachment("正好.pdf", data, ALLOWED, 1) == "application/pdf"
    with pytest.raises(ValidationError):
        check_attachment("超出.pdf", data + b"0", ALLOWED, 1)


@pytest.mark.parametrize(("name", "expected"), [
    ("关于印发《2024年工作要点》的通知（定稿）.pdf", "关于印发《2024年工作要点》的通知（定稿）.pdf"),
    ("../../etc/关于 通知.docx", "关于 通知.docx"),
    ("C:\\Users\\张三\\桌面\\汇总表.xlsx", "汇总表.xlsx"),
    ('a<b>:c"d|e?f*.pdf', "a_b_c_d_e_f_.pdf"),
    ("报告\x00\u202e.pdf", "报告.pdf"),
    ("..", "附件"),
    ("", "附件"),
    ("CON.txt", "_CON.txt"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_long_keeps_extension():
    name = safe_filename("长" * 300 + ".pdf")
    assert len(name) <= 120 and name.endswith(".pdf") and name.startswith("长")


def test_pasted_divs_become_paragraphs():
    html = sanitize_html('<div class="x">第一段</div><div><div>第二段</div></div>')
    assert "第一段</p>" in html and "<p>第二段</p>" in html
    assert sanitize_html(html) == html


# --- image alt text (accessibility of what officers write) ------------------------------


def test_images_without_alt_are_counted_after_cleaning():
    html = ('<p><img src="a.png"><img src="b.png" alt=" "><img src="c.png" alt="会议现场">'
            '<img src="file:///C:/Users/x/image001.png"><img src="d.png" alt="&nbsp;"></p>')
    # the file: image is dropped by the cleaner, so the fourth image left is d.png
    assert images_without_alt(html) == [1, 2, 4]
    assert images_without_alt('<p><img src="c.png" alt="会议现场"></p><p>正文</p>') == []
    assert images_without_alt("") == []


def test_saving_an_image_without_alt_is_refused_naming_the_body_and_the_rule():
    with pytest.raises(ValidationError) as refused:
        check_image_alt('<p>正文</p><p><img src="a.png" alt="图一"></p><p><img src="b.png"></p>')
    assert refused.value.field == "正文"
    message = str(refused.value)
    assert "第 2 张图片没有替代文字" in message and "图片说明" in message and "第十五条" in message
    check_image_alt('<p><img src="a.png" alt="图一"></p>')


# --- pasted from Word / WPS --------------------------------------------------------------

WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta name=ProgId content=Word.Document><style><!-- p.MsoNormal {mso-style-parent:""; font-family:宋体} --></style>
</head><body lang=ZH-CN style='tab-interval:21.0pt'><!--StartFragment-->
<h1 style='mso-pagination:widow-orphan;mso-outline-level:1'><span style='font-size:22.0pt;font-family:黑体;
color:#C00000'>关于开展工业企业数字化转型评估的通知<o:p></o:p></span></h1>
<h2><span lang=EN-US style='font-family:"Times New Roman";mso-bidi-font-family:Arial'>一、评估范围</span></h2>
<p class=MsoNormal style='text-indent:2em;line-height:150%'><span style='font-size:16.0pt;font-family:仿宋_GB2312;
color:red;background:yellow;mso-highlight:yellow'>各市工业和信息化局:<o:p></o:p></span></p>
<p class=MsoNormal><font face="楷体" size=5 color="#ff0000">请于 <b style='mso-bidi-font-weight:normal'>11 月 30 日</b>前报送。</font></p>
<p class=MsoListParagraph style='margin-left:18pt;text-indent:-18pt;mso-list:l1 level1 lfo2'><![if !supportLists]>
<span style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp; </span></span>
<![endif]><span style='color:#00B050'>评估结果向社会公开</span></p>
<ul style='margin-top:0cm' type=disc><li class=MsoNormal style='color:blue;mso-list:l0 level1 lfo1'>
<span style='font-size:14pt'>规模以上工业企业</span></li><li class=MsoNormal>重点产业链企业</li></ul>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;mso-yfti-tbllook:1184'>
<tr style='mso-yfti-irow:0'><td width=277 valign=top style='width:207.4pt;background:#D9E2F3'><p class=MsoNormal>
<b><span style='font-family:黑体'>地市</span></b></p></td><td width=277 style='border:solid windowtext 1.0pt'>
<p class=MsoNormal>企业数</p></td></tr><tr><td><p class=MsoNormal>西安市</p></td><td><p class=MsoNormal>
<span style='color:#2F5496'>128</span></p></td></tr></table>
<!--EndFragment--></body></html>"""


def test_word_and_wps_paste_keeps_structure_and_drops_colours_fonts_sizes():
    clean = sanitize_html(WORD_PASTE)
    tight = re.sub(r">\s+", ">", clean)
    for kept in ("<h2>关于开展工业企业数字化转型评估的通知</h2>", "<h2>一、评估范围</h2>", "<p>各市工业和信息化局:</p>",
                 "<b>11 月 30 日</b>", "<ul><li>", "<li>重点产业链企业</li>", "<table>", "<td><p><b>地市</b></p></td>",
                 "<td><p>128</p></td>", "评估结果向社会公开</p>"):
        assert kept in tight, kept
    assert not STYLE_ATTRS.search(clean)
    for dropped in ("<font", "<span", "<o:p", "mso-", "color", "宋体", "仿宋", "黑体", "楷体", "22.0pt", "#C00000",
                    "supportLists", "<style", "<meta", "width=", "border="):
        assert dropped not in clean, dropped
    assert sanitize_html(clean) == clean
