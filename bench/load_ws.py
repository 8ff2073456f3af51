"""A protocol-level workbench user for bench/load.py: Streamlit's own websocket (/_stcore/stream) and
its protobuf messages (BackMsg out, ForwardMsg in), doing what the browser's Streamlit frontend does.

What the browser would do and this client does too, so that the server gets the same runs:
- every click, checkbox and text field that is not inside a form sends one rerun with its value;
  a form sends its fields with its submit button; values not sent keep the server's (as the frontend's
  unchanged widgets do);
- a component answers once per (instance, arguments) it is drawn with, as in the browser: the
  sign-in cookie component (extra-streamlit-components' CookieManager) answers `getAll` with this
  user's cookie jar and `set` with true, storing the cookie; the rich editor answers with the
  officer's text (the editor hands its HTML over in its own rerun, then 保存 is clicked);
- the page a rerun belongs to (page_script_hash) is the one the server last ran; opening a page
  sends its hash, as a navigation link does.
A time runs from sending the rerun to the end of the last run it caused (component answers
included): the server's part of what a user waits for; the browser then draws the page.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time

import websockets
from load_client import Record, think
from load_setup import PASSWORD, SimUser
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TIMEOUT_S = 180
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
WIDGETS = {"text_input", "text_area", "button", "checkbox", "selectbox", "multiselect", "radio",
           "component_instance", "date_input", "download_button"}


class Page:
    """The elements of the last finished run."""

    def __init__(self) -> None:
        self.widgets: list[tuple[str, object]] = []  # (kind, element proto)
        self.texts: list[tuple[str, str, int]] = []  # (kind, text, alert format or heading level)

    def widget(self, kind: str, label: str | None = None, *, key_part: str | None = None):
        for found_kind, element in self.widgets:
            if found_kind != kind:
                continue
            if label is not None and getattr(element, "label", None) != label:
                continue
            if key_part is not None and key_part not in element.id:
                continue
            return element
        return None

    def has_text(self, text: str) -> bool:
        return any(text in body for _, body, _ in self.texts)

    def text_with(self, text: str) -> str | None:
        return next((body for _, body, _ in self.texts if text in body), None)

    def errors(self) -> list[str]:
        return [body for kind, body, level in self.texts if kind == "exception" or (kind == "alert" and level == 1)]

    def headings(self, tag: str) -> list[str]:
        return [body for kind, body, level in self.texts if kind == "heading" and level == tag]


class WsUser:
    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.page = Page()
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # page title → script hash (the navigation the server sent)
        self.cookies: dict[str, str] = {}
        self.answered: set[tuple[str, str]] = set()
        self.sent = 0

    async def connect(self) -> None:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=TIMEOUT_S, ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, states: list[WidgetState] | None = None, page_hash: str | None = None) -> None:
        """One rerun, and the component answers it calls for, until the server is idle."""
        await self._send(states or [], page_hash)
        while True:
            answers = self._component_answers()
            if not answers:
                return
            await self._send(answers, None)

    async def _send(self, states: list[WidgetState], page_hash: str | None) -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = page_hash if page_hash is not None else self.page_hash
        msg.rerun_script.widget_states.widgets.extend(states)
        await self.ws.send(msg.SerializeToString())
        self.sent += 1
        await self._receive()

    async def _receive(self) -> None:
        page = Page()
        while True:
            data = await asyncio.wait_for(self.ws.recv(), TIMEOUT_S)
            forward = ForwardMsg()
            forward.ParseFromString(data)
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                page = Page()
                self.page_hash = forward.new_session.page_script_hash
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in forward.navigation.app_pages}
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self._collect(page, forward.delta.new_element)
            elif kind == "script_finished" and forward.script_finished != FINISHED_EARLY:
                self.page = page
                return

    @staticmethod
    def _collect(page: Page, element) -> None:
        kind = element.WhichOneof("type")
        inner = getattr(element, kind)
        if kind in WIDGETS:
            page.widgets.append((kind, inner))
        elif kind == "alert":
            page.texts.append((kind, inner.body, inner.format))
        elif kind == "heading":
            page.texts.append((kind, inner.body, inner.tag))
        elif kind == "exception":
            page.texts.append((kind, f"{inner.type}: {inner.message}", 0))
        elif kind in ("markdown", "text"):
            page.texts.append((kind, inner.body, 0))

    def _component_answers(self) -> list[WidgetState]:
        answers = []
        for kind, element in self.page.widgets:
            if kind != "component_instance" or (element.id, element.json_args) in self.answered:
                continue
            args = json.loads(element.json_args or "{}")
            method = args.get("method")
            if method == "getAll":
                value = dict(self.cookies)
            elif method == "set":
                self.cookies[args["cookie"]] = args["value"]
                value = True
            elif method == "delete":
                self.cookies.pop(args.get("cookie"), None)
                value = True
            else:
                continue  # the rich editor says nothing until the officer types
            self.answered.add((element.id, element.json_args))
            answers.append(WidgetState(id=element.id, json_value=json.dumps(value)))
        return answers

    # ------------------------------------------------------------ what a user does

    def _need(self, kind: str, label: str | None = None, **how):
        element = self.page.widget(kind, label, **how)
        if element is None:
            raise LookupError(f"页面上没有{kind}「{label or how}」;页面文字:{[t for _, t, _ in self.page.texts][:6]}")
        return element

    async def timed(self, record: Record, kind: str, states: list[WidgetState], expect: str | None = None,
                    page_hash: str | None = None) -> None:
        started = time.perf_counter()
        await self.rerun(states, page_hash)
        record.add(kind, time.perf_counter() - started)
        for error in self.page.errors():
            record.errors.append(f"{kind}: {error[:120]}")
        if expect is not None and not self.page.has_text(expect):
            raise LookupError(f"{kind}:没有看到「{expect}」;页面文字:{[t for _, t, _ in self.page.texts][:6]}")

    def click(self, label: str) -> WidgetState:
        return WidgetState(id=self._need("button", label).id, trigger_value=True)

    async def sign_in(self, user: SimUser, record: Record) -> None:
        await self.connect()
        await self.rerun()  # the page opened: the sign-in form and the cookie reader
        name, password = self._need("text_input", "用户名"), self._need("text_input", "密码")
        await think(1.0)
        await self.timed(record, "sign_in", [WidgetState(id=name.id, string_value=user.username),
                                             WidgetState(id=password.id, string_value=PASSWORD),
                                             self.click("登录")])
        if self.page.widget("button", "退出登录") is None:
            raise LookupError(f"登录后没有「退出登录」;页面文字:{[t for _, t, _ in self.page.texts][:6]}")
        record.signed_in += 1

    async def open(self, record: Record, title: str) -> None:
        await self.timed(record, "open", [], page_hash=self.pages[title])
        if title not in self.page.headings("h1"):
            raise LookupError(f"打开「{title}」后标题是 {self.page.headings('h1')}")


async def officer(client: WsUser, user: SimUser, record: Record, until: float, think_s: float) -> None:
    await client.open(record, "我的稿件")
    number = 0
    while time.monotonic() < until:
        number += 1
        token = f"LT{user.username[-2:]}N{number:03d}"
        title = f"压测稿件{user.username}第{number}篇{token}"
        await client.timed(record, "new", [client.click("＋ 新建稿件")], "新建稿件")
        await think(think_s)
        await client.rerun([WidgetState(id=client._need("text_input", "标题").id, string_value=title)])
        await think(think_s)
        editor = client._need("component_instance", key_part="ma_editor_")
        await client.rerun([WidgetState(id=editor.id, json_value=json.dumps(
            f"<p>本处室召开专题会议部署年度重点工作。{token}</p>"))])
        await think(think_s)
        await client.timed(record, "save", [client.click("保存")], "已保存为新版本")
        record.saved.append({"title": title, "token": token})
        await think(think_s)
        if time.monotonic() >= until:
            break
        await client.timed(record, "submit", [client.click("提交审批")], "已提交审批")
        record.submitted.append(title)
        await think(think_s)


CHECKLIST = re.compile("^(合法合规|保密审查|时效性|格式规范|已知悉)")


async def head(client: WsUser, user: SimUser, record: Record, until: float, think_s: float) -> None:
    await client.open(record, "待我审批")
    while time.monotonic() < until:
        if client.page.has_text("目前没有等待您审批的稿件"):
            await think(think_s * 2)
            await client.open(record, "待我审批")  # what the officers submitted since
            continue
        title = re.sub(r"\\(.)", r"\1", client.page.headings("h3")[0])  # Markdown escapes (_shared.inert)
        boxes = [e for kind, e in client.page.widgets if kind == "checkbox" and CHECKLIST.match(e.label)]
        await think(think_s)  # ticking the boxes of the decision's form runs nothing: 批准 sends them
        ticks = [WidgetState(id=box.id, bool_value=True) for box in boxes]
        await client.timed(record, "approve", [*ticks, client.click("批准")], "已批准。")
        record.approved.append({"title": title, "user": user.username})
        await think(think_s)


async def webmaster(client: WsUser, user: SimUser, record: Record, until: float, think_s: float,
                    route_to: list[str]) -> None:
    await client.open(record, "互动管理")
    number = 0
    while time.monotonic() < until:
        division = route_to[number % len(route_to)]
        number += 1
        await think(think_s)
        picker = client._need("selectbox", "承办处室")
        button = client._need("button", "分办")
        await client.timed(record, "route", [WidgetState(id=picker.id, string_value=division),
                                             WidgetState(id=button.id, trigger_value=True)], "已分办给")
        found = re.search(r"留言 (\S+) 已分办给(.+?),", client.page.text_with("已分办给") or "")
        if found:
            record.routed.append({"code": found.group(1), "division": found.group(2)})


async def one_user(url: str, user: SimUser, record: Record, until: float, think_s: float,
                   route_to: list[str], clients: list) -> None:
    client = WsUser(url)
    clients.append(client)
    try:
        await asyncio.sleep(random.uniform(0, 1))  # they arrive together, not in the same millisecond
        await client.sign_in(user, record)
        if user.role == "officer":
            await officer(client, user, record, until, think_s)
        elif user.role == "head":
            await head(client, user, record, until, think_s)
        else:
            await webmaster(client, user, record, until, think_s, route_to)
    except Exception as exc:  # noqa: BLE001 - one user's failure is a figure, the others go on
        record.errors.append(f"{user.username}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")


async def run_users(urls: list[str], users: list[SimUser], minutes: float, think_s: float, route_to: list[str],
                    on_warm, on_signed_in, on_done) -> Record:
    """As load_client.run_users, over websockets; user n works on urls[n % len(urls)] (sticky)."""
    record = Record()
    for url in urls:
        warm = WsUser(url)
        await warm.connect()
        await warm.rerun()  # the first run after a start (Streamlit's pages-folder mode, tests/browser.py)
        await warm.close()
    on_warm()
    until = time.monotonic() + minutes * 60
    clients: list[WsUser] = []
    tasks = [asyncio.create_task(one_user(urls[n % len(urls)], u, record, until, think_s, route_to, clients))
             for n, u in enumerate(users)]
    while record.signed_in + len(record.errors) < len(users) and not all(t.done() for t in tasks):
        await asyncio.sleep(0.5)
    on_signed_in()
    await asyncio.gather(*tasks)
    on_done()
    record.reruns = sum(c.sent for c in clients)
    for client in clients:
        await client.close()
    return record
