"""Portal rendering: the templates folder and the one Jinja2 ``Environment`` of a process.

Autoescape is on everywhere; ``body_html`` is marked safe only in article.html, because it is
sanitised before it is stored. ``render_to`` renders a page and hands it to the writer: every
page of a build passes there, in this process or in a worker (portal.pool).

Imports from: portal.urls, portal.data, portal.pages, portal.writer.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, Template, nodes
from jinja2 import __version__ as jinja2_version
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup, escape

from core.portal.data import SiteData
from core.portal.pages import EPOCH, Page
from core.portal.urls import ANSWERS_URL, feed_url
from core.portal.writer import Writer

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # core/templates
STATIC = TEMPLATES / "static"
# times are stored as the department's local time (Beijing); feeds need an explicit offset
SITE_UTC_OFFSET = "+08:00"


def template_files() -> list[Path]:
    """Everything under the templates folder (static files included), for the build signature."""
    return list(TEMPLATES.rglob("*"))


def has_template(name: str) -> bool:
    return (TEMPLATES / name).is_file()


def _date(value: datetime | date | None) -> str:
    if not value:
        return ""
    if value.year >= 1000:  # what strftime gives, at a third of its cost (three dates on every listed item)
        return f"{value.year}-{value.month:02d}-{value.day:02d}"
    return value.strftime("%Y-%m-%d")


def _date_zh(value: datetime | date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _atom_date(value: datetime | date | None) -> str:
    value = value or EPOCH
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.strftime("%Y-%m-%dT%H:%M:%S") + SITE_UTC_OFFSET


def _replace_text(text: str) -> str:
    """markupsafe's escaping of a plain string, in Python: the same five characters, the same references."""
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


try:  # markupsafe 3's own escaping of a plain string, in C, without the Markup around it (≈0.3 µs a value less)
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:  # markupsafe 2, or without its C speedups
    _escape_str = _replace_text


def _escape_text(value: Any) -> str:
    """What ``{{ value }}`` writes with autoescape on: markupsafe's ``escape`` (same five characters, same
    references), without wrapping plain text in a ``Markup`` that is only ever joined into the page."""
    if value.__class__ is str:
        return _escape_str(value)
    if value.__class__ is Markup:  # escape() would copy it (the header and footer: ≈5,000 characters a page)
        return value
    return escape(value)


class _PortalCodeGenerator(CodeGenerator):
    """Jinja's compiler with two changes that leave what a template writes as it was: a run of text and
    ``{{ }}`` values between two tags is one ``yield`` of their join instead of one yield each (~110 on
    an article page, each resuming nested generators); and values are escaped by ``_escape_text``."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src is None:
            self.write("environment.escape_text(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            return super().visit_Output(node, frame)
        finalize = self._make_finalize()
        body: list = []  # as Jinja's visit_Output: runs of constant text, and expressions
        for child in node.nodes:
            try:
                if not (finalize.const or isinstance(child, nodes.TemplateData)):
                    raise nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except (nodes.Impossible, Exception):
                body.append(child)
                continue
            if body and isinstance(body[-1], list):
                body[-1].append(const)
            else:
                body.append([const])
        self.writeline("yield str_join((")
        self.indent()
        for item in body:
            if isinstance(item, list):
                self.writeline(self._output_const_repr(item) + ",")
            else:
                self.newline(item)
                self._output_child_pre(item, frame, finalize)
                self.visit(item, frame)
                self._output_child_post(item, frame, finalize)
                self.write(",")
        self.outdent()
        self.writeline("))")


class _PortalEnvironment(Environment):
    """Page contexts are plain dicts (they travel to worker processes): look keys up first,
    instead of failing an attribute lookup on every ``item.title`` (a third of render time)."""

    code_generator_class = _PortalCodeGenerator
    escape_text = staticmethod(_escape_text)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.loaded: dict[str, Template] = {}  # by name (``get_template``)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Template:
        """Jinja's, with the templates already loaded found by name in a plain dict: an article page asks
        for two (its own, then base.html for ``{% extends %}``), each a weak reference, a tuple and a
        look-up in Jinja's cache. The templates never change for this environment (``refresh_templates``)."""
        if globals is None and name.__class__ is str:
            found = self.loaded.get(name if parent is None else self.join_path(name, parent))
            if found is not None:
                return found
        template = super().get_template(name, parent, globals)
        if globals is None and name.__class__ is str:
            # its globals (Jinja's, for range() and the like) as a plain dict: Template.globals is a ChainMap,
            # whose iteration in Python cost ≈6 µs a page in ``render``
            template.plain_globals = dict(template.globals)
            self.loaded[template.name] = template
        return template


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept between processes (Jinja's bytecode cache, in its own folder for this user under
    the temporary directory, which Jinja makes private and checks): a build's processes load them instead of
    compiling them each (≈3-4 ms a template: ≈10 in the parent and ≈8 in each worker, ≈0.09 s of CPU a build).
    A template's entry holds for its source, this module (its code generator) and this Jinja."""

    generator = ""  # set below: a digest of this file and of Jinja's version

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha1((self.generator + source).encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:  # unreadable: compiled as without the cache
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full or read-only temporary directory fails no build: the next process compiles
            pass


_CompiledTemplates.generator = hashlib.sha256(Path(__file__).read_bytes() + jinja2_version.encode()).hexdigest()


def _bytecode_cache() -> _CompiledTemplates | None:
    """The compiled templates' folder, or None where it cannot be had (compiling then, as without it)."""
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no temporary directory, or one Jinja does not trust
        return None


def template_digest() -> str:
    """A digest of the templates folder's files (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(template_files()):
        if path.is_file():
            digest.update(path.as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def refresh_templates() -> None:
    """At the start of every build: forget the compiled templates when a template file changed since
    they were loaded. Invalidates ``environment()``'s cache; the environment itself never looks at the
    files again (``auto_reload`` off), which saved a stat and a locked cache look-up per template per page."""
    if environment.cache_info().currsize and environment().template_digest != template_digest():
        environment.cache_clear()


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja2 environment of this process (autoescape on for everything); its templates are
    compiled once and kept until ``refresh_templates`` sees a template file change."""
    env = _PortalEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        auto_reload=False,
        cache_size=-1,  # a plain dict, without a lock: the templates are few
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["date"] = _date
    env.filters["date_zh"] = _date_zh
    env.filters["atom_date"] = _atom_date
    env.template_digest = template_digest()
    return env


def render(page: Page, site_context: dict[str, Any]) -> str:
    template = environment().get_template(page.template)
    nav_key = _nav_key(page.path, page.context.get("section_id"), site_context["nav_urls"])
    # Template.render less its two copies of this dict (``dict(...)``, then merged with the globals)
    values = {**template.plain_globals, **site_context, **page.context, "path": page.path, "nav_key": nav_key}
    try:
        return "".join(template.root_render_func(template.new_context(values, shared=True)))
    except Exception:
        return template.environment.handle_exception()


def _nav_key(path: str, section_id: int | None, nav_urls: dict[int, str]) -> str:
    """Where a page sits in the main navigation: home, a section's own page, inside a section."""
    if path == "/index.html":
        return "home"
    if section_id not in nav_urls:
        return ""
    return f"{section_id}:{'page' if path == nav_urls[section_id] else 'true'}"


def _nav_html(nav: list[dict]) -> dict[str, Markup]:
    """The navigation is the same on every page but for aria-current: render each variant once
    per build instead of once per page (a fifth of a page's render time)."""
    template = environment().get_template("_nav.html")
    variants = {"": (None, ""), "home": (None, "home")}
    for col in nav:
        variants |= {f"{col['id']}:page": (col["id"], "page"), f"{col['id']}:true": (col["id"], "true")}
    return {key: Markup(template.render(nav=nav, section_id=section, current=current))
            for key, (section, current) in variants.items()}


def _shell(name: str, context: dict[str, Any]) -> Markup:
    """A part every page shows the same (the header but for the navigation's aria-current, the footer),
    rendered once per build: a page's template then writes it as one string instead of ~60 pieces and
    ~20 escapes. The partial's last line feed is base.html's own, after the expression."""
    return Markup(environment().get_template(name).render(context).removesuffix("\n"))


def site_context(site: SiteData, versions: dict[str, str]) -> dict[str, Any]:
    """What every page shows (header, footer), as plain data a worker process can receive."""
    nav = [c.ref for c in site.nav]
    context = {
        "nav_urls": {c["id"]: c["url"] for c in nav},
        "site_name": site.site_name,
        "site_url": site.site_url,
        "site_host": site.host,
        "nav": nav,
        "css_url": f"/static/site.css?v={versions.get('site.css', '')}",
        "js_url": f"/static/a11y.js?v={versions.get('a11y.js', '')}",
        "site_feed": feed_url(),
        "message_url": site.message_url,
        "answers_url": ANSWERS_URL,
        "contact_phone": site.contact_phone,
        "contact_email": site.contact_email,
        "identity": site.identity,
    }
    context["header_html"] = {key: _shell("_header.html", {**context, "nav_html": html})
                              for key, html in _nav_html(nav).items()}
    context["footer_html"] = _shell("_footer.html", context)
    return context


def copy_static(writer: Writer, extra: dict[str, bytes] | None = None) -> dict[str, str]:
    """Copy templates/static to out/static; returns short hashes of the files, for cache-busting.
    ``extra``: files from the database (the uploaded 党政机关网站标识), already named by their hash."""
    for name, data in (extra or {}).items():
        writer.write("/static/" + name, data)
    versions = {}
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            name = path.relative_to(STATIC).as_posix()
            writer.write("/static/" + name, data)
            versions[name] = hashlib.sha256(data).hexdigest()[:10]
    return versions


# what a page's template gets for an article body given as bytes (portal.data.body_batches): its place in the
# page; random, so that nothing else a page shows can be taken for it
_BODY_MARK = Markup(f"\x00body-{secrets.token_hex(8)}\x00")


def render_to(writer: Writer, page: Page, site_context: dict[str, Any]) -> None:
    """Render ``page`` and write it.

    An article body given as UTF-8 bytes (``body_html``, as a build reads it) is not decoded: the template
    renders with a mark in its place (``{{ body_html|safe }}`` writes it once, as it is), and the writer
    writes the text before the mark, the body's bytes and the text after it (what the template would have
    written, byte for byte: the body is written verbatim either way). Should the mark not be there exactly
    once, the page is rendered from the decoded body instead."""
    body = page.context.get("body_html")
    if body.__class__ is not bytes:
        writer.write(page.path, render(page, site_context))
        return
    if body:
        text = render(Page(page.path, page.template, {**page.context, "body_html": _BODY_MARK}), site_context)
        head, mark, tail = text.partition(_BODY_MARK)
        if mark and _BODY_MARK not in tail:
            writer.write_page(page.path, head, body, tail)
            return
    text = render(Page(page.path, page.template, {**page.context, "body_html": body.decode("utf-8")}), site_context)
    writer.write(page.path, text)
