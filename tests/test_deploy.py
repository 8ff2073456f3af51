"""The nginx example really serves the portal with its strict CSP and guards the workbench path."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from core import portal
from tests.browser import free_port
from tests.conftest import make_org

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def local_config(tmp_path: Path, site: Path, http_port: int, https_port: int, workbench_port: int) -> Path:
    """deploy/nginx.conf with loopback ports, a throw-away certificate and the test's site folder."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=www.sxit.gov.cn", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    conf = (conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
                .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
                .replace("/etc/ssl/sxit/fullchain.pem", str(tmp_path / "cert.pem"))
                .replace("/etc/ssl/sxit/privkey.pem", str(tmp_path / "key.pem"))
                .replace("/srv/sxit-portal/site_build", str(site))
                .replace("127.0.0.1:8501", f"127.0.0.1:{workbench_port}"))
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


def test_portal_served_with_strict_csp(nginx):
    response = fetch(nginx + "/")
    assert response.status == 200
    assert "陕西省工业和信息化厅" in response.read().decode("utf-8")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_path_gets_the_portal_404_page(nginx):
    response = fetch(nginx + "/no/such/page.html")
    assert response.status == 404
    assert "陕西省工业和信息化厅" in response.read().decode("utf-8")


def test_workbench_is_closed_to_addresses_outside_the_intranet(nginx):
    assert fetch(nginx + "/workbench/").status == 403
