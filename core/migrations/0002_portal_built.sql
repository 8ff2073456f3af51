-- 0002: what the portal last rendered, one row per article that has a page on the portal
-- (public, or published once and now a withdrawal notice). An incremental build diffs the
-- live state of the articles against this table in one query; the build stamp, the output
-- folder and a signature of columns/settings/templates live in site_state ('portal_build').
-- Rows are replaced (delete + insert) by the build that rendered them, inside the build's
-- transaction, so the record always describes a snapshot that reached the disk.

CREATE TABLE portal_built (
    article_id     INTEGER PRIMARY KEY,
    live_revision  INTEGER NOT NULL,
    public         BOOLEAN NOT NULL,
    column_id      INTEGER NOT NULL,
    published_at   TIMESTAMP NOT NULL,
    attachments    INTEGER[],       -- ids of the attachments served (public articles)
    withdrawn_at   TIMESTAMP        -- the date on the notice (withdrawn articles)
);
