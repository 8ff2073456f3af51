"""Pre-publication screening (第十五、十六、十七、二十一、二十七条): title, body and attachments in,
findings out.

Nothing secret goes online (涉密不上网、上网不涉密): a `block` finding stops submission and
publication by any path; a `warn` finding must be acknowledged by the approver. Each rule is a
small function over one text (`Part`) or over the item's fields, returning findings that cite
the article they apply. Texts are folded first (Traditional → Simplified, full-width →
half-width, spaces between Chinese characters dropped: 機 密 ★１０年 reads as 机密★10年) and
every offset is mapped back to the original text, so `excerpt == text[start:end]`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from core import contacts
from core.content import html_to_text
from core.extract import ExtractError, extract
from core.lexicon import Folded, Lexicon, fold

BLOCK = "block"
WARN = "warn"
CONTEXTS = ("article", "interaction")


@dataclass(frozen=True)
class Finding:
    rule: str
    article: str
    severity: str  # 'block' | 'warn'
    start: int
    end: int
    excerpt: str
    message: str
    where: str = "body"  # 'title' | 'body' | 'body_html' | 'attachment:<name>' | 'meta'
    overridable: bool = False  # a block an approver may lift with a recorded reason (第十六条)

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCK

    @property
    def place(self) -> str:
        """Where the finding is, in the words the workbench shows (标题 / 正文 / 附件 name)."""
        if self.where == "title":
            return "标题"
        if self.where.startswith("attachment:"):
            return "附件 " + self.where.split(":", 1)[1]
        return "正文"

    @property
    def key(self) -> str:
        """Identifies one finding of one revision, for acknowledgements and overrides."""
        return f"{self.rule}|{self.where}|{self.start}|{self.excerpt}"

    @property
    def summary(self) -> str:
        """One line for the workbench: place, excerpt and message."""
        return f"**{self.place}**「{self.excerpt}」:{self.message}" if self.excerpt else self.message

    def to_dict(self) -> dict:
        """The JSON form (command line, API): rule, article, severity, start, end, excerpt, message."""
        return {k: getattr(self, k) for k in ("rule", "article", "severity", "start", "end", "excerpt", "message")}

    def to_record(self) -> dict:
        """Every field, for storing with a workflow event."""
        return asdict(self)


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    article: str


# the rules, declared once: ids, labels for the workbench, the article each applies
RULES: tuple[Rule, ...] = (
    Rule("classification", "密级标志", "第十六条"),
    Rule("internal_marking", "内部资料标识", "第十六条"),
    Rule("doctype.request", "请示", "第十六条"),
    Rule("doctype.report", "向上级的报告", "第十六条"),
    Rule("doctype.letter", "同级机关往来函件", "第十六条"),
    Rule("lexicon.sensitive", "敏感词", "第十六条"),
    Rule("lexicon.error", "严重错误", "第二十七条"),
    Rule("personal.id_card", "身份证号码", "第十六条"),
    Rule("personal.mobile", "手机号码", "第十六条"),
    Rule("personal.bank_card", "银行卡号", "第十六条"),
    Rule("personal.email", "电子邮箱", "第十六条"),
    Rule("format.headline_repeated", "正文重复大标题", "第十五条"),
    Rule("format.duplicate_title", "栏目内标题重复", "第十五条"),
    Rule("format.inline_style", "残留颜色字体字号", "第十五条"),
    Rule("format.empty_paragraphs", "连续空段落", "第十五条"),
    Rule("format.column_kind", "栏目不对应", "第十五条"),
    Rule("timeliness", "发布不及时", "第十七条"),
    Rule("contact.phone", "联系电话格式", "第十九条"),
    Rule("contact.email", "电子邮箱格式", "第十九条"),
    Rule("attachment.unreadable", "附件无法检查", "第十六条"),
)
RULE_BY_ID = {r.id: r for r in RULES}


# ---------------------------------------------------------------------------------------
# one screened text


class Part:
    """One text (title, body or an attachment) with its folded form."""

    def __init__(self, where: str, text: str):
        self.where = where
        self.doc: Folded = fold(text)
        self.text = self.doc.text  # folded: rules match on this

    @property
    def original(self) -> str:
        return self.doc.original

    def line_at(self, index: int) -> tuple[int, int]:
        """(start, end) of the folded line holding `index`."""
        start = self.text.rfind("\n", 0, index) + 1
        end = self.text.find("\n", index)
        return start, len(self.text) if end < 0 else end

    def head(self, count: int) -> list[tuple[int, str]]:
        """The first `count` non-blank folded lines, each as (offset, stripped line)."""
        found: list[tuple[int, str]] = []
        position = 0
        while position <= len(self.text) and len(found) < count:
            end = self.text.find("\n", position)
            end = len(self.text) if end < 0 else end
            line = self.text[position:end]
            if line.strip():
                found.append((position + len(line) - len(line.lstrip()), line.strip()))
            position = end + 1
        return found

    def finding(self, rule: str, start: int, end: int, message: str, severity: str = BLOCK,
                overridable: bool = False) -> Finding:
        """A finding at folded [start, end), reported at its original offsets."""
        ostart, oend = self.doc.span(start, end)
        return Finding(rule, RULE_BY_ID[rule].article, severity, ostart, oend, self.original[ostart:oend],
                       message, self.where, overridable)


def _quote(excerpt: str, limit: int = 30) -> str:
    excerpt = " ".join(excerpt.split())
    return excerpt if len(excerpt) <= limit else excerpt[:limit] + "…"


# ---------------------------------------------------------------------------------------
# classification markings (第十六、二十一条)

_LEVEL = re.compile(r"绝密|机密|秘密")
_STAR = "[★☆*]"
_TERM = r"(?:[0-9]{1,3}\s*(?:年|个月|月|天|日)|长期|永久|启用前)"
_STAR_AFTER = re.compile(rf"\s*{_STAR}\s*{_TERM}?")
_STAR_BEFORE = re.compile(rf"{_STAR}\s*$")
_LABEL_BEFORE = re.compile(r"密\s*级\s*[:|]\s*$")  # 密级:机密, or a form's cell 密级 | 机密
_URGENCY = r"(?:特急|加急|特提|平急|急件)"
_SERIAL = r"(?:(?:份号|编号)\s*:?\s*)?[0-9]{1,8}"
# a line that is nothing but a marking: [份号] [密级:] 机密 [级] [特急] [份号]
_MARKING_LINE = re.compile(
    rf"\s*(?:{_SERIAL}\s*)?(?:密\s*级\s*[:|]?\s*)?(?:绝密|机密|秘密)\s*级?[\s,、]*(?:{_URGENCY}\s*)?(?:{_SERIAL}\s*)?")
_OPEN_BRACKETS = "(【[〔"  # not 《》: 《绝密》 at a line's start is a film or a book
_CLOSE_BRACKETS = ")】]〕"
_OPEN_QUOTES = "“「『\"'‘"
_CLOSE_QUOTES = "”」』\"'’"


def _bracketed(line: str, start: int, end: int, anywhere: bool) -> tuple[int, int] | None:
    """(机密) at the start or end of a line, or anywhere in a title: the span with its brackets."""
    before, after = line[:start].rstrip(), line[end:].lstrip()
    if not before or not after or before[-1] not in _OPEN_BRACKETS or after[0] not in _CLOSE_BRACKETS:
        return None
    open_at = len(before) - 1
    close_at = len(line) - len(after)
    if anywhere or not line[:open_at].strip() or not line[close_at + 1:].strip():
        return open_at, close_at + 1
    return None


def _quoted(line: str, start: int, end: int) -> bool:
    """“机密★10年” in quotes is a mention of the marking's format, not a marking."""
    return start > 0 and line[start - 1] in _OPEN_QUOTES and end < len(line) and line[end] in _CLOSE_QUOTES


def _marking_span(line: str, start: int, end: int, is_title: bool) -> tuple[int, int] | None:
    """The span of the marking around the level word line[start:end], or None for prose."""
    star = _STAR_AFTER.match(line, end)
    if star and star.end() > end and star.group().strip():
        span = (start, star.end())
        return None if _quoted(line, *span) else span
    star_before = _STAR_BEFORE.search(line, 0, start)
    if star_before:
        return None if _quoted(line, star_before.start(), end) else (star_before.start(), end)
    label = _LABEL_BEFORE.search(line, 0, start)
    if label:
        return label.start(), end
    if _MARKING_LINE.fullmatch(line):
        stripped = line.strip()
        offset = line.index(stripped)
        return offset, offset + len(stripped)
    return _bracketed(line, start, end, anywhere=is_title)


def rule_classification(part: Part) -> list[Finding]:
    """绝密/机密/秘密 as a marking: with ★ and a term, after 密级:, on a line of its own, or in brackets
    at a line's start or end. 商业秘密, 保密工作, 秘密级以上信息 or 机密性 in a sentence are not."""
    text = part.text
    if "密" not in text:
        return []
    spans: list[tuple[int, int]] = []
    for match in _LEVEL.finditer(text):
        line_start, line_end = part.line_at(match.start())
        line = text[line_start:line_end]
        span = _marking_span(line, match.start() - line_start, match.end() - line_start, part.where == "title")
        if span:
            spans.append((line_start + span[0], line_start + span[1]))
    return [
        part.finding("classification", start, end,
                     f"发现密级标志「{_quote(part.original[slice(*part.doc.span(start, end))])}」。"
                     "带密级的文件不得在网上发布,上网计算机不得处理、保存涉密信息(第十六条、第二十一条)。"
                     "请删除该内容,并按保密规定处置原件,不要提交。")
        for start, end in _merge(spans)
    ]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# ---------------------------------------------------------------------------------------
# internal and non-public markings (第十六条:其他不宜向社会公开的内部信息)

# every alternative starts with a literal character, so the regex engine skips ahead to the
# candidates instead of trying each position (speed: 88 → several hundred MB/s)
_INTERNAL_STRONG = (r"仅供内部(?:参考|使用|参阅|交流|传阅)|仅限内部(?:参考|使用|参阅|交流|传阅)"
                    r"|不得翻印|严禁翻印|禁止翻印|此件不得公开"
                    r"|内部(?:资料|文件)[,、;\s]*(?:注意保存|妥善保管|不得外传|请勿外传|严禁外传|注意保密)")
_INTERNAL_MEDIUM = r"内部资料|内部文件|内部刊物|内部发行|内部传阅|内部参阅|内部明电|不得外传|严禁外传|请勿外传|禁止外传"
_INTERNAL_WEAK = r"注意保存|妥善保管|注意保密|阅后收回|阅后退回|阅后销毁|用后收回"
_INTERNAL = re.compile(f"{_INTERNAL_STRONG}|{_INTERNAL_MEDIUM}|{_INTERNAL_WEAK}")
_STRONG = re.compile(_INTERNAL_STRONG)
_MEDIUM = re.compile(_INTERNAL_MEDIUM)
# what may stand beside a marking on a marking line or in its brackets
_FILLER = re.compile(r"[\s0-9()\[\]【】〔〕<>《》,、;:.。!·\-—*★]|免费交流|第[0-9一二三四五六七八九十]+期|份号|编号|请")


def _only_markings(segment: str) -> bool:
    return not _FILLER.sub("", _INTERNAL.sub("", segment))


def _enclosing_brackets(line: str, start: int, end: int) -> str | None:
    """The text inside the brackets around line[start:end], if any."""
    opens = [line.rfind(b, 0, start) for b in _OPEN_BRACKETS]
    open_at = max(opens)
    if open_at < 0:
        return None
    closes = [i for i in (line.find(b, end) for b in _CLOSE_BRACKETS) if i >= 0]
    if not closes:
        return None
    return line[open_at + 1:min(closes)]


def _marking_position(line: str, start: int, end: int) -> bool:
    """The term stands as a marking: alone (with other markings) on its line, or in brackets."""
    if _only_markings(line):
        return True
    inside = _enclosing_brackets(line, start, end)
    return inside is not None and _only_markings(inside)


def rule_internal_marking(part: Part) -> list[Finding]:
    """内部资料, 仅供内部参考, 不得翻印 …: block as a marking; 内部资料 in a sentence warns; 注意保存
    in a sentence (请注意保存好回执) is ordinary."""
    text = part.text
    findings: list[Finding] = []
    for match in _INTERNAL.finditer(text):
        term = match.group()
        line_start, line_end = part.line_at(match.start())
        line = text[line_start:line_end]
        if _STRONG.fullmatch(term) or _marking_position(line, match.start() - line_start, match.end() - line_start):
            severity = BLOCK
        elif _MEDIUM.fullmatch(term):
            severity = WARN
        else:
            continue
        shown = _quote(part.original[slice(*part.doc.span(match.start(), match.end()))])
        if severity == BLOCK:
            message = (f"发现内部标识「{shown}」。内部信息和不宜向社会公开的事项不得在网上发布(第十六条)。"
                       "请删除该内容;如确属可公开的信息,请去掉内部标识并经审批后再提交。")
        else:
            message = (f"正文提到「{shown}」。请确认所发布的不是内部资料或内部文件(第十六条);"
                       "审核人须确认后才能通过。")
        findings.append(part.finding("internal_marking", match.start(), match.end(), message, severity))
    return findings


# ---------------------------------------------------------------------------------------
# document types that must not go online (第十六条: 请示、报告; 同级机关的往来函件)

_TRAILING = re.compile(r"(?:\s*[(\[【〔][^()\[\]【】〔〕]{0,12}[)\]】〕])+\s*$|[\s。.!?;]+$")
_REQUEST_TITLE = re.compile(r"的请示(?:报告)?$|^关于.{2,}请示$")
_REPORT_TITLE = re.compile(r"报告$")
_LETTER_TITLE = re.compile(r"(?:的|复)函$")
_HEAD_TITLE = re.compile(r"^关于.{2,80}的(请示|报告|函|复函)$")
# a letter's number on a line of its own (a signer may follow); 根据工信部函〔2023〕12号文件 cites one
_LETTER_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,10}函\s*[〔\[(]\s*(?:19|20)[0-9]{2}\s*[〕\])]\s*[0-9]{1,5}\s*号(?=\s*(?:签发人\s*:.*)?$)")
_SUPERIOR = (r"(?:中共)?(?:陕西)?省委(?:办公厅)?|(?:陕西)?省(?:人民)?政府(?:办公厅)?|国务院(?:办公厅)?"
             r"|(?:中华人民共和国)?工业和信息化部|(?:国家)?工信部|国家[\u4e00-\u9fff]{1,12}?(?:部|委员会|总局)"
             r"|(?:陕西)?省人大常委会|(?:陕西)?省政协|厅党组|厅领导|[\u4e00-\u9fff]{1,3}(?:省长|副省长|秘书长)")
_ADDRESSEE = re.compile(rf"(?:{_SUPERIOR})(?:[、,和](?:{_SUPERIOR}))*\s*:")
_HEAD_LINES = 6


def _core_title(text: str) -> str:
    """The title without trailing notes such as (代拟稿) and punctuation."""
    previous = None
    while previous != text:
        previous, text = text, _TRAILING.sub("", text)
    return text.strip()


def _upward_addressee(part: Part | None) -> str | None:
    if part is None:
        return None
    for _, line in part.head(_HEAD_LINES):
        if _ADDRESSEE.fullmatch(line):
            return line.rstrip(":").strip()
    return None


_DOCTYPE_MESSAGES = {
    "doctype.request": "「{shown}」是对上级机关的请示。请示不得在网上发布(第十六条)。",
    "doctype.report": "「{shown}」是报送上级机关({to})的报告。对上级机关的请示、报告不得在网上发布(第十六条)。",
    "doctype.letter": "「{shown}」是机关之间的往来函件。同级机关的往来函件不得在网上发布(第十六条)。",
}
_DOCTYPE_ADVICE = "请改为发布相关工作信息;如确需公开,须由审批人填写理由后放行。"


def _doctype_finding(part: Part, rule: str, start: int, end: int, to: str = "") -> Finding:
    shown = _quote(part.original[slice(*part.doc.span(start, end))])
    message = _DOCTYPE_MESSAGES[rule].format(shown=shown, to=to) + _DOCTYPE_ADVICE
    return part.finding(rule, start, end, message, BLOCK, overridable=True)


def _title_doctype(title: str, addressee: str | None) -> str | None:
    core = _core_title(title)
    if _REQUEST_TITLE.search(core):
        return "doctype.request"
    if _LETTER_TITLE.search(core):
        return "doctype.letter"
    if addressee and _REPORT_TITLE.search(core):
        return "doctype.report"
    return None


def rule_doctype_title(title: Part, body: Part | None = None) -> list[Finding]:
    """关于…的请示; 关于…的(复)函; 关于…的报告 with a superior organ (省政府:) as addressee."""
    addressee = _upward_addressee(body)
    rule = _title_doctype(title.text.strip(), addressee)
    if rule is None:
        return []
    offset = len(title.text) - len(title.text.lstrip())
    return [_doctype_finding(title, rule, offset, offset + len(title.text.strip()), addressee or "")]


def rule_doctype_head(part: Part, skip: Iterable[str] = ()) -> list[Finding]:
    """The same document types at the head of a body or an attachment: its title line, or a
    letter's number (陕工信函〔2024〕12号)."""
    skip = set(skip)
    addressee = _upward_addressee(part)
    for offset, line in part.head(_HEAD_LINES):
        number = _LETTER_NUMBER.match(line)
        if number and "doctype.letter" not in skip:
            return [_doctype_finding(part, "doctype.letter", offset, offset + number.end())]
        match = _HEAD_TITLE.fullmatch(_core_title(line))
        if match is None:
            continue
        kind = {"请示": "doctype.request", "报告": "doctype.report"}.get(match.group(1), "doctype.letter")
        if kind in skip or (kind == "doctype.report" and not addressee):
            continue
        return [_doctype_finding(part, kind, offset, offset + len(_core_title(line)), addressee or "")]
    return []


# ---------------------------------------------------------------------------------------
# lexicons (第十六、二十七条)


def rule_lexicon(part: Part, lexicon: Lexicon | None) -> list[Finding]:
    """Sensitive words (warn or block per entry) and serious errors (wrong → right)."""
    if lexicon is None:
        return []
    findings: list[Finding] = []
    for hit in lexicon.scan(part.text):
        entry = hit.entry
        shown = part.original[slice(*part.doc.span(hit.start, hit.end))]
        note = f"({entry.note})" if entry.note else ""
        if entry.kind == "error":
            message = (f"「{shown}」应为「{entry.right}」{note}。上网内容不得有错误,请改正后再提交"
                       "(第二十七条)。")
            findings.append(part.finding("lexicon.error", hit.start, hit.end, message, entry.severity))
        else:
            advice = "该词不得发布,请删除或改写" if entry.severity == BLOCK else "请确认后再发布,审核人须确认"
            message = f"含敏感词「{shown}」{note}。{advice}(第十六条)。"
            findings.append(part.finding("lexicon.sensitive", hit.start, hit.end, message, entry.severity))
    return findings


# ---------------------------------------------------------------------------------------
# personal data (第十六条:有损公民合法权益的信息)

_RUN = re.compile(r"[0-9]{11,}x?")  # leftmost-longest: always a whole run of digits
# written in groups: 139-9123-4567, 6222 0212 3456 7890 128 (two patterns, each with a literal or
# class first, so the engine skips ahead to candidates)
_GROUPED = (re.compile(r"1[3-9][0-9](?:[ -][0-9]{4}){2}"),
            re.compile(r"[3-6][0-9]{3}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?"))
_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"
_UNITS = set("元万亿千百吨件台套人次个户家项%‰")
_PERSONAL_LABELS = {  # label, how to mask it
    "personal.id_card": ("身份证号码", "6101**********1234"), "personal.mobile": ("手机号码", "138****5678"),
    "personal.bank_card": ("银行卡号", "6222 **** **** 1234"), "personal.email": ("电子邮箱", "z***@163.com"),
}


def valid_resident_id(number: str) -> bool:
    """18-character resident ID: a real date of birth and a valid check character (GB 11643)."""
    number = number.lower()
    if len(number) != 18 or not number[:17].isdigit() or number[0] == "0":
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not dt.date(1900, 1, 1) <= born <= dt.date.today():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def luhn(number: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = int(char)
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _mobile(digits: str) -> bool:
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def _bank_card(digits: str) -> bool:
    return 16 <= len(digits) <= 19 and digits[0] in "3456" and luhn(digits) and not valid_resident_id(digits)


def _classify_number(digits: str) -> str | None:
    if valid_resident_id(digits):
        return "personal.id_card"
    if not digits.isdigit():
        return None
    if _mobile(digits):
        return "personal.mobile"
    if _bank_card(digits):
        return "personal.bank_card"
    return None


def _standalone(text: str, start: int, end: int) -> bool:
    """Not part of a longer code, a decimal or an amount (13800000000元)."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before and (before.isascii() and (before.isalnum() or before in "._-/=?&#")):  # codes, URLs
        return False
    if after and after.isascii() and (after.isalnum() or after in "_-"):
        return False
    if after == "." and text[end + 1:end + 2].isdigit():
        return False
    return after not in _UNITS


def _numbers(text: str) -> list[tuple[str, int, int]]:
    """(rule, start, end) of numbers that are personal data."""
    found: list[tuple[str, int, int]] = []
    for match in _RUN.finditer(text):
        if not _standalone(text, match.start(), match.end()):
            continue
        rule = _classify_number(match.group())
        if rule:
            found.append((rule, match.start(), match.end()))
    if " " in text or "-" in text:
        for pattern in _GROUPED:
            for match in pattern.finditer(text):
                if not _standalone(text, match.start(), match.end()):
                    continue
                rule = _classify_number(re.sub(r"[ -]", "", match.group()))
                if rule:
                    found.append((rule, match.start(), match.end()))
    return found


def _emails(text: str) -> list[tuple[str, int, int]]:
    if "@" not in text:
        return []
    found = []
    for match in _EMAIL.finditer(text):
        domain = match.group().rsplit("@", 1)[1]
        if domain == "gov.cn" or domain.endswith(".gov.cn"):
            continue  # an organ's public contact address is not personal data (第十九条)
        found.append(("personal.email", match.start(), match.end()))
    return found


def rule_personal(part: Part, context: str = "article") -> list[Finding]:
    """Resident ID numbers (check digit), mobile numbers, bank cards (Luhn), e-mail addresses:
    warn in an article, block in a published interaction answer."""
    severity = BLOCK if context == "interaction" else WARN
    findings = []
    for rule, start, end in sorted(_numbers(part.text) + _emails(part.text), key=lambda f: f[1]):
        label, masked = _PERSONAL_LABELS[rule]
        if severity == BLOCK:
            advice = f"互动答复公开前,请删除或打码(如 {masked})"
        else:
            advice = f"请确认当事人同意公开或属于公开的工作联系方式,否则请删除或打码(如 {masked});审核人须确认"
        message = f"含个人信息({label})。公开公民个人信息有损其合法权益(第十六条),{advice}。"
        findings.append(part.finding(rule, start, end, message, severity))
    return findings


# ---------------------------------------------------------------------------------------
# contact details (第十九条): a published number or address must be one that can be reached

_PHONE_LABEL = r"(?:联系电话|咨询电话|服务电话|举报电话|监督电话|办公电话|值班电话|热线电话|联系方式|传真|电话)"
_CONTACT_PHONE = re.compile(_PHONE_LABEL + r"\s*[:：]\s*([0-9０-９()（）\-－—\s]{3,30}[0-9０-９])")
_CONTACT_EMAIL = re.compile(r"(?:电子邮箱|电子邮件|邮箱|[Ee]-?[Mm]ail)\s*[:：]\s*([^\s,，;；。、)）<>]{1,80})")
_VALID_PHONE = re.compile(f"(?:{contacts.PHONE_PATTERN}|{contacts.HOTLINE_PATTERN})")


def rule_contact(part: Part) -> list[Finding]:
    """联系电话/邮箱 written after their label must be well-formed (warn): a wrong digit and the
    public cannot reach the office (第十九条)."""
    findings = []
    for match in _CONTACT_PHONE.finditer(part.text):
        number = re.sub(r"\s", "", unicodedata.normalize("NFKC", match.group(1))).replace("—", "-")
        if not _VALID_PHONE.fullmatch(number) and not contacts.valid_mobile(re.sub(r"\D", "", number)):
            findings.append(part.finding("contact.phone", match.start(1), match.end(1),
                                         f"联系电话「{match.group(1).strip()}」格式不正确:固定电话请带区号(如 029-63913000),"
                                         "手机为 11 位。公布的联系方式必须准确(第十九条)。", WARN))
    for match in _CONTACT_EMAIL.finditer(part.text):
        address = unicodedata.normalize("NFKC", match.group(1)).rstrip(".")
        if not contacts.valid_email(address):
            findings.append(part.finding("contact.email", match.start(1), match.end(1),
                                         f"电子邮箱「{match.group(1)}」格式不正确,请核对。公布的联系方式必须准确(第十九条)。",
                                         WARN))
    return findings


# ---------------------------------------------------------------------------------------
# format (第十五条)

_NON_WORD = re.compile(r"[\W_]+")


def _normal(text: str) -> str:
    """Folded, letters and digits only: for comparing titles."""
    return _NON_WORD.sub("", fold(text).text)


def rule_headline_repeated(title: Part, body: Part) -> list[Finding]:
    """The body starts by repeating the headline (第十五条:大标题不要重复)."""
    wanted = _normal(title.original)
    head = body.head(1)
    if len(wanted) < 4 or not head:
        return []
    offset, line = head[0]
    matched, i = 0, 0
    while matched < len(wanted) and i < len(line):
        char = line[i]
        if _NON_WORD.fullmatch(char):
            i += 1
            continue
        if char != wanted[matched]:
            return []
        matched += 1
        i += 1
    if matched < len(wanted):
        return []
    # 全省工业经济运行平稳 followed by 向好… is a sentence that starts like the title; the
    # headline repeated is followed by the end of its line or a break (space, colon, dash)
    if i < len(line) and not _NON_WORD.fullmatch(line[i]):
        gap = body.doc.position(offset + i) > body.doc.position(offset + i - 1) + 1
        if not gap:
            return []
    return [body.finding("format.headline_repeated", offset, offset + i,
                         "正文开头重复了大标题。页面已显示标题,正文中不要重复(第十五条)。请删除正文开头的标题。",
                         WARN)]


def rule_duplicate_title(title: Part, other_titles: Iterable[str]) -> list[Finding]:
    """The headline is already used by another article in the same column."""
    wanted = _normal(title.original)
    if not wanted or wanted not in {_normal(t) for t in other_titles}:
        return []
    return [title.finding("format.duplicate_title", 0, len(title.text),
                          "本栏目已有同名信息。请修改标题加以区分(如注明日期、期数),或确认不是重复发布(第十五条)。",
                          WARN)]


_STYLE = re.compile(r"""\sstyle\s*=\s*(?:"[^"]*(?:color|font|size)[^"]*"|'[^']*(?:color|font|size)[^']*')"""
                    r"""|<font\b[^>]*>|<[a-z][^<>]*?\s(?:color|face|size|bgcolor)\s*=\s*["']?[^"'\s>]+""", re.IGNORECASE)
_EMPTY_P = r"<p\b[^>]*>(?:\s|&nbsp;|&#160;|&#xa0;|\u3000|\u00a0|<br\s*/?>|</?span\b[^>]*>)*</p>"
_EMPTY_RUN = re.compile(rf"(?:{_EMPTY_P}\s*){{3,}}", re.IGNORECASE)


def _html_finding(rule: str, body_html: str, start: int, end: int, message: str) -> Finding:
    return Finding(rule, RULE_BY_ID[rule].article, WARN, start, end, body_html[start:end], message, "body_html")


def rule_inline_style(body_html: str) -> list[Finding]:
    """Colours, fonts and sizes left inline (pasted from Word): the portal's style decides (第十五条)."""
    matches = list(_STYLE.finditer(body_html or ""))
    if not matches:
        return []
    first = matches[0]
    start = first.start() + (len(first.group()) - len(first.group().lstrip()))
    return [_html_finding("format.inline_style", body_html, start, first.end(),
                          f"正文中有 {len(matches)} 处残留的颜色、字体或字号设置。正文统一为黑色 5 号宋体(第十五条),"
                          "请用“清除格式”或重新粘贴为纯文本。")]


def rule_empty_paragraphs(body_html: str) -> list[Finding]:
    """Three or more empty paragraphs in a row."""
    return [_html_finding("format.empty_paragraphs", body_html, m.start(), m.end(),
                          f"正文中有 {len(re.findall(_EMPTY_P, m.group(), re.IGNORECASE))} 个连续的空段落。"
                          "请删除多余空行,保持版面规范(第十五条)。")
            for m in _EMPTY_RUN.finditer(body_html or "")]


_TITLE_KINDS: tuple[tuple[str, str, re.Pattern, frozenset[str]], ...] = (
    # (content type, its name, title pattern, column kinds it fits)
    ("speech", "领导讲话", re.compile(r"的(?:重要)?(?:讲话|致辞|发言)稿?$|讲话稿$"),
     frozenset({"speech", "news", "meeting", "general", "special", "openinfo"})),
    ("notice", "通知公告", re.compile(r"(?:通知|公告|通告|公示|启事)$"),
     frozenset({"notice", "policy", "openinfo", "general", "special", "service", "meeting"})),
    ("interpretation", "政策解读", re.compile(r"解读$|^(?:政策)?解读\s*:|答记者问$|^(?:一图读懂|图解)"),
     frozenset({"interpretation", "policy", "openinfo", "general", "special", "news"})),
)
_KNOWN_KINDS = {"news": "工作动态", "notice": "通知公告", "policy": "政策文件", "interpretation": "政策解读",
                "speech": "领导讲话", "meeting": "重要会议", "service": "公共服务", "interaction": "互动交流",
                "openinfo": "政府信息公开", "data": "数据发布", "special": "专题专栏", "general": "综合"}


def title_kind(title: str) -> str | None:
    """The content type a title announces (notice, speech, interpretation), if any."""
    core = _core_title(fold(title).text.strip())
    for kind, _, pattern, _ in _TITLE_KINDS:
        if pattern.search(core):
            return kind
    return None


def rule_column_kind(title: Part, column_kind: str | None) -> list[Finding]:
    """A 通知 in 领导讲话, a 讲话 in 通知公告: the column must fit the content (第十五条)."""
    if column_kind not in _KNOWN_KINDS:
        return []
    kind = title_kind(title.original)
    for code, name, _, fits in _TITLE_KINDS:
        if code == kind and column_kind not in fits:
            return [title.finding("format.column_kind", 0, len(title.text),
                                  f"标题显示这是{name}类信息,不宜发布在「{_KNOWN_KINDS[column_kind]}」类栏目。"
                                  "信息发布栏目要对应准确(第十五条),请改选合适的栏目。", WARN)]
    return []


# ---------------------------------------------------------------------------------------
# timeliness (第十七条)


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def rule_timeliness(work_ended_on, today=None, lag_days_allowed: int = 3) -> list[Finding]:
    """Published more than `lag_days_allowed` calendar days after the work ended."""
    ended = _as_date(work_ended_on)
    if ended is None:
        return []
    today = _as_date(today) or dt.date.today()
    lag = (today - ended).days
    if lag <= lag_days_allowed:
        return []
    return [Finding("timeliness", "第十七条", WARN, 0, 0, "",
                    f"工作于 {ended.year}年{ended.month}月{ended.day}日 结束,至今已 {lag} 天,超过 {lag_days_allowed} 天的"
                    "发布时限(第十七条:信息发布不应迟于工作结束后的第3天)。请尽快发布,并在审核意见中说明延迟原因。",
                    "meta")]


# ---------------------------------------------------------------------------------------
# attachments


def _unreadable(where: str, name: str, why: str) -> Finding:
    return Finding("attachment.unreadable", "第十六条", WARN, 0, 0, "",
                   f"附件「{name}」未能自动检查:{why}。请审核人打开附件,人工检查有无密级标志、内部标识和个人信息"
                   "(第十六条)。", where)


def screen_attachment(name: str, data: bytes, *, lexicon: Lexicon | None = None,
                      context: str = "article") -> list[Finding]:
    """Extract the attachment's text and screen it like the body."""
    where = f"attachment:{name}"
    try:
        extracted = extract(name, data)
    except ExtractError as exc:
        return [_unreadable(where, name, str(exc))]
    part = Part(where, extracted.text)
    findings = _text_rules(part, lexicon, context) + rule_doctype_head(part)
    if extracted.note:
        findings.append(_unreadable(where, name, extracted.note))
    return findings


# ---------------------------------------------------------------------------------------
# all together


def _text_rules(part: Part, lexicon: Lexicon | None, context: str) -> list[Finding]:
    return (rule_classification(part) + rule_internal_marking(part) + rule_lexicon(part, lexicon)
            + rule_personal(part, context) + rule_contact(part))


def _order(finding: Finding) -> tuple:
    where = finding.where
    rank = {"title": 0, "body": 1, "body_html": 2, "meta": 4}.get(where, 3)
    return rank, where, finding.start, finding.end, finding.rule


def screen(title: str, body_html: str, *, attachments: Sequence[tuple[str, bytes]] = (),
           column_kind: str | None = None, work_ended_on=None, lexicon: Lexicon | None = None,
           context: str = "article", other_titles_in_column: Iterable[str] = frozenset(),
           lag_days_allowed: int = 3, today=None) -> list[Finding]:
    """Every finding for one item, ordered title, body, body HTML, attachments, meta.

    `lexicon` is `core.lexicon.load(con)`; without it the lexicon rules are skipped.
    `context` is 'article' or 'interaction' (an answer to be published: personal data blocks).
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {CONTEXTS}, not {context!r}")
    title_part = Part("title", title or "")
    body_part = Part("body", html_to_text(body_html or ""))
    findings = _text_rules(title_part, lexicon, context) + _text_rules(body_part, lexicon, context)
    in_title = rule_doctype_title(title_part, body_part)
    findings += in_title + rule_doctype_head(body_part, skip={f.rule for f in in_title})
    findings += rule_headline_repeated(title_part, body_part)
    findings += rule_duplicate_title(title_part, other_titles_in_column)
    findings += rule_inline_style(body_html) + rule_empty_paragraphs(body_html)
    findings += rule_column_kind(title_part, column_kind)
    findings += rule_timeliness(work_ended_on, today, lag_days_allowed)
    for name, data in attachments:
        findings += screen_attachment(name, data, lexicon=lexicon, context=context)
    return sorted(findings, key=_order)


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == BLOCK]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == WARN]


def hard_blocks(findings: Iterable[Finding]) -> list[Finding]:
    """Blocks nobody may lift: these stop submission outright."""
    return [f for f in findings if f.blocking and not f.overridable]


def remaining_blocks(findings: Iterable[Finding], lifted_keys: Iterable[str] = ()) -> list[Finding]:
    """Blocks still standing once the overridable ones lifted (by `Finding.key`) are set aside."""
    lifted = set(lifted_keys)
    return [f for f in findings if f.blocking and not (f.overridable and f.key in lifted)]


def has_block(findings: Iterable[Finding], overridden: Iterable[str] = ()) -> bool:
    """True while a block remains; `overridden` lists the rules an approver lifted with a reason
    (only overridable findings can be lifted)."""
    lifted = set(overridden)
    return any(f.blocking and not (f.overridable and f.rule in lifted) for f in findings)
