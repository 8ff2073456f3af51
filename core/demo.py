"""Demo data: a plausible 陕西省工业和信息化厅 with divisions, columns, accounts and three years
of articles in every workflow state, for trying the workbench and the portal.

`load_demo` writes everything in one transaction and only into an empty database (no divisions
yet); a second call changes nothing. Every demo account has the password `DEMO_PASSWORD` and
does not have to change it. The article history mirrors what `core.workflow` writes: one
`revisions` row per revision 1..n, one `workflow_events` row per transition, `version` equal to
the number of transitions, chain snapshots from `DEFAULT_CHAINS` (第十四条).
"""

from __future__ import annotations

import datetime as dt
import html
import random
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from core import audit, demo_interaction
from core.accounts import USERNAME_RULE, ensure_system_user, hash_password
from core.columns import DEFAULT_KINDS, seed_kinds
from core.content import sanitize_html
from core.db import scalar, transaction
from core.workflow import CHECKLIST, DEFAULT_CHAINS, seed_chains

DEMO_PASSWORD = "Demo-2026!sx"
DEMO_DOMAIN = "sxit.gov.cn"
# the accounts the README names, one per role
DEMO_ACCOUNTS: dict[str, str] = {
    "officer": "xxy_dzxx",
    "head": "fzr_dzxx",
    "leader": "ld_wang",
    "group": "xzz_li",
    "webmaster": "webmaster",
    "tech": "jszc",
    "analyst": "analyst",
}
DEMO_DIVISION = "dzxx"  # 电子信息处: the demo officer's and head's division

# ---------------------------------------------------------------------------------------------
# organisation

# (code, name, kind)
DIVISIONS: list[tuple[str, str, str]] = [
    ("bgs", "办公室", "office"),
    ("zcfgc", "政策法规处", "division"),
    ("ghc", "规划处（运行监测协调局）", "division"),
    ("cyzcc", "产业政策处", "division"),
    ("kjc", "科技处", "division"),
    ("ycl", "原材料工业处", "division"),
    ("zbc", "装备工业处", "division"),
    ("xfp", "消费品工业处", "division"),
    ("dzxx", "电子信息处", "division"),
    ("rjc", "软件和信息服务业处", "division"),
    ("xxh", "信息化推进处", "division"),
    ("jnc", "节能与综合利用处", "division"),
    ("zxqy", "中小企业局", "division"),
    ("cwc", "财务处", "division"),
    ("rsc", "人事处", "division"),
    ("aqc", "安全生产处", "division"),
    ("wxd", "无线电管理局", "division"),
    ("jgdw", "机关党委", "division"),
    ("tld", "厅领导", "leadership"),
    ("jszc", "技术支持单位", "tech"),
]
# divisions with a second information officer
SECOND_OFFICER = ("bgs", "ghc", "zxqy", "xxh")

# (username, name, title used in speeches, divisions in charge)
LEADERS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("ld_wang", "王建华", "副厅长", ("dzxx", "rjc", "xxh", "wxd", "kjc", "jszc")),
    ("ld_zhang", "张立新", "副厅长", ("ghc", "cyzcc", "ycl", "zbc", "xfp", "jnc", "aqc")),
    ("ld_liu", "刘彦军", "副厅长", ("bgs", "zcfgc", "zxqy", "cwc", "rsc", "jgdw")),
]
GROUP: list[tuple[str, str, str]] = [
    ("xzz_li", "李志强", "厅长"),
    ("xzz_zhao", "赵明远", "一级巡视员"),
    ("xzz_chen", "陈晓东", "总工程师"),
]
STAFF_NAMES = [
    "孙丽娟", "周文博", "吴海燕", "郑凯", "冯晓宁", "杨帆", "何静", "罗斌", "高宇航", "林雪",
    "马晓峰", "胡敏", "郭俊杰", "宋佳", "唐伟", "韩梅", "曹磊", "许婷", "邓浩然", "谢宇",
    "田甜", "董振华", "潘玲", "袁野", "蒋欣", "蔡雅琴", "贾志刚", "丁一凡", "魏子涵", "薛红梅",
    "叶晨", "闫少军", "余慧", "杜鹏", "彭丽", "吕成", "苏婉", "卢建军", "姜楠", "范晓燕",
    "石磊", "崔亚楠", "秦川", "雷鸣", "白雪", "任敏", "惠涛", "党晓丽", "屈文杰", "拓海军",
]

# ---------------------------------------------------------------------------------------------
# columns: (slug, name, kind, division code, article weight, title group, children, flags)


@dataclass
class _Col:
    slug: str
    name: str
    kind: str
    division: str
    weight: float = 1.0
    group: str = "tn"
    children: list[_Col] = field(default_factory=list)
    key: bool = False
    retired: bool = False
    id: int = 0
    parent: int | None = None


def _c(slug: str, name: str, kind: str, division: str, weight: float = 1.0, group: str = "",
       *children: _Col, key: bool = False, retired: bool = False) -> _Col:
    return _Col(slug, name, kind, division, weight, group, list(children), key, retired)


def _industry_columns() -> list[_Col]:
    return [
        _c("yclgy", "原材料工业", "general", "ycl", 2, "ind"),
        _c("zbzz", "装备制造", "general", "zbc", 2, "ind"),
        _c("xfpgy", "消费品工业", "general", "xfp", 2, "ind"),
        _c("dzxxcy", "电子信息产业", "general", "dzxx", 2, "ind"),
        _c("rjxxfw", "软件和信息服务", "general", "rjc", 2, "ind"),
        _c("lhrh", "两化融合", "general", "xxh", 2, "lh"),
        _c("jnzy", "节能与资源综合利用", "general", "jnc", 2, "jn"),
        _c("zxqyfz", "中小企业发展", "general", "zxqy", 2, "zx"),
        _c("aqsc", "安全生产", "general", "aqc", 1.5, "aq"),
        _c("wxdgl", "无线电管理", "general", "wxd", 1.5, "wxd"),
        _c("kjcx", "科技创新", "general", "kjc", 2, "kj"),
    ]


COLUMNS: list[_Col] = [
    _c("gzdt", "工作动态", "news", "bgs", 2, "tn",
       _c("tndt", "厅内动态", "news", "bgs", 10, "tn"),
       _c("sxdt", "市县动态", "news", "bgs", 8, "sx"),
       _c("hydt", "行业动态", "news", "ghc", 7, "hy"),
       key=True),
    _c("tzgg", "通知公告", "notice", "bgs", 7, "notice", key=True),
    _c("zfxxgk", "政府信息公开", "openinfo", "bgs", 0.5, "gk",
       _c("zcwj", "政策文件", "policy", "zcfgc", 1, "tf",
          _c("szfwj", "省政府文件", "policy", "zcfgc", 2, "szf"),
          _c("tfwj", "厅发文件", "policy", "zcfgc", 3, "tf"),
          key=True),
       _c("zcjd", "政策解读", "interpretation", "zcfgc", 2, "jd", key=True),
       _c("ghjh", "规划计划", "openinfo", "ghc", 1, "gh"),
       _c("czzj", "财政资金", "openinfo", "cwc", 1.5, "cz"),
       _c("rsxx", "人事信息", "openinfo", "rsc", 1.5, "rs"),
       _c("tjsj", "统计数据", "data", "ghc", 2, "tj"),
       _c("jytabl", "建议提案办理", "openinfo", "bgs", 1, "jy"),
       _c("xxgknb", "政府信息公开年报", "openinfo", "bgs", 0.15, "nb"),
       _c("xzzf", "行政执法公示", "openinfo", "zcfgc", 0.6, "zf")),
    _c("ldjh", "领导讲话", "speech", "bgs", 0.6, "speech"),
    _c("zyhy", "重要会议", "meeting", "bgs", 2, "meeting"),
    _c("ztzl", "专题专栏", "special", "bgs", 0.3, "tn",
       _c("yshjtpn", "营商环境突破年", "special", "zcfgc", 1, "yshj", retired=True),
       _c("zzygzlfz", "制造业高质量发展", "special", "ghc", 1, "zzy"),
       _c("szjj", "数字经济", "special", "dzxx", 1, "szjj"),
       _c("gyhlw", "工业互联网", "special", "xxh", 1, "gyhlw"),
       _c("aqscy", "安全生产月", "special", "aqc", 0.8, "aqscy"),
       _c("jnxcz", "节能宣传周", "special", "jnc", 0.8, "jnxcz"),
       _c("zdcyl", "重点产业链", "special", "ghc", 1, "cyl")),
    _c("ggfw", "公共服务", "service", "bgs", 0.3, "qyfw",
       _c("bszn", "办事指南", "service", "zcfgc", 0.8, "bszn"),
       _c("qyfw", "企业服务", "service", "cyzcc", 1.5, "qyfw"),
       _c("xzzx", "下载中心", "service", "bgs", 0.8, "xz"),
       _c("zxqyfw", "中小企业服务", "service", "zxqy", 1.5, "zxqyfw")),
    _c("hdjl", "互动交流", "interaction", "bgs", 0, "",
       _c("tzxx", "厅长信箱", "interaction", "bgs", 0, ""),
       _c("zxzx", "在线咨询", "interaction", "bgs", 0, ""),
       _c("zjdc", "征集调查", "interaction", "zcfgc", 0, ""),
       _c("zxft", "在线访谈", "interaction", "bgs", 0, "")),
    _c("hyfz", "行业发展", "general", "ghc", 0.5, "hy", *_industry_columns()),
    _c("sjfb", "数据发布", "data", "ghc", 1, "tj",
       _c("yxjc", "运行监测", "data", "ghc", 1.5, "yxjc")),
    _c("jgdj", "机关党建", "news", "jgdw", 1.5, "dj"),
    _c("jggk", "机构概况", "general", "rsc", 0.2, "jg",
       _c("jgzn", "机构职能", "general", "rsc", 0.2, "jg"),
       _c("ldxx", "领导信息", "general", "rsc", 0.2, "ld")),
]

# columns their divisions stopped updating (days since the last item), so that 栏目更新监测 has
# stale columns to show (第二十七条(五)): a news column (14 days) and two open-information ones
DORMANT: dict[str, int] = {"jgdj": 40, "xxgknb": 200, "ldxx": 230}

# ---------------------------------------------------------------------------------------------
# words

CITIES = ["西安市", "宝鸡市", "咸阳市", "铜川市", "渭南市", "延安市", "榆林市", "汉中市", "安康市",
          "商洛市", "杨凌示范区", "西咸新区", "韩城市"]
# the industries of the product divisions; other divisions' texts take a real industry at random
INDUSTRIES: dict[str, list[str]] = {
    "ycl": ["钢铁", "有色金属", "石化化工", "建材", "现代煤化工", "新材料", "钛及钛合金", "镁及镁合金"],
    "zbc": ["汽车", "新能源汽车", "航空装备", "输变电装备", "数控机床", "工程机械", "能源装备", "轨道交通装备"],
    "xfp": ["食品", "医药", "纺织服装", "乳制品", "苹果精深加工", "富硒食品", "中药", "轻工"],
    "dzxx": ["集成电路", "半导体", "光伏", "新型显示", "电子元器件", "智能终端", "光子"],
    "rjc": ["软件", "信息技术服务", "工业软件", "大数据", "人工智能", "信息技术应用创新", "数据要素"],
}
# industries a policy or a plan can be about
POLICY_INDUSTRIES = ["集成电路", "光伏", "新能源汽车", "航空装备", "钛及钛合金", "新材料", "工业软件",
                     "人工智能", "工业互联网", "智能制造", "现代煤化工", "食品", "医药", "数控机床",
                     "输变电装备", "新型显示", "氢能", "节能环保装备", "大数据", "乳制品"]
THEMES = ["制造业高质量发展", "数字经济", "工业稳增长", "重点产业链建设", "优化营商环境", "中小企业发展",
          "工业绿色低碳转型", "新型工业化", "工业领域安全生产", "专精特新企业培育", "工业互联网创新发展",
          "秦创原创新驱动平台建设", "工业领域设备更新", "企业技术改造", "工业设计"]
MEETINGS = ["工业和信息化工作会议", "工业稳增长工作会议", "中小企业发展工作会议", "工业领域安全生产工作会议",
            "数字经济发展推进会", "重点产业链工作推进会", "无线电管理工作会议", "工业节能与综合利用工作会议",
            "民爆行业安全生产工作会议", "工业和信息化系统党风廉政建设工作会议"]
PARTNERS = ["中国电信陕西分公司", "西安交通大学", "西北工业大学", "中国联通陕西省分公司", "国家开发银行陕西省分行",
            "陕西投资集团", "陕西煤业化工集团", "西安电子科技大学", "中国移动陕西公司", "长安大学",
            "中国工商银行陕西省分行", "陕西有色金属控股集团"]
ITEMS = ["工业领域数字化转型典型案例征集", "省级企业技术中心认定", "专精特新中小企业培育", "绿色制造体系建设",
         "工业节能监察", "无线电频率使用情况核查", "民爆行业安全生产检查", "省级工业设计中心认定",
         "首台（套）重大技术装备认定", "中小企业服务月", "工业互联网平台遴选", "制造业单项冠军企业培育",
         "工业产品质量提升", "智能工厂梯度培育", "工业固废综合利用评价", "工业和信息化统计调查"]
PROJECTS = ["省级工业转型升级专项资金项目", "省级中小企业发展专项资金项目", "工业和信息化领域重点项目",
            "智能制造试点示范项目", "工业互联网创新发展项目", "重点新材料首批次应用保险补偿项目",
            "工业设计中心", "制造业单项冠军企业", "绿色工厂", "数字化转型标杆企业"]
LISTS = ["专精特新中小企业名单", "智能工厂名单", "绿色工厂名单", "工业互联网平台名单", "企业技术中心名单",
         "数字化转型示范项目名单", "工业设计中心名单", "中小企业特色产业集群名单", "创新型中小企业名单"]
EVENTS = ["全省工业和信息化系统业务培训班", "“创客中国”陕西省中小企业创新创业大赛", "陕西省工业设计大赛",
          "陕西省数字经济高质量发展论坛", "中小企业数字化转型对接会", "全省工业和信息化统计业务培训",
          "丝博会工业和信息化专题展", "欧亚经济论坛工业合作分会"]
FUNDS = ["工业转型升级专项资金", "中小企业发展专项资金", "制造业高质量发展专项资金", "数字经济发展专项资金",
         "工业节能与综合利用专项资金"]
VERBS = ["加快推进新型工业化", "促进民营经济高质量发展", "推动制造业数字化转型", "加快培育发展未来产业",
         "推进工业领域设备更新", "促进中小企业专精特新发展", "推动工业领域绿色低碳发展", "加快建设现代化产业体系"]
SERVICES = ["民用爆炸物品生产许可", "无线电台（站）设置审批", "无线电频率使用许可", "省级企业技术中心认定",
            "专精特新中小企业认定", "省级工业设计中心认定", "民用爆炸物品安全生产许可", "业余无线电台设置审批",
            "省级中小企业公共服务示范平台认定", "绿色工厂申报"]
FORMS = ["省级企业技术中心申请表", "专精特新中小企业申请表", "工业转型升级专项资金项目申报模板",
         "绿色工厂评价材料模板", "无线电台（站）设置申请表", "工业设计中心申请书", "中小企业公共服务平台申报表",
         "首台（套）重大技术装备申报书"]
EXAMS = ["全国硕士研究生招生考试", "普通高等学校招生全国统一考试", "公务员录用考试", "全国专业技术人员资格考试",
         "全国大学英语四六级考试"]
SOURCES_MEDIA = ["陕西日报", "陕西传媒网", "新华网陕西频道", "中国工业报", "中国电子报", "陕西省人民政府网站"]

# ---------------------------------------------------------------------------------------------
# titles by group

TITLES: dict[str, list[str]] = {
    "tn": [
        "省工信厅召开{theme}推进会",
        "省工信厅党组理论学习中心组开展{year}年第{n}次集中学习",
        "{ltitle}{leader}赴{city}调研{ind}产业发展工作",
        "省工信厅与{partner}签署战略合作协议",
        "省工信厅召开{year}年{month}月份工业经济运行分析会",
        "省工信厅举办{ind}产业专题培训班",
        "省工信厅组织开展{theme}专项督导",
        "{ltitle}{leader}带队赴{city}开展{theme}专题调研",
        "省工信厅召开{theme}工作专题会议",
        "{ltitle}{leader}会见{partner}负责同志",
        "省工信厅赴{city}开展{ind}企业服务专项行动",
    ],
    "sx": [
        "{city}{ind}产业链{month}月份重点项目集中开工",
        "{city}工信局召开{theme}工作推进会",
        "{city}{period}规模以上工业增加值同比增长{pct}%",
        "{city}持续推进{theme}取得积极成效",
        "{city}举办{ind}产业招商推介会",
        "{city}{n}家企业入选省级{list}",
        "{city}开展{ind}企业服务月活动",
        "{city}多措并举推动{theme}",
    ],
    "hy": [
        "{dyear}年{dmonth}月全国{pind}行业运行情况",
        "我省{ind}产业{period}保持平稳增长",
        "{ind}产业链{month}月份运行态势良好",
        "工业和信息化部召开{theme}电视电话会议",
        "全国{ind}产业创新大会在西安召开",
        "我省{n}个项目入选国家{list}",
        "{year}年{ind}产业发展论坛在{city}举行",
    ],
    "notice": [
        "关于开展{year}年{item}工作的通知",
        "关于组织申报{year}年{project}的通知",
        "关于公布{year}年{list}的公告",
        "关于{year}年{list}拟认定名单的公示",
        "关于举办{year}年{event}的通知",
        "关于做好{year}年{item}工作的通知",
        "关于{year}年{item}工作的补充通知",
        "关于开展{year}年第{cn}批{item}工作的通知",
        "关于{year}年{project}评审结果的公示",
        "关于召开{year}年全省{meeting}的通知",
        "关于做好{year}年{exam}无线电安全保障工作的通告",
        "关于报送{year}年{item}工作进展情况的通知",
        "关于征集{year}年{project}的通知",
    ],
    "szf": [
        "陕西省人民政府关于印发{policy}的通知",
        "陕西省人民政府办公厅关于印发{policy}的通知",
        "陕西省人民政府办公厅关于{verb}的实施意见",
        "陕西省人民政府关于{verb}的若干意见",
    ],
    "tf": [
        "陕西省工业和信息化厅关于印发{policy}的通知",
        "陕西省工业和信息化厅 陕西省财政厅关于印发{policy}的通知",
        "陕西省工业和信息化厅关于{verb}的通知",
        "陕西省工业和信息化厅关于印发《{year}年{item}工作方案》的通知",
    ],
    "jd": [
        "{policy}政策解读",
        "一图读懂{policy}",
        "{policy}解读问答",
        "省工信厅有关负责人就{policy}答记者问",
    ],
    "gh": [
        "陕西省“十四五”{pind}产业发展规划",
        "{year}年全省工业和信息化工作要点",
        "陕西省{pind}产业发展规划中期评估情况",
        "{year}年全省{theme}工作方案",
        "陕西省{pind}产业链提升三年行动计划（{year}—{year2}年）",
    ],
    "cz": [
        "{year}年省级{fund}拟支持项目公示",
        "陕西省工业和信息化厅{year}年部门预算公开",
        "陕西省工业和信息化厅{prev}年部门决算公开",
        "关于下达{year}年{fund}（第{cn}批）的通知",
        "{prev}年度省级{fund}绩效自评结果公开",
    ],
    "rs": [
        "陕西省工业和信息化厅{year}年公开遴选公务员公告",
        "陕西省工业和信息化厅{year}年直属事业单位公开招聘工作人员公告",
        "陕西省工业和信息化厅关于{name}等同志任职前的公示",
        "陕西省工业和信息化厅{year}年直属事业单位公开招聘拟聘用人员公示",
        "陕西省工业和信息化厅{year}年考试录用公务员拟录用人员公示",
    ],
    "tj": [
        "{dyear}年{dmonth}月全省规模以上工业增加值运行情况",
        "{dyear}年{period}全省工业经济运行情况",
        "{dyear}年{dmonth}月全省{pind}产业主要指标",
        "{dyear}年1—{dmonth}月全省工业投资情况",
        "{dyear}年{dmonth}月全省软件和信息技术服务业运行情况",
    ],
    "yxjc": [
        "{dyear}年{dmonth}月全省工业经济运行监测分析",
        "{dyear}年{dmonth}月全省重点产业链运行监测情况",
        "{dyear}年{dmonth}月全省重点工业企业用电监测情况",
        "{dyear}年{period}全省{pind}行业运行监测",
    ],
    "jy": [
        "对省十四届人大{n}次会议第{num}号代表建议的答复",
        "对省政协十三届{n}次会议第{num}号提案的答复",
        "陕西省工业和信息化厅{prev}年建议提案办理工作情况",
    ],
    "nb": [
        "陕西省工业和信息化厅{prev}年政府信息公开工作年度报告",
        "陕西省工业和信息化厅政府信息公开指南（{year}年修订）",
        "陕西省工业和信息化厅{year}年政务公开工作要点",
        "陕西省工业和信息化厅{year}年{month}月政府信息公开工作动态",
    ],
    "zf": [
        "陕西省工业和信息化厅{prev}年度行政执法统计年报",
        "陕西省工业和信息化厅行政执法事项清单（{year}年版）",
        "{year}年全省工业节能监察任务清单",
        "关于{year}年“双随机、一公开”抽查结果的公示",
        "陕西省工业和信息化厅{year}年度“双随机、一公开”抽查计划",
        "关于{year}年{item}行政检查结果的公示",
        "{division}行政执法人员名单（{year}年{month}月更新）",
    ],
    "gk": [
        "陕西省工业和信息化厅{year}年{month}月主动公开政府信息目录",
        "陕西省工业和信息化厅权责清单（{year}年版）",
        "{division}{year}年政务公开事项目录",
    ],
    "speech": [
        "{ltitle}{leader}在{year}年全省{meeting}上的讲话",
        "{ltitle}{leader}在{event}上的致辞",
        "{ltitle}{leader}在全省{theme}推进会上的讲话",
    ],
    "meeting": [
        "{year}年全省{meeting}在西安召开",
        "全省{theme}现场推进会在{city}召开",
        "省工信厅召开{year}年{item}部署会",
        "全省{meeting}召开",
        "省工信厅召开{year}年{period}工作总结会",
    ],
    "yshj": [
        "省工信厅深入推进“营商环境突破年”活动",
        "{city}工信局“营商环境突破年”工作取得新进展",
        "省工信厅“营商环境突破年”{ind}企业走访纪实",
        "“营商环境突破年”：{city}惠企政策直达快享",
    ],
    "zzy": [
        "{city}制造业高质量发展{month}月观察",
        "我省制造业高质量发展{period}成绩单",
        "{ind}产业：以高质量发展推动新型工业化",
        "省工信厅召开制造业高质量发展{ind}专题会",
    ],
    "szjj": [
        "{city}数字经济核心产业{period}保持较快增长",
        "{ind}产业赋能数字经济发展——{city}调研见闻",
        "我省数字经济发展{year}年第{n}次调度会召开",
        "{year}年陕西省数字经济高质量发展论坛在{city}举办",
    ],
    "gyhlw": [
        "{city}工业互联网标识解析二级节点上线运行",
        "我省{n}个平台入选国家工业互联网{list}",
        "工业互联网赋能{ind}产业——{city}案例",
        "{year}年全省工业互联网发展大会召开",
    ],
    "aqscy": [
        "{year}年全省工信系统“安全生产月”活动启动",
        "{city}开展{year}年“安全生产月”应急演练",
        "省工信厅“安全生产月”{ind}领域专项检查",
    ],
    "jnxcz": [
        "{year}年全省工业领域节能宣传周活动启动",
        "{city}开展{year}年工业节能宣传周主题活动",
        "节能宣传周：{ind}企业分享节能降碳经验",
    ],
    "cyl": [
        "{pind}产业链链长制工作推进会召开",
        "我省{pind}产业链{period}重点任务进展",
        "{city}{pind}产业链招商对接会成功举办",
    ],
    "bszn": [
        "{service}办事指南",
        "{service}办事指南（{year}年修订）",
        "{service}常见问题解答",
    ],
    "qyfw": [
        "{year}年“{ind}产业产需对接”活动在{city}举办",
        "{city}{ind}企业产需对接会成功举办",
        "省工信厅开展{theme}惠企政策宣讲",
        "{city}企业服务专员走访{ind}企业",
    ],
    "xz": [
        "{form}（{year}年版）",
        "{year}年{project}申报材料模板",
        "{form}填写说明（{year}年）",
    ],
    "zxqyfw": [
        "{year}年全省中小企业服务月活动启动",
        "{city}举办专精特新企业融资对接会",
        "陕西省中小企业公共服务平台{month}月服务动态",
        "{city}中小企业数字化转型城市试点工作推进会召开",
        "“一起益企”中小企业服务行动走进{city}",
        "“专精特新”企业服务行动走进{city}{ind}企业",
        "{city}中小企业公共服务平台开展{ind}专题培训",
    ],
    "ind": [
        "{city}{ind}产业链重点项目建设提速",
        "我省{ind}产业{period}运行情况",
        "{city}{n}个{ind}项目集中签约",
        "{year}年{ind}产业发展大会在{city}举办",
        "省工信厅调研{city}{ind}重点企业",
        "我省{ind}产业集群入选国家{list}",
        "{city}{ind}产业向“新”而行",
    ],
    "kj": [
        "{city}{n2}家企业技术中心通过省级认定",
        "我省{n}项产品入选首台（套）重大技术装备推广应用指导目录",
        "省工信厅召开{year}年产业基础再造工作推进会",
        "{city}{ind}企业攻克一批关键核心技术",
        "秦创原{ind}中试平台在{city}揭牌",
        "{year}年全省质量品牌提升活动启动",
        "我省{n}家企业入选国家技术创新示范企业",
    ],
    "zx": [
        "{city}新增省级专精特新中小企业{n2}家",
        "全省民营经济{period}运行情况",
        "{city}举办中小企业融资对接会",
        "我省{n}家企业入选国家级专精特新“小巨人”企业",
        "{city}中小企业特色产业集群加快发展",
        "{city}中小企业服务中心开展{month}月企业走访",
    ],
    "lh": [
        "{city}{n}家企业入选省级智能工厂",
        "我省{n}个项目入选国家智能制造示范工厂揭榜单位",
        "{city}5G+工业互联网应用场景建设提速",
        "{year}年全省两化融合管理体系贯标工作推进会召开",
        "工业互联网赋能{city}{ind}企业数字化转型",
        "{city}中小企业数字化转型城市试点{period}进展",
    ],
    "jn": [
        "{city}{n}家企业获评国家级绿色工厂",
        "我省{period}规模以上工业单位增加值能耗持续下降",
        "{city}工业固废综合利用项目建成投产",
        "省工信厅开展{year}年重点用能企业节能监察",
        "{ind}行业节能降碳改造现场会在{city}召开",
        "{city}推进工业领域清洁生产审核",
    ],
    "aq": [
        "省工信厅开展{year}年民爆行业安全生产专项检查",
        "全省工业领域安全生产{period}形势总体稳定",
        "{city}开展工贸企业安全生产执法检查",
        "省工信厅召开{year}年{month}月安全生产形势分析会",
        "省工信厅开展{year}年{month}月工贸行业安全生产明查暗访",
        "{city}民爆企业开展{year}年安全生产应急演练",
        "{city}工信局组织开展危险化学品企业安全隐患排查",
        "全省民爆行业{year}年{period}安全生产工作会议召开",
    ],
    "wxd": [
        "{year}年{exam}无线电安全保障工作圆满完成",
        "{city}无线电管理处开展{month}月份电磁环境监测",
        "全省无线电管理{period}工作综述",
        "{city}开展{year}年无线电频率使用情况核查",
        "“世界无线电日”{year}年宣传活动在{city}举行",
    ],
    "dj": [
        "厅机关党委召开{year}年第{n}次党建工作例会",
        "厅机关开展“{month}月主题党日”活动",
        "厅机关党委组织党员干部赴{city}开展学习教育",
        "厅机关举办{year}年{period}党务干部培训",
    ],
    "jg": [
        "陕西省工业和信息化厅主要职责",
        "{division}主要职责",
        "陕西省工业和信息化厅内设机构（{year}年）",
    ],
    "ld": [
        "{leader}同志简历",
        "厅领导分工（{year}年{month}月调整）",
    ],
}
POLICIES = [
    "《陕西省{pind}产业高质量发展行动方案（{year}—{year2}年）》",
    "《关于加快推进{pind}产业发展的若干措施》",
    "《陕西省{pind}产业链提升三年行动计划》",
    "《陕西省促进{pind}产业发展若干政策措施》",
    "《陕西省工业领域{pind}专项实施方案》",
    "《陕西省{fund}管理办法》",
]

# ---------------------------------------------------------------------------------------------
# bodies: per style an opener, paragraphs kept in their order, an optional closer

# (openers, middles, closers, take every middle?)
BODIES: dict[str, tuple[list[str], list[str], list[str], bool]] = {
    "meeting": ([
        "{month}月{day}日，省工信厅召开专题会议，研究部署{theme}相关工作。{ltitle}{leader}出席会议并讲话。",
        "{month}月{day}日，全省{theme}现场推进会在{city}召开，总结交流工作经验，安排部署下一阶段重点任务。{ltitle}{leader}出席会议并讲话。",
        "{month}月{day}日，省工信厅在西安召开会议，深入学习贯彻党中央、国务院和省委、省政府关于推进新型工业化的决策部署，安排部署{theme}工作。{ltitle}{leader}出席会议并讲话。",
    ], [
        "会议指出，今年以来，全省工业和信息化系统坚持稳中求进工作总基调，{ind}等重点产业保持平稳向好发展态势，重点项目建设有序推进，企业生产经营总体稳定。",
        "会上，{city}、{city2}等地工信部门和{n}家重点企业作了交流发言，介绍了推进{theme}的经验做法。",
        "会议要求，各市（区）工信部门要进一步提高政治站位，压实工作责任，聚焦重点产业链，强化要素保障，推动各项政策措施落地见效。",
        "{leader}强调，要坚持创新驱动发展，加强关键核心技术攻关，推动产业链上下游协同发展，不断提升{ind}产业核心竞争力。",
        "会议对下一阶段工作作了具体安排，明确了任务分工和时间节点，要求各责任单位建立台账、挂图作战，确保各项任务按时保质完成。",
    ], [
        "各市（区）工信部门、有关行业协会和重点企业负责同志参加会议。",
        "厅机关各处室、直属单位主要负责同志参加会议。",
    ], False),
    "visit": ([
        "为深入贯彻落实省委、省政府关于{theme}的工作部署，{month}月{day}日，{ltitle}{leader}带队赴{city}开展专题调研，实地察看了{ind}重点企业和在建项目。",
        "近日，{ltitle}{leader}带队深入{city}{ind}企业一线，围绕产业发展中的难点堵点问题开展调研，听取意见建议，协调解决实际困难。",
    ], [
        "调研中，{leader}详细了解了企业生产经营、技术创新和项目建设情况，对企业在{ind}领域取得的成绩给予肯定。",
        "座谈会上，企业负责人围绕用工、融资、用地、物流等方面反映了有关问题和建议，相关部门现场作了回应。",
        "{leader}强调，要坚持创新驱动发展，加强关键核心技术攻关，推动产业链上下游协同发展，不断提升{ind}产业核心竞争力。",
        "{leader}要求，{city}工信部门要建立问题台账，实行销号管理，切实帮助企业解决实际困难，推动项目早投产、早见效。",
    ], [
        "省工信厅有关处室负责同志陪同调研。",
        "{city}人民政府和{city}工业和信息化局有关负责同志参加调研。",
    ], False),
    "event": ([
        "{month}月{day}日，{event}在{city}举办。来自全省各市（区）工信部门、行业协会、重点企业和高校院所的代表共{n3}余人参加活动。",
        "{month}月{day}日，{city}{ind}产业链重点项目集中开工仪式举行，此次集中开工项目{n2}个，总投资{amount}亿元，涵盖{ind}、新材料、高端装备等领域。",
        "近日，{org}组织开展{theme}相关工作，围绕{ind}产业发展中的难点堵点问题，深入企业一线了解情况、听取意见、协调解决实际困难。",
        "{month}月{day}日，省工信厅与{partner}在西安签署战略合作协议。双方将在{theme}、人才培养、平台建设等方面深化合作。",
    ], [
        "活动期间，与会代表围绕{theme}开展了深入交流，{n}家企业进行了项目路演和产品展示。",
        "活动现场，{n2}家企业与金融机构、高校院所签订合作协议，意向金额达{amount}亿元。",
        "据了解，{city}已累计培育省级专精特新中小企业{n3}家，{ind}产业集群规模不断壮大。",
        "近年来，我省{ind}产业加快发展，创新能力持续提升，一批重点项目建成投产，产业链供应链韧性不断增强。",
        "下一步，省工信厅将持续加大政策支持力度，完善企业服务机制，推动{theme}工作走深走实，为奋力谱写中国式现代化建设的陕西篇章贡献工信力量。",
    ], [], False),
    "data": ([
        "{dyear}年{period}，全省规模以上工业增加值同比增长{pct}%，增速较上月加快{pct3}个百分点，工业经济延续回升向好态势。",
        "据统计，{dyear}年{period}，全省{ind}产业实现营业收入{amount}亿元，同比增长{pct}%，高于全省工业平均水平。",
    ], [
        "分门类看，采矿业增加值同比增长{pct2}%，制造业增长{pct}%，电力、热力、燃气及水生产和供应业增长{pct3}%。",
        "分行业看，{ind}行业增加值同比增长{pct2}%，计算机、通信和其他电子设备制造业增长{pct}%，汽车制造业增长{pct3}%。",
        "从主要产品产量看，新能源汽车、太阳能电池、集成电路等产品产量保持较快增长。",
        "下一步，各级工信部门将密切跟踪监测工业经济运行态势，加强分析研判，及时协调解决企业生产经营中的困难和问题。",
    ], [
        "说明：规模以上工业统计范围为年主营业务收入2000万元及以上的工业法人单位。增速按可比价格计算。",
    ], False),
    "notice": ([
        "各设区市工业和信息化局，杨凌示范区、西咸新区有关部门，韩城市工业和信息化局，各有关单位：",
        "各设区市工业和信息化主管部门，有关行业协会，各有关企业：",
    ], [
        "为深入贯彻落实省委、省政府关于{theme}的决策部署，经研究，决定开展{year}年{item}工作。现将有关事项通知如下。",
        "一、申报条件。申报单位应在陕西省境内注册、具有独立法人资格，近三年未发生重大安全、环保、质量事故，无严重失信行为。",
        "二、申报材料。申报单位按要求填写申报书，并提供营业执照、财务审计材料等证明材料，对申报材料的真实性负责。",
        "三、工作要求。请各市（区）工信部门认真组织，严格审核把关，于{dl_month}月{dl_day}日前将推荐材料报送省工业和信息化厅。逾期不予受理。",
        "四、其他事项。省工业和信息化厅将组织专家进行评审，评审结果将在门户网站公示。",
        "附件：{year}年{item}申报书",
    ], ["陕西省工业和信息化厅"], True),
    "policy": ([
        "各设区市人民政府，省人民政府各工作部门、各直属机构：",
        "各设区市工业和信息化局，杨凌示范区、西咸新区有关部门，韩城市工业和信息化局：",
    ], [
        "为深入贯彻落实党中央、国务院关于{verb}的决策部署，推动我省{pind}产业高质量发展，结合我省实际，制定本方案。",
        "一、总体要求。坚持以习近平新时代中国特色社会主义思想为指导，完整准确全面贯彻新发展理念，以{theme}为主线，推动{pind}产业规模持续扩大、结构不断优化。",
        "二、发展目标。到{year2}年，全省{pind}产业规模突破{amount}亿元，培育一批具有核心竞争力的龙头企业和专精特新中小企业，产业链供应链韧性和安全水平明显提升。",
        "三、重点任务。（一）强化创新能力建设。支持企业建设技术创新中心，开展关键核心技术攻关。（二）壮大市场主体。实施龙头企业培育工程，推动大中小企业融通发展。（三）推进项目建设。滚动实施一批强链补链延链重点项目。",
        "四、保障措施。加强组织领导，建立工作推进机制；加大政策支持力度，统筹用好各类专项资金；强化人才支撑，加强要素保障。",
        "各地、各有关部门要结合实际，认真抓好贯彻落实。",
    ], ["本方案自印发之日起施行。"], True),
    "interp": ([
        "近日，省工信厅印发{policy}。为便于社会公众和企业全面了解政策内容，现就有关情况解读如下。",
        "为帮助企业及时了解、用好{policy}，现将政策主要内容解读如下。",
    ], [
        "一、出台背景。{pind}产业是我省重点发展的产业之一。为进一步巩固产业发展优势，破解制约产业发展的突出问题，省工信厅会同有关部门研究起草了该政策。",
        "二、主要内容。政策共分为总体要求、重点任务、保障措施三个部分，提出了{n2}条具体措施，重点聚焦创新能力提升、龙头企业培育、重点项目建设和产业生态优化。",
        "三、支持方向。对符合条件的企业研发投入、技术改造、首台（套）产品推广应用等给予支持，对新认定的国家级、省级创新平台给予奖励。",
        "四、政策亮点。一是突出精准施策，聚焦产业链关键环节；二是突出企业主体，强化对专精特新企业的梯度培育；三是突出要素保障，统筹资金、土地、人才等要素。",
        "五、实施时间。政策自印发之日起施行，有效期至{year2}年12月31日。",
    ], [], True),
    "speech": ([
        "同志们：",
        "各位来宾，同志们、朋友们：",
    ], [
        "这次会议的主要任务是，深入学习贯彻党中央、国务院决策部署，认真落实省委、省政府工作要求，总结工作，分析形势，安排部署下一阶段重点任务。",
        "过去一年，全省工业和信息化系统攻坚克难、奋发作为，规模以上工业增加值增长{pct}%，{ind}等重点产业链加快壮大，工业经济在全省经济发展中的“压舱石”作用持续彰显。",
        "我们也要清醒地看到，当前工业发展仍面临需求不足、部分行业效益下滑、企业经营困难等问题，必须增强忧患意识，坚持底线思维。",
        "做好下一阶段工作，要突出抓好以下几个方面：一是全力稳住工业增长基本盘；二是加快推进重点产业链提质升级；三是大力推动数字化转型和绿色低碳发展；四是持续优化企业服务。",
        "同志们，目标已经明确，任务已经下达，关键在于落实。让我们紧密团结，真抓实干，为奋力谱写中国式现代化建设的陕西篇章贡献工信力量！",
    ], ["谢谢大家！"], True),
    "fund": ([
        "根据《陕西省{fund}管理办法》有关规定，经企业申报、市级推荐、专家评审和综合评定，现将有关项目予以公开。",
    ], [
        "公示期为{month}月{day}日至{dl_month}月{dl_day}日。公示期间，如有异议，可书面向省工业和信息化厅反映。",
        "反映情况应实事求是，以单位名义反映的须加盖公章，以个人名义反映的须署真实姓名。",
        "资金使用单位要严格执行专项资金管理规定，专款专用，确保资金使用安全和绩效。",
    ], ["附件：项目清单"], True),
    "personnel": ([
        "根据《中华人民共和国公务员法》和有关规定，经研究，现将有关事项公告如下。",
        "根据干部选拔任用和人员招聘有关规定，经厅党组研究，现将有关事项予以公示。",
    ], [
        "一、基本情况。本次涉及人员{n}名，具体名单见附件。",
        "二、条件要求。具有中华人民共和国国籍，拥护中华人民共和国宪法，具有良好的政治素质和道德品行，具有正常履行职责的身体条件和心理素质。",
        "三、程序安排。按照发布公告、报名与资格审查、笔试、面试、体检、考察、公示等程序进行。",
        "四、监督。对有关人选有问题反映的，可通过来信、来访等方式向厅人事处反映。反映问题要实事求是，提倡署真实姓名。",
    ], [], True),
    "reply": ([
        "您提出的关于支持{city}{ind}产业发展的建议收悉。经认真研究，现答复如下。",
        "您提出的关于加快{theme}的提案收悉，感谢您对全省工业和信息化工作的关心和支持，现答复如下。",
    ], [
        "一、关于加大政策支持。近年来，我厅高度重视{ind}产业发展，先后出台了一系列支持政策，统筹专项资金支持重点项目建设。",
        "二、关于强化要素保障。我厅会同有关部门加强用地、用能、融资等要素保障，建立重点项目服务机制，协调解决企业困难和问题。",
        "三、下一步工作。我厅将认真吸纳您的意见建议，进一步完善政策体系，加大支持力度，推动{ind}产业高质量发展。",
    ], ["感谢您对工业和信息化工作的关心和支持。"], True),
    "openinfo": ([
        "根据《中华人民共和国政府信息公开条例》有关规定，现将有关情况公开如下。",
        "为进一步做好政务公开工作，方便公众查阅，现将有关内容予以公开。",
    ], [
        "一、总体情况。我厅坚持以公开为常态、不公开为例外，认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息{n3}条。",
        "二、主动公开政府信息情况。通过门户网站、政务新媒体等渠道及时发布政策文件、工作动态、通知公告等信息。",
        "三、收到和处理政府信息公开申请情况。全年共收到政府信息公开申请{n2}件，均在法定期限内答复。",
        "四、存在的主要问题及改进情况。个别栏目更新不够及时，下一步将进一步健全信息发布审核机制，加强栏目日常维护。",
    ], [], True),
    "service": ([
        "为方便企业和群众办事，现将{service}有关要求和办理流程公布如下。",
        "根据深化“放管服”改革要求，现将{service}办事指南公布如下。",
    ], [
        "一、事项名称：{service}。",
        "二、设定依据：相关法律法规及国家、省有关规定。",
        "三、申请条件：申请人应当依法设立，具备与申请事项相适应的场所、设施、人员和管理制度。",
        "四、申请材料：申请书、营业执照复印件以及与申请事项相关的其他证明材料。",
        "五、办理流程：申请—受理—审查—决定—送达。申请人可通过陕西政务服务网在线办理。",
        "六、办理时限：法定办结时限20个工作日，承诺办结时限10个工作日。",
    ], [], True),
    "download": ([
        "现将{form}予以发布，请有关单位下载使用。",
        "为便于企业申报，现将有关申报材料模板公布如下，请下载后按要求填写。",
    ], [
        "填写说明：请使用本版本模板填写，各项内容应真实、准确、完整，数据口径与财务报表保持一致。",
        "申报单位对所填报内容的真实性负责，材料一经报送不予退还。",
    ], ["附件：{form}"], True),
    "profile": ([
        "陕西省工业和信息化厅是省政府组成部门，为正厅级，贯彻落实党中央关于工业和信息化工作的方针政策和决策部署，在履行职责过程中坚持和加强党对工业和信息化工作的集中统一领导。",
    ], [
        "拟订并组织实施全省工业、通信业和信息化发展规划，推进产业结构战略性调整和优化升级。",
        "监测分析全省工业经济运行态势，统计并发布相关信息，进行预测预警和信息引导。",
        "负责全省中小企业发展的宏观指导，会同有关部门拟订促进中小企业和民营经济发展的相关政策和措施。",
        "统筹推进全省信息化工作，组织制定相关政策并协调信息化建设中的重大问题。",
        "完成省委、省政府交办的其他任务。",
    ], [], True),
}
STYLE_OF_GROUP = {
    "notice": "notice", "szf": "policy", "tf": "policy", "jd": "interp", "gh": "policy",
    "cz": "fund", "rs": "personnel", "tj": "data", "yxjc": "data", "jy": "reply", "nb": "openinfo",
    "zf": "openinfo", "gk": "openinfo", "speech": "speech", "bszn": "service", "xz": "download",
    "jg": "profile", "ld": "profile",
}
# a news item's body follows what its headline is about
NEWS_KEYWORDS = [
    ("visit", ("调研", "走访", "赴", "走进")),
    ("meeting", ("会议", "推进会", "分析会", "例会", "部署会", "总结会", "专题会", "工作会", "召开")),
    ("data", ("增长", "运行", "情况", "指标", "监测", "能耗", "成绩单", "进展", "观察")),
]

RETURN_COMMENTS = [
    "第二段数据与统计部门发布口径不一致，请核实后修改。",
    "标题与栏目定位不符，请调整到合适栏目后再报。",
    "请补充信息来源，并核对会议时间。",
    "文中领导职务表述有误，请核实修改。",
    "正文涉及企业具体经营数据，请确认是否可以公开。",
    "请删除内部工作安排相关内容（第十六条）。",
    "标题过长，请精简；正文第三段表述请再斟酌。",
    "附件缺失，请补充后重新提交。",
]
TAKE_DOWN_REASONS = [
    "文中含企业联系人个人信息，临时撤下待核实（第二十三条）。",
    "附件版本有误，临时撤下待更新。",
    "数据口径与统计部门发布不一致，临时撤下核实。",
    "群众反映内容与实际不符，暂时撤下核查。",
]
WITHDRAW_REASONS = [
    "活动延期举办，撤销原稿。",
    "与已发布信息重复。",
    "通知内容调整，另行发布。",
    "会议时间变更，原稿作废。",
]
ESCALATE_COMMENTS = ["涉及跨部门事项，请分管领导审定。", "内容涉及资金安排，请分管领导把关。"]
APPROVE_COMMENTS = ["同意发布。", "同意。", "同意，请按规范格式发布。", "", "", ""]
CN_NUM = "一二三四五六七八九十"


# ---------------------------------------------------------------------------------------------
# time helpers


def _next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _later(rng: random.Random, t: dt.datetime, lo: int, hi: int) -> dt.datetime:
    """`t` plus lo..hi minutes, rolling over to the next working morning after office hours."""
    nxt = t + dt.timedelta(minutes=rng.randint(lo, hi))
    if nxt.date() != t.date() or nxt.hour >= 18:
        day = _next_workday(t.date())
        nxt = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 90))
    return nxt


def _office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 420))


def _period(month: int) -> str:
    return {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}.get(month, f"1—{month}月")


# ---------------------------------------------------------------------------------------------
# the article simulator: the same transitions core.workflow makes, with the clock in hand


@dataclass
class _Article:
    id: int
    column_id: int
    lead: int
    author: int
    importance: str
    title: str
    paragraphs: list[str]
    source: str
    t: dt.datetime
    state: str = "draft"
    revision: int = 1
    chain: list[str] = field(default_factory=list)
    step: int = 0
    created_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    scheduled_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    published_by: int | None = None
    live_revision: int | None = None
    public: bool = False
    state_reason: str | None = None
    request_id: int | None = None
    work_ended_on: dt.date | None = None
    codivisions: list[int] = field(default_factory=list)
    events: list[list] = field(default_factory=list)
    revisions: list[list] = field(default_factory=list)  # [number, title, author, at]

    def _event(self, actor: int, action: str, to_state: str, role: str | None = None,
               comment: str | None = None, checklist: bool = False) -> None:
        self.events.append([self.id, self.revision, actor, role, action, self.state, to_state,
                            self.step or None, comment or None,
                            ",".join(sorted(CHECKLIST)) if checklist else None, self.t])
        self.state = to_state

    def create(self) -> None:
        self.created_at = self.t
        self.revisions.append([1, self.title, self.author, self.t])
        self._event(self.author, "create", "draft")

    def edit(self, actor: int) -> None:
        restart = self.state in {"pending", "approved", "scheduled", "published"}
        self.revision += 1
        self.revisions.append([self.revision, self.title, actor, self.t])
        if restart:
            new_state, chain, step = "pending", list(DEFAULT_CHAINS[self.importance]), 1
        elif self.state == "taken_down":
            new_state, chain, step = "draft", [], 0
        else:
            new_state, chain, step = self.state, self.chain, self.step
        self._event(actor, "edit_restart" if restart else "edit", new_state,
                    comment="修改后重新进入审批" if restart else None)
        self.chain, self.step, self.scheduled_at = chain, step, None

    def submit(self) -> None:
        self._event(self.author, "submit", "pending")
        self.chain, self.step = list(DEFAULT_CHAINS[self.importance]), 1
        self.submitted_at, self.state_reason = self.t, None

    def approve(self, actor: int, comment: str = "") -> None:
        role = self.chain[self.step - 1]
        last = self.step == len(self.chain)
        self._event(actor, "approve", "approved" if last else "pending", role=role, comment=comment,
                    checklist=True)
        if last:
            self.approved_at = self.t
        else:
            self.step += 1

    def return_(self, actor: int, comment: str) -> None:
        self._event(actor, "return", "returned", role=self.chain[self.step - 1], comment=comment)
        self.state_reason = comment

    def escalate(self, actor: int, comment: str) -> None:
        role = self.chain[self.step - 1]
        upper = {"head": "leader", "leader": "group"}[role]
        if self.step == len(self.chain) or self.chain[self.step] != upper:
            self.chain.insert(self.step, upper)
        self._event(actor, "escalate", "pending", role=role, comment=comment)
        self.step += 1

    def publish(self, actor: int) -> None:
        self._event(actor, "publish", "published")
        self.public, self.live_revision = True, self.revision
        self.published_at, self.published_by = self.t, actor
        self.scheduled_at, self.state_reason = None, None

    def schedule(self, actor: int, at: dt.datetime) -> None:
        self._event(actor, "schedule", "scheduled", comment=f"定时发布:{at:%Y-%m-%d %H:%M}")
        self.scheduled_at = at

    def withdraw(self, actor: int, reason: str) -> None:
        self._event(actor, "withdraw", "withdrawn", comment=reason)
        self.public, self.scheduled_at, self.state_reason = False, None, reason or None

    def take_down(self, actor: int, reason: str) -> None:
        self._event(actor, "take_down", "taken_down", comment=reason)
        self.public, self.state_reason = False, reason

    def restore(self, actor: int, comment: str) -> None:
        self._event(actor, "restore", "published" if self.live_revision == self.revision else "draft",
                    comment=comment)
        self.public, self.state_reason = True, None

    def approve_by_request(self, actor: int) -> None:
        self.events.append([self.id, 1, actor, "webmaster", "approve_by_request", "draft", "approved", None,
                            f"依委托发布申请 #{self.request_id}(第十八条)", None, self.t])
        self.state, self.approved_at = "approved", self.t

    def times(self) -> list[dt.datetime]:
        return [e[10] for e in self.events]

    def shift(self, delta: dt.timedelta) -> None:
        """Move the whole history by `delta` (scheduled_at is a future appointment and stays)."""
        for event in self.events:
            event[10] += delta
        for rev in self.revisions:
            rev[3] += delta
        self.t += delta
        for name in ("created_at", "submitted_at", "approved_at", "published_at"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value + delta)


# ---------------------------------------------------------------------------------------------
# the loader


class _Builder:
    def __init__(self, con: duckdb.DuckDBPyConnection, total: int, seed: int, today: dt.date | None):
        self.con = con
        self.rng = random.Random(seed)
        real_now = dt.datetime.now().replace(microsecond=0)
        if today is None or today == real_now.date():
            self.now, self.today = real_now, real_now.date()
        else:
            self.now, self.today = dt.datetime.combine(today, dt.time(18, 0)), today
        self.start = self.today - dt.timedelta(days=3 * 365)
        # nothing happened after this: now, or the end of the last working day outside office hours
        self.latest = self.now - dt.timedelta(minutes=5)
        if self.now.weekday() >= 5 or not dt.time(9, 0) <= self.now.time() <= dt.time(18, 0):
            day = self.today
            while day.weekday() >= 5 or dt.datetime.combine(day, dt.time(17, 50)) > self.now:
                day -= dt.timedelta(days=1)
            self.latest = dt.datetime.combine(day, dt.time(17, 50))
        self.total = total
        self.div: dict[str, int] = {}
        self.div_name: dict[int, str] = {}
        self.code_of: dict[int, str] = {}
        self.users: dict[str, int] = {}
        self.officers: dict[int, list[int]] = {}
        self.head: dict[int, int] = {}
        self.leader_of: dict[int, int] = {}
        self.group: list[int] = []
        self.cols: list[_Col] = []
        self.titles: set[tuple[int, str]] = set()
        self.articles: list[_Article] = []
        self.requests: list[dict] = []

    # ------------------------------------------------------------------ organisation

    def divisions(self) -> None:
        for position, (code, name, kind) in enumerate(DIVISIONS, start=1):
            division_id = self.con.execute(
                "INSERT INTO divisions (code, name, kind, position) VALUES (?, ?, ?, ?) RETURNING id",
                [code, name, kind, position * 10]).fetchone()[0]
            self.div[code], self.div_name[division_id], self.code_of[division_id] = division_id, name, code

    def accounts(self) -> None:
        """Mirror of core.accounts.create_user, with one bcrypt hash shared by every demo account
        (40-odd hashes at cost 12 would take ten seconds)."""
        password_hash = hash_password(DEMO_PASSWORD)
        created = dt.datetime.combine(self.start - dt.timedelta(days=30), dt.time(9, 0))
        names = iter(STAFF_NAMES)

        def add(username: str, name: str, roles: list[str], division: str | None,
                charge: tuple[str, ...] = ()) -> int:
            assert USERNAME_RULE.fullmatch(username), username
            division_id = self.div[division] if division else None
            user_id = self.con.execute(
                "INSERT INTO users (username, display_name, email, division_id, password_hash, "
                "must_change_password, created_at) VALUES (?, ?, ?, ?, ?, FALSE, ?) RETURNING id",
                [username, name, f"{username}@{DEMO_DOMAIN}", division_id, password_hash, created]).fetchone()[0]
            for role in sorted(set(roles)):
                self.con.execute("INSERT INTO user_roles VALUES (?, ?)", [user_id, role])
            for code in sorted(set(charge)):
                self.con.execute("INSERT INTO leader_charge VALUES (?, ?)", [user_id, self.div[code]])
            audit.record(self.con, None, "accounts.create", f"user:{username}",
                         f"roles={sorted(roles)} division={division_id}")
            self.users[username] = user_id
            return user_id

        for code, _name, kind in DIVISIONS:
            if kind not in ("division", "office"):
                continue
            division_id = self.div[code]
            self.officers[division_id] = [add(f"xxy_{code}", next(names), ["officer"], code)]
            self.head[division_id] = add(f"fzr_{code}", next(names), ["head"], code)
        for code in SECOND_OFFICER:
            self.officers[self.div[code]].append(add(f"xxy_{code}2", next(names), ["officer"], code))
        for username, name, _title, charge in LEADERS:
            user_id = add(username, name, ["leader"], "tld", charge)
            for code in charge:
                self.leader_of[self.div[code]] = user_id
        for username, name, _title in GROUP:
            self.group.append(add(username, name, ["group"], "tld"))
        add("webmaster", next(names), ["webmaster"], "bgs")
        add("jszc", next(names), ["tech"], "jszc")
        add("analyst", next(names), ["analyst"], "ghc")

    def columns(self) -> None:
        created = dt.datetime.combine(self.start - dt.timedelta(days=30), dt.time(10, 0))

        def walk(items: list[_Col], parent: int | None) -> None:
            for position, col in enumerate(items, start=1):
                assert col.kind in DEFAULT_KINDS, col.kind
                col.parent = parent
                col.id = self.con.execute(
                    "INSERT INTO columns (parent_id, slug, name, kind, division_id, position, retired, is_key, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    [parent, col.slug, col.name, col.kind, self.div[col.division], position * 10, col.retired,
                     col.key, created]).fetchone()[0]
                self.cols.append(col)
                walk(col.children, col.id)

        walk(COLUMNS, None)

    # ------------------------------------------------------------------ words

    def _slots(self, col: _Col, day: dt.date) -> dict:
        rng = self.rng
        code = col.division
        inds = INDUSTRIES.get(code) or POLICY_INDUSTRIES
        data_day = day.replace(day=1) - dt.timedelta(days=1)
        leader_pool = [(name, title) for _u, name, title, _c in LEADERS] + [(n, t) for _u, n, t in GROUP]
        leader, ltitle = rng.choice(leader_pool)
        city, city2 = rng.sample(CITIES, 2)
        deadline = day + dt.timedelta(days=rng.randint(10, 30))
        slots = {
            "year": day.year, "year2": day.year + 2, "prev": day.year - 1, "month": day.month, "day": day.day,
            "dyear": data_day.year, "dmonth": data_day.month, "period": _period(data_day.month),
            "city": city, "city2": city2, "ind": rng.choice(inds), "pind": rng.choice(POLICY_INDUSTRIES),
            "theme": rng.choice(THEMES), "meeting": rng.choice(MEETINGS), "leader": leader, "ltitle": ltitle,
            "partner": rng.choice(PARTNERS), "item": rng.choice(ITEMS), "project": rng.choice(PROJECTS),
            "list": rng.choice(LISTS), "event": rng.choice(EVENTS), "fund": rng.choice(FUNDS),
            "verb": rng.choice(VERBS), "service": rng.choice(SERVICES), "form": rng.choice(FORMS),
            "exam": rng.choice(EXAMS), "name": rng.choice(STAFF_NAMES), "n": rng.randint(1, 12),
            "n2": rng.randint(3, 36), "n3": rng.randint(40, 600), "num": rng.randint(100, 1300),
            "cn": CN_NUM[rng.randint(0, 4)], "pct": f"{rng.uniform(3, 12):.1f}", "pct2": f"{rng.uniform(5, 25):.1f}",
            "pct3": f"{rng.uniform(0.2, 3):.1f}", "amount": rng.randint(12, 980),
            "dl_month": deadline.month, "dl_day": deadline.day, "org": "省工信厅",
            "division": self.div_name[self.div[rng.choice([c for c, _n, k in DIVISIONS if k == "division"])]],
        }
        slots["policy"] = rng.choice(POLICIES).format(**slots)
        return slots

    def _title(self, col: _Col, slots: dict) -> tuple[str, dict]:
        """A headline not yet used in the column (第十五条), and the words it was made with."""
        templates = TITLES[col.group or "tn"]
        for _ in range(25):
            title = self.rng.choice(templates).format(**slots)
            if (col.id, title) not in self.titles:
                break
            slots = self._slots(col, dt.date(slots["year"], slots["month"], slots["day"]))
        else:  # the column has used up its headlines for this date: a numbered sequel
            base = self.rng.choice(templates).format(**slots)
            title, k = base, 1
            while (col.id, title) in self.titles:
                k += 1
                title = f"{base}（{CN_NUM[k - 1]}）" if k <= 10 else f"{base}（{k}）"
        self.titles.add((col.id, title))
        return title, slots

    def _paragraphs(self, col: _Col, title: str, slots: dict) -> list[str]:
        """3–8 paragraphs in a sensible order, in the register of the column and the headline."""
        rng = self.rng
        style = STYLE_OF_GROUP.get(col.group)
        if style is None:
            style = next((s for s, words in NEWS_KEYWORDS if any(w in title for w in words)), "event")
        openers, middles, closers, every = BODIES[style]
        if every:
            chosen = list(middles)
        else:
            keep = sorted(rng.sample(range(len(middles)), rng.randint(min(2, len(middles)), len(middles))))
            chosen = [middles[i] for i in keep]
        paragraphs = [rng.choice(openers), *chosen]
        if closers and (every or rng.random() < 0.7):
            paragraphs.append(rng.choice(closers))
        return [p.format(**slots) for p in paragraphs[:8]]

    def _source(self, col: _Col, slots: dict) -> str:
        roll = self.rng.random()
        if col.group == "sx":
            return f"{slots['city']}工业和信息化局" if roll < 0.8 else self.rng.choice(SOURCES_MEDIA)
        if col.group == "hy" and roll < 0.6:
            return self.rng.choice(["工业和信息化部网站", "中国工业报", "中国电子报", "新华网"])
        if col.group == "szf":
            return "陕西省人民政府办公厅"
        if roll < 0.08 and col.kind == "news":
            return self.rng.choice(SOURCES_MEDIA)
        return self.div_name[self.div[col.division]]

    # ------------------------------------------------------------------ articles

    def _new(self, article_id: int, col: _Col, day: dt.date, importance: str,
             author: int | None = None) -> _Article:
        title, slots = self._title(col, self._slots(col, day))
        lead = self.div[col.division]
        author = author or self.rng.choice(self.officers[lead])
        article = _Article(
            id=article_id, column_id=col.id, lead=lead, author=author, importance=importance,
            title=title, paragraphs=self._paragraphs(col, title, slots),
            source=self._source(col, slots), t=_office_time(self.rng, day))
        if self.rng.random() < 0.05:
            others = [d for d in self.officers if d != lead]
            article.codivisions = sorted(self.rng.sample(others, self.rng.randint(1, 2)))
        return article

    def _importance(self, col: _Col, busy: bool = False) -> str:
        weights = [55, 30, 10, 5] if busy else [82, 13, 4, 1]
        if col.kind in ("speech", "meeting", "policy") and not busy:
            weights = [55, 33, 9, 3]
        return self.rng.choices(["一般", "重要", "重大", "特殊"], weights=weights)[0]

    def _approver(self, article: _Article) -> int:
        role = article.chain[article.step - 1]
        if role == "head":
            return self.head[article.lead]
        if role == "leader":
            return self.leader_of[article.lead]
        return self.rng.choice(self.group)

    def _approve_until(self, article: _Article, step: int) -> None:
        """Approve step by step until the article waits at `step` (or is approved if beyond)."""
        while article.state == "pending" and article.step < step:
            article.t = _later(self.rng, article.t, 20, 300)
            article.approve(self._approver(article), self.rng.choice(APPROVE_COMMENTS))

    def _through_approval(self, article: _Article, *, detour: bool = True) -> None:
        """create → (edit) → submit → (return, edit, resubmit) → (escalate) → approved."""
        rng = self.rng
        article.create()
        if detour and rng.random() < 0.08:
            article.t = _later(rng, article.t, 20, 240)
            article.edit(article.author)
        article.t = _later(rng, article.t, 10, 120)
        article.submit()
        if detour and rng.random() < 0.06:
            article.t = _later(rng, article.t, 30, 300)
            article.return_(self._approver(article), rng.choice(RETURN_COMMENTS))
            article.t = _later(rng, article.t, 20, 200)
            article.edit(article.author)
            article.t = _later(rng, article.t, 5, 60)
            article.submit()
        if detour and article.importance == "一般" and rng.random() < 0.03:
            article.t = _later(rng, article.t, 30, 240)
            article.escalate(self._approver(article), rng.choice(ESCALATE_COMMENTS))
        self._approve_until(article, len(article.chain) + 1)

    def _publisher(self, article: _Article) -> int:
        if self.code_of[article.lead] == "bgs" and self.rng.random() < 0.3:
            return self.users["webmaster"]
        return article.author if self.rng.random() < 0.85 else self.rng.choice(self.officers[article.lead])

    def _publish(self, article: _Article) -> None:
        article.t = _later(self.rng, article.t, 5, 90)
        article.publish(self._publisher(article))

    def _published(self, article: _Article, *, extras: bool = True) -> None:
        rng = self.rng
        self._through_approval(article)
        self._publish(article)
        if extras and rng.random() < 0.04:  # a correction, approved and republished
            article.t = _later(rng, article.t, 30, 400)
            article.edit(article.author)
            self._approve_until(article, len(article.chain) + 1)
            self._publish(article)
        if extras and rng.random() < 0.006:  # taken down for a check, then put back
            webmaster = self.users["webmaster"]
            article.t = article.t + dt.timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 300))
            article.take_down(webmaster, rng.choice(TAKE_DOWN_REASONS))
            article.t = _later(rng, article.t, 60, 600)
            article.restore(webmaster, "经核实无误，恢复上线。")

    def _play(self, article: _Article, scenario: str) -> None:
        rng = self.rng
        if scenario == "published":
            self._published(article)
        elif scenario == "draft":
            article.create()
            if rng.random() < 0.3:
                article.t = _later(rng, article.t, 20, 600)
                article.edit(article.author)
        elif scenario == "returned":
            article.create()
            article.t = _later(rng, article.t, 10, 120)
            article.submit()
            self._approve_until(article, rng.randint(1, len(article.chain)))
            article.t = _later(rng, article.t, 30, 300)
            article.return_(self._approver(article), rng.choice(RETURN_COMMENTS))
        elif scenario in ("approved", "scheduled"):
            self._through_approval(article, detour=False)
            if scenario == "scheduled":
                article.t = _later(rng, article.t, 5, 60)
                day = self.today + dt.timedelta(days=rng.randint(1, 5))
                at = dt.datetime.combine(day, dt.time(rng.choice([9, 10, 15]), 0))
                article.schedule(article.author, at)
        elif scenario.startswith("pending"):  # pending@<step>
            step = int(scenario.split("@")[1])
            article.create()
            article.t = _later(rng, article.t, 10, 120)
            article.submit()
            self._approve_until(article, step)
        elif scenario.startswith("correction"):  # published, later revision pending@<step>
            step = int(scenario.split("@")[1])
            self._through_approval(article, detour=False)
            self._publish(article)
            article.t = _later(rng, article.t, 60, 900)
            article.edit(article.author)
            self._approve_until(article, step)
        elif scenario == "withdrawn":
            roll = rng.random()
            if roll < 0.4:
                article.create()
                article.t = _later(rng, article.t, 60, 900)
                article.withdraw(article.author, rng.choice(["", "", WITHDRAW_REASONS[1]]))
            elif roll < 0.7:
                article.create()
                article.t = _later(rng, article.t, 10, 120)
                article.submit()
                article.t = _later(rng, article.t, 30, 600)
                article.withdraw(article.author, rng.choice(WITHDRAW_REASONS))
            else:
                self._published(article, extras=False)
                article.t = article.t + dt.timedelta(days=rng.randint(0, 3), minutes=rng.randint(30, 400))
                article.withdraw(article.author, rng.choice(WITHDRAW_REASONS))
        elif scenario == "taken_down":
            self._published(article, extras=False)
            article.t = article.t + dt.timedelta(days=rng.randint(0, 30), minutes=rng.randint(30, 400))
            article.take_down(self.users["webmaster"], rng.choice(TAKE_DOWN_REASONS))
        else:  # pragma: no cover - a programming error
            raise ValueError(scenario)

    def _finish(self, article: _Article) -> None:
        """Keep the history in the past and set when the work ended (第十七条)."""
        rng = self.rng
        latest = self.latest - dt.timedelta(minutes=rng.randint(0, 150))
        if article.t > latest:  # move back by whole days, to a working day: office hours stay
            days = (article.t - latest).days + 1
            while (article.t - dt.timedelta(days=days)).weekday() >= 5:
                days += 1
            article.shift(dt.timedelta(days=-days))
        if article.published_at is not None:
            lag = rng.choices([0, 1, 2, 3, 4, 5], weights=[35, 30, 17, 10, 5, 3])[0]
            article.work_ended_on = article.published_at.date() - dt.timedelta(days=lag)
        elif rng.random() < 0.9:
            article.work_ended_on = article.created_at.date() - dt.timedelta(days=rng.choice([0, 0, 1, 2]))

    def _recent_day(self, max_days: int) -> dt.date:
        day = self.today - dt.timedelta(days=self.rng.randint(0, max_days))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day

    def _past_day(self, col: _Col) -> dt.date:
        span = (self.today - self.start).days
        if col.retired:  # the campaign is over: its items are from the first year
            offset = span - self.rng.randint(0, span // 3)
        else:
            offset = int(span * self.rng.random() ** 1.15)
        day = self.today - dt.timedelta(days=offset)
        if day.weekday() >= 5 and self.rng.random() < 0.85:  # Saturday to Friday, Sunday to Monday
            day += dt.timedelta(days=-1 if day.weekday() == 5 else 1)
        if col.slug in DORMANT:
            day = min(day, self.today - dt.timedelta(days=DORMANT[col.slug]))
        return min(day, self.today)

    def plan(self, ids: list[int], request_ids: list[int]) -> None:
        rng = self.rng
        ids = list(ids)
        by_slug = {c.slug: c for c in self.cols}
        dzxx = self.div[DEMO_DIVISION]
        officer = self.users[DEMO_ACCOUNTS["officer"]]
        dz_cols = [c for c in self.cols if c.division == DEMO_DIVISION and not c.retired]

        # 1. the demo division's queue: what the README promises to each demo account
        forced = [("draft", "一般"), ("draft2", "一般"), ("returned", "一般"), ("approved", "一般"),
                  ("pending@1", "一般"), ("pending@1", "一般"), ("pending@1r", "一般"),
                  ("pending@2", "重要"), ("pending@3", "重大")]
        for scenario, importance in forced:
            col = rng.choice(dz_cols)
            article = self._new(ids.pop(0), col, self._recent_day(6), importance, author=officer)
            if scenario == "draft2":
                article.create()
                article.t = _later(rng, article.t, 30, 300)
                article.edit(officer)
            elif scenario == "pending@1r":  # returned once, corrected and resubmitted
                article.create()
                article.t = _later(rng, article.t, 10, 120)
                article.submit()
                article.t = _later(rng, article.t, 30, 300)
                article.return_(self.head[dzxx], "请补充项目投资规模和建设进度，并核对企业名称。")
                article.t = _later(rng, article.t, 30, 300)
                article.edit(officer)
                article.t = _later(rng, article.t, 5, 60)
                article.submit()
            elif scenario == "returned":
                article.create()
                article.t = _later(rng, article.t, 10, 120)
                article.submit()
                article.t = _later(rng, article.t, 30, 300)
                article.return_(self.head[dzxx], "第二段产值数据请与统计部门核实后再报，标题请精简。")
            else:
                self._play(article, scenario)
            if scenario == "pending@2":
                assert self.leader_of[dzxx] == self.users[DEMO_ACCOUNTS["leader"]]
            self._finish(article)
            self.articles.append(article)

        # 2. publication requests the office handled (第十八条): published by the webmaster
        notices = by_slug["tzgg"]
        for request_id, request in zip(request_ids, self.requests, strict=True):
            if request["state"] != "done":
                continue
            day = request["requested_on"] + dt.timedelta(days=1)
            article = self._new(ids.pop(0), notices, day, "一般", author=self.users["webmaster"])
            article.title = request["title"]
            self.titles.add((notices.id, article.title))
            article.source = request["source"]
            article.request_id = request_id
            article.create()
            article.t = _later(rng, article.t, 10, 60)
            article.approve_by_request(self.users["webmaster"])
            article.t = _later(rng, article.t, 1, 10)
            article.publish(self.users["webmaster"])
            self._finish(article)
            request.update(article_id=article.id, handled_at=article.published_at)
            self.articles.append(article)

        # 3. every other article: one in each column first, then by weight
        eligible = [c for c in self.cols if c.weight > 0 and c.kind != "interaction"]
        placed = list(eligible) + [c for c in eligible if c.retired] * 2
        rest = len(ids) - len(placed)
        if rest > 0:
            placed += rng.choices(eligible, weights=[c.weight for c in eligible], k=rest)
        placed = placed[:len(ids)]
        rng.shuffle(placed)
        scenarios = ["published"] * len(placed)
        n = len(placed)
        quotas = {"draft": 0.025, "pending": 0.022, "correction": 0.008, "returned": 0.012, "approved": 0.01,
                  "scheduled": 0.006, "withdrawn": 0.012, "taken_down": 0.008}
        wang = {d for d, u in self.leader_of.items() if u == self.users[DEMO_ACCOUNTS["leader"]]}
        seen_cols: set[int] = set()
        candidates = []
        for index, col in enumerate(placed):
            if col.id not in seen_cols:  # the first article of each column stays published
                seen_cols.add(col.id)
                continue
            if not col.retired:
                candidates.append(index)
        rng.shuffle(candidates)
        busy_states = {"draft", "pending", "correction", "returned", "approved", "scheduled"}
        for state, share in quotas.items():
            want = max(1, round(n * share))
            for index in list(candidates):
                if want == 0:
                    break
                if state in busy_states and placed[index].division == DEMO_DIVISION:
                    continue
                if placed[index].slug in DORMANT:  # nothing recent there: the column stays stale
                    continue
                candidates.remove(index)
                scenarios[index] = state
                want -= 1
        for col, scenario in zip(placed, scenarios, strict=True):
            busy = scenario in busy_states
            importance = self._importance(col, busy=busy and scenario != "draft")
            if busy:
                day = self._recent_day(12 if scenario in ("draft", "returned") else 6)
            else:
                day = self._past_day(col)
            article = self._new(ids.pop(0), col, day, importance)
            if scenario in ("pending", "correction"):
                top = len(DEFAULT_CHAINS[importance])
                step = rng.randint(1, top)
                if step == 3:  # the one group item is the demo's: others wait lower
                    step = rng.randint(1, 2)
                if step >= 2 and article.lead in wang:  # ld_wang sees exactly the demo item
                    step = 1
                scenario = f"{scenario}@{step}"
            self._play(article, scenario)
            self._finish(article)
            self.articles.append(article)

    # ------------------------------------------------------------------ requests (第十八条)

    def plan_requests(self) -> None:
        rng = self.rng
        specs = [
            ("rsc", "open", "陕西省工业和信息化厅{y}年直属事业单位公开招聘工作人员公告",
             "网页文字，附报名登记表（Word）", "请在「通知公告」和「人事信息」栏目同时发布，发布后保留至报名结束。"),
            ("kjc", "open", "关于组织开展{y}年度省级企业技术中心认定工作的通知",
             "网页文字，附申请表和认定指标（PDF）", "请于本周内发布，置于通知公告栏目。"),
            ("zxqy", "open", "关于举办{y}年“创客中国”陕西省中小企业创新创业大赛的通知",
             "网页文字加活动海报图片", "请于活动启动前三个工作日发布，并在首页轮播图展示海报。"),
            ("jnc", "open", "关于公布{y}年陕西省绿色工厂名单的公告",
             "网页文字，附名单（Excel转PDF）", "请在「通知公告」栏目发布，标题加注“公告”字样。"),
            ("wxd", "done", "关于做好{y}年全国硕士研究生招生考试无线电安全保障工作的通告",
             "网页文字", "请于考试前一周发布。"),
            ("aqc", "done", "关于开展{y}年民爆行业安全生产专项检查的通知",
             "网页文字，附检查表", "请尽快发布。"),
            ("cyzcc", "declined", "产业政策处{y}年下半年重点工作安排",
             "网页文字", "请在「工作动态」栏目发布。"),
        ]
        for code, state, title, form, requirements in specs:
            division = self.div[code]
            requested = self._recent_day(20 if state != "open" else 6)
            if state != "open":
                requested = min(requested, self.today - dt.timedelta(days=8))
            title = title.format(y=self.today.year)
            self.requests.append({
                "division_id": division, "requested_on": requested, "state": state, "title": title,
                "content": f"请办公室在门户网站发布《{title}》，正文及附件见所附电子文档。",
                "source": self.div_name[division], "form": form, "requirements": requirements,
                "requester_id": self.officers[division][0],
                "created_at": _office_time(rng, requested), "article_id": None,
                "handled_by": self.users["webmaster"] if state != "open" else None,
                "handled_at": None,
                "reply": "该内容属于内部工作安排，不宜在门户网站公开发布（第十六条）。" if state == "declined" else None,
            })
        for request in self.requests:
            if request["state"] == "declined":
                request["handled_at"] = _later(rng, request["created_at"], 60, 600)

    # ------------------------------------------------------------------ writing

    def write(self) -> dict:
        articles, revisions, events, codivs = [], [], [], []
        for a in self.articles:
            # an earlier revision lacks the paragraphs added by the later ones
            body = ""
            for number, title, author, at in a.revisions:
                keep = max(min(3, len(a.paragraphs)), len(a.paragraphs) - (a.revision - number))
                body = sanitize_html("".join(f"<p>{html.escape(p)}</p>" for p in a.paragraphs[:keep]))
                revisions.append({
                    "article_id": a.id, "number": number, "column_id": a.column_id, "title": title,
                    "body_html": body, "source": a.source, "work_ended_on": a.work_ended_on,
                    "importance": a.importance, "author_id": author, "created_at": at})
            last = a.revisions[-1]
            articles.append({
                "id": a.id, "column_id": a.column_id, "lead_division_id": a.lead, "title": last[1],
                "body_html": body, "source": a.source, "work_ended_on": a.work_ended_on,
                "importance": a.importance, "state": a.state, "version": len(a.events), "revision": a.revision,
                "chain": ",".join(a.chain), "step": a.step, "author_id": a.author, "created_at": a.created_at,
                "updated_at": a.events[-1][10], "submitted_at": a.submitted_at, "approved_at": a.approved_at,
                "scheduled_at": a.scheduled_at, "published_at": a.published_at, "published_by": a.published_by,
                "live_revision": a.live_revision, "public": a.public, "state_reason": a.state_reason,
                "request_id": a.request_id})
            events.extend(a.events)
            codivs.extend({"article_id": a.id, "division_id": d} for d in a.codivisions)
        events.sort(key=lambda e: (e[10], e[0]))
        event_ids = [r[0] for r in self.con.execute(
            "SELECT nextval('seq_events') AS id FROM range(?) ORDER BY id", [len(events)]).fetchall()]
        names = ["article_id", "revision", "actor_id", "role", "action", "from_state", "to_state", "step",
                 "comment", "checklist", "created_at"]
        event_frame = pd.DataFrame(events, columns=names)
        event_frame.insert(0, "id", event_ids)

        article_frame = pd.DataFrame(articles)
        for name in ("created_at", "updated_at", "submitted_at", "approved_at", "scheduled_at", "published_at"):
            article_frame[name] = pd.to_datetime(article_frame[name])
        article_frame["work_ended_on"] = pd.to_datetime(article_frame["work_ended_on"])
        for name in ("published_by", "live_revision", "request_id"):
            article_frame[name] = pd.array(article_frame[name].tolist(), dtype="Int64")
        revision_frame = pd.DataFrame(revisions)
        revision_frame["work_ended_on"] = pd.to_datetime(revision_frame["work_ended_on"])
        revision_frame["created_at"] = pd.to_datetime(revision_frame["created_at"])
        event_frame["step"] = pd.array(event_frame["step"].tolist(), dtype="Int64")
        event_frame["created_at"] = pd.to_datetime(event_frame["created_at"])

        con = self.con
        con.register("demo_articles", article_frame)
        con.execute("""
            INSERT INTO articles (id, column_id, lead_division_id, title, body_html, source, work_ended_on,
                importance, state, version, revision, chain, step, author_id, created_at, updated_at,
                submitted_at, approved_at, scheduled_at, published_at, published_by, live_revision, public,
                state_reason, request_id)
            SELECT id, column_id, lead_division_id, title, body_html, source, work_ended_on::DATE, importance,
                state, version, revision,
                CASE WHEN chain = '' THEN []::TEXT[] ELSE string_split(chain, ',') END,
                step, author_id, created_at, updated_at, submitted_at, approved_at, scheduled_at, published_at,
                published_by, live_revision, public, state_reason, request_id
            FROM demo_articles ORDER BY id""")
        con.unregister("demo_articles")
        con.register("demo_revisions", revision_frame)
        con.execute("""
            INSERT INTO revisions (article_id, number, column_id, title, body_html, source, work_ended_on,
                importance, author_id, created_at)
            SELECT article_id, number, column_id, title, body_html, source, work_ended_on::DATE, importance,
                author_id, created_at FROM demo_revisions""")
        con.unregister("demo_revisions")
        con.register("demo_events", event_frame)
        con.execute("""
            INSERT INTO workflow_events (id, article_id, revision, actor_id, role, action, from_state, to_state,
                step, comment, checklist, created_at)
            SELECT id, article_id, revision, actor_id, role, action, from_state, to_state, step, comment,
                CASE WHEN checklist IS NULL THEN NULL ELSE string_split(checklist, ',') END, created_at
            FROM demo_events ORDER BY id""")
        con.unregister("demo_events")
        for row in codivs:
            con.execute("INSERT INTO article_codivisions VALUES (?, ?)", [row["article_id"], row["division_id"]])
        return {"articles": len(articles), "revisions": len(revisions), "workflow_events": len(events),
                "article_codivisions": len(codivs)}

    def write_requests(self, request_ids: list[int]) -> None:
        for request_id, r in zip(request_ids, self.requests, strict=True):
            self.con.execute(
                "INSERT INTO publication_requests (id, division_id, requested_on, content, source, form, "
                "requirements, requester_id, state, article_id, handled_by, handled_at, reply, version, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [request_id, r["division_id"], r["requested_on"], r["content"], r["source"], r["form"],
                 r["requirements"], r["requester_id"], r["state"], r["article_id"], r["handled_by"],
                 r["handled_at"], r["reply"], 1 if r["state"] == "open" else 2, r["created_at"]])


# ---------------------------------------------------------------------------------------------
# measures (第二十五至二十七条): reminders for the stale columns, last year's awards and a criticism


def _demo_measures(con: duckdb.DuckDBPyConnection, builder: _Builder) -> dict:
    from core import evaluation, freshness

    today, webmaster = builder.today, builder.users["webmaster"]
    needed = 3  # the default of stale_reminders_before_criticism
    reminders = 0
    stale = sorted((c for c in freshness.board(con, today) if c["remindable"]),
                   key=lambda c: -(c["days_since"] or 10**6))
    for position, column in enumerate(stale):
        # the stalest column has been reminded often enough to be a criticism candidate
        times = needed if position == 0 else 1
        for week in range(times):
            sent = today - dt.timedelta(days=7 * (times - 1 - week))
            con.execute(
                "INSERT INTO freshness_reminders (column_id, division_id, sent_on, last_published_on, days_since, "
                "recipients) VALUES (?, ?, ?, ?, ?, 2)",
                [column["id"], column["division_id"], sent, column["last_published_on"],
                 None if column["last_published_on"] is None else (sent - column["last_published_on"]).days])
            reminders += 1
    last_year = today.year - 1
    ranked = evaluation.ranking(con, last_year, today)
    criticised = ranked[-1]  # the lowest score: errors found in its items (第二十七条(三))
    con.execute(
        "INSERT INTO criticisms (year, ground, division_id, evidence, created_by, created_at) VALUES (?, 3, ?, ?, ?, ?)",
        [last_year, criticised["division_id"],
         f"{last_year} 年发布的信息中有多处数据和名称错误,经核实后更正 {criticised['figures']['corrections']} 次、"
         f"撤下 {criticised['figures']['take_downs']} 次。", webmaster, dt.datetime(last_year, 12, 20, 10, 0)])
    awards = 0
    for proposal in evaluation.propose_awards(con, last_year, evaluation.ranking(con, last_year, today)):
        con.execute("INSERT INTO awards (year, ground, division_id, evidence, created_by, created_at) "
                    "VALUES (?, 1, ?, ?, ?, ?)",
                    [last_year, proposal["division_id"], proposal["evidence"], webmaster,
                     dt.datetime(last_year, 12, 28, 10, 0)])
        awards += 1
    officer = builder.users["xxy_dzxx"]
    con.execute("INSERT INTO awards (year, ground, user_id, evidence, created_by, created_at) VALUES (?, 3, ?, ?, ?, ?)",
                [last_year, officer, "提出的“栏目更新到期提醒”建议被采纳,已在工作台实现。", webmaster,
                 dt.datetime(last_year, 12, 28, 10, 5)])
    audit.record(con, None, "demo.measures", "database",
                 f"演示数据:栏目提醒 {reminders} 次,{last_year} 年表彰 {awards + 1} 项、通报批评 1 项")
    return {"freshness_reminders": reminders, "awards": awards + 1, "criticisms": 1}


MIN_ARTICLES = 80


def load_demo(con: duckdb.DuckDBPyConnection, *, articles: int = 3200, seed: int = 7,
              today: dt.date | None = None) -> dict:
    """Fill an empty database with the demo department; returns what was created, by table.

    Does nothing (and returns `{"skipped": True}`) when divisions already exist. `articles` below
    MIN_ARTICLES is raised to it: the demo needs one article per column and the demo queues.
    The same `seed` and `today` give the same content.
    """
    if scalar(con, "SELECT count(*) FROM divisions"):
        return {"skipped": True}
    seed_kinds(con)
    seed_chains(con)
    ensure_system_user(con)
    builder = _Builder(con, max(int(articles), MIN_ARTICLES), seed, today)
    with transaction(con):
        builder.divisions()
        builder.accounts()
        builder.columns()
        builder.plan_requests()
        ids = [r[0] for r in con.execute(
            "SELECT nextval('seq_articles') AS id FROM range(?) ORDER BY id", [builder.total]).fetchall()]
        request_ids = [r[0] for r in con.execute(
            "SELECT nextval('seq_requests') AS id FROM range(?) ORDER BY id", [len(builder.requests)]).fetchall()]
        builder.plan(ids, request_ids)
        counts = builder.write()
        builder.write_requests(request_ids)
        counts["messages"] = demo_interaction.load_messages(con, builder.today, seed)
        counts.update(_demo_measures(con, builder))
        audit.record(con, None, "demo.load", "database",
                     f"演示数据:{counts['articles']} 篇稿件,{len(builder.users)} 个账号")
    states: dict[str, int] = {}
    for article in builder.articles:
        states[article.state] = states.get(article.state, 0) + 1
    return {"divisions": len(builder.div), "columns": len(builder.cols), "users": len(builder.users),
            **counts, "publication_requests": len(builder.requests), "states": states}
