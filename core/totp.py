"""The second factor (第二十二条): time-based one-time codes (RFC 6238, PyPI `pyotp`).

Any authenticator app works (微信/支付宝 小程序, Google/Microsoft Authenticator, FreeOTP).
A code is accepted for the current 30-second step and one step either side (clock drift),
and each step only once (`last_step` in user_totp): a code seen over a shoulder is spent.
"""

from __future__ import annotations

import datetime as dt
import io

import pyotp
import qrcode

ISSUER = "陕西省工信厅网站工作台"
STEP = 30


def new_secret() -> str:
    return pyotp.random_base32()


def matching_step(secret: str, code: str, now: dt.datetime | None = None) -> int | None:
    """The time step the code belongs to (now ± one step), or None."""
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    if len(code) != 6 or not secret:
        return None
    when = now or dt.datetime.now()
    totp = pyotp.TOTP(secret)
    current = totp.timecode(when)
    for step in (current, current - 1, current + 1):
        if totp.generate_otp(step) == code:
            return step
    return None


def code_at(secret: str, when: dt.datetime | None = None) -> str:
    """The code an authenticator shows at `when` (tests and the enrolment preview)."""
    return pyotp.TOTP(secret).at(when or dt.datetime.now())


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_png(secret: str, username: str) -> bytes:
    image = qrcode.make(provisioning_uri(secret, username), box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
