"""系统设置 page: approval chains (第十四条), the settings table, the outbox."""

from __future__ import annotations

import pytest

from core import notify, settings, workflow
from core.db import connect
from tests.apptest_helpers import app_as, open_page, texts
from tests.conftest import make_org


@pytest.fixture
def db_path(tmp_path, con):
    org = make_org(con)
    notify.enqueue(con, org.head.id, "approval.waiting", "【待审批】测试稿件", "请审批")
    con.close()
    return tmp_path / "portal.duckdb"


def read(db_path, fn):
    """Read through a second connection: in one process it shares the app's database instance."""
    con = connect(db_path)
    try:
        return fn(con)
    finally:
        con.close()


def settings_page(db_path):
    at = open_page(app_as(db_path, "webmaster"), "settings_admin")
    assert not at.exception
    return at


def errors(at) -> str:
    return " ".join(e.value for e in at.error)


def test_change_the_normal_chain(db_path):
    at = settings_page(db_path)
    assert at.multiselect(key="settings_admin_chain_一般").value == ["head"]
    at.multiselect(key="settings_admin_chain_一般").set_value(["head", "leader"])
    at.button(key="settings_admin_chain_save_一般").click().run()
    assert not at.error and "「一般」信息的审批流程已保存" in texts(at)
    assert read(db_path, workflow.chains)["一般"] == ("head", "leader")
    assert "处室负责人 → 分管领导" in texts(at)


@pytest.mark.parametrize(("chain", "article"), [
    (["leader", "head"], "第十一条"),
    (["leader"], "第十一条"),
    (["head", "group", "leader"], "第十四条"),
    ([], "第十四条"),
])
def test_invalid_chain_refused(db_path, chain, article):
    at = settings_page(db_path)
    at.multiselect(key="settings_admin_chain_重要").set_value(chain)
    at.button(key="settings_admin_chain_save_重要").click().run()
    assert "审批流程" in errors(at) and article in errors(at)
    assert read(db_path, workflow.chains)["重要"] == ("head", "leader")
    assert at.multiselect(key="settings_admin_chain_重要").value == chain  # what was chosen stays


def test_quorum_and_smtp_host_saved(db_path):
    at = settings_page(db_path)
    at.number_input(key="settings_admin_quorum").set_value(2)
    at.button(key="settings_admin_quorum_save").click().run()
    assert not at.error
    at.text_input(key="settings_admin_smtp_host").input("smtp.sxit.gov.cn")
    at.button(key="settings_admin_save").click().run()
    assert not at.error and "SMTP 服务器" in texts(at)
    assert read(db_path, lambda c: settings.get(c, "group_quorum")) == 2
    assert read(db_path, lambda c: settings.get(c, "smtp_host")) == "smtp.sxit.gov.cn"


def test_non_integer_port_refused_naming_the_field(db_path):
    at = settings_page(db_path)
    at.text_input(key="settings_admin_smtp_port").input("twenty-five")
    at.text_input(key="settings_admin_smtp_host").input("smtp.example.cn")
    at.button(key="settings_admin_save").click().run()
    assert "「SMTP 端口」" in errors(at) and "整数" in errors(at)
    assert read(db_path, lambda c: settings.get(c, "smtp_port")) == 25
    assert read(db_path, lambda c: settings.get(c, "smtp_host")) == ""  # all or nothing
    assert at.text_input(key="settings_admin_smtp_port").value == "twenty-five"


def test_smtp_password_is_never_shown_and_blank_keeps_it(db_path):
    at = settings_page(db_path)
    at.text_input(key="settings_admin_smtp_password").input("S3cret-smtp")
    at.button(key="settings_admin_save").click().run()
    assert read(db_path, lambda c: settings.get(c, "smtp_password")) == "S3cret-smtp"
    assert at.text_input(key="settings_admin_smtp_password").value == ""
    assert "S3cret-smtp" not in texts(at)
    at.text_input(key="settings_admin_site_name").input("陕西省工业和信息化厅门户")
    at.button(key="settings_admin_save").click().run()
    assert read(db_path, lambda c: settings.get(c, "smtp_password")) == "S3cret-smtp"
    assert read(db_path, lambda c: settings.get(c, "site_name")) == "陕西省工业和信息化厅门户"


def test_outbox_renders_and_send_now_without_smtp(db_path):
    at = settings_page(db_path)
    table = at.dataframe[0].value
    assert "【待审批】测试稿件" in set(table["subject"])
    at.button(key="settings_admin_send_now").click().run()
    assert "1 封邮件未发送" in texts(at) and "未设置 SMTP" in texts(at)


def test_officer_cannot_reach_the_page(db_path):
    at = app_as(db_path, "officer")
    with pytest.raises(Exception):  # noqa: B017 - AppTest raises on a page outside st.navigation
        open_page(at, "settings_admin")


def test_the_lag_mode_is_chosen_from_a_list(db_path):
    at = open_page(app_as(db_path, "webmaster"), "settings_admin")
    box = at.selectbox(key="settings_admin_publish_lag_mode")
    assert box.options == ["按自然日", "按工作日"] and box.value == "calendar"
    box.set_value("working")
    at.button(key="settings_admin_save").click().run()
    assert not at.error
    con = connect(db_path)
    assert settings.get(con, "publish_lag_mode") == "working"
    con.close()


# ---- 网站标识 (issue 15, identity): the 党政机关网站标识 upload and the identity settings' shapes


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 20, 20)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_office_uploads_and_removes_the_mark(db_path):
    from core import identity

    at = settings_page(db_path)
    assert "尚未上传党政机关网站标识" in texts(at)
    box = at.file_uploader(key="settings_admin_mark_file")
    # the box says core's rule (512 KB, 第六条), not the server's 50 MB
    assert "512 KB" in box.help and "第六条" in box.help and box.proto.max_upload_size_mb == 1
    at.file_uploader(key="settings_admin_mark_file").set_value(("标识.png", _png(), "image/png"))
    at.run()
    at.button(key="settings_admin_mark_upload").click().run()
    assert not at.error and "党政机关网站标识已保存" in texts(at)
    stored = read(db_path, identity.mark)
    assert stored is not None and stored.filename == "标识.png" and stored.content == _png()
    assert "40×30 像素" in texts(at)
    at.button(key="settings_admin_mark_remove").click().run()
    assert "党政机关网站标识已删除" in texts(at) and read(db_path, identity.mark) is None


def test_a_file_that_is_not_an_image_is_refused_with_the_rule(db_path):
    from core import identity

    at = settings_page(db_path)
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    at.file_uploader(key="settings_admin_mark_file").set_value(("标识.png", svg, "image/png"))
    at.run()
    at.button(key="settings_admin_mark_upload").click().run()
    assert "「党政机关网站标识」:只接受 PNG、JPEG 或 GIF 格式的图片" in errors(at) and "第六条" in errors(at)
    assert read(db_path, identity.mark) is None


def test_a_wrong_filing_number_is_refused_and_stays_typed(db_path):
    at = settings_page(db_path)
    at.text_input(key="settings_admin_icp_number").set_value("陕ICP12345")
    at.button(key="settings_admin_save").click().run()
    assert "「ICP备案号」" in errors(at) and "陕ICP备12345678号" in errors(at)
    assert at.text_input(key="settings_admin_icp_number").value == "陕ICP12345"
    assert read(db_path, lambda c: settings.get(c, "icp_number")) == ""
    at.text_input(key="settings_admin_icp_number").set_value("陕ICP备12345678号-1")
    at.button(key="settings_admin_save").click().run()
    assert not at.error and read(db_path, lambda c: settings.get(c, "icp_number")) == "陕ICP备12345678号-1"
