-- 0043: 应发布信息 (issue 17, duties; 第十七条、第二十七条(四)). The office records what a division is
-- expected to publish — an important meeting, a document issued, a leader's activity — with the day it
-- happened; a published article of that division is linked to it. Whether it is overdue is computed from
-- the day and the 第十七条 window (core/duties.py), not stored: the dates pass without any write.

CREATE SEQUENCE seq_duty_records START 1;

CREATE TABLE duty_records (
    id            INTEGER PRIMARY KEY DEFAULT nextval('seq_duty_records'),
    division_id   INTEGER NOT NULL,                 -- divisions.id: who is to publish
    kind          TEXT NOT NULL CHECK (kind IN ('meeting', 'document', 'leader', 'other')),
    subject       TEXT NOT NULL,
    happened_on   DATE NOT NULL,                    -- the day the work ended (第十七条)
    note          TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'expected' CHECK (state IN ('expected', 'fulfilled', 'cancelled')),
    article_id    INTEGER,                          -- articles.id: the published item linked to it
    linked_by     INTEGER,                          -- users.id
    linked_at     TIMESTAMP,
    cancel_reason TEXT,
    criticism_id  INTEGER,                          -- criticisms.id, when it was made a criticism (第二十七条(四))
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    INTEGER NOT NULL,                 -- users.id
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    CHECK (state <> 'fulfilled' OR article_id IS NOT NULL)
);
CREATE INDEX duty_records_division ON duty_records (division_id, state);
