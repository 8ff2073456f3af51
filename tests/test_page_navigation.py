"""Who sees which page (第二十四条): the menu is keyed by the permission each page needs, and core decides.

Imports from: core (accounts, permissions), pages._shared (the page list); the `org` fixture (tests/conftest.py).
The expected menus were read off the role sets pages/_shared.PAGES carried before it was keyed by permission.
"""

from __future__ import annotations

import pytest

from core import accounts, permissions
from pages import _shared

EVERYONE = {"管理办法", "使用帮助", "账号安全", "建议与提案"}  # 建议与提案: anyone may suggest (第二十六条(三), issue 17)
MENU = {  # role: the titles of the role's own pages (besides 工作台首页; the public's pages are in no staff menu)
    "officer": EVERYONE | {"技术支持", "培训记录", "我的稿件", "委托发布", "留言办理", "栏目更新监测", "依申请公开", "链接检查"},
    "head": EVERYONE | {"技术支持", "培训记录", "待我审批", "留言办理", "栏目更新监测", "统计分析", "依申请公开", "链接检查",
                        "征集调查", "在线访谈"},  # issue 17: a head manages their division's consultations, interviews
    "leader": EVERYONE | {"待我审批", "栏目更新监测", "运行概览", "统计分析", "公开年报", "网站自查", "网站年报"},
    "group": EVERYONE | {"待我审批", "栏目更新监测", "运行概览", "统计分析", "网站自查"},
    "webmaster": EVERYONE | {"技术支持", "培训记录", "我的稿件", "信息管理", "互动管理", "依申请公开", "委托发布处理", "栏目管理", "账号管理",
                             "系统设置", "词库管理", "公开目录设置", "栏目更新监测", "年度考评", "节假日日历", "运行概览",
                             "统计分析", "安全审计", "安全事件", "备份", "公开年报", "上线检查", "网站自查", "网站年报", "链接检查",
                             "征集调查", "在线访谈"},
    "tech": EVERYONE | {"技术支持", "培训记录", "运行概览", "安全审计", "安全事件", "备份", "上线检查", "链接检查"},
    "analyst": EVERYONE | {"栏目更新监测", "运行概览", "统计分析"},
}
USERS = {"officer": "officer", "head": "head", "leader": "leader", "group": "group1", "webmaster": "webmaster",
         "tech": "tech", "analyst": "analyst"}


@pytest.mark.parametrize("role", sorted(MENU))
def test_each_role_is_offered_the_pages_it_was_offered_before(org, role):
    user = getattr(org, USERS[role])
    assert {_shared.PAGES[key].title for key in _shared.reachable(user)} == MENU[role]


@pytest.mark.parametrize("role", sorted(MENU))
def test_a_page_is_for_the_roles_its_permission_lets_in(role):
    """The same answer read back from the rule, for 无权访问's 「…」供…使用."""
    for key, page in _shared.PAGES.items():
        assert (role in _shared.page_roles(key)) == (page.title in MENU[role]), (role, key)


@pytest.mark.parametrize("role", sorted(MENU))
def test_the_staff_menu_lists_the_roles_pages_and_no_public_page(org, role):
    """公众留言, 征集意见 and 访谈提问 are the public's: no staff menu lists them (they stay at their addresses, and
    互动管理, 征集调查 and 在线访谈 link to them); the menu is the role's pages, each once, in SECTIONS' order."""
    menu = _shared.menu(getattr(org, USERS[role]))
    listed = [key for keys in menu.values() for key in keys]
    assert not set(listed) & set(_shared.PUBLIC)
    assert not {title for _, title, _ in _shared.PUBLIC.values()} & {_shared.PAGES[key].title for key in listed}
    assert sorted(listed) == sorted(_shared.reachable(getattr(org, USERS[role])))
    assert list(menu) == [section for section in _shared.SECTIONS if section in menu]


def test_a_password_to_change_leaves_the_menu_with_the_password_change_alone(org):
    user = accounts.User(**{**org.officer.__dict__, "must_change_password": True})
    assert _shared.menu(user) == {"帮助与账号": ["account"]}


def test_the_menu_follows_core_and_nothing_else(org):
    for name in USERS.values():
        user = getattr(org, name)
        for key, page in _shared.PAGES.items():
            assert (key in _shared.reachable(user)) == permissions.can(user, page.permission), (name, key)


def test_a_password_to_change_leaves_no_page_but_the_password_change(org):
    """core refuses everything until the initial password is changed (第二十二条); the frame offers 账号安全 alone."""
    user = accounts.User(**{**org.webmaster.__dict__, "must_change_password": True})
    assert _shared.reachable(user) == []


def test_an_unknown_permission_opens_no_page(org):
    assert not permissions.can(org.webmaster, "page.unknown")
    assert permissions.roles_for("page.unknown", accounts.ROLE_LABELS) == []


def test_no_access_names_the_roles_as_before():
    """无权访问's 「…」供…使用, word for word as when PAGES carried the roles."""
    assert _shared.who_may_open("approvals") == "处室负责人、分管领导、信息化领导小组"
    assert _shared.who_may_open("freshness") == "信息员、处室负责人、分管领导、信息化领导小组、网站管理员、分析员"
    assert _shared.who_may_open("interaction_answers") == "信息员、处室负责人"
    assert _shared.who_may_open("link_check") == "信息员、处室负责人、网站管理员、技术支持"  # issue 15, links
