"""The errors core raises. Each message is Chinese, names the field or rule, and the article."""

from __future__ import annotations


class PortalError(Exception):
    """Base class: str(error) is the message a user sees."""


class ValidationError(PortalError):
    def __init__(self, field: str, rule: str, article: str | None = None):
        self.field = field
        self.rule = rule
        self.article = article
        cited = f"({article})" if article else ""
        super().__init__(f"「{field}」:{rule}{cited}")


class PermissionDenied(PortalError):
    def __init__(self, rule: str, article: str = "第二十四条"):
        self.rule = rule
        self.article = article
        super().__init__(f"无权操作:{rule}({article})")


class InvalidTransition(PortalError):
    """The item is not in a state that allows this action."""


class StaleVersion(PortalError):
    """Someone else acted on the item first (optimistic locking)."""

    def __init__(self, what: str = "该稿件", acted: str | None = None, by: str = "他人"):
        if acted is not None:  # a decision `by` someone took first ("" when it is not visible yet)
            super().__init__(f"{what}已由{by}处理{f'({acted})' if acted else ''},您的操作未执行,请刷新后查看。"
                             "您填写的内容仍保留在页面上。")
        else:
            super().__init__(
                f"{what}已被他人更新,您的操作未执行。请刷新后查看最新内容再操作;您填写的内容仍保留在页面上。"
            )


class NotFound(PortalError):
    pass


class RateLimited(PortalError):
    """Too many requests from one client (or from everyone) for an action: nothing was done.

    `retry_after` is the number of seconds until the window lets the next request through."""

    def __init__(self, rule: str, retry_after: int, article: str = "第二十三条"):
        self.rule = rule
        self.retry_after = max(1, int(retry_after))
        self.article = article
        minutes = -(-self.retry_after // 60)
        wait = f"{minutes} 分钟" if minutes < 60 else f"{-(-minutes // 60)} 小时"
        super().__init__(f"{rule}。请 {wait}后再试({article})。")


class ScreeningBlocked(PortalError):
    """Screening found content that must not go online (第十六、二十一条): nothing was changed."""

    def __init__(self, findings: list, action: str = "提交"):
        self.findings = list(findings)
        listed = ";".join(f"{f.message}" for f in self.findings[:5])
        more = f"(另有 {len(self.findings) - 5} 处)" if len(self.findings) > 5 else ""
        super().__init__(f"不能{action}:发现不得上网发布的内容,请修改后再{action}。{listed}{more}")
