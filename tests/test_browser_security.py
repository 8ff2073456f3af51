"""Security in headless Chromium: the lockout message at the login form, the cookie that survives a
reload but not a password change elsewhere, and the 安全审计 / 安全事件 / 备份 pages (screenshots)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, incidents, portal
from tests.browser import chromium, give_real_names, go_to_page, login, manual_shot, servers, shot, wait_idle
from tests.conftest import PASSWORD, make_org

pytestmark = pytest.mark.browser

NEW = "Huashan-Peak-2071!"


@pytest.fixture
def prepared(tmp_path, con):
    org = make_org(con)
    give_real_names(con)  # the manual's screenshots show 吴磊 of technical support, not TECH
    # no 备份目录 set: the default, <the database's folder>/backups, which the page names in words (the manual's shot)
    incidents.suggest_incident(con, "login_burst", "10 分钟内登录失败 26 次,涉及 9 个用户名、2 个客户端地址,疑似口令猜测攻击。")
    found = incidents.create(con, org.tech, "门户首页被植入异常外链", "较大", dt.datetime.now() - dt.timedelta(hours=3),
                             "巡检发现首页底部出现指向境外网站的链接。", [org.dz], "已撤下首页异常区块并保留现场")
    incidents.add_step(con, org.webmaster, found, "已通知电子信息处核查稿件来源")
    portal.build_site(con, tmp_path / "site", full=True)
    con.close()
    return tmp_path / "portal.duckdb", tmp_path / "site"


def submit_login(page, username, password):
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def test_lockout_sessions_and_security_pages(prepared):
    db_path, site_dir = prepared
    with servers(db_path, site_dir) as (workbench, _portal), chromium() as browser:
        # 1. five wrong passwords lock the account; the message is the one an unknown name gets
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page.goto(workbench)
        for n in range(5):
            submit_login(page, "officer", f"wrong-{n}")
            page.wait_for_timeout(400)
        page.get_by_text("已被暂时锁定").wait_for(timeout=20000)
        shot(page, "sec-1-login-locked")

        # 2. technical support signs in; a reload keeps the session (the cookie finds its session row)
        tech = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
        login(tech, workbench, "tech", PASSWORD)
        tech.reload()
        tech.get_by_text("退出登录").wait_for(timeout=30000)

        go_to_page(tech, "安全审计", "安全审计")
        tech.get_by_text("哈希链完整").first.wait_for(timeout=20000)
        tech.locator('[data-testid="stDataFrame"]').first.wait_for()
        tech.wait_for_timeout(1500)  # the grid draws on a canvas
        shot(tech, "sec-2-security-audit")
        manual_shot(tech, "manual-security-audit", moving=True)  # 安全审计 in the manual

        go_to_page(tech, "安全事件", "安全事件")
        tech.get_by_text("待确认的自动提示").wait_for()
        shot(tech, "sec-3-incidents")
        wait_idle(tech)
        manual_shot(tech, "manual-incidents", moving=True)  # 安全事件 in the manual: a suggestion to confirm, an open incident

        go_to_page(tech, "备份", "备份")
        tech.get_by_role("button", name="立即备份").click()
        tech.get_by_text("备份完成").wait_for(timeout=60000)
        shot(tech, "sec-4-backups")
        wait_idle(tech)
        tech.get_by_text("备份目录:数据库所在目录下的备份文件夹(默认)").wait_for()  # no temporary folder in the manual
        manual_shot(tech, "manual-backups", moving=True)  # 备份 in the manual: a backup just made

        # 3. the same user in a second browser changes the password: the first session ends
        other = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN").new_page()
        login(other, workbench, "tech", PASSWORD)
        go_to_page(other, "账号安全", "修改密码")
        other.get_by_label("原密码").fill(PASSWORD)
        other.get_by_label("新密码", exact=True).fill(NEW)
        other.get_by_label("再次输入新密码").fill(NEW)
        other.get_by_role("button", name="修改密码").click()
        other.get_by_text("请用新密码登录").wait_for(timeout=20000)
        shot(other, "sec-5-password-changed")
        tech.reload()
        tech.get_by_label("用户名", exact=True).wait_for(timeout=30000)  # the old cookie no longer signs in
        submit_login(tech, "tech", NEW)
        tech.get_by_text("退出登录").wait_for(timeout=30000)

    from core.db import connect

    con = connect(db_path)
    try:
        assert accounts.find_user(con, "tech").active
        actions = {r[0] for r in con.execute("SELECT DISTINCT action FROM audit_log").fetchall()}
        assert {"auth.login_failed", "auth.lockout", "auth.login", "auth.resume", "backup.create",
                "accounts.change_password"} <= actions
    finally:
        con.close()
