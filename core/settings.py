"""Office-editable settings, declared once: name, default, type, help (low-code).

The same table gives defaults, validation and the help text shown in the workbench; secret settings and
second-factor secrets are kept encrypted (`encrypt_at_rest`, keys in core/keys.py).
Imports the floors below it: audit, keys, db, permissions, contacts, identity, text, errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from core import audit, contacts, identity, keys
from core.db import kept, transaction
from core.docx_limits import DocxLimits  # not core.docx_guard: ≈4 ms every process reading a setting paid
from core.errors import ValidationError
from core.permissions import require
from core.text import clean_text  # every text field is cleaned on the way in (issue 12, M3)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    kind: type
    label: str
    help: str
    minimum: float | None = None
    pattern: str | None = None  # a str setting must match it in full (e.g. a time of day)
    pattern_rule: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label): the workbench offers a list
    # last, so that the settings above that give a pattern by position keep it
    maximum: float | None = None
    maximum_rule: str = ""  # why no more (the article or the limit it follows)


# what the workbench takes in one upload: .streamlit/config.toml server.maxUploadSize and deploy/nginx.conf's
# client_max_body_size for the workbench say the same (tests/test_attachments_limit.py); no attachment limit above it
UPLOAD_CEILING_MB = 50

# a setting that names a column by its address (网址标识), or none
COLUMN_SLUG, COLUMN_SLUG_RULE = r"|[a-z0-9][a-z0-9-]*", "填写栏目的网址标识(小写字母、数字和连字符),不设置则留空"


SETTINGS: tuple[Setting, ...] = (
    Setting("group_quorum", 1, int, "领导小组审批人数",
            "重大/特殊信息需领导小组多少名成员同意(第十四条)", 1),
    Setting("approval_wait_hours", 48, int, "审批等待提醒(小时)",
            "稿件在某一审批环节等待超过该时长时,邮件提醒审批人", 1),
    Setting("publish_lag_days", 3, int, "发布时限(天)",
            "工作结束后应在第几日内发布(第十七条)", 0),
    Setting("publish_lag_mode", "calendar", str, "发布时限计算方式",
            "按自然日或按工作日计算(节假日和调休以“节假日日历”为准,第十七条)",
            pattern=r"calendar|working", pattern_rule="只能是 calendar(自然日)或 working(工作日)",
            choices=(("calendar", "按自然日"), ("working", "按工作日"))),
    # column updates (第二十七条(五)): the intervals per column kind are in 栏目更新监测
    Setting("freshness_home_days", 14, int, "首页更新期限(天)",
            "全站最近一次发布距今超过该天数,即视为首页长期未更新(单项否决)", 1),
    Setting("freshness_due_soon_days", 3, int, "栏目即将超期提示(天)",
            "距更新期限不足该天数的栏目显示为“即将超期”", 0),
    Setting("freshness_veto_stale", 5, int, "未更新栏目否决数(个)",
            "超期未更新的栏目达到该数目,即触发单项否决", 1),
    Setting("freshness_veto_blank", 5, int, "空白栏目否决数(个)",
            "从未发布信息的栏目达到该数目,即触发单项否决", 1),
    Setting("stale_reminder_interval_days", 7, int, "超期栏目提醒间隔(天)",
            "栏目超期未更新时,每隔该天数向处室信息员和负责人发送一次提醒(第二十七条(五))", 1),
    Setting("stale_reminders_before_criticism", 3, int, "提醒几次后列入通报批评候选",
            "超期栏目经该次数提醒仍未更新的,列为通报批评候选(第二十七条(五))", 1),
    Setting("evaluation_award_top", 3, int, "考评推荐表彰处室数",
            "年度考评得分排名前几位(未受通报批评)的处室推荐表彰(第二十六条(一))", 1),
    # 建议与提案 (issue 17): the regulation sets no time for carrying out an adopted proposal (第八条(一)(二)、
    # 第十条(一)); a quarter is long enough to schedule a change with the technical-support unit and short enough
    # for the year's evaluation (第二十六条(三)) to see it. The office may change it; 0 turns the reminder off.
    Setting("proposal_implement_days", 90, int, "建议与提案落实提醒(天)",
            "采纳或部分采纳后超过该天数仍未登记落实情况的,列入办公室的待办(设计方案同时列入技术支持单位的待办);"
            "《管理办法》未规定落实时限,填 0 则不提醒", 0),
    # every upload box for an attachment says this limit and refuses a larger file before sending it
    # (core/attachments.py upload_limit_mb); the servers take no more than UPLOAD_CEILING_MB in one request
    Setting("attachment_max_mb", 20, int, "附件大小上限(MB)",
            f"单个附件的最大体积(第二十条);各处上传附件时按此提示和检查,不能大于 {UPLOAD_CEILING_MB}", 1,
            maximum=UPLOAD_CEILING_MB,
            maximum_rule=f"工作台接收上传文件的上限为 {UPLOAD_CEILING_MB} MB(第二十条)"),
    Setting("body_max_mb", 10, int, "正文大小上限(MB)",
            "一篇稿件正文(含嵌入正文的图片)的最大体积;超过的稿件不能保存、提交审批或迁移导入", 1),
    Setting("attachment_types", "pdf,doc,docx,xls,xlsx,ppt,pptx,wps,et,txt,zip,rar,jpg,jpeg,png,gif,ofd",
            str, "允许的附件类型", "以逗号分隔的扩展名"),
    # Word files turned into 正文: a small file can unpack to hundreds of MB (第二十条)
    Setting("word_max_mb", 100, int, "Word 文件展开后上限(MB)",
            "上传的 Word 文件解压后的总大小超过该值即拒绝转换,防止“压缩炸弹”拖慢工作台(第二十条)", 1),
    Setting("word_max_paragraphs", 20000, int, "Word 文件段落数上限(个)",
            "Word 文件的段落(含表格中的段落)超过该数目即拒绝转换(第二十条)", 100),
    Setting("word_convert_seconds", 60, int, "Word 转换时限(秒)",
            "单个 Word 文件转换为正文的最长时间,超时即停止转换并提示(第二十条)", 5),
    Setting("site_url", "https://www.sxit.gov.cn", str, "网站地址", "门户的正式地址(第六条)"),
    Setting("site_name", "陕西省工业和信息化厅", str, "网站名称", "门户的中文名称(第六条)"),
    # site identity (issue 15; 第四条、第六条; 政府网站发展指引): shown in every portal page's footer and in the
    # 政府网站工作年度报表; core/identity.py validates their shape and the go-live check reports the ones unset
    Setting("site_code", "", str, "网站标识码", "全国政府网站信息报送系统分配的网站标识码",
            pattern=identity.SITE_CODE_PATTERN, pattern_rule=identity.SITE_CODE_RULE),
    Setting("icp_number", "", str, "ICP备案号", "工业和信息化部 ICP/IP 地址/域名信息备案编号",
            pattern=identity.ICP_PATTERN, pattern_rule=identity.ICP_RULE),
    Setting("psb_number", "", str, "公安机关备案号", "公安机关互联网站安全管理服务平台备案编号",
            pattern=identity.PSB_PATTERN, pattern_rule=identity.PSB_RULE),
    Setting("site_sponsor", "陕西省工业和信息化厅", str, "主办单位", "网站的主办单位(第四条)",
            pattern=identity.UNIT_PATTERN, pattern_rule=identity.UNIT_RULE),
    Setting("site_organizer", "", str, "承办单位", "网站的承办单位(第四条)",
            pattern=identity.UNIT_PATTERN, pattern_rule=identity.UNIT_RULE),
    Setting("site_tech_support", "", str, "技术支持单位", "负责网站技术保障的单位(第四条、第十条)",
            pattern=identity.UNIT_PATTERN, pattern_rule=identity.UNIT_RULE),
    Setting("dzjg_cert_url", "", str, "党政机关网站标识证书地址", "党政机关网站标识链接到的证书页面",
            pattern=identity.URL_PATTERN, pattern_rule=identity.URL_RULE),
    Setting("error_report_url", "", str, "“我为政府网站找错”地址", "全国政府网站“我为政府网站找错”平台上本网站的入口",
            pattern=identity.URL_PATTERN, pattern_rule=identity.URL_RULE),
    Setting("contact_address", "", str, "联系地址", "“联系我们”页面公布的通信地址",
            pattern=identity.TEXT_PATTERN, pattern_rule=identity.TEXT_RULE),
    Setting("contact_postcode", "", str, "邮政编码", "“联系我们”页面公布的邮政编码",
            pattern=identity.POSTCODE_PATTERN, pattern_rule=identity.POSTCODE_RULE),
    Setting("contact_hours", "", str, "办公时间", "“联系我们”页面公布的办公时间",
            pattern=identity.TEXT_PATTERN, pattern_rule=identity.TEXT_RULE),
    # the go-live check (issue 15, identity; core/golive.py) reads the web server's configuration in use
    Setting("nginx_conf_path", "", str, "nginx 配置文件路径",
            "门户正在使用的 nginx 配置文件(如 /etc/nginx/conf.d/sxit.conf);“上线检查”据此核对站点域名和 HTTPS 证书",
            pattern=r"|/[^\0\n]*", pattern_rule="应为以 / 开头的完整文件路径,如 /etc/nginx/conf.d/sxit.conf;不设置则留空"),
    # issue 15, visits: the web server's access log (core/access.py) and the availability probes
    # (core/availability.py); the probes stay off until the office confirms the workbench can reach the portal
    Setting("access_log_path", "", str, "访问日志文件",
            "门户网站服务器(nginx)访问日志的完整路径,工作台每小时导入一次新增的记录;为空则不自动导入"),
    Setting("access_robot_words", "bot,spider,crawl,slurp,curl,wget,python-requests,go-http-client,headless", str,
            "网络爬虫标识词", "浏览器标识中含有其中任一词(以逗号分隔,不分大小写)的请求视为网络爬虫,不计入浏览量和访客"),
    Setting("probe_enabled", False, bool, "启用站点可用性监测",
            "启用后工作台定时访问门户首页和几个页面,记录是否可以访问和响应时间;首页连续无法访问时提示安全事件"),
    Setting("probe_base_url", "", str, "监测用门户地址",
            "工作台访问门户所用的地址(如内网地址);为空则使用“网站地址”"),
    Setting("probe_interval_minutes", 5, int, "可用性监测间隔(分钟)", "每隔多少分钟监测一次", 1),
    Setting("probe_fail_threshold", 3, int, "首页连续无法访问告警次数",
            "首页连续该次数无法访问,即提示一起安全事件(站点无法访问属单项否决)", 1),
    Setting("home_latest_items", 10, int, "首页“最新信息”条数",
            "门户首页“最新信息”列出全站各栏目最近发布的信息条数(下次生成门户时生效)", 1),
    # portal (issue 14, 政府信息公开 section): the columns whose articles the section shows; both are
    # published through the approval chain like every article (第十四条)
    Setting("xxgk_guide_column", "", str, "政府信息公开指南栏目",
            "门户“政府信息公开指南”页面显示该栏目最新发布的一篇信息(填栏目的网址标识;指南按审批流程发布,第十四条)",
            pattern=COLUMN_SLUG, pattern_rule=COLUMN_SLUG_RULE),
    Setting("xxgk_report_column", "xxgknb", str, "政府信息公开年报栏目",
            "年度报告在“公开年报”提交审批后发布在该栏目,门户“政府信息公开工作年度报告”页面列出该栏目的年度报告"
            "(填栏目的网址标识,政府信息公开条例第四十九条)",
            pattern=COLUMN_SLUG, pattern_rule=COLUMN_SLUG_RULE),
    # issue 15, report: the 政府网站工作年度报表 is published through the approval chain into this column (第十四条)
    Setting("site_report_column", "wzndbb", str, "网站工作年度报表栏目",
            "“网站年报”提交审批后,政府网站工作年度报表发布在该栏目,须于每年 1 月 31 日前在门户首页显著位置发布"
            "(填栏目的网址标识;国办函〔2018〕12号)",
            pattern=COLUMN_SLUG, pattern_rule=COLUMN_SLUG_RULE),
    Setting("message_warn_days", 2, int, "留言到期提醒(工作日)",
            "办理期限前多少个工作日起提醒承办人,并在各队列中标示“即将到期”(第十九条)", 0),
    Setting("message_veto_warn_days", 60, int, "留言长期未答复预警(天)",
            "留言收到后超过该天数仍未答复即预警;全国政府网站检查中,有效留言超过三个月未答复属单项否决", 1),
    # 依申请公开 (issue 14, applications)
    Setting("disclosure_warn_days", 3, int, "依申请公开到期提醒(工作日)",
            "答复期限前多少个工作日起提醒承办人,并在队列中标示“即将到期”(政府信息公开条例 第三十三条)", 0),
    Setting("interaction_phone", "029-87654321", str, "互动交流联系电话",
            "门户“互动交流”栏目公布的联系电话(第十九条)", None,
            contacts.PHONE_PATTERN,
            "应为带区号的固定电话(如 029-87654321)、11 位手机号码或 400/800 电话(第十九条)"),
    Setting("interaction_email", "hdjl@sxit.gov.cn", str, "互动交流电子邮箱",
            "门户“互动交流”栏目公布的电子邮箱(第十九条)", None,
            contacts.EMAIL_PATTERN,
            "应为有效的电子邮箱地址,例如 hdjl@sxit.gov.cn(第十九条)"),
    Setting("smtp_host", "", str, "SMTP 服务器", "为空则不发送邮件,只记录在发件箱"),
    Setting("smtp_port", 25, int, "SMTP 端口", "", 1),
    Setting("smtp_user", "", str, "SMTP 用户名", "为空则不登录"),
    Setting("smtp_password", "", str, "SMTP 密码", "加密保存(密钥在数据库之外),页面不回显"),
    Setting("smtp_starttls", False, bool, "使用 STARTTLS", ""),
    Setting("smtp_sender", "portal@sxit.gov.cn", str, "发件人地址", ""),
    Setting("workbench_url", "http://localhost:8501", str, "工作台地址", "邮件中的链接"),
    # accounts and login (第二十、二十二条)
    Setting("password_min_length", 10, int, "密码最短长度", "新密码至少多少个字符(第二十二条)", 8),
    Setting("password_history", 5, int, "不得重复最近几次密码", "新密码不能与最近几次使用过的密码相同(第二十二条)", 1),
    Setting("password_max_age_days", 90, int, "密码有效期(天)",
            "超过该天数未修改密码,登录后须先修改;0 表示不过期(第二十二条)", 0),
    Setting("login_max_failures", 5, int, "连续登录失败锁定次数",
            "同一账号从同一网络地址连续失败达到该次数,即锁定该地址对该账号的登录;其他地址不受影响(第二十条)", 1),
    Setting("login_lockout_minutes", 15, int, "锁定时长(分钟)", "账号被锁定后多少分钟自动解锁", 1),
    Setting("login_account_backoff_failures", 30, int, "账号合计登录失败暂停次数",
            "一个账号从所有地址合计连续失败每达到该次数,不常用的地址暂停登录该账号,时长从“锁定时长”起每次加倍,"
            "最长 24 小时;近 90 天内成功登录过该账号的地址不受影响(第二十条)", 2),
    Setting("session_idle_minutes", 30, int, "无操作自动退出(分钟)", "超过该时长无操作,须重新登录", 1),
    Setting("totp_required_admins", False, bool, "网站管理员和技术支持须使用动态口令",
            "启用后,网站管理员和技术支持登录时除密码外还须输入手机验证器上的动态口令(第二十二条)"),
    Setting("incident_login_burst", 20, int, "登录失败告警阈值(次)",
            "在下面的时间窗口内登录失败达到该次数,自动提示一起安全事件(第二十三条)", 3),
    Setting("incident_login_window_minutes", 10, int, "登录失败告警时间窗口(分钟)", "", 1),
    # audit log and backups (第二十条)
    Setting("audit_retention_days", 180, int, "审计日志保存期限(天)",
            "期限内的日志不能删除或归档;网络安全法第二十一条要求不少于六个月", 180),
    Setting("backup_time", "02:30", str, "每日备份时间", "工作台每天在该时间(HH:MM)自动备份(第二十条)",
            pattern=r"([01]\d|2[0-3]):[0-5]\d", pattern_rule="须为 HH:MM 格式的时间,例如 02:30"),
    Setting("backup_dir", "", str, "备份目录", "为空则保存在数据库所在目录下的 backups 文件夹"),
    Setting("backup_keep_daily", 7, int, "保留每日备份(份)", "保留最近多少天的每日备份", 1),
    Setting("backup_keep_weekly", 4, int, "保留每周备份(份)", "另外保留最近多少周的每周一份备份", 0),
    # the public message desk: CAPTCHA and rate limits keep floods out (第十九、二十三条)
    Setting("captcha_length", 4, int, "验证码位数", "公众留言验证码的数字个数;位数越多越难输入,老年人友好建议 4 位", 4),
    Setting("captcha_minutes", 10, int, "验证码有效期(分钟)", "超过该时长未提交,须换一张验证码", 1),
    Setting("captcha_new_per_hour", 60, int, "每个地址每小时可获取验证码(张)",
            "同一网络地址一小时内最多获取的验证码张数(打开留言页面和“换一张”都计算)", 1),
    Setting("captcha_wrong_per_hour", 10, int, "每个地址每小时可输错验证码(次)",
            "同一网络地址一小时内验证码最多输错的次数;输错只按地址计算,不占用全站受理数(第二十三条)", 1),
    Setting("message_submit_per_hour", 10, int, "每个地址每小时可提交留言(次)",
            "同一网络地址一小时内最多提交留言的次数(验证码输错的不计入,另有限制)", 1),
    Setting("message_submit_per_day", 30, int, "每个地址每天可提交留言(次)",
            "同一网络地址二十四小时内最多提交留言的次数", 1),
    Setting("message_submit_site_per_hour", 300, int, "全站每小时可受理留言(次)",
            "所有地址合计一小时内最多受理的留言次数(只计验证码正确的提交),防止来自大量地址的恶意灌水", 1),
    Setting("message_lookup_per_hour", 30, int, "每个地址每小时可查询办理结果(次)",
            "同一网络地址一小时内最多用查询码查询的次数,防止猜测查询码", 1),
    # 政府信息公开目录 (issue 14, catalogue): the 索引号 the system gives each document at its first publication
    Setting("catalogue_org_code", "11610000016000000X", str, "索引号机构代码",
            "本机关的统一社会信用代码或组织机构代码,用于生成公开目录的索引号(第十二条)", None,
            r"[0-9A-Z-]{1,30}", "只能由数字、大写字母和短横线组成,不超过 30 位(第十二条)"),
    Setting("catalogue_index_pattern", "{机构代码}/{年份}-{序号}", str, "索引号格式",
            "公开目录索引号的格式:{机构代码}、{年份}(首次发布的年份)和{序号}(每年从 1 起)由系统填入;"
            "修改后只影响以后分配的索引号(第十二条)", None,
            r"(?=.*\{年份\})(?=.*\{序号\})(?:[^{}]|\{(?:机构代码|年份|序号)\}){1,60}",
            "须包含{年份}和{序号},可包含{机构代码},其他花括号内容无效,例如 {机构代码}/{年份}-{序号}(第十二条)"),
    Setting("catalogue_index_digits", 5, int, "索引号序号位数",
            "序号不足该位数时前面补 0(如 00012)", 1),
    # 链接可用性 (issue 15, links): core/linkcheck.py re-checks the portal's links, outbound ones included
    Setting("link_check_interval_days", 7, int, "链接检查周期(天)",
            "每隔该天数自动检查一次门户网站的全部链接(含外部链接),并把不可用的链接发邮件告知负责处室", 1),
    Setting("link_timeout_seconds", 10, int, "外部链接超时(秒)", "访问一个外部链接最多等待的秒数", 1),
    Setting("link_host_concurrency", 2, int, "同一网站并发访问数", "检查外部链接时,同时访问同一个网站的请求数上限", 1),
    Setting("link_retries", 2, int, "外部链接重试次数", "外部链接无响应或服务器错误时重试的次数(间隔逐次加倍)", 0),
)
BY_NAME = {s.name: s for s in SETTINGS}
SECRET = {"smtp_password"}


def _parse(setting: Setting, raw: Any) -> Any:
    if setting.kind is bool:
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on", "是"}
    if setting.kind is int:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValidationError(setting.label, "必须是整数") from None
        if setting.minimum is not None and value < setting.minimum:
            raise ValidationError(setting.label, f"不能小于 {setting.minimum:g}")
        return value
    # a password is sent as typed; every other text is cleaned (issue 12, M3)
    value = str(raw).strip() if setting.name in SECRET else clean_text(raw)
    if setting.pattern and not re.fullmatch(setting.pattern, value):
        raise ValidationError(setting.label, setting.pattern_rule or "格式不正确")
    return value


def _stored(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every stored value as text, one statement; kept until the next write to the database by anyone
    (core.db.kept: a change in 系统设置 is read afresh by every session's next run)."""
    return kept(con, "settings", None,
                lambda: dict(con.execute("SELECT name, value FROM settings").fetchall()))


def _not_above(setting: Setting, value: Any) -> None:
    """A maximum is checked when a value is saved, not when one is read: a value stored before the rule
    still reads (its users bound it themselves, as core/attachments.py upload_limit_mb does)."""
    if setting.maximum is not None and value > setting.maximum:
        raise ValidationError(setting.label, f"不能大于 {setting.maximum:g}"
                              + (f":{setting.maximum_rule}" if setting.maximum_rule else ""))


def get(con: duckdb.DuckDBPyConnection, name: str) -> Any:
    """The setting's value; a secret (SECRET) is decrypted here, where it is used (core/keys.py)."""
    setting = BY_NAME[name]
    found = _stored(con).get(name)
    if found is not None and name in SECRET:
        return keys.decrypt(con, found, f"settings:{name}", setting.label)
    return _parse(setting, found) if found is not None else setting.default


def all_values(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every setting; a secret stays encrypted here (non-empty when set): `get` decrypts it."""
    stored = _stored(con)
    return {s.name: _parse(s, stored[s.name]) if s.name in stored else s.default for s in SETTINGS}


def set_values(con: duckdb.DuckDBPyConnection, actor, values: dict[str, Any]) -> None:
    """Validate and store settings; only the office's webmaster may (第八条)."""
    require(actor, "settings.edit")
    parsed = {}
    for name, raw in values.items():
        if name not in BY_NAME:
            raise ValidationError(name, "不是可设置的项目")
        parsed[name] = _parse(BY_NAME[name], raw)
        _not_above(BY_NAME[name], parsed[name])
    stored = {n: keys.encrypt(con, v, f"settings:{n}") if n in SECRET else v for n, v in parsed.items()}
    with transaction(con):
        for name, value in stored.items():
            con.execute(
                "INSERT OR REPLACE INTO settings (name, value, updated_at, updated_by) "
                "VALUES (?, ?, current_localtimestamp(), ?)",
                [name, str(value), actor.id],
            )
        shown = {k: ("******" if k in SECRET else v) for k, v in parsed.items()}
        audit.record(con, actor, "settings.edit", "settings", str(shown))


def encrypt_at_rest(con: duckdb.DuckDBPyConnection) -> int:
    """Encrypt the second-factor secrets and secret settings still stored in plain text (idempotent)."""
    plain_totp = con.execute("SELECT user_id, secret FROM user_totp WHERE secret NOT LIKE 'enc:v1:%'").fetchall()
    marks = ", ".join("?" for _ in SECRET)
    plain_settings = con.execute(f"SELECT name, value FROM settings WHERE name IN ({marks}) AND value <> '' "
                                 "AND value NOT LIKE 'enc:v1:%'", sorted(SECRET)).fetchall()
    if not plain_totp and not plain_settings:
        return 0
    with transaction(con):
        for user_id, secret in plain_totp:
            con.execute("UPDATE user_totp SET secret = ? WHERE user_id = ?",
                        [keys.encrypt(con, secret, f"user_totp:{user_id}"), user_id])
        for name, value in plain_settings:
            con.execute("UPDATE settings SET value = ? WHERE name = ?", [keys.encrypt(con, value, f"settings:{name}"), name])
        audit.record(con, "system", "secrets.encrypt", "user_totp, settings",
                     f"启动时加密以明文保存的 {len(plain_totp)} 个动态口令密钥和 {len(plain_settings)} 项密码设置"
                     f"(密钥文件 {keys.SECRETS_KEY} 在数据库之外)")
    return len(plain_totp) + len(plain_settings)


def limits_from_settings(con: duckdb.DuckDBPyConnection) -> DocxLimits:
    """The office's settings for Word conversion (网站管理员 → 系统设置), for core.docx_guard."""
    return DocxLimits(max_unpacked_mb=get(con, "word_max_mb"),
                      max_paragraphs=get(con, "word_max_paragraphs"),
                      seconds=get(con, "word_convert_seconds"))
