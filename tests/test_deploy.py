"""The nginx example really serves the portal with its strict CSP and guards the workbench path."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from core import portal
from pages import _shared
from tests.browser import free_port
from tests.conftest import make_org

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def local_config(tmp_path: Path, site: Path, http_port: int, https_port: int, workbench_port: int,
                 intranet: str = "10.0.0.0/8") -> Path:
    """deploy/nginx.conf with loopback ports, a throw-away certificate and the test's site folder;
    `intranet` replaces the addresses the workbench is open to."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=www.sxit.gov.cn", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    conf = (conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
                .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
                .replace("/etc/ssl/sxit/fullchain.pem", str(tmp_path / "cert.pem"))
                .replace("/etc/ssl/sxit/privkey.pem", str(tmp_path / "key.pem"))
                .replace("/srv/sxit-portal/site_build", str(site))
                .replace("127.0.0.1:8501", f"127.0.0.1:{workbench_port}")
                .replace("allow 10.0.0.0/8;", f"allow {intranet};"))
    conf = "\n".join(line for line in conf.splitlines() if "[::]" not in line)
    (tmp_path / "site.conf").write_text(conf, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(
        # pytest's temp folders are private to root: the workers read them as root here only
        f"user root;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n client_body_temp_path {tmp_path};\n"
        f" proxy_temp_path {tmp_path};\n include {tmp_path}/site.conf;\n}}\n", encoding="utf-8")
    return main


@pytest.fixture
def nginx(tmp_path, con):
    make_org(con)
    site = tmp_path / "site"
    portal.build_site(con, site, full=True)
    ports = free_port(), free_port(), free_port()
    main = local_config(tmp_path, site, *ports)
    check = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-c", str(main), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    time.sleep(0.5)
    yield f"https://127.0.0.1:{ports[1]}"
    process.terminate()
    process.wait(timeout=10)


def fetch(url: str):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        return urllib.request.urlopen(url, context=context, timeout=5)
    except urllib.error.HTTPError as error:
        return error


@pytest.mark.nginx
def test_portal_served_with_strict_csp(nginx):
    response = fetch(nginx + "/")
    assert response.status == 200
    assert "陕西省工业和信息化厅" in response.read().decode("utf-8")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.nginx
def test_unknown_path_gets_the_portal_404_page(nginx):
    response = fetch(nginx + "/no/such/page.html")
    assert response.status == 404
    assert "陕西省工业和信息化厅" in response.read().decode("utf-8")


@pytest.mark.nginx
def test_workbench_is_closed_to_addresses_outside_the_intranet(nginx):
    assert fetch(nginx + "/workbench/").status == 403


@pytest.mark.nginx
def test_workbench_pages_ending_in_html_are_closed_too(nginx):
    """The components' index.html must reach the workbench's location, not the portal's `\\.html$` rule."""
    assert fetch(nginx + "/workbench/component/richtext/index.html").status == 403


@pytest.mark.nginx
def test_workbench_has_its_own_security_headers(nginx):
    headers = fetch(nginx + "/workbench/").headers
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    # Streamlit styles inline and frames its own components; scripts stay without 'unsafe-inline' or eval
    assert "'unsafe-inline'" in csp["style-src"] and csp["frame-src"] == "'self'"
    assert csp["frame-ancestors"] == "'self'" and headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == "'none'" and csp["connect-src"] == "'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def sha256_source(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def inline_script_hashes(html_file: Path) -> set[str]:
    html = html_file.read_text(encoding="utf-8")
    return {sha256_source(code) for code in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)}


def test_every_inline_script_the_workbench_serves_is_allowed_by_its_hash():
    """After an upgrade of Streamlit or extra-streamlit-components this names the hash nginx.conf needs;
    without it the page or the sign-in cookie stops working behind nginx."""
    import extra_streamlit_components
    import streamlit

    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    script_src = re.search(r'set \$workbench_csp "[^"]*script-src ([^;]*);', conf).group(1).split()
    pages = [Path(streamlit.__file__).parent / "static" / "index.html",
             Path(extra_streamlit_components.__file__).parent / "CookieManager" / "frontend" / "build" / "index.html",
             ROOT / "pages" / "_richtext_frontend" / "index.html"]
    needed = set().union(*(inline_script_hashes(page) for page in pages)) | {sha256_source(_shared._chrome_script())}
    assert needed <= set(script_src), sorted(needed - set(script_src))
    # nothing else inline is allowed: each hash in the policy belongs to one of these pages
    assert {source for source in script_src if source.startswith("'sha256-")} == needed


@pytest.mark.nginx
def test_public_door_is_open_to_every_address_and_the_old_link_leads_there(nginx):
    """Issue 12, L9: /liuyan/ is proxied for everyone (502 here: no workbench runs behind this nginx), the
    portal's link /workbench/message leads to it with its query, and it carries the workbench's headers."""
    response = fetch(nginx + "/liuyan/")
    assert response.status == 502
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=insecure()))
    try:
        opener.open(nginx + "/workbench/message?code=ABC", timeout=5)
        raise AssertionError("no redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302 and redirect.headers["Location"].endswith("/liuyan/?code=ABC")
    assert fetch(nginx + "/workbench/approvals").status == 403


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
