"""Site identity in a real browser (issue 15): the built portal's footer with every identity mark, the
联系我们 page it links to, and 上线检查 in the workbench."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from core import accounts, identity, portal, settings
from core.db import connect
from tests.browser import ARTIFACTS, chromium, go_to_page, login, make_demo, manual_shot, servers, shot, wait_idle

pytestmark = pytest.mark.browser

PASSWORD = "Demo-2026!sx"


def badge() -> bytes:
    """A stand-in for the issued mark: a red badge (the real one is the office's to upload)."""
    image = Image.new("RGB", (110, 55), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, 107, 52), radius=8, fill=(200, 16, 46))
    draw.rounded_rectangle((10, 10, 99, 44), radius=5, outline="white", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def configure(db) -> None:
    con = connect(db)
    try:
        webmaster = accounts.find_user(con, "webmaster")
        settings.set_values(con, webmaster, {
            "site_code": "6100000047", "icp_number": "陕ICP备12345678号-1", "psb_number": "陕公网安备 61010402000123号",
            "site_organizer": "陕西省工业和信息化厅办公室", "site_tech_support": "陕西省信息中心",
            "dzjg_cert_url": "https://bszs.conac.cn/sitename?method=show&id=ABC",
            "error_report_url": "https://zfwzzc.www.gov.cn/check_web/errorInfo.action?id=6100000047",
            "contact_address": "西安市新城区新城大院", "contact_postcode": "710006",
            "contact_hours": "工作日 上午 9:00—12:00,下午 14:00—18:00"})
        identity.save_mark(con, webmaster, "党政机关网站标识.png", badge())
    finally:
        con.close()


def test_the_footer_carries_the_identity_and_the_golive_check_lists_what_blocks(tmp_path):
    db = make_demo(tmp_path / "demo.duckdb")
    configure(db)
    site = tmp_path / "site"
    con = connect(db)
    try:
        portal.build_site(con, site, full=True)
    finally:
        con.close()
    with servers(db, site) as (workbench, public), chromium() as browser:
        page = browser.new_page()
        page.goto(f"{public}/index.html")
        footer = page.locator("footer.site-footer")
        footer.get_by_text("网站标识码:6100000047").wait_for(timeout=30000)
        mark = footer.get_by_role("link", name="党政机关网站标识(查看证书)")
        assert mark.get_attribute("href") == "https://bszs.conac.cn/sitename?method=show&id=ABC"
        assert page.locator("footer img[alt^='党政机关网站标识']").evaluate("img => img.complete && img.naturalWidth") == 110
        assert footer.get_by_role("link", name="陕ICP备12345678号-1").get_attribute("href") == "https://beian.miit.gov.cn/"
        psb = footer.get_by_role("link", name="陕公网安备 61010402000123号")
        assert psb.get_attribute("href").endswith("code=61010402000123")
        for text in ("承办单位:陕西省工业和信息化厅办公室", "技术支持单位:陕西省信息中心"):
            assert footer.get_by_text(text).count() == 1
        ARTIFACTS.mkdir(exist_ok=True)
        footer.screenshot(path=str(ARTIFACTS / "identity-footer.png"))
        footer.get_by_role("link", name="联系我们").click()
        page.get_by_role("heading", level=1, name="联系我们").wait_for(timeout=30000)
        assert page.get_by_text("西安市新城区新城大院").count() == 1
        shot(page, "identity-contact")

        login(page, workbench, "webmaster", PASSWORD)
        go_to_page(page, "上线检查")
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("演示数据的账号仍可用公开的演示密码登录").wait_for(timeout=30000)
        assert main.get_by_text("尚未设置“网站标识码”").count() == 0  # set above
        shot(page, "identity-golive")
        manual_shot(page, "manual-golive")  # 上线检查 in the manual: what still blocks going live
