-- 0022: permanent URLs, withdrawal notices and correction notes (issue 15; 第二十三条; 政府网站与政务新媒体检查指标).

-- Every URL the portal has written, kept for ever: a path the build no longer writes gets a redirect to
-- where its content is now (core/portal/redirects.py). Written by the build in one bulk upsert.
CREATE TABLE portal_urls (
    path           TEXT PRIMARY KEY,     -- '/col/gzdt/index.html', as the writer wrote it
    kind           TEXT NOT NULL,        -- article | answer | column | file | page
    ref            INTEGER,              -- the article, answer, column or attachment id (page: NULL)
    first_written  TIMESTAMP NOT NULL,
    last_written   TIMESTAMP NOT NULL,
    moved_to       TEXT                  -- NULL while the build writes it; else the redirect's target
);

-- The webmaster's take-down (第二十三条): the category shown on the withdrawal page and an optional
-- replacement (a published article). The free-text reason stays internal (articles.state_reason).
CREATE TABLE article_takedowns (
    article_id      INTEGER PRIMARY KEY,
    category        TEXT NOT NULL,
    replacement_id  INTEGER,
    taken_down_at   TIMESTAMP NOT NULL
);

-- 更正说明: public correction notes shown on the article's page, newest first
CREATE SEQUENCE seq_article_corrections START 1;
CREATE TABLE article_corrections (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_article_corrections'),
    article_id  INTEGER NOT NULL,
    noted_at    TIMESTAMP NOT NULL,
    text        TEXT NOT NULL,
    noted_by    INTEGER NOT NULL         -- users.id
);

-- what the last build showed of the notes and the withdrawal notice, so a change re-renders the page
ALTER TABLE portal_built ADD COLUMN notes TEXT;
