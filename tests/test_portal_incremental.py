"""Incremental portal builds: after a publication, correction, take-down or restore, the next
build renders just what changed (and its listings, neighbours, home page, feeds, sitemap), and
the result is the same as a full build's."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from core import columns, portal, workflow
from core.portal import archive_url, article_url, build_site, column_url
from tests.test_portal import all_text, approve, bulk_articles, correct, home_section, latest_titles, publish, snapshot

YEAR = dt.date.today().year


@pytest.fixture
def built(con, org, tmp_path):
    """工作动态 (with a sub-column 产业动态) and 财政资金, a few articles each, built once."""
    sub = con.execute("INSERT INTO columns (parent_id, slug, name, kind, division_id) "
                      "VALUES (?, 'cydt', '产业动态', 'news', ?) RETURNING id", [org.col_dz, org.dz]).fetchone()[0]
    articles = {
        "a": publish(con, org, "工作动态第一篇"),
        "b": publish(con, org, "工作动态第二篇"),
        "sub": publish(con, org, "产业动态第一篇", column=sub),
    }
    # 财政资金 belongs to 财务处: its own officer and head
    other = workflow.create_article(con, org.officer_cw, org.col_cw, "财政资金第一篇", "<p>资金</p>", "财务处")
    other = workflow.submit(con, org.officer_cw, other.id, other.version)
    other = approve(con, org.head_cw, other)
    articles["other"] = workflow.publish(con, org.officer_cw, other.id, other.version)
    out = tmp_path / "site"
    first = build_site(con, out, full=False)
    assert first["mode"] == "full" and first["reason"] == "no previous build"
    return out, articles, sub


def _rendered(monkeypatch) -> list[str]:
    """Record the path of every page the next builds render."""
    paths: list[str] = []
    real = portal.render.render

    def spy(page, context):
        paths.append(page.path)
        return real(page, context)

    monkeypatch.setattr(portal.render, "render", spy)
    return paths


def _url(article) -> str:
    return article_url(article.id, article.published_at)


def _mtime(out, url: str) -> int:
    return os.stat(out / url.lstrip("/")).st_mtime_ns


def _equals_full_build(con, out, tmp_path) -> None:
    """What incremental builds left on disk is what a full build renders from scratch."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    portal.build_site(con, fresh)
    assert snapshot(out) == snapshot(fresh)


def test_nothing_changed_renders_only_the_shared_pages(con, org, built, monkeypatch):
    out, articles, _ = built
    rendered = _rendered(monkeypatch)
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["changed_articles"] == [] and stats["touched_years"] == []
    assert not [p for p in rendered if p.startswith(("/art/", "/col/"))]
    assert "/index.html" in rendered and "/feed.xml" in rendered
    # the fixed pages show only what the build signature covers: full builds render them
    assert not {"/sitemap.html", "/404.html", "/contact.html", "/statement.html", "/accessibility.html"} & set(rendered)
    assert stats["writes"] == 1  # the build stamp


def test_publish_renders_the_article_its_listings_neighbour_home_and_feeds(con, org, built, monkeypatch, tmp_path):
    out, articles, sub = built
    unrelated = _mtime(out, _url(articles["other"]))
    rendered = _rendered(monkeypatch)
    new = publish(con, org, "产业动态第二篇", column=sub)
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental"
    assert stats["changed_articles"] == [new.id] and stats["touched_years"] == [YEAR]
    # the new page, and the sub-column's previous newest item, whose 上一篇 now links to it
    assert sorted(p for p in rendered if p.startswith("/art/")) == sorted([_url(new), _url(articles["sub"])])
    # its column and the parent listing that shows sub-columns' items, with their feeds
    assert {p for p in rendered if p.startswith("/col/")} == {
        column_url("cydt"), portal.feed_url("cydt"), column_url("gzdt"), portal.feed_url("gzdt")}
    assert {"/index.html", "/feed.xml"} <= set(rendered)
    assert "产业动态第二篇" in (out / _url(new).lstrip("/")).read_text(encoding="utf-8")
    for url in ("/index.html", column_url("gzdt"), column_url("cydt"), "/feed.xml", "/sitemap.xml",
                _url(articles["sub"])):
        assert "产业动态第二篇" in (out / url.lstrip("/")).read_text(encoding="utf-8") or url == "/sitemap.xml"
    assert _url(new) in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert _mtime(out, _url(articles["other"])) == unrelated
    _equals_full_build(con, out, tmp_path)


def test_correction_changes_the_page_and_the_neighbours_links(con, org, built, monkeypatch, tmp_path):
    out, articles, _ = built
    unrelated = _mtime(out, _url(articles["other"]))
    # a correction under review changes nothing on the portal
    pending = workflow.save_article(con, org.officer, articles["a"].id, articles["a"].version, title="审批中的更正",
                                    body_html="<p>更正</p>", source="电子信息处", work_ended_on=None,
                                    importance="一般")
    quiet = build_site(con, out, full=False)
    assert quiet["changed_articles"] == [] and "审批中的更正" not in all_text(out)
    rendered = _rendered(monkeypatch)
    corrected = correct(con, org, pending, "工作动态第一篇(更正)")
    assert corrected.published_at == articles["a"].published_at  # first publication date is kept
    stats = build_site(con, out, full=False)
    assert stats["changed_articles"] == [corrected.id]
    page = (out / _url(corrected).lstrip("/")).read_text(encoding="utf-8")
    assert "工作动态第一篇(更正)" in page and page.count("<h1") == 1
    neighbour = (out / _url(articles["b"]).lstrip("/")).read_text(encoding="utf-8")
    assert "工作动态第一篇(更正)" in neighbour  # its 下一篇 link shows the new title
    assert _url(articles["b"]) in rendered and _url(articles["other"]) not in rendered
    assert _mtime(out, _url(articles["other"])) == unrelated
    _equals_full_build(con, out, tmp_path)


def test_take_down_and_restore(con, org, built, monkeypatch, tmp_path):
    out, articles, _ = built
    b = articles["b"]
    con.execute("INSERT INTO attachments (article_id, filename, mime, size, sha256, data, uploaded_by)"
                " VALUES (?, '附件.pdf', 'application/pdf', 4, 'x', '\\x25\\x50\\x44\\x46'::BLOB, ?)",
                [b.id, org.officer.id])
    stats = build_site(con, out, full=False)  # an attachment added to a live article shows at once
    assert stats["changed_articles"] == [b.id] and stats["attachments"] == 1
    assert list(out.glob("files/*/附件.pdf"))
    b = workflow.get_article(con, b.id)
    workflow.take_down(con, org.webmaster, b.id, b.version, "临时处置")
    stats = build_site(con, out, full=False)
    assert stats["changed_articles"] == [b.id] and stats["withdrawn"] == 1
    assert "该信息已撤下" in (out / _url(b).lstrip("/")).read_text(encoding="utf-8")
    assert not list(out.glob("files/*/附件.pdf"))  # its files are no longer served
    for url in ("/index.html", column_url("gzdt"), "/feed.xml", portal.feed_url("gzdt"), "/sitemap.xml",
                _url(articles["a"])):
        assert "工作动态第二篇" not in (out / url.lstrip("/")).read_text(encoding="utf-8"), url
    _equals_full_build(con, out, tmp_path)
    b = workflow.get_article(con, b.id)
    workflow.restore(con, org.webmaster, b.id, b.version)
    stats = build_site(con, out, full=False)
    assert stats["changed_articles"] == [b.id] and stats["touched_years"] == [YEAR]
    assert "工作动态第二篇" in (out / column_url("gzdt").lstrip("/")).read_text(encoding="utf-8")
    assert list(out.glob("files/*/附件.pdf"))
    _equals_full_build(con, out, tmp_path)


def test_withdrawn_by_the_division(con, org, built, tmp_path):
    out, articles, _ = built
    a = workflow.get_article(con, articles["a"].id)
    workflow.withdraw(con, org.officer, a.id, a.version, "重复发布")
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["changed_articles"] == [a.id]
    assert "该信息已撤下" in (out / _url(a).lstrip("/")).read_text(encoding="utf-8")
    _equals_full_build(con, out, tmp_path)


def _listing_files(out, slug: str) -> dict[str, bytes]:
    """The listing pages of a column on disk: index.html and its archive pages."""
    return {p.name: p.read_bytes() for p in sorted((out / "col" / slug).glob("index*.html"))}


def test_publish_into_a_long_listing_renders_its_index_and_newest_archive_page(con, org, built, monkeypatch,
                                                                                 tmp_path):
    """Stable pagination (issue 16): 100 places in 财政资金, five full archive pages. A publish renders index.html
    and the newest archive page; the one that opens page 6 renders 6 and the three pages whose pager shows the
    newest pages (3, 4, 5); pages 1 and 2 keep their bytes and their files. Counted files: the build writes
    exactly these and the shared ones."""
    out, articles, _ = built
    bulk_articles(con, org.col_cw, 98, start=dt.datetime(2024, 5, 1))  # + 财政资金第一篇 = 99 places
    build_site(con, out, full=False)
    assert sorted(_listing_files(out, "czzj")) == ["index.html", *(f"index_{n}.html" for n in range(1, 6))]

    def publish_cw(title):
        item = workflow.create_article(con, org.officer_cw, org.col_cw, title, "<p>资金</p>", "财务处")
        item = workflow.submit(con, org.officer_cw, item.id, item.version)
        return workflow.publish(con, org.officer_cw, item.id, approve(con, org.head_cw, item).version)

    before = _listing_files(out, "czzj")
    rendered = _rendered(monkeypatch)
    publish_cw("财政资金第一百条")
    stats = build_site(con, out, full=False)
    assert {p for p in rendered if p.startswith("/col/")} == {
        column_url("czzj"), archive_url("czzj", 5), portal.feed_url("czzj")}
    after = _listing_files(out, "czzj")
    assert [name for name in after if after[name] != before.get(name)] == ["index.html", "index_5.html"]
    # the files written: the article, its neighbour (财政资金第一篇, whose 上一篇 links it), index.html and the newest
    # archive page of its column, the column's feed; the home page, the site feed, the sitemap; the build stamp
    assert stats["writes"] == 9, stats
    assert "财政资金第一百条" in after["index_5.html"].decode() and "归档第 5 页(第 1 页最早):本页 20 条" in \
        after["index_5.html"].decode()

    rendered.clear()
    publish_cw("财政资金第一百零一条")
    stats = build_site(con, out, full=False)
    assert {p for p in rendered if p.startswith("/col/")} == {
        column_url("czzj"), portal.feed_url("czzj"), *(archive_url("czzj", n) for n in (3, 4, 5, 6))}
    opened = _listing_files(out, "czzj")
    assert [name for name in opened if opened[name] != after.get(name)] == [
        "index.html", "index_3.html", "index_4.html", "index_5.html", "index_6.html"]
    assert "财政资金第一百零一条" in opened["index_6.html"].decode()
    assert "财政资金第一百条" in opened["index_5.html"].decode()  # page 5 keeps its items: only its pager changed
    assert stats["writes"] == 12, stats  # the same 9 (page 5 among them), pages 3 and 4 and the new page 6
    _equals_full_build(con, out, tmp_path)


def test_a_take_down_rewrites_only_the_page_holding_the_item(con, org, built, monkeypatch, tmp_path):
    """A taken-down item keeps its place: its archive page is one shorter, the pages after it do not shift
    (every other listing page keeps its bytes); restored, it is back on the same page."""
    out, _, _ = built
    ids = bulk_articles(con, org.col_cw, 79, start=dt.datetime(2024, 5, 1))  # + 财政资金第一篇 = 80 places
    build_site(con, out, full=False)
    before = _listing_files(out, "czzj")
    assert sorted(before) == ["index.html", "index_1.html", "index_2.html", "index_3.html", "index_4.html"]
    middle = workflow.get_article(con, ids[25])  # the 26th oldest: archive page 2
    assert "批量信息0026" in before["index_2.html"].decode()
    rendered = _rendered(monkeypatch)
    workflow.take_down(con, org.webmaster, middle.id, middle.version, "临时处置")
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["changed_articles"] == [middle.id]
    assert {p for p in rendered if p.startswith("/col/")} == {
        column_url("czzj"), archive_url("czzj", 2), portal.feed_url("czzj")}
    after = _listing_files(out, "czzj")
    # index.html states the count (共 79 条); of the archive pages only page 2 changed
    assert [name for name in after if after[name] != before[name]] == ["index.html", "index_2.html"]
    page = after["index_2.html"].decode()
    assert "批量信息0026" not in page and "本页 19 条" in page and "批量信息0027" in page
    _equals_full_build(con, out, tmp_path)
    build_site(con, out, full=False)  # the full build into another folder took the record: a full one here

    rendered.clear()
    workflow.restore(con, org.webmaster, middle.id, workflow.get_article(con, middle.id).version)
    build_site(con, out, full=False)
    assert {p for p in rendered if p.startswith("/col/")} == {
        column_url("czzj"), archive_url("czzj", 2), portal.feed_url("czzj")}
    assert _listing_files(out, "czzj") == before
    _equals_full_build(con, out, tmp_path)


def test_a_listing_that_loses_places_loses_its_last_archive_pages(con, org, built, tmp_path):
    """An item that leaves the column for good (moved to another column) gives up its place: the places after
    it move up, and a page no longer needed leads to the column's page (core.portal.redirects): a published URL
    never breaks."""
    out, articles, _ = built
    ids = bulk_articles(con, org.col_cw, 20, start=dt.datetime(2024, 5, 1))  # 21 places: archive pages 1 and 2
    build_site(con, out, full=False)
    assert (out / "col/czzj/index_2.html").exists()
    a = workflow.get_article(con, articles["other"].id)
    workflow.take_down(con, org.webmaster, a.id, a.version, "临时处置")
    build_site(con, out, full=False)
    assert "<article" not in (out / "col/czzj/index_2.html").read_text(encoding="utf-8")  # a taken-down item's page
    assert "本页原有的信息已撤下" in (out / "col/czzj/index_2.html").read_text(encoding="utf-8")
    con.execute("UPDATE revisions SET column_id = ? WHERE article_id = ?", [org.col_dz, ids[0]])
    stats = build_site(con, out, full=False)
    assert stats["touched_years"] == [2024]
    for n in (1, 2):  # 20 places left: index.html shows them all
        last = (out / f"col/czzj/index_{n}.html").read_text(encoding="utf-8")
        assert "页面已迁移" in last and 'url=/col/czzj/index.html"' in last and "<article" not in last
    _equals_full_build(con, out, tmp_path)


def test_column_changes_make_a_full_build(con, org, built, tmp_path):
    out, _, _ = built
    columns.update_column(con, org.webmaster, org.col_cw, {"name": "财政资金公开"})
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "full" and "columns" in stats["reason"]
    assert "财政资金公开" in (out / "index.html").read_text(encoding="utf-8")
    assert build_site(con, out, full=False)["mode"] == "incremental"


def test_missing_or_other_output_folder_makes_a_full_build(con, org, built, tmp_path):
    out, _, _ = built
    assert build_site(con, tmp_path / "elsewhere", full=False)["mode"] == "full"
    assert build_site(con, tmp_path / "elsewhere", full=False)["mode"] == "incremental"
    shutil.rmtree(out)
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "full" and stats["articles"] == 4
    assert build_site(con, out, full=True)["reason"] == "requested"


def test_full_build_reports_every_year(con, org, built, tmp_path):
    out, _, _ = built
    bulk_articles(con, org.col_cw, 3, start=dt.datetime(2019, 3, 1))
    stats = build_site(con, out, full=True)
    assert stats["mode"] == "full" and stats["touched_years"] == [2019, YEAR]
    assert sorted(stats["changed_articles"]) == [10_000, 10_001, 10_002]  # since the last build


def test_a_full_build_rewrites_only_the_records_that_changed(con, org, built, tmp_path):
    """The record of what was built (portal_built) after a full build is the database's state, as before; rows
    of articles that did not change stay where they were (same rowid): an unchanged database writes none."""
    out, articles, _ = built

    def record() -> dict[int, tuple]:
        return {r[0]: r for r in con.execute("SELECT rowid, * FROM portal_built").fetchall()}

    def current() -> list[tuple]:
        return sorted(con.execute(f"SELECT * FROM ({portal.plan._CURRENT})").fetchall())

    before = record()
    build_site(con, out, full=True)
    assert record() == before
    fixed = correct(con, org, articles["b"], "工作动态第二篇(更正)")
    workflow.withdraw(con, org.officer, articles["a"].id, articles["a"].version, "重复发布")
    new = publish(con, org, "工作动态第三篇")
    build_site(con, out, full=True)
    after = record()
    assert sorted(row[1:] for row in after.values()) == current()
    kept = {rowid for rowid, row in before.items() if row[1] not in {fixed.id, articles["a"].id}}
    assert kept <= set(after) and all(after[r] == before[r] for r in kept)
    assert new.id in {row[1] for row in after.values()}


def test_an_item_published_in_a_column_not_on_the_home_page_heads_its_latest_list(con, org, built, tmp_path):
    """An officer publishing in 财政资金 (not a key column, so no section of its own on the home
    page) finds the item first in 最新信息 after the incremental build; taken down, it is gone."""
    out, _, _ = built
    con.execute("UPDATE columns SET is_key = (id = ?)", [org.col_dz])
    assert build_site(con, out, full=False)["mode"] == "full"  # the column tree changed
    home = (out / "index.html").read_text(encoding="utf-8")
    assert f'aria-labelledby="sec-{org.col_cw}"' not in home  # 财政资金 has no home section

    item = workflow.create_article(con, org.officer_cw, org.col_cw, "财政资金第二篇", "<p>资金安排</p>", "财务处")
    item = workflow.submit(con, org.officer_cw, item.id, item.version)
    item = workflow.publish(con, org.officer_cw, item.id, approve(con, org.head_cw, item).version)
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental" and stats["changed_articles"] == [item.id]
    home = (out / "index.html").read_text(encoding="utf-8")
    assert latest_titles(home)[0] == "财政资金第二篇"
    entry = home_section(home, "sec-latest").split("</li>")[0]
    assert f'href="{_url(item)}"' in entry and "[财政资金]" in entry and f"{item.published_at:%Y-%m-%d}" in entry
    assert portal.public_url(con, item.id) == "https://www.sxit.gov.cn" + _url(item)

    item = workflow.get_article(con, item.id)
    workflow.take_down(con, org.webmaster, item.id, item.version, "数据有误")
    stats = build_site(con, out, full=False)
    assert stats["mode"] == "incremental"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "财政资金第二篇" not in home and latest_titles(home)[0] != "财政资金第二篇"
    assert portal.public_url(con, item.id) is None
    _equals_full_build(con, out, tmp_path)


def test_the_interaction_column_keeps_its_items_when_another_column_publishes(con, org, built, tmp_path):
    """互动交流's index.html is rendered by every build (it lists the latest answers): an incremental build for
    an item elsewhere still lists the articles published in it, and its archive pages."""
    out, _, _ = built
    hdjl = con.execute("INSERT INTO columns (slug, name, kind, division_id) VALUES ('hdjl', '互动交流', "
                       "'interaction', ?) RETURNING id", [org.dz]).fetchone()[0]
    bulk_articles(con, hdjl, 21, start=dt.datetime(2024, 5, 1), prefix="互动公告")
    build_site(con, out, full=False)
    assert "互动公告0021" in (out / "col/hdjl/index.html").read_text(encoding="utf-8")
    publish(con, org, "工作动态第三篇")
    assert build_site(con, out, full=False)["mode"] == "incremental"
    page = (out / "col/hdjl/index.html").read_text(encoding="utf-8")
    assert "互动公告0021" in page and archive_url("hdjl", 2) in page
    _equals_full_build(con, out, tmp_path)


def test_random_publications_take_downs_and_moves_leave_what_a_full_build_renders(con, org, built, tmp_path,
                                                                                     monkeypatch):
    """The planner's page-by-page comparison (plan.changed_archive_pages), three items a page so that listings
    have many archive pages: after every step of a seeded random mix of publications (some dated between older
    items, as an import does), take-downs, restores and moves to the other column, the incremental build leaves
    exactly what a full build from a copy of the database renders, and renders fewer listing pages."""
    import random

    from core.db import connect
    monkeypatch.setattr(portal.pages, "PER_PAGE", 3)
    monkeypatch.setattr(portal.pages, "SITEMAP_CHUNK", 7)  # and the sitemap in chunks, some of them kept
    out, _, _ = built
    ids = bulk_articles(con, org.col_cw, 30, start=dt.datetime(2024, 5, 1))
    build_site(con, out, full=False)
    rendered = _rendered(monkeypatch)
    rng = random.Random(16)
    next_id = 20_000
    for step in range(16):
        action = rng.choice(["publish", "publish", "take_down", "restore", "move"])
        if action == "publish":  # somewhere between the existing items, or the newest
            when = dt.datetime(2024, 5, 1) + dt.timedelta(minutes=rng.choice([rng.randrange(40), 10_000]),
                                                         seconds=30)
            ids += bulk_articles(con, rng.choice([org.col_cw, org.col_dz]), 1, start=when, first_id=next_id,
                                 prefix=f"随机{step}")
            next_id += 1
        elif action == "take_down":
            con.execute("UPDATE articles SET public = FALSE, state = 'taken_down' WHERE id = ?", [rng.choice(ids)])
        elif action == "restore":
            con.execute("UPDATE articles SET public = TRUE, state = 'published' WHERE id = ?", [rng.choice(ids)])
        else:
            con.execute("UPDATE revisions SET column_id = ? WHERE article_id = ?",
                        [rng.choice([org.col_cw, org.col_dz]), rng.choice(ids)])
        rendered.clear()
        stats = build_site(con, out, full=False)
        assert stats["mode"] == "incremental", (step, action)
        listing_pages = [p for p in rendered if p.startswith("/col/") and "index" in p]
        # the expected site: a full build from a copy of the database (this one keeps the record of `out`)
        con.execute("CHECKPOINT")
        copy = tmp_path / f"copy{step}.duckdb"
        shutil.copyfile(tmp_path / "portal.duckdb", copy)
        fresh = tmp_path / f"fresh{step}"
        other = connect(copy)
        try:
            full = build_site(other, fresh, full=True)
        finally:
            other.close()
        assert snapshot(out) == snapshot(fresh), (step, action)
        assert len(listing_pages) < full["columns"] + sum(
            1 for p in fresh.glob("col/*/index_*.html")), (step, action)


def test_a_withdrawn_item_moved_out_gives_its_place_up(con, org, built, tmp_path):
    """A taken-down item holds its place; moved to another column while taken down, it gives the place up and
    the archive pages after it move up, although it was on the portal neither before nor after."""
    out, _, _ = built
    ids = bulk_articles(con, org.col_cw, 45, start=dt.datetime(2024, 5, 1))
    con.execute("UPDATE articles SET public = FALSE, state = 'taken_down' WHERE id = ?", [ids[0]])
    build_site(con, out, full=False)
    con.execute("UPDATE revisions SET column_id = ? WHERE article_id = ?", [org.col_dz, ids[0]])
    assert build_site(con, out, full=False)["mode"] == "incremental"
    assert "批量信息0021" in (out / "col/czzj/index_1.html").read_text(encoding="utf-8")  # moved up from page 2
    _equals_full_build(con, out, tmp_path)


def test_consultation_pages_are_rendered_again_only_when_what_they_show_or_their_phase_changed(con, org, built,
                                                                                               monkeypatch, tmp_path):
    """征集调查's pages (and 在线访谈's, one mark for both): an incremental build for a publish elsewhere leaves them as
    they are; a new comment (its count is on the page), the calendar's next phase, or the page gone from the folder
    renders them again, and the folder is what a full build renders (issue 16: ≈30 queries a build on the demo)."""
    from core import consultation
    from tests.test_consultation import comment, item, values

    out, _, _ = built
    today = dt.date.today()
    cid = consultation.create(con, org.head, values(con, org, starts_on=today, ends_on=today + dt.timedelta(days=5)))
    consultation.open_(con, org.head, cid, item(con, cid)["version"])
    page = f"/hudong/zjdc/{cid}.html"
    rendered = _rendered(monkeypatch)
    build_site(con, out, full=False)
    assert page in rendered
    rendered.clear()
    publish(con, org, "工作动态第三篇")
    assert build_site(con, out, full=False)["mode"] == "incremental"
    assert page not in rendered and "/index.html" in rendered
    later = dt.datetime.combine(today + dt.timedelta(days=6), dt.time(9))  # past its end day: 征集已截止
    build_site(con, out, full=False, now=later)
    assert page in rendered and "征集已截止" in (out / page.lstrip("/")).read_text(encoding="utf-8")
    rendered.clear()
    build_site(con, out, full=False)  # today again: 正在征集
    assert page in rendered and "我要提意见" in (out / page.lstrip("/")).read_text(encoding="utf-8")
    rendered.clear()
    (out / page.lstrip("/")).unlink()
    build_site(con, out, full=False)
    assert page in rendered
    rendered.clear()
    build_site(con, out, full=False)
    assert page not in rendered
    comment(con, cid, now=dt.datetime.now())
    build_site(con, out, full=False)
    assert page in rendered
    _equals_full_build(con, out, tmp_path)


def test_the_signature_reads_the_template_and_code_files_again_only_when_one_changed(con, tmp_path, monkeypatch):
    """The build signature hashes the templates and the portal's code: a build reads them again only when one was
    written, added or removed since the last build of this process (every build read and hashed them all, issue 16),
    and a change of content, even of the same size, still changes the signature (a full build)."""
    from pathlib import Path

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("<p>甲</p>", encoding="utf-8")
    (folder / "feed.xml").write_text("<feed/>", encoding="utf-8")
    monkeypatch.setattr(portal.plan, "template_files", lambda: list(folder.rglob("*")))
    reads: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    first = portal.plan.signature(con)
    assert "page.html" in reads
    reads.clear()
    assert portal.plan.signature(con) == first and reads == []
    (folder / "page.html").write_text("<p>乙</p>", encoding="utf-8")  # the same size
    second = portal.plan.signature(con)
    assert second != first and "page.html" in reads
    (folder / "new.html").write_text("x", encoding="utf-8")
    assert portal.plan.signature(con) != second
    (folder / "new.html").unlink()
    assert portal.plan.signature(con) == second


def test_an_incremental_build_reads_the_items_of_a_long_listing_as_places_and_completes_only_those_shown(
        con, org, built, monkeypatch, tmp_path):
    """A publish into a listing of 99 places reads them as places (id, column, date, public: the pagination and
    the neighbours need no more) and what pages show (title, division, address …) only for the items of the pages it
    renders: index.html and its feed, the newest archive page, the new article and its neighbour (issue 16: 21,000
    items at scale, a few dozen shown); the folder is what a full build renders."""
    out, _, _ = built
    bulk_articles(con, org.col_cw, 98, start=dt.datetime(2024, 5, 1))  # + 财政资金第一篇 = 99
    build_site(con, out, full=False)
    seen = []
    real = portal.plan.fill_items
    monkeypatch.setattr(portal.plan, "fill_items", lambda con, site, items: seen.append(site) or real(con, site, items))
    item = workflow.create_article(con, org.officer_cw, org.col_cw, "财政资金新条目", "<p>资金</p>", "财务处")
    item = workflow.submit(con, org.officer_cw, item.id, item.version)
    workflow.publish(con, org.officer_cw, item.id, approve(con, org.head_cw, item).version)
    assert build_site(con, out, full=False)["mode"] == "incremental"
    slots = seen[0].columns[org.col_cw].slots
    shown = [s for s in slots if "title" in s]
    assert len(slots) == 100 and {s["id"] for s in slots[:20]} <= {s["id"] for s in shown} and len(shown) <= 25
    assert all(set(s) == {"id", "column_id", "published_at", "public"} for s in slots if "title" not in s)
    _equals_full_build(con, out, tmp_path)
