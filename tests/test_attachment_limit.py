"""What an upload box says is the rule core applies (第二十条): every attachment's box shows the office's
附件大小上限 (Streamlit prints 「单个文件不超过 …MB」 from the widget's own limit, and refuses a larger file before
sending it), not the server's 50 MB; changed in 系统设置, the boxes follow. The setting cannot go above what the
servers take in one upload."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from core import accounts, attachments, settings
from core.db import connect
from core.errors import ValidationError
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def db_path(tmp_path, con):
    make_org(con)
    con.close()
    return tmp_path / "portal.duckdb"


def uploaders(at) -> dict[str, tuple[int, str]]:
    """Each file upload box on the page: its label → (its limit in MB, its help text)."""
    return {u.proto.label: (u.proto.max_upload_size_mb, u.proto.help) for u in at.get("file_uploader")}


def set_limit(db_path, megabytes: int) -> None:
    con = connect(db_path)
    try:
        settings.set_values(con, accounts.find_user(con, "webmaster"), {"attachment_max_mb": megabytes})
    finally:
        con.close()


def test_the_servers_take_what_the_ceiling_says():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == settings.UPLOAD_CEILING_MB
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    workbench = nginx[nginx.index("location ^~ /workbench/"):]
    found = re.search(r"client_max_body_size (\d+)m;", workbench)
    assert found and int(found.group(1)) == settings.UPLOAD_CEILING_MB


def test_the_setting_cannot_go_above_the_ceiling_and_says_why(con, org):
    label = settings.BY_NAME["attachment_max_mb"].label
    with pytest.raises(ValidationError, match=re.escape(
            f"「{label}」:不能大于 50:工作台接收上传文件的上限为 50 MB(第二十条)")):
        settings.set_values(con, org.webmaster, {"attachment_max_mb": 51})
    settings.set_values(con, org.webmaster, {"attachment_max_mb": 50})
    assert attachments.upload_limit_mb(con) == 50
    # a value stored before the rule: the boxes and the check say what the servers take
    con.execute("UPDATE settings SET value = '80' WHERE name = 'attachment_max_mb'")
    assert attachments.upload_limit_mb(con) == 50


def test_core_refuses_above_the_setting(con, org):
    settings.set_values(con, org.webmaster, {"attachment_max_mb": 1})
    with pytest.raises(ValidationError, match="超过上限 1 MB"):
        attachments.checked_file(con, "截图.png", PNG + b"\x00" * (1024 * 1024))
    assert attachments.checked_file(con, "截图.png", PNG)["size"] == len(PNG)


def test_the_boxes_say_the_setting_and_follow_a_change(db_path):
    at = open_page(app_as(db_path, "officer"), "proposals")
    at.radio(key="pp_view").set_value("提出建议或提案").run()
    limit, help_text = uploaders(at)["附件(设计方案等)"]
    assert limit == 20 and "单个文件不超过 20 MB(系统设置「附件大小上限」,第二十条)" in help_text
    set_limit(db_path, 8)
    at.run()
    limit, help_text = uploaders(at)["附件(设计方案等)"]
    assert limit == 8 and "单个文件不超过 8 MB" in help_text

    at = open_page(app_as(db_path, "officer"), "support")  # 提出新的请求
    assert {limit for limit, _ in uploaders(at).values()} == {8}, uploaders(at)


def test_the_office_changes_the_limit_in_settings(db_path):
    at = open_page(app_as(db_path, "webmaster"), "settings_admin")
    assert not at.exception
    at.text_input(key="settings_admin_attachment_max_mb").input("60")
    at.button(key="settings_admin_save").click().run()
    assert "不能大于 50:工作台接收上传文件的上限为 50 MB(第二十条)" in texts(at)
    assert at.text_input(key="settings_admin_attachment_max_mb").value == "60"  # what was typed stays
    at.text_input(key="settings_admin_attachment_max_mb").input("12")
    at.button(key="settings_admin_save").click().run()
    con = connect(db_path)
    assert attachments.upload_limit_mb(con) == 12
    con.close()
    at = open_page(app_as(db_path, "webmaster"), "training")
    assert at.get("file_uploader") and {limit for limit, _ in uploaders(at).values()} == {12}
