"""The portal's static files for `make run` (in production nginx serves them: deploy/nginx.conf).

Like `python -m http.server PORT --bind ADDR --directory DIR`, and like nginx it sends attachments
(/files/…) as downloads a browser never runs or renders in the site's origin — a PDF with JavaScript
or an HTML/PDF polyglot stays a file to save (issue 12, L8) — and nosniff on everything.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import posixpath
import urllib.parse

ATTACHMENT_HEADERS = {
    "Content-Disposition": "attachment",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def is_attachment(request_path: str) -> bool:
    """The path as the server resolves it (decoded, dot segments gone): /x/../files/a.html is an attachment."""
    path = posixpath.normpath(urllib.parse.unquote(urllib.parse.urlsplit(request_path).path))
    return path.startswith("/files/")


class PortalHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        if is_attachment(self.path):
            for name, value in ATTACHMENT_HEADERS.items():
                self.send_header(name, value)
        super().end_headers()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="门户网站静态文件(本机预览用;正式环境由 nginx 提供)")
    parser.add_argument("port", type=int, help="端口")
    parser.add_argument("--bind", default="127.0.0.1", help="监听地址")
    parser.add_argument("--directory", required=True, help="门户静态文件目录(site_build)")
    args = parser.parse_args(argv)
    handler = functools.partial(PortalHandler, directory=args.directory)
    with http.server.ThreadingHTTPServer((args.bind, args.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
