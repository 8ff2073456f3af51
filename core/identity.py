"""Site identity (政府网站发展指引; 第四条、第六条): the shapes of the identity settings, the links the
footer makes of them, and the 党政机关网站标识 image the office uploads.

The shapes are the national registries' (examples seen on government sites: 网站标识码 3609000004 or
bm14000001; 京ICP备05002860号; 苏公网安备32012345678900号): core/settings.py gives each setting its pattern
and rule from here, so a wrong value is refused when saved and the message shows the expected shape.
Empty is allowed: the go-live check (core/golive.py) reports what is still unset.

The 标识 image is kept in ``site_assets`` (migration 0020); only PNG, JPEG or GIF whose bytes say so
and which an image library can read are accepted (an SVG can carry script). The portal build writes it
under /static/ with a content-hashed name.

Imports from: core.audit, core.db, core.errors, core.permissions, core.text.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

import duckdb

from core import audit
from core.db import rows, transaction
from core.errors import ValidationError
from core.permissions import require
from core.text import clean_text

# the one-character abbreviations of the provinces, as the filing numbers begin
PROVINCES = "京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇藏陕秦甘陇青宁新港澳"

SITE_CODE_PATTERN = r"|\d{10}|bm\d{8}"
SITE_CODE_RULE = ("应为全国政府网站信息报送系统分配的 10 位标识码:地方政府网站为 10 位数字(如 6100000047),"
                  "国务院部门网站为 bm 加 8 位数字(如 bm07000001);尚未取得可留空(第六条)")
ICP_PATTERN = rf"|[{PROVINCES}]ICP备(?:\d{{8}}|\d{{10}})号(?:-\d{{1,3}})?"
ICP_RULE = ("应为省份简称 + ICP备 + 8 位或 10 位数字 + 号,同一主体的第几个网站可在后面加“-序号”,"
            "如 陕ICP备12345678号 或 陕ICP备12345678号-1;尚未备案可留空(第六条)")
PSB_PATTERN = rf"|[{PROVINCES}]公网安备 ?\d{{14}}号"
PSB_RULE = "应为省份简称 + 公网安备 + 14 位数字 + 号,如 陕公网安备 61010402000123号;尚未备案可留空(第六条)"
URL_PATTERN = r"|https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?(?:[/?#][^\s<>\"']*)?"
URL_RULE = "应为以 https:// 或 http:// 开头的完整网址,如 https://bszs.conac.cn/…;不设置则留空(第六条)"
POSTCODE_PATTERN = r"|\d{6}"
POSTCODE_RULE = "应为 6 位数字的邮政编码,如 710006;不设置则留空(第六条)"
UNIT_PATTERN = r".{0,60}"
UNIT_RULE = "单位名称不能超过 60 个字,请填写单位的全称(第四条)"
TEXT_PATTERN = r".{0,100}"
TEXT_RULE = "不能超过 100 个字(第六条)"

ICP_LINK = "https://beian.miit.gov.cn/"
PSB_LINK = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"

# the 党政机关网站标识 (issued red mark): small raster images only
MARK = "dzjg_mark"
MARK_LABEL = "党政机关网站标识"
MARK_MAX_BYTES = 512 * 1024
MARK_MAX_SIDE = 2000  # pixels: the mark is shown at about 50 pixels high
_KINDS = {  # magic bytes -> (Pillow's name, MIME type, extension)
    b"\x89PNG\r\n\x1a\n": ("PNG", "image/png", "png"),
    b"\xff\xd8\xff": ("JPEG", "image/jpeg", "jpg"),
    b"GIF87a": ("GIF", "image/gif", "gif"),
    b"GIF89a": ("GIF", "image/gif", "gif"),
}
_EXTENSIONS = {mime: ext for _name, mime, ext in _KINDS.values()}


def psb_code(number: str) -> str:
    """The 14 digits of a 公安机关备案号 (what the filing site's query takes), or ''."""
    found = re.search(r"\d{14}", number or "")
    return found.group(0) if found else ""


def psb_link(number: str) -> str:
    code = psb_code(number)
    return PSB_LINK.format(code=code) if code else ""


@dataclass(frozen=True)
class Asset:
    name: str
    filename: str
    mime: str
    content: bytes
    sha256: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.mime]

    @property
    def static_name(self) -> str:
        """Its file in the portal's static folder: a new image is a new name (browsers cache by name)."""
        return f"{self.name.replace('_', '-')}-{self.sha256[:10]}.{self.extension}"


def _kind(content: bytes) -> tuple[str, str, str]:
    for magic, kind in _KINDS.items():
        if content.startswith(magic):
            return kind
    raise ValidationError(MARK_LABEL, "只接受 PNG、JPEG 或 GIF 格式的图片(按文件内容判断,不看扩展名)", "第六条")


def inspect_image(content: bytes) -> tuple[str, int, int]:
    """(MIME type, width, height) of an acceptable mark image; a ValidationError names what is wrong."""
    if not content:
        raise ValidationError(MARK_LABEL, "文件是空的", "第六条")
    if len(content) > MARK_MAX_BYTES:
        raise ValidationError(MARK_LABEL, f"图片不能超过 {MARK_MAX_BYTES // 1024} KB", "第六条")
    pil_name, mime, _ext = _kind(content)
    from PIL import Image, UnidentifiedImageError  # deferred: only an upload reads images; every build imports us
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height, found = image.width, image.height, image.format
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise ValidationError(MARK_LABEL, "图片已损坏或不完整,无法读取", "第六条") from None
    if found != pil_name:
        raise ValidationError(MARK_LABEL, "文件内容与图片格式不符", "第六条")
    if max(width, height) > MARK_MAX_SIDE:
        raise ValidationError(MARK_LABEL, f"图片的长和宽不能超过 {MARK_MAX_SIDE} 像素", "第六条")
    return mime, width, height


def save_mark(con: duckdb.DuckDBPyConnection, actor, filename: str, content: bytes) -> Asset:
    """Store the office's 党政机关网站标识 (replacing the previous one); only the webmaster may (第八条)."""
    require(actor, "settings.edit")
    content = bytes(content)
    mime, width, height = inspect_image(content)
    digest = hashlib.sha256(content).hexdigest()
    name = clean_text(filename)[:120] or f"{MARK}.{_EXTENSIONS[mime]}"
    with transaction(con):
        con.execute("DELETE FROM site_assets WHERE name = ?", [MARK])
        con.execute("INSERT INTO site_assets (name, filename, mime, content, sha256, width, height, updated_at, "
                    "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?)",
                    [MARK, name, mime, content, digest, width, height, actor.id])
        audit.record(con, actor, "identity.mark_upload", f"site_assets:{MARK}",
                     f"上传{MARK_LABEL}「{name}」({width}×{height} 像素,{len(content)} 字节)")
    return Asset(MARK, name, mime, content, digest, width, height)  # what was stored: no read-back


def remove_mark(con: duckdb.DuckDBPyConnection, actor) -> bool:
    """Remove the uploaded mark (the footer then shows none); False when there was none."""
    require(actor, "settings.edit")
    current = mark(con)
    if current is None:
        return False
    with transaction(con):
        con.execute("DELETE FROM site_assets WHERE name = ?", [MARK])
        audit.record(con, actor, "identity.mark_remove", f"site_assets:{MARK}",
                     f"删除{MARK_LABEL}「{current.filename}」")
    return True


def mark(con: duckdb.DuckDBPyConnection) -> Asset | None:
    """The uploaded 党政机关网站标识, or None."""
    found = rows(con, "SELECT name, filename, mime, content, sha256, width, height FROM site_assets WHERE name = ?",
                 [MARK])
    return Asset(**{**found[0], "content": bytes(found[0]["content"])}) if found else None


def mark_info(con: duckdb.DuckDBPyConnection) -> dict | None:
    """What the settings page shows of the mark (no bytes): filename, size, when, by whom."""
    found = rows(con, """SELECT s.filename, s.mime, s.width, s.height, octet_length(s.content) AS size,
                                s.updated_at, coalesce(u.display_name, '') AS updated_by
                         FROM site_assets s LEFT JOIN users u ON u.id = s.updated_by WHERE s.name = ?""", [MARK])
    return found[0] if found else None
