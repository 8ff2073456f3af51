-- 0019: ready for the national inspection (issue 15; 第二、六、二十、二十五条; 政府网站与政务新媒体检查指标).
-- The tables the issue's parts share: link health (core/linkcheck.py), availability (core/availability.py) and
-- visits (core/access.py) are written by their modules and read by the self-inspection and the
-- 政府网站工作年度报表 (core/site_report.py). Site identity lives in settings (core/settings.py).

-- 链接可用性: one row per link found on a built page, kept from check to check
CREATE TABLE link_checks (
    page             TEXT NOT NULL,             -- the portal page holding the link: '/path/of/page.html'
    href             TEXT NOT NULL,             -- the href as written in the page
    external         BOOLEAN NOT NULL,
    status           INTEGER NOT NULL,          -- HTTP status; 0 = no answer; internal: 200 found, 404 not in the site
    detail           TEXT NOT NULL DEFAULT '',  -- why it failed, in Chinese (连接超时, 目标页面不存在 …)
    broken           BOOLEAN NOT NULL,
    article_id       INTEGER,                   -- the item whose page, body or attachment holds the link
    checked_at       TIMESTAMP NOT NULL,
    first_broken_at  TIMESTAMP,                 -- broken since (NULL while it works)
    PRIMARY KEY (page, href)
);
CREATE SEQUENCE seq_link_runs START 1;
CREATE TABLE link_runs (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_link_runs'),
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    external     BOOLEAN NOT NULL,              -- outbound links fetched over HTTP too
    pages        INTEGER,
    links        INTEGER,
    broken       INTEGER,
    started_by   TEXT NOT NULL                  -- a login name, or 'scheduler' / 'cli'
);

-- 站点无法访问 is a veto: the workbench probes the portal's home page and a sample of pages
CREATE TABLE site_probes (
    probed_at   TIMESTAMP NOT NULL,
    url         TEXT NOT NULL,
    home        BOOLEAN NOT NULL,               -- the home page: its failures in a row open a 安全事件
    status      INTEGER NOT NULL,               -- HTTP status; 0 = no answer
    ok          BOOLEAN NOT NULL,
    latency_ms  INTEGER,                        -- NULL when there was no answer
    detail      TEXT NOT NULL DEFAULT ''
);

-- visits, from the web server's own logs (nginx, combined format)
CREATE TABLE access_files (                     -- what was read of each log, so reading it again adds only new lines
    fingerprint  TEXT PRIMARY KEY,              -- identifies the log across renames and gzip (e.g. a hash of its first line)
    name         TEXT NOT NULL,                 -- the path it was last read from
    lines        BIGINT NOT NULL,               -- lines read so far
    malformed    BIGINT NOT NULL DEFAULT 0,
    imported_at  TIMESTAMP NOT NULL
);
CREATE TABLE access_hits (
    requested_at TIMESTAMP NOT NULL,
    client       TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,                 -- without its query string
    status       SMALLINT NOT NULL,
    bytes        BIGINT NOT NULL,
    referrer     TEXT NOT NULL,
    agent        TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,                 -- the log it came from (access_files)
    line         BIGINT NOT NULL                -- its line in that log
);
