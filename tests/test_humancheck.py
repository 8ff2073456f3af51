"""The public desk's CAPTCHA (第二十三条): right once, wrong burns it, expiry, reuse, full-width digits, and
the spoken alternative in Mandarin (适老化)."""

from __future__ import annotations

import datetime as dt
import io
import os
import wave
from pathlib import Path

import captcha.audio
import pytest
from PIL import Image

from core import humancheck, settings
from core.errors import ValidationError
from tests.apptest_helpers import app_as, texts
from tests.conftest import make_org

T0 = dt.datetime(2026, 11, 2, 9, 0)
ROOT = Path(__file__).resolve().parent.parent


def refused(con, token, answer, now=None) -> str:
    with pytest.raises(ValidationError) as caught:
        humancheck.verify(con, token, answer, now)
    assert caught.value.field == "验证码" and caught.value.article == "第二十三条"
    return caught.value.rule


def stored(con) -> int:
    return con.execute("SELECT count(*) FROM captcha_challenges").fetchone()[0]


def test_the_right_answer_passes_once(con):
    challenge = humancheck.new_challenge(con, answer="4821")
    humancheck.verify(con, challenge.token, "4821")
    assert "已使用" in refused(con, challenge.token, "4821")


def test_a_wrong_answer_is_refused_and_burns_the_challenge(con):
    challenge = humancheck.new_challenge(con, answer="4821")
    assert "不一致" in refused(con, challenge.token, "4822")
    assert "已使用" in refused(con, challenge.token, "4821")  # no second guess at the same picture
    assert stored(con) == 0


def test_an_empty_answer_is_refused_without_burning(con):
    challenge = humancheck.new_challenge(con, answer="4821")
    assert "请输入" in refused(con, challenge.token, "  ")
    humancheck.verify(con, challenge.token, "4821")


@pytest.mark.parametrize("typed", ["４８２１", " 48 21 ", "４ ８\u3000２１", "4821\n"])
def test_full_width_digits_and_spaces_are_accepted(con, typed):
    challenge = humancheck.new_challenge(con, answer="4821")
    humancheck.verify(con, challenge.token, typed)


@pytest.mark.parametrize("typed", ["482", "48210", "abcd", "4821" * 5000, "\ud800", "<script>4821</script>"])
def test_other_answers_are_wrong(con, typed):
    challenge = humancheck.new_challenge(con, answer="4821")
    assert "不一致" in refused(con, challenge.token, typed)


def test_an_expired_challenge_is_refused(con):
    challenge = humancheck.new_challenge(con, answer="4821", now=T0)
    minutes = settings.get(con, "captcha_minutes")
    humancheck.new_challenge(con, now=T0 + dt.timedelta(minutes=minutes, seconds=1))  # another visitor
    rule = refused(con, challenge.token, "4821", now=T0 + dt.timedelta(minutes=minutes, seconds=1))
    assert "有效期" in rule and str(minutes) in rule


def test_unknown_tokens_are_refused(con):
    humancheck.new_challenge(con, answer="4821")
    for token in ("", "made-up-token", None):
        assert "失效" in refused(con, token, "4821")
    assert stored(con) == 1


def test_old_challenges_are_purged(con):
    humancheck.new_challenge(con, now=T0)
    humancheck.new_challenge(con, now=T0)
    humancheck.new_challenge(con, now=T0 + dt.timedelta(minutes=5))
    later = T0 + dt.timedelta(minutes=settings.get(con, "captcha_minutes")) + humancheck.PURGE_AFTER
    humancheck.new_challenge(con, now=later)
    assert stored(con) == 2  # the one made 5 minutes later and the new one


def test_only_hashes_are_stored(con):
    challenge = humancheck.new_challenge(con, answer="4821")
    stored_row = con.execute("SELECT token_hash, answer_hash FROM captcha_challenges").fetchone()
    assert challenge.token not in stored_row and "4821" not in "".join(stored_row)
    assert len(challenge.token) >= 32


def test_random_answers_have_the_set_length_and_differ(con):
    con.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('captcha_length', '6')")
    answers = {humancheck._random_answer(humancheck._length(con)) for _ in range(20)}
    assert all(len(a) == 6 and a.isdigit() for a in answers) and len(answers) > 15
    assert humancheck.new_challenge(con).length == 6
    tokens = {humancheck.new_challenge(con).token for _ in range(5)}
    assert len(tokens) == 5


def test_the_image_is_large_and_high_contrast():
    image = Image.open(io.BytesIO(humancheck.image_png("4821")))
    assert image.format == "PNG" and image.width >= 300 and image.height >= 100
    grey = image.convert("L")
    darkest, lightest = grey.getextrema()
    assert lightest >= 250 and darkest <= 60  # dark ink on white (适老化)
    ink = sum(grey.histogram()[:100]) / (image.width * image.height)
    assert ink > 0.08  # glyphs are bold enough to see, not faint strokes


def test_the_audio_is_a_playable_wav():
    with wave.open(io.BytesIO(humancheck.audio_wav("4821"))) as audio:
        assert audio.getnframes() / audio.getframerate() > 2  # four spoken digits take seconds


def clip_frames(path: Path) -> bytes:
    with wave.open(str(path)) as clip:
        return clip.readframes(clip.getnframes())


def test_the_digits_are_spoken_from_the_mandarin_clips():
    """适老化: the voice reads 普通话, not the package's English — every digit the CAPTCHA can hold has its
    clip in core/voices/zh, and those clips (no others) are what the spoken challenge is made of."""
    with wave.open(io.BytesIO(humancheck.audio_wav("4821"))) as audio:
        assert audio.getnframes() > 0
    voice = humancheck._audio
    assert Path(voice._voicedir) == humancheck.VOICES == ROOT / "core" / "voices" / "zh"
    assert sorted(voice.choices) == list(humancheck.DIGITS)
    english = Path(captcha.audio.DATA_DIR)
    for digit in humancheck.DIGITS:
        clips = sorted((humancheck.VOICES / digit).glob("*.wav"))
        assert [c.name for c in clips] == ["cmn.wav"]
        assert voice._cache[digit] == [bytearray(clip_frames(clips[0]))]
        assert clip_frames(clips[0]) not in {clip_frames(e) for e in (english / digit).glob("*.wav")}


@pytest.mark.parametrize("digit", list(humancheck.DIGITS))
def test_each_clip_is_audible_speech_in_the_format_the_package_mixes(digit):
    with wave.open(str(humancheck.VOICES / digit / "cmn.wav")) as clip:
        assert (clip.getframerate(), clip.getnchannels(), clip.getsampwidth()) == (8000, 1, 1)
        seconds = clip.getnframes() / clip.getframerate()
        frames = clip.readframes(clip.getnframes())
    assert 0.2 < seconds < 1.5  # one syllable, silence trimmed
    assert max(abs(sample - 128) for sample in frames) > 100  # loud enough (normalised), not silence


def test_the_clips_say_where_they_come_from_and_how_to_remake_them():
    note = (humancheck.VOICES.parent / "README.md").read_text(encoding="utf-8")
    assert "eSpeak NG" in note and "GPL-3.0-or-later" in note and "scripts/record-captcha-voices.sh" in note
    script = ROOT / "scripts" / "record-captcha-voices.sh"
    assert os.access(script, os.X_OK) and "espeak-ng -v cmn" in script.read_text(encoding="utf-8")


def test_the_public_page_offers_the_spoken_digits_and_says_they_are_in_mandarin(tmp_path, con):
    make_org(con)
    con.close()
    at = app_as(tmp_path / "portal.duckdb", None)
    at.switch_page("pages/message.py")
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("audio")) == 1
    shown = texts(at)
    assert "普通话" in shown and "英文" not in shown
