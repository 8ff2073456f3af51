"""建议与提案 (第八条(二)、第九条(一)、第十条(一)、第二十六条(三)): proposers submit, revise and withdraw;
the office reviews with a reason the proposer sees, and records how an adopted one was carried out (落实情况; the
technical-support unit too, for a design plan). The rules are in core/proposals.py."""

import datetime as dt

import pandas as pd
import streamlit as st

from core import columns, permissions, proposals
from core.errors import PortalError
from pages import _shared

KINDS = proposals.KIND_LABELS
COLUMN_KINDS = permissions.COLUMN_KINDS
DECISION_BUTTONS = {"ask_more": "要求补充", "adopt": "采纳", "adopt_part": "部分采纳", "decline": "不予采纳"}

con = _shared.cursor()
user = _shared.require_user(con)
st.title("建议与提案")
st.caption("处室可对网站建设方案和栏目设置提出意见和建议(第九条(一));技术支持单位提出栏目调整、改版升级的设计方案"
           "(第十条(一));对网站建设与管理的建议,被采纳的计入年度考评(第二十六条(三))。办公室统一审议(第八条(二)),"
           "每项意见都写明理由,提出人可见。")
_shared.show_flash()

live = columns.tree(con, include_retired=False)
column_paths = {c["id"]: c["path"] for c in live}
may_submit = [k for k in KINDS if permissions.can(user, "proposals.submit", k)]
is_office = permissions.can(user, "proposals.decide")
may_implement = permissions.can(user, "proposals.implement")


def _forget(prefix: str) -> None:
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        st.session_state.pop(key, None)


def _files(key: str) -> list[tuple[str, bytes]]:
    return [(f.name, f.getvalue()) for f in st.session_state.get(key) or []]


def _fields(prefix: str, kind: str, proposal: dict | None = None) -> None:
    """The proposal's fields; their keys keep what was typed when a save is refused."""
    st.text_input("标题", key=f"{prefix}_subject", value=proposal["subject"] if proposal else "", max_chars=100,
                  placeholder="必填,不超过 100 字")
    st.text_area("理由", key=f"{prefix}_reasons", value=proposal["reasons"] if proposal else "", height=160,
                 placeholder="必填:为什么提出,依据和预期效果(第九条(一))")
    if kind in COLUMN_KINDS:
        st.multiselect("涉及栏目", list(column_paths), key=f"{prefix}_targets", format_func=column_paths.get,
                       default=[c for c in (proposal or {}).get("target_columns", []) if c in column_paths],
                       help="栏目合并:第一个为保留的栏目,其余并入后撤销。栏目新增:可选上级栏目。")
        st.text_input("拟定栏目名称", key=f"{prefix}_column_name", max_chars=40,
                      value=(proposal or {}).get("column_name") or "",
                      placeholder="栏目新增必填;调整或合并后的名称(不改名可不填)")
    _shared.attachment_uploader(con, "附件(设计方案等)", f"{prefix}_files", accept_multiple_files=True)


def _values(prefix: str) -> dict:
    return {"subject": st.session_state.get(f"{prefix}_subject", ""),
            "reasons": st.session_state.get(f"{prefix}_reasons", ""),
            "column_name": st.session_state.get(f"{prefix}_column_name"),
            "target_columns": st.session_state.get(f"{prefix}_targets") or [],
            "files": _files(f"{prefix}_files")}


def details(proposal: dict) -> None:
    """One proposal as the proposer and the office see it: what was proposed, each step with its reason,
    the files, and the column changes that carried it out."""
    st.markdown(f"**#{proposal['id']} {_shared.inert(proposal['subject'])}** · {proposal['kind_label']} · "
                f"{proposal['status_label']}")
    st.caption(f"提出人 {proposal['proposer']}({proposal['division'] or '—'}) · 提交于 "
               f"{proposal['created_at']:%Y-%m-%d %H:%M}")
    st.text(proposal["reasons"])
    if proposal["target_names"]:
        st.markdown("涉及栏目:" + "、".join(proposal["target_names"]))
    if proposal["column_name"]:
        st.markdown(f"拟定栏目名称:{_shared.inert(proposal['column_name'])}")
    if proposal["office_reply"]:
        box = st.warning if proposal["state"] == "more_info" else st.info
        box(f"办公室意见({proposal['state_label']}):{proposal['office_reply']}")
    for item in proposal["attachments"]:
        name, data = proposals.attachment(con, user, item["id"])
        st.download_button(f"下载附件:{name}", data, file_name=name, key=f"pp_download_{item['id']}")
    outcome(proposal)
    if proposal["changes"]:
        st.markdown("**按提案办理的栏目变更(栏目管理)**")
        _shared.table(pd.DataFrame([{"时间": f"{c['created_at']:%Y-%m-%d %H:%M}", "栏目": c["column_name"],
                                     "变更": c["detail"], "办理人": c["actor"]} for c in proposal["changes"]]),
                      hide_index=True, width="stretch", key=f"pp_changes_{proposal['id']}")
    if proposal["state"] in proposals.ADOPTED and proposal["kind"] in COLUMN_KINDS \
            and permissions.can(user, "proposals.carry_out", proposal):
        if st.button("在栏目管理中按提案办理", key=f"pp_carry_{proposal['id']}", icon=":material/account_tree:"):
            st.session_state["ca_proposal_pick"] = proposal["id"]
            st.switch_page(_shared.PAGES["columns_admin"].path)
    st.markdown("**办理过程**")
    _shared.table(pd.DataFrame([{"时间": f"{e['created_at']:%Y-%m-%d %H:%M}", "步骤": e["action_label"],
                                 "办理人": e["actor"] or "", "说明": e["comment"] or ""} for e in proposal["events"]]),
                  hide_index=True, width="stretch", key=f"pp_events_{proposal['id']}")


def outcome(proposal: dict) -> None:
    """落实情况 of an adopted proposal: what was done and when, as the proposer sees it, or that it waits."""
    if proposal["state"] not in proposals.ADOPTED:
        return
    if proposal["done_on"] is None:
        st.caption("落实情况:待落实(落实后由办公室登记;设计方案也可由技术支持单位登记)")
        return
    recorder = f"{proposal['outcome_recorder'] or '系统'} 登记"
    corrected = proposal["outcome_corrected"]
    if corrected is not None:
        recorder += f";{corrected['actor'] or '系统'} {corrected['created_at']:%Y-%m-%d} 更正,原登记内容见办理过程"
    st.success(f"**落实情况:{proposal['done_on']:%Y-%m-%d} 已落实**({recorder})  \n"
               f"{_shared.inert(proposal['outcome_note'])}", icon=":material/task_alt:")
    found = proposal["outcome_file"]
    if found is not None:
        name, data = proposals.attachment(con, user, found["id"])
        st.download_button(f"下载落实材料:{name}", data, file_name=name, key=f"pp_download_{found['id']}")
    for item in proposal["replaced_outcome_files"]:  # replaced by a correction, kept with the history
        name, data = proposals.attachment(con, user, item["id"])
        st.download_button(f"下载原落实材料(更正时已替换):{name}", data, file_name=name,
                           key=f"pp_download_{item['id']}", type="tertiary")


def record_outcome(proposal: dict) -> None:
    """The office (or the technical-support unit, for a design plan) records how an adopted proposal was
    carried out; the proposer is told (第八条(一)(二)、第十条(一))."""
    if "implement" not in proposals.allowed_actions(user, proposal):
        return
    pid = proposal["id"]
    prefix = f"pp_out_{pid}"
    with st.container(border=True):
        st.markdown("**登记落实情况**")
        st.text_area("办理情况", key=f"{prefix}_note", height=100,
                     placeholder="必填:落实了什么、怎样落实的,提出人可见(如改版已上线、功能已增加)")
        # no max_value: Streamlit's picker would then say "Last available date" in English; core refuses a later day
        st.date_input("完成日期", value=dt.date.today(), key=f"{prefix}_date", format="YYYY-MM-DD")
        _shared.attachment_uploader(con, "落实材料(可选,一个文件:如上线后的页面截图、验收材料)", f"{prefix}_file")
        if st.button("登记落实情况", type="primary", key=f"pp_implement_{pid}", icon=":material/task_alt:"):
            upload = st.session_state.get(f"{prefix}_file")
            _shared.act(f"提案 #{pid}:已登记落实情况,已通知提出人。", lambda: proposals.implement(
                con, user, pid, seen_version(proposal), note=st.session_state.get(f"{prefix}_note", ""),
                done_on=st.session_state.get(f"{prefix}_date"),
                files=[(upload.name, upload.getvalue())] if upload else []),
                then=lambda: _forget(prefix) or _forget(f"pp_version_{pid}"))


def correct_outcome(proposal: dict) -> None:
    """A recorded 落实情况 that is wrong is corrected by whoever may record it, with a reason; the history keeps
    the text and day it replaces, the proposer is told (第八条(一)(二)、第十条(一))."""
    if "correct_outcome" not in proposals.allowed_actions(user, proposal):
        return
    pid = proposal["id"]
    prefix = f"pp_fix_{pid}"
    with st.expander("更正落实情况", icon=":material/edit_note:"):
        st.caption("登记的办理情况、完成日期或落实材料有误时在此更正,须写明原因;原登记的内容和被替换的落实材料"
                   "保留在办理过程和审计日志中,提出人会收到通知。")
        st.text_area("办理情况", key=f"{prefix}_note", height=100, value=proposal["outcome_note"])
        # no max_value (see record_outcome): core refuses a day after today or before the adoption
        st.date_input("完成日期", value=proposal["done_on"], key=f"{prefix}_date", format="YYYY-MM-DD")
        current = proposal["outcome_file"]
        _shared.attachment_uploader(
            con, "替换落实材料(可选,一个文件)", f"{prefix}_file",
            help=f"当前落实材料:{current['filename']};选择新文件即替换它,原文件保留在办理过程中,不选则保留原文件。"
            if current else "当前没有落实材料;选择一个文件即作为落实材料。")
        st.text_input("更正原因", key=f"{prefix}_reason", max_chars=proposals.LIMITS["correction"],
                      placeholder="必填:为什么更正,如原登记有错别字、完成日期有误、落实材料不对")
        if st.button("更正落实情况", type="primary", key=f"pp_correct_{pid}", icon=":material/edit_note:"):
            upload = st.session_state.get(f"{prefix}_file")
            _shared.act(f"提案 #{pid}:落实情况已更正,已通知提出人;原登记的内容保留在办理过程中。",
                        lambda: proposals.correct_outcome(
                            con, user, pid, seen_version(proposal), note=st.session_state.get(f"{prefix}_note", ""),
                            done_on=st.session_state.get(f"{prefix}_date"),
                            reason=st.session_state.get(f"{prefix}_reason", ""),
                            files=[(upload.name, upload.getvalue())] if upload else []),
                        then=lambda: _forget(prefix) or _forget(f"pp_version_{pid}"))


def seen_version(proposal: dict) -> int:
    """The version this user opened: a move on an older one is refused (someone acted first)."""
    return st.session_state.setdefault(f"pp_version_{proposal['id']}", proposal["version"])


def review(proposal: dict) -> None:
    """The office's decision, always with a reason the proposer sees (第八条(二))."""
    allowed = [a for a in proposals.allowed_actions(user, proposal) if a in DECISION_BUTTONS]
    if not allowed:
        return
    pid = proposal["id"]
    st.text_area("办公室意见", key=f"pp_reply_{pid}", placeholder="必填:审议的理由,提出人可见(第八条(二))")
    row = st.container(horizontal=True, key=f"pp_decide_row_{pid}")
    for action in allowed:
        if row.button(DECISION_BUTTONS[action], key=f"pp_{action}_{pid}",
                      type="primary" if action == "adopt" else "secondary"):
            _shared.act(f"提案 #{pid}:已{DECISION_BUTTONS[action]},已通知提出人。",
                        lambda a=action: _decide(proposal, a, st.session_state.get(f"pp_reply_{pid}", "")),
                        then=lambda: _forget(f"pp_reply_{pid}") or _forget(f"pp_version_{pid}"))


def _decide(proposal: dict, action: str, reply: str) -> str:
    if action == "ask_more":
        return proposals.ask_more(con, user, proposal["id"], seen_version(proposal), reply)
    return proposals.decide(con, user, proposal["id"], seen_version(proposal), action, reply)


def own_actions(proposal: dict) -> None:
    """The proposer's moves: revise and resubmit what the office asked for; withdraw before a decision."""
    allowed = proposals.allowed_actions(user, proposal)
    pid = proposal["id"]
    if "revise" in allowed:
        with st.container(border=True):
            st.markdown("**按办公室意见补充后重新提交**")
            prefix = f"pp_rev_{pid}"
            _fields(prefix, proposal["kind"], proposal)
            st.text_input("补充说明", key=f"{prefix}_note", placeholder="补充了哪些内容")
            if st.button("重新提交", type="primary", key=f"pp_resubmit_{pid}"):
                _shared.act(f"提案 #{pid} 已补充并重新提交办公室审议。", lambda: proposals.revise(
                    con, user, pid, seen_version(proposal), note=st.session_state.get(f"{prefix}_note", ""),
                    **_values(prefix)), then=lambda: _forget(prefix) or _forget(f"pp_version_{pid}"))
    if "withdraw" in allowed and st.button("撤回提案", key=f"pp_withdraw_{pid}"):
        _shared.act(f"提案 #{pid} 已撤回。", lambda: proposals.withdraw(con, user, pid, seen_version(proposal)),
                    then=lambda: _forget(f"pp_version_{pid}"))


def pick(found: list[dict], key: str) -> dict | None:
    if not found:
        return None
    by_id = {p["id"]: p for p in found}
    chosen = st.selectbox("查看提案", list(by_id), key=key,
                          format_func=lambda i: f"#{i} · {by_id[i]['kind_label']} · {by_id[i]['status_label']} · "
                                                f"{by_id[i]['subject'][:30]}")
    try:
        return proposals.view(con, user, chosen)
    except PortalError as exc:
        _shared.show_error(exc)
        return None


def listing(found: list[dict], key: str) -> None:
    _shared.table(pd.DataFrame([{
        "编号": p["id"], "类别": p["kind_label"], "标题": p["subject"], "提出人": p["proposer"],
        "处室": p["division"] or "", "状态": p["status_label"], "办公室意见": p["office_reply"] or "",
        "更新时间": f"{p['updated_at']:%Y-%m-%d %H:%M}"} for p in found]), hide_index=True, width="stretch", key=key)


def waiting_listing(found: list[dict]) -> None:
    """Adopted, not carried out yet: since when, until when (the office's setting), overdue or not."""
    _shared.table(pd.DataFrame([{
        "编号": p["id"], "类别": p["kind_label"], "标题": p["subject"], "提出人": p["proposer"],
        "审议结果": p["state_label"], "采纳日期": f"{p['decided_at']:%Y-%m-%d}",
        "落实期限": f"{p['due_on']:%Y-%m-%d}" if p["due_on"] else "不提醒",
        "是否超期": "已超期" if p["overdue"] else ""} for p in found]),
        hide_index=True, width="stretch", key="pp_implement_table")


names = (["待审议"] if is_office else []) + (["待落实"] if may_implement else []) + \
    ["全部提案" if is_office else "我的与本处室"] + (["提出建议或提案"] if may_submit else [])
# a radio, not st.tabs: the view chosen stays chosen across the reruns a pick or a decision makes
view = st.radio("视图", names, horizontal=True, key="pp_view", label_visibility="collapsed")

if view == "待审议":
    waiting = proposals.queue(con, user)
    if not waiting:
        st.info("目前没有待审议的建议和提案。")
    listing(waiting, "pp_queue_table")
    chosen = pick(waiting, "pp_queue_pick")
    if chosen is not None:
        with st.container(border=True):
            details(chosen)
            review(chosen)

if view == "待落实":
    waiting = proposals.to_implement(con, user)
    st.caption("已采纳或部分采纳、尚未登记落实情况的建议和提案。落实后在此登记办理情况,提出人可见;"
               "栏目类提案在栏目管理中按提案办理,最后一项栏目变更完成后自动登记(第八条(一)(二)、第十条(一))。")
    if not waiting:
        st.info("目前没有待落实的建议和提案。")
    else:
        waiting_listing(waiting)
    chosen = pick(waiting, "pp_implement_pick")
    if chosen is not None:
        with st.container(border=True):
            details(chosen)
            record_outcome(chosen)

if view in ("全部提案", "我的与本处室"):
    found = proposals.visible(con, user)
    if not found:
        st.info("尚无建议和提案。")
    listing(found, "pp_all_table")
    chosen = pick(found, "pp_all_pick")
    if chosen is not None:
        with st.container(border=True):
            details(chosen)
            own_actions(chosen)
            record_outcome(chosen)
            correct_outcome(chosen)

if view == "提出建议或提案":
    kind = st.selectbox("类别", may_submit, key="pp_new_kind", format_func=KINDS.get,
                        help="栏目新增、调整、合并、撤销和网站设计由处室信息员或负责人提出(第九条(一)),"
                             "技术支持单位提出设计方案(第十条(一));建设与管理建议人人可提(第二十六条(三))。")
    _fields("pp_new", kind)
    if st.button("提交", type="primary", key="pp_new_submit"):
        _shared.act(lambda pid: f"已提交提案 #{pid},等待办公室审议。",
                    lambda: proposals.submit(con, user, kind=kind, **_values("pp_new")),
                    then=lambda: _forget("pp_new_"))
