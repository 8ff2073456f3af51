"""词库管理: the webmaster maintains the sensitive-word and serious-error lexicons (第十六、二十七条)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import content, lexicon, screening
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("词库管理")
st.caption("发布前自动筛查使用这两个词库;修改即时生效。繁体、全角写法自动归一,无需重复录入(第十六、二十七条)。")
_shared.show_flash()
SEVERITY = {"warn": "提示(审批人确认)", "block": "禁止(不能提交)"}


tab_words, tab_errors, tab_try = st.tabs(["敏感词", "严重错误(错→对)", "试一试"])
with tab_words:
    words = lexicon.list_words(con)
    _shared.table(pd.DataFrame([{"编号": w["id"], "敏感词": w["word"], "级别": SEVERITY[w["severity"]],
                                "说明": w["note"]} for w in words]), hide_index=True, width="stretch")
    with st.form("lx_word_form", clear_on_submit=False):
        cols = st.columns([2, 1, 3])
        word = cols[0].text_input("敏感词", key="lx_word")
        severity = cols[1].selectbox("级别", list(SEVERITY), format_func=SEVERITY.get, key="lx_word_severity")
        note = cols[2].text_input("说明", key="lx_word_note")
        if st.form_submit_button("添加敏感词", type="primary"):
            _shared.act(f"已添加敏感词「{word.strip()}」。", lambda: lexicon.add_word(con, user, word, severity, note))
    if words:
        labels = {w["id"]: f"#{w['id']} {w['word']}" for w in words}
        chosen = st.selectbox("删除敏感词", list(labels), format_func=labels.get, key="lx_word_delete_pick")
        if st.button("删除所选敏感词", key="lx_word_delete"):
            _shared.act("已删除。", lambda: lexicon.delete_word(con, user, chosen))
with tab_errors:
    errors = lexicon.list_errors(con)
    _shared.table(pd.DataFrame([{"编号": e["id"], "错误写法": e["wrong"], "正确写法": e["right"],
                                "级别": SEVERITY[e["severity"]], "说明": e["note"]} for e in errors]),
                 hide_index=True, width="stretch")
    with st.form("lx_error_form", clear_on_submit=False):
        cols = st.columns([2, 2, 1, 2])
        wrong = cols[0].text_input("错误写法", key="lx_wrong")
        right = cols[1].text_input("正确写法", key="lx_right")
        level = cols[2].selectbox("级别", list(SEVERITY), format_func=SEVERITY.get, key="lx_error_severity", index=1)
        note = cols[3].text_input("说明", key="lx_error_note")
        if st.form_submit_button("添加错→对", type="primary"):
            _shared.act(f"已添加「{wrong.strip()}」→「{right.strip()}」。",
                lambda: lexicon.add_error(con, user, wrong, right, level, note))
    if errors:
        labels = {e["id"]: f"#{e['id']} {e['wrong']} → {e['right']}" for e in errors}
        chosen = st.selectbox("删除词条", list(labels), format_func=labels.get, key="lx_error_delete_pick")
        if st.button("删除所选词条", key="lx_error_delete"):
            _shared.act("已删除。", lambda: lexicon.delete_error(con, user, chosen))
with tab_try:
    title = st.text_input("标题", key="lx_try_title")
    body = st.text_area("正文(纯文字)", key="lx_try_body", height=160)
    if st.button("筛查", key="lx_try_go"):
        findings = screening.screen(title, content.text_to_html(body), lexicon=lexicon.load(con))
        if not findings:
            st.success("未发现问题。")
        for finding in findings:
            show = st.error if finding.blocking else st.warning
            show(finding.summary)
