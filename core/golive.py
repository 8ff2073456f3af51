"""上线检查: what is still missing or unsafe before the portal and workbench serve the public (issue 15).

`findings(con)` lists each problem with its severity (阻止上线: do not go live before it is fixed; 提醒:
fix soon), what is wrong and where to fix it: the identity settings (第四条、第六条; 政府网站发展指引), the
site and workbench addresses, e-mail, backups (第二十条), the demo's accounts, and the web server's TLS
certificate. The workbench page 上线检查 and `python -m core check` show the same list.

The web server: the product cannot see the nginx that serves it. The office names the configuration in use
(setting nginx_conf_path); the check reads its server_name and ssl_certificate, compares them with the
site address and reads the certificate (valid dates, names). Unset, it says it could not check, and a copy
still identical to the shipped deploy/nginx.conf is reported as not adapted.

Imports from: core.backup, core.db, core.demo, core.identity, core.passwords, core.permissions, core.settings.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
from cryptography import x509

from core import backup, identity, settings
from core.db import rows
from core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from core.passwords import matches
from core.permissions import require

BLOCK = "阻止上线"
WARN = "提醒"
SHIPPED_NGINX = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
CERT_WARN_DAYS = 30
BACKUP_WARN_DAYS = 2  # the scheduled backup runs daily (第二十条)
SETTINGS_PAGE = "网站管理员 →「系统设置」→「系统参数」"


@dataclass(frozen=True)
class Finding:
    key: str
    severity: str  # BLOCK | WARN
    message: str  # what is wrong, in the office's words
    fix: str  # what to do, and where

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCK

    def as_dict(self) -> dict:
        return {**asdict(self), "blocking": self.blocking}


# identity settings: (setting, severity, why it matters)
_IDENTITY = (
    ("site_sponsor", BLOCK, "每个页面的页脚须标明网站的主办单位(政府网站发展指引)"),
    ("site_code", BLOCK, "每个页面的页脚须显示全国政府网站信息报送系统分配的网站标识码(政府网站发展指引)"),
    ("icp_number", BLOCK, "网站须取得 ICP 备案并在页脚显示备案号,未备案的网站不得开通(互联网信息服务管理办法)"),
    ("psb_number", WARN, "网站开通后须在三十日内办理公安机关备案并在页脚显示备案号(计算机信息网络国际联网安全保护管理办法)"),
    ("site_tech_support", WARN, "网站的建设和运维由技术支持单位承担,页脚应标明(第四条)"),
    ("site_organizer", WARN, "页脚应标明网站的承办单位(第四条)"),
    ("dzjg_cert_url", WARN, "党政机关网站标识应链接到其证书页面(政府网站发展指引)"),
    ("error_report_url", WARN, "页脚应提供全国政府网站“我为政府网站找错”平台的入口(政府网站发展指引)"),
    ("contact_address", WARN, "“联系我们”页面应公布通信地址"),
    ("contact_postcode", WARN, "“联系我们”页面应公布邮政编码"),
    ("contact_hours", WARN, "“联系我们”页面应公布办公时间"),
)


def findings(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> list[Finding]:
    """Every problem found, blocking ones first (the order of the checks within each severity)."""
    now = now or dt.datetime.now()
    values = settings.all_values(con)  # one query; the checks below read their settings from it
    found = [*_identity(con, values), *_addresses(values), *_mail(values), *_backups(con, now), *_demo_accounts(con),
             *_web_server(values), *_monitoring(values)]
    return sorted(found, key=lambda f: not f.blocking)


def findings_for(con: duckdb.DuckDBPyConnection, user) -> list[Finding]:
    """The findings, for the office and technical support only (第八、十条): they name paths and accounts."""
    require(user, "golive.view")
    return findings(con)


def blocking(found: list[Finding]) -> bool:
    return any(f.blocking for f in found)


def _identity(con: duckdb.DuckDBPyConnection, values: dict) -> list[Finding]:
    found = []
    for name, severity, why in _IDENTITY:
        if not str(values[name]).strip():
            label = settings.BY_NAME[name].label
            found.append(Finding(f"identity.{name}", severity, f"尚未设置“{label}”:{why}。",
                                 f"在{SETTINGS_PAGE}中填写“{label}”。"))
    if identity.mark_info(con) is None:  # whether there is one: the image itself is not needed
        found.append(Finding("identity.dzjg_mark", WARN,
                             "尚未上传党政机关网站标识:页脚应显示主管部门颁发的标识(政府网站发展指引)。",
                             "在网站管理员 →「系统设置」→「网站标识」中上传标识图片。"))
    return found


def _local_host(host: str) -> bool:
    host = (host or "").strip("[]").lower()
    if host in ("localhost", "") or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified or address.is_link_local


def _example_host(host: str) -> bool:
    return bool(re.search(r"(^|\.)example(\.[a-z]+)+$|\.(test|invalid|example)$", (host or "").lower()))


def _addresses(values: dict) -> list[Finding]:
    found = []
    site_url = values["site_url"]
    site = urlsplit(str(site_url).strip())
    if site.scheme != "https":
        found.append(Finding("site_url.https", BLOCK,
                             f"网站地址“{site_url}”不是 https:// 地址:门户须经加密连接访问(第六条)。",
                             f"在{SETTINGS_PAGE}中把“网站地址”改为 https://www.sxit.gov.cn 这样的正式地址。"))
    if _local_host(site.hostname or "") or _example_host(site.hostname or ""):
        found.append(Finding("site_url.host", BLOCK,
                             f"网站地址“{site_url}”是本机、内网或示例地址,不是门户的正式域名(第六条)。",
                             f"在{SETTINGS_PAGE}中把“网站地址”改为正式域名。"))
    workbench = str(values["workbench_url"]).strip()
    bench = urlsplit(workbench)
    if _local_host(bench.hostname or ""):
        found.append(Finding("workbench_url.local", BLOCK,
                             f"工作台地址“{workbench}”指向本机或内网:门户每个页面的“我要留言”和邮件中的链接都用这个地址,"
                             "公众和处室人员打不开(第十九条)。",
                             f"在{SETTINGS_PAGE}中把“工作台地址”改为公众可访问的地址,如 https://www.sxit.gov.cn/workbench。"))
    elif bench.scheme != "https":
        found.append(Finding("workbench_url.https", BLOCK,
                             f"工作台地址“{workbench}”不是 https:// 地址:公众留言的姓名、电话和工作人员的密码会以明文传输"
                             "(第二十条)。",
                             f"在{SETTINGS_PAGE}中把“工作台地址”改为 https:// 地址,并在 nginx 中为其配置证书。"))
    return found


def _mail(values: dict) -> list[Finding]:
    if str(values["smtp_host"]).strip():
        return []
    return [Finding("smtp.unset", BLOCK,
                    "尚未设置 SMTP 服务器:审批超时、留言即将到期、栏目超期等提醒只记录在发件箱中,不会发出"
                    "(第十四、十九条)。",
                    f"在{SETTINGS_PAGE}中填写“SMTP 服务器”等邮件设置,再在「发件箱」中点“立即发送”试发。")]


def _monitoring(values: dict) -> list[Finding]:
    """The availability probes and the access-log import are off until the office turns them on."""
    found = []
    if not values["probe_enabled"]:
        found.append(Finding("probe.off", WARN,
                             "站点可用性监测未启用:门户无法访问(全国政府网站检查的单项否决)时,工作台不会发现和提示。",
                             f"在{SETTINGS_PAGE}中勾选“启用站点可用性监测”,必要时填写“监测用门户地址”。"))
    if not str(values["access_log_path"]).strip():
        found.append(Finding("access_log.unset", WARN,
                             "尚未设置访问日志文件:“访问统计”和政府网站工作年度报表的访问量无从统计。",
                             f"在{SETTINGS_PAGE}中填写门户 nginx 访问日志的完整路径。"))
    return found


def _backups(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> list[Finding]:
    where = backup.default_dest(con)
    kept = backup.backups_in(where)
    if not kept:
        return [Finding("backup.none", BLOCK,
                        f"备份目录“{where}”中还没有任何备份:数据一旦损坏将无法恢复(第二十条)。",
                        "在技术支持 →「备份」中立即备份一次(或在服务器上用命令行备份),并确认“每日备份时间”。")]
    newest = kept[0][0]
    if now - newest > dt.timedelta(days=BACKUP_WARN_DAYS):
        return [Finding("backup.old", WARN,
                        f"最近一次备份是 {newest:%Y-%m-%d %H:%M},已超过 {BACKUP_WARN_DAYS} 天:每日定时备份可能没有运行"
                        "(第二十条)。",
                        "在技术支持 →「备份」中查看备份记录和失败原因。")]
    return []


def demo_accounts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Active accounts that still sign in with the demo's published password (core/demo.py). The demo gives
    all its accounts one password hash, so one bcrypt check of its named accounts (DEMO_ACCOUNTS) finds the
    hash, and the accounts sharing it are the demo's. A demo name with a password of its own is not
    reported: an office may well call its account webmaster."""
    named = rows(con, "SELECT DISTINCT password_hash FROM users WHERE active AND username IN "
                      "(SELECT unnest(?::VARCHAR[]))", [sorted(DEMO_ACCOUNTS.values())])
    demo_hashes = sorted({u["password_hash"] for u in named if matches(DEMO_PASSWORD, u["password_hash"])})
    if not demo_hashes:
        return []
    return [r["username"] for r in rows(
        con, "SELECT username FROM users WHERE active AND password_hash IN (SELECT unnest(?::VARCHAR[])) "
             "ORDER BY username", [demo_hashes])]


def _demo_accounts(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    with_password = demo_accounts(con)
    if not with_password:
        return []
    named = [u for u in with_password if u in DEMO_ACCOUNTS.values()]
    rest = len(with_password) - len(named)
    shown = "、".join(named or with_password[:8]) + (f",以及演示数据创建的另外 {rest} 个账号" if named and rest else "")
    return [Finding("accounts.demo_password", BLOCK,
                    f"演示数据的账号仍可用公开的演示密码登录:{shown}(第二十二条)。",
                    "在网站管理员 →「账号管理」中停用这些账号;正式上线应使用不含演示数据的新数据库。")]


# ---------------------------------------------------------------- the web server (nginx and its certificate)

_DIRECTIVE = re.compile(r"^\s*(server_name|ssl_certificate)\s+([^;]+);", re.M)


def nginx_directives(text: str) -> dict[str, list[str]]:
    """server_name and ssl_certificate values of an nginx configuration (comments left out)."""
    text = re.sub(r"#[^\n]*", "", text)
    found: dict[str, list[str]] = {"server_name": [], "ssl_certificate": []}
    for name, value in _DIRECTIVE.findall(text):
        found[name] += value.split()
    return found


def _web_server(values: dict) -> list[Finding]:
    configured = str(values["nginx_conf_path"]).strip()
    label = settings.BY_NAME["nginx_conf_path"].label
    if not configured:
        return [Finding("nginx.unknown", WARN,
                        "没有设置正在使用的 nginx 配置文件,无法核对 HTTPS 证书和站点域名;随产品提供的 nginx 配置"
                        "只是示例,其中的证书路径和目录须按本机调整(第二十条)。",
                        f"在{SETTINGS_PAGE}中填写“{label}”(如 /etc/nginx/conf.d/sxit.conf),再次检查。")]
    path = Path(configured)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding("nginx.unreadable", BLOCK, f"读不到 nginx 配置文件“{path}”:{_why_unreadable(exc)}。",
                        f"确认{SETTINGS_PAGE}中的“{label}”路径正确,且工作台的运行账号可以读取。")]
    found = []
    if SHIPPED_NGINX.is_file() and text == SHIPPED_NGINX.read_text(encoding="utf-8"):
        found.append(Finding("nginx.example", WARN,
                             f"nginx 配置文件“{path}”与随产品提供的示例配置完全相同,尚未按本机调整"
                             "(目录、证书路径、工作台端口)。",
                             "由技术支持单位按本机情况修改,检查配置无误后重新加载 nginx。"))
    directives = nginx_directives(text)
    host = urlsplit(str(values["site_url"])).hostname or ""
    if host and host not in directives["server_name"]:
        found.append(Finding("nginx.server_name", BLOCK,
                             f"nginx 配置中的站点域名({'、'.join(directives['server_name']) or '无'})不包含网站地址的"
                             f"域名 {host}(第六条)。",
                             "由技术支持单位修改 nginx 配置中的站点域名,或核对“网站地址”设置。"))
    if not directives["ssl_certificate"]:
        found.append(Finding("tls.none", BLOCK, f"nginx 配置“{path}”中没有配置证书:门户不能以 HTTPS 访问。",
                             "由技术支持单位申请证书,并在 nginx 配置中填写证书和私钥文件的位置。"))
    for cert in dict.fromkeys(directives["ssl_certificate"]):
        found += _certificate(path.parent, cert, host)
    return found


def _why_unreadable(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件不存在"
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    return "文件无法读取或不是文本文件"


def _certificate(base: Path, name: str, host: str) -> list[Finding]:
    cert_path = Path(name) if Path(name).is_absolute() else base / name
    fix = "由技术支持单位申请或续期证书,放到 nginx 配置中证书文件所指的位置,检查配置无误后重新加载 nginx。"
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except OSError:
        return [Finding("tls.missing", BLOCK, f"nginx 配置的证书文件“{cert_path}”不存在或无法读取。", fix)]
    except ValueError:
        return [Finding("tls.unreadable", BLOCK, f"证书文件“{cert_path}”不是可以读取的证书(应为文本格式的证书文件)。", fix)]
    found = []
    until = certificate.not_valid_after_utc.replace(tzinfo=None)
    utc_now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # certificates state their dates in UTC
    if until <= utc_now or certificate.not_valid_before_utc.replace(tzinfo=None) > utc_now:
        found.append(Finding("tls.expired", BLOCK, f"证书“{cert_path}”不在有效期内(有效期至 {until:%Y-%m-%d})。", fix))
    elif until - utc_now < dt.timedelta(days=CERT_WARN_DAYS):
        found.append(Finding("tls.expiring", WARN, f"证书“{cert_path}”将于 {until:%Y-%m-%d} 到期。", fix))
    names = _cert_names(certificate)
    if host and not any(_name_matches(n, host) for n in names):
        found.append(Finding("tls.name", BLOCK,
                             f"证书“{cert_path}”签发给 {'、'.join(names) or '(无域名)'},不包含网站域名 {host}:"
                             "浏览器会提示连接不安全。", fix))
    if certificate.issuer == certificate.subject:
        found.append(Finding("tls.self_signed", BLOCK,
                             f"证书“{cert_path}”是自签名证书,公众的浏览器不信任。", fix))
    return found


def _cert_names(certificate: x509.Certificate) -> list[str]:
    try:
        alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        return alt.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        return [a.value for a in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]


def _name_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower(), host.lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and host.count(".") == pattern.count(".")
    return pattern == host
