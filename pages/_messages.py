"""What the interaction pages share: a message shown in full, its history, the version the user
opened (an action on an older version is refused by core), deep links from e-mail."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import interaction
from pages._shared import inert, table


def queue_table(found: list[dict], key: str, *, division: bool = True) -> None:
    if not found:
        return
    returns = any(m.get("returned") for m in found)
    rated = any("rating" in m for m in found)  # the desk's lists carry the public's rating (第二十六条(二))
    table(pd.DataFrame([{
        "提醒": m["urgency_label"], "查询码": m["code"], "类型": m["kind_label"], "标题": m["subject"],
        "状态": "退回修改" if m.get("returned") else m["state_label"],
        **({"退回意见": m["returned"]["comment"] if m.get("returned") else ""} if returns else {}),
        **({"承办处室": m["division_name"] or "—"} if division else {}),
        "收到": f"{m['received_at']:%Y-%m-%d %H:%M}", "办理期限": m["due_on"],
        **({"公众评价": m.get("rating") or "—"} if rated else {}),
    } for m in found]), hide_index=True, key=key, width="stretch",
        column_config={"标题": st.column_config.TextColumn(width="large")})


def returned_notice(returned: dict | None) -> None:
    """A returned answer says why, where the officer rewrites it (as 退回意见 on an article)."""
    if returned:
        st.warning(f"**退回意见**({returned['role']} {inert(returned['actor'])},"
                   f"{returned['at']:%Y-%m-%d %H:%M} 退回):{inert(returned['comment'])}  \n"
                   "请按意见修改答复后重新提交负责人审批。", icon=":material/undo:")


def settle_choice(key: str, ids: list) -> None:
    """Call before drawing the selectbox `key` over `ids`: a choice that is gone (acted on, or handled
    by someone else) moves to the first item. See `apply_next` for why the value is written."""
    apply_next(key, ids)
    if ids and st.session_state.get(key) not in ids:
        st.session_state[key] = ids[0]


def apply_next(key: str, ids: list) -> None:
    """Apply what `choose_next` asked for after an action: the item asked for when it is listed, else
    the first. The value is written to the widget's state so the browser is told what it shows:
    popping the key instead left the browser's selector naming the old item over the next one."""
    if f"{key}__next" not in st.session_state:
        return
    wanted = st.session_state.pop(f"{key}__next")
    if wanted in ids:
        st.session_state[key] = wanted
    elif ids:
        st.session_state[key] = ids[0]
    else:
        st.session_state.pop(key, None)


def choose_next(key: str, item_id=None) -> None:
    """After an action: the selectbox `key` shows `item_id` on the next run (None: the same item when
    it is still listed, its label refreshed, else the first)."""
    st.session_state[f"{key}__next"] = item_id if item_id is not None else st.session_state.get(key)


def pick(found: list[dict], key: str, label: str = "选择留言") -> dict | None:
    """A selectbox over the queue; a ?message=ID deep link (from an e-mail) preselects."""
    by_id = {m["id"]: m for m in found}
    if not by_id:
        return None
    linked = st.query_params.get("message")
    if linked and linked.isdigit() and int(linked) in by_id and key not in st.session_state:
        st.session_state[key] = int(linked)
    settle_choice(key, list(by_id))
    chosen = st.selectbox(label, list(by_id), key=key, format_func=lambda i: (
        f"{by_id[i]['urgency_label'] + ' · ' if by_id[i]['urgency_label'] else ''}{by_id[i]['code']} · "
        f"{by_id[i]['kind_label']} · {by_id[i]['subject'][:40]}"))
    return by_id[chosen]


def seen_version(message: dict) -> int:
    """The version the user opened; kept across reruns so a concurrent change is noticed."""
    key = f"msg_version_{message['id']}"
    version = st.session_state.setdefault(key, message["version"])
    if version != message["version"]:
        st.warning("该留言在您打开后已被他人处理或更新。请核对后点击「重新载入」再操作;您填写的内容仍保留。")
        if st.button("重新载入", key=f"msg_reload_{message['id']}"):
            st.session_state.pop(key, None)
            st.rerun()
    return version


def forget(message_id: int) -> None:
    for key in [k for k in st.session_state if str(k).startswith("msg_") and str(k).endswith(f"_{message_id}")]:
        st.session_state.pop(key, None)


def show(message: dict, *, contacts: bool) -> None:
    """The citizen's message; contact details only where the reader needs them to answer."""
    urgency = interaction.URGENCY_LABELS.get(message.get("urgency") or "", "")
    with st.container(border=True):
        st.subheader(inert(message["subject"]), anchor=False)
        facts = [f"查询码 {message['code']}", interaction.KIND_LABELS[message["kind"]],
                 f"收到 {message['received_at']:%Y-%m-%d %H:%M}", f"办理期限 {message['due_on'] or '—'}",
                 interaction.STATE_LABELS[message["state"]]]
        if message.get("concerns_division_name"):
            facts.append(f"留言人选择的处室:{message['concerns_division_name']}")
        if message.get("division_name"):
            facts.append(f"承办:{message['division_name']}")
        st.caption(inert(" · ".join(facts)))
        if urgency:
            st.error(urgency, icon=":material/alarm:")
        st.text(message["body"])
        if contacts:
            st.caption(inert(f"留言人:{message['name']} · 手机:{message['phone'] or '—'} · "
                             f"邮箱:{message['email'] or '—'} · "
                             f"{'同意' if message['publish_allowed'] else '不同意'}公开答复"))
        else:
            st.caption(f"{'留言人同意' if message['publish_allowed'] else '留言人不同意'}公开答复")


def show_with_answer(message: dict, label: str = "答复内容") -> None:
    """The message, its answer as plain text (when there is one) and its history."""
    show(message, contacts=True)
    if message["answer"]:
        st.markdown(f"**{label}**")
        st.text(message["answer"])
    history(message)


def history(message: dict) -> None:
    events = message.get("events") or []
    if events:
        with st.expander(f"办理记录({len(events)})"):
            table(pd.DataFrame([{
                "时间": f"{e['created_at']:%Y-%m-%d %H:%M}", "操作人": e["actor"],
                "操作": interaction.ACTION_LABELS.get(e["action"], e["action"]),
                "状态": interaction.STATE_LABELS.get(e["to_state"], e["to_state"]), "说明": e["comment"] or "",
            } for e in events]), hide_index=True, width="stretch")

