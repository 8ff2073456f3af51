"""Security findings of issue 12 in the portal renderer: control characters in the XML the portal
writes (M3) and a publication killed half-way (L1)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from core import portal
from core.portal import build_site
from tests.test_portal import publish

ATOM = "{http://www.w3.org/2005/Atom}"
# what XML 1.0 forbids (Char production), and the C1 controls HTML treats as parse errors
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
HOSTILE = "控制\x01字符\x08标题\ufffe\x1b结束"


def _smuggle(con, article_id: int, title: str) -> None:
    """Put a title straight into the database, as an old database or an import would hold it
    (no input cleaning on the way)."""
    con.execute("UPDATE revisions SET title = ? WHERE article_id = ?", [title, article_id])


def _parse_every_xml(out: Path) -> dict[str, ET.Element]:
    found = {}
    for path in sorted(out.rglob("*.xml")):
        if "files" in path.relative_to(out).parts:
            continue  # attachments are served as uploaded
        found[path.relative_to(out).as_posix()] = ET.fromstring(path.read_bytes())  # raises if not well-formed
    return found


def test_control_characters_in_a_title_leave_every_xml_file_well_formed(con, org, tmp_path):
    """M3: a title holding U+0001/U+0008/U+FFFE (put straight into the database) leaves feed.xml, the
    column feeds and the sitemap well-formed, and no page holds a raw control character."""
    article = publish(con, org, "正常的标题")
    _smuggle(con, article.id, HOSTILE)
    con.execute("UPDATE columns SET name = ? WHERE id = ?", ["工作\x02动态", org.col_dz])
    out = tmp_path / "site"
    build_site(con, out)
    parsed = _parse_every_xml(out)
    assert {"feed.xml", "sitemap.xml", "col/gzdt/feed.xml"} <= parsed.keys()
    titles = [e.find(f"{ATOM}title").text for e in parsed["feed.xml"].iter(f"{ATOM}entry")]
    assert titles == ["控制字符标题结束"]  # the characters go, the words stay
    for name, root in parsed.items():
        if name.endswith("feed.xml") and root.find(f"{ATOM}entry") is not None:
            assert root.find(f"{ATOM}entry/{ATOM}title").text == "控制字符标题结束", name
    pages = [p for p in out.rglob("*.html")]
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not ILLEGAL.search(text), page
    assert "控制字符标题结束" in (out / portal.article_url(article.id, article.published_at).lstrip("/")).read_text(
        encoding="utf-8")


def test_incremental_build_keeps_feeds_well_formed(con, org, tmp_path):
    """M3: an incremental build after such a title is published also writes well-formed feeds."""
    out = tmp_path / "site"
    publish(con, org, "第一篇")
    build_site(con, out)
    second = publish(con, org, "第二篇")
    _smuggle(con, second.id, "第二篇\x08\x01")
    built = build_site(con, out, full=False)
    assert built["mode"] == "incremental"
    parsed = _parse_every_xml(out)
    titles = [e.find(f"{ATOM}title").text for e in parsed["feed.xml"].iter(f"{ATOM}entry")]
    assert "第二篇" in titles


def test_writer_never_writes_a_character_xml_forbids(tmp_path):
    """M3: the writer strips what XML 1.0 forbids (lone surrogates too, which DuckDB cannot hold but a
    template context can) from every text file it writes; attachment bytes are written as they are."""
    writer = portal.Writer(tmp_path)
    writer.write("/x.xml", "<a>\x01b\ud800\x0c\ufffe\tc\n</a>")
    assert ET.fromstring((tmp_path / "x.xml").read_bytes()).text == "b\tc\n"
    raw = b"<a>\x01</a>"
    writer.write("/files/1/data.xml", raw)
    assert (tmp_path / "files/1/data.xml").read_bytes() == raw

