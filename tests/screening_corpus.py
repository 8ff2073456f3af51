"""A labelled corpus for the screening rules: positives and look-alike negatives for every rule.

Each case says exactly which rules must fire (with their severity); every other rule must stay
silent. Texts are written the way officers of the department write them; the lexicon cases use
the default lexicon seeded by migration 0003.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TODAY = dt.date(2024, 6, 20)
TITLE = "全省工业和信息化工作座谈会在西安召开"
BODY = "<p>6月18日,全省工业和信息化工作座谈会在西安召开,会议总结了上半年工作,部署了下半年重点任务。</p>"


def resident_id(first17: str) -> str:
    """A resident ID number with its check character (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def luhn_complete(prefix: str) -> str:
    """`prefix` plus the Luhn check digit."""
    for check in "0123456789":
        number = prefix + check
        total = 0
        for i, char in enumerate(reversed(number)):
            digit = int(char) * (2 if i % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return number
    raise AssertionError(prefix)


def wrong_check(number: str) -> str:
    """The same number with a wrong last digit."""
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


ID_1 = resident_id("61010219900307241")
ID_X = resident_id("61011319851123001")
ID_2 = resident_id("61052619780615362")
CARD_19 = luhn_complete("622202123456789012")
CARD_16 = luhn_complete("622848001234567")
CARD_VISA = luhn_complete("453201511283036")


@dataclass(frozen=True)
class Case:
    name: str
    title: str = TITLE
    body: str = BODY
    expect: dict[str, str] = field(default_factory=dict)  # rule → severity that must be among its findings
    kwargs: dict = field(default_factory=dict)
    imitates: str | None = None  # for a negative: the rule it looks like


def pos(rule: str, name: str, severity: str = "block", **fields) -> Case:
    return Case(name, expect={rule: severity}, **fields)


def neg(rule: str, name: str, **fields) -> Case:
    return Case(name, imitates=rule, **fields)


def p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


CLASSIFICATION = "classification"
CLASSIFICATION_POSITIVES = [
    pos(CLASSIFICATION, "star with years", body=p("机密★10年", "关于进一步加强工业运行监测的通知", "各市(区)工信局:")),
    pos(CLASSIFICATION, "star one year", body=p("秘密★1年", "现将有关事项通知如下。")),
    pos(CLASSIFICATION, "star long term", body=p("绝密★长期", "会议纪要")),
    pos(CLASSIFICATION, "exam marking", body=p("绝密★启用前", "2024年度专业技术人员考试试卷")),
    pos(CLASSIFICATION, "star before", body=p("★机密", "工作方案")),
    pos(CLASSIFICATION, "serial, marking, urgency", body=p("000123 机密★5年 特急", "陕工信发〔2024〕12号")),
    pos(CLASSIFICATION, "labelled", body=p("密级:秘密", "保密期限:1年")),
    pos(CLASSIFICATION, "labelled with level suffix", body=p("密级:机密级", "关于有关情况的通报")),
    pos(CLASSIFICATION, "marking line at head", body=p("机密", "关于调整重点项目的通知")),
    pos(CLASSIFICATION, "marking line with urgency", body=p("秘密 特急", "关于有关事项的通知")),
    pos(CLASSIFICATION, "spaced", body=p("机 密", "关于有关事项的通知")),
    pos(CLASSIFICATION, "full-width", body=p("机　密★１０年", "关于有关事项的通知")),
    pos(CLASSIFICATION, "traditional 祕密", body=p("祕密★2年", "工作方案")),
    pos(CLASSIFICATION, "traditional 機密 長期", body=p("機密★長期", "工作方案")),
    pos(CLASSIFICATION, "traditional 絕密 line", body=p("絕密", "会议纪要")),
    pos(CLASSIFICATION, "bracketed at title start", title="(机密)关于调整产业专项资金的通知"),
    pos(CLASSIFICATION, "bracketed at title end", title="关于重点项目布局的工作方案(秘密)"),
    pos(CLASSIFICATION, "bracketed line", body=p("【绝密】", "会议纪要")),
    pos(CLASSIFICATION, "spaces around the star", body=p("机密 ★ 10 年", "工作方案")),
    pos(CLASSIFICATION, "asterisk for the star", body=p("秘密*3年", "工作方案")),
    pos(CLASSIFICATION, "after a serial line", body=p("份号:000012", "机密★1年", "关于有关事项的通知")),
    pos(CLASSIFICATION, "spaced label", body=p("密 级: 机 密", "工作方案")),
    pos(CLASSIFICATION, "level with 级 alone", body=p("秘密级", "工作方案")),
    pos(CLASSIFICATION, "title with star", title="机密★1年 关于有关情况的报告"),
    pos(CLASSIFICATION, "form cell", body="<table><tr><td>密级</td><td>机密</td></tr></table><p>工作方案</p>"),
    pos(CLASSIFICATION, "marking line after the serial", body=p("机密 000123", "工作方案")),
    pos(CLASSIFICATION, "marking further down a pasted document",
        body=p("现将材料转发给你们。", "附件:", "秘密★6个月", "关于有关事项的说明")),
]
# ordinary words and sentences: not one false alarm
CLASSIFICATION_NEGATIVES = [
    neg(CLASSIFICATION, "商业秘密 in a title", title="商业秘密保护工作推进会在西安召开"),
    neg(CLASSIFICATION, "保密工作", body=p("会议要求切实做好保密工作,保守国家秘密。")),
    neg(CLASSIFICATION, "秘密 in a sentence", body=p("数字化转型的成效在业内早已不是什么秘密。")),
    neg(CLASSIFICATION, "机密性", body=p("提升数据的机密性、完整性和可用性。")),
    neg(CLASSIFICATION, "the regulation's 秘密级以上", body=p("载有秘密级以上信息的计算机不得上网。")),
    neg(CLASSIFICATION, "国家秘密", body=p("涉及国家秘密的信息一律不得公开。")),
    neg(CLASSIFICATION, "the secrecy law", body=p("认真学习《中华人民共和国保守国家秘密法》。")),
    neg(CLASSIFICATION, "levels listed", body=p("涉密信息系统按照涉密程度分为绝密级、机密级和秘密级。")),
    neg(CLASSIFICATION, "qualification (秘密级)", title="取得涉密信息系统集成资质(秘密级)的企业名单"),
    neg(CLASSIFICATION, "qualification (秘密级) in body", body=p("涉密信息系统集成资质(秘密级)单位名单")),
    neg(CLASSIFICATION, "quoted format", body=p("文件密级标志的标注格式为“机密★10年”。")),
    neg(CLASSIFICATION, "揭秘密码", body=p("专家为观众揭秘密码技术的发展历程。")),
    neg(CLASSIFICATION, "绝密档案 exhibition", title="“绝密档案”解密展在西安开展"),
    neg(CLASSIFICATION, "机密文件管理", body=p("机密文件管理系统完成等级保护测评。")),
    neg(CLASSIFICATION, "工作秘密", body=p("工作秘密和商业秘密不得泄露。")),
    neg(CLASSIFICATION, "stars in a rating", body=p("全省评选出★★★级绿色工厂12家。")),
    neg(CLASSIFICATION, "机密性 in a title", title="数据机密性保护技术研讨会召开"),
    neg(CLASSIFICATION, "保密 headings", body=p("三、保密要求", "严格落实保密责任制。")),
    neg(CLASSIFICATION, "秘密 at a line end in prose", body=p("成功的秘密", "在于坚持创新驱动。")),
    neg(CLASSIFICATION, "traditional 商業祕密", body=p("加強商業祕密保護。")),
    neg(CLASSIFICATION, "a film title", body=p("《绝密使命》展映活动在西安举行。")),
    neg(CLASSIFICATION, "a numbered list", body="<ol><li>秘密的由来</li><li>机密性的含义</li></ol>"),
    neg(CLASSIFICATION, "a table of document levels", body="<table><tr><td>1</td><td>秘密级以上文件管理</td></tr></table>"),
]

INTERNAL = "internal_marking"
INTERNAL_CASES = [
    pos(INTERNAL, "内部资料 注意保存", body=p("内部资料 注意保存", "工作简报")),
    pos(INTERNAL, "仅供内部参考 line", body=p("仅供内部参考", "运行分析")),
    pos(INTERNAL, "仅供内部参考 in a sentence", body=p("本材料仅供内部参考,请勿外传。")),
    pos(INTERNAL, "bracketed 内部资料", body=p("【内部资料】", "工作简报")),
    pos(INTERNAL, "内部文件 line", body=p("内部文件", "会议纪要")),
    pos(INTERNAL, "不得翻印", body=p("不得翻印", "学习资料汇编")),
    pos(INTERNAL, "内部资料,不得外传", body=p("内部资料,不得外传", "工作简报")),
    pos(INTERNAL, "title with (内部资料)", title="工业运行简报2024年第3期(内部资料)"),
    pos(INTERNAL, "内部刊物 免费交流", body=p("内部刊物 免费交流", "工信通讯")),
    pos(INTERNAL, "注意保存 alone", body=p("注意保存", "会议材料")),
    pos(INTERNAL, "阅后收回", body=p("阅后收回", "会议材料")),
    pos(INTERNAL, "内部资料 with an issue number", body=p("内部资料 第12期", "工作简报")),
    pos(INTERNAL, "spaced", body=p("内 部 资 料", "工作简报")),
    pos(INTERNAL, "traditional", body=p("內部資料", "工作簡報")),
    pos(INTERNAL, "full-width brackets", body=p("(内部文件)", "会议纪要")),
    pos(INTERNAL, "内部资料 in a sentence", "warn", body=p("严禁将内部资料上传至互联网。")),
    pos(INTERNAL, "内部文件 in a sentence", "warn", body=p("会议材料属内部文件,请与会人员妥善处理。")),
    neg(INTERNAL, "内部控制", body=p("加强企业内部控制和内部审计。")),
    neg(INTERNAL, "注意保存 in a sentence", body=p("请注意保存好您的查询码,以便查询办理结果。")),
    neg(INTERNAL, "注意保暖", body=p("寒潮来袭,请注意保暖,防寒防冻。")),
    neg(INTERNAL, "不得翻越", body=p("游客不得翻越护栏。")),
    neg(INTERNAL, "内部装修", title="办公楼内部装修工程招标公告"),
    neg(INTERNAL, "资料齐全", body=p("申报文件资料齐全,符合要求。")),
    neg(INTERNAL, "妥善保管 in a sentence", body=p("请申报单位妥善保管原始凭证。")),
    neg(INTERNAL, "公开资料", body=p("以上内容均来自公开资料。")),
]

REQUEST, REPORT, LETTER = "doctype.request", "doctype.report", "doctype.letter"
DOCTYPE_CASES = [
    pos(REQUEST, "请示 title", title="关于申请2024年产业发展专项资金的请示"),
    pos(REQUEST, "请示 title with a draft note", title="关于调整重点项目清单的请示(代拟稿)"),
    pos(REQUEST, "请示 at the head of the body", title="电子信息处上报材料",
        body=p("关于申请数字经济发展经费的请示", "省政府:", "为推进……")),
    pos(REPORT, "报告 to the provincial government", title="关于2024年上半年工作情况的报告",
        body=p("省人民政府:", "现将我厅上半年工作情况报告如下。")),
    pos(REPORT, "报告 to the ministry", title="关于中小企业发展情况的报告",
        body=p("工业和信息化部:", "根据通知要求,现将有关情况报告如下。")),
    pos(REPORT, "报告 to 省委、省政府", title="全省工业稳增长工作情况报告",
        body=p("省委、省政府:", "今年以来……")),
    pos(REPORT, "报告 to 厅党组", title="关于巡察整改情况的报告", body=p("厅党组:", "现将整改情况报告如下。")),
    pos(REPORT, "报告 at the head of the body", title="电子信息处工作材料",
        body=p("关于数字经济发展情况的报告", "国务院办公厅:", "现报告如下。")),
    pos(LETTER, "函 title", title="关于商请支持产业园区建设的函"),
    pos(LETTER, "复函 title", title="关于省政协十三届二次会议第123号提案的复函"),
    pos(LETTER, "letter number at the head", body=p("陕工信函〔2024〕15号", "省财政厅:", "现将有关事项函告如下。")),
    pos(LETTER, "函 at the head of the body", title="电子信息处材料",
        body=p("关于征求《数据条例》意见的函", "省发展和改革委员会:", "……")),
    pos(REQUEST, "请示报告 title", title="关于申请设立产业基金的请示报告"),
    neg(REQUEST, "请示报告制度 notice", title="关于严格执行重大事项请示报告制度的通知"),
    neg(REPORT, "report published", title="《2024年陕西省工业经济运行报告》发布"),
    neg(REPORT, "报告 without a superior addressee", title="关于2024年全省工业经济运行情况的报告",
        body=p("各市(区)工业和信息化局:", "现将有关情况通报如下。")),
    neg(REPORT, "development report", title="2024年陕西省数字经济发展报告"),
    neg(REPORT, "报告会", title="数字经济专题报告会在西安举行"),
    neg(LETTER, "邀请函", title="关于举办2024丝绸之路博览会的邀请函"),
    neg(LETTER, "函数", title="函数计算与云原生技术培训班开班"),
    neg(LETTER, "函授", title="全省工信系统函授培训班结业"),
    neg(LETTER, "letter number cited in prose", body=p("根据工信部函〔2023〕12号文件要求,现将有关事项通知如下。")),
    neg(REQUEST, "请示 in prose", body=p("重大事项要及时请示报告。")),
]

SENSITIVE, ERROR = "lexicon.sensitive", "lexicon.error"
LEXICON_CASES = [
    pos(ERROR, "wrong department name", body=p("陕西省工业与信息化厅召开党组会议。")),
    pos(ERROR, "wrong name, traditional", body=p("陝西省工業與信息化廳召開黨組會議。")),
    pos(ERROR, "wrong name, spaced", body=p("陕西省工业 与信息化厅召开党组会议。")),
    pos(ERROR, "old name", title="陕西省工信委召开专题会议"),
    pos(ERROR, "wrong ministry name", body=p("工业与信息化部调研组来陕调研。")),
    pos(ERROR, "wrong title", body=p("厅党组付书记出席会议。")),
    pos(ERROR, "site address full-width", body=p("详见ＷＷＷ.ＳＸＩＴ.GOV.COM。")),
    pos(ERROR, "outdated organ name", "warn", body=p("国家工商行政管理总局发布通知。")),
    pos(SENSITIVE, "此件不公开", body=p("(此件不公开)")),
    pos(SENSITIVE, "内部讨论稿", body=p("本方案为内部讨论稿。")),
    pos(SENSITIVE, "placeholder", "warn", body=p("会议定于××月××日召开。")),
    pos(SENSITIVE, "讨论稿", "warn", body=p("方案(讨论稿)已印发各单位。")),
    pos(SENSITIVE, "测试信息", "warn", title="测试信息请勿审核"),
    neg(ERROR, "correct department name", body=p("陕西省工业和信息化厅召开党组会议。")),
    neg(ERROR, "correct ministry", body=p("工业和信息化部调研组来陕调研。")),
    neg(ERROR, "correct address", body=p("详见www.sxit.gov.cn。")),
    neg(ERROR, "current organ name", body=p("国家市场监督管理总局发布通知。")),
    neg(ERROR, "副书记", body=p("厅党组副书记出席会议。")),
    neg(SENSITIVE, "讨论", body=p("与会人员进行了讨论。")),
    neg(SENSITIVE, "测试", body=p("5G网络测试工作顺利完成。")),
    neg(SENSITIVE, "公开", body=p("此件公开发布。")),
]

ID_CARD, MOBILE, BANK, EMAIL = "personal.id_card", "personal.mobile", "personal.bank_card", "personal.email"
PERSONAL_CASES = [
    pos(ID_CARD, "ID number", "warn", body=p(f"申请人:张某,身份证号{ID_1}。")),
    pos(ID_CARD, "ID number ending X", "warn", body=p(f"身份证号码:{ID_X}")),
    pos(ID_CARD, "ID number lower-case x", "warn", body=p(f"证件号 {ID_X.lower()}")),
    pos(ID_CARD, "ID number full-width", "warn",
        body=p("身份证号" + ID_2.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}))),
    pos(MOBILE, "mobile", "warn", body=p("联系人:张先生,13991234567。")),
    pos(MOBILE, "mobile with dashes", "warn", body=p("联系电话:139-9123-4567")),
    pos(MOBILE, "mobile with spaces", "warn", body=p("手机 139 9123 4567")),
    pos(MOBILE, "mobile with +86", "warn", body=p("电话+86 15891234567")),
    pos(MOBILE, "mobile +86 joined", "warn", body=p("电话:+8618691234567")),
    pos(MOBILE, "mobile full-width", "warn", body=p("手机:１３９９１２３４５６７")),
    pos(BANK, "bank card 19", "warn", body=p(f"收款账号:{CARD_19}")),
    pos(BANK, "bank card 16", "warn", body=p(f"卡号{CARD_16}")),
    pos(BANK, "bank card grouped", "warn",
        body=p("卡号 " + " ".join(CARD_19[i:i + 4] for i in range(0, len(CARD_19), 4)))),
    pos(BANK, "visa card", "warn", body=p(f"信用卡{CARD_VISA}")),
    pos(EMAIL, "e-mail", "warn", body=p("来信请寄zhangsan@163.com。")),
    pos(EMAIL, "e-mail upper-case", "warn", body=p("邮箱:Li.Ming@QQ.com")),
    pos(EMAIL, "e-mail in an interaction answer", kwargs={"context": "interaction"},
        body=p("已按您留下的邮箱wangwu@126.com回复。")),
    pos(MOBILE, "mobile in an interaction answer", kwargs={"context": "interaction"},
        body=p("已电话联系您(13891234567)。")),
    neg(ID_CARD, "ID with a wrong check digit", body=p(f"编号{wrong_check(ID_1)}")),
    neg(ID_CARD, "ID-like with an impossible date", body=p("编号 610102199013451234")),
    neg(MOBILE, "12-digit number", body=p("项目编号201391234567")),
    neg(MOBILE, "order number", body=p("订单号2013912345678901")),
    neg(MOBILE, "amount in yuan", body=p("完成投资13800000000元。")),
    neg(MOBILE, "landline", body=p("联系电话:029-87654321")),
    neg(MOBILE, "inside a credit code", body=p("统一社会信用代码91610000MA6TG1391X")),
    neg(MOBILE, "number in a web address", body=p("原文见www.sxit.gov.cn/art/2024/6/13912345678.html")),
    neg(MOBILE, "decimal", body=p("比值为0.13991234567。")),
    neg(BANK, "Luhn-invalid card", body=p(f"卡号{wrong_check(CARD_19)}")),
    neg(BANK, "serial starting with 2", body=p("文号20240312000123456")),
    neg(EMAIL, "government address", body=p("来信请寄bgs@sxit.gov.cn。")),
    neg(EMAIL, "weibo handle", body=p("欢迎关注@陕西工信微博。")),
    neg(ID_CARD, "dates", body=p("2024年1月1日至2024年12月31日")),
]

REPEATED, DUPLICATE = "format.headline_repeated", "format.duplicate_title"
STYLE, EMPTY, COLUMN = "format.inline_style", "format.empty_paragraphs", "format.column_kind"
TIMELY = "timeliness"
FORMAT_CASES = [
    pos(REPEATED, "headline as first paragraph", "warn", title="全省工业经济运行平稳向好",
        body=p("全省工业经济运行平稳向好", "今年以来,全省工业经济总体平稳。")),
    pos(REPEATED, "headline then the story", "warn", title="全省工业经济运行平稳向好",
        body=p("全省工业经济运行平稳向好 本报讯 今年以来,全省工业经济总体平稳。")),
    pos(REPEATED, "headline repeated with punctuation", "warn", title="“秦创原”创新驱动平台建设加快推进",
        body=p("秦创原创新驱动平台建设加快推进", "今年以来……")),
    pos(REPEATED, "headline repeated, traditional", "warn", title="全省工业经济运行平稳向好",
        body=p("全省工業經濟運行平穩向好", "今年以来……")),
    neg(REPEATED, "sentence starting like the title", title="全省工业经济运行平稳向好",
        body=p("全省工业经济运行平稳向好的态势进一步巩固。")),
    neg(REPEATED, "different start", title="全省工业经济运行平稳向好", body=p("今年以来,全省工业经济运行平稳向好。")),
    pos(DUPLICATE, "same title in column", "warn", title="全省工业经济运行平稳向好",
        kwargs={"other_titles_in_column": {"全省工业经济运行平稳向好。", "其他标题"}}),
    pos(DUPLICATE, "same title, full-width punctuation", "warn", title="关于做好2024年度统计工作的通知",
        kwargs={"other_titles_in_column": {"关于做好2024年度统计工作的通知 "}}),
    neg(DUPLICATE, "numbered sequel", title="全省工业经济运行平稳向好(二)",
        kwargs={"other_titles_in_column": {"全省工业经济运行平稳向好"}}),
    pos(STYLE, "inline colour", "warn", body='<p style="color:#ff0000">全省工业经济运行平稳。</p>'),
    pos(STYLE, "font tag", "warn", body='<p><font face="宋体" size="4">全省工业经济运行平稳。</font></p>'),
    pos(STYLE, "font size span", "warn", body='<p><span style="font-size:16pt">全省工业经济运行平稳。</span></p>'),
    neg(STYLE, "structure only", body='<p><strong>全省</strong>工业经济</p><table><tr><td colspan="2">数据</td></tr></table>'),
    neg(STYLE, "text about colours", body=p("正文统一为黑色,字体用5号宋体。")),
    pos(EMPTY, "three empty paragraphs", "warn", body="<p>第一段。</p><p></p><p>&nbsp;</p><p><br></p><p>第二段。</p>"),
    pos(EMPTY, "four empty paragraphs", "warn", body="<p>第一段。</p><p> </p><p>\u3000</p><p></p><p></p><p>第二段。</p>"),
    neg(EMPTY, "two empty paragraphs", body="<p>第一段。</p><p></p><p>&nbsp;</p><p>第二段。</p>"),
    neg(EMPTY, "scattered empty paragraphs", body="<p></p><p>第一段。</p><p></p><p>第二段。</p><p></p>"),
    pos(COLUMN, "notice in speeches", "warn", title="关于召开全省工业和信息化工作会议的通知",
        kwargs={"column_kind": "speech"}),
    pos(COLUMN, "speech in notices", "warn", title="在全省工业和信息化工作会议上的讲话",
        kwargs={"column_kind": "notice"}),
    pos(COLUMN, "interpretation in speeches", "warn", title="《陕西省数字经济发展规划》政策解读",
        kwargs={"column_kind": "speech"}),
    pos(COLUMN, "announcement in news", "warn", title="2024年省级专精特新企业名单公示",
        kwargs={"column_kind": "news"}),
    neg(COLUMN, "news about a speech", title="厅长出席全省工业和信息化工作会议并讲话", kwargs={"column_kind": "speech"}),
    neg(COLUMN, "notice in notices", title="关于召开全省工业和信息化工作会议的通知", kwargs={"column_kind": "notice"}),
    neg(COLUMN, "speech in speeches", title="在全省工业和信息化工作会议上的讲话", kwargs={"column_kind": "speech"}),
    neg(COLUMN, "unknown column kind", title="关于召开全省工业和信息化工作会议的通知", kwargs={"column_kind": "custom"}),
    neg(COLUMN, "no column kind", title="在全省工业和信息化工作会议上的讲话"),
    pos(TIMELY, "ended a week ago", "warn", kwargs={"work_ended_on": TODAY - dt.timedelta(days=7), "today": TODAY}),
    pos(TIMELY, "ended 4 days ago", "warn", kwargs={"work_ended_on": "2024-06-16", "today": TODAY}),
    pos(TIMELY, "stricter setting", "warn",
        kwargs={"work_ended_on": TODAY - dt.timedelta(days=2), "today": TODAY, "lag_days_allowed": 1}),
    neg(TIMELY, "ended 3 days ago", kwargs={"work_ended_on": TODAY - dt.timedelta(days=3), "today": TODAY}),
    neg(TIMELY, "ended today", kwargs={"work_ended_on": TODAY, "today": TODAY}),
    neg(TIMELY, "no end date", kwargs={"work_ended_on": None, "today": TODAY}),
]

CONTACT_PHONE, CONTACT_EMAIL = "contact.phone", "contact.email"
CONTACT_CASES = [
    pos(CONTACT_PHONE, "ten-digit phone", "warn", body=p("联系人:李明,联系电话:1391234567。")),
    pos(CONTACT_PHONE, "area code too long", "warn", body=p("咨询电话:029-639130001234。")),
    pos(CONTACT_EMAIL, "no top-level domain", "warn", body=p("电子邮箱:bgs@sxit。")),
    pos(CONTACT_EMAIL, "double at", "warn", body=p("邮箱:bgs@@sxit.gov.cn")),
    neg(CONTACT_PHONE, "landline with area code", body=p("联系电话:029-63913000。")),
    neg(CONTACT_PHONE, "hotline", body=p("服务热线电话:12345")),
    neg(CONTACT_PHONE, "phone number in a sentence without its label", body=p("全年受理来电1391234567次。")),
    neg(CONTACT_EMAIL, "valid address", body=p("电子邮箱:bgs@sxit.gov.cn。")),
]

CLEAN = [
    Case("ordinary news"),
    Case("ordinary notice", title="关于开展2024年度中小企业服务月活动的通知",
         body=p("各市(区)工业和信息化局:", "为进一步优化中小企业发展环境,现就有关事项通知如下。",
                "联系人:办公室 李明,电话:029-63913000,邮箱:bgs@sxit.gov.cn。")),
]

CORPUS: list[Case] = (CLASSIFICATION_POSITIVES + CLASSIFICATION_NEGATIVES + INTERNAL_CASES + DOCTYPE_CASES
                      + LEXICON_CASES + PERSONAL_CASES + FORMAT_CASES + CONTACT_CASES + CLEAN)
