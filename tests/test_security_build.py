"""Security findings of issue 12 in the portal renderer: control characters in the XML the portal
writes (M3) and a publication killed half-way (L1)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from core import portal, search
from core.db import connect
from core.portal import build_site
from core.portal.resume import resume_interrupted_build
from core.scheduler import Scheduler
from tests.test_portal import publish
from tests.test_search import indexed_urls

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
REPO = Path(__file__).resolve().parents[1]
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



@pytest.mark.parametrize("char", [*map(chr, range(0x00, 0x20)), "\x7f", *map(chr, range(0x80, 0xA1)), "·", "é",
                                  "\ufffe", "\uffff", "\ufffd", "\uffe5", "\uffbf", "\ud800", "\U0001f600", "中"])
def test_legal_utf8_is_legal_text_encoded(char):
    """The writer's check on the encoded page (portal.writer.legal_utf8) drops exactly what legal_text drops."""
    from core.portal.writer import legal_text, legal_utf8

    for text in (char, f"前{char}后", f"<p>{char * 3}</p>" * 50):
        assert legal_utf8(text) == legal_text(text).encode("utf-8")

# --------------------------------------------------------------------------- L1: kill -9 during a publication


def _killed_build(db: Path, out: Path, stage: str, *args: str) -> int:
    """``python -m core build-site`` in its own process, killed with SIGKILL once it reached ``stage``
    (PORTAL_BUILD_PAUSE makes it wait there and say so by creating a file). Returns its pid."""
    flag = out.parent / f"paused-at-{stage}"
    env = {**os.environ, "PORTAL_BUILD_PAUSE": f"{stage}:{flag}"}
    proc = subprocess.Popen([sys.executable, "-m", "core", "build-site", "--db", str(db), "--out", str(out), *args],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 600  # a guard against a hang, not a measurement
        while not flag.exists():
            assert proc.poll() is None, f"the build ended before {stage}: {proc.communicate()}"
            assert time.monotonic() < deadline, f"the build never reached {stage}"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None and not flag.exists():
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    return proc.pid


def _published_site(con, org, tmp_path):
    """A portal built and indexed with one article, then a second one published (not built yet);
    the database is closed, for the build process to open."""
    publish(con, org, "第一篇已上网的文章")
    out = tmp_path / "site"
    build_site(con, out)
    search.index_all(out)
    second = publish(con, org, "杀进程时正在发布的文章")
    db = Path(con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchone()[0])
    con.close()
    return db, out, second


def _titles(out: Path, feed: str) -> list[str]:
    root = ET.fromstring((out / feed).read_bytes())
    return [e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")]


def _sitemap(out: Path) -> list[str]:
    return [loc.text for loc in ET.fromstring((out / "sitemap.xml").read_bytes()).iter(f"{SITEMAP}loc")]


def _readers_see_whole_files(out: Path) -> None:
    """What a reader can fetch is complete (old or new), never half a file."""
    for page in out.rglob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page
    for feed in out.rglob("*.xml"):
        ET.fromstring(feed.read_bytes())


def _temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".tmp-")]


def _record_matches_disk(con, out: Path) -> bool:
    record = json.loads(con.execute("SELECT value FROM site_state WHERE name = 'portal_build'").fetchone()[0])
    return (out / portal.STAMP_FILE).read_text().strip() == record["stamp"]


def test_a_publication_killed_half_way_is_finished_when_the_workbench_starts(con, org, tmp_path):
    """L1: a build killed with SIGKILL after the article page and the column list leaves the feeds,
    sitemap, search and build record owed; the workbench's scheduler, when it starts, finishes them
    and deletes what the dead writer left."""
    db, out, second = _published_site(con, org, tmp_path)
    url = portal.article_url(second.id, second.published_at)
    dead = _killed_build(db, out, "pages")

    con = connect(db)
    try:
        # the state the attack left: page and listing written, the rest not
        assert (out / url.lstrip("/")).is_file()
        assert "杀进程时正在发布的文章" in (out / "col/gzdt/index.html").read_text(encoding="utf-8")
        assert "杀进程时正在发布的文章" not in _titles(out, "feed.xml")
        assert portal.owed_build(con)["out"] == str(out.resolve())
        _readers_see_whole_files(out)
        left = out / "col" / "gzdt" / f".index.html.{dead}-0123abcd.tmp"  # a dead writer's temp file
        left.write_text("半个页面")
        running = out / f".feed.xml.{os.getpid()}-89abcdef.tmp"  # a live writer's: not to be touched
        running.write_text("正在写")

        runner = Scheduler(con, out, interval=3600).start()
        try:
            deadline = time.monotonic() + 600  # a guard against a hang, not a measurement
            while runner.last is None and time.monotonic() < deadline:  # the first tick follows the resume
                time.sleep(0.2)
        finally:
            runner.stop()
        resumed = runner.resumed
        assert resumed is not None and resumed.build is not None
        assert resumed.build["mode"] == "incremental" and second.id in resumed.build["changed_articles"]
        assert resumed.search_thread is not None
        resumed.search_thread.join()

        assert "杀进程时正在发布的文章" in _titles(out, "feed.xml")
        assert "杀进程时正在发布的文章" in _titles(out, "col/gzdt/feed.xml")
        assert any(loc.endswith(url) for loc in _sitemap(out))
        assert url in indexed_urls(out, search.shard_for(second.published_at))
        assert "杀进程时正在发布的文章" in (out / "index.html").read_text(encoding="utf-8")
        assert portal.owed_build(con) is None and _record_matches_disk(con, out)
        assert not left.exists() and running.exists()
        running.unlink()
        assert _temporaries(out) == []
        _readers_see_whole_files(out)
        # nothing is owed any more: the next start does nothing
        again = resume_interrupted_build(con, out)
        assert again.build is None and again.removed == 0 and again.search == []
    finally:
        con.close()


def test_a_full_build_killed_half_way_is_redone_in_full(con, org, tmp_path):
    """L1: a full build (python -m core build-site --full) killed half-way is redone in full at start:
    every page, feed, the sitemap and the build record are there again."""
    db, out, second = _published_site(con, org, tmp_path)
    _killed_build(db, out, "pages", "--full")
    con = connect(db)
    try:
        owed = portal.owed_build(con)
        assert owed["full"] is True
        resumed = resume_interrupted_build(con, out)
        assert resumed.build["mode"] == "full"
        if resumed.search_thread is not None:
            resumed.search_thread.join()
        assert "杀进程时正在发布的文章" in _titles(out, "feed.xml")
        assert len([u for u in _sitemap(out) if "/art/" in u]) == 2
        assert portal.owed_build(con) is None and _record_matches_disk(con, out)
        assert _temporaries(out) == []
    finally:
        con.close()


def test_a_search_reindex_killed_half_way_is_finished_at_start(con, org, tmp_path):
    """L1: killed (SIGKILL) while Pagefind's new shard waits in its temporary folder, the re-index
    leaves that .tmp folder and a stale shard; at start both are dealt with."""
    db, out, second = _published_site(con, org, tmp_path)
    url = portal.article_url(second.id, second.published_at)
    shard = search.shard_for(second.published_at)
    _killed_build(db, out, "search")
    assert [p.name for p in (out / search.BUNDLE_DIR).iterdir() if p.name.startswith(".tmp-")]
    assert url not in indexed_urls(out, shard)
    con = connect(db)
    try:
        assert portal.owed_build(con) is None  # the pages were finished; the search was not
        resumed = resume_interrupted_build(con, out)
        assert resumed.build is None and resumed.removed >= 1 and resumed.search == [shard]
        resumed.search_thread.join()
        assert url in indexed_urls(out, shard)
        assert _temporaries(out) == []
    finally:
        con.close()
