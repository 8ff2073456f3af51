-- 0044: 征集调查 (issue 17, consultations; 第二条 "政企互动的桥梁", 第十九、二十三条). The office opens a
-- consultation on a draft or a question for a window of dates; the public comments through the message
-- desk's protected path; every comment is moderated before it is shown; at the end the office publishes a
-- feedback summary (how many received, adopted, what and why). States: draft → open → closed → summarised.
CREATE SEQUENCE seq_consultations START 1;
CREATE TABLE consultations (
    id              INTEGER PRIMARY KEY DEFAULT nextval('seq_consultations'),
    column_id       INTEGER NOT NULL,                 -- the 征集调查 column it appears in (kind 'interaction')
    division_id     INTEGER NOT NULL,                 -- the division that owns it (its head manages it)
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,                    -- the draft text or the question, plain text
    starts_on       DATE NOT NULL,
    ends_on         DATE NOT NULL,
    state           TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed', 'summarised')),
    show_comments   BOOLEAN NOT NULL DEFAULT FALSE,   -- the office publishes the approved comments
    adopted_count   INTEGER,                          -- the feedback summary (required before 已反馈)
    adopted_text    TEXT,                             -- what was adopted, and why
    rejected_text   TEXT,                             -- what was not adopted, and why
    opened_at       TIMESTAMP,
    closed_at       TIMESTAMP,
    summarised_at   TIMESTAMP,
    created_by      INTEGER,
    created_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE seq_consultation_events START 1;
CREATE TABLE consultation_events (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_consultation_events'),
    consultation_id  INTEGER NOT NULL,
    actor_id         INTEGER,
    action           TEXT NOT NULL,
    from_state       TEXT,
    to_state         TEXT NOT NULL,
    comment          TEXT,
    created_at       TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX consultation_events_item ON consultation_events (consultation_id);

-- the public's comments: nothing is shown before the office approved it (第二十三条)
CREATE SEQUENCE seq_consultation_comments START 1;
CREATE TABLE consultation_comments (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_consultation_comments'),
    consultation_id  INTEGER NOT NULL,
    name             TEXT NOT NULL,                   -- personal data: never shown on the portal
    body             TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    reason           TEXT,                            -- why it was rejected
    client           TEXT,                            -- keyed hash of the address (core.ratelimit)
    received_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    moderated_by     INTEGER,
    moderated_at     TIMESTAMP,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX consultation_comments_item ON consultation_comments (consultation_id);

-- 栏目更新监测 (第二十七条(五)): interaction columns are monitored too, now that consultations and published
-- answers count as their updates (core/freshness.py); an office that chose an interval keeps it
UPDATE freshness_intervals SET days = 182 WHERE kind = 'interaction' AND days IS NULL;
