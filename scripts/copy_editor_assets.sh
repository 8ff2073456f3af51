#!/bin/sh
# Copy the rich-text editor's browser files (Quill, from `npm install`) next to the component that serves
# them: the workbench runs offline and its pages may load nothing from other sites.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/node_modules/quill"
dest="$root/pages/_richtext_frontend/vendor"
if [ ! -f "$src/dist/quill.js" ]; then
    echo "缺少 node_modules/quill:请先运行 npm install" >&2
    exit 1
fi
mkdir -p "$dest"
cp "$src/dist/quill.js" "$src/dist/quill.core.css" "$src/LICENSE" "$dest/"
