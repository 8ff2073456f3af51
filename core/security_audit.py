"""安全审计: the audit log in staff's words (search, labels, CSV export) and its archive past the retention period.

Top floor of the audit: imports the log and its chain (core/audit.py), settings (the retention period) and the
labels of the modules whose actions it names (accounts, backup, columns, incidents, interaction, workflow).
The log itself stays low (every module records into it); what reads it in staff's words needs those words from
above, so it lives here.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core import columns, disclosure, exports, interaction, proposals, settings, workflow
from core.accounts import ROLE_LABELS
from core.audit import COLUMNS, anchor, file_sha256, record, seal, sql_path, verify
from core.backup import TRIGGER_LABELS
from core.db import LIKE_ESCAPE, like_pattern, row, rows, scalar, transaction
from core.errors import ValidationError
from core.incidents import SOURCE_LABELS
from core.permissions import require

# What each action is called wherever staff read the log (安全审计, 运行概览, CSV export, notebooks).
# The stored codes stay as they are (the hash chain covers them); workflow.* and message.* take
# their names from core/workflow.py and core/interaction.py (see action_label).
ACTION_LABELS: dict[str, str] = {
    "auth.login": "登录成功", "auth.login_failed": "登录失败", "auth.lockout": "账号锁定",
    "auth.login_refused": "锁定期间尝试登录", "auth.unlock": "解除锁定", "auth.password_ok": "密码正确(待动态口令)",
    "auth.totp_failed": "动态口令错误", "auth.totp_enrol": "启用动态口令", "auth.resume": "凭登录凭证恢复会话",
    "auth.logout": "退出登录", "auth.session_end": "会话结束",
    "accounts.create": "新建账号", "accounts.update": "修改账号", "accounts.reset_password": "重置密码",
    "accounts.change_password": "修改密码", "accounts.unlock": "解除锁定", "accounts.reset_totp": "重置动态口令",
    "accounts.disable_totp": "停用动态口令",
    "settings.edit": "修改设置", "chain.edit": "修改审批流程", "columns.create": "新建栏目", "columns.update": "修改栏目",
    "divisions.create": "新建处室",
    "lexicon.add_word": "新增敏感词", "lexicon.update_word": "修改敏感词", "lexicon.delete_word": "删除敏感词",
    "lexicon.add_error": "新增严重错误", "lexicon.update_error": "修改严重错误", "lexicon.delete_error": "删除严重错误",
    "attachments.add": "添加附件", "attachments.remove": "删除附件",
    "requests.create": "提交委托发布申请", "requests.fulfil": "办理委托发布申请", "requests.decline": "退回委托发布申请",
    "message.save_answer": "保存留言答复", "message.deadlines": "修改留言办理期限",
    "bulletin.issue": "印发通报",
    "disclosure_report.save": "保存政府信息公开工作年度报告",  # issue 14, report
    "disclosure_report.submit": "提交政府信息公开工作年度报告审批",
    "site_report.save": "填报政府网站工作年度报表", "site_report.kind": "修改年度报表信息类别",  # issue 15, report
    "site_report.submit": "提交政府网站工作年度报表审批",
    "calendar.set": "设置节假日", "calendar.remove": "删除节假日设置", "calendar.confirm": "确认年度节假日",
    "calendar.unconfirm": "取消确认年度节假日", "calendar.import": "导入年度节假日",
    "freshness.interval": "修改栏目更新期限", "freshness.column": "修改单个栏目的更新监测",
    "freshness.remind": "超期栏目提醒",
    "evaluation.weights": "修改考评权重", "evaluation.award": "记录表彰", "evaluation.criticise": "记录通报批评",
    "evaluation.revoke_award": "撤销表彰", "evaluation.revoke_criticism": "撤销通报批评",
    "audit.export": "导出审计日志", "audit.archive": "归档审计日志", "audit.verify": "校验审计日志",
    "backup.create": "备份", "backup.failed": "备份失败", "backup.verify": "校验备份", "backup.request": "申请备份",
    "backup.restore": "由备份恢复", "secrets.encrypt": "加密保存动态口令密钥和 SMTP 密码",
    "incidents.create": "登记安全事件", "incidents.suggest": "自动提示安全事件", "incidents.update": "修改安全事件",
    "incidents.step": "记录处置步骤", "incidents.confirm": "确认安全事件", "incidents.dismiss": "排除安全事件",
    "incidents.close": "安全事件结案",
    "duties.create": "登记应发布信息", "duties.edit": "修改应发布信息", "duties.link": "应发布信息关联已发布信息",
    "duties.cancel": "取消应发布信息", "duties.criticise": "应发布信息列为通报批评",
    "identity.mark_upload": "上传党政机关网站标识", "identity.mark_remove": "删除党政机关网站标识",  # issue 15, identity
    "links.check": "检查门户链接", "access.import": "导入访问日志",  # issue 15, links and visits
    "catalogue.save": "保存公开目录信息", "catalogue.index": "分配索引号", "catalogue.validity": "变更文件有效性", "catalogue.kinds": "修改登记公开目录的栏目类型",
    "catalogue.topic_add": "新增主题分类", "catalogue.topic_rename": "修改主题分类名称", "catalogue.topic_move": "调整主题分类顺序",
    "catalogue.topic_retire": "停用主题分类", "catalogue.topic_restore": "恢复主题分类",
    "catalogue.statutory": "修改法定主动公开内容的栏目",
    "import.run": "导入历史信息", "demo.load": "载入演示数据", "demo.measures": "生成演示考评数据",
    # issue 17, support: 技术支持 and 培训记录 (第十条)
    "support.raise": "提出技术支持请求", "support.accept": "受理技术支持请求", "support.answer": "答复技术支持请求",
    "support.reply": "追问技术支持请求", "support.confirm": "确认技术支持请求已解决", "support.close": "关闭技术支持请求",
    "support.reopen": "重新打开技术支持请求", "training.create": "登记培训", "training.update": "修改培训记录",
    "training.cancel": "取消培训记录", "training.add_material": "添加培训材料", "training.remove_material": "删除培训材料",
    # issue 17: 征集调查 and 在线访谈, their comments and questions (moderated, 第二十三条)
    "consultation.create": "新建征集调查", "consultation.edit": "修改征集调查", "consultation.open": "发布征集调查",
    "consultation.close": "结束征集调查", "consultation.summarise": "公布征集调查反馈",
    "consultation.attach": "添加征集调查附件", "consultation.detach": "删除征集调查附件",
    "consultation_comment.submit": "公众提交征集意见", "consultation_comment.approve": "审核通过征集意见",
    "consultation_comment.reject": "不予通过征集意见",
    "interview.create": "新建在线访谈", "interview.edit": "修改访谈预告", "interview.announce": "发布访谈预告",
    "interview.hold": "结束访谈提问", "interview.write": "录入访谈实录", "interview.publish": "公布访谈实录",
    "interview.correct": "更正访谈实录", "interview.strike": "删除访谈实录条目",
    "interview_question.submit": "公众提交访谈提问", "interview_question.approve": "审核通过访谈提问",
    "interview_question.reject": "不予通过访谈提问",
}
# accounts that are not people
ACTOR_LABELS = {"system": "系统", "public": "公众"}



# ---------------------------------------------------------------- retention and archive

def settings_days(con: duckdb.DuckDBPyConnection) -> int:
    return int(settings.get(con, "audit_retention_days"))


def retention_cutoff(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> dt.datetime:
    return (now or dt.datetime.now()) - dt.timedelta(days=settings_days(con))


@dataclass(frozen=True)
class Archived:
    rows: int
    file: Path | None
    first_seq: int | None = None
    last_seq: int | None = None

    @property
    def message(self) -> str:
        if not self.rows:
            return "没有超过保留期限、可以归档的审计日志。"
        return f"已归档 {self.rows} 条审计日志(序号 {self.first_seq}–{self.last_seq})到 {self.file}。"


def archive(con: duckdb.DuckDBPyConnection, actor, dest: str | Path, before: dt.datetime | None = None,
            now: dt.datetime | None = None) -> Archived:
    """Move the oldest rows (older than the retention period, 网络安全法第二十一条) to Parquet.

    Only a prefix of the chain moves, so the rest continues from the recorded anchor; no row
    younger than the retention period is ever deleted, whatever `before` says.
    """
    if actor is not None and not isinstance(actor, str):
        require(actor, "audit.archive")
    cutoff = retention_cutoff(con, now)
    if before is not None:
        if before > cutoff:
            days = settings_days(con)
            raise ValidationError("归档截止时间", f"不得晚于 {cutoff:%Y-%m-%d %H:%M}:审计日志至少保存 {days} 天",
                                  "第二十条")
        cutoff = before
    checked = verify(con)
    if not checked.ok:
        raise ValidationError("审计日志", "哈希链不完整,请先查明原因,不能归档:" + checked.message, "第二十条")
    anchor_seq, anchor_hash = anchor(con)
    # the chain prefix whose rows are all older than the cutoff
    stop = scalar(con, """
        SELECT min(c.seq) FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id
        WHERE a.created_at >= ?""", [cutoff])
    last = scalar(con, "SELECT max(seq) FROM audit_chain" + (" WHERE seq < ?" if stop is not None else ""),
                  [stop] if stop is not None else [])
    if last is None or last <= anchor_seq:
        return Archived(0, None)
    first = anchor_seq + 1
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"audit-{first:012d}-{last:012d}.parquet"
    if target.exists():
        raise ValidationError("归档文件", f"{target} 已存在")
    cur = con.cursor()
    try:
        with transaction(cur):
            cur.execute(f"""
                COPY (SELECT c.seq, c.prev_hash, c.row_hash, {COLUMNS}
                      FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id
                      WHERE c.seq BETWEEN {int(first)} AND {int(last)} ORDER BY c.seq)
                TO '{sql_path(target)}' (FORMAT parquet)""")
            stats = row(cur, f"""SELECT count(*) AS n, min(created_at) AS oldest, max(created_at) AS newest
                                 FROM read_parquet('{sql_path(target)}')""")
            if stats["n"] != last - first + 1 or stats["newest"] >= cutoff:
                raise ValidationError("审计日志", "归档文件与日志不一致,已放弃归档")
            end_hash = scalar(cur, "SELECT row_hash FROM audit_chain WHERE seq = ?", [last])
            cur.execute("""INSERT INTO audit_anchor (seq, row_hash, first_seq, prev_hash, rows, oldest_at, newest_at,
                                                     file, file_sha256, archived_by)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        [last, end_hash, first, anchor_hash, stats["n"], stats["oldest"], stats["newest"],
                         str(target), file_sha256(target),
                         actor if isinstance(actor, str) else getattr(actor, "username", "system")])
            # the retention guard again, in the statement itself (第二十条)
            cur.execute("""DELETE FROM audit_log WHERE created_at < ? AND id IN
                           (SELECT audit_id FROM audit_chain WHERE seq BETWEEN ? AND ?)""", [cutoff, first, last])
            cur.execute("DELETE FROM audit_chain WHERE seq BETWEEN ? AND ?", [first, last])
            record(cur, actor, "audit.archive", f"audit:{first}-{last}",
                   f"{stats['n']} 条,{stats['oldest']} 至 {stats['newest']},文件 {target.name}")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        cur.close()
    seal(con)
    return Archived(stats["n"], target, first, last)


# ---------------------------------------------------------------- reading (安全审计)

def search(con: duckdb.DuckDBPyConnection, actor, *, who: str = "", action: str = "", obj: str = "",
           since: dt.datetime | None = None, until: dt.datetime | None = None, limit: int = 1000) -> list[dict]:
    """Rows matching the filters, newest first, with their chain position (第二十条)."""
    require(actor, "audit.view")
    where, params = ["TRUE"], []
    if who.strip():
        where.append(f"a.actor ILIKE ? {LIKE_ESCAPE}")
        params.append(like_pattern(who.strip()))
    if action.strip():
        where.append(f"a.action ILIKE ? {LIKE_ESCAPE}")
        params.append(like_pattern(action.strip()))
    if obj.strip():
        where.append(f"(a.object ILIKE ? {LIKE_ESCAPE} OR a.summary ILIKE ? {LIKE_ESCAPE})")
        params += [like_pattern(obj.strip())] * 2
    if since is not None:
        where.append("a.created_at >= ?")
        params.append(since)
    if until is not None:
        where.append("a.created_at < ?")
        params.append(until)
    # the newest rows first, then their seals: joining the whole log to the whole chain before the LIMIT took
    # 1.0-1.8 s at 1,000,000 rows on each open of 安全审计; the seals of `limit` rows by their id range, ~20 ms
    found = rows(con, f"""
        WITH picked AS (
            SELECT a.id, a.created_at, a.actor, a.role, a.action, a.object, a.summary, a.client FROM audit_log a
            WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT ?)
        SELECT p.id, c.seq, p.created_at, p.actor, p.role, p.action, p.object, p.summary, p.client
        FROM picked p LEFT JOIN (SELECT audit_id, seq FROM audit_chain
                                 WHERE audit_id >= (SELECT min(id) FROM picked)) c ON c.audit_id = p.id
        ORDER BY p.id DESC""", [*params, int(limit)])
    return describe(con, found)


def export_csv(con: duckdb.DuckDBPyConnection, actor, entries: list[dict], filters: str = "") -> bytes:
    """The rows as CSV (UTF-8 with BOM, so Excel opens Chinese correctly); the export is logged.

    Cells a spreadsheet would run (a user name tried at login can be `=HYPERLINK(…)`) get a leading ' (see
    core.exports): to check a copy against the hash chain, remove that one ' from such cells first."""
    require(actor, "audit.export")
    # staff's words first; the stored row after them, as the hash chain covers it (for checking a copy)
    header = ["编号", "链序号", "时间", "用户", "角色", "操作", "对象", "摘要", "客户端",
              "原始记录:角色", "原始记录:操作", "原始记录:对象", "原始记录:摘要"]
    lines = [[e["id"], e.get("seq") or "", e["created_at"], e["actor_label"], e["role_label"],
              e["action_label"], e["object_label"], e["summary_label"], e["client"] or "",
              e["role"] or "", e["action"], e["object"] or "", e["summary"] or ""]
             for e in describe(con, [dict(e) for e in entries])]
    data = exports.csv_bytes(header, lines)
    with transaction(con):
        record(con, actor, "audit.export", "audit_log", f"{len(entries)} 条;筛选:{filters or '无'}")
    return data


def distinct_actions(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r["action"] for r in rows(con, "SELECT DISTINCT action FROM audit_log ORDER BY action")]


# ---------------------------------------------------------------- in staff's words
#
# Rows keep their codes (`workflow.publish`, `article:3214`, `approved→published r3`, role `head`);
# what staff read is derived here, once, for the page, the export and the notebooks.

def action_label(action: str) -> str:
    prefix, _, name = action.partition(".")
    if prefix == "workflow" and name in workflow.ACTION_LABELS:
        return f"稿件{workflow.ACTION_LABELS[name]}"
    if prefix == "message" and name in interaction.ACTION_LABELS:
        return f"留言{interaction.ACTION_LABELS[name]}"
    if prefix == "disclosure" and name in disclosure.ACTION_LABELS:
        return f"依申请公开{disclosure.ACTION_LABELS[name]}"
    if prefix == "proposals" and name in proposals.ACTION_LABELS:  # 建议与提案 (issue 17)
        return f"建议与提案{proposals.ACTION_LABELS[name]}"
    return ACTION_LABELS.get(action, action)


def role_label(role: str | None) -> str:
    return "、".join(ROLE_LABELS.get(r, r) for r in (role or "").split(",") if r)


def actor_label(actor: str) -> str:
    return ACTOR_LABELS.get(actor, actor)


# object kind → (what it is called, the table and column that name one, if any)
OBJECT_KINDS: dict[str, tuple[str, str | None]] = {
    "article": ("稿件", "SELECT id, title FROM articles WHERE id IN"),
    "message": ("留言", "SELECT id, code || ' ' || subject FROM messages WHERE id IN"),
    "column": ("栏目", "SELECT id, name FROM columns WHERE id IN"),
    "division": ("处室", "SELECT id, name FROM divisions WHERE id IN"),
    "incident": ("安全事件", "SELECT id, title FROM incidents WHERE id IN"),
    "bulletin": ("通报", "SELECT id, period FROM bulletins WHERE id IN"),
    "request": ("委托发布申请", None), "award": ("表彰", None), "criticism": ("通报批评", None),
    "user": ("账号", None), "backup": ("备份", None), "file": ("文件", None), "day": ("日期", None),
    "year": ("年度", None), "audit": ("审计日志记录", None),
    "chain": ("审批流程", None), "kind": ("栏目类型", None),
    "disclosure": ("依申请公开", "SELECT id, number FROM disclosure_applications WHERE id IN"),
    "template": ("告知书模板", None),
    "proposal": ("建议与提案", "SELECT id, subject FROM proposals WHERE id IN"),  # issue 17
    "duty": ("应发布信息", "SELECT id, subject FROM duty_records WHERE id IN"),
    "statutory": ("法定主动公开内容", None),
    "support": ("技术支持请求", "SELECT id, subject FROM support_requests WHERE id IN"),  # issue 17, support
    "training": ("培训", "SELECT id, topic FROM training_sessions WHERE id IN"),
    "consultation": ("征集调查", "SELECT id, subject FROM consultations WHERE id IN"),  # issue 17
    "consultation_comment": ("征集意见", None),
    "interview": ("在线访谈", "SELECT id, subject FROM interviews WHERE id IN"),
    "interview_question": ("访谈提问", None),
}
WHOLE_OBJECTS = {"database": "数据库", "settings": "系统设置", "audit_log": "审计日志", "backup": "备份",
                 "evaluation_weights": "考评权重", "message_deadlines": "留言办理期限",
                 "site_assets:dzjg_mark": "党政机关网站标识"}  # issue 15, identity
_REF = re.compile(r"\b(" + "|".join(OBJECT_KINDS) + r"):([\w.\-]+)")


def _lookups(con, refs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The titles and names behind `kind:id` references, one query per kind."""
    found: dict[tuple[str, str], str] = {}
    for kind, (_, query) in OBJECT_KINDS.items():
        ids = sorted({int(i) for k, i in refs if k == kind and i.isdigit()})
        if query and ids:
            marks = ", ".join("?" * len(ids))
            found |= {(kind, str(i)): name for i, name in con.execute(f"{query} ({marks})", ids).fetchall()}
    names = sorted({i for k, i in refs if k == "user"})
    if names:
        marks = ", ".join("?" * len(names))
        found |= {("user", u): d for u, d in con.execute(
            f"SELECT username, display_name FROM users WHERE username IN ({marks})", names).fetchall()}
    # division ids (处室=N as well as division:N) are named by the OBJECT_KINDS query above
    people = sorted({int(i) for k, i in refs if k == "person" and i.isdigit()})
    if people:
        marks = ", ".join("?" * len(people))
        found |= {("person", str(i)): d for i, d in con.execute(
            f"SELECT id, display_name FROM users WHERE id IN ({marks})", people).fetchall()}
    return found


def _ref_text(kind: str, ident: str, names: dict) -> str:
    what = OBJECT_KINDS[kind][0]
    if kind == "user":
        name = names.get((kind, ident))
        return f"账号 {ident}" + (f"({name})" if name and name != ident else "")
    if kind == "kind":
        return f"栏目类型「{columns.DEFAULT_KINDS.get(ident, ident)}」"
    if kind == "chain":
        return f"{ident}信息的审批流程"
    if kind == "audit":
        return f"审计日志第 {ident.replace('-', '–')} 条"
    if kind in ("backup", "file", "day"):
        return f"{what} {ident}"
    if kind == "year":
        return f"{ident} 年"
    if kind == "statutory":
        return f"法定主动公开内容第 {ident} 类"
    name = names.get((kind, ident))
    return f"{what} #{ident}" + (f"「{name}」" if name else "")


def object_label(obj: str | None, names: dict) -> str:
    if not obj:
        return ""
    if obj in WHOLE_OBJECTS:
        return WHOLE_OBJECTS[obj]
    return _REF.sub(lambda m: _ref_text(m.group(1), m.group(2), names), obj)


_QUOTED = re.compile(r"(「[^」]*」)")  # what someone typed (a title, a comment): never translated
_CODE_LIST = re.compile(r"[\[(]((?:'[a-z_]+'(?:, )?)*),?[\])]")  # ['head', 'leader'] or ('head',)
_TRANSITION = re.compile(r"\b([a-z_]+|-)→([a-z_]+)\b")
_REVISION = re.compile(r" r(\d+)\b")
_PERSON = re.compile(r"(?:个人|user_id)=(\d+)")
_DIVISION = re.compile(r"(?:处室|division|division_id)=(\d+)")
_WORDS = {"division=None": "处室:无", "True": "是", "False": "否", "None": "无", "roles=": "角色:", "roles": "角色", "active=是": "启用", "active=否": "停用",
          "sha256=": "校验值 "}
# compiled once, in order (「active=是」 is met after True became 是)
_WORD_RULES = [(re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])"), label) for word, label in _WORDS.items()]


def _states_for(action: str) -> dict[str, str]:
    return {"workflow": workflow.STATE_LABELS, "message": interaction.STATE_LABELS}.get(action.split(".")[0], {})


def _mapping_text(action: str, text: str) -> str | None:
    """settings.edit and columns.create store a dict: each key by its label."""
    try:
        values = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(values, dict):
        return None
    parts = []
    for key, value in values.items():
        if action == "settings.edit" and key in settings.BY_NAME:
            setting = settings.BY_NAME[key]
            parts.append(f"{setting.label}:{dict(setting.choices).get(value, value)}")
        else:
            parts.append(f"{columns.FIELD_LABELS.get(key, key)}:{value}")
    return ";".join(parts)


def _plain(action: str, text: str, names: dict) -> str:
    mapped = _mapping_text(action, text) if text.startswith("{") else None
    if mapped is not None:
        return _plain(action, mapped, names) if mapped != text else mapped
    states = _states_for(action)
    text = _CODE_LIST.sub(lambda m: "、".join(ROLE_LABELS.get(c, c) for c in re.findall(r"'([a-z_]+)'", m.group(1)))
                          or "无", text)
    text = _TRANSITION.sub(lambda m: f"{states.get(m.group(1), '无' if m.group(1) == '-' else m.group(1))}"
                                     f"→{states.get(m.group(2), m.group(2))}", text)
    text = _REVISION.sub(r" 第\1版", text) if action.startswith("workflow.") else text
    text = _PERSON.sub(lambda m: f"个人:{names.get(('person', m.group(1)), m.group(1))}", text)
    text = _DIVISION.sub(lambda m: f"处室:{names.get(('division', m.group(1)), m.group(1))}", text)
    text = _REF.sub(lambda m: _ref_text(m.group(1), m.group(2), names), text)
    for code, label in {**TRIGGER_LABELS, **SOURCE_LABELS}.items():
        if text.startswith(f"{code};") or text.startswith(f"{code}:"):
            text = label + ";" + text[len(code) + 1:]
    text = re.sub(r"\b([a-z_]+):", lambda m: columns.FIELD_LABELS.get(m.group(1), m.group(1)) + ":", text)
    for pattern, label in _WORD_RULES:
        text = pattern.sub(label, text)
    return re.sub(r"(\d) B\b", r"\1 字节", text)


def summary_label(action: str, summary: str | None, names: dict) -> str:
    parts = _QUOTED.split(summary or "")
    return "".join(part if i % 2 else _plain(action, part, names) for i, part in enumerate(parts))


def _refs_in(entry: dict) -> set[tuple[str, str]]:
    found = set(_REF.findall(entry.get("object") or "")) | set(_REF.findall(entry.get("summary") or ""))
    summary = entry.get("summary") or ""
    found |= {("person", i) for i in _PERSON.findall(summary)}
    found |= {("division", i) for i in _DIVISION.findall(summary)}
    return found


def describe(con: duckdb.DuckDBPyConnection, entries: list[dict]) -> list[dict]:
    """Add what staff read to each row (action_label, role_label, actor_label, object_label,
    summary_label); the stored codes stay beside them."""
    names = _lookups(con, set().union(*(_refs_in(e) for e in entries))) if entries else {}
    for entry in entries:
        entry["action_label"] = action_label(entry["action"])
        entry["role_label"] = role_label(entry.get("role"))
        entry["actor_label"] = actor_label(entry["actor"])
        entry["object_label"] = object_label(entry.get("object"), names)
        entry["summary_label"] = summary_label(entry["action"], entry.get("summary"), names)
    return entries
