"""The words of 政府信息公开 (第十二条; 政府信息公开条例 2019; the national annual-report format of 2021), once.

The catalogue (core/catalogue.py), applications (core/disclosure.py), the annual report
(core/disclosure_report.py), the importer and the portal all take their lists from here.
Imports nothing from core: a leaf.
"""

from __future__ import annotations

# 公开方式 of a catalogued document
DISCLOSURE_MODES = ("主动公开", "依申请公开", "不予公开")
# 有效性
VALIDITY = ("有效", "已修改", "已废止")
# 文件类别, as part 二 of the annual report counts them
DOC_KINDS = ("规章", "行政规范性文件", "其他文件")

# applicant types, in the column order of the annual report's part 三 table
NATURAL_PERSON = "自然人"
ORGANISATION_TYPES = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
APPLICANT_TYPES = (NATURAL_PERSON, *ORGANISATION_TYPES)
ORGANISATION_GROUP = "法人或其他组织"

# how an application arrived
CHANNELS = ("网上申请", "信函", "当面", "传真", "电子邮件")

# the outcomes of part 三 (三、本年度办理结果), each group with its grounds, in the report's row order;
# a group without grounds is one row itself
WITHHELD_GROUNDS = ("属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
                    "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项")
OUTCOMES: dict[str, tuple[str, ...]] = {
    "予以公开": (),
    "部分公开": (),
    "不予公开": WITHHELD_GROUNDS,
    "无法提供": ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"),
    "不予处理": ("信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
                 "要求行政机关确认或重新出具已获取信息"),
    "其他处理": ("逾期不补正", "逾期未缴费", "其他"),
}
# the report's full wording of the three 其他处理 rows (the short words above are what the office picks)
OTHER_HANDLING_WORDING = {
    "逾期不补正": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "逾期未缴费": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "其他": "其他",
}

# 行政复议 / 行政诉讼 results (part 四)
APPEAL_KINDS = ("行政复议", "行政诉讼")
APPEAL_RESULTS = ("维持", "纠正", "其他", "尚未审结")


def outcome_of(word: str) -> tuple[str, str | None]:
    """(group, ground) for an outcome word as the ledger and the CLI write it: a group without grounds
    (予以公开, 部分公开) or any ground's words. KeyError when the word is neither."""
    if word in OUTCOMES and not OUTCOMES[word]:
        return word, None
    for group, grounds in OUTCOMES.items():
        if word in grounds:
            return group, word
    raise KeyError(word)
