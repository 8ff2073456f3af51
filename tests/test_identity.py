"""Site identity (issue 15; 第四条、第六条): the settings' shapes, the 党政机关网站标识 upload, the footer of
every built page, the 联系我们 and 网站声明 pages, and sitemap.xml (answers included)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from core import identity, interaction, portal, settings
from core.db import scalar
from core.errors import PermissionDenied, ValidationError
from tests.test_interaction import answer_and_approve, message, submit

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

GOOD = {
    "site_code": ["6100000047", "bm07000001", ""],
    "icp_number": ["陕ICP备12345678号", "陕ICP备12345678号-1", "京ICP备2024012345号", ""],
    "psb_number": ["陕公网安备 61010402000123号", "陕公网安备61010402000123号", ""],
    "dzjg_cert_url": ["https://bszs.conac.cn/sitename?method=show&id=0123456789ABCDEF", "http://example.gov.cn/", ""],
    "error_report_url": ["https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?id=6100000047", ""],
    "contact_postcode": ["710006", ""],
    "site_sponsor": ["陕西省工业和信息化厅"],
    "site_organizer": ["陕西省工业和信息化厅办公室", ""],
    "contact_hours": ["工作日 上午 9:00—12:00,下午 14:00—18:00", ""],
}
BAD = {
    "site_code": (["610000004", "61000000471", "BM07000001", "bm0700000A", "网站6100000"], "10 位"),
    "icp_number": (["陕ICP12345678号", "ICP备12345678号", "陕ICP备1234567号", "陕ICP备12345678", "A ICP备12345678号"],
                   "陕ICP备12345678号"),
    "psb_number": (["陕公网安备 6101040200012号", "公网安备 61010402000123号", "陕公网安备 61010402000123"],
                   "14 位数字"),
    "dzjg_cert_url": (["bszs.conac.cn/x", "javascript:alert(1)", "ftp://example.gov.cn/", "https://"], "https://"),
    "error_report_url": (["www.gov.cn", "https:// www.gov.cn"], "https://"),
    "contact_postcode": (["71000", "7100061", "西安"], "6 位数字"),
    "site_organizer": (["办" * 61], "60 个字"),
    "contact_address": (["路" * 101], "100 个字"),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_identity_setting_accepts_its_shapes(con, org, name):
    for value in GOOD[name]:
        settings.set_values(con, org.webmaster, {name: value})
        assert settings.get(con, name) == value


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_identity_setting_refuses_a_wrong_shape_naming_the_field_and_the_shape(con, org, name):
    before = settings.get(con, name)
    wrong, shape = BAD[name]
    for value in wrong:
        with pytest.raises(ValidationError) as refused:
            settings.set_values(con, org.webmaster, {name: value})
        assert refused.value.field == settings.BY_NAME[name].label
        assert shape in str(refused.value) and re.search(r"第[四六]条", str(refused.value))
    assert settings.get(con, name) == before  # nothing stored


def png(width: int = 60, height: int = 48, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 20, 20)).save(buffer, kind)
    return buffer.getvalue()


def test_the_mark_accepts_png_jpeg_gif_and_is_audited(con, org):
    for kind, mime in (("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif")):
        saved = identity.save_mark(con, org.webmaster, f"标识.{kind.lower()}", png(kind=kind))
        assert saved.mime == mime and (saved.width, saved.height) == (60, 48)
    assert identity.mark_info(con)["filename"] == "标识.gif"
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'identity.mark_upload'") == 3
    assert identity.remove_mark(con, org.webmaster) and identity.mark(con) is None
    assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'identity.mark_remove'") == 1


@pytest.mark.parametrize("content, why", [
    (b"", "空"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "PNG、JPEG 或 GIF"),
    (b"%PDF-1.7 not an image", "PNG、JPEG 或 GIF"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "损坏"),  # the magic alone is not an image
    (png()[:60], "损坏"),  # cut short
    (png(3000, 10), "2000 像素"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (identity.MARK_MAX_BYTES), "KB"),
])
def test_the_mark_refuses_what_is_not_a_small_raster_image(con, org, content, why):
    with pytest.raises(ValidationError) as refused:
        identity.save_mark(con, org.webmaster, "mark.png", content)
    assert refused.value.field == "党政机关网站标识" and why in str(refused.value)
    assert identity.mark(con) is None


def test_only_the_office_uploads_the_mark(con, org):
    for someone in (org.officer, org.tech, org.head):
        with pytest.raises(PermissionDenied):
            identity.save_mark(con, someone, "mark.png", png())
    assert identity.mark(con) is None


IDENTITY = {
    "site_code": "6100000047", "icp_number": "陕ICP备12345678号-1", "psb_number": "陕公网安备 61010402000123号",
    "site_sponsor": "陕西省工业和信息化厅", "site_organizer": "陕西省工业和信息化厅办公室",
    "site_tech_support": "陕西省信息中心", "dzjg_cert_url": "https://bszs.conac.cn/sitename?method=show&id=ABC",
    "error_report_url": "https://zfwzzc.www.gov.cn/check_web/errorInfo.action?id=6100000047",
    "contact_address": "西安市新城区新城大院", "contact_postcode": "710006",
    "contact_hours": "工作日 9:00—12:00,14:00—18:00",
}


def configure(con, org) -> None:
    settings.set_values(con, org.webmaster, IDENTITY)
    identity.save_mark(con, org.webmaster, "dzjg.png", png())


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">'):html.index("</footer>")]


def test_every_page_footer_carries_the_identity(con, org, tmp_path):
    configure(con, org)
    out = tmp_path / "site"
    portal.build_site(con, out, full=True)
    mark = identity.mark(con)
    assert (out / "static" / mark.static_name).read_bytes() == mark.content
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        html = footer(page.read_text(encoding="utf-8"))
        for shown in ("主办单位:陕西省工业和信息化厅", "承办单位:陕西省工业和信息化厅办公室", "技术支持单位:陕西省信息中心",
                      "网站标识码:6100000047",
                      '<a href="https://beian.miit.gov.cn/">陕ICP备12345678号-1</a>',
                      'href="https://beian.mps.gov.cn/#/query/webSearch?code=61010402000123"',
                      'alt="">陕公网安备 61010402000123号</a>',
                      '<a href="https://bszs.conac.cn/sitename?method=show&amp;id=ABC">'
                      f'<img src="/static/{mark.static_name}" width="60" height="48" alt="党政机关网站标识(查看证书)">',
                      '>我为政府网站找错</a>', '<a href="/contact.html">联系我们</a>',
                      '<a href="/statement.html">网站声明</a>', '<a href="/sitemap.html">网站地图</a>',
                      '<a href="/accessibility.html">'):
            assert shown in html, (page, shown)
        assert 'target="_blank"' not in html  # every footer link opens in the same tab
    assert (out / "static" / "psb-mark.svg").is_file()


def test_an_unset_identity_leaves_no_empty_labels(con, org, tmp_path):
    out = tmp_path / "site"
    portal.build_site(con, out, full=True)
    html = footer((out / "index.html").read_text(encoding="utf-8"))
    assert "主办单位:陕西省工业和信息化厅" in html
    for absent in ("承办单位", "技术支持单位", "网站标识码", "ICP备", "公网安备", "党政机关网站标识", "我为政府网站找错"):
        assert absent not in html


def test_a_changed_identity_or_mark_rerenders_every_page(con, org, tmp_path):
    out = tmp_path / "site"
    portal.build_site(con, out, full=True)
    settings.set_values(con, org.webmaster, {"site_code": "6100000047"})
    rebuilt = portal.build_site(con, out, full=False)
    assert rebuilt["mode"] == "full"
    assert all("网站标识码:6100000047" in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert portal.build_site(con, out, full=False)["mode"] == "incremental"
    first = identity.save_mark(con, org.webmaster, "a.png", png())
    assert portal.build_site(con, out, full=False)["mode"] == "full"
    second = identity.save_mark(con, org.webmaster, "b.png", png(80, 80))
    assert portal.build_site(con, out, full=False)["mode"] == "full"
    assert (out / "static" / second.static_name).is_file()
    assert not (out / "static" / first.static_name).exists()  # the old mark is no longer served
    identity.remove_mark(con, org.webmaster)
    portal.build_site(con, out, full=False)
    assert "党政机关网站标识" not in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / "static" / second.static_name).exists()


def test_contact_and_statement_pages_show_the_settings(con, org, tmp_path):
    configure(con, org)
    out = tmp_path / "site"
    portal.build_site(con, out, full=True)
    contact = (out / "contact.html").read_text(encoding="utf-8")
    main = contact[contact.index("<main"):contact.index("</main>")]
    for shown in ("<h1>联系我们</h1>", "西安市新城区新城大院", "710006", "029-87654321", "mailto:hdjl@sxit.gov.cn",
                  "工作日 9:00—12:00,14:00—18:00", ">我要留言</a>", "/statement.html#privacy"):
        assert shown in main, shown
    statement = (out / "statement.html").read_text(encoding="utf-8")
    main = statement[statement.index("<main"):statement.index("</main>")]
    for shown in ("版权与转载", "链接说明", 'id="privacy"', "个人信息保护", "姓名和联系方式在任何情况下都不会在网站上公开",
                  "免责声明", 'href="/accessibility.html"', "陕西省工业和信息化厅办公室承办",
                  "来源:陕西省工业和信息化厅网站"):
        assert shown in main, shown
    sitemap_page = (out / "sitemap.html").read_text(encoding="utf-8")
    main = sitemap_page[sitemap_page.index("<main"):sitemap_page.index("</main>")]
    assert '<a href="/contact.html">联系我们</a>' in main and '<a href="/statement.html">网站声明</a>' in main


def sitemap_urls(out) -> list[str]:
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_sitemap_xml_lists_the_fixed_pages_and_every_published_answer(con, org, tmp_path):
    con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('hdjl', '互动交流', 'interaction', ?)",
                [org.dz])
    sent = submit(con, org)
    answer_and_approve(con, org, sent.id)
    hidden = submit(con, org, subject="另一条尚未公开的留言")
    out = tmp_path / "site"
    portal.build_site(con, out, full=True)
    interaction.publish(con, org.webmaster, sent.id, message(con, sent.id)["version"])
    portal.build_site(con, out, full=False)
    urls = sitemap_urls(out)
    base = "https://www.sxit.gov.cn"
    answer = base + portal.answer_url(sent.id, message(con, sent.id)["published_at"])
    for path in ("/contact.html", "/statement.html", "/accessibility.html", "/hudong/index.html"):
        assert base + path in urls
    assert answer in urls
    assert not any(f"hd{hidden.id}.html" in u for u in urls)
    for url in urls:  # every URL of the sitemap is a file of the site
        assert (out / url.removeprefix(base).lstrip("/")).is_file(), url
