"""The workbench frame: sign-in, the session check of every run, then the pages of the user's roles.

The rules (lockout, second factor, sessions, the audit of every attempt) are in core/login.py
and core/sessions.py. The re-authentication cookie (a signed token in streamlit-authenticator's format,
tied to its session row) is read from the browser's request (st.context.cookies) and written by the
frame's script (pages/_shared.py write_cookie): no cookie component, whose every reply was a rerun.
"""

from __future__ import annotations

import datetime as dt

import jwt
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import accounts, audit, login, sessions, totp
from pages import _shared, _signin, no_access

PAGES, PUBLIC = _shared.PAGES, _shared.PUBLIC
PENDING = "login_pending"  # a correct password waiting for its second factor
COOKIE_TRIED = "auth_cookie_tried"
COOKIE = _shared.COOKIE
COOKIE_NAME = "sxit_workbench"
COOKIE_DAYS = 1.0
WELCOME = "login_welcome"  # signed in by the form: the first page says so once
CLEAR_COOKIE = "auth_cookie_clear"  # signed out here: the browser's cookie is removed


def pages_for(user: accounts.User) -> dict[str, list]:
    """The menu by section: the user's own pages; every other page stays at its address, hidden,
    and answers 无权访问 with the reason (pages/no_access.py) instead of Streamlit's "Page not found"."""
    if user.must_change_password:
        # nothing else until the initial (or expired) password is changed (第二十二条)
        account = PAGES["account"]
        own = {"account": st.Page(account.path, title=account.title, icon=account.icon, url_path="account",
                                  default=True)}
    else:
        own = {key: st.Page(PAGES[key].path, title=PAGES[key].title, icon=PAGES[key].icon, url_path=key)
               for key in _shared.reachable(user)}
    refused = [st.Page(no_access.page_for(key, user), title="无权访问", icon=":material/block:", url_path=key,
                       visibility="hidden") for key in PAGES if key not in own]
    # the public's pages (公众留言, 征集意见, 访谈提问) are not staff's tasks: out of the menu, still at their
    # addresses (the portal's links, 「查看公众页面」 on 互动管理, 征集调查 and 在线访谈)
    public = [] if user.must_change_password else public_pages(visibility="hidden")
    # the default page lives at "/", so every task page keeps its own address for deep links
    home = [] if user.must_change_password else [
        st.Page("pages/home.py", title="工作台首页", icon=":material/home:", url_path="home", default=True)]
    menu = {"": home + refused + public}
    return menu | {section: [own[key] for key in keys] for section, keys in _shared.menu(user).items()}


def public_pages(visibility: str = "visible") -> list:
    return [st.Page(path, title=title, icon=icon, url_path=key, visibility=visibility)
            for key, (path, title, icon) in PUBLIC.items()]


def establish(outcome: login.Outcome) -> None:
    """Record a successful sign-in in this tab's session state and prepare its re-authentication
    cookie (streamlit-authenticator's token format, tied to the session row). Repeating it is
    harmless: a run that ended half-way through is finished by the next (pages/_signin.py)."""
    user = accounts.find_user(con, outcome.username)
    expires = dt.datetime.now() + dt.timedelta(days=COOKIE_DAYS)
    token = jwt.encode({"username": user.username, "exp_date": expires.timestamp()}, _shared.cookie_key(),
                       algorithm="HS256")
    sessions.bind_cookie(con, outcome.session_id, sessions.cookie_ref(user.username, expires.timestamp()))
    _shared.sign_in(user, outcome.session_id)
    st.session_state.pop(PENDING, None)
    st.session_state.pop(CLEAR_COOKIE, None)
    st.session_state[COOKIE] = {"value": token, "expires": expires}
    _signin.done()


ENTRANCE = "X-Sxit-Entrance"  # set by nginx on the public's door (deploy/nginx.conf, /liuyan/), never by a browser


def public_entrance() -> bool:
    """This tab came through the public's door: it gets the public pages only, no sign-in and no cookie.
    The header is that of the WebSocket's opening request, which nginx sets (and clears on /workbench/)."""
    return st.context.headers.get(ENTRANCE) == "public"


def cookie_options() -> dict:
    """The re-authentication cookie stays with the workbench: only its path (the portal and the public's
    door share the origin behind nginx), only over https when the browser came by https, never sent
    along from another site. It cannot be HttpOnly: the frame's script writes it in the browser
    (deploy/README.md says what compensates)."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    https = (st.context.url or "").startswith("https:") or st.context.headers.get("X-Forwarded-Proto") == "https"
    return {"path": f"/{base}/" if base else "/", "same_site": "strict", "secure": https or None}


def keep_cookie() -> None:
    """Render the cookie on every signed-in run: a run that ended before the browser drew it (a quick
    click) would otherwise leave the browser without its cookie. The frame's script writes it; the same
    value again changes nothing, and nothing is sent back (no rerun)."""
    cookie = st.session_state.get(COOKIE)
    if cookie and cookie["value"]:
        _shared.write_cookie(COOKIE_NAME, cookie["value"], cookie["expires"], **cookie_options())


def read_cookie() -> dict | None:
    """The token of the re-authentication cookie the browser sent when this tab opened, if it is ours,
    unaltered and not expired (what streamlit-authenticator's reader checked)."""
    try:
        token = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no request context (AppTest)
        return None
    if not isinstance(token, str) or not token:
        return None
    try:
        found = jwt.decode(token, _shared.cookie_key(), algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    if not isinstance(found.get("username"), str) or not isinstance(found.get("exp_date"), int | float):
        return None
    return found if found["exp_date"] > dt.datetime.now().timestamp() else None


def decide(outcome: login.Outcome) -> None:
    _signin.keep(outcome)  # first, before any session-state access can end this run
    handle(outcome)


def handle(outcome: login.Outcome) -> None:
    if outcome.ok:
        establish(outcome)
        if _shared.in_apptest():
            # AppTest runs a page's file on its own at its next run (see _shared.through_the_frame): its
            # tests go on from this form's page, whose next run is the frame's, as a browser's was before
            st.success("登录成功,正在进入工作台……", icon=":material/check_circle:")
            return
        st.session_state[WELCOME] = True
        st.rerun()  # the workbench at once, in this run (it writes the cookie): no round trip to the browser
    elif outcome.status in ("totp", "enrol"):
        st.session_state[PENDING] = {"username": outcome.username, "stage": outcome.status,
                                     "since": dt.datetime.now()}
        _signin.done()
        st.rerun()
    else:
        if outcome.status == "locked":
            st.session_state.pop(PENDING, None)
        st.error(outcome.message, icon=":material/error:")
        _signin.done()


def password_form() -> None:
    with st.form("login", clear_on_submit=False):
        st.subheader("登录网站工作台")
        username = st.text_input("用户名", autocomplete="off", key="login_username")
        password = st.text_input("密码", type="password", autocomplete="off", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        decide(login.password_step(con, username, password, client))


def second_factor(pending: dict) -> None:
    name = pending["username"]
    if pending["stage"] == "totp":
        with st.form("login_totp"):
            st.subheader("动态口令验证")
            st.caption(f"账号 {name} 的密码已验证。请输入手机验证器上当前显示的 6 位动态口令(第二十二条)。")
            code = st.text_input("动态口令", max_chars=6, key="login_totp_code")
            submitted = st.form_submit_button("验证并登录", type="primary")
        if submitted:
            decide(login.totp_step(con, name, code, client))
    else:
        secret = pending.setdefault("secret", totp.new_secret())
        st.subheader("启用动态口令")
        st.info("办公室要求网站管理员和技术支持登录时使用动态口令(第二十二条)。请用手机上的验证器应用扫描二维码,"
                "或手动输入下面的密钥,然后输入应用显示的 6 位数字完成启用。", icon=":material/phonelink_lock:")
        left, right = st.columns([1, 2])
        left.image(totp.qr_png(secret, name), width=180)
        right.markdown("手动输入的密钥:")
        right.code(totp.grouped(secret), language=None)
        with st.form("login_enrol"):
            code = st.text_input("动态口令", max_chars=6, key="login_enrol_code")
            submitted = st.form_submit_button("启用并登录", type="primary")
        if submitted:
            decide(login.enrol_step(con, name, secret, code, client))
    if st.button("返回,重新输入用户名和密码", key="login_back"):
        st.session_state.pop(PENDING, None)
        st.rerun()


def login_page() -> None:
    st.title("陕西省工业和信息化厅 网站工作台")
    if st.session_state.get(CLEAR_COOKIE):
        _shared.write_cookie(COOKIE_NAME, "", None, **cookie_options())
    undelivered = _signin.pending()
    if undelivered is not None:  # a refusal or a second-factor request an ended run could not show
        handle(undelivered)
    notice = st.session_state.get(_shared.NOTICE)
    if notice:
        st.info(notice, icon=":material/info:")
    pending = st.session_state.get(PENDING)
    if pending and dt.datetime.now() - pending["since"] > dt.timedelta(minutes=login.PENDING_MINUTES):
        st.session_state.pop(PENDING, None)
        st.warning("动态口令验证超时,请重新输入用户名和密码。")
        pending = None
    if pending:
        second_factor(pending)
    else:
        password_form()
    st.caption("账号由办公室统一分配,不得共用(第二十二条)。连续多次输错密码将暂时锁定账号;"
               "忘记密码请联系网站管理员重置。")


def on_logout() -> None:
    """退出登录 (a callback: the run the click starts already shows the login form)."""
    login.logout(_shared.cursor_only(), st.session_state.get(_shared.SESSION), st.session_state.get("username"),
                 _shared.client())
    _shared.sign_out(None)
    st.session_state[CLEAR_COOKIE] = True


def current_user() -> accounts.User | None:
    """The signed-in user: this run's session checks (pages/_shared.py), after a new browser tab
    brought the re-authentication cookie of a still-live session."""
    if not st.session_state.get("authentication_status") and not st.session_state.get(COOKIE_TRIED) \
            and not st.session_state.get("logout"):
        st.session_state[COOKIE_TRIED] = True
        token = read_cookie()
        if token:
            session_id = login.resume(con, token["username"], sessions.cookie_ref(token["username"],
                                                                                 token["exp_date"]), client)
            if session_id:
                _shared.sign_in(accounts.find_user(con, token["username"]), session_id)
                audit.record(con, token["username"], "auth.resume", f"user:{token['username']}",
                             "凭登录凭证在新窗口恢复会话", client)
    return _shared.current_user(con)


def run() -> None:
    global con, client
    asked = get_script_run_ctx().pages_manager.intended_page_name
    if asked:  # before anything can end this run (pages/_signin.py)
        _signin.remember_page(asked)
    # an emoji icon is drawn in the browser; a :material: one is fetched from fonts.gstatic.com (deploy/nginx.conf)
    st.set_page_config(page_title="陕西省工业和信息化厅 网站工作台", page_icon="🏛️", layout="wide")
    con = _shared.cursor()
    client = _shared.client()
    audit.set_client(client)
    if not _shared.scheduler_running():
        # with the scheduler, its thread seals every second while a write is pending (core/scheduler.py):
        # the same chain, in commit order, without each run's look for unsealed rows
        audit.seal_if_pending(con)
    if public_entrance():  # before any cookie: nothing of a sign-in comes through this door
        _shared.chinese_chrome()
        entry = public_pages()
        open_page(st.navigation(entry, position="hidden"), entry)
        return
    for key in (*_shared.AUTH_KEYS, "logout"):  # what streamlit-authenticator's reader used to initialise
        st.session_state.setdefault(key, None)
    _shared.chinese_chrome()
    undelivered = _signin.pending()
    if undelivered is not None and undelivered.ok:
        establish(undelivered)  # the password was right in a run that ended before saying so
    user = current_user()

    if user is None:
        # Every page's address answers with the login form, so a bookmark or a link in an e-mail
        # (…/approvals) still leads there once the cookie or the password signs the user in.
        entry = [st.Page(login_page, title="登录", icon=":material/login:", url_path="login", default=True)]
        entry += [st.Page(login_page, title="登录", url_path=key) for key in PAGES]
        entry += public_pages()
        open_page(st.navigation(entry, position="hidden"), entry)
    else:
        with st.sidebar:
            if st.session_state.pop(WELCOME, None):
                st.success("登录成功。", icon=":material/check_circle:")
            st.markdown(f"**{user.display_name}**  \n{user.role_labels}")
            st.button("退出登录", key="logout_button", on_click=on_logout)
            st.caption(f"无操作 {int(sessions.idle_limit(con).total_seconds() // 60)} 分钟后自动退出(第二十条)。")
            keep_cookie()
        _shared.sidebar_todo(con, user)
        menu = pages_for(user)
        open_page(st.navigation(menu, expanded=True), [p for pages in menu.values() for p in pages])


def open_page(page, pages: list) -> None:
    """Run the page the address named: a run that came before the browser learnt its page (it has
    none) goes to the page the tab's first run was asked for, not to the home page (1 in 6 here)."""
    manager = get_script_run_ctx().pages_manager
    if not manager.intended_page_name and manager.intended_page_script_hash in (None, "", manager.main_script_hash):
        asked = _signin.asked_page()
        target = next((p for p in pages if asked and p.url_path == asked), None)
        if target is not None and page.url_path != asked:
            st.switch_page(target)
    elif not manager.intended_page_name:
        _signin.forget_page()  # the browser names its page from now on
    page.run()


# Streamlit runs this file as __main__. A worker process spawned from an interpreter that ran it
# in-process (AppTest) re-runs the file as __mp_main__: it must not open the database there.
if __name__ != "__mp_main__":
    run()
