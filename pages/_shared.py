"""What every page shares: the database cursor, the signed-in user, messages. No rules here."""

from __future__ import annotations

import functools
import html
import json
import re
import secrets
import sys
import threading
from pathlib import Path
from typing import NamedTuple

import streamlit as st
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import accounts, attachments, audit, db, keys, login, permissions, refresh, todo
from core.config import load as load_config
from core.db import default_path
from core.errors import PortalError
from core.opening import open_database
from core.scheduler import Scheduler
from core.setup import init_database
from pages import _refresh


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    con = open_database(path)
    init_database(con, demo=load_config().demo)
    audit.seal(con)  # rows the command line wrote while the workbench was stopped
    return con


@st.cache_resource(show_spinner=False)
def _scheduler(path: str, site_dir: str):
    """Started once per server process (DuckDB lets one process write: see stack-notes).

    It also makes the daily backup and answers `python -m core backup` (第二十条)."""
    env = load_config()
    return Scheduler(_connection(path), site_dir, env.scheduler_seconds, backups=env.backups).start()


def db_path() -> str:
    return str(default_path())


def site_dir() -> str:
    return str(load_config().site)


def through_the_frame() -> None:
    """The first script run after the server starts is Streamlit's pages/-folder mode: st.navigation
    has not been seen yet, and a deep link (…/approvals in an e-mail, …/message from the portal) runs
    that page file on its own, without app.py's sign-in and navigation. Leave that mode and run again
    through the frame; the page keeps its address, as the frame's page of the same url_path. Every
    address the frame serves has its file here (pages/login.py for the sign-in form): that mode knows
    only these files, and answers any other address with "Page not found" before the frame can run.
    (The mode is decided once per server from the folder beside app.py; no setting turns it off.)

    Not in AppTest, which starts every run in that mode (it resets the flag): a rerun there would
    drop the click being tested. (AppTest patches streamlit.config.get_option, not st.get_option.)"""
    if PagesManager.uses_pages_directory and not in_apptest():
        PagesManager.uses_pages_directory = False
        st.rerun()


def scheduler_running() -> bool:
    return bool(load_config().scheduler)


def in_apptest() -> bool:
    return bool(config.get_option("global.appTest"))


RUN_CURSOR = "_run_cursor"  # (this script run's cursors dict, the run's DuckDB cursor)


def cursor():
    """This script run's cursor (each thread uses its own cursor; the frame and the page share one). Pages
    and the frame call it first, so nothing is drawn in the pages/-folder mode (through_the_frame): a form
    drawn there and submitted before the next run would carry widgets that run no longer knows.
    It knows its file and its run: core's kept rows (settings, the account, the session: core.db.kept) are
    read once per run at most, and not at all while nobody writes."""
    through_the_frame()
    path = db_path()
    con = _connection(path)
    if load_config().scheduler:
        _scheduler(path, site_dir())
    run = _this_run()
    held = st.session_state.get(RUN_CURSOR)
    if run is not None and held is not None and held[0] is run:
        return held[1]
    found = db.cursor(con, run=True)
    if run is not None:
        st.session_state[RUN_CURSOR] = (run, found)  # the next run replaces it
    return found


def cursor_only():
    """A cursor for a callback (it runs before the script, where cursor()'s rerun has no place)."""
    return db.cursor(_connection(db_path()))


def cookie_key() -> str:
    """Generated on first run into data/, never committed; at least 32 bytes (PyJWT)."""
    return keys.key_file_text(Path(db_path()).parent / "cookie.key", lambda: secrets.token_urlsafe(48))


def client() -> str | None:
    """The client address for the audit log (behind nginx: what nginx saw, see core.login)."""
    try:
        ip, headers = st.context.ip_address, dict(st.context.headers or {})
    except Exception:  # no request context
        return None
    if not isinstance(ip, str):  # AppTest's context is a mock
        return None
    return login.client_address(ip, {k: v for k, v in headers.items() if isinstance(v, str)})


class Page(NamedTuple):
    path: str
    title: str
    icon: str
    permission: str  # what the page is for: core/permissions.py says who may (the menu only reflects it)


# Every page of the workbench, declared once: app.py builds the navigation from it, the home page
# links only to pages the user reaches.
PAGES = {
    "my_articles": Page("pages/my_articles.py", "我的稿件", ":material/edit_note:", "article.draft"),
    "publication_request": Page("pages/publication_request.py", "委托发布", ":material/outgoing_mail:",
                                "requests.apply"),
    "approvals": Page("pages/approvals.py", "待我审批", ":material/task_alt:", "article.review"),
    "content_admin": Page("pages/content_admin.py", "信息管理", ":material/folder_managed:", "article.take_down"),
    "interaction_desk": Page("pages/interaction_desk.py", "互动管理", ":material/forum:", "messages.moderate"),
    "consultations": Page("pages/consultations.py", "征集调查", ":material/how_to_vote:", "consultations.manage"),
    "interviews": Page("pages/interviews.py", "在线访谈", ":material/mic:", "interviews.manage"),  # issue 17
    "interaction_answers": Page("pages/interaction_answers.py", "留言办理", ":material/question_answer:",
                                "messages.handle"),
    "disclosure_applications": Page("pages/disclosure_applications.py", "依申请公开", ":material/assignment:",
                                    "disclosure.desk"),  # issue 14, applications
    "request_queue": Page("pages/request_queue.py", "委托发布处理", ":material/move_to_inbox:", "requests.handle"),
    "columns_admin": Page("pages/columns_admin.py", "栏目管理", ":material/account_tree:", "columns.manage"),
    "proposals": Page("pages/proposals.py", "建议与提案", ":material/lightbulb:", "proposals.page"),  # issue 17
    "accounts_admin": Page("pages/accounts_admin.py", "账号管理", ":material/group:", "accounts.manage"),
    "settings_admin": Page("pages/settings_admin.py", "系统设置", ":material/settings:", "settings.edit"),
    "lexicon_admin": Page("pages/lexicon_admin.py", "词库管理", ":material/spellcheck:", "lexicon.edit"),
    "freshness": Page("pages/freshness.py", "栏目更新监测", ":material/update:", "freshness.board"),
    "evaluation": Page("pages/evaluation.py", "年度考评", ":material/military_tech:", "evaluation.manage"),
    "calendar_admin": Page("pages/calendar_admin.py", "节假日日历", ":material/calendar_month:", "calendar.edit"),
    "catalogue_admin": Page("pages/catalogue_admin.py", "公开目录设置", ":material/folder_open:", "catalogue.manage"),
    "overview": Page("pages/overview.py", "运行概览", ":material/monitoring:", "overview.view"),
    "link_check": Page("pages/link_check.py", "链接检查", ":material/link_off:", "links.board"),  # issue 15, links
    "statistics": Page("pages/statistics.py", "统计分析", ":material/bar_chart:", "stats.view"),
    "disclosure_report": Page("pages/disclosure_report.py", "公开年报", ":material/summarize:", "disclosure_report.view"),
    "self_inspection": Page("pages/self_inspection.py", "网站自查", ":material/fact_check:",
                            "site_inspection.view"),  # issue 15, report
    "site_report": Page("pages/site_report.py", "网站年报", ":material/table_chart:", "site_report.view"),
    "security_audit": Page("pages/security_audit.py", "安全审计", ":material/policy:", "audit.view"),
    "incidents": Page("pages/incidents.py", "安全事件", ":material/emergency:", "incidents.view"),
    "backups": Page("pages/backups.py", "备份", ":material/backup:", "backup.view"),
    "golive": Page("pages/golive.py", "上线检查", ":material/fact_check:", "golive.view"),  # issue 15, identity
    "regulation": Page("pages/regulation.py", "管理办法", ":material/menu_book:", "regulation.read"),
    "manual": Page("pages/manual.py", "使用帮助", ":material/help:", "regulation.read"),  # issue 17, manual
    "training": Page("pages/training.py", "培训记录", ":material/school:", "training.board"),  # issue 17, support
    "support": Page("pages/support.py", "技术支持", ":material/support_agent:", "support.desk"),
    "account": Page("pages/account.py", "账号安全", ":material/key:", "account.own"),
}
# open to everyone, signed in or not (第十九条): the portal's 互动交流 column links to <workbench>/message.
# Every page's file is named as its address: the first run after a start (see through_the_frame) then
# finds the file a deep link names, and the frame's page of the same address takes over.
PUBLIC = {
    "message": ("pages/message.py", "公众留言", ":material/contact_support:"),
    "comment": ("pages/comment.py", "征集意见", ":material/rate_review:"),  # 征集调查 (issue 17)
    "ask": ("pages/ask.py", "访谈提问", ":material/record_voice_over:"),  # 在线访谈 (issue 17)
}


def public_link(key: str, query: dict | None = None) -> None:
    """「查看公众页面」: the public's page (a key of PUBLIC) as a citizen sees it, from the staff page that manages
    what it collects; the staff menu does not list the public's pages."""
    st.page_link(PUBLIC[key][0], label="查看公众页面", icon=":material/open_in_new:", query_params=query,
                 help=f"打开公众使用的「{PUBLIC[key][1]}」页面(不需登录,门户网站的链接也指向这里)")


# The menu's sections, in order (st.navigation shows a section only when the user has a page in it).
SECTIONS = {
    "稿件": ["my_articles", "publication_request", "approvals", "content_admin", "request_queue"],
    "互动交流": ["interaction_desk", "interaction_answers", "consultations", "interviews"],  # not PUBLIC's: see app.py
    "政务公开": ["disclosure_applications", "disclosure_report", "catalogue_admin"],  # issue 14
    "栏目与考评": ["freshness", "link_check", "columns_admin", "proposals", "lexicon_admin", "evaluation",
              "calendar_admin"],
    "统计": ["overview", "statistics", "self_inspection", "site_report"],  # issue 15, report: the last two
    "安全与系统": ["security_audit", "incidents", "backups", "golive", "accounts_admin", "settings_admin"],
    "帮助与账号": ["regulation", "manual", "support", "training", "account"],
}


def menu(user: accounts.User) -> dict[str, list[str]]:
    """The staff menu by section (app.py draws it): the user's pages, in SECTIONS' order. The public's pages
    (PUBLIC) are in no section: they stay at their addresses, hidden from the menu."""
    own = {"account"} if user.must_change_password else set(reachable(user))  # 第二十二条: the password first
    listed = {section: [key for key in keys if key in own] for section, keys in SECTIONS.items()}
    return {section: keys for section, keys in listed.items() if keys}


def reachable(user: accounts.User) -> list[str]:
    """The pages this user's menu lists, in PAGES order: those whose permission core grants (第二十四条)."""
    return [key for key, page in PAGES.items() if permissions.can(user, page.permission)]


def page_roles(key: str) -> list[str]:
    """The roles a page is for, read back from its permission."""
    return permissions.roles_for(PAGES[key].permission, accounts.ROLE_LABELS)


def who_may_open(key: str) -> str:
    """The roles a page is for, in Chinese (for 无权访问)."""
    return "、".join(accounts.ROLE_LABELS[role] for role in page_roles(key))


AUTH_KEYS = ("name", "username", "authentication_status", "email", "roles")
SESSION = "auth_session"  # the core/sessions.py row of this browser session
NOTICE = "login_notice"  # why the last session ended, shown at the login form
COOKIE = "auth_cookie"  # the re-authentication cookie written at sign-in (app.py keeps it rendered)


@functools.cache
def _chrome_script() -> str:
    here = Path(__file__).parent
    dictionary = json.loads((here / "zh_chrome.json").read_text(encoding="utf-8"))
    script = (here / "zh_chrome.js").read_text(encoding="utf-8")
    return script.replace("__DICTIONARY__", json.dumps(dictionary, ensure_ascii=False)) + COOKIE_WRITER


# The re-authentication cookie, written in the page by the frame's one script (its hash is in the
# workbench's CSP, deploy/nginx.conf): whenever an element drawn by write_cookie appears, the cookie it
# describes is set (an empty value removes it). A component did this before, and each of its replies
# cost a rerun of the whole page: two more runs after every sign-in, one more for every new tab.
COOKIE_WRITER = """
(function () {
  if (window.__sxitCookie) return;
  window.__sxitCookie = true;
  let last = null;
  function write() {
    const found = document.querySelectorAll("span.sxit-cookie");
    if (!found.length) return;
    const d = found[found.length - 1].dataset;
    let text = d.name + "=" + (d.value || "") + "; path=" + d.path + "; samesite=strict; expires="
      + (d.value ? new Date(Number(d.expires) * 1000).toUTCString() : "Thu, 01 Jan 1970 00:00:00 GMT");
    if (d.secure === "1") text += "; secure";
    if (text === last) return;
    last = text;
    document.cookie = text;
  }
  new MutationObserver(write).observe(document.documentElement, {subtree: true, childList: true});
  write();
})();
"""


def write_cookie(name: str, value: str, expires, *, path: str, same_site: str, secure: bool | None) -> None:
    """Have the browser keep (or, with an empty value, forget) a cookie: an invisible element the frame's
    script (COOKIE_WRITER) reads. Only SameSite=Strict is written, the only kind the workbench sets."""
    assert same_site == "strict"
    when = int(expires.timestamp()) if expires is not None else 0
    st.html(f'<span class="sxit-cookie" data-name="{html.escape(name)}" data-value="{html.escape(value)}" '
            f'data-expires="{when}" data-path="{html.escape(path)}" data-secure="{1 if secure else 0}"></span>'
            '<style>[data-testid="stElementContainer"]:has(.sxit-cookie) {display: none}</style>')


def chinese_chrome() -> None:
    """Streamlit's own interface text in Chinese (pages/zh_chrome.js): the frame calls this on every
    run; the script installs itself once per tab and its element takes no room on the page."""
    st.html(f'<span id="zh-chrome"></span><script>{_chrome_script()}</script>'
            '<style>[data-testid="stElementContainer"]:has(#zh-chrome) {display: none}</style>',
            unsafe_allow_javascript=True)


def table(data, **options):
    """st.dataframe for every page: a missing value reads as empty, not Streamlit's `None`; an empty
    table says so in Chinese (the grid draws its English "empty" on a canvas no translation reaches)."""
    options.setdefault("placeholder", "")
    if len(data) == 0 and "on_select" not in options:
        st.caption("(暂无记录)")
        return None
    return st.dataframe(data, **options)


def attachment_uploader(con, label: str, key: str, **options):
    """st.file_uploader for an attachment: the box says the office's limit (系统设置「附件大小上限」, 第二十条) —
    Streamlit prints it as 「单个文件不超过 …MB」 (pages/zh_chrome.js) — and refuses a larger file before it is
    sent; core checks it again (core/attachments.py). Without this the box said the server's 50 MB."""
    limit = attachments.upload_limit_mb(con)
    rule = f"单个文件不超过 {limit} MB(系统设置「附件大小上限」,第二十条)"
    options["help"] = f"{options['help']} {rule}" if options.get("help") else rule
    return st.file_uploader(label, key=key, max_upload_size=limit, **options)


def editor(data, **options):
    """st.data_editor, with the same empty cells as `table`."""
    options.setdefault("placeholder", "")
    return st.data_editor(data, **options)


def sign_in(user: accounts.User, session_id: str) -> None:
    st.session_state.update({"authentication_status": True, "username": user.username, "name": user.display_name,
                             "email": user.email or "", "roles": sorted(user.roles), "logout": False,
                             SESSION: session_id})
    st.session_state.pop(NOTICE, None)
    st.session_state.pop(RUN_USER, None)


def sign_out(notice: str | None) -> None:
    st.session_state.pop(RUN_USER, None)
    for key in AUTH_KEYS:
        st.session_state[key] = None
    st.session_state["logout"] = True  # streamlit-authenticator no longer reads this browser's cookie
    st.session_state.pop(SESSION, None)
    st.session_state.pop(COOKIE, None)
    if notice:
        st.session_state[NOTICE] = notice


RUN_USER = "_run_user"  # (this script run's cursors dict, the user the run's check found)


def _this_run() -> dict | None:
    """An object that belongs to this script run alone: Streamlit gives each run a new dict of cursors."""
    ctx = get_script_run_ctx()
    return ctx.cursors if ctx is not None else None


def current_user(con) -> accounts.User | None:
    """The signed-in user after this run's checks (第二十、二十二条): a live server-side session
    (not ended by a password change, a reset, a logout or an idle timeout) of an active account.
    The frame calls it on every run, and so does every page (a page never trusts a stale state): the
    checks run once per script run, the page gets the frame's answer of the same run."""
    if not st.session_state.get("authentication_status") or not st.session_state.get("username"):
        return None
    run = _this_run()
    checked = st.session_state.get(RUN_USER)
    if run is not None and checked is not None and checked[0] is run \
            and checked[1].username == st.session_state["username"]:
        return checked[1]
    user = _checked_user(con)
    if user is not None and run is not None:
        st.session_state[RUN_USER] = (run, user)
    return user


def _checked_user(con) -> accounts.User | None:
    user = accounts.find_user(con, st.session_state["username"])
    if user is None:
        sign_out("会话已失效,请重新登录。")
        return None
    if not st.session_state.get(SESSION):
        # the server itself set the signed-in state without a session row (tests do)
        st.session_state[SESSION] = login.adopt(con, user, client())
    notice = login.check_session(con, st.session_state[SESSION], user, client())
    if notice:
        sign_out(notice)
        return None
    return user


def require_user(con) -> accounts.User:
    user = current_user(con)
    if user is None:
        st.error(st.session_state.get(NOTICE) or "请先登录。")
        st.stop()
    ctx = get_script_run_ctx()
    # a fragment's own run draws its part only; before the initial password is changed the menu holds
    # nothing else (第二十二条), the manual included
    if (ctx is None or not ctx.fragment_ids_this_run) and not user.must_change_password:
        help_link(Path(sys._getframe(1).f_globals.get("__file__") or "").stem)  # the page that asked
    return user


def help_link(key: str) -> None:
    """「帮助」 at the top right of every task page: that page's page of the manual (docs/manual/<key>.md);
    the home page's is 新手入门."""
    key = "getting-started" if key == "home" else key
    if key in PAGES and key != "manual" or key == "getting-started":
        row = st.container(horizontal=True, horizontal_alignment="right")
        row.page_link(PAGES["manual"].path, label="帮助", icon=":material/help:", query_params={"page": key},
                      help="本页的使用说明")


def show_error(exc: Exception) -> None:
    """A refusal from core, in the user's words; what they typed stays in the form."""
    if isinstance(exc, PortalError):
        st.error(str(exc), icon=":material/error:")
    else:
        raise exc


def inert(text) -> str:
    """A citizen's or anyone's text for st.markdown/caption/subheader: every Markdown sign escaped,
    so it reads exactly as stored and no link, image or formatting can come out of it."""
    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=@])", r"\\\1", str(text or ""))
    return escaped.replace("\n", "  \n")


def act(message, fn, *, then=None, errors: tuple[type[Exception], ...] = ()) -> None:
    """Run a core action, the one way a page does: a refusal (PortalError, or one of `errors`) is shown
    in the user's words and what they typed stays in the form. On success `then` runs (forget the form,
    rebuild the portal), the message is flashed and the page reruns.

    `message` is the text, or a function of what the action returned (a new number, a title); a None
    from that function means the action changed nothing: no `then`, no flash, no rerun. A message of
    None flashes nothing (the page shows what happened itself: a one-time password, the login form)."""
    try:
        result = fn()
    except (PortalError, *errors) as exc:
        st.error(str(exc), icon=":material/error:")
        return
    if _succeeded(message, result, then):
        st.rerun()


def _succeeded(message, result, then) -> bool:
    """After a core action returned `result` (`act`, `on_click`): False when `message` says it changed nothing;
    else `then` runs and the message is flashed."""
    text = message(result) if callable(message) else message
    if text is None and callable(message):
        return False
    if then is not None:
        then()
    if text:
        flash(text)
    return True


REFUSED = "_refused"  # (this script run, the clicked button's key, core's refusal): said beside that button


def on_click(key: str, message, fn, *, then=None, errors: tuple[type[Exception], ...] = (),
             before=None, whole_page: bool = False) -> dict:
    """A button whose click runs a core action before the page's run (Streamlit's `on_click`), not in it:
    `act` runs the action in the run the click starts, at the button (the page drawn down to it), and then
    has the page run again for the confirmation — two runs for one click, the first drawn for nothing (issue 16:
    on demo data 10–90 ms of server CPU a click, and for 发布/撤下 the portal build started that much later).
    Here the one run that follows the click draws the page as the action left it. Spread into the button: `st.button("发布", **_shared.on_click("ma_publish", …))`.

    `fn(con, user)` gets this run's cursor and the user this run's session checks found (current_user: a
    session ended meanwhile — idle, logged out, password changed — runs nothing, and the frame says why);
    core checks the permission itself. `before()`: read the widgets' newest values into the keys `fn`
    uses (a callback runs before the page's script has done so). `message`, `then` and `errors` as in
    `act`. A refusal is said where the page calls `refusal(key)`, beside the button; what the user typed
    stays in the form. `whole_page`: the button is in a fragment, and a done action asks for the whole page's
    run (its figures, the confirmation at its top) instead of the fragment's."""
    return {"key": key, "on_click": _clicked, "args": (key, message, fn, then, errors, before, whole_page)}


def on_submit(name: str, message, fn, **options) -> dict:
    """`on_click` for a form's submit button, which keeps Streamlit's own key (FormSubmitter:<form>-<label>):
    `name` only says where its refusal goes (`refusal(name)`)."""
    found = on_click(name, message, fn, **options)
    del found["key"]
    return found


_callback = threading.local()  # .active: inside _clicked (a callback draws nothing: the run after it does)


def _clicked(key: str, message, fn, then, errors, before, whole_page: bool) -> None:
    _callback.active = True
    try:
        _act_before_run(key, message, fn, then, errors, before, whole_page)
    finally:
        _callback.active = False


def _act_before_run(key: str, message, fn, then, errors, before, whole_page: bool) -> None:
    con = cursor()
    user = current_user(con)
    if user is None:  # the session ended: the frame's run shows the login form and why
        return
    audit.set_client(client())
    if before is not None:
        before()
    try:
        result = fn(con, user)
    except (PortalError, *errors) as exc:
        st.session_state[REFUSED] = (_this_run(), key, str(exc))
        return
    if _succeeded(message, result, then) and whole_page:
        st.rerun(scope="app")  # in a callback: Streamlit runs the app instead of the fragment


def refusal(key: str) -> None:
    """Where the button `key` (on_click) is: core's refusal of its click, in this run only."""
    found = st.session_state.get(REFUSED)
    if found is not None and found[0] is _this_run() and found[1] == key:
        st.session_state.pop(REFUSED, None)
        st.error(found[2], icon=":material/error:")


def flash(message: str) -> None:
    st.session_state["_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
    warning = st.session_state.pop("_flash_warning", None)
    if warning:
        st.warning(warning, icon=":material/warning:")
    _refresh.show_status(message)  # the portal refresh an action of this session asked for (issue 16)


@st.cache_data(ttl=600, max_entries=5000, show_spinner=False)
def _todo_items(_con, _user: accounts.User, user_key: tuple, mark: tuple) -> dict[str, int]:
    # Invalidated by `mark` (core/db.change_mark): any committed write to the database by anyone, or a new
    # day; and by `user_key` (the user's roles, division and charge), so a changed account counts afresh.
    # The mark is read before the counts: a write landing in between gives a count newer than its key,
    # which the next run's newer mark replaces; never a count older than its key (a mark younger than a
    # commit's visibility is not used as a key: core/db.settled_mark).
    return todo.todo_items(_con, _user)


def todo_items(con, user: accounts.User) -> dict[str, int]:
    """What waits for this user (core/todo.todo_items), computed once per database change, not per run:
    the sidebar shows it on every run of every page."""
    mark = db.settled_mark(db_path())
    if mark is None:  # a write this instant: count now, keep nothing
        return todo.todo_items(con, user)
    return dict(_todo_items(con, user, (user.id, tuple(sorted(user.roles)), user.division_id,
                                        tuple(sorted(user.charge))), mark))


# Where each kind of to-do (core/todo.LABELS) is handled: a key of PAGES, whose permission is the kind's in
# core/todo.PERMISSIONS (tests/test_todo.py). core/todo.todo_items counts only the kinds whose page the user opens,
# so every card's link is in the user's navigation; the home page's cards link there.
TODO_PAGES = {
    "approvals": "approvals", "returned": "my_articles", "approved": "my_articles", "requests": "request_queue",
    "messages_new": "interaction_desk", "messages_release": "interaction_desk",
    "messages_answer": "interaction_answers", "messages_approve": "interaction_answers",
    "stale_columns": "freshness", "duties": "freshness", "consultation_comments": "consultations",
    "interview_questions": "interviews", "disclosure_held": "disclosure_applications",
    "proposals_review": "proposals", "proposals_more_info": "proposals", "proposals_overdue": "proposals",
    "support_open": "support", "support_answered": "support",  # issue 17, support
}


def sidebar_todo(con, user: accounts.User) -> None:
    """The count is the sum of the home page's cards, and its help names each of them (core/todo.explanation)."""
    items = todo_items(con, user)
    st.sidebar.metric("我的待办", sum(items.values()), help=todo.explanation(items))


def refresh_site(con) -> None:
    """Publishing or taking down something asks for the portal's rebuild: a worker thread runs it after
    the change committed (core/refresh.py), so the click does not wait for it; the page says
    门户网站正在更新 until it is done, or why it failed."""
    site = site_dir()
    try:
        ticket = refresh.request(_connection(db_path()), site)
    except Exception as exc:  # the change is saved; the scheduler's tick catches up
        message = f"信息已保存,但门户页面更新失败:{exc}。管理员可运行 python -m core build-site。"
        st.session_state["_flash_warning"] = message  # survives the rerun that follows an action
        if not getattr(_callback, "active", False):  # show_flash says it in the run after a callback
            st.warning(message, icon=":material/warning:")
        return
    _refresh.asked(site, ticket)
