#!/usr/bin/env bash
# The Debian packages that `make run` and `make test` need, installed by themselves on a fresh machine.
#
#   scripts/system-packages.sh run|test            install what is missing (apt-get, with sudo when not root)
#   scripts/system-packages.sh --check run|test    only report: exit 0 when all is present, 1 otherwise
#
# `run` needs Node.js with npm to bundle the rich-text editor of 我的稿件 (TipTap, from npm); the rest
# is Python (the spoken CAPTCHA's Mandarin digits are recordings kept in core/voices). `test` also needs
# Debian's chromium for the browser tests, CJK fonts for readable screenshots, nginx and openssl for
# the deployment example (and npm's axe-core for the accessibility test).
# Nothing is installed, and apt is not called, when everything is already there.
set -euo pipefail

check_only=0
if [ "${1:-}" = "--check" ]; then check_only=1; shift; fi
profile="${1:-test}"

# package → is it present? (the paths the tests use, so a package installed elsewhere still counts)
present() {
    case "$1" in
        chromium) [ -x /usr/bin/chromium ] ;;
        fonts-noto-cjk) fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null ;;  # not -q: pipefail
        nginx-light) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ;;
        openssl) command -v openssl >/dev/null 2>&1 ;;
        make) command -v make >/dev/null 2>&1 ;;
        nodejs) command -v node >/dev/null 2>&1 ;;
        npm) command -v npm >/dev/null 2>&1 ;;
        *) echo "system-packages.sh: unknown package $1" >&2; return 2 ;;
    esac
}

case "$profile" in
    run) wanted=(nodejs npm) ;;
    test) wanted=(chromium fonts-noto-cjk nginx-light openssl make nodejs npm) ;;
    *) echo "usage: $0 [--check] run|test" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
    present "$package" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    [ $check_only -eq 1 ] && echo "系统软件包齐全($profile)"
    exit 0
fi

install_command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ $check_only -eq 1 ]; then
    echo "缺少系统软件包($profile):${missing[*]}"
    exit 1
fi

cannot_install() {  # $1: why
    {
        echo "缺少系统软件包:${missing[*]}"
        echo "$1,无法自动安装。请由管理员以 root 身份运行:"
        echo "    $install_command"
        echo "然后重新运行 make $profile。"
    } >&2
    exit 1
}

if [ "$(id -u)" = "0" ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    cannot_install "当前用户不是 root,也没有 sudo"
fi

echo "安装系统软件包:${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || cannot_install "apt-get update 失败(见上方信息)"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || cannot_install "apt-get install 失败(见上方信息)"
if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    # Debian's package starts a default nginx on port 80; the tests run their own on free ports
    "${sudo[@]}" systemctl stop nginx >/dev/null 2>&1 || "${sudo[@]}" /usr/sbin/nginx -s stop >/dev/null 2>&1 || true
fi
