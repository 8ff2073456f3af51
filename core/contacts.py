"""Contact details that must be right (第十九条): the shapes of phone numbers and e-mail addresses,
declared once for the citizen's message form, the contacts the office publishes (settings) and
the screening of published text."""

from __future__ import annotations

import re

MOBILE_PATTERN = r"1[3-9][0-9]{9}"
LANDLINE_PATTERN = r"\(?0[0-9]{2,3}\)?-?[0-9]{7,8}(?:-[0-9]{1,5})?"  # area code, number, extension
SERVICE_PATTERN = r"[48]00-?[0-9]{3}-?[0-9]{4}"  # 400/800 numbers
PHONE_PATTERN = f"(?:{LANDLINE_PATTERN}|{MOBILE_PATTERN}|{SERVICE_PATTERN})"
# short numbers a published text may give: 110, 12345, 95xxx hotlines, a local number without area code
HOTLINE_PATTERN = r"(?:1[0-9]{2}|12[0-9]{3}|95[0-9]{3,6}|[0-9]{7,8})"
EMAIL_PATTERN = r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}"

_MOBILE = re.compile(MOBILE_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)


def valid_mobile(text: str) -> bool:
    return bool(_MOBILE.fullmatch(text))


def valid_phone(text: str) -> bool:
    return bool(_PHONE.fullmatch(text))


def valid_email(text: str) -> bool:
    return bool(_EMAIL.fullmatch(text)) and ".." not in text
