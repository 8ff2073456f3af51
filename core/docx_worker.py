"""The child process that converts one .docx (core.docx_guard starts it; never run by hand).

Reads the file on stdin and its limits (JSON) as the one argument; writes JSON on stdout. Exit 0:
the body and the notes; EXIT_REFUSED: a limit passed or a broken file, the error's parts;
EXIT_MEMORY: the address-space limit was reached.
"""

from __future__ import annotations

import json
import sys

from core import content, docx_guard
from core.errors import ValidationError


def _convert(data: bytes, limits: docx_guard.DocxLimits) -> dict:
    try:
        with docx_guard.open_docx(data) as archive:
            docx_guard.check_parts(archive, limits)
    except (ValidationError, MemoryError):
        raise
    except Exception as exc:  # zipfile's and expat's errors alike: not a .docx
        raise content.docx_refused() from exc
    html, messages = content.convert_docx(data)
    if len(html.encode()) > limits.max_html_mb * 1024 * 1024:
        raise docx_guard.too_large(f"转换后的正文超过 {limits.max_html_mb} MB 上限(图片过多或过大)")
    return {"html": html, "messages": messages}


def _run(limits: docx_guard.DocxLimits) -> int:
    try:
        result, code = _convert(sys.stdin.buffer.read(), limits), 0
    except ValidationError as exc:
        result, code = {"field": exc.field, "rule": exc.rule, "article": exc.article}, docx_guard.EXIT_REFUSED
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode())
    return code


def main() -> int:
    limits = docx_guard.DocxLimits(**json.loads(sys.argv[1]))
    docx_guard.bound_this_process(limits)
    try:
        return _run(limits)
    except MemoryError:
        return docx_guard.EXIT_MEMORY


if __name__ == "__main__":
    sys.exit(main())
