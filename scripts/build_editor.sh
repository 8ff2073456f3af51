#!/bin/sh
# Bundle the rich-text editor of 我的稿件 (TipTap, from `npm install`) into one file served by the component:
# the workbench runs offline and its pages load nothing from other sites.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
esbuild="$root/node_modules/.bin/esbuild"
if [ ! -x "$esbuild" ] || [ ! -d "$root/node_modules/@tiptap/core" ]; then
    echo "缺少编辑器依赖:请先在 $root 运行 npm install" >&2
    exit 1
fi
"$esbuild" "$root/pages/_richtext_frontend/src/editor.js" --bundle --minify --format=iife --target=es2020 \
    --legal-comments=linked --log-level=warning --outfile="$root/pages/_richtext_frontend/build/editor.js"
