"""账号管理 (第二十二、二十四条): the office creates accounts; one-time passwords are shown once."""

import pandas as pd
import streamlit as st

from core import accounts, columns
from pages import _shared

SECRET_KEY = "accounts_admin_secret"  # the one-time password, popped the moment it is shown
NO_DIVISION = 0  # the "无" choice (a None option would read as "nothing chosen" in a selectbox)
NEW_DEFAULTS = {"accounts_admin_new_username": "", "accounts_admin_new_name": "", "accounts_admin_new_email": "",
                "accounts_admin_new_roles": [], "accounts_admin_new_division": NO_DIVISION,
                "accounts_admin_new_charge": []}
CLEAR_NEW = "accounts_admin_clear_new"  # set after a creation: the next run starts with an empty form

con = _shared.cursor()
user = _shared.require_user(con)
st.title("账号管理")
st.caption("账号由办公室统一分配,一人一号,不得共用(第二十二条);信息员只维护本处室栏目,其他人员不得登录后台修改数据(第二十四条)。")
_shared.show_flash()

division_names = columns.division_names(con)
role_codes = list(accounts.ROLE_LABELS)


def role_label(code: str) -> str:
    return accounts.ROLE_LABELS.get(code, code)


def division_label(division_id: int) -> str:
    return "无" if division_id == NO_DIVISION else division_names.get(division_id, str(division_id))


def chosen_division(key: str) -> int | None:
    return st.session_state[key] or None


def keep_secret(title: str, username: str, password: str) -> None:
    st.session_state[SECRET_KEY] = {"title": title, "username": username, "password": password}


def create_account() -> None:
    state = st.session_state
    created, initial = accounts.create_user(
        con, user, state["accounts_admin_new_username"], state["accounts_admin_new_name"],
        list(state["accounts_admin_new_roles"]), chosen_division("accounts_admin_new_division"),
        state["accounts_admin_new_email"],
        list(state.get("accounts_admin_new_charge") or []) if "leader" in new_roles else None,
    )
    state[CLEAR_NEW] = True  # a new, empty form for the next account
    keep_secret(f"账号「{created.username}」({created.display_name})已创建。", created.username, initial)


if st.session_state.pop(CLEAR_NEW, False):
    # set before the widgets exist (the browser keeps a widget's value when its key is merely deleted)
    st.session_state.update(NEW_DEFAULTS)

secret = st.session_state.pop(SECRET_KEY, None)
if secret:
    with st.container(border=True):
        st.success(secret["title"])
        st.markdown(f"用户名:**{secret['username']}**  一次性密码:")
        st.code(secret["password"], language=None)
        st.warning("此密码只显示这一次,离开或刷新本页后不再显示。请当面或通过安全途径私下交给本人,"
                   "不得通过邮件、群聊转发;本人首次登录时须修改密码(第二十二条)。")
        st.button("我已记下", key="accounts_admin_secret_done")

# ---------------------------------------------------------------- the list
st.subheader("全部账号")
listed = accounts.list_users(con)
table = pd.DataFrame(
    [{
        "id": u["id"], "用户名": u["用户名"], "姓名": u["姓名"], "所属处室": u["所属处室"] or "",
        "角色": "、".join(role_label(r) for r in (u["roles"] or "").split(",") if r),
        "电子邮箱": u["电子邮箱"] or "", "启用": bool(u["启用"]), "待改初始密码": bool(u["待改初始密码"]),
        "动态口令": bool(u["动态口令"]), "锁定至": f"{u['锁定至']:%m-%d %H:%M}" if u["锁定至"] else "",
    } for u in listed],
    columns=["id", "用户名", "姓名", "所属处室", "角色", "电子邮箱", "启用", "待改初始密码", "动态口令", "锁定至"],
)
_shared.table(table, hide_index=True, width="stretch", key="accounts_admin_table",
             height=min(38 + 35 * max(len(table), 1), 560))  # up to 15 rows before it scrolls

# ---------------------------------------------------------------- create
st.subheader("新建账号")
with st.container(border=True):
    left, right = st.columns(2)
    left.text_input("用户名", key="accounts_admin_new_username",
                    help="以小写字母开头,3–32 位小写字母、数字或 . _ -;创建后不能修改")
    right.text_input("姓名", key="accounts_admin_new_name")
    left.text_input("电子邮箱", key="accounts_admin_new_email", help="用于接收待办提醒,可留空")
    new_roles = right.multiselect("角色", role_codes, format_func=role_label, key="accounts_admin_new_roles", placeholder="请选择角色",
                                  help="信息员和处室负责人须选择所属处室(第十一条)")
    left.selectbox("所属处室", [NO_DIVISION, *division_names], format_func=division_label,
                   key="accounts_admin_new_division")
    if "leader" in new_roles:
        right.multiselect("分管处室", list(division_names), format_func=division_label,
                          key="accounts_admin_new_charge", placeholder="请选择处室", help="分管领导审批所分管处室的稿件(第十四条)")
    if st.button("创建账号", type="primary", key="accounts_admin_create"):
        _shared.act(None, create_account)  # the one-time password box says it

# ---------------------------------------------------------------- one account
st.subheader("修改账号")
if not listed:
    st.info("尚无账号。")
    st.stop()
by_id = {u["id"]: u for u in listed}
target_id = st.selectbox(
    "选择账号", list(by_id), key="accounts_admin_target",
    format_func=lambda i: f"{by_id[i]['用户名']} · {by_id[i]['姓名']}" + ("" if by_id[i]["启用"] else "(已停用)"),
)
target = accounts.get_user(con, target_id)
with st.container(border=True):
    status = "已启用" if target.active else "已停用"
    if target.must_change_password:
        status += ",尚未修改初始密码"
    locked = accounts.locked_until(con, target.username)
    if locked:
        status += f",因连续登录失败锁定至 {locked:%H:%M}"
    status += ",已启用动态口令" if target.totp_enabled else ""
    st.caption(f"账号 {target.username}:{status}")
    left, right = st.columns(2)
    left.text_input("姓名", value=target.display_name, key=f"accounts_admin_edit_name_{target.id}")
    right.text_input("电子邮箱", value=target.email or "", key=f"accounts_admin_edit_email_{target.id}",
                     help="留空则不修改")
    edit_roles = left.multiselect("角色", role_codes, default=[r for r in role_codes if r in target.roles],
                                  format_func=role_label, key=f"accounts_admin_edit_roles_{target.id}",
                                  placeholder="请选择角色")
    division_options = [NO_DIVISION, *division_names]
    right.selectbox("所属处室", division_options, format_func=division_label,
                    index=division_options.index(target.division_id) if target.division_id in division_options else 0,
                    key=f"accounts_admin_edit_division_{target.id}")
    if "leader" in edit_roles:
        left.multiselect("分管处室", list(division_names), default=sorted(target.charge & set(division_names)),
                         format_func=division_label, key=f"accounts_admin_edit_charge_{target.id}",
                         placeholder="请选择处室")

    actions = st.container(horizontal=True, key="accounts_admin_actions")
    state = st.session_state
    if actions.button("保存修改", type="primary", key="accounts_admin_save"):
        _shared.act(f"账号「{target.username}」已更新。", lambda: accounts.set_assignment(
            con, user, target.id, list(edit_roles), chosen_division(f"accounts_admin_edit_division_{target.id}"),
            list(state.get(f"accounts_admin_edit_charge_{target.id}") or []),
            display_name=state[f"accounts_admin_edit_name_{target.id}"],
            email=state[f"accounts_admin_edit_email_{target.id}"],
        ))
    if actions.button("重置密码", key="accounts_admin_reset", help="生成新的一次性密码,本人下次登录时须修改"):
        _shared.act(None, lambda: keep_secret(f"账号「{target.username}」的密码已重置。", target.username,
                                              accounts.reset_password(con, user, target.id)))
    if locked and actions.button("解除锁定", key="accounts_admin_unlock", help="不等锁定期满,立即允许该账号登录"):
        _shared.act(f"账号「{target.username}」已解除锁定。", lambda: accounts.unlock(con, user, target.id))
    if target.totp_enabled and actions.button("重置动态口令", key="accounts_admin_reset_totp",
                                              help="本人更换或丢失手机时使用;下次登录时重新启用"):
        _shared.act(f"账号「{target.username}」的动态口令已重置。", lambda: accounts.reset_totp(con, user, target.id))
    toggle_label = "停用账号" if target.active else "启用账号"
    if actions.button(toggle_label, key="accounts_admin_toggle_active",
                     help="停用后不能登录,已登录的会话立即结束;其稿件和审批记录保留"):
        _shared.act(f"账号「{target.username}」已{'停用' if target.active else '启用'}。",
                    lambda: accounts.set_active(con, user, target.id, not target.active))
