"""Office-editable settings, declared once: name, default, type, help (low-code).

The same table gives defaults, validation and the help text shown in the workbench.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from core import audit
from core.db import rows, transaction
from core.errors import ValidationError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    kind: type
    label: str
    help: str
    minimum: float | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("group_quorum", 1, int, "领导小组审批人数",
            "重大/特殊信息需领导小组多少名成员同意(第十四条)", 1),
    Setting("approval_wait_hours", 48, int, "审批等待提醒(小时)",
            "稿件在某一审批环节等待超过该时长时,邮件提醒审批人", 1),
    Setting("publish_lag_days", 3, int, "发布时限(天)",
            "工作结束后应在第几日内发布(第十七条)", 0),
    Setting("attachment_max_mb", 20, int, "附件大小上限(MB)", "单个附件的最大体积", 1),
    Setting("attachment_types", "pdf,doc,docx,xls,xlsx,ppt,pptx,wps,et,txt,zip,rar,jpg,jpeg,png,gif,ofd",
            str, "允许的附件类型", "以逗号分隔的扩展名"),
    Setting("site_url", "https://www.sxit.gov.cn", str, "网站地址", "门户的正式地址(第六条)"),
    Setting("site_name", "陕西省工业和信息化厅", str, "网站名称", "门户的中文名称(第六条)"),
    Setting("smtp_host", "", str, "SMTP 服务器", "为空则不发送邮件,只记录在发件箱"),
    Setting("smtp_port", 25, int, "SMTP 端口", "", 1),
    Setting("smtp_user", "", str, "SMTP 用户名", "为空则不登录"),
    Setting("smtp_password", "", str, "SMTP 密码", "保存在数据库中,页面不回显"),
    Setting("smtp_starttls", False, bool, "使用 STARTTLS", ""),
    Setting("smtp_sender", "portal@sxit.gov.cn", str, "发件人地址", ""),
    Setting("workbench_url", "http://localhost:8501", str, "工作台地址", "邮件中的链接"),
)
BY_NAME = {s.name: s for s in SETTINGS}
SECRET = {"smtp_password"}


def _parse(setting: Setting, raw: Any) -> Any:
    if setting.kind is bool:
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on", "是"}
    if setting.kind is int:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValidationError(setting.label, "必须是整数") from None
        if setting.minimum is not None and value < setting.minimum:
            raise ValidationError(setting.label, f"不能小于 {setting.minimum:g}")
        return value
    return str(raw).strip()


def get(con: duckdb.DuckDBPyConnection, name: str) -> Any:
    setting = BY_NAME[name]
    found = con.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchone()
    return _parse(setting, found[0]) if found else setting.default


def all_values(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    stored = {r["name"]: r["value"] for r in rows(con, "SELECT name, value FROM settings")}
    return {s.name: _parse(s, stored[s.name]) if s.name in stored else s.default for s in SETTINGS}


def set_values(con: duckdb.DuckDBPyConnection, actor, values: dict[str, Any]) -> None:
    """Validate and store settings; only the office's webmaster may (第八条)."""
    from core.permissions import require

    require(actor, "settings.edit")
    parsed = {}
    for name, raw in values.items():
        if name not in BY_NAME:
            raise ValidationError(name, "不是可设置的项目")
        parsed[name] = _parse(BY_NAME[name], raw)
    with transaction(con):
        for name, value in parsed.items():
            con.execute(
                "INSERT OR REPLACE INTO settings (name, value, updated_at, updated_by) "
                "VALUES (?, ?, current_localtimestamp(), ?)",
                [name, str(value), actor.id],
            )
        shown = {k: ("******" if k in SECRET else v) for k, v in parsed.items()}
        audit.record(con, actor, "settings.edit", "settings", str(shown))
