"""系统设置: the approval chains (第十四条), the office's settings table, the 党政机关网站标识 (issue 15), the outbox."""

import smtplib
from functools import partial

import pandas as pd
import streamlit as st

from core import identity, mailer, notify, settings, workflow
from pages import _shared

QUORUM = "group_quorum"  # shown beside the chains it belongs to
CLEAR_SECRET = "settings_admin_clear_secret"  # set after a save: the password field starts empty again

con = _shared.cursor()
user = _shared.require_user(con)
st.title("系统设置")
_shared.show_flash()
if st.session_state.pop(CLEAR_SECRET, False):
    # set before the widgets exist (the browser keeps a widget's value when its key is merely deleted)
    for name in settings.SECRET:
        st.session_state[f"settings_admin_{name}"] = ""
        st.session_state[f"settings_admin_{name}_clear"] = False


def step_label(role: str) -> str:
    return workflow.ROLE_STEP_LABELS.get(role, role)


chains_tab, values_tab, mark_tab, outbox_tab = st.tabs(["审批流程", "系统参数", "网站标识", "发件箱"])

# ---------------------------------------------------------------- (a) approval chains
with chains_tab:
    st.caption("各重要程度的信息发布前须经过的审批环节(第十四条)。按审批先后顺序依次选择;"
               "第一环节须为处室负责人(第十一条),环节须由低到高。修改只影响此后提交的稿件。")
    current = workflow.chains(con)
    for level, column in zip(workflow.IMPORTANCE, st.columns(len(workflow.IMPORTANCE)), strict=True):
        with column, st.form(f"settings_admin_chain_form_{level}"):
            st.markdown(f"**{level}**")
            st.caption("当前:" + " → ".join(step_label(r) for r in current[level]))
            st.multiselect("审批环节", list(workflow.LADDER), default=list(current[level]), format_func=step_label,
                           key=f"settings_admin_chain_{level}", help="按审批顺序依次选择",
                           placeholder="请选择审批环节")
            if st.form_submit_button("保存", key=f"settings_admin_chain_save_{level}"):
                _shared.act(f"「{level}」信息的审批流程已保存。", partial(
                    workflow.set_chain, con, user, level, list(st.session_state[f"settings_admin_chain_{level}"])))

    quorum = settings.BY_NAME[QUORUM]
    with st.columns([1, 2])[0], st.form("settings_admin_quorum_form"):
        st.number_input(quorum.label, min_value=int(quorum.minimum or 1), step=1,
                        value=int(settings.get(con, QUORUM)), help=quorum.help, key="settings_admin_quorum")
        if st.form_submit_button("保存审批人数", key="settings_admin_quorum_save"):
            _shared.act(f"{quorum.label}已保存。",
                        lambda: settings.set_values(con, user, {QUORUM: st.session_state["settings_admin_quorum"]}))

# ---------------------------------------------------------------- (b) the other settings
with values_tab:
    st.caption("办公室可调整的运行参数。SMTP 密码不回显:留空表示不修改。")
    values = settings.all_values(con)
    shown = [s for s in settings.SETTINGS if s.name != QUORUM]
    with st.form("settings_admin_form"):
        for setting in shown:
            key = f"settings_admin_{setting.name}"
            help_text = setting.help or None
            if setting.name in settings.SECRET:
                st.text_input(setting.label, type="password", key=key, help=help_text,
                              placeholder="已设置(留空则不修改)" if values[setting.name] else "未设置")
                spaced = " " if setting.label[:1].isascii() else ""
                st.checkbox(f"清除已保存的{spaced}{setting.label}", key=f"{key}_clear")
            elif setting.kind is bool:
                st.checkbox(setting.label, value=bool(values[setting.name]), key=key, help=help_text)
            elif setting.choices:
                labels = dict(setting.choices)
                options = list(labels)
                current = values[setting.name]
                st.selectbox(setting.label, options, index=options.index(current) if current in labels else 0,
                             format_func=labels.get, key=key, help=help_text)
            else:  # numbers too are typed as text: core checks them and names the field
                st.text_input(setting.label, value=str(values[setting.name]), key=key, help=help_text)
        submitted = st.form_submit_button("保存设置", type="primary", key="settings_admin_save")
    if submitted:
        state = st.session_state
        changes = {}
        for setting in shown:
            typed = state[f"settings_admin_{setting.name}"]
            if setting.name in settings.SECRET:
                if state.get(f"settings_admin_{setting.name}_clear"):
                    changes[setting.name] = ""
                elif typed:
                    changes[setting.name] = typed
            elif setting.kind is bool:
                if bool(typed) != bool(values[setting.name]):
                    changes[setting.name] = bool(typed)
            elif str(typed).strip() != str(values[setting.name]):
                changes[setting.name] = typed
        if not changes:
            st.info("没有需要保存的修改。")
        else:
            labels = "、".join(settings.BY_NAME[n].label for n in changes)
            # the secret never stays in the page
            _shared.act(f"已保存:{labels}。", lambda: settings.set_values(con, user, changes),
                        then=lambda: state.update({CLEAR_SECRET: True}))

# ---------------------------------------------------------------- (c) the 党政机关网站标识 (第六条)
with mark_tab:
    st.caption("上传主管部门颁发的党政机关网站标识图片(PNG、JPEG 或 GIF,不超过 "
               f"{identity.MARK_MAX_BYTES // 1024} KB),门户每个页面的页脚显示该标识,并链接到「系统参数」中的"
               "“党政机关网站标识证书地址”。网站标识码、备案号等在「系统参数」中填写(第四条、第六条)。")
    shown_mark = identity.mark_info(con)
    if shown_mark:
        current_mark = identity.mark(con)
        st.image(current_mark.content, caption="当前标识", width=120)
        st.caption(f"「{shown_mark['filename']}」,{shown_mark['width']}×{shown_mark['height']} 像素,"
                   f"{shown_mark['size'] / 1024:.0f} KB;{shown_mark['updated_at']:%Y-%m-%d %H:%M} "
                   f"由{shown_mark['updated_by'] or '系统'}上传")
        if st.button("删除标识", key="settings_admin_mark_remove"):
            _shared.act("党政机关网站标识已删除,下次更新门户后页脚不再显示。",
                        lambda: identity.remove_mark(con, user))
    else:
        st.info("尚未上传党政机关网站标识。")
    # the box's own line cannot say KB (whole MB only): 1 MB keeps it from saying the server's 50 MB,
    # the help says the real rule core applies (identity.save_mark)
    picked = st.file_uploader("标识图片", type=["png", "jpg", "jpeg", "gif"], key="settings_admin_mark_file",
                              max_upload_size=1,
                              help=f"图片不超过 {identity.MARK_MAX_BYTES // 1024} KB,长和宽不超过 "
                                   f"{identity.MARK_MAX_SIDE} 像素(第六条)")
    if picked is not None and st.button("上传标识", key="settings_admin_mark_upload", type="primary"):
        _shared.act("党政机关网站标识已保存,下次更新门户后每个页面的页脚显示新标识。",
                    lambda: identity.save_mark(con, user, picked.name, picked.getvalue()))
    st.caption("网站标识和「系统参数」中的网站信息改动后,门户的全部页面在下次生成时更新;也可以立即更新。")
    if st.button("立即更新门户页面", key="settings_admin_refresh_site"):
        # refresh_site shows its own warning when the build fails: then no success is flashed
        _shared.act(lambda _: None if st.session_state.get("_flash_warning") else "门户页面已更新。",
                    lambda: _shared.refresh_site(con))

# ---------------------------------------------------------------- (d) the outbox
with outbox_tab:
    if mailer.smtp_configured(con):
        st.caption("待发邮件由后台定时发送;也可以点「立即发送」。")
    else:
        st.caption("尚未设置 SMTP 服务器(见「系统参数」):提醒只记录在发件箱中,不发送邮件。")
    if st.button("立即发送", key="settings_admin_send_now"):
        try:
            result = mailer.send_pending(con)
        except (smtplib.SMTPException, OSError) as exc:
            st.error(f"邮件发送失败:{exc}。请检查 SMTP 设置。")
        else:
            if not mailer.smtp_configured(con):
                st.info(f"未设置 SMTP 服务器:{result['skipped']} 封邮件未发送(跳过),仍保留在发件箱中。")
            else:
                st.success(f"发送完成:成功 {result['sent']} 封,失败 {result['failed']} 封,"
                           f"跳过 {result['skipped']} 封。")
    outbox = pd.DataFrame(
        notify.outbox(con, limit=200),
        columns=["id", "recipient", "kind", "subject", "created_at", "sent_at", "attempts", "last_error"],
    )
    st.caption(f"最近 {len(outbox)} 条(最多显示 200 条)")
    _shared.table(
        outbox, hide_index=True, width="stretch", key="settings_admin_outbox",
        column_config={
            "id": st.column_config.NumberColumn("编号", format="%d"),
            "recipient": "收件人", "kind": "类型", "subject": "主题",
            "created_at": st.column_config.DatetimeColumn("生成时间", format="YYYY-MM-DD HH:mm"),
            "sent_at": st.column_config.DatetimeColumn("发送时间", format="YYYY-MM-DD HH:mm"),
            "attempts": "尝试次数", "last_error": "最后错误",
        },
    )
