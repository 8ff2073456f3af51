"""The workbench behind the documented nginx (deploy/nginx.conf) in headless Chromium: the officer signs in
over https, the sign-in cookie is written (a Streamlit component, in a same-origin iframe), 我的稿件's editor
(another component) shows its toolbar and a picture put in, 运行概览's chart is drawn, the public 我要留言 page shows its CAPTCHA picture, and the browser
reports no Content-Security-Policy or X-Frame-Options refusal on the way."""

from __future__ import annotations

import re
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import chromium, free_port, go_to_page, login, make_demo, servers, shot
from tests.test_content import PNG
from tests.test_deploy import NGINX, local_config

pytestmark = [pytest.mark.browser, pytest.mark.nginx]

PASSWORD = "Demo-2026!sx"
REFUSALS = ("Content Security Policy", "X-Frame-Options")
# Chromium logs most refusals itself; the event also catches those it only reports to the page
REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation', event => console.error(
    `Content Security Policy violation: ${event.effectiveDirective} blocked ${event.blockedURI}`));"""


@pytest.fixture
def demo(tmp_path):
    db_path = tmp_path / "demo.duckdb"
    make_demo(db_path)
    return db_path, tmp_path / "site"


def answers(url: str) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def nginx_in_front(tmp_path: Path, site: Path, workbench_port: int, intranet: str = "127.0.0.1"):
    """deploy/nginx.conf on loopback ports, the workbench open to `intranet` (127.0.0.1: this browser is
    staff; 10.0.0.0/8: it is the public); yields the https address."""
    http_port, https_port = free_port(), free_port()
    main = local_config(tmp_path, site, http_port, https_port, workbench_port, intranet=intranet)
    check = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-c", str(main), "-p", str(tmp_path)], stderr=subprocess.DEVNULL)
    url = f"https://127.0.0.1:{https_port}"
    try:
        for _ in range(300):
            if answers(url + "/liuyan/_stcore/health"):
                break
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def new_page(browser, refusals: list[str], **options):
    context = browser.new_context(ignore_https_errors=True, locale="zh-CN", **options)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: refusals.append(message.text)
            if any(word in message.text for word in REFUSALS) else None)
    return page


def test_workbench_behind_nginx_signs_in_keeps_the_cookie_and_shows_the_editor(demo, tmp_path):
    db_path, site_dir = demo
    with servers(db_path, site_dir, base_path="workbench") as (direct, _), \
            nginx_in_front(tmp_path, site_dir, int(re.search(r":(\d+)/", direct).group(1))) as proxied, \
            chromium() as browser:
        workbench = proxied + "/workbench/"
        refusals: list[str] = []
        # the first script run after a start is Streamlit's pages-folder mode (see app.py): warm up
        warm = new_page(browser, [])
        warm.goto(workbench)
        warm.get_by_label("用户名", exact=True).wait_for(timeout=60000)
        warm.close()

        page = new_page(browser, refusals, viewport={"width": 1400, "height": 1400})
        try:
            login(page, workbench, "xxy_dzxx", PASSWORD)
        except PlaywrightTimeout:
            shot(page, "deploy-sign-in-failed")
            pytest.fail(f"not signed in behind nginx; the browser refused: {refusals}")
        # the re-authentication cookie is set by a component (an iframe) after the sign-in: wait for it
        for _ in range(150):
            if any(cookie["name"] == "sxit_workbench" for cookie in page.context.cookies()):
                break
            page.wait_for_timeout(200)
        assert "sxit_workbench" in {cookie["name"] for cookie in page.context.cookies()}, refusals
        # issue 12, L9: the cookie stays with the workbench, over https only, never sent from another site
        cookie = next(c for c in page.context.cookies() if c["name"] == "sxit_workbench")
        assert cookie["path"] == "/workbench/" and cookie["secure"] and cookie["sameSite"] == "Strict", cookie
        assert not cookie["httpOnly"]  # written by the component's script: see deploy/README.md

        go_to_page(page, "我的稿件")
        page.get_by_role("button", name=re.compile("新建稿件")).click()
        frame = page.frame_locator('iframe[title="正文编辑器"]')
        try:
            frame.get_by_role("toolbar", name="正文格式工具栏").wait_for(timeout=60000)
        except PlaywrightTimeout:
            shot(page, "deploy-editor-failed")
            raise
        frame.locator(".tiptap").wait_for(timeout=60000)
        # a picture goes into the body as a data: image, drawn inside the editor's frame
        image = tmp_path / "现场.png"
        image.write_bytes(PNG)
        frame.locator(".tiptap").click()
        frame.get_by_role("button", name="图片").click()
        frame.get_by_label("图片文件").set_input_files(str(image))
        frame.get_by_label(re.compile("图片说明")).fill("推进会现场")
        frame.get_by_role("button", name="插入图片").click()
        picture = frame.locator('.tiptap img[alt="推进会现场"]')
        picture.wait_for(timeout=60000)
        picture.evaluate("img => img.decode()")
        assert picture.evaluate("img => img.naturalWidth") > 0
        shot(page, "deploy-editor-behind-nginx")

        # charts (Vega) on 运行概览
        analyst = new_page(browser, refusals, viewport={"width": 1400, "height": 1400})
        login(analyst, workbench, "analyst", PASSWORD)
        go_to_page(analyst, "运行概览")
        analyst.locator('[data-testid="stVegaLiteChart"]').locator("canvas, svg").first.wait_for(timeout=60000)
        shot(analyst, "deploy-chart-behind-nginx")

        citizen = new_page(browser, refusals, viewport={"width": 1200, "height": 1600})
        citizen.goto(workbench + "message")
        citizen.get_by_role("heading", name="我要留言").wait_for(timeout=60000)
        picture = citizen.locator('[data-testid="stImage"] img').first
        picture.wait_for(timeout=60000)
        citizen.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle(),
                                  timeout=60000)
        citizen.locator("audio").first.wait_for(state="attached", timeout=60000)
        shot(citizen, "deploy-message-behind-nginx")
        # a moment for late refusals (fonts, workers) to reach the console before the pages close
        page.wait_for_timeout(1000)
    assert refusals == [], refusals
