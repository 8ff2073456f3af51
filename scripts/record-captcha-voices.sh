#!/usr/bin/env bash
# Records the ten digits of the spoken CAPTCHA in Mandarin (普通话) with eSpeak NG, once: the clips are
# kept in core/voices/zh/<digit>/ so the workbench needs no speech engine at run time.
# Run it again only to change the voice (then commit the new clips with core/voices/README.md updated).
#
# Needs Debian's espeak-ng (its cmn voice) and sox. The clips are 8 kHz, 8-bit unsigned mono WAV: the
# only format the `captcha` package's AudioCaptcha mixes. Slightly slower than espeak-ng's default
# (适老化), silence trimmed at both ends, loudness normalised.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=140  # words per minute; espeak-ng's default is 175
WORDS=(零 一 二 三 四 五 六 七 八 九)
OUT=core/voices/zh

for tool in espeak-ng sox; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "需要 $tool:apt-get install -y --no-install-recommends espeak-ng sox" >&2
        exit 1
    fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for digit in 0 1 2 3 4 5 6 7 8 9; do
    mkdir -p "$OUT/$digit"
    espeak-ng -v cmn -s "$RATE" -w "$work/$digit.wav" "${WORDS[$digit]}"
    sox -R "$work/$digit.wav" -r 8000 -b 8 -e unsigned-integer -c 1 "$OUT/$digit/cmn.wav" \
        silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse norm -1
done
espeak-ng --version | head -n 1
sox --version
