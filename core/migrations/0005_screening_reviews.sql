-- 0005: what approvers did with screening findings (第十六条): each warning acknowledged and each
-- overridable block (请示/报告/函 going online) lifted with a reason, per revision, by whom.
CREATE SEQUENCE seq_screening_reviews START 1;
CREATE TABLE screening_reviews (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_screening_reviews'),
    article_id   INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    finding_key  TEXT NOT NULL,
    rule         TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('warn', 'block')),
    excerpt      TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL CHECK (kind IN ('acknowledge', 'override')),
    reason       TEXT,
    actor_id     INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    CHECK (kind <> 'override' OR length(trim(coalesce(reason, ''))) > 0)
);
CREATE INDEX screening_reviews_article ON screening_reviews (article_id, revision);
