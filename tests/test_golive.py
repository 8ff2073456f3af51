"""上线检查 (issue 15): the findings on the demo database and on a configured one, through the real
`python -m core check` (a subprocess), the web server's configuration and certificate read from files."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

from core import backup, golive, identity, settings
from core.db import connect
from core.errors import PermissionDenied
from tests.browser import make_demo

ROOT = Path(__file__).resolve().parent.parent


def check(db: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "check", "--db", str(db), *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PORTAL_BCRYPT_ROUNDS": "4"})


def keys_of(result: subprocess.CompletedProcess) -> dict[str, dict]:
    return {f["key"]: f for f in json.loads(result.stdout)}


def test_the_demo_database_may_not_go_live(tmp_path):
    db = make_demo(tmp_path / "demo.duckdb")
    result = check(db, "--json")
    assert result.returncode == 1, result.stderr
    found = keys_of(result)
    demo = found["accounts.demo_password"]
    assert demo["severity"] == "阻止上线" and demo["blocking"] is True
    assert all(name in demo["message"] for name in ("webmaster", "jszc", "xxy_dzxx"))
    assert "“我要留言”" in found["workbench_url.local"]["message"]
    assert "localhost" in found["workbench_url.local"]["message"] and "工作台地址" in found["workbench_url.local"]["fix"]
    for key in ("smtp.unset", "backup.none", "identity.site_code", "identity.icp_number"):
        assert found[key]["blocking"], key
    for key in ("identity.psb_number", "identity.dzjg_mark", "nginx.unknown", "probe.off", "access_log.unset"):
        assert found[key]["severity"] == "提醒", key
    assert all(f["message"] and f["fix"] for f in found.values())
    # the same findings in words, blocking ones first
    text = check(db)
    assert text.returncode == 1
    lines = [line for line in text.stdout.splitlines() if line.startswith("[")]
    assert lines[0].startswith("[阻止上线]") and lines[-1].startswith("[提醒]")
    assert "处理:" in text.stdout


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def certificate(folder: Path, host: str = "www.sxit.gov.cn", *, days: int = 365, self_signed: bool = False) -> Path:
    """A certificate for `host` issued by a test authority (or by itself), valid for `days` from now (ended
    `-days` ago when negative, after a year)."""
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=1 if days > 0 else 365)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder().subject_name(_name(host)).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start)
               .not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False))
    if self_signed:
        cert = builder.issuer_name(_name(host)).sign(key, hashes.SHA256())
    else:
        cert = builder.issuer_name(_name("测试证书颁发机构")).sign(ca_key, hashes.SHA256())
    path = folder / f"{host}-{days}-{self_signed}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def nginx(folder: Path, cert: Path, server_name: str = "www.sxit.gov.cn") -> Path:
    path = folder / "sxit.conf"
    path.write_text(f"server {{\n    listen 443 ssl;\n    server_name {server_name};\n"
                    f"    # ssl_certificate /etc/ssl/old.pem;\n    ssl_certificate {cert};\n"
                    f"    ssl_certificate_key /etc/ssl/sxit/privkey.pem;\n    root /srv/sxit-portal/site_build;\n}}\n",
                    encoding="utf-8")
    return path


def mark_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), (200, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def configure(con, org, tmp_path) -> None:
    """Everything the check asks for, as an office would set it up."""
    settings.set_values(con, org.webmaster, {
        "site_code": "6100000047", "icp_number": "陕ICP备12345678号", "psb_number": "陕公网安备 61010402000123号",
        "site_organizer": "陕西省工业和信息化厅办公室", "site_tech_support": "陕西省信息中心",
        "dzjg_cert_url": "https://bszs.conac.cn/sitename?method=show&id=ABC",
        "error_report_url": "https://zfwzzc.www.gov.cn/check_web/errorInfo.action?id=6100000047",
        "contact_address": "西安市新城区新城大院", "contact_postcode": "710006", "contact_hours": "工作日 9:00—18:00",
        "site_url": "https://www.sxit.gov.cn", "workbench_url": "https://www.sxit.gov.cn/workbench",
        "smtp_host": "mail.sxit.gov.cn", "nginx_conf_path": str(nginx(tmp_path, certificate(tmp_path))),
        "probe_enabled": True, "access_log_path": "/var/log/nginx/sxit-access.log",
    })
    identity.save_mark(con, org.webmaster, "标识.png", mark_png())
    assert backup.create_backup(con, actor=org.tech).ok


def test_a_configured_database_passes_through_the_command(con, org, tmp_path):
    configure(con, org, tmp_path)
    assert golive.findings(con) == []
    con.close()
    result = check(tmp_path / "portal.duckdb", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []
    assert check(tmp_path / "portal.duckdb").stdout.strip() == "上线检查:未发现问题。"


def test_only_reminders_do_not_block(con, org, tmp_path):
    configure(con, org, tmp_path)
    settings.set_values(con, org.webmaster, {"contact_hours": "", "psb_number": ""})
    con.close()
    result = check(tmp_path / "portal.duckdb", "--json")
    assert result.returncode == 0
    assert set(keys_of(result)) == {"identity.contact_hours", "identity.psb_number"}


def test_monitoring_left_off_is_a_reminder(con, org, tmp_path):
    configure(con, org, tmp_path)
    settings.set_values(con, org.webmaster, {"probe_enabled": False, "access_log_path": ""})
    found = {f.key: f for f in golive.findings(con)}
    assert set(found) == {"probe.off", "access_log.unset"}
    assert not golive.blocking(list(found.values()))
    assert "单项否决" in found["probe.off"].message and "启用站点可用性监测" in found["probe.off"].fix


@pytest.mark.parametrize("change, key", [
    ({"workbench_url": "http://127.0.0.1:8501"}, "workbench_url.local"),
    ({"workbench_url": "http://www.sxit.gov.cn/workbench"}, "workbench_url.https"),
    ({"site_url": "http://www.sxit.gov.cn"}, "site_url.https"),
    # the web server's name and certificate then no longer match the address either
    ({"site_url": "https://www.example.gov.cn"}, "site_url.host nginx.server_name tls.name"),
    ({"smtp_host": ""}, "smtp.unset"),
    ({"site_code": ""}, "identity.site_code"),
    ({"nginx_conf_path": "/nonexistent/nginx.conf"}, "nginx.unreadable"),
])
def test_each_unsafe_setting_blocks(con, org, tmp_path, change, key):
    configure(con, org, tmp_path)
    settings.set_values(con, org.webmaster, change)
    found = {f.key: f for f in golive.findings(con)}
    assert set(found) == set(key.split()) and all(f.blocking for f in found.values())
    assert golive.blocking(list(found.values()))


@pytest.mark.parametrize("cert, server_name, keys", [
    ({"days": -3}, "www.sxit.gov.cn", {"tls.expired"}),
    ({"days": 10}, "www.sxit.gov.cn", {"tls.expiring"}),
    ({"host": "portal.example.cn"}, "www.sxit.gov.cn", {"tls.name"}),
    ({"self_signed": True}, "www.sxit.gov.cn", {"tls.self_signed"}),
    ({}, "sxit.gov.cn", {"nginx.server_name"}),
])
def test_the_certificate_and_the_server_name_are_read_from_the_configuration(con, org, tmp_path, cert, server_name,
                                                                          keys):
    configure(con, org, tmp_path)
    conf = nginx(tmp_path, certificate(tmp_path, **cert), server_name)
    settings.set_values(con, org.webmaster, {"nginx_conf_path": str(conf)})
    assert {f.key for f in golive.findings(con)} == keys


def test_the_shipped_example_unchanged_is_reported(con, org, tmp_path):
    configure(con, org, tmp_path)
    copy = tmp_path / "copy.conf"
    copy.write_text((ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8"), encoding="utf-8")
    settings.set_values(con, org.webmaster, {"nginx_conf_path": str(copy)})
    found = {f.key: f for f in golive.findings(con)}
    assert found["nginx.example"].severity == "提醒"
    assert found["tls.missing"].blocking and "/etc/ssl/sxit/fullchain.pem" in found["tls.missing"].message


def test_no_backup_and_an_old_backup(con, org, tmp_path):
    configure(con, org, tmp_path)
    later = dt.datetime.now() + dt.timedelta(days=golive.BACKUP_WARN_DAYS + 1)
    assert [f.key for f in golive.findings(con, now=later)] == ["backup.old"]
    settings.set_values(con, org.webmaster, {"backup_dir": str(tmp_path / "empty-backups")})
    assert [f.key for f in golive.findings(con)] == ["backup.none"]


def test_demo_accounts_stop_counting_once_disabled_or_their_password_changed(tmp_path):
    db = make_demo(tmp_path / "demo.duckdb")
    con = connect(db)
    try:
        everyone = golive.demo_accounts(con)
        assert {"webmaster", "jszc", "xxy_dzxx", "fzr_bgs"} <= set(everyone)  # the named ones and the rest
        con.execute("UPDATE users SET password_hash = 'changed' WHERE username = 'webmaster'")
        con.execute("UPDATE users SET active = FALSE WHERE username = 'jszc'")
        left = golive.demo_accounts(con)
        assert "webmaster" not in left and "jszc" not in left and len(left) == len(everyone) - 2
        con.execute("UPDATE users SET active = FALSE")
        assert golive.demo_accounts(con) == []
    finally:
        con.close()


def test_only_the_office_and_technical_support_see_the_check(con, org):
    assert golive.findings_for(con, org.tech) == golive.findings_for(con, org.webmaster)
    for someone in (org.officer, org.head, org.leader, org.analyst):
        with pytest.raises(PermissionDenied):
            golive.findings_for(con, someone)
