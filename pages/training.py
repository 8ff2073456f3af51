"""培训记录 (第十条(三)): the technical-support unit records its sessions; everyone sees their own history; the
unit and the office see who was never trained."""

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from core import permissions, training
from pages import _shared

con = _shared.cursor()
user = _shared.require_user(con)
st.title("培训记录")
st.caption("技术支持单位安排专人对各局处室进行培训和技术指导(第十条(三))。培训由技术支持单位或办公室登记,"
           "参加人员从各处室的信息员和处室负责人中选择。")
_shared.show_flash()
records = permissions.can(user, "training.record")

# ---------------------------------------------------------------- one's own history
if user.roles & set(training.TRAINEE_ROLES):
    st.subheader("我参加的培训")
    mine = training.history(con, user)
    if not mine:
        st.info("您还没有参加过培训。请留意技术支持单位的培训通知,或在「技术支持」页面咨询。", icon=":material/school:")
    _shared.table(pd.DataFrame([{"日期": s["held_on"], "主题": s["topic"], "培训人": s["trainer"]} for s in mine],
                               columns=["日期", "主题", "培训人"]), hide_index=True, width="stretch",
                  key="training_mine")

if not records:
    st.stop()

people = {p["id"]: p for p in training.trainees(con)}


def person(person_id: int) -> str:
    found = people.get(person_id)
    return f"{found['division']} · {found['display_name']}" if found else f"账号 #{person_id}(已停用)"


# ---------------------------------------------------------------- statistics
st.subheader("培训情况统计")
this_year = dt.date.today().year
year = st.selectbox("年度", list(range(this_year, this_year - 5, -1)), key="training_year",
                    format_func=lambda y: f"{y} 年")
figures = training.figures(con, user, year)
cols = st.columns(4)
cols[0].metric("培训场次", figures["sessions"])
cols[1].metric("参训人次", figures["attendances"])
cols[2].metric("本年度已培训人数", f"{figures['trained']} / {figures['people']}")
cols[3].metric("覆盖率", "—" if figures["coverage"] is None else f"{figures['coverage']}%")
never, not_this_year = st.columns(2)
with never:
    untrained = training.untrained(con, user)
    st.markdown(f"**从未参加培训的人员({len(untrained)} 人)**")
    _shared.table(pd.DataFrame([{"处室": p["division"], "姓名": p["display_name"]} for p in untrained],
                               columns=["处室", "姓名"]), hide_index=True, width="stretch", key="training_never")
with not_this_year:
    missing = training.untrained(con, user, year)
    st.markdown(f"**{year} 年未参加培训的人员({len(missing)} 人)**")
    _shared.table(pd.DataFrame([{"处室": p["division"], "姓名": p["display_name"], "上次培训": p["last_on"]}
                                for p in missing], columns=["处室", "姓名", "上次培训"]),
                  hide_index=True, width="stretch", key="training_not_this_year")
st.markdown(f"**各处室 {year} 年培训情况**")
_shared.table(pd.DataFrame([{"处室": d["division"], "信息员和负责人": d["people"], "已培训": d["trained"],
                             "未培训": d["untrained"], "参训人次": d["attendances"]}
                            for d in training.division_counts(con, user, year)],
                           columns=["处室", "信息员和负责人", "已培训", "未培训", "参训人次"]),
              hide_index=True, width="stretch", key="training_divisions")

# ---------------------------------------------------------------- record a session
st.subheader("登记培训")
with st.form("training_new"):
    left, right = st.columns(2)
    held_on = left.date_input("培训日期", value=dt.date.today(), key="training_new_date",
                              format="YYYY-MM-DD")
    trainer = right.text_input("培训人", key="training_new_trainer")
    topic = st.text_input("培训主题", key="training_new_topic")
    attendees = st.multiselect("参加人员", list(people), format_func=person, key="training_new_attendees",
                               placeholder="选择参加培训的信息员和处室负责人")
    notes = st.text_area("备注", key="training_new_notes", height=68)
    materials = _shared.attachment_uploader(con, "培训材料(可多选)", "training_new_files", accept_multiple_files=True)
    submitted = st.form_submit_button("登记", type="primary")
if submitted:
    files = [(f.name, f.getvalue()) for f in materials or []]
    _shared.act(lambda new_id: f"培训记录 #{new_id} 已登记。",
                lambda: training.create_session(con, user, held_on=held_on, topic=topic, trainer=trainer,
                                                attendees=attendees, notes=notes, materials=files),
                then=lambda: [st.session_state.pop(f"training_new_{key}", None)  # a second click records nothing twice
                              for key in ("topic", "trainer", "attendees", "notes", "files")])

# ---------------------------------------------------------------- the sessions
st.subheader("培训记录")
listed = training.sessions(con, user)
_shared.table(pd.DataFrame([{"编号": s["id"], "日期": s["held_on"], "主题": s["topic"], "培训人": s["trainer"],
                             "参加人数": s["attendees"], "材料": s["materials"], "状态": s["state_label"]}
                            for s in listed], columns=["编号", "日期", "主题", "培训人", "参加人数", "材料", "状态"]),
              hide_index=True, width="stretch", key="training_sessions")
if listed:
    by_id = {s["id"]: s for s in listed}
    chosen = st.selectbox("查看或修改", list(by_id), key="training_target",
                          format_func=lambda i: f"#{i} {by_id[i]['held_on']} {by_id[i]['topic']}"
                                                f"({by_id[i]['state_label']})")
    item = training.get_session(con, chosen)
    with st.container(border=True):
        st.markdown(f"**{_shared.inert(item['topic'])}** · {item['held_on']} · 培训人 {_shared.inert(item['trainer'])}"
                    f" · {item['state_label']}")
        if item["cancel_reason"]:
            st.caption(f"取消原因:{item['cancel_reason']}")
        st.caption("参加人员:" + ("、".join(person(i) for i in item["attendees"]) or "无"))
        if item["notes"]:
            st.markdown(_shared.inert(item["notes"]))
        for material in item["materials"]:
            left, right = st.columns([4, 1])
            left.download_button(f"材料:{material['filename']}", training.material_data(con, user, material["id"]),
                                 material["filename"], key=f"training_file_{material['id']}",
                                 icon=":material/attach_file:")
            if item["state"] == "held" and right.button("删除", key=f"training_file_remove_{material['id']}"):
                _shared.act("材料已删除。", partial(training.remove_material, con, user, material["id"]))
        if item["state"] == "held":
            with st.form(f"training_edit_{item['id']}"):
                left, right = st.columns(2)
                e_date = left.date_input("培训日期", value=item["held_on"],
                                         key=f"training_edit_date_{item['id']}", format="YYYY-MM-DD")
                e_trainer = right.text_input("培训人", value=item["trainer"], key=f"training_edit_trainer_{item['id']}")
                e_topic = st.text_input("培训主题", value=item["topic"], key=f"training_edit_topic_{item['id']}")
                e_people = st.multiselect("参加人员", list(people), default=[i for i in item["attendees"] if i in people],
                                          format_func=person, key=f"training_edit_attendees_{item['id']}")
                e_notes = st.text_area("备注", value=item["notes"], key=f"training_edit_notes_{item['id']}", height=68)
                if st.form_submit_button("保存修改"):
                    _shared.act("培训记录已修改。", partial(
                        training.update_session, con, user, item["id"], item["version"], held_on=e_date,
                        topic=e_topic, trainer=e_trainer, attendees=e_people, notes=e_notes))
            upload = _shared.attachment_uploader(con, "添加材料", f"training_add_file_{item['id']}")
            if upload is not None and st.button("上传材料", key=f"training_add_file_go_{item['id']}"):
                _shared.act("材料已添加。", partial(training.add_material, con, user, item["id"], upload.name,
                                                    upload.getvalue()))
            with st.form(f"training_cancel_{item['id']}"):
                reason = st.text_input("取消原因", key=f"training_cancel_reason_{item['id']}",
                                       placeholder="如:误登记、培训未举办")
                if st.form_submit_button("取消该培训记录"):
                    _shared.act("培训记录已取消,不再计入统计。",
                                partial(training.cancel_session, con, user, item["id"], item["version"], reason))
