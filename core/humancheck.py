"""The CAPTCHA of the public desk (第二十三条): digits in a large, high-contrast image, and the same
digits spoken in Mandarin (普通话), for readers who cannot make out the picture (适老化).

The `captcha` package draws both; its built-in voice reads English, so the spoken digits are clips of
eSpeak NG's Mandarin voice recorded once and kept in core/voices/zh (scripts/record-captcha-voices.sh,
core/voices/README.md): no speech engine is needed at run time.

Only keyed hashes are stored (core.ratelimit.keyed_hash): the token the page holds and the
answer. A challenge is used once: any answer, right or wrong, burns it; it expires after a
setting's minutes, and expired rows are purged whenever a challenge is made or checked.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha

from core import ratelimit, settings
from core.db import transaction
from core.errors import ValidationError
from core.ratelimit import keyed_hash

FIELD = "验证码"
ARTICLE = "第二十三条"
DIGITS = "0123456789"
MAX_LENGTH = 8  # the office's setting is clamped here: longer is no safer, only harder to type
# 适老化: dark ink on white (contrast about 15:1), large glyphs, mild distortion, light noise
INK = (16, 32, 96)
PAPER = (255, 255, 255)
WIDTH_PER_DIGIT, HEIGHT = 80, 120
PURGE_AFTER = dt.timedelta(hours=1)
VOICES = Path(__file__).parent / "voices" / "zh"  # one folder per digit, each with its .wav clip


class _ReadableCaptcha(ImageCaptcha):
    # the package masks each glyph by its own lightness, which makes dark ink faint: full ink instead
    lookup_table = [min(255, i * 8) for i in range(256)]
    character_rotate = (-12, 12)
    character_warp_dx = (0.05, 0.12)
    character_warp_dy = (0.05, 0.12)
    word_space_probability = 0.8  # fewer gaps: the digits stay large within the width
    word_offset_dx = 0.0  # glyphs never overlap

    def generate_image(self, chars: str, bg_color=None, fg_color=None):
        image = self.create_captcha_image(chars, INK, PAPER)
        self.create_noise_dots(image, INK, width=2, number=12)
        self.create_noise_curve(image, INK)
        return image


@dataclass(frozen=True)
class Challenge:
    token: str  # what the page keeps; unguessable
    image: bytes  # PNG
    audio: bytes  # WAV, the digits spoken
    length: int  # how many digits
    expires_at: dt.datetime


_audio = AudioCaptcha(voicedir=str(VOICES))
_audio_lock = threading.Lock()


def _random_answer(length: int) -> str:
    """The digits to type (tests replace this to know the answer)."""
    return "".join(secrets.choice(DIGITS) for _ in range(length))


def _length(con: duckdb.DuckDBPyConnection) -> int:
    return max(4, min(MAX_LENGTH, int(settings.get(con, "captcha_length"))))


def _token_hash(con, token: str) -> str:
    return keyed_hash(con, "captcha-token:" + token)


def _answer_hash(con, token: str, answer: str) -> str:
    return keyed_hash(con, f"captcha-answer:{token}:{answer}")


def image_png(digits: str) -> bytes:
    """The picture of `digits`: large dark digits on white."""
    drawer = _ReadableCaptcha(width=WIDTH_PER_DIGIT * len(digits), height=HEIGHT, font_sizes=(78, 86, 94))
    return drawer.generate(digits, format="png").getvalue()


def audio_wav(digits: str) -> bytes:
    """The digits spoken in Mandarin (the recorded clips, with the package's light background noise)."""
    with _audio_lock:  # the voice files are loaded once, on first use
        return bytes(_audio.generate(digits))


def _purge(con, now: dt.datetime) -> None:
    # an expired row stays an hour, so its visitor is told "expired" rather than "unknown"
    con.execute("DELETE FROM captcha_challenges WHERE expires_at <= ?", [now - PURGE_AFTER])


def new_challenge(con: duckdb.DuckDBPyConnection, answer: str | None = None,
                  now: dt.datetime | None = None, client: str | None = None) -> Challenge:
    """A fresh challenge. `answer` fixes the digits (tests); the page never passes it. With the
    visitor's `client`, drawing is rate-limited (each picture and voice costs ~0.15 s of CPU):
    raises RateLimited."""
    now = now or dt.datetime.now()
    if client is not None:
        ratelimit.hit(con, client, "captcha.new", now)
    digits = answer if answer is not None else _random_answer(_length(con))
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError("a CAPTCHA answer is ASCII digits")
    token = secrets.token_urlsafe(24)
    expires = now + dt.timedelta(minutes=int(settings.get(con, "captcha_minutes")))
    image, audio = image_png(digits), audio_wav(digits)
    with transaction(con):
        _purge(con, now)
        con.execute("INSERT INTO captcha_challenges (token_hash, answer_hash, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?)", [_token_hash(con, token), _answer_hash(con, token, digits), now, expires])
    return Challenge(token, image, audio, len(digits), expires)


def is_live(con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None = None) -> bool:
    """Whether the challenge of `token` can still take an answer (the page draws a new one if not)."""
    if not token:
        return False
    found = con.execute("SELECT expires_at FROM captcha_challenges WHERE token_hash = ?",
                        [_token_hash(con, str(token))]).fetchone()
    return found is not None and found[0] > (now or dt.datetime.now())


def normal_answer(answer: str | None) -> str:
    """What the visitor typed, as compared: full-width digits (１２３４) made ASCII, spaces dropped."""
    text = unicodedata.normalize("NFKC", str(answer or "").encode("utf-8", "surrogatepass")
                                 .decode("utf-8", "replace"))
    return re.sub(r"\s+", "", text)


def verify(con: duckdb.DuckDBPyConnection, token: str, answer: str, now: dt.datetime | None = None) -> None:
    """Accept the right answer to a live challenge once; raise ValidationError("验证码", …) otherwise.

    An empty answer is refused without using the challenge (the visitor forgot to type it); any
    other answer uses it up, so each picture allows one guess."""
    now = now or dt.datetime.now()
    typed = normal_answer(answer)
    if not typed:
        raise ValidationError(FIELD, "请输入图片中的数字(看不清可点击「换一张」或收听语音)", ARTICLE)
    found = None
    with transaction(con):
        _purge(con, now)
        if token:
            found = con.execute("DELETE FROM captcha_challenges WHERE token_hash = ? RETURNING answer_hash, expires_at",
                                [_token_hash(con, str(token))]).fetchone()
    if found is None:
        raise ValidationError(FIELD, "验证码已使用或已失效,请点击「换一张」后按新的图片重新输入", ARTICLE)
    answer_hash, expires_at = found
    if expires_at <= now:
        minutes = int(settings.get(con, "captcha_minutes"))
        raise ValidationError(FIELD, f"验证码已超过 {minutes} 分钟的有效期,请按新的图片重新输入", ARTICLE)
    if len(typed) > MAX_LENGTH or not hmac.compare_digest(answer_hash, _answer_hash(con, str(token), typed)):
        raise ValidationError(FIELD, "输入的数字与图片不一致,请按新的图片重新输入", ARTICLE)
