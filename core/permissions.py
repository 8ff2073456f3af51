"""Who may do what (第七、九、十一、十四、二十四条), enforced here and not only in the UI.

`can(user, action, obj)` answers; `require` raises PermissionDenied naming the rule.
Pages show only the buttons `allowed_actions` returns, and the same policy guards the action;
the workbench's menu lists a page when `can(user, <the permission the page needs>)` (pages/_shared.PAGES).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from core.errors import PermissionDenied

# Each rule returns None when allowed, or the reason (Chinese) and article when denied.
Reason = tuple[str, str] | None


def _field(obj: Any, name: str):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _office(user) -> Reason:
    if user.has("webmaster"):
        return None
    return ("只有办公室网站管理员可以执行此操作", "第八条")


def _roles(roles: set[str], why: str, article: str):
    """A rule that needs no object: any of `roles` may; anyone else is told who may, and the article."""
    def rule(user, obj=None) -> Reason:
        return None if user.roles & roles else (why, article)
    return rule


def _writes_division(user, division_id: int | None) -> Reason:
    """An officer writes only to their own division's columns (第七、九、二十四条)."""
    if user.has("webmaster"):
        return None  # the office may publish directly (第十八条)
    if not user.has("officer"):
        return ("只有信息员可以编辑和发布本处室信息,其他人员不得登录后台修改数据", "第二十四条")
    if division_id != user.division_id:
        return ("信息员只能维护本处室负责的栏目和稿件", "第七条")
    return None


def _create_in_column(user, column) -> Reason:
    if _field(column, "retired"):
        return ("该栏目已撤销,不能再发布新信息", "第八条")
    return _writes_division(user, _field(column, "division_id"))


def _edit_article(user, article) -> Reason:
    return _writes_division(user, _field(article, "lead_division_id"))


def approver_reason(user, article, role: str) -> Reason:
    """May `user` act as `role` on the article's current approval step (第十四条)?"""
    if role == "head":
        if not user.has("head"):
            return ("此环节须由处室负责人审批", "第十四条")
        if user.division_id != _field(article, "lead_division_id"):
            return ("处室负责人只能审批本处室牵头的稿件(谁牵头、谁负责)", "第十四条")
        return None
    if role == "leader":
        if not user.has("leader"):
            return ("此环节须由分管领导审批", "第十四条")
        if _field(article, "lead_division_id") not in user.charge:
            return ("分管领导只能审批所分管处室的稿件", "第十四条")
        return None
    if role == "group":
        if not user.has("group"):
            return ("此环节须由信息化领导小组成员审批", "第十四条")
        return None
    return ("未知审批角色", "第十四条")


def _approve(user, article) -> Reason:
    chain = list(_field(article, "chain") or [])
    step = _field(article, "step")
    if not chain or step < 1 or step > len(chain):
        return ("该稿件当前不在审批环节", "第十四条")
    return approver_reason(user, article, chain[step - 1])


def _view_article(user, article) -> Reason:
    if user.roles & {"webmaster", "tech", "analyst", "group"}:
        return None
    division = _field(article, "lead_division_id")
    if user.division_id == division or division in user.charge:
        return None
    if user.division_id in set(_field(article, "codivisions") or []):
        return None  # co-divisions read, the lead division decides (谁牵头、谁负责)
    return ("只能查看本处室牵头或协办的稿件", "第七条")


def _request_create(user, division_id) -> Reason:
    if not user.has("officer"):
        return ("委托发布申请须由处室信息员提出", "第十八条")
    if division_id != user.division_id:
        return ("只能以本处室名义提出委托发布申请", "第十八条")
    return None


def _freshness_view(user, division_id=None) -> Reason:
    """Column-update monitoring (第二十五、二十七条): the office, the leading group and analysts see
    every division; a leader the divisions in their charge; a division's officers and head their own."""
    if user.roles & {"webmaster", "group", "analyst"}:
        return None
    if division_id is not None:
        if user.roles & {"officer", "head"} and division_id == user.division_id:
            return None
        if user.has("leader") and division_id in user.charge:
            return None
    return ("栏目更新情况由办公室统一监测;处室只能查看本处室的责任栏目", "第二十五条")


def _link_duty(user, record) -> Reason:
    """An expected publication is linked by its division's officer or head, or by the office (第二十七条(四))."""
    if user.has("webmaster"):
        return None
    if not user.roles & {"officer", "head"}:
        return ("应发布信息由所属处室的信息员或负责人关联已发布的信息", "第十七条、第二十七条(四)")
    if _field(record, "division_id") != user.division_id:
        return ("只能为本处室的应发布信息关联本处室已发布的信息", "第十七条、第二十七条(四)")
    return None


def _view_duties(user, division_id=None) -> Reason:
    """Expected publications: seen as the update board is (the office all, a division its own)."""
    denied = _freshness_view(user, division_id)
    return None if denied is None else ("应发布信息由办公室登记和监测;处室只能查看本处室的应发布信息", "第二十七条(四)")





def _answer_message(user, message) -> Reason:
    """The division a message is routed to answers it through its officers (第十九条)."""
    if not user.has("officer"):
        return ("留言答复由承办处室的信息员撰写", "第十九条")
    if _field(message, "division_id") != user.division_id:
        return ("只能答复分办给本处室的留言", "第十九条")
    return None


def _approve_message(user, message) -> Reason:
    if not user.has("head"):
        return ("留言答复须由承办处室负责人审批", "第十四条")
    if _field(message, "division_id") != user.division_id:
        return ("处室负责人只能审批本处室的留言答复", "第十四条")
    return None


def _view_message(user, message) -> Reason:
    """The office sees every message; a division sees those routed to it; a leader those of the
    divisions in charge. The citizen's contact details are personal data (第十六条)."""
    if user.has("webmaster"):
        return None
    division = _field(message, "division_id")
    if division is not None and (division == user.division_id and user.roles & {"officer", "head"}
                                 or division in user.charge):
        return None
    return ("只能查看分办给本处室的留言", "第十九条")


def _stats(user, division_id=None) -> Reason:
    """Statistics and bulletins (第二十五条): the office, leaders, the leading group and analysts see
    every division; a division head sees their own division (first responsible person, 第十一条)."""
    if user.roles & {"webmaster", "leader", "group", "analyst"}:
        return None
    if user.has("head") and (division_id is None or division_id == user.division_id):
        return None
    return ("统计分析由办公室、领导、信息化领导小组和分析员查看;处室负责人只能查看本处室", "第二十五条")







# ---- 依申请公开 (issue 14, applications): the office registers and assigns (政府信息公开条例 第四条), the
# division holding an application handles it, the head of the office approves an extension (第三十三条)
def _disclosure_holder(user, application) -> Reason:
    if user.has("webmaster"):
        return None
    if user.roles & {"officer", "head"} and _field(application, "division_id") == user.division_id:
        return None
    return ("只能办理交由本处室办理的政府信息公开申请", "第十二条,政府信息公开条例 第四条")


def _disclosure_view(user, application) -> Reason:
    if user.has("head") and user.division_id == _field(application, "office_division_id"):
        return None
    return _disclosure_holder(user, application)


def _disclosure_extend(user, application) -> Reason:
    if user.has("head") and user.division_id is not None \
            and user.division_id == _field(application, "office_division_id"):
        return None
    return ("延长答复期限须经政府信息公开工作机构负责人(办公室负责人)同意", "第十二条,政府信息公开条例 第三十三条")


_DISCLOSURE_DESK = _roles({"webmaster", "officer", "head"},
                          "依申请公开由办公室登记、分办,承办处室的信息员和负责人办理", "第十二条,政府信息公开条例 第四条")
_DISCLOSURE_MANAGE = _roles({"webmaster"}, "依申请公开由办公室(政府信息公开工作机构)登记、分办", "第十二条,政府信息公开条例 第四条")


# ---- 链接可用性 (issue 15, links): the office and the technical-support unit see every broken link and start a
# check; a division's officers and head see the broken links in their own division's items (第二十五条)
def _links_view(user, division_id=None) -> Reason:
    if user.roles & {"webmaster", "tech"}:
        return None
    if division_id is not None and user.roles & {"officer", "head"} and division_id == user.division_id:
        return None
    return ("链接检查结果由办公室和技术支持单位查看;处室只能查看本处室信息中的不可用链接", "第二十五条")


_LINKS_BOARD = _roles({"webmaster", "tech", "officer", "head"},
                      "链接检查结果由办公室和技术支持单位查看;处室只能查看本处室信息中的不可用链接", "第二十五条")
_LINKS_CHECK = _roles({"webmaster", "tech"}, "链接检查由办公室网站管理员或技术支持单位发起", "第二十五条")


# ---- 建议与提案 (issue 17): a division's officer or head proposes columns and the site's design (第九条(一)); the
# technical-support unit submits its design plans (第十条(一)); anyone on the staff may make a suggestion
# (第二十六条(三)); the office reviews each (第八条(二))
COLUMN_KINDS = frozenset({"column_add", "column_adjust", "column_merge", "column_retire"})


def _propose(user, kind=None) -> Reason:
    if kind == "suggestion":
        return None if user.roles else ("请先登录", "第二十六条")
    if user.roles & {"officer", "head"}:
        return None
    if user.has("tech") and kind in {"design", "column_adjust", None}:
        return None  # 技术支持单位提出栏目调整、改版升级的设计方案
    if user.has("tech"):
        return ("技术支持单位提出栏目调整、改版升级的设计方案;栏目新增、合并、撤销由处室提出", "第十条(一)")
    return ("栏目设置和网站建设方案的意见由处室信息员或负责人提出;其他人员可提出建设与管理建议", "第九条(一)")


def _proposal_own(user, proposal) -> Reason:
    if _field(proposal, "proposer_id") == user.id:
        return None
    return ("只有提出人本人可以修改或撤回该提案", "第九条(一)")


def _proposal_field(proposal, name: str):
    """A field the caller may not have read (a matrix object names only what the rule needs)."""
    return proposal.get(name) if isinstance(proposal, dict) else getattr(proposal, name, None)


def _proposal_view(user, proposal) -> Reason:
    if user.has("webmaster") or _field(proposal, "proposer_id") == user.id:
        return None
    if user.has("tech") and _proposal_field(proposal, "kind") == "design" \
            and _proposal_field(proposal, "state") in ("adopted", "partly_adopted"):
        return None  # an adopted design plan is the unit's to carry out (第十条(一)), whoever proposed it
    division = _field(proposal, "division_id")
    if division is not None and division == user.division_id and user.roles & {"officer", "head"}:
        return None
    return ("只能查看本人或本处室提出的建议和提案", "第九条(一)")


def _proposal_implement(user, proposal=None) -> Reason:
    """Who records that an adopted proposal was carried out (落实情况): the office, which organises the site's
    building, redesign and column changes (第八条(一)(二)); the technical-support unit for a design plan, which
    it carries out (第十条(一))."""
    if user.has("webmaster"):
        return None
    if user.has("tech"):
        if proposal is None or _proposal_field(proposal, "kind") == "design":
            return None
        return ("技术支持单位登记其负责实施的设计方案的落实情况;其他建议和提案由办公室登记", "第十条(一)")
    return ("采纳的建议和提案由办公室组织落实并登记落实情况(设计方案也可由技术支持单位登记)", "第八条(一)(二)")


def _proposal_decide(user, proposal=None) -> Reason:
    if not user.has("webmaster"):
        return ("建议和提案由办公室审议", "第八条(二)")
    if proposal is not None and _field(proposal, "proposer_id") == user.id:
        return ("不能审议本人提出的建议或提案", "第八条(二)")
    return None
# ---- 技术支持与培训 (issue 17, support; 第十条(二)(三)): officers and heads raise questions and faults, the
# technical-support unit answers them and records its training sessions; the office sees everything
def _support_view(user, request) -> Reason:
    if user.roles & {"tech", "webmaster"} or _field(request, "requester_id") == user.id:
        return None
    return ("技术支持请求只有提出人、技术支持单位和办公室可以查看", "第十条")


def _support_requester(user, request) -> Reason:
    if _field(request, "requester_id") == user.id:
        return None
    return ("只有提出人可以回复、确认解决或重新打开自己的技术支持请求", "第十条")


_SUPPORT_RAISE = _roles({"officer", "head"}, "技术支持请求由各处室的信息员和处室负责人提出", "第十条")
_SUPPORT_HANDLE = _roles({"tech"}, "技术支持请求由技术支持单位受理、答复和关闭", "第十条")
_SUPPORT_DESK = _roles({"officer", "head", "tech", "webmaster"}, "技术支持由处室信息员和负责人提出、技术支持单位办理、办公室查看",
                       "第十条")
_SUPPORT_ALL = _roles({"tech", "webmaster"}, "全部技术支持请求和响应时间由技术支持单位和办公室查看", "第十条")
_TRAINING_RECORD = _roles({"tech", "webmaster"}, "培训记录由技术支持单位和办公室登记", "第十条")
_TRAINING_BOARD = _roles({"officer", "head", "tech", "webmaster"}, "培训记录由技术支持单位和办公室登记,处室人员查看本人的培训记录",
                         "第十条")
_TRAINING_STATS = _roles({"tech", "webmaster", "leader", "group", "analyst"}, "培训统计由技术支持单位、办公室、领导和分析员查看",
                         "第十条")


def _anyone(user, obj=None) -> Reason:
    return None  # every active account whose password is current (checked in `reason`)


_EVALUATION_VIEW = _roles({"webmaster", "leader", "group", "analyst"}, "年度考评结果由办公室组织,领导和分析员可查看", "第二十五条")
# Logs, backups and incidents: the technical-support unit and the office (第二十、二十三条).
_SECURITY = _roles({"tech", "webmaster"}, "只有技术支持单位和办公室网站管理员可以执行此操作", "第二十条")
_TECH = _roles({"tech"}, "只有技术支持单位可以执行此操作", "第二十条")
# Writing drafts: the divisions' officers and the office (第九、十八、二十四条).
_DRAFTS = _roles({"officer", "webmaster"}, "只有信息员可以编辑和发布本处室信息,其他人员不得登录后台修改数据", "第二十四条")
# The approval queue: the steps of a chain (第十四条).
_REVIEWS = _roles({"head", "leader", "group"}, "稿件由处室负责人、分管领导和信息化领导小组成员审批", "第十四条")
# A division's messages: its officers answer, its head approves (第十四、十九条).
_HANDLES_MESSAGES = _roles({"officer", "head"}, "分办给处室的留言由该处室的信息员答复、负责人审批", "第十九条")
# The update board: everyone who sees some division's columns in `_freshness_view` (第二十五条).
_FRESHNESS_BOARD = _roles({"webmaster", "group", "analyst", "officer", "head", "leader"}, "栏目更新情况由办公室统一监测;处室只能查看本处室的责任栏目", "第二十五条")
# How the site runs: the office, the technical-support unit, leaders and analysts (第二十、二十五条).
_OVERVIEW = _roles({"tech", "analyst", "webmaster", "leader", "group"}, "运行概览由办公室、技术支持单位、领导和分析员查看", "第二十五条")


# ---- 征集调查 (issue 17, consultations): the office and the owning division's head manage one (第二、二十三条)
def _manage_consultation(user, consultation=None) -> Reason:
    if user.has("webmaster"):
        return None
    if user.has("head") and (consultation is None or _field(consultation, "division_id") == user.division_id):
        return None
    return ("征集调查由办公室网站管理员和承办处室负责人管理;处室负责人只能管理本处室的征集调查", "第二十三条")



# ---- 在线访谈 (issue 17, interviews): the same people as a consultation — the office and the owning head
def _manage_interview(user, interview=None) -> Reason:
    if _manage_consultation(user, interview) is None:
        return None
    return ("在线访谈由办公室网站管理员和承办处室负责人管理;处室负责人只能管理本处室的在线访谈", "第二十三条")

RULES: dict[str, Callable[..., Reason]] = {
    "article.create": _create_in_column,
    "article.edit": _edit_article,
    "article.submit": _edit_article,
    "article.withdraw": _edit_article,
    "article.publish": _edit_article,
    "article.restore_withdrawn": _edit_article,
    "article.approve": _approve,
    "article.return": _approve,
    "article.escalate": _approve,
    "article.view": _view_article,
    "article.take_down": lambda u, o=None: _office(u),
    "article.restore": lambda u, o=None: _office(u),
    "columns.manage": lambda u, o=None: _office(u),
    "accounts.manage": lambda u, o=None: _office(u),
    "settings.edit": lambda u, o=None: _office(u),
    "chain.edit": lambda u, o=None: _office(u),
    "requests.handle": lambda u, o=None: _office(u),
    "lexicon.edit": lambda u, o=None: _office(u),
    "calendar.edit": lambda u, o=None: _office(u),
    "messages.moderate": lambda u, o=None: _office(u),
    "messages.answer": _answer_message,
    "messages.approve": _approve_message,
    "messages.view": _view_message,
    "freshness.view": _freshness_view,
    "freshness.manage": lambda u, o=None: _office(u),
    "evaluation.view": _EVALUATION_VIEW,
    "evaluation.manage": lambda u, o=None: _office(u),
    # 应发布信息 (issue 17, duties): the office records and cancels; a division links its own (第二十七条(四))
    "duties.manage": lambda u, o=None: None if u.has("webmaster") else (
        "应发布信息由办公室网站管理员登记、修改和取消", "第二十七条(四)"),
    "duties.link": _link_duty,
    "duties.view": _view_duties,
    "requests.create": _request_create,
    "audit.view": _SECURITY,
    "audit.export": _SECURITY,
    "audit.archive": _TECH,
    "backup.view": _SECURITY,
    "backup.run": _SECURITY,
    "incidents.view": _SECURITY,
    "incidents.manage": _SECURITY,
    "stats.view": _stats,
    "bulletin.issue": lambda u, o=None: None if u.has("webmaster") else ("通报由办公室网站管理员印发", "第二十五条"),
    # what opens a page of the workbench, where no single object is at stake yet
    "article.draft": _DRAFTS,
    "article.review": _REVIEWS,
    "requests.apply": lambda u, o=None: _request_create(u, u.division_id),
    "messages.handle": _HANDLES_MESSAGES,
    "freshness.board": _FRESHNESS_BOARD,
    "overview.view": _OVERVIEW,
    # 依申请公开 (issue 14, applications)
    "disclosure.desk": _DISCLOSURE_DESK,
    "disclosure.manage": _DISCLOSURE_MANAGE,
    "disclosure.handle": _disclosure_holder,
    "disclosure.view": _disclosure_view,
    "disclosure.extend": _disclosure_extend,
    # 政务公开 annual report (issue 14, report): the office writes it, leaders read it (条例 第四十九、五十条)
    "disclosure_report.view": _roles({"webmaster", "leader"}, "政府信息公开工作年度报告由办公室编制,领导可查看",
                                     "第十二条,政府信息公开条例 第四十九条"),
    "disclosure_report.edit": _roles({"webmaster"}, "政府信息公开工作年度报告由办公室网站管理员编制和提交",
                                     "第十二条,政府信息公开条例 第四十九条"),
    # 政府信息公开目录 (issue 14, catalogue): topics, kinds and the 索引号 pattern are the office's; a published
    # document's validity is changed by its division's officer or the office (第八、十二条)
    "catalogue.manage": lambda u, o=None: _office(u),
    "catalogue.validity": _edit_article,
    # 上线检查 (issue 15, identity): the office and the technical-support unit (第八、十条、第二十条)
    "golive.view": _roles({"webmaster", "tech"}, "上线检查由办公室网站管理员和技术支持单位查看", "第八、十条"),
    # 政府网站工作年度报表 and 网站自查 (issue 15, report): the office compiles the report, leaders read it;
    # the self-inspection is for the office, leaders and the leading group (第二十五条; 国办函〔2018〕12号、〔2019〕4号)
    "site_report.view": _roles({"webmaster", "leader"}, "政府网站工作年度报表由办公室编制,领导可查看", "第二十五条"),
    "site_report.edit": _roles({"webmaster"}, "政府网站工作年度报表由办公室网站管理员填报和提交", "第二十五条"),
    "site_inspection.view": _roles({"webmaster", "leader", "group"}, "网站自查由办公室组织,领导和信息化领导小组可查看",
                                   "第二十五条"),
    # 链接可用性 (issue 15, links)
    "links.board": _LINKS_BOARD,
    "links.view": _links_view,
    "links.check": _LINKS_CHECK,
    # 建议与提案 (issue 17)
    "proposals.page": _anyone,
    "proposals.submit": _propose,
    "proposals.view": _proposal_view,
    "proposals.revise": _proposal_own,
    "proposals.withdraw": _proposal_own,
    "proposals.decide": _proposal_decide,
    "proposals.carry_out": lambda u, o=None: _office(u),
    "proposals.implement": _proposal_implement,  # 落实情况 (issue 17)
    # 技术支持与培训 (issue 17, support)
    "support.desk": _SUPPORT_DESK,
    "support.raise": _SUPPORT_RAISE,
    "support.handle": _SUPPORT_HANDLE,
    "support.all": _SUPPORT_ALL,
    "support.view": _support_view,
    "support.requester": _support_requester,
    "training.board": _TRAINING_BOARD,
    "training.record": _TRAINING_RECORD,
    "training.stats": _TRAINING_STATS,
    "consultations.manage": _manage_consultation,
    "interviews.manage": _manage_interview,
    "regulation.read": _anyone,
    "account.own": _anyone,
}


def reason(user, action: str, obj: Any = None) -> Reason:
    if user is None or not getattr(user, "active", True):
        return ("未登录或账号已停用", "第二十二条")
    if getattr(user, "must_change_password", False):
        return ("请先修改初始密码", "第二十二条")
    rule = RULES.get(action)
    if rule is None:
        return (f"未知操作 {action}", "第二十四条")
    return rule(user, obj)


def can(user, action: str, obj: Any = None) -> bool:
    return reason(user, action, obj) is None


def require(user, action: str, obj: Any = None) -> None:
    denied = reason(user, action, obj)
    if denied is not None:
        raise PermissionDenied(*denied)


class _Holder:
    """Someone who holds one role and nothing else: no division, no charge."""

    def __init__(self, role: str) -> None:
        self.roles = frozenset({role})
        self.division_id = None
        self.charge = frozenset()

    def has(self, role: str) -> bool:
        return role in self.roles


def roles_for(action: str, roles: Iterable[str]) -> list[str]:
    """The roles among `roles` that an `action` needing no object allows by the role alone, in their order:
    who a page is for, read back from the rule (for 无权访问)."""
    return [role for role in roles if can(_Holder(role), action)]
