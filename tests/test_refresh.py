"""The portal refresh off the click (core/refresh.py, issue 16): a published item reaches the portal,
requests made while a build runs are covered, and a failure is reported, not lost."""

from __future__ import annotations

import datetime as dt

from core import portal, refresh, workflow

BODY = "<p>省工信厅召开电子信息产业推进会。</p>"


def publish(con, org, title):
    article = workflow.create_article(con, org.officer, org.col_dz, title, BODY, "电子信息处", dt.date.today(), "一般")
    article = workflow.submit(con, org.officer, article.id, article.version)
    article = workflow.approve(con, org.head, article.id, article.version, list(workflow.CHECKLIST))
    return workflow.publish(con, org.officer, article.id, article.version)


def page_of(site, article):
    return site / portal.article_url(article.id, article.published_at).lstrip("/")


def test_a_published_article_reaches_the_portal_after_the_request(con, org, tmp_path):
    site = tmp_path / "site"
    portal.build_site(con, site, full=True, progress=False)
    article = publish(con, org, "电子信息产业推进会召开")
    assert not page_of(site, article).exists()  # the action itself no longer builds
    ticket = refresh.request(con, site)
    assert refresh.wait(site, ticket).state == "done"
    assert refresh.status(site, ticket).state == "done"
    assert "电子信息产业推进会召开" in page_of(site, article).read_text(encoding="utf-8")


def test_requests_made_one_after_another_are_all_covered(con, org, tmp_path):
    site = tmp_path / "site"
    portal.build_site(con, site, full=True, progress=False)
    first = publish(con, org, "第一条动态")
    refresh.request(con, site)
    second = publish(con, org, "第二条动态")
    last = refresh.request(con, site)
    assert refresh.wait(site, last).state == "done"
    assert page_of(site, first).exists() and page_of(site, second).exists()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "第一条动态" in home and "第二条动态" in home


def test_a_failed_build_is_reported_and_the_next_request_tries_again(con, org, tmp_path):
    site = tmp_path / "site"
    site.write_text("不是文件夹", encoding="utf-8")  # the build cannot write here
    article = publish(con, org, "电子信息产业推进会召开")
    ticket = refresh.request(con, site)
    failed = refresh.wait(site, ticket)
    assert failed.state == "failed" and failed.error
    assert refresh.status(site, ticket).state == "failed"  # it stays reported, not dropped
    site.unlink()
    again = refresh.request(con, site)
    assert refresh.wait(site, again).state == "done"
    assert refresh.status(site, ticket).state == "done"  # the later build covered the earlier change
    assert page_of(site, article).exists()
